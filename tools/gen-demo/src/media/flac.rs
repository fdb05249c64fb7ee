//! FLAC frames for HLS audio: mono 16-bit, fixed block size, each subframe
//! FIXED (the best predictor order of 0-4) with one Rice partition, or
//! VERBATIM when that is smaller.
//! Only what the FLAC format requires; no MD5 (STREAMINFO allows zero).

use super::bits::BitWriter;

/// The 34-byte STREAMINFO block body.
pub fn streaminfo(rate: u32, block: u16, total_samples: u64) -> [u8; 34] {
    let mut w = BitWriter::new();
    w.bits(u64::from(block), 16); // min block size
    w.bits(u64::from(block), 16); // max block size
    w.bits(0, 24); // min frame size: unknown
    w.bits(0, 24); // max frame size: unknown
    w.bits(u64::from(rate), 20);
    w.bits(0, 3); // channels - 1
    w.bits(15, 5); // bits per sample - 1
    w.bits(total_samples, 36);
    w.bits(0, 64); // MD5: unknown
    w.bits(0, 64);
    let v = w.finish();
    let mut out = [0u8; 34];
    out.copy_from_slice(&v);
    out
}

pub fn crc8(data: &[u8]) -> u8 {
    data.iter().fold(0u8, |mut c, &b| {
        c ^= b;
        for _ in 0..8 {
            c = if c & 0x80 != 0 {
                (c << 1) ^ 0x07
            } else {
                c << 1
            };
        }
        c
    })
}

pub fn crc16(data: &[u8]) -> u16 {
    data.iter().fold(0u16, |mut c, &b| {
        c ^= u16::from(b) << 8;
        for _ in 0..8 {
            c = if c & 0x8000 != 0 {
                (c << 1) ^ 0x8005
            } else {
                c << 1
            };
        }
        c
    })
}

/// The sample-rate code for the frame header (0 = see STREAMINFO).
fn rate_code(rate: u32) -> u64 {
    match rate {
        8_000 => 4,
        16_000 => 5,
        22_050 => 6,
        24_000 => 7,
        32_000 => 8,
        44_100 => 9,
        48_000 => 10,
        _ => 0,
    }
}

/// FLAC's UTF-8-like coding of the frame number (here always < 2^16).
fn utf8_number(w: &mut BitWriter, n: u32) {
    if n < 0x80 {
        w.bits(u64::from(n), 8);
    } else if n < 0x800 {
        w.bits(u64::from(0xC0 | (n >> 6)), 8);
        w.bits(u64::from(0x80 | (n & 0x3f)), 8);
    } else {
        w.bits(u64::from(0xE0 | (n >> 12)), 8);
        w.bits(u64::from(0x80 | ((n >> 6) & 0x3f)), 8);
        w.bits(u64::from(0x80 | (n & 0x3f)), 8);
    }
}

fn zigzag(e: i32) -> u32 {
    if e >= 0 {
        (e as u32) << 1
    } else {
        ((-(e + 1)) as u32) << 1 | 1
    }
}

/// Bits the residuals cost with Rice parameter `k`.
fn rice_cost(us: &[u32], k: u32) -> u64 {
    us.iter()
        .map(|&u| u64::from(u >> k) + 1 + u64::from(k))
        .sum()
}

/// One frame of `samples` (its number `index` in a fixed-block stream).
pub fn frame(samples: &[i16], index: u32, rate: u32) -> Vec<u8> {
    assert!(!samples.is_empty() && samples.len() <= 65_536);
    let mut w = BitWriter::new();
    w.bits(0b11_1111_1111_1110, 14); // sync
    w.bit(false); // reserved
    w.bit(false); // fixed block size
    w.bits(0b0111, 4); // block size: 16 bits at the end of the header
    w.bits(rate_code(rate), 4);
    w.bits(0, 4); // one channel
    w.bits(0b100, 3); // 16 bits per sample
    w.bit(false);
    utf8_number(&mut w, index);
    w.bits(samples.len() as u64 - 1, 16);
    let mut head = w.finish();
    head.push(crc8(&head));

    let mut w = BitWriter::new();
    let xs: Vec<i32> = samples.iter().map(|&s| i32::from(s)).collect();
    // the FIXED predictor order (0-4) whose Rice-coded residual is smallest
    let residual = |order: usize| -> Vec<u32> {
        const C: [&[i32]; 5] = [&[], &[1], &[2, -1], &[3, -3, 1], &[4, -6, 4, -1]];
        (order..xs.len())
            .map(|i| {
                let pred: i32 = C[order]
                    .iter()
                    .enumerate()
                    .map(|(j, c)| c * xs[i - 1 - j])
                    .sum();
                zigzag(xs[i] - pred)
            })
            .collect()
    };
    let (order, us, k, cost) = (0..=4usize)
        .filter(|&o| o < xs.len())
        .map(|o| {
            let us = residual(o);
            let k = (0..15).min_by_key(|&k| rice_cost(&us, k)).unwrap_or(0);
            let cost = 16 * o as u64 + 10 + rice_cost(&us, k);
            (o, us, k, cost)
        })
        .min_by_key(|c| c.3)
        .unwrap_or((0, Vec::new(), 0, u64::MAX));
    if cost < 16 * xs.len() as u64 {
        w.bit(false);
        w.bits(0b001_000 | order as u64, 6); // FIXED with this order
        w.bit(false); // no wasted bits
        for &x in &xs[..order] {
            w.bits(x as u16 as u64, 16);
        }
        w.bits(0, 2); // residual coding: Rice, 4-bit parameter
        w.bits(0, 4); // partition order 0
        w.bits(u64::from(k), 4);
        for &u in &us {
            for _ in 0..u >> k {
                w.bit(false);
            }
            w.bit(true);
            w.bits(u64::from(u), k);
        }
    } else {
        w.bit(false);
        w.bits(0b000_001, 6); // VERBATIM
        w.bit(false);
        for &x in &xs {
            w.bits(x as u16 as u64, 16);
        }
    }
    let mut out = head;
    out.extend(w.finish());
    let crc = crc16(&out);
    out.extend(crc.to_be_bytes());
    out
}

