//! The server's in-memory library: asset records, sorted indexes for
//! keyset pagination, tag and collection bookkeeping, the text index, the
//! filter's keyword postings. All mutation goes through here so the
//! indexes never drift.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use bytes::Bytes;

use super::created_keys::CreatedKey;
use super::embed::{self, Embedding};
use super::keywords::Keywords;
use super::text::{Field, TextIndex};
use assetui_api::models::{Asset, Number};
use assetui_api::params::{SortDirection, SortField};

/// Where an asset's bytes come from.
#[derive(Debug, Clone)]
pub enum FileRef {
    /// Compiled into the binary (the demo library).
    Static(&'static [u8]),
    /// Uploaded, or otherwise held in memory.
    Blob(Bytes),
    /// Drawn on first request from a seed (`--scale`).
    Synthetic {
        seed: u64,
        family: u8,
        width: u32,
        height: u32,
    },
    /// Streamed from a deterministic generator (`--large-asset`,
    /// `--small-assets`), never held whole in memory.
    Generated(std::sync::Arc<super::generated::GenFile>),
}

#[derive(Debug, Clone)]
pub struct Record {
    /// The asset as stored; signed URLs are added when it is served.
    pub asset: Asset,
    pub file: FileRef,
    /// The demo family (for tests and synthetic images).
    pub family: Option<String>,
}

impl Record {
    pub fn created(&self) -> &str {
        self.asset.created_at.as_deref().unwrap_or("")
    }

    pub fn updated(&self) -> &str {
        self.asset.updated_at.as_deref().unwrap_or("")
    }

    pub fn sort_key(&self, field: SortField) -> &str {
        match field {
            SortField::CreatedAt => self.created(),
            SortField::UpdatedAt => self.updated(),
        }
    }

    pub fn is_hidden(&self) -> bool {
        self.asset.is_hidden == Some(true)
    }
}

#[derive(Debug, Clone)]
pub struct CollectionRec {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub updated_at: String,
}

/// A position in a sorted listing: the last (sort value, id) returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: String,
    pub id: String,
}

#[derive(Default)]
pub struct Library {
    /// Set at creation: `put` notes for each record whether it is the
    /// owner's (a search without `public` shows only those).
    pub owner_id: String,
    pub team_id: String,
    slots: Vec<Option<Record>>,
    by_id: HashMap<String, u32>,
    by_created: BTreeSet<(String, String)>,
    by_updated: BTreeSet<(String, String)>,
    pub collections: BTreeMap<String, CollectionRec>,
    text: TextIndex,
    keywords: Keywords,
    /// The records' embeddings, packed by slot ([`embed::DIM`] floats
    /// each), so that a similarity search reads them in order rather than
    /// one allocation per record (issue 21, item 6).
    vectors: Vec<f32>,
    /// Per slot: [`LIVE`], [`HIDDEN`], [`FOREIGN`], [`EMBEDDED`]: what a
    /// search checks first, without reading the record.
    flags: Vec<u8>,
    /// Per slot: the record's `createdAt` as numbers a search orders and
    /// checks ranges by, without reading the record.
    created: Vec<CreatedKey>,
}

/// The slot's embedding is in `vectors`.
const EMBEDDED: u8 = 1;
/// The slot's record belongs to another owner than the library's (a search
/// without `public` leaves it out).
const FOREIGN: u8 = 2;
/// The slot holds a record.
const LIVE: u8 = 4;
/// The slot's record is hidden (`isHidden`).
const HIDDEN: u8 = 8;

impl Library {
    pub fn new(owner_id: String, team_id: String) -> Library {
        Library {
            owner_id,
            team_id,
            text: TextIndex::new(),
            ..Library::default()
        }
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Record> {
        let slot = *self.by_id.get(id)?;
        self.slots.get(slot as usize)?.as_ref()
    }

    pub fn slot_of(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    pub fn by_slot(&self, slot: u32) -> Option<&Record> {
        self.slots.get(slot as usize)?.as_ref()
    }

    /// Every live record, in slot order.
    pub fn records(&self) -> impl Iterator<Item = (u32, &Record)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.as_ref().map(|r| (i as u32, r)))
    }

