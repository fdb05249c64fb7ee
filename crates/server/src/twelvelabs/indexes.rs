//! Indexes (I1, I2), their indexed assets (X1-X3, and the deprecated
//! videos V1/V2 over the same records), and unlinking one
//! (`DELETE .../indexed-assets/{id}`). Indexing moves
//! pending -> validating -> indexing -> ready on the processing clock.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use bytes::Bytes;
use serde_json::{json, Value};

use super::assets::{json_body, written_metadata};
use super::clock::Progress;
use super::errors::{TlError, TlResult};
use super::library::{IndexedRec, Library, INDEXED_DONE};
use super::params::{since, sort, Params};
use super::present::{self, Shape, INDEX_STATES};
use super::state::TlState;
use super::store::{self, Change};

/// `GET /v1.3/indexes`.
pub async fn list(
    State(state): State<Arc<TlState>>,
    RawQuery(q): RawQuery,
) -> TlResult<Json<Value>> {
    let p = Params::parse(q.as_deref());
    let page = p.page()?;
    let (by_updated, desc) = sort(&p)?;
    let name = p.get("index_name").map(str::to_lowercase);
    let family = p.get("model_family").map(str::to_lowercase);
    let options = p.all("model_options");
    let (created, updated) = (since(&p, "created_at")?, since(&p, "updated_at")?);
    let now = state.clock.now_ms();
    let lib = state.read_lib()?;
    let mut items: Vec<(String, Value)> = lib
        .indexes
        .values()
        .map(|ix| {
            let v = present::index(&state, &lib, ix, now);
            (ix.id.clone(), v)
        })
        .filter(|(_, v)| {
            let text = |k: &str| v[k].as_str().unwrap_or("").to_string();
            let models = v["models"].as_array().cloned().unwrap_or_default();
            name.as_deref()
                .is_none_or(|n| text("index_name").to_lowercase().contains(n))
                && family.as_deref().is_none_or(|f| {
                    models.iter().any(|m| {
                        m["model_name"]
                            .as_str()
                            .unwrap_or("")
                            .to_lowercase()
                            .starts_with(f)
                    })
                })
                && options.iter().all(|o| {
                    models.iter().any(|m| {
                        m["model_options"]
                            .as_array()
                            .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(o)))
                    })
                })
                && created.is_none_or(|c| millis(&text("created_at")) >= c)
                && updated.is_none_or(|u| millis(&text("updated_at")) >= u)
        })
        .collect();
    let key = if by_updated {
        "updated_at"
    } else {
        "created_at"
    };
    items.sort_by(|(ia, a), (ib, b)| {
        let ord = (millis(a[key].as_str().unwrap_or("")), ia)
            .cmp(&(millis(b[key].as_str().unwrap_or("")), ib));
        if desc {
            ord.reverse()
        } else {
            ord
        }
    });
    let (data, total) = page.take(items.into_iter().map(|(_, v)| v));
    Ok(Json(json!({"data": data, "page_info": page.info(total)})))
}

fn millis(s: &str) -> i64 {
    assetui_api::dates::millis_from_iso(s).unwrap_or(0)
}

/// `GET /v1.3/indexes/{id}`.
pub async fn retrieve(
    State(state): State<Arc<TlState>>,
    Path(id): Path<String>,
) -> TlResult<Json<Value>> {
    let lib = state.read_lib()?;
    let ix = lib
        .indexes
        .get(&id)
        .ok_or_else(|| TlError::not_found("index", &id))?;
    Ok(Json(present::index(&state, &lib, ix, state.clock.now_ms())))
}

