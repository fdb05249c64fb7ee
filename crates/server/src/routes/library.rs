//! `/tags` (tags in use, with counts) and `/collections` (with membership
//! changes), both cursor-paginated like the API.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::Json;
use base64::Engine;
use serde_json::{json, Value};

use super::assets::IdsBody;
use super::signed_url;
use crate::http::{HttpError, HttpResult};
use crate::library::now_iso;
use crate::renditions::Variant;
use crate::state::AppState;

/// Page size and offset from `pageSize` (bounded) and an opaque token.
fn paging(q: &HashMap<String, String>, default: usize) -> HttpResult<(usize, usize)> {
    let size = match q.get("pageSize") {
        None => default,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                return Err(HttpError::bad_request(
                    "pageSize must be a number between 1 and 100",
                ))
            }
        },
    };
    let offset = match q.get("paginationToken").filter(|t| !t.is_empty()) {
        None => 0,
        Some(t) => base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(t)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("o:").and_then(|n| n.parse().ok()))
            .ok_or_else(|| HttpError::bad_request("paginationToken is invalid"))?,
    };
    Ok((size, offset))
}

fn token(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("o:{offset}"))
}

pub async fn tags(
    State(state): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> HttpResult<Json<Value>> {
    let (size, offset) = paging(&q, 50)?;
    let lib = state.read_lib()?;
    let counts = lib.tag_counts();
    let all: Vec<Value> = counts
        .iter()
        .skip(offset)
        .take(size)
        .map(|(name, (count, created, updated))| {
            json!({ "tagName": name, "itemCount": count, "createdAt": created, "updatedAt": updated, "ownerId": lib.owner_id })
        })
        .collect();
    let mut body = json!({ "tags": all });
    if offset + size < counts.len() {
        body["nextPaginationToken"] = json!(token(offset + size));
    }
    Ok(Json(body))
}

pub async fn collections(
    State(state): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> HttpResult<Json<Value>> {
    let (size, offset) = paging(&q, 10)?;
    let lib = state.read_lib()?;
    let counts = lib.collection_counts();
    let page: Vec<Value> = lib
        .collections
        .values()
        .skip(offset)
        .take(size)
        .map(|c| {
            let n = counts.get(&c.id).copied().unwrap_or(0);
            let mut v = json!({
                "id": c.id, "name": c.name, "assetCount": n, "itemCount": n, "modelCount": 0,
                "createdAt": c.created_at, "updatedAt": c.updated_at, "ownerId": lib.owner_id,
            });
            if let Some(cover) = lib.collection_cover(&c.id) {
                v["thumbnail"] = json!({
                    "assetId": cover.asset.id,
                    "url": signed_url(&state, &cover.asset.id, &Variant::Thumbnail),
                });
            }
            v
        })
        .collect();
    let mut body = json!({ "collections": page });
    if offset + size < lib.collections.len() {
        body["nextPaginationToken"] = json!(token(offset + size));
    }
    Ok(Json(body))
}

/// Most ids in one `PUT /collections/{id}/assets`.
pub const ADD_LIMIT: usize = 49;

pub async fn add_to_collection(
    state: State<Arc<AppState>>,
    path: Path<String>,
    body: Json<IdsBody>,
) -> HttpResult<Json<Value>> {
    change_membership(state, path, body, true).await
}

pub async fn remove_from_collection(
    state: State<Arc<AppState>>,
    path: Path<String>,
    body: Json<IdsBody>,
) -> HttpResult<Json<Value>> {
    change_membership(state, path, body, false).await
}

async fn change_membership(
    State(state): State<Arc<AppState>>,
    Path(collection): Path<String>,
    Json(body): Json<IdsBody>,
    add: bool,
) -> HttpResult<Json<Value>> {
    // the live service takes at most 49 ids per addition
    let most = if add { ADD_LIMIT } else { 100 };
    if body.asset_ids.is_empty() || body.asset_ids.len() > most {
        return Err(HttpError::bad_request(format!(
            "assetIds must contain between 1 and {most} ids"
        ))
        .with_details(json!({ "actionName": "addAssetsToCollection", "actionLimit": most })));
    }
    let mut lib = state.write_lib()?;
    if !lib.collections.contains_key(&collection) {
        return Err(HttpError::not_found(format!(
            "Collection {} not found",
            assetui_api::sanitize::line(&collection, 80)
        )));
    }
    let mut changed = Vec::new();
    for id in &body.asset_ids {
        let record = lib
            .get(id)
            .ok_or_else(|| super::assets::asset_not_found(id))?;
        let mut record = record.clone();
        let mut ids = record.asset.collection_ids().to_vec();
        let had = ids.contains(&collection);
        if add && had {
            // the whole request is refused, as the live service does
            return Err(HttpError::bad_request(format!(
                "Asset {} is already in collection {}",
                assetui_api::sanitize::line(id, 80),
                assetui_api::sanitize::line(&collection, 80)
            ))
            .named("AssetAlreadyInCollectionError"));
        }
        if add && !had {
            ids.push(collection.clone());
        } else if !add && had {
            ids.retain(|c| c != &collection);
        } else {
            continue;
        }
        record.asset.collection_ids = Some(ids);
        record.asset.updated_at = Some(now_iso());
        changed.push(record);
    }
    if let Some(store) = &state.store {
        let assets: Vec<_> = changed.iter().map(|r| &r.asset).collect();
        tokio::task::block_in_place(|| store.save_assets(&assets)).map_err(HttpError::internal)?;
    }
    for r in changed {
        lib.put(r);
    }
    if let Some(c) = lib.collections.get_mut(&collection) {
        c.updated_at = now_iso();
    }
    Ok(Json(json!({})))
}
