//! `/uploads`: the presigned multipart flow (see `crate::uploads`).
//!
//! - `POST /v1/uploads` `{fileName, contentType, kind, fileSize, parts,
//!   assetOptions?: {collectionIds, hide, parentId}}` → `{upload: {id,
//!   status: "pending", parts: [{number, url, expires}], jobId, …}}`;
//! - `PUT` of each part's bytes to its `url` (signed, expiring, no
//!   credentials; an expired or altered link answers 403);
//! - `POST /v1/uploads/{id}/action` `{"action": "complete"}` → `{upload:
//!   {status: "validating"}}`, then in the background `validated` and
//!   `imported` with `entityId`, or `failed` with `errorMessage` (a file
//!   whose content is not the declared kind of media);
//! - `GET /v1/uploads/{id}`: the upload; while it is `pending`, its part
//!   links signed afresh (how a client renews an expired one).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{json, Value};

use super::assets::{check_quota, import, ImportError, ImportOptions};
use super::files::check_link;
use crate::http::{HttpError, HttpResult};
use crate::library::{iso_from_millis, now_iso};
use crate::state::AppState;
use crate::uploads::{Assembly, MultipartUpload, Status, MAX_OPEN};
use assetui_api::uploads::{MAX_PARTS, MIN_PART, UPLOAD_KINDS};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    file_name: Option<String>,
    content_type: Option<String>,
    kind: Option<String>,
    file_size: Option<u64>,
    parts: Option<u64>,
    asset_options: Option<AssetOptionsBody>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AssetOptionsBody {
    #[serde(default)]
    collection_ids: Vec<String>,
    hide: Option<bool>,
    parent_id: Option<String>,
}

/// The path of a part's link.
pub fn part_path(id: &str, number: u64) -> String {
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("/v1/uploads/{id}/parts/{number}")
}

/// When a link signed now stops working, in the API's timestamp form.
fn expiry(state: &AppState) -> String {
    let at = SystemTime::now() + state.signer.ttl();
    let millis = at
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis();
    iso_from_millis(i64::try_from(millis).unwrap_or(i64::MAX))
}

/// The upload as the API answers it; fresh part links while pending.
fn view(state: &AppState, u: &MultipartUpload) -> Value {
    let mut v = json!({
        "id": u.id,
        "status": u.status.as_str(),
        "fileName": u.file_name,
        "contentType": u.content_type,
        "kind": u.kind,
        "fileSize": u.file_size,
        "jobId": u.job_id,
        "createdAt": u.created_at,
        "updatedAt": u.updated_at,
        "assetOptions": {
            "collectionIds": u.collection_ids,
            "hide": u.hide,
            "parentId": u.parent_id,
        },
    });
    if u.status == Status::Pending {
        let expires = expiry(state);
        let parts: Vec<Value> = (1..=u.parts)
            .map(|n| {
                let path = part_path(&u.id, n);
                let query = state.signer.sign(&path, SystemTime::now());
                json!({
                    "number": n,
                    "url": format!("{}{path}?{query}", state.origin),
                    "expires": expires,
                })
            })
            .collect();
        v["parts"] = json!(parts);
    }
    if let Some(id) = &u.entity_id {
        v["entityId"] = json!(id);
    }
    if let Some(e) = &u.error_message {
        v["errorMessage"] = json!(e);
    }
    v
}

