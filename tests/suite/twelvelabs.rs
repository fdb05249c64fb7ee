//! TwelveLabs as a second provider (issue 16): the real binary's commands
//! and the browser's core, against the TwelveLabs-compatible server.

use std::process::Output;
use std::time::Duration;

use serde_json::Value;

use assetui::app::list::Loading;
use assetui::headless::Headless;
use assetui::provider::{MediaKind, ProviderKind, Service};
use assetui::server::twelvelabs::{self as tl_server, TlConfig};
use assetui_twelvelabs as tl;

use crate::support;

pub(crate) const T: Duration = Duration::from_secs(20);
pub(crate) const KEY: &str = "tlk_test_key_never_printed";

/// Runs `assetui` with a clean environment and a private home.
async fn assetui(args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    support::assetui_at_home(home.path(), args, &[]).await
}

/// `--provider twelvelabs --base-url BASE --api-key KEY` and then `args`.
pub(crate) fn on_args<'a>(base: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut full = vec![
        "--provider",
        "twelvelabs",
        "--base-url",
        base,
        "--api-key",
        KEY,
    ];
    full.extend_from_slice(args);
    full
}

/// A real WAV of `n` samples of a 440 Hz tone, 8 kHz mono 16-bit.
pub(crate) fn wav(n: usize) -> Vec<u8> {
    let samples: Vec<i16> = (0..n)
        .map(|i| ((i as f32 * 440.0 * std::f32::consts::TAU / 8000.0).sin() * 8000.0) as i16)
        .collect();
    let mut wav = Vec::new();
    let data_len = (samples.len() * 2) as u32;
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&8000u32.to_le_bytes());
    wav.extend_from_slice(&16000u32.to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        wav.extend_from_slice(&s.to_le_bytes());
    }
    wav
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A TwelveLabs server of our own, requiring [`KEY`].
async fn server() -> tl_server::Running {
    tl_server::start(TlConfig {
        auth: Some(KEY.into()),
        ..TlConfig::default()
    })
    .await
    .unwrap()
}

/// `assetui --provider twelvelabs --base-url URL --api-key KEY ARGS`.
async fn on(base: &str, args: &[&str]) -> Output {
    assetui(&on_args(base, args)).await
}

/// The assets of the list's first page.
async fn first_page(c: &tl::Client) -> Vec<tl::models::Asset> {
    c.list_assets(&tl::assets::ListAssets::default())
        .await
        .unwrap()
        .data
        .unwrap_or_default()
}

pub(crate) fn client(base: &str) -> tl::Client {
    tl::Client::new(tl::ClientOptions::new(base).api_key(Some(KEY.into()))).unwrap()
}

#[tokio::test]
async fn without_a_key_the_twelvelabs_demo_library_is_listed_and_said() {
    let o = assetui(&["--provider", "twelvelabs", "list", "--all", "--json"]).await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    // a script's stderr stays quiet (an error would be its one line)
    assert!(text(&o.stderr).is_empty(), "{}", text(&o.stderr));
    // a person at a terminal is told
    let home = tempfile::tempdir().unwrap();
    let p = crate::support::pty::Pty::spawn(
        [
            env!("CARGO_BIN_EXE_assetui"),
            "--provider",
            "twelvelabs",
            "list",
            "--limit",
            "1",
        ],
        crate::support::pty::isolated_env(home.path()),
        home.path(),
        120,
        24,
    );
    p.wait_for_text("built-in TwelveLabs demo library", T)
        .unwrap();
    assert!(p.wait_exit(T).unwrap().success());
    let items: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!items.is_empty());
    // the service's own objects: `_id`, nothing renamed or added
    for item in &items {
        assert!(item["_id"].is_string(), "{item}");
        assert!(item.get("id").is_none(), "{item}");
        assert!(item["status"].is_string(), "{item}");
    }
    // ASSETUI_PROVIDER chooses the provider as --provider does
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_assetui"));
    let home = tempfile::tempdir().unwrap();
    let o = cmd
        .args(["indexes", "--json"])
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("ASSETUI_PROVIDER", "twelvelabs")
        .output()
        .await
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let indexes: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(indexes.iter().all(|i| i["_id"].is_string()));
    assert!(!indexes.is_empty());
}

