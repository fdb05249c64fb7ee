//! `assetui download`: the download queue from the command line, with
//! progress on a terminal (none in a pipe), a summary, and exit 1 when an
//! item failed.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

use super::args::DownloadArgs;
use super::context::Context;
use super::output::JsonWriter;
use super::CliError;
use crate::download::archive::{self, Limits};
use crate::download::queue::{
    Config, ItemView, Phase, Queue, Request, Snapshot, DEFAULT_JOBS, DEFAULT_TEMPLATE,
};
use crate::sanitize;
use crate::text::human_size;

/// The `[downloads]` table of the config file (defaults when there is no
/// file).
pub fn settings() -> Result<crate::config::DownloadSettings, CliError> {
    let Some(path) = crate::config::default_config_path() else {
        return Ok(Default::default());
    };
    Ok(crate::config::load(&path)?
        .map(|l| l.config.downloads)
        .unwrap_or_default())
}

pub async fn run(ctx: &Context, a: DownloadArgs) -> Result<(), CliError> {
    let settings = settings()?;
    let out = prepare_out(&a.out.clone().unwrap_or_else(|| settings.dir_or_default()))?;
    let template = a
        .template
        .clone()
        .or(settings.name.clone())
        .unwrap_or_else(|| DEFAULT_TEMPLATE.to_string());
    let mut config = Config::new(out.clone());
    config.jobs = jobs(a.jobs, &settings);
    config.template = template;
    config.journal_dir = crate::download::journal::default_dir();
    let queue = Queue::start(ctx.scenario("this command")?.clone(), config, a.resume)
        .map_err(|e| CliError::Failed(format!("download journal: {e}")))?;
    if a.zip {
        // one archive: a batch job on the server, fetched like a file
        queue.add_archive(a.ids.clone());
    } else {
        queue.add(
            a.ids
                .iter()
                .map(|id| Request::new(id.clone(), a.format.clone()))
                .collect(),
        );
    }
    if a.resume {
        queue.resume(None);
        queue.retry(None);
    }
    queue.sync().await;
    let started = Instant::now();
    let mut progress = Progress::new(!a.json && io::stderr().is_terminal());
    let mut rx = queue.subscribe();
    let mut interrupted = false;
    let snapshot = loop {
        let snap = rx.borrow_and_update().clone();
        progress.show(&snap);
        if snap.settled() {
            break snap;
        }
        tokio::select! {
            changed = rx.changed() => if changed.is_err() { break snap },
            _ = tokio::signal::ctrl_c(), if !interrupted => {
                interrupted = true;
                queue.pause(None);
            }
        }
    };
    progress.clear();
    queue.close().await;
    if a.zip && a.extract {
        let archive = snapshot
            .items
            .iter()
            .find(|i| i.phase == Phase::Done)
            .and_then(|i| i.path.clone());
        if let Some(path) = archive {
            return extract(&path, &out, a.json, started.elapsed()).await;
        }
    }
    if !a.json && !progress.on {
        // in a pipe: the saved paths, one per line, for the next command
        for i in snapshot.items.iter().filter(|i| i.phase == Phase::Done) {
            if let Some(p) = &i.path {
                println!("{}", sanitize::line(&p.display().to_string(), 4096));
            }
        }
    }
    if snapshot.items.is_empty() && a.resume {
        eprintln!("assetui: nothing to resume");
        return Ok(());
    }
    report(&snapshot, a.json, started.elapsed(), interrupted)
}

/// Downloads at once: `--jobs`, else the config's, else the default.
pub(super) fn jobs(flag: Option<u16>, settings: &crate::config::DownloadSettings) -> usize {
    flag.or(settings.jobs).unwrap_or(DEFAULT_JOBS as u16).max(1) as usize
}

/// `--out`: created if missing; must be a directory (a symlink to one is
/// the user's choice and is followed once, here).
pub(super) fn prepare_out(out: &Path) -> Result<PathBuf, CliError> {
    std::fs::create_dir_all(out)
        .map_err(|e| CliError::Failed(format!("cannot create {}: {e}", out.display())))?;
    let dir = out
        .canonicalize()
        .map_err(|e| CliError::Failed(format!("{}: {e}", out.display())))?;
    if !dir.is_dir() {
        return Err(CliError::Usage(format!(
            "{} is not a directory",
            out.display()
        )));
    }
    Ok(dir)
}

