//! Starting and stopping the TwelveLabs server, and its routes.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post, put};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::errors::{inject_faults, limit_uploads, require_key, TlError};
use super::state::{TlConfig, TlState};
use super::{assets, demo, files, indexes, search, uploads};

/// Largest request body: a 200 MB direct upload and its multipart framing.
const MAX_BODY: usize = assets::MAX_DIRECT + 1024 * 1024;

/// A TwelveLabs-compatible server running on this process's runtime.
pub struct Running {
    /// `http://HOST:PORT/v1.3`.
    pub base_url: String,
    pub state: Arc<TlState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish, and returns.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(std::time::Duration::from_secs(3), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Every route of the server.
fn router(state: Arc<TlState>) -> Router {
    let api = Router::new()
        .route("/v1.3/assets", get(assets::list).post(assets::create))
        .route(
            "/v1.3/assets/multipart-uploads",
            get(uploads::incomplete).post(uploads::create),
        )
        .route(
            "/v1.3/assets/multipart-uploads/{id}",
            get(uploads::status).post(uploads::report),
        )
        .route(
            "/v1.3/assets/multipart-uploads/{id}/presigned-urls",
            post(uploads::more_urls),
        )
        .route(
            "/v1.3/assets/{id}",
            get(assets::retrieve).delete(assets::delete),
        )
        .route(
            "/v1.3/assets/{id}/user-metadata",
            put(assets::put_metadata)
                .patch(assets::patch_metadata)
                .delete(assets::delete_metadata),
        )
        .route(
            "/v1.3/assets/{id}/transcription",
            get(assets::transcription),
        )
        .route("/v1.3/assets/{id}/indexed-assets", get(assets::references))
        .route("/v1.3/indexes", get(indexes::list))
        .route("/v1.3/indexes/{id}", get(indexes::retrieve))
        .route(
            "/v1.3/indexes/{id}/indexed-assets",
            get(indexes::indexed_list).post(indexes::index_asset),
        )
        .route(
            "/v1.3/indexes/{index}/indexed-assets/{id}",
            get(indexes::indexed_get).delete(indexes::unindex),
        )
        .route("/v1.3/indexes/{id}/videos", get(indexes::video_list))
        .route(
            "/v1.3/indexes/{index}/videos/{id}",
            get(indexes::video_get).delete(indexes::unindex),
        )
        .route("/v1.3/search", post(search::search))
        .route("/v1.3/search/{token}", get(search::next_page))
        .route("/v1.3/_demo/clock", post(demo::advance_clock))
        .route("/v1.3/_demo/faults", post(demo::queue_faults))
        .layer(middleware::from_fn_with_state(state.clone(), limit_uploads))
        .layer(middleware::from_fn_with_state(state.clone(), require_key));
    let links = Router::new()
        .route(
            &format!("{}/{{id}}/{{*rest}}", files::PREFIX),
            get(files::serve).head(files::serve),
        )
        .route(
            "/v1.3/_uploads/{id}/{chunk}/{nonce}",
            put(uploads::put_chunk),
        );
    api.merge(links)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), inject_faults))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> TlError {
    TlError::new(
        axum::http::StatusCode::NOT_FOUND,
        "resource_not_exist",
        format!(
            "No such endpoint: {}",
            assetui_api::sanitize::line(uri.path(), 200)
        ),
    )
}

/// Binds `config.addr` (port 0 picks a free port), loads the library and
/// starts serving; clip embeddings are computed in the background.
pub async fn start(config: TlConfig) -> Result<Running, String> {
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let origin = format!("http://{addr}");
    let state = {
        let origin = origin.clone();
        tokio::task::spawn_blocking(move || TlState::build(config, origin))
            .await
            .map_err(|e| e.to_string())??
    };
    let state = Arc::new(state);
    let app = router(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = rx.await;
        });
        if let Err(e) = serve.await {
            tracing::error!("server stopped: {e}");
        }
    });
    let bg = state.clone();
    tokio::spawn(async move { search::ensure_embeddings(&bg).await });
    Ok(Running {
        base_url: format!("{origin}/v1.3"),
        state,
        stop: Some(tx),
        task: Some(task),
    })
}
