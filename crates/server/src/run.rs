//! Starting and stopping the server: bind, build the state, serve until
//! told to stop. Used by `assetui serve`, by demo mode (in-process) and by
//! the tests.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::embeddings;
use super::routes;
use super::state::{AppState, ServerConfig};

/// A server running on this process's runtime.
pub struct Running {
    /// `http://HOST:PORT/v1`.
    pub base_url: String,
    pub state: Arc<AppState>,
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
            // a stalled (fault-injected) response must not hold the exit
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

/// Binds `config.addr` (port 0 picks a free port), loads the library and
/// starts serving. Embeddings are computed in the background.
pub async fn start(config: ServerConfig) -> Result<Running, String> {
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let origin = format!("http://{addr}");
    let state = {
        let origin = origin.clone();
        tokio::task::spawn_blocking(move || AppState::build(config, origin))
            .await
            .map_err(|e| e.to_string())??
    };
    let state = Arc::new(state);
    // the API's routes bound their bodies (10 MiB, 413); part links stream
    let app = routes::router(state.clone()).layer(DefaultBodyLimit::disable());
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
    tokio::spawn(async move { embeddings::ensure(&bg).await });
    Ok(Running {
        base_url: format!("{origin}/v1"),
        state,
        stop: Some(tx),
        task: Some(task),
    })
}
