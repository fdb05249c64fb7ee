//! `assetui doctor` as a user runs it: the real binary with a clean
//! environment, in demo mode, against a closed port, with `--json`, without
//! a terminal and inside a pseudo-terminal that does (or does not) answer
//! the graphics query.

use crate::support;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::Value;

const SECRET: &str = "supersecret";
/// Longer than any run should take: a hang fails instead of blocking CI.
const DEADLINE: Duration = Duration::from_secs(60);

/// Runs `assetui ARGS` with only PATH, HOME and the XDG directories under
/// `home`, plus `extra` variables; stdin is `/dev/null`.
async fn doctor(home: &Path, args: &[&str], extra: &[(&str, &str)]) -> Output {
    support::assetui_at_home(home, args, extra).await
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&o.stdout)))
}

/// A cache directory holding 1234 bytes in two files.
fn fill_cache(home: &Path) {
    let dir = home.join("cache/assetui/thumbs");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.png"), vec![0u8; 1000]).unwrap();
    std::fs::write(home.join("cache/assetui/index"), vec![0u8; 234]).unwrap();
}

#[tokio::test]
async fn demo_mode_answers_and_reports_cache_and_log() {
    let home = tempfile::tempdir().unwrap();
    fill_cache(home.path());
    let o = doctor(home.path(), &["doctor"], &[]).await;
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}\n{}", text(&o.stderr));
    assert!(out.contains("built-in demo library"), "{out}");
    let api = out.lines().find(|l| l.contains("API")).unwrap();
    assert!(api.starts_with("ok ") && api.contains(" ms"), "{api}");
    let cache = home.path().join("cache/assetui");
    let line = out.lines().find(|l| l.contains("cache")).unwrap();
    assert!(
        line.contains(&cache.display().to_string()) && line.contains("1.2 KiB"),
        "{line}"
    );
    let log = home.path().join("state/assetui/assetui.log");
    assert!(out.contains(&log.display().to_string()), "{out}");
    assert!(out.contains("not a terminal"), "{out}");
}

#[tokio::test]
async fn json_has_every_key() {
    let home = tempfile::tempdir().unwrap();
    fill_cache(home.path());
    let o = doctor(home.path(), &["doctor", "--json"], &[]).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v = json(&o);
    for key in [
        "terminal",
        "image_protocol",
        "theme",
        "config",
        "credentials",
        "api",
        "cache",
        "log",
    ] {
        let status = v[key]["status"].as_str();
        assert!(
            matches!(status, Some("ok" | "warn" | "fail")),
            "{key}: {v:#}"
        );
    }
    // not a terminal: the background is not asked, the theme says why
    assert_eq!(v["theme"]["choice"], "auto");
    assert_eq!(v["theme"]["theme"], "dark");
    assert!(
        v["theme"]["summary"]
            .as_str()
            .is_some_and(|s| s.contains("not asked: stdin or stdout is not a terminal")),
        "{v:#}"
    );
    assert_eq!(v["api"]["answered"], true);
    assert_eq!(v["api"]["demo"], true);
    assert!(v["api"]["elapsed_ms"].is_u64());
    assert_eq!(v["credentials"]["source"], "none");
    assert_eq!(v["config"]["exists"], false);
    assert_eq!(v["cache"]["bytes"], 1234);
    assert_eq!(v["terminal"]["stdout_tty"], false);
    assert_eq!(v["image_protocol"]["probed"], false);
    assert_eq!(v["image_protocol"]["protocol"], "halfblocks");
}

