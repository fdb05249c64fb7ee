//! How images are drawn in the terminal: the image protocol choice (flag
//! `--image-protocol`, then `ASSETUI_IMAGE_PROTOCOL`, then
//! `image_protocol = "..."` in config.toml, then auto) and the
//! `ratatui-image` picker it yields, shared by the browser and
//! `assetui doctor`.
//!
//! Auto asks the terminal ([`crate::term_probe`]: no thread, done at the
//! DA1 answer or after half a second) and remembers its answers per
//! terminal — `TERM`, `TERM_PROGRAM`, inside tmux or not — in
//! `$XDG_CACHE_HOME/assetui/terminals.json`, so later starts do not ask
//! again. `assetui doctor` always asks afresh (in a terminal) and updates
//! that file. [`decide`] turns the answers and the environment into a
//! protocol, a font size and a reason, without I/O.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::FontSize;

pub use crate::term_probe::Answers;

/// The `--image-protocol` value (also `image_protocol` in config.toml).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProtocolChoice {
    /// Ask the terminal what it supports (half blocks if it does not say).
    #[default]
    Auto,
    /// The kitty graphics protocol (kitty, Ghostty, recent Konsole...).
    Kitty,
    /// Sixel graphics (foot, xterm -ti vt340, mlterm, Windows Terminal...).
    Sixel,
    /// iTerm2's inline images (iTerm2, WezTerm, mintty, VS Code...).
    Iterm2,
    /// Unicode half blocks: works everywhere, low resolution.
    Halfblocks,
    /// No images.
    None,
}

impl ProtocolChoice {
    /// The name as written on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ProtocolChoice::Auto => "auto",
            ProtocolChoice::Kitty => "kitty",
            ProtocolChoice::Sixel => "sixel",
            ProtocolChoice::Iterm2 => "iterm2",
            ProtocolChoice::Halfblocks => "halfblocks",
            ProtocolChoice::None => "none",
        }
    }

    /// Whether the choice uses the terminal's answers: auto for the
    /// protocol, a forced graphics protocol for the font size.
    pub fn wants_answers(self) -> bool {
        !matches!(self, ProtocolChoice::Halfblocks | ProtocolChoice::None)
    }

    /// The protocol an explicit choice forces (`None` for auto and none).
    fn forced(self) -> Option<ProtocolType> {
        match self {
            ProtocolChoice::Kitty => Some(ProtocolType::Kitty),
            ProtocolChoice::Sixel => Some(ProtocolType::Sixel),
            ProtocolChoice::Iterm2 => Some(ProtocolType::Iterm2),
            ProtocolChoice::Halfblocks => Some(ProtocolType::Halfblocks),
            ProtocolChoice::Auto | ProtocolChoice::None => None,
        }
    }
}

/// True when the terminal can be probed: stdin and stdout are both
/// terminals (otherwise the queries go nowhere or the answers never come).
pub fn can_probe() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// Where the protocol choice came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChoiceSource {
    /// `--image-protocol` or `ASSETUI_IMAGE_PROTOCOL`.
    Flag,
    /// `image_protocol` in config.toml.
    ConfigFile,
    /// Nothing set: auto.
    Default,
}

impl ChoiceSource {
    pub fn describe(self) -> &'static str {
        match self {
            ChoiceSource::Flag => "--image-protocol / ASSETUI_IMAGE_PROTOCOL",
            ChoiceSource::ConfigFile => "image_protocol in config.toml",
            ChoiceSource::Default => "default",
        }
    }
}

/// The flag (clap also reads `ASSETUI_IMAGE_PROTOCOL` into it), then the
/// config file, then auto.
pub fn resolve_choice(
    flag: Option<ProtocolChoice>,
    file: Option<ProtocolChoice>,
) -> (ProtocolChoice, ChoiceSource) {
    match (flag, file) {
        (Some(c), _) => (c, ChoiceSource::Flag),
        (None, Some(c)) => (c, ChoiceSource::ConfigFile),
        (None, None) => (ProtocolChoice::Auto, ChoiceSource::Default),
    }
}

