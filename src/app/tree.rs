//! The family tree pane (`L`): an asset's lineage in place of the list.
//! It holds a [`Tree`] (what has been read), which nodes are open, the
//! cursor over the visible rows, and what is on its way. Pure: it answers
//! with the ids whose children must be read; `update/tree.rs` turns that
//! into commands.

use std::collections::HashSet;
use std::sync::Arc;

use crate::lineage::load::{Chain, Children, Walked};
use crate::lineage::{Problem, Row, Tree};
use crate::provider::AssetView;

/// A family this small opens fully once it is read.
pub const OPEN_ALL_UP_TO: usize = 100;

/// Rows the pane shows whole at once (it takes the list's place, with the
/// list's row height whether or not the grid is on).
pub fn lines(g: &crate::app::layout::Geometry) -> usize {
    (g.list_inner.height / g.row_height.max(1)).max(1) as usize
}

/// Lines of a three-line row that carry text: the name, then the type.
const TEXT_LINES: u16 = 2;

/// Rows the pane draws: the whole ones, and below them one cut short
/// that still shows its name and type (at 80×24, three whole rows of
/// three lines and one of two). With the view at the top, a cursor on
/// that last row counts as shown, so the root stays in view.
pub fn lines_drawn(g: &crate::app::layout::Geometry) -> usize {
    let h = g.row_height.max(1);
    let cut = h > TEXT_LINES && g.list_inner.height % h >= TEXT_LINES;
    lines(g) + usize::from(cut)
}

/// What the tree pane asks the workers (answers are [`TreeMsg`]s of the
/// same generation).
#[derive(Debug)]
pub enum TreeCmd {
    /// Parents up to the root, then the whole family listing.
    Open(Box<AssetView>),
    /// The children of these nodes (`parentAssetId`), in parallel.
    Children(Vec<String>),
    /// A whole branch down from `frontier`, skipping `known` nodes.
    Branch {
        node: String,
        frontier: Vec<String>,
        known: HashSet<String>,
    },
}

/// What the workers answer.
#[derive(Debug)]
pub enum TreeMsg {
    Root(Box<Chain>),
    /// A page of the family listing.
    Listed(Vec<AssetView>),
    ListingDone(Walked),
    /// Children read, one entry per node asked.
    Children(Vec<Children>),
    /// A branch load (`B`) ended; `stopped`: why part of it is not read.
    BranchDone {
        node: String,
        stopped: Option<String>,
    },
    /// The provider keeps no lineage, or the asset could not be read.
    Failed(String),
}

/// The open pane.
#[derive(Debug)]
pub struct TreePane {
    pub generation: u64,
    /// The asset `L` was pressed on.
    pub asked: Arc<AssetView>,
    /// `None` until the root is known.
    pub tree: Option<Tree>,
    pub expanded: HashSet<String>,
    pub rows: Vec<Row>,
    pub cursor: usize,
    pub offset: usize,
    /// Nodes whose children are on their way.
    pub loading: HashSet<String>,
    /// The family listing runs.
    pub listing: bool,
    /// `B` waits for this branch to be read.
    pub branch: Option<String>,
    pub error: Option<String>,
}

/// The pane, and the generation the next one takes.
#[derive(Debug, Default)]
pub struct Lineage {
    pub generation: u64,
    pub pane: Option<TreePane>,
}

impl Lineage {
    /// Opens a pane on `asset`'s family; returns its generation.
    pub fn open(&mut self, asset: Arc<AssetView>) -> u64 {
        self.generation += 1;
        self.pane = Some(TreePane {
            generation: self.generation,
            asked: asset,
            tree: None,
            expanded: HashSet::new(),
            rows: Vec::new(),
            cursor: 0,
            offset: 0,
            loading: HashSet::new(),
            listing: true,
            branch: None,
            error: None,
        });
        self.generation
    }

    /// The pane an answer of `generation` is for.
    pub fn pane_for(&mut self, generation: u64) -> Option<&mut TreePane> {
        self.pane.as_mut().filter(|p| p.generation == generation)
    }
}

impl TreePane {
    /// The asset under the cursor.
    pub fn current(&self) -> Option<Arc<AssetView>> {
        let row = self.rows.get(self.cursor)?;
        Some(self.tree.as_ref()?.get(&row.id)?.asset.clone())
    }

    pub fn busy(&self) -> bool {
        self.listing || !self.loading.is_empty() || self.branch.is_some()
    }

