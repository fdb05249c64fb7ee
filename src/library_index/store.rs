//! The SQLite file: one table of libraries, one of assets. Each asset row
//! holds the provider's object as JSON, whole, and the neutral columns the
//! listing order (created, then id, newest first), the local search (one
//! lower-cased text of name, prompt and tags) and the eviction (`seen`, a
//! counter bumped by every write) need.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension};

use super::key::LibraryKey;

/// The database's file name in the cache directory.
pub const FILE: &str = "library-index.sqlite3";
/// Most words a local search looks for (the rest are ignored).
const SEARCH_WORDS: usize = 8;

/// One asset as the index keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub id: String,
    /// ISO-8601, or empty: the listing's order.
    pub created: String,
    pub updated: String,
    /// Name, prompt and tags, lower-cased: what a local search reads.
    pub text: String,
    /// The provider's object, as the service sent it.
    pub json: String,
}

/// Where a listing page ends: the next one starts strictly after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct After {
    pub created: String,
    pub id: String,
}

/// What `assetui cache info` shows of one library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LibraryInfo {
    pub provider: String,
    pub base_url: String,
    pub profile: String,
    pub assets: u64,
    /// Unix seconds of the last write.
    pub written: u64,
}

pub struct Index {
    conn: Connection,
    path: PathBuf,
}

