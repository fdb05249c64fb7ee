//! Handlers of the safety nets (`app::safety`): the question before
//! quitting while transfers run, the count of a selection partly off
//! screen in a bulk action's question, `z` (undo the last change) and `v`
//! (the list's density, kept in config.toml).

use std::collections::HashSet;

use crossterm::event::KeyEvent;

use crate::app::inspector::plural;
use crate::app::msg::Cmd;
use crate::app::safety::{counted, Ask, AskKey, Undo, Yes};
use crate::app::state::{Overlay, State};
use crate::app::tags::TagChange;
use crate::sanitize;

// ---- quitting ----

/// `q`: quits at once, unless transfers run or wait: then it asks (they
/// continue at the next start: the journal keeps them).
pub fn quit(state: &mut State) {
    let active = state.downloads.active();
    if active == 0 {
        state.quit = true;
    } else {
        let uploads = state.downloads.active_uploads();
        state.overlay = Some(Overlay::Ask(Ask::quit(active, uploads)));
    }
}

/// A key in a question: no closes it, anything else but yes leaves it
/// up; yes to quitting quits, and a yes to anything else is returned for
/// the caller to carry out.
pub fn ask_key(state: &mut State, ask: Ask, key: &KeyEvent) -> Option<Yes> {
    match ask.key(key) {
        AskKey::Stay => state.overlay = Some(Overlay::Ask(ask)),
        AskKey::No => state.info(match ask.on_yes {
            Yes::Quit => "not quitting",
            Yes::Download(_) | Yes::Zip(_) => "nothing downloaded",
        }),
        AskKey::Yes if ask.on_yes == Yes::Quit => state.quit = true,
        AskKey::Yes => return Some(ask.on_yes),
    }
    None
}

// ---- a selection partly off screen ----

/// How many of `ids` (a bulk action's targets) are not among the rows on
/// screen; 0 without a selection (the target is the asset shown).
pub fn off_screen(state: &State, ids: &[String]) -> usize {
    if state.selection.is_empty() {
        return 0;
    }
    let start = state.list.offset.min(state.list.entries.len());
    let end = (start + state.geometry.visible_items()).min(state.list.entries.len());
    let visible: HashSet<&str> = state.list.entries[start..end]
        .iter()
        .map(|e| e.asset.id.as_str())
        .collect();
    ids.iter()
        .filter(|id| !visible.contains(id.as_str()))
        .count()
}

/// An action without a question of its own (`d`, `Z`) on a selection
/// partly off screen asks first, naming the count; true if it asked.
pub fn ask_if_off_screen(
    state: &mut State,
    ids: &[String],
    question: impl FnOnce(String) -> String,
    on_yes: Yes,
) -> bool {
    let off = off_screen(state, ids);
    if off == 0 {
        return false;
    }
    state.overlay = Some(Overlay::Ask(Ask {
        question: question(counted(ids.len(), off, true)),
        on_yes,
    }));
    true
}

// ---- undo ----

/// One tag change in words: `hero added to 3 assets`.
fn tag_words(c: &TagChange) -> String {
    let tag = sanitize::line(&c.tag, 60);
    let n = plural(c.ids.len(), "asset", "assets");
    if c.add {
        format!("{tag} added to {n}")
    } else {
        format!("{tag} removed from {n}")
    }
}

/// A tag edit was sent (one `Enter` in the editor): it is the last change.
pub fn record_tags(state: &mut State, changes: Vec<TagChange>) {
    if changes.is_empty() {
        return;
    }
    state.undo = Some(Undo::Tags {
        waiting: changes.len(),
        changes,
    });
}

/// What a tag answer means for the undo record.
pub enum TagAnswer {
    /// Not an undo's answer.
    Change,
    /// One of an undo's answers; more are to come.
    UndoStep,
    /// The last answer of an undo: what was undone.
    UndoDone(String),
}

/// The server answered `change`: the record of the last change forgets
/// the assets where it was refused (rolled back already), and an undo
/// under way counts its answers.
pub fn tag_answered(
    state: &mut State,
    change: &TagChange,
    failures: &[(String, String)],
) -> TagAnswer {
    match &mut state.undo {
        Some(Undo::Tags { changes, waiting }) => {
            if let Some(c) = changes.iter_mut().find(|c| **c == *change) {
                *waiting = waiting.saturating_sub(1);
                c.ids.retain(|id| !failures.iter().any(|(f, _)| f == id));
                changes.retain(|c| !c.ids.is_empty());
                if changes.is_empty() {
                    state.undo = None;
                }
            }
            TagAnswer::Change
        }
        Some(Undo::Undoing { what, waiting }) if *waiting > 0 => {
            *waiting -= 1;
            if *waiting > 0 {
                return TagAnswer::UndoStep;
            }
            let what = std::mem::take(what);
            state.undo = None;
            TagAnswer::UndoDone(what)
        }
        _ => TagAnswer::Change,
    }
}

