//! The download queue's journal: what is queued or partly fetched, kept on
//! disk so a crash or `kill -9` loses nothing.
//!
//! One append-only file of JSON lines per running queue,
//! `<state dir>/downloads/<pid>.jsonl`, next to `<pid>.lock` which the
//! process holds with `flock` while it lives. Records are written and
//! `fdatasync`ed by a thread of the journal's own ([`Writer`]), so the
//! queue's task never waits on the disk: what arrives while one batch is
//! being synced goes out as the next batch, one `write` and one sync for
//! all of them (group commit). A caller that must know a record is on
//! disk before it goes on (a partial file named before it is created)
//! asks [`Journal::when_durable`]; a record nobody waits for is written
//! at once and synced with the next one somebody waits for, or
//! [`LAZY_SYNC`] later. A caller that must know but is in no hurry (a
//! finished file's `.part` name removed) asks [`Journal::when_synced`]
//! and is told at that sync, without one of its own; the directory it
//! linked the file into is synced then too, once for all who ride. A
//! torn last line (the crash came mid-write) is ignored. Another process
//! adopts a journal whose lock it can take: its owner is gone. The file is rewritten (atomically) with
//! only the live entries when it has grown well past them.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::place::{sync_dir, write_atomic};
use super::transfer::Resume;

/// Where journals live: `$XDG_STATE_HOME/assetui/downloads`, shared by
/// the CLI and the browser.
pub fn default_dir() -> Option<PathBuf> {
    crate::dirs::state_dir().map(|d| d.join("downloads"))
}

/// One download the journal keeps until it is done or cancelled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub asset_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The directory chosen by the user; nothing is written outside it.
    pub dir: PathBuf,
    /// Subdirectories (from the name template) and the file name without
    /// its extension, each a sanitized component.
    pub path: Vec<String>,
    #[serde(default)]
    pub resume: Resume,
    #[serde(default)]
    pub paused: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
    /// An archive of these assets (a server-side batch job) rather than
    /// one asset's file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub batch: Vec<String>,
    /// The batch job, once requested (a resume asks it for a fresh link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// This item's partial file, in [`Entry::target_dir`]: a name of its
    /// own ([`part_name`]), recorded here before the file is created, so
    /// that no two items (in this process or another) ever share one and
    /// a `.part` this journal does not name is never touched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// The final name the finished file was linked to, recorded before
    /// its `.part` name is removed: a crash after that removal finds the
    /// file done here instead of fetching it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placed: Option<PathBuf>,
}

impl Entry {
    /// The directory the file goes in (the chosen one plus subdirectories).
    pub fn target_dir(&self) -> PathBuf {
        let mut d = self.dir.clone();
        for p in &self.path[..self.path.len().saturating_sub(1)] {
            d.push(p);
        }
        d
    }

    /// The file name without extension.
    pub fn stem(&self) -> &str {
        self.path.last().map(String::as_str).unwrap_or("asset")
    }

    /// The partial file, once one was chosen ([`Entry::part`]).
    pub fn part_path(&self) -> Option<PathBuf> {
        self.part.as_ref().map(|p| self.target_dir().join(p))
    }

    /// Whether this entry fetches `asset_id` in `format` into `dir` (one
    /// asset's file, not a zip).
    pub fn same_target(&self, asset_id: &str, format: Option<&str>, dir: &Path) -> bool {
        self.batch.is_empty()
            && self.asset_id == asset_id
            && self.format.as_deref() == format
            && self.dir == dir
    }
}

