//! The browser's library edits against the demo server: the tag editor,
//! the multi-selection and its bulk actions, upload and open. Real
//! `update()`, real workers, keys injected; the server is asked afterwards
//! what it holds. Waits are on messages with timeouts, never sleeps.

use std::collections::HashSet;
use std::time::Duration;

use crossterm::event::KeyCode;

use assetui::api::params::ListAssetsQuery;
use assetui::api::{ApiError, Client, ClientOptions};
use assetui::app::state::Overlay;
use assetui::download::queue::{Config, Phase};
use assetui::headless::Headless;
use assetui::server::{self, Running, ServerConfig};

const T: Duration = Duration::from_secs(20);

async fn browser() -> (Running, Client, Headless) {
    let running = server::start(ServerConfig::default())
        .await
        .expect("demo server starts");
    let (client, b) = crate::support::browser_on(&running, T).await;
    (running, client, b)
}

fn status_line(b: &Headless) -> String {
    b.screen().lines().last().unwrap_or_default().to_string()
}

fn current_id(b: &Headless) -> String {
    b.state.list.current().unwrap().asset.id.clone()
}

fn listed_tags(b: &Headless, id: &str) -> Vec<String> {
    let i = b.state.list.position_of(id).expect("listed");
    b.state.list.entries[i].asset.tags.clone()
}

async fn server_tags(client: &Client, id: &str) -> Vec<String> {
    client.get_asset(id).await.unwrap().tags().to_vec()
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

async fn post(running: &Running, path: &str, body: serde_json::Value) {
    let url = format!("{}{path}", running.base_url.trim_end_matches("/v1"));
    let status = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "{path}: {status}");
}

#[tokio::test]
async fn tags_added_and_removed_in_the_editor_are_what_the_server_reports() {
    let (_s, client, mut b) = browser().await;
    let id = current_id(&b);
    b.char('t');
    assert!(matches!(b.state.overlay, Some(Overlay::Tags(_))));
    b.wait_for("the tags in use", T, |s| s.tags.loaded)
        .await
        .unwrap();
    // completion from GET /tags, with counts
    b.type_text("envir");
    let Some(Overlay::Tags(editor)) = &b.state.overlay else {
        panic!("editor closed")
    };
    assert_eq!(
        editor.completions.first(),
        Some(&("environment".to_string(), 30))
    );
    let screen = b.screen();
    assert!(
        screen.contains("environment") && screen.contains("30"),
        "{screen}"
    );
    // Tab takes the completion, Enter adds it; the chip shows at once
    b.key(KeyCode::Tab);
    b.key(KeyCode::Enter);
    assert!(listed_tags(&b, &id).contains(&"environment".to_string()));
    // a new tag, typed in full
    b.type_text("night-shift");
    b.key(KeyCode::Enter);
    assert!(listed_tags(&b, &id).contains(&"night-shift".to_string()));
    b.wait_for("both changes answered", T, |s| {
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("tagged 1 asset night-shift"))
    })
    .await
    .unwrap();
    let on_server = server_tags(&client, &id).await;
    assert!(
        on_server.contains(&"environment".to_string())
            && on_server.contains(&"night-shift".to_string()),
        "{on_server:?}"
    );
    // -tag removes
    b.type_text("-night");
    b.key(KeyCode::Tab);
    b.key(KeyCode::Enter);
    assert!(!listed_tags(&b, &id).contains(&"night-shift".to_string()));
    b.wait_for("the removal answered", T, |s| {
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("removed night-shift"))
    })
    .await
    .unwrap();
    assert!(!server_tags(&client, &id)
        .await
        .contains(&"night-shift".to_string()));
    // the list (a chip after the name) and the inspector show the tag
    b.key(KeyCode::Esc);
    assert!(b.state.overlay.is_none());
    let row = &b.state.list.current().unwrap().row;
    assert!(row.tags.contains(&"environment".to_string()));
    let screen = b.screen();
    assert!(screen.lines().nth(2).unwrap().contains(" #"), "{screen}");
    assert!(
        screen
            .lines()
            .any(|l| l.contains("Tags") && l.contains("environment")),
        "{screen}"
    );
}

