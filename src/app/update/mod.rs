//! `update()`: the only place state changes. Pure: no I/O, no awaiting;
//! whatever needs the outside world is returned as a [`Cmd`].

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};

use super::action::Action;

use super::filters::Filters;
use super::images::Slot;
use super::inspector::Detail;
use super::list::Loading;
use super::msg::{AssetPurpose, Cmd, ListSpec, Msg, SearchSpec};
use super::search::Mark;
use super::state::{FilterPane, Focus, Overlay, State, REST};
use crate::provider::{AssetView, Capability, MediaExtras, MediaKind, Processing};
use crate::sanitize;

use super::images::{ImageDone, ImageError, ImageKey, ImageRequest, Variant};

/// The first commands: the first page (or, when the rows are the
/// index's, their refresh) and the collections.
pub fn init(state: &mut State) -> Vec<Cmd> {
    let mut cmds = vec![Cmd::LoadCollections];
    offline::init(state, &mut cmds);
    settle(state, &mut cmds);
    cmds
}

pub use offline::show_cached;

pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    match msg {
        Msg::Key(key) => on_key(state, key, &mut cmds),
        Msg::Mouse(m) => on_mouse(state, m),
        Msg::Resize(w, h) => {
            if (w, h) != (state.width, state.height) {
                state.width = w;
                state.height = h;
                state.relayout();
                // cell sizes changed: every encoded image is for the old ones
                state.images.clear();
            }
        }
        Msg::Tick => state.spinner = state.spinner.wrapping_add(1),
        Msg::Copied(c) => on_copied(state, c, &mut cmds),
        Msg::Downloads(snapshot) => downloads::on_snapshot(state, snapshot, &mut cmds),
        Msg::Synced(news) => downloads::on_synced(state, news),
        Msg::Tags(result) => tags::on_index(state, result),
        Msg::Notice(text) => state.info(text),
        Msg::Tagged { change, failures } => tags::on_tagged(state, change, failures),
        Msg::Deleted {
            ids,
            done,
            error,
            in_use,
        } => bulk::on_deleted(state, ids, done, error, in_use),
        Msg::Collected { name, result } => {
            // the counts in the picker and the inspector's names
            cmds.push(Cmd::LoadCollections);
            bulk::on_collected(state, name, result)
        }
        Msg::Uploaded { path, result } => bulk::on_uploaded(state, &path, result.map(|a| *a)),
        Msg::Opened { path, result } => bulk::on_opened(state, &path, result),
        Msg::SettingSaved { key, value, result } => {
            safety::on_setting_saved(state, key, &value, result)
        }
        Msg::Uncollected {
            name,
            removed,
            error,
        } => safety::on_uncollected(state, name, removed, error, &mut cmds),
        Msg::Tree { generation, msg } => tree::on_msg(state, generation, msg, &mut cmds),
        Msg::Page { generation, result } => on_page(state, generation, result),
        Msg::Refreshed { generation, result } => {
            offline::on_refreshed(state, generation, result, &mut cmds)
        }
        Msg::Changes { generation, items } => offline::on_changes(state, generation, items),
        Msg::Offline(why) => offline::on_offline(state, why),
        Msg::PollProcessing => poll_processing(state, &mut cmds),
        Msg::Indexes(result) => bulk::indexes_loaded(state, result),
        Msg::Asset {
            purpose,
            id,
            result,
        } => on_asset(state, purpose, &id, result.map(|a| *a), &mut cmds),
        Msg::Collections(result) => match result {
            Ok(list) => {
                let items: Vec<(String, String)> = list
                    .into_iter()
                    .filter_map(|c| {
                        let id = c.id?;
                        let name = sanitize::line(c.name.as_deref().unwrap_or(&id), 80);
                        Some((id, name))
                    })
                    .collect();
                state.collections.names = items.iter().cloned().collect();
                state.collections.items = items;
                state.collections.loaded = true;
                state.collections.error = None;
                if let Some(a) = state.inspector.asset.clone() {
                    state
                        .inspector
                        .set_sections(a.sections(&state.collections.names));
                }
                filters::refresh_collection_picker(state);
                bulk::collections_loaded(state);
            }
            Err(e) => state.collections.error = Some(e),
        },
        Msg::MediaExtras {
            generation,
            id,
            extras,
        } => {
            let shown = state.inspector.asset.as_ref().is_some_and(|a| a.id == id);
            if generation == state.inspector.generation && shown {
                state.inspector.set_extras(extras.sections());
            }
        }
        Msg::Image(done) => on_image(state, done, &mut cmds),
        Msg::SearchDue { typed } => search::due(state, typed, &mut cmds),
        Msg::SearchPage {
            generation,
            paging: _,
            result,
        } => search::on_page(state, generation, result),
        Msg::ImageRead { path, result } => search::on_image(state, path, result, &mut cmds),
        Msg::Completions { input, candidates } => {
            if matches!(state.overlay, Some(Overlay::Upload(_) | Overlay::Mirror(_))) {
                bulk::on_completions(state, &input, candidates);
            } else {
                search::on_completions(state, input, candidates, &mut cmds)
            }
        }
        Msg::Rested { generation } => {
            if generation == state.inspector.generation && state.inspector.asset.is_some() {
                state.preview_for = Some(generation);
                // offline, the index's copy is the whole object already
                if state.inspector.detail == Detail::Listed && !state.library.offline() {
                    if let Some(a) = &state.inspector.asset {
                        state.inspector.detail = Detail::Loading;
                        cmds.push(Cmd::LoadAsset {
                            purpose: AssetPurpose::Detail(generation),
                            id: a.id.clone(),
                        });
                    }
                }
            }
        }
    }
    if state.quit {
        return vec![Cmd::Quit];
    }
    settle(state, &mut cmds);
    cmds
}

