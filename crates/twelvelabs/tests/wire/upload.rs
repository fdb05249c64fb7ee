//! The multipart upload flow against a server that plays both the API and
//! the storage behind the presigned URLs.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{Recorded, Recorder, Reply, KEY};
use assetui_twelvelabs::models::{AssetType, CompletedChunk};
use assetui_twelvelabs::upload::{MultipartUpload, Resume, UploadProgress};
use assetui_twelvelabs::{ChunkPolicy, Client, Error};
use serde_json::json;

const CHUNK: u64 = 1000;

#[derive(Default)]
struct Storage {
    chunks: BTreeMap<u64, Vec<u8>>,
    reported: Vec<CompletedChunk>,
    /// PUT failures still to serve, per chunk.
    failures: BTreeMap<u64, u32>,
    total_chunks: u64,
}

fn storage_server(
    total_chunks: u64,
    failures: &[(u64, u32)],
) -> (Arc<Mutex<Storage>>, impl Fn(&Recorded, &str) -> Reply) {
    let state = Arc::new(Mutex::new(Storage {
        failures: failures.iter().cloned().collect(),
        total_chunks,
        ..Storage::default()
    }));
    let s = state.clone();
    let handler = move |r: &Recorded, origin: &str| {
        let mut st = s.lock().unwrap();
        let url = |i: u64| json!({"chunk_index": i, "url": format!("{origin}/s3/up1/{i}?sig=abc"), "expires_at": "2025-08-04T10:00:00Z"});
        match (r.method.as_str(), r.path.as_str()) {
            ("POST", "/v1.3/assets/multipart-uploads") => Reply::json(
                201,
                json!({
                    "upload_id": "up1",
                    "asset_id": "as1",
                    // only the first two URLs: the rest must be asked for
                    "upload_urls": [url(1), url(2)],
                    "chunk_size": CHUNK,
                    "total_chunks": st.total_chunks,
                    "expires_at": "2025-08-05T09:00:00Z"
                }),
            ),
            ("POST", "/v1.3/assets/multipart-uploads/up1/presigned-urls") => {
                let body = r.json();
                let start = body["start"].as_u64().unwrap();
                let count = body["count"].as_u64().unwrap();
                assert!(count <= 50);
                let urls: Vec<_> = (start..start + count).map(url).collect();
                Reply::json(
                    200,
                    json!({"upload_id": "up1", "start_index": start, "count": count, "upload_urls": urls}),
                )
            }
            ("PUT", path) if path.starts_with("/s3/up1/") => {
                let i: u64 = path.rsplit('/').next().unwrap().parse().unwrap();
                if let Some(n) = st.failures.get_mut(&i).filter(|n| **n > 0) {
                    *n -= 1;
                    return Reply::error(500, "internal", "storage hiccup");
                }
                st.chunks.insert(i, r.body.clone());
                Reply::empty(200).with_header("ETag", &format!("\"etag-{i}\""))
            }
            ("POST", "/v1.3/assets/multipart-uploads/up1") => {
                let chunks: Vec<CompletedChunk> =
                    serde_json::from_value(r.json()["completed_chunks"].clone()).unwrap();
                let n = chunks.len();
                st.reported.extend(chunks);
                let mut reply = json!({"asset_id": "as1", "processed_chunks": n, "duplicate_chunks": 0, "total_completed": st.reported.len()});
                if st.reported.len() as u64 == st.total_chunks {
                    reply["url"] = json!("https://cdn.example.com/as1.mp4");
                }
                Reply::json(200, reply)
            }
            _ => Reply::error(404, "resource_not_exist", "unknown route"),
        }
    };
    (state, handler)
}

fn fast_chunks() -> ChunkPolicy {
    ChunkPolicy {
        attempts: 3,
        backoff: Duration::from_millis(1),
        concurrency: 2,
        report_batch: 2,
        ..ChunkPolicy::default()
    }
}

fn client(rec: &Recorder) -> Client {
    Client::new(rec.options().chunks(fast_chunks())).unwrap()
}

