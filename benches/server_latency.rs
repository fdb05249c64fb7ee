//! Server latency at scale: starts the demo server in-process with
//! `--scale N` synthetic assets (default 100 000) and measures, over real
//! HTTP on loopback with the project's client, the p50/p99 of a list page,
//! a filtered list page, a text search, a filtered search and a similarity
//! search. Run: `cargo bench --bench server_latency [-- N]`.
//! Results go to BENCHMARKS.md by hand (they depend on the machine).

use std::time::{Duration, Instant};

use assetui::api::params::*;
use assetui::api::{Client, ClientOptions};
use assetui::server::{self, ServerConfig};

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

#[tokio::main]
async fn main() {
    let scale: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let started = Instant::now();
    let srv = server::start(ServerConfig {
        scale,
        ..Default::default()
    })
    .await
    .expect("server starts");
    let boot = started.elapsed();
    let client = Client::new(ClientOptions::new(srv.base_url.clone())).unwrap();
    // a similarity search that arrives while the start-up embedding run
    // is under way answers from what is embedded (issue 21, item 6)
    let t = Instant::now();
    let early = SearchRequest {
        image: Some(first_id(&client).await),
        limit: Some(1),
        offset: Some(0),
        ..Default::default()
    };
    client.search_page(&early).await.unwrap();
    let early_answer = t.elapsed();
    let missing = || {
        let lib = srv.state.lib.read().unwrap();
        lib.unembedded().count()
    };
    let missing_then = missing();
    // then the rest is measured warm, once every asset is embedded
    while missing() > 0 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let embedded_after = started.elapsed();
    let total = srv.state.lib.read().unwrap().len();
    println!(
        "assets: {total}; server start {:.0} ms; a similarity search right after start answered in {:.0} ms ({missing_then} not embedded yet); all embedded {:.1} s after start",
        boot.as_secs_f64() * 1e3,
        early_answer.as_secs_f64() * 1e3,
        embedded_after.as_secs_f64()
    );
    println!();
    println!("| request | runs | p50 | p99 | results/run |");
    println!("| --- | --- | --- | --- | --- |");
    let c = client.clone();
    measure("list page (50, newest first)", 200, |_| {
        let c = c.clone();
        async move {
            c.list_assets_page(&ListAssetsQuery::default())
                .await
                .unwrap()
                .assets
                .len()
        }
    })
    .await;
    let c = client.clone();
    let token = c
        .list_assets_page(&ListAssetsQuery {
            page_size: Some(100),
            ..Default::default()
        })
        .await
        .unwrap()
        .next_pagination_token;
    measure("list page 2 (100, cursor)", 200, |_| {
        let c = c.clone();
        let q = ListAssetsQuery {
            page_size: Some(100),
            pagination_token: token.clone(),
            ..Default::default()
        };
        async move { c.list_assets_page(&q).await.unwrap().assets.len() }
    })
    .await;
    let c = client.clone();
    measure("list page, filtered (type=upscale)", 200, |_| {
        let c = c.clone();
        async move {
            let q = ListAssetsQuery {
                types: vec!["upscale".into()],
                ..Default::default()
            };
            c.list_assets_page(&q).await.unwrap().assets.len()
        }
    })
    .await;
    let words = [
        "castle",
        "dragon fire",
        "robot",
        "lighthouse sunset",
        "wizrd",
        "ocean",
    ];
    let c = client.clone();
    measure("text search (1-2 words, typo)", 200, |i| {
        let c = c.clone();
        let q = words[i % words.len()].to_string();
        async move {
            let r = SearchRequest {
                query: Some(q),
                page: Some(1),
                hits_per_page: Some(50),
                ..Default::default()
            };
            c.search_page(&r).await.unwrap().hits.len()
        }
    })
    .await;
    let c = client.clone();
    measure("filtered search (kind, tags IN, date)", 200, |_| {
        let c = c.clone();
        async move {
            let r = SearchRequest {
                filter: Some(
                    "kind = image AND tags IN [hero, approved] AND createdAt > \"2024-06-01\""
                        .into(),
                ),
                page: Some(1),
                hits_per_page: Some(50),
                ..Default::default()
            };
            c.search_page(&r).await.unwrap().hits.len()
        }
    })
    .await;
    let c = client.clone();
    let ids: Vec<String> = c
        .list_assets_page(&ListAssetsQuery {
            page_size: Some(20),
            types: vec!["upscale".into()],
            ..Default::default()
        })
        .await
        .unwrap()
        .assets
        .into_iter()
        .map(|a| a.id)
        .collect();
    measure("similarity search (image = asset id)", 200, |i| {
        let c = c.clone();
        let id = ids[i % ids.len()].clone();
        async move {
            let r = SearchRequest {
                image: Some(id),
                page: Some(1),
                hits_per_page: Some(50),
                ..Default::default()
            };
            c.search_page(&r).await.unwrap().hits.len()
        }
    })
    .await;
    srv.stop().await;
}

/// The newest image (similarity search is for images).
async fn first_id(c: &Client) -> String {
    c.list_assets_page(&ListAssetsQuery {
        page_size: Some(1),
        types: vec!["upscale".into()],
        ..Default::default()
    })
    .await
    .unwrap()
    .assets[0]
        .id
        .clone()
}
