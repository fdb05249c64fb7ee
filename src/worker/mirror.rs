//! `M`: a sync of the list's listing or search into a folder
//! (`crate::sync`, the engine `assetui sync` runs), on a task of its own
//! with the browser's download queue, so its files are items of the
//! transfers pane (pause, cancel, retry as any). Where it stands comes
//! back as [`Msg::Synced`], at most ten times a second (a pause at
//! once), and once at the end. The pane's keys on its line
//! pause, resume or cancel the whole sync ([`Mirrors::steer`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;

use crate::api::Client;
use crate::app::bulk::MirrorChoice;
use crate::app::Msg;
use crate::download::queue::Queue;
use crate::sanitize;
use crate::sync::{self, Options, Progress};
use crate::transfers::{SyncControl, SyncNews, SyncSource};

/// The syncs running, by folder: how the transfers pane's keys reach
/// them.
#[derive(Clone, Default)]
pub struct Mirrors {
    running: Arc<Mutex<HashMap<PathBuf, watch::Sender<SyncControl>>>>,
}

impl Mirrors {
    /// Asks the sync into `dir` to run, pause or end; nothing when none
    /// runs there.
    pub fn steer(&self, dir: &Path, control: SyncControl) {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        match running.get(dir) {
            Some(tx) => {
                let _ = tx.send(control);
            }
            None => tracing::debug!(dir = %dir.display(), "no sync runs there"),
        }
    }

    fn enter(&self, dir: &Path) -> watch::Receiver<SyncControl> {
        let (tx, rx) = watch::channel(SyncControl::Run);
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.insert(dir.to_path_buf(), tx);
        rx
    }

    /// The run that `rx` steered ended: its entry goes (not a later
    /// run's into the same folder).
    fn leave(&self, dir: &Path, rx: &watch::Receiver<SyncControl>) {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if running
            .get(dir)
            .is_some_and(|tx| rx.same_channel(&tx.subscribe()))
        {
            running.remove(dir);
        }
    }
}

/// Starts the sync of `source` into the chosen folder (`~` expanded,
/// created if missing) with the chosen options, steered through
/// `mirrors`; never waits for it.
pub fn start(
    mirrors: Mirrors,
    client: Client,
    queue: Queue,
    source: SyncSource,
    choice: MirrorChoice,
    template: String,
    tx: UnboundedSender<Msg>,
) {
    tokio::spawn(async move {
        let typed = crate::edits::expand_home(&choice.dir);
        let made = {
            let typed = typed.clone();
            tokio::task::spawn_blocking(move || {
                std::fs::create_dir_all(&typed)?;
                typed.canonicalize()
            })
            .await
        };
        let dir = match made {
            Ok(Ok(d)) if d.is_dir() => d,
            Ok(Ok(d)) => return end(&tx, d, "not a directory".into(), true),
            Ok(Err(e)) => return end(&tx, typed, format!("cannot use it: {e}"), true),
            Err(e) => return end(&tx, typed, e.to_string(), true),
        };
        let opts = Options {
            dir: dir.clone(),
            source,
            template,
            format: choice.format,
            sidecar: choice.sidecar,
            delete: choice.delete,
            dry_run: false,
        };
        // the pane's keys pause, resume or cancel it; quitting the
        // browser stops it: the queue keeps what runs in its journal and
        // the next `M` on the folder finishes it
        let mut control = mirrors.enter(&dir);
        let mut last = Instant::now() - Duration::from_secs(1);
        let mut shown_paused = false;
        let news = |text: String| {
            let _ = tx.send(Msg::Synced(SyncNews {
                dir: dir.clone(),
                text: sanitize::line(&text, 300),
                ended: None,
            }));
        };
        let outcome = sync::run(&client, &queue, &opts, &mut control, |p| {
            let Some(text) = p.line() else {
                return;
            };
            // progress ten times a second; a pause shows at once
            let paused = matches!(p, Progress::Paused { .. });
            if last.elapsed() >= Duration::from_millis(100) || (paused && !shown_paused) {
                shown_paused = paused;
                last = Instant::now();
                news(text);
            }
        })
        .await;
        mirrors.leave(&dir, &control);
        match outcome {
            Ok(summary) => {
                let mut text = summary.line();
                if let Some(e) = summary.errors.first() {
                    text = format!("{text}; {e}");
                }
                end(&tx, dir, text, summary.failed())
            }
            Err(why) => end(&tx, dir, why, true),
        }
    });
}

fn end(tx: &UnboundedSender<Msg>, dir: std::path::PathBuf, text: String, failed: bool) {
    let _ = tx.send(Msg::Synced(SyncNews {
        dir,
        text: sanitize::line(&text, 300),
        ended: Some(failed),
    }));
}