/// A fresh partial-file name for `stem`: `STEM.XXXXXX.part`, with six
/// random hex digits (the name fits: [`crate::naming::MAX_NAME_BYTES`]
/// leaves room for them).
pub fn part_name(stem: &str) -> String {
    format!("{stem}.{:06x}.part", fastrand::u32(..0x0100_0000))
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
enum Record {
    Put { key: u64, entry: Box<Entry> },
    Del { key: u64 },
}

/// This process's journal.
pub struct Journal {
    dir: PathBuf,
    path: PathBuf,
    writer: Writer,
    /// Held (flocked) for the journal's life.
    _lock: File,
    live: BTreeMap<u64, Entry>,
    records: usize,
}

impl Journal {
    /// Opens a fresh journal for this process in `dir` (created 0700).
    pub fn open(dir: &Path) -> io::Result<Journal> {
        fs::create_dir_all(dir)?;
        let _ = fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700));
        let pid = std::process::id();
        let lock = lock_file(&dir.join(format!("{pid}.lock")), true)?
            .ok_or_else(|| io::Error::other("the journal lock is held"))?;
        let path = dir.join(format!("{pid}.jsonl"));
        // a journal left by an earlier process with the same pid is ours
        let live = read_entries(&path).unwrap_or_default();
        write_atomic(&path, &lines(&live)?)?;
        Ok(Journal {
            dir: dir.to_path_buf(),
            writer: Writer::start(path.clone(), append_file(&path)?)?,
            path,
            _lock: lock,
            records: live.len(),
            live,
        })
    }

    /// The entries of journals whose owner has died, taken over: they are
    /// written into this journal and their files removed.
    pub fn adopt_orphans(&mut self, next_key: &mut u64) -> io::Result<Vec<(u64, Entry)>> {
        let mut adopted = Vec::new();
        let me = std::process::id().to_string();
        for item in fs::read_dir(&self.dir)? {
            let path = item?.path();
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if path.extension().and_then(|e| e.to_str()) != Some("lock") || stem == me {
                continue;
            }
            // a lock we can take belongs to nobody alive
            let Some(_held) = lock_file(&path, false)? else {
                continue;
            };
            let journal = self.dir.join(format!("{stem}.jsonl"));
            for (_, entry) in read_entries(&journal).unwrap_or_default() {
                let key = *next_key;
                *next_key += 1;
                self.put(key, &entry)?;
                adopted.push((key, entry));
            }
            // on disk here before they are gone from there
            self.flush()?;
            let _ = fs::remove_file(&journal);
            let _ = fs::remove_file(&path);
        }
        Ok(adopted)
    }

    /// Takes over the first entry of a dead process's journal that
    /// `wanted` picks (the same file asked for again, after that process
    /// failed or was stopped): it is written into this journal under the
    /// next key and deleted from the dead one, whose lock is held
    /// meanwhile, so two processes never take the same entry. Its partial
    /// file comes with it. The dead journal's other entries stay for a
    /// later adoption.
    pub fn adopt_one(
        &mut self,
        next_key: &mut u64,
        wanted: impl Fn(&Entry) -> bool,
    ) -> io::Result<Option<(u64, Entry)>> {
        let me = std::process::id().to_string();
        for item in fs::read_dir(&self.dir)? {
            let path = item?.path();
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if path.extension().and_then(|e| e.to_str()) != Some("lock") || stem == me {
                continue;
            }
            // a lock we can take belongs to nobody alive
            let Some(_held) = lock_file(&path, false)? else {
                continue;
            };
            let journal = self.dir.join(format!("{stem}.jsonl"));
            let entries = read_entries(&journal).unwrap_or_default();
            let Some((old_key, entry)) = entries.iter().find(|(_, e)| wanted(e)) else {
                continue;
            };
            let key = *next_key;
            *next_key += 1;
            self.put(key, entry)?;
            // on disk here before it is gone from there
            self.flush()?;
            if entries.len() == 1 {
                let _ = fs::remove_file(&journal);
                let _ = fs::remove_file(&path);
            } else {
                let mut line =
                    serde_json::to_vec(&Record::Del { key: *old_key }).map_err(io::Error::other)?;
                line.push(b'\n');
                let mut file = append_file(&journal)?;
                file.write_all(&line)?;
                file.sync_data()?;
            }
            return Ok(Some((key, entry.clone())));
        }
        Ok(None)
    }

    /// The entries of journals whose owner is alive (another process's
    /// queue, running now), with its pid.
    pub fn live_elsewhere(&self) -> io::Result<Vec<(u32, Entry)>> {
        let mut found = Vec::new();
        let me = std::process::id();
        for item in fs::read_dir(&self.dir)? {
            let path = item?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("lock") {
                continue;
            }
            let Some(pid) = path
                .file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.parse::<u32>().ok())
                .filter(|p| *p != me)
            else {
                continue;
            };
            // a lock we can take belongs to nobody alive
            if lock_file(&path, false)?.is_some() {
                continue;
            }
            let journal = self.dir.join(format!("{pid}.jsonl"));
            for (_, entry) in read_entries(&journal).unwrap_or_default() {
                found.push((pid, entry));
            }
        }
        Ok(found)
    }

    /// Entries already in this journal (after [`Journal::open`]).
    pub fn entries(&self) -> impl Iterator<Item = (&u64, &Entry)> {
        self.live.iter()
    }

    pub fn put(&mut self, key: u64, entry: &Entry) -> io::Result<()> {
        // in the live set first: a rewrite instead of the record holds it
        self.live.insert(key, entry.clone());
        self.append(&Record::Put {
            key,
            entry: Box::new(entry.clone()),
        })
    }

    pub fn remove(&mut self, key: u64) -> io::Result<()> {
        if self.live.remove(&key).is_some() {
            self.append(&Record::Del { key })?;
        }
        Ok(())
    }

    /// Hands the record to the writer thread (written and synced with
    /// whatever else is pending); [`Journal::when_durable`] tells when it
    /// is on disk. When the file has grown well past the live entries, it
    /// is rewritten with only those instead.
    fn append(&mut self, record: &Record) -> io::Result<()> {
        self.records += 1;
        if self.records > 64 && self.records > 4 * self.live.len() {
            self.records = self.live.len();
            return self.writer.send(Op::Rewrite(lines(&self.live)?));
        }
        let mut line = serde_json::to_vec(record).map_err(io::Error::other)?;
        line.push(b'\n');
        self.writer.send(Op::Append(line))
    }

    /// Calls `done` once every record written so far is on disk (with the
    /// error if the write or the sync failed).
    pub fn when_durable(&self, done: impl FnOnce(io::Result<()>) + Send + 'static) {
        if let Err(Op::Durable(done)) = self.writer.try_send(Op::Durable(Box::new(done))) {
            done(Err(io::Error::other("the journal's writer stopped")));
        }
    }

    /// Calls `done` once every record written so far is on disk, like
    /// [`Journal::when_durable`], but without a sync of its own: it is
    /// told at the next sync somebody else asks for, or [`LAZY_SYNC`]
    /// after the oldest record not yet synced. Nothing pending: at once.
    /// With `dir`, also once a sync of `dir` that started after this call
    /// has ended (a link made in it before is durable): the callers told
    /// together share one sync per directory. `done` hears of a failure
    /// of either.
    pub fn when_synced(
        &self,
        dir: Option<PathBuf>,
        done: impl FnOnce(io::Result<()>) + Send + 'static,
    ) {
        if let Err(Op::Synced(done, _)) = self.writer.try_send(Op::Synced(Box::new(done), dir)) {
            done(Err(io::Error::other("the journal's writer stopped")));
        }
    }

    /// Waits until every record written so far is on disk.
    pub fn flush(&self) -> io::Result<()> {
        let (tx, rx) = mpsc::channel();
        self.when_durable(move |r| {
            let _ = tx.send(r);
        });
        rx.recv()
            .unwrap_or_else(|_| Err(io::Error::other("the journal's writer stopped")))
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        // every record on disk before the process goes on (or ends)
        let stats = self.writer.close();
        tracing::debug!(
            records = stats.records,
            syncs = stats.syncs,
            "download journal closed"
        );
        // a clean end with nothing left leaves nothing behind
        if self.live.is_empty() {
            let _ = fs::remove_file(&self.path);
            let _ = fs::remove_file(self.dir.join(format!("{}.lock", std::process::id())));
        }
    }
}

