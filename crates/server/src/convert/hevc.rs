//! A lossless-by-construction HEVC still-picture encoder: every coding unit
//! is I_PCM (its samples written raw), so there is no transform, no
//! prediction and no residual coding. HEVC's slice data is always CABAC,
//! so each 32x32 CU costs one context-coded bin (`part_mode` 2Nx2N) and
//! two terminate bins (`pcm_flag`, `end_of_slice_segment_flag`); the
//! arithmetic coder is flushed before each PCM block and started again
//! after it, as H.265 9.3.2.5 requires of a decoder.
//!
//! Parameters: Main profile, 8-bit 4:2:0, CTB 32 = MinCb 32 (no
//! `split_cu_flag`), PCM 32x32 at 8 bits with the loop filters off for it,
//! SAO off, deblocking off, one I slice. The picture is padded to whole
//! CTBs and cropped back by the conformance window. The VUI says BT.601
//! full range, sRGB primaries and transfer.

/// Luma size of a coding unit (and of a PCM block, and of a CTB).
pub const CU: usize = 32;

use assetui_bitstream::{escape_into, BitWriter};

/// A 4:2:0 picture in whole CTBs; `width`×`height` is the visible part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub width: usize,
    pub height: usize,
    /// Coded size: multiples of [`CU`].
    pub coded_w: usize,
    pub coded_h: usize,
    pub y: Vec<u8>,
    pub cb: Vec<u8>,
    pub cr: Vec<u8>,
}

/// NAL unit types.
pub const VPS: u8 = 32;
pub const SPS: u8 = 33;
pub const PPS: u8 = 34;
/// An IDR picture without leading pictures.
pub const IDR_N_LP: u8 = 20;

/// The profile, tier and level fields shared by the VPS, the SPS and
/// the `hvcC` box: Main profile (compatible with Main and Main 10),
/// progressive, frame only.
pub const PROFILE_IDC: u8 = 1;
pub const COMPATIBILITY: u32 = (1 << (31 - 1)) | (1 << (31 - 2));
/// progressive_source, interlaced, non_packed, frame_only, then 44 zeros.
pub const CONSTRAINT_FLAGS: [u8; 6] = [0b1001_0000, 0, 0, 0, 0, 0];

/// The lowest level whose largest picture holds `luma` samples (4, 5 or
/// 6.2), times 30 as `general_level_idc` counts it.
pub fn level_idc(luma: usize) -> u8 {
    match luma {
        0..=2_228_224 => 120,
        2_228_225..=8_912_896 => 150,
        _ => 186,
    }
}

/// `rangeTabLps` (H.265 Table 9-52, the same as H.264's).
#[rustfmt::skip]
const RANGE_TAB_LPS: [[u8; 4]; 64] = [
    [128, 176, 208, 240], [128, 167, 197, 227], [128, 158, 187, 216], [123, 150, 178, 205],
    [116, 142, 169, 195], [111, 135, 160, 185], [105, 128, 152, 175], [100, 122, 144, 166],
    [95, 116, 137, 158], [90, 110, 130, 150], [85, 104, 123, 142], [81, 99, 117, 135],
    [77, 94, 111, 128], [73, 89, 105, 122], [69, 85, 100, 116], [66, 80, 95, 110],
    [62, 76, 90, 104], [59, 72, 86, 99], [56, 69, 81, 94], [53, 65, 77, 89],
    [51, 62, 73, 85], [48, 59, 69, 80], [46, 56, 66, 76], [43, 53, 63, 72],
    [41, 50, 59, 69], [39, 48, 56, 65], [37, 45, 54, 62], [35, 43, 51, 59],
    [33, 41, 48, 56], [32, 39, 46, 53], [30, 37, 43, 50], [29, 35, 41, 48],
    [27, 33, 39, 45], [26, 31, 37, 43], [24, 30, 35, 41], [23, 28, 33, 39],
    [22, 27, 32, 37], [21, 26, 30, 35], [20, 24, 29, 33], [19, 23, 27, 31],
    [18, 22, 26, 30], [17, 21, 25, 28], [16, 20, 23, 27], [15, 19, 22, 25],
    [14, 18, 21, 24], [14, 17, 20, 23], [13, 16, 19, 22], [12, 15, 18, 21],
    [12, 14, 17, 20], [11, 14, 16, 19], [11, 13, 15, 18], [10, 12, 15, 17],
    [10, 12, 14, 16], [9, 11, 13, 15], [9, 11, 12, 14], [8, 10, 12, 14],
    [8, 9, 11, 13], [7, 9, 11, 12], [7, 9, 10, 12], [7, 8, 10, 11],
    [6, 8, 9, 11], [6, 7, 9, 10], [6, 7, 8, 9], [2, 2, 2, 2],
];

