//! One file's transfer into its `.part`, correct under every fault the
//! network or the server can produce.
//!
//! - The `.part` is the caller's own (a name unique to its item, recorded
//!   in its journal before the file exists: see `queue`); it is
//!   created exclusively and never through a symlink; a
//!   resumed one must be exactly as long as the journal says (a longer one
//!   is cut back, anything else starts over).
//! - A resume sends `Range` and `If-Range` with a strong validator (a
//!   strong `ETag`, else `Last-Modified`; never a weak `W/` tag); without
//!   one, or on a `200`, a `206` from another offset or a changed
//!   validator, it starts over from zero: old and new bytes are never
//!   spliced.
//! - A `.part` that is a symlink, a hard link (another name for the same
//!   bytes) or not a regular file is refused, never written through.
//! - A `.part` the journal vouches for as whole is finished without
//!   asking the server again.
//! - Truncated bodies, resets, stalls (a read that takes longer than
//!   `read_timeout`), 5xx and 429 are retried with backoff honouring
//!   `Retry-After`; a 403 on the signed link asks for a fresh one and
//!   resumes where it stopped. The budgets (`attempts`, refused links)
//!   count failures in a row: an attempt that kept new bytes resets them,
//!   so a long download over a flaky link is not failed by many small,
//!   separated faults.
//! - A `206` whose total differs from the one the kept bytes belong to
//!   starts over at once (another file, whatever its validator says).
//! - A redirect loop, too many redirects or an https -> http downgrade
//!   (refused by the client's redirect policy) fails at once.
//! - A full disk fails at once with the `.part` kept; running again with
//!   the same [`Resume`] carries on once there is space.
//! - Pause and cancel are heard even in the middle of a stalled read.
//!
//! Errors never show a link's query (its signature) or credentials.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{
    HeaderMap, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, LAST_MODIFIED,
};
use reqwest::StatusCode;
use tokio::sync::watch;

use crate::api::retry::{retry_after, RetryPolicy};
use crate::sanitize;

pub type LinkFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, TransferError>> + Send>>;
/// Gives a fresh signed link each call (for an asset:
/// `client.download_link(id, format)`).
pub type LinkFn = Arc<dyn Fn() -> LinkFuture + Send + Sync>;

pub type RecordFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;
/// Awaited after the `.part` was emptied for a restart, before any byte of
/// the new file is written: it resolves once the caller's journal no longer
/// vouches for the old bytes (the [`Event::Restarted`] before it is
/// recorded). Without it a crash in between could leave a journal naming
/// the old version's validator and length over the new version's bytes,
/// and a resume would splice the two if the server went back to the old
/// file.
pub type RecordFn = Arc<dyn Fn() -> RecordFuture + Send + Sync>;

/// For a caller without a journal: nothing to wait for.
pub fn no_journal() -> RecordFn {
    Arc::new(|| Box::pin(async {}))
}

/// What survives a crash: stored in the journal at each checkpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Resume {
    /// Bytes in the `.part` known good (synced at the checkpoint).
    pub bytes: u64,
    #[serde(default)]
    pub total: Option<u64>,
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
    /// The last signed link, reused until it is refused.
    #[serde(default)]
    pub url: Option<String>,
    /// The `Content-Type` the bytes came with (for the extension when a
    /// complete `.part` is finished without a request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime: Option<String>,
}

impl Resume {
    /// Vouches for no byte any more (a new file, or one that started
    /// over): only the link is kept, since it may still be good.
    pub fn forget_bytes(&mut self) {
        *self = Resume {
            url: self.url.take(),
            ..Resume::default()
        };
    }
}

