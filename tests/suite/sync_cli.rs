//! `assetui sync DIR` as a script runs it (issue 19), against the demo
//! server's generated small assets: a second run fetches nothing, a
//! changed asset replaces its file unless the user edited it, assets that
//! left the source are kept or (with --delete) removed, a dry run writes
//! nothing, sidecars, exit 1 on failure, and `kill -9` in the middle.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::download_cli::{assetui, command, http, text, tree};
use assetui::server::generated::file_matches;
use assetui::server::{self, Running, ServerConfig};

const T: Duration = Duration::from_secs(60);
const SIZE: u64 = 4096;
/// Only the generated assets (created on 2024-01-01, one a second).
const SMALL_ONLY: &str = "--created-before=2024-01-02T00:00:00.000Z";

async fn demo(n: u64, size: u64) -> Running {
    server::start(ServerConfig {
        small_assets: Some((n, size)),
        ..Default::default()
    })
    .await
    .expect("demo server starts")
}

fn id(i: u64) -> String {
    format!("asset_SmallFile{i:013}")
}

fn seed(i: u64) -> u64 {
    0x5ea1_0000 + i
}

/// Bytes of `i`'s file the server handed out so far.
fn served(s: &Running, i: u64) -> u64 {
    s.state.generated.get(&id(i)).expect("generated").served()
}

/// `assetui sync DIR --created-before … --json ARGS`: its summary and
/// exit code.
async fn sync(home: &Path, s: &Running, dir: &Path, args: &[&str]) -> (Value, Option<i32>) {
    let mut all = vec!["sync", dir.to_str().unwrap(), SMALL_ONLY, "--json"];
    all.extend_from_slice(args);
    let o = assetui(home, &s.base_url, &all).await;
    let out = text(&o.stdout);
    let summary: Value = serde_json::from_str(out.trim())
        .unwrap_or_else(|e| panic!("{e}: {out} / {}", text(&o.stderr)));
    (summary, o.status.code())
}

fn count(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} in {v}"))
}

/// The file each asset's event names, by id.
fn path_of(dir: &Path, v: &Value, id: &str) -> PathBuf {
    let f = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("{id} in {v}"));
    dir.join(f["path"].as_str().unwrap())
}

/// `POST /_demo/assets/ID/replace`: new bytes, a later `updatedAt`.
async fn replace(s: &Running, i: u64) {
    let r = http()
        .post(format!("{}/_demo/assets/{}/replace", s.base_url, id(i)))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
}

/// The files of the synced folder, the state and the incoming directory
/// aside.
fn files(dir: &Path) -> Vec<String> {
    tree(dir)
        .into_iter()
        .filter(|p| !p.starts_with(".assetui-sync"))
        .collect()
}

#[tokio::test]
async fn a_second_run_with_nothing_changed_fetches_nothing() {
    let s = demo(20, SIZE).await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("mirror");
    let (first, code) = sync(home.path(), &s, &dir, &[]).await;
    assert_eq!(code, Some(0), "{first}");
    assert_eq!(count(&first, "new"), 20, "{first}");
    assert_eq!(count(&first, "failed"), 0);
    for i in 0..20 {
        let p = path_of(&dir, &first, &id(i));
        assert_eq!(p, dir.join(format!("{}.bin", id(i))));
        assert!(
            file_matches(&p, seed(i), 0, SIZE).unwrap(),
            "{}",
            p.display()
        );
    }
    assert!(dir.join(".assetui-sync.sqlite").is_file());
    assert!(
        !dir.join(".assetui-sync.incoming").exists(),
        "nothing left on its way: {:?}",
        tree(&dir)
    );
    let before: Vec<u64> = (0..20).map(|i| served(&s, i)).collect();
    let listed = files(&dir);

    let (second, code) = sync(home.path(), &s, &dir, &[]).await;
    assert_eq!(code, Some(0), "{second}");
    for key in ["new", "updated", "removed", "kept", "failed"] {
        assert_eq!(count(&second, key), 0, "{key}: {second}");
    }
    assert_eq!(count(&second, "unchanged"), 20);
    let after: Vec<u64> = (0..20).map(|i| served(&s, i)).collect();
    assert_eq!(before, after, "no file fetched again");
    assert_eq!(files(&dir), listed);
}

