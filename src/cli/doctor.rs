//! `assetui doctor`: what assetui sees of its surroundings, one line per
//! check (ok / warn / fail), or one JSON object with `--json`.
//!
//! The checks are informational except the API's: the command exits 1 when
//! the API does not answer one `GET /assets?pageSize=1`. Credentials are
//! described by where they came from, never by their values; every string
//! from outside (environment, paths, server errors) is sanitized.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use serde_json::{json, Map, Value};

use super::args::{DoctorArgs, GlobalArgs};
use super::{context, CliError};
use crate::api::params::ListAssetsQuery;
use crate::api::ApiError;
use crate::config::{self, CredentialSource, Credentials, LoadedConfig, Overrides};
use crate::dirs;
use crate::graphics::{self, ProtocolChoice};
use crate::sanitize;
use crate::text::human_size;
use crate::ui::theme::Theme;

/// Longest environment value or path shown.
const MAX_VALUE: usize = 256;
/// Longest error message shown.
const MAX_ERROR: usize = 400;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// One check: its status, a line for people and the facts for `--json`.
struct Check {
    key: &'static str,
    label: &'static str,
    status: Status,
    summary: String,
    facts: Map<String, Value>,
}

impl Check {
    fn new(key: &'static str, label: &'static str, status: Status, summary: String) -> Check {
        Check {
            key,
            label,
            status,
            summary,
            facts: Map::new(),
        }
    }

    fn fact(mut self, name: &str, value: impl Into<Value>) -> Check {
        self.facts.insert(name.to_owned(), value.into());
        self
    }
}

/// Runs every check, prints them, and fails (exit 1) when the API did not
/// answer.
pub async fn run(global: &GlobalArgs, args: DoctorArgs) -> Result<(), CliError> {
    let terminal = terminal();
    let (config_check, loaded) = config_file();
    let file_choice = loaded.as_ref().and_then(|l| l.config.image_protocol);
    let file_theme = loaded.as_ref().and_then(|l| l.config.theme);
    let (image, detection) = image_protocol(global.image_protocol, file_choice, file_theme).await;
    let theme = theme(file_theme, detection.as_ref());
    let (credentials, base_url) = credentials(global, loaded.as_ref());
    let api = api(global, base_url).await;
    let api_failed = api.status == Status::Fail;
    let keys_error = config_check
        .facts
        .get("keys_error")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let api_answered = api.facts.get("answered") == Some(&Value::Bool(true));
    let api_base = api.facts.get("base_url").cloned();
    let checks = [
        terminal,
        image,
        theme,
        config_check,
        credentials,
        api,
        cache(),
        log(),
    ];

    let mut out = std::io::stdout().lock();
    if args.json {
        let mut report = Map::new();
        report.insert("version".into(), env!("CARGO_PKG_VERSION").into());
        for check in checks {
            let mut facts = Map::new();
            facts.insert("status".into(), check.status.name().into());
            facts.insert("summary".into(), check.summary.into());
            facts.extend(check.facts);
            report.insert(check.key.into(), Value::Object(facts));
        }
        crate::api::models::json::to_writer_pretty(&mut out, &Value::Object(report))
            .map_err(|e| CliError::Failed(format!("cannot write the output: {e}")))?;
        writeln!(out)?;
    } else {
        writeln!(out, "assetui {}", env!("CARGO_PKG_VERSION"))?;
        for check in &checks {
            writeln!(
                out,
                "{:<4}  {:<14}  {}",
                check.status.name(),
                check.label,
                check.summary
            )?;
        }
    }
    out.flush()?;

    if let Some(e) = keys_error {
        return Err(CliError::Failed(format!(
            "config.toml: {e} (the browser will not start)"
        )));
    }
    if api_failed {
        let base = api_base.as_ref().and_then(Value::as_str).unwrap_or("it");
        return Err(CliError::Failed(if api_answered {
            format!("the API at {base} answered with an error (see its line above)")
        } else {
            format!("the API at {base} did not answer")
        }));
    }
    Ok(())
}

