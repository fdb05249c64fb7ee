//! Pixel art on the PICO-8 palette.

use fastrand::Rng;
use image::RgbImage;

use crate::paint::canvas::{rng_for, Params};
use crate::paint::color::{hex, to_u8};
use crate::paint::noise::fbm1;

pub const PICO8: [u32; 16] = [
    0x000000, 0x1d2b53, 0x7e2553, 0x008751, 0xab5236, 0x5f574f, 0xc2c3c7, 0xfff1e8, 0xff004d,
    0xffa300, 0xffec27, 0x00e436, 0x29adff, 0x83769c, 0xff77a8, 0xffccaa,
];

pub const BAYER4: [[u8; 4]; 4] = [[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]];

/// A 64×64 grid of palette indices: dithered night sky, moon, clouds, hills,
/// grass ledge and a symmetric critter.
pub fn pixel_grid(p: &Params) -> Vec<u8> {
    const G: usize = 64;
    let mut rng = rng_for(p, 0x61e1);
    let mut drng = Rng::with_seed(u64::from(p.detail) ^ 0xd7);
    let mut g = vec![0u8; G * G];
    let sky_lo = if p.tod > 0.5 { 13 } else { 12 };
    for y in 0..G {
        for x in 0..G {
            let t = y as f32 / 44.0;
            let b = f32::from(BAYER4[y % 4][x % 4]) / 16.0;
            g[y * G + x] = if b < t { sky_lo } else { 1 };
        }
    }
    // stars
    for _ in 0..14 {
        let (x, y) = (drng.usize(0..G), drng.usize(0..18));
        g[y * G + x] = 7;
    }
    // moon
    let (mx, my) = (rng.usize(8..56) as i32, rng.usize(6..14) as i32);
    for y in 0..G as i32 {
        for x in 0..G as i32 {
            let d = (x - mx).pow(2) + (y - my).pow(2);
            if d <= 16 {
                g[y as usize * G + x as usize] = if (x - mx - 1).pow(2) + (y - my + 1).pow(2) <= 4 {
                    7
                } else {
                    10
                };
            }
        }
    }
    // clouds
    for _ in 0..3 {
        let (cx, cy) = (drng.i32(0..64), drng.i32(14..30));
        for (ox, r) in [(-3, 2), (0, 3), (3, 2), (5, 1)] {
            for y in (cy - r)..=(cy + r) {
                for x in (cx + ox - r)..=(cx + ox + r) {
                    if (x - cx - ox).pow(2) + (y - cy).pow(2) <= r * r
                        && (0..64).contains(&x)
                        && y <= cy + 1
                    {
                        g[y as usize * G + x as usize] = if y == cy + 1 { 6 } else { 7 };
                    }
                }
            }
        }
    }
    // far hills
    for x in 0..G {
        let top = 38.0 + 4.0 * fbm1(x as f32 * 0.07 + 3.0, 3, p.seed);
        for y in (top as usize)..G {
            g[y * G + x] = 3;
        }
    }
    // ground ledge
    for y in 48..G {
        for x in 0..G {
            // two rows of grass with a ragged fringe, then dirt
            let grass = y < 50 || (y == 50 && x % 3 == 0);
            g[y * G + x] = if grass { 11 } else { 4 };
        }
    }
    for _ in 0..18 {
        let (x, y) = (drng.usize(0..G), drng.usize(52..G));
        g[y * G + x] = if drng.bool() { 5 } else { 15 };
    }
    // floating coins
    for _ in 0..3 {
        let (cx, cy) = (drng.i32(4..60), drng.i32(30..42));
        for (dx, dy) in [(0, -1), (-1, 0), (0, 0), (1, 0), (0, 1)] {
            g[(cy + dy) as usize * G + (cx + dx) as usize] =
                if dx == 0 && dy == 0 { 9 } else { 10 };
        }
    }
    // the critter: a 12×12 symmetric mask, drawn at 2×
    let pairs = [(11u8, 3u8), (9, 4), (14, 2), (12, 1), (10, 9), (8, 2)];
    let (body, shade) = pairs[p.k as usize % pairs.len()];
    let mut m = [[false; 12]; 12];
    for (r, row) in m.iter_mut().enumerate() {
        for c in 0..6 {
            let centre = 1.0 - (5.0 - c as f32) / 7.0;
            let vert = 1.0 - ((r as f32 - 6.5) / 7.0).abs();
            let on = rng.f32() < 0.25 + 0.7 * centre * vert || (c >= 3 && (3..10).contains(&r));
            row[c] = on;
            row[11 - c] = on;
        }
    }
    let ox = 32 - 12 + rng.i32(-6..=6);
    let oy = 48 - 24;
    let filled =
        |r: i32, c: i32| (0..12).contains(&r) && (0..12).contains(&c) && m[r as usize][c as usize];
    for r in -1..13 {
        for c in -1..13 {
            let col = if filled(r, c) {
                Some(if r >= 8 { shade } else { body })
            } else if filled(r - 1, c) || filled(r + 1, c) || filled(r, c - 1) || filled(r, c + 1) {
                Some(0)
            } else {
                None
            };
            if let Some(v) = col {
                for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                    let (x, y) = (ox + c * 2 + dx, oy + r * 2 + dy);
                    if (0..64).contains(&x) && (0..64).contains(&y) {
                        g[y as usize * G + x as usize] = v;
                    }
                }
            }
        }
    }
    // eyes
    for ex in [ox + 6, ox + 16] {
        let ey = oy + 8;
        for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            g[(ey + dy) as usize * G + (ex + dx) as usize] = 7;
        }
        g[(ey + 1) as usize * G + (ex + 1) as usize] = 0;
    }
    g
}

pub fn pixel_art(w: u32, h: u32, p: &Params) -> RgbImage {
    let grid = pixel_grid(p);
    let pal = PICO8.map(hex);
    let cell = (w / 64).max(1);
    let mut img = RgbImage::new(w, h);
    for (x, y, px) in img.enumerate_pixels_mut() {
        let (gx, gy) = ((x / cell).min(63) as usize, (y / cell).min(63) as usize);
        let c = pal[grid[gy * 64 + gx] as usize];
        *px = image::Rgb([to_u8(c[0]), to_u8(c[1]), to_u8(c[2])]);
    }
    img
}
