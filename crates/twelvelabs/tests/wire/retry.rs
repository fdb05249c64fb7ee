//! Retries, bounds and transport errors.

use std::time::Duration;

use crate::support::{asset, assets_page, closed_port, Recorder, Reply};
use assetui_twelvelabs::assets::{CreateAsset, ListAssets};
use assetui_twelvelabs::{Client, ClientOptions, Error};
use futures_util::StreamExt;
use serde_json::json;

#[tokio::test]
async fn a_429_is_retried_after_its_retry_after() {
    let rec = Recorder::script(
        vec![Reply::error(429, "too_many_requests", "slow down").with_header("Retry-After", "0")],
        Reply::json(200, asset("a1")),
    )
    .await;
    let a = rec.client().get_asset("a1").await.unwrap();
    assert_eq!(a.id(), Some("a1"));
    assert_eq!(rec.requests().len(), 2);
}

#[tokio::test]
async fn a_retry_after_longer_than_accepted_ends_with_the_wait_named() {
    let rec = Recorder::script(
        vec![],
        Reply::error(429, "too_many_requests", "slow down").with_header("Retry-After", "3600"),
    )
    .await;
    let err = rec.client().get_asset("a1").await.unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(3600)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "too_many_requests: slow down (429 rate limited); retry in 3600s"
    );
    assert_eq!(rec.requests().len(), 1, "did not wait an hour");
}

#[tokio::test]
async fn a_5xx_is_retried_for_a_read_until_the_budget_is_spent() {
    let rec = Recorder::script(
        vec![
            Reply::text(502, "text/html", "<html>bad gateway</html>"),
            Reply::empty(503),
        ],
        Reply::json(200, asset("a1")),
    )
    .await;
    rec.client().get_asset("a1").await.unwrap();
    assert_eq!(rec.requests().len(), 3);
    let rec = Recorder::script(vec![], Reply::error(500, "internal_error", "boom")).await;
    let err = rec.client().get_asset("a1").await.unwrap_err();
    assert!(matches!(err, Error::Service { status: 500, .. }), "{err:?}");
    assert_eq!(rec.requests().len(), 3, "one try and two retries");
}

#[tokio::test]
async fn an_upload_answered_5xx_is_not_sent_again() {
    let rec = Recorder::script(vec![], Reply::error(500, "internal_error", "boom")).await;
    let err = rec
        .client()
        .create_asset(&CreateAsset::url("https://cdn.example.com/a.mp4"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Service { status: 500, .. }), "{err:?}");
    assert_eq!(rec.requests().len(), 1, "the service may have created it");
}

#[tokio::test]
async fn an_upload_is_not_resent_after_its_body_went_out() {
    let rec = Recorder::script(vec![], Reply::HangUp).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clip.mp4");
    std::fs::write(&path, vec![7u8; 50_000]).unwrap();
    let err = rec
        .client()
        .create_asset(&CreateAsset::file(&path))
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
    assert!(err.to_string().contains("may have received it"), "{err}");
    let reqs = rec.requests();
    assert_eq!(reqs.len(), 1, "sent once");
    assert_eq!(
        reqs[0].form().last().unwrap().value.len(),
        50_000,
        "the whole body went out"
    );
    // a read in the same situation is simply sent again
    let rec = Recorder::script(vec![Reply::HangUp], Reply::json(200, asset("a1"))).await;
    rec.client().get_asset("a1").await.unwrap();
    assert_eq!(rec.requests().len(), 2);
}

