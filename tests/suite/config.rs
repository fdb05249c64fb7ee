//! Tests of configuration loading, credential resolution and saving.
//!
//! The environment is always passed as a closure; no test touches the real
//! process environment.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use assetui::config::{
    config_path_from_env, load, resolve, save_credentials, ConfigError, CredentialSource,
    Credentials, LoadedConfig, Overrides, DEFAULT_BASE_URL, ENV_API_KEY, ENV_API_SECRET,
    ENV_BASE_URL, ENV_JWT,
};
use base64::Engine as _;

const SECRET: &str = "s3cr3t-VALUE-do-not-print";

/// An environment made of the given pairs.
fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name: &str| map.get(name).cloned()
}

fn no_env() -> impl Fn(&str) -> Option<String> {
    env(&[])
}

/// Writes `text` to `dir/config.toml` with mode 0600 and returns its path.
fn write_config(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("config.toml");
    fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

fn load_text(dir: &Path, text: &str) -> LoadedConfig {
    let path = write_config(dir, text);
    load(&path).unwrap().expect("file exists")
}

fn load_err(text: &str) -> (PathBuf, ConfigError) {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), text);
    let err = load(&path).unwrap_err();
    (path, err)
}

fn basic(key: &str, secret: &str) -> Credentials {
    Credentials::Basic {
        key: key.into(),
        secret: secret.into(),
    }
}

const TWO_PROFILES: &str = r#"
default_profile = "work"

[profiles.work]
api_key = "file-work-key"
api_secret = "file-work-secret"
base_url = "https://work.example.com/v1/"

[profiles.home]
jwt = "file-home-token"
base_url = "https://home.example.com/v1"
"#;

// ---------------------------------------------------------------- paths

#[test]
fn config_path_prefers_xdg_then_home() {
    let p = config_path_from_env(env(&[("XDG_CONFIG_HOME", "/x/cfg"), ("HOME", "/home/u")]));
    assert_eq!(p, Some(PathBuf::from("/x/cfg/assetui/config.toml")));

    let p = config_path_from_env(env(&[("HOME", "/home/u")]));
    assert_eq!(
        p,
        Some(PathBuf::from("/home/u/.config/assetui/config.toml"))
    );

    // Empty or relative XDG_CONFIG_HOME is ignored.
    let p = config_path_from_env(env(&[("XDG_CONFIG_HOME", ""), ("HOME", "/home/u")]));
    assert_eq!(
        p,
        Some(PathBuf::from("/home/u/.config/assetui/config.toml"))
    );
    let p = config_path_from_env(env(&[("XDG_CONFIG_HOME", "rel"), ("HOME", "/home/u")]));
    assert_eq!(
        p,
        Some(PathBuf::from("/home/u/.config/assetui/config.toml"))
    );

    assert_eq!(config_path_from_env(no_env()), None);
}

#[test]
fn missing_file_loads_as_none() {
    let dir = tempfile::tempdir().unwrap();
    assert!(load(&dir.path().join("nope.toml")).unwrap().is_none());
}

// ---------------------------------------------------------------- precedence

#[test]
fn nothing_configured_means_no_credentials() {
    let r = resolve(&Overrides::default(), no_env(), None).unwrap();
    assert_eq!(r.credentials, Credentials::None);
    assert_eq!(r.source, CredentialSource::None);
    assert_eq!(r.base_url, DEFAULT_BASE_URL);
    assert!(!r.base_url_explicit);
    assert_eq!(r.profile, None);
    assert_eq!(r.credentials.authorization_header(), None);
    assert_eq!(r.source.to_string(), "none (demo mode)");
}

#[test]
fn empty_file_means_no_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let file = load_text(dir.path(), "");
    let r = resolve(&Overrides::default(), no_env(), Some(&file)).unwrap();
    assert_eq!(r.credentials, Credentials::None);
    assert_eq!(r.source, CredentialSource::None);
}

#[test]
fn flags_beat_environment_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = load_text(dir.path(), TWO_PROFILES);
    let overrides = Overrides {
        base_url: Some("https://flag.example.com/v1/".into()),
        api_key: Some("flag-key".into()),
        api_secret: Some("flag-secret".into()),
        profile: None,
        provider: None,
    };
    let e = env(&[
        (ENV_API_KEY, "env-key"),
        (ENV_API_SECRET, "env-secret"),
        (ENV_BASE_URL, "https://env.example.com/v1"),
    ]);
    let r = resolve(&overrides, e, Some(&file)).unwrap();
    assert_eq!(r.credentials, basic("flag-key", "flag-secret"));
    assert_eq!(r.source, CredentialSource::Flags);
    assert_eq!(r.source.to_string(), "command-line flags");
    assert_eq!(r.base_url, "https://flag.example.com/v1");
    assert!(r.base_url_explicit);
}

