//! The multipart upload flow for files too large for one request: create
//! a session, get a presigned URL per chunk, PUT each chunk (without the
//! API key), report the chunks, confirm. Each chunk is retried on its own
//! (a fresh URL each time: they are single-use); the session's creation
//! is never resent once it may have been acted on.

use std::collections::BTreeMap;
use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::assets::file_len;
use crate::client::{put_presigned, Call, Client, Query};
use crate::error::Error;
use crate::form::guess_content_type;
use crate::models::{
    AssetType, ChunkReport, CompletedChunk, CreateUploadRequest, IncompleteUpload, Page,
    PresignedUrls, UploadSession, UploadStatus, UploadStatusPage, UserMetadata,
};
use crate::paging::check_page;

/// Largest file the multipart flow sends (video and audio; the service
/// refuses more).
pub const MAX_MULTIPART_BYTES: u64 = 10 << 30;

/// Most URLs one `presigned-urls` request may ask for.
pub const MAX_URLS_PER_REQUEST: u64 = 50;

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

/// How far an upload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadProgress {
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

    /// The whole flow for one file. `progress` is called after each
    /// chunk. The asset is `processing` at the end: poll
    /// [`Client::get_asset`].
    pub async fn upload_multipart(
        &self,
        upload: &MultipartUpload,
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
        let mut urls: BTreeMap<u64, String> = BTreeMap::new();
        for u in session.upload_urls.iter().flatten() {
            if let (Some(i), Some(url)) = (u.chunk_index, &u.url) {
                if (1..=plan.chunks).contains(&i) {
                    urls.insert(i, url.clone());
                }
            }
        }
        // the URLs the session did not give, 50 at a time
        let missing: Vec<u64> = (1..=plan.chunks)
            .filter(|i| !urls.contains_key(i))
            .collect();
        for run in runs(&missing) {
            let got = self.presigned_urls(&plan.upload_id, run.0, run.1).await?;
            for u in got.upload_urls.iter().flatten() {
                if let (Some(i), Some(url)) = (u.chunk_index, &u.url) {
                    if (1..=plan.chunks).contains(&i) {
                        urls.insert(i, url.clone());
                    }
                }
            }
        }
        if let Some(i) = (1..=plan.chunks).find(|i| !urls.contains_key(i)) {
            return Err(Error::UnexpectedResponse {
                endpoint: "POST …/presigned-urls".into(),
                status: 200,
                problem: format!("the service gave no URL for chunk {i}"),
                excerpt: String::new(),
            });
        }
        let done_bytes = Arc::new(AtomicU64::new(0));
        let done_chunks = Arc::new(AtomicU64::new(0));
        let policy = self.options().chunks.clone();
        let mut sends = stream::iter(urls.into_iter().map(|(index, url)| {
            let plan = &plan;
            let (done_bytes, done_chunks) = (done_bytes.clone(), done_chunks.clone());
            async move {
                let chunk = self.send_chunk(plan, path, index, url).await?;
                let bytes =
                    done_bytes.fetch_add(chunk.chunk_size, Ordering::Relaxed) + chunk.chunk_size;
                let chunks = done_chunks.fetch_add(1, Ordering::Relaxed) + 1;
                progress(UploadProgress {
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
        let mut url = None;
        let mut asset_id = None;
        while let Some(result) = sends.next().await {
            batch.push(result?);
            if batch.len() >= policy.report_batch.max(1) {
                let report = self.report_chunks(&plan.upload_id, &batch).await?;
                batch.clear();
                url = url.or(report.url);
                asset_id = asset_id.or(report.asset_id);
            }
        }
        drop(sends);
        if !batch.is_empty() {
            let report = self.report_chunks(&plan.upload_id, &batch).await?;
            url = url.or(report.url);
            asset_id = asset_id.or(report.asset_id);
        }
        // `url` marks completion; without it, ask the session
        if url.is_none() {
            let status = self.upload_status(&plan.upload_id, None, None).await?;
            if status.status != Some(UploadStatus::Completed) {
                let shown = status
                    .status
                    .as_ref()
                    .map(|s| assetui_api::sanitize::line(s.as_str(), 40))
                    .unwrap_or_else(|| "unknown".into());
                return Err(Error::UnexpectedResponse {
                    endpoint: format!("GET …/multipart-uploads/{}", plan.upload_id),
                    status: 200,
                    problem: format!(
                        "every chunk was reported but the upload is `{shown}`, not completed ({} of {} chunks completed)",
                        status.chunks_completed.unwrap_or(0),
                        plan.chunks
                    ),
                    excerpt: String::new(),
                });
            }
        }
        Ok(UploadOutcome {
            upload_id: plan.upload_id.clone(),
            asset_id: asset_id.unwrap_or_else(|| plan.asset_id.clone()),
            url,
        })
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
        let offset = (index - 1) * self.chunk_size;
        (offset, self.chunk_size.min(self.total - offset))
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
