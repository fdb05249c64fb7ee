//! Decoding one page of a list without trusting its size or its items.
//!
//! A page's wrapper (`{"assets": [...], "nextPaginationToken": ...}`) is
//! read key by key, never buffered whole (serde's `flatten` would first
//! copy the entire answer into an in-memory tree, ~170 times the size of a
//! page of tiny items). Its items are read one at a time as raw JSON text
//! and decoded into the typed model at once, so at most one item is ever
//! held twice; a page holding more than [`MAX_PAGE_ITEMS`] items is refused
//! with a clear error as soon as the next item starts. An asset that does
//! not match the model (one bad field) becomes a *broken* asset carrying
//! its raw JSON and the reason ([`Broken`]); the rest of the page decodes.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use super::Asset;

/// Most items one page may hold. The API serves at most 100 a page (get-bulk
/// 200); a page with more is a misbehaving server, refused before it can
/// grow memory without bound.
pub const MAX_PAGE_ITEMS: usize = 1000;

/// Why an item of a page could not be decoded, and its JSON as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Broken {
    /// What did not match, with the field's path (not sanitized).
    pub reason: String,
    /// The item exactly as the server sent it.
    pub raw: String,
}

/// How an item of a page is decoded.
pub(crate) trait PageItem: DeserializeOwned + Sized {
    /// What to keep of an item that does not decode; `Err` fails the page.
    fn broken(raw: &RawValue, reason: String) -> Result<Self, String>;
}

impl PageItem for Asset {
    fn broken(raw: &RawValue, reason: String) -> Result<Self, String> {
        let mut extra = match serde_json::from_str::<Value>(raw.get()) {
            Ok(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        let id = match extra.get("id") {
            Some(Value::String(s)) => s.clone(),
            _ => String::new(),
        };
        if !id.is_empty() {
            extra.remove("id");
        }
        Ok(Asset {
            id,
            extra,
            broken: Some(Box::new(Broken {
                reason,
                raw: raw.get().to_string(),
            })),
            ..Asset::default()
        })
    }
}

impl PageItem for super::Tag {
    fn broken(_: &RawValue, reason: String) -> Result<Self, String> {
        Err(reason)
    }
}

impl PageItem for super::Collection {
    fn broken(_: &RawValue, reason: String) -> Result<Self, String> {
        Err(reason)
    }
}

/// Decodes one raw item, naming the failing field's path.
fn decode_item<T: PageItem>(raw: &RawValue, index: usize) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(item) => Ok(item),
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let reason = if path == "." || path.is_empty() {
                format!("item {index}: {inner}")
            } else {
                format!("item {index}: {inner} at `{path}`")
            };
            T::broken(raw, reason)
        }
    }
}

/// The items of a page: at most [`MAX_PAGE_ITEMS`], each decoded on its own.
pub(crate) struct Items<T>(PhantomData<T>);

impl<T> Items<T> {
    pub(crate) fn new() -> Self {
        Items(PhantomData)
    }
}

impl<'de, T: PageItem> DeserializeSeed<'de> for Items<T> {
    type Value = Vec<T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: PageItem> Visitor<'de> for Items<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut out = Vec::new();
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            if out.len() == MAX_PAGE_ITEMS {
                return Err(de::Error::custom(format!(
                    "one page holds more than {MAX_PAGE_ITEMS} items (the API serves at most \
                     100); refused"
                )));
            }
            let item = decode_item(&raw, out.len()).map_err(de::Error::custom)?;
            out.push(item);
        }
        Ok(out)
    }
}

/// `Deserialize` for a page wrapper: the item array through [`Items`], the
/// other documented fields typed, anything else kept in `extra`.
macro_rules! page_wrapper {
    ($ty:ident { $items:ident: $items_key:literal $(, $field:ident: $key:literal)* $(,)? }) => {
        impl<'de> Deserialize<'de> for super::$ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = super::$ty;

                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str(concat!("an object with `", $items_key, "`"))
                    }

                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                        let mut out = super::$ty::default();
                        while let Some(key) = map.next_key::<String>()? {
                            match key.as_str() {
                                $items_key => out.$items = map.next_value_seed(Items::new())?,
                                $($key => out.$field = map.next_value()?,)*
                                _ => {
                                    let value: Value = map.next_value()?;
                                    out.extra.insert(key, value);
                                }
                            }
                        }
                        Ok(out)
                    }
                }
                d.deserialize_map(V)
            }
        }
    };
}

