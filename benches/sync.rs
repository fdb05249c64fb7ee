//! `assetui sync` (issue 19) on the real binary against `assetui serve`
//! as its own process with N generated assets (default 2 000 of 16 KiB):
//!
//! - the first sync of an empty folder, once, beside `assetui download`
//!   of the same ids into another folder (the same engine, no sync state);
//! - then, alternating, RUNS times each: a second sync with nothing
//!   changed (the aim: under 2 s at 2 000 assets, nothing fetched) and
//!   `assetui list --all --json` of the same assets (the floor: the
//!   listing alone, which sync must read too).
//!
//! Run: `cargo bench --bench sync [-- N]` (add `--profile dev` for the
//! test build's binaries). Results go to BENCHMARKS.md by hand.

#[path = "support/served.rs"]
mod served;

use std::process::{Command, Stdio};
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_assetui");
const RUNS: usize = 5;
const SMALL_ONLY: &str = "--created-before=2024-01-02T00:00:00.000Z";

/// `assetui ARGS` against `base` with a private state dir: wall seconds
/// and stdout.
fn run(base: &str, home: &std::path::Path, args: &[&str]) -> (f64, Vec<u8>) {
    let t = Instant::now();
    let out = Command::new(BIN)
        .arg("--base-url")
        .arg(base)
        .args(args)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .expect("assetui runs");
    let wall = t.elapsed().as_secs_f64();
    assert!(out.status.success(), "{args:?} failed");
    (wall, out.stdout)
}

fn main() {
    let n: u64 = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let small = format!("{n}:16KiB");
    let server = served::serve(BIN, &["--small-assets", &small]);
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("mirror");
    let dir = dir.to_str().unwrap();
    let sync = ["sync", dir, SMALL_ONLY, "--jobs", "8", "--json"];

    let (first, out) = run(&server.base, home.path(), &sync);
    let summary: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(summary["new"], n, "{summary}");
    let ids: Vec<String> = (0..n).map(|i| format!("asset_SmallFile{i:013}")).collect();
    let other = home.path().join("download");
    let mut dl = vec!["download", "--jobs", "8", "--out", other.to_str().unwrap()];
    dl.extend(ids.iter().map(String::as_str));
    let (download, _) = run(&server.base, home.path(), &dl);
    println!(
        "first sync of {n}: {first:.2} s ({:.0} files/s); assetui download of the same: {download:.2} s ({:.0} files/s)",
        n as f64 / first,
        n as f64 / download
    );

    let list = ["list", SMALL_ONLY, "--all", "--json"];
    let (mut again, mut floor) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let (t, out) = run(&server.base, home.path(), &sync);
        let s: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(s["unchanged"], n, "nothing changed: {s}");
        assert_eq!(s["new"], 0);
        again.push(t);
        let (t, _) = run(&server.base, home.path(), &list);
        floor.push(t);
    }
    let range = |v: &[f64]| {
        let min = v.iter().cloned().fold(f64::MAX, f64::min);
        let max = v.iter().cloned().fold(0.0, f64::max);
        format!("{min:.2}–{max:.2} s")
    };
    println!(
        "second sync of {n}, nothing changed ({RUNS} runs): {} (aim < 2 s); list --all --json of the same: {}",
        range(&again),
        range(&floor)
    );
    println!("runs: sync {again:.2?} / list {floor:.2?}");
}
