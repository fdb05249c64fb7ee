//! Meilisearch filter expressions, as accepted by `POST /search/assets`
//! (`filter`): parsed once, then evaluated against many documents.
//!
//! Grammar (keywords are case-insensitive):
//!
//! ```text
//! filter     = expression EOF            (blank input = no filter)
//! expression = and ("OR" and)*
//! and        = not ("AND" not)*
//! not        = "NOT" not | primary
//! primary    = "(" expression ")" | condition
//! condition  = value ( "=" | "!=" | ">" | ">=" | "<" | "<=" ) value
//!            | value value "TO" value
//!            | value ["NOT"] "IN" "[" (value ("," value)* ","?)? "]"
//!            | value ["NOT"] "EXISTS"
//!            | value "IS" ["NOT"] ("NULL" | "EMPTY")
//!            | value ["NOT"] "CONTAINS" value
//!            | value ["NOT"] "STARTS" "WITH" value
//! value      = word | 'single quoted' | "double quoted"   (backslash escapes)
//! word       = (alphanumeric | "_" | "-" | ".")+ but not a keyword
//! ```
//!
//! The array form (`[["a = 1", "b = 2"], "c = 3"]`, i.e. `(a OR b) AND c`)
//! is handled by [`parse_value`].
//!
//! Semantics follow Meilisearch: array attributes match when any element
//! matches; `!=`, `NOT ...` are complements (they match documents that lack
//! the attribute); string equality ignores case and surrounding whitespace;
//! range operators compare numerically when both sides are numbers and
//! lexicographically otherwise (ISO-8601 dates sort correctly).
//!
//! One stage per file: [`lexer`] (characters into tokens), [`parser`]
//! (tokens into a [`Filter`], and the array form), [`eval`] (a filter
//! against a [`Document`]), [`attributes`] (which attributes a filter uses,
//! and whether each is filterable), [`dates`] (date literals are real days),
//! [`display`] (the canonical syntax),
//! [`error`] (the one-line error with its column).

mod attributes;
mod dates;
mod display;
mod error;
mod eval;
mod lexer;
mod parser;

pub use attributes::check_attributes;
pub use dates::check_dates;
pub use error::FilterError;
pub use eval::InList;
pub use eval::{Attr, Document};
pub use parser::{parse, parse_value};

/// Longest accepted filter, in bytes (for the array form: all strings together).
pub const MAX_FILTER_LEN: usize = 8 * 1024;
/// Deepest accepted nesting of parentheses and `NOT`s.
pub const MAX_DEPTH: usize = 64;
/// Most conditions in one filter (an `IN` list counts once): each costs a
/// check per document.
pub const MAX_CONDITIONS: usize = 1024;
/// Most values in one `IN [...]` list.
pub const MAX_IN_VALUES: usize = 1024;

/// A parsed filter expression.
///
/// `Filter::And(vec![])` matches every document (it is what a blank filter
/// parses to); `Filter::Or(vec![])` matches none.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Condition {
        /// The attribute name (dotted path for nested fields).
        attribute: String,
        /// Char offset of the attribute in the string it was parsed from.
        position: usize,
        op: Condition,
    },
}

/// What a condition checks about its attribute. Negated forms (`!=` aside)
/// are represented as `Filter::Not` around the positive condition, as in
/// Meilisearch: `a NOT IN [..]`, `a NOT EXISTS`, `a IS NOT NULL`, ...
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Equal(Literal),
    NotEqual(Literal),
    GreaterThan(Literal),
    GreaterThanOrEqual(Literal),
    LowerThan(Literal),
    LowerThanOrEqual(Literal),
    /// `attr from TO to`, both bounds inclusive.
    Between {
        from: Literal,
        to: Literal,
    },
    /// `attr IN [..]`: a set built once, when the filter is parsed.
    In(InList),
    Exists,
    IsNull,
    IsEmpty,
    Contains(Literal),
    StartsWith(Literal),
}

/// A value from the filter, pre-normalised for evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    raw: String,
    normalized: String,
    number: Option<f64>,
}

