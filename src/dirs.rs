//! Where assetui keeps files of its own, following the XDG base directory
//! spec: the cache (thumbnails, previews) under `$XDG_CACHE_HOME/assetui`,
//! state (the browser's log) under `$XDG_STATE_HOME/assetui` and data (the
//! demo library's changes) under `$XDG_DATA_HOME/assetui`, with the spec's
//! `$HOME` fallbacks. The config file's location lives in
//! [`crate::config::default_config_path`].
//!
//! The `_from` variants take the environment as a closure so they can be
//! tested without touching the process environment.

use std::path::{Path, PathBuf};

/// Name of assetui's directory inside each XDG base directory.
const APP: &str = "assetui";

/// The cache directory, given a way to read environment variables:
/// `$XDG_CACHE_HOME/assetui` if `XDG_CACHE_HOME` is an absolute path, else
/// `$HOME/.cache/assetui`; `None` if neither is usable.
pub fn cache_dir_from(get: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    base_dir(&get, "XDG_CACHE_HOME", &[".cache"])
}

/// The state directory, given a way to read environment variables:
/// `$XDG_STATE_HOME/assetui` if `XDG_STATE_HOME` is an absolute path, else
/// `$HOME/.local/state/assetui`; `None` if neither is usable.
pub fn state_dir_from(get: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    base_dir(&get, "XDG_STATE_HOME", &[".local", "state"])
}

/// The data directory, given a way to read environment variables:
/// `$XDG_DATA_HOME/assetui` if `XDG_DATA_HOME` is an absolute path, else
/// `$HOME/.local/share/assetui`; `None` if neither is usable.
pub fn data_dir_from(get: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    base_dir(&get, "XDG_DATA_HOME", &[".local", "share"])
}

/// [`data_dir_from`] applied to the process environment.
pub fn data_dir() -> Option<PathBuf> {
    data_dir_from(|name| std::env::var(name).ok())
}

/// [`cache_dir_from`] applied to the process environment.
pub fn cache_dir() -> Option<PathBuf> {
    cache_dir_from(|name| std::env::var(name).ok())
}

/// [`state_dir_from`] applied to the process environment.
pub fn state_dir() -> Option<PathBuf> {
    state_dir_from(|name| std::env::var(name).ok())
}

fn base_dir(
    get: &impl Fn(&str) -> Option<String>,
    variable: &str,
    home_fallback: &[&str],
) -> Option<PathBuf> {
    if let Some(xdg) = get(variable).filter(|v| !v.is_empty()) {
        let xdg = PathBuf::from(xdg);
        // The XDG spec says relative values are invalid and must be ignored.
        if xdg.is_absolute() {
            return Some(xdg.join(APP));
        }
    }
    let home = PathBuf::from(get("HOME").filter(|v| !v.is_empty())?);
    Some(
        home_fallback
            .iter()
            .fold(home, |p, part| p.join(part))
            .join(APP),
    )
}

/// Total size in bytes of the regular files under `path` (0 if it does not
/// exist). Symbolic links are counted as links, never followed, so a link
/// loop cannot trap the walk; unreadable entries are skipped.
pub fn dir_size(path: &Path) -> u64 {
    let mut total = 0u64;
    let mut pending = vec![path.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            if meta.is_dir() {
                pending.push(entry.path());
            } else if meta.is_file() {
                total = total.saturating_add(meta.len());
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn xdg_variables_win_when_absolute() {
        let vars = [
            ("XDG_CACHE_HOME", "/x/cache"),
            ("XDG_STATE_HOME", "/x/state"),
            ("XDG_DATA_HOME", "/x/data"),
            ("HOME", "/home/u"),
        ];
        assert_eq!(
            data_dir_from(env(&vars)),
            Some(PathBuf::from("/x/data/assetui"))
        );
        assert_eq!(
            cache_dir_from(env(&vars)),
            Some(PathBuf::from("/x/cache/assetui"))
        );
        assert_eq!(
            state_dir_from(env(&vars)),
            Some(PathBuf::from("/x/state/assetui"))
        );
    }

    #[test]
    fn relative_or_empty_xdg_values_are_ignored() {
        for value in ["relative/cache", ""] {
            let vars = [
                ("XDG_CACHE_HOME", value),
                ("XDG_STATE_HOME", value),
                ("HOME", "/home/u"),
            ];
            assert_eq!(
                cache_dir_from(env(&vars)),
                Some(PathBuf::from("/home/u/.cache/assetui"))
            );
            assert_eq!(
                state_dir_from(env(&vars)),
                Some(PathBuf::from("/home/u/.local/state/assetui"))
            );
        }
    }

    #[test]
    fn home_is_the_fallback_and_nothing_is_none() {
        let vars = [("HOME", "/home/u")];
        assert_eq!(
            data_dir_from(env(&vars)),
            Some(PathBuf::from("/home/u/.local/share/assetui"))
        );
        assert_eq!(
            cache_dir_from(env(&vars)),
            Some(PathBuf::from("/home/u/.cache/assetui"))
        );
        assert_eq!(
            state_dir_from(env(&vars)),
            Some(PathBuf::from("/home/u/.local/state/assetui"))
        );
        assert_eq!(cache_dir_from(env(&[])), None);
        assert_eq!(state_dir_from(env(&[("HOME", "")])), None);
    }

    #[test]
    fn dir_size_sums_nested_files_and_tolerates_missing_dirs() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("a"), vec![0u8; 100]).unwrap();
        std::fs::create_dir_all(tmp.path().join("sub/deeper")).unwrap();
        std::fs::write(tmp.path().join("sub/deeper/b"), vec![0u8; 23]).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(tmp.path(), tmp.path().join("sub/loop")).unwrap();
        assert_eq!(dir_size(tmp.path()), 123);
        assert_eq!(dir_size(&tmp.path().join("missing")), 0);
    }
}
