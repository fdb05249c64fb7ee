//! Records as the API returns them: `_id` on assets, indexes and indexed
//! assets, RFC 3339 UTC times, absent optional fields left out, and fresh
//! signed links where something is ready.

use serde_json::{json, Map, Value};

use super::clock::rfc3339;
use super::files;
use super::library::{AssetRec, IndexRec, IndexedRec, Library, ASSET_DONE, INDEXED_DONE};
use super::state::TlState;

/// An indexing task's status names, by stage.
pub const INDEX_STATES: [&str; 4] = ["pending", "validating", "indexing", "ready"];

fn put(o: &mut Map<String, Value>, key: &str, v: Option<impl Into<Value>>) {
    if let Some(v) = v {
        o.insert(key.into(), v.into());
    }
}

/// An asset's status at `now_ms`: `processing`, `ready` or `failed`.
pub fn asset_status(state: &TlState, rec: &AssetRec, now_ms: i64) -> &'static str {
    let stage = rec
        .progress
        .at(now_ms, &state.config.processing, ASSET_DONE)
        .stage;
    match (stage, rec.error.is_some()) {
        (0, _) => "processing",
        (_, true) => "failed",
        _ => "ready",
    }
}

/// `Asset` (the create answer) or `AssetDetail` (list and retrieve).
pub fn asset(state: &TlState, rec: &AssetRec, now_ms: i64, detail: bool) -> Value {
    let stage = rec
        .progress
        .at(now_ms, &state.config.processing, ASSET_DONE)
        .stage;
    let failed = rec.error.is_some();
    let mut o = Map::new();
    o.insert("_id".into(), rec.id.clone().into());
    o.insert("method".into(), rec.method.clone().into());
    o.insert("status".into(), asset_status(state, rec, now_ms).into());
    o.insert("filename".into(), rec.filename.clone().into());
    put(&mut o, "file_type", rec.file_type.clone());
    o.insert("created_at".into(), rfc3339(rec.created_ms).into());
    if let Some(m) = rec.user_metadata.as_ref().filter(|m| !m.is_empty()) {
        o.insert("user_metadata".into(), Value::Object(m.clone()));
    }
    if !detail {
        return Value::Object(o);
    }
    let sub = |url_key: &str, url: &dyn Fn() -> String| -> Value {
        match (stage, failed) {
            (0, _) => json!({"status": "pending"}),
            (_, true) => json!({"status": "error"}),
            (1, false) => json!({"status": "processing"}),
            _ => json!({"status": "ready", url_key: url()}),
        }
    };
    // a file that turned out not to be media: its HLS ends in `error`
    if rec.enable_hls && (rec.is_av() || failed) {
        o.insert(
            "hls".into(),
            sub("manifest_url", &|| files::hls_link(state, rec)),
        );
    }
    if rec.enable_thumbnail {
        o.insert(
            "thumbnail".into(),
            sub("representative_url", &|| {
                files::link(state, &rec.id, "thumbnail")
            }),
        );
    }
    if stage == 0 {
        return Value::Object(o);
    }
    o.insert("technical_metadata".into(), technical(rec));
    if failed {
        o.insert(
            "error".into(),
            json!({"message": rec.error.clone().unwrap_or_default()}),
        );
    } else {
        o.insert("size".into(), rec.size.into());
        if rec.is_av() {
            put(&mut o, "duration", rec.duration);
        }
    }
    Value::Object(o)
}

fn technical(rec: &AssetRec) -> Value {
    let mut t = Map::new();
    t.insert("file_size_bytes".into(), rec.size.into());
    put(&mut t, "file_mime_type", rec.file_type.clone());
    if rec.error.is_some() {
        return Value::Object(t);
    }
    put(&mut t, "file_container_format", rec.container.clone());
    match rec.kind.as_str() {
        "video" => {
            put(&mut t, "video_width", rec.width);
            put(&mut t, "video_height", rec.height);
            put(&mut t, "video_fps", rec.fps);
            put(&mut t, "video_duration_seconds", rec.duration);
            t.insert("total_video_streams".into(), 1.into());
            if let (Some(w), Some(h)) = (rec.width, rec.height) {
                if h > 0 {
                    let ratio = (f64::from(w) / f64::from(h) * 10_000.0).round() / 10_000.0;
                    t.insert("storage_aspect_ratio".into(), ratio.into());
                }
            }
        }
        "audio" => {
            put(&mut t, "audio_sample_rate", rec.sample_rate);
            put(&mut t, "audio_channels", rec.channels);
            put(&mut t, "audio_duration_seconds", rec.duration);
            t.insert("has_audio".into(), true.into());
            t.insert("total_audio_streams".into(), 1.into());
            t.insert("total_video_streams".into(), 0.into());
        }
        "image" => {
            put(&mut t, "image_width", rec.width);
            put(&mut t, "image_height", rec.height);
            put(&mut t, "image_format", rec.container.clone());
        }
        _ => {}
    }
    Value::Object(t)
}

