//! A bounded on-disk cache of rendition bytes, so that thumbnails seen once
//! are not downloaded again on the next start.
//!
//! - File names are the hex SHA-256 of the key: nothing a server sends ends
//!   up in a path.
//! - Each file holds a small header (magic, body length, SHA-256 of the
//!   body): a truncated or altered file is a miss, and is removed.
//! - Writes go to a temporary file renamed into place, so a reader never
//!   sees half a file; files are 0600 in a 0700 directory.
//! - Least recently used files go first once the total passes the bound
//!   (use is the file's mtime, touched on every hit).
//!
//! Best-effort: I/O errors are logged and otherwise ignored. Every method
//! does blocking I/O: call them from a blocking thread.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

const MAGIC: &[u8; 8] = b"assetui1";
const HEADER_LEN: usize = 8 + 8 + 32;
/// Larger files are not ours (bodies are bounded to 32 MiB by the fetch).
const MAX_FILE_LEN: u64 = 64 * 1024 * 1024;
/// Temporary files older than this are left over from a crash.
const STALE_TEMP: Duration = Duration::from_secs(3600);
const TEMP_PREFIX: &str = ".tmp-";

/// Handle to the cache; cheap to clone, safe to share between threads.
#[derive(Clone)]
pub struct DiskCache {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    max_bytes: u64,
    /// Loaded on first use (a directory scan), so that `open` is cheap.
    index: Mutex<Option<Index>>,
    temp_counter: AtomicU64,
}

#[derive(Default)]
struct Index {
    files: HashMap<String, Entry>,
    total: u64,
    /// Use order: higher is more recent.
    clock: u64,
}

struct Entry {
    len: u64,
    used: u64,
}

impl std::fmt::Debug for DiskCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiskCache")
            .field("dir", &self.inner.dir)
            .field("max_bytes", &self.inner.max_bytes)
            .finish()
    }
}

impl DiskCache {
    /// Opens (creating it 0700 if needed) the cache directory `dir`, keeping
    /// at most `max_bytes` in it. Does not scan the directory yet.
    pub fn open(dir: PathBuf, max_bytes: u64) -> io::Result<DiskCache> {
        create_private_dir(&dir)?;
        let meta = fs::symlink_metadata(&dir)?;
        if !meta.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} is not a directory", dir.display()),
            ));
        }
        Ok(DiskCache {
            inner: Arc::new(Inner {
                dir,
                max_bytes,
                index: Mutex::new(None),
                temp_counter: AtomicU64::new(0),
            }),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    pub fn max_bytes(&self) -> u64 {
        self.inner.max_bytes
    }

    /// The bytes stored under `key`, if present and intact. A hit marks the
    /// file as recently used; a damaged file is removed and is a miss.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        let name = file_name(key);
        let path = self.inner.dir.join(&name);
        match read_entry(&path) {
            Ok(Some(body)) => {
                // touching the mtime keeps the order across restarts
                if let Err(e) = touch(&path) {
                    tracing::debug!(error = %e, "image cache: cannot touch an entry");
                }
                self.with_index(|index| {
                    let now = index.tick();
                    if let Some(entry) = index.files.get_mut(&name) {
                        entry.used = now;
                    }
                });
                Some(body)
            }
            Ok(None) => {
                tracing::warn!(file = %name, "image cache: damaged entry removed");
                self.remove_file(&name);
                None
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                self.with_index(|index| index.forget(&name));
                None
            }
            Err(e) => {
                tracing::debug!(error = %e, "image cache: cannot read an entry");
                None
            }
        }
    }

    /// Stores `bytes` under `key` (replacing what was there), then evicts
    /// the least recently used files while the total is over the bound.
    pub fn put(&self, key: &str, bytes: &[u8]) {
        let len = (HEADER_LEN + bytes.len()) as u64;
        if len > self.inner.max_bytes || len > MAX_FILE_LEN {
            return;
        }
        let name = file_name(key);
        let path = self.inner.dir.join(&name);
        let temp = self.inner.dir.join(format!(
            "{TEMP_PREFIX}{}-{}",
            std::process::id(),
            self.inner.temp_counter.fetch_add(1, Ordering::Relaxed)
        ));
        if let Err(e) = write_entry(&temp, bytes).and_then(|()| fs::rename(&temp, &path)) {
            tracing::warn!(error = %e, dir = %self.inner.dir.display(), "image cache: cannot write");
            let _ = fs::remove_file(&temp);
            return;
        }
        let (dir, max) = (&self.inner.dir, self.inner.max_bytes);
        self.with_index(|index| {
            let used = index.tick();
            if let Some(old) = index.files.insert(name.clone(), Entry { len, used }) {
                index.total = index.total.saturating_sub(old.len);
            }
            index.total += len;
            evict(dir, max, index, Some(&name));
        });
    }

    /// Removes the entry for `key`, if any.
    pub fn remove(&self, key: &str) {
        self.remove_file(&file_name(key));
    }

    /// Bytes the cache believes it holds (its own files only).
    pub fn total_bytes(&self) -> u64 {
        self.with_index(|index| index.total)
    }

    fn remove_file(&self, name: &str) {
        self.with_index(|index| {
            match fs::remove_file(self.inner.dir.join(name)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => tracing::debug!(error = %e, "image cache: cannot remove an entry"),
            }
            index.forget(name);
        })
    }

    /// Runs `f` on the index, loaded from the directory on first use. The
    /// lock is a std one: this module never awaits.
    fn with_index<R>(&self, f: impl FnOnce(&mut Index) -> R) -> R {
        let mut guard = self
            .inner
            .index
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let index = guard.get_or_insert_with(|| {
            let mut index = scan(&self.inner.dir);
            evict(&self.inner.dir, self.inner.max_bytes, &mut index, None);
            index
        });
        f(index)
    }
}

