//! API requests for the browser: each [`Cmd`] becomes a task whose answer
//! comes back as a [`Msg`]. One slot per kind of request: a new request
//! in a slot aborts the one before it. Also the search box's local work:
//! reading a reference image (decoded and scaled on a blocking thread) and
//! listing file names for Tab.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use super::twelvelabs;
use crate::api::params::{SearchPaging, UpdateTagsRequest};
use crate::api::search::DEFAULT_HITS_PER_PAGE;
use crate::api::Client;
use crate::app::filters::Filters;
use crate::app::msg::{CollectCounts, ImageReadError, ListSpec, SearchSpec};
use crate::app::tags::TagChange;
use crate::app::{AssetPurpose, Msg};
use crate::library_index::{Local, Writer, PAGE};
use crate::provider::scenario;
use crate::provider::{AssetView, Page, Service};

/// A request that failed: its line, and whether the service could not be
/// reached at all (the browser goes offline).
struct Failure {
    text: String,
    unreachable: bool,
}

impl From<crate::api::ApiError> for Failure {
    fn from(e: crate::api::ApiError) -> Failure {
        use crate::api::ApiError as E;
        let unreachable = matches!(
            e,
            E::Unreachable { .. } | E::Timeout { .. } | E::Interrupted { .. } | E::Service { .. }
        );
        Failure {
            text: e.to_string(),
            unreachable,
        }
    }
}

impl From<assetui_twelvelabs::Error> for Failure {
    fn from(e: assetui_twelvelabs::Error) -> Failure {
        Failure {
            unreachable: twelvelabs::unreachable(&e),
            text: e.to_string(),
        }
    }
}

/// Most pages of changes a refresh reads before the listing.
const CHANGES_PAGES: usize = 10;

/// One page of the service's listing, kept in the index; a service that
/// cannot be reached also says `Msg::Offline` (before the page's error).
async fn live_page(
    service: &Service,
    spec: &ListSpec,
    writer: Option<&Writer>,
    tx: &UnboundedSender<Msg>,
) -> Result<Page, String> {
    let result: Result<Page, Failure> = match service {
        Service::Scenario(client) => {
            let mut query = spec.filters.to_query();
            query.pagination_token = spec.next.clone();
            client
                .list_assets_page(&query)
                .await
                .map(scenario::list_page)
                .map_err(Failure::from)
        }
        Service::TwelveLabs(client) => twelvelabs::list(client, spec).await.map_err(Failure::from),
    };
    match result {
        Ok(page) => {
            if let Some(w) = writer {
                w.seen(page.items.clone());
            }
            Ok(page)
        }
        Err(f) => {
            if f.unreachable {
                let _ = tx.send(Msg::Offline(f.text.clone()));
            }
            Err(f.text)
        }
    }
}

/// The assets updated on the service after the newest the index holds
/// (`updatedAfter`, newest first), at most [`CHANGES_PAGES`] pages; kept
/// in the index. Nothing when the index holds nothing yet.
async fn changes(
    client: &Client,
    local: &Local,
    writer: &Writer,
) -> Result<Vec<AssetView>, Failure> {
    use crate::api::params::{ListAssetsQuery, SortDirection, SortField};
    let reader = local.clone();
    let since = read_local(move || reader.newest_update())
        .await
        .map_err(|text| Failure {
            text,
            unreachable: false,
        })?;
    let Some(since) = since else {
        return Ok(Vec::new());
    };
    let mut query = ListAssetsQuery {
        updated_after: Some(since),
        sort_by: Some(SortField::UpdatedAt),
        sort_direction: Some(SortDirection::Desc),
        page_size: Some(PAGE as u32),
        ..ListAssetsQuery::default()
    };
    let mut items = Vec::new();
    for _ in 0..CHANGES_PAGES {
        let page = scenario::list_page(client.list_assets_page(&query).await?);
        writer.seen(page.items.clone());
        items.extend(page.items);
        match page.next.filter(|t| !t.is_empty()) {
            Some(token) if query.pagination_token.as_ref() != Some(&token) => {
                query.pagination_token = Some(token)
            }
            _ => break,
        }
    }
    Ok(items)
}