fn upload_not_found(id: &str) -> HttpError {
    HttpError::not_found(format!(
        "Upload {} not found",
        assetui_api::sanitize::line(id, 80)
    ))
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    Json(body): Json<CreateBody>,
) -> HttpResult<Json<Value>> {
    let file_name = body
        .file_name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| HttpError::bad_request("fileName is required"))?;
    let kind = body
        .kind
        .ok_or_else(|| HttpError::bad_request("kind is required"))?;
    if !UPLOAD_KINDS.contains(&kind.as_str()) {
        return Err(HttpError::bad_request(format!(
            "kind must be one of: {}",
            UPLOAD_KINDS.join(", ")
        )));
    }
    let content_type = body
        .content_type
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| HttpError::bad_request("contentType is required"))?;
    let file_size = body
        .file_size
        .filter(|n| *n > 0)
        .ok_or_else(|| HttpError::bad_request("fileSize must be a positive number"))?;
    let parts = body.parts.unwrap_or(1);
    if !(1..=MAX_PARTS).contains(&parts) || parts > file_size {
        return Err(HttpError::bad_request(format!(
            "parts must be between 1 and {MAX_PARTS}, and at most fileSize"
        )));
    }
    let options = body.asset_options.unwrap_or_default();
    {
        let lib = state.read_lib()?;
        check_quota(
            &state,
            &lib,
            usize::try_from(file_size).unwrap_or(usize::MAX),
        )?;
        for c in &options.collection_ids {
            if !lib.collections.contains_key(c) {
                return Err(HttpError::not_found(format!(
                    "Collection {} not found",
                    assetui_api::sanitize::line(c, 80)
                )));
            }
        }
        if let Some(p) = &options.parent_id {
            lib.get(p)
                .ok_or_else(|| super::assets::asset_not_found(p))?;
        }
    }
    if state.multipart.open() >= MAX_OPEN {
        return Err(HttpError::rate_limited(
            format!("too many uploads in progress: at most {MAX_OPEN}; complete one first"),
            5,
        ));
    }
    let now = now_iso();
    let upload = MultipartUpload {
        id: state.new_id("upload"),
        job_id: state.new_id("job"),
        file_name,
        content_type,
        kind,
        file_size,
        parts,
        collection_ids: options.collection_ids,
        parent_id: options.parent_id,
        hide: options.hide.unwrap_or(false),
        status: Status::Pending,
        data: Arc::new(std::sync::Mutex::new(Assembly::new(file_size))),
        entity_id: None,
        error_message: None,
        created_at: now.clone(),
        updated_at: now,
    };
    let shown = view(&state, &upload);
    state
        .multipart
        .with(|m| m.insert(upload.id.clone(), upload));
    Ok(Json(json!({ "upload": shown })))
}

pub async fn retrieve(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> HttpResult<Json<Value>> {
    let u = state
        .multipart
        .get(&id)
        .ok_or_else(|| upload_not_found(&id))?;
    Ok(Json(json!({ "upload": view(&state, &u) })))
}

/// `PUT` of one part on its signed link: the bytes are read as they come,
/// never past what the declared file size leaves for this part.
pub async fn put_part(
    State(state): State<Arc<AppState>>,
    Path((id, number)): Path<(String, u64)>,
    Query(q): Query<HashMap<String, String>>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> HttpResult<Response> {
    check_link(&state, &part_path(&id, number), &q)?;
    let u = state
        .multipart
        .get(&id)
        .ok_or_else(|| upload_not_found(&id))?;
    if u.status != Status::Pending {
        return Err(HttpError::bad_request(format!(
            "the upload is {}: parts are taken only while it is pending",
            u.status.as_str()
        )));
    }
    if !(1..=u.parts).contains(&number) {
        return Err(HttpError::bad_request(format!(
            "part {number} is not a part of this upload (1 to {})",
            u.parts
        )));
    }
    let room = u
        .file_size
        .saturating_sub(u.assembly().received_except(number));
    // sized once from the declared length (bounded by the room left)
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0)
        .min(room);
    let mut data = bytes::BytesMut::with_capacity(usize::try_from(declared).unwrap_or(0));
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| HttpError::bad_request(format!("the part broke off: {e}")))?;
        if (data.len() + chunk.len()) as u64 > room {
            return Err(HttpError::bad_request(format!(
                "part {number} is larger than what the declared fileSize ({}) leaves for it",
                u.file_size
            )));
        }
        data.extend_from_slice(&chunk);
    }
    let data = data.freeze();
    let etag = {
        use sha2::Digest;
        let d = sha2::Sha256::digest(&data);
        format!(
            "\"{}\"",
            d[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        )
    };
    state.multipart.with(|m| match m.get_mut(&id) {
        Some(u) if u.status == Status::Pending => {
            u.assembly()
                .put(number, data)
                .map_err(HttpError::bad_request)?;
            u.updated_at = now_iso();
            Ok(())
        }
        _ => Err(HttpError::bad_request(
            "the upload is no longer pending: the part was not kept",
        )),
    })?;
    let mut resp = (axum::http::StatusCode::OK, "").into_response();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    Ok(resp)
}

