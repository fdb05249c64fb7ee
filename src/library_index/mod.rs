//! The local index of the assets the browser has seen (issue 19's
//! offline-first start): one SQLite file in the cache directory, one
//! library per (provider, base URL, profile), each asset's provider object
//! kept whole so the inspector shows every field offline. Thumbnails are
//! not here: they stay in the image pipeline's disk cache.
//!
//! Reads: [`Local`] (the first page at start, further pages and the local
//! search, on blocking threads). Writes: [`Writer`], a thread of its own
//! that batches what arrives into one transaction, then keeps the file
//! under its bound by forgetting the least recently seen assets.

mod filter;
mod key;
mod store;

use std::path::{Path, PathBuf};
use std::sync::mpsc;

pub use filter::query;
pub use key::{clean_url, LibraryKey};
pub use store::{file_bytes, After, Condition, Index, LibraryInfo, Order, Query, Stored, FILE};

use crate::app::filters::Filters;
use crate::provider::{AssetView, Native, Page, ProviderKind};

/// Assets kept in the whole file unless `[cache] index_max_assets` says
/// otherwise.
pub const DEFAULT_MAX_ASSETS: u64 = 100_000;
/// Assets in one page read from the index.
pub const PAGE: usize = 100;
/// What starts a page token that names a place in the index, not on the
/// service.
const LOCAL_TOKEN: &str = "local:";

/// The index file in the XDG cache directory.
pub fn default_path() -> Option<PathBuf> {
    crate::dirs::cache_dir().map(|d| d.join(FILE))
}

/// An asset as the index stores it: its provider object as JSON and the
/// neutral columns.
pub fn stored(view: &AssetView) -> Option<Stored> {
    let json = match &view.native {
        Native::Scenario(a) => serde_json::to_string(a.as_ref()),
        Native::TwelveLabs(a) => serde_json::to_string(a.as_ref()),
    }
    .ok()?;
    let mut text = String::new();
    for part in [
        Some(view.id.as_str()),
        view.name.as_deref(),
        view.prompt.as_deref(),
    ]
    .into_iter()
    .flatten()
    .chain(view.tags.iter().map(String::as_str))
    {
        text.push_str(&part.to_lowercase());
        text.push('\n');
    }
    Some(Stored {
        id: view.id.clone(),
        created: view.created.clone().unwrap_or_default(),
        updated: view.updated.clone().unwrap_or_default(),
        text,
        json,
    })
}

/// The view of a stored asset, built by the provider's own mapping from
/// its object; `None` for a row that no longer decodes.
pub fn view(provider: ProviderKind, row: &Stored) -> Option<AssetView> {
    match provider {
        ProviderKind::Scenario => serde_json::from_str::<crate::api::models::Asset>(&row.json)
            .ok()
            .map(crate::provider::scenario::view),
        ProviderKind::TwelveLabs => {
            serde_json::from_str::<assetui_twelvelabs::models::Asset>(&row.json)
                .ok()
                .map(crate::provider::twelvelabs::view)
        }
    }
}

/// Whether a page token names a place in the index.
pub fn is_local(token: Option<&str>) -> bool {
    token.is_some_and(|t| t.starts_with(LOCAL_TOKEN))
}

fn local_token(after: &After) -> String {
    let pair = serde_json::json!([after.key, after.id]);
    format!("{LOCAL_TOKEN}{pair}")
}

fn parse_token(token: &str) -> Option<After> {
    let rest = token.strip_prefix(LOCAL_TOKEN)?;
    let (key, id): (String, String) = serde_json::from_str(rest).ok()?;
    Some(After { key, id })
}

/// One library of the index, for reading: each call opens the file (a
/// read beside the writer's transactions, WAL), so it runs on any thread.
#[derive(Clone, Debug)]
pub struct Local {
    pub path: PathBuf,
    pub key: LibraryKey,
    pub provider: ProviderKind,
}

impl Local {
    pub fn new(path: &Path, provider: ProviderKind, key: LibraryKey) -> Local {
        Local {
            path: path.to_path_buf(),
            key,
            provider,
        }
    }

    fn open(&self) -> Result<Option<(Index, i64)>, String> {
        let index = Index::open(&self.path)?;
        Ok(index.find_library(&self.key)?.map(|id| (index, id)))
    }

    /// A page of the listing: the first (`token` `None`) or the one a
    /// local token names. An empty page when the library is not indexed.
    pub fn page(&self, token: Option<&str>, limit: usize) -> Result<Page, String> {
        self.filtered(&Filters::default(), token, limit)
    }

    /// A page of the cached assets the list's filters keep, in the
    /// order they ask for: the first (`token` `None`) or the one a local
    /// token names.
    pub fn filtered(
        &self,
        filters: &Filters,
        token: Option<&str>,
        limit: usize,
    ) -> Result<Page, String> {
        let Some((index, library)) = self.open()? else {
            return Ok(Page::default());
        };
        let after = token.and_then(parse_token);
        let query = query(self.provider, filters, "");
        let (rows, next) = index.select_after(library, &query, after.as_ref(), limit)?;
        Ok(self.to_page(&rows, next.as_ref().map(local_token), None))
    }

