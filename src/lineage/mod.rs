//! Lineage (issue 19): an asset's family as a tree — the root, then each
//! generation of children — built from the list endpoint's `rootAssetId`
//! and `parentAssetId` filters. [`Tree`] is pure (the browser's pane and
//! `assetui tree` place answers into it); `load` asks the server.
//!
//! Hostile data stays finite: each id is placed once (a node listed under
//! a second parent, or under its own descendant, is reported and left
//! where it was first placed), nodes whose parent never arrives are
//! reported, and the tree holds at most [`MAX_NODES`] assets and
//! [`MAX_DEPTH`] generations. What could not be placed is a [`Problem`].

pub mod load;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use crate::provider::AssetView;

/// Most assets one tree holds (placed or waiting for their parent).
pub const MAX_NODES: usize = 5_000;
/// Most generations below the root.
pub const MAX_DEPTH: usize = 64;

/// Something the tree could not place, or a list that was cut.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Following parents from `id` came back to an asset already seen.
    Cycle { id: String },
    /// `id` was listed under `also` too; it stays under `placed`.
    TwoParents {
        id: String,
        placed: String,
        also: String,
    },
    /// `id` names a parent that does not exist (404).
    MissingParent { id: String, parent: String },
    /// The parent of `id` could not be read.
    ParentFailed { id: String, error: String },
    /// Listed in the family, but its parent never showed up in it.
    Unplaced { id: String, parent: Option<String> },
    /// The children of `parent` (or the family, when `None`) were not
    /// all read.
    Cut {
        parent: Option<String>,
        reason: String,
    },
    /// Over [`MAX_NODES`] or [`MAX_DEPTH`]: `count` assets left out.
    Bound { count: usize, what: &'static str },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = |t: &str| crate::sanitize::line(t, 60);
        match self {
            Problem::Cycle { id } => {
                write!(f, "{} is its own ancestor (a cycle): shown once", s(id))
            }
            Problem::TwoParents { id, placed, also } => write!(
                f,
                "{} is listed under {} and {}: shown under {} only",
                s(id),
                s(placed),
                s(also),
                s(placed)
            ),
            Problem::MissingParent { id, parent } => write!(
                f,
                "the parent of {} ({}) does not exist: the tree starts at {}",
                s(id),
                s(parent),
                s(id)
            ),
            Problem::ParentFailed { id, error } => write!(
                f,
                "the parent of {} could not be read ({}): the tree starts at {}",
                s(id),
                crate::sanitize::line(error, 120),
                s(id)
            ),
            Problem::Unplaced {
                id,
                parent: Some(p),
            } => write!(
                f,
                "{} could not be placed: its parent {} is not in the family",
                s(id),
                s(p)
            ),
            Problem::Unplaced { id, parent: None } => {
                write!(f, "{} could not be placed: it names no parent", s(id))
            }
            Problem::Cut {
                parent: Some(p),
                reason,
            } => write!(
                f,
                "children of {}: {}",
                s(p),
                crate::sanitize::line(reason, 160)
            ),
            Problem::Cut {
                parent: None,
                reason,
            } => write!(f, "the family: {}", crate::sanitize::line(reason, 160)),
            Problem::Bound { count, what } => write!(f, "{count} more not shown: {what}"),
        }
    }
}

/// One asset placed in the tree.
#[derive(Clone, Debug)]
pub struct Node {
    pub asset: Arc<AssetView>,
    /// Where it is placed (`None` for the root).
    pub parent: Option<String>,
    /// Its children, oldest first (ties by id).
    pub children: Vec<String>,
    /// Whether `children` is all of them (its list was read, or the whole
    /// family was).
    pub known: bool,
    pub depth: usize,
}

/// One visible line of the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub id: String,
    pub depth: usize,
    /// Box-drawing in front of the node (`├─ `, `│  └─ `…), empty for
    /// the root.
    pub prefix: String,
}

/// An asset's family, placed once each.
#[derive(Clone, Debug)]
pub struct Tree {
    root: String,
    nodes: HashMap<String, Node>,
    /// Listed assets whose parent has not been placed yet, by parent id.
    waiting: HashMap<String, Vec<Arc<AssetView>>>,
    waiting_len: usize,
    problems: Vec<Problem>,
    over_nodes: usize,
    over_depth: usize,
}

