//! TwelveLabs: its asset mapped to the neutral [`AssetView`], its pages,
//! and the inspector's sections for it (status and what failed, media,
//! renditions, user metadata, then every technical field).

use std::collections::HashMap;

use serde_json::Value;

use assetui_twelvelabs::models::{
    Asset, AssetStatus, MetadataValue, Page as TlPage, RenditionStatus, SearchItem, Transcription,
    TranscriptionStatus, UserMetadata,
};

use super::extras::{Transcript, TranscriptLine, TRANSCRIPT_LINE_MAX, TRANSCRIPT_MAX_LINES};
use super::fields::{flatten, Section, VALUE_MAX};
use super::view::{AssetView, Clip, MediaKind, Native, Processing};
use super::Page;
use crate::sanitize;

/// Most items a TwelveLabs list page holds (`page_limit`).
pub const MAX_PAGE_LIMIT: u32 = 50;

/// The neutral view of a TwelveLabs asset; the asset is kept whole.
pub fn view(asset: Asset) -> AssetView {
    let id = asset.id().unwrap_or_default().to_string();
    let mime = asset
        .file_type
        .as_deref()
        .or(asset
            .technical_metadata
            .as_ref()
            .and_then(|t| t.file_mime_type.as_deref()))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let media = media_of(&mime);
    let tech = asset.technical_metadata.as_ref();
    let dims = dims_of(&asset);
    let status = match &asset.status {
        Some(AssetStatus::Processing) => Processing::Pending("processing".into()),
        Some(AssetStatus::Failed) => Processing::Failed(
            asset
                .error
                .as_ref()
                .and_then(|e| e.message.clone())
                .unwrap_or_else(|| "failed".into()),
        ),
        Some(AssetStatus::Other(s)) => Processing::Pending(s.clone()),
        _ if asset.is_processing() => Processing::Pending("rendering".into()),
        _ => Processing::Ready,
    };
    AssetView {
        list_name: asset.filename.clone().unwrap_or_else(|| id.clone()),
        name: asset.filename.clone(),
        media,
        type_label: Some(media.as_str().to_string()),
        kind_label: (!mime.is_empty()).then(|| short_format(&mime)),
        created: asset.created_at.clone(),
        updated: None,
        size: asset
            .size
            .or_else(|| tech.and_then(|t| whole(t.file_size_bytes.as_ref()))),
        dims,
        duration: asset.duration_secs(),
        status,
        tags: chips(asset.user_metadata.as_ref()),
        prompt: None,
        parent: None,
        root: None,
        thumbnail_url: asset.thumbnail_url().map(str::to_string),
        preview_url: None,
        file_url: asset.hls_url().map(str::to_string),
        formats: &[],
        clips: Vec::new(),
        id,
        native: Native::TwelveLabs(Box::new(asset)),
    }
}

/// A number the service may send as a float, as a whole count.
fn whole(n: Option<&serde_json::Number>) -> Option<u64> {
    n.and_then(|n| n.as_f64()).map(|f| f as u64)
}

/// Width and height in pixels, of the video or else of the image.
fn dims_of(asset: &Asset) -> Option<(u64, u64)> {
    let t = asset.technical_metadata.as_ref()?;
    let w = whole(t.video_width.as_ref()).or(whole(t.image_width.as_ref()))?;
    let h = whole(t.video_height.as_ref()).or(whole(t.image_height.as_ref()))?;
    Some((w, h))
}

/// What a MIME type says of the media.
fn media_of(mime: &str) -> MediaKind {
    match mime.split('/').next().unwrap_or_default() {
        "image" => MediaKind::Image,
        "video" => MediaKind::Video,
        "audio" => MediaKind::Audio,
        "text" | "application" if !mime.is_empty() => MediaKind::Document,
        _ => MediaKind::Other,
    }
}

/// `video/mp4` → `mp4`: the list's kind column.
fn short_format(mime: &str) -> String {
    let sub = mime.split_once('/').map(|(_, s)| s).unwrap_or(mime);
    sub.trim_start_matches("x-").to_string()
}

/// User metadata as the tag editor's `key=value` chips.
pub fn chips(meta: Option<&UserMetadata>) -> Vec<String> {
    meta.map(|m| {
        m.iter()
            .map(|(k, v)| format!("{k}={}", v.to_text()))
            .collect()
    })
    .unwrap_or_default()
}

/// `key=value` chips back into user metadata (a value typed as `4.5` or
/// `true` becomes a number or a boolean, as the service stores them).
pub fn metadata_of(chips: &[String]) -> UserMetadata {
    let mut meta = UserMetadata::new();
    for chip in chips {
        let (k, v) = chip.split_once('=').unwrap_or((chip.as_str(), ""));
        meta.insert(k.trim(), MetadataValue::parse(v.trim()));
    }
    meta
}

