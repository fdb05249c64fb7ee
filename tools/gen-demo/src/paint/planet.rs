//! Alien planets (also the spinning-planet animation's frames).

use std::f32::consts::TAU;

use fastrand::Rng;
use image::RgbImage;

use crate::paint::canvas::{rng_for, Canvas, Params};
use crate::paint::color::{add, hex, hue_rot, mix, scale, smooth};
use crate::paint::noise::{fbm, fbm01};

pub fn planet_canvas(w: u32, h: u32, p: &Params, spin: f32) -> Canvas {
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

pub fn planet(w: u32, h: u32, p: &Params) -> RgbImage {
    planet_canvas(w, h, p, p.tod * TAU).into_rgb()
}
