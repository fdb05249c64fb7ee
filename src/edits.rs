//! Changes to the library, shared by the CLI (`assetui tag`, `upload`,
//! `delete`, `collect`) and the browser's workers (`t`, `U`, `X`, `a`):
//! one implementation of each, so both paths send the same requests and
//! report the same errors.

use std::path::{Path, PathBuf};

use futures_util::stream::{self, StreamExt};

use crate::api::library::CollectOutcome;
use crate::api::models::{Asset, UpdateTagsResponse};
use crate::api::params::UpdateTagsRequest;
use crate::api::uploads::{AssetOptions, FileUpload, OnProgress};
use crate::api::{ApiError, Client};

/// Tag requests in flight at once for a bulk change.
pub const TAG_CONCURRENCY: usize = 4;

/// `PUT /assets/{id}/tags` for each id, a few at a time; one outcome per
/// id, in the order given. A failure on one asset does not stop the others.
pub async fn tag_each(
    client: &Client,
    ids: &[String],
    request: &UpdateTagsRequest,
) -> Vec<(String, Result<UpdateTagsResponse, ApiError>)> {
    stream::iter(ids.iter().cloned())
        .map(|id| async move {
            let result = client.update_tags(&id, request).await;
            (id, result)
        })
        .buffered(TAG_CONCURRENCY)
        .collect()
        .await
}

/// A chunked change (a deletion, a collection change) that stopped part way.
#[derive(Debug)]
pub struct PartlyDone {
    /// Ids sent in chunks the server accepted before the error.
    pub done: usize,
    pub error: ApiError,
}

impl std::fmt::Display for PartlyDone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.done == 0 {
            write!(f, "{}", self.error)
        } else {
            write!(f, "{} (the first {} were deleted)", self.error, self.done)
        }
    }
}

/// `DELETE /assets` for every id (in chunks of the API's limit).
pub async fn delete(client: &Client, ids: &[String]) -> Result<usize, PartlyDone> {
    let mut done = 0;
    for chunk in ids.chunks(crate::api::assets::DELETE_CHUNK) {
        match client.delete_assets(chunk).await {
            Ok(n) => done += n,
            Err(error) => return Err(PartlyDone { done, error }),
        }
    }
    Ok(done)
}

/// What an upload carries besides the file.
#[derive(Clone, Debug, Default)]
pub struct UploadOptions {
    /// The new asset's name (default: the file name).
    pub name: Option<String>,
    pub collections: Vec<String>,
    pub parent: Option<String>,
    pub hide: bool,
}

/// Whether an upload's path is a link for the service to fetch
/// (TwelveLabs' `method=url`) rather than a local file.
pub fn is_link(path: &str) -> bool {
    let p = path.trim();
    p.starts_with("https://") || p.starts_with("http://")
}

/// Uploads a local file as a new asset, whatever its kind: an image under
/// 6 MiB as one request, anything else through the presigned multipart
/// flow, streamed from disk (`api::uploads`). `progress` hears the bytes
/// sent and the import's status.
pub async fn upload_file(
    client: &Client,
    path: &Path,
    options: UploadOptions,
    progress: OnProgress,
) -> Result<Asset, ApiError> {
    let mut job = FileUpload::new(path);
    job.name = options.name;
    job.options = AssetOptions {
        collection_ids: options.collections,
        hide: options.hide.then_some(true),
        parent_id: options.parent,
    };
    crate::api::uploads::upload_file(client, &job, progress).await
}

/// A progress callback that hears nothing.
pub fn no_progress() -> OnProgress {
    std::sync::Arc::new(|_| {})
}

/// `~/x` with the home directory; anything else as it is.
pub fn expand_home(path: &str) -> PathBuf {
    if let Some(rest) = path.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    PathBuf::from(path)
}

/// Adds assets to a collection as the live service allows: members
/// are left out, the rest sent in chunks of at most 49; how many were
/// added, already there, and failed.
pub async fn add_to_collection(
    client: &Client,
    collection: &str,
    ids: &[String],
) -> Result<CollectOutcome, ApiError> {
    client.add_to_collection_checked(collection, ids).await
}

/// Removes assets from a collection, in chunks the API accepts.
pub async fn remove_from_collection(
    client: &Client,
    collection: &str,
    ids: &[String],
) -> Result<usize, PartlyDone> {
    let mut done = 0;
    for chunk in ids.chunks(crate::api::assets::DELETE_CHUNK) {
        match client.remove_from_collection(collection, chunk).await {
            Ok(()) => done += chunk.len(),
            Err(error) => return Err(PartlyDone { done, error }),
        }
    }
    Ok(done)
}
