//! The offline-first start (issue 19): the local index's rows before the
//! first answer, the refresh that replaces them without moving the cursor
//! (new and changed assets first), and the browser offline: cached rows,
//! the local search, edits refused. Through the headless driver against
//! the demo server; waits are on messages, never sleeps.

use std::time::Duration;

use assetui::api::params::UpdateTagsRequest;
use assetui::api::retry::RetryPolicy;
use assetui::api::{Client, ClientOptions};
use assetui::app::library::Link;
use assetui::headless::Headless;
use assetui::library_index::{LibraryKey, Local, FILE};
use assetui::provider::ProviderKind;
use assetui::server::{self, Running, ServerConfig};

const T: Duration = Duration::from_secs(30);

fn local(dir: &std::path::Path, base_url: &str) -> Local {
    Local::new(
        &dir.join(FILE),
        ProviderKind::Scenario,
        LibraryKey::new("scenario", base_url, None),
    )
}

fn current_id(b: &Headless) -> String {
    b.state.list.current().unwrap().asset.id.clone()
}

/// A first run on the server: its first page goes into the index.
async fn fill(client: Client, index: Local) {
    let mut b = Headless::new(client, None, 120, 40);
    let writer = b.use_index(index, 1000).unwrap();
    assert_eq!(b.state.library.link, Link::Live, "nothing cached yet");
    b.start();
    b.wait_for("first page", T, |s| !s.list.entries.is_empty())
        .await
        .unwrap();
    writer.flush();
}

async fn demo() -> (Running, Client) {
    let running = server::start(ServerConfig::default()).await.unwrap();
    let client = Client::new(ClientOptions::new(running.base_url.clone())).unwrap();
    (running, client)
}