/// A read of the local index, on a blocking thread.
async fn read_local<T: Send + 'static>(
    read: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(read)
        .await
        .unwrap_or_else(|e| Err(format!("library index: {e}")))
}

/// A page read from the index on a blocking thread; on a first page,
/// the line that says which filter the index cannot answer goes ahead
/// of it.
async fn local_page(
    local: Local,
    filters: Filters,
    first: bool,
    tx: &UnboundedSender<Msg>,
    read: impl FnOnce(&Local, &Filters) -> Result<Page, String> + Send + 'static,
) -> Result<Page, String> {
    let (page, note) = read_local(move || {
        let page = read(&local, &filters)?;
        let note = match first {
            true => local.unanswered(&filters)?,
            false => None,
        };
        Ok((page, note))
    })
    .await?;
    if let Some(note) = note {
        let _ = tx.send(Msg::Notice(note));
    }
    Ok(page)
}

pub struct ApiWorker {
    service: Service,
    tx: UnboundedSender<Msg>,
    /// The local index of this library: its reader and its writer.
    index: Option<(Local, Writer)>,
    page: Option<AbortHandle>,
    refresh: Option<AbortHandle>,
    detail: Option<AbortHandle>,
    jump: Option<AbortHandle>,
    copy_link: Option<AbortHandle>,
    search: Option<AbortHandle>,
    read_image: Option<AbortHandle>,
}

fn replace(slot: &mut Option<AbortHandle>, new: AbortHandle) {
    if let Some(old) = slot.replace(new) {
        old.abort();
    }
}

impl ApiWorker {
    pub fn new(service: Service, tx: UnboundedSender<Msg>) -> ApiWorker {
        ApiWorker {
            service,
            tx,
            index: None,
            page: None,
            refresh: None,
            detail: None,
            jump: None,
            copy_link: None,
            search: None,
            read_image: None,
        }
    }

    /// The service, for the workers that share it.
    pub(crate) fn service(&self) -> Service {
        self.service.clone()
    }

    /// The Scenario client, when the service is Scenario.
    pub(crate) fn scenario(&self) -> Option<Client> {
        match &self.service {
            Service::Scenario(c) => Some(c.clone()),
            Service::TwelveLabs(_) => None,
        }
    }

    /// Keeps what the service lists in the local index, and serves the
    /// local pages and searches from it.
    pub fn set_index(&mut self, local: Local, writer: Writer) {
        self.index = Some((local, writer));
    }

    /// One page of the list: from the index when the spec says so, else
    /// from the service (and then kept in the index).
    pub fn load_page(&mut self, generation: u64, spec: Box<ListSpec>) {
        let tx = self.tx.clone();
        // a token the index gave (rows put aside by a search while they
        // were cached) pages on in the index too
        let local_token = crate::library_index::is_local(spec.next.as_deref());
        if let (true, Some((local, _))) = (spec.local || local_token, &self.index) {
            let local = local.clone();
            let task = tokio::spawn(async move {
                let next = spec.next.clone();
                let result = local_page(local, spec.filters, next.is_none(), &tx, move |l, f| {
                    l.filtered(f, next.as_deref(), PAGE)
                })
                .await;
                let _ = tx.send(Msg::Page { generation, result });
            });
            replace(&mut self.page, task.abort_handle());
            return;
        }
        let service = self.service.clone();
        let writer = self.writer();
        let task = tokio::spawn(async move {
            let result = live_page(&service, &spec, writer.as_ref(), &tx).await;
            let _ = tx.send(Msg::Page { generation, result });
        });
        replace(&mut self.page, task.abort_handle());
    }

    fn writer(&self) -> Option<Writer> {
        self.index.as_ref().map(|(_, w)| w.clone())
    }

    /// Assets deleted on the service leave the index.
    pub fn forget(&self, ids: Vec<String>) {
        if let Some((_, w)) = &self.index {
            w.forget(ids);
        }
    }

