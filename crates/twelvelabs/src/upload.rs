//! The multipart upload flow for files too large for one request: create
//! a session, get a presigned URL per chunk, PUT each chunk (without the
//! API key), report the chunks, confirm. Each chunk is retried on its own
//! (a fresh URL each time: they are single-use); the session's creation
//! is never resent once it may have been acted on.
//!
//! A [`Resume`] keeps what a flow has done (the session, the chunks the
//! service took with their proofs, those reported), so dropping the
//! future pauses it and calling again with the same `Resume` sends only
//! the chunks the service does not have; [`Resume::adopt`] picks up
//! a session another run began (found with `list_incomplete_uploads`).
//! [`Client::plan_local`] says which way a local file goes, its limits
//! checked before a byte is sent.

use std::collections::{BTreeMap, BTreeSet};
use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::assets::file_len;
use crate::client::{put_presigned, Call, Client, Query};
use crate::error::Error;
use crate::form::guess_content_type;
use crate::models::{
    AssetType, ChunkReport, ChunkStatus, CompletedChunk, CreateUploadRequest, IncompleteUpload,
    Page, PresignedUrls, UploadSession, UploadStatus, UploadStatusPage, UserMetadata,
};
use crate::paging::check_page;

/// Largest file the multipart flow sends (video and audio; the service
/// refuses more).
pub const MAX_MULTIPART_BYTES: u64 = 10 << 30;

/// Most URLs one `presigned-urls` request may ask for.
pub const MAX_URLS_PER_REQUEST: u64 = 50;

/// Largest local video or audio file one `POST /assets` takes (the
/// service's 200 MB); larger ones go by multipart upload. The client's
/// [`ChunkPolicy::direct_max`](crate::ChunkPolicy) is this by default.
pub const DIRECT_MEDIA_MAX_BYTES: u64 = 200_000_000;

/// Largest image, sent either way (the service's 32 MB).
pub const MAX_IMAGE_BYTES: u64 = 32 << 20;

/// Largest local document (PDF, text, Markdown) one `POST /assets` takes.
pub const MAX_DOCUMENT_BYTES: u64 = 200_000_000;

/// Most pages of chunk states read to continue a session (50 a page).
const MAX_STATUS_PAGES: u64 = 400;

/// How a local file goes to the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// One `POST /assets`.
    Direct,
    /// The multipart flow (large video or audio).
    Multipart,
}

/// A local file checked against the service's limits.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalPlan {
    pub way: Way,
    pub len: u64,
    /// What the name says it is (`None`: neither video, audio nor image).
    pub asset_type: Option<AssetType>,
}

/// The ids of a multipart session and its chunk size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionIds {
    pub upload_id: String,
    pub asset_id: String,
    pub chunk_size: u64,
}

#[derive(Debug, Default)]
struct Done {
    session: Option<SessionIds>,
    /// Chunks the service took (PUT answered with an ETag), by index.
    sent: BTreeMap<u64, CompletedChunk>,
    /// Chunks the service counts as completed (reported).
    reported: BTreeSet<u64>,
}

/// What a multipart upload has done, kept across pauses (a dropped
/// future) and handed to the next call so nothing accepted is sent again.
#[derive(Debug, Default)]
pub struct Resume {
    done: Mutex<Done>,
}

impl Resume {
    pub fn new() -> Resume {
        Resume::default()
    }

