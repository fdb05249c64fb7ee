//! Acting on many assets at once: the selection keys, and the actions that
//! take the selection (or, without one, the current asset): delete behind
//! a confirmation, add to a collection, download in a chosen format. Also
//! `U` (upload a local file) and `o` (open the asset's file).

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::downloads::DlCmd;
use super::inspector::{plural, Detail};
use super::msg::Cmd;
use super::state::{Overlay, Picker, PickerKey, State};
use crate::api::models::{Asset, AssetKind};
use crate::download::queue::{Phase, Request};
use crate::sanitize;

/// Longest path the upload prompt takes.
pub const PATH_MAX: usize = 4096;

/// What the selection keys and bulk actions act on: the selection, or the
/// asset under the cursor (or in the inspector) when nothing is selected.
pub fn targets(state: &State) -> Vec<Arc<Asset>> {
    if !state.selection.is_empty() {
        return state.selection.assets().cloned().collect();
    }
    state.inspector.asset.clone().into_iter().collect()
}

/// A copy of an asset the browser holds, for its tags and name: the
/// selection's first (kept as fresh as the list's, and found at once,
/// which matters with thousands selected), then the inspector's, then
/// the lists'.
pub fn find(state: &State, id: &str) -> Option<Arc<Asset>> {
    let in_list =
        |l: &super::list::AssetList| l.position_of(id).map(|i| l.entries[i].asset.clone());
    state
        .selection
        .get(id)
        .cloned()
        .or_else(|| state.inspector.asset.clone().filter(|a| a.id == id))
        .or_else(|| in_list(&state.list))
        .or_else(|| state.search.browsed.as_deref().and_then(in_list))
}

/// A changed copy of an asset (its tags), everywhere it is shown or kept.
pub fn replace(state: &mut State, asset: Arc<Asset>) {
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

fn current(state: &State) -> Option<Arc<Asset>> {
    state.list.current().map(|e| e.asset.clone())
}

// ---- the selection ----

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
    let picked: Vec<Arc<Asset>> = state.list.entries[a..=b]
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
    let picked: Vec<Arc<Asset>> = state.list.entries.iter().map(|e| e.asset.clone()).collect();
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
        state.info("nothing selected");
        return;
    }
    let n = state.selection.len();
    state.selection.clear();
    state.info(format!("unselected {}", plural(n, "asset", "assets")));
}

fn names(assets: &[Arc<Asset>]) -> Vec<String> {
    assets
        .iter()
        .map(|a| sanitize::line(a.name().unwrap_or(&a.id), 60))
        .collect()
}

// ---- delete ----

/// A question before deleting: `y` deletes, anything else keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirm {
    pub ids: Vec<String>,
    /// Sanitized names of the first few, to show what goes.
    pub names: Vec<String>,
}

impl Confirm {
    pub fn question(&self) -> String {
        format!(
            "Delete {} for good?",
            plural(self.ids.len(), "asset", "assets")
        )
    }
}

/// `X`: asks before deleting the selection (or the current asset).
pub fn ask_delete(state: &mut State) {
    let assets = targets(state);
    if assets.is_empty() {
        state.info("nothing to delete");
        return;
    }
    state.overlay = Some(Overlay::Confirm(Confirm {
        ids: assets.iter().map(|a| a.id.clone()).collect(),
        names: names(&assets),
    }));
}

/// A key in the confirmation: it always closes.
pub fn confirm_key(state: &mut State, confirm: Confirm, key: &KeyEvent, cmds: &mut Vec<Cmd>) {
    if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
        state.info(format!(
            "deleting {}…",
            plural(confirm.ids.len(), "asset", "assets")
        ));
        cmds.push(Cmd::Delete(confirm.ids));
    } else {
        state.info("nothing deleted");
    }
}

/// The server answered a deletion: the first `done` ids are gone.
pub fn on_deleted(state: &mut State, ids: Vec<String>, done: usize, error: Option<String>) {
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
    let n = plural(gone.len(), "asset", "assets");
    match error {
        None => state.info(format!("deleted {n}")),
        Some(e) if gone.is_empty() => state.error(format!("nothing deleted: {e}")),
        Some(e) => state.error(format!("deleted {n}, then: {e}")),
    }
}