/// How often the assets still processing are asked for again.
pub const POLL_EVERY: std::time::Duration = std::time::Duration::from_secs(2);
/// Most assets asked for in one poll (the visible ones first).
const POLL_MAX: usize = 20;

/// The loaded assets still processing, the visible ones first.
fn processing(state: &State) -> Vec<String> {
    let pending =
        |e: &super::list::Entry| matches!(e.asset.status, crate::provider::Processing::Pending(_));
    let visible = state.list.offset..state.list.offset + state.geometry.visible_items();
    let entries = &state.list.entries;
    let mut ids: Vec<String> = (visible.start..visible.end.min(entries.len()))
        .map(|i| &entries[i])
        .filter(|e| pending(e))
        .map(|e| e.asset.id.clone())
        .collect();
    for e in entries.iter().filter(|e| pending(e)) {
        if ids.len() >= POLL_MAX {
            break;
        }
        if !ids.contains(&e.asset.id) {
            ids.push(e.asset.id.clone());
        }
    }
    ids.truncate(POLL_MAX);
    ids
}

/// Asks again for the assets still processing: they update by themselves
/// until ready or failed.
fn poll_processing(state: &mut State, cmds: &mut Vec<Cmd>) {
    state.polling = false;
    for id in processing(state) {
        if state.refreshing.insert(id.clone()) {
            cmds.push(Cmd::LoadAsset {
                purpose: AssetPurpose::Refresh,
                id,
            });
        }
    }
}

/// Brings derived state in line after any change: scroll, the next page,
/// the inspector's subject, the images wanted.
fn settle(state: &mut State, cmds: &mut Vec<Cmd>) {
    if state.caps.processing_states && !state.polling && !processing(state).is_empty() {
        state.polling = true;
        cmds.push(Cmd::After(POLL_EVERY, Box::new(Msg::PollProcessing)));
    }
    state.relayout();
    let g = state.geometry;
    state.inspector.lay_out(g.details.width as usize);
    let visible = g.visible_items();
    state.list.scroll_into_view(g.lines(), g.per_line());
    tree::settle(state);
    if state.list.wants_more(visible * 2) {
        match search::source(state) {
            search::Source::List => {
                state.list.loading = Loading::Fetching;
                cmds.push(Cmd::LoadPage {
                    generation: state.list.generation,
                    spec: Box::new(ListSpec {
                        filters: state.filters.clone(),
                        next: state.list.next_token.clone(),
                        local: offline::local_list(state),
                    }),
                });
            }
            search::Source::Search(applied) => {
                state.list.loading = Loading::Fetching;
                cmds.push(Cmd::Search {
                    generation: state.list.generation,
                    spec: Box::new(SearchSpec {
                        applied,
                        filters: state.filters.clone(),
                        index: state.search.index.as_ref().map(|(id, _)| id.clone()),
                        next: state.list.next_token.clone(),
                        local: state.library.indexed && state.library.offline(),
                    }),
                });
            }
            search::Source::Waiting => {}
        }
    }
    if !state.inspector.detached {
        match state.list.current() {
            Some(entry) => {
                let same = state
                    .inspector
                    .asset
                    .as_ref()
                    .map(|a| Arc::ptr_eq(a, &entry.asset) || a.id == entry.asset.id)
                    .unwrap_or(false);
                if !same {
                    let asset = entry.asset.clone();
                    let generation = state.inspector.show(asset, &state.collections.names);
                    cmds.push(Cmd::After(REST, Box::new(Msg::Rested { generation })));
                }
            }
            None => {
                if state.inspector.asset.is_some() {
                    state.inspector.clear();
                }
            }
        }
    }
    want_images(state, cmds);
}

