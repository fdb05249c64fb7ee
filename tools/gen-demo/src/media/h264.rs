//! A tiny H.264 encoder: Constrained Baseline, CAVLC, one slice per picture,
//! every coded macroblock `I_PCM` (raw samples: no transform, no entropy
//! coding) and every unchanged macroblock `P_Skip`. A still background with a
//! few moving things costs only the macroblocks that move.
//!
//! Why this is exact: with the deblocking filter off, an `I_PCM` macroblock
//! decodes to its samples and a `P_Skip` one to the reference's samples (all
//! motion vectors are zero: every inter macroblock is a skip with a zero
//! predictor, so by induction every predictor is zero). The encoder's
//! reference is therefore exactly what a decoder shows.

use image::RgbImage;

use super::bits::BitWriter;

/// A 4:2:0 picture in BT.601 limited range, in whole macroblocks.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Yuv {
    /// Coded size (multiples of 16).
    pub w: usize,
    pub h: usize,
    pub y: Vec<u8>,
    pub cb: Vec<u8>,
    pub cr: Vec<u8>,
}

fn clamp8(v: f32) -> u8 {
    v.round().clamp(1.0, 254.0) as u8
}

impl Yuv {
    /// Converts `img`, padding it to whole macroblocks by repeating its
    /// last row and column.
    pub fn from_rgb(img: &RgbImage) -> Yuv {
        let (iw, ih) = (img.width() as usize, img.height() as usize);
        let (w, h) = (iw.div_ceil(16) * 16, ih.div_ceil(16) * 16);
        let px = |x: usize, y: usize| {
            let p = img.get_pixel(x.min(iw - 1) as u32, y.min(ih - 1) as u32).0;
            [f32::from(p[0]), f32::from(p[1]), f32::from(p[2])]
        };
        let mut y = vec![0u8; w * h];
        for yy in 0..h {
            for xx in 0..w {
                let [r, g, b] = px(xx, yy);
                y[yy * w + xx] = clamp8(16.0 + 0.256_788 * r + 0.504_129 * g + 0.097_906 * b);
            }
        }
        let (cw, ch) = (w / 2, h / 2);
        let (mut cb, mut cr) = (vec![0u8; cw * ch], vec![0u8; cw * ch]);
        for yy in 0..ch {
            for xx in 0..cw {
                let mut s = [0f32; 3];
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let p = px(xx * 2 + dx, yy * 2 + dy);
                    for k in 0..3 {
                        s[k] += p[k] / 4.0;
                    }
                }
                let [r, g, b] = s;
                cb[yy * cw + xx] = clamp8(128.0 - 0.148_223 * r - 0.290_993 * g + 0.439_216 * b);
                cr[yy * cw + xx] = clamp8(128.0 + 0.439_216 * r - 0.367_788 * g - 0.071_427 * b);
            }
        }
        Yuv { w, h, y, cb, cr }
    }

    /// Back to RGB, cropped to `iw`×`ih` (what a player shows).
    pub fn to_rgb(&self, iw: u32, ih: u32) -> RgbImage {
        RgbImage::from_fn(iw, ih, |x, y| {
            let (x, y) = (x as usize, y as usize);
            let l = 1.164 * (f32::from(self.y[y * self.w + x]) - 16.0);
            let ci = (y / 2) * (self.w / 2) + x / 2;
            let (u, v) = (
                f32::from(self.cb[ci]) - 128.0,
                f32::from(self.cr[ci]) - 128.0,
            );
            let q = |f: f32| f.round().clamp(0.0, 255.0) as u8;
            image::Rgb([
                q(l + 1.596 * v),
                q(l - 0.392 * u - 0.813 * v),
                q(l + 2.017 * u),
            ])
        })
    }

    /// The 384 samples of macroblock (`mx`, `my`) in `I_PCM` order.
    fn mb_samples(&self, mx: usize, my: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(384);
        for r in 0..16 {
            let o = (my * 16 + r) * self.w + mx * 16;
            out.extend_from_slice(&self.y[o..o + 16]);
        }
        let cw = self.w / 2;
        for plane in [&self.cb, &self.cr] {
            for r in 0..8 {
                let o = (my * 8 + r) * cw + mx * 8;
                out.extend_from_slice(&plane[o..o + 8]);
            }
        }
        out
    }

    fn set_mb(&mut self, mx: usize, my: usize, s: &[u8]) {
        for r in 0..16 {
            let o = (my * 16 + r) * self.w + mx * 16;
            self.y[o..o + 16].copy_from_slice(&s[r * 16..r * 16 + 16]);
        }
        let cw = self.w / 2;
        for (pi, plane) in [&mut self.cb, &mut self.cr].into_iter().enumerate() {
            for r in 0..8 {
                let o = (my * 8 + r) * cw + mx * 8;
                let so = 256 + pi * 64 + r * 8;
                plane[o..o + 8].copy_from_slice(&s[so..so + 8]);
            }
        }
    }
}

