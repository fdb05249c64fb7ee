//! What reaches `update()` ([`Msg`]) and what it asks the workers to do
//! ([`Cmd`]). Answers carry the generation of the request they answer.

use std::time::Duration;

use crossterm::event::{KeyEvent, MouseEvent};

use std::sync::Arc;

use super::images::{ImageDone, ImageRequest};
use crate::api::models::{Asset, AssetListResponse, Collection, SearchResponse};
use crate::api::params::{ListAssetsQuery, SearchPaging, SearchRequest};

pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Spinner tick, sent only while something loads.
    Tick,
    /// A page of the list, for list generation `generation`.
    Page {
        generation: u64,
        result: Result<AssetListResponse, String>,
    },
    /// `GET /assets/{id}` answered.
    Asset {
        purpose: AssetPurpose,
        id: String,
        result: Result<Box<Asset>, String>,
    },
    Collections(Result<Vec<Collection>, String>),
    Image(ImageDone),
    /// The selection has not moved for a moment: load what is expensive.
    Rested {
        generation: u64,
    },
    /// A copy to the clipboard ended.
    Copied(crate::clipboard::Copied),
    /// The download queue's latest state (at most ten a second).
    Downloads(std::sync::Arc<crate::transfers::Snapshot>),
    /// The search box has been quiet since edit `typed`: search now.
    SearchDue {
        typed: u64,
    },
    /// A page of search results (or of the list browsed through search),
    /// for list generation `generation`.
    SearchPage {
        generation: u64,
        paging: SearchPaging,
        result: Result<SearchResponse, String>,
    },
    /// A local image read and scaled for a similarity search.
    ImageRead {
        path: String,
        result: Result<Arc<str>, ImageReadError>,
    },
    /// File names completing `input` (full inputs; directories end in `/`).
    Completions {
        input: String,
        candidates: Vec<String>,
    },
    /// A worker's warning for the status bar (a list cut at its cap).
    Notice(String),
    /// `GET /tags`: (tag, assets carrying it).
    Tags(Result<Vec<(String, u64)>, String>),
    /// A tag change ended; `failures` are (asset id, why) where the
    /// server refused it.
    Tagged {
        change: crate::app::tags::TagChange,
        failures: Vec<(String, String)>,
    },
    /// A deletion ended: the first `done` of `ids` are gone.
    Deleted {
        ids: Vec<String>,
        done: usize,
        error: Option<String>,
    },
    /// Assets were added to the collection `name`: how many went in,
    /// were members already, failed (`Err`: nothing was sent).
    Collected {
        name: String,
        result: Result<CollectCounts, String>,
    },
    /// An upload ended.
    Uploaded {
        path: String,
        result: Result<Box<Asset>, String>,
    },
    /// The system opener ran (or could not).
    Opened {
        path: String,
        result: Result<(), String>,
    },
}

/// What adding assets to a collection did (`Msg::Collected`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CollectCounts {
    pub added: usize,
    pub already: usize,
    pub failed: usize,
    /// The first failure's reason, when some failed.
    pub error: Option<String>,
}

/// Why a local image could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageReadError {
    /// No such file: a path-like text is then a text query.
    NotAFile,
    /// The file is there but unusable (too large, not an image…).
    Failed(String),
}

/// Why an asset was fetched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssetPurpose {
    /// Full details of the inspected asset (inspector generation).
    Detail(u64),
    /// A jump to a parent or root (inspector generation when asked).
    Jump(u64),
    /// Fresh signed links after one expired.
    Refresh,
    /// `Y`: a fresh link to copy.
    CopyLink,
}

pub enum Cmd {
    LoadPage {
        generation: u64,
        query: Box<ListAssetsQuery>,
    },
    LoadAsset {
        purpose: AssetPurpose,
        id: String,
    },
    LoadCollections,
    /// The complete wish list of images, most urgent first.
    WantImages(Vec<ImageRequest>),
    /// Send `msg` back after `delay` (debounce).
    After(Duration, Box<Msg>),
    /// Put text on the clipboard (`route`: a fallback's, or the
    /// configured choice when `None`).
    Copy {
        what: &'static str,
        text: String,
        route: Option<crate::clipboard::Route>,
    },
    /// Ask the download queue (or open a finished file).
    Downloads(crate::app::downloads::DlCmd),
    /// One page of a search (the request carries its paging). One slot:
    /// a new search aborts the one in flight.
    Search {
        generation: u64,
        request: Box<SearchRequest>,
    },
    /// Read, decode and scale a local image into a data URL, off the UI
    /// task; `explicit` (typed with `@`) makes a missing file an error.
    ReadImage {
        path: String,
        explicit: bool,
    },
    /// List the file names that complete a path typed in the search box.
    CompletePath {
        input: String,
    },
    /// `GET /tags` (every page), for the tag editor.
    LoadTags,
    /// Add or remove one tag on assets (their copies already show it).
    Tag(crate::app::tags::TagChange),
    /// Delete assets (asked and confirmed).
    Delete(Vec<String>),
    /// Add assets to a collection.
    Collect {
        collection: String,
        name: String,
        ids: Vec<String>,
    },
    /// Upload a local image file as a new asset.
    Upload {
        path: String,
    },
    /// Stop, restore the terminal, and go on after `fg`.
    Suspend,
    Quit,
}

