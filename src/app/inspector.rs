//! The inspector's content: a summary of the fields people look for, then
//! every other field grouped by where it sits in the asset, and the raw
//! JSON. Built once per asset shown, sanitized as it is built.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::api::models::Asset;
use crate::sanitize;

/// A field value is cut here; the raw JSON view has the rest.
const VALUE_MAX: usize = 4000;
const JSON_MAX_LINES: usize = 20_000;
/// Most columns the field names take; longer names are cut with `…`.
pub const LABEL_MAX: usize = 18;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub rows: Vec<(String, String)>,
}

/// Where the details of the shown asset stand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Detail {
    /// Shown from the list's copy; the full asset is not fetched yet.
    Listed,
    Loading,
    Loaded,
    Failed(String),
}

#[derive(Clone, Debug)]
pub struct Inspector {
    pub asset: Option<Arc<Asset>>,
    pub detail: Detail,
    /// Bumped when the shown asset changes; stale answers are dropped.
    pub generation: u64,
    pub sections: Vec<Section>,
    /// Sanitized lines of the pretty JSON, built on first `J`.
    pub json: Option<Vec<String>>,
    pub raw: bool,
    pub scroll: usize,
    /// Assets jumped from (parent/root), for `Backspace`.
    pub trail: Vec<Arc<Asset>>,
    /// True when the shown asset is not the list's current one (a jump).
    pub detached: bool,
    /// Bumped whenever `sections`, `json` or `raw` change.
    version: u64,
    /// The lines as drawn, for one width (see [`Inspector::lay_out`]).
    laid: Option<Laid>,
}

/// One line of the inspector as drawn, its text already wrapped, fitted
/// and padded: a frame styles the visible ones and measures nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InspectorLine {
    /// A section's title, fitted, and the rule's length after it.
    Rule {
        title: String,
        rule: usize,
    },
    /// A field: the padded label column (blank on continuation lines) and
    /// a piece of its value; `tag` styles the tags row.
    Field {
        label: String,
        value: String,
        tag: bool,
    },
    Blank,
    /// A row of the raw JSON.
    Raw(String),
}

#[derive(Clone, Debug)]
struct Laid {
    width: usize,
    version: u64,
    lines: Vec<InspectorLine>,
}

impl Default for Inspector {
    fn default() -> Self {
        Inspector {
            asset: None,
            detail: Detail::Listed,
            generation: 0,
            sections: Vec::new(),
            json: None,
            raw: false,
            scroll: 0,
            trail: Vec::new(),
            detached: false,
            version: 0,
            laid: None,
        }
    }
}

impl Inspector {
    /// Shows `asset`; returns the new generation. Keeps the raw/fields
    /// choice, resets the scroll.
    pub fn show(&mut self, asset: Arc<Asset>, collections: &HashMap<String, String>) -> u64 {
        let same = self
            .asset
            .as_ref()
            .map(|a| a.id == asset.id)
            .unwrap_or(false);
        if !same {
            self.generation += 1;
            self.scroll = 0;
            self.detail = Detail::Listed;
        }
        self.sections = sections(&asset, collections);
        self.json = self.raw.then(|| json_lines(&asset));
        self.asset = Some(asset);
        self.version += 1;
        self.generation
    }

    /// Shows nothing (the list is empty): a new generation, the raw/fields
    /// choice kept.
    pub fn clear(&mut self) {
        *self = Inspector {
            generation: self.generation + 1,
            raw: self.raw,
            version: self.version + 1,
            ..Inspector::default()
        };
    }

    /// The fields again (collection names arrived).
    pub fn set_sections(&mut self, sections: Vec<Section>) {
        self.sections = sections;
        self.version += 1;
    }

    /// Replaces the shown asset with a fresher copy of the same one.
    pub fn refresh(&mut self, asset: Arc<Asset>, collections: &HashMap<String, String>) {
        self.sections = sections(&asset, collections);
        self.json = self.raw.then(|| json_lines(&asset));
        self.asset = Some(asset);
        self.detail = Detail::Loaded;
        self.version += 1;
    }

