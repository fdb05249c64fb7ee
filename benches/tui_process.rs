//! The browser as a user runs it: the release binary in a pseudo-terminal.
//!
//! - start to first frame (demo mode), 20 runs, with half blocks and with
//!   the default auto (terminal not answering; first start and remembered);
//! - key to frame while thumbnails load (`serve --scale 2000 --latency 20`),
//!   300 presses of `j`, each timed from the write to the end of the first
//!   frame that shows the cursor moved; and the same while a 16 GiB
//!   download runs;
//! - memory after paging through 10 000 assets with thumbnails
//!   (`--scale 10000`);
//! - idle: bytes written and CPU time during 3 s without input;
//! - offline-first start: the first row on screen with 100 000 assets in
//!   the library index against `serve --latency 2000`, next to the same
//!   start without an index (which waits for the list's answer).
//!
//! `cargo bench --bench tui_process` prints a markdown table. Under
//! `cargo test --benches` it does nothing.

#[path = "../tests/suite/support/pty.rs"]
mod pty;

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pty::Pty;

const BIN: &str = env!("CARGO_BIN_EXE_assetui");
const T: Duration = Duration::from_secs(60);
const FRAME_END: &[u8] = b"\x1b[?2026l";

fn main() {
    // cargo bench passes --bench; cargo test runs bench targets without it
    if !std::env::args().any(|a| a == "--bench") {
        println!("tui_process: run with `cargo bench --bench tui_process`");
        return;
    }
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wants = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));

    let mut rows: Vec<(String, String)> = Vec::new();
    if wants("start") {
        start_to_first_frame(&mut rows);
    }
    if wants("key") {
        key_to_frame(&mut rows);
    }
    // `-- key` runs this too; `-- key-download` only this
    if wants("key-download") {
        key_while_downloading(&mut rows);
    }
    if wants("twelvelabs") {
        key_to_frame_twelvelabs(&mut rows);
    }
    if wants("memory") {
        memory(&mut rows);
    }
    if wants("idle") {
        idle(&mut rows);
    }
    if wants("offline") {
        offline_start(&mut rows);
    }

    println!();
    println!("machine: {} CPUs, {}", nproc(), cpu_model());
    println!("binary: {BIN}");
    println!();
    println!("| measure | result |");
    println!("| --- | --- |");
    for (k, v) in &rows {
        println!("| {k} | {v} |");
    }
}

// ---------------------------------------------------------------------------

