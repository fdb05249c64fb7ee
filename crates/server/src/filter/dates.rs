//! Date literals: a condition on a timestamp attribute (`createdAt`,
//! `updatedAt`) whose value is written as a day (`2025-01-16`, with or
//! without a time) must name a real day and moment; one with a time and an
//! offset is compared as the instant it names. Partial dates (`2025`,
//! `2025-02`) stay prefixes compared as text, as Meilisearch does.

use assetui_api::dates;

use super::error::{excerpt, FilterError};
use super::{Condition, Filter, InList, Literal};

/// Checks every date literal of a condition on one of `attributes`, and
/// rewrites each timestamp into the API's form (`2025-01-16T11:19:41.579Z`)
/// so that the text comparison orders instants.
pub fn check_dates(filter: &mut Filter, attributes: &[&str]) -> Result<(), FilterError> {
    match filter {
        Filter::And(items) | Filter::Or(items) => items
            .iter_mut()
            .try_for_each(|f| check_dates(f, attributes)),
        Filter::Not(inner) => check_dates(inner, attributes),
        Filter::Condition {
            attribute,
            position,
            op,
        } => {
            if !attributes.contains(&attribute.as_str()) {
                return Ok(());
            }
            let shown = Filter::Condition {
                attribute: attribute.clone(),
                position: *position,
                op: op.clone(),
            }
            .to_string();
            let position = *position;
            let check = |l: &mut Literal| -> Result<(), FilterError> {
                match checked(l.as_str()) {
                    Ok(Some(canonical)) => {
                        *l = Literal::new(canonical);
                        Ok(())
                    }
                    Ok(None) => Ok(()),
                    Err(e) => Err(FilterError {
                        message: e.to_string(),
                        position,
                        snippet: excerpt(&shown, 60),
                    }),
                }
            };
            match op {
                Condition::Equal(l)
                | Condition::NotEqual(l)
                | Condition::GreaterThan(l)
                | Condition::GreaterThanOrEqual(l)
                | Condition::LowerThan(l)
                | Condition::LowerThanOrEqual(l) => check(l),
                Condition::Between { from, to } => check(from).and_then(|()| check(to)),
                Condition::In(list) => {
                    let mut literals = list.literals().to_vec();
                    literals.iter_mut().try_for_each(check)?;
                    *list = InList::new(literals);
                    Ok(())
                }
                Condition::Exists
                | Condition::IsNull
                | Condition::IsEmpty
                | Condition::Contains(_)
                | Condition::StartsWith(_) => Ok(()),
            }
        }
    }
}

/// `None` for a value that is not written as a day (left as it is) or is
/// a day without a time; the canonical timestamp for one with a time.
fn checked(text: &str) -> Result<Option<String>, dates::DateError> {
    let t = text.trim();
    let b = t.as_bytes();
    let day_shaped = b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&i| b[i].is_ascii_digit());
    if !day_shaped {
        return Ok(None);
    }
    if b.len() == 10 {
        return dates::parse_date(t).map(|_| None);
    }
    dates::canonical(t).map(Some)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    const DATES: &[&str] = &["createdAt", "updatedAt"];

    #[track_caller]
    fn checked_filter(input: &str) -> Result<Filter, FilterError> {
        let mut f = p(input);
        check_dates(&mut f, DATES).map(|()| f)
    }

    #[test]
    fn days_that_do_not_exist_are_refused() {
        for (input, column, needle) in [
            (
                "createdAt > 2026-02-31",
                1,
                "`2026-02-31` is not a date: February 2026 has 28 days",
            ),
            (
                "kind = image AND updatedAt < \"2025-02-29\"",
                18,
                "February 2025 has 28 days",
            ),
            (
                "NOT createdAt 2024-01-01 TO \"2025-02-29T10:00:00Z\"",
                5,
                "has 28 days",
            ),
            (
                "createdAt IN [2024-01-01, 2026-04-31]",
                1,
                "April 2026 has 30 days",
            ),
            ("createdAt > \"2026-01-01T24:00:00Z\"", 1, "hours 00-23"),
        ] {
            let e = match checked_filter(input) {
                Ok(f) => panic!("{input} should be refused, got {f}"),
                Err(e) => e,
            };
            assert_eq!(e.column(), column, "{input}: {e}");
            assert!(e.message.contains(needle), "{input}: {e}");
            assert!(e.to_string().starts_with("invalid filter at column"), "{e}");
        }
    }

    #[test]
    fn real_days_partial_dates_and_other_attributes_pass() {
        for input in [
            "createdAt > 2024-02-29",
            "createdAt < 2025-02 AND updatedAt > 2025",
            "createdAt >= \"2025-01-16T11:19:41.579Z\"",
            "name = 2026-02-31",
            "createdAt CONTAINS 2026-02-31",
        ] {
            assert!(checked_filter(input).is_ok(), "{input}");
        }
    }

    #[test]
    fn timestamps_with_an_offset_compare_as_instants() {
        // 13:19 at +02:00 is 11:19 UTC, the document's hour
        let f = match checked_filter("createdAt >= \"2025-01-16T13:19:41.579+02:00\"") {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        };
        assert!(f.matches(&doc()));
        assert_eq!(f.to_string(), "createdAt >= \"2025-01-16T11:19:41.579Z\"");
        let f = match checked_filter("createdAt > \"2025-01-16T12:00:00+02:00\"") {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        };
        assert!(f.matches(&doc()));
    }
}
