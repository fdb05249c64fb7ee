//! What reaches `update()` ([`Msg`]) and what it asks the workers to do
//! ([`Cmd`]). Answers carry the generation of the request they answer.

use std::time::Duration;

use crossterm::event::{KeyEvent, MouseEvent};

use std::sync::Arc;

use super::images::{ImageDone, ImageRequest};
use crate::api::models::Collection;
use crate::api::params::{SearchPaging, SearchRequest};
use crate::app::filters::Filters;
use crate::app::search::{Applied, ImageRef};
use crate::provider::{AssetView, Page};

pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Spinner tick, sent only while something loads.
    Tick,
    /// A page of the list, for list generation `generation`.
    Page {
        generation: u64,
        result: Result<Page, String>,
    },
    /// `GET /assets/{id}` answered.
    Asset {
        purpose: AssetPurpose,
        id: String,
        result: Result<Box<AssetView>, String>,
    },
    Collections(Result<Vec<Collection>, String>),
    /// A video's or a sound's transcript and indexes, for the inspector
    /// generation `generation`.
    MediaExtras {
        generation: u64,
        id: String,
        extras: Box<crate::provider::MediaExtras>,
    },
    Image(ImageDone),
    /// The selection has not moved for a moment: load what is expensive.
    Rested {
        generation: u64,
    },
    /// A copy to the clipboard ended.
    Copied(crate::clipboard::Copied),
    /// The download queue's latest state (at most ten a second).
    Downloads(std::sync::Arc<crate::transfers::Snapshot>),
    /// Where a sync started by `M` stands.
    Synced(crate::transfers::SyncNews),
    /// The search box has been quiet since edit `typed`: search now.
    SearchDue {
        typed: u64,
    },
    /// A page of search results (or of the list browsed through search),
    /// for list generation `generation`.
    SearchPage {
        generation: u64,
        paging: SearchPaging,
        result: Result<Page, String>,
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
    /// Time to ask again for the assets still processing.
    PollProcessing,
    /// The provider's indexes: (id, name).
    Indexes(Result<Vec<(String, String)>, String>),
    /// `GET /tags`: (tag, assets carrying it).
    Tags(Result<Vec<(String, u64)>, String>),
    /// A tag change ended; `failures` are (asset id, why) where the
    /// server refused it.
    Tagged {
        change: crate::app::tags::TagChange,
        failures: Vec<(String, String)>,
    },
    /// A deletion ended: the first `done` of `ids` are gone. `in_use`:
    /// the next one was refused because an index uses it (it can be
    /// forced).
    Deleted {
        ids: Vec<String>,
        done: usize,
        error: Option<String>,
        in_use: bool,
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
        result: Result<Box<AssetView>, String>,
    },
    /// The system opener ran (or could not).
    Opened {
        path: String,
        result: Result<(), String>,
    },
    /// A setting was written into config.toml (`v`'s density): the file,
    /// or why not.
    SettingSaved {
        key: &'static str,
        value: String,
        result: Result<String, String>,
    },
    /// Assets were taken out of a collection (the undo of an addition):
    /// how many, and what stopped the rest.
    Uncollected {
        name: String,
        removed: usize,
        error: Option<String>,
    },
    /// The family tree pane's answers, for its generation.
    Tree {
        generation: u64,
        msg: crate::app::tree::TreeMsg,
    },
    /// A page of the service's listing for the refresh of cached rows
    /// (`Cmd::Refresh`), for refresh generation `generation`.
    Refreshed {
        generation: u64,
        result: Result<Page, String>,
    },
    /// The assets created or changed on the service since the newest the
    /// index holds: a refresh's first answer.
    Changes {
        generation: u64,
        items: Vec<AssetView>,
    },
    /// The service cannot be reached (refused or broken connections,
    /// timeouts, 5xx after the retries): why, in one line.
    Offline(String),
}