/// An environment variable, sanitized; `None` when unset or empty.
fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| sanitize::line(&v, MAX_VALUE))
}

fn shown(path: &Path) -> String {
    sanitize::line(&path.display().to_string(), MAX_VALUE)
}

fn terminal() -> Check {
    use std::io::IsTerminal;
    let (term, program, colorterm) = (env("TERM"), env("TERM_PROGRAM"), env("COLORTERM"));
    let multiplexer = if env("TMUX").is_some() {
        Some("tmux")
    } else if env("STY").is_some() {
        Some("screen")
    } else {
        match term.as_deref() {
            Some(t) if t.starts_with("tmux") => Some("tmux"),
            Some(t) if t.starts_with("screen") => Some("screen"),
            _ => None,
        }
    };
    let ssh = ["SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT"]
        .iter()
        .any(|v| env(v).is_some());
    let stdin_tty = std::io::stdin().is_terminal();
    let stdout_tty = std::io::stdout().is_terminal();
    let size = if stdout_tty {
        crossterm::terminal::size().ok()
    } else {
        None
    };

    let mut parts = vec![match &term {
        Some(t) => format!("TERM={t}"),
        None => "TERM unset".to_owned(),
    }];
    parts.extend(program.as_ref().map(|p| format!("TERM_PROGRAM={p}")));
    parts.extend(colorterm.as_ref().map(|c| format!("COLORTERM={c}")));
    parts.extend(multiplexer.map(|m| format!("inside {m}")));
    if ssh {
        parts.push("over SSH".to_owned());
    }
    parts.push(match (size, stdin_tty, stdout_tty) {
        (Some((cols, rows)), true, _) => format!("{cols}×{rows} cells"),
        (Some((cols, rows)), false, _) => format!("{cols}×{rows} cells, stdin not a terminal"),
        _ => "not a terminal".to_owned(),
    });
    let status = if stdin_tty && stdout_tty {
        Status::Ok
    } else {
        Status::Warn
    };
    Check::new("terminal", "terminal", status, parts.join(", "))
        .fact("term", term)
        .fact("term_program", program)
        .fact("colorterm", colorterm)
        .fact("multiplexer", multiplexer)
        .fact("ssh", ssh)
        .fact("stdin_tty", stdin_tty)
        .fact("stdout_tty", stdout_tty)
        .fact(
            "size",
            size.map(|(columns, rows)| json!({"columns": columns, "rows": rows})),
        )
}

/// Puts the terminal in raw mode for the probe and always takes it out
/// again (also on panic).
struct RawMode;

