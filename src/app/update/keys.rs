//! Keys you can find, messages you can read: the help overlay with its
//! filter, the message log (`m`) and the command palette (`:`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::action::Action;
use super::super::help::{self, Filter};
use super::super::input::InputKey;
use super::super::keymap::served;
use super::super::palette::{Palette, PaletteKey};
use super::super::state::{Overlay, State};
use super::Cmd;

/// A scroll position moved by `delta` lines within `0..=max`.
fn moved(scroll: usize, delta: isize, max: usize) -> usize {
    (scroll.min(max) as isize + delta).clamp(0, max as isize) as usize
}

/// How far a page key moves a full-height overlay, and half of it.
fn page(state: &State) -> isize {
    state.geometry.help_page(state.width, state.height).max(1) as isize
}

/// Movement keys shared by the help and the log: lines to move by (down
/// positive), or `isize::MIN`/`MAX` for the top and the bottom. Letters
/// are not among them in the help, where they are typed.
fn movement(state: &State, key: &KeyEvent, letters: bool) -> Option<isize> {
    let plain_char = matches!(key.code, KeyCode::Char(_))
        && !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    let page = page(state);
    if key.code == KeyCode::Char(' ') && plain_char {
        return Some(page);
    }
    if plain_char && !letters {
        return None;
    }
    Some(match state.keymap.action_for(key)? {
        Action::Down => 1,
        Action::Up => -1,
        Action::PageDown => page,
        Action::PageUp => -page,
        Action::HalfPageDown => page / 2,
        Action::HalfPageUp => -page / 2,
        Action::Top => isize::MIN,
        Action::Bottom => isize::MAX,
        _ => return None,
    })
}

/// The help: typing filters its rows, Backspace edits, Esc clears the
/// filter then closes; arrows and page keys scroll.
pub(super) fn help_key(state: &mut State, scroll: usize, mut filter: Filter, key: &KeyEvent) {
    let rows = |state: &State, f: &Filter| help::rows(&state.keymap, &state.caps, f).len();
    let action = state.keymap.action_for(key);
    if key.code == KeyCode::Esc {
        if !filter.is_empty() {
            state.overlay = Some(Overlay::Help {
                scroll: 0,
                filter: Filter::default(),
            });
        }
        return;
    }
    if filter.is_empty() && action == Some(Action::Help) {
        return; // `?` again closes, as it opened
    }
    // Space pages, as in a pager, until there is text to add it to
    let pages = filter.is_empty() && key.code == KeyCode::Char(' ');
    if !pages {
        let before = filter.clone();
        let editing = match key.code {
            // Ctrl-u pages here, as in every scrolled view
            KeyCode::Char(_) if key.modifiers.contains(KeyModifiers::CONTROL) => false,
            KeyCode::Char(_) | KeyCode::Backspace => true,
            _ => false,
        };
        if editing && filter.key(key) != InputKey::NotMine {
            let scroll = if filter == before { scroll } else { 0 };
            state.overlay = Some(Overlay::Help { scroll, filter });
            return;
        }
    }
    let max = state
        .geometry
        .help_max_scroll(state.width, state.height, rows(state, &filter));
    let scroll = match movement(state, key, false) {
        Some(isize::MIN) => 0,
        Some(isize::MAX) => max,
        Some(delta) => moved(scroll, delta, max),
        None => scroll,
    };
    state.overlay = Some(Overlay::Help { scroll, filter });
}

/// Lines the message log scrolls over at the current width.
pub fn messages_max_scroll(state: &State) -> usize {
    let lines = state
        .messages
        .lines(super::super::messages::inner_width(state.width))
        .len();
    lines.saturating_sub(page(state) as usize)
}

/// The message log: `scroll` counts lines up from the newest.
pub(super) fn messages_key(state: &mut State, scroll: usize, key: &KeyEvent) {
    let action = state.keymap.action_for(key);
    if key.code == KeyCode::Esc
        || matches!(
            action,
            Some(Action::Messages | Action::Close | Action::Quit | Action::Help)
        )
    {
        return;
    }
    let max = messages_max_scroll(state);
    let scroll = match movement(state, key, true) {
        Some(isize::MIN) => max,
        Some(isize::MAX) => 0,
        Some(delta) => moved(scroll, -delta, max),
        None => scroll,
    };
    state.overlay = Some(Overlay::Messages { scroll });
}

