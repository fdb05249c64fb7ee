//! Bytes of a rendition to an encoded terminal image: sniff the format,
//! decode with limits, resize with `fast_image_resize` to the cell box, and
//! let ratatui-image encode it without resizing again.
//!
//! Pure and blocking: the pipeline runs it on a blocking thread.

use std::panic::{catch_unwind, AssertUnwindSafe};

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::{ColorType, DynamicImage, ImageFormat};
use ratatui::layout::Size;
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::halfblocks::Halfblocks;
use ratatui_image::protocol::Protocol;

use crate::app::images::Drawable;
use crate::graphics::Drawer;
use crate::kitty_direct::KittyImage;
use ratatui_image::{FontSize, Resize};

use super::ImageError;
use crate::api::imaging::{self, DecodeError, Purpose};

/// Bytes that decoding and fitting `bytes` keeps in memory at once, read
/// from the header: the decoded picture, the 8-bit copy `resize` makes of
/// a picture in another layout, the premultiplied copy of a picture with
/// alpha, and what the JPEG decoder keeps. Errors as [`decode_image`] would,
/// without decoding (over the limits, not an image).
pub fn render_cost(bytes: &[u8]) -> Result<u64, ImageError> {
    let probe = imaging::probe(bytes, Purpose::Render).map_err(decode_error)?;
    let (w, h) = probe.dimensions();
    let pixels = u64::from(w) * u64::from(h);
    let color = probe.color_type();
    let copy = match color {
        ColorType::Rgb8 | ColorType::Rgba8 | ColorType::L8 | ColorType::La8 => 0,
        _ => pixels * 4,
    };
    // fast_image_resize multiplies the alpha into a copy of the source
    let alpha = match color {
        ColorType::La8 => pixels * 2,
        c if c.has_alpha() => pixels * 4,
        _ => 0,
    };
    // the JPEG decoder copies its input, and a progressive file keeps two
    // bytes of coefficients a pixel for each component
    let jpeg = if probe.format() == ImageFormat::Jpeg {
        bytes.len() as u64 + pixels * 2 * u64::from(color.channel_count())
    } else {
        0
    };
    Ok(probe.decoded_bytes() + copy + alpha + jpeg)
}

/// [`render_image`] for a [`Drawer`]: kitty images placed directly are
/// encoded here (the picture resized as for the other protocols), sixel
/// images with the drawer's palette.
pub fn render_drawable(
    bytes: &[u8],
    cells: (u16, u16),
    drawer: &Drawer,
) -> Result<Drawable, ImageError> {
    if !drawer.kitty_direct {
        return render_protocol(bytes, cells, &drawer.picker, drawer.sixel_palette)
            .map(Drawable::from);
    }
    if cells.0 == 0 || cells.1 == 0 {
        return Err(ImageError::Decode("no room to draw the image".into()));
    }
    let img = decode_image(bytes)?;
    let font = font_of(&drawer.picker);
    let (pw, ph) = fit_pixels(img.width(), img.height(), cells, font);
    let used = Size::new(
        cells_for(pw, font.width).min(cells.0),
        cells_for(ph, font.height).min(cells.1),
    );
    let img = if (pw, ph) == (img.width(), img.height()) {
        img
    } else {
        resize(&img, pw, ph)?
    };
    Ok(Drawable::KittyDirect(KittyImage::new(&img, used)))
}

/// Decodes `bytes`, resizes the picture to fit `cells` (columns, rows) at
/// the picker's font size, keeping its aspect ratio, and encodes it for the
/// picker's protocol (sixel with 256 colours). The protocol's size is the
/// cells actually used, never more than `cells`. Blocking; never panics on
/// bad input.
pub fn render_image(
    bytes: &[u8],
    cells: (u16, u16),
    picker: &Picker,
) -> Result<Protocol, ImageError> {
    render_protocol(bytes, cells, picker, crate::graphics::FULL_PALETTE)
}

