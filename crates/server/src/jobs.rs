//! Batch download jobs: a job moves through `pending`, `queued`,
//! `warming-up`, `in-progress` and `finalizing` to `success` (with a
//! signed `downloadUrl`) or `failure` (`canceled` is known too), and ends
//! with a zip whose entry names follow `fileNameTemplate` and `flat`.

use std::collections::HashSet;
use std::io::Write;
use std::time::Instant;

use bytes::Bytes;

use assetui_api::naming::{self, NameFields};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Pending,
    Queued,
    WarmingUp,
    InProgress,
    Finalizing,
    Success,
    Failure,
    Canceled,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "pending",
            JobStatus::Queued => "queued",
            JobStatus::WarmingUp => "warming-up",
            JobStatus::InProgress => "in-progress",
            JobStatus::Finalizing => "finalizing",
            JobStatus::Success => "success",
            JobStatus::Failure => "failure",
            JobStatus::Canceled => "canceled",
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
/// `flat`, duplicates (ignoring case) suffixed ` (1)`, ` (2)`.
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
        // names that differ only in case are one file on a case-insensitive
        // disk (macOS, Windows): the later one is suffixed too
        let mut n = 0;
        let mut path = format!("{dir}{file}");
        while !used.insert(path.to_lowercase()) {
            n += 1;
            path = format!("{dir}{}", naming::suffixed(&file, n));
        }
        zip.start_file(path, options).map_err(|e| e.to_string())?;
        zip.write_all(&e.bytes).map_err(|e| e.to_string())?;
    }
    let out = zip.finish().map_err(|e| e.to_string())?;
    Ok(Bytes::from(out.into_inner()))
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn entry(id: &str, group: &str) -> Entry {
        Entry {
            name: naming::AssetName {
                id: id.to_string(),
                ..Default::default()
            },
            group: group.to_string(),
            ext: "png".to_string(),
            bytes: Bytes::from(format!("bytes of {id} in {group}")),
        }
    }

    /// Every entry's (name, bytes), in order.
    fn entries(zip: &Bytes) -> Vec<(String, String)> {
        let mut archive = match zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())) {
            Ok(a) => a,
            Err(e) => panic!("{e}"),
        };
        (0..archive.len())
            .map(|i| {
                let mut f = archive.by_index(i).unwrap();
                let mut text = String::new();
                f.read_to_string(&mut text).unwrap();
                (f.name().to_string(), text)
            })
            .collect()
    }

    #[test]
    fn names_that_collide_keep_every_file() {
        let files = [
            entry("castle", "inf"),
            entry("castle", "inf"),
            entry("Castle", "inf"),
            entry("CASTLE", "other"),
            entry("castle", "inf"),
        ];
        let zip = build_zip(&files, "<id>", true).unwrap();
        let got = entries(&zip);
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "castle.png",
                "castle (1).png",
                "Castle (2).png",
                "CASTLE (3).png",
                "castle (4).png"
            ]
        );
        // each file's own bytes, none lost
        for (i, (_, text)) in got.iter().enumerate() {
            assert_eq!(
                text,
                &format!("bytes of {} in {}", files[i].name.id, files[i].group)
            );
        }
        // in folders, a name repeats freely across folders
        let zip = build_zip(&files, "<id>", false).unwrap();
        let names: Vec<String> = entries(&zip).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "inf/castle.png",
                "inf/castle (1).png",
                "inf/Castle (2).png",
                "other/CASTLE.png",
                "inf/castle (3).png"
            ]
        );
    }
}
