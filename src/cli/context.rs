//! From flags, environment and config file to a ready client.

use super::args::GlobalArgs;
use super::CliError;
use crate::api::{Client, ClientOptions};
use crate::config::{self, Credentials, Overrides, Resolved};

pub struct Context {
    pub client: Client,
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

pub fn connect(global: &GlobalArgs) -> Result<Context, CliError> {
    let resolved = settings(global)?;
    if matches!(resolved.credentials, Credentials::None) && !resolved.base_url_explicit {
        return Err(CliError::Failed(
            "no credentials: set SCENARIO_SDK_API_KEY and SCENARIO_SDK_API_SECRET (or SCENARIO_SDK_JWT), or run `assetui login`".into(),
        ));
    }
    tracing::debug!(base = %resolved.base_url, source = %resolved.source, "connecting");
    let options = ClientOptions::new(resolved.base_url.clone())
        .authorization(resolved.credentials.authorization_header());
    let client = Client::new(options)?;
    Ok(Context { client })
}
