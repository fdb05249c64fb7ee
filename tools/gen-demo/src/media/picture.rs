//! Picture encoders: PNG, JPEG, lossless WebP, and the animated GIF.

use std::f32::consts::TAU;

use image::codecs::gif::{GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::{Delay, ExtendedColorType, Frame, ImageEncoder, RgbaImage};

use crate::paint::canvas::Params;
use crate::paint::planet::planet_canvas;
use crate::Res;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Fmt {
    Png,
    Jpeg,
    Webp,
}

impl Fmt {
    pub fn ext(self) -> &'static str {
        match self {
            Fmt::Png => "png",
            Fmt::Jpeg => "jpg",
            Fmt::Webp => "webp",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Fmt::Png => "image/png",
            Fmt::Jpeg => "image/jpeg",
            Fmt::Webp => "image/webp",
        }
    }
}

pub fn encode(raw: &[u8], w: u32, h: u32, color: ExtendedColorType, fmt: Fmt) -> Res<Vec<u8>> {
    let mut buf = Vec::new();
    match fmt {
        Fmt::Png => {
            PngEncoder::new_with_quality(&mut buf, CompressionType::Best, FilterType::Adaptive)
                .write_image(raw, w, h, color)?
        }
        Fmt::Jpeg => JpegEncoder::new_with_quality(&mut buf, 85).encode(raw, w, h, color)?,
        Fmt::Webp => WebPEncoder::new_lossless(&mut buf).encode(raw, w, h, color)?,
    }
    Ok(buf)
}

pub fn gif_spin(p: &Params, size: u32, frames: u32) -> Res<Vec<u8>> {
    let mut buf = Vec::new();
    {
        let mut enc = GifEncoder::new_with_speed(&mut buf, 10);
        enc.set_repeat(Repeat::Infinite)?;
        for i in 0..frames {
            let spin = p.tod * TAU + i as f32 / frames as f32 * TAU;
            let rgb = planet_canvas(size, size, p, spin).into_rgb();
            let rgba = RgbaImage::from_fn(size, size, |x, y| {
                let [r, g, b] = rgb.get_pixel(x, y).0;
                image::Rgba([r, g, b, 255])
            });
            enc.encode_frame(Frame::from_parts(
                rgba,
                0,
                0,
                Delay::from_numer_denom_ms(90, 1),
            ))?;
        }
    }
    Ok(buf)
}
