//! TwelveLabs server latency at scale: starts the TwelveLabs-compatible
//! server in-process with `--scale N` synthetic assets (default 10 000, all
//! in the demo index) and measures, over real HTTP on loopback with
//! reqwest, the p50/p99 of a list page, a filtered list page, a text
//! search, an image search (by file) and a next search page by token.
//! Run: `cargo bench --bench twelvelabs_latency [-- N]`.
//! Results go to BENCHMARKS.md by hand (they depend on the machine).

use std::time::{Duration, Instant};

use assetui::server::twelvelabs::{self, TlConfig};
use serde_json::Value;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn measure<F, Fut>(name: &str, runs: usize, mut f: F)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    for i in 0..5 {
        f(i).await; // warm-up
    }
    let mut times = Vec::with_capacity(runs);
    let mut results = 0;
    for i in 0..runs {
        let t = Instant::now();
        results += f(i).await;
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "| {name} | {runs} | {:.2} ms | {:.2} ms | {} |",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        results / runs
    );
}

fn form(fields: &[(&str, &str)], file: Option<&[u8]>) -> (String, Vec<u8>) {
    let b = "bench0boundary0twelvelabs";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some(f) = file {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"query_media_file\"; filename=\"q.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(f);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let scale: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let started = Instant::now();
    let srv = twelvelabs::start(TlConfig {
        scale,
        ..Default::default()
    })
    .await
    .expect("server starts");
    let boot = started.elapsed();
    let base = srv.base_url.clone();
    let http = reqwest::Client::new();
    let get = |url: String| {
        let http = http.clone();
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let index = get(format!("{base}/indexes")).await["data"][0]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut query_png = Vec::new();
    image::RgbImage::from_fn(64, 64, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 4) as u8, 90])
    })
    .write_to(
        &mut std::io::Cursor::new(&mut query_png),
        image::ImageFormat::Png,
    )
    .unwrap();
    let post = |fields: Vec<(&'static str, String)>, file: Option<Vec<u8>>| {
        let http = http.clone();
        let base = base.clone();
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (ct, body) = form(&f, file.as_deref());
            http.post(format!("{base}/search"))
                .header("content-type", ct)
                .body(body)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    // the first image search waits for the background embeddings
    let t = Instant::now();
    post(
        vec![
            ("query_media_type", "image".into()),
            ("index_id", index.clone()),
            ("search_options", "visual".into()),
        ],
        Some(query_png.clone()),
    )
    .await;
    let embed_wait = t.elapsed();
    let total = srv.state.lib.read().unwrap().assets.len();
    println!(
        "assets: {total}; server start {:.0} ms; first image search (embeddings ready) {:.0} ms",
        boot.as_secs_f64() * 1e3,
        embed_wait.as_secs_f64() * 1e3
    );
    println!();
    println!("| request | runs | p50 | p99 | results/run |");
    println!("| --- | --- | --- | --- | --- |");
    let len = |v: &Value| v["data"].as_array().map_or(0, Vec::len);
    measure("list page (50, newest first)", 200, |_| {
        let f = get(format!("{base}/assets?page=1&page_limit=50"));
        async move { len(&f.await) }
    })
    .await;
    measure("list page 100 (10 per page)", 200, |_| {
        let f = get(format!("{base}/assets?page=100&page_limit=10"));
        async move { len(&f.await) }
    })
    .await;
    measure("list page, filtered (filename substring)", 200, |_| {
        let f = get(format!(
            "{base}/assets?page=1&page_limit=50&filename=ocean-drag"
        ));
        async move { len(&f.await) }
    })
    .await;
    let words = [
        "castle",
        "dragon ocean",
        "robot",
        "lighthouse sunset",
        "wizrd",
        "harbor",
    ];
    measure("text search (1-2 words, typo; 50 clips)", 200, |i| {
        let f = post(
            vec![
                ("query_text", words[i % words.len()].into()),
                ("index_id", index.clone()),
                ("search_options", "visual".into()),
                ("page_limit", "50".into()),
            ],
            None,
        );
        async move { len(&f.await) }
    })
    .await;
    measure("image search (by file; 50 clips)", 100, |_| {
        let f = post(
            vec![
                ("query_media_type", "image".into()),
                ("index_id", index.clone()),
                ("search_options", "visual".into()),
                ("page_limit", "50".into()),
            ],
            Some(query_png.clone()),
        );
        async move { len(&f.await) }
    })
    .await;
    let first = post(
        vec![
            ("query_text", "ocean".into()),
            ("index_id", index.clone()),
            ("search_options", "visual".into()),
            ("page_limit", "50".into()),
        ],
        None,
    )
    .await;
    let token = first["page_info"]["next_page_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    measure("next search page (GET /search/{token})", 200, |_| {
        let f = get(format!("{base}/search/{token}"));
        async move { len(&f.await) }
    })
    .await;
    srv.stop().await;
}
