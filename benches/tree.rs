//! The family tree at `--latency 50`: a family of 500 assets (the `--scale`
//! synth's first family: a root, then 8, 64 and 427 children) read whole,
//! through the same code the browser's worker runs (`lineage::load`: the
//! parents up to the root, then the family listing walked from both ends
//! at once), and through the real binary (`assetui tree ROOT --json`,
//! process start included). Also the time to the first page of the
//! family (what the pane shows first). Several runs each: min, median,
//! max. Run: `cargo bench --bench tree` (builds the release binary).
//! Results go to BENCHMARKS.md by hand.

use std::time::{Duration, Instant};

use assetui::api::params::{ListAssetsQuery, SortDirection, SortField};
use assetui::api::{Client, ClientOptions};
use assetui::lineage::load;
use assetui::provider::scenario;
use assetui::server::{self, ServerConfig};

const RUNS: usize = 15;

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "| {name} | {} | {:.0} ms | {:.0} ms | {:.0} ms |",
        times.len(),
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
}

#[tokio::main]
async fn main() {
    let srv = server::start(ServerConfig {
        scale: 1000,
        latency: Duration::from_millis(50),
        ..Default::default()
    })
    .await
    .expect("server starts");
    let client = Client::new(ClientOptions::new(srv.base_url.clone())).unwrap();
    let first = client
        .list_assets_page(&ListAssetsQuery {
            sort_by: Some(SortField::CreatedAt),
            sort_direction: Some(SortDirection::Asc),
            page_size: Some(1),
            ..Default::default()
        })
        .await
        .unwrap()
        .assets
        .remove(0);
    let root = scenario::view(first);
    let bin = env!("CARGO_BIN_EXE_assetui");
    println!("family of {} at --latency 50 ({RUNS} runs each)", root.id);
    println!();
    println!("| what | runs | min | median | max |");
    println!("| --- | --- | --- | --- | --- |");

    let mut first_page = Vec::new();
    let mut whole = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let mut at = None;
        let chain = load::chain(&client, root.clone()).await;
        load::family(&client, &chain.root.id, |_| {
            at.get_or_insert_with(|| t.elapsed());
        })
        .await;
        first_page.push(at.unwrap_or_default());
        let t = Instant::now();
        let tree = load::whole(&client, root.clone()).await;
        whole.push(t.elapsed());
        assert_eq!(tree.len(), 500);
    }
    report("worker path: first page of the family", first_page);
    report("worker path: whole family (500)", whole);

    let mut process = Vec::new();
    for _ in 0..RUNS {
        let home = tempfile::tempdir().unwrap();
        let t = Instant::now();
        let out = std::process::Command::new(bin)
            .args(["tree", &root.id, "--json", "--base-url", &srv.base_url])
            .env_clear()
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("SCENARIO_SDK_API_KEY", "k")
            .env("SCENARIO_SDK_API_SECRET", "s")
            .output()
            .unwrap();
        process.push(t.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.len() > 100_000);
    }
    report("`assetui tree ROOT --json` (process)", process);
}
