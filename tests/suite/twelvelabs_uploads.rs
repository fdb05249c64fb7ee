//! Local files to TwelveLabs (issue 15): video and audio above the direct
//! limit go by multipart upload, paused and continued without resending
//! what the service took, continued after a killed run, refused in one
//! line without multipart access, and the limits checked before a byte is
//! sent. The threshold is lowered with `ASSETUI_TWELVELABS_DIRECT_MAX`
//! (the CLI) or the client's `direct_max` (in process), so the files are
//! a few hundred KiB, not 200 MB.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assetui::download::upload_twelvelabs::DIRECT_MAX_ENV;
use assetui::server::twelvelabs::{self as tl_server, TlConfig};
use assetui_twelvelabs as tl;
use tl::upload::{MultipartUpload, Resume, Way};

use super::twelvelabs::{on_args, text, wav, KEY, T};
use crate::support;

/// Chunks of the test server's multipart uploads.
const CHUNK: u64 = 64 * 1024;

async fn server(multipart_access: bool, latency: Duration) -> tl_server::Running {
    tl_server::start(TlConfig {
        auth: Some(KEY.into()),
        chunk_size: CHUNK,
        multipart_access,
        latency,
        ..TlConfig::default()
    })
    .await
    .unwrap()
}

/// A client whose direct limit is 100 000 bytes.
fn small_limit_client(base: &str) -> tl::Client {
    let mut options = tl::ClientOptions::new(base).api_key(Some(KEY.into()));
    options.chunks.direct_max = 100_000;
    options.chunks.backoff = Duration::from_millis(10);
    tl::Client::new(options).unwrap()
}

/// Every session's chunks as the server saw them: (times received,
/// reported), by upload id.
fn chunks(s: &tl_server::Running) -> BTreeMap<String, Vec<(u32, bool)>> {
    s.state
        .sessions
        .lock()
        .unwrap()
        .values()
        .map(|session| {
            let chunks = session
                .chunks
                .iter()
                .map(|c| (c.puts, c.reported.is_some()))
                .collect();
            (session.id.clone(), chunks)
        })
        .collect()
}

fn asset_count(s: &tl_server::Running) -> usize {
    s.state.lib.read().unwrap().assets.len()
}

/// `assetui --provider twelvelabs … upload ARGS` with the small limit.
fn upload_command(home: &std::path::Path, base: &str, args: &[&str]) -> tokio::process::Command {
    let mut full = on_args(base, &["upload"]);
    full.extend_from_slice(args);
    support::assetui_command(home, &full, &[(DIRECT_MAX_ENV, "100000")])
}

#[tokio::test]
async fn audio_over_the_direct_limit_goes_in_chunks_and_becomes_an_asset() {
    let s = server(true, Duration::ZERO).await;
    let home = tempfile::tempdir().unwrap();
    let small = home.path().join("short.wav");
    std::fs::write(&small, wav(8_000)).unwrap(); // 16 KB: one request
    let big = home.path().join("long.wav");
    std::fs::write(&big, wav(160_000)).unwrap(); // 320 KB: five chunks
    let out = upload_command(
        home.path(),
        &s.base_url,
        &[small.to_str().unwrap(), big.to_str().unwrap(), "--json"],
    )
    .output()
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let methods: Vec<&str> = printed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["method"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(methods, ["direct", "multipart"], "{printed}");
    // the one session: five chunks, each received once and reported
    let sessions = chunks(&s);
    assert_eq!(sessions.len(), 1);
    let only = sessions.values().next().unwrap();
    assert_eq!(only.len(), 5);
    assert!(only.iter().all(|&(puts, reported)| puts == 1 && reported));
    // the file the service has is the file sent
    let id = printed[1]["_id"].as_str().unwrap();
    let asset = super::twelvelabs::client(&s.base_url)
        .get_asset(id)
        .await
        .unwrap();
    assert_eq!(asset.filename.as_deref(), Some("long.wav"));
    assert_eq!(asset.method.as_ref().map(|m| m.as_str()), Some("multipart"));
    s.stop().await;
}

#[tokio::test]
async fn without_multipart_access_a_large_upload_fails_in_one_clear_line() {
    let s = server(false, Duration::ZERO).await;
    let home = tempfile::tempdir().unwrap();
    let big = home.path().join("long.wav");
    std::fs::write(&big, wav(160_000)).unwrap();
    let before = asset_count(&s);
    let out = upload_command(home.path(), &s.base_url, &[big.to_str().unwrap()])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("no access to multipart uploads (a private preview)"),
        "{err}"
    );
    assert!(err.contains("over 200 MB"), "{err}");
    assert!(!err.contains(KEY));
    assert_eq!(asset_count(&s), before);
    s.stop().await;
}