/// `transIdxLps` (H.265 Table 9-53).
#[rustfmt::skip]
const TRANS_IDX_LPS: [u8; 64] = [
    0, 0, 1, 2, 2, 4, 4, 5, 6, 7, 8, 9, 9, 11, 11, 12,
    13, 13, 15, 15, 16, 16, 18, 18, 19, 19, 21, 21, 22, 22, 23, 24,
    24, 25, 26, 26, 27, 27, 28, 29, 29, 30, 30, 30, 31, 32, 32, 33,
    33, 33, 34, 34, 35, 35, 35, 36, 36, 36, 37, 37, 37, 38, 38, 63,
];

/// A context variable: probability state and most probable symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    pub state: u8,
    pub mps: bool,
}

impl Context {
    /// H.265 9.3.2.2: the state for `init_value` at slice QP `qp`.
    pub fn new(init_value: u8, qp: i32) -> Context {
        let slope = i32::from(init_value >> 4);
        let offset = i32::from(init_value & 15);
        let (m, n) = (slope * 5 - 45, (offset << 3) - 16);
        let pre = (((m * qp.clamp(0, 51)) >> 4) + n).clamp(1, 126);
        if pre <= 63 {
            Context {
                state: (63 - pre) as u8,
                mps: false,
            }
        } else {
            Context {
                state: (pre - 64) as u8,
                mps: true,
            }
        }
    }

    /// The state after coding `bin` (H.265 9.3.4.3.2.2).
    pub fn update(&mut self, bin: bool) {
        if bin == self.mps {
            self.state = (self.state + 1).min(62);
        } else {
            if self.state == 0 {
                self.mps = !self.mps;
            }
            self.state = TRANS_IDX_LPS[self.state as usize];
        }
    }

    /// The LPS range for the current range (`rangeTabLps`).
    pub fn lps(&self, range: u32) -> u32 {
        u32::from(RANGE_TAB_LPS[self.state as usize][((range >> 6) & 3) as usize])
    }
}

/// `part_mode`'s first bin in an I slice: initValue 184 (Table 9-11).
pub const PART_MODE_INIT: u8 = 184;

/// The CABAC arithmetic encoder (the encoder of H.264 9.3.4.2, which
/// H.265's decoder mirrors), writing into a [`BitWriter`].
pub struct Cabac {
    low: u32,
    range: u32,
    outstanding: u32,
    first: bool,
}

impl Cabac {
    pub fn new() -> Cabac {
        Cabac {
            low: 0,
            range: 510,
            outstanding: 0,
            first: true,
        }
    }

    fn put(&mut self, w: &mut BitWriter, b: bool) {
        if self.first {
            self.first = false;
        } else {
            w.bit(b);
        }
        while self.outstanding > 0 {
            w.bit(!b);
            self.outstanding -= 1;
        }
    }

    fn renorm(&mut self, w: &mut BitWriter) {
        while self.range < 256 {
            if self.low < 256 {
                self.put(w, false);
            } else if self.low >= 512 {
                self.low -= 512;
                self.put(w, true);
            } else {
                self.low -= 256;
                self.outstanding += 1;
            }
            self.range <<= 1;
            self.low <<= 1;
        }
    }

