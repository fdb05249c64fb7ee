//! Postings for the filter's keyword attributes (issue 21, item 6): for
//! each attribute whose values are strings (`kind`, `type`, `tags`,
//! `collectionIds`, the ids of authors, models and parents...), the slots
//! of the records holding each value, keyed as the filter compares it
//! (trimmed, lowercased). A search whose filter requires an `=` or an `IN`
//! on one of them reads only those slots instead of every record: at
//! 100 000 assets, `kind = image AND tags IN [hero, approved] AND
//! createdAt > …` reads some 6 000 records instead of 100 000, and reading
//! a record (a few cache misses: its tags, its dates) is what a scan costs.
//!
//! [`Keywords::plan`] splits a filter into the slots to read and the rest
//! to check on each: the `=` and `IN` conditions it answers from postings
//! are not checked again (reading a record's tags costs more than the rest
//! of its check), the others are; a filter with nothing to narrow by
//! (ranges, `NOT`, `CONTAINS`, attributes not indexed, an `OR` with such a
//! part) is checked on every record, as before.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::filter::{normalized, Attr, Condition, Document, Filter};
use crate::library::Record;

/// The attributes indexed: those whose values are strings or arrays of
/// strings in every record (see `record_view`), and few per record. `id`
/// is left to the library's own map; `name` is free text.
pub const KEYWORD_ATTRIBUTES: &[&str] = &[
    "kind",
    "type",
    "tags",
    "collectionIds",
    "privacy",
    "authorId",
    "ownerId",
    "modelId",
    "modelType",
    "inferenceId",
    "parentId",
    "rootParentId",
    "mimeType",
    "aspectRatio",
    "status",
];

/// The postings of one attribute.
#[derive(Debug, Default, Clone)]
struct Postings {
    /// Normalised value → the slots holding it, ascending.
    by_value: HashMap<String, Vec<u32>>,
    /// Records whose value is not a string (a number, JSON): while there
    /// are any, the attribute does not narrow (it would miss them).
    odd: usize,
}

/// Every keyword attribute's postings, kept in step with the library's
/// records by `Library::put` and `Library::remove`.
#[derive(Debug, Default, Clone)]
pub struct Keywords {
    by_attribute: HashMap<&'static str, Postings>,
}

/// Calls `f` with each of a record's values of `attribute`; false when the
/// value is not a string (nor strings).
fn each_value(r: &Record, attribute: &str, f: impl FnMut(&str)) -> bool {
    match r.attribute(attribute) {
        None => true,
        Some(Attr::Str(s)) => {
            std::iter::once(s).for_each(f);
            true
        }
        Some(Attr::Strs(items)) => {
            items.iter().map(String::as_str).for_each(f);
            true
        }
        Some(Attr::Num(_) | Attr::Bool(_) | Attr::Json(_)) => false,
    }
}

impl Keywords {
    /// Adds a record's values at `slot` (a value repeated in an array once).
    pub fn insert(&mut self, slot: u32, r: &Record) {
        for &attribute in KEYWORD_ATTRIBUTES {
            let postings = self.by_attribute.entry(attribute).or_default();
            let strings = each_value(r, attribute, |v| {
                let v = normalized(v);
                let slots = match postings.by_value.get_mut(v.as_ref()) {
                    Some(slots) => slots,
                    None => postings.by_value.entry(v.into_owned()).or_default(),
                };
                // slots mostly arrive in order: a push
                if let Err(at) = slots.binary_search(&slot) {
                    slots.insert(at, slot);
                }
            });
            if !strings {
                postings.odd += 1;
            }
        }
    }

    /// Takes a record's values at `slot` out (the record as it was put).
    pub fn remove(&mut self, slot: u32, r: &Record) {
        for &attribute in KEYWORD_ATTRIBUTES {
            let Some(postings) = self.by_attribute.get_mut(attribute) else {
                continue;
            };
            let strings = each_value(r, attribute, |v| {
                let v = normalized(v);
                let Some(slots) = postings.by_value.get_mut(v.as_ref()) else {
                    return;
                };
                if let Ok(at) = slots.binary_search(&slot) {
                    slots.remove(at);
                }
                if slots.is_empty() {
                    postings.by_value.remove(v.as_ref());
                }
            });
            if !strings {
                postings.odd = postings.odd.saturating_sub(1);
            }
        }
    }

    /// The slots holding `value` (normalised) in `attribute`; `None` when
    /// the attribute is not indexed or some record holds a non-string.
    fn postings(&self, attribute: &str, value: &str) -> Option<&[u32]> {
        let postings = self.by_attribute.get(attribute)?;
        if postings.odd > 0 {
            return None;
        }
        Some(postings.by_value.get(value).map_or(&[], Vec::as_slice))
    }

