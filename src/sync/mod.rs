//! `assetui sync DIR` and the browser's `M`: a folder that mirrors a
//! listing or a search (issue 19). One engine for both: the CLI and the
//! browser's worker call [`run`] with their download queue.
//!
//! A run lists the source (bounded: [`MAX_ASSETS`]), compares it with the
//! folder's state ([`state`]): an asset seen before at the same
//! `updatedAt` whose file is still there costs nothing; a new one, one
//! whose `updatedAt` changed and one whose file is gone are fetched by
//! the download queue (resumable, journalled) into
//! [`files::INCOMING_DIR`], then put into place by name template
//! ([`files`]), each recorded in a transaction of its own. Assets that
//! left the source are reported, and with `delete` their files removed
//! when sync wrote them and they are unchanged. Nothing is written
//! outside the folder; no file sync did not write is overwritten or
//! removed.

pub mod files;
pub mod state;

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use serde::Serialize;
use tokio::sync::watch;

use crate::api::models::Asset;
use crate::api::{ApiError, Client};
use crate::download::queue::{Phase, Queue, Request};
use crate::naming::{self, AssetName};
use crate::sanitize;
use files::{OnDisk, INCOMING_DIR};
use state::{Pending, Row, State};

/// The most assets one sync lists (as `list --all`).
pub const MAX_ASSETS: usize = 100_000;

/// What the one running a sync asks of it.
pub use crate::transfers::SyncControl as Control;
/// What the folder mirrors.
pub use crate::transfers::SyncSource as Source;

#[derive(Clone, Debug)]
pub struct Options {
    /// The folder (it exists, except on a dry run).
    pub dir: PathBuf,
    pub source: Source,
    /// File names, with the download tokens ([`crate::naming`]).
    pub template: String,
    /// `targetFormat`, or the original.
    pub format: Option<String>,
    /// Write `FILE.json` beside each file: the asset's JSON.
    pub sidecar: bool,
    /// Remove the files of assets that left the source.
    pub delete: bool,
    /// Say what would happen; write nothing.
    pub dry_run: bool,
}

/// What happened to one asset's file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    New,
    Updated,
    Removed,
    Kept,
    Failed,
}

/// One file's outcome (`--json` prints them; the browser shows failures).
#[derive(Clone, Debug, Serialize)]
pub struct FileEvent {
    pub id: String,
    pub action: Action,
    /// Under the folder (sanitized for display by the printer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Why (a failure, or why a file was kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// An update whose previous file was edited since it was synced: that
    /// file, kept (the new one went beside it). Counted as kept too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept: Option<String>,
}

/// The end of a run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub listed: usize,
    pub unchanged: usize,
    pub new: usize,
    pub updated: usize,
    pub removed: usize,
    pub kept: usize,
    pub failed: usize,
    /// Stopped before their end (Ctrl-C, SIGTERM): the next run finishes
    /// them.
    pub paused: usize,
    /// The whole source was listed (otherwise nothing is removed).
    pub complete: bool,
    pub dry_run: bool,
    /// What went wrong beyond single files (the listing).
    pub errors: Vec<String>,
    pub files: Vec<FileEvent>,
}

impl Summary {
    /// Something failed: the CLI exits 1.
    pub fn failed(&self) -> bool {
        self.failed > 0 || !self.errors.is_empty() || self.paused > 0
    }

    fn add(&mut self, ev: FileEvent) {
        match ev.action {
            Action::New => self.new += 1,
            Action::Updated => self.updated += 1,
            Action::Removed => self.removed += 1,
            Action::Kept => self.kept += 1,
            Action::Failed => self.failed += 1,
        }
        if ev.kept.is_some() {
            self.kept += 1;
        }
        self.files.push(ev);
    }

