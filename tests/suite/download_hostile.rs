//! Downloads against a server that answers from a script (issue 20, Low):
//! a 206 whose total changed, redirect loops. Each connection gets the
//! next canned answer; the last one repeats.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::sync::watch;

use assetui::api::{Client, ClientOptions};
use assetui::download::transfer::{self, Event, LinkFn, Options, Resume, Signal, TransferError};

const T: Duration = Duration::from_secs(60);

/// One canned answer: its head (status line and headers, without the
/// blank line) and its body, sent as it is (a body shorter than its
/// `content-length` is a connection cut short).
struct Answer {
    head: String,
    body: Vec<u8>,
}

/// A request's line and its `range` header.
type Seen = (String, Option<String>);

struct Scripted {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn scripted(answers: Vec<Answer>) -> Scripted {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/file?signature=SECRET",
        listener.local_addr().unwrap()
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        let mut n = 0;
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let mut sock = tokio::io::BufReader::new(sock);
            let mut first = String::new();
            if sock.read_line(&mut first).await.unwrap_or(0) == 0 {
                continue;
            }
            let mut range = None;
            loop {
                let mut line = String::new();
                if sock.read_line(&mut line).await.unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = line.trim().split_once(':') {
                    if k.eq_ignore_ascii_case("range") {
                        range = Some(v.trim().to_string());
                    }
                }
            }
            log.lock().unwrap().push((first.trim().to_string(), range));
            let a = &answers[n.min(answers.len() - 1)];
            n += 1;
            let mut sock = sock.into_inner();
            let head = format!("{}\r\nconnection: close\r\n\r\n", a.head);
            let _ = sock.write_all(head.as_bytes()).await;
            let _ = sock.write_all(&a.body).await;
            let _ = sock.shutdown().await;
        }
    });
    Scripted { url, seen }
}

impl Scripted {
    /// One transfer into `part` with the app's own HTTP client (its
    /// redirect policy included).
    async fn run(&self, part: &Path) -> (Result<transfer::Fetched, TransferError>, Vec<Event>) {
        let client = Client::new(ClientOptions::new(self.url.clone())).unwrap();
        let url = self.url.clone();
        let link: LinkFn = Arc::new(move || {
            let url = url.clone();
            Box::pin(async move { Ok(url) })
        });
        let mut opts = Options {
            read_timeout: Duration::from_secs(5),
            attempts: 4,
            ..Options::default()
        };
        opts.backoff.initial_backoff = Duration::from_millis(20);
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let mut on = move |e: Event| sink.lock().unwrap().push(e);
        let (_tx, mut rx) = watch::channel(Signal::Run);
        let r = tokio::time::timeout(
            T,
            transfer::run(
                &transfer::Job {
                    http: client.http(),
                    link: &link,
                    part,
                    opts: &opts,
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

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn content(len: usize, seed: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 7 + seed) % 251) as u8).collect()
}

fn retries(ev: &[Event]) -> usize {
    ev.iter()
        .filter(|e| matches!(e, Event::Retrying { .. }))
        .count()
}

/// The file changed on the server under the same strong `ETag`: the 206
/// for the rest says another total. The kept bytes belong to the old file,
/// so it starts over at once from byte 0 instead of splicing (or retrying).
#[tokio::test]
async fn download_a_206_with_another_total_restarts_from_zero_at_once() {
    let old = content(100_000, 0);
    let new = content(120_000, 3);
    let s = scripted(vec![
        // the old file, cut after 40 000 bytes
        Answer {
            head: "HTTP/1.1 200 OK\r\netag: \"v1\"\r\ncontent-length: 100000".into(),
            body: old[..40_000].to_vec(),
        },
        // the rest of a 120 000-byte file
        Answer {
            head: "HTTP/1.1 206 Partial Content\r\netag: \"v1\"\r\n\
                   content-range: bytes 40000-119999/120000\r\ncontent-length: 80000"
                .into(),
            body: new[40_000..].to_vec(),
        },
        // the new file, whole
        Answer {
            head: "HTTP/1.1 200 OK\r\netag: \"v1\"\r\ncontent-length: 120000".into(),
            body: new.clone(),
        },
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("x.part");
    let (r, ev) = s.run(&part).await;
    let fetched = r.expect("the new file arrives");
    assert_eq!(fetched.bytes, 120_000);
    assert!(std::fs::read(&part).unwrap() == new, "no spliced bytes");
    let why: Vec<&str> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Restarted { why } => Some(why.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(why, ["the file's size changed on the server"], "{ev:?}");
    let seen = s.requests();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(seen[1].1.as_deref(), Some("bytes=40000-"));
    assert_eq!(seen[2].1, None, "the restart asks for the whole file");
    // the first retry (the cut body) only
    assert_eq!(retries(&ev), 1, "{ev:?}");
}

/// A redirect back to the same link fails the download at once with
/// "redirect loop" (before: ten hops per attempt, retried with backoff).
#[tokio::test]
async fn download_a_redirect_loop_fails_at_once() {
    let s = scripted(vec![Answer {
        head: "HTTP/1.1 302 Found\r\nlocation: /file?signature=SECRET\r\ncontent-length: 0".into(),
        body: Vec::new(),
    }])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (r, ev) = s.run(&dir.path().join("x.part")).await;
    match r {
        Err(TransferError::Failed(m)) => {
            assert!(m.contains("redirect loop"), "{m}");
            assert!(!m.contains("SECRET"), "{m}");
        }
        other => panic!("expected a failure, got {:?}", other.map(|f| f.bytes)),
    }
    assert_eq!(retries(&ev), 0, "not retried: {ev:?}");
    assert_eq!(s.requests().len(), 1, "one hop, then the loop is seen");
}

/// A chain of distinct links longer than the limit stops at the limit, and
/// is not retried either.
#[tokio::test]
async fn download_an_endless_redirect_chain_fails_at_once() {
    let answers = (0..30)
        .map(|i| Answer {
            head: format!(
                "HTTP/1.1 302 Found\r\nlocation: /file?hop={}\r\ncontent-length: 0",
                i + 1
            ),
            body: Vec::new(),
        })
        .collect();
    let s = scripted(answers).await;
    let dir = tempfile::tempdir().unwrap();
    let (r, ev) = s.run(&dir.path().join("x.part")).await;
    match r {
        Err(TransferError::Failed(m)) => assert!(m.contains("too many redirects"), "{m}"),
        other => panic!("expected a failure, got {:?}", other.map(|f| f.bytes)),
    }
    assert_eq!(retries(&ev), 0, "not retried: {ev:?}");
    assert_eq!(s.requests().len(), 11);
}
