//! The transfer engine under every fault the demo server can script:
//! each case ends with a byte-identical file, or a clear failure with the
//! `.part` kept, never wrong bytes under the final name.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::watch;

use assetui::api::{Client, ClientOptions};
use assetui::download::transfer::{self, Event, LinkFn, Options, Resume, Signal, TransferError};
use assetui::server::generated::{fill, LARGE_ID};
use assetui::server::{self, Running, ServerConfig};

const SIZE: u64 = 8 << 20;
const SEED: u64 = 0x1a76_e000;
const T: Duration = Duration::from_secs(60);

struct Fixture {
    server: Running,
    client: Client,
    dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let server = server::start(ServerConfig {
        large_asset: Some(SIZE),
        ..Default::default()
    })
    .await
    .expect("demo server starts");
    let client = Client::new(ClientOptions::new(server.base_url.clone())).unwrap();
    Fixture {
        server,
        client,
        dir: tempfile::tempdir().unwrap(),
    }
}

impl Fixture {
    fn part(&self) -> PathBuf {
        self.dir.path().join("large.part")
    }

    fn link(&self) -> LinkFn {
        let client = self.client.clone();
        Arc::new(move || {
            let client = client.clone();
            Box::pin(async move {
                client
                    .download_link(LARGE_ID, None)
                    .await
                    .map_err(|e| TransferError::Failed(e.to_string()))
            })
        })
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.client
            .http()
            .post(format!("{}/_demo/{path}", self.server.base_url))
            .json(&body)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn faults(&self, faults: &[&str]) {
        self.post("faults", json!({ "faults": faults })).await;
    }

    async fn served(&self) -> u64 {
        let stats: Value = self
            .client
            .http()
            .get(format!("{}/_demo/stats", self.server.base_url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        stats["large"]["bytesServed"].as_u64().unwrap()
    }

    /// Runs one transfer; returns its result and events.
    async fn run(
        &self,
        resume: &mut Resume,
        opts: &Options,
        signal: &mut watch::Receiver<Signal>,
    ) -> (Result<transfer::Fetched, TransferError>, Vec<Event>) {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let mut on = move |e: Event| sink.lock().unwrap().push(e);
        let r = tokio::time::timeout(
            T,
            transfer::run(
                self.client.http(),
                &self.link(),
                &self.part(),
                resume,
                opts,
                &mut on,
                signal,
            ),
        )
        .await
        .expect("the transfer ends in time");
        let ev = events.lock().unwrap().clone();
        (r, ev)
    }
}

fn opts() -> Options {
    Options {
        read_timeout: Duration::from_millis(500),
        checkpoint_bytes: 1 << 20,
        ..Options::default()
    }
}

fn running() -> (watch::Sender<Signal>, watch::Receiver<Signal>) {
    watch::channel(Signal::Run)
}

/// The file is exactly generation `generation` of the large asset.
fn is_content(path: &Path, generation: u64) -> bool {
    let got = std::fs::read(path).unwrap();
    let mut want = vec![0u8; SIZE as usize];
    fill(SEED, generation, 0, &mut want);
    got == want
}

fn retries(events: &[Event]) -> Vec<(u32, Duration, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Retrying { attempt, wait, why } => Some((*attempt, *wait, why.clone())),
            _ => None,
        })
        .collect()
}

/// Where each attempt's body started.
fn starts(events: &[Event]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Started { from, .. } => Some(*from),
            _ => None,
        })
        .collect()
}

fn restarts(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, Event::Restarted { .. }))
        .count()
}

#[tokio::test]
async fn a_clean_transfer_is_byte_identical() {
    let f = fixture().await;
    let (_tx, mut rx) = running();
    let mut resume = Resume::default();
    let (r, ev) = f.run(&mut resume, &opts(), &mut rx).await;
    let fetched = r.unwrap();
    assert_eq!(fetched.bytes, SIZE);
    assert!(is_content(&f.part(), 0));
    assert_eq!(f.served().await, SIZE);
    assert!(ev.iter().any(|e| matches!(e, Event::Checkpoint(_))));
    assert!(retries(&ev).is_empty());
}

