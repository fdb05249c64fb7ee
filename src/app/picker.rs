//! A fuzzy-filtered choice among options (types, collections, formats):
//! the picker's state and what a key does to it ([`Picker::key`]).

use std::collections::BTreeSet;

use super::input::{InputKey, LineInput};

/// Longest query a picker takes.
pub const QUERY_MAX: usize = 100;

/// A fuzzy picker over a list of choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picker {
    pub query: LineInput<QUERY_MAX>,
    /// (value, label) of every choice.
    pub options: Vec<(String, String)>,
    /// Indices into `options` matching the query, best first.
    pub matches: Vec<usize>,
    pub cursor: usize,
    pub chosen: BTreeSet<String>,
    pub multi: bool,
}

impl Picker {
    pub fn new(options: Vec<(String, String)>, chosen: BTreeSet<String>, multi: bool) -> Picker {
        let mut p = Picker {
            query: LineInput::default(),
            options,
            matches: Vec::new(),
            cursor: 0,
            chosen,
            multi,
        };
        p.refilter();
        p
    }

    pub fn refilter(&mut self) {
        self.matches =
            super::fuzzy::rank(&self.query, self.options.iter().map(|(_, l)| l.as_str()));
        self.cursor = self.cursor.min(self.matches.len().saturating_sub(1));
    }

    pub fn highlighted(&self) -> Option<&(String, String)> {
        self.matches.get(self.cursor).map(|&i| &self.options[i])
    }

    /// Applies a key: moving, toggling (multi) and typing stay in the
    /// picker; Enter and Esc are the caller's.
    pub fn key(&mut self, key: &crossterm::event::KeyEvent) -> PickerKey {
        use crossterm::event::{KeyCode, KeyModifiers};
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let last = self.matches.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc => return PickerKey::Cancel,
            KeyCode::Enter => return PickerKey::Choose,
            KeyCode::Down => self.cursor = (self.cursor + 1).min(last),
            KeyCode::Char('n') if ctrl => self.cursor = (self.cursor + 1).min(last),
            KeyCode::Up => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Char('p') if ctrl => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Char(' ') if self.multi => {
                if let Some((v, _)) = self.highlighted().cloned() {
                    if !self.chosen.remove(&v) {
                        self.chosen.insert(v);
                    }
                }
            }
            _ => {
                if self.query.key(key) == InputKey::Edited {
                    self.cursor = 0;
                    self.refilter();
                }
            }
        }
        PickerKey::Stay
    }
}

/// What a key did in a [`Picker`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickerKey {
    Stay,
    Choose,
    Cancel,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    #[test]
    fn the_query_edits_as_every_prompt_does() {
        let options = ["dragon", "castle", "dragonfly"]
            .iter()
            .map(|s| (s.to_string(), s.to_string()))
            .collect();
        let mut p = Picker::new(options, BTreeSet::new(), false);
        for c in "drag".chars() {
            p.key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        assert_eq!(p.matches.len(), 2);
        // Ctrl-u empties the query, as in the search box and the tag editor
        p.key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(p.query, "");
        assert_eq!(p.matches.len(), 3);
        // a pasted escape byte is not taken
        p.key(&KeyEvent::new(KeyCode::Char('\u{1b}'), KeyModifiers::NONE));
        assert_eq!(p.query, "");
    }
}
