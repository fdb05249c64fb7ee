//! `/assets`: list with every documented filter and keyset pagination,
//! retrieve, get-bulk, delete many, upload and tags.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::Json;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use super::present;
use crate::embed;
use crate::http::{HttpError, HttpResult};
use crate::library::{now_iso, num, Cursor, FileRef, Library, Record};
use crate::renditions;
use crate::state::AppState;
use assetui_api::models::{
    Asset, AssetKind, AssetMetadata, AssetProperties, AssetStatus, AssetType, Privacy,
};
use assetui_api::params::{SortDirection, SortField};

pub const MAX_PAGE_SIZE: usize = 100;
pub const DEFAULT_PAGE_SIZE: usize = 50;
pub const BULK_LIMIT: usize = 200;
pub const DELETE_LIMIT: usize = 100;

/// The parsed and validated query of `GET /assets`.
struct ListQuery {
    page_size: usize,
    sort: SortField,
    dir: SortDirection,
    cursor: Option<Cursor>,
    filters: HashMap<String, String>,
    types: Vec<String>,
    tags: Vec<String>,
}

fn parse_list_query(mut q: HashMap<String, String>) -> HttpResult<ListQuery> {
    const KNOWN: &[&str] = &[
        "authorId",
        "collectionId",
        "createdAfter",
        "createdBefore",
        "inferenceId",
        "modelId",
        "originalAssets",
        "pageSize",
        "paginationToken",
        "parentAssetId",
        "privacy",
        "rootAssetId",
        "sortBy",
        "sortDirection",
        "tags",
        "type",
        "types",
        "updatedAfter",
        "updatedBefore",
    ];
    if let Some(unknown) = q.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(HttpError::bad_request(format!(
            "property {} should not exist",
            assetui_api::sanitize::line(unknown, 64)
        )));
    }
    let page_size = match q.get("pageSize") {
        None => DEFAULT_PAGE_SIZE,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => {
                return Err(HttpError::bad_request(
                    "pageSize must be a number between 1 and 100",
                ))
            }
        },
    };
    let sort_given = q.get("sortBy").map(String::as_str);
    let sort = match sort_given {
        None | Some("createdAt") => SortField::CreatedAt,
        Some("updatedAt") => SortField::UpdatedAt,
        Some(_) => {
            return Err(HttpError::bad_request(
                "sortBy must be one of: createdAt, updatedAt",
            ))
        }
    };
    let dir = match q.get("sortDirection").map(String::as_str) {
        None | Some("desc") => SortDirection::Desc,
        Some("asc") => SortDirection::Asc,
        Some(_) => {
            return Err(HttpError::bad_request(
                "sortDirection must be one of: asc, desc",
            ))
        }
    };
    let created = q.contains_key("createdAfter") || q.contains_key("createdBefore");
    let updated = q.contains_key("updatedAfter") || q.contains_key("updatedBefore");
    if created && sort_given != Some("createdAt") {
        return Err(HttpError::bad_request(
            "createdAfter and createdBefore require the sortBy parameter to be \"createdAt\"",
        ));
    }
    if updated && sort_given != Some("updatedAt") {
        return Err(HttpError::bad_request(
            "updatedAfter and updatedBefore require the sortBy parameter to be \"updatedAt\"",
        ));
    }
    // the date bounds: real days and moments, compared in the API's own
    // timestamp form (`2025-01-16T11:19:41.579Z`)
    for key in [
        "createdAfter",
        "createdBefore",
        "updatedAfter",
        "updatedBefore",
    ] {
        if let Some(given) = q.get_mut(key) {
            *given = assetui_api::dates::canonical(given).map_err(|e| {
                HttpError::bad_request(format!("{key} must be a valid ISO 8601 date string: {e}"))
            })?;
        }
    }
    if q.contains_key("type") && q.contains_key("types") {
        return Err(HttpError::bad_request(
            "The parameter \"type\" and \"types\" cannot be used together",
        ));
    }
    let types = comma_list(q.get("type").or(q.get("types")));
    for t in &types {
        if AssetType::from(t.as_str()).is_other() {
            return Err(HttpError::bad_request(format!(
                "type must be one of the asset types (got {})",
                assetui_api::sanitize::line(t, 64)
            )));
        }
    }
    if let Some(p) = q.get("privacy") {
        if !matches!(p.as_str(), "private" | "public" | "unlisted") {
            return Err(HttpError::bad_request(
                "privacy must be one of: private, public, unlisted",
            ));
        }
    }
    let cursor = match q.get("paginationToken").filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => Some(decode_token(t, sort, dir)?),
    };
    let tags = comma_list(q.get("tags"));
    Ok(ListQuery {
        page_size,
        sort,
        dir,
        cursor,
        filters: q,
        types,
        tags,
    })
}

