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
/// The demo server with `n` small files, the browser on it with a
/// transfers queue, showing the search for them.
async fn searching_small_files(
    n: u64,
) -> (
    server::Running,
    assetui::api::Client,
    assetui::headless::Headless,
    tempfile::TempDir,
) {
    let running = server::start(ServerConfig {
        small_assets: Some((n, 4096)),
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
    (running, client, b, out)
}

#[tokio::test]
async fn m_mirrors_the_search_into_a_folder_through_the_transfers_queue() {
    let (_running, client, mut b, out) = searching_small_files(3).await;
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

/// `M`'s options reach the sync: sidecars on writes `NAME.json` beside
/// each file; delete on removes the file of an asset that left the
/// search (off, it stays). The prompt says what delete means, at 80×24.
#[tokio::test]
async fn m_options_write_sidecars_and_delete_what_left() {
    let (_running, client, mut b, out) = searching_small_files(3).await;
    b.send(assetui::app::Msg::Resize(80, 24));
    let mirror = out.path().join("mirror");
    let ended = |n: usize| {
        move |s: &assetui::app::State| {
            s.downloads.syncs.first().is_some_and(|x| x.ended.is_some())
                && s.downloads.syncs.len() == n
        }
    };
    b.char('M');
    b.type_text(mirror.to_str().unwrap());
    b.key(KeyCode::Down);
    b.char(' ');
    let screen = b.screen();
    for words in [
        "sidecar [x] on",
        "delete  [ ] off",
        "only reported",
        "format  ‹ original",
    ] {
        assert!(screen.contains(words), "{words}: {screen}");
    }
    b.key(KeyCode::Enter);
    b.wait_for("the first sync", T, ended(1)).await.unwrap();
    let news = b.state.downloads.syncs[0].clone();
    assert_eq!(news.ended, Some(false), "{news:?}");
    let names = |dir: &std::path::Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        v.sort();
        v
    };
    let first = names(&mirror);
    let files: Vec<&String> = first.iter().filter(|n| !n.ends_with(".json")).collect();
    assert!(files.len() >= 3, "{first:?}");
    for f in &files {
        assert!(
            first.contains(&format!("{f}.json")),
            "a sidecar beside {f}: {first:?}"
        );
    }
    assert_eq!(first.len(), 2 * files.len(), "{first:?}");
    let gone = "asset_SmallFile0000000000001".to_string();
    let side = first
        .iter()
        .find(|n| n.starts_with(&gone) && n.ends_with(".json"))
        .unwrap_or_else(|| panic!("{first:?}"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(mirror.join(side)).unwrap()).unwrap();
    assert_eq!(json["id"], gone.as_str());

    // one asset leaves the search; the next M, delete on, removes its file
    client
        .delete_assets(std::slice::from_ref(&gone))
        .await
        .unwrap();
    b.char('M');
    b.type_text(mirror.to_str().unwrap());
    b.key(KeyCode::Down);
    b.key(KeyCode::Down);
    b.char(' ');
    assert!(
        b.screen().contains("removes files of assets that left"),
        "{}",
        b.screen()
    );
    b.key(KeyCode::Enter);
    b.wait_for("the second sync", T, |s| {
        s.downloads
            .syncs
            .first()
            .is_some_and(|x| x.ended.is_some() && x.text.contains("1 removed"))
    })
    .await
    .unwrap();
    let after = names(&mirror);
    assert!(
        after.iter().all(|n| !n.starts_with(&gone)),
        "its file and sidecar went: {after:?}"
    );
    assert_eq!(after.len(), first.len() - 2, "{after:?}");
}

/// The sync engine over `n` generated small files with the browser's
/// kind of queue: the folder, its options, and a client.
struct Engine {
    _server: server::Running,
    client: assetui::api::Client,
    queue: assetui::download::queue::Queue,
    opts: assetui::sync::Options,
    _out: tempfile::TempDir,
}

async fn engine(n: u64) -> Engine {
    use assetui::api::params::{ListAssetsQuery, SortField};
    let running = server::start(ServerConfig {
        small_assets: Some((n, 4096)),
        ..Default::default()
    })
    .await
    .expect("demo server starts");
    let client =
        assetui::api::Client::new(assetui::api::ClientOptions::new(running.base_url.clone()))
            .unwrap();
    let out = tempfile::tempdir().unwrap();
    let queue = assetui::download::queue::Queue::start(
        client.clone(),
        Config::new(out.path().join("downloads")),
        false,
    )
    .unwrap();
    let dir = out.path().join("mirror");
    std::fs::create_dir(&dir).unwrap();
    // only the generated files (created on 2024-01-01)
    let mut query = ListAssetsQuery {
        created_before: Some("2024-01-02T00:00:00.000Z".into()),
        sort_by: Some(SortField::CreatedAt),
        page_size: Some(100),
        ..Default::default()
    };
    let _ = query.apply_sort_rule();
    let opts = assetui::sync::Options {
        dir: dir.canonicalize().unwrap(),
        source: assetui::sync::Source::List(query),
        template: "<id>".into(),
        format: None,
        sidecar: false,
        delete: false,
        dry_run: false,
    };
    Engine {
        _server: running,
        client,
        queue,
        opts,
        _out: out,
    }
}

/// The files placed in the synced folder (its own files aside).
fn placed(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .count()
}

/// `x` on a mirror while it places files: it stops at the file boundary
/// (no further file is placed, none half-placed), what is on its way is
/// cancelled, and the next run finishes the job without a failure.
#[tokio::test]
async fn cancelling_a_sync_while_it_places_stops_at_a_file_and_the_next_run_finishes() {
    use assetui::sync::{self, Action, Control, Progress};
    let n = 8;
    let e = engine(n).await;
    let (steer, mut control) = tokio::sync::watch::channel(Control::Run);
    let mut placing_seen = false;
    let mut after_cancel = None;
    let summary = sync::run(&e.client, &e.queue, &e.opts, &mut control, |p| match p {
        Progress::Placing { .. } => placing_seen = true,
        Progress::File(ev) if ev.action == Action::New && after_cancel.is_none() => {
            // the pane's `x`, as the first file lands
            steer.send(Control::Cancel).unwrap();
            after_cancel = Some(placed(&e.opts.dir));
        }
        _ => {}
    })
    .await
    .unwrap();
    assert!(placing_seen, "the run said it was placing");
    assert_eq!(after_cancel, Some(1));
    assert_eq!(placed(&e.opts.dir), 1, "no file placed after the cancel");
    assert_eq!(summary.new, 1, "{summary:?}");
    assert_eq!(summary.failed, 0, "{summary:?}");
    assert_eq!(summary.paused as u64, n - 1, "{}", summary.line());
    assert!(summary.line().contains("the next run finishes them"));
    // no partial file in the folder: the rest waits in the incoming dir
    // or is fetched again

    let (_keep, mut control) = tokio::sync::watch::channel(Control::Run);
    let again = sync::run(&e.client, &e.queue, &e.opts, &mut control, |_| {})
        .await
        .unwrap();
    assert_eq!(again.new as u64, n - 1, "{}", again.line());
    assert_eq!(again.failed, 0, "{}", again.line());
    assert_eq!(again.unchanged, 1);
    assert_eq!(placed(&e.opts.dir) as u64, n);
    assert!(
        !e.opts.dir.join(".assetui-sync.incoming").exists(),
        "nothing left on its way"
    );
}

/// `p` on a mirror while it places: placing stops at the next file and
/// the run waits, paused; `p` again places the rest in the same run.
#[tokio::test]
async fn pausing_a_sync_while_it_places_waits_at_a_file_and_resumes() {
    use assetui::sync::{self, Action, Control, Progress};
    let n = 6;
    let e = engine(n).await;
    let (steer, mut control) = tokio::sync::watch::channel(Control::Run);
    let mut at_pause = None;
    let mut paused_with = None;
    let summary = sync::run(&e.client, &e.queue, &e.opts, &mut control, |p| match p {
        Progress::File(ev) if ev.action == Action::New && at_pause.is_none() => {
            steer.send(Control::Pause).unwrap();
            at_pause = Some(placed(&e.opts.dir));
        }
        Progress::Paused { done, .. } if paused_with.is_none() => {
            // the run stopped: nothing was placed since the pause
            paused_with = Some((done, placed(&e.opts.dir)));
            steer.send(Control::Run).unwrap();
        }
        _ => {}
    })
    .await
    .unwrap();
    assert_eq!(at_pause, Some(1));
    let (done, on_disk) = paused_with.expect("the run paused");
    assert_eq!(on_disk, 1, "nothing placed while paused");
    assert!(done >= 1, "{done}");
    assert_eq!(summary.new as u64, n, "{}", summary.line());
    assert_eq!(summary.paused, 0);
    assert_eq!(placed(&e.opts.dir) as u64, n);
}