#[tokio::test]
async fn a_file_goes_up_in_chunks_without_the_key_on_storage() {
    let (state, handler) = storage_server(5, &[]);
    let rec = Recorder::route(handler).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("talk.mp4");
    let content: Vec<u8> = (0..4500u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(&path, &content).unwrap();
    let seen = Mutex::new(Vec::<UploadProgress>::new());
    let mut upload = MultipartUpload::new(&path);
    upload.enable_hls = Some(true);
    let outcome = client(&rec)
        .upload_multipart(&upload, &Resume::new(), &|p| seen.lock().unwrap().push(p))
        .await
        .unwrap();
    assert_eq!(outcome.upload_id, "up1");
    assert_eq!(outcome.asset_id, "as1");
    assert_eq!(
        outcome.url.as_deref(),
        Some("https://cdn.example.com/as1.mp4")
    );

    let st = state.lock().unwrap();
    let joined: Vec<u8> = st.chunks.values().flatten().copied().collect();
    assert_eq!(joined, content, "the chunks make the file");
    assert_eq!(st.chunks[&5].len(), 500, "the last chunk is the rest");
    let mut reported = st.reported.clone();
    reported.sort_by_key(|c| c.chunk_index);
    assert_eq!(reported.len(), 5);
    for c in &reported {
        assert_eq!(
            c.proof,
            format!("etag-{}", c.chunk_index),
            "quotes stripped"
        );
        assert_eq!(c.proof_type, "etag");
        assert_eq!(c.chunk_size, if c.chunk_index == 5 { 500 } else { 1000 });
    }

    let reqs = rec.requests();
    let create = &reqs[0];
    assert_eq!(create.header("x-api-key"), Some(KEY));
    assert_eq!(create.header("content-type"), Some("application/json"));
    assert_eq!(
        String::from_utf8(create.body.clone()).unwrap(),
        r#"{"filename":"talk.mp4","type":"video","total_size":4500,"enable_hls":true}"#
    );
    // the missing URLs in one request: chunks 3 to 5
    let asked: Vec<_> = reqs
        .iter()
        .filter(|r| r.path.ends_with("/presigned-urls"))
        .collect();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].json(), json!({"start": 3, "count": 3}));
    for put in reqs.iter().filter(|r| r.method == "PUT") {
        assert_eq!(put.header("x-api-key"), None, "storage never sees the key");
        assert_eq!(put.header("content-type"), Some("application/octet-stream"));
        assert_eq!(put.query.as_deref(), Some("sig=abc"));
    }
    // reports in batches of two, the rest at the end
    let reports: Vec<usize> = reqs
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/v1.3/assets/multipart-uploads/up1")
        .map(|r| r.json()["completed_chunks"].as_array().unwrap().len())
        .collect();
    assert_eq!(reports, [2, 2, 1]);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 5);
    let last = seen.iter().max_by_key(|p| p.chunks_done).unwrap();
    assert_eq!(
        (last.chunks_done, last.bytes_done, last.total_bytes),
        (5, 4500, 4500)
    );
}

#[tokio::test]
async fn a_failed_chunk_is_retried_alone_on_a_fresh_url() {
    let (state, handler) = storage_server(3, &[(2, 2)]);
    let rec = Recorder::route(handler).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("song.mp3");
    std::fs::write(&path, vec![9u8; 2500]).unwrap();
    let outcome = client(&rec)
        .upload_multipart(&MultipartUpload::new(&path), &Resume::new(), &|_| {})
        .await
        .unwrap();
    assert_eq!(outcome.asset_id, "as1");
    assert_eq!(state.lock().unwrap().chunks.len(), 3);
    let reqs = rec.requests();
    assert_eq!(reqs[0].json()["type"], "audio");
    let puts = |i: u64| {
        reqs.iter()
            .filter(|r| r.method == "PUT" && r.path == format!("/s3/up1/{i}"))
            .count()
    };
    assert_eq!((puts(1), puts(2), puts(3)), (1, 3, 1));
    // each retry of chunk 2 asked for a fresh URL of its own
    let fresh: Vec<_> = reqs
        .iter()
        .filter(|r| r.path.ends_with("/presigned-urls"))
        .map(|r| r.json())
        .collect();
    assert_eq!(
        fresh
            .iter()
            .filter(|b| **b == json!({"start": 2, "count": 1}))
            .count(),
        2
    );
}

