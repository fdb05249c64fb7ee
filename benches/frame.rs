//! Frame cost: one key (`j`, or `k` on the way back up) through `update()`
//! and a full draw through a real backend, so ratatui's diff and the
//! escape-sequence encoding are included (written to `io::sink()`).
//! 200×50 cells, with 100 and with 100 000 loaded assets; list without and
//! with images (placeholders), grid, and the raw JSON inspector.
//!
//! Run: `cargo bench --bench frame [-- CASE] [--frames N] [--assets N]`. Prints a markdown table of p50, p99
//! and max per frame, in µs. Without `--bench` (e.g. under
//! `cargo test --benches`) it only checks that every case runs.

use std::io::Sink;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use assetui::app::{self, Msg, State};

const W: u16 = 200;
const H: u16 = 50;

/// A browser at 200×50 with `n` assets fed as pages of 1000 through
/// `update()`, every page in (the list is complete): the same setup as
/// the guard test `headless::tests::a_frame_measures_what_is_visible`.
fn loaded(n: usize, images: bool) -> State {
    let state = assetui::headless::loaded_state(n, images, W, H);
    assert_eq!(state.list.entries.len(), n);
    assert!(state.list.is_complete());
    state
}

fn key(c: char) -> Msg {
    let mods = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Msg::Key(KeyEvent::new(KeyCode::Char(c), mods))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

struct Case {
    name: &'static str,
    images: bool,
    /// Keys sent once before measuring (`v`, `J`).
    setup: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "list",
        images: false,
        setup: "",
    },
    Case {
        name: "list + images (placeholders)",
        images: true,
        setup: "",
    },
    Case {
        name: "grid + images (placeholders)",
        images: true,
        setup: "v",
    },
    Case {
        name: "raw JSON inspector",
        images: false,
        setup: "J",
    },
];

struct Stats {
    p50: Duration,
    p99: Duration,
    max: Duration,
    /// p50 of the parts: `update()`, `ui::draw` into the buffer, and the
    /// rest of `Terminal::draw` (diff, escape encoding, flush).
    update: Duration,
    widgets: Duration,
    flush: Duration,
}

fn run(case: &Case, n: usize, warmup: usize, frames: usize) -> Stats {
    let mut state = loaded(n, case.images);
    for c in case.setup.chars() {
        let _ = app::update(&mut state, key(c));
    }
    let mut terminal: Terminal<CrosstermBackend<Sink>> = Terminal::with_options(
        CrosstermBackend::new(std::io::sink()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, W, H)),
        },
    )
    .expect("terminal");
    terminal
        .draw(|f| assetui::ui::draw(&state, f))
        .expect("first draw");
    // down to the end, then back up: every frame moves the cursor
    let mut down = true;
    let mut times = Vec::with_capacity(frames);
    let (mut updates, mut widgets, mut flushes) = (
        Vec::with_capacity(frames),
        Vec::with_capacity(frames),
        Vec::with_capacity(frames),
    );
    for i in 0..warmup + frames {
        let len = state.list.entries.len();
        if down && state.list.cursor + 1 >= len {
            down = false;
        } else if !down && state.list.cursor == 0 {
            down = true;
        }
        let t = Instant::now();
        let _ = app::update(&mut state, key(if down { 'j' } else { 'k' }));
        let updated = t.elapsed();
        let mut drawn = Duration::ZERO;
        terminal
            .draw(|f| {
                let d = Instant::now();
                assetui::ui::draw(&state, f);
                drawn = d.elapsed();
            })
            .expect("draw");
        let took = t.elapsed();
        if i >= warmup {
            times.push(took);
            updates.push(updated);
            widgets.push(drawn);
            flushes.push(took - updated - drawn);
        }
    }
    for v in [&mut times, &mut updates, &mut widgets, &mut flushes] {
        v.sort();
    }
    Stats {
        p50: percentile(&times, 0.5),
        p99: percentile(&times, 0.99),
        max: *times.last().expect("frames"),
        update: percentile(&updates, 0.5),
        widgets: percentile(&widgets, 0.5),
        flush: percentile(&flushes, 0.5),
    }
}

fn us(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1e6)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args.iter().any(|a| a == "--bench");
    let number = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .and_then(|n| n.parse::<usize>().ok())
    };
    // `-- --frames N`: fewer frames (e.g. under valgrind)
    let frames_arg = number("--frames");
    // `-- --assets N`: one list length only
    let assets_arg = number("--assets");
    // `-- grid`: only the cases whose name has it
    let only: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            !a.starts_with("--")
                && (*i == 0 || !matches!(args[i - 1].as_str(), "--frames" | "--assets"))
        })
        .map(|(_, a)| a)
        .collect();
    let (warmup, frames) = match (bench, frames_arg) {
        (_, Some(n)) => (n / 10, n),
        (true, None) => (200, 3000),
        (false, None) => (2, 5),
    };
    let sizes: Vec<usize> = match assets_arg {
        Some(n) => vec![n],
        None if bench => vec![100, 100_000],
        None => vec![100],
    };
    if !bench {
        eprintln!("frame: smoke run only; `cargo bench --bench frame` measures");
    }
    println!("Frame cost at {W}×{H}: one key through update() + a full draw (CrosstermBackend on io::sink), {frames} frames after {warmup} warm-up.\n");
    println!("| case | assets | p50 µs | p99 µs | max µs | p50 update | p50 ui::draw | p50 diff+encode |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for case in CASES {
        if !only.is_empty() && !only.iter().any(|o| case.name.contains(o.as_str())) {
            continue;
        }
        for &n in &sizes {
            let s = run(case, n, warmup, frames);
            println!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                case.name,
                n,
                us(s.p50),
                us(s.p99),
                us(s.max),
                us(s.update),
                us(s.widgets),
                us(s.flush)
            );
        }
    }
}
