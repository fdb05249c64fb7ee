//! Every example of the reference's section 7 decodes, keeps what it
//! holds, and encodes back to the same JSON.

use assetui_twelvelabs::models::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

const ASSET_READY: &str = include_str!("../fixtures/asset_ready.json");
const ASSETS_PAGE: &str = include_str!("../fixtures/assets_page.json");
const ASSET_FAILED: &str = include_str!("../fixtures/asset_failed.json");
const SEARCH_CLIP_PAGE: &str = include_str!("../fixtures/search_clip_page.json");
const SEARCH_VIDEO_PAGE: &str = include_str!("../fixtures/search_video_page.json");
const ERROR_CONFLICT: &str = include_str!("../fixtures/error_conflict.json");

/// Decodes, re-encodes and checks the JSON is unchanged.
fn round_trip<T: DeserializeOwned + Serialize>(text: &str) -> T {
    let value: T = serde_json::from_str(text).unwrap();
    let original: Value = serde_json::from_str(text).unwrap();
    let again = serde_json::to_value(&value).unwrap();
    assert_eq!(again, original, "round trip changed the JSON");
    value
}

#[test]
fn a_ready_asset_decodes_every_field() {
    let a: Asset = round_trip(ASSET_READY);
    assert_eq!(a.id(), Some("6890f3a1c2b4e5d6f7a8b9c0"));
    assert_eq!(a.method, Some(AssetMethod::Direct));
    assert_eq!(a.status, Some(AssetStatus::Ready));
    assert_eq!(a.file_type.as_deref(), Some("video/mp4"));
    assert_eq!(a.size, Some(48213377));
    assert_eq!(a.duration_secs(), Some(73.4));
    assert_eq!(a.hls.as_ref().unwrap().status, Some(RenditionStatus::Ready));
    assert!(a.hls_url().unwrap().ends_with("master.m3u8"));
    assert!(a.thumbnail_url().unwrap().ends_with("thumb.jpg"));
    let m = a.user_metadata.as_ref().unwrap();
    assert_eq!(m.get("category"), Some(&MetadataValue::from("travel")));
    assert_eq!(m.get("rating").unwrap().to_text(), "4.5");
    assert_eq!(m.get("reviewed"), Some(&MetadataValue::Bool(true)));
    assert_eq!(m.get("tags").unwrap().to_text(), "beach, summer");
    let t = a.technical_metadata.as_ref().unwrap();
    assert_eq!(t.video_codec.as_deref(), Some("h264"));
    assert_eq!(t.video_width.as_ref().unwrap().as_u64(), Some(1920));
    assert_eq!(t.video_fps.as_ref().unwrap().as_f64(), Some(29.97));
    assert_eq!(t.has_audio, Some(true));
    assert!(
        t.extra.is_empty(),
        "every field of the example is typed: {:?}",
        t.extra
    );
    assert!(a.extra.is_empty(), "{:?}", a.extra);
    assert!(!a.is_processing());
}

#[test]
fn a_list_page_decodes_with_a_processing_item() {
    let p: Page<AssetDetail> = round_trip(ASSETS_PAGE);
    assert_eq!(p.items().len(), 2);
    let info = p.page_info.as_ref().unwrap();
    assert_eq!(
        (
            info.page,
            info.limit_per_page,
            info.total_page,
            info.total_results
        ),
        (Some(1), Some(2), Some(3), Some(5))
    );
    let second = &p.items()[1];
    assert_eq!(second.method, Some(AssetMethod::Url));
    assert_eq!(second.status, Some(AssetStatus::Processing));
    assert_eq!(
        second.hls.as_ref().unwrap().status,
        Some(RenditionStatus::Pending)
    );
    assert_eq!(second.hls_url(), None);
    assert_eq!(second.size, None);
    assert!(second.is_processing());
}

#[test]
fn a_failed_asset_keeps_its_error_and_partial_metadata() {
    let a: Asset = round_trip(ASSET_FAILED);
    assert_eq!(a.status, Some(AssetStatus::Failed));
    assert_eq!(
        a.error.as_ref().unwrap().message.as_deref(),
        Some("The file could not be decoded.")
    );
    let t = a.technical_metadata.as_ref().unwrap();
    assert_eq!(t.file_size_bytes.as_ref().unwrap().as_u64(), Some(1048576));
    assert_eq!(t.video_codec, None);
}

