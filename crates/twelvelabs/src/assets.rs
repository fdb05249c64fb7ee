//! Asset endpoints: list, retrieve, create (a file or a URL, one
//! multipart request), delete, user metadata, transcription, and the
//! indexes that reference an asset.

use std::path::{Path, PathBuf};

use futures_util::stream::{self, StreamExt};
use reqwest::Method;

use crate::client::{Call, Client, Query};
use crate::error::Error;
use crate::form::{guess_content_type, Form};
use crate::models::{Asset, AssetType, IndexedAssetSummary, Page, Transcription, UserMetadata};
use crate::paging::{check_page, PageStream};

/// Largest file sent in one `POST /assets` (and as a search image):
/// larger ones are refused before a byte is sent.
pub const MAX_DIRECT_UPLOAD_BYTES: u64 = 4 << 30;

/// `GET /assets` parameters, sent in this order: `page` (always; 1 when
/// not given), `page_limit`, `asset_ids` and `asset_types` as repeated
/// keys, `filename`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListAssets {
    pub page: Option<u64>,
    /// 1..=50.
    pub page_limit: Option<u64>,
    pub asset_ids: Vec<String>,
    pub asset_types: Vec<AssetType>,
    /// Case-insensitive substring.
    pub filename: Option<String>,
}

impl ListAssets {
    /// The query without `page`, and the page.
    fn parts(&self) -> Result<(u64, Vec<(String, String)>), Error> {
        let page = check_page(self.page, self.page_limit)?;
        let mut q = Query::default();
        q.opt("page_limit", self.page_limit);
        q.each("asset_ids", &self.asset_ids);
        q.each("asset_types", &self.asset_types);
        q.opt("filename", self.filename.as_deref());
        Ok((page, q.0))
    }
}

/// Where a new asset's bytes come from.
#[derive(Debug, Clone, PartialEq)]
pub enum AssetSource {
    /// `method=direct`: the file is streamed from disk.
    File(PathBuf),
    /// `method=url`: a public URL the service fetches.
    Url(String),
}

/// `POST /assets`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateAsset {
    pub source: AssetSource,
    /// The asset's name; the service derives one when absent.
    pub filename: Option<String>,
    /// The file part's type; guessed from the extension when absent.
    pub content_type: Option<String>,
    /// The SDK and the older docs disagree on the defaults: say it.
    pub enable_hls: Option<bool>,
    pub enable_thumbnail: Option<bool>,
    pub user_metadata: Option<UserMetadata>,
}

impl CreateAsset {
    pub fn file(path: impl Into<PathBuf>) -> CreateAsset {
        CreateAsset::new(AssetSource::File(path.into()))
    }

    pub fn url(url: impl Into<String>) -> CreateAsset {
        CreateAsset::new(AssetSource::Url(url.into()))
    }

    fn new(source: AssetSource) -> CreateAsset {
        CreateAsset {
            source,
            filename: None,
            content_type: None,
            enable_hls: None,
            enable_thumbnail: None,
            user_metadata: None,
        }
    }

    /// The form, in the SDK's order: `method`, `url`, `filename`,
    /// `enable_hls`, `enable_thumbnail`, `user_metadata` (a JSON string),
    /// then the `file` part.
    fn form(&self) -> Result<Form, Error> {
        let mut form = Form::new();
        match &self.source {
            AssetSource::File(_) => form.text("method", "direct"),
            AssetSource::Url(url) => {
                check_public_url(url)?;
                form.text("method", "url");
                form.text("url", url.clone());
            }
        }
        form.opt_text("filename", self.filename.clone());
        form.opt_text("enable_hls", self.enable_hls.map(|b| b.to_string()));
        form.opt_text(
            "enable_thumbnail",
            self.enable_thumbnail.map(|b| b.to_string()),
        );
        form.opt_text(
            "user_metadata",
            self.user_metadata
                .as_ref()
                .map(UserMetadata::to_json_string),
        );
        if let AssetSource::File(path) = &self.source {
            add_file(&mut form, "file", path, self.content_type.as_deref())?;
        }
        Ok(form)
    }
}

/// A URL the service is asked to fetch: http or https.
pub(crate) fn check_public_url(url: &str) -> Result<(), Error> {
    match url::Url::parse(url.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(()),
        _ => Err(Error::Invalid(format!(
            "`{}` is not an http:// or https:// URL",
            assetui_api::sanitize::line(url, 120)
        ))),
    }
}

/// Adds a file part after checking that the file exists, is a regular
/// file and is within [`MAX_DIRECT_UPLOAD_BYTES`].
pub(crate) fn add_file(
    form: &mut Form,
    field: &str,
    path: &Path,
    content_type: Option<&str>,
) -> Result<(), Error> {
    let len = file_len(path)?;
    if len > MAX_DIRECT_UPLOAD_BYTES {
        return Err(Error::FileTooLarge {
            path: path.to_path_buf(),
            size: len,
            what: "single-request upload",
            limit_text: "4 GB",
        });
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "upload".into());
    let ctype = content_type
        .map(str::to_string)
        .unwrap_or_else(|| guess_content_type(&name).to_string());
    form.file(field, path, &name, &ctype, len);
    Ok(())
}

