//! Demo mode keeps its changes between runs (issue 18, gap 7): the real
//! binary with no credentials, its data under a private `XDG_DATA_HOME`.
//! Each command is a new process, so a change seen by the next one was
//! read back from the data directory.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

const DB_FILE: &str = "assetui-server.sqlite3";

async fn run(home: &Path, args: &[&str]) -> Output {
    crate::support::assetui_at_home(home, args, &[]).await
}

/// Runs a command that must succeed; its stdout.
async fn ok(home: &Path, args: &[&str]) -> String {
    let o = run(home, args).await;
    assert!(o.status.success(), "{args:?}: {}", text(&o.stderr));
    text(&o.stdout)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn demo_dir(home: &Path, provider: &str) -> PathBuf {
    home.join("data/assetui/demo").join(provider)
}

async fn first_ids(home: &Path, n: usize) -> Vec<String> {
    let out = ok(home, &["list", "--limit", &n.to_string(), "--jsonl"]).await;
    out.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect()
}

async fn tags_of(home: &Path, id: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(&ok(home, &["get", id, "--json"]).await).unwrap();
    v["tags"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn tags_uploads_and_deletions_survive_a_restart_and_demo_reset_forgets_them() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let ids = first_ids(home, 2).await;
    let (tagged, deleted) = (&ids[0], &ids[1]);
    ok(home, &["tag", tagged, "--add", "kept-between-runs"]).await;
    ok(home, &["delete", deleted, "--yes"]).await;
    let png = home.join("mine.png");
    std::fs::write(&png, crate::support::png_bytes()).unwrap();
    let uploaded: Value =
        serde_json::from_str(&ok(home, &["upload", png.to_str().unwrap(), "--json"]).await)
            .unwrap();
    let uploaded = uploaded[0]["id"].as_str().unwrap().to_string();
    assert!(
        demo_dir(home, "scenario").join(DB_FILE).is_file(),
        "kept under XDG_DATA_HOME"
    );

    // a new process: the changes are there
    assert!(tags_of(home, tagged)
        .await
        .contains(&"kept-between-runs".to_string()));
    let gone = run(home, &["get", deleted]).await;
    assert_eq!(gone.status.code(), Some(1), "{}", text(&gone.stderr));
    let listed = ok(home, &["list", "--all", "--jsonl"]).await;
    assert!(listed.contains(&uploaded), "the upload is listed again");
    assert!(!listed.contains(deleted.as_str()));

    // --demo-reset starts over, and says so
    let o = run(home, &["--demo-reset", "get", tagged, "--json"]).await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("demo library reset"), "{err}");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!v["tags"].to_string().contains("kept-between-runs"), "{v}");
    ok(home, &["get", deleted]).await;
    let listed = ok(home, &["list", "--all", "--jsonl"]).await;
    assert!(!listed.contains(&uploaded));
    // a reset with nothing kept says that too
    let o = run(home, &["--demo-reset", "list", "--limit", "1"]).await;
    assert!(o.status.success());
    assert!(
        text(&o.stderr).contains("demo library reset"),
        "{}",
        text(&o.stderr)
    );
}

#[tokio::test]
async fn a_corrupt_state_file_is_set_aside_with_a_message() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let dir = demo_dir(home, "scenario");
    std::fs::create_dir_all(&dir).unwrap();
    let garbage = "this was never a database\n".repeat(200);
    std::fs::write(dir.join(DB_FILE), &garbage).unwrap();

    let o = run(home, &["list", "--limit", "1", "--jsonl"]).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).lines().count(), 1, "the demo still lists");
    let err = text(&o.stderr);
    assert!(
        err.contains("warning: ") && err.contains("could not be read") && err.contains("set aside"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // the damaged file is kept, renamed, byte for byte
    let aside: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("assetui-server.sqlite3.corrupt-")
        })
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(std::fs::read_to_string(&aside[0]).unwrap(), garbage);

    // the fresh store keeps changes again, and nothing more is said
    let id = first_ids(home, 1).await.remove(0);
    ok(home, &["tag", &id, "--add", "after-the-repair"]).await;
    let o = run(home, &["get", &id, "--json"]).await;
    assert!(o.status.success());
    assert!(text(&o.stdout).contains("after-the-repair"));
    assert!(text(&o.stderr).is_empty(), "{}", text(&o.stderr));
}

#[tokio::test]
async fn serve_data_refuses_a_corrupt_store_instead_of_moving_it() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("state");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(DB_FILE), "not a database".repeat(100)).unwrap();
    let o = run(
        home.path(),
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--data",
            dir.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not a database"), "{err}");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("corrupt")), "{names:?}");
}

#[tokio::test]
async fn the_twelvelabs_demo_keeps_its_changes_too() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let tl = ["--provider", "twelvelabs"];
    let with = |args: &[&'static str]| -> Vec<&'static str> {
        tl.iter().chain(args.iter()).copied().collect()
    };
    let listed: Value =
        serde_json::from_str(&ok(home, &with(&["list", "--limit", "1", "--json"])).await).unwrap();
    let id = listed[0]["_id"].as_str().unwrap().to_string();
    let mut set = with(&["tag"]);
    set.extend([id.as_str(), "--set", "take=7"]);
    ok(home, &set).await;
    assert!(demo_dir(home, "twelvelabs").join(DB_FILE).is_file());
    let mut get = with(&["get"]);
    get.extend([id.as_str(), "--json"]);
    assert!(ok(home, &get).await.contains("\"take\""));
    let mut reset = vec!["--demo-reset"];
    reset.extend(get.iter().copied());
    let o = run(home, &reset).await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("demo library reset"));
    assert!(!text(&o.stdout).contains("\"take\""), "{}", text(&o.stdout));
    // the Scenario demo's changes are its own
    assert!(!demo_dir(home, "scenario").join(DB_FILE).exists());
}
