//! The image pipeline against the demo server (real signed links, real
//! renditions) and against a small scripted HTTP server for the failure
//! cases. Waits are on the output channel with timeouts, never sleeps.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ratatui_image::picker::Picker;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc::{self, UnboundedReceiver};

use assetui::api::models::Asset;
use assetui::api::{Client, ClientOptions};
use assetui::server::{self, Running, ServerConfig};
use assetui::worker::images::{
    size_on_disk, DiskCache, ImageDone, ImageError, ImageKey, ImagePipeline, ImageRequest, Variant,
};

const T: Duration = Duration::from_secs(20);

async fn demo(config: ServerConfig) -> (Running, Vec<Asset>) {
    let running = server::start(config).await.expect("demo server starts");
    let client = Client::new(ClientOptions::new(running.base_url.clone())).unwrap();
    let page = client
        .list_assets_page(&Default::default())
        .await
        .expect("first page");
    assert!(page.assets.len() >= 3, "the demo has assets");
    (running, page.assets)
}

/// An HTTP client as the browser builds it (call after `Client::new`, or
/// [`install_crypto`], so rustls has its provider).
fn http() -> reqwest::Client {
    install_crypto();
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn pipeline(
    disk: Option<DiskCache>,
    concurrency: usize,
) -> (ImagePipeline, UnboundedReceiver<ImageDone>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let p = ImagePipeline::spawn(http(), Picker::halfblocks(), disk, concurrency, tx);
    (p, rx)
}

fn thumb(asset: &Asset, cells: (u16, u16)) -> ImageRequest {
    ImageRequest {
        key: ImageKey {
            asset_id: asset.id.clone(),
            variant: Variant::Thumbnail,
            cells,
        },
        url: asset.thumbnail_url().expect("thumbnail link").to_string(),
        cache_tag: asset.updated_at.clone().unwrap_or_default(),
    }
}

async fn next(rx: &mut UnboundedReceiver<ImageDone>) -> ImageDone {
    tokio::time::timeout(T, rx.recv())
        .await
        .expect("an image result in time")
        .expect("the pipeline is running")
}

/// Nothing more arrives within `wait` (checking an absence needs a bound).
async fn nothing_more(rx: &mut UnboundedReceiver<ImageDone>, wait: Duration) {
    if let Ok(Some(extra)) = tokio::time::timeout(wait, rx.recv()).await {
        panic!("unexpected result: {extra:?}");
    }
}

fn assert_fits(done: &ImageDone) {
    let proto = done
        .result
        .as_ref()
        .unwrap_or_else(|e| panic!("{:?}: {e}", done.key));
    let (cols, rows) = done.key.cells;
    let size = proto.size();
    assert!(
        size.width >= 1 && size.height >= 1 && size.width <= cols && size.height <= rows,
        "{:?} drawn in {size:?}",
        done.key
    );
}

#[tokio::test]
async fn a_wanted_thumbnail_arrives_fitting_its_cells() {
    let (_s, assets) = demo(ServerConfig::default()).await;
    let (p, mut rx) = pipeline(None, 4);
    let a = thumb(&assets[0], (20, 10));
    let b = thumb(&assets[1], (6, 3));
    p.want(vec![a.clone(), b.clone()]);
    let mut got = vec![next(&mut rx).await, next(&mut rx).await];
    got.sort_by(|x, y| x.key.asset_id.cmp(&y.key.asset_id));
    let mut want = vec![a.key, b.key];
    want.sort_by(|x, y| x.asset_id.cmp(&y.asset_id));
    assert_eq!(got.iter().map(|d| d.key.clone()).collect::<Vec<_>>(), want);
    for d in &got {
        assert_fits(d);
    }
    nothing_more(&mut rx, Duration::from_millis(200)).await;
}

#[tokio::test]
async fn previews_and_every_demo_thumbnail_decode() {
    let (_s, assets) = demo(ServerConfig::default()).await;
    let (p, mut rx) = pipeline(None, 6);
    let mut requests: Vec<ImageRequest> = assets.iter().map(|a| thumb(a, (12, 6))).collect();
    for a in assets.iter().take(3) {
        requests.push(ImageRequest {
            key: ImageKey {
                asset_id: a.id.clone(),
                variant: Variant::Preview,
                cells: (60, 30),
            },
            url: a.preview_url().expect("preview link").to_string(),
            cache_tag: a.updated_at.clone().unwrap_or_default(),
        });
    }
    let n = requests.len();
    p.want(requests);
    for _ in 0..n {
        assert_fits(&next(&mut rx).await);
    }
}

#[tokio::test]
async fn the_disk_cache_serves_a_second_pipeline_without_the_network() {
    let (_s, assets) = demo(ServerConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join("renditions");
    let request = thumb(&assets[0], (20, 10));
    {
        let disk = DiskCache::open(cache_dir.clone(), 64 << 20).unwrap();
        let (p, mut rx) = pipeline(Some(disk), 2);
        p.want(vec![request.clone()]);
        assert_fits(&next(&mut rx).await);
    }
    assert!(size_on_disk(&cache_dir) > 0, "the rendition was stored");

    // same asset, same cache tag, a link to a port nobody listens on
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut url = url::Url::parse(&request.url).unwrap();
    url.set_port(Some(port)).unwrap();
    let offline = ImageRequest {
        url: url.to_string(),
        ..request.clone()
    };
    let disk = DiskCache::open(cache_dir.clone(), 64 << 20).unwrap();
    let (p, mut rx) = pipeline(Some(disk), 2);
    p.want(vec![offline.clone()]);
    assert_fits(&next(&mut rx).await);

    // another cache tag (the file changed) is a miss: it goes to the closed port
    let changed = ImageRequest {
        cache_tag: "changed".into(),
        ..offline
    };
    p.want(vec![changed]);
    match next(&mut rx).await.result {
        Err(ImageError::Fetch(msg)) => {
            assert!(msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
            assert!(!msg.contains("signature") && !msg.contains('?'), "{msg}");
        }
        other => panic!("expected a fetch error, got {:?}", other.err()),
    }
}

#[tokio::test]
async fn an_altered_or_expired_link_is_expired() {
    let (_s, assets) = demo(ServerConfig::default()).await;
    let (p, mut rx) = pipeline(None, 2);
    let good = thumb(&assets[0], (10, 5));
    let mut url = url::Url::parse(&good.url).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "signature" {
                format!("x{v}")
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    assert!(pairs.iter().any(|(k, _)| k == "signature"), "{pairs:?}");
    url.query_pairs_mut().clear().extend_pairs(pairs);
    p.want(vec![ImageRequest {
        url: url.to_string(),
        ..good.clone()
    }]);
    let done = next(&mut rx).await;
    assert_eq!(done.key, good.key);
    assert_eq!(done.result.err(), Some(ImageError::Expired));

    // and a link whose time is up (expires in the past, signature kept)
    let mut url = url::Url::parse(&good.url).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "expires" {
                "1".into()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let mut second = good.clone();
    second.key.cells = (11, 5);
    second.url = url.to_string();
    p.want(vec![second]);
    assert_eq!(next(&mut rx).await.result.err(), Some(ImageError::Expired));
}

#[tokio::test]
async fn a_replaced_wish_list_cancels_what_is_no_longer_wanted() {
    let (_s, assets) = demo(ServerConfig {
        latency: Duration::from_millis(300),
        ..ServerConfig::default()
    })
    .await;
    let (p, mut rx) = pipeline(None, 4);
    let a = thumb(&assets[0], (20, 10));
    let b = thumb(&assets[1], (20, 10));
    p.want(vec![a]);
    p.want(vec![b.clone()]);
    let done = next(&mut rx).await;
    assert_eq!(done.key, b.key);
    assert_fits(&done);
    // `a` was in flight for at most 300 ms more; it must never arrive
    nothing_more(&mut rx, Duration::from_millis(1200)).await;
}

#[tokio::test]
async fn duplicate_keys_give_one_result() {
    let (_s, assets) = demo(ServerConfig::default()).await;
    let (p, mut rx) = pipeline(None, 4);
    let a = thumb(&assets[0], (8, 4));
    p.want(vec![a.clone(), a.clone(), a.clone()]);
    assert_eq!(next(&mut rx).await.key, a.key);
    nothing_more(&mut rx, Duration::from_millis(500)).await;
}

// ---------------------------------------------------------------------------
// A scripted server: counts requests and concurrent requests, answers by
// path: `/img/...` a PNG after a delay, `/status/NNN`, `/text`, `/huge`.

struct Scripted {
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
    peak: Arc<AtomicUsize>,
    /// The path of each request, as it arrives.
    arrived: UnboundedReceiver<String>,
}

impl Scripted {
    async fn arrival(&mut self) -> String {
        tokio::time::timeout(T, self.arrived.recv())
            .await
            .expect("a request in time")
            .expect("the server runs")
    }
}

async fn scripted(delay: Duration) -> Scripted {
    install_crypto();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let peak = Arc::new(AtomicUsize::new(0));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let png = Arc::new(crate::support::png_bytes());
    let (reqs, pk) = (requests.clone(), peak.clone());
    let (arrived_tx, arrived) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let (reqs, pk, fl, png) = (reqs.clone(), pk.clone(), in_flight.clone(), png.clone());
            let arrived_tx = arrived_tx.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let line = String::from_utf8_lossy(&head)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                let target = line.split(' ').nth(1).unwrap_or("/").to_string();
                let path = target.split('?').next().unwrap_or("/").to_string();
                reqs.lock().unwrap().push(path.clone());
                let _ = arrived_tx.send(path.clone());
                let now = fl.fetch_add(1, Ordering::SeqCst) + 1;
                pk.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
                let (status, body, declared): (&str, Vec<u8>, Option<usize>) =
                    if path.starts_with("/img/") {
                        ("200 OK", png.to_vec(), None)
                    } else if let Some(code) = path.strip_prefix("/status/") {
                        (code, b"nope".to_vec(), None)
                    } else if path == "/text" {
                        ("200 OK", b"<html>not a picture</html>".to_vec(), None)
                    } else if path == "/bomb" {
                        // 8192×8192 RGBA (256 MiB decoded) in 80 bytes
                        (
                            "200 OK",
                            assetui::api::imaging::forged::png(8192, 8192, 8, 6),
                            None,
                        )
                    } else if path == "/huge" {
                        ("200 OK", Vec::new(), Some(40 << 20))
                    } else {
                        ("404 Not Found", Vec::new(), None)
                    };
                let len = declared.unwrap_or(body.len());
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-length: {len}\r\nconnection: close\r\n\r\n"
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&body).await;
                fl.fetch_sub(1, Ordering::SeqCst);
                let _ = sock.shutdown().await;
            });
        }
    });
    Scripted {
        base,
        requests,
        peak,
        arrived,
    }
}

