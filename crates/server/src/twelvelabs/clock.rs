//! The server's clock and the processing clock.
//!
//! [`Clock`] is the wall clock plus an offset that only the test control
//! route (`POST /v1.3/_demo/clock?advance=SECS`) moves, so tests see a
//! session, a link or a search page expire without waiting for it.
//!
//! [`Progress`] is where a piece of background work (an asset's
//! processing, an indexing task) stands: it advances one stage every
//! [`Processing::step`] of (server) time, or every
//! [`Processing::polls_per_step`] retrievals, whichever comes first. Tests
//! drive it by polling the API in a bounded loop.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// How fast background work moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Processing {
    /// A stage is passed after this many retrievals of the item.
    pub polls_per_step: u32,
    /// ... or after this much time.
    pub step: Duration,
}

impl Default for Processing {
    fn default() -> Self {
        Processing {
            polls_per_step: 2,
            step: Duration::from_secs(1),
        }
    }
}

#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn now_ms(&self) -> i64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        wall + self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.now_ms().max(0) as u64)
    }

    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.as_millis() as i64, Ordering::Relaxed);
    }
}

/// RFC 3339 UTC, as every timestamp of this server is written.
pub fn rfc3339(ms: i64) -> String {
    assetui_api::dates::iso_from_millis(ms)
}

/// The stage reached by a piece of work and when it was reached.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Progress {
    pub stage: u8,
    /// When `stage` was reached (ms since the epoch).
    pub at_ms: i64,
    /// Retrievals since `stage` was reached.
    #[serde(skip)]
    pub polls: u32,
}

impl Progress {
    pub fn start(now_ms: i64) -> Progress {
        Progress {
            stage: 0,
            at_ms: now_ms,
            polls: 0,
        }
    }

    /// Work that was done from the start.
    pub fn done(last: u8, at_ms: i64) -> Progress {
        Progress {
            stage: last,
            at_ms,
            polls: 0,
        }
    }

    /// Where the work stands at `now_ms` by time alone.
    pub fn at(&self, now_ms: i64, p: &Processing, last: u8) -> Progress {
        let mut out = self.clone();
        let step = p.step.as_millis().max(1) as i64;
        while out.stage < last && now_ms >= out.at_ms + step {
            out.stage += 1;
            out.at_ms += step;
            out.polls = 0;
        }
        out
    }

    /// One retrieval at `now_ms`: time first, then the poll count.
    pub fn poll(&mut self, now_ms: i64, p: &Processing, last: u8) {
        *self = self.at(now_ms, p, last);
        if self.stage >= last {
            return;
        }
        self.polls += 1;
        if self.polls >= p.polls_per_step.max(1) {
            self.stage += 1;
            self.at_ms = now_ms;
            self.polls = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_advance_by_polls_or_by_time() {
        let p = Processing {
            polls_per_step: 2,
            step: Duration::from_secs(10),
        };
        let mut w = Progress::start(0);
        w.poll(1, &p, 2);
        assert_eq!(w.stage, 0);
        w.poll(2, &p, 2);
        assert_eq!((w.stage, w.at_ms), (1, 2));
        assert_eq!(w.at(10_001, &p, 2).stage, 1);
        assert_eq!(w.at(10_002, &p, 2).stage, 2);
        assert_eq!(w.at(99_999, &p, 2).stage, 2);
        w.poll(3, &p, 2);
        w.poll(4, &p, 2);
        w.poll(5, &p, 2);
        assert_eq!(w.stage, 2);
    }
}