fn cache_tag(a: &AssetView) -> String {
    a.updated.clone().unwrap_or_default()
}

/// The images the screen needs, most urgent first: the preview once the
/// selection rests, the visible thumbnails, then a screen ahead.
fn want_images(state: &mut State, cmds: &mut Vec<Cmd>) {
    if !state.images_enabled {
        return;
    }
    let g = state.geometry;
    let mut requests: Vec<ImageRequest> = Vec::new();
    let mut keys: Vec<ImageKey> = Vec::new();
    let mut push = |state: &State, asset: &AssetView, variant: Variant, cells: (u16, u16)| {
        if cells.0 == 0 || cells.1 == 0 || state.refreshing.contains(&asset.id) {
            return;
        }
        let url = match variant {
            Variant::Preview => asset
                .preview_url
                .as_deref()
                .or(asset.thumbnail_url.as_deref()),
            Variant::Thumbnail => asset.thumbnail_url.as_deref(),
        };
        let key = ImageKey {
            asset_id: asset.id.clone(),
            variant,
            cells,
        };
        keys.push(key.clone());
        if let Some(url) = url {
            if !state.images.contains(&key) {
                requests.push(ImageRequest {
                    key,
                    url: url.to_string(),
                    cache_tag: cache_tag(asset),
                });
            }
        }
    };
    if let (Some(area), Some(asset)) = (g.preview, state.inspector.asset.clone()) {
        if state.preview_for == Some(state.inspector.generation) {
            push(state, &asset, Variant::Preview, (area.width, area.height));
        }
    }
    let cells = match g.grid {
        Some(grid) => grid.image,
        None => g.row_thumb(),
    };
    let visible = g.visible_items();
    if let Some(nodes) = tree::visible(state, super::tree::lines(&g) * 2) {
        // the family tree stands in the list's place: its rows' thumbnails
        for asset in nodes {
            push(state, &asset, Variant::Thumbnail, super::layout::ROW_THUMB);
        }
    } else {
        let start = state.list.offset;
        let end = (start + visible * 2).min(state.list.entries.len());
        for i in start..end {
            let asset = state.list.entries[i].asset.clone();
            push(state, &asset, Variant::Thumbnail, cells);
        }
    }
    state.images.touch(keys.iter());
    let wanted: Vec<ImageKey> = requests.iter().map(|r| r.key.clone()).collect();
    if wanted != state.wanted {
        state.wanted = wanted;
        cmds.push(Cmd::WantImages(requests));
    }
}

fn on_page(state: &mut State, generation: u64, result: Result<crate::provider::Page, String>) {
    if generation != state.list.generation {
        return; // an answer for filters that are gone
    }
    match result {
        Ok(page) => {
            state.list.append(page.items, page.next);
            if page.total.is_some() {
                state.list.total = page.total;
            }
            state.page_arrived(generation);
            if let Some(id) = state.reselect.clone() {
                if let Some(i) = state.list.position_of(&id) {
                    state.list.select(i);
                    state.reselect = None;
                } else if state.list.is_complete() {
                    state.reselect = None;
                }
            }
        }
        Err(e) => {
            let key = state.keymap.label(Action::Refresh);
            state.error(format!("{e} ({key} to retry)"));
            state.list.pending_move = 0;
            state.list.loading = Loading::Failed(sanitize::line(&e, 300));
        }
    }
}