    /// `12 new, 3 updated, 1 removed, 2 kept, 0 failed (1 988 unchanged)`.
    pub fn line(&self) -> String {
        let would = if self.dry_run { "would be " } else { "" };
        let mut s = format!(
            "{} {would}new, {} {would}updated, {} {would}removed, {} kept, {} failed ({} unchanged of {} listed)",
            self.new, self.updated, self.removed, self.kept, self.failed, self.unchanged, self.listed
        );
        if self.paused > 0 {
            s.push_str(&format!(
                ", {} stopped: the next run finishes them",
                self.paused
            ));
        }
        s
    }
}

/// Progress while a run goes.
#[derive(Clone, Debug)]
pub enum Progress {
    /// Assets listed so far.
    Listing(usize),
    /// Files to fetch, and how many have ended.
    Fetching {
        done: usize,
        total: usize,
    },
    /// Files that arrived are hashed and put into place, one by one.
    Placing {
        done: usize,
        total: usize,
    },
    /// Paused ([`Control::Pause`]): nothing fetched or placed until `Run`.
    Paused {
        done: usize,
        total: usize,
    },
    File(FileEvent),
}

impl Progress {
    /// The one line that says where the run stands (`None` for a file's
    /// outcome, which is told apart).
    pub fn line(&self) -> Option<String> {
        Some(match self {
            Progress::Listing(n) => format!("listing… {n} assets"),
            Progress::Fetching { done, total } => format!("fetching {done}/{total}"),
            Progress::Placing { done, total } => format!("placing {done}/{total}"),
            Progress::Paused { done, total } => format!("paused at {done}/{total}"),
            Progress::File(_) => return None,
        })
    }
}

/// An asset whose file must be fetched.
struct Todo {
    id: String,
    updated_at: String,
    /// Subdirectories and stem from the template.
    name: Vec<String>,
    old: Option<Row>,
    sidecar: Option<Vec<u8>>,
}

impl Todo {
    fn action(&self) -> Action {
        if self.old.is_some() {
            Action::Updated
        } else {
            Action::New
        }
    }
}

/// What the listing left to do.
struct Plan {
    todo: Vec<Todo>,
    /// Recorded assets the source no longer has (only when `complete`).
    gone: Vec<Row>,
}

