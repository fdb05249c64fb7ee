//! The real binary against hostile servers (issue 20): a token cycle is a
//! warning, `--all` has a cap, error lines are short and clean, `--json`
//! escapes hostile characters, a broken item is shown as broken, tables fit.

use std::process::Output;

use serde_json::Value;

use crate::support::hostile::{asset_page, Hostile, Req, Resp};

async fn assetui_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_assetui"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        // a command that never ends is killed with its test
        .kill_on_drop(true);
    let run = cmd.output();
    tokio::time::timeout(std::time::Duration::from_secs(120), run)
        .await
        .expect("the command never ended")
        .unwrap()
}

async fn assetui(base: &str, args: &[&str]) -> Output {
    let mut full = vec!["--base-url", base, "--api-key", "k", "--api-secret", "s"];
    full.extend(args);
    assetui_env(&full, &[]).await
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A -> B -> A: `list --all` prints every asset once, warns, exits 0, and
/// its JSON array is closed.
#[tokio::test]
async fn list_all_ends_a_token_cycle_with_a_warning() {
    let server = Hostile::start(|r: &Req| {
        let (start, next) = match r.query.get("paginationToken").map(String::as_str) {
            None => (0, "A"),
            Some("A") => (2, "B"),
            _ => (4, "A"),
        };
        Resp::Json(200, asset_page(start, 2, Some(next)))
    })
    .await;
    let o = assetui(&server.base_url(), &["list", "--all", "--json"]).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.starts_with("assetui: warning: ") && err.contains("cycle"),
        "{err}"
    );
    let items: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(items.len(), 6);
}

/// Endless fresh tokens: `--all` stops at its cap with a clear error after
/// printing what it listed.
#[tokio::test]
async fn list_all_stops_at_its_cap() {
    let server = Hostile::start(|r: &Req| {
        let n: usize = r
            .query
            .get("paginationToken")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        Resp::Json(200, asset_page(n * 1000, 1000, Some(&(n + 1).to_string())))
    })
    .await;
    let o = assetui(&server.base_url(), &["list", "--all", "--jsonl"]).await;
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("stopped after 100000 assets"), "{err}");
    assert!(err.contains("--limit N"), "{err}");
    assert_eq!(o.stdout.iter().filter(|b| **b == b'\n').count(), 100_000);
}

/// `search --all` pages on like `list --all`: endless pages of hits stop
/// at the same cap, after printing them, with the same clear error.
#[tokio::test]
async fn search_all_stops_at_its_cap() {
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = served.clone();
    let server = Hostile::start(move |_r: &Req| {
        let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let hits: Vec<String> = (n * 100..n * 100 + 100)
            .map(|i| format!("{{\"id\":\"a{i}\"}}"))
            .collect();
        Resp::Json(
            200,
            format!(
                "{{\"hits\":[{}],\"page\":{},\"hitsPerPage\":100,\"totalPages\":1000000}}",
                hits.join(","),
                n + 1
            ),
        )
    })
    .await;
    let o = assetui(
        &server.base_url(),
        &["search", "castle", "--all", "--jsonl"],
    )
    .await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("stopped after 100000 matching assets") && err.contains("--limit N"),
        "{err}"
    );
    assert_eq!(o.stdout.iter().filter(|b| **b == b'\n').count(), 100_000);
    // not one page more than printed
    assert_eq!(served.load(std::sync::atomic::Ordering::SeqCst), 1000);
}

/// A 200 KB string (a server's message, an id echoed in a path): one
/// short clean line on stderr.
#[tokio::test]
async fn a_huge_error_message_is_one_short_line() {
    let message = "bad request \u{1b}[31m ".repeat(10_000);
    let server = Hostile::start(move |r: &Req| {
        let status = if r.path.starts_with("/v1/assets/") {
            404
        } else {
            400
        };
        Resp::Json(
            status,
            serde_json::json!({ "message": message }).to_string(),
        )
    })
    .await;
    let id = "\u{1b}x".repeat(20_000);
    for args in [vec!["list"], vec!["tags"], vec!["get", &id]] {
        let o = assetui(&server.base_url(), &args).await;
        assert_eq!(o.status.code(), Some(1));
        let err = text(&o.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.chars().count() < 400, "{} chars", err.chars().count());
        assert!(!err.contains('\u{1b}'));
    }
    let o = assetui(&server.base_url(), &["get", &id]).await;
    assert!(
        text(&o.stderr).trim_end().ends_with("more)"),
        "{}",
        text(&o.stderr)
    );
}

