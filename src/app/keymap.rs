//! The keymap: one table from keys to [`Action`]s. The help overlay is
//! generated from it, and the config file's `[keys]` table overrides it.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

/// One key with its modifiers, as written in the config (`ctrl-d`, `G`,
/// `pgdn`, `shift-tab`, `?`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeySpec {
    pub const fn plain(code: KeyCode) -> KeySpec {
        KeySpec {
            code,
            mods: KeyModifiers::NONE,
        }
    }

    pub const fn ctrl(c: char) -> KeySpec {
        KeySpec {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }

    pub const fn ch(c: char) -> KeySpec {
        KeySpec::plain(KeyCode::Char(c))
    }

    /// The spec a key event matches. Shift is folded into the character
    /// (`G`, `?`) so terminals that report it and those that don't agree.
    pub fn from_event(ev: &KeyEvent) -> KeySpec {
        let mut mods = ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match ev.code {
            KeyCode::BackTab => {
                mods |= KeyModifiers::SHIFT;
                KeyCode::Tab
            }
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => {
                if ev.modifiers.contains(KeyModifiers::SHIFT) && !matches!(other, KeyCode::Char(_))
                {
                    mods |= KeyModifiers::SHIFT;
                }
                other
            }
        };
        KeySpec { code, mods }
    }

    /// Parses `ctrl-d`, `alt-x`, `shift-tab`, `G`, `pgdn`, `enter`, `space`.
    pub fn parse(text: &str) -> Result<KeySpec, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (prefix, m) = if lower.starts_with("ctrl-") {
                (5, KeyModifiers::CONTROL)
            } else if lower.starts_with("alt-") {
                (4, KeyModifiers::ALT)
            } else if lower.starts_with("shift-") && rest.len() > 6 {
                (6, KeyModifiers::SHIFT)
            } else {
                break;
            };
            mods |= m;
            rest = &rest[prefix..];
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "space" => KeyCode::Char(' '),
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if !c.is_control() => {
                        if mods.contains(KeyModifiers::CONTROL) {
                            KeyCode::Char(c.to_ascii_lowercase())
                        } else {
                            KeyCode::Char(c)
                        }
                    }
                    _ => return Err(format!("unknown key `{text}`")),
                }
            }
        };
        if mods.contains(KeyModifiers::SHIFT) && matches!(code, KeyCode::Char(_)) {
            return Err(format!(
                "`{text}`: write the shifted character itself (`G`, not `shift-g`)"
            ));
        }
        Ok(KeySpec { code, mods })
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Sections of the help overlay, in order.
/// Keys of the filter pane, which edits text and so has its own; listed
/// in the help after the keymap's sections.
pub const FILTER_PANE_KEYS: &[(&str, &str)] = &[
    ("j/k Tab", "choose a field"),
    ("Enter/Space", "edit, cycle or pick"),
    ("x/Backspace", "clear the field"),
    ("F", "clear every filter"),
    ("Esc", "close (changes apply at once)"),
    (
        "in a picker",
        "type to narrow, Space toggles, Enter chooses",
    ),
];

/// Keys of the search box, which edits text like the filter pane; the
/// ratio keys are the keymap's (Search section).
pub const SEARCH_BOX_KEYS: &[(&str, &str)] = &[
    ("typing", "searches as you type (250 ms after the last key)"),
    ("@path ./x ~/x", "a local image as the reference"),
    ("Tab", "complete a file name"),
    ("↑/↓", "move in the results"),
    ("Backspace", "delete (on empty: drop the like-image)"),
    ("Ctrl-u Ctrl-w", "clear the text / delete a word"),
    ("Enter", "keep the results, back to the list"),
    ("Esc", "back to the browsed list"),
];