    pub fn toggle_raw(&mut self) {
        self.raw = !self.raw;
        self.scroll = 0;
        if self.raw && self.json.is_none() {
            self.json = self.asset.as_deref().map(json_lines);
        }
        self.version += 1;
    }

    /// Lays the content out for a text area `width` columns wide, once:
    /// again only when the width or the content changed. `update()` calls
    /// it after every change, so a frame only styles the visible lines.
    pub fn lay_out(&mut self, width: usize) {
        let fresh = self
            .laid
            .as_ref()
            .is_some_and(|l| l.width == width && l.version == self.version);
        if !fresh {
            self.laid = Some(Laid {
                width,
                version: self.version,
                lines: self.lines_for(width),
            });
        }
    }

    /// The lines for `width`: the ones laid out when they are for this
    /// width and content, else laid out now (and not kept).
    pub fn lines(&self, width: usize) -> std::borrow::Cow<'_, [InspectorLine]> {
        match &self.laid {
            Some(l) if l.width == width && l.version == self.version => {
                std::borrow::Cow::Borrowed(&l.lines)
            }
            _ => std::borrow::Cow::Owned(self.lines_for(width)),
        }
    }

    fn lines_for(&self, width: usize) -> Vec<InspectorLine> {
        if self.raw {
            return self
                .json
                .as_deref()
                .unwrap_or(&[])
                .iter()
                .flat_map(|l| wrap_raw(l, width))
                .map(InspectorLine::Raw)
                .collect();
        }
        let label_w = self.label_width(width);
        let value_w = width.saturating_sub(label_w + 2).max(1);
        let mut out = Vec::new();
        for section in &self.sections {
            // a rule with the title in it: "── Generation ─────"
            let title = crate::text::fit(&section.title, width.saturating_sub(4));
            let rule = width.saturating_sub(crate::text::width(&title) + 4);
            out.push(InspectorLine::Rule { title, rule });
            for (k, v) in &section.rows {
                let mut first = true;
                for part in v.split('\n') {
                    for piece in crate::text::wrap(part, value_w) {
                        let label = if first {
                            let name = crate::text::fit(k, label_w);
                            let pad = label_w.saturating_sub(crate::text::width(&name)) + 2;
                            format!("{name}{}", " ".repeat(pad))
                        } else {
                            " ".repeat(label_w + 2)
                        };
                        first = false;
                        out.push(InspectorLine::Field {
                            label,
                            value: piece,
                            tag: k == "Tags",
                        });
                    }
                }
            }
            out.push(InspectorLine::Blank);
        }
        out
    }

    /// Columns of the field-name column in a text area `width` wide:
    /// the longest name, at most [`LABEL_MAX`] and at most a third of the
    /// area (the values need the room more).
    pub fn label_width(&self, width: usize) -> usize {
        let longest = self
            .sections
            .iter()
            .flat_map(|s| &s.rows)
            .map(|(k, _)| crate::text::width(k))
            .max()
            .unwrap_or(0);
        longest.min(LABEL_MAX).min(width / 3).max(1)
    }

    /// Lines of content when the text area is `width` columns wide (values
    /// wrap after the label column; raw JSON lines wrap at the width), for
    /// scroll bounds. Matches what `ui::inspector` draws.
    pub fn line_count(&self, width: usize) -> usize {
        if let Some(l) = &self.laid {
            if l.width == width && l.version == self.version {
                return l.lines.len();
            }
        }
        if self.raw {
            return self
                .json
                .as_ref()
                .map(|lines| lines.iter().map(|l| wrap_raw(l, width).len()).sum())
                .unwrap_or(0);
        }
        let value_w = width.saturating_sub(self.label_width(width) + 2).max(1);
        self.sections
            .iter()
            .map(|s| {
                2 + s
                    .rows
                    .iter()
                    .flat_map(|(_, v)| v.split('\n'))
                    .map(|part| crate::text::wrap(part, value_w).len())
                    .sum::<usize>()
            })
            .sum()
    }
}