/// The live entries as the journal's lines (what a rewrite holds).
fn lines(live: &BTreeMap<u64, Entry>) -> io::Result<Vec<u8>> {
    let mut text = Vec::new();
    for (key, entry) in live {
        let record = Record::Put {
            key: *key,
            entry: Box::new(entry.clone()),
        };
        text.extend(serde_json::to_vec(&record).map_err(io::Error::other)?);
        text.push(b'\n');
    }
    Ok(text)
}

/// Called once the records before it are on disk.
type Done = Box<dyn FnOnce(io::Result<()>) + Send>;

/// What the writer thread is asked to do, in order.
enum Op {
    /// One record's line.
    Append(Vec<u8>),
    /// The whole file replaced by these lines (atomically): the records
    /// before it are folded in.
    Rewrite(Vec<u8>),
    /// Answered once everything before it is on disk, synced now.
    Durable(Done),
    /// Answered once everything before it is on disk, at a sync that
    /// comes anyway (a [`Op::Durable`]'s, or [`LAZY_SYNC`]'s), and the
    /// directory (if any) synced after it.
    Synced(Done, Option<PathBuf>),
}

/// How long a record nobody waits for (a queued item, a checkpoint, a
/// finished item forgotten) may stay written but not synced: it then
/// rides on the sync of the next record someone waits for. A kill loses
/// none of them (they are written at once); a crash of the whole system
/// can lose this much of them, which costs refetched bytes at worst,
/// never a wrong file (a checkpoint follows the sync of its bytes).
const LAZY_SYNC: std::time::Duration = std::time::Duration::from_millis(100);

/// Counts kept by the writer thread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Records (and rewrites) written.
    pub records: u64,
    /// Syncs made for them: one per batch someone waits for, or per
    /// [`LAZY_SYNC`].
    pub syncs: u64,
}

