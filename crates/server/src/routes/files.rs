//! Signed file URLs: originals, thumbnails, previews, conversions and
//! batch archives, with `HEAD`, `Range` (206), `If-Range`, `ETag` and
//! `Last-Modified`. An altered or expired link answers 403.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::generated::{self, GenFile};
use crate::http::{HttpError, HttpResult};
use crate::jobs::JobStatus;
use crate::library::{http_date, FileRef};
use crate::renditions::{self, Rendered, Variant};
use crate::signing::LinkError;
use crate::state::AppState;

/// The path of a rendition's file URL.
pub fn file_path(id: &str, variant: &Variant) -> String {
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("/v1/files/{id}/{}", variant.segment())
}

/// The path of a batch archive's URL.
pub fn archive_path(job_id: &str) -> String {
    let id: String = url::form_urlencoded::byte_serialize(job_id.as_bytes()).collect();
    format!("/v1/archives/{id}")
}

pub(crate) fn check_link(
    state: &AppState,
    path: &str,
    q: &HashMap<String, String>,
) -> HttpResult<()> {
    match state.signer.verify(
        path,
        q.get("expires").map(String::as_str),
        q.get("signature").map(String::as_str),
        SystemTime::now(),
    ) {
        Ok(()) => Ok(()),
        Err(LinkError::Expired) => Err(HttpError::new(
            StatusCode::FORBIDDEN,
            "Request has expired: fetch the asset again for a fresh link",
        )),
        Err(LinkError::BadSignature) => Err(HttpError::new(
            StatusCode::FORBIDDEN,
            "The request signature does not match",
        )),
    }
}

