//! The terminal: raw mode, the alternate screen and mouse capture on the
//! way in; all of it undone on every way out (quit, error, panic, signal,
//! suspend). Frames are wrapped in synchronized-update escapes.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

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

/// The frames go through std's stdout, unbuffered here: the kitty
/// placements are written to stdout directly while a frame is drawn
/// (`Placements::settle`), and a buffer of the backend's own would put
/// what it holds (a clear, deletions) after them.
pub type Backend = CrosstermBackend<Stdout>;

/// The terminal while the browser runs; dropping it restores the terminal.
pub struct Tui {
    pub terminal: Terminal<Backend>,
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
        let terminal = match Terminal::new(CrosstermBackend::new(out)) {
            Ok(t) => t,
            Err(e) => {
                restore();
                return Err(e);
            }
        };
        Ok(Tui {
            terminal,
            kitty: Default::default(),
        })
    }

    /// Draws one frame, which the terminal shows all at once. `full`
    /// repaints every cell instead of the difference from the last frame:
    /// after a resize the terminal may have lost cells even when the size
    /// came back to the one last drawn.
    pub fn draw(&mut self, full: bool, render: impl FnOnce(&mut Frame)) -> io::Result<()> {
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
        let kitty = &mut self.kitty;
        let drawn = self
            .terminal
            .draw(|f| {
                render(f);
                // the deletions and transmissions go to stdout before the
                // frame's cells (the backend writes to the same stdout)
                if let Err(e) = kitty.settle(f.buffer_mut(), &mut io::stdout()) {
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