impl Tree {
    pub fn new(root: AssetView) -> Tree {
        let id = root.id.clone();
        let mut nodes = HashMap::new();
        nodes.insert(
            id.clone(),
            Node {
                asset: Arc::new(root),
                parent: None,
                children: Vec::new(),
                known: false,
                depth: 0,
            },
        );
        Tree {
            root: id,
            nodes,
            waiting: HashMap::new(),
            waiting_len: 0,
            problems: Vec::new(),
            over_nodes: 0,
            over_depth: 0,
        }
    }

    pub fn root(&self) -> &str {
        &self.root
    }

    pub fn get(&self, id: &str) -> Option<&Node> {
        self.nodes.get(id)
    }

    /// Assets placed.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// What could not be placed, in the order met, then the bounds.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = self.problems.clone();
        if self.over_nodes > 0 {
            out.push(Problem::Bound {
                count: self.over_nodes,
                what: "a tree holds at most 5000 assets",
            });
        }
        if self.over_depth > 0 {
            out.push(Problem::Bound {
                count: self.over_depth,
                what: "a tree shows at most 64 generations",
            });
        }
        out
    }

    pub fn note(&mut self, problem: Problem) {
        if !self.problems.contains(&problem) {
            self.problems.push(problem);
        }
    }

    /// `Some(true)`: it has children; `Some(false)`: known to have none;
    /// `None`: not read yet.
    pub fn has_children(&self, id: &str) -> Option<bool> {
        let n = self.nodes.get(id)?;
        if !n.children.is_empty() {
            Some(true)
        } else if n.known {
            Some(false)
        } else {
            None
        }
    }

    /// Whether `a` is `b` or one of its ancestors.
    fn is_ancestor_or_self(&self, a: &str, b: &str) -> bool {
        let mut at = Some(b);
        let mut hops = 0;
        while let Some(id) = at {
            if id == a {
                return true;
            }
            hops += 1;
            if hops > MAX_DEPTH + 1 {
                return false;
            }
            at = self.nodes.get(id).and_then(|n| n.parent.as_deref());
        }
        false
    }

    /// Places `asset` under `parent` (already placed), then whatever was
    /// waiting for it. Returns whether it was placed.
    fn place(&mut self, parent: &str, asset: Arc<AssetView>) -> bool {
        let mut stack = vec![(parent.to_string(), asset)];
        let mut first = true;
        let mut placed_first = false;
        while let Some((parent, asset)) = stack.pop() {
            let ok = self.place_one(&parent, asset.clone());
            if first {
                placed_first = ok;
                first = false;
            }
            if ok {
                if let Some(kids) = self.waiting.remove(&asset.id) {
                    self.waiting_len -= kids.len();
                    for k in kids.into_iter().rev() {
                        stack.push((asset.id.clone(), k));
                    }
                }
            }
        }
        placed_first
    }

    fn place_one(&mut self, parent: &str, asset: Arc<AssetView>) -> bool {
        let id = asset.id.clone();
        if let Some(existing) = self.nodes.get(&id) {
            match existing.parent.as_deref() {
                Some(p) if p == parent => {}
                _ if self.is_ancestor_or_self(&id, parent) => {
                    self.note(Problem::Cycle { id });
                }
                Some(p) => {
                    let placed = p.to_string();
                    self.note(Problem::TwoParents {
                        id,
                        placed,
                        also: parent.to_string(),
                    });
                }
                None => self.note(Problem::Cycle { id }),
            }
            return false;
        }
        let Some(depth) = self.nodes.get(parent).map(|p| p.depth + 1) else {
            return false;
        };
        if depth > MAX_DEPTH {
            self.over_depth += 1;
            return false;
        }
        if self.nodes.len() + self.waiting_len >= MAX_NODES {
            self.over_nodes += 1;
            return false;
        }
        let key = sort_key(&asset);
        self.nodes.insert(
            id.clone(),
            Node {
                asset,
                parent: Some(parent.to_string()),
                children: Vec::new(),
                known: false,
                depth,
            },
        );
        // oldest first, whatever order the answers came in
        let at = {
            let nodes = &self.nodes;
            let Some(p) = nodes.get(parent) else {
                return true;
            };
            p.children
                .partition_point(|c| nodes.get(c).is_some_and(|n| sort_key(&n.asset) <= key))
        };
        if let Some(p) = self.nodes.get_mut(parent) {
            p.children.insert(at, id);
        }
        true
    }

    /// The assets from below the root down to one asset, each placed
    /// under the one above it.
    pub fn add_path(&mut self, path: Vec<AssetView>) {
        let mut above = self.root.clone();
        for a in path {
            let id = a.id.clone();
            self.place(&above, Arc::new(a));
            above = id;
        }
    }

    /// Assets of the family listing (`rootAssetId`), in any order: each
    /// goes under its own parent, now or once that parent is placed.
    /// Returns how many were placed (waiting ones placed too).
    pub fn add_listed(&mut self, items: Vec<AssetView>) -> usize {
        let before = self.nodes.len();
        for a in items {
            if self.nodes.contains_key(&a.id) {
                continue; // listed twice (both walks met): the same asset
            }
            match a.parent.clone() {
                None => self.note(Problem::Unplaced {
                    id: a.id.clone(),
                    parent: None,
                }),
                Some(p) if self.nodes.contains_key(&p) => {
                    self.place(&p, Arc::new(a));
                }
                Some(p) => {
                    if self.nodes.len() + self.waiting_len >= MAX_NODES {
                        self.over_nodes += 1;
                        continue;
                    }
                    let list = self.waiting.entry(p).or_default();
                    if !list.iter().any(|w| w.id == a.id) {
                        list.push(Arc::new(a));
                        self.waiting_len += 1;
                    }
                }
            }
        }
        self.nodes.len() - before
    }

    /// The children of `parent` as its own list (`parentAssetId`) gave
    /// them; `cut` says why that list is not whole. Marks `parent` known
    /// unless cut.
    pub fn add_children(&mut self, parent: &str, items: Vec<AssetView>, cut: Option<String>) {
        if !self.nodes.contains_key(parent) {
            return;
        }
        for a in items {
            if a.id == parent {
                self.note(Problem::Cycle { id: a.id });
                continue;
            }
            self.place(parent, Arc::new(a));
        }
        match cut {
            Some(reason) => self.note(Problem::Cut {
                parent: Some(parent.to_string()),
                reason,
            }),
            None => {
                if let Some(n) = self.nodes.get_mut(parent) {
                    n.known = true;
                }
            }
        }
    }

    /// The family listing ended. `complete`: it held the whole family, so
    /// every placed node's children are known, and whatever still waits
    /// for a parent cannot be placed.
    pub fn listing_done(&mut self, complete: bool) {
        if !complete {
            return;
        }
        for n in self.nodes.values_mut() {
            n.known = true;
        }
        let mut left: Vec<(String, String)> = self
            .waiting
            .drain()
            .flat_map(|(p, kids)| kids.into_iter().map(move |k| (k.id.clone(), p.clone())))
            .collect();
        self.waiting_len = 0;
        left.sort();
        for (id, parent) in left {
            self.note(Problem::Unplaced {
                id,
                parent: Some(parent),
            });
        }
    }

    /// Listed assets still waiting for their parent.
    pub fn waiting(&self) -> usize {
        self.waiting_len
    }

    /// The visible lines: the root, then the children of every node in
    /// `expanded` (all of them when `expanded` is `None`), depth first.
    pub fn rows(&self, expanded: Option<&HashSet<String>>) -> Vec<Row> {
        let mut out = Vec::new();
        // (id, the "is last" flags of its ancestors and itself)
        let mut stack: Vec<(&str, Vec<bool>)> = vec![(self.root.as_str(), Vec::new())];
        while let Some((id, lasts)) = stack.pop() {
            let Some(node) = self.nodes.get(id) else {
                continue;
            };
            let mut prefix = String::new();
            if let Some((last, above)) = lasts.split_last() {
                for l in above {
                    prefix.push_str(if *l { "   " } else { "│  " });
                }
                prefix.push_str(if *last { "└─ " } else { "├─ " });
            }
            out.push(Row {
                id: id.to_string(),
                depth: node.depth,
                prefix,
            });
            let open = expanded.is_none_or(|e| e.contains(id));
            if open {
                let n = node.children.len();
                for (i, c) in node.children.iter().enumerate().rev() {
                    let mut l = lasts.clone();
                    l.push(i + 1 == n);
                    stack.push((c.as_str(), l));
                }
            }
        }
        out
    }

    /// `id` and everything placed under it, depth first.
    pub fn branch(&self, id: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(at) = stack.pop() {
            let Some(n) = self.nodes.get(at) else {
                continue;
            };
            out.push(at.to_string());
            for c in n.children.iter().rev() {
                stack.push(c);
            }
        }
        out
    }

    /// The nodes of `id`'s branch whose children have not been read.
    pub fn unknown_in(&self, id: &str) -> Vec<String> {
        self.branch(id)
            .into_iter()
            .filter(|i| self.nodes.get(i).is_some_and(|n| !n.known))
            .collect()
    }

    /// The ids of the nodes whose children are known.
    pub fn known_ids(&self) -> HashSet<String> {
        self.nodes
            .iter()
            .filter(|(_, n)| n.known)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Every placed id.
    pub fn ids(&self) -> HashSet<String> {
        self.nodes.keys().cloned().collect()
    }

    /// The tree as nested JSON: each node's full asset under `asset`, its
    /// children under `children`.
    pub fn to_json(&self) -> serde_json::Value {
        self.json_of(&self.root)
    }

    fn json_of(&self, id: &str) -> serde_json::Value {
        // depth is bounded by MAX_DEPTH, so recursion is too
        let Some(n) = self.nodes.get(id) else {
            return serde_json::Value::Null;
        };
        let children: Vec<serde_json::Value> = n.children.iter().map(|c| self.json_of(c)).collect();
        serde_json::json!({ "asset": n.asset.raw(), "children": children })
    }
}

