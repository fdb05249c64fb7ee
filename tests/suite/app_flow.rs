//! The whole browser without a terminal: real `update()`, real workers,
//! the demo server on loopback, keys injected. Waits are on messages with
//! timeouts, never sleeps.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui_image::picker::Picker;

use assetui::api::retry::RetryPolicy;
use assetui::api::{Client, ClientOptions};
use assetui::app::images::Slot;
use assetui::app::inspector::Detail;
use assetui::app::list::Loading;
use assetui::app::state::{Focus, Overlay};
use assetui::app::Msg;
use assetui::headless::Headless;
use assetui::server::{self, Running, ServerConfig};
use assetui::worker::images::{ImageKey, Variant};

const T: Duration = Duration::from_secs(20);

async fn demo(config: ServerConfig) -> (Running, Client) {
    let running = server::start(config).await.expect("demo server starts");
    let client = Client::new(ClientOptions::new(running.base_url.clone())).unwrap();
    (running, client)
}

async fn browser(images: bool, w: u16, h: u16) -> (Running, Headless) {
    let (running, client) = demo(ServerConfig::default()).await;
    let mut b = Headless::new(client, images.then(Picker::halfblocks), w, h);
    b.start();
    b.wait_for("first page", T, |s| !s.list.entries.is_empty())
        .await
        .unwrap();
    (running, b)
}

fn current_id(b: &Headless) -> String {
    b.state.list.current().unwrap().asset.id.clone()
}

fn inspected_id(b: &Headless) -> Option<String> {
    b.state.inspector.asset.as_ref().map(|a| a.id.clone())
}

#[tokio::test]
async fn the_inspector_follows_the_cursor_and_loads_details_where_it_rests() {
    let (_s, mut b) = browser(false, 120, 40).await;
    assert_eq!(inspected_id(&b), Some(current_id(&b)));
    assert!(b.screen().contains("Glass chime"));
    b.char('j');
    assert_eq!(b.state.list.cursor, 1);
    assert_eq!(inspected_id(&b), Some(current_id(&b)));
    b.wait_for("details", T, |s| s.inspector.detail == Detail::Loaded)
        .await
        .unwrap();
    let screen = b.screen();
    assert!(screen.contains("Riverstone boulder"), "{screen}");
    assert!(screen.contains(" 2/"), "{screen}");
}

#[tokio::test]
async fn holding_j_fetches_details_only_where_the_selection_rests() {
    let (_s, mut b) = browser(false, 120, 40).await;
    b.forget_sent();
    for _ in 0..30 {
        b.char('j');
    }
    assert_eq!(b.state.list.cursor, 30);
    b.wait_for("details of the resting row", T, |s| {
        s.inspector.detail == Detail::Loaded
    })
    .await
    .unwrap();
    let details = b.sent().iter().filter(|c| c.contains("Detail")).count();
    assert_eq!(details, 1, "{:#?}", b.sent());
    assert_eq!(inspected_id(&b), Some(current_id(&b)));
}

#[tokio::test]
async fn the_next_page_is_fetched_before_the_cursor_reaches_the_end() {
    let (_s, mut b) = browser(false, 80, 24).await;
    assert_eq!(b.state.list.entries.len(), 50);
    assert_eq!(b.state.list.loading, Loading::Idle);
    // far from the end: nothing more is asked
    b.char('j');
    assert_eq!(b.state.list.loading, Loading::Idle);
    // move down until the prefetch starts: it does before the last row
    while b.state.list.loading == Loading::Idle && b.state.list.cursor < 49 {
        b.char('j');
    }
    assert_eq!(b.state.list.loading, Loading::Fetching, "prefetch started");
    assert!(b.state.list.cursor < 40, "at {}", b.state.list.cursor);
    b.wait_for("the last page", T, |s| s.list.is_complete())
        .await
        .unwrap();
    assert_eq!(b.state.list.entries.len(), 71);
    b.char('G');
    assert_eq!(b.state.list.cursor, 70);
    assert!(b.screen().contains("71/71"));
    b.char('g');
    assert_eq!(b.state.list.cursor, 0);
}

