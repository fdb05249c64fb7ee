//! Putting finished files into place without ever overwriting one, and
//! atomic small-file writes (for the journal).

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Moves the finished `part` into `dir` under `name`, or the first free
/// suffixed variant (`a.png`, `a (1).png`… as [`crate::naming::suffixed`]), and returns the final path. Race-free: the file is
/// hard-linked to the new name (link fails if the name exists, and never
/// follows a symlink planted there), then `part` is removed and the
/// directory fsynced.
pub fn place_no_clobber(part: &Path, dir: &Path, name: &str) -> io::Result<PathBuf> {
    let target = link_free_name(part, dir, name)?;
    fs::remove_file(part)?;
    sync_dir(dir)?;
    Ok(target)
}

/// The first step of [`place_no_clobber`] alone: `part` gets its final
/// name beside its own, for a caller that removes the `.part` name only
/// once its journal stopped naming it and it has synced `dir` (the new
/// name is not durable before; the download queue shares that sync
/// between the files placed together). A crash in between leaves both
/// names, or only the `.part`, which the journal still names.
/// [`placed_twin`] recognises the first.
pub fn link_no_clobber(part: &Path, dir: &Path, name: &str) -> io::Result<PathBuf> {
    link_free_name(part, dir, name)
}

/// Hard-links `part` to the first free name among `name`'s variants.
fn link_free_name(part: &Path, dir: &Path, name: &str) -> io::Result<PathBuf> {
    for n in 0..10_000 {
        let target = dir.join(crate::naming::suffixed(name, n));
        match fs::hard_link(part, &target) {
            Ok(()) => return Ok(target),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("no free name for {name} in {}", dir.display()),
    ))
}

/// After a crash between the two steps of [`place_no_clobber`] (linked
/// into place, `.part` not yet removed): the placed file that is the same
/// inode as `part`, named from `stem` and of the expected size. The
/// download is then done; only the `.part` name is left to remove.
pub fn placed_twin(part: &Path, dir: &Path, stem: &str, total: Option<u64>) -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::symlink_metadata(part).ok()?;
    if !meta.is_file() || meta.nlink() != 2 || total.is_some_and(|t| t != meta.len()) {
        return None;
    }
    let part_name = part.file_name()?;
    fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .take(100_000)
        .find(|e| {
            let name = e.file_name();
            name != part_name
                && name.to_string_lossy().starts_with(stem)
                && fs::symlink_metadata(e.path())
                    .is_ok_and(|m| m.dev() == meta.dev() && m.ino() == meta.ino())
        })
        .map(|e| e.path())
}

/// Creates `parts` under `dir` one by one, refusing to go through anything
/// that is not a real directory (a planted symlink included).
pub fn make_dirs(dir: &Path, parts: &[String]) -> io::Result<PathBuf> {
    let mut cur = dir.to_path_buf();
    for p in parts {
        cur.push(p);
        match fs::symlink_metadata(&cur) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} exists and is not a directory", cur.display()),
                ))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => match fs::create_dir(&cur) {
                Ok(()) => {}
                // made meanwhile: checked again on the next component
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            },
            Err(e) => return Err(e),
        }
    }
    Ok(cur)
}

pub use super::dir_sync::sync_dir;

/// Writes `bytes` to `path` atomically: a temp file in the same directory,
/// fsync, rename over `path`, fsync the directory. The file is readable by
/// its owner only (0600, whatever the umask): the journal it writes holds
/// signed links.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&tmp)?;
        // exactly 0600 whatever the umask (the append file opens it to write)
        f.set_permissions(fs::Permissions::from_mode(0o600))?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_placed_twin_is_found_only_when_it_is_ours() {
        let d = tempfile::tempdir().unwrap();
        let part = d.path().join("asset_1.part");
        fs::write(&part, b"12345").unwrap();
        assert_eq!(placed_twin(&part, d.path(), "asset_1", Some(5)), None);
        // the crash came after the link, before the unlink
        fs::hard_link(&part, d.path().join("asset_1 (1).png")).unwrap();
        assert_eq!(
            placed_twin(&part, d.path(), "asset_1", Some(5)),
            Some(d.path().join("asset_1 (1).png"))
        );
        // not the expected size, or not named for this download: not ours
        assert_eq!(placed_twin(&part, d.path(), "asset_1", Some(9)), None);
        assert_eq!(placed_twin(&part, d.path(), "other", None), None);
    }

    fn scratch(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("assetui-place-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn never_overwrites_existing_files_or_symlink_targets() {
        let d = scratch("noclobber");
        fs::write(d.join("a.png"), b"old").unwrap();
        let outside = d.join("outside");
        fs::write(&outside, b"keep").unwrap();
        std::os::unix::fs::symlink(&outside, d.join("a (1).png")).unwrap();
        let part = d.join("a.png.part");
        fs::write(&part, b"new").unwrap();
        let got = place_no_clobber(&part, &d, "a.png").unwrap();
        assert_eq!(got, d.join("a (2).png"));
        assert_eq!(fs::read(d.join("a.png")).unwrap(), b"old");
        assert_eq!(fs::read(&outside).unwrap(), b"keep");
        assert_eq!(fs::read(&got).unwrap(), b"new");
        assert!(!part.exists());
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let d = scratch("atomic");
        let p = d.join("journal.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(&d).unwrap().count(), 1);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn atomic_writes_are_private_to_the_owner() {
        let d = scratch("private");
        let p = d.join("journal.jsonl");
        // an existing file readable by all is replaced by a private one
        fs::write(&p, b"old").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        write_atomic(&p, b"signed links").unwrap();
        let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
        assert_eq!(fs::read(&p).unwrap(), b"signed links");
        fs::remove_dir_all(&d).unwrap();
    }
}