    /// Continues a session another run began (found with
    /// `list_incomplete_uploads`), unless this one has a session already;
    /// `false` then.
    pub fn adopt(&self, session: SessionIds) -> bool {
        let mut done = self.lock();
        if done.session.is_some() {
            return false;
        }
        done.session = Some(session);
        true
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Done> {
        self.done.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The session, once created or given.
    pub fn session(&self) -> Option<SessionIds> {
        self.lock().session.clone()
    }

    /// The chunks the service has (taken or reported), 1-based.
    pub fn accepted(&self) -> BTreeSet<u64> {
        let d = self.lock();
        d.sent.keys().chain(d.reported.iter()).copied().collect()
    }

    /// Bytes of the chunks the service has (0 before a session).
    pub fn bytes_done(&self, total: u64) -> u64 {
        let Some(size) = self.session().map(|s| s.chunk_size) else {
            return 0;
        };
        self.accepted()
            .into_iter()
            .map(|i| chunk_len(size, total, i))
            .sum()
    }
}

/// Length of chunk `index` (1-based) of `total` bytes in chunks of `size`.
fn chunk_len(size: u64, total: u64, index: u64) -> u64 {
    let offset = (index - 1).saturating_mul(size);
    size.min(total.saturating_sub(offset))
}

/// A file to upload in chunks.
#[derive(Debug, Clone, PartialEq)]
pub struct MultipartUpload {
    pub path: PathBuf,
    /// The asset's name; the file's name when absent.
    pub filename: Option<String>,
    /// `video`, `audio` or `image`; guessed from the extension when absent.
    pub asset_type: Option<AssetType>,
    pub enable_hls: Option<bool>,
    pub enable_thumbnail: Option<bool>,
    pub user_metadata: Option<UserMetadata>,
}

impl MultipartUpload {
    pub fn new(path: impl Into<PathBuf>) -> MultipartUpload {
        MultipartUpload {
            path: path.into(),
            filename: None,
            asset_type: None,
            enable_hls: None,
            enable_thumbnail: None,
            user_metadata: None,
        }
    }
}

/// How far an upload is, after the service took chunk `chunk`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadProgress {
    pub chunk: u64,
    pub chunks_done: u64,
    pub total_chunks: u64,
    pub bytes_done: u64,
    pub total_bytes: u64,
}

/// A finished upload: the asset exists and is being processed.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadOutcome {
    pub upload_id: String,
    pub asset_id: String,
    /// The completed report's `url`, when the service gave one.
    pub url: Option<String>,
}

impl Client {
    /// `POST /assets/multipart-uploads` (201). Not resent once it may
    /// have been acted on.
    pub async fn create_upload(
        &self,
        request: &CreateUploadRequest,
    ) -> Result<UploadSession, Error> {
        self.call(
            Call::new(Method::POST, &["assets", "multipart-uploads"])
                .json(request)?
                .not_idempotent(),
        )
        .await
    }

    /// `POST /assets/multipart-uploads/{upload_id}/presigned-urls`:
    /// fresh URLs for chunks `start..start+count` (1-based, at most 50).
    pub async fn presigned_urls(
        &self,
        upload_id: &str,
        start: u64,
        count: u64,
    ) -> Result<PresignedUrls, Error> {
        if start == 0 || count == 0 || count > MAX_URLS_PER_REQUEST {
            return Err(Error::Invalid(format!(
                "chunk URLs are asked from chunk 1 on, 1 to {MAX_URLS_PER_REQUEST} at a time"
            )));
        }
        let body = serde_json::json!({ "start": start, "count": count });
        self.call(
            Call::new(
                Method::POST,
                &["assets", "multipart-uploads", upload_id, "presigned-urls"],
            )
            .json(&body)?,
        )
        .await
    }

    /// `PUT` one chunk to its presigned URL, without the API key; returns
    /// the ETag without quotes. Not retried here.
    pub async fn put_chunk(&self, url: &str, bytes: Bytes) -> Result<String, Error> {
        put_presigned(self, url, bytes).await
    }

    /// `POST /assets/multipart-uploads/{upload_id}`: reports finished
    /// chunks. Reporting twice is harmless (counted as duplicates), so it
    /// is retried like a read.
    pub async fn report_chunks(
        &self,
        upload_id: &str,
        chunks: &[CompletedChunk],
    ) -> Result<ChunkReport, Error> {
        let body = serde_json::json!({ "completed_chunks": chunks });
        self.call(Call::new(Method::POST, &["assets", "multipart-uploads", upload_id]).json(&body)?)
            .await
    }

    /// `GET /assets/multipart-uploads/{upload_id}`: the session's state
    /// and one page of its chunks.
    pub async fn upload_status(
        &self,
        upload_id: &str,
        page: Option<u64>,
        page_limit: Option<u64>,
    ) -> Result<UploadStatusPage, Error> {
        let page = check_page(page, page_limit)?;
        let mut q = Query::default();
        q.push("page", page);
        q.opt("page_limit", page_limit);
        self.call(Call::get(&["assets", "multipart-uploads", upload_id]).query(q.0))
            .await
    }

    /// `GET /assets/multipart-uploads`: sessions not yet completed.
    pub async fn list_incomplete_uploads(
        &self,
        page: Option<u64>,
        page_limit: Option<u64>,
    ) -> Result<Page<IncompleteUpload>, Error> {
        let page = check_page(page, page_limit)?;
        let mut q = Query::default();
        q.push("page", page);
        q.opt("page_limit", page_limit);
        self.call(Call::get(&["assets", "multipart-uploads"]).query(q.0))
            .await
    }