fn on_asset(
    state: &mut State,
    purpose: AssetPurpose,
    id: &str,
    result: Result<AssetView, String>,
    cmds: &mut Vec<Cmd>,
) {
    match purpose {
        AssetPurpose::Detail(generation) => {
            let current = state
                .inspector
                .asset
                .as_ref()
                .map(|a| a.id == id)
                .unwrap_or(false);
            if generation != state.inspector.generation || !current {
                return;
            }
            match result {
                Ok(asset) => {
                    state.list.replace(&asset);
                    state.selection.refresh(&Arc::new(asset.clone()));
                    let asset = Arc::new(asset);
                    let spoken = matches!(asset.media, MediaKind::Video | MediaKind::Audio);
                    // ready, or its renditions still rendering (a failed
                    // one has nothing to transcribe)
                    let ready = !matches!(asset.status, Processing::Failed(_));
                    state.inspector.refresh(asset, &state.collections.names);
                    // a video or sound: its transcript and indexes
                    if spoken
                        && ready
                        && state.caps.has(Capability::Transcripts)
                        && state.inspector.lacks_extras()
                    {
                        state.inspector.set_extras(MediaExtras::loading_sections());
                        cmds.push(Cmd::LoadMediaExtras {
                            generation,
                            id: id.to_string(),
                        });
                    }
                }
                Err(_) if state.library.offline() => {
                    // offline: the copy shown is all there is, said once
                    state.inspector.detail = Detail::Listed;
                }
                Err(e) => {
                    state.inspector.detail = Detail::Failed(sanitize::line(&e, 300));
                    state.error(format!(
                        "details of {}: {e} ({} to retry)",
                        sanitize::line(id, 60),
                        state.keymap.label(Action::Refresh)
                    ));
                }
            }
        }
        AssetPurpose::Jump(generation) => {
            if generation != state.inspector.generation {
                return;
            }
            match result {
                Ok(asset) => {
                    // the "opening …" notice has done its job
                    state.notice = None;
                    show_detached(state, Arc::new(asset), cmds)
                }
                Err(e) => state.error(format!("cannot open {}: {e}", sanitize::line(id, 60))),
            }
        }
        AssetPurpose::CopyLink => match result {
            Ok(asset) => match asset.file_url.clone().filter(|u| !u.is_empty()) {
                Some(url) => {
                    state.notice = None;
                    copy(cmds, "link", url);
                }
                None => state.error("the API gave no link for this asset"),
            },
            Err(e) => state.error(format!("fresh link for {}: {e}", sanitize::line(id, 60))),
        },
        AssetPurpose::Uploaded => bulk::on_upload_loaded(state, id, result),
        AssetPurpose::Refresh => {
            state.refreshing.remove(id);
            match result {
                Ok(asset) => {
                    state.list.replace(&asset);
                    state.selection.refresh(&Arc::new(asset.clone()));
                    state.images.forget_asset(id);
                    if state
                        .inspector
                        .asset
                        .as_ref()
                        .map(|a| a.id == id)
                        .unwrap_or(false)
                    {
                        let detail = state.inspector.detail.clone();
                        state
                            .inspector
                            .refresh(Arc::new(asset), &state.collections.names);
                        state.inspector.detail = detail;
                    }
                }
                Err(e) => state.error(format!("fresh link for {}: {e}", sanitize::line(id, 60))),
            }
        }
    }
}

fn on_image(state: &mut State, done: ImageDone, cmds: &mut Vec<Cmd>) {
    let key = done.key;
    state.wanted.retain(|k| *k != key);
    match done.result {
        Ok(protocol) => state.images.insert(key, Slot::Ready(protocol)),
        Err(ImageError::Expired) if !state.refreshed.contains(&key.asset_id) => {
            // the signed link expired: ask for the asset again, then retry
            state.refreshed.insert(key.asset_id.clone());
            state.refreshing.insert(key.asset_id.clone());
            cmds.push(Cmd::LoadAsset {
                purpose: AssetPurpose::Refresh,
                id: key.asset_id.clone(),
            });
        }
        Err(e) => {
            let what = match key.variant {
                Variant::Preview => "preview",
                Variant::Thumbnail => "thumbnail",
            };
            state.error(format!(
                "{what} of {}: {e}",
                sanitize::line(&key.asset_id, 60)
            ));
            state
                .images
                .insert(key, Slot::Failed(sanitize::line(&e.to_string(), 300)));
        }
    }
}

pub(super) fn show_detached(state: &mut State, asset: Arc<AssetView>, cmds: &mut Vec<Cmd>) {
    if let Some(current) = state.inspector.asset.clone() {
        state.inspector.trail.push(current);
    }
    state.inspector.detached = true;
    let generation = state.inspector.show(asset, &state.collections.names);
    state.focus = Focus::Inspector;
    if !state.show_inspector {
        state.show_inspector = true;
        state.relayout();
    }
    cmds.push(Cmd::After(REST, Box::new(Msg::Rested { generation })));
}

