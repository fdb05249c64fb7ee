//! The HTTP core: URL building (ids escaped as one path segment, query
//! arrays as repeated keys), the `x-api-key` header, retries under one
//! overall deadline per call, bounded body reads and JSON decoding that
//! names the failing field. Endpoint methods live in the sibling modules,
//! each an `impl Client` block over [`Client::call`].

use std::sync::{Arc, Once};
use std::time::{Duration, SystemTime};

use assetui_api::client::check_redirect;
use assetui_api::retry::retry_after;
use assetui_api::sanitize;
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

pub use assetui_api::retry::RetryPolicy;

use crate::config::{Config, DEFAULT_BASE_URL};
use crate::error::Error;
use crate::form::Form;

/// The `User-Agent` every request carries (as the Scenario client's).
pub const USER_AGENT: &str = concat!("assetui/", env!("CARGO_PKG_VERSION"));

/// The header carrying the key.
pub const API_KEY_HEADER: &str = "x-api-key";

/// Largest JSON answer accepted by default (a page of 50 assets with full
/// technical metadata is well under 1 MiB).
pub const MAX_JSON_BYTES: usize = 16 * 1024 * 1024;

/// Most pages one walk reads by default (500 000 assets at 50 a page).
pub const MAX_PAGES: usize = 10_000;

/// The slowest upload a request with a file is allowed: its deadline grows
/// by one second per this many bytes.
pub const MIN_UPLOAD_BYTES_PER_SEC: u64 = 64 * 1024;

/// How the chunks of a multipart upload are sent.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkPolicy {
    /// Attempts per chunk (the SDK: 3).
    pub attempts: u32,
    /// Wait before the second attempt; doubles after (the SDK: 1 s).
    pub backoff: Duration,
    /// Longest one chunk's PUT may take (the SDK: 300 s).
    pub timeout: Duration,
    /// Chunks in flight at once (the SDK: 5).
    pub concurrency: usize,
    /// Chunks per completion report (the SDK: 10).
    pub report_batch: usize,
    /// Largest chunk size accepted from a server (a chunk is held in
    /// memory while it is sent).
    pub max_chunk_bytes: u64,
    /// Largest local video or audio file sent in one `POST /assets`;
    /// above, [`Client::plan_local`] says multipart (the service's
    /// 200 MB; tests set it small).
    pub direct_max: u64,
}

impl Default for ChunkPolicy {
    fn default() -> Self {
        ChunkPolicy {
            attempts: 3,
            backoff: Duration::from_secs(1),
            timeout: Duration::from_secs(300),
            concurrency: 4,
            report_batch: 10,
            max_chunk_bytes: 256 * 1024 * 1024,
            direct_max: crate::upload::DIRECT_MEDIA_MAX_BYTES,
        }
    }
}

/// How the client connects and how patient it is.
#[derive(Clone)]
pub struct ClientOptions {
    pub base_url: String,
    pub api_key: Option<String>,
    /// 408, 429 and 5xx; the SDK's 409 is not retried (a delete's 409 is
    /// an answer, not a hiccup).
    pub retry: RetryPolicy,
    pub connect_timeout: Duration,
    /// Longest silence while reading an answer.
    pub read_timeout: Duration,
    /// Largest JSON answer accepted.
    pub max_body_bytes: usize,
    /// Longest one call may take, retries and waits included (a request
    /// with a file gets one more second per 64 KiB).
    pub deadline: Duration,
    /// Most pages one walk reads.
    pub max_pages: usize,
    pub chunks: ChunkPolicy,
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "(redacted)"))
            .field("retry", &self.retry)
            .field("deadline", &self.deadline)
            .field("max_pages", &self.max_pages)
            .finish_non_exhaustive()
    }
}

impl ClientOptions {
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientOptions {
            base_url: base_url.into(),
            api_key: None,
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(30),
            max_body_bytes: MAX_JSON_BYTES,
            deadline: Duration::from_secs(120),
            max_pages: MAX_PAGES,
            chunks: ChunkPolicy::default(),
        }
    }

    pub fn api_key(mut self, key: Option<String>) -> Self {
        self.api_key = key;
        self
    }

    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    pub fn max_pages(mut self, pages: usize) -> Self {
        self.max_pages = pages;
        self
    }

    pub fn chunks(mut self, chunks: ChunkPolicy) -> Self {
        self.chunks = chunks;
        self
    }
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions::new(DEFAULT_BASE_URL)
    }
}

