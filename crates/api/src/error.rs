//! Typed API errors. Each message is one line a user can act on, and none
//! ever contains a credential: messages are built from the status, the
//! endpoint (method and path, never the query or headers) and a sanitized
//! excerpt of what the server said.

use std::time::Duration;

use crate::sanitize;

/// Longest excerpt of a response body quoted in an error.
pub const EXCERPT_CHARS: usize = 160;

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
    pub fn from_status(
        status: u16,
        endpoint: &str,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> ApiError {
        let message = server_message(body);
        let endpoint = endpoint.to_string();
        match status {
            401 => ApiError::Unauthorized { status, message },
            403 => ApiError::Unauthorized { status, message },
            404 => ApiError::NotFound { endpoint, message },
            429 => ApiError::RateLimited { retry_after },
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

/// The human message in an error body: `message`, `error`, `apiError` or
/// `reason`, whichever the server used; else a short excerpt of the body.
pub fn server_message(body: &[u8]) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    // a tree of a large body costs tens of times its size: only a small
    // one is read as JSON (an error body is a sentence, not megabytes)
    let small = body.len() <= 256 << 10;
    let parsed = small
        .then(|| serde_json::from_slice::<serde_json::Value>(body).ok())
        .flatten();
    if let Some(serde_json::Value::Object(map)) = parsed {
        for key in ["message", "error", "apiError", "reason", "detail"] {
            match map.get(key) {
                Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                    return Some(sanitize::line(s.trim(), EXCERPT_CHARS));
                }
                Some(serde_json::Value::Object(inner)) => {
                    if let Some(serde_json::Value::String(s)) = inner.get("message") {
                        return Some(sanitize::line(s.trim(), EXCERPT_CHARS));
                    }
                }
                _ => {}
            }
        }
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
