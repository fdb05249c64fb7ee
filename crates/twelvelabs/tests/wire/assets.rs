//! Asset endpoints on the wire.

use crate::support::{asset, Recorder, Reply, KEY};
use assetui_twelvelabs::assets::{CreateAsset, ListAssets};
use assetui_twelvelabs::models::{AssetType, MetadataValue, UserMetadata};
use assetui_twelvelabs::{Error, USER_AGENT};
use serde_json::json;

async fn ok(body: serde_json::Value) -> Recorder {
    Recorder::script(vec![], Reply::json(200, body)).await
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn every_call_carries_the_key_the_user_agent_and_accept() {
    let rec = ok(asset("a1")).await;
    rec.client().get_asset("a1").await.unwrap();
    let r = rec.last();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/v1.3/assets/a1")
    );
    assert_eq!(r.query, None);
    assert_eq!(r.header("x-api-key"), Some(KEY));
    assert_eq!(r.header("user-agent"), Some(USER_AGENT));
    assert!(USER_AGENT.starts_with("assetui/"));
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(r.header("authorization"), None);
}

#[tokio::test]
async fn list_sends_page_always_and_arrays_as_repeated_keys() {
    let rec = ok(json!({"data": [], "page_info": {"page": 1}})).await;
    let c = rec.client();
    c.list_assets(&ListAssets::default()).await.unwrap();
    assert_eq!(rec.last().path, "/v1.3/assets");
    assert_eq!(rec.last().query.as_deref(), Some("page=1"));
    let q = ListAssets {
        page: Some(3),
        page_limit: Some(50),
        asset_ids: vec!["a1".into(), "a2".into()],
        asset_types: vec![AssetType::Video, AssetType::Image],
        filename: Some("beach day".into()),
    };
    c.list_assets(&q).await.unwrap();
    let r = rec.last();
    assert_eq!(
        r.query_pairs(),
        pairs(&[
            ("page", "3"),
            ("page_limit", "50"),
            ("asset_ids", "a1"),
            ("asset_ids", "a2"),
            ("asset_types", "video"),
            ("asset_types", "image"),
            ("filename", "beach day"),
        ])
    );
    // never comma-joined
    assert!(!r.query.unwrap().contains("%2C"));
    // one value is one key
    let one = ListAssets {
        asset_types: vec![AssetType::Audio],
        ..ListAssets::default()
    };
    c.list_assets(&one).await.unwrap();
    assert_eq!(
        rec.last().query.as_deref(),
        Some("page=1&asset_types=audio")
    );
}

#[tokio::test]
async fn page_limits_outside_1_to_50_are_refused_before_sending() {
    let rec = ok(json!({"data": []})).await;
    let c = rec.client();
    for limit in [0, 51] {
        let q = ListAssets {
            page_limit: Some(limit),
            ..ListAssets::default()
        };
        let err = c.list_assets(&q).await.unwrap_err();
        assert!(err.to_string().contains("between 1 and 50"), "{err}");
    }
    let q = ListAssets {
        page: Some(0),
        ..ListAssets::default()
    };
    assert!(c.list_assets(&q).await.is_err());
    assert!(rec.requests().is_empty());
}

#[tokio::test]
async fn ids_are_one_escaped_segment_and_dot_ids_are_refused() {
    let rec = ok(asset("x")).await;
    let c = rec.client();
    for id in ["", ".", ".."] {
        let err = c.get_asset(id).await.unwrap_err().to_string();
        assert!(err.contains("is not an id"), "{id:?}: {err}");
        assert!(c.delete_asset(id, true).await.is_err());
    }
    assert!(rec.requests().is_empty());
    c.get_asset("a/b?c").await.unwrap();
    assert_eq!(rec.last().path, "/v1.3/assets/a%2Fb%3Fc");
}

