//! The server's shared state and how it is built at start: the demo
//! library, `--scale` synthetic assets, and the `--data` store laid over
//! them.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, RwLock};
use std::time::Duration;

use super::faults::{Fault, FaultSpec, Scripted};
use super::generated::{self, GeneratedFiles};
use super::http::{HttpError, HttpResult};
use super::jobs::Job;
use super::library::{CollectionRec, FileRef, Library, Record};
use super::manifest;
use super::renditions::RenditionCache;
use super::signing::{Signer, DEFAULT_TTL};
use super::store::{self, OnBadData, Store};
use super::synth;
use assetui_api::models::{Asset, AssetKind, AssetProperties, AssetStatus, Privacy};

/// How `assetui serve` (or the in-process demo) runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub addr: SocketAddr,
    pub data_dir: Option<PathBuf>,
    pub scale: u64,
    pub auth: Option<(String, String)>,
    pub faults: FaultSpec,
    pub latency: Duration,
    pub url_ttl: Duration,
    /// `--large-asset SIZE`: one generated asset of this many bytes,
    /// streamed (id [`generated::LARGE_ID`], name `large-file`).
    pub large_asset: Option<u64>,
    /// `--small-assets N[:SIZE]`: N generated assets of SIZE bytes.
    pub small_assets: Option<(u64, u64)>,
    /// `--replace-every N`: the large asset's content changes (same size,
    /// new ETag and Last-Modified) after every N requests of its file.
    pub replace_every: Option<u64>,
    /// What a `data_dir` whose store cannot be read does (the embedded
    /// demo recovers, `serve --data` refuses to start).
    pub on_bad_data: OnBadData,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: None,
            scale: 0,
            auth: None,
            faults: FaultSpec::default(),
            latency: Duration::ZERO,
            url_ttl: DEFAULT_TTL,
            large_asset: None,
            small_assets: None,
            replace_every: None,
            on_bad_data: OnBadData::Fail,
        }
    }
}

pub struct AppState {
    pub config: ServerConfig,
    pub lib: RwLock<Library>,
    pub store: Option<Store>,
    /// What became of the data directory when it could not be read
    /// (set aside, or in memory only), for the user.
    pub data_notice: Option<String>,
    pub signer: Signer,
    pub renditions: RenditionCache,
    pub jobs: Mutex<HashMap<String, Job>>,
    /// `http://HOST:PORT`, for absolute signed URLs.
    pub origin: String,
    rng: Mutex<fastrand::Rng>,
    faults_seen: Mutex<HashMap<String, u64>>,
    pub requests: AtomicU64,
    /// Serializes embedding runs.
    pub embedding_lock: tokio::sync::Mutex<()>,
    /// The streamed files of `--large-asset` and `--small-assets`.
    pub generated: GeneratedFiles,
    /// Faults queued by `POST /v1/_demo/faults`, used before random ones.
    scripted: Mutex<VecDeque<Scripted>>,
    /// An archive given by `POST /v1/_demo/next-archive`: the next batch
    /// job ends with these bytes instead of the zip it would build.
    pub next_archive: Mutex<Option<bytes::Bytes>>,
    /// `POST /v1/_demo/hold-searches`: searches wait where their work runs.
    pub search_hold: Hold,
    /// What uploads may hold: how many at once, how many bytes stored.
    pub uploads: Uploads,
    /// The multipart uploads (`/uploads`).
    pub multipart: super::uploads::Multipart,
}

/// Uploads at once (each may buffer a 10 MiB body and decode its image).
pub const MAX_UPLOADS_AT_ONCE: usize = 2;
/// Bytes of uploaded files the server keeps (in memory) by default.
pub const UPLOAD_QUOTA: u64 = 256 * 1024 * 1024;

/// The bounds on uploads: a few at once (more are answered 429 before
/// their body is read), and a quota of stored bytes (413 past it).
pub struct Uploads {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    in_flight: tokio::sync::watch::Sender<usize>,
    /// The quota of stored upload bytes (tests lower it).
    pub quota: AtomicU64,
}

impl Default for Uploads {
    fn default() -> Self {
        Uploads {
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_UPLOADS_AT_ONCE)),
            in_flight: tokio::sync::watch::Sender::new(0),
            quota: AtomicU64::new(UPLOAD_QUOTA),
        }
    }
}

/// One upload's place, given back when dropped.
pub struct UploadSlot<'a> {
    _permit: tokio::sync::SemaphorePermit<'a>,
    in_flight: &'a tokio::sync::watch::Sender<usize>,
}

