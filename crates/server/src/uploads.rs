//! Multipart uploads as the live service runs them (`/uploads`): an
//! upload is created with its size and part count, its parts arrive on
//! signed, expiring links of this server, `complete` starts validation,
//! and the file is imported as a new asset (or the upload `failed`, with
//! an `errorMessage`). Parts are assembled in memory as they arrive
//! ([`Assembly`]), so `complete` has nothing left to join; their declared
//! sizes count against the upload quota from the start.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};

/// Most uploads not yet imported or failed at once.
pub const MAX_OPEN: usize = 64;

/// Where an upload stands (`pending validating validated imported
/// complete failed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Validating,
    Validated,
    Imported,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Validating => "validating",
            Status::Validated => "validated",
            Status::Imported => "imported",
            Status::Failed => "failed",
        }
    }
}

/// One multipart upload.
#[derive(Debug, Clone)]
pub struct MultipartUpload {
    pub id: String,
    pub job_id: String,
    pub file_name: String,
    pub content_type: String,
    pub kind: String,
    pub file_size: u64,
    pub parts: u64,
    pub collection_ids: Vec<String>,
    pub parent_id: Option<String>,
    pub hide: bool,
    pub status: Status,
    /// The parts received (shared: a clone of the upload copies no byte).
    pub data: Arc<Mutex<Assembly>>,
    pub entity_id: Option<String>,
    pub error_message: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl MultipartUpload {
    /// The parts received, locked (a poisoned lock is recovered: each
    /// change to the assembly is whole before anything can panic).
    pub fn assembly(&self) -> std::sync::MutexGuard<'_, Assembly> {
        match self.data.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Whether its declared size still counts against the quota.
    fn reserves(&self) -> bool {
        matches!(self.status, Status::Pending | Status::Validating)
    }
}

/// Every multipart upload of this server run.
#[derive(Default)]
pub struct Multipart {
    uploads: Mutex<HashMap<String, MultipartUpload>>,
}

impl Multipart {
    /// Runs `f` on the uploads (a poisoned lock is recovered: the map holds
    /// no invariant a panic could break half way).
    pub fn with<R>(&self, f: impl FnOnce(&mut HashMap<String, MultipartUpload>) -> R) -> R {
        let mut guard = match self.uploads.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    /// Declared bytes of uploads not yet imported or failed.
    pub fn reserved(&self) -> u64 {
        self.with(|m| {
            m.values()
                .filter(|u| u.reserves())
                .map(|u| u.file_size)
                .sum()
        })
    }

    /// Uploads not yet imported or failed.
    pub fn open(&self) -> usize {
        self.with(|m| m.values().filter(|u| u.reserves()).count())
    }

    pub fn get(&self, id: &str) -> Option<MultipartUpload> {
        self.with(|m| m.get(id).cloned())
    }
}

/// A file as its parts arrive: a part that continues what is there is
/// appended at once to one buffer of the declared size (allocated lazily
/// by the system, page by page), a part after a gap waits aside until the
/// gap fills. A part sent again is accepted when its bytes are the same.
#[derive(Debug)]
pub struct Assembly {
    buf: BytesMut,
    /// Each received part's length.
    lengths: BTreeMap<u64, u64>,
    /// Where each appended part starts in `buf`.
    offsets: BTreeMap<u64, usize>,
    /// Parts received after a gap.
    waiting: BTreeMap<u64, Bytes>,
    /// The first part not yet appended.
    next: u64,
}

impl Assembly {
    pub fn new(file_size: u64) -> Assembly {
        Assembly {
            buf: BytesMut::with_capacity(usize::try_from(file_size).unwrap_or(0)),
            lengths: BTreeMap::new(),
            offsets: BTreeMap::new(),
            waiting: BTreeMap::new(),
            next: 1,
        }
    }

    /// Bytes received in parts other than `except`.
    pub fn received_except(&self, except: u64) -> u64 {
        self.lengths
            .iter()
            .filter(|(n, _)| **n != except)
            .map(|(_, l)| *l)
            .sum()
    }

    /// Each received part's length, by number.
    pub fn lengths(&self) -> &BTreeMap<u64, u64> {
        &self.lengths
    }

    /// Keeps part `n`; refused when it was appended already with other
    /// bytes.
    pub fn put(&mut self, n: u64, data: Bytes) -> Result<(), String> {
        if let Some(&at) = self.offsets.get(&n) {
            let len = self.lengths.get(&n).copied().unwrap_or(0) as usize;
            return if data.len() == len && self.buf[at..at + len] == data[..] {
                Ok(())
            } else {
                Err(format!("part {n} was received already, with other bytes"))
            };
        }
        self.lengths.insert(n, data.len() as u64);
        if n != self.next {
            self.waiting.insert(n, data);
            return Ok(());
        }
        self.append(n, &data);
        while let Some(more) = self.waiting.remove(&self.next) {
            self.append(self.next, &more);
        }
        Ok(())
    }

    fn append(&mut self, n: u64, data: &[u8]) {
        self.offsets.insert(n, self.buf.len());
        self.buf.extend_from_slice(data);
        self.next = n + 1;
    }

    /// The file, once every part is there (in order, none waiting).
    pub fn take(&mut self) -> Option<Bytes> {
        self.waiting
            .is_empty()
            .then(|| std::mem::take(&mut self.buf).freeze())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_in_any_order_make_the_file_and_a_resent_part_must_match() {
        let mut a = Assembly::new(10);
        a.put(3, Bytes::from_static(b"89")).unwrap();
        a.put(1, Bytes::from_static(b"0123")).unwrap();
        assert_eq!(a.received_except(0), 6);
        a.put(1, Bytes::from_static(b"0123")).unwrap();
        assert!(a.put(1, Bytes::from_static(b"xxxx")).is_err());
        a.put(2, Bytes::from_static(b"4567")).unwrap();
        assert_eq!(a.lengths().len(), 3);
        assert_eq!(a.take().unwrap(), Bytes::from_static(b"0123456789"));
    }
}
