//! The image pipeline: thumbnails and previews, from a signed link to an
//! encoded terminal image.
//!
//! One actor task owns the wish list. For each wanted image: the on-disk
//! cache (by asset, variant, cache tag and link path — never the signed
//! query), else an HTTP fetch; then decode, resize and encode on a blocking
//! thread ([`render_image`]); then one [`ImageDone`] on the output channel.
//! A new wish list cancels (aborts) the work for keys it no longer holds;
//! results for cancelled keys are never sent.

mod decode;
mod disk_cache;
mod fetch;
mod sixel;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use crate::app::images::Drawable;
use crate::graphics::Drawer;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

use crate::api::imaging::LIMITS;
use tokio::task::{AbortHandle, JoinError, JoinSet};

pub use decode::{decode_image, render_cost, render_drawable, render_image};
pub use disk_cache::{size_on_disk, DiskCache};
pub use fetch::{fetch_rendition, MAX_BODY_BYTES};
// the app owns what it asks and what it is answered; the pipeline adapts
pub use crate::app::images::{ImageDone, ImageError, ImageKey, ImageRequest, Variant};

/// Handle to the pipeline actor; cheap to clone. The actor stops (and
/// aborts its work) when the last handle is dropped or the output channel
/// closes.
#[derive(Clone)]
pub struct ImagePipeline {
    tx: mpsc::UnboundedSender<Vec<ImageRequest>>,
}

impl ImagePipeline {
    /// Starts the actor. Must be called inside a tokio runtime.
    ///
    /// `http` should have a connect timeout and a per-read timeout (a stall
    /// is caught by the read timeout; there is no whole-request deadline).
    /// At most `concurrency` images are fetched at once (at least 1), and at
    /// most `min(concurrency, CPUs)` decode at once, and decoded pictures
    /// never hold more than [`LIMITS`]`.render_in_flight_bytes` at once
    /// (each image waits for its cost, read from its header, before it
    /// decodes).
    pub fn spawn(
        http: reqwest::Client,
        picker: impl Into<Drawer>,
        disk: Option<DiskCache>,
        concurrency: usize,
        out: mpsc::UnboundedSender<ImageDone>,
    ) -> ImagePipeline {
        let (tx, rx) = mpsc::unbounded_channel();
        let concurrency = concurrency.max(1);
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        let ctx = Arc::new(JobContext {
            http,
            picker: Arc::new(picker.into()),
            disk,
            cpu: Arc::new(Semaphore::new(concurrency.min(cpus))),
            memory: Arc::new(MemoryBudget::new(LIMITS.render_in_flight_bytes)),
        });
        let actor = Actor {
            ctx,
            concurrency,
            out,
            queue: VecDeque::new(),
            running: HashMap::new(),
            tasks: JoinSet::new(),
        };
        tokio::spawn(actor.run(rx));
        ImagePipeline { tx }
    }

    /// The full set of images wanted now, most urgent first. Work for keys
    /// not in the list is cancelled (its result is never sent); keys already
    /// in flight keep going; new ones are queued. Replaces the previous wish
    /// list. Never blocks.
    pub fn want(&self, requests: Vec<ImageRequest>) {
        let _ = self.tx.send(requests);
    }
}

struct JobContext {
    http: reqwest::Client,
    picker: Arc<Drawer>,
    disk: Option<DiskCache>,
    /// Bounds the blocking decode work, including that of cancelled tasks
    /// (a blocking closure runs to its end even when its task is aborted).
    cpu: Arc<Semaphore>,
    /// Bounds the decoded bytes in memory across decode slots, as `cpu`
    /// bounds the threads (held by cancelled work too).
    memory: Arc<MemoryBudget>,
}

/// A byte budget for decoded pictures, in KiB permits. Fair: a large
/// picture waiting at the head is not overtaken by smaller ones behind it.
struct MemoryBudget {
    permits: Arc<Semaphore>,
    kib: u32,
}

impl MemoryBudget {
    fn new(bytes: u64) -> MemoryBudget {
        let kib = u32::try_from(bytes / 1024).unwrap_or(u32::MAX).max(1);
        MemoryBudget {
            permits: Arc::new(Semaphore::new(kib as usize)),
            kib,
        }
    }

