//! `--scale N`: synthetic assets, deterministic from a seed, so the browser
//! can be tried and measured at 100 000 assets. Metadata is made at start;
//! pixels are drawn on first request from the asset's seed and family.

pub use assetui_pixels::synth::{render, FAMILIES};

use super::library::{iso_from_millis, num, FileRef, Library, Record};
use assetui_api::models::{
    Asset, AssetKind, AssetMetadata, AssetProperties, AssetStatus, AssetType, Privacy, Seed,
};

pub(crate) const SUBJECTS: &[&str] = &[
    "castle",
    "dragon",
    "spaceship",
    "robot",
    "lighthouse",
    "temple",
    "airship",
    "knight",
    "fox",
    "owl",
    "tower",
    "village",
    "crystal",
    "golem",
    "wizard",
    "samurai",
    "mech",
    "whale",
    "phoenix",
    "garden",
];
pub(crate) const STYLES: &[&str] = &[
    "cinematic lighting",
    "watercolor",
    "isometric",
    "low poly",
    "oil painting",
    "pixel art",
    "concept art",
    "studio photo",
    "anime",
    "claymation",
];
const MODELS: &[(&str, &str)] = &[
    ("model_synthFluxA1b2C3d4E5f6G7", "flux.1"),
    ("model_synthSdxlH8i9J0k1L2m3N4", "sd-xl"),
    ("model_synthLoraO5p6Q7r8S9t0U1", "flux.1-lora"),
];
const TYPES: &[&str] = &[
    "inference-txt2img",
    "inference-img2img",
    "upscale",
    "txt2img",
    "uploaded",
];
const TAGS: &[&str] = &[
    "hero",
    "draft",
    "approved",
    "wip",
    "concept",
    "ui",
    "background",
    "character",
];

/// Synthetic assets come in families of this many (the last one may be
/// smaller): the first of each block is the root, and asset `k` of a block
/// is a child of asset `(k - 1) / FAMILY_FANOUT`, so a family of 500 has
/// four generations (1, 8, 64, 427), made in order.
pub const FAMILY_SIZE: u64 = 500;
pub const FAMILY_FANOUT: u64 = 8;

/// Adds `n` synthetic assets, deterministic from a fixed seed.
pub fn add(lib: &mut Library, n: u64) {
    let mut ids: Vec<String> = Vec::with_capacity(n as usize);
    let mut rng = fastrand::Rng::with_seed(0x5CA1E);
    let authors = [
        "user_synthAuthorA",
        "user_synthAuthorB",
        "user_synthAuthorC",
    ];
    // spread over ~18 months before the demo library's dates
    let start_ms: i64 = 1_704_067_200_000; // 2024-01-01
    let span_ms: i64 = 540 * 86_400_000;
    for i in 0..n {
        let seed = rng.u64(..);
        let family = rng.u8(..FAMILIES.len() as u8);
        let subject = SUBJECTS[rng.usize(..SUBJECTS.len())];
        let style = STYLES[rng.usize(..STYLES.len())];
        let fam = FAMILIES[family as usize];
        let (model_id, model_type) = MODELS[rng.usize(..MODELS.len())];
        let (width, height) = [(512, 512), (768, 432), (432, 768), (1024, 512)][rng.usize(..4)];
        let created = start_ms + (span_ms * i as i64) / n.max(1) as i64 + rng.i64(0..60_000);
        let updated = created + rng.i64(0..30 * 86_400_000);
        let mut tags = vec![fam.to_string(), subject.to_string()];
        if rng.u8(..4) == 0 {
            tags.push(TAGS[rng.usize(..TAGS.len())].to_string());
        }
        let id = format!("asset_synth{:016x}{:06}", seed >> 8, i % 1_000_000);
        let metadata = AssetMetadata {
            kind: Some(AssetKind::Image),
            asset_type: Some(AssetType::from(TYPES[rng.usize(..TYPES.len())])),
            name: (rng.u8(..3) != 0).then(|| format!("{} {subject} #{i}", capitalize(fam))),
            prompt: Some(format!(
                "a {subject} in a {fam} scene, {style}, highly detailed, dramatic composition"
            )),
            negative_prompt: Some("blurry, lowres, watermark".into()),
            seed: Some(Seed::Text((seed % 4_294_967_296).to_string())),
            model_id: Some(model_id.into()),
            model_type: Some(model_type.into()),
            width: Some(num(width)),
            height: Some(num(height)),
            guidance: Some(num(7)),
            num_inference_steps: Some(num(28)),
            scheduler: Some("EulerAncestralDiscreteScheduler".into()),
            inference_id: Some(format!("inf_synth{:08x}", i / 4)),
            parent_id: (i % FAMILY_SIZE != 0).then(|| {
                let block = i - i % FAMILY_SIZE;
                ids[(block + (i % FAMILY_SIZE - 1) / FAMILY_FANOUT) as usize].clone()
            }),
            root_parent_id: (i % FAMILY_SIZE != 0)
                .then(|| ids[(i - i % FAMILY_SIZE) as usize].clone()),
            ..AssetMetadata::default()
        };
        ids.push(id.clone());
        let asset = Asset {
            id,
            author_id: Some(authors[rng.usize(..authors.len())].into()),
            collection_ids: Some(Vec::new()),
            created_at: Some(iso_from_millis(created)),
            edit_capabilities: Some(Vec::new()),
            kind: Some(AssetKind::Image),
            metadata: Some(metadata),
            mime_type: Some("image/jpeg".into()),
            owner_id: Some(lib.owner_id.clone()),
            privacy: Some(if rng.u8(..10) == 0 {
                Privacy::Public
            } else {
                Privacy::Private
            }),
            properties: Some(AssetProperties {
                width: Some(num(width)),
                height: Some(num(height)),
                ..AssetProperties::default()
            }),
            status: Some(AssetStatus::Success),
            tags: Some(tags),
            updated_at: Some(iso_from_millis(updated)),
            nsfw: Some(Vec::new()),
            ..Asset::default()
        };
        lib.put(Record {
            asset,
            file: FileRef::Synthetic {
                seed,
                family,
                width: width as u32,
                height: height as u32,
            },
            family: Some(fam.to_string()),
        });
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
