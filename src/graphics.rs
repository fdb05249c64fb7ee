//! How images are drawn in the terminal: the `--image-protocol` choice and
//! the `ratatui-image` picker it yields, shared by the browser and
//! `assetui doctor`.
//!
//! Probing (`Picker::from_query_stdio`) writes a few escape-sequence queries
//! to stdout and reads the terminal's answers from stdin. `ratatui-image`
//! turns off canonical mode and echo itself while it reads and restores them
//! afterwards, and gives up after its own timeout (2 s without a byte) when
//! the terminal does not answer. Its reader thread may then stay blocked on
//! stdin until the next key press, still holding the terminal in
//! non-canonical mode: callers should be in crossterm's raw mode while
//! probing (the browser already is; doctor enables it around the probe) so
//! that leaving raw mode restores the user's settings whatever happened.
//! Note that the reader thread restores the modes it found a moment *after*
//! handing over the answer, so leave raw mode no sooner than ~100 ms after
//! [`picker`] returns (doctor waits; the browser leaves it at exit).
//! Only probe when both stdin and stdout are terminals ([`can_probe`]).

use std::io::IsTerminal;

use ratatui_image::picker::{Picker, ProtocolType};

/// The `--image-protocol` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
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

/// `Some(picker)` to draw images, `None` for no images (`none`).
///
/// With `probe`, the terminal is queried (see the module docs: call it after
/// entering the alternate screen, in raw mode, before reading any input):
/// `Auto` takes the protocol and font size the terminal reports (half blocks
/// when it does not answer); an explicit choice keeps only the font size and
/// forces its protocol. Without `probe` (tests, not a terminal) the picker
/// has a default 10×20 px font and half blocks, or the forced protocol.
pub fn picker(choice: ProtocolChoice, probe: bool) -> Option<Picker> {
    if choice == ProtocolChoice::None {
        return None;
    }
    let mut picker = if probe {
        Picker::from_query_stdio().unwrap_or_else(|e| {
            tracing::debug!(error = %e, "terminal graphics query failed; using half blocks");
            Picker::halfblocks()
        })
    } else {
        Picker::halfblocks()
    };
    if let Some(forced) = choice.forced() {
        picker.set_protocol_type(forced);
    }
    tracing::debug!(choice = choice.name(), picker = %describe(Some(&picker)), "image protocol");
    Some(picker)
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
        assert!(picker(ProtocolChoice::None, false).is_none());
        assert_eq!(describe(None), "none (images off)");
    }

    #[test]
    fn without_probing_auto_is_halfblocks_and_choices_are_forced() {
        let p = picker(ProtocolChoice::Auto, false).unwrap();
        assert_eq!(p.protocol_type(), ProtocolType::Halfblocks);
        for (choice, expected) in [
            (ProtocolChoice::Kitty, ProtocolType::Kitty),
            (ProtocolChoice::Sixel, ProtocolType::Sixel),
            (ProtocolChoice::Iterm2, ProtocolType::Iterm2),
            (ProtocolChoice::Halfblocks, ProtocolType::Halfblocks),
        ] {
            let p = picker(choice, false).unwrap();
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
}
