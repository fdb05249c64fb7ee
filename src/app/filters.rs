//! The list filters: what the user picked, how it becomes a
//! `GET /assets` query (or a search `filter`, see `search.rs`), and how
//! it reads as chips.

use crate::api::params::{ListAssetsQuery, SortDirection, SortField};

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const PRIVACY: &[&str] = &["private", "public", "unlisted"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filters {
    pub types: Vec<String>,
    pub privacy: Option<String>,
    pub author: Option<String>,
    pub model: Option<String>,
    /// (id, name) of the collection.
    pub collection: Option<(String, String)>,
    /// `YYYY-MM-DD`, inclusive.
    pub created_after: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub created_before: Option<String>,
    pub sort: Option<SortField>,
    pub direction: Option<SortDirection>,
    pub page_size: u32,
    /// The team's tags (all of them): applied through search, which is
    /// how the API filters a team's own assets by tag.
    pub tags: Vec<String>,
    /// A file name (or part of one), where the provider filters by it.
    pub filename: Option<String>,
}

/// Tags kept in the filter, and the longest tag.
pub const TAGS_MAX: usize = 20;
const TAG_MAX: usize = 64;

impl Default for Filters {
    fn default() -> Self {
        Filters {
            types: Vec::new(),
            privacy: None,
            author: None,
            model: None,
            collection: None,
            created_after: None,
            created_before: None,
            sort: None,
            direction: None,
            page_size: DEFAULT_PAGE_SIZE,
            tags: Vec::new(),
            filename: None,
        }
    }
}

/// One editable field of the filter pane, in display order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Types,
    Privacy,
    Author,
    Model,
    Collection,
    CreatedAfter,
    CreatedBefore,
    Sort,
    Direction,
    PageSize,
    Tags,
    Filename,
}

