//! What the transfers queue accepts and publishes: requests, the phases of
//! an item, the view of each item and the snapshot of them all. The queue
//! (`download::queue`) produces it; the app and the CLI read it. It is the
//! queue's contract, not its workings: it depends on nothing else here.
//! Items are downloads, or uploads of local files ([`Direction`]).

use std::path::PathBuf;
use std::time::Duration;

/// Where an item stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Queued,
    GettingLink,
    Downloading,
    /// A download's file is in place under its final name; the journal's
    /// record of it and its directory are being synced, then it is done.
    /// It no longer holds one of the `jobs`.
    Saving,
    Paused,
    Done,
    Failed,
    Cancelled,
    /// An upload sends its bytes (its parts).
    Sending,
    /// An upload's bytes are all sent: the service validates and imports.
    Importing,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Queued => "queued",
            Phase::GettingLink => "getting link",
            Phase::Downloading => "downloading",
            Phase::Saving => "saving",
            Phase::Paused => "paused",
            Phase::Done => "done",
            Phase::Failed => "failed",
            Phase::Cancelled => "cancelled",
            Phase::Sending => "sending",
            Phase::Importing => "importing",
        }
    }

    /// Nothing more happens to it unless asked.
    pub fn settled(self) -> bool {
        matches!(
            self,
            Phase::Paused | Phase::Done | Phase::Failed | Phase::Cancelled
        )
    }

    /// The item will still write its file (now, or when resumed): a
    /// second item for the same file is refused meanwhile.
    pub fn active(self) -> bool {
        !matches!(self, Phase::Done | Phase::Failed | Phase::Cancelled)
    }
}

/// Which way an item's bytes go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Direction {
    #[default]
    Download,
    /// A local file to a new asset. `single`: it goes as one request (a
    /// small image), which cannot pause, only be cancelled.
    Upload { single: bool },
}

impl Direction {
    pub fn is_upload(self) -> bool {
        matches!(self, Direction::Upload { .. })
    }
}

/// One item as the UI shows it. An upload's `name` is its file's name,
/// `asset_id` the new asset's id once imported (empty before), `path`
/// the local file, and once done `note` the new asset's name.
#[derive(Clone, Debug)]
pub struct ItemView {
    pub key: u64,
    pub direction: Direction,
    pub asset_id: String,
    pub format: Option<String>,
    /// The file name so far (sanitized; the extension comes at the end).
    pub name: String,
    pub phase: Phase,
    pub bytes: u64,
    pub total: Option<u64>,
    /// Bytes per second over the last few seconds.
    pub speed: f64,
    pub eta: Option<Duration>,
    /// Where the file landed.
    pub path: Option<PathBuf>,
    /// Why it failed (sanitized, no secret).
    pub error: Option<String>,
    /// What is happening now beyond the phase ("retrying in 2 s: …").
    pub note: Option<String>,
    /// Bytes fetched from the network for it in this process (resumes
    /// and restarts included).
    pub fetched: u64,
    /// For a zip of several assets (a batch job): their ids; empty for one
    /// asset's file.
    pub assets: Vec<String>,
}

/// Everything in the queue.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub items: Vec<ItemView>,
    /// Incremented on every publish.
    pub version: u64,
    /// The latest requests refused (at most [`REFUSALS_KEPT`], oldest
    /// first), numbered so a reader can tell which it has not shown yet.
    pub refused: Vec<Refusal>,
}

/// How many refusals a snapshot keeps.
pub const REFUSALS_KEPT: usize = 16;

/// A request the queue did not take, and why: the same asset, in the same
/// format, is already on its way into the same directory (here or in
/// another assetui). Two items writing one file would race; one is enough.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// Counts from 1 over the queue's life.
    pub seq: u64,
    pub asset_id: String,
    pub format: Option<String>,
    /// For people: what holds it and where (sanitized).
    pub why: String,
}

impl Snapshot {
    pub fn count(&self, phase: Phase) -> usize {
        self.items.iter().filter(|i| i.phase == phase).count()
    }

    /// Every item is done, failed, cancelled or paused.
    pub fn settled(&self) -> bool {
        self.items.iter().all(|i| i.phase.settled())
    }

    pub fn bytes(&self) -> u64 {
        self.items.iter().map(|i| i.bytes).sum()
    }

    /// The sum of known totals (`None` while one is unknown).
    pub fn total(&self) -> Option<u64> {
        self.items
            .iter()
            .filter(|i| i.phase != Phase::Cancelled)
            .map(|i| i.total)
            .sum()
    }

    pub fn speed(&self) -> f64 {
        self.items.iter().map(|i| i.speed).sum()
    }
}

/// What to fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub asset_id: String,
    /// `targetFormat`, or the original.
    pub format: Option<String>,
    /// Into this directory rather than the queue's (a sync's own
    /// directory); `None`: the queue's.
    pub dir: Option<PathBuf>,
    /// The file's path under the directory, without its extension, when
    /// the asking side already named it (a sync has the asset from its
    /// listing); `None`: the queue fetches the asset and names the file
    /// from its template.
    pub name: Option<Vec<String>>,
}

impl Request {
    /// `asset_id` in `format`, into the queue's directory, named by the
    /// queue.
    pub fn new(asset_id: String, format: Option<String>) -> Request {
        Request {
            asset_id,
            format,
            dir: None,
            name: None,
        }
    }
}

/// The directory, inside a synced folder, where the queue fetches a
/// sync's files before the sync puts them into place: a file there is
/// not the user's yet (the browser does not announce or open it).
pub const SYNC_INCOMING_DIR: &str = ".assetui-sync.incoming";

impl ItemView {
    /// A sync's file on its way (in [`SYNC_INCOMING_DIR`]).
    pub fn for_sync(&self) -> bool {
        self.path.as_ref().is_some_and(|p| {
            p.components()
                .any(|c| c.as_os_str() == std::ffi::OsStr::new(SYNC_INCOMING_DIR))
        })
    }
}

/// What a sync mirrors into its folder: a listing with its filters, or a
/// search (`crate::sync` runs it; the browser's `M` asks for it).
#[derive(Clone, Debug)]
pub enum SyncSource {
    List(crate::api::params::ListAssetsQuery),
    Search(crate::api::params::SearchRequest),
}

/// What the one running a sync asks of it: the CLI's Ctrl-C, the
/// transfers pane's keys on a mirror.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SyncControl {
    #[default]
    Run,
    /// The files on their way pause in the queue and placing stops at
    /// the next file boundary; `Run` again goes on from there.
    Pause,
    /// End the run: what is on its way pauses (journalled), what arrived
    /// waits in the incoming directory; the next run finishes both.
    Stop,
    /// End the run, cancelling what is on its way; what arrived waits in
    /// the incoming directory. The next run fetches the rest again and
    /// places what arrived.
    Cancel,
}

impl SyncControl {
    /// The run ends (now, or once what is on its way has settled).
    pub fn ends(self) -> bool {
        matches!(self, SyncControl::Stop | SyncControl::Cancel)
    }
}

/// What a sync run in the browser tells the app: where it stands (one
/// line for the status bar and the transfers pane), and at the end
/// whether anything failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncNews {
    pub dir: PathBuf,
    /// Sanitized.
    pub text: String,
    /// `Some(failed)` once the run ended.
    pub ended: Option<bool>,
}