/// A page of `GET /assets` (asked as page number `asked`) as views;
/// `next` is the next page number while pages remain.
pub fn list_page(asked: u64, page: TlPage<Asset>) -> Page {
    let info = page.page_info.clone().unwrap_or_default();
    let items: Vec<AssetView> = page
        .data
        .unwrap_or_default()
        .into_iter()
        .map(view)
        .collect();
    let last = info.total_page.unwrap_or(asked);
    let next = (!items.is_empty() && asked < last).then(|| (asked + 1).to_string());
    Page {
        items,
        next,
        total: info.total_results,
    }
}

/// A search result: the asset with the clips of it that matched; the row
/// names the asset and the clips' time ranges, and shows the best clip's
/// frame.
pub fn search_result(asset: Asset, item: &SearchItem) -> AssetView {
    let mut clips: Vec<Clip> = if item.clips().is_empty() {
        vec![clip_of(item)]
    } else {
        item.clips().iter().map(clip_of).collect()
    };
    clips.sort_by_key(|c| c.rank.unwrap_or(u64::MAX));
    let mut v = view(asset);
    let ranges: Vec<String> = clips
        .iter()
        .filter(|c| c.end > c.start)
        .take(3)
        .map(|c| format!("{}–{}", duration_text(c.start), duration_text(c.end)))
        .collect();
    let more = clips
        .iter()
        .filter(|c| c.end > c.start)
        .count()
        .saturating_sub(3);
    if !ranges.is_empty() {
        v.list_name = format!(
            "{} · {}{}",
            v.list_name,
            ranges.join(", "),
            if more > 0 {
                format!(" +{more}")
            } else {
                String::new()
            }
        );
    }
    if let Some(t) = clips.iter().find_map(|c| c.thumbnail_url.clone()) {
        v.thumbnail_url = Some(t);
    }
    v.clips = clips;
    v
}

fn clip_of(item: &SearchItem) -> Clip {
    Clip {
        start: item.start_secs().unwrap_or(0.0),
        end: item.end_secs().unwrap_or(0.0),
        rank: item.rank,
        thumbnail_url: item.thumbnail_url.clone(),
    }
}

/// The inspector's sections for a TwelveLabs asset.
pub fn sections(asset: &Asset, _collections: &HashMap<String, String>) -> Vec<Section> {
    let line = |s: &str| sanitize::line(s, VALUE_MAX);
    let mut summary = Vec::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            summary.push((k.to_string(), v));
        }
    };
    put("Name", asset.filename.as_deref().map(line));
    put("Id", asset.id().map(line));
    put(
        "Status",
        asset.status.as_ref().map(|s| match s {
            AssetStatus::Failed => match asset.error.as_ref().and_then(|e| e.message.as_deref()) {
                Some(m) => format!("failed: {}", line(m)),
                None => "failed".into(),
            },
            other => line(other.as_str()),
        }),
    );
    put("Method", asset.method.as_ref().map(|m| line(m.as_str())));
    put(
        "File",
        match (
            asset.size.map(crate::text::human_size),
            asset.file_type.as_deref().map(line),
        ) {
            (Some(s), Some(m)) => Some(format!("{s} · {m}")),
            (s, m) => s.or(m),
        },
    );
    put("Duration", asset.duration_secs().map(duration_text));
    put(
        "Dimensions",
        dims_of(asset).map(|(w, h)| format!("{w} × {h} px")),
    );
    put("Created", asset.created_at.as_deref().map(line));
    let rendition = |status: Option<&RenditionStatus>, url: Option<&str>| {
        status.map(|s| match url {
            Some(_) => format!("{} (link ready)", line(s.as_str())),
            None => line(s.as_str()),
        })
    };
    put(
        "HLS",
        asset
            .hls
            .as_ref()
            .and_then(|h| rendition(h.status.as_ref(), h.manifest_url.as_deref())),
    );
    put(
        "Thumbnail",
        asset
            .thumbnail
            .as_ref()
            .and_then(|t| rendition(t.status.as_ref(), t.representative_url.as_deref())),
    );
    let tags = chips(asset.user_metadata.as_ref());
    put(
        "Metadata",
        (!tags.is_empty()).then(|| line(&tags.join(", "))),
    );
    let mut out = vec![Section {
        title: "Summary".into(),
        rows: summary,
    }];
    let Ok(Value::Object(map)) = serde_json::to_value(asset) else {
        return out;
    };
    const SHOWN: &[&str] = &[
        "_id",
        "filename",
        "status",
        "method",
        "size",
        "file_type",
        "duration",
        "created_at",
    ];
    let mut general = Vec::new();
    for (key, value) in &map {
        if SHOWN.contains(&key.as_str()) {
            continue;
        }
        match value {
            Value::Object(inner) => {
                let mut rows = Vec::new();
                for (k, v) in inner {
                    flatten(k, v, &mut rows);
                }
                if !rows.is_empty() {
                    let title = match key.as_str() {
                        "technical_metadata" => "Technical".to_string(),
                        "user_metadata" => "User metadata".to_string(),
                        "hls" => "HLS".to_string(),
                        "thumbnail" => "Thumbnail".to_string(),
                        "error" => "Error".to_string(),
                        other => line(other),
                    };
                    out.push(Section { title, rows });
                }
            }
            other => flatten(key, other, &mut general),
        }
    }
    if !general.is_empty() {
        out.insert(
            1,
            Section {
                title: "Asset".into(),
                rows: general,
            },
        );
    }
    out
}