#[test]
fn environment_beats_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = load_text(dir.path(), TWO_PROFILES);
    let e = env(&[
        (ENV_API_KEY, "env-key"),
        (ENV_API_SECRET, "env-secret"),
        (ENV_BASE_URL, "https://env.example.com/v1/"),
    ]);
    let r = resolve(&Overrides::default(), e, Some(&file)).unwrap();
    assert_eq!(r.credentials, basic("env-key", "env-secret"));
    assert_eq!(r.source, CredentialSource::Environment { jwt: false });
    assert_eq!(
        r.source.to_string(),
        "environment (SCENARIO_SDK_API_KEY/SECRET)"
    );
    assert_eq!(r.base_url, "https://env.example.com/v1");
    // The profile is still selected (it could have supplied the base URL).
    assert_eq!(r.profile.as_deref(), Some("work"));
}

#[test]
fn environment_jwt_gives_bearer() {
    let r = resolve(&Overrides::default(), env(&[(ENV_JWT, "env-token")]), None).unwrap();
    assert_eq!(
        r.credentials,
        Credentials::Bearer {
            token: "env-token".into()
        }
    );
    assert_eq!(r.source, CredentialSource::Environment { jwt: true });
    assert_eq!(r.source.to_string(), "environment (SCENARIO_SDK_JWT)");
    assert_eq!(
        r.credentials.authorization_header().as_deref(),
        Some("Bearer env-token")
    );
}

#[test]
fn empty_environment_values_count_as_unset() {
    let e = env(&[
        (ENV_API_KEY, ""),
        (ENV_API_SECRET, "  "),
        (ENV_BASE_URL, ""),
    ]);
    let r = resolve(&Overrides::default(), e, None).unwrap();
    assert_eq!(r.credentials, Credentials::None);
    assert_eq!(r.base_url, DEFAULT_BASE_URL);
}

#[test]
fn file_used_when_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let file = load_text(dir.path(), TWO_PROFILES);
    let r = resolve(&Overrides::default(), no_env(), Some(&file)).unwrap();
    assert_eq!(r.credentials, basic("file-work-key", "file-work-secret"));
    assert_eq!(
        r.source,
        CredentialSource::ConfigFile {
            path: file.path.clone(),
            profile: "work".into()
        }
    );
    assert_eq!(
        r.source.to_string(),
        format!("config file {} (profile \"work\")", file.path.display())
    );
    assert_eq!(r.base_url, "https://work.example.com/v1");
    assert!(r.base_url_explicit);
}

#[test]
fn base_url_precedence_is_independent_of_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let file = load_text(dir.path(), TWO_PROFILES);
    // Credentials from the environment, base URL from the profile.
    let e = env(&[(ENV_JWT, "tok")]);
    let r = resolve(&Overrides::default(), e, Some(&file)).unwrap();
    assert_eq!(r.base_url, "https://work.example.com/v1");

    // Env base URL beats the profile's.
    let e = env(&[(ENV_BASE_URL, "http://localhost:8080")]);
    let r = resolve(&Overrides::default(), e, Some(&file)).unwrap();
    assert_eq!(r.base_url, "http://localhost:8080");
    assert_eq!(r.credentials, basic("file-work-key", "file-work-secret"));
}

#[test]
fn credentials_are_never_mixed_across_levels() {
    let dir = tempfile::tempdir().unwrap();
    let file = load_text(dir.path(), TWO_PROFILES);
    // A key from the flags with the secret only in the environment/file is an
    // error, not a combination.
    let overrides = Overrides {
        api_key: Some("flag-key".into()),
        ..Overrides::default()
    };
    let e = env(&[(ENV_API_SECRET, "env-secret")]);
    let err = resolve(&overrides, e, Some(&file)).unwrap_err();
    assert!(matches!(err, ConfigError::IncompleteCredentials { .. }));
    assert_eq!(
        err.to_string(),
        "incomplete credentials from command-line flags: --api-key is set but --api-secret is missing"
    );
}

// ---------------------------------------------------------------- profiles

