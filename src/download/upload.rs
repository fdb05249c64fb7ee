//! The queue's uploads: a local file to a new asset, as items of the same
//! queue and the same [`Snapshot`](crate::transfers::Snapshot) as the
//! downloads, so the pane, its keys and the app treat both alike.
//!
//! Each running upload is a task that prepares the file
//! ([`uploads::prepare`]: what it is, which way it goes), then sends it
//! ([`uploads::send`]) from the item's [`Resume`]. Pausing drops the task:
//! parts in flight are dropped, the parts the service accepted stay in the
//! `Resume`, and resuming sends only the others, on links renewed from
//! `GET /uploads/{id}`. Cancelling drops it the same way and forgets the
//! upload (the API has no action to abort one: its documented `action` is
//! `complete` only). A retry starts again with a new upload. An import in
//! progress (after `complete`) is not paused or cancelled: the service
//! goes on with it whatever the client does. Uploads are not journaled:
//! they end with the process.
//!
//! On TwelveLabs the task goes through [`upload_twelvelabs`]: a large
//! video or sound in chunks, whose `tl::upload::Resume` the item keeps the
//! same way (pausing drops the task; resuming sends only the chunks the
//! service did not take), a small file in one request (cancelled, not
//! paused). The new asset is `processing` at once: there is no import
//! phase to wait through.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, watch};

use super::queue::{sample, until_stopped, Config, Report};
use super::transfer::Signal;
use super::upload_twelvelabs::{self as tl_upload, Records};
use crate::api::uploads::{self, FileUpload, OnProgress, Resume, UploadProgress};
use crate::api::ApiError;
use crate::provider::Service;
use crate::sanitize;
use crate::transfers::{Direction, ItemView, Phase};

/// Uploads running at once (the service takes two request bodies at a
/// time from one client; each upload sends its own parts in parallel).
pub const UPLOAD_JOBS: usize = 2;

/// What an upload's task tells the actor.
pub(super) enum UploadReport {
    /// The file was read: its size, and whether it goes in one request.
    Prepared {
        total: u64,
        single: bool,
        parts: u64,
    },
    /// Bytes the service has, and how many parts it accepted.
    Sent {
        bytes: u64,
        parts_done: usize,
    },
    /// The import's status after `complete` (`validating`, …).
    Status(String),
    Finished(Result<(String, String), Stopped>),
}

/// Why an upload's task ended without an asset.
pub(super) enum Stopped {
    Paused,
    Cancelled,
    Failed(String),
}

struct Upload {
    view: ItemView,
    file: PathBuf,
    resume: Arc<Resume>,
    /// What a TwelveLabs multipart upload has sent.
    tl_resume: Arc<assetui_twelvelabs::upload::Resume>,
    /// Parts in all (0 until prepared, or for a single request).
    parts: u64,
    signal: Option<watch::Sender<Signal>>,
    samples: Vec<(Instant, u64)>,
}

/// Every upload of the queue, by the queue's keys.
#[derive(Default)]
pub(super) struct Uploads {
    items: BTreeMap<u64, Upload>,
}

