//! Search on the wire: the multipart first page, the token pages, and
//! the expired-token error.

use crate::support::{Recorder, Reply, KEY};
use assetui_twelvelabs::models::{GroupBy, SearchOperator, SearchOption, TranscriptionOption};
use assetui_twelvelabs::search::{ImageQuery, SearchRequest};
use assetui_twelvelabs::Error;
use futures_util::StreamExt;
use serde_json::json;

const CLIP_PAGE: &str = include_str!("../fixtures/search_clip_page.json");

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn clip_page() -> serde_json::Value {
    serde_json::from_str(CLIP_PAGE).unwrap()
}

#[tokio::test]
async fn a_text_search_sends_every_field_in_the_sdk_order() {
    let rec = Recorder::script(vec![], Reply::json(200, clip_page())).await;
    let req = SearchRequest {
        index_id: "688ff0a1b2c3d4e5f6a7b8c9".into(),
        query_text: Some("waves on a beach".into()),
        search_options: vec![SearchOption::Visual, SearchOption::Transcription],
        transcription_options: vec![TranscriptionOption::Lexical, TranscriptionOption::Semantic],
        group_by: Some(GroupBy::Clip),
        operator: Some(SearchOperator::Or),
        page_limit: Some(2),
        filter: Some(r#"{"category": "travel"}"#.into()),
        include_user_metadata: Some(true),
        ..SearchRequest::default()
    };
    let page = rec.client().search(&req).await.unwrap();
    assert_eq!(page.items().len(), 2);
    let r = rec.last();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v1.3/search")
    );
    assert_eq!(r.header("x-api-key"), Some(KEY));
    assert_eq!(r.query, None);
    assert_eq!(
        r.form_fields(),
        pairs(&[
            ("query_text", "waves on a beach"),
            ("index_id", "688ff0a1b2c3d4e5f6a7b8c9"),
            ("search_options", "visual"),
            ("search_options", "transcription"),
            ("transcription_options", "lexical"),
            ("transcription_options", "semantic"),
            ("group_by", "clip"),
            ("operator", "or"),
            ("page_limit", "2"),
            // the caller's JSON, unchanged
            ("filter", r#"{"category": "travel"}"#),
            ("include_user_metadata", "true"),
        ])
    );
    assert_eq!(r.form().len(), 11, "no file part");
}

#[tokio::test]
async fn image_queries_by_url_and_by_file() {
    let rec = Recorder::script(vec![], Reply::json(200, clip_page())).await;
    let c = rec.client();
    let mut req = SearchRequest {
        index_id: "i1".into(),
        images: vec![ImageQuery::Url("https://cdn.example.com/q.jpg".into())],
        search_options: vec![SearchOption::Visual],
        ..SearchRequest::default()
    };
    c.search(&req).await.unwrap();
    assert_eq!(
        rec.last().form_fields(),
        pairs(&[
            ("query_media_type", "image"),
            ("query_media_url", "https://cdn.example.com/q.jpg"),
            ("index_id", "i1"),
            ("search_options", "visual"),
        ])
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("query.png");
    std::fs::write(&path, b"\x89PNG fake").unwrap();
    req.images = vec![ImageQuery::File(path)];
    req.query_text = Some("red car".into());
    c.search(&req).await.unwrap();
    let form = rec.last().form();
    let names: Vec<&str> = form.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "query_media_type",
            "query_text",
            "index_id",
            "search_options",
            "query_media_file"
        ]
    );
    let file = form.last().unwrap();
    assert_eq!(file.filename.as_deref(), Some("query.png"));
    assert_eq!(file.other_headers, ["Content-Type: image/png"]);
    assert_eq!(file.value, b"\x89PNG fake");
}

#[tokio::test]
async fn a_search_without_a_query_options_or_index_is_refused_before_sending() {
    let rec = Recorder::script(vec![], Reply::json(200, clip_page())).await;
    let c = rec.client();
    let base = SearchRequest::text("i1", "waves");
    let cases = [
        SearchRequest {
            index_id: " ".into(),
            ..base.clone()
        },
        SearchRequest {
            query_text: None,
            ..base.clone()
        },
        SearchRequest {
            search_options: vec![],
            ..base.clone()
        },
        SearchRequest {
            page_limit: Some(51),
            ..base.clone()
        },
        SearchRequest {
            filter: Some("[1]".into()),
            ..base.clone()
        },
        SearchRequest {
            images: vec![ImageQuery::Url("https://x/a.jpg".into()); 11],
            ..base.clone()
        },
    ];
    for req in cases {
        let err = c.search(&req).await.unwrap_err();
        assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    }
    assert!(rec.requests().is_empty());
}

