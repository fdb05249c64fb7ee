//! Decoding images that did not come from us, with one set of limits.
//!
//! Every decode of outside bytes goes through here: the browser's
//! thumbnails and previews, an image typed as a search reference, the
//! demo server's uploads, renditions and embeddings. [`probe`] reads the
//! header only and refuses what is over the limits before a pixel is
//! allocated; [`Probe::decode`] then decodes. A caller that bounds memory
//! across several decodes (the browser's image pipeline) reads
//! [`Probe::decoded_bytes`] first and waits for that much budget.
//!
//! The figures are one [`Limits`] value, [`LIMITS`]; what differs between
//! uses is a named field of it, chosen by a [`Purpose`].

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use image::{ColorType, DynamicImage, ImageDecoder, ImageFormat, ImageReader};

/// The limits of every decode of outside bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest width or height, in pixels, for any purpose.
    pub max_side: u32,
    /// Most pixels (width × height) of an image decoded as input: a search
    /// reference, an upload, a conversion or an embedding.
    pub max_pixels: u64,
    /// Most bytes the decoded input image may take.
    pub max_alloc: u64,
    /// Largest encoded input, in bytes (a local file sent by value).
    pub max_input_bytes: u64,
    /// Most pixels of a rendition drawn in the terminal (thumbnail or
    /// preview): far fewer than input, as it is only shrunk to a few
    /// hundred cells and several decode at once.
    pub render_max_pixels: u64,
    /// Most bytes one decoded rendition may take.
    pub render_max_alloc: u64,
    /// Largest encoded rendition fetched, in bytes.
    pub render_max_input_bytes: u64,
    /// Most bytes of decoded renditions (and their working copies) in
    /// memory at once, across all decode slots: at least what an 8-bit
    /// RGBA rendition at the limits costs with its resizing copy
    /// ([`render_max_alloc`](Self::render_max_alloc) plus an 8-bit RGBA
    /// copy of [`render_max_pixels`](Self::render_max_pixels)). A rendition
    /// costing more (a few layouts can) waits until nothing else decodes.
    pub render_in_flight_bytes: u64,
}

const MIB: u64 = 1024 * 1024;

/// The one set of decode limits.
pub const LIMITS: Limits = Limits {
    max_side: 16_384,
    max_pixels: 8192 * 8192,
    max_alloc: 256 * MIB,
    max_input_bytes: 64 * MIB,
    render_max_pixels: 4096 * 4096,
    render_max_alloc: 64 * MIB,
    render_max_input_bytes: 32 * MIB,
    render_in_flight_bytes: 128 * MIB,
};

// An 8-bit RGBA rendition at the limits, with its resizing copy, fits the
// in-flight budget, and the render limits are within the input limits:
// checked at compile time.
const _: () = {
    let caps = LIMITS.caps(Purpose::Render);
    assert!(caps.max_alloc + caps.max_pixels * 4 <= LIMITS.render_in_flight_bytes);
    assert!(LIMITS.render_max_pixels <= LIMITS.max_pixels);
    assert!(LIMITS.render_max_alloc <= LIMITS.max_alloc);
    assert!(LIMITS.render_max_input_bytes <= LIMITS.max_input_bytes);
};

/// What an image is decoded for; it selects the figures of [`LIMITS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Input kept or analysed whole: a search reference, an upload, a
    /// server-side rendition, conversion or embedding.
    Input,
    /// A thumbnail or preview drawn in the terminal.
    Render,
}

/// The figures that apply to one purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    pub max_side: u32,
    pub max_pixels: u64,
    pub max_alloc: u64,
    pub max_input_bytes: u64,
}

impl Limits {
    pub const fn caps(&self, purpose: Purpose) -> Caps {
        match purpose {
            Purpose::Input => Caps {
                max_side: self.max_side,
                max_pixels: self.max_pixels,
                max_alloc: self.max_alloc,
                max_input_bytes: self.max_input_bytes,
            },
            Purpose::Render => Caps {
                max_side: self.max_side,
                max_pixels: self.render_max_pixels,
                max_alloc: self.render_max_alloc,
                max_input_bytes: self.render_max_input_bytes,
            },
        }
    }
}

impl Caps {
    /// The image crate's limits: its decoders check the side and bound
    /// their own allocations with these.
    fn image_limits(&self) -> image::Limits {
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(self.max_side);
        limits.max_image_height = Some(self.max_side);
        limits.max_alloc = Some(self.max_alloc);
        limits
    }

