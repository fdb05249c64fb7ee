//! What an uploaded file is, from its bytes alone: the kind (video, audio,
//! image), the MIME type and the technical metadata this server can read
//! without a decoder (image headers, WAV headers, the MP4 `mvhd` box).
//! Anything else is not media, and its processing fails.

use assetui_api::imaging::{self, DecodeError, Purpose};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sniffed {
    pub kind: &'static str,
    pub mime: String,
    pub container: Option<String>,
    pub duration: Option<f64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub sample_rate: Option<u32>,
    pub channels: Option<u32>,
}

/// The message of an asset whose file is not media.
pub const NOT_MEDIA: &str =
    "The file could not be decoded: it is not a video, audio or image file.";

pub fn sniff(bytes: &[u8]) -> Result<Sniffed, String> {
    match imaging::probe(bytes, Purpose::Input) {
        Ok(p) => {
            let (w, h) = p.dimensions();
            let name = imaging::format_name(p.format()).to_ascii_lowercase();
            return Ok(Sniffed {
                kind: "image",
                mime: format!("image/{name}"),
                container: Some(name),
                width: Some(w),
                height: Some(h),
                ..Sniffed::default()
            });
        }
        Err(e @ DecodeError::OverLimits { .. }) => {
            return Err(format!("The image is too large to process: {e}"))
        }
        Err(_) => {}
    }
    let at = |i: usize, n: usize| bytes.get(i..i + n).unwrap_or(&[]);
    let av = |kind: &'static str, mime: &str, container: &str| Sniffed {
        kind,
        mime: mime.into(),
        container: Some(container.into()),
        ..Sniffed::default()
    };
    if at(4, 4) == b"ftyp" {
        let brand = at(8, 4);
        let mut s = match brand {
            b"qt  " => av("video", "video/quicktime", "mov,mp4,m4a,3gp,3g2,mj2"),
            b"M4A " | b"M4B " => av("audio", "audio/mp4", "mov,mp4,m4a,3gp,3g2,mj2"),
            _ => av("video", "video/mp4", "mov,mp4,m4a,3gp,3g2,mj2"),
        };
        s.duration = mp4_duration(bytes);
        return Ok(s);
    }
    if at(0, 4) == b"RIFF" && at(8, 4) == b"WAVE" {
        let mut s = av("audio", "audio/wav", "wav");
        if at(12, 4) == b"fmt " {
            let u16le = |i: usize| at(i, 2).try_into().ok().map(u16::from_le_bytes);
            let u32le = |i: usize| at(i, 4).try_into().ok().map(u32::from_le_bytes);
            s.channels = u16le(22).map(u32::from);
            s.sample_rate = u32le(24);
            let byte_rate = u32le(28).filter(|r| *r > 0);
            // the data chunk follows the fmt chunk in the common layout
            let fmt_len = u32le(16).unwrap_or(16) as usize;
            let data = 20 + fmt_len;
            if at(data, 4) == b"data" {
                if let (Some(len), Some(rate)) = (u32le(data + 4), byte_rate) {
                    s.duration = Some(f64::from(len) / f64::from(rate));
                }
            }
        }
        return Ok(s);
    }
    if at(0, 4) == b"RIFF" && at(8, 4) == b"AVI " {
        return Ok(av("video", "video/x-msvideo", "avi"));
    }
    if at(0, 4) == [0x1a, 0x45, 0xdf, 0xa3] {
        return Ok(av("video", "video/webm", "matroska,webm"));
    }
    if at(0, 1) == [0x47] && at(188, 1) == [0x47] {
        return Ok(av("video", "video/mp2t", "mpegts"));
    }
    if at(0, 4) == b"fLaC" {
        return Ok(av("audio", "audio/flac", "flac"));
    }
    if at(0, 4) == b"OggS" {
        return Ok(av("audio", "audio/ogg", "ogg"));
    }
    if at(0, 3) == b"ID3" || (bytes.len() > 1 && bytes[0] == 0xff && bytes[1] & 0xe0 == 0xe0) {
        return Ok(av("audio", "audio/mpeg", "mp3"));
    }
    Err(NOT_MEDIA.into())
}

