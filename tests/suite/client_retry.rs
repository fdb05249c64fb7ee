//! Retries as the server sees them: what is retried, how long the client
//! waits (measured on the server's clock), and what error ends the budget.

use crate::support;
use std::time::Duration;

use assetui::api::retry::RetryPolicy;
use assetui::api::{ApiError, Client, ClientOptions};
use serde_json::json;
use support::{asset_json, Recorder, Reply};

fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        max_wait: Duration::from_secs(5),
    }
}

fn client(rec: &Recorder) -> Client {
    Client::new(ClientOptions::new(rec.base_url()).retry(fast_policy())).unwrap()
}

fn ok_asset() -> Reply {
    Reply::json(200, json!({"asset": asset_json("asset_1")}))
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out() {
    let rec = Recorder::start(
        vec![Reply::json(429, json!({"message": "slow down"})).with_header("retry-after", "1")],
        ok_asset(),
    )
    .await;
    client(&rec).get_asset("asset_1").await.unwrap();
    let reqs = rec.requests();
    assert_eq!(reqs.len(), 2);
    let gap = reqs[1].at - reqs[0].at;
    assert!(gap >= Duration::from_millis(950), "waited only {gap:?}");
    assert!(gap < Duration::from_secs(4), "waited {gap:?}");
}

#[tokio::test]
async fn retry_after_ms_is_honoured() {
    let rec = Recorder::start(
        vec![Reply::json(429, json!({})).with_header("retry-after-ms", "400")],
        ok_asset(),
    )
    .await;
    client(&rec).get_asset("asset_1").await.unwrap();
    let reqs = rec.requests();
    let gap = reqs[1].at - reqs[0].at;
    assert!(gap >= Duration::from_millis(380), "waited only {gap:?}");
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let when = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    let rec = Recorder::start(
        vec![Reply::json(503, json!({})).with_header("retry-after", &when)],
        ok_asset(),
    )
    .await;
    client(&rec).get_asset("asset_1").await.unwrap();
    let reqs = rec.requests();
    let gap = reqs[1].at - reqs[0].at;
    // an HTTP date has whole-second precision
    assert!(gap >= Duration::from_millis(900), "waited only {gap:?}");
}

#[tokio::test]
async fn a_503_then_success() {
    let rec = Recorder::start(
        vec![Reply::json(503, json!({"message": "busy"}))],
        ok_asset(),
    )
    .await;
    let asset = client(&rec).get_asset("asset_1").await.unwrap();
    assert_eq!(asset.id, "asset_1");
    assert_eq!(rec.requests().len(), 2);
}

#[tokio::test]
async fn a_connection_reset_then_success() {
    let rec = Recorder::start(vec![Reply::Reset], ok_asset()).await;
    client(&rec).get_asset("asset_1").await.unwrap();
    assert_eq!(rec.requests().len(), 2);
}

#[tokio::test]
async fn a_truncated_body_then_success() {
    let rec = Recorder::start(
        vec![Reply::Truncate {
            status: 200,
            body: b"{\"asset\": {\"id\"".to_vec(),
        }],
        ok_asset(),
    )
    .await;
    client(&rec).get_asset("asset_1").await.unwrap();
    assert_eq!(rec.requests().len(), 2);
}

#[tokio::test]
async fn the_budget_runs_out_with_the_service_error() {
    let rec = Recorder::start(
        vec![],
        Reply::json(500, json!({"message": "database on fire"})),
    )
    .await;
    let err = client(&rec).get_asset("asset_1").await.unwrap_err();
    assert_eq!(rec.requests().len(), 3, "one attempt and two retries");
    match &err {
        ApiError::Service {
            status: 500,
            message,
            ..
        } => {
            assert_eq!(message.as_deref(), Some("database on fire"))
        }
        other => panic!("wrong error: {other:?}"),
    }
    assert!(err.to_string().contains("try again"), "{err}");
}

#[tokio::test]
async fn the_budget_runs_out_on_429_with_when_to_retry() {
    let rec = Recorder::start(
        vec![],
        Reply::json(429, json!({})).with_header("retry-after", "0"),
    )
    .await;
    let err = client(&rec).get_asset("asset_1").await.unwrap_err();
    assert_eq!(rec.requests().len(), 3);
    assert!(matches!(err, ApiError::RateLimited { .. }), "{err:?}");
    assert!(err.to_string().contains("retry in"), "{err}");
}

#[tokio::test]
async fn a_retry_after_beyond_the_bound_is_not_waited() {
    let rec = Recorder::start(
        vec![],
        Reply::json(429, json!({})).with_header("retry-after", "3600"),
    )
    .await;
    let started = std::time::Instant::now();
    let err = client(&rec).get_asset("asset_1").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(rec.requests().len(), 1);
    assert_eq!(
        err.to_string(),
        "rate limited by the service (429); retry in 3600s"
    );
}

#[tokio::test]
async fn no_retry_on_400_401_404() {
    for status in [400u16, 401, 404] {
        let rec = Recorder::start(vec![], Reply::json(status, json!({"message": "nope"}))).await;
        let err = client(&rec).get_asset("asset_1").await.unwrap_err();
        assert_eq!(rec.requests().len(), 1, "status {status} was retried");
        assert_eq!(err.status(), Some(status));
    }
}

#[tokio::test]
async fn an_upload_is_not_resent_after_a_500() {
    let rec = Recorder::start(vec![], Reply::json(500, json!({}))).await;
    let req = assetui::api::params::UploadRequest {
        name: "x.png".into(),
        image: Some("data:image/png;base64,AAAA".into()),
        ..Default::default()
    };
    client(&rec).upload(&req).await.unwrap_err();
    assert_eq!(rec.requests().len(), 1);
}

#[tokio::test]
async fn an_upload_is_not_resent_after_a_reset() {
    let rec = Recorder::start(
        vec![Reply::Reset],
        Reply::json(200, json!({"asset": asset_json("n")})),
    )
    .await;
    let req = assetui::api::params::UploadRequest {
        name: "x.png".into(),
        image: Some("data:image/png;base64,AAAA".into()),
        ..Default::default()
    };
    let err = client(&rec).upload(&req).await.unwrap_err();
    assert!(matches!(err, ApiError::Interrupted { .. }), "{err:?}");
    assert_eq!(rec.requests().len(), 1);
}

#[tokio::test]
async fn an_upload_is_resent_after_a_429() {
    let rec = Recorder::start(
        vec![Reply::json(429, json!({})).with_header("retry-after", "0")],
        Reply::json(200, json!({"asset": asset_json("n")})),
    )
    .await;
    let req = assetui::api::params::UploadRequest {
        name: "x.png".into(),
        image: Some("data:image/png;base64,AAAA".into()),
        ..Default::default()
    };
    client(&rec).upload(&req).await.unwrap();
    assert_eq!(rec.requests().len(), 2);
}

#[tokio::test]
async fn x_should_retry_false_stops_retries() {
    let rec = Recorder::start(
        vec![],
        Reply::json(503, json!({})).with_header("x-should-retry", "false"),
    )
    .await;
    client(&rec).get_asset("asset_1").await.unwrap_err();
    assert_eq!(rec.requests().len(), 1);
}

#[tokio::test]
async fn a_closed_port_is_unreachable_with_the_url() {
    let port = support::closed_port();
    let c =
        Client::new(ClientOptions::new(format!("http://127.0.0.1:{port}/v1")).retry(fast_policy()))
            .unwrap();
    let err = c.get_asset("asset_1").await.unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ApiError::Unreachable { .. }), "{err:?}");
    assert!(msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
    assert!(msg.to_lowercase().contains("refused"), "{msg}");
}

#[tokio::test]
async fn html_instead_of_json_names_the_endpoint_and_quotes_it() {
    let rec = Recorder::start(
        vec![],
        Reply::raw(200, "text/html", "<!doctype html><title>Login</title>"),
    )
    .await;
    let err = client(&rec).get_asset("asset_1").await.unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("GET /v1/assets/asset_1"), "{msg}");
    assert!(msg.contains("text/html"), "{msg}");
    assert!(msg.contains("<!doctype html>"), "{msg}");
}

#[tokio::test]
async fn a_wrong_shape_names_the_field() {
    let rec = Recorder::start(vec![], Reply::json(200, json!({"asset": {"id": 42}}))).await;
    let err = client(&rec).get_asset("asset_1").await.unwrap_err();
    assert!(err.to_string().contains("asset.id"), "{err}");
}
