//! The TwelveLabs-compatible server (`assetui serve --provider twelvelabs`)
//! over HTTP with reqwest, as the wire reference's section 9 asks: status
//! codes and shapes, paging past the end, 409/force, user metadata, the
//! multipart upload flow, processing and indexing states, search by text
//! and by image with ranks and page tokens, auth, faults and `--data`.
//! Processing moves by retrievals (no sleeps): tests poll in bounded loops;
//! expiry is reached by moving the server clock (`/_demo/clock`). Tests
//! name no fixture asset: they find what they need through the API or
//! upload their own, so the generated library can replace the fixture.

use std::time::Duration;

use assetui::server::twelvelabs::{self, Processing, TlConfig};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A server that moves a stage every 2 retrievals (time does not move it).
fn config() -> TlConfig {
    TlConfig {
        processing: Processing {
            polls_per_step: 2,
            step: Duration::from_secs(24 * 3600),
        },
        ..TlConfig::default()
    }
}

struct Tl {
    srv: twelvelabs::Running,
    http: reqwest::Client,
    key: Option<String>,
}

impl Tl {
    async fn start(config: TlConfig) -> Tl {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let key = config.auth.clone();
        let srv = twelvelabs::start(config).await.expect("server starts");
        Tl {
            srv,
            http: reqwest::Client::new(),
            key,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.srv.base_url)
    }

    fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let r = self.http.request(method, self.url(path));
        match &self.key {
            Some(k) => r.header("x-api-key", k),
            None => r,
        }
    }

    async fn send(&self, r: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let resp = r.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        (status, body)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.req(Method::GET, path)).await
    }

    async fn json(&self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(
            self.req(method, path)
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    async fn form(&self, path: &str, fields: &[F<'_>]) -> (StatusCode, Value) {
        let (ct, body) = form(fields);
        self.send(
            self.req(Method::POST, path)
                .header("content-type", ct)
                .body(body),
        )
        .await
    }

    /// Retrieves an asset until `done` holds (at most 20 times).
    async fn poll_asset(&self, id: &str, done: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut seen = Vec::new();
        for _ in 0..20 {
            let (s, a) = self.get(&format!("/assets/{id}")).await;
            assert_eq!(s, StatusCode::OK, "{a}");
            seen.push(a.clone());
            if done(&a) {
                return seen;
            }
        }
        panic!("asset {id} never got there: {seen:?}");
    }

    async fn demo_index(&self) -> String {
        let (s, v) = self.get("/indexes").await;
        assert_eq!(s, StatusCode::OK);
        v["data"][0]["_id"].as_str().unwrap().to_string()
    }

    async fn upload(&self, name: &str, bytes: Vec<u8>, ct: &str) -> String {
        let (s, v) = self
            .form(
                "/assets",
                &[
                    F::Text("method", "direct".into()),
                    F::File("file", name, ct, bytes),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["_id"].as_str().unwrap().to_string()
    }

    /// Uploads, waits for ready, indexes into the demo index and waits for
    /// the indexed asset to be ready; returns (asset id, indexed id).
    async fn upload_indexed(&self, name: &str, bytes: Vec<u8>, ct: &str) -> (String, String) {
        let id = self.upload(name, bytes, ct).await;
        self.poll_asset(&id, |a| a["status"] == "ready").await;
        let index = self.demo_index().await;
        let (s, v) = self
            .json(
                Method::POST,
                &format!("/indexes/{index}/indexed-assets"),
                json!({"asset_id": id}),
            )
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{v}");
        let ia = v["_id"].as_str().unwrap().to_string();
        for _ in 0..20 {
            let (_, x) = self
                .get(&format!("/indexes/{index}/indexed-assets/{ia}"))
                .await;
            if x["status"] == "ready" {
                return (id, ia);
            }
        }
        panic!("never indexed");
    }
}

enum F<'a> {
    Text(&'a str, String),
    File(&'a str, &'a str, &'a str, Vec<u8>),
}

/// A multipart body as the SDK writes it: text parts first, then files.
fn form(fields: &[F<'_>]) -> (String, Vec<u8>) {
    let boundary = "9f2c41d0b3e84a7cb5d6e7f8a9b0c1d2";
    let mut body = Vec::new();
    for f in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match f {
            F::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            F::File(name, filename, ct, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {ct}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn png(w: u32, h: u32, f: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb(f(x, y)));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn wav(samples: u32) -> Vec<u8> {
    let data = samples * 2;
    let mut v = b"RIFF".to_vec();
    v.extend_from_slice(&(36 + data).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    for x in [
        16u32.to_le_bytes().to_vec(),
        1u16.to_le_bytes().to_vec(),
        1u16.to_le_bytes().to_vec(),
        8000u32.to_le_bytes().to_vec(),
        16000u32.to_le_bytes().to_vec(),
        2u16.to_le_bytes().to_vec(),
        16u16.to_le_bytes().to_vec(),
    ] {
        v.extend(x);
    }
    v.extend_from_slice(b"data");
    v.extend_from_slice(&data.to_le_bytes());
    v.extend((0..data).map(|i| (i % 251) as u8));
    v
}

fn is_rfc3339(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.ends_with('Z') && assetui::api::dates::millis_from_iso(s).is_some())
}

fn error_code(v: &Value) -> &str {
    assert!(v["message"].is_string(), "{v}");
    v["code"].as_str().unwrap_or("")
}

#[tokio::test(flavor = "multi_thread")]
async fn asset_list_shapes_filters_and_pages_past_the_end() {
    let tl = Tl::start(config()).await;
    let (s, all) = tl.get("/assets?page=1&page_limit=50").await;
    assert_eq!(s, StatusCode::OK);
    let items = all["data"].as_array().unwrap();
    let total = all["page_info"]["total_results"].as_u64().unwrap() as usize;
    assert_eq!(items.len(), total.min(50));
    assert!(total >= 3);
    let dates: Vec<&str> = items
        .iter()
        .map(|a| a["created_at"].as_str().unwrap())
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {dates:?}"
    );
    for a in items {
        assert!(
            a["_id"].as_str().unwrap().len() == 24 && a.get("id").is_none(),
            "{a}"
        );
        assert!(is_rfc3339(&a["created_at"]), "{a}");
        assert_eq!(a["status"], "ready");
        assert!(
            !a.as_object().unwrap().values().any(Value::is_null),
            "no nulls: {a}"
        );
    }
    let (_, p) = tl.get("/assets?page=2&page_limit=2").await;
    assert_eq!(p["data"].as_array().unwrap().len(), 2.min(total - 2));
    assert_eq!(
        p["page_info"],
        json!({"page": 2, "limit_per_page": 2, "total_page": total.div_ceil(2), "total_results": total})
    );
    assert_eq!(p["data"][0]["_id"], items[2]["_id"]);
    let (s, past) = tl.get("/assets?page=999&page_limit=10").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(past["data"], json!([]));
    for bad in [
        "page_limit=51",
        "page_limit=0",
        "page=0",
        "asset_types=movie",
    ] {
        let (s, e) = tl.get(&format!("/assets?{bad}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(error_code(&e), "parameter_invalid");
    }
    // filters: types (repeated), ids (repeated), file name (substring, any case)
    let (_, v) = tl
        .get("/assets?asset_types=video&asset_types=audio&page_limit=50")
        .await;
    assert!(v["data"].as_array().unwrap().iter().all(|a| {
        let t = a["file_type"].as_str().unwrap();
        t.starts_with("video/") || t.starts_with("audio/")
    }));
    let (a, b) = (
        items[0]["_id"].as_str().unwrap(),
        items[1]["_id"].as_str().unwrap(),
    );
    let (_, v) = tl
        .get(&format!("/assets?asset_ids={a}&asset_ids={b}"))
        .await;
    assert_eq!(v["page_info"]["total_results"], 2);
    let name = items[0]["filename"].as_str().unwrap();
    let part = name[1..name.len() - 1].to_uppercase();
    let (_, v) = tl.get(&format!("/assets?filename={part}")).await;
    assert!(v["data"].as_array().unwrap().iter().any(|x| x["_id"] == a));
    tl.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn retrieve_links_hls_and_not_found() {
    let tl = Tl::start(config()).await;
    let (_, v) = tl.get("/assets?asset_types=video&page_limit=50").await;
    let video = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["hls"]["status"] == "ready")
        .expect("a demo video with HLS")
        .clone();
    let id = video["_id"].as_str().unwrap();
    let (s, a) = tl.get(&format!("/assets/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(a["status"], "ready");
    assert!(a["size"].as_u64().unwrap() > 0);
    assert!(a["duration"].as_f64().unwrap() > 0.0);
    assert!(a["technical_metadata"]["file_size_bytes"].is_u64());
    assert!(a.get("error").is_none());
    // the thumbnail: a signed link, no key needed; a changed one is refused
    let thumb = a["thumbnail"]["representative_url"].as_str().unwrap();
    let r = reqwest::get(thumb).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    let tampered = thumb.replace("/thumbnail?", "/file?");
    assert_eq!(
        reqwest::get(&tampered).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // the playlist's segments are signed links of this server that work
    let playlist = reqwest::get(a["hls"]["manifest_url"].as_str().unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(playlist.starts_with("#EXTM3U"), "{playlist}");
    let uris: Vec<&str> = playlist
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert!(!uris.is_empty());
    for u in uris {
        assert!(
            u.starts_with(&tl.srv.state.origin) && u.contains("signature="),
            "{u}"
        );
        assert_eq!(
            reqwest::get(u).await.unwrap().status(),
            StatusCode::OK,
            "{u}"
        );
    }
    let (s, e) = tl.get("/assets/000000000000000000000000").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&e), "resource_not_exist");
    tl.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_processes_to_ready_and_a_file_that_is_not_media_fails() {
    let tl = Tl::start(config()).await;
    let id = tl.upload("tone.wav", wav(4000), "audio/wav").await;
    let (_, created) = tl.get(&format!("/assets?asset_ids={id}")).await;
    let a = &created["data"][0];
    assert_eq!(a["status"], "processing");
    assert_eq!(a["method"], "direct");
    for absent in ["technical_metadata", "size", "duration", "error"] {
        assert!(a.get(absent).is_none(), "{absent} while processing: {a}");
    }
    assert_eq!(a["hls"], json!({"status": "pending"}));
    assert_eq!(a["thumbnail"], json!({"status": "pending"}));
    let seen = tl
        .poll_asset(&id, |a| {
            a["hls"]["status"] == "ready" && a["thumbnail"]["status"] == "ready"
        })
        .await;
    let states: Vec<(String, String)> = seen
        .iter()
        .map(|a| (a["status"].to_string(), a["hls"]["status"].to_string()))
        .collect();
    assert!(
        states.contains(&("\"processing\"".into(), "\"pending\"".into())),
        "{states:?}"
    );
    assert!(
        states.contains(&("\"ready\"".into(), "\"processing\"".into())),
        "{states:?}"
    );
    for a in &seen {
        if a["hls"]["status"] != "ready" {
            assert!(a["hls"].get("manifest_url").is_none(), "{a}");
        }
    }
    let ready = seen.last().unwrap();
    assert_eq!(ready["size"], wav(4000).len());
    assert!((ready["duration"].as_f64().unwrap() - 0.5).abs() < 1e-6);
    assert_eq!(ready["technical_metadata"]["audio_sample_rate"], 8000);
    assert!(ready["hls"]["manifest_url"].is_string());
    assert!(ready["thumbnail"]["representative_url"].is_string());

    let bad = tl
        .upload(
            "notes.mp4",
            b"just some text, no media".to_vec(),
            "video/mp4",
        )
        .await;
    let seen = tl.poll_asset(&bad, |a| a["status"] != "processing").await;
    let failed = seen.last().unwrap();
    assert_eq!(failed["status"], "failed");
    assert!(failed["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not a video"));
    assert_eq!(failed["file_type"], "video/mp4");
    assert!(failed.get("size").is_none());
    let after = tl
        .poll_asset(&bad, |a| a["thumbnail"]["status"] == "error")
        .await;
    assert_eq!(after.last().unwrap()["hls"]["status"], "error");
    tl.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn create_validates_and_takes_only_its_own_urls() {
    let tl = Tl::start(config()).await;
    // the SDK's retry: no body at all
    let (s, e) = tl.send(tl.req(Method::POST, "/assets")).await;
    assert_eq!(
        (s, error_code(&e)),
        (StatusCode::BAD_REQUEST, "parameter_not_provided")
    );
    let cases: [(&[F<'_>], &str); 4] = [
        (
            &[F::Text("method", "direct".into())],
            "parameter_not_provided",
        ),
        (&[F::Text("method", "url".into())], "parameter_not_provided"),
        (
            &[F::Text("method", "carrier-pigeon".into())],
            "parameter_invalid",
        ),
        (
            &[
                F::Text("method", "url".into()),
                F::Text("url", "https://example.com/clip.mp4".into()),
            ],
            "parameter_invalid",
        ),
    ];
    for (fields, code) in cases {
        let (s, e) = tl.form("/assets", fields).await;
        assert_eq!((s, error_code(&e)), (StatusCode::BAD_REQUEST, code), "{e}");
    }
    let (_, e) = tl
        .form(
            "/assets",
            &[
                F::Text("method", "url".into()),
                F::Text("url", "https://example.com/x.mp4".into()),
            ],
        )
        .await;
    assert!(
        e["message"].as_str().unwrap().contains("no internet"),
        "{e}"
    );
    // a link this server handed out is taken, with metadata and flags
    let (_, v) = tl.get("/assets?asset_types=image").await;
    let src = &v["data"][0];
    let (_, full) = tl
        .get(&format!("/assets/{}", src["_id"].as_str().unwrap()))
        .await;
    let thumb = full["thumbnail"]["representative_url"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, a) = tl
        .form(
            "/assets",
            &[
                F::Text("method", "url".into()),
                F::Text("url", thumb),
                F::Text("filename", "copy.jpg".into()),
                F::Text("enable_hls", "false".into()),
                F::Text("enable_thumbnail", "true".into()),
                F::Text(
                    "user_metadata",
                    "{\"project\": \"copies\", \"n\": 2}".into(),
                ),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["method"], "url");
    assert_eq!(a["status"], "processing");
    assert_eq!(a["filename"], "copy.jpg");
    assert_eq!(a["user_metadata"], json!({"project": "copies", "n": 2}));
    let id = a["_id"].as_str().unwrap();
    let seen = tl.poll_asset(id, |a| a["status"] == "ready").await;
    let ready = seen.last().unwrap();
    assert_eq!(ready["file_type"], "image/jpeg");
    assert!(ready.get("hls").is_none(), "disabled: {ready}");
    let (s, e) = tl
        .form(
            "/assets",
            &[
                F::Text("method", "direct".into()),
                F::Text("user_metadata", "[1,2]".into()),
                F::File("file", "a.png", "image/png", png(4, 4, |_, _| [0, 0, 0])),
            ],
        )
        .await;
    assert_eq!(
        (s, error_code(&e)),
        (StatusCode::BAD_REQUEST, "parameter_invalid")
    );
    tl.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_answers_409_while_indexed_unless_forced() {
    let tl = Tl::start(config()).await;
    let index = tl.demo_index().await;
    let (_, members) = tl
        .get(&format!("/indexes/{index}/indexed-assets?page_limit=50"))
        .await;
    let member = &members["data"][0];
    let asset = member["asset_id"].as_str().unwrap().to_string();
    // A9 names the indexed assets that hold it
    let (s, refs) = tl.get(&format!("/assets/{asset}/indexed-assets")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(refs["data"][0]["_id"], member["_id"]);
    assert_eq!(refs["data"][0]["index"]["_id"], index);
    assert!(refs["data"][0]["index"]["name"].is_string());
    let (_, past) = tl
        .get(&format!("/assets/{asset}/indexed-assets?page=5"))
        .await;
    assert_eq!(past["data"], json!([]));
    let (s, e) = tl
        .send(tl.req(Method::DELETE, &format!("/assets/{asset}")))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(e["code"].is_string() && e["message"].as_str().unwrap().contains("force=true"));
    let (s, _) = tl.get(&format!("/assets/{asset}")).await;
    assert_eq!(s, StatusCode::OK, "still there");
    let resp = tl
        .req(Method::DELETE, &format!("/assets/{asset}?force=true"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.bytes().await.unwrap().is_empty());
    let (s, _) = tl.get(&format!("/assets/{asset}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, after) = tl
        .get(&format!("/indexes/{index}/indexed-assets?page_limit=50"))
        .await;
    assert!(!after["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["asset_id"] == asset));
    // an unreferenced asset goes with or without force
    let own = tl
        .upload("x.png", png(8, 8, |_, _| [9, 9, 9]), "image/png")
        .await;
    let (s, _) = tl
        .send(tl.req(Method::DELETE, &format!("/assets/{own}")))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = tl
        .send(tl.req(Method::DELETE, &format!("/assets/{own}")))
        .await;
    assert_eq!(
        (s, error_code(&e)),
        (StatusCode::NOT_FOUND, "resource_not_exist")
    );
    tl.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn user_metadata_put_patch_delete() {
    let tl = Tl::start(config()).await;
    let id = tl
        .upload("m.png", png(8, 8, |x, _| [x as u8 * 20, 0, 0]), "image/png")
        .await;
    let path = format!("/assets/{id}/user-metadata");
    let meta = |v: Value| json!({"user_metadata": v});
    let (s, b) = tl
        .json(Method::PUT, &path, meta(json!({"a": "x", "n": 3, "f": 1.5, "ok": true, "tags": ["p", "q"], "gone": null, "empty": ""})))
        .await;
    assert_eq!((s, b), (StatusCode::OK, Value::Null));
    let (_, a) = tl.get(&format!("/assets/{id}")).await;
    assert_eq!(
        a["user_metadata"],
        json!({"a": "x", "n": 3, "f": 1.5, "ok": true, "tags": ["p", "q"]})
    );
    tl.json(
        Method::PATCH,
        &path,
        meta(json!({"a": null, "n": 4, "new": "y", "tags": []})),
    )
    .await;
    let (_, a) = tl.get(&format!("/assets/{id}")).await;
    assert_eq!(
        a["user_metadata"],
        json!({"n": 4, "f": 1.5, "ok": true, "tags": ["p", "q"], "new": "y"})
    );
    tl.json(Method::PUT, &path, meta(json!({"only": "this"})))
        .await;
    let (_, a) = tl.get(&format!("/assets/{id}")).await;
    assert_eq!(a["user_metadata"], json!({"only": "this"}));
    let (s, _) = tl.send(tl.req(Method::DELETE, &path)).await;
    assert_eq!(s, StatusCode::OK);
    let (_, a) = tl.get(&format!("/assets/{id}")).await;
    assert!(a.get("user_metadata").is_none(), "absent once cleared: {a}");
    for bad in [
        json!({"user_metadata": {"o": {"nested": 1}}}),
        json!({"user_metadata": {"l": [1, 2]}}),
        json!({}),
    ] {
        let (s, _) = tl.json(Method::PUT, &path, bad.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
    }
    let (s, e) = tl
        .json(
            Method::PUT,
            "/assets/000000000000000000000000/user-metadata",
            meta(json!({})),
        )
        .await;
    assert_eq!(
        (s, error_code(&e)),
        (StatusCode::NOT_FOUND, "resource_not_exist")
    );
    tl.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn multipart_upload_flow_end_to_end() {
    let tl = Tl::start(TlConfig {
        chunk_size: 1000,
        auth: Some("tl-key".into()),
        ..config()
    })
    .await;
    let file = wav(1250); // 2 544 bytes: three chunks
    let (s, m) = tl
        .json(
            Method::POST,
            "/assets/multipart-uploads",
            json!({"filename": "big.wav", "type": "audio", "total_size": file.len(), "enable_hls": true, "user_metadata": {"via": "multipart", "drop": ""}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(
        (m["chunk_size"].as_u64(), m["total_chunks"].as_u64()),
        (Some(1000), Some(3))
    );
    assert!(is_rfc3339(&m["expires_at"]));
    let upload = m["upload_id"].as_str().unwrap().to_string();
    let asset = m["asset_id"].as_str().unwrap().to_string();
    let urls: Vec<String> = m["upload_urls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["url"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(urls.len(), 3);
    // the asset is reserved, not usable yet
    let (s, _) = tl.get(&format!("/assets/{asset}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // open sessions
    let (_, open) = tl.get("/assets/multipart-uploads").await;
    assert_eq!(open["data"][0]["upload_id"], upload);
    assert_eq!(open["data"][0]["total_chunks"], 3);
    // presigned PUTs: no key, an ETag, single use
    let plain = reqwest::Client::new();
    let mut etags = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        let chunk = file[i * 1000..((i + 1) * 1000).min(file.len())].to_vec();
        let r = plain.put(url).body(chunk.clone()).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let etag = r.headers()["etag"].to_str().unwrap().to_string();
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
        etags.push((etag.trim_matches('"').to_string(), chunk.len()));
    }
    let again = plain
        .put(&urls[0])
        .body(file[..1000].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::FORBIDDEN);
    // a fresh URL (M2) for chunk 1 works, count over 50 does not
    let (s, more) = tl
        .json(
            Method::POST,
            &format!("/assets/multipart-uploads/{upload}/presigned-urls"),
            json!({"start": 1, "count": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{more}");
    assert_eq!(
        (more["start_index"].as_u64(), more["count"].as_u64()),
        (Some(1), Some(1))
    );
    let fresh = more["upload_urls"][0]["url"].as_str().unwrap();
    assert_eq!(
        plain
            .put(fresh)
            .body(file[..1000].to_vec())
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let (s, _) = tl
        .json(
            Method::POST,
            &format!("/assets/multipart-uploads/{upload}/presigned-urls"),
            json!({"start": 1, "count": 51}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let report = |idx: &[usize]| {
        json!({"completed_chunks": idx.iter().map(|&i| json!({
            "chunk_index": i, "proof": etags[i - 1].0, "proof_type": "etag", "chunk_size": etags[i - 1].1
        })).collect::<Vec<_>>()})
    };
    let done = format!("/assets/multipart-uploads/{upload}");
    let (s, r) = tl.json(Method::POST, &done, report(&[2, 1])).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (
            r["processed_chunks"].as_u64(),
            r["duplicate_chunks"].as_u64(),
            r["total_completed"].as_u64()
        ),
        (Some(2), Some(0), Some(2))
    );
    assert!(r.get("url").is_none(), "not complete yet: {r}");
    let (_, st) = tl.get(&format!("{done}?page_limit=2")).await;
    assert_eq!(st["status"], "active");
    assert_eq!(
        (
            st["chunks_completed"].as_u64(),
            st["chunks_pending"].as_u64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(st["uploaded_chunks"][0]["status"], "completed");
    // a wrong proof is refused
    let mut wrong = report(&[3]);
    wrong["completed_chunks"][0]["proof"] = json!("0000");
    let (s, _) = tl.json(Method::POST, &done, wrong).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, r) = tl.json(Method::POST, &done, report(&[2, 3])).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (
            r["processed_chunks"].as_u64(),
            r["duplicate_chunks"].as_u64(),
            r["total_completed"].as_u64()
        ),
        (Some(1), Some(1), Some(3))
    );
    assert!(r["url"].is_string(), "complete: {r}");
    let (_, st) = tl.get(&format!("{done}?page=1&page_limit=50")).await;
    assert_eq!(st["status"], "completed");
    assert_eq!(st["uploaded_size"], file.len());
    assert_eq!(st["uploaded_chunks"].as_array().unwrap().len(), 3);
    let (_, past) = tl.get(&format!("{done}?page=9")).await;
    assert_eq!(past["uploaded_chunks"], json!([]));
    // the asset: multipart, processing, then ready with the same bytes
    let seen = tl.poll_asset(&asset, |a| a["status"] == "ready").await;
    assert_eq!(seen[0]["status"], "processing");
    let a = seen.last().unwrap();
    assert_eq!(a["method"], "multipart");
    assert_eq!(a["user_metadata"], json!({"via": "multipart"}));
    let bytes = reqwest::get(r["url"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), file.as_slice());
    // unknown sessions; a session expires after 24 h
    let (s, e) = tl
        .get("/assets/multipart-uploads/000000000000000000000000")
        .await;
    assert_eq!(
        (s, error_code(&e)),
        (StatusCode::NOT_FOUND, "resource_not_exist")
    );
    let (_, m2) = tl
        .json(
            Method::POST,
            "/assets/multipart-uploads",
            json!({"filename": "late.wav", "type": "audio", "total_size": 10}),
        )
        .await;
    let late = m2["upload_id"].as_str().unwrap().to_string();
    let (s, _) = tl
        .send(tl.req(Method::POST, "/_demo/clock?advance=90000"))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, st) = tl.get(&format!("/assets/multipart-uploads/{late}")).await;
    assert_eq!(st["status"], "expired");
    let put = plain
        .put(m2["upload_urls"][0]["url"].as_str().unwrap())
        .body(vec![0u8; 10])
        .send()
        .await
        .unwrap();
    assert_ne!(put.status(), StatusCode::OK);
    let (_, open) = tl.get("/assets/multipart-uploads").await;
    assert_eq!(open["data"], json!([]));
    tl.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn indexes_and_indexing_states() {
    let tl = Tl::start(config()).await;
    let (s, list) = tl.get("/indexes").await;
    assert_eq!(s, StatusCode::OK);
    let ix = &list["data"][0];
    let index = ix["_id"].as_str().unwrap().to_string();
    assert!(ix["index_name"].is_string() && ix["models"].is_array());
    assert!(ix["expires_at"].is_null() && ix.as_object().unwrap().contains_key("expires_at"));
    assert!(is_rfc3339(&ix["created_at"]) && is_rfc3339(&ix["updated_at"]));
    let (_, one) = tl.get(&format!("/indexes/{index}")).await;
    assert_eq!(one["_id"], index.as_str());
    let (s, _) = tl.get("/indexes/000000000000000000000000").await;
    assert!(s == StatusCode::NOT_FOUND || s == StatusCode::BAD_REQUEST);
    let (_, past) = tl.get("/indexes?page=3").await;
    assert_eq!(past["data"], json!([]));
    // X1 and V1 over the same records
    let (_, x1) = tl
        .get(&format!("/indexes/{index}/indexed-assets?page_limit=50"))
        .await;
    let (_, v1) = tl
        .get(&format!("/indexes/{index}/videos?page_limit=50"))
        .await;
    assert_eq!(x1["page_info"], v1["page_info"]);
    let first = &x1["data"][0];
    assert_eq!(first["status"], "ready");
    assert!(first["system_metadata"]["filename"].is_string());
    assert!(v1["data"][0].get("status").is_none());
    let (_, v2) = tl
        .get(&format!(
            "/indexes/{index}/videos/{}",
            first["_id"].as_str().unwrap()
        ))
        .await;
    assert!(v2["system_metadata"].get("size").is_none());
    // X3: not ready yet -> 400; missing asset -> 404; then the states
    let id = tl
        .upload(
            "idx.png",
            png(16, 16, |x, y| [x as u8 * 9, y as u8 * 9, 0]),
            "image/png",
        )
        .await;
    let path = format!("/indexes/{index}/indexed-assets");
    let (s, e) = tl.json(Method::POST, &path, json!({"asset_id": id})).await;
    assert_eq!(
        (s, error_code(&e)),
        (StatusCode::BAD_REQUEST, "parameter_invalid")
    );
    let (s, _) = tl
        .json(
            Method::POST,
            &path,
            json!({"asset_id": "000000000000000000000000"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    tl.poll_asset(&id, |a| a["status"] == "ready").await;
    let (s, created) = tl
        .json(
            Method::POST,
            &path,
            json!({"asset_id": id, "user_metadata": {"k": "v"}}),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{created}");
    assert_eq!(created["asset_id"], id.as_str());
    let ia = created["_id"].as_str().unwrap();
    let (_, pending) = tl.get(&format!("{path}?status=pending")).await;
    assert!(pending["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["_id"] == ia));
    let mut states = Vec::new();
    let mut updated = Vec::new();
    for _ in 0..20 {
        let (s, x) = tl.get(&format!("{path}/{ia}")).await;
        assert_eq!(s, StatusCode::OK);
        states.push(x["status"].as_str().unwrap().to_string());
        updated.push(x["updated_at"].as_str().unwrap().to_string());
        if x["status"] == "ready" {
            assert!(is_rfc3339(&x["indexed_at"]));
            assert_eq!(x["user_metadata"], json!({"k": "v"}));
            break;
        }
        assert!(x.get("indexed_at").is_none());
        // a second of server time between retrievals (no stage is time-driven here)
        tl.send(tl.req(Method::POST, "/_demo/clock?advance=1"))
            .await;
    }
    states.dedup();
    assert_eq!(states, ["pending", "validating", "indexing", "ready"]);
    updated.dedup();
    assert_eq!(
        updated.len(),
        4,
        "updated_at moves on every transition: {updated:?}"
    );
    let (_, by_meta) = tl.get(&format!("{path}?user_metadata%5Bk%5D=v")).await;
    assert_eq!(by_meta["data"][0]["_id"], ia);
    let (_, bare) = tl.get(&format!("{path}?k=v")).await;
    assert_eq!(bare["page_info"]["total_results"], 1);
    let (_, sized) = tl
        .get(&format!("{path}?width%5Bgte%5D=16&width%5Blte%5D=16"))
        .await;
    assert!(sized["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["_id"] == ia));
    let (s, e) = tl.get(&format!("{path}/000000000000000000000000")).await;
    assert_eq!(
        (s, error_code(&e)),
        (StatusCode::NOT_FOUND, "resource_not_exist")
    );
    tl.srv.stop().await;
}

/// Search results are ranked 1..n over the whole set.
fn ranks(pages: &[Value]) -> Vec<u64> {
    pages
        .iter()
        .flat_map(|p| p["data"].as_array().unwrap().clone())
        .map(|c| c["rank"].as_u64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn text_search_ranks_clips_and_pages_by_token() {
    let tl = Tl::start(config()).await;
    let index = tl.demo_index().await;
    let (_, ia) = tl
        .upload_indexed("zephyrquokka-tone.wav", wav(800), "audio/wav")
        .await;
    let search = |q: &str, extra: Vec<F<'static>>| {
        let mut f = vec![
            F::Text("query_text", q.to_string()),
            F::Text("index_id", index.clone()),
            F::Text("search_options", "visual".into()),
            F::Text("search_options", "audio".into()),
        ];
        f.extend(extra);
        f
    };
    let (s, r) = tl.form("/search", &search("zephyrquokka", vec![])).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["data"][0]["video_id"], ia.as_str());
    assert_eq!(r["data"][0]["rank"], 1);
    assert!(r["data"][0]["thumbnail_url"].is_string());
    assert!(r["data"][0].get("start").is_some() && r["data"][0].get("end").is_some());
    assert!(r["page_info"].get("next_page_token").is_none());
    assert_eq!(r["search_pool"]["index_id"], index.as_str());
    let (_, none) = tl
        .form("/search", &search("xylophonequagmire", vec![]))
        .await;
    assert_eq!(none["data"], json!([]));
    assert_eq!(none["page_info"]["total_results"], 0);
    // a word every clip of the uploaded tone shares with nothing else, and
    // then a query matching many: pages of one by token
    let (_, many) = tl
        .form(
            "/search",
            &search(
                "zephyrquokka wav mp4 png",
                vec![
                    F::Text("page_limit", "1".into()),
                    F::Text("include_user_metadata", "false".into()),
                ],
            ),
        )
        .await;
    let total = many["page_info"]["total_results"].as_u64().unwrap();
    assert!(total >= 2, "{many}");
    assert!(is_rfc3339(&many["page_info"]["page_expires_at"]));
    assert!(many["page_info"].get("prev_page_token").is_none());
    let mut pages = vec![many.clone()];
    let mut token = many["page_info"]["next_page_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "{token}"
    );
    for _ in 0..100 {
        let (s, p) = tl.get(&format!("/search/{token}")).await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert!(p["page_info"]["prev_page_token"].is_string());
        pages.push(p.clone());
        match p["page_info"]["next_page_token"].as_str() {
            Some(t) => token = t.to_string(),
            None => break,
        }
    }
    assert_eq!(ranks(&pages), (1..=total).collect::<Vec<_>>());
    // operator=and keeps only clips with every word
    let (_, and) = tl
        .form(
            "/search",
            &search("zephyrquokka tone", vec![F::Text("operator", "and".into())]),
        )
        .await;
    assert!(and["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["video_id"] == ia.as_str()));
    // group_by=video: id + clips, total_inner_matches
    let (_, grouped) = tl
        .form(
            "/search",
            &search(
                "zephyrquokka wav mp4 png",
                vec![
                    F::Text("group_by", "video".into()),
                    F::Text("include_user_metadata", "true".into()),
                ],
            ),
        )
        .await;
    let videos = grouped["data"].as_array().unwrap();
    assert!(videos
        .iter()
        .all(|v| v["id"].is_string() && v["clips"].is_array()));
    assert_eq!(
        grouped["page_info"]["total_inner_matches"].as_u64(),
        Some(total)
    );
    assert_eq!(videos[0]["clips"][0]["rank"], 1);
    // validation
    for (fields, code) in [
        (
            vec![
                F::Text("query_text", "x".into()),
                F::Text("search_options", "visual".into()),
            ],
            "parameter_not_provided",
        ),
        (
            vec![
                F::Text("index_id", index.clone()),
                F::Text("query_text", "x".into()),
            ],
            "parameter_not_provided",
        ),
        (
            search("x", vec![F::Text("filter", "{not json".into())]),
            "search_filter_invalid",
        ),
        (
            search("x", vec![F::Text("filter", "{\"id\": \"nope\"}".into())]),
            "search_filter_invalid",
        ),
        (
            search("x", vec![F::Text("page_limit", "51".into())]),
            "parameter_invalid",
        ),
    ] {
        let (s, e) = tl.form("/search", &fields).await;
        assert_eq!((s, error_code(&e)), (StatusCode::BAD_REQUEST, code), "{e}");
    }
    let (_, filtered) = tl
        .form(
            "/search",
            &search(
                "zephyrquokka wav mp4 png",
                vec![F::Text("filter", format!("{{\"id\": [\"{ia}\"]}}"))],
            ),
        )
        .await;
    assert!(filtered["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["video_id"] == ia.as_str()));
    tl.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn image_search_by_file_and_by_url_finds_the_picture() {
    let tl = Tl::start(config()).await;
    let index = tl.demo_index().await;
    let picture = png(96, 64, |x, y| {
        if (x / 8 + y / 8) % 2 == 0 {
            [255, 0, 255]
        } else {
            [0, 255, 0]
        }
    });
    let (asset, ia) = tl
        .upload_indexed("checks.png", picture.clone(), "image/png")
        .await;
    let base = |page_limit: &str| {
        vec![
            F::Text("query_media_type", "image".into()),
            F::Text("index_id", index.clone()),
            F::Text("search_options", "visual".into()),
            F::Text("page_limit", page_limit.into()),
        ]
    };
    let mut by_file = base("50");
    by_file.push(F::File("query_media_file", "q.png", "image/png", picture));
    let (s, r) = tl.form("/search", &by_file).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["data"][0]["video_id"], ia.as_str());
    assert_eq!(
        ranks(std::slice::from_ref(&r)),
        (1..=r["data"].as_array().unwrap().len() as u64).collect::<Vec<_>>()
    );
    assert!(
        r["data"].as_array().unwrap().len() >= 2,
        "every clip of the index is ranked"
    );
    // by URL: the asset's own thumbnail link
    let (_, a) = tl.get(&format!("/assets/{asset}")).await;
    let (_, a) = if a["thumbnail"]["status"] == "ready" {
        (StatusCode::OK, a)
    } else {
        let seen = tl
            .poll_asset(&asset, |a| a["thumbnail"]["status"] == "ready")
            .await;
        (StatusCode::OK, seen.last().unwrap().clone())
    };
    let mut by_url = base("1");
    by_url.push(F::Text(
        "query_media_url",
        a["thumbnail"]["representative_url"]
            .as_str()
            .unwrap()
            .into(),
    ));
    let (s, r) = tl.form("/search", &by_url).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["data"][0]["video_id"], ia.as_str());
    assert!(r["page_info"]["next_page_token"].is_string());
    let mut outside = base("1");
    outside.push(F::Text(
        "query_media_url",
        "https://example.com/cat.jpg".into(),
    ));
    let (s, e) = tl.form("/search", &outside).await;
    assert_eq!(
        (s, error_code(&e)),
        (StatusCode::BAD_REQUEST, "parameter_invalid")
    );
    let mut not_image = base("1");
    not_image.push(F::File(
        "query_media_file",
        "q.png",
        "image/png",
        b"text".to_vec(),
    ));
    let (s, _) = tl.form("/search", &not_image).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    tl.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn search_page_tokens_expire_and_unknown_ones_are_refused() {
    let tl = Tl::start(config()).await;
    let index = tl.demo_index().await;
    let mut f = vec![
        F::Text("query_media_type", "image".into()),
        F::Text("index_id", index),
        F::Text("search_options", "visual".into()),
        F::Text("page_limit", "1".into()),
    ];
    f.push(F::File(
        "query_media_file",
        "q.png",
        "image/png",
        png(8, 8, |_, _| [10, 20, 30]),
    ));
    let (_, r) = tl.form("/search", &f).await;
    let token = r["page_info"]["next_page_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, _) = tl.get(&format!("/search/{token}")).await;
    assert_eq!(s, StatusCode::OK);
    for bad in ["nope", "00000000000000000000000000000000-2"] {
        let (s, e) = tl.get(&format!("/search/{bad}")).await;
        assert_eq!(
            (s, error_code(&e)),
            (StatusCode::BAD_REQUEST, "search_page_token_expired")
        );
    }
    tl.send(tl.req(Method::POST, "/_demo/clock?advance=7200"))
        .await;
    let (s, e) = tl.get(&format!("/search/{token}")).await;
    assert_eq!(
        (s, error_code(&e)),
        (StatusCode::BAD_REQUEST, "search_page_token_expired")
    );
    tl.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_key_is_required_except_on_signed_links() {
    let tl = Tl::start(TlConfig {
        auth: Some("secret-key".into()),
        ..config()
    })
    .await;
    let bare = reqwest::Client::new();
    for key in [None, Some("wrong")] {
        let mut r = bare.get(tl.url("/assets"));
        if let Some(k) = key {
            r = r.header("x-api-key", k);
        }
        let (s, e) = tl.send(r).await;
        assert_eq!(
            (s, error_code(&e)),
            (StatusCode::UNAUTHORIZED, "api_key_invalid")
        );
    }
    let (s, v) = tl
        .send(
            tl.req(Method::GET, "/assets")
                .header("X-Fern-SDK-Name", "twelvelabs"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let id = v["data"][0]["_id"].as_str().unwrap();
    let (_, a) = tl.get(&format!("/assets/{id}")).await;
    let thumb = a["thumbnail"]["representative_url"].as_str().unwrap();
    assert_eq!(
        bare.get(thumb).send().await.unwrap().status(),
        StatusCode::OK
    );
    tl.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn faults_answer_in_the_api_shape() {
    let tl = Tl::start(TlConfig {
        faults: assetui::server::faults::FaultSpec::parse("429=1").unwrap(),
        ..config()
    })
    .await;
    let r = tl.req(Method::GET, "/assets").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let after: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(after <= 30);
    let e: Value = r.json().await.unwrap();
    assert_eq!(error_code(&e), "too_many_requests");
    // the test controls never misbehave; scripted faults come first
    let tl2 = Tl::start(config()).await;
    let (s, _) = tl2
        .send(tl2.req(Method::POST, "/_demo/faults?path=/v1.3/indexes&fault=503"))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = tl2.get("/indexes").await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    assert!(e["code"].is_string() && e["message"].is_string());
    assert_eq!(tl2.get("/indexes").await.0, StatusCode::OK);
    tl.srv.stop().await;
    tl2.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn data_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = || TlConfig {
        data_dir: Some(dir.path().to_path_buf()),
        ..config()
    };
    let tl = Tl::start(cfg()).await;
    let index = tl.demo_index().await;
    let (_, members) = tl
        .get(&format!("/indexes/{index}/indexed-assets?page_limit=50"))
        .await;
    let gone = members["data"][0]["asset_id"].as_str().unwrap().to_string();
    let (_, all) = tl.get("/assets?page_limit=50").await;
    let tagged = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["_id"].as_str().unwrap().to_string())
        .find(|id| *id != gone)
        .unwrap();
    let picture = png(12, 12, |x, _| [x as u8 * 20, 100, 200]);
    let (uploaded, ia) = tl
        .upload_indexed("kept.png", picture.clone(), "image/png")
        .await;
    tl.json(
        Method::PUT,
        &format!("/assets/{tagged}/user-metadata"),
        json!({"user_metadata": {"kept": true}}),
    )
    .await;
    let (s, _) = tl
        .send(tl.req(Method::DELETE, &format!("/assets/{gone}?force=true")))
        .await;
    assert_eq!(s, StatusCode::OK);
    tl.srv.stop().await;

    let tl = Tl::start(cfg()).await;
    let (s, _) = tl.get(&format!("/assets/{gone}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, t) = tl.get(&format!("/assets/{tagged}")).await;
    assert_eq!(t["user_metadata"]["kept"], true);
    let (s, up) = tl.get(&format!("/assets/{uploaded}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(up["status"], "ready");
    let (_, refs) = tl.get(&format!("/assets/{uploaded}/indexed-assets")).await;
    assert_eq!(refs["data"][0]["_id"], ia.as_str());
    let (_, members) = tl
        .get(&format!("/indexes/{index}/indexed-assets?page_limit=50"))
        .await;
    assert!(!members["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["asset_id"] == gone));
    let seen = tl
        .poll_asset(&uploaded, |a| a["thumbnail"]["status"] == "ready")
        .await;
    drop(seen);
    let (_, listed) = tl.get(&format!("/assets?asset_ids={uploaded}")).await;
    assert_eq!(listed["data"][0]["size"], picture.len());
    tl.srv.stop().await;
}
