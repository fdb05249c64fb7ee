//! Batch archives: the server-side zip job (request, poll with backoff)
//! and a safe extraction of what it returns. An archive is a stranger's
//! file like any other download: no entry may escape the directory, none
//! may be a symlink, and the entry count and expansion are bounded.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use crate::api::params::{BatchDownloadOptions, BatchDownloadQuery, BatchDownloadRequest};
use crate::api::{ApiError, Client};
use crate::naming;
use crate::sanitize;

use super::place::{make_dirs, place_no_clobber, sync_dir};

/// How long a batch job may take before we give up on it.
pub const JOB_DEADLINE: Duration = Duration::from_secs(30 * 60);

/// Waits between two status polls: 250 ms doubling to 5 s.
pub fn poll_wait(attempt: u32) -> Duration {
    Duration::from_millis(250u64.saturating_mul(1 << attempt.min(5))).min(Duration::from_secs(5))
}

/// Where a batch job stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    Pending(String),
    Ready(String),
    Failed(String),
}

/// Reads the API's `jobStatus`: `success` with a link is ready; `failure`,
/// `failed`, `canceled`, `cancelled` end it; anything else is still running.
pub fn job_state(status: &str, url: Option<&str>) -> JobState {
    match (status, url.filter(|u| !u.is_empty())) {
        ("success", Some(url)) => JobState::Ready(url.to_string()),
        ("success", None) => JobState::Failed("the job ended without a link".into()),
        ("failure" | "failed" | "canceled" | "cancelled", _) => {
            JobState::Failed(format!("the job ended: {}", sanitize::line(status, 40)))
        }
        (other, _) => JobState::Pending(sanitize::line(other, 40)),
    }
}

/// Starts a batch job for `ids`, names inside the archive from `template`.
pub async fn request_job(
    client: &Client,
    ids: &[String],
    template: Option<&str>,
) -> Result<String, ApiError> {
    let request = BatchDownloadRequest {
        options: template.map(|t| BatchDownloadOptions {
            file_name_template: t.to_string(),
            flat: None,
        }),
        query: BatchDownloadQuery {
            asset_ids: ids.to_vec(),
            ..Default::default()
        },
    };
    client.request_batch_download(&request).await
}

/// Polls `job_id` until it is ready (its link) or failed, with backoff;
/// `on_status` hears each pending status. Transient errors are retried by
/// the client itself.
pub async fn wait_for_job(
    client: &Client,
    job_id: &str,
    mut on_status: impl FnMut(&str),
) -> Result<String, String> {
    let started = tokio::time::Instant::now();
    for attempt in 0.. {
        let status = client
            .batch_download_status(job_id)
            .await
            .map_err(|e| format!("batch job status: {e}"))?;
        match job_state(&status.job_status, status.download_url.as_deref()) {
            JobState::Ready(url) => return Ok(url),
            JobState::Failed(why) => return Err(why),
            JobState::Pending(s) => on_status(&s),
        }
        if started.elapsed() > JOB_DEADLINE {
            return Err(format!(
                "the batch job did not finish in {} minutes",
                JOB_DEADLINE.as_secs() / 60
            ));
        }
        tokio::time::sleep(poll_wait(attempt)).await;
    }
    unreachable!("the loop only ends by returning")
}

/// Bounds on what an archive may unpack to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_entries: usize,
    /// Unpacked bytes per archive byte, over the whole archive.
    pub max_ratio: u64,
    /// Unpacked bytes in all, whatever the ratio.
    pub max_total: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 10_000,
            max_ratio: 100,
            max_total: 64 * 1024 * 1024 * 1024,
        }
    }
}

/// What an extraction did.
#[derive(Debug, Default)]
pub struct Extracted {
    pub files: Vec<PathBuf>,
    /// Entries left out, with why (names sanitized).
    pub skipped: Vec<(String, String)>,
}

/// Unpacks `archive` into `dir`. Entries whose path is absolute or climbs
/// with `..` are skipped, as are symlinks and other special files; every
/// path component is sanitized like a download name; directories are
/// created without following a symlink planted in the way; files never
/// replace an existing one (` (1)` suffix). Too many entries or too much
/// expansion stops the extraction with an error before the limit is
/// passed (what was unpacked until then stays).
pub fn extract(archive: &Path, dir: &Path, limits: &Limits) -> Result<Extracted, String> {
    let file = File::open(archive).map_err(|e| format!("{}: {e}", archive.display()))?;
    let packed = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut zip = zip::ZipArchive::new(file).map_err(|e| format!("not a valid zip: {e}"))?;
    if zip.len() > limits.max_entries {
        return Err(format!(
            "the archive holds {} entries, more than the {} allowed",
            zip.len(),
            limits.max_entries
        ));
    }
    let budget = packed
        .saturating_mul(limits.max_ratio)
        .min(limits.max_total);
    let mut used = 0u64;
    let mut out = Extracted::default();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| format!("entry {i}: {e}"))?;
        let shown = sanitize::line(entry.name(), 120);
        let Some(parts) = safe_parts(entry.name()) else {
            out.skipped
                .push((shown, "its path leaves the directory".into()));
            continue;
        };
        if is_symlink(entry.unix_mode()) {
            out.skipped.push((shown, "a symbolic link".into()));
            continue;
        }
        if entry.is_dir() {
            make_dirs(dir, &parts).map_err(|e| format!("{shown}: {e}"))?;
            continue;
        }
        if !entry.is_file() {
            out.skipped.push((shown, "not a regular file".into()));
            continue;
        }
        if used.saturating_add(entry.size()) > budget {
            return Err(expansion_error(budget, packed));
        }
        let (parents, name) = parts.split_at(parts.len() - 1);
        let parent = make_dirs(dir, parents).map_err(|e| format!("{shown}: {e}"))?;
        // never trust the declared size: count what comes out
        let left = budget - used;
        let (path, written) = write_entry(&mut entry, &parent, &name[0], left)
            .map_err(|e| format!("{shown}: {e}"))?;
        used += written;
        if written > left {
            return Err(expansion_error(budget, packed));
        }
        out.files.push(path);
    }
    Ok(out)
}

