//! The transfer engine under every fault the demo server can script:
//! each case ends with a byte-identical file, or a clear failure with the
//! `.part` kept, never wrong bytes under the final name.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::watch;

use assetui::api::{Client, ClientOptions};
use assetui::download::transfer::{
    self, Event, LinkFn, Options, RecordFn, Resume, Signal, TransferError,
};
use assetui::server::generated::{file_matches, LARGE_ID, LARGE_SEED};
use assetui::server::{self, Running, ServerConfig};

const SIZE: u64 = 8 << 20;
const T: Duration = Duration::from_secs(60);

struct Fixture {
    server: Running,
    client: Client,
    dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    fixture_with(ServerConfig {
        large_asset: Some(SIZE),
        ..Default::default()
    })
    .await
}

async fn fixture_with(config: ServerConfig) -> Fixture {
    let server = server::start(config).await.expect("demo server starts");
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

    /// GET requests for the large file so far.
    async fn file_requests(&self) -> u64 {
        self.stats().await["large"]["requests"].as_u64().unwrap()
    }

    async fn stats(&self) -> Value {
        self.client
            .http()
            .get(format!("{}/_demo/stats", self.server.base_url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn served(&self) -> u64 {
        let stats = self.stats().await;
        stats["large"]["bytesServed"].as_u64().unwrap()
    }

    /// Runs one transfer; returns its result and events.
    async fn run(
        &self,
        resume: &mut Resume,
        opts: &Options,
        signal: &mut watch::Receiver<Signal>,
    ) -> (Result<transfer::Fetched, TransferError>, Vec<Event>) {
        self.run_recorded(resume, opts, signal, &transfer::no_journal())
            .await
    }

    /// [`Fixture::run`] with `recorded` standing for the queue's journal.
    async fn run_recorded(
        &self,
        resume: &mut Resume,
        opts: &Options,
        signal: &mut watch::Receiver<Signal>,
        recorded: &RecordFn,
    ) -> (Result<transfer::Fetched, TransferError>, Vec<Event>) {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let mut on = move |e: Event| sink.lock().unwrap().push(e);
        let r = tokio::time::timeout(
            T,
            transfer::run(
                &transfer::Job {
                    http: self.client.http(),
                    link: &self.link(),
                    part: &self.part(),
                    opts,
                    recorded,
                },
                resume,
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
    file_matches(path, LARGE_SEED, generation, SIZE).unwrap()
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

/// Checks that a transfer broken once at byte `cut` took two attempts and
/// that the second began where the first one's bytes ended: past zero, at
/// the checkpoint written when it broke, and no further than `cut` (a
/// connection cut at `cut` can lose the last bytes still in flight, more
/// so on a loaded machine, so the exact `cut` is not promised).
fn assert_resumed_where_it_stopped(events: &[Event], cut: u64, what: &str) {
    let s = starts(events);
    assert_eq!(s.len(), 2, "{what}: two attempts: {events:?}");
    let second = events
        .iter()
        .rposition(|e| matches!(e, Event::Started { .. }))
        .unwrap();
    let kept = events[..second]
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::Checkpoint(r) => Some(r.bytes),
            _ => None,
        })
        .unwrap_or(0);
    assert!(s[1] > 0 && s[1] <= cut, "{what}: resumed at {}", s[1]);
    assert_eq!(s[1], kept, "{what}: resumed at the last checkpoint");
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
    // a read timeout loose enough that a loaded machine's slow answer to
    // the retry is not taken for a second stall
    let patient = Options {
        read_timeout: Duration::from_secs(2),
        ..opts()
    };
    for fault in ["truncate@3000000", "reset@3000000", "stall@3000000"] {
        let f = fixture().await;
        f.faults(&[fault]).await;
        let (_tx, mut rx) = running();
        let mut resume = Resume::default();
        let (r, ev) = f.run(&mut resume, &patient, &mut rx).await;
        assert!(r.is_ok(), "{fault}: {:?}", r.err());
        assert!(is_content(&f.part(), 0), "{fault}");
        assert_eq!(retries(&ev).len(), 1, "{fault}: {ev:?}");
        assert_eq!(restarts(&ev), 0, "{fault}");
        // the second attempt asked only for the rest
        assert_resumed_where_it_stopped(&ev, 3_000_000, fault);
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
    assert_resumed_where_it_stopped(&ev, 4_000_000, "expired link");
    assert!(f.served().await <= SIZE + (1 << 20));
}

/// A first attempt that breaks part way (its `.part` kept), then the file
/// replaced on the server: what the next attempt resumes from.
async fn broken_then_replaced(f: &Fixture, rx: &mut watch::Receiver<Signal>) -> Resume {
    f.faults(&["truncate@4000000"]).await;
    let mut resume = Resume::default();
    let once = Options {
        attempts: 1,
        ..opts()
    };
    let (r, _) = f.run(&mut resume, &once, rx).await;
    assert!(matches!(r, Err(TransferError::Failed(_))), "{:?}", r.err());
    assert!(resume.bytes >= 3_000_000, "{resume:?}");
    assert!(f.part().exists(), "the .part is kept");
    f.post(&format!("assets/{LARGE_ID}/replace"), json!({}))
        .await;
    resume
}

#[tokio::test]
async fn a_file_replaced_between_two_attempts_starts_over() {
    let f = fixture().await;
    let (tx, mut rx) = running();
    let mut resume = broken_then_replaced(&f, &mut rx).await;
    let (r, ev) = f.run(&mut resume, &Options::default(), &mut rx).await;
    assert!(r.is_ok(), "{:?}", r.err());
    assert_eq!(restarts(&ev), 1, "{ev:?}");
    assert!(is_content(&f.part(), 1), "the new file, not a splice");
    drop(tx);
}

#[tokio::test]
async fn a_restart_is_recorded_before_a_byte_of_the_new_file_is_written() {
    let f = fixture().await;
    let (_tx, mut rx) = running();
    let mut resume = broken_then_replaced(&f, &mut rx).await;
    // the journal's stand-in: the `.part` when asked, and again after
    // everything else had its turn (a transfer that did not wait would
    // have written the new file's bytes by then)
    let part = f.part();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let recorded: RecordFn = Arc::new(move || {
        let (part, log) = (part.clone(), log.clone());
        Box::pin(async move {
            let len = || std::fs::metadata(&part).map(|m| m.len()).unwrap();
            let asked = len();
            for _ in 0..100 {
                tokio::task::yield_now().await;
            }
            log.lock().unwrap().push((asked, len()));
        })
    });
    let (r, ev) = f
        .run_recorded(&mut resume, &Options::default(), &mut rx, &recorded)
        .await;
    assert!(r.is_ok(), "{:?}", r.err());
    assert_eq!(restarts(&ev), 1, "{ev:?}");
    assert_eq!(
        *seen.lock().unwrap(),
        vec![(0, 0)],
        "asked once, the .part empty, and nothing written while it recorded"
    );
    assert!(is_content(&f.part(), 1), "the new file, not a splice");
}

#[tokio::test]
async fn a_file_that_never_stays_the_same_ends_in_a_clear_failure() {
    // every request breaks part way and the file changes after each one:
    // each resume finds a new file and starts over
    let f = fixture_with(ServerConfig {
        large_asset: Some(SIZE),
        replace_every: Some(1),
        ..Default::default()
    })
    .await;
    f.faults(&["truncate@1000000"; 40]).await;
    let (_tx, mut rx) = running();
    let mut resume = Resume::default();
    let (r, ev) = f.run(&mut resume, &opts(), &mut rx).await;
    let Err(TransferError::Failed(why)) = r else {
        panic!("{:?}", r.map(|f| f.bytes))
    };
    assert!(why.contains("changed"), "{why}");
    assert_eq!(restarts(&ev) as u32, transfer::MAX_RESTARTS + 1, "{ev:?}");
    assert!(f.part().exists(), "the .part is kept");
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
    // a stall shorter than the server's (30 s) but far longer than the
    // pause needs: a pause that came only after the stall shows a retry
    let long = Options {
        read_timeout: Duration::from_secs(10),
        ..opts()
    };
    let (ev_tx, mut ev_rx) = tokio::sync::mpsc::unbounded_channel();
    let pauser = {
        let tx = tx.clone();
        tokio::spawn(async move {
            // pause once the bytes before the stall are in and synced
            // (checkpoints go on while the link is quiet; progress, drawn
            // as bytes arrive, may never show them)
            while let Some(e) = ev_rx.recv().await {
                if matches!(&e, Event::Checkpoint(r) if r.bytes >= 4_000_000) {
                    tx.send(Signal::Pause).unwrap();
                    break;
                }
            }
            ev_rx
        })
    };
    let mut on = move |e: Event| {
        let _ = ev_tx.send(e);
    };
    let r = tokio::time::timeout(
        T,
        transfer::run(
            &transfer::Job {
                http: f.client.http(),
                link: &f.link(),
                part: &f.part(),
                opts: &long,
                recorded: &transfer::no_journal(),
            },
            &mut resume,
            &mut on,
            &mut rx,
        ),
    )
    .await
    .expect("paused in time");
    // the attempt ended paused, in the stall: not timed out and retried
    let mut rest = pauser.await.unwrap();
    while let Ok(e) = rest.try_recv() {
        assert!(!matches!(e, Event::Retrying { .. }), "{e:?}");
    }
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
        &transfer::Job {
            http: f.client.http(),
            link: &link,
            part: &f.part(),
            opts: &opts(),
            recorded: &transfer::no_journal(),
        },
        &mut Resume::default(),
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
        &transfer::Job {
            http: f.client.http(),
            link: &f.link(),
            part: &part,
            opts: &o,
            recorded: &transfer::no_journal(),
        },
        &mut resume,
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
        &transfer::Job {
            http: f.client.http(),
            link: &f.link(),
            part: &part,
            opts: &o,
            recorded: &transfer::no_journal(),
        },
        &mut resume,
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

fn quick(attempts: u32) -> Options {
    let mut o = opts();
    o.attempts = attempts;
    o.backoff.initial_backoff = Duration::from_millis(20);
    o
}

#[tokio::test]
async fn the_retry_budget_resets_after_an_attempt_that_made_progress() {
    let f = fixture().await;
    // four separated breaks, each after a megabyte more; a budget of two
    // attempts in a row is enough since each attempt moves the file on
    f.faults(&[
        "truncate@1000000",
        "truncate@1000000",
        "truncate@1000000",
        "truncate@1000000",
    ])
    .await;
    let (_tx, mut rx) = running();
    let mut resume = Resume::default();
    let (r, ev) = f.run(&mut resume, &quick(2), &mut rx).await;
    assert!(r.is_ok(), "{:?}", r.err());
    assert!(is_content(&f.part(), 0));
    let tries = retries(&ev);
    assert_eq!(tries.len(), 4, "{tries:?}");
    assert!(
        tries.iter().all(|t| t.0 == 1),
        "each a first retry: {tries:?}"
    );
    assert_eq!(
        starts(&ev),
        vec![0, 1_000_000, 2_000_000, 3_000_000, 4_000_000]
    );
    assert_eq!(restarts(&ev), 0);
}

#[tokio::test]
async fn attempts_without_progress_still_spend_the_budget() {
    let f = fixture().await;
    // progress, then two failures in a row with nothing new: out of three
    f.faults(&["truncate@1000000", "500", "500", "500"]).await;
    let (_tx, mut rx) = running();
    let mut resume = Resume::default();
    let (r, ev) = f.run(&mut resume, &quick(3), &mut rx).await;
    match &r {
        Err(TransferError::Failed(m)) => assert!(m.contains("gave up after 3"), "{m}"),
        other => panic!("{:?}", other.as_ref().err()),
    }
    let attempts: Vec<u32> = retries(&ev).iter().map(|t| t.0).collect();
    assert_eq!(attempts, vec![1, 2], "{ev:?}");
    assert_eq!(resume.bytes, 1_000_000, "the kept bytes stay vouched for");
    assert!(f.part().exists());
}

#[tokio::test]
async fn a_complete_part_finishes_without_asking_for_the_body() {
    let f = fixture().await;
    let (_tx, mut rx) = running();
    let mut resume = Resume::default();
    let (r, _) = f.run(&mut resume, &opts(), &mut rx).await;
    assert!(r.is_ok(), "{:?}", r.err());
    assert_eq!((resume.bytes, resume.total), (SIZE, Some(SIZE)));
    // as after a crash between the last checkpoint and the rename
    let served = f.served().await;
    let asked = f.file_requests().await;
    let (r, ev) = f.run(&mut resume, &opts(), &mut rx).await;
    let fetched = r.unwrap();
    assert_eq!(fetched.bytes, SIZE);
    assert_eq!(fetched.mime.as_deref(), Some("application/octet-stream"));
    assert_eq!(fetched.head.len(), 64);
    assert!(is_content(&f.part(), 0));
    assert_eq!(f.file_requests().await, asked, "no request: {ev:?}");
    assert_eq!(f.served().await, served);
    assert_eq!(restarts(&ev), 0);
    assert!(starts(&ev).is_empty(), "{ev:?}");
}

#[tokio::test]
async fn no_message_shows_a_links_query_or_credentials() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // a port nobody listens on
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let link: LinkFn = Arc::new(move || {
        Box::pin(async move {
            Ok(format!(
                "http://user:PASSWORD@127.0.0.1:{port}/v1/files/x?expires=1&signature=SECRET"
            ))
        })
    });
    let dir = tempfile::tempdir().unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let mut on = move |e: Event| sink.lock().unwrap().push(e);
    let (_tx, mut rx) = running();
    let r = transfer::run(
        &transfer::Job {
            http: &reqwest::Client::builder().no_proxy().build().unwrap(),
            link: &link,
            part: &dir.path().join("x.part"),
            opts: &quick(2),
            recorded: &transfer::no_journal(),
        },
        &mut Resume::default(),
        &mut on,
        &mut rx,
    )
    .await;
    let mut shown = vec![r.err().expect("nobody listens").to_string()];
    shown.extend(retries(&events.lock().unwrap()).into_iter().map(|t| t.2));
    assert_eq!(shown.len(), 2, "{shown:?}");
    for m in &shown {
        assert!(m.contains(&format!("127.0.0.1:{port}/v1/files/x")), "{m}");
        for secret in ["SECRET", "signature", "expires", "PASSWORD", "user"] {
            assert!(!m.contains(secret), "{secret} in {m}");
        }
    }
}

/// A bare HTTP/1.1 server for what the demo server never does (weak
/// `ETag`s, no `Last-Modified`): every request gets `BODY`, honouring
/// `Range` when `If-Range` matches strongly; the first answer stops after
/// `cut` bytes. Each request's headers are kept.
struct Bare {
    url: String,
    seen: Arc<Mutex<Vec<Headers>>>,
}

/// One request's headers, names in lower case.
type Headers = Vec<(String, String)>;

const BARE_SIZE: usize = 1_000_000;

fn bare_body() -> Vec<u8> {
    (0..BARE_SIZE).map(|i| (i * 7 % 251) as u8).collect()
}

async fn bare(etag: &'static str, last_modified: Option<&'static str>, cut: usize) -> Bare {
    bare_paced(etag, last_modified, cut, Duration::ZERO).await
}

/// [`bare`], sending the body 20 000 bytes at a time, `pace` apart (a slow
/// link).
async fn bare_paced(
    etag: &'static str,
    last_modified: Option<&'static str>,
    cut: usize,
    pace: Duration,
) -> Bare {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/file?signature=SECRET",
        listener.local_addr().unwrap()
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        let body = bare_body();
        let mut first = true;
        loop {
            let (sock, _) = listener.accept().await.unwrap();
            let mut sock = tokio::io::BufReader::new(sock);
            let mut headers = Vec::new();
            let mut line = String::new();
            sock.read_line(&mut line).await.unwrap();
            loop {
                line.clear();
                if sock.read_line(&mut line).await.unwrap() == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = line.trim().split_once(':') {
                    headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
                }
            }
            let get = |k: &str| headers.iter().find(|h| h.0 == k).map(|h| h.1.clone());
            // RFC 9110: If-Range matches a strong tag or the exact date
            let if_range_ok = match get("if-range") {
                None => true,
                Some(v) if v.starts_with("W/") => false,
                Some(v) if v.starts_with('"') => v == etag,
                Some(v) => Some(v.as_str()) == last_modified,
            };
            let from = get("range")
                .filter(|_| if_range_ok)
                .and_then(|r| r.strip_prefix("bytes=")?.strip_suffix('-')?.parse().ok())
                .unwrap_or(0usize);
            log.lock().unwrap().push(headers);
            let mut head = if from > 0 {
                format!(
                    "HTTP/1.1 206 Partial Content\r\ncontent-range: bytes {from}-{}/{BARE_SIZE}\r\n",
                    BARE_SIZE - 1
                )
            } else {
                "HTTP/1.1 200 OK\r\n".to_string()
            };
            head.push_str(&format!(
                "content-length: {}\r\netag: {etag}\r\nconnection: close\r\n",
                BARE_SIZE - from
            ));
            if let Some(lm) = last_modified {
                head.push_str(&format!("last-modified: {lm}\r\n"));
            }
            head.push_str("\r\n");
            let end = if first { cut } else { BARE_SIZE };
            first = false;
            let mut sock = sock.into_inner();
            let _ = sock.write_all(head.as_bytes()).await;
            if pace.is_zero() {
                let _ = sock.write_all(&body[from..end.max(from)]).await;
            } else {
                for piece in body[from..end.max(from)].chunks(20_000) {
                    let _ = sock.write_all(piece).await;
                    tokio::time::sleep(pace).await;
                }
            }
            let _ = sock.shutdown().await;
        }
    });
    Bare { url, seen }
}

impl Bare {
    /// Runs one transfer against this server.
    async fn run(&self, part: &Path) -> (Result<transfer::Fetched, TransferError>, Vec<Event>) {
        self.run_with(part, &quick(4)).await
    }

    async fn run_with(
        &self,
        part: &Path,
        opts: &Options,
    ) -> (Result<transfer::Fetched, TransferError>, Vec<Event>) {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let url = self.url.clone();
        let link: LinkFn = Arc::new(move || {
            let url = url.clone();
            Box::pin(async move { Ok(url) })
        });
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let mut on = move |e: Event| sink.lock().unwrap().push(e);
        let (_tx, mut rx) = running();
        let r = tokio::time::timeout(
            T,
            transfer::run(
                &transfer::Job {
                    http: &reqwest::Client::builder().no_proxy().build().unwrap(),
                    link: &link,
                    part,
                    opts,
                    recorded: &transfer::no_journal(),
                },
                &mut Resume::default(),
                &mut on,
                &mut rx,
            ),
        )
        .await
        .expect("the transfer ends in time");
        let ev = events.lock().unwrap().clone();
        (r, ev)
    }

    fn header(&self, request: usize, name: &str) -> Option<String> {
        self.seen.lock().unwrap()[request]
            .iter()
            .find(|h| h.0 == name)
            .map(|h| h.1.clone())
    }

    fn requests(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

#[tokio::test]
async fn a_weak_etag_is_never_sent_in_if_range_last_modified_is() {
    const DATE: &str = "Wed, 21 Oct 2015 07:28:00 GMT";
    let s = bare("W/\"v1\"", Some(DATE), 300_000).await;
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("x.part");
    let (r, ev) = s.run(&part).await;
    assert!(r.is_ok(), "{:?}", r.err());
    assert_eq!(std::fs::read(&part).unwrap(), bare_body());
    assert_eq!(s.requests(), 2);
    assert_eq!(s.header(1, "range").as_deref(), Some("bytes=300000-"));
    assert_eq!(s.header(1, "if-range").as_deref(), Some(DATE));
    assert_eq!(starts(&ev), vec![0, 300_000]);
    assert_eq!(restarts(&ev), 0);
}

#[tokio::test]
async fn with_only_a_weak_etag_a_resume_starts_over() {
    let s = bare("W/\"v1\"", None, 300_000).await;
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("x.part");
    let (r, ev) = s.run(&part).await;
    assert!(r.is_ok(), "{:?}", r.err());
    assert_eq!(std::fs::read(&part).unwrap(), bare_body());
    assert_eq!(s.requests(), 2);
    // never a range without a validator, never a weak tag in If-Range
    assert_eq!(s.header(1, "range"), None);
    assert_eq!(s.header(1, "if-range"), None);
    assert_eq!(starts(&ev), vec![0, 0]);
    assert_eq!(restarts(&ev), 1, "{ev:?}");
}

/// The bytes each checkpoint recorded, in order.
fn checkpoints(events: &[Event]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Checkpoint(r) => Some(r.bytes),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_slow_link_checkpoints_by_time_not_only_by_size() {
    // 1 MB in 50 pieces 20 ms apart: about a second, far below the size step
    let by_size = Options {
        checkpoint_bytes: 1 << 30,
        checkpoint_every: Duration::from_secs(3600),
        ..quick(1)
    };
    let by_time = Options {
        checkpoint_every: Duration::from_millis(150),
        ..by_size.clone()
    };
    let mut seen = Vec::new();
    for opts in [by_size, by_time] {
        let s = bare_paced("\"v1\"", None, BARE_SIZE, Duration::from_millis(20)).await;
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("x.part");
        let (r, ev) = s.run_with(&part, &opts).await;
        assert!(r.is_ok(), "{:?}", r.err());
        assert_eq!(std::fs::read(&part).unwrap(), bare_body());
        let marks = checkpoints(&ev);
        assert!(marks.windows(2).all(|w| w[0] < w[1]), "{marks:?}");
        assert_eq!(marks.last(), Some(&(BARE_SIZE as u64)), "{marks:?}");
        seen.push(marks.len() - 1);
    }
    // only the end without the time rule; several along the way with it
    assert_eq!(seen[0], 0, "checkpoints before the end by size: {seen:?}");
    assert!(seen[1] >= 3, "checkpoints before the end by time: {seen:?}");
}
