//! Running the server: `assetui serve` as a process (first line, signals,
//! persistence across SIGKILL), auth, fault injection, and pagination that
//! holds while assets come and go.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use assetui::api::params::*;
use assetui::api::retry::RetryPolicy;
use assetui::api::{ApiError, Client, ClientOptions};
use assetui::server::faults::FaultSpec;
use assetui::server::{self, ServerConfig};

/// Starts `assetui serve` and returns it with the base URL from its first
/// stdout line.
fn serve(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_assetui"))
        .arg("serve")
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("first line names the URL")
        .to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/v1"),
        "{url}"
    );
    (child, url)
}

fn client(url: &str) -> Client {
    Client::new(ClientOptions::new(url)).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_changes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (mut child, url) = serve(&["--data", data]);
    let c = client(&url);
    let page = c
        .list_assets_page(&ListAssetsQuery::default())
        .await
        .unwrap();
    let (a, b, gone) = (
        page.assets[0].id.clone(),
        page.assets[1].id.clone(),
        page.assets[2].id.clone(),
    );
    c.update_tags(
        &a,
        &UpdateTagsRequest {
            add: vec!["kept-1".into()],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let removed = page.assets[1].tags().first().cloned();
    if let Some(t) = &removed {
        c.update_tags(
            &b,
            &UpdateTagsRequest {
                delete: vec![t.clone()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    c.delete_assets(std::slice::from_ref(&gone)).await.unwrap();
    let coll = c.all_collections().await.unwrap()[0].id.clone().unwrap();
    c.add_to_collection(&coll, std::slice::from_ref(&a))
        .await
        .unwrap();
    let file = dir.path().join("up.png");
    image::RgbImage::from_pixel(32, 32, image::Rgb([1, 2, 3]))
        .save(&file)
        .unwrap();
    let uploaded = c
        .upload(&assetui::api::assets::upload_request_from_file(&file, None).unwrap())
        .await
        .unwrap();
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let (mut child, url) = serve(&["--data", data]);
    let c = client(&url);
    let a2 = c.get_asset(&a).await.unwrap();
    assert!(a2.tags().contains(&"kept-1".to_string()));
    assert!(a2.collection_ids().contains(&coll));
    if let Some(t) = removed {
        assert!(!c.get_asset(&b).await.unwrap().tags().contains(&t));
    }
    assert!(matches!(
        c.get_asset(&gone).await,
        Err(ApiError::NotFound { .. })
    ));
    let up = c.get_asset(&uploaded.id).await.unwrap();
    let bytes = reqwest::get(up.url.unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), std::fs::read(&file).unwrap().as_slice());
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_and_sigint_stop_it_cleanly() {
    for signal in ["-TERM", "-INT"] {
        let (mut child, url) = serve(&[]);
        client(&url)
            .list_assets_page(&ListAssetsQuery::default())
            .await
            .unwrap();
        let status = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let code = child.wait().unwrap();
        assert_eq!(code.code(), Some(0), "{signal}: {code:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_is_required_when_configured() {
    let (mut child, url) = serve(&["--auth", "key:secret"]);
    let anonymous = client(&url);
    match anonymous
        .list_assets_page(&ListAssetsQuery::default())
        .await
    {
        Err(e @ ApiError::Unauthorized { status: 401, .. }) => {
            assert!(e.to_string().contains("SCENARIO_SDK_API_KEY"))
        }
        other => panic!("{other:?}"),
    }
    let wrong =
        Client::new(ClientOptions::new(&url).authorization(Some("Basic a2V5Ondyb25n".into())))
            .unwrap();
    assert!(matches!(
        wrong.list_assets_page(&ListAssetsQuery::default()).await,
        Err(ApiError::Unauthorized { .. })
    ));
    let basic =
        Client::new(ClientOptions::new(&url).authorization(Some("Basic a2V5OnNlY3JldA==".into())))
            .unwrap();
    let page = basic
        .list_assets_page(&ListAssetsQuery::default())
        .await
        .unwrap();
    let bearer =
        Client::new(ClientOptions::new(&url).authorization(Some("Bearer secret".into()))).unwrap();
    bearer
        .list_assets_page(&ListAssetsQuery::default())
        .await
        .unwrap();
    // signed file links need no credentials, as on the real CDN
    let file = reqwest::get(page.assets[0].url.clone().unwrap())
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn faults_happen_at_about_their_rates() {
    let spec = FaultSpec::parse("429=0.2,500=0.1,reset=0.1,truncate=0.1").unwrap();
    let srv = server::start(ServerConfig {
        faults: spec,
        ..Default::default()
    })
    .await
    .unwrap();
    let c =
        Client::new(ClientOptions::new(srv.base_url.clone()).retry(RetryPolicy::none())).unwrap();
    let n = 600;
    let mut seen = std::collections::HashMap::<&str, u32>::new();
    for _ in 0..n {
        let kind = match c
            .list_assets_page(&ListAssetsQuery {
                page_size: Some(1),
                ..Default::default()
            })
            .await
        {
            Ok(_) => "ok",
            Err(ApiError::RateLimited { retry_after }) => {
                assert_eq!(
                    retry_after,
                    Some(Duration::from_secs(1)),
                    "429 carries Retry-After"
                );
                "429"
            }
            Err(ApiError::Service { status: 500, .. }) => "500",
            Err(ApiError::Interrupted { .. }) | Err(ApiError::UnexpectedResponse { .. }) => {
                "broken"
            }
            Err(other) => panic!("{other:?}"),
        };
        *seen.entry(kind).or_default() += 1;
    }
    let rate = |k: &str| f64::from(*seen.get(k).unwrap_or(&0)) / f64::from(n);
    // wide bounds: a binomial draw of 600 stays well within these
    assert!((0.12..0.28).contains(&rate("429")), "{seen:?}");
    assert!((0.05..0.16).contains(&rate("500")), "{seen:?}");
    assert!(
        (0.12..0.28).contains(&rate("broken")),
        "reset + truncate: {seen:?}"
    );
    assert!((0.4..0.6).contains(&rate("ok")), "{seen:?}");
    let counted = srv.state.faults_seen();
    assert!(
        counted.get("reset").copied().unwrap_or(0) > 20
            && counted.get("truncate").copied().unwrap_or(0) > 20
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_response_trips_the_read_timeout() {
    let spec = FaultSpec::parse("stall=1").unwrap();
    let srv = server::start(ServerConfig {
        faults: spec,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut options = ClientOptions::new(srv.base_url.clone()).retry(RetryPolicy::none());
    options.read_timeout = Duration::from_millis(300);
    let c = Client::new(options).unwrap();
    let started = std::time::Instant::now();
    match c.list_assets_page(&ListAssetsQuery::default()).await {
        Err(ApiError::Timeout { .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread")]
async fn pagination_holds_while_assets_come_and_go() {
    let srv = server::start(ServerConfig {
        scale: 300,
        ..Default::default()
    })
    .await
    .unwrap();
    let c = client(&srv.base_url);
    let before: HashSet<String> = {
        let mut ids = HashSet::new();
        let mut q = ListAssetsQuery {
            page_size: Some(100),
            ..Default::default()
        };
        loop {
            let p = c.list_assets_page(&q).await.unwrap();
            ids.extend(p.assets.into_iter().map(|a| a.id));
            match p.next_pagination_token {
                Some(t) => q.pagination_token = Some(t),
                None => break ids,
            }
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("new.png");
    image::RgbImage::from_pixel(16, 16, image::Rgb([9, 9, 9]))
        .save(&file)
        .unwrap();
    let mut seen = Vec::new();
    let mut deleted = HashSet::new();
    let mut q = ListAssetsQuery {
        page_size: Some(13),
        ..Default::default()
    };
    let mut round = 0;
    loop {
        let p = c.list_assets_page(&q).await.unwrap();
        seen.extend(p.assets.iter().map(|a| a.id.clone()));
        // between pages: upload one (it sorts first, before the cursor) and
        // delete one not yet seen
        c.upload(&assetui::api::assets::upload_request_from_file(&file, None).unwrap())
            .await
            .unwrap();
        let victim = before
            .iter()
            .find(|id| !seen.contains(id) && !deleted.contains(*id))
            .cloned();
        if let (Some(v), true) = (victim, round % 2 == 0) {
            c.delete_assets(std::slice::from_ref(&v)).await.unwrap();
            deleted.insert(v);
        }
        round += 1;
        match p.next_pagination_token {
            Some(t) => q.pagination_token = Some(t),
            None => break,
        }
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no asset seen twice");
    let expected: HashSet<&String> = before.iter().filter(|id| !deleted.contains(*id)).collect();
    assert_eq!(
        unique, expected,
        "every asset present throughout was seen, none skipped"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_provider_twelvelabs_prints_its_v1_3_url() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_assetui"))
        .args(["serve", "--addr", "127.0.0.1:0", "--auth", "tl-key"])
        .env("ASSETUI_PROVIDER", "twelvelabs")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("first line names the URL")
        .to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/v1.3"),
        "{url}"
    );
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let denied = http.get(format!("{url}/assets")).send().await.unwrap();
    assert_eq!(denied.status(), 401);
    let page: serde_json::Value = http
        .get(format!("{url}/assets?page=1"))
        .header("x-api-key", "tl-key")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(page["data"][0]["_id"].is_string(), "{page}");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
    // a flag of the Scenario server only: a clear usage error
    let out = Command::new(env!("CARGO_BIN_EXE_assetui"))
        .args(["serve", "--provider", "twelvelabs", "--addr", "127.0.0.1:0"])
        .args(["--large-asset", "1MiB"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--large-asset") && err.contains("Scenario"),
        "{err}"
    );
}
