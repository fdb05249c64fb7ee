//! Credentials and where they came from.

use std::fmt;
use std::path::PathBuf;

use base64::Engine as _;

/// API credentials. `Debug` never shows the secret parts.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Credentials {
    /// Nothing configured: the application runs in demo mode.
    #[default]
    None,
    /// API key and secret, sent as HTTP Basic authentication.
    Basic {
        /// The API key (Basic auth user name).
        key: String,
        /// The API secret (Basic auth password).
        secret: String,
    },
    /// A bearer token (JWT).
    Bearer {
        /// The token.
        token: String,
    },
    /// One API key, sent in a header of its own (TwelveLabs' `x-api-key`).
    ApiKey {
        /// The key.
        key: String,
    },
}

const REDACTED: &str = "(redacted)";

impl Credentials {
    /// `true` for [`Credentials::None`].
    pub fn is_none(&self) -> bool {
        matches!(self, Credentials::None)
    }

    /// The value of the `Authorization` header: `Basic base64(key:secret)` or
    /// `Bearer token`; `None` when there are no credentials.
    pub fn authorization_header(&self) -> Option<String> {
        match self {
            Credentials::None => None,
            Credentials::Basic { key, secret } => {
                let encoded =
                    base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"));
                Some(format!("Basic {encoded}"))
            }
            Credentials::Bearer { token } => Some(format!("Bearer {token}")),
            Credentials::ApiKey { .. } => None,
        }
    }
}

/// Shows at most the first two characters of a key, and only if the key is
/// long enough for that to reveal little.
fn redact_key(key: &str) -> String {
    if key.chars().count() <= 8 {
        return REDACTED.to_owned();
    }
    let prefix: String = key.chars().take(2).collect();
    format!("{prefix}…{REDACTED}")
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::None => f.write_str("None"),
            Credentials::Basic { key, .. } => f
                .debug_struct("Basic")
                .field("key", &redact_key(key))
                .field("secret", &REDACTED)
                .finish(),
            Credentials::Bearer { .. } => {
                f.debug_struct("Bearer").field("token", &REDACTED).finish()
            }
            Credentials::ApiKey { key } => f
                .debug_struct("ApiKey")
                .field("key", &redact_key(key))
                .finish(),
        }
    }
}

/// Which configuration level supplied the credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// `--api-key` / `--api-secret`.
    Flags,
    /// The SDK environment variables; `jwt` tells whether the token variable
    /// ([`super::ENV_JWT`]) was used rather than key/secret.
    Environment {
        /// `true` if the credentials are the bearer token from the environment.
        jwt: bool,
    },
    /// `TWELVE_LABS_API_KEY`.
    TwelveLabsEnvironment,
    /// A profile of the config file.
    ConfigFile {
        /// The config file.
        path: PathBuf,
        /// The profile used.
        profile: String,
    },
    /// Nothing: demo mode.
    None,
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::Flags => f.write_str("command-line flags"),
            CredentialSource::Environment { jwt: false } => {
                f.write_str("environment (SCENARIO_SDK_API_KEY/SECRET)")
            }
            CredentialSource::TwelveLabsEnvironment => {
                f.write_str("environment (TWELVE_LABS_API_KEY)")
            }
            CredentialSource::Environment { jwt: true } => {
                f.write_str("environment (SCENARIO_SDK_JWT)")
            }
            CredentialSource::ConfigFile { path, profile } => {
                write!(f, "config file {} (profile \"{profile}\")", path.display())
            }
            CredentialSource::None => f.write_str("none (demo mode)"),
        }
    }
}