    /// How to find the records matching `f`: the slots to read (`None`:
    /// every record) and what is left to check on each of them (`None`:
    /// nothing, the slots are the answer).
    pub fn plan(&self, f: &Filter) -> Plan<'_> {
        let all = || Plan {
            slots: None,
            rest: Some(f.clone()),
        };
        match f {
            Filter::Condition { attribute, op, .. } => {
                let slots = match op {
                    Condition::Equal(l) => {
                        self.postings(attribute, l.normalized()).map(Cow::Borrowed)
                    }
                    Condition::In(list) => list
                        .normalized_values()
                        .map(|v| self.postings(attribute, v).map(Cow::Borrowed))
                        .collect::<Option<Vec<_>>>()
                        .map(union),
                    _ => None,
                };
                match slots {
                    Some(slots) => Plan {
                        slots: Some(slots),
                        rest: None,
                    },
                    None => all(),
                }
            }
            // the records in every narrowed part, checked for the rest
            Filter::And(items) => {
                let mut sets = Vec::new();
                let mut rest = Vec::new();
                for item in items {
                    let p = self.plan(item);
                    sets.extend(p.slots);
                    rest.extend(p.rest);
                }
                sets.sort_by_key(|s| s.len());
                let mut sets = sets.into_iter();
                let slots = sets
                    .next()
                    .map(|first| sets.fold(first, |acc, s| Cow::Owned(intersect(&acc, &s))));
                let rest = match rest.len() {
                    0 => None,
                    1 => rest.pop(),
                    _ => Some(Filter::And(rest)),
                };
                Plan { slots, rest }
            }
            // narrowed only when every part is; exact only when every
            // part is, else each record is checked against the whole
            Filter::Or(items) => {
                let plans: Vec<Plan<'_>> = items.iter().map(|f| self.plan(f)).collect();
                let exact = plans.iter().all(|p| p.rest.is_none());
                let sets: Option<Vec<_>> = plans.into_iter().map(|p| p.slots).collect();
                match sets {
                    Some(sets) => Plan {
                        slots: Some(union(sets)),
                        rest: (!exact).then(|| f.clone()),
                    },
                    None => all(),
                }
            }
            Filter::Not(_) => all(),
        }
    }
}

/// What [`Keywords::plan`] found.
#[derive(Debug)]
pub struct Plan<'a> {
    /// The slots to read, ascending; `None`: every record.
    pub slots: Option<Cow<'a, [u32]>>,
    /// The filter each of them must still match; `None`: nothing.
    pub rest: Option<Filter>,
}