/// Lines the help overlay shows: a title, the actions and a blank line
/// per section; the search box's, the filter pane's and the downloads
/// pane's keys, the tag editor's (a title and a blank line each); two closing lines.
pub fn help_len(caps: &crate::provider::Capabilities) -> usize {
    let sections: usize = SECTIONS
        .iter()
        .map(|(_, acts)| served(acts, caps).count())
        .filter(|n| *n > 0)
        .map(|n| n + 2)
        .sum();
    let panes = [
        SEARCH_BOX_KEYS.len(),
        super::tags::EDITOR_KEYS.len(),
        FILTER_PANE_KEYS.len(),
        super::downloads::PANE_KEYS.len(),
    ];
    sections + panes.iter().map(|n| n + 2).sum::<usize>() + 2
}

/// The actions of `actions` the provider serves (the help and footer show
/// only those).
pub fn served<'a>(
    actions: &'a [Action],
    caps: &'a crate::provider::Capabilities,
) -> impl Iterator<Item = Action> + 'a {
    actions
        .iter()
        .copied()
        .filter(|a| a.needs().is_none_or(|c| caps.has(c)))
}

pub const SECTIONS: &[(&str, &[Action])] = &[
    (
        "Move",
        &[
            Action::Down,
            Action::Up,
            Action::Left,
            Action::Right,
            Action::Top,
            Action::Bottom,
            Action::HalfPageDown,
            Action::HalfPageUp,
            Action::PageDown,
            Action::PageUp,
        ],
    ),
    (
        "Panes",
        &[
            Action::FocusNext,
            Action::FocusPrev,
            Action::Open,
            Action::ToggleGrid,
            Action::ToggleInspector,
            Action::RawJson,
            Action::JumpParent,
            Action::JumpRoot,
            Action::Back,
        ],
    ),
    (
        "Library",
        &[Action::Filters, Action::ClearFilters, Action::Refresh],
    ),
    (
        "Search",
        &[
            Action::Search,
            Action::ChooseIndex,
            Action::SearchSimilar,
            Action::MarkLike,
            Action::MarkUnlike,
            Action::ClearMark,
            Action::ClearMarks,
            Action::TextRatioDown,
            Action::TextRatioUp,
            Action::ImageRatioDown,
            Action::ImageRatioUp,
        ],
    ),
    (
        "Clipboard",
        &[Action::CopyId, Action::CopyLink, Action::CopyPrompt],
    ),
    (
        "Select",
        &[
            Action::ToggleSelect,
            Action::SelectRange,
            Action::SelectAll,
            Action::ClearSelection,
        ],
    ),
    (
        "Edit",
        &[
            Action::Tag,
            Action::AddToCollection,
            Action::Delete,
            Action::Upload,
            Action::Undo,
        ],
    ),
    (
        "Files",
        &[
            Action::Download,
            Action::DownloadAs,
            Action::DownloadZip,
            Action::Mirror,
            Action::OpenFile,
            Action::Downloads,
        ],
    ),
    (
        "General",
        &[
            Action::Help,
            Action::Palette,
            Action::Messages,
            Action::Close,
            Action::Suspend,
            Action::Quit,
        ],
    ),
    ("Family tree", &[Action::Lineage, Action::SelectBranch]),
];