#[derive(Clone, Debug)]
pub struct Options {
    /// Longest wait for the next bytes (a stall), not for the whole body.
    pub read_timeout: Duration,
    /// Attempts for faults worth retrying, the first included.
    pub attempts: u32,
    /// Waits between attempts (`Retry-After` wins when the server says).
    pub backoff: RetryPolicy,
    /// A checkpoint (a sync of the `.part`, then [`Event::Checkpoint`])
    /// starts once this many bytes arrived since the last one started, or
    /// `checkpoint_every` passed, and no sync is under way: syncs follow
    /// each other while the body keeps coming, each covering what arrived
    /// meanwhile (a disk flush each, so fewer and larger on a slow disk).
    pub checkpoint_bytes: u64,
    /// The time step of a checkpoint (see `checkpoint_bytes`).
    pub checkpoint_every: Duration,
    /// The most bytes not yet synced (what a crash can lose): beyond it the
    /// read waits for the sync under way. Waiting once two 8 MiB
    /// checkpoints were pending made a fast link wait on the disk (1 GiB
    /// in twice curl's time); see BENCHMARKS.md.
    pub max_unsynced: u64,
    /// Writes past this many bytes of the `.part` fail with ENOSPC (a disk
    /// full where a small file system cannot be mounted).
    #[doc(hidden)]
    pub fail_writes_after: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            read_timeout: Duration::from_secs(30),
            attempts: 8,
            backoff: RetryPolicy {
                max_retries: 8,
                initial_backoff: Duration::from_millis(500),
                max_backoff: Duration::from_secs(30),
                max_wait: Duration::from_secs(300),
            },
            checkpoint_bytes: 8 << 20,
            checkpoint_every: Duration::from_secs(1),
            max_unsynced: 64 << 20,
            fail_writes_after: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// Asking for a (fresh) link.
    Link,
    /// A response accepted: bytes come from `from` (0 on a restart).
    Started { from: u64, total: Option<u64> },
    /// At most every 100 ms, and at the end.
    Progress { bytes: u64, total: Option<u64> },
    /// Persist this: the `.part` holds at least these bytes, synced.
    Checkpoint(Resume),
    Retrying {
        attempt: u32,
        wait: Duration,
        why: String,
    },
    /// The `.part` was emptied: the file changed, or the server ignored
    /// the range.
    Restarted { why: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Run,
    Pause,
    Cancel,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferError {
    /// The `.part` and the [`Resume`] are kept.
    #[error("paused")]
    Paused,
    /// The caller removes the `.part`.
    #[error("cancelled")]
    Cancelled,
    /// Not retried; the `.part` is kept.
    #[error("{0}")]
    DiskFull(String),
    /// Refused for good, or retries exhausted; the `.part` is kept.
    #[error("{0}")]
    Failed(String),
}

pub struct Fetched {
    pub bytes: u64,
    /// The first bytes (at most 64), for the extension.
    pub head: Vec<u8>,
    pub mime: Option<String>,
}

/// Buffer between the network and the file.
const WRITE_BUFFER: usize = 1 << 20;
/// Bytes between two starts of the disk's writeback ([`Body::start_writeback`]).
/// Small steps keep the disk's work even: at 8 MiB, and more so at 32, the
/// bursts of writeback and their completions took the UI's core while a
/// download ran in the browser (issue 21, item 4: key to frame p99 under
/// 8 ms in 7 of 9 runs at 2 MiB, 7 of 12 at 8 MiB, none of 6 at 32 MiB),
/// and a large file still downloads at 158 % of `curl -o`.
const WRITEBACK_STEP: u64 = 2 << 20;
/// Least time between two progress events.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);
/// Why a resume starts over without asking for a range.
const NO_VALIDATOR: &str =
    "the server gave no strong validator (ETag or Last-Modified) to resume against";
/// Refused links in a row before giving up.
/// Restarts from zero one download may take (each a changed file or a
/// server that ignored the range).
pub const MAX_RESTARTS: u32 = 5;
const MAX_FORBIDDEN: u32 = 4;

/// Why an attempt ended without the file.
enum Stop {
    /// Worth another attempt after a wait (`Some`: the server's).
    Retry(String, Option<Duration>),
    /// The link was refused: a fresh one, then again.
    Forbidden,
    /// Start from zero (nothing kept).
    Restart(String),
    End(TransferError),
}

/// What a transfer works with, the same for each of its attempts.
pub struct Job<'a> {
    pub http: &'a reqwest::Client,
    /// Gives a fresh signed link when the last one is refused or unknown.
    pub link: &'a LinkFn,
    /// The item's own partial file.
    pub part: &'a Path,
    pub opts: &'a Options,
    /// Awaited after a restart, before the new file's first byte.
    pub recorded: &'a RecordFn,
}

/// Downloads into `job.part` (created, or resumed per `resume`), syncs it
/// and returns; the caller puts it in place. `events` reports progress and
/// checkpoints (persist those); `job.recorded` is awaited after a restart,
/// before the new file's first byte.
pub async fn run(
    job: &Job<'_>,
    resume: &mut Resume,
    events: &mut (dyn FnMut(Event) + Send),
    signal: &mut watch::Receiver<Signal>,
) -> Result<Fetched, TransferError> {
    let (part, opts) = (job.part, job.opts);
    let mut failures = 0u32;
    let mut forbidden = 0u32;
    // restarts from zero, however they come (a changed file, a 200 to a
    // range): a server that never serves one consistent file must not
    // keep us downloading forever
    let restarts = std::sync::atomic::AtomicU32::new(0);
    let mut counting = |ev: Event| {
        if matches!(ev, Event::Restarted { .. }) {
            restarts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        events(ev)
    };
    let events: &mut (dyn FnMut(Event) + Send) = &mut counting;
    let mut recorded_restarts = 0;
    loop {
        if let Some(e) = stopped(signal) {
            return Err(e);
        }
        let n = restarts.load(std::sync::atomic::Ordering::Relaxed);
        if n > MAX_RESTARTS {
            return Err(TransferError::Failed(format!(
                "the file changed or was served inconsistently {n} times during this download; \
                 try again later"
            )));
        }
        let mut file = open_part(part, resume, events)?;
        let now = restarts.load(std::sync::atomic::Ordering::Relaxed);
        if now > recorded_restarts {
            // the emptied `.part` is forgotten by the journal before it
            // takes a byte of another version
            tokio::select! {
                _ = (job.recorded)() => {}
                _ = until_stopped(signal) => return Err(stopped(signal).unwrap_or(TransferError::Paused)),
            }
            recorded_restarts = now;
        }
        if resume.bytes > 0 && resume.total == Some(resume.bytes) {
            // every byte is here, synced, from one version of the file
            // (a resume never splices two): nothing to ask the server
            return finish_complete(&file, part, resume, events);
        }
        let before = resume.bytes;
        let stop = attempt(job, &mut file, resume, events, signal).await;
        if resume.bytes > before {
            // progress: the budgets count failures in a row
            failures = 0;
            forbidden = 0;
        }
        match stop {
            Ok(fetched) => return Ok(fetched),
            Err(Stop::End(e)) => return Err(e),
            Err(Stop::Forbidden) => {
                forbidden += 1;
                resume.url = None;
                if forbidden >= MAX_FORBIDDEN {
                    return Err(TransferError::Failed(format!(
                        "the file's link was refused {forbidden} times in a row (403)"
                    )));
                }
            }
            Err(Stop::Restart(why)) => {
                restart(&mut file, resume, part)?;
                events(Event::Restarted { why });
            }
            Err(Stop::Retry(why, server_wait)) => {
                failures += 1;
                if failures >= opts.attempts.max(1) {
                    return Err(TransferError::Failed(format!(
                        "gave up after {failures} attempts: {why}"
                    )));
                }
                let wait = server_wait
                    .map(|w| w.min(opts.backoff.max_wait))
                    .unwrap_or_else(|| opts.backoff.backoff(failures - 1));
                events(Event::Retrying {
                    attempt: failures,
                    wait,
                    why,
                });
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = until_stopped(signal) => {}
                }
            }
        }
    }
}

/// One request and its body. `Ok` only with the whole file, synced.
async fn attempt(
    job: &Job<'_>,
    file: &mut File,
    resume: &mut Resume,
    events: &mut (dyn FnMut(Event) + Send),
    signal: &mut watch::Receiver<Signal>,
) -> Result<Fetched, Stop> {
    let from = resume.bytes;
    let sent = send(job, resume, events, signal).await?;
    let total = accept(&sent, from, resume)?;
    events(Event::Started { from, total });
    let shown = sent.shown.clone();
    let mut body = Body::new(file, job.part, from)?;
    let outcome = receive(job, &mut body, sent, total, resume, events, signal).await;
    let written = body.written;
    let head = std::mem::take(&mut body.head);
    if let Err(e) = keep(body, from, resume, events).await {
        return Err(outcome.err().unwrap_or_else(|| write_error(job.part, e)));
    }
    events(Event::Progress {
        bytes: written,
        total,
    });
    if written > from {
        events(Event::Checkpoint(resume.clone()));
    }
    outcome?;
    complete(written, total, &shown, head, resume)
}

/// A request sent and answered (any status).
struct Sent {
    response: reqwest::Response,
    /// What the `If-Range` carried, if this was a resume.
    validator: Option<Validator>,
    /// The link without its query, for messages.
    shown: String,
}

/// Step 1: the validator a resume needs (none: start over), the link
/// (asked for when none is kept), then the request, `Range` and `If-Range`
/// on a resume.
async fn send(
    job: &Job<'_>,
    resume: &mut Resume,
    events: &mut (dyn FnMut(Event) + Send),
    signal: &mut watch::Receiver<Signal>,
) -> Result<Sent, Stop> {
    let from = resume.bytes;
    let validator = match (from > 0).then(|| resume_validator(resume)) {
        None => None,
        Some(Some(v)) => Some(v),
        Some(None) => return Err(Stop::Restart(NO_VALIDATOR.into())),
    };
    let url = match resume.url.clone() {
        Some(u) => u,
        None => {
            events(Event::Link);
            let u = tokio::select! {
                u = (job.link)() => u.map_err(|e| Stop::End(scrubbed(e)))?,
                _ = until_stopped(signal) => return Err(Stop::End(stopped(signal).unwrap_or(TransferError::Paused))),
            };
            resume.url = Some(u.clone());
            u
        }
    };
    let shown = shown_url(&url);
    let mut request = job.http.get(&url);
    if let Some(v) = &validator {
        request = request
            .header(reqwest::header::RANGE, format!("bytes={from}-"))
            .header(reqwest::header::IF_RANGE, v.value());
    }
    let read_timeout = job.opts.read_timeout;
    let response = tokio::select! {
        r = tokio::time::timeout(read_timeout, request.send()) => match r {
            Ok(Ok(r)) => r,
            // a loop, a downgrade or too many hops: the same request would
            // be redirected the same way (the client's redirect policy)
            Ok(Err(e)) if e.is_redirect() => return Err(Stop::End(TransferError::Failed(format!("{shown}: {}", cause(&e))))),
            Ok(Err(e)) => return Err(Stop::Retry(format!("{shown}: {}", cause(&e)), None)),
            Err(_) => return Err(Stop::Retry(format!("{shown}: no answer in {} s", read_timeout.as_secs_f64()), None)),
        },
        _ = until_stopped(signal) => return Err(Stop::End(stopped(signal).unwrap_or(TransferError::Paused))),
    };
    Ok(Sent {
        response,
        validator,
        shown,
    })
}

/// Step 2: whether the answer continues the bytes kept (or starts the
/// file when none are): the status, the range and the validator. Records
/// the answer's validators, total and type in `resume`; returns the total.
fn accept(sent: &Sent, from: u64, resume: &mut Resume) -> Result<Option<u64>, Stop> {
    let shown = &sent.shown;
    let status = sent.response.status();
    let headers = sent.response.headers();
    match status {
        StatusCode::OK | StatusCode::PARTIAL_CONTENT => {}
        StatusCode::FORBIDDEN => return Err(Stop::Forbidden),
        StatusCode::RANGE_NOT_SATISFIABLE => {
            return Err(Stop::Restart("the server refused the range".into()))
        }
        s if s.as_u16() == 429 || s.is_server_error() || s.as_u16() == 408 => {
            let wait = retry_after(headers, SystemTime::now());
            return Err(Stop::Retry(format!("{shown}: HTTP {}", s.as_u16()), wait));
        }
        s => {
            return Err(Stop::End(TransferError::Failed(format!(
                "{shown}: HTTP {}",
                s.as_u16()
            ))))
        }
    }
    let etag = header(headers, ETAG);
    let modified = header(headers, LAST_MODIFIED);
    let mime = header(headers, CONTENT_TYPE).or(resume.mime.take());
    let length: Option<u64> = header(headers, CONTENT_LENGTH).and_then(|v| v.parse().ok());
    let total = if status == StatusCode::PARTIAL_CONTENT {
        match header(headers, CONTENT_RANGE)
            .as_deref()
            .and_then(parse_content_range)
        {
            // a total other than the one the kept bytes belong to is
            // another file, whatever its validator says: start over now
            Some((_, _, Some(total))) if resume.total.is_some_and(|t| t != total) => {
                return Err(Stop::Restart(
                    "the file's size changed on the server".into(),
                ))
            }
            Some((start, _, total)) if start == from => total,
            _ => return Err(Stop::Restart("the server answered another range".into())),
        }
    } else {
        if from > 0 {
            return Err(Stop::Restart(
                "the server sent the whole file instead of the rest".into(),
            ));
        }
        length
    };
    if let Some(v) = &sent.validator {
        // the answer must carry the validator the bytes kept were sent
        // with; any other tag means another version
        let changed = match v {
            Validator::Etag(a) => etag.as_ref() != Some(a),
            Validator::Date(a) => {
                modified.as_ref() != Some(a)
                    || (resume.etag.is_some() && etag.is_some() && resume.etag != etag)
            }
        };
        if changed {
            return Err(Stop::Restart("the file changed on the server".into()));
        }
    }
    resume.etag = etag;
    resume.last_modified = modified;
    resume.total = total;
    resume.mime = mime;
    Ok(total)
}

/// The body on its way to the `.part`: a buffered writer, and checkpoint
/// syncs on a second handle on a blocking thread while the body keeps
/// coming (the network read waits for the disk only when too much is
/// unsynced).
struct Body<'f> {
    writer: io::BufWriter<&'f mut File>,
    syncer: Arc<File>,
    syncing: Option<PendingSync>,
    /// The early writeback under way ([`start_writeback`]), if any.
    writeback: Option<tokio::task::JoinHandle<()>>,
    /// Bytes handed to the disk's writeback so far.
    kicked: u64,
    /// Where the pages not yet dropped from the page cache begin.
    dropped: u64,
    pace: Pace,
    /// Bytes in the `.part` (kept and written).
    written: u64,
    /// The file's first bytes (at most 64), for the extension.
    head: Vec<u8>,
}

