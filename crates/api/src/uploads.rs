//! Uploads of any file. Images under [`DIRECT_MAX`] go as one JSON body
//! (`POST /assets`, a data URL); everything else through the presigned
//! multipart flow the live service uses:
//!
//! 1. `POST /uploads` `{fileName, contentType, kind, fileSize, parts,
//!    assetOptions}` answers the part links;
//! 2. each part is `PUT` to its own link, streamed from disk, without the
//!    Scenario credentials (the link is signed), retried on its own; a link
//!    refused as expired or failing twice is renewed (`GET /uploads/{id}`
//!    signs fresh ones while the upload is pending);
//! 3. `POST /uploads/{id}/action` `{"action": "complete"}`;
//! 4. `GET /uploads/{id}` until `imported` (the new asset is `entityId`) or
//!    `failed` (`errorMessage`).
//!
//! The file is never held whole: each part is read in blocks of
//! [`READ_BLOCK`] as it is sent.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt, TryStreamExt};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::client::{Call, Client};
use super::error::ApiError;
use super::models::{Asset, Extra, Number};
use crate::sanitize;

/// Largest image sent as one JSON body: base64 makes it 4/3 larger, and the
/// gateway refuses bodies near 10 MB.
pub const DIRECT_MAX: u64 = 6 * 1024 * 1024;
/// Smallest part but the last (the storage's rule).
pub const MIN_PART: u64 = 5 * 1024 * 1024;
/// The part size used unless the file needs larger parts.
pub const DEFAULT_PART: u64 = 8 * 1024 * 1024;
/// Most parts in one upload.
pub const MAX_PARTS: u64 = 10_000;
/// Parts sent at once.
pub const PART_CONCURRENCY: usize = 4;
/// Attempts per part before the upload fails.
pub const PART_ATTEMPTS: u32 = 6;
/// Bytes read from disk per block of a part's body.
pub const READ_BLOCK: usize = 512 * 1024;
/// Bytes read to recognise a file's kind.
pub const SNIFF_BYTES: usize = 4096;
/// Longest wait for the service to import a completed upload.
pub const IMPORT_DEADLINE: Duration = Duration::from_secs(30 * 60);

/// The `kind`s `POST /uploads` accepts.
pub const UPLOAD_KINDS: [&str; 8] = [
    "3d", "asset", "audio", "avatar", "image", "model", "text", "video",
];

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    /// An upload `kind`: `image`, `audio`, `video`, `3d` or `text`.
    pub kind: &'static str,
    pub mime: &'static str,
}

/// Recognises a file from its first bytes (at least [`SNIFF_BYTES`] when
/// the file has them): images, audio, video and 3D by their magic bytes,
/// text as UTF-8 without control characters. The name is never trusted.
/// `None`: nothing the service imports. The server validates uploads with
/// the same rule.
pub fn sniff(head: &[u8]) -> Option<Sniffed> {
    let s = |kind, mime| Some(Sniffed { kind, mime });
    if let Some(mime) = super::image_ref::sniff_mime(head) {
        return s("image", mime);
    }
    let starts = |m: &[u8]| head.starts_with(m);
    if head.len() >= 12 && &head[..4] == b"RIFF" {
        match &head[8..12] {
            b"WAVE" => return s("audio", "audio/wav"),
            b"AVI " => return s("video", "video/x-msvideo"),
            _ => {}
        }
    }
    if starts(b"OggS") {
        return s("audio", "audio/ogg");
    }
    if starts(b"fLaC") {
        return s("audio", "audio/flac");
    }
    if starts(b"ID3") || (head.len() >= 3 && head[0] == 0xFF && (head[1] & 0xE6) == 0xE2) {
        return s("audio", "audio/mpeg");
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        return match &head[8..12] {
            b"M4A " | b"M4B " => s("audio", "audio/mp4"),
            b"qt  " => s("video", "video/quicktime"),
            b"avif" | b"avis" | b"heic" | b"heix" | b"mif1" => None,
            _ => s("video", "video/mp4"),
        };
    }
    if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return s("video", "video/webm");
    }
    if starts(b"glTF") {
        return s("3d", "model/gltf-binary");
    }
    if starts(b"Kaydara FBX Binary") {
        return s("3d", "application/octet-stream");
    }
    if is_text(head) {
        let trimmed = head.trim_ascii_start();
        if trimmed.starts_with(b"{") && find(trimmed, b"\"asset\"") && find(trimmed, b"\"version\"")
        {
            return s("3d", "model/gltf+json");
        }
        return s("text", "text/plain");
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// UTF-8 (a character cut at the end of the sample allowed) without NUL
/// or other control characters than tab, newline, carriage return and
/// form feed; not empty.
fn is_text(head: &[u8]) -> bool {
    if head.is_empty() {
        return false;
    }
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) if e.error_len().is_none() => {
            // a character cut by the sample's end
            match std::str::from_utf8(&head[..e.valid_up_to()]) {
                Ok(t) => t,
                Err(_) => return false,
            }
        }
        Err(_) => return false,
    };
    text.chars()
        .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0c'))
}

