//! `update()` for the search box and its results (state in `search.rs`).
//!
//! Typing bumps `search.typed` and arms `Cmd::After(DEBOUNCE, SearchDue)`;
//! only the `SearchDue` of the last edit searches. A search is a new list
//! generation, so a page answering an older one is dropped. The browsed
//! list is set aside whole on the first search and put back by `Esc`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::action::Action;
use crate::app::input::InputKey;
use crate::app::list::{AssetList, Loading};
use crate::app::msg::{Cmd, ImageReadError, Msg};
use crate::app::search::{
    apply_completions, browse_request, classify, completes, step, Applied, ImageRef, Input, Mark,
    DEBOUNCE,
};
use crate::app::state::{Focus, State};
use crate::provider::Page;
use crate::sanitize;

/// Where the list's next page comes from.
pub(super) enum Source {
    List,
    /// Search results, or the list browsed through search (`None`).
    Search(Option<Applied>),
    /// A local image is being read: nothing to ask yet.
    Waiting,
}

pub(super) fn source(state: &State) -> Source {
    if state.search.active {
        if state.search.resolving.is_some() {
            return Source::Waiting;
        }
        match &state.search.applied {
            Some(a) => Source::Search(Some(a.clone())),
            None => Source::Waiting,
        }
    } else if browse_request(&state.filters).is_some() {
        Source::Search(None)
    } else {
        Source::List
    }
}

/// An edit: the search runs once the typing pauses.
fn edited(state: &mut State, cmds: &mut Vec<Cmd>) {
    let s = &mut state.search;
    s.typed += 1;
    s.pending = true;
    cmds.push(Cmd::After(
        DEBOUNCE,
        Box::new(Msg::SearchDue { typed: s.typed }),
    ));
}

/// `/`: opens the box (on the current search, if any).
pub(super) fn open(state: &mut State) {
    let s = &mut state.search;
    s.open = true;
    s.completions.clear();
    if !s.active {
        s.input.clear();
        s.similar = None;
        s.marks.clear();
    }
    state.focus = Focus::List;
}

/// A key while the box is open.
pub(super) fn box_key(state: &mut State, key: KeyEvent, cmds: &mut Vec<Cmd>) {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        state.quit = true;
        return;
    }
    match state.keymap.action_for(&key) {
        Some(
            a @ (Action::TextRatioDown
            | Action::TextRatioUp
            | Action::ImageRatioDown
            | Action::ImageRatioUp),
        ) => {
            ratio(state, a, cmds);
            return;
        }
        Some(Action::Suspend) => {
            cmds.push(Cmd::Suspend);
            return;
        }
        _ => {}
    }
    let per_line = state.geometry.per_line() as isize;
    let s = &mut state.search;
    let before = s.input.clone();
    let had_similar = s.similar.is_some();
    match key.code {
        KeyCode::Esc => {
            leave(state);
            return;
        }
        KeyCode::Enter => {
            s.open = false;
            s.completions.clear();
            // a path the box hinted about is read again: now it is meant
            if s.pending || unread_after_failure(s) {
                run(state, cmds);
            }
            state.focus = Focus::List;
            return;
        }
        KeyCode::Tab => {
            if completes(&s.input) {
                cmds.push(Cmd::CompletePath {
                    input: s.input.to_string(),
                });
            }
            return;
        }
        KeyCode::Up => {
            super::move_cursor(state, -per_line);
            return;
        }
        KeyCode::Down => {
            super::move_cursor(state, per_line);
            return;
        }
        KeyCode::Backspace if s.input.is_empty() => {
            // on an empty box: drop the image the results look like
            s.similar = None;
        }
        _ => {
            if s.input.key(&key) == InputKey::NotMine {
                return;
            }
        }
    }
    if s.input != before || had_similar != s.similar.is_some() {
        s.completions.clear();
        s.keep_place = false;
        edited(state, cmds);
    }
}

/// The debounce of edit `typed` ran out.
pub(super) fn due(state: &mut State, typed: u64, cmds: &mut Vec<Cmd>) {
    if typed == state.search.typed && state.search.pending {
        run(state, cmds);
    }
}

