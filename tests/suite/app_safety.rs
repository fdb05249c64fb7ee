//! Issue 18 (gaps 3 to 5) against the demo server: `z` undoes a tag edit
//! and `F`, an id typed in `/` finds an asset not loaded, and `v`'s
//! density is written into config.toml and read at the next start. Real
//! `update()`, real workers, keys injected; waits are on messages with
//! timeouts, never sleeps.

use std::collections::HashSet;
use std::time::Duration;

use crossterm::event::KeyCode;

use assetui::api::params::ListAssetsQuery;
use assetui::api::{Client, ClientOptions};
use assetui::app::layout::Density;
use assetui::headless::Headless;
use assetui::server::{self, Running, ServerConfig};
use ratatui_image::picker::Picker;

const T: Duration = Duration::from_secs(20);

/// A browser on the demo server; `images`: thumbnails drawn with half
/// blocks (three-line rows), else none (one-line rows).
async fn browser(images: bool, w: u16, h: u16) -> (Running, Client, Headless) {
    let running = server::start(ServerConfig::default())
        .await
        .expect("demo server starts");
    let client = Client::new(ClientOptions::new(running.base_url.clone())).unwrap();
    let mut b = Headless::new(client.clone(), images.then(Picker::halfblocks), w, h);
    b.start();
    b.wait_for("first page", T, |s| !s.list.entries.is_empty())
        .await
        .unwrap();
    (running, client, b)
}

async fn notice(b: &mut Headless, what: &str, wanted: &str) {
    let found = b
        .wait_for(what, T, |s| {
            s.notice.as_ref().is_some_and(|n| n.text.contains(wanted))
        })
        .await;
    if let Err(e) = found {
        panic!("{e}: {:?}", b.state.notice);
    }
}

#[tokio::test]
async fn z_undoes_a_tag_edit_on_the_server() {
    let (_s, client, mut b) = browser(false, 120, 40).await;
    let id = b.state.list.current().unwrap().asset.id.clone();
    b.char('t');
    b.type_text("undo-me");
    b.key(KeyCode::Enter);
    notice(&mut b, "tagged", "tagged 1 asset undo-me").await;
    b.key(KeyCode::Esc);
    let tags = client.get_asset(&id).await.unwrap().tags().to_vec();
    assert!(tags.contains(&"undo-me".to_string()), "{tags:?}");
    b.char('z');
    notice(&mut b, "undone", "undone: undo-me added to 1 asset").await;
    let tags = client.get_asset(&id).await.unwrap().tags().to_vec();
    assert!(!tags.contains(&"undo-me".to_string()), "{tags:?}");
    let shown = b.state.list.current().unwrap().asset.tags.clone();
    assert!(!shown.contains(&"undo-me".to_string()), "{shown:?}");
}

#[tokio::test]
async fn z_brings_back_the_filters_f_cleared() {
    let (_s, _client, mut b) = browser(false, 120, 40).await;
    b.char('f');
    b.key(KeyCode::Enter); // Types: opens the picker
    b.type_text("upsc");
    b.char(' ');
    b.key(KeyCode::Enter);
    b.key(KeyCode::Esc);
    b.wait_for("filtered list", T, |s| s.list.is_complete())
        .await
        .unwrap();
    assert_eq!(b.state.list.entries.len(), 9);
    b.char('F');
    b.wait_for("all assets again", T, |s| s.list.entries.len() == 50)
        .await
        .unwrap();
    b.char('z');
    assert_eq!(b.state.filters.types, vec!["upscale"]);
    b.wait_for("the filtered list again", T, |s| {
        s.list.is_complete() && s.list.entries.len() == 9
    })
    .await
    .unwrap();
    assert!(b
        .state
        .list
        .entries
        .iter()
        .all(|e| e.row.type_label == "upscale"));
    assert!(b.screen().contains("type:upscale"));
    assert!(
        b.screen().contains("undone: 1 cleared filter back"),
        "{}",
        b.screen()
    );
}

/// Every asset id the server lists, all pages.
async fn all_ids(client: &Client) -> Vec<String> {
    let mut ids = Vec::new();
    let mut q = ListAssetsQuery {
        page_size: Some(100),
        ..Default::default()
    };
    loop {
        let page = client.list_assets_page(&q).await.unwrap();
        ids.extend(page.assets.into_iter().map(|a| a.id));
        match page.next_pagination_token.filter(|t| !t.is_empty()) {
            Some(t) => q.pagination_token = Some(t),
            None => return ids,
        }
    }
}

#[tokio::test]
async fn an_id_typed_in_the_search_box_fetches_an_asset_not_loaded() {
    let (_s, client, mut b) = browser(false, 120, 40).await;
    let loaded: HashSet<String> = b
        .state
        .list
        .entries
        .iter()
        .map(|e| e.asset.id.clone())
        .collect();
    let far = all_ids(&client)
        .await
        .into_iter()
        .find(|id| !loaded.contains(id))
        .expect("an asset past the first page");
    b.forget_sent();
    b.char('/');
    b.type_text(&far);
    b.key(KeyCode::Enter);
    b.wait_for("the asset in the inspector", T, |s| {
        s.inspector.asset.as_ref().is_some_and(|a| a.id == far)
    })
    .await
    .unwrap();
    assert!(
        b.state.inspector.detached,
        "shown as a jump (Backspace back)"
    );
    assert!(!b.state.search.active && !b.state.search.open);
    assert!(
        b.sent().iter().all(|c| !c.starts_with("Search(")),
        "no text search for an id: {:?}",
        b.sent()
    );
    // one that is loaded: the cursor goes to it
    let near = b.state.list.entries[7].asset.id.clone();
    b.key(KeyCode::Esc);
    b.char('/');
    b.type_text(&near);
    b.key(KeyCode::Enter);
    assert_eq!(b.state.list.current().unwrap().asset.id, near);
}

#[tokio::test]
async fn the_density_is_kept_in_the_config_file_and_read_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("assetui").join("config.toml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let before = "# my settings\nclipboard = \"osc52\" # keep this\n\n[downloads]\njobs = 2\n";
    std::fs::write(&path, before).unwrap();
    let (_s, client, mut b) = browser(true, 80, 24).await;
    assert_eq!(b.state.geometry.visible_items(), 3);
    b.set_config_path(path.clone());
    b.char('v'); // grid
    b.char('v'); // compact
    assert_eq!(b.state.density, Density::Compact);
    notice(&mut b, "the density kept", "density: compact (kept in").await;
    let text = std::fs::read_to_string(&path).unwrap();
    for kept in [
        "# my settings",
        "clipboard = \"osc52\" # keep this",
        "[downloads]",
        "jobs = 2",
    ] {
        assert!(text.contains(kept), "{kept} lost:\n{text}");
    }
    assert!(text.contains("density = \"compact\""), "{text}");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // the next start reads it, as the browser does
    let loaded = assetui::config::load(&path).unwrap().unwrap();
    assert_eq!(loaded.config.density, Some(Density::Compact));
    assert_eq!(loaded.config.downloads.jobs, Some(2));
    let mut again = Headless::new(client, Some(Picker::halfblocks()), 80, 24);
    again
        .state
        .set_density(loaded.config.density.unwrap_or_default());
    again.start();
    again
        .wait_for("first page", T, |s| !s.list.entries.is_empty())
        .await
        .unwrap();
    assert!(again.state.geometry.visible_items() >= 10);
    let screen = again.screen();
    assert!(screen.contains("compact"), "{screen}");
}