// ---------------------------------------------------------------------------
// Wire shapes
// ---------------------------------------------------------------------------

/// `assetOptions` of `POST /uploads`: where the new asset goes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetOptions {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub collection_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hide: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
}

impl AssetOptions {
    fn is_empty(&self) -> bool {
        self.collection_ids.is_empty() && self.hide.is_none() && self.parent_id.is_none()
    }
}

/// Body of `POST /uploads`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateUpload {
    pub file_name: String,
    pub content_type: String,
    pub kind: String,
    pub file_size: u64,
    pub parts: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset_options: Option<AssetOptions>,
}

/// One part's presigned link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadPart {
    pub number: u64,
    pub url: String,
    /// When the link stops working (as the service sends it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<serde_json::Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An upload as `/uploads` answers it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Upload {
    #[serde(default)]
    pub id: String,
    /// `pending validating validated imported complete failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts: Option<Vec<UploadPart>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// The new asset, once imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// Why the upload failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_size: Option<Number>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Deserialize)]
struct UploadEnvelope {
    upload: Upload,
}

impl Client {
    /// `POST /uploads`: starts a multipart upload. Not idempotent.
    pub async fn create_upload(&self, request: &CreateUpload) -> Result<Upload, ApiError> {
        let call = Call::with_json(Method::POST, &["uploads"], request)?.not_idempotent();
        let env: UploadEnvelope = self.call(call).await?;
        Ok(env.upload)
    }

    /// `POST /uploads/{id}/action` with `{"action": ACTION}` (`complete`).
    pub async fn upload_action(&self, id: &str, action: &str) -> Result<Upload, ApiError> {
        let body = serde_json::json!({ "action": action });
        let call = Call::with_json(Method::POST, &["uploads", id, "action"], &body)?;
        let env: UploadEnvelope = self.call(call).await?;
        Ok(env.upload)
    }

    /// `GET /uploads/{id}`: the status, and fresh part links while pending.
    pub async fn get_upload(&self, id: &str) -> Result<Upload, ApiError> {
        let env: UploadEnvelope = self.call(Call::get(&["uploads", id])).await?;
        Ok(env.upload)
    }
}

// ---------------------------------------------------------------------------
// One file, whichever way it goes
// ---------------------------------------------------------------------------

/// What to upload and where the asset goes.
#[derive(Debug, Clone)]
pub struct FileUpload {
    pub path: PathBuf,
    /// The asset's name (default: the file's name).
    pub name: Option<String>,
    pub options: AssetOptions,
    /// Images up to this size go as one JSON body ([`DIRECT_MAX`]).
    pub direct_max: u64,
    /// Part size before the [`MAX_PARTS`] rule ([`DEFAULT_PART`]).
    pub part_size: u64,
    pub concurrency: usize,
}