/// `:`: the palette over every action this provider serves.
pub(super) fn open_palette(state: &mut State) {
    let actions = served(Action::ALL, &state.caps);
    state.overlay = Some(Overlay::Palette(Palette::new(actions, &state.keymap)));
}

/// A key in the palette; Enter closes it and runs the action as its key
/// would.
pub(super) fn palette_key(
    state: &mut State,
    palette: &mut Palette,
    key: &KeyEvent,
    cmds: &mut Vec<Cmd>,
) {
    match palette.key(key) {
        PaletteKey::Stay => state.overlay = Some(Overlay::Palette(palette.clone())),
        PaletteKey::Close => {}
        PaletteKey::Run(action) => super::run_action(state, action, cmds),
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::messages::Level;
    use super::super::*;
    use super::messages_max_scroll;
    use crate::app::keymap::Keymap;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn state() -> State {
        let mut s = State::new("test".into(), Keymap::default(), true, 48, 80, 24);
        let _ = init(&mut s);
        let ids: Vec<String> = (0..5).map(|i| format!("a{i}")).collect();
        let assets = ids
            .iter()
            .map(|id| {
                serde_json::from_value(serde_json::json!({
                    "id": id, "metadata": {"name": format!("name of {id}")}
                }))
                .unwrap()
            })
            .collect();
        update(
            &mut s,
            Msg::Page {
                generation: 0,
                result: Ok(crate::provider::scenario::list_page(
                    crate::api::models::AssetListResponse {
                        assets,
                        ..Default::default()
                    },
                )),
            },
        );
        s
    }

    fn press(code: KeyCode) -> Msg {
        Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn ch(c: char) -> Msg {
        let mods = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        Msg::Key(KeyEvent::new(KeyCode::Char(c), mods))
    }

    fn typ(s: &mut State, text: &str) -> Vec<Cmd> {
        text.chars().flat_map(|c| update(s, ch(c))).collect()
    }

    #[test]
    fn every_message_shown_lands_in_the_log_with_its_level_and_time() {
        let mut s = state();
        s.messages.now = 1_000;
        update(&mut s, ch('F')); // "no filter to clear"
        s.messages.now = 2_000;
        update(&mut s, ch('x')); // unbound: a warning
        let generation = s.list.generation;
        update(
            &mut s,
            Msg::Page {
                generation,
                result: Err(format!("the server said{}", " why".repeat(100))),
            },
        );
        let log: Vec<_> = s.messages.iter().collect();
        assert_eq!(log.len(), 3, "{log:?}");
        assert_eq!((log[0].level, log[0].at), (Level::Info, 1_000));
        assert_eq!(log[0].text, "no filter to clear");
        assert_eq!((log[1].level, log[1].at), (Level::Warning, 2_000));
        assert!(log[1].text.starts_with("no action on x"));
        assert_eq!(log[2].level, Level::Error);
        // whole: longer than the status bar keeps, and than 300 characters
        assert!(log[2].text.len() > 300, "{}", log[2].text);
        assert!(log[2].text.ends_with("why (r to retry)"), "{}", log[2].text);
    }

    #[test]
    fn m_opens_the_log_at_its_newest_and_it_scrolls_back() {
        let mut s = state();
        for i in 0..60 {
            s.info(format!("message number {i}"));
        }
        update(&mut s, ch('m'));
        assert_eq!(s.overlay, Some(Overlay::Messages { scroll: 0 }));
        update(&mut s, ch('k'));
        assert_eq!(s.overlay, Some(Overlay::Messages { scroll: 1 }));
        update(&mut s, ch('g'));
        let max = messages_max_scroll(&s);
        assert!(max > 30, "{max}");
        assert_eq!(s.overlay, Some(Overlay::Messages { scroll: max }));
        update(&mut s, press(KeyCode::PageDown));
        let page = s.geometry.help_page(80, 24);
        assert_eq!(s.overlay, Some(Overlay::Messages { scroll: max - page }));
        update(&mut s, ch('G'));
        assert_eq!(s.overlay, Some(Overlay::Messages { scroll: 0 }));
        update(&mut s, ch('j'));
        assert_eq!(s.overlay, Some(Overlay::Messages { scroll: 0 }));
        // q closes the log, it does not quit
        let cmds = update(&mut s, ch('q'));
        assert!(s.overlay.is_none() && cmds.iter().all(|c| !matches!(c, Cmd::Quit)));
        update(&mut s, ch('m'));
        update(&mut s, press(KeyCode::Esc));
        assert!(s.overlay.is_none());
    }

    #[test]
    fn the_palette_runs_what_the_key_runs() {
        let mut by_key = state();
        let from_key = update(&mut by_key, ch('r'));
        let mut by_name = state();
        update(&mut by_name, ch(':'));
        assert!(matches!(by_name.overlay, Some(Overlay::Palette(_))));
        typ(&mut by_name, "reload");
        let Some(Overlay::Palette(p)) = &by_name.overlay else {
            panic!("the palette closed");
        };
        assert_eq!(p.highlighted(), Some(Action::Refresh));
        let from_palette = update(&mut by_name, press(KeyCode::Enter));
        assert!(by_name.overlay.is_none());
        assert!(!from_key.is_empty());
        assert_eq!(format!("{from_palette:?}"), format!("{from_key:?}"));
        assert_eq!(by_name.notice, by_key.notice);
        assert_eq!(by_name.list.generation, by_key.list.generation);
        // an action that opens something opens it
        update(&mut by_name, ch(':'));
        typ(&mut by_name, "help");
        update(&mut by_name, press(KeyCode::Enter));
        assert!(matches!(by_name.overlay, Some(Overlay::Help { .. })));
    }

    #[test]
    fn the_palette_lists_only_what_the_provider_serves() {
        let mut s = state();
        s.caps = crate::provider::ProviderKind::TwelveLabs.capabilities();
        update(&mut s, ch(':'));
        let Some(Overlay::Palette(p)) = &s.overlay else {
            panic!("no palette");
        };
        let listed: Vec<Action> = p.entries.iter().map(|e| e.action).collect();
        assert!(!listed.contains(&Action::DownloadZip), "{listed:?}");
        assert!(listed.contains(&Action::Refresh));
        for a in &listed {
            assert!(a.needs().is_none_or(|c| s.caps.has(c)), "{a:?}");
        }
        // Esc closes without running anything
        let cmds = update(&mut s, press(KeyCode::Esc));
        assert!(s.overlay.is_none() && cmds.iter().all(|c| !matches!(c, Cmd::Quit)));
    }

    #[test]
    fn help_filters_as_you_type_and_esc_clears_then_closes() {
        let mut s = state();
        update(&mut s, ch('?'));
        typ(&mut s, "zip");
        let Some(Overlay::Help { filter, scroll }) = &s.overlay else {
            panic!("help closed");
        };
        assert_eq!((filter.as_str(), *scroll), ("zip", 0));
        let rows = crate::app::help::rows(&s.keymap, &s.caps, filter);
        assert_eq!(crate::app::help::key_count(&rows), 1, "{rows:?}");
        update(&mut s, press(KeyCode::Backspace));
        assert!(matches!(&s.overlay, Some(Overlay::Help { filter, .. }) if filter == "zi"));
        // `q` and `?` are typed while there is a filter
        typ(&mut s, "q?");
        assert!(matches!(&s.overlay, Some(Overlay::Help { filter, .. }) if filter == "ziq?"));
        update(&mut s, press(KeyCode::Esc));
        assert!(matches!(&s.overlay, Some(Overlay::Help { filter, .. }) if filter.is_empty()));
        update(&mut s, press(KeyCode::Esc));
        assert!(s.overlay.is_none());
    }

    #[test]
    fn help_page_keys_scroll_the_filtered_rows() {
        let mut s = state();
        update(&mut s, ch('?'));
        typ(&mut s, "e"); // most rows
        update(&mut s, press(KeyCode::PageDown));
        let page = s.geometry.help_page(80, 24);
        assert!(matches!(&s.overlay, Some(Overlay::Help { scroll, .. }) if *scroll == page));
        update(&mut s, press(KeyCode::End));
        let Some(Overlay::Help { scroll, filter }) = &s.overlay else {
            panic!("help closed");
        };
        let len = crate::app::help::rows(&s.keymap, &s.caps, filter).len();
        assert_eq!(*scroll, len - page);
        update(&mut s, press(KeyCode::Home));
        assert!(matches!(&s.overlay, Some(Overlay::Help { scroll: 0, .. })));
    }
}
