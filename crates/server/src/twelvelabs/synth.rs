//! `--scale N`: N synthetic image assets (deterministic from a fixed seed),
//! all members of the first demo index, so list and search can be measured
//! at 10 000 assets. Pixels are drawn on request from each asset's seed.

use super::clock::Progress;
use super::library::{derived_id, AssetRec, IndexedRec, Library, Media, ASSET_DONE, INDEXED_DONE};
use crate::synth::{FAMILIES, STYLES, SUBJECTS};

pub fn add(lib: &mut Library, n: u64) {
    if n == 0 {
        return;
    }
    let index_id = lib.indexes.keys().next().cloned();
    let mut rng = fastrand::Rng::with_seed(0x7E1_1AB5);
    // spread over the year before the demo library's dates
    let start_ms: i64 = 1_759_276_800_000; // 2025-10-01
    let span_ms: i64 = 365 * 86_400_000;
    for i in 0..n {
        let seed = rng.u64(..);
        let family = rng.u8(..FAMILIES.len() as u8);
        let fam = FAMILIES[family as usize];
        let subject = SUBJECTS[rng.usize(..SUBJECTS.len())];
        let style = STYLES[rng.usize(..STYLES.len())];
        let (width, height) = [(320, 180), (256, 256), (180, 320)][rng.usize(..3)];
        let created_ms = start_ms + (span_ms * i as i64) / n as i64 + rng.i64(0..60_000);
        let id = format!("5c{:022x}", u128::from(i) << 40 | u128::from(seed >> 24));
        let mut metadata = serde_json::Map::new();
        metadata.insert("family".into(), fam.into());
        metadata.insert("take".into(), (i % 7 + 1).into());
        lib.put_asset(AssetRec {
            id: id.clone(),
            method: "direct".into(),
            filename: format!("{fam}-{subject}-{i}.jpg"),
            file_type: Some("image/jpeg".into()),
            kind: "image".into(),
            created_ms,
            user_metadata: Some(metadata),
            enable_hls: false,
            enable_thumbnail: true,
            error: None,
            progress: Progress::done(ASSET_DONE, created_ms),
            size: u64::from(width * height / 8),
            container: Some("jpeg".into()),
            duration: None,
            width: Some(width),
            height: Some(height),
            fps: None,
            sample_rate: None,
            channels: None,
            description: format!("a {subject} in a {fam} scene, {style}"),
            family: Some(fam.into()),
            clips: Vec::new(),
            media: Media::Synthetic {
                seed,
                family,
                width,
                height,
            },
            blob: None,
        });
        if let Some(index_id) = &index_id {
            let ia = derived_id(index_id, &id);
            lib.indexed.insert(
                ia.clone(),
                IndexedRec {
                    id: ia,
                    index_id: index_id.clone(),
                    asset_id: id,
                    created_ms,
                    progress: Progress::done(INDEXED_DONE, created_ms),
                    enable_video_stream: false,
                    user_metadata: None,
                },
            );
        }
    }
}
