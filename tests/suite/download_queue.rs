//! The download queue as the browser and the CLI drive it, against the
//! demo server in-process: the concurrency limit, how often snapshots
//! come, and pause / resume / cancel / retry through the `Queue` API.
//! Nothing here sleeps to wait: every wait is on a published snapshot,
//! with a timeout.

use std::path::{Path, PathBuf};

use crate::support::part_of;
use std::time::{Duration, Instant};

use assetui::api::{Client, ClientOptions};
use assetui::download::queue::{Config, ItemView, Phase, Queue, Request, Snapshot};
use assetui::download::transfer::Options;
use assetui::server::faults::Scripted;
use assetui::server::generated::{file_matches, fill, LARGE_ID, LARGE_SEED};
use assetui::server::{self, Running, ServerConfig};

const T: Duration = Duration::from_secs(60);
/// Seeds of the generated files (`src/server/generated.rs`).
const SMALL_SEED: u64 = 0x5ea1_0000;

struct Fixture {
    server: Running,
    client: Client,
    dir: tempfile::TempDir,
}

async fn fixture(config: ServerConfig) -> Fixture {
    let server = server::start(config).await.expect("demo server starts");
    let client = Client::new(ClientOptions::new(server.base_url.clone())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    Fixture {
        server,
        client,
        dir,
    }
}

fn small_id(i: u64) -> String {
    format!("asset_SmallFile{i:013}")
}

fn requests(ids: &[String]) -> Vec<Request> {
    ids.iter()
        .map(|id| Request::new(id.clone(), None))
        .collect()
}

impl Fixture {
    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn config(&self, jobs: usize) -> Config {
        let mut c = Config::new(self.out());
        c.jobs = jobs;
        c
    }

    fn start(&self, config: Config) -> Queue {
        Queue::start(self.client.clone(), config, false).expect("the queue starts")
    }

    /// Queues faults for the next file requests.
    fn faults(&self, faults: &[&str]) {
        self.server.state.script_faults(
            faults
                .iter()
                .map(|f| Scripted::parse(f, "/v1/files/").unwrap()),
        );
    }

    /// Body bytes the server handed out for an asset's file so far.
    /// Where each request for `id`'s file began, in order.
    fn starts(&self, id: &str) -> Vec<u64> {
        self.server
            .state
            .generated
            .get(id)
            .expect("a generated asset")
            .starts()
    }

    fn served(&self, id: &str) -> u64 {
        self.server
            .state
            .generated
            .get(id)
            .expect("a generated asset")
            .served()
    }
}

/// Waits (with a timeout) for a snapshot that satisfies `done`.
async fn until(q: &Queue, what: &str, done: impl Fn(&Snapshot) -> bool) -> Snapshot {
    match tokio::time::timeout(T, q.wait_for(done)).await {
        Ok(s) => s,
        Err(_) => panic!("timed out waiting for {what}"),
    }
}

fn item<'a>(s: &'a Snapshot, id: &str) -> &'a ItemView {
    s.items
        .iter()
        .find(|i| i.asset_id == id)
        .unwrap_or_else(|| panic!("{id} is in the queue"))
}

fn running(s: &Snapshot) -> usize {
    s.count(Phase::GettingLink) + s.count(Phase::Downloading)
}

/// The file is exactly the generated content (`seed`, generation 0).
fn same_as_generated(path: &Path, seed: u64) -> bool {
    let got = std::fs::read(path).unwrap();
    let mut want = vec![0u8; got.len()];
    fill(seed, 0, 0, &mut want);
    got == want
}

