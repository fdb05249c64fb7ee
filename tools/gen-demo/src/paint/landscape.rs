//! Mountain landscapes.

use image::RgbImage;

use crate::paint::canvas::{rng_for, Canvas, Params};
use crate::paint::color::{add, hex, hue_rot, mix, scale, smooth};
use crate::paint::noise::{fbm, fbm1};

pub fn landscape(w: u32, h: u32, p: &Params) -> RgbImage {
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
