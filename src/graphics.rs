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
//! that file. The background colour, for `theme = "auto"`, is the
//! exception: asked at every start (alone when the rest is remembered or
//! not needed: OSC 11 and DA1, answered within milliseconds), never
//! remembered, so a change of the terminal's colours counts at the next
//! start ([`Want`]). [`decide`] turns the answers and the environment into
//! a protocol, a font size, a sixel palette and a reason, without I/O.

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
    /// The kitty graphics protocol (kitty, Ghostty, recent Konsole...):
    /// Unicode placeholders where the terminal has them (kitty >= 0.28,
    /// Ghostty), direct placement elsewhere.
    Kitty,
    /// The kitty graphics protocol by direct placement (kitty < 0.28).
    #[value(name = "kitty-direct")]
    #[serde(rename = "kitty-direct")]
    KittyDirect,
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
            ProtocolChoice::KittyDirect => "kitty-direct",
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
            ProtocolChoice::Kitty | ProtocolChoice::KittyDirect => Some(ProtocolType::Kitty),
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
    /// Why the terminal was not asked now (`None`: it was).
    pub not_asked: Option<String>,
}

/// What a start needs to know from the terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Want {
    /// The graphics answers (the protocol is auto, or a forced graphics
    /// protocol that needs the font size).
    pub graphics: bool,
    /// Ask again even when the answers are remembered (`doctor`).
    pub fresh: bool,
    /// The background colour (`theme = "auto"`): asked at every start,
    /// never remembered, so a change of the terminal's colours counts at
    /// the next start.
    pub background: bool,
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
    query: crate::term_probe::Query,
    key: String,
    file: Option<PathBuf>,
    previous: Option<Answers>,
}

/// Terminals that have no sixel and log the colour register query
/// (XTSMGRAPHICS) as an error: kitty (`[PARSE ERROR] CSI code S has
/// unsupported start modifier`) and Ghostty, when the environment names
/// them.
fn skips_register_query(env: &impl Fn(&str) -> Option<String>) -> bool {
    let set = |k: &str| env(k).is_some_and(|v| !v.is_empty());
    env("TERM").is_some_and(|t| t == "xterm-kitty" || t == "xterm-ghostty")
        || set("KITTY_WINDOW_ID")
        || set("GHOSTTY_RESOURCES_DIR")
}

/// What to ask: everything when the graphics answers are wanted and not
/// remembered (or `fresh`); only the background when that alone is
/// wanted, unless the remembered answers say the terminal answers
/// nothing; else nothing.
fn query_for(
    want: Want,
    previous: Option<&Answers>,
    env: &impl Fn(&str) -> Option<String>,
) -> Option<crate::term_probe::Query> {
    use crate::term_probe::Query;
    if want.graphics && (want.fresh || previous.is_none()) {
        return Some(Query {
            registers: !skips_register_query(env),
            ..Query::ALL
        });
    }
    (want.background && previous.is_none_or(|p| p.answered)).then_some(Query {
        graphics: false,
        registers: false,
        background: true,
    })
}

