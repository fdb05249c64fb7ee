//! The search box and the results it brings: what was typed, the
//! similarity reference and the marks, the ratios, the request built from
//! them and the filter pane, and the browsed list kept aside meanwhile.
//! Pure: reading a local image or a directory is the workers' job.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use super::filters::Filters;
use super::input::LineInput;
use super::list::AssetList;
use crate::api::params::{SearchImages, SearchRequest, SortDirection, SortField};

/// Quiet time after the last edit before a search is sent.
pub const DEBOUNCE: Duration = Duration::from_millis(250);
/// One step of a ratio key.
pub const RATIO_STEP: f64 = 0.1;
/// What "auto" (left to the server) counts as when first stepped: the
/// engine's usual default.
pub const RATIO_START: f64 = 0.5;
/// Longest input kept (a path can be long).
pub const INPUT_MAX: usize = 1000;
/// Completions kept and shown.
pub const COMPLETIONS_MAX: usize = 200;

/// "More like this" or "less like this" on a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Like,
    Unlike,
}

impl Mark {
    /// The glyph in a row: readable without colour.
    pub fn glyph(self) -> &'static str {
        match self {
            Mark::Like => "+",
            Mark::Unlike => "-",
        }
    }
}

/// The image a similarity search starts from.
#[derive(Clone, Debug, PartialEq)]
pub enum ImageRef {
    /// `s` on an asset: its id and its name (sanitized) for the box.
    Asset { id: String, name: String },
    /// A local image: the path as typed (sanitized, for display) and the
    /// data URL the worker made of it (scaled to at most 1024 px).
    File { path: String, data_url: Arc<str> },
}

impl ImageRef {
    /// What the API takes: an asset id or a data URL.
    pub fn reference(&self) -> String {
        match self {
            ImageRef::Asset { id, .. } => id.clone(),
            ImageRef::File { data_url, .. } => data_url.to_string(),
        }
    }

    pub fn label(&self) -> &str {
        match self {
            ImageRef::Asset { name, .. } => name,
            ImageRef::File { path, .. } => path,
        }
    }
}

/// What the results on screen were asked with: later pages and re-runs
/// use it, whatever is being typed meanwhile.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    pub query: Option<String>,
    pub image: Option<ImageRef>,
    pub like: Vec<String>,
    pub unlike: Vec<String>,
    pub query_ratio: Option<f64>,
    pub image_ratio: Option<f64>,
}

impl Applied {
    /// The list title: `Search "castle"`, `Like "Castle at dawn"`, both.
    pub fn title(&self) -> String {
        let q = self
            .query
            .as_deref()
            .map(|q| format!("\"{}\"", crate::sanitize::line(q, 200)));
        match (&self.image, q) {
            (Some(i), Some(q)) => format!("Like \"{}\" + {q}", i.label()),
            (Some(i), None) => format!("Like \"{}\"", i.label()),
            (None, Some(q)) => format!("Search {q}"),
            (None, None) => "Marked".to_string(),
        }
    }

    pub fn image_mode(&self) -> bool {
        self.image.is_some() || !self.like.is_empty() || !self.unlike.is_empty()
    }
}

/// What the typed text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input<'a> {
    Empty,
    Text(&'a str),
    /// A local image: `@` before any path (`explicit`), or text that
    /// starts like a path (`/`, `./`, `../`, `~/`): it is an image when
    /// such a file exists, a text query otherwise. The path ends at the
    /// first space that is not quoted (`'…'`, `"…"`) or escaped (`\ `),
    /// as in a shell; `path` is that word as typed (see [`unquote`]) and
    /// `words` what follows it, searched as text beside the image.
    Path {
        path: &'a str,
        explicit: bool,
        words: &'a str,
    },
}

pub fn classify(input: &str) -> Input<'_> {
    let t = input.trim();
    if let Some(p) = t.strip_prefix('@') {
        let p = p.trim();
        return if p.is_empty() {
            Input::Empty
        } else {
            let (path, words) = first_word(p);
            Input::Path {
                path,
                explicit: true,
                words,
            }
        };
    }
    if t.is_empty() {
        Input::Empty
    } else if ["/", "./", "../", "~/", "'", "\""]
        .iter()
        .any(|p| t.starts_with(p))
        && ["/", "./", "../", "~/"]
            .iter()
            .any(|p| unquote(first_word(t).0).starts_with(p))
    {
        let (path, words) = first_word(t);
        Input::Path {
            path,
            explicit: false,
            words,
        }
    } else {
        Input::Text(t)
    }
}

