//! Typed API errors. Each message is one line a user can act on, and none
//! ever contains a credential: messages are built from the status, the
//! endpoint (method and path, never the query or headers) and a sanitized
//! excerpt of what the server said.

use std::time::Duration;

use crate::sanitize;

/// Longest excerpt of a response body quoted in an error.
pub(crate) const EXCERPT_CHARS: usize = 160;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// 401, or 403 from the API itself: the credentials were refused.
    #[error("{status}: the service refused the credentials{}; set SCENARIO_SDK_API_KEY and SCENARIO_SDK_API_SECRET (or SCENARIO_SDK_JWT), or run `assetui login`", detail(.message))]
    Unauthorized {
        status: u16,
        message: Option<String>,
    },

    /// 404: the asset, job or collection does not exist (or is not visible).
    #[error("not found: {endpoint}{}", detail(.message))]
    NotFound {
        endpoint: String,
        message: Option<String>,
    },

    /// 429 after the retry budget, or with a wait longer than we accept.
    #[error("rate limited by the service (429){}", retry_hint(.retry_after))]
    RateLimited { retry_after: Option<Duration> },

    /// 5xx (and 408/409 once retries are spent): the service is in trouble.
    #[error("the service had trouble ({status}) on {endpoint}{}; try again in a moment", detail(.message))]
    Service {
        status: u16,
        endpoint: String,
        message: Option<String>,
    },

    /// Another 4xx: the request was refused, with the server's reason.
    #[error("the service rejected {endpoint} ({status}){}", detail(.message))]
    Rejected {
        status: u16,
        endpoint: String,
        message: Option<String>,
    },

    /// Connection refused, DNS failure, TLS failure, connection reset.
    #[error("cannot reach {url}: {reason}; check --base-url / SCENARIO_BASE_URL and the network")]
    Unreachable { url: String, reason: String },

    /// The connection broke after the request was sent (reset, truncated
    /// body).
    #[error("{endpoint} was interrupted ({reason}); try again")]
    Interrupted { endpoint: String, reason: String },

    /// No byte arrived within the read or connect timeout.
    #[error("{endpoint} timed out ({reason})")]
    Timeout { endpoint: String, reason: String },

    /// A 2xx whose body is not what the API documents (HTML from a proxy,
    /// a wrong base URL, a truncated body).
    #[error("unexpected response from {endpoint} ({status}): {problem}{}", quote(.excerpt))]
    UnexpectedResponse {
        endpoint: String,
        status: u16,
        problem: String,
        excerpt: String,
    },

    /// A paginated list whose server sent back a token it had sent before
    /// (a cycle A -> B -> A): what came before is the whole list.
    #[error("{endpoint} sent a page token it had sent before (a cycle); the list stops here")]
    RepeatedToken { endpoint: String },

    /// A paginated list that went on for more pages than any list needs.
    #[error("{endpoint}: stopped after {pages} pages; the server's pages do not end")]
    TooManyPages { endpoint: String, pages: usize },

    /// A request the client refuses to send (bad argument, unreadable file).
    #[error("{0}")]
    Invalid(String),

    /// The service took an upload's bytes and then refused to import the
    /// file (`failed`, with its `errorMessage`).
    #[error("{file}: the service did not import the upload: {message}")]
    UploadFailed { file: String, message: String },
}

impl ApiError {
    /// True when waiting and trying again may help.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::RateLimited { .. }
                | ApiError::Service { .. }
                | ApiError::Unreachable { .. }
                | ApiError::Interrupted { .. }
                | ApiError::Timeout { .. }
        )
    }

    /// The HTTP status behind the error, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Unauthorized { status, .. }
            | ApiError::Service { status, .. }
            | ApiError::Rejected { status, .. }
            | ApiError::UnexpectedResponse { status, .. } => Some(*status),
            ApiError::NotFound { .. } => Some(404),
            ApiError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// Builds the error for a non-success status from the response body.
    /// A 429's wait is `Retry-After` (given), else the body's
    /// `remainingSeconds`. The body's `traceId` goes to the log (a user
    /// quotes it to support), never into the message.
    pub fn from_status(
        status: u16,
        endpoint: &str,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> ApiError {
        let parsed = ServerError::parse(body);
        if let Some(trace) = &parsed.trace_id {
            tracing::warn!(status, %endpoint, trace_id = %trace, "the service refused a request");
        }
        let message = message_of(&parsed, body);
        let endpoint = endpoint.to_string();
        match status {
            401 => ApiError::Unauthorized { status, message },
            403 => ApiError::Unauthorized { status, message },
            404 => ApiError::NotFound { endpoint, message },
            429 => ApiError::RateLimited {
                retry_after: retry_after.or_else(|| parsed.remaining()),
            },
            408 | 409 | 500..=599 => ApiError::Service {
                status,
                endpoint,
                message,
            },
            _ => ApiError::Rejected {
                status,
                endpoint,
                message,
            },
        }
    }
}