#[test]
fn profile_selected_by_flag() {
    let dir = tempfile::tempdir().unwrap();
    let file = load_text(dir.path(), TWO_PROFILES);
    let overrides = Overrides {
        profile: Some("home".into()),
        ..Overrides::default()
    };
    let r = resolve(&overrides, no_env(), Some(&file)).unwrap();
    assert_eq!(r.profile.as_deref(), Some("home"));
    assert_eq!(
        r.credentials,
        Credentials::Bearer {
            token: "file-home-token".into()
        }
    );
    assert_eq!(r.base_url, "https://home.example.com/v1");
}

#[test]
fn profile_selected_by_default_profile() {
    let dir = tempfile::tempdir().unwrap();
    let file = load_text(dir.path(), TWO_PROFILES);
    let r = resolve(&Overrides::default(), no_env(), Some(&file)).unwrap();
    assert_eq!(r.profile.as_deref(), Some("work"));
}

#[test]
fn profile_named_default_is_the_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let file = load_text(
        dir.path(),
        "[profiles.other]\njwt = \"x\"\n\n[profiles.default]\napi_key = \"dk\"\napi_secret = \"ds\"\n",
    );
    let r = resolve(&Overrides::default(), no_env(), Some(&file)).unwrap();
    assert_eq!(r.profile.as_deref(), Some("default"));
    assert_eq!(r.credentials, basic("dk", "ds"));

    // Without a `default` profile and without default_profile: no credentials.
    let file = load_text(dir.path(), "[profiles.other]\njwt = \"x\"\n");
    let r = resolve(&Overrides::default(), no_env(), Some(&file)).unwrap();
    assert_eq!(r.profile, None);
    assert_eq!(r.credentials, Credentials::None);
}

#[test]
fn missing_profile_lists_existing_ones() {
    let dir = tempfile::tempdir().unwrap();
    let file = load_text(dir.path(), TWO_PROFILES);
    let overrides = Overrides {
        profile: Some("staging".into()),
        ..Overrides::default()
    };
    let err = resolve(&overrides, no_env(), Some(&file)).unwrap_err();
    match &err {
        ConfigError::UnknownProfile {
            name, available, ..
        } => {
            assert_eq!(name, "staging");
            assert_eq!(available, &["home".to_string(), "work".to_string()]);
        }
        other => panic!("unexpected error {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("\"staging\""), "{msg}");
    assert!(msg.contains("\"home\", \"work\""), "{msg}");
    assert!(msg.contains(&file.path.display().to_string()), "{msg}");

    // Also an error when credentials come from a higher level.
    let e = env(&[(ENV_JWT, "tok")]);
    assert!(resolve(&overrides, e, Some(&file)).is_err());

    // And when there is no config file at all.
    let err = resolve(&overrides, no_env(), None).unwrap_err();
    assert!(matches!(err, ConfigError::UnknownProfile { .. }));
    assert!(err.to_string().contains("no config file"), "{err}");
}

#[test]
fn missing_default_profile_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = load_text(
        dir.path(),
        "default_profile = \"gone\"\n[profiles.a]\njwt = \"t\"\n",
    );
    let err = resolve(&Overrides::default(), no_env(), Some(&file)).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("default_profile \"gone\" not found"),
        "{msg}"
    );
    assert!(msg.contains("\"a\""), "{msg}");
}

// ---------------------------------------------------------------- incomplete

#[test]
fn key_without_secret_errors_at_every_level() {
    // Environment.
    let err = resolve(&Overrides::default(), env(&[(ENV_API_KEY, "k")]), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "incomplete credentials from environment: SCENARIO_SDK_API_KEY is set but SCENARIO_SDK_API_SECRET is missing"
    );

    // Secret without key.
    let err = resolve(
        &Overrides::default(),
        env(&[(ENV_API_SECRET, SECRET)]),
        None,
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("SCENARIO_SDK_API_KEY is missing"), "{msg}");
    assert!(!msg.contains(SECRET), "{msg}");

    // Config file.
    let dir = tempfile::tempdir().unwrap();
    let file = load_text(dir.path(), "[profiles.default]\napi_key = \"k\"\n");
    let err = resolve(&Overrides::default(), no_env(), Some(&file)).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("profile \"default\""), "{msg}");
    assert!(
        msg.ends_with("api_key is set but api_secret is missing"),
        "{msg}"
    );
}

