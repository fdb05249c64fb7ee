//! The multipart upload flow (M1-M6): a session reserves an asset id and
//! hands out presigned chunk URLs on this same server (signed, one hour,
//! single-use, no API key), each chunk PUT answers an `ETag`, reported
//! chunks are checked against it (duplicates counted), and the report that
//! completes the file creates the asset (`method: multipart`,
//! `processing`). Sessions expire 24 h after creation (server clock).
//! Chunks are held in memory; at most [`MAX_SESSIONS`] open sessions and
//! [`MAX_TOTAL`] bytes each.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::{Bytes, BytesMut};
use serde_json::{json, Value};

use super::assets::{json_body, new_upload, written_metadata, NewUpload};
use super::clock::rfc3339;
use super::errors::{TlError, TlResult};
use super::files;
use super::params::Params;
use super::state::{TlState, PRESIGNED_TTL};
use super::store::{self, Change};

/// How long a session lasts.
pub const SESSION_TTL_MS: i64 = 24 * 3600 * 1000;
/// Open sessions at once.
pub const MAX_SESSIONS: usize = 32;
/// Largest file this in-memory server takes by multipart upload.
pub const MAX_TOTAL: u64 = 256 * 1024 * 1024;
/// URLs in the first answer (the rest come from M2).
const FIRST_URLS: u64 = 10;

#[derive(Debug, Default, Clone)]
pub struct Chunk {
    /// Bytes received by a PUT, with their ETag (unquoted) and when.
    pub uploaded: Option<(Bytes, String, i64)>,
    /// When the chunk was reported (M4).
    pub reported: Option<i64>,
    /// How many times its bytes were received (a client that resends a
    /// chunk the server has shows here).
    pub puts: u32,
}

#[derive(Debug)]
pub struct Session {
    pub id: String,
    pub asset_id: String,
    pub filename: String,
    pub total_size: u64,
    pub chunk_size: u64,
    pub enable_hls: bool,
    pub enable_thumbnail: bool,
    pub user_metadata: Option<serde_json::Map<String, Value>>,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub completed: bool,
    pub chunks: Vec<Chunk>,
    /// Unused presigned URLs: nonce -> chunk index (1-based).
    pub nonces: HashMap<String, u64>,
}

impl Session {
    fn total_chunks(&self) -> u64 {
        self.chunks.len() as u64
    }

    fn expires_ms(&self) -> i64 {
        self.created_ms + SESSION_TTL_MS
    }

    fn status(&self, now: i64) -> &'static str {
        if self.completed {
            "completed"
        } else if now >= self.expires_ms() {
            "expired"
        } else {
            "active"
        }
    }

    /// The size chunk `i` (1-based) must have.
    fn chunk_len(&self, i: u64) -> u64 {
        let start = (i - 1) * self.chunk_size;
        self.chunk_size.min(self.total_size.saturating_sub(start))
    }

    fn open(&self, now: i64) -> TlResult<()> {
        match self.status(now) {
            "active" => Ok(()),
            s => Err(TlError::invalid(format!("The upload session is {s}."))),
        }
    }
}

/// The sessions, for an account with access to multipart uploads.
fn sessions(state: &TlState) -> TlResult<std::sync::MutexGuard<'_, HashMap<String, Session>>> {
    if !state.config.multipart_access {
        return Err(TlError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Multipart uploads are a private preview; this account does not have access.",
        ));
    }
    state
        .sessions
        .lock()
        .map_err(|_| TlError::internal("sessions lock poisoned"))
}

/// Issues presigned URLs for chunks `start..start+count`.
fn presign(state: &TlState, s: &mut Session, start: u64, count: u64, now: i64) -> Vec<Value> {
    let expires = rfc3339(now + PRESIGNED_TTL.as_millis() as i64);
    (start..start + count)
        .map(|i| {
            let nonce = state.new_token();
            s.nonces.insert(nonce.clone(), i);
            let path = format!("/v1.3/_uploads/{}/{i}/{nonce}", s.id);
            let query = state.presigner.sign(&path, state.clock.now());
            json!({
                "chunk_index": i,
                "url": format!("{}{path}?{query}", state.origin),
                "expires_at": expires,
            })
        })
        .collect()
}

