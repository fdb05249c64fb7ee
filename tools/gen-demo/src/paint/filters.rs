//! Post-processing for derived assets: blur, posterize, pixelate.

use std::collections::BTreeMap;

use image::RgbImage;

use crate::paint::color::{hex, to_u8};
use crate::paint::pixel_art::PICO8;

/// Separable box blur with radius `r` (clamped at the borders).
pub fn box_blur(img: &RgbImage, r: u32) -> RgbImage {
    if r == 0 {
        return img.clone();
    }
    let (w, h) = img.dimensions();
    let pass = |src: &RgbImage, horizontal: bool| {
        RgbImage::from_fn(w, h, |x, y| {
            let mut sum = [0u32; 3];
            let ri = i64::from(r);
            for o in -ri..=ri {
                let (sx, sy) = if horizontal {
                    ((i64::from(x) + o).clamp(0, i64::from(w) - 1) as u32, y)
                } else {
                    (x, (i64::from(y) + o).clamp(0, i64::from(h) - 1) as u32)
                };
                for (s, v) in sum.iter_mut().zip(src.get_pixel(sx, sy).0) {
                    *s += u32::from(v);
                }
            }
            let n = 2 * r + 1;
            image::Rgb(sum.map(|s| ((s + n / 2) / n) as u8))
        })
    };
    pass(&pass(img, true), false)
}

/// "Restyle": softened, flattened colours with a slight contrast boost (a
/// poster look).
pub fn posterize(img: &mut RgbImage, levels: u8) {
    *img = box_blur(img, img.height() / 300);
    let l = f32::from(levels - 1);
    for px in img.pixels_mut() {
        for v in px.0.iter_mut() {
            let x = f32::from(*v) / 255.0;
            let x = ((x - 0.5) * 1.1 + 0.5).clamp(0.0, 1.0);
            *v = to_u8((x * l).round() / l);
        }
    }
}

/// "Pixelization": the dominant colour of each cell of a `grid`×`grid`
/// lattice, snapped to the PICO-8 palette, scaled back up with nearest
/// neighbour.
pub fn pixelate(img: &RgbImage, grid: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let (cw, ch) = (w / grid, h / grid);
    let pal = PICO8.map(hex);
    let mut cells = vec![[0u8; 3]; (grid * grid) as usize];
    for gy in 0..grid {
        for gx in 0..grid {
            // the most frequent colour of the cell, snapped to the palette
            let mut counts: BTreeMap<[u8; 3], u32> = BTreeMap::new();
            for y in gy * ch..(gy + 1) * ch {
                for x in gx * cw..(gx + 1) * cw {
                    *counts.entry(img.get_pixel(x, y).0).or_insert(0) += 1;
                }
            }
            let mode = counts
                .iter()
                .max_by_key(|(_, &n)| n)
                .map_or([0.0; 3], |(c, _)| c.map(|v| f32::from(v) / 255.0));
            let best = pal
                .iter()
                .min_by(|a, b| {
                    let da: f32 = a.iter().zip(mode).map(|(x, y)| (x - y).powi(2)).sum();
                    let db: f32 = b.iter().zip(mode).map(|(x, y)| (x - y).powi(2)).sum();
                    da.total_cmp(&db)
                })
                .copied()
                .unwrap_or(mode);
            cells[(gy * grid + gx) as usize] = best.map(to_u8);
        }
    }
    RgbImage::from_fn(w, h, |x, y| {
        let (gx, gy) = ((x / cw).min(grid - 1), (y / ch).min(grid - 1));
        image::Rgb(cells[(gy * grid + gx) as usize])
    })
}
