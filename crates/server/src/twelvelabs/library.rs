//! The records of the TwelveLabs server: assets (with their clips), indexes
//! and indexed assets, plus what finds them: the assets newest first, the
//! clip text index and the clips' image embeddings.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::clock::Progress;
use crate::embed::Embedding;
use crate::text::{Field, TextIndex};

/// The last processing stage of an asset: 0 processing (hls/thumbnail
/// pending), 1 ready or failed (hls/thumbnail processing), 2 everything
/// ready.
pub const ASSET_DONE: u8 = 2;
/// The last indexing stage: 0 pending, 1 validating, 2 indexing, 3 ready.
pub const INDEXED_DONE: u8 = 3;

/// Where an asset's bytes come from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Media {
    /// Embedded demo files (paths inside `assets/twelvelabs/`).
    Demo {
        file: String,
        #[serde(default)]
        thumbnail: Option<String>,
        #[serde(default)]
        hls: Option<String>,
    },
    /// An uploaded file, held in [`AssetRec::blob`] (and in the store).
    Upload,
    /// A `--scale` picture, drawn from its seed.
    Synthetic {
        seed: u64,
        family: u8,
        width: u32,
        height: u32,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClipRec {
    pub start: f64,
    pub end: f64,
    #[serde(default)]
    pub description: String,
    /// The clip's picture (a path inside `assets/twelvelabs/`).
    #[serde(default)]
    pub thumbnail: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AssetRec {
    pub id: String,
    /// `direct`, `url`, `multipart` (the demo's own are `direct`).
    pub method: String,
    pub filename: String,
    #[serde(default)]
    pub file_type: Option<String>,
    /// `video`, `audio`, `image`, or empty when the bytes are not media.
    pub kind: String,
    pub created_ms: i64,
    #[serde(default)]
    pub user_metadata: Option<Map<String, Value>>,
    pub enable_hls: bool,
    pub enable_thumbnail: bool,
    /// Why processing fails (set at upload by sniffing the bytes).
    #[serde(default)]
    pub error: Option<String>,
    pub progress: Progress,
    pub size: u64,
    #[serde(default)]
    pub container: Option<String>,
    #[serde(default)]
    pub duration: Option<f64>,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    #[serde(default)]
    pub fps: Option<f64>,
    #[serde(default)]
    pub sample_rate: Option<u32>,
    #[serde(default)]
    pub channels: Option<u32>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub family: Option<String>,
    #[serde(default)]
    pub clips: Vec<ClipRec>,
    pub media: Media,
    #[serde(skip)]
    pub blob: Option<Bytes>,
}

impl AssetRec {
    pub fn is_av(&self) -> bool {
        matches!(self.kind.as_str(), "video" | "audio")
    }

    /// The clips search returns: the manifest's, or one covering the whole
    /// asset when it has none (images, uploads).
    pub fn search_clips(&self) -> Vec<ClipRec> {
        if !self.clips.is_empty() {
            return self.clips.clone();
        }
        vec![ClipRec {
            start: 0.0,
            end: self.duration.unwrap_or(0.0),
            description: String::new(),
            thumbnail: None,
        }]
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexRec {
    pub id: String,
    pub name: String,
    pub created_ms: i64,
    pub models: Vec<Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexedRec {
    pub id: String,
    pub index_id: String,
    pub asset_id: String,
    pub created_ms: i64,
    pub progress: Progress,
    #[serde(default)]
    pub enable_video_stream: bool,
    #[serde(default)]
    pub user_metadata: Option<Map<String, Value>>,
}

/// A clip as a search document: (asset id, clip number).
pub type ClipKey = (String, u16);

#[derive(Default)]
pub struct Library {
    pub assets: HashMap<String, AssetRec>,
    /// (created, id) of every asset: newest first is a reverse walk.
    pub order: BTreeSet<(i64, String)>,
    pub indexes: BTreeMap<String, IndexRec>,
    pub indexed: HashMap<String, IndexedRec>,
    /// Clip texts (clip description, filename, asset description).
    pub text: TextIndex,
    docs: HashMap<u32, ClipKey>,
    asset_docs: HashMap<String, Vec<u32>>,
    next_doc: u32,
    /// The clips' image embeddings, computed off the async threads.
    pub embeddings: HashMap<ClipKey, Embedding>,
}

impl Library {
    pub fn put_asset(&mut self, rec: AssetRec) {
        self.unindex_text(&rec.id);
        if let Some(old) = self.assets.get(&rec.id) {
            self.order.remove(&(old.created_ms, old.id.clone()));
        }
        let mut docs = Vec::new();
        for (i, clip) in rec.search_clips().iter().enumerate() {
            let doc = self.next_doc;
            self.next_doc = self.next_doc.wrapping_add(1);
            self.text.upsert(
                doc,
                &[
                    (Field::Name, clip.description.as_str()),
                    (Field::Tags, rec.filename.as_str()),
                    (Field::Prompt, rec.description.as_str()),
                ],
            );
            self.docs.insert(doc, (rec.id.clone(), i as u16));
            docs.push(doc);
        }
        self.asset_docs.insert(rec.id.clone(), docs);
        self.order.insert((rec.created_ms, rec.id.clone()));
        self.assets.insert(rec.id.clone(), rec);
    }

    fn unindex_text(&mut self, id: &str) {
        for doc in self.asset_docs.remove(id).unwrap_or_default() {
            self.text.remove(doc);
            if let Some(key) = self.docs.remove(&doc) {
                self.embeddings.remove(&key);
            }
        }
    }

    pub fn remove_asset(&mut self, id: &str) -> Option<AssetRec> {
        let rec = self.assets.remove(id)?;
        self.order.remove(&(rec.created_ms, rec.id.clone()));
        self.unindex_text(id);
        Some(rec)
    }

    pub fn doc(&self, doc: u32) -> Option<&ClipKey> {
        self.docs.get(&doc)
    }

    /// Assets, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &AssetRec> {
        self.order
            .iter()
            .rev()
            .filter_map(|(_, id)| self.assets.get(id))
    }

    /// The indexed assets made from an asset, oldest first.
    pub fn references(&self, asset_id: &str) -> Vec<&IndexedRec> {
        let mut refs: Vec<&IndexedRec> = self
            .indexed
            .values()
            .filter(|r| r.asset_id == asset_id)
            .collect();
        refs.sort_by(|a, b| (a.created_ms, &a.id).cmp(&(b.created_ms, &b.id)));
        refs
    }

    /// The indexed assets of an index.
    pub fn members(&self, index_id: &str) -> Vec<&IndexedRec> {
        self.indexed
            .values()
            .filter(|r| r.index_id == index_id)
            .collect()
    }
}

/// A 24-hex id from the OS-independent generator.
pub fn hex_id(rng: &mut fastrand::Rng) -> String {
    (0..24)
        .map(|_| char::from_digit(rng.u32(0..16), 16).unwrap_or('0'))
        .collect()
}

/// A stable 24-hex id for the demo's own indexed assets, so a deletion
/// saved with `--data` names the same one after a restart.
pub fn derived_id(index_id: &str, asset_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{index_id}/{asset_id}").as_bytes());
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}