fn jump(state: &mut State, root: bool, cmds: &mut Vec<Cmd>) {
    let Some(asset) = state.inspector.asset.clone() else {
        return;
    };
    let target = if root {
        asset.root.as_deref()
    } else {
        asset.parent.as_deref()
    };
    let Some(target) = target.map(str::to_string) else {
        state.info(if root {
            "this asset has no root asset"
        } else {
            "this asset has no parent"
        });
        return;
    };
    if let Some(i) = state.list.position_of(&target) {
        state.inspector.trail.push(asset);
        state.inspector.detached = false;
        state.list.select(i);
        state.focus = Focus::List;
        return;
    }
    state.info(format!("opening {}…", sanitize::line(&target, 60)));
    cmds.push(Cmd::LoadAsset {
        purpose: AssetPurpose::Jump(state.inspector.generation),
        id: target,
    });
}

fn back(state: &mut State, cmds: &mut Vec<Cmd>) {
    let Some(prev) = state.inspector.trail.pop() else {
        return;
    };
    if let Some(i) = state.list.position_of(&prev.id) {
        state.inspector.detached = false;
        state.list.select(i);
        // make settle() show it even if it is the same row as before
        state.inspector.asset = None;
    } else {
        state.inspector.detached = true;
        let generation = state.inspector.show(prev, &state.collections.names);
        cmds.push(Cmd::After(REST, Box::new(Msg::Rested { generation })));
    }
}

/// New filters: everything loaded or in flight for the old ones is void.
/// Search results are searched again with them.
fn requery(state: &mut State, filters: Filters) {
    state.filters = filters;
    if state.library.offline() && state.library.indexed {
        state.info("offline: the filters apply to the cached assets");
    }
    if state.search.active {
        search::filters_changed(state);
    } else {
        state.list.reset();
    }
    state.inspector.detached = false;
    state.inspector.trail.clear();
}

/// Moves the cursor by `delta` rows; past the last loaded row while the
/// next page comes, the rest of the move waits for it (no key is lost).
fn move_cursor(state: &mut State, delta: isize) {
    if state.list.entries.is_empty() {
        return;
    }
    state.list.move_by(delta);
    left_the_jump(state);
}

/// Puts the cursor on row `index` (clamped): `g`, `G`, a click. Nothing
/// is remembered past the end.
fn jump_cursor(state: &mut State, index: usize) {
    if state.list.entries.is_empty() {
        return;
    }
    state.list.select(index);
    left_the_jump(state);
}

/// The cursor moved: the inspector follows it again.
fn left_the_jump(state: &mut State) {
    if state.inspector.detached {
        state.inspector.detached = false;
        state.inspector.trail.clear();
    }
}

fn scroll_inspector(state: &mut State, delta: isize) {
    let details = state.geometry.details;
    // the last page of lines fills the pane: no scrolling into blank space
    let max = state
        .inspector
        .line_count(details.width as usize)
        .saturating_sub(details.height.max(1) as usize) as isize;
    state.inspector.scroll =
        (state.inspector.scroll as isize + delta).clamp(0, max.max(0)) as usize;
}

fn on_key(state: &mut State, key: KeyEvent, cmds: &mut Vec<Cmd>) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    if state.overlay.is_some() {
        on_overlay_key(state, key, cmds);
        return;
    }
    if state.search.open {
        search::box_key(state, key, cmds);
        return;
    }
    let Some(action) = state.keymap.action_for(&key) else {
        // a key that does nothing says so (modifier-only and media keys
        // stay quiet)
        if matches!(
            key.code,
            KeyCode::Char(_) | KeyCode::F(_) | KeyCode::Insert | KeyCode::Delete
        ) {
            let shown = super::keymap::KeySpec::from_event(&key).to_string();
            let help = state.keymap.label(Action::Help);
            state.warn(format!("no action on {shown} ({help} for help)"));
        }
        return;
    };
    if action == Action::Quit
        && key.code == KeyCode::Char('c')
        && key.modifiers.contains(KeyModifiers::CONTROL)
    {
        // Ctrl-C quits at once, transfers or not (the journal keeps them)
        state.quit = true;
        return;
    }
    run_action(state, action, cmds);
}

/// What a key bound to `action` does on the main screen; the command
/// palette runs its choice through here too.
pub(super) fn run_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    if let Some(c) = action.needs().filter(|c| !state.caps.has(*c)) {
        // a key the provider cannot serve says so, in one line
        state.warn(state.caps.lacks(c));
        return;
    }
    if offline::refuse(state, action) {
        return; // offline: an edit is refused, never queued
    }
    if action != Action::Download {
        // the copy `d` offered is for the very next key only
        state.downloads.copy_asked = None;
    }
    if !matches!(action, Action::Close) {
        if let Some(n) = &state.notice {
            if !n.error {
                state.notice = None;
            }
        }
    }
    if tree::key(state, action, cmds) {
        return; // the family tree pane took it
    }
    apply(state, action, cmds);
}

