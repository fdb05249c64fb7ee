//! `assetui download` as a script runs it, against the demo server on
//! loopback: names, no clobbering, failures with their reasons, hostile
//! names and archives that try to escape, and a SIGKILL in the middle of a
//! large file.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::support::{get_bytes, part_of};
use std::process::Output;
use std::time::Duration;

use serde_json::{json, Value};

use assetui::server::generated::{file_matches, LARGE_ID, LARGE_SEED};
use assetui::server::{self, Running, ServerConfig};

const T: Duration = Duration::from_secs(60);

/// The binary with a private HOME and state dir, against `base`.
pub(crate) fn command(home: &Path, base: &str, args: &[&str]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_assetui"));
    cmd.arg("--base-url")
        .arg(base)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("RUST_BACKTRACE", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd
}

pub(crate) async fn assetui(home: &Path, base: &str, args: &[&str]) -> Output {
    tokio::time::timeout(T, command(home, base, args).output())
        .await
        .expect("assetui finished in time")
        .unwrap()
}

pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A plain HTTP client (reqwest needs a TLS provider chosen first).
pub(crate) fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

async fn demo(config: ServerConfig) -> Running {
    server::start(config).await.expect("demo server starts")
}

/// The first `n` asset ids of the library.
async fn ids(s: &Running, n: usize) -> Vec<String> {
    let url = format!("{}/assets?pageSize={n}", s.base_url);
    let page: Value = http().get(url).send().await.unwrap().json().await.unwrap();
    page["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

/// The original bytes of an asset, through a fresh link.
async fn original(s: &Running, id: &str) -> Vec<u8> {
    let http = http();
    let link: Value = http
        .post(format!("{}/assets/{id}/download", s.base_url))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    get_bytes(&http, link["url"].as_str().unwrap()).await
}

/// Every path under `dir`, relative, sorted.
pub(crate) fn tree(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            out.insert(p.strip_prefix(dir).unwrap().display().to_string());
            if p.symlink_metadata().unwrap().is_dir() {
                stack.push(p);
            }
        }
    }
    out
}

#[tokio::test]
async fn files_are_named_from_the_template_and_never_overwritten() {
    let s = demo(ServerConfig::default()).await;
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("out");
    let ids = ids(&s, 3).await;
    let mut args = vec![
        "download",
        "--out",
        out.to_str().unwrap(),
        "--name",
        "<type>/<id>",
    ];
    args.extend(ids.iter().map(String::as_str));
    let first = assetui(home.path(), &s.base_url, &args).await;
    assert!(first.status.success(), "{}", text(&first.stderr));
    let saved: Vec<PathBuf> = text(&first.stdout).lines().map(PathBuf::from).collect();
    assert_eq!(saved.len(), 3, "one path per file on stdout: {saved:?}");
    for id in &ids {
        let path = saved
            .iter()
            .find(|p| p.file_stem().unwrap().to_str() == Some(id))
            .unwrap_or_else(|| panic!("{id} in {saved:?}"));
        assert!(path.starts_with(&out));
        assert_eq!(
            path.parent().unwrap().parent().unwrap(),
            out,
            "<type>/ made a folder"
        );
        assert_eq!(std::fs::read(path).unwrap(), original(&s, id).await, "{id}");
    }
    assert!(
        text(&first.stderr).contains("3 downloaded"),
        "{}",
        text(&first.stderr)
    );
    // no .part left, no journal left
    assert!(!tree(&out).iter().any(|p| p.ends_with(".part")));
    let journal = home.path().join("state/assetui/downloads");
    assert!(
        !journal.exists() || std::fs::read_dir(&journal).unwrap().next().is_none(),
        "{:?}",
        tree(&journal)
    );

    // the same again: new files beside the old ones, the old ones intact
    let before: Vec<Vec<u8>> = saved.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let mut again = args.clone();
    again.push("--json");
    let second = assetui(home.path(), &s.base_url, &again).await;
    assert!(second.status.success(), "{}", text(&second.stderr));
    let rows: Vec<Value> = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        assert_eq!(row["status"], "done", "{row}");
        let path = row["path"].as_str().unwrap();
        assert!(path.contains(" (1)."), "{path}");
    }
    for (p, bytes) in saved.iter().zip(before) {
        assert_eq!(std::fs::read(p).unwrap(), bytes);
    }
}