#[tokio::test]
async fn later_pages_go_by_token_until_none_is_left() {
    let rec = Recorder::route(|r, _| match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/v1.3/search") => Reply::json(
            200,
            json!({"data": [{"video_id": "v1", "rank": 1}], "page_info": {"next_page_token": "tok-2"}}),
        ),
        ("GET", "/v1.3/search/tok-2") => Reply::json(
            200,
            json!({"data": [{"video_id": "v2", "rank": 2}], "page_info": {"next_page_token": "tok-3", "prev_page_token": "tok-1"}}),
        ),
        ("GET", "/v1.3/search/tok-3") => Reply::json(
            200,
            json!({"data": [{"video_id": "v3", "rank": 3}], "page_info": {"prev_page_token": "tok-2"}}),
        ),
        _ => Reply::error(404, "resource_not_exist", "no"),
    })
    .await;
    let mut req = SearchRequest::text("i1", "waves");
    req.include_user_metadata = Some(true);
    let pages: Vec<_> = rec.client().search_pages(req).collect().await;
    let ranks: Vec<u64> = pages
        .into_iter()
        .map(|p| p.unwrap().items()[0].rank.unwrap())
        .collect();
    assert_eq!(ranks, [1, 2, 3]);
    let reqs = rec.requests();
    assert_eq!(reqs.len(), 3);
    // unlike the SDK, include_user_metadata goes on to later pages
    assert_eq!(reqs[1].query.as_deref(), Some("include_user_metadata=true"));
    assert_eq!(reqs[1].header("x-api-key"), Some(KEY));
    // one page by token, directly
    rec.client().search_page("tok-3", None).await.unwrap();
    assert_eq!(rec.last().query, None);
}

#[tokio::test]
async fn an_expired_token_is_its_own_error() {
    let rec = Recorder::script(
        vec![],
        Reply::error(
            400,
            "search_page_token_expired",
            "The page token has expired.",
        ),
    )
    .await;
    let err = rec
        .client()
        .search_page("old", Some(false))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SearchPageExpired { .. }), "{err:?}");
    assert_eq!(err.code(), Some("search_page_token_expired"));
    assert_eq!(
        err.to_string(),
        "search_page_token_expired: The page token has expired.; run the search again"
    );
    assert_eq!(
        rec.last().query.as_deref(),
        Some("include_user_metadata=false")
    );
    assert_eq!(rec.requests().len(), 1, "a 400 is not retried");
    // in a walk, the error ends the stream (the SDK ends silently)
    let rec = Recorder::script(
        vec![Reply::json(
            200,
            json!({"data": [{"video_id": "v1"}], "page_info": {"next_page_token": "t2"}}),
        )],
        Reply::error(400, "search_page_token_expired", "expired"),
    )
    .await;
    let pages: Vec<_> = rec
        .client()
        .search_pages(SearchRequest::text("i1", "x"))
        .collect()
        .await;
    assert_eq!(pages.len(), 2);
    assert!(pages[0].is_ok());
    assert!(matches!(pages[1], Err(Error::SearchPageExpired { .. })));
}

#[tokio::test]
async fn a_token_seen_before_ends_the_walk() {
    let rec = Recorder::route(|r, _| {
        let next = if r.path.ends_with("/a") { "b" } else { "a" };
        Reply::json(
            200,
            json!({"data": [{"video_id": r.path}], "page_info": {"next_page_token": next}}),
        )
    })
    .await;
    let pages: Vec<_> = rec
        .client()
        .search_pages(SearchRequest::text("i1", "x"))
        .collect()
        .await;
    // POST -> a, GET a -> b, GET b -> a (seen): three pages, then the error
    assert_eq!(pages.len(), 4, "{pages:?}");
    let err = pages[3].as_ref().unwrap_err();
    assert!(matches!(err, Error::RepeatedPage { .. }), "{err:?}");
    assert!(
        err.to_string().contains("GET /v1.3/search/{page_token}"),
        "{err}"
    );
    assert_eq!(rec.requests().len(), 3);
}