    /// A context-coded bin.
    pub fn decision(&mut self, w: &mut BitWriter, ctx: &mut Context, bin: bool) {
        let lps = ctx.lps(self.range);
        self.range -= lps;
        if bin != ctx.mps {
            self.low += self.range;
            self.range = lps;
        }
        ctx.update(bin);
        self.renorm(w);
    }

    /// A bin coded before termination; a one ends the arithmetic code
    /// (flush): its last bit written is a one, and the stream is then
    /// read raw from the next bit.
    pub fn terminate(&mut self, w: &mut BitWriter, bin: bool) {
        self.range -= 2;
        if bin {
            self.low += self.range;
            self.range = 2;
            self.renorm(w);
            let b = (self.low >> 9) & 1 == 1;
            self.put(w, b);
            w.bits(u64::from(((self.low >> 7) & 3) | 1), 2);
        } else {
            self.renorm(w);
        }
    }
}

fn profile_tier_level(w: &mut BitWriter, level: u8) {
    w.bits(0, 2); // general_profile_space
    w.bit(false); // general_tier_flag: Main tier
    w.bits(u64::from(PROFILE_IDC), 5);
    w.bits(u64::from(COMPATIBILITY), 32);
    for b in CONSTRAINT_FLAGS {
        w.bits(u64::from(b), 8);
    }
    w.bits(u64::from(level), 8);
}

/// A NAL unit: the two-byte header, then the RBSP with emulation
/// prevention (`00 00` followed by a byte up to 3 gets a `03` between).
pub fn nal(kind: u8, rbsp: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rbsp.len() + rbsp.len() / 64 + 2);
    out.push(kind << 1);
    out.push(1); // nuh_layer_id 0, nuh_temporal_id_plus1 1
    escape_into(&mut out, rbsp);
    out
}

/// The video parameter set.
pub fn vps(p: &Picture) -> Vec<u8> {
    let mut w = BitWriter::new();
    w.bits(0, 4); // vps_video_parameter_set_id
    w.bit(true); // vps_base_layer_internal_flag
    w.bit(true); // vps_base_layer_available_flag
    w.bits(0, 6); // vps_max_layers_minus1
    w.bits(0, 3); // vps_max_sub_layers_minus1
    w.bit(true); // vps_temporal_id_nesting_flag
    w.bits(0xFFFF, 16); // vps_reserved_0xffff_16bits
    profile_tier_level(&mut w, level_idc(p.coded_w * p.coded_h));
    w.bit(true); // vps_sub_layer_ordering_info_present_flag
    w.ue(0); // vps_max_dec_pic_buffering_minus1
    w.ue(0); // vps_max_num_reorder_pics
    w.ue(0); // vps_max_latency_increase_plus1
    w.bits(0, 6); // vps_max_layer_id
    w.ue(0); // vps_num_layer_sets_minus1
    w.bit(false); // vps_timing_info_present_flag
    w.bit(false); // vps_extension_flag
    w.trailing();
    nal(VPS, &w.finish())
}