#[tokio::test]
async fn a_failed_item_is_named_with_its_reason_and_the_rest_completes() {
    let s = demo(ServerConfig::default()).await;
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("out");
    let good = ids(&s, 1).await.remove(0);
    let o = assetui(
        home.path(),
        &s.base_url,
        &[
            "download",
            "--out",
            out.to_str().unwrap(),
            &good,
            "asset_doesNotExist0000000000",
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("asset_doesNotExist0000000000"), "{err}");
    assert!(err.to_lowercase().contains("not found"), "{err}");
    assert!(err.contains("1 of 2 downloads failed"), "{err}");
    // the README's promise: an error is one line on stderr
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("assetui: error: "), "{err}");
    assert!(
        !err.contains("signature="),
        "no signed link in errors: {err}"
    );
    let files = tree(&out);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files.iter().next().unwrap().starts_with(&good));
    // alone: the reason is the line; -v adds the detail before it
    let alone = [
        "download",
        "--out",
        out.to_str().unwrap(),
        "asset_doesNotExist0000000000",
    ];
    let o = assetui(home.path(), &s.base_url, &alone).await;
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("asset_doesNotExist0000000000") && err.to_lowercase().contains("not found"),
        "{err}"
    );
    let mut verbose = vec!["-v"];
    verbose.extend(alone);
    let o = assetui(home.path(), &s.base_url, &verbose).await;
    let err = text(&o.stderr);
    assert!(err.lines().count() > 1, "{err}");
    assert!(
        err.lines().last().unwrap().starts_with("assetui: error: "),
        "{err}"
    );
}

/// A name that tries everything: climbing, absolute, NUL, controls,
/// separators, a leading dash, 300 bytes.
fn hostile_text() -> String {
    format!(
        "../../../../tmp/evil/..\\..\\/etc/passwd\0\x1b]0;title\x07\x1b[2J-rf {}",
        "é".repeat(150)
    )
}

#[tokio::test]
async fn hostile_names_never_leave_the_directory_nor_replace_a_file() {
    let s = demo(ServerConfig::default()).await;
    let id = ids(&s, 1).await.remove(0);
    let http = http();
    let r = http
        .post(format!("{}/_demo/assets/{id}/metadata", s.base_url))
        .json(&json!({"description": hostile_text(), "metadata": {"prompt": hostile_text(), "name": hostile_text()}}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());

    let home = tempfile::tempdir().unwrap();
    let root = home.path().join("root");
    let out = root.join("out");
    std::fs::create_dir_all(&out).unwrap();
    // an existing file the default name would take, and a planted symlink
    // to a directory outside
    let outside = root.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("keep"), b"keep").unwrap();
    std::os::unix::fs::symlink(&outside, out.join("link")).unwrap();
    let before_root = tree(&root);

    for template in [
        "<prompt>",
        "<description>/<prompt>",
        "../../<id>",
        "/tmp/<id>",
        "-<id>",
        "link/<id>",
        "..",
        "<prompt>/../../<id>",
    ] {
        let o = assetui(
            home.path(),
            &s.base_url,
            &[
                "download",
                "--out",
                out.to_str().unwrap(),
                &format!("--name={template}"),
                &id,
                "--json",
            ],
        )
        .await;
        let rows: Vec<Value> = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{template}: {e}: {}", text(&o.stderr)));
        let row = &rows[0];
        if template.starts_with("link/") {
            // the symlink is not followed: a clear failure
            assert_eq!(row["status"], "failed", "{template}: {row}");
            assert!(
                row["error"].as_str().unwrap().contains("not a directory"),
                "{row}"
            );
            continue;
        }
        assert_eq!(
            row["status"],
            "done",
            "{template}: {row} {}",
            text(&o.stderr)
        );
        let path = PathBuf::from(row["path"].as_str().unwrap());
        assert!(path.starts_with(&out), "{template}: {}", path.display());
        for c in path.strip_prefix(&out).unwrap().components() {
            let c = c.as_os_str().to_str().unwrap();
            assert!(c.len() <= 255 && !c.is_empty(), "{template}: {c:?}");
            assert!(
                !c.starts_with('-') && !c.starts_with('.'),
                "{template}: {c:?}"
            );
            assert!(c != "..", "{template}");
            assert!(!c.chars().any(|ch| ch.is_control()), "{template}: {c:?}");
        }
    }
    // outside `out`, nothing was created or changed
    let after_root: BTreeSet<String> = tree(&root)
        .into_iter()
        .filter(|p| !p.starts_with("out/") || p == "out/link")
        .collect();
    assert_eq!(after_root, before_root);
    assert_eq!(std::fs::read(outside.join("keep")).unwrap(), b"keep");
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 1);
}

