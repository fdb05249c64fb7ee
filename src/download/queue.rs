//! The download queue: one engine for the browser and the CLI.
//!
//! An actor task owns every item; each running item is a task of its own
//! that fetches the asset (for its name), a fresh link, then the bytes
//! through [`transfer::run`], and reports back on a channel. At most
//! `jobs` items run at once. The actor journals what must survive a crash
//! ([`Journal`]) and publishes a [`Snapshot`] at most ten times a second.
//! It also runs uploads of local files (`upload`), items of the same
//! snapshot that answer the same commands, outside the journal and the
//! `jobs` limit.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};

use super::journal::{Entry, Journal};
use super::place::{link_no_clobber, make_dirs, placed_twin, sync_dir};
use super::sniff::extension_for;
use super::transfer::{self, Event, LinkFn, Resume, Signal, TransferError};
use super::upload::{UploadReport, Uploads};
use crate::api::{ApiError, Client};
use crate::naming::{self, AssetName};
use crate::provider::Service;
use crate::sanitize;
pub use crate::transfers::{Direction, ItemView, Phase, Refusal, Request, Snapshot, REFUSALS_KEPT};

/// The default name template: the asset's id, as the batch API would.
pub const DEFAULT_TEMPLATE: &str = "<id>";
/// Items running at once by default.
pub const DEFAULT_JOBS: usize = 3;
/// Least time between two published snapshots.
pub const PUBLISH_EVERY: Duration = Duration::from_millis(100);

/// How a queue works.
#[derive(Clone, Debug)]
pub struct Config {
    /// Items running at once (at least 1).
    pub jobs: usize,
    /// The directory files go in; nothing is written outside it.
    pub out: PathBuf,
    /// File names, with the tokens of [`crate::naming`].
    pub template: String,
    pub transfer: transfer::Options,
    /// Where the journal lives (`None`: no journal, nothing survives).
    pub journal_dir: Option<PathBuf>,
    /// Uploads' part size (before the service's rules) and parts sent at
    /// once ([`crate::api::uploads`]'s defaults).
    pub upload_part_size: u64,
    pub upload_parts_at_once: usize,
}

impl Config {
    pub fn new(out: PathBuf) -> Config {
        Config {
            jobs: DEFAULT_JOBS,
            out,
            template: DEFAULT_TEMPLATE.into(),
            transfer: transfer::Options::default(),
            journal_dir: None,
            upload_part_size: crate::api::uploads::DEFAULT_PART,
            upload_parts_at_once: crate::api::uploads::PART_CONCURRENCY,
        }
    }
}

/// `key` `None` means every item.
#[derive(Debug)]
enum Command {
    /// With a reply: each request's item key, or why it was refused.
    Add(Vec<Request>, Option<Added>),
    /// One zip of these assets, made by a server-side batch job.
    AddArchive(Vec<String>),
    /// A local file to upload as a new asset.
    Upload(PathBuf),
    Pause(Option<u64>),
    Resume(Option<u64>),
    Cancel(Option<u64>),
    Retry(Option<u64>),
    /// Answered once every command before it is applied and published,
    /// and journalled.
    Sync(tokio::sync::oneshot::Sender<()>),
    /// Pause what runs, let it settle, close the journal, answer, stop.
    Close(tokio::sync::oneshot::Sender<()>),
}

/// The answer to [`Queue::add_keyed`].
type Added = tokio::sync::oneshot::Sender<Vec<Result<u64, String>>>;

/// A handle on a running queue; dropping every handle stops it (running
/// transfers are paused and stay in the journal).
#[derive(Clone)]
pub struct Queue {
    tx: mpsc::UnboundedSender<Command>,
    snapshots: watch::Receiver<Snapshot>,
}

impl Queue {
    /// Starts the queue; with a journal, it first takes over what a dead
    /// process left (`adopt`) — the browser's start and `download
    /// --resume` do, a plain `download` does not.
    pub fn start(client: Client, config: Config, adopt: bool) -> std::io::Result<Queue> {
        Queue::start_on(Service::Scenario(client), config, adopt)
    }

