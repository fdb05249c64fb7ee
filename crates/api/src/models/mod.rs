//! Serde models for every Scenario response the client decodes.
//!
//! Nothing the server sends is lost: every struct keeps unknown fields in
//! `extra`, optional fields that were absent stay absent when re-encoded,
//! numbers keep their exact JSON form ([`Number`]), and string enums are
//! open ([`enums`]). Decoding then encoding a response gives back the same
//! JSON value, except that an explicit `null` on a typed field comes back
//! as an absent field.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub mod enums;
pub mod json;
pub mod page;

pub use page::{Broken, MAX_PAGE_ITEMS};

pub use enums::{
    AssetKind, AssetSource, AssetStatus, AssetType, EditCapability, ModelType, Privacy,
};

/// Unknown fields, kept in the server's order.
pub type Extra = Map<String, Value>;

// ---------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------

/// A JSON number exactly as the server sent it: `0` stays `0`, `0.5` stays
/// `0.5`, `-2` stays `-2`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Number(pub serde_json::Number);

impl Number {
    /// The value as a `u64`: an integer, or a float with no fractional part
    /// that fits (servers sometimes send `1024.0`).
    pub fn as_u64(&self) -> Option<u64> {
        self.0.as_u64().or_else(|| {
            let f = self.0.as_f64()?;
            // 2^64 as f64; anything below it with no fraction fits a u64.
            (f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f < 18_446_744_073_709_551_616.0)
                .then_some(f as u64)
        })
    }

    /// The value as an `i64`: an integer, or a float with no fractional part
    /// that fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.0.as_i64().or_else(|| {
            let f = self.0.as_f64()?;
            // [-2^63, 2^63) is exactly the i64 range.
            (f.is_finite()
                && f.fract() == 0.0
                && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f))
            .then_some(f as i64)
        })
    }

    /// The value as an `f64` (large integers may lose precision).
    pub fn as_f64(&self) -> Option<f64> {
        self.0.as_f64()
    }

    /// A number from a finite float; `None` for NaN and infinities.
    pub fn from_f64(f: f64) -> Option<Self> {
        serde_json::Number::from_f64(f).map(Self)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl From<serde_json::Number> for Number {
    fn from(n: serde_json::Number) -> Self {
        Self(n)
    }
}

impl From<u64> for Number {
    fn from(n: u64) -> Self {
        Self(n.into())
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Self {
        Self(n.into())
    }
}

impl From<u32> for Number {
    fn from(n: u32) -> Self {
        Self(n.into())
    }
}

impl From<i32> for Number {
    fn from(n: i32) -> Self {
        Self(n.into())
    }
}

/// A generation seed: the reference calls it a string, but some assets carry
/// a number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Seed {
    Text(String),
    Number(Number),
}

impl Seed {
    /// The seed as an integer, whether sent as a number or as digits.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Seed::Text(s) => s.trim().parse().ok(),
            Seed::Number(n) => n.as_u64(),
        }
    }
}

impl fmt::Display for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seed::Text(s) => f.write_str(s),
            Seed::Number(n) => fmt::Display::fmt(n, f),
        }
    }
}

/// A pointer to another asset and its signed URL: `thumbnail`, `preview`,
/// `firstFrame`, `lastFrame`, a collection's thumbnail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<String>,
    /// Signed; expires (an expired link answers 403).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

// ---------------------------------------------------------------------------
// Asset
// ---------------------------------------------------------------------------

/// One asset, as returned by list, retrieve, get-bulk, upload and search.
/// Search hits add `score`, `teamId` and `transcription`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Asset {
    /// e.g. `asset_GTrL3mq4SXWyMxkOHRxlpw`.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_ids: Option<Vec<String>>,
    /// ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit_capabilities: Option<Vec<EditCapability>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AssetKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<AssetMetadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// The owning project (or team, for old teams).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy: Option<Privacy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<AssetProperties>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<AssetSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AssetStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Signed URL of the content; expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic_captioning: Option<String>,
    /// Manual description, else training caption, else automatic caption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding: Option<Vec<Number>>,
    /// First frame of a video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_frame: Option<AssetRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_hidden: Option<bool>,
    /// Last frame of a video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_frame: Option<AssetRef>,
    /// NSFW labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nsfw: Option<Vec<String>>,
    /// The file before conversion, for some video, audio and 3D assets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_file_url: Option<String>,
    /// Index of this output within its job, from 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_index: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<AssetRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<AssetRef>,
    /// Search hits only: relevance/popularity score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Number>,
    /// Search hits only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
    /// Search hits only: speech transcription of an audio asset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcription: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
    /// Set on an item of a page that did not match the model: its raw JSON
    /// and why (the rest of the page still decodes). Never sent or printed
    /// as a field; the fields that could be read are in `id` and `extra`.
    #[serde(skip)]
    pub broken: Option<Box<Broken>>,
}

