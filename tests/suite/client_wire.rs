//! The client against a recording server: every endpoint's method, path,
//! query string, body and headers, exactly as the official SDKs send them.

use crate::support;
use assetui::api::params::*;
use assetui::api::{Client, ClientOptions, USER_AGENT};
use futures_util::StreamExt;
use serde_json::json;
use support::{asset_json, Recorder, Reply};

const BASIC: &str = "Basic a2V5OnNlY3JldA=="; // key:secret

fn client(rec: &Recorder) -> Client {
    Client::new(ClientOptions::new(rec.base_url()).authorization(Some(BASIC.into()))).unwrap()
}

async fn ok(body: serde_json::Value) -> Recorder {
    Recorder::start(vec![], Reply::json(200, body)).await
}

#[tokio::test]
async fn every_request_carries_auth_user_agent_and_accept() {
    let rec = ok(json!({"asset": asset_json("asset_1")})).await;
    client(&rec).get_asset("asset_1").await.unwrap();
    let r = rec.last();
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/v1/assets/asset_1");
    assert_eq!(r.header("authorization"), Some(BASIC));
    assert_eq!(r.header("user-agent"), Some(USER_AGENT));
    assert!(USER_AGENT.starts_with("assetui/"));
    assert_eq!(r.header("accept"), Some("application/json"));
}

/// A URL drops `.` and `..` segments: `tag ..` would have sent
/// `PUT /v1/assets/tags`. Such ids are refused before any request.
#[tokio::test]
async fn dot_segment_ids_are_refused_before_any_request() {
    let rec = ok(json!({"asset": asset_json("asset_1")})).await;
    let c = client(&rec);
    for id in [".", "..", ""] {
        let err = c.get_asset(id).await.unwrap_err().to_string();
        assert!(err.contains("is not an id"), "{id:?}: {err}");
        let tags = UpdateTagsRequest::default();
        assert!(c.update_tags(id, &tags).await.is_err(), "{id:?}");
    }
    assert!(rec.requests().is_empty(), "{:?}", rec.requests());
    // an id that merely contains dots is one segment, escaped
    c.get_asset("a..b").await.unwrap();
    assert_eq!(rec.last().path, "/v1/assets/a..b");
}

#[tokio::test]
async fn bearer_token_is_sent_as_is() {
    let rec = ok(json!({"asset": asset_json("asset_1")})).await;
    let c =
        Client::new(ClientOptions::new(rec.base_url()).authorization(Some("Bearer tok.en".into())))
            .unwrap();
    c.get_asset("asset_1").await.unwrap();
    assert_eq!(rec.last().header("authorization"), Some("Bearer tok.en"));
}