#[tokio::test]
async fn what_twelvelabs_cannot_do_is_one_clear_line() {
    let s = server().await;
    for (args, says) in [
        (vec!["collections"], "no collections"),
        (vec!["tags"], "user metadata, not tags"),
        (
            vec!["list", "--privacy", "private"],
            "--privacy is not available",
        ),
        (vec!["tag", "x", "--add", "t"], "--set KEY=VALUE"),
        (vec!["search", "harbor"], "--index ID"),
    ] {
        let o = on(&s.base_url, &args).await;
        assert!(!o.status.success(), "{args:?}");
        let err = text(&o.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains(KEY), "the key leaked: {err}");
    }
    // an unknown index: one line, exit 1
    let o = on(
        &s.base_url,
        &["search", "--index", "no_such_index", "harbor"],
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("index"), "{err}");
    assert!(o.stdout.is_empty(), "no empty table before the error");
    // a wrong key: 401 named, the key never printed
    let o = assetui(&[
        "--provider",
        "twelvelabs",
        "--base-url",
        &s.base_url,
        "--api-key",
        "tlk_wrong_key_123",
        "list",
    ])
    .await;
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(err.contains("TWELVE_LABS_API_KEY"), "{err}");
    assert!(!err.contains("tlk_wrong_key_123"), "{err}");
    s.stop().await;
}

