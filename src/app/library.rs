//! Where the list's rows come from (issue 19's offline-first start): the
//! service (`Live`), the local index while a refresh runs in the
//! background (`Cached`), or the index alone because the service cannot
//! be reached (`Offline`). The refresh collects the service's rows off
//! screen until they reach the asset under the cursor, then they replace
//! the cached rows in one step, the cursor kept on that asset.

use crate::provider::AssetView;

/// Where the rows on screen come from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Link {
    #[default]
    Live,
    /// From the index; a refresh from the service is under way.
    Cached,
    /// The service cannot be reached: browsing, inspecting and searching
    /// work on the index; edits are refused. The reason, sanitized.
    Offline(String),
}

/// The service's rows of a refresh, collected until they can replace
/// the cached ones.
#[derive(Clone, Debug, Default)]
pub struct Refresh {
    pub generation: u64,
    pub items: Vec<AssetView>,
    pub pages: usize,
}

/// Most pages a refresh reads before it replaces the rows, found or not.
pub const REFRESH_PAGES: usize = 20;

#[derive(Clone, Debug, Default)]
pub struct Library {
    pub link: Link,
    /// The refresh under way, if any.
    pub refresh: Option<Refresh>,
    /// Bumped by every refresh: an answer for another is dropped.
    pub generation: u64,
    /// The browser keeps an index for this library (the local pages and
    /// search can be served).
    pub indexed: bool,
}

impl Library {
    pub fn offline(&self) -> bool {
        matches!(self.link, Link::Offline(_))
    }

    /// The word the header shows, if any.
    pub fn marker(&self) -> Option<&'static str> {
        match self.link {
            Link::Live => None,
            Link::Cached => Some("cached"),
            Link::Offline(_) => Some("offline"),
        }
    }

    /// Starts a refresh; returns its generation.
    pub fn start_refresh(&mut self) -> u64 {
        self.generation += 1;
        self.refresh = Some(Refresh {
            generation: self.generation,
            ..Refresh::default()
        });
        self.generation
    }

    /// The refresh of `generation` gathered enough to replace the rows:
    /// it holds `keep` (the asset under the cursor), or `want` rows, or
    /// the listing ended, or it read [`REFRESH_PAGES`].
    pub fn ready(refresh: &Refresh, keep: Option<&str>, want: usize, ended: bool) -> bool {
        ended
            || refresh.pages >= REFRESH_PAGES
            || refresh.items.len() >= want
            || keep.is_some_and(|id| refresh.items.iter().any(|a| a.id == id))
    }
}

/// What an edit is called in the line that refuses it offline.
pub fn edit_word(action: super::action::Action) -> Option<&'static str> {
    use super::action::Action as A;
    Some(match action {
        A::Tag => "tagging",
        A::AddToCollection => "adding to a collection",
        A::Delete => "deleting",
        A::Upload => "uploading",
        A::Undo => "undoing a change",
        A::Download | A::DownloadAs | A::DownloadZip => "downloading",
        A::Mirror => "mirroring into a folder",
        A::SearchSimilar | A::MarkLike | A::MarkUnlike => "a similarity search",
        A::CopyLink => "a fresh link",
        A::Lineage => "the family tree",
        _ => return None,
    })
}
