//! The synced folder on disk: where a recorded file is (never through a
//! symlink, never outside DIR), whether it is still what sync wrote, and
//! putting a fetched file (and its sidecar) into place without
//! overwriting anything sync did not write.
//!
//! "Unchanged" means same size and same SHA-256 as recorded. The
//! modification time is not trusted either way (an editor can keep it, a
//! `touch` changes it without changing a byte), so a file is hashed
//! whenever sync is about to replace or remove it, and only then: a run
//! with nothing to do reads no file.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::state::{Placing, Row};
use crate::download::place::{make_dirs, place_no_clobber, placed_twin};

/// The directory, inside DIR, where the queue fetches a sync's files
/// before sync puts them into place (names from asset ids; `.part`
/// files live here too).
pub use crate::transfers::SYNC_INCOMING_DIR as INCOMING_DIR;

/// A recorded file as found on disk.
#[derive(Debug, PartialEq, Eq)]
pub enum OnDisk {
    Missing,
    /// Same size and hash as sync wrote.
    Ours(PathBuf),
    /// Changed since (or not a plain file any more, or under a symlink):
    /// the user's now.
    Changed(PathBuf),
}

/// `rel` (components joined by `/`) under `dir`, when every component is
/// a plain name and every directory on the way a real one (no symlink is
/// followed). `None`: it cannot be sync's file.
pub fn inside(dir: &Path, rel: &str) -> Option<PathBuf> {
    let parts: Vec<&str> = rel.split('/').collect();
    let mut cur = dir.to_path_buf();
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || *p == "." || *p == ".." || p.contains('\0') {
            return None;
        }
        cur.push(p);
        if i + 1 < parts.len() {
            match fs::symlink_metadata(&cur) {
                Ok(m) if m.is_dir() => {}
                _ => return None,
            }
        }
    }
    Some(cur)
}

/// Size and SHA-256 (hex) of a plain file, read without following a
/// symlink.
pub fn hash_file(path: &Path) -> io::Result<(u64, String)> {
    let mut f = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex(&h.finalize())))
}

pub fn hash_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether the file recorded at `rel` with `size` and `sha256` is still
/// exactly what sync wrote.
pub fn check(dir: &Path, rel: &str, size: u64, sha256: &str) -> OnDisk {
    let Some(path) = inside(dir, rel) else {
        // a directory on the way was replaced (by a symlink, say)
        return match fs::symlink_metadata(dir.join(rel)) {
            Ok(_) => OnDisk::Changed(dir.join(rel)),
            Err(_) => OnDisk::Missing,
        };
    };
    match fs::symlink_metadata(&path) {
        Err(_) => OnDisk::Missing,
        Ok(m) if !m.is_file() || m.len() != size => OnDisk::Changed(path),
        Ok(_) => match hash_file(&path) {
            Ok((_, h)) if h == sha256 => OnDisk::Ours(path),
            _ => OnDisk::Changed(path),
        },
    }
}

/// Whether the recorded file exists at all (a plain file where it was
/// put): the one check a run with nothing to do makes.
pub fn present(dir: &Path, rel: &str) -> bool {
    inside(dir, rel)
        .and_then(|p| fs::symlink_metadata(p).ok())
        .is_some_and(|m| m.is_file())
}

/// `path` relative to `dir`, components joined by `/`.
pub fn relative(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// What happened to the file an update replaces.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Replaced {
    /// The previous file was sync's and unchanged: removed.
    pub removed: bool,
    /// It was edited by the user: kept, the new one placed beside it.
    pub kept: bool,
}

/// Removes the previous file of an update (and its sidecar) when sync
/// wrote it and it is unchanged; an edited one is kept.
pub fn retire(dir: &Path, old: &Row) -> io::Result<Replaced> {
    let mut out = Replaced::default();
    match check(dir, &old.path, old.size, &old.sha256) {
        OnDisk::Ours(p) => {
            fs::remove_file(p)?;
            out.removed = true;
        }
        OnDisk::Changed(_) => out.kept = true,
        OnDisk::Missing => {}
    }
    if let (Some(rel), Some(sha)) = (&old.sidecar, &old.sidecar_sha256) {
        if let Some(p) = inside(dir, rel) {
            if let Ok((size, h)) = hash_file(&p) {
                if &h == sha && size > 0 {
                    fs::remove_file(p)?;
                }
            }
        }
    }
    Ok(out)
}

/// A fetched file in the incoming directory and where it goes.
pub struct Arrival<'a> {
    pub dir: &'a Path,
    /// The file in [`INCOMING_DIR`].
    pub fetched: &'a Path,
    /// Subdirectories and stem from the name template.
    pub name: &'a [String],
}