/// The journal's writer thread: takes every operation pending when it
/// wakes as one batch, writes the batch's lines with one `write`, and if
/// the batch holds an [`Op::Durable`] syncs once and answers it (else
/// the sync waits for the next one, at most [`LAZY_SYNC`]). While it syncs, new
/// records queue up for the next batch: under load (eight transfers
/// checkpointing and finishing at once) a sync covers many records.
struct Writer {
    tx: Option<mpsc::Sender<Op>>,
    thread: Option<std::thread::JoinHandle<()>>,
    records: Arc<AtomicU64>,
    syncs: Arc<AtomicU64>,
    /// Held by the thread while it writes a batch; a test holds it to let
    /// records pile up into one batch.
    #[cfg(test)]
    gate: Arc<Mutex<()>>,
}

impl Writer {
    fn start(path: PathBuf, file: File) -> io::Result<Writer> {
        Writer::spawn(path, file, LAZY_SYNC, None)
    }

    /// A writer whose records nobody waits for are synced after `lazy`;
    /// with `seen`, the counts go there after every batch and every sync
    /// (for tests).
    fn spawn(
        path: PathBuf,
        file: File,
        lazy: std::time::Duration,
        seen: Option<mpsc::Sender<WriterStats>>,
    ) -> io::Result<Writer> {
        let (tx, rx) = mpsc::channel();
        let records = Arc::new(AtomicU64::new(0));
        let syncs = Arc::new(AtomicU64::new(0));
        let gate = Arc::new(Mutex::new(()));
        let mut state = WriterState {
            path,
            file,
            records: records.clone(),
            syncs: syncs.clone(),
            gate: gate.clone(),
            lazy,
            seen,
        };
        let thread = std::thread::Builder::new()
            .name("download-journal".into())
            .spawn(move || state.run(rx))?;
        Ok(Writer {
            tx: Some(tx),
            thread: Some(thread),
            records,
            syncs,
            #[cfg(test)]
            gate,
        })
    }

    fn send(&self, op: Op) -> io::Result<()> {
        self.try_send(op)
            .map_err(|_| io::Error::other("the journal's writer stopped"))
    }

    /// The operation back when the thread is gone.
    fn try_send(&self, op: Op) -> Result<(), Op> {
        match &self.tx {
            Some(tx) => tx.send(op).map_err(|e| e.0),
            None => Err(op),
        }
    }

    fn stats(&self) -> WriterStats {
        WriterStats {
            records: self.records.load(Ordering::Acquire),
            syncs: self.syncs.load(Ordering::Acquire),
        }
    }

    /// Lets the thread write what is pending, and waits for it to end.
    fn close(&mut self) -> WriterStats {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.stats()
    }
}

struct WriterState {
    path: PathBuf,
    file: File,
    records: Arc<AtomicU64>,
    syncs: Arc<AtomicU64>,
    gate: Arc<Mutex<()>>,
    /// [`LAZY_SYNC`], shorter or longer in tests.
    lazy: std::time::Duration,
    seen: Option<mpsc::Sender<WriterStats>>,
}

impl WriterState {
    fn run(&mut self, rx: mpsc::Receiver<Op>) {
        // written but not yet synced: since when, and a write's failure
        // the next waiter must hear of
        let mut unsynced: Option<std::time::Instant> = None;
        let mut failed: Option<io::Error> = None;
        // told at the next sync, whoever asks for it
        let mut riding: Vec<Waiter> = Vec::new();
        loop {
            let first = match unsynced {
                None => rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
                Some(since) => rx.recv_timeout(self.lazy.saturating_sub(since.elapsed())),
            };
            let first = match first {
                Ok(op) => op,
                Err(stop) => {
                    // nobody asked within LAZY_SYNC (or the journal is
                    // closing): what was written is synced now
                    if unsynced.take().is_some() {
                        let synced = self.sync();
                        self.tell();
                        answer(std::mem::take(&mut riding), &outcome(&failed, synced));
                    }
                    match stop {
                        mpsc::RecvTimeoutError::Timeout => continue,
                        mpsc::RecvTimeoutError::Disconnected => return,
                    }
                }
            };
            let gate = self.gate.clone();
            let _held = gate.lock().unwrap_or_else(|e| e.into_inner());
            let mut batch = vec![first];
            batch.extend(rx.try_iter());
            let mut waiting: Vec<Waiter> = Vec::new();
            let mut text = Vec::new();
            let mut written = 0;
            for op in batch {
                match op {
                    Op::Append(line) => {
                        text.extend_from_slice(&line);
                        written += 1;
                    }
                    Op::Rewrite(all) => {
                        // the lines before it are in it; the new file is
                        // synced, what was written to the old one with it
                        text.clear();
                        written += 1;
                        match self.rewrite(&all) {
                            Ok(()) => unsynced = None,
                            Err(e) => failed = Some(e),
                        }
                    }
                    Op::Durable(done) => waiting.push((done, None)),
                    Op::Synced(done, dir) => riding.push((done, dir)),
                }
            }
            if !text.is_empty() {
                // written at once (a kill finds it), synced when someone
                // waits for it or LAZY_SYNC after the first unsynced write
                match self.file.write_all(&text) {
                    Ok(()) => {
                        unsynced.get_or_insert_with(std::time::Instant::now);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "download journal write failed");
                        failed = Some(e);
                    }
                }
            }
            self.records.fetch_add(written, Ordering::AcqRel);
            if waiting.is_empty() {
                self.tell();
                if unsynced.is_none() {
                    // nothing written since the last sync (or a rewrite
                    // synced it all): the riders' records are on disk
                    answer(std::mem::take(&mut riding), &outcome(&failed, Ok(())));
                }
                continue;
            }
            let synced = match unsynced.take() {
                Some(_) => self.sync(),
                None => Ok(()),
            };
            // the waiters hear of a failed write; later ones need not
            let result = outcome(&failed.take(), synced);
            self.tell();
            waiting.append(&mut riding);
            answer(waiting, &result);
        }
    }

    /// The counts so far to a test watching.
    fn tell(&self) {
        if let Some(seen) = &self.seen {
            let _ = seen.send(WriterStats {
                records: self.records.load(Ordering::Acquire),
                syncs: self.syncs.load(Ordering::Acquire),
            });
        }
    }

    fn sync(&mut self) -> io::Result<()> {
        self.syncs.fetch_add(1, Ordering::AcqRel);
        let synced = self.file.sync_data();
        if let Err(e) = &synced {
            tracing::warn!(error = %e, "download journal sync failed");
        }
        synced
    }

    /// Replaces the file with `all` (synced, atomically) and appends to
    /// the new one from now on.
    fn rewrite(&mut self, all: &[u8]) -> io::Result<()> {
        write_atomic(&self.path, all)?;
        self.syncs.fetch_add(1, Ordering::AcqRel);
        self.file = append_file(&self.path)?;
        Ok(())
    }
}

