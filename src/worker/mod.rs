//! Workers: they receive [`Cmd`]s, do the I/O, and answer with [`Msg`]s on
//! one channel. They hold no reference into the state and never touch the
//! terminal.

pub(crate) mod api;
pub mod images;
mod mirror;
mod tree;
mod twelvelabs;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::downloads::DlCmd;
use crate::app::{Cmd, Msg};
use crate::download::queue::Queue;
use api::ApiWorker;
use images::ImagePipeline;

/// The image pipeline answers on a channel of its own: this one forwards
/// its answers into the loop's as [`Msg::Image`].
pub fn images_into(tx: UnboundedSender<Msg>) -> UnboundedSender<images::ImageDone> {
    let (itx, mut irx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(done) = irx.recv().await {
            if tx.send(Msg::Image(done)).is_err() {
                break;
            }
        }
    });
    itx
}

/// What the event loop must do itself after a command.
#[derive(Debug, PartialEq, Eq)]
pub enum Control {
    Continue,
    /// For the UI task: it owns the terminal (OSC 52) and the clipboard.
    Copy {
        what: &'static str,
        text: String,
        route: Option<crate::clipboard::Route>,
    },
    Suspend,
    Quit,
}

pub struct Workers {
    pub api: ApiWorker,
    pub images: Option<ImagePipeline>,
    /// The download queue (`None` when it could not start).
    pub downloads: Option<Queue>,
    /// Where settings changed at run time are written (`v`'s density);
    /// `None`: they are not kept.
    pub config_path: Option<std::path::PathBuf>,
    /// File names of a sync started with `M` (the `[downloads]` name of
    /// the config, else the queue's default).
    pub sync_template: String,
    /// Settings writes, one at a time, and the number of the latest: an
    /// older one that finds a newer one asked for leaves it the file.
    settings: std::sync::Arc<(std::sync::Mutex<()>, std::sync::atomic::AtomicU64)>,
    /// The family tree pane's requests.
    tree: tree::TreeWorker,
    /// The syncs `M` started, steered by the transfers pane.
    mirrors: mirror::Mirrors,
    tx: UnboundedSender<Msg>,
}

impl Workers {
    pub fn new(api: ApiWorker, images: Option<ImagePipeline>, tx: UnboundedSender<Msg>) -> Workers {
        Workers {
            tree: tree::TreeWorker::new(api.service(), tx.clone()),
            api,
            images,
            downloads: None,
            config_path: None,
            sync_template: crate::download::queue::DEFAULT_TEMPLATE.to_string(),
            settings: Default::default(),
            mirrors: Default::default(),
            tx,
        }
    }

    /// Attaches a download queue: its snapshots become [`Msg::Downloads`].
    pub fn attach_downloads(&mut self, queue: Queue) {
        let mut rx = queue.subscribe();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            loop {
                let snap = std::sync::Arc::new(rx.borrow_and_update().clone());
                if tx.send(Msg::Downloads(snap)).is_err() || rx.changed().await.is_err() {
                    break;
                }
            }
        });
        self.downloads = Some(queue);
    }

    /// Starts the work a command asks for; never waits for it.
    pub fn dispatch(&mut self, cmd: Cmd) -> Control {
        match cmd {
            Cmd::LoadPage { generation, spec } => self.api.load_page(generation, spec),
            Cmd::Refresh { generation, next } => self.api.refresh(generation, next),
            Cmd::LoadAsset { purpose, id } => self.api.load_asset(purpose, id),
            Cmd::LoadCollections => self.api.load_collections(),
            Cmd::LoadIndexes => self.api.load_indexes(),
            Cmd::LoadMediaExtras { generation, id } => self.api.load_extras(generation, id),
            Cmd::Search { generation, spec } => self.api.search(generation, spec),
            Cmd::ReadImage { path, explicit } => self.api.read_image(path, explicit),
            Cmd::CompletePath { input } => self.api.complete_path(input),
            Cmd::WantImages(requests) => {
                if let Some(p) = &self.images {
                    p.want(requests);
                }
            }
            Cmd::After(delay, msg) => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let _ = tx.send(*msg);
                });
            }
            Cmd::Copy { what, text, route } => return Control::Copy { what, text, route },
            Cmd::LoadTags => self.api.load_tags(),
            Cmd::Tag(change) => self.api.tag(change),
            Cmd::Delete { ids, force } => self.api.delete(ids, force),
            Cmd::Collect {
                collection,
                name,
                ids,
            } => self.api.collect(collection, name, ids),
            // a file through the transfers queue, where it shows in the
            // pane; a link (TwelveLabs fetches it), or without a queue,
            // the status line tells progress
            Cmd::Upload { path } => match &self.downloads {
                Some(q) if !crate::edits::is_link(&path) => {
                    q.upload(crate::edits::expand_home(&path))
                }
                _ => self.api.upload(path),
            },
            Cmd::Downloads(DlCmd::Open(path)) => open_path(path, self.tx.clone()),
            Cmd::Mirror { source, choice } => match (self.api.scenario(), &self.downloads) {
                (Some(client), Some(q)) => mirror::start(
                    self.mirrors.clone(),
                    client,
                    q.clone(),
                    *source,
                    choice,
                    self.sync_template.clone(),
                    self.tx.clone(),
                ),
                _ => tracing::warn!("no download queue: nothing to mirror with"),
            },
            Cmd::SteerSync { dir, control } => self.mirrors.steer(&dir, control),
            Cmd::Downloads(c) => match &self.downloads {
                Some(q) => match c {
                    DlCmd::Add(r) => q.add(r),
                    DlCmd::Zip(ids) => q.add_archive(ids),
                    DlCmd::Pause(k) => q.pause(k),
                    DlCmd::Resume(k) => q.resume(k),
                    DlCmd::Cancel(k) => q.cancel(k),
                    DlCmd::Retry(k) => q.retry(k),
                    DlCmd::Open(_) => {}
                },
                None => tracing::warn!(?c, "no download queue"),
            },
            Cmd::Play { url, start } => play(url, start, self.tx.clone()),
            Cmd::Tree { generation, cmd } => self.tree.dispatch(generation, cmd),
            Cmd::Suspend => return Control::Suspend,
            Cmd::Quit => return Control::Quit,
            Cmd::SaveSetting { key, value } => self.save_setting(key, value),
            Cmd::Uncollect {
                collection,
                name,
                ids,
            } => self.api.uncollect(collection, name, ids),
        }
        Control::Continue
    }
}

