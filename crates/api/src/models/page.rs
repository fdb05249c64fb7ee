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

/// Largest item, in bytes of JSON, decoded into the model. A larger one is
/// kept broken (its raw text only): decoding builds a transient tree some
/// 40 times the size of what it reads.
pub(crate) const MAX_ITEM_BYTES: usize = 1 << 20;

/// Largest field a page wrapper may hold beside its items and documented
/// fields (kept in `extra` as a `Value`, up to some 25 times its size);
/// a larger one refuses the page. Also the largest broken item whose
/// fields are kept for the inspector.
pub(crate) const MAX_EXTRA_BYTES: usize = 1 << 20;

/// Most JSON values the unknown fields of one wrapper may hold, together.
pub(crate) const MAX_WRAPPER_EXTRA_NODES: usize = 100_000;

/// Most JSON values (nodes) the unknown fields of one page's items may hold
/// once decoded: each costs ~80 bytes whatever its size in the page (`[]`
/// is 3 bytes), so a page of tiny nested values would cost ~25 times its
/// size. Past this budget an item is kept broken, as raw text only. A page
/// of 100 real assets with every model-specific field uses a few thousand.
pub(crate) const MAX_PAGE_EXTRA_NODES: usize = 250_000;

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
    /// `budget`: most JSON values its kept fields may hold.
    fn broken(raw: &RawValue, reason: String, budget: usize) -> Result<Self, String>;

    /// How many JSON values the item holds outside its typed fields.
    fn extra_nodes(&self) -> usize;
}

/// JSON values in `v`, itself included.
fn nodes(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(nodes).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(nodes).sum::<usize>(),
        _ => 1,
    }
}

fn map_nodes(map: &serde_json::Map<String, Value>) -> usize {
    map.values().map(nodes).sum()
}

impl PageItem for Asset {
    fn broken(raw: &RawValue, reason: String, budget: usize) -> Result<Self, String> {
        // the fields for the inspector, when small enough to hold as a tree
        let small = raw.get().len() <= MAX_EXTRA_BYTES;
        let mut extra = match small.then(|| serde_json::from_str::<Value>(raw.get())) {
            Some(Ok(Value::Object(map))) if map_nodes(&map) <= budget.min(10_000) => map,
            _ => serde_json::Map::new(),
        };
        // the id alone, skipping the rest without building it
        #[derive(Deserialize)]
        struct IdOnly {
            id: Option<Value>,
        }
        let id = match serde_json::from_str::<IdOnly>(raw.get()) {
            Ok(IdOnly {
                id: Some(Value::String(s)),
            }) => s,
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

    fn extra_nodes(&self) -> usize {
        let refs = [
            &self.thumbnail,
            &self.preview,
            &self.first_frame,
            &self.last_frame,
        ];
        let meta = self.metadata.as_ref().map_or(0, |m| {
            map_nodes(&m.extra) + m.thumbnail.as_ref().map_or(0, |t| map_nodes(&t.extra))
        });
        let props = self.properties.as_ref().map_or(0, |p| {
            map_nodes(&p.extra) + p.transcription.as_ref().map_or(0, |t| map_nodes(&t.extra))
        });
        map_nodes(&self.extra)
            + meta
            + props
            + refs
                .iter()
                .filter_map(|r| r.as_ref())
                .map(|r| map_nodes(&r.extra))
                .sum::<usize>()
    }
}

impl PageItem for super::Tag {
    fn broken(_: &RawValue, reason: String, _: usize) -> Result<Self, String> {
        Err(reason)
    }

    fn extra_nodes(&self) -> usize {
        map_nodes(&self.extra)
    }
}

impl PageItem for super::Collection {
    fn broken(_: &RawValue, reason: String, _: usize) -> Result<Self, String> {
        Err(reason)
    }

    fn extra_nodes(&self) -> usize {
        map_nodes(&self.extra) + self.thumbnail.as_ref().map_or(0, |t| map_nodes(&t.extra))
    }
}

/// Decodes one raw item, naming the failing field's path.
fn decode_item<T: PageItem>(raw: &RawValue, index: usize, budget: usize) -> Result<T, String> {
    let size = raw.get().len();
    if size > MAX_ITEM_BYTES {
        let reason = format!(
            "item {index} holds {} KiB of JSON, more than the {} KiB one item may hold",
            size >> 10,
            MAX_ITEM_BYTES >> 10
        );
        return T::broken(raw, reason, budget);
    }
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
            T::broken(raw, reason, budget)
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
        let mut budget = MAX_PAGE_EXTRA_NODES;
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            if out.len() == MAX_PAGE_ITEMS {
                return Err(de::Error::custom(format!(
                    "one page holds more than {MAX_PAGE_ITEMS} items (the API serves at most \
                     100); refused"
                )));
            }
            let index = out.len();
            let mut item = decode_item::<T>(&raw, index, budget).map_err(de::Error::custom)?;
            let weight = item.extra_nodes();
            if weight > budget {
                let reason = format!(
                    "item {index}: its unknown fields hold {weight} values, past the \
                     {MAX_PAGE_EXTRA_NODES} one page may hold"
                );
                // its fields only if they still fit (never past the budget)
                item = T::broken(&raw, reason, budget).map_err(de::Error::custom)?;
            }
            budget = budget.saturating_sub(item.extra_nodes());
            out.push(item);
        }
        Ok(out)
    }
}