impl Literal {
    pub fn new(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let normalized = normalize(&raw);
        let number = parse_number(&raw);
        Self {
            raw,
            normalized,
            number,
        }
    }

    /// The value as written (quotes removed, escapes decoded).
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Trimmed and lowercased, as compared against document strings.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// The value as a finite number, if it is one.
    pub fn number(&self) -> Option<f64> {
        self.number
    }
}

/// Trimmed and lowercased: the form in which strings compare.
pub fn normalize(s: &str) -> String {
    s.trim().chars().flat_map(char::to_lowercase).collect()
}

/// [`normalize`], borrowing `s` when it is already in that form (ASCII
/// without capitals or surrounding spaces, as most values are).
pub fn normalized(s: &str) -> std::borrow::Cow<'_, str> {
    let clean = s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase())
        && !s.starts_with(|c: char| c.is_whitespace())
        && !s.ends_with(|c: char| c.is_whitespace());
    if clean {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(normalize(s))
    }
}

fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    let first = s.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use serde_json::{json, Value};
    use std::borrow::Cow;

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = fastrand::Rng::with_seed(0x5eed);
        let d = doc();
        for _ in 0..20_000 {
            let len = rng.usize(0..48);
            let bytes: Vec<u8> = (0..len).map(|_| rng.u8(..)).collect();
            let input = String::from_utf8_lossy(&bytes);
            check_total(&input, &d);
        }
    }

    #[test]
    fn random_token_soup_never_panics() {
        const PIECES: &[&str] = &[
            "a",
            "tags",
            "kind",
            "=",
            "!=",
            ">",
            ">=",
            "<",
            "<=",
            "==",
            "!",
            "AND",
            "and",
            "OR",
            "NOT",
            "not",
            "IN",
            "TO",
            "EXISTS",
            "IS",
            "NULL",
            "EMPTY",
            "CONTAINS",
            "STARTS",
            "WITH",
            "(",
            ")",
            "[",
            "]",
            ",",
            "\"",
            "'",
            "\"x y\"",
            "'q'",
            "\\",
            "\\\"",
            "1",
            "-2.5",
            "é",
            "名",
            "🦀",
            "\n",
            "_geoRadius",
            "a.b",
            "\"\"",
            "\\u{41}",
            "$",
        ];
        let mut rng = fastrand::Rng::with_seed(7);
        let d = doc();
        let mut parsed = 0;
        for _ in 0..30_000 {
            let n = rng.usize(1..12);
            let mut input = String::new();
            for _ in 0..n {
                input.push_str(PIECES[rng.usize(..PIECES.len())]);
                if rng.bool() {
                    input.push(' ');
                }
            }
            if check_total(&input, &d) {
                parsed += 1;
            }
        }
        assert!(
            parsed > 100,
            "the soup should sometimes be valid ({parsed})"
        );
    }

    /// Parse never panics; errors point inside the input and print on one
    /// line; successes evaluate and round-trip through Display.
    fn check_total(input: &str, d: &Value) -> bool {
        match parse(input) {
            Ok(f) => {
                let _ = f.matches(d);
                let shown = f.to_string();
                match parse(&shown) {
                    Ok(again) => assert_eq!(again.to_string(), shown, "round trip of {input:?}"),
                    Err(e) => panic!("{input:?} displayed as {shown:?} which fails: {e}"),
                }
                let _ = check_attributes(&f, &["a", "tags"]);
                true
            }
            Err(e) => {
                assert!(e.position <= input.chars().count(), "{input:?}: {e:?}");
                assert!(!e.to_string().contains('\n'), "{input:?}: {e}");
                assert!(!e.message.is_empty());
                false
            }
        }
    }

    /// `cargo test --release -p assetui-server filter -- --ignored --nocapture`
    #[test]
    #[ignore = "timing; run in release"]
    fn bench_100k_documents() {
        let docs: Vec<Value> = (0..100_000)
            .map(|i| {
                json!({
                    "id": format!("asset_{i}"),
                    "kind": if i % 3 == 0 { "image" } else { "video" },
                    "tags": if i % 2 == 0 { json!(["hero", "Draft"]) } else { json!(["other"]) },
                    "createdAt": format!("2025-01-{:02}T11:19:41.579Z", i % 28 + 1),
                    "width": i % 2048,
                })
            })
            .collect();
        let f = p(r#"kind = "image" AND tags IN ["hero", "draft"] AND createdAt > "2025-01-10""#);
        let best_of = |run: &dyn Fn() -> usize| {
            let mut best = std::time::Duration::MAX;
            let mut count = 0;
            for _ in 0..10 {
                let start = std::time::Instant::now();
                count = run();
                best = best.min(start.elapsed());
            }
            (count, best)
        };
        let (count, took) = best_of(&|| docs.iter().filter(|d| f.matches(*d)).count());
        println!("serde_json::Value documents: {count} matches over 100k in {took:?}");
        assert_eq!(count, 10_713);

        // The same data behind a struct `Document` (no map lookups).
        struct Asset {
            kind: Value,
            tags: Value,
            created_at: Value,
        }
        impl Document for Asset {
            fn attribute(&self, name: &str) -> Option<Attr<'_>> {
                match name {
                    "kind" => Some(Attr::Json(Cow::Borrowed(&self.kind))),
                    "tags" => Some(Attr::Json(Cow::Borrowed(&self.tags))),
                    "createdAt" => Some(Attr::Json(Cow::Borrowed(&self.created_at))),
                    _ => None,
                }
            }
        }
        let assets: Vec<Asset> = docs
            .iter()
            .map(|d| Asset {
                kind: d["kind"].clone(),
                tags: d["tags"].clone(),
                created_at: d["createdAt"].clone(),
            })
            .collect();
        let (count, took) = best_of(&|| assets.iter().filter(|a| f.matches(*a)).count());
        println!("struct documents: {count} matches over 100k in {took:?}");
        assert_eq!(count, 10_713);
    }
}