    /// Inserts or replaces a record, keeping every index in step.
    pub fn put(&mut self, record: Record) {
        let id = record.asset.id.clone();
        let slot = match self.by_id.get(&id) {
            Some(&slot) => {
                self.unindex(slot);
                slot
            }
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        self.by_created
            .insert((record.created().to_string(), id.clone()));
        self.by_updated
            .insert((record.updated().to_string(), id.clone()));
        let tags = record.asset.tags().join(" ");
        let fields = [
            (Field::Name, record.asset.name().unwrap_or("")),
            (Field::Tags, tags.as_str()),
            (Field::Prompt, record.asset.prompt().unwrap_or("")),
            (
                Field::Description,
                record.asset.description.as_deref().unwrap_or(""),
            ),
        ];
        self.text.upsert(slot, &fields);
        self.keywords.insert(slot, &record);
        self.flags.resize(self.slots.len(), 0);
        self.created.resize(self.slots.len(), CreatedKey::default());
        self.created[slot as usize] = CreatedKey::of(record.asset.created_at.as_deref());
        let flags = &mut self.flags[slot as usize];
        *flags = (*flags & EMBEDDED) | LIVE;
        if record.is_hidden() {
            *flags |= HIDDEN;
        }
        if record.asset.owner_id.as_deref() != Some(self.owner_id.as_str()) {
            *flags |= FOREIGN;
        }
        self.by_id.insert(id, slot);
        self.slots[slot as usize] = Some(record);
    }

    /// Keeps `e` as the embedding of the record `id` (a record put again
    /// keeps it: same id, same picture). False for an unknown id or a
    /// vector of another length than [`embed::DIM`].
    pub fn set_embedding(&mut self, id: &str, e: &Embedding) -> bool {
        let Some(&slot) = self.by_id.get(id) else {
            return false;
        };
        if e.0.len() != embed::DIM {
            return false;
        }
        let at = slot as usize * embed::DIM;
        if self.vectors.len() < at + embed::DIM {
            self.vectors.resize(at + embed::DIM, 0.0);
        }
        self.vectors[at..at + embed::DIM].copy_from_slice(&e.0);
        self.flags[slot as usize] |= EMBEDDED;
        true
    }

    /// Forgets the embedding of the record `id` (it is computed again).
    pub fn clear_embedding(&mut self, id: &str) {
        if let Some(&slot) = self.by_id.get(id) {
            self.flags[slot as usize] &= !EMBEDDED;
        }
    }

    /// The embedding of the record at `slot`, if computed.
    pub fn embedding(&self, slot: u32) -> Option<&[f32]> {
        let slot = slot as usize;
        if self.flags.get(slot).is_some_and(|f| f & EMBEDDED != 0) {
            self.vectors.get(slot * embed::DIM..(slot + 1) * embed::DIM)
        } else {
            None
        }
    }

    /// The embedding of the record `id`, if computed.
    pub fn embedding_of(&self, id: &str) -> Option<Embedding> {
        let slot = *self.by_id.get(id)?;
        self.embedding(slot).map(|v| Embedding(v.to_vec()))
    }

    /// Live records without an embedding yet, in slot order.
    pub fn unembedded(&self) -> impl Iterator<Item = (u32, &Record)> {
        self.flags
            .iter()
            .enumerate()
            .filter(|(_, f)| **f & (LIVE | EMBEDDED) == LIVE)
            .filter_map(|(slot, _)| Some((slot as u32, self.slots.get(slot)?.as_ref()?)))
    }

    /// The slots holding a record, ascending (read without touching the
    /// records).
    pub fn live_slots(&self) -> impl Iterator<Item = u32> + '_ {
        self.flags
            .iter()
            .enumerate()
            .filter(|(_, f)| **f & LIVE != 0)
            .map(|(slot, _)| slot as u32)
    }

    /// Whether `slot` holds a record that a search shows: live, not
    /// hidden, and the owner's unless `public` (read without touching the
    /// record).
    pub fn is_searchable(&self, slot: u32, public: bool) -> bool {
        let ignored = if public { 0 } else { FOREIGN };
        self.flags
            .get(slot as usize)
            .is_some_and(|f| f & (LIVE | HIDDEN | ignored) == LIVE)
    }

    /// The `createdAt` keys of `slot` (see [`crate::created_keys`]).
    pub fn created_key(&self, slot: u32) -> CreatedKey {
        self.created.get(slot as usize).copied().unwrap_or_default()
    }