/// The answers for this terminal, as [`Want`] asks: remembered ones
/// unless `fresh`, else the terminal is asked — `ask` writes the queries
/// (to stdout, or to the tty it is given) — and the answers are
/// remembered (without the background). The terminal must be in raw mode,
/// and nothing else may read it until [`Listening::finish`] returns.
pub fn start_detect(
    want: Want,
    ask: impl FnOnce(&mut std::fs::File, &[u8]) -> std::io::Result<()>,
) -> Detecting {
    let env = |k: &str| std::env::var(k).ok();
    let key = terminal_key(&env);
    let file = cache_file();
    // a remembered background may be stale: it is asked, or not used
    let previous = file
        .as_deref()
        .and_then(|p| cached(p, &key))
        .map(|a| Answers {
            background: None,
            ..a
        });
    let not_probed = |previous: Option<Answers>, why: String| {
        Detecting::Done(Detection {
            found: if previous.is_some() {
                Found::Cached
            } else {
                Found::NotProbed(why.clone())
            },
            answers: previous,
            keys: Vec::new(),
            previous: None,
            not_asked: Some(why),
        })
    };
    let Some(query) = query_for(want, previous.as_ref(), &env) else {
        let why = if want.background {
            "the terminal is remembered as answering nothing"
        } else {
            "nothing to ask"
        };
        return not_probed(previous, why.into());
    };
    if !can_probe() {
        return not_probed(previous, "stdin or stdout is not a terminal".into());
    }
    let mut tty = match crate::term_probe::open_tty() {
        Ok(t) => t,
        Err(e) => return not_probed(previous, format!("cannot open the terminal: {e}")),
    };
    let started = std::time::Instant::now();
    if let Err(e) = ask(&mut tty, &query.bytes()) {
        return not_probed(previous, format!("cannot ask the terminal: {e}"));
    }
    Detecting::Listening(Listening {
        tty,
        started,
        query,
        key,
        file,
        previous,
    })
}