#[tokio::test]
async fn a_refused_tag_change_is_rolled_back_with_a_message() {
    let (s, client, mut b) = browser().await;
    let id = current_id(&b);
    let before = server_tags(&client, &id).await;
    post(
        &s,
        "/v1/_demo/faults",
        serde_json::json!({ "faults": ["403"], "path": format!("/v1/assets/{id}/tags") }),
    )
    .await;
    b.char('t');
    b.type_text("doomed");
    b.key(KeyCode::Enter);
    // shown at once…
    assert!(listed_tags(&b, &id).contains(&"doomed".to_string()));
    // …and undone when the server refuses
    b.wait_for("the refusal", T, |s| {
        s.notice.as_ref().is_some_and(|n| n.error)
    })
    .await
    .unwrap();
    assert!(!listed_tags(&b, &id).contains(&"doomed".to_string()));
    let status = status_line(&b);
    assert!(
        status.contains("could not add doomed") && status.contains("undone"),
        "{status}"
    );
    assert_eq!(server_tags(&client, &id).await, before);
    // the editor's chips are the asset's again
    let screen = b.screen();
    let above_status: Vec<&str> = screen.lines().collect();
    let above_status = above_status[..above_status.len() - 2].join("\n");
    assert!(!above_status.contains("doomed"), "{screen}");
}

#[tokio::test]
async fn a_selection_survives_paging_a_filter_change_and_search() {
    let (_s, _client, mut b) = browser().await;
    b.char(' ');
    b.char(' ');
    let first_two: Vec<String> = b.state.selection.ids();
    assert_eq!(first_two.len(), 2);
    // to the end: the later pages load; pick the last one
    b.char('G');
    b.wait_for("every page", T, |s| s.list.is_complete())
        .await
        .unwrap();
    b.char('G');
    b.char(' ');
    assert_eq!(b.state.selection.len(), 3);
    assert!(
        status_line(&b).contains("✓ 3 selected"),
        "{}",
        status_line(&b)
    );
    // a filter change replaces the list; the selection stays
    b.char('f');
    b.key(KeyCode::Enter);
    b.type_text("upsc");
    b.char(' ');
    b.key(KeyCode::Enter);
    b.key(KeyCode::Esc);
    b.wait_for("the filtered list", T, |s| s.list.is_complete())
        .await
        .unwrap();
    assert_eq!(b.state.selection.len(), 3);
    assert!(status_line(&b).contains("✓ 3 selected"));
    // a search too
    b.char('F');
    b.char('/');
    b.type_text("castle");
    b.key(KeyCode::Enter);
    b.wait_for("results", T, |s| s.search.active && s.list.pages > 0)
        .await
        .unwrap();
    assert_eq!(b.state.selection.len(), 3);
    b.key(KeyCode::Esc);
    b.wait_for("the browsed list", T, |s| {
        !s.search.active && !s.list.entries.is_empty()
    })
    .await
    .unwrap();
    // the picked rows are marked
    let screen = b.screen();
    assert_eq!(
        screen.matches('✓').count(),
        3,
        "two rows and the status bar: {screen}"
    );
    // V selects a range from the last picked; u clears
    b.char('u');
    assert!(b.state.selection.is_empty());
    b.char('g');
    b.char(' '); // anchor on row 0, cursor on row 1
    b.char('j');
    b.char('j');
    b.char('V');
    assert_eq!(b.state.selection.len(), 4);
    b.ctrl('a');
    assert_eq!(b.state.selection.len(), b.state.list.entries.len());
}

#[tokio::test]
async fn a_bulk_delete_of_n_removes_exactly_those_n() {
    let (_s, client, mut b) = browser().await;
    let before = all_ids(&client).await;
    // rows 0, 2 and 4
    b.char(' ');
    b.char('j');
    b.char(' ');
    b.char('j');
    b.char(' ');
    let picked: HashSet<String> = b.state.selection.ids().into_iter().collect();
    assert_eq!(picked.len(), 3);
    // a no keeps them
    b.char('X');
    b.char('n');
    assert!(b.state.overlay.is_none());
    assert!(b.sent().iter().all(|c| !c.starts_with("Delete(")));
    // the question names the count; y deletes
    b.char('X');
    let screen = b.screen();
    assert!(screen.contains("Delete 3 assets for good?"), "{screen}");
    b.char('y');
    b.wait_for("the deletion", T, |s| {
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("deleted 3 assets"))
    })
    .await
    .unwrap();
    let after = all_ids(&client).await;
    assert_eq!(after.len(), before.len() - 3);
    let expected: Vec<&String> = before.iter().filter(|id| !picked.contains(*id)).collect();
    assert_eq!(after.iter().collect::<Vec<_>>(), expected);
    for id in &picked {
        assert!(matches!(
            client.get_asset(id).await,
            Err(ApiError::NotFound { .. })
        ));
        assert!(b.state.list.position_of(id).is_none());
    }
    assert!(b.state.selection.is_empty());
}