#[tokio::test]
async fn the_type_picker_filters_and_f_clears() {
    let (_s, mut b) = browser(false, 120, 40).await;
    b.char('f');
    assert!(matches!(b.state.overlay, Some(Overlay::Filters(_))));
    b.key(KeyCode::Enter); // Types: opens the picker
    b.type_text("upsc");
    let screen = b.screen();
    assert!(screen.contains("[ ] upscale"), "{screen}");
    b.char(' ');
    b.key(KeyCode::Enter);
    assert_eq!(b.state.filters.types, vec!["upscale"]);
    b.wait_for("filtered list", T, |s| s.list.is_complete())
        .await
        .unwrap();
    assert_eq!(b.state.list.entries.len(), 9);
    assert!(b
        .state
        .list
        .entries
        .iter()
        .all(|e| e.row.type_label == "upscale"));
    b.key(KeyCode::Esc);
    assert!(b.state.overlay.is_none());
    assert!(b.screen().contains("type:upscale"));
    b.char('F');
    b.wait_for("all assets again", T, |s| s.list.entries.len() == 50)
        .await
        .unwrap();
    assert!(b.state.filters.is_default());
}

#[tokio::test]
async fn a_filter_change_voids_what_was_in_flight_for_the_old_one() {
    let (_s, client) = demo(ServerConfig {
        latency: Duration::from_millis(150),
        ..ServerConfig::default()
    })
    .await;
    let mut b = Headless::new(client, None, 120, 40);
    b.start();
    let old = b.state.list.generation;
    assert_eq!(b.state.list.loading, Loading::Fetching);
    // change the filter while the first page is on its way
    b.char('f');
    for _ in 0..1 {
        b.char('j');
    }
    b.key(KeyCode::Enter); // Privacy cycles to "private"
    assert_eq!(b.state.filters.privacy.as_deref(), Some("private"));
    assert!(b.state.list.generation > old);
    b.wait_for("the filtered page", T, |s| s.list.pages >= 1)
        .await
        .unwrap();
    // the unfiltered answer arrived too, and was dropped
    assert!(b.state.list.entries.iter().all(|e| e
        .asset
        .scenario()
        .unwrap()
        .privacy
        .as_ref()
        .map(|p| p.as_str())
        == Some("private")));
    // a stale page sent now changes nothing
    let before = b.state.list.entries.len();
    b.send(Msg::Page {
        generation: old,
        result: Ok(Default::default()),
    });
    assert_eq!(b.state.list.entries.len(), before);
}

#[tokio::test]
async fn collections_are_picked_from_the_api() {
    let (_s, mut b) = browser(false, 120, 40).await;
    b.wait_for("collections", T, |s| s.collections.loaded)
        .await
        .unwrap();
    b.char('f');
    for _ in 0..4 {
        b.char('j');
    }
    b.key(KeyCode::Enter);
    b.type_text("night");
    b.key(KeyCode::Enter);
    let (id, name) = b.state.filters.collection.clone().expect("a collection");
    assert_eq!(name, "Night moods");
    b.wait_for("collection list", T, |s| s.list.is_complete())
        .await
        .unwrap();
    assert!(!b.state.list.entries.is_empty());
    assert!(b.state.list.entries.iter().all(|e| e
        .asset
        .scenario()
        .unwrap()
        .collection_ids()
        .contains(&id)));
}

#[tokio::test]
async fn parent_and_root_jumps_and_back() {
    let (_s, mut b) = browser(false, 120, 40).await;
    b.char('G');
    b.wait_for("all", T, |s| s.list.is_complete())
        .await
        .unwrap();
    // an upscale whose parent is listed
    let i = b
        .state
        .list
        .entries
        .iter()
        .position(|e| e.row.type_label == "upscale" && e.asset.parent.as_deref().is_some())
        .expect("an upscale with a parent");
    b.state.list.select(i);
    b.char('k');
    b.char('j');
    let child = current_id(&b);
    let parent = b.state.list.entries[i]
        .asset
        .parent
        .as_deref()
        .unwrap()
        .to_string();
    b.char('p');
    assert_eq!(inspected_id(&b), Some(parent.clone()));
    b.key(KeyCode::Backspace);
    assert_eq!(inspected_id(&b), Some(child.clone()));
    b.char('P');
    let root = b.state.inspector.asset.clone().unwrap();
    assert!(root.root.as_deref().is_none() || root.id != child);
}