#[test]
fn both_jwt_and_key_pair_prefers_key_pair_with_warning() {
    let e = env(&[(ENV_API_KEY, "k"), (ENV_API_SECRET, "s"), (ENV_JWT, "t")]);
    let r = resolve(&Overrides::default(), e, None).unwrap();
    assert_eq!(r.credentials, basic("k", "s"));
    assert_eq!(r.warnings.len(), 1);
    assert!(r.warnings[0].starts_with("warning: "));
}

// ---------------------------------------------------------------- base URL

#[test]
fn invalid_base_urls_are_rejected() {
    for bad in [
        "not a url",
        "ftp://example.com",
        "https://u:pw@example.com/v1",
    ] {
        let overrides = Overrides {
            base_url: Some(bad.into()),
            ..Overrides::default()
        };
        let err = resolve(&overrides, no_env(), None).unwrap_err();
        assert!(matches!(err, ConfigError::InvalidBaseUrl { .. }), "{bad}");
        let msg = err.to_string();
        assert!(msg.contains("--base-url"), "{msg}");
        assert!(!msg.contains("pw@"), "{msg}");
    }
    let err = resolve(
        &Overrides::default(),
        env(&[(ENV_BASE_URL, "example.com")]),
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains(ENV_BASE_URL), "{err}");
}

