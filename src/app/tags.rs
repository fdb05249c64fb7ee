//! The tag editor (`t`): adds and removes tags on the selection (or the
//! current asset) with fuzzy completion from `GET /tags`. A change shows
//! at once everywhere the asset is drawn; if the server refuses it for
//! some assets, it is undone there and the status bar says why.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::bulk;
use super::msg::Cmd;
use super::state::{Overlay, State};
use crate::sanitize;

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
    pub input: String,
    /// (tag, count) completing the input, best first.
    pub completions: Vec<(String, u64)>,
    /// The completion chosen with ↑/↓ (`None`: the typed text).
    pub chosen: Option<usize>,
    /// Something was changed: the tag counts are reloaded on close.
    pub changed: bool,
}

/// `t`: opens the editor on the selection or the current asset.
pub fn open(state: &mut State, cmds: &mut Vec<Cmd>) {
    let ids: Vec<String> = bulk::targets(state).iter().map(|a| a.id.clone()).collect();
    if ids.is_empty() {
        state.info("nothing to tag");
        return;
    }
    if !state.tags.loaded && !state.tags.loading {
        state.tags.loading = true;
        cmds.push(Cmd::LoadTags);
    }
    let mut editor = TagEditor {
        ids,
        input: String::new(),
        completions: Vec::new(),
        chosen: None,
        changed: false,
    };
    complete(state, &mut editor);
    state.overlay = Some(Overlay::Tags(editor));
}

/// The tags the edited assets carry: (tag, how many of them), in the
/// order first seen.
pub fn current(state: &State, ids: &[String]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for id in ids {
        let Some(asset) = bulk::find(state, id) else {
            continue;
        };
        for t in asset.tags() {
            match out.iter_mut().find(|(x, _)| x == t) {
                Some((_, n)) => *n += 1,
                None => out.push((t.clone(), 1)),
            }
        }
    }
    out
}

/// Recomputes the completions for the input: tags in use (fuzzy, most
/// used first among equals) not already on every edited asset; after a
/// `-`, the tags the assets carry.
fn complete(state: &State, editor: &mut TagEditor) {
    let on = current(state, &editor.ids);
    let n = editor.ids.len();
    let (removing, query) = match editor.input.strip_prefix('-') {
        Some(q) => (true, q),
        None => (false, editor.input.as_str()),
    };
    let query = query.rsplit(',').next().unwrap_or("").trim();
    let pool: Vec<(String, u64)> = if removing {
        on.iter().map(|(t, c)| (t.clone(), *c as u64)).collect()
    } else {
        state
            .tags
            .items
            .iter()
            .filter(|(t, _)| !on.iter().any(|(x, c)| x == t && *c == n))
            .cloned()
            .collect()
    };
    let ranked = super::fuzzy::rank(query, pool.iter().map(|(t, _)| t.as_str()));
    editor.completions = ranked
        .into_iter()
        .take(COMPLETIONS_MAX)
        .map(|i| pool[i].clone())
        .collect();
    editor.chosen = editor
        .chosen
        .filter(|c| *c < editor.completions.len() && !query.is_empty());
}

/// A key in the editor; false closes it.
pub fn key(state: &mut State, editor: &mut TagEditor, key: KeyEvent, cmds: &mut Vec<Cmd>) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let n = editor.completions.len();
    match key.code {
        KeyCode::Esc => return close(state, editor, cmds),
        KeyCode::Down | KeyCode::Char('n') if (key.code == KeyCode::Down || ctrl) && n > 0 => {
            editor.chosen = Some(editor.chosen.map_or(0, |c| (c + 1).min(n - 1)));
        }
        KeyCode::Up | KeyCode::Char('p') if key.code == KeyCode::Up || ctrl => {
            editor.chosen = match editor.chosen {
                Some(0) | None => None,
                Some(c) => Some(c - 1),
            };
        }
        KeyCode::Tab => {
            if let Some((tag, _)) = editor.completions.get(editor.chosen.unwrap_or(0)).cloned() {
                replace_last(&mut editor.input, &tag);
                editor.chosen = None;
                complete(state, editor);
            }
        }
        KeyCode::Enter => {
            let chosen = editor
                .chosen
                .and_then(|c| editor.completions.get(c))
                .map(|(t, _)| t.clone());
            let removing = editor.input.starts_with('-');
            let typed = editor.input.strip_prefix('-').unwrap_or(&editor.input);
            let tags: Vec<String> = match chosen {
                Some(t) => vec![t],
                None => typed
                    .split(',')
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect(),
            };
            if tags.is_empty() {
                if editor.input.is_empty() {
                    // Enter on nothing: done, as Esc
                    return close(state, editor, cmds);
                }
                editor.input.clear();
                complete(state, editor);
                return true;
            }
            for tag in tags {
                apply(state, editor, tag, !removing, cmds);
            }
            editor.input.clear();
            editor.chosen = None;
            complete(state, editor);
        }
        KeyCode::Backspace if editor.input.is_empty() => {
            if let Some((last, _)) = current(state, &editor.ids).pop() {
                apply(state, editor, last, false, cmds);
                complete(state, editor);
            }
        }
        KeyCode::Backspace => {
            editor.input.pop();
            complete(state, editor);
        }
        KeyCode::Char('u') if ctrl => {
            editor.input.clear();
            complete(state, editor);
        }
        KeyCode::Char(c)
            if !ctrl && !c.is_control() && editor.input.chars().count() < INPUT_MAX =>
        {
            editor.input.push(c);
            complete(state, editor);
        }
        _ => {}
    }
    true
}

