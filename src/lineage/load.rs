//! Asking the server for a family: the parents above an asset (one
//! `GET /assets/{id}` each), the whole family (`rootAssetId`, walked from
//! both ends at once, oldest first and newest first, until the two walks
//! meet), and one node's children (`parentAssetId`), many nodes at a time.
//!
//! Bounds: [`MAX_UP`] parents, the family walk stops at
//! [`super::MAX_NODES`] assets, [`MAX_CHILD_PAGES`] pages of children per
//! node, [`PARALLEL`] requests in flight, and a branch load makes at most
//! [`MAX_BRANCH_REQUESTS`] requests.

use std::collections::HashSet;

use futures_util::{stream, StreamExt};

use super::{Problem, Tree, MAX_NODES};
use crate::api::params::{ListAssetsQuery, SortDirection, SortField};
use crate::api::{ApiError, Client};
use crate::provider::{scenario, AssetView};

/// Most parents followed up from an asset.
pub const MAX_UP: usize = 64;
/// Requests in flight at once (children of many nodes).
pub const PARALLEL: usize = 16;
/// Pages of one node's children (100 each).
pub const MAX_CHILD_PAGES: usize = 10;
/// Requests one branch load (`B`) makes at most.
pub const MAX_BRANCH_REQUESTS: usize = 500;
const PAGE: u32 = 100;

/// An asset and its parents.
#[derive(Debug)]
pub struct Chain {
    /// The topmost asset reached.
    pub root: AssetView,
    /// From below the root down to the asset asked for (empty when that
    /// asset is the root).
    pub path: Vec<AssetView>,
    pub problems: Vec<Problem>,
}

/// Follows parents up from `start` until an asset without one: stops at a
/// cycle, a parent that does not exist, or [`MAX_UP`] hops (each said).
pub async fn chain(client: &Client, start: AssetView) -> Chain {
    let mut seen: HashSet<String> = HashSet::from([start.id.clone()]);
    let mut up: Vec<AssetView> = Vec::new();
    let mut at = start;
    let mut problems = Vec::new();
    while let Some(parent) = at.parent.clone() {
        if up.len() > MAX_UP {
            problems.push(Problem::Bound {
                count: 1,
                what: "more than 64 parents above this asset",
            });
            break;
        }
        if !seen.insert(parent.clone()) {
            problems.push(Problem::Cycle { id: parent });
            break;
        }
        match client.get_asset(&parent).await {
            Ok(a) => up.push(std::mem::replace(&mut at, scenario::view(a))),
            Err(ApiError::NotFound { .. }) => {
                problems.push(Problem::MissingParent {
                    id: at.id.clone(),
                    parent,
                });
                break;
            }
            Err(e) => {
                problems.push(Problem::ParentFailed {
                    id: at.id.clone(),
                    error: e.to_string(),
                });
                break;
            }
        }
    }
    up.reverse();
    Chain {
        root: at,
        path: up,
        problems,
    }
}

/// How a family walk ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Walked {
    /// Every asset of the family was listed.
    Complete,
    /// Stopped before the end (the bound, an error): why.
    Cut(String),
}

fn family_query(root: &str, dir: SortDirection, token: Option<String>) -> ListAssetsQuery {
    ListAssetsQuery {
        root_asset_id: Some(root.to_string()),
        sort_by: Some(SortField::CreatedAt),
        sort_direction: Some(dir),
        page_size: Some(PAGE),
        pagination_token: token,
        ..ListAssetsQuery::default()
    }
}

/// Lists the family of `root` (`rootAssetId`), handing each page to
/// `on_page` as it comes. Two walks run side by side, oldest first and
/// newest first; once a page of one holds an asset the other has listed,
/// they have met and the family is whole, in about half the round trips
/// of one walk.
pub async fn family(
    client: &Client,
    root: &str,
    mut on_page: impl FnMut(Vec<AssetView>),
) -> Walked {
    struct Walk {
        dir: SortDirection,
        token: Option<String>,
        done: bool,
        seen: HashSet<String>,
    }
    let mut walks = [
        Walk {
            dir: SortDirection::Asc,
            token: None,
            done: false,
            seen: HashSet::new(),
        },
        Walk {
            dir: SortDirection::Desc,
            token: None,
            done: false,
            seen: HashSet::new(),
        },
    ];
    let mut total = 0usize;
    loop {
        let asks: Vec<_> = walks
            .iter()
            .filter(|w| !w.done)
            .map(|w| {
                let q = family_query(root, w.dir, w.token.clone());
                async move { client.list_assets_page(&q).await }
            })
            .collect();
        if asks.is_empty() {
            return Walked::Complete;
        }
        let answers = futures_util::future::join_all(asks).await;
        let mut met = false;
        let open: Vec<usize> = (0..2).filter(|i| !walks[*i].done).collect();
        for (i, answer) in open.into_iter().zip(answers) {
            let page = match answer {
                Ok(p) => p,
                Err(e) => return Walked::Cut(e.to_string()),
            };
            let other = 1 - i;
            let items: Vec<AssetView> = page.assets.into_iter().map(scenario::view).collect();
            if items.iter().any(|a| walks[other].seen.contains(&a.id)) {
                met = true;
            }
            let next = page.next_pagination_token.filter(|t| !t.is_empty());
            let w = &mut walks[i];
            if next.is_none() {
                met = true;
            }
            if next.is_some() && next == w.token {
                return Walked::Cut("the server sent the same page token again".into());
            }
            w.token = next;
            let fresh: Vec<AssetView> = items
                .into_iter()
                .filter(|a| w.seen.insert(a.id.clone()))
                .collect();
            total += fresh.len();
            on_page(fresh);
        }
        if met {
            return Walked::Complete;
        }
        if total >= MAX_NODES {
            for w in &mut walks {
                w.done = true;
            }
            return Walked::Cut(format!("stopped after {MAX_NODES} assets"));
        }
    }
}

