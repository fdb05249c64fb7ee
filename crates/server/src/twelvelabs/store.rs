//! `--data DIR` for the TwelveLabs server: assets (with an upload's bytes),
//! deletions, user metadata and index membership in the shared SQLite
//! store's `records` table, written before the answer is sent (under the
//! library's write lock), and laid over the demo library at start.

use bytes::Bytes;

use super::errors::{TlError, TlResult};
use super::library::{AssetRec, IndexedRec, Library, Media};
use super::state::TlState;
use crate::store::{RecordChange, Store};

const ASSET: &str = "tl_asset";
const INDEXED: &str = "tl_indexed";

pub fn load(store: &Store, lib: &mut Library) -> Result<(), String> {
    for r in store.records(ASSET)? {
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
    for r in store.records(INDEXED)? {
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
    Ok(())
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
