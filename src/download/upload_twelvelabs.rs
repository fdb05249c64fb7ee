//! Local files to TwelveLabs, shared by `assetui upload` and the
//! browser's `U` (an item of the transfers queue, `upload.rs`): the way
//! each goes ([`Client::plan_local`]: one `POST /assets`, or the
//! multipart flow for video and audio over 200 MB, the limits checked
//! before a byte is sent), the one line an account without multipart
//! access gets, and the record of the sessions under way
//! (`twelvelabs-uploads.json` beside the transfers' journal, in the state directory), so an upload a
//! killed run left is found again with `list_incomplete_uploads` and
//! continued instead of started over.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use assetui_twelvelabs::assets::CreateAsset;
use assetui_twelvelabs::models::{Asset, UploadStatus};
use assetui_twelvelabs::upload::{MultipartUpload, Resume, SessionIds, UploadProgress, Way};
use assetui_twelvelabs::{Client, Error};

use crate::sanitize;

/// The variable that lowers the size above which video and audio go by
/// multipart upload (bytes; for tests, which cannot send 200 MB).
pub const DIRECT_MAX_ENV: &str = "ASSETUI_TWELVELABS_DIRECT_MAX";

/// The record's file in the state directory.
const RECORDS_FILE: &str = "twelvelabs-uploads.json";
/// Sessions kept in the record (the oldest go first).
const MAX_RECORDS: usize = 100;
/// Largest record file read.
const MAX_RECORDS_BYTES: u64 = 1 << 20;
/// Pages of `list_incomplete_uploads` read to find a session (50 each).
const MAX_INCOMPLETE_PAGES: u64 = 20;

/// [`DIRECT_MAX_ENV`] when set to a number of bytes.
pub fn direct_max_from_env() -> Option<u64> {
    std::env::var(DIRECT_MAX_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
}

/// What an upload tells as it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A session a previous run began is continued: the chunks the
    /// service has are not sent again.
    Continued,
    /// The service took another chunk.
    Sent(UploadProgress),
}

/// One session under way, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Record {
    base_url: String,
    path: PathBuf,
    size: u64,
    modified_ms: u128,
    upload_id: String,
    asset_id: String,
    chunk_size: u64,
}

/// The sessions this user's runs began and did not finish.
pub struct Records {
    file: Option<PathBuf>,
}

impl Records {
    /// Beside the transfers' journal, where a queue keeps what must
    /// survive it (none: nothing is kept).
    pub fn in_dir(dir: Option<&std::path::Path>) -> Records {
        Records {
            file: dir.map(|d| d.join(RECORDS_FILE)),
        }
    }

    /// Beside the default journal, in the state directory.
    pub fn in_state_dir() -> Records {
        Records::in_dir(super::journal::default_dir().as_deref())
    }

    fn load(&self) -> Vec<Record> {
        let Some(file) = &self.file else {
            return Vec::new();
        };
        let Ok(meta) = std::fs::metadata(file) else {
            return Vec::new();
        };
        if meta.len() > MAX_RECORDS_BYTES {
            tracing::warn!(file = %file.display(), "upload record too large: ignored");
            return Vec::new();
        }
        std::fs::read(file)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn store(&self, records: &[Record]) {
        let Some(file) = &self.file else { return };
        let written = file
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                let bytes = serde_json::to_vec_pretty(records).unwrap_or_default();
                super::place::write_atomic(file, &bytes)
            });
        if let Err(e) = written {
            tracing::warn!(file = %file.display(), error = %e, "upload record not kept");
        }
    }

    fn remember(&self, record: Record) {
        let mut all = self.load();
        all.retain(|r| !r.same_file(&record));
        all.push(record);
        let extra = all.len().saturating_sub(MAX_RECORDS);
        all.drain(..extra);
        self.store(&all);
    }

    /// Forgets a session (it completed, or the user cancelled it: the
    /// next upload of the file starts afresh).
    pub fn forget(&self, upload_id: &str) {
        let mut all = self.load();
        let before = all.len();
        all.retain(|r| r.upload_id != upload_id);
        if all.len() != before {
            self.store(&all);
        }
    }
}

impl Record {
    fn same_file(&self, other: &Record) -> bool {
        self.base_url == other.base_url
            && self.path == other.path
            && self.size == other.size
            && self.modified_ms == other.modified_ms
    }
}

