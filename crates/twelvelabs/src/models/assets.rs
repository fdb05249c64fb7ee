//! Assets (`/assets`): the create answer (`Asset`) and the list and
//! retrieve answers (`AssetDetail`, which adds the detail fields) are one
//! struct whose detail fields are absent from a create answer.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use super::enums::{AssetMethod, AssetStatus, RenditionStatus, TranscriptionStatus};
use super::metadata::UserMetadata;

/// An asset. Every field is optional on the wire; the id's wire name is
/// `_id` (a plain `id` is kept in `extra` and read by [`Asset::id`]).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Asset {
    #[serde(rename = "_id", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<AssetMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AssetStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// The MIME type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_type: Option<String>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Absent when never set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<UserMetadata>,
    /// Connector imports only: `{type, details: {...}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Value>,
    /// Detail: present when HLS was requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hls: Option<AssetHls>,
    /// Detail: present when thumbnails were requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<AssetThumbnail>,
    /// Detail: absent while processing, may be partial when failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technical_metadata: Option<TechnicalMetadata>,
    /// Detail: bytes, set once ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Detail: seconds, video and audio only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Number>,
    /// Detail: present only when failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<AssetError>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /assets` items and `GET /assets/{id}` answers.
pub type AssetDetail = Asset;

impl Asset {
    /// The id: `_id`, or a plain `id` a server sent instead.
    pub fn id(&self) -> Option<&str> {
        self.id
            .as_deref()
            .or_else(|| self.extra.get("id").and_then(Value::as_str))
    }

    /// The duration in seconds.
    pub fn duration_secs(&self) -> Option<f64> {
        self.duration.as_ref().and_then(Number::as_f64)
    }

    /// The representative thumbnail, once ready.
    pub fn thumbnail_url(&self) -> Option<&str> {
        self.thumbnail.as_ref()?.representative_url.as_deref()
    }

    /// The HLS manifest, once ready.
    pub fn hls_url(&self) -> Option<&str> {
        self.hls.as_ref()?.manifest_url.as_deref()
    }

    /// True while the asset or one of its renditions is still being made.
    pub fn is_processing(&self) -> bool {
        let pending = |s: Option<&RenditionStatus>| {
            matches!(
                s,
                Some(RenditionStatus::Pending) | Some(RenditionStatus::Processing)
            )
        };
        matches!(self.status, Some(AssetStatus::Processing))
            || pending(self.hls.as_ref().and_then(|h| h.status.as_ref()))
            || pending(self.thumbnail.as_ref().and_then(|t| t.status.as_ref()))
    }
}

/// `hls` on an asset.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AssetHls {
    /// Present only when ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<RenditionStatus>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `thumbnail` on an asset.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AssetThumbnail {
    /// Present only when ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representative_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<RenditionStatus>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `error` on a failed asset (`message` is required by the SDK, kept
/// optional here so a server that omits it still decodes).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AssetError {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `technical_metadata`: the fields a browser shows are typed; the rest
/// (timecode, location, documents, per-stream lists) stay in `extra`.
/// Numbers are kept as sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TechnicalMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_size_bytes: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_mime_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_container_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_creation_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_codec: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_width: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_height: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_fps: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_duration_seconds: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_bitrate_bps: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_codec: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_sample_rate: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_channels: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_duration_seconds: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_width: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_height: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_alpha: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_animated: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_audio: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_hdr: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_video_streams: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_audio_streams: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_aspect_ratio: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_page_count: Option<Number>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /assets/{id}/indexed-assets` items: which indexes hold the asset.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IndexedAssetSummary {
    #[serde(rename = "_id", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<IndexRef>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `{_id, name}` of an index.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IndexRef {
    #[serde(rename = "_id", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /assets/{id}/transcription`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Transcription {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TranscriptionStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<Vec<TranscriptSegment>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentences: Option<Vec<TranscriptSegment>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utterances: Option<Vec<TranscriptSegment>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<AssetError>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `{start, end, value, speaker?}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TranscriptSegment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
