//! Persistence for `--data DIR` and the embedded demo's saved changes:
//! every acknowledged change (tags, uploads, deletions, collection
//! membership) is in SQLite, fsynced, before the server answers. On start
//! the store is laid over the demo library. [`open_with`] says what a
//! store that cannot be read does: `serve --data` refuses to start, the
//! embedded demo sets a damaged file aside and starts over (said in a
//! notice, never a panic).

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

/// The database's file name in its directory.
pub const DB_FILE: &str = "assetui-server.sqlite3";
/// How long a change waits for another process's write.
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// What a data directory whose store cannot be read does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnBadData {
    /// Refuse to start: `serve --data` holds the user's data, never moved.
    #[default]
    Fail,
    /// The embedded demo: a damaged store is set aside (the newest one
    /// kept, renamed) and a fresh one started; a directory that cannot be
    /// used at all leaves the library in memory. Either is said in a
    /// notice.
    Recover,
}

/// A store opened by [`open_with`] with what its `load` read (`None`: the
/// library stays in memory), and what to tell the user.
pub type Opened<T> = (Option<(Store, T)>, Option<String>);

/// Opens the store in `dir` and reads it with `load`, as `on_bad` says.
pub fn open_with<T>(
    dir: &Path,
    on_bad: OnBadData,
    load: impl Fn(&Store) -> Result<T, String>,
) -> Result<Opened<T>, String> {
    let attempt = || -> Result<(Store, T), String> {
        let store = Store::open(dir)?;
        let loaded = load(&store)?;
        Ok((store, loaded))
    };
    let why = match attempt() {
        Ok(opened) => return Ok((Some(opened), None)),
        Err(why) if on_bad == OnBadData::Fail => return Err(why),
        Err(why) => why,
    };
    let db = dir.join(DB_FILE);
    if !damaged(&db) {
        // not the file's fault (a directory that cannot be written, a
        // lock held too long): nothing is moved, nothing is kept
        return Ok((
            None,
            Some(format!(
                "changes are kept in memory only this time: {}",
                one_line(&why)
            )),
        ));
    }
    let aside = set_aside(&db)?;
    let notice = format!(
        "the saved changes in {} could not be read ({}): set aside as {}; starting from the \
         demo library",
        db.display(),
        one_line(&why),
        aside.display()
    );
    tracing::warn!("{notice}");
    match attempt() {
        Ok(opened) => Ok((Some(opened), Some(notice))),
        Err(again) => Ok((
            None,
            Some(format!(
                "{notice}; changes are kept in memory only this time: {}",
                one_line(&again)
            )),
        )),
    }
}

/// Whether the database at `db` is damaged, not merely busy or out of
/// reach: SQLite's own check says so.
fn damaged(db: &Path) -> bool {
    use rusqlite::OpenFlags;
    if !db.is_file() {
        return false;
    }
    let corrupt = |e: &rusqlite::Error| {
        matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
        )
    };
    let conn = match Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(c) => c,
        Err(e) => return corrupt(&e),
    };
    let _ = conn.busy_timeout(BUSY_WAIT);
    match conn.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0)) {
        Ok(verdict) => verdict != "ok",
        Err(e) => corrupt(&e),
    }
}

/// Renames a damaged database (and its `-wal` and `-shm` files, which
/// would otherwise be applied to the fresh one) to `….corrupt-SECONDS`;
/// an older set-aside copy is removed, so at most one is kept.
fn set_aside(db: &Path) -> Result<std::path::PathBuf, String> {
    let dir = db.parent().unwrap_or(Path::new("."));
    let corrupt_prefix = format!("{DB_FILE}.corrupt-");
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&corrupt_prefix) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let aside = dir.join(format!("{corrupt_prefix}{secs}"));
    std::fs::rename(db, &aside).map_err(|e| format!("{}: {e}", db.display()))?;
    for suffix in ["-wal", "-shm"] {
        let side = dir.join(format!("{DB_FILE}{suffix}"));
        if side.exists() {
            let to = dir.join(format!("{corrupt_prefix}{secs}{suffix}"));
            std::fs::rename(&side, &to).map_err(|e| format!("{}: {e}", side.display()))?;
        }
    }
    Ok(aside)
}