pub const PROFILE_BASELINE: u8 = 66;
/// constraint_set0 and constraint_set1: Constrained Baseline.
pub const CONSTRAINTS: u8 = 0xC0;
pub const LEVEL: u8 = 30;
const LOG2_MAX_FRAME_NUM: u32 = 8;

pub const NAL_SLICE: u8 = 1;
pub const NAL_IDR: u8 = 5;
pub const NAL_SPS: u8 = 7;
pub const NAL_PPS: u8 = 8;

/// Inserts emulation-prevention bytes and the NAL header.
fn nal(kind: u8, rbsp: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rbsp.len() + rbsp.len() / 64 + 1);
    out.push((3 << 5) | kind); // nal_ref_idc 3: every NAL here is a reference
    assetui_bitstream::escape_into(&mut out, rbsp);
    out
}

/// Encodes pictures of one fixed size into NAL units.
pub struct Encoder {
    /// Visible size.
    pub width: u32,
    pub height: u32,
    mbs_w: usize,
    mbs_h: usize,
    reference: Option<Yuv>,
    frame_num: u32,
    idr_count: u32,
}

impl Encoder {
    pub fn new(width: u32, height: u32) -> Encoder {
        Encoder {
            width,
            height,
            mbs_w: (width as usize).div_ceil(16),
            mbs_h: (height as usize).div_ceil(16),
            reference: None,
            frame_num: 0,
            idr_count: 0,
        }
    }

    /// The sequence parameter set NAL.
    pub fn sps(&self) -> Vec<u8> {
        let mut w = BitWriter::new();
        w.bits(u64::from(PROFILE_BASELINE), 8);
        w.bits(u64::from(CONSTRAINTS), 8);
        w.bits(u64::from(LEVEL), 8);
        w.ue(0); // seq_parameter_set_id
        w.ue(LOG2_MAX_FRAME_NUM - 4);
        w.ue(2); // pic_order_cnt_type 2: output order is decode order
        w.ue(1); // max_num_ref_frames
        w.bit(false); // gaps_in_frame_num_value_allowed_flag
        w.ue(self.mbs_w as u32 - 1);
        w.ue(self.mbs_h as u32 - 1);
        w.bit(true); // frame_mbs_only_flag
        w.bit(true); // direct_8x8_inference_flag
        let crop_right = (self.mbs_w as u32 * 16 - self.width) / 2;
        let crop_bottom = (self.mbs_h as u32 * 16 - self.height) / 2;
        let crop = crop_right > 0 || crop_bottom > 0;
        w.bit(crop);
        if crop {
            w.ue(0);
            w.ue(crop_right);
            w.ue(0);
            w.ue(crop_bottom);
        }
        w.bit(false); // vui_parameters_present_flag: the container has the timing
        w.trailing();
        nal(NAL_SPS, &w.finish())
    }