    /// A local search over names, prompts and tags among the cached
    /// assets the filters keep; `offset` from the page token (a number).
    pub fn search(
        &self,
        text: &str,
        filters: &Filters,
        token: Option<&str>,
        limit: usize,
    ) -> Result<Page, String> {
        let Some((index, library)) = self.open()? else {
            return Ok(Page::default());
        };
        let offset = token.and_then(|t| t.parse().ok()).unwrap_or(0);
        let query = query(self.provider, filters, text);
        let (rows, next) = index.select_from(library, &query, offset, limit)?;
        Ok(self.to_page(&rows, next.map(|n| n.to_string()), None))
    }

    /// The one line that says which of `filters` the index cannot
    /// answer (a collection filter when no cached asset carries its
    /// collections), if any.
    pub fn unanswered(&self, filters: &Filters) -> Result<Option<String>, String> {
        let Some((_, name)) = &filters.collection else {
            return Ok(None);
        };
        let known = match (self.provider, self.open()?) {
            (ProviderKind::Scenario, Some((index, library))) => {
                index.knows(library, filter::COLLECTIONS)?
            }
            _ => false,
        };
        Ok((!known).then(|| {
            format!(
                "offline: the index does not hold which assets are in the collection {}, so none is shown",
                crate::sanitize::line(name, 80)
            )
        }))
    }

    /// The latest `updated` the library holds.
    pub fn newest_update(&self) -> Result<Option<String>, String> {
        match self.open()? {
            Some((index, library)) => index.newest_update(library),
            None => Ok(None),
        }
    }

    fn to_page(&self, rows: &[Stored], next: Option<String>, total: Option<u64>) -> Page {
        let items: Vec<AssetView> = rows.iter().filter_map(|r| view(self.provider, r)).collect();
        if items.len() < rows.len() {
            tracing::warn!(
                skipped = rows.len() - items.len(),
                "library index rows that no longer decode"
            );
        }
        Page { items, next, total }
    }
}

/// Shows the index's first page in a fresh state, before the first
/// frame, marked cached: one page read in the index's order, whatever
/// its size.
pub fn show_first_page(state: &mut crate::app::State, local: &Local) {
    state.library.indexed = true;
    match local.page(None, PAGE) {
        Ok(page) => crate::app::show_cached(state, page),
        Err(e) => tracing::warn!(error = %e, "library index unreadable"),
    }
}

enum Job {
    Put(Vec<AssetView>),
    Forget(Vec<String>),
    Flush(mpsc::Sender<()>),
}

/// Writes to one library of the index from a thread of its own: what is
/// queued when it wakes goes in one transaction. Cloning shares the
/// thread; it ends when the last clone goes (what was queued is written
/// first).
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
}

impl Writer {
    /// Opens the index, registers the library, and starts the thread.
    pub fn start(local: &Local, max_assets: u64) -> Result<Writer, String> {
        let mut index = Index::open(&local.path)?;
        let library = index.library(&local.key)?;
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("library-index".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    let mut put: Vec<AssetView> = Vec::new();
                    let mut forget: Vec<String> = Vec::new();
                    let mut flushes = Vec::new();
                    for job in std::iter::once(first).chain(rx.try_iter()) {
                        match job {
                            Job::Put(rows) => put.extend(rows),
                            Job::Forget(ids) => {
                                put.retain(|r| !ids.contains(&r.id));
                                forget.extend(ids);
                            }
                            Job::Flush(done) => flushes.push(done),
                        }
                    }
                    let rows: Vec<Stored> = put.iter().filter_map(stored).collect();
                    if !rows.is_empty() {
                        if let Err(e) = index.put(library, &rows, max_assets) {
                            tracing::warn!(error = %e, "library index: write failed");
                        }
                    }
                    if !forget.is_empty() {
                        if let Err(e) = index.forget(library, &forget) {
                            tracing::warn!(error = %e, "library index: forget failed");
                        }
                    }
                    for done in flushes {
                        let _ = done.send(());
                    }
                }
            })
            .map_err(|e| format!("library index thread: {e}"))?;
        Ok(Writer { tx })
    }

    /// Queues assets seen (new or changed); they are turned into rows on
    /// the writer's thread.
    pub fn seen(&self, views: Vec<AssetView>) {
        if !views.is_empty() {
            let _ = self.tx.send(Job::Put(views));
        }
    }

    /// Queues assets deleted on the service.
    pub fn forget(&self, ids: Vec<String>) {
        if !ids.is_empty() {
            let _ = self.tx.send(Job::Forget(ids));
        }
    }

    /// Waits until what was queued before is written (tests, the bench).
    pub fn flush(&self) {
        let (done, wait) = mpsc::channel();
        if self.tx.send(Job::Flush(done)).is_ok() {
            let _ = wait.recv();
        }
    }
}

#[cfg(test)]
mod tests;