#[tokio::test]
async fn an_upload_refused_with_429_is_sent_again_rebuilt_whole() {
    let rec = Recorder::script(
        vec![Reply::error(429, "too_many_requests", "later").with_header("Retry-After", "0")],
        Reply::json(201, json!({"_id": "new"})),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clip.mp4");
    std::fs::write(&path, b"0123456789").unwrap();
    let mut req = CreateAsset::file(&path);
    req.filename = Some("x.mp4".into());
    rec.client().create_asset(&req).await.unwrap();
    let reqs = rec.requests();
    assert_eq!(reqs.len(), 2);
    // unlike the SDK's retry, the second one carries every field
    for r in &reqs {
        let form = r.form();
        let names: Vec<&str> = form.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["method", "filename", "file"]);
        assert_eq!(form[2].value, b"0123456789");
    }
}

#[tokio::test]
async fn a_409_on_delete_is_not_retried_but_a_search_5xx_is() {
    let rec = Recorder::script(vec![], Reply::error(409, "conflict", "referenced")).await;
    assert!(rec.client().delete_asset("a1", false).await.is_err());
    assert_eq!(rec.requests().len(), 1);
    let rec = Recorder::script(
        vec![Reply::empty(503)],
        Reply::json(200, json!({"data": []})),
    )
    .await;
    let req = assetui_twelvelabs::search::SearchRequest::text("i1", "x");
    rec.client().search(&req).await.unwrap();
    assert_eq!(rec.requests().len(), 2, "a search changes nothing: retried");
}

