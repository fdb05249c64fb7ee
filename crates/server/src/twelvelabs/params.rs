//! Query strings as the SDK writes them: arrays as repeated keys (and
//! comma-joined where documented), `true`/`false`, deep-object ranges
//! (`duration[gte]=10`), and the page-number paging every list shares.

use serde_json::{json, Value};

use super::errors::{TlError, TlResult};

/// Most items on one page.
pub const MAX_PAGE_LIMIT: usize = 50;
pub const DEFAULT_PAGE_LIMIT: usize = 10;

#[derive(Debug, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn parse(query: Option<&str>) -> Params {
        Params(
            url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The last value of a key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated key, also split at commas.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    }

    pub fn bool(&self, key: &str) -> TlResult<Option<bool>> {
        self.get(key).map(|v| parse_bool(key, v)).transpose()
    }

    /// `page` (1-based, default 1) and `page_limit` (1..=50, default 10).
    pub fn page(&self) -> TlResult<Page> {
        let number = |key: &str, default: usize| -> TlResult<usize> {
            match self.get(key) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| TlError::invalid(format!("`{key}` must be a positive integer."))),
            }
        };
        let page = number("page", 1)?;
        let limit = number("page_limit", DEFAULT_PAGE_LIMIT)?;
        if page < 1 {
            return Err(TlError::invalid("`page` must be 1 or more."));
        }
        if !(1..=MAX_PAGE_LIMIT).contains(&limit) {
            return Err(TlError::invalid(format!(
                "`page_limit` must be between 1 and {MAX_PAGE_LIMIT}."
            )));
        }
        Ok(Page { page, limit })
    }

    /// A deep-object range `key[gte]` / `key[lte]` (floats).
    pub fn range(&self, key: &str) -> TlResult<Option<Range>> {
        let bound = |b: &str| -> TlResult<Option<f64>> {
            match self.get(&format!("{key}[{b}]")) {
                None => Ok(None),
                Some(v) => v
                    .trim()
                    .parse::<f64>()
                    .map(Some)
                    .map_err(|_| TlError::invalid(format!("`{key}[{b}]` must be a number."))),
            }
        };
        let (gte, lte) = (bound("gte")?, bound("lte")?);
        Ok((gte.is_some() || lte.is_some()).then_some(Range { gte, lte }))
    }
}

pub fn parse_bool(key: &str, v: &str) -> TlResult<bool> {
    match v.trim() {
        "true" | "True" | "1" => Ok(true),
        "false" | "False" | "0" => Ok(false),
        _ => Err(TlError::invalid(format!("`{key}` must be true or false."))),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub gte: Option<f64>,
    pub lte: Option<f64>,
}

impl Range {
    pub fn contains(&self, v: Option<f64>) -> bool {
        let Some(v) = v else { return false };
        self.gte.is_none_or(|g| v >= g) && self.lte.is_none_or(|l| v <= l)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub page: usize,
    pub limit: usize,
}

impl Page {
    /// This page's items of a list; a page past the end is empty.
    pub fn take<T>(&self, items: impl IntoIterator<Item = T>) -> (Vec<T>, usize) {
        let mut total = 0;
        let skip = (self.page - 1).saturating_mul(self.limit);
        let mut out = Vec::new();
        for item in items {
            if total >= skip && out.len() < self.limit {
                out.push(item);
            }
            total += 1;
        }
        (out, total)
    }

    /// `{page, limit_per_page, total_page, total_results}`.
    pub fn info(&self, total: usize) -> Value {
        json!({
            "page": self.page,
            "limit_per_page": self.limit,
            "total_page": total.div_ceil(self.limit),
            "total_results": total,
        })
    }
}

/// `sort_by` (created_at or updated_at) and `sort_option` (asc or desc).
pub fn sort(p: &Params) -> TlResult<(bool, bool)> {
    let by_updated = match p.get("sort_by") {
        None | Some("created_at") => false,
        Some("updated_at") => true,
        Some(_) => {
            return Err(TlError::invalid(
                "`sort_by` must be created_at or updated_at.",
            ))
        }
    };
    let desc = match p.get("sort_option") {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(_) => return Err(TlError::invalid("`sort_option` must be asc or desc.")),
    };
    Ok((by_updated, desc))
}

/// A `created_at`/`updated_at` bound: items on or after it.
pub fn since(p: &Params, key: &str) -> TlResult<Option<i64>> {
    match p.get(key) {
        None => Ok(None),
        Some(v) => assetui_api::dates::parse_datetime(v.trim())
            .map(|t| Some((t.unix_timestamp_nanos() / 1_000_000) as i64))
            .map_err(|_| TlError::invalid(format!("`{key}` must be an RFC 3339 time."))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_commas_ranges_and_pages() {
        let p = Params::parse(Some(
            "asset_ids=a&asset_ids=b,c&duration%5Bgte%5D=10&duration%5Blte%5D=20&page=2&page_limit=2",
        ));
        assert_eq!(p.all("asset_ids"), ["a", "b", "c"]);
        let r = p.range("duration").unwrap().unwrap();
        assert!(r.contains(Some(10.0)) && r.contains(Some(20.0)) && !r.contains(Some(21.0)));
        let page = p.page().unwrap();
        assert_eq!(page.take(1..=5), (vec![3, 4], 5));
        assert_eq!(page.info(5)["total_page"], 3);
        let past = Page { page: 9, limit: 2 };
        assert_eq!(past.take(1..=5), (vec![], 5));
        assert!(Params::parse(Some("page_limit=51")).page().is_err());
        assert!(Params::parse(Some("page=0")).page().is_err());
        assert_eq!(Page { page: 1, limit: 10 }.info(0)["total_page"], 0);
    }
}
