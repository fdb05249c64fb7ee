//! When and how long to wait before trying a request again. The policy
//! follows the official SDKs (408, 409, 429, 5xx and connection errors;
//! exponential backoff from 0.5 s up to 8 s; `retry-after-ms` and
//! `Retry-After` honoured), with jitter and a bound on any single wait.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (the SDKs use 2).
    pub max_retries: u32,
    /// First backoff; doubles on each retry.
    pub initial_backoff: Duration,
    /// Cap on the computed backoff.
    pub max_backoff: Duration,
    /// Longest wait the client accepts from a `Retry-After`; a longer one
    /// ends the request with the error (and the wait) instead.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all (for tests and for callers that retry themselves).
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Backoff before retry number `retry` (0 for the first retry), with
    /// up to 25 % of jitter taken off so that clients spread out.
    pub fn backoff(&self, retry: u32) -> Duration {
        let base = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.min(16)))
            .min(self.max_backoff);
        let jitter = 1.0 - fastrand::f64() * 0.25;
        base.mul_f64(jitter)
    }

    /// How long to wait before retry number `retry`: the server's word if
    /// it gave one, else the backoff. `None` when the server asks for a
    /// longer wait than `max_wait`.
    pub fn delay(&self, retry: u32, headers: &HeaderMap) -> Option<Duration> {
        self.delay_after(retry, retry_after(headers, SystemTime::now()))
    }

    /// [`RetryPolicy::delay`] with the server's wait already read (from
    /// the headers, or a 429 body's `remainingSeconds`).
    pub fn delay_after(&self, retry: u32, after: Option<Duration>) -> Option<Duration> {
        match after {
            Some(wait) if wait > self.max_wait => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(retry)),
        }
    }
}

/// Statuses worth retrying: 408, 409, 429 and every 5xx.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 409 | 429 | 500..=599)
}

/// Statuses that prove the server did not act on the request, so a
/// non-idempotent request (an upload) may be sent again.
pub(crate) fn is_safe_to_resend(status: u16) -> bool {
    matches!(status, 408 | 429)
}

/// The server's `x-should-retry` verdict, when it gave one.
pub(crate) fn should_retry_header(headers: &HeaderMap) -> Option<bool> {
    match headers.get("x-should-retry")?.to_str().ok()? {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// The wait the server asks for: `retry-after-ms`, then `Retry-After` in
/// seconds or as an HTTP date (relative to `now`).
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(ms) = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
    {
        if ms.is_finite() && ms >= 0.0 {
            return Some(Duration::from_secs_f64(ms / 1000.0));
        }
    }
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            retry_after(&headers(&[("retry-after", "3")]), now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after-ms", "250")]), now),
            Some(Duration::from_millis(250))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(10));
        assert_eq!(
            retry_after(&headers(&[("retry-after", &date)]), now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), now), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        let first = p.backoff(0);
        assert!(first <= Duration::from_millis(500) && first >= Duration::from_millis(375));
        let late = p.backoff(10);
        assert!(late <= Duration::from_secs(8) && late >= Duration::from_secs(6));
    }

    #[test]
    fn long_retry_after_is_refused() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0, &headers(&[("retry-after", "3600")])), None);
    }
}
