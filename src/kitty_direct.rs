//! Kitty graphics by direct placement, for the terminals that speak the
//! kitty protocol but not its Unicode placeholders (kitty < 0.28, Konsole,
//! terminals that did not say who they are): ratatui-image only places
//! kitty images with placeholders (`U=1`), which kitty 0.26 rejects
//! (`invalid key character: 0x55`) and draws as boxes.
//!
//! An image is sent once (`a=t`, by id, RGBA) and placed with `a=p` at its
//! top-left cell: that cell's symbol holds the placement command (after
//! erasing the text under the image), the other cells of its rectangle are
//! skipped by ratatui's diff. A placement stays on the screen until it is
//! deleted, whatever text is written over it, so [`Placements`] looks at
//! every finished frame ([`Placements::settle`]) and deletes (`a=d`) the
//! placements that are no longer in it (scrolled away, moved, or covered —
//! even partly — by a popup), sends the images newly placed, and frees the
//! images dropped from the store. A full repaint (resize, resume) deletes
//! every placement and sends images again ([`Placements::reset`]).
//! Nothing is written to a terminal in which nothing was ever placed.
//!
//! Every command says `q=2`: the terminal answers nothing, so no answer
//! can reach the input reader.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use base64::Engine as _;
use image::DynamicImage;
use ratatui::buffer::{Buffer, CellDiffOption};
use ratatui::layout::{Rect, Size};

/// The marker that starts a placement command in an anchor cell's symbol.
const PLACE: &str = "\x1b_Ga=p,";
/// Base64 characters in one chunk of a transmission (the protocol's limit).
const CHUNK_CHARS: usize = 4096;

/// Image ids: from a base that depends on the process, so two programs in
/// one window rarely pick the same ids.
static NEXT_ID: AtomicU32 = AtomicU32::new(0);

fn next_id() -> u32 {
    let base = ((std::process::id() & 0x7fff) << 16) | 1;
    let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    base.wrapping_add(n).max(1)
}

thread_local! {
    /// Images drawn into the frame being rendered (on this thread), for
    /// [`Placements::settle`] to send the ones the terminal has not got.
    static DRAWN: RefCell<Vec<Arc<Encoded>>> = const { RefCell::new(Vec::new()) };
    /// Ids of images dropped on this thread, to free in the terminal.
    static DROPPED: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

struct Encoded {
    id: u32,
    /// The `a=t` transmission, all chunks.
    transmit: String,
}

impl Drop for Encoded {
    fn drop(&mut self) {
        let _ = DROPPED.try_with(|d| d.borrow_mut().push(self.id));
    }
}

/// One image ready to be placed: its transmission and its size in cells.
#[derive(Clone)]
pub struct KittyImage {
    encoded: Arc<Encoded>,
    size: Size,
}

impl KittyImage {
    /// Encodes `img` (already at its final pixel size) to fill `size` cells.
    pub fn new(img: &DynamicImage, size: Size) -> KittyImage {
        let id = next_id();
        let rgba = img.to_rgba8();
        let data = base64::engine::general_purpose::STANDARD.encode(rgba.as_raw());
        KittyImage {
            encoded: Arc::new(Encoded {
                id,
                transmit: transmission(id, rgba.width(), rgba.height(), &data),
            }),
            size,
        }
    }

    pub fn id(&self) -> u32 {
        self.encoded.id
    }

    /// Its size in cells.
    pub fn size(&self) -> Size {
        self.size
    }

    /// Draws the image at the top-left of `area` (clipped to it and to the
    /// buffer): the placement command in the first cell, the others
    /// skipped. Nothing is drawn in an empty area.
    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        let area = Rect::new(area.x, area.y, self.size.width, self.size.height)
            .intersection(area)
            .intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let symbol = anchor(self.encoded.id, area);
        for y in area.top()..area.bottom() {
            for x in area.left()..area.right() {
                if let Some(cell) = buf.cell_mut((x, y)) {
                    if (x, y) == (area.x, area.y) {
                        cell.reset();
                        cell.set_symbol(&symbol)
                            .set_diff_option(CellDiffOption::ForcedWidth(
                                std::num::NonZeroU16::MIN,
                            ));
                    } else {
                        cell.reset();
                        cell.set_diff_option(CellDiffOption::Skip);
                    }
                }
            }
        }
        let _ = DRAWN.try_with(|d| d.borrow_mut().push(self.encoded.clone()));
    }
}