/// Removes least recently used files until the total is under 90 % of
/// `max` (so that eviction does not run on every put), sparing `keep`.
fn evict(dir: &Path, max: u64, index: &mut Index, keep: Option<&str>) {
    if index.total <= max {
        return;
    }
    let target = max / 10 * 9;
    let mut order: Vec<(u64, String)> = index
        .files
        .iter()
        .filter(|(name, _)| Some(name.as_str()) != keep)
        .map(|(name, e)| (e.used, name.clone()))
        .collect();
    order.sort_unstable();
    for (_, name) in order {
        if index.total <= target {
            break;
        }
        match fs::remove_file(dir.join(&name)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => tracing::debug!(error = %e, "image cache: cannot evict an entry"),
        }
        index.forget(&name);
    }
}

impl Index {
    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    fn forget(&mut self, name: &str) {
        if let Some(e) = self.files.remove(name) {
            self.total = self.total.saturating_sub(e.len);
        }
    }
}

/// Total size in bytes of the regular files directly in `dir` (0 if it
/// cannot be read). For `assetui doctor`.
pub fn size_on_disk(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

/// The file name for a key: hex SHA-256, never derived from server text.
pub fn file_name(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

fn is_entry_name(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Reads the directory: our files with their sizes, oldest use first.
/// Removes temporary files left over by a crash.
fn scan(dir: &Path) -> Index {
    let mut index = Index::default();
    let Ok(entries) = fs::read_dir(dir) else {
        return index;
    };
    let now = SystemTime::now();
    let mut found: Vec<(SystemTime, String, u64)> = Vec::new();
    for entry in entries.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        if is_entry_name(&name) {
            found.push((modified, name, meta.len()));
        } else if name.starts_with(TEMP_PREFIX)
            && now.duration_since(modified).unwrap_or_default() > STALE_TEMP
        {
            let _ = fs::remove_file(entry.path());
        }
    }
    found.sort();
    for (_, name, len) in found {
        let used = index.tick();
        index.total += len;
        index.files.insert(name, Entry { len, used });
    }
    index
}

fn write_entry(path: &Path, body: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&(body.len() as u64).to_le_bytes());
    header.extend_from_slice(&Sha256::digest(body));
    file.write_all(&header)?;
    file.write_all(body)?;
    Ok(())
}

/// `Ok(None)` when the file is there but damaged.
fn read_entry(path: &Path) -> io::Result<Option<Vec<u8>>> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if len < HEADER_LEN as u64 || len > MAX_FILE_LEN {
        return Ok(None);
    }
    let mut data = Vec::with_capacity(len as usize);
    file.read_to_end(&mut data)?;
    if data.len() < HEADER_LEN {
        return Ok(None);
    }
    let (header, body) = data.split_at(HEADER_LEN);
    let mut declared = [0u8; 8];
    declared.copy_from_slice(&header[8..16]);
    if &header[..8] != MAGIC
        || u64::from_le_bytes(declared) != body.len() as u64
        || Sha256::digest(body).as_slice() != &header[16..]
    {
        return Ok(None);
    }
    data.drain(..HEADER_LEN);
    Ok(Some(data))
}