/// [`render_image`] with sixel images of at most `palette` colours.
fn render_protocol(
    bytes: &[u8],
    cells: (u16, u16),
    picker: &Picker,
    palette: u16,
) -> Result<Protocol, ImageError> {
    if cells.0 == 0 || cells.1 == 0 {
        return Err(ImageError::Decode("no room to draw the image".into()));
    }
    let img = decode_image(bytes)?;
    let font = font_of(picker);
    let (pw, ph) = fit_pixels(img.width(), img.height(), cells, font);
    let used = Size::new(
        cells_for(pw, font.width).min(cells.0),
        cells_for(ph, font.height).min(cells.1),
    );
    let encoded = if picker.protocol_type() == ProtocolType::Halfblocks {
        // Halfblocks draws two pixels per cell (upper and lower half) and
        // resamples whatever it is given to exactly that grid; resample once,
        // straight from the decoded picture, so its own resize is a copy.
        let (hw, hh) = (u32::from(used.width), u32::from(used.height) * 2);
        let small = if (hw, hh) == (img.width(), img.height()) {
            img
        } else {
            resize(&img, hw, hh)?
        };
        catch_unwind(AssertUnwindSafe(|| {
            Halfblocks::new(small, used).map(Protocol::Halfblocks)
        }))
    } else {
        let img = if (pw, ph) == (img.width(), img.height()) {
            img
        } else {
            resize(&img, pw, ph)?
        };
        // One side of the picture is a whole number of cells and it fits in
        // `used`, so ratatui-image encodes it as it is, without resizing.
        catch_unwind(AssertUnwindSafe(|| {
            if picker.protocol_type() == ProtocolType::Sixel {
                super::sixel::encode(&img, used, picker.tmux_detected(), palette)
                    .map(Protocol::Sixel)
                    .map_err(ratatui_image::errors::Errors::Sixel)
            } else {
                picker.new_protocol(img, used, Resize::Fit(None))
            }
        }))
    };
    encoded
        .map_err(|_| ImageError::Decode("the image could not be encoded for the terminal".into()))?
        .map_err(|e| ImageError::Decode(format!("the image could not be encoded: {e}")))
}

/// Sniffs the format from the bytes and decodes with the render limits of
/// [`imaging::LIMITS`] (refused from the header when over them).
pub fn decode_image(bytes: &[u8]) -> Result<DynamicImage, ImageError> {
    imaging::decode(bytes, Purpose::Render).map_err(decode_error)
}

fn decode_error(e: DecodeError) -> ImageError {
    ImageError::Decode(e.to_string())
}

fn font_of(picker: &Picker) -> FontSize {
    let f = picker.font_size();
    FontSize::new(f.width.max(1), f.height.max(1))
}

fn cells_for(pixels: u32, cell: u16) -> u16 {
    u16::try_from(pixels.div_ceil(u32::from(cell))).unwrap_or(u16::MAX)
}

/// The pixel size to resize a `w`×`h` picture to for a box of `cells` at
/// `font`: the aspect ratio is kept, the result fits the box, and one side
/// is a whole number of cells (so ratatui-image does not resize again).
/// Pictures smaller than the box are not enlarged beyond the next whole
/// cell; pictures smaller than a cell grow to one cell.
pub(crate) fn fit_pixels(w: u32, h: u32, cells: (u16, u16), font: FontSize) -> (u32, u32) {
    let (fw, fh) = (u64::from(font.width), u64::from(font.height));
    let (bw, bh) = (u64::from(cells.0) * fw, u64::from(cells.1) * fh);
    let (w, h) = (u64::from(w.max(1)), u64::from(h.max(1)));
    // the natural size, shrunk to fit the box if needed (never enlarged)
    let scale = (bw as f64 / w as f64).min(bh as f64 / h as f64).min(1.0);
    let (tw, th) = (w as f64 * scale, h as f64 * scale);

    let mut candidates: Vec<(u64, u64)> = Vec::with_capacity(4);
    // width snapped to whole cells, down and up
    for cols in [
        (tw / fw as f64).floor() as u64,
        (tw / fw as f64).ceil() as u64,
    ] {
        let pw = cols * fw;
        let ph = ((h * pw) as f64 / w as f64).round() as u64;
        candidates.push((pw, ph.max(1)));
    }
    // height snapped to whole cells, down and up
    for rows in [
        (th / fh as f64).floor() as u64,
        (th / fh as f64).ceil() as u64,
    ] {
        let ph = rows * fh;
        let pw = ((w * ph) as f64 / h as f64).round() as u64;
        candidates.push((pw.max(1), ph));
    }
    let dist = |&(pw, ph): &(u64, u64)| (pw as f64 - tw).abs() + (ph as f64 - th).abs();
    let best = candidates
        .into_iter()
        .filter(|&(pw, ph)| pw >= 1 && ph >= 1 && pw <= bw && ph <= bh)
        .filter(|&(pw, ph)| pw % fw == 0 || ph % fh == 0)
        // the closest to the natural size; on a tie, the smaller
        .min_by(|a, b| dist(a).total_cmp(&dist(b)).then(a.0.cmp(&b.0)));
    match best {
        Some((pw, ph)) => (pw as u32, ph as u32),
        // not reachable for a box of at least one cell (one of the snapped
        // sizes always fits); kept total for safety
        None => ((tw.round() as u32).max(1), (th.round() as u32).max(1)),
    }
}