fn required_u64(v: &Value, key: &str) -> TlResult<u64> {
    match v.get(key) {
        None | Some(Value::Null) => Err(TlError::missing(key)),
        Some(x) => x
            .as_u64()
            .ok_or_else(|| TlError::invalid(format!("`{key}` must be a non-negative integer."))),
    }
}

/// M1 `POST /v1.3/assets/multipart-uploads`.
pub async fn create(
    State(state): State<Arc<TlState>>,
    body: Bytes,
) -> TlResult<(StatusCode, Json<Value>)> {
    drop(sessions(&state)?); // access first, as the service answers
    let v = json_body(&body)?;
    let filename = v
        .get("filename")
        .and_then(Value::as_str)
        .filter(|f| !f.trim().is_empty())
        .ok_or_else(|| TlError::missing("filename"))?
        .to_string();
    let kind = v
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| TlError::missing("type"))?;
    if !matches!(kind, "video" | "audio" | "image") {
        return Err(TlError::invalid("`type` must be video, audio or image."));
    }
    let total_size = required_u64(&v, "total_size")?;
    let limit = if kind == "image" {
        32 * 1024 * 1024
    } else {
        MAX_TOTAL
    };
    if total_size == 0 || total_size > limit {
        return Err(TlError::invalid(format!(
            "`total_size` must be 1 to {limit} bytes on this local server."
        )));
    }
    let flag = |k: &str| -> TlResult<bool> {
        match v.get(k) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(TlError::invalid(format!("`{k}` must be true or false."))),
        }
    };
    let user_metadata = match v.get("user_metadata") {
        None | Some(Value::Null) => None,
        Some(m) => written_metadata(m, false, None)?,
    };
    let now = state.clock.now_ms();
    let chunk_size = state.config.chunk_size.max(1);
    let total_chunks = total_size.div_ceil(chunk_size);
    let mut s = Session {
        id: state.new_id(),
        asset_id: state.new_id(),
        filename,
        total_size,
        chunk_size,
        enable_hls: flag("enable_hls")?,
        enable_thumbnail: flag("enable_thumbnail")?,
        user_metadata,
        created_ms: now,
        updated_ms: now,
        completed: false,
        chunks: vec![Chunk::default(); total_chunks as usize],
        nonces: HashMap::new(),
    };
    let urls = presign(&state, &mut s, 1, total_chunks.min(FIRST_URLS), now);
    let mut all = sessions(&state)?;
    all.retain(|_, s| s.status(now) == "active" || now < s.expires_ms() + SESSION_TTL_MS);
    if all.values().filter(|s| s.status(now) == "active").count() >= MAX_SESSIONS {
        return Err(TlError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            format!("At most {MAX_SESSIONS} upload sessions may be open at once."),
        ));
    }
    let answer = json!({
        "upload_id": s.id,
        "asset_id": s.asset_id,
        "upload_urls": urls,
        "upload_headers": {},
        "chunk_size": chunk_size,
        "total_chunks": total_chunks,
        "expires_at": rfc3339(s.expires_ms()),
    });
    all.insert(s.id.clone(), s);
    Ok((StatusCode::CREATED, Json(answer)))
}

/// M2 `POST /v1.3/assets/multipart-uploads/{id}/presigned-urls`.
pub async fn more_urls(
    State(state): State<Arc<TlState>>,
    Path(id): Path<String>,
    body: Bytes,
) -> TlResult<Json<Value>> {
    let v = json_body(&body)?;
    let start = required_u64(&v, "start")?;
    let count = required_u64(&v, "count")?;
    if !(1..=50).contains(&count) {
        return Err(TlError::invalid("`count` must be 1 to 50."));
    }
    let now = state.clock.now_ms();
    let mut all = sessions(&state)?;
    let s = all
        .get_mut(&id)
        .ok_or_else(|| TlError::not_found("upload", &id))?;
    s.open(now)?;
    if start < 1 || start > s.total_chunks() {
        return Err(TlError::invalid(format!(
            "`start` must be 1 to {}.",
            s.total_chunks()
        )));
    }
    let count = count.min(s.total_chunks() - start + 1);
    let urls = presign(&state, s, start, count, now);
    Ok(Json(json!({
        "upload_id": s.id,
        "start_index": start,
        "count": count,
        "upload_urls": urls,
        "generated_at": rfc3339(now),
        "expires_at": rfc3339(now + PRESIGNED_TTL.as_millis() as i64),
    })))
}