#[tokio::test]
async fn a_changed_asset_replaces_its_file_but_an_edited_file_is_kept() {
    let s = demo(3, SIZE).await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("mirror");
    let (first, _) = sync(home.path(), &s, &dir, &["--name", "<id>"]).await;
    let p0 = path_of(&dir, &first, &id(0));
    let p1 = path_of(&dir, &first, &id(1));
    // the user edits asset 1's file; then both assets change on the server
    std::fs::write(&p1, b"my own edit").unwrap();
    replace(&s, 0).await;
    replace(&s, 1).await;
    let untouched = served(&s, 2);

    let (second, code) = sync(home.path(), &s, &dir, &["--name", "<id>"]).await;
    assert_eq!(code, Some(0), "{second}");
    assert_eq!(count(&second, "updated"), 2, "{second}");
    assert_eq!(count(&second, "kept"), 1, "the edited file: {second}");
    assert_eq!(count(&second, "unchanged"), 1);
    // asset 0: the same name, the new bytes
    assert_eq!(path_of(&dir, &second, &id(0)), p0);
    assert!(file_matches(&p0, seed(0), 1, SIZE).unwrap());
    // asset 1: the edit kept, the new file beside it
    assert_eq!(std::fs::read(&p1).unwrap(), b"my own edit");
    let beside = path_of(&dir, &second, &id(1));
    assert_ne!(beside, p1);
    assert!(
        beside.to_str().unwrap().contains(" (1)."),
        "{}",
        beside.display()
    );
    assert!(file_matches(&beside, seed(1), 1, SIZE).unwrap());
    assert_eq!(
        served(&s, 2),
        untouched,
        "the unchanged asset is not fetched"
    );
    assert_eq!(files(&dir).len(), 4, "{:?}", files(&dir));

    // and a third run has nothing to do
    let (third, _) = sync(home.path(), &s, &dir, &["--name", "<id>"]).await;
    assert_eq!(count(&third, "unchanged"), 3, "{third}");
    assert_eq!(count(&third, "updated") + count(&third, "new"), 0);
}

#[tokio::test]
async fn assets_that_left_the_source_are_kept_unless_delete_and_never_when_edited() {
    let s = demo(4, SIZE).await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("mirror");
    let (first, _) = sync(home.path(), &s, &dir, &[]).await;
    let gone: Vec<PathBuf> = [0, 1]
        .iter()
        .map(|i| path_of(&dir, &first, &id(*i)))
        .collect();
    std::fs::write(&gone[1], b"edited").unwrap();
    let o = assetui(
        home.path(),
        &s.base_url,
        &["delete", "--yes", &id(0), &id(1)],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o.stderr));

    // without --delete: reported, kept
    let (second, code) = sync(home.path(), &s, &dir, &[]).await;
    assert_eq!(code, Some(0), "{second}");
    assert_eq!(count(&second, "kept"), 2, "{second}");
    assert_eq!(count(&second, "removed"), 0);
    assert!(gone.iter().all(|p| p.exists()));

    // a dry run says what --delete would do, and does nothing
    let (dry, _) = sync(home.path(), &s, &dir, &["--delete", "--dry-run"]).await;
    assert_eq!(count(&dry, "removed"), 1, "{dry}");
    assert_eq!(count(&dry, "kept"), 1, "{dry}");
    assert!(gone.iter().all(|p| p.exists()));

    // with --delete: sync's unchanged file goes, the edited one stays
    let (third, code) = sync(home.path(), &s, &dir, &["--delete"]).await;
    assert_eq!(code, Some(0), "{third}");
    assert_eq!(count(&third, "removed"), 1, "{third}");
    assert_eq!(count(&third, "kept"), 1, "{third}");
    assert!(!gone[0].exists());
    assert_eq!(std::fs::read(&gone[1]).unwrap(), b"edited");
    assert_eq!(files(&dir).len(), 3, "{:?}", files(&dir));
}

