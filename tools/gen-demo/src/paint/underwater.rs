//! Underwater scenes.

use std::f32::consts::TAU;

use fastrand::Rng;
use image::RgbImage;

use crate::paint::canvas::{rng_for, Canvas, Params};
use crate::paint::color::{add, hex, hue_rot, mix, scale, smooth};
use crate::paint::noise::{fbm, fbm1};

pub fn underwater(w: u32, h: u32, p: &Params) -> RgbImage {
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