/// Generation parameters and other details. The common fields are typed;
/// the ~80 model-specific ones stay in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AssetKind>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub asset_type: Option<AssetType>,
    /// Custom name given to the asset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative_prompt_strength: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<Seed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_type: Option<ModelType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_model_id: Option<String>,
    /// Pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<Number>,
    /// Pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<Number>,
    /// e.g. `16:9`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_inference_steps: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_outputs: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_parent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_job_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_asset_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_index: Option<Number>,
    /// File size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Number>,
    /// Text input (speech, detection keywords...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A style preset such as `anime` or `photo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling_factor: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_images: Option<Vec<String>>,
    /// A canvas's thumbnail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<AssetRef>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Technical properties of the file; which fields appear depends on the kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetProperties {
    /// Bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<Number>,
    /// Seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Number>,
    /// Mesh format, e.g. `glb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Frames per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame_rate: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nb_frames: Option<Number>,
    /// Hz.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_rate: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Number>,
    /// Bits per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bitrate: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codec_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vertex_count: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face_count: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_animations: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub animation_frame_count: Option<Number>,
    /// Description of an audio asset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Audio class: `music`, `speech`, `effect`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
    /// Bounding box `[width, height, depth]` of a mesh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Vec<Number>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcription: Option<Transcription>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Transcription of an audio asset (`properties.transcription`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transcription {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Some` when the string has visible content.
fn non_blank(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

impl Asset {
    /// `metadata.name`.
    pub fn name(&self) -> Option<&str> {
        self.metadata.as_ref()?.name.as_deref()
    }

    /// `metadata.prompt`.
    pub fn prompt(&self) -> Option<&str> {
        self.metadata.as_ref()?.prompt.as_deref()
    }

    /// What to call the asset: its name, else the first non-blank line of
    /// its prompt, else its id. Not sanitized.
    pub fn display_name(&self) -> &str {
        if let Some(name) = non_blank(self.name()) {
            return name.trim();
        }
        self.prompt()
            .and_then(|p| p.lines().map(str::trim).find(|l| !l.is_empty()))
            .unwrap_or(&self.id)
    }

    /// The name for a row of a list: [`Asset::display_name`], or for a
    /// broken item a line saying so and why. Not sanitized.
    pub fn list_name(&self) -> std::borrow::Cow<'_, str> {
        match &self.broken {
            Some(b) => format!("⚠ broken item: {}", b.reason).into(),
            None => self.display_name().into(),
        }
    }

    /// The tags, empty when absent.
    pub fn tags(&self) -> &[String] {
        self.tags.as_deref().unwrap_or_default()
    }

    /// The collections this asset belongs to, empty when absent.
    pub fn collection_ids(&self) -> &[String] {
        self.collection_ids.as_deref().unwrap_or_default()
    }

    /// The edits the server offers, empty when absent.
    pub fn edit_capabilities(&self) -> &[EditCapability] {
        self.edit_capabilities.as_deref().unwrap_or_default()
    }

    /// Top-level `kind`, else `metadata.kind`.
    pub fn kind(&self) -> Option<&AssetKind> {
        self.kind
            .as_ref()
            .or_else(|| self.metadata.as_ref()?.kind.as_ref())
    }

    /// `metadata.type`.
    pub fn asset_type(&self) -> Option<&AssetType> {
        self.metadata.as_ref()?.asset_type.as_ref()
    }

    /// Width in pixels: `metadata.width`, else `properties.width`.
    pub fn width(&self) -> Option<u64> {
        let from_meta = self
            .metadata
            .as_ref()
            .and_then(|m| m.width.as_ref()?.as_u64());
        from_meta.or_else(|| self.properties.as_ref()?.width.as_ref()?.as_u64())
    }

    /// Height in pixels: `metadata.height`, else `properties.height`.
    pub fn height(&self) -> Option<u64> {
        let from_meta = self
            .metadata
            .as_ref()
            .and_then(|m| m.height.as_ref()?.as_u64());
        from_meta.or_else(|| self.properties.as_ref()?.height.as_ref()?.as_u64())
    }

    /// File size in bytes: `properties.size`, else `metadata.size`.
    pub fn file_size(&self) -> Option<u64> {
        let from_props = self
            .properties
            .as_ref()
            .and_then(|p| p.size.as_ref()?.as_u64());
        from_props.or_else(|| self.metadata.as_ref()?.size.as_ref()?.as_u64())
    }

    /// `thumbnail.url`, else a canvas's `metadata.thumbnail.url`.
    pub fn thumbnail_url(&self) -> Option<&str> {
        non_blank(self.thumbnail.as_ref().and_then(|t| t.url.as_deref()))
            .or_else(|| non_blank(self.metadata.as_ref()?.thumbnail.as_ref()?.url.as_deref()))
    }

    /// `preview.url`.
    pub fn preview_url(&self) -> Option<&str> {
        non_blank(self.preview.as_ref()?.url.as_deref())
    }

    /// `metadata.parentId`: the asset this one was made from.
    pub fn parent_id(&self) -> Option<&str> {
        self.metadata.as_ref()?.parent_id.as_deref()
    }

    /// `metadata.rootParentId`: the first ancestor.
    pub fn root_parent_id(&self) -> Option<&str> {
        self.metadata.as_ref()?.root_parent_id.as_deref()
    }

    /// `metadata.seed`.
    pub fn seed(&self) -> Option<&Seed> {
        self.metadata.as_ref()?.seed.as_ref()
    }

    /// `metadata.modelId`.
    pub fn model_id(&self) -> Option<&str> {
        self.metadata.as_ref()?.model_id.as_deref()
    }
}