/// What identifies a local file between runs: its canonical path, size
/// and modification time.
fn identity(client: &Client, path: &Path, session: SessionIds) -> Option<Record> {
    let path = path.canonicalize().ok()?;
    let meta = std::fs::metadata(&path).ok()?;
    let modified_ms = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_millis();
    Some(Record {
        base_url: client.base_url(),
        path,
        size: meta.len(),
        modified_ms,
        upload_id: session.upload_id,
        asset_id: session.asset_id,
        chunk_size: session.chunk_size,
    })
}

/// A session a previous run began for this very file that the service
/// still lists as open (`list_incomplete_uploads`), to continue.
async fn unfinished(client: &Client, path: &Path, records: &Records) -> Option<Record> {
    let probe = identity(
        client,
        path,
        SessionIds {
            upload_id: String::new(),
            asset_id: String::new(),
            chunk_size: 0,
        },
    )?;
    let record = records.load().into_iter().find(|r| r.same_file(&probe))?;
    for page in 1..=MAX_INCOMPLETE_PAGES {
        let listed = match client.list_incomplete_uploads(Some(page), Some(50)).await {
            Ok(p) => p,
            Err(e) => {
                tracing::debug!(error = %e, "open uploads not listed");
                return None;
            }
        };
        let items = listed.data.unwrap_or_default();
        if let Some(open) = items
            .iter()
            .find(|u| u.upload_id.as_deref() == Some(record.upload_id.as_str()))
        {
            let active = matches!(open.status, Some(UploadStatus::Active) | None);
            let same = open.total_size == Some(record.size)
                && open.chunk_size.is_none_or(|c| c == record.chunk_size);
            if active && same {
                return Some(record);
            }
            break;
        }
        let last = listed.page_info.and_then(|i| i.total_page).unwrap_or(page);
        if items.is_empty() || page >= last {
            break;
        }
    }
    // the service no longer has it open: start again
    records.forget(&record.upload_id);
    None
}

/// Uploads one local file as a new asset, named `name` (the file's name
/// when `None`), the way its kind and size call for. Large video and
/// audio go in chunks: a session a previous run began for the same file
/// is continued, and `resume` (kept by the caller across pauses) holds
/// what this run has sent. The asset is `processing` at the end.
pub async fn upload_local(
    client: &Client,
    path: &Path,
    name: Option<String>,
    records: &Records,
    resume: &Resume,
    progress: &(dyn Fn(Event) + Send + Sync),
) -> Result<Asset, String> {
    let plan = client.plan_local(path).map_err(|e| e.to_string())?;
    if plan.way == Way::Direct {
        let mut request = CreateAsset::file(path.to_path_buf());
        request.filename = name;
        return client
            .create_asset(&request)
            .await
            .map_err(|e| e.to_string());
    }
    let mut continued = false;
    if resume.session().is_none() {
        if let Some(found) = unfinished(client, path, records).await {
            continued = resume.adopt(SessionIds {
                upload_id: found.upload_id,
                asset_id: found.asset_id,
                chunk_size: found.chunk_size,
            });
        }
    }
    let recorded = AtomicBool::new(resume.session().is_some());
    let on_chunk = |p: UploadProgress| {
        if !recorded.swap(true, Ordering::SeqCst) {
            if let Some(r) = resume.session().and_then(|s| identity(client, path, s)) {
                records.remember(r);
            }
        }
        progress(Event::Sent(p));
    };
    let mut upload = MultipartUpload::new(path);
    upload.filename = name;
    upload.asset_type = plan.asset_type.clone();
    if continued {
        progress(Event::Continued);
    }
    match client.upload_multipart(&upload, resume, &on_chunk).await {
        Ok(outcome) => {
            records.forget(&outcome.upload_id);
            client
                .get_asset(&outcome.asset_id)
                .await
                .map_err(|e| e.to_string())
        }
        Err(e) => Err(multipart_failure(e, plan.len)),
    }
}

/// A multipart failure as the user reads it: 403 is an account without
/// the (private preview) multipart uploads, which large files need.
fn multipart_failure(e: Error, len: u64) -> String {
    match e {
        Error::Forbidden { .. } => format!(
            "this TwelveLabs account has no access to multipart uploads (a private preview), \
             which video and audio over 200 MB need; this file is {}",
            crate::text::human_size(len)
        ),
        e => sanitize::line(&e.to_string(), 600),
    }
}