#[tokio::test]
async fn a_chunk_that_keeps_failing_ends_the_upload_with_its_number() {
    let (_state, handler) = storage_server(3, &[(3, 10)]);
    let rec = Recorder::route(handler).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clip.mp4");
    std::fs::write(&path, vec![1u8; 2500]).unwrap();
    let err = client(&rec)
        .upload_multipart(&MultipartUpload::new(&path), &Resume::new(), &|_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Chunk {
                chunk: 3,
                attempts: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("chunk 3 of the upload failed after 3 attempts"),
        "{err}"
    );
}

#[tokio::test]
async fn uploads_refuse_what_cannot_work_before_sending() {
    let rec = Recorder::script(vec![], Reply::error(500, "x", "y")).await;
    let c = client(&rec);
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("notes.bin");
    std::fs::write(&doc, b"x").unwrap();
    let err = c
        .upload_multipart(&MultipartUpload::new(&doc), &Resume::new(), &|_| {})
        .await
        .unwrap_err();
    assert!(err.to_string().contains("video, audio or image"), "{err}");
    let empty = dir.path().join("empty.mp4");
    std::fs::write(&empty, b"").unwrap();
    assert!(c
        .upload_multipart(&MultipartUpload::new(&empty), &Resume::new(), &|_| {})
        .await
        .is_err());
    let huge = dir.path().join("huge.mp4");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len((10u64 << 30) + 1)
        .unwrap();
    let err = c
        .upload_multipart(&MultipartUpload::new(&huge), &Resume::new(), &|_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, Error::FileTooLarge { .. }), "{err:?}");
    assert!(rec.requests().is_empty());
    // an explicit type is sent as given
    let mut typed = MultipartUpload::new(&doc);
    typed.asset_type = Some(AssetType::Image);
    let _ = c.upload_multipart(&typed, &Resume::new(), &|_| {}).await;
    assert_eq!(rec.last().json()["type"], "image");
}

#[tokio::test]
async fn the_session_is_not_created_twice_when_the_connection_drops() {
    let rec = Recorder::script(vec![], Reply::HangUp).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clip.mp4");
    std::fs::write(&path, vec![1u8; 10]).unwrap();
    let err = client(&rec)
        .upload_multipart(&MultipartUpload::new(&path), &Resume::new(), &|_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Interrupted {
                may_have_acted: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(rec.requests().len(), 1);
}

#[tokio::test]
async fn status_incomplete_uploads_and_a_403_preview() {
    let rec = Recorder::script(
        vec![
            Reply::json(
                200,
                json!({"upload_id": "up1", "status": "completed", "uploaded_chunks": []}),
            ),
            Reply::json(200, json!({"data": [], "page_info": {"page": 2}})),
        ],
        Reply::error(
            403,
            "api_not_allowed",
            "Multipart upload is in private preview.",
        ),
    )
    .await;
    let c = client(&rec);
    c.upload_status("up1", Some(2), Some(50)).await.unwrap();
    let r = rec.last();
    assert_eq!(r.path, "/v1.3/assets/multipart-uploads/up1");
    assert_eq!(r.query.as_deref(), Some("page=2&page_limit=50"));
    c.list_incomplete_uploads(Some(2), None).await.unwrap();
    assert_eq!(rec.last().path, "/v1.3/assets/multipart-uploads");
    assert_eq!(rec.last().query.as_deref(), Some("page=2"));
    let err = c.presigned_urls("up1", 1, 51).await.unwrap_err();
    assert!(matches!(err, Error::Invalid(_)));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clip.mp4");
    std::fs::write(&path, vec![1u8; 10]).unwrap();
    let err = c
        .upload_multipart(&MultipartUpload::new(&path), &Resume::new(), &|_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "api_not_allowed: Multipart upload is in private preview. (403 on POST /v1.3/assets/multipart-uploads: this account may not use it)"
    );
}

/// The app's workers spawn these calls: their futures must be `Send`.
#[test]
fn the_calls_can_be_spawned() {
    fn send<T: Send>(_: T) {}
    let c = Client::new(assetui_twelvelabs::ClientOptions::new(
        "http://127.0.0.1:9/v1.3",
    ))
    .unwrap();
    let upload = MultipartUpload::new("x.mp4");
    send(c.upload_multipart(&upload, &Resume::new(), &|_| {}));
    send(c.create_asset(&assetui_twelvelabs::assets::CreateAsset::url("https://x/a")));
    send(c.search(&assetui_twelvelabs::search::SearchRequest::text("i", "q")));
    send(c.search_pages(assetui_twelvelabs::search::SearchRequest::text("i", "q")));
    send(c.list_assets_pages(&Default::default()));
    send(c.put_user_metadata("a", &Default::default()));
}
