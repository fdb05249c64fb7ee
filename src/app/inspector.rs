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
/// Columns of the field names in the inspector.
pub const LABEL_WIDTH: usize = 12;

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
        self.generation
    }

    /// Replaces the shown asset with a fresher copy of the same one.
    pub fn refresh(&mut self, asset: Arc<Asset>, collections: &HashMap<String, String>) {
        self.sections = sections(&asset, collections);
        self.json = self.raw.then(|| json_lines(&asset));
        self.asset = Some(asset);
        self.detail = Detail::Loaded;
    }

    pub fn toggle_raw(&mut self) {
        self.raw = !self.raw;
        self.scroll = 0;
        if self.raw && self.json.is_none() {
            self.json = self.asset.as_deref().map(json_lines);
        }
    }

    /// Lines of content when values wrap at `width` columns (the text
    /// area less the label column), for scroll bounds.
    pub fn line_count(&self, width: usize) -> usize {
        if self.raw {
            return self.json.as_ref().map(Vec::len).unwrap_or(0);
        }
        let value_w = width.saturating_sub(LABEL_WIDTH + 1).max(1);
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

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => sanitize::multiline(s, VALUE_MAX),
        Value::Null => "null".into(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let parts: Vec<String> = items.iter().map(text).collect();
            sanitize::line(&parts.join(", "), VALUE_MAX)
        }
        other => sanitize::line(&other.to_string(), VALUE_MAX),
    }
}

fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
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
        "Size",
        match (asset.width(), asset.height()) {
            (Some(w), Some(h)) => Some(format!("{w} × {h} px")),
            _ => None,
        },
    );
    put("File", asset.file_size().map(human_size));
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
    let mut general = Vec::new();
    for (key, value) in &map {
        if SHOWN.contains(&key.as_str()) {
            continue;
        }
        match value {
            Value::Object(inner) => {
                let mut rows = Vec::new();
                let skip: &[&str] = if key == "metadata" { META_SHOWN } else { &[] };
                for (k, v) in inner {
                    if !skip.contains(&k.as_str()) {
                        flatten(k, v, &mut rows);
                    }
                }
                if !rows.is_empty() {
                    out.push(Section {
                        title: line(key),
                        rows,
                    });
                }
            }
            other => flatten(key, other, &mut general),
        }
    }
    if let Some(e) = &asset.embedding {
        general.push(("embedding".into(), format!("{} numbers", e.len())));
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
    let pretty = serde_json::to_string_pretty(asset).unwrap_or_default();
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
        assert_eq!(summary["Size"], "512 × 256 px");
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
