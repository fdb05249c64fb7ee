//! `assetui sync DIR`: the sync engine (`crate::sync`) from the command
//! line, once or every `--watch` seconds, with a progress line on a
//! terminal, each file's outcome, a summary, and exit 1 when anything
//! failed.

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::args::SyncArgs;
use super::context::Context;
use super::CliError;
use crate::api::params::SearchRequest;
use crate::download::queue::{Config, Queue, DEFAULT_TEMPLATE};
use crate::sanitize;
use crate::sync::{self, Action, Options, Progress, Source, Summary};

pub async fn run(ctx: &Context, a: SyncArgs) -> Result<(), CliError> {
    let settings = super::download::settings()?;
    let source = match a.search.clone() {
        Some(query) => {
            let request = SearchRequest {
                query: Some(query).filter(|q| !q.is_empty()),
                filter: a.filter.clone(),
                hits_per_page: Some(100),
                ..SearchRequest::default()
            };
            request.validate().map_err(CliError::Usage)?;
            Source::Search(request)
        }
        None => {
            let mut query = super::read::list_query(a.filters.clone());
            query.page_size = Some(100);
            query.apply_sort_rule().map_err(CliError::Usage)?;
            Source::List(query)
        }
    };
    let dir = if a.dry_run {
        existing_dir(&a.dir)?
    } else {
        super::download::prepare_out(&a.dir)?
    };
    let opts = Options {
        dir: dir.clone(),
        source,
        template: a
            .template
            .clone()
            .or(settings.name.clone())
            .unwrap_or_else(|| DEFAULT_TEMPLATE.to_string()),
        format: a.format.clone(),
        sidecar: a.sidecar,
        delete: a.delete,
        dry_run: a.dry_run,
    };
    let mut config = Config::new(dir.clone());
    config.jobs = super::download::jobs(a.jobs, &settings);
    config.journal_dir = if a.dry_run {
        None
    } else {
        crate::download::journal::default_dir()
    };
    let client = ctx.scenario("sync")?.clone();
    let queue = Queue::start(client.clone(), config, false)
        .map_err(|e| CliError::Failed(format!("download journal: {e}")))?;
    let (stop_tx, mut stop) = watch::channel(sync::Control::Run);
    tokio::spawn(until_signal(stop_tx));
    let last = loop {
        let started = Instant::now();
        let mut line = Line::new(!a.json && io::stderr().is_terminal());
        let outcome = sync::run(&client, &queue, &opts, &mut stop, |p| line.show(&p)).await;
        line.clear();
        let last = match outcome {
            Ok(summary) => report(&summary, a.json, started.elapsed()),
            Err(why) => Err(CliError::Failed(why)),
        };
        let Some(every) = a.watch else {
            break last;
        };
        if stop.borrow().ends() {
            break last;
        }
        if let Err(e) = &last {
            eprintln!(
                "assetui: error: {}",
                super::output::error_line(&e.to_string())
            );
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(every)) => {}
            _ = stop.wait_for(|c| c.ends()) => break last,
        }
    };
    queue.close().await;
    last
}

/// A dry run writes nothing, not even the folder: a missing one is empty.
fn existing_dir(dir: &Path) -> Result<std::path::PathBuf, CliError> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => dir
            .canonicalize()
            .map_err(|e| CliError::Failed(format!("{}: {e}", dir.display()))),
        Ok(_) => Err(CliError::Usage(format!(
            "{} is not a directory",
            dir.display()
        ))),
        Err(_) => Ok(dir.to_path_buf()),
    }
}

/// Ctrl-C or SIGTERM: the run pauses what it fetches and ends (the state
/// holds every file that was finished; the next run does the rest).
async fn until_signal(stop: watch::Sender<sync::Control>) {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
    let _ = stop.send(sync::Control::Stop);
}

/// Each file's outcome (stdout: `new PATH`…; failures on stderr), then
/// the summary; `--json`: one object per run.
fn report(s: &Summary, json: bool, took: Duration) -> Result<(), CliError> {
    if json {
        let mut out = io::stdout().lock();
        crate::api::models::json::to_writer(&mut out, s)
            .map_err(|e| CliError::Failed(format!("cannot write the output: {e}")))?;
        out.write_all(b"\n")?;
        out.flush()?;
    } else {
        let mut out = io::stdout().lock();
        for f in &s.files {
            let path = f.path.as_deref().map(|p| sanitize::line(p, 4096));
            match f.action {
                Action::Failed => eprintln!(
                    "assetui: error: {}: {}",
                    sanitize::line(&f.id, 80),
                    f.note.as_deref().unwrap_or("failed")
                ),
                action => {
                    let label = label(action, s.dry_run);
                    let mut line = format!("{label:<8} {}", path.unwrap_or_default());
                    if let Some(note) = &f.note {
                        line.push_str(&format!("  ({})", sanitize::line(note, 300)));
                    }
                    writeln!(out, "{line}")?;
                }
            }
        }
        out.flush()?;
        for e in &s.errors {
            eprintln!("assetui: error: {e}");
        }
        eprintln!("{} in {:.1} s", s.line(), took.as_secs_f64());
    }
    if s.failed() {
        return Err(CliError::Failed(if s.paused > 0 {
            "sync stopped before its end: run it again to finish".to_string()
        } else {
            format!(
                "{} of the files failed{}",
                s.failed,
                if s.errors.is_empty() {
                    ""
                } else {
                    " (and the listing did not finish: nothing was removed)"
                }
            )
        }));
    }
    Ok(())
}

fn label(action: Action, dry_run: bool) -> &'static str {
    match (action, dry_run) {
        (Action::New, false) => "new",
        (Action::New, true) => "would get",
        (Action::Updated, false) => "updated",
        (Action::Updated, true) => "would update",
        (Action::Removed, false) => "removed",
        (Action::Removed, true) => "would remove",
        (Action::Kept, _) => "kept",
        (Action::Failed, _) => "failed",
    }
}

/// One line on stderr, redrawn in place: listing, then fetching.
struct Line {
    on: bool,
    shown: bool,
    last: Option<Instant>,
}

impl Line {
    fn new(on: bool) -> Line {
        Line {
            on,
            shown: false,
            last: None,
        }
    }

    fn show(&mut self, p: &Progress) {
        if !self.on {
            return;
        }
        let Some(text) = p.line() else {
            return;
        };
        // at most ten redraws a second
        if self
            .last
            .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(Instant::now());
        let mut err = io::stderr().lock();
        let _ = write!(err, "\r\x1b[K{text}");
        let _ = err.flush();
        self.shown = true;
    }

    fn clear(&mut self) {
        if self.shown {
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
            self.shown = false;
        }
    }
}
