//! HEIF (ISO/IEC 23008-12) still images: one `hvc1` item holding the
//! picture from [`super::hevc`] (I_PCM coding units: near-lossless, only
//! the 4:2:0 chroma subsampling and 8-bit YCbCr rounding lose anything).
//!
//! Boxes: `ftyp` (`heic`; `mif1`, `heic`), `meta` (`hdlr` pict, `pitm`,
//! `iinf`/`infe` hvc1, `iloc`, `iprp`: `ipco` with `hvcC`, `ispe`, `colr`
//! nclx (sRGB primaries and transfer, BT.601 matrix, full range) and, for
//! an odd width or height, `clap`; `ipma`), then `mdat` with the slice as
//! a length-prefixed NAL unit. The parameter sets live in `hvcC`.
//!
//! Alpha is dropped (an alpha plane would be an auxiliary image in a
//! profile other than Main), as the JPEG conversion drops it. PCM is
//! uncompressed (1.5 bytes a pixel): a picture larger than [`MAX_SIDE`]
//! on a side is scaled down to fit first, so a file stays under 24 MiB.
//!
//! Checked with real decoders (commands in the crate's tests' comments
//! and the report): `heif-convert` (libheif 1.15 with libde265) and
//! ffmpeg's HEVC decoder on the raw stream.

use image::RgbImage;

use super::hevc::{self, Picture, CU};

/// The longest side written (larger pictures are scaled to fit).
pub const MAX_SIDE: u32 = 4096;
pub const MIME: &str = "image/heif";

/// Full-range BT.601 YCbCr of an sRGB picture, padded to whole CTBs by
/// repeating the last column and row, chroma averaged over 2x2.
pub fn picture(img: &RgbImage) -> Picture {
    let (width, height) = (img.width() as usize, img.height() as usize);
    let (coded_w, coded_h) = (
        width.div_ceil(CU).max(1) * CU,
        height.div_ceil(CU).max(1) * CU,
    );
    let px = |x: usize, y: usize| {
        let p = img
            .get_pixel(x.min(width - 1) as u32, y.min(height - 1) as u32)
            .0;
        p.map(f32::from)
    };
    let clamp = |v: f32| v.round().clamp(0.0, 255.0) as u8;
    let mut y = vec![0u8; coded_w * coded_h];
    for row in 0..coded_h {
        for col in 0..coded_w {
            let [r, g, b] = px(col, row);
            y[row * coded_w + col] = clamp(0.299 * r + 0.587 * g + 0.114 * b);
        }
    }
    let (cw, ch) = (coded_w / 2, coded_h / 2);
    let (mut cb, mut cr) = (vec![0u8; cw * ch], vec![0u8; cw * ch]);
    for row in 0..ch {
        for col in 0..cw {
            let mut s = [0f32; 3];
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let p = px(col * 2 + dx, row * 2 + dy);
                for k in 0..3 {
                    s[k] += p[k] / 4.0;
                }
            }
            let [r, g, b] = s;
            cb[row * cw + col] = clamp(128.0 - 0.168_736 * r - 0.331_264 * g + 0.5 * b);
            cr[row * cw + col] = clamp(128.0 + 0.5 * r - 0.418_688 * g - 0.081_312 * b);
        }
    }
    Picture {
        width,
        height,
        coded_w,
        coded_h,
        y,
        cb,
        cr,
    }
}