/// C1 and bidi characters reach stdout escaped, and the JSON is exact.
#[tokio::test]
async fn json_output_escapes_c1_and_bidi() {
    let name = "evil\u{9b}31m\u{202e}gnp.exe\u{e0041}";
    let item = serde_json::json!({"id": "a1", "metadata": {"name": name}});
    let page = serde_json::json!({ "assets": [item.clone()] }).to_string();
    let asset = serde_json::json!({ "asset": item.clone() }).to_string();
    let tags = serde_json::json!({ "tags": [{"tagName": name}] }).to_string();
    let server = Hostile::start(move |r: &Req| match r.path.as_str() {
        "/v1/assets" => Resp::Json(200, page.clone()),
        "/v1/tags" => Resp::Json(200, tags.clone()),
        _ => Resp::Json(200, asset.clone()),
    })
    .await;
    for args in [
        vec!["list", "--json"],
        vec!["list", "--jsonl"],
        vec!["get", "a1", "--json"],
        vec!["tags", "--json"],
    ] {
        let o = assetui(&server.base_url(), &args).await;
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
        let out = text(&o.stdout);
        assert!(
            out.contains("\\u009b31m\\u202egnp.exe\\udb40\\udc41"),
            "{args:?}: {out}"
        );
        assert!(
            !out.contains('\u{9b}') && !out.contains('\u{202e}'),
            "{out:?}"
        );
        let first = out.lines().next().unwrap();
        let v: Value = serde_json::from_str(if args.contains(&"--jsonl") {
            first
        } else {
            &out
        })
        .unwrap();
        assert!(v.to_string().contains(name), "decodes to the same string");
    }
}

/// One bad field: the other rows print, the bad one says it is broken
/// (`--json`: the item as sent, plus `_error`).
#[tokio::test]
async fn a_broken_item_is_shown_as_broken() {
    let server = Hostile::start(|_: &Req| {
        Resp::Json(
            200,
            r#"{"assets":[{"id":"a1","metadata":{"name":"fine"}},{"id":"a2","tags":"oops","x":1}]}"#
                .into(),
        )
    })
    .await;
    let o = assetui(&server.base_url(), &["list", "--json"]).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let items: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(items[0]["metadata"]["name"], "fine");
    assert_eq!(items[1]["tags"], "oops");
    assert_eq!(items[1]["x"], 1);
    assert!(
        items[1]["_error"].as_str().unwrap().contains("tags"),
        "{items:?}"
    );
    let o = assetui(&server.base_url(), &["list"]).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let table = text(&o.stdout);
    assert!(table.contains("fine"), "{table}");
    let row = table.lines().find(|l| l.starts_with("a2")).unwrap();
    assert!(row.contains("broken item"), "{table}");
}

/// A long id (a column that cannot shrink) still fits the width.
#[tokio::test]
async fn tables_fit_the_width_even_with_a_long_id() {
    let id = format!("asset_{}", "x".repeat(300));
    let page = serde_json::json!({"assets": [{"id": id, "metadata": {"name": "n"}}]}).to_string();
    let server = Hostile::start(move |_: &Req| Resp::Json(200, page.clone())).await;
    let base = server.base_url();
    let o = assetui_env(
        &[
            "--base-url",
            &base,
            "--api-key",
            "k",
            "--api-secret",
            "s",
            "list",
        ],
        &[("COLUMNS", "60")],
    )
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let table = text(&o.stdout);
    assert!(table.lines().count() >= 2, "{table}");
    for line in table.lines() {
        assert!(
            unicode_width::UnicodeWidthStr::width(line) <= 60,
            "{line:?}"
        );
    }
}

/// A profile name with an escape in it never reaches stderr raw.
#[tokio::test]
async fn a_hostile_profile_name_is_sanitized() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/assetui");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "[profiles.\"evil\\u001b]0;pwned\\u0007\"]\napi_key = \"k\"\napi_secret = \"s\"\n",
    )
    .unwrap();
    let run = |args: Vec<&'static str>| {
        let home = home.path().to_path_buf();
        async move {
            tokio::process::Command::new(env!("CARGO_BIN_EXE_assetui"))
                .args(args)
                .env_clear()
                .env("HOME", &home)
                .env("XDG_CONFIG_HOME", home.join("config"))
                .output()
                .await
                .unwrap()
        }
    };
    for args in [
        vec!["--profile", "nope\u{1b}[2J", "list"],
        vec!["--profile", "nope\u{9b}2J", "doctor"],
        vec!["doctor"],
    ] {
        let o = run(args.clone()).await;
        let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
        assert!(
            !all.contains('\u{1b}') && !all.contains('\u{9b}') && !all.contains('\u{7}'),
            "{args:?}: {all:?}"
        );
    }
}