/// A caller told at a sync, with the directory to sync for it then.
type Waiter = (Done, Option<PathBuf>);

/// What a sync's waiters hear: the failed write since the last waiter
/// was told, if any, else how the sync went.
fn outcome(failed: &Option<io::Error>, synced: io::Result<()>) -> io::Result<()> {
    match failed {
        Some(e) => Err(copy(e)),
        None => synced,
    }
}

fn copy(e: &io::Error) -> io::Error {
    io::Error::new(e.kind(), e.to_string())
}

/// Tells each waiter `result` of the sync it waited for, and of its
/// directory's: each directory is synced once for all of them.
fn answer(waiters: Vec<Waiter>, result: &io::Result<()>) {
    let mut dirs: BTreeMap<PathBuf, io::Result<()>> = BTreeMap::new();
    for (done, dir) in waiters {
        let dir_synced = match dir {
            Some(d) => dirs.entry(d.clone()).or_insert_with(|| sync_dir(&d)),
            None => &Ok(()),
        };
        done(match result.as_ref().and(dir_synced.as_ref()) {
            Ok(_) => Ok(()),
            Err(e) => Err(copy(e)),
        });
    }
}

fn append_file(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Opens `path` and takes an exclusive lock (`flock`) on it without waiting:
/// `None` when another process holds it.
pub(crate) fn lock_file(path: &Path, create: bool) -> io::Result<Option<File>> {
    let file = match OpenOptions::new()
        .read(true)
        .write(true)
        .create(create)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if !create && e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// The live entries of a journal file; a torn or unreadable line (the
/// crash came mid-write) is skipped.
fn read_entries(path: &Path) -> io::Result<BTreeMap<u64, Entry>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(e),
    };
    let mut live = BTreeMap::new();
    for line in BufReader::new(file).split(b'\n') {
        let line = line?;
        match serde_json::from_slice::<Record>(&line) {
            Ok(Record::Put { key, entry }) => {
                live.insert(key, *entry);
            }
            Ok(Record::Del { key }) => {
                live.remove(&key);
            }
            Err(e) => {
                tracing::warn!(error = %e, path = %path.display(), "journal line skipped");
            }
        }
    }
    Ok(live)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> Entry {
        Entry {
            asset_id: id.into(),
            format: None,
            dir: "/tmp/out".into(),
            path: vec!["sub".into(), id.into()],
            resume: Resume::default(),
            paused: false,
            failed: None,
            batch: Vec::new(),
            job: None,
            part: Some(format!("{id}.0a1b2c.part")),
            placed: None,
        }
    }

    #[test]
    fn an_archive_keeps_its_assets_and_job_across_a_reopen() {
        let d = tempfile::tempdir().unwrap();
        let mut e = entry("zip of 2 assets");
        e.batch = vec!["a1".into(), "a2".into()];
        e.job = Some("job_1".into());
        let mut j = Journal::open(d.path()).unwrap();
        j.put(1, &e).unwrap();
        j.flush().unwrap();
        let path = d.path().join(format!("{}.jsonl", std::process::id()));
        let read = read_entries(&path).unwrap();
        assert_eq!(read.get(&1), Some(&e));
    }

    #[test]
    fn entries_survive_a_reopen_and_a_torn_line() {
        let d = tempfile::tempdir().unwrap();
        {
            let mut j = Journal::open(d.path()).unwrap();
            j.put(1, &entry("a")).unwrap();
            j.put(2, &entry("b")).unwrap();
            let mut b = entry("b");
            b.resume.bytes = 42;
            j.put(2, &b).unwrap();
            j.put(3, &entry("c")).unwrap();
            j.remove(1).unwrap();
            j.flush().unwrap();
            std::mem::forget(j); // as if killed once they were on disk: no drop
        }
        let path = d.path().join(format!("{}.jsonl", std::process::id()));
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"op\":\"put\",\"key\":9,\"entry\":{\"asset")
            .unwrap();
        let live = read_entries(&path).unwrap();
        assert_eq!(live.keys().copied().collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(live[&2].resume.bytes, 42);
        assert_eq!(
            live[&2].part_path(),
            Some(PathBuf::from("/tmp/out/sub/b.0a1b2c.part"))
        );
    }

    #[test]
    fn a_dead_process_journal_is_adopted_once() {
        let d = tempfile::tempdir().unwrap();
        // a journal from pid 999999 whose lock nobody holds
        let orphan = d.path().join("999999.jsonl");
        let rec = Record::Put {
            key: 7,
            entry: Box::new(entry("z")),
        };
        fs::write(
            &orphan,
            format!("{}\n", serde_json::to_string(&rec).unwrap()),
        )
        .unwrap();
        fs::write(d.path().join("999999.lock"), b"").unwrap();
        let mut j = Journal::open(d.path()).unwrap();
        let mut next = 100;
        let adopted = j.adopt_orphans(&mut next).unwrap();
        assert_eq!(adopted, vec![(100, entry("z"))]);
        assert!(!orphan.exists());
        assert_eq!(j.adopt_orphans(&mut next).unwrap(), vec![]);
        assert_eq!(j.entries().count(), 1);
    }

    #[test]
    fn a_living_owner_keeps_its_journal() {
        let d = tempfile::tempdir().unwrap();
        let _other = lock_file(&d.path().join("424242.lock"), true)
            .unwrap()
            .unwrap();
        let rec = Record::Put {
            key: 1,
            entry: Box::new(entry("busy")),
        };
        fs::write(
            d.path().join("424242.jsonl"),
            format!("{}\n", serde_json::to_string(&rec).unwrap()),
        )
        .unwrap();
        let mut j = Journal::open(d.path()).unwrap();
        assert!(j.adopt_orphans(&mut 0).unwrap().is_empty());
        assert!(d.path().join("424242.jsonl").exists());
    }

    #[test]
    fn parts_have_names_of_their_own_and_old_entries_have_none() {
        let a = part_name("img");
        assert!(a.starts_with("img.") && a.ends_with(".part"), "{a}");
        assert_eq!(a.len(), "img.XXXXXX.part".len(), "{a}");
        assert!(a[4..10].chars().all(|c| c.is_ascii_hexdigit()), "{a}");
        let distinct: std::collections::HashSet<String> =
            (0..100).map(|_| part_name("img")).collect();
        assert!(distinct.len() > 90, "{}", distinct.len());
        // written by a version that named every part STEM.part: no name is
        // vouched for, so none is used
        let old = r#"{"op":"put","key":1,"entry":{"asset_id":"a","dir":"/o","path":["a"],"resume":{"bytes":9}}}"#;
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("1.jsonl");
        fs::write(&path, format!("{old}\n")).unwrap();
        let live = read_entries(&path).unwrap();
        assert_eq!(live[&1].part, None);
        assert_eq!(live[&1].part_path(), None);
    }

    #[test]
    fn only_journals_of_living_owners_are_listed_as_elsewhere() {
        let d = tempfile::tempdir().unwrap();
        let put = |key: u64, id: &str| {
            let rec = Record::Put {
                key,
                entry: Box::new(entry(id)),
            };
            format!("{}\n", serde_json::to_string(&rec).unwrap())
        };
        let _alive = lock_file(&d.path().join("424242.lock"), true)
            .unwrap()
            .unwrap();
        fs::write(d.path().join("424242.jsonl"), put(1, "busy")).unwrap();
        fs::write(d.path().join("999999.lock"), b"").unwrap();
        fs::write(d.path().join("999999.jsonl"), put(1, "dead")).unwrap();
        let mut j = Journal::open(d.path()).unwrap();
        j.put(5, &entry("mine")).unwrap();
        let found = j.live_elsewhere().unwrap();
        assert_eq!(found, vec![(424242, entry("busy"))]);
        assert!(found[0].1.same_target("busy", None, Path::new("/tmp/out")));
        assert!(!found[0]
            .1
            .same_target("busy", Some("png"), Path::new("/tmp/out")));
        assert!(!found[0]
            .1
            .same_target("busy", None, Path::new("/tmp/other")));
    }

    #[test]
    fn records_that_arrive_during_a_sync_share_the_next_one() {
        let d = tempfile::tempdir().unwrap();
        let mut j = Journal::open(d.path()).unwrap();
        j.put(0, &entry("first")).unwrap();
        // the writer busy (as in a slow sync) while 100 records arrive,
        // as from eight transfers checkpointing and ending at once
        let gate = j.writer.gate.clone();
        let busy = gate.lock().unwrap();
        for k in 1..=100 {
            j.put(k, &entry(&format!("a{k}"))).unwrap();
        }
        drop(busy);
        j.flush().unwrap();
        let stats = j.writer.stats();
        assert_eq!(stats.records, 101);
        // "first" may have gone alone, the hundred go together
        assert!(stats.syncs <= 2, "{stats:?}");
        // every one on disk, as a kill now would find them
        let path = j.path.clone();
        std::mem::forget(j);
        let live = read_entries(&path).unwrap();
        assert_eq!(live.len(), 101);
        assert_eq!(live[&100], entry("a100"));
    }

    /// A writer of its own on a fresh journal file, with `lazy`, and the
    /// channel its counts come through.
    fn watched_writer(
        dir: &Path,
        lazy: std::time::Duration,
    ) -> (PathBuf, Writer, mpsc::Receiver<WriterStats>) {
        let path = dir.join("w.jsonl");
        let (tx, rx) = mpsc::channel();
        let w = Writer::spawn(path.clone(), append_file(&path).unwrap(), lazy, Some(tx)).unwrap();
        (path, w, rx)
    }

    fn line(key: u64, id: &str) -> Op {
        let mut l = serde_json::to_vec(&Record::Put {
            key,
            entry: Box::new(entry(id)),
        })
        .unwrap();
        l.push(b'\n');
        Op::Append(l)
    }

    const T: std::time::Duration = std::time::Duration::from_secs(10);

    /// Asks `w` for a sync of everything so far and waits for the answer:
    /// whether it went well.
    fn awaited(w: &Writer) -> bool {
        let (tx, rx) = mpsc::channel();
        w.send(Op::Durable(Box::new(move |r| tx.send(r.is_ok()).unwrap())))
            .unwrap();
        rx.recv_timeout(T).unwrap()
    }

    #[test]
    fn records_nobody_waits_for_are_written_at_once_and_synced_with_the_next_awaited() {
        let d = tempfile::tempdir().unwrap();
        let hour = std::time::Duration::from_secs(3600);
        let (path, mut w, seen) = watched_writer(d.path(), hour);
        for k in 0..20 {
            w.send(line(k, &format!("q{k}"))).unwrap();
            let stats = seen.recv_timeout(T).unwrap();
            assert_eq!(stats.records, k + 1);
            // in the file as soon as written, as a kill now would find it
            assert_eq!(read_entries(&path).unwrap().len() as u64, k + 1);
            assert_eq!(stats.syncs, 0, "no sync for a record nobody waits for");
        }
        assert!(awaited(&w));
        let stats = seen.recv_timeout(T).unwrap();
        assert_eq!(stats.syncs, 1, "the twenty share the waiter's sync");
        assert_eq!(w.close().syncs, 1, "nothing left to sync at the end");
    }

    #[test]
    fn a_record_nobody_waits_for_is_synced_after_the_bound() {
        let d = tempfile::tempdir().unwrap();
        let lazy = std::time::Duration::from_millis(20);
        let (_, mut w, seen) = watched_writer(d.path(), lazy);
        let sent = std::time::Instant::now();
        w.send(line(1, "queued")).unwrap();
        assert_eq!(seen.recv_timeout(T).unwrap().syncs, 0, "written");
        assert_eq!(seen.recv_timeout(T).unwrap().syncs, 1, "then synced");
        assert!(sent.elapsed() >= lazy, "not before the bound");
        // and a record written just before the end is synced by the close
        w.send(line(2, "last")).unwrap();
        assert_eq!(seen.recv_timeout(T).unwrap().records, 2);
        assert_eq!(w.close().syncs, 2);
    }

    #[test]
    fn a_rider_is_told_at_the_next_awaited_sync_or_after_the_bound() {
        let d = tempfile::tempdir().unwrap();
        let hour = std::time::Duration::from_secs(3600);
        let (_, mut w, seen) = watched_writer(d.path(), hour);
        let (tx, told) = mpsc::channel();
        let rider = |tx: &mpsc::Sender<&'static str>, name| {
            let tx = tx.clone();
            Op::Synced(
                Box::new(move |r| {
                    assert!(r.is_ok());
                    tx.send(name).unwrap()
                }),
                None,
            )
        };
        // nothing written yet: told at once, no sync
        w.send(rider(&tx, "early")).unwrap();
        assert_eq!(told.recv_timeout(T).unwrap(), "early");
        seen.recv_timeout(T).unwrap();
        // a record, then a rider: not told while nobody syncs
        w.send(line(1, "placed")).unwrap();
        w.send(rider(&tx, "placed")).unwrap();
        seen.recv_timeout(T).unwrap();
        assert!(told.try_recv().is_err(), "told before its record is synced");
        assert_eq!(w.stats().syncs, 0, "a rider asks for no sync");
        // somebody waits: one sync for both
        w.send(line(2, "named")).unwrap();
        assert!(awaited(&w));
        assert_eq!(told.recv_timeout(T).unwrap(), "placed");
        assert_eq!(w.close().syncs, 1);
        // with nobody else: told at the lazy bound
        let lazy = std::time::Duration::from_millis(20);
        let d = tempfile::tempdir().unwrap();
        let (_, mut w, _seen) = watched_writer(d.path(), lazy);
        let sent = std::time::Instant::now();
        w.send(line(3, "alone")).unwrap();
        w.send(rider(&tx, "alone")).unwrap();
        assert_eq!(told.recv_timeout(T).unwrap(), "alone");
        assert!(sent.elapsed() >= lazy, "not before the bound");
        assert_eq!(w.close().syncs, 1);
    }

    #[test]
    fn riders_told_together_share_one_sync_of_their_directory() {
        let d = tempfile::tempdir().unwrap();
        let hour = std::time::Duration::from_secs(3600);
        let (_, mut w, _seen) = watched_writer(d.path(), hour);
        let out = d.path().join("out");
        fs::create_dir(&out).unwrap();
        let gone = d.path().join("gone");
        let (tx, told) = mpsc::channel();
        for (k, dir) in [&out, &out, &gone, &out].into_iter().enumerate() {
            w.send(line(k as u64, "placed")).unwrap();
            let tx = tx.clone();
            let done: Done = Box::new(move |r| tx.send((k, r.is_ok())).unwrap());
            w.send(Op::Synced(done, Some(dir.clone()))).unwrap();
        }
        assert!(awaited(&w));
        let mut answers: Vec<(usize, bool)> =
            (0..4).map(|_| told.recv_timeout(T).unwrap()).collect();
        answers.sort();
        // the missing directory's sync failed, and only its rider hears it
        assert_eq!(answers, [(0, true), (1, true), (2, false), (3, true)]);
        assert_eq!(
            super::super::dir_sync::performed(&out),
            1,
            "one sync for three"
        );
        assert_eq!(w.close().syncs, 1);
    }

    #[test]
    fn a_waiter_hears_only_once_its_record_is_written() {
        let d = tempfile::tempdir().unwrap();
        let mut j = Journal::open(d.path()).unwrap();
        let gate = j.writer.gate.clone();
        let busy = gate.lock().unwrap();
        j.put(1, &entry("named")).unwrap();
        let (tx, rx) = mpsc::channel();
        j.when_durable(move |r| tx.send(r.is_ok()).unwrap());
        // the writer cannot write yet: no answer, and not in the file
        assert!(rx.try_recv().is_err());
        assert!(read_entries(&j.path).unwrap().is_empty());
        drop(busy);
        assert!(rx.recv().unwrap());
        assert_eq!(read_entries(&j.path).unwrap()[&1], entry("named"));
    }

    #[test]
    fn compaction_keeps_only_live_entries() {
        let d = tempfile::tempdir().unwrap();
        let mut j = Journal::open(d.path()).unwrap();
        for k in 0..200 {
            j.put(k, &entry("x")).unwrap();
            if k > 0 {
                j.remove(k - 1).unwrap();
            }
        }
        j.flush().unwrap();
        let lines = fs::read_to_string(&j.path).unwrap().lines().count();
        assert!(lines < 70, "{lines}");
        // rewritten, still private (it holds signed links)
        let mode =
            std::os::unix::fs::PermissionsExt::mode(&fs::metadata(&j.path).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        assert_eq!(read_entries(&j.path).unwrap().len(), 1);
        j.remove(199).unwrap();
        let path = j.path.clone();
        drop(j);
        assert!(!path.exists(), "an empty journal is removed at the end");
    }
}