/// The children of `parent` (`parentAssetId`), oldest first, at most
/// [`MAX_CHILD_PAGES`] pages; with why the list is not whole.
pub async fn children(
    client: &Client,
    parent: &str,
) -> Result<(Vec<AssetView>, Option<String>), String> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    let mut seen_tokens = HashSet::new();
    for _ in 0..MAX_CHILD_PAGES {
        let q = ListAssetsQuery {
            parent_asset_id: Some(parent.to_string()),
            sort_by: Some(SortField::CreatedAt),
            sort_direction: Some(SortDirection::Asc),
            page_size: Some(PAGE),
            pagination_token: token.clone(),
            ..ListAssetsQuery::default()
        };
        let page = client
            .list_assets_page(&q)
            .await
            .map_err(|e| e.to_string())?;
        out.extend(page.assets.into_iter().map(scenario::view));
        match page.next_pagination_token.filter(|t| !t.is_empty()) {
            None => return Ok((out, None)),
            Some(t) if !seen_tokens.insert(t.clone()) => {
                return Ok((
                    out,
                    Some("the server sent the same page token again".into()),
                ))
            }
            Some(t) => token = Some(t),
        }
    }
    let n = out.len();
    Ok((out, Some(format!("the first {n} shown, there are more"))))
}

/// One node's children as read (`parent`, the answer).
pub type Children = (String, Result<(Vec<AssetView>, Option<String>), String>);

/// The children of each of `parents`, [`PARALLEL`] at a time, in the
/// order asked.
pub async fn children_of(client: &Client, parents: Vec<String>) -> Vec<Children> {
    stream::iter(parents)
        .map(|p| async move {
            let r = children(client, &p).await;
            (p, r)
        })
        .buffered(PARALLEL)
        .collect()
        .await
}

/// Reads a branch down from `frontier` (nodes whose children are not
/// known), one generation at a time, each generation in parallel; `known`
/// are nodes whose children are known already (not asked again). Stops
/// at [`MAX_NODES`] assets or [`MAX_BRANCH_REQUESTS`] requests (the
/// answer says so). `on_generation` gets each generation's answers.
pub async fn branch(
    client: &Client,
    frontier: Vec<String>,
    known: HashSet<String>,
    mut on_generation: impl FnMut(Vec<Children>),
) -> Option<String> {
    let mut asked: HashSet<String> = known;
    let mut frontier: Vec<String> = frontier
        .into_iter()
        .filter(|id| asked.insert(id.clone()))
        .collect();
    let mut requests = 0usize;
    let mut nodes = 0usize;
    while !frontier.is_empty() {
        let room = MAX_BRANCH_REQUESTS.saturating_sub(requests);
        let cut = frontier.len() > room;
        frontier.truncate(room);
        requests += frontier.len();
        let answers = children_of(client, std::mem::take(&mut frontier)).await;
        for (_, r) in &answers {
            if let Ok((kids, _)) = r {
                nodes += kids.len();
                for k in kids {
                    if asked.insert(k.id.clone()) {
                        frontier.push(k.id.clone());
                    }
                }
            }
        }
        on_generation(answers);
        if cut {
            return Some(format!(
                "stopped after {MAX_BRANCH_REQUESTS} requests: part of the branch is not read"
            ));
        }
        if nodes >= MAX_NODES {
            return Some(format!("stopped after {MAX_NODES} assets"));
        }
    }
    None
}

/// The whole family of `asset`, as `assetui tree` prints it: its parents
/// up to the root, then the family listing, then (if that listing was cut
/// or missed some) the children of the nodes still unknown.
pub async fn whole(client: &Client, asset: AssetView) -> Tree {
    let up = chain(client, asset).await;
    let root_id = up.root.id.clone();
    let mut tree = Tree::new(up.root);
    for p in up.problems {
        tree.note(p);
    }
    tree.add_path(up.path);
    let walked = family(client, &root_id, |page| {
        tree.add_listed(page);
    })
    .await;
    match walked {
        Walked::Complete => tree.listing_done(true),
        Walked::Cut(reason) => tree.note(Problem::Cut {
            parent: None,
            reason,
        }),
    }
    let unknown = tree.unknown_in(&root_id);
    if !unknown.is_empty() {
        let known = tree.known_ids();
        let mut got = Vec::new();
        let stopped = branch(client, unknown, known, |g| got.extend(g)).await;
        for (parent, r) in got {
            match r {
                Ok((kids, cut)) => tree.add_children(&parent, kids, cut),
                Err(e) => tree.note(Problem::Cut {
                    parent: Some(parent),
                    reason: e,
                }),
            }
        }
        if let Some(reason) = stopped {
            tree.note(Problem::Cut {
                parent: None,
                reason,
            });
        }
    }
    tree
}
