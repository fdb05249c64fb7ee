//! 16-bit PCM mono WAV files.

/// A canonical 44-byte-header WAV of `samples` at `rate`.
pub fn pcm16_mono(samples: &[i16], rate: u32) -> Vec<u8> {
    let data_len = samples.len() as u32 * 2;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend(b"RIFF");
    out.extend((36 + data_len).to_le_bytes());
    out.extend(b"WAVEfmt ");
    out.extend(16u32.to_le_bytes());
    out.extend(1u16.to_le_bytes()); // PCM
    out.extend(1u16.to_le_bytes()); // mono
    out.extend(rate.to_le_bytes());
    out.extend((rate * 2).to_le_bytes()); // byte rate
    out.extend(2u16.to_le_bytes()); // block align
    out.extend(16u16.to_le_bytes()); // bits per sample
    out.extend(b"data");
    out.extend(data_len.to_le_bytes());
    for s in samples {
        out.extend(s.to_le_bytes());
    }
    out
}

/// The header fields a reader checks: (format, channels, rate, byte rate,
/// block align, bits, data bytes). None if the header is malformed.
#[cfg(test)]
pub fn parse_header(w: &[u8]) -> Option<(u16, u16, u32, u32, u16, u16, usize)> {
    let u16le = |at: usize| Some(u16::from_le_bytes(w.get(at..at + 2)?.try_into().ok()?));
    let u32le = |at: usize| Some(u32::from_le_bytes(w.get(at..at + 4)?.try_into().ok()?));
    if w.get(0..4)? != b"RIFF" || w.get(8..16)? != b"WAVEfmt " || w.get(36..40)? != b"data" {
        return None;
    }
    if u32le(4)? as usize != w.len() - 8 || u32le(16)? != 16 {
        return None;
    }
    let data = u32le(40)? as usize;
    if data != w.len() - 44 {
        return None;
    }
    Some((
        u16le(20)?,
        u16le(22)?,
        u32le(24)?,
        u32le(28)?,
        u16le(32)?,
        u16le(34)?,
        data,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_fields_are_consistent() {
        let w = pcm16_mono(&[0, 1, -1, i16::MAX], 16_000);
        assert_eq!(parse_header(&w), Some((1, 1, 16_000, 32_000, 2, 16, 8)));
        assert_eq!(&w[44..46], &[0, 0]);
        assert_eq!(&w[48..50], &[0xff, 0xff]);
    }
}