/// The sequence parameter set: sizes, conformance window, PCM, VUI.
pub fn sps(p: &Picture) -> Vec<u8> {
    let mut w = BitWriter::new();
    w.bits(0, 4); // sps_video_parameter_set_id
    w.bits(0, 3); // sps_max_sub_layers_minus1
    w.bit(true); // sps_temporal_id_nesting_flag
    profile_tier_level(&mut w, level_idc(p.coded_w * p.coded_h));
    w.ue(0); // sps_seq_parameter_set_id
    w.ue(1); // chroma_format_idc: 4:2:0
    w.ue(p.coded_w as u32); // pic_width_in_luma_samples
    w.ue(p.coded_h as u32); // pic_height_in_luma_samples
                            // the window counts chroma samples (2 luma): an odd size keeps one
                            // more column or row, which the HEIF `clap` box then crops
    let (right, bottom) = ((p.coded_w - p.width) / 2, (p.coded_h - p.height) / 2);
    let crop = right > 0 || bottom > 0;
    w.bit(crop); // conformance_window_flag
    if crop {
        w.ue(0);
        w.ue(right as u32);
        w.ue(0);
        w.ue(bottom as u32);
    }
    w.ue(0); // bit_depth_luma_minus8
    w.ue(0); // bit_depth_chroma_minus8
    w.ue(0); // log2_max_pic_order_cnt_lsb_minus4
    w.bit(true); // sps_sub_layer_ordering_info_present_flag
    w.ue(0); // sps_max_dec_pic_buffering_minus1
    w.ue(0); // sps_max_num_reorder_pics
    w.ue(0); // sps_max_latency_increase_plus1
    w.ue(2); // log2_min_luma_coding_block_size_minus3: 32
    w.ue(0); // log2_diff_max_min_luma_coding_block_size: CTB 32
    w.ue(0); // log2_min_luma_transform_block_size_minus2: 4
    w.ue(3); // log2_diff_max_min_luma_transform_block_size: 32
    w.ue(0); // max_transform_hierarchy_depth_inter
    w.ue(0); // max_transform_hierarchy_depth_intra
    w.bit(false); // scaling_list_enabled_flag
    w.bit(false); // amp_enabled_flag
    w.bit(false); // sample_adaptive_offset_enabled_flag
    w.bit(true); // pcm_enabled_flag
    w.bits(7, 4); // pcm_sample_bit_depth_luma_minus1: 8 bits
    w.bits(7, 4); // pcm_sample_bit_depth_chroma_minus1: 8 bits
    w.ue(2); // log2_min_pcm_luma_coding_block_size_minus3: 32
    w.ue(0); // log2_diff_max_min_pcm_luma_coding_block_size
    w.bit(true); // pcm_loop_filter_disabled_flag
    w.ue(0); // num_short_term_ref_pic_sets
    w.bit(false); // long_term_ref_pics_present_flag
    w.bit(false); // sps_temporal_mvp_enabled_flag
    w.bit(false); // strong_intra_smoothing_enabled_flag
    w.bit(true); // vui_parameters_present_flag
    w.bit(false); // aspect_ratio_info_present_flag
    w.bit(false); // overscan_info_present_flag
    w.bit(true); // video_signal_type_present_flag
    w.bits(5, 3); // video_format: unspecified
    w.bit(true); // video_full_range_flag
    w.bit(true); // colour_description_present_flag
    w.bits(u64::from(COLOUR_PRIMARIES), 8);
    w.bits(u64::from(TRANSFER), 8);
    w.bits(u64::from(MATRIX), 8);
    w.bit(false); // chroma_loc_info_present_flag
    w.bit(false); // neutral_chroma_indication_flag
    w.bit(false); // field_seq_flag
    w.bit(false); // frame_field_info_present_flag
    w.bit(false); // default_display_window_flag
    w.bit(false); // vui_timing_info_present_flag
    w.bit(false); // bitstream_restriction_flag
    w.bit(false); // sps_extension_present_flag
    w.trailing();
    nal(SPS, &w.finish())
}

/// sRGB (BT.709) primaries, the sRGB transfer, the BT.601 matrix: the
/// colour description of the VUI and of the HEIF `colr` box.
pub const COLOUR_PRIMARIES: u8 = 1;
pub const TRANSFER: u8 = 13;
pub const MATRIX: u8 = 6;