#[tokio::test]
async fn the_limits_are_checked_before_a_byte_is_sent() {
    let s = server(true, Duration::ZERO).await;
    let c = small_limit_client(&s.base_url);
    let dir = tempfile::tempdir().unwrap();
    let sparse = |name: &str, len: u64| {
        let path = dir.path().join(name);
        std::fs::File::create(&path).unwrap().set_len(len).unwrap();
        path
    };
    let image = sparse("huge.png", (32 << 20) + 1);
    let video = sparse("huge.mp4", (10 << 30) + 1);
    let document = sparse("huge.pdf", 200_000_001);
    for (path, limit) in [(&image, "32 MB"), (&video, "10 GB"), (&document, "200 MB")] {
        let err = c.plan_local(path).unwrap_err().to_string();
        assert!(err.contains(limit), "{err}");
    }
    // the same through the command: refused, and nothing reached the server
    let home = tempfile::tempdir().unwrap();
    let out = upload_command(home.path(), &s.base_url, &[image.to_str().unwrap()])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("32 MB"), "{}", text(&out.stderr));
    assert!(chunks(&s).is_empty());
    // under the limits: which way each goes
    let small = dir.path().join("a.wav");
    std::fs::write(&small, wav(1_000)).unwrap();
    assert_eq!(c.plan_local(&small).unwrap().way, Way::Direct);
    let big = dir.path().join("b.mp4");
    std::fs::write(&big, vec![0u8; 100_001]).unwrap();
    assert_eq!(c.plan_local(&big).unwrap().way, Way::Multipart);
    s.stop().await;
}

#[tokio::test]
async fn a_paused_multipart_upload_resumes_without_sending_an_accepted_chunk_again() {
    let s = server(true, Duration::from_millis(20)).await;
    let c = small_limit_client(&s.base_url);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.wav");
    std::fs::write(&path, wav(320_000)).unwrap(); // 640 KB: ten chunks
    let upload = MultipartUpload::new(&path);
    let resume = Resume::new();
    // pause (drop the upload) once three chunks are in
    let sent = Arc::new(Mutex::new(Vec::new()));
    let (pause_tx, pause_rx) = tokio::sync::oneshot::channel::<()>();
    let pause_tx = Mutex::new(Some(pause_tx));
    let on_chunk = |p: tl::upload::UploadProgress| {
        sent.lock().unwrap().push(p.chunk);
        if p.chunks_done >= 3 {
            if let Some(tx) = pause_tx.lock().unwrap().take() {
                let _ = tx.send(());
            }
        }
    };
    let first = c.upload_multipart(&upload, &resume, &on_chunk);
    tokio::select! {
        r = first => panic!("the upload ended before the pause: {r:?}"),
        _ = pause_rx => {}
    }
    let accepted = resume.accepted();
    assert!(accepted.len() >= 3, "{accepted:?}");
    assert!(accepted.len() < 10, "{accepted:?}");
    // resume with the same record: only the others are sent
    let again = Arc::new(Mutex::new(Vec::new()));
    let outcome = tokio::time::timeout(
        T,
        c.upload_multipart(&upload, &resume, &|p| again.lock().unwrap().push(p.chunk)),
    )
    .await
    .unwrap()
    .unwrap();
    let again = again.lock().unwrap().clone();
    assert!(
        again.iter().all(|i| !accepted.contains(i)),
        "sent again: {again:?}, accepted before: {accepted:?}"
    );
    let sessions = chunks(&s);
    let session = &sessions[&outcome.upload_id];
    assert_eq!(session.len(), 10);
    assert!(session.iter().all(|&(_, reported)| reported), "{session:?}");
    // the service received each accepted chunk once; a chunk whose PUT was
    // in flight when the upload was dropped may have reached it, unknown
    // to the client (the service counts an uploaded chunk nobody reported
    // as pending, like one never sent), and goes again: once more at most
    for (i, &(puts, _)) in session.iter().enumerate() {
        let chunk = i as u64 + 1;
        if accepted.contains(&chunk) {
            assert_eq!(puts, 1, "accepted chunk {chunk} sent again: {session:?}");
        } else {
            assert!((1..=2).contains(&puts), "chunk {chunk}: {session:?}");
        }
    }
    let asset = c.get_asset(&outcome.asset_id).await.unwrap();
    assert_eq!(asset.method.as_ref().map(|m| m.as_str()), Some("multipart"));
    s.stop().await;
}