impl FileUpload {
    pub fn new(path: impl Into<PathBuf>) -> FileUpload {
        FileUpload {
            path: path.into(),
            name: None,
            options: AssetOptions::default(),
            direct_max: DIRECT_MAX,
            part_size: DEFAULT_PART,
            concurrency: PART_CONCURRENCY,
        }
    }
}

/// How far an upload got, for a progress bar or a status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadProgress {
    /// Bytes the service has of `total` (a failed attempt's bytes are
    /// taken back).
    Sent { sent: u64, total: u64 },
    /// The service's status after the last byte (`validating`, …).
    Status(String),
}

/// Hears an upload's progress (called from the upload's tasks).
pub type OnProgress = Arc<dyn Fn(UploadProgress) + Send + Sync>;

/// The parts' layout: `(count, size)` for a file of `len` bytes with parts
/// of `wanted` bytes, at least [`MIN_PART`] and large enough for
/// [`MAX_PARTS`].
pub fn part_layout(len: u64, wanted: u64) -> (u64, u64) {
    let size = wanted.max(MIN_PART).max(len.div_ceil(MAX_PARTS));
    (len.div_ceil(size).max(1), size)
}

/// Uploads one file and answers the new asset: an image under
/// `direct_max` in one request, anything else through the multipart flow.
/// `progress` hears the bytes sent and the import's status.
pub async fn upload_file(
    client: &Client,
    job: &FileUpload,
    progress: OnProgress,
) -> Result<Asset, ApiError> {
    let prepared = prepare(job).await?;
    send(client, job, &prepared, &Resume::default(), progress).await
}

/// A file looked at before it is sent: its size, what its content is, the
/// asset's name, and which way it goes.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub len: u64,
    pub sniffed: Sniffed,
    pub name: String,
    /// One `POST /assets` (an image under `direct_max`); otherwise the
    /// multipart flow, which can pause and resume.
    pub direct: bool,
    /// The path as messages show it (sanitized).
    pub shown: String,
}

/// Reads the file's size and first bytes: what it is and how it goes.
/// Refuses, before any request, what the service imports nothing of.
pub async fn prepare(job: &FileUpload) -> Result<Prepared, ApiError> {
    let shown = sanitize::line(&job.path.display().to_string(), 200);
    let local = |e: std::io::Error| ApiError::Invalid(format!("{shown}: {e}"));
    let meta = tokio::fs::metadata(&job.path).await.map_err(local)?;
    if !meta.is_file() {
        return Err(ApiError::Invalid(format!("{shown}: not a regular file")));
    }
    let len = meta.len();
    if len == 0 {
        return Err(ApiError::Invalid(format!("{shown}: the file is empty")));
    }
    let mut head = vec![0u8; SNIFF_BYTES];
    let mut file = tokio::fs::File::open(&job.path).await.map_err(local)?;
    let mut got = 0;
    while got < head.len() {
        let n = file.read(&mut head[got..]).await.map_err(local)?;
        if n == 0 {
            break;
        }
        got += n;
    }
    head.truncate(got);
    drop(file);
    let Some(sniffed) = sniff(&head) else {
        return Err(ApiError::Invalid(format!(
            "{shown}: not a file the service imports (an image, audio, video, 3D model or \
             text file, recognised by its content)"
        )));
    };
    let name = job.name.clone().unwrap_or_else(|| {
        job.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "upload".into())
    });
    Ok(Prepared {
        len,
        sniffed,
        name,
        direct: sniffed.kind == "image" && len <= job.direct_max,
        shown,
    })
}

/// How far a multipart upload got: the service's upload, the parts it
/// accepted, whether `complete` was. Kept across a pause (the future of
/// [`send`] dropped), so the next [`send`] with it sends only the parts
/// the service does not have, on links renewed from `GET /uploads/{id}`.
#[derive(Debug, Default)]
pub struct Resume {
    inner: Mutex<ResumeState>,
}

#[derive(Debug, Default, Clone)]
struct ResumeState {
    /// The service's upload id and the file's length when it was made.
    upload: Option<(String, u64)>,
    /// Parts accepted, with their lengths.
    done: std::collections::BTreeMap<u64, u64>,
    completed: bool,
}