/// Searches for what the box and the marks say now.
pub(super) fn run(state: &mut State, cmds: &mut Vec<Cmd>) {
    let s = &mut state.search;
    s.pending = false;
    let input = s.input.clone();
    let similar = s
        .similar
        .clone()
        .map(|(id, name)| ImageRef::Asset { id, name });
    if let Input::Text(t) = classify(&input) {
        if similar.is_none() && crate::app::search::looks_like_id(state.caps.provider, t) {
            let id = t.to_string();
            lookup(state, id, cmds);
            return;
        }
    }
    let s = &mut state.search;
    let (query, image) = match classify(&input) {
        Input::Empty => (None, similar),
        Input::Text(t) => (Some(t.to_string()), similar),
        Input::Path {
            path,
            explicit,
            words,
        } => match &s.file {
            Some((p, url)) if p == path => (
                (!words.is_empty()).then(|| words.to_string()),
                Some(ImageRef::File {
                    path: sanitize::line(&crate::app::search::unquote(path), 200),
                    data_url: url.clone(),
                }),
            ),
            _ if !explicit && s.not_a_file.as_deref() == Some(path) => {
                (Some(input.trim().to_string()), similar)
            }
            _ => {
                // read and scale it off the UI task, then search; the
                // results on screen stay until it is read (a path half
                // typed names no file yet)
                if s.resolving.as_deref() != Some(path) {
                    s.resolving = Some(path.to_string());
                    cmds.push(Cmd::ReadImage {
                        path: path.to_string(),
                        explicit,
                    });
                }
                return;
            }
        },
    };
    s.resolving = None;
    let like: Vec<String> = marked(s, Mark::Like);
    let unlike: Vec<String> = marked(s, Mark::Unlike);
    if query.is_none() && image.is_none() && like.is_empty() && unlike.is_empty() {
        // nothing left to search for: the browsed list comes back
        restore(state);
        return;
    }
    s.applied = Some(Applied {
        query,
        image,
        like,
        unlike,
        query_ratio: s.query_ratio,
        image_ratio: s.image_ratio,
    });
    let keep = s.keep_place;
    enter(state, keep);
}

fn marked(s: &crate::app::search::Search, which: Mark) -> Vec<String> {
    s.marks
        .iter()
        .filter(|(_, m)| **m == which)
        .map(|(id, _)| id.clone())
        .collect()
}

/// Results replace the list: the browsed list goes aside the first time,
/// later searches restart the results list (its rows stay until the new
/// first page arrives).
fn enter(state: &mut State, keep_place: bool) {
    let current = state.list.current().map(|e| e.asset.id.clone());
    if !state.search.active {
        let generation = state.list.generation + 1;
        let browsed = std::mem::take(&mut state.list);
        state.list.generation = generation;
        state.search.browsed = Some(Box::new(browsed));
        state.search.active = true;
        state.reselect = None;
    } else {
        state.list.restart();
        state.reselect = if keep_place { current } else { None };
    }
    state.search.keep_place = false;
    state.inspector.detached = false;
    state.inspector.trail.clear();
}

/// Results give way to the browsed list, at the row it was on (or, when
/// the filters changed meanwhile, reloaded and back on that asset).
fn restore(state: &mut State) {
    let s = &mut state.search;
    if !s.active {
        return;
    }
    s.active = false;
    s.applied = None;
    s.resolving = None;
    let browsed = s.browsed.take();
    let at = s.browsed_at.take();
    let generation = state.list.generation + 1;
    match browsed {
        Some(mut list) => {
            // its page in flight (if any) was for an older generation
            list.generation = generation;
            if list.loading == Loading::Fetching {
                list.loading = Loading::Idle;
            }
            state.list = *list;
            state.reselect = None;
        }
        None => {
            state.list = AssetList {
                generation,
                ..AssetList::default()
            };
            state.reselect = at;
        }
    }
    state.inspector.detached = false;
    state.inspector.trail.clear();
}

/// `Esc`: out of search, back to browsing where it was.
pub(super) fn leave(state: &mut State) {
    let s = &mut state.search;
    s.open = false;
    s.input.clear();
    s.similar = None;
    s.marks.clear();
    s.completions.clear();
    s.pending = false;
    s.keep_place = false;
    // a debounce still running finds nothing to do
    s.typed += 1;
    restore(state);
    state.focus = Focus::List;
}

/// The filters changed while results show: the search runs again with
/// them, and the browsed list is void (it reloads on the way back).
pub(super) fn filters_changed(state: &mut State) {
    let s = &mut state.search;
    if let Some(b) = s.browsed.take() {
        s.browsed_at = b.current().map(|e| e.asset.id.clone());
    }
    state.list.restart();
}