#[tokio::test]
async fn a_closed_port_exits_1_and_never_shows_the_secret() {
    let home = tempfile::tempdir().unwrap();
    let base = format!("http://127.0.0.1:{}/v1", support::closed_port());
    let creds = [
        ("SCENARIO_SDK_API_KEY", "k"),
        ("SCENARIO_SDK_API_SECRET", SECRET),
    ];
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("k:{SECRET}"));
    for args in [
        vec!["--base-url", &base, "doctor"],
        vec!["-vv", "--base-url", &base, "doctor", "--json"],
    ] {
        let o = doctor(home.path(), &args, &creds).await;
        let (out, err) = (text(&o.stdout), text(&o.stderr));
        assert_eq!(o.status.code(), Some(1), "{args:?}: {out}\n{err}");
        for shown in [&out, &err] {
            assert!(!shown.contains(SECRET), "secret leaked: {shown}");
            assert!(!shown.contains(&encoded), "encoded secret leaked: {shown}");
        }
        assert!(out.contains("did not answer"), "{out}");
        assert!(out.contains("environment"), "{out}");
        assert!(err.contains("assetui: error: the API at"), "{err}");
        if args.contains(&"--json") {
            let v = json(&o);
            assert_eq!(v["api"]["answered"], false);
            assert_eq!(v["api"]["status"], "fail");
            assert_eq!(v["api"]["base_url"], base.as_str());
            assert_eq!(v["credentials"]["source"], "environment");
            assert_eq!(v["credentials"]["kind"], "API key and secret");
        }
    }
}

#[tokio::test]
async fn the_protocol_choice_is_reported() {
    let home = tempfile::tempdir().unwrap();
    let o = doctor(home.path(), &["--image-protocol", "none", "doctor"], &[]).await;
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout).contains("none (images off)"));
    let o = doctor(
        home.path(),
        &["doctor", "--json"],
        &[("ASSETUI_IMAGE_PROTOCOL", "none")],
    )
    .await;
    let v = json(&o);
    assert_eq!(v["image_protocol"]["protocol"], "none");
    assert_eq!(v["image_protocol"]["choice"], "none");
    let o = doctor(home.path(), &["--image-protocol", "kitty", "doctor"], &[]).await;
    let out = text(&o.stdout);
    assert!(
        out.contains("kitty direct placement (font 10×20 px")
            && out.contains(
                "forced by --image-protocol / ASSETUI_IMAGE_PROTOCOL; the terminal did not say \
                 which it is: direct placement"
            ),
        "{out}"
    );
    let o = doctor(
        home.path(),
        &["--image-protocol", "kitty-direct", "doctor", "--json"],
        &[],
    )
    .await;
    let v = json(&o);
    assert_eq!(v["image_protocol"]["protocol"], "kitty-direct");
    assert_eq!(v["image_protocol"]["kitty_direct"], true);
    let o = doctor(home.path(), &["--image-protocol", "bogus", "doctor"], &[]).await;
    assert_eq!(o.status.code(), Some(2));
}

#[tokio::test]
async fn an_open_stdin_that_is_not_a_terminal_is_never_read() {
    let home = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_assetui"))
        .arg("doctor")
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("TERM", "xterm-kitty")
        .stdin(Stdio::piped()) // kept open, never written
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let o = tokio::time::timeout(DEADLINE, child.wait_with_output())
        .await
        .expect("doctor waited for stdin")
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("not probed"));
    assert!(started.elapsed() < Duration::from_secs(20));
}

/// Runs `assetui doctor` in a pseudo-terminal; `answer` is what the fake
/// terminal replies once it has seen the whole graphics query (nothing if
/// `None`). Returns everything the program wrote, after checking that the
/// terminal's modes are as they were before.
fn doctor_in_pty(answer: Option<&'static [u8]>) -> String {
    let home = tempfile::tempdir().unwrap();
    doctor_in_pty_at(home.path(), answer)
}

/// [`doctor_in_pty`] with HOME at `home` (its cache kept between runs).
fn doctor_in_pty_at(home: &Path, answer: Option<&'static [u8]>) -> String {
    use portable_pty::{native_pty_system, CommandBuilder, PtySize};
    use std::io::{Read, Write};

    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    // Debug of the termios flags: enough to compare before and after.
    let modes = |m: &dyn portable_pty::MasterPty| {
        m.get_termios().map(|t| {
            format!(
                "{:?} {:?} {:?}",
                t.input_flags, t.output_flags, t.local_flags
            )
        })
    };
    let before = modes(&*pair.master);
    assert!(before.is_some());
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_assetui"));
    cmd.arg("doctor");
    cmd.env_clear();
    cmd.env("HOME", home);
    cmd.env("XDG_CONFIG_HOME", home.join("config"));
    cmd.env("TERM", "xterm-256color");
    cmd.cwd(home);
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();

    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut answered = false;
        let mut buf = [0u8; 4096];
        // Linux reports EIO once the child side is closed.
        while let Ok(n @ 1..) = reader.read(&mut buf) {
            seen.extend_from_slice(&buf[..n]);
            // DA1 is the probe's last query
            if !answered && seen.windows(3).any(|w| w == b"\x1b[c") {
                answered = true;
                if let Some(answer) = answer {
                    writer.write_all(answer).unwrap();
                    writer.flush().unwrap();
                }
            }
        }
        let _ = tx.send(String::from_utf8_lossy(&seen).into_owned());
    });
    let status = wait_or_kill(&mut *child);
    let out = rx.recv_timeout(Duration::from_secs(10)).unwrap_or_default();
    assert!(status.is_some_and(|s| s.success()), "{out}");
    assert_eq!(modes(&*pair.master), before, "terminal modes not restored");
    drop(pair.master);
    out
}