/// One sync of `opts.dir`, steered by `control` (see [`Control`]: pause,
/// or end the run, which the next one finishes). `Err` only when the run
/// cannot start (the folder's state cannot be opened).
pub async fn run(
    client: &Client,
    queue: &Queue,
    opts: &Options,
    control: &mut watch::Receiver<Control>,
    mut progress: impl FnMut(Progress),
) -> Result<Summary, String> {
    let dir = opts.dir.clone();
    let state = {
        let (dir, dry) = (dir.clone(), opts.dry_run);
        tokio::task::spawn_blocking(move || {
            if dry {
                State::read_only(&dir)
            } else {
                State::open(&dir)
            }
        })
        .await
        .map_err(|e| format!("sync state: {e}"))??
    };
    let rows = state.rows()?;
    let pending = state.pending()?;
    let state = Arc::new(Mutex::new(state));
    let mut summary = Summary {
        dry_run: opts.dry_run,
        ..Summary::default()
    };
    let plan = list(client, opts, rows, &mut summary, control, &mut progress).await;
    if opts.dry_run {
        for t in &plan.todo {
            summary.add(FileEvent {
                id: t.id.clone(),
                action: t.action(),
                path: Some(t.name.join("/")),
                note: None,
                kept: None,
            });
        }
        for row in &plan.gone {
            let edited = opts.delete.then(|| {
                matches!(
                    files::check(&dir, &row.path, row.size, &row.sha256),
                    OnDisk::Changed(_)
                )
            });
            summary.add(gone_event(row, opts.delete, edited));
        }
        return Ok(summary);
    }
    if control.borrow().ends() {
        summary.paused = plan.todo.len();
        return Ok(summary);
    }
    let plan = fetch(
        queue,
        opts,
        plan,
        pending,
        &state,
        &mut summary,
        control,
        &mut progress,
    )
    .await;
    if summary.complete {
        let (dir, delete, state) = (dir.clone(), opts.delete, state.clone());
        let events = tokio::task::spawn_blocking(move || {
            let state = state.lock().unwrap_or_else(|p| p.into_inner());
            plan.gone
                .iter()
                .map(|row| remove(&dir, &state, row, delete))
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| format!("sync: {e}"))?;
        for ev in events {
            progress(Progress::File(ev.clone()));
            summary.add(ev);
        }
    }
    files::tidy(&dir);
    Ok(summary)
}

/// Lists the source and sorts what it finds: unchanged, to fetch, gone.
async fn list(
    client: &Client,
    opts: &Options,
    mut rows: HashMap<String, Row>,
    summary: &mut Summary,
    stop: &mut watch::Receiver<Control>,
    progress: &mut impl FnMut(Progress),
) -> Plan {
    let mut pages = Pages::new(client, &opts.source);
    let mut seen: HashSet<String> = HashSet::new();
    let mut todo = Vec::new();
    let mut complete = true;
    loop {
        let page = tokio::select! {
            p = pages.next() => p,
            _ = stop.wait_for(|c| c.ends()) => {
                complete = false;
                break;
            }
        };
        let assets = match page {
            None => break,
            Some(Ok(assets)) => assets,
            Some(Err(ApiError::RepeatedToken { .. })) => break,
            Some(Err(e)) => {
                complete = false;
                summary.errors.push(format!(
                    "listing stopped: {}",
                    sanitize::line(&e.to_string(), 300)
                ));
                break;
            }
        };
        let mut wanted: Vec<(Asset, Option<Row>)> = Vec::new();
        for asset in assets {
            if seen.len() >= MAX_ASSETS {
                complete = false;
                summary.errors.push(format!(
                    "stopped after {MAX_ASSETS} assets, the most one sync lists: narrow the filters"
                ));
                break;
            }
            if asset.id.is_empty() || !seen.insert(asset.id.clone()) {
                continue;
            }
            let updated_at = asset.updated_at.clone().unwrap_or_default();
            let old = rows.remove(&asset.id);
            let fresh = old
                .as_ref()
                .is_some_and(|r| r.updated_at == updated_at && files::present(&opts.dir, &r.path));
            if fresh {
                summary.unchanged += 1;
                continue;
            }
            // a file that vanished from the disk is fetched as new
            wanted.push((asset, old.filter(|r| r.updated_at != updated_at)));
        }
        if opts.sidecar && matches!(opts.source, Source::Search(_)) && !wanted.is_empty() {
            // a search hit lacks fields (kind, properties, status…): the
            // sidecar holds the asset whole, as the listing gives it
            let ids: Vec<String> = wanted.iter().map(|(a, _)| a.id.clone()).collect();
            let whole = tokio::select! {
                w = client.get_assets(&ids) => w,
                _ = stop.wait_for(|c| c.ends()) => {
                    complete = false;
                    break;
                }
            };
            wanted = complete_hits(wanted, whole, summary, progress);
        }
        for (asset, old) in wanted {
            todo.push(Todo {
                name: naming::expand(&opts.template, &AssetName::of(&asset).fields(), ""),
                sidecar: opts.sidecar.then(|| sidecar_bytes(&asset)),
                updated_at: asset.updated_at.clone().unwrap_or_default(),
                old,
                id: asset.id,
            });
        }
        summary.listed = seen.len();
        progress(Progress::Listing(seen.len()));
        if seen.len() >= MAX_ASSETS && !complete {
            break;
        }
    }
    summary.complete = complete;
    let gone = if complete {
        let mut gone: Vec<Row> = rows.into_values().collect();
        gone.sort_by(|a, b| a.path.cmp(&b.path));
        gone
    } else {
        Vec::new()
    };
    Plan { todo, gone }
}

/// Search hits replaced by the assets get-bulk gave (`whole`, in any
/// order); a hit it did not give, or all of them when it failed, is a
/// failed file this run (the next run asks again), not a sidecar that
/// holds less than the asset.
fn complete_hits(
    hits: Vec<(Asset, Option<Row>)>,
    whole: Result<Vec<Asset>, ApiError>,
    summary: &mut Summary,
    progress: &mut impl FnMut(Progress),
) -> Vec<(Asset, Option<Row>)> {
    let (mut by_id, why) = match whole {
        Ok(assets) => (
            assets
                .into_iter()
                .map(|a| (a.id.clone(), a))
                .collect::<HashMap<_, _>>(),
            "the service did not give the whole asset (get-bulk)".to_string(),
        ),
        Err(e) => (
            HashMap::new(),
            format!(
                "cannot read the whole asset for its sidecar: {}",
                sanitize::line(&e.to_string(), 200)
            ),
        ),
    };
    let mut out = Vec::with_capacity(hits.len());
    for (hit, old) in hits {
        match by_id.remove(&hit.id) {
            Some(asset) => out.push((asset, old)),
            None => {
                let ev = FileEvent {
                    id: hit.id,
                    action: Action::Failed,
                    path: None,
                    note: Some(why.clone()),
                    kept: None,
                };
                progress(Progress::File(ev.clone()));
                summary.add(ev);
            }
        }
    }
    out
}

/// The asset's JSON as its sidecar holds it (a broken asset: its raw
/// object and why it did not decode).
fn sidecar_bytes(asset: &Asset) -> Vec<u8> {
    let mut out = Vec::new();
    let written = match crate::api::models::json::broken_asset(asset) {
        Some(v) => crate::api::models::json::to_writer_pretty(&mut out, &v),
        None => crate::api::models::json::to_writer_pretty(&mut out, asset),
    };
    if written.is_err() {
        out = b"{}".to_vec();
    }
    out.push(b'\n');
    out
}

/// The listing or the search, page after page, as assets.
struct Pages {
    inner: futures_util::stream::BoxStream<'static, Result<Vec<Asset>, ApiError>>,
}

impl Pages {
    fn new(client: &Client, source: &Source) -> Pages {
        let inner = match source {
            Source::List(q) => client
                .list_assets(q.clone())
                .map(|p| p.map(|p| p.assets))
                .boxed(),
            Source::Search(r) => client.search(r.clone()).map(|p| p.map(|p| p.hits)).boxed(),
        };
        Pages { inner }
    }

    async fn next(&mut self) -> Option<Result<Vec<Asset>, ApiError>> {
        self.inner.next().await
    }
}

/// Fetches what the plan says through the queue and puts each file into
/// place as it arrives; what a stopped run left (a finished file in the
/// incoming directory, a file placed but not recorded) is taken as it is.
#[allow(clippy::too_many_arguments)]
async fn fetch(
    queue: &Queue,
    opts: &Options,
    mut plan: Plan,
    pending: HashMap<String, Pending>,
    state: &Arc<Mutex<State>>,
    summary: &mut Summary,
    control: &mut watch::Receiver<Control>,
    progress: &mut impl FnMut(Progress),
) -> Plan {
    let dir = opts.dir.clone();
    let todo = std::mem::take(&mut plan.todo);
    let total = todo.len();
    if total == 0 && pending.is_empty() {
        return plan;
    }
    // record what is asked for, and take what a stopped run left
    let recovered = {
        let (dir, state) = (dir.clone(), state.clone());
        tokio::task::spawn_blocking(move || recover(&dir, &state, todo, pending))
            .await
            .unwrap_or_else(|e| Recovered::failed(format!("sync: {e}")))
    };
    let mut done = 0;
    for ev in recovered.events {
        done += 1;
        progress(Progress::File(ev.clone()));
        summary.add(ev);
    }
    let todo = recovered.to_fetch;
    if todo.is_empty() {
        return plan;
    }
    progress(Progress::Fetching { done, total });
    let incoming = match crate::download::place::make_dirs(&dir, &[INCOMING_DIR.to_string()]) {
        Ok(d) => d,
        Err(e) => {
            for t in &todo {
                summary.add(failed_event(t, format!("cannot make {INCOMING_DIR}: {e}")));
            }
            return plan;
        }
    };
    let requests = todo
        .iter()
        .map(|t| Request {
            asset_id: t.id.clone(),
            format: opts.format.clone(),
            dir: Some(incoming.clone()),
            name: Some(vec![files::incoming_stem(&t.id)]),
        })
        .collect();
    let keys = queue.add_keyed(requests).await;
    let mut open: HashMap<u64, Todo> = HashMap::new();
    for (t, key) in todo.into_iter().zip(keys) {
        match key {
            Ok(k) => {
                open.insert(k, t);
            }
            Err(why) => {
                done += 1;
                let ev = failed_event(&t, why);
                progress(Progress::File(ev.clone()));
                summary.add(ev);
            }
        }
    }
    let mut rx = queue.subscribe();
    // what arrived and waits to be placed (paused, or the run ended)
    let mut arrived: VecDeque<(Todo, PathBuf)> = VecDeque::new();
    let mut ending: Option<Control> = None;
    let mut paused = false;
    // items the run paused and has not resumed yet: a pause takes effect
    // when the item's task sees it, so each is resumed once it shows paused
    let mut held: HashSet<u64> = HashSet::new();
    let mut steered = true;
    let mut cancelled = 0;
    loop {
        let snap = rx.borrow_and_update().clone();
        let mut all_settled = true;
        for item in &snap.items {
            if !open.contains_key(&item.key) {
                continue;
            }
            match item.phase {
                Phase::Done => {
                    let t = open.remove(&item.key).expect("open item");
                    match &item.path {
                        Some(p) => arrived.push_back((t, p.clone())),
                        None => {
                            let ev = failed_event(&t, "the download left no file".into());
                            summary.add(ev);
                        }
                    }
                }
                Phase::Cancelled if ending == Some(Control::Cancel) => {
                    // the run's own cancel: the next run fetches it
                    open.remove(&item.key);
                    cancelled += 1;
                }
                Phase::Failed | Phase::Cancelled => {
                    let t = open.remove(&item.key).expect("open item");
                    let why = match item.phase {
                        Phase::Cancelled => "cancelled".to_string(),
                        _ => item.error.clone().unwrap_or_else(|| "failed".into()),
                    };
                    done += 1;
                    let ev = failed_event(&t, why);
                    progress(Progress::File(ev.clone()));
                    summary.add(ev);
                }
                Phase::Paused if !paused && ending.is_none() && held.remove(&item.key) => {
                    queue.resume(Some(item.key));
                    all_settled = false;
                }
                p if !p.settled() => all_settled = false,
                _ => {}
            }
        }
        // into place one file at a time, looking at the control between
        // two: a pause or an end stops at a file boundary
        if !arrived.is_empty() && *control.borrow() == Control::Run {
            progress(Progress::Placing { done, total });
            while *control.borrow() == Control::Run {
                let Some((t, fetched)) = arrived.pop_front() else {
                    break;
                };
                let ev = place(&dir, state, t, fetched).await;
                done += 1;
                progress(Progress::File(ev.clone()));
                summary.add(ev);
            }
        }
        if paused {
            progress(Progress::Paused { done, total });
        } else {
            progress(Progress::Fetching { done, total });
        }
        if (open.is_empty() && arrived.is_empty()) || (ending.is_some() && all_settled) {
            break;
        }
        tokio::select! {
            changed = rx.changed() => if changed.is_err() { break },
            changed = control.changed(), if steered && ending.is_none() => {
                if changed.is_err() {
                    steered = false; // no one steers any more: run on
                    continue;
                }
                let asked = *control.borrow_and_update();
                match asked {
                    // the next snapshot resumes what the pause held
                    Control::Run => paused = false,
                    Control::Pause if !paused => {
                        paused = true;
                        for key in open.keys() {
                            queue.pause(Some(*key));
                            held.insert(*key);
                        }
                    }
                    Control::Stop | Control::Cancel => {
                        ending = Some(asked);
                        for key in open.keys() {
                            if asked == Control::Cancel {
                                queue.cancel(Some(*key));
                            } else if !paused {
                                queue.pause(Some(*key));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    summary.paused = open.len() + arrived.len() + cancelled;
    plan
}

/// One fetched file into place (see [`settle`]), on a blocking thread.
async fn place(dir: &Path, state: &Arc<Mutex<State>>, t: Todo, fetched: PathBuf) -> FileEvent {
    let id = t.id.clone();
    let (dir, state) = (dir.to_path_buf(), state.clone());
    tokio::task::spawn_blocking(move || {
        let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
        settle(&dir, &mut state, &t, &fetched)
    })
    .await
    .unwrap_or_else(|e| FileEvent {
        id,
        action: Action::Failed,
        path: None,
        note: Some(format!("placing: {e}")),
        kept: None,
    })
}

fn failed_event(t: &Todo, why: String) -> FileEvent {
    FileEvent {
        id: t.id.clone(),
        action: Action::Failed,
        path: None,
        note: Some(sanitize::line(&why, 300)),
        kept: None,
    }
}

/// What [`recover`] found.
struct Recovered {
    to_fetch: Vec<Todo>,
    events: Vec<FileEvent>,
}

impl Recovered {
    fn failed(why: String) -> Recovered {
        Recovered {
            to_fetch: Vec::new(),
            events: vec![FileEvent {
                id: String::new(),
                action: Action::Failed,
                path: None,
                note: Some(why),
                kept: None,
            }],
        }
    }
}

/// Records the assets about to be fetched, and finishes what a stopped
/// run left: a file fetched at the same `updatedAt` but not placed is
/// placed; one placed but not recorded (found by its hash) is recorded.
/// Stale leftovers (of an older `updatedAt`, or of assets no longer
/// wanted) are removed from the incoming directory.
fn recover(
    dir: &Path,
    state: &Mutex<State>,
    todo: Vec<Todo>,
    mut pending: HashMap<String, Pending>,
) -> Recovered {
    let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
    let mut out = Recovered {
        to_fetch: Vec::new(),
        events: Vec::new(),
    };
    let earlier = if pending.is_empty() {
        HashMap::new()
    } else {
        files::fetched_earlier(dir)
    };
    for t in todo {
        let p = pending.remove(&t.id);
        let fetched = earlier.get(&files::incoming_stem(&t.id)).cloned().flatten();
        let Some(p) = p.filter(|p| p.updated_at == t.updated_at) else {
            if let Some(stale) = fetched {
                files::remove_if_plain(&stale);
            }
            out.to_fetch.push(t);
            continue;
        };
        if let Some(f) = fetched {
            out.events.push(settle(dir, &mut state, &t, &f));
            continue;
        }
        let placed = p.placing.as_ref().and_then(|pl| {
            files::find_placed(dir, pl, |rel| state.path_taken(rel).unwrap_or(true))
                .map(|path| (pl.clone(), path))
        });
        match placed {
            Some((pl, path)) => {
                let ev = finish(dir, &mut state, &t, &path, &pl, files::Replaced::default());
                out.events.push(ev);
            }
            None => out.to_fetch.push(t),
        }
    }
    // leftovers of assets no longer wanted
    for (id, _) in pending {
        if let Some(Some(f)) = earlier.get(&files::incoming_stem(&id)) {
            files::remove_if_plain(f);
        }
        let _ = state.unpend(&id);
    }
    let still: Vec<(String, String)> = out
        .to_fetch
        .iter()
        .map(|t| (t.id.clone(), t.updated_at.clone()))
        .collect();
    if let Err(e) = state.begin(&still) {
        return Recovered::failed(e);
    }
    out
}

/// A fetched file into place: its hash recorded first, the file it
/// replaces retired (removed if sync's and unchanged, else kept), then
/// placed without overwriting, its sidecar written, and the whole
/// committed.
fn settle(dir: &Path, state: &mut State, t: &Todo, fetched: &Path) -> FileEvent {
    let arrival = files::Arrival {
        dir,
        fetched,
        name: &t.name,
    };
    let result = (|| -> Result<FileEvent, String> {
        let placing = arrival
            .placing()
            .map_err(|e| format!("cannot read the fetched file: {e}"))?;
        state.placing(&t.id, &placing)?;
        let replaced = match &t.old {
            Some(old) => files::retire(dir, old)
                .map_err(|e| format!("cannot remove the previous file: {e}"))?,
            None => files::Replaced::default(),
        };
        let path = arrival
            .place(&placing)
            .map_err(|e| format!("cannot place {}: {e}", placing.name))?;
        Ok(finish(dir, state, t, &path, &placing, replaced))
    })();
    result.unwrap_or_else(|why| failed_event(t, why))
}

/// The file is in place: its sidecar written, the whole recorded.
fn finish(
    dir: &Path,
    state: &mut State,
    t: &Todo,
    path: &Path,
    placing: &state::Placing,
    replaced: files::Replaced,
) -> FileEvent {
    let rel = files::relative(dir, path);
    let mut row = Row {
        asset_id: t.id.clone(),
        updated_at: t.updated_at.clone(),
        path: rel.clone(),
        size: placing.size,
        sha256: placing.sha256.clone(),
        sidecar: None,
        sidecar_sha256: None,
    };
    if let Some(bytes) = &t.sidecar {
        match files::write_sidecar(dir, path, bytes) {
            Ok(p) => {
                row.sidecar = Some(files::relative(dir, &p));
                row.sidecar_sha256 = Some(files::hash_bytes(bytes));
            }
            Err(e) => return failed_event(t, format!("cannot write the sidecar: {e}")),
        }
    }
    if let Err(e) = state.commit(&row) {
        return failed_event(t, e);
    }
    let kept = replaced
        .kept
        .then(|| t.old.as_ref().map(|o| o.path.clone()).unwrap_or_default());
    FileEvent {
        id: t.id.clone(),
        action: t.action(),
        path: Some(rel),
        note: kept
            .as_ref()
            .map(|old| format!("{old} was edited since: kept, the new file placed beside it")),
        kept,
    }
}

/// An asset that left the source: its file removed (with `delete`, when
/// sync wrote it and it is unchanged) or kept.
fn remove(dir: &Path, state: &State, row: &Row, delete: bool) -> FileEvent {
    if !delete {
        return gone_event(row, false, None);
    }
    let result = files::retire(dir, row);
    let _ = state.forget(&row.asset_id);
    match result {
        Ok(r) if r.kept => gone_event(row, true, Some(true)),
        Ok(_) => gone_event(row, true, Some(false)),
        Err(e) => FileEvent {
            id: row.asset_id.clone(),
            action: Action::Failed,
            path: Some(row.path.clone()),
            note: Some(format!("cannot remove it: {e}")),
            kept: None,
        },
    }
}

/// The event of an asset that left the source; `edited`: whether its
/// file was found changed (when `delete` looked).
fn gone_event(row: &Row, delete: bool, edited: Option<bool>) -> FileEvent {
    let (action, note) = match (delete, edited) {
        (false, _) => (
            Action::Kept,
            "left the source; kept (--delete removes it)".to_string(),
        ),
        (true, Some(true)) => (
            Action::Kept,
            "left the source; edited since it was synced, so kept".to_string(),
        ),
        (true, _) => (Action::Removed, "left the source".to_string()),
    };
    FileEvent {
        id: row.asset_id.clone(),
        action,
        path: Some(row.path.clone()),
        note: Some(note),
        kept: None,
    }
}
