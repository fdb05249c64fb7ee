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

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

/// Longest accepted filter, in bytes (for the array form: all strings together).
pub const MAX_FILTER_LEN: usize = 8 * 1024;
/// Deepest accepted nesting of parentheses and `NOT`s.
pub const MAX_DEPTH: usize = 64;
/// Most strings accepted in the array form.
const MAX_ARRAY_ELEMENTS: usize = 1024;
/// Arrays nested inside document values deeper than this are not searched.
const MAX_VALUE_DEPTH: usize = 32;

const KEYWORDS: &[&str] = &[
    "AND",
    "OR",
    "IN",
    "NOT",
    "TO",
    "EXISTS",
    "IS",
    "NULL",
    "EMPTY",
    "CONTAINS",
    "STARTS",
    "WITH",
    "_geoRadius",
    "_geoBoundingBox",
];

const GEO_KEYWORDS: &[&str] = &["_geoRadius", "_geoBoundingBox", "_geoPoint", "_geoDistance"];

const OPERATORS: &str = "`=`, `!=`, `>`, `>=`, `<`, `<=`, `TO`, `IN`, `NOT IN`, `EXISTS`, \
                         `NOT EXISTS`, `IS NULL`, `IS NOT NULL`, `IS EMPTY`, `IS NOT EMPTY`, \
                         `CONTAINS`, `STARTS WITH`";

// ---------------------------------------------------------------------------
// AST
// ---------------------------------------------------------------------------

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
    In(Vec<Literal>),
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

fn normalize(s: &str) -> String {
    s.trim().chars().flat_map(char::to_lowercase).collect()
}

fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    let first = s.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// A filter that could not be parsed, or that uses a non-filterable attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    pub message: String,
    /// Char offset (0-based) of the offending spot; `column()` is 1-based.
    pub position: usize,
    /// A short single-line excerpt of the filter around `position`.
    pub snippet: String,
}

impl FilterError {
    fn at(chars: &[char], position: usize, message: impl Into<String>) -> Self {
        let position = position.min(chars.len());
        Self {
            message: message.into(),
            position,
            snippet: snippet(chars, position),
        }
    }

    /// 1-based column of the error.
    pub fn column(&self) -> usize {
        self.position.saturating_add(1)
    }

    fn with_message(mut self, message: &str) -> Self {
        self.message = message.to_string();
        self
    }

    fn in_element(mut self, path: &str) -> Self {
        self.message = format!("in filter array element {path}: {}", self.message);
        self
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid filter at column {}: {}",
            self.column(),
            self.message
        )?;
        if !self.snippet.is_empty() {
            write!(f, ": `{}`", self.snippet)?;
        }
        Ok(())
    }
}

impl std::error::Error for FilterError {}

/// Up to 20 chars before and 30 after `position`, control chars escaped so
/// the result stays on one line.
fn snippet(chars: &[char], position: usize) -> String {
    const BEFORE: usize = 20;
    const AFTER: usize = 30;
    let position = position.min(chars.len());
    let start = position.saturating_sub(BEFORE);
    let end = chars.len().min(position.saturating_add(AFTER));
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    for &c in chars.get(start..end).unwrap_or_default() {
        push_display_char(&mut out, c);
    }
    if end < chars.len() {
        out.push('…');
    }
    out
}

fn push_display_char(out: &mut String, c: char) {
    if c.is_control() {
        out.extend(c.escape_default());
    } else {
        out.push(c);
    }
}

/// `text` for a message: at most `max` chars, control chars escaped.
fn excerpt(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        push_display_char(&mut out, c);
    }
    out
}

// ---------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    /// A run of `=<>!` characters; the parser validates it.
    Op(String),
    Word(String),
    Quoted(String),
    Eof,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    /// Char offset.
    pos: usize,
    /// Length in chars.
    len: usize,
}

fn is_value_component(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

fn is_op_char(c: char) -> bool {
    matches!(c, '=' | '<' | '>' | '!')
}

fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

fn is_geo_keyword(word: &str) -> bool {
    GEO_KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// Tokenizes up to the first lexical error. The token list always ends with
/// `Eof` (placed at the error, if any).
fn lex(chars: &[char]) -> (Vec<Token>, Option<FilterError>) {
    let mut toks = Vec::new();
    let mut i = 0;
    let n = chars.len();
    while let Some(&c) = chars.get(i) {
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let tok = match c {
            '(' => {
                i += 1;
                Tok::LParen
            }
            ')' => {
                i += 1;
                Tok::RParen
            }
            '[' => {
                i += 1;
                Tok::LBracket
            }
            ']' => {
                i += 1;
                Tok::RBracket
            }
            ',' => {
                i += 1;
                Tok::Comma
            }
            '"' | '\'' => match lex_quoted(chars, start) {
                Ok((value, next)) => {
                    i = next;
                    Tok::Quoted(value)
                }
                Err(e) => {
                    toks.push(Token {
                        tok: Tok::Eof,
                        pos: e.position,
                        len: 0,
                    });
                    return (toks, Some(e));
                }
            },
            c if is_op_char(c) => {
                while chars.get(i).is_some_and(|&c| is_op_char(c)) {
                    i += 1;
                }
                Tok::Op(chars[start..i].iter().collect())
            }
            c if is_value_component(c) => {
                while chars.get(i).is_some_and(|&c| is_value_component(c)) {
                    i += 1;
                }
                Tok::Word(chars[start..i].iter().collect())
            }
            other => {
                let e = unexpected_char(chars, start, other);
                toks.push(Token {
                    tok: Tok::Eof,
                    pos: start,
                    len: 0,
                });
                return (toks, Some(e));
            }
        };
        toks.push(Token {
            tok,
            pos: start,
            len: i - start,
        });
    }
    toks.push(Token {
        tok: Tok::Eof,
        pos: n,
        len: 0,
    });
    (toks, None)
}

fn unexpected_char(chars: &[char], pos: usize, c: char) -> FilterError {
    let shown: String = if c.is_control() {
        c.escape_default().collect()
    } else {
        c.to_string()
    };
    // Is the character glued to a bare word (`2025-01-16T11:19`)?
    let mut word_start = pos;
    while word_start > 0
        && chars
            .get(word_start - 1)
            .is_some_and(|&c| is_value_component(c))
    {
        word_start -= 1;
    }
    let message = if word_start < pos {
        let word: String = chars[word_start..pos].iter().collect();
        format!(
            "unexpected character `{shown}` after `{}`: unquoted values may only contain \
             letters, digits, `_`, `-` and `.`; put the value in quotes",
            excerpt(&word, 30)
        )
    } else {
        format!(
            "unexpected character `{shown}`: unquoted values may only contain letters, \
             digits, `_`, `-` and `.`; put the value in quotes"
        )
    };
    FilterError::at(chars, pos, message)
}

/// Lexes a quoted value starting at `start` (the quote). Returns the decoded
/// value and the index after the closing quote.
fn lex_quoted(chars: &[char], start: usize) -> Result<(String, usize), FilterError> {
    let quote = chars.get(start).copied().unwrap_or('"');
    let unclosed = || {
        FilterError::at(
            chars,
            start,
            format!("unclosed quote: the value starting here has no closing `{quote}`"),
        )
    };
    let mut out = String::new();
    let mut i = start + 1;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(unclosed());
        };
        if c == quote {
            return Ok((out, i + 1));
        }
        if c != '\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&e) = chars.get(i + 1) else {
            return Err(unclosed());
        };
        let invalid = |len: usize| {
            let seq: String = chars.iter().skip(i).take(len.max(2)).collect();
            FilterError::at(
                chars,
                i,
                format!(
                    "invalid escape sequence `{}` in quoted value (valid escapes: \
                     `\\\\`, `\\\"`, `\\'`, `\\n`, `\\t`, `\\r`, `\\0`, `\\xHH`, `\\u{{HHHH}}`)",
                    excerpt(&seq, 12)
                ),
            )
        };
        let (decoded, consumed) = match e {
            '\\' => ('\\', 2),
            '"' => ('"', 2),
            '\'' => ('\'', 2),
            '/' => ('/', 2),
            'n' => ('\n', 2),
            't' => ('\t', 2),
            'r' => ('\r', 2),
            '0' => ('\0', 2),
            'b' => ('\u{8}', 2),
            'f' => ('\u{c}', 2),
            'x' => {
                let code = hex_value(chars, i + 2, 2).filter(|&v| v <= 0x7f);
                match code.and_then(char::from_u32) {
                    Some(c) => (c, 4),
                    None => return Err(invalid(4)),
                }
            }
            'u' if chars.get(i + 2) == Some(&'{') => {
                let digits = chars
                    .iter()
                    .skip(i + 3)
                    .take(7)
                    .take_while(|c| c.is_ascii_hexdigit())
                    .count();
                let closed = chars.get(i + 3 + digits) == Some(&'}');
                let code = if (1..=6).contains(&digits) && closed {
                    hex_value(chars, i + 3, digits).and_then(char::from_u32)
                } else {
                    None
                };
                match code {
                    Some(c) => (c, 4 + digits),
                    None => return Err(invalid(4 + digits)),
                }
            }
            'u' => match hex_value(chars, i + 2, 4).and_then(char::from_u32) {
                Some(c) => (c, 6),
                None => return Err(invalid(6)),
            },
            _ => return Err(invalid(2)),
        };
        out.push(decoded);
        i += consumed;
    }
}

