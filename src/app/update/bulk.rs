//! Handlers for acting on many assets at once: the selection keys, and the
//! actions that take the selection (or, without one, the current asset):
//! delete behind a confirmation, add to a collection, download in a chosen
//! format; also `U` (upload a local file) and `o` (open the asset's file).
//! The dialogs' state is `app::bulk`.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use crossterm::event::KeyEvent;

use crate::app::bulk::{Choice, ChoicePurpose, Confirm, PathPrompt, ORIGINAL};
use crate::app::inspector::{plural, Detail};
use crate::app::msg::{Cmd, CollectCounts};
use crate::app::state::{Overlay, Picker, PickerKey, State};
use crate::provider::AssetView;
use crate::sanitize;

fn current(state: &State) -> Option<Arc<AssetView>> {
    state.list.current().map(|e| e.asset.clone())
}

/// A changed copy of an asset (its tags), everywhere it is shown or kept.
pub fn replace(state: &mut State, asset: Arc<AssetView>) {
    state.list.replace_shared(&asset);
    if let Some(b) = state.search.browsed.as_deref_mut() {
        b.replace_shared(&asset);
    }
    state.selection.refresh(&asset);
    if state
        .inspector
        .asset
        .as_ref()
        .is_some_and(|a| a.id == asset.id)
    {
        let detail = state.inspector.detail.clone();
        state
            .inspector
            .refresh(asset.clone(), &state.collections.names);
        state.inspector.detail = detail;
    }
    for t in state.inspector.trail.iter_mut() {
        if t.id == asset.id {
            *t = asset.clone();
        }
    }
}

/// `Space`: selects or unselects the asset under the cursor, then moves
/// down (so holding it selects a run).
pub fn toggle(state: &mut State) {
    let Some(asset) = current(state) else {
        return;
    };
    state.selection.toggle(asset);
    let last = state.list.entries.len().saturating_sub(1);
    state.list.select((state.list.cursor + 1).min(last));
}

/// `V`: selects every loaded asset between the anchor (the last one
/// toggled) and the cursor. Without an anchor, the cursor becomes one.
pub fn select_range(state: &mut State) {
    let Some(asset) = current(state) else {
        return;
    };
    let from = state
        .selection
        .anchor
        .as_deref()
        .and_then(|id| state.list.position_of(id));
    let Some(from) = from else {
        state.selection.anchor = Some(asset.id.clone());
        state.selection.insert(asset);
        state.info("range starts here: move and press V again to select up to there");
        return;
    };
    let to = state.list.cursor;
    let (a, b) = (from.min(to), from.max(to));
    let picked: Vec<Arc<AssetView>> = state.list.entries[a..=b]
        .iter()
        .map(|e| e.asset.clone())
        .collect();
    for asset in picked {
        state.selection.insert(asset);
    }
    state.selection.anchor = Some(state.list.entries[to].asset.id.clone());
}

/// `Ctrl-a`: selects everything loaded.
pub fn select_all(state: &mut State) {
    let picked: Vec<Arc<AssetView>> = state.list.entries.iter().map(|e| e.asset.clone()).collect();
    for asset in picked {
        state.selection.insert(asset);
    }
    if !state.list.is_complete() {
        state.info("selected everything loaded so far (more pages follow)");
    }
}

/// `u`: clears the selection.
pub fn clear(state: &mut State) {
    if state.selection.is_empty() {
        // `u` is undo elsewhere: say where undo is
        let text = match state.undo {
            Some(crate::app::safety::Undo::Deleted(_)) => {
                "nothing selected (deletions cannot be undone)".to_string()
            }
            Some(_) => format!(
                "nothing selected ({} undoes the last change)",
                state.keymap.label(crate::app::Action::Undo)
            ),
            None => "nothing selected".to_string(),
        };
        state.info(text);
        return;
    }
    let n = state.selection.len();
    state.selection.clear();
    state.info(format!("unselected {}", plural(n, "asset", "assets")));
}

fn names(assets: &[Arc<AssetView>]) -> Vec<String> {
    assets
        .iter()
        .map(|a| sanitize::line(a.name_or_id(), 60))
        .collect()
}

/// `X`: asks before deleting the selection (or the current asset).
pub fn ask_delete(state: &mut State) {
    let assets = state.targets();
    if assets.is_empty() {
        state.info("nothing to delete");
        return;
    }
    let ids: Vec<String> = assets.iter().map(|a| a.id.clone()).collect();
    let off_screen = super::safety::off_screen(state, &ids);
    state.overlay = Some(Overlay::Confirm(Confirm {
        ids,
        names: names(&assets),
        force: false,
        off_screen,
    }));
}

/// A key in the confirmation: it always closes.
pub fn confirm_key(state: &mut State, confirm: Confirm, key: &KeyEvent, cmds: &mut Vec<Cmd>) {
    if confirm.accepts(key) {
        state.info(format!(
            "deleting {}…",
            plural(confirm.ids.len(), "asset", "assets")
        ));
        cmds.push(Cmd::Delete {
            ids: confirm.ids,
            force: confirm.force,
        });
    } else {
        state.info("nothing deleted");
    }
}