#[tokio::test]
async fn create_direct_streams_the_file_in_the_sdk_field_order() {
    let rec = Recorder::script(
        vec![],
        Reply::json(
            201,
            json!({"_id": "new1", "method": "direct", "status": "processing"}),
        ),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clip.MOV");
    let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &content).unwrap();
    let mut metadata = UserMetadata::new();
    metadata.insert("category", "travel");
    metadata.insert("rating", MetadataValue::parse("4.5"));
    metadata.insert("reviewed", true);
    let mut req = CreateAsset::file(&path);
    req.filename = Some("holiday.mov".into());
    req.enable_hls = Some(true);
    req.enable_thumbnail = Some(false);
    req.user_metadata = Some(metadata);
    let created = rec.client().create_asset(&req).await.unwrap();
    assert_eq!(created.id(), Some("new1"));
    let r = rec.last();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v1.3/assets")
    );
    assert_eq!(r.header("x-api-key"), Some(KEY));
    assert_eq!(
        r.header("content-length")
            .map(|v| v.parse::<usize>().unwrap()),
        Some(r.body.len())
    );
    let ctype = r.header("content-type").unwrap();
    let boundary = ctype
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap();
    assert_eq!(boundary.len(), 32);
    assert!(boundary.chars().all(|c| c.is_ascii_hexdigit()));
    let form = r.form();
    let names: Vec<&str> = form.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "method",
            "filename",
            "enable_hls",
            "enable_thumbnail",
            "user_metadata",
            "file"
        ]
    );
    assert_eq!(
        r.form_fields(),
        pairs(&[
            ("method", "direct"),
            ("filename", "holiday.mov"),
            ("enable_hls", "true"),
            ("enable_thumbnail", "false"),
            (
                "user_metadata",
                r#"{"category":"travel","rating":4.5,"reviewed":true}"#
            ),
        ])
    );
    // text parts carry no content type
    assert!(form[..5].iter().all(|p| p.other_headers.is_empty()));
    let file = &form[5];
    assert_eq!(file.filename.as_deref(), Some("clip.MOV"));
    assert_eq!(file.other_headers, ["Content-Type: video/quicktime"]);
    assert_eq!(file.value, content);
}

#[tokio::test]
async fn create_by_url_sends_a_form_without_a_file_part() {
    let rec = Recorder::script(vec![], Reply::json(201, json!({"_id": "u1"}))).await;
    let c = rec.client();
    c.create_asset(&CreateAsset::url("https://cdn.example.com/a.mp4"))
        .await
        .unwrap();
    let r = rec.last();
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("multipart/form-data; boundary="));
    assert_eq!(
        r.form_fields(),
        pairs(&[("method", "url"), ("url", "https://cdn.example.com/a.mp4")])
    );
    assert_eq!(r.form().len(), 2);
    // not a web URL: refused before sending
    let err = c
        .create_asset(&CreateAsset::url("file:///etc/passwd"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    assert_eq!(rec.requests().len(), 1);
}

#[tokio::test]
async fn a_file_over_4_gb_is_refused_before_anything_is_sent() {
    let rec = ok(asset("x")).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.mp4");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len((4u64 << 30) + 1).unwrap(); // sparse: no disk used
    let err = rec
        .client()
        .create_asset(&CreateAsset::file(&path))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::FileTooLarge { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("4 GB") && text.contains("nothing was sent"),
        "{text}"
    );
    assert!(rec.requests().is_empty());
    let missing = dir.path().join("missing.mp4");
    let err = rec
        .client()
        .create_asset(&CreateAsset::file(&missing))
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("cannot read"), "{err}");
    assert!(rec.requests().is_empty());
}

#[tokio::test]
async fn delete_sends_force_only_when_asked_and_reads_no_body() {
    let rec = Recorder::script(vec![], Reply::empty(200)).await;
    let c = rec.client();
    c.delete_asset("a1", false).await.unwrap();
    let r = rec.last();
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), r.query.as_deref()),
        ("DELETE", "/v1.3/assets/a1", None)
    );
    c.delete_asset("a1", true).await.unwrap();
    assert_eq!(rec.last().query.as_deref(), Some("force=true"));
    // 204 and a non-JSON 200 are fine too: the body is never read
    let rec = Recorder::script(
        vec![Reply::empty(204)],
        Reply::text(200, "text/plain", "OK"),
    )
    .await;
    rec.client().delete_asset("a1", false).await.unwrap();
    rec.client().delete_asset("a1", false).await.unwrap();
}

