//! The TwelveLabs demo library (`assets/twelvelabs/`): 32 assets in seven
//! families (pictures, videos, sounds), their thumbnails and clip
//! thumbnails, HLS renditions of every video and sound, and
//! `manifest.json` in the shape `/work/briefs/tl-manifest.md` fixes (see
//! `assets/twelvelabs/README.md`).
//!
//! Containers and codecs, all written here without ffmpeg: videos are H.264
//! (Constrained Baseline, `I_PCM` + `P_Skip`, see `media::h264`) in MP4;
//! sounds are 16-bit PCM WAV; HLS is fragmented MP4 (`EXT-X-MAP`), H.264 for
//! video and FLAC for audio.

use std::fs;
use std::path::Path;

use image::ExtendedColorType;
use serde_json::{json, Map, Value};

use crate::ids::{iso, ms, HOUR};
use crate::media::hls;
use crate::media::picture::encode;
use crate::media::wav;
use crate::Res;

pub mod audio;
pub mod catalog;
pub mod thumbs;
pub mod video;

#[cfg(test)]
mod tests;

use catalog::{catalog, tint, Media, Spec};

/// Ids look like TwelveLabs' (24 lowercase hex digits): this prefix and a
/// four-digit number.
const ID_PREFIX: &str = "6721a3f0c1e5a7b2d4f6";
const INDEX_ID: &str = "6721a3f0c1e5a7b2d4f6aaaa";
/// What the generator owns inside the target directory.
const OWNED: [&str; 4] = ["files", "thumbs", "clips", "hls"];

fn prepare(out: &Path) -> Res<()> {
    fs::create_dir_all(out)?;
    for d in OWNED {
        let p = out.join(d);
        if p.exists() {
            fs::remove_dir_all(&p)?;
        }
        fs::create_dir_all(&p)?;
    }
    let manifest = out.join("manifest.json");
    if manifest.exists() {
        fs::remove_file(manifest)?;
    }
    Ok(())
}

/// RFC 3339 in UTC, whole seconds.
fn rfc3339(t: i64) -> String {
    let s = iso(t);
    format!("{}Z", &s[..19])
}

/// Writes `bytes` at `rel` under `out`; returns `rel` and the size.
fn put(out: &Path, rel: String, bytes: &[u8]) -> Res<(String, usize)> {
    if let Some(dir) = out.join(&rel).parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(out.join(&rel), bytes)?;
    Ok((rel, bytes.len()))
}

/// Whether the demo index references this asset: every video, the sounds
/// of four families, three pictures; the rest stay out (so both kinds
/// exist for force-delete).
fn indexed(spec: &Spec) -> bool {
    match spec.media {
        Media::Video { .. } => true,
        Media::Audio { .. } => matches!(
            spec.family,
            "mountains" | "forest" | "underwater" | "studio"
        ),
        Media::Image { .. } => matches!(
            spec.filename,
            "mountains-dawn.jpg" | "forest-fog.jpg" | "underwater-shallows.jpg"
        ),
    }
}

/// Clip bounds: `n` equal parts of `secs`, rounded to milliseconds.
fn clip_bounds(secs: u32, n: usize) -> Vec<(f64, f64)> {
    let r = |v: f64| (v * 1000.0).round() / 1000.0;
    (0..n)
        .map(|i| {
            let d = f64::from(secs) / n as f64;
            (r(d * i as f64), r(d * (i + 1) as f64))
        })
        .collect()
}

/// Writes the HLS rendition; returns the playlist's path.
fn write_hls(
    out: &Path,
    id: &str,
    init: &[u8],
    segments: &[(f64, Vec<u8>)],
    total: &mut usize,
) -> Res<String> {
    let dir = format!("hls/{id}");
    *total += put(out, format!("{dir}/init.mp4"), init)?.1;
    let mut list = Vec::new();
    for (i, (d, seg)) in segments.iter().enumerate() {
        let name = format!("seg{i}.m4s");
        *total += put(out, format!("{dir}/{name}"), seg)?.1;
        list.push((*d, name));
    }
    let playlist = hls::media_playlist("init.mp4", &list);
    let (rel, n) = put(out, format!("{dir}/index.m3u8"), playlist.as_bytes())?;
    *total += n;
    Ok(rel)
}