#[tokio::test]
async fn a_jump_outside_the_list_fetches_the_asset() {
    let (_s, mut b) = browser(false, 120, 40).await;
    // filter to upscales only: their parents are not listed
    b.char('f');
    b.key(KeyCode::Enter);
    b.type_text("upscale");
    b.char(' ');
    b.key(KeyCode::Enter);
    b.key(KeyCode::Esc);
    b.wait_for("upscales", T, |s| s.list.is_complete())
        .await
        .unwrap();
    let i = b
        .state
        .list
        .entries
        .iter()
        .position(|e| e.asset.parent.as_deref().is_some())
        .unwrap();
    b.state.list.select(i);
    b.char('j');
    b.char('k');
    let parent = b
        .state
        .list
        .current()
        .unwrap()
        .asset
        .parent
        .as_deref()
        .unwrap()
        .to_string();
    b.char('p');
    b.wait_for("jumped", T, |s| s.inspector.detached)
        .await
        .unwrap();
    assert_eq!(inspected_id(&b), Some(parent));
    assert_eq!(b.state.focus, Focus::Inspector);
    let screen = b.screen();
    assert!(screen.contains("jumped"));
    assert!(!screen.contains("opening"), "{screen}");
    b.key(KeyCode::Backspace);
    assert!(!b.state.inspector.detached);
    assert_eq!(inspected_id(&b), Some(current_id(&b)));
}

#[tokio::test]
async fn a_failed_page_shows_why_and_r_retries() {
    let (running, _) = demo(ServerConfig::default()).await;
    // a port nobody listens on, then the real server
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/v1", closed.local_addr().unwrap());
    drop(closed);
    let client = Client::new(ClientOptions::new(dead).retry(RetryPolicy::none())).unwrap();
    let mut b = Headless::new(client, None, 120, 40);
    b.start();
    b.wait_for("failure", T, |s| {
        matches!(s.list.loading, Loading::Failed(_))
    })
    .await
    .unwrap();
    let screen = b.screen();
    assert!(screen.contains("Could not load the assets"), "{screen}");
    assert!(screen.contains("press r to retry"), "{screen}");
    // input still works while failed
    b.char('?');
    assert!(matches!(b.state.overlay, Some(Overlay::Help { .. })));
    b.key(KeyCode::Esc);
    // now the server answers
    let mut b2 = Headless::new(
        Client::new(ClientOptions::new(running.base_url.clone())).unwrap(),
        None,
        120,
        40,
    );
    b2.state.list.loading = Loading::Failed("earlier".into());
    b2.char('r');
    b2.wait_for("retried", T, |s| !s.list.entries.is_empty())
        .await
        .unwrap();
}