/// An ISOBMFF box.
fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(&((body.len() + 8) as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

/// A full box: version and flags first.
fn full(kind: &[u8; 4], version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
    let mut b = vec![version];
    b.extend_from_slice(&flags.to_be_bytes()[1..]);
    b.extend_from_slice(body);
    boxed(kind, &b)
}

/// The HEVC decoder configuration record with the parameter sets.
fn hvcc(p: &Picture, sets: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut b = vec![1]; // configurationVersion
    b.push(hevc::PROFILE_IDC); // profile space 0, tier 0, profile idc
    b.extend_from_slice(&hevc::COMPATIBILITY.to_be_bytes());
    b.extend_from_slice(&hevc::CONSTRAINT_FLAGS);
    b.push(hevc::level_idc(p.coded_w * p.coded_h));
    b.extend_from_slice(&0xF000u16.to_be_bytes()); // min_spatial_segmentation_idc 0
    b.push(0xFC); // parallelismType 0
    b.push(0xFC | 1); // chroma_format_idc 1
    b.push(0xF8); // bit_depth_luma_minus8 0
    b.push(0xF8); // bit_depth_chroma_minus8 0
    b.extend_from_slice(&0u16.to_be_bytes()); // avgFrameRate
                                              // constantFrameRate 0, numTemporalLayers 1, temporalIdNested 1,
                                              // lengthSizeMinusOne 3
    b.push(0b0000_1111);
    b.push(sets.len() as u8);
    for (kind, unit) in sets {
        b.push(0x80 | kind); // array_completeness 1
        b.extend_from_slice(&1u16.to_be_bytes());
        b.extend_from_slice(&(unit.len() as u16).to_be_bytes());
        b.extend_from_slice(unit);
    }
    boxed(b"hvcC", &b)
}

/// The HEIF file of `img` (the caller fits it in [`MAX_SIDE`] first).
pub fn encode(img: &RgbImage) -> Vec<u8> {
    let p = picture(img);
    let sets = [
        (hevc::VPS, hevc::vps(&p)),
        (hevc::SPS, hevc::sps(&p)),
        (hevc::PPS, hevc::pps()),
    ];
    let slice = hevc::slice(&p);
    let mut mdat_body = Vec::with_capacity(slice.len() + 4);
    mdat_body.extend_from_slice(&(slice.len() as u32).to_be_bytes());
    mdat_body.extend_from_slice(&slice);

    let (w, h) = (p.width as u32, p.height as u32);
    // the decoded picture is even-sized: an odd side is cropped by `clap`
    let (dw, dh) = (w.next_multiple_of(2), h.next_multiple_of(2));
    let mut ispe = Vec::new();
    ispe.extend_from_slice(&dw.to_be_bytes());
    ispe.extend_from_slice(&dh.to_be_bytes());
    let mut colr = b"nclx".to_vec();
    colr.extend_from_slice(&u16::from(hevc::COLOUR_PRIMARIES).to_be_bytes());
    colr.extend_from_slice(&u16::from(hevc::TRANSFER).to_be_bytes());
    colr.extend_from_slice(&u16::from(hevc::MATRIX).to_be_bytes());
    colr.push(0x80); // full_range_flag
    let mut ipco = hvcc(&p, &sets);
    ipco.extend(full(b"ispe", 0, 0, &ispe));
    ipco.extend(boxed(b"colr", &colr));
    // property indices (1-based), essential flag on what must be understood
    let mut assoc = vec![0x80 | 1, 2, 3];
    if (w, h) != (dw, dh) {
        // clean aperture: w×h centred at an offset of -(dw-w)/2 from the
        // centre, so the first columns and rows stay
        let mut clap = Vec::new();
        let (cw, ch) = (w as i32, h as i32);
        let (ow, oh) = (cw - dw as i32, ch - dh as i32);
        for v in [cw, 1, ch, 1, ow, 2, oh, 2] {
            clap.extend_from_slice(&v.to_be_bytes());
        }
        ipco.extend(boxed(b"clap", &clap));
        assoc.push(0x80 | 4);
    }
    let mut ipma = Vec::new();
    ipma.extend_from_slice(&1u32.to_be_bytes()); // entry_count
    ipma.extend_from_slice(&1u16.to_be_bytes()); // item_ID
    ipma.push(assoc.len() as u8);
    ipma.extend_from_slice(&assoc);
    let mut iprp = boxed(b"ipco", &ipco);
    iprp.extend(full(b"ipma", 0, 0, &ipma));

    let mut hdlr = vec![0u8; 4];
    hdlr.extend_from_slice(b"pict");
    hdlr.extend_from_slice(&[0u8; 12]);
    hdlr.push(0); // name: empty
    let mut infe = Vec::new();
    infe.extend_from_slice(&1u16.to_be_bytes()); // item_ID
    infe.extend_from_slice(&0u16.to_be_bytes()); // item_protection_index
    infe.extend_from_slice(b"hvc1");
    infe.push(0); // item_name: empty
    let mut iinf = 1u16.to_be_bytes().to_vec();
    iinf.extend(full(b"infe", 2, 0, &infe));

    let ftyp = {
        let mut b = b"heic".to_vec();
        b.extend_from_slice(&0u32.to_be_bytes());
        b.extend_from_slice(b"mif1heic");
        boxed(b"ftyp", &b)
    };
    // iloc points into mdat: its size does not depend on the offset
    let meta_with = |offset: u32| {
        let mut iloc = vec![0x44, 0x00]; // offset_size 4, length_size 4, base 0
        iloc.extend_from_slice(&1u16.to_be_bytes()); // item_count
        iloc.extend_from_slice(&1u16.to_be_bytes()); // item_ID
        iloc.extend_from_slice(&0u16.to_be_bytes()); // data_reference_index
        iloc.extend_from_slice(&1u16.to_be_bytes()); // extent_count
        iloc.extend_from_slice(&offset.to_be_bytes());
        iloc.extend_from_slice(&(mdat_body.len() as u32).to_be_bytes());
        let mut body = full(b"hdlr", 0, 0, &hdlr);
        body.extend(full(b"pitm", 0, 0, &1u16.to_be_bytes()));
        body.extend(full(b"iinf", 0, 0, &iinf));
        body.extend(full(b"iloc", 0, 0, &iloc));
        body.extend(boxed(b"iprp", &iprp));
        full(b"meta", 0, 0, &body)
    };
    let meta_len = meta_with(0).len();
    let meta = meta_with((ftyp.len() + meta_len + 8) as u32);
    let mut out = ftyp;
    out.extend(meta);
    out.extend(boxed(b"mdat", &mdat_body));
    out
}