/// The `a=t` commands that send an RGBA image (base64 `data`) as `id`.
fn transmission(id: u32, w: u32, h: u32, data: &str) -> String {
    let mut out = String::with_capacity(data.len() + data.len() / CHUNK_CHARS * 16 + 64);
    let chunks: Vec<&[u8]> = data.as_bytes().chunks(CHUNK_CHARS).collect();
    let last = chunks.len().saturating_sub(1);
    if chunks.is_empty() {
        let _ = write!(out, "\x1b_Ga=t,i={id},f=32,s={w},v={h},q=2;\x1b\\");
    }
    for (n, chunk) in chunks.into_iter().enumerate() {
        let more = u8::from(n < last);
        if n == 0 {
            let _ = write!(out, "\x1b_Ga=t,i={id},f=32,s={w},v={h},q=2,m={more};");
        } else {
            let _ = write!(out, "\x1b_Gq=2,m={more};");
        }
        // base64 is ASCII
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push_str("\x1b\\");
    }
    out
}

/// The placement id for an image whose top-left cell is (x, y): a move is
/// a new placement (and the old one is deleted).
fn placement_id(x: u16, y: u16) -> u32 {
    ((u32::from(y) + 1) << 16) | u32::from(x)
}

/// The anchor cell's symbol: erase the text under the image, go back to
/// the anchor, place the image without moving the cursor, then one space
/// so the cursor is where ratatui expects it (one cell on).
fn anchor(id: u32, area: Rect) -> String {
    let mut s = String::with_capacity(32 + 16 * usize::from(area.height));
    for row in area.top()..area.bottom() {
        let _ = write!(s, "\x1b[{};{}H\x1b[{}X", row + 1, area.x + 1, area.width);
    }
    let _ = write!(
        s,
        "\x1b[{};{}H{PLACE}i={id},p={},c={},r={},C=1,q=2\x1b\\ ",
        area.y + 1,
        area.x + 1,
        placement_id(area.x, area.y),
        area.width,
        area.height
    );
    s
}

/// A placement found in a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Placed {
    image: u32,
    placement: u32,
}