#[tokio::test]
async fn a_dry_run_writes_nothing() {
    let s = demo(3, SIZE).await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("mirror");
    let (dry, code) = sync(home.path(), &s, &dir, &["--dry-run"]).await;
    assert_eq!(code, Some(0), "{dry}");
    assert_eq!(count(&dry, "new"), 3, "{dry}");
    assert!(!dir.exists(), "not even the folder");
    assert!((0..3).all(|i| served(&s, i) == 0));

    sync(home.path(), &s, &dir, &[]).await;
    replace(&s, 2).await;
    let state = std::fs::read(dir.join(".assetui-sync.sqlite")).unwrap();
    let before = files(&dir);
    let (dry, _) = sync(home.path(), &s, &dir, &["--dry-run"]).await;
    assert_eq!(count(&dry, "updated"), 1, "{dry}");
    assert_eq!(files(&dir), before);
    assert_eq!(
        std::fs::read(dir.join(".assetui-sync.sqlite")).unwrap(),
        state
    );
    assert_eq!(served(&s, 2), SIZE, "fetched once, by the real run");
}

#[tokio::test]
async fn sidecars_hold_each_assets_json_beside_its_file() {
    let s = demo(2, SIZE).await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("mirror");
    let (first, code) = sync(
        home.path(),
        &s,
        &dir,
        &["--sidecar", "--name", "<type>/<id>"],
    )
    .await;
    assert_eq!(code, Some(0), "{first}");
    for i in 0..2 {
        let p = path_of(&dir, &first, &id(i));
        assert_eq!(
            p.parent().unwrap(),
            dir.join("uploaded"),
            "<type>/ made a folder"
        );
        let side = PathBuf::from(format!("{}.json", p.display()));
        let json: Value = serde_json::from_slice(&std::fs::read(&side).unwrap()).unwrap();
        assert_eq!(json["id"], id(i));
        assert_eq!(json["metadata"]["name"], format!("small-file-{i}"));
    }
    // a changed asset's sidecar follows its file
    replace(&s, 0).await;
    let (second, _) = sync(
        home.path(),
        &s,
        &dir,
        &["--sidecar", "--name", "<type>/<id>"],
    )
    .await;
    assert_eq!(count(&second, "updated"), 1, "{second}");
    let p = path_of(&dir, &second, &id(0));
    let json: Value =
        serde_json::from_slice(&std::fs::read(format!("{}.json", p.display())).unwrap()).unwrap();
    assert_eq!(
        json["updatedAt"].as_str(),
        s.state
            .read_lib()
            .unwrap()
            .get(&id(0))
            .unwrap()
            .asset
            .updated_at
            .as_deref()
    );
    assert_eq!(files(&dir).len(), 5, "{:?}", files(&dir));
}

