//! The download engine against `curl`, on the same disk and the same demo
//! server (`assetui serve` as its own process, streaming a generated file):
//!
//! - one large file (default 1 GiB): wall time, throughput and peak
//!   resident memory of `curl -o` and of `assetui download`;
//! - the same file back to back, as a user fetches one file after
//!   another: five alternating pairs of whole runs, `assetui download`
//!   then `curl -o`, each run deleting its own previous output first (so
//!   each meets the dirty pages the other left in the page cache);
//! - one small file: the whole command's wall time against curl's;
//! - many small files (default 2 000 of 64 KiB) at concurrency 8: files
//!   per second for `curl --parallel` (links fetched beforehand, not
//!   timed) and for `assetui download --jobs 8` (which also asks the API
//!   for each asset and a fresh link, and fsyncs every file).
//!
//! Run: `cargo bench --bench download [-- LARGE_MIB SMALL_COUNT]`.
//! Results go to BENCHMARKS.md by hand (they depend on the machine).

#[path = "support/served.rs"]
mod served;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_assetui");
const RUNS: usize = 3;

/// Runs `cmd` under `/usr/bin/time`: (wall seconds, peak RSS in KiB).
fn timed(cmd: &mut Command) -> (f64, u64) {
    let report = tempfile::NamedTempFile::new().unwrap();
    let mut full = Command::new("/usr/bin/time");
    full.arg("-f")
        .arg("%e %M")
        .arg("-o")
        .arg(report.path())
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let t = Instant::now();
    let status = full.status().expect("/usr/bin/time runs");
    let wall = t.elapsed().as_secs_f64();
    assert!(status.success(), "{cmd:?} failed");
    let text = std::fs::read_to_string(report.path()).unwrap();
    let rss = text
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (wall, rss)
}