/// A cheap-to-clone handle on one connection pool.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// API calls: redirects only within the API's origin (the key is a
    /// custom header, which an HTTP client does not strip on a redirect).
    pub(crate) http: reqwest::Client,
    /// Presigned chunk PUTs: no key, no API headers.
    pub(crate) bare: reqwest::Client,
    pub(crate) base: Url,
    key: Option<HeaderValue>,
    pub(crate) options: ClientOptions,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &display_url(&self.inner.base))
            .field("api_key", &self.inner.key.as_ref().map(|_| "(redacted)"))
            .finish()
    }
}

/// A request body.
pub(crate) enum CallBody {
    None,
    Json(Bytes),
    Form(Form),
}

/// One request, described before it is sent so it can be sent again.
pub(crate) struct Call {
    pub method: Method,
    pub path: Vec<String>,
    pub query: Vec<(String, String)>,
    pub body: CallBody,
    /// Safe to send twice. A call that is not is resent only when the
    /// server cannot have acted on it (no connection, 408, 429).
    pub idempotent: bool,
}

impl Call {
    pub fn new(method: Method, path: &[&str]) -> Call {
        Call {
            method,
            path: path.iter().map(|s| s.to_string()).collect(),
            query: Vec::new(),
            body: CallBody::None,
            idempotent: true,
        }
    }

    pub fn get(path: &[&str]) -> Call {
        Call::new(Method::GET, path)
    }

    pub fn json(mut self, body: &impl serde::Serialize) -> Result<Call, Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::Invalid(format!("cannot encode the request: {e}")))?;
        self.body = CallBody::Json(Bytes::from(bytes));
        Ok(self)
    }

    pub fn form(mut self, form: Form) -> Call {
        self.body = CallBody::Form(form);
        self
    }

    pub fn query(mut self, query: Vec<(String, String)>) -> Call {
        self.query = query;
        self
    }

    pub fn not_idempotent(mut self) -> Call {
        self.idempotent = false;
        self
    }
}

/// A raw answer.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

enum Failure {
    /// Never reached the server: always safe to send again.
    Connect(reqwest::Error),
    /// Sent (maybe in part), then the connection failed or stalled.
    Transport(reqwest::Error),
    /// A redirect refused by the rules: final.
    Redirect(reqwest::Error),
    TooLarge,
    /// A local problem (a file to send): final.
    Local(Error),
}

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Err only means another provider is already installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

impl Client {
    pub fn new(options: ClientOptions) -> Result<Client, Error> {
        install_crypto_provider();
        let base = parse_base_url(&options.base_url)?;
        let key = match options.api_key.as_deref().map(str::trim) {
            Some(k) if !k.is_empty() => {
                let mut v = HeaderValue::from_str(k).map_err(|_| {
                    Error::Invalid(
                        "the API key contains characters that cannot be sent in a header".into(),
                    )
                })?;
                v.set_sensitive(true);
                Some(v)
            }
            _ => None,
        };
        let api_policy = reqwest::redirect::Policy::custom(|attempt| {
            let first = attempt.previous().first().cloned();
            if let Err(why) = check_redirect(attempt.previous(), attempt.url()) {
                return attempt.error(why);
            }
            match first {
                Some(first) if !same_origin(&first, attempt.url()) => attempt
                    .error("refused a redirect to another host (the API key would follow it)"),
                _ => attempt.follow(),
            }
        });
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(options.connect_timeout)
            .read_timeout(options.read_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .redirect(api_policy)
            .build()
            .map_err(|e| Error::Invalid(format!("cannot set up HTTP: {e}")))?;
        let bare = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(options.connect_timeout)
            .read_timeout(options.read_timeout)
            .redirect(reqwest::redirect::Policy::custom(
                |attempt| match check_redirect(attempt.previous(), attempt.url()) {
                    Ok(()) => attempt.follow(),
                    Err(why) => attempt.error(why),
                },
            ))
            .build()
            .map_err(|e| Error::Invalid(format!("cannot set up HTTP: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                bare,
                base,
                key,
                options,
            }),
        })
    }