fn expansion_error(budget: u64, packed: u64) -> String {
    format!(
        "the archive unpacks to more than {budget} bytes ({packed} packed): refused as a zip bomb"
    )
}

/// The entry's path as sanitized components, or `None` when it is
/// absolute or climbs out.
fn safe_parts(raw: &str) -> Option<Vec<String>> {
    let raw = raw.replace('\\', "/");
    if raw.starts_with('/') || raw.contains('\0') {
        return None;
    }
    let mut parts = Vec::new();
    for c in Path::new(&raw).components() {
        match c {
            Component::Normal(s) => {
                let clean = naming::component(&s.to_string_lossy(), naming::MAX_FILE_CHARS);
                if clean.is_empty() {
                    return None;
                }
                parts.push(clean);
            }
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!parts.is_empty()).then_some(parts)
}

fn is_symlink(mode: Option<u32>) -> bool {
    mode.is_some_and(|m| m & 0o170000 == 0o120000)
}

/// Copies at most `left + 1` bytes of `entry` to a new `.part` in
/// `parent`, then places it under `name` without replacing anything.
/// Returns the final path and the bytes written (more than `left` means
/// the entry was over budget; its part is removed).
fn write_entry(
    entry: &mut impl Read,
    parent: &Path,
    name: &str,
    left: u64,
) -> io::Result<(PathBuf, u64)> {
    let part = parent.join(format!(".{name}.{}.part", std::process::id()));
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&part)?;
    let result = (|| {
        let written = io::copy(&mut entry.take(left.saturating_add(1)), &mut f)?;
        f.flush()?;
        f.sync_all()?;
        Ok::<u64, io::Error>(written)
    })();
    let written = match result {
        Ok(w) if w <= left => w,
        Ok(w) => {
            let _ = fs::remove_file(&part);
            return Ok((part, w));
        }
        Err(e) => {
            let _ = fs::remove_file(&part);
            return Err(e);
        }
    };
    let path = place_no_clobber(&part, parent, name)?;
    sync_dir(parent)?;
    Ok((path, written))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_states() {
        assert_eq!(job_state("success", Some("u")), JobState::Ready("u".into()));
        assert!(matches!(job_state("success", None), JobState::Failed(_)));
        assert!(matches!(job_state("failure", None), JobState::Failed(_)));
        assert!(matches!(job_state("canceled", None), JobState::Failed(_)));
        assert_eq!(
            job_state("in-progress", None),
            JobState::Pending("in-progress".into())
        );
        assert_eq!(
            job_state("\x1b[2Jqueued", None),
            JobState::Pending("[2Jqueued".into())
        );
    }

    #[test]
    fn polls_back_off_to_five_seconds() {
        assert_eq!(poll_wait(0), Duration::from_millis(250));
        assert_eq!(poll_wait(1), Duration::from_millis(500));
        assert_eq!(poll_wait(4), Duration::from_secs(4));
        assert_eq!(poll_wait(5), Duration::from_secs(5));
        assert_eq!(poll_wait(60), Duration::from_secs(5));
    }

    #[test]
    fn paths_that_climb_out_are_refused_and_the_rest_cleaned() {
        assert_eq!(safe_parts("../x"), None);
        assert_eq!(safe_parts("a/../../x"), None);
        assert_eq!(safe_parts("/etc/passwd"), None);
        assert_eq!(safe_parts("..\\..\\x"), None);
        assert_eq!(safe_parts("a\0b"), None);
        assert_eq!(safe_parts(""), None);
        assert_eq!(
            safe_parts("./a/b.png"),
            Some(vec!["a".to_string(), "b.png".to_string()])
        );
        assert_eq!(safe_parts("-rf/\x1b[2Jx.png").unwrap()[0], "rf");
        assert!(safe_parts("-rf/\x1b[2Jx.png").unwrap()[1].starts_with('_'));
    }

    #[test]
    fn symlink_modes() {
        assert!(is_symlink(Some(0o120777)));
        assert!(!is_symlink(Some(0o100644)));
        assert!(!is_symlink(None));
    }
}
