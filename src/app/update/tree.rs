//! The family tree pane's keys and answers (`app/tree.rs` holds its
//! state). Moving in the tree shows the node in the inspector (detached
//! from the list, so the list's cursor stays where it was for `Esc`).

use std::sync::Arc;

use super::super::action::Action;
use super::super::msg::{Cmd, Msg};
use super::super::state::{Focus, State, REST};
use super::super::tree::{TreeCmd, TreeMsg};
use crate::provider::AssetView;

/// `L`: the family of the asset in the inspector.
pub(super) fn open(state: &mut State, cmds: &mut Vec<Cmd>) {
    let Some(asset) = state.inspector.asset.clone() else {
        state.info("no asset here");
        return;
    };
    let generation = state.lineage.open(asset.clone());
    state.focus = Focus::List;
    state.info(format!(
        "family of {}…",
        crate::sanitize::line(asset.display_name(), 60)
    ));
    cmds.push(Cmd::Tree {
        generation,
        cmd: TreeCmd::Open(Box::new((*asset).clone())),
    });
}

/// Leaves the pane: the list as it was, its asset back in the inspector.
fn close(state: &mut State) {
    state.lineage.pane = None;
    state.inspector.detached = false;
    state.inspector.trail.clear();
    // settle() shows the list's current asset again
    state.inspector.asset = None;
    state.focus = Focus::List;
}

/// Shows the node under the cursor in the inspector.
fn follow(state: &mut State, cmds: &mut Vec<Cmd>) {
    let Some(asset) = state.lineage.pane.as_ref().and_then(|p| p.current()) else {
        return;
    };
    let same = state
        .inspector
        .asset
        .as_ref()
        .is_some_and(|a| a.id == asset.id);
    state.inspector.detached = true;
    if !same {
        let generation = state.inspector.show(asset, &state.collections.names);
        cmds.push(Cmd::After(REST, Box::new(Msg::Rested { generation })));
    }
}

fn ask_children(state: &State, ids: Vec<String>, cmds: &mut Vec<Cmd>) {
    let Some(p) = &state.lineage.pane else { return };
    if !ids.is_empty() {
        cmds.push(Cmd::Tree {
            generation: p.generation,
            cmd: TreeCmd::Children(ids),
        });
    }
}

/// A key while the pane is open: `true` when the pane took it.
pub(super) fn key(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) -> bool {
    if state.lineage.pane.is_none() {
        return false;
    }
    let in_inspector = state.focus == Focus::Inspector && state.geometry.inspector.is_some();
    let page = lines(state) as isize;
    let Some(pane) = state.lineage.pane.as_mut() else {
        return false;
    };
    let moves = match action {
        _ if in_inspector && action != Action::Close => return false,
        Action::Down => Some(1),
        Action::Up => Some(-1),
        Action::PageDown => Some(page),
        Action::PageUp => Some(-page),
        Action::HalfPageDown => Some((page / 2).max(1)),
        Action::HalfPageUp => Some(-(page / 2).max(1)),
        Action::Top => Some(isize::MIN / 2),
        Action::Bottom => Some(isize::MAX / 2),
        _ => None,
    };
    if let Some(delta) = moves {
        pane.move_by(delta);
        follow(state, cmds);
        return true;
    }
    match action {
        Action::Open | Action::Right => {
            let ids = if action == Action::Open {
                pane.toggle()
            } else {
                pane.expand()
            };
            ask_children(state, ids, cmds);
        }
        Action::Left => {
            pane.collapse();
            follow(state, cmds);
        }
        Action::ToggleSelect => {
            if let Some(a) = pane.current() {
                pane.move_by(1);
                state.selection.toggle(a);
                follow(state, cmds);
            }
        }
        Action::SelectBranch => select_branch(state, cmds),
        Action::Close => {
            if in_inspector {
                state.focus = Focus::List;
            } else {
                close(state);
            }
        }
        Action::Lineage => state.info("this is the family tree (Esc goes back to the list)"),
        // what only the list does
        Action::SelectRange | Action::SelectAll | Action::ToggleGrid | Action::Back => {
            state.info("not in the family tree (Esc goes back to the list)")
        }
        _ => return false,
    }
    true
}

/// Lines one page of the pane holds.
fn lines(state: &State) -> usize {
    super::super::tree::lines(&state.geometry)
}

