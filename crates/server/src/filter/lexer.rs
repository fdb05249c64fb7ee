//! The lexer: characters into tokens (words, quoted strings with their
//! escapes, operator runs, brackets), stopping at the first lexical error.

use super::error::{excerpt, FilterError};

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

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
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
pub(super) struct Token {
    pub(super) tok: Tok,
    /// Char offset.
    pub(super) pos: usize,
    /// Length in chars.
    pub(super) len: usize,
}

pub(super) fn is_value_component(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

fn is_op_char(c: char) -> bool {
    matches!(c, '=' | '<' | '>' | '!')
}

pub(super) fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

pub(super) fn is_geo_keyword(word: &str) -> bool {
    GEO_KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// Tokenizes up to the first lexical error. The token list always ends with
/// `Eof` (placed at the error, if any).
pub(super) fn lex(chars: &[char]) -> (Vec<Token>, Option<FilterError>) {
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

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

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
}
