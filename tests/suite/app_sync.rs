//! The browser's `M` (issue 19): the sync engine of `assetui sync` run by
//! the worker with the browser's transfers queue, against the demo
//! server, with real `update()`, real workers and keys injected; waits are
//! on messages with timeouts.

use std::time::Duration;

use crossterm::event::KeyCode;

use assetui::app::state::Overlay;
use assetui::download::queue::{Config, Phase};
use assetui::server::{self, ServerConfig};

const T: Duration = Duration::from_secs(60);

/// `M` on a search: a folder asked for, the same sync as `assetui sync`
/// run by the worker with the browser's queue (its files are items of
/// the transfers pane), its summary in the pane's news; `M` again on the
/// folder fetches nothing.
#[tokio::test]
async fn m_mirrors_the_search_into_a_folder_through_the_transfers_queue() {
    let running = server::start(ServerConfig {
        small_assets: Some((3, 4096)),
        ..Default::default()
    })
    .await
    .expect("demo server starts");
    let (client, mut b) = crate::support::browser_on(&running, T).await;
    let out = tempfile::tempdir().unwrap();
    b.attach_downloads(client.clone(), Config::new(out.path().join("downloads")));
    b.char('/');
    b.type_text("small-file");
    b.key(KeyCode::Enter);
    b.wait_for("the search's results", T, |s| {
        s.list
            .entries
            .first()
            .is_some_and(|e| e.asset.id.starts_with("asset_SmallFile"))
    })
    .await
    .unwrap();
    // what the search finds, asked directly
    let hits = client
        .search_page(&assetui::api::params::SearchRequest {
            query: Some("small-file".into()),
            hits_per_page: Some(100),
            ..Default::default()
        })
        .await
        .unwrap()
        .hits
        .len();

    let mirror = out.path().join("mirror");
    b.char('M');
    assert!(
        matches!(b.state.overlay, Some(Overlay::Mirror(_))),
        "{:?}",
        b.state.overlay
    );
    assert!(
        b.screen().contains("Mirror into a folder"),
        "{}",
        b.screen()
    );
    b.type_text(mirror.to_str().unwrap());
    b.key(KeyCode::Enter);
    assert!(b.state.overlay.is_none());
    b.wait_for("the sync's end", T, |s| {
        s.downloads.syncs.iter().any(|n| n.ended.is_some())
    })
    .await
    .unwrap();
    let news = b.state.downloads.syncs[0].clone();
    assert_eq!(news.ended, Some(false), "{news:?}");
    assert!(
        news.text.starts_with(&format!("{hits} new, 0 updated")),
        "{news:?}"
    );
    let placed: Vec<_> = std::fs::read_dir(&mirror)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert_eq!(placed.len(), hits, "{placed:?}");
    // fetched through the transfers queue: one item per file
    let items = b
        .state
        .downloads
        .snapshot
        .items
        .iter()
        .filter(|i| i.for_sync() && i.phase == Phase::Done)
        .count();
    assert_eq!(items, hits);
    // the pane shows the sync's line
    b.char('D');
    assert!(b.screen().contains("mirror"), "{}", b.screen());
    b.key(KeyCode::Esc);

    // again: nothing to fetch
    b.char('M');
    b.type_text(mirror.to_str().unwrap());
    b.key(KeyCode::Enter);
    b.wait_for("the second sync's end", T, |s| {
        s.downloads
            .syncs
            .iter()
            .any(|n| n.ended.is_some() && n.text.starts_with("0 new"))
    })
    .await
    .unwrap();
    let news = &b.state.downloads.syncs[0];
    assert!(news.text.contains(&format!("{hits} unchanged")), "{news:?}");
}