#[tokio::test]
async fn thumbnails_load_for_visible_rows_only() {
    let (_s, mut b) = browser(true, 120, 40).await;
    let visible = b.state.geometry.visible_items();
    b.wait_for("visible thumbnails", T, |s| {
        (0..visible).all(|i| {
            let key = ImageKey {
                asset_id: s.list.entries[i].asset.id.clone(),
                variant: Variant::Thumbnail,
                cells: assetui::app::layout::ROW_THUMB,
            };
            s.images.contains(&key)
        })
    })
    .await
    .unwrap();
    // the last rows of the page are more than a screen away: never asked
    let far = &b.state.list.entries[49].asset.id;
    assert!(
        !b.sent().iter().any(|c| c.contains(far.as_str())),
        "{far} was requested"
    );
    // and the preview of the resting selection
    let id = current_id(&b);
    b.wait_for("preview", T, |s| {
        s.images
            .get(&ImageKey {
                asset_id: id.clone(),
                variant: Variant::Preview,
                cells: {
                    let p = s.geometry.preview.unwrap();
                    (p.width, p.height)
                },
            })
            .is_some()
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn an_expired_link_refetches_the_asset_and_tries_again() {
    let (_s, client) = demo(ServerConfig::default()).await;
    let mut page = client.list_assets_page(&Default::default()).await.unwrap();
    // spoil the signature of the first asset's links
    let first = &mut page.assets[0];
    let id = first.id.clone();
    let spoil = |u: &mut Option<String>| {
        if let Some(url) = u {
            *url = url.replace("signature=", "signature=00");
        }
    };
    spoil(&mut first.url);
    if let Some(t) = first.thumbnail.as_mut() {
        spoil(&mut t.url);
    }
    if let Some(t) = first.preview.as_mut() {
        spoil(&mut t.url);
    }
    let mut b = Headless::new(client, Some(Picker::halfblocks()), 120, 40);
    b.state.list.loading = Loading::Fetching;
    let generation = b.state.list.generation;
    b.send(Msg::Page {
        generation,
        result: Ok(assetui::provider::scenario::list_page(page)),
    });
    let key = ImageKey {
        asset_id: id.clone(),
        variant: Variant::Thumbnail,
        cells: assetui::app::layout::ROW_THUMB,
    };
    b.wait_for("the thumbnail after a fresh link", T, |s| {
        matches!(s.images.get(&key), Some(Slot::Ready(_)))
    })
    .await
    .unwrap();
    assert!(b
        .sent()
        .iter()
        .any(|c| c.contains("Refresh") && c.contains(&id)));
    assert!(b.state.refreshed.contains(&id));
}

#[tokio::test]
async fn mouse_clicks_select_and_the_wheel_scrolls() {
    let (_s, mut b) = browser(false, 120, 40).await;
    let r = b.state.geometry.list_inner;
    let click = |row: u16| {
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: r.x + 3,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    b.send(click(r.y + 4 * b.state.geometry.row_height));
    assert_eq!(b.state.list.cursor, 4);
    b.send(Msg::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: r.x + 3,
        row: r.y,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(b.state.list.cursor, 5);
    let ins = b.state.geometry.inspector.unwrap();
    b.send(Msg::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: ins.x + 2,
        row: ins.y + 2,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(b.state.focus, Focus::Inspector);
}

#[tokio::test]
async fn grid_raw_json_focus_and_quit() {
    let (_s, mut b) = browser(false, 120, 40).await;
    b.char('v');
    assert!(b.state.grid);
    let cols = b.state.geometry.per_line();
    assert!(cols > 1);
    b.char('j');
    assert_eq!(b.state.list.cursor, cols);
    b.char('l');
    assert_eq!(b.state.list.cursor, cols + 1);
    b.key(KeyCode::Enter);
    assert_eq!(b.state.focus, Focus::Inspector);
    b.char('J');
    assert!(b.state.inspector.raw);
    assert!(b.screen().contains("raw JSON"));
    b.char('j');
    assert_eq!(b.state.inspector.scroll, 1);
    b.key(KeyCode::Tab);
    assert_eq!(b.state.focus, Focus::List);
    b.char('q');
    assert!(b.quit);
}

#[tokio::test]
async fn resizing_at_any_moment_keeps_a_consistent_screen() {
    let (_s, mut b) = browser(true, 120, 40).await;
    for (w, h) in [
        (80, 24),
        (200, 60),
        (20, 5),
        (1, 1),
        (0, 0),
        (160, 50),
        (80, 24),
    ] {
        b.send(Msg::Resize(w, h));
        b.char('j');
        b.char('v');
        let _ = b.screen();
    }
    assert!(b.state.geometry.stacked, "80 columns stack the inspector");
    let screen = b.screen();
    assert!(screen.contains("Inspector"), "{screen}");
}

fn status_line(b: &Headless) -> String {
    let screen = b.screen();
    screen.lines().last().unwrap_or_default().to_string()
}

#[tokio::test]
async fn y_copies_the_id_and_c_the_prompt_and_the_status_bar_says_so() {
    use assetui::clipboard::Route;
    let (_s, mut b) = browser(false, 120, 40).await;
    // go to an asset that has a prompt
    while b
        .state
        .inspector
        .asset
        .as_ref()
        .and_then(|a| a.prompt.clone())
        .is_none_or(|p| p.trim().is_empty())
    {
        b.char('j');
    }
    let id = current_id(&b);
    let prompt = b
        .state
        .inspector
        .asset
        .as_ref()
        .unwrap()
        .prompt
        .clone()
        .unwrap();

    b.char('y');
    assert_eq!(
        b.copied.last(),
        Some(&("asset id", Route::Osc52, id.clone()))
    );
    let status = status_line(&b);
    assert!(status.contains("copied the asset id"), "{status}");

    b.char('c');
    assert_eq!(b.copied.last(), Some(&("prompt", Route::Osc52, prompt)));
    assert!(status_line(&b).contains("copied the prompt"));
}

#[tokio::test]
async fn big_y_copies_a_fresh_signed_link_to_the_file() {
    let (s, mut b) = browser(false, 120, 40).await;
    let id = current_id(&b);
    b.char('Y');
    assert!(b
        .sent()
        .iter()
        .any(|c| c.contains("CopyLink") && c.contains(&id)));
    b.wait_for("the link copied", T, |s| {
        s.notice.as_ref().is_some_and(|n| n.text.contains("copied"))
    })
    .await
    .unwrap();
    let (what, _, link) = b.copied.last().unwrap().clone();
    assert_eq!(what, "link");
    assert!(link.starts_with(&s.base_url), "{link}");
    assert!(link.contains(&id) && link.contains("signature="), "{link}");
    // the link works
    let body = reqwest::get(&link).await.unwrap();
    assert_eq!(body.status(), 200);
}

/// In demo mode the link points at this process's own server: the
/// status says it works only while assetui runs; the id's copy does not.
#[tokio::test]
async fn a_link_copied_in_demo_mode_says_it_works_only_while_assetui_runs() {
    let (_s, mut b) = browser(false, 120, 40).await;
    b.state.demo = true;
    b.char('Y');
    b.wait_for("the link copied", T, |s| {
        s.notice.as_ref().is_some_and(|n| n.text.contains("copied"))
    })
    .await
    .unwrap();
    assert_eq!(b.copied.last().unwrap().0, "link");
    let said = b.state.notice.clone().unwrap().text;
    assert!(
        said.contains("copied a demo link (it works only while assetui runs)"),
        "{said}"
    );
    b.char('y');
    let said = b.state.notice.clone().unwrap().text;
    assert!(
        said.contains("copied the asset id") && !said.contains("demo link"),
        "{said}"
    );
    // against a real service, no such notice
    b.state.demo = false;
    b.state.notice = None;
    b.char('Y');
    b.wait_for("the link copied again", T, |s| {
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("copied the link"))
    })
    .await
    .unwrap();
    assert!(!b.state.notice.clone().unwrap().text.contains("demo link"));
}

#[tokio::test]
async fn a_failing_system_clipboard_falls_back_to_osc52() {
    use assetui::clipboard::Route;
    let (_s, mut b) = browser(false, 120, 40).await;
    b.route = Route::Native;
    b.native_fails = true;
    let id = current_id(&b);
    b.char('y');
    assert_eq!(b.copied, vec![("asset id", Route::Osc52, id)]);
    let status = status_line(&b);
    assert!(status.contains("OSC 52"), "{status}");

    // and a working one is used as is
    b.native_fails = false;
    b.char('y');
    assert_eq!(b.copied.last().unwrap().1, Route::Native);
}

#[tokio::test]
async fn d_downloads_the_asset_and_the_pane_shows_it_done() {
    use assetui::download::queue::{Config, Phase};
    let (s, mut b) = browser(false, 120, 40).await;
    let out = tempfile::tempdir().unwrap();
    let client = Client::new(ClientOptions::new(s.base_url.clone())).unwrap();
    b.attach_downloads(client, Config::new(out.path().to_path_buf()));
    let id = current_id(&b);
    b.char('d');
    assert!(b
        .sent()
        .iter()
        .any(|c| c.contains("Downloads(Add") && c.contains(&id)));
    assert!(status_line(&b).contains("queued"), "{}", status_line(&b));
    b.wait_for("the download to finish", T, |st| {
        st.downloads
            .snapshot
            .items
            .iter()
            .any(|i| i.phase == Phase::Done)
    })
    .await
    .unwrap();
    let item = b.state.downloads.snapshot.items[0].clone();
    let path = item.path.clone().unwrap();
    assert!(path.starts_with(out.path()));
    assert!(std::fs::metadata(&path).unwrap().len() > 0);
    assert!(
        status_line(&b).contains("downloaded"),
        "{}",
        status_line(&b)
    );
    // the pane lists it, done, with where it went
    b.char('D');
    assert!(matches!(b.state.overlay, Some(Overlay::Downloads)));
    let screen = b.screen();
    assert!(screen.contains(" Transfers "), "{screen}");
    assert!(
        screen.contains("done") && screen.contains("1/1 done"),
        "{screen}"
    );
    let shown = path.file_name().unwrap().to_str().unwrap();
    assert!(screen.contains(&shown[..20.min(shown.len())]), "{screen}");
    // y copies its path; Esc closes the pane
    b.char('y');
    assert_eq!(b.copied.last().unwrap().2, path.display().to_string());
    b.key(KeyCode::Esc);
    assert!(b.state.overlay.is_none());
}

// ---------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------

/// Demo asset id → family (variations of one picture share one).
fn families() -> std::collections::HashMap<String, String> {
    assetui::server::manifest::embedded()
        .unwrap()
        .assets
        .into_iter()
        .filter_map(|a| a.family.map(|f| (a.id, f)))
        .collect()
}

/// Waits for search results: nothing typed pending, no image being read,
/// the first page of the current search in.
async fn results(b: &mut Headless, what: &str) {
    b.wait_for(what, T, |s| {
        s.search.active
            && !s.search.pending
            && s.search.resolving.is_none()
            && s.list.pages >= 1
            && s.list.loading != Loading::Fetching
    })
    .await
    .unwrap();
}

pub(crate) fn result_ids(b: &Headless) -> Vec<String> {
    b.state
        .list
        .entries
        .iter()
        .map(|e| e.asset.id.clone())
        .collect()
}

fn searches_sent(b: &Headless) -> Vec<String> {
    b.sent()
        .iter()
        .filter(|c| c.starts_with("Search("))
        .cloned()
        .collect()
}

async fn all_loaded(b: &mut Headless) -> usize {
    b.char('G');
    b.wait_for("every asset", T, |s| s.list.is_complete())
        .await
        .unwrap();
    b.char('g');
    b.state.list.entries.len()
}

#[tokio::test]
async fn a_text_search_narrows_the_list_to_one_family() {
    let (_s, mut b) = browser(false, 120, 40).await;
    let all = all_loaded(&mut b).await;
    let fam = families();
    b.char('/');
    assert!(b.state.search.open);
    b.type_text("lagoon");
    results(&mut b, "lagoon results").await;
    let found = result_ids(&b);
    assert!(
        !found.is_empty() && found.len() < all,
        "{} of {all}",
        found.len()
    );
    for id in &found {
        assert_eq!(fam.get(id).map(String::as_str), Some("underwater"), "{id}");
    }
    let screen = b.screen();
    assert!(screen.contains("Search \"lagoon\""), "{screen}");
    let status = status_line(&b);
    assert!(
        status.contains(&format!("search: {} results", found.len())),
        "{status}"
    );
    // Enter keeps the results and gives the keys back to the list
    b.key(KeyCode::Enter);
    assert!(!b.state.search.open && b.state.search.active);
    b.char('j');
    assert_eq!(b.state.list.cursor, 1);
}

#[tokio::test]
async fn typing_fast_sends_one_search_and_the_last_query_wins() {
    let (_s, client) = demo(ServerConfig {
        latency: Duration::from_millis(100),
        ..ServerConfig::default()
    })
    .await;
    let mut b = Headless::new(client, None, 120, 40);
    b.start();
    b.wait_for("first page", T, |s| !s.list.entries.is_empty())
        .await
        .unwrap();
    let fam = families();
    b.char('/');
    b.type_text("dunes");
    results(&mut b, "dunes").await;
    let sent = searches_sent(&b);
    assert_eq!(sent.len(), 1, "one search for five keys: {sent:#?}");
    assert!(sent[0].contains("query Some(\"dunes\")"), "{sent:?}");
    let dunes_gen = b.state.list.generation;
    let dunes: Vec<assetui::api::models::Asset> = b
        .state
        .list
        .entries
        .iter()
        .map(|e| e.asset.scenario().unwrap().clone())
        .collect();
    assert!(dunes
        .iter()
        .all(|a| fam.get(&a.id).map(String::as_str) == Some("deserts")));
    // a new query typed while the previous one is in flight
    b.ctrl('u');
    b.type_text("pines");
    b.wait_for("the pines search sent", T, |s| {
        !s.search.pending && s.list.loading == Loading::Fetching
    })
    .await
    .unwrap();
    b.ctrl('w');
    b.type_text("pine forest");
    b.key(KeyCode::Enter);
    results(&mut b, "pine forest").await;
    let found = result_ids(&b);
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|id| fam.get(id).map(String::as_str) == Some("forests")),
        "{found:?}"
    );
    assert!(searches_sent(&b)
        .last()
        .unwrap()
        .contains("query Some(\"pine forest\")"));
    // an answer for the older query, arriving now, changes nothing
    b.send(Msg::SearchPage {
        generation: dunes_gen,
        paging: assetui::api::params::SearchPaging::Page {
            page: 1,
            hits_per_page: 50,
        },
        result: Ok(assetui::provider::scenario::search_page(
            assetui::api::params::SearchPaging::Page {
                page: 1,
                hits_per_page: 50,
            },
            assetui::api::models::SearchResponse {
                hits: dunes,
                ..Default::default()
            },
        )),
    });
    assert_eq!(result_ids(&b), found);
    assert!(b.screen().contains("Search \"pine forest\""));
}

#[tokio::test]
async fn esc_goes_back_to_the_browsed_list_at_the_same_asset() {
    let (_s, mut b) = browser(false, 120, 40).await;
    // no page in flight: whatever is sent after Esc would be a reload
    all_loaded(&mut b).await;
    for _ in 0..12 {
        b.char('j');
    }
    let (cursor, id, offset) = (b.state.list.cursor, current_id(&b), b.state.list.offset);
    let browsed = b.state.list.entries.len();
    b.char('/');
    b.type_text("lagoon");
    b.key(KeyCode::Enter);
    results(&mut b, "results").await;
    b.char('j');
    assert_ne!(current_id(&b), id);
    let sent_before = b.sent().len();
    b.key(KeyCode::Esc);
    assert!(!b.state.search.active);
    assert_eq!(b.state.list.cursor, cursor);
    assert_eq!(b.state.list.offset, offset);
    assert_eq!(current_id(&b), id);
    assert_eq!(inspected_id(&b), Some(id.clone()));
    assert_eq!(b.state.list.entries.len(), browsed);
    // the browsed list was kept, not reloaded
    assert!(!b.sent()[sent_before..]
        .iter()
        .any(|c| c.starts_with("LoadPage") || c.starts_with("Search(")));
    let screen = b.screen();
    assert!(
        screen.contains(" Assets ") && !screen.contains("Search \"lagoon\""),
        "{screen}"
    );
    // and Esc in the box does the same
    b.char('/');
    b.type_text("dunes");
    results(&mut b, "dunes").await;
    assert!(b.state.search.open);
    b.key(KeyCode::Esc);
    assert!(!b.state.search.active && !b.state.search.open);
    assert_eq!(b.state.list.cursor, cursor);
    assert_eq!(current_id(&b), id);
}

/// Moves the cursor to the first asset of a family with variations.
fn select_family_member(b: &mut Headless, fam: &std::collections::HashMap<String, String>) {
    let i = b
        .state
        .list
        .entries
        .iter()
        .position(|e| {
            fam.get(&e.asset.id)
                .is_some_and(|f| fam.values().filter(|g| *g == f).count() >= 6)
        })
        .expect("a family member listed");
    while b.state.list.cursor < i {
        b.char('j');
    }
}

#[tokio::test]
async fn s_puts_the_asset_itself_first() {
    let (_s, mut b) = browser(false, 120, 40).await;
    let fam = families();
    select_family_member(&mut b, &fam);
    let id = current_id(&b);
    b.char('s');
    results(&mut b, "similar").await;
    assert!(searches_sent(&b)
        .last()
        .unwrap()
        .contains(&format!("image \"{id}\"")));
    let found = &b.state.list.entries;
    let own = found.iter().position(|e| e.asset.id == id).unwrap();
    let score = |i: usize| {
        found[i]
            .asset
            .scenario()
            .unwrap()
            .score
            .as_ref()
            .and_then(|s| s.as_f64())
    };
    // an exact twin (same pixels) may tie with it
    assert!(own == 0 || (own == 1 && score(0) == score(1)), "at {own}");
    // its family follows
    let family = fam.get(&id).unwrap();
    let near = found[1..4]
        .iter()
        .filter(|e| fam.get(&e.asset.id) == Some(family))
        .count();
    assert!(near >= 2, "{near} of the next 3 are its variations");
    let screen = b.screen();
    assert!(screen.contains("Like \""), "{screen}");
    assert!(screen.contains("like:"), "{screen}");
}

#[tokio::test]
async fn minus_on_a_result_pushes_its_family_down() {
    let (_s, mut b) = browser(false, 120, 40).await;
    // every result on one page, so ranks compare
    b.state.filters.page_size = 100;
    let fam = families();
    select_family_member(&mut b, &fam);
    let anchor_family = fam.get(&current_id(&b)).unwrap().clone();
    b.char('s');
    results(&mut b, "similar").await;
    let mean_rank = |b: &Headless, family: &str| -> f64 {
        let ranks: Vec<usize> = b
            .state
            .list
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| fam.get(&e.asset.id).map(String::as_str) == Some(family))
            .map(|(i, _)| i)
            .collect();
        ranks.iter().sum::<usize>() as f64 / ranks.len().max(1) as f64
    };
    // the first result of another family
    let i = b
        .state
        .list
        .entries
        .iter()
        .position(|e| fam.get(&e.asset.id).is_some_and(|f| *f != anchor_family))
        .unwrap();
    while b.state.list.cursor < i {
        b.char('j');
    }
    let other = current_id(&b);
    let other_family = fam.get(&other).unwrap().clone();
    let before = mean_rank(&b, &other_family);
    let generation = b.state.list.generation;
    b.char('-');
    // the mark shows at once, in the row, colour or not
    let row = b
        .screen()
        .lines()
        .find(|l| l.starts_with("│▌-"))
        .map(str::to_string);
    assert!(row.is_some(), "{}", b.screen());
    b.wait_for("re-searched", T, |s| s.list.generation > generation)
        .await
        .unwrap();
    results(&mut b, "with the unlike").await;
    let sent = searches_sent(&b);
    assert!(
        sent.last().unwrap().contains("like 1 unlike 1"),
        "{sent:#?}"
    );
    let after = mean_rank(&b, &other_family);
    assert!(after > before, "{other_family}: {before} → {after}");
    // the cursor stayed on the marked asset
    assert_eq!(current_id(&b), other);
    // `=` clears it, and the search runs without it
    b.char('=');
    assert!(b.state.search.marks.is_empty());
}

#[tokio::test]
async fn the_type_filter_goes_into_the_search_filter() {
    let (_s, mut b) = browser(false, 120, 40).await;
    b.char('f');
    b.key(KeyCode::Enter);
    b.type_text("upscale");
    b.char(' ');
    b.key(KeyCode::Enter);
    b.key(KeyCode::Esc);
    b.wait_for("upscales", T, |s| s.list.is_complete())
        .await
        .unwrap();
    let upscales = b.state.list.entries.len();
    // like an upscale: every other asset has pixels, but the filter holds
    b.char('s');
    results(&mut b, "similar upscales").await;
    assert!(searches_sent(&b)
        .last()
        .unwrap()
        .contains(r#"filter Some("type = \"upscale\"")"#));
    assert!(!b.state.list.entries.is_empty() && b.state.list.entries.len() <= upscales);
    assert!(b
        .state
        .list
        .entries
        .iter()
        .all(|e| e.row.type_label == "upscale"));
    // a text query too
    b.char('/');
    b.key(KeyCode::Backspace); // drop the like-image
    b.type_text("mountain");
    results(&mut b, "mountain upscales").await;
    assert!(b
        .state
        .list
        .entries
        .iter()
        .all(|e| e.row.type_label == "upscale"));
    assert!(status_line(&b).contains("1 filter"));
}

#[tokio::test]
async fn a_local_image_path_is_a_reference() {
    let (_s, mut b) = browser(false, 120, 40).await;
    let manifest = assetui::server::manifest::embedded().unwrap();
    let twin = manifest
        .assets
        .iter()
        .find(|a| a.file == "images/forest-01.jpg")
        .unwrap()
        .id
        .clone();
    let dir = tempfile::tempdir().unwrap();
    let src = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/demo/images/forest-01.jpg"
    );
    std::fs::copy(src, dir.path().join("reference.jpg")).unwrap();
    std::fs::write(dir.path().join("readme.txt"), b"not an image").unwrap();
    let d = dir.path().display().to_string();

    // @ and Tab completion
    b.char('/');
    b.type_text(&format!("@{d}/ref"));
    b.key(KeyCode::Tab);
    b.wait_for("completed", T, |s| {
        s.search.input.ends_with("reference.jpg")
    })
    .await
    .unwrap();
    b.key(KeyCode::Enter);
    results(&mut b, "like the file").await;
    assert!(b.sent().iter().any(|c| c.starts_with("ReadImage(")));
    assert!(searches_sent(&b)
        .last()
        .unwrap()
        .contains("image \"data URL\""));
    let top: Vec<String> = result_ids(&b).into_iter().take(2).collect();
    assert!(top.contains(&twin), "{top:?} should hold {twin}");
    assert!(b.screen().contains("reference.jpg"));

    // a plain path to an existing file is an image too
    b.key(KeyCode::Esc);
    b.char('/');
    b.type_text(&format!("{d}/reference.jpg"));
    results(&mut b, "like the plain path").await;
    assert!(result_ids(&b).into_iter().take(2).any(|id| id == twin));

    // a file that is not an image: a clear message, the box still types
    b.ctrl('u');
    b.type_text(&format!("@{d}/readme.txt"));
    b.wait_for("the refusal", T, |s| {
        s.notice.as_ref().is_some_and(|n| n.error)
    })
    .await
    .unwrap();
    let status = status_line(&b);
    assert!(status.contains("readme.txt"), "{status}");
    // the results of the last search stay meanwhile
    assert!(!b.state.list.entries.is_empty());
    assert!(!b.screen().contains("The search failed"));
    b.ctrl('u');
    b.type_text("lagoon");
    results(&mut b, "words again").await;
    assert!(!b.state.list.entries.is_empty());
}