    /// Which way a local file goes, checked against the limits before a
    /// byte is sent: images up to 32 MB in one request, documents up to
    /// 200 MB, video and audio in one request up to
    /// [`ChunkPolicy::direct_max`](crate::ChunkPolicy) and by multipart
    /// upload above, up to 10 GB.
    pub fn plan_local(&self, path: &Path) -> Result<LocalPlan, Error> {
        let len = file_len(path)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let asset_type = type_of(&name).ok();
        let too_large = |what: &'static str, limit_text: &'static str| Error::FileTooLarge {
            path: path.to_path_buf(),
            size: len,
            what,
            limit_text,
        };
        let document = matches!(
            guess_content_type(&name),
            "application/pdf" | "text/plain" | "text/markdown"
        );
        let way = match &asset_type {
            Some(AssetType::Image) if len > MAX_IMAGE_BYTES => {
                return Err(too_large("image", "32 MB"))
            }
            Some(AssetType::Video | AssetType::Audio) if len > MAX_MULTIPART_BYTES => {
                return Err(too_large("video or audio upload", "10 GB"))
            }
            Some(AssetType::Video | AssetType::Audio) if len > self.options().chunks.direct_max => {
                Way::Multipart
            }
            _ if document && len > MAX_DOCUMENT_BYTES => {
                return Err(too_large("local document", "200 MB"))
            }
            _ => Way::Direct,
        };
        Ok(LocalPlan {
            way,
            len,
            asset_type,
        })
    }