/// The first word of `t` as a shell reads it (quotes and backslashes
/// keep spaces inside it) and the rest, trimmed.
fn first_word(t: &str) -> (&str, &str) {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in t.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match (quote, c) {
            (None, '\\') => escaped = true,
            (None, '\'' | '"') if i == 0 => quote = Some(c),
            (Some(q), c) if c == q => {
                let end = i + c.len_utf8();
                return (&t[..end], t[end..].trim());
            }
            (None, c) if c.is_whitespace() => return (&t[..i], t[i..].trim()),
            _ => {}
        }
    }
    (t, "")
}

/// A path word as the file system knows it: without its quotes, with
/// each `\X` read as `X`.
pub fn unquote(word: &str) -> String {
    for q in ['\'', '"'] {
        if let Some(inner) = word.strip_prefix(q).and_then(|w| w.strip_suffix(q)) {
            return inner.to_string();
        }
        if let Some(open) = word.strip_prefix(q) {
            // still being typed: the quote not closed yet
            return open.to_string();
        }
    }
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out
}

/// A path as a word of the search box: spaces and backslashes escaped.
pub fn quote_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_whitespace() || matches!(c, '\\' | '\'' | '"') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Applies Tab's file names to `input`: one completes it, several extend
/// it to what they share. Returns the names to show (none when one
/// completed it), or `None` when no name completes it.
pub fn apply_completions<const MAX: usize>(
    input: &mut LineInput<MAX>,
    mut candidates: Vec<String>,
) -> Option<Vec<String>> {
    candidates.truncate(COMPLETIONS_MAX);
    match candidates.len() {
        0 => None,
        1 => {
            input.set(&candidates[0]);
            Some(Vec::new())
        }
        _ => {
            let prefix = common_prefix(&candidates);
            if prefix.len() > input.len() && prefix.starts_with(input.as_str()) {
                input.set(&prefix);
            }
            Some(candidates)
        }
    }
}

/// Whether Tab completes file names for this input.
pub fn completes(input: &str) -> bool {
    match classify(input) {
        Input::Path { words, .. } => words.is_empty(),
        _ => input.trim() == "@",
    }
}

/// The search box and the search results' state.
#[derive(Clone, Debug, Default)]
pub struct Search {
    /// The box is open: keys edit the text.
    pub open: bool,
    pub input: LineInput<INPUT_MAX>,
    /// `s`: the asset the results look like (id, sanitized name).
    pub similar: Option<(String, String)>,
    /// The index searches run over (id, sanitized name), where the
    /// provider searches indexes.
    pub index: Option<(String, String)>,
    /// Marks on results, by asset id.
    pub marks: BTreeMap<String, Mark>,
    /// `querySemanticRatio`; `None` leaves it to the server.
    pub query_ratio: Option<f64>,
    /// `imageSemanticRatio`; `None` leaves it to the server.
    pub image_ratio: Option<f64>,
    /// Bumped by every edit: only the last edit's `SearchDue` searches.
    pub typed: u64,
    /// An edit waits for its debounce.
    pub pending: bool,
    /// The next run keeps the cursor on its asset (marks, ratios).
    pub keep_place: bool,
    /// The local image last read: (path as typed, data URL).
    pub file: Option<(String, Arc<str>)>,
    /// A path being read and scaled by a worker.
    pub resolving: Option<String>,
    /// A path-like text that names no file: searched as text.
    pub not_a_file: Option<String>,
    /// The error or hint the search last put in the status bar: the
    /// next results clear it.
    pub shown_error: Option<String>,
    /// What the results were asked with.
    pub applied: Option<Applied>,
    /// Search results replace the browsed list.
    pub active: bool,
    /// The browsed list, kept aside with its cursor while results show.
    pub browsed: Option<Box<AssetList>>,
    /// When the browsed list had to go (the filters changed), the asset
    /// to put the cursor back on once it reloads.
    pub browsed_at: Option<String>,
    /// File names Tab found (full inputs), shown under the box.
    pub completions: Vec<String>,
}

impl Search {
    /// The list title while results show.
    pub fn title(&self) -> Option<String> {
        if !self.active {
            return None;
        }
        Some(match (&self.applied, &self.resolving) {
            (_, Some(path)) => format!("Like {}", crate::sanitize::line(path, 80)),
            (Some(a), None) => a.title(),
            (None, None) => "Search".to_string(),
        })
    }

    pub fn mark_of(&self, id: &str) -> Option<Mark> {
        self.marks.get(id).copied()
    }

    /// Whether `id` is what the results look like.
    pub fn is_reference(&self, id: &str) -> bool {
        matches!(
            self.applied.as_ref().and_then(|a| a.image.as_ref()),
            Some(ImageRef::Asset { id: r, .. }) if r == id
        )
    }

