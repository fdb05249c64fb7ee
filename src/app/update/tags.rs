//! The tag editor's handlers: opening it on the selection, applying its
//! outcomes (a change shows at once everywhere the asset is drawn, then
//! goes to the server), and the server's answers (undone where refused).
//! The editor's state and keys are `app::tags`.

use std::sync::Arc;

use crossterm::event::KeyEvent;

use super::bulk;
use crate::app::msg::Cmd;
use crate::app::state::{Overlay, State};
use crate::app::tags::{TagChange, TagEditor, TagKey, COMPLETIONS_MAX};
use crate::provider::Labels;
use crate::sanitize;

/// `t`: opens the editor on the selection or the current asset.
pub fn open(state: &mut State, cmds: &mut Vec<Cmd>) {
    let ids: Vec<String> = state.targets().iter().map(|a| a.id.clone()).collect();
    if ids.is_empty() {
        state.info("nothing to tag");
        return;
    }
    if !state.tags.loaded && !state.tags.loading {
        state.tags.loading = true;
        cmds.push(Cmd::LoadTags);
    }
    let off_screen = super::safety::off_screen(state, &ids);
    let mut editor = TagEditor::new(ids);
    editor.off_screen = off_screen;
    complete(state, &mut editor);
    state.overlay = Some(Overlay::Tags(editor));
}

/// Recomputes the completions for the input: tags in use (fuzzy, most
/// used first among equals) not already on every edited asset; after a
/// `-`, the tags the assets carry.
fn complete(state: &State, editor: &mut TagEditor) {
    let on = state.tags_on(&editor.ids);
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
    let ranked = crate::app::fuzzy::rank(query, pool.iter().map(|(t, _)| t.as_str()));
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
    match editor.key(&key) {
        TagKey::Stay => {}
        TagKey::Edited => complete(state, editor),
        TagKey::Apply { tags, add } => {
            let sent = tags
                .into_iter()
                .filter_map(|tag| apply(state, editor, tag, add, cmds))
                .collect();
            // one Enter is one change for `z`
            super::safety::record_tags(state, sent);
            complete(state, editor);
        }
        TagKey::RemoveLast => {
            if let Some((last, _)) = state.tags_on(&editor.ids).pop() {
                let sent = apply(state, editor, last, false, cmds);
                super::safety::record_tags(state, sent.into_iter().collect());
                complete(state, editor);
            }
        }
        TagKey::Close => return close(state, editor, cmds),
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

/// Adds or removes one tag on the edited assets: at once on screen, then
/// on the server; the change sent, if any.
fn apply(
    state: &mut State,
    editor: &mut TagEditor,
    tag: String,
    add: bool,
    cmds: &mut Vec<Cmd>,
) -> Option<TagChange> {
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
        return None;
    }
    editor.changed = true;
    let n = crate::app::inspector::plural(changed.len(), "asset", "assets");
    let text = change_text(state, add, &n, &shown, true);
    state.info(format!("{text}…"));
    let change = TagChange {
        tag,
        add,
        ids: changed,
    };
    cmds.push(Cmd::Tag(change.clone()));
    Some(change)
}

/// What a change of labels says, under way (`going`) or done: tags are
/// tagged, a provider's `key=value` metadata is set.
fn change_text(state: &State, add: bool, n: &str, shown: &str, going: bool) -> String {
    let metadata = state.caps.labels == Labels::KeyValue;
    match (metadata, add, going) {
        (false, true, true) => format!("tagging {n} {shown}"),
        (false, true, false) => format!("tagged {n} {shown}"),
        (false, false, true) => format!("untagging {n} {shown}"),
        (true, true, true) => format!("setting {shown} on {n}"),
        (true, true, false) => format!("set {shown} on {n}"),
        (true, false, true) => format!("removing {shown} from {n}"),
        (_, false, false) => format!("removed {shown} from {n}"),
    }
}

/// Changes one asset's tags wherever it is kept; false if it had (or
/// lacked) the tag already or is nowhere.
pub(super) fn retag(state: &mut State, id: &str, tag: &str, add: bool) -> bool {
    let Some(asset) = state.find(id) else {
        return false;
    };
    let mut tags = asset.tags.clone();
    let has = tags.iter().any(|t| t == tag);
    if has == add {
        return false;
    }
    if add {
        tags.push(tag.to_string());
    } else {
        tags.retain(|t| t != tag);
    }
    bulk::replace(state, Arc::new(asset.with_tags(tags)));
    true
}

/// The server answered a change: undo it where it was refused.
pub fn on_tagged(state: &mut State, change: TagChange, failures: Vec<(String, String)>) {
    let shown = sanitize::line(&change.tag, 60);
    let ok = change.ids.len() - failures.len();
    let answer = super::safety::tag_answered(state, &change, &failures);
    if failures.is_empty() {
        match answer {
            super::safety::TagAnswer::UndoDone(what) => {
                state.info(format!("undone: {what}"));
                return;
            }
            // the "undoing…" line stays until the last answer
            super::safety::TagAnswer::UndoStep => return,
            super::safety::TagAnswer::Change => {}
        }
        let n = crate::app::inspector::plural(ok, "asset", "assets");
        let text = change_text(state, change.add, &n, &shown, false);
        state.info(text);
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
    let undoing = match answer {
        super::safety::TagAnswer::Change => "",
        _ => "undo: ",
    };
    state.error(format!(
        "{undoing}could not {verb} {shown} on {whom} (undone): {why}"
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
