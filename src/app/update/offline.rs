//! The offline-first start: the index's rows before the first frame,
//! the refresh that replaces them without moving the cursor, the
//! `offline` state and what it refuses.

use super::super::library::{edit_word, Library, Link};
use super::super::list::Loading;
use super::super::msg::Cmd;
use super::super::state::State;
use super::Action;
use crate::provider::{AssetView, Page};
use crate::sanitize;

/// Shows the index's first page (before the first frame): the list is
/// cached until a refresh replaces it. Nothing happens for an empty page
/// or when rows are already there.
pub fn show_cached(state: &mut State, page: Page) {
    if page.items.is_empty() || !state.list.entries.is_empty() || state.list.pages > 0 {
        return;
    }
    state.list.append(page.items, page.next);
    state.library.link = Link::Cached;
}

/// The first commands of a cached start: the refresh.
pub fn init(state: &mut State, cmds: &mut Vec<Cmd>) {
    if state.library.link == Link::Cached {
        start_refresh(state, cmds);
    }
}

fn start_refresh(state: &mut State, cmds: &mut Vec<Cmd>) {
    let generation = state.library.start_refresh();
    cmds.push(Cmd::Refresh {
        generation,
        next: None,
    });
}

/// `r` while the rows are the index's: try the service again, keeping
/// them. False when `r` should do what it does online.
pub fn retry(state: &mut State, cmds: &mut Vec<Cmd>) -> bool {
    // offline, any listing asks the service again through a refresh;
    // cached and online, only the cached listing is refreshed
    let cached_listing = refreshable(state) || state.library.offline();
    if state.library.link == Link::Live || !cached_listing {
        return false;
    }
    if state.library.refresh.is_some() {
        state.info("already asking the service…");
    } else {
        state.info("asking the service again…");
        start_refresh(state, cmds);
    }
    true
}

/// Whether the list's pages come from the index: the cached rows page
/// on from it, and offline every listing (filters included) is read
/// there.
pub fn local_list(state: &State) -> bool {
    let library = &state.library;
    library.indexed
        && (library.offline() || (library.link == Link::Cached && state.filters.is_default()))
}

/// Whether the rows on screen are the listing the refresh replaces: the
/// default listing, not a search.
fn refreshable(state: &State) -> bool {
    state.filters.is_default() && !state.search.active
}

pub fn on_refreshed(
    state: &mut State,
    generation: u64,
    result: Result<Page, String>,
    cmds: &mut Vec<Cmd>,
) {
    let current = state
        .library
        .refresh
        .as_ref()
        .is_some_and(|r| r.generation == generation);
    if !current {
        return;
    }
    let page = match result {
        Ok(page) => page,
        Err(e) => {
            state.library.refresh = None;
            if !state.library.offline() {
                let key = state.keymap.label(Action::Refresh);
                state.error(format!(
                    "refreshing the cached listing: {e} ({key} to retry)"
                ));
            }
            return;
        }
    };
    if !refreshable(state) {
        // filters or a search replaced the cached listing meanwhile
        state.library.refresh = None;
        if state.library.offline() {
            // the index answered them: the service asks them again
            state.library.link = Link::Live;
            reload(state);
            state.info("back online: the listing is the service's again");
        } else if state.library.link == Link::Cached {
            state.library.link = Link::Live;
        }
        return;
    }
    let was_offline = state.library.offline();
    let Some(refresh) = state.library.refresh.as_mut() else {
        return;
    };
    refresh.items.extend(page.items);
    refresh.pages += 1;
    let keep = state.list.current().map(|e| e.asset.id.clone());
    let want = state.list.cursor + 2 * state.geometry.visible_items().max(1);
    if !Library::ready(refresh, keep.as_deref(), want, page.next.is_none()) {
        cmds.push(Cmd::Refresh {
            generation,
            next: page.next,
        });
        return;
    }
    let Some(refresh) = state.library.refresh.take() else {
        return;
    };
    state
        .list
        .replace_all(refresh.items, page.next, refresh.pages);
    state.library.link = Link::Live;
    // the inspector shows the fresh copy of the same asset
    if let Some(shown) = state.inspector.asset.clone() {
        if let Some(i) = state.list.position_of(&shown.id) {
            let fresh = state.list.entries[i].asset.clone();
            let detail = state.inspector.detail.clone();
            state.inspector.refresh(fresh, &state.collections.names);
            state.inspector.detail = detail;
        }
    }
    if was_offline {
        state.info("back online: the listing is the service's again");
    }
}

pub fn on_changes(state: &mut State, generation: u64, items: Vec<AssetView>) {
    let current = state
        .library
        .refresh
        .as_ref()
        .is_some_and(|r| r.generation == generation);
    if !current || !refreshable(state) || items.is_empty() {
        return;
    }
    let n = state.list.merge(items);
    if n > 0 {
        state.info(format!(
            "{} since the last run",
            crate::provider::plural(n, "asset new or changed", "assets new or changed")
        ));
    }
}

pub fn on_offline(state: &mut State, why: String) {
    use super::super::inspector::Detail;
    let first = !state.library.offline();
    state.library.link = Link::Offline(sanitize::line(&why, 300));
    // details asked before the service was known gone: the copy shown is
    // the whole object the index kept
    if matches!(state.inspector.detail, Detail::Loading | Detail::Failed(_)) {
        state.inspector.detail = Detail::Listed;
    }
    if first && state.library.indexed && state.list.entries.is_empty() {
        if let Loading::Fetching = state.list.loading {
            // the first page asked of the service will fail: the index answers it
            reload(state);
        }
    }
    if first {
        let key = state.keymap.label(Action::Refresh);
        let what = if state.library.indexed {
            "browsing, inspecting and searching what is cached"
        } else {
            "nothing is cached for this library"
        };
        state.warn(format!(
            "offline: {}; {what} ({key} tries again)",
            sanitize::line(&why, 200)
        ));
    }
}

/// Asks the listing on screen again from where its pages now come
/// from (the index offline, the service once back), the cursor's asset
/// selected again when it is there.
fn reload(state: &mut State) {
    state.reselect = state.list.current().map(|e| e.asset.id.clone());
    if state.search.active {
        super::search::filters_changed(state);
    } else {
        state.list.restart();
    }
}

/// Refuses an action that needs the service while offline, in one line.
/// True when refused.
pub fn refuse(state: &mut State, action: Action) -> bool {
    if !state.library.offline() {
        return false;
    }
    let Some(what) = edit_word(action) else {
        return false;
    };
    let key = state.keymap.label(Action::Refresh);
    state.warn(format!(
        "offline: {what} needs the service; nothing was sent ({key} tries to reconnect)"
    ));
    true
}
