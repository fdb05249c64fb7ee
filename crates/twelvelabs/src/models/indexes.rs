//! Indexes, the assets indexed in them, and their (deprecated) `videos`
//! view, which shares the indexed assets' shape and id space.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use super::common::nullable;
use super::enums::{IndexedAssetStatus, VideoHlsStatus};
use super::metadata::UserMetadata;

/// An index.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Index {
    #[serde(rename = "_id", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models: Option<Vec<IndexModel>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addons: Option<Vec<String>>,
    /// Typed as a float by the SDK; kept as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_count: Option<Number>,
    /// Seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_duration: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// `Some(None)` is a `null` (no expiry); `None` is absent.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_at: Option<Option<String>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Index {
    pub fn id(&self) -> Option<&str> {
        self.id
            .as_deref()
            .or_else(|| self.extra.get("id").and_then(Value::as_str))
    }
}

/// `{model_name, model_options}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IndexModel {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_options: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An indexed asset (list item or detail) or a video of the `videos`
/// endpoints: the detail fields are absent from list items.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IndexedAsset {
    /// The id search results report as `video_id`.
    #[serde(rename = "_id", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The source asset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indexed_at: Option<String>,
    /// Indexed assets only (not videos).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<IndexedAssetStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_metadata: Option<SystemMetadata>,
    /// Detail only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<UserMetadata>,
    /// Detail only, when indexed with a video stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hls: Option<VideoHls>,
    /// Detail only, with `embedding_option`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding: Option<Value>,
    /// Detail only, with `transcription=true`: `[{start, end, value}]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcription: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `videos` endpoints' items share the indexed assets' shape.
pub type Video = IndexedAsset;

impl IndexedAsset {
    pub fn id(&self) -> Option<&str> {
        self.id
            .as_deref()
            .or_else(|| self.extra.get("id").and_then(Value::as_str))
    }
}

/// `system_metadata` of an indexed asset.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SystemMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fps: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<Number>,
    /// Bytes, float-typed by the SDK; absent on videos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Number>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `hls` of an indexed video (UPPER-case status).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VideoHls {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail_urls: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<VideoHlsStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `POST /indexes/{id}/indexed-assets` answer (202).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IndexingTask {
    #[serde(rename = "_id", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
