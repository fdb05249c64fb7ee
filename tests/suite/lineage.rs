//! The family tree (issue 19, item 1): the list endpoint's lineage
//! filters on the demo server, trees built against the demo server and
//! against a scripted hostile one (cycles, missing parents, a node under
//! two parents, huge fan-out), the browser's `L` pane through the headless
//! driver, `assetui tree` (box-drawing and `--json`), and the pane's
//! snapshot at 80×24.

use std::collections::HashSet;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use futures_util::StreamExt;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::{json, Value};

use assetui::api::params::ListAssetsQuery;
use assetui::api::{Client, ClientOptions};
use assetui::app::keymap::Keymap;
use assetui::app::tree::TreeMsg;
use assetui::app::{self, Msg, State};
use assetui::headless::{buffer_text, Headless};
use assetui::lineage::load::{self, Chain, Walked};
use assetui::lineage::Problem;
use assetui::provider::{scenario, AssetView};
use assetui::server::{self, ServerConfig};

use super::support::hostile::{Hostile, Resp};

const T: Duration = Duration::from_secs(30);

async fn demo(scale: u64) -> (server::Running, Client) {
    let running = server::start(ServerConfig {
        scale,
        ..Default::default()
    })
    .await
    .expect("server starts");
    let client = Client::new(ClientOptions::new(running.base_url.clone())).unwrap();
    (running, client)
}

async fn ids(client: &Client, q: ListAssetsQuery) -> Vec<String> {
    let mut out = Vec::new();
    let mut pages = client.list_assets(q);
    while let Some(p) = pages.next().await {
        out.extend(p.unwrap().assets.into_iter().map(|a| a.id));
    }
    out
}

