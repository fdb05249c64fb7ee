//! `createdAt` read without the record (issue 21, item 6): the library
//! keeps, per slot, the first 16 bytes of each record's `createdAt` as a
//! number, as stored (the order of results) and as the filter compares it
//! (trimmed, lowercased). A search orders its hits, and checks a filter's
//! ranges on `createdAt` (`>`, `>=`, `<`, `<=`, `TO`), from those numbers;
//! the record (a pointer to it, then one to its string: two cache misses)
//! is read only when a key equals the other side's, which only the whole
//! value can settle. At 100 000 assets, `kind = image AND tags IN [hero,
//! approved] AND createdAt > …` read some 5 000 records for their date.

use std::cmp::Ordering;

use crate::filter::{normalized, Condition, Filter};

/// The attribute this covers.
const ATTRIBUTE: &str = "createdAt";

/// The first 16 bytes of `s`, zero-padded, big-endian. Where two keys
/// differ, they order as the strings do (the first differing byte decides
/// both; a string that ended pads with 0, below any byte but a NUL, which
/// pads the same): only equal keys need the strings.
pub fn prefix_key(s: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let n = s.len().min(16);
    bytes[..n].copy_from_slice(&s.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

/// A record's keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CreatedKey {
    /// Of the value as stored (`Record::created`): the order of results.
    pub stored: u128,
    /// Of the value as the filter compares it (`filter::normalize`);
    /// `None` when the record has no `createdAt`.
    pub compared: Option<u128>,
}

impl CreatedKey {
    pub fn of(created_at: Option<&str>) -> CreatedKey {
        CreatedKey {
            stored: prefix_key(created_at.unwrap_or("")),
            compared: created_at.map(|s| prefix_key(&normalized(s))),
        }
    }
}

/// One range condition: the literal's key and the orderings (of the
/// record's value against the literal) that satisfy it.
#[derive(Debug)]
struct Bound {
    key: u128,
    accepts: fn(Ordering) -> bool,
}

/// The range conditions on `createdAt` of a filter's top-level `AND`.
#[derive(Debug, Default)]
pub struct CreatedRange {
    bounds: Vec<Bound>,
    /// The same conditions, for a record whose key ties with a literal's.
    conditions: Vec<Filter>,
}

/// The bound of a literal the filter compares as text (as every date
/// literal is); `None` for a number, which is compared as one with values
/// that are numbers.
fn text_bound(l: &crate::filter::Literal, accepts: fn(Ordering) -> bool) -> Option<Bound> {
    l.number().is_none().then(|| Bound {
        key: prefix_key(l.normalized()),
        accepts,
    })
}

/// The bounds of one condition, when it is a range on `createdAt`.
fn bounds_of(f: &Filter) -> Option<Vec<Bound>> {
    let Filter::Condition { attribute, op, .. } = f else {
        return None;
    };
    if attribute != ATTRIBUTE {
        return None;
    }
    match op {
        Condition::GreaterThan(l) => Some(vec![text_bound(l, Ordering::is_gt)?]),
        Condition::GreaterThanOrEqual(l) => Some(vec![text_bound(l, Ordering::is_ge)?]),
        Condition::LowerThan(l) => Some(vec![text_bound(l, Ordering::is_lt)?]),
        Condition::LowerThanOrEqual(l) => Some(vec![text_bound(l, Ordering::is_le)?]),
        Condition::Between { from, to } => Some(vec![
            text_bound(from, Ordering::is_ge)?,
            text_bound(to, Ordering::is_le)?,
        ]),
        _ => None,
    }
}

impl CreatedRange {
    /// Takes the range conditions on `createdAt` out of `rest` (itself or
    /// the parts of its top-level `AND`); returns them and what is left.
    pub fn split(rest: Option<Filter>) -> (CreatedRange, Option<Filter>) {
        let mut range = CreatedRange::default();
        let mut take = |f: Filter| -> Option<Filter> {
            match bounds_of(&f) {
                Some(bounds) => {
                    range.bounds.extend(bounds);
                    range.conditions.push(f);
                    None
                }
                None => Some(f),
            }
        };
        let left = match rest {
            None => None,
            Some(Filter::And(items)) => {
                let mut left: Vec<Filter> = items.into_iter().filter_map(&mut take).collect();
                match left.len() {
                    0 => None,
                    1 => left.pop(),
                    _ => Some(Filter::And(left)),
                }
            }
            Some(f) => take(f),
        };
        (range, left)
    }

    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// Whether a record with `key` matches every bound: `Some(answer)`, or
    /// `None` when its key ties with a literal's on a bound not already
    /// failed (then [`CreatedRange::matches`] on the record tells).
    pub fn check(&self, key: &CreatedKey) -> Option<bool> {
        let Some(value) = key.compared else {
            // no createdAt: no range holds
            return Some(self.bounds.is_empty());
        };
        let mut tie = false;
        for b in &self.bounds {
            match value.cmp(&b.key) {
                Ordering::Equal => tie = true,
                other if !(b.accepts)(other) => return Some(false),
                _ => {}
            }
        }
        (!tie).then_some(true)
    }

    /// The conditions checked on the record itself.
    pub fn matches<D: crate::filter::Document + ?Sized>(&self, doc: &D) -> bool {
        self.conditions.iter().all(|f| f.matches(doc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter;

    fn parsed(s: &str) -> Filter {
        let mut f = filter::parse(s).unwrap();
        filter::check_dates(&mut f, &["createdAt", "updatedAt"]).unwrap();
        f
    }

    #[test]
    fn keys_order_as_the_strings_wherever_they_differ() {
        let values = [
            "",
            "2",
            "2024",
            "2024-06-01",
            "2024-06-01T00:00:00.000Z",
            "2024-06-01T00:00:00.001Z",
            "2024-06-01T00:01:00.000Z",
            "2024-06-01\0",
            "2024-06-01\0\0\0\0\0\0a",
            "2024-06-01\0\0\0\0\0\0\0a",
            "2024-06-02",
            "2025-01-16T11:19:41.579Z",
            "zz",
            "é",
        ];
        for a in values {
            for b in values {
                let (ka, kb) = (prefix_key(a), prefix_key(b));
                if ka != kb {
                    assert_eq!(ka.cmp(&kb), a.cmp(b), "{a:?} against {b:?}");
                }
            }
        }
    }

    #[test]
    fn ranges_come_out_of_the_top_level_and_only() {
        let (range, rest) =
            CreatedRange::split(Some(parsed("kind = image AND createdAt > \"2024-06-01\"")));
        assert_eq!(range.bounds.len(), 1);
        assert_eq!(
            rest.unwrap().to_string(),
            parsed("kind = image").to_string()
        );

        let (range, rest) = CreatedRange::split(Some(parsed(
            "createdAt 2024-01-01 TO 2024-12-31 AND createdAt < \"2024-06-01\"",
        )));
        assert_eq!(range.bounds.len(), 3);
        assert!(rest.is_none());

        // under OR, NOT, on other attributes, or numeric: left as they are
        for kept in [
            "createdAt > \"2024-06-01\" OR kind = image",
            "NOT createdAt > \"2024-06-01\"",
            "updatedAt > \"2024-06-01\"",
            "createdAt > 2024",
            "createdAt = \"2024-06-01\"",
        ] {
            let (range, rest) = CreatedRange::split(Some(parsed(kept)));
            assert!(range.is_empty(), "{kept}");
            assert_eq!(rest.unwrap().to_string(), parsed(kept).to_string());
        }
    }

    /// Every answer from keys equals the filter's own on the value.
    #[test]
    fn checks_from_keys_agree_with_the_filter() {
        let filters = [
            "createdAt > \"2024-06-01\"",
            "createdAt >= \"2024-06-01T00:00:00.000Z\"",
            "createdAt < \"2024-06-01T00:00:00.001Z\"",
            "createdAt <= \"2024-06\"",
            "createdAt 2024-01-01 TO 2024-06-01",
            "createdAt > \"2024-06-01\" AND createdAt < \"2024-07-01\"",
            "createdAt > \"A\"",
        ];
        let values = [
            None,
            Some(""),
            Some("2024-06-01T00:00:00.000Z"),
            Some("2024-06-01T00:00:00.001Z"),
            Some("2024-06-01t00:00:00.000z"),
            Some(" 2024-06-01T00:00:00.000Z "),
            Some("2024-05-31T23:59:59.999Z"),
            Some("2024-06"),
            Some("2024-06-15T10:00:00.000Z"),
            Some("2024-07-01T00:00:00.000Z"),
            Some("a"),
            Some("B"),
            Some("2024-06-01\0"),
        ];
        for text in filters {
            let f = parsed(text);
            let (range, rest) = CreatedRange::split(Some(f.clone()));
            assert!(rest.is_none(), "{text}");
            for value in values {
                let doc = |name: &str| {
                    (name == "createdAt")
                        .then_some(value)
                        .flatten()
                        .map(|v| serde_json::Value::String(v.to_string()))
                };
                let expected = f.matches(&doc);
                let key = CreatedKey::of(value);
                let got = range.check(&key).unwrap_or_else(|| range.matches(&doc));
                assert_eq!(got, expected, "{text} on {value:?}");
            }
        }
    }
}