/// `B`: selects the node's whole branch; what is not read yet is read
/// first (bounded: `lineage::load::MAX_BRANCH_REQUESTS`).
fn select_branch(state: &mut State, cmds: &mut Vec<Cmd>) {
    let Some(pane) = state.lineage.pane.as_mut() else {
        return;
    };
    let Some(node) = pane.rows.get(pane.cursor).map(|r| r.id.clone()) else {
        return;
    };
    let Some(tree) = &pane.tree else { return };
    let unknown = tree.unknown_in(&node);
    if unknown.is_empty() {
        finish_branch(state, &node, None);
        return;
    }
    let known = tree.known_ids();
    pane.branch = Some(node.clone());
    let generation = pane.generation;
    state.info(format!(
        "reading the branch ({} nodes not read yet)…",
        unknown.len()
    ));
    cmds.push(Cmd::Tree {
        generation,
        cmd: TreeCmd::Branch {
            node,
            frontier: unknown,
            known,
        },
    });
}

/// Selects every node of `node`'s branch that is read.
fn finish_branch(state: &mut State, node: &str, stopped: Option<String>) {
    let Some(pane) = state.lineage.pane.as_mut() else {
        return;
    };
    pane.branch = None;
    let Some(tree) = &pane.tree else { return };
    let assets: Vec<Arc<AssetView>> = tree
        .branch(node)
        .iter()
        .filter_map(|id| tree.get(id).map(|n| n.asset.clone()))
        .collect();
    // the branch is open, so what was selected shows
    for id in tree.branch(node) {
        pane.expanded.insert(id);
    }
    pane.relayout();
    let n = assets.len();
    for a in assets {
        state.selection.insert(a);
    }
    let total = state.selection.len();
    let text = format!(
        "selected the branch: {} ({} selected in all)",
        crate::app::inspector::plural(n, "asset", "assets"),
        total
    );
    match stopped {
        Some(why) => state.error(format!("{text}; {why}")),
        None => state.info(text),
    }
}

/// An answer of the workers for the pane of `generation`.
pub(super) fn on_msg(state: &mut State, generation: u64, msg: TreeMsg, cmds: &mut Vec<Cmd>) {
    let Some(pane) = state.lineage.pane_for(generation) else {
        return; // a pane that was closed or replaced
    };
    match msg {
        TreeMsg::Root(chain) => {
            pane.rooted(*chain);
            follow(state, cmds);
        }
        TreeMsg::Listed(items) => pane.listed(items),
        TreeMsg::ListingDone(walked) => {
            pane.listing_done(walked);
            let problems = pane.problems();
            let n = pane.tree.as_ref().map_or(0, |t| t.len());
            match problems.first() {
                Some(first) => state.error(format!(
                    "family of {}: {}{}",
                    crate::app::inspector::plural(n, "asset", "assets"),
                    first,
                    if problems.len() > 1 {
                        format!(" (and {} more)", problems.len() - 1)
                    } else {
                        String::new()
                    }
                )),
                None => state.info(format!(
                    "family of {}",
                    crate::app::inspector::plural(n, "asset", "assets")
                )),
            }
        }
        TreeMsg::Children(answers) => pane.children(answers),
        TreeMsg::BranchDone { node, stopped } => finish_branch(state, &node, stopped),
        TreeMsg::Failed(e) => {
            pane.listing = false;
            pane.error = Some(crate::sanitize::line(&e, 300));
            state.error(format!("family tree: {e}"));
        }
    }
}

/// Keeps the cursor's row on screen.
pub(super) fn settle(state: &mut State) {
    let lines = lines(state);
    let drawn = super::super::tree::lines_drawn(&state.geometry);
    if let Some(p) = state.lineage.pane.as_mut() {
        p.scroll_into_view(lines, drawn);
    }
}

/// The assets on the pane's screen (for thumbnails), or `None` when the
/// pane is closed.
pub(super) fn visible(state: &State, ahead: usize) -> Option<Vec<Arc<AssetView>>> {
    let p = state.lineage.pane.as_ref()?;
    let tree = p.tree.as_ref();
    Some(
        p.rows
            .iter()
            .skip(p.offset)
            .take(ahead)
            .filter_map(|r| tree?.get(&r.id).map(|n| n.asset.clone()))
            .collect(),
    )
}