/// X1 and V1: the indexed assets of an index, filtered and sorted.
async fn members(state: &TlState, id: &str, q: Option<&str>, shape: Shape) -> TlResult<Value> {
    let p = Params::parse(q);
    let page = p.page()?;
    let (by_updated, desc) = sort(&p)?;
    let statuses = if shape == Shape::IndexedItem {
        p.all("status")
    } else {
        Vec::new()
    };
    for s in &statuses {
        if !INDEX_STATES.contains(&s.as_str()) && s != "queued" && s != "failed" {
            return Err(TlError::invalid(format!(
                "`status` must be one of ready, pending, queued, indexing, validating, failed, not `{}`.",
                assetui_api::sanitize::line(s, 40)
            )));
        }
    }
    let filename = p.get("filename").map(str::to_lowercase);
    let ranges = [
        ("duration", p.range("duration")?),
        ("fps", p.range("fps")?),
        ("size", p.range("size")?),
        ("width", p.range("width")?),
        ("height", p.range("height")?),
    ];
    let (created, updated) = (since(&p, "created_at")?, since(&p, "updated_at")?);
    // metadata filters: `user_metadata[key]=v` and any unknown bare key
    const KNOWN: &[&str] = &[
        "page",
        "page_limit",
        "sort_by",
        "sort_option",
        "status",
        "filename",
        "created_at",
        "updated_at",
    ];
    let meta: Vec<(String, String)> =
        p.0.iter()
            .filter_map(|(k, v)| {
                if let Some(inner) = k
                    .strip_prefix("user_metadata[")
                    .and_then(|r| r.strip_suffix(']'))
                {
                    return Some((inner.to_string(), v.clone()));
                }
                let ranged = ["duration", "fps", "size", "width", "height"]
                    .iter()
                    .any(|r| k.starts_with(&format!("{r}[")));
                (!KNOWN.contains(&k.as_str()) && !ranged).then(|| (k.clone(), v.clone()))
            })
            .collect();
    let now = state.clock.now_ms();
    let lib = state.read_lib()?;
    if !lib.indexes.contains_key(id) {
        return Err(TlError::not_found("index", id));
    }
    let mut items: Vec<(i64, &IndexedRec)> = lib
        .members(id)
        .into_iter()
        .filter_map(|r| {
            let prog = r.progress.at(now, &state.config.processing, INDEXED_DONE);
            let a = lib.assets.get(&r.asset_id)?;
            let status = INDEX_STATES[usize::from(prog.stage.min(INDEXED_DONE))];
            let value = |k: &str| -> Option<f64> {
                match k {
                    "duration" => a.duration,
                    "fps" => a.fps,
                    "size" => Some(a.size as f64),
                    "width" => a.width.map(f64::from),
                    "height" => a.height.map(f64::from),
                    _ => None,
                }
            };
            let md = r.user_metadata.as_ref().or(a.user_metadata.as_ref());
            let keep = (statuses.is_empty() || statuses.iter().any(|s| s == status))
                && filename
                    .as_deref()
                    .is_none_or(|f| a.filename.to_lowercase().contains(f))
                && ranges
                    .iter()
                    .all(|(k, r)| r.is_none_or(|r| r.contains(value(k))))
                && created.is_none_or(|c| r.created_ms >= c)
                && updated.is_none_or(|u| prog.at_ms.max(r.created_ms) >= u)
                && meta.iter().all(|(k, v)| {
                    md.and_then(|m| m.get(k)).is_some_and(|x| match x {
                        Value::String(s) => s == v,
                        Value::Bool(b) => v == if *b { "true" } else { "false" },
                        Value::Number(n) => v.parse::<f64>().ok() == n.as_f64(),
                        Value::Array(a) => a.iter().any(|e| e.as_str() == Some(v)),
                        _ => false,
                    })
                });
            let key = if by_updated {
                prog.at_ms.max(r.created_ms)
            } else {
                r.created_ms
            };
            keep.then_some((key, r))
        })
        .collect();
    items.sort_by(|(ka, a), (kb, b)| {
        let ord = (ka, &a.id).cmp(&(kb, &b.id));
        if desc {
            ord.reverse()
        } else {
            ord
        }
    });
    let (page_items, total) = page.take(items);
    let data: Vec<Value> = page_items
        .into_iter()
        .map(|(_, r)| present::indexed(state, &lib, r, now, shape))
        .collect();
    Ok(json!({"data": data, "page_info": page.info(total)}))
}