#[cfg(test)]
mod test_support {
    pub use super::*;
    use serde_json::{json, Value};

    pub fn p(input: &str) -> Filter {
        match parse(input) {
            Ok(f) => f,
            Err(e) => panic!("`{input}` should parse but failed: {e}"),
        }
    }

    pub fn err(input: &str) -> FilterError {
        match parse(input) {
            Ok(f) => panic!("`{input}` should fail but parsed as {f:?}"),
            Err(e) => e,
        }
    }

    /// Asserts the error's 1-based column and that its message mentions `needle`.
    #[track_caller]
    pub fn assert_err(input: &str, column: usize, needle: &str) {
        let e = err(input);
        assert_eq!(e.column(), column, "column for `{input}`: {e}");
        assert!(
            e.message.contains(needle),
            "message for `{input}` should mention {needle:?}: {e}"
        );
        let text = e.to_string();
        assert!(!text.contains('\n'), "one line: {text:?}");
        assert!(text.starts_with(&format!("invalid filter at column {column}: ")));
    }

    /// Canonical form.
    pub fn c(input: &str) -> String {
        p(input).to_string()
    }

    pub fn doc() -> Value {
        json!({
            "id": "asset_1",
            "kind": "image",
            "tags": ["hero", "Draft"],
            "collectionIds": [],
            "width": 512,
            "height": 768.0,
            "ratio": 0.5,
            "createdAt": "2025-01-16T11:19:41.579Z",
            "metadata": {"modelId": "model_X", "seed": 42, "type": "txt2img"},
            "description": null,
            "name": "My Hero Image",
            "title": "",
            "extra": {},
            "nsfw": false,
            "score": "12",
            "dotted.key": "yes",
            "layers": [{"name": "bg"}, {"name": "Fg", "opacity": 1}],
            "emoji": "Ünïcødé Straße"
        })
    }

    #[track_caller]
    pub fn m(filter: &str) -> bool {
        p(filter).matches(&doc())
    }

    #[track_caller]
    pub fn yes(filter: &str) {
        assert!(m(filter), "`{filter}` should match");
    }

    #[track_caller]
    pub fn no(filter: &str) {
        assert!(!m(filter), "`{filter}` should not match");
    }
}