    /// A step of the refresh of cached rows (see `Cmd::Refresh`); a new
    /// refresh aborts the one before it.
    pub fn refresh(&mut self, generation: u64, next: Option<String>) {
        let service = self.service.clone();
        let index = self.index.clone();
        let tx = self.tx.clone();
        let task = tokio::spawn(async move {
            if next.is_none() {
                if let (Service::Scenario(client), Some((local, writer))) = (&service, &index) {
                    match changes(client, local, writer).await {
                        Ok(items) => {
                            let _ = tx.send(Msg::Changes { generation, items });
                        }
                        Err(Failure { text, unreachable }) => {
                            if unreachable {
                                let _ = tx.send(Msg::Offline(text.clone()));
                                let _ = tx.send(Msg::Refreshed {
                                    generation,
                                    result: Err(text),
                                });
                                return;
                            }
                            // a service without the date filters: the listing does it all
                            tracing::debug!(error = %text, "no changes asked");
                        }
                    }
                }
            }
            let spec = ListSpec {
                filters: crate::app::filters::Filters::default(),
                next,
                local: false,
            };
            let writer = index.as_ref().map(|(_, w)| w.clone());
            let result = live_page(&service, &spec, writer.as_ref(), &tx).await;
            let _ = tx.send(Msg::Refreshed { generation, result });
        });
        replace(&mut self.refresh, task.abort_handle());
    }

    /// One page of a search; a newer search aborts it.
    pub fn search(&mut self, generation: u64, spec: Box<SearchSpec>) {
        if let (true, Some((local, _))) = (spec.local, &self.index) {
            let local = local.clone();
            let tx = self.tx.clone();
            let task = tokio::spawn(async move {
                let paging = SearchPaging::Page {
                    page: spec.page(),
                    hits_per_page: spec.filters.page_size,
                };
                let result = match spec.applied.as_ref() {
                    Some(a) if a.image.is_some() || !a.like.is_empty() || !a.unlike.is_empty() => {
                        Err("offline: an image search needs the service".to_string())
                    }
                    applied => {
                        let query = applied.and_then(|a| a.query.clone()).unwrap_or_default();
                        let next = spec.next.clone();
                        local_page(
                            local,
                            spec.filters.clone(),
                            next.is_none(),
                            &tx,
                            move |l, f| l.search(&query, f, next.as_deref(), PAGE),
                        )
                        .await
                    }
                };
                let _ = tx.send(Msg::SearchPage {
                    generation,
                    paging,
                    result,
                });
            });
            replace(&mut self.search, task.abort_handle());
            return;
        }
        let client = match &self.service {
            Service::Scenario(c) => c.clone(),
            Service::TwelveLabs(c) => {
                let task = twelvelabs::search(c, generation, *spec, self.tx.clone());
                replace(&mut self.search, task);
                return;
            }
        };
        let request = spec.scenario_request();
        let paging = match (request.offset, request.limit) {
            (Some(offset), Some(limit)) => SearchPaging::Offset { offset, limit },
            _ => SearchPaging::Page {
                page: request.page.unwrap_or(1),
                hits_per_page: request.hits_per_page.unwrap_or(DEFAULT_HITS_PER_PAGE),
            },
        };

        let tx = self.tx.clone();
        let task = tokio::spawn(async move {
            let result = client
                .search_page(&request)
                .await
                .map(|page| scenario::search_page(paging, page))
                .map_err(|e| e.to_string());
            let _ = tx.send(Msg::SearchPage {
                generation,
                paging,
                result,
            });
        });
        replace(&mut self.search, task.abort_handle());
    }

    /// Reads a local image for a similarity search: decoding and scaling
    /// run on a blocking thread, never on the UI task.
    pub fn read_image(&mut self, path: String, explicit: bool) {
        let tx = self.tx.clone();
        let task = tokio::spawn(async move {
            let p = path.clone();
            let result = tokio::task::spawn_blocking(move || read_image(&p, explicit))
                .await
                .unwrap_or_else(|e| Err(ImageReadError::Failed(e.to_string())));
            let _ = tx.send(Msg::ImageRead { path, result });
        });
        replace(&mut self.read_image, task.abort_handle());
    }

