//! The client against hostile servers (issue 20): pages that never end or
//! cycle, pages too large to hold, a server that trickles a byte a second,
//! items that do not match the model. Every read is bounded and says why it
//! stopped.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use assetui::api::library::{MAX_LIBRARY_ITEMS, MAX_LIBRARY_PAGES};
use assetui::api::models::MAX_PAGE_ITEMS;
use assetui::api::params::ListAssetsQuery;
use assetui::api::retry::RetryPolicy;
use assetui::api::{ApiError, Client, ClientOptions};
use futures_util::StreamExt;

use crate::support::hostile::{asset_page, Hostile, Req, Resp};

fn client(base: &str) -> Client {
    Client::new(ClientOptions::new(base).retry(RetryPolicy::none())).unwrap()
}

/// A test that would hang on the old code fails instead.
async fn bounded<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(120), f)
        .await
        .expect("the read never ended")
}

/// `/tags` and `/collections` whose tokens never end nor repeat: the list
/// stops at the cap, says so, and memory stays bounded.
#[tokio::test]
async fn endless_library_tokens_stop_at_the_cap_with_a_warning() {
    let server = Hostile::start(|r: &Req| {
        let n: usize = r
            .query
            .get("paginationToken")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let next = n + 1;
        let body = match r.path.as_str() {
            "/v1/tags" => {
                let tags: Vec<String> = (0..100)
                    .map(|i| format!("{{\"tagName\":\"t{n}-{i}\",\"itemCount\":1}}"))
                    .collect();
                format!(
                    "{{\"tags\":[{}],\"nextPaginationToken\":\"{next}\"}}",
                    tags.join(",")
                )
            }
            // empty pages, fresh tokens: only a page cap ends this
            _ => format!("{{\"collections\":[],\"nextPaginationToken\":\"{next}\"}}"),
        };
        Resp::Json(200, body)
    })
    .await;
    let c = client(&server.base_url());
    let tags = bounded(c.tags()).await.unwrap();
    assert_eq!(tags.items.len(), MAX_LIBRARY_ITEMS);
    let w = tags.warning.unwrap();
    assert!(w.contains("first 5000 tags"), "{w}");
    let before = server.hits();
    let cols = bounded(c.collections()).await.unwrap();
    assert!(cols.items.is_empty());
    assert!(cols.warning.unwrap().contains("100 pages"));
    assert_eq!(server.hits() - before, MAX_LIBRARY_PAGES);
}

/// A -> B -> A on `/tags`: the cycle ends the list, with a warning.
#[tokio::test]
async fn a_library_token_cycle_ends_with_a_warning() {
    let server = Hostile::start(|r: &Req| {
        let next = match r.query.get("paginationToken").map(String::as_str) {
            None | Some("B") => "A",
            _ => "B",
        };
        Resp::Json(
            200,
            format!("{{\"tags\":[{{\"tagName\":\"x\"}}],\"nextPaginationToken\":\"{next}\"}}"),
        )
    })
    .await;
    let tags = bounded(client(&server.base_url()).tags()).await.unwrap();
    assert_eq!(tags.items.len(), 3);
    assert!(tags.warning.unwrap().contains("cycle"));
}

/// A -> B -> A on `/assets`: `list --all` used to run for ever (only a
/// token equal to the one just sent was caught).
#[tokio::test]
async fn an_asset_token_cycle_ends_the_stream() {
    let server = Hostile::start(|r: &Req| {
        let next = match r.query.get("paginationToken").map(String::as_str) {
            None | Some("B") => "A",
            _ => "B",
        };
        Resp::Json(200, asset_page(0, 2, Some(next)))
    })
    .await;
    let c = client(&server.base_url());
    let pages: Vec<_> = bounded(c.list_assets(ListAssetsQuery::default()).collect()).await;
    assert_eq!(pages.len(), 4, "three pages, then why it stopped");
    assert!(pages[..3].iter().all(Result::is_ok));
    match &pages[3] {
        Err(e @ ApiError::RepeatedToken { .. }) => {
            assert!(e.to_string().contains("GET /v1/assets"), "{e}")
        }
        other => panic!("{other:?}"),
    }
}

/// A page of a million tiny assets: refused once past the item cap, with
/// a clear error, instead of gigabytes of models.
#[tokio::test]
async fn a_page_over_the_item_cap_is_refused_clearly() {
    let body = Arc::new(asset_page(0, 200_000, None));
    let b = body.clone();
    let server = Hostile::start(move |_: &Req| Resp::Json(200, b.to_string())).await;
    let err = bounded(client(&server.base_url()).list_assets_page(&ListAssetsQuery::default()))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!("more than {MAX_PAGE_ITEMS} items")),
        "{err}"
    );
    assert!(err.len() < 400, "{err}");
}

/// A body larger than the JSON bound is refused by its declared length.
#[tokio::test]
async fn a_body_over_the_byte_bound_is_refused() {
    let big = Arc::new(format!(
        "{{\"assets\":[],\"pad\":\"{}\"}}",
        "x".repeat(20 << 20)
    ));
    let b = big.clone();
    let server = Hostile::start(move |_: &Req| Resp::Json(200, b.to_string())).await;
    let err = bounded(client(&server.base_url()).list_assets_page(&ListAssetsQuery::default()))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("larger than 16 MiB"), "{err}");
}

/// A byte a second is never silent long enough for the read timeout; the
/// call's deadline ends it.
#[tokio::test]
async fn a_slow_loris_server_meets_the_deadline() {
    let calls = Arc::new(AtomicUsize::new(0));
    let n = calls.clone();
    let server = Hostile::start(move |_: &Req| {
        n.fetch_add(1, Ordering::SeqCst);
        Resp::Trickle {
            every: Duration::from_millis(50),
        }
    })
    .await;
    let c = Client::new(ClientOptions::new(server.base_url()).deadline(Duration::from_secs(1)))
        .unwrap();
    let err = bounded(c.list_assets_page(&ListAssetsQuery::default()))
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Timeout { .. }), "{err:?}");
    assert!(
        err.to_string().contains("no complete answer within 1 s"),
        "{err}"
    );
}

/// One item with a bad field: the page decodes, that item is broken.
#[tokio::test]
async fn one_bad_item_does_not_fail_its_page() {
    let server = Hostile::start(|_: &Req| {
        Resp::Json(
            200,
            r#"{"hits":[{"id":"a1"},{"id":"a2","metadata":{"width":"wide"}},{"id":"a3"}]}"#.into(),
        )
    })
    .await;
    let page = bounded(client(&server.base_url()).search_page(
        &assetui::api::params::SearchRequest {
            query: Some("x".into()),
            ..Default::default()
        },
    ))
    .await
    .unwrap();
    assert_eq!(page.hits.len(), 3);
    let broken = page.hits[1].broken.as_ref().unwrap();
    assert!(
        broken.reason.contains("metadata.width"),
        "{}",
        broken.reason
    );
    assert!(page.hits[0].broken.is_none() && page.hits[2].broken.is_none());
}