#[tokio::test(flavor = "multi_thread")]
async fn cached_rows_show_at_once_then_fresh_ones_replace_them_under_a_still_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let (srv, client) = demo().await;
    fill(client.clone(), local(dir.path(), &srv.base_url)).await;

    // meanwhile, on the service: one asset changes, one is new
    let first = client
        .list_assets_page(&Default::default())
        .await
        .unwrap()
        .assets;
    let changed = first[2].id.clone();
    client
        .update_tags(
            &changed,
            &UpdateTagsRequest {
                add: vec!["changed-while-away".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let png = dir.path().join("new.png");
    image::RgbImage::from_pixel(8, 8, image::Rgb([200, 10, 10]))
        .save(&png)
        .unwrap();
    let req =
        assetui::api::assets::upload_request_from_file(&png, Some("Arrived while away".into()))
            .unwrap();
    let added = client.upload(&req).await.unwrap().id;

    let mut b = Headless::new(client, None, 120, 40);
    b.use_index(local(dir.path(), &srv.base_url), 1000).unwrap();
    // before any answer: the index's rows, marked cached
    assert_eq!(b.state.library.link, Link::Cached);
    assert_eq!(current_id(&b), first[0].id);
    assert!(b.screen().lines().next().unwrap().contains("cached"));
    assert!(b.state.list.position_of(&added).is_none());
    for _ in 0..5 {
        b.char('j');
    }
    let under = current_id(&b);
    let line = b.state.list.cursor - b.state.list.offset;
    b.start();
    b.wait_for("the refresh", T, |s| s.library.link == Link::Live)
        .await
        .unwrap();
    assert_eq!(current_id(&b), under, "the cursor stayed on its asset");
    assert_eq!(
        b.state.list.cursor - b.state.list.offset,
        line + 1,
        "one new row above: the cursor's asset moved down one line with it"
    );
    assert_eq!(
        b.state.list.entries[0].asset.id, added,
        "the new asset first"
    );
    let fresh = &b.state.list.entries[b.state.list.position_of(&changed).unwrap()];
    assert!(fresh.asset.tags.iter().any(|t| t == "changed-while-away"));
    assert!(!b.screen().lines().next().unwrap().contains("cached"));
    // new and changed first: the changes were asked with the date filter
    let sent = b.sent().join("\n");
    assert!(sent.contains("Refresh(gen 1, next false)"), "{sent}");
    assert!(
        b.state
            .messages
            .since(0)
            .any(|m| m.text.contains("2 assets new or changed")),
        "the merge of the changes said so"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_the_cache_browses_and_searches_and_edits_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (srv, client) = demo().await;
    let base = srv.base_url.clone();
    fill(client, local(dir.path(), &base)).await;
    srv.stop().await;

    // the same library, its server gone: connections are refused
    let dead = Client::new(ClientOptions::new(base.clone()).retry(RetryPolicy::none())).unwrap();
    let mut b = Headless::new(dead, None, 120, 40);
    b.use_index(local(dir.path(), &base), 1000).unwrap();
    let cached = b.state.list.entries.len();
    assert!(cached > 0);
    b.start();
    b.wait_for("offline", T, |s| s.library.offline())
        .await
        .unwrap();
    let screen = b.screen();
    assert!(
        screen.lines().next().unwrap().contains("offline"),
        "{screen}"
    );
    assert_eq!(b.state.list.entries.len(), cached, "the cached rows stay");

    // browse and inspect: no request for details
    b.forget_sent();
    b.char('j');
    b.char('j');
    let inspected = current_id(&b);
    b.wait_for("the inspector", T, |s| {
        s.inspector
            .asset
            .as_ref()
            .is_some_and(|a| a.id == inspected)
    })
    .await
    .unwrap();

    // every edit is refused with a line, and nothing is sent
    for (key, word) in [('t', "tagging"), ('X', "deleting"), ('U', "uploading")] {
        b.char(key);
        let notice = b.state.notice.clone().unwrap().text;
        assert!(
            notice.starts_with(&format!("offline: {word} needs the service")),
            "{key}: {notice}"
        );
        assert!(b.state.overlay.is_none(), "{key} opened nothing");
    }
    let sent = b.sent().join("\n");
    for edit in ["Tag(", "Delete(", "Upload(", "Collect(", "LoadAsset"] {
        assert!(!sent.contains(edit), "{edit} was sent offline: {sent}");
    }

    // `/` searches the index: names, prompts and tags
    let word = b.state.list.entries[1]
        .asset
        .name
        .clone()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_lowercase();
    b.char('/');
    b.type_text(&word);
    b.key(crossterm::event::KeyCode::Enter);
    b.wait_for("the local results", T, |s| {
        s.search.active && !s.list.stale && s.list.loading != assetui::app::list::Loading::Fetching
    })
    .await
    .unwrap();
    let found = &b.state.list.entries;
    assert!(!found.is_empty() && found.len() < cached, "{}", found.len());
    for e in found.iter() {
        let a = &e.asset;
        let text = format!(
            "{} {} {}",
            a.name.clone().unwrap_or_default(),
            a.prompt.clone().unwrap_or_default(),
            a.tags.join(" ")
        )
        .to_lowercase();
        assert!(text.contains(&word), "{word} not in {text}");
    }
    assert!(b.sent().join("\n").contains("Search("), "the search ran");
}

/// `assetui cache info|clear` as a process, on an index filled through
/// the library's own writer: each library with its count, a base URL
/// without its credentials, `--json`, and an empty index after `clear`.
#[test]
fn cache_info_shows_each_library_and_clear_empties_it() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let path = cache.join("assetui").join(FILE);
    let one = Local::new(
        &path,
        ProviderKind::Scenario,
        LibraryKey::new(
            "scenario",
            "https://user:hunter2@api.example.com/v1?key=k",
            Some("work"),
        ),
    );
    let views: Vec<assetui::provider::AssetView> = assetui::headless::synthetic_assets(30)
        .into_iter()
        .map(Into::into)
        .collect();
    let w = assetui::library_index::Writer::start(&one, 1000).unwrap();
    w.seen(views[..20].to_vec());
    w.flush();
    let two = Local::new(
        &path,
        ProviderKind::Scenario,
        LibraryKey::new("scenario", "http://127.0.0.1:9/v1", None),
    );
    let w2 = assetui::library_index::Writer::start(&two, 1000).unwrap();
    w2.seen(views[20..].to_vec());
    w2.flush();
    drop((w, w2));

    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_assetui"))
            .args(args)
            .env_clear()
            .env("HOME", dir.path())
            .env("XDG_CACHE_HOME", &cache)
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let info: serde_json::Value = serde_json::from_str(&run(&["cache", "info", "--json"])).unwrap();
    assert_eq!(info["path"], path.display().to_string());
    assert_eq!(info["assets"], 30);
    assert_eq!(info["max_assets"], 100_000);
    assert!(info["bytes"].as_u64().unwrap() > 0);
    let libs = info["libraries"].as_array().unwrap();
    assert_eq!(libs.len(), 2);
    let work = libs.iter().find(|l| l["profile"] == "work").unwrap();
    assert_eq!(work["base_url"], "https://api.example.com/v1");
    assert_eq!(work["assets"], 20);
    let text = run(&["cache", "info"]);
    assert!(text.contains("30 of at most 100000 assets"), "{text}");
    assert!(
        text.contains("http://127.0.0.1:9/v1") && text.contains("work"),
        "{text}"
    );
    // no credential of any base URL is in the file or the output
    let bytes = std::fs::read(&path).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains("hunter2"));
    assert!(!text.contains("hunter2"));

    let cleared = run(&["cache", "clear"]);
    assert!(cleared.starts_with("cleared 30 assets"), "{cleared}");
    let info: serde_json::Value = serde_json::from_str(&run(&["cache", "info", "--json"])).unwrap();
    assert_eq!(info["assets"], 0);
    assert_eq!(info["libraries"], serde_json::json!([]));
}

/// Every cached asset, newest first (the index's order).
fn cached(index: &Local) -> Vec<assetui::provider::AssetView> {
    index.page(None, 10_000).unwrap().items
}

/// Offline, filters read the index: a type filter and a tag filter give
/// the cached rows that match (and only those), the header still says
/// `offline`, and no error is shown.
#[tokio::test(flavor = "multi_thread")]
async fn offline_filters_apply_to_the_cached_assets() {
    let dir = tempfile::tempdir().unwrap();
    let (srv, client) = demo().await;
    let base = srv.base_url.clone();
    let first = client
        .list_assets_page(&Default::default())
        .await
        .unwrap()
        .assets;
    for a in [&first[1], &first[4]] {
        client
            .update_tags(
                &a.id,
                &UpdateTagsRequest {
                    add: vec!["offline-pick".into()],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    fill(client, local(dir.path(), &base)).await;
    srv.stop().await;
    let all = cached(&local(dir.path(), &base));
    // a type some cached assets have and others not
    let kind = all
        .iter()
        .filter_map(|a| a.type_label.clone())
        .find(|t| all.iter().any(|a| a.type_label.as_ref() != Some(t)))
        .expect("cached assets of two types");
    let of_kind: Vec<String> = all
        .iter()
        .filter(|a| a.type_label.as_ref() == Some(&kind))
        .map(|a| a.id.clone())
        .collect();
    let tagged: Vec<String> = all
        .iter()
        .filter(|a| a.tags.iter().any(|t| t == "offline-pick"))
        .map(|a| a.id.clone())
        .collect();
    assert_eq!(tagged.len(), 2, "both tagged assets are cached");

    let dead = Client::new(ClientOptions::new(base.clone()).retry(RetryPolicy::none())).unwrap();
    let mut b = Headless::new(dead, None, 120, 40);
    b.use_index(local(dir.path(), &base), 1000).unwrap();
    b.start();
    b.wait_for("offline", T, |s| s.library.offline())
        .await
        .unwrap();
    let settled = |s: &assetui::app::State| {
        !s.list.stale && s.list.loading != assetui::app::list::Loading::Fetching
    };
    let ids = crate::app_flow::result_ids;

    // the type picker, first field of the filter pane
    b.char('f');
    b.key(crossterm::event::KeyCode::Enter);
    b.type_text(&kind);
    b.key(crossterm::event::KeyCode::Enter);
    assert_eq!(b.state.filters.types, vec![kind.clone()]);
    b.wait_for("the cached assets of that type", T, |s| {
        settled(s) && !s.list.entries.is_empty()
    })
    .await
    .unwrap();
    assert_eq!(ids(&b), of_kind, "the cached rows of type {kind}, in order");
    let screen = b.screen();
    assert!(
        screen.lines().next().unwrap().contains("offline"),
        "{screen}"
    );
    let notice = b.state.notice.clone().unwrap();
    assert!(
        notice.text.contains("filters apply to the cached assets"),
        "{notice:?}"
    );

    // the type cleared, a tag typed in the Tags field (the last)
    b.key(crossterm::event::KeyCode::Backspace);
    assert!(b.state.filters.types.is_empty(), "{:?}", b.state.filters);
    b.key(crossterm::event::KeyCode::BackTab);
    b.key(crossterm::event::KeyCode::Enter);
    b.type_text("offline-pick");
    b.key(crossterm::event::KeyCode::Enter);
    assert_eq!(b.state.filters.tags, vec!["offline-pick".to_string()]);
    b.wait_for("the cached assets with that tag", T, |s| {
        settled(s) && s.list.entries.len() == 2
    })
    .await
    .unwrap();
    assert_eq!(ids(&b), tagged);
    assert!(b.state.library.offline());
    let sent = b.sent().join("\n");
    assert!(
        sent.contains("Search("),
        "a tag browses through search: {sent}"
    );
    let errors: Vec<&str> = b
        .state
        .messages
        .since(0)
        .filter(|m| m.level == assetui::app::messages::Level::Error)
        .map(|m| m.text.as_str())
        .collect();
    assert!(errors.is_empty(), "no service error: {errors:?}");
}
