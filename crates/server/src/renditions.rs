//! Renditions of an asset's file: the original, a thumbnail (at most 256
//! px), a preview (at most 1024 px) and format conversions for downloads.
//! Derived renditions are computed off the async threads and kept in a
//! byte-bounded cache.

use std::collections::{HashMap, VecDeque};
use std::io::Cursor;
use std::sync::Mutex;

use bytes::Bytes;
use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
use sha2::{Digest, Sha256};

use super::library::FileRef;
use super::synth;
use assetui_api::imaging::{self, Purpose};

pub const THUMBNAIL_SIDE: u32 = 256;
pub const PREVIEW_SIDE: u32 = 1024;

/// Formats an image download can be converted to (`targetFormat`): every
/// documented one (`svg` wraps the PNG, `heif` is written by
/// `convert::heif`, `avif` by rav1e through `ravif`). Anything else
/// (`bmp`) is not a documented format and is refused as the API refuses it.
pub const IMAGE_TARGETS: &[&str] = &[
    "png", "jpeg", "jpg", "webp", "gif", "tif", "tiff", "svg", "heif", "avif",
];

/// The largest side of an AVIF conversion (a larger picture is scaled
/// down): rav1e at its fastest speed takes about a second for 1024×1024.
pub const AVIF_MAX_SIDE: u32 = 2048;

/// Formats a 3D model (stored as binary glTF) can be converted to.
pub const MODEL_TARGETS: &[&str] = &["obj", "fbx"];

/// Which rendition of a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Variant {
    Original,
    Thumbnail,
    Preview,
    /// A download converted to this format (lower-case extension).
    Format(String),
}

impl Variant {
    /// The path segment used in file URLs.
    pub fn segment(&self) -> String {
        match self {
            Variant::Original => "original".into(),
            Variant::Thumbnail => "thumbnail".into(),
            Variant::Preview => "preview".into(),
            Variant::Format(f) => format!("as-{f}"),
        }
    }

    pub fn parse(segment: &str) -> Option<Variant> {
        match segment {
            "original" => Some(Variant::Original),
            "thumbnail" => Some(Variant::Thumbnail),
            "preview" => Some(Variant::Preview),
            s => s
                .strip_prefix("as-")
                .filter(|f| {
                    IMAGE_TARGETS.contains(f)
                        || MODEL_TARGETS.contains(f)
                        || matches!(*f, "glb" | "wav" | "gif" | "mp3" | "mp4")
                })
                .map(|f| Variant::Format(f.to_string())),
        }
    }
}

/// Bytes ready to serve.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub bytes: Bytes,
    pub mime: String,
    pub etag: String,
}

impl Rendered {
    pub fn new(bytes: Bytes, mime: impl Into<String>) -> Rendered {
        let digest = Sha256::digest(&bytes);
        let etag = format!(
            "\"{}\"",
            digest[..12]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        Rendered {
            bytes,
            mime: mime.into(),
            etag,
        }
    }
}

/// The raw bytes behind a record.
pub fn original(file: &FileRef, mime: &str) -> Rendered {
    match file {
        FileRef::Static(b) => Rendered::new(Bytes::from_static(b), mime),
        FileRef::Blob(b) => Rendered::new(b.clone(), mime),
        FileRef::Synthetic {
            seed,
            family,
            width,
            height,
        } => {
            let img = synth::render(*seed, *family, *width, *height);
            let (bytes, mime) = encode(&DynamicImage::ImageRgb8(img), "jpeg").unwrap_or_default();
            Rendered::new(bytes, mime)
        }
        // Whole when small enough for memory; else its first block (enough
        // for an icon). The file itself is streamed by `routes::files`.
        FileRef::Generated(f) => {
            let generation = f.generation();
            if f.size <= super::generated::MAX_IN_ARCHIVE {
                Rendered::new(f.bytes(generation), mime)
            } else {
                let mut head = vec![0u8; super::generated::BLOCK as usize];
                super::generated::fill(f.seed, generation, 0, &mut head);
                Rendered::new(Bytes::from(head), mime)
            }
        }
    }
}

/// Computes a derived rendition. Blocking: call from a blocking thread.
pub fn derive(original: &Rendered, kind: &str, variant: &Variant) -> Result<Rendered, String> {
    match variant {
        Variant::Original => Ok(original.clone()),
        Variant::Thumbnail | Variant::Preview => {
            let side = if *variant == Variant::Thumbnail {
                THUMBNAIL_SIDE
            } else {
                PREVIEW_SIDE
            };
            let img = match decode(&original.bytes) {
                Ok(img) => img,
                Err(_) => DynamicImage::ImageRgba8(icon(kind, &original.bytes)),
            };
            let small = fit(&img, side);
            let format = if small.color().has_alpha() {
                "png"
            } else {
                "jpeg"
            };
            let (bytes, mime) = encode(&small, format)?;
            Ok(Rendered::new(bytes, mime))
        }
        Variant::Format(f) if kind == "3d" && MODEL_TARGETS.contains(&f.as_str()) => {
            let (bytes, mime) = crate::convert::model(&original.bytes, f)?;
            Ok(Rendered::new(Bytes::from(bytes), mime))
        }
        Variant::Format(f) => {
            let img = decode(&original.bytes)
                .map_err(|_| format!("this {kind} asset cannot be converted to {f}"))?;
            let (bytes, mime) = encode(&img, f)?;
            Ok(Rendered::new(bytes, mime))
        }
    }
}

/// Decodes with the input limits of [`imaging::LIMITS`]: a hostile header
/// is refused before allocation.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, String> {
    imaging::decode(bytes, Purpose::Input).map_err(|e| e.to_string())
}

