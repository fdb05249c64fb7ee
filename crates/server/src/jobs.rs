//! Batch download jobs: a job moves from `pending` to `in-progress` to
//! `success` (with a signed `downloadUrl`) or `failure`, and ends with a
//! zip whose entry names follow `fileNameTemplate` and `flat`.

use std::collections::HashSet;
use std::io::Write;
use std::time::Instant;

use bytes::Bytes;

use assetui_api::naming::{self, NameFields};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Pending,
    InProgress,
    Success,
    Failure,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "pending",
            JobStatus::InProgress => "in-progress",
            JobStatus::Success => "success",
            JobStatus::Failure => "failure",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub created: Instant,
    pub status: JobStatus,
    pub archive: Option<Bytes>,
    pub error: Option<String>,
}

/// One file of an archive, before naming.
pub struct Entry {
    /// What the name template may use (the zip's names are server-side
    /// names: `<type>` and `<date>` are left out, as the API does).
    pub name: assetui_api::naming::AssetName,
    /// Folder used when the archive is not flat (the inference).
    pub group: String,
    pub ext: String,
    pub bytes: Bytes,
}

/// Builds the zip: names from the template, grouped in folders unless
/// `flat`, duplicates suffixed ` (1)`, ` (2)`.
pub fn build_zip(entries: &[Entry], template: &str, flat: bool) -> Result<Bytes, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut used = HashSet::new();
    for e in entries {
        let fields = NameFields {
            asset_type: None,
            date: None,
            ..e.name.fields()
        };
        let mut segments = naming::expand(template, &fields, &e.ext);
        if flat {
            let joined = segments.join("_");
            segments = vec![naming::component(&joined, naming::MAX_FILE_CHARS)];
        } else {
            let group = naming::component(&e.group, naming::MAX_DIR_CHARS);
            if !group.is_empty() {
                segments.insert(0, group);
            }
        }
        let file = segments.pop().unwrap_or_default();
        let dir: String = segments.iter().map(|s| format!("{s}/")).collect();
        let mut n = 0;
        let mut path = format!("{dir}{file}");
        while !used.insert(path.clone()) {
            n += 1;
            path = format!("{dir}{}", naming::suffixed(&file, n));
        }
        zip.start_file(path, options).map_err(|e| e.to_string())?;
        zip.write_all(&e.bytes).map_err(|e| e.to_string())?;
    }
    let out = zip.finish().map_err(|e| e.to_string())?;
    Ok(Bytes::from(out.into_inner()))
}