fn link(base: &str, id: &str) -> String {
    let out = Command::new("curl")
        .args([
            "-s",
            "-X",
            "POST",
            "-H",
            "content-type: application/json",
            "-d",
            "{}",
        ])
        .arg(format!("{base}/assets/{id}/download"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["url"].as_str().unwrap().to_string()
}

fn assetui(base: &str, home: &Path, out: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--base-url")
        .arg(base)
        .arg("download")
        .arg("--out")
        .arg(out)
        .args(args)
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"));
    c
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let large_mib = args.first().copied().unwrap_or(1024);
    let small = args.get(1).copied().unwrap_or(2000);
    // `large`, `b2b`, `one`, `many`: only those cases (all by default)
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a.parse::<u64>().is_err() && !a.starts_with('-'))
        .collect();
    let runs = |case: &str| only.is_empty() || only.iter().any(|o| o == case);
    let (big, smalls) = (format!("{large_mib}MiB"), format!("{small}:64KiB"));
    let srv = served::serve(BIN, &["--large-asset", &big, "--small-assets", &smalls]);
    let work = tempfile::tempdir_in(".").unwrap();
    let home = work.path().join("home");
    let size = large_mib as f64 * 1024.0 * 1024.0;
    if runs("large") {
        large(&srv, &work, &home, large_mib, size);
    }
    if runs("b2b") {
        back_to_back(&srv, &work, &home, size);
    }
    if runs("one") {
        one_small(&srv, &work, &home);
    }
    if runs("many") {
        many_small(&srv, &work, &home, small);
    }
    if runs("eight") {
        drop(srv);
        eight_at_once(&work, &home);
    }
}

/// Eight files of 256 MiB at once: `assetui download --jobs 8` against
/// `curl --parallel --parallel-max 8` (links fetched beforehand), from
/// their own server, alternating, each run deleting its own previous
/// output first.
fn eight_at_once(work: &tempfile::TempDir, home: &Path) {
    const MIB: u64 = 256;
    let srv = served::serve(
        BIN,
        &[
            "--large-asset",
            "1MiB",
            "--small-assets",
            &format!("8:{MIB}MiB"),
        ],
    );
    let ids: Vec<String> = (0..8).map(|i| format!("asset_SmallFile{i:013}")).collect();
    let total = (8 * MIB) as f64;
    println!("\n# eight files of {MIB} MiB at once, {RUNS} rounds, alternating");
    println!("| round | load | curl --parallel-max 8 (links ready) | assetui download --jobs 8 | share of curl | assetui peak RSS |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let (curl_out, ours_out) = (
        work.path().join("eight-curl"),
        work.path().join("eight-assetui"),
    );
    for round in 1..=RUNS {
        let before = load();
        let mut cfg = tempfile::NamedTempFile::new().unwrap();
        for id in &ids {
            let url = link(&srv.base, id);
            writeln!(
                cfg,
                "url = \"{url}\"\noutput = \"{}/{id}.bin\"",
                curl_out.display()
            )
            .unwrap();
        }
        let _ = std::fs::remove_dir_all(&curl_out);
        std::fs::create_dir_all(&curl_out).unwrap();
        let (c, _) = timed(
            Command::new("curl")
                .args(["-s", "--parallel", "--parallel-max", "8", "-K"])
                .arg(cfg.path()),
        );
        let _ = std::fs::remove_dir_all(&ours_out);
        std::fs::create_dir_all(&ours_out).unwrap();
        let mut args = vec!["--jobs", "8"];
        args.extend(ids.iter().map(String::as_str));
        let (o, m) = timed(&mut assetui(&srv.base, home, &ours_out, &args));
        println!(
            "| {round} | {before} | {c:.2} s, {:.0} MiB/s | {o:.2} s, {:.0} MiB/s | {:.0} % | {:.1} MiB |",
            total / c,
            total / o,
            c / o * 100.0,
            m as f64 / 1024.0
        );
    }
}

/// One large file, alternating curl, curl + sync and assetui.
fn large(srv: &served::Server, work: &tempfile::TempDir, home: &Path, large_mib: u64, size: f64) {
    println!(
        "# one file of {large_mib} MiB, {RUNS} runs each, alternating (load {})",
        load()
    );
    let (mut curl_t, mut curl_m, mut ours_t, mut ours_m) = (vec![], vec![], vec![], vec![]);
    // the same durable work: curl, then the file synced to disk (assetui
    // syncs before it renames, as a download that survives a crash must)
    let mut synced_t = vec![];
    for _ in 0..RUNS {
        let out = work.path().join("large");
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).unwrap();
        let url = link(&srv.base, "asset_LargeFile0000000000000");
        let (t, m) = timed(
            Command::new("curl")
                .args(["-s", "-o"])
                .arg(out.join("curl.bin"))
                .arg(&url),
        );
        curl_t.push(t);
        curl_m.push(m as f64);
        std::fs::remove_file(out.join("curl.bin")).unwrap();
        let (t, _) = timed(
            Command::new("sh")
                .arg("-c")
                .arg(r#"curl -s -o "$1" "$2" && sync "$1""#)
                .arg("sh")
                .arg(out.join("curl.bin"))
                .arg(&url),
        );
        synced_t.push(t);
        std::fs::remove_file(out.join("curl.bin")).unwrap();
        let (t, m) = timed(&mut assetui(
            &srv.base,
            home,
            &out,
            &["asset_LargeFile0000000000000"],
        ));
        ours_t.push(t);
        ours_m.push(m as f64);
    }
    let (ct, ot) = (median(curl_t), median(ours_t));
    println!("| tool | median time | throughput | peak RSS |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| curl -o | {ct:.2} s | {:.0} MiB/s | {:.1} MiB |",
        size / ct / 1048576.0,
        median(curl_m) / 1024.0
    );
    let st = median(synced_t);
    println!(
        "| curl -o, then sync FILE | {st:.2} s | {:.0} MiB/s | |",
        size / st / 1048576.0,
    );
    println!(
        "| assetui download | {ot:.2} s | {:.0} MiB/s ({:.0} % of curl, {:.0} % of curl + sync) | {:.1} MiB |",
        size / ot / 1048576.0,
        ct / ot * 100.0,
        st / ot * 100.0,
        median(ours_m) / 1024.0
    );
}

/// One small file: what a single download costs end to end (process,
/// asset, link, file, syncs, journal) next to curl with a ready link.
fn one_small(srv: &served::Server, work: &tempfile::TempDir, home: &Path) {
    let one = "asset_SmallFile0000000000000";
    let url = link(&srv.base, one);
    let (mut curl_one, mut ours_one) = (vec![], vec![]);
    for run in 0..5 {
        let out = work.path().join(format!("one-{run}"));
        std::fs::create_dir_all(&out).unwrap();
        curl_one.push(
            timed(
                Command::new("curl")
                    .args(["-s", "-o"])
                    .arg(out.join("curl.bin"))
                    .arg(&url),
            )
            .0,
        );
        ours_one.push(timed(&mut assetui(&srv.base, home, &out, &[one])).0);
    }
    println!("\n# one file of 64 KiB, 5 runs each, medians");
    println!(
        "| curl -o (link ready) | {:.0} ms |\n| assetui download (asset + link + file) | {:.0} ms |",
        median(curl_one) * 1000.0,
        median(ours_one) * 1000.0
    );
}

/// Many small files at concurrency 8.
fn many_small(srv: &served::Server, work: &tempfile::TempDir, home: &Path, small: u64) {
    println!(
        "\n# {small} files of 64 KiB at concurrency 8 (load {})",
        load()
    );
    let ids: Vec<String> = (0..small)
        .map(|i| format!("asset_SmallFile{i:013}"))
        .collect();
    let t = Instant::now();
    let links: Vec<String> = ids.iter().map(|id| link(&srv.base, id)).collect();
    let linking = t.elapsed();
    let mut cfg = tempfile::NamedTempFile::new().unwrap();
    let curl_out = work.path().join("small-curl");
    for (id, url) in ids.iter().zip(&links) {
        writeln!(
            cfg,
            "url = \"{url}\"\noutput = \"{}/{id}.bin\"",
            curl_out.display()
        )
        .unwrap();
    }
    let mut args = vec!["--jobs", "8"];
    args.extend(ids.iter().map(String::as_str));
    println!(
        "(links for curl fetched one by one beforehand: {:.1} s)",
        linking.as_secs_f64()
    );
    println!("| round | load | curl --parallel (links ready) | assetui download --jobs 8 (asset + link + file + fsync + journal each) | assetui peak RSS |");
    println!("| --- | --- | --- | --- | --- |");
    for round in 1..=RUNS {
        let before = load();
        let _ = std::fs::remove_dir_all(&curl_out);
        std::fs::create_dir_all(&curl_out).unwrap();
        let (curl_small, _) = timed(
            Command::new("curl")
                .args(["-s", "--parallel", "--parallel-max", "8", "-K"])
                .arg(cfg.path()),
        );
        let out = work.path().join("small-assetui");
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).unwrap();
        let (ours_small, ours_small_m) = timed(&mut assetui(&srv.base, home, &out, &args));
        let count = std::fs::read_dir(&out).unwrap().count();
        assert_eq!(count as u64, small, "every file written");
        println!(
            "| {round} | {before} | {curl_small:.2} s, {:.0} files/s | {ours_small:.2} s, {:.0} files/s | {:.1} MiB |",
            small as f64 / curl_small,
            small as f64 / ours_small,
            ours_small_m as f64 / 1024.0
        );
    }
}