#[test]
fn plain_http_to_remote_host_with_credentials_warns() {
    let overrides = Overrides {
        base_url: Some("http://api.example.com/v1".into()),
        api_key: Some("k".into()),
        api_secret: Some("s".into()),
        profile: None,
        provider: None,
    };
    let r = resolve(&overrides, no_env(), None).unwrap();
    assert!(r.warnings.iter().any(|w| w.contains("plain http")));

    let overrides = Overrides {
        base_url: Some("http://127.0.0.1:4000/".into()),
        ..overrides
    };
    let r = resolve(&overrides, no_env(), None).unwrap();
    assert_eq!(r.base_url, "http://127.0.0.1:4000");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

// ---------------------------------------------------------------- parse errors

#[test]
fn bad_toml_reports_path_and_line() {
    let text =
        "default_profile = \"work\"\n\n[profiles.work]\napi_key = \"abc\napi_secret = \"x\"\n";
    let (path, err) = load_err(text);
    match &err {
        ConfigError::Parse { line, .. } => assert_eq!(*line, Some(4)),
        other => panic!("unexpected error {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.starts_with(&format!("{}:4: ", path.display())), "{msg}");
    assert!(!msg.contains('\n'), "{msg}");
}

#[test]
fn unknown_key_reports_line_and_key() {
    let text = format!(
        "default_profile = \"work\"\n[profiles.work]\napi_key = \"abc\"\napi_secrt = \"{SECRET}\"\n"
    );
    let (path, err) = load_err(&text);
    match &err {
        ConfigError::Parse { line, key, .. } => {
            assert_eq!(*line, Some(4));
            assert_eq!(key.as_deref(), Some("api_secrt"));
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "{}:4: unknown key `api_secrt` in [profiles.work] (expected one of: api_key, api_secret, jwt, base_url, provider)",
            path.display()
        )
    );
}

#[test]
fn unknown_top_level_section_is_reported() {
    let (path, err) = load_err("[profiles.a]\njwt = \"t\"\n\n[ui]\ntheme = \"dark\"\n");
    assert_eq!(
        err.to_string(),
        format!(
            "{}:4: unknown key `ui` at top level (expected one of: default_profile, profiles, keys, clipboard, image_protocol, theme, downloads, density, cache)",
            path.display()
        )
    );
}

#[test]
fn unknown_key_in_dotted_and_inline_forms() {
    let (_, err) = load_err("profiles.work.api_secrt = \"x\"\n");
    assert!(
        err.to_string()
            .contains(":1: unknown key `api_secrt` in [profiles.work]"),
        "{err}"
    );
    let (_, err) = load_err("[profiles]\nwork = { jwt = \"t\", bogus = 1 }\n");
    assert!(
        err.to_string()
            .contains(":2: unknown key `bogus` in [profiles.work]"),
        "{err}"
    );
}

#[test]
fn errors_never_contain_the_secret() {
    let numeric_secret = "98765432123456789";
    let cases = [
        // unknown key whose value is the secret
        format!("[profiles.w]\napi_key = \"k\"\napi_secrt = \"{SECRET}\"\n"),
        // unterminated string
        format!("[profiles.w]\napi_key = \"k\"\napi_secret = \"{SECRET}\n"),
        // unquoted value
        format!("[profiles.w]\napi_key = \"k\"\napi_secret = {SECRET}\n"),
        // junk after the value
        format!("[profiles.w]\napi_key = \"k\"\napi_secret = \"x\" {SECRET}\n"),
        // wrong type: serde would quote the value
        format!("[profiles.w]\napi_key = \"k\"\napi_secret = {numeric_secret}\n"),
        // wrong type: table
        format!("[profiles.w]\napi_secret = {{ v = \"{SECRET}\" }}\n"),
    ];
    for text in &cases {
        let (_, err) = load_err(text);
        let msg = err.to_string();
        assert!(matches!(err, ConfigError::Parse { .. }), "{msg}");
        assert!(!msg.contains(SECRET), "secret leaked: {msg}");
        assert!(!msg.contains(numeric_secret), "secret leaked: {msg}");
        assert!(!msg.contains('\n'), "{msg}");
        assert!(
            !format!("{err:?}").contains(SECRET),
            "secret leaked: {err:?}"
        );
    }

    // The type error still names the key and line.
    let (path, err) = load_err(&cases[4]);
    assert_eq!(
        err.to_string(),
        format!(
            "{}:3: `api_secret` in [profiles.w]: invalid type: integer, expected a string",
            path.display()
        )
    );
}

#[test]
fn loaded_config_debug_hides_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let file = load_text(
        dir.path(),
        &format!("[profiles.w]\napi_key = \"key-{SECRET}\"\napi_secret = \"{SECRET}\"\n"),
    );
    let shown = format!("{file:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    let overrides = Overrides {
        api_key: Some("k".into()),
        api_secret: Some(SECRET.into()),
        ..Overrides::default()
    };
    let shown = format!("{overrides:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    let r = resolve(&overrides, no_env(), Some(&file)).unwrap();
    assert!(!format!("{r:?}").contains(SECRET));
}

// ---------------------------------------------------------------- credentials

#[test]
fn credentials_debug_redacts() {
    let c = basic("abcdefghijkl", SECRET);
    let shown = format!("{c:?}");
    assert_eq!(
        shown,
        "Basic { key: \"ab…(redacted)\", secret: \"(redacted)\" }"
    );
    assert!(!shown.contains(SECRET));
    assert!(!shown.contains("abcdefghijkl"));

    let t = Credentials::Bearer {
        token: SECRET.into(),
    };
    assert!(!format!("{t:?}").contains(SECRET));
    assert_eq!(format!("{:?}", Credentials::None), "None");
}

#[test]
fn authorization_header_basic_is_base64_of_key_colon_secret() {
    let c = basic("my-key", "my:secret");
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("my-key:my:secret")
    );
    assert_eq!(c.authorization_header(), Some(expected));
    // A known vector (RFC 7617 example).
    assert_eq!(
        basic("Aladdin", "open sesame")
            .authorization_header()
            .as_deref(),
        Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
    );
}

// ---------------------------------------------------------------- permissions

#[cfg(unix)]
#[test]
fn world_readable_file_loads_with_warning() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), TWO_PROFILES);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let loaded = load(&path).unwrap().unwrap();
    let shown = path.display();
    assert_eq!(
        loaded.warnings,
        vec![format!(
            "warning: {shown} is readable by other users (mode 0644); run: chmod 600 {shown}"
        )]
    );
    // The warning is passed on by resolve.
    let r = resolve(&Overrides::default(), no_env(), Some(&loaded)).unwrap();
    assert_eq!(r.warnings, loaded.warnings);

    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    assert!(load(&path).unwrap().unwrap().warnings.is_empty());
}

// ---------------------------------------------------------------- saving

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn save_creates_directory_and_file_with_private_modes() {
    let dir = tempfile::tempdir().unwrap();
    let cfg_dir = dir.path().join("cfg").join("assetui");
    let path = cfg_dir.join("config.toml");
    save_credentials(&path, "work", "new-key", SECRET).unwrap();

    #[cfg(unix)]
    {
        assert_eq!(mode(&cfg_dir), 0o700);
        assert_eq!(mode(&path), 0o600);
    }
    let loaded = load(&path).unwrap().unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    // A first profile becomes the default so it is used without --profile.
    assert_eq!(loaded.config.default_profile.as_deref(), Some("work"));
    let r = resolve(&Overrides::default(), no_env(), Some(&loaded)).unwrap();
    assert_eq!(r.credentials, basic("new-key", SECRET));

    // No temporary files are left behind.
    let names: Vec<_> = fs::read_dir(&cfg_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("config.toml")]);
}

