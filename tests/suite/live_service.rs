//! The live Scenario service's rules as real clients meet them (issue 17):
//! multipart uploads of any file, the 10 MiB body bound, collections of
//! at most 49 ids without members, batch zips with all three arrays and a
//! template, job statuses, search hits without `kind`/`properties`/
//! `status` and offset paging, error bodies, and page tokens. Each rule is
//! checked on the demo server and, where the server cannot produce the
//! case, against scripted answers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use assetui::api::params::*;
use assetui::api::uploads::{self, FileUpload, UploadProgress};
use assetui::api::{ApiError, Client, ClientOptions};
use assetui::server::faults::Scripted;
use assetui::server::{self, ServerConfig};
use base64::Engine;
use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::support::{self, asset_json, Recorder, Reply};

const KEY: &str = "key";
const SECRET: &str = "secret";

async fn demo_with(config: ServerConfig) -> (server::Running, Client) {
    let running = server::start(config).await.expect("server starts");
    let client = Client::new(ClientOptions::new(running.base_url.clone())).unwrap();
    (running, client)
}

async fn demo() -> (server::Running, Client) {
    demo_with(ServerConfig::default()).await
}

/// A demo server that wants credentials, and a client that has them.
async fn demo_with_auth() -> (server::Running, Client) {
    let config = ServerConfig {
        auth: Some((KEY.into(), SECRET.into())),
        ..ServerConfig::default()
    };
    let running = server::start(config).await.expect("server starts");
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:{SECRET}"))
    );
    let client =
        Client::new(ClientOptions::new(running.base_url.clone()).authorization(Some(auth)))
            .unwrap();
    (running, client)
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A WAV file of `len` bytes (a real header, then silence and a pattern).
fn wav(len: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(len);
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&((len as u32).saturating_sub(8)).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&[1, 0, 1, 0, 0x44, 0xAC, 0, 0, 0x88, 0x58, 1, 0, 2, 0, 16, 0]);
    v.extend_from_slice(b"data");
    v.extend_from_slice(&((len as u32).saturating_sub(44)).to_le_bytes());
    let mut i = 0u32;
    while v.len() < len {
        v.push((i.wrapping_mul(2_654_435_761) >> 24) as u8);
        i += 1;
    }
    v.truncate(len);
    v
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 7])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Polls `GET /uploads/{id}` (as the SDK does) until it leaves
/// `pending`/`validating`/`validated`, at most 30 s.
async fn poll_upload(base: &str, auth: Option<&str>, id: &str) -> Value {
    let http = http();
    for _ in 0..600 {
        let mut req = http.get(format!("{base}/uploads/{id}"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        let status = v["upload"]["status"].as_str().unwrap_or("").to_string();
        if !matches!(status.as_str(), "pending" | "validating" | "validated") {
            return v["upload"].clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the upload never ended");
}

fn basic() -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:{SECRET}"))
    )
}

// ---------------------------------------------------------------------------
// The server's /uploads, driven as the official SDK drives it
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn the_sdks_multipart_flow_imports_an_audio_file_with_its_options() {
    let (srv, client) = demo_with_auth().await;
    let base = srv.base_url.clone();
    let auth = basic();
    let http = http();
    let collection = srv
        .state
        .lib
        .read()
        .unwrap()
        .collections
        .keys()
        .next()
        .cloned()
        .unwrap();
    let parent = server::manifest::embedded().unwrap().assets[0].id.clone();
    let file = wav(11 * 1024 * 1024 + 123);
    let part = 5 * 1024 * 1024;
    let parts = file.len().div_ceil(part);
    let created: Value = http
        .post(format!("{base}/uploads"))
        .header("authorization", &auth)
        .json(&json!({
            "fileName": "voice.wav", "contentType": "audio/wav", "kind": "audio",
            "fileSize": file.len(), "parts": parts,
            "assetOptions": {"collectionIds": [collection], "parentId": parent},
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let upload = &created["upload"];
    assert_eq!(upload["status"], "pending", "{created}");
    assert!(upload["jobId"].as_str().is_some_and(|j| !j.is_empty()));
    let id = upload["id"].as_str().unwrap().to_string();
    let links = upload["parts"].as_array().unwrap();
    assert_eq!(links.len(), parts);
    for (i, link) in links.iter().enumerate() {
        assert_eq!(link["number"], i + 1);
        assert!(link["expires"].as_str().is_some(), "{link}");
        let url = link["url"].as_str().unwrap();
        assert!(url.contains("signature="), "{url}");
        // presigned: no credentials, and none needed
        let chunk = file[i * part..((i + 1) * part).min(file.len())].to_vec();
        let put = http.put(url).body(chunk).send().await.unwrap();
        assert_eq!(put.status(), 200, "part {}", i + 1);
        assert!(put.headers().contains_key("etag"));
    }
    let done: Value = http
        .post(format!("{base}/uploads/{id}/action"))
        .header("authorization", &auth)
        .json(&json!({"action": "complete"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(done["upload"]["status"], "validating", "{done}");
    let end = poll_upload(&base, Some(&auth), &id).await;
    assert_eq!(end["status"], "imported", "{end}");
    let asset = client
        .get_asset(end["entityId"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(asset.kind().map(|k| k.as_str()), Some("audio"));
    assert_eq!(asset.mime_type.as_deref(), Some("audio/wav"));
    assert_eq!(asset.collection_ids(), std::slice::from_ref(&collection));
    assert_eq!(asset.parent_id(), Some(parent.as_str()));
    let bytes = http
        .get(asset.url.clone().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(
        bytes.as_ref() == file.as_slice(),
        "the file comes back whole"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_that_is_not_the_declared_media_fails_with_an_error_message() {
    let (srv, _client) = demo().await;
    let base = srv.base_url.clone();
    let http = http();
    for (kind, body) in [
        (
            "video",
            b"\x00\x01\x02\x03 not a video at all \xff\xfe".to_vec(),
        ),
        ("image", wav(4096)),
    ] {
        let created: Value = http
            .post(format!("{base}/uploads"))
            .json(
                &json!({"fileName": "x", "contentType": "application/octet-stream",
                "kind": kind, "fileSize": body.len(), "parts": 1}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["upload"]["id"].as_str().unwrap().to_string();
        let url = created["upload"]["parts"][0]["url"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(http.put(url).body(body).send().await.unwrap().status(), 200);
        let r = http
            .post(format!("{base}/uploads/{id}/action"))
            .json(&json!({"action": "complete"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let end = poll_upload(&base, None, &id).await;
        assert_eq!(end["status"], "failed", "{end}");
        assert!(end.get("entityId").is_none(), "{end}");
        let why = end["errorMessage"].as_str().unwrap();
        assert!(
            why.contains("not a media file") || why.contains("not the declared kind"),
            "{why}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn part_links_are_signed_bounded_and_expire_and_get_renews_them() {
    let (srv, _client) = demo().await;
    let base = srv.base_url.clone();
    let http = http();
    let created: Value = http
        .post(format!("{base}/uploads"))
        .json(
            &json!({"fileName": "t.txt", "contentType": "text/plain", "kind": "text",
            "fileSize": 10, "parts": 1}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["upload"]["id"].as_str().unwrap().to_string();
    let url = created["upload"]["parts"][0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    // an altered link is refused
    let altered = url.replace("signature=", "signature=x");
    let r = http.put(altered).body("0123456789").send().await.unwrap();
    assert_eq!(r.status(), 403);
    // more than the declared size is refused
    let r = http.put(&url).body("0123456789AB").send().await.unwrap();
    assert_eq!(r.status(), 400);
    // completing before every part arrived is refused
    let r = http
        .post(format!("{base}/uploads/{id}/action"))
        .json(&json!({"action": "complete"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // GET signs the links afresh while pending
    let again: Value = http
        .get(format!("{base}/uploads/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fresh = again["upload"]["parts"][0]["url"].as_str().unwrap();
    assert_eq!(
        http.put(fresh)
            .body("0123456789")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // links that live no time at all are expired at once
    let (srv, _client) = demo_with(ServerConfig {
        url_ttl: Duration::ZERO,
        ..ServerConfig::default()
    })
    .await;
    let created: Value = http
        .post(format!("{}/uploads", srv.base_url))
        .json(
            &json!({"fileName": "t.txt", "contentType": "text/plain", "kind": "text",
            "fileSize": 10, "parts": 1}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = created["upload"]["parts"][0]["url"].as_str().unwrap();
    let r = http.put(url).body("0123456789").send().await.unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("expired"),
        "{body}"
    );
}

// ---------------------------------------------------------------------------
// POST /assets and the body bound
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn post_assets_takes_images_as_data_urls_or_raw_base64_and_refuses_other_files() {
    let (srv, _client) = demo().await;
    let base = srv.base_url.clone();
    let http = http();
    let b64 = base64::engine::general_purpose::STANDARD.encode(png(32, 24));
    for image in [format!("data:image/png;base64,{b64}"), b64.clone()] {
        let r = http
            .post(format!("{base}/assets"))
            .json(&json!({"name": "pic", "image": image, "ignored": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["asset"]["metadata"]["width"], 32, "{v}");
    }
    let wav64 = base64::engine::general_purpose::STANDARD.encode(wav(2048));
    let r = http
        .post(format!("{base}/assets"))
        .json(&json!({"name": "song", "image": wav64}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    let m = v["message"].as_str().unwrap();
    assert!(m.contains("images only") && m.contains("/uploads"), "{m}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_over_10_mib_is_413_with_an_error_body() {
    let (srv, client) = demo().await;
    let base = srv.base_url.clone();
    let big = "A".repeat(11 * 1024 * 1024);
    // declared length
    let r = http()
        .post(format!("{base}/assets"))
        .header("content-type", "application/json")
        .body(format!("{{\"name\":\"x\",\"image\":\"{big}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["statusCode"], 413);
    assert_eq!(v["name"], "PayloadTooLargeError");
    assert!(v["traceId"].as_str().is_some_and(|t| t.len() >= 16), "{v}");
    // chunked, no declared length
    let chunks = futures_util::stream::iter(
        [
            b"{\"name\":\"x\",\"image\":\"".to_vec(),
            big.into_bytes(),
            b"\"}".to_vec(),
        ]
        .into_iter()
        .map(Ok::<_, std::io::Error>),
    );
    let r = http()
        .post(format!("{base}/search/assets"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["statusCode"], 413, "{v}");
    // the client reads it as a refusal with the server's message
    let err = client
        .upload(&UploadRequest {
            name: "x".into(),
            image: Some("A".repeat(11 * 1024 * 1024)),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Rejected { status: 413, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("PayloadTooLargeError"), "{err}");
}

// ---------------------------------------------------------------------------
// The client's uploads
// ---------------------------------------------------------------------------

type Heard = Arc<Mutex<Vec<UploadProgress>>>;

fn quiet() -> uploads::OnProgress {
    Arc::new(|_| {})
}

fn recorder() -> (Heard, uploads::OnProgress) {
    let heard: Heard = Arc::default();
    let h = heard.clone();
    (heard, Arc::new(move |p| h.lock().unwrap().push(p)))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_client_uploads_audio_in_parts_streamed_with_progress_and_options() {
    let (srv, client) = demo_with_auth().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("voice.bin");
    let file = wav(13 * 1024 * 1024 + 5);
    std::fs::write(&path, &file).unwrap();
    let collection = srv
        .state
        .lib
        .read()
        .unwrap()
        .collections
        .keys()
        .next()
        .cloned()
        .unwrap();
    let parent = server::manifest::embedded().unwrap().assets[1].id.clone();
    let mut job = FileUpload::new(&path);
    job.name = Some("My voice".into());
    job.options.collection_ids = vec![collection.clone()];
    job.options.parent_id = Some(parent.clone());
    let (heard, progress) = recorder();
    let asset = uploads::upload_file(&client, &job, progress).await.unwrap();
    assert_eq!(asset.kind().map(|k| k.as_str()), Some("audio"));
    assert_eq!(asset.name(), Some("My voice"));
    assert_eq!(asset.collection_ids(), [collection]);
    assert_eq!(asset.parent_id(), Some(parent.as_str()));
    let back = http()
        .get(asset.url.clone().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(back.as_ref() == file.as_slice());
    let heard = heard.lock().unwrap().clone();
    let total = file.len() as u64;
    assert!(
        heard.contains(&UploadProgress::Sent { sent: total, total }),
        "{heard:?}"
    );
    assert!(
        heard
            .iter()
            .any(|p| matches!(p, UploadProgress::Status(s) if s == "validating")),
        "{heard:?}"
    );
    // a small image still goes in one request
    let small = dir.path().join("small.png");
    std::fs::write(&small, png(40, 30)).unwrap();
    let before = srv.state.multipart.open();
    let asset = uploads::upload_file(&client, &FileUpload::new(&small), quiet())
        .await
        .unwrap();
    assert_eq!(asset.width(), Some(40));
    assert_eq!(srv.state.multipart.open(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_import_shows_the_servers_error_message() {
    let (_srv, client) = demo().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.png");
    // a PNG signature, then nothing a decoder accepts
    let mut bytes = png(8, 8)[..16].to_vec();
    bytes.extend(std::iter::repeat_n(0xAB, 4000));
    std::fs::write(&path, &bytes).unwrap();
    let mut job = FileUpload::new(&path);
    job.direct_max = 0; // through the multipart flow
    let err = uploads::upload_file(&client, &job, quiet())
        .await
        .unwrap_err();
    match &err {
        ApiError::UploadFailed { message, .. } => {
            assert!(message.contains("not a valid image"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    // a file the service imports nothing of is refused before any request
    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, b"\x00\x01\x02\x03\xff\xfe\x00").unwrap();
    let err = uploads::upload_file(&client, &FileUpload::new(&junk), quiet())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("not a file the service imports"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_part_is_retried_alone_and_an_expired_link_is_renewed() {
    let (srv, client) = demo().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "line of text\n".repeat(1000)).unwrap();
    // the first part request answers 500, the next 403 (expired link)
    srv.state.script_faults([
        Scripted::parse("500", "/v1/uploads/upload").unwrap(),
        Scripted::parse("expire", "/v1/uploads/upload").unwrap(),
    ]);
    // (the scripted faults match the part links only: the create call is
    // `/v1/uploads`, status calls come after the parts)
    let asset = uploads::upload_file(&client, &FileUpload::new(&path), quiet())
        .await
        .unwrap();
    assert_eq!(asset.kind().map(|k| k.as_str()), Some("document"));
    assert_eq!(srv.state.scripted_left(), 0);
    let seen = srv.state.faults_seen();
    assert_eq!(seen.get("500"), Some(&1), "{seen:?}");
    assert_eq!(seen.get("expire"), Some(&1), "{seen:?}");
}

/// Scripted answers: the part's second try goes to the renewed link, and
/// no part request carries the Scenario credentials.
#[tokio::test]
async fn a_refused_part_link_is_renewed_from_get_uploads_and_parts_carry_no_credentials() {
    // the storage (part links) and the API are two servers, as live
    let storage = Recorder::start(
        vec![
            Reply::json(403, json!({"message": "Request has expired"})),
            Reply::json(200, json!({})),
        ],
        Reply::json(500, json!({})),
    )
    .await;
    let origin = storage.base_url().trim_end_matches("/v1").to_string();
    let upload = |url: &str| {
        json!({"upload": {"id": "upload_1", "status": "pending", "jobId": "job_1",
            "parts": [{"number": 1, "url": format!("{origin}{url}"), "expires": "2030-01-01T00:00:00.000Z"}]}})
    };
    let api = Recorder::start(
        vec![
            Reply::json(200, upload("/part/1?sig=old")),
            Reply::json(200, upload("/part/1?sig=new")),
            Reply::json(200, json!({"upload": {"id": "upload_1", "status": "validating"}})),
            Reply::json(200, json!({"upload": {"id": "upload_1", "status": "imported", "entityId": "asset_new"}})),
            Reply::json(200, json!({"asset": asset_json("asset_new")})),
        ],
        Reply::json(500, json!({})),
    )
    .await;
    let client = Client::new(
        ClientOptions::new(api.base_url()).authorization(Some("Basic a2V5OnNlY3JldA==".into())),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.mp3");
    let mut mp3 = b"ID3\x04\x00\x00\x00\x00\x00\x00".to_vec();
    mp3.extend(std::iter::repeat_n(0x55, 3000));
    std::fs::write(&path, &mp3).unwrap();
    let asset = uploads::upload_file(&client, &FileUpload::new(&path), quiet())
        .await
        .unwrap();
    assert_eq!(asset.id, "asset_new");
    let calls = api.requests();
    let seq: Vec<String> = calls
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        seq,
        [
            "POST /v1/uploads",
            "GET /v1/uploads/upload_1",
            "POST /v1/uploads/upload_1/action",
            "GET /v1/uploads/upload_1",
            "GET /v1/assets/asset_new",
        ]
    );
    let create = calls[0].json();
    assert_eq!(create["kind"], "audio");
    assert_eq!(create["contentType"], "audio/mpeg");
    assert_eq!(create["fileName"], "a.mp3");
    assert_eq!(create["fileSize"], mp3.len());
    assert_eq!(create["parts"], 1);
    assert!(create.get("assetOptions").is_none(), "{create}");
    assert_eq!(calls[2].json(), json!({"action": "complete"}));
    let puts = storage.requests();
    assert_eq!(puts.len(), 2);
    assert_eq!(puts[0].query.as_deref(), Some("sig=old"));
    assert_eq!(puts[1].query.as_deref(), Some("sig=new"));
    for put in &puts {
        assert_eq!(put.method, "PUT");
        assert_eq!(put.header("authorization"), None);
        assert_eq!(put.body, mp3);
    }
}

// ---------------------------------------------------------------------------
// Collections
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn collections_take_49_ids_and_a_request_naming_a_member_is_refused_whole() {
    let (srv, client) = demo().await;
    let ids: Vec<String> = server::manifest::embedded()
        .unwrap()
        .assets
        .iter()
        .map(|a| a.id.clone())
        .collect();
    assert!(ids.len() >= 60);
    let collection = srv
        .state
        .lib
        .read()
        .unwrap()
        .collections
        .keys()
        .next()
        .cloned()
        .unwrap();
    let members: Vec<String> = ids
        .iter()
        .filter(|id| {
            srv.state
                .lib
                .read()
                .unwrap()
                .get(id)
                .unwrap()
                .asset
                .collection_ids()
                .contains(&collection)
        })
        .cloned()
        .collect();
    let outsiders: Vec<String> = ids
        .iter()
        .filter(|id| !members.contains(id))
        .cloned()
        .collect();
    assert!(!members.is_empty() && outsiders.len() >= 55);
    // the server: 50 ids is too many
    let err = client
        .add_to_collection(&collection, &outsiders[..50])
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Rejected { status: 400, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("49"), "{err}");
    // a member in the request: nothing of it is done
    let mut mixed = outsiders[..3].to_vec();
    mixed.push(members[0].clone());
    let err = client
        .add_to_collection(&collection, &mixed)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already in collection"), "{err}");
    for id in &outsiders[..3] {
        let a = client.get_asset(id).await.unwrap();
        assert!(!a.collection_ids().contains(&collection), "{id} was added");
    }
    // the client: members left out, the rest in chunks of at most 49
    let mut wanted = outsiders[..55].to_vec();
    wanted.extend(members.iter().cloned());
    wanted.push("asset_unknown".into());
    let outcome = client
        .add_to_collection_checked(&collection, &wanted)
        .await
        .unwrap();
    assert_eq!(
        (
            outcome.added.len(),
            outcome.already.len(),
            outcome.failed.clone()
        ),
        (55, members.len(), vec!["asset_unknown".to_string()]),
        "{outcome}"
    );
    for id in &outsiders[..55] {
        let a = client.get_asset(id).await.unwrap();
        assert!(a.collection_ids().contains(&collection), "{id}");
    }
    // again: all there, nothing sent, nothing failed
    let again = client
        .add_to_collection_checked(&collection, &outsiders[..55])
        .await
        .unwrap();
    assert_eq!(
        (again.added.len(), again.already.len(), again.failed.len()),
        (0, 55, 0)
    );
}

// ---------------------------------------------------------------------------
// Batch zips and job statuses
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn batch_zips_need_all_three_arrays_and_a_template_and_walk_every_status() {
    let (srv, client) = demo().await;
    let base = srv.base_url.clone();
    let id = server::manifest::embedded().unwrap().assets[0].id.clone();
    for body in [
        json!({"query": {"assetIds": [id], "inferenceIds": [], "modelIds": []}}),
        json!({"query": {"assetIds": [id], "inferenceIds": [], "modelIds": []}, "options": {}}),
        json!({"query": {"assetIds": [id]}, "options": {"fileNameTemplate": "<id>"}}),
        json!({"query": {"assetIds": [id], "inferenceIds": []}, "options": {"fileNameTemplate": "<id>"}}),
    ] {
        let r = http()
            .post(format!("{base}/assets/download"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{body}");
    }
    // the client always sends them (a default template when none is given)
    let job = client
        .request_batch_download(&BatchDownloadRequest {
            options: None,
            query: BatchDownloadQuery {
                asset_ids: vec![id.clone()],
                ..Default::default()
            },
        })
        .await
        .unwrap();
    let mut states: Vec<String> = Vec::new();
    loop {
        let s = client.batch_download_status(&job).await.unwrap();
        if states.last() != Some(&s.job_status) {
            states.push(s.job_status.clone());
        }
        if s.download_url.is_some() || s.job_status == "failure" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let order = [
        "pending",
        "queued",
        "warming-up",
        "in-progress",
        "finalizing",
        "success",
    ];
    // every status seen is one of the documented, in their order
    let mut at = 0;
    for s in &states {
        let i = order
            .iter()
            .position(|o| o == s)
            .unwrap_or_else(|| panic!("{s} in {states:?}"));
        assert!(i >= at, "{states:?}");
        at = i;
    }
    assert_eq!(states.first().map(String::as_str), Some("pending"));
    assert_eq!(states.last().map(String::as_str), Some("success"));
}

#[tokio::test]
async fn the_batch_request_carries_all_three_arrays_and_a_default_template() {
    let rec = Recorder::start(vec![], Reply::json(200, json!({"jobId": "job_1"}))).await;
    let client = Client::new(ClientOptions::new(rec.base_url())).unwrap();
    client
        .request_batch_download(&BatchDownloadRequest {
            options: None,
            query: BatchDownloadQuery {
                asset_ids: vec!["asset_1".into()],
                ..Default::default()
            },
        })
        .await
        .unwrap();
    assert_eq!(
        rec.last().json(),
        json!({"options": {"fileNameTemplate": "<id>"},
               "query": {"assetIds": ["asset_1"], "inferenceIds": [], "modelIds": []}})
    );
}

// ---------------------------------------------------------------------------
// Search hits and paging
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn search_hits_come_without_kind_properties_status_and_page_by_offset() {
    let (srv, client) = demo().await;
    let base = srv.base_url.clone();
    let request = SearchRequest {
        filter: Some("kind = \"image\"".into()),
        offset: Some(0),
        limit: Some(7),
        ..Default::default()
    };
    let first = client.search_page(&request).await.unwrap();
    assert!(!first.hits.is_empty());
    for hit in &first.hits {
        assert!(hit.kind.is_none() && hit.properties.is_none() && hit.status.is_none());
        // the metadata still says what the row shows
        assert_eq!(hit.kind().map(|k| k.as_str()), Some("image"));
        assert!(
            hit.width().is_some() && hit.file_size().is_some(),
            "{}",
            hit.id
        );
    }
    let total = first
        .estimated_total_hits
        .as_ref()
        .and_then(|n| n.as_u64())
        .unwrap();
    assert!(total > 7);
    // every page by offset/limit: each hit once, as many as estimated
    let mut ids = Vec::new();
    let mut pages = client.search(request.clone());
    while let Some(page) = pages.next().await {
        ids.extend(page.unwrap().hits.into_iter().map(|h| h.id));
    }
    assert_eq!(ids.len() as u64, total);
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
    // the same by page/hitsPerPage
    let mut by_page = Vec::new();
    let mut pages = client.search(SearchRequest {
        page: Some(1),
        hits_per_page: Some(7),
        offset: None,
        limit: None,
        ..request.clone()
    });
    while let Some(page) = pages.next().await {
        by_page.extend(page.unwrap().hits.into_iter().map(|h| h.id));
    }
    assert_eq!(by_page, ids);
    // an empty search is a 400, and the client never sends one
    let r = http()
        .post(format!("{base}/search/assets"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let before = srv.state.requests.load(std::sync::atomic::Ordering::SeqCst);
    assert!(matches!(
        client.search_page(&SearchRequest::default()).await,
        Err(ApiError::Invalid(_))
    ));
    assert_eq!(
        srv.state.requests.load(std::sync::atomic::Ordering::SeqCst),
        before
    );
    // sortBy is an array; score:desc is refused
    let sorted = client
        .search_page(&SearchRequest {
            sort_by: vec!["createdAt:asc".into()],
            ..request.clone()
        })
        .await
        .unwrap();
    assert!(sorted
        .hits
        .windows(2)
        .all(|w| w[0].created_at <= w[1].created_at));
    let err = client
        .search_page(&SearchRequest {
            sort_by: vec!["score:desc".into()],
            ..request.clone()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Rejected { status: 400, .. }),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// Error bodies
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn the_servers_error_bodies_carry_the_live_fields() {
    let (srv, _client) = demo().await;
    let r = http()
        .get(format!("{}/assets/asset_nope", srv.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.unwrap();
    for key in [
        "message",
        "detail",
        "error",
        "reason",
        "name",
        "traceId",
        "statusCode",
    ] {
        assert!(v.get(key).is_some(), "{key} in {v}");
    }
    assert_eq!(v["name"], "NotFoundError");
}

#[tokio::test]
async fn a_429_without_retry_after_waits_the_bodys_remaining_seconds() {
    let rec = Recorder::start(
        vec![Reply::json(
            429,
            json!({"message": "Too many", "remainingSeconds": 0.3}),
        )],
        Reply::json(200, json!({"asset": asset_json("asset_1")})),
    )
    .await;
    let client = Client::new(ClientOptions::new(rec.base_url())).unwrap();
    client.get_asset("asset_1").await.unwrap();
    let reqs = rec.requests();
    assert_eq!(reqs.len(), 2);
    // measured on the server's clock: it asked for 0.3 s
    assert!(reqs[1].at - reqs[0].at >= Duration::from_millis(300));
    // a wait longer than the client accepts ends the call, saying when
    let rec = Recorder::start(
        vec![],
        Reply::json(
            429,
            json!({"message": "Too many", "remainingSeconds": 4000}),
        ),
    )
    .await;
    let client = Client::new(ClientOptions::new(rec.base_url())).unwrap();
    let err = client.get_asset("asset_1").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "rate limited by the service (429); retry in 4000s"
    );
}

#[tokio::test]
async fn the_trace_id_goes_to_the_verbose_log_not_the_error_line() {
    let body = json!({"name": "ModelAccessRestrictedError", "message": "No access to this model",
        "details": {"actionName": "generate", "actionLimit": 0}, "traceId": "trace-4f2a9c"});
    for verbose in [false, true] {
        let rec = Recorder::start(vec![], Reply::json(400, body.clone())).await;
        let home = tempfile::tempdir().unwrap();
        let mut args = vec![
            "--base-url".to_string(),
            rec.base_url(),
            "get".into(),
            "asset_1".into(),
        ];
        if verbose {
            args.insert(0, "-v".into());
        }
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_assetui"))
            .args(&args)
            .env_clear()
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .stdin(std::process::Stdio::null())
            .output()
            .await
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().last().unwrap_or("");
        assert!(last.starts_with("assetui: error: "), "{err}");
        assert!(
            last.contains(
                "No access to this model [ModelAccessRestrictedError; limit of generate: 0]"
            ),
            "{err}"
        );
        assert!(!last.contains("trace-4f2a9c"), "{err}");
        assert_eq!(err.contains("trace-4f2a9c"), verbose, "{err}");
    }
}

// ---------------------------------------------------------------------------
// Page tokens
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_short_page_with_a_token_continues_and_the_same_token_back_ends_the_list() {
    // list: a short page with a token goes on; the token sent, sent back,
    // ends it with RepeatedToken after that page (not a loop)
    let rec = Recorder::start(
        vec![
            Reply::json(
                200,
                json!({"assets": [asset_json("a1")], "nextPaginationToken": "t1"}),
            ),
            Reply::json(
                200,
                json!({"assets": [asset_json("a2")], "nextPaginationToken": "t1"}),
            ),
        ],
        Reply::json(500, json!({})),
    )
    .await;
    let client = Client::new(ClientOptions::new(rec.base_url())).unwrap();
    let mut pages = client.list_assets(ListAssetsQuery {
        page_size: Some(50),
        ..Default::default()
    });
    let mut ids = Vec::new();
    let mut end = None;
    while let Some(p) = pages.next().await {
        match p {
            Ok(p) => ids.extend(p.assets.into_iter().map(|a| a.id)),
            Err(e) => end = Some(e),
        }
    }
    assert_eq!(ids, ["a1", "a2"]);
    assert!(
        matches!(end, Some(ApiError::RepeatedToken { .. })),
        "{end:?}"
    );
    assert_eq!(rec.requests().len(), 2);

    // tags and collections: the same, with the warning in the listing
    for what in ["tags", "collections"] {
        let item = |n: &str| {
            if what == "tags" {
                json!({"tagName": n})
            } else {
                json!({"id": n, "name": n})
            }
        };
        let rec = Recorder::start(
            vec![
                Reply::json(200, json!({what: [item("x")], "nextPaginationToken": "p2"})),
                Reply::json(200, json!({what: [item("y")], "nextPaginationToken": "p2"})),
            ],
            Reply::json(500, json!({})),
        )
        .await;
        let client = Client::new(ClientOptions::new(rec.base_url())).unwrap();
        let (n, warning) = if what == "tags" {
            let l = client.tags().await.unwrap();
            (l.items.len(), l.warning)
        } else {
            let l = client.collections().await.unwrap();
            (l.items.len(), l.warning)
        };
        assert_eq!(n, 2, "{what}");
        assert!(warning.unwrap().contains("sent before"), "{what}");
        assert_eq!(rec.requests().len(), 2, "{what}");
        let sent: Vec<Option<String>> = rec
            .requests()
            .iter()
            .map(|r| {
                r.query_pairs()
                    .into_iter()
                    .find(|(k, _)| k == "paginationToken")
                    .map(|(_, v)| v)
            })
            .collect();
        assert_eq!(sent, [None, Some("p2".to_string())], "{what}");
    }
    let _ = support::closed_port;
}

/// The CLI's table completes hits that say neither kind nor size from
/// get-bulk; `--json` prints them as sent.
#[tokio::test]
async fn the_search_table_fills_what_a_bare_hit_lacks() {
    let bare = json!({"id": "asset_bare", "metadata": {"name": "Bare hit"}, "score": 0.9});
    let rec = Recorder::start(
        vec![
            Reply::json(
                200,
                json!({"hits": [bare.clone()], "page": 1, "hitsPerPage": 50, "totalPages": 1}),
            ),
            Reply::json(200, json!({"assets": [asset_json("asset_bare")]})),
            Reply::json(
                200,
                json!({"hits": [bare.clone()], "page": 1, "hitsPerPage": 50, "totalPages": 1}),
            ),
        ],
        Reply::json(500, json!({})),
    )
    .await;
    let run = |json_out: bool| {
        let base = rec.base_url();
        async move {
            let home = tempfile::tempdir().unwrap();
            let mut args = vec![
                "--base-url".to_string(),
                base,
                "search".into(),
                "bare".into(),
            ];
            if json_out {
                args.push("--json".into());
            }
            tokio::process::Command::new(env!("CARGO_BIN_EXE_assetui"))
                .args(&args)
                .env_clear()
                .env("HOME", home.path())
                .env("XDG_CONFIG_HOME", home.path().join("config"))
                .env("COLUMNS", "160")
                .stdin(std::process::Stdio::null())
                .output()
                .await
                .unwrap()
        }
    };
    let out = run(false).await;
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let row = table
        .lines()
        .find(|l| l.contains("asset_bare"))
        .unwrap_or_default();
    assert!(row.contains("image"), "{table}");
    assert_eq!(rec.requests()[1].path, "/v1/assets/get-bulk");
    let out = run(true).await;
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, json!([bare]));
    assert_eq!(rec.requests().len(), 3);
}
