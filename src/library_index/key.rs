//! Which library an index entry belongs to: the provider, the base URL and
//! the profile. Never a credential: the base URL loses any user and
//! password, query and fragment before it is kept or hashed, and the file
//! holds only a hash of the tuple as its key (the readable parts are kept
//! beside it for `assetui cache info`).

use sha2::{Digest, Sha256};

/// One library: the service, where it is, and the profile it was reached
/// through (empty when none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LibraryKey {
    pub provider: String,
    pub base_url: String,
    pub profile: String,
}

impl LibraryKey {
    /// The key for a provider's name, a base URL (cleaned: see
    /// [`clean_url`]) and a profile.
    pub fn new(provider: &str, base_url: &str, profile: Option<&str>) -> LibraryKey {
        LibraryKey {
            provider: provider.to_string(),
            base_url: clean_url(base_url),
            profile: profile.unwrap_or_default().to_string(),
        }
    }

    /// The hash the database keys the library by (hex, 32 characters).
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        for part in [&self.provider, &self.base_url, &self.profile] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        let digest = h.finalize();
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The base URL without what could be a secret: user, password, query and
/// fragment; a text that is not a URL is kept only up to its first `@`,
/// `?` or `#`.
pub fn clean_url(base_url: &str) -> String {
    match url::Url::parse(base_url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.as_str().trim_end_matches('/').to_string()
        }
        Err(_) => base_url
            .split(['@', '?', '#'])
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_loses_credentials_and_the_hash_tells_libraries_apart() {
        let k = LibraryKey::new(
            "scenario",
            "https://user:secret@api.example.com/v1/?token=abc#x",
            Some("work"),
        );
        assert_eq!(k.base_url, "https://api.example.com/v1");
        assert!(!format!("{k:?}").contains("secret"));
        let same = LibraryKey::new("scenario", "https://api.example.com/v1", Some("work"));
        assert_eq!(k.hash(), same.hash());
        assert_eq!(k.hash().len(), 32);
        let other = LibraryKey::new("scenario", "https://api.example.com/v1", None);
        assert_ne!(k.hash(), other.hash());
        let tl = LibraryKey::new("twelvelabs", "https://api.example.com/v1", Some("work"));
        assert_ne!(k.hash(), tl.hash());
        assert_eq!(clean_url("not a url?key=1"), "not a url");
    }
}
