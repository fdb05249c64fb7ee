//! Uploads in the transfers pane (issue 17): the browser's `U` through the
//! transfers queue against the demo server, with real `update()`, real
//! workers and keys injected. A part is held in flight by the server's
//! scripted `hold` fault, so pause and cancel meet an upload mid-way
//! without any timing; waits are on messages with timeouts, never sleeps.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crossterm::event::KeyCode;

use assetui::api::Client;
use assetui::app::state::Overlay;
use assetui::download::queue::{Config, Direction, ItemView, Phase};
use assetui::headless::Headless;
use assetui::server::faults::Scripted;
use assetui::server::{self, Running, ServerConfig};

const T: Duration = Duration::from_secs(30);
const MIB: u64 = 1024 * 1024;

/// The demo server, a browser on it with a transfers queue whose uploads
/// go in parts of 5 MiB, `at_once` at a time.
async fn browser(at_once: usize) -> (Running, Client, Headless, tempfile::TempDir) {
    let running = server::start(ServerConfig::default())
        .await
        .expect("demo server starts");
    let (client, mut b) = crate::support::browser_on(&running, T).await;
    let out = tempfile::tempdir().unwrap();
    let mut config = Config::new(out.path().to_path_buf());
    config.upload_part_size = 5 * MIB;
    config.upload_parts_at_once = at_once;
    b.attach_downloads(client.clone(), config);
    (running, client, b, out)
}

/// A WAV file of `len` bytes: a real header, then a pattern.
fn wav(dir: &Path, name: &str, len: u64) -> (PathBuf, Vec<u8>) {
    let mut v = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
    let mut i = 0u32;
    while (v.len() as u64) < len {
        v.push((i.wrapping_mul(2_654_435_761) >> 24) as u8);
        i += 1;
    }
    let path = dir.join(name);
    std::fs::write(&path, &v).unwrap();
    (path, v)
}

fn upload_item(s: &assetui::app::state::State) -> Option<&ItemView> {
    s.downloads
        .snapshot
        .items
        .iter()
        .find(|i| i.direction.is_upload())
}

fn upload_phase(s: &assetui::app::state::State) -> Option<Phase> {
    upload_item(s).map(|i| i.phase)
}

/// `U`, the path, Enter.
fn start_upload(b: &mut Headless, path: &Path) {
    b.char('U');
    b.type_text(&path.display().to_string());
    b.key(KeyCode::Enter);
}

/// The parts the server holds of its only multipart upload.
fn parts_received(srv: &Running) -> BTreeSet<u64> {
    srv.state.multipart.with(|m| {
        m.values()
            .flat_map(|u| u.assembly().lengths().keys().copied().collect::<Vec<_>>())
            .collect()
    })
}

fn statuses(srv: &Running) -> Vec<String> {
    srv.state.multipart.with(|m| {
        let mut v: Vec<String> = m.values().map(|u| u.status.as_str().to_string()).collect();
        v.sort();
        v
    })
}

/// Every part link request of the server's uploads is held once: the
/// first one to arrive stays in flight until the client drops it.
fn hold_first_part(srv: &Running) {
    srv.state
        .script_faults([Scripted::parse("hold", "/v1/uploads/upload").unwrap()]);
}

/// A round trip to the same server, and whatever the browser heard
/// meanwhile handled: what the queue had still to send would be sent.
async fn round_trip(b: &mut Headless, client: &Client) {
    let q = assetui::api::params::ListAssetsQuery::default();
    client.list_assets_page(&q).await.unwrap();
    b.drain();
}

/// An upload of a 13 MiB sound in three parts, two at a time: one part is
/// held by the server, the other two are accepted; `p` pauses it (the
/// held part is dropped and nothing more is sent, as the server's part
/// count shows), `p` resumes it with the one part missing, and the new
/// asset lands in the list with the cursor still on the asset it was on.
#[tokio::test(flavor = "multi_thread")]
async fn an_upload_shows_in_the_pane_pauses_resumes_and_its_asset_joins_the_list() {
    let (srv, client, mut b, _out) = browser(2).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, bytes) = wav(dir.path(), "take.wav", 13 * MIB + 5);
    // the user is on the third asset
    b.char('j');
    b.char('j');
    let on = b.state.list.current().unwrap().asset.id.clone();
    hold_first_part(&srv);
    start_upload(&mut b, &path);
    b.char('D');
    assert!(matches!(b.state.overlay, Some(Overlay::Downloads)));
    b.wait_for("two parts accepted, one held", T, |s| {
        upload_item(s).is_some_and(|i| i.note.as_deref() == Some("2 of 3 parts"))
    })
    .await
    .unwrap();
    let screen = b.screen();
    assert!(screen.contains("Transfers"), "{screen}");
    assert!(screen.contains("↑ upload take.wav"), "{screen}");
    assert!(screen.contains("sending"), "{screen}");
    assert!(screen.contains("2 of 3 parts"), "{screen}");
    let item = upload_item(&b.state).unwrap();
    assert_eq!(item.direction, Direction::Upload { single: false });
    assert_eq!(item.total, Some(bytes.len() as u64));
    // pause: the held part is dropped, the two accepted stay accepted
    b.char('p');
    b.wait_for("paused", T, |s| upload_phase(s) == Some(Phase::Paused))
        .await
        .unwrap();
    let item = upload_item(&b.state).unwrap();
    let accepted = parts_received(&srv);
    assert_eq!(accepted.len(), 2, "{accepted:?}");
    let accepted_bytes: u64 = accepted
        .iter()
        .map(|n| {
            if *n == 3 {
                bytes.len() as u64 - 10 * MIB
            } else {
                5 * MIB
            }
        })
        .sum();
    assert_eq!(item.bytes, accepted_bytes);
    assert!(b.screen().contains("paused"), "{}", b.screen());
    // nothing is sent while it is paused
    round_trip(&mut b, &client).await;
    assert_eq!(parts_received(&srv), accepted);
    assert_eq!(statuses(&srv), ["pending"]);
    assert_eq!(upload_phase(&b.state), Some(Phase::Paused));
    // resume: the one missing part, then the import
    b.char('p');
    b.wait_for("imported", T, |s| upload_phase(s) == Some(Phase::Done))
        .await
        .unwrap();
    assert_eq!(statuses(&srv), ["imported"]);
    let item = upload_item(&b.state).unwrap().clone();
    assert!(item.asset_id.starts_with("asset"), "{item:?}");
    let screen = b.screen();
    assert!(
        screen.contains(&format!("→ new asset take.wav · {}", item.asset_id)),
        "{screen}"
    );
    // the new asset joins the list; the cursor stays where the user is
    b.wait_for("the new asset in the list", T, |s| {
        s.list.position_of(&item.asset_id).is_some()
    })
    .await
    .unwrap();
    assert_eq!(b.state.list.entries[0].asset.id, item.asset_id);
    let copies = b.state.list.entries.iter();
    assert_eq!(copies.filter(|e| e.asset.id == item.asset_id).count(), 1);
    assert_eq!(b.state.list.current().unwrap().asset.id, on);
    assert_eq!(b.state.list.cursor, 3);
    let stored = client.get_asset(&item.asset_id).await.unwrap();
    assert_eq!(stored.kind().map(|k| k.as_str()), Some("audio"));
    let back = reqwest::get(stored.url.clone().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(back.as_ref() == bytes.as_slice(), "the asset is the file");
}

