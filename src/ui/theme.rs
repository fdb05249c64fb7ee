//! Colours and styles, in one place, for a dark or a light background
//! (`theme = "auto" | "dark" | "light"` in config.toml; auto follows the
//! background colour the terminal reports, OSC 11).
//!
//! The secondary text (type lines, grid names, field names) uses greys
//! of the 256-colour cube's fixed ramp (232–255), not ANSI "bright black":
//! the 16 ANSI colours change with each terminal's palette (xterm's bright
//! black is dark grey on black), the ramp is the same everywhere, so its
//! contrast is known: on black, grey 245 is 6.1:1 and 250 11:1; on white,
//! grey 241 is 6.1:1 and 237 11:1 (xterm's bright black on black: 2.4:1).

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use ratatui::style::{Color, Modifier, Style};

/// The background the colours are chosen for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// From the background colour the terminal reports (OSC 11); dark
    /// when it does not say.
    #[default]
    Auto,
    /// Light text on a dark background.
    Dark,
    /// Dark text on a light background.
    Light,
}

/// The theme chosen in config.toml (`Auto` until the terminal answers).
static CHOSEN: AtomicU8 = AtomicU8::new(Theme::Auto as u8);
/// The theme in use: light or not.
static LIGHT: AtomicBool = AtomicBool::new(false);

/// Chooses the theme for what is drawn from now on (`Auto`: dark until
/// [`background`] says otherwise).
pub fn set(theme: Theme) {
    CHOSEN.store(theme as u8, Ordering::Relaxed);
    LIGHT.store(theme == Theme::Light, Ordering::Relaxed);
}

/// The terminal's background colour, when it answered: under `Auto`, a
/// light one picks the light theme.
pub fn background(rgb: Option<(u8, u8, u8)>) {
    if CHOSEN.load(Ordering::Relaxed) == Theme::Auto as u8 {
        LIGHT.store(rgb.is_some_and(is_light), Ordering::Relaxed);
    }
}

/// A background brighter than mid-grey (relative luminance).
pub fn is_light((r, g, b): (u8, u8, u8)) -> bool {
    0.2126 * f64::from(r) + 0.7152 * f64::from(g) + 0.0722 * f64::from(b) > 127.5
}

/// The theme in use (dark or light).
pub fn current() -> Theme {
    if LIGHT.load(Ordering::Relaxed) {
        Theme::Light
    } else {
        Theme::Dark
    }
}

/// (dark theme, light theme) of the colours whose contrast is tested.
const FAINT: (Color, Color) = (Color::Indexed(245), Color::Indexed(241));
const DIM: (Color, Color) = (Color::Indexed(250), Color::Indexed(237));
const LABEL: (Color, Color) = (Color::Cyan, Color::Indexed(25));
const SELECTED: (Color, Color) = (Color::Rgb(40, 48, 64), Color::Rgb(200, 215, 240));
const BAR: (Color, Color) = (Color::Rgb(28, 28, 36), Color::Rgb(228, 228, 236));

fn pair((dark, light): (Color, Color)) -> Color {
    pick(dark, light)
}

/// `dark` on a dark background, `light` on a light one.
fn pick(dark: Color, light: Color) -> Color {
    if LIGHT.load(Ordering::Relaxed) {
        light
    } else {
        dark
    }
}

pub fn border(focused: bool) -> Style {
    if focused {
        Style::new().fg(pick(Color::Cyan, Color::Indexed(25)))
    } else {
        Style::new().fg(pick(Color::Indexed(242), Color::Indexed(248)))
    }
}

pub fn title() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn selected() -> Style {
    Style::new().bg(pair(SELECTED)).add_modifier(Modifier::BOLD)
}

pub fn dim() -> Style {
    Style::new().fg(pair(DIM))
}

pub fn faint() -> Style {
    Style::new().fg(pair(FAINT))
}

pub fn chip() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(pick(Color::Cyan, Color::Indexed(117)))
}

