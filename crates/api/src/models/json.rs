//! The one JSON writer for everything the program prints as JSON (`--json`,
//! `--jsonl`, the browser's raw view): exact JSON, but every character the
//! sanitizer would remove from a terminal ([`crate::sanitize::is_forbidden`]:
//! C1 controls, DEL, bidi controls, zero-width and invisible characters) is
//! written as a `\uXXXX` escape, which JSON allows and every reader decodes
//! back to the same string. C0 controls are escaped by `serde_json` itself.
//! So a server's `\u{9b}` (a one-byte CSI in some terminals) or `\u{202e}`
//! (right-to-left override) reaches stdout as six visible ASCII characters.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use crate::sanitize;

/// Writes `value` as compact JSON with hostile characters escaped.
pub fn to_writer<W: Write, T: Serialize + ?Sized>(out: W, value: &T) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, Escaping(CompactFormatter));
    value.serialize(&mut ser)
}

/// Writes `value` as indented JSON with hostile characters escaped.
pub fn to_writer_pretty<W: Write, T: Serialize + ?Sized>(
    out: W,
    value: &T,
) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, Escaping(PrettyFormatter::new()));
    value.serialize(&mut ser)
}

/// `value` as indented JSON with hostile characters escaped.
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::new();
    to_writer_pretty(&mut out, value)?;
    // the serializer writes only UTF-8 (and escapes are ASCII)
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
}

/// A broken asset as printed in JSON: its raw object plus `_error` (or
/// `{"_error", "raw"}` when the item is not an object). `None` for an asset
/// that decoded.
pub fn broken_asset(asset: &super::Asset) -> Option<serde_json::Value> {
    use serde_json::Value;
    let broken = asset.broken.as_ref()?;
    let reason = Value::String(broken.reason.clone());
    Some(match serde_json::from_str::<Value>(&broken.raw) {
        Ok(Value::Object(mut map)) => {
            map.insert("_error".into(), reason);
            Value::Object(map)
        }
        Ok(other) => serde_json::json!({ "_error": reason, "raw": other }),
        Err(_) => serde_json::json!({ "_error": reason }),
    })
}

/// A formatter that escapes the sanitizer's forbidden characters inside
/// strings and otherwise behaves as the one it wraps.
struct Escaping<F>(F);

fn escape_fragment<W: ?Sized + Write>(w: &mut W, fragment: &str) -> io::Result<()> {
    let mut start = 0;
    for (i, c) in fragment.char_indices() {
        // ASCII below DEL is never forbidden here (C0 never reaches a fragment)
        if (c as u32) < 0x7f || !sanitize::is_forbidden(c) {
            continue;
        }
        w.write_all(&fragment.as_bytes()[start..i])?;
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            write!(w, "\\u{unit:04x}")?;
        }
        start = i + c.len_utf8();
    }
    w.write_all(&fragment.as_bytes()[start..])
}

impl<F: Formatter> Formatter for Escaping<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        escape_fragment(writer, fragment)
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }

    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_characters_are_escaped_and_the_json_stays_exact() {
        let value = serde_json::json!({
            "name": "a\u{9b}31mb\u{202e}c\u{1b}d\u{200b}e\u{e0041}f é 日本",
            "k\u{2066}ey": [1, "\u{7f}"]
        });
        let mut out = Vec::new();
        to_writer(&mut out, &value).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\\u009b"), "{text}");
        assert!(text.contains("\\u202e"), "{text}");
        assert!(text.contains("\\u001b"), "{text}");
        assert!(text.contains("\\udb40\\udc41"), "{text}");
        assert!(text.contains("\\u007f"), "{text}");
        assert!(text.contains("k\\u2066ey"), "{text}");
        assert!(text.contains("é 日本"), "ordinary text stays as is: {text}");
        assert!(
            !text.chars().any(sanitize::is_forbidden),
            "no raw hostile character: {text:?}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
        let pretty = to_string_pretty(&value).unwrap();
        assert!(pretty.contains("\n  \"name\": \"a\\u009b31mb"), "{pretty}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&pretty).unwrap(),
            value
        );
    }
}