#[test]
fn save_preserves_other_profiles_keys_and_comments() {
    let dir = tempfile::tempdir().unwrap();
    let original = r#"# my assetui settings
default_profile = "home"

[profiles.home]
# personal account
jwt = "home-token"
base_url = "https://home.example.com/v1"

[profiles.work]
api_key = "old-key"    # rotated yearly
api_secret = "old-secret"
base_url = "https://work.example.com/v1"
"#;
    let path = write_config(dir.path(), original);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    }

    save_credentials(&path, "work", "new-key", "new-secret").unwrap();
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);

    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains("# my assetui settings"), "{text}");
    assert!(text.contains("# personal account"), "{text}");
    assert!(text.contains("# rotated yearly"), "{text}");
    assert!(!text.contains("old-key"), "{text}");
    assert!(!text.contains("old-secret"), "{text}");

    let loaded = load(&path).unwrap().unwrap();
    let cfg = &loaded.config;
    assert_eq!(cfg.default_profile.as_deref(), Some("home"));
    let home = &cfg.profiles["home"];
    assert_eq!(home.jwt.as_deref(), Some("home-token"));
    assert_eq!(
        home.base_url.as_deref(),
        Some("https://home.example.com/v1")
    );
    let work = &cfg.profiles["work"];
    assert_eq!(work.api_key.as_deref(), Some("new-key"));
    assert_eq!(work.api_secret.as_deref(), Some("new-secret"));
    assert_eq!(
        work.base_url.as_deref(),
        Some("https://work.example.com/v1")
    );

    // A second save to the same profile replaces the values again.
    save_credentials(&path, "work", "third-key", "third-secret").unwrap();
    let loaded = load(&path).unwrap().unwrap();
    let work = &loaded.config.profiles["work"];
    assert_eq!(work.api_key.as_deref(), Some("third-key"));
    assert_eq!(work.api_secret.as_deref(), Some("third-secret"));
    assert_eq!(loaded.config.profiles.len(), 2);
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches("api_key").count(), 1, "{text}");
    assert!(text.contains("# rotated yearly"), "{text}");

    // Saving key/secret to a jwt profile replaces the token.
    save_credentials(&path, "home", "hk", "hs").unwrap();
    let loaded = load(&path).unwrap().unwrap();
    let home = &loaded.config.profiles["home"];
    assert_eq!(home.jwt, None);
    assert_eq!(home.api_key.as_deref(), Some("hk"));
}

#[test]
fn save_adds_a_new_profile_to_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), "[profiles.a]\njwt = \"t\"\n");
    save_credentials(&path, "b", "bk", "bs").unwrap();
    let loaded = load(&path).unwrap().unwrap();
    assert_eq!(loaded.config.profile_names(), vec!["a", "b"]);
    // Existing profiles: default_profile is not invented.
    assert_eq!(loaded.config.default_profile, None);
}

#[test]
fn save_refuses_to_overwrite_invalid_toml() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "[profiles.a\njwt = \"t\"\n";
    let path = write_config(dir.path(), broken);
    let err = save_credentials(&path, "a", "k", SECRET).unwrap_err();
    assert!(matches!(err, ConfigError::Parse { .. }), "{err}");
    assert!(err.to_string().contains(":1:"), "{err}");
    assert_eq!(fs::read_to_string(&path).unwrap(), broken);
}

#[test]
fn save_rejects_empty_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    assert!(save_credentials(&path, "", "k", "s").is_err());
    assert!(save_credentials(&path, "p", "k", " ").is_err());
    assert!(!path.exists());
}

#[test]
fn a_keys_table_rebinds_the_browser() {
    use assetui::app::keymap::Keymap;
    use assetui::app::Action;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let dir = tempfile::tempdir().unwrap();
    let loaded = load_text(
        dir.path(),
        "[keys]\ndown = [\"ctrl-n\", \"j\"]\nquit = \"Q\"\n",
    );
    let overrides = loaded
        .config
        .keys
        .iter()
        .map(|(k, v)| (k.clone(), v.to_vec()))
        .collect();
    let map = Keymap::with_overrides(&overrides).unwrap();
    let ev = |c, m| KeyEvent::new(KeyCode::Char(c), m);
    assert_eq!(
        map.action_for(&ev('n', KeyModifiers::CONTROL)),
        Some(Action::Down)
    );
    assert_eq!(
        map.action_for(&ev('Q', KeyModifiers::SHIFT)),
        Some(Action::Quit)
    );
    assert_eq!(map.action_for(&ev('q', KeyModifiers::NONE)), None);
    // a wrong value type is a config error with its line
    let (_, err) = load_err("[keys]\ndown = 3\n");
    let msg = err.to_string();
    assert!(
        msg.contains("config.toml:2:") && msg.contains("a list of keys"),
        "{msg}"
    );
}