/// What adding assets to a collection did (`Msg::Collected`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CollectCounts {
    pub added: usize,
    pub already: usize,
    pub failed: usize,
    /// The first failure's reason, when some failed.
    pub error: Option<String>,
    /// The collection, and the assets that went in (what an undo takes
    /// out again).
    pub collection: String,
    pub added_ids: Vec<String>,
}

/// Why a local image could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageReadError {
    /// No such file: a path-like text is then a text query.
    NotAFile,
    /// `@path` names nothing (yet: it may be half typed).
    Missing,
    /// The path names a directory.
    Directory,
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
    /// A new asset an upload in the transfers queue made: it goes in the
    /// list.
    Uploaded,
}

/// Which page of the list to load, in the app's words: each provider's
/// worker turns it into its own request.
#[derive(Clone, Debug, PartialEq)]
pub struct ListSpec {
    pub filters: Filters,
    /// What names the page (a token, a page number); `None`: the first.
    pub next: Option<String>,
    /// From the local index (the rows shown are cached, or the service
    /// cannot be reached), not from the service.
    pub local: bool,
}

/// Which page of search results to load.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchSpec {
    /// What was searched; `None`: the list browsed through search, for a
    /// filter the list cannot apply (a team's tags).
    pub applied: Option<Applied>,
    pub filters: Filters,
    /// The index to search, where the provider searches indexes.
    pub index: Option<String>,
    /// What names the page (a page number, a token); `None`: the first.
    pub next: Option<String>,
    /// A text search of the local index (offline), not of the service.
    pub local: bool,
}

impl SearchSpec {
    /// Scenario's request for this page.
    pub fn scenario_request(&self) -> SearchRequest {
        let request = match &self.applied {
            Some(a) => crate::app::search::request(a, &self.filters),
            None => crate::app::search::browse_request(&self.filters).unwrap_or_default(),
        };
        request.with_paging(SearchPaging::Page {
            page: self.page(),
            hits_per_page: self.filters.page_size,
        })
    }

    /// The page number (Scenario's search pages are numbered from 1).
    pub fn page(&self) -> u32 {
        self.next
            .as_deref()
            .and_then(|t| t.parse().ok())
            .unwrap_or(1)
    }
}