    /// Waits until `bytes` of the budget are free and holds them until the
    /// permit is dropped. A cost over the whole budget takes all of it, so
    /// it waits until nothing else decodes and then runs alone.
    async fn acquire(&self, bytes: u64) -> Result<OwnedSemaphorePermit, ImageError> {
        let kib = u32::try_from(bytes.div_ceil(1024))
            .unwrap_or(u32::MAX)
            .clamp(1, self.kib);
        self.permits
            .clone()
            .acquire_many_owned(kib)
            .await
            .map_err(|_| ImageError::Decode("the image pipeline stopped".into()))
    }
}

type Outcome = (ImageKey, Result<Drawable, ImageError>);

struct Actor {
    ctx: Arc<JobContext>,
    concurrency: usize,
    out: mpsc::UnboundedSender<ImageDone>,
    /// Wanted, not started, most urgent first.
    queue: VecDeque<ImageRequest>,
    /// Started and still wanted. A task whose key is not here (or is here
    /// with another task) was cancelled: its outcome is dropped.
    running: HashMap<ImageKey, AbortHandle>,
    tasks: JoinSet<Outcome>,
}

impl Actor {
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Vec<ImageRequest>>) {
        loop {
            tokio::select! {
                wish = rx.recv() => {
                    let Some(mut list) = wish else { break };
                    // only the newest of several pending lists matters
                    while let Ok(newer) = rx.try_recv() {
                        list = newer;
                    }
                    self.replace(list);
                }
                Some(joined) = self.tasks.join_next_with_id(), if !self.tasks.is_empty() => {
                    if !self.finished(joined) {
                        break;
                    }
                }
            }
            self.start_more();
        }
        // dropping the JoinSet aborts what is left
    }

    fn replace(&mut self, list: Vec<ImageRequest>) {
        let mut seen = HashSet::with_capacity(list.len());
        let list: Vec<ImageRequest> = list
            .into_iter()
            .filter(|r| seen.insert(r.key.clone()))
            .collect();
        self.running.retain(|key, handle| {
            let keep = seen.contains(key);
            if !keep {
                handle.abort();
            }
            keep
        });
        self.queue = list
            .into_iter()
            .filter(|r| !self.running.contains_key(&r.key))
            .collect();
    }

    fn start_more(&mut self) {
        while self.running.len() < self.concurrency {
            let Some(request) = self.queue.pop_front() else {
                break;
            };
            let key = request.key.clone();
            let ctx = self.ctx.clone();
            let handle = self.tasks.spawn(async move {
                let key = request.key.clone();
                (key, job(&ctx, request).await)
            });
            self.running.insert(key, handle);
        }
    }

    /// Handles a finished task; false when nobody listens any more.
    fn finished(&mut self, joined: Result<(tokio::task::Id, Outcome), JoinError>) -> bool {
        let (id, key, result) = match joined {
            Ok((id, (key, result))) => (id, key, result),
            Err(e) if e.is_cancelled() => return true,
            Err(e) => {
                // a panic outside the guarded decode: report it for its key
                let id = e.id();
                let Some(key) = self
                    .running
                    .iter()
                    .find(|(_, h)| h.id() == id)
                    .map(|(k, _)| k.clone())
                else {
                    return true;
                };
                tracing::error!(error = %e, "image task failed");
                (id, key, Err(ImageError::Decode("internal error".into())))
            }
        };
        match self.running.get(&key) {
            Some(handle) if handle.id() == id => {
                self.running.remove(&key);
            }
            // cancelled after it finished, or replaced by a newer task
            _ => return true,
        }
        self.out.send(ImageDone { key, result }).is_ok()
    }
}

/// The disk-cache key: asset, variant, cache tag, and the link's path
/// (never its query, which changes with every signature; nor its host, so
/// that a cached rendition survives a move to another host or port). The
/// path keeps apart a preview that fell back to the thumbnail's link.
/// The disk cache's key: asset, variant, cache tag, and where the file
/// comes from: scheme, host and path (two services may use the same asset
/// ids), but not the port (the built-in demo server listens on a new port
/// each run, and its thumbnails would never be found again) and never the
/// signed query, which changes on every fetch.
fn disk_key(request: &ImageRequest) -> String {
    let path = match url::Url::parse(&request.url) {
        Ok(u) => format!(
            "{}://{}{}",
            u.scheme(),
            u.host_str().unwrap_or(""),
            u.path()
        ),
        Err(_) => String::new(),
    };
    format!(
        "{}/{}/{}/{}",
        request.key.asset_id,
        request.key.variant.as_str(),
        request.cache_tag,
        path
    )
}

