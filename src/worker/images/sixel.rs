//! Sixel images with as many colours as the terminal has registers.
//!
//! ratatui-image encodes every sixel image with a palette of 256 colours;
//! a terminal with fewer colour registers (XTSMGRAPHICS, asked by the
//! probe) then shows the colours past its last register wrong. This
//! encodes with the same encoder (`icy_sixel`, Wu quantizer and
//! Floyd–Steinberg dithering) for `palette` colours, and frames the data
//! as ratatui-image does (the cells cleared first, tmux's passthrough
//! around it inside tmux), so its `Sixel` draws it unchanged.

use std::fmt::Write;

use icy_sixel::{sixel_encode, EncodeOptions};
use image::DynamicImage;
use ratatui::layout::Size;
use ratatui_image::protocol::sixel::Sixel;

/// Encodes `img` (already the size of `size` cells) with at most
/// `palette` colours (2 to 256).
pub fn encode(
    img: &DynamicImage,
    size: Size,
    is_tmux: bool,
    palette: u16,
) -> Result<Sixel, String> {
    let rgba = img.to_rgba8();
    let options = EncodeOptions {
        max_colors: palette.clamp(2, 256),
        ..EncodeOptions::default()
    };
    let sixel = sixel_encode(
        rgba.as_raw(),
        rgba.width() as usize,
        rgba.height() as usize,
        &options,
    )
    .map_err(|e| format!("sixel encoding error: {e}"))?;
    let (start, escape, end) = if is_tmux {
        ("\x1bPtmux;", "\x1b\x1b", "\x1b\\")
    } else {
        ("", "\x1b", "")
    };
    let mut data = String::with_capacity(sixel.len() + 64);
    data.push_str(start);
    clear(&mut data, escape, size);
    if is_tmux {
        // the escapes inside the passthrough are doubled
        let body = sixel
            .strip_prefix('\x1b')
            .ok_or("the sixel data does not start with an escape")?;
        data.push_str(escape);
        data.push_str(&body.replace('\x1b', "\x1b\x1b"));
    } else {
        data.push_str(&sixel);
    }
    data.push_str(end);
    Ok(Sixel {
        data,
        size,
        is_tmux,
    })
}

/// Erases the cells the image covers (a transparent pixel shows what was
/// there otherwise), leaving the cursor where it was.
fn clear(data: &mut String, escape: &str, size: Size) {
    let (width, height) = (size.width, size.height);
    if height == 1 {
        let _ = write!(data, "{escape}[{width}X");
        return;
    }
    for _ in 0..height {
        let _ = write!(data, "{escape}[{width}X{escape}[1B");
    }
    let _ = write!(data, "{escape}[{height}A");
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgba};

    /// A picture with thousands of colours.
    fn colourful() -> DynamicImage {
        DynamicImage::ImageRgba8(ImageBuffer::from_fn(120, 60, |x, y| {
            Rgba([(x * 2) as u8, (y * 4) as u8, ((x + y) * 3) as u8, 255])
        }))
    }

    /// The colour registers the sixel data defines (`#N;2;R;G;B`).
    fn registers(data: &str) -> std::collections::BTreeSet<u32> {
        data.split('#')
            .skip(1)
            .filter_map(|part| {
                let (n, rest) = part.split_once(';')?;
                rest.starts_with("2;").then(|| n.parse().ok()).flatten()
            })
            .collect()
    }

    #[test]
    fn the_palette_is_limited_to_the_registers() {
        let size = Size::new(12, 3);
        for palette in [16u16, 64, 256] {
            let s = encode(&colourful(), size, false, palette).unwrap();
            let defined = registers(&s.data);
            assert!(
                defined.len() <= usize::from(palette) && defined.len() > usize::from(palette) / 2,
                "{palette}: {} registers",
                defined.len()
            );
            assert!(
                defined.iter().all(|&n| n < u32::from(palette)),
                "{palette}: a register past the last: {defined:?}"
            );
            assert_eq!(s.size, size);
            assert!(!s.is_tmux);
        }
    }

    #[test]
    fn the_data_clears_its_cells_and_is_one_sixel_sequence() {
        let s = encode(&colourful(), Size::new(12, 3), false, 16).unwrap();
        assert!(s
            .data
            .starts_with("\x1b[12X\x1b[1B\x1b[12X\x1b[1B\x1b[12X\x1b[1B\x1b[3A\x1bP"));
        assert!(s.data.ends_with("\x1b\\"));
        assert_eq!(s.data.matches("\x1bP").count(), 1);
        let one_row = encode(&colourful(), Size::new(12, 1), false, 16).unwrap();
        assert!(one_row.data.starts_with("\x1b[12X\x1bP"));
    }

    #[test]
    fn inside_tmux_it_is_wrapped_with_doubled_escapes() {
        let s = encode(&colourful(), Size::new(12, 3), true, 16).unwrap();
        assert!(s.data.starts_with("\x1bPtmux;\x1b\x1b[12X"));
        assert!(s.data.ends_with("\x1b\x1b\\\x1b\\"));
        // every escape inside the passthrough is doubled
        let inner = &s.data["\x1bPtmux;".len()..s.data.len() - 2];
        assert!(inner.split("\x1b\x1b").all(|part| !part.contains('\x1b')));
        assert!(s.is_tmux);
    }
}