/// `s`: assets like the selected one.
pub(super) fn similar(state: &mut State, cmds: &mut Vec<Cmd>) {
    let asset = state
        .inspector
        .asset
        .clone()
        .or_else(|| state.list.current().map(|e| e.asset.clone()));
    let Some(a) = asset else {
        state.info("no asset selected");
        return;
    };
    if let Some(why) = not_an_image(&a) {
        state.info(why);
        return;
    }
    let s = &mut state.search;
    s.similar = Some((a.id.clone(), sanitize::line(a.display_name(), 80)));
    s.input.clear();
    s.marks.clear();
    s.completions.clear();
    s.keep_place = false;
    s.typed += 1;
    run(state, cmds);
    state.focus = Focus::List;
}

/// `+`, `-` (a mark) and `=` (`None`: clear it) on the selected result.
pub(super) fn mark(state: &mut State, mark: Option<Mark>, cmds: &mut Vec<Cmd>) {
    if !state.search.active {
        state.info(format!(
            "marks are for search results: {} or {} first",
            state.keymap.label(Action::Search),
            state.keymap.label(Action::SearchSimilar)
        ));
        return;
    }
    let Some(id) = state.list.current().map(|e| e.asset.id.clone()) else {
        return;
    };
    if mark.is_some() && state.search.is_reference(&id) {
        state.info("this is the image the results look like");
        return;
    }
    if mark.is_some() {
        let why = state.list.current().and_then(|e| not_an_image(&e.asset));
        if let Some(why) = why {
            state.info(why);
            return;
        }
    }
    let marks = &mut state.search.marks;
    let changed = match mark {
        Some(m) => marks.insert(id, m) != Some(m),
        None => marks.remove(&id).is_some(),
    };
    if changed {
        state.search.keep_place = true;
        edited(state, cmds);
    }
}

/// `_`: every mark goes.
pub(super) fn clear_marks(state: &mut State, cmds: &mut Vec<Cmd>) {
    if state.search.marks.is_empty() {
        state.info("no mark to clear");
        return;
    }
    state.search.marks.clear();
    state.search.keep_place = true;
    edited(state, cmds);
}

/// Searches again for what is applied (the index changed).
pub(super) fn rerun(state: &mut State, cmds: &mut Vec<Cmd>) {
    edited(state, cmds);
}

/// The ratio keys: a step of 0.1, searched after the debounce.
pub(super) fn ratio(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let s = &mut state.search;
    if !s.active && !s.open {
        state.info(format!(
            "the ratios are for searches: {} opens the search box",
            state.keymap.label(Action::Search)
        ));
        return;
    }
    match action {
        Action::TextRatioDown => s.query_ratio = step(s.query_ratio, false),
        Action::TextRatioUp => s.query_ratio = step(s.query_ratio, true),
        Action::ImageRatioDown => s.image_ratio = step(s.image_ratio, false),
        Action::ImageRatioUp => s.image_ratio = step(s.image_ratio, true),
        _ => return,
    }
    s.keep_place = true;
    edited(state, cmds);
}

/// A page of results (or of the list browsed through search).
pub(super) fn on_page(state: &mut State, generation: u64, result: Result<Page, String>) {
    if generation != state.list.generation {
        return; // a search that was typed over
    }
    match result {
        Ok(page) => {
            let first = state.list.pages == 0;
            state.list.append(page.items, page.next);
            if page.total.is_some() {
                state.list.total = page.total;
            }
            state.page_arrived(generation);
            // results: an error or hint the search said before is stale
            // now (the log keeps it)
            if let Some(said) = state.search.shown_error.take() {
                if state.notice.as_ref().is_some_and(|n| n.text == said) {
                    state.notice = None;
                }
            }
            if first {
                if let Some(id) = state.reselect.take() {
                    if let Some(i) = state.list.position_of(&id) {
                        state.list.select(i);
                    }
                }
            }
        }
        Err(e) => {
            let what = if state.search.active {
                "search"
            } else {
                "list"
            };
            let key = state.keymap.label(Action::Refresh);
            state.error(format!("{what} failed: {e} ({key} to retry)"));
            state.search.shown_error = state.notice.as_ref().map(|n| n.text.clone());
            state.list.fail(sanitize::line(&e, 300));
        }
    }
}

/// `r` after a local image could not be read: read it again (it may
/// have been fixed meanwhile). False when there is no such image.
pub(super) fn retry_read(state: &mut State, cmds: &mut Vec<Cmd>) -> bool {
    if !unread_after_failure(&state.search) {
        return false;
    }
    run(state, cmds);
    true
}

/// The box names a local image whose last read failed (or was hinted
/// about) and nothing has read it since.
fn unread_after_failure(s: &crate::app::search::Search) -> bool {
    let failed = s.shown_error.is_some() && s.resolving.is_none();
    let unread = match classify(&s.input) {
        Input::Path { path, .. } => s.file.as_ref().is_none_or(|(p, _)| p != path),
        _ => false,
    };
    failed && unread
}

