//! A neon city at night.

use image::RgbImage;

use crate::paint::canvas::{rng_for, Canvas, Params};
use crate::paint::color::{add, hex, hue_rot, mix, scale, smooth, Col};
use crate::paint::noise::{fbm, fbm01, seg_dist, unit};

pub struct Block {
    pub x0: f32,
    pub x1: f32,
    pub top: f32,
    pub layer: usize,
    pub seed: u32,
    pub lit: f32,
}

pub struct Neon {
    pub a: (f32, f32),
    pub b: (f32, f32),
    pub col: Col,
}

pub fn neon_city(w: u32, h: u32, p: &Params) -> RgbImage {
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
