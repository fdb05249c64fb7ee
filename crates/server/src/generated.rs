//! Generated files for download tests and benchmarks: `--large-asset SIZE`
//! adds one asset (named `large-file`) and `--small-assets N[:SIZE]` adds N
//! small ones, whose bytes come from a deterministic generator and are
//! streamed, never held in memory. Each file has a generation: replacing it
//! (`POST /v1/_demo/assets/{id}/replace`, or `--replace-every N` for the
//! large one) gives new bytes of the same size, a new `ETag` and a later
//! `Last-Modified`. The server counts the requests and the bytes it sent
//! for each, so a test can tell how much a client fetched again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::Stream;

use super::library::{iso_from_millis, num, FileRef, Library, Record};
use assetui_api::models::{
    Asset, AssetKind, AssetMetadata, AssetProperties, AssetStatus, AssetType, Privacy,
};

/// Bytes drawn at a time (and the largest chunk streamed).
pub const BLOCK: u64 = 256 * 1024;

/// The large asset's id (`asset_` and 22 base62 characters, as the API's).
pub const LARGE_ID: &str = "asset_LargeFile0000000000000";

/// The seed of the large asset's bytes.
pub const LARGE_SEED: u64 = 0x1a76_e000;

/// Largest generated file a batch archive (built in memory) may hold.
pub const MAX_IN_ARCHIVE: u64 = 64 * 1024 * 1024;

/// One generated file and its counters.
#[derive(Debug)]
pub struct GenFile {
    pub id: String,
    pub seed: u64,
    pub size: u64,
    /// Bumped by each replacement.
    pub generation: AtomicU64,
    /// GET requests for the original file.
    pub requests: AtomicU64,
    /// Body bytes handed to the connection for the original file. The
    /// connection's buffers take bytes the client never reads, and may
    /// still be taking them after the client hung up: a test that needs
    /// where a request began reads [`GenFile::starts`].
    pub bytes_served: AtomicU64,
    /// Where each body began (0, or a range's first byte), in order.
    starts: std::sync::Mutex<Vec<u64>>,
}

