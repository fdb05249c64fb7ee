//! Colours and styles, in one place.

use ratatui::style::{Color, Modifier, Style};

pub fn border(focused: bool) -> Style {
    if focused {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new().fg(Color::DarkGray)
    }
}

pub fn title() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn selected() -> Style {
    Style::new()
        .bg(Color::Rgb(40, 48, 64))
        .add_modifier(Modifier::BOLD)
}

pub fn dim() -> Style {
    Style::new().fg(Color::Gray)
}

pub fn faint() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn chip() -> Style {
    Style::new().fg(Color::Black).bg(Color::Cyan)
}

pub fn tag() -> Style {
    Style::new().fg(Color::Magenta)
}

pub fn key() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}

pub fn error() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

pub fn info() -> Style {
    Style::new().fg(Color::Green)
}

pub fn label() -> Style {
    Style::new().fg(Color::Cyan)
}

pub fn bar() -> Style {
    Style::new().bg(Color::Rgb(28, 28, 36))
}

/// Section titles in the inspector.
pub fn section() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// A "more like this" mark.
pub fn like() -> Style {
    Style::new().fg(Color::Green).add_modifier(Modifier::BOLD)
}

/// A "less like this" mark.
pub fn unlike() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

/// The mark of an asset in the selection.
pub fn picked() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}
