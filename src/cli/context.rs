//! From flags, environment and config file to a ready client.

use super::args::GlobalArgs;
use super::CliError;
use crate::api::{Client, ClientOptions};
use crate::config::{self, Credentials, Overrides, Resolved};
use crate::provider::ProviderKind;
pub use crate::provider::Service;

pub struct Context {
    pub service: Service,
    /// What the browser's bar calls this library: "demo library" or the
    /// API host with where the credentials come from (never their value).
    pub label: String,
    /// The in-process demo server, kept alive while the command runs.
    _demo: Option<Demo>,
}

/// A built-in demo server, running in this process.
enum Demo {
    Scenario(crate::server::Running),
    TwelveLabs(crate::server::twelvelabs::Running),
}

impl Demo {
    fn base_url(&self) -> &str {
        match self {
            Demo::Scenario(r) => &r.base_url,
            Demo::TwelveLabs(r) => &r.base_url,
        }
    }
}

impl Context {
    pub fn provider(&self) -> ProviderKind {
        self.service.provider()
    }

    /// The Scenario client, for what only Scenario does (`what` names the
    /// command in the error).
    pub fn scenario(&self, what: &str) -> Result<&Client, CliError> {
        match &self.service {
            Service::Scenario(c) => Ok(c),
            Service::TwelveLabs(_) => Err(CliError::Usage(format!(
                "{what} is not available on TwelveLabs (it is a Scenario feature)"
            ))),
        }
    }
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
        provider: global.provider,
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
    connect_resolved(global, resolved, true).await
}

/// Whether these settings mean the built-in demo library: `--demo`, or no
/// credentials and no explicit base URL.
pub fn uses_demo(global: &GlobalArgs, resolved: &Resolved) -> bool {
    global.demo
        || (matches!(resolved.credentials, Credentials::None) && !resolved.base_url_explicit)
}

/// [`connect`] with settings already resolved; `announce` says on stderr
/// that the demo library is used (the browser shows it in its bar
/// instead).
pub async fn connect_resolved(
    global: &GlobalArgs,
    resolved: Resolved,
    announce: bool,
) -> Result<Context, CliError> {
    if resolved.provider == ProviderKind::TwelveLabs {
        return connect_twelvelabs(global, resolved, announce).await;
    }
    if uses_demo(global, &resolved) {
        if !global.demo && announce {
            eprintln!(
                "assetui: no credentials configured: using the built-in demo library \
                 (set SCENARIO_SDK_API_KEY/SECRET or run `assetui login` for your account)"
            );
        }
        let demo = crate::server::start(crate::server::ServerConfig::default())
            .await
            .map_err(CliError::Failed)?;
        let demo = Demo::Scenario(demo);
        let client = Client::new(ClientOptions::new(demo.base_url()))?;
        return Ok(Context {
            service: Service::Scenario(client),
            label: "demo library".into(),
            _demo: Some(demo),
        });
    }
    tracing::debug!(base = %resolved.base_url, source = %resolved.source, "connecting");
    let options = ClientOptions::new(resolved.base_url.clone())
        .authorization(resolved.credentials.authorization_header());
    let client = Client::new(options)?;
    Ok(Context {
        service: Service::Scenario(client),
        label: label(&resolved),
        _demo: None,
    })
}

/// The bar's label for a configured service: its host and where the
/// credentials come from.
fn label(resolved: &Resolved) -> String {
    let host = url::Url::parse(&resolved.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| resolved.base_url.clone());
    crate::sanitize::line(&format!("{host} · {}", short_source(&resolved.source)), 80)
}

/// [`connect_resolved`] for TwelveLabs: its client, or its built-in demo
/// library when no key is configured.
async fn connect_twelvelabs(
    global: &GlobalArgs,
    resolved: Resolved,
    announce: bool,
) -> Result<Context, CliError> {
    use assetui_twelvelabs as tl;
    let tl_error = |e: tl::Error| CliError::Failed(e.to_string());
    if uses_demo(global, &resolved) {
        if !global.demo && announce {
            eprintln!(
                "assetui: no TwelveLabs key configured: using the built-in TwelveLabs demo \
                 library (set TWELVE_LABS_API_KEY or run `assetui login --provider twelvelabs`)"
            );
        }
        let demo = crate::server::twelvelabs::start(crate::server::twelvelabs::TlConfig::default())
            .await
            .map_err(CliError::Failed)?;
        let demo = Demo::TwelveLabs(demo);
        let client = tl::Client::new(tl::ClientOptions::new(demo.base_url())).map_err(tl_error)?;
        return Ok(Context {
            service: Service::TwelveLabs(client),
            label: "TwelveLabs demo library".into(),
            _demo: Some(demo),
        });
    }
    let key = match &resolved.credentials {
        Credentials::ApiKey { key } => Some(key.clone()),
        _ => None,
    };
    tracing::debug!(base = %resolved.base_url, source = %resolved.source, "connecting to TwelveLabs");
    let client = tl::Client::new(tl::ClientOptions::new(resolved.base_url.clone()).api_key(key))
        .map_err(tl_error)?;
    Ok(Context {
        service: Service::TwelveLabs(client),
        label: label(&resolved),
        _demo: None,
    })
}

/// Where the credentials come from, in a few words for the browser's bar.
fn short_source(source: &config::CredentialSource) -> String {
    match source {
        config::CredentialSource::Flags => "flags".into(),
        config::CredentialSource::Environment { .. }
        | config::CredentialSource::TwelveLabsEnvironment => "env".into(),
        config::CredentialSource::ConfigFile { profile, .. } => format!("profile {profile}"),
        config::CredentialSource::None => "no credentials".into(),
    }
}
