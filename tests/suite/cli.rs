//! The real binary, as a script would run it: exit codes, one clear line on
//! stderr, JSON that re-emits what the server sent, no secret anywhere.

use crate::support;
use std::process::Output;

use serde_json::{json, Value};
use support::{asset_json, Recorder, Reply};

const SECRET: &str = "s3cr3t-never-printed";

/// Runs `assetui` with a clean environment and a private config dir.
async fn assetui(args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_assetui"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("RUST_BACKTRACE", "1")
        .stdin(std::process::Stdio::null());
    cmd.output().await.unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_one_clean_line(o: &Output) {
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "stderr: {err}");
    assert!(err.starts_with("assetui: error: "), "{err}");
    assert!(
        !err.contains("panicked") && !err.to_lowercase().contains("backtrace"),
        "{err}"
    );
    assert!(!err.contains(SECRET), "secret leaked: {err}");
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn every_command_against_a_closed_port_fails_cleanly() {
    let base = format!("http://127.0.0.1:{}/v1", support::closed_port());
    for args in [
        vec!["list"],
        vec!["get", "asset_1"],
        vec!["search", "castle"],
        vec!["tags"],
        vec!["collections"],
        vec!["tag", "asset_1", "--add", "x"],
        vec!["delete", "asset_1", "--yes"],
        vec!["collect", "coll_1", "asset_1"],
    ] {
        let mut full = vec![
            "--base-url",
            &base,
            "--api-key",
            "k",
            "--api-secret",
            SECRET,
        ];
        full.extend(args.iter());
        let o = assetui(&full).await;
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert_one_clean_line(&o);
        assert!(stderr(&o).contains("cannot reach"), "{}", stderr(&o));
    }
}

#[tokio::test]
async fn a_401_says_which_variables_to_set() {
    let rec = Recorder::start(vec![], Reply::json(401, json!({"message": "Unauthorized"}))).await;
    let base = rec.base_url();
    for args in [
        vec!["list"],
        vec!["get", "a"],
        vec!["search", "x"],
        vec!["tags"],
    ] {
        let mut full = vec![
            "--base-url",
            &base,
            "--api-key",
            "k",
            "--api-secret",
            SECRET,
        ];
        full.extend(args.iter());
        let o = assetui(&full).await;
        assert_eq!(o.status.code(), Some(1));
        assert_one_clean_line(&o);
        assert!(
            stderr(&o).contains("SCENARIO_SDK_API_KEY"),
            "{}",
            stderr(&o)
        );
    }
}

#[tokio::test]
async fn html_instead_of_json_is_one_clear_line() {
    let rec = Recorder::start(
        vec![],
        Reply::raw(200, "text/html", "<html><body>Sign in</body></html>"),
    )
    .await;
    let o = assetui(&[
        "--base-url",
        &rec.base_url(),
        "--api-key",
        "k",
        "--api-secret",
        SECRET,
        "list",
    ])
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert_one_clean_line(&o);
    assert!(
        stderr(&o).contains("unexpected response from GET /v1/assets"),
        "{}",
        stderr(&o)
    );
}

#[tokio::test]
async fn verbose_logs_hold_no_secret() {
    let rec = Recorder::start(
        vec![],
        Reply::json(200, json!({"assets": [asset_json("a1")]})),
    )
    .await;
    let o = assetui(&[
        "-vv",
        "--base-url",
        &rec.base_url(),
        "--api-key",
        "k",
        "--api-secret",
        SECRET,
        "list",
    ])
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all = format!("{}{}", stderr(&o), String::from_utf8_lossy(&o.stdout));
    assert!(!all.contains(SECRET));
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("k:{SECRET}"));
    assert!(!all.contains(&encoded), "the Authorization header leaked");
}