/// What an error body says. The service's errors carry any of
/// `message`, `detail`, `reason`, `error`, `apiError` (the human text,
/// or an object with a `message`), `name` (the error's class, e.g.
/// `ModelAccessRestrictedError`), `details` (`actionName`,
/// `actionLimit`), `traceId`, and on a 429 `remainingSeconds`. Every
/// text is sanitized.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServerError {
    pub message: Option<String>,
    pub name: Option<String>,
    pub action_name: Option<String>,
    pub action_limit: Option<String>,
    pub trace_id: Option<String>,
    pub remaining_seconds: Option<f64>,
}

impl ServerError {
    /// Reads a JSON error body (an empty, large or non-JSON one says
    /// nothing).
    pub fn parse(body: &[u8]) -> ServerError {
        let mut out = ServerError::default();
        // a tree of a large body costs tens of times its size: only a
        // small one is read as JSON (an error body is a sentence)
        if body.is_empty() || body.len() > 256 << 10 {
            return out;
        }
        let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body)
        else {
            return out;
        };
        let text = |v: &serde_json::Value, n: usize| match v {
            serde_json::Value::String(s) if !s.trim().is_empty() => {
                Some(sanitize::line(s.trim(), n))
            }
            serde_json::Value::Number(x) => Some(x.to_string()),
            _ => None,
        };
        for key in ["message", "detail", "reason", "error", "apiError"] {
            let found = match map.get(key) {
                Some(serde_json::Value::Object(inner)) => {
                    inner.get("message").and_then(|m| text(m, EXCERPT_CHARS))
                }
                Some(v) => text(v, EXCERPT_CHARS),
                None => None,
            };
            if found.is_some() {
                out.message = found;
                break;
            }
        }
        out.name = map.get("name").and_then(|v| text(v, 80));
        if let Some(serde_json::Value::Object(d)) = map.get("details") {
            out.action_name = d.get("actionName").and_then(|v| text(v, 80));
            out.action_limit = d.get("actionLimit").and_then(|v| text(v, 40));
        }
        out.trace_id = map.get("traceId").and_then(|v| text(v, 100));
        out.remaining_seconds = map
            .get("remainingSeconds")
            .and_then(|v| match v {
                serde_json::Value::Number(n) => n.as_f64(),
                serde_json::Value::String(s) => s.trim().parse().ok(),
                _ => None,
            })
            .filter(|s| s.is_finite() && *s >= 0.0);
        out
    }

    /// The line a user reads: the message, then the error's name and the
    /// limit reached (`message [Name; limit of actionName: actionLimit]`);
    /// `None` when the body said nothing of them.
    pub fn human(&self) -> Option<String> {
        let mut tags = Vec::new();
        if let Some(n) = &self.name {
            if !self
                .message
                .as_deref()
                .is_some_and(|m| m.contains(n.as_str()))
            {
                tags.push(n.clone());
            }
        }
        if let Some(action) = &self.action_name {
            tags.push(match &self.action_limit {
                Some(l) => format!("limit of {action}: {l}"),
                None => format!("limit of {action}"),
            });
        }
        match (&self.message, tags.is_empty()) {
            (None, true) => None,
            (Some(m), true) => Some(m.clone()),
            (Some(m), false) => Some(format!("{m} [{}]", tags.join("; "))),
            (None, false) => Some(tags.join("; ")),
        }
    }

    /// `remainingSeconds` as a wait (a 429 without `Retry-After`).
    pub fn remaining(&self) -> Option<Duration> {
        // bounded, so a huge value cannot overflow a Duration
        self.remaining_seconds
            .map(|s| Duration::from_secs_f64(s.min(1e9)))
    }
}