    /// Lists the file names that complete `input` (on a blocking thread).
    pub fn complete_path(&mut self, input: String) {
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let candidates = complete_path(&input);
            let _ = tx.send(Msg::Completions { input, candidates });
        });
    }

    pub fn load_asset(&mut self, purpose: AssetPurpose, id: String) {
        let tx = self.tx.clone();
        let task = match &self.service {
            Service::TwelveLabs(c) => twelvelabs::load_asset(c, purpose, id, tx),
            Service::Scenario(c) => self.scenario_asset(c.clone(), purpose, id, tx),
        };
        match purpose {
            AssetPurpose::Detail(_) => replace(&mut self.detail, task),
            AssetPurpose::Jump(_) => replace(&mut self.jump, task),
            // a second `Y` before the first link came back wins
            AssetPurpose::CopyLink => replace(&mut self.copy_link, task),
            // refreshes of different assets run side by side, and new
            // assets from uploads
            AssetPurpose::Refresh | AssetPurpose::Uploaded => {}
        }
    }

    fn scenario_asset(
        &self,
        client: Client,
        purpose: AssetPurpose,
        id: String,
        tx: UnboundedSender<Msg>,
    ) -> AbortHandle {
        tokio::spawn(async move {
            let result = client
                .get_asset(&id)
                .await
                .map(|a| Box::new(scenario::view(a)))
                .map_err(|e| e.to_string());
            let _ = tx.send(Msg::Asset {
                purpose,
                id,
                result,
            });
        })
        .abort_handle()
    }

    /// Every page of `GET /tags` up to the cap
    /// (`api::library::MAX_LIBRARY_ITEMS`), as (tag, count); a list cut
    /// short (cap, token cycle) also sends its warning as a notice.
    pub fn load_tags(&mut self) {
        let client = match &self.service {
            Service::Scenario(c) => c.clone(),
            Service::TwelveLabs(c) => return twelvelabs::load_keys(c, self.tx.clone()),
        };
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let (result, warning) = match client.tags().await {
                Ok(listing) => {
                    let tags = listing
                        .items
                        .into_iter()
                        .filter_map(|t| {
                            let n = t.item_count.as_ref().and_then(|n| n.as_u64()).unwrap_or(0);
                            Some((t.tag_name?, n))
                        })
                        .collect();
                    (Ok(tags), listing.warning)
                }
                Err(e) => (Err(e.to_string()), None),
            };
            let _ = tx.send(Msg::Tags(result));
            if let Some(w) = warning {
                let _ = tx.send(Msg::Notice(w));
            }
        });
    }

    /// One tag change on assets, through the code the CLI's `tag` uses.
    /// Changes run side by side: each answers for itself.
    pub fn tag(&mut self, change: TagChange) {
        let client = match &self.service {
            Service::Scenario(c) => c.clone(),
            Service::TwelveLabs(c) => return twelvelabs::tag(c, change, self.tx.clone()),
        };
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let request = if change.add {
                UpdateTagsRequest {
                    add: vec![change.tag.clone()],
                    ..Default::default()
                }
            } else {
                UpdateTagsRequest {
                    delete: vec![change.tag.clone()],
                    ..Default::default()
                }
            };
            let failures = crate::edits::tag_each(&client, &change.ids, &request)
                .await
                .into_iter()
                .filter_map(|(id, r)| r.err().map(|e| (id, e.to_string())))
                .collect();
            let _ = tx.send(Msg::Tagged { change, failures });
        });
    }

    pub fn delete(&mut self, ids: Vec<String>, force: bool) {
        let client = match &self.service {
            Service::Scenario(c) => c.clone(),
            Service::TwelveLabs(c) => return twelvelabs::delete(c, ids, force, self.tx.clone()),
        };
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let (done, error) = match crate::edits::delete(&client, &ids).await {
                Ok(n) => (n, None),
                Err(e) => (e.done, Some(e.error.to_string())),
            };
            let _ = tx.send(Msg::Deleted {
                ids,
                done,
                error,
                in_use: false,
            });
        });
    }

    pub fn collect(&mut self, collection: String, name: String, ids: Vec<String>) {
        let Some(client) = self.scenario() else {
            let _ = self.tx.send(Msg::Collected {
                name,
                result: Err("TwelveLabs has no collections".into()),
            });
            return;
        };
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = crate::edits::add_to_collection(&client, &collection, &ids)
                .await
                .map(|o| CollectCounts {
                    added: o.added.len(),
                    already: o.already.len(),
                    failed: o.failed.len(),
                    error: o.error.map(|e| e.to_string()),
                    collection: collection.clone(),
                    added_ids: o.added,
                })
                .map_err(|e| e.to_string());
            let _ = tx.send(Msg::Collected { name, result });
        });
    }

    /// Takes assets out of a collection (the undo of `a`), through the
    /// code the CLI's `collect --remove` uses.
    pub fn uncollect(&mut self, collection: String, name: String, ids: Vec<String>) {
        let Some(client) = self.scenario() else {
            let _ = self.tx.send(Msg::Uncollected {
                name,
                removed: 0,
                error: Some("TwelveLabs has no collections".into()),
            });
            return;
        };
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let (removed, error) =
                match crate::edits::remove_from_collection(&client, &collection, &ids).await {
                    Ok(n) => (n, None),
                    Err(e) => (e.done, Some(e.error.to_string())),
                };
            let _ = tx.send(Msg::Uncollected {
                name,
                removed,
                error,
            });
        });
    }

    /// Uploads a local file as `assetui upload` does (the same function),
    /// its progress in the status line: at most every 5 %, and each
    /// status of the import.
    pub fn upload(&mut self, path: String) {
        let client = match &self.service {
            Service::Scenario(c) => c.clone(),
            Service::TwelveLabs(c) => return twelvelabs::upload(c, path, self.tx.clone()),
        };
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let shown = crate::sanitize::line(&path, 60);
            let notices = tx.clone();
            let percent = percent_notices(shown.clone(), tx.clone());
            let progress: crate::api::uploads::OnProgress = std::sync::Arc::new(move |p| {
                use crate::api::uploads::UploadProgress;
                match p {
                    UploadProgress::Sent { sent, total } => percent(sent, total),
                    UploadProgress::Status(s) => {
                        let text = format!("uploading {shown}: {}", crate::sanitize::line(&s, 30));
                        let _ = notices.send(Msg::Notice(text));
                    }
                }
            });
            let result = crate::edits::upload_file(
                &client,
                &crate::edits::expand_home(&path),
                crate::edits::UploadOptions::default(),
                progress,
            )
            .await
            .map(|a| Box::new(scenario::view(a)))
            .map_err(|e| e.to_string());
            let _ = tx.send(Msg::Uploaded { path, result });
        });
    }

    /// A video's transcript and indexes (TwelveLabs; Scenario has none,
    /// and is never asked).
    pub fn load_extras(&mut self, generation: u64, id: String) {
        if let Service::TwelveLabs(c) = &self.service {
            twelvelabs::load_extras(c, generation, id, self.tx.clone());
        }
    }

    /// The provider's indexes (none on Scenario).
    pub fn load_indexes(&mut self) {
        match &self.service {
            Service::TwelveLabs(c) => twelvelabs::load_indexes(c, self.tx.clone()),
            Service::Scenario(_) => {
                let _ = self.tx.send(Msg::Indexes(Ok(Vec::new())));
            }
        }
    }

    pub fn load_collections(&mut self) {
        let Some(client) = self.scenario() else {
            // nothing to name: the provider has no collections
            let _ = self.tx.send(Msg::Collections(Ok(Vec::new())));
            return;
        };
        let tx = self.tx.clone();
        tokio::spawn(async move {
            // bounded like the tags (a picker's cap); a cut list says so
            let (result, warning) = match client.collections().await {
                Ok(listing) => (Ok(listing.items), listing.warning),
                Err(e) => (Err(e.to_string()), None),
            };
            let _ = tx.send(Msg::Collections(result));
            if let Some(w) = warning {
                let _ = tx.send(Msg::Notice(w));
            }
        });
    }
}

