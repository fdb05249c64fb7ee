//! MSB-first bit writing and reading with the Exp-Golomb codes H.264 and
//! H.265 use, and the NAL units' emulation prevention. One copy for the
//! demo generator (H.264, FLAC) and the server (HEVC in HEIF).

/// Appends bits most significant first.
#[derive(Default)]
pub struct BitWriter {
    buf: Vec<u8>,
    cur: u8,
    used: u8,
}

impl BitWriter {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn bit(&mut self, b: bool) {
        self.cur = (self.cur << 1) | u8::from(b);
        self.used += 1;
        if self.used == 8 {
            self.buf.push(self.cur);
            self.cur = 0;
            self.used = 0;
        }
    }

    /// The low `n` bits of `v` (n <= 64).
    pub fn bits(&mut self, v: u64, n: u32) {
        for i in (0..n).rev() {
            self.bit((v >> i) & 1 == 1);
        }
    }

    /// Unsigned Exp-Golomb, `ue(v)`.
    pub fn ue(&mut self, v: u32) {
        let x = u64::from(v) + 1;
        let len = 64 - x.leading_zeros();
        self.bits(0, len - 1);
        self.bits(x, len);
    }

    /// Signed Exp-Golomb, `se(v)`.
    pub fn se(&mut self, v: i32) {
        let k = if v > 0 {
            2 * v.unsigned_abs() - 1
        } else {
            2 * v.unsigned_abs()
        };
        self.ue(k);
    }

    pub fn aligned(&self) -> bool {
        self.used == 0
    }

    /// Zero bits up to the next byte boundary.
    pub fn align_zero(&mut self) {
        while !self.aligned() {
            self.bit(false);
        }
    }

    /// Whole bytes; only when aligned.
    pub fn bytes(&mut self, b: &[u8]) {
        debug_assert!(self.aligned());
        self.buf.extend_from_slice(b);
    }

    /// `rbsp_trailing_bits()`: a one, then zeros to the boundary.
    pub fn trailing(&mut self) {
        self.bit(true);
        self.align_zero();
    }

    /// The bytes written; a partial last byte is padded with zeros.
    pub fn finish(mut self) -> Vec<u8> {
        self.align_zero();
        self.buf
    }
}

/// Appends `rbsp` to `out` with emulation prevention: a `03` byte after
/// every `00 00` that a byte up to `03` follows (H.264 7.4.1, H.265 7.4.2).
pub fn escape_into(out: &mut Vec<u8>, rbsp: &[u8]) {
    let mut zeros = 0;
    for &b in rbsp {
        if zeros >= 2 && b <= 3 {
            out.push(3);
            zeros = 0;
        }
        out.push(b);
        zeros = if b == 0 { zeros + 1 } else { 0 };
    }
}

/// Removes emulation-prevention bytes (the inverse of [`escape_into`]).
pub fn unescape(ebsp: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ebsp.len());
    let mut zeros = 0;
    for &b in ebsp {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        out.push(b);
        zeros = if b == 0 { zeros + 1 } else { 0 };
    }
    out
}

/// Reads bits most significant first: for the tests' parsers of what
/// [`BitWriter`] wrote (it panics past the end, naming the length).
pub struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> BitReader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        BitReader { data, pos: 0 }
    }

    pub fn bit(&mut self) -> bool {
        let byte = self.data.get(self.pos / 8).copied().unwrap_or_else(|| {
            panic!("read past the end ({} bytes)", self.data.len());
        });
        let b = (byte >> (7 - self.pos % 8)) & 1 == 1;
        self.pos += 1;
        b
    }

    pub fn bits(&mut self, n: u32) -> u64 {
        (0..n).fold(0, |v, _| (v << 1) | u64::from(self.bit()))
    }

    pub fn ue(&mut self) -> u32 {
        let mut zeros = 0;
        while !self.bit() {
            zeros += 1;
            assert!(zeros < 32, "Exp-Golomb code too long");
        }
        ((1u64 << zeros) - 1 + self.bits(zeros)) as u32
    }

    pub fn se(&mut self) -> i32 {
        let k = self.ue() as i64;
        if k % 2 == 1 {
            ((k + 1) / 2) as i32
        } else {
            (-k / 2) as i32
        }
    }

    pub fn align(&mut self) {
        self.pos = self.pos.div_ceil(8) * 8;
    }

    pub fn byte_pos(&self) -> usize {
        self.pos / 8
    }

    pub fn bit_pos(&self) -> usize {
        self.pos
    }

    pub fn skip_bytes(&mut self, n: usize) {
        assert!(self.pos.is_multiple_of(8));
        self.pos += n * 8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_golomb_round_trips() {
        let mut w = BitWriter::new();
        for v in [0u32, 1, 2, 3, 7, 25, 30, 255, 65_535] {
            w.ue(v);
        }
        for v in [0i32, 1, -1, 2, -2, 100, -100] {
            w.se(v);
        }
        w.trailing();
        let data = w.finish();
        let mut r = BitReader::new(&data);
        for v in [0u32, 1, 2, 3, 7, 25, 30, 255, 65_535] {
            assert_eq!(r.ue(), v);
        }
        for v in [0i32, 1, -1, 2, -2, 100, -100] {
            assert_eq!(r.se(), v);
        }
    }

    #[test]
    fn emulation_prevention_round_trips() {
        let rbsp = [0u8, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0, 0];
        let mut ebsp = Vec::new();
        escape_into(&mut ebsp, &rbsp);
        assert_eq!(
            ebsp,
            [0, 0, 3, 0, 0, 3, 0, 1, 0, 0, 3, 2, 0, 0, 3, 3, 0, 0, 4, 0, 0]
        );
        assert_eq!(unescape(&ebsp), rbsp);
    }

    #[test]
    fn ue_codes_match_the_standard_table() {
        // 0 -> 1, 1 -> 010, 2 -> 011, 3 -> 00100
        let mut w = BitWriter::new();
        w.ue(0);
        w.ue(1);
        w.ue(2);
        w.ue(3);
        assert_eq!(w.finish(), vec![0b1010_0110, 0b0100_0000]);
    }
}
