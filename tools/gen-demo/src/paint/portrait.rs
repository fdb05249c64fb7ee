//! Portrait silhouettes and their background-removal cutout.

use image::{RgbImage, RgbaImage};

use crate::paint::canvas::{par_fill, rng_for, Canvas, Params};
use crate::paint::color::{add, hex, hue_rot, mix, scale, smooth, to_u8, Col};
use crate::paint::noise::{fbm, fbm1};

pub struct Figure {
    pub cx: f32,
    pub seed: u32,
    pub tilt: f32,
}

impl Figure {
    /// 1 inside the head-and-shoulders silhouette, 0 outside.
    pub fn inside(&self, x: f32, y: f32) -> bool {
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
    pub fn cover(&self, x: f32, y: f32, px: f32) -> f32 {
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

pub struct PortraitLook {
    pub fig: Figure,
    pub side: f32,
    pub px: f32,
    pub rim: Col,
    pub body: Col,
}

impl PortraitLook {
    pub fn new(w: u32, h: u32, p: &Params) -> Self {
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
    pub fn figure(&self, x: f32, y: f32) -> (Col, f32) {
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

pub fn portrait(w: u32, h: u32, p: &Params) -> RgbImage {
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
pub fn portrait_cutout(w: u32, h: u32, p: &Params) -> RgbaImage {
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