/// An index with its counts at `now_ms`.
pub fn index(state: &TlState, lib: &Library, ix: &IndexRec, now_ms: i64) -> Value {
    let mut updated = ix.created_ms;
    let (mut count, mut duration) = (0u64, 0.0f64);
    for m in lib.members(&ix.id) {
        let p = m
            .progress
            .at(now_ms, &state.config.processing, INDEXED_DONE);
        updated = updated.max(p.at_ms).max(m.created_ms);
        if p.stage >= INDEXED_DONE {
            count += 1;
            duration += lib
                .assets
                .get(&m.asset_id)
                .and_then(|a| a.duration)
                .unwrap_or(0.0);
        }
    }
    json!({
        "_id": ix.id,
        "index_name": ix.name,
        "models": ix.models,
        "addons": [],
        "video_count": count,
        "total_duration": duration,
        "created_at": rfc3339(ix.created_ms),
        "updated_at": rfc3339(updated),
        "expires_at": null,
    })
}

/// The shapes of an indexed asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// X1 list item.
    IndexedItem,
    /// X2.
    IndexedDetail,
    /// V1 list item.
    VideoItem,
    /// V2.
    VideoDetail,
}

pub fn indexed(
    state: &TlState,
    lib: &Library,
    rec: &IndexedRec,
    now_ms: i64,
    shape: Shape,
) -> Value {
    let p = rec
        .progress
        .at(now_ms, &state.config.processing, INDEXED_DONE);
    let asset = lib.assets.get(&rec.asset_id);
    let mut o = Map::new();
    o.insert("_id".into(), rec.id.clone().into());
    o.insert("asset_id".into(), rec.asset_id.clone().into());
    o.insert("created_at".into(), rfc3339(rec.created_ms).into());
    o.insert(
        "updated_at".into(),
        rfc3339(p.at_ms.max(rec.created_ms)).into(),
    );
    if p.stage >= INDEXED_DONE {
        o.insert(
            "indexed_at".into(),
            rfc3339(p.at_ms.max(rec.created_ms)).into(),
        );
    }
    if matches!(shape, Shape::IndexedItem | Shape::IndexedDetail) {
        o.insert(
            "status".into(),
            INDEX_STATES[usize::from(p.stage.min(INDEXED_DONE))].into(),
        );
    }
    if let Some(a) = asset {
        let mut sm = Map::new();
        sm.insert("filename".into(), a.filename.clone().into());
        put(&mut sm, "duration", a.duration);
        put(&mut sm, "fps", a.fps);
        put(&mut sm, "width", a.width);
        put(&mut sm, "height", a.height);
        if shape != Shape::VideoDetail {
            sm.insert("size".into(), (a.size as f64).into());
        }
        o.insert("system_metadata".into(), Value::Object(sm));
    }
    if matches!(shape, Shape::IndexedDetail | Shape::VideoDetail) {
        let meta = rec
            .user_metadata
            .as_ref()
            .or(asset.and_then(|a| a.user_metadata.as_ref()));
        if let Some(m) = meta.filter(|m| !m.is_empty()) {
            o.insert("user_metadata".into(), Value::Object(m.clone()));
        }
        if let Some(a) = asset.filter(|a| rec.enable_video_stream && a.enable_hls && a.is_av()) {
            let ready = p.stage >= INDEXED_DONE;
            let mut h = Map::new();
            h.insert(
                "status".into(),
                if ready { "COMPLETE" } else { "PROCESSING" }.into(),
            );
            if ready {
                h.insert("video_url".into(), files::hls_link(state, a).into());
                h.insert(
                    "thumbnail_urls".into(),
                    json!([files::link(state, &a.id, "thumbnail")]),
                );
            }
            h.insert(
                "updated_at".into(),
                rfc3339(p.at_ms.max(rec.created_ms)).into(),
            );
            o.insert("hls".into(), Value::Object(h));
        }
    }
    Value::Object(o)
}
