//! The team's library around its assets: tags in use and collections.

use reqwest::Method;

use super::client::{Call, Client};
use super::error::ApiError;
use super::models::{Collection, CollectionListResponse, Tag, TagListResponse};

/// Largest page the API serves.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Most tags or collections read for a list, a completion or a picker: a
/// server with endless pages cannot grow memory past this. The first
/// `MAX_LIBRARY_ITEMS` are kept and the rest is said to be left out.
pub const MAX_LIBRARY_ITEMS: usize = 5000;

/// Most pages read for one such list (a server may send empty pages with
/// fresh tokens forever).
pub const MAX_LIBRARY_PAGES: usize = 100;

/// A whole list read page after page, and why it may be incomplete.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing<T> {
    pub items: Vec<T>,
    /// Set when the reading stopped before the server's last page: a token
    /// seen before (a cycle), or a cap reached. Phrased for the user; not
    /// sanitized (built from constants and counts only).
    pub warning: Option<String>,
}

impl Client {
    /// One page of `GET /tags`.
    pub async fn tags_page(&self, token: Option<&str>) -> Result<TagListResponse, ApiError> {
        self.call(Call::get(&["tags"]).query(page_query(token)))
            .await
    }

    /// Every tag in use, with its count, up to [`MAX_LIBRARY_ITEMS`]; the
    /// warning says when the list was cut.
    pub async fn tags(&self) -> Result<Listing<Tag>, ApiError> {
        let client = self.clone();
        collect_pages("tags", move |token| {
            let client = client.clone();
            async move {
                let page = client.tags_page(token.as_deref()).await?;
                Ok((page.tags, page.next_pagination_token))
            }
        })
        .await
    }

    /// One page of `GET /collections`.
    pub async fn collections_page(
        &self,
        token: Option<&str>,
    ) -> Result<CollectionListResponse, ApiError> {
        self.call(Call::get(&["collections"]).query(page_query(token)))
            .await
    }

    /// Every tag [`Client::tags`] reads, without its warning.
    pub async fn all_tags(&self) -> Result<Vec<Tag>, ApiError> {
        Ok(self.tags().await?.items)
    }

    /// Every collection, up to [`MAX_LIBRARY_ITEMS`]; the warning says when
    /// the list was cut.
    pub async fn collections(&self) -> Result<Listing<Collection>, ApiError> {
        let client = self.clone();
        collect_pages("collections", move |token| {
            let client = client.clone();
            async move {
                let page = client.collections_page(token.as_deref()).await?;
                Ok((page.collections, page.next_pagination_token))
            }
        })
        .await
    }

    /// Every collection [`Client::collections`] reads, without its warning.
    pub async fn all_collections(&self) -> Result<Vec<Collection>, ApiError> {
        Ok(self.collections().await?.items)
    }

    /// `PUT /collections/{id}/assets`: adds assets to a collection.
    pub async fn add_to_collection(
        &self,
        collection: &str,
        ids: &[String],
    ) -> Result<(), ApiError> {
        let body = serde_json::json!({ "assetIds": ids });
        let _: serde_json::Value = self
            .call(Call::with_json(
                Method::PUT,
                &["collections", collection, "assets"],
                &body,
            )?)
            .await?;
        Ok(())
    }

    /// `DELETE /collections/{id}/assets`: removes assets from a collection.
    pub async fn remove_from_collection(
        &self,
        collection: &str,
        ids: &[String],
    ) -> Result<(), ApiError> {
        let body = serde_json::json!({ "assetIds": ids });
        let _: serde_json::Value = self
            .call(Call::with_json(
                Method::DELETE,
                &["collections", collection, "assets"],
                &body,
            )?)
            .await?;
        Ok(())
    }
}

fn page_query(token: Option<&str>) -> Vec<(&'static str, String)> {
    let mut q = vec![("pageSize", MAX_PAGE_SIZE.to_string())];
    if let Some(t) = token {
        q.push(("paginationToken", t.to_string()));
    }
    q
}

/// Follows a cursor until the last page, bounded: a token seen before
/// ends the walk (a cycle A -> B -> A), and so do [`MAX_LIBRARY_ITEMS`]
/// items or [`MAX_LIBRARY_PAGES`] pages; each says so in the warning.
async fn collect_pages<T, F, Fut>(what: &str, mut fetch: F) -> Result<Listing<T>, ApiError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), ApiError>>,
{
    let mut items = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut token = None;
    let mut pages = 0usize;
    loop {
        let (page, next) = fetch(token).await?;
        pages += 1;
        let room = MAX_LIBRARY_ITEMS - items.len();
        let cut = page.len() > room;
        items.extend(page.into_iter().take(room));
        let next = next.filter(|t| !t.is_empty());
        let full = cut || (items.len() == MAX_LIBRARY_ITEMS && next.is_some());
        let warning = match next {
            _ if full => Some(format!(
                "showing the first {MAX_LIBRARY_ITEMS} {what}: the server has more"
            )),
            None => None,
            Some(ref t) if seen.contains(t) => Some(format!(
                "the server sent a {what} page token it had sent before (a cycle); \
                 the list stops after {} {what}",
                items.len()
            )),
            Some(_) if pages >= MAX_LIBRARY_PAGES => Some(format!(
                "stopped reading {what} after {MAX_LIBRARY_PAGES} pages; the server has more"
            )),
            Some(t) => {
                seen.insert(t.clone());
                token = Some(t);
                continue;
            }
        };
        if let Some(w) = &warning {
            tracing::warn!("{w}");
        }
        return Ok(Listing { items, warning });
    }
}
