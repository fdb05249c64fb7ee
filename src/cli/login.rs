//! `assetui login`: asks for an API key and secret, checks them against
//! the service, and saves them to the config file (0600 in a 0700
//! directory).

use std::io::{self, BufRead, IsTerminal, Write};

use super::args::GlobalArgs;
use super::CliError;
use crate::api::params::ListAssetsQuery;
use crate::api::{Client, ClientOptions};
use crate::config::{self, Credentials};

pub async fn run(global: &GlobalArgs) -> Result<(), CliError> {
    let path = config::default_config_path().ok_or_else(|| {
        CliError::Failed("cannot find a config directory: set XDG_CONFIG_HOME or HOME".into())
    })?;
    if global.provider == Some(crate::provider::ProviderKind::TwelveLabs) {
        return twelvelabs(global, &path).await;
    }
    let profile = global.profile.clone().unwrap_or_else(|| "default".into());
    let interactive = io::stdin().is_terminal();
    if interactive {
        eprintln!("Create an API key in Scenario (Settings → API keys), then paste it here.");
    }
    let key = match &global.api_key {
        Some(k) => k.clone(),
        None => prompt("API key: ", false)?,
    };
    let secret = match &global.api_secret {
        Some(s) => s.clone(),
        None => prompt("API secret: ", interactive)?,
    };
    if key.is_empty() || secret.is_empty() {
        return Err(CliError::Usage(
            "both an API key and an API secret are needed".into(),
        ));
    }
    let base_url = global
        .base_url
        .clone()
        .or_else(|| std::env::var(config::ENV_BASE_URL).ok())
        .unwrap_or_else(|| config::DEFAULT_BASE_URL.to_string());
    let credentials = Credentials::Basic {
        key: key.clone(),
        secret: secret.clone(),
    };
    let client = Client::new(
        ClientOptions::new(base_url).authorization(credentials.authorization_header()),
    )?;
    eprint!("Checking the credentials… ");
    let probe = ListAssetsQuery {
        page_size: Some(1),
        ..ListAssetsQuery::default()
    };
    match client.list_assets_page(&probe).await {
        Ok(_) => eprintln!("ok"),
        Err(e) => {
            eprintln!("failed");
            return Err(CliError::Failed(format!("not saved: {e}")));
        }
    }
    config::save_credentials(&path, &profile, &key, &secret)?;
    eprintln!(
        "Saved profile \"{}\" to {}",
        crate::sanitize::line(&profile, 80),
        path.display()
    );
    Ok(())
}

/// `login --provider twelvelabs`: asks for the key alone, checks it, and
/// saves it to the profile `twelvelabs` (or `--profile`) with
/// `provider = "twelvelabs"`.
async fn twelvelabs(global: &GlobalArgs, path: &std::path::Path) -> Result<(), CliError> {
    use assetui_twelvelabs as tl;
    let profile = global
        .profile
        .clone()
        .unwrap_or_else(|| config::TWELVELABS_PROFILE.into());
    let interactive = io::stdin().is_terminal();
    if interactive {
        eprintln!(
            "Copy your API key from the TwelveLabs dashboard (API keys), then paste it here."
        );
    }
    let key = match &global.api_key {
        Some(k) => k.clone(),
        None => prompt("API key: ", interactive)?,
    };
    if key.trim().is_empty() {
        return Err(CliError::Usage("an API key is needed".into()));
    }
    let base_url = global
        .base_url
        .clone()
        .or_else(|| std::env::var(config::ENV_TWELVELABS_BASE_URL).ok())
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| config::TWELVELABS_BASE_URL.to_string());
    let client = tl::Client::new(tl::ClientOptions::new(base_url).api_key(Some(key.clone())))
        .map_err(|e| CliError::Failed(e.to_string()))?;
    eprint!("Checking the key… ");
    let probe = tl::assets::ListAssets {
        page_limit: Some(1),
        ..Default::default()
    };
    match client.list_assets(&probe).await {
        Ok(_) => eprintln!("ok"),
        Err(e) => {
            eprintln!("failed");
            return Err(CliError::Failed(format!("not saved: {e}")));
        }
    }
    config::save_twelvelabs_key(path, &profile, &key)?;
    eprintln!(
        "Saved profile \"{}\" to {} (assetui --provider twelvelabs uses it)",
        crate::sanitize::line(&profile, 80),
        path.display()
    );
    Ok(())
}

/// Reads one line from the terminal (hidden when `secret`), or from stdin
/// when it is not a terminal (scripts pipe the values in).
fn prompt(label: &str, secret: bool) -> Result<String, CliError> {
    if secret {
        let value = rpassword::prompt_password(label)
            .map_err(|e| CliError::Failed(format!("cannot read the secret: {e}")))?;
        return Ok(value.trim().to_string());
    }
    if io::stdin().is_terminal() {
        eprint!("{label}");
        io::stderr().flush()?;
    }
    let mut line = String::new();
    io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_string())
}