impl Field {
    pub const ALL: &'static [Field] = &[
        Field::Types,
        Field::Privacy,
        Field::Author,
        Field::Model,
        Field::Collection,
        Field::CreatedAfter,
        Field::CreatedBefore,
        Field::Sort,
        Field::Direction,
        Field::PageSize,
        Field::Tags,
    ];

    /// The fields a provider that filters by type and file name only
    /// (TwelveLabs) offers.
    pub const SIMPLE: &'static [Field] = &[Field::Types, Field::Filename, Field::PageSize];

    /// The fields the pane shows for a provider.
    pub fn offered(caps: &crate::provider::Capabilities) -> &'static [Field] {
        if caps.rich_filters {
            Field::ALL
        } else {
            Field::SIMPLE
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::Types => "Type",
            Field::Privacy => "Privacy",
            Field::Author => "Author id",
            Field::Model => "Model id",
            Field::Collection => "Collection",
            Field::CreatedAfter => "Created from",
            Field::CreatedBefore => "Created until",
            Field::Sort => "Sort by",
            Field::Direction => "Order",
            Field::PageSize => "Page size",
            Field::Tags => "Tags",
            Field::Filename => "File name",
        }
    }

    /// How the field is edited.
    pub fn editor(self) -> EditorKind {
        match self {
            Field::Types => EditorKind::Pick { multi: true },
            Field::Collection => EditorKind::Pick { multi: false },
            Field::Privacy | Field::Sort | Field::Direction => EditorKind::Cycle,
            _ => EditorKind::Text,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditorKind {
    Text,
    Cycle,
    Pick { multi: bool },
}

/// A calendar date as `YYYY-MM-DD`, checked.
pub fn parse_date(text: &str) -> Result<String, String> {
    crate::api::dates::parse_date(text)
        .map(|_| text.trim().to_string())
        .map_err(|e| e.to_string())
}

impl Filters {
    pub fn is_default(&self) -> bool {
        *self == Filters::default()
    }

    /// The current value of a field as text ("" when unset).
    pub fn value(&self, field: Field) -> String {
        match field {
            Field::Types => self.types.join(", "),
            Field::Privacy => self.privacy.clone().unwrap_or_default(),
            Field::Author => self.author.clone().unwrap_or_default(),
            Field::Model => self.model.clone().unwrap_or_default(),
            Field::Collection => self
                .collection
                .as_ref()
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            Field::CreatedAfter => self.created_after.clone().unwrap_or_default(),
            Field::CreatedBefore => self.created_before.clone().unwrap_or_default(),
            Field::Sort => self
                .sort
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            Field::Direction => self
                .direction
                .map(|d| d.as_str().to_string())
                .unwrap_or_default(),
            Field::PageSize => self.page_size.to_string(),
            Field::Tags => self.tags.join(", "),
            Field::Filename => self.filename.clone().unwrap_or_default(),
        }
    }

    /// Unsets a field (page size goes back to its default).
    pub fn clear(&mut self, field: Field) {
        match field {
            Field::Types => self.types.clear(),
            Field::Privacy => self.privacy = None,
            Field::Author => self.author = None,
            Field::Model => self.model = None,
            Field::Collection => self.collection = None,
            Field::CreatedAfter => self.created_after = None,
            Field::CreatedBefore => self.created_before = None,
            Field::Sort => self.sort = None,
            Field::Direction => self.direction = None,
            Field::PageSize => self.page_size = DEFAULT_PAGE_SIZE,
            Field::Tags => self.tags.clear(),
            Field::Filename => self.filename = None,
        }
    }

    /// Sets a text field from what was typed; an empty text unsets it.
    /// Returns a note when the sort had to change to keep the API's rule.
    pub fn set_text(&mut self, field: Field, text: &str) -> Result<Option<String>, String> {
        let t = crate::sanitize::line(text.trim(), 200);
        let value = (!t.is_empty()).then_some(t);
        match field {
            Field::Author => self.author = value,
            Field::Filename => self.filename = value,
            Field::Model => self.model = value,
            Field::CreatedAfter | Field::CreatedBefore => {
                let v = value.map(|v| parse_date(&v)).transpose()?;
                if field == Field::CreatedAfter {
                    self.created_after = v;
                } else {
                    self.created_before = v;
                }
                if let (Some(a), Some(b)) = (&self.created_after, &self.created_before) {
                    if a > b {
                        return Err(format!("the range is empty: {a} is after {b}"));
                    }
                }
                if (self.created_after.is_some() || self.created_before.is_some())
                    && self.sort == Some(SortField::UpdatedAt)
                {
                    self.sort = Some(SortField::CreatedAt);
                    return Ok(Some(
                        "sorting by createdAt: the API needs it for a date range".into(),
                    ));
                }
            }
            Field::PageSize => {
                let n: u32 = match value {
                    None => DEFAULT_PAGE_SIZE,
                    Some(v) => v
                        .parse()
                        .ok()
                        .filter(|n| (1..=100).contains(n))
                        .ok_or_else(|| format!("page size `{v}`: a number from 1 to 100"))?,
                };
                self.page_size = n;
            }
            Field::Tags => {
                let mut tags: Vec<String> = Vec::new();
                for t in value.as_deref().unwrap_or("").split(',') {
                    let t = crate::sanitize::line(t.trim(), TAG_MAX);
                    if !t.is_empty() && !tags.contains(&t) {
                        tags.push(t);
                    }
                }
                if tags.len() > TAGS_MAX {
                    return Err(format!("at most {TAGS_MAX} tags"));
                }
                self.tags = tags;
            }
            _ => return Err(format!("{} is not typed", field.label())),
        }
        Ok(None)
    }

    /// Steps a cycling field to its next value (unset is one of them).
    pub fn cycle(&mut self, field: Field) -> Option<String> {
        match field {
            Field::Privacy => {
                let i = self
                    .privacy
                    .as_deref()
                    .and_then(|p| PRIVACY.iter().position(|x| *x == p));
                self.privacy = match i {
                    None => Some(PRIVACY[0].to_string()),
                    Some(i) if i + 1 < PRIVACY.len() => Some(PRIVACY[i + 1].to_string()),
                    Some(_) => None,
                };
            }
            Field::Sort => {
                self.sort = match self.sort {
                    None => Some(SortField::CreatedAt),
                    Some(SortField::CreatedAt) => Some(SortField::UpdatedAt),
                    Some(SortField::UpdatedAt) => None,
                };
                if self.sort != Some(SortField::CreatedAt)
                    && (self.created_after.is_some() || self.created_before.is_some())
                {
                    // the field shows what the list does: createdAt
                    self.sort = Some(SortField::CreatedAt);
                    return Some("a created-date range keeps sorting by createdAt".into());
                }
            }
            Field::Direction => {
                self.direction = match self.direction {
                    None => Some(SortDirection::Desc),
                    Some(SortDirection::Desc) => Some(SortDirection::Asc),
                    Some(SortDirection::Asc) => None,
                };
            }
            _ => {}
        }
        None
    }

    /// The `GET /assets` query for these filters (first page).
    pub fn to_query(&self) -> ListAssetsQuery {
        let mut q = ListAssetsQuery {
            types: self.types.clone(),
            privacy: self.privacy.clone(),
            author_id: self.author.clone(),
            model_id: self.model.clone(),
            collection_id: self.collection.as_ref().map(|(id, _)| id.clone()),
            created_after: self
                .created_after
                .as_ref()
                .map(|d| format!("{d}T00:00:00.000Z")),
            created_before: self
                .created_before
                .as_ref()
                .map(|d| format!("{d}T23:59:59.999Z")),
            sort_by: self.sort,
            sort_direction: self.direction,
            page_size: Some(self.page_size),
            ..ListAssetsQuery::default()
        };
        // the setters keep the rule; this only fills in the sort field
        let _ = q.apply_sort_rule();
        q
    }

    /// Chips for the filter bar, e.g. `type:upscale`, `from:2026-01-01`.
    pub fn chips(&self) -> Vec<String> {
        let mut chips = Vec::new();
        for t in &self.types {
            chips.push(format!("type:{t}"));
        }
        let mut push = |label: &str, v: &Option<String>| {
            if let Some(v) = v {
                chips.push(format!("{label}:{v}"));
            }
        };
        push("name", &self.filename);
        push("privacy", &self.privacy);
        push("author", &self.author);
        push("model", &self.model);
        push(
            "collection",
            &self.collection.as_ref().map(|(_, name)| name.clone()),
        );
        push("from", &self.created_after);
        push("until", &self.created_before);
        if let Some(s) = self.sort {
            chips.push(format!("sort:{}", s.as_str()));
        }
        if let Some(d) = self.direction {
            chips.push(format!("order:{}", d.as_str()));
        }
        if self.page_size != DEFAULT_PAGE_SIZE {
            chips.push(format!("page:{}", self.page_size));
        }
        for t in &self.tags {
            chips.push(format!("tag:{t}"));
        }
        chips
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_range_brings_its_sort() {
        let mut f = Filters::default();
        f.set_text(Field::CreatedAfter, "2026-01-01").unwrap();
        let q = f.to_query();
        assert_eq!(q.sort_by, Some(SortField::CreatedAt));
        assert_eq!(q.created_after.as_deref(), Some("2026-01-01T00:00:00.000Z"));
        f.clear(Field::CreatedAfter);
        f.cycle(Field::Sort);
        f.cycle(Field::Sort);
        assert_eq!(f.sort, Some(SortField::UpdatedAt));
        let note = f.set_text(Field::CreatedBefore, "2026-02-01").unwrap();
        assert!(note.unwrap().contains("createdAt"));
        assert_eq!(f.sort, Some(SortField::CreatedAt));
    }

    #[test]
    fn bad_text_is_refused_with_a_reason() {
        let mut f = Filters::default();
        assert!(f
            .set_text(Field::CreatedAfter, "01/02/2026")
            .unwrap_err()
            .contains("YYYY-MM-DD"));
        assert!(f
            .set_text(Field::PageSize, "500")
            .unwrap_err()
            .contains("1 to 100"));
        f.set_text(Field::CreatedAfter, "2026-05-01").unwrap();
        assert!(f
            .set_text(Field::CreatedBefore, "2026-04-01")
            .unwrap_err()
            .contains("empty"));
        assert!(f.set_text(Field::Author, "").is_ok());
        assert_eq!(f.author, None);
    }

    #[test]
    fn chips_and_query_agree() {
        let mut f = Filters::default();
        assert!(f.chips().is_empty() && f.is_default());
        f.types = vec!["upscale".into()];
        f.cycle(Field::Privacy);
        f.collection = Some(("col_1".into(), "Heroes".into()));
        assert_eq!(
            f.chips(),
            vec!["type:upscale", "privacy:private", "collection:Heroes"]
        );
        let q = f.to_query();
        assert_eq!(q.types, vec!["upscale"]);
        assert_eq!(q.privacy.as_deref(), Some("private"));
        assert_eq!(q.collection_id.as_deref(), Some("col_1"));
        assert_eq!(q.page_size, Some(DEFAULT_PAGE_SIZE));
        for _ in 0..3 {
            f.cycle(Field::Privacy);
        }
        assert_eq!(f.privacy, None);
    }

    #[test]
    fn with_a_date_range_the_sort_field_stays_on_created_at() {
        let mut f = Filters::default();
        f.set_text(Field::CreatedAfter, "2025-04-01").unwrap();
        f.cycle(Field::Sort);
        assert_eq!(f.sort, Some(SortField::CreatedAt));
        for _ in 0..3 {
            let note = f.cycle(Field::Sort);
            assert_eq!(f.sort, Some(SortField::CreatedAt), "{note:?}");
            assert!(note.unwrap().contains("createdAt"));
            assert_eq!(f.value(Field::Sort), "createdAt");
        }
    }
}