    /// The records at `a` and `b` in the order of their `createdAt` as
    /// stored (`Record::created`), read from the keys; the records only
    /// when the keys tie.
    pub fn cmp_created(&self, a: u32, b: u32) -> std::cmp::Ordering {
        let (ka, kb) = (self.created_key(a).stored, self.created_key(b).stored);
        if ka != kb {
            return ka.cmp(&kb);
        }
        let created = |slot| self.by_slot(slot).map_or("", Record::created);
        created(a).cmp(created(b))
    }

    fn unindex(&mut self, slot: u32) {
        if let Some(Some(old)) = self.slots.get(slot as usize) {
            let id = old.asset.id.clone();
            self.by_created
                .remove(&(old.created().to_string(), id.clone()));
            self.by_updated.remove(&(old.updated().to_string(), id));
            self.keywords.remove(slot, old);
        }
        self.text.remove(slot);
    }

    /// Removes a record; returns it.
    pub fn remove(&mut self, id: &str) -> Option<Record> {
        let slot = self.by_id.remove(id)?;
        self.unindex(slot);
        self.flags[slot as usize] = 0;
        self.slots.get_mut(slot as usize)?.take()
    }

    /// Records in sort order, strictly after `after` when given.
    pub fn sorted(
        &self,
        field: SortField,
        dir: SortDirection,
        after: Option<&Cursor>,
    ) -> Box<dyn Iterator<Item = &Record> + '_> {
        let index = match field {
            SortField::CreatedAt => &self.by_created,
            SortField::UpdatedAt => &self.by_updated,
        };
        let keys: Box<dyn Iterator<Item = &(String, String)>> = match (dir, after) {
            (SortDirection::Asc, None) => Box::new(index.iter()),
            (SortDirection::Desc, None) => Box::new(index.iter().rev()),
            (SortDirection::Asc, Some(c)) => Box::new(index.range((
                Bound::Excluded((c.key.clone(), c.id.clone())),
                Bound::Unbounded,
            ))),
            (SortDirection::Desc, Some(c)) => Box::new(
                index
                    .range((
                        Bound::Unbounded,
                        Bound::Excluded((c.key.clone(), c.id.clone())),
                    ))
                    .rev(),
            ),
        };
        Box::new(keys.filter_map(move |(_, id)| self.get(id)))
    }

    /// The postings of the filter's keyword attributes.
    pub fn keywords(&self) -> &Keywords {
        &self.keywords
    }

    /// Keyword search: (slot, score in 0..=1), best first.
    pub fn text_search(&self, query: &str) -> Vec<(u32, f32)> {
        self.text.search(query)
    }

    /// Tags in use with their asset counts, and first/last use dates.
    pub fn tag_counts(&self) -> BTreeMap<String, (u64, String, String)> {
        let mut out: BTreeMap<String, (u64, String, String)> = BTreeMap::new();
        for (_, r) in self.records() {
            for t in r.asset.tags() {
                let e = out.entry(t.clone()).or_insert((
                    0,
                    r.created().to_string(),
                    r.updated().to_string(),
                ));
                e.0 += 1;
                if r.created() < e.1.as_str() {
                    e.1 = r.created().to_string();
                }
                if r.updated() > e.2.as_str() {
                    e.2 = r.updated().to_string();
                }
            }
        }
        out
    }

    /// Assets in each collection.
    pub fn collection_counts(&self) -> HashMap<String, u64> {
        let mut out = HashMap::new();
        for (_, r) in self.records() {
            for c in r.asset.collection_ids() {
                *out.entry(c.clone()).or_insert(0) += 1;
            }
        }
        out
    }

    /// The first asset of a collection (its thumbnail).
    pub fn collection_cover(&self, collection: &str) -> Option<&Record> {
        self.sorted(SortField::CreatedAt, SortDirection::Desc, None)
            .find(|r| r.asset.collection_ids().iter().any(|c| c == collection))
    }
}

/// A new asset id in the API's shape: `asset_` and 22 base62 characters.
pub fn new_id(prefix: &str, rng: &mut fastrand::Rng) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let tail: String = (0..22)
        .map(|_| ALPHABET[rng.usize(..ALPHABET.len())] as char)
        .collect();
    format!("{prefix}_{tail}")
}

