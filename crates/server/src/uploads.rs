//! Multipart uploads as the live service runs them (`/uploads`): an
//! upload is created with its size and part count, its parts arrive on
//! signed, expiring links of this server, `complete` starts validation,
//! and the file is imported as a new asset (or the upload `failed`, with
//! an `errorMessage`). Parts are held in memory until the import; their
//! declared sizes count against the upload quota from the start.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use bytes::Bytes;

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
    pub received: BTreeMap<u64, Bytes>,
    pub entity_id: Option<String>,
    pub error_message: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl MultipartUpload {
    /// Bytes received in parts other than `except`.
    pub fn received_except(&self, except: u64) -> u64 {
        self.received
            .iter()
            .filter(|(n, _)| **n != except)
            .map(|(_, b)| b.len() as u64)
            .sum()
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