    /// A client from `TWELVE_LABS_API_KEY` and `TWELVELABS_BASE_URL`.
    pub fn from_env() -> Result<Client, Error> {
        Client::new(Config::from_env().options())
    }

    /// The base URL, without credentials, for display.
    pub fn base_url(&self) -> String {
        display_url(&self.inner.base)
    }

    pub fn options(&self) -> &ClientOptions {
        &self.inner.options
    }

    pub(crate) fn url(&self, path: &[String], query: &[(String, String)]) -> Url {
        let mut url = self.inner.base.clone();
        if let Ok(mut segs) = url.path_segments_mut() {
            segs.pop_if_empty();
            segs.extend(path.iter().map(String::as_str));
        }
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        url
    }

    /// `METHOD /path` as errors name it.
    pub(crate) fn endpoint(&self, method: &Method, path: &[String]) -> String {
        format!("{method} {}", self.url(path, &[]).path())
    }

    /// Sends a call and decodes its JSON answer.
    pub(crate) async fn call<T: DeserializeOwned>(&self, call: Call) -> Result<T, Error> {
        let (endpoint, reply) = self.send(&call).await?;
        decode(&endpoint, &reply)
    }

    /// Sends a call whose answer has no body worth reading (deletes and
    /// metadata writes).
    pub(crate) async fn call_no_body(&self, call: Call) -> Result<(), Error> {
        self.send(&call).await.map(|_| ())
    }

    /// Sends a call, with retries, under its deadline.
    pub(crate) async fn send(&self, call: &Call) -> Result<(String, Reply), Error> {
        // a URL drops `.` and `..`: no id is one, nor empty
        if let Some(bad) = call
            .path
            .iter()
            .find(|s| matches!(s.as_str(), "" | "." | ".."))
        {
            return Err(Error::Invalid(format!(
                "`{bad}` is not an id: ids are never empty, `.` or `..`"
            )));
        }
        let url = self.url(&call.path, &call.query);
        let endpoint = format!("{} {}", call.method, url.path());
        let mut deadline = self.inner.options.deadline;
        if let CallBody::Form(form) = &call.body {
            deadline += Duration::from_secs(form.file_bytes() / MIN_UPLOAD_BYTES_PER_SEC);
        }
        match tokio::time::timeout(deadline, self.send_with_retries(call, &url, &endpoint)).await {
            Ok(Ok(reply)) => Ok((endpoint, reply)),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(Error::Timeout {
                endpoint,
                reason: format!(
                    "no complete answer within {} s, retries included",
                    deadline.as_secs_f64()
                ),
            }),
        }
    }

