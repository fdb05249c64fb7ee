//! The SQLite file: one table of libraries, one of assets. Each asset row
//! holds the provider's object as JSON, whole, and the neutral columns the
//! listing order (created, then id, newest first), the local search (one
//! lower-cased text of name, prompt and tags) and the eviction (`seen`, a
//! counter bumped by every write) need.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::types::Value;
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
    /// The value of the order's column (`created` or `updated`).
    pub key: String,
    pub id: String,
}

/// Which assets a read keeps and in which order: words of the local
/// search, conditions on the provider's object (the JSON kept whole),
/// and the listing's order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// Lower-cased words the text (name, prompt, tags, id) must hold.
    pub words: Vec<String>,
    pub conditions: Vec<Condition>,
    pub order: Order,
    /// A listing's page looks at most this many assets (in order) for
    /// the ones the conditions keep; `None`: as many as it takes.
    pub scan: Option<usize>,
}

/// One condition on an asset's JSON; paths are SQLite JSON paths
/// (`$.metadata.type`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// The value at the path is one of these.
    OneOf(&'static str, Vec<String>),
    /// The array at the path holds this value.
    Holds(&'static str, String),
    /// The text at the first of the paths that has one, lower-cased,
    /// starts with one of these prefixes.
    StartsWith(&'static [&'static str], Vec<String>),
    /// The text at the path, lower-cased, holds this (lower-cased) text.
    Contains(&'static str, String),
    /// Created on or after this day (`YYYY-MM-DD`).
    CreatedFrom(String),
    /// Created on or before this day (`YYYY-MM-DD`).
    CreatedUntil(String),
}

/// The listing's order: by creation (else last update), newest first
/// unless ascending; ties by id the same way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Order {
    pub updated: bool,
    pub ascending: bool,
}

impl Order {
    fn column(self) -> &'static str {
        if self.updated {
            "updated"
        } else {
            "created"
        }
    }

    /// The comparison that is "past" a row in this order.
    fn past(self) -> &'static str {
        if self.ascending {
            ">"
        } else {
            "<"
        }
    }

    fn clause(self) -> String {
        let dir = if self.ascending { "ASC" } else { "DESC" };
        format!(" ORDER BY {} {dir}, id {dir}", self.column())
    }
}

impl Condition {
    fn sql(&self, text: &mut String, values: &mut Vec<Value>) {
        match self {
            Condition::OneOf(path, wanted) => {
                text.push_str(" AND json_extract(json, ?) IN (");
                values.push(path.to_string().into());
                text.push_str(&vec!["?"; wanted.len()].join(", "));
                text.push(')');
                values.extend(wanted.iter().cloned().map(Value::from));
            }
            Condition::Holds(path, wanted) => {
                text.push_str(
                    " AND EXISTS (SELECT 1 FROM json_each(assets.json, ?) WHERE json_each.value = ?)",
                );
                values.extend([path.to_string(), wanted.clone()].map(Value::from));
            }
            Condition::StartsWith(paths, prefixes) => {
                let first = vec!["json_extract(json, ?)"; paths.len()].join(", ");
                text.push_str(" AND (");
                for (i, prefix) in prefixes.iter().enumerate() {
                    if i > 0 {
                        text.push_str(" OR ");
                    }
                    text.push_str(&format!("lower(coalesce({first}, '')) LIKE ? ESCAPE '\\'"));
                    values.extend(paths.iter().map(|p| Value::from(p.to_string())));
                    values.push(format!("{}%", like_escape(prefix)).into());
                }
                if prefixes.is_empty() {
                    text.push('0');
                }
                text.push(')');
            }
            Condition::Contains(path, wanted) => {
                text.push_str(" AND lower(coalesce(json_extract(json, ?), '')) LIKE ? ESCAPE '\\'");
                values.push(path.to_string().into());
                values.push(format!("%{}%", like_escape(wanted)).into());
            }
            Condition::CreatedFrom(day) => {
                text.push_str(" AND substr(created, 1, 10) >= ?");
                values.push(day.clone().into());
            }
            Condition::CreatedUntil(day) => {
                text.push_str(" AND created <> '' AND substr(created, 1, 10) <= ?");
                values.push(day.clone().into());
            }
        }
    }
}

/// What every read returns of a row.
const COLUMNS: &str = "SELECT id, created, updated, text, json";

impl Query {
    /// The `SELECT … WHERE …` of the rows this query keeps (no order, no
    /// limit), with its values.
    fn sql(&self, library: i64) -> (String, Vec<Value>) {
        let mut text = format!("{COLUMNS} FROM assets WHERE library = ?");
        let mut values: Vec<Value> = vec![library.into()];
        self.clauses(&mut text, &mut values);
        (text, values)
    }

