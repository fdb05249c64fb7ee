//! Display: the canonical syntax of a filter, which parses back to the
//! same filter.

use std::fmt;

use super::lexer::{is_keyword, is_value_component};
use super::{Condition, Filter, Literal};

/// A bare word if it lexes as one, else a double-quoted string.
pub(super) fn format_token(s: &str) -> String {
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
            write_list(f, list.literals())
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

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

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
}
