//! From flags, environment and config file to a ready client.

use std::io::IsTerminal;

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
    /// What the user should hear about the demo's kept changes (reset,
    /// set aside, in memory only): on stderr for a command, in the
    /// browser's status bar and log.
    pub notices: Vec<Notice>,
}

/// One thing to tell the user on the way in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    /// Something went wrong (else it is news).
    pub warning: bool,
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

    /// Whether this is the built-in demo library (its links die with the
    /// process).
    pub fn is_demo(&self) -> bool {
        self._demo.is_some()
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
    let ctx = connect_resolved(global, resolved, true).await?;
    for n in &ctx.notices {
        let level = if n.warning { "warning: " } else { "" };
        eprintln!("assetui: {level}{}", super::output::error_line(&n.text));
    }
    Ok(ctx)
}

/// Whether these settings mean the built-in demo library: `--demo` or
/// `--demo-reset`, or no credentials and no explicit base URL.
pub fn uses_demo(global: &GlobalArgs, resolved: &Resolved) -> bool {
    global.demo
        || global.demo_reset
        || (matches!(resolved.credentials, Credentials::None) && !resolved.base_url_explicit)
}

/// Where a provider's demo library keeps its changes:
/// `$XDG_DATA_HOME/assetui/demo/scenario` (or `…/twelvelabs`).
pub fn demo_dir(provider: ProviderKind) -> Option<std::path::PathBuf> {
    let name = match provider {
        ProviderKind::Scenario => "scenario",
        ProviderKind::TwelveLabs => "twelvelabs",
    };
    crate::dirs::data_dir().map(|d| d.join("demo").join(name))
}

/// The demo's data directory for this run (after `--demo-reset` emptied
/// it), and what to say about it.
fn prepare_demo_dir(
    global: &GlobalArgs,
    provider: ProviderKind,
) -> Result<(Option<std::path::PathBuf>, Vec<Notice>), CliError> {
    let mut notices = Vec::new();
    let Some(dir) = demo_dir(provider) else {
        notices.push(Notice {
            text: "the demo library keeps its changes in memory only this time: no HOME or \
                   XDG_DATA_HOME to keep them in"
                .into(),
            warning: true,
        });
        return Ok((None, notices));
    };
    if global.demo_reset {
        let text = match std::fs::remove_dir_all(&dir) {
            Ok(()) => format!(
                "demo library reset: the changes kept in {} are gone",
                dir.display()
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                "demo library reset: it had kept no changes".to_string()
            }
            Err(e) => {
                return Err(CliError::Failed(format!(
                    "cannot reset the demo library in {}: {e}",
                    dir.display()
                )))
            }
        };
        notices.push(Notice {
            text,
            warning: false,
        });
    }
    Ok((Some(dir), notices))
}

/// The server's word on its data directory, as a notice.
fn data_notice(notice: Option<&String>) -> Option<Notice> {
    notice.map(|text| Notice {
        text: format!("demo library: {text}"),
        warning: true,
    })
}

/// [`connect`] with settings already resolved; `announce` says on a
/// terminal's stderr that the demo library is used (the browser shows it
/// in its bar instead; a script's stderr keeps to its one error line).
pub async fn connect_resolved(
    global: &GlobalArgs,
    resolved: Resolved,
    announce: bool,
) -> Result<Context, CliError> {
    if resolved.provider == ProviderKind::TwelveLabs {
        return connect_twelvelabs(global, resolved, announce).await;
    }
    if uses_demo(global, &resolved) {
        if !global.demo && announce && std::io::stderr().is_terminal() {
            eprintln!(
                "assetui: no credentials configured: using the built-in demo library \
                 (set SCENARIO_SDK_API_KEY/SECRET or run `assetui login` for your account)"
            );
        }
        let (data_dir, mut notices) = prepare_demo_dir(global, ProviderKind::Scenario)?;
        let demo = crate::server::start(crate::server::ServerConfig {
            data_dir,
            on_bad_data: crate::server::OnBadData::Recover,
            ..crate::server::ServerConfig::default()
        })
        .await
        .map_err(CliError::Failed)?;
        notices.extend(data_notice(demo.state.data_notice.as_ref()));
        let demo = Demo::Scenario(demo);
        let client = Client::new(ClientOptions::new(demo.base_url()))?;
        return Ok(Context {
            service: Service::Scenario(client),
            label: "demo library".into(),
            _demo: Some(demo),
            notices,
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
        notices: Vec::new(),
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
        if !global.demo && announce && std::io::stderr().is_terminal() {
            eprintln!(
                "assetui: no TwelveLabs key configured: using the built-in TwelveLabs demo \
                 library (set TWELVE_LABS_API_KEY or run `assetui login --provider twelvelabs`)"
            );
        }
        let (data_dir, mut notices) = prepare_demo_dir(global, ProviderKind::TwelveLabs)?;
        let demo = crate::server::twelvelabs::start(crate::server::twelvelabs::TlConfig {
            data_dir,
            on_bad_data: crate::server::OnBadData::Recover,
            ..crate::server::twelvelabs::TlConfig::default()
        })
        .await
        .map_err(CliError::Failed)?;
        notices.extend(data_notice(demo.state.data_notice.as_ref()));
        let demo = Demo::TwelveLabs(demo);
        let client = tl::Client::new(tl_options(demo.base_url())).map_err(tl_error)?;
        return Ok(Context {
            service: Service::TwelveLabs(client),
            label: "TwelveLabs demo library".into(),
            _demo: Some(demo),
            notices,
        });
    }
    let key = match &resolved.credentials {
        Credentials::ApiKey { key } => Some(key.clone()),
        _ => None,
    };
    tracing::debug!(base = %resolved.base_url, source = %resolved.source, "connecting to TwelveLabs");
    let client =
        tl::Client::new(tl_options(resolved.base_url.clone()).api_key(key)).map_err(tl_error)?;
    Ok(Context {
        service: Service::TwelveLabs(client),
        label: label(&resolved),
        _demo: None,
        notices: Vec::new(),
    })
}

/// The TwelveLabs client's options for `base`, with the multipart
/// threshold of [`crate::download::upload_twelvelabs::DIRECT_MAX_ENV`] when set.
fn tl_options(base: impl Into<String>) -> assetui_twelvelabs::ClientOptions {
    let mut options = assetui_twelvelabs::ClientOptions::new(base);
    if let Some(max) = crate::download::upload_twelvelabs::direct_max_from_env() {
        options.chunks.direct_max = max;
    }
    options
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
