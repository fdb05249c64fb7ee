//! The asset endpoints: A1 create (multipart, `direct` or `url`), A2 list,
//! A3 retrieve (each retrieval also moves processing along, see
//! `clock`), A4 delete (409 while an index references the asset, unless
//! `force=true`), A5-A7 user metadata, A8 transcription (the demo's: its clips' descriptions), A9 the
//! indexed assets made from an asset.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::Json;
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::clock::Progress;
use super::errors::{TlError, TlResult};
use super::files;
use super::library::{AssetRec, Media, ASSET_DONE};
use super::media;
use super::multipart::{self, Part};
use super::params::{parse_bool, Params};
use super::present;
use super::state::TlState;
use super::store::{self, Change};

/// Largest file taken by `POST /assets` (the documented local limit).
pub const MAX_DIRECT: usize = 200 * 1024 * 1024;

/// `POST /v1.3/assets`.
pub async fn create(
    State(state): State<Arc<TlState>>,
    headers: HeaderMap,
    body: Bytes,
) -> TlResult<(StatusCode, Json<Value>)> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let parts = multipart::parse(ct, body).map_err(TlError::invalid)?;
    let method = multipart::text(&parts, "method")
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
        .ok_or_else(|| TlError::missing("method"))?;
    let enable_hls = form_bool(&parts, "enable_hls")?.unwrap_or(true);
    let enable_thumbnail = form_bool(&parts, "enable_thumbnail")?.unwrap_or(true);
    let user_metadata = match multipart::text(&parts, "user_metadata") {
        None => None,
        Some(s) if s.trim().is_empty() => None,
        Some(s) => {
            let v: Value = serde_json::from_str(&s).map_err(|e| {
                TlError::invalid(format!("`user_metadata` is not a JSON object: {e}"))
            })?;
            written_metadata(&v, false, None)?
        }
    };
    let filename = match multipart::text(&parts, "filename") {
        Some(f) if f.chars().count() > 255 || f.trim().is_empty() => {
            return Err(TlError::invalid("`filename` must be 1 to 255 characters."))
        }
        f => f.map(|f| f.into_owned()),
    };
    let (bytes, name, declared) = match method.as_str() {
        "direct" => {
            let file = parts
                .iter()
                .find(|p| p.name == "file" && p.filename.is_some())
                .or_else(|| parts.iter().find(|p| p.name == "file"))
                .ok_or_else(|| TlError::missing("file"))?;
            (
                file.data.clone(),
                file.filename.clone().unwrap_or_else(|| "upload".into()),
                file.content_type
                    .clone()
                    .filter(|c| c != "application/octet-stream"),
            )
        }
        "url" => {
            let url = multipart::text(&parts, "url")
                .map(|u| u.trim().to_string())
                .filter(|u| !u.is_empty())
                .ok_or_else(|| TlError::missing("url"))?;
            let (bytes, name) = fetch_own_link(&state, &url).await?;
            (bytes, name, None)
        }
        _ => return Err(TlError::invalid("`method` must be `direct` or `url`.")),
    };
    if bytes.len() > MAX_DIRECT {
        return Err(TlError::invalid(
            "The file is over 200 MB: upload it with the multipart upload endpoints.",
        ));
    }
    let filename = filename.unwrap_or(name);
    let rec = new_upload(
        &state,
        NewUpload {
            method: &method,
            filename,
            declared_type: declared,
            user_metadata,
            enable_hls,
            enable_thumbnail,
            bytes,
            id: None,
        },
    );
    let now = state.clock.now_ms();
    let answer = present::asset(&state, &rec, now, false);
    let mut lib = state.write_lib()?;
    store::save(&state, &[Change::Asset(&rec, true)])?;
    lib.put_asset(rec);
    Ok((StatusCode::CREATED, Json(answer)))
}

/// What a new uploaded asset is made of.
pub struct NewUpload<'a> {
    pub method: &'a str,
    pub filename: String,
    pub declared_type: Option<String>,
    pub user_metadata: Option<Map<String, Value>>,
    pub enable_hls: bool,
    pub enable_thumbnail: bool,
    pub bytes: Bytes,
    /// An id reserved earlier (multipart uploads).
    pub id: Option<String>,
}