impl Resume {
    fn state(&self) -> std::sync::MutexGuard<'_, ResumeState> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The service's upload, once created.
    pub fn upload_id(&self) -> Option<String> {
        self.state().upload.as_ref().map(|(id, _)| id.clone())
    }

    /// Parts the service accepted.
    pub fn parts_done(&self) -> usize {
        self.state().done.len()
    }

    /// Bytes the service holds (the parts it accepted).
    pub fn bytes_done(&self) -> u64 {
        self.state().done.values().sum()
    }

    /// `complete` was accepted: only the import is left.
    pub fn completed(&self) -> bool {
        self.state().completed
    }
}

/// Sends a prepared file: in one request, or through the multipart flow
/// carried on from `resume`. Dropping the future pauses it: parts in
/// flight are dropped, the accepted ones stay in `resume`.
pub async fn send(
    client: &Client,
    job: &FileUpload,
    prepared: &Prepared,
    resume: &Resume,
    progress: OnProgress,
) -> Result<Asset, ApiError> {
    let len = prepared.len;
    if prepared.direct {
        let (path, n) = (job.path.clone(), Some(prepared.name.clone()));
        let mut request =
            tokio::task::spawn_blocking(move || super::assets::upload_request_from_file(&path, n))
                .await
                .map_err(|e| ApiError::Invalid(format!("upload: {e}")))??;
        request.collection_ids = job.options.collection_ids.clone();
        request.parent_id = job.options.parent_id.clone();
        request.hide = job.options.hide;
        progress(UploadProgress::Sent {
            sent: 0,
            total: len,
        });
        let asset = client.upload(&request).await?;
        progress(UploadProgress::Sent {
            sent: len,
            total: len,
        });
        return Ok(asset);
    }
    multipart(client, job, prepared, resume, progress).await
}

/// The presigned multipart flow for one file, from where `resume` stands.
async fn multipart(
    client: &Client,
    job: &FileUpload,
    prepared: &Prepared,
    resume: &Resume,
    progress: OnProgress,
) -> Result<Asset, ApiError> {
    let (len, shown) = (prepared.len, prepared.shown.as_str());
    let (count, size) = part_layout(len, job.part_size);
    let existing = resume.state().upload.clone();
    let upload = match existing {
        Some((_, was)) if was != len => {
            return Err(ApiError::Invalid(format!(
                "{shown}: the file changed size ({was} to {len} bytes) since its upload began; \
                 retry to send it again"
            )))
        }
        // carried on: fresh part links (the service signs them while the
        // upload is pending)
        Some((id, _)) => client.get_upload(&id).await?,
        None => {
            let request = CreateUpload {
                file_name: prepared.name.clone(),
                content_type: prepared.sniffed.mime.to_string(),
                kind: prepared.sniffed.kind.to_string(),
                file_size: len,
                parts: count,
                asset_options: (!job.options.is_empty()).then(|| job.options.clone()),
            };
            let upload = client.create_upload(&request).await?;
            resume.state().upload = Some((upload.id.clone(), len));
            upload
        }
    };
    let upload_id = upload.id.clone();
    tracing::debug!(upload = %sanitize::line(&upload_id, 80), parts = count, size, "multipart upload");
    let pending = upload.status.as_deref().is_none_or(|s| s == "pending");
    let current = if resume.completed() || !pending {
        upload
    } else {
        let links = Links::new(&upload)?;
        let sent = Arc::new(AtomicU64::new(resume.bytes_done()));
        progress(UploadProgress::Sent {
            sent: resume.bytes_done(),
            total: len,
        });
        let done: std::collections::BTreeSet<u64> = resume.state().done.keys().copied().collect();
        let parts = (1..=count).filter(|n| !done.contains(n)).map(|n| {
            let start = (n - 1) * size;
            let part_len = size.min(len - start);
            PartJob {
                number: n,
                start,
                len: part_len,
            }
        });
        let ctx = PartCtx {
            client,
            path: &job.path,
            upload_id: &upload.id,
            links: &links,
            sent: sent.clone(),
            total: len,
            progress: progress.clone(),
            shown,
            resume,
        };
        stream::iter(parts.map(|p| ctx.send_part(p)))
            .buffer_unordered(job.concurrency.max(1))
            .try_collect::<Vec<()>>()
            .await?;
        let done = client.upload_action(&upload.id, "complete").await?;
        resume.state().completed = true;
        done
    };
    let mut status = current.status.clone().unwrap_or_default();
    progress(UploadProgress::Status(status.clone()));
    let started = Instant::now();
    // an import takes from milliseconds to minutes: ask often at first
    let mut wait = Duration::from_millis(20);
    let mut current = current;
    loop {
        match current.status.as_deref() {
            Some("imported") | Some("complete") if current.entity_id.is_some() => {
                let id = current.entity_id.unwrap_or_default();
                return client.get_asset(&id).await;
            }
            Some("failed") => {
                let why = current
                    .error_message
                    .as_deref()
                    .map(|m| sanitize::line(m, 300))
                    .unwrap_or_else(|| "no reason given".into());
                return Err(ApiError::UploadFailed {
                    file: shown.to_string(),
                    message: why,
                });
            }
            _ => {}
        }
        if started.elapsed() > IMPORT_DEADLINE {
            return Err(ApiError::Timeout {
                endpoint: format!("GET /uploads/{}", sanitize::line(&upload_id, 80)),
                reason: format!(
                    "the service did not import {shown} within {} minutes",
                    IMPORT_DEADLINE.as_secs() / 60
                ),
            });
        }
        tokio::time::sleep(wait).await;
        wait = wait.mul_f64(1.5).min(Duration::from_secs(2));
        current = client.get_upload(&upload_id).await?;
        let now = current.status.clone().unwrap_or_default();
        if now != status {
            status = now;
            progress(UploadProgress::Status(status.clone()));
        }
    }
}

