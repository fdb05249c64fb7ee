//! Error answers as TwelveLabs sends them (`{"code", "message"}`), the
//! `x-api-key` check, and this server's side of the shared fault layer.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::state::TlState;
use crate::faults::Fault;
use crate::http::FaultSource;

/// An error answer: a status, a documented `code` and a message.
#[derive(Debug, Clone)]
pub struct TlError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

pub type TlResult<T> = Result<T, TlError>;

impl TlError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> TlError {
        TlError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400 `parameter_invalid`.
    pub fn invalid(message: impl Into<String>) -> TlError {
        TlError::new(StatusCode::BAD_REQUEST, "parameter_invalid", message)
    }

    /// 400 `parameter_not_provided` for a missing parameter.
    pub fn missing(name: &str) -> TlError {
        TlError::new(
            StatusCode::BAD_REQUEST,
            "parameter_not_provided",
            format!("The `{name}` parameter is required but was not provided."),
        )
    }

    /// 404 `resource_not_exist`.
    pub fn not_found(what: &str, id: &str) -> TlError {
        TlError::new(
            StatusCode::NOT_FOUND,
            "resource_not_exist",
            format!(
                "The {what} `{}` does not exist.",
                assetui_api::sanitize::line(id, 100)
            ),
        )
    }

    pub fn internal(message: impl Into<String>) -> TlError {
        TlError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", message)
    }
}

impl IntoResponse for TlError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"code": self.code, "message": self.message});
        (self.status, axum::Json(body)).into_response()
    }
}

/// Requires `x-api-key` equal to `--auth KEY` on every API route (the
/// signed file links and presigned upload URLs are outside this layer).
pub async fn require_key(State(state): State<Arc<TlState>>, req: Request, next: Next) -> Response {
    if let Some(key) = &state.config.auth {
        let given = req.headers().get("x-api-key").map(HeaderValue::as_bytes);
        if given != Some(key.as_bytes()) {
            let message = if given.is_none() {
                "No API key was provided: send it in the `x-api-key` header."
            } else {
                "The API key is invalid."
            };
            return TlError::new(StatusCode::UNAUTHORIZED, "api_key_invalid", message)
                .into_response();
        }
    }
    next.run(req).await
}

/// Bounds direct uploads (`POST /v1.3/assets`) at once, before their body
/// is read: one over the bound gets 429 with `Retry-After`.
pub async fn limit_uploads(
    State(state): State<Arc<TlState>>,
    req: Request,
    next: Next,
) -> Response {
    if req.method() != axum::http::Method::POST || req.uri().path() != "/v1.3/assets" {
        return next.run(req).await;
    }
    let Some(_slot) = state.uploads.try_start() else {
        let mut resp = TlError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            format!(
                "Too many uploads at once: at most {} at a time; retry when one ends.",
                crate::state::MAX_UPLOADS_AT_ONCE
            ),
        )
        .into_response();
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(1));
        return resp;
    };
    next.run(req).await
}

impl FaultSource for TlState {
    fn latency(&self) -> std::time::Duration {
        self.config.latency
    }

    fn draw(&self, path: &str) -> (Option<Fault>, Option<u64>) {
        let sample = self.random_f64();
        match self.take_scripted(path) {
            Some(s) => (Some(s.fault), s.at),
            None => (self.config.faults.pick(sample), None),
        }
    }

    fn error(&self, status: StatusCode, message: &str) -> Response {
        let code = match status.as_u16() {
            429 => "too_many_requests",
            403 => "forbidden",
            408 => "request_canceled_or_timed_out",
            s if s >= 500 => "internal_error",
            _ => "injected_fault",
        };
        TlError::new(status, code, message).into_response()
    }

    fn exempt(&self, path: &str) -> bool {
        path.starts_with("/v1.3/_demo/")
    }
}

pub async fn inject_faults(
    State(state): State<Arc<TlState>>,
    req: Request,
    next: Next,
) -> Response {
    crate::http::apply_faults(&*state, req, next).await
}