/// The 1-minute load average, for the figures' context.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// One large file fetched back to back: five pairs, `assetui download`
/// then `curl -o`, each deleting its own previous output just before it
/// runs (untimed) and neither syncing anything for the other.
fn back_to_back(srv: &served::Server, work: &tempfile::TempDir, home: &Path, size: f64) {
    const PAIRS: usize = 5;
    println!(
        "\n# the same file back to back, {PAIRS} pairs, each run deleting its own previous output"
    );
    println!("| pair | load | assetui download | curl -o | share of curl |");
    println!("| --- | --- | --- | --- | --- |");
    let (ours_dir, curl_dir) = (
        work.path().join("b2b-assetui"),
        work.path().join("b2b-curl"),
    );
    std::fs::create_dir_all(&curl_dir).unwrap();
    let (mut ours, mut curl) = (vec![], vec![]);
    for pair in 1..=PAIRS {
        let before = load();
        let _ = std::fs::remove_dir_all(&ours_dir);
        std::fs::create_dir_all(&ours_dir).unwrap();
        let (o, _) = timed(&mut assetui(
            &srv.base,
            home,
            &ours_dir,
            &["asset_LargeFile0000000000000"],
        ));
        let url = link(&srv.base, "asset_LargeFile0000000000000");
        let _ = std::fs::remove_file(curl_dir.join("curl.bin"));
        let (c, _) = timed(
            Command::new("curl")
                .args(["-s", "-o"])
                .arg(curl_dir.join("curl.bin"))
                .arg(&url),
        );
        println!(
            "| {pair} | {before} | {o:.2} s | {c:.2} s | {:.0} % |",
            c / o * 100.0
        );
        ours.push(o);
        curl.push(c);
    }
    let (o, c) = (median(ours), median(curl));
    println!(
        "| median | {} | {o:.2} s, {:.0} MiB/s | {c:.2} s, {:.0} MiB/s | {:.0} % |",
        load(),
        size / o / 1048576.0,
        size / c / 1048576.0,
        c / o * 100.0
    );
}
