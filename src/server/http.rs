//! HTTP plumbing shared by every route: JSON errors shaped as the API sends
//! them, Basic/Bearer auth, and the fault and latency injection layer.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use bytes::Bytes;
use futures_util::{stream, StreamExt};

use super::faults::{Fault, RETRY_AFTER_SECS, STALL};
use super::state::AppState;

/// An error answer: a status and a JSON body `{"message": …}`.
#[derive(Debug, Clone)]
pub struct HttpError {
    pub status: StatusCode,
    pub message: String,
}

impl HttpError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> HttpError {
        HttpError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> HttpError {
        HttpError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> HttpError {
        HttpError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn internal(message: impl Into<String>) -> HttpError {
        HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let reason = self.status.canonical_reason().unwrap_or("Error");
        let body = serde_json::json!({
            "message": self.message,
            "error": reason,
            "statusCode": self.status.as_u16(),
        });
        (self.status, axum::Json(body)).into_response()
    }
}

pub type HttpResult<T> = Result<T, HttpError>;

/// Requires the configured credentials (Basic KEY:SECRET, or a bearer
/// token equal to SECRET) when the server was started with `--auth`.
pub async fn require_auth(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    if let Some((key, secret)) = &state.config.auth {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"))
        );
        let bearer = format!("Bearer {secret}");
        if given != basic && given != bearer {
            let message = if given.is_empty() {
                "Missing credentials: send HTTP Basic auth with your API key and secret"
            } else {
                "Invalid credentials"
            };
            return HttpError::new(StatusCode::UNAUTHORIZED, message).into_response();
        }
    }
    next.run(req).await
}

/// Adds `--latency` to every request and draws one `--faults` fault.
pub async fn inject_faults(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    if !state.config.latency.is_zero() {
        tokio::time::sleep(state.config.latency).await;
    }
    let sample = state.random_f64();
    let fault = state.config.faults.pick(sample);
    if let Some(f) = fault {
        state.count_fault(f);
        tracing::debug!(fault = %f, path = %req.uri().path(), "injecting a fault");
    }
    match fault {
        None => next.run(req).await,
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut resp =
                HttpError::new(status, format!("injected fault: {code}")).into_response();
            if code == 429 {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
            }
            resp
        }
        Some(Fault::Reset) => {
            // an error before the first byte: the connection is dropped
            // without a response
            let body = Body::from_stream(stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "injected reset",
                ))
            }));
            Response::new(body)
        }
        Some(f @ (Fault::Truncate | Fault::Stall)) => {
            let resp = next.run(req).await;
            let (mut parts, body) = resp.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, 512 * 1024 * 1024).await else {
                return HttpError::internal("cannot buffer the response").into_response();
            };
            let half = bytes.slice(..bytes.len() / 2);
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
            let stall = f == Fault::Stall;
            let chunks = stream::iter(vec![Ok::<Bytes, std::io::Error>(half)]).chain(stream::once(
                async move {
                    if stall {
                        tokio::time::sleep(STALL).await;
                    }
                    Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "injected truncation",
                    ))
                },
            ));
            Response::from_parts(parts, Body::from_stream(chunks))
        }
    }
}