#[tokio::test]
async fn metadata_is_set_and_unset_from_the_command_line() {
    let s = server().await;
    let c = client(&s.base_url);
    let page = c
        .list_assets(&tl::assets::ListAssets::default())
        .await
        .unwrap();
    let id = page.items()[0].id().unwrap().to_string();
    let o = on(
        &s.base_url,
        &["tag", &id, "--set", "take=7", "--set", "mood=calm"],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    let meta = c.get_asset(&id).await.unwrap().user_metadata.unwrap();
    assert_eq!(meta.get("take").unwrap().to_text(), "7");
    assert_eq!(meta.get("mood").unwrap().to_text(), "calm");
    let o = on(&s.base_url, &["tag", &id, "--unset", "mood"]).await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    let meta = c.get_asset(&id).await.unwrap().user_metadata.unwrap();
    assert!(meta.get("mood").is_none());
    assert!(meta.get("take").is_some());
    s.stop().await;
}

#[tokio::test]
async fn an_asset_an_index_uses_is_deleted_only_with_force() {
    use futures_util::StreamExt;
    let s = server().await;
    let c = client(&s.base_url);
    let index = c
        .list_indexes(&tl::indexes::ListIndexes::default())
        .await
        .unwrap()
        .items()[0]
        .id
        .clone()
        .unwrap();
    let indexed: Vec<_> = c
        .list_indexed_assets_pages(&index, &Default::default())
        .collect()
        .await;
    let used = indexed[0].as_ref().unwrap().items()[0]
        .asset_id
        .clone()
        .unwrap();
    let o = on(&s.base_url, &["delete", &used, "--yes"]).await;
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(err.contains("--force"), "{err}");
    assert!(c.get_asset(&used).await.is_ok(), "kept after the 409");
    let o = on(&s.base_url, &["delete", &used, "--yes", "--force"]).await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(c.get_asset(&used).await.is_err(), "gone with --force");
    s.stop().await;
}

#[tokio::test]
async fn the_browser_lists_twelvelabs_assets_as_views() {
    let s = server().await;
    let mut b = Headless::with_service(Service::TwelveLabs(client(&s.base_url)), None, 120, 40);
    b.start();
    b.wait_for("the first page", T, |st| {
        matches!(st.list.loading, Loading::Idle | Loading::Complete) && !st.list.entries.is_empty()
    })
    .await
    .unwrap();
    let first = b.state.list.entries[0].asset.clone();
    assert_eq!(first.provider(), ProviderKind::TwelveLabs);
    assert!(b
        .state
        .list
        .entries
        .iter()
        .any(|e| e.asset.media == MediaKind::Video));
    // the inspector shows TwelveLabs' fields
    let shown = b.state.inspector.asset.clone().unwrap();
    assert_eq!(shown.id, first.id);
    let rows: Vec<&str> = b.state.inspector.sections[0]
        .rows
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert!(rows.contains(&"Status"), "{rows:?}");
    s.stop().await;
}

#[tokio::test]
async fn login_saves_a_twelvelabs_profile_that_list_then_uses() {
    let s = server().await;
    let home = tempfile::tempdir().unwrap();
    let run = |args: Vec<String>, stdin: &'static str| {
        let home = home.path().to_path_buf();
        async move {
            let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_assetui"));
            cmd.args(&args)
                .env_clear()
                .env("HOME", &home)
                .env("XDG_CONFIG_HOME", home.join("config"))
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            use tokio::io::AsyncWriteExt;
            let mut input = child.stdin.take().unwrap();
            input.write_all(stdin.as_bytes()).await.unwrap();
            drop(input);
            child.wait_with_output().await.unwrap()
        }
    };
    let base = s.base_url.clone();
    // a wrong key is checked and not saved
    let o = run(
        vec![
            "--provider".into(),
            "twelvelabs".into(),
            "--base-url".into(),
            base.clone(),
            "login".into(),
        ],
        "tlk_wrong\n",
    )
    .await;
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("not saved"), "{}", text(&o.stderr));
    let o = run(
        vec![
            "--provider".into(),
            "twelvelabs".into(),
            "--base-url".into(),
            base.clone(),
            "login".into(),
        ],
        "tlk_test_key_never_printed\n",
    )
    .await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    let saved = std::fs::read_to_string(home.path().join("config/assetui/config.toml")).unwrap();
    assert!(saved.contains("[profiles.twelvelabs]"), "{saved}");
    assert!(saved.contains("provider = \"twelvelabs\""), "{saved}");
    let o = run(
        vec![
            "--provider".into(),
            "twelvelabs".into(),
            "--base-url".into(),
            base.clone(),
            "list".into(),
            "--json".into(),
        ],
        "",
    )
    .await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(!text(&o.stderr).contains(KEY));
    let items: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!items.is_empty());
    s.stop().await;
}

#[tokio::test]
async fn slash_chooses_an_index_then_searches_it_and_rows_are_videos_with_their_clips() {
    use crossterm::event::KeyCode;
    let s = server().await;
    let mut b = Headless::with_service(Service::TwelveLabs(client(&s.base_url)), None, 120, 40);
    b.start();
    b.wait_for("the first page", T, |st| !st.list.entries.is_empty())
        .await
        .unwrap();
    // `/` before any index: the index picker, filled when the indexes come
    b.char('/');
    b.wait_for("the indexes", T, |st| st.indexes.loaded)
        .await
        .unwrap();
    assert!(b.state.overlay.is_some(), "the index picker is open");
    b.key(KeyCode::Enter);
    assert!(b.state.search.open, "then the search box");
    assert!(b.state.search.index.is_some());
    b.type_text("forest");
    b.key(KeyCode::Enter);
    b.wait_for("results", T, |st| {
        st.search.active && st.list.loading != Loading::Fetching && !st.list.entries.is_empty()
    })
    .await
    .unwrap();
    let rows = &b.state.list.entries;
    assert!(
        rows.iter().all(|e| e.asset.list_name.starts_with("forest")),
        "{:?}",
        rows.iter()
            .map(|e| e.asset.list_name.clone())
            .collect::<Vec<_>>()
    );
    // a video or sound row names the clips that matched, best first
    let timed = rows
        .iter()
        .find(|e| e.asset.media != MediaKind::Image)
        .expect("a video or sound among the results");
    assert!(!timed.asset.clips.is_empty());
    assert!(
        timed.asset.list_name.contains('–'),
        "{}",
        timed.asset.list_name
    );
    let ranks: Vec<u64> = timed.asset.clips.iter().filter_map(|c| c.rank).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    s.stop().await;
}