// ---- choices: a collection, a download format ----

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChoicePurpose {
    /// Add these assets to the chosen collection.
    Collection { ids: Vec<String> },
    /// Download these assets in the chosen format.
    Format { ids: Vec<String> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub purpose: ChoicePurpose,
    pub picker: Picker,
}

impl Choice {
    pub fn title(&self) -> String {
        match &self.purpose {
            ChoicePurpose::Collection { ids } => {
                format!(
                    " Add {} to a collection ",
                    plural(ids.len(), "asset", "assets")
                )
            }
            ChoicePurpose::Format { ids } => {
                format!(" Download {} as ", plural(ids.len(), "asset", "assets"))
            }
        }
    }
}

/// `a`: picks a collection for the selection (or the current asset).
pub fn choose_collection(state: &mut State, cmds: &mut Vec<Cmd>) {
    let ids: Vec<String> = targets(state).iter().map(|a| a.id.clone()).collect();
    if ids.is_empty() {
        state.info("nothing to add to a collection");
        return;
    }
    if !state.collections.loaded {
        cmds.push(Cmd::LoadCollections);
    }
    state.overlay = Some(Overlay::Choose(Choice {
        purpose: ChoicePurpose::Collection { ids },
        picker: Picker::new(state.collections.items.clone(), BTreeSet::new(), false),
    }));
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

/// `targetFormat` values the API documents for a kind of asset; audio and
/// video download only as they are stored.
pub fn formats_for(kind: Option<&AssetKind>) -> &'static [&'static str] {
    match kind {
        Some(AssetKind::Image | AssetKind::ImageHdr) => {
            &["png", "jpeg", "webp", "avif", "gif", "heif", "tiff", "svg"]
        }
        Some(AssetKind::ThreeD) => &["glb", "fbx", "obj"],
        Some(AssetKind::Audio) => &["mp3"],
        Some(AssetKind::Video) => &["mp4"],
        _ => &[],
    }
}

/// The value that stands for "no targetFormat" in the format picker.
const ORIGINAL: &str = "";

/// `S`: picks a format, then downloads the selection (or the current
/// asset) in it.
pub fn choose_format(state: &mut State) {
    let Some(assets) = super::downloads::targets(state) else {
        return;
    };
    // the formats every chosen asset can take
    let mut common: Option<Vec<&str>> = None;
    for a in &assets {
        let f = formats_for(a.kind());
        common = Some(match common {
            None => f.to_vec(),
            Some(c) => c.into_iter().filter(|x| f.contains(x)).collect(),
        });
    }
    let mut options = vec![(ORIGINAL.to_string(), "original (as stored)".to_string())];
    options.extend(
        common
            .unwrap_or_default()
            .into_iter()
            .map(|f| (f.to_string(), f.to_string())),
    );
    state.overlay = Some(Overlay::Choose(Choice {
        purpose: ChoicePurpose::Format {
            ids: assets.iter().map(|a| a.id.clone()).collect(),
        },
        picker: Picker::new(options, BTreeSet::new(), false),
    }));
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
                    queue(state, ids.clone(), format, cmds);
                }
            }
            false
        }
    }
}

/// Queues downloads (`d`, `S`), in the order given.
pub fn queue(state: &mut State, ids: Vec<String>, format: Option<String>, cmds: &mut Vec<Cmd>) {
    let n = ids.len();
    let requests = ids
        .into_iter()
        .map(|asset_id| Request {
            asset_id,
            format: format.clone(),
        })
        .collect();
    cmds.push(Cmd::Downloads(DlCmd::Add(requests)));
    let as_ = format
        .map(|f| format!(" as {}", sanitize::line(&f, 10)))
        .unwrap_or_default();
    state.info(format!(
        "queued {}{as_} · {} shows the queue",
        plural(n, "download", "downloads"),
        state.keymap.label(super::Action::Downloads)
    ));
}

/// The server answered an addition to a collection.
pub fn on_collected(state: &mut State, name: String, result: Result<usize, String>) {
    match result {
        Ok(n) => {
            state.info(format!("added {} to {name}", plural(n, "asset", "assets")));
        }
        Err(e) => state.error(format!("could not add to {name}: {e}")),
    }
}