fn defaults() -> Vec<(Action, Vec<KeySpec>)> {
    use KeyCode::*;
    let p = KeySpec::plain;
    let c = KeySpec::ch;
    vec![
        (Action::Down, vec![c('j'), p(Down)]),
        (Action::Up, vec![c('k'), p(Up)]),
        (Action::Left, vec![c('h'), p(Left)]),
        (Action::Right, vec![c('l'), p(Right)]),
        (Action::Top, vec![c('g'), p(Home)]),
        (Action::Bottom, vec![c('G'), p(End)]),
        (Action::HalfPageDown, vec![KeySpec::ctrl('d')]),
        (Action::HalfPageUp, vec![KeySpec::ctrl('u')]),
        (Action::PageDown, vec![p(PageDown), KeySpec::ctrl('f')]),
        (Action::PageUp, vec![p(PageUp), KeySpec::ctrl('b')]),
        (Action::FocusNext, vec![p(Tab)]),
        (
            Action::FocusPrev,
            vec![KeySpec {
                code: Tab,
                mods: KeyModifiers::SHIFT,
            }],
        ),
        (Action::Open, vec![p(Enter)]),
        (Action::ToggleGrid, vec![c('v')]),
        (Action::ToggleInspector, vec![c('i')]),
        (Action::Filters, vec![c('f')]),
        (Action::ClearFilters, vec![c('F')]),
        (Action::Refresh, vec![c('r')]),
        (Action::Search, vec![c('/')]),
        (Action::SearchSimilar, vec![c('s')]),
        (Action::ChooseIndex, vec![c('I')]),
        (Action::MarkLike, vec![c('+')]),
        (Action::MarkUnlike, vec![c('-')]),
        (Action::ClearMark, vec![c('=')]),
        (Action::ClearMarks, vec![c('_')]),
        (
            Action::TextRatioDown,
            vec![KeySpec {
                code: Left,
                mods: KeyModifiers::CONTROL,
            }],
        ),
        (
            Action::TextRatioUp,
            vec![KeySpec {
                code: Right,
                mods: KeyModifiers::CONTROL,
            }],
        ),
        (
            Action::ImageRatioDown,
            vec![KeySpec {
                code: Left,
                mods: KeyModifiers::ALT,
            }],
        ),
        (
            Action::ImageRatioUp,
            vec![KeySpec {
                code: Right,
                mods: KeyModifiers::ALT,
            }],
        ),
        (Action::RawJson, vec![c('J')]),
        (Action::JumpParent, vec![c('p')]),
        (Action::JumpRoot, vec![c('P')]),
        (Action::Back, vec![p(Backspace)]),
        (Action::CopyId, vec![c('y')]),
        (Action::CopyLink, vec![c('Y')]),
        (Action::CopyPrompt, vec![c('c')]),
        (Action::ToggleSelect, vec![c(' ')]),
        (Action::SelectRange, vec![c('V')]),
        (Action::SelectAll, vec![KeySpec::ctrl('a')]),
        (Action::ClearSelection, vec![c('u')]),
        (Action::Tag, vec![c('t')]),
        (Action::AddToCollection, vec![c('a')]),
        (Action::Delete, vec![c('X'), p(Delete)]),
        (Action::Upload, vec![c('U')]),
        (Action::Undo, vec![c('z')]),
        (Action::Download, vec![c('d')]),
        (Action::DownloadAs, vec![c('S')]),
        (Action::DownloadZip, vec![c('Z')]),
        (Action::Mirror, vec![c('M')]),
        (Action::OpenFile, vec![c('o')]),
        (Action::Downloads, vec![c('D')]),
        (Action::Help, vec![c('?')]),
        (Action::Close, vec![p(Esc)]),
        (Action::Quit, vec![c('q'), KeySpec::ctrl('c')]),
        (Action::Suspend, vec![KeySpec::ctrl('z')]),
        (Action::Messages, vec![c('m')]),
        (Action::Palette, vec![c(':')]),
        (Action::Lineage, vec![c('L')]),
        (Action::SelectBranch, vec![c('B')]),
    ]
}

/// Keys to actions, and actions to the keys shown in help.
#[derive(Clone, Debug)]
pub struct Keymap {
    bindings: Vec<(Action, Vec<KeySpec>)>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: defaults(),
        }
    }
}

impl Keymap {
    /// The defaults with the config's `[keys]` table applied: each entry
    /// replaces every key of that action. A key taken from another action
    /// is removed from it, so one key never means two things.
    /// Every problem is named, not only the first (`; ` between them).
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        let mut problems: Vec<String> = Vec::new();
        for (name, keys) in overrides {
            let Some(action) = Action::from_name(name) else {
                problems.push(format!(
                    "[keys]: unknown action `{name}` (one of: {})",
                    Action::ALL
                        .iter()
                        .map(|a| a.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                continue;
            };
            let mut specs = Vec::new();
            for k in keys {
                match KeySpec::parse(k) {
                    Ok(s) => specs.push(s),
                    Err(e) => problems.push(format!("[keys] {name}: {e}")),
                }
            }
            for (_, existing) in map.bindings.iter_mut() {
                existing.retain(|k| !specs.contains(k));
            }
            if let Some(entry) = map.bindings.iter_mut().find(|(a, _)| *a == action) {
                entry.1 = specs;
            }
        }
        if problems.is_empty() {
            Ok(map)
        } else {
            Err(problems.join("; "))
        }
    }

    pub fn action_for(&self, ev: &KeyEvent) -> Option<Action> {
        let spec = KeySpec::from_event(ev);
        self.bindings
            .iter()
            .find(|(_, keys)| keys.contains(&spec))
            .map(|(a, _)| *a)
    }

    pub fn keys_for(&self, action: Action) -> &[KeySpec] {
        self.bindings
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, k)| k.as_slice())
            .unwrap_or(&[])
    }