#[tokio::test]
async fn usage_errors_exit_2() {
    for args in [
        vec!["list", "--page-size", "0"],
        vec!["list", "--page-size", "101"],
        vec!["list", "--sort", "name"],
        vec!["get"],
        vec!["search", "x", "--sort", "createdAt"],
        vec!["no-such-command"],
    ] {
        let o = assetui(&args).await;
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}

#[tokio::test]
async fn conflicting_date_filters_are_a_usage_error() {
    let rec = Recorder::start(vec![], Reply::json(200, json!({"assets": []}))).await;
    let o = assetui(&[
        "--base-url",
        &rec.base_url(),
        "list",
        "--created-after",
        "2025-01-01",
        "--sort",
        "updatedAt",
    ])
    .await;
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(rec.requests().is_empty());
}

#[tokio::test]
async fn a_created_after_filter_sorts_by_created_at() {
    let rec = Recorder::start(vec![], Reply::json(200, json!({"assets": []}))).await;
    let o = assetui(&[
        "--base-url",
        &rec.base_url(),
        "list",
        "--created-after",
        "2025-01-01",
    ])
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(rec
        .last()
        .query_pairs()
        .contains(&("sortBy".into(), "createdAt".into())));
}

#[tokio::test]
async fn delete_without_a_terminal_refuses_unless_yes() {
    let rec = Recorder::start(vec![], Reply::json(200, json!({}))).await;
    let o = assetui(&["--base-url", &rec.base_url(), "delete", "asset_1"]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    assert!(rec.requests().is_empty(), "nothing may be deleted");
    let o = assetui(&["--base-url", &rec.base_url(), "delete", "asset_1", "--yes"]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rec.last().json(), json!({"assetIds": ["asset_1"]}));
}

#[tokio::test]
async fn collect_adds_and_removes_through_the_collection_endpoint() {
    // membership first (get-bulk): a member is not sent, and is counted
    let mut member = asset_json("a3");
    member["collectionIds"] = json!(["coll_1"]);
    let rec = Recorder::start(
        vec![Reply::json(
            200,
            json!({"assets": [asset_json("a1"), asset_json("a2"), member]}),
        )],
        Reply::json(200, json!({})),
    )
    .await;
    let base = rec.base_url();
    let o = assetui(&[
        "--base-url",
        &base,
        "collect",
        "coll_1",
        "a1",
        "a2",
        "a3",
        "--json",
    ])
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let bulk = &rec.requests()[0];
    assert_eq!(bulk.path, "/v1/assets/get-bulk");
    let r = rec.last();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PUT", "/v1/collections/coll_1/assets")
    );
    assert_eq!(r.json(), json!({"assetIds": ["a1", "a2"]}));
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        out,
        json!({"collection": "coll_1", "added": ["a1", "a2"], "alreadyThere": ["a3"], "failed": []})
    );
    let o = assetui(&["--base-url", &base, "collect", "coll_1", "a1", "--remove"]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rec.last().method, "DELETE");
    assert!(
        stderr(&o).contains("removed 1 from coll_1"),
        "{}",
        stderr(&o)
    );
}

