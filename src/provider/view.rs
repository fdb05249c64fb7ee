//! [`AssetView`]: one asset as the app core sees it, whatever the
//! provider. The neutral fields are derived from the provider's own typed
//! object, which is kept whole ([`Native`]) for the inspector's
//! provider-specific fields, `J` and `--json`. Views are built in the
//! workers as answers arrive; a change (a tag) is made on the native
//! object and the view derived again, so the two never disagree.

use std::collections::HashMap;

use crate::api::models::Asset;

use super::fields::Section;
use super::ProviderKind;
use super::{scenario, twelvelabs};

/// What kind of media an asset holds, across providers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    Model3d,
    Document,
    #[default]
    Other,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
            MediaKind::Model3d => "3d",
            MediaKind::Document => "document",
            MediaKind::Other => "other",
        }
    }
}

/// Where an asset's processing stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Processing {
    /// Usable (or the provider does not say).
    #[default]
    Ready,
    /// Still being processed: it updates by itself.
    Pending(String),
    /// Processing failed, with the provider's reason when it gives one.
    Failed(String),
}

/// A part of a video or sound that matched a search.
#[derive(Clone, Debug, PartialEq)]
pub struct Clip {
    /// Seconds from the start.
    pub start: f64,
    pub end: f64,
    /// 1 is the best match of the whole search.
    pub rank: Option<u64>,
    pub thumbnail_url: Option<String>,
}

/// The provider's own object, kept whole.
#[derive(Clone, Debug, PartialEq)]
pub enum Native {
    Scenario(Box<Asset>),
    TwelveLabs(Box<assetui_twelvelabs::models::Asset>),
}

/// One asset, provider-neutral. Strings are the provider's, unsanitized:
/// whatever draws them sanitizes (the list's rows and the inspector's
/// fields do it once, as they are built).
#[derive(Clone, Debug, PartialEq)]
pub struct AssetView {
    pub id: String,
    /// The line a list shows (a name, else the start of a prompt).
    pub list_name: String,
    /// The asset's name, when it has one.
    pub name: Option<String>,
    pub media: MediaKind,
    /// The provider's own type words, e.g. `inference-txt2img`.
    pub type_label: Option<String>,
    /// The provider's own kind word, e.g. `image`, `3d`.
    pub kind_label: Option<String>,
    pub created: Option<String>,
    pub updated: Option<String>,
    pub size: Option<u64>,
    pub dims: Option<(u64, u64)>,
    /// Seconds, for audio and video.
    pub duration: Option<f64>,
    pub status: Processing,
    /// Tags, or `key=value` chips on a key/value provider.
    pub tags: Vec<String>,
    /// The text a generated asset was made from.
    pub prompt: Option<String>,
    pub parent: Option<String>,
    pub root: Option<String>,
    pub thumbnail_url: Option<String>,
    pub preview_url: Option<String>,
    /// The content's own link (signed, it expires).
    pub file_url: Option<String>,
    /// Formats the provider converts this asset to on download.
    pub formats: &'static [&'static str],
    /// The parts that matched, on a search result (best first).
    pub clips: Vec<Clip>,
    pub native: Native,
}

impl AssetView {
    pub fn provider(&self) -> ProviderKind {
        match self.native {
            Native::Scenario(_) => ProviderKind::Scenario,
            Native::TwelveLabs(_) => ProviderKind::TwelveLabs,
        }
    }

    /// What to call the asset: its name, else the first non-blank line of
    /// its prompt, else its id. Not sanitized.
    pub fn display_name(&self) -> &str {
        if let Some(name) = self.name.as_deref().filter(|n| !n.trim().is_empty()) {
            return name.trim();
        }
        self.prompt
            .as_deref()
            .and_then(|p| p.lines().map(str::trim).find(|l| !l.is_empty()))
            .unwrap_or(&self.id)
    }

    /// The name, else the id (not the prompt): how a message about the
    /// asset names it. Not sanitized.
    pub fn name_or_id(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// The inspector's sections: a summary of what people look for, then
    /// every other field of the provider's object. `collections` names
    /// collection ids.
    pub fn sections(&self, collections: &HashMap<String, String>) -> Vec<Section> {
        let mut out = match &self.native {
            Native::Scenario(a) => scenario::sections(a, collections),
            Native::TwelveLabs(a) => twelvelabs::sections(a, collections),
        };
        if !self.clips.is_empty() {
            // what matched the search, right after the summary
            let rows = self
                .clips
                .iter()
                .map(|c| {
                    let rank = c.rank.map(|r| format!("#{r}")).unwrap_or_default();
                    (
                        rank,
                        format!(
                            "{} – {}",
                            twelvelabs::duration_text(c.start),
                            twelvelabs::duration_text(c.end)
                        ),
                    )
                })
                .collect();
            let at = out.len().min(1);
            out.insert(
                at,
                Section {
                    title: "Matches".into(),
                    rows,
                },
            );
        }
        out
    }

    /// The provider's object as pretty JSON lines, sanitized.
    pub fn json_lines(&self) -> Vec<String> {
        match &self.native {
            Native::Scenario(a) => super::fields::json_lines(a.as_ref()),
            Native::TwelveLabs(a) => super::fields::json_lines(a.as_ref()),
        }
    }

    /// The provider's object as JSON, unchanged (for `--json`).
    pub fn raw(&self) -> serde_json::Value {
        match &self.native {
            Native::Scenario(a) => serde_json::to_value(a.as_ref()).unwrap_or_default(),
            Native::TwelveLabs(a) => serde_json::to_value(a.as_ref()).unwrap_or_default(),
        }
    }

    /// The same asset with these labels instead (a tag edit shown before
    /// the server answers, or undone).
    pub fn with_tags(&self, tags: Vec<String>) -> AssetView {
        match &self.native {
            Native::Scenario(a) => {
                let mut copy = (**a).clone();
                copy.tags = Some(tags);
                AssetView::from(copy)
            }
            Native::TwelveLabs(a) => {
                let mut copy = (**a).clone();
                copy.user_metadata = Some(twelvelabs::metadata_of(&tags));
                twelvelabs::view(copy)
            }
        }
    }

    /// The Scenario object, for what only Scenario does.
    pub fn scenario(&self) -> Option<&Asset> {
        match &self.native {
            Native::Scenario(a) => Some(a),
            Native::TwelveLabs(_) => None,
        }
    }
}

impl From<Asset> for AssetView {
    fn from(asset: Asset) -> Self {
        scenario::view(asset)
    }
}