#[test]
fn a_clip_search_page_decodes() {
    let p: SearchPage = round_trip(SEARCH_CLIP_PAGE);
    assert_eq!(p.items().len(), 2);
    let c = &p.items()[0];
    assert_eq!(c.video(), Some("6891a0c4d5e6f7a8b9c0d1e2"));
    assert_eq!(
        (c.start_secs(), c.end_secs(), c.rank),
        (Some(12.5), Some(19.0), Some(1))
    );
    assert_eq!(
        c.transcription.as_deref(),
        Some("and here the waves come in")
    );
    assert_eq!(p.items()[1].transcription, None);
    assert_eq!(
        p.next_page_token(),
        Some("d1e2f3a4-0001-4b6c-9d8e-7f6a5b4c3d2e-2")
    );
    let pool = p.search_pool.as_ref().unwrap();
    assert_eq!(pool.total_count, Some(12));
    assert_eq!(pool.index_id.as_deref(), Some("688ff0a1b2c3d4e5f6a7b8c9"));
    assert_eq!(p.page_info.as_ref().unwrap().prev_page_token, None);
}

#[test]
fn a_video_search_page_decodes_with_its_clips() {
    let p: SearchPage = round_trip(SEARCH_VIDEO_PAGE);
    let v = &p.items()[0];
    assert_eq!(v.id.as_deref(), Some("6891a0e7d5e6f7a8b9c0d1e3"));
    assert_eq!(v.video(), Some("6891a0e7d5e6f7a8b9c0d1e3"));
    assert_eq!(
        v.user_metadata.as_ref().unwrap().get("category"),
        Some(&MetadataValue::from("travel"))
    );
    assert_eq!(v.clips().len(), 2);
    assert_eq!(v.clips()[1].rank, Some(6));
    assert_eq!(v.clips()[1].start_secs(), Some(230.0));
    let info = p.page_info.as_ref().unwrap();
    assert_eq!(info.total_inner_matches, Some(7));
    assert!(info.prev_page_token.as_deref().unwrap().ends_with("-1"));
}

#[test]
fn the_error_example_decodes() {
    let e: ErrorBody = round_trip(ERROR_CONFLICT);
    assert_eq!(e.code.as_deref(), Some("…"));
    assert!(e.message.as_deref().unwrap().contains("force=true"));
    assert_eq!(e.docs_url, None);
}