impl Listening {
    /// Reads the answers (within the probe's deadline); a whole probe's
    /// are remembered, a background alone joins the remembered answers.
    pub fn finish(mut self) -> Detection {
        let listened =
            crate::term_probe::listen(&mut self.tty, self.started, crate::term_probe::DEADLINE);
        drop(self.tty);
        match listened {
            Ok(outcome) if !self.query.graphics => {
                tracing::info!(background = ?outcome.answers.background, elapsed = ?outcome.elapsed, keys = outcome.keys.len(), "terminal background asked");
                let (answers, found) = match self.previous {
                    Some(p) => (
                        Answers {
                            background: outcome.answers.background,
                            ..p
                        },
                        Found::Cached,
                    ),
                    None => (outcome.answers, Found::Probed(outcome.elapsed)),
                };
                Detection {
                    answers: Some(answers),
                    found,
                    keys: outcome.keys,
                    previous: None,
                    not_asked: None,
                }
            }
            Ok(outcome) => {
                if let Some(path) = &self.file {
                    let kept = Answers {
                        background: None,
                        ..outcome.answers.clone()
                    };
                    if let Err(e) = remember(path, &self.key, &kept) {
                        tracing::warn!(error = %e, "cannot remember the terminal's answers");
                    }
                }
                tracing::info!(answers = ?outcome.answers, elapsed = ?outcome.elapsed, keys = outcome.keys.len(), "terminal probed");
                Detection {
                    answers: Some(outcome.answers),
                    found: Found::Probed(outcome.elapsed),
                    keys: outcome.keys,
                    previous: self.previous,
                    not_asked: None,
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the terminal's answers");
                let why = format!("cannot read the terminal's answers: {e}");
                if self.query.graphics {
                    return Detection {
                        answers: None,
                        found: Found::NotProbed(why.clone()),
                        keys: Vec::new(),
                        previous: self.previous,
                        not_asked: Some(why),
                    };
                }
                // only the background was asked: the remembered answers hold
                Detection {
                    found: if self.previous.is_some() {
                        Found::Cached
                    } else {
                        Found::NotProbed(why.clone())
                    },
                    answers: self.previous,
                    keys: Vec::new(),
                    previous: None,
                    not_asked: Some(why),
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
    /// Kitty images by direct placement (`a=p`), not Unicode placeholders.
    pub kitty_direct: bool,
    /// The terminal as it named itself (XTVERSION), when it did.
    pub terminal: Option<TerminalId>,
    /// The colours a sixel image may use: the terminal's colour registers
    /// up to [`FULL_PALETTE`], which is assumed when it did not say.
    pub palette: u16,
}

/// The most colours a sixel image is encoded with (the encoder's bound,
/// and what the terminals that report more show well).
pub const FULL_PALETTE: u16 = 256;
/// Below this many colour registers, auto prefers half blocks to sixel
/// (VT240/VT330 modes have 2 to 4).
pub const MIN_SIXEL_REGISTERS: u16 = 16;

/// A terminal's name and version, from its XTVERSION answer
/// (`kitty(0.26.5)`, `XTerm(379)`, `WezTerm 20240203-110809-5046fc22`,
/// `tmux 3.3a`, `iTerm2 3.5.0`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalId {
    pub name: String,
    pub version: Option<String>,
}

impl TerminalId {
    pub fn parse(xtversion: &str) -> Option<TerminalId> {
        let text = xtversion.trim();
        let (name, version) = if let Some((name, rest)) = text.split_once('(') {
            (name, rest.strip_suffix(')').unwrap_or(rest))
        } else if let Some((name, rest)) = text.split_once(' ') {
            (name, rest)
        } else {
            (text, "")
        };
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        let version = version.trim();
        Some(TerminalId {
            name: name.to_owned(),
            version: (!version.is_empty()).then(|| version.to_owned()),
        })
    }

    /// `kitty 0.26.5`, `XTerm 379`.
    pub fn describe(&self) -> String {
        match &self.version {
            Some(v) => format!("{} {v}", self.name),
            None => self.name.clone(),
        }
    }

    fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The leading numbers of the version: `0.26.5` → [0, 26, 5].
    fn numbers(&self) -> Vec<u32> {
        let v = self.version.as_deref().unwrap_or("");
        v.split('.')
            .map_while(|part| {
                let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().ok()
            })
            .collect()
    }
}

/// Whether the terminal shows kitty images placed with Unicode
/// placeholders (`U=1`), and why. Only the terminals known to have them
/// get them; the others get direct placement, which every terminal that
/// answers the kitty graphics query understands.
fn kitty_placeholders(terminal: Option<&TerminalId>) -> (bool, String) {
    match terminal {
        Some(t) if t.is("kitty") => {
            let v = t.numbers();
            if v.is_empty() {
                (
                    false,
                    "kitty of unknown version: direct placement".to_owned(),
                )
            } else if v.as_slice() >= [0, 28].as_slice() {
                (
                    true,
                    format!("{} >= 0.28: Unicode placeholders", t.describe()),
                )
            } else {
                (false, format!("{} < 0.28: direct placement", t.describe()))
            }
        }
        Some(t) if t.is("ghostty") => (true, format!("{}: Unicode placeholders", t.describe())),
        Some(t) => (
            false,
            format!(
                "{} has no Unicode placeholders: direct placement",
                t.describe()
            ),
        ),
        None => (
            false,
            "the terminal did not say which it is: direct placement".to_owned(),
        ),
    }
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
    let terminal = answers
        .and_then(|a| a.version.as_deref())
        .and_then(TerminalId::parse);
    let tmux = in_tmux(env) || terminal.as_ref().is_some_and(|t| t.is("tmux"));
    let registers = answers.and_then(|a| a.sixel_registers);
    let decision = |protocol: Option<ProtocolType>, font, why: String, kitty_direct| Decision {
        protocol,
        font,
        why,
        kitty_direct,
        terminal: terminal.clone(),
        palette: registers.map_or(FULL_PALETTE, |n| n.clamp(2, FULL_PALETTE)),
    };
    match choice {
        ProtocolChoice::None => return decision(None, None, "images off".into(), false),
        ProtocolChoice::Auto => {}
        ProtocolChoice::KittyDirect => {
            return decision(
                Some(ProtocolType::Kitty),
                font,
                "forced: direct placement".into(),
                true,
            )
        }
        ProtocolChoice::Kitty => {
            // through tmux only placeholders survive (the placement is
            // tmux's pane, not the outer terminal's screen)
            let (placeholders, why) = if tmux {
                (true, "inside tmux: Unicode placeholders".to_owned())
            } else {
                kitty_placeholders(terminal.as_ref())
            };
            return decision(
                Some(ProtocolType::Kitty),
                font,
                format!("forced; {why}"),
                !placeholders,
            );
        }
        forced => return decision(forced.forced(), font, "forced".into(), false),
    }
    let halfblocks = |why: String| decision(Some(ProtocolType::Halfblocks), font, why, false);
    let Some(a) = answers else {
        return halfblocks("the terminal was not asked".into());
    };
    let wezterm = env("WEZTERM_EXECUTABLE").is_some_and(|v| !v.is_empty())
        || terminal.as_ref().is_some_and(|t| t.is("wezterm"));
    // its sixel is unreliable (as ratatui-image finds); its kitty graphics
    // are placed directly
    let konsole = env("KONSOLE_VERSION").is_some_and(|v| !v.is_empty())
        || terminal.as_ref().is_some_and(|t| t.is("konsole"));
    let who = terminal
        .as_ref()
        .map(|t| format!("{} reports", t.describe()))
        .unwrap_or_else(|| "the terminal reports".to_owned());
    // too few colours for pictures: half blocks (256 or true colours) show more
    let few_registers = registers.filter(|&n| n < MIN_SIXEL_REGISTERS);
    let iterm2 = terminal
        .as_ref()
        .filter(|t| t.is("iterm2"))
        .map(|t| format!("{} names itself: iTerm2 images", t.describe()))
        .or_else(|| iterm2_hint(env));
    let found = if wezterm && iterm2.is_some() {
        // its kitty graphics lack placeholders and its sixel is unreliable
        // (as ratatui-image finds); its own iTerm2 images work
        iterm2.map(|why| (ProtocolType::Iterm2, format!("WezTerm: {why}"), false))
    } else if a.kitty {
        let (placeholders, why) = if tmux {
            (true, "inside tmux: Unicode placeholders".to_owned())
        } else {
            kitty_placeholders(terminal.as_ref())
        };
        Some((
            ProtocolType::Kitty,
            format!("the terminal answered the kitty graphics query; {why}"),
            !placeholders,
        ))
    } else if a.sixel && !wezterm && !konsole && few_registers.is_none() {
        Some((
            ProtocolType::Sixel,
            format!("{who} sixel graphics (DA1 attribute 4)"),
            false,
        ))
    } else {
        iterm2.map(|why| (ProtocolType::Iterm2, why, false))
    };
    match (found, font) {
        (Some((protocol, why, direct)), Some(_)) => decision(Some(protocol), font, why, direct),
        (Some((_, why, _)), None) => halfblocks(format!("{why}, but not its cell size in pixels")),
        (None, _) if a.sixel && few_registers.is_some() => halfblocks(format!(
            "{who} sixel graphics with only {} colour registers: half blocks show more",
            few_registers.unwrap_or_default()
        )),
        (None, _) if !a.answered => halfblocks(format!(
            "the terminal did not answer within {} ms",
            crate::term_probe::DEADLINE.as_millis()
        )),
        (None, _) if tmux => {
            halfblocks("inside tmux, which passes no graphics query on and reports no sixel".into())
        }
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

/// What the image pipeline encodes for and the UI draws with: the
/// ratatui-image picker, and whether kitty images are placed directly.
#[derive(Clone)]
pub struct Drawer {
    pub picker: Picker,
    pub kitty_direct: bool,
    /// The colours of a sixel image ([`Decision::palette`]).
    pub sixel_palette: u16,
}

impl From<Picker> for Drawer {
    fn from(picker: Picker) -> Drawer {
        Drawer {
            picker,
            kitty_direct: false,
            sixel_palette: FULL_PALETTE,
        }
    }
}

/// The drawer for a decision: `None` for no images.
pub fn drawer_for(decision: &Decision) -> Option<Drawer> {
    picker_for(decision).map(|picker| Drawer {
        kitty_direct: decision.kitty_direct && picker.protocol_type() == ProtocolType::Kitty,
        sixel_palette: decision.palette,
        picker,
    })
}

/// [`describe`], saying `direct placement` for kitty without placeholders
/// and the colours of a sixel image when fewer than [`FULL_PALETTE`].
pub fn describe_drawer(drawer: Option<&Drawer>) -> String {
    let text = describe(drawer.map(|d| &d.picker));
    match drawer {
        Some(d) if d.kitty_direct => text.replacen("kitty", "kitty direct placement", 1),
        Some(d)
            if d.picker.protocol_type() == ProtocolType::Sixel
                && d.sixel_palette < FULL_PALETTE =>
        {
            let colours = format!("{} colours", d.sixel_palette);
            match text.strip_suffix(')') {
                Some(head) => format!("{head}, {colours})"),
                None => format!("{text} ({colours})"),
            }
        }
        _ => text,
    }
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

    /// The answers a terminal gave, as bytes, through the probe's parser.
    fn heard(bytes: &[u8]) -> Answers {
        let mut s = crate::term_probe::Splitter::default();
        assert!(s.push(bytes), "the DA1 answer ends the probe");
        let (answers, keys) = s.finish();
        assert!(keys.is_empty(), "{keys:?}");
        answers
    }

    #[test]
    fn recorded_terminals_pick_the_protocol_that_works_and_say_why() {
        struct Case {
            who: &'static str,
            answer: &'static [u8],
            env: &'static [(&'static str, &'static str)],
            protocol: ProtocolType,
            direct: bool,
            why: &'static str,
            terminal: Option<&'static str>,
        }
        let cases = [
            Case {
                who: "kitty 0.26.5 (Debian 12)",
                // recorded from Debian 12's kitty under Xvfb
                answer: b"\x1b_Gi=31;OK\x1b\\\x1b[6;18;9t\x1b[4;396;639t\x1bP>|kitty(0.26.5)\x1b\\\x1b[?62;c",
                env: &[("TERM", "xterm-kitty")],
                protocol: ProtocolType::Kitty,
                direct: true,
                why: "the terminal answered the kitty graphics query; kitty 0.26.5 < 0.28: direct placement",
                terminal: Some("kitty 0.26.5"),
            },
            Case {
                who: "kitty 0.35.2",
                answer: b"\x1b_Gi=31;OK\x1b\\\x1b[6;20;10t\x1b[4;480;800t\x1bP>|kitty(0.35.2)\x1b\\\x1b[?62;52;c",
                env: &[("TERM", "xterm-kitty")],
                protocol: ProtocolType::Kitty,
                direct: false,
                why: "the terminal answered the kitty graphics query; kitty 0.35.2 >= 0.28: Unicode placeholders",
                terminal: Some("kitty 0.35.2"),
            },
            Case {
                who: "WezTerm",
                answer: b"\x1b_Gi=31;OK\x1b\\\x1b[6;16;8t\x1bP>|WezTerm 20240203-110809-5046fc22\x1b\\\x1b[?65;4;6;18;22c",
                env: &[("TERM_PROGRAM", "WezTerm"), ("WEZTERM_EXECUTABLE", "/usr/bin/wezterm-gui")],
                protocol: ProtocolType::Iterm2,
                direct: false,
                why: "WezTerm: TERM_PROGRAM=WezTerm has iTerm2 images",
                terminal: Some("WezTerm 20240203-110809-5046fc22"),
            },
            Case {
                who: "foot",
                answer: b"\x1b[6;17;8t\x1bP>|foot(1.16.2)\x1b\\\x1b[?62;4;22c",
                env: &[("TERM", "foot")],
                protocol: ProtocolType::Sixel,
                direct: false,
                why: "foot 1.16.2 reports sixel graphics (DA1 attribute 4)",
                terminal: Some("foot 1.16.2"),
            },
            Case {
                who: "xterm -ti vt340",
                // recorded (xterm 379 does not answer `CSI 14/16 t` by
                // default: the kernel's pixel size gives the cell size)
                answer: b"\x1bP>|XTerm(379)\x1b\\\x1b[?1;0;1024S\x1b[?63;1;2;4;6;9;15;16;22;28c",
                env: &[("TERM", "xterm")],
                protocol: ProtocolType::Sixel,
                direct: false,
                why: "XTerm 379 reports sixel graphics (DA1 attribute 4)",
                terminal: Some("XTerm 379"),
            },
            Case {
                who: "mlterm 3.9.0",
                // recorded: no XTVERSION answer
                answer: b"\x1b[6;19;10t\x1b[4;456;800t\x1b[?1;0;1024S\x1b[?63;1;2;3;4;6;7;15;18;22;29c",
                env: &[("TERM", "xterm"), ("MLTERM", "3.9.0")],
                protocol: ProtocolType::Sixel,
                direct: false,
                why: "the terminal reports sixel graphics (DA1 attribute 4)",
                terminal: None,
            },
            Case {
                who: "tmux 3.3a in kitty",
                answer: b"\x1bP>|tmux 3.3a\x1b\\\x1b[?1;2c",
                env: &[("TERM", "tmux-256color"), ("TMUX", "/tmp/tmux-0/default,1,0")],
                protocol: ProtocolType::Halfblocks,
                direct: false,
                why: "inside tmux, which passes no graphics query on and reports no sixel",
                terminal: Some("tmux 3.3a"),
            },
        ];
        for case in cases {
            let answers = heard(case.answer);
            let px = Window {
                width_px: 1000,
                height_px: 800,
                ..window()
            };
            let d = decide(ProtocolChoice::Auto, Some(&answers), &env(case.env), px);
            assert_eq!(d.protocol, Some(case.protocol), "{}: {d:?}", case.who);
            assert_eq!(d.kitty_direct, case.direct, "{}: {d:?}", case.who);
            assert_eq!(d.why, case.why, "{}", case.who);
            assert_eq!(
                d.terminal.as_ref().map(TerminalId::describe).as_deref(),
                case.terminal,
                "{}",
                case.who
            );
            let drawer = drawer_for(&d).unwrap();
            assert_eq!(drawer.kitty_direct, case.direct, "{}", case.who);
        }
    }

    #[test]
    fn kitty_versions_ghostty_konsole_and_forced_kitty() {
        let kitty = |version: &str| Answers {
            answered: true,
            kitty: true,
            cell_px: Some((10, 20)),
            version: Some(version.to_owned()),
            ..Answers::default()
        };
        let auto = |a: &Answers, vars: &[(&str, &str)]| {
            decide(ProtocolChoice::Auto, Some(a), &env(vars), window())
        };
        for (version, direct) in [
            ("kitty(0.27.1)", true),
            ("kitty(0.28.0)", false),
            ("kitty(0.19.3)", true),
            ("kitty(1.0)", false),
            ("kitty()", true),
            ("ghostty 1.0.1", false),
            ("Konsole 23.08.5", true),
            ("something else", true),
        ] {
            assert_eq!(auto(&kitty(version), &[]).kitty_direct, direct, "{version}");
        }
        // no XTVERSION answer: direct placement, which every kitty terminal has
        let anonymous = Answers {
            version: None,
            ..kitty("")
        };
        let d = auto(&anonymous, &[]);
        assert!(
            d.kitty_direct && d.why.contains("did not say which it is"),
            "{d:?}"
        );
        // Konsole: its sixel stays unused, its kitty graphics are placed directly
        let konsole_sixel = Answers {
            kitty: false,
            sixel: true,
            ..anonymous.clone()
        };
        let d = auto(&konsole_sixel, &[("KONSOLE_VERSION", "230805")]);
        assert_eq!(d.protocol, Some(ProtocolType::Halfblocks), "{d:?}");
        let d = auto(&anonymous, &[("KONSOLE_VERSION", "230805")]);
        assert_eq!(
            (d.protocol, d.kitty_direct),
            (Some(ProtocolType::Kitty), true)
        );
        // iTerm2 by its own name
        let iterm = Answers {
            answered: true,
            cell_px: Some((10, 20)),
            version: Some("iTerm2 3.5.0".into()),
            ..Answers::default()
        };
        let d = auto(&iterm, &[]);
        assert_eq!(d.protocol, Some(ProtocolType::Iterm2), "{d:?}");
        assert!(d.why.contains("iTerm2 3.5.0 names itself"), "{}", d.why);
        // forced kitty follows the version; through tmux only placeholders work
        let forced = |a: &Answers, vars: &[(&str, &str)]| {
            decide(ProtocolChoice::Kitty, Some(a), &env(vars), window())
        };
        assert!(forced(&kitty("kitty(0.26.5)"), &[]).kitty_direct);
        assert!(!forced(&kitty("kitty(0.35.2)"), &[]).kitty_direct);
        assert!(!forced(&kitty("kitty(0.26.5)"), &[("TMUX", "/tmp/x")]).kitty_direct);
        let d = decide(ProtocolChoice::KittyDirect, None, &env(&[]), window());
        assert_eq!(
            (d.protocol, d.kitty_direct),
            (Some(ProtocolType::Kitty), true)
        );
        // old cache entries (without the newer fields) still read
        let old: Answers = serde_json::from_str(
            r#"{"answered":true,"kitty":true,"sixel":false,"cell_px":[10,20],"window_px":null,"version":"kitty(0.26.5)"}"#,
        )
        .unwrap();
        assert!(auto(&old, &[]).kitty_direct);
    }

    #[test]
    fn the_colour_registers_set_the_sixel_palette() {
        // xterm -ti vt340 as recorded: 1024 registers, 256 colours used
        let xterm = heard(b"\x1b[?1;0;1024S\x1bP>|XTerm(379)\x1b\\\x1b[?63;1;2;4;6;9;15;16;22;28c");
        assert_eq!(xterm.sixel_registers, Some(1024));
        let px = Window {
            width_px: 1000,
            height_px: 800,
            ..window()
        };
        let d = decide(ProtocolChoice::Auto, Some(&xterm), &env(&[]), px);
        assert_eq!((d.protocol, d.palette), (Some(ProtocolType::Sixel), 256));
        assert_eq!(drawer_for(&d).unwrap().sixel_palette, 256);
        assert_eq!(
            describe_drawer(drawer_for(&d).as_ref()),
            "sixel (font 10×20 px)"
        );
        // `XTerm*numColorRegisters: 16`: sixel with a palette of 16
        let sixteen = Answers {
            sixel_registers: Some(16),
            ..xterm.clone()
        };
        let d = decide(ProtocolChoice::Auto, Some(&sixteen), &env(&[]), px);
        assert_eq!((d.protocol, d.palette), (Some(ProtocolType::Sixel), 16));
        let drawer = drawer_for(&d).unwrap();
        assert_eq!(drawer.sixel_palette, 16);
        assert_eq!(
            describe_drawer(Some(&drawer)),
            "sixel (font 10×20 px, 16 colours)"
        );
        // four registers (a VT330): half blocks, and the reason says so
        let four = Answers {
            sixel_registers: Some(4),
            ..xterm.clone()
        };
        let d = decide(ProtocolChoice::Auto, Some(&four), &env(&[]), px);
        assert_eq!(d.protocol, Some(ProtocolType::Halfblocks), "{d:?}");
        assert_eq!(
            d.why,
            "XTerm 379 reports sixel graphics with only 4 colour registers: half blocks show more"
        );
        // forced sixel keeps sixel, with the four colours it has
        let d = decide(ProtocolChoice::Sixel, Some(&four), &env(&[]), px);
        assert_eq!((d.protocol, d.palette), (Some(ProtocolType::Sixel), 4));
        // not reported: 256
        let silent = Answers {
            sixel_registers: None,
            ..xterm
        };
        let d = decide(ProtocolChoice::Auto, Some(&silent), &env(&[]), px);
        assert_eq!(d.palette, FULL_PALETTE);
        assert_eq!(
            Drawer::from(Picker::halfblocks()).sixel_palette,
            FULL_PALETTE
        );
    }

    #[test]
    fn what_is_asked_depends_on_what_is_wanted_and_remembered() {
        use crate::term_probe::Query;
        let want = |graphics, fresh, background| Want {
            graphics,
            fresh,
            background,
        };
        let talks = Answers {
            answered: true,
            ..Answers::default()
        };
        let silent = Answers::default();
        let only_background = Some(Query {
            graphics: false,
            registers: false,
            background: true,
        });
        let xterm = env(&[("TERM", "xterm-256color")]);
        // nothing remembered (or doctor): everything, DA1 last
        assert_eq!(
            query_for(want(true, false, true), None, &xterm),
            Some(Query::ALL)
        );
        assert_eq!(
            query_for(want(true, false, false), None, &xterm),
            Some(Query::ALL)
        );
        assert_eq!(
            query_for(want(true, true, false), Some(&talks), &xterm),
            Some(Query::ALL)
        );
        // remembered: the background alone, for theme auto
        assert_eq!(
            query_for(want(true, false, true), Some(&talks), &xterm),
            only_background
        );
        assert_eq!(
            query_for(want(true, false, false), Some(&talks), &xterm),
            None
        );
        // no graphics wanted (--image-protocol none): the background alone
        assert_eq!(
            query_for(want(false, false, true), None, &xterm),
            only_background
        );
        assert_eq!(query_for(want(false, false, false), None, &xterm), None);
        // a terminal remembered as silent is not waited for again
        assert_eq!(
            query_for(want(true, false, true), Some(&silent), &xterm),
            None
        );
        assert_eq!(
            query_for(want(false, false, true), Some(&silent), &xterm),
            None
        );
        // kitty and Ghostty log the register query as an error: not sent
        for vars in [
            &[("TERM", "xterm-kitty")][..],
            &[("TERM", "xterm-256color"), ("KITTY_WINDOW_ID", "1")][..],
            &[("TERM", "xterm-ghostty")][..],
        ] {
            let q = query_for(want(true, true, true), None, &env(vars)).unwrap();
            assert!(q.graphics && q.background && !q.registers, "{vars:?}");
        }
    }

    #[test]
    fn xtversion_answers_name_the_terminal() {
        let parse = |s: &str| TerminalId::parse(s).map(|t| (t.name, t.version));
        let some = |n: &str, v: Option<&str>| Some((n.to_owned(), v.map(str::to_owned)));
        assert_eq!(parse("kitty(0.26.5)"), some("kitty", Some("0.26.5")));
        assert_eq!(parse("XTerm(379)"), some("XTerm", Some("379")));
        assert_eq!(parse("tmux 3.3a"), some("tmux", Some("3.3a")));
        assert_eq!(parse("mlterm"), some("mlterm", None));
        assert_eq!(parse("  "), None);
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
        // a sixel terminal's colour registers are remembered with the rest
        let xterm = Answers {
            answered: true,
            sixel: true,
            da1: vec![1, 2, 4],
            sixel_registers: Some(1024),
            ..Answers::default()
        };
        remember(&path, "c", &xterm).unwrap();
        assert_eq!(cached(&path, "a"), Some(kitty.clone()));
        assert_eq!(cached(&path, "b"), Some(Answers::default()));
        assert_eq!(cached(&path, "c"), Some(xterm));
        std::fs::write(&path, b"{not json").unwrap();
        assert_eq!(cached(&path, "a"), Option::None);
        remember(&path, "a", &kitty).unwrap();
        assert_eq!(cached(&path, "a"), Some(kitty));
        // entries written before the registers were asked still read
        std::fs::write(
            &path,
            br#"{"terminals":{"a":{"answered":true,"kitty":false,"sixel":true,"cell_px":null,"window_px":null,"version":null,"da1":[4]}}}"#,
        )
        .unwrap();
        let old = cached(&path, "a").unwrap();
        assert!(old.sixel && old.sixel_registers.is_none());
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("terminals.json")]);
    }
}