/// Carries out one action on the main screen.
pub fn apply(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let g = state.geometry;
    let page = g.visible_items().max(1) as isize;
    let per_line = g.per_line() as isize;
    let in_inspector = state.focus == Focus::Inspector && state.geometry.inspector.is_some();
    let text_page = state.geometry.details.height.max(1) as isize;
    match action {
        Action::Down if in_inspector => scroll_inspector(state, 1),
        Action::Up if in_inspector => scroll_inspector(state, -1),
        Action::Down => move_cursor(state, per_line),
        Action::Up => move_cursor(state, -per_line),
        Action::Left if state.grid && !in_inspector => move_cursor(state, -1),
        Action::Right if state.grid && !in_inspector => move_cursor(state, 1),
        Action::Left => state.focus = Focus::List,
        Action::Right => {
            if state.geometry.inspector.is_some() {
                state.focus = Focus::Inspector;
            }
        }
        Action::Top if in_inspector => state.inspector.scroll = 0,
        Action::Bottom if in_inspector => scroll_inspector(state, isize::MAX / 2),
        Action::Top => jump_cursor(state, 0),
        Action::Bottom => jump_cursor(state, usize::MAX),
        Action::PageDown if in_inspector => scroll_inspector(state, text_page),
        Action::PageUp if in_inspector => scroll_inspector(state, -text_page),
        Action::HalfPageDown if in_inspector => scroll_inspector(state, text_page / 2),
        Action::HalfPageUp if in_inspector => scroll_inspector(state, -text_page / 2),
        Action::PageDown => move_cursor(state, page),
        Action::PageUp => move_cursor(state, -page),
        Action::HalfPageDown => move_cursor(state, (page / 2).max(per_line)),
        Action::HalfPageUp => move_cursor(state, -(page / 2).max(per_line)),
        Action::FocusNext | Action::FocusPrev | Action::Open => {
            let to_inspector = action == Action::Open || state.focus == Focus::List;
            if to_inspector {
                if !state.show_inspector {
                    state.show_inspector = true;
                    state.relayout();
                }
                state.focus = Focus::Inspector;
            } else {
                state.focus = Focus::List;
            }
        }
        Action::ToggleGrid => safety::cycle_density(state, cmds),
        Action::ToggleInspector => {
            state.show_inspector = !state.show_inspector;
            if !state.show_inspector {
                state.focus = Focus::List;
            }
            state.relayout();
        }
        Action::Filters => {
            state.overlay = Some(Overlay::Filters(FilterPane {
                field: 0,
                edit: None,
                error: None,
            }));
            if !state.collections.loaded {
                cmds.push(Cmd::LoadCollections);
            }
        }
        Action::ClearFilters => {
            if state.filters.is_default() {
                state.info("no filter to clear");
            } else {
                safety::record_filters(state);
                requery(state, Filters::default());
                let key = state.keymap.label(Action::Undo);
                state.info(format!("filters cleared ({key} brings them back)"));
            }
        }
        Action::Refresh => refresh(state, cmds),
        Action::Search if state.caps.indexes && state.search.index.is_none() => {
            bulk::choose_index(state, true, cmds)
        }
        Action::Search => search::open(state),
        Action::ChooseIndex => bulk::choose_index(state, false, cmds),
        Action::SearchSimilar => search::similar(state, cmds),
        Action::MarkLike => search::mark(state, Some(Mark::Like), cmds),
        Action::MarkUnlike => search::mark(state, Some(Mark::Unlike), cmds),
        Action::ClearMark => search::mark(state, None, cmds),
        Action::ClearMarks => search::clear_marks(state, cmds),
        Action::TextRatioDown
        | Action::TextRatioUp
        | Action::ImageRatioDown
        | Action::ImageRatioUp => search::ratio(state, action, cmds),
        Action::RawJson => state.inspector.toggle_raw(),
        Action::JumpParent => jump(state, false, cmds),
        Action::JumpRoot => jump(state, true, cmds),
        Action::Back => back(state, cmds),
        Action::CopyId => {
            if let Some(a) = state.inspector.asset.clone() {
                copy(cmds, "asset id", a.id.clone());
            }
        }
        Action::CopyLink => {
            if let Some(a) = state.inspector.asset.clone() {
                // the listed link may be near its expiry: ask for a fresh one
                state.info("getting a fresh link…");
                cmds.push(Cmd::LoadAsset {
                    purpose: AssetPurpose::CopyLink,
                    id: a.id.clone(),
                });
            }
        }
        Action::CopyPrompt => {
            if let Some(a) = state.inspector.asset.clone() {
                match a.prompt.as_deref().filter(|p| !p.trim().is_empty()) {
                    Some(p) => copy(cmds, "prompt", p.to_string()),
                    None => state.info("this asset has no prompt"),
                }
            }
        }
        Action::ToggleSelect => bulk::toggle(state),
        Action::SelectRange => bulk::select_range(state),
        Action::SelectAll => bulk::select_all(state),
        Action::ClearSelection => bulk::clear(state),
        Action::Tag => tags::open(state, cmds),
        Action::AddToCollection => bulk::choose_collection(state, cmds),
        Action::Delete => bulk::ask_delete(state),
        Action::Upload => bulk::open_upload(state),
        Action::DownloadAs => downloads::choose_format(state),
        Action::OpenFile => downloads::open_file(state, cmds),
        Action::Download => downloads::download_current(state, cmds),
        Action::DownloadZip => downloads::download_zip(state, cmds),
        Action::Mirror => downloads::open_mirror(state),
        Action::Downloads => state.overlay = Some(Overlay::Downloads),
        Action::Help => {
            state.overlay = Some(Overlay::Help {
                scroll: 0,
                filter: Default::default(),
            })
        }
        Action::Messages => state.overlay = Some(Overlay::Messages { scroll: 0 }),
        Action::Palette => keys::open_palette(state),
        Action::Close => {
            let leave_search =
                state.search.active && state.focus == Focus::List && !state.inspector.detached;
            if leave_search {
                // back to the browsed list, where it was
                state.notice = None;
                search::leave(state);
            } else if state.notice.is_some() {
                state.notice = None;
            } else if state.inspector.detached {
                state.inspector.detached = false;
                state.inspector.trail.clear();
                state.inspector.asset = None;
                state.focus = Focus::List;
            } else {
                state.focus = Focus::List;
            }
        }
        Action::Quit => safety::quit(state),
        Action::Undo => {
            // the reverse of a tag edit shows at once, as the edit did
            for change in safety::undo(state, cmds) {
                for id in &change.ids {
                    tags::retag(state, id, &change.tag, change.add);
                }
            }
        }
        Action::Suspend => cmds.push(Cmd::Suspend),
        Action::Lineage => tree::open(state, cmds),
        Action::SelectBranch => state.info("B selects a branch in the family tree (L opens it)"),
    }
}