#[tokio::test]
async fn bulk_tag_and_add_to_a_collection_act_on_the_whole_selection() {
    let (_s, client, mut b) = browser().await;
    b.char(' ');
    b.char(' ');
    let ids = b.state.selection.ids();
    b.char('t');
    b.type_text("batch-7");
    b.key(KeyCode::Enter);
    b.wait_for("tagged", T, |s| {
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("tagged 2 assets batch-7"))
    })
    .await
    .unwrap();
    b.key(KeyCode::Esc);
    for id in &ids {
        assert!(server_tags(&client, id)
            .await
            .contains(&"batch-7".to_string()));
    }
    // a: pick "Night moods"
    b.char('a');
    b.wait_for("collections", T, |s| s.collections.loaded)
        .await
        .unwrap();
    b.type_text("night");
    b.key(KeyCode::Enter);
    b.wait_for("added", T, |s| {
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("added 2 assets to Night moods"))
    })
    .await
    .unwrap();
    let coll = client
        .all_collections()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name.as_deref() == Some("Night moods"))
        .unwrap();
    let q = ListAssetsQuery {
        collection_id: coll.id.clone(),
        page_size: Some(100),
        ..Default::default()
    };
    let members: Vec<String> = client
        .list_assets_page(&q)
        .await
        .unwrap()
        .assets
        .into_iter()
        .map(|a| a.id)
        .collect();
    for id in &ids {
        assert!(members.contains(id), "{id} not in {members:?}");
    }
}

/// `U` goes through the same upload as the CLI: a sound file (not an
/// image) through the multipart flow, its progress in the status line,
/// then the new asset at the top of the list.
#[tokio::test]
async fn u_uploads_a_sound_through_the_multipart_flow_with_progress_in_the_status_line() {
    let (_s, client, mut b) = browser().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("take.wav");
    let mut wav = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
    wav.resize(7 * 1024 * 1024, 0x11);
    std::fs::write(&path, &wav).unwrap();
    b.char('U');
    b.type_text(&path.display().to_string());
    b.key(KeyCode::Enter);
    b.wait_for("progress in the status line", T, |s| {
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.starts_with("uploading") && n.text.contains("take.wav"))
    })
    .await
    .unwrap();
    b.wait_for("the upload", T, |s| {
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("uploaded"))
    })
    .await
    .unwrap();
    let first = b.state.list.entries[0].asset.clone();
    assert_eq!(first.name.as_deref(), Some("take.wav"));
    let stored = client.get_asset(&first.id).await.unwrap();
    assert_eq!(stored.kind().map(|k| k.as_str()), Some("audio"));
}

#[tokio::test]
async fn u_uploads_a_file_with_path_completion_and_shows_the_new_asset() {
    let (_s, client, mut b) = browser().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("harbour-sketch.png");
    image::RgbImage::from_pixel(8, 8, image::Rgb([200, 40, 40]))
        .save(&path)
        .unwrap();
    b.char('U');
    let typed = format!("{}/harb", dir.path().display());
    b.type_text(&typed);
    b.key(KeyCode::Tab);
    let full = path.display().to_string();
    b.wait_for(
        "the completion",
        T,
        |s| matches!(&s.overlay, Some(Overlay::Upload(p)) if p.input == full),
    )
    .await
    .unwrap();
    let on = current_id(&b);
    b.key(KeyCode::Enter);
    b.wait_for("the upload", T, |s| {
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("uploaded"))
    })
    .await
    .unwrap();
    let first = b.state.list.entries[0].asset.clone();
    assert_eq!(first.name.as_deref(), Some("harbour-sketch.png"));
    // first in the list, the cursor still on the asset it was on
    assert_eq!(b.state.list.cursor, 1);
    assert_eq!(current_id(&b), on);
    assert_eq!(client.get_asset(&first.id).await.unwrap().id, first.id);
    // a file the service imports nothing of: a clear error, nothing
    // uploaded (text, audio, video and 3D go through multipart uploads)
    let text = dir.path().join("notes.bin");
    std::fs::write(&text, b"\x00\x01\x02\xff\xfe binary").unwrap();
    let before = all_ids(&client).await.len();
    b.char('U');
    b.type_text(&text.display().to_string());
    b.key(KeyCode::Enter);
    b.wait_for("the refusal", T, |s| {
        s.notice.as_ref().is_some_and(|n| n.error)
    })
    .await
    .unwrap();
    let notice = b
        .state
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(
        notice.contains("not a file the service imports"),
        "{notice}"
    );
    assert_eq!(all_ids(&client).await.len(), before);
}