/// Every file in `dir`, by name.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_more_than_jobs_items_run_at_once_and_all_end_byte_identical() {
    const SIZE: u64 = 256 << 10;
    // each request waits, so items overlap for hundreds of milliseconds
    let f = fixture(ServerConfig {
        small_assets: Some((6, SIZE)),
        latency: Duration::from_millis(150),
        ..Default::default()
    })
    .await;
    let q = f.start(f.config(2));
    let ids: Vec<String> = (0..6).map(small_id).collect();
    let mut rx = q.subscribe();
    q.add(requests(&ids));
    let mut most = 0;
    let mut seen = 0;
    let last = tokio::time::timeout(T, async {
        loop {
            rx.changed().await.expect("the queue runs");
            let s = rx.borrow_and_update().clone();
            seen += 1;
            most = most.max(running(&s));
            assert!(
                running(&s) <= 2,
                "{} items running at once with jobs = 2: {:?}",
                running(&s),
                s.items.iter().map(|i| i.phase).collect::<Vec<_>>()
            );
            if s.items.len() == 6 && s.settled() {
                return s;
            }
        }
    })
    .await
    .expect("every item settles in time");
    // the limit was reached, so the check above had something to check
    assert_eq!(most, 2, "items overlapped ({seen} snapshots seen)");
    assert_eq!(last.count(Phase::Done), 6, "{:?}", last.items);
    for (i, id) in ids.iter().enumerate() {
        let v = item(&last, id);
        let path = v.path.as_ref().expect("a final path");
        assert!(path.starts_with(f.out()), "{}", path.display());
        assert_eq!(std::fs::metadata(path).unwrap().len(), SIZE, "{id}");
        assert!(same_as_generated(path, SMALL_SEED + i as u64), "{id}");
        assert_eq!(part_of(&f.out(), id), None, "no .part left for {id}");
    }
    q.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_come_at_most_ten_a_second() {
    const SIZE: u64 = 96 << 20;
    let f = fixture(ServerConfig {
        large_asset: Some(SIZE),
        latency: Duration::from_millis(300),
        ..Default::default()
    })
    .await;
    let mut config = f.config(1);
    // many events (checkpoints, progress) for the queue to fold
    config.transfer = Options {
        checkpoint_bytes: 256 << 10,
        ..Options::default()
    };
    let q = f.start(config);
    let mut rx = q.subscribe();
    rx.borrow_and_update();
    let t0 = Instant::now();
    q.add(requests(&[LARGE_ID.to_string()]));
    let mut count = 0u128;
    let last = tokio::time::timeout(T, async {
        loop {
            rx.changed().await.expect("the queue runs");
            count += 1;
            let s = rx.borrow_and_update().clone();
            if s.settled() && !s.items.is_empty() {
                return s;
            }
        }
    })
    .await
    .expect("the download ends in time");
    let elapsed = t0.elapsed();
    let bound = elapsed.as_millis() / 100 + 2;
    assert!(
        count <= bound,
        "{count} snapshots in {elapsed:?} (at most {bound} allowed)"
    );
    let v = item(&last, LARGE_ID);
    assert_eq!(v.phase, Phase::Done, "{v:?}");
    assert!(file_matches(v.path.as_ref().unwrap(), LARGE_SEED, 0, SIZE).unwrap());
    q.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_all_then_resume_all_finishes_from_where_each_stopped() {
    const SIZE: u64 = 1 << 20;
    const STALL_AT: u64 = 64 << 10;
    let f = fixture(ServerConfig {
        small_assets: Some((3, SIZE)),
        ..Default::default()
    })
    .await;
    // every first file request stalls after its first bytes
    f.faults(&["stall@65536", "stall@65536", "stall@65536"]);
    let q = f.start(f.config(3));
    let ids: Vec<String> = (0..3).map(small_id).collect();
    q.add(requests(&ids));
    until(&q, "three items downloading", |s| {
        s.count(Phase::Downloading) == 3
    })
    .await;
    q.pause(None);
    let paused = until(&q, "every item paused", |s| s.settled()).await;
    assert_eq!(paused.count(Phase::Paused), 3, "{:?}", paused.items);
    // each kept its .part; what the server sent so far
    let mut kept = Vec::new();
    for id in &ids {
        let part = part_of(&f.out(), id).unwrap_or_else(|| panic!("{id}: its .part kept"));
        let len = std::fs::metadata(&part).unwrap().len();
        assert!(len <= STALL_AT, "{id}: {len}");
        kept.push((len, f.served(id)));
    }
    q.resume(None);
    let done = until(&q, "every item done", |s| s.count(Phase::Done) == 3).await;
    for (i, id) in ids.iter().enumerate() {
        let v = item(&done, id);
        assert!(
            same_as_generated(v.path.as_ref().unwrap(), SMALL_SEED + i as u64),
            "{id}"
        );
        assert_eq!(
            std::fs::metadata(v.path.as_ref().unwrap()).unwrap().len(),
            SIZE
        );
        // resumed where its .part ended: only the rest was sent again
        let (len, before) = kept[i];
        assert_eq!(f.served(id) - before, SIZE - len, "{id}: kept {len} bytes");
        assert_eq!(part_of(&f.out(), id), None);
    }
    q.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_one_item_removes_its_part_and_spares_the_others() {
    const SIZE: u64 = 1 << 20;
    let f = fixture(ServerConfig {
        small_assets: Some((2, SIZE)),
        ..Default::default()
    })
    .await;
    f.faults(&["stall@65536", "stall@65536"]);
    let mut config = f.config(2);
    // the one left is unstuck by its stall timeout, then resumes
    config.transfer.read_timeout = Duration::from_secs(2);
    config.transfer.backoff.initial_backoff = Duration::from_millis(50);
    let q = f.start(config);
    let ids: Vec<String> = (0..2).map(small_id).collect();
    q.add(requests(&ids));
    let s = until(&q, "both downloading", |s| s.count(Phase::Downloading) == 2).await;
    let key = item(&s, &ids[0]).key;
    q.cancel(Some(key));
    let s = until(&q, "the first cancelled", |s| {
        s.items
            .iter()
            .any(|i| i.key == key && i.phase == Phase::Cancelled)
    })
    .await;
    assert!(
        matches!(item(&s, &ids[1]).phase, Phase::Downloading | Phase::Done),
        "the other item goes on: {:?}",
        item(&s, &ids[1])
    );
    let s = until(&q, "the second done", |s| s.settled()).await;
    assert_eq!(item(&s, &ids[0]).phase, Phase::Cancelled);
    assert_eq!(item(&s, &ids[0]).path, None);
    let other = item(&s, &ids[1]);
    assert_eq!(other.phase, Phase::Done, "{other:?}");
    assert!(same_as_generated(
        other.path.as_ref().unwrap(),
        SMALL_SEED + 1
    ));
    // the cancelled item left nothing: no .part, no file
    let name = other
        .path
        .as_ref()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert_eq!(listing(&f.out()), vec![name]);
    q.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_item_is_retried_to_done() {
    const SIZE: u64 = 128 << 10;
    let f = fixture(ServerConfig {
        small_assets: Some((1, SIZE)),
        ..Default::default()
    })
    .await;
    // a 404 on the file is not retried by the transfer: the item fails
    f.faults(&["404"]);
    let q = f.start(f.config(1));
    let id = small_id(0);
    q.add(requests(std::slice::from_ref(&id)));
    let s = until(&q, "the item failed", |s| s.items.len() == 1 && s.settled()).await;
    let v = item(&s, &id);
    assert_eq!(v.phase, Phase::Failed, "{v:?}");
    let why = v.error.clone().unwrap_or_default();
    assert!(why.contains("404"), "{why}");
    assert!(!why.contains("signature"), "{why}");
    assert!(listing(&f.out()).is_empty(), "{:?}", listing(&f.out()));
    q.retry(Some(v.key));
    let s = until(&q, "the item done", |s| s.count(Phase::Done) == 1).await;
    let v = item(&s, &id);
    assert_eq!(v.error, None);
    assert!(same_as_generated(v.path.as_ref().unwrap(), SMALL_SEED));
    assert_eq!(
        std::fs::metadata(v.path.as_ref().unwrap()).unwrap().len(),
        SIZE
    );
    q.close().await;
}

#[tokio::test]
async fn a_restart_is_in_the_journal_before_the_new_files_checkpoints() {
    const SIZE: u64 = 8 << 20;
    let f = fixture(ServerConfig {
        large_asset: Some(SIZE),
        ..Default::default()
    })
    .await;
    let journal = f.dir.path().join("journal");
    let mut config = f.config(1);
    config.journal_dir = Some(journal.clone());
    config.transfer = Options {
        attempts: 1,
        checkpoint_bytes: 1 << 20,
        ..Options::default()
    };
    // the first attempt breaks part way: the item fails with its part kept
    f.faults(&["truncate@5000000"]);
    let q = f.start(config);
    q.add(requests(&[LARGE_ID.to_string()]));
    let s = until(&q, "the item failed", |s| s.items.len() == 1 && s.settled()).await;
    let key = item(&s, LARGE_ID).key;
    // then the file changes on the server, and the retry starts over
    f.client
        .http()
        .post(format!(
            "{}/_demo/assets/{LARGE_ID}/replace",
            f.server.base_url
        ))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    q.retry(Some(key));
    let s = until(&q, "the item done", |s| s.count(Phase::Done) == 1).await;
    let v = item(&s, LARGE_ID);
    assert!(file_matches(v.path.as_ref().unwrap(), LARGE_SEED, 1, SIZE).unwrap());
    // the journal's history for the item: (bytes vouched for, ETag)
    let text = std::fs::read_dir(&journal)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .expect("the journal file");
    let puts: Vec<(u64, Option<String>)> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|r| r["op"] == "put")
        .map(|r| {
            let resume = &r["entry"]["resume"];
            (
                resume["bytes"].as_u64().unwrap_or(0),
                resume["etag"].as_str().map(str::to_string),
            )
        })
        .collect();
    let old = puts
        .iter()
        .find(|p| p.0 > 0)
        .and_then(|p| p.1.clone())
        .expect("a checkpoint of the first file");
    let first_new = puts
        .iter()
        .position(|p| p.1.as_ref().is_some_and(|e| *e != old))
        .expect("checkpoints of the new file");
    let last_old = puts
        .iter()
        .rposition(|p| p.1.as_deref() == Some(old.as_str()))
        .unwrap();
    // between the old file's last checkpoint and the new one's first, the
    // journal stopped vouching for any byte
    assert!(
        puts[last_old..first_new]
            .iter()
            .any(|p| p.0 == 0 && p.1.is_none()),
        "{puts:?}"
    );
    q.close().await;
}

/// Items whose names expand alike (a template without `<id>`) each write
/// a partial file of their own: every placed file holds exactly its own
/// asset's bytes, never a splice of several.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_named_alike_never_share_a_partial_file() {
    const SIZE: u64 = 512 << 10;
    let f = fixture(ServerConfig {
        small_assets: Some((4, SIZE)),
        latency: Duration::from_millis(50),
        ..Default::default()
    })
    .await;
    // every item stalls once part way, so all four overlap on disk
    f.faults(&["stall@100000"; 4]);
    let mut config = f.config(4);
    config.template = "same name".into();
    config.transfer.read_timeout = Duration::from_millis(300);
    config.transfer.backoff.initial_backoff = Duration::from_millis(20);
    let q = f.start(config);
    let ids: Vec<String> = (0..4).map(small_id).collect();
    q.add(requests(&ids));
    let s = until(&q, "all four settled", |s| {
        s.items.len() == 4 && s.settled()
    })
    .await;
    let mut paths = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let v = item(&s, id);
        assert_eq!(v.phase, Phase::Done, "{v:?}");
        let path = v.path.clone().unwrap();
        assert!(
            same_as_generated(&path, SMALL_SEED + i as u64),
            "{} holds bytes that are not {id}'s",
            path.display()
        );
        paths.push(path);
    }
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), 4, "four files: {:?}", listing(&f.out()));
    q.close().await;
}