/// A `--search` source: the hits lack `kind`, `properties` and `status`
/// (as the live service's do), yet each sidecar holds the asset whole,
/// as the service's get gives it, like a list source's.
#[tokio::test]
async fn search_sidecars_hold_the_whole_asset_not_the_hit() {
    let s = demo(3, SIZE).await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("mirror");
    let o = assetui(
        home.path(),
        &s.base_url,
        &[
            "sync",
            dir.to_str().unwrap(),
            "--search",
            "small-file",
            "--sidecar",
            "--json",
        ],
    )
    .await;
    let v: Value = serde_json::from_str(text(&o.stdout).trim())
        .unwrap_or_else(|e| panic!("{e}: {} / {}", text(&o.stdout), text(&o.stderr)));
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert_eq!(count(&v, "failed"), 0, "{v}");
    let client =
        assetui::api::Client::new(assetui::api::ClientOptions::new(s.base_url.clone())).unwrap();
    let hit = client
        .search_page(&assetui::api::params::SearchRequest {
            query: Some("small-file".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .hits
        .into_iter()
        .find(|h| h.id == id(0))
        .unwrap();
    assert!(hit.kind.is_none() && hit.status.is_none(), "a bare hit");
    for i in 0..3 {
        let p = path_of(&dir, &v, &id(i));
        let side: Value =
            serde_json::from_slice(&std::fs::read(format!("{}.json", p.display())).unwrap())
                .unwrap();
        let whole = serde_json::to_value(client.get_asset(&id(i)).await.unwrap()).unwrap();
        assert_eq!(side["id"], id(i));
        for field in ["kind", "properties", "status", "metadata"] {
            assert!(side.get(field).is_some(), "{field} in {side}");
            assert_eq!(
                side[field], whole[field],
                "{field}: as the service gives it"
            );
        }
    }
}

#[tokio::test]
async fn a_failed_file_makes_the_run_exit_1_and_the_next_run_retries_it() {
    let s = demo(2, SIZE).await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("mirror");
    // a format the server cannot make: every file fails
    let (v, code) = sync(home.path(), &s, &dir, &["--format", "nope"]).await;
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(count(&v, "failed"), 2, "{v}");
    assert!(v["files"][0]["note"].as_str().is_some(), "{v}");
    let (v, code) = sync(home.path(), &s, &dir, &[]).await;
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(count(&v, "new"), 2, "{v}");
}

#[tokio::test]
async fn the_text_summary_names_each_count() {
    let s = demo(2, SIZE).await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("mirror");
    let o = assetui(
        home.path(),
        &s.base_url,
        &["sync", dir.to_str().unwrap(), SMALL_ONLY],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("2 new, 0 updated, 0 removed, 0 kept, 0 failed"),
        "{err}"
    );
    let out = text(&o.stdout);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("new ")).count(),
        2,
        "{out}"
    );
}

#[tokio::test]
async fn killed_in_the_middle_the_next_run_finishes_without_refetching() {
    const N: u64 = 120;
    let s = server::start(ServerConfig {
        small_assets: Some((N, 64 * 1024)),
        latency: Duration::from_millis(15),
        ..Default::default()
    })
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("mirror");
    let mut child = command(
        home.path(),
        &s.base_url,
        &["sync", dir.to_str().unwrap(), SMALL_ONLY, "--jobs", "4"],
    )
    .spawn()
    .unwrap();
    // wait (polling the folder, bounded) until a good part is in place
    let deadline = tokio::time::Instant::now() + T;
    while files_if_any(&dir) < (N / 3) as usize {
        assert!(tokio::time::Instant::now() < deadline, "no progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.start_kill().unwrap(); // SIGKILL
    assert!(!child.wait().await.unwrap().success());
    let placed: Vec<u64> = (0..N)
        .filter(|i| dir.join(format!("{}.bin", id(*i))).exists())
        .collect();
    assert!((placed.len() as u64) < N, "killed before the end");
    let served_before: Vec<u64> = placed.iter().map(|i| served(&s, *i)).collect();

    let (v, code) = sync(home.path(), &s, &dir, &[]).await;
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(count(&v, "failed"), 0, "{v}");
    // every asset once, by its own name, with its bytes
    let names = files(&dir);
    assert_eq!(names.len() as u64, N, "{names:?}");
    for i in 0..N {
        let p = dir.join(format!("{}.bin", id(i)));
        assert!(
            file_matches(&p, seed(i), 0, 64 * 1024).unwrap(),
            "{}",
            p.display()
        );
    }
    // what was in place before the kill was not fetched again
    let served_after: Vec<u64> = placed.iter().map(|i| served(&s, *i)).collect();
    assert_eq!(served_before, served_after);
    // and a third run has nothing to do
    let (v, _) = sync(home.path(), &s, &dir, &[]).await;
    assert_eq!(count(&v, "unchanged"), N, "{v}");
}

/// Files in place in the folder so far (0 before it exists); names only,
/// as files come and go in it meanwhile.
fn files_if_any(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".bin"))
            .count()
    })
}