impl Uploads {
    pub fn add(&mut self, key: u64, file: PathBuf) {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.display().to_string());
        let view = ItemView {
            key,
            direction: Direction::Upload { single: false },
            asset_id: String::new(),
            format: None,
            name: sanitize::line(&name, 200),
            phase: Phase::Queued,
            bytes: 0,
            total: None,
            speed: 0.0,
            eta: None,
            path: Some(file.clone()),
            error: None,
            note: None,
            fetched: 0,
            assets: Vec::new(),
        };
        self.items.insert(
            key,
            Upload {
                view,
                file,
                resume: Arc::default(),
                tl_resume: Arc::default(),
                parts: 0,
                signal: None,
                samples: Vec::new(),
            },
        );
    }

    pub fn views(&self) -> impl Iterator<Item = &ItemView> {
        self.items.values().map(|u| &u.view)
    }

    pub fn running(&self) -> usize {
        self.items.values().filter(|u| u.signal.is_some()).count()
    }

    pub fn idle(&self) -> bool {
        self.items.values().all(|u| u.view.phase.settled())
    }

    /// The keys `key` names among the uploads (`None`: all of them).
    fn keys(&self, key: Option<u64>) -> Vec<u64> {
        match key {
            Some(k) if self.items.contains_key(&k) => vec![k],
            Some(_) => Vec::new(),
            None => self.items.keys().copied().collect(),
        }
    }

    /// Asks every running upload to stop where it is (the queue closes).
    pub fn pause_running(&self) {
        for u in self.items.values() {
            if let Some(s) = &u.signal {
                let _ = s.send(Signal::Pause);
            }
        }
    }

    /// Stops sending parts; one request (a small image) cannot pause.
    pub fn pause(&mut self, key: Option<u64>) {
        for k in self.keys(key) {
            let Some(u) = self.items.get_mut(&k) else {
                continue;
            };
            let single = u.view.direction == Direction::Upload { single: true };
            match (&u.signal, u.view.phase) {
                (_, Phase::Importing) => {}
                (Some(_), _) if single => {}
                (Some(s), _) => {
                    let _ = s.send(Signal::Pause);
                }
                (None, Phase::Queued) => u.view.phase = Phase::Paused,
                _ => {}
            }
        }
    }

    pub fn resume(&mut self, key: Option<u64>) {
        for k in self.keys(key) {
            if let Some(u) = self.items.get_mut(&k) {
                if u.view.phase == Phase::Paused && u.signal.is_none() {
                    u.view.phase = Phase::Queued;
                }
            }
        }
    }

    /// Stops it and forgets the service's upload; an import already under
    /// way goes on (nothing can stop it).
    pub fn cancel(&mut self, key: Option<u64>) {
        for k in self.keys(key) {
            let Some(u) = self.items.get_mut(&k) else {
                continue;
            };
            match (&u.signal, u.view.phase) {
                (_, Phase::Importing | Phase::Done | Phase::Cancelled) => {}
                (Some(s), _) => {
                    let _ = s.send(Signal::Cancel);
                }
                (None, _) => {
                    u.view.phase = Phase::Cancelled;
                    u.view.speed = 0.0;
                    u.view.eta = None;
                }
            }
        }
    }

    /// A failed or cancelled upload starts again, with a new upload.
    pub fn retry(&mut self, key: Option<u64>) {
        for k in self.keys(key) {
            if let Some(u) = self.items.get_mut(&k) {
                if matches!(u.view.phase, Phase::Failed | Phase::Cancelled) && u.signal.is_none() {
                    u.resume = Arc::default();
                    u.tl_resume = Arc::default();
                    u.view.phase = Phase::Queued;
                    u.view.error = None;
                    u.view.note = None;
                    u.view.bytes = 0;
                    u.view.asset_id.clear();
                }
            }
        }
    }

    /// Starts queued uploads while there is room.
    pub fn schedule(
        &mut self,
        service: &Service,
        config: &Config,
        reports: &mpsc::UnboundedSender<(u64, Report)>,
    ) {
        let room = UPLOAD_JOBS.saturating_sub(self.running());
        let ready: Vec<u64> = self
            .items
            .iter()
            .filter(|(_, u)| u.view.phase == Phase::Queued && u.signal.is_none())
            .map(|(k, _)| *k)
            .take(room)
            .collect();
        for key in ready {
            let Some(u) = self.items.get_mut(&key) else {
                continue;
            };
            let (sig_tx, sig_rx) = watch::channel(Signal::Run);
            u.signal = Some(sig_tx);
            u.view.phase = Phase::Sending;
            u.view.note = None;
            u.samples.clear();
            let task = Task {
                key,
                service: service.clone(),
                file: u.file.clone(),
                part_size: config.upload_part_size,
                parts_at_once: config.upload_parts_at_once,
                resume: u.resume.clone(),
                tl_resume: u.tl_resume.clone(),
                records_dir: config.journal_dir.clone(),
                reports: reports.clone(),
            };
            tokio::spawn(task.run(sig_rx));
        }
    }

    pub fn report(&mut self, key: u64, report: UploadReport) {
        let Some(u) = self.items.get_mut(&key) else {
            return;
        };
        match report {
            UploadReport::Prepared {
                total,
                single,
                parts,
            } => {
                u.view.direction = Direction::Upload { single };
                u.view.total = Some(total);
                u.parts = parts;
                let bytes = u.resume.bytes_done().max(u.tl_resume.bytes_done(total));
                u.view.bytes = bytes;
                u.samples.clear();
                sample(&mut u.view, &mut u.samples, bytes);
            }
            UploadReport::Sent { bytes, parts_done } => {
                if u.view.phase != Phase::Sending {
                    return;
                }
                u.view.fetched += bytes.saturating_sub(u.view.bytes);
                u.view.bytes = bytes;
                if u.parts > 1 {
                    u.view.note = Some(format!("{parts_done} of {} parts", u.parts));
                }
                sample(&mut u.view, &mut u.samples, bytes);
            }
            UploadReport::Status(status) => {
                u.view.phase = Phase::Importing;
                if let Some(t) = u.view.total {
                    u.view.bytes = t;
                }
                u.view.speed = 0.0;
                u.view.eta = None;
                u.view.note = Some(format!("server: {}", sanitize::line(&status, 40)));
            }
            UploadReport::Finished(result) => {
                u.signal = None;
                u.view.speed = 0.0;
                u.view.eta = None;
                match result {
                    Ok((id, name)) => {
                        u.view.phase = Phase::Done;
                        u.view.asset_id = sanitize::line(&id, 200);
                        u.view.note = Some(sanitize::line(&name, 200));
                        if let Some(t) = u.view.total {
                            u.view.bytes = t;
                        }
                    }
                    Err(Stopped::Paused) => {
                        u.view.phase = Phase::Paused;
                        u.view.bytes = u.resume.bytes_done();
                    }
                    Err(Stopped::Cancelled) => {
                        u.view.phase = Phase::Cancelled;
                        u.view.note = None;
                        u.resume = Arc::default();
                        // the task forgot its session: not continued later
                        u.tl_resume = Arc::default();
                    }
                    Err(Stopped::Failed(why)) => {
                        u.view.phase = Phase::Failed;
                        u.view.note = None;
                        u.view.error = Some(sanitize::line(&why, 600));
                    }
                }
            }
        }
    }
}