/// A file the user left under the name the old scheme used (`ID.part`)
/// is neither emptied nor adopted nor removed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_users_own_part_file_is_left_alone() {
    let f = fixture(ServerConfig {
        small_assets: Some((1, 64 << 10)),
        ..Default::default()
    })
    .await;
    let id = small_id(0);
    let mine = f.out().join(format!("{id}.part"));
    std::fs::write(&mine, b"my own notes, not a download").unwrap();
    let q = f.start(f.config(1));
    q.add(requests(std::slice::from_ref(&id)));
    let s = until(&q, "the item done", |s| s.count(Phase::Done) == 1).await;
    assert!(same_as_generated(
        item(&s, &id).path.as_ref().unwrap(),
        SMALL_SEED
    ));
    assert_eq!(
        std::fs::read(&mine).unwrap(),
        b"my own notes, not a download",
        "{:?}",
        listing(&f.out())
    );
    q.close().await;
}

/// `d` pressed twice (or `download X X`): the second request for the same
/// asset, format and directory is refused with a reason while the first
/// is active; another format, or the same once the first is done, is a
/// new file and is queued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_request_for_the_same_file_is_refused_while_the_first_is_active() {
    let f = fixture(ServerConfig {
        small_assets: Some((1, 256 << 10)),
        latency: Duration::from_millis(100),
        ..Default::default()
    })
    .await;
    let id = small_id(0);
    let q = f.start(f.config(2));
    q.add(requests(std::slice::from_ref(&id)));
    q.add(requests(std::slice::from_ref(&id)));
    q.sync().await;
    let s = q.subscribe().borrow().clone();
    assert_eq!(s.items.len(), 1, "queued once: {:?}", s.items);
    assert_eq!(s.refused.len(), 1, "{:?}", s.refused);
    let r = &s.refused[0];
    assert_eq!((r.seq, r.asset_id.as_str()), (1, id.as_str()));
    assert!(r.why.contains("already in the downloads"), "{}", r.why);
    assert!(r.why.contains(&id), "{}", r.why);
    until(&q, "the first done", |s| s.count(Phase::Done) == 1).await;
    // done: asking again makes a second copy, as a new item
    q.add(requests(std::slice::from_ref(&id)));
    let s = until(&q, "the copy done", |s| s.count(Phase::Done) == 2).await;
    assert_eq!(s.refused.len(), 1);
    let mut paths: Vec<_> = s.items.iter().filter_map(|i| i.path.clone()).collect();
    paths.dedup();
    assert_eq!(paths.len(), 2, "{paths:?}");
    q.close().await;
}