/// Decodes a frame written by `frame` (the tests' check).
#[cfg(test)]
pub fn decode_frame(f: &[u8]) -> (u32, Vec<i16>) {
    use super::bits::BitReader;
    assert_eq!(
        crc16(&f[..f.len() - 2]).to_be_bytes(),
        f[f.len() - 2..],
        "CRC-16"
    );
    let mut r = BitReader::new(f);
    assert_eq!(r.bits(16), 0xFFF8, "sync");
    assert_eq!(r.bits(4), 0b0111);
    r.bits(4);
    assert_eq!(r.bits(4), 0, "mono");
    assert_eq!(r.bits(3), 0b100, "16-bit");
    assert!(!r.bit());
    let b0 = r.bits(8) as u32;
    let index = if b0 < 0x80 {
        b0
    } else if b0 < 0xE0 {
        ((b0 & 0x1f) << 6) | (r.bits(8) as u32 & 0x3f)
    } else {
        ((b0 & 0x0f) << 12) | ((r.bits(8) as u32 & 0x3f) << 6) | (r.bits(8) as u32 & 0x3f)
    };
    let n = r.bits(16) as usize + 1;
    let head_len = r.byte_pos();
    assert_eq!(crc8(&f[..head_len]), f[head_len], "CRC-8");
    r.bits(8);
    assert!(!r.bit());
    let kind = r.bits(6);
    assert!(!r.bit());
    let s16 = |v: u64| v as u16 as i16 as i32;
    let mut xs: Vec<i32> = Vec::with_capacity(n);
    match kind {
        0b000_001 => {
            for _ in 0..n {
                xs.push(s16(r.bits(16)));
            }
        }
        0b001_000..=0b001_100 => {
            const C: [&[i32]; 5] = [&[], &[1], &[2, -1], &[3, -3, 1], &[4, -6, 4, -1]];
            let order = (kind & 7) as usize;
            for _ in 0..order {
                xs.push(s16(r.bits(16)));
            }
            assert_eq!(r.bits(2), 0);
            assert_eq!(r.bits(4), 0);
            let k = r.bits(4) as u32;
            for i in order..n {
                let mut q = 0u32;
                while !r.bit() {
                    q += 1;
                }
                let u = (q << k) | r.bits(k) as u32;
                let e = if u & 1 == 0 {
                    (u >> 1) as i32
                } else {
                    -((u >> 1) as i32) - 1
                };
                let pred: i32 = C[order]
                    .iter()
                    .enumerate()
                    .map(|(j, c)| c * xs[i - 1 - j])
                    .sum();
                xs.push(e + pred);
            }
        }
        other => panic!("subframe type {other:#b}"),
    }
    r.align();
    assert_eq!(r.byte_pos() + 2, f.len(), "frame length");
    (index, xs.into_iter().map(|x| x as i16).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_decode_back_to_their_samples() {
        let tone: Vec<i16> = (0..4000)
            .map(|i| ((i as f32 * 0.05).sin() * 12_000.0) as i16)
            .collect();
        let mut rng = fastrand::Rng::with_seed(7);
        let noise: Vec<i16> = (0..4000).map(|_| rng.i16(..)).collect();
        for (i, s) in [&tone, &noise, &tone[..2].to_vec()].iter().enumerate() {
            let f = frame(s, 200 + i as u32, 16_000);
            let (index, back) = decode_frame(&f);
            assert_eq!(index, 200 + i as u32);
            assert_eq!(&back, *s);
        }
        // a tone compresses, noise falls back to VERBATIM
        assert!(frame(&tone, 0, 16_000).len() < 4000);
        assert!(frame(&noise, 0, 16_000).len() <= 8000 + 16);
    }

    #[test]
    fn crcs_match_known_values() {
        // CRC-8/SMBUS and CRC-16/UMTS of "123456789"
        assert_eq!(crc8(b"123456789"), 0xF4);
        assert_eq!(crc16(b"123456789"), 0xFEE8);
    }

    #[test]
    fn streaminfo_fields() {
        let s = streaminfo(16_000, 4000, 64_000);
        assert_eq!(&s[0..4], &[0x0f, 0xa0, 0x0f, 0xa0]);
        // 20-bit rate, 3-bit channels-1, 5-bit bps-1
        let bits = u64::from_be_bytes(s[10..18].try_into().unwrap_or([0; 8]));
        assert_eq!(bits >> 44, 16_000);
        assert_eq!((bits >> 41) & 7, 0);
        assert_eq!((bits >> 36) & 31, 15);
        assert_eq!(bits & ((1 << 36) - 1), 64_000);
    }
}