    /// Recomputes the visible rows, keeping the cursor on its node.
    pub fn relayout(&mut self) {
        let keep = self.rows.get(self.cursor).map(|r| r.id.clone());
        let Some(tree) = &self.tree else {
            self.rows.clear();
            return;
        };
        self.rows = tree.rows(Some(&self.expanded));
        if let Some(id) = keep {
            if let Some(i) = self.rows.iter().position(|r| r.id == id) {
                self.cursor = i;
            }
        }
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.rows.is_empty() {
            return;
        }
        let last = self.rows.len() as isize - 1;
        self.cursor = (self.cursor as isize + delta).clamp(0, last) as usize;
    }

    /// Scrolls only as far as needed to show the cursor: not at all while
    /// it is on one of the `from_top` rows drawn from the top (the root
    /// stays in view), else to keep it on one of `lines` whole rows.
    pub fn scroll_into_view(&mut self, lines: usize, from_top: usize) {
        let lines = lines.max(1);
        if self.cursor < from_top.max(lines) {
            self.offset = 0;
        } else if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + lines {
            self.offset = self.cursor + 1 - lines;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(1));
    }

    /// The root arrived: the path down to the asked asset is open and the
    /// cursor on it.
    pub fn rooted(&mut self, chain: Chain) {
        let mut tree = Tree::new(chain.root);
        for p in chain.problems {
            tree.note(p);
        }
        self.expanded.insert(tree.root().to_string());
        for a in &chain.path {
            if a.id != self.asked.id {
                self.expanded.insert(a.id.clone());
            }
        }
        tree.add_path(chain.path);
        self.tree = Some(tree);
        self.relayout();
        if let Some(i) = self.rows.iter().position(|r| r.id == self.asked.id) {
            self.cursor = i;
        }
    }

    pub fn listed(&mut self, items: Vec<AssetView>) {
        if let Some(t) = &mut self.tree {
            t.add_listed(items);
        }
        self.relayout();
    }

    pub fn listing_done(&mut self, walked: Walked) {
        self.listing = false;
        let Some(t) = &mut self.tree else { return };
        match walked {
            Walked::Complete => t.listing_done(true),
            Walked::Cut(reason) => t.note(Problem::Cut {
                parent: None,
                reason,
            }),
        }
        if t.len() <= OPEN_ALL_UP_TO {
            self.expanded = t.ids();
        }
        self.relayout();
    }

    pub fn children(&mut self, answers: Vec<Children>) {
        let Some(t) = &mut self.tree else { return };
        for (parent, r) in answers {
            self.loading.remove(&parent);
            match r {
                Ok((kids, cut)) => t.add_children(&parent, kids, cut),
                Err(e) => t.note(Problem::Cut {
                    parent: Some(parent),
                    reason: e,
                }),
            }
        }
        self.relayout();
    }

    /// Opens the node under the cursor: the ids to read children of.
    pub fn expand(&mut self) -> Vec<String> {
        let Some(row) = self.rows.get(self.cursor) else {
            return Vec::new();
        };
        let id = row.id.clone();
        self.expanded.insert(id.clone());
        self.relayout();
        self.wanted(&id)
    }

    /// Closes the node under the cursor; on a closed node or a leaf,
    /// moves to its parent.
    pub fn collapse(&mut self) {
        let Some(row) = self.rows.get(self.cursor) else {
            return;
        };
        let id = row.id.clone();
        let open_with_children = self.expanded.contains(&id)
            && self
                .tree
                .as_ref()
                .is_some_and(|t| t.has_children(&id) != Some(false));
        if open_with_children {
            self.expanded.remove(&id);
        } else if let Some(p) = self
            .tree
            .as_ref()
            .and_then(|t| t.get(&id))
            .and_then(|n| n.parent.clone())
        {
            if let Some(i) = self.rows.iter().position(|r| r.id == p) {
                self.cursor = i;
            }
        }
        self.relayout();
    }

    /// Enter: opens a closed node, closes an open one.
    pub fn toggle(&mut self) -> Vec<String> {
        let Some(id) = self.rows.get(self.cursor).map(|r| r.id.clone()) else {
            return Vec::new();
        };
        if self.expanded.contains(&id) {
            self.expanded.remove(&id);
            self.relayout();
            Vec::new()
        } else {
            self.expand()
        }
    }

    /// `id`'s children must be read: not known and not on their way (even
    /// while the family listing runs: on a large family it may take a
    /// while to bring them).
    fn wanted(&mut self, id: &str) -> Vec<String> {
        let Some(t) = &self.tree else {
            return Vec::new();
        };
        let known = t.get(id).is_some_and(|n| n.known);
        if known || self.loading.contains(id) {
            return Vec::new();
        }
        self.loading.insert(id.to_string());
        vec![id.to_string()]
    }

    /// What could not be placed, as lines.
    pub fn problems(&self) -> Vec<String> {
        self.tree
            .as_ref()
            .map(|t| t.problems().iter().map(|p| p.to_string()).collect())
            .unwrap_or_default()
    }
}