/// Inside tmux, as ratatui-image decides it (`TERM=tmux*` or
/// `TERM_PROGRAM=tmux`), or `TMUX` set.
pub fn in_tmux(env: &impl Fn(&str) -> Option<String>) -> bool {
    env("TERM").is_some_and(|t| t.starts_with("tmux"))
        || env("TERM_PROGRAM").is_some_and(|p| p == "tmux")
        || env("TMUX").is_some_and(|t| !t.is_empty())
}

/// The terminal the answers are remembered for.
pub fn terminal_key(env: &impl Fn(&str) -> Option<String>) -> String {
    format!(
        "TERM={} TERM_PROGRAM={} tmux={}",
        env("TERM").unwrap_or_default(),
        env("TERM_PROGRAM").unwrap_or_default(),
        if in_tmux(env) { "yes" } else { "no" }
    )
}

/// The remembered answers, one entry per terminal key.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct CacheFile {
    terminals: std::collections::BTreeMap<String, Answers>,
}

/// At most this many terminals are remembered.
const CACHE_ENTRIES: usize = 32;

/// The file the answers are remembered in.
pub fn cache_file() -> Option<PathBuf> {
    crate::dirs::cache_dir().map(|d| d.join("terminals.json"))
}

fn read_cache(path: &Path) -> CacheFile {
    let Ok(text) = std::fs::read(path) else {
        return CacheFile::default();
    };
    serde_json::from_slice(&text).unwrap_or_else(|e| {
        tracing::debug!(error = %e, path = %path.display(), "ignoring a corrupt terminal cache");
        CacheFile::default()
    })
}

/// The answers remembered for `key`, if any.
pub fn cached(path: &Path, key: &str) -> Option<Answers> {
    read_cache(path).terminals.remove(key)
}

/// Remembers `answers` for `key` (written to a temporary file, then renamed
/// over the old one).
pub fn remember(path: &Path, key: &str, answers: &Answers) -> std::io::Result<()> {
    let mut file = read_cache(path);
    file.terminals.insert(key.to_owned(), answers.clone());
    while file.terminals.len() > CACHE_ENTRIES {
        let Some(other) = file.terminals.keys().find(|k| *k != key).cloned() else {
            break;
        };
        file.terminals.remove(&other);
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".terminals.json.{}", std::process::id()));
    let bytes = serde_json::to_vec_pretty(&file).map_err(std::io::Error::other)?;
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// How the answers were found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// Remembered from an earlier probe of this terminal.
    Cached,
    /// Asked now; it took this long.
    Probed(Duration),
    /// Not asked: the reason.
    NotProbed(String),
}

/// The terminal's answers and the keys typed while it was asked.
#[derive(Debug)]
pub struct Detection {
    pub answers: Option<Answers>,
    pub found: Found,
    pub keys: Vec<crossterm::event::KeyEvent>,
    /// What the cache held for this terminal before (when probed afresh).
    pub previous: Option<Answers>,
}

/// Finding the answers, in two steps: [`start_detect`] reads the cache or
/// writes the queries (on the caller's thread, in order with its frames);
/// [`Listening::finish`] reads the answers (may block up to the probe's
/// deadline: run it off the async threads).
pub enum Detecting {
    Done(Detection),
    Listening(Listening),
}

/// A probe whose queries are written: its answers are being awaited.
pub struct Listening {
    tty: std::fs::File,
    started: std::time::Instant,
    key: String,
    file: Option<PathBuf>,
    previous: Option<Answers>,
}