    /// The picture parameter set NAL.
    pub fn pps(&self) -> Vec<u8> {
        let mut w = BitWriter::new();
        w.ue(0); // pic_parameter_set_id
        w.ue(0); // seq_parameter_set_id
        w.bit(false); // entropy_coding_mode_flag: CAVLC
        w.bit(false); // bottom_field_pic_order_in_frame_present_flag
        w.ue(0); // num_slice_groups_minus1
        w.ue(0); // num_ref_idx_l0_default_active_minus1
        w.ue(0); // num_ref_idx_l1_default_active_minus1
        w.bit(false); // weighted_pred_flag
        w.bits(0, 2); // weighted_bipred_idc
        w.se(0); // pic_init_qp_minus26
        w.se(0); // pic_init_qs_minus26
        w.se(0); // chroma_qp_index_offset
        w.bit(true); // deblocking_filter_control_present_flag
        w.bit(false); // constrained_intra_pred_flag
        w.bit(false); // redundant_pic_cnt_present_flag
        w.trailing();
        nal(NAL_PPS, &w.finish())
    }

    /// What a decoder holds after the last picture.
    pub fn reconstructed(&self) -> Option<&Yuv> {
        self.reference.as_ref()
    }

    /// Encodes one picture as one slice NAL. An IDR codes every macroblock;
    /// otherwise only the macroblocks that differ from the reference by
    /// more than `tolerance` in some sample.
    pub fn encode(&mut self, pic: &Yuv, idr: bool, tolerance: u8) -> Vec<u8> {
        assert_eq!((pic.w, pic.h), (self.mbs_w * 16, self.mbs_h * 16));
        let idr = idr || self.reference.is_none();
        if idr {
            self.frame_num = 0;
        }
        let mut w = BitWriter::new();
        // slice_header()
        w.ue(0); // first_mb_in_slice
        w.ue(if idr { 7 } else { 5 }); // slice_type: I or P, all slices alike
        w.ue(0); // pic_parameter_set_id
        w.bits(u64::from(self.frame_num), LOG2_MAX_FRAME_NUM);
        if idr {
            w.ue(self.idr_count % 2); // idr_pic_id: differs between neighbours
        } else {
            w.bit(false); // num_ref_idx_active_override_flag
            w.bit(false); // ref_pic_list_modification_flag_l0
        }
        if idr {
            w.bit(false); // no_output_of_prior_pics_flag
            w.bit(false); // long_term_reference_flag
        } else {
            w.bit(false); // adaptive_ref_pic_marking_mode_flag
        }
        w.se(0); // slice_qp_delta
        w.ue(1); // disable_deblocking_filter_idc: off, so I_PCM stays exact
                 // slice_data()
        let mut recon = self.reference.clone().unwrap_or_else(|| pic.clone());
        let mut skip_run = 0u32;
        for my in 0..self.mbs_h {
            for mx in 0..self.mbs_w {
                let s = pic.mb_samples(mx, my);
                let changed = idr || {
                    let old = recon.mb_samples(mx, my);
                    s.iter().zip(&old).any(|(a, b)| a.abs_diff(*b) > tolerance)
                };
                if !changed {
                    skip_run += 1;
                    continue;
                }
                if !idr {
                    w.ue(skip_run);
                    skip_run = 0;
                    w.ue(5 + 25); // mb_type I_PCM in a P slice
                } else {
                    w.ue(25); // mb_type I_PCM
                }
                w.align_zero(); // pcm_alignment_zero_bit
                w.bytes(&s);
                recon.set_mb(mx, my, &s);
            }
        }
        if skip_run > 0 {
            w.ue(skip_run);
        }
        w.trailing();
        self.reference = Some(recon);
        self.frame_num = (self.frame_num + 1) % (1 << LOG2_MAX_FRAME_NUM);
        if idr {
            self.idr_count += 1;
        }
        nal(if idr { NAL_IDR } else { NAL_SLICE }, &w.finish())
    }
}

