//! From flags, environment and config file to a ready client.

use super::args::GlobalArgs;
use super::CliError;
use crate::api::{Client, ClientOptions};
use crate::config::{self, Credentials, Overrides, Resolved};

pub struct Context {
    pub client: Client,
    /// The in-process demo server, kept alive while the command runs.
    _demo: Option<crate::server::Running>,
}

/// Resolves the settings (printing config warnings on stderr) without
/// connecting.
pub fn settings(global: &GlobalArgs) -> Result<Resolved, CliError> {
    let loaded = match config::default_config_path() {
        Some(path) => config::load(&path)?,
        None => None,
    };
    let overrides = Overrides {
        base_url: global.base_url.clone(),
        api_key: global.api_key.clone(),
        api_secret: global.api_secret.clone(),
        profile: global.profile.clone(),
    };
    let resolved = config::resolve(&overrides, |k| std::env::var(k).ok(), loaded.as_ref())?;
    for w in &resolved.warnings {
        eprintln!("assetui: {w}");
    }
    Ok(resolved)
}

/// A client for the configured service, or for the built-in demo library
/// (started in-process) with `--demo` or when nothing is configured.
pub async fn connect(global: &GlobalArgs) -> Result<Context, CliError> {
    let resolved = settings(global)?;
    if global.demo
        || (matches!(resolved.credentials, Credentials::None) && !resolved.base_url_explicit)
    {
        if !global.demo {
            eprintln!(
                "assetui: no credentials configured: using the built-in demo library \
                 (set SCENARIO_SDK_API_KEY/SECRET or run `assetui login` for your account)"
            );
        }
        let demo = crate::server::start(crate::server::ServerConfig::default())
            .await
            .map_err(CliError::Failed)?;
        let client = Client::new(ClientOptions::new(demo.base_url.clone()))?;
        return Ok(Context {
            client,
            _demo: Some(demo),
        });
    }
    tracing::debug!(base = %resolved.base_url, source = %resolved.source, "connecting");
    let options = ClientOptions::new(resolved.base_url.clone())
        .authorization(resolved.credentials.authorization_header());
    let client = Client::new(options)?;
    Ok(Context {
        client,
        _demo: None,
    })
}
