//! The download engine (issue 6).
//!
//! Only the first building blocks are in place so far:
//! - [`sniff`]: a file extension from a payload's magic bytes (falling back
//!   to its MIME type, then `bin`);
//! - [`place`]: moving a finished `.part` into place without ever overwriting
//!   an existing file (` (1)`, ` (2)` suffixes, race-free via hard links) and
//!   atomic small-file writes for the journal.
//!
//! The transfer, queue, journal and archive parts described in issue 6 are
//! not written yet.

pub mod place;
pub mod sniff;

pub use place::{place_no_clobber, write_atomic};
pub use sniff::extension_for;