fn report(snap: &Snapshot, json: bool, took: Duration, interrupted: bool) -> Result<(), CliError> {
    let failed: Vec<&ItemView> = snap
        .items
        .iter()
        .filter(|i| i.phase == Phase::Failed)
        .collect();
    let paused = snap.count(Phase::Paused);
    if json {
        let mut w = JsonWriter::new(io::stdout().lock(), false);
        for i in &snap.items {
            let mut row = json!({
                "id": i.asset_id,
                "status": i.phase.label(),
                "path": i.path.as_ref().map(|p| p.display().to_string()),
                "bytes": i.bytes,
                "error": i.error,
            });
            if !i.assets.is_empty() {
                // a zip is no one asset: its row names the assets in it
                row["id"] = serde_json::Value::Null;
                row["assets"] = json!(i.assets);
            }
            w.push(&row)?;
        }
        for r in &snap.refused {
            w.push(&json!({
                "id": r.asset_id,
                "status": "refused",
                "path": null,
                "bytes": 0,
                "error": r.why,
            }))?;
        }
        w.finish()?;
    } else {
        let done = snap.count(Phase::Done);
        let bytes: u64 = snap
            .items
            .iter()
            .filter(|i| i.phase == Phase::Done)
            .map(|i| i.bytes)
            .sum();
        let mut line = format!(
            "{done} downloaded ({}) in {:.1} s",
            human_size(bytes),
            took.as_secs_f64()
        );
        if !failed.is_empty() {
            line.push_str(&format!(", {} failed", failed.len()));
        }
        if paused > 0 {
            line.push_str(&format!(", {paused} paused"));
        }
        if !snap.refused.is_empty() {
            line.push_str(&format!(", {} not started", snap.refused.len()));
        }
        // a failure's one line carries what this one says
        if failed.is_empty() && snap.refused.is_empty() && !interrupted && paused == 0 {
            eprintln!("{line}");
        } else {
            tracing::info!("{line}");
        }
    }
    for r in &snap.refused {
        tracing::info!("not started: {}", r.why);
    }
    let reasons: Vec<String> = failed
        .iter()
        .map(|i| {
            format!(
                "{}: {}",
                sanitize::line(&i.asset_id, 80),
                i.error.as_deref().unwrap_or("failed")
            )
        })
        .collect();
    for r in &reasons {
        tracing::info!("failed: {r}");
    }
    let failures = match reasons.first() {
        None => String::new(),
        Some(first) if failed.len() == 1 && snap.items.len() == 1 => first.clone(),
        Some(first) => format!(
            "{first} ({} of {} downloads failed{})",
            failed.len(),
            snap.items.len(),
            if failed.len() > 1 {
                "; -v lists each"
            } else {
                ""
            }
        ),
    };
    if interrupted || paused > 0 {
        let also = if failures.is_empty() {
            String::new()
        } else {
            format!("; {failures}")
        };
        return Err(CliError::Failed(format!(
            "{paused} download(s) paused: `assetui download --resume` carries on where they \
             stopped{also}"
        )));
    }
    if failed.is_empty() {
        return match snap.refused.first() {
            None => Ok(()),
            Some(r) => Err(CliError::Failed(format!(
                "{} of {} downloads not started: {}",
                snap.refused.len(),
                snap.items.len() + snap.refused.len(),
                r.why
            ))),
        };
    }
    let resumable = failed.iter().any(|i| i.bytes > 0);
    Err(CliError::Failed(format!(
        "{failures}{}",
        if resumable {
            "; `assetui download --resume` carries on the partial ones"
        } else {
            ""
        }
    )))
}

/// The progress block on stderr: one line per running item and a total,
/// redrawn in place; finished files are announced above it on stdout.
struct Progress {
    on: bool,
    lines: usize,
    announced: std::collections::BTreeSet<u64>,
}

impl Progress {
    fn new(on: bool) -> Progress {
        Progress {
            on,
            lines: 0,
            announced: Default::default(),
        }
    }