fn copy(cmds: &mut Vec<Cmd>, what: &'static str, text: String) {
    cmds.push(Cmd::Copy {
        what,
        text,
        route: None,
    });
}

/// A copy ended: confirm it, or fall back to OSC 52 when the system
/// clipboard failed and the config allows it.
fn on_copied(state: &mut State, c: crate::clipboard::Copied, cmds: &mut Vec<Cmd>) {
    use crate::clipboard::Route;
    match c.result {
        Ok(()) => {
            let via = match c.via {
                Route::Native => "clipboard",
                Route::Osc52 => "terminal clipboard (OSC 52)",
            };
            let cut = if c.cut { ", cut to 64 KiB" } else { "" };
            // the demo server lives in this process, on a port of its own:
            // said first, so 80 columns show it
            let what = if state.demo && c.what == "link" {
                "a demo link (it works only while assetui runs)".to_string()
            } else {
                format!("the {}", c.what)
            };
            state.info(format!("copied {what} to the {via}{cut}"));
        }
        Err(e) if c.via == Route::Native && c.fallback => {
            tracing::debug!(error = %e, "system clipboard failed; OSC 52 instead");
            cmds.push(Cmd::Copy {
                what: c.what,
                text: c.text,
                route: Some(Route::Osc52),
            });
        }
        Err(e) => state.error(format!("could not copy the {}: {e}", c.what)),
    }
}