/// One line of the raw JSON cut into rows of at most `width` columns;
/// the rows after the first are indented under the line's own indentation
/// (plus two), so a wrapped value reads as a continuation.
pub fn wrap_raw(line: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let width = width.max(1);
    if crate::text::width(line) <= width {
        return vec![line.to_string()];
    }
    let lead = line.len() - line.trim_start_matches(' ').len();
    let indent = if lead + 2 + 8 <= width { lead + 2 } else { 0 };
    let mut rows = Vec::new();
    let mut row = String::new();
    let mut used = 0;
    let pad = " ".repeat(indent);
    for c in line.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            // break after the last space when the word it cuts is short
            let start = if rows.is_empty() { lead } else { indent };
            let split = row
                .rfind(' ')
                .filter(|&b| b + 1 > start && crate::text::width(&row[b + 1..]) <= width / 3);
            let carry = match split {
                Some(b) => row.split_off(b + 1),
                None => String::new(),
            };
            rows.push(std::mem::take(&mut row));
            row.push_str(&pad);
            row.push_str(&carry);
            used = indent + crate::text::width(&carry);
        }
        row.push(c);
        used += w;
    }
    rows.push(row);
    rows
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) if s.is_empty() => "\"\"".into(),
        Value::String(s) => sanitize::multiline(s, VALUE_MAX),
        Value::Null => "null".into(),
        Value::Array(items) if items.is_empty() => "[] (empty)".into(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let parts: Vec<String> = items.iter().map(text).collect();
            sanitize::line(&parts.join(", "), VALUE_MAX)
        }
        other => sanitize::line(&other.to_string(), VALUE_MAX),
    }
}