#[tokio::test]
async fn no_server_is_one_clear_line() {
    let base = format!("http://127.0.0.1:{}/v1.3", closed_port());
    let c = Client::new(
        ClientOptions::new(base.clone())
            .api_key(Some("k".into()))
            .retry(crate::support::fast_retries()),
    )
    .unwrap();
    let err = c.get_asset("a1").await.unwrap_err();
    assert!(matches!(err, Error::Unreachable { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.starts_with(&format!("cannot reach {base}")), "{text}");
    assert!(text.contains("TWELVELABS_BASE_URL"), "{text}");
    // a refused connection never reached the service: an upload may retry
    let err = c
        .create_asset(&CreateAsset::url("https://cdn.example.com/a.mp4"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unreachable { .. }), "{err:?}");
}

#[tokio::test]
async fn an_oversize_answer_is_refused_declared_or_streamed() {
    let big = "x".repeat(4096);
    let rec = Recorder::script(
        vec![Reply::json(200, json!({"_id": "a1", "pad": big}))],
        Reply::Endless(10 << 20),
    )
    .await;
    let c = Client::new(
        rec.options()
            .max_body_bytes(1024 * 1024)
            .retry(assetui_twelvelabs::RetryPolicy::none()),
    )
    .unwrap();
    // under the bound: fine
    c.get_asset("a1").await.unwrap();
    // a chunked answer with no length, cut while reading
    let err = c.get_asset("a1").await.unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the answer from GET /v1.3/assets/a1 is larger than 1 MiB, the most one answer may hold; refused"
    );
    // a declared length over the bound, refused before reading
    let rec = Recorder::script(
        vec![],
        Reply::text(200, "application/json", &"1".repeat(2 << 20)),
    )
    .await;
    let c = Client::new(rec.options().max_body_bytes(1024 * 1024)).unwrap();
    let err = c.get_asset("a1").await.unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
    assert_eq!(
        rec.requests().len(),
        1,
        "an oversize answer is not asked for again"
    );
}

#[tokio::test]
async fn endless_pages_stop_with_a_clear_error() {
    // every page is new and the server claims there are more
    let rec = Recorder::route(|r, _| {
        let page: u64 = r
            .query_pairs()
            .into_iter()
            .find(|(k, _)| k == "page")
            .unwrap()
            .1
            .parse()
            .unwrap();
        Reply::json(
            200,
            assets_page(page, &[format!("a{page}")], Some(u64::MAX)),
        )
    })
    .await;
    let c = Client::new(rec.options().max_pages(5)).unwrap();
    let pages: Vec<_> = c.list_assets_pages(&ListAssets::default()).collect().await;
    assert_eq!(pages.len(), 6);
    assert!(pages[..5].iter().all(|p| p.is_ok()));
    let err = pages[5].as_ref().unwrap_err();
    assert!(
        matches!(err, Error::TooManyPages { pages: 5, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "GET /v1.3/assets: stopped after 5 pages; the server's pages do not end"
    );
    assert_eq!(rec.requests().len(), 5);
}

#[tokio::test]
async fn a_server_repeating_its_last_page_is_caught() {
    let rec = Recorder::route(|r, _| {
        let page: u64 = r.query_pairs()[0].1.parse().unwrap();
        let ids = if page == 1 {
            vec!["a1".to_string()]
        } else {
            vec!["a2".to_string()]
        };
        Reply::json(200, assets_page(page.min(2), &ids, None))
    })
    .await;
    let pages: Vec<_> = rec
        .client()
        .list_assets_pages(&ListAssets::default())
        .collect()
        .await;
    assert_eq!(pages.len(), 3);
    assert!(
        matches!(pages[2], Err(Error::RepeatedPage { .. })),
        "{pages:?}"
    );
}

#[tokio::test]
async fn the_walk_ends_at_total_page_or_an_empty_page() {
    let rec = Recorder::route(|r, _| {
        let page: u64 = r.query_pairs()[0].1.parse().unwrap();
        Reply::json(200, assets_page(page, &[format!("a{page}")], Some(3)))
    })
    .await;
    let q = ListAssets {
        page_limit: Some(1),
        ..ListAssets::default()
    };
    let pages: Vec<_> = rec.client().list_assets_pages(&q).collect().await;
    assert_eq!(pages.len(), 3);
    assert_eq!(rec.requests().len(), 3);
    assert_eq!(
        rec.requests()[2].query.as_deref(),
        Some("page=3&page_limit=1")
    );
    // an empty first page is still an answer
    let rec = Recorder::script(
        vec![],
        Reply::json(
            200,
            json!({"data": [], "page_info": {"page": 1, "total_page": 0}}),
        ),
    )
    .await;
    let pages: Vec<_> = rec
        .client()
        .list_assets_pages(&ListAssets::default())
        .collect()
        .await;
    assert_eq!(pages.len(), 1);
    assert!(pages[0].as_ref().unwrap().items().is_empty());
}

#[tokio::test]
async fn a_stalled_server_hits_the_deadline() {
    // a server that accepts and never answers
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            let _ = tx.send(s);
        }
    });
    let c = Client::new(
        ClientOptions::new(format!("http://{addr}/v1.3"))
            .retry(assetui_twelvelabs::RetryPolicy::none())
            .deadline(Duration::from_millis(300)),
    )
    .unwrap();
    let err = c.get_asset("a1").await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("GET /v1.3/assets/a1 timed out"),
        "{err}"
    );
    assert!(rx.recv().await.is_some());
}

#[tokio::test]
async fn the_key_never_follows_a_redirect_to_another_host() {
    let elsewhere = Recorder::script(vec![], Reply::json(200, asset("a1"))).await;
    let target = format!(
        "{}/v1.3/assets/a1",
        elsewhere.base_url().trim_end_matches("/v1.3")
    );
    let rec = Recorder::route(move |r, origin| {
        if r.path == "/v1.3/assets/moved" {
            // the same host: followed
            Reply::empty(302).with_header("location", &format!("{origin}/v1.3/assets/here"))
        } else if r.path == "/v1.3/assets/here" {
            Reply::json(200, asset("here"))
        } else {
            Reply::empty(302).with_header("location", &target)
        }
    })
    .await;
    let c = rec.client();
    assert_eq!(c.get_asset("moved").await.unwrap().id(), Some("here"));
    assert_eq!(rec.last().header("x-api-key"), Some(crate::support::KEY));
    let err = c.get_asset("a1").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("refused a redirect to another host"),
        "{err}"
    );
    assert!(
        elsewhere.requests().is_empty(),
        "the other host saw nothing"
    );
}