    /// "16384×16384 pixels, 16 Mpx, 64 MiB"
    fn describe(&self) -> String {
        format!(
            "{side}×{side} pixels, {mpx} megapixels, {mib} MiB",
            side = self.max_side,
            mpx = self.max_pixels / 1_000_000,
            mib = self.max_alloc / MIB
        )
    }
}

/// Why bytes did not decode. The messages name the format and say what
/// was wrong, never more than that (no bytes of the file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("not an image: the file is empty")]
    Empty,
    #[error("not an image (unrecognized file format)")]
    NotAnImage,
    /// Refused from the header, before decoding.
    #[error("{format} image over the decode limits ({why}; limits: {limits})")]
    OverLimits {
        format: &'static str,
        why: String,
        limits: String,
    },
    #[error("truncated {0} file")]
    Truncated(&'static str),
    #[error("{0}")]
    Invalid(String),
}

#[cfg(test)]
impl DecodeError {
    fn is_over_limits(&self) -> bool {
        matches!(self, DecodeError::OverLimits { .. })
    }
}

/// An image whose header was read and found within the limits.
pub struct Probe<'a> {
    decoder: Box<dyn ImageDecoder + 'a>,
    format: ImageFormat,
}

impl std::fmt::Debug for Probe<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Probe")
            .field("format", &self.format)
            .field("dimensions", &self.dimensions())
            .field("color", &self.color_type())
            .finish()
    }
}

impl<'a> Probe<'a> {
    pub fn format(&self) -> ImageFormat {
        self.format
    }

    pub fn dimensions(&self) -> (u32, u32) {
        self.decoder.dimensions()
    }

    pub fn color_type(&self) -> ColorType {
        self.decoder.color_type()
    }

    /// Bytes of the decoded picture, as the header declares it.
    pub fn decoded_bytes(&self) -> u64 {
        self.decoder.total_bytes()
    }

    /// Decodes the picture. Never panics on bad input.
    pub fn decode(self) -> Result<DynamicImage, DecodeError> {
        let name = format_name(self.format);
        let decoder = self.decoder;
        // decoders are not supposed to panic on hostile input; if one does,
        // it is a decoding error, not the end of the program
        catch_unwind(AssertUnwindSafe(move || {
            DynamicImage::from_decoder(decoder)
        }))
        .map_err(|_| DecodeError::Invalid(format!("the {name} decoder failed")))?
        .map_err(|e| decode_error(name, e, None))
    }
}

/// Reads the header of `bytes` (the format sniffed from its content) and
/// checks it against the limits of `purpose`: input size, sides, pixels,
/// decoded bytes. Nothing of the picture is decoded yet.
pub fn probe(bytes: &[u8], purpose: Purpose) -> Result<Probe<'_>, DecodeError> {
    let caps = LIMITS.caps(purpose);
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let format = image::guess_format(bytes).map_err(|_| DecodeError::NotAnImage)?;
    let name = format_name(format);
    let over = |why: String| DecodeError::OverLimits {
        format: name,
        why,
        limits: caps.describe(),
    };
    if bytes.len() as u64 > caps.max_input_bytes {
        return Err(over(format!(
            "the file is larger than {} MiB",
            caps.max_input_bytes / MIB
        )));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(caps.image_limits());
    let decoder = catch_unwind(AssertUnwindSafe(move || reader.into_decoder()))
        .map_err(|_| DecodeError::Invalid(format!("the {name} decoder failed")))?
        .map_err(|e| decode_error(name, e, Some(&caps)))?;
    let decoder: Box<dyn ImageDecoder + '_> = Box::new(decoder);
    let (w, h) = decoder.dimensions();
    if w > caps.max_side || h > caps.max_side {
        return Err(over(format!("{w}×{h} pixels")));
    }
    let pixels = u64::from(w) * u64::from(h);
    if pixels > caps.max_pixels {
        return Err(over(format!("{w}×{h} pixels")));
    }
    let decoded = decoder.total_bytes();
    if decoded > caps.max_alloc {
        return Err(over(format!(
            "{w}×{h} pixels would take {} MiB",
            decoded.div_ceil(MIB)
        )));
    }
    Ok(Probe { decoder, format })
}

/// [`probe`], then [`Probe::decode`].
pub fn decode(bytes: &[u8], purpose: Purpose) -> Result<DynamicImage, DecodeError> {
    probe(bytes, purpose)?.decode()
}