impl Drop for ApiWorker {
    fn drop(&mut self) {
        for h in [
            &self.page,
            &self.detail,
            &self.jump,
            &self.copy_link,
            &self.search,
            &self.read_image,
        ]
        .into_iter()
        .flatten()
        {
            h.abort();
        }
    }
}

use crate::edits::expand_home as expand;

/// A local image as a data URL, at most 1024 px (`api::image_ref`).
/// Blocking.
pub fn read_image(path: &str, explicit: bool) -> Result<Arc<str>, ImageReadError> {
    let p = expand(&crate::app::search::unquote(path));
    if p.is_dir() {
        return Err(ImageReadError::Directory);
    }
    if !p.is_file() {
        return Err(if explicit {
            ImageReadError::Missing
        } else {
            ImageReadError::NotAFile
        });
    }
    crate::api::image_ref::file_to_data_url(&p)
        .map(Arc::from)
        .map_err(|e| {
            // the message starts with the path: the box shows it already
            let e = e.to_string();
            let shown = crate::sanitize::line(&p.display().to_string(), 200);
            let reason = e.strip_prefix(&format!("{shown}: ")).unwrap_or(&e);
            ImageReadError::Failed(reason.to_string())
        })
}

/// The inputs that complete `input` with a file name of its directory
/// (`@` kept in front, `/` after directories), sorted; hidden files only
/// when the typed name starts with a dot. Blocking.
pub fn complete_path(input: &str) -> Vec<String> {
    let (at, rest) = match input.strip_prefix('@') {
        Some(r) => ("@", r),
        None => ("", input),
    };
    let rest = crate::app::search::unquote(rest);
    let (dir, prefix) = match rest.rfind('/') {
        Some(i) => (&rest[..=i], &rest[i + 1..]),
        None => ("", rest.as_str()),
    };
    let fs_dir = if dir.is_empty() {
        PathBuf::from(".")
    } else {
        expand(dir)
    };
    let Ok(entries) = std::fs::read_dir(&fs_dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(Result::ok)
        .take(10_000)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let is_dir = Path::new(&fs_dir).join(&name).is_dir();
            let full = format!("{dir}{name}{}", if is_dir { "/" } else { "" });
            Some(format!("{at}{}", crate::app::search::quote_path(&full)))
        })
        .collect();
    out.sort();
    out.truncate(crate::app::search::COMPLETIONS_MAX);
    out
}