impl<'f> Body<'f> {
    fn new(file: &'f mut File, part: &Path, from: u64) -> Result<Body<'f>, Stop> {
        let syncer = Arc::new(file.try_clone().map_err(|e| write_error(part, e))?);
        Ok(Body {
            writer: io::BufWriter::with_capacity(WRITE_BUFFER, file),
            syncer,
            syncing: None,
            writeback: None,
            kicked: from,
            dropped: from,
            pace: Pace::new(),
            written: from,
            head: if from > 0 {
                read_head(part)
            } else {
                Vec::new()
            },
        })
    }

    fn start_sync(&mut self) -> io::Result<()> {
        self.syncing = Some(start_sync(
            &mut self.writer,
            &self.syncer,
            self.written,
            &mut self.pace,
        )?);
        Ok(())
    }

    /// Starts the disk writing what arrived since the last time, once
    /// [`WRITEBACK_STEP`] bytes did and the last start is done: the pages
    /// go out while the body keeps coming, so a checkpoint's sync and the
    /// final one find little left to write (rather than the whole file
    /// at the end, behind whatever else the page cache holds). `synced`:
    /// the bytes the last checkpoint synced, whose pages are clean and are
    /// dropped from the page cache (a long download does not fill it).
    fn start_writeback(&mut self, synced: u64) -> io::Result<()> {
        if self.written - self.kicked < WRITEBACK_STEP
            || self.writeback.as_ref().is_some_and(|w| !w.is_finished())
        {
            return Ok(());
        }
        self.writer.flush()?;
        // up to `synced` the pages are clean: dropped; from there on they
        // are written out
        let (from, to) = (self.dropped.min(synced), self.written);
        self.kicked = to;
        self.dropped = synced;
        let file = self.syncer.clone();
        self.writeback = Some(tokio::task::spawn_blocking(move || {
            start_writeback(&file, from, to)
        }));
        Ok(())
    }

    /// Writes a chunk (or fails as a full disk past the simulated limit).
    fn write(&mut self, chunk: &[u8], opts: &Options, part: &Path) -> Result<(), Stop> {
        if let Some(limit) = opts.fail_writes_after {
            if self.written + chunk.len() as u64 > limit {
                return Err(Stop::End(disk_full(
                    part,
                    io::Error::from_raw_os_error(libc::ENOSPC),
                )));
            }
        }
        self.writer
            .write_all(chunk)
            .map_err(|e| write_error(part, e))?;
        if self.head.len() < 64 {
            let take = (64 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.written += chunk.len() as u64;
        self.pace.since += chunk.len() as u64;
        Ok(())
    }
}

/// Step 3: the body into the `.part`, with checkpoints, until it ends,
/// stalls, breaks, overflows the total, or a pause or cancel comes.
async fn receive(
    job: &Job<'_>,
    body: &mut Body<'_>,
    sent: Sent,
    total: Option<u64>,
    resume: &mut Resume,
    events: &mut (dyn FnMut(Event) + Send),
    signal: &mut watch::Receiver<Signal>,
) -> Result<(), Stop> {
    let (part, opts, shown) = (job.part, job.opts, &sent.shown);
    let mut response = sent.response;
    let mut last_progress = Instant::now();
    let mut read_deadline = tokio::time::Instant::now() + opts.read_timeout;
    loop {
        let next = tokio::select! {
            c = tokio::time::timeout_at(read_deadline, response.chunk()) => c,
            (upto, synced) = sync_done(&mut body.syncing), if body.syncing.is_some() => {
                body.syncing = None;
                synced.map_err(|e| write_error(part, e))?;
                resume.bytes = upto;
                events(Event::Checkpoint(resume.clone()));
                // what came while it ran is synced now, not at the next
                // chunk: the link may have gone quiet
                if body.pace.since > 0 && body.pace.due(opts) {
                    body.start_sync().map_err(|e| write_error(part, e))?;
                }
                continue;
            }
            _ = until_stopped(signal) => return Err(Stop::End(stopped(signal).unwrap_or(TransferError::Paused))),
        };
        let chunk = match next {
            Err(_) => {
                return Err(Stop::Retry(
                    format!(
                        "{shown}: stalled, nothing for {} s",
                        opts.read_timeout.as_secs_f64()
                    ),
                    None,
                ))
            }
            Ok(Err(e)) => return Err(Stop::Retry(format!("{shown}: {}", cause(&e)), None)),
            Ok(Ok(None)) => return Ok(()),
            Ok(Ok(Some(c))) => c,
        };
        read_deadline = tokio::time::Instant::now() + opts.read_timeout;
        body.write(&chunk, opts, part)?;
        body.start_writeback(resume.bytes)
            .map_err(|e| write_error(part, e))?;
        if total.is_some_and(|t| body.written > t) {
            return Err(Stop::Restart(
                "the server sent more than the file's size".into(),
            ));
        }
        // one sync at a time, while the body keeps coming; the read waits
        // for it only when too much is unsynced (a disk slower than the
        // network): a crash loses at most `max_unsynced` bytes
        let behind = body.written - resume.bytes >= opts.max_unsynced;
        if body.pace.due(opts) && (body.syncing.is_none() || behind) {
            if let Some(mut s) = body.syncing.take() {
                let waited = Instant::now();
                sync_done_now(&mut s)
                    .await
                    .map_err(|e| write_error(part, e))?;
                body.pace.waits += 1;
                body.pace.waited += waited.elapsed();
                resume.bytes = s.upto;
                events(Event::Checkpoint(resume.clone()));
            }
            body.start_sync().map_err(|e| write_error(part, e))?;
        }
        if last_progress.elapsed() >= PROGRESS_EVERY {
            last_progress = Instant::now();
            events(Event::Progress {
                bytes: body.written,
                total,
            });
        }
    }
}

/// Step 4: keeps what arrived, whatever ended the body: the sync under way
/// is awaited, the buffer flushed and the file synced, and `resume.bytes`
/// says what is safe. On a write error (bytes may be lost) the last
/// checkpoint is reported and the error returned.
async fn keep(
    body: Body<'_>,
    from: u64,
    resume: &mut Resume,
    events: &mut (dyn FnMut(Event) + Send),
) -> io::Result<()> {
    let Body {
        mut writer,
        syncer,
        mut syncing,
        pace,
        written,
        ..
    } = body;
    tracing::debug!(
        syncs = pace.syncs,
        waits = pace.waits,
        waited_ms = pace.waited.as_millis() as u64,
        bytes = written - from,
        "body ended"
    );
    // a sync under way reports its error here (the kernel tells a
    // writeback error once per open file, so the final sync may not)
    let pending = match syncing.take() {
        Some(mut s) => sync_done_now(&mut s).await,
        None => Ok(()),
    };
    let flushed = writer.flush();
    let (file, _) = writer.into_parts();
    let kept = match (pending, flushed) {
        // a failed sync may have lost bytes: only the last checkpoint holds
        (Err(e), _) => Err(e),
        // data and metadata, on a blocking thread (the runtime's threads
        // go on with other transfers meanwhile, and eight files' syncs at
        // once share the file system's commits): a whole file needs no
        // other sync before it is put in place
        (Ok(()), Ok(())) => tokio::task::spawn_blocking(move || syncer.sync_all())
            .await
            .unwrap_or_else(|e| Err(io::Error::other(format!("the sync did not finish: {e}"))))
            .map(|()| resume.bytes = written),
        (Ok(()), Err(e)) => {
            // the bytes written before the error are good once synced
            if file.sync_data().is_ok() {
                resume.bytes = file
                    .metadata()
                    .map(|m| m.len())
                    .unwrap_or(from)
                    .min(written);
            }
            Err(e)
        }
    };
    if kept.is_err() {
        events(Event::Checkpoint(resume.clone()));
    }
    kept
}

/// Step 5: a body that ended short is retried; a whole one (synced, data
/// and metadata, by [`keep`]) is returned.
fn complete(
    written: u64,
    total: Option<u64>,
    shown: &str,
    head: Vec<u8>,
    resume: &Resume,
) -> Result<Fetched, Stop> {
    if let Some(t) = total {
        if written < t {
            return Err(Stop::Retry(
                format!("{shown}: the body ended at {written} of {t} bytes"),
                None,
            ));
        }
    }
    Ok(Fetched {
        bytes: written,
        head,
        mime: resume.mime.clone(),
    })
}

/// What a resume's `If-Range` carries: RFC 9110 allows only a strong
/// validator there (a weak tag would let a server splice another version).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Validator {
    Etag(String),
    /// `Last-Modified`, as the server sent it.
    Date(String),
}

impl Validator {
    fn value(&self) -> &str {
        match self {
            Validator::Etag(v) | Validator::Date(v) => v,
        }
    }
}

/// A strong `ETag`, else a valid `Last-Modified`, else nothing (the
/// resume then starts over).
fn resume_validator(resume: &Resume) -> Option<Validator> {
    if let Some(e) = resume.etag.as_deref().filter(|e| is_strong_etag(e)) {
        return Some(Validator::Etag(e.to_string()));
    }
    resume
        .last_modified
        .as_deref()
        .filter(|d| httpdate::parse_http_date(d).is_ok())
        .map(|d| Validator::Date(d.to_string()))
}

/// `"…"`: not weak (`W/"…"`) and well formed.
fn is_strong_etag(e: &str) -> bool {
    e.len() >= 2 && e.starts_with('"') && e.ends_with('"') && !e[1..e.len() - 1].contains('"')
}

/// The `.part` already holds the whole file (the journal says so): synced
/// again and returned as it is.
fn finish_complete(
    file: &File,
    part: &Path,
    resume: &Resume,
    events: &mut (dyn FnMut(Event) + Send),
) -> Result<Fetched, TransferError> {
    file.sync_all().map_err(|e| write_error_end(part, e))?;
    events(Event::Progress {
        bytes: resume.bytes,
        total: resume.total,
    });
    Ok(Fetched {
        bytes: resume.bytes,
        head: read_head(part),
        mime: resume.mime.clone(),
    })
}

/// Asks the kernel to start writing `[from, to)` of `file` to disk now
/// and to drop the range's pages that are already clean, without waiting
/// for the disk (Linux's `POSIX_FADV_DONTNEED` starts the writeback of
/// dirty pages; unlike a sync, it neither waits nor flushes the disk's
/// cache). Only a hint: a failure changes nothing the syncs promise.
fn start_writeback(file: &File, from: u64, to: u64) {
    #[cfg(target_os = "linux")]
    if let Some(len) = std::num::NonZeroU64::new(to.saturating_sub(from)) {
        let _ = rustix::fs::fadvise(file, from, Some(len), rustix::fs::Advice::DontNeed);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (file, from, to);
}

/// When the body's next checkpoint is due; how often they synced and how
/// long the read waited for them (logged with `-v`).
struct Pace {
    /// Bytes since the last sync started.
    since: u64,
    /// When it started.
    last: Instant,
    syncs: u32,
    waits: u32,
    waited: Duration,
}

impl Pace {
    fn new() -> Pace {
        Pace {
            since: 0,
            last: Instant::now(),
            syncs: 0,
            waits: 0,
            waited: Duration::ZERO,
        }
    }

    fn due(&self, opts: &Options) -> bool {
        self.since >= opts.checkpoint_bytes || self.last.elapsed() >= opts.checkpoint_every
    }
}

/// Hands what was written to the kernel and starts syncing it (up to
/// `upto`) on a blocking thread.
fn start_sync(
    writer: &mut impl Write,
    syncer: &Arc<File>,
    upto: u64,
    pace: &mut Pace,
) -> io::Result<PendingSync> {
    writer.flush()?;
    pace.since = 0;
    pace.last = Instant::now();
    pace.syncs += 1;
    let handle = syncer.clone();
    Ok(PendingSync {
        upto,
        task: tokio::task::spawn_blocking(move || handle.sync_data()),
    })
}

/// A checkpoint's sync, on a blocking thread.
struct PendingSync {
    /// Bytes written (and flushed to the kernel) when it started.
    upto: u64,
    task: tokio::task::JoinHandle<io::Result<()>>,
}

/// Resolves when the sync under way ends (never when there is none).
async fn sync_done(s: &mut Option<PendingSync>) -> (u64, io::Result<()>) {
    match s {
        Some(s) => (s.upto, sync_done_now(s).await),
        None => std::future::pending().await,
    }
}

async fn sync_done_now(s: &mut PendingSync) -> io::Result<()> {
    match (&mut s.task).await {
        Ok(r) => r,
        Err(e) => Err(io::Error::other(format!("the sync did not finish: {e}"))),
    }
}

/// Opens the `.part`: created exclusively (never through a symlink) when
/// nothing is kept; else reopened without following a symlink and cut to
/// the bytes the journal vouches for. A `.part` shorter than that starts
/// over; one that is a symlink, a hard link or not a regular file is
/// refused (writing through it would change another file).
fn open_part(
    part: &Path,
    resume: &mut Resume,
    events: &mut (dyn FnMut(Event) + Send),
) -> Result<File, TransferError> {
    if resume.bytes > 0 {
        match reopen_part(part)? {
            Some(mut f) => {
                let len = f.metadata().map_err(|e| fail(part, e))?.len();
                if len >= resume.bytes {
                    f.set_len(resume.bytes).map_err(|e| fail(part, e))?;
                    f.seek(SeekFrom::Start(resume.bytes))
                        .map_err(|e| fail(part, e))?;
                    return Ok(f);
                }
                restart(&mut f, resume, part)?;
                events(Event::Restarted {
                    why: "the partial file was shorter than recorded".into(),
                });
                return Ok(f);
            }
            None => {
                resume.forget_bytes();
                events(Event::Restarted {
                    why: "the partial file is gone".into(),
                });
            }
        }
    }
    let created = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW)
        .open(part);
    match created {
        Ok(f) => Ok(f),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            // the caller's journal named this `.part` before it was first
            // created, and the name is the item's own: this is ours, from
            // an attempt that kept nothing (emptied only when it is still
            // a plain file with no other name)
            let f = reopen_part(part)?.ok_or_else(|| {
                TransferError::Failed(format!("{} vanished while it was opened", part.display()))
            })?;
            f.set_len(0).map_err(|e| fail(part, e))?;
            Ok(f)
        }
        Err(e) => Err(write_error_end(part, e)),
    }
}

/// Opens an existing `.part` for writing (`None`: there is none), refusing
/// a symlink, a hard link and anything but a regular file: checked before
/// opening (a device or a FIFO is never opened) and again on what was
/// opened.
fn reopen_part(part: &Path) -> Result<Option<File>, TransferError> {
    let before = match std::fs::symlink_metadata(part) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(fail(part, e)),
    };
    usable_part(part, &before)?;
    let f = match OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(part)
    {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(TransferError::Failed(format!(
                "{} is a symbolic link: not followed",
                part.display()
            )))
        }
        Err(e) => return Err(fail(part, e)),
    };
    let now = f.metadata().map_err(|e| fail(part, e))?;
    usable_part(part, &now)?;
    if (now.dev(), now.ino()) != (before.dev(), before.ino()) {
        return Err(TransferError::Failed(format!(
            "{} was replaced while it was opened: not used",
            part.display()
        )));
    }
    Ok(Some(f))
}

