//! The download engine (issue 6).
//!
//! - [`sniff`]: a file extension from a payload's magic bytes (falling back
//!   to its MIME type, then `bin`);
//! - [`place`]: moving a finished `.part` into place without ever
//!   overwriting an existing file (` (1)`, ` (2)` suffixes, race-free via
//!   hard links) and atomic small-file writes for the journal;
//! - [`archive`]: the server-side batch zip job and a safe extraction.
//!
//! - [`transfer`]: one file into its `.part`, correct under every fault;
//! - [`queue`]: the engine the browser and the CLI share (concurrency,
//!   pause, resume, cancel, retry, snapshots at most ten a second);
//! - [`journal`]: what is queued or partial, kept across crashes;
//! - [`upload`]: the queue's uploads (local files to new assets), items
//!   of the same snapshot.

pub(crate) mod archive;
pub(crate) mod dir_sync;
pub(crate) mod journal;
pub(crate) mod place;
pub mod queue;
pub(crate) mod sniff;
pub mod transfer;
pub(crate) mod upload;
pub mod upload_twelvelabs;

pub use place::{place_no_clobber, write_atomic};
pub use sniff::extension_for;
