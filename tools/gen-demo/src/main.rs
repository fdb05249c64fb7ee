//! Generates the demo asset library that `assetui`'s built-in
//! Scenario-compatible demo server serves (`assets/demo/`).
//!
//! ```text
//! cargo run --release -p assetui-gen-demo -- assets/demo
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

use std::collections::BTreeMap;
use std::error::Error;
use std::f32::consts::{FRAC_1_SQRT_2, PI, TAU};
use std::fs;
use std::path::{Path, PathBuf};

use fastrand::Rng;
use image::codecs::gif::{GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::{Delay, ExtendedColorType, Frame, ImageEncoder, RgbImage, RgbaImage};
use serde_json::{json, Map, Value};

type Res<T> = Result<T, Box<dyn Error>>;

// ===========================================================================
// Colour helpers
// ===========================================================================

/// Linear-ish RGB in 0..1 (we work directly on sRGB values).
type Col = [f32; 3];

fn hex(c: u32) -> Col {
    [
        ((c >> 16) & 255) as f32 / 255.0,
        ((c >> 8) & 255) as f32 / 255.0,
        (c & 255) as f32 / 255.0,
    ]
}

fn mix(a: Col, b: Col, t: f32) -> Col {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

fn add(a: Col, b: Col) -> Col {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

fn scale(a: Col, s: f32) -> Col {
    [a[0] * s, a[1] * s, a[2] * s]
}

/// Rotates a colour's hue by `deg` degrees around the grey axis.
fn hue_rot(c: Col, deg: f32) -> Col {
    if deg == 0.0 {
        return c;
    }
    let (s, co) = deg.to_radians().sin_cos();
    let k = 1.0 / 3f32.sqrt();
    let t = (1.0 - co) / 3.0;
    let m = [
        [co + t, t - k * s, t + k * s],
        [t + k * s, co + t, t - k * s],
        [t - k * s, t + k * s, co + t],
    ];
    [
        m[0][0] * c[0] + m[0][1] * c[1] + m[0][2] * c[2],
        m[1][0] * c[0] + m[1][1] * c[1] + m[1][2] * c[2],
        m[2][0] * c[0] + m[2][1] * c[1] + m[2][2] * c[2],
    ]
}

fn smooth(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

fn to_u8(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
}

// ===========================================================================
// Noise (all hash-based, so deterministic and seedable)
// ===========================================================================

fn mix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x7feb_352d);
    h ^= h >> 15;
    h = h.wrapping_mul(0x846c_a68b);
    h ^= h >> 16;
    h
}

const HX: u32 = 0x8da6_b343;
const HY: u32 = 0xd816_3841;
const HS: u32 = 0xcb1a_b31f;

fn hash(x: i32, y: i32, s: u32) -> u32 {
    mix32((x as u32).wrapping_mul(HX) ^ (y as u32).wrapping_mul(HY) ^ s.wrapping_mul(HS))
}

/// A hash in 0..1.
fn unit(x: i32, y: i32, s: u32) -> f32 {
    (hash(x, y, s) >> 8) as f32 / 16_777_216.0
}

fn fade(t: f32) -> f32 {
    t * t * t * (t * (t * 6.0 - 15.0) + 10.0)
}

const R1: f32 = 0.923_879_5;
const R2: f32 = 0.382_683_43;
const GRAD: [(f32, f32); 16] = [
    (1.0, 0.0),
    (R1, R2),
    (FRAC_1_SQRT_2, FRAC_1_SQRT_2),
    (R2, R1),
    (0.0, 1.0),
    (-R2, R1),
    (-FRAC_1_SQRT_2, FRAC_1_SQRT_2),
    (-R1, R2),
    (-1.0, 0.0),
    (-R1, -R2),
    (-FRAC_1_SQRT_2, -FRAC_1_SQRT_2),
    (-R2, -R1),
    (0.0, -1.0),
    (R2, -R1),
    (FRAC_1_SQRT_2, -FRAC_1_SQRT_2),
    (R1, -R2),
];

/// `floor` without the libm call (baseline x86-64 has no SSE4.1 `roundss`).
fn ffloor(x: f32) -> f32 {
    let i = x as i32 as f32;
    if i > x {
        i - 1.0
    } else {
        i
    }
}

/// 2D gradient noise in about -1..1. With `period > 0` the lattice wraps, so
/// the noise tiles every `period` units.
fn gnoise(x: f32, y: f32, s: u32, period: i32) -> f32 {
    let (x0, y0) = (ffloor(x), ffloor(y));
    let (fx, fy) = (x - x0, y - y0);
    let (mut ix0, mut iy0) = (x0 as i32, y0 as i32);
    let (mut ix1, mut iy1) = (ix0 + 1, iy0 + 1);
    if period > 0 {
        ix0 = ix0.rem_euclid(period);
        iy0 = iy0.rem_euclid(period);
        ix1 = ix1.rem_euclid(period);
        iy1 = iy1.rem_euclid(period);
    }
    // the same lattice hash as `hash`, with the products shared by corners
    let (hx0, hx1) = ((ix0 as u32).wrapping_mul(HX), (ix1 as u32).wrapping_mul(HX));
    let (hy0, hy1) = ((iy0 as u32).wrapping_mul(HY), (iy1 as u32).wrapping_mul(HY));
    let hs = s.wrapping_mul(HS);
    let corner = |h: u32, dx: f32, dy: f32| {
        let (gx, gy) = GRAD[(mix32(h ^ hs) & 15) as usize];
        gx * dx + gy * dy
    };
    let n00 = corner(hx0 ^ hy0, fx, fy);
    let n10 = corner(hx1 ^ hy0, fx - 1.0, fy);
    let n01 = corner(hx0 ^ hy1, fx, fy - 1.0);
    let n11 = corner(hx1 ^ hy1, fx - 1.0, fy - 1.0);
    let (ux, uy) = (fade(fx), fade(fy));
    let a = n00 + (n10 - n00) * ux;
    let b = n01 + (n11 - n01) * ux;
    (a + (b - a) * uy) * 1.4
}

/// Fractal noise in about -1..1 (octaves rotated to hide the lattice).
fn fbm(x: f32, y: f32, oct: u32, s: u32) -> f32 {
    let (mut x, mut y) = (x, y);
    let (mut sum, mut amp, mut norm) = (0.0, 1.0, 0.0);
    for o in 0..oct {
        sum += amp * gnoise(x, y, s.wrapping_add(o.wrapping_mul(0x9e37)), 0);
        norm += amp;
        amp *= 0.5;
        let (nx, ny) = (0.8 * x - 0.6 * y, 0.6 * x + 0.8 * y);
        x = nx * 2.02 + 3.1;
        y = ny * 2.02 + 1.7;
    }
    sum / norm
}

fn fbm01(x: f32, y: f32, oct: u32, s: u32) -> f32 {
    0.5 + 0.5 * fbm(x, y, oct, s)
}

/// Tileable fractal noise: `x`, `y` in 0..period tile seamlessly.
fn fbm_tiled(x: f32, y: f32, period: i32, oct: u32, s: u32) -> f32 {
    let (mut sum, mut amp, mut norm, mut f) = (0.0, 1.0, 0.0, 1i32);
    for o in 0..oct {
        let ff = f as f32;
        sum += amp * gnoise(x * ff, y * ff, s.wrapping_add(o * 7919), period * f);
        norm += amp;
        amp *= 0.5;
        f *= 2;
    }
    sum / norm
}

fn noise1(x: f32, s: u32) -> f32 {
    let x0 = ffloor(x);
    let f = x - x0;
    let i = x0 as i32;
    let g0 = unit(i, 0, s) * 2.0 - 1.0;
    let g1 = unit(i + 1, 0, s) * 2.0 - 1.0;
    let (a, b) = (g0 * f, g1 * (f - 1.0));
    (a + (b - a) * fade(f)) * 2.0
}

fn fbm1(x: f32, oct: u32, s: u32) -> f32 {
    let (mut sum, mut amp, mut norm, mut freq) = (0.0, 1.0, 0.0, 1.0);
    for o in 0..oct {
        sum += amp * noise1(x * freq + o as f32 * 17.3, s.wrapping_add(o * 1013));
        norm += amp;
        amp *= 0.5;
        freq *= 2.03;
    }
    sum / norm
}

/// Distance from point `p` to segment `a`-`b`.
fn seg_dist(p: (f32, f32), a: (f32, f32), b: (f32, f32)) -> f32 {
    let (vx, vy) = (b.0 - a.0, b.1 - a.1);
    let (wx, wy) = (p.0 - a.0, p.1 - a.1);
    let len2 = vx * vx + vy * vy;
    let t = if len2 > 0.0 {
        ((wx * vx + wy * vy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (dx, dy) = (wx - vx * t, wy - vy * t);
    (dx * dx + dy * dy).sqrt()
}

// ===========================================================================
// A float canvas with parallel, resolution-independent shading
// ===========================================================================

/// Fills a `w`×`h` buffer by calling `f(x, y)` per pixel, in row bands on
/// all cores. The result does not depend on the number of threads.
fn par_fill<T, F>(w: u32, h: u32, f: F) -> Vec<T>
where
    T: Send + Copy + Default,
    F: Fn(u32, u32) -> T + Sync,
{
    let (wu, hu) = (w as usize, h as usize);
    let mut out = vec![T::default(); wu * hu];
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(16));
    let rows = hu.div_ceil(threads).max(1);
    let f = &f;
    std::thread::scope(|s| {
        for (band, chunk) in out.chunks_mut(rows * wu).enumerate() {
            s.spawn(move || {
                for (i, p) in chunk.iter_mut().enumerate() {
                    let idx = band * rows * wu + i;
                    *p = f((idx % wu) as u32, (idx / wu) as u32);
                }
            });
        }
    });
    out
}

/// Scenes are written against coordinates in "height units": `x` runs over
/// `0..w/h`, `y` over `0..1`, so a scene rendered at twice the resolution is
/// the same picture (that is how the upscales are made).
struct Canvas {
    w: u32,
    h: u32,
    px: Vec<Col>,
}

impl Canvas {
    fn new<F: Fn(f32, f32) -> Col + Sync>(w: u32, h: u32, f: F) -> Self {
        let hf = h as f32;
        let px = par_fill(w, h, |x, y| f((x as f32 + 0.5) / hf, (y as f32 + 0.5) / hf));
        Canvas { w, h, px }
    }

    fn map<F: Fn(f32, f32, Col) -> Col + Sync>(&mut self, f: F) {
        let (w, hf) = (self.w as usize, self.h as f32);
        let old = &self.px;
        let new = par_fill(self.w, self.h, |x, y| {
            f(
                (x as f32 + 0.5) / hf,
                (y as f32 + 0.5) / hf,
                old[y as usize * w + x as usize],
            )
        });
        self.px = new;
    }

    /// Adds a soft gaussian dot; position and radius in height units.
    fn splat(&mut self, cx: f32, cy: f32, radius: f32, col: Col) {
        let hf = self.h as f32;
        let r = (radius * hf).max(0.6);
        let (px, py) = (cx * hf - 0.5, cy * hf - 0.5);
        let ext = (r * 3.0).ceil() as i32;
        for yy in (py as i32 - ext)..=(py as i32 + ext) {
            for xx in (px as i32 - ext)..=(px as i32 + ext) {
                if xx < 0 || yy < 0 || xx >= self.w as i32 || yy >= self.h as i32 {
                    continue;
                }
                let d2 = (xx as f32 - px).powi(2) + (yy as f32 - py).powi(2);
                let wgt = (-d2 / (r * r)).exp();
                let i = yy as usize * self.w as usize + xx as usize;
                self.px[i] = add(self.px[i], scale(col, wgt));
            }
        }
    }

    fn into_rgb(self) -> RgbImage {
        let mut raw = Vec::with_capacity(self.px.len() * 3);
        for c in &self.px {
            raw.extend(c.iter().map(|&v| to_u8(v)));
        }
        RgbImage::from_raw(self.w, self.h, raw).expect("buffer size matches")
    }
}

/// Scene parameters. `seed` drives the layout, `detail` the small things
/// (so an img2img child keeps its parent's composition), `tod` the time of
/// day or mood, `hue` a small palette rotation in degrees, `k` a
/// family-specific knob.
#[derive(Clone, Copy, Debug)]
struct Params {
    seed: u32,
    detail: u32,
    tod: f32,
    hue: f32,
    k: f32,
}

const fn pr(seed: u32, detail: u32, tod: f32, hue: f32, k: f32) -> Params {
    Params {
        seed,
        detail,
        tod,
        hue,
        k,
    }
}

fn rng_for(p: &Params, salt: u64) -> Rng {
    Rng::with_seed(u64::from(p.seed).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ salt)
}

// ===========================================================================
// 1. Mountain landscapes
// ===========================================================================

fn landscape(w: u32, h: u32, p: &Params) -> RgbImage {
    let mut rng = rng_for(p, 0x1a4d);
    let asp = w as f32 / h as f32;
    let hf = h as f32;
    let t = p.tod;
    let top = hue_rot(mix(hex(0x3b6aa6), hex(0x2b2350), t), p.hue);
    let hor = hue_rot(mix(hex(0xf3d9a4), hex(0xf38a4c), t), p.hue);
    let sun_c = mix(hex(0xfff5da), hex(0xffbf6e), t);
    let sun = (asp * (0.2 + 0.6 * rng.f32()), 0.12 + 0.12 * t);
    let dark = hue_rot(mix(hex(0x2a3a3e), hex(0x1b1526), t), p.hue);
    // ridge lines, far to near, precomputed per pixel column
    let ridges: Vec<Vec<f32>> = (0..5)
        .map(|i| {
            let fi = i as f32;
            let (base, amp, freq) = (0.5 + 0.085 * fi, 0.3 - 0.045 * fi, 1.2 + 0.8 * fi);
            let off = rng.f32() * 1000.0;
            let s = p.seed + i;
            (0..w)
                .map(|c| {
                    let x = (c as f32 + 0.5) / hf;
                    let n = fbm1(x * freq + off, 5, s);
                    let r = 1.0 - n.abs();
                    let env = 0.5 + 0.5 * fbm1(x * freq * 0.3 + off * 0.5, 2, s + 40);
                    base - amp * (0.75 * r.powi(3) + 0.45 * env - 0.1)
                })
                .collect()
        })
        .collect();
    let px = 1.0 / hf;
    let n_layers = ridges.len() as f32;
    Canvas::new(w, h, |x, y| {
        let col = ((x * hf) as usize).min(w as usize - 1);
        let g = (y / 0.6).clamp(0.0, 1.0);
        let mut c = mix(top, hor, g.powf(1.4));
        // thin streaks of cloud in the upper sky
        if y < 0.45 {
            let n = fbm(x * 1.3 + 7.0, y * 9.0, 4, p.detail + 50);
            let cl = smooth(0.1, 0.6, n) * smooth(0.45, 0.05, y);
            c = mix(c, mix(sun_c, hor, 0.5), cl * 0.45);
        }
        // the sun and its glow
        let d = ((x - sun.0).powi(2) + (y - sun.1).powi(2)).sqrt();
        c = add(
            c,
            scale(sun_c, 0.5 * (-d * 5.0).exp() + 0.35 * (-d * 25.0).exp()),
        );
        c = mix(c, [1.0, 0.98, 0.9], smooth(0.032, 0.027, d));
        let lowest = ridges.iter().map(|r| r[col]).fold(f32::MAX, f32::min);
        let rock = if y > lowest - px {
            fbm(x * 20.0, y * 26.0, 3, p.detail)
        } else {
            0.0
        };
        for (i, ridge) in ridges.iter().enumerate() {
            let ry = ridge[col];
            let cover = smooth(ry - px, ry + px, y);
            if cover <= 0.0 {
                continue;
            }
            let depth = (i as f32 + 1.0) / n_layers;
            let mut lc = mix(hor, dark, depth.powf(0.8) * 0.93);
            // sunlit crest
            lc = add(
                lc,
                scale(
                    sun_c,
                    0.22 * (1.0 - depth * 0.6) * (-(y - ry) * 140.0).exp(),
                ),
            );
            // rock texture, stronger up close
            lc = scale(lc, 1.0 + (0.06 + 0.1 * depth) * rock);
            // valley mist
            lc = mix(
                lc,
                hor,
                smooth(ry + 0.02, ry + 0.2, y) * (1.0 - depth) * 0.5,
            );
            c = mix(c, lc, cover);
        }
        c
    })
    .into_rgb()
}

// ===========================================================================
// 2. Alien planets
// ===========================================================================

fn planet_canvas(w: u32, h: u32, p: &Params, spin: f32) -> Canvas {
    let mut rng = rng_for(p, 0x2b5e);
    let asp = w as f32 / h as f32;
    let bands = [
        hex(0xe3b27a),
        hex(0xb5653a),
        hex(0xf4e1c1),
        hex(0x8a4b2f),
        hex(0xd98f52),
        hex(0xc9a27e),
    ]
    .map(|c| hue_rot(c, p.hue));
    let atmos = hue_rot(hex(0x8fc8ff), p.hue * 0.5);
    let nebula = hue_rot(hex(0x2a1546), p.hue);
    let center = (
        asp * 0.5 + (rng.f32() - 0.5) * 0.08,
        0.5 + (rng.f32() - 0.5) * 0.08,
    );
    let radius = 0.3 + 0.05 * p.k;
    let tilt = (rng.f32() - 0.5) * 0.7;
    let (ts, tc) = tilt.sin_cos();
    let l = {
        let v = [-0.6 - rng.f32() * 0.25, -0.35 + rng.f32() * 0.2, 0.7];
        let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
        [v[0] / n, v[1] / n, v[2] / n]
    };
    let band_freq = 5.0 + 6.0 * p.k;
    let storm = (rng.f32() * TAU, (rng.f32() - 0.5) * 0.8);
    let s = p.seed;

    // background: faint nebula, then stars
    let mut cv = Canvas::new(w, h, |x, y| {
        let n = fbm01(x * 2.5 + 11.0, y * 2.5, 5, s + 7);
        scale(nebula, smooth(0.5, 0.85, n) * 0.8)
    });
    let mut srng = Rng::with_seed(u64::from(p.detail) ^ 0x57a2);
    for _ in 0..420 {
        let (sx, sy) = (srng.f32() * asp, srng.f32());
        let b = srng.f32().powi(3) * 1.6 + 0.08;
        let tint = mix([1.0, 1.0, 1.0], [0.75, 0.85, 1.0], srng.f32());
        cv.splat(sx, sy, 0.0012 * (0.5 + srng.f32()), scale(tint, b));
    }

    let px = 1.0 / h as f32;
    cv.map(|x, y, bg| {
        let (dx, dy) = (x - center.0, y - center.1);
        let d = (dx * dx + dy * dy).sqrt();
        let mut c = bg;
        // atmosphere halo outside the limb, stronger on the lit side
        if d > radius * 0.9 {
            let side = ((dx * l[0] + dy * l[1]) / d.max(1e-6)).max(0.0);
            let g = (-(d - radius).max(0.0) / (radius * 0.07)).exp();
            c = add(c, scale(atmos, g * (0.15 + 0.7 * side)));
        }
        if d >= radius + px {
            return c;
        }
        let (nx, ny) = (dx / radius, dy / radius);
        let nz = (1.0 - nx * nx - ny * ny).max(0.0).sqrt();
        // texture coordinates on the tilted, spinning sphere
        let (tx, ty) = (nx * tc - ny * ts, nx * ts + ny * tc);
        let lat = ty.clamp(-1.0, 1.0).asin();
        let lon = tx.atan2(nz) + spin;
        let (sx, sz) = (lat.cos() * lon.sin(), lat.cos() * lon.cos());
        let turb = fbm(sx * 2.5 + sz * 1.7, ty * 7.0 + sz * 0.8, 5, s + 3);
        let b = ty * band_freq + 1.2 * turb + 0.3 * fbm(sx * 9.0, ty * 30.0, 3, s + 4);
        let f = (b * 0.5).rem_euclid(1.0) * bands.len() as f32;
        let i0 = f.floor() as usize % bands.len();
        let i1 = (i0 + 1) % bands.len();
        let mut tex = mix(bands[i0], bands[i1], smooth(0.0, 1.0, f.fract()));
        // a great storm
        let dl = (lon - storm.0).rem_euclid(TAU);
        let dl = dl.min(TAU - dl);
        let sd = ((dl / 0.35).powi(2) + ((lat - storm.1) / 0.12).powi(2)).sqrt();
        tex = mix(
            tex,
            hue_rot(hex(0xa8432a), p.hue),
            smooth(1.0, 0.6, sd) * 0.8,
        );
        tex = mix(
            tex,
            hue_rot(hex(0xf7d9b0), p.hue),
            smooth(0.45, 0.0, sd) * 0.5,
        );
        // lighting
        let ndl = nx * l[0] + ny * l[1] + nz * l[2];
        let diffuse = smooth(-0.2, 0.75, ndl);
        let mut pc = scale(tex, 0.03 + 1.05 * diffuse);
        let rim = (1.0 - nz).powi(3);
        pc = add(pc, scale(atmos, rim * (0.1 + 0.8 * smooth(-0.3, 0.5, ndl))));
        mix(c, pc, smooth(radius + px, radius - px, d))
    });
    cv
}

fn planet(w: u32, h: u32, p: &Params) -> RgbImage {
    planet_canvas(w, h, p, p.tod * TAU).into_rgb()
}

// ===========================================================================
// 3. Seamless stone textures
// ===========================================================================

/// Height (0..1) and albedo of a tileable cobblestone pattern.
fn stone_fields(w: u32, h: u32, p: &Params) -> Vec<(f32, Col)> {
    let n = 4 + (p.k * 8.0).round() as i32;
    let s = p.seed;
    let pal_a = hue_rot(hex(0x8c7b69), p.hue);
    let pal_b = hue_rot(hex(0x6b625c), p.hue);
    let pal_c = hue_rot(hex(0xa88767), p.hue);
    let mortar = hue_rot(hex(0x3d342c), p.hue);
    let nf = n as f32;
    par_fill(w, h, |px, py| {
        let u = (px as f32 + 0.5) / w as f32;
        let v = (py as f32 + 0.5) / h as f32;
        let jx = fbm_tiled(u * 6.0, v * 6.0, 6, 3, s + 11) * 0.22;
        let jy = fbm_tiled(u * 6.0, v * 6.0, 6, 3, s + 12) * 0.22;
        let (gx, gy) = (u * nf + jx, v * nf + jy);
        let (cx0, cy0) = (gx.floor() as i32, gy.floor() as i32);
        let (mut f1, mut f2, mut cell) = (9.0f32, 9.0f32, (0, 0));
        for dy in -1..=1 {
            for dx in -1..=1 {
                let (cx, cy) = (cx0 + dx, cy0 + dy);
                let (wx, wy) = (cx.rem_euclid(n), cy.rem_euclid(n));
                let fx = cx as f32 + 0.2 + 0.6 * unit(wx, wy, s);
                let fy = cy as f32 + 0.2 + 0.6 * unit(wx, wy, s + 1);
                let d = ((gx - fx).powi(2) + (gy - fy).powi(2)).sqrt();
                if d < f1 {
                    f2 = f1;
                    f1 = d;
                    cell = (wx, wy);
                } else if d < f2 {
                    f2 = d;
                }
            }
        }
        let edge = f2 - f1;
        let stone = smooth(0.05, 0.2, edge);
        let grain = fbm_tiled(u * 24.0, v * 24.0, 24, 4, s + 3);
        let height = stone * (0.55 + 0.45 * (1.0 - (f1 * 1.1).min(1.0)).sqrt()) + 0.06 * grain;
        let tone = unit(cell.0, cell.1, s + 2);
        let warm = unit(cell.0, cell.1, s + 9);
        let base = mix(mix(pal_a, pal_b, tone), pal_c, warm * 0.7);
        let spots = fbm_tiled(u * 48.0, v * 48.0, 48, 3, s + 5);
        let albedo = mix(
            scale(mortar, 0.85 + 0.3 * spots),
            scale(base, 0.92 + 0.2 * grain + 0.1 * spots),
            stone,
        );
        (height.clamp(0.0, 1.0), albedo)
    })
}

/// Surface normal (x right, y down, z up) from a wrapping height field.
fn height_normal(hf: &[(f32, Col)], w: u32, h: u32, x: u32, y: u32, bump: f32) -> [f32; 3] {
    let at = |xx: u32, yy: u32| hf[(yy * w + xx) as usize].0;
    let (xl, xr) = ((x + w - 1) % w, (x + 1) % w);
    let (yu, yd) = ((y + h - 1) % h, (y + 1) % h);
    let dhdu = (at(xr, y) - at(xl, y)) * w as f32 / 2.0;
    let dhdv = (at(x, yd) - at(x, yu)) * h as f32 / 2.0;
    let v = [-dhdu * bump, -dhdv * bump, 1.0];
    let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    [v[0] / n, v[1] / n, v[2] / n]
}

const STONE_BUMP: f32 = 0.012;

fn stone(w: u32, h: u32, p: &Params) -> RgbImage {
    let f = stone_fields(w, h, p);
    let l = [-0.45f32, -0.55, 0.7];
    let ln = (l[0] * l[0] + l[1] * l[1] + l[2] * l[2]).sqrt();
    let px = par_fill(w, h, |x, y| {
        let n = height_normal(&f, w, h, x, y, STONE_BUMP);
        let ndl = ((n[0] * l[0] + n[1] * l[1] + n[2] * l[2]) / ln).max(0.0);
        let (height, albedo) = f[(y * w + x) as usize];
        let ao = 0.55 + 0.45 * height;
        scale(albedo, (0.35 + 0.85 * ndl) * ao * 1.1)
    });
    Canvas { w, h, px }.into_rgb()
}

/// A tangent-space normal map (OpenGL convention, +Y up) of the same stones.
fn stone_normal_map(w: u32, h: u32, p: &Params) -> RgbImage {
    let f = stone_fields(w, h, p);
    let px = par_fill(w, h, |x, y| {
        let n = height_normal(&f, w, h, x, y, STONE_BUMP);
        [n[0] * 0.5 + 0.5, -n[1] * 0.5 + 0.5, n[2] * 0.5 + 0.5]
    });
    Canvas { w, h, px }.into_rgb()
}

// ===========================================================================
// 4. Skyboxes (equirectangular, 2:1)
// ===========================================================================

fn skybox(w: u32, h: u32, p: &Params) -> RgbImage {
    let mut rng = rng_for(p, 0x5c1e);
    let asp = w as f32 / h as f32;
    let t = p.tod;
    let zen = hue_rot(mix(hex(0x2d6bb3), hex(0x3b4f8f), t), p.hue);
    let hor = hue_rot(mix(hex(0xd6e7f2), hex(0xf6c79a), t), p.hue);
    let sun_c = mix(hex(0xfffbea), hex(0xffc27a), t);
    let cloud_lit = mix(hex(0xffffff), hex(0xffe0c0), t);
    let cloud_dark = hue_rot(mix(hex(0x8d9bb0), hex(0x7d6f86), t), p.hue);
    let ground_far = hue_rot(mix(hex(0x5f7d68), hex(0x6b6a5a), t), p.hue);
    let ground_near = hue_rot(hex(0x263526), p.hue);
    let field = hue_rot(hex(0x8f9a4e), p.hue);
    let sun_lon = rng.f32() * TAU;
    let sun_el = 0.55 - 0.45 * t;
    let sun_dir = [
        sun_el.cos() * sun_lon.cos(),
        sun_el.cos() * sun_lon.sin(),
        sun_el.sin(),
    ];
    let off = (rng.f32() * 100.0, rng.f32() * 100.0);
    let coverage = 0.45 - 0.15 * p.k;
    let s = p.seed;
    Canvas::new(w, h, |x, y| {
        let lon = x / asp * TAU;
        let el = (0.5 - y) * PI;
        let (sl, cl) = lon.sin_cos();
        let dir = [el.cos() * cl, el.cos() * sl, el.sin()];
        // distant hills just above the horizon, seamless around the panorama
        let hill = 0.012 + 0.05 * fbm01(cl * 2.0 + 5.0, sl * 2.0, 5, s + 31).powi(2);
        if el > hill {
            let g = (el / (PI / 2.0)).powf(0.45);
            let mut c = mix(hor, zen, g);
            let cosang = dir[0] * sun_dir[0] + dir[1] * sun_dir[1] + dir[2] * sun_dir[2];
            c = add(c, scale(sun_c, 0.45 * ((cosang - 1.0) * 12.0).exp()));
            // clouds on a plane above the viewer: seamless around the horizon
            let dist = (1.0 / el.tan()).min(14.0);
            let (px, py) = (cl * dist * 0.9 + off.0, sl * dist * 0.9 + off.1);
            let n = fbm01(px, py, 5, s + 21);
            let cover = smooth(coverage + 0.1, coverage + 0.35, n) * smooth(0.01, 0.12, el);
            let thick = smooth(coverage + 0.2, coverage + 0.55, n);
            let cc = mix(cloud_lit, cloud_dark, thick * 0.75);
            c = mix(c, cc, cover * 0.95);
            c = add(c, scale(sun_c, 1.2 * ((cosang - 1.0) * 2500.0).exp()));
            mix(c, hor, smooth(0.06, 0.0, el) * 0.6)
        } else if el > 0.0 {
            // hills: hazy, lighter towards their tops
            let c = mix(ground_far, hor, 0.45 + 0.3 * (el / hill));
            scale(
                c,
                0.9 + 0.15 * fbm01(cl * 25.0, sl * 25.0 + el * 150.0, 2, s + 33),
            )
        } else {
            // a patchwork of fields, seen on a ground plane, fading into the nadir
            let depth = (-el / (PI / 2.0)).powf(0.5);
            let dist = (1.0 / (-el).tan().max(0.02)).min(50.0);
            let (gx, gy) = (cl * dist * 0.6, sl * dist * 0.6);
            let patch = fbm01(gx, gy, 4, s + 32);
            let tex = fbm01(gx * 8.0, gy * 8.0, 2, s + 34);
            let mut c = mix(ground_far, ground_near, depth);
            c = mix(c, field, smooth(0.5, 0.56, patch) * 0.55);
            let c = scale(c, 0.85 + 0.3 * tex);
            mix(c, hor, smooth(0.12, 0.0, -el) * 0.5)
        }
    })
    .into_rgb()
}

// ===========================================================================
// 5. Portrait silhouettes
// ===========================================================================

struct Figure {
    cx: f32,
    seed: u32,
    tilt: f32,
}

impl Figure {
    /// 1 inside the head-and-shoulders silhouette, 0 outside.
    fn inside(&self, x: f32, y: f32) -> bool {
        let dx = x - self.cx - (y - 0.6) * self.tilt;
        if dx.abs() > 0.5 || y < 0.18 {
            return false;
        }
        // head, with hair bumps along the top
        let (hx, hy) = (dx / 0.1, (y - 0.36) / 0.125);
        let r2 = hx * hx + hy * hy;
        if r2 < 0.9 {
            return true;
        }
        if r2 < 1.15 {
            let ang = hy.atan2(hx);
            let hair = smooth(0.2, -0.6, ang.sin());
            let bump = 1.0 + 0.05 * fbm1(ang * 2.5 + 3.0, 3, self.seed) * hair;
            if r2 < bump * bump {
                return true;
            }
        }
        // neck
        let adx = dx.abs();
        if adx < 0.04 && (0.44..0.65).contains(&y) {
            return true;
        }
        // shoulders and upper arms, rising into the trapezius near the neck
        let sx = adx / 0.3;
        let top = 0.59 + 0.02 * sx * sx + 0.16 * sx.powi(4) - 0.045 * smooth(0.15, 0.04, adx);
        y > top && adx < 0.27 + (y - 0.62) * 0.4
    }

    /// Anti-aliased coverage (2×2 supersampling).
    fn cover(&self, x: f32, y: f32, px: f32) -> f32 {
        let o = px * 0.25;
        let mut n = 0;
        for (ax, ay) in [(-o, -o), (o, -o), (-o, o), (o, o)] {
            if self.inside(x + ax, y + ay) {
                n += 1;
            }
        }
        n as f32 / 4.0
    }
}

struct PortraitLook {
    fig: Figure,
    side: f32,
    px: f32,
    rim: Col,
    body: Col,
}

impl PortraitLook {
    fn new(w: u32, h: u32, p: &Params) -> Self {
        let mut rng = rng_for(p, 0x70a1);
        let asp = w as f32 / h as f32;
        let side = if p.k > 0.5 { 1.0 } else { -1.0 };
        PortraitLook {
            fig: Figure {
                cx: asp * 0.5 + (rng.f32() - 0.5) * 0.04 - side * 0.02,
                seed: p.seed,
                tilt: (rng.f32() - 0.5) * 0.12,
            },
            side,
            px: 1.0 / h as f32,
            rim: mix(hex(0xffb27a), hex(0xffe2b8), p.tod),
            body: hex(0x121317),
        }
    }

    /// Silhouette colour with the rim light, and its coverage.
    fn figure(&self, x: f32, y: f32) -> (Col, f32) {
        let cov = self.fig.cover(x, y, self.px);
        if cov <= 0.0 {
            return (self.body, 0.0);
        }
        // a soft rim: how much of the light side is open, at growing offsets
        let off = 0.0022;
        let mut lit = 0.0;
        for k in 1..=6 {
            let kf = k as f32;
            let open = 1.0
                - self
                    .fig
                    .cover(x + self.side * off * kf, y - off * 0.5 * kf, self.px);
            lit += open * (7.0 - kf) / 21.0;
        }
        let shade = 1.0 - 0.35 * smooth(0.55, 1.0, y);
        let mut c = scale(self.body, shade);
        c = add(c, scale(self.rim, lit * 0.9));
        (c, cov)
    }
}

fn portrait(w: u32, h: u32, p: &Params) -> RgbImage {
    let look = PortraitLook::new(w, h, p);
    let asp = w as f32 / h as f32;
    let back = hue_rot(hex(0x2f6a70), p.hue);
    let glow = hue_rot(mix(hex(0x8fd0c8), hex(0xf0c9a0), p.tod * 0.5), p.hue);
    let spot = (asp * 0.5 + look.side * 0.12, 0.3);
    Canvas::new(w, h, |x, y| {
        let d2 = (x - spot.0).powi(2) + (y - spot.1).powi(2);
        let mut c = mix(scale(back, 0.45), back, smooth(0.9, 0.1, y));
        c = mix(c, glow, (-d2 / 0.06).exp() * 0.8);
        let vig = ((x / asp - 0.5).powi(2) + (y - 0.5).powi(2)).sqrt();
        c = scale(c, 1.0 - 0.45 * smooth(0.35, 0.8, vig));
        c = scale(c, 1.0 + 0.025 * fbm(x * 40.0, y * 40.0, 2, p.detail));
        let (fc, cov) = look.figure(x, y);
        mix(c, fc, cov)
    })
    .into_rgb()
}

/// The same figure with the backdrop removed: RGBA, transparent background.
fn portrait_cutout(w: u32, h: u32, p: &Params) -> RgbaImage {
    let look = PortraitLook::new(w, h, p);
    let hf = h as f32;
    let px: Vec<[u8; 4]> = par_fill(w, h, |x, y| {
        let (c, cov) = look.figure((x as f32 + 0.5) / hf, (y as f32 + 0.5) / hf);
        if cov <= 0.0 {
            [0, 0, 0, 0]
        } else {
            [to_u8(c[0]), to_u8(c[1]), to_u8(c[2]), to_u8(cov)]
        }
    });
    RgbaImage::from_raw(w, h, px.concat()).expect("buffer size matches")
}

// ===========================================================================
// 6. Pixel art
// ===========================================================================

const PICO8: [u32; 16] = [
    0x000000, 0x1d2b53, 0x7e2553, 0x008751, 0xab5236, 0x5f574f, 0xc2c3c7, 0xfff1e8, 0xff004d,
    0xffa300, 0xffec27, 0x00e436, 0x29adff, 0x83769c, 0xff77a8, 0xffccaa,
];

const BAYER4: [[u8; 4]; 4] = [[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]];

/// A 64×64 grid of palette indices: dithered night sky, moon, clouds, hills,
/// grass ledge and a symmetric critter.
fn pixel_grid(p: &Params) -> Vec<u8> {
    const G: usize = 64;
    let mut rng = rng_for(p, 0x61e1);
    let mut drng = Rng::with_seed(u64::from(p.detail) ^ 0xd7);
    let mut g = vec![0u8; G * G];
    let sky_lo = if p.tod > 0.5 { 13 } else { 12 };
    for y in 0..G {
        for x in 0..G {
            let t = y as f32 / 44.0;
            let b = f32::from(BAYER4[y % 4][x % 4]) / 16.0;
            g[y * G + x] = if b < t { sky_lo } else { 1 };
        }
    }
    // stars
    for _ in 0..14 {
        let (x, y) = (drng.usize(0..G), drng.usize(0..18));
        g[y * G + x] = 7;
    }
    // moon
    let (mx, my) = (rng.usize(8..56) as i32, rng.usize(6..14) as i32);
    for y in 0..G as i32 {
        for x in 0..G as i32 {
            let d = (x - mx).pow(2) + (y - my).pow(2);
            if d <= 16 {
                g[y as usize * G + x as usize] = if (x - mx - 1).pow(2) + (y - my + 1).pow(2) <= 4 {
                    7
                } else {
                    10
                };
            }
        }
    }
    // clouds
    for _ in 0..3 {
        let (cx, cy) = (drng.i32(0..64), drng.i32(14..30));
        for (ox, r) in [(-3, 2), (0, 3), (3, 2), (5, 1)] {
            for y in (cy - r)..=(cy + r) {
                for x in (cx + ox - r)..=(cx + ox + r) {
                    if (x - cx - ox).pow(2) + (y - cy).pow(2) <= r * r
                        && (0..64).contains(&x)
                        && y <= cy + 1
                    {
                        g[y as usize * G + x as usize] = if y == cy + 1 { 6 } else { 7 };
                    }
                }
            }
        }
    }
    // far hills
    for x in 0..G {
        let top = 38.0 + 4.0 * fbm1(x as f32 * 0.07 + 3.0, 3, p.seed);
        for y in (top as usize)..G {
            g[y * G + x] = 3;
        }
    }
    // ground ledge
    for y in 48..G {
        for x in 0..G {
            // two rows of grass with a ragged fringe, then dirt
            let grass = y < 50 || (y == 50 && x % 3 == 0);
            g[y * G + x] = if grass { 11 } else { 4 };
        }
    }
    for _ in 0..18 {
        let (x, y) = (drng.usize(0..G), drng.usize(52..G));
        g[y * G + x] = if drng.bool() { 5 } else { 15 };
    }
    // floating coins
    for _ in 0..3 {
        let (cx, cy) = (drng.i32(4..60), drng.i32(30..42));
        for (dx, dy) in [(0, -1), (-1, 0), (0, 0), (1, 0), (0, 1)] {
            g[(cy + dy) as usize * G + (cx + dx) as usize] =
                if dx == 0 && dy == 0 { 9 } else { 10 };
        }
    }
    // the critter: a 12×12 symmetric mask, drawn at 2×
    let pairs = [(11u8, 3u8), (9, 4), (14, 2), (12, 1), (10, 9), (8, 2)];
    let (body, shade) = pairs[p.k as usize % pairs.len()];
    let mut m = [[false; 12]; 12];
    for (r, row) in m.iter_mut().enumerate() {
        for c in 0..6 {
            let centre = 1.0 - (5.0 - c as f32) / 7.0;
            let vert = 1.0 - ((r as f32 - 6.5) / 7.0).abs();
            let on = rng.f32() < 0.25 + 0.7 * centre * vert || (c >= 3 && (3..10).contains(&r));
            row[c] = on;
            row[11 - c] = on;
        }
    }
    let ox = 32 - 12 + rng.i32(-6..=6);
    let oy = 48 - 24;
    let filled =
        |r: i32, c: i32| (0..12).contains(&r) && (0..12).contains(&c) && m[r as usize][c as usize];
    for r in -1..13 {
        for c in -1..13 {
            let col = if filled(r, c) {
                Some(if r >= 8 { shade } else { body })
            } else if filled(r - 1, c) || filled(r + 1, c) || filled(r, c - 1) || filled(r, c + 1) {
                Some(0)
            } else {
                None
            };
            if let Some(v) = col {
                for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                    let (x, y) = (ox + c * 2 + dx, oy + r * 2 + dy);
                    if (0..64).contains(&x) && (0..64).contains(&y) {
                        g[y as usize * G + x as usize] = v;
                    }
                }
            }
        }
    }
    // eyes
    for ex in [ox + 6, ox + 16] {
        let ey = oy + 8;
        for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            g[(ey + dy) as usize * G + (ex + dx) as usize] = 7;
        }
        g[(ey + 1) as usize * G + (ex + 1) as usize] = 0;
    }
    g
}

fn pixel_art(w: u32, h: u32, p: &Params) -> RgbImage {
    let grid = pixel_grid(p);
    let pal = PICO8.map(hex);
    let cell = (w / 64).max(1);
    let mut img = RgbImage::new(w, h);
    for (x, y, px) in img.enumerate_pixels_mut() {
        let (gx, gy) = ((x / cell).min(63) as usize, (y / cell).min(63) as usize);
        let c = pal[grid[gy * 64 + gx] as usize];
        *px = image::Rgb([to_u8(c[0]), to_u8(c[1]), to_u8(c[2])]);
    }
    img
}

// ===========================================================================
// 7. Underwater
// ===========================================================================

fn underwater(w: u32, h: u32, p: &Params) -> RgbImage {
    let mut rng = rng_for(p, 0x0ce4);
    let asp = w as f32 / h as f32;
    let surf = hue_rot(hex(0x6fd8e4), p.hue);
    let mid = hue_rot(hex(0x1487a6), p.hue);
    let deep = hue_rot(mix(hex(0x06304c), hex(0x041d36), p.tod), p.hue);
    let sand = hue_rot(hex(0xcdbb8a), p.hue * 0.5);
    let weed = hue_rot(hex(0x0f5a44), p.hue);
    let s = p.seed;
    let strands: Vec<(f32, f32, f32, f32)> = (0..(6 + (p.k * 8.0) as usize))
        .map(|_| {
            (
                rng.f32() * asp,
                0.35 + rng.f32() * 0.3,
                rng.f32() * TAU,
                0.006 + rng.f32() * 0.008,
            )
        })
        .collect();
    let mut brng = Rng::with_seed(u64::from(p.detail) ^ 0xb0b);
    let bubbles: Vec<(f32, f32, f32)> = (0..3)
        .flat_map(|_| {
            let col_x = brng.f32() * asp;
            let n = 8 + brng.usize(0..8);
            (0..n)
                .map(|_| {
                    let y = brng.f32() * 0.85;
                    (
                        col_x + (brng.f32() - 0.5) * 0.03 + (y * 9.0).sin() * 0.01,
                        y,
                        0.004 + brng.f32() * 0.012,
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let px = 1.0 / h as f32;
    Canvas::new(w, h, |x, y| {
        let mut c = if y < 0.5 {
            mix(surf, mid, y / 0.5)
        } else {
            mix(mid, deep, ((y - 0.5) / 0.5).powf(0.8))
        };
        // the wavy surface seen from below
        if y < 0.12 {
            let sv = fbm(x * 6.0, y * 30.0, 3, s + 5);
            c = add(
                c,
                scale([0.7, 0.95, 1.0], smooth(0.12, 0.0, y) * (0.25 + 0.25 * sv)),
            );
        }
        // caustic web: bright thin lines along zero contours of warped noise
        let warp = fbm(x * 2.0, y * 2.0, 2, s + 6);
        let cn = fbm(x * 7.0 + warp, y * 9.0 + warp, 3, p.detail + 7);
        let caustic = (1.0 - cn.abs() * 6.0).clamp(0.0, 1.0).powi(3);
        c = add(
            c,
            scale([0.75, 1.0, 0.95], caustic * 0.3 * (1.0 - y).powi(3)),
        );
        // light rays slanting down from the surface
        let r = fbm1((x + y * 0.35) * 7.0, 3, s + 8);
        let ray = smooth(0.05, 0.6, r).powi(2) * (1.0 - y).powf(1.5);
        c = add(c, scale([0.6, 0.95, 0.95], ray * 0.3));
        // sandy floor
        let floor = 0.8 + 0.05 * fbm1(x * 2.0 + 9.0, 4, s + 9);
        if y > floor - px {
            let ripple = 0.5 + 0.5 * (x * 60.0 + 4.0 * fbm(x * 3.0, y * 10.0, 2, s + 10)).sin();
            let mut sc = scale(sand, 0.85 + 0.15 * ripple);
            sc = add(sc, scale([0.8, 1.0, 0.9], caustic * 0.35));
            sc = mix(sc, mid, 0.45 - (y - floor) * 1.2);
            c = mix(c, sc, smooth(floor - px, floor + px, y));
        }
        // seaweed
        for &(x0, top, ph, wdt) in &strands {
            if y < top || y > floor + 0.03 {
                continue;
            }
            let sway = 0.02 * ((y * 12.0 + ph).sin()) * (1.0 - (y - top) / (1.0 - top));
            let half = wdt * (0.4 + 0.6 * (y - top) / (1.0 - top));
            let d = (x - x0 - sway).abs();
            let cov = smooth(half + px, half - px, d);
            if cov > 0.0 {
                let fogged = mix(weed, mid, 0.35 * (1.0 - y));
                c = mix(c, scale(fogged, 0.8 + 0.4 * (1.0 - d / half)), cov);
            }
        }
        // bubbles: bright rim, clear centre, a highlight
        for &(bx, by, br) in &bubbles {
            let d = ((x - bx).powi(2) + (y - by).powi(2)).sqrt();
            if d < br * 1.5 {
                let ring = (-((d - br) / (br * 0.18)).powi(2)).exp();
                let inner = smooth(br, br * 0.5, d) * 0.08;
                let hl = (-((x - bx + br * 0.35).powi(2) + (y - by + br * 0.35).powi(2))
                    / (br * br * 0.04))
                    .exp();
                c = add(c, scale([0.85, 1.0, 1.0], ring * 0.55 + inner + hl * 0.6));
            }
        }
        c
    })
    .into_rgb()
}

// ===========================================================================
// 8. Neon city at night
// ===========================================================================

struct Block {
    x0: f32,
    x1: f32,
    top: f32,
    layer: usize,
    seed: u32,
    lit: f32,
}

struct Neon {
    a: (f32, f32),
    b: (f32, f32),
    col: Col,
}

fn neon_city(w: u32, h: u32, p: &Params) -> RgbImage {
    let mut rng = rng_for(p, 0x4e0e);
    let asp = w as f32 / h as f32;
    let hv = 0.76;
    let sky_top = hue_rot(hex(0x05030f), p.hue);
    let sky_low = hue_rot(hex(0x3b1055), p.hue);
    let haze = hue_rot(hex(0xc2309a), p.hue);
    let layer_cols = [hex(0x2a1a45), hex(0x160f2a), hex(0x0a0814)].map(|c| hue_rot(c, p.hue));
    let neon_cols = [hex(0xff2bd6), hex(0x1ff0ff), hex(0x9d4dff), hex(0xff3b6b)]
        .map(|c| hue_rot(c, p.hue * 0.5));
    let mut blocks = Vec::new();
    let mut neons = Vec::new();
    let lit_base = 0.25 + 0.3 * p.k;
    for layer in 0..3 {
        let mut x = -0.05 - rng.f32() * 0.05;
        while x < asp + 0.05 {
            let (wmin, wmax, hmin, hmax) = [
                (0.06, 0.14, 0.38, 0.66),
                (0.07, 0.16, 0.25, 0.52),
                (0.1, 0.2, 0.12, 0.34),
            ][layer];
            let bw = wmin + rng.f32() * (wmax - wmin);
            let top = hv - (hmin + rng.f32() * (hmax - hmin));
            let b = Block {
                x0: x,
                x1: x + bw,
                top,
                layer,
                seed: rng.u32(..),
                lit: lit_base + rng.f32() * 0.2,
            };
            if layer > 0 && rng.f32() < 0.65 {
                let col = neon_cols[rng.usize(0..neon_cols.len())];
                if rng.bool() {
                    // vertical sign box
                    let sx = if rng.bool() {
                        b.x0 + 0.012
                    } else {
                        b.x1 - 0.032
                    };
                    let sy = top + 0.04 + rng.f32() * 0.1;
                    let len = 0.08 + rng.f32() * 0.12;
                    let (a0, a1) = ((sx, sy), (sx + 0.02, sy + len));
                    neons.push(Neon {
                        a: a0,
                        b: (a1.0, a0.1),
                        col,
                    });
                    neons.push(Neon {
                        a: (a1.0, a0.1),
                        b: a1,
                        col,
                    });
                    neons.push(Neon {
                        a: a1,
                        b: (a0.0, a1.1),
                        col,
                    });
                    neons.push(Neon {
                        a: (a0.0, a1.1),
                        b: a0,
                        col,
                    });
                } else {
                    // roof-line strip
                    neons.push(Neon {
                        a: (b.x0 + 0.004, top + 0.004),
                        b: (b.x1 - 0.004, top + 0.004),
                        col,
                    });
                }
            }
            blocks.push(b);
            x += bw
                + if layer == 2 {
                    0.02 + rng.f32() * 0.18
                } else {
                    rng.f32() * 0.02
                };
        }
    }
    // a street-level shop sign
    let sx = asp * (0.2 + 0.4 * rng.f32());
    neons.push(Neon {
        a: (sx, hv - 0.05),
        b: (sx + 0.16, hv - 0.05),
        col: neon_cols[0],
    });
    neons.push(Neon {
        a: (sx, hv - 0.02),
        b: (sx + 0.16, hv - 0.02),
        col: neon_cols[1],
    });
    let win_warm = hex(0xffc978);
    let win_cool = hex(0x8fe3ff);
    let s = p.detail;

    let scene = |x: f32, y: f32| -> Col {
        let g = (y / hv).clamp(0.0, 1.0);
        let mut c = mix(sky_top, sky_low, g * g);
        c = add(c, scale(haze, (-(hv - y).max(0.0) * 7.0).exp() * 0.3));
        for b in &blocks {
            if x < b.x0 || x > b.x1 || y < b.top {
                continue;
            }
            let mut bc = layer_cols[b.layer];
            // window grid
            let (lx, ly) = ((x - b.x0) / 0.012, (y - b.top - 0.01) / 0.016);
            let (ix, iy) = (lx.floor() as i32, ly.floor() as i32);
            let inside_win = ly > 0.0
                && lx.fract() > 0.25
                && lx.fract() < 0.75
                && ly.fract() > 0.2
                && ly.fract() < 0.75
                && x < b.x1 - 0.006;
            if inside_win && unit(ix, iy, b.seed ^ s) < b.lit {
                let wc = if unit(ix, iy, b.seed + 1) < 0.7 {
                    win_warm
                } else {
                    win_cool
                };
                let dim = [0.35, 0.65, 0.9][b.layer] * (0.6 + 0.4 * unit(ix, iy, b.seed + 2));
                bc = mix(bc, wc, dim);
            }
            if b.layer == 0 {
                bc = mix(bc, sky_low, 0.35);
            }
            c = bc;
        }
        for n in &neons {
            let d = seg_dist((x, y), n.a, n.b);
            if d < 0.12 {
                let core = smooth(0.0035, 0.0012, d);
                let halo = (-(d * d) / (0.009 * 0.009)).exp() * 0.45 + (-d / 0.035).exp() * 0.12;
                c = add(
                    c,
                    scale(mix(n.col, [1.0, 1.0, 1.0], core * 0.6), core + halo),
                );
            }
        }
        c
    };

    Canvas::new(w, h, |x, y| {
        if y <= hv {
            return scene(x, y);
        }
        // wet street: a rippled, darkened reflection
        let depth = (y - hv) / (1.0 - hv);
        let rx = x + 0.004 * fbm(x * 30.0, y * 160.0, 2, s + 3);
        let ry = 2.0 * hv - y + 0.006 * (y * 420.0).sin() * depth;
        let refl = scene(rx, ry);
        let asphalt = scale(
            hex(0x0b0912),
            0.8 + 0.4 * fbm01(x * 80.0, y * 80.0, 2, s + 4),
        );
        add(asphalt, scale(refl, 0.55 * (1.0 - depth * 0.6)))
    })
    .into_rgb()
}

// ===========================================================================
// 9. Desert dunes
// ===========================================================================

fn desert(w: u32, h: u32, p: &Params) -> RgbImage {
    let mut rng = rng_for(p, 0xde5e);
    let asp = w as f32 / h as f32;
    let hf = h as f32;
    let top = hue_rot(hex(0x1d58c4), p.hue);
    let hor = hue_rot(mix(hex(0xf4e2bd), hex(0xf7c98f), p.tod), p.hue);
    let lit = hue_rot(mix(hex(0xf4ae66), hex(0xf59a4a), p.tod), p.hue);
    let shadow = hue_rot(mix(hex(0x9a4f2c), hex(0x7a3620), p.tod), p.hue);
    let sun = (asp * (0.15 + 0.7 * rng.f32()), 0.12 + 0.1 * p.tod);
    let side = if sun.0 < asp * 0.5 { 1.0 } else { -1.0 };
    let dunes: Vec<(f32, f32, f32, f32, f32)> = (0..5)
        .map(|i| {
            let fi = i as f32;
            (
                0.5 + 0.1 * fi,
                0.05 + 0.025 * fi,
                4.5 - 0.6 * fi,
                rng.f32() * TAU,
                rng.f32() * TAU,
            )
        })
        .collect();
    let s = p.seed;
    let ripples = 0.04 + 0.04 * p.k;
    // the smooth dune profile (its slope decides light and shadow)
    let wave = |i: usize, x: f32| {
        let (base, amp, f, ph, ph2) = dunes[i];
        base - amp * (0.5 + 0.5 * (x * f + ph + 0.8 * (x * f * 0.53 + ph2).sin()).sin())
    };
    // crest line per column, with a little irregularity
    let ridges: Vec<Vec<f32>> = (0..dunes.len())
        .map(|i| {
            (0..w)
                .map(|c| {
                    let x = (c as f32 + 0.5) / hf;
                    wave(i, x) - 0.012 * fbm1(x * 3.0 + dunes[i].3, 3, s + i as u32)
                })
                .collect()
        })
        .collect();
    let px = 1.0 / hf;
    Canvas::new(w, h, |x, y| {
        let col = ((x * hf) as usize).min(w as usize - 1);
        let g = (y / 0.55).clamp(0.0, 1.0);
        let mut c = mix(top, hor, g.powf(1.6));
        let d = ((x - sun.0).powi(2) + (y - sun.1).powi(2)).sqrt();
        c = add(
            c,
            scale(
                [1.0, 0.97, 0.9],
                0.6 * (-d * 9.0).exp() + 0.25 * (-d * 2.5).exp(),
            ),
        );
        c = mix(c, [1.0, 1.0, 0.97], smooth(0.03, 0.025, d));
        let lowest = ridges.iter().map(|r| r[col]).fold(f32::MAX, f32::min);
        if y < lowest - px {
            return c;
        }
        let rip = (x * 220.0 + y * 60.0 + 4.0 * fbm(x * 3.0, y * 6.0, 2, s + 40)).sin();
        for (i, ridge) in ridges.iter().enumerate() {
            let ry = ridge[col];
            let cover = smooth(ry - px, ry + px, y);
            if cover <= 0.0 {
                continue;
            }
            // which side of the crest faces the sun; the terminator curves downhill
            let e = 0.004;
            let xs = x + (y - ry) * 0.35 * side;
            let slope = (wave(i, xs + e) - wave(i, xs - e)) / (2.0 * e);
            let l = smooth(-0.04, 0.04, -slope * side);
            let depth = (i as f32 + 1.0) / dunes.len() as f32;
            let mut dc = mix(shadow, lit, l);
            dc = scale(dc, 1.0 - 0.15 * smooth(ry, ry + 0.3, y));
            dc = scale(dc, 1.0 + ripples * rip * depth);
            dc = mix(dc, hor, (1.0 - depth) * 0.5);
            c = mix(c, dc, cover);
        }
        c
    })
    .into_rgb()
}

// ===========================================================================
// 10. Abstract fluid art (domain-warped noise)
// ===========================================================================

fn fluid(w: u32, h: u32, p: &Params) -> RgbImage {
    let s = p.seed;
    let sd = p.detail;
    let deep = hue_rot(hex(0x1b0638), p.hue);
    let magenta = hue_rot(hex(0xff1e8c), p.hue);
    let cyan = hue_rot(hex(0x19e6ff), p.hue);
    let pale = hue_rot(hex(0xffe6f4), p.hue);
    let zoom = 2.0 + 1.2 * p.k;
    Canvas::new(w, h, |x, y| {
        let (px, py) = (x * zoom, y * zoom);
        let q = (fbm(px, py, 5, s), fbm(px + 5.2, py + 1.3, 5, s + 1));
        let r = (
            fbm(px + 3.5 * q.0 + 1.7, py + 3.5 * q.1 + 9.2, 5, s + 2),
            fbm(px + 3.5 * q.0 + 8.3, py + 3.5 * q.1 + 2.8, 5, s + 3),
        );
        let f = 0.5 + 0.5 * fbm(px + 3.5 * r.0, py + 3.5 * r.1, 5, sd + 4);
        let mut c = mix(deep, magenta, (f * f * 3.2).clamp(0.0, 1.0));
        c = mix(
            c,
            cyan,
            smooth(0.25, 0.75, (q.0 * q.0 + q.1 * q.1).sqrt() * 1.6) * (0.55 + 0.4 * p.tod),
        );
        c = mix(c, pale, smooth(0.35, 0.75, r.0.abs() * 1.3) * 0.6);
        scale(c, 0.35 + 1.1 * (f * f * f + 0.6 * f * f + 0.5 * f))
    })
    .into_rgb()
}

// ===========================================================================
// 11. Foggy forest
// ===========================================================================

struct Trunk {
    x: f32,
    w: f32,
    lean: f32,
    layer: usize,
    seed: u32,
}

fn forest(w: u32, h: u32, p: &Params) -> RgbImage {
    let mut rng = rng_for(p, 0xf0e5);
    let asp = w as f32 / h as f32;
    let fog_top = hue_rot(mix(hex(0xdfe6cf), hex(0xe9e2c4), p.tod), p.hue);
    let fog_low = hue_rot(hex(0x8a9b7c), p.hue);
    let bark_a = hex(0x3a2c20);
    let bark_b = hex(0x1a1410);
    let leaf_dark = hue_rot(hex(0x1d3a1e), p.hue);
    let leaf_lit = hue_rot(hex(0x5a8a42), p.hue);
    let fern = hue_rot(hex(0x2f4a24), p.hue);
    let moss = hue_rot(hex(0x3e4f2c), p.hue);
    let light = mix(hex(0xfff3c4), hex(0xffd98c), p.tod);
    let counts = [16usize, 11, 7, 4];
    let widths = [(0.006, 0.012), (0.012, 0.022), (0.025, 0.04), (0.05, 0.085)];
    let mut trunks = Vec::new();
    for (layer, (&n, &(wmin, wmax))) in counts.iter().zip(widths.iter()).enumerate() {
        for _ in 0..n {
            trunks.push(Trunk {
                x: rng.f32() * (asp + 0.1) - 0.05,
                w: wmin + rng.f32() * (wmax - wmin),
                lean: (rng.f32() - 0.5) * 0.04,
                layer,
                seed: rng.u32(..),
            });
        }
    }
    let depths = [0.2, 0.4, 0.68, 0.95];
    let fog_amount = 0.8 + 0.4 * p.k;
    let s = p.seed;
    let px = 1.0 / h as f32;
    let trunk = |c: Col, t: &Trunk, x: f32, y: f32, fog: Col, gy: f32| -> Col {
        let depth = depths[t.layer];
        let dx = x - (t.x + t.lean * (y - 1.0));
        let half = t.w * 0.5 * (0.8 + 0.2 * y + 0.6 * smooth(0.8, 0.95, y));
        if dx.abs() > half + px || y > gy + 0.02 * depth {
            return c;
        }
        let cov = smooth(half + px, half - px, dx.abs());
        let across = dx / half;
        let streak = fbm01(across * 3.0, y * 25.0 / (t.w * 30.0 + 0.5), 3, t.seed);
        let mut bc = mix(bark_a, bark_b, streak);
        bc = scale(bc, 0.75 + 0.35 * (1.0 - (across + 0.4).powi(2)).max(0.0));
        let fogged = mix(bc, fog, ((1.0 - depth) * fog_amount).clamp(0.0, 0.95));
        mix(c, fogged, cov)
    };
    Canvas::new(w, h, |x, y| {
        let fog = mix(fog_top, fog_low, y.powf(1.3));
        let mut c = fog;
        // far canopy blobs in the fog
        let far = smooth(
            0.5,
            0.7,
            fbm01(x * 4.0, y * 6.0, 3, s + 1) + (0.45 - y) * 0.8,
        );
        c = mix(c, mix(fog, leaf_dark, 0.3), far * 0.6);
        // ground
        let gy = 0.87 + 0.02 * fbm1(x * 4.0, 3, s + 2);
        if y > gy - px {
            let gc = scale(moss, 0.8 + 0.4 * fbm01(x * 40.0, y * 60.0, 3, s + 3));
            c = mix(
                c,
                mix(gc, fog, 0.45 - (y - gy) * 2.0),
                smooth(gy - px, gy + px, y),
            );
        }
        for t in trunks.iter().filter(|t| t.layer < 2) {
            c = trunk(c, t, x, y, fog, gy);
        }
        // undergrowth between the far and the near trees
        let bush = 0.8 + 0.05 * fbm1(x * 9.0 + 3.0, 4, s + 7);
        if y > bush - px {
            let tex = fbm01(x * 70.0, y * 50.0, 3, p.detail + 8);
            let bc = mix(scale(fern, 0.7 + 0.6 * tex), fog, 0.45);
            c = mix(c, bc, smooth(bush - px, bush + px, y));
        }
        for t in trunks.iter().filter(|t| t.layer >= 2) {
            c = trunk(c, t, x, y, fog, gy);
        }
        // near canopy across the top, with sky showing through the gaps
        if y < 0.42 {
            let dens = fbm01(x * 8.0, y * 11.0, 5, s + 4) + (0.2 - y) * 2.6;
            let ragged = 0.1 * fbm(x * 70.0, y * 70.0, 2, p.detail + 9);
            let leaves = smooth(0.5, 0.53, dens + ragged);
            if leaves > 0.0 {
                let tex = fbm01(x * 34.0, y * 34.0, 3, p.detail + 5);
                let inner = 0.7 + 0.3 * smooth(0.5, 0.8, dens);
                let lc = scale(
                    mix(leaf_dark, leaf_lit, smooth(0.3, 0.7, tex) * 0.85),
                    inner,
                );
                c = mix(c, lc, leaves);
            }
        }
        // light shafts from the upper left
        let shaft = smooth(0.1, 0.7, fbm1((x - y * 0.45) * 9.0, 3, p.detail + 6));
        c = add(c, scale(light, shaft * 0.22 * (1.0 - y * 0.8)));
        // ground fog
        mix(c, fog_top, smooth(0.65, 1.0, y) * 0.25)
    })
    .into_rgb()
}

// ===========================================================================
// Post-processing for derived assets
// ===========================================================================

/// Separable box blur with radius `r` (clamped at the borders).
fn box_blur(img: &RgbImage, r: u32) -> RgbImage {
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
fn posterize(img: &mut RgbImage, levels: u8) {
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
fn pixelate(img: &RgbImage, grid: u32) -> RgbImage {
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

// ===========================================================================
// Encoders
// ===========================================================================

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fmt {
    Png,
    Jpeg,
    Webp,
}

impl Fmt {
    fn ext(self) -> &'static str {
        match self {
            Fmt::Png => "png",
            Fmt::Jpeg => "jpg",
            Fmt::Webp => "webp",
        }
    }

    fn mime(self) -> &'static str {
        match self {
            Fmt::Png => "image/png",
            Fmt::Jpeg => "image/jpeg",
            Fmt::Webp => "image/webp",
        }
    }
}

fn encode(raw: &[u8], w: u32, h: u32, color: ExtendedColorType, fmt: Fmt) -> Res<Vec<u8>> {
    let mut buf = Vec::new();
    match fmt {
        Fmt::Png => {
            PngEncoder::new_with_quality(&mut buf, CompressionType::Best, FilterType::Adaptive)
                .write_image(raw, w, h, color)?
        }
        Fmt::Jpeg => JpegEncoder::new_with_quality(&mut buf, 85).encode(raw, w, h, color)?,
        Fmt::Webp => WebPEncoder::new_lossless(&mut buf).encode(raw, w, h, color)?,
    }
    Ok(buf)
}

fn gif_spin(p: &Params, size: u32, frames: u32) -> Res<Vec<u8>> {
    let mut buf = Vec::new();
    {
        let mut enc = GifEncoder::new_with_speed(&mut buf, 10);
        enc.set_repeat(Repeat::Infinite)?;
        for i in 0..frames {
            let spin = p.tod * TAU + i as f32 / frames as f32 * TAU;
            let rgb = planet_canvas(size, size, p, spin).into_rgb();
            let rgba = RgbaImage::from_fn(size, size, |x, y| {
                let [r, g, b] = rgb.get_pixel(x, y).0;
                image::Rgba([r, g, b, 255])
            });
            enc.encode_frame(Frame::from_parts(
                rgba,
                0,
                0,
                Delay::from_numer_denom_ms(90, 1),
            ))?;
        }
    }
    Ok(buf)
}

// ===========================================================================
// A low-poly rock as binary glTF 2.0
// ===========================================================================

/// The GLB bytes and the triangle count.
fn rock_glb(seed: u32) -> Res<(Vec<u8>, usize)> {
    let t = (1.0 + 5f32.sqrt()) / 2.0;
    let mut verts: Vec<[f32; 3]> = [
        [-1.0, t, 0.0],
        [1.0, t, 0.0],
        [-1.0, -t, 0.0],
        [1.0, -t, 0.0],
        [0.0, -1.0, t],
        [0.0, 1.0, t],
        [0.0, -1.0, -t],
        [0.0, 1.0, -t],
        [t, 0.0, -1.0],
        [t, 0.0, 1.0],
        [-t, 0.0, -1.0],
        [-t, 0.0, 1.0],
    ]
    .iter()
    .map(|v| norm3(*v))
    .collect();
    let mut faces: Vec<[u32; 3]> = vec![
        [0, 11, 5],
        [0, 5, 1],
        [0, 1, 7],
        [0, 7, 10],
        [0, 10, 11],
        [1, 5, 9],
        [5, 11, 4],
        [11, 10, 2],
        [10, 7, 6],
        [7, 1, 8],
        [3, 9, 4],
        [3, 4, 2],
        [3, 2, 6],
        [3, 6, 8],
        [3, 8, 9],
        [4, 9, 5],
        [2, 4, 11],
        [6, 2, 10],
        [8, 6, 7],
        [9, 8, 1],
    ];
    // two subdivisions (320 triangles), midpoints cached so shared edges stay welded
    let mut cache: BTreeMap<(u32, u32), u32> = BTreeMap::new();
    let mut mid = |a: u32, b: u32, verts: &mut Vec<[f32; 3]>| -> u32 {
        let key = (a.min(b), a.max(b));
        *cache.entry(key).or_insert_with(|| {
            let (va, vb) = (verts[a as usize], verts[b as usize]);
            verts.push(norm3([
                (va[0] + vb[0]) / 2.0,
                (va[1] + vb[1]) / 2.0,
                (va[2] + vb[2]) / 2.0,
            ]));
            (verts.len() - 1) as u32
        })
    };
    for _ in 0..2 {
        let mut sub = Vec::with_capacity(faces.len() * 4);
        for &[a, b, c] in &faces {
            let ab = mid(a, b, &mut verts);
            let bc = mid(b, c, &mut verts);
            let ca = mid(c, a, &mut verts);
            sub.extend([[a, ab, ca], [b, bc, ab], [c, ca, bc], [ab, bc, ca]]);
        }
        faces = sub;
    }
    // lumpy, squat, flat-bottomed
    for v in verts.iter_mut() {
        let r = 1.0
            + 0.22
                * fbm(
                    v[0] * 1.3 + v[2] * 0.7 + 4.0,
                    v[1] * 1.3 - v[2] * 0.5,
                    3,
                    seed,
                );
        *v = [
            v[0] * r * 1.0,
            (v[1] * r * 0.68).max(-0.45),
            v[2] * r * 0.85,
        ];
    }
    // flat shading: three vertices per face with the face normal
    let (mut pos, mut nrm, mut idx) = (Vec::new(), Vec::new(), Vec::new());
    for [a, b, c] in &faces {
        let (mut pa, pb, mut pc) = (verts[*a as usize], verts[*b as usize], verts[*c as usize]);
        let mut n = norm3(cross(sub3(pb, pa), sub3(pc, pa)));
        let centroid = [
            (pa[0] + pb[0] + pc[0]) / 3.0,
            (pa[1] + pb[1] + pc[1]) / 3.0,
            (pa[2] + pb[2] + pc[2]) / 3.0,
        ];
        if n[0] * centroid[0] + n[1] * centroid[1] + n[2] * centroid[2] < 0.0 {
            std::mem::swap(&mut pa, &mut pc);
            n = [-n[0], -n[1], -n[2]];
        }
        for p in [pa, pb, pc] {
            idx.push(pos.len() as u16);
            pos.push(p);
            nrm.push(n);
        }
    }
    let count = pos.len();
    let mut min = [f32::MAX; 3];
    let mut max = [f32::MIN; 3];
    for p in &pos {
        for k in 0..3 {
            min[k] = min[k].min(p[k]);
            max[k] = max[k].max(p[k]);
        }
    }
    let mut bin = Vec::new();
    for v in pos.iter().chain(nrm.iter()) {
        for c in v {
            bin.extend(c.to_le_bytes());
        }
    }
    let idx_off = bin.len();
    for i in &idx {
        bin.extend(i.to_le_bytes());
    }
    let idx_len = bin.len() - idx_off;
    while bin.len() % 4 != 0 {
        bin.push(0);
    }
    let vec_len = count * 12;
    let gltf = json!({
        "asset": {"version": "2.0", "generator": "assetui gen_demo"},
        "scene": 0,
        "scenes": [{"name": "Scene", "nodes": [0]}],
        "nodes": [{"name": "Boulder", "mesh": 0}],
        "meshes": [{"name": "Boulder", "primitives": [{
            "attributes": {"POSITION": 0, "NORMAL": 1},
            "indices": 2, "material": 0, "mode": 4
        }]}],
        "materials": [{
            "name": "Weathered stone",
            "pbrMetallicRoughness": {
                "baseColorFactor": [0.46, 0.41, 0.36, 1.0],
                "metallicFactor": 0.0,
                "roughnessFactor": 0.92
            }
        }],
        "buffers": [{"byteLength": bin.len()}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": vec_len, "byteStride": 12, "target": 34962},
            {"buffer": 0, "byteOffset": vec_len, "byteLength": vec_len, "byteStride": 12, "target": 34962},
            {"buffer": 0, "byteOffset": idx_off, "byteLength": idx_len, "target": 34963}
        ],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": count, "type": "VEC3",
             "min": min.map(f64::from), "max": max.map(f64::from)},
            {"bufferView": 1, "componentType": 5126, "count": count, "type": "VEC3"},
            {"bufferView": 2, "componentType": 5123, "count": count, "type": "SCALAR"}
        ]
    });
    let mut js = serde_json::to_vec(&gltf)?;
    while js.len() % 4 != 0 {
        js.push(b' ');
    }
    let total = 12 + 8 + js.len() + 8 + bin.len();
    let mut out = Vec::with_capacity(total);
    out.extend(b"glTF");
    out.extend(2u32.to_le_bytes());
    out.extend(u32::try_from(total)?.to_le_bytes());
    out.extend(u32::try_from(js.len())?.to_le_bytes());
    out.extend(0x4E4F_534Au32.to_le_bytes()); // "JSON"
    out.extend(&js);
    out.extend(u32::try_from(bin.len())?.to_le_bytes());
    out.extend(0x004E_4942u32.to_le_bytes()); // "BIN\0"
    out.extend(&bin);
    Ok((out, faces.len()))
}

fn norm3(v: [f32; 3]) -> [f32; 3] {
    let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    [v[0] / n, v[1] / n, v[2] / n]
}

fn sub3(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn cross(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

// ===========================================================================
// A chime arpeggio as 16-bit PCM mono WAV
// ===========================================================================

const SAMPLE_RATE: u32 = 22_050;

fn chime_wav() -> Vec<u8> {
    let n = (SAMPLE_RATE * 2) as usize;
    let notes = [523.25f32, 659.25, 783.99, 1046.5, 1318.51];
    // bell-like inharmonic partials: (ratio, amplitude, decay per second)
    let partials = [
        (1.0f32, 1.0f32, 2.6f32),
        (2.76, 0.42, 4.5),
        (5.4, 0.16, 7.0),
        (8.93, 0.06, 10.0),
    ];
    let mut buf = vec![0f32; n];
    for (i, &f0) in notes.iter().enumerate() {
        let start = (i as f32 * 0.22 * SAMPLE_RATE as f32) as usize;
        let gain = 0.9 - i as f32 * 0.08;
        for (j, s) in buf.iter_mut().enumerate().skip(start) {
            let t = (j - start) as f32 / SAMPLE_RATE as f32;
            let attack = (t / 0.004).min(1.0);
            let mut v = 0.0;
            for &(ratio, amp, decay) in &partials {
                v += amp * (TAU * f0 * ratio * t).sin() * (-decay * t).exp();
            }
            *s += v * attack * gain;
        }
    }
    let peak = buf.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-6);
    let fade_len = (SAMPLE_RATE / 20) as usize;
    let mut data = Vec::with_capacity(n * 2);
    for (j, v) in buf.iter().enumerate() {
        let fade = ((n - j) as f32 / fade_len as f32).min(1.0);
        let q = (v / peak * 0.8 * fade * 32767.0).round() as i16;
        data.extend(q.to_le_bytes());
    }
    let mut out = Vec::with_capacity(44 + data.len());
    out.extend(b"RIFF");
    out.extend((36 + data.len() as u32).to_le_bytes());
    out.extend(b"WAVEfmt ");
    out.extend(16u32.to_le_bytes());
    out.extend(1u16.to_le_bytes()); // PCM
    out.extend(1u16.to_le_bytes()); // mono
    out.extend(SAMPLE_RATE.to_le_bytes());
    out.extend((SAMPLE_RATE * 2).to_le_bytes()); // byte rate
    out.extend(2u16.to_le_bytes()); // block align
    out.extend(16u16.to_le_bytes()); // bits per sample
    out.extend(b"data");
    out.extend((data.len() as u32).to_le_bytes());
    out.extend(data);
    out
}

// ===========================================================================
// The library description: families, variations, lineage
// ===========================================================================

/// How a variation came to be.
#[derive(Clone, Copy)]
enum Op {
    /// A fresh generation of this type (the first output of its job).
    Gen(&'static str),
    /// Another output of the same job as variation `i`.
    Sibling(usize),
    /// Derived from variation `i` with this type.
    Derive(&'static str, usize),
    /// A 2x upscale of variation `i`: same scene, twice the resolution.
    Upscale(&'static str, usize),
    /// An uploaded reference (the name is its file name).
    Uploaded,
}

struct Var {
    op: Op,
    size: (u32, u32),
    fmt: Fmt,
    p: Params,
    name: Option<&'static str>,
    /// Appended to the family's prompt and caption ("" = the parent's).
    look: &'static str,
    tags: &'static [&'static str],
}

const fn v(
    op: Op,
    size: (u32, u32),
    fmt: Fmt,
    p: Params,
    name: Option<&'static str>,
    look: &'static str,
    tags: &'static [&'static str],
) -> Var {
    Var {
        op,
        size,
        fmt,
        p,
        name,
        look,
        tags,
    }
}

/// Upscales take their size and scene from the parent.
const UP: (u32, u32) = (0, 0);
const P0: Params = pr(0, 0, 0.0, 0.0, 0.0);

type Render = fn(u32, u32, &Params) -> RgbImage;

struct Family {
    key: &'static str,
    stem: &'static str,
    subject: &'static str,
    style: &'static str,
    negative: &'static str,
    caption: &'static str,
    tags: &'static [&'static str],
    model: usize,
    render: Render,
    vars: [Var; 6],
}

struct Model {
    label: &'static str,
    kind: &'static str,
    base: Option<usize>,
    guidance: f64,
    steps: u32,
    scheduler: Option<&'static str>,
}

const MODELS: [Model; 6] = [
    Model {
        label: "flux-dev",
        kind: "flux.1",
        base: None,
        guidance: 3.5,
        steps: 28,
        scheduler: Some("FlowMatchEulerDiscreteScheduler"),
    },
    Model {
        label: "alpine-env-lora",
        kind: "flux.1-lora",
        base: Some(0),
        guidance: 3.5,
        steps: 28,
        scheduler: Some("FlowMatchEulerDiscreteScheduler"),
    },
    Model {
        label: "sdxl-base",
        kind: "sd-xl",
        base: None,
        guidance: 7.0,
        steps: 30,
        scheduler: Some("EulerAncestralDiscreteScheduler"),
    },
    Model {
        label: "pixel-critters",
        kind: "sd-xl-lora",
        base: Some(2),
        guidance: 6.5,
        steps: 30,
        scheduler: Some("DPMSolverMultistepScheduler"),
    },
    Model {
        label: "stone-and-timber",
        kind: "sd-xl-lora",
        base: Some(2),
        guidance: 6.0,
        steps: 34,
        scheduler: Some("DPMSolverMultistepScheduler"),
    },
    Model {
        label: "flux-pro-ultra",
        kind: "flux.1.1-pro-ultra",
        base: None,
        guidance: 3.0,
        steps: 40,
        scheduler: None,
    },
];

const AUTHORS: [(&str, &str); 4] = [
    ("user-mira", "Mira Okafor"),
    ("user-jonah", "Jonah Reyes"),
    ("user-priya", "Priya Natarajan"),
    ("user-lukas", "Lukas Brandt"),
];

const COLLECTIONS: [&str; 5] = [
    "Hero shots",
    "Environment concepts",
    "Game jam kit",
    "Night moods",
    "Client review",
];

const G2I: &str = "inference-txt2img";
const I2I: &str = "inference-img2img";
const JPG: Fmt = Fmt::Jpeg;
const PNG: Fmt = Fmt::Png;
const WEBP: Fmt = Fmt::Webp;

fn families() -> Vec<Family> {
    vec![
        Family {
            key: "landscapes",
            stem: "landscape",
            subject: "majestic alpine mountain range, layered ridgelines receding into atmospheric haze, low sun glowing over misty valleys",
            style: "cinematic wide shot, volumetric light, ultra detailed, 35mm photograph",
            negative: "blurry, lowres, watermark, text, oversaturated, people, buildings",
            caption: "A layered range of mountain ridges fading into haze",
            tags: &["landscape", "mountains", "environment"],
            model: 1,
            render: landscape,
            vars: [
                v(Op::Gen(G2I), (1024, 576), JPG, pr(101, 1, 0.9, 0.0, 0.0), Some("Alpine dusk"), "at dusk with a low amber sun", &["hero", "approved", "sunset"]),
                v(Op::Derive(I2I, 0), (768, 432), JPG, pr(101, 2, 0.72, 4.0, 0.0), None, "in warm late-afternoon light", &["draft"]),
                v(Op::Derive(I2I, 0), (1024, 576), JPG, pr(101, 3, 1.0, -12.0, 0.0), Some("Violet hour"), "under a violet twilight sky", &["wip", "sunset"]),
                v(Op::Upscale("upscale", 1), UP, JPG, P0, Some("Late light (2x)"), "", &["approved"]),
                v(Op::Derive("restyle", 0), (1024, 576), JPG, pr(101, 5, 0.85, 10.0, 0.0), None, "repainted as a flat gouache poster", &["concept"]),
                v(Op::Uploaded, (1280, 720), JPG, pr(177, 6, 0.62, 0.0, 0.0), Some("ridge-reference-0412.jpg"), "photographed from a high pass on a hazy afternoon", &["reference"]),
            ],
        },
        Family {
            key: "planets",
            stem: "planet",
            subject: "colossal banded gas giant floating in deep space, swirling storm bands, thin blue atmosphere catching the light",
            style: "sci-fi concept art, sharp focus, dramatic rim lighting, starfield background, highly detailed",
            negative: "blurry, lowres, watermark, text, frame, cropped planet",
            caption: "A banded gas giant lit from the side against a starfield",
            tags: &["space", "planet", "sci-fi"],
            model: 0,
            render: planet,
            vars: [
                v(Op::Gen(G2I), (768, 768), JPG, pr(201, 1, 0.1, 0.0, 0.3), Some("Ochre giant"), "in warm ochre and rust tones", &["hero"]),
                v(Op::Sibling(0), (768, 768), JPG, pr(202, 2, 0.4, -15.0, 0.6), None, "with a large pale storm vortex", &["concept"]),
                v(Op::Derive(I2I, 0), (512, 512), JPG, pr(201, 3, 0.15, 10.0, 0.3), None, "with sharper storm bands", &["draft"]),
                v(Op::Upscale("upscale", 2), UP, JPG, P0, None, "", &["approved"]),
                v(Op::Derive("inference-controlnet", 0), (768, 768), JPG, pr(201, 5, 0.3, -8.0, 0.5), Some("Depth pass giant"), "following the depth map of the original sphere", &["wip"]),
                v(Op::Gen(G2I), (512, 512), WEBP, pr(205, 6, 0.7, 18.0, 0.8), None, "in dusty rose and copper tones", &["concept"]),
            ],
        },
        Family {
            key: "textures",
            stem: "texture",
            subject: "seamless tileable cobblestone texture, rounded river stones set in dark mortar, top-down view",
            style: "PBR albedo, photoscanned, even diffuse lighting, 4k game texture",
            negative: "seams, perspective, cast shadows, blurry, text, watermark",
            caption: "A seamless top-down texture of rounded stones set in mortar",
            tags: &["texture", "stone", "seamless", "pbr"],
            model: 4,
            render: stone,
            vars: [
                v(Op::Gen("texture"), (512, 512), JPG, pr(301, 1, 0.0, 0.0, 0.35), Some("Riverstone"), "in warm grey and umber stones", &["approved"]),
                v(Op::Gen("inference-txt2img-texture"), (768, 768), JPG, pr(302, 2, 0.0, 8.0, 0.15), None, "with larger flat flagstones", &["draft"]),
                v(Op::Derive("inference-img2img-texture", 0), (512, 512), JPG, pr(301, 3, 0.0, -6.0, 0.35), None, "with crisper mortar lines", &["wip"]),
                v(Op::Upscale("upscale-texture", 2), UP, JPG, P0, None, "", &["approved"]),
                v(Op::Gen("texture"), (512, 512), PNG, pr(305, 5, 0.0, 12.0, 0.7), Some("Sandstone setts"), "with small sun-bleached sandstone pebbles", &["concept"]),
                v(Op::Derive("inference-img2img-texture", 1), (768, 768), JPG, pr(302, 6, 0.0, -10.0, 0.15), None, "with darker, weathered mortar", &["wip"]),
            ],
        },
        Family {
            key: "skyboxes",
            stem: "skybox",
            subject: "360 degree equirectangular skybox, vast open sky with towering cumulus clouds over rolling green hills",
            style: "seamless panorama, HDR, physically based sky, soft sun, game environment",
            negative: "seams, distortion, text, watermark, people, buildings, lowres",
            caption: "An equirectangular panorama of a cloudy sky above distant hills",
            tags: &["skybox", "360", "sky", "environment"],
            model: 1,
            render: skybox,
            vars: [
                v(Op::Gen("skybox-base-360"), (1024, 512), JPG, pr(401, 1, 0.2, 0.0, 0.5), Some("Cumulus noon"), "at midday with fair-weather cumulus", &["hero"]),
                v(Op::Sibling(0), (1024, 512), JPG, pr(402, 2, 0.3, 0.0, 0.2), None, "with thicker cloud cover", &["draft"]),
                v(Op::Derive("skybox-base-360", 0), (768, 384), JPG, pr(401, 3, 0.45, -5.0, 0.5), None, "in the first warm light of the afternoon", &["wip"]),
                v(Op::Upscale("upscale-skybox", 2), UP, JPG, P0, Some("Afternoon dome (2x)"), "", &["approved"]),
                v(Op::Gen("skybox-base-360"), (1024, 512), JPG, pr(405, 5, 0.65, 8.0, 0.7), Some("Golden hour dome"), "at golden hour with scattered clouds", &["concept"]),
                v(Op::Gen("skybox-base-360"), (512, 256), WEBP, pr(406, 6, 0.25, -10.0, 0.9), None, "with sparse high clouds", &["draft"]),
            ],
        },
        Family {
            key: "portraits",
            stem: "portrait",
            subject: "head and shoulders silhouette of a person against a softly lit studio backdrop, strong rim light tracing the profile",
            style: "studio portrait photography, 85mm lens, shallow depth of field, moody, minimal",
            negative: "face details, text, watermark, extra limbs, deformed, blurry, lowres",
            caption: "A dark head-and-shoulders silhouette with a warm rim light against a teal backdrop",
            tags: &["portrait", "silhouette", "character"],
            model: 0,
            render: portrait,
            vars: [
                v(Op::Gen(G2I), (576, 1024), JPG, pr(501, 1, 0.3, 0.0, 0.0), Some("Rim-lit profile"), "with the light coming from the left", &["hero", "approved"]),
                v(Op::Derive(I2I, 0), (432, 768), JPG, pr(501, 2, 0.8, 6.0, 0.0), None, "with a warmer, softer key light", &["draft"]),
                v(Op::Derive("restyle", 0), (576, 1024), JPG, pr(501, 3, 0.3, -14.0, 0.0), None, "restyled as a flat duotone poster", &["concept"]),
                v(Op::Upscale("upscale", 1), UP, JPG, P0, None, "", &["approved"]),
                v(Op::Gen(G2I), (576, 1024), JPG, pr(505, 5, 0.5, 10.0, 1.0), Some("Backlit figure"), "with the light coming from the right", &["wip"]),
                v(Op::Derive("inference-reference", 4), (576, 1024), JPG, pr(505, 6, 0.6, -8.0, 1.0), None, "matching the reference pose with a bluer backdrop", &["draft"]),
            ],
        },
        Family {
            key: "pixel-art",
            stem: "pixel",
            subject: "pixel art sprite of a cute little monster on a grassy ledge under a starry night sky and full moon",
            style: "16-bit retro game asset, crisp pixels, flat colors, limited palette",
            negative: "blurry, anti-aliasing, gradients, photorealistic, text, watermark",
            caption: "A chunky pixel-art creature standing on a grassy ledge under a dithered night sky",
            tags: &["pixel-art", "sprite", "retro", "game-asset"],
            model: 3,
            render: pixel_art,
            vars: [
                v(Op::Gen(G2I), (512, 512), PNG, pr(601, 1, 0.0, 0.0, 0.0), Some("Moss slime"), "in mossy greens", &["hero", "approved"]),
                v(Op::Derive(I2I, 0), (512, 512), PNG, pr(601, 2, 0.0, 0.0, 0.0), None, "with the clouds and coins moved around", &["draft"]),
                v(Op::Derive("pixelization", 0), (512, 512), PNG, pr(601, 1, 0.0, 0.0, 0.0), None, "re-pixelated on a coarser 32-pixel grid", &["wip"]),
                v(Op::Upscale("upscale", 1), UP, PNG, P0, None, "", &["approved"]),
                v(Op::Gen(G2I), (768, 768), PNG, pr(605, 5, 1.0, 0.0, 1.0), Some("Ember imp"), "in ember oranges", &["concept"]),
                v(Op::Gen(G2I), (256, 256), WEBP, pr(606, 6, 0.0, 0.0, 2.0), None, "in candy pinks", &["draft"]),
            ],
        },
        Family {
            key: "underwater",
            stem: "underwater",
            subject: "sunlit shallow lagoon underwater, shimmering caustics on the sandy seabed, god rays piercing turquoise water, rising bubbles, swaying seaweed",
            style: "underwater photography, wide angle, natural light, highly detailed",
            negative: "murky, blurry, lowres, text, watermark, divers, boats",
            caption: "A turquoise underwater scene with light rays, caustics on the sand and rising bubbles",
            tags: &["underwater", "ocean", "environment"],
            model: 0,
            render: underwater,
            vars: [
                v(Op::Gen(G2I), (1024, 576), JPG, pr(701, 1, 0.3, 0.0, 0.5), Some("Sunlit shallows"), "in the late morning", &["hero", "approved"]),
                v(Op::Derive(I2I, 0), (1024, 576), JPG, pr(701, 2, 0.5, -6.0, 0.5), None, "with stronger light rays", &["draft"]),
                v(Op::Derive(I2I, 0), (768, 432), JPG, pr(701, 3, 0.4, 8.0, 0.8), None, "with denser seaweed", &["wip"]),
                v(Op::Upscale("upscale", 2), UP, JPG, P0, None, "", &["approved"]),
                v(Op::Derive("inference-controlnet", 0), (1024, 576), JPG, pr(701, 5, 0.35, -10.0, 0.4), Some("Lagoon depth pass"), "following the depth layout of the original frame", &["concept"]),
                v(Op::Gen(G2I), (1024, 576), JPG, pr(706, 6, 0.7, 5.0, 0.6), None, "deeper down, where the blue takes over", &["draft"]),
            ],
        },
        Family {
            key: "neon-city",
            stem: "neon",
            subject: "rain-soaked neon city street at night, towering apartment blocks with glowing windows, magenta and cyan neon signs reflected in wet asphalt",
            style: "cyberpunk, cinematic, anamorphic lens, volumetric haze, ultra detailed",
            negative: "daylight, blurry, lowres, text, watermark, people, cars",
            caption: "A neon-lit night street with tall buildings and reflections on wet asphalt",
            tags: &["city", "neon", "night", "cyberpunk"],
            model: 5,
            render: neon_city,
            vars: [
                v(Op::Gen(G2I), (576, 1024), JPG, pr(801, 1, 0.0, 0.0, 0.3), Some("Café \"Nébula\" — 夜"), "with a glowing café sign on the corner", &["hero"]),
                v(Op::Derive(I2I, 0), (432, 768), JPG, pr(801, 2, 0.0, 6.0, 0.7), None, "with more lit windows", &["draft"]),
                v(Op::Derive("restyle", 0), (576, 1024), JPG, pr(801, 3, 0.0, -10.0, 0.3), None, "restyled as a flat synthwave poster", &["concept"]),
                v(Op::Upscale("upscale", 1), UP, JPG, P0, None, "", &["approved"]),
                v(Op::Gen(G2I), (576, 1024), JPG, pr(805, 5, 0.0, 12.0, 0.4), Some("Overpass glow"), "beneath a hazy overpass", &["wip"]),
                v(Op::Derive("inference-inpaint", 4), (576, 1024), JPG, pr(805, 6, 0.0, 8.0, 0.5), None, "with an extra vertical sign painted in", &["draft"]),
            ],
        },
        Family {
            key: "deserts",
            stem: "desert",
            subject: "endless sand dunes in a vast desert under a harsh sun, sharp crests with deep orange shadows, cloudless deep blue sky",
            style: "landscape photography, high contrast, wide angle, crisp detail",
            negative: "people, camels, vegetation, blurry, lowres, text, watermark, haze",
            caption: "Rolling orange sand dunes with sharp crests under a deep blue sky",
            tags: &["desert", "dunes", "landscape", "environment"],
            model: 1,
            render: desert,
            vars: [
                v(Op::Gen(G2I), (1024, 576), JPG, pr(901, 1, 0.2, 0.0, 0.5), Some("Erg at noon"), "at noon with the sun high in the sky", &["hero"]),
                v(Op::Derive(I2I, 0), (1024, 576), JPG, pr(901, 2, 0.7, 4.0, 0.5), None, "with longer, redder shadows", &["draft"]),
                v(Op::Derive(I2I, 0), (768, 432), JPG, pr(901, 3, 0.3, -4.0, 1.0), None, "with finer wind ripples", &["wip"]),
                v(Op::Upscale("upscale", 2), UP, JPG, P0, Some("Ripples (2x)"), "", &["approved"]),
                v(Op::Derive("restyle", 0), (1024, 576), JPG, pr(901, 5, 0.4, 8.0, 0.2), None, "restyled as a bold vector-style poster", &["concept"]),
                v(Op::Uploaded, (1200, 675), JPG, pr(977, 6, 0.5, -6.0, 0.6), Some("dune-scout-2025-04.jpg"), "photographed on a location scout", &["reference"]),
            ],
        },
        Family {
            key: "fluid-art",
            stem: "fluid",
            subject: "abstract fluid art, swirling marbled ink in vivid magenta and electric cyan, flowing liquid ribbons and soft gradients",
            style: "macro photography of paint, acrylic pour, high saturation, smooth, abstract wallpaper",
            negative: "text, watermark, frame, figurative, faces, lowres, jpeg artifacts",
            caption: "Swirling marbled ink in magenta and cyan with flowing ribbons",
            tags: &["abstract", "fluid", "wallpaper"],
            model: 5,
            render: fluid,
            vars: [
                v(Op::Gen(G2I), (768, 768), JPG, pr(1001, 1, 0.4, 0.0, 0.3), Some("Ink bloom"), "with a deep violet core", &["hero"]),
                v(Op::Derive(I2I, 0), (512, 512), JPG, pr(1001, 2, 0.5, 8.0, 0.5), None, "with tighter swirls", &["draft"]),
                v(Op::Derive(I2I, 0), (768, 768), JPG, pr(1001, 3, 0.9, -8.0, 0.3), None, "with more cyan highlights", &["wip"]),
                v(Op::Upscale("upscale", 1), UP, JPG, P0, None, "", &["approved"]),
                v(Op::Derive("restyle", 0), (768, 768), JPG, pr(1001, 5, 0.5, 12.0, 0.3), Some("Hard-edged pour"), "restyled with hard-edged paint layers", &["concept"]),
                v(Op::Gen(G2I), (384, 384), WEBP, pr(1006, 6, 0.3, -12.0, 0.4), None, "with pale pink ribbons", &["draft"]),
            ],
        },
        Family {
            key: "forests",
            stem: "forest",
            subject: "misty pine forest at dawn, tall dark trunks fading into dense fog, soft light filtering through the green canopy, mossy forest floor",
            style: "moody landscape photography, atmospheric perspective, muted colors, 50mm, highly detailed",
            negative: "people, buildings, blurry, lowres, text, watermark, oversaturated",
            caption: "Tall dark tree trunks fading into green fog beneath a dense canopy",
            tags: &["forest", "trees", "fog", "environment"],
            model: 2,
            render: forest,
            vars: [
                v(Op::Gen(G2I), (576, 1024), JPG, pr(1101, 1, 0.2, 0.0, 0.5), Some("Fogbound pines"), "at dawn with soft diagonal light", &["hero", "approved"]),
                v(Op::Derive(I2I, 0), (576, 1024), JPG, pr(1101, 2, 0.3, 4.0, 0.9), None, "with thicker fog", &["draft"]),
                v(Op::Derive(I2I, 0), (432, 768), JPG, pr(1101, 3, 0.8, -4.0, 0.5), None, "with warmer light shafts", &["wip"]),
                v(Op::Upscale("upscale", 2), UP, JPG, P0, None, "", &["approved"]),
                v(Op::Gen(G2I), (576, 1024), JPG, pr(1105, 5, 0.4, 6.0, 0.4), Some("Old growth"), "deeper in the old-growth stand", &["concept"]),
                v(Op::Uploaded, (720, 1280), JPG, pr(1177, 6, 0.5, -6.0, 0.7), Some("trail-fog-ref.jpg"), "photographed on a foggy trail", &["reference"]),
            ],
        },
    ]
}

// ===========================================================================
// Ids, dates
// ===========================================================================

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A stable id: `prefix` + 22 base62 characters derived from `label`.
fn make_id(prefix: &str, label: &str) -> String {
    const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = Rng::with_seed(fnv(label));
    let body: String = (0..22).map(|_| B62[rng.usize(0..62)] as char).collect();
    format!("{prefix}{body}")
}

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// Milliseconds since the epoch for a UTC date.
fn ms(y: i64, m: i64, d: i64, h: i64) -> i64 {
    // days from civil (Howard Hinnant)
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * DAY + h * HOUR
}

fn iso(t: i64) -> String {
    let days = t.div_euclid(DAY);
    let rem = t.rem_euclid(DAY);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / HOUR,
        rem % HOUR / 60_000,
        rem % 60_000 / 1000,
        rem % 1000
    )
}

fn aspect(w: u32, h: u32) -> String {
    fn gcd(a: u32, b: u32) -> u32 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    let g = gcd(w, h);
    format!("{}:{}", w / g, h / g)
}

// ===========================================================================
// Manifest records
// ===========================================================================

struct Rec {
    id: String,
    file: String,
    family: &'static str,
    kind: &'static str,
    mime: &'static str,
    author: usize,
    privacy: &'static str,
    created: i64,
    updated: i64,
    tags: Vec<String>,
    description: String,
    meta: Map<String, Value>,
    /// Index into COLLECTIONS.
    collections: Vec<usize>,
    bytes: usize,
}

/// What a generated variation left behind, for its children.
#[derive(Clone)]
struct Done {
    id: String,
    root: Option<String>,
    params: Params,
    size: (u32, u32),
    look: &'static str,
    created: i64,
    inference: String,
    job: String,
    outputs_used: u32,
}

fn seed_string(rng: &mut Rng) -> String {
    rng.u32(100_000_000..u32::MAX).to_string()
}

fn updated_after(rng: &mut Rng, created: i64) -> i64 {
    let limit = ms(2025, 11, 28, 18);
    let t = match rng.u32(0..3) {
        0 => created,
        1 => created + rng.i64(1..6 * HOUR),
        _ => created + rng.i64(DAY..20 * DAY),
    };
    t.min(limit).max(created)
}

/// Generation parameters shared by generative types.
fn gen_fields(m: &mut Map<String, Value>, model: usize, seed: String) {
    let md = &MODELS[model];
    m.insert("seed".into(), json!(seed));
    m.insert("modelId".into(), json!(make_id("model_", md.label)));
    m.insert("modelType".into(), json!(md.kind));
    if let Some(b) = md.base {
        m.insert(
            "baseModelId".into(),
            json!(make_id("model_", MODELS[b].label)),
        );
    }
}

fn gen_family(out: &Path, fi: usize, fam: &Family, recs: &mut Vec<Rec>) -> Res<Vec<Done>> {
    let mut done: Vec<Done> = Vec::new();
    let mut rng = Rng::with_seed(fnv(fam.key));
    let base_time = ms(2025, 3, 8, 8) + fi as i64 * 20 * DAY + rng.i64(0..10 * HOUR);
    for (vi, var) in fam.vars.iter().enumerate() {
        let label = format!("{}/{}", fam.key, vi + 1);
        let id = make_id("asset_", &label);
        let mut arng = Rng::with_seed(fnv(&label));
        // scene and size
        let (params, size) = match var.op {
            Op::Upscale(_, pi) => (done[pi].params, (done[pi].size.0 * 2, done[pi].size.1 * 2)),
            _ => (var.p, var.size),
        };
        let parent = match var.op {
            Op::Derive(_, pi) | Op::Upscale(_, pi) => Some(done[pi].clone()),
            _ => None,
        };
        let look = if var.look.is_empty() {
            parent.as_ref().map_or("", |p| p.look)
        } else {
            var.look
        };
        let ty = match var.op {
            Op::Gen(t) | Op::Derive(t, _) | Op::Upscale(t, _) => t,
            Op::Sibling(si) => match fam.vars[si].op {
                Op::Gen(t) => t,
                _ => G2I,
            },
            Op::Uploaded => "uploaded",
        };
        let mut img = (fam.render)(size.0, size.1, &params);
        match ty {
            "restyle" => posterize(&mut img, 6),
            "pixelization" => img = pixelate(&img, 32),
            _ => {}
        }
        let (w, h) = img.dimensions();
        let bytes = encode(img.as_raw(), w, h, ExtendedColorType::Rgb8, var.fmt)?;
        let file = format!("images/{}-{:02}.{}", fam.stem, vi + 1, var.fmt.ext());
        fs::write(out.join(&file), &bytes)?;

        // time line: children after parents, uploads before the first generation
        let created = match var.op {
            _ if vi == 0 => base_time,
            Op::Sibling(si) => done[si].created + arng.i64(1..900),
            Op::Derive(_, pi) | Op::Upscale(_, pi) => {
                done[pi].created + arng.i64(HOUR / 4..2 * DAY)
            }
            Op::Uploaded => base_time - arng.i64(DAY..5 * DAY),
            Op::Gen(_) => base_time + vi as i64 * DAY + arng.i64(0..DAY),
        };
        let updated = updated_after(&mut arng, created);

        // jobs
        let (inference, job, output_index, num_outputs) = match var.op {
            Op::Sibling(si) => {
                done[si].outputs_used += 1;
                (
                    done[si].inference.clone(),
                    done[si].job.clone(),
                    done[si].outputs_used - 1,
                    4,
                )
            }
            _ => (
                make_id("inf_", &format!("inf/{label}")),
                make_id("job_", &format!("job/{label}")),
                0,
                match var.op {
                    Op::Gen(_) => 4,
                    Op::Derive(..) => 2,
                    _ => 1,
                },
            ),
        };

        let mut m = Map::new();
        m.insert("type".into(), json!(ty));
        m.insert("kind".into(), json!("image"));
        if let Some(n) = var.name {
            m.insert("name".into(), json!(n));
        }
        let prompt = format!("{}, {}, {}", fam.subject, look, fam.style);
        let generative = !matches!(var.op, Op::Uploaded | Op::Upscale(..)) && ty != "pixelization";
        if !matches!(var.op, Op::Uploaded) {
            m.insert("prompt".into(), json!(prompt));
        }
        if generative {
            m.insert("negativePrompt".into(), json!(fam.negative));
            let model = if ty == "restyle" { 5 } else { fam.model };
            gen_fields(&mut m, model, seed_string(&mut arng));
        } else if !matches!(var.op, Op::Uploaded) {
            m.insert("seed".into(), json!(seed_string(&mut arng)));
        }
        m.insert("width".into(), json!(w));
        m.insert("height".into(), json!(h));
        m.insert("aspectRatio".into(), json!(aspect(w, h)));
        if generative {
            let md = &MODELS[if ty == "restyle" { 5 } else { fam.model }];
            m.insert("guidance".into(), json!(md.guidance));
            m.insert("numInferenceSteps".into(), json!(md.steps));
            if let Some(s) = md.scheduler {
                m.insert("scheduler".into(), json!(s));
            }
        }
        if !matches!(var.op, Op::Uploaded) {
            m.insert("inferenceId".into(), json!(inference));
            m.insert("parentJobId".into(), json!(job));
            m.insert("outputIndex".into(), json!(output_index));
            m.insert("numOutputs".into(), json!(num_outputs));
        }
        if let Some(p) = &parent {
            m.insert("parentId".into(), json!(p.id));
            m.insert(
                "rootParentId".into(),
                json!(p.root.clone().unwrap_or_else(|| p.id.clone())),
            );
            m.insert("image".into(), json!(p.id));
        }
        match ty {
            "upscale" | "upscale-skybox" | "upscale-texture" => {
                m.insert("scalingFactor".into(), json!(2));
                m.insert("creativity".into(), json!([20, 30, 35][vi % 3]));
                m.insert("detailsLevel".into(), json!(0));
            }
            "inference-img2img" | "inference-img2img-texture" | "skybox-base-360"
                if parent.is_some() =>
            {
                m.insert(
                    "strength".into(),
                    json!([0.35, 0.45, 0.6][arng.usize(0..3)]),
                );
            }
            "restyle" => {
                m.insert("strength".into(), json!(0.7));
                m.insert("style".into(), json!("poster"));
            }
            "inference-controlnet" => {
                m.insert("modality".into(), json!("depth"));
                m.insert("controlEnd".into(), json!(0.8));
            }
            "inference-reference" => {
                if let Some(p) = &parent {
                    m.insert("referenceImages".into(), json!([p.id]));
                }
                m.insert("strength".into(), json!(0.5));
            }
            "inference-inpaint" => {
                m.insert("strength".into(), json!(0.75));
                m.insert(
                    "mask".into(),
                    json!(make_id("asset_", &format!("mask/{label}"))),
                );
            }
            "pixelization" => {
                m.insert("pixelGridSize".into(), json!(32));
                m.insert("colorPaletteSize".into(), json!(16));
                m.insert("removeNoise".into(), json!(true));
            }
            _ => {}
        }

        let description = if matches!(var.op, Op::Upscale(..)) {
            format!("{}, {}, upscaled 2x.", fam.caption, look)
        } else {
            format!("{}, {}.", fam.caption, look)
        };
        let mut tags: Vec<String> = fam
            .tags
            .iter()
            .chain(var.tags)
            .map(|s| (*s).to_string())
            .collect();
        tags.dedup();
        let author = match var.op {
            Op::Uploaded => (fi + 2) % AUTHORS.len(),
            _ if vi == 4 => (fi + 1) % AUTHORS.len(),
            _ => fi % AUTHORS.len(),
        };
        let privacy = match (fam.key, vi) {
            ("landscapes" | "neon-city" | "pixel-art", 0) => "public",
            ("planets", 0) | ("fluid-art", 4) => "unlisted",
            _ => "private",
        };
        recs.push(Rec {
            id: id.clone(),
            file,
            family: fam.key,
            kind: "image",
            mime: var.fmt.mime(),
            author,
            privacy,
            created,
            updated,
            tags,
            description,
            meta: m,
            collections: Vec::new(),
            bytes: bytes.len(),
        });
        done.push(Done {
            id,
            root: parent
                .as_ref()
                .map(|p| p.root.clone().unwrap_or_else(|| p.id.clone())),
            params,
            size: (w, h),
            look,
            created,
            inference,
            job,
            outputs_used: 1,
        });
    }
    Ok(done)
}

/// Assets that are not one of the 66 family images: derived maps, a 3D
/// model, a sound and an animation.
fn gen_extras(
    out: &Path,
    all: &BTreeMap<&'static str, Vec<Done>>,
    fams: &[Family],
    recs: &mut Vec<Rec>,
) -> Res<()> {
    let get = |k: &str, i: usize| -> Res<(&Done, &Family)> {
        let d = all
            .get(k)
            .and_then(|v| v.get(i))
            .ok_or_else(|| format!("missing {k}/{i}"))?;
        let f = fams
            .iter()
            .find(|f| f.key == k)
            .ok_or_else(|| format!("missing family {k}"))?;
        Ok((d, f))
    };
    let lineage = |m: &mut Map<String, Value>, p: &Done| {
        m.insert("parentId".into(), json!(p.id));
        m.insert(
            "rootParentId".into(),
            json!(p.root.clone().unwrap_or_else(|| p.id.clone())),
        );
        m.insert("image".into(), json!(p.id));
    };
    let job = |m: &mut Map<String, Value>, label: &str| {
        m.insert(
            "inferenceId".into(),
            json!(make_id("inf_", &format!("inf/{label}"))),
        );
        m.insert(
            "parentJobId".into(),
            json!(make_id("job_", &format!("job/{label}"))),
        );
        m.insert("outputIndex".into(), json!(0));
        m.insert("numOutputs".into(), json!(1));
    };
    let mut push = |label: &str,
                    file: String,
                    family: &'static str,
                    kind: &'static str,
                    mime: &'static str,
                    bytes: &[u8],
                    author: usize,
                    created: i64,
                    tags: &[&str],
                    description: String,
                    meta: Map<String, Value>|
     -> Res<()> {
        fs::write(out.join(&file), bytes)?;
        let mut arng = Rng::with_seed(fnv(label));
        recs.push(Rec {
            id: make_id("asset_", label),
            file,
            family,
            kind,
            mime,
            author,
            privacy: "private",
            created,
            updated: updated_after(&mut arng, created),
            tags: tags.iter().map(|s| (*s).to_string()).collect(),
            description,
            meta,
            collections: Vec::new(),
            bytes: bytes.len(),
        });
        Ok(())
    };

    // normal map of the first texture
    {
        let (p, fam) = get("textures", 0)?;
        let img = stone_normal_map(p.size.0, p.size.1, &p.params);
        let (w, h) = img.dimensions();
        let bytes = encode(img.as_raw(), w, h, ExtendedColorType::Rgb8, Fmt::Png)?;
        let label = "texture-maps/1";
        let mut m = Map::new();
        m.insert("type".into(), json!("texture-normal"));
        m.insert("kind".into(), json!("image"));
        m.insert("name".into(), json!("Riverstone normal"));
        m.insert("width".into(), json!(w));
        m.insert("height".into(), json!(h));
        m.insert("aspectRatio".into(), json!(aspect(w, h)));
        job(&mut m, label);
        lineage(&mut m, p);
        let desc = format!(
            "Tangent-space normal map (OpenGL, +Y up) computed from the height of: {}.",
            fam.caption.to_lowercase()
        );
        push(
            label,
            "images/texture-01-normal.png".into(),
            "texture-maps",
            "image",
            "image/png",
            &bytes,
            2,
            p.created + 3 * HOUR,
            &["texture", "pbr", "normal-map", "approved"],
            desc,
            m,
        )?;
    }
    // background removal of the first portrait
    {
        let (p, fam) = get("portraits", 0)?;
        let img = portrait_cutout(p.size.0, p.size.1, &p.params);
        let (w, h) = img.dimensions();
        let bytes = encode(img.as_raw(), w, h, ExtendedColorType::Rgba8, Fmt::Png)?;
        let label = "cutouts/1";
        let mut m = Map::new();
        m.insert("type".into(), json!("background-removal"));
        m.insert("kind".into(), json!("image"));
        m.insert("width".into(), json!(w));
        m.insert("height".into(), json!(h));
        m.insert("aspectRatio".into(), json!(aspect(w, h)));
        job(&mut m, label);
        lineage(&mut m, p);
        let desc = format!(
            "{} with the backdrop removed, on a transparent background.",
            fam.caption.split(" against").next().unwrap_or(fam.caption)
        );
        push(
            label,
            "images/portrait-01-cutout.png".into(),
            "cutouts",
            "image",
            "image/png",
            &bytes,
            0,
            p.created + 5 * HOUR,
            &["portrait", "silhouette", "cutout", "wip"],
            desc,
            m,
        )?;
    }
    // a low-poly rock made from the first stone texture
    {
        let (p, _) = get("textures", 0)?;
        let (bytes, triangles) = rock_glb(7)?;
        let label = "models-3d/1";
        let mut m = Map::new();
        m.insert("type".into(), json!("img23d"));
        m.insert("kind".into(), json!("3d"));
        m.insert("name".into(), json!("Riverstone boulder"));
        m.insert("prompt".into(), json!("low-poly weathered river boulder with rounded edges, flat shaded, game-ready prop, single closed mesh, neutral grey-brown stone, no texture"));
        m.insert("seed".into(), json!("3318274905"));
        job(&mut m, label);
        lineage(&mut m, p);
        m.insert("polycount".into(), json!(triangles));
        push(
            label,
            "models/riverstone-boulder.glb".into(),
            "models-3d",
            "3d",
            "model/gltf-binary",
            &bytes,
            2,
            ms(2025, 11, 4, 10) + 37 * 60_000,
            &["3d", "prop", "stone", "game-asset", "wip"],
            format!(
                "A low-poly, flat-shaded river boulder ({triangles} triangles) as binary glTF."
            ),
            m,
        )?;
    }
    // a chime
    {
        let bytes = chime_wav();
        let label = "audio/1";
        let mut m = Map::new();
        m.insert("type".into(), json!("txt2audio"));
        m.insert("kind".into(), json!("audio"));
        m.insert("name".into(), json!("Glass chime"));
        m.insert("prompt".into(), json!("bright glass chime arpeggio rising over five notes, soft attack, long shimmering decay, clean UI reward sound effect"));
        m.insert("seed".into(), json!("904417263"));
        job(&mut m, label);
        m.insert("duration".into(), json!(2.0));
        m.insert("sampleRate".into(), json!(SAMPLE_RATE));
        m.insert("channels".into(), json!(1));
        push(
            label,
            "audio/glass-chime.wav".into(),
            "audio",
            "audio",
            "audio/wav",
            &bytes,
            1,
            ms(2025, 11, 12, 15) + 4 * 60_000,
            &["audio", "sfx", "ui", "draft"],
            "A two-second rising chime arpeggio with a bell-like decay.".into(),
            m,
        )?;
    }
    // a spinning planet
    {
        let (p, _) = get("planets", 0)?;
        let frames = 12;
        let bytes = gif_spin(&p.params, 256, frames)?;
        let label = "animations/1";
        let mut m = Map::new();
        m.insert("type".into(), json!("img2video"));
        m.insert("kind".into(), json!("video"));
        m.insert("name".into(), json!("Ochre giant spin"));
        m.insert("prompt".into(), json!("slow seamless rotation of the banded gas giant, storm bands drifting, static starfield, looping animation"));
        m.insert("seed".into(), json!("1750093381"));
        m.insert("width".into(), json!(256));
        m.insert("height".into(), json!(256));
        m.insert("aspectRatio".into(), json!("1:1"));
        job(&mut m, label);
        lineage(&mut m, p);
        m.insert("duration".into(), json!(f64::from(frames) * 0.09));
        m.insert("frameCount".into(), json!(frames));
        push(
            label,
            "video/planet-spin.gif".into(),
            "animations",
            "video",
            "image/gif",
            &bytes,
            0,
            ms(2025, 10, 20, 16) + 12 * 60_000,
            &["space", "planet", "animation", "loop", "hero"],
            "A banded gas giant rotating in a seamless 12-frame loop against a starfield.".into(),
            m,
        )?;
    }
    Ok(())
}

/// Collection membership from tags and families.
fn assign_collections(recs: &mut [Rec]) {
    for r in recs.iter_mut() {
        let has = |t: &str| r.tags.iter().any(|x| x == t);
        let ty = r.meta.get("type").and_then(Value::as_str).unwrap_or("");
        let mut c = Vec::new();
        if has("hero") {
            c.push(0);
        }
        let env = matches!(
            r.family,
            "landscapes" | "skyboxes" | "underwater" | "deserts" | "forests"
        );
        if env && (has("concept") || has("hero") || has("reference")) {
            c.push(1);
        }
        let kit = matches!(
            r.family,
            "pixel-art" | "textures" | "texture-maps" | "models-3d" | "audio"
        );
        if kit && !has("draft") {
            c.push(2);
        }
        let night = r.family == "neon-city" && !has("draft")
            || r.family == "planets" && ty == G2I
            || r.family == "animations";
        if night && !c.contains(&0) {
            c.push(3);
        }
        if has("approved") && c.len() < 2 && !c.contains(&2) {
            c.push(4);
        }
        r.collections = c;
    }
}

// ===========================================================================
// main
// ===========================================================================

fn prepare(out: &Path) -> Res<()> {
    fs::create_dir_all(out)?;
    for d in ["images", "models", "audio", "video"] {
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

fn main() -> Res<()> {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("assets/demo"), PathBuf::from);
    prepare(&out)?;
    let fams = families();
    let mut recs = Vec::new();
    let mut all = BTreeMap::new();
    for (fi, fam) in fams.iter().enumerate() {
        let done = gen_family(&out, fi, fam, &mut recs)?;
        all.insert(fam.key, done);
    }
    gen_extras(&out, &all, &fams, &mut recs)?;
    assign_collections(&mut recs);

    let authors: Vec<Value> = AUTHORS
        .iter()
        .map(|(label, name)| json!({"id": make_id("user_", label), "name": name}))
        .collect();
    let collections: Vec<Value> = COLLECTIONS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let members: Vec<&Rec> = recs.iter().filter(|r| r.collections.contains(&i)).collect();
            let first = members
                .iter()
                .map(|r| r.created)
                .min()
                .unwrap_or(ms(2025, 3, 1, 9));
            let last = members.iter().map(|r| r.created).max().unwrap_or(first);
            json!({
                "id": make_id("coll_", name),
                "name": name,
                "createdAt": iso(first - 2 * DAY + i as i64 * 37 * 60_000),
                "updatedAt": iso(last + HOUR),
            })
        })
        .collect();
    let assets: Vec<Value> = recs
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "file": r.file,
                "family": r.family,
                "kind": r.kind,
                "mimeType": r.mime,
                "authorId": make_id("user_", AUTHORS[r.author].0),
                "privacy": r.privacy,
                "createdAt": iso(r.created),
                "updatedAt": iso(r.updated),
                "tags": r.tags,
                "collectionIds": r.collections.iter().map(|&c| make_id("coll_", COLLECTIONS[c])).collect::<Vec<_>>(),
                "description": r.description,
                "metadata": r.meta,
            })
        })
        .collect();
    let manifest = json!({
        "version": 1,
        "generator": "cargo run --release -p assetui-gen-demo -- assets/demo",
        "ownerId": "proj_demo7Qx2",
        "teamId": "team_demo7Qx2",
        "authors": authors,
        "collections": collections,
        "assets": assets,
    });
    let mut text = serde_json::to_string_pretty(&manifest)?;
    text.push('\n');
    fs::write(out.join("manifest.json"), text)?;

    let total: usize = recs.iter().map(|r| r.bytes).sum();
    for r in &recs {
        let dim = |k: &str| r.meta.get(k).and_then(Value::as_u64);
        let size = match (dim("width"), dim("height")) {
            (Some(w), Some(h)) => format!("{w}x{h}"),
            _ => String::new(),
        };
        let ty = r.meta.get("type").and_then(Value::as_str).unwrap_or("");
        println!("{:>9}  {:<34} {size:<10} {ty}", r.bytes, r.file);
    }
    println!(
        "{} assets, {:.2} MB of files, written to {}",
        recs.len(),
        total as f64 / 1e6,
        out.display()
    );
    Ok(())
}