/// The server answered a deletion: the first `done` ids are gone.
pub fn on_deleted(
    state: &mut State,
    ids: Vec<String>,
    done: usize,
    error: Option<String>,
    in_use: bool,
) {
    let gone: HashSet<&str> = ids[..done.min(ids.len())]
        .iter()
        .map(String::as_str)
        .collect();
    state.list.remove(&gone);
    if let Some(b) = state.search.browsed.as_deref_mut() {
        b.remove(&gone);
    }
    for id in &gone {
        state.selection.remove(id);
        state.search.marks.remove(*id);
    }
    state
        .inspector
        .trail
        .retain(|a| !gone.contains(a.id.as_str()));
    if state
        .inspector
        .asset
        .as_ref()
        .is_some_and(|a| gone.contains(a.id.as_str()))
    {
        // settle() shows whatever the cursor is on now
        state.inspector.detached = false;
        state.inspector.asset = None;
        state.inspector.detail = Detail::Listed;
    }
    super::safety::record_deleted(state, gone.len());
    let n = plural(gone.len(), "asset", "assets");
    if in_use && state.caps.force_delete {
        // the rest waits for a yes: an index uses the next one
        let rest: Vec<String> = ids[done.min(ids.len())..].to_vec();
        let names = rest
            .iter()
            .take(3)
            .map(|id| {
                let name = state.find(id).map(|a| a.name_or_id().to_string());
                sanitize::line(name.as_deref().unwrap_or(id), 60)
            })
            .collect();
        state.overlay = Some(Overlay::Confirm(Confirm {
            ids: rest,
            names,
            force: true,
            off_screen: 0,
        }));
        if !gone.is_empty() {
            state.info(format!("deleted {n}; the next is used by an index"));
        }
        return;
    }
    match error {
        None => state.info(format!("deleted {n}")),
        Some(e) if gone.is_empty() => state.error(format!("nothing deleted: {e}")),
        Some(e) => state.error(format!("deleted {n}, then: {e}")),
    }
}

/// `a`: picks a collection for the selection (or the current asset).
pub fn choose_collection(state: &mut State, cmds: &mut Vec<Cmd>) {
    let ids: Vec<String> = state.targets().iter().map(|a| a.id.clone()).collect();
    if ids.is_empty() {
        state.info("nothing to add to a collection");
        return;
    }
    if !state.collections.loaded {
        cmds.push(Cmd::LoadCollections);
    }
    let off_screen = super::safety::off_screen(state, &ids);
    state.overlay = Some(Overlay::Choose(Choice {
        purpose: ChoicePurpose::Collection { ids },
        picker: Picker::new(state.collections.items.clone(), BTreeSet::new(), false),
        off_screen,
    }));
}

/// `I` (and `/` before any index is chosen, on a provider that searches
/// indexes): picks the index searches run over.
pub fn choose_index(state: &mut State, then_search: bool, cmds: &mut Vec<Cmd>) {
    if !state.indexes.loaded {
        cmds.push(Cmd::LoadIndexes);
    }
    let chosen = state
        .search
        .index
        .iter()
        .map(|(id, _)| id.clone())
        .collect();
    state.overlay = Some(Overlay::Choose(Choice {
        purpose: ChoicePurpose::Index { then_search },
        picker: Picker::new(state.indexes.items.clone(), chosen, false),
        off_screen: 0,
    }));
    if !state.indexes.loaded {
        state.info("loading the indexes…");
    }
}

/// The indexes arrived: the picker follows.
pub fn indexes_loaded(state: &mut State, result: Result<Vec<(String, String)>, String>) {
    match result {
        Ok(items) => {
            state.indexes.items = items
                .into_iter()
                .map(|(id, name)| (id, sanitize::line(&name, 80)))
                .collect();
            state.indexes.loaded = true;
            state.indexes.error = None;
            if state.indexes.items.is_empty() {
                state.info("no index to search: create one with the provider first");
            } else if state
                .notice
                .as_ref()
                .is_some_and(|n| n.text == "loading the indexes…")
            {
                state.notice = None;
            }
        }
        Err(e) => {
            state.indexes.error = Some(sanitize::line(&e, 200));
            state.error(format!("cannot list the indexes: {e}"));
        }
    }
    if let Some(Overlay::Choose(c)) = &mut state.overlay {
        if matches!(c.purpose, ChoicePurpose::Index { .. }) {
            c.picker.options = state.indexes.items.clone();
            c.picker.refilter();
        }
    }
}

/// The collection picker follows the collections as they load.
pub fn collections_loaded(state: &mut State) {
    if let Some(Overlay::Choose(c)) = &mut state.overlay {
        if matches!(c.purpose, ChoicePurpose::Collection { .. }) {
            c.picker.options = state.collections.items.clone();
            c.picker.refilter();
        }
    }
}

