//! Generates the demo asset libraries that `assetui`'s built-in servers
//! serve: the Scenario-compatible one (`assets/demo/`) and, with
//! `--twelvelabs`, the TwelveLabs one (`assets/twelvelabs/`, see
//! `twelvelabs/mod.rs` and `assets/twelvelabs/README.md`).
//!
//! ```text
//! cargo run --release -p assetui-gen-demo -- assets/demo
//! cargo run --release -p assetui-gen-demo -- --twelvelabs assets/twelvelabs
//! ```
//!
//! Everything is procedural and deterministic: fixed seeds, no clock, no
//! environment input, so two runs write byte-identical files. The generator
//! owns `images/`, `models/`, `audio/`, `video/` and `manifest.json` inside the
//! target directory: it deletes them and writes them again. Anything else there
//! (such as the hand-written `README.md`) is left alone.
//!
//! What it writes:
//!
//! * 66 images in 11 families of 6 look-alike variations (mountain landscapes,
//!   alien planets, seamless stone textures, 2:1 skyboxes, rim-lit portrait
//!   silhouettes, pixel-art sprites, underwater scenes, a neon city at night,
//!   desert dunes, abstract fluid art, a foggy forest), as PNG, JPEG and
//!   lossless WebP, in mixed sizes and aspect ratios. Within a family some
//!   assets derive from others (img2img, restyle, 2x upscales rendered at twice
//!   the resolution, controlnet, inpaint, pixelization), and three are
//!   "uploaded" reference photos.
//! * Derived maps: a real normal map computed from a texture's height field,
//!   and a background-removal cutout (PNG with alpha) of a portrait.
//! * A low-poly rock as binary glTF 2.0 (`.glb`), a synthesized chime as
//!   16-bit PCM mono WAV, and a 12-frame animated GIF of a rotating planet.
//! * `manifest.json`: authors, collections and one record per asset (id,
//!   file, family, kind, MIME type, author, privacy, dates, tags, collections,
//!   caption, and Scenario-style `metadata` with prompt, seed, model, size,
//!   lineage through `parentId`/`rootParentId`).
//!
//! See `assets/demo/README.md` for the manifest fields.

// A dependency nothing uses fails CI (clippy -D warnings). Test builds are
// left out: each test target sees the dev-dependencies of every other.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

use std::error::Error;
use std::path::PathBuf;

mod ids;
mod media;
mod paint;
mod scenario;
mod twelvelabs;

type Res<T> = Result<T, Box<dyn Error>>;

fn main() -> Res<()> {
    let mut twelvelabs = false;
    let mut out: Option<PathBuf> = None;
    for arg in std::env::args_os().skip(1) {
        if arg == "--twelvelabs" {
            twelvelabs = true;
        } else if arg.to_string_lossy().starts_with('-') {
            return Err(format!(
                "unknown option {}; usage: gen-demo [--twelvelabs] [DIR]",
                arg.to_string_lossy()
            )
            .into());
        } else if out.is_none() {
            out = Some(PathBuf::from(arg));
        } else {
            return Err("one target directory only; usage: gen-demo [--twelvelabs] [DIR]".into());
        }
    }
    if twelvelabs {
        let out = out.unwrap_or_else(|| PathBuf::from("assets/twelvelabs"));
        twelvelabs::generate(&out)
    } else {
        let out = out.unwrap_or_else(|| PathBuf::from("assets/demo"));
        scenario::generate(&out)
    }
}