fn hex_value(chars: &[char], start: usize, len: usize) -> Option<u32> {
    let digits = chars.get(start..start.checked_add(len)?)?;
    digits
        .iter()
        .try_fold(0u32, |acc, c| Some(acc * 16 + c.to_digit(16)?))
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

type PResult<T> = Result<T, FilterError>;

struct Parser<'a> {
    chars: &'a [char],
    toks: Vec<Token>,
    idx: usize,
    lex_error: Option<FilterError>,
    depth: usize,
}

/// Parses a filter string. A blank string parses to `Filter::And(vec![])`
/// (matches everything), as Meilisearch treats it as "no filter".
pub fn parse(input: &str) -> Result<Filter, FilterError> {
    if input.len() > MAX_FILTER_LEN {
        let head: Vec<char> = input.chars().take(40).collect();
        return Err(FilterError {
            message: format!(
                "the filter is too long ({} bytes; the maximum is {MAX_FILTER_LEN})",
                input.len()
            ),
            position: 0,
            snippet: snippet(&head, 0),
        });
    }
    let chars: Vec<char> = input.chars().collect();
    if chars.iter().all(|c| c.is_whitespace()) {
        return Ok(Filter::And(Vec::new()));
    }
    let (toks, lex_error) = lex(&chars);
    let mut parser = Parser {
        chars: &chars,
        toks,
        idx: 0,
        lex_error,
        depth: 0,
    };
    let filter = parser.parse_or()?;
    let next = parser.peek()?;
    match next.tok {
        Tok::Eof => Ok(filter),
        Tok::RParen => Err(parser.error(next.pos, "unmatched closing parenthesis `)`")),
        _ => Err(parser.error(
            next.pos,
            format!(
                "unexpected {} after a complete condition; did you forget an `AND` or an `OR`?",
                parser.describe(&next)
            ),
        )),
    }
}

impl FromStr for Filter {
    type Err = FilterError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

fn negate(filter: Filter) -> Filter {
    match filter {
        Filter::Not(inner) => *inner,
        other => Filter::Not(Box::new(other)),
    }
}

impl Parser<'_> {
    fn error(&self, pos: usize, message: impl Into<String>) -> FilterError {
        FilterError::at(self.chars, pos, message)
    }

    /// The next token; the lexical error if the lexer stopped there.
    fn peek(&self) -> PResult<Token> {
        let last = self.toks.len().saturating_sub(1);
        let tok = self.toks.get(self.idx.min(last)).cloned().unwrap_or(Token {
            tok: Tok::Eof,
            pos: self.chars.len(),
            len: 0,
        });
        if tok.tok == Tok::Eof {
            if let Some(e) = &self.lex_error {
                return Err(e.clone());
            }
        }
        Ok(tok)
    }

    fn bump(&mut self) {
        if self.idx + 1 < self.toks.len() {
            self.idx += 1;
        }
    }

    fn peek_keyword(&self, keyword: &str) -> PResult<bool> {
        Ok(matches!(self.peek()?.tok, Tok::Word(w) if w.eq_ignore_ascii_case(keyword)))
    }

