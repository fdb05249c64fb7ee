//! Asking the terminal what it can draw, on the calling thread, with a
//! deadline, leaving nothing behind.
//!
//! The probe writes up to six queries ([`Query`]) — the kitty graphics
//! query, the cell size in pixels (`CSI 16 t`), the window size in pixels
//! (`CSI 14 t`), the terminal's name and version (XTVERSION, `CSI > q`),
//! the number of sixel colour registers (XTSMGRAPHICS, `CSI ? 1 ; 1 ; 0 S`)
//! and its background colour (OSC 11, for the theme) — and last Primary
//! Device Attributes (`CSI c`), which virtually every terminal (and tmux
//! itself) answers. Terminals answer in order, so the DA1 answer ends the
//! probe: usually within milliseconds. A terminal that answers nothing ends
//! it at the deadline. Reading is `poll(2)` plus non-blocking reads on the
//! caller's file descriptor, and stops exactly when the probe is done: no
//! thread, no read left waiting for a key.
//!
//! Inside tmux nothing is wrapped in tmux's passthrough: tmux answers DA1
//! and XTVERSION itself, and the outer terminal's answers to passed-through
//! queries are not forwarded to the pane (tmux 3.3a) or would arrive after
//! tmux's DA1 answer, where the browser's input reader would take them for
//! keys.
//!
//! The user may type while the probe reads: every byte that is not an
//! answer is parsed into crossterm key events ([`Splitter`]) and handed back
//! in order, for the caller to process before its own input reader starts.
//! Mouse reports are dropped; sequences it does not know are logged, never
//! turned into keys.
//!
//! The caller must have the terminal in raw mode (answers are not lines).

use std::io::{self, Read};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};

/// How long a terminal that answers nothing is waited for.
pub const DEADLINE: Duration = Duration::from_millis(500);
/// Longest sequence kept while waiting for its end; longer is dropped.
const MAX_SEQUENCE: usize = 256;
/// Longest XTVERSION text kept.
const MAX_VERSION: usize = 80;

/// What the terminal said.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    /// The DA1 answer came (the terminal talks back at all).
    pub answered: bool,
    /// The kitty graphics query was answered `OK`.
    pub kitty: bool,
    /// DA1 lists attribute 4 (sixel graphics).
    pub sixel: bool,
    /// One cell in pixels (width, height), from `CSI 16 t`.
    pub cell_px: Option<(u16, u16)>,
    /// The text area in pixels (width, height), from `CSI 14 t`.
    pub window_px: Option<(u16, u16)>,
    /// XTVERSION's text (`kitty(0.35.2)`, `tmux 3.3a`), sanitized.
    pub version: Option<String>,
    /// The DA1 attributes (`4`: sixel); empty in entries remembered
    /// before they were kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub da1: Vec<u16>,
    /// The background colour (OSC 11), 8 bits a channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<(u8, u8, u8)>,
    /// The sixel colour registers (XTSMGRAPHICS `CSI ? 1 ; 0 ; N S`);
    /// `None` when the terminal did not say (not asked, no answer, or an
    /// error status).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sixel_registers: Option<u16>,
}

/// Which questions a probe asks; DA1 always comes last and ends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Query {
    /// The kitty graphics query, cell and window sizes, XTVERSION.
    pub graphics: bool,
    /// XTSMGRAPHICS, the sixel colour registers. Terminals without it
    /// ignore it, but kitty logs each one as a parse error.
    pub registers: bool,
    /// OSC 11, the background colour.
    pub background: bool,
}

impl Query {
    /// Everything.
    pub const ALL: Query = Query {
        graphics: true,
        registers: true,
        background: true,
    };

