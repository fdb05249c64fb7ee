//! Desert dunes.

use std::f32::consts::TAU;

use image::RgbImage;

use crate::paint::canvas::{rng_for, Canvas, Params};
use crate::paint::color::{add, hex, hue_rot, mix, scale, smooth};
use crate::paint::noise::{fbm, fbm1};

pub fn desert(w: u32, h: u32, p: &Params) -> RgbImage {
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
