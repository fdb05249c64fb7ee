//! The links this server hands out and the route that serves them: an
//! asset's file, its representative thumbnail, each clip's thumbnail, and
//! its HLS playlist with the segments. Every link is signed and expires
//! (HMAC over the path and expiry, `crate::signing`); playlists are
//! rewritten so that each segment URI is a signed link too. Range requests
//! are answered as the Scenario server answers them.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::errors::{TlError, TlResult};
use super::library::{AssetRec, Media};
use super::manifest;
use super::params::Params;
use super::state::TlState;
use crate::library::FileRef;
use crate::renditions::{self, Rendered, Variant};
use crate::signing::LinkError;

pub const PREFIX: &str = "/v1.3/_files";

/// A signed absolute link to `/v1.3/_files/{id}/{rest}`.
pub fn link(state: &TlState, id: &str, rest: &str) -> String {
    let path = format!("{PREFIX}/{id}/{rest}");
    let query = state.signer.sign(&path, state.clock.now());
    format!("{}{path}?{query}", state.origin)
}

/// The playlist's link (`hls/<name of the playlist file>`).
pub fn hls_link(state: &TlState, rec: &AssetRec) -> String {
    link(state, &rec.id, &format!("hls/{}", playlist_name(rec)))
}

fn playlist_name(rec: &AssetRec) -> String {
    match &rec.media {
        Media::Demo { hls: Some(p), .. } => p.rsplit('/').next().unwrap_or(p).to_string(),
        _ => "index.m3u8".into(),
    }
}

/// Checks a signed link's expiry and signature against the server clock.
pub fn check(state: &TlState, signer: &crate::signing::Signer, uri: &Uri) -> TlResult<()> {
    let q = Params::parse(uri.query());
    match signer.verify(
        uri.path(),
        q.get("expires"),
        q.get("signature"),
        state.clock.now(),
    ) {
        Ok(()) => Ok(()),
        Err(LinkError::Expired) => Err(TlError::new(
            StatusCode::FORBIDDEN,
            "url_expired",
            "This link has expired: retrieve the asset again for a fresh one.",
        )),
        Err(LinkError::BadSignature) => Err(TlError::new(
            StatusCode::FORBIDDEN,
            "url_signature_invalid",
            "This link's signature does not match.",
        )),
    }
}

/// The bytes of an asset's file. Synthetic pictures are drawn: call off
/// the async threads.
pub fn file_bytes(rec: &AssetRec) -> Option<Rendered> {
    let mime = rec
        .file_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    match &rec.media {
        Media::Demo { file, .. } => {
            manifest::file(file).map(|b| Rendered::new(Bytes::from_static(b), mime))
        }
        Media::Upload => rec.blob.clone().map(|b| Rendered::new(b, mime)),
        Media::Synthetic {
            seed,
            family,
            width,
            height,
        } => Some(renditions::original(
            &FileRef::Synthetic {
                seed: *seed,
                family: *family,
                width: *width,
                height: *height,
            },
            "image/jpeg",
        )),
    }
}

/// The representative thumbnail (JPEG). Blocking: call off the async
/// threads.
pub fn thumbnail(state: &TlState, rec: &AssetRec) -> Option<Rendered> {
    if let Media::Demo {
        thumbnail: Some(p), ..
    } = &rec.media
    {
        if let Some(b) = manifest::file(p) {
            return Some(Rendered::new(Bytes::from_static(b), "image/jpeg"));
        }
    }
    if let Some(r) = state.thumbs.get(&rec.id, &Variant::Thumbnail) {
        return Some(r);
    }
    let img = match &rec.media {
        Media::Synthetic {
            seed,
            family,
            width,
            height,
        } => {
            let scale = 256.0 / f64::from((*width).max(*height).max(1));
            let (w, h) = (
                ((f64::from(*width) * scale) as u32).max(1),
                ((f64::from(*height) * scale) as u32).max(1),
            );
            image::DynamicImage::ImageRgb8(crate::synth::render(*seed, *family, w, h))
        }
        _ if rec.kind == "image" => {
            let original = file_bytes(rec)?;
            renditions::fit(&renditions::decode(&original.bytes).ok()?, 256)
        }
        _ => {
            // no video decoder here: a picture drawn from the file's hash
            use sha2::{Digest, Sha256};
            let original = file_bytes(rec)?;
            let d = Sha256::digest(&original.bytes);
            let seed = u64::from_le_bytes(d[..8].try_into().unwrap_or([0; 8]));
            image::DynamicImage::ImageRgb8(crate::synth::render(seed, d[8] % 8, 256, 144))
        }
    };
    let (bytes, mime) = renditions::encode(&img, "jpeg").ok()?;
    let r = Rendered::new(bytes, mime);
    state.thumbs.put(&rec.id, &Variant::Thumbnail, r.clone());
    Some(r)
}