/// M3 `PUT /v1.3/_uploads/{id}/{chunk}/{nonce}` (presigned, no API key).
pub async fn put_chunk(
    State(state): State<Arc<TlState>>,
    Path((id, chunk, nonce)): Path<(String, u64, String)>,
    uri: Uri,
    body: Bytes,
) -> Response {
    let answer = (|| -> TlResult<String> {
        files::check(&state, &state.presigner, &uri)?;
        let now = state.clock.now_ms();
        let mut all = sessions(&state)?;
        let s = all
            .get_mut(&id)
            .ok_or_else(|| TlError::not_found("upload", &id))?;
        s.open(now)?;
        if s.nonces.get(&nonce) != Some(&chunk) {
            return Err(TlError::new(
                StatusCode::FORBIDDEN,
                "url_used",
                "This upload URL was already used: request a fresh one (presigned-urls).",
            ));
        }
        let want = s.chunk_len(chunk);
        if body.len() as u64 != want {
            return Err(TlError::invalid(format!(
                "Chunk {chunk} must be {want} bytes, not {}.",
                body.len()
            )));
        }
        s.nonces.remove(&nonce);
        let etag = {
            use sha2::{Digest, Sha256};
            let d = Sha256::digest(&body);
            d.iter()
                .take(16)
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        if let Some(c) = s.chunks.get_mut(chunk as usize - 1) {
            c.uploaded = Some((body, etag.clone(), now));
            c.puts += 1;
        }
        s.updated_ms = now;
        Ok(etag)
    })();
    match answer {
        Ok(etag) => {
            let mut resp = StatusCode::OK.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("\"{etag}\"")) {
                resp.headers_mut().insert(header::ETAG, v);
            }
            resp
        }
        Err(e) => e.into_response(),
    }
}

/// M4 `POST /v1.3/assets/multipart-uploads/{id}`: report chunks.
pub async fn report(
    State(state): State<Arc<TlState>>,
    Path(id): Path<String>,
    body: Bytes,
) -> TlResult<Json<Value>> {
    let v = json_body(&body)?;
    let reported = v
        .get("completed_chunks")
        .and_then(Value::as_array)
        .ok_or_else(|| TlError::missing("completed_chunks"))?;
    let now = state.clock.now_ms();
    let mut all = sessions(&state)?;
    let s = all
        .get_mut(&id)
        .ok_or_else(|| TlError::not_found("upload", &id))?;
    s.open(now)?;
    // check the whole batch before taking any of it
    let mut batch = Vec::new();
    for c in reported {
        let index = required_u64(c, "chunk_index")?;
        let proof = c
            .get("proof")
            .and_then(Value::as_str)
            .ok_or_else(|| TlError::missing("proof"))?;
        if c.get("proof_type").and_then(Value::as_str) != Some("etag") {
            return Err(TlError::invalid("`proof_type` must be `etag`."));
        }
        let size = required_u64(c, "chunk_size")?;
        let Some(chunk) = s.chunks.get((index as usize).wrapping_sub(1)) else {
            return Err(TlError::invalid(format!(
                "`chunk_index` {index} is not 1 to {}.",
                s.total_chunks()
            )));
        };
        match &chunk.uploaded {
            Some((bytes, etag, _))
                if etag == proof.trim_matches('"') && bytes.len() as u64 == size => {}
            Some(_) => {
                return Err(TlError::invalid(format!(
                    "Chunk {index}: the proof or size does not match what was uploaded."
                )))
            }
            None => return Err(TlError::invalid(format!("Chunk {index} was not uploaded."))),
        }
        batch.push(index);
    }
    let (mut processed, mut duplicates) = (0u64, 0u64);
    for index in batch {
        let c = &mut s.chunks[index as usize - 1];
        if c.reported.is_some() {
            duplicates += 1;
        } else {
            c.reported = Some(now);
            processed += 1;
        }
    }
    s.updated_ms = now;
    let total_completed = s.chunks.iter().filter(|c| c.reported.is_some()).count();
    let mut answer = json!({
        "asset_id": s.asset_id,
        "processed_chunks": processed,
        "duplicate_chunks": duplicates,
        "total_completed": total_completed,
    });
    if total_completed == s.chunks.len() && processed > 0 {
        let mut file = BytesMut::with_capacity(s.total_size as usize);
        for c in &s.chunks {
            if let Some((b, _, _)) = &c.uploaded {
                file.extend_from_slice(b);
            }
        }
        s.completed = true;
        let rec = new_upload(
            &state,
            NewUpload {
                method: "multipart",
                filename: s.filename.clone(),
                declared_type: None,
                user_metadata: s.user_metadata.clone(),
                enable_hls: s.enable_hls,
                enable_thumbnail: s.enable_thumbnail,
                bytes: file.freeze(),
                id: Some(s.asset_id.clone()),
            },
        );
        // the chunks are in the asset now
        for c in &mut s.chunks {
            if let Some((b, _, _)) = &mut c.uploaded {
                *b = Bytes::new();
            }
        }
        answer["url"] = files::link(&state, &rec.id, "file").into();
        drop(all);
        let mut lib = state.write_lib()?;
        store::save(&state, &[Change::Asset(&rec, true)])?;
        lib.put_asset(rec);
    }
    Ok(Json(answer))
}