#[test]
fn clipboard_mode_is_read_and_a_wrong_one_names_the_choices() {
    use assetui::clipboard::Mode;
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(load_text(dir.path(), "").config.clipboard, None);
    for (text, mode) in [
        ("auto", Mode::Auto),
        ("native", Mode::Native),
        ("osc52", Mode::Osc52),
    ] {
        let loaded = load_text(dir.path(), &format!("clipboard = \"{text}\"\n"));
        assert_eq!(loaded.config.clipboard, Some(mode));
    }
    let (_, err) = load_err("\nclipboard = \"xclip\"\n");
    let msg = err.to_string();
    assert!(msg.contains(":2:") && msg.contains("xclip"), "{msg}");
    assert!(msg.contains("auto") && msg.contains("osc52"), "{msg}");
}

#[test]
fn image_protocol_is_read_and_a_wrong_one_names_the_choices() {
    use assetui::graphics::ProtocolChoice;
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(load_text(dir.path(), "").config.image_protocol, None);
    for (text, choice) in [
        ("auto", ProtocolChoice::Auto),
        ("kitty", ProtocolChoice::Kitty),
        ("sixel", ProtocolChoice::Sixel),
        ("iterm2", ProtocolChoice::Iterm2),
        ("halfblocks", ProtocolChoice::Halfblocks),
        ("none", ProtocolChoice::None),
    ] {
        let loaded = load_text(dir.path(), &format!("image_protocol = \"{text}\"\n"));
        assert_eq!(loaded.config.image_protocol, Some(choice));
    }
    let (_, err) = load_err("\nimage_protocol = \"ascii\"\n");
    let msg = err.to_string();
    assert!(msg.contains(":2:") && msg.contains("ascii"), "{msg}");
    assert!(msg.contains("halfblocks") && msg.contains("kitty"), "{msg}");
}

#[test]
fn a_downloads_table_is_read_and_a_typo_in_it_named() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = load_text(
        dir.path(),
        "[downloads]\ndir = \"~/renders\"\nname = \"<type>/<id>\"\njobs = 6\n",
    );
    let d = &loaded.config.downloads;
    assert_eq!(d.name.as_deref(), Some("<type>/<id>"));
    assert_eq!(d.jobs, Some(6));
    let home = std::env::var("HOME").unwrap();
    assert_eq!(
        d.dir_or_default(),
        std::path::Path::new(&home).join("renders")
    );
    let (_, err) = load_err("[downloads]\njbos = 3\n");
    let msg = err.to_string();
    assert!(
        msg.contains(":2:") && msg.contains("jbos") && msg.contains("jobs"),
        "{msg}"
    );
}

// ---- TwelveLabs (issue 16, point 2) ----

const TL_PROFILE: &str = r#"
default_profile = "video"
[profiles.video]
provider = "twelvelabs"
api_key = "tlk_file_key_123456"
[profiles.work]
api_key = "k"
api_secret = "s"
"#;

#[test]
fn a_profile_can_choose_twelvelabs_and_its_key_alone_is_enough() {
    use assetui::provider::ProviderKind;
    let dir = tempfile::tempdir().unwrap();
    let file = load_text(dir.path(), TL_PROFILE);
    let r = resolve(&Overrides::default(), no_env(), Some(&file)).unwrap();
    assert_eq!(r.provider, ProviderKind::TwelveLabs);
    assert_eq!(
        r.credentials,
        Credentials::ApiKey {
            key: "tlk_file_key_123456".into()
        }
    );
    assert_eq!(r.base_url, "https://api.twelvelabs.io/v1.3");
    assert!(!r.base_url_explicit);
    // the key never shows in Debug
    assert!(!format!("{r:?}").contains("file_key"), "{r:?}");
    // --provider beats the profile's provider
    let overrides = Overrides {
        provider: Some(ProviderKind::Scenario),
        profile: Some("work".into()),
        ..Overrides::default()
    };
    let r = resolve(&overrides, no_env(), Some(&file)).unwrap();
    assert_eq!(r.provider, ProviderKind::Scenario);
}

