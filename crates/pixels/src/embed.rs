//! Image embeddings computed from the pixels alone (no ML model is
//! available offline), for the demo server's image-similarity searches
//! (`image`, `images.like` / `images.unlike`).
//!
//! The picture is box-filtered once to a 64×64 working grid (aspect ratio
//! ignored: the grid holds relative positions; very large pictures are
//! sampled with a stride so that at most 8×8 source pixels feed a cell),
//! transparent pixels are composited over mid-grey, and five blocks are
//! computed from the grid. Each block is L2-normalised on its own (the
//! "signed" blocks with a norm floor, so that a nearly featureless block,
//! e.g. the layout of a flat grey picture, stays small instead of
//! amplifying noise), multiplied by its weight, and the concatenation is
//! L2-normalised. With unit blocks, the cosine of two embeddings is the
//! weighted mean (weights squared) of the blocks' cosines.
//!
//! | block       | dims | content                                                           |
//! |-------------|------|-------------------------------------------------------------------|
//! | layout      | 48   | 4×4 grid: CIE Lab of each cell's mean colour, centred: (L−50)/50, a/60, b/60 |
//! | structure   | 64   | 8×8 grid of mean lightness minus the picture's mean (composition) |
//! | colour      | 52   | soft HSV histogram: 8 hues × 2 saturations × 3 values + 4 greys, square-rooted (cosine = Bhattacharyya coefficient) |
//! | edges       | 38   | gradient-orientation histograms (8 unsigned orientations × 2×2 quadrants, magnitude-weighted) and a 6-bin gradient-magnitude histogram, square-rooted |
//! | statistics  | 8    | mean lightness, contrast, chroma, edge density, dark and bright fractions, mean gradient, aspect ratio |

use std::f32::consts::{FRAC_PI_2, PI};
use std::sync::OnceLock;

use assetui_api::imaging::{self, DecodeError, Purpose};
use image::{DynamicImage, GenericImageView, Rgba};

/// Side of the working grid.
const SIDE: usize = 64;
/// Pixels in the working grid.
const PIXELS: usize = SIDE * SIDE;
/// At most this many source pixels per grid cell and axis are read.
const MAX_SAMPLES: usize = 8;

const LAYOUT_DIM: usize = 4 * 4 * 3;
const STRUCTURE_DIM: usize = 8 * 8;
const HUES: usize = 8;
const SATS: usize = 2;
const VALS: usize = 3;
const GREYS: usize = 4;
const COLOUR_DIM: usize = HUES * SATS * VALS + GREYS;
const ORIENTS: usize = 8;
const MAG_BINS: usize = 6;
const EDGE_DIM: usize = ORIENTS * 4 + MAG_BINS;
const STATS_DIM: usize = 8;

/// Length of every embedding.
pub const DIM: usize = LAYOUT_DIM + STRUCTURE_DIM + COLOUR_DIM + EDGE_DIM + STATS_DIM;

const W_LAYOUT: f32 = 1.0;
const W_STRUCTURE: f32 = 0.6;
const W_COLOUR: f32 = 1.0;
const W_EDGES: f32 = 0.7;
const W_STATS: f32 = 0.6;

/// Weight of the "unlike" term in [`like_unlike_score`].
pub const UNLIKE_WEIGHT: f32 = 0.5;
/// The like term used when no like is given: about the mean cosine
/// between unrelated pictures (0.18 for the demo's synthetic families,
/// 0.24 for the test families), so that scores with and without likes
/// fall in the same range.
pub const NEUTRAL_LIKE: f32 = 0.25;

/// An L2-normalised feature vector of [`DIM`] values.
#[derive(Clone, Debug, PartialEq)]
pub struct Embedding(pub Vec<f32>);

impl Embedding {
    /// Dot product, which is the cosine for two embeddings made by
    /// [`embed`] (L2-normalised). Eight independent lanes let the compiler
    /// vectorise it: this runs 100 000 times per similarity search.
    pub fn dot(&self, other: &Embedding) -> f32 {
        dot(&self.0, &other.0)
    }

    /// Cosine similarity in −1..=1 (0 when either vector is zero or the
    /// lengths differ).
    pub fn cosine(&self, other: &Embedding) -> f32 {
        if self.0.len() != other.0.len() {
            return 0.0;
        }
        let (mut dot, mut na, mut nb) = (0.0f32, 0.0f32, 0.0f32);
        for (a, b) in self.0.iter().zip(&other.0) {
            dot += a * b;
            na += a * a;
            nb += b * b;
        }
        if na <= f32::EPSILON || nb <= f32::EPSILON {
            return 0.0;
        }
        (dot / (na.sqrt() * nb.sqrt())).clamp(-1.0, 1.0)
    }
}

/// Why bytes could not be embedded.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("not a recognised image format")]
    UnknownFormat,
    /// Over the input limits of [`imaging::LIMITS`]; says which.
    #[error("the image is too large: {0}")]
    TooLarge(String),
    #[error("the image cannot be decoded: {0}")]
    Decode(String),
}

/// Decodes an image (PNG, JPEG, WebP, GIF, BMP, TIFF) with the input
/// limits of [`imaging::LIMITS`] and embeds it. Never panics on bad input.
pub fn embed_bytes(bytes: &[u8]) -> Result<Embedding, EmbedError> {
    match imaging::decode(bytes, Purpose::Input) {
        Ok(img) => Ok(embed(&img)),
        Err(DecodeError::Empty | DecodeError::NotAnImage) => Err(EmbedError::UnknownFormat),
        Err(e @ DecodeError::OverLimits { .. }) => Err(EmbedError::TooLarge(e.to_string())),
        Err(e) => Err(EmbedError::Decode(e.to_string())),
    }
}