/// Removes emulation-prevention bytes (the inverse of what `nal` adds).
#[cfg(test)]
pub use assetui_bitstream::unescape;

/// A decoder for exactly the subset the encoder writes: it parses the SPS
/// and each slice completely and rebuilds the pictures.
#[cfg(test)]
pub mod check {
    use super::super::bits::BitReader;
    use super::*;

    #[derive(Debug)]
    pub struct Sps {
        pub width: u32,
        pub height: u32,
        pub mbs_w: usize,
        pub mbs_h: usize,
    }

    pub fn parse_sps(nal_unit: &[u8]) -> Sps {
        assert_eq!(nal_unit[0] & 0x1f, NAL_SPS, "not an SPS");
        let rbsp = unescape(&nal_unit[1..]);
        let mut r = BitReader::new(&rbsp);
        assert_eq!(r.bits(8), u64::from(PROFILE_BASELINE));
        r.bits(16);
        assert_eq!(r.ue(), 0);
        assert_eq!(r.ue() + 4, LOG2_MAX_FRAME_NUM);
        assert_eq!(r.ue(), 2, "pic_order_cnt_type");
        assert_eq!(r.ue(), 1, "max_num_ref_frames");
        assert!(!r.bit());
        let mbs_w = r.ue() as usize + 1;
        let mbs_h = r.ue() as usize + 1;
        assert!(r.bit(), "frame_mbs_only_flag");
        r.bit();
        let (mut cr, mut cb) = (0, 0);
        if r.bit() {
            assert_eq!(r.ue(), 0);
            cr = r.ue();
            assert_eq!(r.ue(), 0);
            cb = r.ue();
        }
        assert!(!r.bit(), "no VUI");
        assert!(r.bit(), "rbsp_stop_one_bit");
        Sps {
            width: mbs_w as u32 * 16 - 2 * cr,
            height: mbs_h as u32 * 16 - 2 * cb,
            mbs_w,
            mbs_h,
        }
    }

    /// Decodes one slice NAL onto `reference` (None before the first IDR).
    /// Returns the picture and how many macroblocks were coded.
    pub fn decode_slice(sps: &Sps, nal_unit: &[u8], reference: Option<&Yuv>) -> (Yuv, usize) {
        let kind = nal_unit[0] & 0x1f;
        assert!(kind == NAL_IDR || kind == NAL_SLICE, "NAL type {kind}");
        assert_eq!(nal_unit[0] >> 5, 3, "nal_ref_idc");
        let idr = kind == NAL_IDR;
        let rbsp = unescape(&nal_unit[1..]);
        let mut r = BitReader::new(&rbsp);
        assert_eq!(r.ue(), 0, "first_mb_in_slice");
        assert_eq!(r.ue(), if idr { 7 } else { 5 }, "slice_type");
        assert_eq!(r.ue(), 0);
        r.bits(LOG2_MAX_FRAME_NUM);
        if idr {
            r.ue();
        } else {
            assert!(!r.bit());
            assert!(!r.bit());
        }
        r.bits(if idr { 2 } else { 1 });
        assert_eq!(r.se(), 0);
        assert_eq!(r.ue(), 1, "deblocking off");
        let (w, h) = (sps.mbs_w * 16, sps.mbs_h * 16);
        let mut pic = match reference {
            Some(p) => p.clone(),
            None => {
                assert!(idr, "a P slice needs a reference");
                Yuv {
                    w,
                    h,
                    y: vec![0; w * h],
                    cb: vec![0; w * h / 4],
                    cr: vec![0; w * h / 4],
                }
            }
        };
        let total = sps.mbs_w * sps.mbs_h;
        let (mut addr, mut coded) = (0usize, 0usize);
        // more_rbsp_data(): anything left before the stop bit
        let stop = rbsp.len() * 8 - (rbsp[rbsp.len() - 1].trailing_zeros() as usize + 1);
        let more = |r: &BitReader| r.bit_pos() < stop;
        loop {
            if !idr {
                let run = r.ue() as usize;
                addr += run;
                assert!(addr <= total, "skip run past the picture");
                if run > 0 && !more(&r) {
                    break;
                }
            }
            let mb_type = r.ue();
            assert_eq!(mb_type, if idr { 25 } else { 30 }, "I_PCM");
            r.align();
            let start = r.byte_pos();
            let s = &rbsp[start..start + 384];
            assert!(s.iter().all(|&v| v != 0), "PCM sample 0");
            pic.set_mb(addr % sps.mbs_w, addr / sps.mbs_w, s);
            r.skip_bytes(384);
            coded += 1;
            addr += 1;
            if !more(&r) {
                break;
            }
        }
        assert_eq!(addr, total, "every macroblock accounted for");
        assert!(r.bit(), "rbsp_stop_one_bit");
        if idr {
            assert_eq!(coded, total);
        }
        (pic, coded)
    }
}

