//! The browsed list: assets loaded page by page (cursor pagination), the
//! cursor, and what each row shows, sanitized and measured once when it
//! arrives. What a frame needs from all rows (the column widths) is kept
//! up to date as rows come and go, so a frame touches only visible rows.

use std::ops::Deref;
use std::sync::Arc;

use crate::provider::AssetView;
use crate::sanitize;
use crate::text;

/// Longest name or prompt excerpt kept for a row.
const NAME_MAX: usize = 200;
/// Tag chips kept per row.
const TAGS_MAX: usize = 8;
const TAG_MAX: usize = 40;

/// The one-line list's columns after the name: type, kind, dimensions,
/// date. `COLUMN_CAPS` bounds each column's width (longer values are cut).
pub const COLUMNS: usize = 4;
pub const COLUMN_CAPS: [usize; COLUMNS] = [18, 8, 11, 10];

/// What a row shows; every string sanitized and bounded, and measured
/// (display columns) once here rather than on every frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowText {
    pub name: String,
    pub type_label: String,
    pub kind: String,
    pub dims: String,
    pub created: String,
    pub tags: Vec<String>,
    /// Display width of `name`.
    pub name_width: usize,
    /// Display widths of type, kind, dims and date (see [`RowText::columns`]).
    pub column_widths: [usize; COLUMNS],
    /// The tag chips as drawn, `"#a #b "`, and where each chip ends:
    /// (byte offset, display column) after it.
    pub chips: String,
    pub chip_ends: Vec<(usize, usize)>,
}

impl RowText {
    pub fn of(asset: &AssetView) -> RowText {
        // an asset still processing (or failed) says so where its size goes
        let dims = match (&asset.status, asset.dims) {
            (crate::provider::Processing::Pending(_), _) => "processing…".to_string(),
            (crate::provider::Processing::Failed(_), _) => "failed".to_string(),
            (_, Some((w, h))) => format!("{w}×{h}"),
            (_, None) => String::new(),
        };
        let mut row = RowText {
            name: sanitize::line(&asset.list_name, NAME_MAX),
            type_label: asset
                .type_label
                .as_deref()
                .map(|t| sanitize::line(t, 40))
                .unwrap_or_default(),
            kind: asset
                .kind_label
                .as_deref()
                .map(|k| sanitize::line(k, 20))
                .unwrap_or_default(),
            dims,
            created: asset
                .created
                .as_deref()
                .map(|d| sanitize::line(d.get(..10).unwrap_or(d), 10))
                .unwrap_or_default(),
            tags: asset
                .tags
                .iter()
                .take(TAGS_MAX)
                .map(|t| sanitize::line(t, TAG_MAX))
                .collect(),
            ..RowText::default()
        };
        row.name_width = text::width(&row.name);
        row.column_widths = row.columns().map(text::width);
        let mut used = 0;
        for t in &row.tags {
            let chip = format!("#{t} ");
            used += text::width(&chip);
            row.chips.push_str(&chip);
            row.chip_ends.push((row.chips.len(), used));
        }
        row
    }

    /// Type, kind, dims and date: the one-line list's columns.
    pub fn columns(&self) -> [&str; COLUMNS] {
        [&self.type_label, &self.kind, &self.dims, &self.created]
    }

    /// As many whole chips as fit in `width` columns: the text and its
    /// width.
    pub fn chips_within(&self, width: usize) -> (&str, usize) {
        let (bytes, cols) = self
            .chip_ends
            .iter()
            .take_while(|(_, w)| *w <= width)
            .last()
            .copied()
            .unwrap_or((0, 0));
        (&self.chips[..bytes], cols)
    }
}

/// How many loaded rows have each (capped) width, per column: the widest
/// is the highest non-empty bucket. Kept exact on every insertion,
/// replacement and removal at O(1) per row, so neither a frame nor a
/// deletion walks all rows.
#[derive(Clone, Debug, Default)]
struct ColumnHistogram {
    counts: [[usize; MAX_CAP + 1]; COLUMNS],
}