/// A download of the same file running in another process (its journal
/// locked by a live owner) refuses the request here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_another_live_process_is_fetching_is_refused() {
    let f = fixture(ServerConfig {
        small_assets: Some((2, 64 << 10)),
        ..Default::default()
    })
    .await;
    let journal = f.dir.path().join("journal");
    std::fs::create_dir(&journal).unwrap();
    let (busy, free) = (small_id(0), small_id(1));
    // "process 424242": its lock held (flock is per open file, so this
    // test's handle stands for a living owner)
    let lock = std::fs::File::create(journal.join("424242.lock")).unwrap();
    lock.lock().unwrap();
    let entry = serde_json::json!({"op": "put", "key": 1, "entry": {
        "asset_id": busy, "dir": f.out(), "path": [busy],
        "part": format!("{busy}.123abc.part"),
    }});
    std::fs::write(journal.join("424242.jsonl"), format!("{entry}\n")).unwrap();
    let mut config = f.config(2);
    config.journal_dir = Some(journal.clone());
    let q = f.start(config);
    q.add(requests(&[busy.clone(), free.clone()]));
    let s = until(&q, "the free one done", |s| s.count(Phase::Done) == 1).await;
    assert_eq!(s.items.len(), 1, "{:?}", s.items);
    assert_eq!(s.items[0].asset_id, free);
    assert_eq!(s.refused.len(), 1, "{:?}", s.refused);
    assert!(
        s.refused[0]
            .why
            .contains("another assetui (process 424242)"),
        "{}",
        s.refused[0].why
    );
    q.close().await;
    // its owner gone (the lock released), the same request is taken
    drop(lock);
    let mut config = f.config(2);
    config.journal_dir = Some(journal);
    let q = f.start(config);
    q.add(requests(std::slice::from_ref(&busy)));
    let s = until(&q, "done", |s| s.count(Phase::Done) == 1).await;
    assert!(s.refused.is_empty(), "{:?}", s.refused);
    q.close().await;
}