/// Closing: the counts shown next time include this editor's changes.
fn close(state: &mut State, editor: &TagEditor, cmds: &mut Vec<Cmd>) -> bool {
    if editor.changed {
        state.tags.loading = true;
        cmds.push(Cmd::LoadTags);
    }
    false
}

/// Replaces the tag being typed (after the last comma, keeping a `-`).
fn replace_last(input: &mut String, tag: &str) {
    let keep = match input.rfind(',') {
        Some(i) => input[..=i].to_string() + " ",
        None if input.starts_with('-') => "-".to_string(),
        None => String::new(),
    };
    *input = keep + tag;
}

/// Adds or removes one tag on the edited assets: at once on screen, then
/// on the server.
fn apply(state: &mut State, editor: &mut TagEditor, tag: String, add: bool, cmds: &mut Vec<Cmd>) {
    let mut changed = Vec::new();
    for id in &editor.ids {
        if retag(state, id, &tag, add) {
            changed.push(id.clone());
        }
    }
    let shown = sanitize::line(&tag, 60);
    if changed.is_empty() {
        state.info(if add {
            format!("already tagged {shown}")
        } else {
            format!("not tagged {shown}")
        });
        return;
    }
    editor.changed = true;
    let n = changed.len();
    let verb = if add { "tagging" } else { "untagging" };
    state.info(format!(
        "{verb} {} {shown}…",
        super::inspector::plural(n, "asset", "assets")
    ));
    cmds.push(Cmd::Tag(TagChange {
        tag,
        add,
        ids: changed,
    }));
}

/// Changes one asset's tags wherever it is kept; false if it had (or
/// lacked) the tag already or is nowhere.
fn retag(state: &mut State, id: &str, tag: &str, add: bool) -> bool {
    let Some(asset) = bulk::find(state, id) else {
        return false;
    };
    let mut tags = asset.tags().to_vec();
    let has = tags.iter().any(|t| t == tag);
    if has == add {
        return false;
    }
    if add {
        tags.push(tag.to_string());
    } else {
        tags.retain(|t| t != tag);
    }
    let mut copy = (*asset).clone();
    copy.tags = Some(tags);
    bulk::replace(state, Arc::new(copy));
    true
}

/// The server answered a change: undo it where it was refused.
pub fn on_tagged(state: &mut State, change: TagChange, failures: Vec<(String, String)>) {
    let shown = sanitize::line(&change.tag, 60);
    let ok = change.ids.len() - failures.len();
    if failures.is_empty() {
        let n = super::inspector::plural(ok, "asset", "assets");
        state.info(if change.add {
            format!("tagged {n} {shown}")
        } else {
            format!("removed {shown} from {n}")
        });
        return;
    }
    for (id, _) in &failures {
        retag(state, id, &change.tag, !change.add);
    }
    if let Some(Overlay::Tags(mut editor)) = state.overlay.take() {
        complete(state, &mut editor);
        state.overlay = Some(Overlay::Tags(editor));
    }
    let why = &failures[0].1;
    let verb = if change.add { "add" } else { "remove" };
    let whom = if change.ids.len() == 1 {
        sanitize::line(&failures[0].0, 60)
    } else {
        format!("{} of {} assets", failures.len(), change.ids.len())
    };
    state.error(format!(
        "could not {verb} {shown} on {whom} (undone): {why}"
    ));
}

/// `GET /tags` answered.
pub fn on_index(state: &mut State, result: Result<Vec<(String, u64)>, String>) {
    state.tags.loading = false;
    match result {
        Ok(mut items) => {
            items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            state.tags.items = items;
            state.tags.loaded = true;
            state.tags.error = None;
        }
        Err(e) => state.tags.error = Some(sanitize::line(&e, 200)),
    }
    if let Some(Overlay::Tags(mut editor)) = state.overlay.take() {
        complete(state, &mut editor);
        state.overlay = Some(Overlay::Tags(editor));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_replaces_the_tag_being_typed() {
        let mut s = "hero, dra".to_string();
        replace_last(&mut s, "draft");
        assert_eq!(s, "hero, draft");
        let mut s = "-he".to_string();
        replace_last(&mut s, "hero");
        assert_eq!(s, "-hero");
        let mut s = "x".to_string();
        replace_last(&mut s, "xyz");
        assert_eq!(s, "xyz");
    }
}