/// The duration in the MP4 `moov/mvhd` box, in seconds.
fn mp4_duration(bytes: &[u8]) -> Option<f64> {
    let moov = find_box(bytes, b"moov")?;
    let mvhd = find_box(moov, b"mvhd")?;
    let u32be = |i: usize| -> Option<u32> {
        Some(u32::from_be_bytes(mvhd.get(i..i + 4)?.try_into().ok()?))
    };
    let (scale, duration) = match mvhd.first()? {
        0 => (u32be(12)?, u64::from(u32be(16)?)),
        1 => (
            u32be(20)?,
            u64::from_be_bytes(mvhd.get(24..32)?.try_into().ok()?),
        ),
        _ => return None,
    };
    (scale > 0).then(|| duration as f64 / f64::from(scale))
}

/// The body of the first box of that type in a sequence of boxes.
fn find_box<'a>(mut bytes: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    while bytes.len() >= 8 {
        let size = u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
        let size = if size == 0 { bytes.len() } else { size };
        if size < 8 || size > bytes.len() {
            return None;
        }
        if bytes.get(4..8)? == kind {
            return bytes.get(8..size);
        }
        bytes = bytes.get(size..)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(rate: u32, samples: u32) -> Vec<u8> {
        let data = samples * 2;
        let mut v = b"RIFF".to_vec();
        v.extend_from_slice(&(36 + data).to_le_bytes());
        v.extend_from_slice(b"WAVEfmt ");
        v.extend_from_slice(&16u32.to_le_bytes());
        v.extend_from_slice(&1u16.to_le_bytes());
        v.extend_from_slice(&1u16.to_le_bytes());
        v.extend_from_slice(&rate.to_le_bytes());
        v.extend_from_slice(&(rate * 2).to_le_bytes());
        v.extend_from_slice(&2u16.to_le_bytes());
        v.extend_from_slice(&16u16.to_le_bytes());
        v.extend_from_slice(b"data");
        v.extend_from_slice(&data.to_le_bytes());
        v.resize(v.len() + data as usize, 0);
        v
    }

    fn mp4(timescale: u32, duration: u32) -> Vec<u8> {
        let bx = |kind: &[u8], body: &[u8]| {
            let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
            v.extend_from_slice(kind);
            v.extend_from_slice(body);
            v
        };
        let mut mvhd = vec![0u8; 12];
        mvhd.extend_from_slice(&timescale.to_be_bytes());
        mvhd.extend_from_slice(&duration.to_be_bytes());
        mvhd.resize(100, 0);
        let mut out = bx(b"ftyp", b"isom\0\0\x02\0isom");
        out.extend(bx(b"moov", &bx(b"mvhd", &mvhd)));
        out
    }

    #[test]
    fn kinds_from_bytes() {
        let mut png = Vec::new();
        image::RgbImage::new(16, 9)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let s = sniff(&png).unwrap();
        assert_eq!((s.kind, s.width, s.height), ("image", Some(16), Some(9)));
        assert_eq!(s.mime, "image/png");
        let s = sniff(&wav(8000, 4000)).unwrap();
        assert_eq!(
            (s.kind, s.sample_rate, s.channels),
            ("audio", Some(8000), Some(1))
        );
        assert!((s.duration.unwrap() - 0.5).abs() < 1e-6);
        let s = sniff(&mp4(1000, 4500)).unwrap();
        assert_eq!((s.kind, s.mime.as_str()), ("video", "video/mp4"));
        assert_eq!(s.duration, Some(4.5));
        assert_eq!(sniff(b"hello, this is text").unwrap_err(), NOT_MEDIA);
        assert_eq!(sniff(b"").unwrap_err(), NOT_MEDIA);
    }
}