pub fn tag() -> Style {
    Style::new().fg(pick(Color::Magenta, Color::Indexed(127)))
}

pub fn key() -> Style {
    Style::new()
        .fg(pick(Color::Yellow, Color::Indexed(130)))
        .add_modifier(Modifier::BOLD)
}

pub fn error() -> Style {
    Style::new()
        .fg(pick(Color::Red, Color::Indexed(160)))
        .add_modifier(Modifier::BOLD)
}

pub fn info() -> Style {
    Style::new().fg(pick(Color::Green, Color::Indexed(28)))
}

/// Field names in the inspector.
pub fn label() -> Style {
    Style::new().fg(pair(LABEL))
}

pub fn bar() -> Style {
    Style::new().bg(pair(BAR))
}

/// Section titles in the inspector.
pub fn section() -> Style {
    label().add_modifier(Modifier::BOLD)
}

/// A "more like this" mark.
pub fn like() -> Style {
    info().add_modifier(Modifier::BOLD)
}

/// A "less like this" mark.
pub fn unlike() -> Style {
    error()
}

/// The mark of an asset in the selection.
pub fn picked() -> Style {
    key()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sRGB value of a colour of the 256-colour ramp or cube.
    fn rgb(c: Color) -> (u8, u8, u8) {
        match c {
            Color::Indexed(n @ 232..=255) => {
                let v = 8 + 10 * (n - 232);
                (v, v, v)
            }
            Color::Indexed(n @ 16..=231) => {
                let level = |i: u8| if i == 0 { 0 } else { 55 + 40 * i };
                let i = n - 16;
                (level(i / 36), level(i / 6 % 6), level(i % 6))
            }
            Color::Rgb(r, g, b) => (r, g, b),
            other => panic!("not a fixed colour: {other:?}"),
        }
    }

    /// WCAG contrast ratio of two colours.
    fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
        let lum = |(r, g, b): (u8, u8, u8)| {
            let ch = |c: u8| {
                let c = f64::from(c) / 255.0;
                if c <= 0.03928 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)
        };
        let (x, y) = (lum(a), lum(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn secondary_text_is_readable_on_dark_and_light_backgrounds() {
        let black = (0, 0, 0);
        let white = (255, 255, 255);
        // what issue 22 saw: xterm's bright black (ANSI DarkGray) on black
        assert!(contrast((0x4d, 0x4d, 0x4d), black) < 3.0);
        let side = |pair: (Color, Color), light: bool| rgb(if light { pair.1 } else { pair.0 });
        for (light, bg) in [(false, black), (true, white)] {
            for (what, pair) in [("faint", FAINT), ("dim", DIM)] {
                let ratio = contrast(side(pair, light), bg);
                assert!(ratio >= 4.5, "light={light} {what}: {ratio:.1}");
                // text on the selection and the bars stays readable
                for (under, back) in [("selected", SELECTED), ("bar", BAR)] {
                    let ratio = contrast(side(pair, light), side(back, light));
                    assert!(ratio >= 3.0, "light={light} {what} on {under}: {ratio:.1}");
                }
            }
        }
        let ratio = contrast(side(LABEL, true), white);
        assert!(ratio >= 4.5, "light label: {ratio:.1}");
    }

    #[test]
    fn backgrounds_are_light_or_dark() {
        assert!(is_light((255, 255, 255)));
        assert!(is_light((0xfd, 0xf6, 0xe3))); // solarized light
        assert!(!is_light((0, 0, 0)));
        assert!(!is_light((0x28, 0x2c, 0x34)));
    }

    #[test]
    fn the_config_names_the_themes() {
        #[derive(serde::Deserialize)]
        struct C {
            theme: Theme,
        }
        let c: C = toml::from_str("theme = \"light\"").unwrap();
        assert_eq!(c.theme, Theme::Light);
        let c: C = toml::from_str("theme = \"auto\"").unwrap();
        assert_eq!(c.theme, Theme::Auto);
        assert!(toml::from_str::<C>("theme = \"pink\"").is_err());
    }
}
