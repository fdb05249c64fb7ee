//! Logging set-up. The command-line tools log to stderr on request (`-v`);
//! the interactive browser owns the terminal, so it logs to a file under the
//! state directory instead, and never to the screen.
//!
//! `ASSETUI_LOG` (an `EnvFilter` directive such as `assetui=trace`) overrides
//! the level in both cases. Nothing logs credentials or request headers.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// Variable that overrides the log filter.
pub const ENV_FILTER: &str = "ASSETUI_LOG";
/// Name of the browser's log file inside [`crate::dirs::state_dir`].
pub const LOG_FILE: &str = "assetui.log";
/// A log file larger than this at start is moved aside to `assetui.log.1`.
pub const ROTATE_BYTES: u64 = 10 * 1024 * 1024;

/// `-v` (assetui's debug lines) and `-vv` (everything at debug) log to
/// stderr; without `-v` nothing is logged, whatever `ASSETUI_LOG` says.
pub fn init_stderr(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => "assetui=debug",
        _ => "debug",
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter(level))
        .with_writer(io::stderr)
        .try_init();
}

/// Where the browser's log goes: `state_dir()/assetui.log`.
pub fn log_file() -> Option<PathBuf> {
    crate::dirs::state_dir().map(|dir| dir.join(LOG_FILE))
}

/// Logs to [`log_file`] for the interactive browser: info by default, debug
/// for assetui with `-v`, debug for everything with `-vv`, `ASSETUI_LOG`
/// overriding. The directory is created `0700` and the file `0600`; a file
/// over [`ROTATE_BYTES`] is first renamed to `assetui.log.1` (replacing an
/// older one). Returns the file's path, or `None` when it cannot be opened
/// (or a logger is already installed): logging is then off, silently.
pub fn init_file(verbose: u8) -> Option<PathBuf> {
    let path = log_file()?;
    let file = open_log(&path).ok()?;
    let level = match verbose {
        0 => "info",
        1 => "info,assetui=debug",
        _ => "debug",
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter(level))
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init()
        .ok()?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "assetui started");
    Some(path)
}

fn filter(default: &str) -> EnvFilter {
    EnvFilter::try_from_env(ENV_FILTER).unwrap_or_else(|_| EnvFilter::new(default))
}

/// Creates the log's directory (`0700`), rotates the file if it is too
/// large and opens it for appending (`0600` when created).
fn open_log(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    // A failed rotation only means the file keeps growing this session.
    let _ = rotate_if_larger(path, ROTATE_BYTES);
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Creates `dir` (its parents with the default mode, itself `0700`).
fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    match builder.create(dir) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        other => other,
    }
}

/// Renames `path` to `path.1` (replacing it) when `path` is larger than
/// `max` bytes. Returns whether it did; a missing file is not an error.
pub fn rotate_if_larger(path: &Path, max: u64) -> io::Result<bool> {
    let len = match std::fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    if len <= max {
        return Ok(false);
    }
    let mut rotated = path.as_os_str().to_owned();
    rotated.push(".1");
    std::fs::rename(path, PathBuf::from(rotated))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_log_is_moved_aside_and_replaces_the_old_one() {
        let tmp = tempfile::tempdir().unwrap();
        let log = tmp.path().join(LOG_FILE);
        let old = tmp.path().join("assetui.log.1");
        std::fs::write(&old, b"older").unwrap();
        std::fs::write(&log, vec![b'x'; 101]).unwrap();
        assert!(rotate_if_larger(&log, 100).unwrap());
        assert!(!log.exists());
        assert_eq!(std::fs::read(&old).unwrap().len(), 101);
    }

    #[test]
    fn a_small_or_missing_log_stays() {
        let tmp = tempfile::tempdir().unwrap();
        let log = tmp.path().join(LOG_FILE);
        assert!(!rotate_if_larger(&log, 100).unwrap());
        std::fs::write(&log, vec![b'x'; 100]).unwrap();
        assert!(!rotate_if_larger(&log, 100).unwrap());
        assert!(log.exists());
        assert!(!tmp.path().join("assetui.log.1").exists());
    }

    #[test]
    fn the_log_is_private_and_appended_to() {
        let tmp = tempfile::tempdir().unwrap();
        let log = tmp.path().join("state").join("assetui").join(LOG_FILE);
        std::fs::create_dir_all(tmp.path().join("state")).unwrap();
        {
            use std::io::Write;
            open_log(&log).unwrap().write_all(b"one\n").unwrap();
            open_log(&log).unwrap().write_all(b"two\n").unwrap();
        }
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "one\ntwo\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&log), 0o600);
            assert_eq!(mode(log.parent().unwrap()), 0o700);
        }
    }
}
