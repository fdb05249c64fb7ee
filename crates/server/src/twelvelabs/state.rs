//! The TwelveLabs server's configuration and shared state, and how it is
//! built at start: the embedded demo library, `--scale` synthetic assets,
//! and the `--data` store laid over them.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use super::clock::{Clock, Processing, Progress};
use super::errors::{TlError, TlResult};
use super::library::{
    derived_id, hex_id, AssetRec, ClipRec, IndexRec, IndexedRec, Library, Media, ASSET_DONE,
    INDEXED_DONE,
};
use super::manifest;
use super::search::Searches;
use super::store;
use super::uploads::Session;
use crate::faults::{FaultSpec, Scripted};
use crate::renditions::RenditionCache;
use crate::signing::Signer;
use crate::state::Uploads;
use crate::store::{self as shared_store, OnBadData, Store};

/// How `assetui serve --provider twelvelabs` (or a test) runs.
#[derive(Debug, Clone)]
pub struct TlConfig {
    pub addr: SocketAddr,
    pub data_dir: Option<PathBuf>,
    /// `--scale N`: N synthetic image assets, all in the demo index.
    pub scale: u64,
    /// `--auth KEY`: the `x-api-key` every API call must carry.
    pub auth: Option<String>,
    pub faults: FaultSpec,
    pub latency: Duration,
    /// Lifetime of file, thumbnail and HLS links.
    pub url_ttl: Duration,
    /// How fast uploads process and assets index.
    pub processing: Processing,
    /// Bytes per chunk of a multipart upload.
    pub chunk_size: u64,
    /// Whether this account may use multipart uploads (a private preview
    /// on the live service: without access, M1-M6 answer 403).
    pub multipart_access: bool,
    /// How long a search's page tokens work.
    pub search_ttl: Duration,
    /// What a `data_dir` whose store cannot be read does (the embedded
    /// demo recovers, `serve --data` refuses to start).
    pub on_bad_data: OnBadData,
}

impl Default for TlConfig {
    fn default() -> Self {
        TlConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: None,
            scale: 0,
            auth: None,
            faults: FaultSpec::default(),
            latency: Duration::ZERO,
            url_ttl: Duration::from_secs(3600),
            processing: Processing::default(),
            chunk_size: 5 * 1024 * 1024,
            multipart_access: true,
            search_ttl: Duration::from_secs(3600),
            on_bad_data: OnBadData::Fail,
        }
    }
}

/// Lifetime of a presigned chunk URL.
pub const PRESIGNED_TTL: Duration = Duration::from_secs(3600);

pub struct TlState {
    pub config: TlConfig,
    pub lib: RwLock<Library>,
    pub store: Option<Store>,
    /// What became of the data directory when it could not be read
    /// (set aside, or in memory only), for the user.
    pub data_notice: Option<String>,
    /// File, thumbnail and HLS links.
    pub signer: Signer,
    /// Presigned chunk URLs (same key, one hour).
    pub presigner: Signer,
    /// `http://HOST:PORT`.
    pub origin: String,
    pub clock: Clock,
    rng: Mutex<fastrand::Rng>,
    scripted: Mutex<VecDeque<Scripted>>,
    /// Direct uploads at once.
    pub uploads: Uploads,
    pub sessions: Mutex<HashMap<String, Session>>,
    pub searches: Mutex<Searches>,
    /// Thumbnails made for uploads.
    pub thumbs: RenditionCache,
    /// Serializes embedding runs.
    pub embedding_lock: tokio::sync::Mutex<()>,
}

impl TlState {
    pub fn build(config: TlConfig, origin: String) -> Result<TlState, String> {
        let (opened, data_notice) = match &config.data_dir {
            Some(dir) => shared_store::open_with(dir, config.on_bad_data, |s| {
                Ok((s.signing_key()?, store::read(s)?))
            })?,
            None => (None, None),
        };
        let (store, saved, key) = match opened {
            Some((store, (key, saved))) => (Some(store), Some(saved), key),
            None => (None, None, crate::signing::secure_key()?),
        };
        let mut lib = load_demo()?;
        super::synth::add(&mut lib, config.scale);
        if let Some(saved) = saved {
            store::apply(saved, &mut lib);
        }
        Ok(TlState {
            signer: Signer::new(key.clone(), config.url_ttl),
            presigner: Signer::new(key, PRESIGNED_TTL),
            config,
            lib: RwLock::new(lib),
            store,
            data_notice,
            origin,
            clock: Clock::default(),
            rng: Mutex::new(fastrand::Rng::new()),
            scripted: Mutex::new(VecDeque::new()),
            uploads: Uploads::default(),
            sessions: Mutex::new(HashMap::new()),
            searches: Mutex::new(Searches::default()),
            thumbs: RenditionCache::new(64 * 1024 * 1024),
            embedding_lock: tokio::sync::Mutex::new(()),
        })
    }

