//! Typed errors. Each message is one line: what the server said as
//! `code: message` (sanitized, bounded), then what to do. None contains the
//! API key: messages are built from the status, the endpoint (method and
//! path, never headers) and the server's words.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use assetui_api::sanitize;

use crate::config::API_KEY_ENV;
use crate::models::ErrorBody;

/// Longest `code` or `message` quoted from a server.
pub const QUOTE_CHARS: usize = 200;

/// The error code of an expired or unknown search page token.
pub const SEARCH_PAGE_TOKEN_EXPIRED: &str = "search_page_token_expired";

/// What a server said in an error body, sanitized: `code: message`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServerSaid {
    pub code: Option<String>,
    pub message: Option<String>,
    pub docs_url: Option<String>,
}

impl ServerSaid {
    /// From an error body: the documented shapes, else a short excerpt of
    /// the raw text (an HTML page from a proxy) as the message.
    pub fn from_body(body: &[u8]) -> ServerSaid {
        // an error body is a sentence: a big one is not parsed as JSON
        let parsed = (body.len() <= 256 << 10)
            .then(|| ErrorBody::parse(body))
            .flatten();
        let clean = |s: Option<String>| {
            s.map(|s| sanitize::line(s.trim(), QUOTE_CHARS))
                .filter(|s| !s.is_empty())
        };
        match parsed {
            Some(b) => ServerSaid {
                code: clean(b.code),
                message: clean(b.message),
                docs_url: clean(b.docs_url),
            },
            None => {
                let text = sanitize::excerpt(body, QUOTE_CHARS);
                ServerSaid {
                    code: None,
                    message: (!text.is_empty()).then_some(text),
                    docs_url: None,
                }
            }
        }
    }
}

