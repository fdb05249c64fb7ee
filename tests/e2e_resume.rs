//! A download killed with SIGKILL is carried on by the next start of the
//! browser: the real binary in a pseudo-terminal finishes the file from
//! where the journal says, byte-identical, without fetching it all again.

#[path = "support/pty.rs"]
mod pty;

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

/// Waits (polling the file, bounded) until `part` holds `bytes`.
fn until_part_holds(part: &Path, bytes: u64) {
    let deadline = std::time::Instant::now() + T;
    while std::fs::metadata(part).map(|m| m.len()).unwrap_or(0) < bytes {
        assert!(
            std::time::Instant::now() < deadline,
            "the download did not progress"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn the_browser_carries_on_a_download_killed_mid_file() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let srv = rt
        .block_on(server::start(ServerConfig {
            large_asset: Some(SIZE),
            ..Default::default()
        }))
        .expect("demo server starts");
    let base = srv.base_url.clone();
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("out");
    let part = out.join(format!("{LARGE_ID}.part"));

    let mut cli = Command::new(BIN);
    cli.args(["--base-url", &base, "download", "--out"])
        .arg(&out)
        .arg(LARGE_ID)
        .env_clear()
        .envs(pty::isolated_env(home.path()))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cli.spawn().unwrap();
    until_part_holds(&part, SIZE / 2);
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
