//! Configuration and credentials.
//!
//! Where the API base URL and credentials come from, highest priority first:
//!
//! 1. command-line flags ([`Overrides`]);
//! 2. the environment variables the official Scenario SDKs read
//!    ([`ENV_BASE_URL`], [`ENV_API_KEY`] + [`ENV_API_SECRET`], [`ENV_JWT`]);
//! 3. a profile of the config file ([`default_config_path`], normally
//!    `$XDG_CONFIG_HOME/assetui/config.toml` or
//!    `$HOME/.config/assetui/config.toml`), chosen by `--profile NAME`, else
//!    the file's `default_profile`, else a profile named `default`.
//!
//! Credentials are taken from one level as a whole: a key from the flags is
//! never combined with a secret from the file. A level that sets only half of
//! a key/secret pair is an error; if no level sets anything the result is
//! [`Credentials::None`] (the application then runs its built-in demo
//! server). The base URL is chosen independently, with the same order.
//!
//! ```toml
//! default_profile = "work"          # optional
//! [profiles.work]
//! api_key = "..."
//! api_secret = "..."
//! # jwt = "..."                     # alternative to key/secret
//! # base_url = "https://..."        # optional
//! [profiles.video]
//! provider = "twelvelabs"           # scenario (the default) or twelvelabs
//! api_key = "..."                   # TwelveLabs: a key alone
//! ```
//!
//! The provider comes from `--provider` (or `ASSETUI_PROVIDER`), then the
//! profile's `provider`, else Scenario. TwelveLabs reads its own variables:
//! `TWELVE_LABS_API_KEY` and `TWELVELABS_BASE_URL`.
//!
//! [`resolve`] is pure: it takes the environment as a closure and the already
//! loaded file, so it can be tested without touching the process environment.
//! Nothing in this module ever puts a secret into an error message, a warning
//! or `Debug` output.

mod credentials;
mod error;
mod file;
mod resolve;
mod save;

pub use credentials::{CredentialSource, Credentials};
pub use error::ConfigError;
pub use file::{
    config_path_from_env, default_config_path, load, Config, Downloads as DownloadSettings,
    KeyList, LoadedConfig, Profile,
};
pub use resolve::{resolve, Overrides, Resolved, TWELVELABS_PROFILE};
pub use save::{save_credentials, save_setting, save_twelvelabs_key};

/// Environment variable holding the API base URL (read by the official SDKs).
pub const ENV_BASE_URL: &str = "SCENARIO_BASE_URL";
/// Environment variable holding the API key (Basic auth user name).
pub const ENV_API_KEY: &str = "SCENARIO_SDK_API_KEY";
/// Environment variable holding the API secret (Basic auth password).
pub const ENV_API_SECRET: &str = "SCENARIO_SDK_API_SECRET";
/// Environment variable holding a bearer token (alternative to key/secret).
pub const ENV_JWT: &str = "SCENARIO_SDK_JWT";
/// Base URL used when nothing else configures one.
pub const DEFAULT_BASE_URL: &str = "https://api.cloud.scenario.com/v1";
/// TwelveLabs: the API key's variable (the name TwelveLabs documents).
pub const ENV_TWELVELABS_API_KEY: &str = assetui_twelvelabs::API_KEY_ENV;
/// TwelveLabs: the base URL's variable (the one its SDK reads).
pub const ENV_TWELVELABS_BASE_URL: &str = assetui_twelvelabs::BASE_URL_ENV;
/// TwelveLabs: the base URL when nothing else configures one.
pub const TWELVELABS_BASE_URL: &str = assetui_twelvelabs::DEFAULT_BASE_URL;
