//! The HTTP core of the Scenario client: URL building, auth header, retries,
//! bounded body reads and JSON decoding with precise errors. The endpoint
//! methods live in the sibling modules (`assets`, `search`, `library`,
//! `downloads`), each a thin `impl Client` block over [`Client::call`].

use std::sync::{Arc, Once};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use super::error::{ApiError, ServerError};
use super::retry::{self, RetryPolicy};
use crate::sanitize;

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.cloud.scenario.com/v1";

/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!("assetui/", env!("CARGO_PKG_VERSION"));

/// Largest JSON answer accepted by default (a page of 100 assets with
/// embeddings is well under 4 MiB).
pub const MAX_JSON_BYTES: usize = 16 * 1024 * 1024;

/// How the client connects and how patient it is.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub base_url: String,
    /// A ready `Authorization` header value (`Basic …` or `Bearer …`).
    pub authorization: Option<String>,
    pub retry: RetryPolicy,
    pub connect_timeout: Duration,
    /// Longest silence while reading a response (not a whole-request
    /// deadline: a large body that keeps flowing is never cut).
    pub read_timeout: Duration,
    /// Largest JSON body accepted.
    pub max_body_bytes: usize,
    /// Longest a JSON call may take as a whole, retries and waits included:
    /// a server that sends a byte a second (never silent long enough for
    /// `read_timeout`) cannot hang a command. File transfers do not go
    /// through [`Client::call`] and keep their progress-based rule.
    pub deadline: Duration,
}

impl ClientOptions {
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientOptions {
            base_url: base_url.into(),
            authorization: None,
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(30),
            max_body_bytes: MAX_JSON_BYTES,
            deadline: Duration::from_secs(120),
        }
    }

    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    pub fn authorization(mut self, header: Option<String>) -> Self {
        self.authorization = header;
        self
    }

    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
}

/// A cheap-to-clone handle on one connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    auth: Option<HeaderValue>,
    retry: RetryPolicy,
    max_body: usize,
    deadline: Duration,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &display_url(&self.inner.base))
            .field("auth", &self.inner.auth.as_ref().map(|_| "(redacted)"))
            .finish()
    }
}

/// One request, described before it is sent so that it can be sent again.
pub(crate) struct Call {
    pub method: Method,
    pub path: Vec<String>,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Bytes>,
    /// Safe to send twice. Non-idempotent calls are retried only when the
    /// server proves it did not act (connect failure, 408, 429).
    pub idempotent: bool,
}

impl Call {
    pub fn get(path: &[&str]) -> Call {
        Call {
            method: Method::GET,
            path: path.iter().map(|s| s.to_string()).collect(),
            query: Vec::new(),
            body: None,
            idempotent: true,
        }
    }

    pub(crate) fn with_json(
        method: Method,
        path: &[&str],
        body: &impl serde::Serialize,
    ) -> Result<Call, ApiError> {
        let body = serde_json::to_vec(body)
            .map_err(|e| ApiError::Invalid(format!("cannot encode the request: {e}")))?;
        Ok(Call {
            method,
            path: path.iter().map(|s| s.to_string()).collect(),
            query: Vec::new(),
            body: Some(Bytes::from(body)),
            idempotent: true,
        })
    }

    pub fn query(mut self, query: Vec<(&'static str, String)>) -> Call {
        self.query = query;
        self
    }

    pub fn not_idempotent(mut self) -> Call {
        self.idempotent = false;
        self
    }
}

/// A raw answer: status, headers and the whole body.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

enum Failure {
    /// Never reached the server: always safe to retry.
    Connect(reqwest::Error),
    /// Sent, then the connection failed or stalled.
    Transport(reqwest::Error),
    TooLarge,
}

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Err only means another provider is already installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Most redirects followed for one request.
pub(crate) const MAX_REDIRECTS: usize = 10;

/// Why a redirect is not followed. The message is what a user reads (as
/// the innermost cause of the request's error); it names no URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedirectRefused {
    #[error("redirect loop: the server sent the request back to a link it already tried")]
    Loop,
    #[error("too many redirects (more than {MAX_REDIRECTS})")]
    TooMany,
    #[error(
        "refused a redirect from https to {0} (a downgrade would send the request in the clear)"
    )]
    Downgrade(String),
}