fn req(base: &str, id: &str, path: &str) -> ImageRequest {
    ImageRequest {
        key: ImageKey {
            asset_id: id.into(),
            variant: Variant::Thumbnail,
            cells: (10, 5),
        },
        url: format!("{base}{path}?expires=99&signature=SECRET-SIG"),
        cache_tag: "t1".into(),
    }
}

#[tokio::test]
async fn at_most_concurrency_fetches_run_at_once_and_all_arrive() {
    let srv = scripted(Duration::from_millis(100)).await;
    let (p, mut rx) = pipeline(None, 3);
    let list: Vec<ImageRequest> = (0..10)
        .map(|i| req(&srv.base, &format!("a{i}"), &format!("/img/{i}")))
        .collect();
    p.want(list);
    let mut ids: Vec<String> = Vec::new();
    for _ in 0..10 {
        let d = next(&mut rx).await;
        assert_fits(&d);
        ids.push(d.key.asset_id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 10);
    let peak = srv.peak.load(Ordering::SeqCst);
    assert!(
        (1..=3).contains(&peak),
        "peak of {peak} concurrent requests"
    );
}

#[tokio::test]
async fn work_in_flight_is_kept_when_still_wanted_and_urgent_ones_go_first() {
    let mut srv = scripted(Duration::from_millis(300)).await;
    let (p, mut rx) = pipeline(None, 1);
    let a = req(&srv.base, "a", "/img/a");
    let b = req(&srv.base, "b", "/img/b");
    let c = req(&srv.base, "c", "/img/c");
    p.want(vec![a.clone(), b.clone()]);
    assert_eq!(srv.arrival().await, "/img/a");
    // `a` is in flight; the new list keeps it and puts `c` before `b`
    p.want(vec![c.clone(), a.clone(), b.clone()]);
    let order: Vec<String> = vec![
        next(&mut rx).await.key.asset_id,
        next(&mut rx).await.key.asset_id,
        next(&mut rx).await.key.asset_id,
    ];
    assert_eq!(order, ["a", "c", "b"]);
    let seen = srv.requests.lock().unwrap().clone();
    assert_eq!(seen, ["/img/a", "/img/c", "/img/b"], "`a` was fetched once");
}

#[tokio::test]
async fn an_empty_wish_list_cancels_everything() {
    let mut srv = scripted(Duration::from_millis(200)).await;
    let (p, mut rx) = pipeline(None, 2);
    p.want(
        (0..5)
            .map(|i| req(&srv.base, &format!("x{i}"), "/img/x"))
            .collect(),
    );
    // two are in flight (the server holds them 200 ms), three queued
    srv.arrival().await;
    srv.arrival().await;
    p.want(Vec::new());
    nothing_more(&mut rx, Duration::from_millis(800)).await;
    // and the pipeline still works afterwards
    let d = req(&srv.base, "d", "/img/d");
    p.want(vec![d.clone()]);
    assert_eq!(next(&mut rx).await.key, d.key);
}

#[tokio::test]
async fn http_failures_are_fetch_errors_without_the_query() {
    let srv = scripted(Duration::ZERO).await;
    let (p, mut rx) = pipeline(None, 4);
    p.want(vec![
        req(&srv.base, "gone", "/status/404"),
        req(&srv.base, "broken", "/status/500"),
        req(&srv.base, "denied", "/status/401"),
        req(&srv.base, "huge", "/huge"),
    ]);
    let mut results = std::collections::HashMap::new();
    for _ in 0..4 {
        let d = next(&mut rx).await;
        results.insert(d.key.asset_id.clone(), d.result.err().expect("an error"));
    }
    let host = srv.base.trim_start_matches("http://");
    assert_eq!(
        results["gone"],
        ImageError::Fetch(format!("HTTP 404 from {host}/status/404"))
    );
    assert_eq!(
        results["broken"],
        ImageError::Fetch(format!("HTTP 500 from {host}/status/500"))
    );
    assert_eq!(results["denied"], ImageError::Expired);
    match &results["huge"] {
        ImageError::Fetch(m) => assert!(m.contains("larger than 32 MiB"), "{m}"),
        other => panic!("{other:?}"),
    }
    for e in results.values() {
        let text = e.to_string();
        assert!(!text.contains("SECRET") && !text.contains('?'), "{text}");
    }
    // a 500 is tried again (three attempts), a 404 is not
    let seen = srv.requests.lock().unwrap().clone();
    assert_eq!(seen.iter().filter(|p| *p == "/status/500").count(), 3);
    assert_eq!(seen.iter().filter(|p| *p == "/status/404").count(), 1);
}

#[tokio::test]
async fn bytes_that_are_not_an_image_are_a_decode_error_and_not_cached() {
    let srv = scripted(Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let disk = DiskCache::open(dir.path().join("r"), 1 << 20).unwrap();
    let (p, mut rx) = pipeline(Some(disk), 2);
    p.want(vec![req(&srv.base, "t", "/text")]);
    match next(&mut rx).await.result {
        Err(ImageError::Decode(m)) => assert!(m.contains("not an image"), "{m}"),
        other => panic!("expected a decode error, got {:?}", other.err()),
    }
    assert_eq!(size_on_disk(&dir.path().join("r")), 0);
}

/// Issue 20: a small PNG declaring 256 MiB of pixels is refused from its
/// header, and pictures beside it still arrive.
#[tokio::test]
async fn a_png_bomb_is_refused_before_decoding_and_others_still_arrive() {
    let srv = scripted(Duration::ZERO).await;
    let (p, mut rx) = pipeline(None, 2);
    p.want(vec![
        req(&srv.base, "bomb1", "/bomb"),
        req(&srv.base, "bomb2", "/bomb"),
        req(&srv.base, "fine", "/img/fine"),
    ]);
    let mut seen = Vec::new();
    for _ in 0..3 {
        let done = next(&mut rx).await;
        match (done.key.asset_id.as_str(), &done.result) {
            ("fine", Ok(_)) => assert_fits(&done),
            (_, Err(ImageError::Decode(m))) if done.key.asset_id.starts_with("bomb") => {
                assert!(m.contains("PNG") && m.contains("limits"), "{m}")
            }
            (id, other) => panic!("{id}: {:?}", other.as_ref().err()),
        }
        seen.push(done.key.asset_id);
    }
    seen.sort();
    assert_eq!(seen, ["bomb1", "bomb2", "fine"]);
}

#[tokio::test]
async fn cached_bytes_that_do_not_decode_are_dropped_and_fetched_again() {
    let srv = scripted(Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join("r");
    let disk = DiskCache::open(cache_dir.clone(), 1 << 20).unwrap();
    let request = req(&srv.base, "p", "/img/p");
    // fill the cache through the pipeline, then replace the entry (intact
    // header and checksum) by bytes that are not an image
    let (p, mut rx) = pipeline(Some(disk.clone()), 1);
    p.want(vec![request.clone()]);
    assert_fits(&next(&mut rx).await);
    drop(p);
    // the pipeline's disk key is asset/variant/cache_tag/link without its
    // port and query
    let key = "p/thumbnail/t1/http://127.0.0.1/img/p";
    let key_file = cache_dir.join(hex_sha256(key));
    let good = std::fs::metadata(&key_file)
        .expect("the entry is named by the hash of its key")
        .len();
    disk.put(key, b"definitely not an image");
    assert_ne!(std::fs::metadata(&key_file).unwrap().len(), good);

    let (p, mut rx) = pipeline(Some(disk.clone()), 1);
    p.want(vec![request.clone()]);
    assert_fits(&next(&mut rx).await);
    assert_eq!(
        srv.requests.lock().unwrap().len(),
        2,
        "fetched again after the cached bytes failed"
    );
    // and the entry now holds the good bytes again
    assert_eq!(std::fs::metadata(&key_file).unwrap().len(), good);
}

fn hex_sha256(key: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