/// The human message in an error body ([`ServerError::human`]); else a
/// short excerpt of the body.
fn message_of(parsed: &ServerError, body: &[u8]) -> Option<String> {
    if let Some(m) = parsed.human() {
        return Some(m);
    }
    let text = sanitize::excerpt(body, EXCERPT_CHARS);
    (!text.is_empty()).then_some(text)
}

fn detail(message: &Option<String>) -> String {
    match message {
        Some(m) => format!(" ({m})"),
        None => String::new(),
    }
}

fn quote(excerpt: &str) -> String {
    if excerpt.is_empty() {
        String::new()
    } else {
        format!(": \"{excerpt}\"")
    }
}

fn retry_hint(after: &Option<Duration>) -> String {
    match after {
        Some(d) => format!("; retry in {}s", d.as_secs().max(1)),
        None => "; wait a little and retry".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_message(body: &[u8]) -> Option<String> {
        message_of(&ServerError::parse(body), body)
    }

    #[test]
    fn unauthorized_names_the_variables() {
        let e = ApiError::from_status(401, "GET /assets", br#"{"message":"Unauthorized"}"#, None);
        let s = e.to_string();
        assert!(s.contains("SCENARIO_SDK_API_KEY"), "{s}");
        assert!(s.contains("Unauthorized"), "{s}");
    }

    #[test]
    fn rate_limit_says_when() {
        let e = ApiError::from_status(429, "GET /assets", b"", Some(Duration::from_secs(7)));
        assert_eq!(
            e.to_string(),
            "rate limited by the service (429); retry in 7s"
        );
    }

    #[test]
    fn every_field_of_a_live_error_body_is_read() {
        let body = br#"{"name":"ModelAccessRestrictedError","message":"This model is restricted",
            "details":{"actionName":"generate","actionLimit":50},"traceId":"abc123","reason":"x"}"#;
        let e = ServerError::parse(body);
        assert_eq!(e.trace_id.as_deref(), Some("abc123"));
        assert_eq!(
            e.human().as_deref(),
            Some("This model is restricted [ModelAccessRestrictedError; limit of generate: 50]")
        );
        // the trace id never reaches the message a user reads
        let shown = ApiError::from_status(403, "POST /x", body, None).to_string();
        assert!(!shown.contains("abc123"), "{shown}");
        // each of the other keys carries the text when `message` is absent
        for key in ["detail", "reason", "error", "apiError"] {
            let body = format!(r#"{{"{key}":"said by {key}"}}"#);
            assert_eq!(
                server_message(body.as_bytes()).as_deref(),
                Some(format!("said by {key}").as_str())
            );
        }
        assert_eq!(
            server_message(br#"{"error":{"message":"nested"}}"#).as_deref(),
            Some("nested")
        );
    }

    #[test]
    fn a_429_without_retry_after_waits_remaining_seconds() {
        let e = ApiError::from_status(429, "GET /assets", br#"{"remainingSeconds":12}"#, None);
        assert_eq!(
            e.to_string(),
            "rate limited by the service (429); retry in 12s"
        );
        // Retry-After wins when both are there
        let e = ApiError::from_status(
            429,
            "GET /assets",
            br#"{"remainingSeconds":12}"#,
            Some(Duration::from_secs(3)),
        );
        assert_eq!(
            e.to_string(),
            "rate limited by the service (429); retry in 3s"
        );
    }

    #[test]
    fn server_message_is_sanitized() {
        let m = server_message(b"{\"message\":\"bad \\u001b[31mthing\"}");
        assert_eq!(m.as_deref(), Some("bad [31mthing"));
        let html = server_message(b"<html>\n<body>502 Bad Gateway</body></html>");
        assert_eq!(
            html.as_deref(),
            Some("<html> <body>502 Bad Gateway</body></html>")
        );
    }
}