    /// The bytes the probe writes.
    pub fn bytes(self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.graphics {
            out.extend_from_slice(
                b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\\x1b[16t\x1b[14t\x1b[>q",
            );
        }
        if self.registers {
            out.extend_from_slice(b"\x1b[?1;1;0S");
        }
        if self.background {
            out.extend_from_slice(b"\x1b]11;?\x1b\\");
        }
        out.extend_from_slice(b"\x1b[c");
        out
    }
}

/// The answers and the keys typed meanwhile.
#[derive(Debug, Default)]
pub struct Outcome {
    pub answers: Answers,
    /// Keys the user typed during the probe, in order.
    pub keys: Vec<KeyEvent>,
    /// How long the probe took.
    pub elapsed: Duration,
}

/// Writes the queries, then reads until the DA1 answer or `deadline`
/// ([`listen`]). `term` is the terminal, or in tests one end of a socket.
#[cfg(test)]
pub fn probe<T: Read + io::Write + AsFd>(term: &mut T, deadline: Duration) -> io::Result<Outcome> {
    let started = Instant::now();
    term.write_all(&Query::ALL.bytes())?;
    term.flush()?;
    listen(term, started, deadline)
}

/// Reads the answers to [`query`] (written at `started` by the caller, in
/// order with its other output) until the DA1 answer or `started +
/// deadline`, then whatever else is already there, and stops. Reads never
/// block: the descriptor is polled and made non-blocking (on a `/dev/tty`
/// opened for the probe that flag is its own).
pub fn listen<T: Read + AsFd>(
    term: &mut T,
    started: Instant,
    deadline: Duration,
) -> io::Result<Outcome> {
    set_nonblocking(term.as_fd())?;
    let mut splitter = Splitter::default();
    let mut buf = [0u8; 1024];
    let mut done = false;
    loop {
        let wait = if done {
            Duration::ZERO
        } else {
            match deadline.checked_sub(started.elapsed()) {
                Some(left) if !left.is_zero() => left,
                _ => break,
            }
        };
        if !readable(term.as_fd(), wait)? {
            break;
        }
        match term.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => done |= splitter.push(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if done {
                    break;
                }
            }
            Err(e) => return Err(e),
        }
    }
    let (answers, keys) = splitter.finish();
    Ok(Outcome {
        answers,
        keys,
        elapsed: started.elapsed(),
    })
}

/// Opens the controlling terminal for a probe (its own open file, so the
/// non-blocking flag set on it touches no other reader).
pub fn open_tty() -> io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
}

fn set_nonblocking(fd: impl AsFd) -> io::Result<()> {
    use rustix::fs::{fcntl_getfl, fcntl_setfl, OFlags};
    let flags = fcntl_getfl(&fd)?;
    fcntl_setfl(&fd, flags | OFlags::NONBLOCK)?;
    Ok(())
}

/// Whether `fd` has bytes (or an end) within `wait`; EINTR (a resize) is
/// retried with what is left.
fn readable(fd: impl AsFd, wait: Duration) -> io::Result<bool> {
    use rustix::event::{poll, PollFd, PollFlags, Timespec};
    let until = Instant::now() + wait;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        let timeout = Timespec {
            tv_sec: i64::try_from(left.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: i64::from(left.subsec_nanos()),
        };
        let mut fds = [PollFd::new(&fd, PollFlags::IN)];
        match poll(&mut fds, Some(&timeout)) {
            Ok(n) => return Ok(n > 0),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// One thing found in the bytes read.
#[derive(Debug, PartialEq)]
enum Item {
    Kitty {
        ok: bool,
    },
    Da1(Vec<u16>),
    CellPx(u16, u16),
    WindowPx(u16, u16),
    Version(String),
    Background(u8, u8, u8),
    /// XTSMGRAPHICS about the colour registers: their number, `None` for
    /// an error status.
    Registers(Option<u16>),
    Key(KeyEvent),
    /// A mouse report (mouse capture is on): dropped quietly.
    Mouse,
    /// Something else: logged, dropped.
    Unknown(Vec<u8>),
}

/// The result of parsing at the start of the buffer.
enum Parsed {
    Item(Item, usize),
    /// The sequence has not ended yet.
    More,
}

/// Splits what the terminal sent during the probe into its answers and the
/// keys the user typed, in order. Bytes may arrive in any pieces.
#[derive(Default)]
pub struct Splitter {
    buf: Vec<u8>,
    answers: Answers,
    keys: Vec<KeyEvent>,
}

impl Splitter {
    /// Takes more bytes; true once the DA1 answer was seen.
    pub fn push(&mut self, bytes: &[u8]) -> bool {
        self.buf.extend_from_slice(bytes);
        self.drain(false);
        self.answers.answered
    }

    /// No more bytes come: what is left is taken as it is (a lone ESC is the
    /// Esc key); returns the answers and the keys.
    pub fn finish(mut self) -> (Answers, Vec<KeyEvent>) {
        self.drain(true);
        (self.answers, self.keys)
    }

    fn drain(&mut self, last: bool) {
        let mut at = 0;
        while at < self.buf.len() {
            let rest = &self.buf[at..];
            let (item, used) = match parse(rest) {
                Parsed::Item(item, used) => (item, used),
                Parsed::More if last || rest.len() > MAX_SEQUENCE => {
                    if rest == b"\x1b" {
                        (Item::Key(KeyCode::Esc.into()), 1)
                    } else {
                        (Item::Unknown(rest.to_vec()), rest.len())
                    }
                }
                Parsed::More => break,
            };
            at += used.max(1);
            self.take(item);
        }
        self.buf.drain(..at);
    }

    fn take(&mut self, item: Item) {
        let a = &mut self.answers;
        match item {
            Item::Kitty { ok } => a.kitty |= ok,
            Item::Da1(attrs) => {
                a.answered = true;
                a.sixel |= attrs.contains(&4);
                a.da1 = attrs;
            }
            Item::CellPx(w, h) => a.cell_px = Some((w, h)).filter(|&(w, h)| w > 0 && h > 0),
            Item::WindowPx(w, h) => a.window_px = Some((w, h)).filter(|&(w, h)| w > 0 && h > 0),
            Item::Version(v) => a.version = Some(v),
            Item::Background(r, g, b) => a.background = Some((r, g, b)),
            Item::Registers(n) => a.sixel_registers = n.filter(|&n| n > 0),
            Item::Key(k) => self.keys.push(k),
            Item::Mouse => {}
            Item::Unknown(bytes) => {
                tracing::debug!(bytes = ?String::from_utf8_lossy(&bytes), "unknown input during the terminal probe");
            }
        }
    }
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Item {
    Item::Key(KeyEvent::new(code, modifiers))
}

/// Parses one item at the start of `b` (not empty).
fn parse(b: &[u8]) -> Parsed {
    let item = match b[0] {
        0x1b => return escape(b),
        b'\r' => key(KeyCode::Enter, KeyModifiers::NONE),
        b'\t' => key(KeyCode::Tab, KeyModifiers::NONE),
        0x7f => key(KeyCode::Backspace, KeyModifiers::NONE),
        0 => key(KeyCode::Char(' '), KeyModifiers::CONTROL),
        c @ 0x01..=0x1a => key(KeyCode::Char((c - 1 + b'a') as char), KeyModifiers::CONTROL),
        c @ 0x1c..=0x1f => key(
            KeyCode::Char((c - 0x1c + b'4') as char),
            KeyModifiers::CONTROL,
        ),
        _ => return utf8(b),
    };
    Parsed::Item(item, 1)
}

/// A printable character (crossterm marks upper case with SHIFT).
fn utf8(b: &[u8]) -> Parsed {
    let need = match b[0] {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return Parsed::Item(Item::Unknown(b[..1].to_vec()), 1),
    };
    if b.len() < need {
        if b[1..].iter().all(|&c| (0x80..=0xbf).contains(&c)) {
            return Parsed::More;
        }
        return Parsed::Item(Item::Unknown(b[..1].to_vec()), 1);
    }
    match std::str::from_utf8(&b[..need])
        .ok()
        .and_then(|s| s.chars().next())
    {
        Some(c) if !c.is_control() => {
            let m = if c.is_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            Parsed::Item(key(KeyCode::Char(c), m), need)
        }
        _ => Parsed::Item(Item::Unknown(b[..1].to_vec()), 1),
    }
}

fn escape(b: &[u8]) -> Parsed {
    let Some(&second) = b.get(1) else {
        return Parsed::More;
    };
    match second {
        b'[' => csi(b),
        b'O' => match b.get(2) {
            None => Parsed::More,
            Some(&c) => {
                let item = match c {
                    b'A'..=b'D' | b'H' | b'F' => arrow(c, KeyModifiers::NONE),
                    b'P'..=b'S' => key(KeyCode::F(1 + c - b'P'), KeyModifiers::NONE),
                    _ => Item::Unknown(b[..3].to_vec()),
                };
                Parsed::Item(item, 3)
            }
        },
        b'_' | b'P' | b']' => string(b),
        // Esc pressed twice: one Esc, then the next ESC is parsed on its own
        0x1b => Parsed::Item(key(KeyCode::Esc, KeyModifiers::NONE), 1),
        _ => match parse(&b[1..]) {
            Parsed::More => Parsed::More,
            Parsed::Item(Item::Key(mut k), used) => {
                k.modifiers |= KeyModifiers::ALT;
                Parsed::Item(Item::Key(k), used + 1)
            }
            Parsed::Item(other, used) => Parsed::Item(other, used + 1),
        },
    }
}

/// An APC, DCS or OSC string: up to ST (`ESC \`) or BEL.
fn string(b: &[u8]) -> Parsed {
    let mut i = 2;
    let (body, used) = loop {
        match b.get(i) {
            None => return Parsed::More,
            Some(0x07) => break (&b[2..i], i + 1),
            Some(0x1b) => match b.get(i + 1) {
                None => return Parsed::More,
                Some(b'\\') => break (&b[2..i], i + 2),
                // a string cut short by a new sequence
                Some(_) => return Parsed::Item(Item::Unknown(b[..i].to_vec()), i),
            },
            Some(_) => i += 1,
        }
    };
    let text = String::from_utf8_lossy(body);
    let item = match b[1] {
        b'_' if text.starts_with("Gi=31") => Item::Kitty {
            ok: text.split_once(';').is_some_and(|(_, m)| m == "OK"),
        },
        b'P' if text.starts_with(">|") => {
            Item::Version(crate::sanitize::line(&text[2..], MAX_VERSION))
        }
        b']' => match text.strip_prefix("11;").and_then(rgb) {
            Some((r, g, b)) => Item::Background(r, g, b),
            None => Item::Unknown(b[..used].to_vec()),
        },
        _ => Item::Unknown(b[..used].to_vec()),
    };
    Parsed::Item(item, used)
}

/// `rgb:RRRR/GGGG/BBBB` (1 to 4 hex digits a channel) in 8 bits a channel.
fn rgb(text: &str) -> Option<(u8, u8, u8)> {
    let mut channels = text.strip_prefix("rgb:")?.split('/').map(|c| {
        let v = u32::from_str_radix(c, 16).ok()?;
        let max = (1u32
            << (4 * u32::try_from(c.len())
                .ok()
                .filter(|n| (1..=4).contains(n))?))
            - 1;
        u8::try_from(v * 255 / max).ok()
    });
    let rgb = (channels.next()??, channels.next()??, channels.next()??);
    channels.next().is_none().then_some(rgb)
}

fn csi(b: &[u8]) -> Parsed {
    // ESC [ params (0x30–0x3f) intermediates (0x20–0x2f) final (0x40–0x7e)
    let mut i = 2;
    let end = loop {
        match b.get(i) {
            None => return Parsed::More,
            Some(0x40..=0x7e) => break i,
            Some(0x20..=0x3f) => i += 1,
            // not a sequence: drop what came so far, parse the rest anew
            Some(_) => return Parsed::Item(Item::Unknown(b[..i].to_vec()), i),
        }
    };
    let params = &b[2..end];
    let fin = b[end];
    let used = end + 1;
    // the old X10 mouse report: three more bytes
    if fin == b'M' && params.is_empty() {
        return if b.len() < used + 3 {
            Parsed::More
        } else {
            Parsed::Item(Item::Mouse, used + 3)
        };
    }
    let text = String::from_utf8_lossy(params);
    let numbers = |s: &str| -> Option<Vec<u16>> {
        if s.is_empty() {
            return Some(Vec::new());
        }
        s.split(';').map(|n| n.parse().ok()).collect()
    };
    let unknown = || Item::Unknown(b[..used].to_vec());
    let item = if let Some(rest) = text.strip_prefix('?') {
        // kitty ends its DA1 list with an empty parameter (`ESC [ ? 62 ; c`)
        let rest = rest.strip_suffix(';').unwrap_or(rest);
        match (fin, numbers(rest).as_deref()) {
            (b'c', Some(attrs)) => Item::Da1(attrs.to_vec()),
            // XTSMGRAPHICS: item 1 (colour registers), status 0 (success)
            // and the value; any other status (xterm without sixel: 3)
            // has no value
            (b'S', Some([1, 0, n])) => Item::Registers(Some(*n)),
            (b'S', Some([1, status, ..])) if *status != 0 => Item::Registers(None),
            _ => unknown(),
        }
    } else if text.starts_with('<') && matches!(fin, b'M' | b'm') {
        Item::Mouse
    } else {
        match (fin, numbers(&text).as_deref()) {
            (b't', Some([6, h, w])) => Item::CellPx(*w, *h),
            (b't', Some([4, h, w])) => Item::WindowPx(*w, *h),
            (b'A'..=b'D' | b'H' | b'F', Some([] | [1])) => arrow(fin, KeyModifiers::NONE),
            (b'A'..=b'D' | b'H' | b'F', Some([1, m])) => arrow(fin, modifiers(*m)),
            (b'P'..=b'S', Some([1, m])) => key(KeyCode::F(1 + fin - b'P'), modifiers(*m)),
            (b'Z', Some([])) => key(KeyCode::BackTab, KeyModifiers::SHIFT),
            (b'~', Some([n])) => tilde(*n, KeyModifiers::NONE).unwrap_or_else(unknown),
            (b'~', Some([n, m])) => tilde(*n, modifiers(*m)).unwrap_or_else(unknown),
            // the answer to a query the probe did not send (a focus report...)
            _ => unknown(),
        }
    };
    Parsed::Item(item, used)
}

fn arrow(fin: u8, m: KeyModifiers) -> Item {
    let code = match fin {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        _ => KeyCode::End,
    };
    key(code, m)
}

fn tilde(n: u16, m: KeyModifiers) -> Option<Item> {
    let code = match n {
        1 | 7 => KeyCode::Home,
        2 => KeyCode::Insert,
        3 => KeyCode::Delete,
        4 | 8 => KeyCode::End,
        5 => KeyCode::PageUp,
        6 => KeyCode::PageDown,
        11..=15 => KeyCode::F((n - 10) as u8),
        17..=21 => KeyCode::F((n - 11) as u8),
        23 | 24 => KeyCode::F((n - 12) as u8),
        _ => return None,
    };
    Some(key(code, m))
}

/// xterm's modifier parameter: 1 + (shift 1, alt 2, ctrl 4, super 8).
fn modifiers(m: u16) -> KeyModifiers {
    let bits = m.saturating_sub(1);
    let mut out = KeyModifiers::NONE;
    for (bit, flag) in [
        (1, KeyModifiers::SHIFT),
        (2, KeyModifiers::ALT),
        (4, KeyModifiers::CONTROL),
        (8, KeyModifiers::SUPER),
    ] {
        if bits & bit != 0 {
            out |= flag;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn k(c: char) -> KeyEvent {
        let m = if c.is_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        KeyEvent::new(KeyCode::Char(c), m)
    }

    fn split(chunks: &[&[u8]]) -> (Answers, Vec<KeyEvent>) {
        let mut s = Splitter::default();
        for c in chunks {
            s.push(c);
        }
        s.finish()
    }

    const KITTY: &[u8] = b"\x1b_Gi=31;OK\x1b\\\x1b[6;20;10t\x1b[4;800;1000t\x1bP>|kitty(0.35.2)\x1b\\\x1b[?62;22;52c";

    #[test]
    fn kitty_answers_are_read_and_nothing_else_is_a_key() {
        let (a, keys) = split(&[KITTY]);
        assert!(a.answered && a.kitty && !a.sixel);
        assert_eq!(a.cell_px, Some((10, 20)));
        assert_eq!(a.window_px, Some((1000, 800)));
        assert_eq!(a.version.as_deref(), Some("kitty(0.35.2)"));
        assert!(keys.is_empty(), "{keys:?}");
    }

    #[test]
    fn kitty_0_26_ends_its_da1_list_with_an_empty_parameter() {
        // recorded from Debian 12's kitty under Xvfb: without the DA1
        // answer the probe would wait for its deadline
        let mut s = Splitter::default();
        let done = s.push(
            b"\x1b_Gi=31;OK\x1b\\\x1b[6;18;9t\x1b[4;396;639t\x1bP>|kitty(0.26.5)\x1b\\\x1b[?62;c",
        );
        assert!(done, "the DA1 answer ends the probe");
        let (a, keys) = s.finish();
        assert!(a.kitty && !a.sixel);
        assert_eq!(a.da1, vec![62]);
        assert_eq!(a.version.as_deref(), Some("kitty(0.26.5)"));
        assert!(keys.is_empty(), "{keys:?}");
    }

    #[test]
    fn the_background_colour_is_read() {
        // xterm's default (white), BEL-terminated, and kitty's black
        let (a, _) = split(&[b"\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b[?1;2c"]);
        assert_eq!(a.background, Some((255, 255, 255)));
        let (a, _) = split(&[b"\x1b]11;rgb:00/00/00\x07\x1b[?1;2c"]);
        assert_eq!(a.background, Some((0, 0, 0)));
        let (a, keys) = split(&[b"\x1b]11;rgb:zz/00\x1b\\\x1b[?1;2c"]);
        assert_eq!((a.background, keys.len()), (None, 0));
    }

    #[test]
    fn the_sixel_colour_registers_are_read_from_recorded_answers() {
        // recorded under Xvfb with `CSI ? 1 ; 1 ; 0 S` before OSC 11 and DA1
        let cases: [(&str, &[u8], Option<u16>); 5] = [
            (
                "xterm 379 -ti vt340",
                b"\x1b[?1;0;1024S\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b[?63;1;2;4;6;9;15;16;22;28c",
                Some(1024),
            ),
            (
                "xterm 379 -ti vt340 -xrm 'XTerm*numColorRegisters: 256'",
                b"\x1b[?1;0;256S\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b[?63;1;2;4;6;9;15;16;22;28c",
                Some(256),
            ),
            (
                // without sixel: status 3 (failure) and no value
                "xterm 379",
                b"\x1b[?1;3S\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b[?64;1;2;6;9;15;16;17;18;21;22;28c",
                None,
            ),
            (
                "mlterm 3.9.0",
                b"\x1b[?1;0;1024S\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b[?63;1;2;3;4;6;7;15;18;22;29c",
                Some(1024),
            ),
            (
                // kitty 0.26.5 does not answer (and logs the query as a
                // parse error, so it is not sent there)
                "kitty 0.26.5",
                b"\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[?62;c",
                None,
            ),
        ];
        for (who, bytes, registers) in cases {
            let (a, keys) = split(&[bytes]);
            assert!(a.answered, "{who}");
            assert_eq!(a.sixel_registers, registers, "{who}");
            assert!(keys.is_empty(), "{who}: {keys:?}");
            // the same bytes one at a time
            let chunks: Vec<&[u8]> = bytes.chunks(1).collect();
            assert_eq!(split(&chunks).0, a, "{who}");
        }
        // odd answers: another item, a status without a value, a value too
        // large, zero registers: none is a key, none is a count
        let (a, keys) =
            split(&[b"\x1b[?2;0;640;480S\x1b[?1;0S\x1b[?1;0;99999S\x1b[?1;0;0S\x1b[?1;2c"]);
        assert_eq!((a.sixel_registers, keys.len()), (None, 0));
    }

    #[test]
    fn a_query_asks_what_is_wanted_and_ends_with_da1() {
        let text = |q: Query| String::from_utf8(q.bytes()).unwrap();
        let all = text(Query::ALL);
        assert!(
            all.ends_with("\x1b[c") && all.contains("\x1b[?1;1;0S"),
            "{all:?}"
        );
        let background = text(Query {
            graphics: false,
            registers: false,
            background: true,
        });
        assert_eq!(background, "\x1b]11;?\x1b\\\x1b[c");
        let kitty = text(Query {
            registers: false,
            ..Query::ALL
        });
        assert!(
            !kitty.contains("\x1b[?1;1;0S") && kitty.contains("\x1b[>q"),
            "{kitty:?}"
        );
    }

    #[test]
    fn answers_split_at_every_byte_read_the_same() {
        let chunks: Vec<&[u8]> = KITTY.chunks(1).collect();
        let (a, keys) = split(&chunks);
        assert_eq!(a, split(&[KITTY]).0);
        assert!(keys.is_empty());
    }

    #[test]
    fn keys_typed_between_answers_come_back_in_order() {
        let (a, keys) = split(&[
            b"j",
            b"\x1b_Gi=31;ENOTSUPPORTED:no\x1b\\q\x1b[",
            b"A\xc3",
            b"\xa9\r\x1b[?1;2;4c",
        ]);
        assert!(a.answered && a.sixel && !a.kitty);
        assert_eq!(
            keys,
            vec![
                k('j'),
                k('q'),
                KeyCode::Up.into(),
                k('é'),
                KeyCode::Enter.into()
            ]
        );
    }

    #[test]
    fn common_keys_parse_like_crossterm() {
        let (_, keys) = split(&[
            b"\t\x7f\x03J\x1b[1;5B\x1bOP\x1b[5~\x1b[3;2~\x1b[15~\x1b[Z\x1bOH\x1bx\x1b[24~",
        ]);
        assert_eq!(
            keys,
            vec![
                KeyCode::Tab.into(),
                KeyCode::Backspace.into(),
                KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
                k('J'),
                KeyEvent::new(KeyCode::Down, KeyModifiers::CONTROL),
                KeyCode::F(1).into(),
                KeyCode::PageUp.into(),
                KeyEvent::new(KeyCode::Delete, KeyModifiers::SHIFT),
                KeyCode::F(5).into(),
                KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT),
                KeyCode::Home.into(),
                KeyEvent::new(KeyCode::Char('x'), KeyModifiers::ALT),
                KeyCode::F(12).into(),
            ]
        );
    }

    #[test]
    fn a_lone_escape_at_the_end_is_the_escape_key() {
        let mut s = Splitter::default();
        assert!(!s.push(b"\x1b"));
        let (_, keys) = s.finish();
        assert_eq!(keys, vec![KeyEvent::from(KeyCode::Esc)]);
    }

    #[test]
    fn mouse_reports_and_unknown_sequences_are_not_keys() {
        let (a, keys) =
            split(&[b"\x1b[<35;10;5M\x1b[M abc\x1b]11;rgb:0/0/0\x07\x1b[99x\x1b[?1;2c\x1b[I"]);
        assert!(a.answered);
        assert_eq!(keys, vec![k('c')], "only the byte after the X10 report");
    }

    #[test]
    fn a_cut_sequence_at_the_end_is_dropped_not_typed() {
        let (a, keys) = split(&[b"a\x1b[?62;2"]);
        assert!(!a.answered);
        assert_eq!(keys, vec![k('a')]);
    }

    #[test]
    fn a_hostile_version_is_sanitized() {
        let (a, keys) = split(&[b"\x1bP>|ev\xe2\x80\xaeil\xc2\x9b2J\x1b\\\x1b[?1c"]);
        assert_eq!(a.version.as_deref(), Some("evil2J"));
        assert!(keys.is_empty());
    }

    #[test]
    fn a_scripted_terminal_is_read_until_its_da1_answer() {
        use std::os::unix::net::UnixStream;
        let (mut ours, mut theirs) = UnixStream::pair().unwrap();
        let terminal = std::thread::spawn(move || {
            let mut seen = Vec::new();
            let mut buf = [0u8; 256];
            while !seen.ends_with(b"\x1b[c") {
                let n = theirs.read(&mut buf).unwrap();
                assert!(n > 0, "the probe closed before asking DA1");
                seen.extend_from_slice(&buf[..n]);
            }
            // a key typed before the answers, then the answers, then a key
            // typed after them (read only if already there)
            theirs.write_all(b"j").unwrap();
            theirs.write_all(KITTY).unwrap();
            theirs.write_all(b"k").unwrap();
            (seen, theirs)
        });
        // a deadline far beyond what the test may take: the answer ends it
        let outcome = probe(&mut ours, Duration::from_secs(60)).unwrap();
        let (seen, _theirs) = terminal.join().unwrap();
        assert_eq!(seen, Query::ALL.bytes());
        assert!(outcome.answers.kitty);
        assert_eq!(outcome.answers.cell_px, Some((10, 20)));
        assert_eq!(outcome.keys.first(), Some(&k('j')));
        assert!(outcome.elapsed < Duration::from_secs(60));
    }

    #[test]
    fn a_silent_terminal_ends_at_the_deadline_with_the_keys_typed() {
        use std::os::unix::net::UnixStream;
        let (mut ours, mut theirs) = UnixStream::pair().unwrap();
        theirs.write_all(b"q").unwrap();
        let outcome = probe(&mut ours, Duration::from_millis(50)).unwrap();
        assert!(!outcome.answers.answered);
        assert_eq!(outcome.keys, vec![k('q')]);
        drop(theirs);
    }
}