/// The picture parameter set: deblocking off, nothing else enabled.
pub fn pps() -> Vec<u8> {
    let mut w = BitWriter::new();
    w.ue(0); // pps_pic_parameter_set_id
    w.ue(0); // pps_seq_parameter_set_id
    w.bit(false); // dependent_slice_segments_enabled_flag
    w.bit(false); // output_flag_present_flag
    w.bits(0, 3); // num_extra_slice_header_bits
    w.bit(false); // sign_data_hiding_enabled_flag
    w.bit(false); // cabac_init_present_flag
    w.ue(0); // num_ref_idx_l0_default_active_minus1
    w.ue(0); // num_ref_idx_l1_default_active_minus1
    w.ue(0); // init_qp_minus26 (se(0) is the same code)
    w.bit(false); // constrained_intra_pred_flag
    w.bit(false); // transform_skip_enabled_flag
    w.bit(false); // cu_qp_delta_enabled_flag
    w.ue(0); // pps_cb_qp_offset
    w.ue(0); // pps_cr_qp_offset
    w.bit(false); // pps_slice_chroma_qp_offsets_present_flag
    w.bit(false); // weighted_pred_flag
    w.bit(false); // weighted_bipred_flag
    w.bit(false); // transquant_bypass_enabled_flag
    w.bit(false); // tiles_enabled_flag
    w.bit(false); // entropy_coding_sync_enabled_flag
    w.bit(false); // pps_loop_filter_across_slices_enabled_flag
    w.bit(true); // deblocking_filter_control_present_flag
    w.bit(false); // deblocking_filter_override_enabled_flag
    w.bit(true); // pps_deblocking_filter_disabled_flag
    w.bit(false); // pps_scaling_list_data_present_flag
    w.bit(false); // lists_modification_present_flag
    w.ue(0); // log2_parallel_merge_level_minus2
    w.bit(false); // slice_segment_header_extension_present_flag
    w.bit(false); // pps_extension_present_flag
    w.trailing();
    nal(PPS, &w.finish())
}

/// The slice QP (`26 + init_qp_minus26 + slice_qp_delta`): PCM ignores
/// it, but it sets the contexts' initial states.
pub const SLICE_QP: i32 = 26;

/// The one slice of the picture: every CTB one I_PCM coding unit.
pub fn slice(p: &Picture) -> Vec<u8> {
    let mut w = BitWriter::new();
    w.bit(true); // first_slice_segment_in_pic_flag
    w.bit(false); // no_output_of_prior_pics_flag (an IRAP picture)
    w.ue(0); // slice_pic_parameter_set_id
    w.ue(2); // slice_type: I
    w.ue(0); // slice_qp_delta (se(0))
    w.trailing(); // byte_alignment()
    let mut cabac = Cabac::new();
    let mut part_mode = Context::new(PART_MODE_INIT, SLICE_QP);
    let (cols, rows) = (p.coded_w / CU, p.coded_h / CU);
    let mut block = Vec::with_capacity(CU * CU * 3 / 2);
    for row in 0..rows {
        for col in 0..cols {
            cabac.decision(&mut w, &mut part_mode, true); // PART_2Nx2N
            cabac.terminate(&mut w, true); // pcm_flag
                                           // pcm_alignment_zero_bits, then the samples, raw
            p.pcm_block(col, row, &mut block);
            w.align_zero();
            w.bytes(&block);
            cabac = Cabac::new();
            let last = row + 1 == rows && col + 1 == cols;
            cabac.terminate(&mut w, last); // end_of_slice_segment_flag
        }
    }
    // the flush's last bit was rbsp_stop_one_bit: zeros to the boundary
    nal(IDR_N_LP, &w.finish())
}

impl Picture {
    /// The samples of one CU as `pcm_sample()` orders them: luma rows,
    /// then the Cb rows, then the Cr rows.
    fn pcm_block(&self, col: usize, row: usize, out: &mut Vec<u8>) {
        out.clear();
        let (x0, y0) = (col * CU, row * CU);
        for y in y0..y0 + CU {
            out.extend_from_slice(&self.y[y * self.coded_w + x0..][..CU]);
        }
        let (cw, c) = (self.coded_w / 2, CU / 2);
        for plane in [&self.cb, &self.cr] {
            for y in y0 / 2..y0 / 2 + c {
                out.extend_from_slice(&plane[y * cw + x0 / 2..][..c]);
            }
        }
    }
}