/// M5 `GET /v1.3/assets/multipart-uploads/{id}`.
pub async fn status(
    State(state): State<Arc<TlState>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> TlResult<Json<Value>> {
    let page = Params::parse(q.as_deref()).page()?;
    let now = state.clock.now_ms();
    let all = sessions(&state)?;
    let s = all
        .get(&id)
        .ok_or_else(|| TlError::not_found("upload", &id))?;
    let items = s.chunks.iter().enumerate().map(|(i, c)| {
        let uploaded_at = c.reported.map(rfc3339);
        let updated = c
            .reported
            .or(c.uploaded.as_ref().map(|u| u.2))
            .unwrap_or(s.created_ms);
        json!({
            "index": i + 1,
            "status": if c.reported.is_some() { "completed" } else { "pending" },
            "uploaded_at": uploaded_at,
            "updated_at": rfc3339(updated),
        })
    });
    let (data, total) = page.take(items);
    let completed = s.chunks.iter().filter(|c| c.reported.is_some()).count();
    let uploaded_size: u64 = (1..=s.total_chunks())
        .filter(|i| s.chunks[*i as usize - 1].reported.is_some())
        .map(|i| s.chunk_len(i))
        .sum();
    Ok(Json(json!({
        "upload_id": s.id,
        "status": s.status(now),
        "uploaded_chunks": data,
        "chunks_completed": completed,
        "chunks_failed": 0,
        "chunks_pending": s.chunks.len() - completed,
        "page_info": page.info(total),
        "total_size": s.total_size,
        "uploaded_size": uploaded_size,
        "created_at": rfc3339(s.created_ms),
        "updated_at": rfc3339(s.updated_ms),
    })))
}

/// M6 `GET /v1.3/assets/multipart-uploads`: the open sessions, newest first.
pub async fn incomplete(
    State(state): State<Arc<TlState>>,
    RawQuery(q): RawQuery,
) -> TlResult<Json<Value>> {
    let page = Params::parse(q.as_deref()).page()?;
    let now = state.clock.now_ms();
    let all = sessions(&state)?;
    let mut open: Vec<&Session> = all.values().filter(|s| s.status(now) == "active").collect();
    open.sort_by(|a, b| (b.created_ms, &b.id).cmp(&(a.created_ms, &a.id)));
    let (items, total) = page.take(open);
    let data: Vec<Value> = items
        .into_iter()
        .map(|s| {
            json!({
                "upload_id": s.id,
                "status": "active",
                "total_size": s.total_size,
                "chunk_size": s.chunk_size,
                "total_chunks": s.total_chunks(),
                "created_at": rfc3339(s.created_ms),
                "expires_at": rfc3339(s.expires_ms()),
            })
        })
        .collect();
    Ok(Json(json!({"data": data, "page_info": page.info(total)})))
}