#[tokio::test]
async fn x_on_an_asset_an_index_uses_asks_whether_to_force_and_y_deletes_it() {
    use assetui::app::state::Overlay;
    use futures_util::StreamExt;
    let s = server().await;
    let c = client(&s.base_url);
    let index = c
        .list_indexes(&tl::indexes::ListIndexes::default())
        .await
        .unwrap()
        .items()[0]
        .id
        .clone()
        .unwrap();
    let pages: Vec<_> = c
        .list_indexed_assets_pages(&index, &Default::default())
        .collect()
        .await;
    let used: Vec<String> = pages[0]
        .as_ref()
        .unwrap()
        .items()
        .iter()
        .filter_map(|i| i.asset_id.clone())
        .collect();
    let mut b = Headless::with_service(Service::TwelveLabs(c.clone()), None, 120, 40);
    b.start();
    b.char('G');
    b.wait_for("every asset", T, |st| st.list.is_complete())
        .await
        .unwrap();
    let at = b
        .state
        .list
        .entries
        .iter()
        .position(|e| used.contains(&e.asset.id))
        .expect("an indexed asset is listed");
    let id = b.state.list.entries[at].asset.id.clone();
    b.state.list.select(at);
    b.char('X');
    b.char('y');
    b.wait_for(
        "the force question",
        T,
        |st| matches!(&st.overlay, Some(Overlay::Confirm(q)) if q.force),
    )
    .await
    .unwrap();
    assert!(
        c.get_asset(&id).await.is_ok(),
        "nothing deleted before the yes"
    );
    b.char('y');
    b.wait_for("the asset gone", T, |st| st.list.position_of(&id).is_none())
        .await
        .unwrap();
    assert!(c.get_asset(&id).await.is_err(), "deleted on the server");
    s.stop().await;
}

#[tokio::test]
async fn t_edits_user_metadata_as_key_value_chips_with_completion_from_keys_in_use() {
    use assetui::app::state::Overlay;
    use crossterm::event::KeyCode;
    let s = server().await;
    let c = client(&s.base_url);
    let mut b = Headless::with_service(Service::TwelveLabs(c.clone()), None, 120, 40);
    b.start();
    b.wait_for("the first page", T, |st| !st.list.entries.is_empty())
        .await
        .unwrap();
    let id = b.state.list.entries[0].asset.id.clone();
    b.char('t');
    assert!(matches!(b.state.overlay, Some(Overlay::Tags(_))));
    b.wait_for("the pairs in use", T, |st| st.tags.loaded)
        .await
        .unwrap();
    // completion from the pairs other assets carry
    b.type_text("project=");
    let Some(Overlay::Tags(editor)) = &b.state.overlay else {
        panic!("editor closed")
    };
    assert!(
        editor
            .completions
            .iter()
            .any(|(c, n)| c.starts_with("project=") && *n > 1),
        "{:?}",
        editor.completions
    );
    b.key(KeyCode::Tab);
    b.key(KeyCode::Enter);
    b.type_text("mood=calm");
    b.key(KeyCode::Enter);
    b.wait_for("the change answered", T, |st| {
        st.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("set mood=calm on 1 asset"))
    })
    .await
    .unwrap();
    let meta = c.get_asset(&id).await.unwrap().user_metadata.unwrap();
    assert_eq!(meta.get("mood").unwrap().to_text(), "calm");
    s.stop().await;
}