/// The answers for this terminal: remembered ones unless `fresh`, else the
/// terminal is asked — `ask` writes the queries (to stdout, or to the tty
/// it is given) — and the answers are remembered. The terminal must be in
/// raw mode, and nothing else may read it until [`Listening::finish`]
/// returns.
pub fn start_detect(
    fresh: bool,
    ask: impl FnOnce(&mut std::fs::File, &[u8]) -> std::io::Result<()>,
) -> Detecting {
    let env = |k: &str| std::env::var(k).ok();
    let key = terminal_key(&env);
    let file = cache_file();
    let previous = file.as_deref().and_then(|p| cached(p, &key));
    let not_probed = |previous: Option<Answers>, why: String| {
        Detecting::Done(Detection {
            found: if previous.is_some() {
                Found::Cached
            } else {
                Found::NotProbed(why)
            },
            answers: previous,
            keys: Vec::new(),
            previous: None,
        })
    };
    if !fresh && previous.is_some() {
        return not_probed(previous, String::new());
    }
    if !can_probe() {
        return not_probed(previous, "stdin or stdout is not a terminal".into());
    }
    let mut tty = match crate::term_probe::open_tty() {
        Ok(t) => t,
        Err(e) => return not_probed(previous, format!("cannot open the terminal: {e}")),
    };
    let started = std::time::Instant::now();
    if let Err(e) = ask(&mut tty, crate::term_probe::query()) {
        return not_probed(previous, format!("cannot ask the terminal: {e}"));
    }
    Detecting::Listening(Listening {
        tty,
        started,
        key,
        file,
        previous,
    })
}

impl Listening {
    /// Reads the answers (within the probe's deadline) and remembers them.
    pub fn finish(mut self) -> Detection {
        let listened =
            crate::term_probe::listen(&mut self.tty, self.started, crate::term_probe::DEADLINE);
        drop(self.tty);
        match listened {
            Ok(outcome) => {
                if let Some(path) = &self.file {
                    if let Err(e) = remember(path, &self.key, &outcome.answers) {
                        tracing::warn!(error = %e, "cannot remember the terminal's answers");
                    }
                }
                tracing::info!(answers = ?outcome.answers, elapsed = ?outcome.elapsed, keys = outcome.keys.len(), "terminal probed");
                Detection {
                    answers: Some(outcome.answers),
                    found: Found::Probed(outcome.elapsed),
                    keys: outcome.keys,
                    previous: self.previous,
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the terminal's answers");
                Detection {
                    answers: None,
                    found: Found::NotProbed(format!("cannot read the terminal's answers: {e}")),
                    keys: Vec::new(),
                    previous: self.previous,
                }
            }
        }
    }
}

impl Detecting {
    /// Both steps on this thread.
    pub fn wait(self) -> Detection {
        match self {
            Detecting::Done(d) => d,
            Detecting::Listening(l) => l.finish(),
        }
    }
}

/// The terminal's size in cells and pixels (the kernel's idea of it).
#[derive(Clone, Copy, Debug, Default)]
pub struct Window {
    pub columns: u16,
    pub rows: u16,
    pub width_px: u16,
    pub height_px: u16,
}

impl Window {
    pub fn current() -> Window {
        crossterm::terminal::window_size()
            .map(|w| Window {
                columns: w.columns,
                rows: w.rows,
                width_px: w.width,
                height_px: w.height,
            })
            .unwrap_or_default()
    }
}

/// What [`decide`] chose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// `None` for no images.
    pub protocol: Option<ProtocolType>,
    /// One cell in pixels, when known.
    pub font: Option<(u16, u16)>,
    /// Why, for people.
    pub why: String,
}

