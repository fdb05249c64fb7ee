//! A float canvas with parallel, resolution-independent shading, and the
//! scene parameters every painter takes.

use fastrand::Rng;
use image::RgbImage;

use crate::paint::color::{add, scale, to_u8, Col};

/// Fills a `w`×`h` buffer by calling `f(x, y)` per pixel, in row bands on
/// all cores. The result does not depend on the number of threads.
pub fn par_fill<T, F>(w: u32, h: u32, f: F) -> Vec<T>
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
pub struct Canvas {
    pub w: u32,
    pub h: u32,
    pub px: Vec<Col>,
}

impl Canvas {
    pub fn new<F: Fn(f32, f32) -> Col + Sync>(w: u32, h: u32, f: F) -> Self {
        let hf = h as f32;
        let px = par_fill(w, h, |x, y| f((x as f32 + 0.5) / hf, (y as f32 + 0.5) / hf));
        Canvas { w, h, px }
    }

    pub fn map<F: Fn(f32, f32, Col) -> Col + Sync>(&mut self, f: F) {
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
    pub fn splat(&mut self, cx: f32, cy: f32, radius: f32, col: Col) {
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

    pub fn into_rgb(self) -> RgbImage {
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
pub struct Params {
    pub seed: u32,
    pub detail: u32,
    pub tod: f32,
    pub hue: f32,
    pub k: f32,
}

pub const fn pr(seed: u32, detail: u32, tod: f32, hue: f32, k: f32) -> Params {
    Params {
        seed,
        detail,
        tod,
        hue,
        k,
    }
}

pub fn rng_for(p: &Params, salt: u64) -> Rng {
    Rng::with_seed(u64::from(p.seed).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ salt)
}
