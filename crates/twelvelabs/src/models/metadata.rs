//! `user_metadata`: string keys to strings, numbers, booleans or lists of
//! strings (and `null` in a PATCH, where it deletes the key). The keys keep
//! the order the server sent them in.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Number, Value};

/// One metadata value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MetadataValue {
    /// Only meaningful in a write: PATCH deletes the key.
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Strings(Vec<String>),
    /// Any other JSON the service may send, kept as sent.
    Other(Value),
}

impl MetadataValue {
    /// The value as a user would type it: `travel`, `4.5`, `true`,
    /// `beach, summer`. Raw: sanitize before display.
    pub fn to_text(&self) -> String {
        match self {
            MetadataValue::Null => "null".into(),
            MetadataValue::Bool(b) => b.to_string(),
            MetadataValue::Number(n) => n.to_string(),
            MetadataValue::String(s) => s.clone(),
            MetadataValue::Strings(list) => list.join(", "),
            MetadataValue::Other(v) => v.to_string(),
        }
    }

    /// A value typed as text: `true`/`false` become booleans, a JSON
    /// number becomes a number, anything else stays a string.
    pub fn parse(text: &str) -> MetadataValue {
        match text {
            "true" => return MetadataValue::Bool(true),
            "false" => return MetadataValue::Bool(false),
            _ => {}
        }
        if let Ok(Value::Number(n)) = serde_json::from_str::<Value>(text) {
            if text.trim() == text {
                return MetadataValue::Number(n);
            }
        }
        MetadataValue::String(text.to_string())
    }
}

impl From<&str> for MetadataValue {
    fn from(s: &str) -> Self {
        MetadataValue::String(s.to_string())
    }
}

impl From<String> for MetadataValue {
    fn from(s: String) -> Self {
        MetadataValue::String(s)
    }
}

impl From<bool> for MetadataValue {
    fn from(b: bool) -> Self {
        MetadataValue::Bool(b)
    }
}

impl From<i64> for MetadataValue {
    fn from(n: i64) -> Self {
        MetadataValue::Number(n.into())
    }
}

/// An ordered map of metadata keys to values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserMetadata(pub Vec<(String, MetadataValue)>);

impl UserMetadata {
    pub fn new() -> Self {
        UserMetadata(Vec::new())
    }

    pub fn get(&self, key: &str) -> Option<&MetadataValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Sets `key` (in place if it exists, else at the end).
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<MetadataValue>) {
        let key = key.into();
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<MetadataValue> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(i).1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &MetadataValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Compact JSON, as `POST /assets` wants it in its form field.
    pub fn to_json_string(&self) -> String {
        // a map of strings to JSON values always encodes
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

impl<K: Into<String>, V: Into<MetadataValue>> FromIterator<(K, V)> for UserMetadata {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut m = UserMetadata::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

impl Serialize for UserMetadata {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for UserMetadata {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = UserMetadata;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of metadata values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UserMetadata, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0).min(256));
                while let Some((k, v)) = map.next_entry::<String, MetadataValue>()? {
                    out.push((k, v));
                }
                Ok(UserMetadata(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_types_and_nulls() {
        let text = r#"{"z":"a","n":4.5,"i":3,"b":true,"tags":["x","y"],"gone":null}"#;
        let m: UserMetadata = serde_json::from_str(text).unwrap();
        assert_eq!(
            m.keys().collect::<Vec<_>>(),
            ["z", "n", "i", "b", "tags", "gone"]
        );
        assert_eq!(m.get("b"), Some(&MetadataValue::Bool(true)));
        assert_eq!(m.get("gone"), Some(&MetadataValue::Null));
        assert_eq!(m.get("tags").unwrap().to_text(), "x, y");
        assert_eq!(serde_json::to_string(&m).unwrap(), text);
    }

    #[test]
    fn typed_text_becomes_the_right_kind() {
        assert_eq!(MetadataValue::parse("true"), MetadataValue::Bool(true));
        assert_eq!(MetadataValue::parse("4.5").to_text(), "4.5");
        assert!(matches!(
            MetadataValue::parse("12"),
            MetadataValue::Number(_)
        ));
        assert_eq!(
            MetadataValue::parse("travel"),
            MetadataValue::from("travel")
        );
        assert_eq!(MetadataValue::parse(" 12"), MetadataValue::from(" 12"));
    }
}
