//! Skyboxes (equirectangular, 2:1).

use std::f32::consts::{PI, TAU};

use image::RgbImage;

use crate::paint::canvas::{rng_for, Canvas, Params};
use crate::paint::color::{add, hex, hue_rot, mix, scale, smooth};
use crate::paint::noise::fbm01;

pub fn skybox(w: u32, h: u32, p: &Params) -> RgbImage {
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
