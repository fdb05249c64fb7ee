//! `--data DIR` for the TwelveLabs server: assets (with an upload's bytes),
//! deletions, user metadata and index membership in the shared SQLite
//! store's `records` table, written before the answer is sent (under the
//! library's write lock), and laid over the demo library at start.

use bytes::Bytes;

use super::errors::{TlError, TlResult};
use super::library::{AssetRec, IndexedRec, Library, Media};
use super::state::TlState;
use crate::store::{RecordChange, SavedRecord, Store};

const ASSET: &str = "tl_asset";
const INDEXED: &str = "tl_indexed";

/// The saved records, read whole before anything is applied (a store
/// that fails halfway leaves the library untouched).
pub struct Saved {
    assets: Vec<SavedRecord>,
    indexed: Vec<SavedRecord>,
}

pub fn read(store: &Store) -> Result<Saved, String> {
    Ok(Saved {
        assets: store.records(ASSET)?,
        indexed: store.records(INDEXED)?,
    })
}

/// Lays saved records over the library.
pub fn apply(saved: Saved, lib: &mut Library) {
    for r in saved.assets {
        if r.deleted {
            lib.remove_asset(&r.id);
            continue;
        }
        let Ok(mut rec) = serde_json::from_str::<AssetRec>(&r.json) else {
            tracing::warn!(id = %r.id, "skipping an unreadable saved asset");
            continue;
        };
        if rec.media == Media::Upload {
            let Some(bytes) = r.bytes else {
                tracing::warn!(id = %r.id, "a saved upload has no bytes; skipped");
                continue;
            };
            rec.blob = Some(Bytes::from(bytes));
        }
        lib.put_asset(rec);
    }
    for r in saved.indexed {
        if r.deleted {
            lib.indexed.remove(&r.id);
            continue;
        }
        match serde_json::from_str::<IndexedRec>(&r.json) {
            Ok(rec) => {
                lib.indexed.insert(rec.id.clone(), rec);
            }
            Err(_) => tracing::warn!(id = %r.id, "skipping an unreadable indexed asset"),
        }
    }
}

/// One change to save.
pub enum Change<'a> {
    /// An asset's record; with its file's bytes when it is new.
    Asset(&'a AssetRec, bool),
    AssetGone(&'a str),
    Indexed(&'a IndexedRec),
    IndexedGone(&'a str),
}

/// Saves changes in one transaction (nothing without `--data`).
pub fn save(state: &TlState, changes: &[Change<'_>]) -> TlResult<()> {
    let Some(store) = &state.store else {
        return Ok(());
    };
    let rows: Vec<RecordChange<'_>> = changes
        .iter()
        .map(|c| match c {
            Change::Asset(rec, with_bytes) => RecordChange::Put {
                kind: ASSET,
                id: &rec.id,
                json: serde_json::to_string(rec).unwrap_or_default(),
                bytes: if *with_bytes {
                    rec.blob.as_deref()
                } else {
                    None
                },
            },
            Change::AssetGone(id) => RecordChange::Delete { kind: ASSET, id },
            Change::Indexed(rec) => RecordChange::Put {
                kind: INDEXED,
                id: &rec.id,
                json: serde_json::to_string(rec).unwrap_or_default(),
                bytes: None,
            },
            Change::IndexedGone(id) => RecordChange::Delete { kind: INDEXED, id },
        })
        .collect();
    store.save_records(&rows).map_err(TlError::internal)
}
