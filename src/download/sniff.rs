//! File extension from content: magic bytes first, then the MIME type, then
//! `bin`. The server's or the asset's name is never trusted for this.

/// The extension (without the dot) for a payload whose first bytes are
/// `head`, with `mime` as the server's `Content-Type` if any.
pub fn extension_for(head: &[u8], mime: Option<&str>) -> &'static str {
    if let Some(ext) = from_magic(head) {
        return ext;
    }
    if let Some(ext) = mime.and_then(from_mime) {
        return ext;
    }
    "bin"
}

/// The extension recognised from magic bytes alone.
pub fn from_magic(h: &[u8]) -> Option<&'static str> {
    let starts = |m: &[u8]| h.starts_with(m);
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Some("png");
    }
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Some("jpg");
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some("gif");
    }
    if h.len() >= 12 && &h[..4] == b"RIFF" {
        match &h[8..12] {
            b"WEBP" => return Some("webp"),
            b"WAVE" => return Some("wav"),
            _ => {}
        }
    }
    if starts(b"glTF") {
        return Some("glb");
    }
    if starts(b"Kaydara FBX Binary") || starts(b"; FBX ") {
        return Some("fbx");
    }
    if h.len() >= 12 && &h[4..8] == b"ftyp" {
        return Some(match &h[8..12] {
            b"avif" | b"avis" => "avif",
            b"heic" | b"heix" | b"heim" | b"heis" | b"mif1" | b"msf1" | b"heif" => "heif",
            b"qt  " => "mov",
            b"M4A " => "m4a",
            _ => "mp4",
        });
    }
    if starts(b"ID3") || (h.len() >= 2 && h[0] == 0xFF && (h[1] & 0xE0) == 0xE0) {
        return Some("mp3");
    }
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        return Some("zip");
    }
    if starts(b"%PDF-") {
        return Some("pdf");
    }
    if starts(b"BM") && h.len() >= 14 {
        return Some("bmp");
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        return Some("tiff");
    }
    let text = trim_start(h);
    if text.starts_with(b"<svg") || (text.starts_with(b"<?xml") && contains(text, b"<svg")) {
        return Some("svg");
    }
    if text.starts_with(b"{") && contains(text, b"\"asset\"") {
        return Some("gltf");
    }
    if looks_like_obj(text) {
        return Some("obj");
    }
    None
}

/// Wavefront OBJ text: every whole line is an OBJ statement (or a
/// comment) and one of them starts a model (`v`, `o`, `g`, `mtllib`).
fn looks_like_obj(text: &[u8]) -> bool {
    if text.contains(&0) {
        return false;
    }
    let Some(end) = text.iter().rposition(|b| *b == b'\n') else {
        return false;
    };
    let mut model = false;
    for line in text[..end].split(|b| *b == b'\n') {
        let line = trim_start(line);
        let word = line
            .split(|b| b.is_ascii_whitespace())
            .next()
            .unwrap_or(&[]);
        match word {
            b"" => {}
            w if w.starts_with(b"#") => {}
            b"v" => {
                // three coordinates, as numbers
                let numbers = line
                    .split(|b| b.is_ascii_whitespace())
                    .filter(|t| !t.is_empty())
                    .skip(1)
                    .filter(|t| std::str::from_utf8(t).is_ok_and(|t| t.parse::<f64>().is_ok()))
                    .count();
                if numbers < 3 {
                    return false;
                }
                model = true;
            }
            b"o" | b"g" | b"mtllib" => model = true,
            b"vt" | b"vn" | b"f" | b"s" | b"usemtl" | b"l" | b"p" => {}
            _ => return false,
        }
    }
    model
}

/// The extension for a MIME type (parameters ignored).
pub fn from_mime(mime: &str) -> Option<&'static str> {
    let base = mime.split(';').next()?.trim().to_ascii_lowercase();
    Some(match base.as_str() {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpg",
        "image/webp" => "webp",
        "image/gif" => "gif",
        "image/avif" => "avif",
        "image/svg+xml" => "svg",
        "model/gltf-binary" => "glb",
        "model/gltf+json" => "gltf",
        "model/obj" => "obj",
        "application/vnd.autodesk.fbx" | "model/vnd.fbx" => "fbx",
        "image/heif" | "image/heic" => "heif",
        "video/mp4" => "mp4",
        "audio/mpeg" => "mp3",
        "audio/wav" | "audio/x-wav" | "audio/wave" => "wav",
        "application/zip" => "zip",
        "application/pdf" => "pdf",
        _ => return None,
    })
}

fn trim_start(h: &[u8]) -> &[u8] {
    let h = h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h);
    let n = h.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &h[n..]
}

fn contains(h: &[u8], needle: &[u8]) -> bool {
    h.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_wins_over_mime() {
        assert_eq!(
            extension_for(b"\x89PNG\r\n\x1a\n....", Some("image/jpeg")),
            "png"
        );
        assert_eq!(extension_for(b"RIFF\0\0\0\0WEBPVP8 ", None), "webp");
        assert_eq!(extension_for(b"RIFF\0\0\0\0WAVEfmt ", None), "wav");
        assert_eq!(extension_for(b"glTF\x02\0\0\0", None), "glb");
        assert_eq!(extension_for(b"\0\0\0\x18ftypisom", None), "mp4");
        assert_eq!(extension_for(b"PK\x03\x04rest", None), "zip");
        assert_eq!(
            extension_for(b"  {\"asset\":{\"version\":\"2.0\"}}", None),
            "gltf"
        );
    }

    #[test]
    fn three_d_conversions_and_heif_are_named_by_content() {
        assert_eq!(
            extension_for(b"Kaydara FBX Binary  \0\x1a\0\xe8\x1c\0\0", None),
            "fbx"
        );
        assert_eq!(
            extension_for(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", None),
            "heif"
        );
        assert_eq!(
            extension_for(b"\0\0\0\x18ftypmif1\0\0\0\0mif1heic", None),
            "heif"
        );
        let obj = b"# converted from glTF by assetui\no Boulder\nv 0.1 0.2 0.3\nv 0.4";
        assert_eq!(extension_for(obj, None), "obj");
        let blender = b"# Blender 4.2\n# www.blender.org\nmtllib cube.mtl\no Cube\nv 1.0";
        assert_eq!(extension_for(blender, None), "obj");
        // prose that happens to start with a v is not a model
        assert_eq!(extension_for(b"v is for victory\nand more\n", None), "bin");
        assert_eq!(extension_for(b"v is for victory\n", None), "bin");
        assert_eq!(
            extension_for(b"# just a comment that never ends", None),
            "bin"
        );
        assert_eq!(extension_for(b"????", Some("model/obj")), "obj");
        assert_eq!(extension_for(b"????", Some("image/heif")), "heif");
    }

    #[test]
    fn falls_back_to_mime_then_bin() {
        assert_eq!(extension_for(b"????", Some("image/jpeg; q=1")), "jpg");
        assert_eq!(extension_for(b"????", Some("text/plain")), "bin");
        assert_eq!(extension_for(b"", None), "bin");
    }
}
