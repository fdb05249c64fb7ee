//! Search results (`POST /search`, `GET /search/{page_token}`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use super::metadata::UserMetadata;

/// One page of search results.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SearchPage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<SearchItem>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_info: Option<SearchPageInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_pool: Option<SearchPool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SearchPage {
    pub fn items(&self) -> &[SearchItem] {
        self.data.as_deref().unwrap_or(&[])
    }

    /// The token of the next page; `None` on the last page.
    pub fn next_page_token(&self) -> Option<&str> {
        self.page_info
            .as_ref()?
            .next_page_token
            .as_deref()
            .filter(|t| !t.is_empty())
    }
}

/// `page_info` of a search page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SearchPageInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_per_page: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_results: Option<u64>,
    /// With `group_by=video`: the number of matching clips.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_inner_matches: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_expires_at: Option<String>,
    /// Absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// `GET` pages only; absent on the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_page_token: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `search_pool`: what the index holds.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SearchPool {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_duration: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_id: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A clip (`group_by=clip`: `video_id`, `start`, `end`, `rank`, ...) or a
/// video (`group_by=video`: `id` and its `clips`). Not `_id`: search items
/// use plain `id`. Legacy `score` and `confidence` stay in `extra`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SearchItem {
    /// The video id, in video mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_id: Option<String>,
    /// Seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Number>,
    /// Seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Number>,
    /// 1 is the most relevant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<u64>,
    /// Expires after an hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcription: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<UserMetadata>,
    /// Video mode: the video's matching clips.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clips: Option<Vec<SearchItem>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A clip of a video-mode item has the clip-mode shape.
pub type SearchClip = SearchItem;

impl SearchItem {
    /// The video this item is about: `video_id` (clip) or `id` (video).
    pub fn video(&self) -> Option<&str> {
        self.video_id.as_deref().or(self.id.as_deref())
    }

    pub fn start_secs(&self) -> Option<f64> {
        self.start.as_ref().and_then(Number::as_f64)
    }

    pub fn end_secs(&self) -> Option<f64> {
        self.end.as_ref().and_then(Number::as_f64)
    }

    pub fn clips(&self) -> &[SearchItem] {
        self.clips.as_deref().unwrap_or(&[])
    }
}