/// A `.part` is written only when it is a regular file with no other name.
fn usable_part(part: &Path, meta: &std::fs::Metadata) -> Result<(), TransferError> {
    let ft = meta.file_type();
    if ft.is_symlink() {
        return Err(TransferError::Failed(format!(
            "{} is a symbolic link: not followed",
            part.display()
        )));
    }
    if !ft.is_file() {
        return Err(TransferError::Failed(format!(
            "{} exists and is not a regular file: not used, move it away",
            part.display()
        )));
    }
    if meta.nlink() > 1 {
        return Err(TransferError::Failed(format!(
            "{} has {} hard links (another file shares its bytes): not written through, move it away",
            part.display(),
            meta.nlink()
        )));
    }
    Ok(())
}

/// Empties the `.part` and forgets the validators.
fn restart(file: &mut File, resume: &mut Resume, part: &Path) -> Result<(), TransferError> {
    file.set_len(0).map_err(|e| fail(part, e))?;
    file.seek(SeekFrom::Start(0)).map_err(|e| fail(part, e))?;
    resume.forget_bytes();
    Ok(())
}

fn read_head(part: &Path) -> Vec<u8> {
    let mut head = vec![0u8; 64];
    let n = File::open(part)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    head.truncate(n);
    head
}

/// `bytes START-END/TOTAL` (TOTAL may be `*`).
fn parse_content_range(v: &str) -> Option<(u64, u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes ")?;
    let (span, total) = rest.split_once('/')?;
    let (a, b) = span.split_once('-')?;
    let total = if total == "*" {
        None
    } else {
        Some(total.parse().ok()?)
    };
    Some((a.parse().ok()?, b.parse().ok()?, total))
}

