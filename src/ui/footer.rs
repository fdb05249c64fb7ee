//! The right side of the status bar: the main keys of the pane that has
//! the keys (the list, the inspector, the search box, or the popup on
//! top), most useful first, as many whole ones as the status leaves room
//! for. The status (position, counts, the message) always comes first:
//! keys are left out, never cut, and never run into it.

use crate::app::action::Action;
use crate::app::filters::EditorKind;
use crate::app::keymap::served;
use crate::app::state::{Edit, Focus, Overlay};
use crate::app::State;
use crate::text;

/// One hint: the key as shown, what it does.
pub type Hint = (String, &'static str);

/// The main keys of the focused pane, most useful first. On the main
/// screen they end with help and quit, which [`fit`] always keeps.
pub fn hints(state: &State) -> Vec<Hint> {
    let fixed = |keys: &[(&str, &'static str)]| -> Vec<Hint> {
        keys.iter().map(|(k, w)| (k.to_string(), *w)).collect()
    };
    match &state.overlay {
        Some(Overlay::Help { .. }) => fixed(&[
            ("typing", "filters"),
            ("↑/↓ PgDn/PgUp", "scroll"),
            ("Esc", "clear/close"),
        ]),
        Some(Overlay::Messages { .. }) => fixed(&[
            ("j/k", "scroll"),
            ("g/G", "oldest/newest"),
            ("Esc", "close"),
        ]),
        Some(Overlay::Palette(_)) => fixed(crate::app::palette::KEYS),
        Some(Overlay::Filters(pane)) => match &pane.edit {
            Some(Edit::Pick(p)) if p.multi => fixed(&[
                ("typing", "narrows"),
                ("Space", "toggles"),
                ("Enter", "chooses"),
                ("Esc", "cancel"),
            ]),
            Some(Edit::Pick(_)) => fixed(&[
                ("typing", "narrows"),
                ("Enter", "chooses"),
                ("Esc", "cancel"),
            ]),
            Some(Edit::Text { .. }) => fixed(&[("Enter", "sets"), ("Esc", "cancel")]),
            None => {
                let cycle = pane.field(&state.caps).editor() == EditorKind::Cycle;
                fixed(&[
                    ("j/k", "field"),
                    ("Enter", if cycle { "cycle" } else { "edit" }),
                    ("x", "clear"),
                    ("F", "clear all"),
                    ("Esc", "close"),
                ])
            }
        },
        Some(Overlay::Downloads) => fixed(&[
            ("p", "pause"),
            ("x", "cancel"),
            ("R", "retry"),
            ("o", "open"),
            ("y", "copy path"),
            ("P", "all"),
            ("Esc", "close"),
        ]),
        Some(Overlay::Tags(_)) => fixed(&[
            ("Enter", "add"),
            ("-tag", "remove"),
            ("Tab", "complete"),
            ("Esc", "close"),
        ]),
        Some(Overlay::Confirm(_)) => fixed(&[("y", "yes"), ("any other key", "no")]),
        Some(Overlay::Ask(_)) => fixed(&[("y", "yes"), ("n/Esc", "no")]),
        Some(Overlay::Choose(_)) => fixed(&[
            ("typing", "narrows"),
            ("Enter", "chooses"),
            ("Esc", "cancel"),
        ]),
        Some(Overlay::Upload(_)) => {
            fixed(&[("Tab", "complete"), ("Enter", "upload"), ("Esc", "cancel")])
        }
        Some(Overlay::Mirror(_)) => fixed(&[
            ("↑/↓", "option"),
            ("Space", "change"),
            ("Enter", "sync"),
            ("Esc", "cancel"),
        ]),
        None if state.search.open => fixed(&[
            ("Enter", "keep"),
            ("Esc", "back"),
            ("↑/↓", "move"),
            ("Tab", "complete"),
        ]),
        None => main_screen(state),
    }
}

/// The list's or the inspector's keys (as bound, if the provider serves
/// them), then help and quit.
fn main_screen(state: &State) -> Vec<Hint> {
    let first = |a: Action| state.keymap.keys_for(a).first().map(|k| k.to_string());
    let in_inspector = state.focus == Focus::Inspector && state.geometry.inspector.is_some();
    let wanted: &[(Action, &'static str)] = if in_inspector {
        &[
            (Action::Down, "scroll"),
            (Action::RawJson, "raw JSON"),
            (Action::Palette, "commands"),
            (Action::JumpParent, "parent"),
            (Action::CopyId, "copy id"),
            (Action::Download, "download"),
            (Action::FocusNext, "list"),
        ]
    } else {
        &[
            (Action::Search, "search"),
            (Action::Filters, "filters"),
            (Action::Palette, "commands"),
            (Action::ToggleSelect, "select"),
            (Action::Download, "download"),
            (Action::Tag, "tags"),
            (Action::Open, "inspect"),
            (Action::Messages, "messages"),
        ]
    };
    let actions: Vec<Action> = wanted.iter().map(|(a, _)| *a).collect();
    let served: Vec<Action> = served(&actions, &state.caps).collect();
    let mut out = Vec::new();
    for (a, what) in wanted.iter().filter(|(a, _)| served.contains(a)) {
        let key = if *a == Action::Down {
            // scrolling takes two keys
            match (first(Action::Down), first(Action::Up)) {
                (Some(d), Some(u)) => Some(format!("{d}/{u}")),
                (d, _) => d,
            }
        } else {
            first(*a)
        };
        if let Some(key) = key {
            out.push((key, *what));
        }
    }
    for (a, what) in [(Action::Help, "help"), (Action::Quit, "quit")] {
        if let Some(key) = first(a) {
            out.push((key, what));
        }
    }
    out
}

/// How many of the hints are kept whatever the room (help and quit).
pub fn kept(state: &State) -> usize {
    if state.overlay.is_none() && !state.search.open {
        2
    } else {
        0
    }
}

/// The hints shown when the status takes `status_w` of `room` columns:
/// the last `keep` always (they may push the status to be cut), then the
/// others in order while they fit whole, one space from the status at
/// least. ` k what  k what ` with a space at each end.
pub fn fit(hints: &[Hint], keep: usize, status_w: usize, room: usize) -> String {
    let piece = |(k, w): &Hint| format!("{k} {w}");
    let keep = keep.min(hints.len());
    let (optional, kept) = hints.split_at(hints.len() - keep);
    let mut chosen: Vec<String> = kept.iter().map(piece).collect();
    let width = |c: &[String]| -> usize {
        if c.is_empty() {
            0
        } else {
            c.iter().map(|s| text::width(s)).sum::<usize>() + 2 * (c.len() - 1) + 2
        }
    };
    for taken in 1..=optional.len() {
        let mut trial = optional[..taken].iter().map(piece).collect::<Vec<_>>();
        trial.extend(kept.iter().map(piece));
        if status_w + 1 + width(&trial) > room {
            break;
        }
        chosen = trial;
    }
    if chosen.is_empty() {
        return String::new();
    }
    format!(" {} ", chosen.join("  "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::Keymap;
    use crate::app::{update, Msg};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn state() -> State {
        let mut s = State::new("test".into(), Keymap::default(), true, 48, 80, 24);
        let _ = crate::app::init(&mut s);
        s
    }

    fn press(s: &mut State, code: KeyCode) {
        let mods = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        update(s, Msg::Key(KeyEvent::new(code, mods)));
    }

    fn keys(s: &State) -> Vec<String> {
        hints(s)
            .into_iter()
            .map(|(k, w)| format!("{k} {w}"))
            .collect()
    }

    #[test]
    fn the_footer_follows_the_focus() {
        let mut s = state();
        let list = keys(&s);
        assert_eq!(list[..2], ["/ search", "f filters"]);
        assert_eq!(list[list.len() - 2..], ["? help", "q quit"]);
        assert!(list.contains(&": commands".to_string()));
        press(&mut s, KeyCode::Tab);
        let inspector = keys(&s);
        assert_eq!(inspector[0], "j/k scroll");
        assert!(inspector.contains(&"J raw JSON".to_string()));
        press(&mut s, KeyCode::Tab);
        press(&mut s, KeyCode::Char('/'));
        assert_eq!(keys(&s)[0], "Enter keep");
        press(&mut s, KeyCode::Esc);
        press(&mut s, KeyCode::Char('D'));
        assert_eq!(keys(&s)[0], "p pause");
        press(&mut s, KeyCode::Esc);
        press(&mut s, KeyCode::Char('f'));
        assert_eq!(keys(&s)[0], "j/k field");
        press(&mut s, KeyCode::Esc);
        press(&mut s, KeyCode::Char('m'));
        assert_eq!(keys(&s)[0], "j/k scroll");
        press(&mut s, KeyCode::Esc);
        press(&mut s, KeyCode::Char(':'));
        assert_eq!(keys(&s)[0], "typing filter");
        press(&mut s, KeyCode::Esc);
        // a rebound key shows as bound; an action the provider lacks is left out
        let mut o = std::collections::BTreeMap::new();
        o.insert("search".to_string(), vec!["ctrl-s".to_string()]);
        s.keymap = Keymap::with_overrides(&o).unwrap();
        s.caps = crate::provider::Capabilities::TWELVELABS;
        let list = keys(&s);
        assert_eq!(list[0], "Ctrl-s search");
        assert!(!list.iter().any(|k| k.ends_with("download")), "{list:?}");
    }

    #[test]
    fn keys_are_left_out_whole_and_never_touch_the_status() {
        let hints: Vec<Hint> = vec![
            ("/".into(), "search"),
            ("f".into(), "filters"),
            ("?".into(), "help"),
            ("q".into(), "quit"),
        ];
        let all = fit(&hints, 2, 10, 80);
        assert_eq!(all, " / search  f filters  ? help  q quit ");
        // room for one optional key beside a long status
        let some = fit(&hints, 2, 80 - 1 - 28, 80);
        assert_eq!(some, " / search  ? help  q quit ");
        assert!(80 - 1 - 28 + 1 + text::width(&some) <= 80);
        // no room at all: only what is always kept
        assert_eq!(fit(&hints, 2, 79, 80), " ? help  q quit ");
        assert_eq!(fit(&hints, 0, 79, 80), "");
    }
}