pub enum Cmd {
    LoadPage {
        generation: u64,
        spec: Box<ListSpec>,
    },
    LoadAsset {
        purpose: AssetPurpose,
        id: String,
    },
    LoadCollections,
    /// The provider's indexes (TwelveLabs).
    LoadIndexes,
    /// The transcript and indexes of the video or sound the inspector
    /// shows (inspector generation `generation`).
    LoadMediaExtras {
        generation: u64,
        id: String,
    },
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
    /// `M`: sync this listing or search into a folder, through the
    /// download queue (its files show in the transfers pane).
    Mirror {
        source: Box<crate::transfers::SyncSource>,
        /// The folder and the options the prompt chose.
        choice: crate::app::bulk::MirrorChoice,
    },
    /// The transfers pane's `p`/`x` on a mirror's line: pause, resume
    /// or cancel the sync into `dir`.
    SteerSync {
        dir: std::path::PathBuf,
        control: crate::transfers::SyncControl,
    },
    /// One page of a search (the request carries its paging). One slot:
    /// a new search aborts the one in flight.
    Search {
        generation: u64,
        spec: Box<SearchSpec>,
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
    /// Delete assets (asked and confirmed); `force` also unlinks them
    /// from the indexes that use them.
    Delete {
        ids: Vec<String>,
        force: bool,
    },
    /// Add assets to a collection.
    Collect {
        collection: String,
        name: String,
        ids: Vec<String>,
    },
    /// Upload a local file as a new asset (through the transfers queue
    /// when it runs).
    Upload {
        path: String,
    },
    /// Play a stream (or open a link) with the system's player: `mpv`
    /// from `start` seconds when it is there, else the opener.
    Play {
        url: String,
        start: Option<f64>,
    },
    /// The family tree pane's requests (`L`, opening a branch, `B`).
    Tree {
        generation: u64,
        cmd: crate::app::tree::TreeCmd,
    },
    /// Refresh the cached listing from the service: the first (`next`
    /// `None`) asks for the assets changed since the index's newest where
    /// the provider filters by date (`Msg::Changes`), then the listing's
    /// first page; later ones the page `next` names (`Msg::Refreshed`).
    Refresh {
        generation: u64,
        next: Option<String>,
    },
    /// Stop, restore the terminal, and go on after `fg`.
    Suspend,
    Quit,
    /// Write `key = "value"` into config.toml (atomically, the rest of
    /// the file kept).
    SaveSetting {
        key: &'static str,
        value: String,
    },
    /// Take assets out of a collection (the undo of an addition).
    Uncollect {
        collection: String,
        name: String,
        ids: Vec<String>,
    },
}

impl std::fmt::Debug for Cmd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cmd::LoadPage { generation, spec } => f
                .debug_struct("LoadPage")
                .field("generation", generation)
                .field("token", &spec.next)
                .field("local", &spec.local)
                .finish(),
            Cmd::LoadAsset { purpose, id } => write!(f, "LoadAsset({purpose:?}, {id})"),
            Cmd::LoadCollections => f.write_str("LoadCollections"),
            Cmd::LoadIndexes => f.write_str("LoadIndexes"),
            Cmd::LoadMediaExtras { generation, id } => {
                write!(f, "LoadMediaExtras({generation}, {id})")
            }
            Cmd::WantImages(r) => write!(
                f,
                "WantImages({:?})",
                r.iter().map(|r| &r.key).collect::<Vec<_>>()
            ),
            Cmd::After(d, m) => write!(f, "After({d:?}, {m:?})"),
            Cmd::Copy { what, route, .. } => write!(f, "Copy({what}, {route:?})"),
            Cmd::Downloads(c) => write!(f, "Downloads({c:?})"),
            Cmd::Mirror { choice, .. } => write!(f, "Mirror({choice:?})"),
            Cmd::SteerSync { dir, control } => write!(f, "SteerSync({dir:?}, {control:?})"),
            Cmd::Search { generation, spec } => {
                // never a data URL: it can be a megabyte
                let applied = spec.applied.as_ref();
                let image = match applied {
                    Some(a) if !a.like.is_empty() || !a.unlike.is_empty() => format!(
                        "like {} unlike {}",
                        a.like.len() + usize::from(a.image.is_some()),
                        a.unlike.len()
                    ),
                    Some(Applied {
                        image: Some(ImageRef::File { .. }),
                        ..
                    }) => "data URL".to_string(),
                    Some(Applied {
                        image: Some(ImageRef::Asset { id, .. }),
                        ..
                    }) => id.clone(),
                    _ => String::new(),
                };
                write!(
                    f,
                    "Search(gen {generation}, page {:?}, query {:?}, image {image:?}, filter {:?})",
                    Some(spec.page()),
                    applied.and_then(|a| a.query.as_ref()),
                    crate::app::search::search_filter(&spec.filters)
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
            Cmd::Delete { ids, force } => write!(f, "Delete({ids:?}, force {force})"),
            // never the link itself: it is signed
            Cmd::Play { start, .. } => write!(f, "Play(from {start:?})"),
            Cmd::Collect {
                collection, ids, ..
            } => write!(f, "Collect({collection}, {} assets)", ids.len()),
            Cmd::Upload { path } => write!(f, "Upload({path:?})"),
            Cmd::Tree { generation, cmd } => match cmd {
                crate::app::tree::TreeCmd::Open(a) => {
                    write!(f, "TreeOpen(gen {generation}, {})", a.id)
                }
                crate::app::tree::TreeCmd::Children(ids) => {
                    write!(f, "TreeChildren(gen {generation}, {ids:?})")
                }
                crate::app::tree::TreeCmd::Branch { node, frontier, .. } => write!(
                    f,
                    "TreeBranch(gen {generation}, {node}, {} to read)",
                    frontier.len()
                ),
            },
            Cmd::Refresh { generation, next } => {
                write!(f, "Refresh(gen {generation}, next {})", next.is_some())
            }
            Cmd::Suspend => f.write_str("Suspend"),
            Cmd::Quit => f.write_str("Quit"),
            Cmd::SaveSetting { key, value } => write!(f, "SaveSetting({key} = {value:?})"),
            Cmd::Uncollect {
                collection, ids, ..
            } => write!(f, "Uncollect({collection}, {} assets)", ids.len()),
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
                result.as_ref().map(|p| p.items.len())
            ),
            Msg::Asset {
                purpose,
                id,
                result,
            } => write!(f, "Asset({purpose:?}, {id}, ok: {})", result.is_ok()),
            Msg::Collections(r) => write!(f, "Collections({:?})", r.as_ref().map(Vec::len)),
            Msg::MediaExtras { generation, id, .. } => {
                write!(f, "MediaExtras(gen {generation}, {id})")
            }
            Msg::Image(done) => write!(f, "Image({:?}, ok: {})", done.key, done.result.is_ok()),
            Msg::Rested { generation } => write!(f, "Rested({generation})"),
            Msg::Downloads(s) => write!(f, "Downloads({} items)", s.items.len()),
            Msg::Synced(n) => write!(f, "Synced({n:?})"),
            Msg::SearchDue { typed } => write!(f, "SearchDue({typed})"),
            Msg::SearchPage {
                generation,
                paging,
                result,
            } => write!(
                f,
                "SearchPage(gen {generation}, {paging:?}, {:?})",
                result.as_ref().map(|p| p.items.len())
            ),
            Msg::ImageRead { path, result } => {
                write!(f, "ImageRead({path:?}, ok: {})", result.is_ok())
            }
            Msg::Completions { input, candidates } => {
                write!(f, "Completions({input:?}, {})", candidates.len())
            }
            Msg::Notice(text) => write!(f, "Notice({text:?})"),
            Msg::PollProcessing => f.write_str("PollProcessing"),
            Msg::Indexes(r) => write!(f, "Indexes({:?})", r.as_ref().map(Vec::len)),
            Msg::Tags(r) => write!(f, "Tags({:?})", r.as_ref().map(Vec::len)),
            Msg::Tagged { change, failures } => write!(
                f,
                "Tagged({:?}, {} of {} refused)",
                change.tag,
                failures.len(),
                change.ids.len()
            ),
            Msg::Deleted {
                ids, done, error, ..
            } => {
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
            Msg::SettingSaved { key, value, result } => {
                write!(f, "SettingSaved({key} = {value:?}, {result:?})")
            }
            Msg::Uncollected {
                name,
                removed,
                error,
            } => write!(f, "Uncollected({name:?}, {removed}, {error:?})"),
            Msg::Tree { generation, msg } => {
                use crate::app::tree::TreeMsg as T;
                let what = match msg {
                    T::Root(c) => format!("root {}", c.root.id),
                    T::Listed(items) => format!("listed {}", items.len()),
                    T::ListingDone(w) => format!("listing done {w:?}"),
                    T::Children(c) => format!("children of {}", c.len()),
                    T::BranchDone { node, .. } => format!("branch {node} done"),
                    T::Failed(e) => format!("failed {e:?}"),
                };
                write!(f, "Tree(gen {generation}, {what})")
            }
            Msg::Refreshed { generation, result } => write!(
                f,
                "Refreshed(gen {generation}, {:?})",
                result.as_ref().map(|p| p.items.len())
            ),
            Msg::Changes { generation, items } => {
                write!(f, "Changes(gen {generation}, {})", items.len())
            }
            Msg::Offline(why) => write!(f, "Offline({why:?})"),
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
