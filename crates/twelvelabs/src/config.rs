//! Where the key and the base URL come from: `TWELVE_LABS_API_KEY` (the
//! name TwelveLabs documents; the Python SDK 1.3.6 does not read it) and
//! `TWELVELABS_BASE_URL` (non-empty wins over the default, as in the SDK).

use std::fmt;

use crate::client::ClientOptions;

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.twelvelabs.io/v1.3";
/// The variable holding the API key.
pub const API_KEY_ENV: &str = "TWELVE_LABS_API_KEY";
/// The variable holding the base URL.
pub const BASE_URL_ENV: &str = "TWELVELABS_BASE_URL";

/// A key and a base URL. `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    pub api_key: Option<String>,
    pub base_url: String,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("api_key", &self.api_key.as_ref().map(|_| "(redacted)"))
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            api_key: None,
            base_url: DEFAULT_BASE_URL.to_string(),
        }
    }
}

impl Config {
    /// From the process environment.
    pub fn from_env() -> Config {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// From any variable lookup (tests pass a map, not the environment).
    /// Empty or blank values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Config {
        let non_empty = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        Config {
            api_key: non_empty(API_KEY_ENV),
            base_url: non_empty(BASE_URL_ENV).unwrap_or_else(|| DEFAULT_BASE_URL.to_string()),
        }
    }

    /// Explicit values (a flag, a profile) over these; empty ones ignored.
    pub fn with_overrides(mut self, api_key: Option<&str>, base_url: Option<&str>) -> Config {
        if let Some(k) = api_key.map(str::trim).filter(|k| !k.is_empty()) {
            self.api_key = Some(k.to_string());
        }
        if let Some(u) = base_url.map(str::trim).filter(|u| !u.is_empty()) {
            self.base_url = u.to_string();
        }
        self
    }

    /// Client options for this key and base URL, with default limits.
    pub fn options(&self) -> ClientOptions {
        ClientOptions::new(self.base_url.clone()).api_key(self.api_key.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn key_and_base_url_from_the_variables() {
        let c = Config::from_lookup(lookup(&[
            ("TWELVE_LABS_API_KEY", "tlk_123"),
            ("TWELVELABS_BASE_URL", "http://127.0.0.1:9/v1.3"),
        ]));
        assert_eq!(c.api_key.as_deref(), Some("tlk_123"));
        assert_eq!(c.base_url, "http://127.0.0.1:9/v1.3");
        assert!(!format!("{c:?}").contains("tlk_123"));
    }

    #[test]
    fn empty_values_fall_back_to_the_default() {
        let c = Config::from_lookup(lookup(&[
            ("TWELVE_LABS_API_KEY", ""),
            ("TWELVELABS_BASE_URL", "  "),
        ]));
        assert_eq!(c, Config::default());
        assert_eq!(c.base_url, DEFAULT_BASE_URL);
        let c = c.with_overrides(Some("k"), Some(""));
        assert_eq!(c.api_key.as_deref(), Some("k"));
        assert_eq!(c.base_url, DEFAULT_BASE_URL);
    }
}
