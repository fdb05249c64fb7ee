//! Evaluation: a parsed [`Filter`] against a [`Document`], with
//! Meilisearch's semantics (any element of an array, case-insensitive
//! string equality, numeric or lexicographic ranges).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashSet;

use serde_json::{Map, Value};

use super::{normalize, normalized, parse_number, Condition, Filter, Literal};

/// Arrays nested inside document values deeper than this are not searched.
const MAX_VALUE_DEPTH: usize = 32;

/// An attribute's value as a document gives it: borrowed where it can be,
/// so a filter over 100 000 records builds no JSON value per record.
#[derive(Debug, Clone)]
pub enum Attr<'a> {
    Str(&'a str),
    Num(f64),
    Bool(bool),
    /// An array of strings (tags, collection ids).
    Strs(&'a [String]),
    /// Any JSON value (a document that is JSON, or a rare attribute).
    Json(Cow<'a, Value>),
}

/// Something a filter can be evaluated against.
pub trait Document {
    /// The value of an attribute (a dotted path for nested fields), or `None`
    /// if the document does not have it.
    fn attribute(&self, name: &str) -> Option<Attr<'_>>;
}

/// A JSON object; dotted names reach into nested objects (and arrays of
/// objects, whose values are collected) the way Meilisearch flattens them.
impl Document for Map<String, Value> {
    #[inline]
    fn attribute(&self, name: &str) -> Option<Attr<'_>> {
        lookup_in_map(self, name).map(Attr::Json)
    }
}

/// Only objects have attributes.
impl Document for Value {
    #[inline]
    fn attribute(&self, name: &str) -> Option<Attr<'_>> {
        match self {
            Value::Object(map) => lookup_in_map(map, name).map(Attr::Json),
            _ => None,
        }
    }
}

/// A lookup closure: `filter.matches(&|name: &str| doc.get(name).cloned())`.
impl<F> Document for F
where
    F: Fn(&str) -> Option<Value> + ?Sized,
{
    fn attribute(&self, name: &str) -> Option<Attr<'_>> {
        self(name).map(|v| Attr::Json(Cow::Owned(v)))
    }
}

#[inline]
fn lookup_in_map<'a>(map: &'a Map<String, Value>, path: &str) -> Option<Cow<'a, Value>> {
    match map.get(path) {
        Some(v) => Some(Cow::Borrowed(v)),
        None if path.contains('.') => lookup_dotted(map, path),
        None => None,
    }
}

/// `a.b.c` through nested objects (and arrays of objects).
#[cold]
#[inline(never)]
fn lookup_dotted<'a>(map: &'a Map<String, Value>, path: &str) -> Option<Cow<'a, Value>> {
    for (i, _) in path.match_indices('.') {
        let (head, rest) = path.split_at(i);
        let rest = rest.strip_prefix('.').unwrap_or(rest);
        if let Some(child) = map.get(head) {
            if let Some(found) = lookup_in_value(child, rest) {
                return Some(found);
            }
        }
    }
    None
}

fn lookup_in_value<'a>(v: &'a Value, path: &str) -> Option<Cow<'a, Value>> {
    match v {
        Value::Object(map) => lookup_in_map(map, path),
        Value::Array(items) => {
            let mut found = Vec::new();
            for item in items {
                if let Some(x) = lookup_in_value(item, path) {
                    match x.into_owned() {
                        Value::Array(xs) => found.extend(xs),
                        x => found.push(x),
                    }
                }
            }
            if found.is_empty() {
                None
            } else {
                Some(Cow::Owned(Value::Array(found)))
            }
        }
        _ => None,
    }
}

/// The values of an `IN [...]` list as sets, built once per filter, so a
/// document value is looked up rather than compared with every value
/// (1 000 values at 100 000 assets cost seconds of CPU as a list).
#[derive(Debug, Clone)]
pub struct InList {
    literals: Vec<Literal>,
    /// Every value normalised (trimmed, lowercased): what a document string
    /// or boolean (`true`/`false`) equals.
    strings: HashSet<String>,
    /// The bits of every value that is a number (`-0` as `0`).
    numbers: HashSet<u64>,
}