/// The length of a regular file.
pub(crate) fn file_len(path: &Path) -> Result<u64, Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::File {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    if !meta.is_file() {
        return Err(Error::File {
            path: path.to_path_buf(),
            reason: "not a regular file".into(),
        });
    }
    Ok(meta.len())
}

impl Client {
    /// One page of `GET /assets` (newest first).
    pub async fn list_assets(&self, query: &ListAssets) -> Result<Page<Asset>, Error> {
        let (page, rest) = query.parts()?;
        let mut q = vec![("page".to_string(), page.to_string())];
        q.extend(rest);
        self.call(Call::get(&["assets"]).query(q)).await
    }

    /// Every page of `GET /assets` from `query.page` on (bounded; see
    /// [`crate::paging`]).
    pub fn list_assets_pages(&self, query: &ListAssets) -> PageStream<Asset> {
        match query.parts() {
            Ok((page, rest)) => self.walk_pages(&["assets"], rest, page),
            Err(e) => stream::once(async move { Err(e) }).boxed(),
        }
    }

    /// `GET /assets/{asset_id}`.
    pub async fn get_asset(&self, asset_id: &str) -> Result<Asset, Error> {
        self.call(Call::get(&["assets", asset_id])).await
    }

    /// `POST /assets`: one multipart request. Never resent once its body
    /// may have reached the service (only a refused connection, a 408 or
    /// a 429 sends it again, rebuilt from the file). The new asset is
    /// `processing`; poll [`Client::get_asset`].
    pub async fn create_asset(&self, request: &CreateAsset) -> Result<Asset, Error> {
        let form = request.form()?;
        self.call(
            Call::new(Method::POST, &["assets"])
                .form(form)
                .not_idempotent(),
        )
        .await
    }

    /// `DELETE /assets/{asset_id}`; `force=true` (sent only when set)
    /// deletes an asset that indexes reference, which otherwise answers
    /// 409 ([`Error::Conflict`]).
    pub async fn delete_asset(&self, asset_id: &str, force: bool) -> Result<(), Error> {
        let mut q = Query::default();
        if force {
            q.push("force", true);
        }
        self.call_no_body(Call::new(Method::DELETE, &["assets", asset_id]).query(q.0))
            .await
    }

    /// `PUT /assets/{asset_id}/user-metadata`: replaces the metadata.
    pub async fn put_user_metadata(
        &self,
        asset_id: &str,
        metadata: &UserMetadata,
    ) -> Result<(), Error> {
        let body = serde_json::json!({ "user_metadata": metadata });
        self.call_no_body(
            Call::new(Method::PUT, &["assets", asset_id, "user-metadata"]).json(&body)?,
        )
        .await
    }

    /// `PATCH /assets/{asset_id}/user-metadata`: merges; a `Null` value
    /// deletes its key.
    pub async fn patch_user_metadata(
        &self,
        asset_id: &str,
        metadata: &UserMetadata,
    ) -> Result<(), Error> {
        let body = serde_json::json!({ "user_metadata": metadata });
        self.call_no_body(
            Call::new(Method::PATCH, &["assets", asset_id, "user-metadata"]).json(&body)?,
        )
        .await
    }

    /// `DELETE /assets/{asset_id}/user-metadata`: clears it.
    pub async fn delete_user_metadata(&self, asset_id: &str) -> Result<(), Error> {
        self.call_no_body(Call::new(
            Method::DELETE,
            &["assets", asset_id, "user-metadata"],
        ))
        .await
    }

    /// `GET /assets/{asset_id}/transcription`, `include` as repeated keys
    /// (`words`, `sentences`, `utterances`).
    pub async fn get_transcription(
        &self,
        asset_id: &str,
        include: &[&str],
    ) -> Result<Transcription, Error> {
        let mut q = Query::default();
        q.each("include", include);
        self.call(Call::get(&["assets", asset_id, "transcription"]).query(q.0))
            .await
    }

    /// `GET /assets/{asset_id}/indexed-assets`: the indexes holding it
    /// (what blocks a delete without `force`).
    pub async fn asset_indexed_assets(
        &self,
        asset_id: &str,
        page: Option<u64>,
        page_limit: Option<u64>,
    ) -> Result<Page<IndexedAssetSummary>, Error> {
        let page = check_page(page, page_limit)?;
        let mut q = Query::default();
        q.push("page", page);
        q.opt("page_limit", page_limit);
        self.call(Call::get(&["assets", asset_id, "indexed-assets"]).query(q.0))
            .await
    }
}