#[tokio::test]
async fn get_json_re_emits_every_field_of_the_documented_example() {
    let doc = fixture("assets_retrieve.json");
    let rec = Recorder::start(vec![], Reply::json(200, doc.clone())).await;
    let o = assetui(&["--base-url", &rec.base_url(), "get", "id", "--json"]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(printed, doc["asset"]);
}

#[tokio::test]
async fn list_json_and_jsonl_re_emit_the_documented_example() {
    let mut doc = fixture("assets_list.json");
    // one page: the documented example's token would ask for another
    doc.as_object_mut().unwrap().remove("nextPaginationToken");
    let rec = Recorder::start(vec![], Reply::json(200, doc.clone())).await;
    let o = assetui(&["--base-url", &rec.base_url(), "list", "--json"]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(printed, doc["assets"]);
    let o = assetui(&["--base-url", &rec.base_url(), "list", "--jsonl"]).await;
    let lines: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(Value::Array(lines), doc["assets"]);
}

#[tokio::test]
async fn search_json_re_emits_the_documented_example() {
    let doc = fixture("search_assets.json");
    let rec = Recorder::start(vec![], Reply::json(200, doc.clone())).await;
    let o = assetui(&["--base-url", &rec.base_url(), "search", "castle", "--json"]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(printed, doc["hits"]);
}

#[tokio::test]
async fn list_all_follows_pages_and_limit_stops_early() {
    let page = |ids: &[&str], next: Option<&str>| {
        let mut v = json!({"assets": ids.iter().map(|i| asset_json(i)).collect::<Vec<_>>()});
        if let Some(n) = next {
            v["nextPaginationToken"] = json!(n);
        }
        Reply::json(200, v)
    };
    let rec = Recorder::start(
        vec![page(&["a1", "a2"], Some("t2")), page(&["a3"], None)],
        Reply::json(500, json!({})),
    )
    .await;
    let o = assetui(&["--base-url", &rec.base_url(), "list", "--all", "--jsonl"]).await;
    let seen: Vec<_> = rec.requests().iter().map(|r| r.query.clone()).collect();
    assert_eq!(o.status.code(), Some(0), "{} {seen:?}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 3);

    let rec = Recorder::start(
        vec![page(&["a1", "a2"], Some("t2"))],
        Reply::json(500, json!({})),
    )
    .await;
    let o = assetui(&[
        "--base-url",
        &rec.base_url(),
        "list",
        "--limit",
        "2",
        "--jsonl",
    ])
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rec.requests().len(), 1, "no page beyond the limit");
    assert!(rec
        .last()
        .query_pairs()
        .contains(&("pageSize".into(), "2".into())));
}

#[tokio::test]
async fn search_all_follows_pages_like_list_all() {
    let page = |ids: &[&str], n: u64| {
        Reply::json(
            200,
            json!({
                "hits": ids.iter().map(|i| asset_json(i)).collect::<Vec<_>>(),
                "page": n, "hitsPerPage": 100, "totalPages": 2
            }),
        )
    };
    let rec = Recorder::start(
        vec![page(&["a1", "a2"], 1), page(&["a3"], 2)],
        Reply::json(500, json!({})),
    )
    .await;
    let o = assetui(&[
        "--base-url",
        &rec.base_url(),
        "search",
        "castle",
        "--all",
        "--jsonl",
    ])
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 3);
    assert_eq!(rec.requests().len(), 2, "both pages, nothing more");
    // --all and --limit say different things
    let o = assetui(&["--demo", "search", "castle", "--all", "--limit", "3"]).await;
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// Each command's help lists its own options first, then the global ones
/// under a heading of their own (not interleaved).
#[tokio::test]
async fn global_options_have_their_own_heading_in_every_command_help() {
    for (command, own) in [
        ("list", "--type"),
        ("search", "--all"),
        ("download", "--out"),
        ("tag", "--add"),
        ("serve", "--faults"),
        ("doctor", "--json"),
    ] {
        let o = assetui(&[command, "--help"]).await;
        assert_eq!(o.status.code(), Some(0), "{command}");
        let help = String::from_utf8_lossy(&o.stdout).into_owned();
        let heading = help
            .find("\nGlobal options:\n")
            .unwrap_or_else(|| panic!("{command}: no heading\n{help}"));
        let at = |flag: &str| {
            help.find(&format!(" {flag}"))
                .unwrap_or_else(|| panic!("{command}: {flag} missing"))
        };
        assert!(at(own) < heading, "{command}: {own} is the command's own");
        for global in [
            "--base-url",
            "--api-key",
            "--profile",
            "--demo-reset",
            "--verbose",
        ] {
            assert!(
                at(global) > heading,
                "{command}: {global} under the heading"
            );
        }
    }
}

/// Several items failing is still one line: the first failure and the
/// count; `-v` lists each before it.
#[tokio::test]
async fn several_failures_are_one_line_naming_the_first_and_the_count() {
    let args = [
        "--demo",
        "tag",
        "asset_nope0000000000000000001",
        "asset_nope0000000000000000002",
        "--add",
        "x",
    ];
    let o = assetui(&args).await;
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_one_clean_line(&o);
    let err = stderr(&o);
    assert!(
        err.contains("asset_nope0000000000000000001") && err.contains("2 of 2 failed"),
        "{err}"
    );
    let mut verbose = vec!["-v"];
    verbose.extend(args);
    let o = assetui(&verbose).await;
    let err = stderr(&o);
    assert!(err.contains("asset_nope0000000000000000002"), "{err}");
    assert!(err.lines().count() > 1, "{err}");
}

#[tokio::test]
async fn the_table_shows_sanitized_names() {
    let mut evil = asset_json("a1");
    evil["metadata"]["name"] = json!("evil\u{1b}]52;c;cHduZWQ=\u{7}name\u{202e}");
    let rec = Recorder::start(vec![], Reply::json(200, json!({"assets": [evil]}))).await;
    let o = assetui(&["--base-url", &rec.base_url(), "list"]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("evil]52;c;cHduZWQ=name"), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{202e}'));
}

#[tokio::test]
async fn several_types_are_sent_as_types() {
    let rec = Recorder::start(vec![], Reply::json(200, json!({"assets": []}))).await;
    let o = assetui(&[
        "--base-url",
        &rec.base_url(),
        "list",
        "--type",
        "canvas",
        "--type",
        "upscale",
    ])
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(rec
        .last()
        .query_pairs()
        .contains(&("types".into(), "canvas,upscale".into())));
}

#[tokio::test]
async fn completions_are_printed() {
    let o = assetui(&["completions", "bash"]).await;
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("assetui"));
}

#[tokio::test]
async fn environment_credentials_are_used() {
    let rec = Recorder::start(vec![], Reply::json(200, json!({"assets": []}))).await;
    let home = tempfile::tempdir().unwrap();
    let o = tokio::process::Command::new(env!("CARGO_BIN_EXE_assetui"))
        .args(["list"])
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .env("SCENARIO_BASE_URL", rec.base_url())
        .env("SCENARIO_SDK_API_KEY", "key")
        .env("SCENARIO_SDK_API_SECRET", "secret")
        .output()
        .await
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        rec.last().header("authorization"),
        Some("Basic a2V5OnNlY3JldA==")
    );
}

#[tokio::test]
async fn login_checks_and_saves_the_credentials_privately() {
    use tokio::io::AsyncWriteExt;
    let rec = Recorder::start(vec![], Reply::json(200, json!({"assets": []}))).await;
    let home = tempfile::tempdir().unwrap();
    let config_home = home.path().join("config");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_assetui"))
        .args(["--base-url", &rec.base_url(), "--profile", "work", "login"])
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", &config_home)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(format!("mykey\n{SECRET}\n").as_bytes())
        .await
        .unwrap();
    drop(stdin);
    let o = child.wait_with_output().await.unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains(SECRET));
    // the check used the new credentials
    use base64::Engine;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("mykey:{SECRET}"))
    );
    assert_eq!(rec.last().header("authorization"), Some(expected.as_str()));
    let file = config_home.join("assetui/config.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("[profiles.work]") && text.contains(SECRET),
        "{text}"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(file.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o700
    );
}

#[tokio::test]
async fn a_bad_config_file_names_path_line_and_key() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/assetui");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "[profiles.work]\napi_key = \"k\"\napi_secrt = \"oops\"\n",
    )
    .unwrap();
    let o = tokio::process::Command::new(env!("CARGO_BIN_EXE_assetui"))
        .args(["list"])
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .output()
        .await
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("config.toml:3"), "{err}");
    assert!(err.contains("api_secrt"), "{err}");
    assert!(!err.contains("oops"), "{err}");
}

#[test]
fn completions_into_a_closed_pipe_end_quietly() {
    for shell in ["fish", "bash", "zsh"] {
        // the reading end is closed before the script is written
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_assetui"))
            .args(["completions", shell])
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("assetui runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{shell}: {err}");
        assert_eq!(out.status.code(), Some(0), "{shell}: {err}");
    }
}
