//! Download links: one asset in a chosen format, or a server-side batch
//! job that ends with a zip archive.

use reqwest::Method;
use serde::Serialize;

use super::client::{Call, Client};
use super::error::ApiError;
use super::models::{BatchDownloadResponse, BatchDownloadStatus, DownloadLinkResponse};
use super::params::{BatchDownloadOptions, BatchDownloadRequest};

/// The names inside a batch zip when the caller chose none.
pub const DEFAULT_ZIP_TEMPLATE: &str = "<id>";

/// Assets per batch job (the API's limit).
pub const BATCH_LIMIT: usize = 1000;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LinkRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    target_format: Option<&'a str>,
}

impl Client {
    /// `POST /assets/{id}/download`: a fresh signed link to the file,
    /// converted to `target_format` when given (the original otherwise).
    pub async fn download_link(
        &self,
        id: &str,
        target_format: Option<&str>,
    ) -> Result<String, ApiError> {
        let body = LinkRequest { target_format };
        let reply: DownloadLinkResponse = self
            .call(Call::with_json(
                Method::POST,
                &["assets", id, "download"],
                &body,
            )?)
            .await?;
        Ok(reply.url)
    }

    /// `POST /assets/download`: starts a batch job. Not idempotent (each
    /// call starts a job), so resent only when the server did not act.
    /// Sent as the live service wants it: `query` with all three arrays
    /// (`assetIds`, `inferenceIds: []`, `modelIds: []`) and always an
    /// `options.fileNameTemplate` ([`DEFAULT_ZIP_TEMPLATE`] when none is
    /// given).
    pub async fn request_batch_download(
        &self,
        request: &BatchDownloadRequest,
    ) -> Result<String, ApiError> {
        let mut request = request.clone();
        match &mut request.options {
            Some(o) if !o.file_name_template.trim().is_empty() => {}
            Some(o) => o.file_name_template = DEFAULT_ZIP_TEMPLATE.into(),
            None => {
                request.options = Some(BatchDownloadOptions {
                    file_name_template: DEFAULT_ZIP_TEMPLATE.into(),
                    flat: None,
                })
            }
        }
        let request = &request;
        if request.query.asset_ids.len() > BATCH_LIMIT {
            return Err(ApiError::Invalid(format!(
                "a batch download takes at most {BATCH_LIMIT} assets, not {}",
                request.query.asset_ids.len()
            )));
        }
        let call =
            Call::with_json(Method::POST, &["assets", "download"], request)?.not_idempotent();
        let reply: BatchDownloadResponse = self.call(call).await?;
        Ok(reply.job_id)
    }

    /// `GET /assets/download/{jobId}`.
    pub async fn batch_download_status(
        &self,
        job_id: &str,
    ) -> Result<BatchDownloadStatus, ApiError> {
        self.call(Call::get(&["assets", "download", job_id])).await
    }
}