/// The part links of one upload, renewed as a whole when one fails.
struct Links {
    urls: Mutex<HashMap<u64, String>>,
    /// Bumped at each renewal, so parts failing together renew once.
    generation: AtomicU64,
    renewing: tokio::sync::Mutex<()>,
}

impl Links {
    fn new(upload: &Upload) -> Result<Links, ApiError> {
        let links = Links {
            urls: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
            renewing: tokio::sync::Mutex::new(()),
        };
        links.take(upload)?;
        Ok(links)
    }

    fn take(&self, upload: &Upload) -> Result<(), ApiError> {
        let parts = upload.parts.as_deref().unwrap_or_default();
        if parts.is_empty() {
            return Err(ApiError::UnexpectedResponse {
                endpoint: "POST /uploads".into(),
                status: 200,
                problem: "the upload has no part links".into(),
                excerpt: String::new(),
            });
        }
        let mut urls = self.urls.lock().map_err(|_| poisoned())?;
        for p in parts {
            urls.insert(p.number, p.url.clone());
        }
        Ok(())
    }

    fn get(&self, n: u64) -> Result<(String, u64), ApiError> {
        let generation = self.generation.load(Ordering::SeqCst);
        let urls = self.urls.lock().map_err(|_| poisoned())?;
        let url = urls.get(&n).cloned().ok_or_else(|| {
            ApiError::Invalid(format!(
                "the service sent no link for part {n} of the upload"
            ))
        })?;
        Ok((url, generation))
    }

    /// Fresh links from `GET /uploads/{id}`, unless another part renewed
    /// them since `seen`.
    async fn renew(&self, client: &Client, id: &str, seen: u64) -> Result<(), ApiError> {
        let _one = self.renewing.lock().await;
        if self.generation.load(Ordering::SeqCst) != seen {
            return Ok(());
        }
        let upload = client.get_upload(id).await?;
        self.take(&upload)?;
        self.generation.fetch_add(1, Ordering::SeqCst);
        tracing::debug!(upload = %sanitize::line(id, 80), "part links renewed");
        Ok(())
    }
}