/// The protocol and font size for `choice`, from the terminal's answers
/// (`None`: not asked), the environment and the window size. Pure.
pub fn decide(
    choice: ProtocolChoice,
    answers: Option<&Answers>,
    env: &impl Fn(&str) -> Option<String>,
    window: Window,
) -> Decision {
    let per_cell = |(w, h): (u16, u16)| {
        (window.columns > 0 && window.rows > 0 && w > 0 && h > 0)
            .then(|| (w / window.columns, h / window.rows))
            .filter(|&(w, h)| w > 0 && h > 0)
    };
    let font = answers
        .and_then(|a| a.cell_px.or_else(|| a.window_px.and_then(per_cell)))
        .or_else(|| per_cell((window.width_px, window.height_px)));
    match choice {
        ProtocolChoice::None => {
            return Decision {
                protocol: None,
                font: None,
                why: "images off".into(),
            }
        }
        ProtocolChoice::Auto => {}
        forced => {
            return Decision {
                protocol: forced.forced(),
                font,
                why: "forced".into(),
            }
        }
    }
    let halfblocks = |why: String| Decision {
        protocol: Some(ProtocolType::Halfblocks),
        font,
        why,
    };
    let Some(a) = answers else {
        return halfblocks("the terminal was not asked".into());
    };
    // as ratatui-image: their kitty placeholders and sixel are unreliable
    let blacklisted = ["WEZTERM_EXECUTABLE", "KONSOLE_VERSION"]
        .iter()
        .any(|k| env(k).is_some_and(|v| !v.is_empty()));
    let iterm2 = iterm2_hint(env);
    let found = if a.kitty && !blacklisted {
        Some((
            ProtocolType::Kitty,
            "the terminal answered the kitty graphics query".to_owned(),
        ))
    } else if a.sixel && !blacklisted {
        Some((
            ProtocolType::Sixel,
            "the terminal reports sixel graphics (DA1)".to_owned(),
        ))
    } else {
        iterm2.map(|why| (ProtocolType::Iterm2, why))
    };
    match (found, font) {
        (Some((protocol, why)), Some(_)) => Decision {
            protocol: Some(protocol),
            font,
            why,
        },
        (Some((_, why)), None) => halfblocks(format!("{why}, but not its cell size in pixels")),
        (None, _) if !a.answered => halfblocks(format!(
            "the terminal did not answer within {} ms",
            crate::term_probe::DEADLINE.as_millis()
        )),
        (None, _) => halfblocks("the terminal reported no graphics protocol".into()),
    }
}

/// iTerm2's inline images, from the environment (the terminals that have
/// them do not say so when asked).
fn iterm2_hint(env: &impl Fn(&str) -> Option<String>) -> Option<String> {
    const PROGRAMS: [&str; 9] = [
        "iTerm",
        "WezTerm",
        "mintty",
        "vscode",
        "Tabby",
        "Hyper",
        "rio",
        "Bobcat",
        "WarpTerminal",
    ];
    if let Some(p) = env("TERM_PROGRAM") {
        if PROGRAMS.iter().any(|n| p.contains(n)) {
            return Some(format!(
                "TERM_PROGRAM={} has iTerm2 images",
                crate::sanitize::line(&p, 40)
            ));
        }
    }
    if env("LC_TERMINAL").is_some_and(|t| t.contains("iTerm")) {
        return Some("LC_TERMINAL=iTerm2".into());
    }
    if in_tmux(env) {
        for outer in ["ITERM_SESSION_ID", "WEZTERM_EXECUTABLE"] {
            if env(outer).is_some_and(|v| !v.is_empty()) {
                return Some(format!("{outer} is set (the terminal around tmux)"));
            }
        }
    }
    None
}

/// The picker for a decision: `None` for no images. Inside tmux
/// ratatui-image wraps images in tmux's passthrough (and turns it on).
pub fn picker_for(decision: &Decision) -> Option<Picker> {
    let protocol = decision.protocol?;
    let mut picker = match decision.font {
        #[allow(deprecated)] // the only way to give it a font size we found ourselves
        Some((w, h)) => Picker::from_fontsize(FontSize::new(w, h)),
        None => Picker::halfblocks(),
    };
    picker.set_protocol_type(protocol);
    tracing::debug!(picker = %describe(Some(&picker)), why = %decision.why, "image protocol");
    Some(picker)
}

/// The picker without asking the terminal: half blocks with a 10×20 px
/// font for auto, the forced protocol otherwise, `None` for none.
pub fn picker(choice: ProtocolChoice) -> Option<Picker> {
    let no_env = |_: &str| None;
    picker_for(&decide(choice, None, &no_env, Window::default()))
}

