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

/// An error answer: a status and a JSON body with the fields the live
/// service's errors carry: `message` (and the same text as `detail`),
/// `error` (the status's phrase), `reason` (a short code), `name` (the
/// error's class, e.g. `BadRequestError`), `statusCode`, `traceId` (for a
/// user to quote), `details` when there is more (e.g. `actionName`,
/// `actionLimit`), and `remainingSeconds` on a 429.
#[derive(Debug, Clone)]
pub struct HttpError {
    pub status: StatusCode,
    pub message: String,
    /// What few errors carry (boxed: results stay small).
    more: Option<Box<More>>,
}

/// The optional fields of an error body.
#[derive(Debug, Clone, Default)]
struct More {
    /// A class other than the status's own (`name`).
    name: Option<&'static str>,
    /// `details`: an object with more about the refusal.
    details: Option<serde_json::Value>,
    /// `remainingSeconds` of a 429.
    remaining_seconds: Option<u64>,
}

impl HttpError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> HttpError {
        HttpError {
            status,
            message: message.into(),
            more: None,
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

    /// A request body over [`MAX_BODY`] (the gateway's bound).
    pub fn too_large(message: impl Into<String>) -> HttpError {
        HttpError::new(StatusCode::PAYLOAD_TOO_LARGE, message)
    }

    fn more(&mut self) -> &mut More {
        self.more.get_or_insert_with(Default::default)
    }

    /// A 429 that says how long to wait in its body (and `Retry-After`).
    pub fn rate_limited(message: impl Into<String>, seconds: u64) -> HttpError {
        let mut e = HttpError::new(StatusCode::TOO_MANY_REQUESTS, message);
        e.more().remaining_seconds = Some(seconds);
        e
    }

    pub fn named(mut self, name: &'static str) -> HttpError {
        self.more().name = Some(name);
        self
    }

    pub fn with_details(mut self, details: serde_json::Value) -> HttpError {
        self.more().details = Some(details);
        self
    }
}

/// The error class of a status, as the service names them.
fn class_of(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("BadRequestError", "bad_request"),
        401 => ("UnauthorizedError", "unauthorized"),
        403 => ("ForbiddenError", "forbidden"),
        404 => ("NotFoundError", "not_found"),
        409 => ("ConflictError", "conflict"),
        413 => ("PayloadTooLargeError", "payload_too_large"),
        429 => ("RateLimitError", "rate_limited"),
        500..=599 => ("InternalServerError", "internal_error"),
        _ => ("HttpError", "error"),
    }
}

/// Largest request body the API accepts (the live gateway refuses bodies
/// near 10 MB); uploads' part links are not bound by it.
pub const MAX_BODY: u64 = 10 * 1024 * 1024;

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let phrase = self.status.canonical_reason().unwrap_or("Error");
        let (class, reason) = class_of(self.status);
        let trace_id = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        let more = self.more.map(|m| *m).unwrap_or_default();
        let mut body = serde_json::json!({
            "message": self.message,
            "detail": self.message,
            "error": phrase,
            "reason": reason,
            "name": more.name.unwrap_or(class),
            "statusCode": self.status.as_u16(),
            "traceId": trace_id,
        });
        if let Some(details) = more.details {
            body["details"] = details;
        }
        let mut resp = match more.remaining_seconds {
            Some(secs) => {
                body["remainingSeconds"] = serde_json::json!(secs);
                let mut r = (self.status, axum::Json(body)).into_response();
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                r
            }
            None => (self.status, axum::Json(body)).into_response(),
        };
        if let Ok(v) = HeaderValue::from_str(&trace_id) {
            resp.headers_mut().insert("x-trace-id", v);
        }
        resp
    }
}

/// Most of a refused body read (and thrown away) before the 413 is sent:
/// a client still sending when the answer comes sees its connection reset
/// instead of the answer.
const DRAIN_MAX: u64 = 64 * 1024 * 1024;

/// Reads and discards what is left of a body, up to [`DRAIN_MAX`].
async fn drain(body: Body) {
    let mut stream = body.into_data_stream();
    let mut seen = 0u64;
    while let Some(Ok(chunk)) = stream.next().await {
        seen += chunk.len() as u64;
        if seen > DRAIN_MAX {
            break;
        }
    }
}

fn body_too_large() -> Response {
    HttpError::too_large(format!(
        "the request body is larger than {} MiB, the most the API accepts; upload \
         large files through POST /uploads",
        MAX_BODY / (1024 * 1024)
    ))
    .into_response()
}

/// Refuses a request body over [`MAX_BODY`] with 413: by its
/// `Content-Length` before a byte is kept, or, sent without one, once it
/// passes the bound (such a body is read here, at most `MAX_BODY`). The
/// rest of a refused body is read and dropped first, so the client reads
/// the answer.
pub async fn limit_body(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        drain(req.into_body()).await;
        return body_too_large();
    }
    let chunked = declared.is_none()
        && req
            .headers()
            .get(header::TRANSFER_ENCODING)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"chunked"));
    if !chunked {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let mut stream = body.into_data_stream();
    let mut kept = bytes::BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return HttpError::bad_request("the request body broke off").into_response();
        };
        if (kept.len() + chunk.len()) as u64 > MAX_BODY {
            drain(Body::from_stream(stream)).await;
            return body_too_large();
        }
        kept.extend_from_slice(&chunk);
    }
    next.run(Request::from_parts(parts, Body::from(kept.freeze())))
        .await
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
        return HttpError::rate_limited(
            format!(
                "too many uploads at once: at most {} at a time; retry when one ends",
                super::state::MAX_UPLOADS_AT_ONCE
            ),
            1,
        )
        .into_response();
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
    /// A 429 in this API's shape, with `Retry-After: seconds`.
    fn rate_limited(&self, message: &str, seconds: u64) -> Response {
        let mut resp = self.error(StatusCode::TOO_MANY_REQUESTS, message);
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        resp
    }
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

    /// The live service's 429: `remainingSeconds` as well as `Retry-After`.
    fn rate_limited(&self, message: &str, seconds: u64) -> Response {
        HttpError::rate_limited(message, seconds).into_response()
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
            if code == 429 {
                src.rate_limited(&format!("injected fault: {code}"), RETRY_AFTER_SECS)
            } else {
                src.error(status, &format!("injected fault: {code}"))
            }
        }
        Some(Fault::Hold) => {
            // before the handler: the request's body is not read meanwhile
            tokio::time::sleep(STALL).await;
            next.run(req).await
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
