//! A foggy forest.

use image::RgbImage;

use crate::paint::canvas::{rng_for, Canvas, Params};
use crate::paint::color::{add, hex, hue_rot, mix, scale, smooth, Col};
use crate::paint::noise::{fbm, fbm01, fbm1};

pub struct Trunk {
    pub x: f32,
    pub w: f32,
    pub lean: f32,
    pub layer: usize,
    pub seed: u32,
}

pub fn forest(w: u32, h: u32, p: &Params) -> RgbImage {
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
