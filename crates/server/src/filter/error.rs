//! The error a filter is refused with: a message, the column, and a
//! one-line excerpt of the filter around it.

use std::fmt;

/// A filter that could not be parsed, or that uses a non-filterable attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    pub message: String,
    /// Char offset (0-based) of the offending spot; `column()` is 1-based.
    pub position: usize,
    /// A short single-line excerpt of the filter around `position`.
    pub snippet: String,
}

impl FilterError {
    pub(super) fn at(chars: &[char], position: usize, message: impl Into<String>) -> Self {
        let position = position.min(chars.len());
        Self {
            message: message.into(),
            position,
            snippet: snippet(chars, position),
        }
    }

    /// 1-based column of the error.
    pub fn column(&self) -> usize {
        self.position.saturating_add(1)
    }

    pub(super) fn with_message(mut self, message: &str) -> Self {
        self.message = message.to_string();
        self
    }

    pub(super) fn in_element(mut self, path: &str) -> Self {
        self.message = format!("in filter array element {path}: {}", self.message);
        self
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid filter at column {}: {}",
            self.column(),
            self.message
        )?;
        if !self.snippet.is_empty() {
            write!(f, ": `{}`", self.snippet)?;
        }
        Ok(())
    }
}

impl std::error::Error for FilterError {}

/// Up to 20 chars before and 30 after `position`, control chars escaped so
/// the result stays on one line.
pub(super) fn snippet(chars: &[char], position: usize) -> String {
    const BEFORE: usize = 20;
    const AFTER: usize = 30;
    let position = position.min(chars.len());
    let start = position.saturating_sub(BEFORE);
    let end = chars.len().min(position.saturating_add(AFTER));
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    for &c in chars.get(start..end).unwrap_or_default() {
        push_display_char(&mut out, c);
    }
    if end < chars.len() {
        out.push('…');
    }
    out
}

fn push_display_char(out: &mut String, c: char) {
    if c.is_control() {
        out.extend(c.escape_default());
    } else {
        out.push(c);
    }
}

/// `text` for a message: at most `max` chars, control chars escaped.
pub(super) fn excerpt(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        push_display_char(&mut out, c);
    }
    out
}