/// `73.4` → `1:13.4`.
pub fn duration_text(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return String::new();
    }
    let whole = secs.floor() as u64;
    let tenths = ((secs - secs.floor()) * 10.0).round() as u64 % 10;
    let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}.{tenths}")
    }
}

/// A transcription as the inspector shows it: its sentences (else its
/// utterances, else its words), at most [`TRANSCRIPT_MAX_LINES`], each
/// sanitized and cut to [`TRANSCRIPT_LINE_MAX`] characters.
pub fn transcript(t: Transcription) -> Transcript {
    match &t.status {
        Some(TranscriptionStatus::Ready) | None => {}
        Some(TranscriptionStatus::Failed) => {
            return Transcript::Failed(
                t.error
                    .and_then(|e| e.message)
                    .map(|m| sanitize::line(&m, 300))
                    .unwrap_or_else(|| "failed".into()),
            )
        }
        Some(other) => return Transcript::NotReady(sanitize::line(other.as_str(), 40)),
    }
    let segments = t
        .sentences
        .filter(|s| !s.is_empty())
        .or(t.utterances.filter(|s| !s.is_empty()))
        .or(t.words)
        .unwrap_or_default();
    let more = segments.len().saturating_sub(TRANSCRIPT_MAX_LINES);
    let secs = |n: Option<&serde_json::Number>| n.and_then(|n| n.as_f64()).unwrap_or(0.0);
    let lines = segments
        .into_iter()
        .take(TRANSCRIPT_MAX_LINES)
        .map(|s| TranscriptLine {
            start: secs(s.start.as_ref()),
            end: secs(s.end.as_ref()),
            text: sanitize::line(s.value.as_deref().unwrap_or_default(), TRANSCRIPT_LINE_MAX),
        })
        .collect();
    Transcript::Lines(lines, more)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transcript_is_sanitized_and_bounded() {
        let many: Vec<serde_json::Value> = (0..TRANSCRIPT_MAX_LINES + 7)
            .map(|i| serde_json::json!({"start": i, "end": i + 1, "value": format!("line {i}\u{1b}[2J\u{202e}")}))
            .collect();
        let t: Transcription =
            serde_json::from_value(serde_json::json!({"status": "ready", "sentences": many}))
                .unwrap();
        let Transcript::Lines(lines, more) = transcript(t) else {
            panic!("lines expected");
        };
        assert_eq!(lines.len(), TRANSCRIPT_MAX_LINES);
        assert_eq!(more, 7);
        assert_eq!(lines[3].text, "line 3[2J");
        assert_eq!((lines[3].start, lines[3].end), (3.0, 4.0));
        let long: Transcription = serde_json::from_value(serde_json::json!({
            "status": "ready", "words": [{"start": 0, "end": 1, "value": "x".repeat(5000)}]
        }))
        .unwrap();
        let Transcript::Lines(lines, _) = transcript(long) else {
            panic!("lines expected");
        };
        assert!(lines[0].text.chars().count() <= TRANSCRIPT_LINE_MAX + 1);
        assert!(lines[0].text.ends_with('…'), "a cut is marked");
        let pending: Transcription =
            serde_json::from_value(serde_json::json!({"status": "processing"})).unwrap();
        assert_eq!(
            transcript(pending),
            Transcript::NotReady("processing".into())
        );
    }

    fn ready_video() -> Asset {
        serde_json::from_value(serde_json::json!({
            "_id": "6890f3a1c2b4e5d6f7a8b9c0",
            "method": "direct",
            "status": "ready",
            "filename": "beach-day\u{1b}[31m.mp4",
            "file_type": "video/mp4",
            "created_at": "2025-08-04T09:15:22Z",
            "user_metadata": {"category": "travel", "rating": 4.5, "reviewed": true},
            "hls": {"status": "ready", "manifest_url": "https://cdn.example.com/x/master.m3u8"},
            "thumbnail": {"status": "ready", "representative_url": "https://cdn.example.com/x/thumb.jpg"},
            "technical_metadata": {"video_codec": "h264", "video_width": 1920, "video_height": 1080,
                                   "video_fps": 29.97, "somethingNew": {"deep": 1}},
            "size": 48213377,
            "duration": 73.4
        }))
        .unwrap()
    }

    #[test]
    fn a_ready_video_maps_to_a_view_that_loses_nothing() {
        let v = view(ready_video());
        assert_eq!(v.id, "6890f3a1c2b4e5d6f7a8b9c0");
        assert_eq!(v.media, MediaKind::Video);
        assert_eq!(v.kind_label.as_deref(), Some("mp4"));
        assert_eq!(v.dims, Some((1920, 1080)));
        assert_eq!(v.duration, Some(73.4));
        assert_eq!(v.size, Some(48_213_377));
        assert_eq!(v.status, Processing::Ready);
        assert_eq!(v.tags, ["category=travel", "rating=4.5", "reviewed=true"]);
        assert_eq!(
            v.thumbnail_url.as_deref(),
            Some("https://cdn.example.com/x/thumb.jpg")
        );
        // the raw object is the service's, unchanged
        let raw = v.raw();
        assert_eq!(raw["technical_metadata"]["somethingNew"]["deep"], 1);
        assert_eq!(raw["_id"], "6890f3a1c2b4e5d6f7a8b9c0");
    }

    #[test]
    fn processing_and_failed_assets_say_so() {
        let processing: Asset = serde_json::from_value(serde_json::json!({
            "_id": "a", "status": "processing", "filename": "clip.mp4",
            "hls": {"status": "pending"}
        }))
        .unwrap();
        assert!(matches!(view(processing).status, Processing::Pending(_)));
        let failed: Asset = serde_json::from_value(serde_json::json!({
            "_id": "b", "status": "failed", "error": {"message": "not a media file"}
        }))
        .unwrap();
        assert_eq!(
            view(failed).status,
            Processing::Failed("not a media file".into())
        );
    }

    #[test]
    fn sections_summarise_then_show_every_field_sanitized() {
        let s = sections(&ready_video(), &HashMap::new());
        let summary: HashMap<_, _> = s[0].rows.iter().cloned().collect();
        assert_eq!(summary["Name"], "beach-day[31m.mp4");
        assert_eq!(summary["Duration"], "1:13.4");
        assert_eq!(summary["Dimensions"], "1920 × 1080 px");
        assert_eq!(summary["File"], "46.0 MiB · video/mp4");
        assert_eq!(summary["HLS"], "ready (link ready)");
        let titles: Vec<&str> = s.iter().map(|s| s.title.as_str()).collect();
        assert!(titles.contains(&"Technical"), "{titles:?}");
        assert!(titles.contains(&"User metadata"), "{titles:?}");
        let all: Vec<&(String, String)> = s.iter().flat_map(|s| &s.rows).collect();
        assert!(all
            .iter()
            .any(|(k, v)| k == "somethingNew.deep" && v == "1"));
        assert!(all
            .iter()
            .all(|(k, v)| !k.contains('\u{1b}') && !v.contains('\u{1b}')));
    }

    #[test]
    fn pages_number_themselves_until_the_last() {
        let page = |n: u64, total: u64, items: usize| -> TlPage<Asset> {
            serde_json::from_value(serde_json::json!({
                "data": (0..items).map(|i| serde_json::json!({"_id": format!("a{i}")})).collect::<Vec<_>>(),
                "page_info": {"page": n, "limit_per_page": 2, "total_page": total, "total_results": 3}
            }))
            .unwrap()
        };
        let first = list_page(1, page(1, 2, 2));
        assert_eq!(first.next.as_deref(), Some("2"));
        assert_eq!(first.total, Some(3));
        assert_eq!(list_page(2, page(2, 2, 1)).next, None);
        assert_eq!(list_page(3, page(3, 2, 0)).next, None, "past the end");
    }

    #[test]
    fn chips_round_trip_through_metadata() {
        let meta = metadata_of(&[
            "take=3".into(),
            "reviewed=true".into(),
            "project=coast".into(),
        ]);
        assert_eq!(
            chips(Some(&meta)),
            ["take=3", "reviewed=true", "project=coast"]
        );
        assert_eq!(duration_text(3725.0), "1:02:05");
    }
}