fn env(dir: &Path, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = pty::isolated_env(dir);
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

/// The `q`-th quantile (nearest rank) of sorted durations.
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn summary(mut v: Vec<Duration>) -> String {
    v.sort();
    format!(
        "p50 {} · p99 {} · max {} (n = {})",
        ms(quantile(&v, 0.5)),
        ms(quantile(&v, 0.99)),
        ms(*v.last().unwrap()),
        v.len()
    )
}

/// The cursor and loaded count from the status bar (` 12/50+ list`).
fn position(s: &vt100::Screen) -> Option<(usize, usize)> {
    let (_, cols) = s.size();
    let line = s.rows(0, cols).last()?;
    line.split_whitespace().find_map(|w| {
        let (a, b) = w.split_once('/')?;
        let a = a.parse().ok()?;
        let b = b.trim_end_matches('+').parse().ok()?;
        Some((a, b))
    })
}

fn quit(p: &mut Pty) {
    p.send("q");
    let status = p.wait_exit(T).expect("the browser quits");
    assert!(status.success(), "{status:?}");
}

/// `assetui serve` on a free port; its base URL.
struct Server {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        // `setsid` gives the server a session of its own, so Linux's
        // autogroup schedules it apart from the bench (as it does the
        // browser, in the pseudo-terminal's session), as any other program
        // on the machine would be: in the bench's group, its busy threads
        // delayed the bench's own reading of the browser's frames (a child
        // is no group leader: setsid execs in place, the pid stays the
        // server's)
        let mut command = Command::new("setsid");
        command.arg(BIN);
        let mut child = command
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env_clear()
            .envs(pty::isolated_env(dir.path()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start assetui serve");
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("serve said {first:?}"))
            .to_string();
        Server {
            child,
            url,
            _dir: dir,
        }
    }

    /// The browser on TwelveLabs in a pseudo-terminal, talking to this
    /// server (started with `--provider twelvelabs`).
    fn twelvelabs_browser(&self, dir: &Path, cols: u16, rows: u16, images: &str) -> Pty {
        Pty::spawn(
            [
                BIN,
                "--provider",
                "twelvelabs",
                "--image-protocol",
                images,
                "--base-url",
                self.url.as_str(),
            ],
            env(dir, &[("TWELVE_LABS_API_KEY", "tlk_bench")]),
            dir,
            cols,
            rows,
        )
    }

    /// The browser in a pseudo-terminal, talking to this server.
    fn browser(&self, dir: &Path, cols: u16, rows: u16, images: &str) -> Pty {
        Pty::spawn(
            [
                BIN,
                "--image-protocol",
                images,
                "--base-url",
                self.url.as_str(),
            ],
            env(
                dir,
                &[
                    ("SCENARIO_SDK_API_KEY", "k"),
                    ("SCENARIO_SDK_API_SECRET", "s"),
                ],
            ),
            dir,
            cols,
            rows,
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------

fn start_to_first_frame(rows: &mut Vec<(String, String)>) {
    let (frames, names) = start_runs(&["--image-protocol", "halfblocks"], false);
    rows.push((
        "start to first frame (demo, 120×40)".into(),
        summary(frames),
    ));
    rows.push(("start to first asset name".into(), summary(names)));
    // the default: the terminal (the vt100 model answers nothing) is asked
    // after the first frame, for at most 0.5 s, then its silence remembered
    let (frames, names) = start_runs(&[], false);
    rows.push((
        "start to first frame (auto, silent terminal, first start)".into(),
        summary(frames),
    ));
    rows.push((
        "start to first asset name (auto, silent terminal, first start)".into(),
        summary(names),
    ));
    let (frames, names) = start_runs(&[], true);
    rows.push((
        "start to first frame (auto, answers remembered)".into(),
        summary(frames),
    ));
    rows.push((
        "start to first asset name (auto, answers remembered)".into(),
        summary(names),
    ));
}

/// 20 starts with `args`; with `warm`, each in a home whose cache already
/// holds the terminal's answers (one start before, not measured).
fn start_runs(args: &[&str], warm: bool) -> (Vec<Duration>, Vec<Duration>) {
    let mut frames = Vec::new();
    let mut names = Vec::new();
    for _ in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let argv: Vec<&str> = std::iter::once(BIN).chain(args.iter().copied()).collect();
        if warm {
            let mut p = Pty::spawn(&argv, env(dir.path(), &[]), dir.path(), 120, 40);
            p.wait_for_raw("the first asset's name", 0, T, |b| {
                pty::find(b, b"Glass chime").is_some()
            })
            .unwrap();
            quit(&mut p);
        }
        let mut p = Pty::spawn(&argv, env(dir.path(), &[]), dir.path(), 120, 40);
        p.wait_for_raw("the first asset's name", 0, T, |b| {
            pty::find(b, b"Glass chime").is_some()
        })
        .unwrap();
        let inner = p.lock();
        let border = pty::find(&inner.raw, b" Assets ").expect("the list border");
        let end = border + pty::find(&inner.raw[border..], FRAME_END).expect("the frame's end");
        let name = pty::find(&inner.raw, b"Glass chime").unwrap();
        frames.push(inner.arrival(end).unwrap() - p.spawned_at());
        names.push(inner.arrival(name).unwrap() - p.spawned_at());
        drop(inner);
        quit(&mut p);
    }
    (frames, names)
}

/// Issue 19's aim: the first rows on screen within 100 ms of start
/// against `serve --latency 2000` with 100 000 assets in the index. Runs
/// alternate with the reference, the same start without an index, which
/// waits for the first page (2 s of latency).
fn offline_start(rows: &mut Vec<(String, String)>) {
    use assetui::library_index::{LibraryKey, Local, Writer, FILE};
    let server = Server::start(&["--latency", "2000"]);
    let indexed = tempfile::tempdir().unwrap();
    let local = Local::new(
        &indexed.path().join("cache").join("assetui").join(FILE),
        assetui::provider::ProviderKind::Scenario,
        LibraryKey::new("scenario", &server.url, None),
    );
    let writer = Writer::start(&local, 100_000).unwrap();
    let filled = Instant::now();
    for chunk in 0..100 {
        let views = (0..1000)
            .map(|i| {
                let n = chunk * 1000 + i;
                let asset: assetui::api::models::Asset = serde_json::from_value(serde_json::json!({
                    "id": format!("asset_{n:06}"),
                    "kind": "image",
                    "createdAt": format!("2025-{:02}-{:02}T00:00:{:02}.000Z", 1 + n % 12, 1 + n % 28, n % 60),
                    "updatedAt": "2025-01-01T00:00:00.000Z",
                    "metadata": {"name": format!("indexed asset {n}"), "type": "inference-txt2img",
                                 "prompt": "a lighthouse on a cliff at dusk, volumetric fog"},
                    "tags": ["bench", "index"],
                    "properties": {"width": 1024, "height": 1024, "size": 123456}
                }))
                .unwrap();
                assetui::provider::AssetView::from(asset)
            })
            .collect();
        writer.seen(views);
    }
    writer.flush();
    drop(writer);
    eprintln!("index of 100 000 filled in {:?}", filled.elapsed());
    // the newest row: what the first frame shows first
    let top = local.page(None, 1).unwrap().items[0].list_name.clone();
    // the part the UI task does before the first frame: open the file and
    // read one page of 100 in the index's order
    let reads: Vec<Duration> = (0..20)
        .map(|_| {
            let t = Instant::now();
            let page = local.page(None, assetui::library_index::PAGE).unwrap();
            assert_eq!(page.items.len(), assetui::library_index::PAGE);
            t.elapsed()
        })
        .collect();
    // the server's first asset: what the reference waits for
    let first_listed = {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let c = assetui::api::Client::new(assetui::api::ClientOptions::new(server.url.clone()))
                .unwrap();
            let page = c.list_assets_page(&Default::default()).await.unwrap();
            page.assets[0].name().unwrap_or_default().to_string()
        })
    };
    let mut cached = Vec::new();
    let mut reference = Vec::new();
    let mut fresh_homes = Vec::new();
    for _ in 0..10 {
        let fresh = tempfile::tempdir().unwrap();
        let fresh_path = fresh.path().to_path_buf();
        fresh_homes.push(fresh);
        for (dir, name, into) in [
            (indexed.path().to_path_buf(), top.as_str(), &mut cached),
            (fresh_path, first_listed.as_str(), &mut reference),
        ] {
            let mut p = server.browser(&dir, 120, 40, "none");
            p.wait_for_raw("the first row", 0, T, |b| {
                pty::find(b, name.as_bytes()).is_some()
            })
            .unwrap();
            let inner = p.lock();
            let at = pty::find(&inner.raw, name.as_bytes()).unwrap();
            into.push(inner.arrival(at).unwrap() - p.spawned_at());
            drop(inner);
            quit(&mut p);
        }
    }
    let range = |mut v: Vec<Duration>| {
        v.sort();
        format!(
            "{} – {} (median {}, n = {})",
            ms(v[0]),
            ms(*v.last().unwrap()),
            ms(quantile(&v, 0.5)),
            v.len()
        )
    };
    rows.push((
        "the index's first page of 100 at 100 000 assets (open + read + views)".into(),
        range(reads),
    ));
    rows.push((
        "offline-first start: first row, 100 000 assets in the index (serve --latency 2000)".into(),
        range(cached),
    ));
    rows.push((
        "reference: the same start without an index (the first page's answer)".into(),
        range(reference),
    ));
}

fn key_to_frame(rows: &mut Vec<(String, String)>) {
    let server = Server::start(&["--scale", "2000", "--latency", "20"]);
    // back to back: each press as soon as the previous frame arrived (the
    // 8 ms frame limit then counts); then at a keyboard's repeat rate
    let paced = Some(Duration::from_millis(33));
    for (gap, images) in [(None, "halfblocks"), (paced, "halfblocks"), (paced, "none")] {
        let dir = tempfile::tempdir().unwrap();
        let mut p = server.browser(dir.path(), 120, 40, images);
        let (latencies, mut bytes) = press_j(&mut p, 300, gap);
        bytes.sort();
        let how = match gap {
            None => "back to back".to_string(),
            Some(g) => format!("one every {} ms", g.as_millis()),
        };
        rows.push((
            format!("key to frame, `j` ×300 {how} (serve --scale 2000 --latency 20, {images})"),
            summary(latencies),
        ));
        rows.push((
            format!("bytes written per key, {how}, {images} (median · max)"),
            format!("{} B · {} B", bytes[bytes.len() / 2], bytes.last().unwrap()),
        ));
        quit(&mut p);
    }
}

/// Key to frame at a keyboard's repeat rate while a 16 GiB download runs:
/// its transfer, the server streaming it and the disk syncing share the
/// two cores with the UI. Three runs (each a fresh browser and download),
/// so the tail is not one run's luck. A browse of the same rows comes
/// first, unmeasured: the demo server draws each thumbnail on its first
/// request, a burst of its CPU that the live service (thumbnails rendered
/// beforehand, on a CDN) never puts on the user's machine.
fn key_while_downloading(rows: &mut Vec<(String, String)>) {
    let paced = Some(Duration::from_millis(33));
    let server = Server::start(&[
        "--scale",
        "2000",
        "--latency",
        "20",
        "--large-asset",
        "16GiB",
    ]);
    {
        let dir = tempfile::tempdir().unwrap();
        let mut p = server.browser(dir.path(), 120, 40, "halfblocks");
        press_j(&mut p, 300, paced);
        quit(&mut p);
    }
    for run in 1..=3 {
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let load = load.split_whitespace().next().unwrap_or("?").to_string();
        let dir = tempfile::tempdir_in(".").unwrap();
        // where the browser downloads when the config names no directory
        std::fs::create_dir(dir.path().join("Downloads")).unwrap();
        let mut p = server.browser(dir.path(), 120, 40, "halfblocks");
        let part = start_large_download(&mut p, dir.path());
        let (latencies, _) = press_j(&mut p, 300, paced);
        let running = part.exists();
        let row = (
            format!(
                "key to frame, `j` ×300 one every 33 ms, halfblocks, while a 16 GiB download runs, run {run} (load {load}){}",
                if running {
                    ""
                } else {
                    " (it ended before the last press)"
                }
            ),
            summary(latencies),
        );
        // as it comes: a later run's failure does not lose it
        println!("| {} | {} |", row.0, row.1);
        rows.push(row);
        if running {
            // the quit question while a transfer runs: yes
            p.send("q");
            p.wait_for("the quit question", T, |s| s.contents().contains("quit?"))
                .unwrap();
            p.send("y");
            let status = p.wait_exit(T).expect("the browser quits");
            assert!(status.success(), "{status:?}");
        } else {
            quit(&mut p);
        }
    }
}

/// Key to frame on the TwelveLabs server (`--scale 2000 --latency 20`):
/// its numbered pages of 50, its thumbnails.
fn key_to_frame_twelvelabs(rows: &mut Vec<(String, String)>) {
    let server = Server::start(&[
        "--provider",
        "twelvelabs",
        "--scale",
        "2000",
        "--latency",
        "20",
    ]);
    // paced only: TwelveLabs' status bar shows the total, not what is
    // loaded, so presses back to back could outrun a page with no way for
    // this bench to see it
    let paced = Some(Duration::from_millis(33));
    for (gap, images) in [(paced, "halfblocks"), (paced, "none")] {
        let dir = tempfile::tempdir().unwrap();
        let mut p = server.twelvelabs_browser(dir.path(), 120, 40, images);
        let (latencies, _) = press_j(&mut p, 300, gap);
        let how = match gap {
            None => "back to back".to_string(),
            Some(g) => format!("one every {} ms", g.as_millis()),
        };
        rows.push((
            format!(
                "TwelveLabs: key to frame, `j` ×300 {how} (serve --provider twelvelabs --scale 2000 --latency 20, {images})"
            ),
            summary(latencies),
        ));
        quit(&mut p);
    }
}

/// Finds the large asset with the search box, queues it with `d` and goes
/// back to the list once its `.part` exists; returns the `.part`'s path.
fn start_large_download(p: &mut Pty, home: &Path) -> std::path::PathBuf {
    p.wait_for("the first page", T, |s| {
        position(s).is_some_and(|(a, b)| a == 1 && b >= 50)
    })
    .unwrap();
    p.send("/");
    p.send("large-file");
    p.send("\r");
    p.wait_for("the search results", T, |s| {
        let (_, cols) = s.size();
        let status = s.rows(0, cols).last().unwrap_or_default();
        status.contains("result") && s.contents().contains("▌")
    })
    .unwrap();
    p.send("d");
    // the item's own partial file, `asset_LargeFile….XXXXXX.part`
    let downloads = home.join("Downloads");
    let find = || {
        std::fs::read_dir(&downloads).ok()?.find_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            (name.starts_with("asset_LargeFile0000000000000.") && name.ends_with(".part"))
                .then(|| downloads.join(name))
        })
    };
    let deadline = Instant::now() + T;
    let part = loop {
        if let Some(part) = find() {
            break part;
        }
        assert!(
            Instant::now() < deadline,
            "the download never started: {}",
            p.lock().parser.screen().contents()
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    p.send("\x1b");
    part
}

/// Presses `j` `count` times, each after the frame for the one before (and
/// `gap` after the one before, if given); returns the time from each write
/// to the end of the first frame that shows the cursor moved, and the bytes
/// written in between.
fn press_j(p: &mut Pty, count: usize, gap: Option<Duration>) -> (Vec<Duration>, Vec<usize>) {
    p.wait_for("the first page", T, |s| {
        position(s).is_some_and(|(a, b)| a == 1 && b >= 50)
    })
    .unwrap();
    // a screen model of our own, fed frame by frame, to find the first
    // frame that shows the cursor moved
    let mut model = vt100::Parser::new(40, 120, 0);
    let mut fed = 0;
    let mut latencies = Vec::new();
    let mut bytes_per_key = Vec::new();
    let mut last_sent: Option<Instant> = None;
    for n in 1..=count {
        {
            let inner = p.lock();
            model.process(&inner.raw[fed..]);
            fed = inner.raw.len();
        }
        // at the end of what is loaded `j` has nowhere to go: wait for the
        // next page (this measures keys, not page loads)
        if position(model.screen()).is_some_and(|(a, b)| a >= b) {
            p.wait_until("the next page", T, |inner| {
                model.process(&inner.raw[fed..]);
                fed = inner.raw.len();
                position(model.screen()).is_some_and(|(a, b)| b > a)
            })
            .unwrap();
        }
        if let (Some(gap), Some(last)) = (gap, last_sent) {
            std::thread::sleep(gap.saturating_sub(last.elapsed()));
        }
        let from = fed;
        let sent = Instant::now();
        last_sent = Some(sent);
        p.send("j");
        let mut frame_end = None;
        p.wait_until(&format!("the frame for press {n}"), T, |inner| {
            while let Some(i) = pty::find(&inner.raw[fed..], FRAME_END) {
                let end = fed + i + FRAME_END.len();
                model.process(&inner.raw[fed..end]);
                fed = end;
                if position(model.screen()).is_some_and(|(a, _)| a == n + 1) {
                    frame_end = Some(end - 1);
                    return true;
                }
            }
            false
        })
        .unwrap();
        let at = p.lock().arrival(frame_end.unwrap()).unwrap();
        latencies.push(at - sent);
        bytes_per_key.push(fed - from);
    }
    (latencies, bytes_per_key)
}

fn proc_status(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib = |key: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (kib("VmRSS:"), kib("VmHWM:"))
}

fn memory(rows: &mut Vec<(String, String)>) {
    let server = Server::start(&["--scale", "10000"]);
    let dir = tempfile::tempdir().unwrap();
    let mut p = server.browser(dir.path(), 120, 40, "halfblocks");
    p.wait_for("the first page", T, |s| {
        position(s).is_some_and(|(a, b)| a == 1 && b >= 50)
    })
    .unwrap();
    // page down through the whole list, a page every 60 ms: each page's
    // thumbnails are asked for, most arrive before the next press (the
    // rest are cancelled as they scroll away, as for a user)
    let started = Instant::now();
    let mut presses = 0;
    loop {
        let (a, b) = position(p.lock().parser.screen()).unwrap();
        if a >= 10_000 {
            break;
        }
        if b > a {
            p.send("\x1b[6~");
            presses += 1;
            p.wait_for("the cursor to move a page", T, |s| {
                position(s).is_some_and(|(a2, _)| a2 > a)
            })
            .unwrap();
            std::thread::sleep(Duration::from_millis(60));
        } else {
            p.wait_for("the next page", T, |s| {
                position(s).is_some_and(|(_, b2)| b2 > a)
            })
            .unwrap();
        }
    }
    let walked = started.elapsed();
    let (rss, hwm) = proc_status(p.pid());
    let thumbnails = count_files(&dir.path().join("cache"));
    rows.push((
        "memory after paging through 10 000 assets with thumbnails (serve --scale 10000, halfblocks, 120×40)".into(),
        format!(
            "VmRSS {:.1} MiB · VmHWM {:.1} MiB ({} × PgDn in {:.1} s; {} renditions fetched and cached)",
            rss as f64 / 1024.0,
            hwm as f64 / 1024.0,
            presses,
            walked.as_secs_f64(),
            thumbnails
        ),
    ));
    quit(&mut p);
}

/// Regular files under `dir`, recursively.
fn count_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => count_files(&e.path()),
            Ok(t) if t.is_file() => 1,
            _ => 0,
        })
        .sum()
}

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // the command name may hold spaces: fields start after the last ')'
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // fields 14 and 15 of the whole line are 12 and 13 after the name
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// CPU time of all threads in nanoseconds, and their context switches
/// (wake-ups), from `/proc/PID/task/*/{schedstat,status}`.
fn threads_cpu_and_switches(pid: u32) -> (u64, u64) {
    let mut ns = 0;
    let mut switches = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .flatten()
    {
        let path = task.path();
        if let Ok(s) = std::fs::read_to_string(path.join("schedstat")) {
            ns += s
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
        if let Ok(s) = std::fs::read_to_string(path.join("status")) {
            for l in s.lines() {
                if let Some(v) = l
                    .strip_prefix("voluntary_ctxt_switches:")
                    .or_else(|| l.strip_prefix("nonvoluntary_ctxt_switches:"))
                {
                    switches += v.trim().parse::<u64>().unwrap_or(0);
                }
            }
        }
    }
    (ns, switches)
}

fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

fn idle(rows: &mut Vec<(String, String)>) {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Pty::spawn(
        [BIN, "--image-protocol", "halfblocks"],
        env(dir.path(), &[]),
        dir.path(),
        120,
        40,
    );
    p.wait_for_text("Glass chime", T).unwrap();
    // settled: nothing written for half a second (thumbnails and the
    // first asset's details have arrived)
    let quiet = Duration::from_millis(500);
    let deadline = Instant::now() + T;
    while p.lock().last_output.is_some_and(|at| at.elapsed() < quiet) {
        assert!(Instant::now() < deadline, "the browser never settles");
        std::thread::sleep(Duration::from_millis(50));
    }
    let bytes0 = p.output_len();
    let cpu0 = cpu_ticks(p.pid());
    let (ns0, switches0) = threads_cpu_and_switches(p.pid());
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs(3));
    let bytes = p.output_len() - bytes0;
    let cpu = cpu_ticks(p.pid()) - cpu0;
    let (ns1, switches1) = threads_cpu_and_switches(p.pid());
    let secs = t0.elapsed().as_secs_f64();
    let cpu_ms = cpu as f64 * 1000.0 / clock_ticks_per_second() as f64;
    let sched_ms = (ns1 - ns0) as f64 / 1e6;
    rows.push((
        "idle for 3 s after the first screen settled (demo, halfblocks)".into(),
        format!(
            "{bytes} bytes written · CPU {cpu_ms:.0} ms by /proc/PID/stat, {sched_ms:.2} ms by \
             schedstat ({:.3} % of one core) · {} thread wake-ups",
            sched_ms / 10.0 / secs,
            switches1 - switches0
        ),
    ));
    quit(&mut p);
}

fn nproc() -> String {
    std::thread::available_parallelism()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}