/// The synthetic family rooted at the first synthetic asset.
async fn synth_root(client: &Client) -> AssetView {
    let mut pages = client.list_assets(ListAssetsQuery {
        sort_by: Some(assetui::api::params::SortField::CreatedAt),
        sort_direction: Some(assetui::api::params::SortDirection::Asc),
        page_size: Some(1),
        ..Default::default()
    });
    let first = pages.next().await.unwrap().unwrap().assets.remove(0);
    assert!(first.id.starts_with("asset_synth") && first.parent_id().is_none());
    scenario::view(first)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_filters_by_parent_and_by_root() {
    let (_s, client) = demo(1000).await;
    let root = synth_root(&client).await;
    let family = ids(
        &client,
        ListAssetsQuery {
            root_asset_id: Some(root.id.clone()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(family.len(), 499, "the root's descendants");
    let children = ids(
        &client,
        ListAssetsQuery {
            parent_asset_id: Some(root.id.clone()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(children.len(), 8);
    assert!(children.iter().all(|c| family.contains(c)));
    // both at once: a child's children within the family
    let both = ids(
        &client,
        ListAssetsQuery {
            root_asset_id: Some(root.id.clone()),
            parent_asset_id: Some(children[0].clone()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(both.len(), 8);
    // a root that is not one, and an unknown id: nothing
    for id in [children[0].as_str(), "asset_nope"] {
        let none = ids(
            &client,
            ListAssetsQuery {
                root_asset_id: Some(id.to_string()),
                ..Default::default()
            },
        )
        .await;
        assert!(none.is_empty(), "{id}: {none:?}");
    }
    // the wire names, as the SDK sends them
    let http = reqwest::Client::new();
    for key in ["rootAssetId", "parentAssetId"] {
        let v: Value = http
            .get(format!(
                "{}/assets?{key}={}&pageSize=100",
                client_base(&_s),
                root.id
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let n = v["assets"].as_array().unwrap().len();
        assert_eq!(n, if key == "rootAssetId" { 100 } else { 8 }, "{key}");
    }
}

fn client_base(s: &server::Running) -> String {
    s.base_url.clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_family_of_500_is_read_whole_from_both_ends() {
    let (_s, client) = demo(1000).await;
    let root = synth_root(&client).await;
    // from a grandchild up to the root, then down
    let kids = load::children(&client, &root.id).await.unwrap().0;
    let grandchild = load::children(&client, &kids[1].id)
        .await
        .unwrap()
        .0
        .remove(0);
    let tree = load::whole(&client, grandchild).await;
    assert_eq!(tree.root(), root.id);
    assert_eq!(tree.len(), 500);
    assert!(tree.problems().is_empty(), "{:?}", tree.problems());
    assert_eq!(tree.get(&root.id).unwrap().children.len(), 8);
    let rows = tree.rows(None);
    assert_eq!(rows.len(), 500);
    assert_eq!(rows.iter().map(|r| r.depth).max(), Some(3));
    let unique: HashSet<_> = rows.iter().map(|r| r.id.clone()).collect();
    assert_eq!(unique.len(), 500);
}

/// A scripted service: `assets` answers `GET /assets/{id}`; the family
/// listing and each node's children come from the closures.
fn asset(id: &str, parent: Option<&str>, created: &str) -> Value {
    let mut v =
        json!({"id": id, "createdAt": created, "metadata": {"name": format!("name of {id}")}});
    if let Some(p) = parent {
        v["metadata"]["parentId"] = p.into();
        v["metadata"]["rootParentId"] = "r".into();
    }
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_listings_stay_finite_and_say_what_they_could_not_place() {
    // `start` names a parent that 404s; the listing holds a loop (p ↔ q),
    // an orphan, the root again under a descendant and a self-parent
    let server = Hostile::start(|req| {
        let ok = |v: Value| Resp::Json(200, v.to_string());
        match (req.path.as_str(), req.query.get("rootAssetId")) {
            ("/v1/assets/start", _) => ok(json!({"asset": asset("start", Some("gone"), "1")})),
            ("/v1/assets/gone", _) => Resp::Json(404, r#"{"message":"not found"}"#.into()),
            ("/v1/assets", Some(_)) => ok(json!({"assets": [
                asset("a", Some("start"), "2"),
                asset("b", Some("a"), "3"),
                asset("start", Some("b"), "4"),
                asset("p", Some("q"), "5"),
                asset("q", Some("p"), "6"),
                asset("lost", Some("nowhere"), "7"),
                asset("me", Some("me"), "8"),
            ]})),
            _ => Resp::Json(500, "{}".into()),
        }
    })
    .await;
    let client = Client::new(ClientOptions::new(server.base_url())).unwrap();
    let start = scenario::view(client.get_asset("start").await.unwrap());
    let tree = load::whole(&client, start).await;
    assert_eq!(tree.root(), "start");
    let placed: Vec<String> = tree.rows(None).into_iter().map(|r| r.id).collect();
    assert_eq!(placed, vec!["start", "a", "b"]);
    let problems = tree.problems();
    assert!(problems.contains(&Problem::MissingParent {
        id: "start".into(),
        parent: "gone".into()
    }));
    for id in ["p", "q", "lost", "me"] {
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, Problem::Unplaced { id: i, .. } if i == id)),
            "{id}: {problems:?}"
        );
    }
    // every problem reads as one clean line
    for p in &problems {
        let line = p.to_string();
        assert!(!line.contains('\n') && !line.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn children_read_node_by_node_survive_cycles_two_parents_and_fan_out() {
    // the family listing is refused, so every node's children are read
    // with parentAssetId: `a` lists the root again (a cycle), `b` and `a`
    // both list `c`, `c`'s parent chain loops to itself, and `big` has
    // endless pages of children
    let server = Hostile::start(|req| {
        let ok = |v: Value| Resp::Json(200, v.to_string());
        if req.path == "/v1/assets/r" {
            return ok(json!({"asset": asset("r", None, "0")}));
        }
        if req.query.contains_key("rootAssetId") {
            return Resp::Json(400, r#"{"message":"no"}"#.into());
        }
        let parent = req.query.get("parentAssetId").cloned().unwrap_or_default();
        let page: usize = req
            .query
            .get("paginationToken")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let kids: Vec<Value> = match parent.as_str() {
            "r" => vec![
                asset("a", Some("r"), "1"),
                asset("b", Some("r"), "2"),
                asset("big", Some("r"), "3"),
            ],
            "a" => vec![asset("c", Some("a"), "4"), asset("r", Some("a"), "5")],
            "b" => vec![asset("c", Some("b"), "4")],
            "c" => vec![asset("c", Some("c"), "4")],
            "big" => {
                let items: Vec<Value> = (0..100)
                    .map(|i| asset(&format!("k{page:03}{i:03}"), Some("big"), "9"))
                    .collect();
                return ok(json!({"assets": items, "nextPaginationToken": (page + 1).to_string()}));
            }
            _ => vec![],
        };
        ok(json!({"assets": kids}))
    })
    .await;
    let client = Client::new(ClientOptions::new(server.base_url())).unwrap();
    let r = scenario::view(client.get_asset("r").await.unwrap());
    let tree = load::whole(&client, r).await;
    let rows = tree.rows(None);
    let unique: HashSet<_> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(unique.len(), rows.len(), "each id once");
    // r, a, b, big, c, and 1000 of big's children (10 pages)
    assert_eq!(tree.len(), 5 + load::MAX_CHILD_PAGES * 100);
    let problems = tree.problems();
    assert!(
        problems.contains(&Problem::Cycle { id: "r".into() }),
        "{problems:?}"
    );
    assert!(
        problems.contains(&Problem::Cycle { id: "c".into() }),
        "{problems:?}"
    );
    assert!(problems.contains(&Problem::TwoParents {
        id: "c".into(),
        placed: "a".into(),
        also: "b".into()
    }));
    assert!(problems
        .iter()
        .any(|p| matches!(p, Problem::Cut { parent: Some(b), .. } if b == "big")));
    assert!(problems
        .iter()
        .any(|p| matches!(p, Problem::Cut { parent: None, .. })));
    // bounded in requests: the leaves' 1000 + a few, never more than the cap
    assert!(
        server.hits() <= load::MAX_BRANCH_REQUESTS + 20,
        "{}",
        server.hits()
    );
}

// ---------------------------------------------------------------------------
// The browser
// ---------------------------------------------------------------------------

/// The demo family whose grandchild is an upscale of an upscale's parent.
const ROOT: &str = "asset_ue3uCJ3Upcn36mwISLHzzH";
const GRANDCHILD: &str = "asset_2LJRZCKh6PfHEHyWNhf2tT";

#[tokio::test(flavor = "multi_thread")]
async fn l_opens_the_family_moves_the_inspector_and_b_selects_a_branch() {
    let (_s, client) = demo(0).await;
    let mut b = Headless::new(client, None, 120, 40);
    b.start();
    b.wait_for("every page", T, |s| s.list.is_complete())
        .await
        .unwrap();
    let at = b.state.list.position_of(GRANDCHILD).expect("listed");
    for _ in 0..at {
        b.char('j');
    }
    let list_cursor = b.state.list.cursor;
    b.char('L');
    b.wait_for("the family", T, |s| {
        s.lineage.pane.as_ref().is_some_and(|p| !p.listing)
    })
    .await
    .unwrap();
    let pane = b.state.lineage.pane.as_ref().unwrap();
    let tree = pane.tree.as_ref().unwrap();
    assert_eq!(tree.root(), ROOT);
    assert_eq!(tree.len(), 5, "root, three children, one grandchild");
    assert!(tree.problems().is_empty());
    // the cursor starts on the asset L was pressed on
    assert_eq!(pane.current().unwrap().id, GRANDCHILD);
    let screen = b.screen();
    assert!(screen.contains("Family of"), "{screen}");
    assert!(screen.contains("└─ ") || screen.contains("├─ "), "{screen}");
    // moving in the tree moves the inspector
    b.char('g');
    let inspected = b.state.inspector.asset.as_ref().unwrap().id.clone();
    assert_eq!(inspected, ROOT);
    // collapse the root: one row; Enter opens it again
    b.char('h');
    assert_eq!(b.state.lineage.pane.as_ref().unwrap().rows.len(), 1);
    b.key(KeyCode::Enter);
    assert_eq!(b.state.lineage.pane.as_ref().unwrap().rows.len(), 5);
    // B on the root: the whole family is selected
    b.char('B');
    assert_eq!(b.state.selection.len(), 5);
    // Space on a node unselects it
    b.char('j');
    b.char(' ');
    assert_eq!(b.state.selection.len(), 4);
    // Esc: the list, with its cursor where it was
    b.key(KeyCode::Esc);
    assert!(b.state.lineage.pane.is_none());
    assert_eq!(b.state.list.cursor, list_cursor);
    assert_eq!(
        b.state.inspector.asset.as_ref().unwrap().id,
        b.state.list.current().unwrap().asset.id
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn b_reads_what_is_not_loaded_yet_before_selecting() {
    let (_s, client) = demo(1000).await;
    let root = synth_root(&client).await;
    let mut b = Headless::new(client, None, 120, 40);
    b.start();
    b.wait_for("first page", T, |s| !s.list.entries.is_empty())
        .await
        .unwrap();
    // the pane as the family listing left it after its root only
    let generation = { b.state.lineage.open(std::sync::Arc::new(root.clone())) };
    b.send(Msg::Tree {
        generation,
        msg: TreeMsg::Root(Box::new(Chain {
            root,
            path: Vec::new(),
            problems: Vec::new(),
        })),
    });
    b.send(Msg::Tree {
        generation,
        msg: TreeMsg::ListingDone(Walked::Cut("test: not read".into())),
    });
    b.forget_sent();
    b.char('B');
    b.wait_for("the branch", T, |s| {
        s.lineage.pane.as_ref().is_some_and(|p| p.branch.is_none())
    })
    .await
    .unwrap();
    assert_eq!(b.state.selection.len(), 500);
    let sent = b.sent().join("\n");
    assert!(sent.contains("TreeBranch"), "{sent}");
}

#[tokio::test(flavor = "multi_thread")]
async fn l_on_twelvelabs_answers_in_one_line() {
    let mut state = State::new("t".into(), Keymap::default(), false, 48, 80, 24);
    state.caps = assetui::provider::ProviderKind::TwelveLabs.capabilities();
    let cmds = app::update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('L'), KeyModifiers::SHIFT)),
    );
    assert!(cmds.iter().all(|c| !format!("{c:?}").contains("Tree")));
    let notice = state.notice.unwrap().text;
    assert!(notice.contains("TwelveLabs"), "{notice}");
    assert!(state.lineage.pane.is_none());
}

// ---------------------------------------------------------------------------
// The CLI
// ---------------------------------------------------------------------------

async fn assetui(args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    tokio::process::Command::new(env!("CARGO_BIN_EXE_assetui"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn tree_prints_box_drawing_and_nested_json() {
    let out = assetui(&["--demo", "tree", GRANDCHILD]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert!(lines[0].ends_with(ROOT), "{text}");
    assert!(lines[1..].iter().all(|l| l.starts_with("├─ ")
        || l.starts_with("└─ ")
        || l.starts_with("│  ")
        || l.starts_with("   ")));
    assert!(
        lines.iter().any(|l| l.contains("└─ ")
            && l.ends_with(GRANDCHILD)
            && (l.starts_with("│  ") || l.starts_with("   "))),
        "{text}"
    );
    assert!(text.contains("upscale"), "{text}");

    let out = assetui(&["--demo", "tree", GRANDCHILD, "--json"]).await;
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["asset"]["id"], ROOT);
    // each node: the full asset and its children
    fn count(v: &Value) -> usize {
        assert!(v["asset"]["id"].is_string() && v["asset"]["metadata"].is_object());
        1 + v["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(count)
            .sum::<usize>()
    }
    assert_eq!(count(&v), 5);
    let deep = v["children"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["children"].as_array().unwrap())
        .find(|g| g["asset"]["id"] == GRANDCHILD);
    assert!(deep.is_some(), "{v}");

    let bad = assetui(&["--demo", "tree", "asset_nope"]).await;
    assert_eq!(bad.status.code(), Some(1));
}

// ---------------------------------------------------------------------------
// The pane, drawn
// ---------------------------------------------------------------------------

fn view(v: Value) -> AssetView {
    scenario::view(serde_json::from_value(v).unwrap())
}

/// The browser at 80×24 (with or without images) with the tree pane open
/// on "Castle red night", a grandchild of five: the castle family read
/// whole, plus an asset whose parent is missing.
fn castle_family_at_80x24(images: bool) -> State {
    let mut state = State::new("demo library".into(), Keymap::default(), images, 48, 80, 24);
    let family = [
        (
            "asset_castle",
            None,
            "Castle at dawn",
            "inference-txt2img",
            "2026-03-14",
        ),
        (
            "asset_c1",
            Some("asset_castle"),
            "Castle, misty variation",
            "inference-img2img",
            "2026-03-15",
        ),
        (
            "asset_c2",
            Some("asset_castle"),
            "Castle (×4)",
            "upscale",
            "2026-03-16",
        ),
        (
            "asset_c3",
            Some("asset_c1"),
            "Castle, no background",
            "background-removal",
            "2026-03-17",
        ),
        (
            "asset_c4",
            Some("asset_c1"),
            "Castle \u{1b}[31mred\u{1b}[0m night",
            "inference-img2img",
            "2026-03-18",
        ),
    ];
    let views: Vec<AssetView> = family
        .iter()
        .map(|(id, parent, name, ty, date)| {
            let mut v = json!({"id": id, "createdAt": format!("{date}T10:00:00.000Z"), "kind": "image",
                "metadata": {"name": name, "type": ty}});
            if let Some(p) = parent {
                v["metadata"]["parentId"] = (*p).into();
                v["metadata"]["rootParentId"] = "asset_castle".into();
            }
            view(v)
        })
        .collect();
    let generation = state.list.generation;
    let _ = app::update(
        &mut state,
        Msg::Page {
            generation,
            result: Ok(assetui::provider::Page {
                items: vec![views[4].clone()],
                next: None,
                total: None,
            }),
        },
    );
    let _ = app::update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('L'), KeyModifiers::SHIFT)),
    );
    let generation = state.lineage.pane.as_ref().unwrap().generation;
    let mut send = |msg| {
        let _ = app::update(&mut state, Msg::Tree { generation, msg });
    };
    send(TreeMsg::Root(Box::new(Chain {
        root: views[0].clone(),
        path: vec![views[1].clone(), views[4].clone()],
        problems: vec![],
    })));
    send(TreeMsg::Listed(views[1..].to_vec()));
    send(TreeMsg::Listed(vec![view(
        json!({"id": "asset_lost", "metadata": {"parentId": "asset_gone"}}),
    )]));
    send(TreeMsg::ListingDone(Walked::Complete));
    state
}

fn draw_80x24(state: &State) -> String {
    let backend = TestBackend::new(80, 24);
    let mut terminal = Terminal::new(backend).unwrap();
    terminal.draw(|f| assetui::ui::draw(state, f)).unwrap();
    buffer_text(terminal.backend().buffer())
}

fn press(state: &mut State, c: char) {
    let _ = app::update(
        state,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
    );
}

#[test]
fn the_tree_pane_at_80x24() {
    let state = castle_family_at_80x24(false);
    let screen = draw_80x24(&state);
    assert!(!screen.contains('\u{1b}'));
    insta::assert_snapshot!("tree_pane_80x24", screen);
}

/// With thumbnails (three-line rows) 80×24 holds three whole rows and
/// the name and type of a fourth: the cursor on the fourth node keeps the
/// root in view, and only a cursor past it scrolls.
#[test]
fn the_tree_pane_with_thumbnails_at_80x24_keeps_the_root_in_view() {
    let mut state = castle_family_at_80x24(true);
    assert_eq!(state.geometry.row_height, 3);
    let pane = |s: &State| {
        let p = s.lineage.pane.as_ref().unwrap();
        (p.cursor, p.offset)
    };
    assert_eq!(pane(&state), (3, 0), "the cursor on the asked asset");
    let screen = draw_80x24(&state);
    assert!(!screen.contains('\u{1b}'));
    let shown = |screen: &str, name: &str| screen.lines().take(13).any(|l| l.contains(name));
    assert!(shown(&screen, "▾ Castle at dawn"), "the root:\n{screen}");
    assert!(shown(&screen, "Castle [31mred[0m night"), "{screen}");
    insta::assert_snapshot!("tree_pane_thumbnails_80x24", screen);
    // past the fourth row the view scrolls, as little as it must
    press(&mut state, 'j');
    assert_eq!(pane(&state), (4, 2));
    let screen = draw_80x24(&state);
    assert!(
        !shown(&screen, "Castle at dawn") && shown(&screen, "Castle (×4)"),
        "{screen}"
    );
    // and back on the fourth, the root comes back
    press(&mut state, 'k');
    assert_eq!(pane(&state), (3, 0));
    assert!(shown(&draw_80x24(&state), "▾ Castle at dawn"));
}