#[tokio::test]
async fn u_uploads_a_sound_that_shows_processing_then_ready_by_itself() {
    use crossterm::event::KeyCode;
    let s = server().await;
    let c = client(&s.base_url);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tone.wav");
    // a real WAV: 0.2 s of a 440 Hz tone
    std::fs::write(&path, wav(1600)).unwrap();
    let mut b = Headless::with_service(Service::TwelveLabs(c.clone()), None, 120, 40);
    b.start();
    b.wait_for("the first page", T, |st| !st.list.entries.is_empty())
        .await
        .unwrap();
    b.char('U');
    b.type_text(&path.display().to_string());
    b.key(KeyCode::Enter);
    b.wait_for("the upload listed", T, |st| {
        st.list.entries[0].asset.name.as_deref() == Some("tone.wav")
    })
    .await
    .unwrap();
    let first = b.state.list.entries[0].asset.clone();
    assert!(
        matches!(first.status, assetui::provider::Processing::Pending(_)),
        "{:?}",
        first.status
    );
    // nobody presses anything: the poll brings it to ready
    b.wait_for("ready by itself", T, |st| {
        st.list.entries[0].asset.status == assetui::provider::Processing::Ready
    })
    .await
    .unwrap();
    s.stop().await;
}

#[tokio::test]
async fn numbered_pages_load_to_the_end_of_a_large_library() {
    let s = tl_server::start(TlConfig {
        auth: Some(KEY.into()),
        scale: 300,
        ..TlConfig::default()
    })
    .await
    .unwrap();
    let mut b = Headless::with_service(Service::TwelveLabs(client(&s.base_url)), None, 120, 40);
    b.start();
    b.wait_for("the first page", T, |st| !st.list.entries.is_empty())
        .await
        .unwrap();
    let total = b.state.list.total.expect("TwelveLabs says its total");
    for _ in 0..total {
        b.char('j');
        if b.state.list.cursor + 1 >= b.state.list.entries.len() {
            b.wait_for("the next page", T, |st| {
                st.list.is_complete() || st.list.cursor + 1 < st.list.entries.len()
            })
            .await
            .unwrap();
        }
    }
    assert_eq!(b.state.list.entries.len() as u64, total);
    assert!(b.state.list.is_complete());
    s.stop().await;
}

#[tokio::test]
async fn u_takes_a_link_and_the_service_fetches_it() {
    use crossterm::event::KeyCode;
    let s = server().await;
    let c = client(&s.base_url);
    // a link the service can fetch (no internet here): one of its own
    // signed thumbnails, an image
    let link = first_page(&c)
        .await
        .iter()
        .find_map(|a| a.thumbnail_url().map(str::to_string))
        .expect("a thumbnail link");
    let mut b = Headless::with_service(Service::TwelveLabs(c.clone()), None, 120, 40);
    b.start();
    b.wait_for("the first page", T, |st| !st.list.entries.is_empty())
        .await
        .unwrap();
    let before = b.state.list.entries[0].asset.id.clone();
    b.char('U');
    b.type_text(&link);
    b.key(KeyCode::Enter);
    b.wait_for("the new asset first", T, |st| {
        st.list.entries[0].asset.id != before
    })
    .await
    .unwrap();
    let id = b.state.list.entries[0].asset.id.clone();
    let asset = c.get_asset(&id).await.unwrap();
    assert_eq!(
        asset.method.as_ref().map(|m| m.as_str()),
        Some("url"),
        "{asset:?}"
    );
    s.stop().await;
}

