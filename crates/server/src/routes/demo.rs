//! `/v1/_demo/`: routes that are not part of the Scenario API, for tests and
//! for trying clients against a server that misbehaves on demand. They
//! never get injected faults, and need the `--auth` credentials when set.
//!
//! - `GET /v1/_demo/stats`: requests, faults injected, and for each
//!   generated file its generation, requests and bytes served.
//! - `POST /v1/_demo/assets/{id}/replace`: new bytes of the same size, a
//!   new `ETag` and a later `Last-Modified`.
//! - `POST /v1/_demo/assets/{id}/metadata`: merges a JSON object into the
//!   asset (`metadata` one level deeper), e.g. to give it a hostile name.
//! - `POST /v1/_demo/faults` `{"faults": ["truncate@65536", "429",
//!   "reset", "stall", "expire", "ignore-range", "hold"], "path": "/v1/files/"}`:
//!   queues faults for the next requests under `path` (default file
//!   links); `DELETE` clears them.
//! - `POST /v1/_demo/next-archive` (raw zip bytes): the next batch job ends
//!   with this archive instead of the one it would build.
//! - `POST /v1/_demo/hold-searches` `{"hold": true}`: searches wait, where
//!   their work runs (off the async threads), until `{"hold": false}`;
//!   `GET /v1/_demo/hold-searches?waiting=N` answers once N searches wait
//!   (or after 10 s) with `{"waiting": n}`.
//! - `GET /v1/_demo/uploads?inFlight=N`: answers once exactly N uploads
//!   are in flight (or after 10 s) with `{"inFlight": n}`.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::assets::asset_not_found;
use crate::faults::Scripted;
use crate::http::{HttpError, HttpResult};
use crate::library::{iso_from_millis, millis_from_iso, FileRef};
use crate::renditions;
use crate::state::AppState;
use assetui_api::models::Asset;

/// Largest archive accepted by `next-archive`.
const MAX_ARCHIVE: usize = 64 * 1024 * 1024;

pub async fn stats(State(state): State<Arc<AppState>>) -> Json<Value> {
    let mut generated: Vec<Value> = state
        .generated
        .all()
        .map(|g| {
            json!({
                "id": g.id,
                "size": g.size,
                "seed": g.seed,
                "generation": g.generation(),
                "requests": g.requests.load(Ordering::SeqCst),
                "bytesServed": g.bytes_served.load(Ordering::SeqCst),
            })
        })
        .collect();
    generated.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let large = state
        .generated
        .large_id
        .as_ref()
        .and_then(|id| generated.iter().find(|g| g["id"] == json!(id)).cloned());
    Json(json!({
        "requests": state.requests.load(Ordering::SeqCst),
        "faultsSeen": state.faults_seen(),
        "scriptedLeft": state.scripted_left(),
        "uploadsInFlight": state.uploads.in_flight(),
        "large": large,
        "generated": generated,
    }))
}

