//! The list's filters read on the index (offline): each becomes a
//! condition on the provider's object the index keeps whole, at the
//! path where that provider's wire format puts the field, so a filter
//! means offline what it means on the service.

use super::store::{words, Condition, Order, Query};
use crate::api::params::{SortDirection, SortField};
use crate::app::filters::Filters;
use crate::provider::ProviderKind;

/// Scenario's collections of an asset: what a collection filter reads.
pub const COLLECTIONS: &str = "$.collectionIds";
/// Assets a filtered page looks at, at most: one read stays short at
/// 100 000 indexed assets (the next page goes on from there).
pub const SCAN: usize = 5000;
/// TwelveLabs' MIME type of an asset, then the one its technical
/// metadata gives (the order its view reads them in).
const TWELVELABS_MIME: &[&str] = &["$.file_type", "$.technical_metadata.file_mime_type"];

/// The read of the index that answers `filters` (and the words of a
/// local search) for `provider`.
pub fn query(provider: ProviderKind, filters: &Filters, text: &str) -> Query {
    let mut conditions = Vec::new();
    let one = |path: &'static str, v: &Option<String>| {
        v.as_ref().map(|v| Condition::OneOf(path, vec![v.clone()]))
    };
    match provider {
        ProviderKind::Scenario => {
            if !filters.types.is_empty() {
                conditions.push(Condition::OneOf("$.metadata.type", filters.types.clone()));
            }
            conditions.extend(one("$.privacy", &filters.privacy));
            conditions.extend(one("$.authorId", &filters.author));
            conditions.extend(one("$.metadata.modelId", &filters.model));
            if let Some((id, _)) = &filters.collection {
                conditions.push(Condition::Holds(COLLECTIONS, id.clone()));
            }
            for tag in &filters.tags {
                conditions.push(Condition::Holds("$.tags", tag.clone()));
            }
        }
        ProviderKind::TwelveLabs => {
            if !filters.types.is_empty() {
                let prefixes = filters
                    .types
                    .iter()
                    .flat_map(|t| match t.as_str() {
                        // the view's rule: text/* and application/* are documents
                        "document" => vec!["text/".to_string(), "application/".to_string()],
                        other => vec![format!("{other}/")],
                    })
                    .collect();
                conditions.push(Condition::StartsWith(TWELVELABS_MIME, prefixes));
            }
            if let Some(name) = &filters.filename {
                conditions.push(Condition::Contains("$.filename", name.to_lowercase()));
            }
        }
    }
    if let Some(day) = &filters.created_after {
        conditions.push(Condition::CreatedFrom(day.clone()));
    }
    if let Some(day) = &filters.created_before {
        conditions.push(Condition::CreatedUntil(day.clone()));
    }
    Query {
        words: words(text),
        conditions,
        order: Order {
            updated: filters.sort == Some(SortField::UpdatedAt),
            ascending: filters.direction == Some(SortDirection::Asc),
        },
        scan: (!filters.is_default()).then_some(SCAN),
    }
}