impl RawMode {
    fn enable() -> Option<RawMode> {
        crossterm::terminal::enable_raw_mode()
            .ok()
            .map(|()| RawMode)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// The image protocol: in a terminal the terminal is asked afresh (and its
/// answers remembered for the browser); elsewhere the remembered answers
/// for this terminal are shown, if any. With `theme = "auto"` the
/// background is asked too (alone when the protocol needs no answers).
/// Returns the check and what the terminal said.
async fn image_protocol(
    flag: Option<ProtocolChoice>,
    file: Option<ProtocolChoice>,
    theme: Option<Theme>,
) -> (Check, Option<graphics::Detection>) {
    let (choice, source) = graphics::resolve_choice(flag, file);
    let env = |k: &str| std::env::var(k).ok();
    let key = graphics::terminal_key(&env);
    let want = graphics::Want {
        graphics: choice.wants_answers(),
        fresh: true,
        background: theme.unwrap_or_default() == Theme::Auto,
    };
    let detection = if want.graphics || want.background {
        let detected = tokio::task::spawn_blocking(move || {
            let _raw = graphics::can_probe().then(RawMode::enable);
            graphics::start_detect(want, |tty, query| {
                tty.write_all(query)?;
                tty.flush()
            })
            .wait()
        })
        .await;
        Some(detected.unwrap_or_else(|e| graphics::Detection {
            answers: None,
            found: graphics::Found::NotProbed(format!("the probe failed: {e}")),
            keys: Vec::new(),
            previous: None,
            not_asked: Some(format!("the probe failed: {e}")),
        }))
    } else {
        None
    };
    // the answers the protocol was chosen from (a choice that needs none
    // was asked the background only)
    let answers = detection
        .as_ref()
        .and_then(|d| d.answers.as_ref())
        .filter(|_| choice.wants_answers());
    let decision = graphics::decide(choice, answers, &env, graphics::Window::current());
    let drawer = graphics::drawer_for(&decision);
    let picker = drawer.as_ref().map(|d| &d.picker);
    let name = match &drawer {
        Some(d) if d.kitty_direct => "kitty-direct",
        _ => graphics::protocol_name(picker),
    };
    let found = detection
        .as_ref()
        .filter(|_| choice.wants_answers())
        .map(|d| &d.found);
    let how = match (choice, found) {
        (ProtocolChoice::Auto, Some(graphics::Found::Probed(took))) => format!(
            "{}; asked now, answered in {} ms, remembered for this terminal",
            decision.why,
            took.as_millis()
        ),
        (ProtocolChoice::Auto, Some(graphics::Found::Cached)) => format!(
            "{}; remembered answer for this terminal (run `assetui doctor` in it to ask again)",
            decision.why
        ),
        (ProtocolChoice::Auto, Some(graphics::Found::NotProbed(why))) => {
            format!("not probed: {why}")
        }
        (ProtocolChoice::Auto, None) => "not probed".to_owned(),
        (ProtocolChoice::None, _) => format!("set by {}", source.describe()),
        // a forced kitty still says how its images are placed
        (_, _) => match decision.why.strip_prefix("forced; ") {
            Some(placement) => format!("forced by {}; {placement}", source.describe()),
            None => format!("forced by {}", source.describe()),
        },
    };
    let status = if choice == ProtocolChoice::Auto
        && matches!(
            found,
            Some(graphics::Found::Probed(_) | graphics::Found::Cached)
        )
        && name == "halfblocks"
    {
        Status::Warn
    } else {
        Status::Ok
    };
    let terminal_name = decision
        .terminal
        .as_ref()
        .map(|t| sanitize::line(&t.describe(), MAX_VALUE));
    let mut summary = match &terminal_name {
        Some(t) => format!("{t}: "),
        None if answers.is_some() => "terminal did not name itself: ".to_owned(),
        None => String::new(),
    };
    summary.push_str(&format!(
        "{} ({})",
        graphics::describe_drawer(drawer.as_ref()),
        sanitize::line(&how, MAX_ERROR)
    ));
    let registers = answers.and_then(|a| a.sixel_registers);
    if let Some(line) = sixel_registers(
        registers,
        name == "sixel",
        decision.palette,
        decision.terminal.as_ref(),
    ) {
        summary.push_str("; ");
        summary.push_str(&line);
    }
    summary.push_str(
        "; to override: --image-protocol, ASSETUI_IMAGE_PROTOCOL or \
         image_protocol = \"kitty\" (kitty-direct, sixel, iterm2, halfblocks, none) in config.toml",
    );
    let font =
        picker.map(|p| json!({"width": p.font_size().width, "height": p.font_size().height}));
    let (found_name, probe_ms) = match found {
        Some(graphics::Found::Probed(took)) => (
            "probed",
            Some(u64::try_from(took.as_millis()).unwrap_or(u64::MAX)),
        ),
        Some(graphics::Found::Cached) => ("cached", None),
        _ => ("not_probed", None),
    };
    let answers_json = answers.map(|a| serde_json::to_value(a).unwrap_or(Value::Null));
    let source_name = match source {
        graphics::ChoiceSource::Flag => "flag_or_env",
        graphics::ChoiceSource::ConfigFile => "config_file",
        graphics::ChoiceSource::Default => "default",
    };
    let check = Check::new("image_protocol", "image protocol", status, summary)
        .fact("choice", choice.name())
        .fact("choice_source", source_name)
        .fact("probed", found_name == "probed")
        .fact("found", found_name)
        .fact("probe_ms", probe_ms)
        .fact("protocol", name)
        .fact("why", sanitize::line(&decision.why, MAX_ERROR))
        .fact("font_px", font)
        .fact(
            "kitty_direct",
            drawer.as_ref().is_some_and(|d| d.kitty_direct),
        )
        .fact(
            "terminal_name",
            decision
                .terminal
                .as_ref()
                .map(|t| sanitize::line(&t.name, MAX_VALUE)),
        )
        .fact(
            "terminal_version",
            decision
                .terminal
                .as_ref()
                .and_then(|t| t.version.as_deref())
                .map(|v| sanitize::line(v, MAX_VALUE)),
        )
        .fact("sixel_registers", registers)
        .fact(
            "sixel_colours",
            (name == "sixel").then_some(decision.palette),
        )
        .fact("tmux", picker.is_some_and(|p| p.tmux_detected()))
        .fact("terminal_key", sanitize::line(&key, MAX_VALUE))
        .fact("answers", answers_json)
        .fact("cache_file", graphics::cache_file().map(|p| shown(&p)));
    (check, detection)
}

/// What the terminal said of its sixel colour registers, when it said
/// something or sixel is drawn: `sixel: 1024 colour registers`, with how
/// many colours images use when fewer than 256, and how to raise them in
/// xterm.
fn sixel_registers(
    registers: Option<u16>,
    drawn: bool,
    palette: u16,
    terminal: Option<&graphics::TerminalId>,
) -> Option<String> {
    let Some(n) = registers else {
        return drawn.then(|| {
            format!(
                "sixel: colour registers not reported ({} colours used)",
                graphics::FULL_PALETTE
            )
        });
    };
    let mut line = format!("sixel: {n} colour registers");
    if n < graphics::FULL_PALETTE {
        if drawn {
            line.push_str(&format!(", images use {palette} colours"));
        } else if n < graphics::MIN_SIXEL_REGISTERS {
            line.push_str(", too few for pictures: half blocks");
        }
        if terminal.is_some_and(|t| t.name.eq_ignore_ascii_case("xterm")) {
            line.push_str(
                " (xterm: raise them with `xterm -xrm 'XTerm*numColorRegisters: 256'` \
                 or that line in ~/.Xresources)",
            );
        }
    }
    Some(line)
}

/// The theme: chosen in config.toml, or (auto) from the background the
/// terminal reported.
fn theme(chosen: Option<Theme>, detection: Option<&graphics::Detection>) -> Check {
    let chosen = chosen.unwrap_or_default();
    let background = detection
        .and_then(|d| d.answers.as_ref())
        .and_then(|a| a.background);
    let (used, summary) = match chosen {
        Theme::Dark | Theme::Light => {
            let name = theme_name(chosen);
            (name, format!("{name} (theme = \"{name}\" in config.toml)"))
        }
        Theme::Auto => match background {
            Some(rgb) => {
                let name = if crate::ui::theme::is_light(rgb) {
                    "light"
                } else {
                    "dark"
                };
                (
                    name,
                    format!(
                        "auto: {name} (the terminal's background is #{:02x}{:02x}{:02x}; \
                         asked at every start)",
                        rgb.0, rgb.1, rgb.2
                    ),
                )
            }
            None => (
                "dark",
                match detection.and_then(|d| d.not_asked.as_deref()) {
                    Some(why) => {
                        format!("auto: dark (not asked: {})", sanitize::line(why, MAX_ERROR))
                    }
                    None => "auto: dark (the terminal did not report its background)".to_owned(),
                },
            ),
        },
    };
    let summary =
        format!("{summary}; to choose: theme = \"dark\" or \"light\" (or \"auto\") in config.toml");
    Check::new("theme", "theme", Status::Ok, summary)
        .fact("choice", theme_name(chosen))
        .fact("theme", used)
        .fact(
            "background",
            background.map(|(r, g, b)| format!("#{r:02x}{g:02x}{b:02x}")),
        )
}

fn theme_name(theme: Theme) -> &'static str {
    match theme {
        Theme::Auto => "auto",
        Theme::Dark => "dark",
        Theme::Light => "light",
    }
}

fn config_file() -> (Check, Option<LoadedConfig>) {
    let Some(path) = config::default_config_path() else {
        let check = Check::new(
            "config",
            "config file",
            Status::Warn,
            "no location: neither XDG_CONFIG_HOME nor HOME is set".to_owned(),
        )
        .fact("path", Value::Null)
        .fact("exists", false);
        return (check, None);
    };
    let base =
        Check::new("config", "config file", Status::Ok, String::new()).fact("path", shown(&path));
    match config::load(&path) {
        Ok(None) => {
            let mut check = base.fact("exists", false);
            check.summary = format!(
                "{} (not found; optional: `assetui login` writes it)",
                shown(&path)
            );
            (check, None)
        }
        Ok(Some(loaded)) => {
            let warnings: Vec<String> = loaded
                .warnings
                .iter()
                .map(|w| sanitize::line(w, MAX_ERROR))
                .collect();
            let mut check = base
                .fact("exists", true)
                .fact("profiles", loaded.config.profile_names())
                .fact("default_profile", loaded.config.default_profile.clone())
                .fact("warnings", warnings.clone());
            let profiles = loaded.config.profile_names();
            check.summary = if profiles.is_empty() {
                format!("{} (no profiles)", shown(&path))
            } else {
                let names: Vec<String> = profiles.iter().map(|p| sanitize::line(p, 80)).collect();
                format!("{} (profiles: {})", shown(&path), names.join(", "))
            };
            if !warnings.is_empty() {
                check.status = Status::Warn;
                check.summary = format!("{}; {}", check.summary, warnings.join("; "));
            }
            // the browser refuses to start on a bad [keys] table: say it here
            let overrides = loaded
                .config
                .keys
                .iter()
                .map(|(k, v)| (k.clone(), v.to_vec()))
                .collect();
            if let Err(e) = crate::app::keymap::Keymap::with_overrides(&overrides) {
                let e = sanitize::line(&e, MAX_ERROR);
                check = check.fact("keys_error", e.clone());
                check.status = Status::Fail;
                check.summary = format!("{}; the browser will not start: {e}", check.summary);
            }
            (check, Some(loaded))
        }
        Err(e) => {
            let mut check = base
                .fact("exists", path.exists())
                .fact("error", sanitize::line(&e.to_string(), MAX_ERROR));
            check.status = Status::Fail;
            check.summary = sanitize::line(&e.to_string(), MAX_ERROR);
            (check, None)
        }
    }
}

/// The credentials check, and the base URL they go with (for the API check
/// when connecting fails).
fn credentials(global: &GlobalArgs, loaded: Option<&LoadedConfig>) -> (Check, Option<String>) {
    let overrides = Overrides {
        provider: global.provider,
        base_url: global.base_url.clone(),
        api_key: global.api_key.clone(),
        api_secret: global.api_secret.clone(),
        profile: global.profile.clone(),
    };
    let resolved = match config::resolve(&overrides, |k| std::env::var(k).ok(), loaded) {
        Ok(r) => r,
        Err(e) => {
            let message = sanitize::line(&e.to_string(), MAX_ERROR);
            let check = Check::new("credentials", "credentials", Status::Fail, message.clone())
                .fact("source", Value::Null)
                .fact("error", message);
            return (check, None);
        }
    };
    let demo = context::uses_demo(global, &resolved);
    let kind = match resolved.credentials {
        Credentials::None => None,
        Credentials::Basic { .. } => Some("API key and secret"),
        Credentials::Bearer { .. } => Some("bearer token"),
        Credentials::ApiKey { .. } => Some("API key"),
    };
    let source = match resolved.source {
        _ if global.demo => "demo",
        CredentialSource::Flags => "flags",
        CredentialSource::Environment { .. } | CredentialSource::TwelveLabsEnvironment => {
            "environment"
        }
        CredentialSource::ConfigFile { .. } => "config_file",
        CredentialSource::None => "none",
    };
    let demo_dir = demo
        .then(|| context::demo_dir(resolved.provider))
        .flatten()
        .map(|d| sanitize::line(&d.display().to_string(), MAX_VALUE));
    let kept = match &demo_dir {
        Some(d) => format!(", its changes kept in {d}"),
        None => String::new(),
    };
    let (status, mut summary) = match (demo, kind) {
        (true, _) if global.demo => (
            Status::Ok,
            format!("none: built-in demo library (--demo){kept}"),
        ),
        (true, _) => (Status::Ok, format!("none: built-in demo library{kept}")),
        (false, None) => (
            Status::Warn,
            "none: requests go to the configured base URL without credentials".to_owned(),
        ),
        (false, Some(kind)) => (
            Status::Ok,
            sanitize::line(&format!("{kind} from {}", resolved.source), MAX_ERROR),
        ),
    };
    // The config file's own warnings are shown on its line already.
    let file_warnings = loaded.map(|l| l.warnings.as_slice()).unwrap_or_default();
    let warnings: Vec<String> = resolved
        .warnings
        .iter()
        .filter(|w| !file_warnings.contains(w))
        .map(|w| sanitize::line(w, MAX_ERROR))
        .collect();
    let status = if warnings.is_empty() {
        status
    } else {
        summary = format!("{summary}; {}", warnings.join("; "));
        Status::Warn
    };
    let check = Check::new("credentials", "credentials", status, summary)
        .fact("source", source)
        .fact(
            "description",
            sanitize::line(&resolved.source.to_string(), MAX_ERROR),
        )
        .fact("kind", kind)
        .fact("profile", resolved.profile.clone())
        .fact("demo", demo)
        .fact("demo_data", demo_dir)
        .fact("warnings", warnings);
    let base = (!demo).then(|| sanitize::line(&resolved.base_url, MAX_VALUE));
    (check, base)
}

/// One `GET /assets?pageSize=1` through the client every command uses.
async fn api(global: &GlobalArgs, configured_base: Option<String>) -> Check {
    let label = "API";
    let connected = match context::settings(global) {
        Ok(r) => context::connect_resolved(global, r, false).await,
        Err(e) => Err(e),
    };
    let ctx = match connected {
        Ok(ctx) => ctx,
        Err(e) => {
            let message = sanitize::line(&e.to_string(), MAX_ERROR);
            return Check::new(
                "api",
                label,
                Status::Fail,
                format!("did not answer: {message}"),
            )
            .fact("base_url", configured_base)
            .fact("answered", false)
            .fact("elapsed_ms", Value::Null)
            .fact("error", message);
        }
    };
    let base = match &ctx.service {
        context::Service::Scenario(c) => c.base_url(),
        context::Service::TwelveLabs(c) => c.base_url(),
    };
    let base = sanitize::line(&base, MAX_VALUE);
    let demo = configured_base.is_none();
    let query = ListAssetsQuery {
        page_size: Some(1),
        ..ListAssetsQuery::default()
    };
    let started = Instant::now();
    // (the error's line, whether the transport failed, a refused key)
    let result: Result<(), (String, bool, Option<String>)> = match &ctx.service {
        context::Service::Scenario(c) => {
            c.list_assets_page(&query).await.map(|_| ()).map_err(|e| {
                let silent = matches!(
                    e,
                    ApiError::Unreachable { .. }
                        | ApiError::Interrupted { .. }
                        | ApiError::Timeout { .. }
                );
                let refused = match &e {
                    ApiError::Unauthorized { status, message } => Some(format!(
                        "{status}{}",
                        message
                            .as_deref()
                            .map(|m| format!(": {}", sanitize::line(m, 120)))
                            .unwrap_or_default()
                    )),
                    _ => None,
                };
                (e.to_string(), silent, refused)
            })
        }
        context::Service::TwelveLabs(c) => {
            use assetui_twelvelabs::Error as TlError;
            let query = assetui_twelvelabs::assets::ListAssets {
                page_limit: Some(1),
                ..Default::default()
            };
            c.list_assets(&query).await.map(|_| ()).map_err(|e| {
                let silent = matches!(
                    e,
                    TlError::Unreachable { .. }
                        | TlError::Interrupted { .. }
                        | TlError::Timeout { .. }
                );
                let refused = match &e {
                    TlError::Unauthorized { .. } => Some("401".to_string()),
                    _ => None,
                };
                (e.to_string(), silent, refused)
            })
        }
    };
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let check = Check::new("api", label, Status::Ok, String::new())
        .fact("base_url", base.clone())
        .fact("demo", demo)
        .fact("elapsed_ms", elapsed_ms);
    let what = if demo {
        format!("{base} (built-in demo library)")
    } else {
        base
    };
    match result {
        Ok(_) => {
            let mut check = check.fact("answered", true);
            let asked = match ctx.provider() {
                crate::provider::ProviderKind::Scenario => "GET /assets?pageSize=1",
                crate::provider::ProviderKind::TwelveLabs => "GET /assets?page_limit=1",
            };
            check.summary = format!("{what} answered {asked} in {elapsed_ms} ms");
            check
        }
        Err((e, silent, refused)) => {
            let message = sanitize::line(&e, MAX_ERROR);
            // a status is an answer: only the transport failing is silence
            let answered = !silent;
            let mut check = check
                .fact("answered", answered)
                .fact("error", message.clone());
            check.status = Status::Fail;
            check.summary = match refused {
                Some(why) => format!(
                    "{what} refused the credentials ({why}): check the values the \
                     credentials line names, or run `assetui login`"
                ),
                _ if answered => {
                    format!("{what} answered with an error ({elapsed_ms} ms): {message}")
                }
                _ => format!("{what} did not answer ({elapsed_ms} ms): {message}"),
            };
            check
        }
    }
}

/// A directory or file check: its path, whether it exists and its size.
fn location(
    key: &'static str,
    label: &'static str,
    path: Option<&Path>,
    size: impl Fn(&Path) -> u64,
    variable: &str,
) -> Check {
    let Some(path) = path else {
        return Check::new(
            key,
            label,
            Status::Warn,
            format!("no location: neither {variable} nor HOME is set"),
        )
        .fact("path", Value::Null)
        .fact("exists", false)
        .fact("bytes", 0);
    };
    let exists = path.exists();
    let bytes = if exists { size(path) } else { 0 };
    let summary = if exists {
        format!("{} ({})", shown(path), human_size(bytes))
    } else {
        format!("{} (not created yet)", shown(path))
    };
    Check::new(key, label, Status::Ok, summary)
        .fact("path", shown(path))
        .fact("exists", exists)
        .fact("bytes", bytes)
}

fn cache() -> Check {
    let dir = dirs::cache_dir();
    location(
        "cache",
        "cache",
        dir.as_deref(),
        dirs::dir_size,
        "XDG_CACHE_HOME",
    )
}

fn log() -> Check {
    let file = crate::logging::log_file();
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    location("log", "log file", file.as_deref(), size, "XDG_STATE_HOME")
}