#[tokio::test]
async fn truncated_reset_and_stalled_bodies_resume_where_they_stopped() {
    for fault in ["truncate@3000000", "reset@3000000", "stall@3000000"] {
        let f = fixture().await;
        f.faults(&[fault]).await;
        let (_tx, mut rx) = running();
        let mut resume = Resume::default();
        let (r, ev) = f.run(&mut resume, &opts(), &mut rx).await;
        assert!(r.is_ok(), "{fault}: {:?}", r.err());
        assert!(is_content(&f.part(), 0), "{fault}");
        assert_eq!(retries(&ev).len(), 1, "{fault}: {ev:?}");
        assert_eq!(restarts(&ev), 0, "{fault}");
        // the second attempt asked only for the rest
        assert_eq!(starts(&ev), vec![0, 3_000_000], "{fault}");
        let served = f.served().await;
        assert!(served <= SIZE + (1 << 20), "{fault}: {served} bytes served");
    }
}

#[tokio::test]
async fn a_429_is_waited_out_as_the_server_says_and_a_500_retried() {
    let f = fixture().await;
    f.faults(&["429", "500"]).await;
    let (_tx, mut rx) = running();
    let mut resume = Resume::default();
    let (r, ev) = f.run(&mut resume, &opts(), &mut rx).await;
    assert!(r.is_ok(), "{:?}", r.err());
    assert!(is_content(&f.part(), 0));
    let tries = retries(&ev);
    assert_eq!(tries.len(), 2, "{tries:?}");
    assert_eq!(
        tries[0].1,
        Duration::from_secs(1),
        "Retry-After: 1 honoured"
    );
    assert!(
        tries[0].2.contains("429") && tries[1].2.contains("500"),
        "{tries:?}"
    );
    assert!(
        !tries.iter().any(|t| t.2.contains("signature")),
        "no signature in messages"
    );
}

#[tokio::test]
async fn an_expired_link_is_renewed_and_the_transfer_resumes() {
    let f = fixture().await;
    // the body breaks, then the link has expired when it comes back
    f.faults(&["truncate@4000000", "expire"]).await;
    let (_tx, mut rx) = running();
    let mut resume = Resume::default();
    let (r, ev) = f.run(&mut resume, &opts(), &mut rx).await;
    assert!(r.is_ok(), "{:?}", r.err());
    assert!(is_content(&f.part(), 0));
    let links = ev.iter().filter(|e| matches!(e, Event::Link)).count();
    assert_eq!(links, 2, "a fresh link after the 403: {ev:?}");
    assert_eq!(restarts(&ev), 0);
    assert_eq!(starts(&ev), vec![0, 4_000_000]);
    assert!(f.served().await <= SIZE + (1 << 20));
}

#[tokio::test]
async fn a_file_replaced_between_two_attempts_starts_over() {
    let f = fixture().await;
    f.faults(&["truncate@4000000"]).await;
    let (tx, mut rx) = running();
    // the first attempt breaks; pause before the retry, replace the file
    let mut resume = Resume::default();
    let opts = Options {
        attempts: 1,
        ..opts()
    };
    let (r, _) = f.run(&mut resume, &opts, &mut rx).await;
    assert!(matches!(r, Err(TransferError::Failed(_))), "{:?}", r.err());
    assert!(resume.bytes >= 3_000_000, "{resume:?}");
    assert!(f.part().exists(), "the .part is kept");
    f.post(&format!("assets/{LARGE_ID}/replace"), json!({}))
        .await;
    let (r, ev) = f.run(&mut resume, &Options::default(), &mut rx).await;
    assert!(r.is_ok(), "{:?}", r.err());
    assert_eq!(restarts(&ev), 1, "{ev:?}");
    assert!(is_content(&f.part(), 1), "the new file, not a splice");
    drop(tx);
}

#[tokio::test]
async fn a_200_to_a_range_request_starts_over() {
    let f = fixture().await;
    f.faults(&["truncate@4000000", "ignore-range"]).await;
    let (_tx, mut rx) = running();
    let mut resume = Resume::default();
    let (r, ev) = f.run(&mut resume, &opts(), &mut rx).await;
    assert!(r.is_ok(), "{:?}", r.err());
    assert!(is_content(&f.part(), 0));
    assert_eq!(restarts(&ev), 1, "{ev:?}");
}