/// Now, as the API writes timestamps (`2025-01-16T11:19:41.579Z`).
pub fn now_iso() -> String {
    iso_from_millis(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0),
    )
}

/// Milliseconds since the epoch as an ISO 8601 UTC timestamp.
pub fn iso_from_millis(ms: i64) -> String {
    assetui_api::dates::iso_from_millis(ms)
}

/// Milliseconds since the epoch of an ISO 8601 timestamp
/// (`YYYY-MM-DDTHH:MM:SS[.mmm]Z`); `None` for one that is not a real
/// moment (2025-02-29).
pub fn millis_from_iso(iso: &str) -> Option<i64> {
    assetui_api::dates::millis_from_iso(iso)
}

/// An ISO timestamp as an HTTP date.
pub fn http_date(iso: &str) -> Option<String> {
    let secs = u64::try_from(millis_from_iso(iso)?.div_euclid(1000)).ok()?;
    let t = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    Some(httpdate::fmt_http_date(t))
}

/// A `Number` from an integer.
pub fn num(n: u64) -> Number {
    Number::from(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso_from_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            iso_from_millis(1_737_026_381_579),
            "2025-01-16T11:19:41.579Z"
        );
        assert_eq!(
            millis_from_iso("2025-01-16T11:19:41.579Z"),
            Some(1_737_026_381_579)
        );
    }

    fn record(id: &str, owner: &str) -> Record {
        let asset: Asset = serde_json::from_value(serde_json::json!({
            "id": id,
            "ownerId": owner,
            "createdAt": "2025-01-01T00:00:00.000Z",
        }))
        .unwrap();
        Record {
            asset,
            file: FileRef::Static(b""),
            family: None,
        }
    }

    #[test]
    fn embeddings_are_kept_by_slot_through_puts_and_dropped_on_removal() {
        let mut lib = Library::new("me".into(), "team".into());
        lib.put(record("a", "me"));
        lib.put(record("b", "someone else"));
        let e = Embedding((0..embed::DIM).map(|i| i as f32).collect());
        assert!(lib.set_embedding("b", &e));
        assert!(!lib.set_embedding("nobody", &e));
        assert!(
            !lib.set_embedding("a", &Embedding(vec![1.0; 3])),
            "wrong length"
        );
        assert_eq!(lib.embedding(0), None);
        assert_eq!(lib.embedding(1), Some(e.0.as_slice()));
        let missing: Vec<u32> = lib.unembedded().map(|(s, _)| s).collect();
        assert_eq!(missing, vec![0]);
        assert!(lib.is_searchable(0, false) && !lib.is_searchable(1, false));
        assert!(lib.is_searchable(1, true));
        // an edit puts the record back: same picture, same embedding; its
        // owner is read again
        lib.put(record("b", "me"));
        assert_eq!(lib.embedding_of("b"), Some(e.clone()));
        assert!(lib.is_searchable(1, false));
        let mut hidden = record("b", "me");
        hidden.asset.is_hidden = Some(true);
        lib.put(hidden);
        assert!(!lib.is_searchable(1, true));
        assert_eq!(lib.live_slots().collect::<Vec<_>>(), vec![0, 1]);
        lib.clear_embedding("b");
        assert_eq!(lib.embedding(1), None);
        lib.set_embedding("b", &e);
        lib.remove("b");
        assert_eq!(lib.embedding(1), None);
        assert!(!lib.is_searchable(1, true));
        assert_eq!(lib.live_slots().collect::<Vec<_>>(), vec![0]);
        lib.put(record("b", "me"));
        assert_eq!(lib.embedding_of("b"), None, "a new record starts without");
    }

    #[test]
    fn days_that_do_not_exist_are_not_moments() {
        // the hand-rolled calendar rolled these over into March
        assert_eq!(millis_from_iso("2025-02-29T00:00:00.000Z"), None);
        assert_eq!(millis_from_iso("2026-02-31T00:00:00.000Z"), None);
        assert_eq!(http_date("2026-02-31T00:00:00.000Z"), None);
        assert!(millis_from_iso("2024-02-29T00:00:00.000Z").is_some());
        assert_eq!(
            http_date("2025-01-16T11:19:41.579Z").as_deref(),
            Some("Thu, 16 Jan 2025 11:19:41 GMT")
        );
    }
}