fn sql(e: rusqlite::Error) -> String {
    format!("library index: {e}")
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Index {
    /// Opens (creating) the index at `path`: the directory 0700, the file
    /// 0600 (SQLite gives its `-wal` and `-shm` files the same mode).
    pub fn open(path: &Path) -> Result<Index, String> {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        if let Some(dir) = path.parent() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let conn = Connection::open(path).map_err(sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(2))
            .map_err(sql)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             CREATE TABLE IF NOT EXISTS libraries (
                 id INTEGER PRIMARY KEY,
                 key TEXT NOT NULL UNIQUE,
                 provider TEXT NOT NULL,
                 base_url TEXT NOT NULL,
                 profile TEXT NOT NULL,
                 written INTEGER NOT NULL DEFAULT 0
             );
             CREATE TABLE IF NOT EXISTS assets (
                 library INTEGER NOT NULL,
                 id TEXT NOT NULL,
                 created TEXT NOT NULL,
                 updated TEXT NOT NULL,
                 seen INTEGER NOT NULL,
                 text TEXT NOT NULL,
                 json TEXT NOT NULL,
                 PRIMARY KEY (library, id)
             );
             CREATE INDEX IF NOT EXISTS assets_order ON assets (library, created DESC, id DESC);
             CREATE INDEX IF NOT EXISTS assets_updated ON assets (library, updated);
             CREATE INDEX IF NOT EXISTS assets_seen ON assets (seen);",
        )
        .map_err(sql)?;
        Ok(Index {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The library's row id, created when new.
    pub fn library(&self, key: &LibraryKey) -> Result<i64, String> {
        self.conn
            .execute(
                "INSERT INTO libraries (key, provider, base_url, profile) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (key) DO NOTHING",
                params![key.hash(), key.provider, key.base_url, key.profile],
            )
            .map_err(sql)?;
        self.conn
            .query_row(
                "SELECT id FROM libraries WHERE key = ?1",
                params![key.hash()],
                |r| r.get(0),
            )
            .map_err(sql)
    }

    /// The library's row id, if the index has seen it.
    pub fn find_library(&self, key: &LibraryKey) -> Result<Option<i64>, String> {
        self.conn
            .query_row(
                "SELECT id FROM libraries WHERE key = ?1",
                params![key.hash()],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql)
    }

    /// Writes assets (new or changed) in one transaction, then keeps at
    /// most `max_assets` in the whole file, forgetting the least recently
    /// seen first. Returns how many were forgotten.
    pub fn put(&mut self, library: i64, assets: &[Stored], max_assets: u64) -> Result<u64, String> {
        let tx = self.conn.transaction().map_err(sql)?;
        let mut seen: i64 = tx
            .query_row("SELECT coalesce(max(seen), 0) FROM assets", [], |r| {
                r.get(0)
            })
            .map_err(sql)?;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT INTO assets (library, id, created, updated, seen, text, json)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (library, id) DO UPDATE SET created = ?3, updated = ?4,
                         seen = ?5, text = ?6, json = ?7",
                )
                .map_err(sql)?;
            // the first of a page is seen last: the listing's top stays longest
            for a in assets.iter().rev() {
                seen += 1;
                put.execute(params![
                    library, a.id, a.created, a.updated, seen, a.text, a.json
                ])
                .map_err(sql)?;
            }
        }
        tx.execute(
            "UPDATE libraries SET written = ?2 WHERE id = ?1",
            params![library, now() as i64],
        )
        .map_err(sql)?;
        let count: i64 = tx
            .query_row("SELECT count(*) FROM assets", [], |r| r.get(0))
            .map_err(sql)?;
        let over = (count as u64).saturating_sub(max_assets);
        if over > 0 {
            tx.execute(
                "DELETE FROM assets WHERE rowid IN
                     (SELECT rowid FROM assets ORDER BY seen ASC LIMIT ?1)",
                params![over as i64],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(over)
    }

    /// Forgets assets (deleted on the service).
    pub fn forget(&mut self, library: i64, ids: &[String]) -> Result<(), String> {
        let tx = self.conn.transaction().map_err(sql)?;
        for id in ids {
            tx.execute(
                "DELETE FROM assets WHERE library = ?1 AND id = ?2",
                params![library, id],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }

    /// One page of the listing, newest first, starting strictly after
    /// `after`; the second value says where the next page starts (`None`
    /// after the last). Reads only the rows it returns (the order index).
    pub fn page(
        &self,
        library: i64,
        after: Option<&After>,
        limit: usize,
    ) -> Result<(Vec<Stored>, Option<After>), String> {
        let limit = limit.max(1);
        let rows = match after {
            None => self.rows(
                "SELECT id, created, updated, text, json FROM assets WHERE library = ?1
                 ORDER BY created DESC, id DESC LIMIT ?2",
                params![library, limit as i64 + 1],
            )?,
            Some(a) => self.rows(
                "SELECT id, created, updated, text, json FROM assets WHERE library = ?1
                 AND (created < ?2 OR (created = ?2 AND id < ?3))
                 ORDER BY created DESC, id DESC LIMIT ?4",
                params![library, a.created, a.id, limit as i64 + 1],
            )?,
        };
        Ok(split(rows, limit, |last| After {
            created: last.created.clone(),
            id: last.id.clone(),
        }))
    }

    /// The assets whose name, prompt or tags hold every word of `query`
    /// (ignoring case), newest first, from `offset`; the second value is
    /// the next page's offset.
    pub fn search(
        &self,
        library: i64,
        query: &str,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<Stored>, Option<usize>), String> {
        let limit = limit.max(1);
        let words: Vec<String> = query
            .split_whitespace()
            .take(SEARCH_WORDS)
            .map(|w| format!("%{}%", like_escape(&w.to_lowercase())))
            .collect();
        let mut text =
            String::from("SELECT id, created, updated, text, json FROM assets WHERE library = ?");
        for _ in &words {
            text.push_str(" AND text LIKE ? ESCAPE '\\'");
        }
        text.push_str(" ORDER BY created DESC, id DESC LIMIT ? OFFSET ?");
        let mut values: Vec<rusqlite::types::Value> = vec![library.into()];
        values.extend(words.into_iter().map(rusqlite::types::Value::from));
        values.push((limit as i64 + 1).into());
        values.push((offset as i64).into());
        let rows = self.rows(&text, rusqlite::params_from_iter(values))?;
        Ok(split(rows, limit, |_| offset + limit))
    }

    /// The latest `updated` of the library's assets: what a refresh asks
    /// the service for changes after.
    pub fn newest_update(&self, library: i64) -> Result<Option<String>, String> {
        self.conn
            .query_row(
                "SELECT max(updated) FROM assets WHERE library = ?1 AND updated <> ''",
                params![library],
                |r| r.get::<_, Option<String>>(0),
            )
            .map_err(sql)
    }

    /// Every library with its count of assets, the most recently written
    /// first.
    pub fn libraries(&self) -> Result<Vec<LibraryInfo>, String> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT l.provider, l.base_url, l.profile, l.written,
                        (SELECT count(*) FROM assets a WHERE a.library = l.id)
                 FROM libraries l ORDER BY l.written DESC, l.id",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(LibraryInfo {
                    provider: r.get(0)?,
                    base_url: r.get(1)?,
                    profile: r.get(2)?,
                    written: r.get::<_, i64>(3)?.max(0) as u64,
                    assets: r.get::<_, i64>(4)?.max(0) as u64,
                })
            })
            .map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)
    }

    /// Empties the index (every library) and gives the space back.
    pub fn clear(&self) -> Result<(), String> {
        self.conn
            .execute_batch("DELETE FROM assets; DELETE FROM libraries; VACUUM;")
            .map_err(sql)
    }

    fn rows(&self, text: &str, values: impl rusqlite::Params) -> Result<Vec<Stored>, String> {
        let mut stmt = self.conn.prepare_cached(text).map_err(sql)?;
        let rows = stmt
            .query_map(values, |r| {
                Ok(Stored {
                    id: r.get(0)?,
                    created: r.get(1)?,
                    updated: r.get(2)?,
                    text: r.get(3)?,
                    json: r.get(4)?,
                })
            })
            .map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)
    }
}

/// The first `limit` rows, and where the next page starts when there was
/// one more.
fn split<T>(
    mut rows: Vec<Stored>,
    limit: usize,
    next: impl Fn(&Stored) -> T,
) -> (Vec<Stored>, Option<T>) {
    if rows.len() > limit {
        rows.truncate(limit);
        let after = rows.last().map(next);
        (rows, after)
    } else {
        (rows, None)
    }
}

/// `%`, `_` and `\` taken literally in a `LIKE … ESCAPE '\'` pattern.
fn like_escape(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The size of the database with its `-wal` and `-shm` files.
pub fn file_bytes(path: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            std::fs::metadata(PathBuf::from(p)).ok()
        })
        .map(|m| m.len())
        .sum()
}
