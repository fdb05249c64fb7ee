//! Noise, all hash-based, so deterministic and seedable.

use std::f32::consts::FRAC_1_SQRT_2;

pub fn mix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x7feb_352d);
    h ^= h >> 15;
    h = h.wrapping_mul(0x846c_a68b);
    h ^= h >> 16;
    h
}

pub const HX: u32 = 0x8da6_b343;
pub const HY: u32 = 0xd816_3841;
pub const HS: u32 = 0xcb1a_b31f;

pub fn hash(x: i32, y: i32, s: u32) -> u32 {
    mix32((x as u32).wrapping_mul(HX) ^ (y as u32).wrapping_mul(HY) ^ s.wrapping_mul(HS))
}

/// A hash in 0..1.
pub fn unit(x: i32, y: i32, s: u32) -> f32 {
    (hash(x, y, s) >> 8) as f32 / 16_777_216.0
}

pub fn fade(t: f32) -> f32 {
    t * t * t * (t * (t * 6.0 - 15.0) + 10.0)
}

pub const R1: f32 = 0.923_879_5;
pub const R2: f32 = 0.382_683_43;
pub const GRAD: [(f32, f32); 16] = [
    (1.0, 0.0),
    (R1, R2),
    (FRAC_1_SQRT_2, FRAC_1_SQRT_2),
    (R2, R1),
    (0.0, 1.0),
    (-R2, R1),
    (-FRAC_1_SQRT_2, FRAC_1_SQRT_2),
    (-R1, R2),
    (-1.0, 0.0),
    (-R1, -R2),
    (-FRAC_1_SQRT_2, -FRAC_1_SQRT_2),
    (-R2, -R1),
    (0.0, -1.0),
    (R2, -R1),
    (FRAC_1_SQRT_2, -FRAC_1_SQRT_2),
    (R1, -R2),
];

/// `floor` without the libm call (baseline x86-64 has no SSE4.1 `roundss`).
pub fn ffloor(x: f32) -> f32 {
    let i = x as i32 as f32;
    if i > x {
        i - 1.0
    } else {
        i
    }
}

/// 2D gradient noise in about -1..1. With `period > 0` the lattice wraps, so
/// the noise tiles every `period` units.
pub fn gnoise(x: f32, y: f32, s: u32, period: i32) -> f32 {
    let (x0, y0) = (ffloor(x), ffloor(y));
    let (fx, fy) = (x - x0, y - y0);
    let (mut ix0, mut iy0) = (x0 as i32, y0 as i32);
    let (mut ix1, mut iy1) = (ix0 + 1, iy0 + 1);
    if period > 0 {
        ix0 = ix0.rem_euclid(period);
        iy0 = iy0.rem_euclid(period);
        ix1 = ix1.rem_euclid(period);
        iy1 = iy1.rem_euclid(period);
    }
    // the same lattice hash as `hash`, with the products shared by corners
    let (hx0, hx1) = ((ix0 as u32).wrapping_mul(HX), (ix1 as u32).wrapping_mul(HX));
    let (hy0, hy1) = ((iy0 as u32).wrapping_mul(HY), (iy1 as u32).wrapping_mul(HY));
    let hs = s.wrapping_mul(HS);
    let corner = |h: u32, dx: f32, dy: f32| {
        let (gx, gy) = GRAD[(mix32(h ^ hs) & 15) as usize];
        gx * dx + gy * dy
    };
    let n00 = corner(hx0 ^ hy0, fx, fy);
    let n10 = corner(hx1 ^ hy0, fx - 1.0, fy);
    let n01 = corner(hx0 ^ hy1, fx, fy - 1.0);
    let n11 = corner(hx1 ^ hy1, fx - 1.0, fy - 1.0);
    let (ux, uy) = (fade(fx), fade(fy));
    let a = n00 + (n10 - n00) * ux;
    let b = n01 + (n11 - n01) * ux;
    (a + (b - a) * uy) * 1.4
}

/// Fractal noise in about -1..1 (octaves rotated to hide the lattice).
pub fn fbm(x: f32, y: f32, oct: u32, s: u32) -> f32 {
    let (mut x, mut y) = (x, y);
    let (mut sum, mut amp, mut norm) = (0.0, 1.0, 0.0);
    for o in 0..oct {
        sum += amp * gnoise(x, y, s.wrapping_add(o.wrapping_mul(0x9e37)), 0);
        norm += amp;
        amp *= 0.5;
        let (nx, ny) = (0.8 * x - 0.6 * y, 0.6 * x + 0.8 * y);
        x = nx * 2.02 + 3.1;
        y = ny * 2.02 + 1.7;
    }
    sum / norm
}

pub fn fbm01(x: f32, y: f32, oct: u32, s: u32) -> f32 {
    0.5 + 0.5 * fbm(x, y, oct, s)
}

/// Tileable fractal noise: `x`, `y` in 0..period tile seamlessly.
pub fn fbm_tiled(x: f32, y: f32, period: i32, oct: u32, s: u32) -> f32 {
    let (mut sum, mut amp, mut norm, mut f) = (0.0, 1.0, 0.0, 1i32);
    for o in 0..oct {
        let ff = f as f32;
        sum += amp * gnoise(x * ff, y * ff, s.wrapping_add(o * 7919), period * f);
        norm += amp;
        amp *= 0.5;
        f *= 2;
    }
    sum / norm
}

pub fn noise1(x: f32, s: u32) -> f32 {
    let x0 = ffloor(x);
    let f = x - x0;
    let i = x0 as i32;
    let g0 = unit(i, 0, s) * 2.0 - 1.0;
    let g1 = unit(i + 1, 0, s) * 2.0 - 1.0;
    let (a, b) = (g0 * f, g1 * (f - 1.0));
    (a + (b - a) * fade(f)) * 2.0
}

pub fn fbm1(x: f32, oct: u32, s: u32) -> f32 {
    let (mut sum, mut amp, mut norm, mut freq) = (0.0, 1.0, 0.0, 1.0);
    for o in 0..oct {
        sum += amp * noise1(x * freq + o as f32 * 17.3, s.wrapping_add(o * 1013));
        norm += amp;
        amp *= 0.5;
        freq *= 2.03;
    }
    sum / norm
}

/// Distance from point `p` to segment `a`-`b`.
pub fn seg_dist(p: (f32, f32), a: (f32, f32), b: (f32, f32)) -> f32 {
    let (vx, vy) = (b.0 - a.0, b.1 - a.1);
    let (wx, wy) = (p.0 - a.0, p.1 - a.1);
    let len2 = vx * vx + vy * vy;
    let t = if len2 > 0.0 {
        ((wx * vx + wy * vy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (dx, dy) = (wx - vx * t, wy - vy * t);
    (dx * dx + dy * dy).sqrt()
}
