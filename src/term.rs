//! The terminal: raw mode, the alternate screen and mouse capture on the
//! way in; all of it undone on every way out (quit, error, panic, signal,
//! suspend). Frames are wrapped in synchronized-update escapes.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::style::Print;
use crossterm::terminal::{
    self, BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen,
    LeaveAlternateScreen,
};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::{Frame, Terminal};

/// Whether the terminal is in our mode (so restoring twice is harmless).
static ACTIVE: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// The frames go to stdout through [`Out`], which holds a frame's bytes
/// and writes them at its end: the kitty placements are written while a
/// frame is drawn (`Placements::settle`) through the same `Out`, so they
/// keep their place between the frame's opening and its cells.
pub type Backend = CrosstermBackend<Out>;

/// The bytes on their way to the terminal. While a frame is drawn they are
/// held and go out in one write at its end; otherwise a flush writes them.
/// Through std's stdout alone (a 1 KiB line buffer) a 9 KB frame was nine
/// writes, and each write to a pseudo-terminal wakes a kernel worker to
/// pass it on, which took the core from the UI mid-frame: some 200 times
/// a second while a download kept both cores busy (issue 21, item 4).
#[derive(Clone)]
pub struct Out(Arc<Mutex<Pending>>);

struct Pending {
    bytes: Vec<u8>,
    held: bool,
    /// The terminal: stdout, or what a test reads.
    sink: Box<dyn Write + Send>,
}

/// Above this, the buffer's memory is given back once written (a frame of
/// kitty transmissions can be several MB; an ordinary one is 10 KB).
const KEEP_AT_MOST: usize = 1 << 20;

impl Default for Out {
    fn default() -> Out {
        Out::to(Box::new(io::stdout()))
    }
}

impl Out {
    fn to(sink: Box<dyn Write + Send>) -> Out {
        Out(Arc::new(Mutex::new(Pending {
            bytes: Vec::new(),
            held: false,
            sink,
        })))
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        // the bytes stay usable if a panic held the lock: at worst a frame
        // is drawn twice
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Holds what is written until [`Out::release`].
    fn hold(&self) {
        self.pending().held = true;
    }

    /// Writes what is held, and what comes next as it is flushed.
    fn release(&self) -> io::Result<()> {
        let mut p = self.pending();
        p.held = false;
        p.write_out()
    }
}

impl Pending {
    fn write_out(&mut self) -> io::Result<()> {
        if self.bytes.is_empty() {
            return Ok(());
        }
        let written = self
            .sink
            .write_all(&self.bytes)
            .and_then(|()| self.sink.flush());
        // written or not, these bytes are done with: a failed frame is not
        // sent again ahead of the next one
        self.bytes.clear();
        if self.bytes.capacity() > KEEP_AT_MOST {
            self.bytes = Vec::new();
        }
        written
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending().bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let mut p = self.pending();
        if p.held {
            return Ok(());
        }
        p.write_out()
    }
}

/// The terminal while the browser runs; dropping it restores the terminal.
pub struct Tui {
    pub terminal: Terminal<Backend>,
    /// The backend's writer, shared.
    out: Out,
    /// Kitty images placed directly: deleted when they leave the frame.
    kitty: crate::kitty_direct::Placements,
}

fn enter_mode(out: &mut impl Write) -> io::Result<()> {
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(out, EnterAlternateScreen, EnableMouseCapture, cursor::Hide)
}

/// Puts the terminal back as it was. Safe to call at any time, any number
/// of times, from any thread (the panic hook calls it).
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = io::stdout();
        let _ = execute!(
            out,
            EndSynchronizedUpdate,
            DisableMouseCapture,
            LeaveAlternateScreen,
            cursor::Show
        );
        let _ = terminal::disable_raw_mode();
        let _ = out.flush();
    }
}

/// Opens a synchronized update, then writes a NUL (which terminals
/// ignore) before anything else of the frame. Kitty 0.26 to 0.32 hold a
/// synchronized frame's bytes back and replay them at its end; an escape
/// sequence that is the first thing held and that spans two of kitty's
/// reads is replayed with its introducer inside it (`Unrecognized APC
/// code: 0x9f` for an image transmission, `Invalid character in CSI` for a
/// cursor move), and kitty drops it: a thumbnail missing, or cells drawn in
/// the wrong place. Once the NUL is held, the first escape is no longer
/// the first thing held. Kitty 0.33 rewrote that parser.
fn begin_frame(out: &mut impl Write) -> io::Result<()> {
    execute!(out, BeginSynchronizedUpdate, Print('\0'))
}