/// The system's opener: `open` on macOS, `xdg-open` elsewhere.
const OPENER: &str = if cfg!(target_os = "macos") {
    "open"
} else {
    "xdg-open"
};

impl Workers {
    /// Writes one setting into the config file on a blocking thread; the
    /// answer names the file or says why not. Without a config file
    /// location nothing is written (and nothing said).
    fn save_setting(&self, key: &'static str, value: String) {
        let Some(path) = self.config_path.clone() else {
            tracing::debug!(key, "no config file location: setting not kept");
            return;
        };
        use std::sync::atomic::Ordering;
        let tx = self.tx.clone();
        let settings = self.settings.clone();
        let seq = settings.1.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::spawn(async move {
            let shown = path.display().to_string();
            let written = value.clone();
            let done = tokio::task::spawn_blocking(move || {
                let _one_at_a_time = settings.0.lock();
                if settings.1.load(Ordering::SeqCst) != seq {
                    return None; // a newer value follows: it writes
                }
                Some(crate::config::save_setting(&path, key, &written))
            })
            .await;
            let result = match done {
                Ok(None) => return,
                Ok(Some(r)) => r.map(|()| shown).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            let _ = tx.send(Msg::SettingSaved { key, value, result });
        });
    }
}

/// Plays a stream with `mpv` (from `start` seconds) when it is installed,
/// else hands the link to the system's opener; its outcome comes back as
/// [`Msg::Opened`].
fn play(url: String, start: Option<f64>, tx: UnboundedSender<Msg>) {
    let mpv = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join("mpv").is_file()));
    let mut cmd = tokio::process::Command::new(if mpv { "mpv" } else { OPENER });
    if mpv {
        if let Some(s) = start.filter(|s| *s > 0.0) {
            cmd.arg(format!("--start={s:.1}"));
        }
        cmd.arg("--");
    }
    cmd.arg(&url);
    // the link is signed: the message names the stream, not the link
    let hint = if mpv {
        ""
    } else {
        " (install mpv to play streams)"
    };
    run_detached(cmd, "the stream".into(), hint, tx);
}

/// Opens a file with the system's opener; its outcome comes back as
/// [`Msg::Opened`].
fn open_path(path: std::path::PathBuf, tx: UnboundedSender<Msg>) {
    let mut cmd = tokio::process::Command::new(OPENER);
    cmd.arg(&path);
    run_detached(cmd, path.display().to_string(), "", tx);
}

/// Starts `cmd` detached from the terminal (its output would draw over
/// the browser) and reports how it ended as [`Msg::Opened`] about
/// `shown`; `hint` follows a failure to start.
fn run_detached(
    mut cmd: tokio::process::Command,
    shown: String,
    hint: &'static str,
    tx: UnboundedSender<Msg>,
) {
    let program = cmd.as_std().get_program().to_string_lossy().into_owned();
    let spawned = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            tokio::spawn(async move {
                let result = match child.wait().await {
                    Ok(status) if status.success() => Ok(()),
                    Ok(status) => Err(format!("{program} failed ({status})")),
                    Err(e) => Err(format!("{program}: {e}")),
                };
                let _ = tx.send(Msg::Opened {
                    path: shown,
                    result,
                });
            });
        }
        Err(e) => {
            let why = if e.kind() == std::io::ErrorKind::NotFound {
                format!("{program} is not installed{hint}")
            } else {
                format!("{program} could not start: {e}{hint}")
            };
            let _ = tx.send(Msg::Opened {
                path: shown,
                result: Err(why),
            });
        }
    }
}
