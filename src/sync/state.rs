//! A synced folder's state: `DIR/.assetui-sync.sqlite`.
//!
//! Per asset, what sync wrote: its `updatedAt` when fetched, the file's
//! path under DIR, its size and SHA-256, and the sidecar's path and hash.
//! Per asset being fetched, a `pending` row: the `updatedAt` asked for,
//! then (just before the file goes into place) its hash and target, so a
//! run killed between placing a file and recording it finds the file by
//! its hash instead of fetching it again.
//!
//! Every file is committed in a transaction of its own (WAL,
//! `synchronous = NORMAL`: a commit survives the process being killed; a
//! power cut may lose the last ones, which are then fetched again). The
//! file is `flock`ed while a sync runs, so two syncs of one folder never
//! interleave.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

/// The state file's name in the synced folder. No download can take it:
/// file names from the API never start with a dot (`naming::component`)
/// and files are placed without overwriting.
pub const STATE_FILE: &str = ".assetui-sync.sqlite";

/// A file sync wrote and still vouches for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub asset_id: String,
    /// The asset's `updatedAt` when its file was fetched (`""` when the
    /// server sent none).
    pub updated_at: String,
    /// Under DIR, components joined by `/`.
    pub path: String,
    pub size: u64,
    pub sha256: String,
    /// The `NAME.json` beside it (`--sidecar`), under DIR.
    pub sidecar: Option<String>,
    pub sidecar_sha256: Option<String>,
}

/// A file about to be placed: found again by its hash after a crash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placing {
    pub sha256: String,
    pub size: u64,
    /// Its directory under DIR (`""`: DIR itself) and the name it was
    /// given before any ` (n)` suffix.
    pub dir: String,
    pub name: String,
}

/// An asset being fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub updated_at: String,
    pub placing: Option<Placing>,
}

pub struct State {
    db: Option<Connection>,
    /// Held while the sync runs.
    _lock: Option<std::fs::File>,
}