/// The dot product of two L2-normalised vectors (their cosine), clamped to
/// −1..=1; 0 when the lengths differ. Eight lanes, so it vectorises.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return 0.0;
    }
    let mut lanes = [0.0f32; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (lanes.iter().sum::<f32>() + tail).clamp(-1.0, 1.0)
}

/// Score for "like these, unlike those":
///
/// `score = mean(cos(c, like)) − UNLIKE_WEIGHT × mean(cos(c, unlike))`
///
/// where a missing unlike list contributes 0. When `like` is empty, its
/// mean is replaced by [`NEUTRAL_LIKE`] (the typical cosine of unrelated
/// pictures), so that only the unlike term orders candidates while the
/// scores stay in the same range as with likes. Both lists empty give
/// `NEUTRAL_LIKE` for every candidate.
pub fn like_unlike_score(candidate: &[f32], like: &[Embedding], unlike: &[Embedding]) -> f32 {
    let mean = |refs: &[Embedding]| -> Option<f32> {
        if refs.is_empty() {
            None
        } else {
            Some(refs.iter().map(|r| dot(candidate, &r.0)).sum::<f32>() / refs.len() as f32)
        }
    };
    let like_term = mean(like).unwrap_or(NEUTRAL_LIKE);
    let unlike_term = mean(unlike).unwrap_or(0.0);
    like_term - UNLIKE_WEIGHT * unlike_term
}

#[cfg(test)]
mod dot_tests {
    use super::*;

    #[test]
    fn dot_equals_cosine_for_normalised_vectors() {
        let a = embed(&DynamicImage::ImageRgb8(image::RgbImage::from_fn(
            40,
            30,
            |x, y| image::Rgb([(x * 6) as u8, (y * 8) as u8, 40]),
        )));
        let b = embed(&DynamicImage::ImageRgb8(image::RgbImage::from_fn(
            30,
            40,
            |x, y| image::Rgb([200, (x * 3) as u8, (y * 5) as u8]),
        )));
        assert!((a.dot(&b) - a.cosine(&b)).abs() < 1e-4);
        assert!((a.dot(&a) - 1.0).abs() < 1e-4);
    }
}

/// Embeds a decoded picture (any size ≥ 1×1; an empty picture embeds as a
/// black one).
pub fn embed(img: &DynamicImage) -> Embedding {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let aspect = if w == 0 || h == 0 {
        1.0
    } else {
        w as f32 / h as f32
    };
    let grid = downscale(img);
    features(&grid, aspect)
}

// ---------------------------------------------------------------------------
// Downscaling

/// Sample ranges of one axis: for each of the `SIDE` outputs, the first
/// source index, the end (exclusive) and the step.
fn axis_ranges(len: usize) -> [(usize, usize, usize); SIDE] {
    let mut out = [(0, 0, 1); SIDE];
    if len == 0 {
        return out;
    }
    for (i, r) in out.iter_mut().enumerate() {
        let start = (i * len / SIDE).min(len - 1);
        let end = ((i + 1) * len / SIDE).clamp(start + 1, len);
        let step = (end - start).div_ceil(MAX_SAMPLES).max(1);
        *r = (start, end, step);
    }
    out
}

/// Box filter to the 64×64 grid of sRGB values in 0..=1. `pixel` turns one
/// source pixel of `C` bytes into `[r, g, b, d]` where r, g, b are the
/// colour channels premultiplied by alpha and `d` the transparency
/// (`255 − alpha`, 0 for opaque formats), all scaled so that `scale` is
/// full intensity; transparency is filled with [`BACKGROUND`].
fn box_filter<const C: usize>(
    raw: &[u8],
    w: usize,
    h: usize,
    scale: f32,
    pixel: impl Fn(&[u8]) -> [u32; 4],
) -> Vec<[f32; 3]> {
    let mut grid = vec![[0.0f32; 3]; PIXELS];
    if w == 0 || h == 0 {
        return grid;
    }
    let xs = axis_ranges(w);
    let ys = axis_ranges(h);
    let stride = w * C;
    let mut acc = [[0u32; 4]; SIDE];
    let mut counts = [0u32; SIDE];
    for (gy, &(y0, y1, sy)) in ys.iter().enumerate() {
        acc.fill([0; 4]);
        counts.fill(0);
        for y in (y0..y1).step_by(sy) {
            let Some(row) = raw.get(y * stride..(y + 1) * stride) else {
                continue;
            };
            for (gx, &(x0, x1, sx)) in xs.iter().enumerate() {
                let Some(span) = row.get(x0 * C..x1 * C) else {
                    continue;
                };
                let mut sum = [0u32; 4];
                let mut add = |p: &[u8]| {
                    let q = pixel(p);
                    sum[0] += q[0];
                    sum[1] += q[1];
                    sum[2] += q[2];
                    sum[3] += q[3];
                };
                let mut n = 0u32;
                if sx == 1 {
                    span.chunks_exact(C).for_each(&mut add);
                    n += (span.len() / C) as u32;
                } else {
                    // Each chunk starts with a sampled pixel.
                    for p in span.chunks(C * sx).filter_map(|c| c.get(..C)) {
                        add(p);
                        n += 1;
                    }
                }
                let a = &mut acc[gx];
                for (a, s) in a.iter_mut().zip(sum) {
                    *a += s;
                }
                counts[gx] += n;
            }
        }
        for gx in 0..SIDE {
            let n = counts[gx].max(1) as f32 * scale;
            let [r, g, b, d] = acc[gx].map(|v| v as f32);
            let bg = d * BACKGROUND as f32;
            grid[gy * SIDE + gx] = [(r + bg) / n, (g + bg) / n, (b + bg) / n];
        }
    }
    grid
}

/// Background for transparent pixels (mid-grey), in 0..=255.
const BACKGROUND: u32 = 128;