    fn enter(&mut self, pos: usize) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(
                pos,
                format!(
                    "the filter is nested too deeply (more than {MAX_DEPTH} levels of \
                     parentheses and `NOT`)"
                ),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// How a token reads in a message.
    fn describe(&self, token: &Token) -> String {
        match &token.tok {
            Tok::Eof => "the end of the filter".to_string(),
            Tok::Word(w) if is_keyword(w) => format!("the keyword `{}`", excerpt(w, 30)),
            _ => {
                let text: String = self.chars.iter().skip(token.pos).take(token.len).collect();
                format!("`{}`", excerpt(&text, 30))
            }
        }
    }

    /// "after `AND`", or "at the start of the filter".
    fn after_previous(&self) -> String {
        match self.idx.checked_sub(1).and_then(|i| self.toks.get(i)) {
            Some(prev) => format!("after {}", self.describe(prev)),
            None => "at the start of the filter".to_string(),
        }
    }

    fn parse_or(&mut self) -> PResult<Filter> {
        let first = self.parse_and()?;
        let mut items = Vec::new();
        while self.peek_keyword("OR")? {
            self.bump();
            items.push(self.parse_and()?);
        }
        if items.is_empty() {
            return Ok(first);
        }
        items.insert(0, first);
        Ok(Filter::Or(items))
    }

    fn parse_and(&mut self) -> PResult<Filter> {
        let first = self.parse_not()?;
        let mut items = Vec::new();
        while self.peek_keyword("AND")? {
            self.bump();
            items.push(self.parse_not()?);
        }
        if items.is_empty() {
            return Ok(first);
        }
        items.insert(0, first);
        Ok(Filter::And(items))
    }

    fn parse_not(&mut self) -> PResult<Filter> {
        if self.peek_keyword("NOT")? {
            let not = self.peek()?;
            self.bump();
            self.enter(not.pos)?;
            let inner = self.parse_not()?;
            self.leave();
            return Ok(negate(inner));
        }
        self.parse_primary()
    }

    fn parse_primary(&mut self) -> PResult<Filter> {
        let t = self.peek()?;
        match &t.tok {
            Tok::LParen => {
                self.bump();
                self.enter(t.pos)?;
                let inner = self.parse_or()?;
                self.leave();
                let close = self.peek()?;
                if close.tok == Tok::RParen {
                    self.bump();
                    return Ok(inner);
                }
                let message = format!(
                    "expected `)` to close the `(` at column {}, found {}",
                    t.pos + 1,
                    self.describe(&close)
                );
                Err(self.error(close.pos, message))
            }
            Tok::Word(w) if is_geo_keyword(w) => Err(self.error(
                t.pos,
                format!(
                    "geo filters (`{}`) are not supported by this server",
                    excerpt(w, 30)
                ),
            )),
            Tok::Word(w) if is_keyword(w) => Err(self.error(
                t.pos,
                format!(
                    "expected a condition {}, found the keyword `{w}`; to use `{w}` as an \
                     attribute name, put it in quotes: \"{w}\"",
                    self.after_previous()
                ),
            )),
            Tok::Word(w) | Tok::Quoted(w) => {
                let attribute = w.clone();
                self.bump();
                let op = self.parse_operation(&attribute)?;
                Ok(match op {
                    (true, op) => Filter::Not(Box::new(Filter::Condition {
                        attribute,
                        position: t.pos,
                        op,
                    })),
                    (false, op) => Filter::Condition {
                        attribute,
                        position: t.pos,
                        op,
                    },
                })
            }
            Tok::Eof => Err(self.error(
                t.pos,
                format!(
                    "expected a condition (like `attribute = value`) {}, but the filter ends there",
                    self.after_previous()
                ),
            )),
            _ => Err(self.error(
                t.pos,
                format!(
                    "expected a condition (an attribute name or `(`) {}, found {}",
                    self.after_previous(),
                    self.describe(&t)
                ),
            )),
        }
    }

    /// Parses what follows an attribute. Returns (negated, condition).
    fn parse_operation(&mut self, attribute: &str) -> PResult<(bool, Condition)> {
        let t = self.peek()?;
        let attr = format_token(attribute);
        let expected_operator = |found: &str| {
            format!(
                "expected an operator ({OPERATORS}) after `{}`, found {found}",
                excerpt(&attr, 30)
            )
        };
        let keyword = match &t.tok {
            Tok::Op(op) => {
                self.bump();
                let ctx = format!("after `{op}`");
                let condition = match op.as_str() {
                    "=" => Condition::Equal(self.expect_value(&ctx)?),
                    "!=" => Condition::NotEqual(self.expect_value(&ctx)?),
                    ">" => Condition::GreaterThan(self.expect_value(&ctx)?),
                    ">=" => Condition::GreaterThanOrEqual(self.expect_value(&ctx)?),
                    "<" => Condition::LowerThan(self.expect_value(&ctx)?),
                    "<=" => Condition::LowerThanOrEqual(self.expect_value(&ctx)?),
                    _ => {
                        return Err(self.error(
                            t.pos,
                            format!(
                                "unknown operator `{}`; expected one of `=`, `!=`, `>`, `>=`, \
                                 `<`, `<=`",
                                excerpt(op, 12)
                            ),
                        ))
                    }
                };
                return Ok((false, condition));
            }
            Tok::Word(w) if is_keyword(w) => w.to_ascii_uppercase(),
            Tok::Word(_) | Tok::Quoted(_) => {
                // `attr from TO to`
                self.bump();
                let from = match &t.tok {
                    Tok::Word(w) | Tok::Quoted(w) => Literal::new(w.as_str()),
                    _ => Literal::new(""),
                };
                if !self.peek_keyword("TO")? {
                    return Err(self.error(t.pos, expected_operator(&self.describe(&t))));
                }
                self.bump();
                let to = self.expect_value("after `TO`")?;
                return Ok((false, Condition::Between { from, to }));
            }
            Tok::Eof => {
                return Err(self.error(
                    t.pos,
                    format!(
                        "expected an operator ({OPERATORS}) after `{}`, but the filter ends there",
                        excerpt(&attr, 30)
                    ),
                ))
            }
            _ => return Err(self.error(t.pos, expected_operator(&self.describe(&t)))),
        };
        match keyword.as_str() {
            "IN" => {
                self.bump();
                Ok((false, Condition::In(self.parse_list()?)))
            }
            "EXISTS" => {
                self.bump();
                Ok((false, Condition::Exists))
            }
            "CONTAINS" => {
                self.bump();
                Ok((
                    false,
                    Condition::Contains(self.expect_value("after `CONTAINS`")?),
                ))
            }
            "STARTS" => {
                self.bump();
                self.expect_keyword("WITH", "after `STARTS`")?;
                Ok((
                    false,
                    Condition::StartsWith(self.expect_value("after `STARTS WITH`")?),
                ))
            }
            "IS" => {
                self.bump();
                let negated = self.peek_keyword("NOT")?;
                if negated {
                    self.bump();
                }
                let n = self.peek()?;
                let condition = match &n.tok {
                    Tok::Word(w) if w.eq_ignore_ascii_case("NULL") => Condition::IsNull,
                    Tok::Word(w) if w.eq_ignore_ascii_case("EMPTY") => Condition::IsEmpty,
                    _ => {
                        let after = if negated { "`IS NOT`" } else { "`IS`" };
                        return Err(self.error(
                            n.pos,
                            format!(
                                "expected `NULL` or `EMPTY` after {after}, found {}",
                                self.describe(&n)
                            ),
                        ));
                    }
                };
                self.bump();
                Ok((negated, condition))
            }
            "NOT" => {
                self.bump();
                let n = self.peek()?;
                let condition = match &n.tok {
                    Tok::Word(w) if w.eq_ignore_ascii_case("IN") => {
                        self.bump();
                        Condition::In(self.parse_list()?)
                    }
                    Tok::Word(w) if w.eq_ignore_ascii_case("EXISTS") => {
                        self.bump();
                        Condition::Exists
                    }
                    Tok::Word(w) if w.eq_ignore_ascii_case("CONTAINS") => {
                        self.bump();
                        Condition::Contains(self.expect_value("after `NOT CONTAINS`")?)
                    }
                    Tok::Word(w) if w.eq_ignore_ascii_case("STARTS") => {
                        self.bump();
                        self.expect_keyword("WITH", "after `NOT STARTS`")?;
                        Condition::StartsWith(self.expect_value("after `NOT STARTS WITH`")?)
                    }
                    _ => {
                        return Err(self.error(
                            n.pos,
                            format!(
                                "expected `IN`, `EXISTS`, `CONTAINS` or `STARTS WITH` after \
                                 `{}` NOT, found {}",
                                excerpt(&attr, 30),
                                self.describe(&n)
                            ),
                        ))
                    }
                };
                Ok((true, condition))
            }
            "TO" => Err(self.error(
                t.pos,
                format!(
                    "expected the lower bound of the range before `TO` (ranges are written \
                     `{} from TO to`)",
                    excerpt(&attr, 30)
                ),
            )),
            _ => Err(self.error(t.pos, expected_operator(&self.describe(&t)))),
        }
    }

    fn expect_keyword(&mut self, keyword: &str, ctx: &str) -> PResult<()> {
        if self.peek_keyword(keyword)? {
            self.bump();
            return Ok(());
        }
        let t = self.peek()?;
        Err(self.error(
            t.pos,
            format!("expected `{keyword}` {ctx}, found {}", self.describe(&t)),
        ))
    }

    fn expect_value(&mut self, ctx: &str) -> PResult<Literal> {
        let t = self.peek()?;
        match &t.tok {
            Tok::Word(w) if is_keyword(w) => Err(self.error(
                t.pos,
                format!(
                    "expected a value {ctx}, found the keyword `{w}`; to use `{w}` as a value, \
                     put it in quotes: \"{w}\""
                ),
            )),
            Tok::Word(w) | Tok::Quoted(w) => {
                let literal = Literal::new(w.as_str());
                self.bump();
                Ok(literal)
            }
            Tok::Eof => Err(self.error(
                t.pos,
                format!("expected a value {ctx}, but the filter ends there"),
            )),
            _ => Err(self.error(
                t.pos,
                format!("expected a value {ctx}, found {}", self.describe(&t)),
            )),
        }
    }

    /// `[v1, v2, ...]` after `IN` (a trailing comma is allowed).
    fn parse_list(&mut self) -> PResult<Vec<Literal>> {
        let open = self.peek()?;
        if open.tok != Tok::LBracket {
            return Err(self.error(
                open.pos,
                format!("expected `[` after `IN`, found {}", self.describe(&open)),
            ));
        }
        self.bump();
        let unclosed = |this: &Self, pos: usize| {
            this.error(
                pos,
                format!(
                    "missing `]` to close the `IN` list opened at column {}",
                    open.pos + 1
                ),
            )
        };
        let mut values = Vec::new();
        loop {
            let t = self.peek()?;
            match t.tok {
                Tok::RBracket => {
                    self.bump();
                    return Ok(values);
                }
                Tok::Eof => return Err(unclosed(self, t.pos)),
                _ => {}
            }
            values.push(self.expect_value("in the `IN [...]` list")?);
            let t = self.peek()?;
            match t.tok {
                Tok::Comma => self.bump(),
                Tok::RBracket => {
                    self.bump();
                    return Ok(values);
                }
                Tok::Eof => return Err(unclosed(self, t.pos)),
                _ => {
                    return Err(self.error(
                        t.pos,
                        format!(
                            "expected `,` or `]` in the `IN [...]` list, found {}",
                            self.describe(&t)
                        ),
                    ))
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Array form
// ---------------------------------------------------------------------------

/// Parses the `filter` field of a search request: a string, `null` (no
/// filter), or the array form where the outer array is ANDed and inner
/// arrays are ORed: `[["a = 1", "b = 2"], "c = 3"]` = `(a = 1 OR b = 2) AND c = 3`.
/// Blank strings and empty inner arrays are ignored, as in Meilisearch.
pub fn parse_value(v: &Value) -> Result<Filter, FilterError> {
    let items = match v {
        Value::Null => return Ok(Filter::And(Vec::new())),
        Value::String(s) => return parse(s),
        Value::Array(items) => items,
        other => return Err(type_error(other, "")),
    };

    let mut count = 0usize;
    let mut bytes = 0usize;
    for item in items {
        count += 1;
        match item {
            Value::String(s) => bytes += s.len(),
            Value::Array(inner) => {
                for x in inner {
                    count += 1;
                    if let Value::String(s) = x {
                        bytes += s.len();
                    }
                }
            }
            _ => {}
        }
    }
    if count > MAX_ARRAY_ELEMENTS || bytes > MAX_FILTER_LEN {
        return Err(FilterError {
            message: format!(
                "the filter array is too large ({count} elements, {bytes} bytes; the maximum \
                 is {MAX_ARRAY_ELEMENTS} elements and {MAX_FILTER_LEN} bytes)"
            ),
            position: 0,
            snippet: String::new(),
        });
    }

    let mut ands = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) => {
                if !s.trim().is_empty() {
                    ands.push(parse(s).map_err(|e| e.in_element(&format!("[{i}]")))?);
                }
            }
            Value::Array(inner) => {
                let mut ors = Vec::new();
                for (j, x) in inner.iter().enumerate() {
                    match x {
                        Value::String(s) => {
                            if !s.trim().is_empty() {
                                ors.push(
                                    parse(s).map_err(|e| e.in_element(&format!("[{i}][{j}]")))?,
                                );
                            }
                        }
                        Value::Array(_) => {
                            return Err(type_error(x, &format!("[{i}][{j}]")).with_message(
                                "filter arrays can only be nested one level deep \
                                 (`[[\"a = 1\", \"b = 2\"], \"c = 3\"]`)",
                            ))
                        }
                        other => return Err(type_error(other, &format!("[{i}][{j}]"))),
                    }
                }
                match ors.len() {
                    0 => {}
                    1 => ands.extend(ors),
                    _ => ands.push(Filter::Or(ors)),
                }
            }
            other => return Err(type_error(other, &format!("[{i}]"))),
        }
    }
    if ands.len() == 1 {
        if let Some(only) = ands.pop() {
            return Ok(only);
        }
    }
    Ok(Filter::And(ands))
}

fn type_error(v: &Value, path: &str) -> FilterError {
    let kind = match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    let location = if path.is_empty() {
        String::new()
    } else {
        format!(" at filter array element {path}")
    };
    FilterError {
        message: format!(
            "expected a string, or an array of strings and arrays of strings, found {kind}{location}"
        ),
        position: 0,
        snippet: excerpt(&v.to_string(), 40),
    }
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

/// Something a filter can be evaluated against.
pub trait Document {
    /// The value of an attribute (a dotted path for nested fields), or `None`
    /// if the document does not have it.
    fn attribute(&self, name: &str) -> Option<Cow<'_, Value>>;
}

/// A JSON object; dotted names reach into nested objects (and arrays of
/// objects, whose values are collected) the way Meilisearch flattens them.
impl Document for Map<String, Value> {
    #[inline]
    fn attribute(&self, name: &str) -> Option<Cow<'_, Value>> {
        lookup_in_map(self, name)
    }
}

/// Only objects have attributes.
impl Document for Value {
    #[inline]
    fn attribute(&self, name: &str) -> Option<Cow<'_, Value>> {
        match self {
            Value::Object(map) => lookup_in_map(map, name),
            _ => None,
        }
    }
}

/// A lookup closure: `filter.matches(&|name: &str| doc.get(name).cloned())`.
impl<F> Document for F
where
    F: Fn(&str) -> Option<Value> + ?Sized,
{
    fn attribute(&self, name: &str) -> Option<Cow<'_, Value>> {
        self(name).map(Cow::Owned)
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

impl Filter {
    /// Whether the document matches.
    pub fn matches<D: Document + ?Sized>(&self, doc: &D) -> bool {
        match self {
            Filter::And(items) => items.iter().all(|f| f.matches(doc)),
            Filter::Or(items) => items.iter().any(|f| f.matches(doc)),
            Filter::Not(inner) => !inner.matches(doc),
            Filter::Condition { attribute, op, .. } => {
                let value = doc.attribute(attribute);
                op.eval(value.as_deref())
            }
        }
    }

    /// The attribute names the filter uses, each once, in order of appearance.
    pub fn attributes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        self.for_each_condition(&mut |attribute, _, _| {
            if !out.iter().any(|a| a == attribute) {
                out.push(attribute.to_string());
            }
        });
        out
    }

    fn for_each_condition(&self, f: &mut dyn FnMut(&str, usize, &Condition)) {
        match self {
            Filter::And(items) | Filter::Or(items) => {
                for item in items {
                    item.for_each_condition(f);
                }
            }
            Filter::Not(inner) => inner.for_each_condition(f),
            Filter::Condition {
                attribute,
                position,
                op,
            } => f(attribute, *position, op),
        }
    }
}

impl Condition {
    /// Evaluates against the attribute's value (`None` = attribute missing).
    pub fn eval(&self, value: Option<&Value>) -> bool {
        let Some(v) = value else {
            return matches!(self, Condition::NotEqual(_));
        };
        match self {
            Condition::Exists => true,
            Condition::IsNull => v.is_null(),
            Condition::IsEmpty => match v {
                Value::String(s) => s.is_empty(),
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
                _ => false,
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
            Condition::In(list) => any_scalar(v, &|x| list.iter().any(|l| scalar_eq(x, l))),
            Condition::Contains(l) => any_scalar(v, &|x| match x {
                Value::String(s) => str_contains(s, &l.normalized),
                _ => false,
            }),
            Condition::StartsWith(l) => any_scalar(v, &|x| match x {
                Value::String(s) => str_starts_with(s, &l.normalized),
                _ => false,
            }),
        }
    }
}

/// `pred` on a scalar, or on any element of an array (recursively).
#[inline]
fn any_scalar<F: Fn(&Value) -> bool>(v: &Value, pred: &F) -> bool {
    match v {
        Value::Array(items) => any_in_array(items, 0, pred),
        other => pred(other),
    }
}

fn any_in_array<F: Fn(&Value) -> bool>(items: &[Value], depth: usize, pred: &F) -> bool {
    depth < MAX_VALUE_DEPTH
        && items.iter().any(|x| match x {
            Value::Array(inner) => any_in_array(inner, depth + 1, pred),
            other => pred(other),
        })
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

fn scalar_eq(x: &Value, l: &Literal) -> bool {
    match x {
        Value::String(s) => str_eq(s, &l.normalized),
        Value::Number(n) => match (n.as_f64(), l.number) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
        Value::Bool(b) => l.normalized == bool_str(*b),
        _ => false,
    }
}

/// Orders a document scalar against a literal: numerically when both are
/// numbers, lexicographically (normalised) when the document value is a
/// string or boolean; numbers never compare with non-numeric literals.
fn compare(x: &Value, l: &Literal) -> Option<Ordering> {
    match x {
        Value::Number(n) => n.as_f64()?.partial_cmp(&l.number?),
        Value::String(s) => {
            if let (Some(b), Some(a)) = (l.number, parse_number(s)) {
                return a.partial_cmp(&b);
            }
            Some(str_cmp(s, &l.normalized))
        }
        Value::Bool(b) => Some(str_cmp(bool_str(*b), &l.normalized)),
        _ => None,
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

// ---------------------------------------------------------------------------
// Attribute validation
// ---------------------------------------------------------------------------

/// Checks that every attribute the filter uses is filterable. `allowed`
/// entries are attribute names (which also cover their nested fields:
/// `metadata` allows `metadata.modelId`), or patterns `*`, `prefix*`, `*suffix`.
pub fn check_attributes(filter: &Filter, allowed: &[&str]) -> Result<(), FilterError> {
    let mut first_bad: Option<(String, usize)> = None;
    filter.for_each_condition(&mut |attribute, position, _| {
        if first_bad.is_none() && !is_filterable(attribute, allowed) {
            first_bad = Some((attribute.to_string(), position));
        }
    });
    let Some((attribute, position)) = first_bad else {
        return Ok(());
    };
    let mut names: Vec<&str> = allowed.to_vec();
    names.sort_unstable();
    names.dedup();
    let shown = excerpt(&attribute, 60);
    let message = if names.is_empty() {
        format!(
            "attribute `{shown}` is not filterable. This index does not have configured \
             filterable attributes."
        )
    } else {
        format!(
            "attribute `{shown}` is not filterable. Available filterable attributes are: `{}`.",
            names.join(", ")
        )
    };
    Err(FilterError {
        message,
        position,
        snippet: excerpt(&format_token(&attribute), 60),
    })
}

fn is_filterable(attribute: &str, allowed: &[&str]) -> bool {
    allowed.iter().any(|&pattern| {
        if pattern == "*" || pattern == attribute {
            return true;
        }
        if attribute
            .strip_prefix(pattern)
            .is_some_and(|rest| rest.starts_with('.'))
        {
            return true;
        }
        if let Some(prefix) = pattern.strip_suffix('*') {
            if attribute.starts_with(prefix) {
                return true;
            }
        }
        if let Some(suffix) = pattern.strip_prefix('*') {
            if attribute.ends_with(suffix) {
                return true;
            }
        }
        false
    })
}

// ---------------------------------------------------------------------------
// Display (canonical syntax that parses back to the same filter)
// ---------------------------------------------------------------------------

/// A bare word if it lexes as one, else a double-quoted string.
fn format_token(s: &str) -> String {
    if !s.is_empty() && s.chars().all(is_value_component) && !is_keyword(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_token(&self.raw))
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, list: &[Literal]) -> fmt::Result {
    f.write_str("[")?;
    for (i, l) in list.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{l}")?;
    }
    f.write_str("]")
}

fn write_condition(
    f: &mut fmt::Formatter<'_>,
    attribute: &str,
    op: &Condition,
    negated: bool,
) -> fmt::Result {
    let attr = format_token(attribute);
    let not = if negated { "NOT " } else { "" };
    match op {
        Condition::In(list) => {
            write!(f, "{attr} {not}IN ")?;
            write_list(f, list)
        }
        Condition::Exists => write!(f, "{attr} {not}EXISTS"),
        Condition::IsNull => write!(f, "{attr} IS {not}NULL"),
        Condition::IsEmpty => write!(f, "{attr} IS {not}EMPTY"),
        Condition::Contains(l) => write!(f, "{attr} {not}CONTAINS {l}"),
        Condition::StartsWith(l) => write!(f, "{attr} {not}STARTS WITH {l}"),
        other => {
            f.write_str(not)?;
            match other {
                Condition::Equal(l) => write!(f, "{attr} = {l}"),
                Condition::NotEqual(l) => write!(f, "{attr} != {l}"),
                Condition::GreaterThan(l) => write!(f, "{attr} > {l}"),
                Condition::GreaterThanOrEqual(l) => write!(f, "{attr} >= {l}"),
                Condition::LowerThan(l) => write!(f, "{attr} < {l}"),
                Condition::LowerThanOrEqual(l) => write!(f, "{attr} <= {l}"),
                Condition::Between { from, to } => write!(f, "{attr} {from} TO {to}"),
                _ => Ok(()),
            }
        }
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>,
                    items: &[Filter],
                    sep: &str,
                    needs_parens: fn(&Filter) -> bool|
         -> fmt::Result {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                if needs_parens(item) {
                    write!(f, "({item})")?;
                } else {
                    write!(f, "{item}")?;
                }
            }
            Ok(())
        };
        match self {
            Filter::And(items) => join(f, items, " AND ", |x| {
                matches!(x, Filter::And(_) | Filter::Or(_))
            }),
            Filter::Or(items) => join(f, items, " OR ", |x| matches!(x, Filter::Or(_))),
            Filter::Not(inner) => match inner.as_ref() {
                Filter::Condition { attribute, op, .. } => write_condition(f, attribute, op, true),
                Filter::Not(_) => write!(f, "NOT {inner}"),
                other => write!(f, "NOT ({other})"),
            },
            Filter::Condition { attribute, op, .. } => write_condition(f, attribute, op, false),
        }
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(input: &str) -> Filter {
        match parse(input) {
            Ok(f) => f,
            Err(e) => panic!("`{input}` should parse but failed: {e}"),
        }
    }

    fn err(input: &str) -> FilterError {
        match parse(input) {
            Ok(f) => panic!("`{input}` should fail but parsed as {f:?}"),
            Err(e) => e,
        }
    }

    /// Asserts the error's 1-based column and that its message mentions `needle`.
    #[track_caller]
    fn assert_err(input: &str, column: usize, needle: &str) {
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
    fn c(input: &str) -> String {
        p(input).to_string()
    }

    fn doc() -> Value {
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
    fn m(filter: &str) -> bool {
        p(filter).matches(&doc())
    }

    #[track_caller]
    fn yes(filter: &str) {
        assert!(m(filter), "`{filter}` should match");
    }

    #[track_caller]
    fn no(filter: &str) {
        assert!(!m(filter), "`{filter}` should not match");
    }

    // --- parsing & canonical form ------------------------------------------

    #[test]
    fn parses_every_comparison_operator() {
        assert_eq!(c("kind = image"), "kind = image");
        assert_eq!(c("kind != image"), "kind != image");
        assert_eq!(c("width > 512"), "width > 512");
        assert_eq!(c("width >= 512"), "width >= 512");
        assert_eq!(c("width < 512"), "width < 512");
        assert_eq!(c("width <= 512"), "width <= 512");
        assert_eq!(c("width 100 TO 1000"), "width 100 TO 1000");
        assert_eq!(c("width=512"), "width = 512");
        assert_eq!(c("width>=512"), "width >= 512");
        assert_eq!(c("kind!=image"), "kind != image");
        assert_eq!(c("  kind   =   image  "), "kind = image");
    }

    #[test]
    fn parses_in_exists_null_empty_contains() {
        assert_eq!(c("tags IN [hero, draft]"), "tags IN [hero, draft]");
        assert_eq!(c("tags IN[hero,draft,]"), "tags IN [hero, draft]");
        assert_eq!(c("tags IN []"), "tags IN []");
        assert_eq!(c("tags NOT IN [hero]"), "tags NOT IN [hero]");
        assert_eq!(c("tags  NOT   IN [hero]"), "tags NOT IN [hero]");
        assert_eq!(c("a EXISTS"), "a EXISTS");
        assert_eq!(c("a NOT EXISTS"), "a NOT EXISTS");
        assert_eq!(c("a IS NULL"), "a IS NULL");
        assert_eq!(c("a IS NOT NULL"), "a IS NOT NULL");
        assert_eq!(c("a IS EMPTY"), "a IS EMPTY");
        assert_eq!(c("a IS NOT EMPTY"), "a IS NOT EMPTY");
        assert_eq!(c("a CONTAINS her"), "a CONTAINS her");
        assert_eq!(c("a NOT CONTAINS her"), "a NOT CONTAINS her");
        assert_eq!(c("a STARTS WITH her"), "a STARTS WITH her");
        assert_eq!(c("a NOT STARTS WITH her"), "a NOT STARTS WITH her");
        // Negated forms are NOT around the positive condition, as in Meilisearch.
        assert!(matches!(p("a NOT IN [x]"), Filter::Not(_)));
        assert!(matches!(p("a IS NOT NULL"), Filter::Not(_)));
        assert!(matches!(p("a NOT EXISTS"), Filter::Not(_)));
    }

    #[test]
    fn keywords_are_case_insensitive() {
        assert_eq!(c("a = 1 and b = 2 Or c = 3"), "a = 1 AND b = 2 OR c = 3");
        assert_eq!(c("not a = 1"), "NOT a = 1");
        assert_eq!(c("tags in [x]"), "tags IN [x]");
        assert_eq!(c("tags not In [x]"), "tags NOT IN [x]");
        assert_eq!(c("w 1 to 5"), "w 1 TO 5");
        assert_eq!(c("a exists"), "a EXISTS");
        assert_eq!(c("a is not null"), "a IS NOT NULL");
        assert_eq!(c("a Is Empty"), "a IS EMPTY");
        assert_eq!(c("a starts with x"), "a STARTS WITH x");
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let f = p("a = 1 OR b = 2 AND c = 3");
        match &f {
            Filter::Or(items) => {
                assert_eq!(items.len(), 2);
                assert!(matches!(items[1], Filter::And(_)));
            }
            other => panic!("expected OR at the top: {other:?}"),
        }
        assert_eq!(f.to_string(), "a = 1 OR b = 2 AND c = 3");
        let f = p("a = 1 AND b = 2 OR c = 3");
        assert!(matches!(&f, Filter::Or(items) if matches!(items[0], Filter::And(_))));
        // Chains are flat.
        assert!(matches!(p("a = 1 OR b = 2 OR c = 3"), Filter::Or(items) if items.len() == 3));
        assert!(matches!(p("a = 1 AND b = 2 AND c = 3"), Filter::And(items) if items.len() == 3));
        // Evaluation: `kind = video OR kind = image AND width = 512` is true,
        // `(kind = video OR kind = image) AND width = 1` is false.
        yes("kind = video OR kind = image AND width = 512");
        yes("kind = image OR kind = video AND width = 1");
        no("(kind = image OR kind = video) AND width = 1");
        no("kind = video AND kind = image OR width = 1");
    }

    #[test]
    fn parentheses_group() {
        assert_eq!(
            c("(a = 1 OR b = 2) AND c = 3"),
            "(a = 1 OR b = 2) AND c = 3"
        );
        assert_eq!(c("((a = 1))"), "a = 1");
        assert_eq!(c(" ( a = 1 ) "), "a = 1");
        assert_eq!(
            c("a = 1 AND (b = 2 AND c = 3)"),
            "a = 1 AND (b = 2 AND c = 3)"
        );
        assert_eq!(c("NOT (a = 1 OR b = 2)"), "NOT (a = 1 OR b = 2)");
        assert_eq!(c("(a = 1)AND(b = 2)"), "a = 1 AND b = 2");
    }

    #[test]
    fn not_and_double_negation() {
        assert_eq!(c("NOT a = 1"), "NOT a = 1");
        assert_eq!(c("NOT NOT a = 1"), "a = 1");
        assert_eq!(c("NOT NOT NOT a = 1"), "NOT a = 1");
        assert_eq!(c("NOT (NOT a = 1)"), "a = 1");
        assert_eq!(c("NOT a NOT IN [x]"), "a IN [x]");
        assert_eq!(c("NOT a IS NOT NULL"), "a IS NULL");
        assert_eq!(c("NOT a 1 TO 2"), "NOT a 1 TO 2");
        yes("NOT kind = video");
        no("NOT kind = image");
        yes("NOT NOT kind = image");
        yes("NOT (kind = video OR width = 1)");
        no("NOT (kind = video OR width = 512)");
    }

    #[test]
    fn values_quoted_escaped_and_bare() {
        let f = p(r#"name = "My Hero Image""#);
        assert!(
            matches!(&f, Filter::Condition { op: Condition::Equal(l), .. } if l.as_str() == "My Hero Image")
        );
        let f = p(r"name = 'it\'s'");
        assert!(
            matches!(&f, Filter::Condition { op: Condition::Equal(l), .. } if l.as_str() == "it's")
        );
        let f = p(r#"name = "say \"hi\" \\ now""#);
        assert!(
            matches!(&f, Filter::Condition { op: Condition::Equal(l), .. } if l.as_str() == r#"say "hi" \ now"#)
        );
        let f = p(r#"name = 'mixed "quotes"'"#);
        assert!(
            matches!(&f, Filter::Condition { op: Condition::Equal(l), .. } if l.as_str() == r#"mixed "quotes""#)
        );
        let f = p(r#"name = "tab\there\nnl \x41 \u{e9} \u00e9""#);
        assert!(
            matches!(&f, Filter::Condition { op: Condition::Equal(l), .. } if l.as_str() == "tab\there\nnl A é é")
        );
        let f = p(r#"name = "a (b) [c], d = e AND f""#);
        assert!(
            matches!(&f, Filter::Condition { op: Condition::Equal(l), .. } if l.as_str() == "a (b) [c], d = e AND f")
        );
        // Empty quoted value.
        assert_eq!(c(r#"title = """#), r#"title = """#);
        // Keywords as values must be quoted.
        assert_eq!(c(r#"kind = "AND""#), r#"kind = "AND""#);
        // Bare words: letters, digits, `_`, `-`, `.`, any script.
        assert_eq!(c("id = asset_1-x.y"), "id = asset_1-x.y");
        assert_eq!(c("名前 = 値"), "名前 = 値");
        assert_eq!(c("width > -5.5"), "width > -5.5");
        // Literals are pre-normalised.
        let l = Literal::new("  MiXeD ");
        assert_eq!(l.normalized(), "mixed");
        assert_eq!(l.number(), None);
        assert_eq!(Literal::new("512").number(), Some(512.0));
        assert_eq!(Literal::new("1e3").number(), Some(1000.0));
        assert_eq!(Literal::new("inf").number(), None);
        assert_eq!(Literal::new("NaN").number(), None);
    }

    #[test]
    fn attribute_names_dotted_and_quoted() {
        let f = p("metadata.modelId = model_x");
        assert_eq!(f.attributes(), vec!["metadata.modelId".to_string()]);
        let f = p(r#""dog race" = borzoi AND 'a\'b' EXISTS"#);
        assert_eq!(
            f.attributes(),
            vec!["dog race".to_string(), "a'b".to_string()]
        );
        assert_eq!(f.to_string(), r#""dog race" = borzoi AND "a'b" EXISTS"#);
        // A keyword-named attribute can be quoted.
        assert_eq!(c(r#""in" = 1"#), r#""in" = 1"#);
    }

    #[test]
    fn attributes_are_unique_in_order() {
        let f = p("b = 1 AND (a = 2 OR b = 3) AND NOT c EXISTS AND a IN [x]");
        assert_eq!(f.attributes(), vec!["b", "a", "c"]);
        assert!(p("").attributes().is_empty());
    }

    #[test]
    fn condition_positions_are_char_offsets() {
        match p("名前 = 1 AND  kind = x") {
            Filter::And(items) => {
                assert!(matches!(items[0], Filter::Condition { position: 0, .. }));
                assert!(matches!(items[1], Filter::Condition { position: 12, .. }));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn blank_filter_matches_everything() {
        assert_eq!(p(""), Filter::And(vec![]));
        assert_eq!(p("  \n\t "), Filter::And(vec![]));
        assert!(p("").matches(&doc()));
        assert!(!Filter::Or(vec![]).matches(&doc()));
    }

    #[test]
    fn from_str_works() {
        let f: Filter = match "kind = image".parse() {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        };
        assert!(f.matches(&doc()));
    }

    // --- evaluation ------------------------------------------------------

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

    // --- array form -------------------------------------------------------

    #[test]
    fn array_form() {
        let pv = |v: Value| match parse_value(&v) {
            Ok(f) => f,
            Err(e) => panic!("{v} should parse: {e}"),
        };
        assert_eq!(
            pv(json!([["a = 1", "b = 2"], "c = 3"])).to_string(),
            "(a = 1 OR b = 2) AND c = 3"
        );
        assert_eq!(pv(json!("a = 1 OR b = 2")).to_string(), "a = 1 OR b = 2");
        assert_eq!(pv(json!(["a = 1"])).to_string(), "a = 1");
        assert_eq!(pv(json!([["a = 1"]])).to_string(), "a = 1");
        assert_eq!(pv(json!(["a = 1", "b = 2"])).to_string(), "a = 1 AND b = 2");
        assert_eq!(
            pv(json!(["a = 1 OR b = 2", "c = 3"])).to_string(),
            "(a = 1 OR b = 2) AND c = 3"
        );
        assert_eq!(pv(json!([])), Filter::And(vec![]));
        assert_eq!(pv(json!(null)), Filter::And(vec![]));
        assert_eq!(pv(json!(["", [], ["  "]])), Filter::And(vec![]));
        assert_eq!(pv(json!(["", "a = 1"])).to_string(), "a = 1");

        let f = pv(json!([["kind = video", "kind = image"], "tags = hero"]));
        assert!(f.matches(&doc()));
        let f = pv(json!([["kind = video", "kind = audio"], "tags = hero"]));
        assert!(!f.matches(&doc()));
    }

    #[test]
    fn array_form_errors() {
        let pe = |v: Value| match parse_value(&v) {
            Ok(f) => panic!("{v} should fail, parsed {f:?}"),
            Err(e) => e,
        };
        let e = pe(json!(["a = 1", ["b = 2", "c ="]]));
        assert_eq!(e.column(), 4);
        assert!(
            e.message.starts_with("in filter array element [1][1]: "),
            "{e}"
        );
        let e = pe(json!([[["a = 1"]]]));
        assert!(e.message.contains("nested one level"), "{e}");
        let e = pe(json!(["a = 1", 5]));
        assert!(
            e.message
                .contains("found a number at filter array element [1]"),
            "{e}"
        );
        let e = pe(json!(true));
        assert!(e.message.contains("found a boolean"), "{e}");
        let e = pe(json!({"a": 1}));
        assert!(e.message.contains("found an object"), "{e}");
        let e = pe(json!(["a = 1", [null]]));
        assert!(e.message.contains("found null"), "{e}");
        let e = pe(Value::Array(vec![json!("a = 1"); MAX_ARRAY_ELEMENTS + 1]));
        assert!(e.message.contains("too large"), "{e}");
        let e = pe(json!(["a".repeat(5000), "b".repeat(5000)]));
        assert!(e.message.contains("too large"), "{e}");
    }

    // --- errors --------------------------------------------------------------

    #[test]
    fn error_display_is_one_line_with_column_and_snippet() {
        let e = err("kind = AND tags = x");
        assert_eq!(e.position, 7);
        assert_eq!(
            e.to_string(),
            "invalid filter at column 8: expected a value after `=`, found the keyword `AND`; \
             to use `AND` as a value, put it in quotes: \"AND\": `kind = AND tags = x`"
        );
        // Long filters are excerpted around the error.
        let long = format!(
            "{} AND kind = AND x = 1 {}",
            "a = 1 AND ".repeat(10),
            "AND b = 2 ".repeat(10)
        );
        let e = err(&long);
        assert!(
            e.snippet.starts_with('…') && e.snippet.ends_with('…'),
            "{e}"
        );
        assert!(e.snippet.contains("kind = AND"), "{e}");
        assert!(e.snippet.chars().count() <= 52, "{e}");
        // Newlines in the input don't break the line.
        let e = err("a = 1\nAND\n= 2");
        assert!(!e.to_string().contains('\n'), "{e}");
        assert!(e.snippet.contains("\\n"), "{e}");
    }

    #[test]
    fn error_unclosed_quote() {
        assert_err(r#"kind = "image"#, 8, "unclosed quote");
        assert_err("kind = 'image", 8, "unclosed quote");
        assert_err(r#"kind = "image\""#, 8, "unclosed quote");
        assert_err(r#"kind = "image\"#, 8, "unclosed quote");
        assert_err(r#""kind = image"#, 1, "unclosed quote");
        // Position is in chars, not bytes.
        assert_err("名前 = \"値", 6, "unclosed quote");
    }

    #[test]
    fn error_missing_value() {
        assert_err("kind = AND tags = x", 8, "expected a value after `=`");
        assert_err(
            "kind =",
            7,
            "expected a value after `=`, but the filter ends",
        );
        assert_err("kind = ", 8, "but the filter ends");
        assert_err("kind = (x)", 8, "expected a value after `=`, found `(`");
        assert_err("kind = OR", 8, "keyword `OR`");
        assert_err("width 1 TO", 11, "expected a value after `TO`");
        assert_err("tags IN [a, AND]", 13, "keyword `AND`");
        assert_err("a CONTAINS", 11, "after `CONTAINS`");
        assert_err("a STARTS x", 10, "expected `WITH` after `STARTS`");
    }

    #[test]
    fn error_unknown_or_missing_operator() {
        assert_err("kind == image", 6, "unknown operator `==`");
        assert_err("kind => image", 6, "unknown operator `=>`");
        assert_err("kind <> image", 6, "unknown operator `<>`");
        assert_err("kind ! image", 6, "unknown operator `!`");
        assert_err("kind ~ image", 6, "unexpected character `~`");
        assert_err("kind image", 6, "expected an operator");
        assert_err("kind", 5, "expected an operator");
        assert_err("kind AND x = 1", 6, "expected an operator");
        assert_err("kind TO 5", 6, "lower bound");
        assert_err("kind IS x", 9, "expected `NULL` or `EMPTY` after `IS`");
        assert_err("kind IS NOT x", 13, "after `IS NOT`");
        assert_err("kind NOT x", 10, "expected `IN`, `EXISTS`");
        assert_err("kind (", 6, "expected an operator");
    }

    #[test]
    fn error_trailing_garbage() {
        assert_err(
            "kind = image tags = x",
            14,
            "did you forget an `AND` or an `OR`",
        );
        assert_err("kind = image image2", 14, "did you forget");
        assert_err("kind = image,", 13, "did you forget");
        assert_err("kind = image [", 14, "did you forget");
        assert_err(r#"kind = image "x""#, 14, "did you forget");
        assert_err(
            "a = 1 AND",
            10,
            "after the keyword `AND`, but the filter ends there",
        );
        assert_err("a = 1 OR", 9, "after the keyword `OR`");
        assert_err("a = 1 AND OR b = 2", 11, "found the keyword `OR`");
        assert_err("AND a = 1", 1, "at the start of the filter");
        assert_err("NOT", 4, "but the filter ends there");
    }

    #[test]
    fn error_unexpected_characters() {
        assert_err(
            "createdAt > 2025-01-16T11:19:41Z",
            26,
            "after `2025-01-16T11`",
        );
        assert_err("a = 🦀", 5, "unexpected character `🦀`");
        assert_err("a = $x", 5, "put the value in quotes");
        assert_err("a = 1 && b = 2", 7, "unexpected character `&`");
        assert_err("a = \u{1}", 5, "\\u{1}");
        assert_err(r#"a = "\q""#, 6, "invalid escape sequence `\\q`");
        assert_err(r#"a = "\x""#, 6, "invalid escape");
        assert_err(r#"a = "\xff""#, 6, "invalid escape");
        assert_err(r#"a = "\u{110000}""#, 6, "invalid escape");
        assert_err(r#"a = "\ud800""#, 6, "invalid escape");
        assert_err(r#"a = "\u{}""#, 6, "invalid escape");
        // An earlier syntax error wins over a later lexical one.
        assert_err("a b = $", 3, "expected an operator");
    }

    #[test]
    fn error_unbalanced_parentheses() {
        assert_err(
            "(kind = image",
            14,
            "expected `)` to close the `(` at column 1",
        );
        assert_err("((a = 1) OR (b = 2)", 20, "column 1");
        assert_err("(a = 1 b = 2)", 8, "expected `)`");
        assert_err("kind = image)", 13, "unmatched closing parenthesis");
        assert_err("a = 1) AND (b = 2", 6, "unmatched");
        assert_err("()", 2, "found `)`");
        assert_err(")", 1, "found `)`");
        assert_err("(", 2, "but the filter ends there");
    }

    #[test]
    fn error_in_list() {
        assert_err("tags IN hero", 9, "expected `[` after `IN`");
        assert_err(
            "tags IN [hero",
            14,
            "missing `]` to close the `IN` list opened at column 9",
        );
        assert_err("tags IN [hero,", 15, "missing `]`");
        assert_err("tags IN [hero draft]", 15, "expected `,` or `]`");
        assert_err("tags IN [,]", 10, "expected a value in the `IN [...]` list");
        assert_err("tags IN [a,,b]", 12, "found `,`");
        assert_err("tags IN [(a)]", 10, "found `(`");
    }

    #[test]
    fn error_reserved_keywords_and_geo() {
        assert_err("AND = 1", 1, "put it in quotes");
        assert_err("to = 1", 1, "keyword `to`");
        assert_err("a = 1 AND exists = 2", 11, "keyword `exists`");
        assert_err("_geoRadius(1, 2, 3)", 1, "geo filters");
        assert_err("_geoBoundingBox([1, 2], [3, 4])", 1, "not supported");
        assert_err("a = _geoRadius", 5, "keyword `_geoRadius`");
    }

    #[test]
    fn limits_length_and_depth() {
        let e = err(&"a".repeat(MAX_FILTER_LEN + 1));
        assert!(e.message.contains("too long"), "{e}");
        assert!(e.snippet.chars().count() < 60);
        // Multi-byte input over the byte limit.
        assert!(err(&"é".repeat(MAX_FILTER_LEN / 2 + 1))
            .message
            .contains("too long"));

        let nested = |n: usize| format!("{}a = 1{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(c(&nested(MAX_DEPTH)), "a = 1");
        let e = err(&nested(MAX_DEPTH + 1));
        assert!(e.message.contains("nested too deeply"), "{e}");
        assert_eq!(e.position, MAX_DEPTH);
        let e = err(&nested(4000));
        assert!(e.message.contains("nested too deeply"), "{e}");

        let nots = |n: usize| format!("{}a = 1", "NOT ".repeat(n));
        assert_eq!(c(&nots(MAX_DEPTH)), "a = 1");
        assert!(err(&nots(MAX_DEPTH + 1))
            .message
            .contains("nested too deeply"));
        assert!(err(&nots(2000)).message.contains("nested too deeply"));
        // Mixed nesting counts both.
        let mixed = "NOT (".repeat(40) + "a = 1" + &")".repeat(40);
        assert!(err(&mixed).message.contains("nested too deeply"));
        // Long but flat filters are fine.
        let flat = vec!["a = 1"; 800].join(" OR ");
        assert!(flat.len() <= MAX_FILTER_LEN);
        assert!(matches!(p(&flat), Filter::Or(items) if items.len() == 800));
    }

    // --- attribute validation ---------------------------------------------

    #[test]
    fn check_attributes_reports_first_unknown() {
        let allowed = [
            "kind",
            "tags",
            "createdAt",
            "authorId",
            "collectionIds",
            "metadata",
        ];
        assert_eq!(
            check_attributes(&p("kind = x AND tags IN [a]"), &allowed),
            Ok(())
        );
        assert_eq!(
            check_attributes(&p("metadata.modelId = x"), &allowed),
            Ok(())
        );
        assert_eq!(check_attributes(&p(""), &allowed), Ok(()));
        let e = match check_attributes(&p("kind = x AND NOT (foo = 1 OR bar = 2)"), &allowed) {
            Err(e) => e,
            Ok(()) => panic!("foo is not filterable"),
        };
        assert_eq!(e.position, 18);
        assert_eq!(
            e.message,
            "attribute `foo` is not filterable. Available filterable attributes are: \
             `authorId, collectionIds, createdAt, kind, metadata, tags`."
        );
        assert_eq!(
            e.to_string(),
            "invalid filter at column 19: attribute `foo` is not filterable. Available \
             filterable attributes are: `authorId, collectionIds, createdAt, kind, metadata, \
             tags`.: `foo`"
        );
        // A prefix is not a parent.
        assert!(check_attributes(&p("kindOf = x"), &allowed).is_err());
        assert!(check_attributes(&p("metadataX = x"), &allowed).is_err());
        let e = match check_attributes(&p("x = 1"), &[]) {
            Err(e) => e,
            Ok(()) => panic!("nothing is filterable"),
        };
        assert!(
            e.message
                .contains("does not have configured filterable attributes"),
            "{e}"
        );
        // Patterns.
        assert!(check_attributes(&p("anything = 1"), &["*"]).is_ok());
        assert!(check_attributes(&p("meta_a = 1 AND meta_b = 2"), &["meta_*"]).is_ok());
        assert!(check_attributes(&p("a_id = 1 AND b_id = 2"), &["*_id"]).is_ok());
        assert!(check_attributes(&p("a_ix = 1"), &["*_id"]).is_err());
    }

    // --- round trip & robustness -----------------------------------------------

    #[test]
    fn display_round_trips() {
        for input in [
            r#"kind = "image" AND tags IN ["hero", "draft"] AND createdAt > "2025-01-01""#,
            "a = 1 OR b = 2 AND c = 3",
            "(a = 1 OR b = 2) AND NOT (c = 3 AND d = 4)",
            r#"'x y' != "q\"uote" OR z 1 TO 2"#,
            "a NOT IN [] AND b IS NOT EMPTY AND c NOT EXISTS",
            r#"name = "line\nbreak\ttab\u{1}""#,
            r#"name = "back\\slash""#,
            "(a = 1 AND b = 2) AND c = 3",
            "a = 1 OR (b = 2 OR c = 3)",
            r#"a = "AND" AND "OR" = b"#,
        ] {
            let f = p(input);
            let shown = f.to_string();
            let again = p(&shown);
            assert_eq!(again.to_string(), shown, "{input}");
            assert_eq!(again.attributes(), f.attributes(), "{input}");
        }
    }

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

    /// `cargo test --release --lib server::filter -- --ignored --nocapture`
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
            fn attribute(&self, name: &str) -> Option<Cow<'_, Value>> {
                match name {
                    "kind" => Some(Cow::Borrowed(&self.kind)),
                    "tags" => Some(Cow::Borrowed(&self.tags)),
                    "createdAt" => Some(Cow::Borrowed(&self.created_at)),
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
