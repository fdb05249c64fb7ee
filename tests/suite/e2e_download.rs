//! Downloads as a person at a terminal sees them, with the real binary in
//! a pseudo-terminal: `assetui download` draws its progress there (and
//! never in a pipe), and a download killed with SIGKILL is carried on by
//! the next start of the browser, from where the journal says,
//! byte-identical, without fetching it all again.

use crate::support::pty;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use pty::Pty;

use assetui::server::generated::{file_matches, LARGE_ID, LARGE_SEED};
use assetui::server::{self, ServerConfig};

const T: Duration = Duration::from_secs(60);
const BIN: &str = env!("CARGO_BIN_EXE_assetui");
/// Large next to what a kill can lose (64 MiB unsynced at most).
const SIZE: u64 = 512 << 20;

/// The demo server with the large asset, on a runtime of its own (the
/// pseudo-terminal's waits block this thread).
fn large_server() -> (tokio::runtime::Runtime, server::Running) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let srv = rt
        .block_on(server::start(ServerConfig {
            large_asset: Some(SIZE),
            ..Default::default()
        }))
        .expect("demo server starts");
    (rt, srv)
}

/// A progress bar: `[` and 20 of `#` or `.`, then `]`.
fn has_bar(text: &str) -> bool {
    text.match_indices('[').any(|(at, _)| {
        let bar = text.as_bytes().get(at + 1..at + 22);
        bar.is_some_and(|b| b[20] == b']' && b[..20].iter().all(|c| *c == b'#' || *c == b'.'))
    })
}

#[test]
fn download_draws_progress_on_a_terminal_and_none_in_a_pipe() {
    let (_rt, srv) = large_server();
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("out");
    let out_s = out.to_str().unwrap();
    let p = Pty::spawn(
        [
            BIN,
            "--base-url",
            &srv.base_url,
            "download",
            "--out",
            out_s,
            LARGE_ID,
        ],
        pty::isolated_env(home.path()),
        home.path(),
        100,
        30,
    );
    let status = p.wait_exit(T).unwrap();
    assert!(status.success(), "{status:?}");
    let (raw, screen) = {
        let inner = p.lock();
        let raw = String::from_utf8_lossy(&inner.raw).into_owned();
        (raw, inner.parser.screen().contents())
    };
    // while it ran: a bar for the file and the total line
    assert!(has_bar(&raw), "no progress bar drawn: {raw:?}");
    assert!(raw.contains("0/1 done"), "{raw:?}");
    // at the end: the block erased, the file's path and the summary left
    assert!(!has_bar(&screen), "{screen}");
    assert!(screen.contains(&format!("{LARGE_ID}.bin")), "{screen}");
    assert!(screen.contains("1 downloaded"), "{screen}");

    let piped = Command::new(BIN)
        .args(["--base-url", &srv.base_url, "download", "--out"])
        .arg(home.path().join("piped"))
        .arg(LARGE_ID)
        .env_clear()
        .envs(pty::isolated_env(home.path()))
        .output()
        .unwrap();
    assert!(piped.status.success());
    let err = String::from_utf8_lossy(&piped.stderr);
    assert!(!err.contains('\x1b') && !has_bar(&err), "{err:?}");
    assert!(err.contains("1 downloaded"), "{err:?}");
    let saved = String::from_utf8_lossy(&piped.stdout);
    assert!(
        saved.trim_end().ends_with(&format!("{LARGE_ID}.bin")),
        "{saved:?}"
    );
}

