//! The tag editor (`t`): adds and removes tags on the selection (or the
//! current asset) with fuzzy completion from `GET /tags`. This is its
//! state and what a key does to it ([`TagEditor::key`]); applying the
//! outcome to the assets and the server is `app::update::tags`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::input::{InputKey, LineInput};

/// Longest text the editor takes (the server decides what it accepts).
pub const INPUT_MAX: usize = 200;
/// Completions kept for the popup.
pub const COMPLETIONS_MAX: usize = 50;

/// Keys of the tag editor (listed in the help after the keymap).
pub const EDITOR_KEYS: &[(&str, &str)] = &[
    ("typing", "a tag (commas: several); completions follow"),
    ("↑/↓ Tab", "choose a completion / take it into the text"),
    ("Enter", "add the tag (or the chosen completion)"),
    ("-tag Enter", "remove a tag"),
    ("Bksp on empty", "remove the last tag shown"),
    ("Esc", "close (changes are already sent)"),
];

/// The tags in use (`GET /tags`), for completion.
#[derive(Clone, Debug, Default)]
pub struct TagIndex {
    pub loaded: bool,
    pub loading: bool,
    pub error: Option<String>,
    /// (tag as the server spells it, assets carrying it), most used first.
    pub items: Vec<(String, u64)>,
}

/// One change sent to the server: `tag` added to (or removed from) `ids`,
/// the assets it changed locally (the others had it already).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagChange {
    pub tag: String,
    pub add: bool,
    pub ids: Vec<String>,
}

/// The editor's state (an overlay).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagEditor {
    /// The assets edited: the selection when `t` was pressed, or the
    /// current asset.
    pub ids: Vec<String>,
    pub input: LineInput<INPUT_MAX>,
    /// (tag, count) completing the input, best first.
    pub completions: Vec<(String, u64)>,
    /// The completion chosen with ↑/↓ (`None`: the typed text).
    pub chosen: Option<usize>,
    /// Something was changed: the tag counts are reloaded on close.
    pub changed: bool,
    /// How many of the assets are not on screen (a selection scrolled
    /// away): the title says so.
    pub off_screen: usize,
}

/// What a key did in the tag editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagKey {
    /// Nothing to do beyond what the editor did to itself.
    Stay,
    /// The text changed: the completions follow it.
    Edited,
    /// Add (or remove) these tags on the edited assets; the text is
    /// cleared already.
    Apply { tags: Vec<String>, add: bool },
    /// `Backspace` on empty: remove the last tag the assets carry.
    RemoveLast,
    /// `Esc`, or `Enter` on nothing.
    Close,
}

impl TagEditor {
    /// An editor on `ids`, empty.
    pub fn new(ids: Vec<String>) -> TagEditor {
        TagEditor {
            ids,
            input: LineInput::default(),
            completions: Vec::new(),
            chosen: None,
            changed: false,
            off_screen: 0,
        }
    }

    /// Applies a key to the editor and says what the caller must do.
    pub fn key(&mut self, key: &KeyEvent) -> TagKey {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let n = self.completions.len();
        match key.code {
            KeyCode::Esc => TagKey::Close,
            KeyCode::Down | KeyCode::Char('n') if (key.code == KeyCode::Down || ctrl) && n > 0 => {
                self.chosen = Some(self.chosen.map_or(0, |c| (c + 1).min(n - 1)));
                TagKey::Stay
            }
            KeyCode::Up | KeyCode::Char('p') if key.code == KeyCode::Up || ctrl => {
                self.chosen = match self.chosen {
                    Some(0) | None => None,
                    Some(c) => Some(c - 1),
                };
                TagKey::Stay
            }
            KeyCode::Tab => match self.completions.get(self.chosen.unwrap_or(0)).cloned() {
                Some((tag, _)) => {
                    let text = replace_last(&self.input, &tag);
                    self.input.set(&text);
                    self.chosen = None;
                    TagKey::Edited
                }
                None => TagKey::Stay,
            },
            KeyCode::Enter => {
                let chosen = self
                    .chosen
                    .and_then(|c| self.completions.get(c))
                    .map(|(t, _)| t.clone());
                let removing = self.input.starts_with('-');
                let typed = self.input.strip_prefix('-').unwrap_or(&self.input);
                let tags: Vec<String> = match chosen {
                    Some(t) => vec![t],
                    None => typed
                        .split(',')
                        .map(|t| t.trim().to_string())
                        .filter(|t| !t.is_empty())
                        .collect(),
                };
                if tags.is_empty() && self.input.is_empty() {
                    // Enter on nothing: done, as Esc
                    return TagKey::Close;
                }
                self.input.clear();
                self.chosen = None;
                if tags.is_empty() {
                    TagKey::Edited
                } else {
                    TagKey::Apply {
                        tags,
                        add: !removing,
                    }
                }
            }
            KeyCode::Backspace if self.input.is_empty() => TagKey::RemoveLast,
            _ => match self.input.key(key) {
                InputKey::Edited => TagKey::Edited,
                InputKey::Unchanged | InputKey::NotMine => TagKey::Stay,
            },
        }
    }
}

/// The text with the tag being typed (after the last comma, keeping a
/// `-`) replaced by `tag`.
fn replace_last(input: &str, tag: &str) -> String {
    let keep = match input.rfind(',') {
        Some(i) => input[..=i].to_string() + " ",
        None if input.starts_with('-') => "-".to_string(),
        None => String::new(),
    };
    keep + tag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_replaces_the_tag_being_typed() {
        assert_eq!(replace_last("hero, dra", "draft"), "hero, draft");
        assert_eq!(replace_last("-he", "hero"), "-hero");
        assert_eq!(replace_last("x", "xyz"), "xyz");
    }
}