    fn clear(&mut self) {
        if self.on && self.lines > 0 {
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r\x1b[{}A\x1b[J", self.lines);
            let _ = err.flush();
            self.lines = 0;
        }
    }

    fn show(&mut self, snap: &Snapshot) {
        let newly: Vec<&ItemView> = snap
            .items
            .iter()
            .filter(|i| i.phase == Phase::Done && !self.announced.contains(&i.key))
            .collect();
        if !self.on {
            return;
        }
        self.clear();
        for i in newly {
            self.announced.insert(i.key);
            if let Some(p) = &i.path {
                println!("{}", sanitize::line(&p.display().to_string(), 4096));
            }
        }
        let width = super::output::table_width().unwrap_or(100).clamp(40, 200);
        let mut block = String::new();
        for i in snap.items.iter().filter(|i| {
            matches!(
                i.phase,
                Phase::GettingLink | Phase::Downloading | Phase::Saving
            )
        }) {
            block.push_str(&item_line(i, width));
            block.push('\n');
        }
        let done = snap.count(Phase::Done);
        let failed = snap.count(Phase::Failed);
        let total = snap.total().map(human_size).unwrap_or_else(|| "?".into());
        block.push_str(&format!(
            "{done}/{} done{} · {} of {total} · {}/s",
            snap.items.len(),
            if failed > 0 {
                format!(" · {failed} failed")
            } else {
                String::new()
            },
            human_size(snap.bytes()),
            human_size(snap.speed() as u64),
        ));
        block.push('\n');
        self.lines = block.lines().count();
        let mut err = io::stderr().lock();
        let _ = err.write_all(block.as_bytes());
        let _ = err.flush();
    }
}

/// `name  [#####.....]  42%  12.0 MiB/28.5 MiB  4.1 MiB/s  ETA 4 s`
fn item_line(i: &ItemView, width: usize) -> String {
    let pct = match i.total {
        Some(t) if t > 0 => Some((i.bytes as f64 / t as f64).min(1.0)),
        _ => None,
    };
    let bar_w = 20;
    let filled = pct.map(|p| (p * bar_w as f64) as usize).unwrap_or(0);
    let bar = format!("[{}{}]", "#".repeat(filled), ".".repeat(bar_w - filled));
    let mut tail = match pct {
        Some(p) => format!(
            " {:>3.0}% {}/{} {}/s",
            p * 100.0,
            human_size(i.bytes),
            human_size(i.total.unwrap_or(0)),
            human_size(i.speed as u64)
        ),
        None => format!(" {}", i.phase.label()),
    };
    if let Some(eta) = i.eta {
        tail.push_str(&format!(" ETA {}", crate::text::short_duration(eta)));
    }
    if let Some(note) = &i.note {
        tail.push_str(&format!(" ({note})"));
    }
    let name_w = width.saturating_sub(bar.len() + 50).max(12);
    format!(
        "{} {bar}{}",
        crate::text::fit(&i.name, name_w),
        crate::text::fit(&tail, width.saturating_sub(name_w + bar.len() + 1))
    )
}

/// `--zip --extract`: the archive unpacked into `out` (no entry escaping
/// it, no links, bounded count and expansion), then removed.
async fn extract(path: &Path, out: &Path, json: bool, took: Duration) -> Result<(), CliError> {
    let (zip_path, dir) = (path.to_path_buf(), out.to_path_buf());
    let extracted =
        tokio::task::spawn_blocking(move || archive::extract(&zip_path, &dir, &Limits::default()))
            .await
            .map_err(|e| CliError::Failed(format!("extract: {e}")))?
            .map_err(|e| CliError::Failed(format!("{}: {e}", path.display())))?;
    let _ = std::fs::remove_file(path);
    if json {
        super::output::print_json(&json!({
            "files": extracted.files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "skipped": extracted.skipped.iter().map(|(n, why)| json!({"entry": n, "why": why})).collect::<Vec<_>>(),
        }))?;
    } else {
        for f in &extracted.files {
            println!("{}", sanitize::line(&f.display().to_string(), 4096));
        }
        for (n, why) in &extracted.skipped {
            eprintln!("assetui: skipped {n}: {why}");
        }
        eprintln!(
            "{} files unpacked from the archive in {:.1} s",
            extracted.files.len(),
            took.as_secs_f64()
        );
    }
    Ok(())
}