/// A zip with the entries an attacker would plant.
fn hostile_zip(extra_bomb: Option<usize>) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    w.start_file("good/one.png", o).unwrap();
    w.write_all(b"one").unwrap();
    w.start_file("../escaped.txt", o).unwrap();
    w.write_all(b"escaped").unwrap();
    w.start_file("/abs/escaped.txt", o).unwrap();
    w.write_all(b"escaped").unwrap();
    w.start_file("good/../../escaped2.txt", o).unwrap();
    w.write_all(b"escaped").unwrap();
    w.add_symlink("good/link", "/etc", o).unwrap();
    w.start_file("\x1b[2J-two.png", o).unwrap();
    w.write_all(b"two").unwrap();
    if let Some(n) = extra_bomb {
        w.start_file("bomb.bin", o).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..n {
            w.write_all(&zeros).unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

/// `assetui download --zip [extra...] --out OUT IDS...`.
async fn zip_download(s: &Running, home: &Path, out: &Path, extra: &str, ids: &[String]) -> Output {
    let mut args = vec!["download", "--zip", extra, "--out", out.to_str().unwrap()];
    args.extend(ids.iter().map(String::as_str));
    assetui(home, &s.base_url, &args).await
}

#[tokio::test]
async fn a_zips_json_row_names_the_assets_in_it() {
    let s = demo(ServerConfig::default()).await;
    let ids = ids(&s, 2).await;
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("out");
    let o = zip_download(&s, home.path(), &out, "--json", &ids).await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["id"], Value::Null, "{rows:?}");
    assert_eq!(rows[0]["assets"], json!(ids), "{rows:?}");
    assert_eq!(rows[0]["status"], "done");
    let path = PathBuf::from(rows[0]["path"].as_str().unwrap());
    assert!(path.starts_with(&out) && path.extension().is_some_and(|e| e == "zip"));
}

#[tokio::test]
async fn a_zip_with_escaping_entries_and_symlinks_unpacks_only_the_safe_ones() {
    let s = demo(ServerConfig::default()).await;
    let ids = ids(&s, 2).await;
    let http = http();
    http.post(format!("{}/_demo/next-archive", s.base_url))
        .body(hostile_zip(None))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let root = home.path().join("root");
    let out = root.join("out");
    let o = zip_download(&s, home.path(), &out, "--extract", &ids).await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    let files = tree(&out);
    assert_eq!(
        files,
        ["good", "good/one.png", "_[2J-two.png"]
            .into_iter()
            .map(String::from)
            .collect(),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(std::fs::read(out.join("good/one.png")).unwrap(), b"one");
    assert_eq!(
        tree(&root),
        ["out".to_string()]
            .into_iter()
            .chain(files.iter().map(|f| format!("out/{f}")))
            .collect()
    );
    let err = text(&o.stderr);
    assert!(err.contains("leaves the directory"), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert!(!err.contains('\x1b'), "entry names are cleaned: {err:?}");
}

#[tokio::test]
async fn a_zip_bomb_is_refused() {
    let s = demo(ServerConfig::default()).await;
    let ids = ids(&s, 1).await;
    http()
        .post(format!("{}/_demo/next-archive", s.base_url))
        .body(hostile_zip(Some(60)))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("out");
    let o = zip_download(&s, home.path(), &out, "--extract", &ids).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("zip bomb"), "{}", text(&o.stderr));
    // nothing of the bomb was written
    assert!(
        !tree(&out).iter().any(|p| p.contains("bomb")),
        "{:?}",
        tree(&out)
    );
}

fn served(s: &Running) -> u64 {
    s.state.generated.large().expect("the large asset").served()
}

#[tokio::test]
async fn killed_mid_download_it_resumes_without_refetching() {
    // large next to a checkpoint (32 MiB), as the files worth resuming are
    const SIZE: u64 = 1 << 30;
    let s = demo(ServerConfig {
        large_asset: Some(SIZE),
        ..Default::default()
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("out");
    let mut child = command(
        home.path(),
        &s.base_url,
        &["download", "--out", out.to_str().unwrap(), LARGE_ID],
    )
    .spawn()
    .unwrap();
    // wait (polling the file, bounded) until a good part is on disk
    let deadline = tokio::time::Instant::now() + T;
    loop {
        let len = part_of(&out, LARGE_ID)
            .and_then(|p| std::fs::metadata(p).ok())
            .map_or(0, |m| m.len());
        if len >= SIZE / 2 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the download did not progress"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.start_kill().unwrap(); // SIGKILL
    let status = child.wait().await.unwrap();
    assert!(!status.success());
    let first = served(&s);
    assert!(first < SIZE, "killed before the end: {first}");

    let o = assetui(
        home.path(),
        &s.base_url,
        &[
            "download",
            "--resume",
            "--json",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let path = PathBuf::from(rows[0]["path"].as_str().unwrap());
    assert!(
        file_matches(&path, LARGE_SEED, 0, SIZE).unwrap(),
        "byte-identical"
    );
    assert_eq!(part_of(&out, LARGE_ID), None, "the .part is gone");
    let total = served(&s);
    let again = total - SIZE.min(total);
    // at most the bytes after the last checkpoint journalled (two
    // checkpoints and what was in flight) were fetched twice
    assert!(
        again <= SIZE / 10,
        "fetched {total} bytes for a {SIZE}-byte file ({again} again)"
    );
}

/// `assetui download X` run twice at once into the same directory: the
/// second says the file is on its way already and exits 1, and the first
/// still ends with exactly the asset's bytes.
#[tokio::test]
async fn the_same_download_run_twice_at_once_is_refused_the_second_time() {
    const SIZE: u64 = 8 << 20;
    let s = demo(ServerConfig {
        large_asset: Some(SIZE),
        ..Default::default()
    })
    .await;
    // the first stalls part way (for the server's 30 s), so it is running
    // when the second starts; its read timeout is far longer
    s.state
        .script_faults([
            assetui::server::faults::Scripted::parse("stall@1048576", "/v1/files/").unwrap(),
        ]);
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("out");
    let out_arg = out.to_str().unwrap();
    let mut first = command(
        home.path(),
        &s.base_url,
        &["download", "--out", out_arg, LARGE_ID],
    )
    .spawn()
    .unwrap();
    let deadline = tokio::time::Instant::now() + T;
    // its partial file exists once its journal names it
    while part_of(&out, LARGE_ID).is_none() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the first did not start"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let second = assetui(
        home.path(),
        &s.base_url,
        &["download", "--out", out_arg, LARGE_ID],
    )
    .await;
    assert_eq!(second.status.code(), Some(1), "{}", text(&second.stderr));
    let err = text(&second.stderr);
    assert!(
        err.contains(&format!("{LARGE_ID} is already being downloaded into"))
            && err.contains("by another assetui (process"),
        "{err}"
    );
    first.start_kill().unwrap();
    let _ = first.wait().await;
    // the first one's partial file is untouched by the second
    let part = part_of(&out, LARGE_ID).expect("the first's .part");
    let held = std::fs::read(&part).unwrap();
    let mut want = vec![0u8; held.len()];
    assetui::server::generated::fill(LARGE_SEED, 0, 0, &mut want);
    assert!(held == want, "the .part holds only the asset's own bytes");
}

/// Many small files at once (their journal records written in groups by
/// the journal's own thread), the process killed with SIGKILL while they
/// come: `--resume` ends with every file exactly once, byte-identical, and
/// no partial file left. A record the kill caught before it was on disk
/// never stood for a byte or a name that was not: a file finished just
/// before the kill is not fetched again as a second copy, and a half
/// file is never under a final name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_among_many_small_downloads_every_file_ends_once_and_whole() {
    const N: u64 = 96;
    const SIZE: u64 = 64 << 10;
    let s = demo(ServerConfig {
        small_assets: Some((N, SIZE)),
        // each API answer takes a little while: the kill lands mid-way
        latency: Duration::from_millis(15),
        ..Default::default()
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("out");
    let ids: Vec<String> = (0..N).map(|i| format!("asset_SmallFile{i:013}")).collect();
    let mut args = vec!["download", "--jobs", "8", "--out", out.to_str().unwrap()];
    args.extend(ids.iter().map(String::as_str));
    let mut child = command(home.path(), &s.base_url, &args).spawn().unwrap();
    // wait (polling the directory, bounded) until some files are placed
    let placed = |out: &Path| {
        std::fs::read_dir(out).map_or(0, |d| {
            d.filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| !e.file_name().to_string_lossy().ends_with(".part"))
            })
            .count() as u64
        })
    };
    let deadline = tokio::time::Instant::now() + T;
    while placed(&out) < N / 4 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the downloads did not progress"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    child.start_kill().unwrap(); // SIGKILL
    assert!(!child.wait().await.unwrap().success());
    assert!(placed(&out) < N, "killed before the end");

    let o = assetui(
        home.path(),
        &s.base_url,
        &["download", "--resume", "--out", out.to_str().unwrap()],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    let names = tree(&out);
    assert_eq!(
        names.len() as u64,
        N,
        "each file once, nothing else: {names:?}"
    );
    for (i, id) in ids.iter().enumerate() {
        let name = names
            .iter()
            .find(|n| n.starts_with(id.as_str()))
            .unwrap_or_else(|| panic!("{id} in {names:?}"));
        assert!(!name.ends_with(".part"), "{name}");
        assert!(
            file_matches(&out.join(name), 0x5ea1_0000 + i as u64, 0, SIZE).unwrap(),
            "{name} is byte-identical"
        );
    }
}