/// The rows of the inspector's section `title` (empty when absent).
fn section_rows(st: &assetui::app::state::State, title: &str) -> Vec<(String, String)> {
    st.inspector
        .sections
        .iter()
        .find(|s| s.title == title)
        .map(|s| s.rows.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_inspector_shows_a_videos_transcript_and_the_indexes_that_hold_it() {
    let s = server().await;
    let c = client(&s.base_url);
    // a sound of our own, processed, that nobody transcribed or indexed
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quiet.wav");
    std::fs::write(&path, wav(1600)).unwrap();
    let quiet = c
        .create_asset(&tl::assets::CreateAsset::file(&path))
        .await
        .unwrap();
    let quiet_id = quiet.id().unwrap().to_string();
    let deadline = tokio::time::Instant::now() + T;
    while c.get_asset(&quiet_id).await.unwrap().status != Some(tl::models::AssetStatus::Ready) {
        assert!(tokio::time::Instant::now() < deadline, "never ready");
    }
    let mut b = Headless::with_service(Service::TwelveLabs(c.clone()), None, 120, 40);
    b.start();
    b.wait_for("the first page", T, |st| {
        matches!(st.list.loading, Loading::Idle | Loading::Complete) && !st.list.entries.is_empty()
    })
    .await
    .unwrap();
    // the newest first: our sound has no transcription and is in no index
    assert_eq!(b.state.list.entries[0].asset.id, quiet_id);
    b.wait_for("the sound's extras", T, |st| {
        section_rows(st, "Transcript")
            .iter()
            .any(|(_, v)| v == "no transcription")
    })
    .await
    .unwrap();
    assert_eq!(
        section_rows(&b.state, "Indexes"),
        vec![(String::new(), "in no index".to_string())]
    );
    // a demo video: what is said, timed, and the demo index by name and id
    let at = b
        .state
        .list
        .entries
        .iter()
        .position(|e| e.asset.name.as_deref() == Some("mountains-eagle.mp4"))
        .expect("the eagle video is listed");
    for _ in 0..at {
        b.char('j');
    }
    b.wait_for("the video's transcript", T, |st| {
        section_rows(st, "Transcript").contains(&(
            "0:00.0–0:02.0".to_string(),
            "an eagle enters over the far mountain ridge".to_string(),
        ))
    })
    .await
    .unwrap();
    assert!(
        section_rows(&b.state, "Indexes").contains(&(
            "demo-index".to_string(),
            "6721a3f0c1e5a7b2d4f6aaaa".to_string()
        )),
        "{:?}",
        section_rows(&b.state, "Indexes")
    );
    // and an image has neither section
    let image = b
        .state
        .list
        .entries
        .iter()
        .position(|e| e.asset.media == MediaKind::Image)
        .unwrap();
    for _ in 0..at.abs_diff(image) {
        b.char(if image > at { 'j' } else { 'k' });
    }
    b.wait_for("the image's details", T, |st| {
        st.inspector.detail == assetui::app::inspector::Detail::Loaded
            && st
                .inspector
                .asset
                .as_ref()
                .is_some_and(|a| a.media == MediaKind::Image)
    })
    .await
    .unwrap();
    assert!(section_rows(&b.state, "Transcript").is_empty());
    s.stop().await;
}

#[tokio::test]
async fn tag_clear_removes_all_user_metadata_on_twelvelabs_only() {
    let s = server().await;
    let c = client(&s.base_url);
    let tagged = first_page(&c)
        .await
        .iter()
        .find(|a| a.user_metadata.as_ref().is_some_and(|m| m.len() >= 2))
        .expect("an asset with metadata")
        .id()
        .unwrap()
        .to_string();
    let o = on(&s.base_url, &["tag", &tagged, "--clear"]).await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("metadata cleared"));
    let after = c.get_asset(&tagged).await.unwrap();
    assert!(
        after.user_metadata.as_ref().is_none_or(|m| m.is_empty()),
        "{:?}",
        after.user_metadata
    );
    // with --set it makes no sense; Scenario has no such thing
    let o = on(&s.base_url, &["tag", &tagged, "--clear", "--set", "a=1"]).await;
    assert_eq!(o.status.code(), Some(2));
    let o = assetui(&["tag", "asset_x", "--clear"]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("TwelveLabs"),
        "{}",
        text(&o.stderr)
    );
    s.stop().await;
}
