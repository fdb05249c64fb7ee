//! Indexes, indexed assets and videos on the wire.

use crate::support::{Recorder, Reply, KEY};
use assetui_twelvelabs::indexes::{ListIndexed, ListIndexes};
use assetui_twelvelabs::models::{IndexedAssetStatus, UserMetadata};
use futures_util::StreamExt;
use serde_json::json;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn page_of(ids: &[&str]) -> serde_json::Value {
    let data: Vec<_> = ids.iter().map(|id| json!({"_id": id})).collect();
    json!({"data": data, "page_info": {"page": 1, "limit_per_page": 10, "total_page": 1, "total_results": ids.len()}})
}

#[tokio::test]
async fn list_and_get_indexes() {
    let rec = Recorder::script(vec![], Reply::json(200, page_of(&["i1"]))).await;
    let c = rec.client();
    let page = c.list_indexes(&ListIndexes::default()).await.unwrap();
    assert_eq!(page.items()[0].id(), Some("i1"));
    let r = rec.last();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/v1.3/indexes")
    );
    assert_eq!(r.query.as_deref(), Some("page=1"));
    assert_eq!(r.header("x-api-key"), Some(KEY));
    let q = ListIndexes {
        page: Some(2),
        page_limit: Some(20),
        sort_by: Some("updated_at".into()),
        sort_option: Some("asc".into()),
        index_name: Some("demo".into()),
        model_options: Some("visual,audio".into()),
        model_family: Some("marengo".into()),
        ..ListIndexes::default()
    };
    c.list_indexes(&q).await.unwrap();
    assert_eq!(
        rec.last().query_pairs(),
        pairs(&[
            ("page", "2"),
            ("page_limit", "20"),
            ("sort_by", "updated_at"),
            ("sort_option", "asc"),
            ("index_name", "demo"),
            ("model_options", "visual,audio"),
            ("model_family", "marengo"),
        ])
    );
    let rec = Recorder::script(
        vec![],
        Reply::json(200, json!({"_id": "i1", "index_name": "demo"})),
    )
    .await;
    let index = rec.client().get_index("i1").await.unwrap();
    assert_eq!(index.index_name.as_deref(), Some("demo"));
    assert_eq!(rec.last().path, "/v1.3/indexes/i1");
}

#[tokio::test]
async fn indexed_assets_filter_by_status_and_metadata_in_brackets() {
    let rec = Recorder::script(vec![], Reply::json(200, page_of(&["v1"]))).await;
    let c = rec.client();
    let q = ListIndexed {
        page_limit: Some(50),
        status: vec![IndexedAssetStatus::Ready, IndexedAssetStatus::Indexing],
        filename: Some("beach".into()),
        user_metadata: vec![("category".into(), "travel".into())],
        ..ListIndexed::default()
    };
    c.list_indexed_assets("i1", &q).await.unwrap();
    let r = rec.last();
    assert_eq!(r.path, "/v1.3/indexes/i1/indexed-assets");
    assert_eq!(
        r.query_pairs(),
        pairs(&[
            ("page", "1"),
            ("page_limit", "50"),
            ("status", "ready"),
            ("status", "indexing"),
            ("filename", "beach"),
            ("user_metadata[category]", "travel"),
        ])
    );
    // the brackets are percent-encoded on the wire
    assert!(r
        .query
        .unwrap()
        .contains("user_metadata%5Bcategory%5D=travel"));

    // the videos view: no status, metadata as bare keys
    c.list_videos("i1", &q).await.unwrap();
    let r = rec.last();
    assert_eq!(r.path, "/v1.3/indexes/i1/videos");
    assert_eq!(
        r.query_pairs(),
        pairs(&[
            ("page", "1"),
            ("page_limit", "50"),
            ("filename", "beach"),
            ("category", "travel")
        ])
    );
}

#[tokio::test]
async fn one_indexed_asset_one_video_and_indexing_an_asset() {
    let rec = Recorder::script(
        vec![
            Reply::json(200, json!({"_id": "v1", "hls": {"status": "PROCESSING"}})),
            Reply::json(200, json!({"_id": "v1"})),
        ],
        Reply::json(202, json!({"_id": "ia9", "asset_id": "a1"})),
    )
    .await;
    let c = rec.client();
    let v = c.get_indexed_asset("i1", "v1").await.unwrap();
    assert_eq!(v.id(), Some("v1"));
    assert_eq!(rec.last().path, "/v1.3/indexes/i1/indexed-assets/v1");
    c.get_video("i1", "v1").await.unwrap();
    assert_eq!(rec.last().path, "/v1.3/indexes/i1/videos/v1");
    let mut m = UserMetadata::new();
    m.insert("k", "v");
    let task = c
        .index_asset("i1", "a1", Some(true), Some(&m))
        .await
        .unwrap();
    assert_eq!(task.id.as_deref(), Some("ia9"));
    let r = rec.last();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v1.3/indexes/i1/indexed-assets")
    );
    assert_eq!(
        String::from_utf8(r.body).unwrap(),
        r#"{"asset_id":"a1","enable_video_stream":true,"user_metadata":{"k":"v"}}"#
    );
}

#[tokio::test]
async fn the_index_walk_stops_at_the_empty_page() {
    let rec = Recorder::route(|r, _| {
        let page = r
            .query_pairs()
            .into_iter()
            .find(|(k, _)| k == "page")
            .map(|(_, v)| v.parse::<u64>().unwrap())
            .unwrap();
        // no total_page: the SDK's rule, an empty page ends the list
        let data: Vec<_> = if page <= 2 {
            vec![json!({"_id": format!("i{page}")})]
        } else {
            vec![]
        };
        Reply::json(200, json!({"data": data, "page_info": {"page": page}}))
    })
    .await;
    let pages: Vec<_> = rec
        .client()
        .list_indexes_pages(&ListIndexes::default())
        .collect()
        .await;
    let ids: Vec<String> = pages
        .into_iter()
        .flat_map(|p| p.unwrap().into_items())
        .map(|i| i.id().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["i1", "i2"]);
    assert_eq!(rec.requests().len(), 3);
}
