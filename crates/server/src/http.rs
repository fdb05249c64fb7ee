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

/// Bounds uploads (`POST /v1/assets`) at once: one over the limit is
/// answered 429 before its body is read, so waiting uploads hold no memory.
pub async fn limit_uploads(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    if req.method() != axum::http::Method::POST || req.uri().path() != "/v1/assets" {
        return next.run(req).await;
    }
    let Some(_slot) = state.uploads.try_start() else {
        let mut resp = HttpError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "too many uploads at once: at most {} at a time; retry when one ends",
                super::state::MAX_UPLOADS_AT_ONCE
            ),
        )
        .into_response();
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(1));
        return resp;
    };
    next.run(req).await
}

/// What the fault and latency layer needs from a server's state, so the
/// Scenario and the TwelveLabs servers share it while each answers errors
/// in its own API's shape.
pub trait FaultSource: Send + Sync + 'static {
    /// `--latency`, added to every request.
    fn latency(&self) -> std::time::Duration;
    /// The fault for a request to `path` (a scripted one first, else one
    /// drawn from `--faults`) and, for cut bodies, where to cut; counted.
    fn draw(&self, path: &str) -> (Option<Fault>, Option<u64>);
    /// An error answer in this API's shape.
    fn error(&self, status: StatusCode, message: &str) -> Response;
    /// Paths that never misbehave (the test controls).
    fn exempt(&self, path: &str) -> bool;
}

impl FaultSource for AppState {
    fn latency(&self) -> std::time::Duration {
        self.config.latency
    }

    fn draw(&self, path: &str) -> (Option<Fault>, Option<u64>) {
        let sample = self.random_f64();
        let (fault, at) = match self.take_scripted(path) {
            Some(s) => (Some(s.fault), s.at),
            None => (self.config.faults.pick(sample), None),
        };
        if let Some(f) = fault {
            self.count_fault(f);
        }
        (fault, at)
    }

    fn error(&self, status: StatusCode, message: &str) -> Response {
        HttpError::new(status, message).into_response()
    }

    fn exempt(&self, path: &str) -> bool {
        path.starts_with("/v1/_demo/")
    }
}

/// Adds `--latency` to every request and applies one fault: the first
/// queued one for the path (`POST /v1/_demo/faults`), else one drawn from
/// `--faults`. The `/v1/_demo/` routes themselves never misbehave.
pub async fn inject_faults(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    apply_faults(&*state, req, next).await
}

/// The fault layer over any [`FaultSource`].
pub async fn apply_faults<S: FaultSource>(src: &S, mut req: Request, next: Next) -> Response {
    if src.exempt(req.uri().path()) {
        return next.run(req).await;
    }
    let latency = src.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let (fault, at) = src.draw(req.uri().path());
    if let Some(f) = fault {
        tracing::debug!(fault = %f, path = %req.uri().path(), "injecting a fault");
    }
    match fault {
        None => next.run(req).await,
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut resp = src.error(status, &format!("injected fault: {code}"));
            if code == 429 {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
            }
            resp
        }
        Some(Fault::Expire) => src.error(
            StatusCode::FORBIDDEN,
            "Request has expired: fetch the asset again for a fresh link",
        ),
        Some(Fault::IgnoreRange) => {
            req.headers_mut().remove(header::RANGE);
            req.headers_mut().remove(header::IF_RANGE);
            next.run(req).await
        }
        Some(Fault::Reset) if at.is_none() => {
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
        Some(f @ (Fault::Truncate | Fault::Stall | Fault::Reset)) => {
            cut_body(next.run(req).await, at, f == Fault::Stall).await
        }
    }
}

/// The response with its headers intact (promising the whole body) and
/// only the first `at` bytes of the body (half when `None`), then a
/// failure: a long silence first when `stall`. Streams the body through,
/// so a large file is never buffered.
async fn cut_body(resp: Response, at: Option<u64>, stall: bool) -> Response {
    use axum::body::HttpBody;
    let (mut parts, body) = resp.into_parts();
    // a streamed file says its length in the headers: stream it through
    // rather than buffer it (and draw bytes that are never sent)
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let len = match body.size_hint().exact().or(declared) {
        Some(len) => len,
        None => {
            let Ok(bytes) = axum::body::to_bytes(body, 512 * 1024 * 1024).await else {
                return HttpError::internal("cannot buffer the response").into_response();
            };
            let len = bytes.len() as u64;
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
            let cut = at.unwrap_or(len / 2).min(len) as usize;
            return Response::from_parts(
                parts,
                Body::from_stream(failing_after(
                    stream::iter(vec![Ok::<Bytes, std::io::Error>(bytes.slice(..cut))]),
                    cut as u64,
                    stall,
                )),
            );
        }
    };
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    let cut = at.unwrap_or(len / 2).min(len);
    let inner = body
        .into_data_stream()
        .map(|r| r.map_err(|e| std::io::Error::other(e.to_string())));
    Response::from_parts(parts, Body::from_stream(failing_after(inner, cut, stall)))
}

/// How long a truncated body waits before the connection is cut.
const CUT_PAUSE: std::time::Duration = std::time::Duration::from_millis(30);

/// Passes `cut` bytes of `inner` through, then (after a stall) fails.
fn failing_after(
    inner: impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + Unpin + 'static,
    cut: u64,
    stall: bool,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    stream::unfold(
        (inner, 0u64, false),
        move |(mut inner, sent, done)| async move {
            if done {
                return None;
            }
            if sent >= cut {
                // a pause first, so the connection writes out what was sent
                // (hyper discards unwritten output when the body fails)
                tokio::time::sleep(if stall { STALL } else { CUT_PAUSE }).await;
                let e =
                    std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "injected truncation");
                return Some((Err(e), (inner, sent, true)));
            }
            match inner.next().await {
                Some(Ok(chunk)) => {
                    let room = (cut - sent) as usize;
                    let chunk = if chunk.len() > room {
                        chunk.slice(..room)
                    } else {
                        chunk
                    };
                    let n = chunk.len() as u64;
                    Some((Ok(chunk), (inner, sent + n, false)))
                }
                Some(Err(e)) => Some((Err(e), (inner, sent, true))),
                None => None,
            }
        },
    )
}
