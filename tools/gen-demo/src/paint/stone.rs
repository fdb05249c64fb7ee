//! Seamless stone textures and their normal map.

use image::RgbImage;

use crate::paint::canvas::{par_fill, Canvas, Params};
use crate::paint::color::{hex, hue_rot, mix, scale, smooth, Col};
use crate::paint::noise::{fbm_tiled, unit};

/// Height (0..1) and albedo of a tileable cobblestone pattern.
pub fn stone_fields(w: u32, h: u32, p: &Params) -> Vec<(f32, Col)> {
    let n = 4 + (p.k * 8.0).round() as i32;
    let s = p.seed;
    let pal_a = hue_rot(hex(0x8c7b69), p.hue);
    let pal_b = hue_rot(hex(0x6b625c), p.hue);
    let pal_c = hue_rot(hex(0xa88767), p.hue);
    let mortar = hue_rot(hex(0x3d342c), p.hue);
    let nf = n as f32;
    par_fill(w, h, |px, py| {
        let u = (px as f32 + 0.5) / w as f32;
        let v = (py as f32 + 0.5) / h as f32;
        let jx = fbm_tiled(u * 6.0, v * 6.0, 6, 3, s + 11) * 0.22;
        let jy = fbm_tiled(u * 6.0, v * 6.0, 6, 3, s + 12) * 0.22;
        let (gx, gy) = (u * nf + jx, v * nf + jy);
        let (cx0, cy0) = (gx.floor() as i32, gy.floor() as i32);
        let (mut f1, mut f2, mut cell) = (9.0f32, 9.0f32, (0, 0));
        for dy in -1..=1 {
            for dx in -1..=1 {
                let (cx, cy) = (cx0 + dx, cy0 + dy);
                let (wx, wy) = (cx.rem_euclid(n), cy.rem_euclid(n));
                let fx = cx as f32 + 0.2 + 0.6 * unit(wx, wy, s);
                let fy = cy as f32 + 0.2 + 0.6 * unit(wx, wy, s + 1);
                let d = ((gx - fx).powi(2) + (gy - fy).powi(2)).sqrt();
                if d < f1 {
                    f2 = f1;
                    f1 = d;
                    cell = (wx, wy);
                } else if d < f2 {
                    f2 = d;
                }
            }
        }
        let edge = f2 - f1;
        let stone = smooth(0.05, 0.2, edge);
        let grain = fbm_tiled(u * 24.0, v * 24.0, 24, 4, s + 3);
        let height = stone * (0.55 + 0.45 * (1.0 - (f1 * 1.1).min(1.0)).sqrt()) + 0.06 * grain;
        let tone = unit(cell.0, cell.1, s + 2);
        let warm = unit(cell.0, cell.1, s + 9);
        let base = mix(mix(pal_a, pal_b, tone), pal_c, warm * 0.7);
        let spots = fbm_tiled(u * 48.0, v * 48.0, 48, 3, s + 5);
        let albedo = mix(
            scale(mortar, 0.85 + 0.3 * spots),
            scale(base, 0.92 + 0.2 * grain + 0.1 * spots),
            stone,
        );
        (height.clamp(0.0, 1.0), albedo)
    })
}

/// Surface normal (x right, y down, z up) from a wrapping height field.
pub fn height_normal(hf: &[(f32, Col)], w: u32, h: u32, x: u32, y: u32, bump: f32) -> [f32; 3] {
    let at = |xx: u32, yy: u32| hf[(yy * w + xx) as usize].0;
    let (xl, xr) = ((x + w - 1) % w, (x + 1) % w);
    let (yu, yd) = ((y + h - 1) % h, (y + 1) % h);
    let dhdu = (at(xr, y) - at(xl, y)) * w as f32 / 2.0;
    let dhdv = (at(x, yd) - at(x, yu)) * h as f32 / 2.0;
    let v = [-dhdu * bump, -dhdv * bump, 1.0];
    let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    [v[0] / n, v[1] / n, v[2] / n]
}

pub const STONE_BUMP: f32 = 0.012;

pub fn stone(w: u32, h: u32, p: &Params) -> RgbImage {
    let f = stone_fields(w, h, p);
    let l = [-0.45f32, -0.55, 0.7];
    let ln = (l[0] * l[0] + l[1] * l[1] + l[2] * l[2]).sqrt();
    let px = par_fill(w, h, |x, y| {
        let n = height_normal(&f, w, h, x, y, STONE_BUMP);
        let ndl = ((n[0] * l[0] + n[1] * l[1] + n[2] * l[2]) / ln).max(0.0);
        let (height, albedo) = f[(y * w + x) as usize];
        let ao = 0.55 + 0.45 * height;
        scale(albedo, (0.35 + 0.85 * ndl) * ao * 1.1)
    });
    Canvas { w, h, px }.into_rgb()
}

/// A tangent-space normal map (OpenGL convention, +Y up) of the same stones.
pub fn stone_normal_map(w: u32, h: u32, p: &Params) -> RgbImage {
    let f = stone_fields(w, h, p);
    let px = par_fill(w, h, |x, y| {
        let n = height_normal(&f, w, h, x, y, STONE_BUMP);
        [n[0] * 0.5 + 0.5, -n[1] * 0.5 + 0.5, n[2] * 0.5 + 0.5]
    });
    Canvas { w, h, px }.into_rgb()
}
