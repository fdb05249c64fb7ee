//! One line of typed text, as every prompt of the browser edits it (the
//! search box, the tag editor, a filter field, the upload path, a picker's
//! query): the same keys do the same thing everywhere.
//!
//! Typing appends at the end; `Backspace` deletes the last character,
//! `Ctrl-w` the last word, `Ctrl-u` everything. Control characters are
//! never taken, and the text stops growing at its limit.

use std::fmt;
use std::ops::Deref;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The text of a prompt, at most `MAX` characters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineInput<const MAX: usize> {
    text: String,
}

/// What a key did to a [`LineInput`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKey {
    /// The text changed.
    Edited,
    /// An editing key that changed nothing (`Backspace` on empty, a
    /// character past the limit).
    Unchanged,
    /// Not an editing key: the prompt's own (Enter, Esc, arrows, Tab…).
    NotMine,
}

impl<const MAX: usize> LineInput<MAX> {
    /// A prompt that starts with `text` (cut to the limit).
    pub fn with_text(text: &str) -> Self {
        let mut input = Self::default();
        input.set(text);
        input
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Replaces the text (cut to the limit).
    pub fn set(&mut self, text: &str) {
        self.text = text.chars().take(MAX).collect();
    }

    pub fn clear(&mut self) {
        self.text.clear();
    }

    /// Appends one character if it is printable and the limit allows.
    pub fn push(&mut self, c: char) -> bool {
        if c.is_control() || self.text.chars().count() >= MAX {
            return false;
        }
        self.text.push(c);
        true
    }

    /// Deletes the last character.
    pub fn pop(&mut self) -> Option<char> {
        self.text.pop()
    }

    /// Deletes the last word, path segments counting as words, with the
    /// blanks and slashes after it (`red castle` → `red `, `@/tmp/dir/` →
    /// `@/tmp/`).
    pub fn delete_word(&mut self) {
        let t = self.text.trim_end_matches([' ', '/']);
        let keep = t.rfind([' ', '/']).map_or(0, |i| i + 1);
        self.text.truncate(keep);
    }

    /// Applies an editing key.
    pub fn key(&mut self, key: &KeyEvent) -> InputKey {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let changed = match key.code {
            KeyCode::Backspace => self.pop().is_some(),
            KeyCode::Char('u') if ctrl => !std::mem::take(&mut self.text).is_empty(),
            KeyCode::Char('w') if ctrl => {
                let before = self.text.len();
                self.delete_word();
                self.text.len() != before
            }
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => self.push(c),
            _ => return InputKey::NotMine,
        };
        if changed {
            InputKey::Edited
        } else {
            InputKey::Unchanged
        }
    }
}

impl<const MAX: usize> Deref for LineInput<MAX> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl<const MAX: usize> fmt::Display for LineInput<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<const MAX: usize> PartialEq<str> for LineInput<MAX> {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl<const MAX: usize> PartialEq<String> for LineInput<MAX> {
    fn eq(&self, other: &String) -> bool {
        self.text == *other
    }
}

impl<const MAX: usize> PartialEq<&str> for LineInput<MAX> {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn the_same_keys_edit_every_prompt() {
        let mut i = LineInput::<100>::default();
        for c in "red dragon  ".chars() {
            assert_eq!(i.key(&k(KeyCode::Char(c))), InputKey::Edited);
        }
        assert_eq!(i.key(&ctrl('w')), InputKey::Edited);
        assert_eq!(i, "red ");
        let mut p = LineInput::<100>::with_text("@/tmp/dir/");
        p.delete_word();
        assert_eq!(p, "@/tmp/");
        p.set("castle");
        p.delete_word();
        assert_eq!(p, "");
        assert_eq!(i.key(&k(KeyCode::Backspace)), InputKey::Edited);
        assert_eq!(i, "red");
        assert_eq!(i.key(&ctrl('u')), InputKey::Edited);
        assert_eq!(i, "");
        assert_eq!(i.key(&k(KeyCode::Backspace)), InputKey::Unchanged);
        assert_eq!(i.key(&k(KeyCode::Enter)), InputKey::NotMine);
        assert_eq!(i.key(&ctrl('n')), InputKey::NotMine);
    }

    #[test]
    fn control_characters_and_text_past_the_limit_are_refused() {
        let mut i = LineInput::<3>::default();
        assert_eq!(i.key(&k(KeyCode::Char('\u{1b}'))), InputKey::Unchanged);
        for c in "abcd".chars() {
            i.key(&k(KeyCode::Char(c)));
        }
        assert_eq!(i, "abc");
        i.set("éèêë");
        assert_eq!(i.as_str(), "éèê");
    }
}