fn touch(path: &Path) -> io::Result<()> {
    OpenOptions::new()
        .write(true)
        .open(path)?
        .set_modified(SystemTime::now())
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(max: u64) -> (tempfile::TempDir, DiskCache) {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path().join("renditions"), max).unwrap();
        (dir, cache)
    }

    #[test]
    fn put_then_get_round_trips() {
        let (_t, c) = cache(1 << 20);
        assert_eq!(c.get("a/thumbnail/1"), None);
        c.put("a/thumbnail/1", b"hello bytes");
        assert_eq!(c.get("a/thumbnail/1").as_deref(), Some(&b"hello bytes"[..]));
        // replacing keeps one file
        c.put("a/thumbnail/1", b"other");
        assert_eq!(c.get("a/thumbnail/1").as_deref(), Some(&b"other"[..]));
        assert_eq!(fs::read_dir(c.dir()).unwrap().count(), 1);
        assert_eq!(c.total_bytes(), size_on_disk(c.dir()));
        c.remove("a/thumbnail/1");
        assert_eq!(c.get("a/thumbnail/1"), None);
        assert_eq!(size_on_disk(c.dir()), 0);
    }

    #[test]
    fn a_new_handle_on_the_same_directory_sees_the_entries() {
        let (_t, c) = cache(1 << 20);
        c.put("k", b"kept across restarts");
        let again = DiskCache::open(c.dir().to_path_buf(), 1 << 20).unwrap();
        assert_eq!(
            again.get("k").as_deref(),
            Some(&b"kept across restarts"[..])
        );
    }

    #[test]
    fn directory_is_private_and_files_are_named_by_hash() {
        let (_t, c) = cache(1 << 20);
        c.put("../../etc/passwd\u{1b}[2J", b"x");
        let names: Vec<String> = fs::read_dir(c.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 1);
        assert!(is_entry_name(&names[0]), "{names:?}");
        assert_eq!(names[0], file_name("../../etc/passwd\u{1b}[2J"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(c.dir()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
            let mode = fs::metadata(c.dir().join(&names[0]))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn eviction_keeps_the_total_under_the_bound_and_drops_the_least_recent() {
        let max = 10_000;
        let (_t, c) = cache(max);
        let body = vec![7u8; 1000];
        c.put("first", &body);
        c.put("second", &body);
        for i in 0..40 {
            // keep "first" in use: it must survive
            assert!(c.get("first").is_some(), "first evicted at {i}");
            c.put(&format!("k{i}"), &body);
            let on_disk = size_on_disk(c.dir());
            assert!(on_disk <= max, "{on_disk} bytes on disk after {i}");
            assert_eq!(on_disk, c.total_bytes());
        }
        assert!(c.get("first").is_some());
        assert_eq!(c.get("second"), None, "the least recently used goes first");
        assert!(c.get("k39").is_some(), "the newest stays");
    }

    #[test]
    fn eviction_follows_mtime_across_restarts_and_respects_a_lower_bound() {
        let (_t, c) = cache(1 << 20);
        let body = vec![1u8; 1000];
        for i in 0..10 {
            c.put(&format!("k{i}"), &body);
        }
        // make k0 the most recently used on disk
        let old = SystemTime::now() - Duration::from_secs(600);
        for i in 1..10 {
            let f = OpenOptions::new()
                .write(true)
                .open(c.dir().join(file_name(&format!("k{i}"))))
                .unwrap();
            f.set_modified(old + Duration::from_secs(i)).unwrap();
        }
        // a smaller bound on reopening evicts down to it, oldest first
        let small = DiskCache::open(c.dir().to_path_buf(), 3 * (1000 + HEADER_LEN as u64)).unwrap();
        assert!(small.get("k0").is_some());
        assert!(size_on_disk(small.dir()) <= small.max_bytes());
        assert_eq!(small.get("k1"), None);
        assert!(small.get("k9").is_some());
    }

    #[test]
    fn entries_larger_than_the_bound_are_not_stored() {
        let (_t, c) = cache(100);
        c.put("big", &[0u8; 200]);
        assert_eq!(c.get("big"), None);
        assert_eq!(size_on_disk(c.dir()), 0);
    }

    #[test]
    fn damaged_or_empty_files_are_misses_and_removed() {
        let (_t, c) = cache(1 << 20);
        let path = |k: &str| c.dir().join(file_name(k));

        c.put("empty", b"data");
        fs::write(path("empty"), b"").unwrap();
        assert_eq!(c.get("empty"), None);
        assert!(!path("empty").exists());

        c.put("flipped", b"some image bytes");
        let mut raw = fs::read(path("flipped")).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 0xff;
        fs::write(path("flipped"), &raw).unwrap();
        assert_eq!(c.get("flipped"), None);
        assert!(!path("flipped").exists());

        c.put("cut", b"some image bytes");
        let raw = fs::read(path("cut")).unwrap();
        fs::write(path("cut"), &raw[..raw.len() - 3]).unwrap();
        assert_eq!(c.get("cut"), None);

        // a file someone else wrote with the right name but no header
        fs::write(path("foreign"), b"\x89PNG not ours").unwrap();
        assert_eq!(c.get("foreign"), None);

        assert_eq!(size_on_disk(c.dir()), 0);
    }

    #[test]
    fn stale_temporary_files_are_cleaned_on_first_use() {
        let (_t, c) = cache(1 << 20);
        let stale = c.dir().join(".tmp-1-1");
        let fresh = c.dir().join(".tmp-1-2");
        fs::write(&stale, b"x").unwrap();
        fs::write(&fresh, b"x").unwrap();
        OpenOptions::new()
            .write(true)
            .open(&stale)
            .unwrap()
            .set_modified(SystemTime::now() - Duration::from_secs(7200))
            .unwrap();
        let _ = c.get("anything");
        assert!(!stale.exists());
        assert!(fresh.exists(), "may belong to a put in progress elsewhere");
    }

    #[test]
    fn open_refuses_a_file_in_place_of_the_directory() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("file");
        fs::write(&f, b"x").unwrap();
        assert!(DiskCache::open(f, 1000).is_err());
    }

    #[test]
    fn shared_between_threads() {
        let (_t, c) = cache(50_000);
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let c = c.clone();
                std::thread::spawn(move || {
                    for i in 0..50 {
                        let key = format!("{t}/{i}");
                        c.put(&key, &vec![t as u8; 900]);
                        if let Some(v) = c.get(&key) {
                            assert_eq!(v, vec![t as u8; 900]);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(size_on_disk(c.dir()) <= 50_000);
    }
}