/// The redirect rule, on the links tried so far (`previous`, the first
/// request first) and the next one: an https request is never sent on
/// over another scheme, a link already tried is a loop, and at most
/// [`MAX_REDIRECTS`] are followed. Each fails at once (not retried: the
/// same request would be redirected the same way).
pub fn check_redirect(previous: &[Url], next: &Url) -> Result<(), RedirectRefused> {
    if previous.iter().any(|u| u.scheme() == "https") && next.scheme() != "https" {
        return Err(RedirectRefused::Downgrade(sanitize::line(
            next.scheme(),
            20,
        )));
    }
    if previous.contains(next) {
        return Err(RedirectRefused::Loop);
    }
    if previous.len() > MAX_REDIRECTS {
        return Err(RedirectRefused::TooMany);
    }
    Ok(())
}

/// The client's redirect policy: [`check_redirect`].
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        match check_redirect(attempt.previous(), attempt.url()) {
            Ok(()) => attempt.follow(),
            Err(why) => attempt.error(why),
        }
    })
}

impl Client {
    pub fn new(options: ClientOptions) -> Result<Client, ApiError> {
        install_crypto_provider();
        let base = parse_base_url(&options.base_url)?;
        let auth = match options.authorization {
            Some(value) => {
                let mut v = HeaderValue::from_str(&value).map_err(|_| {
                    ApiError::Invalid(
                        "the credentials contain characters that cannot be sent in a header".into(),
                    )
                })?;
                v.set_sensitive(true);
                Some(v)
            }
            None => None,
        };
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(options.connect_timeout)
            .read_timeout(options.read_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .redirect(redirect_policy())
            .build()
            .map_err(|e| ApiError::Invalid(format!("cannot set up HTTP: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                auth,
                retry: options.retry,
                max_body: options.max_body_bytes,
                deadline: options.deadline,
            }),
        })
    }

    /// The base URL, without credentials, for display.
    pub fn base_url(&self) -> String {
        display_url(&self.inner.base)
    }