/// `F` is about to clear these filters: they are the last change.
pub fn record_filters(state: &mut State) {
    state.undo = Some(Undo::Filters(state.filters.clone()));
}

/// Assets went into a collection: the last change (only those that were
/// not members: an undo takes out nothing that was there before).
pub fn record_collect(state: &mut State, collection: String, name: String, ids: Vec<String>) {
    if !ids.is_empty() {
        state.undo = Some(Undo::Collect {
            collection,
            name,
            ids,
        });
    }
}

/// A deletion went through: the last change, which cannot be undone.
pub fn record_deleted(state: &mut State, n: usize) {
    if n > 0 {
        state.undo = Some(Undo::Deleted(n));
    }
}

/// `z`: reverses the last change through the path that made it, or says
/// why it cannot. Returns the reverse tag changes sent, which the caller
/// shows at once on the assets, as the editor does.
pub fn undo(state: &mut State, cmds: &mut Vec<Cmd>) -> Vec<TagChange> {
    let Some(last) = state.undo.take() else {
        state.info("nothing to undo");
        return Vec::new();
    };
    match last {
        Undo::Deleted(n) => {
            state.info(format!(
                "deletions cannot be undone (the last change deleted {})",
                plural(n, "asset", "assets")
            ));
            state.undo = Some(Undo::Deleted(n));
        }
        u @ Undo::Undoing { .. } => {
            state.info("the undo is still on its way");
            state.undo = Some(u);
        }
        Undo::Tags { changes, waiting } if waiting > 0 => {
            state.info("the last tag change is still on its way: undo once it is done");
            state.undo = Some(Undo::Tags { changes, waiting });
        }
        Undo::Filters(previous) => {
            if !state.filters.is_default() {
                state.info("the filters changed since they were cleared: nothing undone");
                return Vec::new();
            }
            let n = previous.chips().len();
            super::requery(state, previous);
            state.info(format!(
                "undone: {} back",
                plural(n, "cleared filter", "cleared filters")
            ));
        }
        Undo::Tags { changes, .. } => {
            let what = changes.iter().map(tag_words).collect::<Vec<_>>().join(", ");
            // the opposite edits, last first, through the editor's path
            let reversed: Vec<TagChange> = changes
                .iter()
                .rev()
                .map(|c| TagChange {
                    tag: c.tag.clone(),
                    add: !c.add,
                    ids: c.ids.clone(),
                })
                .collect();
            cmds.extend(reversed.iter().cloned().map(Cmd::Tag));
            state.info(format!("undoing: {what}…"));
            state.undo = Some(Undo::Undoing {
                what,
                waiting: changes.len(),
            });
            return reversed;
        }
        Undo::Collect {
            collection,
            name,
            ids,
        } => {
            let what = format!("{} added to {name}", plural(ids.len(), "asset", "assets"));
            state.info(format!("undoing: {what}…"));
            cmds.push(Cmd::Uncollect {
                collection,
                name,
                ids,
            });
            state.undo = Some(Undo::Undoing { what, waiting: 1 });
        }
    }
    Vec::new()
}

/// Assets came out of a collection (an undo of `a`).
pub fn on_uncollected(
    state: &mut State,
    name: String,
    removed: usize,
    error: Option<String>,
    cmds: &mut Vec<Cmd>,
) {
    // the counts in the picker and the inspector's names
    cmds.push(Cmd::LoadCollections);
    let what = match state.undo.take() {
        Some(Undo::Undoing { what, .. }) => what,
        other => {
            state.undo = other;
            format!("an addition to {name}")
        }
    };
    match error {
        None => state.info(format!("undone: {what}")),
        Some(e) => state.error(format!(
            "could not undo {what}: {} taken out, then: {e}",
            plural(removed, "asset", "assets")
        )),
    }
}

// ---- density ----

/// `v`: the next density (compact rows, three-line rows, grid), kept in
/// config.toml for the next start.
pub fn cycle_density(state: &mut State, cmds: &mut Vec<Cmd>) {
    let d = state.density.next();
    // the status bar names it (list, compact, grid); the config file's
    // answer says where it is kept
    state.set_density(d);
    cmds.push(Cmd::SaveSetting {
        key: "density",
        value: d.name().to_string(),
    });
}

/// A setting was written (or not) into the config file.
pub fn on_setting_saved(state: &mut State, key: &str, value: &str, result: Result<String, String>) {
    match result {
        Ok(path) => state.info(format!(
            "{key}: {value} (kept in {})",
            sanitize::line(&path, 200)
        )),
        Err(e) => state.error(format!("could not keep {key} in the config file: {e}")),
    }
}