/// Summary first, then the remaining fields grouped by their top-level
/// key (`metadata`, `properties`, ...), nested keys flattened with dots.
pub fn sections(asset: &Asset, collections: &HashMap<String, String>) -> Vec<Section> {
    let line = |s: &str| sanitize::line(s, VALUE_MAX);
    let mut summary = Vec::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            summary.push((k.to_string(), v));
        }
    };
    let meta = asset.metadata.as_ref();
    put("Name", asset.name().map(line));
    put("Id", Some(line(&asset.id)));
    put(
        "Prompt",
        asset.prompt().map(|p| sanitize::multiline(p, VALUE_MAX)),
    );
    put(
        "Negative",
        meta.and_then(|m| m.negative_prompt.as_deref())
            .map(|p| sanitize::multiline(p, VALUE_MAX)),
    );
    put("Seed", asset.seed().map(|s| line(&s.to_string())));
    put("Model", asset.model_id().map(line));
    put(
        "Dimensions",
        match (asset.width(), asset.height()) {
            (Some(w), Some(h)) => Some(format!("{w} × {h} px")),
            _ => None,
        },
    );
    // size and format on one line
    let mime = asset
        .mime_type
        .as_deref()
        .map(line)
        .filter(|m| !m.is_empty());
    put(
        "File",
        match (asset.file_size().map(crate::text::human_size), mime) {
            (Some(s), Some(m)) => Some(format!("{s} · {m}")),
            (s, m) => s.or(m),
        },
    );
    put(
        "Type",
        match (asset.asset_type(), asset.kind()) {
            (Some(t), Some(k)) => Some(line(&format!("{} · {}", t.as_str(), k.as_str()))),
            (Some(t), None) => Some(line(t.as_str())),
            (None, Some(k)) => Some(line(k.as_str())),
            _ => None,
        },
    );
    put("Privacy", asset.privacy.as_ref().map(|p| line(p.as_str())));
    put("Created", asset.created_at.as_deref().map(line));
    put("Updated", asset.updated_at.as_deref().map(line));
    put(
        "Tags",
        (!asset.tags().is_empty()).then(|| line(&asset.tags().join(", "))),
    );
    put(
        "Collections",
        (!asset.collection_ids().is_empty()).then(|| {
            let names: Vec<String> = asset
                .collection_ids()
                .iter()
                .map(|id| collections.get(id).cloned().unwrap_or_else(|| id.clone()))
                .collect();
            line(&names.join(", "))
        }),
    );
    put(
        "Parent",
        asset.parent_id().map(|p| format!("{} (p)", line(p))),
    );
    put(
        "Root",
        asset.root_parent_id().map(|p| format!("{} (P)", line(p))),
    );

    let mut out = vec![Section {
        title: "Summary".into(),
        rows: summary,
    }];
    let Ok(Value::Object(map)) = serde_json::to_value(asset) else {
        return out;
    };
    const SHOWN: &[&str] = &[
        "id",
        "createdAt",
        "updatedAt",
        "privacy",
        "tags",
        "collectionIds",
        "kind",
        "embedding",
        "mimeType",
    ];
    const META_SHOWN: &[&str] = &[
        "name",
        "prompt",
        "negativePrompt",
        "seed",
        "modelId",
        "type",
        "parentId",
        "rootParentId",
    ];
    // width, height and size, where they hold what the summary shows, are
    // not repeated under metadata / properties
    let in_summary = |k: &str, v: &Value| -> bool {
        let shown = match k {
            "width" => asset.width(),
            "height" => asset.height(),
            "size" => asset.file_size(),
            _ => return false,
        };
        shown.is_some() && v.as_u64() == shown
    };
    let mut general = Vec::new();
    for (key, value) in &map {
        if SHOWN.contains(&key.as_str()) {
            continue;
        }
        match value {
            Value::Object(inner) => {
                let mut rows = Vec::new();
                let skip: &[&str] = if key == "metadata" { META_SHOWN } else { &[] };
                let summarized = key == "metadata" || key == "properties";
                for (k, v) in inner {
                    let shown = skip.contains(&k.as_str()) || (summarized && in_summary(k, v));
                    if !shown {
                        flatten(k, v, &mut rows);
                    }
                }
                if !rows.is_empty() {
                    let title = match key.as_str() {
                        "metadata" => "Generation".to_string(),
                        "properties" => "Properties".to_string(),
                        other => line(other),
                    };
                    out.push(Section { title, rows });
                }
            }
            other => flatten(key, other, &mut general),
        }
    }
    if let Some(e) = &asset.embedding {
        general.push(("embedding".into(), plural(e.len(), "number", "numbers")));
    }
    if !general.is_empty() {
        out.insert(
            1,
            Section {
                title: "Asset".into(),
                rows: general,
            },
        );
    }
    out
}

/// `"1 match"`, `"9 matches"`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn flatten(key: &str, value: &Value, rows: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                flatten(&format!("{key}.{k}"), v, rows);
            }
        }
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
            for (i, v) in items.iter().enumerate().take(100) {
                flatten(&format!("{key}[{i}]"), v, rows);
            }
        }
        other => rows.push((sanitize::line(key, 200), text(other))),
    }
}