#[test]
fn unknown_fields_and_values_are_kept() {
    let text = json!({
        "_id": "a1",
        "status": "archived",
        "method": "teleport",
        "hls": {"status": "queued", "segments": 12},
        "duration": 12,
        "brand_new": {"x": [1, 2]},
        "score": 83.2
    })
    .to_string();
    let a: Asset = round_trip(&text);
    assert_eq!(a.status, Some(AssetStatus::Other("archived".into())));
    assert_eq!(a.method, Some(AssetMethod::Other("teleport".into())));
    assert_eq!(
        a.hls.as_ref().unwrap().status,
        Some(RenditionStatus::Other("queued".into()))
    );
    assert_eq!(a.extra["brand_new"], json!({"x": [1, 2]}));
    // an integer duration stays an integer
    assert_eq!(serde_json::to_value(&a).unwrap()["duration"], json!(12));
    assert_eq!(a.duration_secs(), Some(12.0));
    // a plain `id` is kept as sent and still read as the id
    let b: Asset = round_trip(r#"{"id":"plain"}"#);
    assert_eq!(b.id(), Some("plain"));
    // absent stays absent
    let empty: Asset = round_trip("{}");
    assert_eq!(empty.id(), None);
}

#[test]
fn indexes_and_indexed_assets_decode_and_keep_a_null_expiry() {
    let index = json!({
        "_id": "688ff0a1b2c3d4e5f6a7b8c9",
        "index_name": "demo",
        "models": [{"model_name": "marengo3.0", "model_options": ["visual", "audio"]}],
        "addons": [],
        "video_count": 12,
        "total_duration": 5321.5,
        "created_at": "2025-08-01T00:00:00Z",
        "updated_at": "2025-08-04T09:00:00Z",
        "expires_at": null
    })
    .to_string();
    let i: Index = round_trip(&index);
    assert_eq!(i.id(), Some("688ff0a1b2c3d4e5f6a7b8c9"));
    assert_eq!(i.expires_at, Some(None));
    assert_eq!(
        i.models.as_ref().unwrap()[0].model_name.as_deref(),
        Some("marengo3.0")
    );
    let absent: Index = round_trip(r#"{"_id":"x"}"#);
    assert_eq!(absent.expires_at, None);

    let detail = json!({
        "_id": "6891a0e7d5e6f7a8b9c0d1e3",
        "asset_id": "6890f3a1c2b4e5d6f7a8b9c0",
        "created_at": "2025-08-04T09:16:00Z",
        "updated_at": "2025-08-04T09:18:00Z",
        "indexed_at": "2025-08-04T09:18:00Z",
        "status": "ready",
        "system_metadata": {"filename": "beach-day.mp4", "duration": 73.4, "fps": 29.97, "width": 1920, "height": 1080, "size": 48213377.0},
        "user_metadata": {"category": "travel"},
        "hls": {"video_url": "https://cdn.example.com/v.m3u8", "thumbnail_urls": ["https://cdn.example.com/t.jpg"], "status": "COMPLETE", "updated_at": "2025-08-04T09:18:00Z"}
    })
    .to_string();
    let v: IndexedAsset = round_trip(&detail);
    assert_eq!(v.status, Some(IndexedAssetStatus::Ready));
    assert_eq!(
        v.hls.as_ref().unwrap().status,
        Some(VideoHlsStatus::Complete)
    );
    assert_eq!(
        v.system_metadata
            .as_ref()
            .unwrap()
            .size
            .as_ref()
            .unwrap()
            .as_f64(),
        Some(48213377.0)
    );
}

#[test]
fn upload_session_and_status_decode() {
    let session = json!({
        "upload_id": "up_1",
        "asset_id": "as_1",
        "upload_urls": [{"chunk_index": 1, "url": "https://s3.example/1", "expires_at": "2025-08-04T10:00:00Z"}],
        "upload_headers": {"x-amz-acl": "private"},
        "chunk_size": 5242880,
        "total_chunks": 3,
        "expires_at": "2025-08-05T09:00:00Z"
    })
    .to_string();
    let s: UploadSession = round_trip(&session);
    assert_eq!(s.chunk_size, Some(5242880));
    let status = json!({
        "upload_id": "up_1",
        "status": "active",
        "uploaded_chunks": [
            {"index": 1, "status": "completed", "uploaded_at": "2025-08-04T09:01:00Z", "updated_at": "2025-08-04T09:01:00Z"},
            {"index": 2, "status": "pending", "uploaded_at": null, "updated_at": "2025-08-04T09:00:00Z"},
            {"index": 3, "status": "failed", "uploaded_at": null, "error": "checksum mismatch"}
        ],
        "chunks_completed": 1, "chunks_failed": 1, "chunks_pending": 1,
        "page_info": {"page": 1, "limit_per_page": 10, "total_page": 1, "total_results": 3},
        "total_size": 12000000, "uploaded_size": 5242880,
        "created_at": "2025-08-04T09:00:00Z", "updated_at": "2025-08-04T09:01:00Z"
    })
    .to_string();
    let st: UploadStatusPage = round_trip(&status);
    assert_eq!(st.status, Some(UploadStatus::Active));
    let chunks = st.uploaded_chunks.as_ref().unwrap();
    assert_eq!(chunks[1].uploaded_at, Some(None));
    assert_eq!(chunks[2].status, Some(ChunkStatus::Failed));
    let report: ChunkReport = round_trip(
        r#"{"url":"https://x/a","asset_id":"as_1","processed_chunks":3,"duplicate_chunks":0,"total_completed":3}"#,
    );
    assert_eq!(report.total_completed, Some(3));
}