impl InList {
    pub fn new(literals: Vec<Literal>) -> InList {
        let strings = literals.iter().map(|l| l.normalized.clone()).collect();
        let numbers = literals
            .iter()
            .filter_map(|l| l.number)
            .map(number_key)
            .collect();
        InList {
            literals,
            strings,
            numbers,
        }
    }

    /// The values as written, in order.
    pub fn literals(&self) -> &[Literal] {
        &self.literals
    }

    /// Every value normalised: a document string is in the list when its
    /// normalised form is one of these.
    pub fn normalized_values(&self) -> impl Iterator<Item = &str> {
        self.strings.iter().map(String::as_str)
    }

    /// Whether a document scalar equals one of the values, as `=` would
    /// compare it with each.
    fn contains(&self, x: Scalar<'_>) -> bool {
        match x {
            Scalar::Str(s) => self.strings.contains(normalized(s).as_ref()),
            Scalar::Num(n) => n.is_some_and(|n| self.numbers.contains(&number_key(n))),
            Scalar::Bool(b) => self.strings.contains(bool_str(b)),
            Scalar::Other => false,
        }
    }
}

impl PartialEq for InList {
    fn eq(&self, other: &Self) -> bool {
        self.literals == other.literals
    }
}

fn number_key(n: f64) -> u64 {
    if n == 0.0 {
        0.0f64.to_bits()
    } else {
        n.to_bits()
    }
}

impl Filter {
    /// Whether the document matches.
    pub fn matches<D: Document + ?Sized>(&self, doc: &D) -> bool {
        match self {
            Filter::And(items) => items.iter().all(|f| f.matches(doc)),
            Filter::Or(items) => items.iter().any(|f| f.matches(doc)),
            Filter::Not(inner) => !inner.matches(doc),
            Filter::Condition { attribute, op, .. } => {
                let value = doc.attribute(attribute);
                op.eval(value.as_ref())
            }
        }
    }
}

/// One value a condition compares: a string, a number, a boolean, or
/// anything else (null, an object), which compares with nothing.
#[derive(Debug, Clone, Copy)]
enum Scalar<'a> {
    Str(&'a str),
    Num(Option<f64>),
    Bool(bool),
    Other,
}