fn downscale(img: &DynamicImage) -> Vec<[f32; 3]> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    match img {
        DynamicImage::ImageRgb8(buf) => box_filter::<3>(buf.as_raw(), w, h, 255.0, |p| {
            [u32::from(p[0]), u32::from(p[1]), u32::from(p[2]), 0]
        }),
        DynamicImage::ImageLuma8(buf) => box_filter::<1>(buf.as_raw(), w, h, 255.0, |p| {
            let v = u32::from(p[0]);
            [v, v, v, 0]
        }),
        DynamicImage::ImageLumaA8(buf) => box_filter::<2>(buf.as_raw(), w, h, 65025.0, |p| {
            let a = u32::from(p[1]);
            let v = u32::from(p[0]) * a;
            [v, v, v, 255 - a]
        }),
        DynamicImage::ImageRgba8(buf) => rgba_filter(buf.as_raw(), w, h),
        // 16-bit and float pictures: sampled through a conversion per
        // pixel rather than converting a copy of the whole picture.
        other => sampled_filter(other),
    }
}

fn sampled_filter(img: &DynamicImage) -> Vec<[f32; 3]> {
    let mut grid = vec![[0.0f32; 3]; PIXELS];
    let (w, h) = (img.width(), img.height());
    if w == 0 || h == 0 {
        return grid;
    }
    let xs = axis_ranges(w as usize);
    let ys = axis_ranges(h as usize);
    for (gy, &(y0, y1, sy)) in ys.iter().enumerate() {
        for (gx, &(x0, x1, sx)) in xs.iter().enumerate() {
            let (mut sum, mut n) = ([0u32; 4], 0u32);
            for y in (y0..y1).step_by(sy) {
                for x in (x0..x1).step_by(sx) {
                    let (x, y) = (x as u32, y as u32);
                    if x >= w || y >= h {
                        continue;
                    }
                    let Rgba([r, g, b, a]) = img.get_pixel(x, y);
                    let a32 = u32::from(a);
                    sum[0] += u32::from(r) * a32;
                    sum[1] += u32::from(g) * a32;
                    sum[2] += u32::from(b) * a32;
                    sum[3] += 255 - a32;
                    n += 1;
                }
            }
            let n = n.max(1) as f32 * 65025.0;
            let [r, g, b, d] = sum.map(|v| v as f32);
            let bg = d * BACKGROUND as f32;
            grid[gy * SIDE + gx] = [(r + bg) / n, (g + bg) / n, (b + bg) / n];
        }
    }
    grid
}

fn rgba_filter(raw: &[u8], w: usize, h: usize) -> Vec<[f32; 3]> {
    box_filter::<4>(raw, w, h, 65025.0, |p| {
        let a = u32::from(p[3]);
        [
            u32::from(p[0]) * a,
            u32::from(p[1]) * a,
            u32::from(p[2]) * a,
            255 - a,
        ]
    })
}

// ---------------------------------------------------------------------------
// Features

/// Lookup tables, built once.
struct Tables {
    /// sRGB (0..=1, 1024 steps) to linear light.
    linear: Vec<f32>,
    /// Relative luminance (0..=1, 4096 steps) to Lab lightness / 100.
    lightness: Vec<f32>,
}

const LINEAR_STEPS: usize = 1024;
const LIGHTNESS_STEPS: usize = 4096;

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| Tables {
        linear: (0..=LINEAR_STEPS)
            .map(|i| exact_linear(i as f32 / LINEAR_STEPS as f32))
            .collect(),
        lightness: (0..=LIGHTNESS_STEPS)
            .map(|i| (116.0 * lab_f(i as f32 / LIGHTNESS_STEPS as f32) - 16.0) / 100.0)
            .collect(),
    })
}

impl Tables {
    fn linear(&self, v: f32) -> f32 {
        let i = (v.clamp(0.0, 1.0) * LINEAR_STEPS as f32).round() as usize;
        self.linear.get(i).copied().unwrap_or(1.0)
    }

    /// Lab lightness / 100 of an sRGB colour.
    fn lightness(&self, [r, g, b]: [f32; 3]) -> f32 {
        let y = 0.212_672_9 * self.linear(r)
            + 0.715_152_2 * self.linear(g)
            + 0.072_175 * self.linear(b);
        let t = y.clamp(0.0, 1.0) * LIGHTNESS_STEPS as f32;
        let i = (t as usize).min(LIGHTNESS_STEPS - 1);
        let f = t - i as f32;
        match (self.lightness.get(i), self.lightness.get(i + 1)) {
            (Some(a), Some(b)) => a + (b - a) * f,
            _ => 1.0,
        }
    }
}

fn exact_linear(c: f32) -> f32 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn lab_f(t: f32) -> f32 {
    if t > 0.008_856 {
        t.cbrt()
    } else {
        7.787 * t + 16.0 / 116.0
    }
}

/// atan2 to within 3e-4 rad (plenty for 8 orientation bins), much cheaper
/// than the libm one.
fn fast_atan2(y: f32, x: f32) -> f32 {
    let (ax, ay) = (x.abs(), y.abs());
    let (lo, hi) = (ax.min(ay), ax.max(ay));
    if hi <= 0.0 {
        return 0.0;
    }
    let a = lo / hi;
    let s = a * a;
    let mut r = ((-0.046_496_475 * s + 0.159_314_22) * s - 0.327_622_76) * s * a + a;
    if ay > ax {
        r = FRAC_PI_2 - r;
    }
    if x < 0.0 {
        r = PI - r;
    }
    if y < 0.0 {
        -r
    } else {
        r
    }
}