impl GenFile {
    pub fn new(id: impl Into<String>, seed: u64, size: u64) -> GenFile {
        GenFile {
            id: id.into(),
            seed,
            size,
            generation: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            bytes_served: AtomicU64::new(0),
            starts: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// The first byte of every body served so far, in order.
    pub fn starts(&self) -> Vec<u64> {
        self.starts.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Body bytes handed out so far, all requests together.
    pub fn served(&self) -> u64 {
        self.bytes_served.load(Ordering::SeqCst)
    }

    /// The strong `ETag` of the current content.
    pub fn etag(&self, generation: u64) -> String {
        format!("\"gen-{:x}-{generation}-{}\"", self.seed, self.size)
    }

    /// The whole content of one generation (small files only).
    pub fn bytes(&self, generation: u64) -> Bytes {
        let mut buf = vec![0u8; self.size as usize];
        fill(self.seed, generation, 0, &mut buf);
        Bytes::from(buf)
    }
}

/// The generated files of a server, by asset id.
#[derive(Debug, Default)]
pub struct GeneratedFiles {
    by_id: HashMap<String, Arc<GenFile>>,
    pub large_id: Option<String>,
    /// Replace the large file after every N requests of it.
    pub replace_every: Option<u64>,
}

impl GeneratedFiles {
    pub fn get(&self, id: &str) -> Option<&Arc<GenFile>> {
        self.by_id.get(id)
    }

    pub fn large(&self) -> Option<&Arc<GenFile>> {
        self.get(self.large_id.as_deref()?)
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<GenFile>> {
        self.by_id.values()
    }
}

/// Adds the configured generated assets to the library.
pub fn add(
    lib: &mut Library,
    large: Option<u64>,
    small: Option<(u64, u64)>,
    replace_every: Option<u64>,
) -> GeneratedFiles {
    let mut files = GeneratedFiles {
        replace_every: replace_every.filter(|n| *n > 0),
        ..GeneratedFiles::default()
    };
    if let Some(size) = large {
        let f = Arc::new(GenFile::new(LARGE_ID, LARGE_SEED, size));
        lib.put(record(lib, &f, "large-file", 1_704_067_200_000));
        files.large_id = Some(f.id.clone());
        files.by_id.insert(f.id.clone(), f);
    }
    if let Some((count, size)) = small {
        for i in 0..count {
            let id = format!("asset_SmallFile{i:013}");
            let f = Arc::new(GenFile::new(id, 0x5ea1_0000 + i, size));
            let name = format!("small-file-{i}");
            lib.put(record(lib, &f, &name, 1_704_067_200_000 + i as i64 * 1000));
            files.by_id.insert(f.id.clone(), f);
        }
    }
    files
}

fn record(lib: &Library, f: &Arc<GenFile>, name: &str, created_ms: i64) -> Record {
    let created = iso_from_millis(created_ms);
    let asset = Asset {
        id: f.id.clone(),
        author_id: Some("user_demo".into()),
        collection_ids: Some(Vec::new()),
        created_at: Some(created.clone()),
        edit_capabilities: Some(Vec::new()),
        kind: Some(AssetKind::Document),
        metadata: Some(AssetMetadata {
            kind: Some(AssetKind::Document),
            asset_type: Some(AssetType::Uploaded),
            name: Some(name.to_string()),
            size: Some(num(f.size)),
            ..AssetMetadata::default()
        }),
        mime_type: Some("application/octet-stream".into()),
        owner_id: Some(lib.owner_id.clone()),
        privacy: Some(Privacy::Private),
        properties: Some(AssetProperties {
            size: Some(num(f.size)),
            ..AssetProperties::default()
        }),
        status: Some(AssetStatus::Success),
        tags: Some(vec!["generated".into()]),
        updated_at: Some(created),
        nsfw: Some(Vec::new()),
        ..Asset::default()
    };
    Record {
        asset,
        file: FileRef::Generated(f.clone()),
        family: None,
    }
}

/// Fills `buf` with the content of (`seed`, `generation`) from `offset`.
/// Block by block, so any range can be drawn without the bytes before it.
pub fn fill(seed: u64, generation: u64, offset: u64, buf: &mut [u8]) {
    let mut pos = offset;
    let mut done = 0usize;
    let mut scratch: Vec<u8> = Vec::new();
    while done < buf.len() {
        let index = pos / BLOCK;
        let within = (pos % BLOCK) as usize;
        let n = (BLOCK as usize - within).min(buf.len() - done);
        if within == 0 && n == BLOCK as usize {
            // a whole block: draw it in place
            draw_block(seed, generation, index, &mut buf[done..done + n]);
        } else {
            scratch.resize(BLOCK as usize, 0);
            draw_block(seed, generation, index, &mut scratch);
            buf[done..done + n].copy_from_slice(&scratch[within..within + n]);
        }
        done += n;
        pos += n as u64;
    }
}

/// Whether the file at `path` is exactly `size` bytes of (`seed`,
/// `generation`): how tests and benchmarks check a download, a block at a
/// time (a file of gigabytes is never held in memory).
pub fn file_matches(
    path: &std::path::Path,
    seed: u64,
    generation: u64,
    size: u64,
) -> std::io::Result<bool> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    if f.metadata()?.len() != size {
        return Ok(false);
    }
    let (mut got, mut want) = (vec![0u8; BLOCK as usize], vec![0u8; BLOCK as usize]);
    let mut at = 0u64;
    while at < size {
        let n = ((size - at) as usize).min(got.len());
        f.read_exact(&mut got[..n])?;
        fill(seed, generation, at, &mut want[..n]);
        if got[..n] != want[..n] {
            return Ok(false);
        }
        at += n as u64;
    }
    Ok(true)
}

fn draw_block(seed: u64, generation: u64, index: u64, out: &mut [u8]) {
    let mix = seed
        ^ generation.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ index.wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
    fastrand::Rng::with_seed(mix).fill(out);
}

/// The bytes `start..=end` of the current content, as a stream of chunks
/// of at most [`BLOCK`] bytes drawn as they are sent; each chunk is added
/// to the file's `bytes_served`.
pub fn stream(
    file: Arc<GenFile>,
    generation: u64,
    start: u64,
    end: u64,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    if let Ok(mut starts) = file.starts.lock() {
        starts.push(start);
    }
    futures_util::stream::unfold(start, move |pos| {
        let file = file.clone();
        async move {
            if pos > end || file.size == 0 {
                return None;
            }
            let block_end = (pos / BLOCK + 1) * BLOCK;
            let stop = block_end.min(end + 1);
            let mut buf = vec![0u8; (stop - pos) as usize];
            fill(file.seed, generation, pos, &mut buf);
            file.bytes_served
                .fetch_add(buf.len() as u64, Ordering::Relaxed);
            Some((Ok(Bytes::from(buf)), stop))
        }
    })
}

/// Parses a size: a number of bytes with an optional unit (`B`, `KB`, `MB`,
/// `GB`, `KiB`, `MiB`, `GiB`; case-insensitive), e.g. `1GiB`, `512MiB`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{s}`: expected a size such as 1GiB, 512MiB or 4096"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "m" | "mb" => 1000 * 1000,
        "g" | "gb" => 1000 * 1000 * 1000,
        "ki" | "kib" => 1 << 10,
        "mi" | "mib" => 1 << 20,
        "gi" | "gib" => 1 << 30,
        other => {
            return Err(format!(
                "`{s}`: unknown unit `{other}` (use KiB, MiB or GiB)"
            ))
        }
    };
    let bytes = value * mult as f64;
    if !bytes.is_finite() || !(0.0..=(1u64 << 50) as f64).contains(&bytes) {
        return Err(format!("`{s}`: the size must be between 0 and 1 PiB"));
    }
    Ok(bytes as u64)
}

/// Parses `N` or `N:SIZE` for `--small-assets` (default size 32 KiB).
pub fn parse_small(s: &str) -> Result<(u64, u64), String> {
    let (count, size) = match s.split_once(':') {
        Some((c, z)) => (c, parse_size(z)?),
        None => (s, 32 * 1024),
    };
    let count: u64 = count
        .trim()
        .parse()
        .map_err(|_| format!("`{s}`: expected N or N:SIZE, e.g. 2000:32KiB"))?;
    if count > 1_000_000 {
        return Err(format!("`{s}`: at most 1 000 000 small assets"));
    }
    Ok((count, size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1GiB").unwrap(), 1 << 30);
        assert_eq!(parse_size("512MiB").unwrap(), 512 << 20);
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert_eq!(parse_size("1.5KiB").unwrap(), 1536);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("3 parsecs").is_err());
        assert_eq!(parse_small("20:1KiB").unwrap(), (20, 1024));
        assert_eq!(parse_small("7").unwrap(), (7, 32 * 1024));
    }

    #[test]
    fn any_range_matches_the_whole() {
        let size = BLOCK * 2 + 1000;
        let mut whole = vec![0u8; size as usize];
        fill(7, 0, 0, &mut whole);
        let mut part = vec![0u8; 5000];
        fill(7, 0, BLOCK - 2000, &mut part);
        assert_eq!(
            part,
            whole[(BLOCK - 2000) as usize..(BLOCK + 3000) as usize]
        );
        let mut other = vec![0u8; 5000];
        fill(7, 1, BLOCK - 2000, &mut other);
        assert_ne!(part, other, "a new generation has new bytes");
    }

    #[tokio::test]
    async fn stream_is_the_content_and_counts() {
        let f = Arc::new(GenFile::new("a", 3, BLOCK + 10));
        let chunks: Vec<Bytes> = stream(f.clone(), 0, 5, BLOCK + 9)
            .map(|c| c.unwrap())
            .collect()
            .await;
        let got: Vec<u8> = chunks.concat();
        assert_eq!(got.len() as u64, BLOCK + 5);
        assert_eq!(&got[..], &f.bytes(0)[5..]);
        assert_eq!(f.bytes_served.load(Ordering::Relaxed), BLOCK + 5);
    }
}