impl<'a> Scalar<'a> {
    fn of(v: &'a Value) -> Scalar<'a> {
        match v {
            Value::String(s) => Scalar::Str(s),
            Value::Number(n) => Scalar::Num(n.as_f64()),
            Value::Bool(b) => Scalar::Bool(*b),
            _ => Scalar::Other,
        }
    }
}

impl Condition {
    /// Evaluates against the attribute's value (`None` = attribute missing).
    pub fn eval(&self, value: Option<&Attr<'_>>) -> bool {
        let Some(v) = value else {
            return matches!(self, Condition::NotEqual(_));
        };
        match self {
            Condition::Exists => true,
            Condition::IsNull => matches!(v, Attr::Json(j) if j.is_null()),
            Condition::IsEmpty => match v {
                Attr::Str(s) => s.is_empty(),
                Attr::Strs(a) => a.is_empty(),
                Attr::Json(j) => match j.as_ref() {
                    Value::String(s) => s.is_empty(),
                    Value::Array(a) => a.is_empty(),
                    Value::Object(o) => o.is_empty(),
                    _ => false,
                },
                Attr::Num(_) | Attr::Bool(_) => false,
            },
            Condition::Equal(l) => any_scalar(v, &|x| scalar_eq(x, l)),
            Condition::NotEqual(l) => !any_scalar(v, &|x| scalar_eq(x, l)),
            Condition::GreaterThan(l) => {
                any_scalar(v, &|x| compare(x, l).is_some_and(Ordering::is_gt))
            }
            Condition::GreaterThanOrEqual(l) => {
                any_scalar(v, &|x| compare(x, l).is_some_and(Ordering::is_ge))
            }
            Condition::LowerThan(l) => {
                any_scalar(v, &|x| compare(x, l).is_some_and(Ordering::is_lt))
            }
            Condition::LowerThanOrEqual(l) => {
                any_scalar(v, &|x| compare(x, l).is_some_and(Ordering::is_le))
            }
            Condition::Between { from, to } => any_scalar(v, &|x| {
                compare(x, from).is_some_and(Ordering::is_ge)
                    && compare(x, to).is_some_and(Ordering::is_le)
            }),
            Condition::In(list) => any_scalar(v, &|x| list.contains(x)),
            Condition::Contains(l) => any_scalar(v, &|x| match x {
                Scalar::Str(s) => str_contains(s, &l.normalized),
                _ => false,
            }),
            Condition::StartsWith(l) => any_scalar(v, &|x| match x {
                Scalar::Str(s) => str_starts_with(s, &l.normalized),
                _ => false,
            }),
        }
    }
}

/// `pred` on a scalar, or on any element of an array (recursively).
#[inline]
fn any_scalar<F: Fn(Scalar<'_>) -> bool>(v: &Attr<'_>, pred: &F) -> bool {
    match v {
        Attr::Str(s) => pred(Scalar::Str(s)),
        Attr::Num(n) => pred(Scalar::Num(Some(*n))),
        Attr::Bool(b) => pred(Scalar::Bool(*b)),
        Attr::Strs(items) => items.iter().any(|s| pred(Scalar::Str(s))),
        Attr::Json(j) => match j.as_ref() {
            Value::Array(items) => any_in_array(items, 0, pred),
            other => pred(Scalar::of(other)),
        },
    }
}

fn any_in_array<F: Fn(Scalar<'_>) -> bool>(items: &[Value], depth: usize, pred: &F) -> bool {
    depth < MAX_VALUE_DEPTH
        && items.iter().any(|x| match x {
            Value::Array(inner) => any_in_array(inner, depth + 1, pred),
            other => pred(Scalar::of(other)),
        })
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

fn scalar_eq(x: Scalar<'_>, l: &Literal) -> bool {
    match x {
        Scalar::Str(s) => str_eq(s, &l.normalized),
        Scalar::Num(n) => match (n, l.number) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
        Scalar::Bool(b) => l.normalized == bool_str(b),
        Scalar::Other => false,
    }
}

/// Orders a document scalar against a literal: numerically when both are
/// numbers, lexicographically (normalised) when the document value is a
/// string or boolean; numbers never compare with non-numeric literals.
fn compare(x: Scalar<'_>, l: &Literal) -> Option<Ordering> {
    match x {
        Scalar::Num(n) => n?.partial_cmp(&l.number?),
        Scalar::Str(s) => {
            if let (Some(b), Some(a)) = (l.number, parse_number(s)) {
                return a.partial_cmp(&b);
            }
            Some(str_cmp(s, &l.normalized))
        }
        Scalar::Bool(b) => Some(str_cmp(bool_str(b), &l.normalized)),
        Scalar::Other => None,
    }
}

/// `s` (trimmed, lowercased) equals the already-normalised `norm`.
#[inline]
fn str_eq(s: &str, norm: &str) -> bool {
    if s.len() == norm.len() && s.eq_ignore_ascii_case(norm) {
        return true;
    }
    // Lowercasing ASCII keeps the length and trimming shortens, so an ASCII
    // string no longer than `norm` that did not match above never will.
    if s.len() <= norm.len() && s.is_ascii() {
        return false;
    }
    str_eq_slow(s, norm)
}

fn str_eq_slow(s: &str, norm: &str) -> bool {
    let s = s.trim();
    if s.is_ascii() {
        return s.eq_ignore_ascii_case(norm);
    }
    s.chars().flat_map(char::to_lowercase).eq(norm.chars())
}

fn str_cmp(s: &str, norm: &str) -> Ordering {
    let s = s.trim();
    if s.is_ascii() {
        s.bytes().map(|b| b.to_ascii_lowercase()).cmp(norm.bytes())
    } else {
        s.chars().flat_map(char::to_lowercase).cmp(norm.chars())
    }
}

fn str_contains(s: &str, norm: &str) -> bool {
    if norm.is_empty() {
        return true;
    }
    let s = s.trim();
    if s.is_ascii() && norm.is_ascii() {
        return s
            .as_bytes()
            .windows(norm.len())
            .any(|w| w.eq_ignore_ascii_case(norm.as_bytes()));
    }
    normalize(s).contains(norm)
}

fn str_starts_with(s: &str, norm: &str) -> bool {
    let s = s.trim();
    if s.is_ascii() {
        return s
            .as_bytes()
            .get(..norm.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(norm.as_bytes()));
    }
    let mut lowered = s.chars().flat_map(char::to_lowercase);
    norm.chars().all(|c| lowered.next() == Some(c))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn equality_is_case_insensitive_for_strings() {
        yes("kind = image");
        yes("kind = IMAGE");
        yes(r#"kind = "Image""#);
        yes(r#"kind = " image ""#);
        no("kind = video");
        yes(r#"name = "my hero image""#);
        yes("emoji = 'ÜNÏCØDÉ STRAßE'");
        // Lowercasing is not case folding: `ß` is not `ss`.
        no("emoji = 'ünïcødé strasse'");
        yes("emoji = 'ünïcødé straße'");
        yes("kind != video");
        no("kind != IMAGE");
    }

    #[test]
    fn numbers_compare_as_numbers() {
        yes("width = 512");
        yes("width = 512.0");
        yes("width = '512'");
        yes("height = 768");
        yes("width > 511");
        yes("width >= 512");
        no("width > 512");
        yes("width < 513");
        yes("width <= 512");
        no("width < 512");
        yes("width > 99"); // not "512" < "99" lexicographically
        yes("ratio < 1");
        yes("ratio = .5");
        yes("width 512 TO 512");
        yes("width 100 TO 1000");
        no("width 513 TO 1000");
        yes("width != 511");
        no("width != 512");
        // Numeric strings on both sides compare numerically.
        yes("score > 9");
        yes("score = 12");
        // A number does not equal / compare with a non-numeric literal.
        no("width = abc");
        no("width > abc");
        no("width < abc");
    }

    #[test]
    fn booleans_compare_as_strings() {
        yes("nsfw = false");
        yes("nsfw = FALSE");
        no("nsfw = true");
        yes("nsfw != true");
        no("nsfw = 0");
    }

    #[test]
    fn dates_compare_lexicographically() {
        yes(r#"createdAt > "2025-01-01""#);
        yes("createdAt > 2025-01-01");
        yes("createdAt >= 2025-01-16");
        no("createdAt > 2025-01-17");
        yes("createdAt < 2025-02");
        yes("createdAt 2025-01-01 TO 2025-12-31");
        no("createdAt 2024-01-01 TO 2024-12-31");
        yes(r#"createdAt > "2025-01-16T11:19:41.000Z""#);
        no(r#"createdAt > "2025-01-16T11:19:41.579Z""#);
        yes(r#"createdAt >= "2025-01-16T11:19:41.579Z""#);
        yes(r#"createdAt <= "2025-01-16t11:19:41.579z""#);
        // A numeric literal against a non-numeric string: lexicographic.
        yes("createdAt > 2025");
        no("createdAt < 2025");
    }

    #[test]
    fn array_attributes_match_any_element() {
        yes("tags = hero");
        yes("tags = draft");
        yes("tags = HERO");
        no("tags = villain");
        no("tags != hero");
        yes("tags != villain");
        yes(r#"tags IN ["hero", "draft"]"#);
        yes("tags IN [villain, DRAFT]");
        no("tags IN [villain]");
        no("tags NOT IN [villain, hero]");
        yes("tags NOT IN [villain]");
        yes("tags > a");
        no("tags > i");
        yes("tags CONTAINS ER");
        yes("tags STARTS WITH dra");
        no("tags STARTS WITH raft");
        // Empty array: no element matches.
        no("collectionIds = x");
        yes("collectionIds != x");
        no("collectionIds IN [x]");
        // Nested arrays are flattened.
        let d = json!({"m": [[1, 2], [3, [4]]]});
        assert!(p("m = 4").matches(&d));
        assert!(p("m 3 TO 3").matches(&d));
        assert!(!p("m = 5").matches(&d));
    }

    #[test]
    fn in_list_semantics() {
        yes("kind IN [video, image]");
        yes("kind IN [IMAGE]");
        no("kind IN [video]");
        no("kind IN []");
        yes("kind NOT IN []");
        yes("width IN [1, 512.0]");
        no("missing IN [x]");
        yes("missing NOT IN [x]");
        no("missing IN []");
    }

    /// The set lookup answers as comparing with each value would.
    #[test]
    fn in_lists_answer_as_their_equalities() {
        let values = [
            "hero", " DRAFT ", "Straße", "42", "-0", "0.5", "true", "x y", "ÜNÏ",
        ];
        let docs = [
            json!("hero"),
            json!("Hero "),
            json!(" draft"),
            json!("STRASSE"),
            json!("straße"),
            json!(42),
            json!(42.0),
            json!(0),
            json!(-0.0),
            json!(0.5),
            json!(true),
            json!(false),
            json!("X Y"),
            json!("ünï"),
            json!(null),
            json!(["nope", "HERO"]),
            json!({"a": 1}),
            json!("4 2"),
        ];
        let list = InList::new(values.iter().map(|v| Literal::new(*v)).collect());
        for d in &docs {
            let by_equality = values
                .iter()
                .any(|v| Condition::Equal(Literal::new(*v)).eval(Some(&j(d))));
            assert_eq!(
                Condition::In(list.clone()).eval(Some(&j(d))),
                by_equality,
                "{d}"
            );
        }
        // a thousand values, one lookup
        let many: Vec<Literal> = (0..1000).map(|i| Literal::new(format!("t{i}"))).collect();
        let c = Condition::In(InList::new(many));
        assert!(c.eval(Some(&j(&json!(["x", "T999"])))));
        assert!(!c.eval(Some(&j(&json!(["x", "t1000"])))));
    }

    fn j(v: &Value) -> Attr<'_> {
        Attr::Json(Cow::Borrowed(v))
    }

    /// A document that lends its fields (as the server's records do)
    /// answers every condition as its JSON form does.
    #[test]
    fn borrowed_attributes_answer_as_their_json() {
        struct Typed {
            kind: String,
            tags: Vec<String>,
            width: u64,
            hidden: bool,
            empty: String,
            none: Vec<String>,
        }
        impl Document for Typed {
            fn attribute(&self, name: &str) -> Option<Attr<'_>> {
                match name {
                    "kind" => Some(Attr::Str(&self.kind)),
                    "tags" => Some(Attr::Strs(&self.tags)),
                    "width" => Some(Attr::Num(self.width as f64)),
                    "hidden" => Some(Attr::Bool(self.hidden)),
                    "blank" => Some(Attr::Str(&self.empty)),
                    "nothing" => Some(Attr::Strs(&self.none)),
                    _ => None,
                }
            }
        }
        let typed = Typed {
            kind: "Image".into(),
            tags: vec!["Hero".into(), " draft".into(), "straße".into()],
            width: 512,
            hidden: false,
            empty: String::new(),
            none: Vec::new(),
        };
        let json = json!({
            "kind": "Image", "tags": ["Hero", " draft", "straße"], "width": 512,
            "hidden": false, "blank": "", "nothing": [],
        });
        let filters = [
            "kind = image",
            "kind != IMAGE",
            "kind IN [video, IMAGE]",
            "kind CONTAINS mag",
            "kind STARTS WITH im",
            "kind > a",
            "kind < j",
            "tags = hero",
            "tags = draft",
            "tags IN [x, STRAßE]",
            "tags != hero",
            "tags CONTAINS raf",
            "tags IS EMPTY",
            "nothing IS EMPTY",
            "blank IS EMPTY",
            "kind IS EMPTY",
            "width = 512",
            "width > 99",
            "width 100 TO 600",
            "width IN [512.0]",
            "width = abc",
            "width IS EMPTY",
            "hidden = false",
            "hidden != true",
            "hidden IN [FALSE]",
            "hidden IS NULL",
            "kind IS NULL",
            "missing = x",
            "missing != x",
            "kind EXISTS",
            "missing EXISTS",
            "kind = image AND (tags = nope OR width >= 512) AND NOT hidden = true",
        ];
        for text in filters {
            let f = p(text);
            assert_eq!(f.matches(&typed), f.matches(&json), "{text}");
        }
        // and they are not all the same answer
        assert!(p("tags = hero").matches(&typed));
        assert!(!p("tags = nope").matches(&typed));
    }

    #[test]
    fn missing_attributes() {
        no("missing = x");
        no("missing > 1");
        no("missing < 1");
        no("missing 1 TO 2");
        no("missing CONTAINS x");
        yes("missing != x");
        yes("NOT missing = x");
        no("missing EXISTS");
        yes("missing NOT EXISTS");
        no("missing IS NULL");
        yes("missing IS NOT NULL");
        no("missing IS EMPTY");
        yes("missing IS NOT EMPTY");
    }

    #[test]
    fn exists_null_empty() {
        yes("description EXISTS");
        yes("description IS NULL");
        no("description IS NOT NULL");
        no("description IS EMPTY");
        no(r#"description = "null""#);
        assert_err("description = null", 15, "put it in quotes");
        yes("description != x");
        yes("kind EXISTS");
        no("kind IS NULL");
        yes("kind IS NOT NULL");
        yes("title IS EMPTY");
        yes("collectionIds IS EMPTY");
        yes("extra IS EMPTY");
        no("kind IS EMPTY");
        no("tags IS EMPTY");
        no("width IS EMPTY");
        no("nsfw IS EMPTY");
        yes("tags IS NOT EMPTY");
    }

    #[test]
    fn contains_and_starts_with() {
        yes("name CONTAINS hero");
        yes("name CONTAINS 'HERO IM'");
        no("name CONTAINS villain");
        yes("name STARTS WITH my");
        no("name STARTS WITH hero");
        yes("emoji CONTAINS STRAßE");
        yes("emoji STARTS WITH ÜNÏ");
        no("width CONTAINS 5");
        yes("name NOT CONTAINS villain");
        yes("title CONTAINS ''");
    }

    #[test]
    fn nested_attributes() {
        yes("metadata.modelId = MODEL_X");
        yes("metadata.seed = 42");
        yes("metadata.seed 40 TO 50");
        no("metadata.nope EXISTS");
        yes("metadata EXISTS");
        no("metadata = x");
        yes("dotted.key = yes");
        yes("layers.name = fg");
        yes("layers.name IN [bg]");
        yes("layers.opacity = 1");
        no("layers.name = mid");
        yes("metadata.type = txt2img AND tags = hero");
    }

    #[test]
    fn document_implementations_agree() {
        let d = doc();
        let map = match &d {
            Value::Object(map) => map.clone(),
            _ => panic!("doc is an object"),
        };
        let closure = |name: &str| d.get(name).cloned();
        let dynamic: &dyn Fn(&str) -> Option<Value> = &closure;
        for filter in [
            "kind = image AND tags IN [hero]",
            "width > 600",
            "missing != x",
            "description IS NULL",
        ] {
            let f = p(filter);
            let expected = f.matches(&d);
            assert_eq!(f.matches(&map), expected, "{filter}");
            assert_eq!(f.matches(&closure), expected, "{filter}");
            assert_eq!(f.matches(dynamic), expected, "{filter}");
        }
        assert!(!p("a = 1").matches(&json!([1, 2])));
        assert!(p("a != 1").matches(&json!("not an object")));
    }

    #[test]
    fn the_search_endpoint_example() {
        let f = p(r#"kind = "image" AND tags IN ["hero", "draft"] AND createdAt > "2025-01-01""#);
        assert!(f.matches(&doc()));
        assert_eq!(f.attributes(), vec!["kind", "tags", "createdAt"]);
        let mut other = doc();
        other["createdAt"] = json!("2024-12-31T23:59:59Z");
        assert!(!f.matches(&other));
    }
}
