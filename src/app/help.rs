//! The help overlay's rows (generated from the keymap and the panes' own
//! key tables) and its filter: typing narrows the rows to those whose keys
//! or description contain the text; a section shows while one of its rows
//! does.

use super::action::Action;
use super::input::LineInput;
use super::keymap::{served, Keymap, FILTER_PANE_KEYS, SEARCH_BOX_KEYS, SECTIONS};
use crate::provider::Capabilities;

/// Longest filter the help takes.
pub const FILTER_MAX: usize = 40;

/// What filters the help (`Overlay::Help`).
pub type Filter = LineInput<FILTER_MAX>;

/// One row of the help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Row {
    Section(&'static str),
    Key {
        keys: String,
        help: &'static str,
    },
    Blank,
    /// The closing notes.
    Note(&'static str),
}

/// The closing notes, short: the popup is at most 72 columns wide.
const NOTES: [&str; 2] = [
    "Mouse: click selects, the wheel scrolls.",
    "Keys can be changed in config.toml [keys].",
];

/// Every row, or with a `filter` the rows whose keys or description
/// contain it (ignoring case), under their section titles.
pub fn rows(keymap: &Keymap, caps: &Capabilities, filter: &str) -> Vec<Row> {
    let mut sections: Vec<(&'static str, Vec<(String, &'static str)>)> = Vec::new();
    for (section, actions) in SECTIONS {
        let keys: Vec<(String, &'static str)> = served(actions, caps)
            .map(|a: Action| (keymap.label(a), a.help()))
            .collect();
        sections.push((section, keys));
    }
    for (title, keys) in [
        ("Search box", SEARCH_BOX_KEYS),
        ("Tag editor", super::tags::EDITOR_KEYS),
        ("Filter pane", FILTER_PANE_KEYS),
        ("Downloads pane", super::downloads::PANE_KEYS),
    ] {
        sections.push((
            title,
            keys.iter().map(|(k, h)| (k.to_string(), *h)).collect(),
        ));
    }
    let needle = filter.trim().to_lowercase();
    let mut out = Vec::new();
    for (title, keys) in sections {
        let shown: Vec<_> = keys
            .into_iter()
            .filter(|(k, h)| {
                needle.is_empty()
                    || k.to_lowercase().contains(&needle)
                    || h.to_lowercase().contains(&needle)
            })
            .collect();
        if shown.is_empty() {
            continue;
        }
        out.push(Row::Section(title));
        out.extend(
            shown
                .into_iter()
                .map(|(keys, help)| Row::Key { keys, help }),
        );
        out.push(Row::Blank);
    }
    if needle.is_empty() {
        out.extend(NOTES.iter().map(|n| Row::Note(n)));
    }
    out
}

/// How many key rows `rows` holds.
pub fn key_count(rows: &[Row]) -> usize {
    rows.iter().filter(|r| matches!(r, Row::Key { .. })).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_keeps_rows_by_key_or_description_under_their_sections() {
        let map = Keymap::default();
        let caps = Capabilities::default();
        let all = rows(&map, &caps, "");
        assert_eq!(all.len(), super::super::keymap::help_len(&caps));
        let by_help = rows(&map, &caps, "ZIP");
        assert_eq!(
            by_help,
            vec![
                Row::Section("Files"),
                Row::Key {
                    keys: "Z".into(),
                    help: "download as one zip (a server batch job)"
                },
                Row::Blank
            ]
        );
        // by key: every Ctrl key, in whichever section
        let ctrl = rows(&map, &caps, "ctrl-");
        assert!(key_count(&ctrl) >= 6, "{ctrl:?}");
        assert!(ctrl.contains(&Row::Section("Move")) && ctrl.contains(&Row::Section("General")));
        assert!(rows(&map, &caps, "no such key anywhere").is_empty());
    }
}