/// An upload's progress in the status line, `uploading NAME: 40% of
/// 1.2 GiB`, at most every 5 %.
pub(super) fn percent_notices(
    shown: String,
    tx: UnboundedSender<Msg>,
) -> impl Fn(u64, u64) + Send + Sync + 'static {
    let last = std::sync::Mutex::new(None::<u64>);
    move |sent, total| {
        let pct = (sent.saturating_mul(100) / total.max(1)).min(100);
        let step = pct / 5;
        let Ok(mut last) = last.lock() else { return };
        if *last == Some(step) {
            return;
        }
        *last = Some(step);
        let _ = tx.send(Msg::Notice(format!(
            "uploading {shown}: {pct}% of {}",
            crate::text::human_size(total)
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_is_named_as_one_not_as_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        for explicit in [true, false] {
            assert_eq!(read_image(&d, explicit), Err(ImageReadError::Directory));
        }
        assert_eq!(
            read_image(&format!("{d}/nope.png"), true),
            Err(ImageReadError::Missing)
        );
    }

    #[test]
    fn paths_complete_in_their_directory() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        std::fs::write(dir.path().join("photo-1.png"), b"x").unwrap();
        std::fs::write(dir.path().join("photo-2.png"), b"x").unwrap();
        std::fs::write(dir.path().join(".hidden.png"), b"x").unwrap();
        std::fs::create_dir(dir.path().join("photos")).unwrap();
        assert_eq!(
            complete_path(&format!("@{d}/pho")),
            vec![
                format!("@{d}/photo-1.png"),
                format!("@{d}/photo-2.png"),
                format!("@{d}/photos/"),
            ]
        );
        assert_eq!(
            complete_path(&format!("{d}/.h")),
            vec![format!("{d}/.hidden.png")]
        );
        assert!(complete_path(&format!("{d}/zzz")).is_empty());
        assert!(complete_path("/no/such/dir/x").is_empty());
        assert_eq!(
            read_image(&format!("{d}/missing.png"), false),
            Err(ImageReadError::NotAFile)
        );
        assert!(matches!(
            read_image(&format!("{d}/photo-1.png"), false),
            Err(ImageReadError::Failed(_))
        ));
    }
}