    /// The underlying HTTP client (shared pool), for file transfers that
    /// stream their bodies themselves.
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub(crate) fn url(&self, path: &[String], query: &[(&'static str, String)]) -> Url {
        let mut url = self.inner.base.clone();
        if let Ok(mut segs) = url.path_segments_mut() {
            segs.pop_if_empty();
            segs.extend(path.iter().map(String::as_str));
        }
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        url
    }

    /// Sends a call, retrying as the policy allows, and decodes the JSON
    /// answer into `T`.
    pub(crate) async fn call<T: DeserializeOwned>(&self, call: Call) -> Result<T, ApiError> {
        let (endpoint, reply) = self.send(&call).await?;
        decode(&endpoint, &reply)
    }

    /// Sends a call and returns the successful raw reply.
    pub(crate) async fn send(&self, call: &Call) -> Result<(String, Reply), ApiError> {
        // `.` and `..` are dot segments: a URL drops them, so `tag ..`
        // would act on `/assets/tags`. No id is one, nor empty.
        if let Some(bad) = call
            .path
            .iter()
            .find(|s| matches!(s.as_str(), "" | "." | ".."))
        {
            return Err(ApiError::Invalid(format!(
                "`{bad}` is not an id: ids are never empty, `.` or `..`"
            )));
        }
        let url = self.url(&call.path, &call.query);
        let endpoint = format!("{} {}", call.method, url.path());
        let deadline = self.inner.deadline;
        match tokio::time::timeout(deadline, self.send_with_retries(call, &url, &endpoint)).await {
            Ok(Ok(reply)) => Ok((endpoint, reply)),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(ApiError::Timeout {
                endpoint,
                reason: format!(
                    "no complete answer within {} s, retries included",
                    deadline.as_secs_f64()
                ),
            }),
        }
    }

    /// The retry loop of [`Client::send`], without its deadline.
    async fn send_with_retries(
        &self,
        call: &Call,
        url: &Url,
        endpoint: &str,
    ) -> Result<Reply, ApiError> {
        let policy = &self.inner.retry;
        let mut retries = 0u32;
        loop {
            let wait = match self.attempt(call, url).await {
                Ok(reply) if reply.status.is_success() => return Ok(reply),
                Ok(reply) => {
                    let status = reply.status.as_u16();
                    let wanted = retry::should_retry_header(&reply.headers)
                        .unwrap_or_else(|| retry::is_retryable_status(status));
                    let safe = call.idempotent || retry::is_safe_to_resend(status);
                    // a 429 without Retry-After may say its wait in the body
                    let after = retry::retry_after(&reply.headers, std::time::SystemTime::now())
                        .or_else(|| {
                            (status == 429)
                                .then(|| ServerError::parse(&reply.body).remaining())
                                .flatten()
                        });
                    let wait = (wanted && safe && retries < policy.max_retries)
                        .then(|| policy.delay_after(retries, after))
                        .flatten();
                    match wait {
                        Some(wait) => {
                            tracing::debug!(%endpoint, status, ?wait, "retrying");
                            wait
                        }
                        None => {
                            return Err(ApiError::from_status(
                                status,
                                endpoint,
                                &reply.body,
                                after,
                            ));
                        }
                    }
                }
                Err(failure) => {
                    let safe = matches!(failure, Failure::Connect(_)) || call.idempotent;
                    let retryable = !matches!(failure, Failure::TooLarge);
                    if safe && retryable && retries < policy.max_retries {
                        tracing::debug!(%endpoint, "retrying after a transport error");
                        policy.backoff(retries)
                    } else {
                        return Err(self.transport_error(failure, endpoint));
                    }
                }
            };
            tokio::time::sleep(wait).await;
            retries += 1;
        }
    }

    async fn attempt(&self, call: &Call, url: &Url) -> Result<Reply, Failure> {
        let mut req = self
            .inner
            .http
            .request(call.method.clone(), url.clone())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(auth) = &self.inner.auth {
            req = req.header(AUTHORIZATION, auth.clone());
        }
        if let Some(body) = &call.body {
            req = req
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let mut resp = req.send().await.map_err(|e| {
            if e.is_connect() {
                Failure::Connect(e)
            } else {
                Failure::Transport(e)
            }
        })?;
        let status = resp.status();
        let headers = resp.headers().clone();
        // a declared length over the bound is refused before a byte is read
        if resp
            .content_length()
            .is_some_and(|n| n > self.inner.max_body as u64)
        {
            return Err(Failure::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(Failure::Transport)? {
            if body.len() + chunk.len() > self.inner.max_body {
                return Err(Failure::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply {
            status,
            headers,
            body: Bytes::from(body),
        })
    }

    fn transport_error(&self, failure: Failure, endpoint: &str) -> ApiError {
        match failure {
            Failure::TooLarge => ApiError::UnexpectedResponse {
                endpoint: endpoint.to_string(),
                status: 200,
                problem: format!(
                    "the answer is larger than {} MiB, the most one JSON answer may hold",
                    (self.inner.max_body / (1024 * 1024)).max(1)
                ),
                excerpt: String::new(),
            },
            Failure::Connect(e) if e.is_timeout() => ApiError::Timeout {
                endpoint: endpoint.to_string(),
                reason: "no connection within the connect timeout".into(),
            },
            Failure::Connect(e) => ApiError::Unreachable {
                url: self.base_url(),
                reason: root_cause(&e),
            },
            Failure::Transport(e) if e.is_timeout() => ApiError::Timeout {
                endpoint: endpoint.to_string(),
                reason: "the server stopped sending".into(),
            },
            Failure::Transport(e) => ApiError::Interrupted {
                endpoint: endpoint.to_string(),
                reason: root_cause(&e),
            },
        }
    }
}

/// Decodes a JSON body, naming the endpoint, the JSON path and an excerpt
/// when it does not match the documented shape.
pub(crate) fn decode<T: DeserializeOwned>(endpoint: &str, reply: &Reply) -> Result<T, ApiError> {
    let unexpected = |problem: String| ApiError::UnexpectedResponse {
        endpoint: endpoint.to_string(),
        status: reply.status.as_u16(),
        problem,
        excerpt: sanitize::excerpt(&reply.body, 80),
    };
    let first = reply.body.iter().find(|b| !b.is_ascii_whitespace());
    if !matches!(first, Some(b'{') | Some(b'[')) {
        let ctype = reply
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| sanitize::line(v, 60))
            .unwrap_or_else(|| "no content type".into());
        return Err(unexpected(format!("expected JSON, got {ctype}")));
    }
    let mut de = serde_json::Deserializer::from_slice(&reply.body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || path.is_empty() {
            unexpected(format!("{inner}"))
        } else {
            unexpected(format!("{inner} at `{path}`"))
        }
    })
}

fn parse_base_url(raw: &str) -> Result<Url, ApiError> {
    let url = Url::parse(raw.trim())
        .map_err(|e| ApiError::Invalid(format!("the base URL is not a valid URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ApiError::Invalid(
            "the base URL must be an http:// or https:// URL with a host".into(),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ApiError::Invalid(
            "the base URL must not contain credentials; use SCENARIO_SDK_API_KEY/SECRET".into(),
        ));
    }
    Ok(url)
}

/// The URL as shown to a user: scheme, host, port and path only.
pub fn display_url(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
    shown.as_str().trim_end_matches('/').to_string()
}

/// The innermost cause of a transport error ("Connection refused (os
/// error 111)"), which is what a user can act on.
fn root_cause(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    sanitize::line(&source.to_string(), 200)
}

#[cfg(test)]
mod redirect_tests {
    use super::*;

    fn urls(list: &[&str]) -> Vec<Url> {
        list.iter().map(|u| Url::parse(u).unwrap()).collect()
    }

    #[test]
    fn an_https_request_is_never_redirected_to_http() {
        let prev = urls(&["https://cdn.example/a?sig=1"]);
        let next = Url::parse("http://cdn.example/a?sig=1").unwrap();
        let err = check_redirect(&prev, &next).unwrap_err();
        assert_eq!(err, RedirectRefused::Downgrade("http".into()));
        assert!(err.to_string().contains("https to http"), "{err}");
        // nor later in the chain, once it was https
        let prev = urls(&["http://a.example/", "https://b.example/"]);
        let next = Url::parse("http://c.example/").unwrap();
        assert!(check_redirect(&prev, &next).is_err());
        // http to https, and https to https, are fine
        let prev = urls(&["http://a.example/"]);
        assert!(check_redirect(&prev, &Url::parse("https://a.example/").unwrap()).is_ok());
        let prev = urls(&["https://a.example/"]);
        assert!(check_redirect(&prev, &Url::parse("https://b.example/x").unwrap()).is_ok());
    }

    #[test]
    fn a_link_already_tried_is_a_loop_and_long_chains_stop() {
        let prev = urls(&["http://a.example/1", "http://a.example/2"]);
        let next = Url::parse("http://a.example/1").unwrap();
        assert_eq!(check_redirect(&prev, &next), Err(RedirectRefused::Loop));
        let chain: Vec<Url> = (0..=MAX_REDIRECTS)
            .map(|i| Url::parse(&format!("http://a.example/{i}")).unwrap())
            .collect();
        let next = Url::parse("http://a.example/next").unwrap();
        assert_eq!(check_redirect(&chain, &next), Err(RedirectRefused::TooMany));
        assert!(check_redirect(&chain[..MAX_REDIRECTS], &next).is_ok());
    }
}
