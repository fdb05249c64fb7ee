//! The videos: a still family painting with something moving over it,
//! encoded with the `I_PCM`/`P_Skip` H.264 encoder into a progressive MP4
//! and into fragmented-MP4 HLS segments (one per two-second GOP, each
//! starting with an IDR picture).

use std::f32::consts::TAU;

use image::RgbImage;

use super::catalog::{Motion, Render};
use crate::media::h264::{Encoder, Yuv};
use crate::media::mp4::{self, Codec, Sample, Track};
use crate::paint::canvas::Params;
use crate::paint::color::smooth;
use crate::paint::noise::seg_dist;

pub const WIDTH: u32 = 160;
pub const HEIGHT: u32 = 90;
pub const FPS: u32 = 10;
/// Pictures per GOP, and so per HLS segment (two seconds).
pub const GOP: u32 = 20;
pub const TIMESCALE: u32 = 10_000;
const TICKS_PER_FRAME: u32 = TIMESCALE / FPS;
/// Samples that differ by no more than this keep the reference's value.
const TOLERANCE: u8 = 3;

pub struct Video {
    pub mp4: Vec<u8>,
    pub init: Vec<u8>,
    /// (duration in seconds, fMP4 segment)
    pub segments: Vec<(f64, Vec<u8>)>,
    /// Every picture as a decoder shows it.
    pub frames: Vec<RgbImage>,
}

type C = [f32; 3];

fn blend(img: &mut RgbImage, x: i32, y: i32, c: C, a: f32) {
    if a <= 0.0 || x < 0 || y < 0 || x >= img.width() as i32 || y >= img.height() as i32 {
        return;
    }
    let p = img.get_pixel_mut(x as u32, y as u32);
    for (v, ck) in p.0.iter_mut().zip(c) {
        let old = f32::from(*v) / 255.0;
        *v = ((old + (ck - old) * a.min(1.0)) * 255.0)
            .round()
            .clamp(0.0, 255.0) as u8;
    }
}

/// A soft-edged disc (pixel coordinates); `a` scales its opacity.
fn disc(img: &mut RgbImage, cx: f32, cy: f32, r: f32, c: C, a: f32) {
    let e = r.ceil() as i32 + 2;
    for y in (cy as i32 - e)..=(cy as i32 + e) {
        for x in (cx as i32 - e)..=(cx as i32 + e) {
            let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
            blend(img, x, y, c, a * smooth(r + 0.7, r - 0.7, d));
        }
    }
}

/// A soft line of width `wd` from `p` to `q`.
fn stroke(img: &mut RgbImage, p: (f32, f32), q: (f32, f32), wd: f32, c: C, a: f32) {
    let (x0, x1) = (p.0.min(q.0) as i32 - 3, p.0.max(q.0) as i32 + 3);
    let (y0, y1) = (p.1.min(q.1) as i32 - 3, p.1.max(q.1) as i32 + 3);
    for y in y0..=y1 {
        for x in x0..=x1 {
            let d = seg_dist((x as f32 + 0.5, y as f32 + 0.5), p, q);
            blend(img, x, y, c, a * smooth(wd / 2.0 + 0.6, wd / 2.0 - 0.6, d));
        }
    }
}