fn poisoned() -> ApiError {
    ApiError::Invalid("upload state lock poisoned".into())
}

struct PartJob {
    number: u64,
    start: u64,
    len: u64,
}

struct PartCtx<'a> {
    client: &'a Client,
    path: &'a Path,
    upload_id: &'a str,
    links: &'a Links,
    sent: Arc<AtomicU64>,
    total: u64,
    progress: OnProgress,
    shown: &'a str,
    resume: &'a Resume,
}

/// Why one attempt at a part failed.
enum PartFailure {
    /// The link was refused (expired or altered): renew before the next.
    Link(String),
    /// Anything else worth another attempt.
    Again(String),
    /// Not worth another attempt (the file changed or cannot be read).
    Final(ApiError),
}

impl PartCtx<'_> {
    async fn send_part(&self, part: PartJob) -> Result<(), ApiError> {
        let mut failures = 0u32;
        let policy = super::retry::RetryPolicy::default();
        loop {
            let (url, generation) = self.links.get(part.number)?;
            let counted = Arc::new(AtomicU64::new(0));
            let result = self.attempt(&part, &url, counted.clone()).await;
            if result.is_err() {
                // the service does not have these bytes: take them back
                let back = counted.load(Ordering::SeqCst);
                let now = self.sent.fetch_sub(back, Ordering::SeqCst) - back;
                (self.progress)(UploadProgress::Sent {
                    sent: now,
                    total: self.total,
                });
            }
            let (why, renew) = match result {
                Ok(()) => {
                    self.resume.state().done.insert(part.number, part.len);
                    // heard again once accepted: a listener counting the
                    // parts through the `Resume` sees this one
                    (self.progress)(UploadProgress::Sent {
                        sent: self.sent.load(Ordering::SeqCst),
                        total: self.total,
                    });
                    return Ok(());
                }
                Err(PartFailure::Final(e)) => return Err(e),
                Err(PartFailure::Link(why)) => (why, true),
                Err(PartFailure::Again(why)) => (why, failures >= 1),
            };
            failures += 1;
            tracing::debug!(part = part.number, attempt = failures, %why, "part failed");
            if failures >= PART_ATTEMPTS {
                return Err(ApiError::Interrupted {
                    endpoint: format!("PUT part {} of {}", part.number, self.shown),
                    reason: format!("{why}, {PART_ATTEMPTS} attempts"),
                });
            }
            if renew {
                self.links
                    .renew(self.client, self.upload_id, generation)
                    .await?;
            }
            tokio::time::sleep(policy.backoff(failures - 1)).await;
        }
    }

    async fn attempt(
        &self,
        part: &PartJob,
        url: &str,
        counted: Arc<AtomicU64>,
    ) -> Result<(), PartFailure> {
        let local = |e: std::io::Error| {
            PartFailure::Final(ApiError::Invalid(format!("{}: {e}", self.shown)))
        };
        let mut file = tokio::fs::File::open(self.path).await.map_err(local)?;
        file.seek(std::io::SeekFrom::Start(part.start))
            .await
            .map_err(local)?;
        let sent = self.sent.clone();
        let progress = self.progress.clone();
        let total = self.total;
        // the body: the part's bytes in blocks, read as they are sent
        let body = stream::unfold(
            (file, part.len, counted),
            move |(mut file, left, counted)| {
                let sent = sent.clone();
                let progress = progress.clone();
                async move {
                    if left == 0 {
                        return None;
                    }
                    let want = (left as usize).min(READ_BLOCK);
                    let mut buf = vec![0u8; want];
                    let mut got = 0;
                    while got < want {
                        match file.read(&mut buf[got..]).await {
                            Ok(0) => {
                                let e = std::io::Error::new(
                                    std::io::ErrorKind::UnexpectedEof,
                                    "the file got shorter while it was uploaded",
                                );
                                return Some((Err(e), (file, 0, counted)));
                            }
                            Ok(n) => got += n,
                            Err(e) => return Some((Err(e), (file, 0, counted))),
                        }
                    }
                    counted.fetch_add(got as u64, Ordering::SeqCst);
                    let now = sent.fetch_add(got as u64, Ordering::SeqCst) + got as u64;
                    progress(UploadProgress::Sent { sent: now, total });
                    Some((
                        Ok::<_, std::io::Error>(bytes::Bytes::from(buf)),
                        (file, left - got as u64, counted),
                    ))
                }
            },
        );
        // presigned: no Scenario credentials on this request
        let resp = self
            .client
            .http()
            .put(url)
            .header(reqwest::header::CONTENT_LENGTH, part.len)
            .body(reqwest::Body::wrap_stream(body))
            .send()
            .await
            .map_err(|e| PartFailure::Again(describe(&e)))?;
        let status = resp.status();
        if status.is_success() {
            // drain the short answer so the connection is reused
            let _ = resp.bytes().await;
            return Ok(());
        }
        let text = resp.bytes().await.unwrap_or_default();
        let message = super::error::ServerError::parse(&text)
            .human()
            .unwrap_or_else(|| format!("HTTP {}", status.as_u16()));
        match status.as_u16() {
            403 => Err(PartFailure::Link(format!("link refused: {message}"))),
            _ => Err(PartFailure::Again(format!(
                "{} ({message})",
                status.as_u16()
            ))),
        }
    }
}