impl Arrival<'_> {
    /// What will be recorded before the file is placed: its hash and the
    /// name it is given (the stem with the extension the queue sniffed).
    pub fn placing(&self) -> io::Result<Placing> {
        let (size, sha256) = hash_file(self.fetched)?;
        let ext = self
            .fetched
            .extension()
            .map(|e| e.to_string_lossy().into_owned());
        let stem = self.name.last().map(String::as_str).unwrap_or("asset");
        Ok(Placing {
            sha256,
            size,
            dir: self.name[..self.name.len().saturating_sub(1)].join("/"),
            name: match ext {
                Some(e) => format!("{stem}.{e}"),
                None => stem.to_string(),
            },
        })
    }

    /// Moves the file into place under its name or a free ` (n)` variant
    /// (never over anything) and returns where it went. A crash between
    /// the link and the unlink left it placed already: that place is kept.
    pub fn place(&self, p: &Placing) -> io::Result<PathBuf> {
        let parts: Vec<String> = if p.dir.is_empty() {
            Vec::new()
        } else {
            p.dir.split('/').map(str::to_string).collect()
        };
        let target = make_dirs(self.dir, &parts)?;
        let stem = p.name.rsplit_once('.').map_or(p.name.as_str(), |(s, _)| s);
        if let Some(done) = placed_twin(self.fetched, &target, stem, Some(p.size)) {
            fs::remove_file(self.fetched)?;
            return Ok(done);
        }
        place_no_clobber(self.fetched, &target, &p.name)
    }
}

/// After a crash between placing a file and recording it: the file named
/// from `p` (or a ` (n)` variant of it) whose size and hash are the ones
/// recorded, unless another asset's row holds it.
pub fn find_placed(dir: &Path, p: &Placing, taken: impl Fn(&str) -> bool) -> Option<PathBuf> {
    let target = if p.dir.is_empty() {
        dir.to_path_buf()
    } else {
        inside(dir, &format!("{}/x", p.dir))?
            .parent()?
            .to_path_buf()
    };
    let stem = p.name.rsplit_once('.').map_or(p.name.as_str(), |(s, _)| s);
    fs::read_dir(&target)
        .ok()?
        .filter_map(Result::ok)
        .take(100_000)
        .filter(|e| e.file_name().to_string_lossy().starts_with(stem))
        .filter(|e| fs::symlink_metadata(e.path()).is_ok_and(|m| m.is_file() && m.len() == p.size))
        .filter(|e| !taken(&relative(dir, &e.path())))
        .find(|e| hash_file(&e.path()).is_ok_and(|(_, h)| h == p.sha256))
        .map(|e| e.path())
}

/// Writes `bytes` as `FILE.json` beside `file` (a free ` (n)` variant if
/// that name is taken by something sync did not write): through a
/// private file in the incoming directory, then placed without
/// overwriting. An identical sidecar already there (a run stopped after
/// writing it) is taken as it is.
pub fn write_sidecar(dir: &Path, file: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
    let name = format!(
        "{}.json",
        file.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "asset".into())
    );
    let target = file.parent().unwrap_or(dir);
    let existing = target.join(&name);
    if fs::symlink_metadata(&existing).is_ok_and(|m| m.is_file())
        && hash_file(&existing).is_ok_and(|(_, h)| h == hash_bytes(bytes))
    {
        return Ok(existing);
    }
    let incoming = make_dirs(dir, &[INCOMING_DIR.to_string()])?;
    let tmp = incoming.join(format!(
        "{}.{:08x}.json",
        std::process::id(),
        fastrand::u32(..)
    ));
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        place_no_clobber(&tmp, target, &name)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The stem of an asset's file in the incoming directory: its id when
/// that is a safe name, else a safe form of it plus a hash of the whole
/// (two hostile ids never share one).
pub fn incoming_stem(asset_id: &str) -> String {
    let safe = crate::naming::component(asset_id, 100);
    if safe == asset_id {
        safe
    } else {
        format!("{safe}-{}", &hash_bytes(asset_id.as_bytes())[..12])
    }
}

/// The finished files in the incoming directory, by stem (`.part` files
/// aside); a stem with two files maps to `None`: neither is trusted.
pub fn fetched_earlier(dir: &Path) -> HashMap<String, Option<PathBuf>> {
    let mut found: HashMap<String, Option<PathBuf>> = HashMap::new();
    let incoming = dir.join(INCOMING_DIR);
    if !fs::symlink_metadata(&incoming).is_ok_and(|m| m.is_dir()) {
        return found;
    }
    let Ok(entries) = fs::read_dir(&incoming) else {
        return found;
    };
    for e in entries.filter_map(Result::ok).take(1_000_000) {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".part") || !e.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let Some((stem, _)) = name.rsplit_once('.') else {
            continue;
        };
        found
            .entry(stem.to_string())
            .and_modify(|v| *v = None)
            .or_insert_with(|| Some(e.path()));
    }
    found
}

/// Removes the incoming directory when nothing is left in it.
pub fn tidy(dir: &Path) {
    let _ = fs::remove_dir(dir.join(INCOMING_DIR));
}

/// Whether a plain file with no other name (ours to remove).
pub fn remove_if_plain(path: &Path) {
    if fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
        let _ = fs::remove_file(path);
    }
}
