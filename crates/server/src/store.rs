//! Persistence for `--data DIR`: every acknowledged change (tags, uploads,
//! deletions, collection membership) is in SQLite, fsynced, before the
//! server answers. On start the store is laid over the demo library.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

use assetui_api::models::Asset;

pub struct Store {
    conn: Mutex<Connection>,
}

/// What the store holds, read back at start.
pub struct Saved {
    /// Assets changed or created, with an uploaded file's bytes.
    pub assets: Vec<(Asset, Option<Vec<u8>>)>,
    pub deleted: Vec<String>,
}

/// One change to the generic `records` table.
pub enum RecordChange<'a> {
    Put {
        kind: &'a str,
        id: &'a str,
        json: String,
        bytes: Option<&'a [u8]>,
    },
    Delete {
        kind: &'a str,
        id: &'a str,
    },
}

/// A record read back from the `records` table.
pub struct SavedRecord {
    pub id: String,
    pub json: String,
    pub bytes: Option<Vec<u8>>,
    pub deleted: bool,
}

impl Store {
    pub fn open(dir: &Path) -> Result<Store, String> {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = dir.join("assetui-server.sqlite3");
        // the database holds the link-signing key: only its owner reads it
        // (SQLite gives its -wal and -shm files the database's mode)
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        drop(file);
        let conn = Connection::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             CREATE TABLE IF NOT EXISTS assets (
                 id TEXT PRIMARY KEY,
                 json TEXT NOT NULL,
                 deleted INTEGER NOT NULL DEFAULT 0
             );
             CREATE TABLE IF NOT EXISTS blobs (id TEXT PRIMARY KEY, bytes BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS records (
                 kind TEXT NOT NULL,
                 id TEXT NOT NULL,
                 json TEXT NOT NULL,
                 bytes BLOB,
                 deleted INTEGER NOT NULL DEFAULT 0,
                 PRIMARY KEY (kind, id)
             );",
        )
        .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Result<T, String> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| "the store lock is poisoned".to_string())?;
        f(&mut conn).map_err(|e| format!("cannot save the change: {e}"))
    }

    pub fn load(&self) -> Result<Saved, String> {
        self.with(|c| {
            let mut saved = Saved {
                assets: Vec::new(),
                deleted: Vec::new(),
            };
            let mut stmt = c.prepare(
                "SELECT a.id, a.json, a.deleted, b.bytes FROM assets a LEFT JOIN blobs b ON a.id = b.id ORDER BY a.rowid",
            )?;
            let rows = stmt.query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, Option<Vec<u8>>>(3)?,
                ))
            })?;
            for row in rows {
                let (id, json, deleted, blob) = row?;
                if deleted != 0 {
                    saved.deleted.push(id);
                } else if let Ok(asset) = serde_json::from_str::<Asset>(&json) {
                    saved.assets.push((asset, blob));
                } else {
                    tracing::warn!(%id, "skipping an unreadable saved asset");
                }
            }
            Ok(saved)
        })
    }

    /// Saves the current state of some assets in one transaction.
    pub fn save_assets(&self, assets: &[&Asset]) -> Result<(), String> {
        let rows: Vec<(String, String)> = assets
            .iter()
            .map(|a| (a.id.clone(), serde_json::to_string(a).unwrap_or_default()))
            .collect();
        self.with(|c| {
            let tx = c.transaction()?;
            for (id, json) in &rows {
                tx.execute(
                    "INSERT INTO assets (id, json, deleted) VALUES (?1, ?2, 0)
                     ON CONFLICT(id) DO UPDATE SET json = excluded.json, deleted = 0",
                    params![id, json],
                )?;
            }
            tx.commit()
        })
    }

    /// Saves a new asset with its file.
    pub fn save_upload(&self, asset: &Asset, bytes: &[u8]) -> Result<(), String> {
        let json = serde_json::to_string(asset).map_err(|e| e.to_string())?;
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT OR REPLACE INTO blobs (id, bytes) VALUES (?1, ?2)",
                params![asset.id, bytes],
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO assets (id, json, deleted) VALUES (?1, ?2, 0)",
                params![asset.id, json],
            )?;
            tx.commit()
        })
    }

    pub fn save_deleted(&self, ids: &[String]) -> Result<(), String> {
        self.with(|c| {
            let tx = c.transaction()?;
            for id in ids {
                tx.execute(
                    "INSERT INTO assets (id, json, deleted) VALUES (?1, '{}', 1)
                     ON CONFLICT(id) DO UPDATE SET deleted = 1",
                    params![id],
                )?;
                tx.execute("DELETE FROM blobs WHERE id = ?1", params![id])?;
            }
            tx.commit()
        })
    }

    /// Saves records of a kind (the TwelveLabs server's assets and
    /// indexed assets) in one transaction, with deletions; a record saved
    /// without bytes keeps the bytes it had.
    pub fn save_records(&self, changes: &[RecordChange<'_>]) -> Result<(), String> {
        self.with(|c| {
            let tx = c.transaction()?;
            for ch in changes {
                match ch {
                    RecordChange::Put {
                        kind,
                        id,
                        json,
                        bytes,
                    } => {
                        tx.execute(
                            "INSERT INTO records (kind, id, json, bytes, deleted)
                             VALUES (?1, ?2, ?3, ?4, 0)
                             ON CONFLICT(kind, id) DO UPDATE SET json = excluded.json,
                                 bytes = COALESCE(excluded.bytes, records.bytes), deleted = 0",
                            params![kind, id, json, bytes],
                        )?;
                    }
                    RecordChange::Delete { kind, id } => {
                        tx.execute(
                            "INSERT INTO records (kind, id, json, deleted) VALUES (?1, ?2, '{}', 1)
                             ON CONFLICT(kind, id) DO UPDATE SET deleted = 1, bytes = NULL",
                            params![kind, id],
                        )?;
                    }
                }
            }
            tx.commit()
        })
    }

    /// Every saved record of a kind, in the order first saved.
    pub fn records(&self, kind: &str) -> Result<Vec<SavedRecord>, String> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT id, json, bytes, deleted FROM records WHERE kind = ?1 ORDER BY rowid",
            )?;
            let rows = stmt.query_map(params![kind], |row| {
                Ok(SavedRecord {
                    id: row.get(0)?,
                    json: row.get(1)?,
                    bytes: row.get(2)?,
                    deleted: row.get::<_, i64>(3)? != 0,
                })
            })?;
            rows.collect()
        })
    }

    pub fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        self.with(|c| {
            c.query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()
        })
    }

    pub fn set_meta(&self, key: &str, value: &[u8]) -> Result<(), String> {
        self.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map(|_| ())
        })
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        match std::fs::metadata(path) {
            Ok(m) => m.permissions().mode() & 0o777,
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }

    #[test]
    fn the_database_is_readable_by_its_owner_only() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("state");
        let store = Store::open(&dir).unwrap();
        store.set_meta("signing_key", &[1, 2, 3]).unwrap();
        let db = dir.join("assetui-server.sqlite3");
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(&dir.join("assetui-server.sqlite3-wal")), 0o600);
        assert_eq!(mode(&dir), 0o700);
        drop(store);
        // a database left readable by an older version is closed up
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        let store = Store::open(&dir).unwrap();
        assert_eq!(mode(&db), 0o600);
        assert_eq!(store.meta("signing_key").unwrap(), Some(vec![1, 2, 3]));
    }

    #[test]
    fn the_signing_key_comes_from_the_os() {
        let a = crate::signing::secure_key().unwrap();
        let b = crate::signing::secure_key().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