fn decode_error(name: &'static str, e: image::ImageError, caps: Option<&Caps>) -> DecodeError {
    use image::ImageError as E;
    match e {
        E::Limits(l) => DecodeError::OverLimits {
            format: name,
            why: l.to_string(),
            limits: caps
                .copied()
                .unwrap_or(LIMITS.caps(Purpose::Input))
                .describe(),
        },
        E::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            DecodeError::Truncated(name)
        }
        E::IoError(io) => DecodeError::Invalid(format!("cannot read the {name} image: {io}")),
        E::Unsupported(u) => DecodeError::Invalid(format!("unsupported {name} image: {u}")),
        E::Decoding(d) => DecodeError::Invalid(format!("truncated or corrupt {name} image: {d}")),
        E::Parameter(p) => DecodeError::Invalid(format!("invalid {name} image: {p}")),
        E::Encoding(x) => DecodeError::Invalid(format!("invalid {name} image: {x}")),
    }
}

/// The name of a format in messages.
pub fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "PNG",
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::WebP => "WebP",
        ImageFormat::Gif => "GIF",
        ImageFormat::Bmp => "BMP",
        ImageFormat::Tiff => "TIFF",
        ImageFormat::Avif => "AVIF",
        ImageFormat::Ico => "ICO",
        _ => "image",
    }
}

