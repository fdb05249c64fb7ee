//! The provider seam: the app core works on [`AssetView`]s and asks a
//! [`Capabilities`] set what the current provider can do; each provider's
//! client keeps its own typed models (`assetui_api` for Scenario), and the
//! module named after the provider maps them to the neutral view.
//!
//! Nothing here draws or talks to a server: the mapping runs in the
//! workers, as answers arrive, and the app core only reads views.

mod capabilities;
mod extras;
mod fields;
pub mod scenario;
pub mod twelvelabs;
mod view;

pub use capabilities::{Capabilities, Capability, Labels, Paging, ProviderKind};
pub use extras::{MediaExtras, Transcript, TranscriptLine, ASSET_INDEXES_MAX};
pub use fields::{flatten, plural, value_text, Section, VALUE_MAX};
pub use view::{AssetView, Clip, MediaKind, Native, Processing};

/// The service the app talks to, through that provider's own client.
#[derive(Clone)]
pub enum Service {
    Scenario(crate::api::Client),
    TwelveLabs(assetui_twelvelabs::Client),
}

impl Service {
    pub fn provider(&self) -> ProviderKind {
        match self {
            Service::Scenario(_) => ProviderKind::Scenario,
            Service::TwelveLabs(_) => ProviderKind::TwelveLabs,
        }
    }
}

/// One page of a list or of search results, as views.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    pub items: Vec<AssetView>,
    /// What names the next page (a token, a page number, an offset);
    /// `None` on the last page.
    pub next: Option<String>,
    /// How many items the whole list holds, when the provider says.
    pub total: Option<u64>,
}
