//! Assets as text for the terminal: a table row and a full detail view.
//! Every value passes through the sanitizer.

use super::output::{Column, Table};
use crate::api::models::Asset;
use crate::sanitize;

pub fn asset_table() -> Table {
    Table::new(vec![
        Column {
            header: "ID",
            min: 8,
            flexible: false,
        },
        Column {
            header: "NAME",
            min: 12,
            flexible: true,
        },
        Column {
            header: "TYPE",
            min: 8,
            flexible: true,
        },
        Column {
            header: "KIND",
            min: 4,
            flexible: true,
        },
        Column {
            header: "SIZE",
            min: 4,
            flexible: false,
        },
        Column {
            header: "CREATED",
            min: 10,
            flexible: false,
        },
        Column {
            header: "TAGS",
            min: 4,
            flexible: true,
        },
    ])
}

pub fn asset_row(a: &Asset) -> Vec<String> {
    vec![
        a.id.clone(),
        a.list_name().into_owned(),
        a.asset_type().map(|t| t.to_string()).unwrap_or_default(),
        a.kind().map(|k| k.to_string()).unwrap_or_default(),
        dimensions(a),
        a.created_at.as_deref().map(short_date).unwrap_or_default(),
        a.tags().join(", "),
    ]
}

/// A table row for a provider-neutral view (the same columns).
pub fn view_row(v: &crate::provider::AssetView) -> Vec<String> {
    vec![
        v.id.clone(),
        v.list_name.clone(),
        v.type_label.clone().unwrap_or_default(),
        v.kind_label.clone().unwrap_or_default(),
        v.dims.map(|(w, h)| format!("{w}×{h}")).unwrap_or_default(),
        v.created.as_deref().map(short_date).unwrap_or_default(),
        v.tags.join(", "),
    ]
}

/// `1024×768`, or empty when unknown.
pub fn dimensions(a: &Asset) -> String {
    match (a.width(), a.height()) {
        (Some(w), Some(h)) => format!("{w}×{h}"),
        _ => String::new(),
    }
}

/// The date part of an ISO timestamp.
pub fn short_date(ts: &str) -> String {
    ts.get(..10).unwrap_or(ts).to_string()
}

/// Every field of an asset, one `key: value` line each, nested objects as
/// dotted keys, in the server's order.
pub fn asset_detail(a: &Asset) -> String {
    let mut out = String::new();
    match serde_json::to_value(a) {
        Ok(v) => flatten("", &v, &mut out),
        Err(e) => out.push_str(&format!("(cannot show this asset: {e})\n")),
    }
    out
}

fn flatten(prefix: &str, v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    sanitize::line(k, 80)
                } else {
                    format!("{prefix}.{}", sanitize::line(k, 80))
                };
                flatten(&key, v, out);
            }
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let joined: Vec<String> = items.iter().map(scalar).collect();
            line(prefix, &joined.join(", "), out);
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), item, out);
            }
        }
        other => line(prefix, &scalar(other), out),
    }
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(m) if m.is_empty() => "{}".into(),
        other => other.to_string(),
    }
}

fn line(key: &str, value: &str, out: &mut String) {
    let value = sanitize::multiline(value, sanitize::MAX_CHARS);
    let indent = " ".repeat(key.chars().count() + 2);
    let value = value.replace('\n', &format!("\n{indent}"));
    out.push_str(&format!("{key}: {value}\n"));
}