// ---------------------------------------------------------------------------
// Response wrappers
// ---------------------------------------------------------------------------

/// `GET /assets`: one page.
/// Decoded item by item, bounded (`page.rs`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetListResponse {
    #[serde(default)]
    pub assets: Vec<Asset>,
    /// Pass back as `paginationToken`; missing or empty on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_pagination_token: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{ "asset": ... }`: retrieve, upload, update, copy, lock, unlock.
/// Upload's `job` and lock's `lockId` stay in `extra`. Decoded key by key,
/// bounded like a page (`page.rs`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetEnvelope {
    pub asset: Asset,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /assets/get-bulk`.
/// Decoded item by item, bounded (`page.rs`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetBulkResponse {
    #[serde(default)]
    pub assets: Vec<Asset>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /search/assets`: one page of hits, in the offset/limit or
/// page/hitsPerPage shape depending on the request.
/// Decoded item by item, bounded (`page.rs`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResponse {
    #[serde(default)]
    pub hits: Vec<Asset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_total_hits: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hits_per_page: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_hits: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_pages: Option<Number>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A tag in use, from `GET /tags`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_name: Option<String>,
    /// How many items carry the tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_count: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GET /tags`: one page.
/// Decoded item by item, bounded (`page.rs`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TagListResponse {
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_pagination_token: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A collection, from `GET /collections`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_count: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_count: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_count: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<AssetRef>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GET /collections`: one page.
/// Decoded item by item, bounded (`page.rs`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectionListResponse {
    #[serde(default)]
    pub collections: Vec<Collection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_pagination_token: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `PUT /assets/{assetId}/tags`: what actually changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTagsResponse {
    #[serde(default)]
    pub added: Vec<String>,
    #[serde(default)]
    pub deleted: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /assets/{assetId}/download`: a signed, expiring link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DownloadLinkResponse {
    pub url: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /assets/download`: the batch job to poll.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchDownloadResponse {
    pub job_id: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GET /assets/download/{jobId}`: `downloadUrl` appears once the archive
/// is ready.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchDownloadStatus {
    pub job_id: String,
    pub job_status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_url: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}