/// `assetui upload` draws a bar per file on a terminal, erases it and
/// leaves the outcome; in a pipe (or with `--json`) it draws none.
#[test]
fn upload_draws_a_bar_per_file_on_a_terminal_and_none_in_a_pipe() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let srv = rt
        .block_on(server::start(ServerConfig::default()))
        .expect("demo server starts");
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("take.wav");
    let mut wav = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
    wav.resize(24 << 20, 0x3c);
    std::fs::write(&file, &wav).unwrap();
    let file_s = file.to_str().unwrap();
    let p = Pty::spawn(
        [BIN, "--base-url", &srv.base_url, "upload", file_s],
        pty::isolated_env(home.path()),
        home.path(),
        100,
        30,
    );
    let status = p.wait_exit(T).unwrap();
    assert!(status.success(), "{status:?}");
    let (raw, screen) = {
        let inner = p.lock();
        let raw = String::from_utf8_lossy(&inner.raw).into_owned();
        (raw, inner.parser.screen().contents())
    };
    assert!(has_bar(&raw), "no progress bar drawn: {raw:?}");
    assert!(raw.contains("take.wav"), "{raw:?}");
    assert!(!has_bar(&screen), "{screen}");
    assert!(screen.contains("take.wav → asset_"), "{screen}");
    // --json on a terminal: the JSON alone
    let p = Pty::spawn(
        [BIN, "--base-url", &srv.base_url, "upload", "--json", file_s],
        pty::isolated_env(home.path()),
        home.path(),
        100,
        30,
    );
    assert!(p.wait_exit(T).unwrap().success());
    let raw = String::from_utf8_lossy(&p.lock().raw).into_owned();
    assert!(!has_bar(&raw) && raw.contains("\"id\""), "{raw:?}");
    for json in [false, true] {
        let mut cmd = Command::new(BIN);
        cmd.args(["--base-url", &srv.base_url, "upload", file_s]);
        if json {
            cmd.arg("--json");
        }
        let piped = cmd
            .env_clear()
            .envs(pty::isolated_env(home.path()))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(piped.status.success());
        let err = String::from_utf8_lossy(&piped.stderr);
        assert!(!err.contains('\x1b') && !has_bar(&err), "{err:?}");
    }
    drop(srv);
}

/// Waits (polling the directory, bounded) until the partial file of `id`
/// in `dir` (`ID.XXXXXX.part`, a name of its own) holds `bytes`.
fn until_part_holds(dir: &Path, id: &str, bytes: u64) {
    let deadline = std::time::Instant::now() + T;
    let held = || {
        crate::support::part_of(dir, id)
            .and_then(|p| std::fs::metadata(p).ok())
            .map_or(0, |m| m.len())
    };
    while held() < bytes {
        assert!(
            std::time::Instant::now() < deadline,
            "the download did not progress"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn the_browser_carries_on_a_download_killed_mid_file() {
    let (_rt, srv) = large_server();
    let base = srv.base_url.clone();
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("out");

    let mut cli = Command::new(BIN);
    cli.args(["--base-url", &base, "download", "--out"])
        .arg(&out)
        .arg(LARGE_ID)
        .env_clear()
        .envs(pty::isolated_env(home.path()))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cli.spawn().unwrap();
    until_part_holds(&out, LARGE_ID, SIZE / 2);
    child.kill().unwrap(); // SIGKILL
    assert!(!child.wait().unwrap().success());
    let large = srv.state.generated.large().expect("the large asset");
    let first = large.served();
    assert!(first < SIZE, "killed before the end: {first}");

    // the next start of the browser takes the download over
    let mut p = Pty::spawn(
        [BIN, "--image-protocol", "halfblocks", "--base-url", &base],
        pty::isolated_env(home.path()),
        home.path(),
        120,
        40,
    );
    p.wait_for_text(" Assets ", T).unwrap();
    p.send("D");
    p.wait_for("the download done in the pane", T, |s| {
        let text = s.contents();
        text.contains(LARGE_ID) && text.contains(" 1/1 done")
    })
    .unwrap();
    let placed = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect::<Vec<_>>();
    assert_eq!(placed.len(), 1, "only the file, no .part: {placed:?}");
    assert!(
        file_matches(&placed[0], LARGE_SEED, 0, SIZE).unwrap(),
        "byte-identical: {placed:?}"
    );
    let again = large.served() - SIZE;
    assert!(
        again <= SIZE / 4,
        "{again} bytes fetched twice (killed after {first})"
    );

    p.send("\x1b");
    p.wait_for("the pane to close", T, |s| {
        !s.contents().contains(" 1/1 done")
    })
    .unwrap();
    p.send("q");
    assert!(p.wait_exit(T).unwrap().success());
}
