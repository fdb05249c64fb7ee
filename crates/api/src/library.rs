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

    /// `PUT /collections/{id}/assets`: adds assets to a collection (at
    /// most [`COLLECTION_CHUNK`], none a member already: see
    /// [`Client::add_to_collection_checked`]).
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

/// Most ids in one `PUT /collections/{id}/assets` (the live service's
/// limit).
pub const COLLECTION_CHUNK: usize = 49;

/// What adding assets to a collection did.
#[derive(Debug, Default)]
pub struct CollectOutcome {
    /// Sent in requests the service accepted.
    pub added: Vec<String>,
    /// Members already: not sent (the service refuses a request naming
    /// one, whole).
    pub already: Vec<String>,
    /// Unknown to the service, or in a refused request.
    pub failed: Vec<String>,
    /// The first error, when a request failed.
    pub error: Option<ApiError>,
}

impl std::fmt::Display for CollectOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} added", self.added.len())?;
        if !self.already.is_empty() {
            write!(f, ", {} already there", self.already.len())?;
        }
        if !self.failed.is_empty() {
            write!(f, ", {} failed", self.failed.len())?;
        }
        if let Some(e) = &self.error {
            write!(f, " ({e})")?;
        }
        Ok(())
    }
}

impl Client {
    /// Adds assets to a collection as the live service allows: their
    /// membership is read first (get-bulk), members are left out, and the
    /// rest go in requests of at most [`COLLECTION_CHUNK`] ids. A refused
    /// request counts its ids as failed and the next one is still sent;
    /// an id the service does not know is failed without a request. Only a
    /// failure to read the membership is an error.
    pub async fn add_to_collection_checked(
        &self,
        collection: &str,
        ids: &[String],
    ) -> Result<CollectOutcome, ApiError> {
        let mut unique: Vec<String> = Vec::with_capacity(ids.len());
        let mut seen = std::collections::HashSet::new();
        for id in ids {
            if seen.insert(id.as_str()) {
                unique.push(id.clone());
            }
        }
        let known = self.get_assets(&unique).await?;
        let members: std::collections::HashMap<&str, bool> = known
            .iter()
            .map(|a| {
                let member = a.collection_ids().iter().any(|c| c == collection);
                (a.id.as_str(), member)
            })
            .collect();
        let mut out = CollectOutcome::default();
        let mut send = Vec::new();
        for id in &unique {
            match members.get(id.as_str()) {
                Some(true) => out.already.push(id.clone()),
                Some(false) => send.push(id.clone()),
                None => {
                    out.failed.push(id.clone());
                    if out.error.is_none() {
                        out.error = Some(ApiError::NotFound {
                            endpoint: format!("asset {}", crate::sanitize::line(id, 80)),
                            message: None,
                        });
                    }
                }
            }
        }
        for chunk in send.chunks(COLLECTION_CHUNK) {
            match self.add_to_collection(collection, chunk).await {
                Ok(()) => out.added.extend_from_slice(chunk),
                Err(e) => {
                    out.failed.extend_from_slice(chunk);
                    if out.error.is_none() {
                        out.error = Some(e);
                    }
                }
            }
        }
        Ok(out)
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