impl State {
    /// Opens (creating) the state of `dir` and locks it; `Err` with a
    /// sentence when another sync holds it or it cannot be read.
    pub fn open(dir: &Path) -> Result<State, String> {
        let path = dir.join(STATE_FILE);
        let meta = std::fs::symlink_metadata(&path);
        if meta.as_ref().is_ok_and(|m| !m.is_file()) {
            return Err(format!(
                "{} is not a plain file: the sync state cannot live there",
                path.display()
            ));
        }
        let lock = crate::download::journal::lock_file(&path, true)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .ok_or_else(|| {
                format!(
                    "another assetui sync is running on {} (its state file is locked)",
                    dir.display()
                )
            })?;
        let db = Connection::open(&path).map_err(|e| db_error(&path, e))?;
        db.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA busy_timeout = 5000;
             CREATE TABLE IF NOT EXISTS files (
                 asset_id TEXT PRIMARY KEY,
                 updated_at TEXT NOT NULL,
                 path TEXT NOT NULL,
                 size INTEGER NOT NULL,
                 sha256 TEXT NOT NULL,
                 sidecar TEXT,
                 sidecar_sha256 TEXT
             );
             CREATE TABLE IF NOT EXISTS pending (
                 asset_id TEXT PRIMARY KEY,
                 updated_at TEXT NOT NULL,
                 sha256 TEXT,
                 size INTEGER,
                 dir TEXT,
                 name TEXT
             );",
        )
        .map_err(|e| db_error(&path, e))?;
        Ok(State {
            db: Some(db),
            _lock: Some(lock),
        })
    }

    /// The state of `dir` read without changing anything (`--dry-run`):
    /// empty when there is none.
    pub fn read_only(dir: &Path) -> Result<State, String> {
        let path = dir.join(STATE_FILE);
        if !path.is_file() {
            return Ok(State {
                db: None,
                _lock: None,
            });
        }
        let db = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| db_error(&path, e))?;
        Ok(State {
            db: Some(db),
            _lock: None,
        })
    }

    fn db(&self) -> Result<&Connection, String> {
        self.db
            .as_ref()
            .ok_or_else(|| "the sync state is read-only here".to_string())
    }

    /// Every recorded file, by asset id.
    pub fn rows(&self) -> Result<HashMap<String, Row>, String> {
        let Some(db) = &self.db else {
            return Ok(HashMap::new());
        };
        let mut stmt = db
            .prepare(
                "SELECT asset_id, updated_at, path, size, sha256, sidecar, sidecar_sha256
                 FROM files",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Row {
                    asset_id: r.get(0)?,
                    updated_at: r.get(1)?,
                    path: r.get(2)?,
                    size: r.get::<_, i64>(3)?.max(0) as u64,
                    sha256: r.get(4)?,
                    sidecar: r.get(5)?,
                    sidecar_sha256: r.get(6)?,
                })
            })
            .map_err(sql)?;
        let mut out = HashMap::new();
        for row in rows {
            let row = row.map_err(sql)?;
            out.insert(row.asset_id.clone(), row);
        }
        Ok(out)
    }

    /// What a run that stopped was fetching, by asset id.
    pub fn pending(&self) -> Result<HashMap<String, Pending>, String> {
        let Some(db) = &self.db else {
            return Ok(HashMap::new());
        };
        let mut stmt = db
            .prepare("SELECT asset_id, updated_at, sha256, size, dir, name FROM pending")
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| {
                let placing = match (r.get(2)?, r.get::<_, Option<i64>>(3)?, r.get(4)?, r.get(5)?) {
                    (Some(sha256), Some(size), Some(dir), Some(name)) => Some(Placing {
                        sha256,
                        size: size.max(0) as u64,
                        dir,
                        name,
                    }),
                    _ => None,
                };
                Ok((
                    r.get::<_, String>(0)?,
                    Pending {
                        updated_at: r.get(1)?,
                        placing,
                    },
                ))
            })
            .map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)
    }

    /// Records that these assets are being fetched, at these `updatedAt`s
    /// (one transaction).
    pub fn begin(&mut self, assets: &[(String, String)]) -> Result<(), String> {
        let db = self.db.as_mut().ok_or("the sync state is read-only")?;
        let tx = db.transaction().map_err(sql)?;
        {
            let mut stmt = tx
                .prepare(
                    "INSERT INTO pending (asset_id, updated_at) VALUES (?1, ?2)
                     ON CONFLICT(asset_id) DO UPDATE SET updated_at = excluded.updated_at,
                         sha256 = NULL, size = NULL, dir = NULL, name = NULL
                     WHERE pending.updated_at != excluded.updated_at",
                )
                .map_err(sql)?;
            for (id, updated) in assets {
                stmt.execute(params![id, updated]).map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)
    }

    /// Records the file about to be placed for `asset_id`.
    pub fn placing(&self, asset_id: &str, p: &Placing) -> Result<(), String> {
        self.db()?
            .execute(
                "UPDATE pending SET sha256 = ?2, size = ?3, dir = ?4, name = ?5 WHERE asset_id = ?1",
                params![asset_id, p.sha256, p.size as i64, p.dir, p.name],
            )
            .map(drop)
            .map_err(sql)
    }

    /// The file is in place: recorded, and no longer pending (one
    /// transaction).
    pub fn commit(&mut self, row: &Row) -> Result<(), String> {
        let db = self.db.as_mut().ok_or("the sync state is read-only")?;
        let tx = db.transaction().map_err(sql)?;
        tx.execute(
            "INSERT OR REPLACE INTO files
                 (asset_id, updated_at, path, size, sha256, sidecar, sidecar_sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                row.asset_id,
                row.updated_at,
                row.path,
                row.size as i64,
                row.sha256,
                row.sidecar,
                row.sidecar_sha256
            ],
        )
        .map_err(sql)?;
        tx.execute("DELETE FROM pending WHERE asset_id = ?1", [&row.asset_id])
            .map_err(sql)?;
        tx.commit().map_err(sql)
    }

    /// Forgets an asset (its file was removed, or is the user's now).
    pub fn forget(&self, asset_id: &str) -> Result<(), String> {
        let db = self.db()?;
        db.execute("DELETE FROM files WHERE asset_id = ?1", [asset_id])
            .map_err(sql)?;
        db.execute("DELETE FROM pending WHERE asset_id = ?1", [asset_id])
            .map(drop)
            .map_err(sql)
    }

    /// Forgets that an asset was being fetched (it is no longer wanted).
    pub fn unpend(&self, asset_id: &str) -> Result<(), String> {
        self.db()?
            .execute("DELETE FROM pending WHERE asset_id = ?1", [asset_id])
            .map(drop)
            .map_err(sql)
    }

    /// Whether a recorded file of another asset is at `path`.
    pub fn path_taken(&self, path: &str) -> Result<bool, String> {
        let Some(db) = &self.db else {
            return Ok(false);
        };
        db.query_row("SELECT 1 FROM files WHERE path = ?1", [path], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
            .map_err(sql)
    }
}

fn db_error(path: &Path, e: rusqlite::Error) -> String {
    format!("sync state {}: {e}", path.display())
}

fn sql(e: rusqlite::Error) -> String {
    format!("sync state: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, path: &str) -> Row {
        Row {
            asset_id: id.into(),
            updated_at: "2026-01-01T00:00:00.000Z".into(),
            path: path.into(),
            size: 3,
            sha256: "abc".into(),
            sidecar: None,
            sidecar_sha256: None,
        }
    }

    #[test]
    fn a_commit_replaces_the_pending_row_and_survives_a_reopen() {
        let d = tempfile::tempdir().unwrap();
        let mut s = State::open(d.path()).unwrap();
        s.begin(&[("a".into(), "t1".into())]).unwrap();
        let p = Placing {
            sha256: "h".into(),
            size: 3,
            dir: String::new(),
            name: "a.png".into(),
        };
        s.placing("a", &p).unwrap();
        assert_eq!(s.pending().unwrap()["a"].placing, Some(p));
        // asked again at the same updatedAt: what was placing is kept
        s.begin(&[("a".into(), "t1".into())]).unwrap();
        assert!(s.pending().unwrap()["a"].placing.is_some());
        s.commit(&row("a", "a.png")).unwrap();
        drop(s);
        let s = State::open(d.path()).unwrap();
        assert!(s.pending().unwrap().is_empty());
        assert_eq!(s.rows().unwrap()["a"], row("a", "a.png"));
        assert!(s.path_taken("a.png").unwrap());
    }

    #[test]
    fn a_second_sync_of_the_same_folder_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let _first = State::open(d.path()).unwrap();
        let err = State::open(d.path()).err().unwrap();
        assert!(err.contains("another assetui sync"), "{err}");
        // a dry run only reads
        assert!(State::read_only(d.path())
            .unwrap()
            .rows()
            .unwrap()
            .is_empty());
    }
}