/// Scales down (never up) to fit a `side`×`side` box.
pub fn fit(img: &DynamicImage, side: u32) -> DynamicImage {
    if img.width() <= side && img.height() <= side {
        return img.clone();
    }
    let scale = f64::from(side) / f64::from(img.width().max(img.height()));
    let w = ((f64::from(img.width()) * scale).round() as u32).max(1);
    let h = ((f64::from(img.height()) * scale).round() as u32).max(1);
    resize(img, w, h)
}

/// Fast resize (SIMD convolution), falling back to the image crate.
fn resize(img: &DynamicImage, w: u32, h: u32) -> DynamicImage {
    use fast_image_resize::{images::Image, ResizeAlg, ResizeOptions, Resizer};
    let src = if img.color().has_alpha() {
        DynamicImage::ImageRgba8(img.to_rgba8())
    } else {
        DynamicImage::ImageRgb8(img.to_rgb8())
    };
    let mut dst = Image::new(w, h, fast_image_resize::PixelType::U8x3);
    if src.color().has_alpha() {
        dst = Image::new(w, h, fast_image_resize::PixelType::U8x4);
    }
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(
        fast_image_resize::FilterType::Bilinear,
    ));
    match Resizer::new().resize(&src, &mut dst, &options) {
        Ok(()) => {
            let raw = dst.into_vec();
            let out = if src.color().has_alpha() {
                RgbaImage::from_raw(w, h, raw).map(DynamicImage::ImageRgba8)
            } else {
                image::RgbImage::from_raw(w, h, raw).map(DynamicImage::ImageRgb8)
            };
            out.unwrap_or_else(|| img.resize_exact(w, h, image::imageops::FilterType::Triangle))
        }
        Err(_) => img.resize_exact(w, h, image::imageops::FilterType::Triangle),
    }
}

/// Encodes into a format by its extension; returns the bytes and MIME type.
pub fn encode(img: &DynamicImage, format: &str) -> Result<(Bytes, String), String> {
    let (fmt, mime) = match format {
        "png" => (ImageFormat::Png, "image/png"),
        "jpeg" | "jpg" => (ImageFormat::Jpeg, "image/jpeg"),
        "webp" => (ImageFormat::WebP, "image/webp"),
        "gif" => (ImageFormat::Gif, "image/gif"),
        "tif" | "tiff" => (ImageFormat::Tiff, "image/tiff"),
        "bmp" => (ImageFormat::Bmp, "image/bmp"),
        "heif" => {
            let fitted = fit(img, crate::convert::heif::MAX_SIDE);
            let bytes = crate::convert::heif::encode(&fitted.to_rgb8());
            return Ok((Bytes::from(bytes), crate::convert::heif::MIME.to_string()));
        }
        "avif" => {
            let fitted = fit(img, AVIF_MAX_SIDE).to_rgba8();
            let (w, h) = (fitted.width() as usize, fitted.height() as usize);
            let pixels: Vec<ravif::RGBA8> = fitted
                .pixels()
                .map(|p| ravif::RGBA8::new(p[0], p[1], p[2], p[3]))
                .collect();
            let encoded = ravif::Encoder::new()
                .with_quality(80.0)
                .with_speed(10)
                .encode_rgba(ravif::Img::new(&pixels[..], w, h))
                .map_err(|e| format!("cannot encode avif: {e}"))?;
            return Ok((Bytes::from(encoded.avif_file), "image/avif".to_string()));
        }
        "svg" => {
            // a vector file holding the picture: the PNG, embedded
            use base64::Engine as _;
            let (png, _) = encode(img, "png")?;
            let data = base64::engine::general_purpose::STANDARD.encode(&png);
            let (w, h) = (img.width(), img.height());
            let svg = format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
                 viewBox=\"0 0 {w} {h}\"><image width=\"{w}\" height=\"{h}\" \
                 href=\"data:image/png;base64,{data}\"/></svg>\n"
            );
            return Ok((Bytes::from(svg), "image/svg+xml".to_string()));
        }
        other => return Err(format!("cannot encode {other}")),
    };
    let img = match fmt {
        ImageFormat::Jpeg => DynamicImage::ImageRgb8(img.to_rgb8()),
        ImageFormat::WebP | ImageFormat::Gif => DynamicImage::ImageRgba8(img.to_rgba8()),
        _ => img.clone(),
    };
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, fmt)
        .map_err(|e| format!("cannot encode {format}: {e}"))?;
    Ok((Bytes::from(out.into_inner()), mime.to_string()))
}