    /// Starts the queue on either provider: TwelveLabs offers no file
    /// downloads, so its queue holds uploads (a download asked of it
    /// fails, saying so).
    pub fn start_on(service: Service, config: Config, adopt: bool) -> std::io::Result<Queue> {
        let mut journal = match &config.journal_dir {
            Some(d) => Some(Journal::open(d)?),
            None => None,
        };
        let mut next_key = 1;
        let mut items = BTreeMap::new();
        if let Some(j) = journal.as_mut() {
            let mut found: Vec<(u64, Entry)> = j.entries().map(|(k, e)| (*k, e.clone())).collect();
            next_key = found.iter().map(|(k, _)| k + 1).max().unwrap_or(1);
            if adopt {
                found.extend(j.adopt_orphans(&mut next_key)?);
            }
            for (key, entry) in found {
                items.insert(key, Item::restored(key, entry));
            }
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let (snap_tx, snapshots) = watch::channel(Snapshot::default());
        let (ev_tx, ev_rx) = mpsc::unbounded_channel();
        let actor = Actor {
            service,
            config: Arc::new(config),
            journal,
            items,
            next_key,
            ev_tx,
            snap_tx,
            version: 0,
            refused: Default::default(),
            refusals: 0,
            stopping: false,
            uploads: Uploads::default(),
        };
        tokio::spawn(actor.run(rx, ev_rx));
        Ok(Queue { tx, snapshots })
    }

    pub fn add(&self, requests: Vec<Request>) {
        let _ = self.tx.send(Command::Add(requests, None));
    }

    /// Queues `requests` and answers, for each in order, the key of the
    /// item that fetches it (a new one, or a stopped process's taken
    /// over) or why it was refused. A queue that is gone refuses all.
    pub async fn add_keyed(&self, requests: Vec<Request>) -> Vec<Result<u64, String>> {
        let n = requests.len();
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.tx.send(Command::Add(requests, Some(tx))).is_ok() {
            if let Ok(keys) = rx.await {
                return keys;
            }
        }
        vec![Err("the download queue has stopped".to_string()); n]
    }
    /// Queues one archive of `ids`: the batch job is requested and polled
    /// in the item's "getting link" phase, the zip fetched like any file.
    pub fn add_archive(&self, ids: Vec<String>) {
        let _ = self.tx.send(Command::AddArchive(ids));
    }
    /// Queues the upload of a local file as a new asset: an item of the
    /// same snapshot, paused, resumed, cancelled and retried like any.
    pub fn upload(&self, file: PathBuf) {
        let _ = self.tx.send(Command::Upload(file));
    }
    pub fn pause(&self, key: Option<u64>) {
        let _ = self.tx.send(Command::Pause(key));
    }
    pub fn resume(&self, key: Option<u64>) {
        let _ = self.tx.send(Command::Resume(key));
    }
    pub fn cancel(&self, key: Option<u64>) {
        let _ = self.tx.send(Command::Cancel(key));
    }
    pub fn retry(&self, key: Option<u64>) {
        let _ = self.tx.send(Command::Retry(key));
    }

    /// Returns once every command sent before is applied, the snapshot
    /// that shows it published and the journal's records on disk.
    pub async fn sync(&self) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.tx.send(Command::Sync(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    /// Stops the queue: running items are paused (kept in the journal),
    /// the journal is closed (removed when nothing is left in it).
    pub async fn close(self) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.tx.send(Command::Close(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    /// Snapshots as they are published (at most every [`PUBLISH_EVERY`]).
    pub fn subscribe(&self) -> watch::Receiver<Snapshot> {
        self.snapshots.clone()
    }

    /// Waits until a published snapshot satisfies `done`, and returns it.
    pub async fn wait_for(&self, done: impl Fn(&Snapshot) -> bool) -> Snapshot {
        let mut rx = self.snapshots.clone();
        loop {
            {
                let s = rx.borrow_and_update();
                if done(&s) {
                    return s.clone();
                }
            }
            if rx.changed().await.is_err() {
                return rx.borrow().clone();
            }
        }
    }
}

/// What an item's task tells the actor.
pub(super) enum Report {
    Named(Vec<String>),
    /// The item's own partial file was chosen (nothing of it is written
    /// before this is in the journal: see [`Report::Recorded`]).
    Part(String),
    /// An archive's batch job was created.
    Job(String),
    /// Where the batch job stands (`queued`, `warming-up`, …), shown as
    /// the item's note until the archive's bytes flow.
    JobStatus(String),
    Transfer(Event),
    /// Answered once every report before it is in the journal (the
    /// transfer waits for it after a restart, see [`transfer::RecordFn`]).
    Recorded(tokio::sync::oneshot::Sender<()>),
    /// `Ok`: the file has its final name; its `.part` name is removed once
    /// the journal no longer names the item ([`Report::Placed`]).
    Finished(Result<PathBuf, TransferError>),
    /// The journal forgot a finished item and its `.part` name is gone:
    /// it is done.
    Placed,
    /// From an upload's task.
    Upload(UploadReport),
}

struct Item {
    view: ItemView,
    entry: Entry,
    /// Set while its task runs.
    signal: Option<watch::Sender<Signal>>,
    /// (when, bytes) samples for the speed.
    samples: Vec<(Instant, u64)>,
}

impl Item {
    fn new(key: u64, entry: Entry) -> Item {
        let name = entry.path.join("/");
        Item {
            view: ItemView {
                key,
                direction: Direction::Download,
                asset_id: entry.asset_id.clone(),
                format: entry.format.clone(),
                name: sanitize::line(&name, 200),
                phase: Phase::Queued,
                bytes: entry.resume.bytes,
                total: entry.resume.total,
                speed: 0.0,
                eta: None,
                path: None,
                error: None,
                note: None,
                fetched: 0,
                assets: entry.batch.clone(),
            },
            entry,
            signal: None,
            samples: Vec::new(),
        }
    }

    fn restored(key: u64, entry: Entry) -> Item {
        let paused = entry.paused;
        let failed = entry.failed.clone();
        let mut item = Item::new(key, entry);
        if let Some(why) = failed {
            item.view.phase = Phase::Failed;
            item.view.error = Some(why);
        } else if paused {
            item.view.phase = Phase::Paused;
        }
        item
    }

    fn sample(&mut self, bytes: u64) {
        sample(&mut self.view, &mut self.samples, bytes);
    }
}

/// The speed and ETA of an item from (when, bytes) samples of the last
/// few seconds, `bytes` the latest.
pub(super) fn sample(view: &mut ItemView, samples: &mut Vec<(Instant, u64)>, bytes: u64) {
    let now = Instant::now();
    samples.push((now, bytes));
    let window = Duration::from_secs(3);
    while samples.len() > 2 && now - samples[0].0 > window {
        samples.remove(0);
    }
    let (t0, b0) = samples[0];
    let dt = (now - t0).as_secs_f64();
    view.speed = if dt > 0.2 {
        bytes.saturating_sub(b0) as f64 / dt
    } else {
        view.speed
    };
    view.eta = match view.total {
        Some(total) if view.speed > 1.0 => Some(Duration::from_secs_f64(
            total.saturating_sub(bytes) as f64 / view.speed,
        )),
        _ => None,
    };
}

struct Actor {
    /// Downloads speak Scenario; uploads either provider.
    service: Service,
    config: Arc<Config>,
    journal: Option<Journal>,
    items: BTreeMap<u64, Item>,
    next_key: u64,
    ev_tx: mpsc::UnboundedSender<(u64, Report)>,
    snap_tx: watch::Sender<Snapshot>,
    version: u64,
    refused: std::collections::VecDeque<Refusal>,
    refusals: u64,
    /// Every handle is gone (the browser quit): what stops now is kept in
    /// the journal as not paused, so the next start continues it, as the
    /// browser's quit question says.
    stopping: bool,
    uploads: Uploads,
}

impl Actor {
    async fn run(
        mut self,
        mut commands: mpsc::UnboundedReceiver<Command>,
        mut reports: mpsc::UnboundedReceiver<(u64, Report)>,
    ) {
        let mut dirty = true;
        let mut last = Instant::now() - PUBLISH_EVERY;
        let mut handles_alive = true;
        let mut closing: Option<tokio::sync::oneshot::Sender<()>> = None;
        loop {
            let running = self.running();
            if closing.is_some() && !running {
                self.publish();
                self.journal = None;
                let _ = closing.take().map(|c| c.send(()));
                return;
            }
            if closing.is_none() {
                self.schedule();
            }
            if dirty && last.elapsed() >= PUBLISH_EVERY {
                self.publish();
                last = Instant::now();
                dirty = false;
            }
            let running = self.running();
            if !handles_alive && !running {
                self.publish();
                return;
            }
            let deadline = tokio::time::Instant::from_std(last + PUBLISH_EVERY);
            tokio::select! {
                cmd = commands.recv(), if handles_alive => match cmd {
                    Some(Command::Close(done)) => {
                        for item in self.items.values() {
                            if let Some(s) = &item.signal {
                                let _ = s.send(Signal::Pause);
                            }
                        }
                        self.uploads.pause_running();
                        closing = Some(done);
                    }
                    Some(Command::Sync(done)) => {
                        self.schedule();
                        self.publish();
                        last = Instant::now();
                        dirty = false;
                        self.when_journalled(done);
                    }
                    Some(c) => { self.command(c); dirty = true; }
                    None => {
                        // nobody listens: pause what runs, keep the journal
                        handles_alive = false;
                        self.stopping = true;
                        for item in self.items.values() {
                            if let Some(s) = &item.signal {
                                let _ = s.send(Signal::Pause);
                            }
                        }
                        self.uploads.pause_running();
                    }
                },
                Some((key, report)) = reports.recv() => {
                    let finished = matches!(
                        report,
                        Report::Finished(_) | Report::Placed | Report::Upload(UploadReport::Finished(_))
                    );
                    self.report(key, report);
                    dirty = true;
                    // the last item to end is told at once: a script waiting
                    // for the queue to settle does not wait for the throttle
                    if finished && self.idle() {
                        self.publish();
                        last = Instant::now();
                        dirty = false;
                    }
                }
                _ = tokio::time::sleep_until(deadline), if dirty => {}
            }
        }
    }

    /// Every item has ended or is paused ([`Snapshot::settled`]).
    fn idle(&self) -> bool {
        self.items.values().all(|i| i.view.phase.settled()) && self.uploads.idle()
    }

    /// Some item's task runs.
    fn running(&self) -> bool {
        self.items.values().any(|i| i.signal.is_some()) || self.uploads.running() > 0
    }

    fn publish(&mut self) {
        self.version += 1;
        // downloads and uploads in the order they were asked for
        let mut items: Vec<ItemView> = self
            .items
            .values()
            .map(|i| i.view.clone())
            .chain(self.uploads.views().cloned())
            .collect();
        items.sort_by_key(|i| i.key);
        let snapshot = Snapshot {
            items,
            version: self.version,
            refused: self.refused.iter().cloned().collect(),
        };
        self.snap_tx.send_replace(snapshot);
    }

    fn journal_put(&mut self, key: u64) {
        let (Some(j), Some(item)) = (self.journal.as_mut(), self.items.get(&key)) else {
            return;
        };
        if let Err(e) = j.put(key, &item.entry) {
            tracing::warn!(error = %e, "download journal write failed");
        }
    }

    fn journal_remove(&mut self, key: u64) {
        if let Some(j) = self.journal.as_mut() {
            if let Err(e) = j.remove(key) {
                tracing::warn!(error = %e, "download journal write failed");
            }
        }
    }

    /// Answers `done` once every record journalled so far is on disk (at
    /// once without a journal). A write error was logged by the journal;
    /// the waiter goes on either way, as it did when records were written
    /// here.
    fn when_journalled(&self, done: tokio::sync::oneshot::Sender<()>) {
        match &self.journal {
            Some(j) => j.when_durable(move |_| {
                let _ = done.send(());
            }),
            None => {
                let _ = done.send(());
            }
        }
    }

    /// A finished item's `.part` name (another name of the placed file)
    /// is removed once the journal's record of the final name is on disk
    /// and so is the final name (its directory synced), then
    /// [`Report::Placed`] says it is done (and the journal forgets it). A
    /// crash before leaves the entry and both names ([`placed_twin`]
    /// finishes it) or the `.part` alone (fetched on from it), after it
    /// an entry that names the placed file: never an entry whose `.part`
    /// is gone and whose file is unknown (which would fetch it again, as
    /// a second copy). When a sync fails the `.part` name stays beside
    /// the file (a warning names it): a stray name, not a lost file.
    ///
    /// While other transfers run, the record and the directory ride on
    /// their syncs (each new item's part name is awaited) instead of
    /// asking for their own: with many small files that halves the
    /// journal's syncs, files placed together share one directory sync,
    /// and the item shows [`Phase::Saving`] (no longer one of the `jobs`)
    /// for up to the journal's `LAZY_SYNC` (100 ms) before "done". The last one
    /// asks, so a queue that ends is told at once.
    fn drop_part_when_journalled(&self, key: u64) {
        let Some(item) = self.items.get(&key) else {
            return;
        };
        let part = item.entry.part_path();
        let dir = item
            .entry
            .placed
            .as_deref()
            .and_then(std::path::Path::parent)
            .map(std::path::Path::to_path_buf);
        let reports = self.ev_tx.clone();
        let finish = move |synced: std::io::Result<()>| {
            match (part, synced) {
                (Some(p), Ok(())) => {
                    let _ = std::fs::remove_file(p);
                }
                (Some(p), Err(e)) => tracing::warn!(
                    error = %e,
                    part = %p.display(),
                    "a placed download's name may not be on disk yet: its .part name is kept"
                ),
                (None, _) => {}
            }
            let _ = reports.send((key, Report::Placed));
        };
        match &self.journal {
            Some(j) if self.running() => j.when_synced(dir, finish),
            Some(j) => j.when_durable(move |r| {
                let synced = r.and_then(|()| dir.as_deref().map_or(Ok(()), sync_dir));
                finish(synced)
            }),
            None => {
                tokio::task::spawn_blocking(move || {
                    finish(dir.as_deref().map_or(Ok(()), sync_dir));
                });
            }
        }
    }

    fn keys(&self, key: Option<u64>) -> Vec<u64> {
        match key {
            Some(k) => vec![k],
            None => self.items.keys().copied().collect(),
        }
    }

    fn command(&mut self, cmd: Command) {
        match cmd {
            Command::Sync(_) | Command::Close(_) => {}
            Command::Add(requests, reply) => {
                let mut keys = Vec::with_capacity(requests.len());
                for r in requests {
                    if let Some(why) = self.already_coming(&r) {
                        keys.push(Err(why.clone()));
                        self.refuse(r, why);
                        continue;
                    }
                    if let Some(key) = self.adopt_dead(&r) {
                        keys.push(Ok(key));
                        continue;
                    }
                    let key = self.next_key;
                    self.next_key += 1;
                    keys.push(Ok(key));
                    let entry = Entry {
                        dir: self.dir_of(&r).to_path_buf(),
                        path: given_name(r.name.as_deref()),
                        asset_id: r.asset_id,
                        format: r.format,
                        resume: Resume::default(),
                        paused: false,
                        failed: None,
                        batch: Vec::new(),
                        job: None,
                        part: None,
                        placed: None,
                    };
                    self.items.insert(key, Item::new(key, entry));
                    self.journal_put(key);
                }
                if let Some(reply) = reply {
                    let _ = reply.send(keys);
                }
            }
            Command::AddArchive(ids) => {
                let key = self.next_key;
                self.next_key += 1;
                let entry = Entry {
                    asset_id: format!("zip of {} assets", ids.len()),
                    format: None,
                    dir: self.config.out.clone(),
                    path: Vec::new(),
                    resume: Resume::default(),
                    paused: false,
                    failed: None,
                    batch: ids,
                    job: None,
                    part: None,
                    placed: None,
                };
                self.items.insert(key, Item::new(key, entry));
                self.journal_put(key);
            }
            Command::Upload(file) => {
                let key = self.next_key;
                self.next_key += 1;
                self.uploads.add(key, file);
            }
            Command::Pause(key) => {
                self.uploads.pause(key);
                for k in self.keys(key) {
                    let Some(item) = self.items.get_mut(&k) else {
                        continue;
                    };
                    match (&item.signal, item.view.phase) {
                        (Some(s), _) => {
                            let _ = s.send(Signal::Pause);
                        }
                        (None, Phase::Queued) => {
                            item.view.phase = Phase::Paused;
                            item.entry.paused = true;
                            self.journal_put(k);
                        }
                        _ => {}
                    }
                }
            }
            Command::Resume(key) => {
                self.uploads.resume(key);
                for k in self.keys(key) {
                    if let Some(item) = self.items.get_mut(&k) {
                        if item.view.phase == Phase::Paused && item.signal.is_none() {
                            item.view.phase = Phase::Queued;
                            item.entry.paused = false;
                            self.journal_put(k);
                        }
                    }
                }
            }
            Command::Retry(key) => {
                self.uploads.retry(key);
                for k in self.keys(key) {
                    if let Some(item) = self.items.get_mut(&k) {
                        if matches!(item.view.phase, Phase::Failed | Phase::Cancelled) {
                            item.view.phase = Phase::Queued;
                            item.view.error = None;
                            item.view.note = None;
                            item.entry.failed = None;
                            item.entry.paused = false;
                            self.journal_put(k);
                        }
                    }
                }
            }
            Command::Cancel(key) => {
                self.uploads.cancel(key);
                for k in self.keys(key) {
                    let Some(item) = self.items.get_mut(&k) else {
                        continue;
                    };
                    if let Some(s) = &item.signal {
                        let _ = s.send(Signal::Cancel);
                    } else if !matches!(item.view.phase, Phase::Done | Phase::Cancelled) {
                        item.view.phase = Phase::Cancelled;
                        remove_part(&item.entry);
                        self.journal_remove(k);
                    }
                }
            }
        }
    }

    /// Starts queued items while there is room.
    fn schedule(&mut self) {
        self.uploads
            .schedule(&self.service, &self.config, &self.ev_tx);
        let Service::Scenario(client) = &self.service else {
            let queued: Vec<u64> = self
                .items
                .iter()
                .filter(|(_, i)| i.view.phase == Phase::Queued && i.signal.is_none())
                .map(|(k, _)| *k)
                .collect();
            for key in queued {
                let why = format!(
                    "{} offers no file downloads",
                    self.service.provider().title()
                );
                self.fail(key, &why, false);
            }
            return;
        };
        let running = self.items.values().filter(|i| i.signal.is_some()).count();
        let room = self.config.jobs.max(1).saturating_sub(running);
        let ready: Vec<u64> = self
            .items
            .iter()
            .filter(|(_, i)| i.view.phase == Phase::Queued && i.signal.is_none())
            .map(|(k, _)| *k)
            .take(room)
            .collect();
        for key in ready {
            let item = self.items.get_mut(&key).expect("listed");
            let (sig_tx, sig_rx) = watch::channel(Signal::Run);
            item.signal = Some(sig_tx);
            item.view.phase = Phase::GettingLink;
            item.view.note = None;
            item.samples.clear();
            let task = ItemTask {
                key,
                client: client.clone(),
                config: self.config.clone(),
                entry: item.entry.clone(),
                reports: self.ev_tx.clone(),
            };
            tokio::spawn(task.run(sig_rx));
        }
    }

    fn report(&mut self, key: u64, report: Report) {
        let report = match report {
            Report::Upload(r) => return self.uploads.report(key, r),
            r => r,
        };
        let Some(item) = self.items.get_mut(&key) else {
            return;
        };
        match report {
            Report::Upload(_) => {}
            Report::Named(path) => {
                item.view.name = sanitize::line(&path.join("/"), 200);
                item.entry.path = path;
                self.journal_put(key);
            }
            Report::Job(job) => {
                item.entry.job = Some(job);
                self.journal_put(key);
            }
            Report::JobStatus(status) => {
                if item.view.phase == Phase::GettingLink {
                    item.view.note = Some(format!("job {}", sanitize::line(&status, 40)));
                }
            }
            Report::Part(name) => {
                // a new file: whatever an older entry counted is not in it
                item.entry.part = Some(name);
                item.entry.resume.forget_bytes();
                item.view.bytes = 0;
                self.journal_put(key);
            }
            Report::Transfer(ev) => match ev {
                Event::Link => item.view.phase = Phase::GettingLink,
                Event::Started { from, total } => {
                    item.view.phase = Phase::Downloading;
                    item.view.bytes = from;
                    item.view.total = total;
                    item.view.note = None;
                    item.samples.clear();
                    item.sample(from);
                }
                Event::Progress { bytes, total } => {
                    item.view.fetched += bytes.saturating_sub(item.view.bytes);
                    item.view.bytes = bytes;
                    if total.is_some() {
                        item.view.total = total;
                    }
                    item.sample(bytes);
                }
                Event::Checkpoint(resume) => {
                    item.entry.resume = resume;
                    self.journal_put(key);
                }
                Event::Retrying { attempt, wait, why } => {
                    item.view.note = Some(format!(
                        "retry {attempt} in {:.1} s: {}",
                        wait.as_secs_f64(),
                        sanitize::line(&why, 120)
                    ));
                }
                Event::Restarted { why } => {
                    // the `.part` was emptied: the journal must stop
                    // vouching for its old bytes
                    item.entry.resume.forget_bytes();
                    self.journal_put(key);
                    let Some(item) = self.items.get_mut(&key) else {
                        return;
                    };
                    item.view.bytes = 0;
                    item.samples.clear();
                    item.view.note = Some(format!("restarted: {}", sanitize::line(&why, 120)));
                }
            },
            Report::Recorded(done) => self.when_journalled(done),
            Report::Placed => {
                item.view.phase = Phase::Done;
                item.view.note = None;
                if let Some(t) = item.view.total {
                    item.view.bytes = t;
                }
                self.journal_remove(key);
            }
            Report::Finished(result) => {
                item.signal = None;
                item.view.speed = 0.0;
                item.view.eta = None;
                match result {
                    Ok(path) => {
                        item.view.phase = Phase::Saving;
                        item.view.path = Some(path.clone());
                        item.entry.placed = Some(path);
                        self.journal_put(key);
                        self.drop_part_when_journalled(key);
                    }
                    Err(TransferError::Paused) => {
                        item.view.phase = Phase::Paused;
                        item.entry.paused = !self.stopping;
                        self.journal_put(key);
                    }
                    Err(TransferError::Cancelled) => {
                        item.view.phase = Phase::Cancelled;
                        remove_part(&item.entry);
                        self.journal_remove(key);
                    }
                    Err(TransferError::DiskFull(why)) => self.fail(key, &why, true),
                    Err(TransferError::Failed(why)) => self.fail(key, &why, false),
                }
            }
        }
    }
}

impl Actor {
    /// Why `r` must not be queued: an active item here, or a live entry
    /// in another process's journal, already fetches the same asset in
    /// the same format into the same directory.
    fn already_coming(&self, r: &Request) -> Option<String> {
        let (id, format, dir) = (&r.asset_id, r.format.as_deref(), self.dir_of(r));
        let what = || match format {
            Some(f) => format!("{} (as {f})", sanitize::line(id, 80)),
            None => sanitize::line(id, 80),
        };
        if let Some(i) = self
            .items
            .values()
            .find(|i| i.view.phase.active() && i.entry.same_target(id, format, dir))
        {
            return Some(format!(
                "{} is already in the downloads ({}) into {}",
                what(),
                i.view.phase.label(),
                sanitize::line(&dir.display().to_string(), 200)
            ));
        }
        let elsewhere = match self.journal.as_ref().map(Journal::live_elsewhere) {
            Some(Ok(found)) => found,
            Some(Err(e)) => {
                tracing::warn!(error = %e, "cannot read the other download journals");
                Vec::new()
            }
            None => Vec::new(),
        };
        elsewhere
            .into_iter()
            .find(|(_, e)| e.failed.is_none() && e.same_target(id, format, dir))
            .map(|(pid, _)| {
                format!(
                    "{} is already being downloaded into {} by another assetui (process {pid})",
                    what(),
                    sanitize::line(&dir.display().to_string(), 200)
                )
            })
    }

    /// The same file asked for again after the process that fetched it
    /// died or stopped (a full disk, say): its journal entry and partial
    /// file are taken over and carried on, instead of a fresh download now
    /// and a duplicate at the next `--resume`. The item's key when one was.
    fn adopt_dead(&mut self, r: &Request) -> Option<u64> {
        let (id, format) = (&r.asset_id, r.format.as_deref());
        let dir = self.dir_of(r).to_path_buf();
        let journal = self.journal.as_mut()?;
        let found = journal.adopt_one(&mut self.next_key, |e| e.same_target(id, format, &dir));
        let (key, mut entry) = match found {
            Ok(Some(found)) => found,
            Ok(None) => return None,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the other download journals");
                return None;
            }
        };
        tracing::info!(asset = %entry.asset_id, bytes = entry.resume.bytes, "download carried on from a stopped process");
        entry.failed = None;
        entry.paused = false;
        self.items.insert(key, Item::new(key, entry));
        self.journal_put(key);
        Some(key)
    }

    /// The directory a request's file goes in.
    fn dir_of<'a>(&'a self, r: &'a Request) -> &'a std::path::Path {
        r.dir.as_deref().unwrap_or(&self.config.out)
    }

    fn refuse(&mut self, r: Request, why: String) {
        tracing::info!(asset = %r.asset_id, %why, "download refused");
        self.refusals += 1;
        if self.refused.len() == REFUSALS_KEPT {
            self.refused.pop_front();
        }
        self.refused.push_back(Refusal {
            seq: self.refusals,
            asset_id: r.asset_id,
            format: r.format,
            why,
        });
    }

    /// An item failed: it is kept in the journal for a later resume when
    /// there is something to resume (a partial file, or a full disk).
    fn fail(&mut self, key: u64, why: &str, disk_full: bool) {
        let Some(item) = self.items.get_mut(&key) else {
            return;
        };
        let why = sanitize::line(why, 300);
        item.view.phase = Phase::Failed;
        item.view.note = None;
        item.view.error = Some(why.clone());
        item.entry.failed = Some(why);
        if item.entry.resume.bytes > 0 || disk_full {
            self.journal_put(key);
        } else {
            remove_part(&item.entry);
            self.journal_remove(key);
        }
    }
}

/// A name the asking side gave, each component made safe again (the
/// queue trusts no caller with paths); empty (the queue names the file
/// from the asset) when none is left.
fn given_name(name: Option<&[String]>) -> Vec<String> {
    let parts: Vec<String> = name
        .unwrap_or_default()
        .iter()
        .map(|c| naming::component(c, naming::MAX_NAME_BYTES))
        .filter(|c| !c.is_empty())
        .collect();
    parts
}

/// Removes the item's own partial file: only a plain file with no other
/// name (a symlink, FIFO or hard link planted there, which the transfer
/// refused to write through, is left alone).
fn remove_part(entry: &Entry) {
    use std::os::unix::fs::MetadataExt;
    let Some(part) = entry.part_path() else {
        return;
    };
    match std::fs::symlink_metadata(&part) {
        Ok(m) if m.file_type().is_file() && m.nlink() == 1 => {
            let _ = std::fs::remove_file(&part);
        }
        Ok(_) => tracing::info!(part = %part.display(), "not a plain file of ours: left alone"),
        Err(_) => {}
    }
}

/// One item's work, on a task of its own.
struct ItemTask {
    key: u64,
    client: Client,
    config: Arc<Config>,
    entry: Entry,
    reports: mpsc::UnboundedSender<(u64, Report)>,
}

impl ItemTask {
    async fn run(mut self, mut signal: watch::Receiver<Signal>) {
        let result = self.fetch(&mut signal).await;
        let _ = self.reports.send((self.key, Report::Finished(result)));
    }

    fn send(&self, report: Report) {
        let _ = self.reports.send((self.key, report));
    }

    async fn fetch(
        &mut self,
        signal: &mut watch::Receiver<Signal>,
    ) -> Result<PathBuf, TransferError> {
        if !self.entry.batch.is_empty() {
            return self.fetch_archive(signal).await;
        }
        if self.entry.path.is_empty() {
            let asset = tokio::select! {
                a = self.client.get_asset(&self.entry.asset_id) => a.map_err(api_failure)?,
                _ = until_stopped(signal) => return Err(stopped(signal)),
            };
            let name = AssetName::of(&asset);
            self.entry.path = naming::expand(&self.config.template, &name.fields(), "");
            self.send(Report::Named(self.entry.path.clone()));
        }
        let dir = self.entry.target_dir();
        make_dirs(
            &self.entry.dir,
            &self.entry.path[..self.entry.path.len() - 1],
        )
        .map_err(|e| TransferError::Failed(format!("cannot make {}: {e}", dir.display())))?;
        let client = self.client.clone();
        let id = self.entry.asset_id.clone();
        let format = self.entry.format.clone();
        let link: LinkFn = Arc::new(move || {
            let client = client.clone();
            let id = id.clone();
            let format = format.clone();
            Box::pin(async move {
                client
                    .download_link(&id, format.as_deref())
                    .await
                    .map_err(api_failure)
            })
        });
        self.transfer(link, signal).await
    }

    /// The bytes behind `link` into the `.part`, then into place under a
    /// free name with the extension their content calls for.
    async fn transfer(
        &mut self,
        link: LinkFn,
        signal: &mut watch::Receiver<Signal>,
    ) -> Result<PathBuf, TransferError> {
        let dir = self.entry.target_dir();
        let reports = self.reports.clone();
        let key = self.key;
        let mut events = move |ev: Event| {
            let _ = reports.send((key, Report::Transfer(ev)));
        };
        if let Some(done) = self
            .entry
            .placed
            .clone()
            .filter(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
        {
            // placed and recorded before a crash; the `.part` name (if
            // still there) goes as for any finished item
            return Ok(done);
        }
        let part = match self.entry.part_path() {
            Some(p) => p,
            None => self.choose_part(&dir, &link, signal).await?,
        };
        if let Some(done) = placed_twin(&part, &dir, self.entry.stem(), self.entry.resume.total) {
            // placed before a crash; only the `.part` name was left (the
            // queue removes it once the journal forgot the item)
            return Ok(done);
        }
        let reports = self.reports.clone();
        let recorded: transfer::RecordFn = Arc::new(move || {
            let (done, answered) = tokio::sync::oneshot::channel();
            let _ = reports.send((key, Report::Recorded(done)));
            Box::pin(async move {
                // a queue that is gone records nothing either
                let _ = answered.await;
            })
        });
        let job = transfer::Job {
            http: self.client.http(),
            link: &link,
            part: &part,
            opts: &self.config.transfer,
            recorded: &recorded,
        };
        let fetched = transfer::run(&job, &mut self.entry.resume, &mut events, signal).await?;
        let ext = extension_for(&fetched.head, fetched.mime.as_deref());
        let name = format!("{}.{ext}", self.entry.stem());
        // a link and the directory's sync, on a blocking thread as the
        // transfer's own syncs; the `.part` name stays until the journal
        // forgot the item (the queue removes it then)
        let placed = {
            let name = name.clone();
            tokio::task::spawn_blocking(move || link_no_clobber(&part, &dir, &name)).await
        };
        placed
            .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())))
            .map_err(|e| TransferError::Failed(format!("cannot place {name}: {e}")))
    }

    /// Picks this item's own partial file, a name nothing in `dir` has, and
    /// waits until the journal names it before anything is written there:
    /// a crash then leaves either no file or one the journal vouches for.
    /// Meanwhile the signed link is asked for (when none is kept), so that
    /// the journal's sync and the API's answer overlap: for small files
    /// they are most of an item's time. A link that fails is asked for
    /// again by the transfer, which reports the failure as it does any.
    async fn choose_part(
        &mut self,
        dir: &std::path::Path,
        link: &LinkFn,
        signal: &mut watch::Receiver<Signal>,
    ) -> Result<PathBuf, TransferError> {
        let stem = self.entry.stem().to_owned();
        let mut name = super::journal::part_name(&stem);
        let mut tries = 0;
        while std::fs::symlink_metadata(dir.join(&name)).is_ok() {
            tries += 1;
            if tries > 100 {
                return Err(TransferError::Failed(format!(
                    "no free name for a partial file of {stem} in {}",
                    dir.display()
                )));
            }
            name = super::journal::part_name(&stem);
        }
        self.entry.part = Some(name.clone());
        self.entry.resume.forget_bytes();
        self.send(Report::Part(name.clone()));
        let (done, answered) = tokio::sync::oneshot::channel();
        self.send(Report::Recorded(done));
        let linking = self.entry.resume.url.is_none().then(|| {
            self.send(Report::Transfer(Event::Link));
            link()
        });
        let linked = async move {
            match linking {
                Some(l) => l.await.ok(),
                None => None,
            }
        };
        let (_, url) = tokio::select! {
            both = async { tokio::join!(answered, linked) } => both,
            _ = until_stopped(signal) => return Err(stopped(signal)),
        };
        if url.is_some() {
            self.entry.resume.url = url;
        }
        Ok(dir.join(name))
    }

    /// An archive: the batch job (requested once, kept in the journal),
    /// polled for its link whenever a link is needed; the zip goes in the
    /// chosen directory as `assets-JOB.zip`, names inside from the
    /// template.
    async fn fetch_archive(
        &mut self,
        signal: &mut watch::Receiver<Signal>,
    ) -> Result<PathBuf, TransferError> {
        let job = match self.entry.job.clone() {
            Some(j) => j,
            None => {
                self.send(Report::Transfer(Event::Link));
                let request = super::archive::request_job(
                    &self.client,
                    &self.entry.batch,
                    Some(&self.config.template),
                );
                let job = tokio::select! {
                    j = request => j.map_err(api_failure)?,
                    _ = until_stopped(signal) => return Err(stopped(signal)),
                };
                self.entry.job = Some(job.clone());
                self.send(Report::Job(job.clone()));
                job
            }
        };
        if self.entry.path.is_empty() {
            self.entry.path = vec![format!("assets-{}", naming::component(&job, 80))];
            self.send(Report::Named(self.entry.path.clone()));
        }
        let client = self.client.clone();
        let (reports, key) = (self.reports.clone(), self.key);
        let link: LinkFn = Arc::new(move || {
            let (client, job, reports) = (client.clone(), job.clone(), reports.clone());
            Box::pin(async move {
                let mut last = String::new();
                super::archive::wait_for_job(&client, &job, |status| {
                    if status != last {
                        last = status.to_string();
                        let _ = reports.send((key, Report::JobStatus(last.clone())));
                    }
                })
                .await
                .map_err(TransferError::Failed)
            })
        });
        self.transfer(link, signal).await
    }
}

/// Resolves when the item is asked to pause or cancel.
pub(super) async fn until_stopped(signal: &mut watch::Receiver<Signal>) {
    while *signal.borrow_and_update() == Signal::Run {
        if signal.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

fn stopped(signal: &watch::Receiver<Signal>) -> TransferError {
    match *signal.borrow() {
        Signal::Cancel => TransferError::Cancelled,
        _ => TransferError::Paused,
    }
}

fn api_failure(e: ApiError) -> TransferError {
    TransferError::Failed(e.to_string())
}
