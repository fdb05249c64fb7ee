//! Directory syncs in groups (issue 21, item 3): a file placed under its
//! final name is durable once its directory is synced, and eight
//! downloads finishing together each synced the same directory, one
//! after another on a slow disk. [`sync_dir`] returns once a sync of the
//! directory that *started after the call* has ended: a call that comes
//! while one runs waits for the next, which then serves every call that
//! came meanwhile. The promise is the one a sync per call gives (the
//! link made before the call is on disk), for fewer syncs.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};

/// One directory's syncs: numbered as they start.
#[derive(Default)]
struct Group {
    started: u64,
    finished: u64,
    running: bool,
    /// How the last finished sync ended (an error's kind and text).
    failed: Option<(io::ErrorKind, String)>,
}

#[cfg(test)]
impl Group {
    /// Syncs performed (they are numbered from 1 as they start).
    fn performed(&self) -> u64 {
        self.finished
    }
}

/// Syncs of `dir` performed so far in this process (for tests).
#[cfg(test)]
pub(crate) fn performed(dir: &Path) -> u64 {
    lock(&syncs().groups).get(dir).map_or(0, Group::performed)
}

#[derive(Default)]
struct Syncs {
    groups: Mutex<HashMap<PathBuf, Group>>,
    ended: Condvar,
}

fn syncs() -> &'static Syncs {
    static SYNCS: OnceLock<Syncs> = OnceLock::new();
    SYNCS.get_or_init(Syncs::default)
}

fn lock(m: &Mutex<HashMap<PathBuf, Group>>) -> MutexGuard<'_, HashMap<PathBuf, Group>> {
    // the groups' numbers stay right when a sync's thread panicked
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// fsyncs `dir` so that a rename or link made in it before this call is
/// durable, sharing the sync with the calls that come while one runs.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    let syncs = syncs();
    let mut groups = lock(&syncs.groups);
    let need = groups.entry(dir.to_path_buf()).or_default().started + 1;
    loop {
        let group = groups.entry(dir.to_path_buf()).or_default();
        if group.finished >= need {
            return match &group.failed {
                None => Ok(()),
                Some((kind, text)) => Err(io::Error::new(*kind, text.clone())),
            };
        }
        if group.running {
            groups = syncs.ended.wait(groups).unwrap_or_else(|e| e.into_inner());
            continue;
        }
        group.running = true;
        group.started += 1;
        let number = group.started;
        drop(groups);
        let result = File::open(dir).and_then(|d| d.sync_all());
        groups = lock(&syncs.groups);
        let group = groups.entry(dir.to_path_buf()).or_default();
        group.running = false;
        group.finished = number;
        group.failed = result.as_ref().err().map(|e| (e.kind(), e.to_string()));
        syncs.ended.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Barrier};

    #[test]
    fn calls_that_come_together_share_syncs() {
        let dir = tempfile::tempdir().unwrap();
        let calls = 32;
        let start = Arc::new(Barrier::new(calls));
        let threads: Vec<_> = (0..calls)
            .map(|i| {
                let (dir, start) = (dir.path().to_path_buf(), start.clone());
                std::thread::spawn(move || {
                    std::fs::write(dir.join(format!("f{i}")), b"x").unwrap();
                    start.wait();
                    sync_dir(&dir)
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap().unwrap();
        }
        let done = lock(&syncs().groups)[dir.path()].performed();
        assert!(
            done >= 1 && done < calls as u64,
            "{done} syncs for {calls} calls"
        );
    }

    #[test]
    fn a_failed_sync_fails_the_calls_it_served() {
        let gone = std::env::temp_dir().join(format!("assetui-no-such-dir-{}", std::process::id()));
        let e = sync_dir(&gone).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        // and the next call tries again rather than reuse the answer
        std::fs::create_dir_all(&gone).unwrap();
        sync_dir(&gone).unwrap();
        std::fs::remove_dir_all(&gone).unwrap();
    }
}