#[tokio::test]
async fn pause_then_resume_fetches_each_byte_once_and_cancel_stops() {
    let f = fixture().await;
    // a stall holds the first attempt mid-body until we pause
    f.faults(&["stall@5000000"]).await;
    let (tx, mut rx) = running();
    let mut resume = Resume::default();
    let long = Options {
        read_timeout: Duration::from_secs(60),
        ..opts()
    };
    let (ev_tx, mut ev_rx) = tokio::sync::mpsc::unbounded_channel();
    let pauser = {
        let tx = tx.clone();
        tokio::spawn(async move {
            // pause once the bytes before the stall are in
            while let Some(e) = ev_rx.recv().await {
                if matches!(e, Event::Progress { bytes, .. } if bytes >= 4_000_000) {
                    tx.send(Signal::Pause).unwrap();
                    break;
                }
            }
        })
    };
    let mut on = move |e: Event| {
        let _ = ev_tx.send(e);
    };
    let r = tokio::time::timeout(
        T,
        transfer::run(
            f.client.http(),
            &f.link(),
            &f.part(),
            &mut resume,
            &long,
            &mut on,
            &mut rx,
        ),
    )
    .await
    .expect("paused in time");
    pauser.await.unwrap();
    assert!(matches!(r, Err(TransferError::Paused)), "{:?}", r.err());
    assert!(resume.bytes >= 4_000_000, "{resume:?}");
    tx.send(Signal::Run).unwrap();
    let paused_at = resume.bytes;
    let (r, ev) = f.run(&mut resume, &opts(), &mut rx).await;
    assert_eq!(starts(&ev), vec![paused_at], "resumed where it paused");
    assert!(r.is_ok(), "{:?}", r.err());
    assert!(is_content(&f.part(), 0));
    assert!(f.served().await <= SIZE + (1 << 20));

    tx.send(Signal::Cancel).unwrap();
    let (r, _) = f.run(&mut Resume::default(), &opts(), &mut rx).await;
    assert!(matches!(r, Err(TransferError::Cancelled)));
}

#[tokio::test]
async fn a_missing_file_fails_at_once() {
    let f = fixture().await;
    let client = f.client.clone();
    let link: LinkFn = Arc::new(move || {
        let client = client.clone();
        Box::pin(async move {
            let url = client
                .download_link(LARGE_ID, None)
                .await
                .map_err(|e| TransferError::Failed(e.to_string()))?;
            Ok(url.replace(LARGE_ID, "asset_NotThere00000000000000"))
        })
    });
    let (_tx, mut rx) = running();
    let mut on = |_e: Event| {};
    let r = transfer::run(
        f.client.http(),
        &link,
        &f.part(),
        &mut Resume::default(),
        &opts(),
        &mut on,
        &mut rx,
    )
    .await;
    match r {
        Err(TransferError::Failed(m)) => {
            assert!(!m.contains("signature"), "{m}");
        }
        other => panic!("{:?}", other.err()),
    }
}

/// Mounts a small tmpfs at `dir` (root only); `None` where mounting is not
/// allowed.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(dir.to_path_buf()))
    }

    fn grow(&self, size: &str) -> bool {
        std::process::Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[tokio::test]
async fn a_full_disk_fails_clearly_keeps_the_part_and_resumes_after() {
    let f = fixture().await;
    let small = f.dir.path().join("small");
    std::fs::create_dir_all(&small).unwrap();
    let mounted = Tmpfs::mount(&small, "4m");
    let part = if mounted.is_some() {
        small.join("large.part")
    } else {
        f.part()
    };
    let (_tx, mut rx) = running();
    let mut resume = Resume::default();
    let mut o = opts();
    if mounted.is_none() {
        // no mount here: the same error, injected
        o.fail_writes_after = Some(4 << 20);
    }
    let mut on = |_e: Event| {};
    let r = transfer::run(
        f.client.http(),
        &f.link(),
        &part,
        &mut resume,
        &o,
        &mut on,
        &mut rx,
    )
    .await;
    match &r {
        Err(TransferError::DiskFull(m)) => {
            assert!(m.contains("disk full") && m.contains("kept"), "{m}");
        }
        other => panic!("{:?}", other.as_ref().err()),
    }
    assert!(part.exists(), "the .part is kept");
    assert!(resume.bytes > 0, "{resume:?}");
    let kept = resume.bytes;
    let before = f.served().await;
    // space comes back
    match &mounted {
        Some(m) => assert!(m.grow("64m")),
        None => o.fail_writes_after = None,
    }
    let r = transfer::run(
        f.client.http(),
        &f.link(),
        &part,
        &mut resume,
        &o,
        &mut on,
        &mut rx,
    )
    .await;
    assert!(r.is_ok(), "{:?}", r.err());
    assert!(is_content(&part, 0));
    let again = f.served().await - before;
    assert!(
        again >= SIZE - kept && again <= SIZE - kept + (1 << 20),
        "only the rest was fetched: {again} for {} missing",
        SIZE - kept
    );
}