/// The asset as pretty JSON, one sanitized line per line.
pub fn json_lines(asset: &Asset) -> Vec<String> {
    // hostile characters shown escaped (`\u202e`), not silently removed
    let pretty = crate::api::models::json::to_string_pretty(asset).unwrap_or_default();
    pretty
        .lines()
        .take(JSON_MAX_LINES)
        .map(|l| sanitize::line(l, VALUE_MAX))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Asset {
        serde_json::from_value(serde_json::json!({
            "id": "asset_1",
            "createdAt": "2026-01-02T03:04:05Z",
            "privacy": "private",
            "tags": ["hero", "x\u{1b}[31m"],
            "collectionIds": ["col_1"],
            "kind": "image",
            "metadata": {"name": "Castle", "type": "inference-txt2img", "prompt": "a red\ncastle",
                         "seed": "42", "modelId": "model_x", "parentId": "asset_0",
                         "guidance": 7.5, "custom": {"deep": "\u{202e}v"}},
            "properties": {"width": 512, "height": 256, "size": 2048},
            "somethingNew": [{"a": 1}]
        }))
        .unwrap()
    }

    #[test]
    fn summary_then_every_other_field() {
        let cols = HashMap::from([("col_1".to_string(), "Heroes".to_string())]);
        let s = sections(&fixture(), &cols);
        let summary: HashMap<_, _> = s[0].rows.iter().cloned().collect();
        assert_eq!(summary["Name"], "Castle");
        assert_eq!(summary["Prompt"], "a red\ncastle");
        assert_eq!(summary["Seed"], "42");
        assert_eq!(summary["Dimensions"], "512 × 256 px");
        assert_eq!(summary["File"], "2.0 KiB");
        assert_eq!(summary["Collections"], "Heroes");
        assert_eq!(summary["Type"], "inference-txt2img · image");
        assert!(summary["Parent"].starts_with("asset_0"));
        let all: Vec<&(String, String)> = s.iter().flat_map(|s| &s.rows).collect();
        assert!(all.iter().any(|(k, v)| k == "guidance" && v == "7.5"));
        assert!(all.iter().any(|(k, v)| k == "custom.deep" && v == "v"));
        assert!(all
            .iter()
            .any(|(k, v)| k == "somethingNew[0].a" && v == "1"));
        assert!(all
            .iter()
            .all(|(k, v)| !k.contains('\u{1b}') && !v.contains('\u{1b}')));
        // summary fields are not repeated below
        assert!(!s[1..]
            .iter()
            .flat_map(|s| &s.rows)
            .any(|(k, _)| k == "prompt"));
    }

    #[test]
    fn size_and_file_are_said_once() {
        let mut a = fixture();
        a.mime_type = Some("image/png".into());
        let s = sections(&a, &HashMap::new());
        let summary: HashMap<_, _> = s[0].rows.iter().cloned().collect();
        assert_eq!(summary["File"], "2.0 KiB · image/png");
        let below: Vec<&String> = s[1..]
            .iter()
            .flat_map(|s| &s.rows)
            .map(|(k, _)| k)
            .collect();
        for k in ["size", "width", "height", "mimeType"] {
            assert!(!below.iter().any(|b| *b == k), "{k} repeated: {below:?}");
        }
        let titles: Vec<&str> = s.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Summary", "Asset", "Generation"]);
    }

    #[test]
    fn labels_fit_the_longest_name_up_to_a_cap() {
        let mut i = Inspector::default();
        i.show(Arc::new(fixture()), &HashMap::new());
        // "somethingNew[0].a" is 17 columns: it fits whole
        assert_eq!(i.label_width(80), 17);
        assert_eq!(i.label_width(30), 10, "a third of a narrow area at most");
        i.sections[1]
            .rows
            .push(("a.very.long.flattened.key.name".into(), "1".into()));
        assert_eq!(i.label_width(200), LABEL_MAX);
    }

    #[test]
    fn raw_lines_wrap_under_their_indentation() {
        let rows = wrap_raw("    \"prompt\": \"a long value\"", 20);
        assert_eq!(rows, vec!["    \"prompt\": \"a ", "      long value\""]);
        // a long word is cut where it must be
        let rows = wrap_raw(&format!("  \"{}\"", "x".repeat(30)), 20);
        assert_eq!(rows[0].len(), 20);
        assert_eq!(wrap_raw("short", 20), vec!["short"]);
        assert!(wrap_raw(&"日本語".repeat(10), 7)
            .iter()
            .all(|r| crate::text::width(r) <= 7));
    }

    #[test]
    fn raw_json_is_sanitized_and_complete() {
        let lines = json_lines(&fixture());
        assert!(lines.iter().any(|l| l.contains("\"somethingNew\"")));
        assert!(lines
            .iter()
            .all(|l| !l.chars().any(crate::sanitize::is_forbidden)));
        let mut i = Inspector::default();
        let g = i.show(Arc::new(fixture()), &HashMap::new());
        assert_eq!(g, 1);
        assert!(i.json.is_none());
        i.toggle_raw();
        assert_eq!(i.line_count(80), lines.len());
        assert_eq!(
            i.show(Arc::new(fixture()), &HashMap::new()),
            1,
            "same asset keeps its generation"
        );
    }
}