#[tokio::test]
async fn an_upload_a_killed_run_left_is_continued_by_the_next_upload_of_the_file() {
    let s = server(true, Duration::from_millis(40)).await;
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("long.wav");
    std::fs::write(&path, wav(1_600_000)).unwrap(); // 3.2 MB: 49 chunks
    let mut first = upload_command(home.path(), &s.base_url, &[path.to_str().unwrap()])
        .spawn()
        .unwrap();
    // once the service counts a batch of chunks as completed, kill it
    let deadline = tokio::time::Instant::now() + T;
    loop {
        let reported = chunks(&s)
            .values()
            .map(|c| c.iter().filter(|(_, r)| *r).count())
            .sum::<usize>();
        if reported >= 10 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no chunk reported");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.kill().await.unwrap();
    let before = chunks(&s);
    assert_eq!(before.len(), 1);
    let (upload_id, kept) = before.into_iter().next().unwrap();
    assert!(
        kept.iter().any(|(_, r)| !r),
        "the first run finished before the kill"
    );
    // the same file again: the session is found and continued
    let out = upload_command(home.path(), &s.base_url, &[path.to_str().unwrap()])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("continuing the upload an earlier run began"),
        "{}",
        text(&out.stderr)
    );
    let after = chunks(&s);
    assert_eq!(after.len(), 1, "no second session");
    let done = &after[&upload_id];
    for (i, ((puts, reported), (_, was_reported))) in done.iter().zip(&kept).enumerate() {
        assert!(reported, "chunk {} not completed", i + 1);
        if *was_reported {
            assert_eq!(*puts, 1, "chunk {} was completed and sent again", i + 1);
        }
    }
    // and the record of it is gone: a third upload is a new asset
    let records = std::fs::read_to_string(
        home.path()
            .join("state")
            .join("assetui")
            .join("downloads")
            .join("twelvelabs-uploads.json"),
    )
    .unwrap();
    assert!(!records.contains(&upload_id), "{records}");
    s.stop().await;
}

/// The upload item of the browser's transfers pane.
fn upload_item(st: &assetui::app::state::State) -> Option<&assetui::download::queue::ItemView> {
    st.downloads
        .snapshot
        .items
        .iter()
        .rev()
        .find(|i| i.direction.is_upload())
}

/// A browser on TwelveLabs with its transfers queue, the direct limit
/// small; every first chunk PUT the server receives is held in flight.
async fn browser_with_queue(
    s: &tl_server::Running,
) -> (tl::Client, assetui::headless::Headless, tempfile::TempDir) {
    use assetui::download::queue::{Config, Queue};
    use assetui::provider::Service;
    let c = small_limit_client(&s.base_url);
    let mut b =
        assetui::headless::Headless::with_service(Service::TwelveLabs(c.clone()), None, 120, 40);
    b.start();
    b.wait_for("the first page", T, |st| !st.list.entries.is_empty())
        .await
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let queue = Queue::start_on(
        Service::TwelveLabs(c.clone()),
        Config::new(out.path().to_path_buf()),
        false,
    )
    .unwrap();
    b.attach_queue(queue);
    (c, b, out)
}