const MAX_CAP: usize = {
    let mut m = 0;
    let mut i = 0;
    while i < COLUMNS {
        if COLUMN_CAPS[i] > m {
            m = COLUMN_CAPS[i];
        }
        i += 1;
    }
    m
};

impl ColumnHistogram {
    fn add(&mut self, row: &RowText) {
        for (n, w) in row.column_widths.iter().enumerate() {
            self.counts[n][(*w).min(COLUMN_CAPS[n])] += 1;
        }
    }

    fn sub(&mut self, row: &RowText) {
        for (n, w) in row.column_widths.iter().enumerate() {
            let c = &mut self.counts[n][(*w).min(COLUMN_CAPS[n])];
            *c = c.saturating_sub(1);
        }
    }

    fn widest(&self) -> [usize; COLUMNS] {
        std::array::from_fn(|n| self.counts[n].iter().rposition(|c| *c > 0).unwrap_or(0))
    }
}

/// The loaded entries, in order. Reads go through `Deref<Target =
/// [Entry]>`; every change goes through a method here, which keeps the
/// column widths in step.
#[derive(Clone, Debug, Default)]
pub struct Rows {
    entries: Vec<Entry>,
    columns: ColumnHistogram,
}

impl Deref for Rows {
    type Target = [Entry];
    fn deref(&self) -> &[Entry] {
        &self.entries
    }
}

impl<'a> IntoIterator for &'a Rows {
    type Item = &'a Entry;
    type IntoIter = std::slice::Iter<'a, Entry>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

impl Rows {
    /// The widest value of each column over every row, capped at
    /// [`COLUMN_CAPS`]; 0 when no row has one.
    pub fn column_widths(&self) -> [usize; COLUMNS] {
        self.columns.widest()
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.columns = ColumnHistogram::default();
    }

    fn extend(&mut self, entries: impl IntoIterator<Item = Entry>) {
        for e in entries {
            self.columns.add(&e.row);
            self.entries.push(e);
        }
    }

    fn insert(&mut self, index: usize, entry: Entry) {
        self.columns.add(&entry.row);
        self.entries.insert(index, entry);
    }

    fn set(&mut self, index: usize, entry: Entry) {
        self.columns.sub(&self.entries[index].row);
        self.columns.add(&entry.row);
        self.entries[index] = entry;
    }

    fn retain(&mut self, mut keep: impl FnMut(&Entry) -> bool) {
        let columns = &mut self.columns;
        self.entries.retain(|e| {
            let k = keep(e);
            if !k {
                columns.sub(&e.row);
            }
            k
        });
    }
}

/// One loaded asset: the server's object, untouched (for the inspector and
/// JSON), and its sanitized row.
#[derive(Clone, Debug)]
pub struct Entry {
    pub asset: Arc<AssetView>,
    pub row: RowText,
}

impl Entry {
    pub fn new(asset: AssetView) -> Entry {
        let row = RowText::of(&asset);
        Entry {
            asset: Arc::new(asset),
            row,
        }
    }
}

/// Where loading the list stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Loading {
    /// More pages exist; none is being fetched.
    Idle,
    /// A page is on its way.
    Fetching,
    /// The last page failed; `r` retries it.
    Failed(String),
    /// Every page is loaded.
    Complete,
}

#[derive(Clone, Debug)]
pub struct AssetList {
    /// Bumped whenever the query changes: answers for an older generation
    /// are dropped.
    pub generation: u64,
    pub entries: Rows,
    /// Token for the next page; `None` before the first page and after the
    /// last.
    pub next_token: Option<String>,
    pub loading: Loading,
    /// Pages loaded for this generation.
    pub pages: usize,
    pub cursor: usize,
    /// First visible row (or grid line × columns).
    pub offset: usize,
    /// The entries are for the previous query: they stay on screen until
    /// the first page of this one replaces them (no flicker as you type).
    pub stale: bool,
    /// How many results the server counts (search), when it says.
    pub total: Option<u64>,
    /// Rows asked for below the last loaded one while more were on their
    /// way (`j` at the end): the next page applies them, so no key is
    /// lost.
    pub pending_move: usize,
}

/// The most rows a move past the end may remember.
const MAX_PENDING_MOVE: usize = 10_000;

