//! Signed file URLs, as the real service hands out: each carries an expiry
//! and an HMAC-SHA256 signature over its path and expiry. An altered or
//! expired link answers 403.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Default link lifetime (`--url-ttl`).
pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 3600);

#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
    pub ttl: Duration,
}

/// Why a link was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    Expired,
    BadSignature,
}

/// 32 bytes from the OS's secure random source (getrandom(2)), for a
/// link-signing key: a key drawn from a non-cryptographic generator could
/// be predicted from links seen.
pub fn secure_key() -> Result<Vec<u8>, String> {
    let mut key = vec![0u8; 32];
    getrandom::getrandom(&mut key)
        .map_err(|e| format!("cannot draw a signing key from the OS: {e}"))?;
    Ok(key)
}

impl Signer {
    pub fn new(key: Vec<u8>, ttl: Duration) -> Signer {
        Signer { key, ttl }
    }

    /// How long a link signed now works.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A signer with a fresh key from the OS's secure random source.
    pub fn random(ttl: Duration) -> Result<Signer, String> {
        Ok(Signer::new(secure_key()?, ttl))
    }

    fn mac(&self, path: &str, expires: u64) -> String {
        // new_from_slice accepts keys of any length for HMAC
        let mut mac = match HmacSha256::new_from_slice(&self.key) {
            Ok(m) => m,
            Err(_) => return String::new(),
        };
        mac.update(path.as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// The query string (`expires=…&signature=…`) that makes `path` valid
    /// until now + ttl.
    pub fn sign(&self, path: &str, now: SystemTime) -> String {
        let expires = unix(now) + self.ttl.as_secs();
        format!("expires={expires}&signature={}", self.mac(path, expires))
    }

    /// Checks the expiry and signature of a request for `path`.
    pub fn verify(
        &self,
        path: &str,
        expires: Option<&str>,
        signature: Option<&str>,
        now: SystemTime,
    ) -> Result<(), LinkError> {
        let (Some(expires), Some(signature)) = (expires, signature) else {
            return Err(LinkError::BadSignature);
        };
        let exp: u64 = expires.parse().map_err(|_| LinkError::BadSignature)?;
        let want = self.mac(path, exp);
        if !constant_time_eq(want.as_bytes(), signature.as_bytes()) {
            return Err(LinkError::BadSignature);
        }
        if unix(now) >= exp {
            return Err(LinkError::Expired);
        }
        Ok(())
    }
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(q: &str) -> (String, String) {
        let mut e = String::new();
        let mut s = String::new();
        for kv in q.split('&') {
            if let Some(v) = kv.strip_prefix("expires=") {
                e = v.into();
            }
            if let Some(v) = kv.strip_prefix("signature=") {
                s = v.into();
            }
        }
        (e, s)
    }

    #[test]
    fn valid_altered_and_expired_links() {
        let signer = Signer::new(b"k".to_vec(), Duration::from_secs(60));
        let now = SystemTime::now();
        let (e, s) = parts(&signer.sign("/v1/files/a/original", now));
        assert_eq!(
            signer.verify("/v1/files/a/original", Some(&e), Some(&s), now),
            Ok(())
        );
        assert_eq!(
            signer.verify("/v1/files/b/original", Some(&e), Some(&s), now),
            Err(LinkError::BadSignature)
        );
        let later = now + Duration::from_secs(61);
        assert_eq!(
            signer.verify("/v1/files/a/original", Some(&e), Some(&s), later),
            Err(LinkError::Expired)
        );
        let pushed = (e.parse::<u64>().unwrap() + 1000).to_string();
        assert_eq!(
            signer.verify("/v1/files/a/original", Some(&pushed), Some(&s), now),
            Err(LinkError::BadSignature)
        );
    }
}
