//! The config file: its location, structure, loading and error reporting.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml_edit::{ImDocument, Item, TableLike, Value};

use super::ConfigError;

/// Contents of `config.toml`.
///
/// Unknown keys are rejected so that a typo is reported instead of silently
/// ignored. New top-level sections (`[ui]`, `[download]`, ...) are added as
/// further fields here, with `#[serde(default)]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Profile used when `--profile` is not given.
    #[serde(default)]
    pub default_profile: Option<String>,
    /// Named profiles (`[profiles.NAME]`).
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// `[keys]`: an action of the browser (as named in its help) to one key
    /// or a list of keys, e.g. `down = ["j", "ctrl-n"]`.
    #[serde(default)]
    pub keys: BTreeMap<String, KeyList>,
    /// `clipboard = "auto" | "native" | "osc52"` (see `clipboard.rs`).
    #[serde(default)]
    pub clipboard: Option<crate::clipboard::Mode>,
    /// `image_protocol = "auto" | "kitty" | "kitty-direct" | "sixel" |
    /// "iterm2" | "halfblocks" | "none"`, below `--image-protocol` and
    /// `ASSETUI_IMAGE_PROTOCOL` (see `graphics.rs`).
    #[serde(default)]
    pub image_protocol: Option<crate::graphics::ProtocolChoice>,
    /// `theme = "auto" | "dark" | "light"`: the colours for the
    /// terminal's background (see `ui/theme.rs`).
    #[serde(default)]
    pub theme: Option<crate::ui::theme::Theme>,
    /// `[downloads]`: where files go, how they are named, how many at once
    /// (the browser's `d`, and `assetui download` without the flags).
    #[serde(default)]
    pub downloads: Downloads,
    /// `density = "compact" | "comfortable" | "grid"`: the browser's list
    /// at start (`v` cycles it and writes it here).
    #[serde(default)]
    pub density: Option<crate::app::layout::Density>,
    /// `[cache]`: the local index of the assets seen (the browser's
    /// offline-first start).
    #[serde(default)]
    pub cache: Cache,
}

/// `[cache]` of the config file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cache {
    /// Most assets the local index keeps, all libraries together (the
    /// least recently seen go first); 0 keeps none and the browser starts
    /// without it. Default 100 000.
    pub index_max_assets: Option<u64>,
}

/// `[downloads]` of the config file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Downloads {
    /// Directory for downloads (default: `~/Downloads` if it exists, else
    /// the current directory).
    pub dir: Option<PathBuf>,
    /// File name template (default `<id>`).
    pub name: Option<String>,
    /// Downloads at once (default 3).
    pub jobs: Option<u16>,
}

impl Downloads {
    /// The directory: the configured one (`~` expanded), else `~/Downloads`
    /// when it exists, else the current directory.
    pub fn dir_or_default(&self) -> PathBuf {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        if let Some(d) = &self.dir {
            if let (Ok(rest), Some(h)) = (d.strip_prefix("~"), &home) {
                return h.join(rest);
            }
            return d.clone();
        }
        match home.map(|h| h.join("Downloads")) {
            Some(d) if d.is_dir() => d,
            _ => PathBuf::from("."),
        }
    }
}

/// One key or several, as written in `[keys]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(
    untagged,
    expecting = "a key such as \"j\" or \"ctrl-d\", or a list of keys"
)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            KeyList::One(k) => vec![k.clone()],
            KeyList::Many(k) => k.clone(),
        }
    }
}

/// One `[profiles.NAME]` table. `Debug` never shows the secrets.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// API key (used together with `api_secret`).
    pub api_key: Option<String>,
    /// API secret.
    pub api_secret: Option<String>,
    /// Bearer token, an alternative to `api_key`/`api_secret`.
    pub jwt: Option<String>,
    /// API base URL for this profile.
    pub base_url: Option<String>,
    /// The service: `scenario` (the default) or `twelvelabs`.
    pub provider: Option<String>,
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |v: &Option<String>| if v.is_some() { "(set)" } else { "(unset)" };
        f.debug_struct("Profile")
            .field("api_key", &set(&self.api_key))
            .field("api_secret", &set(&self.api_secret))
            .field("jwt", &set(&self.jwt))
            .field("base_url", &self.base_url)
            .field("provider", &self.provider)
            .finish()
    }
}

impl Config {
    /// Parses the text of a config file; `path` is only used in error
    /// messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| parse_error(path, text, e.message(), e.span()))
    }

    /// Names of the defined profiles, sorted.
    pub fn profile_names(&self) -> Vec<String> {
        self.profiles.keys().cloned().collect()
    }
}

/// A config file that was read successfully.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedConfig {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its contents.
    pub config: Config,
    /// Problems worth telling the user about (e.g. loose file permissions),
    /// each a complete line starting with `warning: `.
    pub warnings: Vec<String>,
}

/// The config file location, given a way to read environment variables:
/// `$XDG_CONFIG_HOME/assetui/config.toml` if `XDG_CONFIG_HOME` is set to an
/// absolute path, else `$HOME/.config/assetui/config.toml`; `None` if neither
/// is usable.
pub fn config_path_from_env(get: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(xdg) = get("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        let xdg = PathBuf::from(xdg);
        // The XDG spec says relative values are invalid and must be ignored.
        if xdg.is_absolute() {
            return Some(xdg.join("assetui").join("config.toml"));
        }
    }
    let home = get("HOME").filter(|v| !v.is_empty())?;
    Some(
        PathBuf::from(home)
            .join(".config")
            .join("assetui")
            .join("config.toml"),
    )
}

