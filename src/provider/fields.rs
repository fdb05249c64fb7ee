//! Field rows for the inspector, provider-neutral: sections of (label,
//! value) pairs, nested JSON flattened with dots, every string sanitized
//! as it is built.

use serde_json::Value;

use crate::sanitize;

/// A field value is cut here; the raw JSON view has the rest.
pub const VALUE_MAX: usize = 4000;
/// Most lines of the raw JSON view.
const JSON_MAX_LINES: usize = 20_000;

/// A titled group of fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub rows: Vec<(String, String)>,
}

/// `"1 match"`, `"9 matches"`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Rows for `value` under `key`: objects and arrays of objects flattened
/// to `key.inner` / `key[i]` rows, scalars and flat arrays as one row.
pub fn flatten(key: &str, value: &Value, rows: &mut Vec<(String, String)>) {
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
        other => rows.push((sanitize::line(key, 200), value_text(other))),
    }
}

/// One JSON value as a field's text, sanitized.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) if s.is_empty() => "\"\"".into(),
        Value::String(s) => sanitize::multiline(s, VALUE_MAX),
        Value::Null => "null".into(),
        Value::Array(items) if items.is_empty() => "[] (empty)".into(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let parts: Vec<String> = items.iter().map(value_text).collect();
            sanitize::line(&parts.join(", "), VALUE_MAX)
        }
        other => sanitize::line(&other.to_string(), VALUE_MAX),
    }
}

/// A provider's object as pretty JSON, one sanitized line per line;
/// hostile characters shown escaped (`\u202e`), not silently removed.
pub fn json_lines<T: serde::Serialize + ?Sized>(value: &T) -> Vec<String> {
    let pretty = crate::api::models::json::to_string_pretty(value).unwrap_or_default();
    pretty
        .lines()
        .take(JSON_MAX_LINES)
        .map(|l| sanitize::line(l, VALUE_MAX))
        .collect()
}