fn wait_or_kill(
    child: &mut (dyn portable_pty::Child + Send + Sync),
) -> Option<portable_pty::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < DEADLINE {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("doctor did not finish in the pseudo-terminal");
}

#[test]
fn in_a_terminal_the_probe_reads_the_answer() {
    // What kitty answers: graphics OK, 10×20 px cells, its version, then DA1.
    let home = tempfile::tempdir().unwrap();
    let out = doctor_in_pty_at(
        home.path(),
        Some(b"\x1b_Gi=31;OK\x1b\\\x1b[6;20;10t\x1bP>|kitty(0.35.2)\x1b\\\x1b[?62;22c"),
    );
    assert!(
        out.contains(
            "kitty 0.35.2: kitty (font 10×20 px) (the terminal answered the kitty graphics \
             query; kitty 0.35.2 >= 0.28: Unicode placeholders; asked now"
        ),
        "{out:?}"
    );
    assert!(
        out.contains("to override: --image-protocol, ASSETUI_IMAGE_PROTOCOL or image_protocol"),
        "{out:?}"
    );
    assert!(out.contains("80×24 cells"), "{out:?}");
    // remembered for the browser's next start
    let cache = std::fs::read_to_string(home.path().join(".cache/assetui/terminals.json")).unwrap();
    assert!(
        cache.contains("TERM=xterm-256color TERM_PROGRAM= tmux=no"),
        "{cache}"
    );
    assert!(cache.contains("kitty(0.35.2)"), "{cache}");
}

#[test]
fn doctor_names_an_old_kitty_and_its_direct_placement() {
    // What Debian 12's kitty answers
    let out = doctor_in_pty(Some(
        b"\x1b_Gi=31;OK\x1b\\\x1b[6;20;10t\x1bP>|kitty(0.26.5)\x1b\\\x1b[?62;c",
    ));
    assert!(
        out.contains(
            "kitty 0.26.5: kitty direct placement (font 10×20 px) (the terminal answered the \
             kitty graphics query; kitty 0.26.5 < 0.28: direct placement; asked now"
        ),
        "{out:?}"
    );
    assert!(out.contains("kitty-direct, sixel, iterm2"), "{out:?}");
}

#[test]
fn doctor_prints_the_sixel_colour_registers_and_the_theme_from_the_background() {
    // xterm -ti vt340 with `XTerm*numColorRegisters: 16` and a white
    // background (its answers as recorded, plus a cell size)
    let out = doctor_in_pty(Some(
        b"\x1b[6;20;10t\x1bP>|XTerm(379)\x1b\\\x1b[?1;0;16S\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b[?63;1;2;4;6;9;15;16;22;28c",
    ));
    assert!(
        out.contains(
            "XTerm 379: sixel (font 10×20 px, 16 colours) (XTerm 379 reports sixel graphics"
        ),
        "{out:?}"
    );
    assert!(
        out.contains(
            "sixel: 16 colour registers, images use 16 colours (xterm: raise them with \
             `xterm -xrm 'XTerm*numColorRegisters: 256'`"
        ),
        "{out:?}"
    );
    assert!(
        out.contains("auto: light (the terminal's background is #ffffff; asked at every start)"),
        "{out:?}"
    );
    // as xterm answers by default: 1024 registers, nothing to raise
    let out = doctor_in_pty(Some(
        b"\x1b[6;20;10t\x1bP>|XTerm(379)\x1b\\\x1b[?1;0;1024S\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[?63;1;2;4;6;9;15;16;22;28c",
    ));
    assert!(
        out.contains("XTerm 379: sixel (font 10×20 px) (")
            && out.contains("sixel: 1024 colour registers;"),
        "{out:?}"
    );
    assert!(
        out.contains("auto: dark (the terminal's background is #000000"),
        "{out:?}"
    );
}