impl Default for AssetList {
    fn default() -> Self {
        AssetList {
            generation: 0,
            entries: Rows::default(),
            next_token: None,
            loading: Loading::Idle,
            pages: 0,
            cursor: 0,
            offset: 0,
            stale: false,
            total: None,
            pending_move: 0,
        }
    }
}

impl AssetList {
    /// Forgets everything for a new query; returns the new generation.
    pub fn reset(&mut self) -> u64 {
        self.generation += 1;
        self.entries.clear();
        self.next_token = None;
        self.loading = Loading::Idle;
        self.pages = 0;
        self.cursor = 0;
        self.offset = 0;
        self.stale = false;
        self.total = None;
        self.pending_move = 0;
        self.generation
    }

    /// A new query whose first page will replace what is shown: answers
    /// for the old one are void, the entries stay until then.
    pub fn restart(&mut self) -> u64 {
        self.generation += 1;
        self.next_token = None;
        self.loading = Loading::Idle;
        self.pages = 0;
        self.total = None;
        self.stale = !self.entries.is_empty();
        self.pending_move = 0;
        self.generation
    }

    /// A page failed: stale entries go (the error takes their place).
    pub fn fail(&mut self, message: String) {
        if self.stale {
            self.entries.clear();
            self.cursor = 0;
            self.offset = 0;
            self.stale = false;
        }
        self.pending_move = 0;
        self.loading = Loading::Failed(message);
    }

    pub fn current(&self) -> Option<&Entry> {
        self.entries.get(self.cursor)
    }

    pub fn is_complete(&self) -> bool {
        self.loading == Loading::Complete
    }

    /// `"42"` when every page is in (or the server counted them),
    /// `"42+"` while more may follow.
    pub fn count_label(&self) -> String {
        if self.is_complete() {
            self.entries.len().to_string()
        } else if let Some(t) = self.total.filter(|t| *t >= self.entries.len() as u64) {
            t.to_string()
        } else {
            format!("{}+", self.entries.len())
        }
    }

    /// Appends a page. Assets already listed (an asset moved between pages
    /// on the server) are skipped, not shown twice.
    pub fn append(&mut self, assets: Vec<AssetView>, next: Option<String>) {
        use std::collections::HashSet;
        if self.stale {
            self.entries.clear();
            self.cursor = 0;
            self.offset = 0;
            self.stale = false;
            self.pending_move = 0;
        }
        let tail: HashSet<&str> = self
            .entries
            .iter()
            .rev()
            .take(1000)
            .map(|e| e.asset.id.as_str())
            .collect();
        let fresh: Vec<Entry> = assets
            .into_iter()
            .filter(|a| !tail.contains(a.id.as_str()))
            .map(Entry::new)
            .collect();
        self.entries.extend(fresh);
        self.pages += 1;
        let next = next.filter(|t| !t.is_empty() && Some(t) != self.next_token.as_ref());
        self.loading = if next.is_some() {
            Loading::Idle
        } else {
            Loading::Complete
        };
        self.next_token = next;
        if self.pending_move > 0 {
            // the keys pressed while this page was on its way
            let pending = std::mem::take(&mut self.pending_move);
            self.move_by(pending as isize);
        }
    }

    /// Whether another page may still come for this query.
    pub fn more_coming(&self) -> bool {
        match self.loading {
            Loading::Fetching => true,
            Loading::Idle => self.next_token.is_some(),
            _ => false,
        }
    }

    /// Moves the cursor by `delta` rows (clamped to what is loaded). A
    /// move past the last row while more are on their way is remembered
    /// and finished by the next page.
    pub fn move_by(&mut self, delta: isize) {
        let len = self.entries.len();
        if len == 0 {
            return;
        }
        let last = len as isize - 1;
        let target = self.cursor as isize + self.pending_move as isize + delta;
        self.pending_move = if target > last && !self.stale && self.more_coming() {
            ((target - last) as usize).min(MAX_PENDING_MOVE)
        } else {
            0
        };
        self.cursor = target.clamp(0, last) as usize;
    }