impl std::fmt::Debug for Cmd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cmd::LoadPage { generation, query } => f
                .debug_struct("LoadPage")
                .field("generation", generation)
                .field("token", &query.pagination_token)
                .finish(),
            Cmd::LoadAsset { purpose, id } => write!(f, "LoadAsset({purpose:?}, {id})"),
            Cmd::LoadCollections => f.write_str("LoadCollections"),
            Cmd::WantImages(r) => write!(
                f,
                "WantImages({:?})",
                r.iter().map(|r| &r.key).collect::<Vec<_>>()
            ),
            Cmd::After(d, m) => write!(f, "After({d:?}, {m:?})"),
            Cmd::Copy { what, route, .. } => write!(f, "Copy({what}, {route:?})"),
            Cmd::Downloads(c) => write!(f, "Downloads({c:?})"),
            Cmd::Search {
                generation,
                request,
            } => {
                // never a data URL: it can be a megabyte
                let image = match (&request.image, &request.images) {
                    (Some(i), _) if i.starts_with("data:") => "data URL".to_string(),
                    (Some(i), _) => i.clone(),
                    (None, Some(i)) => format!("like {} unlike {}", i.like.len(), i.unlike.len()),
                    (None, None) => String::new(),
                };
                write!(
                    f,
                    "Search(gen {generation}, page {:?}, query {:?}, image {image:?}, filter {:?})",
                    request.page, request.query, request.filter
                )
            }
            Cmd::ReadImage { path, explicit } => write!(f, "ReadImage({path:?}, {explicit})"),
            Cmd::CompletePath { input } => write!(f, "CompletePath({input:?})"),
            Cmd::LoadTags => f.write_str("LoadTags"),
            Cmd::Tag(c) => write!(
                f,
                "Tag({}{:?}, {} assets)",
                if c.add { "+" } else { "-" },
                c.tag,
                c.ids.len()
            ),
            Cmd::Delete(ids) => write!(f, "Delete({ids:?})"),
            Cmd::Collect {
                collection, ids, ..
            } => write!(f, "Collect({collection}, {} assets)", ids.len()),
            Cmd::Upload { path } => write!(f, "Upload({path:?})"),
            Cmd::Suspend => f.write_str("Suspend"),
            Cmd::Quit => f.write_str("Quit"),
        }
    }
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Msg::Key(k) => write!(f, "Key({k:?})"),
            Msg::Mouse(m) => write!(f, "Mouse({m:?})"),
            Msg::Resize(w, h) => write!(f, "Resize({w}, {h})"),
            Msg::Tick => f.write_str("Tick"),
            Msg::Page { generation, result } => write!(
                f,
                "Page(gen {generation}, {:?})",
                result.as_ref().map(|p| p.assets.len())
            ),
            Msg::Asset {
                purpose,
                id,
                result,
            } => write!(f, "Asset({purpose:?}, {id}, ok: {})", result.is_ok()),
            Msg::Collections(r) => write!(f, "Collections({:?})", r.as_ref().map(Vec::len)),
            Msg::Image(done) => write!(f, "Image({:?}, ok: {})", done.key, done.result.is_ok()),
            Msg::Rested { generation } => write!(f, "Rested({generation})"),
            Msg::Downloads(s) => write!(f, "Downloads({} items)", s.items.len()),
            Msg::SearchDue { typed } => write!(f, "SearchDue({typed})"),
            Msg::SearchPage {
                generation,
                paging,
                result,
            } => write!(
                f,
                "SearchPage(gen {generation}, {paging:?}, {:?})",
                result.as_ref().map(|p| p.hits.len())
            ),
            Msg::ImageRead { path, result } => {
                write!(f, "ImageRead({path:?}, ok: {})", result.is_ok())
            }
            Msg::Completions { input, candidates } => {
                write!(f, "Completions({input:?}, {})", candidates.len())
            }
            Msg::Notice(text) => write!(f, "Notice({text:?})"),
            Msg::Tags(r) => write!(f, "Tags({:?})", r.as_ref().map(Vec::len)),
            Msg::Tagged { change, failures } => write!(
                f,
                "Tagged({:?}, {} of {} refused)",
                change.tag,
                failures.len(),
                change.ids.len()
            ),
            Msg::Deleted { ids, done, error } => {
                write!(
                    f,
                    "Deleted({done} of {}, error: {})",
                    ids.len(),
                    error.is_some()
                )
            }
            Msg::Collected { name, result } => write!(f, "Collected({name:?}, {result:?})"),
            Msg::Uploaded { path, result } => {
                write!(f, "Uploaded({path:?}, ok: {})", result.is_ok())
            }
            Msg::Opened { path, result } => write!(f, "Opened({path:?}, {result:?})"),
            Msg::Copied(c) => write!(
                f,
                "Copied({}, {:?}, ok: {})",
                c.what,
                c.via,
                c.result.is_ok()
            ),
        }
    }
}
