//! Turning what a user types as an image reference (an asset id, a data
//! URL or a local file) into what the API takes. A local image is decoded
//! with the input limits of [`crate::imaging`], scaled down to at most 1024
//! px and sent as a data URL.

use std::io::Cursor;
use std::path::Path;

use base64::Engine;
use image::{DynamicImage, ImageFormat};

use super::error::ApiError;
use super::imaging::{self, Purpose, LIMITS};

/// Longest side of an image sent by value.
pub(crate) const MAX_SIDE: u32 = 1024;
/// Largest local file read as a reference.
pub(crate) const MAX_FILE_BYTES: u64 = LIMITS.max_input_bytes;

/// Resolves a reference: a path to an existing file becomes a data URL, a
/// `data:` URL passes through, anything else is taken as an asset id.
/// Blocking (file I/O and decoding): call it off the UI task.
pub fn resolve(reference: &str) -> Result<String, ApiError> {
    if reference.starts_with("data:") {
        return Ok(reference.to_string());
    }
    let path = Path::new(reference);
    if path.is_file() {
        return file_to_data_url(path);
    }
    if reference.contains(std::path::MAIN_SEPARATOR) || reference.contains('.') {
        return Err(ApiError::Invalid(format!(
            "{}: no such file (an image reference is an asset id or an image file)",
            crate::sanitize::line(reference, 200)
        )));
    }
    Ok(reference.to_string())
}

/// Reads, checks and scales a local image into a data URL.
pub fn file_to_data_url(path: &Path) -> Result<String, ApiError> {
    let shown = crate::sanitize::line(&path.display().to_string(), 200);
    let meta = std::fs::metadata(path).map_err(|e| ApiError::Invalid(format!("{shown}: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(ApiError::Invalid(format!(
            "{shown}: the file is larger than {} MiB",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| ApiError::Invalid(format!("{shown}: {e}")))?;
    bytes_to_data_url(&bytes).map_err(|e| ApiError::Invalid(format!("{shown}: {e}")))
}

/// Decodes image bytes with limits, scales them to at most [`MAX_SIDE`]
/// and encodes a data URL (PNG when the image has transparency, JPEG
/// otherwise).
pub fn bytes_to_data_url(bytes: &[u8]) -> Result<String, String> {
    let img = imaging::decode(bytes, Purpose::Input).map_err(|e| match e {
        imaging::DecodeError::Empty | imaging::DecodeError::NotAnImage => {
            "not an image this program can read".to_string()
        }
        e => format!("cannot decode the image ({e})"),
    })?;
    let img = if img.width() > MAX_SIDE || img.height() > MAX_SIDE {
        img.resize(MAX_SIDE, MAX_SIDE, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let (mime, out) = encode(&img)?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(out);
    Ok(format!("data:{mime};base64,{b64}"))
}

fn encode(img: &DynamicImage) -> Result<(&'static str, Vec<u8>), String> {
    let mut out = Cursor::new(Vec::new());
    if img.color().has_alpha() {
        img.write_to(&mut out, ImageFormat::Png)
            .map_err(|e| format!("cannot encode PNG ({e})"))?;
        Ok(("image/png", out.into_inner()))
    } else {
        DynamicImage::ImageRgb8(img.to_rgb8())
            .write_to(&mut out, ImageFormat::Jpeg)
            .map_err(|e| format!("cannot encode JPEG ({e})"))?;
        Ok(("image/jpeg", out.into_inner()))
    }
}

/// The MIME type of image bytes, from their magic numbers.
pub fn sniff_mime(bytes: &[u8]) -> Option<&'static str> {
    Some(image::guess_format(bytes).ok()?.to_mime_type())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_image_is_scaled_to_1024() {
        let img = DynamicImage::new_rgb8(3000, 1500);
        let mut png = Cursor::new(Vec::new());
        img.write_to(&mut png, ImageFormat::Png).unwrap();
        let url = bytes_to_data_url(png.get_ref()).unwrap();
        let b64 = url.strip_prefix("data:image/jpeg;base64,").unwrap();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let back = image::load_from_memory(&raw).unwrap();
        assert_eq!((back.width(), back.height()), (1024, 512));
    }

    #[test]
    fn not_an_image_is_a_clear_error() {
        assert!(bytes_to_data_url(b"hello world")
            .unwrap_err()
            .contains("not an image"));
    }

    #[test]
    fn ids_pass_through() {
        assert_eq!(resolve("asset_abc123").unwrap(), "asset_abc123");
        assert!(resolve("./missing.png").is_err());
    }
}
