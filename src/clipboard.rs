//! The clipboard: the system one through arboard where a display is
//! there, OSC 52 (the terminal sets the clipboard, which also works over
//! SSH and in tmux) otherwise or when arboard fails. `clipboard =
//! "auto" | "native" | "osc52"` in the config chooses.
//!
//! Whatever is copied came from the API: it is cleaned like every other
//! API string (no controls, no bidi overrides, one line, so a paste into a
//! shell never runs anything) and bounded, so an OSC 52 sequence stays
//! under what terminals accept.

use std::sync::mpsc as std_mpsc;

use base64::Engine;
use serde::Deserialize;

/// Longest text copied, in bytes of UTF-8: its OSC 52 sequence (base64,
/// 4/3 larger) stays under the 100 000 bytes most terminals accept.
pub const MAX_BYTES: usize = 65_536;

/// How to reach the clipboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// OSC 52 over SSH, in tmux or without a display; the system
    /// clipboard otherwise, falling back to OSC 52 when it fails.
    #[default]
    Auto,
    Native,
    Osc52,
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        match s {
            "auto" => Ok(Mode::Auto),
            "native" => Ok(Mode::Native),
            "osc52" => Ok(Mode::Osc52),
            other => Err(format!("`{other}`: the clipboard is auto, native or osc52")),
        }
    }
}

/// Text made safe to copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    pub text: String,
    /// The text was longer than [`MAX_BYTES`] and was cut.
    pub cut: bool,
}

/// Cleans `raw` (one line, no controls) and bounds it to [`MAX_BYTES`].
pub fn prepare(raw: &str) -> Payload {
    let mut text = crate::sanitize::line(raw, usize::MAX);
    let cut = text.len() > MAX_BYTES;
    if cut {
        let mut end = MAX_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    Payload { text, cut }
}

/// The OSC 52 sequence that sets the clipboard to `payload`: only base64
/// between a fixed introducer and terminator, whatever the text held.
pub fn osc52(payload: &Payload) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(payload.text.as_bytes());
    format!("\x1b]52;c;{encoded}\x1b\\")
}

/// Where a copy goes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Native,
    Osc52,
}

/// The first route for `mode`, given the environment (`var` reads one
/// variable): over SSH or in tmux the system clipboard is the wrong
/// machine's or unreachable, and without a display there is none.
pub fn route(mode: Mode, var: impl Fn(&str) -> Option<String>) -> Route {
    let set = |k: &str| var(k).is_some_and(|v| !v.is_empty());
    match mode {
        Mode::Native => Route::Native,
        Mode::Osc52 => Route::Osc52,
        Mode::Auto => {
            let remote = set("SSH_CONNECTION") || set("SSH_TTY") || set("TMUX");
            let display = set("DISPLAY") || set("WAYLAND_DISPLAY") || cfg!(target_os = "macos");
            if remote || !display {
                Route::Osc52
            } else {
                Route::Native
            }
        }
    }
}

/// How a copy ended, for `update()`.
#[derive(Debug, Clone)]
pub struct Copied {
    /// "asset id", "link", "prompt".
    pub what: &'static str,
    pub via: Route,
    pub cut: bool,
    pub result: Result<(), String>,
    /// The text, for a fallback to OSC 52.
    pub text: String,
    /// A failed system clipboard may fall back to OSC 52 (`auto`).
    pub fallback: bool,
}

/// A request to the system clipboard's thread, with where to answer.
type Job = (String, Box<dyn FnOnce(Result<(), String>) + Send>);

/// The system clipboard, on a thread of its own: arboard's calls may block
/// on the display server, and on X11 the copied text lives only as long as
/// its owner, so one `Clipboard` is kept for the whole session.
pub struct Native {
    tx: std_mpsc::Sender<Job>,
}

impl Native {
    pub fn spawn() -> Native {
        let (tx, rx) = std_mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("clipboard".into())
            .spawn(move || {
                let mut board: Option<arboard::Clipboard> = None;
                for (text, answer) in rx {
                    if board.is_none() {
                        board = arboard::Clipboard::new()
                            .map_err(|e| tracing::debug!(error = %e, "no system clipboard"))
                            .ok();
                    }
                    let result = match board.as_mut() {
                        Some(b) => b.set_text(text).map_err(|e| e.to_string()),
                        None => Err("no system clipboard here".to_string()),
                    };
                    if result.is_err() {
                        board = None;
                    }
                    answer(result);
                }
            })
            .map(|_| ())
            .unwrap_or_else(|e| tracing::warn!(error = %e, "cannot start the clipboard thread"));
        Native { tx }
    }

    /// Copies `text`; `answer` is called on the clipboard thread when done.
    pub fn copy(&self, text: String, answer: impl FnOnce(Result<(), String>) + Send + 'static) {
        if let Err(std_mpsc::SendError((_, answer))) = self.tx.send((text, Box::new(answer))) {
            answer(Err("the clipboard thread is gone".into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn a_hostile_prompt_becomes_base64_between_fixed_bytes() {
        let hostile = "cat\x1b]52;c;ZXZpbA==\x07\u{9b}31m\u{202e}gnp.exe\n rm -rf ~\r\x1bP+q\x1b\\";
        let seq = osc52(&prepare(hostile));
        let body = seq
            .strip_prefix("\x1b]52;c;")
            .and_then(|s| s.strip_suffix("\x1b\\"))
            .expect("introducer and terminator");
        assert!(body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)));
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        let text = String::from_utf8(decoded).unwrap();
        assert!(!text.chars().any(crate::sanitize::is_forbidden), "{text:?}");
        assert!(!text.contains('\n'), "a paste would run the rest");
        assert!(text.contains("rm -rf ~"));
    }

    #[test]
    fn long_text_is_cut_under_the_bound() {
        let long = "é".repeat(200_000);
        let p = prepare(&long);
        assert!(p.cut);
        assert!(p.text.len() <= MAX_BYTES);
        assert!(osc52(&p).len() < 100_000);
        let short = prepare("asset_abc");
        assert!(!short.cut);
        assert_eq!(short.text, "asset_abc");
        // an ellipsis that was in the text is not a cut
        assert!(!prepare("wait…").cut);
    }

    #[test]
    fn auto_prefers_osc52_over_ssh_in_tmux_and_without_a_display() {
        let desktop = [("DISPLAY", ":0")];
        assert_eq!(route(Mode::Auto, env(&desktop)), Route::Native);
        assert_eq!(
            route(
                Mode::Auto,
                env(&[("DISPLAY", ":0"), ("SSH_CONNECTION", "1 2 3 4")])
            ),
            Route::Osc52
        );
        assert_eq!(
            route(
                Mode::Auto,
                env(&[("WAYLAND_DISPLAY", "w"), ("TMUX", "/tmp/t,1,0")])
            ),
            Route::Osc52
        );
        if !cfg!(target_os = "macos") {
            assert_eq!(route(Mode::Auto, env(&[])), Route::Osc52);
        }
        assert_eq!(route(Mode::Native, env(&[("SSH_TTY", "x")])), Route::Native);
        assert_eq!(route(Mode::Osc52, env(&desktop)), Route::Osc52);
        assert_eq!("osc52".parse::<Mode>(), Ok(Mode::Osc52));
        assert!("x11".parse::<Mode>().is_err());
    }
}
