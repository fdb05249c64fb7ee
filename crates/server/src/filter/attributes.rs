//! Which attributes a filter uses, and the check that each is filterable.

use super::display::format_token;
use super::error::{excerpt, FilterError};
use super::{Condition, Filter};

impl Filter {
    /// How many conditions the filter has (an `IN` list is one).
    pub fn conditions(&self) -> usize {
        let mut n = 0;
        self.for_each_condition(&mut |_, _, _| n += 1);
        n
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

    pub(super) fn for_each_condition(&self, f: &mut dyn FnMut(&str, usize, &Condition)) {
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

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn attributes_are_unique_in_order() {
        let f = p("b = 1 AND (a = 2 OR b = 3) AND NOT c EXISTS AND a IN [x]");
        assert_eq!(f.attributes(), vec!["b", "a", "c"]);
        assert!(p("").attributes().is_empty());
    }

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
}