/// The protocol's name as shown to users and in doctor's JSON.
pub fn protocol_name(picker: Option<&Picker>) -> &'static str {
    match picker.map(Picker::protocol_type) {
        None => "none",
        Some(ProtocolType::Kitty) => "kitty",
        Some(ProtocolType::Sixel) => "sixel",
        Some(ProtocolType::Iterm2) => "iterm2",
        Some(ProtocolType::Halfblocks) => "halfblocks",
    }
}

/// One line for people: `kitty (font 10×20 px)`, `halfblocks`,
/// `none (images off)`; `, through tmux` is added when tmux was detected.
pub fn describe(picker: Option<&Picker>) -> String {
    let Some(p) = picker else {
        return "none (images off)".to_owned();
    };
    let mut details = Vec::new();
    if p.protocol_type() != ProtocolType::Halfblocks {
        let font = p.font_size();
        details.push(format!("font {}×{} px", font.width, font.height));
    }
    if p.tmux_detected() {
        details.push("through tmux".to_owned());
    }
    let name = protocol_name(picker);
    if details.is_empty() {
        name.to_owned()
    } else {
        format!("{name} ({})", details.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_means_no_images() {
        assert!(picker(ProtocolChoice::None).is_none());
        assert_eq!(describe(None), "none (images off)");
    }

    #[test]
    fn without_answers_auto_is_halfblocks_and_choices_are_forced() {
        let p = picker(ProtocolChoice::Auto).unwrap();
        assert_eq!(p.protocol_type(), ProtocolType::Halfblocks);
        for (choice, expected) in [
            (ProtocolChoice::Kitty, ProtocolType::Kitty),
            (ProtocolChoice::Sixel, ProtocolType::Sixel),
            (ProtocolChoice::Iterm2, ProtocolType::Iterm2),
            (ProtocolChoice::Halfblocks, ProtocolType::Halfblocks),
        ] {
            let p = picker(choice).unwrap();
            assert_eq!(p.protocol_type(), expected);
            assert_eq!(protocol_name(Some(&p)), choice.name());
        }
    }

    #[test]
    fn descriptions_name_protocol_and_font() {
        let mut p = Picker::halfblocks();
        if !p.tmux_detected() {
            assert_eq!(describe(Some(&p)), "halfblocks");
            p.set_protocol_type(ProtocolType::Kitty);
            assert_eq!(describe(Some(&p)), "kitty (font 10×20 px)");
        }
    }

    #[test]
    fn names_match_the_command_line() {
        use clap::ValueEnum;
        for choice in ProtocolChoice::value_variants() {
            let value = choice.to_possible_value().unwrap();
            assert_eq!(value.get_name(), choice.name());
        }
    }
    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    fn window() -> Window {
        Window {
            columns: 100,
            rows: 40,
            width_px: 0,
            height_px: 0,
        }
    }

    #[test]
    fn the_flag_beats_the_file_which_beats_auto() {
        use ProtocolChoice::*;
        assert_eq!(
            resolve_choice(Some(Kitty), Some(None)),
            (Kitty, ChoiceSource::Flag)
        );
        assert_eq!(
            resolve_choice(Option::None, Some(Sixel)),
            (Sixel, ChoiceSource::ConfigFile)
        );
        assert_eq!(
            resolve_choice(Option::None, Option::None),
            (Auto, ChoiceSource::Default)
        );
    }

    #[test]
    fn a_kitty_answer_with_a_cell_size_picks_kitty_with_that_font() {
        let answers = Answers {
            answered: true,
            kitty: true,
            cell_px: Some((9, 18)),
            ..Answers::default()
        };
        let d = decide(ProtocolChoice::Auto, Some(&answers), &env(&[]), window());
        assert_eq!(d.protocol, Some(ProtocolType::Kitty));
        assert_eq!(d.font, Some((9, 18)));
        let p = picker_for(&d).unwrap();
        assert_eq!(p.protocol_type(), ProtocolType::Kitty);
        assert_eq!((p.font_size().width, p.font_size().height), (9, 18));
    }

    #[test]
    fn sixel_iterm2_and_the_fallbacks_say_why() {
        let sixel = Answers {
            answered: true,
            sixel: true,
            window_px: Some((1000, 800)),
            ..Answers::default()
        };
        let d = decide(ProtocolChoice::Auto, Some(&sixel), &env(&[]), window());
        assert_eq!(
            (d.protocol, d.font),
            (Some(ProtocolType::Sixel), Some((10, 20)))
        );
        // WezTerm's sixel is skipped, as ratatui-image does; it has iTerm2 images
        let wez = [("WEZTERM_EXECUTABLE", "/x"), ("TERM_PROGRAM", "WezTerm")];
        let d = decide(ProtocolChoice::Auto, Some(&sixel), &env(&wez), window());
        assert_eq!(d.protocol, Some(ProtocolType::Iterm2), "{d:?}");
        // no cell size from anywhere: half blocks, and the reason says so
        let no_size = Answers {
            window_px: None,
            ..sixel.clone()
        };
        let d = decide(ProtocolChoice::Auto, Some(&no_size), &env(&[]), window());
        assert_eq!(d.protocol, Some(ProtocolType::Halfblocks));
        assert!(d.why.contains("not its cell size"), "{}", d.why);
        // the kernel's pixel size is the last resort
        let px = Window {
            width_px: 800,
            height_px: 640,
            ..window()
        };
        let d = decide(ProtocolChoice::Auto, Some(&no_size), &env(&[]), px);
        assert_eq!(
            (d.protocol, d.font),
            (Some(ProtocolType::Sixel), Some((8, 16)))
        );
        let silent = Answers::default();
        let d = decide(ProtocolChoice::Auto, Some(&silent), &env(&[]), window());
        assert_eq!(d.protocol, Some(ProtocolType::Halfblocks));
        assert!(d.why.contains("did not answer"), "{}", d.why);
        let plain = Answers {
            answered: true,
            ..Answers::default()
        };
        let d = decide(ProtocolChoice::Auto, Some(&plain), &env(&[]), window());
        assert!(d.why.contains("no graphics protocol"), "{}", d.why);
        // a forced protocol keeps the answered font size
        let d = decide(ProtocolChoice::Iterm2, Some(&sixel), &env(&[]), window());
        assert_eq!(
            (d.protocol, d.font),
            (Some(ProtocolType::Iterm2), Some((10, 20)))
        );
    }

    #[test]
    fn the_terminal_key_names_term_program_and_tmux() {
        let k = terminal_key(&env(&[("TERM", "screen"), ("TERM_PROGRAM", "tmux")]));
        assert_eq!(k, "TERM=screen TERM_PROGRAM=tmux tmux=yes");
        let k = terminal_key(&env(&[("TERM", "xterm-kitty")]));
        assert_eq!(k, "TERM=xterm-kitty TERM_PROGRAM= tmux=no");
    }

    #[test]
    fn answers_are_remembered_per_terminal_and_a_corrupt_cache_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/terminals.json");
        assert_eq!(cached(&path, "a"), Option::None);
        let kitty = Answers {
            answered: true,
            kitty: true,
            cell_px: Some((10, 20)),
            version: Some("kitty(0.35.2)".into()),
            ..Answers::default()
        };
        remember(&path, "a", &kitty).unwrap();
        remember(&path, "b", &Answers::default()).unwrap();
        assert_eq!(cached(&path, "a"), Some(kitty.clone()));
        assert_eq!(cached(&path, "b"), Some(Answers::default()));
        std::fs::write(&path, b"{not json").unwrap();
        assert_eq!(cached(&path, "a"), Option::None);
        remember(&path, "a", &kitty).unwrap();
        assert_eq!(cached(&path, "a"), Some(kitty));
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("terminals.json")]);
    }
}
