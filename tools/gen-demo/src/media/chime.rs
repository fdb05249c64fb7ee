//! A chime arpeggio as 16-bit PCM mono WAV.

use std::f32::consts::TAU;

pub const SAMPLE_RATE: u32 = 22_050;

pub fn chime_wav() -> Vec<u8> {
    let n = (SAMPLE_RATE * 2) as usize;
    let notes = [523.25f32, 659.25, 783.99, 1046.5, 1318.51];
    // bell-like inharmonic partials: (ratio, amplitude, decay per second)
    let partials = [
        (1.0f32, 1.0f32, 2.6f32),
        (2.76, 0.42, 4.5),
        (5.4, 0.16, 7.0),
        (8.93, 0.06, 10.0),
    ];
    let mut buf = vec![0f32; n];
    for (i, &f0) in notes.iter().enumerate() {
        let start = (i as f32 * 0.22 * SAMPLE_RATE as f32) as usize;
        let gain = 0.9 - i as f32 * 0.08;
        for (j, s) in buf.iter_mut().enumerate().skip(start) {
            let t = (j - start) as f32 / SAMPLE_RATE as f32;
            let attack = (t / 0.004).min(1.0);
            let mut v = 0.0;
            for &(ratio, amp, decay) in &partials {
                v += amp * (TAU * f0 * ratio * t).sin() * (-decay * t).exp();
            }
            *s += v * attack * gain;
        }
    }
    let peak = buf.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-6);
    let fade_len = (SAMPLE_RATE / 20) as usize;
    let mut data = Vec::with_capacity(n * 2);
    for (j, v) in buf.iter().enumerate() {
        let fade = ((n - j) as f32 / fade_len as f32).min(1.0);
        let q = (v / peak * 0.8 * fade * 32767.0).round() as i16;
        data.extend(q.to_le_bytes());
    }
    let mut out = Vec::with_capacity(44 + data.len());
    out.extend(b"RIFF");
    out.extend((36 + data.len() as u32).to_le_bytes());
    out.extend(b"WAVEfmt ");
    out.extend(16u32.to_le_bytes());
    out.extend(1u16.to_le_bytes()); // PCM
    out.extend(1u16.to_le_bytes()); // mono
    out.extend(SAMPLE_RATE.to_le_bytes());
    out.extend((SAMPLE_RATE * 2).to_le_bytes()); // byte rate
    out.extend(2u16.to_le_bytes()); // block align
    out.extend(16u16.to_le_bytes()); // bits per sample
    out.extend(b"data");
    out.extend((data.len() as u32).to_le_bytes());
    out.extend(data);
    out
}