fn header(h: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The link without its query (the signature) or credentials.
fn shown_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => crate::api::client::display_url(&u),
        Err(_) => "the file's link".into(),
    }
}

fn cause(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    // reqwest may name the URL (with its signature): shown without its
    // query or credentials, and nothing after a `?` is kept
    hide_urls(&sanitize::line(&source.to_string(), 200))
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Every `http(s)://…` in `text` as [`shown_url`] shows it.
fn hide_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = ["http://", "https://"]
        .iter()
        .filter_map(|p| rest.find(p))
        .min()
    {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '"' | '\'' | '<' | '>'))
            .unwrap_or(tail.len());
        out.push_str(&shown_url(&tail[..end]));
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// A link function's error with any link in it shown safely.
fn scrubbed(e: TransferError) -> TransferError {
    match e {
        TransferError::Failed(m) => TransferError::Failed(hide_urls(&m)),
        TransferError::DiskFull(m) => TransferError::DiskFull(hide_urls(&m)),
        other => other,
    }
}

fn is_disk_full(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOSPC) | Some(libc::EDQUOT))
}

fn disk_full(part: &Path, e: io::Error) -> TransferError {
    let dir = part.parent().unwrap_or(Path::new("."));
    TransferError::DiskFull(format!(
        "disk full writing in {}: {e}; the partial file is kept, run again once there is space",
        dir.display()
    ))
}

