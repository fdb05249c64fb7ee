//! The inspector's content: a summary of the fields people look for, then
//! every other field grouped by where it sits in the asset, and the raw
//! JSON. Built once per asset shown, sanitized as it is built.

use std::collections::HashMap;
use std::sync::Arc;

use crate::provider::AssetView;
pub use crate::provider::{plural, Section};
/// Most columns the field names take; longer names are cut with `…`.
pub const LABEL_MAX: usize = 18;

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
    pub asset: Option<Arc<AssetView>>,
    pub detail: Detail,
    /// Bumped when the shown asset changes; stale answers are dropped.
    pub generation: u64,
    pub sections: Vec<Section>,
    /// Sanitized lines of the pretty JSON, built on first `J`.
    pub json: Option<Vec<String>>,
    pub raw: bool,
    pub scroll: usize,
    /// Assets jumped from (parent/root), for `Backspace`.
    pub trail: Vec<Arc<AssetView>>,
    /// True when the shown asset is not the list's current one (a jump).
    pub detached: bool,
    /// Sections fetched apart for the shown asset (a video's transcript
    /// and indexes), after its own; empty until asked for.
    extras: Vec<Section>,
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
            extras: Vec::new(),
            version: 0,
            laid: None,
        }
    }
}

impl Inspector {
    /// Shows `asset`; returns the new generation. Keeps the raw/fields
    /// choice, resets the scroll.
    pub fn show(&mut self, asset: Arc<AssetView>, collections: &HashMap<String, String>) -> u64 {
        let same = self
            .asset
            .as_ref()
            .map(|a| a.id == asset.id)
            .unwrap_or(false);
        if !same {
            self.generation += 1;
            self.scroll = 0;
            self.detail = Detail::Listed;
            self.extras.clear();
        }
        self.sections = asset.sections(collections);
        self.sections.extend(self.extras.iter().cloned());
        self.json = self.raw.then(|| asset.json_lines());
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
        self.sections.extend(self.extras.iter().cloned());
        self.version += 1;
    }

    /// Whether the extra sections are yet to be asked for.
    pub fn lacks_extras(&self) -> bool {
        self.extras.is_empty()
    }

    /// Shows `extras` after the asset's own sections, in place of the
    /// previous ones.
    pub fn set_extras(&mut self, extras: Vec<Section>) {
        let own = self.sections.len().saturating_sub(self.extras.len());
        self.sections.truncate(own);
        self.sections.extend(extras.iter().cloned());
        self.extras = extras;
        self.version += 1;
    }

    /// Replaces the shown asset with a fresher copy of the same one.
    pub fn refresh(&mut self, asset: Arc<AssetView>, collections: &HashMap<String, String>) {
        self.sections = asset.sections(collections);
        self.sections.extend(self.extras.iter().cloned());
        self.json = self.raw.then(|| asset.json_lines());
        self.asset = Some(asset);
        self.detail = Detail::Loaded;
        self.version += 1;
    }

    pub fn toggle_raw(&mut self) {
        self.raw = !self.raw;
        self.scroll = 0;
        if self.raw && self.json.is_none() {
            self.json = self.asset.as_deref().map(AssetView::json_lines);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> AssetView {
        AssetView::from(serde_json::from_value::<crate::api::models::Asset>(serde_json::json!({
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
        .unwrap())
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
        let lines = fixture().json_lines();
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
