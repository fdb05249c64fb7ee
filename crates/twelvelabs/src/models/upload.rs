//! The multipart upload flow's requests and answers
//! (`/assets/multipart-uploads`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::{nullable, PageInfo};
use super::enums::{AssetType, ChunkStatus, UploadStatus};
use super::metadata::UserMetadata;

/// `POST /assets/multipart-uploads` body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreateUploadRequest {
    pub filename: String,
    #[serde(rename = "type")]
    pub asset_type: AssetType,
    pub total_size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_hls: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_thumbnail: Option<bool>,
    /// A JSON object here (a string on `POST /assets`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<UserMetadata>,
}

/// The session: where to put each chunk.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UploadSession {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_id: Option<String>,
    /// Reserved at once; usable after completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<String>,
    /// The first URLs; may not cover every chunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_urls: Option<Vec<PresignedUrl>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_headers: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_chunks: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `{chunk_index, url, expires_at}` (1-based index).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PresignedUrl {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_index: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `POST …/{upload_id}/presigned-urls` answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PresignedUrls {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_index: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_urls: Option<Vec<PresignedUrl>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One uploaded chunk, as reported (all four fields required).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletedChunk {
    pub chunk_index: u64,
    /// The ETag, without quotes.
    pub proof: String,
    /// Always `etag`.
    pub proof_type: String,
    pub chunk_size: u64,
}

/// `POST …/{upload_id}` answer; `url` only once every chunk is reported.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChunkReport {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processed_chunks: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_chunks: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_completed: Option<u64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET …/{upload_id}`: the session's state, chunks paginated.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UploadStatusPage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<UploadStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uploaded_chunks: Option<Vec<ChunkInfo>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunks_completed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunks_failed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunks_pending: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_info: Option<PageInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uploaded_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One chunk of an upload session.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChunkInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ChunkStatus>,
    /// `null` unless completed.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub uploaded_at: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /assets/multipart-uploads` items.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IncompleteUpload {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<UploadStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_chunks: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