#[tokio::test]
async fn list_sends_every_filter_camel_cased_and_arrays_comma_separated() {
    let rec = ok(json!({"assets": [asset_json("a")]})).await;
    let query = ListAssetsQuery {
        author_id: Some("user_9".into()),
        collection_id: Some("coll_1".into()),
        created_after: Some("2025-01-01T00:00:00Z".into()),
        created_before: Some("2025-06-01T00:00:00Z".into()),
        inference_id: Some("inf_1".into()),
        model_id: Some("model_1".into()),
        original_assets: Some(true),
        page_size: Some(25),
        pagination_token: Some("tok".into()),
        parent_asset_id: Some("asset_p".into()),
        root_asset_id: Some("asset_r".into()),
        privacy: Some("public".into()),
        sort_by: Some(SortField::CreatedAt),
        sort_direction: Some(SortDirection::Asc),
        tags: vec!["hero".into(), "draft".into()],
        types: vec!["canvas".into(), "upscale".into()],
        ..Default::default()
    };
    client(&rec).list_assets_page(&query).await.unwrap();
    let r = rec.last();
    assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", "/v1/assets"));
    let mut got = r.query_pairs();
    got.sort();
    let mut want: Vec<(String, String)> = [
        ("authorId", "user_9"),
        ("collectionId", "coll_1"),
        ("createdAfter", "2025-01-01T00:00:00Z"),
        ("createdBefore", "2025-06-01T00:00:00Z"),
        ("inferenceId", "inf_1"),
        ("modelId", "model_1"),
        ("originalAssets", "true"),
        ("pageSize", "25"),
        ("paginationToken", "tok"),
        ("parentAssetId", "asset_p"),
        ("privacy", "public"),
        ("rootAssetId", "asset_r"),
        ("sortBy", "createdAt"),
        ("sortDirection", "asc"),
        ("tags", "hero,draft"),
        ("types", "canvas,upscale"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    want.sort();
    assert_eq!(got, want);
    // the comma is sent as the SDKs send it, in one value
    assert!(r.query.unwrap().contains("types=canvas%2Cupscale"));
}

#[tokio::test]
async fn unset_list_filters_are_omitted() {
    let rec = ok(json!({"assets": []})).await;
    client(&rec)
        .list_assets_page(&ListAssetsQuery::default())
        .await
        .unwrap();
    assert_eq!(rec.last().query, None);
}

#[tokio::test]
async fn list_stream_follows_the_cursor_to_the_last_page() {
    let rec = Recorder::start(
        vec![
            Reply::json(200, json!({"assets": [asset_json("a1"), asset_json("a2")], "nextPaginationToken": "p2"})),
            Reply::json(200, json!({"assets": [asset_json("a3")], "nextPaginationToken": "p3"})),
            Reply::json(200, json!({"assets": [asset_json("a4")], "nextPaginationToken": ""})),
        ],
        Reply::json(500, json!({"message": "should not be called"})),
    )
    .await;
    let pages: Vec<_> = client(&rec)
        .list_assets(ListAssetsQuery::default())
        .collect()
        .await;
    let ids: Vec<String> = pages
        .into_iter()
        .flat_map(|p| p.unwrap().assets)
        .map(|a| a.id)
        .collect();
    assert_eq!(ids, ["a1", "a2", "a3", "a4"]);
    let tokens: Vec<Option<String>> = rec
        .requests()
        .iter()
        .map(|r| {
            r.query_pairs()
                .into_iter()
                .find(|(k, _)| k == "paginationToken")
                .map(|(_, v)| v)
        })
        .collect();
    assert_eq!(tokens, [None, Some("p2".into()), Some("p3".into())]);
}

#[tokio::test]
async fn ids_are_escaped_as_one_path_segment() {
    let rec = ok(json!({"asset": asset_json("x")})).await;
    client(&rec).get_asset("../tags?x=1").await.unwrap();
    assert_eq!(rec.last().path, "/v1/assets/..%2Ftags%3Fx=1");
}

#[tokio::test]
async fn get_bulk_is_chunked_at_200() {
    let rec = ok(json!({"assets": []})).await;
    let ids: Vec<String> = (0..450).map(|i| format!("asset_{i}")).collect();
    client(&rec).get_assets(&ids).await.unwrap();
    let reqs = rec.requests();
    assert_eq!(reqs.len(), 3);
    for r in &reqs {
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            ("POST", "/v1/assets/get-bulk")
        );
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
    let sizes: Vec<usize> = reqs
        .iter()
        .map(|r| r.json()["assetIds"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [200, 200, 50]);
    assert_eq!(reqs[2].json()["assetIds"][49], "asset_449");
}

#[tokio::test]
async fn delete_is_chunked_at_100() {
    let rec = ok(json!({})).await;
    let ids: Vec<String> = (0..230).map(|i| format!("asset_{i}")).collect();
    assert_eq!(client(&rec).delete_assets(&ids).await.unwrap(), 230);
    let reqs = rec.requests();
    let sizes: Vec<usize> = reqs
        .iter()
        .map(|r| r.json()["assetIds"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [100, 100, 30]);
    assert!(reqs
        .iter()
        .all(|r| r.method == "DELETE" && r.path == "/v1/assets"));
}

#[tokio::test]
async fn search_body_has_only_what_was_set() {
    let rec =
        ok(json!({"hits": [], "page": 2, "hitsPerPage": 10, "totalPages": 2, "totalHits": 11}))
            .await;
    let request = SearchRequest {
        query: Some("red castle".into()),
        filter: Some("kind = \"image\"".into()),
        images: Some(SearchImages {
            like: vec!["asset_a".into()],
            unlike: vec!["data:image/png;base64,AAAA".into()],
        }),
        image_semantic_ratio: Some(0.7),
        query_semantic_ratio: Some(0.3),
        sort_by: vec!["createdAt:desc".into()],
        public: Some(true),
        page: Some(2),
        hits_per_page: Some(10),
        ..Default::default()
    };
    client(&rec).search_page(&request).await.unwrap();
    let r = rec.last();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v1/search/assets")
    );
    assert_eq!(
        r.json(),
        json!({
            "query": "red castle",
            "filter": "kind = \"image\"",
            "images": {"like": ["asset_a"], "unlike": ["data:image/png;base64,AAAA"]},
            "imageSemanticRatio": 0.7,
            "querySemanticRatio": 0.3,
            "sortBy": ["createdAt:desc"],
            "public": true,
            "page": 2,
            "hitsPerPage": 10
        })
    );
}

#[tokio::test]
async fn search_stream_pages_until_total_pages() {
    let page = |n: u64, ids: &[&str]| {
        Reply::json(
            200,
            json!({"hits": ids.iter().map(|i| asset_json(i)).collect::<Vec<_>>(), "page": n, "hitsPerPage": 2, "totalPages": 2, "totalHits": 3}),
        )
    };
    let rec = Recorder::start(
        vec![page(1, &["a", "b"]), page(2, &["c"])],
        Reply::json(500, json!({})),
    )
    .await;
    let req = SearchRequest {
        query: Some("x".into()),
        hits_per_page: Some(2),
        ..Default::default()
    };
    let pages: Vec<_> = client(&rec).search(req).collect().await;
    assert_eq!(pages.len(), 2);
    let bodies: Vec<serde_json::Value> = rec.requests().iter().map(|r| r.json()).collect();
    assert_eq!(bodies[0]["page"], 1);
    assert_eq!(bodies[1]["page"], 2);
    assert_eq!(bodies[1]["hitsPerPage"], 2);
}

#[tokio::test]
async fn search_stream_with_offset_and_limit() {
    let hits = |ids: &[&str]| ids.iter().map(|i| asset_json(i)).collect::<Vec<_>>();
    let rec = Recorder::start(
        vec![
            Reply::json(200, json!({"hits": hits(&["a", "b"]), "offset": 0, "limit": 2, "estimatedTotalHits": 3})),
            Reply::json(200, json!({"hits": hits(&["c"]), "offset": 2, "limit": 2, "estimatedTotalHits": 3})),
        ],
        Reply::json(500, json!({})),
    )
    .await;
    let req = SearchRequest {
        filter: Some("kind = image".into()),
        offset: Some(0),
        limit: Some(2),
        ..Default::default()
    };
    let pages: Vec<_> = client(&rec).search(req).collect().await;
    assert_eq!(pages.len(), 2);
    let second = rec.requests()[1].json();
    assert_eq!(
        (second["offset"].clone(), second["limit"].clone()),
        (json!(2), json!(2))
    );
    assert!(second.get("page").is_none());
}

#[tokio::test]
async fn search_refuses_an_empty_request_without_sending() {
    let rec = ok(json!({"hits": []})).await;
    let err = client(&rec)
        .search_page(&SearchRequest::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("needs a query"), "{err}");
    assert!(rec.requests().is_empty());
}

#[tokio::test]
async fn update_tags_body() {
    let rec = ok(json!({"added": ["hero"], "deleted": ["draft"]})).await;
    let req = UpdateTagsRequest {
        add: vec!["hero".into()],
        delete: vec!["draft".into()],
        strict: Some(true),
    };
    let reply = client(&rec).update_tags("asset_1", &req).await.unwrap();
    assert_eq!(reply.added, ["hero"]);
    let r = rec.last();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PUT", "/v1/assets/asset_1/tags")
    );
    assert_eq!(
        r.json(),
        json!({"add": ["hero"], "delete": ["draft"], "strict": true})
    );
}

#[tokio::test]
async fn tags_and_collections_follow_their_cursors() {
    let rec = Recorder::start(
        vec![
            Reply::json(
                200,
                json!({"tags": [{"tagName": "hero", "itemCount": 3}], "nextPaginationToken": "t2"}),
            ),
            Reply::json(200, json!({"tags": [{"tagName": "draft", "itemCount": 1}]})),
            Reply::json(
                200,
                json!({"collections": [{"id": "coll_1", "name": "Hero shots", "assetCount": 3}]}),
            ),
        ],
        Reply::json(500, json!({})),
    )
    .await;
    let c = client(&rec);
    let tags = c.all_tags().await.unwrap();
    assert_eq!(tags.len(), 2);
    let cols = c.all_collections().await.unwrap();
    assert_eq!(cols[0].name.as_deref(), Some("Hero shots"));
    let reqs = rec.requests();
    assert_eq!(reqs[0].path, "/v1/tags");
    assert_eq!(
        reqs[0].query_pairs(),
        [("pageSize".to_string(), "100".to_string())]
    );
    assert!(reqs[1]
        .query_pairs()
        .contains(&("paginationToken".into(), "t2".into())));
    assert_eq!(reqs[2].path, "/v1/collections");
}

#[tokio::test]
async fn collection_membership() {
    let rec = ok(json!({})).await;
    let c = client(&rec);
    let ids = vec!["a1".to_string(), "a2".to_string()];
    c.add_to_collection("coll_1", &ids).await.unwrap();
    c.remove_from_collection("coll_1", &ids).await.unwrap();
    let reqs = rec.requests();
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("PUT", "/v1/collections/coll_1/assets")
    );
    assert_eq!(
        (reqs[1].method.as_str(), reqs[1].path.as_str()),
        ("DELETE", "/v1/collections/coll_1/assets")
    );
    assert_eq!(reqs[0].json(), json!({"assetIds": ["a1", "a2"]}));
}

#[tokio::test]
async fn download_link_with_and_without_format() {
    let rec = ok(json!({"url": "https://cdn.example/file.png?sig=1"})).await;
    let c = client(&rec);
    assert_eq!(
        c.download_link("asset_1", Some("webp")).await.unwrap(),
        "https://cdn.example/file.png?sig=1"
    );
    c.download_link("asset_1", None).await.unwrap();
    let reqs = rec.requests();
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("POST", "/v1/assets/asset_1/download")
    );
    assert_eq!(reqs[0].json(), json!({"targetFormat": "webp"}));
    assert_eq!(reqs[1].json(), json!({}));
}