/// A local image was read (or not).
pub(super) fn on_image(
    state: &mut State,
    path: String,
    result: Result<std::sync::Arc<str>, ImageReadError>,
    cmds: &mut Vec<Cmd>,
) {
    if state.search.resolving.as_deref() != Some(path.as_str()) {
        return; // the box says something else now
    }
    state.search.resolving = None;
    match result {
        Ok(url) => {
            state.search.file = Some((path, url));
            run(state, cmds);
        }
        Err(ImageReadError::NotAFile) => {
            state.search.not_a_file = Some(path);
            run(state, cmds);
        }
        Err(e) => {
            // said, and the results on screen kept: typing on may name
            // a file yet, so while the box is open a path that names no
            // file (yet) or a directory is a hint, not an error
            // the path as the file system names it, without its quotes
            let shown = sanitize::line(&crate::app::search::unquote(&path), 120);
            let typing = state.search.open;
            let (error, text) = match e {
                ImageReadError::Missing if typing => {
                    (false, format!("{shown}: no such file yet (Tab completes)"))
                }
                ImageReadError::Directory if typing => (
                    false,
                    format!("{shown} is a directory: type a file name in it (Tab completes)"),
                ),
                ImageReadError::Missing | ImageReadError::NotAFile => {
                    // `@~/my photo.png` reads `~/my` then the words
                    let spaced = matches!(classify(&state.search.input),
                        Input::Path { words, .. } if !words.is_empty());
                    let hint = if spaced {
                        " (a path with spaces goes in quotes: @'…')"
                    } else {
                        ""
                    };
                    (true, format!("cannot use {shown}: no such file{hint}"))
                }
                ImageReadError::Directory => (
                    true,
                    format!("cannot use {shown}: it is a directory, not an image file"),
                ),
                ImageReadError::Failed(why) => (true, format!("cannot use {shown}: {why}")),
            };
            if error {
                state.error(text);
            } else {
                state.info(text);
            }
            state.search.shown_error = state.notice.as_ref().map(|n| n.text.clone());
        }
    }
}

/// File names for Tab: one completes the input, several extend it to
/// what they share and show under the box.
pub(super) fn on_completions(
    state: &mut State,
    input: String,
    candidates: Vec<String>,
    cmds: &mut Vec<Cmd>,
) {
    let s = &mut state.search;
    if !s.open || input != *s.input {
        return;
    }
    let before = s.input.clone();
    match apply_completions(&mut s.input, candidates) {
        None => {
            s.completions.clear();
            state.info("no file name completes this");
        }
        Some(shown) => {
            s.completions = shown;
            if s.input != before {
                edited(state, cmds);
            }
        }
    }
}

/// An asset id typed or pasted in `/`: back to the browsed list, on that
/// asset when it is loaded; else it is fetched and shown in the inspector
/// (the jump's path: `Backspace` back).
fn lookup(state: &mut State, id: String, cmds: &mut Vec<Cmd>) {
    leave(state);
    if let Some(i) = state.list.position_of(&id) {
        state.list.select(i);
        state.info(format!("{}: found in the list", sanitize::line(&id, 60)));
        return;
    }
    // the inspector shows the list's row first, so the answer finds the
    // generation it was asked for
    if let Some(asset) = state.list.current().map(|e| e.asset.clone()) {
        if state.inspector.asset.as_ref().map(|a| &a.id) != Some(&asset.id) {
            let generation = state.inspector.show(asset, &state.collections.names);
            cmds.push(Cmd::After(
                crate::app::state::REST,
                Box::new(Msg::Rested { generation }),
            ));
        }
    }
    state.info(format!(
        "{} is not loaded: fetching it…",
        sanitize::line(&id, 60)
    ));
    cmds.push(Cmd::LoadAsset {
        purpose: crate::app::msg::AssetPurpose::Jump(state.inspector.generation),
        id,
    });
}

/// Similarity search compares images (the API takes an image, `image` or
/// `images.like/unlike`, as the reference): an audio, video, 3D or text
/// asset is refused with why, instead of searching with its placeholder
/// thumbnail.
fn not_an_image(a: &crate::provider::AssetView) -> Option<String> {
    use crate::provider::MediaKind;
    match a.media {
        MediaKind::Image | MediaKind::Other => None,
        kind => Some(format!(
            "similarity search is for images: {} is {} {} asset",
            sanitize::line(a.display_name(), 40),
            if kind == MediaKind::Audio { "an" } else { "a" },
            kind.as_str()
        )),
    }
}