#[tokio::test]
async fn o_fetches_the_file_then_hands_it_to_the_opener_and_says_how_it_went() {
    let (s, _client, mut b) = browser().await;
    let out = tempfile::tempdir().unwrap();
    let client = Client::new(ClientOptions::new(s.base_url.clone())).unwrap();
    b.attach_downloads(client, Config::new(out.path().to_path_buf()));
    b.char('o');
    b.wait_for("the opener's answer", T, |s| {
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("opened") || n.text.contains("could not open"))
    })
    .await
    .unwrap();
    let item = &b.state.downloads.snapshot.items[0];
    assert_eq!(item.phase, Phase::Done);
    let path = item.path.clone().unwrap();
    assert!(path.starts_with(out.path()));
    assert!(b
        .sent()
        .iter()
        .any(|c| c.contains("Open(") && c.contains(path.to_str().unwrap())));
    // a machine without an opener says so instead of failing silently
    if which("xdg-open").is_none() && cfg!(target_os = "linux") {
        let status = status_line(&b);
        assert!(status.contains("xdg-open is not installed"), "{status}");
    }
}

#[tokio::test]
async fn big_s_downloads_in_the_chosen_format() {
    let (s, _client, mut b) = browser().await;
    let out = tempfile::tempdir().unwrap();
    let client = Client::new(ClientOptions::new(s.base_url.clone())).unwrap();
    b.attach_downloads(client, Config::new(out.path().to_path_buf()));
    // the first image stored as PNG
    let png = |b: &Headless| {
        b.state
            .list
            .current()
            .is_some_and(|e| e.asset.scenario().unwrap().mime_type.as_deref() == Some("image/png"))
    };
    while !png(&b) {
        b.char('j');
    }
    b.char('S');
    b.type_text("webp");
    b.key(KeyCode::Enter);
    b.wait_for("the download", T, |s| {
        s.downloads.snapshot.items.iter().any(|i| i.phase.settled())
    })
    .await
    .unwrap();
    let item = &b.state.downloads.snapshot.items[0];
    assert_eq!(item.phase, Phase::Done, "{:?}", item.error);
    assert_eq!(item.format.as_deref(), Some("webp"));
    let bytes = std::fs::read(item.path.as_ref().unwrap()).unwrap();
    assert_eq!(&bytes[8..12], b"WEBP");
}

/// `d` pressed twice on one asset: the second says the file is on its way
/// already, and one file lands, whole.
#[tokio::test]
async fn d_twice_queues_the_file_once_and_says_so() {
    let (s, _client, mut b) = browser().await;
    let out = tempfile::tempdir().unwrap();
    let client = Client::new(ClientOptions::new(s.base_url.clone())).unwrap();
    b.attach_downloads(client, Config::new(out.path().to_path_buf()));
    let id = b.state.list.current().unwrap().asset.id.clone();
    b.char('d');
    b.char('d');
    b.wait_for("the refusal", T, |s| {
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("already in the downloads"))
    })
    .await
    .unwrap();
    assert!(status_line(&b).contains(&id[..12]), "{}", status_line(&b));
    b.wait_for("the download", T, |s| {
        s.downloads.snapshot.items.iter().all(|i| i.phase.settled())
    })
    .await
    .unwrap();
    let items = &b.state.downloads.snapshot.items;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].phase, Phase::Done, "{:?}", items[0].error);
    let files: Vec<_> = std::fs::read_dir(out.path()).unwrap().collect();
    assert_eq!(files.len(), 1, "{files:?}");
}

fn which(cmd: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(cmd))
            .find(|f| f.is_file())
    })
}

#[tokio::test]
async fn big_z_fetches_the_selection_as_one_zip_through_the_queue() {
    let (s, _client, mut b) = browser().await;
    let out = tempfile::tempdir().unwrap();
    let client = Client::new(ClientOptions::new(s.base_url.clone())).unwrap();
    b.attach_downloads(client, Config::new(out.path().to_path_buf()));
    for _ in 0..3 {
        b.char(' ');
    }
    b.char('Z');
    assert!(status_line(&b).contains("queued a zip of 3 assets"));
    b.wait_for("the archive", T, |s| {
        s.downloads.snapshot.items.iter().any(|i| i.phase.settled())
    })
    .await
    .unwrap();
    let item = &b.state.downloads.snapshot.items[0];
    assert_eq!(item.phase, Phase::Done, "{:?}", item.error);
    let path = item.path.clone().unwrap();
    assert!(path.starts_with(out.path()));
    assert_eq!(path.extension().and_then(|e| e.to_str()), Some("zip"));
    let zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let files = (0..zip.len())
        .filter(|i| !zip.name_for_index(*i).unwrap_or("/").ends_with('/'))
        .count();
    assert_eq!(files, 3, "{:?}", zip.file_names().collect::<Vec<_>>());
    // the pane shows it under its archive name
    b.char('D');
    assert!(b.screen().contains("assets-"), "{}", b.screen());
}
