//! Synthetic pictures for the demo servers' `--scale N` assets: drawn from
//! a seed and a visual family, so the same asset always looks the same.

use image::{Rgb, RgbImage};

/// Visual families of synthetic images (each its own palette and shape).
pub const FAMILIES: &[&str] = &[
    "sunset", "ocean", "forest", "nebula", "lava", "ice", "grid", "stripes",
];

/// Draws a synthetic image: the family fixes palette and structure, the
/// seed the details.
pub fn render(seed: u64, family: u8, width: u32, height: u32) -> RgbImage {
    let mut rng = fastrand::Rng::with_seed(seed);
    let (w, h) = (width.max(1), height.max(1));
    let cx = rng.f32() * 0.6 + 0.2;
    let cy = rng.f32() * 0.5 + 0.2;
    let freq = rng.f32() * 6.0 + 4.0;
    let phase = rng.f32() * std::f32::consts::TAU;
    RgbImage::from_fn(w, h, |x, y| {
        let u = x as f32 / w as f32;
        let v = y as f32 / h as f32;
        let wave = ((u * freq + phase).sin() * (v * freq * 0.7).cos() + 1.0) * 0.5;
        let d = ((u - cx).powi(2) + (v - cy).powi(2)).sqrt();
        let (r, g, b) = match family % FAMILIES.len() as u8 {
            0 => {
                let sun = (1.0 - d * 4.0).max(0.0);
                (
                    255.0 * (0.9 - v * 0.3) + 60.0 * sun,
                    120.0 * (1.0 - v) + 100.0 * sun,
                    80.0 * v + 40.0,
                )
            }
            1 => (
                20.0 + 30.0 * wave,
                80.0 + 60.0 * v + 40.0 * wave,
                150.0 + 80.0 * wave,
            ),
            2 => (
                30.0 + 40.0 * wave,
                90.0 + 90.0 * wave * (1.0 - v),
                30.0 + 20.0 * v,
            ),
            3 => {
                let glow = (1.0 - d * 2.5).max(0.0);
                (
                    40.0 + 180.0 * glow * wave,
                    10.0 + 60.0 * glow,
                    60.0 + 190.0 * glow,
                )
            }
            4 => (200.0 + 55.0 * wave, 40.0 + 120.0 * wave * wave, 10.0),
            5 => (190.0 + 50.0 * wave, 220.0 + 30.0 * wave, 245.0),
            6 => {
                let line = ((u * freq * 4.0).fract() < 0.08) || ((v * freq * 4.0).fract() < 0.08);
                if line {
                    (0.0, 255.0, 180.0)
                } else {
                    (10.0, 14.0 + 20.0 * v, 30.0)
                }
            }
            _ => {
                let band = ((u + v * 0.5) * freq).fract();
                (255.0 * band, 80.0, 255.0 * (1.0 - band))
            }
        };
        Rgb([
            r.clamp(0.0, 255.0) as u8,
            g.clamp(0.0, 255.0) as u8,
            b.clamp(0.0, 255.0) as u8,
        ])
    })
}
