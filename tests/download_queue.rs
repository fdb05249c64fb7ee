//! The download queue as the browser and the CLI drive it, against the
//! demo server in-process: the concurrency limit, how often snapshots
//! come, and pause / resume / cancel / retry through the `Queue` API.
//! Nothing here sleeps to wait: every wait is on a published snapshot,
//! with a timeout.

use std::path::{Path, PathBuf};
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
        .map(|id| Request {
            asset_id: id.clone(),
            format: None,
        })
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

fn part_of(out: &Path, id: &str) -> PathBuf {
    out.join(format!("{id}.part"))
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
        assert!(!part_of(&f.out(), id).exists(), "no .part left for {id}");
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
        let part = part_of(&f.out(), id);
        let len = std::fs::metadata(&part)
            .unwrap_or_else(|e| panic!("{} kept: {e}", part.display()))
            .len();
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
        assert!(!part_of(&f.out(), id).exists());
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