/// Resizes with `fast_image_resize` (SIMD convolution). 8-bit pictures are
/// resized in their own layout; others are converted to RGB(A) 8-bit first.
fn resize(img: &DynamicImage, w: u32, h: u32) -> Result<DynamicImage, ImageError> {
    let converted;
    let src = match img {
        DynamicImage::ImageRgb8(_)
        | DynamicImage::ImageRgba8(_)
        | DynamicImage::ImageLuma8(_)
        | DynamicImage::ImageLumaA8(_) => img,
        other if other.color().has_alpha() => {
            converted = DynamicImage::ImageRgba8(other.to_rgba8());
            &converted
        }
        other => {
            converted = DynamicImage::ImageRgb8(other.to_rgb8());
            &converted
        }
    };
    let mut dst = DynamicImage::new(w, h, src.color());
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom));
    Resizer::new()
        .resize(src, &mut dst, &options)
        .map_err(|e| ImageError::Decode(format!("cannot resize the image: {e}")))?;
    Ok(dst)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use image::{ImageBuffer, ImageReader, Luma, Rgb, Rgba};

    use crate::api::imaging::{forged, LIMITS};

    use super::*;

    fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    fn gradient(w: u32, h: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(ImageBuffer::from_fn(w, h, |x, y| {
            Rgb([(x * 255 / w.max(1)) as u8, (y * 255 / h.max(1)) as u8, 128])
        }))
    }

    fn forged_png_depth(w: u32, h: u32, depth: u8) -> Vec<u8> {
        forged::png(w, h, depth, 6)
    }

    fn forged_png(w: u32, h: u32) -> Vec<u8> {
        forged_png_depth(w, h, 8)
    }

    fn decode_err(r: Result<Protocol, ImageError>) -> String {
        match r {
            Err(ImageError::Decode(m)) => m,
            Err(other) => panic!("expected a decode error, got {other:?}"),
            Ok(_) => panic!("expected a decode error, got an image"),
        }
    }

    #[test]
    fn forged_png_crc_is_valid() {
        // the forged file is a well-formed PNG apart from its size: a sane
        // size in the same construction is read up to the pixel data
        let png = forged_png(1, 1);
        let reader = ImageReader::new(Cursor::new(&png))
            .with_guessed_format()
            .unwrap();
        assert_eq!(reader.into_dimensions().unwrap(), (1, 1));
    }

    #[test]
    fn huge_png_header_is_refused() {
        let png = forged_png(100_000, 100_000);
        let picker = Picker::halfblocks();
        let msg = decode_err(render_image(&png, (20, 10), &picker));
        assert!(msg.contains("limits"), "{msg}");
        assert!(msg.contains("PNG"), "{msg}");
    }

    #[test]
    fn png_just_over_the_side_limit_is_refused() {
        let png = forged_png(LIMITS.max_side + 1, 1);
        let msg = decode_err(render_image(&png, (20, 10), &Picker::halfblocks()));
        assert!(msg.contains("limits"), "{msg}");
    }

    #[test]
    fn png_within_sides_but_over_the_allocation_is_refused() {
        // 4096×4096 16-bit RGBA: within the pixels, but 128 MiB
        let png = forged_png_depth(4096, 4096, 16);
        let msg = decode_err(render_image(&png, (20, 10), &Picker::halfblocks()));
        assert!(msg.contains("limits"), "{msg}");
    }

    #[test]
    fn the_cost_of_a_render_is_read_from_the_header() {
        // 8-bit RGB is resized as it is: the decoded bytes
        assert_eq!(render_cost(&forged::png(100, 10, 8, 2)).unwrap(), 3000);
        // 8-bit RGBA: and a premultiplied copy
        assert_eq!(render_cost(&forged_png(100, 10)).unwrap(), 8000);
        // 16-bit RGBA: 8 bytes, an 8-bit copy and its premultiplied copy
        assert_eq!(render_cost(&forged_png_depth(100, 10, 16)).unwrap(), 16_000);
        // JPEG: 8-bit RGB, its input copied, 3 × 2 bytes of coefficients
        let jpeg = forged::jpeg(100, 10);
        let expected = 3000 + jpeg.len() as u64 + 6000;
        assert_eq!(render_cost(&jpeg).unwrap(), expected);
        let msg = match render_cost(&forged_png(8192, 8192)) {
            Err(ImageError::Decode(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(msg.contains("limits"), "{msg}");
    }

    /// Issue 20: small files that claim 8192×8192 (or 8000×8000) pixels,
    /// within the side limit, are refused from their header instead of
    /// costing 192-256 MiB per decode slot.
    #[test]
    fn bombs_within_the_side_limit_are_refused_before_decoding() {
        use crate::api::imaging::forged;
        let bombs = [
            ("PNG", forged::png(8192, 8192, 8, 6)),
            ("JPEG", forged::jpeg(8000, 8000)),
            ("WebP", forged::webp(8000, 8000)),
        ];
        for (name, bytes) in bombs {
            let msg = decode_err(render_image(&bytes, (20, 10), &Picker::halfblocks()));
            assert!(msg.contains("limits") && msg.contains(name), "{msg}");
        }
    }

    #[test]
    fn truncated_jpeg_is_a_decode_error() {
        let jpeg = encode(&gradient(64, 64), ImageFormat::Jpeg);
        for cut in [jpeg.len() / 2, 200, 20, 3] {
            let msg = decode_err(render_image(&jpeg[..cut], (10, 5), &Picker::halfblocks()));
            assert!(msg.contains("JPEG"), "cut at {cut}: {msg}");
        }
    }

    #[test]
    fn truncated_png_is_a_decode_error() {
        let png = encode(&gradient(64, 64), ImageFormat::Png);
        let msg = decode_err(render_image(
            &png[..png.len() / 2],
            (10, 5),
            &Picker::halfblocks(),
        ));
        assert!(msg.contains("PNG"), "{msg}");
    }

    #[test]
    fn text_and_empty_bytes_are_not_images() {
        let p = Picker::halfblocks();
        let msg = decode_err(render_image(b"<html>403 Forbidden</html>", (10, 5), &p));
        assert!(msg.contains("not an image"), "{msg}");
        let msg = decode_err(render_image(b"", (10, 5), &p));
        assert!(msg.contains("empty"), "{msg}");
    }

    #[test]
    fn zero_cells_is_an_error_not_a_panic() {
        let png = encode(&gradient(8, 8), ImageFormat::Png);
        decode_err(render_image(&png, (0, 5), &Picker::halfblocks()));
        decode_err(render_image(&png, (5, 0), &Picker::halfblocks()));
    }

    #[test]
    fn protocol_fits_the_cells() {
        let p = Picker::halfblocks();
        let shapes = [
            (256, 256),
            (1024, 768),
            (300, 1200),
            (2000, 10),
            (10, 2000),
            (95, 95),
        ];
        let boxes = [(20u16, 10u16), (6, 3), (1, 1), (80, 40), (3, 17)];
        for (w, h) in shapes {
            let png = encode(&gradient(w, h), ImageFormat::Png);
            for cells in boxes {
                let proto = render_image(&png, cells, &p).unwrap();
                let size = proto.size();
                assert!(
                    size.width >= 1
                        && size.height >= 1
                        && size.width <= cells.0
                        && size.height <= cells.1,
                    "{w}×{h} in {cells:?} gave {size:?}"
                );
            }
        }
    }

    #[test]
    fn a_square_fills_the_box_side_it_touches() {
        // 256×256 in 20×10 cells at 10×20 px: 200×200 px is 20 columns, 10 rows
        let png = encode(&gradient(256, 256), ImageFormat::Png);
        let proto = render_image(&png, (20, 10), &Picker::halfblocks()).unwrap();
        assert_eq!((proto.size().width, proto.size().height), (20, 10));
        // a wide box: the height limits, 6 rows = 120 px square = 12 columns
        let proto = render_image(&png, (40, 6), &Picker::halfblocks()).unwrap();
        assert_eq!((proto.size().width, proto.size().height), (12, 6));
    }

    /// The kitty transmission's declared pixel size (`s=W,v=H`).
    fn kitty_pixels(proto: &Protocol) -> (u32, u32) {
        use ratatui::buffer::Buffer;
        use ratatui::layout::Rect;
        let size = proto.size();
        let mut buf = Buffer::empty(Rect::new(0, 0, size.width, size.height));
        ratatui::widgets::Widget::render(ratatui_image::Image::new(proto), buf.area, &mut buf);
        let sym = buf[(0, 0)].symbol().to_string();
        let field = |k: &str| -> u32 {
            let start = sym.find(&format!(",{k}=")).expect("size field") + k.len() + 2;
            sym[start..].split(',').next().unwrap().parse().unwrap()
        };
        (field("s"), field("v"))
    }

    #[test]
    fn kitty_gets_the_fitted_picture_without_a_second_resize() {
        let mut p = Picker::halfblocks();
        p.set_protocol_type(ProtocolType::Kitty);
        // 256 px into 20×10 cells of 10×20 px: 200×200, 20×10 cells
        let png = encode(&gradient(256, 256), ImageFormat::Png);
        let proto = render_image(&png, (20, 10), &p).unwrap();
        assert_eq!((proto.size().width, proto.size().height), (20, 10));
        assert_eq!(kitty_pixels(&proto), (200, 200));
        // 95 px: 90×90 (9 columns, 5 rows). Had ratatui-image resized, it
        // would have padded the picture to 90×100, the pixels of 9×5 cells.
        let png = encode(&gradient(95, 95), ImageFormat::Png);
        let proto = render_image(&png, (20, 10), &p).unwrap();
        assert_eq!((proto.size().width, proto.size().height), (9, 5));
        assert_eq!(kitty_pixels(&proto), (90, 90));
        // a wide picture: 1000×100 in 30×10 cells is 300×30 px, 30×2 cells
        let png = encode(&gradient(1000, 100), ImageFormat::Png);
        let proto = render_image(&png, (30, 10), &p).unwrap();
        assert_eq!((proto.size().width, proto.size().height), (30, 2));
        assert_eq!(kitty_pixels(&proto), (300, 30));
    }

    #[test]
    fn sixel_fits_the_cells() {
        let mut p = Picker::halfblocks();
        p.set_protocol_type(ProtocolType::Sixel);
        let jpeg = encode(&gradient(300, 200), ImageFormat::Jpeg);
        for cells in [(20u16, 10u16), (6, 3), (1, 1)] {
            let proto = render_image(&jpeg, cells, &p).unwrap();
            assert!(matches!(proto, Protocol::Sixel(_)));
            assert!(proto.size().width <= cells.0 && proto.size().height <= cells.1);
        }
    }

    #[test]
    fn a_drawer_with_sixteen_registers_gets_sixel_images_of_sixteen_colours() {
        let mut picker = Picker::halfblocks();
        picker.set_protocol_type(ProtocolType::Sixel);
        let registers = |palette: u16| {
            let drawer = Drawer {
                picker: picker.clone(),
                kitty_direct: false,
                sixel_palette: palette,
            };
            let jpeg = encode(&gradient(300, 200), ImageFormat::Jpeg);
            let Drawable::Lib(Protocol::Sixel(s)) =
                render_drawable(&jpeg, (20, 10), &drawer).unwrap()
            else {
                panic!("not a sixel image");
            };
            // the colour registers defined: `#N;2;R;G;B`
            let defined: std::collections::BTreeSet<&str> = s
                .data
                .split('#')
                .skip(1)
                .filter_map(|p| p.split_once(";2;").map(|(n, _)| n))
                .collect();
            defined.len()
        };
        let sixteen = registers(16);
        assert!((9..=16).contains(&sixteen), "{sixteen}");
        assert!(registers(256) > 16);
    }

    #[test]
    fn one_pixel_image_works() {
        let img = DynamicImage::ImageRgba8(ImageBuffer::from_pixel(1, 1, Rgba([255, 0, 0, 255])));
        let png = encode(&img, ImageFormat::Png);
        let proto = render_image(&png, (6, 3), &Picker::halfblocks()).unwrap();
        assert_eq!((proto.size().width, proto.size().height), (1, 1));
    }

    #[test]
    fn luma_rgba_and_sixteen_bit_inputs_work() {
        let p = Picker::halfblocks();
        let luma = DynamicImage::ImageLuma8(ImageBuffer::from_fn(300, 200, |x, _| Luma([x as u8])));
        let rgba = DynamicImage::ImageRgba8(ImageBuffer::from_fn(300, 200, |x, y| {
            Rgba([x as u8, y as u8, 0, (x ^ y) as u8])
        }));
        let rgb16 = DynamicImage::ImageRgb16(ImageBuffer::from_fn(300, 200, |x, y| {
            Rgb([x as u16 * 200, y as u16 * 300, 0])
        }));
        for (img, fmt) in [
            (luma.clone(), ImageFormat::Png),
            (luma, ImageFormat::Jpeg),
            (rgba.clone(), ImageFormat::Png),
            (rgba, ImageFormat::WebP),
            (rgb16, ImageFormat::Png),
        ] {
            let bytes = encode(&img, fmt);
            let proto = render_image(&bytes, (20, 10), &p)
                .unwrap_or_else(|e| panic!("{fmt:?} {:?}: {e}", img.color()));
            assert!(proto.size().width <= 20 && proto.size().height <= 10);
        }
    }

    #[test]
    fn fit_keeps_one_side_on_a_cell_boundary_and_stays_in_the_box() {
        let font = FontSize::new(10, 20);
        for (w, h) in [
            (256, 256),
            (95, 95),
            (1, 1),
            (8192, 1),
            (1, 8192),
            (333, 777),
            (19, 41),
        ] {
            for cells in [(1u16, 1u16), (6, 3), (20, 10), (7, 31), (200, 60)] {
                let (pw, ph) = fit_pixels(w, h, cells, font);
                assert!(pw >= 1 && ph >= 1, "{w}×{h} {cells:?}");
                assert!(pw <= u32::from(cells.0) * 10, "{w}×{h} {cells:?}: {pw}");
                assert!(ph <= u32::from(cells.1) * 20, "{w}×{h} {cells:?}: {ph}");
                assert!(pw % 10 == 0 || ph % 20 == 0, "{w}×{h} {cells:?}: {pw}×{ph}");
                // the aspect ratio is kept (within a pixel of rounding on
                // the side that was derived from the other)
                let (wf, hf, pwf, phf) = (w as f64, h as f64, pw as f64, ph as f64);
                let kept = (phf - hf * pwf / wf).abs() <= 1.0
                    || (pwf - wf * phf / hf).abs() <= 1.0
                    || pw == 1
                    || ph == 1;
                assert!(kept, "{w}×{h} {cells:?}: {pw}×{ph}");
            }
        }
    }

    #[test]
    fn small_images_are_not_blown_up() {
        let font = FontSize::new(10, 20);
        // 95×95 in a 200×200 px box: snapped to a whole cell (90 or 100 px
        // are as close; the smaller wins), never blown up to 200×200
        assert_eq!(fit_pixels(95, 95, (20, 10), font), (90, 90));
        assert_eq!(fit_pixels(97, 97, (20, 10), font), (100, 100));
        assert_eq!(fit_pixels(40, 40, (20, 10), font), (40, 40));
    }
}