    /// ` AND …` for each word and condition, with their values.
    fn clauses(&self, text: &mut String, values: &mut Vec<Value>) {
        for w in self.words.iter().take(SEARCH_WORDS) {
            text.push_str(" AND text LIKE ? ESCAPE '\\'");
            values.push(format!("%{}%", like_escape(w)).into());
        }
        for c in &self.conditions {
            c.sql(text, values);
        }
    }
}

/// The words of a local search, lower-cased.
pub fn words(query: &str) -> Vec<String> {
    query
        .split_whitespace()
        .take(SEARCH_WORDS)
        .map(str::to_lowercase)
        .collect()
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
        self.select_after(library, &Query::default(), after, limit)
    }

    /// One page of the assets `query` keeps, in its order, starting
    /// strictly after `after` (keyset on the order's column, then id).
    /// With `query.scan`, at most that many assets are looked at: the
    /// page may hold fewer than `limit` (none, even) and still name a
    /// next one, where the next look starts, so no read of a large index
    /// takes long.
    pub fn select_after(
        &self,
        library: i64,
        query: &Query,
        after: Option<&After>,
        limit: usize,
    ) -> Result<(Vec<Stored>, Option<After>), String> {
        let limit = limit.max(1);
        let order = query.order;
        let mut rows_in_order = String::from(COLUMNS);
        rows_in_order.push_str(" FROM assets WHERE library = ?");
        let mut values: Vec<Value> = vec![library.into()];
        if let Some(a) = after {
            let (column, cmp) = (order.column(), order.past());
            rows_in_order.push_str(&format!(
                " AND ({column} {cmp} ? OR ({column} = ? AND id {cmp} ?))"
            ));
            values.extend([a.key.clone(), a.key.clone(), a.id.clone()].map(Value::from));
        }
        let key = |row: &Stored| After {
            key: if order.updated {
                row.updated.clone()
            } else {
                row.created.clone()
            },
            id: row.id.clone(),
        };
        let Some(scan) = query.scan else {
            let mut text = rows_in_order;
            query.clauses(&mut text, &mut values);
            text.push_str(&order.clause());
            text.push_str(" LIMIT ?");
            values.push((limit as i64 + 1).into());
            let rows = self.rows(&text, rusqlite::params_from_iter(values))?;
            return Ok(split(rows, limit, key));
        };
        // the window: `scan` assets in order, then the conditions on them
        let scan = scan.max(1);
        let mut window = rows_in_order;
        window.push_str(&order.clause());
        let mut text = format!("{COLUMNS} FROM ({window} LIMIT ?) AS assets WHERE 1");
        let mut all = values.clone();
        all.push((scan as i64).into());
        query.clauses(&mut text, &mut all);
        text.push_str(&order.clause());
        text.push_str(" LIMIT ?");
        all.push((limit as i64 + 1).into());
        let rows = self.rows(&text, rusqlite::params_from_iter(all))?;
        if rows.len() > limit {
            return Ok(split(rows, limit, key));
        }
        // fewer than a page in the window: the next look starts after
        // its last asset, if it was full
        let last = format!("{window} LIMIT 1 OFFSET ?");
        values.push((scan as i64 - 1).into());
        let next = self
            .rows(&last, rusqlite::params_from_iter(values))?
            .first()
            .map(key);
        Ok((rows, next))
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
        let query = Query {
            words: words(query),
            ..Query::default()
        };
        self.select_from(library, &query, offset, limit)
    }

    /// One page of the assets `query` keeps, in its order, from `offset`;
    /// the second value is the next page's offset.
    pub fn select_from(
        &self,
        library: i64,
        query: &Query,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<Stored>, Option<usize>), String> {
        let limit = limit.max(1);
        let (mut text, mut values) = query.sql(library);
        text.push_str(&query.order.clause());
        text.push_str(" LIMIT ? OFFSET ?");
        values.push((limit as i64 + 1).into());
        values.push((offset as i64).into());
        let rows = self.rows(&text, rusqlite::params_from_iter(values))?;
        Ok(split(rows, limit, |_| offset + limit))
    }

    /// Whether any asset of the library has a value at `path` in its
    /// JSON: what says the index can answer a filter on that field.
    pub fn knows(&self, library: i64, path: &str) -> Result<bool, String> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM assets WHERE library = ?1
                     AND json_type(json, ?2) IS NOT NULL)",
                params![library, path],
                |r| r.get(0),
            )
            .map_err(sql)
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