/// `r`: retry what failed, or reload the list keeping the selection.
fn refresh(state: &mut State, cmds: &mut Vec<Cmd>) {
    if offline::retry(state, cmds) {
        return;
    }
    if search::retry_read(state, cmds) {
        state.notice = None;
        return;
    }
    state.notice = None;
    let mut retried = false;
    if let Loading::Failed(_) = state.list.loading {
        state.list.loading = Loading::Idle;
        retried = true;
        if state.search.active && state.search.applied.is_none() {
            // a local image that could not be read: read it again
            search::run(state, cmds);
        }
    }
    if let Detail::Failed(_) = state.inspector.detail {
        state.inspector.detail = Detail::Listed;
        cmds.push(Cmd::After(
            std::time::Duration::ZERO,
            Box::new(Msg::Rested {
                generation: state.inspector.generation,
            }),
        ));
        retried = true;
    }
    if !state.collections.loaded {
        cmds.push(Cmd::LoadCollections);
    }
    // failed images get another chance
    state.images.forget_failures();
    state.refreshed.clear();
    if !retried {
        state.reselect = state.list.current().map(|e| e.asset.id.clone());
        if state.search.active {
            // the same search again; the browsed list stays aside as it is
            state.list.restart();
            state.info("searching again…");
            state.reloading = Some((state.list.generation, "searching again…"));
        } else {
            let filters = state.filters.clone();
            requery(state, filters);
            state.info("reloading…");
            state.reloading = Some((state.list.generation, "reloading…"));
        }
    }
}

fn on_mouse(state: &mut State, m: MouseEvent) {
    if state.overlay.is_some() || state.lineage.pane.is_some() {
        return;
    }
    let g = state.geometry;
    let in_inspector = g
        .inspector
        .map(|r| {
            m.column >= r.x && m.column < r.x + r.width && m.row >= r.y && m.row < r.y + r.height
        })
        .unwrap_or(false);
    match m.kind {
        MouseEventKind::Down(_) => {
            if in_inspector {
                state.focus = Focus::Inspector;
            } else if let Some(i) = g.item_at(m.column, m.row, state.list.offset) {
                if i < state.list.entries.len() {
                    state.focus = Focus::List;
                    jump_cursor(state, i);
                }
            }
        }
        MouseEventKind::ScrollDown if in_inspector => scroll_inspector(state, 3),
        MouseEventKind::ScrollUp if in_inspector => scroll_inspector(state, -3),
        MouseEventKind::ScrollDown => move_cursor(state, g.per_line() as isize),
        MouseEventKind::ScrollUp => move_cursor(state, -(g.per_line() as isize)),
        _ => {}
    }
}

// ---- overlays ----

fn on_overlay_key(state: &mut State, key: KeyEvent, cmds: &mut Vec<Cmd>) {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        state.quit = true;
        return;
    }
    match state.overlay.take() {
        Some(Overlay::Help { scroll, filter }) => keys::help_key(state, scroll, filter, &key),
        Some(Overlay::Messages { scroll }) => keys::messages_key(state, scroll, &key),
        Some(Overlay::Palette(mut p)) => keys::palette_key(state, &mut p, &key, cmds),
        Some(Overlay::Downloads) if downloads::on_pane_key(state, &key, cmds) => {
            state.overlay = Some(Overlay::Downloads);
        }
        Some(Overlay::Downloads) => {}
        Some(Overlay::Tags(mut editor)) => {
            let keep = tags::key(state, &mut editor, key, cmds);
            if keep {
                state.overlay = Some(Overlay::Tags(editor));
            }
        }
        Some(Overlay::Confirm(c)) => bulk::confirm_key(state, c, &key, cmds),
        Some(Overlay::Choose(mut c)) => {
            let keep = bulk::choice_key(state, &mut c, &key, cmds);
            if keep {
                state.overlay = Some(Overlay::Choose(c));
            }
        }
        Some(Overlay::Upload(mut p)) => {
            let keep = bulk::upload_key(&mut p, state, &key, cmds);
            if keep {
                state.overlay = Some(Overlay::Upload(p));
            }
        }
        Some(Overlay::Mirror(mut p)) => {
            let keep = downloads::mirror_key(&mut p, state, &key, cmds);
            if keep {
                state.overlay = Some(Overlay::Mirror(p));
            }
        }
        Some(Overlay::Ask(a)) => match safety::ask_key(state, a, &key) {
            Some(crate::app::safety::Yes::Download(ids)) => {
                downloads::queue(state, ids, None, cmds)
            }
            Some(crate::app::safety::Yes::Zip(ids)) => downloads::queue_zip(state, ids, cmds),
            _ => {}
        },
        Some(Overlay::Filters(mut pane)) => {
            let keep = filters::filter_key(state, &mut pane, key, cmds);
            if keep {
                state.overlay = Some(Overlay::Filters(pane));
            }
        }
        None => {}
    }
}

mod bulk;
mod downloads;
mod filters;
mod keys;
mod offline;
mod safety;
mod search;
mod tags;
mod tree;

#[cfg(test)]
mod tests;