impl Tui {
    /// Enters raw mode and the alternate screen, and makes sure a panic
    /// restores the terminal before its message is printed.
    pub fn enter() -> io::Result<Tui> {
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                restore();
                previous(info);
            }));
        });
        let mut out = io::stdout();
        if let Err(e) = enter_mode(&mut out) {
            restore();
            return Err(e);
        }
        let frames = Out::default();
        let terminal = match Terminal::new(CrosstermBackend::new(frames.clone())) {
            Ok(t) => t,
            Err(e) => {
                restore();
                return Err(e);
            }
        };
        Ok(Tui {
            terminal,
            out: frames,
            kitty: Default::default(),
        })
    }

    /// Draws one frame, which the terminal shows all at once. `full`
    /// repaints every cell instead of the difference from the last frame:
    /// after a resize the terminal may have lost cells even when the size
    /// came back to the one last drawn.
    pub fn draw(&mut self, full: bool, render: impl FnOnce(&mut Frame)) -> io::Result<()> {
        self.out.hold();
        let drawn = self.draw_held(full, render);
        // the whole frame in one write, even when a part of it failed (the
        // synchronized update is then closed)
        let written = self.out.release();
        drawn.and(written)
    }

    fn draw_held(&mut self, full: bool, render: impl FnOnce(&mut Frame)) -> io::Result<()> {
        begin_frame(self.terminal.backend_mut())?;
        if full {
            // `resize` clears the screen and the back buffer without asking
            // the terminal for the cursor position (`clear` would, and the
            // answer would be read by the input stream instead)
            if let Err(e) = self.repaint_all() {
                let _ = execute!(self.terminal.backend_mut(), EndSynchronizedUpdate);
                return Err(e);
            }
        }
        let (kitty, out) = (&mut self.kitty, &mut self.out);
        let drawn = self
            .terminal
            .draw(|f| {
                render(f);
                // the deletions and transmissions go out before the frame's
                // cells (the backend writes to the same `Out`, after this)
                if let Err(e) = kitty.settle(f.buffer_mut(), out) {
                    tracing::warn!(error = %e, "cannot update the kitty placements");
                }
            })
            .map(|_| ());
        let ended = execute!(self.terminal.backend_mut(), EndSynchronizedUpdate);
        drawn.and(ended)
    }

    /// Writes bytes the program built itself (an OSC 52 sequence) straight
    /// to the terminal, between frames.
    pub fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        use std::io::Write;
        let out = self.terminal.backend_mut();
        out.write_all(bytes)?;
        out.flush()
    }

    /// Ctrl-Z: restores the terminal, stops the process, and takes the
    /// terminal back when the shell resumes it (`fg`).
    pub fn suspend(&mut self) -> io::Result<()> {
        restore();
        #[cfg(unix)]
        signal_hook::low_level::raise(signal_hook::consts::SIGTSTP)?;
        // running again
        enter_mode(self.terminal.backend_mut())?;
        self.repaint_all()
    }

    /// Clears the screen and makes the next frame repaint every cell.
    /// `resize` does that without asking the terminal for the cursor
    /// position (`clear` would, and the input stream would read the
    /// answer instead).
    fn repaint_all(&mut self) -> io::Result<()> {
        self.kitty.reset(self.terminal.backend_mut())?;
        let area = self.terminal.size()?;
        self.terminal.resize(area.into())
    }

    pub fn size(&self) -> (u16, u16) {
        self.terminal
            .size()
            .map(|s| (s.width, s.height))
            .unwrap_or((80, 24))
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.kitty.reset(self.terminal.backend_mut());
        // before `restore` writes through another handle
        let _ = self.terminal.backend_mut().flush();
        restore();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::widgets::Paragraph;
    use ratatui::{TerminalOptions, Viewport};

    /// Each write the terminal would receive, as it came.
    #[derive(Clone, Default)]
    struct Writes(Arc<Mutex<Vec<Vec<u8>>>>);

    impl Write for Writes {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A `Tui` writing to `writes`, without entering any terminal's mode.
    fn tui_writing_to(writes: &Writes, width: u16, height: u16) -> Tui {
        let out = Out::to(Box::new(writes.clone()));
        let terminal = Terminal::with_options(
            CrosstermBackend::new(out.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
            },
        )
        .unwrap();
        Tui {
            terminal,
            out,
            kitty: Default::default(),
        }
    }

    fn screenful(seed: char) -> String {
        (0..40)
            .map(|row| format!("{row:03} {}", seed.to_string().repeat(100)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_frame_reaches_the_terminal_in_one_write() {
        let writes = Writes::default();
        let mut tui = tui_writing_to(&writes, 120, 40);
        for (i, seed) in ['a', 'b'].into_iter().enumerate() {
            let text = screenful(seed);
            tui.draw(i == 0, |f| f.render_widget(Paragraph::new(text), f.area()))
                .unwrap();
            let writes = writes.0.lock().unwrap();
            assert_eq!(writes.len(), i + 1, "frame {i}: one write each");
            let frame = writes.last().unwrap();
            // every cell changed: the whole screen, far above std's 1 KiB
            // line buffer, which would have made it several writes
            assert!(frame.len() > 2000, "{:?}", String::from_utf8_lossy(frame));
            assert!(frame.starts_with(b"\x1b[?2026h\0"), "opens the update");
            assert!(frame.ends_with(b"\x1b[?2026l"), "closes it");
        }
    }

    #[test]
    fn outside_a_frame_what_is_flushed_is_written_at_once() {
        let writes = Writes::default();
        let mut tui = tui_writing_to(&writes, 20, 5);
        tui.write_raw(b"\x1b]52;c;aGk=\x07").unwrap();
        assert_eq!(
            *writes.0.lock().unwrap(),
            vec![b"\x1b]52;c;aGk=\x07".to_vec()]
        );
    }
}