    async fn send_with_retries(
        &self,
        call: &Call,
        url: &Url,
        endpoint: &str,
    ) -> Result<Reply, Error> {
        let policy = &self.inner.options.retry;
        let mut retries = 0u32;
        loop {
            let wait = match self.attempt(call, url).await {
                Ok(reply) if reply.status.is_success() => return Ok(reply),
                Ok(reply) => {
                    let status = reply.status.as_u16();
                    let retryable = matches!(status, 408 | 429 | 500..=599);
                    // 408 and 429 say the server did not act on it
                    let safe = call.idempotent || matches!(status, 408 | 429);
                    let wait = (retryable && safe && retries < policy.max_retries)
                        .then(|| policy.delay(retries, &reply.headers))
                        .flatten();
                    match wait {
                        Some(wait) => {
                            tracing::debug!(%endpoint, status, ?wait, "retrying");
                            wait
                        }
                        None => {
                            let after = retry_after(&reply.headers, SystemTime::now());
                            return Err(Error::from_status(status, endpoint, &reply.body, after));
                        }
                    }
                }
                Err(failure) => {
                    let safe = matches!(failure, Failure::Connect(_))
                        || (call.idempotent && matches!(failure, Failure::Transport(_)));
                    if safe && retries < policy.max_retries {
                        tracing::debug!(%endpoint, "retrying after a transport error");
                        policy.backoff(retries)
                    } else {
                        return Err(self.transport_error(failure, endpoint, call.idempotent));
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
            .header(ACCEPT, "application/json");
        if let Some(key) = &self.inner.key {
            req = req.header(API_KEY_HEADER, key.clone());
        }
        match &call.body {
            CallBody::None => {}
            CallBody::Json(bytes) => {
                req = req
                    .header(CONTENT_TYPE, "application/json")
                    .body(bytes.clone());
            }
            CallBody::Form(form) => {
                // built from scratch on every attempt
                let body = form.open().await.map_err(Failure::Local)?;
                req = req
                    .header(CONTENT_TYPE, form.content_type())
                    .header(CONTENT_LENGTH, form.content_length())
                    .body(body);
            }
        }
        let resp = req.send().await.map_err(classify)?;
        read_bounded(resp, self.inner.options.max_body_bytes).await
    }

    fn transport_error(&self, failure: Failure, endpoint: &str, idempotent: bool) -> Error {
        let limit_mib = (self.inner.options.max_body_bytes as u64 / (1024 * 1024)).max(1);
        transport_error(failure, endpoint, &self.base_url(), idempotent, limit_mib)
    }
}

fn classify(e: reqwest::Error) -> Failure {
    if e.is_redirect() {
        Failure::Redirect(e)
    } else if e.is_connect() {
        Failure::Connect(e)
    } else {
        Failure::Transport(e)
    }
}

/// Reads a whole answer, refusing one over `max` bytes (a declared
/// length before a byte is read).
async fn read_bounded(mut resp: reqwest::Response, max: usize) -> Result<Reply, Failure> {
    let status = resp.status();
    let headers = resp.headers().clone();
    if resp.content_length().is_some_and(|n| n > max as u64) {
        return Err(Failure::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(Failure::Transport)? {
        if body.len() + chunk.len() > max {
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

fn transport_error(
    failure: Failure,
    endpoint: &str,
    base: &str,
    idempotent: bool,
    limit_mib: u64,
) -> Error {
    let endpoint = endpoint.to_string();
    match failure {
        Failure::TooLarge => Error::TooLarge {
            endpoint,
            limit_mib,
        },
        Failure::Local(e) => e,
        Failure::Redirect(e) => Error::Interrupted {
            endpoint,
            reason: root_cause(&e),
            may_have_acted: false,
        },
        Failure::Connect(e) if e.is_timeout() => Error::Timeout {
            endpoint,
            reason: "no connection within the connect timeout".into(),
        },
        Failure::Connect(e) => Error::Unreachable {
            url: base.to_string(),
            reason: root_cause(&e),
        },
        Failure::Transport(e) if e.is_timeout() => Error::Timeout {
            endpoint,
            reason: "the server stopped sending".into(),
        },
        Failure::Transport(e) => Error::Interrupted {
            endpoint,
            reason: root_cause(&e),
            may_have_acted: !idempotent,
        },
    }
}

/// One PUT of raw bytes to a presigned URL: no key, no API headers, the
/// answer's `ETag` without quotes. Not retried here.
pub(crate) async fn put_presigned(
    client: &Client,
    url: &str,
    bytes: Bytes,
) -> Result<String, Error> {
    let parsed = Url::parse(url).map_err(|e| Error::UnexpectedResponse {
        endpoint: "a presigned chunk URL".into(),
        status: 200,
        problem: format!("the server gave a chunk URL that is not a URL ({e})"),
        excerpt: String::new(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::Invalid(format!(
            "refused a chunk URL with scheme `{}`",
            sanitize::line(parsed.scheme(), 20)
        )));
    }
    let endpoint = format!("PUT {}", parsed.path());
    let limit_mib = 1;
    let opts = &client.inner.options;
    let send = async {
        let resp = client
            .inner
            .bare
            .put(parsed.clone())
            .header(CONTENT_TYPE, "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .map_err(classify)?;
        read_bounded(resp, 64 * 1024).await
    };
    let reply = match tokio::time::timeout(opts.chunks.timeout, send).await {
        Err(_) => {
            return Err(Error::Timeout {
                endpoint,
                reason: format!("the chunk took over {} s", opts.chunks.timeout.as_secs()),
            })
        }
        Ok(Err(failure)) => {
            let host = display_url(&parsed);
            return Err(transport_error(failure, &endpoint, &host, true, limit_mib));
        }
        Ok(Ok(reply)) => reply,
    };
    if !reply.status.is_success() {
        let after = retry_after(&reply.headers, SystemTime::now());
        return Err(Error::from_status(
            reply.status.as_u16(),
            &endpoint,
            &reply.body,
            after,
        ));
    }
    let etag = reply
        .headers
        .get(reqwest::header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .to_string()
        })
        .filter(|v| !v.is_empty());
    etag.ok_or_else(|| Error::UnexpectedResponse {
        endpoint,
        status: reply.status.as_u16(),
        problem: "the chunk was stored without an ETag, so it cannot be reported".into(),
        excerpt: String::new(),
    })
}

/// Decodes a JSON body, naming the endpoint, the JSON path and an excerpt
/// when it does not match.
pub(crate) fn decode<T: DeserializeOwned>(endpoint: &str, reply: &Reply) -> Result<T, Error> {
    let unexpected = |problem: String| Error::UnexpectedResponse {
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
        let inner = sanitize::line(&e.into_inner().to_string(), 200);
        if path == "." || path.is_empty() {
            unexpected(inner)
        } else {
            unexpected(format!("{inner} at `{path}`"))
        }
    })
}

fn parse_base_url(raw: &str) -> Result<Url, Error> {
    let url = Url::parse(raw.trim())
        .map_err(|e| Error::Invalid(format!("the base URL is not a valid URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::Invalid(
            "the base URL must be an http:// or https:// URL with a host".into(),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Invalid(
            "the base URL must not contain credentials; use TWELVE_LABS_API_KEY".into(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Invalid(
            "the base URL must not have a query or a fragment".into(),
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
    sanitize::line(shown.as_str().trim_end_matches('/'), 300)
}

/// The innermost cause of a transport error, which is what a user can act
/// on.
fn root_cause(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    sanitize::line(&source.to_string(), 200)
}

/// Query pairs: arrays as repeated keys, booleans lower case.
#[derive(Debug, Default, Clone)]
pub(crate) struct Query(pub Vec<(String, String)>);

impl Query {
    pub fn push(&mut self, key: &str, value: impl ToString) {
        self.0.push((key.to_string(), value.to_string()));
    }

    pub fn opt(&mut self, key: &str, value: Option<impl ToString>) {
        if let Some(v) = value {
            self.push(key, v);
        }
    }

    pub fn each<T: std::fmt::Display>(&mut self, key: &str, values: &[T]) {
        for v in values {
            self.push(key, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_paths_join_and_ids_are_one_segment() {
        let c = Client::new(ClientOptions::new("http://127.0.0.1:1/v1.3/")).unwrap();
        let url = c.url(
            &["assets".into(), "a/b?c#d".into()],
            &[
                ("asset_ids".into(), "x".into()),
                ("asset_ids".into(), "y".into()),
            ],
        );
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:1/v1.3/assets/a%2Fb%3Fc%23d?asset_ids=x&asset_ids=y"
        );
        let c = Client::new(ClientOptions::new("http://127.0.0.1:1/v1.3")).unwrap();
        assert_eq!(
            c.url(&["indexes".into()], &[]).as_str(),
            "http://127.0.0.1:1/v1.3/indexes"
        );
    }

    #[test]
    fn bad_base_urls_and_keys_are_refused() {
        for bad in [
            "ftp://x/v1.3",
            "not a url",
            "http://u:p@h/v1.3",
            "http://h/v1.3?k=1",
        ] {
            assert!(Client::new(ClientOptions::new(bad)).is_err(), "{bad}");
        }
        let err = Client::new(ClientOptions::new("http://h/").api_key(Some("a\nb".into())))
            .unwrap_err()
            .to_string();
        assert!(!err.contains("a\nb"), "{err}");
    }

    #[test]
    fn debug_never_shows_the_key() {
        let opts = ClientOptions::new("http://h/").api_key(Some("tlk_secret".into()));
        assert!(!format!("{opts:?}").contains("tlk_secret"));
        let c = Client::new(opts).unwrap();
        assert!(!format!("{c:?}").contains("tlk_secret"));
    }
}
