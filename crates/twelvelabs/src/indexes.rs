//! Indexes and what they hold: `GET /indexes`, `GET /indexes/{id}`, the
//! indexed assets (and the deprecated `videos` view of them), and
//! indexing an asset.

use futures_util::stream::{self, StreamExt};
use reqwest::Method;

use crate::client::{Call, Client, Query};
use crate::error::Error;
use crate::models::{Index, IndexedAsset, IndexedAssetStatus, IndexingTask, Page, UserMetadata};
use crate::paging::{check_page, PageStream};

/// `GET /indexes` parameters, in the SDK's order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListIndexes {
    pub page: Option<u64>,
    pub page_limit: Option<u64>,
    /// `created_at` or `updated_at`.
    pub sort_by: Option<String>,
    /// `asc` or `desc`.
    pub sort_option: Option<String>,
    pub index_name: Option<String>,
    /// One comma-separated value.
    pub model_options: Option<String>,
    pub model_family: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

impl ListIndexes {
    fn parts(&self) -> Result<(u64, Vec<(String, String)>), Error> {
        let page = check_page(self.page, self.page_limit)?;
        let mut q = Query::default();
        q.opt("page_limit", self.page_limit);
        q.opt("sort_by", self.sort_by.as_deref());
        q.opt("sort_option", self.sort_option.as_deref());
        q.opt("index_name", self.index_name.as_deref());
        q.opt("model_options", self.model_options.as_deref());
        q.opt("model_family", self.model_family.as_deref());
        q.opt("created_at", self.created_at.as_deref());
        q.opt("updated_at", self.updated_at.as_deref());
        Ok((page, q.0))
    }
}

/// Parameters of the indexed-assets and videos lists.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListIndexed {
    pub page: Option<u64>,
    pub page_limit: Option<u64>,
    pub sort_by: Option<String>,
    pub sort_option: Option<String>,
    /// Indexed assets only (repeated key); ignored by the videos list.
    pub status: Vec<IndexedAssetStatus>,
    pub filename: Option<String>,
    /// Metadata equality filters: `user_metadata[key]=value` on indexed
    /// assets, `key=value` on videos (as the SDK sends each).
    pub user_metadata: Vec<(String, String)>,
}

impl ListIndexed {
    fn parts(&self, videos: bool) -> Result<(u64, Vec<(String, String)>), Error> {
        let page = check_page(self.page, self.page_limit)?;
        let mut q = Query::default();
        q.opt("page_limit", self.page_limit);
        q.opt("sort_by", self.sort_by.as_deref());
        q.opt("sort_option", self.sort_option.as_deref());
        if !videos {
            q.each("status", &self.status);
        }
        q.opt("filename", self.filename.as_deref());
        for (k, v) in &self.user_metadata {
            if videos {
                q.push(k, v);
            } else {
                q.push(&format!("user_metadata[{k}]"), v);
            }
        }
        Ok((page, q.0))
    }
}

fn with_page(page: u64, rest: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut q = vec![("page".to_string(), page.to_string())];
    q.extend(rest);
    q
}

impl Client {
    /// One page of `GET /indexes`.
    pub async fn list_indexes(&self, query: &ListIndexes) -> Result<Page<Index>, Error> {
        let (page, rest) = query.parts()?;
        self.call(Call::get(&["indexes"]).query(with_page(page, rest)))
            .await
    }

    /// Every page of `GET /indexes` (bounded).
    pub fn list_indexes_pages(&self, query: &ListIndexes) -> PageStream<Index> {
        match query.parts() {
            Ok((page, rest)) => self.walk_pages(&["indexes"], rest, page),
            Err(e) => stream::once(async move { Err(e) }).boxed(),
        }
    }

    /// `GET /indexes/{index_id}`.
    pub async fn get_index(&self, index_id: &str) -> Result<Index, Error> {
        self.call(Call::get(&["indexes", index_id])).await
    }

    /// One page of `GET /indexes/{index_id}/indexed-assets`.
    pub async fn list_indexed_assets(
        &self,
        index_id: &str,
        query: &ListIndexed,
    ) -> Result<Page<IndexedAsset>, Error> {
        let (page, rest) = query.parts(false)?;
        self.call(Call::get(&["indexes", index_id, "indexed-assets"]).query(with_page(page, rest)))
            .await
    }

    /// Every page of `GET /indexes/{index_id}/indexed-assets` (bounded).
    pub fn list_indexed_assets_pages(
        &self,
        index_id: &str,
        query: &ListIndexed,
    ) -> PageStream<IndexedAsset> {
        match query.parts(false) {
            Ok((page, rest)) => {
                self.walk_pages(&["indexes", index_id, "indexed-assets"], rest, page)
            }
            Err(e) => stream::once(async move { Err(e) }).boxed(),
        }
    }

    /// `GET /indexes/{index_id}/indexed-assets/{indexed_asset_id}`.
    pub async fn get_indexed_asset(
        &self,
        index_id: &str,
        indexed_asset_id: &str,
    ) -> Result<IndexedAsset, Error> {
        self.call(Call::get(&[
            "indexes",
            index_id,
            "indexed-assets",
            indexed_asset_id,
        ]))
        .await
    }

    /// `POST /indexes/{index_id}/indexed-assets` (202): starts indexing a
    /// ready asset. Not resent once it may have been acted on.
    pub async fn index_asset(
        &self,
        index_id: &str,
        asset_id: &str,
        enable_video_stream: Option<bool>,
        user_metadata: Option<&UserMetadata>,
    ) -> Result<IndexingTask, Error> {
        let mut body = serde_json::Map::new();
        body.insert("asset_id".into(), asset_id.into());
        if let Some(b) = enable_video_stream {
            body.insert("enable_video_stream".into(), b.into());
        }
        if let Some(m) = user_metadata {
            let v = serde_json::to_value(m)
                .map_err(|e| Error::Invalid(format!("cannot encode the metadata: {e}")))?;
            body.insert("user_metadata".into(), v);
        }
        self.call(
            Call::new(Method::POST, &["indexes", index_id, "indexed-assets"])
                .json(&body)?
                .not_idempotent(),
        )
        .await
    }

    /// One page of `GET /indexes/{index_id}/videos` (deprecated in favour
    /// of the indexed assets; same ids).
    pub async fn list_videos(
        &self,
        index_id: &str,
        query: &ListIndexed,
    ) -> Result<Page<IndexedAsset>, Error> {
        let (page, rest) = query.parts(true)?;
        self.call(Call::get(&["indexes", index_id, "videos"]).query(with_page(page, rest)))
            .await
    }

    /// `GET /indexes/{index_id}/videos/{video_id}`.
    pub async fn get_video(&self, index_id: &str, video_id: &str) -> Result<IndexedAsset, Error> {
        self.call(Call::get(&["indexes", index_id, "videos", video_id]))
            .await
    }
}
