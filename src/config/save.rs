//! Writing credentials into the config file.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, InlineTable, Item, Table, TableLike, Value};

use super::file::parse_error;
use super::ConfigError;

/// Stores `key` and `secret` in profile `profile` of the config file at
/// `path`, creating the file (and its directory, mode 0700) if needed.
///
/// The rest of an existing file (other profiles, other keys, comments and
/// formatting) is kept; a `jwt` in the same profile is removed since the new
/// key/secret replace it. If the file defines no profiles yet, has no
/// `default_profile`, and `profile` is not `default`, `default_profile` is set
/// to `profile` so the saved credentials are used without `--profile`.
///
/// The file is replaced atomically: the new contents go to a temporary file in
/// the same directory, created with mode 0600, which is then renamed over the
/// old one (so an existing file also ends up with mode 0600). A symlink at
/// `path` is followed and its target is replaced. On non-Unix systems the
/// modes are not set.
pub fn save_credentials(
    path: &Path,
    profile: &str,
    key: &str,
    secret: &str,
) -> Result<(), ConfigError> {
    if key.trim().is_empty() || secret.trim().is_empty() {
        return Err(ConfigError::InvalidInput(
            "both the API key and the API secret must be non-empty".to_owned(),
        ));
    }
    save(path, profile, key.trim(), Some(secret.trim()))
}

/// [`save_credentials`] for TwelveLabs: the profile gets the key and
/// `provider = "twelvelabs"` (and loses any Scenario secret or token).
pub fn save_twelvelabs_key(path: &Path, profile: &str, key: &str) -> Result<(), ConfigError> {
    if key.trim().is_empty() {
        return Err(ConfigError::InvalidInput(
            "the API key must be non-empty".to_owned(),
        ));
    }
    save(path, profile, key.trim(), None)
}

fn save(path: &Path, profile: &str, key: &str, secret: Option<&str>) -> Result<(), ConfigError> {
    let profile = profile.trim();
    if profile.is_empty() {
        return Err(ConfigError::InvalidInput(
            "the profile name must not be empty".to_owned(),
        ));
    }

    let target = follow_symlink(path)?;
    let dir = parent_dir(&target);
    ensure_dir(&dir)?;

    let existing = match fs::read_to_string(&target) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(ConfigError::Io {
                action: "read",
                path: target,
                source,
            })
        }
    };
    let mut doc: DocumentMut = existing.parse().map_err(|e: toml_edit::TomlError| {
        parse_error(&target, &existing, e.message(), e.span())
    })?;

    set_credentials(&mut doc, profile, key, secret).map_err(|message| ConfigError::Edit {
        path: target.clone(),
        message,
    })?;

    let mut text = doc.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    // Never replace a file with something that does not parse back.
    if text.parse::<DocumentMut>().is_err() {
        return Err(ConfigError::Edit {
            path: target,
            message: "the updated file would not be valid TOML".to_owned(),
        });
    }
    write_atomically(&target, &dir, text.as_bytes())
}

/// Sets one top-level setting, `key = "value"` (the browser's `density`),
/// in the config file at `path`, created if needed. The rest of the file
/// (profiles, other keys, comments, the comment on the key itself) is
/// kept, the result must still be a config the browser accepts, and the
/// file is replaced atomically with mode 0600, as [`save_credentials`]
/// does.
pub fn save_setting(path: &Path, key: &str, value: &str) -> Result<(), ConfigError> {
    let target = follow_symlink(path)?;
    let dir = parent_dir(&target);
    ensure_dir(&dir)?;
    let existing = match fs::read_to_string(&target) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(ConfigError::Io {
                action: "read",
                path: target,
                source,
            })
        }
    };
    let mut doc: DocumentMut = existing.parse().map_err(|e: toml_edit::TomlError| {
        parse_error(&target, &existing, e.message(), e.span())
    })?;
    set_string(doc.as_table_mut(), key, value);
    let mut text = doc.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    // never replace a file with one the browser would refuse
    super::file::Config::parse(&text, &target)?;
    write_atomically(&target, &dir, text.as_bytes())
}