    pub fn read_lib(&self) -> TlResult<RwLockReadGuard<'_, Library>> {
        self.lib
            .read()
            .map_err(|_| TlError::internal("library lock poisoned"))
    }

    pub fn write_lib(&self) -> TlResult<RwLockWriteGuard<'_, Library>> {
        self.lib
            .write()
            .map_err(|_| TlError::internal("library lock poisoned"))
    }

    pub fn random_f64(&self) -> f64 {
        self.rng.lock().map(|mut r| r.f64()).unwrap_or(1.0)
    }

    /// A fresh 24-hex id.
    pub fn new_id(&self) -> String {
        match self.rng.lock() {
            Ok(mut r) => hex_id(&mut r),
            Err(_) => hex_id(&mut fastrand::Rng::new()),
        }
    }

    /// A fresh opaque, path-safe token (32 hex characters from the OS).
    pub fn new_token(&self) -> String {
        let mut b = [0u8; 16];
        if getrandom::getrandom(&mut b).is_err() {
            if let Ok(mut r) = self.rng.lock() {
                r.fill(&mut b);
            }
        }
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    pub fn script_faults(&self, faults: impl IntoIterator<Item = Scripted>) {
        if let Ok(mut q) = self.scripted.lock() {
            q.extend(faults);
        }
    }

    pub fn take_scripted(&self, path: &str) -> Option<Scripted> {
        let mut q = self.scripted.lock().ok()?;
        let i = q.iter().position(|s| path.starts_with(&s.prefix))?;
        q.remove(i)
    }
}

/// The embedded demo library as records: every asset processed, every
/// index member indexed.
fn load_demo() -> Result<Library, String> {
    let m = manifest::embedded()?;
    let mut lib = Library::default();
    for a in m.assets {
        let Some(bytes) = manifest::file(&a.file) else {
            tracing::warn!(file = %a.file, "TwelveLabs demo file missing; skipped");
            continue;
        };
        let Some(created_ms) = assetui_api::dates::millis_from_iso(&a.created_at) else {
            return Err(format!(
                "the TwelveLabs demo manifest: asset {}: created_at `{}` is not an RFC 3339 UTC time",
                a.id, a.created_at
            ));
        };
        let container = super::media::sniff(bytes).ok().and_then(|s| s.container);
        let is_av = matches!(a.asset_type.as_str(), "video" | "audio");
        lib.put_asset(AssetRec {
            id: a.id,
            method: "direct".into(),
            filename: a.filename,
            file_type: Some(a.mime_type),
            kind: a.asset_type,
            created_ms,
            user_metadata: a.user_metadata.filter(|m| !m.is_empty()),
            enable_hls: is_av && a.hls.is_some(),
            enable_thumbnail: a.thumbnail.is_some(),
            error: None,
            progress: Progress::done(ASSET_DONE, created_ms),
            size: bytes.len() as u64,
            container,
            duration: a.duration,
            width: a.width,
            height: a.height,
            fps: a.fps,
            sample_rate: a.sample_rate,
            channels: a.channels,
            description: a.description,
            family: a.family,
            clips: a
                .clips
                .into_iter()
                .map(|c| ClipRec {
                    start: c.start,
                    end: c.end,
                    description: c.description,
                    thumbnail: c.thumbnail,
                })
                .collect(),
            media: Media::Demo {
                file: a.file,
                thumbnail: a.thumbnail,
                hls: a.hls,
            },
            blob: None,
        });
    }
    for ix in m.indexes {
        let created_ms = assetui_api::dates::millis_from_iso(&ix.created_at).unwrap_or(0);
        for asset_id in &ix.asset_ids {
            let Some(asset) = lib.assets.get(asset_id) else {
                continue;
            };
            let at = asset.created_ms.max(created_ms);
            let id = derived_id(&ix.id, asset_id);
            lib.indexed.insert(
                id.clone(),
                IndexedRec {
                    id,
                    index_id: ix.id.clone(),
                    asset_id: asset_id.clone(),
                    created_ms: at,
                    progress: Progress::done(INDEXED_DONE, at),
                    enable_video_stream: asset.is_av(),
                    user_metadata: None,
                },
            );
        }
        lib.indexes.insert(
            ix.id.clone(),
            IndexRec {
                id: ix.id,
                name: ix.index_name,
                created_ms,
                models: ix.models,
            },
        );
    }
    Ok(lib)
}