/// A partial file the journal names but that was replaced by a symlink or
/// a FIFO is refused, and left where it is: neither followed nor deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_symlink_or_fifo_in_place_of_a_part_is_left_alone() {
    let f = fixture(ServerConfig {
        small_assets: Some((2, 64 << 10)),
        ..Default::default()
    })
    .await;
    let journal = f.dir.path().join("journal");
    std::fs::create_dir(&journal).unwrap();
    let victim = f.dir.path().join("victim");
    std::fs::write(&victim, b"precious").unwrap();
    let (linked, piped) = (small_id(0), small_id(1));
    // a dead process's journal (nobody holds its lock) naming both parts
    let mut lines = String::new();
    for (key, id) in [(1, &linked), (2, &piped)] {
        let put = serde_json::json!({"op": "put", "key": key, "entry": {
            "asset_id": id, "dir": f.out(), "path": [id], "part": format!("{id}.part"),
        }});
        lines.push_str(&format!("{put}\n"));
    }
    std::fs::write(journal.join("999999.jsonl"), lines).unwrap();
    std::fs::write(journal.join("999999.lock"), b"").unwrap();
    let link = f.out().join(format!("{linked}.part"));
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let fifo = f.out().join(format!("{piped}.part"));
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let mut config = f.config(2);
    config.journal_dir = Some(journal);
    let q = Queue::start(f.client.clone(), config, true).unwrap();
    let s = until(&q, "both settled", |s| s.items.len() == 2 && s.settled()).await;
    for id in [&linked, &piped] {
        let v = item(&s, id);
        assert_eq!(v.phase, Phase::Failed, "{v:?}");
    }
    let meta = std::fs::symlink_metadata(&link).expect("the symlink is still there");
    assert!(meta.file_type().is_symlink());
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    let meta = std::fs::symlink_metadata(&fifo).expect("the FIFO is still there");
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type()));
    q.close().await;
}