    /// Counts of (likes, unlikes).
    pub fn mark_counts(&self) -> (usize, usize) {
        let likes = self.marks.values().filter(|m| **m == Mark::Like).count();
        (likes, self.marks.len() - likes)
    }
}

/// A ratio one step up or down, within 0..=1, on the tenths.
pub fn step(ratio: Option<f64>, up: bool) -> Option<f64> {
    let r = ratio.unwrap_or(RATIO_START) + if up { RATIO_STEP } else { -RATIO_STEP };
    Some(((r * 10.0).round() / 10.0).clamp(0.0, 1.0))
}

/// `auto` or `0.6`.
pub fn ratio_label(ratio: Option<f64>) -> String {
    match ratio {
        None => "auto".to_string(),
        Some(r) => format!("{r:.1}"),
    }
}

/// A string value in the filter syntax: double-quoted, `\` and `"`
/// escaped.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The filter pane's choices as a search `filter` (Meilisearch syntax),
/// conditions joined by `AND`; `None` when nothing is filtered. Sort,
/// order and page size are not filters.
pub fn search_filter(f: &Filters) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    match f.types.len() {
        0 => {}
        1 => parts.push(format!("type = {}", quote(&f.types[0]))),
        _ => parts.push(format!(
            "type IN [{}]",
            f.types
                .iter()
                .map(|t| quote(t))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    let mut eq = |attr: &str, v: &Option<String>| {
        if let Some(v) = v {
            parts.push(format!("{attr} = {}", quote(v)));
        }
    };
    eq("privacy", &f.privacy);
    eq("authorId", &f.author);
    eq("modelId", &f.model);
    eq(
        "collectionIds",
        &f.collection.as_ref().map(|(id, _)| id.clone()),
    );
    if let Some(d) = &f.created_after {
        parts.push(format!(
            "createdAt >= {}",
            quote(&format!("{d}T00:00:00.000Z"))
        ));
    }
    if let Some(d) = &f.created_before {
        parts.push(format!(
            "createdAt <= {}",
            quote(&format!("{d}T23:59:59.999Z"))
        ));
    }
    for t in &f.tags {
        parts.push(format!("tags = {}", quote(t)));
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// `sortBy` for a chosen sort: `["createdAt:desc"]`.
fn sort_by(f: &Filters) -> Vec<String> {
    match f.sort {
        None => Vec::new(),
        Some(field) => {
            let dir = f.direction.unwrap_or(SortDirection::Desc);
            vec![format!("{}:{}", field.as_str(), dir.as_str())]
        }
    }
}

/// The request for results (paging is added per page). Relevance orders
/// them unless a sort was chosen in the filter pane.
pub fn request(applied: &Applied, filters: &Filters) -> SearchRequest {
    let mut r = SearchRequest {
        query: applied.query.clone(),
        filter: search_filter(filters),
        query_semantic_ratio: applied.query.as_ref().and(applied.query_ratio),
        sort_by: sort_by(filters),
        ..SearchRequest::default()
    };
    if applied.image_mode() {
        r.image_semantic_ratio = applied.image_ratio;
        if applied.like.is_empty() && applied.unlike.is_empty() {
            r.image = applied.image.as_ref().map(ImageRef::reference);
        } else {
            let mut like: Vec<String> = applied.image.iter().map(ImageRef::reference).collect();
            like.extend(applied.like.iter().cloned());
            r.images = Some(SearchImages {
                like,
                unlike: applied.unlike.clone(),
            });
        }
    }
    r
}

/// The browsed list through search, when a filter the list endpoint
/// cannot apply is set: the team's tags (the list's `tags` parameter is
/// for public assets across teams).
pub fn browse_request(filters: &Filters) -> Option<SearchRequest> {
    if filters.tags.is_empty() {
        return None;
    }
    let mut sort = sort_by(filters);
    if sort.is_empty() {
        let dir = filters.direction.unwrap_or(SortDirection::Desc);
        sort.push(format!(
            "{}:{}",
            SortField::CreatedAt.as_str(),
            dir.as_str()
        ));
    }
    Some(SearchRequest {
        filter: search_filter(filters),
        sort_by: sort,
        ..SearchRequest::default()
    })
}

/// The longest start every candidate shares.
pub fn common_prefix(candidates: &[String]) -> String {
    let Some(first) = candidates.first() else {
        return String::new();
    };
    let mut end = first.len();
    for c in &candidates[1..] {
        end = first
            .char_indices()
            .zip(c.chars())
            .take_while(|((_, a), b)| a == b)
            .map(|((i, a), _)| i + a.len_utf8())
            .last()
            .unwrap_or(0)
            .min(end);
    }
    first[..end].to_string()
}

/// Whether typed text is an asset id in the provider's shape (Scenario:
/// `asset_` and 22 letters or digits; TwelveLabs: 24 hexadecimal
/// digits): `/` then looks it up instead of searching for it.
pub fn looks_like_id(provider: crate::provider::ProviderKind, text: &str) -> bool {
    use crate::provider::ProviderKind;
    match provider {
        ProviderKind::Scenario => text.strip_prefix("asset_").is_some_and(|rest| {
            rest.len() == 22 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
        }),
        ProviderKind::TwelveLabs => text.len() == 24 && text.bytes().all(|b| b.is_ascii_hexdigit()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_in_the_providers_shape() {
        use crate::provider::ProviderKind::{Scenario, TwelveLabs};
        assert!(looks_like_id(Scenario, "asset_fKRURIAFmKuj10QBXo11LC"));
        assert!(
            !looks_like_id(Scenario, "asset_fKRURIAFmKuj10QBX"),
            "half typed"
        );
        assert!(!looks_like_id(Scenario, "asset_fKRURIAFmKuj10QBXo11L-"));
        assert!(!looks_like_id(Scenario, "neon city"));
        assert!(!looks_like_id(Scenario, "65f0c3a1b2c3d4e5f6a7b8c9"));
        assert!(looks_like_id(TwelveLabs, "65f0c3a1b2c3d4e5f6a7b8c9"));
        assert!(!looks_like_id(TwelveLabs, "asset_fKRURIAFmKuj10QBXo11LC"));
    }

    use super::*;

    #[test]
    fn input_kinds() {
        assert_eq!(classify("  "), Input::Empty);
        assert_eq!(classify("@"), Input::Empty);
        assert_eq!(classify(" castle "), Input::Text("castle"));
        assert_eq!(classify("sci-fi/fantasy"), Input::Text("sci-fi/fantasy"));
        assert_eq!(
            classify("@photo.png"),
            Input::Path {
                path: "photo.png",
                explicit: true,
                words: ""
            }
        );
        assert_eq!(
            classify("~/a.png"),
            Input::Path {
                path: "~/a.png",
                explicit: false,
                words: ""
            }
        );
        assert!(completes("@") && completes("./x") && !completes("cas"));
    }

    #[test]
    fn words_after_a_path_are_a_text_query_and_quotes_keep_spaces_in_the_path() {
        let path = |input| match classify(input) {
            Input::Path { path, words, .. } => (unquote(path), words.to_string()),
            other => panic!("{input}: {other:?}"),
        };
        assert_eq!(
            path("@./a.jpg neon  city "),
            ("./a.jpg".into(), "neon  city".into())
        );
        assert_eq!(path("./a.jpg neon"), ("./a.jpg".into(), "neon".into()));
        assert_eq!(
            path("@'my shots/a b.png' at dusk"),
            ("my shots/a b.png".into(), "at dusk".into())
        );
        assert_eq!(path("@\"~/a b.png\""), ("~/a b.png".into(), String::new()));
        assert_eq!(
            path(r"@~/my\ shots/a.png red"),
            ("~/my shots/a.png".into(), "red".into())
        );
        assert_eq!(path("'./x y.png' z"), ("./x y.png".into(), "z".into()));
        // a quote still open is the path as typed so far
        assert_eq!(path("@'./half typ"), ("./half typ".into(), String::new()));
        // a quoted word that is not a path is text
        assert_eq!(
            classify("'castle' at dawn"),
            Input::Text("'castle' at dawn")
        );
        assert_eq!(quote_path("my shots/a'b.png"), r"my\ shots/a\'b.png");
        assert_eq!(unquote(&quote_path(r"a b\c")), r"a b\c");
    }

    #[test]
    fn ratios_step_by_tenths_within_bounds() {
        assert_eq!(step(None, true), Some(0.6));
        assert_eq!(step(None, false), Some(0.4));
        assert_eq!(step(Some(0.5), true), Some(0.6));
        assert_eq!(step(Some(0.1), false), Some(0.0));
        assert_eq!(step(Some(0.0), false), Some(0.0));
        assert_eq!(step(Some(1.0), true), Some(1.0));
        // no drift after many steps
        let mut r = Some(0.0);
        for _ in 0..7 {
            r = step(r, true);
        }
        assert_eq!(ratio_label(r), "0.7");
        assert_eq!(r, Some(0.7));
        assert_eq!(ratio_label(None), "auto");
    }

    #[test]
    fn prefixes_and_words() {
        let c = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            common_prefix(&c(&["@a/photo1.png", "@a/photo2.png"])),
            "@a/photo"
        );
        assert_eq!(common_prefix(&c(&["é1", "é2"])), "é");
        assert_eq!(common_prefix(&c(&["x"])), "x");
        assert_eq!(common_prefix(&[]), "");
    }
}