#[tokio::test]
async fn batch_download_request_and_status() {
    let rec = Recorder::start(
        vec![
            Reply::json(200, json!({"jobId": "job_1"})),
            Reply::json(200, json!({"jobId": "job_1", "jobStatus": "success", "downloadUrl": "https://cdn.example/a.zip"})),
        ],
        Reply::json(500, json!({})),
    )
    .await;
    let c = client(&rec);
    let req = BatchDownloadRequest {
        options: Some(BatchDownloadOptions {
            file_name_template: "<prompt>-<seed>".into(),
            flat: Some(true),
        }),
        query: BatchDownloadQuery {
            asset_ids: vec!["a1".into()],
            ..Default::default()
        },
    };
    assert_eq!(c.request_batch_download(&req).await.unwrap(), "job_1");
    let status = c.batch_download_status("job_1").await.unwrap();
    assert_eq!(
        status.download_url.as_deref(),
        Some("https://cdn.example/a.zip")
    );
    let reqs = rec.requests();
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("POST", "/v1/assets/download")
    );
    assert_eq!(
        reqs[0].json(),
        json!({"options": {"fileNameTemplate": "<prompt>-<seed>", "flat": true},
               "query": {"assetIds": ["a1"], "inferenceIds": [], "modelIds": []}})
    );
    assert_eq!(
        (reqs[1].method.as_str(), reqs[1].path.as_str()),
        ("GET", "/v1/assets/download/job_1")
    );
}