/// Issue 20 (Low): the disk fills, the command ends; the same command
/// again (no `--resume`) carries on the partial file its journal names,
/// and a later `--resume` finds nothing left to fetch (no duplicate).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_after_a_full_disk_continues_the_partial_file() {
    const SIZE: u64 = 4 << 20;
    let f = fixture(ServerConfig {
        small_assets: Some((1, SIZE)),
        ..Default::default()
    })
    .await;
    let journal = f.dir.path().join("journal");
    let id = small_id(0);
    // the first run: the disk is full after 1 MiB
    let mut config = f.config(1);
    config.journal_dir = Some(journal.clone());
    config.transfer.fail_writes_after = Some(1 << 20);
    // a checkpoint every 256 KiB, and the read waits for one once 512 KiB
    // are unsynced: one is journalled before the disk fills, however fast
    // the build
    config.transfer.checkpoint_bytes = 256 << 10;
    config.transfer.max_unsynced = 512 << 10;
    let q = f.start(config);
    q.add(requests(std::slice::from_ref(&id)));
    let s = until(&q, "the disk-full failure", |s| {
        s.items.len() == 1 && s.settled()
    })
    .await;
    assert_eq!(item(&s, &id).phase, Phase::Failed, "{:?}", item(&s, &id));
    q.close().await;
    // as if that run was another process, now gone: its journal stays,
    // its lock is free
    let pid = std::process::id();
    std::fs::rename(
        journal.join(format!("{pid}.jsonl")),
        journal.join("999999.jsonl"),
    )
    .unwrap();
    let _ = std::fs::remove_file(journal.join(format!("{pid}.lock")));
    std::fs::write(journal.join("999999.lock"), b"").unwrap();
    let kept = listing(&f.out());
    assert_eq!(kept.len(), 1, "one partial file: {kept:?}");
    let kept = std::fs::metadata(f.out().join(&kept[0])).unwrap().len();
    assert!(kept > 0);
    let asked = f.starts(&id).len();
    // the same command again, without --resume
    let mut config = f.config(1);
    config.journal_dir = Some(journal.clone());
    let q = f.start(config);
    q.add(requests(std::slice::from_ref(&id)));
    let s = until(&q, "the item done", |s| s.count(Phase::Done) == 1).await;
    let v = item(&s, &id);
    assert!(same_as_generated(v.path.as_ref().unwrap(), SMALL_SEED));
    // it carries on from what the journal recorded (at most the partial
    // file's length): never from zero. (Not the server's byte count: the
    // first run's connection may still be filling its buffers after the
    // client gave up, which once read as a refetch.)
    let again = f.starts(&id)[asked..].to_vec();
    assert!(!again.is_empty(), "the rerun asked for the file");
    assert!(
        again.iter().all(|&from| from > 0 && from <= kept),
        "only the rest was fetched: requests from {again:?}, {kept} kept"
    );
    assert_eq!(listing(&f.out()).len(), 1, "{:?}", listing(&f.out()));
    q.close().await;
    // `--resume` afterwards: nothing left to adopt
    let mut config = f.config(1);
    config.journal_dir = Some(journal.clone());
    let q = Queue::start(f.client.clone(), config, true).unwrap();
    q.sync().await;
    let s = q.subscribe().borrow().clone();
    assert!(s.items.is_empty(), "{:?}", s.items);
    q.close().await;
    assert_eq!(listing(&f.out()).len(), 1, "{:?}", listing(&f.out()));
}

/// A zip's item shows where its batch job stands (`job pending`, …)
/// while it waits for the archive's link, then downloads it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zip_shows_its_jobs_status_while_it_waits() {
    let f = fixture(ServerConfig::default()).await;
    let ids: Vec<String> = server::manifest::embedded()
        .unwrap()
        .assets
        .iter()
        .take(2)
        .map(|a| a.id.clone())
        .collect();
    let q = f.start(f.config(1));
    q.add_archive(ids);
    let waiting = until(&q, "the job's status in the item", |s| {
        s.items.iter().any(|i| {
            i.phase == Phase::GettingLink
                && i.note.as_deref().is_some_and(|n| n.starts_with("job "))
        })
    })
    .await;
    let note = waiting.items[0].note.clone().unwrap();
    let status = note.trim_start_matches("job ");
    assert!(
        [
            "pending",
            "queued",
            "warming-up",
            "in-progress",
            "finalizing"
        ]
        .contains(&status),
        "{note}"
    );
    let done = until(&q, "the zip", |s| s.count(Phase::Done) == 1).await;
    assert_eq!(done.items[0].note, None);
    q.close().await;
}

