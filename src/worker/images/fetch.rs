//! HTTP GET of a rendition through a signed link.
//!
//! Signed links carry their signature in the query string, so no message
//! or log line built here contains it: failures name the host and path only.
//! Stalls are caught by the client's per-read timeout (the caller builds the
//! client); the body is bounded.

use std::time::Duration;

use url::Url;

use super::ImageError;

/// Largest rendition accepted, in bytes (the render input limit of
/// [`LIMITS`](crate::api::imaging::LIMITS)).
pub const MAX_BODY_BYTES: usize = crate::api::imaging::LIMITS.render_max_input_bytes as usize;

/// Attempts for one fetch: a refused or reset connection, a 5xx, 408 or 429
/// is tried again after a short pause (the request is an idempotent GET).
const ATTEMPTS: usize = 3;
const BACKOFF: [Duration; 2] = [Duration::from_millis(200), Duration::from_millis(800)];

/// Fetches `url` with `http`. 401 and 403 mean the signed link expired
/// ([`ImageError::Expired`]); every other failure is [`ImageError::Fetch`]
/// with a message that shows the host and path at most.
pub async fn fetch_rendition(http: &reqwest::Client, url: &str) -> Result<Vec<u8>, ImageError> {
    let parsed = Url::parse(url).map_err(|_| ImageError::Fetch("invalid image link".into()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ImageError::Fetch(format!(
            "unsupported image link scheme {:?}",
            crate::sanitize::line(parsed.scheme(), 20)
        )));
    }
    let shown = shown_url(&parsed);
    let mut attempt = 0;
    loop {
        match once(http, parsed.clone(), &shown).await {
            Ok(body) => return Ok(body),
            Err(Failure::Final(e)) => return Err(e),
            Err(Failure::Transient(e)) => {
                let Some(pause) = BACKOFF.get(attempt).filter(|_| attempt + 1 < ATTEMPTS) else {
                    return Err(e);
                };
                tracing::debug!(url = %shown, error = %e, "image fetch failed, trying again");
                tokio::time::sleep(*pause).await;
                attempt += 1;
            }
        }
    }
}

enum Failure {
    Transient(ImageError),
    Final(ImageError),
}

async fn once(http: &reqwest::Client, url: Url, shown: &str) -> Result<Vec<u8>, Failure> {
    let mut response = http
        .get(url)
        .send()
        .await
        .map_err(|e| transport(e, shown))?;
    let status = response.status();
    match status.as_u16() {
        401 | 403 => return Err(Failure::Final(ImageError::Expired)),
        s if status.is_success() && s != 204 => {}
        s => {
            let e = ImageError::Fetch(format!("HTTP {s} from {shown}"));
            return Err(if matches!(s, 408 | 429 | 500 | 502 | 503 | 504) {
                Failure::Transient(e)
            } else {
                Failure::Final(e)
            });
        }
    }
    let too_large = || {
        Failure::Final(ImageError::Fetch(format!(
            "the file at {shown} is larger than {} MiB",
            MAX_BODY_BYTES / (1024 * 1024)
        )))
    };
    let declared = response.content_length();
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    // trust a declared length for the first allocation only up to a point
    let mut body = Vec::with_capacity(declared.unwrap_or(64 * 1024).min(4 << 20) as usize);
    while let Some(chunk) = response.chunk().await.map_err(|e| transport(e, shown))? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A transport error as a message without the URL: reqwest's own message
/// names the full URL (signature included), so only its kind and the
/// innermost cause (an OS or protocol error) are used.
fn transport(e: reqwest::Error, shown: &str) -> Failure {
    let cause = root_cause(&e);
    if e.is_timeout() {
        Failure::Final(ImageError::Fetch(format!("timed out waiting for {shown}")))
    } else if e.is_connect() {
        Failure::Transient(ImageError::Fetch(format!(
            "cannot connect for {shown}: {cause}"
        )))
    } else if e.is_body() || e.is_decode() {
        Failure::Transient(ImageError::Fetch(format!(
            "download from {shown} broke off: {cause}"
        )))
    } else if e.is_redirect() {
        Failure::Final(ImageError::Fetch(format!(
            "too many redirects from {shown}"
        )))
    } else {
        Failure::Transient(ImageError::Fetch(format!(
            "request to {shown} failed: {cause}"
        )))
    }
}

fn root_cause(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    // reqwest's own message holds the URL; its sources (hyper, io, rustls)
    // do not
    let mut cause = e.source();
    let mut innermost = None;
    while let Some(c) = cause {
        innermost = Some(c);
        cause = c.source();
    }
    match innermost {
        Some(c) => {
            let text = c.to_string();
            // belt and braces: never anything after a `?`
            crate::sanitize::line(text.split('?').next().unwrap_or_default(), 120)
        }
        None => "unknown error".into(),
    }
}

/// `host[:port]/path` of a URL: no scheme, credentials, query or fragment;
/// bounded and sanitized for display.
pub fn shown_url(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    let text = match url.port() {
        Some(port) => format!("{host}:{port}{}", url.path()),
        None => format!("{host}{}", url.path()),
    };
    crate::sanitize::line(&text, 160)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_url_drops_query_and_credentials() {
        let u =
            Url::parse("https://user:pw@cdn.example.com:8443/a/b.png?expires=1&signature=SECRET#x")
                .unwrap();
        assert_eq!(shown_url(&u), "cdn.example.com:8443/a/b.png");
        let u = Url::parse("http://h/p?signature=SECRET").unwrap();
        assert_eq!(shown_url(&u), "h/p");
    }
}