/// Draws `motion` at time `t` (seconds) of a `dur`-second video.
fn draw(img: &mut RgbImage, motion: Motion, t: f32, dur: f32, n: u32) {
    let (w, h) = (WIDTH as f32, HEIGHT as f32);
    let u = t / dur;
    match motion {
        Motion::Eagle => {
            let (x, y) = (-12.0 + (w + 24.0) * u, 26.0 + 4.0 * (t * 1.3).sin());
            let flap = (t * 9.0).sin() * 3.0;
            let dark = [0.13, 0.1, 0.1];
            stroke(img, (x - 8.0, y - flap), (x, y), 1.4, dark, 1.0);
            stroke(img, (x, y), (x + 8.0, y - flap), 1.4, dark, 1.0);
            disc(img, x + 0.5, y + 0.3, 1.3, dark, 1.0);
        }
        Motion::Fireflies => {
            for i in 0..4 {
                let ph = i as f32 * 1.3;
                let x = 24.0 + i as f32 * 34.0 + 5.0 * (t * 0.9 + ph).sin();
                let y = 60.0 + 10.0 * (t * 0.7 + ph * 1.7).sin() - 3.0 * t;
                let b = 0.5 + 0.5 * (t * 3.0 + ph * 2.0).sin();
                disc(img, x, y, 1.2, [1.0, 0.97, 0.6], 0.4 + 0.6 * b);
            }
        }
        Motion::Traffic => {
            let xa = -16.0 + (w + 32.0) * u;
            stroke(
                img,
                (xa + 2.0, 80.0),
                (xa + 16.0, 79.0),
                2.5,
                [1.0, 0.95, 0.7],
                0.35,
            );
            disc(img, xa, 80.0, 1.8, [1.0, 0.98, 0.85], 1.0);
            disc(img, xa - 7.0, 80.0, 1.8, [1.0, 0.98, 0.85], 1.0);
            let xb = w + 16.0 - (w + 32.0) * u;
            disc(img, xb, 73.0, 1.4, [1.0, 0.15, 0.1], 1.0);
            disc(img, xb + 6.0, 73.0, 1.4, [1.0, 0.15, 0.1], 1.0);
        }
        Motion::Sign => {
            let on = match n {
                0..=4 | 7 | 13 | 14 | 22 => false,
                _ => !n.is_multiple_of(9),
            };
            let (c, a) = if on {
                ([1.0, 0.3, 0.85], 1.0)
            } else {
                ([0.25, 0.08, 0.2], 0.9)
            };
            let (x0, y0, x1, y1) = (96.0, 18.0, 144.0, 34.0);
            for (p, q) in [
                ((x0, y0), (x1, y0)),
                ((x1, y0), (x1, y1)),
                ((x1, y1), (x0, y1)),
                ((x0, y1), (x0, y0)),
            ] {
                stroke(img, p, q, 1.6, c, a);
            }
            for k in 0..3 {
                let x = x0 + 8.0 + k as f32 * 12.0;
                stroke(img, (x, y0 + 5.0), (x + 7.0, y1 - 5.0), 1.3, c, a);
            }
        }
        Motion::Caravan => {
            let x0 = -10.0 + (w + 50.0) * u;
            let dark = [0.2, 0.11, 0.06];
            for i in 0..3 {
                let x = x0 - i as f32 * 16.0;
                let y = 60.0 + 0.8 * (t * 4.0 + i as f32).sin();
                let step = (t * 5.0 + i as f32).sin() * 1.5;
                stroke(
                    img,
                    (x - 2.0, y + 2.0),
                    (x - 2.0 + step, y + 8.0),
                    1.0,
                    dark,
                    1.0,
                );
                stroke(
                    img,
                    (x + 2.5, y + 2.0),
                    (x + 2.5 - step, y + 8.0),
                    1.0,
                    dark,
                    1.0,
                );
                disc(img, x, y, 3.5, dark, 1.0);
                disc(img, x - 0.5, y - 3.0, 2.3, dark, 1.0);
                stroke(img, (x + 3.0, y - 1.0), (x + 6.0, y - 6.0), 1.3, dark, 1.0);
                disc(img, x + 6.8, y - 6.3, 1.3, dark, 1.0);
            }
        }
        Motion::Bubbles => {
            for i in 0..5 {
                let start = i as f32 * 0.7;
                if t < start {
                    continue;
                }
                let y = h - 4.0 - (t - start) * 24.0;
                if y < -6.0 {
                    continue;
                }
                let x = 20.0 + ((i * 47) % 120) as f32 + 2.0 * (t * 3.0 + i as f32).sin();
                let r = 1.2 + (i % 3) as f32 * 0.5;
                disc(img, x, y, r, [0.85, 0.97, 1.0], 0.35);
                disc(
                    img,
                    x - r * 0.35,
                    y - r * 0.35,
                    r * 0.35,
                    [1.0, 1.0, 1.0],
                    0.9,
                );
            }
        }
        Motion::Comet => {
            let (hx, hy) = (-10.0 + (w + 20.0) * u, 8.0 + 50.0 * u);
            let (dx, dy) = ((w + 20.0) / dur, 50.0 / dur);
            let len = (dx * dx + dy * dy).sqrt();
            for k in 0..14 {
                let f = k as f32 * 2.0;
                let (x, y) = (hx - dx / len * f, hy - dy / len * f);
                disc(
                    img,
                    x,
                    y,
                    1.6 - k as f32 * 0.08,
                    [0.8, 0.9, 1.0],
                    0.8 * (1.0 - k as f32 / 14.0),
                );
            }
            disc(img, hx, hy, 1.8, [1.0, 1.0, 1.0], 1.0);
            let tw = if n % 6 < 3 { 1.0 } else { 0.2 };
            disc(img, 132.0, 14.0, 1.1, [1.0, 1.0, 0.9], tw);
        }
        Motion::Lamp => {
            let a = 0.7 * (t * TAU / 3.0).sin();
            let (px, py, len) = (80.0, -2.0, 34.0);
            let (x, y) = (px + a.sin() * len, py + a.cos() * len);
            stroke(img, (px, py), (x, y), 0.9, [0.2, 0.2, 0.2], 1.0);
            disc(img, x, y, 7.0, [1.0, 0.85, 0.5], 0.25);
            disc(img, x, y, 3.0, [1.0, 0.93, 0.7], 1.0);
        }
    }
}

/// Paints, animates and encodes one video of `secs` seconds.
pub fn make(render: Render, p: &Params, motion: Motion, secs: u32) -> Video {
    let bg = render(WIDTH, HEIGHT, p);
    let mut enc = Encoder::new(WIDTH, HEIGHT);
    let total = secs * FPS;
    let mut samples = Vec::with_capacity(total as usize);
    let mut frames = Vec::with_capacity(total as usize);
    for n in 0..total {
        let mut img = bg.clone();
        draw(&mut img, motion, n as f32 / FPS as f32, secs as f32, n);
        let idr = n % GOP == 0;
        let nal = enc.encode(&Yuv::from_rgb(&img), idr, TOLERANCE);
        let mut data = (nal.len() as u32).to_be_bytes().to_vec();
        data.extend(nal);
        samples.push(Sample {
            data,
            duration: TICKS_PER_FRAME,
            sync: idr,
        });
        if let Some(r) = enc.reconstructed() {
            frames.push(r.to_rgb(WIDTH, HEIGHT));
        }
    }
    let track = Track {
        codec: Codec::Avc {
            sps: enc.sps(),
            pps: enc.pps(),
            width: WIDTH as u16,
            height: HEIGHT as u16,
        },
        timescale: TIMESCALE,
    };
    let mp4 = mp4::progressive(&track, &samples);
    let init = mp4::init_segment(&track);
    let segments = samples
        .chunks(GOP as usize)
        .enumerate()
        .map(|(i, chunk)| {
            let base = u64::from(i as u32 * GOP * TICKS_PER_FRAME);
            let secs = f64::from(chunk.len() as u32) / f64::from(FPS);
            (secs, mp4::media_segment(i as u32 + 1, base, chunk))
        })
        .collect();
    Video {
        mp4,
        init,
        segments,
        frames,
    }
}