/// A picture for files that are not images: the waveform of a sound, a
/// wireframe cube for a 3D model, a generic document otherwise.
fn icon(kind: &str, bytes: &[u8]) -> RgbaImage {
    let (w, h) = (512u32, 512u32);
    let mut img = RgbaImage::from_pixel(w, h, Rgba([24, 26, 34, 255]));
    let accent = match kind {
        "audio" => Rgba([255, 170, 60, 255]),
        "3d" => Rgba([90, 200, 255, 255]),
        _ => Rgba([180, 180, 190, 255]),
    };
    match kind {
        "audio" => draw_waveform(&mut img, bytes, accent),
        "3d" => draw_cube(&mut img, accent),
        _ => {
            for y in 140..372 {
                for x in 176..336 {
                    img.put_pixel(x, y, accent);
                }
            }
        }
    }
    img
}

fn draw_waveform(img: &mut RgbaImage, bytes: &[u8], color: Rgba<u8>) {
    let (w, h) = img.dimensions();
    // 16-bit PCM after a 44-byte WAV header; anything else draws flat
    let samples: Vec<i16> = bytes
        .get(44..)
        .unwrap_or(&[])
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    let mid = h / 2;
    for x in 0..w {
        let peak = if samples.is_empty() {
            0.0
        } else {
            let per = (samples.len() / w as usize).max(1);
            let start = x as usize * per;
            samples
                .iter()
                .skip(start)
                .take(per)
                .map(|s| (f32::from(*s) / 32768.0).abs())
                .fold(0.0f32, f32::max)
        };
        let half = ((peak * (h as f32) * 0.45) as u32).max(1);
        for y in mid.saturating_sub(half)..(mid + half).min(h) {
            img.put_pixel(x, y, color);
        }
    }
}

fn draw_cube(img: &mut RgbaImage, color: Rgba<u8>) {
    let pts = [
        (156.0, 200.0),
        (316.0, 200.0),
        (316.0, 360.0),
        (156.0, 360.0),
        (216.0, 140.0),
        (376.0, 140.0),
        (376.0, 300.0),
        (216.0, 300.0),
    ];
    let edges = [
        (0, 1),
        (1, 2),
        (2, 3),
        (3, 0),
        (4, 5),
        (5, 6),
        (6, 7),
        (7, 4),
        (0, 4),
        (1, 5),
        (2, 6),
        (3, 7),
    ];
    for (a, b) in edges {
        let (x0, y0): (f32, f32) = pts[a];
        let (x1, y1): (f32, f32) = pts[b];
        let steps = (x1 - x0).abs().max((y1 - y0).abs()) as u32;
        for i in 0..=steps {
            let t = i as f32 / steps.max(1) as f32;
            let x = (x0 + (x1 - x0) * t) as u32;
            let y = (y0 + (y1 - y0) * t) as u32;
            for dx in 0..3 {
                for dy in 0..3 {
                    if x + dx < img.width() && y + dy < img.height() {
                        img.put_pixel(x + dx, y + dy, color);
                    }
                }
            }
        }
    }
}

/// A cache of derived renditions bounded in bytes (oldest out first).
pub struct RenditionCache {
    inner: Mutex<CacheInner>,
    budget: usize,
}

struct CacheInner {
    map: HashMap<(String, Variant), Rendered>,
    order: VecDeque<(String, Variant)>,
    bytes: usize,
}

impl RenditionCache {
    pub fn new(budget: usize) -> RenditionCache {
        RenditionCache {
            inner: Mutex::new(CacheInner {
                map: HashMap::new(),
                order: VecDeque::new(),
                bytes: 0,
            }),
            budget,
        }
    }

    pub fn get(&self, id: &str, variant: &Variant) -> Option<Rendered> {
        let inner = self.inner.lock().ok()?;
        inner.map.get(&(id.to_string(), variant.clone())).cloned()
    }

    pub fn put(&self, id: &str, variant: &Variant, r: Rendered) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let key = (id.to_string(), variant.clone());
        inner.bytes += r.bytes.len();
        if let Some(old) = inner.map.insert(key.clone(), r) {
            inner.bytes -= old.bytes.len();
        } else {
            inner.order.push_back(key);
        }
        while inner.bytes > self.budget {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some(r) = inner.map.remove(&old) {
                inner.bytes -= r.bytes.len();
            }
        }
    }

    /// Forgets every rendition of an asset (its file changed or it is gone).
    pub fn forget(&self, id: &str) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let keys: Vec<_> = inner.map.keys().filter(|(i, _)| i == id).cloned().collect();
        for k in keys {
            if let Some(r) = inner.map.remove(&k) {
                inner.bytes -= r.bytes.len();
            }
        }
        inner.order.retain(|(i, _)| i != id);
    }
}