    /// `j/↓`-style label of an action's keys, for help and hints.
    pub fn label(&self, action: Action) -> String {
        let keys = self.keys_for(action);
        if keys.is_empty() {
            return "(unbound)".into();
        }
        keys.iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn defaults_cover_every_action_and_the_issue_keys() {
        let map = Keymap::default();
        for a in Action::ALL {
            assert!(!map.keys_for(*a).is_empty(), "{a:?} unbound");
            assert!(
                SECTIONS.iter().any(|(_, acts)| acts.contains(a)),
                "{a:?} missing from help"
            );
        }
        let n = KeyModifiers::NONE;
        assert_eq!(
            map.action_for(&key(KeyCode::Char('j'), n)),
            Some(Action::Down)
        );
        assert_eq!(map.action_for(&key(KeyCode::Down, n)), Some(Action::Down));
        assert_eq!(
            map.action_for(&key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            map.action_for(&key(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(Action::HalfPageDown)
        );
        assert_eq!(
            map.action_for(&key(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::FocusPrev)
        );
        assert_eq!(
            map.action_for(&key(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            Some(Action::Help)
        );
        assert_eq!(map.action_for(&key(KeyCode::Char('x'), n)), None);
    }

    #[test]
    fn no_key_means_two_things() {
        let map = Keymap::default();
        let mut seen = std::collections::HashSet::new();
        for (_, keys) in &map.bindings {
            for k in keys {
                assert!(seen.insert(*k), "{k} bound twice");
            }
        }
    }

    #[test]
    fn overrides_replace_and_steal_keys() {
        let mut o = BTreeMap::new();
        o.insert(
            "down".to_string(),
            vec!["ctrl-n".to_string(), "J".to_string()],
        );
        let map = Keymap::with_overrides(&o).unwrap();
        assert_eq!(
            map.action_for(&key(KeyCode::Char('n'), KeyModifiers::CONTROL)),
            Some(Action::Down)
        );
        assert_eq!(
            map.action_for(&key(KeyCode::Char('j'), KeyModifiers::NONE)),
            None
        );
        // `J` moved from raw_json to down
        assert_eq!(
            map.action_for(&key(KeyCode::Char('J'), KeyModifiers::SHIFT)),
            Some(Action::Down)
        );
        assert_eq!(map.label(Action::RawJson), "(unbound)");
        assert_eq!(map.label(Action::Down), "Ctrl-n/J");
    }

    #[test]
    fn bad_overrides_are_named() {
        let mut o = BTreeMap::new();
        o.insert("dwon".to_string(), vec!["j".to_string()]);
        assert!(Keymap::with_overrides(&o)
            .unwrap_err()
            .contains("unknown action `dwon`"));
        let mut o = BTreeMap::new();
        o.insert("down".to_string(), vec!["ctrl-".to_string()]);
        assert!(Keymap::with_overrides(&o)
            .unwrap_err()
            .contains("unknown key"));
        let mut o = BTreeMap::new();
        o.insert("down".to_string(), vec!["shift-g".to_string()]);
        assert!(Keymap::with_overrides(&o).is_err());
    }

    #[test]
    fn specs_parse_and_display() {
        for (text, shown) in [
            ("ctrl-d", "Ctrl-d"),
            ("pgdn", "PgDn"),
            ("shift-tab", "Shift-Tab"),
            ("G", "G"),
            ("space", "Space"),
            ("alt-x", "Alt-x"),
        ] {
            assert_eq!(KeySpec::parse(text).unwrap().to_string(), shown);
        }
    }
}