/// Writes the profile's key, and its secret (Scenario) or, without one,
/// `provider = "twelvelabs"` (TwelveLabs takes a key alone).
fn set_credentials(
    doc: &mut DocumentMut,
    profile: &str,
    key: &str,
    secret: Option<&str>,
) -> Result<(), String> {
    let root = doc.as_table_mut();
    let had_profiles = root
        .get("profiles")
        .and_then(Item::as_table_like)
        .is_some_and(|t| !t.is_empty());
    if !root.contains_key("profiles") {
        let mut profiles = Table::new();
        profiles.set_implicit(true);
        root.insert("profiles", Item::Table(profiles));
    }
    if !had_profiles && profile != "default" && !root.contains_key("default_profile") {
        root.insert("default_profile", toml_edit::value(profile));
    }

    let profiles = root
        .get_mut("profiles")
        .ok_or_else(|| "`profiles` is missing".to_owned())?;
    let entry =
        child_table(profiles, profile).ok_or_else(|| "`profiles` is not a table".to_owned())?;
    let inline = entry.is_inline_table();
    let table = entry
        .as_table_like_mut()
        .ok_or_else(|| format!("`profiles.{profile}` is not a table"))?;
    set_string(table, "api_key", key);
    match secret {
        Some(secret) => set_string(table, "api_secret", secret),
        None => {
            set_string(table, "provider", "twelvelabs");
            table.remove("api_secret");
        }
    }
    table.remove("jwt");
    if inline {
        // Inline tables hold no comments; normalise the spacing around the
        // edited entries.
        table.fmt();
    }
    Ok(())
}

/// The child `name` of a table item, created (of the matching kind) if
/// missing. `None` if `item` is not a table.
fn child_table<'a>(item: &'a mut Item, name: &str) -> Option<&'a mut Item> {
    match item {
        Item::Table(t) => {
            if !t.contains_key(name) {
                t.insert(name, Item::Table(Table::new()));
            }
            t.get_mut(name)
        }
        Item::Value(Value::InlineTable(t)) => {
            if !t.contains_key(name) {
                t.insert(name, Value::InlineTable(InlineTable::new()));
            }
            TableLike::get_mut(t, name)
        }
        _ => None,
    }
}

/// Sets a string value, keeping the decoration (e.g. a trailing comment) of
/// the value it replaces.
fn set_string(table: &mut dyn TableLike, key: &str, value: &str) {
    if let Some(Item::Value(old)) = table.get_mut(key) {
        let decor = old.decor().clone();
        let mut new = Value::from(value);
        *new.decor_mut() = decor;
        *old = new;
    } else {
        table.insert(key, toml_edit::value(value));
    }
}

fn follow_symlink(path: &Path) -> Result<PathBuf, ConfigError> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(path).map_err(|source| ConfigError::Io {
                action: "follow the symlink",
                path: path.to_path_buf(),
                source,
            })
        }
        _ => Ok(path.to_path_buf()),
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn ensure_dir(dir: &Path) -> Result<(), ConfigError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|source| ConfigError::Io {
        action: "create directory",
        path: dir.to_path_buf(),
        source,
    })
}

fn write_atomically(target: &Path, dir: &Path, data: &[u8]) -> Result<(), ConfigError> {
    let (tmp_path, mut file) = create_temp(target, dir)?;
    let written = file.write_all(data).and_then(|()| file.sync_all());
    drop(file);
    if let Err(source) = written {
        let _ = fs::remove_file(&tmp_path);
        return Err(ConfigError::Io {
            action: "write",
            path: tmp_path,
            source,
        });
    }
    if let Err(source) = fs::rename(&tmp_path, target) {
        let _ = fs::remove_file(&tmp_path);
        return Err(ConfigError::Io {
            action: "replace",
            path: target.to_path_buf(),
            source,
        });
    }
    // Make the rename durable; failure here is not worth reporting.
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Creates a new, empty file next to `target`, mode 0600 on Unix.
fn create_temp(target: &Path, dir: &Path) -> Result<(PathBuf, fs::File), ConfigError> {
    let base = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config.toml".to_owned());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut last_err = None;
    for attempt in 0..32u32 {
        let tmp = dir.join(format!(
            ".{base}.{}.{}.tmp",
            std::process::id(),
            nanos.wrapping_add(attempt)
        ));
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&tmp) {
            Ok(file) => {
                #[cfg(unix)]
                {
                    // The umask can only remove bits; make it exactly 0600.
                    use std::os::unix::fs::PermissionsExt;
                    if let Err(source) = file.set_permissions(fs::Permissions::from_mode(0o600)) {
                        let _ = fs::remove_file(&tmp);
                        return Err(ConfigError::Io {
                            action: "set permissions on",
                            path: tmp,
                            source,
                        });
                    }
                }
                return Ok((tmp, file));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_err = Some(e),
            Err(source) => {
                return Err(ConfigError::Io {
                    action: "create",
                    path: tmp,
                    source,
                })
            }
        }
    }
    Err(ConfigError::Io {
        action: "create a temporary file in",
        path: dir.to_path_buf(),
        source: last_err.unwrap_or_else(|| std::io::Error::other("too many attempts")),
    })
}