/// One upload's work, on a task of its own.
struct Task {
    key: u64,
    service: Service,
    file: PathBuf,
    part_size: u64,
    parts_at_once: usize,
    resume: Arc<Resume>,
    tl_resume: Arc<assetui_twelvelabs::upload::Resume>,
    /// Where TwelveLabs sessions are recorded (the queue's journal
    /// directory; none: not recorded).
    records_dir: Option<PathBuf>,
    reports: mpsc::UnboundedSender<(u64, Report)>,
}

impl Task {
    async fn run(self, mut signal: watch::Receiver<Signal>) {
        let result = tokio::select! {
            r = self.work() => r,
            _ = until_stopped(&mut signal) => Err(match *signal.borrow() {
                Signal::Cancel => Stopped::Cancelled,
                _ => Stopped::Paused,
            }),
        };
        if matches!(result, Err(Stopped::Cancelled)) {
            // a cancelled session is not continued later
            if let Some(session) = self.tl_resume.session() {
                Records::in_dir(self.records_dir.as_deref()).forget(&session.upload_id);
            }
        }
        self.send(UploadReport::Finished(result));
    }

    fn send(&self, report: UploadReport) {
        let _ = self.reports.send((self.key, Report::Upload(report)));
    }

    async fn work(&self) -> Result<(String, String), Stopped> {
        let client = match &self.service {
            Service::Scenario(c) => c,
            Service::TwelveLabs(c) => return self.work_twelvelabs(c).await,
        };
        let mut job = FileUpload::new(&self.file);
        job.part_size = self.part_size;
        job.concurrency = self.parts_at_once;
        let prepared = uploads::prepare(&job).await.map_err(failure)?;
        let parts = if prepared.direct {
            1
        } else {
            uploads::part_layout(prepared.len, job.part_size).0
        };
        self.send(UploadReport::Prepared {
            total: prepared.len,
            single: prepared.direct,
            parts,
        });
        let (reports, key, resume) = (self.reports.clone(), self.key, self.resume.clone());
        let progress: OnProgress = Arc::new(move |p| {
            let report = match p {
                UploadProgress::Sent { sent, .. } => UploadReport::Sent {
                    bytes: sent,
                    parts_done: resume.parts_done(),
                },
                UploadProgress::Status(s) => UploadReport::Status(s),
            };
            let _ = reports.send((key, Report::Upload(report)));
        });
        let asset = uploads::send(client, &job, &prepared, &self.resume, progress)
            .await
            .map_err(failure)?;
        let name = asset.name().unwrap_or(&asset.id).to_string();
        Ok((asset.id, name))
    }

    /// The same on TwelveLabs: the way the file goes is known before a
    /// byte is sent; the chunk count once the session says its size.
    async fn work_twelvelabs(
        &self,
        client: &assetui_twelvelabs::Client,
    ) -> Result<(String, String), Stopped> {
        let plan = client
            .plan_local(&self.file)
            .map_err(|e| Stopped::Failed(e.to_string()))?;
        let single = plan.way == assetui_twelvelabs::upload::Way::Direct;
        self.send(UploadReport::Prepared {
            total: plan.len,
            single,
            parts: u64::from(!single),
        });
        let counted = std::sync::atomic::AtomicBool::new(false);
        let progress = |event: tl_upload::Event| {
            let tl_upload::Event::Sent(p) = event else {
                return;
            };
            if !counted.swap(true, std::sync::atomic::Ordering::Relaxed) {
                self.send(UploadReport::Prepared {
                    total: p.total_bytes,
                    single: false,
                    parts: p.total_chunks,
                });
            }
            self.send(UploadReport::Sent {
                bytes: p.bytes_done,
                parts_done: p.chunks_done as usize,
            });
        };
        let asset = tl_upload::upload_local(
            client,
            &self.file,
            None,
            &Records::in_dir(self.records_dir.as_deref()),
            &self.tl_resume,
            &progress,
        )
        .await
        .map_err(Stopped::Failed)?;
        let id = asset.id().unwrap_or_default().to_string();
        let name = asset.filename.clone().unwrap_or_else(|| id.clone());
        Ok((id, name))
    }
}

/// An upload's failure for the pane: the service's own `errorMessage`
/// for a failed import, the error's line otherwise.
fn failure(e: ApiError) -> Stopped {
    Stopped::Failed(match e {
        ApiError::UploadFailed { message, .. } => {
            format!("the service did not import it: {message}")
        }
        e => e.to_string(),
    })
}
