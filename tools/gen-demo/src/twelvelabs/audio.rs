//! The sounds: synthesized per family (wind and a bell, birdsong, pads,
//! drones, bubbles, a sonar ping, piano chords, rain), written as 16-bit
//! PCM WAV and, for HLS, as FLAC frames in fragmented MP4.

use std::f32::consts::TAU;

use fastrand::Rng;

use super::catalog::Sound;
use crate::media::flac;
use crate::media::mp4::{self, Codec, Sample, Track};

pub const RATE: u32 = 16_000;
/// Samples per FLAC frame (a quarter second), and so per fMP4 sample.
pub const BLOCK: usize = 4000;
/// FLAC frames per HLS segment (two seconds).
const FRAMES_PER_SEGMENT: usize = 8;

pub struct Audio {
    pub samples: Vec<i16>,
    pub init: Vec<u8>,
    pub segments: Vec<(f64, Vec<u8>)>,
}

/// One-pole low-pass filter state.
struct Lp(f32);

impl Lp {
    fn run(&mut self, x: f32, k: f32) -> f32 {
        self.0 += (x - self.0) * k;
        self.0
    }
}

fn bell(t: f32, f0: f32) -> f32 {
    if t < 0.0 {
        return 0.0;
    }
    [(1.0f32, 1.0f32, 2.2f32), (2.76, 0.4, 4.0), (5.4, 0.15, 7.0)]
        .iter()
        .map(|&(r, a, d)| a * (TAU * f0 * r * t).sin() * (-d * t).exp())
        .sum::<f32>()
        * (t / 0.003).min(1.0)
}

/// A piano-like note: a few harmonics with a fast attack and a decay.
fn pluck(t: f32, f0: f32) -> f32 {
    if t < 0.0 {
        return 0.0;
    }
    (1..=5)
        .map(|k| {
            let k = k as f32;
            (TAU * f0 * k * t).sin() / (k * k) * (-(1.5 + k) * t).exp()
        })
        .sum::<f32>()
        * (t / 0.004).min(1.0)
}

fn midi(n: f32) -> f32 {
    440.0 * 2f32.powf((n - 69.0) / 12.0)
}