#[tokio::test]
async fn hostile_ids_and_names_stay_inside_the_folder() {
    use crate::support::hostile::{Hostile, Resp};
    let files_at = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let at = files_at.clone();
    let hostile = Hostile::start(move |req| {
        if req.path == "/v1/assets" {
            let assets: Vec<Value> = [
                ("../../escape", "../../../outside"),
                (".assetui-sync.sqlite", ".assetui-sync.sqlite"),
                ("..", "/etc/passwd"),
                ("a/../../b", "..\\..\\windows"),
                ("\u{202e}gnp.exe", "\u{1b}[31mred"),
            ]
            .iter()
            .map(|(id, prompt)| {
                serde_json::json!({
                    "id": id,
                    "updatedAt": "2026-01-01T00:00:00.000Z",
                    "metadata": {"prompt": prompt},
                })
            })
            .collect();
            Resp::Json(200, serde_json::json!({ "assets": assets }).to_string())
        } else if req.method == "POST" && req.path.ends_with("/download") {
            let url = format!("{}/files/one", at.get().unwrap());
            Resp::Json(200, serde_json::json!({ "url": url }).to_string())
        } else if req.path.starts_with("/files/") {
            Resp::Json(200, "{\"hello\":1}".into())
        } else {
            Resp::Json(404, "{\"message\":\"no\"}".into())
        }
    })
    .await;
    files_at.set(format!("http://{}", hostile.addr)).unwrap();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("a/b/mirror");
    std::fs::create_dir_all(&dir).unwrap();
    let before: Vec<String> = tree(home.path()).into_iter().collect();
    let run = |args: Vec<String>| {
        let home = home.path().to_path_buf();
        let base = hostile.base_url();
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            assetui(&home, &base, &args).await
        }
    };
    let args = vec![
        "sync".to_string(),
        dir.to_str().unwrap().to_string(),
        "--name".into(),
        "<prompt>/<id>".into(),
        "--sidecar".into(),
        "--json".into(),
    ];
    let o = run(args.clone()).await;
    let v: Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o.stderr)));
    // `..` is no id the client sends: that one fails, the run exits 1
    assert_eq!(o.status.code(), Some(1), "{v}");
    assert_eq!(count(&v, "new"), 4, "{v}");
    assert_eq!(count(&v, "failed"), 1, "{v}");
    // nothing outside the folder: everything new under home is under it
    // (or the private state directory)
    for p in tree(home.path()) {
        if before.contains(&p) {
            continue;
        }
        assert!(
            p.starts_with("a/b/mirror") || p.starts_with("state") || p == "a/b/mirror",
            "{p} is outside the folder"
        );
    }
    for f in v["files"].as_array().unwrap() {
        let Some(rel) = f["path"].as_str() else {
            assert_eq!(f["id"], "..", "{f}");
            continue;
        };
        assert!(!rel.split('/').any(|c| c == ".." || c.is_empty()), "{rel}");
        assert!(!rel.starts_with('.'), "{rel}");
        assert!(dir.join(rel).is_file(), "{rel}");
    }
    // the state file is still the state: a second run has nothing to do
    let o = run(args).await;
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(count(&v, "unchanged"), 4, "{v}");
}

#[tokio::test]
async fn watch_repeats_until_sigterm_and_ends_cleanly() {
    use tokio::io::AsyncBufReadExt;
    let s = demo(2, SIZE).await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("mirror");
    let mut child = command(
        home.path(),
        &s.base_url,
        &[
            "sync",
            dir.to_str().unwrap(),
            SMALL_ONLY,
            "--json",
            "--watch",
            "1",
        ],
    )
    .spawn()
    .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut runs = Vec::new();
    while runs.len() < 2 {
        let line = tokio::time::timeout(T, lines.next_line())
            .await
            .expect("a run in time")
            .unwrap()
            .expect("a summary line");
        runs.push(serde_json::from_str::<Value>(&line).unwrap());
    }
    assert_eq!(count(&runs[0], "new"), 2, "{:?}", runs);
    assert_eq!(count(&runs[1], "unchanged"), 2, "{:?}", runs);
    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(T, child.wait())
        .await
        .expect("it ends in time")
        .unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "a clean end, not killed by the signal"
    );
    assert!(!dir.join(".assetui-sync.incoming").exists());
    // nothing half-done: another run has nothing to do
    let (v, _) = sync(home.path(), &s, &dir, &[]).await;
    assert_eq!(count(&v, "unchanged"), 2, "{v}");
}