/// The day an asset was made (`YYYY-MM-DD`), sanitized; empty if unknown.
pub fn day(a: &AssetView) -> String {
    let c = a.created.as_deref().unwrap_or("");
    crate::sanitize::line(c.get(..10).unwrap_or(c), 10)
}

fn sort_key(a: &AssetView) -> (String, String) {
    (a.created.clone().unwrap_or_default(), a.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(id: &str, parent: Option<&str>, created: &str) -> AssetView {
        let mut v = serde_json::json!({"id": id, "createdAt": created, "metadata": {}});
        if let Some(p) = parent {
            v["metadata"]["parentId"] = p.into();
        }
        AssetView::from(serde_json::from_value::<crate::api::models::Asset>(v).unwrap())
    }

    #[test]
    fn listed_assets_wait_for_their_parent_and_sort_oldest_first() {
        let mut t = Tree::new(a("r", None, "1"));
        // children before parents, newest first
        t.add_listed(vec![
            a("c2", Some("b"), "5"),
            a("c1", Some("b"), "4"),
            a("b", Some("r"), "3"),
            a("a", Some("r"), "2"),
        ]);
        assert_eq!(t.waiting(), 0);
        let rows: Vec<_> = t
            .rows(None)
            .into_iter()
            .map(|r| format!("{}{}", r.prefix, r.id))
            .collect();
        assert_eq!(rows, vec!["r", "├─ a", "└─ b", "   ├─ c1", "   └─ c2"]);
        t.listing_done(true);
        assert!(t.problems().is_empty());
        assert_eq!(t.has_children("a"), Some(false));
    }

    #[test]
    fn cycles_and_second_parents_are_reported_and_placed_once() {
        let mut t = Tree::new(a("r", None, "1"));
        t.add_children(
            "r",
            vec![a("x", Some("r"), "2"), a("y", Some("r"), "3")],
            None,
        );
        t.add_children("x", vec![a("z", Some("x"), "4"), a("r", None, "1")], None);
        t.add_children("y", vec![a("z", Some("y"), "4")], None);
        assert_eq!(t.len(), 4);
        let p = t.problems();
        assert!(p.contains(&Problem::Cycle { id: "r".into() }), "{p:?}");
        assert!(
            p.contains(&Problem::TwoParents {
                id: "z".into(),
                placed: "x".into(),
                also: "y".into()
            }),
            "{p:?}"
        );
        assert_eq!(t.branch("r").len(), 4);
    }

    #[test]
    fn a_loop_in_the_listing_cannot_be_placed() {
        let mut t = Tree::new(a("r", None, "1"));
        t.add_listed(vec![a("p", Some("q"), "2"), a("q", Some("p"), "3")]);
        t.listing_done(true);
        assert_eq!(t.len(), 1);
        assert_eq!(t.problems().len(), 2, "{:?}", t.problems());
    }

    #[test]
    fn the_node_bound_holds() {
        let mut t = Tree::new(a("r", None, "1"));
        let kids = (0..MAX_NODES + 10)
            .map(|i| a(&format!("k{i:05}"), Some("r"), "2"))
            .collect();
        t.add_children("r", kids, None);
        assert_eq!(t.len(), MAX_NODES);
        assert!(matches!(
            t.problems().last(),
            Some(Problem::Bound { count: 11, .. })
        ));
    }

    #[test]
    fn depth_is_bounded() {
        let mut t = Tree::new(a("n0", None, "0"));
        for i in 0..MAX_DEPTH + 5 {
            t.add_children(
                &format!("n{i}"),
                vec![a(&format!("n{}", i + 1), Some(&format!("n{i}")), "1")],
                None,
            );
        }
        assert_eq!(t.len(), MAX_DEPTH + 1);
        assert!(t.to_json().is_object());
    }
}