/// Renders `sound` for `secs` seconds, normalised, with short fades.
pub fn synth(sound: Sound, secs: u32) -> Vec<i16> {
    let n = (RATE * secs) as usize;
    let sr = RATE as f32;
    let dur = secs as f32;
    let mut rng = Rng::with_seed(sound as u64 * 7919 + 11);
    let mut lp = Lp(0.0);
    let mut lp2 = Lp(0.0);
    let mut buf = Vec::with_capacity(n);
    // event times drawn up front, so each sample is a pure function of t
    let chirps: Vec<(f32, f32)> = (0..14)
        .map(|i| {
            let phrase = if i < 7 { 0.2 } else { 1.6 };
            (
                phrase + (i % 7) as f32 * 0.19 + rng.f32() * 0.05,
                2600.0 + rng.f32() * 1400.0,
            )
        })
        .collect();
    let pops: Vec<(f32, f32)> = (0..26)
        .map(|i| {
            let burst = i >= 14;
            let at = if burst {
                1.6 + rng.f32() * 0.9
            } else {
                rng.f32() * 1.5
            };
            (at, 300.0 + rng.f32() * 500.0)
        })
        .collect();
    let drops: Vec<(f32, f32)> = (0..160)
        .map(|_| (rng.f32() * dur, 0.2 + rng.f32() * 0.8))
        .collect();
    for i in 0..n {
        let t = i as f32 / sr;
        let white = rng.f32() * 2.0 - 1.0;
        let v = match sound {
            Sound::WindBell => {
                let gust = 0.5 + 0.5 * (t * 1.7).sin() * (t * 0.6 + 1.0).sin();
                let wind = lp.run(white, 0.02 + 0.05 * gust) * (0.6 + 0.8 * gust) * 3.0;
                wind + 0.5 * bell(t - 2.1, midi(74.0)) + 0.3 * bell(t - 2.9, midi(74.0))
            }
            Sound::Birdsong => {
                let breeze = lp.run(white, 0.03) * 0.4;
                let mut s = 0.0;
                for &(at, f) in &chirps {
                    let u = t - at;
                    if (0.0..0.09).contains(&u) {
                        let env = (u / 0.09 * std::f32::consts::PI).sin();
                        let f = f + 1800.0 * u / 0.09;
                        s += env * (TAU * f * u).sin();
                    }
                }
                breeze + 0.6 * s
            }
            Sound::CityPad => {
                let chord: [f32; 3] = if t < dur / 2.0 {
                    [57.0, 60.0, 64.0]
                } else {
                    [53.0, 57.0, 60.0]
                };
                let pad: f32 = chord
                    .iter()
                    .map(|&m| {
                        let f = midi(m);
                        (1..=4)
                            .map(|k| (TAU * f * k as f32 * t).sin() / k as f32)
                            .sum::<f32>()
                    })
                    .sum();
                let swell = smooth_in(t, 0.6) * (0.7 + 0.3 * (t * 2.0).sin());
                let hum = 0.15 * (TAU * 50.0 * t).sin() + 0.08 * (TAU * 100.0 * t).sin();
                lp.run(pad * swell * 0.3, 0.25) + hum
            }
            Sound::DesertDrone => {
                let drone = (TAU * 110.0 * t).sin()
                    + 0.6 * (TAU * 165.4 * t).sin()
                    + 0.3 * (TAU * 220.3 * t).sin();
                let rise = (t / dur).powi(2);
                let wind = lp.run(white, 0.03 + 0.08 * rise) * (1.0 + 3.0 * rise);
                0.35 * drone + wind
            }
            Sound::Bubbles => {
                let rumble = lp2.run(lp.run(white, 0.01), 0.02) * 8.0;
                let mut s = 0.0;
                for &(at, f) in &pops {
                    let u = t - at;
                    if (0.0..0.12).contains(&u) {
                        let f = f * (1.0 + 6.0 * u);
                        s += (TAU * f * u).sin() * (-u * 40.0).exp();
                    }
                }
                rumble + 0.7 * s
            }
            Sound::Sonar => {
                let ping = |u: f32| {
                    if u < 0.0 {
                        0.0
                    } else {
                        (TAU * 1200.0 * u).sin() * (-u * 3.0).exp() * (u / 0.01).min(1.0)
                    }
                };
                let deep = lp.run(white, 0.01) * 0.8;
                ping(t - 0.1) + 0.35 * ping(t - 2.1) + deep
            }
            Sound::SpacePad => {
                let trem = 0.75 + 0.25 * (TAU * 0.5 * t).sin();
                let pad: f32 = [(48.0, 0.0), (55.0, 0.7), (60.0, -0.5), (64.0, 1.1)]
                    .iter()
                    .map(|&(m, cents)| {
                        let f = midi(m);
                        (TAU * f * t).sin() + (TAU * (f + cents) * t).sin()
                    })
                    .sum();
                pad * trem * smooth_in(t, 1.2) * 0.3
            }
            Sound::Chords => {
                let chords = [
                    [60.0, 64.0, 67.0],
                    [57.0, 60.0, 64.0],
                    [53.0, 57.0, 60.0],
                    [55.0, 59.0, 62.0],
                ];
                let mut s = 0.0;
                for (ci, ch) in chords.iter().enumerate() {
                    let u = t - ci as f32 * dur / 4.0;
                    for (k, &m) in ch.iter().enumerate() {
                        s += pluck(u - k as f32 * 0.012, midi(m));
                    }
                }
                s
            }
            Sound::Rain => {
                let hiss = lp.run(white, 0.12) * 0.6;
                let mut s = 0.0;
                for &(at, a) in &drops {
                    let u = t - at;
                    if (0.0..0.02).contains(&u) {
                        s += a * (TAU * 2400.0 * u).sin() * (-u * 250.0).exp();
                    }
                }
                hiss + s
            }
        };
        buf.push(v);
    }
    let peak = buf.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-6);
    let fade = (RATE / 50) as usize;
    buf.iter()
        .enumerate()
        .map(|(i, v)| {
            let f = (i.min(n - 1 - i) as f32 / fade as f32).min(1.0);
            (v / peak * 0.8 * f * 32767.0).round() as i16
        })
        .collect()
}

fn smooth_in(t: f32, over: f32) -> f32 {
    (t / over).min(1.0)
}

/// Synthesizes `sound` and packs it for HLS.
pub fn make(sound: Sound, secs: u32) -> Audio {
    let samples = synth(sound, secs);
    let track = Track {
        codec: Codec::Flac {
            streaminfo: flac::streaminfo(RATE, BLOCK as u16, samples.len() as u64),
            rate: RATE,
        },
        timescale: RATE,
    };
    let frames: Vec<Sample> = samples
        .chunks(BLOCK)
        .enumerate()
        .map(|(i, c)| Sample {
            data: flac::frame(c, i as u32, RATE),
            duration: c.len() as u32,
            sync: true,
        })
        .collect();
    let mut segments = Vec::new();
    let mut base = 0u64;
    for (i, chunk) in frames.chunks(FRAMES_PER_SEGMENT).enumerate() {
        let ticks: u64 = chunk.iter().map(|s| u64::from(s.duration)).sum();
        segments.push((
            ticks as f64 / f64::from(RATE),
            mp4::media_segment(i as u32 + 1, base, chunk),
        ));
        base += ticks;
    }
    Audio {
        samples,
        init: mp4::init_segment(&track),
        segments,
    }
}