/// X1 `GET /v1.3/indexes/{id}/indexed-assets`.
pub async fn indexed_list(
    State(state): State<Arc<TlState>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> TlResult<Json<Value>> {
    members(&state, &id, q.as_deref(), Shape::IndexedItem)
        .await
        .map(Json)
}

/// V1 `GET /v1.3/indexes/{id}/videos`.
pub async fn video_list(
    State(state): State<Arc<TlState>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> TlResult<Json<Value>> {
    members(&state, &id, q.as_deref(), Shape::VideoItem)
        .await
        .map(Json)
}

/// One indexed asset, retrieved: moves indexing along.
fn one(state: &TlState, index: &str, id: &str, shape: Shape) -> TlResult<Value> {
    let now = state.clock.now_ms();
    let mut lib = state.write_lib()?;
    if !lib.indexes.contains_key(index) {
        return Err(TlError::not_found("index", index));
    }
    let rec = lib
        .indexed
        .get_mut(id)
        .filter(|r| r.index_id == index)
        .ok_or_else(|| TlError::not_found("indexed asset", id))?;
    let before = rec.progress.stage;
    rec.progress
        .poll(now, &state.config.processing, INDEXED_DONE);
    if rec.progress.stage != before {
        store::save(state, &[Change::Indexed(rec)])?;
    }
    let rec = rec.clone();
    Ok(present::indexed(state, &lib, &rec, now, shape))
}

/// X2 `GET /v1.3/indexes/{index}/indexed-assets/{id}`.
pub async fn indexed_get(
    State(state): State<Arc<TlState>>,
    Path((index, id)): Path<(String, String)>,
) -> TlResult<Json<Value>> {
    one(&state, &index, &id, Shape::IndexedDetail).map(Json)
}

/// V2 `GET /v1.3/indexes/{index}/videos/{id}`.
pub async fn video_get(
    State(state): State<Arc<TlState>>,
    Path((index, id)): Path<(String, String)>,
) -> TlResult<Json<Value>> {
    one(&state, &index, &id, Shape::VideoDetail).map(Json)
}

/// X3 `POST /v1.3/indexes/{index}/indexed-assets`: 202, indexing starts.
pub async fn index_asset(
    State(state): State<Arc<TlState>>,
    Path(index): Path<String>,
    body: Bytes,
) -> TlResult<(StatusCode, Json<Value>)> {
    let v = json_body(&body)?;
    let asset_id = v
        .get("asset_id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| TlError::missing("asset_id"))?
        .to_string();
    let enable_video_stream = match v.get("enable_video_stream") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(TlError::invalid(
                "`enable_video_stream` must be true or false.",
            ))
        }
    };
    let user_metadata = match v.get("user_metadata") {
        None | Some(Value::Null) => None,
        Some(m) => written_metadata(m, false, None)?,
    };
    let now = state.clock.now_ms();
    let mut lib = state.write_lib()?;
    if !lib.indexes.contains_key(&index) {
        return Err(TlError::not_found("index", &index));
    }
    let asset = lib
        .assets
        .get(&asset_id)
        .ok_or_else(|| TlError::not_found("asset", &asset_id))?;
    if present::asset_status(&state, asset, now) != "ready" {
        return Err(TlError::invalid(
            "The asset is not ready: wait until its status is `ready`, then index it.",
        ));
    }
    if already(&lib, &index, &asset_id) {
        return Err(TlError::invalid("The asset is already in this index."));
    }
    let rec = IndexedRec {
        id: state.new_id(),
        index_id: index,
        asset_id: asset_id.clone(),
        created_ms: now,
        progress: Progress::start(now),
        enable_video_stream,
        user_metadata,
    };
    store::save(&state, &[Change::Indexed(&rec)])?;
    let answer = json!({"_id": rec.id, "asset_id": asset_id});
    lib.indexed.insert(rec.id.clone(), rec);
    Ok((StatusCode::ACCEPTED, Json(answer)))
}

fn already(lib: &Library, index: &str, asset: &str) -> bool {
    lib.indexed
        .values()
        .any(|r| r.index_id == index && r.asset_id == asset)
}

/// `DELETE /v1.3/indexes/{index}/indexed-assets/{id}` (and `/videos/{id}`).
pub async fn unindex(
    State(state): State<Arc<TlState>>,
    Path((index, id)): Path<(String, String)>,
) -> TlResult<StatusCode> {
    let mut lib = state.write_lib()?;
    if lib.indexed.get(&id).is_none_or(|r| r.index_id != index) {
        return Err(TlError::not_found("indexed asset", &id));
    }
    store::save(&state, &[Change::IndexedGone(&id)])?;
    lib.indexed.remove(&id);
    Ok(StatusCode::OK)
}
