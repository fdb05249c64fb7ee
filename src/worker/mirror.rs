//! `M`: a sync of the list's listing or search into a folder
//! (`crate::sync`, the engine `assetui sync` runs), on a task of its own
//! with the browser's download queue, so its files are items of the
//! transfers pane (pause, cancel, retry as any). Where it stands comes
//! back as [`Msg::Synced`], at most ten times a second, and once at the
//! end.

use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use crate::api::Client;
use crate::app::Msg;
use crate::download::queue::Queue;
use crate::sanitize;
use crate::sync::{self, Options, Progress};
use crate::transfers::{SyncNews, SyncSource};

/// Starts the sync of `source` into `dir` (`~` expanded, created if
/// missing); never waits for it.
pub fn start(
    client: Client,
    queue: Queue,
    dir: String,
    source: SyncSource,
    template: String,
    tx: UnboundedSender<Msg>,
) {
    tokio::spawn(async move {
        let typed = crate::edits::expand_home(&dir);
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
            format: None,
            sidecar: false,
            delete: false,
            dry_run: false,
        };
        // the browser stops it by quitting: the queue keeps what runs in
        // its journal and the next `M` on the folder finishes it
        let (_keep, mut stop) = tokio::sync::watch::channel(false);
        let mut last = Instant::now() - Duration::from_secs(1);
        let news = |text: String| {
            let _ = tx.send(Msg::Synced(SyncNews {
                dir: dir.clone(),
                text: sanitize::line(&text, 300),
                ended: None,
            }));
        };
        let outcome = sync::run(&client, &queue, &opts, &mut stop, |p| {
            let text = match p {
                Progress::Listing(n) => format!("listing… {n} assets"),
                Progress::Fetching { done, total } => format!("fetching {done}/{total}"),
                Progress::File(_) => return,
            };
            if last.elapsed() >= Duration::from_millis(100) {
                last = Instant::now();
                news(text);
            }
        })
        .await;
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
