//! The download queue's journal: what is queued or partly fetched, kept on
//! disk so a crash or `kill -9` loses nothing.
//!
//! One append-only file of JSON lines per running queue,
//! `<state dir>/downloads/<pid>.jsonl`, next to `<pid>.lock` which the
//! process holds with `flock` while it lives. A record is written with
//! one `write` and `fdatasync`ed; a torn last line (the crash came
//! mid-write) is ignored. Another process adopts a journal whose lock it
//! can take: its owner is gone. The file is rewritten (atomically) with
//! only the live entries when it has grown well past them.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::place::write_atomic;
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
    file: File,
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
        let mut journal = Journal {
            dir: dir.to_path_buf(),
            file: append_file(&path)?,
            path,
            _lock: lock,
            live,
            records: 0,
        };
        journal.compact()?;
        Ok(journal)
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
        self.append(&Record::Put {
            key,
            entry: Box::new(entry.clone()),
        })?;
        self.live.insert(key, entry.clone());
        Ok(())
    }

    pub fn remove(&mut self, key: u64) -> io::Result<()> {
        if self.live.remove(&key).is_some() {
            self.append(&Record::Del { key })?;
        }
        Ok(())
    }

    fn append(&mut self, record: &Record) -> io::Result<()> {
        let mut line = serde_json::to_vec(record).map_err(io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)?;
        self.file.sync_data()?;
        self.records += 1;
        if self.records > 64 && self.records > 4 * self.live.len() {
            self.compact()?;
        }
        Ok(())
    }

    /// Rewrites the journal with only the live entries.
    fn compact(&mut self) -> io::Result<()> {
        let mut text = Vec::new();
        for (key, entry) in &self.live {
            let record = Record::Put {
                key: *key,
                entry: Box::new(entry.clone()),
            };
            text.extend(serde_json::to_vec(&record).map_err(io::Error::other)?);
            text.push(b'\n');
        }
        write_atomic(&self.path, &text)?;
        self.file = append_file(&self.path)?;
        self.records = self.live.len();
        Ok(())
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        // a clean end with nothing left leaves nothing behind
        if self.live.is_empty() {
            let _ = fs::remove_file(&self.path);
            let _ = fs::remove_file(self.dir.join(format!("{}.lock", std::process::id())));
        }
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
            std::mem::forget(j); // as if killed: no drop
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
    fn compaction_keeps_only_live_entries() {
        let d = tempfile::tempdir().unwrap();
        let mut j = Journal::open(d.path()).unwrap();
        for k in 0..200 {
            j.put(k, &entry("x")).unwrap();
            if k > 0 {
                j.remove(k - 1).unwrap();
            }
        }
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
