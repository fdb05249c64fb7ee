//! The team's library around its assets: tags in use and collections.

use reqwest::Method;

use super::client::{Call, Client};
use super::error::ApiError;
use super::models::{Collection, CollectionListResponse, Tag, TagListResponse};

/// Largest page the API serves.
pub const MAX_PAGE_SIZE: u32 = 100;

impl Client {
    /// One page of `GET /tags`.
    pub async fn tags_page(&self, token: Option<&str>) -> Result<TagListResponse, ApiError> {
        self.call(Call::get(&["tags"]).query(page_query(token)))
            .await
    }

    /// Every tag in use, with its count.
    pub async fn all_tags(&self) -> Result<Vec<Tag>, ApiError> {
        let client = self.clone();
        collect_pages(move |token| {
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

    /// Every collection.
    pub async fn all_collections(&self) -> Result<Vec<Collection>, ApiError> {
        let client = self.clone();
        collect_pages(move |token| {
            let client = client.clone();
            async move {
                let page = client.collections_page(token.as_deref()).await?;
                Ok((page.collections, page.next_pagination_token))
            }
        })
        .await
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

/// Follows a cursor until the last page. A token seen twice ends the walk,
/// so a misbehaving server cannot loop it forever.
async fn collect_pages<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, ApiError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), ApiError>>,
{
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut token = None;
    loop {
        let (items, next) = fetch(token).await?;
        out.extend(items);
        match next.filter(|t| !t.is_empty()) {
            Some(t) if seen.insert(t.clone()) => token = Some(t),
            _ => return Ok(out),
        }
    }
}