#[tokio::test]
async fn upload_sends_the_file_as_a_data_url() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.png");
    image::RgbImage::from_pixel(4, 4, image::Rgb([200, 10, 10]))
        .save(&path)
        .unwrap();
    let rec = ok(json!({"asset": asset_json("asset_new")})).await;
    let mut req = assetui::api::assets::upload_request_from_file(&path, None).unwrap();
    req.collection_ids = vec!["coll_1".into()];
    req.parent_id = Some("asset_p".into());
    req.hide = Some(true);
    let asset = client(&rec).upload(&req).await.unwrap();
    assert_eq!(asset.id, "asset_new");
    let r = rec.last();
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/v1/assets"));
    let body = r.json();
    assert_eq!(body["name"], "tiny.png");
    assert_eq!(body["collectionIds"], json!(["coll_1"]));
    assert_eq!(body["parentId"], "asset_p");
    assert_eq!(body["hide"], true);
    let image = body["image"].as_str().unwrap();
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(image.strip_prefix("data:image/png;base64,").unwrap())
        .unwrap();
    assert_eq!(raw, std::fs::read(&path).unwrap());
}

#[tokio::test]
async fn upload_refuses_a_file_that_is_not_an_image() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "hello").unwrap();
    let err = assetui::api::assets::upload_request_from_file(&path, None).unwrap_err();
    assert!(err.to_string().contains("not an image"), "{err}");
}
