//! The command palette (`:`): every action the provider serves, by name
//! with its keys and its help line, fuzzy-filtered as the query is typed.
//! Enter hands the highlighted action back; `update()` runs it through the
//! same dispatch as its key.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::input::{InputKey, LineInput};
use super::keymap::Keymap;

/// Longest query the palette takes.
pub const QUERY_MAX: usize = 60;

/// The palette's own keys, for its frame and the footer.
pub const KEYS: &[(&str, &str)] = &[
    ("typing", "filter"),
    ("↑/↓", "choose"),
    ("Enter", "run"),
    ("Esc", "close"),
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Palette {
    pub query: LineInput<QUERY_MAX>,
    /// Every action offered, with what the query is matched against.
    pub entries: Vec<Entry>,
    /// Indices into `entries` matching the query, best first.
    pub matches: Vec<usize>,
    pub cursor: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub action: Action,
    /// `j/↓`-style label of its keys.
    pub keys: String,
    /// Name, help and keys: what the query is matched against.
    haystack: String,
}

/// What a key did in the palette.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaletteKey {
    Stay,
    Run(Action),
    Close,
}

impl Palette {
    /// The palette over `actions` (those the provider serves), labelled
    /// with their keys in `keymap`.
    pub fn new(actions: impl Iterator<Item = Action>, keymap: &Keymap) -> Palette {
        let entries = actions
            .filter(|a| *a != Action::Palette)
            .map(|action| {
                let keys = keymap.label(action);
                let haystack = format!(
                    "{} {} {}",
                    action.name().replace('_', " "),
                    action.help(),
                    keys
                );
                Entry {
                    action,
                    keys,
                    haystack,
                }
            })
            .collect();
        let mut p = Palette {
            query: LineInput::default(),
            entries,
            matches: Vec::new(),
            cursor: 0,
        };
        p.refilter();
        p
    }

    fn refilter(&mut self) {
        self.matches = super::fuzzy::rank(
            &self.query,
            self.entries.iter().map(|e| e.haystack.as_str()),
        );
        self.cursor = 0;
    }

    pub fn highlighted(&self) -> Option<Action> {
        self.matches
            .get(self.cursor)
            .map(|&i| self.entries[i].action)
    }

    pub fn key(&mut self, key: &KeyEvent) -> PaletteKey {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let last = self.matches.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc => return PaletteKey::Close,
            KeyCode::Enter => {
                return match self.highlighted() {
                    Some(a) => PaletteKey::Run(a),
                    None => PaletteKey::Stay,
                }
            }
            KeyCode::Down | KeyCode::Tab => self.cursor = (self.cursor + 1).min(last),
            KeyCode::Char('n') if ctrl => self.cursor = (self.cursor + 1).min(last),
            KeyCode::Up | KeyCode::BackTab => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Char('p') if ctrl => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::PageDown => self.cursor = (self.cursor + 10).min(last),
            KeyCode::PageUp => self.cursor = self.cursor.saturating_sub(10),
            _ => {
                if self.query.key(key) == InputKey::Edited {
                    self.refilter();
                }
            }
        }
        PaletteKey::Stay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(p: &mut Palette, text: &str) {
        for c in text.chars() {
            p.key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    #[test]
    fn typing_filters_by_name_help_or_key_and_enter_hands_back_the_best() {
        let map = Keymap::default();
        let mut p = Palette::new(Action::ALL.iter().copied(), &map);
        assert_eq!(p.matches.len(), Action::ALL.len() - 1, "all but itself");
        typed(&mut p, "reload");
        assert_eq!(p.highlighted(), Some(Action::Refresh));
        let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(p.key(&enter), PaletteKey::Run(Action::Refresh));
        // by its config name, underscores or not
        p.key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        typed(&mut p, "half page down");
        assert_eq!(p.highlighted(), Some(Action::HalfPageDown));
        // nothing matches: Enter does nothing, Esc closes
        typed(&mut p, "zzzz");
        assert!(p.matches.is_empty());
        assert_eq!(p.key(&enter), PaletteKey::Stay);
        let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
        assert_eq!(p.key(&esc), PaletteKey::Close);
    }

    #[test]
    fn arrows_move_within_the_matches() {
        let map = Keymap::default();
        let mut p = Palette::new([Action::Down, Action::Up].into_iter(), &map);
        let down = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
        p.key(&down);
        p.key(&down);
        assert_eq!(p.highlighted(), Some(Action::Up));
        p.key(&KeyEvent::new(KeyCode::Up, KeyModifiers::NONE));
        assert_eq!(p.highlighted(), Some(Action::Down));
    }
}