#[cfg(test)]
mod tests {
    use super::check::*;
    use super::*;

    fn frame(t: u32) -> RgbImage {
        RgbImage::from_fn(40, 30, |x, y| {
            let on = (x / 8 == t % 5) && y < 12;
            if on {
                image::Rgb([250, 240, 30])
            } else {
                image::Rgb([(x * 6) as u8, (y * 8) as u8, 90])
            }
        })
    }

    #[test]
    fn the_stream_decodes_to_exactly_the_encoders_reference() {
        let mut enc = Encoder::new(40, 30);
        let sps = parse_sps(&enc.sps());
        assert_eq!(
            (sps.width, sps.height, sps.mbs_w, sps.mbs_h),
            (40, 30, 3, 2)
        );
        let mut decoded: Option<Yuv> = None;
        for t in 0..8 {
            let pic = Yuv::from_rgb(&frame(t));
            let n = enc.encode(&pic, t % 4 == 0, 0);
            let (out, coded) = decode_slice(&sps, &n, decoded.as_ref());
            assert_eq!(Some(&out), enc.reconstructed());
            assert_eq!(out, pic, "a zero tolerance is lossless");
            if t % 4 != 0 {
                assert!(coded < 6, "frame {t}: only the moving bar's macroblocks");
            }
            decoded = Some(out);
        }
    }

    #[test]
    fn an_unchanged_picture_is_one_skip_run() {
        let mut enc = Encoder::new(32, 32);
        let pic = Yuv::from_rgb(&image::imageops::crop_imm(&frame(0), 0, 0, 32, 30).to_image());
        enc.encode(&pic, true, 0);
        let n = enc.encode(&pic, false, 0);
        // header byte, then a few bits of slice header and ue(4)
        assert!(n.len() < 8, "{} bytes", n.len());
        let sps = parse_sps(&enc.sps());
        let (_, coded) = decode_slice(&sps, &n, enc.reconstructed());
        assert_eq!(coded, 0);
    }

    #[test]
    fn emulation_prevention_round_trips() {
        let raw = [0u8, 0, 0, 1, 0, 0, 2, 5, 0, 0, 3, 0, 0];
        let escaped = nal(1, &raw);
        assert!(!escaped[1..]
            .windows(3)
            .any(|w| w[0] == 0 && w[1] == 0 && w[2] <= 2));
        assert_eq!(unescape(&escaped[1..]), raw);
    }

    #[test]
    fn colour_conversion_round_trips_closely() {
        let img = RgbImage::from_fn(16, 16, |x, y| {
            image::Rgb([(x * 16) as u8, (y * 16) as u8, 128])
        });
        let back = Yuv::from_rgb(&img).to_rgb(16, 16);
        let worst = img
            .pixels()
            .zip(back.pixels())
            .flat_map(|(a, b)| (0..3).map(move |k| a.0[k].abs_diff(b.0[k])))
            .max();
        assert!(worst.unwrap_or(0) < 24, "{worst:?}");
    }
}