async fn job(ctx: &JobContext, request: ImageRequest) -> Result<Drawable, ImageError> {
    let cells = request.key.cells;
    let disk_key = disk_key(&request);
    if let Some(disk) = &ctx.disk {
        let cached = {
            let (disk, key) = (disk.clone(), disk_key.clone());
            tokio::task::spawn_blocking(move || disk.get(&key))
                .await
                .ok()
                .flatten()
        };
        if let Some(bytes) = cached {
            match render(ctx, bytes, cells, None).await {
                Ok(protocol) => return Ok(protocol),
                Err(e) => {
                    // never keep bytes that do not decode: drop, fetch again
                    tracing::debug!(error = %e, "cached image did not decode; fetching it again");
                    let (disk, key) = (disk.clone(), disk_key.clone());
                    let _ = tokio::task::spawn_blocking(move || disk.remove(&key)).await;
                }
            }
        }
    }
    let bytes = fetch::fetch_rendition(&ctx.http, &request.url).await?;
    let store = ctx.disk.clone().map(|d| (d, disk_key));
    render(ctx, bytes, cells, store).await
}

/// Decodes on a blocking thread, then, if it decoded and `store` is given,
/// writes the bytes to the disk cache. First reads the header (on a
/// blocking thread too) for what decoding will hold in memory, and waits
/// for that much of the memory budget, then for a CPU permit; both are held
/// until the decode ends, even if the task is aborted meanwhile.
async fn render(
    ctx: &JobContext,
    bytes: Vec<u8>,
    cells: (u16, u16),
    store: Option<(DiskCache, String)>,
) -> Result<Drawable, ImageError> {
    let (bytes, cost) = tokio::task::spawn_blocking(move || {
        let cost = decode::render_cost(&bytes);
        (bytes, cost)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "image header task failed");
        ImageError::Decode("the image decoder failed".into())
    })?;
    let memory = ctx.memory.acquire(cost?).await?;
    let permit = ctx
        .cpu
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| ImageError::Decode("the image pipeline stopped".into()))?;
    let picker = ctx.picker.clone();
    tokio::task::spawn_blocking(move || {
        let result = render_drawable(&bytes, cells, &picker);
        drop(permit);
        drop(memory);
        if let (Ok(_), Some((disk, key))) = (&result, store) {
            disk.put(&key, &bytes);
        }
        result
    })
    .await
    .unwrap_or_else(|e| {
        tracing::error!(error = %e, "image decode task failed");
        Err(ImageError::Decode("the image decoder failed".into()))
    })
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::*;

    fn request(url: &str) -> ImageRequest {
        ImageRequest {
            key: ImageKey {
                asset_id: "asset_1".into(),
                variant: Variant::Thumbnail,
                cells: (10, 5),
            },
            url: url.into(),
            cache_tag: "2026-01-01".into(),
        }
    }

    #[test]
    fn the_disk_cache_key_names_the_host_but_not_the_signature() {
        let a = disk_key(&request("https://a.example/v1/files/asset_1/thumb?sig=1"));
        let a_again = disk_key(&request("https://a.example/v1/files/asset_1/thumb?sig=2"));
        let b = disk_key(&request("https://b.example/v1/files/asset_1/thumb?sig=1"));
        let port = disk_key(&request("http://127.0.0.1:9000/v1/files/asset_1/thumb"));
        let other_port = disk_key(&request("http://127.0.0.1:9001/v1/files/asset_1/thumb"));
        assert_eq!(a, a_again, "a new signature is the same file");
        assert_ne!(a, b, "another host is another file");
        // the demo server's port changes every run: its files stay found
        assert_eq!(port, other_port);
        assert!(!a.contains("sig="));
    }

    #[tokio::test]
    async fn the_memory_budget_makes_a_decode_wait_until_others_end() {
        let budget = MemoryBudget::new(100 * 1024);
        let first = budget.acquire(60 * 1024).await.unwrap();
        // 60 + 60 KiB is over 100: the second waits for the first
        let mut second = Box::pin(budget.acquire(60 * 1024));
        assert!((&mut second).now_or_never().is_none());
        // a small one queued behind does not overtake it (fair)
        assert!(budget.acquire(10 * 1024).now_or_never().is_none());
        drop(first);
        let second = (&mut second).now_or_never().expect("free").unwrap();
        drop(second);
        // a cost over the whole budget takes all of it and runs alone
        let all = budget
            .acquire(1 << 40)
            .now_or_never()
            .expect("free")
            .unwrap();
        assert!(budget.acquire(1).now_or_never().is_none());
        drop(all);
        assert!(budget.acquire(1).now_or_never().is_some());
    }
}