/// A new asset, `processing`, whose outcome the bytes decide.
pub fn new_upload(state: &TlState, u: NewUpload<'_>) -> AssetRec {
    let now = state.clock.now_ms();
    let sniffed = media::sniff(&u.bytes);
    let (kind, file_type, error, s) = match sniffed {
        Ok(s) => (s.kind.to_string(), Some(s.mime.clone()), None, s),
        Err(message) => (
            String::new(),
            u.declared_type.or_else(|| guess_type(&u.filename)),
            Some(message),
            media::Sniffed::default(),
        ),
    };
    AssetRec {
        id: u.id.unwrap_or_else(|| state.new_id()),
        method: u.method.into(),
        filename: u.filename,
        file_type,
        kind,
        created_ms: now,
        user_metadata: u.user_metadata,
        enable_hls: u.enable_hls,
        enable_thumbnail: u.enable_thumbnail,
        error,
        progress: Progress::start(now),
        size: u.bytes.len() as u64,
        container: s.container,
        duration: s.duration,
        width: s.width,
        height: s.height,
        fps: None,
        sample_rate: s.sample_rate,
        channels: s.channels,
        description: String::new(),
        family: None,
        clips: Vec::new(),
        media: Media::Upload,
        blob: Some(u.bytes),
    }
}

fn guess_type(name: &str) -> Option<String> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(
        match ext.as_str() {
            "mp4" => "video/mp4",
            "mov" => "video/quicktime",
            "webm" => "video/webm",
            "wav" => "audio/wav",
            "mp3" => "audio/mpeg",
            "png" => "image/png",
            "jpg" | "jpeg" => "image/jpeg",
            "pdf" => "application/pdf",
            "txt" => "text/plain",
            _ => return None,
        }
        .into(),
    )
}

fn form_bool(parts: &[Part], name: &str) -> TlResult<Option<bool>> {
    multipart::text(parts, name)
        .map(|v| parse_bool(name, &v))
        .transpose()
}

/// Fetches a link for `method=url` or an image query: this server has no
/// internet, so only its own signed links are taken (read in place, not
/// over HTTP). Returns the bytes and a file name.
pub async fn fetch_own_link(state: &Arc<TlState>, url: &str) -> TlResult<(Bytes, String)> {
    let refuse = || {
        TlError::invalid(format!(
            "This local server has no internet access: the URL must be a file, thumbnail or HLS \
             link it handed out ({}/v1.3/_files/...).",
            state.origin
        ))
    };
    let u = url::Url::parse(url).map_err(|_| TlError::invalid("The URL is not valid."))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(TlError::invalid("Only http and https URLs are accepted."));
    }
    let here = url::Url::parse(&state.origin).map_err(|_| refuse())?;
    let same_host = u.host_str() == here.host_str()
        || (u.host_str() == Some("localhost") && here.host_str() == Some("127.0.0.1"));
    if !same_host || u.port_or_known_default() != here.port_or_known_default() {
        return Err(refuse());
    }
    let rest = u
        .path()
        .strip_prefix(files::PREFIX)
        .and_then(|r| r.strip_prefix('/'))
        .ok_or_else(refuse)?;
    let (id, what) = rest.split_once('/').ok_or_else(refuse)?;
    let uri: Uri = match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    }
    .parse()
    .map_err(|_| refuse())?;
    files::check(state, &state.signer, &uri)?;
    let rec = state
        .read_lib()?
        .assets
        .get(id)
        .cloned()
        .ok_or_else(|| TlError::invalid("The URL names an asset that no longer exists."))?;
    let what = what.to_string();
    let st = state.clone();
    tokio::task::spawn_blocking(move || {
        if what == "thumbnail" {
            files::thumbnail(&st, &rec).map(|r| (r.bytes, "thumbnail.jpg".to_string()))
        } else if let Some(n) = what.strip_prefix("clips/") {
            let n = n.parse().ok()?;
            files::clip_thumbnail(&st, &rec, n).map(|r| (r.bytes, format!("clip-{n}.jpg")))
        } else {
            // the file, or (an HLS link) the media behind the stream
            files::file_bytes(&rec).map(|r| (r.bytes, rec.filename.clone()))
        }
    })
    .await
    .map_err(|e| TlError::internal(e.to_string()))?
    .ok_or_else(|| TlError::invalid("The URL names nothing this server can read."))
}

/// `GET /v1.3/assets`.
pub async fn list(
    State(state): State<Arc<TlState>>,
    RawQuery(q): RawQuery,
) -> TlResult<Json<Value>> {
    let p = Params::parse(q.as_deref());
    let page = p.page()?;
    let ids = p.all("asset_ids");
    let types = p.all("asset_types");
    for t in &types {
        if !matches!(t.as_str(), "image" | "video" | "audio" | "document") {
            return Err(TlError::invalid(format!(
                "`asset_types` must be image, video, audio or document, not `{}`.",
                assetui_api::sanitize::line(t, 40)
            )));
        }
    }
    let name = p.get("filename").map(str::to_lowercase);
    let now = state.clock.now_ms();
    let lib = state.read_lib()?;
    let matching = lib.newest_first().filter(|a| {
        (ids.is_empty() || ids.contains(&a.id))
            && (types.is_empty() || types.contains(&a.kind))
            && name
                .as_deref()
                .is_none_or(|n| a.filename.to_lowercase().contains(n))
    });
    let (items, total) = page.take(matching);
    let data: Vec<Value> = items
        .into_iter()
        .map(|a| present::asset(&state, a, now, true))
        .collect();
    Ok(Json(json!({"data": data, "page_info": page.info(total)})))
}

