//! Per-image latency of the thumbnail pipeline's blocking step,
//! `render_image` (sniff + decode with limits + fast_image_resize + encode
//! for the protocol), from deterministic JPEG renditions like the server's:
//! a 256-px thumbnail and a 1024-px preview, quality 85.
//!
//! `cargo bench --bench thumbnail` (release profile). Prints p50/p99/max
//! over ITERATIONS runs per case. Kitty and sixel use a picker built without
//! a terminal (`Picker::halfblocks()` switched to the protocol), so their
//! font is halfblocks' nominal 10×20 px per cell.

use std::hint::black_box;
use std::io::Cursor;
use std::time::{Duration, Instant};

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, RgbImage};
use ratatui_image::picker::{Picker, ProtocolType};

use assetui::worker::images::{decode_image, render_image};

const ITERATIONS: usize = 500;
const WARMUP: usize = 20;

/// A gradient with deterministic noise and a few hard edges: close to a
/// photo for the JPEG decoder (no flat 8×8 blocks).
fn picture(side: u32) -> RgbImage {
    let mut state: u32 = 0x9e37_79b9;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (state & 0x3f) as i32 - 32
    };
    RgbImage::from_fn(side, side, |x, y| {
        let edge = if (x / (side / 8)) % 2 == (y / (side / 8)) % 2 {
            40
        } else {
            0
        };
        let r = (x * 255 / side) as i32 + noise() + edge;
        let g = (y * 255 / side) as i32 + noise();
        let b = ((x + y) * 127 / side) as i32 + noise() - edge;
        image::Rgb([
            r.clamp(0, 255) as u8,
            g.clamp(0, 255) as u8,
            b.clamp(0, 255) as u8,
        ])
    })
}

fn jpeg(side: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let img = DynamicImage::ImageRgb8(picture(side));
    img.write_with_encoder(JpegEncoder::new_with_quality(&mut out, 85))
        .expect("encode");
    out.into_inner()
}

fn picker(kind: ProtocolType) -> Picker {
    let mut p = Picker::halfblocks();
    p.set_protocol_type(kind);
    p
}

/// Name, rendition bytes, protocol, cells.
type Case<'a> = (&'a str, &'a Vec<u8>, ProtocolType, (u16, u16));

struct Stats {
    p50: Duration,
    p99: Duration,
    max: Duration,
}

fn measure(mut f: impl FnMut()) -> Stats {
    for _ in 0..WARMUP {
        f();
    }
    let mut times: Vec<Duration> = (0..ITERATIONS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Stats {
        p50: at(0.50),
        p99: at(0.99),
        max: *times.last().unwrap_or(&Duration::ZERO),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let thumb = jpeg(256);
    let preview = jpeg(1024);
    println!(
        "renditions: 256-px JPEG {} bytes, 1024-px JPEG {} bytes (quality 85)",
        thumb.len(),
        preview.len()
    );
    println!("{ITERATIONS} iterations per case; font 10×20 px per cell for every picker\n");
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>10}",
        "case", "p50 ms", "p99 ms", "max ms", "out cells"
    );

    let row = |name: &str, stats: Stats, cells: String| {
        println!(
            "{:<34} {:>10} {:>10} {:>10} {:>10}",
            name,
            ms(stats.p50),
            ms(stats.p99),
            ms(stats.max),
            cells
        );
    };

    for (name, bytes) in [("256 jpeg", &thumb), ("1024 jpeg", &preview)] {
        let stats = measure(|| {
            black_box(decode_image(black_box(bytes)).expect("decodes"));
        });
        row(&format!("decode only, {name}"), stats, "-".into());
    }

    use ProtocolType::{Halfblocks, Kitty, Sixel};
    let cases: Vec<Case> = vec![
        ("thumb 256 halfblocks 20×10", &thumb, Halfblocks, (20, 10)),
        ("thumb 256 halfblocks 6×3", &thumb, Halfblocks, (6, 3)),
        ("thumb 256 kitty 20×10", &thumb, Kitty, (20, 10)),
        ("thumb 256 kitty 6×3", &thumb, Kitty, (6, 3)),
        ("thumb 256 sixel 20×10", &thumb, Sixel, (20, 10)),
        ("thumb 256 sixel 6×3", &thumb, Sixel, (6, 3)),
        (
            "preview 1024 halfblocks 20×10",
            &preview,
            Halfblocks,
            (20, 10),
        ),
        (
            "preview 1024 halfblocks 60×30",
            &preview,
            Halfblocks,
            (60, 30),
        ),
        ("preview 1024 kitty 60×30", &preview, Kitty, (60, 30)),
        ("preview 1024 sixel 60×30", &preview, Sixel, (60, 30)),
    ];
    for (name, bytes, kind, cells) in cases {
        let p = picker(kind);
        let out = render_image(bytes, cells, &p).expect("renders");
        let size = out.size();
        let stats = measure(|| {
            black_box(render_image(black_box(bytes), cells, &p).expect("renders"));
        });
        row(name, stats, format!("{}×{}", size.width, size.height));
    }
}