/// sRGB (0..=1) to CIE Lab (D65): L in 0..=100, a and b roughly −100..=100.
fn lab(rgb: [f32; 3]) -> [f32; 3] {
    let [r, g, b] = rgb.map(exact_linear);
    let x = (0.412_456_4 * r + 0.357_576_1 * g + 0.180_437_5 * b) / 0.950_47;
    let y = 0.212_672_9 * r + 0.715_152_2 * g + 0.072_175 * b;
    let z = (0.019_333_9 * r + 0.119_192 * g + 0.950_304_1 * b) / 1.088_83;
    let (fx, fy, fz) = (lab_f(x), lab_f(y), lab_f(z));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// Scales `v` to unit length, or by `1 / floor` when its norm is below
/// `floor` (a weak block stays weak).
fn normalise(v: &mut [f32], floor: f32) {
    let norm = v
        .iter()
        .map(|x| x * x)
        .sum::<f32>()
        .sqrt()
        .max(floor)
        .max(1e-12);
    v.iter_mut().for_each(|x| *x /= norm);
}

/// Square roots of a histogram's frequencies (unit length when non-empty).
fn sqrt_distribution(h: &mut [f32]) {
    let total: f32 = h.iter().sum();
    if total > 0.0 {
        h.iter_mut().for_each(|x| *x = (*x / total).sqrt());
    }
}

/// Adds `w` to a linear soft assignment of `t` (in bin units, centres at
/// integers) over `n` bins, clamped at the ends.
fn soft_linear(t: f32, n: usize) -> [(usize, f32); 2] {
    let t = t.clamp(0.0, (n - 1) as f32);
    let i = (t.floor() as usize).min(n - 1);
    let f = t - i as f32;
    [(i, 1.0 - f), ((i + 1).min(n - 1), f)]
}

/// Same, circular (for hue and orientation).
fn soft_circular(t: f32, n: usize) -> [(usize, f32); 2] {
    let t = t.rem_euclid(n as f32);
    let i = (t.floor() as usize) % n;
    let f = t - t.floor();
    [(i, 1.0 - f), ((i + 1) % n, f)]
}

fn features(rgb: &[[f32; 3]], aspect: f32) -> Embedding {
    let tables = tables();
    let lightness: Vec<f32> = rgb.iter().map(|&p| tables.lightness(p)).collect();
    let n = PIXELS as f32;

    // Layout: Lab of each 4×4 cell's mean colour. Structure: 8×8 mean
    // lightness, centred.
    let mut cells = [[0.0f32; 3]; 16];
    let mut structure = [0.0f32; STRUCTURE_DIM];
    for (i, (p, l)) in rgb.iter().zip(&lightness).enumerate() {
        let (x, y) = (i % SIDE, i / SIDE);
        let cell = &mut cells[(y / 16) * 4 + x / 16];
        cell[0] += p[0];
        cell[1] += p[1];
        cell[2] += p[2];
        structure[(y / 8) * 8 + x / 8] += l;
    }
    let mut layout = [0.0f32; LAYOUT_DIM];
    for (out, cell) in layout.chunks_exact_mut(3).zip(cells) {
        let [l, a, b] = lab(cell.map(|c| c / 256.0));
        out[0] = (l - 50.0) / 50.0;
        out[1] = a / 60.0;
        out[2] = b / 60.0;
    }
    let mean_l = lightness.iter().sum::<f32>() / n;
    structure.iter_mut().for_each(|s| *s = *s / 64.0 - mean_l);
    normalise(&mut layout, 0.2 * (LAYOUT_DIM as f32).sqrt());
    normalise(&mut structure, 0.05 * (STRUCTURE_DIM as f32).sqrt());

    // Colour: soft HSV histogram with separate grey bins.
    let mut colour = [0.0f32; COLOUR_DIM];
    let mut chroma_sum = 0.0f32;
    for p in rgb {
        let [r, g, b] = *p;
        let max = r.max(g).max(b);
        let min = r.min(g).min(b);
        let c = max - min;
        chroma_sum += c;
        let chromatic = ((c - 0.06) / 0.12).clamp(0.0, 1.0);
        if chromatic < 1.0 {
            for (i, w) in soft_linear(max * (GREYS - 1) as f32, GREYS) {
                colour[HUES * SATS * VALS + i] += w * (1.0 - chromatic);
            }
        }
        if chromatic > 0.0 {
            let hue = if c <= 0.0 {
                0.0
            } else if max == r {
                ((g - b) / c).rem_euclid(6.0)
            } else if max == g {
                (b - r) / c + 2.0
            } else {
                (r - g) / c + 4.0
            } / 6.0;
            let sat = if max > 0.0 { c / max } else { 0.0 };
            let hs = soft_circular(hue * HUES as f32, HUES);
            let ss = soft_linear((sat - 0.35) / 0.45, SATS);
            let vs = soft_linear((max - 0.2) / 0.35, VALS);
            for (hi, hw) in hs {
                for (si, sw) in ss {
                    for (vi, vw) in vs {
                        colour[(hi * SATS + si) * VALS + vi] += chromatic * hw * sw * vw;
                    }
                }
            }
        }
    }
    sqrt_distribution(&mut colour);

    // Edges: gradients of lightness (central differences).
    let mut orient = [0.0f32; ORIENTS * 4];
    let mut mags = [0.0f32; MAG_BINS];
    let (mut mag_sum, mut strong) = (0.0f32, 0u32);
    for y in 1..SIDE - 1 {
        let (Some(up), Some(row), Some(down)) = (
            lightness.get((y - 1) * SIDE..y * SIDE),
            lightness.get(y * SIDE..(y + 1) * SIDE),
            lightness.get((y + 1) * SIDE..(y + 2) * SIDE),
        ) else {
            continue;
        };
        for x in 1..SIDE - 1 {
            let gx = (row[x + 1] - row[x - 1]) * 0.5;
            let gy = (down[x] - up[x]) * 0.5;
            let m = (gx * gx + gy * gy).sqrt();
            mag_sum += m;
            if m > 0.04 {
                strong += 1;
            }
            // Magnitude bins: flat, then octaves from 0.005 up.
            let t = if m <= 0.0025 {
                0.0
            } else {
                (m / 0.0025).log2().clamp(0.0, (MAG_BINS - 1) as f32)
            };
            for (i, w) in soft_linear(t, MAG_BINS) {
                mags[i] += w;
            }
            if m > 0.002 {
                let angle = fast_atan2(gy, gx);
                let angle = if angle < 0.0 { angle + PI } else { angle };
                let quadrant = (y / (SIDE / 2)) * 2 + x / (SIDE / 2);
                for (i, w) in soft_circular(angle / PI * ORIENTS as f32, ORIENTS) {
                    orient[quadrant * ORIENTS + i] += w * m;
                }
            }
        }
    }
    let inner = ((SIDE - 2) * (SIDE - 2)) as f32;
    let mut edges = [0.0f32; EDGE_DIM];
    sqrt_distribution(&mut orient);
    sqrt_distribution(&mut mags);
    let orient_norm = if orient.iter().any(|&v| v > 0.0) {
        0.8
    } else {
        0.0
    };
    for (e, o) in edges.iter_mut().zip(orient.iter()) {
        *e = o * orient_norm;
    }
    for (e, m) in edges[ORIENTS * 4..].iter_mut().zip(mags.iter()) {
        *e = m * 0.6;
    }
    normalise(&mut edges, 1e-6);

    // Global statistics, each mapped to about −1..=1.
    let var_l = lightness
        .iter()
        .map(|l| (l - mean_l) * (l - mean_l))
        .sum::<f32>()
        / n;
    let dark = lightness.iter().filter(|&&l| l < 0.2).count() as f32 / n;
    let bright = lightness.iter().filter(|&&l| l > 0.8).count() as f32 / n;
    let mut stats = [
        2.0 * mean_l - 1.0,
        (4.0 * var_l.sqrt() - 1.0).clamp(-1.0, 1.0),
        (3.0 * chroma_sum / n - 1.0).clamp(-1.0, 1.0),
        2.0 * strong as f32 / inner - 1.0,
        2.0 * dark - 1.0,
        2.0 * bright - 1.0,
        ((mag_sum / inner) * 20.0 - 1.0).clamp(-1.0, 1.0),
        aspect.max(1e-6).log2().clamp(-2.0, 2.0) * 0.5,
    ];
    normalise(&mut stats, 0.3 * (STATS_DIM as f32).sqrt());

    let mut out = Vec::with_capacity(DIM);
    let blocks: [(&[f32], f32); 5] = [
        (&layout, W_LAYOUT),
        (&structure, W_STRUCTURE),
        (&colour, W_COLOUR),
        (&edges, W_EDGES),
        (&stats, W_STATS),
    ];
    for (block, weight) in blocks {
        out.extend(block.iter().map(|v| v * weight));
    }
    normalise(&mut out, 1e-12);
    Embedding(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, Rgb, RgbImage};
    use std::io::Cursor;
    use std::time::Instant;

    /// Smooth value noise in 0..=1 on a `cells`×`cells` lattice.
    fn value_noise(rng: &mut fastrand::Rng, cells: usize) -> impl Fn(f32, f32) -> f32 {
        let lattice: Vec<f32> = (0..(cells + 1) * (cells + 1)).map(|_| rng.f32()).collect();
        move |u: f32, v: f32| {
            let (x, y) = (u * cells as f32, v * cells as f32);
            let (xi, yi) = (
                (x.floor() as usize).min(cells - 1),
                (y.floor() as usize).min(cells - 1),
            );
            let (fx, fy) = (x - xi as f32, y - yi as f32);
            let at = |i: usize, j: usize| lattice[j * (cells + 1) + i];
            let top = at(xi, yi) * (1.0 - fx) + at(xi + 1, yi) * fx;
            let bottom = at(xi, yi + 1) * (1.0 - fx) + at(xi + 1, yi + 1) * fx;
            top * (1.0 - fy) + bottom * fy
        }
    }

    fn to_px(c: [f32; 3]) -> Rgb<u8> {
        Rgb(c.map(|v| v.clamp(0.0, 255.0) as u8))
    }

    /// Blue sky gradient, a sun somewhere, a few soft clouds.
    fn sky(seed: u64, w: u32, h: u32) -> RgbImage {
        let mut rng = fastrand::Rng::with_seed(seed);
        let (sx, sy, sr) = (
            rng.f32() * 0.8 + 0.1,
            rng.f32() * 0.5 + 0.1,
            rng.f32() * 0.06 + 0.04,
        );
        let clouds: Vec<(f32, f32, f32)> = (0..rng.usize(1..4))
            .map(|_| (rng.f32(), rng.f32() * 0.7, rng.f32() * 0.1 + 0.05))
            .collect();
        let tint = rng.f32() * 20.0;
        RgbImage::from_fn(w, h, |x, y| {
            let (u, v) = (x as f32 / w as f32, y as f32 / h as f32);
            let mut c = [40.0 + 120.0 * v + tint, 100.0 + 100.0 * v, 220.0 + 30.0 * v];
            for &(cx, cy, r) in &clouds {
                let d = (((u - cx) / 2.0).powi(2) + (v - cy).powi(2)).sqrt();
                let k = (1.0 - d / r).clamp(0.0, 1.0) * 0.8;
                c = [0, 1, 2].map(|i| c[i] * (1.0 - k) + 245.0 * k);
            }
            let d = ((u - sx).powi(2) + (v - sy).powi(2)).sqrt();
            if d < sr {
                c = [255.0, 250.0, 200.0];
            } else if d < sr * 2.0 {
                let k = 1.0 - (d - sr) / sr;
                c = [c[0] + 80.0 * k, c[1] + 70.0 * k, c[2] + 20.0 * k];
            }
            to_px(c)
        })
    }

    /// Red-brown rusty noise.
    fn rust(seed: u64, w: u32, h: u32) -> RgbImage {
        let mut rng = fastrand::Rng::with_seed(seed);
        let (coarse_cells, fine_cells) = (rng.usize(4..8), rng.usize(24..40));
        let coarse = value_noise(&mut rng, coarse_cells);
        let fine = value_noise(&mut rng, fine_cells);
        let hue = rng.f32() * 30.0;
        RgbImage::from_fn(w, h, |x, y| {
            let (u, v) = (x as f32 / w as f32, y as f32 / h as f32);
            let n = 0.6 * coarse(u, v) + 0.4 * fine(u, v) + (rng.f32() - 0.5) * 0.15;
            to_px([90.0 + 110.0 * n + hue, 35.0 + 50.0 * n, 15.0 + 25.0 * n])
        })
    }

    /// From, to, half width, colour.
    type NeonLine = ([f32; 2], [f32; 2], f32, [f32; 3]);

    /// Dark background with a few bright neon lines.
    fn neon(seed: u64, w: u32, h: u32) -> RgbImage {
        let mut rng = fastrand::Rng::with_seed(seed);
        let palette = [
            [255.0, 40.0, 220.0],
            [30.0, 240.0, 255.0],
            [80.0, 255.0, 90.0],
        ];
        let lines: Vec<NeonLine> = (0..rng.usize(4..8))
            .map(|_| {
                (
                    [rng.f32(), rng.f32()],
                    [rng.f32(), rng.f32()],
                    rng.f32() * 0.008 + 0.004,
                    palette[rng.usize(..palette.len())],
                )
            })
            .collect();
        RgbImage::from_fn(w, h, |x, y| {
            let (u, v) = (x as f32 / w as f32, y as f32 / h as f32);
            let mut c = [8.0, 6.0, 18.0 + 10.0 * v];
            for &(a, b, width, colour) in &lines {
                let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
                let t = (((u - a[0]) * dx + (v - a[1]) * dy) / (dx * dx + dy * dy).max(1e-6))
                    .clamp(0.0, 1.0);
                let d = ((u - a[0] - t * dx).powi(2) + (v - a[1] - t * dy).powi(2)).sqrt();
                let k = if d < width {
                    1.0
                } else {
                    (1.0 - (d - width) / (width * 3.0)).max(0.0) * 0.5
                };
                c = [0, 1, 2].map(|i| c[i].max(colour[i] * k));
            }
            to_px(c)
        })
    }

    /// Sunset: orange to purple gradient, dark hills at the bottom.
    fn sunset(seed: u64, w: u32, h: u32) -> RgbImage {
        let mut rng = fastrand::Rng::with_seed(seed);
        let cells = rng.usize(3..6);
        let hills = value_noise(&mut rng, cells);
        let (sx, sr) = (rng.f32() * 0.6 + 0.2, rng.f32() * 0.05 + 0.05);
        let horizon = rng.f32() * 0.15 + 0.6;
        RgbImage::from_fn(w, h, |x, y| {
            let (u, v) = (x as f32 / w as f32, y as f32 / h as f32);
            let ground = horizon + 0.15 * hills(u, 0.5);
            if v > ground {
                return to_px([30.0, 15.0, 30.0]);
            }
            let mut c = [120.0 + 135.0 * v, 40.0 + 110.0 * v, 110.0 - 60.0 * v];
            let d = ((u - sx).powi(2) + (v - horizon + 0.05).powi(2)).sqrt();
            if d < sr {
                c = [255.0, 210.0, 120.0];
            }
            to_px(c)
        })
    }

    type Generator = fn(u64, u32, u32) -> RgbImage;
    const FAMILIES: [(&str, Generator); 4] = [
        ("sky", sky),
        ("rust", rust),
        ("neon", neon),
        ("sunset", sunset),
    ];
    const SIZES: [(u32, u32); 4] = [(256, 256), (320, 240), (200, 300), (288, 192)];

    /// (family index, picture) for 4 families × 4 variations.
    fn library() -> Vec<(usize, RgbImage)> {
        let mut out = Vec::new();
        for (f, (_, generate)) in FAMILIES.iter().enumerate() {
            for (v, &(w, h)) in SIZES.iter().enumerate() {
                out.push((f, generate(1000 * f as u64 + v as u64 * 7 + 1, w, h)));
            }
        }
        out
    }

    fn embed_rgb(img: &RgbImage) -> Embedding {
        embed(&DynamicImage::ImageRgb8(img.clone()))
    }

    fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn dimension_and_self_similarity() {
        for (_, img) in library() {
            let e = embed_rgb(&img);
            assert_eq!(e.0.len(), DIM);
            assert!(e.0.iter().all(|v| v.is_finite()));
            let norm = e.0.iter().map(|v| v * v).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
            assert!((e.cosine(&e) - 1.0).abs() < 1e-5);
            assert_eq!(e, embed_rgb(&img), "deterministic");
        }
    }

    #[test]
    fn degenerate_pictures_embed() {
        for img in [
            DynamicImage::new_rgb8(0, 0),
            DynamicImage::new_rgb8(1, 1),
            DynamicImage::new_rgb8(1, 500),
            DynamicImage::new_luma8(3, 2),
            DynamicImage::new_rgba8(10, 10),
            DynamicImage::new_luma_a8(7, 9),
            DynamicImage::new_rgb16(5, 5),
            DynamicImage::new_rgba32f(70, 3),
            DynamicImage::ImageRgb8(RgbImage::from_pixel(40, 40, Rgb([128, 128, 128]))),
            DynamicImage::ImageRgb8(RgbImage::from_pixel(40, 40, Rgb([255, 255, 255]))),
        ] {
            let e = embed(&img);
            assert_eq!(e.0.len(), DIM);
            assert!(e.0.iter().all(|v| v.is_finite()));
            assert!((e.cosine(&e) - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    fn families_are_nearest_neighbours() {
        let lib = library();
        let embs: Vec<Embedding> = lib.iter().map(|(_, img)| embed_rgb(img)).collect();
        let (mut worst_within, mut best_across) = (1.0f32, -1.0f32);
        for (i, (fi, _)) in lib.iter().enumerate() {
            let mut sims: Vec<(f32, usize)> = lib
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(j, (fj, _))| (embs[i].cosine(&embs[j]), *fj))
                .collect();
            for &(s, fj) in &sims {
                if fj == *fi {
                    worst_within = worst_within.min(s);
                } else {
                    best_across = best_across.max(s);
                }
            }
            sims.sort_by(|a, b| b.0.total_cmp(&a.0));
            let same = SIZES.len() - 1;
            for &(s, fj) in &sims[..same] {
                assert_eq!(
                    fj, *fi,
                    "picture {i} ({}): neighbour from {} at {s}; ranking {sims:?}",
                    FAMILIES[*fi].0, FAMILIES[fj].0
                );
            }
        }
        let (mut across, mut pairs) = (0.0f32, 0);
        for i in 0..lib.len() {
            for j in i + 1..lib.len() {
                if lib[i].0 != lib[j].0 {
                    across += embs[i].cosine(&embs[j]);
                    pairs += 1;
                }
            }
        }
        eprintln!(
            "cosine within a family ≥ {worst_within:.3}, across families ≤ {best_across:.3} (mean {:.3})",
            across / pairs as f32
        );
        assert!(worst_within > best_across);
    }

    #[test]
    fn resized_and_reencoded_stay_close() {
        let lib = library();
        let embs: Vec<Embedding> = lib.iter().map(|(_, img)| embed_rgb(img)).collect();
        for (i, (_, img)) in lib.iter().enumerate() {
            let dynamic = DynamicImage::ImageRgb8(img.clone());
            let half = dynamic.resize_exact(
                img.width() / 2,
                img.height() / 2,
                image::imageops::FilterType::Triangle,
            );
            let double = dynamic.resize_exact(
                img.width() * 2,
                img.height() * 2,
                image::imageops::FilterType::Lanczos3,
            );
            let jpeg = embed_bytes(&encode(&dynamic, ImageFormat::Jpeg)).unwrap();
            let small_jpeg = embed_bytes(&encode(&half, ImageFormat::Jpeg)).unwrap();
            let png = embed_bytes(&encode(&dynamic, ImageFormat::Png)).unwrap();
            assert!(
                (png.cosine(&embs[i]) - 1.0).abs() < 1e-5,
                "lossless round trip"
            );
            for (what, e) in [
                ("half", embed(&half)),
                ("double", embed(&double)),
                ("jpeg", jpeg),
                ("half jpeg", small_jpeg),
            ] {
                let own = e.cosine(&embs[i]);
                for (j, other) in embs.iter().enumerate() {
                    if j != i {
                        let s = e.cosine(other);
                        assert!(
                            own > s,
                            "{what} of picture {i}: {own} to its original, {s} to picture {j}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn sixteen_bit_matches_eight_bit() {
        let img = DynamicImage::ImageRgb8(rust(4, 200, 150));
        let e8 = embed(&img);
        for other in [
            DynamicImage::ImageRgb16(img.to_rgb16()),
            DynamicImage::ImageRgba16(img.to_rgba16()),
            DynamicImage::ImageRgb32F(img.to_rgb32f()),
        ] {
            assert!(e8.cosine(&embed(&other)) > 0.9999);
        }
    }

    #[test]
    fn transparency_is_composited() {
        let opaque = DynamicImage::ImageRgb8(sky(5, 64, 64));
        let rgba = DynamicImage::ImageRgba8(opaque.to_rgba8());
        assert!((embed(&opaque).cosine(&embed(&rgba)) - 1.0).abs() < 1e-5);
        // A fully transparent picture is mid-grey.
        let clear = DynamicImage::new_rgba8(32, 32);
        let grey = DynamicImage::ImageRgb8(RgbImage::from_pixel(32, 32, Rgb([128, 128, 128])));
        assert!((embed(&clear).cosine(&embed(&grey)) - 1.0).abs() < 1e-5);
    }

    #[test]
    fn unlike_pushes_a_family_down() {
        let lib = library();
        let embs: Vec<Embedding> = lib.iter().map(|(_, img)| embed_rgb(img)).collect();
        let family_of = |i: usize| lib[i].0;
        let mean_rank = |scores: &[f32], family: usize| {
            let mut order: Vec<usize> = (0..scores.len()).collect();
            order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
            let ranks: Vec<usize> = order
                .iter()
                .enumerate()
                .filter(|(_, &i)| family_of(i) == family)
                .map(|(r, _)| r)
                .collect();
            ranks.iter().sum::<usize>() as f32 / ranks.len() as f32
        };
        // Like a sky picture: skies first.
        let like = [embs[0].clone()];
        let plain: Vec<f32> = embs
            .iter()
            .map(|e| like_unlike_score(&e.0, &like, &[]))
            .collect();
        let sunset = 3 * SIZES.len();
        let unlike = [embs[sunset].clone()];
        let pushed: Vec<f32> = embs
            .iter()
            .map(|e| like_unlike_score(&e.0, &like, &unlike))
            .collect();
        assert!(mean_rank(&plain, 0) < 2.0, "skies first");
        assert!(mean_rank(&pushed, 0) < 2.0, "skies still first");
        // Every sunset loses more than any picture of another family.
        let drop = |i: usize| plain[i] - pushed[i];
        let min_sunset_drop = (0..embs.len())
            .filter(|&i| family_of(i) == 3)
            .map(drop)
            .fold(f32::MAX, f32::min);
        let max_other_drop = (0..embs.len())
            .filter(|&i| family_of(i) != 3)
            .map(drop)
            .fold(f32::MIN, f32::max);
        assert!(
            min_sunset_drop > max_other_drop,
            "{min_sunset_drop} vs {max_other_drop}"
        );
        assert!(mean_rank(&pushed, 3) > mean_rank(&plain, 3));
        // Unlike alone: the neon family goes to the bottom.
        let neon = 2 * SIZES.len();
        let alone: Vec<f32> = embs
            .iter()
            .map(|e| like_unlike_score(&e.0, &[], &[embs[neon].clone()]))
            .collect();
        assert!(
            mean_rank(&alone, 2) >= (embs.len() - SIZES.len()) as f32,
            "neon last"
        );
        for s in &alone {
            assert!((NEUTRAL_LIKE - UNLIKE_WEIGHT..=NEUTRAL_LIKE + UNLIKE_WEIGHT).contains(s));
        }
        // Nothing at all: a constant.
        assert_eq!(like_unlike_score(&embs[1].0, &[], &[]), NEUTRAL_LIKE);
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }

    #[test]
    fn huge_png_header_is_refused_fast() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, no interlace
        png_chunk(&mut png, b"IHDR", &ihdr);
        png_chunk(
            &mut png,
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        );
        png_chunk(&mut png, b"IEND", &[]);
        let err = embed_bytes(&png).unwrap_err();
        assert!(matches!(err, EmbedError::TooLarge(_)), "{err:?}");
        assert!(err.to_string().contains("too large"));
        // Within the side limit but above the allocation limit.
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&16_000u32.to_be_bytes());
        ihdr.extend_from_slice(&16_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        png_chunk(&mut png, b"IHDR", &ihdr);
        png_chunk(
            &mut png,
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        );
        png_chunk(&mut png, b"IEND", &[]);
        let err = embed_bytes(&png).unwrap_err();
        assert!(matches!(err, EmbedError::TooLarge(_)), "{err:?}");
    }

    #[test]
    fn bad_bytes_are_errors_not_panics() {
        assert!(matches!(embed_bytes(b""), Err(EmbedError::UnknownFormat)));
        assert!(matches!(
            embed_bytes(b"hello, world"),
            Err(EmbedError::UnknownFormat)
        ));
        let img = DynamicImage::ImageRgb8(neon(3, 48, 40));
        let mut rng = fastrand::Rng::with_seed(42);
        for format in [
            ImageFormat::Png,
            ImageFormat::Jpeg,
            ImageFormat::Gif,
            ImageFormat::Bmp,
            ImageFormat::Tiff,
            ImageFormat::WebP,
        ] {
            let bytes = encode(&img, format);
            assert!(embed_bytes(&bytes).is_ok(), "{format:?} decodes");
            // Truncations.
            for cut in [1, 8, 16, 33, bytes.len() / 2, bytes.len() - 1] {
                let _ = embed_bytes(&bytes[..cut.min(bytes.len())]);
            }
            assert!(
                embed_bytes(&bytes[..bytes.len() / 2]).is_err()
                    || format == ImageFormat::Jpeg
                    || format == ImageFormat::Bmp
            );
            // Corruptions after the header.
            for _ in 0..20 {
                let mut bad = bytes.clone();
                for _ in 0..rng.usize(1..10) {
                    let i = rng.usize(8.min(bad.len())..bad.len());
                    bad[i] = rng.u8(..);
                }
                let _ = embed_bytes(&bad);
            }
        }
        // Random bytes, with and without a valid signature in front.
        let signatures: [&[u8]; 7] = [
            b"",
            b"\x89PNG\r\n\x1a\n",
            b"\xff\xd8\xff",
            b"GIF89a",
            b"BM",
            b"II*\x00",
            b"RIFF\x10\x00\x00\x00WEBPVP8 ",
        ];
        for round in 0..300 {
            let sig = signatures[round % signatures.len()];
            let mut bytes = sig.to_vec();
            bytes.extend((0..rng.usize(0..2000)).map(|_| rng.u8(..)));
            let _ = embed_bytes(&bytes);
        }
    }

    #[test]
    fn fast_atan2_is_accurate() {
        for i in 0..1000 {
            let t = i as f32 * 0.0063;
            for r in [1e-3f32, 1.0, 50.0] {
                let (y, x) = (t.sin() * r, t.cos() * r);
                assert!((fast_atan2(y, x) - y.atan2(x)).abs() < 3e-4, "{y} {x}");
            }
        }
        assert_eq!(fast_atan2(0.0, 0.0), 0.0);
    }

    #[test]
    fn timing_1024() {
        let mut rng = fastrand::Rng::with_seed(9);
        let raw: Vec<u8> = (0..1024 * 1024 * 3).map(|_| rng.u8(..)).collect();
        let img = DynamicImage::ImageRgb8(RgbImage::from_raw(1024, 1024, raw).unwrap());
        let rgba = DynamicImage::ImageRgba8(img.to_rgba8());
        let big = DynamicImage::ImageRgb8(RgbImage::new(4096, 4096));
        let _ = embed(&img);
        let best_of = |f: &dyn Fn()| {
            (0..30)
                .map(|_| {
                    let start = Instant::now();
                    f();
                    start.elapsed()
                })
                .min()
                .unwrap_or_default()
        };
        for (what, img) in [
            ("1024² RGB", &img),
            ("1024² RGBA", &rgba),
            ("4096² RGB", &big),
        ] {
            let total = best_of(&|| {
                std::hint::black_box(embed(img));
            });
            let scale = best_of(&|| {
                std::hint::black_box(downscale(img));
            });
            eprintln!("embed {what}: {total:?} (best of 30), of which downscaling {scale:?}");
        }
    }
}
