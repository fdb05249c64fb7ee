//! Which provider the app talks to, and what that provider can do. The
//! keymap, the help and the footer consult [`Capabilities`], so a key a
//! provider cannot serve is absent, and pressing it says so in one line.

use std::fmt;
use std::str::FromStr;

/// The asset services assetui speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ProviderKind {
    #[default]
    Scenario,
    TwelveLabs,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 2] = [ProviderKind::Scenario, ProviderKind::TwelveLabs];

    /// The name used on the command line, in config files and in
    /// `ASSETUI_PROVIDER`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Scenario => "scenario",
            ProviderKind::TwelveLabs => "twelvelabs",
        }
    }

    /// The name people know the service by.
    pub fn title(self) -> &'static str {
        match self {
            ProviderKind::Scenario => "Scenario",
            ProviderKind::TwelveLabs => "TwelveLabs",
        }
    }

    pub fn capabilities(self) -> Capabilities {
        match self {
            ProviderKind::Scenario => Capabilities::SCENARIO,
            ProviderKind::TwelveLabs => Capabilities::TWELVELABS,
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProviderKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "scenario" => Ok(ProviderKind::Scenario),
            "twelvelabs" | "twelve-labs" | "twelve_labs" => Ok(ProviderKind::TwelveLabs),
            _ => Err(format!(
                "unknown provider {:?}: expected scenario or twelvelabs",
                crate::sanitize::line(&s, 40)
            )),
        }
    }
}

/// How a provider's lists page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paging {
    /// An opaque token names the next page (Scenario's `paginationToken`).
    Cursor,
    /// Numbered pages with a known total (TwelveLabs' `page`/`page_info`).
    Pages,
}

/// What an asset carries as labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Labels {
    /// Free-form tags (Scenario).
    Tags,
    /// `key=value` user metadata (TwelveLabs).
    KeyValue,
}

/// One thing a provider may or may not do; a key bound to an action that
/// needs one the provider lacks is hidden and answered in one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Capability {
    TextSearch,
    ImageSearch,
    SimilarFromAsset,
    LikeUnlike,
    Collections,
    FormatConversion,
    BatchZip,
    ForceDelete,
    UploadByUrl,
    ProcessingStates,
    Lineage,
    /// Prompts a generated asset was made from.
    Prompts,
    /// Weights of meaning over keywords in a search.
    SemanticRatios,
    /// Searches run over an index chosen first.
    Indexes,
    /// The original file can be downloaded (else the media streams).
    Downloads,
    /// Filters beyond type and file name (privacy, author, model, tags,
    /// dates, sort).
    RichFilters,
    /// Transcripts of video and audio (with the indexes holding them).
    Transcripts,
}

impl Capability {
    /// What the capability is called in "TwelveLabs has no …" lines.
    pub fn describe(self) -> &'static str {
        match self {
            Capability::TextSearch => "text search",
            Capability::ImageSearch => "image search",
            Capability::SimilarFromAsset => "similarity search from an asset",
            Capability::LikeUnlike => "more-like / less-like searches",
            Capability::Collections => "collections",
            Capability::FormatConversion => "format conversion",
            Capability::BatchZip => "batch zip downloads",
            Capability::ForceDelete => "forced deletion",
            Capability::UploadByUrl => "upload by URL",
            Capability::ProcessingStates => "processing states",
            Capability::Lineage => "parent and root assets",
            Capability::Prompts => "prompts",
            Capability::SemanticRatios => "semantic ratios",
            Capability::Indexes => "indexes",
            Capability::Downloads => "file downloads (o plays the stream)",
            Capability::RichFilters => "those filters",
            Capability::Transcripts => "transcripts",
        }
    }
}

/// What one provider can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    pub provider: ProviderKind,
    pub paging: Paging,
    pub labels: Labels,
    pub text_search: bool,
    pub image_search: bool,
    pub similar_from_asset: bool,
    pub like_unlike: bool,
    pub collections: bool,
    pub format_conversion: bool,
    pub batch_zip: bool,
    pub force_delete: bool,
    pub upload_by_url: bool,
    pub processing_states: bool,
    pub lineage: bool,
    pub prompts: bool,
    pub semantic_ratios: bool,
    pub indexes: bool,
    pub downloads: bool,
    pub rich_filters: bool,
    pub transcripts: bool,
}

impl Capabilities {
    pub const SCENARIO: Capabilities = Capabilities {
        provider: ProviderKind::Scenario,
        paging: Paging::Cursor,
        labels: Labels::Tags,
        text_search: true,
        image_search: true,
        similar_from_asset: true,
        like_unlike: true,
        collections: true,
        format_conversion: true,
        batch_zip: true,
        force_delete: false,
        upload_by_url: false,
        processing_states: false,
        lineage: true,
        prompts: true,
        semantic_ratios: true,
        indexes: false,
        downloads: true,
        rich_filters: true,
        transcripts: false,
    };

    pub const TWELVELABS: Capabilities = Capabilities {
        provider: ProviderKind::TwelveLabs,
        paging: Paging::Pages,
        labels: Labels::KeyValue,
        text_search: true,
        image_search: true,
        similar_from_asset: false,
        like_unlike: false,
        collections: false,
        format_conversion: false,
        batch_zip: false,
        force_delete: true,
        upload_by_url: true,
        processing_states: true,
        lineage: false,
        prompts: false,
        semantic_ratios: false,
        indexes: true,
        downloads: false,
        rich_filters: false,
        transcripts: true,
    };

    pub fn has(&self, c: Capability) -> bool {
        match c {
            Capability::TextSearch => self.text_search,
            Capability::ImageSearch => self.image_search,
            Capability::SimilarFromAsset => self.similar_from_asset,
            Capability::LikeUnlike => self.like_unlike,
            Capability::Collections => self.collections,
            Capability::FormatConversion => self.format_conversion,
            Capability::BatchZip => self.batch_zip,
            Capability::ForceDelete => self.force_delete,
            Capability::UploadByUrl => self.upload_by_url,
            Capability::ProcessingStates => self.processing_states,
            Capability::Lineage => self.lineage,
            Capability::Prompts => self.prompts,
            Capability::SemanticRatios => self.semantic_ratios,
            Capability::Indexes => self.indexes,
            Capability::Downloads => self.downloads,
            Capability::RichFilters => self.rich_filters,
            Capability::Transcripts => self.transcripts,
        }
    }

    /// The one line a key the provider cannot serve answers with.
    pub fn lacks(&self, c: Capability) -> String {
        format!("{} has no {}", self.provider.title(), c.describe())
    }
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities::SCENARIO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_parse_back() {
        for p in ProviderKind::ALL {
            assert_eq!(p.as_str().parse::<ProviderKind>(), Ok(p));
        }
        assert_eq!(
            "TwelveLabs".parse::<ProviderKind>(),
            Ok(ProviderKind::TwelveLabs)
        );
        let err = "midjourney".parse::<ProviderKind>().unwrap_err();
        assert!(err.contains("scenario or twelvelabs"), "{err}");
    }

    #[test]
    fn a_missing_capability_is_named_in_one_line() {
        let tl = ProviderKind::TwelveLabs.capabilities();
        assert!(!tl.has(Capability::Collections));
        assert_eq!(
            tl.lacks(Capability::Collections),
            "TwelveLabs has no collections"
        );
        assert!(ProviderKind::Scenario
            .capabilities()
            .has(Capability::Collections));
    }
}