/// Reads `i`, `p`, `c`, `r` from an anchor symbol.
fn parse_anchor(symbol: &str) -> Option<(Placed, u16, u16)> {
    let at = symbol.find(PLACE)?;
    let rest = &symbol[at + PLACE.len()..];
    let keys = &rest[..rest.find('\x1b')?];
    let get = |k: &str| -> Option<u32> {
        keys.split(',')
            .find_map(|kv| kv.strip_prefix(k)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
    };
    let placed = Placed {
        image: get("i")?,
        placement: get("p")?,
    };
    let c = u16::try_from(get("c")?).ok()?;
    let r = u16::try_from(get("r")?).ok()?;
    Some((placed, c, r))
}

/// The placements on the screen and the images the terminal holds, for
/// one terminal.
#[derive(Default)]
pub struct Placements {
    /// On the screen now (as of the last frame settled).
    shown: HashSet<Placed>,
    /// Image ids the terminal holds.
    sent: HashSet<u32>,
    /// Something was placed once: only then are deletions written.
    active: bool,
}

impl Placements {
    /// Whether anything was ever placed in this terminal.
    pub fn active(&self) -> bool {
        self.active
    }

    /// Looks at a finished frame before it is flushed, and writes to `out`
    /// (which must reach the terminal before the frame does) the deletions
    /// of the placements gone from it and the images its placements need.
    /// A placement whose rectangle was partly drawn over (a popup) is
    /// taken out of the frame first.
    pub fn settle(&mut self, buf: &mut Buffer, out: &mut impl Write) -> io::Result<()> {
        let drawn: Vec<Arc<Encoded>> = DRAWN
            .try_with(|d| std::mem::take(&mut *d.borrow_mut()))
            .unwrap_or_default();
        let dropped: Vec<u32> = DROPPED
            .try_with(|d| std::mem::take(&mut *d.borrow_mut()))
            .unwrap_or_default();
        let mut now: HashMap<Placed, ()> = HashMap::new();
        if !drawn.is_empty() || !self.shown.is_empty() {
            let area = buf.area;
            for y in area.top()..area.bottom() {
                for x in area.left()..area.right() {
                    let Some((placed, w, h)) =
                        buf.cell((x, y)).and_then(|c| parse_anchor(c.symbol()))
                    else {
                        continue;
                    };
                    let rect = Rect::new(x, y, w, h);
                    if intact(buf, rect) {
                        now.insert(placed, ());
                    } else {
                        uncover(buf, rect);
                    }
                }
            }
        }
        let mut bytes = String::new();
        for gone in self.shown.iter().filter(|p| !now.contains_key(p)) {
            let _ = write!(
                bytes,
                "\x1b_Ga=d,d=i,i={},p={},q=2\x1b\\",
                gone.image, gone.placement
            );
        }
        for id in dropped {
            if self.sent.remove(&id) {
                let _ = write!(bytes, "\x1b_Ga=d,d=I,i={id},q=2\x1b\\");
            }
        }
        let images: HashSet<u32> = now.keys().map(|p| p.image).collect();
        for e in &drawn {
            if images.contains(&e.id) && self.sent.insert(e.id) {
                bytes.push_str(&e.transmit);
            }
        }
        self.active |= !now.is_empty();
        self.shown = now.into_keys().collect();
        if bytes.is_empty() {
            return Ok(());
        }
        out.write_all(bytes.as_bytes())
    }

    /// Before a full repaint (resize, resume after a suspend): deletes
    /// every placement and image of ours, so the repaint places and sends
    /// them again. Writes nothing if nothing was ever placed.
    pub fn reset(&mut self, out: &mut impl Write) -> io::Result<()> {
        if !self.active {
            return Ok(());
        }
        let mut bytes = String::new();
        for id in self.sent.drain() {
            let _ = write!(bytes, "\x1b_Ga=d,d=I,i={id},q=2\x1b\\");
        }
        self.shown.clear();
        out.write_all(bytes.as_bytes())
    }
}

/// Whether every cell of the image's rectangle but the anchor is still
/// skipped (nothing was drawn over it).
fn intact(buf: &Buffer, rect: Rect) -> bool {
    if rect.intersection(buf.area) != rect {
        return false;
    }
    rect.positions()
        .filter(|&p| (p.x, p.y) != (rect.x, rect.y))
        .all(|p| {
            buf.cell(p)
                .is_some_and(|c| c.diff_option == CellDiffOption::Skip)
        })
}

/// Takes a covered image out of the frame: its anchor becomes a blank
/// and its skipped cells are drawn again (as blanks where nothing else
/// was drawn).
fn uncover(buf: &mut Buffer, rect: Rect) {
    for p in rect.intersection(buf.area).positions() {
        if let Some(cell) = buf.cell_mut(p) {
            if (p.x, p.y) == (rect.x, rect.y) || cell.diff_option == CellDiffOption::Skip {
                cell.reset();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::widgets::{Clear, Widget};

    fn image(w: u32, h: u32) -> DynamicImage {
        DynamicImage::ImageRgba8(image::RgbaImage::from_fn(w, h, |x, y| {
            image::Rgba([x as u8, y as u8, 7, 255])
        }))
    }

    fn text(out: &[u8]) -> String {
        String::from_utf8_lossy(out).into_owned()
    }

    /// Every graphics command in `s`: the key list before `;` or ESC.
    fn commands(s: &str) -> Vec<String> {
        s.split("\x1b_G")
            .skip(1)
            .map(|c| c[..c.find([';', '\x1b']).unwrap_or(c.len())].to_owned())
            .collect()
    }

    #[test]
    fn the_transmission_is_chunked_rgba_without_placeholders() {
        let img = KittyImage::new(&image(40, 40), Size::new(4, 2));
        let t = &img.encoded.transmit;
        let cmds = commands(t);
        // 40×40 RGBA = 6400 bytes → 8536 base64 chars → 3 chunks
        assert_eq!(cmds.len(), 3, "{cmds:?}");
        assert_eq!(
            cmds[0],
            format!("a=t,i={},f=32,s=40,v=40,q=2,m=1", img.id())
        );
        assert_eq!(cmds[1], "q=2,m=1");
        assert_eq!(cmds[2], "q=2,m=0");
        assert!(
            !t.contains("U=1") && !t.contains("a=T"),
            "no virtual placement"
        );
        let payload: String = t
            .split("\x1b_G")
            .skip(1)
            .map(|c| &c[c.find(';').unwrap() + 1..c.find('\x1b').unwrap()])
            .collect();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(payload)
            .unwrap();
        assert_eq!(raw, image(40, 40).to_rgba8().into_raw());
    }

    #[test]
    fn rendering_writes_one_anchor_and_skips_the_rest() {
        let img = KittyImage::new(&image(20, 20), Size::new(3, 2));
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 5));
        img.render(Rect::new(2, 1, 5, 3), &mut buf);
        let a = buf[(2, 1)].symbol().to_owned();
        assert!(
            a.starts_with("\x1b[2;3H\x1b[3X\x1b[3;3H\x1b[3X\x1b[2;3H\x1b_Ga=p,"),
            "{a:?}"
        );
        assert!(a.ends_with(&format!(
            "i={},p={},c=3,r=2,C=1,q=2\x1b\\ ",
            img.id(),
            placement_id(2, 1)
        )));
        for (x, y) in [(3, 1), (4, 1), (2, 2), (3, 2), (4, 2)] {
            assert_eq!(buf[(x, y)].diff_option, CellDiffOption::Skip, "({x},{y})");
        }
        assert_eq!(buf[(5, 1)].diff_option, CellDiffOption::None);
        assert_eq!(buf[(2, 3)].diff_option, CellDiffOption::None);
        // clipped by the area and the buffer
        let mut small = Buffer::empty(Rect::new(0, 0, 3, 3));
        img.render(Rect::new(2, 2, 5, 5), &mut small);
        assert!(small[(2, 2)].symbol().contains("c=1,r=1"));
        DRAWN.with(|d| d.borrow_mut().clear());
    }

    /// One frame: `draw` renders into a fresh buffer, then the tracker
    /// settles it; returns what it wrote and the buffer.
    fn frame(tracker: &mut Placements, draw: impl FnOnce(&mut Buffer)) -> (String, Buffer) {
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 10));
        draw(&mut buf);
        let mut out = Vec::new();
        tracker.settle(&mut buf, &mut out).unwrap();
        (text(&out), buf)
    }

    #[test]
    fn an_image_is_sent_once_and_deleted_when_it_scrolls_away() {
        let mut t = Placements::default();
        let img = KittyImage::new(&image(10, 10), Size::new(2, 1));
        let id = img.id();
        let (out, _) = frame(&mut t, |b| img.render(Rect::new(0, 0, 4, 2), b));
        assert_eq!(
            commands(&out)[0],
            format!("a=t,i={id},f=32,s=10,v=10,q=2,m=0")
        );
        // the same frame again: nothing to send or delete
        let (out, _) = frame(&mut t, |b| img.render(Rect::new(0, 0, 4, 2), b));
        assert_eq!(out, "");
        // scrolled one row down: the old placement goes, no new transmission
        let (out, buf) = frame(&mut t, |b| img.render(Rect::new(0, 1, 4, 2), b));
        assert_eq!(
            commands(&out),
            vec![format!("a=d,d=i,i={id},p={},q=2", placement_id(0, 0))]
        );
        assert!(buf[(0, 1)]
            .symbol()
            .contains(&format!("p={}", placement_id(0, 1))));
        // scrolled out of the list
        let (out, _) = frame(&mut t, |_| {});
        assert_eq!(
            commands(&out),
            vec![format!("a=d,d=i,i={id},p={},q=2", placement_id(0, 1))]
        );
        let (out, _) = frame(&mut t, |_| {});
        assert_eq!(out, "");
        // dropped from the store: freed in the terminal
        drop(img);
        let (out, _) = frame(&mut t, |_| {});
        assert_eq!(commands(&out), vec![format!("a=d,d=I,i={id},q=2")]);
    }

    #[test]
    fn a_popup_over_part_of_an_image_deletes_it_and_sends_nothing() {
        let mut t = Placements::default();
        let shown = KittyImage::new(&image(10, 10), Size::new(4, 3));
        let (out, _) = frame(&mut t, |b| shown.render(Rect::new(0, 0, 4, 3), b));
        assert!(out.contains("a=t,"));
        // a popup (Clear + text) covers the lower right corner
        let (out, buf) = frame(&mut t, |b| {
            shown.render(Rect::new(0, 0, 4, 3), b);
            Clear.render(Rect::new(2, 2, 6, 3), b);
        });
        assert_eq!(
            commands(&out),
            vec![format!(
                "a=d,d=i,i={},p={},q=2",
                shown.id(),
                placement_id(0, 0)
            )]
        );
        // the anchor and the uncovered cells are drawn as blanks again
        assert_eq!(buf[(0, 0)].symbol(), " ");
        assert_eq!(buf[(1, 1)].diff_option, CellDiffOption::None);
        // an image first drawn under a popup is not sent until it shows
        let hidden = KittyImage::new(&image(10, 10), Size::new(4, 3));
        let (out, _) = frame(&mut t, |b| {
            hidden.render(Rect::new(10, 0, 4, 3), b);
            Clear.render(Rect::new(9, 0, 3, 3), b);
        });
        assert_eq!(out, "");
        let (out, _) = frame(&mut t, |b| hidden.render(Rect::new(10, 0, 4, 3), b));
        assert!(
            commands(&out)[0].starts_with(&format!("a=t,i={},", hidden.id())),
            "{out:?}"
        );
    }

    #[test]
    fn a_resize_deletes_everything_and_the_repaint_sends_again() {
        let mut t = Placements::default();
        let mut out = Vec::new();
        t.reset(&mut out).unwrap();
        assert!(
            out.is_empty(),
            "nothing is written where nothing was placed"
        );
        let (none, _) = frame(&mut t, |_| {});
        assert_eq!(none, "");
        assert!(!t.active());
        let img = KittyImage::new(&image(10, 10), Size::new(2, 2));
        frame(&mut t, |b| img.render(Rect::new(1, 1, 2, 2), b));
        t.reset(&mut out).unwrap();
        assert_eq!(
            commands(&text(&out)),
            vec![format!("a=d,d=I,i={},q=2", img.id())]
        );
        let (again, _) = frame(&mut t, |b| img.render(Rect::new(1, 1, 2, 2), b));
        assert!(again.contains(&format!("a=t,i={},", img.id())));
        // the placements are not deleted again: the reset did it
        assert!(!again.contains("a=d"));
    }
}