/// A transport error in a few words (the link's query never shown).
fn describe(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    sanitize::line(&source.to_string(), 200)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_uses_content_only() {
        let png = [
            0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13,
        ];
        assert_eq!(sniff(&png).map(|s| s.kind), Some("image"));
        assert_eq!(
            sniff(b"RIFF\0\0\0\0WAVEfmt ").map(|s| (s.kind, s.mime)),
            Some(("audio", "audio/wav"))
        );
        assert_eq!(
            sniff(b"\0\0\0\x20ftypisom\0\0\0\0").map(|s| s.kind),
            Some("video")
        );
        assert_eq!(sniff(b"glTF\x02\0\0\0").map(|s| s.kind), Some("3d"));
        assert_eq!(sniff(b"ID3\x04\0\0").map(|s| s.kind), Some("audio"));
        assert_eq!(
            sniff("a story, naïve\n".as_bytes()).map(|s| s.kind),
            Some("text")
        );
        assert_eq!(sniff(b"\0\x01\x02binary\xff\xfe"), None);
        assert_eq!(sniff(b""), None);
        // a character cut by the sample's end is still text
        let mut cut = "é".repeat(10).into_bytes();
        cut.pop();
        assert_eq!(sniff(&cut).map(|s| s.kind), Some("text"));
    }

    #[test]
    fn parts_are_large_enough_and_few_enough() {
        assert_eq!(part_layout(1, DEFAULT_PART), (1, DEFAULT_PART));
        assert_eq!(part_layout(200_000_000, DEFAULT_PART), (24, DEFAULT_PART));
        // below the minimum part size, the minimum
        assert_eq!(part_layout(12 << 20, 1 << 20), (3, MIN_PART));
        // a huge file takes larger parts, never more than MAX_PARTS
        let (n, size) = part_layout(200 << 30, DEFAULT_PART);
        assert!(n <= MAX_PARTS && size * n >= 200 << 30, "{n} x {size}");
    }

    #[test]
    fn the_create_body_is_the_documented_shape() {
        let body = CreateUpload {
            file_name: "song.wav".into(),
            content_type: "audio/wav".into(),
            kind: "audio".into(),
            file_size: 42,
            parts: 1,
            asset_options: Some(AssetOptions {
                collection_ids: vec!["col_1".into()],
                parent_id: Some("asset_p".into()),
                hide: None,
            }),
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({
                "fileName": "song.wav", "contentType": "audio/wav", "kind": "audio",
                "fileSize": 42, "parts": 1,
                "assetOptions": {"collectionIds": ["col_1"], "parentId": "asset_p"}
            })
        );
    }
}