/// The browser quits by dropping the queue's last handle: what runs stops
/// and stays in the journal as not paused, so the next start (which takes
/// over a dead process's journal) continues it, as the quit question
/// ("they continue at the next start") says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_runs_when_the_browser_quits_continues_at_the_next_start() {
    const SIZE: u64 = 1 << 20;
    let f = fixture(ServerConfig {
        small_assets: Some((1, SIZE)),
        ..Default::default()
    })
    .await;
    // the first request stalls after its first bytes: it is running when
    // the handle goes
    f.faults(&["stall@65536"]);
    let journal = f.dir.path().join("journal");
    let mut config = f.config(1);
    config.journal_dir = Some(journal.clone());
    let q = f.start(config);
    let id = small_id(0);
    q.add(requests(std::slice::from_ref(&id)));
    until(&q, "downloading", |s| s.count(Phase::Downloading) == 1).await;
    let mut snapshots = q.subscribe();
    drop(q);
    // its last snapshot, then the queue ends (its journal closed)
    let ended = tokio::time::timeout(T, async { while snapshots.changed().await.is_ok() {} }).await;
    assert!(ended.is_ok(), "the queue ends once its last handle goes");
    // as if that run was another process, now gone
    let pid = std::process::id();
    std::fs::rename(
        journal.join(format!("{pid}.jsonl")),
        journal.join("999998.jsonl"),
    )
    .unwrap();
    let _ = std::fs::remove_file(journal.join(format!("{pid}.lock")));
    std::fs::write(journal.join("999998.lock"), b"").unwrap();
    // the next start: nothing is asked, the item continues by itself
    let mut config = f.config(1);
    config.journal_dir = Some(journal.clone());
    let q = Queue::start(f.client.clone(), config, true).unwrap();
    let s = until(&q, "the item done without a key", |s| {
        s.count(Phase::Done) == 1 || s.count(Phase::Paused) == 1
    })
    .await;
    let v = item(&s, &id);
    assert_eq!(v.phase, Phase::Done, "continued, not left paused: {v:?}");
    assert!(same_as_generated(v.path.as_ref().unwrap(), SMALL_SEED));
    q.close().await;
}

/// `S` with a converted format: the file lands named for what it holds
/// (the 3D model as `.obj` and `.fbx`, a picture as `.heif` and `.avif`),
/// sniffed from its first bytes, not from the name asked.
#[tokio::test(flavor = "multi_thread")]
async fn converted_downloads_land_with_the_extension_of_their_format() {
    let f = fixture(ServerConfig::default()).await;
    let m = server::manifest::embedded().unwrap();
    let rock = m.assets.iter().find(|a| a.kind == "3d").unwrap().id.clone();
    let picture = m
        .assets
        .iter()
        .find(|a| a.kind == "image")
        .unwrap()
        .id
        .clone();
    let q = f.start(f.config(2));
    q.add(
        [
            (&rock, "obj"),
            (&rock, "fbx"),
            (&picture, "heif"),
            (&picture, "avif"),
        ]
        .iter()
        .map(|(id, format)| Request::new(id.to_string(), Some(format.to_string())))
        .collect(),
    );
    let s = until(&q, "four conversions settled", |s| {
        s.items.len() == 4 && s.settled()
    })
    .await;
    for v in &s.items {
        assert_eq!(v.phase, Phase::Done, "{v:?}");
        let path = v.path.as_ref().unwrap();
        let format = v.format.as_deref().unwrap();
        assert_eq!(
            path.extension().and_then(|e| e.to_str()),
            Some(format),
            "{}",
            path.display()
        );
        let bytes = std::fs::read(path).unwrap();
        match format {
            "obj" => assert!(String::from_utf8(bytes).unwrap().contains("\nf ")),
            "fbx" => assert!(bytes.starts_with(b"Kaydara FBX Binary")),
            "heif" => assert_eq!(&bytes[4..12], b"ftypheic"),
            _ => assert_eq!(&bytes[4..12], b"ftypavif"),
        }
    }
    q.close().await;
}