fn one_line(text: &str) -> String {
    assetui_api::sanitize::line(text, 200)
}

impl Store {
    pub fn open(dir: &Path) -> Result<Store, String> {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = dir.join(DB_FILE);
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
        // another process on the same directory (the demo in a browser and
        // a command beside it) waits for a write in progress
        conn.busy_timeout(BUSY_WAIT)
            .map_err(|e| format!("{}: {e}", path.display()))?;
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

    /// The key links are signed with: the one saved, else a new one from
    /// the OS, saved (links signed before a restart still work).
    pub fn signing_key(&self) -> Result<Vec<u8>, String> {
        if let Some(k) = self.meta("signing_key")? {
            return Ok(k);
        }
        let k = crate::signing::secure_key()?;
        self.set_meta("signing_key", &k)?;
        Ok(k)
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

    fn aside_files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".corrupt-"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_damaged_store_fails_serve_data_and_is_set_aside_for_the_demo() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let db = dir.join(DB_FILE);
        std::fs::write(&db, b"garbage, not SQLite ".repeat(100)).unwrap();
        std::fs::write(dir.join(format!("{DB_FILE}-wal")), b"stale log").unwrap();
        let load = |s: &Store| s.load().map(|saved| saved.assets.len());
        // `serve --data`: refused, nothing moved
        let refused = open_with(dir, OnBadData::Fail, load).err().unwrap();
        assert!(refused.contains("not a database"), "{refused}");
        assert!(aside_files(dir).is_empty());
        // the demo: set aside with its log, a fresh store in its place
        let (opened, notice) = open_with(dir, OnBadData::Recover, load).unwrap();
        let (store, loaded) = opened.expect("a fresh store");
        assert_eq!(loaded, 0);
        let notice = notice.unwrap();
        assert!(
            notice.contains("set aside") && notice.contains("not a database"),
            "{notice}"
        );
        let aside = aside_files(dir);
        assert!(
            !aside.is_empty() && !aside[0].ends_with("-wal"),
            "{aside:?}"
        );
        // the old log never reaches the fresh database
        store.set_meta("k", b"v").unwrap();
        let wal = std::fs::read(dir.join(format!("{DB_FILE}-wal"))).unwrap_or_default();
        assert!(!wal.starts_with(b"stale log"));
        drop(store);
        // the fresh one opens quietly next time
        let (opened, notice) = open_with(dir, OnBadData::Recover, load).unwrap();
        assert!(opened.is_some() && notice.is_none(), "{notice:?}");
        // a second damage keeps only the newest copy
        std::fs::remove_file(dir.join(format!("{DB_FILE}-wal"))).ok();
        std::fs::remove_file(dir.join(format!("{DB_FILE}-shm"))).ok();
        std::fs::write(&db, b"damaged again ".repeat(100)).unwrap();
        let (_, notice) = open_with(dir, OnBadData::Recover, load).unwrap();
        assert!(notice.is_some());
        let aside = aside_files(dir);
        assert_eq!(aside.len(), 1, "{aside:?}");
        assert_eq!(
            std::fs::read(dir.join(&aside[0])).unwrap(),
            b"damaged again ".repeat(100)
        );
    }

    #[test]
    fn a_directory_that_cannot_be_made_leaves_the_demo_in_memory() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a-file");
        std::fs::write(&file, b"x").unwrap();
        let (opened, notice) = open_with(&file.join("demo"), OnBadData::Recover, |s| {
            s.load().map(|_| ())
        })
        .unwrap();
        assert!(opened.is_none());
        assert!(notice.unwrap().contains("in memory only"));
        assert_eq!(std::fs::read(&file).unwrap(), b"x", "nothing moved");
    }

    #[test]
    fn the_signing_key_comes_from_the_os() {
        let a = crate::signing::secure_key().unwrap();
        let b = crate::signing::secure_key().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
