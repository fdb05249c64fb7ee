//! Shapes shared by every endpoint: page-number pages and error bodies.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// `page_info` of the page-number lists.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PageInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_per_page: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_page: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_results: Option<u64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `{data: [...], page_info}`: one page of a page-number list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<T>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_info: Option<PageInfo>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl<T> Page<T> {
    /// The items (none when `data` is absent or `null`).
    pub fn items(&self) -> &[T] {
        self.data.as_deref().unwrap_or(&[])
    }

    pub fn into_items(self) -> Vec<T> {
        self.data.unwrap_or_default()
    }
}

/// An error body. The standard shape is `{code, message, docs_url?}`; the
/// wrapped shape `{"error": {code, message}}` and the integer `error_code`
/// are read by [`ErrorBody::parse`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs_url: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ErrorBody {
    /// Reads any of the documented error shapes; `None` when the body is
    /// not a JSON object (an HTML page, an empty body).
    pub fn parse(body: &[u8]) -> Option<ErrorBody> {
        let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
            return None;
        };
        let text = |v: Option<&Value>| match v {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let mut out = ErrorBody {
            code: text(map.get("code")).or_else(|| text(map.get("error_code"))),
            message: text(map.get("message")),
            docs_url: text(map.get("docs_url")),
            extra: Map::new(),
        };
        if let Some(Value::Object(inner)) = map.get("error") {
            out.code = out.code.or_else(|| text(inner.get("code")));
            out.message = out.message.or_else(|| text(inner.get("message")));
        }
        for (k, v) in map {
            if !matches!(k.as_str(), "code" | "message" | "docs_url") {
                out.extra.insert(k, v);
            }
        }
        Some(out)
    }
}

/// For fields where `null` differs from absent (`expires_at` on an index,
/// `uploaded_at` on a chunk): absent is `None`, `null` is `Some(None)`.
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_shape_gives_code_and_message() {
        let std =
            ErrorBody::parse(br#"{"code":"parameter_invalid","message":"bad","docs_url":"u"}"#)
                .unwrap();
        assert_eq!(std.code.as_deref(), Some("parameter_invalid"));
        assert_eq!(std.docs_url.as_deref(), Some("u"));
        let wrapped = ErrorBody::parse(br#"{"error":{"code":"too_big","message":"m"}}"#).unwrap();
        assert_eq!(wrapped.code.as_deref(), Some("too_big"));
        assert_eq!(wrapped.message.as_deref(), Some("m"));
        let quirk = ErrorBody::parse(br#"{"error_code":17,"message":"expired"}"#).unwrap();
        assert_eq!(quirk.code.as_deref(), Some("17"));
        assert!(ErrorBody::parse(b"<html>502</html>").is_none());
        assert!(ErrorBody::parse(b"").is_none());
    }
}