#[test]
fn a_silent_terminal_falls_back_to_halfblocks_and_says_how_to_choose() {
    let out = doctor_in_pty(None);
    assert!(
        out.contains("halfblocks (the terminal did not answer within 500 ms; asked now"),
        "{out:?}"
    );
    assert!(out.contains("image_protocol = "), "{out:?}");
}

#[tokio::test]
async fn the_config_file_chooses_below_the_flag_and_the_variable() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("config/assetui")).unwrap();
    std::fs::write(
        home.path().join("config/assetui/config.toml"),
        "image_protocol = \"sixel\"\n",
    )
    .unwrap();
    let o = doctor(home.path(), &["doctor", "--json"], &[]).await;
    let v = json(&o);
    assert_eq!(v["image_protocol"]["choice"], "sixel");
    assert_eq!(v["image_protocol"]["choice_source"], "config_file");
    assert_eq!(v["image_protocol"]["protocol"], "sixel");
    let o = doctor(home.path(), &["doctor"], &[]).await;
    assert!(
        text(&o.stdout).contains("forced by image_protocol in config.toml"),
        "{}",
        text(&o.stdout)
    );
    let o = doctor(
        home.path(),
        &["doctor", "--json"],
        &[("ASSETUI_IMAGE_PROTOCOL", "none")],
    )
    .await;
    let v = json(&o);
    assert_eq!(v["image_protocol"]["choice"], "none");
    assert_eq!(v["image_protocol"]["choice_source"], "flag_or_env");
    let o = doctor(
        home.path(),
        &["--image-protocol", "halfblocks", "doctor", "--json"],
        &[("ASSETUI_IMAGE_PROTOCOL", "none")],
    )
    .await;
    assert_eq!(json(&o)["image_protocol"]["choice"], "halfblocks");
}

#[tokio::test]
async fn rejected_credentials_are_called_refused_not_silence() {
    let home = tempfile::tempdir().unwrap();
    let rec = support::Recorder::start(
        vec![],
        support::Reply::json(401, serde_json::json!({"message": "Invalid credentials"})),
    )
    .await;
    let base = rec.base_url();
    let creds = [
        ("SCENARIO_SDK_API_KEY", "k"),
        ("SCENARIO_SDK_API_SECRET", SECRET),
    ];
    let o = doctor(home.path(), &["--base-url", &base, "doctor"], &creds).await;
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(!out.contains("did not answer"), "{out}");
    assert!(out.contains("refused the credentials (401"), "{out}");
    assert!(out.contains("Invalid credentials"), "{out}");
    assert!(!err.contains("did not answer"), "{err}");
    assert!(!out.contains(SECRET) && !err.contains(SECRET));
    let o = doctor(
        home.path(),
        &["--base-url", &base, "doctor", "--json"],
        &creds,
    )
    .await;
    assert_eq!(json(&o)["api"]["answered"], true);
}

#[tokio::test]
async fn a_keys_table_the_browser_refuses_fails_here_with_every_problem() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("config/assetui")).unwrap();
    std::fs::write(
        home.path().join("config/assetui/config.toml"),
        "[keys]\ndown = [\"ctrl-shift-meta-x\"]\nup = [\"k\", \"nosuchkey\"]\n",
    )
    .unwrap();
    let o = doctor(home.path(), &["doctor"], &[]).await;
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    let line = out
        .lines()
        .find(|l| l.contains("config file"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.starts_with("fail"), "{line}");
    assert!(line.contains("the browser will not start"), "{line}");
    // both bad bindings, not only the first
    assert!(
        line.contains("ctrl-shift-meta-x") && line.contains("nosuchkey"),
        "{line}"
    );
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(err.contains("config"), "{err}");
}