#[derive(Deserialize)]
pub struct ActionBody {
    action: Option<String>,
}

pub async fn action(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Json(body): Json<ActionBody>,
) -> HttpResult<Json<Value>> {
    if body.action.as_deref() != Some("complete") {
        return Err(HttpError::bad_request("action must be \"complete\""));
    }
    // every part there, the sizes the storage accepts, then validating
    let checked = state.multipart.with(|m| {
        let u = m.get_mut(&id).ok_or_else(|| upload_not_found(&id))?;
        match u.status {
            Status::Pending => {}
            // completing twice answers the same
            _ => return Ok(view(&state, u)),
        }
        let lengths = u.assembly().lengths().clone();
        if let Some(missing) = (1..=u.parts).find(|n| !lengths.contains_key(n)) {
            return Err(HttpError::bad_request(format!(
                "part {missing} of {} was not uploaded",
                u.parts
            )));
        }
        if let Some((n, _)) = lengths
            .iter()
            .find(|(n, len)| **n < u.parts && **len < MIN_PART)
        {
            return Err(HttpError::bad_request(format!(
                "part {n} is smaller than 5 MiB: only the last part may be"
            )));
        }
        let total: u64 = lengths.values().sum();
        if total != u.file_size {
            return Err(HttpError::bad_request(format!(
                "the parts hold {total} bytes, not the declared fileSize {}",
                u.file_size
            )));
        }
        u.status = Status::Validating;
        u.updated_at = now_iso();
        Ok(view(&state, u))
    })?;
    if checked["status"] == "validating" {
        let (state, id) = (state.clone(), id.clone());
        tokio::spawn(async move { validate_and_import(state, id).await });
    }
    Ok(Json(json!({ "upload": checked })))
}

/// Joins the parts, checks the content is the declared kind of media, and
/// imports it; the upload ends `imported` or `failed`.
async fn validate_and_import(state: Arc<AppState>, id: String) {
    let Some(u) = state.multipart.get(&id) else {
        return;
    };
    // the parts were assembled as they came: nothing is copied here
    let joined = u.assembly().take();
    let finish = |status: Status, entity: Option<String>, error: Option<String>| {
        state.multipart.with(|m| {
            if let Some(u) = m.get_mut(&id) {
                u.status = status;
                u.entity_id = entity;
                u.error_message = error;
                u.updated_at = now_iso();
            }
        })
    };
    let Some(bytes) = joined else {
        return finish(
            Status::Failed,
            None,
            Some("internal error: a part is missing".into()),
        );
    };
    let head = &bytes[..bytes.len().min(assetui_api::uploads::SNIFF_BYTES)];
    let declared_3d = matches!(u.kind.as_str(), "3d" | "model" | "avatar" | "asset");
    match assetui_api::uploads::sniff(head) {
        Some(s) if s.kind == u.kind || (declared_3d && s.kind == "3d") => {}
        Some(s) => {
            return finish(
                Status::Failed,
                None,
                Some(format!(
                    "the file's content is {} ({}), not the declared kind {}",
                    s.kind, s.mime, u.kind
                )),
            )
        }
        None => {
            return finish(
                Status::Failed,
                None,
                Some(
                    "the file is not a media file this service imports (an image, audio, \
                     video, 3D model or text file)"
                        .into(),
                ),
            )
        }
    }
    finish(Status::Validated, None, None);
    let options = ImportOptions {
        collection_ids: u.collection_ids.clone(),
        parent_id: u.parent_id.clone(),
        hide: u.hide,
    };
    let kind = if declared_3d { "3d" } else { u.kind.as_str() };
    match import(&state, u.file_name.clone(), bytes, kind, &options).await {
        Ok(asset) => finish(Status::Imported, Some(asset.id), None),
        Err(ImportError::Http(e)) => finish(Status::Failed, None, Some(e.message)),
        Err(ImportError::Invalid(why)) => finish(
            Status::Failed,
            None,
            Some(format!("the file is not a valid {}: {why}", u.kind)),
        ),
    }
}