#[test]
fn twelvelabs_reads_its_own_variables_after_the_flags() {
    use assetui::provider::ProviderKind;
    let twelve = Overrides {
        provider: Some(ProviderKind::TwelveLabs),
        ..Overrides::default()
    };
    let e = env(&[
        ("TWELVE_LABS_API_KEY", "tlk_env"),
        ("TWELVELABS_BASE_URL", "http://127.0.0.1:9/v1.3/"),
        (ENV_API_KEY, "scenario-key"),
        (ENV_API_SECRET, "scenario-secret"),
    ]);
    let r = resolve(&twelve, &e, None).unwrap();
    assert_eq!(
        r.credentials,
        Credentials::ApiKey {
            key: "tlk_env".into()
        }
    );
    assert_eq!(r.source, CredentialSource::TwelveLabsEnvironment);
    assert_eq!(r.base_url, "http://127.0.0.1:9/v1.3");
    let flagged = Overrides {
        api_key: Some("tlk_flag".into()),
        api_secret: Some("ignored".into()),
        ..twelve.clone()
    };
    let r = resolve(&flagged, &e, None).unwrap();
    assert_eq!(
        r.credentials,
        Credentials::ApiKey {
            key: "tlk_flag".into()
        }
    );
    assert!(r
        .warnings
        .iter()
        .any(|w| w.contains("--api-secret is ignored")));
    // no key anywhere: the demo library
    let r = resolve(&twelve, no_env(), None).unwrap();
    assert!(r.credentials.is_none());
}

#[test]
fn an_unknown_provider_in_a_profile_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = load_text(
        dir.path(),
        "[profiles.default]\nprovider = \"midjourney\"\napi_key = \"k\"\n",
    );
    let err = resolve(&Overrides::default(), no_env(), Some(&file)).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("scenario or twelvelabs"), "{text}");
    assert!(text.contains("profile \"default\""), "{text}");
}

#[test]
fn a_scenario_profile_key_never_goes_to_twelvelabs() {
    use assetui::provider::ProviderKind;
    let dir = tempfile::tempdir().unwrap();
    let file = load_text(
        dir.path(),
        "[profiles.default]\napi_key = \"scenario-key\"\napi_secret = \"s\"\n\
         [profiles.twelvelabs]\nprovider = \"twelvelabs\"\napi_key = \"tlk_saved\"\n",
    );
    let twelve = Overrides {
        provider: Some(ProviderKind::TwelveLabs),
        ..Overrides::default()
    };
    // without --profile: the `twelvelabs` profile login saves to
    let r = resolve(&twelve, no_env(), Some(&file)).unwrap();
    assert_eq!(
        r.credentials,
        Credentials::ApiKey {
            key: "tlk_saved".into()
        }
    );
    // a Scenario profile named explicitly gives no key to TwelveLabs
    let named = Overrides {
        profile: Some("default".into()),
        ..twelve.clone()
    };
    let r = resolve(&named, no_env(), Some(&file)).unwrap();
    assert!(r.credentials.is_none(), "{r:?}");
}

/// `v` in the browser writes `density`: the rest of the file (comments,
/// other keys, profiles) is kept, a value already there is replaced in
/// place with its comment, the file stays 0600, and a value the browser
/// would refuse is never written.
#[test]
fn a_setting_is_written_keeping_the_rest_of_the_file() {
    use assetui::app::layout::Density;
    use assetui::config::save_setting;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("config.toml");
    // created when missing
    save_setting(&path, "density", "grid").unwrap();
    assert_eq!(
        load(&path).unwrap().unwrap().config.density,
        Some(Density::Grid)
    );
    let text = "# mine\ndensity = \"grid\" # the list\nclipboard = \"osc52\"\n\n[profiles.work]\njwt = \"t\" # token\n";
    fs::write(&path, text).unwrap();
    save_setting(&path, "density", "compact").unwrap();
    let after = fs::read_to_string(&path).unwrap();
    assert_eq!(after, text.replace("\"grid\"", "\"compact\""), "{after}");
    let loaded = load(&path).unwrap().unwrap();
    assert_eq!(loaded.config.density, Some(Density::Compact));
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // a value the browser would refuse leaves the file as it was
    assert!(save_setting(&path, "density", "tiny").is_err());
    assert_eq!(fs::read_to_string(&path).unwrap(), after);
}
