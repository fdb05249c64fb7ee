//! Uploads through the presigned multipart flow against `curl -T`, on
//! the same file and the same demo server (`assetui serve` as its own
//! process), alternating, several runs:
//!
//! - `curl -T FILE PART_URL`: the bytes alone, as one part of an upload
//!   created beforehand (not timed), the same server code taking them;
//! - `assetui upload FILE`: the whole command (sniff, `POST /uploads`,
//!   the parts streamed from disk 4 at a time, `complete`, polling until
//!   `imported`, the new asset fetched).
//!
//! Wall time, throughput and peak resident memory of each; after each run
//! the new asset is deleted so the server's upload quota stays free.
//!
//! Run: `cargo bench --bench upload [-- SIZE_MIB]` (default 200).
//! Results go to BENCHMARKS.md by hand (they depend on the machine).

#[path = "support/served.rs"]
mod served;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_assetui");
const RUNS: usize = 5;

/// Runs `cmd` under `/usr/bin/time`: (wall seconds, peak RSS in KiB,
/// stdout).
fn timed(cmd: &mut Command) -> (f64, u64, String) {
    let report = tempfile::NamedTempFile::new().unwrap();
    let mut full = Command::new("/usr/bin/time");
    full.arg("-f")
        .arg("%e %M")
        .arg("-o")
        .arg(report.path())
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .stderr(Stdio::null());
    let t = Instant::now();
    let out = full.output().expect("/usr/bin/time runs");
    let wall = t.elapsed().as_secs_f64();
    assert!(out.status.success(), "{cmd:?} failed");
    let text = std::fs::read_to_string(report.path()).unwrap();
    let rss = text
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (wall, rss, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn curl_json(method: &str, url: &str, body: &serde_json::Value) -> serde_json::Value {
    let out = Command::new("curl")
        .args([
            "-s",
            "-X",
            method,
            "-H",
            "content-type: application/json",
            "-d",
        ])
        .arg(body.to_string())
        .arg(url)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

fn delete(base: &str, id: &str) {
    curl_json(
        "DELETE",
        &format!("{base}/assets"),
        &serde_json::json!({ "assetIds": [id] }),
    );
}

/// Completes an upload made by curl and waits for its import; its asset.
fn finish(base: &str, id: &str) -> String {
    curl_json(
        "POST",
        &format!("{base}/uploads/{id}/action"),
        &serde_json::json!({"action": "complete"}),
    );
    loop {
        let out = Command::new("curl")
            .arg("-s")
            .arg(format!("{base}/uploads/{id}"))
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        match v["upload"]["status"].as_str() {
            Some("imported") => return v["upload"]["entityId"].as_str().unwrap().to_string(),
            Some("failed") => panic!("the upload failed: {v}"),
            _ => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let mib: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200);
    let srv = served::serve(BIN, &[]);
    let work = tempfile::tempdir_in(".").unwrap();
    let home = work.path().join("home");
    let path = work.path().join("take.wav");
    // a WAV header, then bytes that do not compress
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        f.write_all(b"RIFF\0\0\0\0WAVEfmt ").unwrap();
        let mut rng = fastrand::Rng::with_seed(17);
        let mut block = vec![0u8; 1 << 20];
        let total = mib << 20;
        let mut written = 16u64;
        while written < total {
            rng.fill(&mut block);
            let n = (total - written).min(block.len() as u64) as usize;
            f.write_all(&block[..n]).unwrap();
            written += n as u64;
        }
    }
    let size = (mib << 20) as f64;
    println!("# one file of {mib} MiB, {RUNS} runs each, alternating");
    let (mut curl_t, mut curl_m, mut ours_t, mut ours_m) = (vec![], vec![], vec![], vec![]);
    for _ in 0..RUNS {
        let created = curl_json(
            "POST",
            &format!("{}/uploads", srv.base),
            &serde_json::json!({"fileName": "take.wav", "contentType": "audio/wav",
                "kind": "audio", "fileSize": mib << 20, "parts": 1}),
        );
        let id = created["upload"]["id"]
            .as_str()
            .expect("upload created")
            .to_string();
        let url = created["upload"]["parts"][0]["url"]
            .as_str()
            .unwrap()
            .to_string();
        let (t, m, _) = timed(
            Command::new("curl")
                .args(["-s", "-f", "-T"])
                .arg(&path)
                .arg(&url),
        );
        curl_t.push(t);
        curl_m.push(m as f64);
        let asset = finish(&srv.base, &id);
        delete(&srv.base, &asset);

        let (t, m, out) = timed(
            Command::new(BIN)
                .arg("--base-url")
                .arg(&srv.base)
                .args(["upload", "--json"])
                .arg(&path)
                .env("HOME", &home)
                .env("XDG_STATE_HOME", home.join("state")),
        );
        ours_t.push(t);
        ours_m.push(m as f64);
        let v: serde_json::Value = serde_json::from_str(&out).expect("JSON out");
        delete(&srv.base, v[0]["id"].as_str().unwrap());
    }
    let fmt = |v: &[f64]| {
        let lo = v.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = v.iter().cloned().fold(0.0, f64::max);
        format!("{lo:.2}-{hi:.2} s")
    };
    let (ct, ot) = (median(curl_t.clone()), median(ours_t.clone()));
    println!("| tool | time (range) | median throughput | peak RSS (median) |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| curl -T (the part alone) | {} | {:.0} MiB/s | {:.1} MiB |",
        fmt(&curl_t),
        size / ct / 1048576.0,
        median(curl_m) / 1024.0
    );
    println!(
        "| assetui upload (whole flow) | {} | {:.0} MiB/s ({:.0} % of curl) | {:.1} MiB |",
        fmt(&ours_t),
        size / ot / 1048576.0,
        ct / ot * 100.0,
        median(ours_m) / 1024.0
    );
}