    /// Whether the next page should be fetched now: the cursor is within
    /// `margin` rows of the end of what is loaded.
    pub fn wants_more(&self, margin: usize) -> bool {
        self.loading == Loading::Idle
            && (self.pages == 0 || self.cursor + margin >= self.entries.len())
    }

    /// Moves the cursor to `index` (clamped).
    pub fn select(&mut self, index: usize) {
        self.cursor = index.min(self.entries.len().saturating_sub(1));
        self.pending_move = 0;
    }

    pub fn position_of(&self, id: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.asset.id == id)
    }

    /// Replaces an asset everywhere it is listed (fresh links, new tags).
    pub fn replace(&mut self, asset: &AssetView) {
        if let Some(i) = self.position_of(&asset.id) {
            self.entries.set(i, Entry::new(asset.clone()));
        }
    }

    /// Replaces an asset by a shared copy (a local change: new tags).
    pub fn replace_shared(&mut self, asset: &Arc<AssetView>) {
        if let Some(i) = self.position_of(&asset.id) {
            self.entries.set(
                i,
                Entry {
                    row: RowText::of(asset),
                    asset: asset.clone(),
                },
            );
        }
    }

    /// Drops deleted assets; the cursor stays on the asset it was on, or
    /// the next one that remains. Returns how many were listed.
    pub fn remove(&mut self, ids: &std::collections::HashSet<&str>) -> usize {
        let before = self.entries.len();
        let kept_before_cursor = self.entries[..self.cursor.min(before)]
            .iter()
            .filter(|e| !ids.contains(e.asset.id.as_str()))
            .count();
        self.entries.retain(|e| !ids.contains(e.asset.id.as_str()));
        let gone = before - self.entries.len();
        self.cursor = kept_before_cursor.min(self.entries.len().saturating_sub(1));
        self.offset = self.offset.min(self.cursor);
        if let Some(t) = self.total.as_mut() {
            *t = t.saturating_sub(gone as u64);
        }
        gone
    }

    /// A new asset (an upload) at the top; the cursor stays on the asset
    /// it was on, and the rows in view stay unless the top is in view.
    pub fn insert_first(&mut self, asset: AssetView) {
        let had = !self.entries.is_empty();
        self.entries.insert(0, Entry::new(asset));
        if had {
            self.cursor += 1;
            if self.offset > 0 {
                self.offset += 1;
            }
        }
        if let Some(t) = self.total.as_mut() {
            *t += 1;
        }
    }

    /// Replaces every row by a fresh listing (a refresh of cached rows):
    /// the cursor stays on the asset it was on when the listing holds it
    /// (else on the same row number), on the same line of the screen.
    /// Returns the new generation: pages asked for the old rows are void.
    pub fn replace_all(
        &mut self,
        assets: Vec<AssetView>,
        next: Option<String>,
        pages: usize,
    ) -> u64 {
        let keep = self.current().map(|e| e.asset.id.clone());
        let line = self.cursor.saturating_sub(self.offset);
        let old_cursor = self.cursor;
        self.generation += 1;
        self.entries.clear();
        self.stale = false;
        self.total = None;
        let mut seen = std::collections::HashSet::new();
        self.entries.extend(
            assets
                .into_iter()
                .filter(|a| seen.insert(a.id.clone()))
                .map(Entry::new),
        );
        self.pages = pages;
        self.next_token = next.filter(|t| !t.is_empty());
        self.loading = if self.next_token.is_some() {
            Loading::Idle
        } else {
            Loading::Complete
        };
        let at = keep
            .and_then(|id| self.position_of(&id))
            .unwrap_or(old_cursor);
        self.select(at);
        self.offset = self.cursor.saturating_sub(line);
        self.generation
    }

    /// New or changed assets (a refresh's first answer) over rows shown
    /// newest first: a listed one is replaced where it is, a new one goes
    /// where its creation date puts it within the rows loaded (older than
    /// the last loaded, it waits for its page). The cursor stays on its
    /// asset, on the same line of the screen. Returns how many changed.
    pub fn merge(&mut self, assets: Vec<AssetView>) -> usize {
        let mut changed = 0;
        for a in assets {
            if let Some(i) = self.position_of(&a.id) {
                self.entries.set(i, Entry::new(a));
                changed += 1;
                continue;
            }
            let created = a.created.clone().unwrap_or_default();
            let at = self.entries.iter().position(|e| {
                let c = e.asset.created.as_deref().unwrap_or_default();
                c < created.as_str() || (c == created && e.asset.id < a.id)
            });
            let Some(at) = at.or(self.is_complete().then_some(self.entries.len())) else {
                continue;
            };
            self.entries.insert(at, Entry::new(a));
            if at <= self.cursor && self.entries.len() > 1 {
                self.cursor += 1;
                if self.offset > 0 {
                    self.offset += 1;
                }
            }
            changed += 1;
        }
        changed
    }

    /// Keeps `offset` so that the cursor's row is visible in `rows` rows
    /// of `per_row` items, scrolling as little as possible.
    pub fn scroll_into_view(&mut self, rows: usize, per_row: usize) {
        let rows = rows.max(1);
        let per_row = per_row.max(1);
        let cursor_line = self.cursor / per_row;
        let mut top = self.offset / per_row;
        if cursor_line < top {
            top = cursor_line;
        } else if cursor_line >= top + rows {
            top = cursor_line + 1 - rows;
        }
        // no blank rows under the last asset while earlier ones are
        // scrolled away (after a deletion at the end, say)
        let lines = self.entries.len().div_ceil(per_row);
        top = top.min(lines.saturating_sub(rows));
        self.offset = top * per_row;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::api::models::Asset;

    fn asset(id: &str) -> AssetView {
        serde_json::from_value::<Asset>(serde_json::json!({"id": id}))
            .unwrap()
            .into()
    }

    #[test]
    fn rows_are_sanitized_and_bounded() {
        let a: Asset = serde_json::from_value(serde_json::json!({
            "id": "a",
            "metadata": {"name": "evil\u{1b}]52;c;AAAA\u{7}\u{202e}name", "type": "upscale"},
            "tags": ["x\u{1b}[2Jy", "z".repeat(500)],
            "createdAt": "2026-01-02T03:04:05.000Z",
            "properties": {"width": 10, "height": 20}
        }))
        .unwrap();
        let row = RowText::of(&a.into());
        assert!(!row.name.contains('\u{1b}') && !row.name.contains('\u{202e}'));
        assert!(row
            .tags
            .iter()
            .all(|t| !t.contains('\u{1b}') && t.chars().count() <= TAG_MAX + 1));
        assert_eq!(row.created, "2026-01-02");
        assert_eq!(row.dims, "10×20");
        assert_eq!(row.type_label, "upscale");
    }

    #[test]
    fn pages_append_without_duplicates_and_complete() {
        let mut l = AssetList::default();
        assert!(l.wants_more(5));
        l.loading = Loading::Fetching;
        assert!(!l.wants_more(5));
        l.append(vec![asset("a"), asset("b")], Some("t1".into()));
        assert_eq!(l.loading, Loading::Idle);
        assert_eq!(l.count_label(), "2+");
        l.append(vec![asset("b"), asset("c")], Some(String::new()));
        assert_eq!(l.entries.len(), 3);
        assert!(l.is_complete());
        assert_eq!(l.count_label(), "3");
        assert!(!l.wants_more(100));
    }

    #[test]
    fn a_restart_keeps_the_entries_until_the_first_page() {
        let mut l = AssetList::default();
        l.append(vec![asset("a"), asset("b")], Some("t".into()));
        l.select(1);
        let g = l.restart();
        assert_eq!(g, 1);
        assert!(l.stale && l.wants_more(0));
        assert_eq!((l.entries.len(), l.cursor), (2, 1));
        l.total = Some(40);
        l.append(vec![asset("c")], Some("2".into()));
        assert_eq!(l.entries.len(), 1);
        assert_eq!((l.cursor, l.stale), (0, false));
        assert_eq!(l.count_label(), "40");
        l.restart();
        l.fail("no".into());
        assert!(l.entries.is_empty());
        assert_eq!(l.loading, Loading::Failed("no".into()));
    }

    #[test]
    fn prefetch_starts_before_the_end() {
        let mut l = AssetList::default();
        l.append(
            (0..50).map(|i| asset(&format!("a{i}"))).collect(),
            Some("t".into()),
        );
        l.select(10);
        assert!(!l.wants_more(20));
        l.select(31);
        assert!(l.wants_more(20));
    }

    #[test]
    fn removing_keeps_the_cursor_on_what_remains() {
        let mut l = AssetList::default();
        l.append((0..6).map(|i| asset(&format!("a{i}"))).collect(), None);
        l.select(3);
        let gone: std::collections::HashSet<&str> = ["a1", "a3", "zz"].into_iter().collect();
        assert_eq!(l.remove(&gone), 2);
        let ids: Vec<&str> = l.entries.iter().map(|e| e.asset.id.as_str()).collect();
        assert_eq!(ids, ["a0", "a2", "a4", "a5"]);
        // the cursor was on a3: it moves to the next one left, a4
        assert_eq!(l.current().unwrap().asset.id, "a4");
        l.select(3);
        let last: std::collections::HashSet<&str> = ["a5"].into_iter().collect();
        l.remove(&last);
        assert_eq!(l.current().unwrap().asset.id, "a4");
        // a new asset first: the cursor stays on a4
        l.insert_first(asset("new"));
        assert_eq!(l.entries[0].asset.id, "new");
        assert_eq!(
            (l.cursor, l.current().unwrap().asset.id.as_str()),
            (3, "a4")
        );
    }

    /// The widths a frame reads are those of the rows listed now: they
    /// grow as pages arrive and shrink when the widest row is replaced,
    /// removed, or a new query's first page replaces the list.
    #[test]
    fn column_widths_follow_the_rows_that_come_and_go() {
        let typed = |id: &str, t: &str, w: u32| -> AssetView {
            serde_json::from_value::<Asset>(serde_json::json!({
                "id": id,
                "kind": "image",
                "metadata": {"type": t},
                "properties": {"width": w, "height": 1}
            }))
            .unwrap()
            .into()
        };
        let mut l = AssetList::default();
        assert_eq!(l.entries.column_widths(), [0; COLUMNS]);
        l.append(vec![typed("a", "upscale", 1)], Some("t".into()));
        assert_eq!(l.entries.column_widths(), [7, 5, 3, 0]);
        // longer than its cap: counted at the cap
        l.append(
            vec![typed("b", "texture-normal-and-more-words", 100_000)],
            None,
        );
        assert_eq!(l.entries.column_widths(), [18, 5, 8, 0]);
        l.replace(&typed("b", "img2img", 10));
        assert_eq!(l.entries.column_widths(), [7, 5, 4, 0]);
        l.insert_first(typed("c", "inference-txt2img", 1));
        assert_eq!(l.entries.column_widths()[0], 17);
        let gone: std::collections::HashSet<&str> = ["c"].into_iter().collect();
        l.remove(&gone);
        assert_eq!(l.entries.column_widths(), [7, 5, 4, 0]);
        l.restart();
        assert_eq!(l.entries.column_widths(), [7, 5, 4, 0]);
        l.append(vec![asset("plain")], None);
        assert_eq!(l.entries.column_widths(), [0; COLUMNS]);
        l.append(vec![typed("d", "uploaded", 1)], None);
        l.reset();
        assert_eq!(l.entries.column_widths(), [0; COLUMNS]);
    }

    fn dated(id: &str, created: &str) -> AssetView {
        serde_json::from_value::<Asset>(serde_json::json!({"id": id, "createdAt": created}))
            .unwrap()
            .into()
    }

    /// A refresh's rows replace cached ones: the cursor stays on its asset
    /// and on its screen line; an asset gone leaves the cursor on the same
    /// row number.
    #[test]
    fn replacing_all_rows_keeps_the_cursor_on_its_asset_and_line() {
        let mut l = AssetList::default();
        l.append(
            (0..30).map(|i| asset(&format!("a{i}"))).collect(),
            Some("local:x".into()),
        );
        l.select(12);
        l.offset = 8;
        let g = l.generation;
        // two new assets on top, a3 gone
        let fresh: Vec<AssetView> = ["n1", "n2"]
            .into_iter()
            .map(asset)
            .chain((0..40).filter(|i| *i != 3).map(|i| asset(&format!("a{i}"))))
            .collect();
        let g2 = l.replace_all(fresh, Some("t2".into()), 1);
        assert!(g2 > g, "pages asked for the cached rows are void");
        assert_eq!(l.current().unwrap().asset.id, "a12");
        assert_eq!((l.cursor, l.cursor - l.offset), (13, 4));
        assert_eq!((l.entries.len(), l.next_token.as_deref()), (41, Some("t2")));
        assert_eq!(l.loading, Loading::Idle);
        l.select(5);
        let gone_id = l.current().unwrap().asset.id.clone();
        let without: Vec<AssetView> = l
            .entries
            .iter()
            .filter(|e| e.asset.id != gone_id)
            .map(|e| (*e.asset).clone())
            .collect();
        l.replace_all(without, None, 2);
        assert_eq!(l.cursor, 5);
        assert!(l.is_complete());
    }

    /// Changes merged into rows newest first: a listed asset is replaced
    /// in place, a new one goes where its date puts it, the cursor stays
    /// on its asset; one older than every loaded row waits for its page.
    #[test]
    fn merging_changes_places_new_assets_by_date_and_keeps_the_cursor() {
        let mut l = AssetList::default();
        l.append(
            vec![
                dated("c", "2026-03-01"),
                dated("b", "2026-02-01"),
                dated("a", "2026-01-01"),
            ],
            Some("more".into()),
        );
        l.select(1);
        let changed = serde_json::from_value::<Asset>(serde_json::json!({
            "id": "b", "createdAt": "2026-02-01", "tags": ["new-tag"]
        }))
        .unwrap()
        .into();
        let n = l.merge(vec![
            dated("newest", "2026-04-01"),
            dated("mid", "2026-02-15"),
            changed,
            dated("ancient", "2020-01-01"),
        ]);
        assert_eq!(n, 3);
        let ids: Vec<&str> = l.entries.iter().map(|e| e.asset.id.as_str()).collect();
        assert_eq!(ids, ["newest", "c", "mid", "b", "a"]);
        assert_eq!(l.current().unwrap().asset.id, "b");
        assert_eq!(l.current().unwrap().asset.tags, ["new-tag"]);
    }

    #[test]
    fn chips_are_whole_and_measured_once() {
        let a: Asset = serde_json::from_value(serde_json::json!({
            "id": "a", "tags": ["ab", "日本"]
        }))
        .unwrap();
        let row = RowText::of(&a.into());
        assert_eq!(row.chips, "#ab #日本 ");
        assert_eq!(row.chips_within(100), ("#ab #日本 ", 10));
        assert_eq!(row.chips_within(9), ("#ab ", 4));
        assert_eq!(row.chips_within(3), ("", 0));
        assert_eq!(row.name_width, text::width(&row.name));
    }

    #[test]
    fn scrolling_keeps_the_cursor_visible() {
        let mut l = AssetList::default();
        l.append((0..100).map(|i| asset(&format!("a{i}"))).collect(), None);
        l.select(30);
        l.scroll_into_view(10, 1);
        assert_eq!(l.offset, 21);
        l.select(5);
        l.scroll_into_view(10, 1);
        assert_eq!(l.offset, 5);
        l.select(47);
        l.scroll_into_view(3, 4);
        assert_eq!(l.offset, 36);
    }

    #[test]
    fn deleting_at_the_end_scrolls_back_instead_of_leaving_blank_rows() {
        let mut l = AssetList::default();
        l.append((0..10).map(|i| asset(&format!("a{i}"))).collect(), None);
        l.select(9);
        l.scroll_into_view(5, 1);
        assert_eq!(l.offset, 5);
        let gone: std::collections::HashSet<&str> = ["a7", "a8", "a9"].into_iter().collect();
        l.remove(&gone);
        l.scroll_into_view(5, 1);
        // a2..a6 fill the five rows, the cursor on a6 at the bottom
        assert_eq!((l.offset, l.cursor), (2, 6));
    }
}
