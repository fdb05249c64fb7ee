//! Combining flags, environment and config file into the settings to use.

use std::fmt;
use std::path::Path;

use super::{
    ConfigError, CredentialSource, Credentials, LoadedConfig, Profile, DEFAULT_BASE_URL,
    ENV_API_KEY, ENV_API_SECRET, ENV_BASE_URL, ENV_JWT, ENV_TWELVELABS_API_KEY,
    ENV_TWELVELABS_BASE_URL, TWELVELABS_BASE_URL,
};
use crate::provider::ProviderKind;

/// What the command-line flags gave. `Debug` never shows the secret.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--base-url`.
    pub base_url: Option<String>,
    /// `--api-key`.
    pub api_key: Option<String>,
    /// `--api-secret`.
    pub api_secret: Option<String>,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--provider` (or `ASSETUI_PROVIDER`).
    pub provider: Option<ProviderKind>,
}

impl fmt::Debug for Overrides {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |v: &Option<String>| if v.is_some() { "(set)" } else { "(unset)" };
        f.debug_struct("Overrides")
            .field("base_url", &self.base_url)
            .field("api_key", &set(&self.api_key))
            .field("api_secret", &set(&self.api_secret))
            .field("profile", &self.profile)
            .field("provider", &self.provider)
            .finish()
    }
}

/// The settings to use, with where the credentials came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The service the settings are for.
    pub provider: ProviderKind,
    /// API base URL, validated, without a trailing `/`.
    pub base_url: String,
    /// `false` if `base_url` is [`DEFAULT_BASE_URL`] because nothing set it.
    pub base_url_explicit: bool,
    /// The credentials ([`Credentials::None`] means demo mode).
    pub credentials: Credentials,
    /// Where `credentials` came from.
    pub source: CredentialSource,
    /// The config-file profile that was selected (by `--profile`, the file's
    /// `default_profile`, or because a profile named `default` exists), even
    /// if the credentials came from a higher level.
    pub profile: Option<String>,
    /// Lines to show the user, each starting with `warning: `. Includes the
    /// warnings of the [`LoadedConfig`], so callers need print only these.
    pub warnings: Vec<String>,
}

/// Decides the base URL and credentials; see the [module docs](super) for the
/// order. `env` reads an environment variable (pass
/// `|k| std::env::var(k).ok()` in the application); empty values count as
/// unset, and surrounding whitespace is ignored. `file` is the loaded config
/// file, if any.
///
/// Errors: a `--profile` (or `default_profile`) naming a profile the file does
/// not have; a level with a key but no secret (or the reverse); an invalid
/// base URL. Having no credentials at all is not an error.
pub fn resolve(
    overrides: &Overrides,
    env: impl Fn(&str) -> Option<String>,
    file: Option<&LoadedConfig>,
) -> Result<Resolved, ConfigError> {
    let env = |name: &str| non_empty(env(name).as_deref());
    let mut warnings: Vec<String> = file.map(|f| f.warnings.clone()).unwrap_or_default();
    let selected = select_profile(overrides.profile.as_deref(), file)?;
    let provider = match (overrides.provider, &selected) {
        (Some(p), _) => p,
        (None, Some(sel)) => match non_empty(sel.profile.provider.as_deref()) {
            Some(p) => p.parse().map_err(|reason| ConfigError::InvalidProvider {
                origin: file_origin(sel),
                reason,
            })?,
            None => ProviderKind::Scenario,
        },
        (None, None) => ProviderKind::Scenario,
    };
    if provider == ProviderKind::TwelveLabs {
        let selected = twelvelabs_profile(overrides, selected, file);
        return resolve_twelvelabs(overrides, &env, selected, warnings);
    }

    // Credentials: the first level that sets anything provides all of them.
    let flags = pick_credentials(
        non_empty(overrides.api_key.as_deref()),
        non_empty(overrides.api_secret.as_deref()),
        None,
        ("--api-key", "--api-secret", ""),
        "command-line flags",
        &mut warnings,
    )?;
    let (credentials, source) = if let Some(c) = flags {
        (c, CredentialSource::Flags)
    } else if let Some(c) = pick_credentials(
        env(ENV_API_KEY),
        env(ENV_API_SECRET),
        env(ENV_JWT),
        (ENV_API_KEY, ENV_API_SECRET, ENV_JWT),
        "environment",
        &mut warnings,
    )? {
        let jwt = matches!(c, Credentials::Bearer { .. });
        (c, CredentialSource::Environment { jwt })
    } else if let Some(sel) = &selected {
        let origin = file_origin(sel);
        match pick_credentials(
            non_empty(sel.profile.api_key.as_deref()),
            non_empty(sel.profile.api_secret.as_deref()),
            non_empty(sel.profile.jwt.as_deref()),
            ("api_key", "api_secret", "jwt"),
            &origin,
            &mut warnings,
        )? {
            Some(c) => (
                c,
                CredentialSource::ConfigFile {
                    path: sel.path.to_path_buf(),
                    profile: sel.name.to_owned(),
                },
            ),
            None => (Credentials::None, CredentialSource::None),
        }
    } else {
        (Credentials::None, CredentialSource::None)
    };

    // Base URL: chosen independently, same order.
    let (raw_url, url_origin, base_url_explicit) =
        if let Some(u) = non_empty(overrides.base_url.as_deref()) {
            (u, "--base-url".to_owned(), true)
        } else if let Some(u) = env(ENV_BASE_URL) {
            (u, ENV_BASE_URL.to_owned(), true)
        } else if let Some((sel, u)) = selected
            .as_ref()
            .and_then(|s| non_empty(s.profile.base_url.as_deref()).map(|u| (s, u)))
        {
            (u, file_origin(sel), true)
        } else {
            (DEFAULT_BASE_URL.to_owned(), "the default".to_owned(), false)
        };
    let (base_url, plain_http_remote) =
        normalize_base_url(&raw_url).map_err(|reason| ConfigError::InvalidBaseUrl {
            url: redact_userinfo(&raw_url),
            origin: url_origin.clone(),
            reason,
        })?;
    if plain_http_remote && !credentials.is_none() {
        warnings.push(format!(
            "warning: base URL {base_url} (from {url_origin}) uses plain http; \
             credentials will be sent unencrypted"
        ));
    }

    Ok(Resolved {
        provider,
        base_url,
        base_url_explicit,
        credentials,
        source,
        profile: selected.map(|s| s.name.to_owned()),
        warnings,
    })
}

/// The profile TwelveLabs' settings come from: the selected one when it is
/// a TwelveLabs profile; without `--profile`, the profile `twelvelabs`
/// (where `assetui login --provider twelvelabs` saves); never a Scenario
/// profile, whose key must not go to another service.
fn twelvelabs_profile<'a>(
    overrides: &Overrides,
    selected: Option<Selected<'a>>,
    file: Option<&'a LoadedConfig>,
) -> Option<Selected<'a>> {
    let is_twelvelabs = |p: &Profile| {
        non_empty(p.provider.as_deref()).and_then(|p| p.parse::<ProviderKind>().ok())
            == Some(ProviderKind::TwelveLabs)
    };
    if let Some(sel) = selected.filter(|s| is_twelvelabs(s.profile)) {
        return Some(sel);
    }
    if overrides.profile.is_some() {
        return None;
    }
    let f = file?;
    f.config
        .profiles
        .get_key_value(TWELVELABS_PROFILE)
        .filter(|(_, p)| is_twelvelabs(p))
        .map(|(name, profile)| Selected {
            name,
            profile,
            path: &f.path,
        })
}

/// Where `assetui login --provider twelvelabs` saves its key.
pub const TWELVELABS_PROFILE: &str = "twelvelabs";

/// [`resolve`] for TwelveLabs: one key (`--api-key`, then
/// `TWELVE_LABS_API_KEY`, then the profile's `api_key`) and its own base
/// URL (`--base-url`, `TWELVELABS_BASE_URL`, the profile, its default).
fn resolve_twelvelabs(
    overrides: &Overrides,
    env: &impl Fn(&str) -> Option<String>,
    selected: Option<Selected<'_>>,
    mut warnings: Vec<String>,
) -> Result<Resolved, ConfigError> {
    if non_empty(overrides.api_secret.as_deref()).is_some() {
        warnings.push("warning: --api-secret is ignored: TwelveLabs uses a key alone".into());
    }
    let (credentials, source) = if let Some(key) = non_empty(overrides.api_key.as_deref()) {
        (Credentials::ApiKey { key }, CredentialSource::Flags)
    } else if let Some(key) = env(ENV_TWELVELABS_API_KEY) {
        (
            Credentials::ApiKey { key },
            CredentialSource::TwelveLabsEnvironment,
        )
    } else if let Some((sel, key)) = selected
        .as_ref()
        .and_then(|s| non_empty(s.profile.api_key.as_deref()).map(|k| (s, k)))
    {
        (
            Credentials::ApiKey { key },
            CredentialSource::ConfigFile {
                path: sel.path.to_path_buf(),
                profile: sel.name.to_owned(),
            },
        )
    } else {
        (Credentials::None, CredentialSource::None)
    };
    let (raw_url, url_origin, base_url_explicit) =
        if let Some(u) = non_empty(overrides.base_url.as_deref()) {
            (u, "--base-url".to_owned(), true)
        } else if let Some(u) = env(ENV_TWELVELABS_BASE_URL) {
            (u, ENV_TWELVELABS_BASE_URL.to_owned(), true)
        } else if let Some((sel, u)) = selected
            .as_ref()
            .and_then(|s| non_empty(s.profile.base_url.as_deref()).map(|u| (s, u)))
        {
            (u, file_origin(sel), true)
        } else {
            (
                TWELVELABS_BASE_URL.to_owned(),
                "the default".to_owned(),
                false,
            )
        };
    let (base_url, plain_http_remote) =
        normalize_base_url(&raw_url).map_err(|reason| ConfigError::InvalidBaseUrl {
            url: redact_userinfo(&raw_url),
            origin: url_origin.clone(),
            reason,
        })?;
    if plain_http_remote && !credentials.is_none() {
        warnings.push(format!(
            "warning: base URL {base_url} (from {url_origin}) uses plain http; \
             the key will be sent unencrypted"
        ));
    }
    Ok(Resolved {
        provider: ProviderKind::TwelveLabs,
        base_url,
        base_url_explicit,
        credentials,
        source,
        profile: selected.map(|s| s.name.to_owned()),
        warnings,
    })
}

/// The profile chosen from the config file.
struct Selected<'a> {
    name: &'a str,
    profile: &'a Profile,
    path: &'a Path,
}

fn file_origin(sel: &Selected<'_>) -> String {
    format!(
        "config file {} (profile \"{}\")",
        sel.path.display(),
        sel.name
    )
}

fn select_profile<'a>(
    requested: Option<&'a str>,
    file: Option<&'a LoadedConfig>,
) -> Result<Option<Selected<'a>>, ConfigError> {
    let requested = requested.map(str::trim).filter(|s| !s.is_empty());
    let (name, from_default_profile) = match (requested, file) {
        (Some(name), _) => (name, false),
        (None, Some(f)) => match f.config.default_profile.as_deref() {
            Some(name) => (name, true),
            None => ("default", false),
        },
        (None, None) => return Ok(None),
    };
    let explicit = requested.is_some() || from_default_profile;
    let found = file.and_then(|f| {
        f.config.profiles.get(name).map(|profile| Selected {
            name,
            profile,
            path: &f.path,
        })
    });
    match found {
        Some(sel) => Ok(Some(sel)),
        None if explicit => Err(ConfigError::UnknownProfile {
            name: name.to_owned(),
            available: file.map(|f| f.config.profile_names()).unwrap_or_default(),
            path: file.map(|f| f.path.clone()),
            from_default_profile,
        }),
        None => Ok(None),
    }
}

/// Credentials from one level, or `None` if the level sets nothing.
/// `names` are the key, secret and token setting names for messages.
fn pick_credentials(
    key: Option<String>,
    secret: Option<String>,
    jwt: Option<String>,
    names: (&str, &str, &str),
    origin: &str,
    warnings: &mut Vec<String>,
) -> Result<Option<Credentials>, ConfigError> {
    let incomplete = |present: &str, missing: &str| ConfigError::IncompleteCredentials {
        origin: origin.to_owned(),
        present: present.to_owned(),
        missing: missing.to_owned(),
    };
    match (key, secret) {
        (Some(key), Some(secret)) => {
            if jwt.is_some() {
                warnings.push(format!(
                    "warning: {origin} sets both {}/{} and {}; using {}/{}",
                    names.0, names.1, names.2, names.0, names.1
                ));
            }
            Ok(Some(Credentials::Basic { key, secret }))
        }
        (Some(_), None) => Err(incomplete(names.0, names.1)),
        (None, Some(_)) => Err(incomplete(names.1, names.0)),
        (None, None) => Ok(jwt.map(|token| Credentials::Bearer { token })),
    }
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Validates a base URL and strips trailing slashes. Also reports whether it
/// is plain http to a host other than the local machine.
fn normalize_base_url(raw: &str) -> Result<(String, bool), String> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = url::Url::parse(trimmed).map_err(|e| e.to_string())?;
    let scheme = url.scheme();
    if scheme != "http" && scheme != "https" {
        return Err(format!("scheme must be http or https, not {scheme}"));
    }
    let Some(host) = url.host_str() else {
        return Err("missing host".to_owned());
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not contain a query (?) or fragment (#)".to_owned());
    }
    let local = host == "localhost"
        || host.ends_with(".localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    Ok((trimmed.to_owned(), scheme == "http" && !local))
}

/// Hides a `user:password@` part of a URL-like string.
fn redact_userinfo(raw: &str) -> String {
    let raw = raw.trim();
    let Some(scheme_end) = raw.find("://") else {
        return raw.to_owned();
    };
    let after = &raw[scheme_end + 3..];
    let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    match after[..authority_end].rfind('@') {
        Some(at) => format!("{}://(redacted)@{}", &raw[..scheme_end], &after[at + 1..]),
        None => raw.to_owned(),
    }
}