impl fmt::Display for ServerSaid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, &self.message) {
            (Some(c), Some(m)) => write!(f, "{c}: {m}"),
            (Some(c), None) => f.write_str(c),
            (None, Some(m)) => f.write_str(m),
            (None, None) => f.write_str("no reason given"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// 401: the key was refused.
    #[error("{said}; the API key was refused: check {API_KEY_ENV} (or --api-key)")]
    Unauthorized { said: ServerSaid },

    /// 403: the account may not use this endpoint (the multipart upload
    /// API is a private preview).
    #[error("{said} (403 on {endpoint}: this account may not use it)")]
    Forbidden { endpoint: String, said: ServerSaid },

    /// 404: no such asset, index, upload or video.
    #[error("{said} (404 on {endpoint})")]
    NotFound { endpoint: String, said: ServerSaid },

    /// 409: for example deleting an asset an index references without
    /// `force`.
    #[error("{said} (409 on {endpoint})")]
    Conflict { endpoint: String, said: ServerSaid },

    /// 400 `search_page_token_expired`: the page token is no longer valid;
    /// run the search again.
    #[error("{SEARCH_PAGE_TOKEN_EXPIRED}: {}; run the search again", .said.message.as_deref().unwrap_or("the search page expired"))]
    SearchPageExpired { said: ServerSaid },

    /// 429 after the retry budget, or with a wait longer than accepted.
    #[error("{said} (429 rate limited){}", retry_hint(.retry_after))]
    RateLimited {
        retry_after: Option<Duration>,
        said: ServerSaid,
    },

    /// 5xx, 408: the service is in trouble.
    #[error("{said} ({status} on {endpoint}; the service had trouble, try again in a moment)")]
    Service {
        status: u16,
        endpoint: String,
        said: ServerSaid,
    },

    /// Another 4xx (400 `parameter_invalid`, ...).
    #[error("{said} ({status} on {endpoint})")]
    Rejected {
        status: u16,
        endpoint: String,
        said: ServerSaid,
    },

    /// No connection (refused, DNS, TLS).
    #[error(
        "cannot reach {url}: {reason}; check --base-url / TWELVELABS_BASE_URL and the network"
    )]
    Unreachable { url: String, reason: String },

    /// The connection broke after the request went out. For an upload
    /// (`may_have_acted`), the service may have created the asset.
    #[error("{endpoint} was interrupted ({reason}){}", if *.may_have_acted { "; the service may have received it: look at the asset list before sending it again" } else { "; try again" })]
    Interrupted {
        endpoint: String,
        reason: String,
        may_have_acted: bool,
    },

    /// Nothing arrived in time, or the call's overall deadline passed.
    #[error("{endpoint} timed out ({reason})")]
    Timeout { endpoint: String, reason: String },

    /// An answer over the byte bound, refused before or while reading.
    #[error("the answer from {endpoint} is larger than {limit_mib} MiB, the most one answer may hold; refused")]
    TooLarge { endpoint: String, limit_mib: u64 },

    /// A 2xx whose body is not the documented JSON.
    #[error("unexpected answer from {endpoint} ({status}): {problem}{}", quote(.excerpt))]
    UnexpectedResponse {
        endpoint: String,
        status: u16,
        problem: String,
        excerpt: String,
    },

    /// A list that went on for more pages than allowed.
    #[error("{endpoint}: stopped after {pages} pages; the server's pages do not end")]
    TooManyPages { endpoint: String, pages: usize },

    /// A list whose server sent the same page (or page token) again.
    #[error("{endpoint}: the server sent a page it had sent before; the list stops here")]
    RepeatedPage { endpoint: String },

    /// A file over the size the service accepts, refused before sending.
    #[error("{} is {} bytes, over the {} limit of {limit_text}; nothing was sent", .path.display(), .size, .what)]
    FileTooLarge {
        path: PathBuf,
        size: u64,
        what: &'static str,
        limit_text: &'static str,
    },

    /// A local file that cannot be read.
    #[error("cannot read {}: {reason}", .path.display())]
    File { path: PathBuf, reason: String },

    /// One chunk of a multipart upload failed all its attempts.
    #[error("chunk {chunk} of the upload failed after {attempts} attempts: {reason}")]
    Chunk {
        chunk: u64,
        attempts: u32,
        reason: String,
    },

    /// A request the client refuses to send (bad argument).
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    /// The HTTP status behind the error, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Unauthorized { .. } => Some(401),
            Error::Forbidden { .. } => Some(403),
            Error::NotFound { .. } => Some(404),
            Error::Conflict { .. } => Some(409),
            Error::SearchPageExpired { .. } => Some(400),
            Error::RateLimited { .. } => Some(429),
            Error::Service { status, .. }
            | Error::Rejected { status, .. }
            | Error::UnexpectedResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The server's error `code`, when it gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Unauthorized { said }
            | Error::Forbidden { said, .. }
            | Error::NotFound { said, .. }
            | Error::Conflict { said, .. }
            | Error::SearchPageExpired { said }
            | Error::RateLimited { said, .. }
            | Error::Service { said, .. }
            | Error::Rejected { said, .. } => said.code.as_deref(),
            _ => None,
        }
    }

    /// True when waiting and trying again may help.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::RateLimited { .. }
                | Error::Service { .. }
                | Error::Unreachable { .. }
                | Error::Timeout { .. }
                | Error::Interrupted {
                    may_have_acted: false,
                    ..
                }
        )
    }

    /// Builds the error for a non-success status.
    pub fn from_status(
        status: u16,
        endpoint: &str,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> Error {
        let said = ServerSaid::from_body(body);
        let endpoint = endpoint.to_string();
        match status {
            400 if said.code.as_deref() == Some(SEARCH_PAGE_TOKEN_EXPIRED) => {
                Error::SearchPageExpired { said }
            }
            401 => Error::Unauthorized { said },
            403 => Error::Forbidden { endpoint, said },
            404 => Error::NotFound { endpoint, said },
            409 => Error::Conflict { endpoint, said },
            429 => Error::RateLimited { retry_after, said },
            408 | 500..=599 => Error::Service {
                status,
                endpoint,
                said,
            },
            _ => Error::Rejected {
                status,
                endpoint,
                said,
            },
        }
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
    fn unauthorized_names_the_variable_and_the_code() {
        let e = Error::from_status(
            401,
            "GET /v1.3/assets",
            br#"{"code":"api_key_invalid","message":"The API key is invalid."}"#,
            None,
        );
        assert_eq!(
            e.to_string(),
            "api_key_invalid: The API key is invalid.; the API key was refused: check TWELVE_LABS_API_KEY (or --api-key)"
        );
        assert_eq!(e.code(), Some("api_key_invalid"));
    }

    #[test]
    fn one_line_code_colon_message() {
        let e = Error::from_status(
            400,
            "GET /v1.3/assets",
            b"{\"code\":\"parameter_invalid\",\"message\":\"page_limit\\nmust be \\u001b[31m<= 50\"}",
            None,
        );
        let s = e.to_string();
        assert_eq!(
            s,
            "parameter_invalid: page_limit must be [31m<= 50 (400 on GET /v1.3/assets)"
        );
        assert!(!s.contains('\n') && !s.contains('\u{1b}'));
    }

    #[test]
    fn expired_token_is_its_own_variant() {
        let e = Error::from_status(
            400,
            "GET /v1.3/search/tok",
            br#"{"code":"search_page_token_expired","message":"The token expired."}"#,
            None,
        );
        assert!(matches!(e, Error::SearchPageExpired { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            "search_page_token_expired: The token expired.; run the search again"
        );
    }

    #[test]
    fn html_and_empty_bodies_still_read_well() {
        let e = Error::from_status(
            502,
            "GET /v1.3/indexes",
            b"<html>\n<b>Bad gateway</b></html>",
            None,
        );
        assert_eq!(
            e.to_string(),
            "<html> <b>Bad gateway</b></html> (502 on GET /v1.3/indexes; the service had trouble, try again in a moment)"
        );
        let e = Error::from_status(429, "POST /v1.3/search", b"", Some(Duration::from_secs(3)));
        assert_eq!(
            e.to_string(),
            "no reason given (429 rate limited); retry in 3s"
        );
    }
}