/// A key in a choice; false closes it.
pub fn choice_key(
    state: &mut State,
    choice: &mut Choice,
    key: &KeyEvent,
    cmds: &mut Vec<Cmd>,
) -> bool {
    match choice.picker.key(key) {
        PickerKey::Stay => true,
        PickerKey::Cancel => false,
        PickerKey::Choose => {
            let Some((value, label)) = choice.picker.highlighted().cloned() else {
                return true;
            };
            match &choice.purpose {
                ChoicePurpose::Collection { ids } => {
                    state.info(format!("adding to {label}…"));
                    cmds.push(Cmd::Collect {
                        collection: value,
                        name: label,
                        ids: ids.clone(),
                    });
                }
                ChoicePurpose::Format { ids } => {
                    let format = (value != ORIGINAL).then_some(value);
                    super::downloads::queue(state, ids.clone(), format, cmds);
                }
                ChoicePurpose::Index { then_search } => {
                    state.info(format!("searching {label}"));
                    state.search.index = Some((value, label));
                    if *then_search {
                        super::search::open(state);
                    } else if state.search.active {
                        super::search::rerun(state, cmds);
                    }
                }
            }
            false
        }
    }
}

/// The server answered an addition to a collection.
pub fn on_collected(state: &mut State, name: String, result: Result<CollectCounts, String>) {
    match result {
        Ok(c) => {
            super::safety::record_collect(state, c.collection.clone(), name.clone(), c.added_ids);
            let mut text = format!("added {} to {name}", plural(c.added, "asset", "assets"));
            if c.already > 0 {
                text.push_str(&format!(", {} already there", c.already));
            }
            if c.failed > 0 {
                text.push_str(&format!(", {} failed", c.failed));
                if let Some(e) = &c.error {
                    text.push_str(&format!(": {}", sanitize::line(e, 200)));
                }
                state.error(text);
            } else {
                state.info(text);
            }
        }
        Err(e) => state.error(format!("could not add to {name}: {e}")),
    }
}

pub fn open_upload(state: &mut State) {
    state.overlay = Some(Overlay::Upload(PathPrompt::default()));
}

/// A key in the upload prompt; false closes it.
pub fn upload_key(
    prompt: &mut PathPrompt,
    state: &mut State,
    key: &KeyEvent,
    cmds: &mut Vec<Cmd>,
) -> bool {
    match super::downloads::path_key(prompt, key, cmds) {
        Err(keep) => keep,
        Ok(path) => {
            let shown = sanitize::line(&path, 120);
            if state.downloads.unavailable.is_none() && !crate::edits::is_link(&path) {
                let pane = state.keymap.label(crate::app::Action::Downloads);
                state.info(format!("uploading {shown} · {pane} shows it"));
            } else {
                state.info(format!("uploading {shown}…"));
            }
            cmds.push(Cmd::Upload { path });
            false
        }
    }
}

/// File names for Tab in the upload prompt: one completes the path,
/// several extend it to what they share.
pub fn on_completions(state: &mut State, input: &str, candidates: Vec<String>) {
    let prompt = match &mut state.overlay {
        Some(Overlay::Upload(prompt)) => prompt,
        Some(Overlay::Mirror(m)) => &mut m.path,
        _ => return,
    };
    if prompt.input != input {
        return; // typed on since: stale
    }
    match crate::app::search::apply_completions(&mut prompt.input, candidates) {
        Some(shown) => prompt.completions = shown,
        None => {
            prompt.completions.clear();
            state.info("no file name completes this");
        }
    }
}

/// An upload ended outside the transfers queue (TwelveLabs): the new
/// asset goes in the list as one from the queue does.
pub fn on_uploaded(state: &mut State, path: &str, result: Result<AssetView, String>) {
    let shown = sanitize::line(path, 120);
    match result {
        Ok(asset) => show_uploaded(state, asset),
        Err(e) => state.error(format!("upload of {shown} failed: {e}")),
    }
}

/// The new asset of an upload in the transfers queue, fetched.
pub fn on_upload_loaded(state: &mut State, id: &str, result: Result<AssetView, String>) {
    match result {
        Ok(asset) => show_uploaded(state, asset),
        Err(e) => state.error(format!(
            "uploaded {}, but it could not be read back: {e}",
            sanitize::line(id, 60)
        )),
    }
}

/// A new asset from an upload: first in the list when the list shows
/// everything newest first, the cursor left on the asset it was on.
fn show_uploaded(state: &mut State, asset: AssetView) {
    let name = sanitize::line(asset.name_or_id(), 60);
    let id = sanitize::line(&asset.id, 60);
    if state.list.position_of(&asset.id).is_some() {
        // a reload brought it already
        state.info(format!("uploaded {name} ({id})"));
    } else if !state.search.active && state.filters.is_default() {
        state.list.insert_first(asset);
        state.info(format!("uploaded {name} ({id}): first in the list"));
    } else {
        state.info(format!(
            "uploaded {name} ({id}); the list's filters or search may not show it"
        ));
    }
}

/// The opener answered.
pub fn on_opened(state: &mut State, path: &str, result: Result<(), String>) {
    // the file's name: the full path is in the downloads pane (`y` copies it)
    let name = std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string());
    let shown = sanitize::line(&name, 80);
    match result {
        Ok(()) => state.info(format!("opened {shown}")),
        Err(e) => state.error(format!("{e}: could not open {shown}")),
    }
}