fn write_error(part: &Path, e: io::Error) -> Stop {
    Stop::End(write_error_end(part, e))
}

fn write_error_end(part: &Path, e: io::Error) -> TransferError {
    if is_disk_full(&e) {
        disk_full(part, e)
    } else {
        fail(part, e)
    }
}

fn fail(part: &Path, e: io::Error) -> TransferError {
    TransferError::Failed(format!("{}: {e}", part.display()))
}

/// `Some` when asked to pause or cancel.
fn stopped(signal: &watch::Receiver<Signal>) -> Option<TransferError> {
    match *signal.borrow() {
        Signal::Run => None,
        Signal::Pause => Some(TransferError::Paused),
        Signal::Cancel => Some(TransferError::Cancelled),
    }
}

/// Resolves once the signal is no longer `Run` (never if the sender is
/// gone while running).
async fn until_stopped(signal: &mut watch::Receiver<Signal>) {
    loop {
        if *signal.borrow_and_update() != Signal::Run {
            return;
        }
        if signal.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges() {
        assert_eq!(
            parse_content_range("bytes 0-9/100"),
            Some((0, 9, Some(100)))
        );
        assert_eq!(parse_content_range("bytes 10-19/*"), Some((10, 19, None)));
        assert_eq!(parse_content_range("bytes */100"), None);
        assert_eq!(parse_content_range("items 0-9/100"), None);
    }

    #[test]
    fn urls_in_error_text_lose_their_query_and_credentials() {
        let t = hide_urls(
            "error sending request for url (https://user:pw@cdn.example/a/b?sig=SECRET&x=1): refused",
        );
        assert_eq!(
            t,
            "error sending request for url (https://cdn.example/a/b): refused"
        );
        assert_eq!(hide_urls("no link here"), "no link here");
        let e = scrubbed(TransferError::Failed(
            "see http://h/x?signature=SECRET and http://h/y?token=SECRET".into(),
        ));
        assert!(!e.to_string().contains("SECRET"), "{e}");
    }

    #[test]
    fn only_a_strong_validator_goes_in_if_range() {
        let date = "Wed, 21 Oct 2015 07:28:00 GMT";
        let r = |etag: Option<&str>, lm: Option<&str>| Resume {
            bytes: 10,
            etag: etag.map(str::to_string),
            last_modified: lm.map(str::to_string),
            ..Resume::default()
        };
        assert_eq!(
            resume_validator(&r(Some("\"v1\""), Some(date))),
            Some(Validator::Etag("\"v1\"".into()))
        );
        assert_eq!(
            resume_validator(&r(Some("W/\"v1\""), Some(date))),
            Some(Validator::Date(date.into()))
        );
        assert_eq!(resume_validator(&r(Some("W/\"v1\""), None)), None);
        assert_eq!(resume_validator(&r(Some("v1"), None)), None);
        assert_eq!(resume_validator(&r(None, Some("yesterday"))), None);
        assert_eq!(resume_validator(&r(None, None)), None);
    }

    #[test]
    fn a_hard_linked_part_is_refused_and_left_alone() {
        let d = tempfile::tempdir().unwrap();
        let other = d.path().join("someone-elses-file");
        std::fs::write(&other, b"precious bytes").unwrap();
        let part = d.path().join("x.part");
        std::fs::hard_link(&other, &part).unwrap();
        let mut events = |_e: Event| {};
        for bytes in [0, 4] {
            let mut r = Resume {
                bytes,
                ..Resume::default()
            };
            let e = open_part(&part, &mut r, &mut events).err().unwrap();
            assert!(e.to_string().contains("hard links"), "{e}");
        }
        assert_eq!(std::fs::read(&other).unwrap(), b"precious bytes");
        assert_eq!(std::fs::read(&part).unwrap(), b"precious bytes");
    }

    #[test]
    fn a_part_that_is_not_a_regular_file_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let dir_part = d.path().join("dir.part");
        std::fs::create_dir(&dir_part).unwrap();
        let sock_part = d.path().join("sock.part");
        let _listener = std::os::unix::net::UnixListener::bind(&sock_part).unwrap();
        let mut events = |_e: Event| {};
        for part in [&dir_part, &sock_part] {
            for bytes in [0, 4] {
                let mut r = Resume {
                    bytes,
                    ..Resume::default()
                };
                let e = open_part(part, &mut r, &mut events).err().unwrap();
                assert!(e.to_string().contains("not a regular file"), "{e}");
            }
        }
        assert!(dir_part.is_dir());
    }

    #[test]
    fn links_are_shown_without_their_signature() {
        let s = shown_url("http://h:1/v1/files/a?expires=1&signature=abc");
        assert_eq!(s, "http://h:1/v1/files/a");
        assert!(!shown_url("not a url?signature=x").contains("signature"));
    }

    #[test]
    fn a_symlink_at_the_part_is_never_followed() {
        let d = tempfile::tempdir().unwrap();
        let outside = d.path().join("outside");
        std::fs::write(&outside, b"keep").unwrap();
        let part = d.path().join("x.part");
        std::os::unix::fs::symlink(&outside, &part).unwrap();
        let mut events = |_e: Event| {};
        for bytes in [0, 2] {
            let mut r = Resume {
                bytes,
                ..Resume::default()
            };
            let e = open_part(&part, &mut r, &mut events).err().unwrap();
            assert!(
                e.to_string().contains("not followed") || e.to_string().contains("symbolic"),
                "{e}"
            );
        }
        assert_eq!(std::fs::read(&outside).unwrap(), b"keep");
    }

    #[test]
    fn a_longer_part_is_cut_and_a_shorter_one_restarts() {
        let d = tempfile::tempdir().unwrap();
        let part = d.path().join("x.part");
        std::fs::write(&part, b"0123456789").unwrap();
        let mut seen = Vec::new();
        let mut events = |e: Event| seen.push(e);
        let mut r = Resume {
            bytes: 4,
            ..Resume::default()
        };
        open_part(&part, &mut r, &mut events).unwrap();
        assert_eq!(std::fs::read(&part).unwrap(), b"0123");
        let mut r = Resume {
            bytes: 40,
            etag: Some("\"e\"".into()),
            ..Resume::default()
        };
        open_part(&part, &mut r, &mut events).unwrap();
        assert_eq!(r.bytes, 0);
        assert_eq!(r.etag, None);
        assert!(std::fs::read(&part).unwrap().is_empty());
        assert!(matches!(seen.last(), Some(Event::Restarted { .. })));
    }
}