// ---- upload ----

/// `U`: the path being typed, and what Tab found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathPrompt {
    pub input: String,
    pub completions: Vec<String>,
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
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => return false,
        KeyCode::Enter => {
            let path = prompt.input.trim().to_string();
            if path.is_empty() {
                return false;
            }
            state.info(format!("uploading {}…", sanitize::line(&path, 120)));
            cmds.push(Cmd::Upload { path });
            return false;
        }
        KeyCode::Tab => cmds.push(Cmd::CompletePath {
            input: prompt.input.clone(),
        }),
        KeyCode::Backspace => {
            prompt.input.pop();
            prompt.completions.clear();
        }
        KeyCode::Char('u') if ctrl => {
            prompt.input.clear();
            prompt.completions.clear();
        }
        KeyCode::Char(c) if !ctrl && !c.is_control() && prompt.input.chars().count() < PATH_MAX => {
            prompt.input.push(c);
            prompt.completions.clear();
        }
        _ => {}
    }
    true
}

/// File names for Tab in the upload prompt: one completes the path,
/// several extend it to what they share.
pub fn on_completions(state: &mut State, input: &str, candidates: Vec<String>) {
    let Some(Overlay::Upload(prompt)) = &mut state.overlay else {
        return;
    };
    if prompt.input != input {
        return; // typed on since: stale
    }
    match super::search::apply_completions(&mut prompt.input, candidates) {
        Some(shown) => prompt.completions = shown,
        None => {
            prompt.completions.clear();
            state.info("no file name completes this");
        }
    }
}

/// An upload ended: the new asset goes first in the list when the list
/// shows everything newest first, and is shown in the inspector.
pub fn on_uploaded(
    state: &mut State,
    path: &str,
    result: Result<Asset, String>,
    cmds: &mut Vec<Cmd>,
) {
    let shown = sanitize::line(path, 120);
    match result {
        Ok(asset) => {
            let name = sanitize::line(asset.name().unwrap_or(&asset.id), 60);
            let id = sanitize::line(&asset.id, 60);
            if !state.search.active && state.filters.is_default() {
                state.list.insert_first(asset);
                state.focus = super::state::Focus::List;
                state.inspector.detached = false;
                state.info(format!("uploaded {name} ({id})"));
            } else {
                super::update::show_detached(state, Arc::new(asset), cmds);
                state.info(format!(
                    "uploaded {name} ({id}); the list's filters or search may not show it"
                ));
            }
        }
        Err(e) => state.error(format!("upload of {shown} failed: {e}")),
    }
}

// ---- open ----

/// `o`: opens the asset's file with the system's opener: a file already
/// downloaded in this session at once, otherwise once its download ends.
pub fn open_file(state: &mut State, cmds: &mut Vec<Cmd>) {
    let Some(asset) = state.inspector.asset.clone() else {
        state.info("nothing to open");
        return;
    };
    let done = state
        .downloads
        .snapshot
        .items
        .iter()
        .rev()
        .find(|i| i.asset_id == asset.id && i.phase == Phase::Done && i.format.is_none())
        .and_then(|i| i.path.clone());
    if let Some(path) = done {
        cmds.push(Cmd::Downloads(DlCmd::Open(path)));
        return;
    }
    if let Some(why) = state.downloads.unavailable.clone() {
        state.error(format!(
            "cannot fetch the file to open it: downloads are off: {why}"
        ));
        return;
    }
    state.downloads.open_when_done.insert(asset.id.clone());
    cmds.push(Cmd::Downloads(DlCmd::Add(vec![Request {
        asset_id: asset.id.clone(),
        format: None,
    }])));
    let name = sanitize::line(asset.name().unwrap_or(&asset.id), 60);
    state.info(format!("downloading {name} to open it…"));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_kind() {
        assert!(formats_for(Some(&AssetKind::Image)).contains(&"webp"));
        assert_eq!(formats_for(Some(&AssetKind::Audio)), &["mp3"]);
        assert!(formats_for(None).is_empty());
    }
}