pub async fn serve_file(
    State(state): State<Arc<AppState>>,
    method: Method,
    Path((id, variant)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> HttpResult<Response> {
    let variant = Variant::parse(&variant).ok_or_else(|| HttpError::not_found("no such file"))?;
    check_link(&state, &file_path(&id, &variant), &q)?;
    let (file, mime, kind, modified) = {
        let lib = state.read_lib()?;
        let r = lib
            .get(&id)
            .ok_or_else(|| HttpError::not_found("the asset no longer exists"))?;
        (
            r.file.clone(),
            r.asset
                .mime_type
                .clone()
                .unwrap_or_else(|| "application/octet-stream".into()),
            r.asset
                .kind()
                .map(|k| k.as_str().to_string())
                .unwrap_or_default(),
            r.asset.updated_at.clone().unwrap_or_default(),
        )
    };
    if let (FileRef::Generated(g), Variant::Original) = (&file, &variant) {
        return serve_generated(&state, &method, &headers, g.clone(), &id).await;
    }
    let rendered = match state.renditions.get(&id, &variant) {
        Some(r) => r,
        None => {
            let v = variant.clone();
            let r = tokio::task::spawn_blocking(move || {
                let original = renditions::original(&file, &mime);
                renditions::derive(&original, &kind, &v)
            })
            .await
            .map_err(|e| HttpError::internal(e.to_string()))?
            .map_err(HttpError::bad_request)?;
            state.renditions.put(&id, &variant, r.clone());
            r
        }
    };
    let filename = match &variant {
        Variant::Format(f) => Some(format!("{id}.{f}")),
        _ => None,
    };
    Ok(respond_rendered(
        &method,
        &headers,
        &rendered,
        &modified,
        filename.as_deref(),
    ))
}

/// A generated file (`--large-asset`, `--small-assets`), streamed. With
/// `--replace-every N`, every Nth request of the large file replaces it
/// first.
async fn serve_generated(
    state: &Arc<AppState>,
    method: &Method,
    headers: &HeaderMap,
    g: Arc<GenFile>,
    id: &str,
) -> HttpResult<Response> {
    if *method == Method::GET {
        let n = g.requests.fetch_add(1, Ordering::SeqCst);
        let is_large = state.generated.large_id.as_deref() == Some(id);
        if let (true, Some(every)) = (is_large, state.generated.replace_every) {
            if n >= every && n.is_multiple_of(every) {
                super::demo::replace_file(state, id)?;
            }
        }
    }
    let (generation, modified) = {
        let lib = state.read_lib()?;
        let r = lib
            .get(id)
            .ok_or_else(|| HttpError::not_found("the asset no longer exists"))?;
        (
            g.generation(),
            r.asset.updated_at.clone().unwrap_or_default(),
        )
    };
    let etag = g.etag(generation);
    Ok(respond(
        method,
        headers,
        &Meta {
            total: g.size,
            etag: &etag,
            mime: "application/octet-stream",
            modified: &modified,
            filename: None,
        },
        move |start, end| Body::from_stream(generated::stream(g, generation, start, end)),
    ))
}

pub async fn serve_archive(
    State(state): State<Arc<AppState>>,
    method: Method,
    Path(job_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> HttpResult<Response> {
    check_link(&state, &archive_path(&job_id), &q)?;
    let job = state
        .job(&job_id)?
        .ok_or_else(|| HttpError::not_found("no such archive"))?;
    match (job.status, job.archive) {
        (JobStatus::Success, Some(bytes)) => {
            let r = Rendered::new(bytes, "application/zip");
            Ok(respond_rendered(
                &method,
                &headers,
                &r,
                "",
                Some(&format!("{job_id}.zip")),
            ))
        }
        _ => Err(HttpError::not_found("the archive is not ready")),
    }
}

/// What the headers of a file answer say about it.
struct Meta<'a> {
    total: u64,
    etag: &'a str,
    mime: &'a str,
    /// ISO 8601 modification time (empty when unknown).
    modified: &'a str,
    filename: Option<&'a str>,
}

pub(crate) fn respond_rendered(
    method: &Method,
    headers: &HeaderMap,
    r: &Rendered,
    modified: &str,
    filename: Option<&str>,
) -> Response {
    let bytes = r.bytes.clone();
    respond(
        method,
        headers,
        &Meta {
            total: r.bytes.len() as u64,
            etag: &r.etag,
            mime: &r.mime,
            modified,
            filename,
        },
        move |start, end| Body::from(bytes.slice(start as usize..=end as usize)),
    )
}

/// A full (200) or partial (206) answer, honouring `Range` and `If-Range`;
/// `body(start, end)` makes the bytes `start..=end`.
fn respond(
    method: &Method,
    headers: &HeaderMap,
    m: &Meta<'_>,
    body: impl FnOnce(u64, u64) -> Body,
) -> Response {
    let total = m.total;
    let last_modified = http_date(m.modified);
    let if_range_ok = match headers.get(header::IF_RANGE).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(v) if v.starts_with('"') || v.starts_with("W/") => v == m.etag,
        Some(v) => last_modified.as_deref() == Some(v),
    };
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == m.etag)
    {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        resp.headers_mut().insert(
            header::ETAG,
            HeaderValue::from_str(m.etag).unwrap_or(HeaderValue::from_static("")),
        );
        return resp;
    }
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .filter(|_| if_range_ok)
        .map(|v| parse_range(v, total));
    let (status, span, content_range) = match range {
        Some(Some((start, end))) => (
            StatusCode::PARTIAL_CONTENT,
            Some((start, end)),
            Some(format!("bytes {start}-{end}/{total}")),
        ),
        Some(None) => {
            let mut resp =
                HttpError::new(StatusCode::RANGE_NOT_SATISFIABLE, "range not satisfiable")
                    .into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{total}")) {
                resp.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return resp;
        }
        None => (StatusCode::OK, (total > 0).then(|| (0, total - 1)), None),
    };
    let len = span.map_or(0, |(s, e)| e - s + 1);
    let mut resp = match span {
        Some((start, end)) if *method != Method::HEAD => Response::new(body(start, end)),
        _ => Response::new(Body::empty()),
    };
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    if let Ok(v) = HeaderValue::from_str(m.mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(m.etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(lm) = last_modified.and_then(|s| HeaderValue::from_str(&s).ok()) {
        h.insert(header::LAST_MODIFIED, lm);
    }
    if let Some(cr) = content_range.and_then(|s| HeaderValue::from_str(&s).ok()) {
        h.insert(header::CONTENT_RANGE, cr);
    }
    if let Some(name) = m.filename {
        let safe: String = name
            .chars()
            .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\')
            .collect();
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    resp
}

/// One `bytes=` range against `total` bytes: `Some(Some((start, end)))`
/// inclusive, `Some(None)` unsatisfiable. Several ranges are answered whole
/// (allowed by RFC 9110), which `parse_range` signals with a full range.
fn parse_range(value: &str, total: u64) -> Option<(u64, u64)> {
    let spec = value.strip_prefix("bytes=")?.trim();
    if spec.contains(',') || total == 0 {
        return if total == 0 {
            None
        } else {
            Some((0, total - 1))
        };
    }
    let (a, b) = spec.split_once('-')?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: u64 = n.parse().ok()?;
            if n == 0 {
                return None;
            }
            (total.saturating_sub(n), total - 1)
        }
        (s, "") => (s.parse().ok()?, total - 1),
        (s, e) => (s.parse().ok()?, e.parse::<u64>().ok()?.min(total - 1)),
    };
    (start <= end && start < total).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Some((0, 9)));
        assert_eq!(parse_range("bytes=90-", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=50-500", 100), Some((50, 99)));
        assert_eq!(parse_range("bytes=100-", 100), None);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Some((0, 99)));
    }
}