    /// The whole flow for one file, from where `resume` says it is: a new
    /// session, or the given one whose chunks the service has are not
    /// sent again. `progress` is called after each chunk the service
    /// takes. Dropping the future pauses; call again with the same
    /// `resume` to go on. The asset is `processing` at the end: poll
    /// [`Client::get_asset`].
    pub async fn upload_multipart(
        &self,
        upload: &MultipartUpload,
        resume: &Resume,
        progress: &(dyn Fn(UploadProgress) + Send + Sync),
    ) -> Result<UploadOutcome, Error> {
        let path = upload.path.as_path();
        let total_bytes = file_len(path)?;
        if total_bytes > MAX_MULTIPART_BYTES {
            return Err(Error::FileTooLarge {
                path: path.to_path_buf(),
                size: total_bytes,
                what: "multipart upload",
                limit_text: "10 GB",
            });
        }
        if total_bytes == 0 {
            return Err(Error::Invalid(format!("{} is empty", path.display())));
        }
        let mut urls: BTreeMap<u64, String> = BTreeMap::new();
        let plan = match resume.session() {
            Some(ids) => {
                let plan =
                    Plan::continued(&ids, total_bytes, self.options().chunks.max_chunk_bytes)?;
                if let Some(done) = self.session_state(&plan, resume).await? {
                    return Ok(done);
                }
                plan
            }
            None => {
                let filename = match &upload.filename {
                    Some(name) => name.clone(),
                    None => path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| "upload".into()),
                };
                let asset_type = match &upload.asset_type {
                    Some(t) => t.clone(),
                    None => type_of(&filename)?,
                };
                let session = self
                    .create_upload(&CreateUploadRequest {
                        filename,
                        asset_type,
                        total_size: total_bytes,
                        enable_hls: upload.enable_hls,
                        enable_thumbnail: upload.enable_thumbnail,
                        user_metadata: upload.user_metadata.clone(),
                    })
                    .await?;
                let plan = Plan::of(&session, total_bytes, self.options().chunks.max_chunk_bytes)?;
                resume.lock().session = Some(SessionIds {
                    upload_id: plan.upload_id.clone(),
                    asset_id: plan.asset_id.clone(),
                    chunk_size: plan.chunk_size,
                });
                for u in session.upload_urls.iter().flatten() {
                    if let (Some(i), Some(url)) = (u.chunk_index, &u.url) {
                        if (1..=plan.chunks).contains(&i) {
                            urls.insert(i, url.clone());
                        }
                    }
                }
                plan
            }
        };
        let mut url = None;
        let mut asset_id = None;
        // chunks taken but not reported when the last call stopped
        let unreported: Vec<CompletedChunk> = {
            let d = resume.lock();
            d.sent
                .values()
                .filter(|c| !d.reported.contains(&c.chunk_index))
                .cloned()
                .collect()
        };
        if !unreported.is_empty() {
            match self.report_chunks(&plan.upload_id, &unreported).await {
                Ok(report) => {
                    resume
                        .lock()
                        .reported
                        .extend(unreported.iter().map(|c| c.chunk_index));
                    url = report.url;
                    asset_id = report.asset_id;
                }
                // the service no longer takes those proofs: send them again
                Err(e) if e.status() == Some(400) => {
                    let mut d = resume.lock();
                    for c in &unreported {
                        d.sent.remove(&c.chunk_index);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        let accepted = resume.accepted();
        let todo: Vec<u64> = (1..=plan.chunks)
            .filter(|i| !accepted.contains(i))
            .collect();
        urls.retain(|i, _| !accepted.contains(i));
        // the URLs the session did not give, 50 at a time
        let missing: Vec<u64> = todo
            .iter()
            .copied()
            .filter(|i| !urls.contains_key(i))
            .collect();
        for run in runs(&missing) {
            let got = self.presigned_urls(&plan.upload_id, run.0, run.1).await?;
            for u in got.upload_urls.iter().flatten() {
                if let (Some(i), Some(url)) = (u.chunk_index, &u.url) {
                    if missing.contains(&i) {
                        urls.insert(i, url.clone());
                    }
                }
            }
        }
        if let Some(i) = todo.iter().find(|i| !urls.contains_key(i)) {
            return Err(Error::UnexpectedResponse {
                endpoint: "POST …/presigned-urls".into(),
                status: 200,
                problem: format!("the service gave no URL for chunk {i}"),
                excerpt: String::new(),
            });
        }
        let done_bytes = Arc::new(AtomicU64::new(resume.bytes_done(total_bytes)));
        let done_chunks = Arc::new(AtomicU64::new(accepted.len() as u64));
        let policy = self.options().chunks.clone();
        let mut sends = stream::iter(urls.into_iter().map(|(index, url)| {
            let plan = &plan;
            let (done_bytes, done_chunks) = (done_bytes.clone(), done_chunks.clone());
            async move {
                let chunk = self.send_chunk(plan, path, index, url).await?;
                resume.lock().sent.insert(index, chunk.clone());
                let bytes =
                    done_bytes.fetch_add(chunk.chunk_size, Ordering::Relaxed) + chunk.chunk_size;
                let chunks = done_chunks.fetch_add(1, Ordering::Relaxed) + 1;
                progress(UploadProgress {
                    chunk: index,
                    chunks_done: chunks,
                    total_chunks: plan.chunks,
                    bytes_done: bytes,
                    total_bytes,
                });
                Ok::<_, Error>(chunk)
            }
        }))
        .buffer_unordered(policy.concurrency.max(1));
        let mut batch = Vec::new();
        while let Some(result) = sends.next().await {
            batch.push(result?);
            if batch.len() >= policy.report_batch.max(1) {
                let report = self.report_chunks(&plan.upload_id, &batch).await?;
                resume
                    .lock()
                    .reported
                    .extend(batch.iter().map(|c| c.chunk_index));
                batch.clear();
                url = url.or(report.url);
                asset_id = asset_id.or(report.asset_id);
            }
        }
        drop(sends);
        if !batch.is_empty() {
            let report = self.report_chunks(&plan.upload_id, &batch).await?;
            resume
                .lock()
                .reported
                .extend(batch.iter().map(|c| c.chunk_index));
            url = url.or(report.url);
            asset_id = asset_id.or(report.asset_id);
        }
        // `url` marks completion; without it, ask the session
        if url.is_none() {
            let status = self.upload_status(&plan.upload_id, None, None).await?;
            if status.status != Some(UploadStatus::Completed) {
                return Err(not_completed(&plan, &status));
            }
        }
        Ok(UploadOutcome {
            upload_id: plan.upload_id.clone(),
            asset_id: asset_id.unwrap_or_else(|| plan.asset_id.clone()),
            url,
        })
    }

    /// Reads a continued session's chunk states into the plan: the
    /// completed ones are skipped. A session already completed is the
    /// outcome; one expired or failed is an error (start again).
    async fn session_state(
        &self,
        plan: &Plan,
        resume: &Resume,
    ) -> Result<Option<UploadOutcome>, Error> {
        let mut completed = BTreeSet::new();
        let mut page = 1;
        loop {
            let status = self
                .upload_status(&plan.upload_id, Some(page), Some(50))
                .await?;
            match &status.status {
                Some(UploadStatus::Completed) => {
                    return Ok(Some(UploadOutcome {
                        upload_id: plan.upload_id.clone(),
                        asset_id: plan.asset_id.clone(),
                        url: None,
                    }))
                }
                Some(UploadStatus::Active) | None => {}
                Some(other) => {
                    return Err(Error::Invalid(format!(
                        "the upload begun earlier is {}: it cannot go on",
                        assetui_api::sanitize::line(other.as_str(), 40)
                    )))
                }
            }
            if let Some(size) = status.total_size {
                if size != plan.total {
                    return Err(Error::Invalid(format!(
                        "the upload begun earlier was of {size} bytes, the file now has {}",
                        plan.total
                    )));
                }
            }
            let items = status.uploaded_chunks.unwrap_or_default();
            for c in &items {
                if let (Some(i), Some(ChunkStatus::Completed)) = (c.index, &c.status) {
                    completed.insert(i);
                }
            }
            let last = status
                .page_info
                .as_ref()
                .and_then(|p| p.total_page)
                .unwrap_or(page);
            if items.is_empty() || page >= last {
                break;
            }
            if page >= MAX_STATUS_PAGES {
                return Err(Error::TooManyPages {
                    endpoint: format!("GET …/multipart-uploads/{}", plan.upload_id),
                    pages: MAX_STATUS_PAGES as usize,
                });
            }
            page += 1;
        }
        resume.lock().reported.extend(completed);
        Ok(None)
    }

    /// One chunk, with its own attempts: the first on the URL it was
    /// given, each next one on a fresh URL after a doubling wait.
    async fn send_chunk(
        &self,
        plan: &Plan,
        path: &Path,
        index: u64,
        first_url: String,
    ) -> Result<CompletedChunk, Error> {
        let policy = &self.options().chunks;
        let (offset, len) = plan.range(index);
        let bytes = read_range(path, offset, len).await?;
        let attempts = policy.attempts.max(1);
        let mut url = first_url;
        let mut attempt = 0u32;
        loop {
            match self.put_chunk(&url, bytes.clone()).await {
                Ok(etag) => {
                    return Ok(CompletedChunk {
                        chunk_index: index,
                        proof: etag,
                        proof_type: "etag".into(),
                        chunk_size: len,
                    })
                }
                Err(e) if attempt + 1 >= attempts => {
                    return Err(Error::Chunk {
                        chunk: index,
                        attempts,
                        reason: e.to_string(),
                    })
                }
                Err(e) => {
                    tracing::debug!(index, attempt, error = %e, "chunk failed; retrying");
                    let wait = policy
                        .backoff
                        .saturating_mul(2u32.saturating_pow(attempt.min(16)));
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                    let fresh = self.presigned_urls(&plan.upload_id, index, 1).await?;
                    url = fresh
                        .upload_urls
                        .iter()
                        .flatten()
                        .find(|u| u.chunk_index == Some(index))
                        .and_then(|u| u.url.clone())
                        .ok_or_else(|| Error::UnexpectedResponse {
                            endpoint: "POST …/presigned-urls".into(),
                            status: 200,
                            problem: format!("no fresh URL for chunk {index}"),
                            excerpt: String::new(),
                        })?;
                }
            }
        }
    }
}

/// The chunk layout of a session, checked against the file.
struct Plan {
    upload_id: String,
    asset_id: String,
    chunk_size: u64,
    chunks: u64,
    total: u64,
}

impl Plan {
    /// The layout of a session another run began.
    fn continued(ids: &SessionIds, total: u64, max_chunk: u64) -> Result<Plan, Error> {
        if ids.chunk_size == 0 || ids.chunk_size > max_chunk {
            return Err(Error::Invalid(format!(
                "the upload begun earlier has chunks of {} bytes, not 1 to {max_chunk}",
                ids.chunk_size
            )));
        }
        Ok(Plan {
            upload_id: ids.upload_id.clone(),
            asset_id: ids.asset_id.clone(),
            chunk_size: ids.chunk_size,
            chunks: total.div_ceil(ids.chunk_size),
            total,
        })
    }

    fn of(session: &UploadSession, total: u64, max_chunk: u64) -> Result<Plan, Error> {
        let bad = |problem: String| Error::UnexpectedResponse {
            endpoint: "POST /assets/multipart-uploads".into(),
            status: 201,
            problem,
            excerpt: String::new(),
        };
        let upload_id = session
            .upload_id
            .clone()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| bad("no upload_id".into()))?;
        let asset_id = session.asset_id.clone().unwrap_or_default();
        let chunk_size = session
            .chunk_size
            .filter(|&n| n > 0)
            .ok_or_else(|| bad("no chunk_size".into()))?;
        if chunk_size > max_chunk {
            return Err(bad(format!(
                "a chunk size of {chunk_size} bytes, over the {max_chunk} this client holds in memory"
            )));
        }
        let chunks = total.div_ceil(chunk_size);
        if let Some(n) = session.total_chunks {
            if n != chunks {
                return Err(bad(format!(
                    "total_chunks {n}, but {total} bytes in chunks of {chunk_size} make {chunks}"
                )));
            }
        }
        Ok(Plan {
            upload_id,
            asset_id,
            chunk_size,
            chunks,
            total,
        })
    }

    /// Offset and length of chunk `index` (1-based).
    fn range(&self, index: u64) -> (u64, u64) {
        (
            (index - 1) * self.chunk_size,
            chunk_len(self.chunk_size, self.total, index),
        )
    }
}

/// Every chunk was reported but the session is not completed.
fn not_completed(plan: &Plan, status: &UploadStatusPage) -> Error {
    let shown = status
        .status
        .as_ref()
        .map(|s| assetui_api::sanitize::line(s.as_str(), 40))
        .unwrap_or_else(|| "unknown".into());
    Error::UnexpectedResponse {
        endpoint: format!("GET …/multipart-uploads/{}", plan.upload_id),
        status: 200,
        problem: format!(
            "every chunk was reported but the upload is `{shown}`, not completed ({} of {} chunks completed)",
            status.chunks_completed.unwrap_or(0),
            plan.chunks
        ),
        excerpt: String::new(),
    }
}

/// Runs of consecutive indices, each at most 50 long: `(start, count)`.
fn runs(indices: &[u64]) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::new();
    for &i in indices {
        match out.last_mut() {
            Some((start, count)) if *start + *count == i && *count < MAX_URLS_PER_REQUEST => {
                *count += 1
            }
            _ => out.push((i, 1)),
        }
    }
    out
}

async fn read_range(path: &Path, offset: u64, len: u64) -> Result<Bytes, Error> {
    let fail = |e: std::io::Error| Error::File {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let mut file = tokio::fs::File::open(path).await.map_err(fail)?;
    file.seek(SeekFrom::Start(offset)).await.map_err(fail)?;
    let mut buf = vec![0u8; len as usize];
    file.read_exact(&mut buf).await.map_err(fail)?;
    Ok(Bytes::from(buf))
}

/// `video`, `audio` or `image` from a file name.
fn type_of(filename: &str) -> Result<AssetType, Error> {
    let ctype = guess_content_type(filename);
    match ctype.split('/').next() {
        Some("video") => Ok(AssetType::Video),
        Some("audio") => Ok(AssetType::Audio),
        Some("image") => Ok(AssetType::Image),
        _ => Err(Error::Invalid(format!(
            "cannot tell whether {} is a video, audio or image file; say which",
            assetui_api::sanitize::line(filename, 120)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_consecutive_and_at_most_fifty() {
        assert_eq!(runs(&[1, 2, 3, 5, 6, 9]), vec![(1, 3), (5, 2), (9, 1)]);
        let many: Vec<u64> = (1..=120).collect();
        assert_eq!(runs(&many), vec![(1, 50), (51, 50), (101, 20)]);
    }

    #[test]
    fn the_plan_checks_the_session() {
        let session = UploadSession {
            upload_id: Some("up".into()),
            asset_id: Some("as".into()),
            chunk_size: Some(4),
            total_chunks: Some(3),
            ..Default::default()
        };
        let plan = Plan::of(&session, 10, 1 << 20).unwrap();
        assert_eq!(plan.chunks, 3);
        assert_eq!(plan.range(1), (0, 4));
        assert_eq!(plan.range(3), (8, 2));
        let wrong = UploadSession {
            total_chunks: Some(2),
            ..session.clone()
        };
        assert!(Plan::of(&wrong, 10, 1 << 20).is_err());
        assert!(Plan::of(&session, 10, 3).is_err());
    }
}