/// Parts one at a time, the first held: `x` cancels the upload (nothing
/// more is sent, no asset appears), and `R` starts it again, as a new
/// upload, to the end.
#[tokio::test(flavor = "multi_thread")]
async fn cancel_stops_an_upload_and_retry_starts_it_again() {
    let (srv, client, mut b, _out) = browser(1).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = wav(dir.path(), "voice.wav", 11 * MIB);
    hold_first_part(&srv);
    start_upload(&mut b, &path);
    b.char('D');
    b.wait_for("the first part in flight", T, |s| {
        upload_item(s).is_some_and(|i| i.phase == Phase::Sending && i.bytes > 0)
    })
    .await
    .unwrap();
    b.char('x');
    b.wait_for("cancelled", T, |s| {
        upload_phase(s) == Some(Phase::Cancelled)
    })
    .await
    .unwrap();
    round_trip(&mut b, &client).await;
    // the held part was dropped and no other was sent
    assert_eq!(parts_received(&srv), BTreeSet::new());
    assert_eq!(statuses(&srv), ["pending"]);
    assert!(!b
        .state
        .list
        .entries
        .iter()
        .any(|e| e.asset.name.as_deref() == Some("voice.wav")));
    // retry: a new upload, all the way
    b.char('R');
    b.wait_for("imported", T, |s| upload_phase(s) == Some(Phase::Done))
        .await
        .unwrap();
    assert_eq!(statuses(&srv), ["imported", "pending"]);
    let id = upload_item(&b.state).unwrap().asset_id.clone();
    b.wait_for("the new asset in the list", T, |s| {
        s.list.position_of(&id).is_some()
    })
    .await
    .unwrap();
    assert_eq!(
        client.get_asset(&id).await.unwrap().name(),
        Some("voice.wav")
    );
}

/// A file the server takes in parts but cannot import (an image header,
/// then nothing a decoder accepts): the item fails, and the server's
/// `errorMessage` is read whole under the cursor in the pane.
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_import_shows_the_servers_error_message_in_the_pane() {
    let (_srv, _client, mut b, _out) = browser(4).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.png");
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.resize(7 * MIB as usize, 0xAB);
    std::fs::write(&path, &bytes).unwrap();
    start_upload(&mut b, &path);
    b.wait_for("the failure", T, |s| upload_phase(s) == Some(Phase::Failed))
        .await
        .unwrap();
    let why = upload_item(&b.state).unwrap().error.clone().unwrap();
    assert!(
        why.starts_with("the service did not import it: the file is not a valid image"),
        "{why}"
    );
    let status = b.state.notice.as_ref().unwrap();
    assert!(status.error && status.text.contains("upload of broken.png failed"));
    b.char('D');
    let flat = b.screen().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("↑ upload broken.png failed"), "{flat}");
    // the whole reason, wrapped under the item
    for word in why.split_whitespace() {
        assert!(flat.contains(word), "{word:?} not in {flat}");
    }
}

/// A small image goes in one request: an item all the same, which `p`
/// does not pause; it ends with the new asset in the list.
#[tokio::test(flavor = "multi_thread")]
async fn a_small_image_in_one_request_is_an_item_too() {
    let (_srv, _client, mut b, _out) = browser(4).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sketch.png");
    image::RgbImage::from_pixel(8, 8, image::Rgb([200, 40, 40]))
        .save(&path)
        .unwrap();
    start_upload(&mut b, &path);
    b.wait_for("imported", T, |s| upload_phase(s) == Some(Phase::Done))
        .await
        .unwrap();
    let item = upload_item(&b.state).unwrap().clone();
    assert_eq!(item.direction, Direction::Upload { single: true });
    b.wait_for("the new asset in the list", T, |s| {
        s.list.position_of(&item.asset_id).is_some()
    })
    .await
    .unwrap();
    assert_eq!(b.state.list.entries[0].asset.id, item.asset_id);
    assert_eq!(b.state.list.cursor, 1);
}