/// A comma-separated query value as its non-empty items.
fn comma_list(value: Option<&String>) -> Vec<String> {
    value
        .map(|s| {
            s.split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// The opaque cursor: the sort, and the last (sort value, id) served.
fn encode_token(sort: SortField, dir: SortDirection, last: &Record) -> String {
    let raw = json!([
        sort.as_str(),
        dir.as_str(),
        last.sort_key(sort),
        last.asset.id
    ]);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw.to_string())
}

fn decode_token(token: &str, sort: SortField, dir: SortDirection) -> HttpResult<Cursor> {
    let bad = || {
        HttpError::bad_request(
            "paginationToken is invalid or does not match sortBy and sortDirection",
        )
    };
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| bad())?;
    let v: Vec<String> = serde_json::from_slice(&raw).map_err(|_| bad())?;
    match v.as_slice() {
        [s, d, key, id] if s == sort.as_str() && d == dir.as_str() => Ok(Cursor {
            key: key.clone(),
            id: id.clone(),
        }),
        _ => Err(bad()),
    }
}

fn matches(r: &Record, q: &ListQuery) -> bool {
    let a = &r.asset;
    if r.is_hidden() {
        return false;
    }
    let meta = a.metadata.as_ref();
    let eq = |key: &str, value: Option<&str>| {
        q.filters
            .get(key)
            .is_none_or(|want| value == Some(want.as_str()))
    };
    if !eq("authorId", a.author_id.as_deref())
        || !eq("inferenceId", meta.and_then(|m| m.inference_id.as_deref()))
        || !eq("modelId", meta.and_then(|m| m.model_id.as_deref()))
        || !eq("parentAssetId", meta.and_then(|m| m.parent_id.as_deref()))
        || !eq(
            "rootAssetId",
            meta.and_then(|m| m.root_parent_id.as_deref()),
        )
        || !eq("privacy", a.privacy.as_ref().map(|p| p.as_str()))
    {
        return false;
    }
    if let Some(c) = q.filters.get("collectionId") {
        if !a.collection_ids().iter().any(|x| x == c) {
            return false;
        }
    }
    if !q.types.is_empty() {
        let t = a.asset_type().map(|t| t.as_str()).unwrap_or("");
        if !q.types.iter().any(|x| x == t) {
            return false;
        }
    }
    if !q.tags.is_empty() {
        // the list endpoint's tags filter only applies to public assets
        if a.privacy != Some(Privacy::Public) || !q.tags.iter().all(|t| a.tags().contains(t)) {
            return false;
        }
    }
    let (after, before, key) = match q.sort {
        SortField::CreatedAt => ("createdAfter", "createdBefore", r.created()),
        SortField::UpdatedAt => ("updatedAfter", "updatedBefore", r.updated()),
    };
    if q.filters.get(after).is_some_and(|d| key <= d.as_str()) {
        return false;
    }
    if q.filters.get(before).is_some_and(|d| key >= d.as_str()) {
        return false;
    }
    true
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    Query(raw): Query<HashMap<String, String>>,
) -> HttpResult<Json<Value>> {
    let q = parse_list_query(raw)?;
    // a selective filter may walk the whole library: off the async threads
    let body = tokio::task::spawn_blocking(move || -> HttpResult<Value> {
        let lib = state.read_lib()?;
        let mut page: Vec<&Record> = lib
            .sorted(q.sort, q.dir, q.cursor.as_ref())
            .filter(|r| matches(r, &q))
            .take(q.page_size + 1)
            .collect();
        let more = page.len() > q.page_size;
        page.truncate(q.page_size);
        let assets: Vec<Asset> = page.iter().map(|r| present(&state, r)).collect();
        let mut body = json!({ "assets": assets });
        if more {
            if let Some(last) = page.last() {
                body["nextPaginationToken"] = json!(encode_token(q.sort, q.dir, last));
            }
        }
        Ok(body)
    })
    .await
    .map_err(|e| HttpError::internal(format!("the list failed: {e}")))??;
    Ok(Json(body))
}

pub async fn retrieve(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> HttpResult<Json<Value>> {
    let lib = state.read_lib()?;
    let record = lib.get(&id).ok_or_else(|| asset_not_found(&id))?;
    Ok(Json(json!({ "asset": present(&state, record) })))
}

pub fn asset_not_found(id: &str) -> HttpError {
    HttpError::not_found(format!(
        "Asset {} not found",
        assetui_api::sanitize::line(id, 80)
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdsBody {
    #[serde(default)]
    pub asset_ids: Vec<String>,
}

pub async fn get_bulk(
    State(state): State<Arc<AppState>>,
    Json(body): Json<IdsBody>,
) -> HttpResult<Json<Value>> {
    if body.asset_ids.len() > BULK_LIMIT {
        return Err(HttpError::bad_request(format!(
            "assetIds must contain at most {BULK_LIMIT} ids"
        )));
    }
    let lib = state.read_lib()?;
    let assets: Vec<Asset> = body
        .asset_ids
        .iter()
        .filter_map(|id| lib.get(id))
        .map(|r| present(&state, r))
        .collect();
    Ok(Json(json!({ "assets": assets })))
}

pub async fn delete_many(
    State(state): State<Arc<AppState>>,
    Json(body): Json<IdsBody>,
) -> HttpResult<Json<Value>> {
    if body.asset_ids.is_empty() || body.asset_ids.len() > DELETE_LIMIT {
        return Err(HttpError::bad_request(format!(
            "assetIds must contain between 1 and {DELETE_LIMIT} ids"
        )));
    }
    let mut lib = state.write_lib()?;
    let present_ids: Vec<String> = body
        .asset_ids
        .iter()
        .filter(|id| lib.get(id).is_some())
        .cloned()
        .collect();
    if let Some(store) = &state.store {
        tokio::task::block_in_place(|| store.save_deleted(&present_ids))
            .map_err(HttpError::internal)?;
    }
    for id in &present_ids {
        lib.remove(id);
        state.renditions.forget(id);
    }
    Ok(Json(json!({})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagsBody {
    #[serde(default)]
    add: Vec<String>,
    #[serde(default)]
    delete: Vec<String>,
    #[serde(default)]
    strict: bool,
}

pub async fn update_tags(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Json(body): Json<TagsBody>,
) -> HttpResult<Json<Value>> {
    for t in body.add.iter().chain(&body.delete) {
        if t.trim().is_empty() || t.chars().count() > 100 {
            return Err(HttpError::bad_request(
                "a tag must have 1 to 100 characters",
            ));
        }
    }
    let mut lib = state.write_lib()?;
    let mut record = lib.get(&id).ok_or_else(|| asset_not_found(&id))?.clone();
    let mut tags = record.asset.tags().to_vec();
    let mut added = Vec::new();
    let mut deleted = Vec::new();
    for t in &body.add {
        if tags.contains(t) {
            if body.strict {
                return Err(HttpError::bad_request(format!(
                    "Tag {} already exists on asset",
                    assetui_api::sanitize::line(t, 100)
                )));
            }
        } else if !added.contains(t) {
            tags.push(t.clone());
            added.push(t.clone());
        }
    }
    for t in &body.delete {
        match tags.iter().position(|x| x == t) {
            Some(i) => {
                tags.remove(i);
                deleted.push(t.clone());
            }
            None if body.strict => {
                return Err(HttpError::bad_request(format!(
                    "Tag {} not found on asset",
                    assetui_api::sanitize::line(t, 100)
                )))
            }
            None => {}
        }
    }
    if !added.is_empty() || !deleted.is_empty() {
        record.asset.tags = Some(tags);
        record.asset.updated_at = Some(now_iso());
        if let Some(store) = &state.store {
            tokio::task::block_in_place(|| store.save_assets(&[&record.asset]))
                .map_err(HttpError::internal)?;
        }
        lib.put(record);
    }
    Ok(Json(json!({ "added": added, "deleted": deleted })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadBody {
    name: Option<String>,
    image: Option<String>,
    canvas: Option<String>,
    #[serde(default)]
    collection_ids: Vec<String>,
    parent_id: Option<String>,
    hide: Option<bool>,
}

/// Largest uploaded file.
pub const MAX_UPLOAD: usize = 50 * 1024 * 1024;

/// Refuses an upload that would take the files the server holds in memory
/// past its quota (413).
pub fn check_quota(state: &AppState, lib: &Library, adding: usize) -> HttpResult<()> {
    let quota = state
        .uploads
        .quota
        .load(std::sync::atomic::Ordering::Relaxed);
    let stored: u64 = lib
        .records()
        .filter_map(|(_, r)| match &r.file {
            FileRef::Blob(b) => Some(b.len() as u64),
            _ => None,
        })
        .sum::<u64>()
        + state.multipart.reserved();
    if stored.saturating_add(adding as u64) > quota {
        return Err(HttpError::too_large(format!(
            "the server's upload quota is full: {stored} bytes stored, {adding} more would \
                 pass the quota of {quota} bytes; delete uploads first"
        )));
    }
    Ok(())
}

pub async fn upload(
    State(state): State<Arc<AppState>>,
    Json(body): Json<UploadBody>,
) -> HttpResult<Json<Value>> {
    let name = body
        .name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| HttpError::bad_request("name is required"))?;
    let Some(image) = body.image else {
        return Err(HttpError::bad_request(if body.canvas.is_some() {
            "canvas uploads are not supported by this server; send an image"
        } else {
            "image is required (a base64 string or a data URL)"
        }));
    };
    // a data URL, or the raw base64 (official clients send both)
    let b64 = match image.strip_prefix("data:") {
        Some(rest) => rest
            .split_once(";base64,")
            .map(|(_, data)| data)
            .ok_or_else(|| HttpError::bad_request("image is a data URL without base64 data"))?,
        None => image.as_str(),
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| HttpError::bad_request("image is not valid base64"))?;
    if bytes.len() > MAX_UPLOAD {
        return Err(HttpError::too_large("image is larger than 50 MiB"));
    }
    // only images go this way: say where the rest goes
    match assetui_api::uploads::sniff(&bytes[..bytes.len().min(4096)]) {
        Some(s) if s.kind == "image" => {}
        Some(s) => {
            return Err(HttpError::bad_request(format!(
                "POST /assets takes images only, and this file is {} ({}); upload audio, \
                 video, 3D and text files through POST /uploads",
                s.kind, s.mime
            )))
        }
        None => {
            return Err(HttpError::bad_request(
                "image is not an image (PNG, JPEG, WebP, GIF, BMP or TIFF); POST /assets \
                 takes images only",
            ))
        }
    }
    let options = ImportOptions {
        collection_ids: body.collection_ids,
        parent_id: body.parent_id,
        hide: body.hide.unwrap_or(false),
    };
    let shown = import(&state, name, bytes::Bytes::from(bytes), "image", &options)
        .await
        .map_err(|e| match e {
            ImportError::Http(e) => e,
            ImportError::Invalid(why) => {
                HttpError::bad_request(format!("image cannot be decoded: {why}"))
            }
        })?;
    Ok(Json(json!({ "asset": shown })))
}

/// Where an imported file goes.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub collection_ids: Vec<String>,
    pub parent_id: Option<String>,
    pub hide: bool,
}

/// Why a file was not imported.
pub enum ImportError {
    /// Refused as a request (quota, unknown collection or parent).
    Http(HttpError),
    /// The content is not what it claims.
    Invalid(String),
}

impl From<HttpError> for ImportError {
    fn from(e: HttpError) -> Self {
        ImportError::Http(e)
    }
}

/// The upload kinds as asset kinds (`text` is a document).
fn asset_kind(kind: &str) -> AssetKind {
    match kind {
        "image" => AssetKind::Image,
        "audio" => AssetKind::Audio,
        "video" => AssetKind::Video,
        "text" => AssetKind::Document,
        _ => AssetKind::ThreeD,
    }
}

/// Checks the quota, reads an image's size and embedding (off the async
/// threads), and stores a new uploaded asset; answers it as presented.
pub async fn import(
    state: &Arc<AppState>,
    name: String,
    bytes: bytes::Bytes,
    kind: &str,
    options: &ImportOptions,
) -> Result<Asset, ImportError> {
    // before the decoding's CPU, and again when the file is stored
    check_quota(state, &*state.read_lib()?, bytes.len())?;
    let sniffed = assetui_api::uploads::sniff(&bytes[..bytes.len().min(4096)]);
    let mime = sniffed
        .map(|s| s.mime)
        .unwrap_or("application/octet-stream")
        .to_string();
    let decoded = if kind == "image" {
        let b = bytes.clone();
        let d = tokio::task::spawn_blocking(move || -> Result<_, String> {
            let img = renditions::decode(&b)?;
            Ok((img.width(), img.height(), embed::embed(&img)))
        })
        .await
        .map_err(|e| HttpError::internal(e.to_string()))?
        .map_err(ImportError::Invalid)?;
        Some(d)
    } else {
        None
    };
    let kind = asset_kind(kind);
    let mut lib = state.write_lib()?;
    check_quota(state, &lib, bytes.len())?;
    for c in &options.collection_ids {
        if !lib.collections.contains_key(c) {
            return Err(HttpError::not_found(format!(
                "Collection {} not found",
                assetui_api::sanitize::line(c, 80)
            ))
            .into());
        }
    }
    let root = match &options.parent_id {
        Some(p) => {
            let parent = lib.get(p).ok_or_else(|| asset_not_found(p))?;
            Some(parent.asset.root_parent_id().unwrap_or(p).to_string())
        }
        None => None,
    };
    let now = now_iso();
    let id = state.new_id("asset");
    let (width, height) = match &decoded {
        Some((w, h, _)) => (Some(num(u64::from(*w))), Some(num(u64::from(*h)))),
        None => (None, None),
    };
    let asset = Asset {
        id: id.clone(),
        author_id: Some("user_demo".into()),
        collection_ids: Some(options.collection_ids.clone()),
        created_at: Some(now.clone()),
        edit_capabilities: Some(crate::state::edit_capabilities(&kind)),
        kind: Some(kind.clone()),
        metadata: Some(AssetMetadata {
            kind: Some(kind),
            asset_type: Some(AssetType::Uploaded),
            name: Some(name),
            width: width.clone(),
            height: height.clone(),
            size: Some(num(bytes.len() as u64)),
            parent_id: options.parent_id.clone(),
            root_parent_id: root,
            ..AssetMetadata::default()
        }),
        mime_type: Some(mime),
        owner_id: Some(lib.owner_id.clone()),
        privacy: Some(Privacy::Private),
        properties: Some(AssetProperties {
            size: Some(num(bytes.len() as u64)),
            width,
            height,
            ..AssetProperties::default()
        }),
        status: Some(AssetStatus::Success),
        tags: Some(Vec::new()),
        updated_at: Some(now),
        is_hidden: options.hide.then_some(true),
        nsfw: Some(Vec::new()),
        ..Asset::default()
    };
    if let Some(store) = &state.store {
        tokio::task::block_in_place(|| store.save_upload(&asset, &bytes))
            .map_err(HttpError::internal)?;
    }
    let record = Record {
        asset,
        file: FileRef::Blob(bytes),
        family: None,
    };
    let shown = present(state, &record);
    let id = record.asset.id.clone();
    lib.put(record);
    if let Some((_, _, e)) = decoded {
        lib.set_embedding(&id, &e);
    }
    Ok(shown)
}
