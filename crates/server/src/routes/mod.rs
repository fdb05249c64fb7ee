//! The HTTP routes, one file per group of endpoints, and the helpers they
//! share to present records as the API does (with fresh signed URLs).

mod assets;
mod demo;
mod downloads;
pub(crate) mod files;
mod library;
mod search;
mod uploads;

use std::sync::Arc;
use std::time::SystemTime;

use axum::middleware;
use axum::routing::{get, post, put};
use axum::Router;

use super::http::{inject_faults, limit_body, limit_uploads, require_auth, MAX_BODY};
use super::library::Record;
use super::renditions::Variant;
use super::state::AppState;
use assetui_api::models::{Asset, AssetRef};
use axum::extract::DefaultBodyLimit;

pub use files::file_path;

/// Every route of the server.
pub fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route(
            "/v1/assets",
            get(assets::list)
                .post(assets::upload)
                .delete(assets::delete_many),
        )
        .route("/v1/assets/get-bulk", post(assets::get_bulk))
        .route("/v1/assets/download", post(downloads::request_batch))
        .route("/v1/assets/download/{job_id}", get(downloads::batch_status))
        .route("/v1/assets/{id}", get(assets::retrieve))
        .route("/v1/assets/{id}/tags", put(assets::update_tags))
        .route("/v1/assets/{id}/download", post(downloads::request_link))
        .route("/v1/tags", get(library::tags))
        .route("/v1/collections", get(library::collections))
        .route(
            "/v1/collections/{id}/assets",
            put(library::add_to_collection).delete(library::remove_from_collection),
        )
        .route("/v1/search/assets", post(search::search))
        .route("/v1/uploads", post(uploads::create))
        .route("/v1/uploads/{id}", get(uploads::retrieve))
        .route("/v1/uploads/{id}/action", post(uploads::action))
        .route("/v1/_demo/stats", get(demo::stats))
        .route("/v1/_demo/assets/{id}/replace", post(demo::replace))
        .route("/v1/_demo/assets/{id}/metadata", post(demo::set_metadata))
        .route(
            "/v1/_demo/faults",
            post(demo::queue_faults).delete(demo::clear_faults),
        )
        .route("/v1/_demo/next-archive", post(demo::next_archive))
        .route(
            "/v1/_demo/hold-searches",
            post(demo::hold_searches).get(demo::searches_held),
        )
        .route("/v1/_demo/uploads", get(demo::uploads_in_flight))
        .layer(middleware::from_fn_with_state(state.clone(), limit_uploads))
        .layer(middleware::from_fn(limit_body))
        .layer(DefaultBodyLimit::max(MAX_BODY as usize))
        .layer(middleware::from_fn_with_state(state.clone(), require_auth));
    let files = Router::new()
        .route(
            "/v1/files/{id}/{variant}",
            get(files::serve_file).head(files::serve_file),
        )
        // presigned part links: no credentials, no 10 MiB bound (each
        // part is bound by the upload's declared size)
        .route("/v1/uploads/{id}/parts/{number}", put(uploads::put_part))
        .route(
            "/v1/archives/{job_id}",
            get(files::serve_archive).head(files::serve_archive),
        );
    api.merge(files)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), inject_faults))
        .with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> super::http::HttpError {
    super::http::HttpError::not_found(format!(
        "no such endpoint: {}",
        assetui_api::sanitize::line(uri.path(), 200)
    ))
}

/// A signed absolute URL for a rendition of an asset.
pub fn signed_url(state: &AppState, id: &str, variant: &Variant) -> String {
    let path = file_path(id, variant);
    let query = state.signer.sign(&path, SystemTime::now());
    format!("{}{path}?{query}", state.origin)
}

/// A record as the API returns it: the stored asset with fresh signed
/// `url`, `thumbnail` and `preview`.
pub fn present(state: &AppState, record: &Record) -> Asset {
    let mut asset = record.asset.clone();
    let id = asset.id.clone();
    asset.url = Some(signed_url(state, &id, &Variant::Original));
    asset.thumbnail = Some(AssetRef {
        asset_id: Some(id.clone()),
        url: Some(signed_url(state, &id, &Variant::Thumbnail)),
        ..AssetRef::default()
    });
    asset.preview = Some(AssetRef {
        asset_id: Some(id.clone()),
        url: Some(signed_url(state, &id, &Variant::Preview)),
        ..AssetRef::default()
    });
    asset
}
