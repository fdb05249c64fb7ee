//! Asset endpoints: list (cursor pagination as a stream), retrieve,
//! get-bulk, delete many, update tags and upload.

use std::collections::HashSet;

use futures_util::stream::{self, BoxStream, StreamExt};
use reqwest::Method;

use super::client::{Call, Client};
use super::error::ApiError;
use super::models::{
    Asset, AssetBulkResponse, AssetEnvelope, AssetListResponse, UpdateTagsResponse,
};
use super::params::{ListAssetsQuery, UpdateTagsRequest, UploadRequest};

/// Ids per get-bulk call (the API's limit).
pub(crate) const BULK_CHUNK: usize = 200;
/// Ids per delete call (the API's limit).
pub const DELETE_CHUNK: usize = 100;
/// Most pages one walk of `GET /assets` reads (a million assets at the
/// API's 100 a page): a server whose tokens never end stops there.
pub(crate) const MAX_LIST_PAGES: usize = 10_000;

impl Client {
    /// One page of `GET /assets`.
    pub async fn list_assets_page(
        &self,
        query: &ListAssetsQuery,
    ) -> Result<AssetListResponse, ApiError> {
        self.call(Call::get(&["assets"]).query(query.to_pairs()))
            .await
    }

    /// Every page of `GET /assets`, following `nextPaginationToken` until
    /// the last page (a missing or empty token). Bounded: a token seen
    /// before ends the stream with [`ApiError::RepeatedToken`], and the
    /// [`MAX_LIST_PAGES`]th page with [`ApiError::TooManyPages`] when more
    /// would follow. The stream ends after the first error.
    pub fn list_assets(
        &self,
        query: ListAssetsQuery,
    ) -> BoxStream<'static, Result<AssetListResponse, ApiError>> {
        struct Walk {
            query: ListAssetsQuery,
            seen: HashSet<String>,
            pages: usize,
            /// Why the stream ends after the page before.
            stop: Option<ApiError>,
        }
        let client = self.clone();
        let endpoint = format!("GET {}", self.url(&["assets".to_string()], &[]).path());
        let walk = Walk {
            seen: query.pagination_token.iter().cloned().collect(),
            query,
            pages: 0,
            stop: None,
        };
        stream::unfold(Some(walk), move |state| {
            let client = client.clone();
            let endpoint = endpoint.clone();
            async move {
                let mut walk = state?;
                if let Some(stop) = walk.stop.take() {
                    return Some((Err(stop), None));
                }
                match client.list_assets_page(&walk.query).await {
                    Ok(page) => {
                        walk.pages += 1;
                        let next = page.next_pagination_token.clone().filter(|t| !t.is_empty());
                        let Some(token) = next else {
                            return Some((Ok(page), None));
                        };
                        if !walk.seen.insert(token.clone()) {
                            walk.stop = Some(ApiError::RepeatedToken { endpoint });
                        } else if walk.pages >= MAX_LIST_PAGES {
                            walk.stop = Some(ApiError::TooManyPages {
                                endpoint,
                                pages: walk.pages,
                            });
                        }
                        walk.query.pagination_token = Some(token);
                        Some((Ok(page), Some(walk)))
                    }
                    Err(e) => Some((Err(e), None)),
                }
            }
        })
        .boxed()
    }

    /// `GET /assets/{id}`.
    pub async fn get_asset(&self, id: &str) -> Result<Asset, ApiError> {
        let envelope: AssetEnvelope = self.call(Call::get(&["assets", id])).await?;
        Ok(envelope.asset)
    }

    /// `POST /assets/get-bulk`, in chunks of 200 ids, in the order given.
    pub async fn get_assets(&self, ids: &[String]) -> Result<Vec<Asset>, ApiError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BULK_CHUNK) {
            let body = serde_json::json!({ "assetIds": chunk });
            let page: AssetBulkResponse = self
                .call(Call::with_json(
                    Method::POST,
                    &["assets", "get-bulk"],
                    &body,
                )?)
                .await?;
            out.extend(page.assets);
        }
        Ok(out)
    }

    /// `DELETE /assets`, in chunks of 100 ids. Returns how many were sent
    /// in chunks that succeeded before any error.
    pub async fn delete_assets(&self, ids: &[String]) -> Result<usize, ApiError> {
        let mut done = 0;
        for chunk in ids.chunks(DELETE_CHUNK) {
            let body = serde_json::json!({ "assetIds": chunk });
            let _: serde_json::Value = self
                .call(Call::with_json(Method::DELETE, &["assets"], &body)?)
                .await?;
            done += chunk.len();
        }
        Ok(done)
    }

    /// `PUT /assets/{id}/tags`. A strict request is not resent after a
    /// doubtful failure: the second attempt could fail on the first's
    /// success.
    pub async fn update_tags(
        &self,
        id: &str,
        request: &UpdateTagsRequest,
    ) -> Result<UpdateTagsResponse, ApiError> {
        let mut call = Call::with_json(Method::PUT, &["assets", id, "tags"], request)?;
        if request.strict == Some(true) {
            call = call.not_idempotent();
        }
        self.call(call).await
    }

    /// `POST /assets`: uploads an image. Not idempotent: resent only when
    /// the server proves it did not act.
    pub async fn upload(&self, request: &UploadRequest) -> Result<Asset, ApiError> {
        let call = Call::with_json(Method::POST, &["assets"], request)?.not_idempotent();
        let envelope: AssetEnvelope = self.call(call).await?;
        Ok(envelope.asset)
    }
}

/// Largest file accepted for upload.
pub(crate) const MAX_UPLOAD_BYTES: u64 = 50 * 1024 * 1024;

/// Builds an upload body from a local image: the file is sent as it is
/// (base64 in a data URL), named after the file unless `name` is given.
/// Blocking (reads the file).
pub fn upload_request_from_file(
    path: &std::path::Path,
    name: Option<String>,
) -> Result<UploadRequest, ApiError> {
    use base64::Engine;
    let shown = crate::sanitize::line(&path.display().to_string(), 200);
    let meta = std::fs::metadata(path).map_err(|e| ApiError::Invalid(format!("{shown}: {e}")))?;
    if !meta.is_file() {
        return Err(ApiError::Invalid(format!("{shown}: not a regular file")));
    }
    if meta.len() > MAX_UPLOAD_BYTES {
        return Err(ApiError::Invalid(format!(
            "{shown}: {} MiB is over the {} MiB upload limit",
            meta.len() / (1024 * 1024),
            MAX_UPLOAD_BYTES / (1024 * 1024)
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| ApiError::Invalid(format!("{shown}: {e}")))?;
    let mime = super::image_ref::sniff_mime(&bytes).ok_or_else(|| {
        ApiError::Invalid(format!(
            "{shown}: not an image (PNG, JPEG, WebP, GIF, BMP or TIFF); the API uploads images"
        ))
    })?;
    let name = name.unwrap_or_else(|| {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "upload".into())
    });
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    Ok(UploadRequest {
        name,
        image: Some(format!("data:{mime};base64,{b64}")),
        ..UploadRequest::default()
    })
}
