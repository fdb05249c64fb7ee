//! The error type of the configuration module.

use std::path::{Path, PathBuf};

/// Everything that can go wrong while loading, resolving or saving the
/// configuration. Each `Display` is a single line the user can act on and
/// never contains a secret value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A file-system operation failed (`action` is e.g. `read`, `write`).
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being attempted, as a verb phrase (`read`, `rename`, ...).
        action: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// The config file is not valid TOML or does not match the expected
    /// structure (for example an unknown key).
    #[error("{}: {message}", location(.path, *.line))]
    Parse {
        /// The config file.
        path: PathBuf,
        /// 1-based line of the problem, when known.
        line: Option<usize>,
        /// The key concerned, when known.
        key: Option<String>,
        /// What is wrong (without the file/line prefix).
        message: String,
    },

    /// A profile was requested (by `--profile` or `default_profile`) but the
    /// config file does not define it.
    #[error("{}", unknown_profile(.name, .available, .path.as_deref(), *.from_default_profile))]
    UnknownProfile {
        /// The requested profile.
        name: String,
        /// The profiles the file does define (sorted).
        available: Vec<String>,
        /// The config file, if there is one.
        path: Option<PathBuf>,
        /// `true` if the name came from the file's `default_profile` rather
        /// than from `--profile`.
        from_default_profile: bool,
    },

    /// One level of configuration sets only half of a key/secret pair.
    #[error("incomplete credentials from {origin}: {present} is set but {missing} is missing")]
    IncompleteCredentials {
        /// Where they came from, e.g. `environment`.
        origin: String,
        /// The setting that is present, e.g. `SCENARIO_SDK_API_KEY`.
        present: String,
        /// The setting that is missing, e.g. `SCENARIO_SDK_API_SECRET`.
        missing: String,
    },

    /// The base URL is not an absolute http/https URL.
    #[error("invalid base URL \"{url}\" from {origin}: {reason}")]
    InvalidBaseUrl {
        /// The offending URL (any user-info part is redacted).
        url: String,
        /// Where it came from, e.g. `--base-url`.
        origin: String,
        /// Why it was rejected.
        reason: String,
    },

    /// A profile names a provider assetui does not speak.
    #[error("{origin}: {reason}")]
    InvalidProvider {
        /// Where it came from, e.g. the config file and profile.
        origin: String,
        /// Why it was rejected.
        reason: String,
    },

    /// The existing config file could not be updated (its structure does not
    /// allow adding the profile).
    #[error("cannot update {}: {message}", .path.display())]
    Edit {
        /// The config file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },

    /// An argument was rejected (for example an empty profile name).
    #[error("{0}")]
    InvalidInput(String),
}

fn location(path: &Path, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{}:{line}", path.display()),
        None => path.display().to_string(),
    }
}

fn unknown_profile(
    name: &str,
    available: &[String],
    path: Option<&Path>,
    from_default_profile: bool,
) -> String {
    let what = if from_default_profile {
        "default_profile"
    } else {
        "profile"
    };
    let Some(path) = path else {
        return format!("{what} \"{name}\" not found: there is no config file");
    };
    let listing = if available.is_empty() {
        "it defines no profiles".to_owned()
    } else {
        let names: Vec<String> = available.iter().map(|n| format!("\"{n}\"")).collect();
        format!("available profiles: {}", names.join(", "))
    };
    format!(
        "{what} \"{name}\" not found in {} ({listing})",
        path.display()
    )
}