impl Drop for UploadSlot<'_> {
    fn drop(&mut self) {
        self.in_flight.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl Uploads {
    /// A place for one more upload, or `None` when all are taken.
    pub fn try_start(&self) -> Option<UploadSlot<'_>> {
        let permit = self.permits.try_acquire().ok()?;
        self.in_flight.send_modify(|n| *n += 1);
        Some(UploadSlot {
            _permit: permit,
            in_flight: &self.in_flight,
        })
    }

    pub fn in_flight(&self) -> usize {
        *self.in_flight.borrow()
    }

    /// Waits until exactly `n` uploads are in flight; how many are.
    pub async fn until_in_flight(&self, n: usize) -> usize {
        let mut rx = self.in_flight.subscribe();
        let _ = rx.wait_for(|w| *w == n).await;
        let now = *rx.borrow();
        now
    }
}

/// A gate the searches pass where their CPU work runs (off the async
/// threads), closed on demand so tests can hold several searches in
/// flight and see that other requests are still answered.
pub struct Hold {
    closed: Mutex<bool>,
    opened: Condvar,
    waiting: tokio::sync::watch::Sender<usize>,
}

impl Default for Hold {
    fn default() -> Self {
        Hold {
            closed: Mutex::new(false),
            opened: Condvar::new(),
            waiting: tokio::sync::watch::Sender::new(0),
        }
    }
}

impl Hold {
    /// The longest a search waits at a closed gate.
    const MAX_WAIT: Duration = Duration::from_secs(60);

    pub fn close(&self, closed: bool) {
        if let Ok(mut c) = self.closed.lock() {
            *c = closed;
        }
        if !closed {
            self.opened.notify_all();
        }
    }

    /// Blocks while the gate is closed (at most [`Self::MAX_WAIT`]). Call
    /// only off the async threads.
    pub fn pass(&self) {
        let Ok(closed) = self.closed.lock() else {
            return;
        };
        if !*closed {
            return;
        }
        self.waiting.send_modify(|n| *n += 1);
        let _ = self
            .opened
            .wait_timeout_while(closed, Self::MAX_WAIT, |closed| *closed);
        self.waiting.send_modify(|n| *n = n.saturating_sub(1));
    }

    /// How many searches wait at the gate.
    pub fn waiting(&self) -> usize {
        *self.waiting.borrow()
    }

    /// Waits until `n` searches wait at the gate; how many do.
    pub async fn until_waiting(&self, n: usize) -> usize {
        let mut rx = self.waiting.subscribe();
        let _ = rx.wait_for(|w| *w >= n).await;
        let now = *rx.borrow();
        now
    }
}

impl AppState {
    pub fn build(config: ServerConfig, origin: String) -> Result<AppState, String> {
        let (opened, data_notice) = match &config.data_dir {
            Some(dir) => store::open_with(dir, config.on_bad_data, |s| {
                Ok((s.signing_key()?, s.load()?))
            })?,
            None => (None, None),
        };
        let (store, saved, signer) = match opened {
            Some((store, (key, saved))) => {
                (Some(store), Some(saved), Signer::new(key, config.url_ttl))
            }
            None => (None, None, Signer::random(config.url_ttl)?),
        };
        let mut lib = load_demo()?;
        synth::add(&mut lib, config.scale);
        let generated = generated::add(
            &mut lib,
            config.large_asset,
            config.small_assets,
            config.replace_every,
        );
        if let Some(saved) = saved {
            for id in &saved.deleted {
                lib.remove(id);
            }
            for (asset, blob) in saved.assets {
                let previous = lib.get(&asset.id).cloned();
                let file = match (blob, &previous) {
                    (Some(bytes), _) => FileRef::Blob(bytes.into()),
                    (None, Some(prev)) => prev.file.clone(),
                    (None, None) => continue,
                };
                lib.put(Record {
                    asset,
                    file,
                    family: previous.and_then(|p| p.family),
                });
            }
        }
        Ok(AppState {
            config,
            lib: RwLock::new(lib),
            store,
            data_notice,
            signer,
            renditions: RenditionCache::new(256 * 1024 * 1024),
            jobs: Mutex::new(HashMap::new()),
            origin,
            rng: Mutex::new(fastrand::Rng::new()),
            faults_seen: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
            embedding_lock: tokio::sync::Mutex::new(()),
            generated,
            scripted: Mutex::new(VecDeque::new()),
            next_archive: Mutex::new(None),
            search_hold: Hold::default(),
            uploads: Uploads::default(),
            multipart: Default::default(),
        })
    }