/// Forged headers for tests (here and in the crates that decode): valid
/// files whose only hostile part is the size they declare.
#[doc(hidden)]
pub mod forged {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        out
    }

    /// A PNG declaring `w`×`h` pixels of colour type `color` (2 RGB, 6
    /// RGBA) and `depth` bits, with valid CRCs and an empty image stream.
    pub fn png(w: u32, h: u32, depth: u8, color: u8) -> Vec<u8> {
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&w.to_be_bytes());
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[depth, color, 0, 0, 0]); // deflate, no interlace
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &ihdr));
        // an empty zlib stream
        png.extend(chunk(
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        ));
        png.extend(chunk(b"IEND", &[]));
        png
    }

    /// A baseline JPEG declaring `w`×`h` 8-bit YCbCr pixels: quantization
    /// and Huffman tables, a frame header, a scan header, and no data.
    pub fn jpeg(w: u16, h: u16) -> Vec<u8> {
        let mut out = vec![0xff, 0xd8];
        // DQT: table 0, all ones
        out.extend_from_slice(&[0xff, 0xdb, 0x00, 0x43, 0x00]);
        out.extend_from_slice(&[1u8; 64]);
        // DHT: DC table 0 and AC table 0, one code of length 1 each
        for class in [0x00u8, 0x10] {
            out.extend_from_slice(&[0xff, 0xc4, 0x00, 0x14, class]);
            let mut counts = [0u8; 16];
            counts[0] = 1;
            out.extend_from_slice(&counts);
            out.push(0);
        }
        // SOF0
        out.extend_from_slice(&[0xff, 0xc0, 0x00, 0x11, 0x08]);
        out.extend_from_slice(&h.to_be_bytes());
        out.extend_from_slice(&w.to_be_bytes());
        out.push(3);
        for id in 1..=3u8 {
            out.extend_from_slice(&[id, 0x11, 0x00]);
        }
        // SOS
        out.extend_from_slice(&[0xff, 0xda, 0x00, 0x0c, 0x03]);
        for id in 1..=3u8 {
            out.extend_from_slice(&[id, 0x00]);
        }
        out.extend_from_slice(&[0x00, 0x3f, 0x00]);
        out.extend_from_slice(&[0xff, 0xd9]);
        out
    }

    /// A lossless WebP declaring `w`×`h` RGBA pixels (1..=16384 each),
    /// with no image data after the header.
    pub fn webp(w: u32, h: u32) -> Vec<u8> {
        let bits: u32 = (w - 1) | ((h - 1) << 14) | (1 << 28);
        let mut vp8l = vec![0x2f];
        vp8l.extend_from_slice(&bits.to_le_bytes());
        vp8l.extend_from_slice(&[0u8; 3]);
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&(4 + 8 + vp8l.len() as u32).to_le_bytes());
        out.extend_from_slice(b"WEBPVP8L");
        out.extend_from_slice(&(vp8l.len() as u32).to_le_bytes());
        out.extend_from_slice(&vp8l);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header's size and decoded bytes, or why it was refused.
    fn head(bytes: &[u8], purpose: Purpose) -> Result<((u32, u32), u64), DecodeError> {
        probe(bytes, purpose).map(|p| (p.dimensions(), p.decoded_bytes()))
    }

    fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn forged_headers_are_read_as_their_declared_size() {
        // the forged files are well-formed up to the pixel data: their
        // declared size is what the decoder sees
        let r = Purpose::Render;
        assert_eq!(head(&forged::png(3, 2, 8, 6), r).unwrap(), ((3, 2), 24));
        assert_eq!(head(&forged::jpeg(40, 30), r).unwrap(), ((40, 30), 3600));
        assert_eq!(head(&forged::webp(50, 20), r).unwrap(), ((50, 20), 4000));
    }

    /// The bomb of issue 20: a small file that claims 8192×8192 pixels,
    /// within the side limit. As a rendition it is refused from its header
    /// (old limits: decoded, 256 MiB per decode slot).
    #[test]
    fn bombs_within_the_side_limit_are_refused_as_renditions() {
        let bombs = [
            ("PNG", forged::png(8192, 8192, 8, 6)),
            ("JPEG", forged::jpeg(8000, 8000)),
            ("WebP", forged::webp(8000, 8000)),
        ];
        for (name, bytes) in bombs {
            let err = probe(&bytes, Purpose::Render).unwrap_err();
            assert!(err.is_over_limits(), "{name}: {err}");
            let msg = err.to_string();
            assert!(msg.contains(name) && msg.contains("limits"), "{msg}");
            // and decode() refuses the same way, before allocating
            assert!(decode(&bytes, Purpose::Render)
                .unwrap_err()
                .is_over_limits());
        }
    }

    #[test]
    fn a_render_within_pixels_but_over_bytes_is_refused() {
        // 4096×4096 16-bit RGBA: 16 Mpx, but 128 MiB
        let err = probe(&forged::png(4096, 4096, 16, 6), Purpose::Render).unwrap_err();
        assert!(err.is_over_limits(), "{err}");
        // 4096×4096 8-bit RGBA: 64 MiB, within
        let (_, bytes) = head(&forged::png(4096, 4096, 8, 6), Purpose::Render).unwrap();
        assert_eq!(bytes, 64 * MIB);
    }

    #[test]
    fn input_limits_are_wider_than_render_limits() {
        // the same header is fine as input (64 Mpx, 256 MiB)...
        let (_, bytes) = head(&forged::png(8192, 8192, 8, 6), Purpose::Input).unwrap();
        assert_eq!(bytes, 256 * MIB);
        // ...but not past the side, the pixels or the bytes
        for bytes in [
            forged::png(16_385, 1, 8, 6),
            forged::png(100_000, 100_000, 8, 6),
            forged::png(16_000, 16_000, 8, 6),
            forged::png(8192, 8192, 16, 6),
        ] {
            assert!(probe(&bytes, Purpose::Input).unwrap_err().is_over_limits());
        }
        // a long strip within the side limit is fine for both
        probe(&forged::png(16_384, 2, 8, 6), Purpose::Input).unwrap();
        probe(&forged::png(16_384, 2, 8, 6), Purpose::Render).unwrap();
    }

    #[test]
    fn input_over_the_byte_limit_is_refused_before_decoding() {
        let mut big = forged::png(1, 1, 8, 6);
        big.resize(LIMITS.render_max_input_bytes as usize + 1, 0);
        assert!(probe(&big, Purpose::Render).unwrap_err().is_over_limits());
        // as input the same bytes are read (and are a 1×1 picture)
        assert_eq!(head(&big, Purpose::Input).unwrap().0, (1, 1));
    }

    #[test]
    fn empty_text_and_truncated_files_are_errors() {
        assert_eq!(decode(b"", Purpose::Input).unwrap_err(), DecodeError::Empty);
        assert_eq!(
            decode(b"<html>403</html>", Purpose::Input).unwrap_err(),
            DecodeError::NotAnImage
        );
        let png = encode(&DynamicImage::new_rgb8(64, 64), ImageFormat::Png);
        let err = decode(&png[..png.len() / 2], Purpose::Render).unwrap_err();
        assert!(err.to_string().contains("PNG"), "{err}");
        // a forged header with no pixel data is a decode error, not a panic
        let err = decode(&forged::png(4, 4, 8, 6), Purpose::Render).unwrap_err();
        assert!(!err.is_over_limits(), "{err}");
    }

    #[test]
    fn real_images_decode() {
        for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
            let bytes = encode(&DynamicImage::new_rgb8(30, 20), format);
            let img = decode(&bytes, Purpose::Render).unwrap();
            assert_eq!((img.width(), img.height()), (30, 20), "{format:?}");
        }
    }
}