page_wrapper!(AssetListResponse {
    assets: "assets",
    next_pagination_token: "nextPaginationToken",
});
page_wrapper!(AssetBulkResponse { assets: "assets" });
page_wrapper!(SearchResponse {
    hits: "hits",
    offset: "offset",
    limit: "limit",
    estimated_total_hits: "estimatedTotalHits",
    hits_per_page: "hitsPerPage",
    page: "page",
    total_hits: "totalHits",
    total_pages: "totalPages",
});
page_wrapper!(TagListResponse {
    tags: "tags",
    next_pagination_token: "nextPaginationToken",
});
page_wrapper!(CollectionListResponse {
    collections: "collections",
    next_pagination_token: "nextPaginationToken",
});

#[cfg(test)]
mod tests {
    use super::super::{AssetListResponse, SearchResponse, TagListResponse};
    use super::*;

    /// As the client decodes: through `serde_path_to_error`.
    fn decode<T: DeserializeOwned>(text: &str) -> Result<T, String> {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| format!("{e}"))
    }

    #[test]
    fn one_bad_item_is_broken_and_the_rest_decodes() {
        let page: AssetListResponse = decode(
            r#"{"assets": [{"id": "a1", "tags": ["x"]},
                           {"id": "a2", "tags": "not a list", "kept": 1},
                           {"id": 3},
                           {"id": "a4"}],
                "nextPaginationToken": "t2", "somethingNew": {"a": 1}}"#,
        )
        .unwrap();
        let ids: Vec<&str> = page.assets.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a1", "a2", "", "a4"]);
        assert!(page.assets[0].broken.is_none());
        let broken = page.assets[1].broken.as_ref().unwrap();
        assert!(broken.reason.contains("item 1"), "{}", broken.reason);
        assert!(broken.reason.contains("`tags`"), "{}", broken.reason);
        assert_eq!(
            serde_json::from_str::<Value>(&broken.raw).unwrap(),
            serde_json::json!({"id": "a2", "tags": "not a list", "kept": 1})
        );
        assert_eq!(page.assets[1].extra["kept"], 1);
        assert!(page.assets[1].list_name().contains("broken item"));
        assert!(page.assets[2].broken.is_some());
        assert_eq!(page.next_pagination_token.as_deref(), Some("t2"));
        assert_eq!(page.extra["somethingNew"], serde_json::json!({"a": 1}));
    }

    #[test]
    fn a_page_over_the_item_cap_is_refused() {
        let items = vec![r#"{"id":"a"}"#; MAX_PAGE_ITEMS + 1].join(",");
        let err = decode::<AssetListResponse>(&format!(r#"{{"assets":[{items}]}}"#)).unwrap_err();
        assert!(err.contains("more than 1000 items"), "{err}");
        let hits = vec![r#"{"id":"a"}"#; MAX_PAGE_ITEMS].join(",");
        let page: SearchResponse =
            decode(&format!(r#"{{"hits":[{hits}],"totalPages":3}}"#)).unwrap();
        assert_eq!(page.hits.len(), MAX_PAGE_ITEMS);
        assert_eq!(page.total_pages.and_then(|n| n.as_u64()), Some(3));
    }

    #[test]
    fn a_bad_tag_still_fails_its_page_with_the_path() {
        let err = decode::<TagListResponse>(r#"{"tags":[{"tagName": 5}]}"#).unwrap_err();
        assert!(err.contains("tagName"), "{err}");
        let empty: TagListResponse = decode("{}").unwrap();
        assert!(empty.tags.is_empty());
    }
}
