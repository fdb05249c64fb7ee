//! The parser: tokens into a [`Filter`], with errors that name the column
//! and say what was expected; and the array form of the `filter` field.

use std::str::FromStr;

use serde_json::Value;

use super::display::format_token;
use super::error::{excerpt, snippet, FilterError};
use super::lexer::{is_geo_keyword, is_keyword, lex, Tok, Token};
use super::{
    Condition, Filter, InList, Literal, MAX_CONDITIONS, MAX_DEPTH, MAX_FILTER_LEN, MAX_IN_VALUES,
};

/// Most strings accepted in the array form.
const MAX_ARRAY_ELEMENTS: usize = 1024;

const OPERATORS: &str = "`=`, `!=`, `>`, `>=`, `<`, `<=`, `TO`, `IN`, `NOT IN`, `EXISTS`, \
                         `NOT EXISTS`, `IS NULL`, `IS NOT NULL`, `IS EMPTY`, `IS NOT EMPTY`, \
                         `CONTAINS`, `STARTS WITH`";

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
        Tok::Eof => check_size(filter, &chars),
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

/// Refuses a filter with more than [`MAX_CONDITIONS`] conditions, at the
/// first one over.
fn check_size(filter: Filter, chars: &[char]) -> Result<Filter, FilterError> {
    let mut seen = 0usize;
    let mut over = None;
    filter.for_each_condition(&mut |_, position, _| {
        seen += 1;
        if seen == MAX_CONDITIONS + 1 {
            over = Some(position);
        }
    });
    match over {
        None => Ok(filter),
        Some(position) => Err(FilterError::at(chars, position, too_many_conditions(seen))),
    }
}

fn too_many_conditions(seen: usize) -> String {
    format!(
        "the filter has {seen} conditions; the limit is {MAX_CONDITIONS} (an `IN [...]` list \
         counts as one)"
    )
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
                Ok((false, Condition::In(InList::new(self.parse_list()?))))
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
                        Condition::In(InList::new(self.parse_list()?))
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
            if values.len() == MAX_IN_VALUES {
                return Err(self.error(
                    t.pos,
                    format!(
                        "the `IN` list opened at column {} has more than {MAX_IN_VALUES} values \
                         (the limit is {MAX_IN_VALUES})",
                        open.pos + 1
                    ),
                ));
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
    let filter = match ands.len() {
        1 => ands.pop().unwrap_or(Filter::And(Vec::new())),
        _ => Filter::And(ands),
    };
    let seen = filter.conditions();
    if seen > MAX_CONDITIONS {
        return Err(FilterError {
            message: too_many_conditions(seen),
            position: 0,
            snippet: String::new(),
        });
    }
    Ok(filter)
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

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use serde_json::json;

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
    fn limits_conditions_and_in_values() {
        // a flat filter of MAX_CONDITIONS conditions is fine, one more is not
        let flat = |n: usize| vec!["a=1"; n].join(" OR ");
        assert!(
            matches!(p(&flat(MAX_CONDITIONS)), Filter::Or(items) if items.len() == MAX_CONDITIONS)
        );
        let e = err(&flat(MAX_CONDITIONS + 1));
        assert!(e.message.contains("the limit is 1024"), "{e}");
        assert_eq!(e.position, MAX_CONDITIONS * 7, "{e}");
        // the array form counts all of its elements together
        let half = json!([flat(520), flat(520)]);
        let e = match parse_value(&half) {
            Ok(_) => panic!("1 040 conditions should be refused"),
            Err(e) => e,
        };
        assert!(
            e.message.contains("1040 conditions; the limit is 1024"),
            "{e}"
        );
        // an IN list counts once, up to MAX_IN_VALUES values
        let list = |n: usize| {
            let values: Vec<String> = (0..n).map(|i| format!("{i}")).collect();
            format!("tags IN [{}]", values.join(","))
        };
        assert!(matches!(p(&list(MAX_IN_VALUES)).conditions(), 1));
        let e = err(&list(MAX_IN_VALUES + 1));
        assert!(
            e.message
                .contains("the `IN` list opened at column 9 has more than 1024 values"),
            "{e}"
        );
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
}