/// `U`, the path, Enter, then the transfers pane.
fn upload_in_pane(b: &mut assetui::headless::Headless, path: &std::path::Path) {
    b.char('U');
    b.type_text(&path.display().to_string());
    b.key(crossterm::event::KeyCode::Enter);
    b.char('D');
}

fn hold_first_chunk(s: &tl_server::Running) {
    s.state.script_faults([
        assetui::server::faults::Scripted::parse("hold", "/v1.3/_uploads/").unwrap(),
    ]);
}

/// `U` on TwelveLabs: a sound over the direct limit is an item of the
/// transfers pane; one chunk is held by the server while the nine others
/// are taken, `p` pauses (the held one is dropped), `p` again sends only
/// that one, and the new asset joins the list. `x` cancels a second
/// upload, `R` starts it again to the end.
#[tokio::test(flavor = "multi_thread")]
async fn u_on_twelvelabs_is_a_transfers_item_that_pauses_resumes_cancels_and_retries() {
    use assetui::download::queue::{Direction, Phase};
    use crossterm::event::KeyCode;
    let s = server(true, Duration::ZERO).await;
    let (c, mut b, _out) = browser_with_queue(&s).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.wav");
    std::fs::write(&path, wav(320_000)).unwrap(); // ten chunks
    hold_first_chunk(&s);
    upload_in_pane(&mut b, &path);
    b.wait_for("nine chunks taken, one held", T, |st| {
        upload_item(st).is_some_and(|i| i.note.as_deref() == Some("9 of 10 parts"))
    })
    .await
    .unwrap();
    let item = upload_item(&b.state).unwrap().clone();
    assert_eq!(item.direction, Direction::Upload { single: false });
    assert!(b.screen().contains("↑ upload long.wav"), "{}", b.screen());
    b.char('p');
    b.wait_for("paused", T, |st| {
        upload_item(st).is_some_and(|i| i.phase == Phase::Paused)
    })
    .await
    .unwrap();
    let held: Vec<(u32, bool)> = chunks(&s).into_values().next().unwrap();
    assert_eq!(held.iter().filter(|(puts, _)| *puts == 1).count(), 9);
    b.char('p');
    b.wait_for("done", T, |st| {
        upload_item(st).is_some_and(|i| i.phase == Phase::Done)
    })
    .await
    .unwrap();
    let sessions = chunks(&s);
    let session = sessions.values().next().unwrap();
    assert!(
        session
            .iter()
            .all(|&(puts, reported)| puts == 1 && reported),
        "a chunk was sent twice or never: {session:?}"
    );
    let id = upload_item(&b.state).unwrap().asset_id.clone();
    b.wait_for("the new asset in the list", T, |st| {
        st.list.position_of(&id).is_some()
    })
    .await
    .unwrap();
    let asset = c.get_asset(&id).await.unwrap();
    assert_eq!(asset.method.as_ref().map(|m| m.as_str()), Some("multipart"));
    // a second one: cancelled while a chunk is held, then started again
    let other = dir.path().join("other.wav");
    std::fs::write(&other, wav(200_000)).unwrap();
    hold_first_chunk(&s);
    b.key(KeyCode::Esc);
    upload_in_pane(&mut b, &other);
    b.wait_for("a chunk held", T, |st| {
        upload_item(st).is_some_and(|i| i.note.as_deref() == Some("6 of 7 parts"))
    })
    .await
    .unwrap();
    // the pane's cursor stays on the first item: down to the new one
    b.key(KeyCode::Down);
    b.char('x');
    b.wait_for("cancelled", T, |st| {
        upload_item(st).is_some_and(|i| i.phase == Phase::Cancelled)
    })
    .await
    .unwrap();
    b.char('R');
    b.wait_for("done again", T, |st| {
        upload_item(st).is_some_and(|i| i.phase == Phase::Done)
    })
    .await
    .unwrap();
    let again = upload_item(&b.state).unwrap().asset_id.clone();
    let asset = c.get_asset(&again).await.unwrap();
    assert_eq!(asset.filename.as_deref(), Some("other.wav"));
    // the retry was a new upload: the cancelled session is left alone
    assert_eq!(chunks(&s).len(), 3);
    s.stop().await;
}