/// An unknown field of a wrapper, refused when too large to hold as a tree.
fn unknown_field<E: de::Error>(key: &str, raw: &RawValue, budget: &mut usize) -> Result<Value, E> {
    let size = raw.get().len();
    let refuse = |what: String| {
        E::custom(format!(
            "the answer's unknown field `{}` holds {what}; refused",
            crate::sanitize::line(key, 40)
        ))
    };
    if size > MAX_EXTRA_BYTES {
        return Err(refuse(format!(
            "{} KiB (at most {} KiB)",
            size >> 10,
            MAX_EXTRA_BYTES >> 10
        )));
    }
    let value: Value = serde_json::from_str(raw.get()).map_err(E::custom)?;
    let n = nodes(&value);
    if n > *budget {
        return Err(refuse(format!(
            "{n} values (at most {MAX_WRAPPER_EXTRA_NODES} in all)"
        )));
    }
    *budget -= n;
    Ok(value)
}

impl<'de> Deserialize<'de> for super::AssetEnvelope {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = super::AssetEnvelope;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object with `asset`")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = super::AssetEnvelope::default();
                let mut seen = false;
                let mut budget = MAX_WRAPPER_EXTRA_NODES;
                while let Some(key) = map.next_key::<String>()? {
                    let raw: Box<RawValue> = map.next_value()?;
                    if key == "asset" {
                        if raw.get().len() > MAX_ITEM_BYTES {
                            return Err(de::Error::custom(format!(
                                "the asset holds {} KiB of JSON, more than the {} KiB one \
                                 asset may hold",
                                raw.get().len() >> 10,
                                MAX_ITEM_BYTES >> 10
                            )));
                        }
                        let mut de = serde_json::Deserializer::from_str(raw.get());
                        out.asset = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                            let path = e.path().to_string();
                            de::Error::custom(format!("{} at `asset.{path}`", e.into_inner()))
                        })?;
                        seen = true;
                    } else {
                        let value = unknown_field(&key, &raw, &mut budget)?;
                        out.extra.insert(key, value);
                    }
                }
                if !seen {
                    return Err(de::Error::missing_field("asset"));
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
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
                        let mut budget = MAX_WRAPPER_EXTRA_NODES;
                        while let Some(key) = map.next_key::<String>()? {
                            match key.as_str() {
                                $items_key => out.$items = map.next_value_seed(Items::new())?,
                                $($key => out.$field = map.next_value()?,)*
                                _ => {
                                    let raw: Box<RawValue> = map.next_value()?;
                                    let value = unknown_field(&key, &raw, &mut budget)?;
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
    fn large_items_and_large_unknown_fields_are_bounded() {
        let big = format!(r#"{{"id":"big","pad":"{}"}}"#, "x".repeat(MAX_ITEM_BYTES));
        let page: AssetListResponse =
            decode(&format!(r#"{{"assets":[{{"id":"a1"}},{big}]}}"#)).unwrap();
        let broken = page.assets[1].broken.as_ref().unwrap();
        assert!(
            broken.reason.contains("more than the 1024 KiB"),
            "{}",
            broken.reason
        );
        assert_eq!(page.assets[1].id, "big");
        assert!(page.assets[1].extra.is_empty());
        assert_eq!(broken.raw, big);
        let items = vec!["{}"; 200_000].join(",");
        let err = decode::<super::super::CollectionListResponse>(&format!(
            r#"{{"collections":[],"assets":[{items}]}}"#
        ))
        .unwrap_err();
        assert!(err.contains("unknown field `assets` holds"), "{err}");
    }

    #[test]
    fn unknown_fields_past_the_page_budget_are_kept_raw() {
        let pad = vec!["[]"; 20_000].join(",");
        let items: Vec<String> = (0..20)
            .map(|i| format!(r#"{{"id":"a{i}","x":[{pad}]}}"#))
            .collect();
        let page: AssetListResponse =
            decode(&format!(r#"{{"assets":[{}]}}"#, items.join(","))).unwrap();
        assert_eq!(page.assets.len(), 20);
        let kept = page.assets.iter().filter(|a| a.broken.is_none()).count();
        assert_eq!(kept, MAX_PAGE_EXTRA_NODES / 20_001);
        let last = &page.assets[19];
        assert_eq!(last.id, "a19");
        assert!(last.extra.is_empty());
        let reason = &last.broken.as_ref().unwrap().reason;
        assert!(reason.contains("past the 250000"), "{reason}");
    }

    #[test]
    fn a_bad_tag_still_fails_its_page_with_the_path() {
        let err = decode::<TagListResponse>(r#"{"tags":[{"tagName": 5}]}"#).unwrap_err();
        assert!(err.contains("tagName"), "{err}");
        let empty: TagListResponse = decode("{}").unwrap();
        assert!(empty.tags.is_empty());
    }
}