/// [`config_path_from_env`] applied to the process environment.
pub fn default_config_path() -> Option<PathBuf> {
    config_path_from_env(|name| std::env::var(name).ok())
}

/// Reads and parses the config file. Returns `Ok(None)` if it does not exist.
///
/// On Unix a file that group or other users can read yields a warning (the
/// file holds secrets).
pub fn load(path: &Path) -> Result<Option<LoadedConfig>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(ConfigError::Io {
                action: "read",
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let config = Config::parse(&text, path)?;
    let mut warnings = Vec::new();
    if let Some(w) = permission_warning(path) {
        warnings.push(w);
    }
    Ok(Some(LoadedConfig {
        path: path.to_path_buf(),
        config,
        warnings,
    }))
}

#[cfg(unix)]
fn permission_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o7777;
    let what = if mode & 0o044 != 0 {
        "readable"
    } else if mode & 0o033 != 0 {
        "accessible"
    } else {
        return None;
    };
    let shown = path.display();
    Some(format!(
        "warning: {shown} is {what} by other users (mode {mode:04o}); run: chmod 600 {shown}"
    ))
}

#[cfg(not(unix))]
fn permission_warning(_path: &Path) -> Option<String> {
    None
}

/// Builds a [`ConfigError::Parse`] from a TOML error message and span.
///
/// The message is made one line; for unknown keys it names the key, the table
/// and the allowed keys; for type errors it names the key and drops the value
/// (which could be a secret).
pub(crate) fn parse_error(
    path: &Path,
    text: &str,
    message: &str,
    span: Option<Range<usize>>,
) -> ConfigError {
    let line = span.as_ref().map(|s| line_of(text, s.start));
    let key_path = span.as_ref().and_then(|s| locate_key(text, s.start));
    let message = one_line(message);

    let (key, message) = if let Some(rest) = message.strip_prefix("unknown field `") {
        let (name, after) = rest.split_once('`').unwrap_or((rest, ""));
        let table = key_path
            .as_deref()
            .map(|p| table_label(&p[..p.len().saturating_sub(1)]));
        let mut text = format!("unknown key `{name}`");
        if let Some(table) = table {
            text.push(' ');
            text.push_str(&table);
        }
        if let Some(expected) = after.strip_prefix(", expected ") {
            let expected = expected
                .trim_start_matches("one of ")
                .replace('`', "")
                .replace(" or ", ", ");
            text.push_str(&format!(" (expected one of: {expected})"));
        } else if after.contains("there are no fields") {
            text.push_str(" (no keys are allowed here)");
        }
        (Some(name.to_owned()), text)
    } else if message.starts_with("invalid type:")
        || message.starts_with("invalid value:")
        || message.starts_with("invalid length")
    {
        // serde quotes the offending value in backticks; it may be a secret.
        let cleaned = strip_backticked(&message);
        match key_path.as_deref() {
            Some([parents @ .., name]) => (
                Some(name.clone()),
                format!("`{name}` {}: {cleaned}", table_label(parents)),
            ),
            _ => (None, cleaned),
        }
    } else {
        let key = key_path.and_then(|p| p.last().cloned());
        (key, message)
    };

    ConfigError::Parse {
        path: path.to_path_buf(),
        line,
        key,
        message,
    }
}

/// 1-based line containing byte offset `pos`.
fn line_of(text: &str, pos: usize) -> usize {
    let end = pos.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Removes backtick-quoted parts (and the space before them).
fn strip_backticked(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find('`') {
        let Some(len) = rest[start + 1..].find('`') else {
            break;
        };
        out.push_str(rest[..start].trim_end_matches(' '));
        rest = &rest[start + 1 + len + 1..];
    }
    out.push_str(rest);
    out
}

/// `in [a.b]`, or `at top level` for the root table.
fn table_label(path: &[String]) -> String {
    if path.is_empty() {
        return "at top level".to_owned();
    }
    let parts: Vec<String> = path
        .iter()
        .map(|p| toml_edit::Key::new(p.as_str()).display_repr().into_owned())
        .collect();
    format!("in [{}]", parts.join("."))
}

/// Finds the dotted key path (e.g. `profiles`, `work`, `api_key`) of the key
/// or value at byte offset `pos`, if the text is syntactically valid TOML.
fn locate_key(text: &str, pos: usize) -> Option<Vec<String>> {
    let doc = ImDocument::parse(text).ok()?;
    find_in_table(doc.as_table(), pos)
}

fn span_contains(span: Option<Range<usize>>, pos: usize) -> bool {
    span.is_some_and(|s| s.contains(&pos) || (s.is_empty() && s.start == pos))
}

fn find_in_table(table: &dyn TableLike, pos: usize) -> Option<Vec<String>> {
    for (name, item) in table.iter() {
        if span_contains(table.key(name).and_then(|k| k.span()), pos) {
            return Some(vec![name.to_owned()]);
        }
        let (inner, own_span) = match item {
            Item::None => (None, None),
            Item::Table(t) => (find_in_table(t, pos), t.span()),
            Item::ArrayOfTables(a) => (a.iter().find_map(|t| find_in_table(t, pos)), a.span()),
            Item::Value(v) => (find_in_value(v, pos), v.span()),
        };
        if let Some(mut inner) = inner {
            inner.insert(0, name.to_owned());
            return Some(inner);
        }
        if span_contains(own_span, pos) {
            return Some(vec![name.to_owned()]);
        }
    }
    None
}

fn find_in_value(value: &Value, pos: usize) -> Option<Vec<String>> {
    match value {
        Value::InlineTable(t) => find_in_table(t, pos),
        _ => None,
    }
}
