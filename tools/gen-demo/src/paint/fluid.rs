//! Abstract fluid art (domain-warped noise).

use image::RgbImage;

use crate::paint::canvas::{Canvas, Params};
use crate::paint::color::{hex, hue_rot, mix, scale, smooth};
use crate::paint::noise::fbm;

pub fn fluid(w: u32, h: u32, p: &Params) -> RgbImage {
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