#[tokio::test]
async fn a_409_on_delete_is_a_conflict_with_the_server_words() {
    let rec = Recorder::script(
        vec![],
        Reply::json(
            409,
            serde_json::from_str(include_str!("../fixtures/error_conflict.json")).unwrap(),
        ),
    )
    .await;
    let err = rec.client().delete_asset("a1", false).await.unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "…: The asset is referenced by one or more indexed assets. Set force=true to delete it anyway. (409 on DELETE /v1.3/assets/a1)"
    );
    // a 409 is an answer: not sent again
    assert_eq!(rec.requests().len(), 1);
}

#[tokio::test]
async fn user_metadata_put_patch_and_delete() {
    let rec = Recorder::script(vec![], Reply::empty(200)).await;
    let c = rec.client();
    let mut m = UserMetadata::new();
    m.insert("category", "travel");
    m.insert("count", 5i64);
    m.insert("flag", false);
    m.insert("tags", MetadataValue::Strings(vec!["a".into(), "b".into()]));
    c.put_user_metadata("a1", &m).await.unwrap();
    let r = rec.last();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PUT", "/v1.3/assets/a1/user-metadata")
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        String::from_utf8(r.body.clone()).unwrap(),
        r#"{"user_metadata":{"category":"travel","count":5,"flag":false,"tags":["a","b"]}}"#
    );
    let mut patch = UserMetadata::new();
    patch.insert("category", MetadataValue::Null);
    patch.insert("new", "x");
    c.patch_user_metadata("a1", &patch).await.unwrap();
    let r = rec.last();
    assert_eq!(r.method, "PATCH");
    // a null is sent as null: PATCH deletes that key
    assert_eq!(
        r.json(),
        json!({"user_metadata": {"category": null, "new": "x"}})
    );
    c.delete_user_metadata("a1").await.unwrap();
    let r = rec.last();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("DELETE", "/v1.3/assets/a1/user-metadata")
    );
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn transcription_and_the_indexes_of_an_asset() {
    let rec =
        ok(json!({"status": "ready", "words": [{"start": 0.0, "end": 0.4, "value": "hi"}]})).await;
    let c = rec.client();
    let t = c
        .get_transcription("a1", &["words", "utterances"])
        .await
        .unwrap();
    assert_eq!(t.words.unwrap()[0].value.as_deref(), Some("hi"));
    let r = rec.last();
    assert_eq!(r.path, "/v1.3/assets/a1/transcription");
    assert_eq!(r.query.as_deref(), Some("include=words&include=utterances"));

    let rec = ok(json!({"data": [{"_id": "ia1", "index": {"_id": "i1", "name": "demo"}}], "page_info": {"page": 1}})).await;
    let page = rec
        .client()
        .asset_indexed_assets("a1", None, Some(5))
        .await
        .unwrap();
    assert_eq!(
        page.items()[0].index.as_ref().unwrap().name.as_deref(),
        Some("demo")
    );
    let r = rec.last();
    assert_eq!(r.path, "/v1.3/assets/a1/indexed-assets");
    assert_eq!(r.query.as_deref(), Some("page=1&page_limit=5"));
}

#[tokio::test]
async fn a_401_names_the_variable_and_never_the_key() {
    let rec = Recorder::script(
        vec![],
        Reply::error(
            401,
            "api_key_invalid",
            "The API key you provided is not valid.",
        ),
    )
    .await;
    let err = rec
        .client()
        .list_assets(&ListAssets::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("api_key_invalid: The API key you provided is not valid."),
        "{text}"
    );
    assert!(text.contains("TWELVE_LABS_API_KEY"), "{text}");
    assert!(!text.contains(KEY) && !format!("{err:?}").contains(KEY));
    assert_eq!(rec.requests().len(), 1, "a 401 is not retried");
}

#[tokio::test]
async fn a_non_json_success_is_a_clear_error() {
    let rec = Recorder::script(vec![], Reply::text(200, "text/html", "<html>login</html>")).await;
    let err = rec.client().get_asset("a1").await.unwrap_err().to_string();
    assert_eq!(
        err,
        "unexpected answer from GET /v1.3/assets/a1 (200): expected JSON, got text/html: \"<html>login</html>\""
    );
    let rec = ok(json!({"_id": "a1", "size": "big"})).await;
    let err = rec.client().get_asset("a1").await.unwrap_err().to_string();
    assert!(err.contains("at `size`"), "{err}");
}