/// Writes the whole library into `out` and prints one line per asset.
pub fn generate(out: &Path) -> Res<()> {
    prepare(out)?;
    let base = ms(2026, 9, 14, 8);
    let mut assets = Vec::new();
    let mut index_ids = Vec::new();
    let mut total = 0usize;
    for (i, spec) in catalog().iter().enumerate() {
        let id = format!("{ID_PREFIX}{:04x}", i + 1);
        let created = base + i as i64 * (17 * HOUR + 23 * 60_000 + 7_000);
        let mut a = Map::new();
        a.insert("id".into(), json!(id));
        a.insert("filename".into(), json!(spec.filename));
        let ext = spec.filename.rsplit('.').next().unwrap_or("bin");
        let file_rel = format!("files/{id}.{ext}");
        let thumb_rel = format!("thumbs/{id}.jpg");
        let mut clips = Vec::new();
        let (kind, bytes) = match &spec.media {
            Media::Image { fmt, size, p } => {
                let img = (spec.render)(size.0, size.1, p);
                let bytes = encode(img.as_raw(), size.0, size.1, ExtendedColorType::Rgb8, *fmt)?;
                a.insert("asset_type".into(), json!("image"));
                a.insert("file".into(), json!(file_rel));
                a.insert("mime_type".into(), json!(fmt.mime()));
                a.insert("created_at".into(), json!(rfc3339(created)));
                a.insert("width".into(), json!(size.0));
                a.insert("height".into(), json!(size.1));
                total += put(
                    out,
                    thumb_rel.clone(),
                    &thumbs::jpeg(&thumbs::downscale(&img))?,
                )?
                .1;
                a.insert("thumbnail".into(), json!(thumb_rel));
                ("image", bytes)
            }
            Media::Video { secs, p, motion } => {
                let v = video::make(spec.render, p, *motion, *secs);
                a.insert("asset_type".into(), json!("video"));
                a.insert("file".into(), json!(file_rel));
                a.insert("mime_type".into(), json!("video/mp4"));
                a.insert("created_at".into(), json!(rfc3339(created)));
                a.insert("duration".into(), json!(f64::from(*secs)));
                a.insert("width".into(), json!(video::WIDTH));
                a.insert("height".into(), json!(video::HEIGHT));
                a.insert("fps".into(), json!(f64::from(video::FPS)));
                // the representative frame: one second in
                let rep = &v.frames[(video::FPS as usize).min(v.frames.len() - 1)];
                total += put(out, thumb_rel.clone(), &thumbs::jpeg(rep)?)?.1;
                a.insert("thumbnail".into(), json!(thumb_rel));
                let hls = write_hls(out, &id, &v.init, &v.segments, &mut total)?;
                a.insert("hls".into(), json!(hls));
                for (ci, ((start, end), desc)) in clip_bounds(*secs, spec.clips.len())
                    .into_iter()
                    .zip(spec.clips)
                    .enumerate()
                {
                    let frame =
                        ((start * f64::from(video::FPS)).round() as usize).min(v.frames.len() - 1);
                    let (rel, n) = put(
                        out,
                        format!("clips/{id}-{ci}.jpg"),
                        &thumbs::jpeg(&v.frames[frame])?,
                    )?;
                    total += n;
                    clips.push(
                        json!({"start": start, "end": end, "description": desc, "thumbnail": rel}),
                    );
                }
                ("video", v.mp4)
            }
            Media::Audio { secs, sound } => {
                let au = audio::make(*sound, *secs);
                let bytes = wav::pcm16_mono(&au.samples, audio::RATE);
                a.insert("asset_type".into(), json!("audio"));
                a.insert("file".into(), json!(file_rel));
                a.insert("mime_type".into(), json!("audio/wav"));
                a.insert("created_at".into(), json!(rfc3339(created)));
                a.insert("duration".into(), json!(f64::from(*secs)));
                a.insert("sample_rate".into(), json!(audio::RATE));
                a.insert("channels".into(), json!(1));
                let tintc = tint(spec.family);
                total += put(
                    out,
                    thumb_rel.clone(),
                    &thumbs::jpeg(&thumbs::waveform(&au.samples, tintc))?,
                )?
                .1;
                a.insert("thumbnail".into(), json!(thumb_rel));
                let hls = write_hls(out, &id, &au.init, &au.segments, &mut total)?;
                a.insert("hls".into(), json!(hls));
                for (ci, ((start, end), desc)) in clip_bounds(*secs, spec.clips.len())
                    .into_iter()
                    .zip(spec.clips)
                    .enumerate()
                {
                    let at = |s: f64| ((s * f64::from(audio::RATE)) as usize).min(au.samples.len());
                    let part = &au.samples[at(start)..at(end)];
                    let (rel, n) = put(
                        out,
                        format!("clips/{id}-{ci}.jpg"),
                        &thumbs::jpeg(&thumbs::waveform(part, tintc))?,
                    )?;
                    total += n;
                    clips.push(
                        json!({"start": start, "end": end, "description": desc, "thumbnail": rel}),
                    );
                }
                ("audio", bytes)
            }
        };
        total += put(out, file_rel.clone(), &bytes)?.1;
        a.insert("family".into(), json!(spec.family));
        a.insert("description".into(), json!(spec.description));
        if !spec.meta.is_empty() {
            let meta: Value = serde_json::from_str(spec.meta)?;
            a.insert("user_metadata".into(), meta);
        }
        if !clips.is_empty() {
            a.insert("clips".into(), Value::Array(clips));
        }
        if indexed(spec) {
            index_ids.push(id.clone());
        }
        println!(
            "{:>8}  {:<34} {:<6} {}",
            bytes.len(),
            file_rel,
            kind,
            spec.filename
        );
        assets.push(Value::Object(a));
    }
    let manifest = json!({
        "version": 1,
        "generator": "cargo run --release -p assetui-gen-demo -- --twelvelabs assets/twelvelabs",
        "assets": assets,
        "indexes": [{
            "id": INDEX_ID,
            "index_name": "demo-index",
            "created_at": "2026-09-13T08:00:00Z",
            "models": [{"model_name": "marengo2.7", "model_options": ["visual", "audio"]}],
            "asset_ids": index_ids,
        }],
    });
    let mut text = serde_json::to_string_pretty(&manifest)?;
    text.push('\n');
    total += text.len();
    fs::write(out.join("manifest.json"), text)?;
    println!(
        "{} assets, {:.2} MB in all (files, thumbnails, HLS, manifest), written to {}",
        catalog().len(),
        total as f64 / 1e6,
        out.display()
    );
    Ok(())
}