pub async fn replace(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> HttpResult<Json<Value>> {
    Ok(Json(replace_file(&state, &id)?))
}

/// Gives an asset's file new bytes of the same size (a new generation for
/// a generated file), a new ETag and an `updatedAt` (so `Last-Modified`)
/// at least a second later than before.
pub fn replace_file(state: &AppState, id: &str) -> HttpResult<Value> {
    let mut lib = state.write_lib()?;
    let mut record = lib.get(id).ok_or_else(|| asset_not_found(id))?.clone();
    let mut generation = None;
    match &record.file {
        FileRef::Generated(g) => {
            generation = Some(g.generation.fetch_add(1, Ordering::SeqCst) + 1);
        }
        other => {
            let mime = record.asset.mime_type.clone().unwrap_or_default();
            let mut bytes = renditions::original(other, &mime).bytes.to_vec();
            // keep the magic bytes; change everything after them
            let keep = bytes.len().min(16).min(bytes.len() / 2);
            let mut rng = fastrand::Rng::new();
            for b in &mut bytes[keep..] {
                *b ^= rng.u8(1..);
            }
            record.file = FileRef::Blob(bytes.into());
        }
    }
    let before = record
        .asset
        .updated_at
        .as_deref()
        .and_then(millis_from_iso)
        .unwrap_or(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    // HTTP dates have whole seconds: move to a later second
    let updated = now.max((before / 1000 + 1) * 1000);
    record.asset.updated_at = Some(iso_from_millis(updated));
    let updated_at = record.asset.updated_at.clone();
    lib.put(record);
    drop(lib);
    state.renditions.forget(id);
    Ok(json!({ "id": id, "generation": generation, "updatedAt": updated_at }))
}

pub async fn set_metadata(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Json(patch): Json<Map<String, Value>>,
) -> HttpResult<Json<Value>> {
    let mut lib = state.write_lib()?;
    let mut record = lib.get(&id).ok_or_else(|| asset_not_found(&id))?.clone();
    let mut value =
        serde_json::to_value(&record.asset).map_err(|e| HttpError::internal(e.to_string()))?;
    for (k, v) in patch {
        match (k.as_str(), v) {
            ("id", _) => return Err(HttpError::bad_request("the id cannot change")),
            ("metadata", Value::Object(m)) => {
                let slot = &mut value["metadata"];
                if !slot.is_object() {
                    *slot = json!({});
                }
                for (mk, mv) in m {
                    slot[mk] = mv;
                }
            }
            (_, v) => value[k] = v,
        }
    }
    record.asset = serde_json::from_value::<Asset>(value)
        .map_err(|e| HttpError::bad_request(format!("not an asset: {e}")))?;
    let shown = super::present(&state, &record);
    lib.put(record);
    Ok(Json(json!({ "asset": shown })))
}

#[derive(Deserialize)]
pub struct FaultsBody {
    faults: Vec<String>,
    path: Option<String>,
}

pub async fn queue_faults(
    State(state): State<Arc<AppState>>,
    Json(body): Json<FaultsBody>,
) -> HttpResult<Json<Value>> {
    let prefix = body.path.unwrap_or_else(|| "/v1/files/".to_string());
    let parsed = body
        .faults
        .iter()
        .map(|f| Scripted::parse(f, &prefix))
        .collect::<Result<Vec<_>, _>>()
        .map_err(HttpError::bad_request)?;
    let n = parsed.len();
    state.script_faults(parsed);
    Ok(Json(
        json!({ "queued": n, "scriptedLeft": state.scripted_left() }),
    ))
}

pub async fn clear_faults(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({ "cleared": state.clear_scripted() }))
}

pub async fn next_archive(
    State(state): State<Arc<AppState>>,
    body: Bytes,
) -> HttpResult<Json<Value>> {
    if body.len() > MAX_ARCHIVE {
        return Err(HttpError::bad_request("the archive is larger than 64 MiB"));
    }
    let n = body.len();
    *state
        .next_archive
        .lock()
        .map_err(|_| HttpError::internal("lock poisoned"))? = Some(body);
    Ok(Json(json!({ "bytes": n })))
}

#[derive(Deserialize)]
pub struct HoldBody {
    hold: bool,
}

pub async fn hold_searches(
    State(state): State<Arc<AppState>>,
    Json(body): Json<HoldBody>,
) -> Json<Value> {
    state.search_hold.close(body.hold);
    Json(json!({ "hold": body.hold }))
}

#[derive(Deserialize)]
pub struct WaitingQuery {
    #[serde(default)]
    waiting: usize,
}

pub async fn searches_held(
    State(state): State<Arc<AppState>>,
    axum::extract::Query(q): axum::extract::Query<WaitingQuery>,
) -> Json<Value> {
    let wait = state.search_hold.until_waiting(q.waiting);
    let waiting = match tokio::time::timeout(std::time::Duration::from_secs(10), wait).await {
        Ok(n) => n,
        Err(_) => state.search_hold.waiting(),
    };
    Json(json!({ "waiting": waiting }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InFlightQuery {
    #[serde(default)]
    in_flight: usize,
}

pub async fn uploads_in_flight(
    State(state): State<Arc<AppState>>,
    axum::extract::Query(q): axum::extract::Query<InFlightQuery>,
) -> Json<Value> {
    let wait = state.uploads.until_in_flight(q.in_flight);
    let n = match tokio::time::timeout(std::time::Duration::from_secs(10), wait).await {
        Ok(n) => n,
        Err(_) => state.uploads.in_flight(),
    };
    Json(json!({ "inFlight": n }))
}
