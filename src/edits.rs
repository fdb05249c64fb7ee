//! Changes to the library, shared by the CLI (`assetui tag`, `upload`,
//! `delete`, `collect`) and the browser's workers (`t`, `U`, `X`, `a`):
//! one implementation of each, so both paths send the same requests and
//! report the same errors.

use std::path::{Path, PathBuf};

use futures_util::stream::{self, StreamExt};

use crate::api::assets::upload_request_from_file;
use crate::api::models::{Asset, UpdateTagsResponse};
use crate::api::params::UpdateTagsRequest;
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

/// Reads a local image (off the async threads: it can be 50 MiB) and
/// uploads it as a new asset.
pub async fn upload_file(
    client: &Client,
    path: &Path,
    options: UploadOptions,
) -> Result<Asset, ApiError> {
    let (p, name) = (path.to_path_buf(), options.name.clone());
    let mut request = tokio::task::spawn_blocking(move || upload_request_from_file(&p, name))
        .await
        .map_err(|e| ApiError::Invalid(format!("upload: {e}")))??;
    request.collection_ids = options.collections;
    request.parent_id = options.parent;
    request.hide = options.hide.then_some(true);
    client.upload(&request).await
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

/// Adds (or removes) assets to a collection, in chunks the API accepts.
pub async fn collect(
    client: &Client,
    collection: &str,
    ids: &[String],
    remove: bool,
) -> Result<usize, PartlyDone> {
    let mut done = 0;
    for chunk in ids.chunks(crate::api::assets::DELETE_CHUNK) {
        let result = if remove {
            client.remove_from_collection(collection, chunk).await
        } else {
            client.add_to_collection(collection, chunk).await
        };
        match result {
            Ok(_) => done += chunk.len(),
            Err(error) => return Err(PartlyDone { done, error }),
        }
    }
    Ok(done)
}