/// A clip's picture, else the asset's thumbnail. Blocking.
pub fn clip_thumbnail(state: &TlState, rec: &AssetRec, clip: usize) -> Option<Rendered> {
    if let Some(p) = rec.clips.get(clip).and_then(|c| c.thumbnail.as_deref()) {
        if let Some(b) = manifest::file(p) {
            return Some(Rendered::new(Bytes::from_static(b), "image/jpeg"));
        }
    }
    thumbnail(state, rec)
}

/// `GET|HEAD /v1.3/_files/{id}/{*rest}`.
pub async fn serve(
    State(state): State<Arc<TlState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Path((id, rest)): Path<(String, String)>,
) -> Response {
    match serve_inner(&state, &method, &uri, &headers, &id, &rest).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn serve_inner(
    state: &Arc<TlState>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    id: &str,
    rest: &str,
) -> TlResult<Response> {
    check(state, &state.signer, uri)?;
    let rec = state
        .read_lib()?
        .assets
        .get(id)
        .cloned()
        .ok_or_else(|| TlError::not_found("asset", id))?;
    if let Some(name) = rest.strip_prefix("hls/") {
        return hls(state, &rec, name, method, headers);
    }
    let st = state.clone();
    let rest_owned = rest.to_string();
    let rendered = tokio::task::spawn_blocking(move || match rest_owned.as_str() {
        "file" => file_bytes(&rec),
        "thumbnail" => thumbnail(&st, &rec),
        r => r
            .strip_prefix("clips/")
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| clip_thumbnail(&st, &rec, n)),
    })
    .await
    .map_err(|e| TlError::internal(e.to_string()))?
    .ok_or_else(|| TlError::not_found("file", rest))?;
    Ok(crate::routes::files::respond_rendered(
        method, headers, &rendered, "", None,
    ))
}

fn hls(
    state: &TlState,
    rec: &AssetRec,
    name: &str,
    method: &Method,
    headers: &HeaderMap,
) -> TlResult<Response> {
    let not_found = || TlError::not_found("HLS file", name);
    if !rec.enable_hls || !rec.is_av() {
        return Err(not_found());
    }
    if name
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return Err(not_found());
    }
    let rendered = match &rec.media {
        Media::Demo { hls: Some(p), .. } => {
            let dir = p.rsplit_once('/').map_or("", |(d, _)| d);
            let path = if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            };
            let bytes = manifest::file(&path).ok_or_else(not_found)?;
            if name.ends_with(".m3u8") {
                let text = rewrite_playlist(state, &rec.id, name, &String::from_utf8_lossy(bytes));
                Rendered::new(Bytes::from(text), "application/vnd.apple.mpegurl")
            } else {
                Rendered::new(Bytes::from_static(bytes), segment_mime(name))
            }
        }
        _ if name == playlist_name(rec) => {
            // an upload: one segment, the file itself
            let d = rec.duration.unwrap_or(1.0).max(0.001);
            let text = format!(
                "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:{}\n#EXT-X-MEDIA-SEQUENCE:0\n\
                 #EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:{d:.3},\n{}\n#EXT-X-ENDLIST\n",
                d.ceil() as u64,
                link(state, &rec.id, "file")
            );
            Rendered::new(Bytes::from(text), "application/vnd.apple.mpegurl")
        }
        _ => return Err(not_found()),
    };
    Ok(crate::routes::files::respond_rendered(
        method, headers, &rendered, "", None,
    ))
}

fn segment_mime(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "ts" => "video/mp2t",
        "m4s" | "mp4" => "video/iso.segment",
        "aac" => "audio/aac",
        "m4a" => "audio/mp4",
        "vtt" => "text/vtt",
        _ => "application/octet-stream",
    }
}

/// The playlist with each relative URI (segment lines and `URI="…"`
/// attributes) replaced by a signed link; `current` is the playlist's own
/// name, which relative URIs resolve against.
pub fn rewrite_playlist(state: &TlState, id: &str, current: &str, text: &str) -> String {
    let base = current.rsplit_once('/').map_or("", |(d, _)| d);
    let resolve = |uri: &str| -> String {
        let plain = uri.split(['?', '#']).next().unwrap_or("");
        if uri.contains("://") || plain.is_empty() || plain.starts_with('/') {
            return uri.to_string();
        }
        let name = if base.is_empty() {
            plain.to_string()
        } else {
            format!("{base}/{plain}")
        };
        link(state, id, &format!("hls/{name}"))
    };
    let mut out = String::with_capacity(text.len() * 2);
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            out.push_str(line);
        } else if t.starts_with('#') {
            match t.find("URI=\"") {
                Some(i) => {
                    let start = i + 5;
                    let end = t[start..].find('"').map_or(t.len(), |e| start + e);
                    out.push_str(&t[..start]);
                    out.push_str(&resolve(&t[start..end]));
                    out.push_str(&t[end..]);
                }
                None => out.push_str(t),
            }
        } else {
            out.push_str(&resolve(t));
        }
        out.push('\n');
    }
    out
}