    /// The library for reading, or a 500 if a panic poisoned the lock.
    pub fn read_lib(&self) -> HttpResult<std::sync::RwLockReadGuard<'_, Library>> {
        self.lib
            .read()
            .map_err(|_| HttpError::internal("library lock poisoned"))
    }

    /// The library for a change, or a 500 if a panic poisoned the lock.
    pub fn write_lib(&self) -> HttpResult<std::sync::RwLockWriteGuard<'_, Library>> {
        self.lib
            .write()
            .map_err(|_| HttpError::internal("library lock poisoned"))
    }

    /// A batch job as it is now.
    pub fn job(&self, id: &str) -> HttpResult<Option<Job>> {
        let jobs = self
            .jobs
            .lock()
            .map_err(|_| HttpError::internal("jobs lock poisoned"))?;
        Ok(jobs.get(id).cloned())
    }

    pub fn random_f64(&self) -> f64 {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.rng.lock().map(|mut r| r.f64()).unwrap_or(1.0)
    }

    pub fn new_id(&self, prefix: &str) -> String {
        match self.rng.lock() {
            Ok(mut r) => super::library::new_id(prefix, &mut r),
            Err(_) => super::library::new_id(prefix, &mut fastrand::Rng::new()),
        }
    }

    pub fn count_fault(&self, f: Fault) {
        if let Ok(mut m) = self.faults_seen.lock() {
            *m.entry(f.to_string()).or_insert(0) += 1;
        }
    }

    /// Queues faults for the next requests whose path starts with a prefix.
    pub fn script_faults(&self, faults: impl IntoIterator<Item = Scripted>) {
        if let Ok(mut q) = self.scripted.lock() {
            q.extend(faults);
        }
    }

    /// Drops every queued fault; returns how many were left.
    pub fn clear_scripted(&self) -> usize {
        self.scripted
            .lock()
            .map(|mut q| std::mem::take(&mut *q).len())
            .unwrap_or(0)
    }

    /// The first queued fault that applies to `path`, removed from the queue.
    pub fn take_scripted(&self, path: &str) -> Option<Scripted> {
        let mut q = self.scripted.lock().ok()?;
        let i = q.iter().position(|s| path.starts_with(&s.prefix))?;
        q.remove(i)
    }

    /// Faults still queued.
    pub fn scripted_left(&self) -> usize {
        self.scripted.lock().map(|q| q.len()).unwrap_or(0)
    }

    /// How many of each fault were injected (for the fault-rate tests).
    pub fn faults_seen(&self) -> HashMap<String, u64> {
        self.faults_seen
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default()
    }
}

/// The embedded demo library as records.
fn load_demo() -> Result<Library, String> {
    let m = manifest::embedded()?;
    let mut lib = Library::new(m.owner_id.clone(), m.team_id.clone());
    for c in &m.collections {
        lib.collections.insert(
            c.id.clone(),
            CollectionRec {
                id: c.id.clone(),
                name: c.name.clone(),
                created_at: c.created_at.clone(),
                updated_at: c.updated_at.clone(),
            },
        );
    }
    for a in m.assets {
        let Some(bytes) = manifest::demo_file(&a.file) else {
            tracing::warn!(file = %a.file, "demo file missing; skipped");
            continue;
        };
        let kind = AssetKind::from(a.kind.as_str());
        let mut metadata = a.metadata;
        metadata.size = Some(super::library::num(bytes.len() as u64));
        let properties = AssetProperties {
            size: Some(super::library::num(bytes.len() as u64)),
            width: metadata.width.clone(),
            height: metadata.height.clone(),
            ..AssetProperties::default()
        };
        let asset = Asset {
            id: a.id,
            author_id: Some(a.author_id),
            collection_ids: Some(a.collection_ids),
            created_at: Some(a.created_at),
            edit_capabilities: Some(edit_capabilities(&kind)),
            kind: Some(kind),
            metadata: Some(metadata),
            mime_type: Some(a.mime_type),
            owner_id: Some(m.owner_id.clone()),
            privacy: Some(Privacy::from(a.privacy.as_str())),
            properties: Some(properties),
            source: None,
            status: Some(AssetStatus::Success),
            tags: Some(a.tags),
            updated_at: Some(a.updated_at),
            description: a.description,
            nsfw: Some(Vec::new()),
            extra: a.extra,
            ..Asset::default()
        };
        lib.put(Record {
            asset,
            file: FileRef::Static(bytes),
            family: a.family,
        });
    }
    Ok(lib)
}

/// What the web app offers for an asset of this kind.
pub fn edit_capabilities(kind: &AssetKind) -> Vec<assetui_api::models::EditCapability> {
    use assetui_api::models::EditCapability as E;
    match kind {
        AssetKind::Image => vec![
            E::Detection,
            E::GenerativeFill,
            E::Pixelate,
            E::PromptEditing,
            E::Refine,
            E::Reframe,
            E::RemoveBackground,
            E::Segmentation,
            E::Upscale,
            E::Vectorization,
        ],
        _ => Vec::new(),
    }
}