/// The slots in both (ascending) lists.
fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut out = Vec::with_capacity(small.len());
    // a short list against a long one: look each up
    if small.len() * 16 < large.len() {
        out.extend(
            small
                .iter()
                .filter(|s| large.binary_search(s).is_ok())
                .copied(),
        );
        return out;
    }
    let (mut i, mut j) = (0, 0);
    while i < small.len() && j < large.len() {
        match small[i].cmp(&large[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(small[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// The slots in any of the (ascending) lists, ascending, once each.
fn union(mut lists: Vec<Cow<'_, [u32]>>) -> Cow<'_, [u32]> {
    lists.retain(|l| !l.is_empty());
    if lists.len() <= 1 {
        return lists.pop().unwrap_or(Cow::Owned(Vec::new()));
    }
    let mut all: Vec<u32> = lists.iter().flat_map(|l| l.iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    Cow::Owned(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter;
    use crate::library::{FileRef, Library};
    use assetui_api::models::Asset;

    fn record(id: &str, kind: &str, tags: &[&str]) -> Record {
        let asset: Asset = serde_json::from_value(serde_json::json!({
            "id": id,
            "kind": kind,
            "tags": tags,
            "ownerId": "owner",
            "createdAt": format!("2025-01-{:02}T00:00:00.000Z", id.len() % 28 + 1),
            "metadata": {"kind": kind, "type": "txt2img", "modelId": "model_A"},
        }))
        .unwrap();
        Record {
            asset,
            file: FileRef::Static(b""),
            family: None,
        }
    }

    /// The slots a full scan finds, and the ones found through the plan
    /// (its slots, each checked for its rest); they must be the same.
    fn both_ways(lib: &Library, text: &str) -> (Vec<u32>, Vec<u32>, bool) {
        let f = filter::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let scan: Vec<u32> = lib
            .records()
            .filter(|(_, r)| f.matches(*r))
            .map(|(s, _)| s)
            .collect();
        let plan = lib.keywords().plan(&f);
        let used = plan.slots.is_some();
        let all: Vec<u32> = lib.records().map(|(s, _)| s).collect();
        let via: Vec<u32> = plan
            .slots
            .as_deref()
            .unwrap_or(&all)
            .iter()
            .filter(|&&s| {
                let r = lib.by_slot(s).unwrap();
                plan.rest.as_ref().is_none_or(|rest| rest.matches(r))
            })
            .copied()
            .collect();
        (scan, via, used)
    }

    #[test]
    fn narrowed_searches_find_what_a_full_scan_finds() {
        let mut lib = Library::new("owner".into(), "team".into());
        crate::synth::add(&mut lib, 3_000);
        // odd values: case, surrounding spaces, non-ASCII, repeats
        lib.put(record("odd1", "image", &["  Hero ", "ÉTÉ", "hero"]));
        lib.put(record("odd2", "Video", &["APPROVED"]));
        lib.put(record("odd3", "audio", &[]));
        let filters = [
            ("kind = image", true),
            ("kind = VIDEO", true),
            ("tags = hero", true),
            ("tags = 'été'", true),
            ("tags IN [hero, approved]", true),
            (
                "kind = image AND tags IN [hero, approved] AND createdAt > \"2024-06-01\"",
                true,
            ),
            ("(tags = hero OR tags = wip) AND type = txt2img", true),
            ("tags = hero OR createdAt > 2025-01-01", false),
            ("NOT tags = hero", false),
            ("tags != hero", false),
            ("kind = image AND NOT tags = hero", true),
            ("tags = nothing-has-this", true),
            ("modelId = model_A AND kind IN [audio, video]", true),
            ("width > 600", false),
            ("name CONTAINS forest AND kind = image", true),
        ];
        for (text, narrows) in filters {
            let (scan, via, used) = both_ways(&lib, text);
            assert_eq!(scan, via, "{text}");
            assert_eq!(used, narrows, "{text}: narrowed?");
        }
        // the bench's filter reads a small part of the library, and checks
        // only its date on each
        let f =
            filter::parse("kind = image AND tags IN [hero, approved] AND createdAt > 2024-06-01")
                .unwrap();
        let plan = lib.keywords().plan(&f);
        let n = plan.slots.map_or(0, |s| s.len());
        assert!(n > 0 && n < lib.len() / 5, "{n} of {}", lib.len());
        let rest = plan.rest.map(|r| r.to_string());
        assert_eq!(rest.as_deref(), Some("createdAt > 2024-06-01"));
    }

    #[test]
    fn postings_follow_replacements_and_removals() {
        let mut lib = Library::new("owner".into(), "team".into());
        lib.put(record("a", "image", &["hero"]));
        lib.put(record("b", "image", &["draft"]));
        let hero = |lib: &Library| {
            let f = filter::parse("tags = hero").unwrap();
            lib.keywords().plan(&f).slots.unwrap().into_owned()
        };
        assert_eq!(hero(&lib), vec![0]);
        // a tag edit puts the record back
        lib.put(record("a", "image", &["draft"]));
        lib.put(record("b", "image", &["hero", "draft"]));
        assert_eq!(hero(&lib), vec![1]);
        lib.remove("b");
        assert!(hero(&lib).is_empty());
        let f = filter::parse("tags = draft").unwrap();
        assert_eq!(lib.keywords().plan(&f).slots.unwrap().as_ref(), &[0]);
        let (scan, via, _) = both_ways(&lib, "tags = draft AND kind = image");
        assert_eq!(scan, via);
    }

    #[test]
    fn an_attribute_holding_a_non_string_does_not_narrow() {
        let mut keywords = Keywords::default();
        keywords.insert(0, &record("a", "image", &["hero"]));
        let f = filter::parse("tags = hero").unwrap();
        let plan = keywords.plan(&f);
        assert_eq!(plan.slots.unwrap().as_ref(), &[0]);
        assert_eq!(plan.rest, None, "the postings are the answer");
        keywords.by_attribute.get_mut("tags").unwrap().odd = 1;
        let plan = keywords.plan(&f);
        assert!(plan.slots.is_none());
        assert_eq!(plan.rest, Some(f));
    }

    #[test]
    fn set_operations() {
        assert_eq!(intersect(&[1, 3, 5, 7], &[2, 3, 7, 9]), vec![3, 7]);
        let long: Vec<u32> = (0..1000).collect();
        assert_eq!(intersect(&[5, 2000], &long), vec![5]);
        let u = union(vec![Cow::Owned(vec![1, 4]), Cow::Owned(vec![2, 4, 6])]);
        assert_eq!(u.as_ref(), &[1, 2, 4, 6]);
        assert!(union(Vec::new()).is_empty());
    }
}
