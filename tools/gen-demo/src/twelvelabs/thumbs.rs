//! Thumbnails made from the media: a downscale of a picture, a decoded
//! video frame, or a waveform drawn from an audio file's samples.

use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{ExtendedColorType, RgbImage};

use crate::Res;

pub const THUMB_W: u32 = 192;
pub const THUMB_H: u32 = 108;

/// Thumbnails are JPEG at quality 75 (the pictures themselves use 85).
pub fn jpeg(img: &RgbImage) -> Res<Vec<u8>> {
    let (w, h) = img.dimensions();
    let mut buf = Vec::new();
    JpegEncoder::new_with_quality(&mut buf, 75).encode(
        img.as_raw(),
        w,
        h,
        ExtendedColorType::Rgb8,
    )?;
    Ok(buf)
}

/// `img` scaled to `THUMB_W` wide, keeping its aspect ratio.
pub fn downscale(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    let th = (u64::from(h) * u64::from(THUMB_W) / u64::from(w)).max(1) as u32;
    imageops::resize(img, THUMB_W, th, FilterType::Triangle)
}

/// A waveform of `samples`: per column the range of the samples it covers,
/// in the family's tint over a dark gradient, with a faint centre line.
pub fn waveform(samples: &[i16], tint: [u8; 3]) -> RgbImage {
    let (w, h) = (THUMB_W as usize, THUMB_H as usize);
    let mid = h as f32 / 2.0;
    let cols: Vec<(f32, f32, f32)> = (0..w)
        .map(|x| {
            let a = x * samples.len() / w;
            let b = ((x + 1) * samples.len() / w).max(a + 1).min(samples.len());
            let part = &samples[a.min(samples.len().saturating_sub(1))..b];
            let lo = part.iter().copied().min().unwrap_or(0);
            let hi = part.iter().copied().max().unwrap_or(0);
            let rms = (part.iter().map(|&s| f32::from(s).powi(2)).sum::<f32>()
                / part.len().max(1) as f32)
                .sqrt();
            (
                f32::from(lo) / 32768.0,
                f32::from(hi) / 32768.0,
                rms / 32768.0,
            )
        })
        .collect();
    RgbImage::from_fn(THUMB_W, THUMB_H, |x, y| {
        let (lo, hi, rms) = cols[x as usize];
        let v = (mid - y as f32 - 0.5) / (mid - 4.0);
        let bg = 18.0 + 22.0 * (y as f32 / h as f32);
        let mut c = [bg * 0.8, bg * 0.85, bg * 1.2];
        let mix = |c: &mut [f32; 3], a: f32| {
            for k in 0..3 {
                c[k] += (f32::from(tint[k]) - c[k]) * a;
            }
        };
        if v.abs() < 0.012 {
            mix(&mut c, 0.25);
        }
        if v >= lo && v <= hi {
            mix(&mut c, 0.55);
        }
        if v.abs() <= rms {
            mix(&mut c, 0.9);
        }
        image::Rgb(c.map(|f| f.round().clamp(0.0, 255.0) as u8))
    })
}