/// `GET /v1.3/assets/{id}`: one retrieval, which moves processing along.
pub async fn retrieve(
    State(state): State<Arc<TlState>>,
    Path(id): Path<String>,
) -> TlResult<Json<Value>> {
    let now = state.clock.now_ms();
    let mut lib = state.write_lib()?;
    let rec = lib
        .assets
        .get_mut(&id)
        .ok_or_else(|| TlError::not_found("asset", &id))?;
    let before = rec.progress.stage;
    rec.progress.poll(now, &state.config.processing, ASSET_DONE);
    if rec.progress.stage != before {
        // a restart resumes from the stage reached
        store::save(&state, &[Change::Asset(rec, false)])?;
    }
    Ok(Json(present::asset(&state, rec, now, true)))
}

/// `DELETE /v1.3/assets/{id}?force=`.
pub async fn delete(
    State(state): State<Arc<TlState>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> TlResult<StatusCode> {
    let force = Params::parse(q.as_deref()).bool("force")?.unwrap_or(false);
    let mut lib = state.write_lib()?;
    if !lib.assets.contains_key(&id) {
        return Err(TlError::not_found("asset", &id));
    }
    let refs: Vec<String> = lib.references(&id).iter().map(|r| r.id.clone()).collect();
    if !refs.is_empty() && !force {
        return Err(TlError::new(
            StatusCode::CONFLICT,
            "asset_in_use",
            format!(
                "The asset is referenced by {} indexed asset(s). Set force=true to delete it \
                 anyway (GET /assets/{id}/indexed-assets lists them).",
                refs.len()
            ),
        ));
    }
    let mut changes = vec![Change::AssetGone(&id)];
    changes.extend(refs.iter().map(|r| Change::IndexedGone(r)));
    store::save(&state, &changes)?;
    for r in &refs {
        lib.indexed.remove(r);
    }
    lib.remove_asset(&id);
    state.thumbs.forget(&id);
    Ok(StatusCode::OK)
}

/// The `user_metadata` of a write, checked: string, number, boolean or
/// array of strings (and `null` on PATCH). `merge` with the current map
/// for PATCH. `None` when nothing is left.
pub fn written_metadata(
    v: &Value,
    patch: bool,
    current: Option<&Map<String, Value>>,
) -> TlResult<Option<Map<String, Value>>> {
    let Value::Object(given) = v else {
        return Err(TlError::invalid("`user_metadata` must be a JSON object."));
    };
    let mut out = if patch {
        current.cloned().unwrap_or_default()
    } else {
        Map::new()
    };
    for (k, v) in given {
        if k.is_empty() || k.len() > 256 {
            return Err(TlError::invalid(
                "A `user_metadata` key must be 1 to 256 characters.",
            ));
        }
        match v {
            Value::Null => {
                if patch {
                    out.remove(k);
                }
            }
            Value::String(s) if s.is_empty() => {}
            Value::Array(a) if a.is_empty() => {}
            Value::Array(a) if !a.iter().all(Value::is_string) => {
                return Err(TlError::invalid(format!(
                    "`user_metadata.{}`: an array must hold strings only.",
                    assetui_api::sanitize::line(k, 60)
                )))
            }
            Value::Object(_) => {
                return Err(TlError::invalid(format!(
                "`user_metadata.{}`: values are strings, numbers, booleans or arrays of strings.",
                assetui_api::sanitize::line(k, 60)
            )))
            }
            v => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Ok((!out.is_empty()).then_some(out))
}

/// A JSON body, or 400.
pub fn json_body(body: &[u8]) -> TlResult<Value> {
    if body.is_empty() {
        return Err(TlError::new(
            StatusCode::BAD_REQUEST,
            "parameter_not_provided",
            "The request body is empty.",
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| TlError::invalid(format!("The request body is not valid JSON: {e}")))
}

async fn write_metadata(
    state: &TlState,
    id: &str,
    body: Option<&[u8]>,
    patch: bool,
) -> TlResult<StatusCode> {
    let given = match body {
        Some(body) => {
            let v = json_body(body)?;
            Some(
                v.get("user_metadata")
                    .cloned()
                    .ok_or_else(|| TlError::missing("user_metadata"))?,
            )
        }
        None => None,
    };
    let mut lib = state.write_lib()?;
    let rec = lib
        .assets
        .get(id)
        .ok_or_else(|| TlError::not_found("asset", id))?;
    let next = match &given {
        Some(v) => written_metadata(v, patch, rec.user_metadata.as_ref())?,
        None => None,
    };
    let mut rec = rec.clone();
    rec.user_metadata = next;
    store::save(state, &[Change::Asset(&rec, false)])?;
    if let Some(r) = lib.assets.get_mut(id) {
        r.user_metadata = rec.user_metadata;
    }
    Ok(StatusCode::OK)
}

/// `PUT /v1.3/assets/{id}/user-metadata`: replace.
pub async fn put_metadata(
    State(state): State<Arc<TlState>>,
    Path(id): Path<String>,
    body: Bytes,
) -> TlResult<StatusCode> {
    write_metadata(&state, &id, Some(&body), false).await
}

/// `PATCH /v1.3/assets/{id}/user-metadata`: merge (`null` deletes a key).
pub async fn patch_metadata(
    State(state): State<Arc<TlState>>,
    Path(id): Path<String>,
    body: Bytes,
) -> TlResult<StatusCode> {
    write_metadata(&state, &id, Some(&body), true).await
}

/// `DELETE /v1.3/assets/{id}/user-metadata`.
pub async fn delete_metadata(
    State(state): State<Arc<TlState>>,
    Path(id): Path<String>,
) -> TlResult<StatusCode> {
    write_metadata(&state, &id, None, false).await
}

/// `GET /v1.3/assets/{id}/transcription`: this server transcribes
/// nothing, so the demo's spoken text is its clips' descriptions, timed
/// as the clips: `sentences` and `utterances` one per clip, `words` each
/// word of it in an even share of its time (the default, as documented).
/// A video or audio asset without clips has no transcription (404, as
/// documented); one still processing answers `processing` without lists.
pub async fn transcription(
    State(state): State<Arc<TlState>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> TlResult<Json<Value>> {
    let lib = state.read_lib()?;
    let Some(rec) = lib.assets.get(&id) else {
        return Err(TlError::not_found("asset", &id));
    };
    let spoken = matches!(rec.kind.as_str(), "video" | "audio");
    if !spoken || rec.clips.iter().all(|c| c.description.trim().is_empty()) {
        return Err(TlError::new(
            StatusCode::NOT_FOUND,
            "resource_not_exist",
            "This asset has no transcription.",
        ));
    }
    if present::asset_status(&state, rec, state.clock.now_ms()) != "ready" {
        return Ok(Json(json!({"status": "processing"})));
    }
    let mut include = Params::parse(q.as_deref()).all("include");
    if include.is_empty() {
        include.push("words".into());
    }
    let mut answer = json!({"status": "ready"});
    let clips = rec
        .clips
        .iter()
        .filter(|c| !c.description.trim().is_empty());
    for list in include {
        let entries: Vec<Value> = match list.as_str() {
            "sentences" | "utterances" => clips
                .clone()
                .map(|c| json!({"start": c.start, "end": c.end, "value": c.description}))
                .collect(),
            "words" => clips
                .clone()
                .flat_map(|c| {
                    let words: Vec<&str> = c.description.split_whitespace().collect();
                    let share = (c.end - c.start) / words.len().max(1) as f64;
                    words.into_iter().enumerate().map(move |(i, w)| {
                        let start = c.start + share * i as f64;
                        json!({"start": start, "end": start + share, "value": w})
                    })
                })
                .collect(),
            other => {
                return Err(TlError::invalid(format!(
                    "`include` takes words, sentences and utterances, not `{}`.",
                    assetui_api::sanitize::line(other, 40)
                )))
            }
        };
        answer[list.as_str()] = Value::Array(entries);
    }
    Ok(Json(answer))
}

/// `GET /v1.3/assets/{id}/indexed-assets`.
pub async fn references(
    State(state): State<Arc<TlState>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> TlResult<Json<Value>> {
    let page = Params::parse(q.as_deref()).page()?;
    let lib = state.read_lib()?;
    if !lib.assets.contains_key(&id) {
        return Err(TlError::not_found("asset", &id));
    }
    let refs = lib.references(&id);
    let (items, total) = page.take(refs);
    let data: Vec<Value> = items
        .into_iter()
        .map(|r| {
            let name = lib
                .indexes
                .get(&r.index_id)
                .map(|i| i.name.clone())
                .unwrap_or_default();
            json!({"_id": r.id, "index": {"_id": r.index_id, "name": name}})
        })
        .collect();
    Ok(Json(json!({"data": data, "page_info": page.info(total)})))
}
