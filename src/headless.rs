//! The browser without a terminal: the same `update()`, the same workers,
//! driven by injected keys, drawn on ratatui's `TestBackend`. Used by the
//! app-flow tests, the snapshot tests and the frame benchmark.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use ratatui_image::picker::Picker;
use tokio::sync::mpsc;

use crate::api::Client;
use crate::app::keymap::Keymap;
use crate::app::{self, Cmd, Msg, State};
use crate::worker::api::ApiWorker;
use crate::worker::images::{ImageDone, ImagePipeline};
use crate::worker::{Control, Workers};

pub struct Headless {
    pub state: State,
    workers: Workers,
    rx: mpsc::UnboundedReceiver<Msg>,
    /// Commands seen, for tests that check what was asked.
    pub sent: Vec<String>,
    /// What was copied: (what, route, prepared text). The system clipboard
    /// is not touched: a native copy succeeds unless `native_fails`.
    pub copied: Vec<(&'static str, crate::clipboard::Route, String)>,
    /// Where a copy goes first (as `clipboard = auto` would pick it).
    pub route: crate::clipboard::Route,
    pub native_fails: bool,
    pub quit: bool,
}

impl Headless {
    /// A browser on `client`, `width`×`height` cells; images drawn with
    /// `picker` (halfblocks keeps tests deterministic) or off with `None`.
    /// Call inside a tokio runtime; then [`Headless::start`].
    pub fn new(client: Client, picker: Option<Picker>, width: u16, height: u16) -> Headless {
        let (tx, rx) = mpsc::unbounded_channel();
        let images = picker.clone().map(|p| {
            let (itx, mut irx) = mpsc::unbounded_channel::<ImageDone>();
            let fwd = tx.clone();
            tokio::spawn(async move {
                while let Some(d) = irx.recv().await {
                    if fwd.send(Msg::Image(d)).is_err() {
                        break;
                    }
                }
            });
            ImagePipeline::spawn(reqwest::Client::new(), p, None, 4, itx)
        });
        let workers = Workers::new(ApiWorker::new(client, tx.clone()), images, tx);
        let state = State::new(
            "test".into(),
            Keymap::default(),
            picker.is_some(),
            48,
            width,
            height,
        );
        Headless {
            state,
            workers,
            rx,
            sent: Vec::new(),
            copied: Vec::new(),
            route: crate::clipboard::Route::Osc52,
            native_fails: false,
            quit: false,
        }
    }

    pub fn start(&mut self) {
        let cmds = app::init(&mut self.state);
        self.run(cmds);
    }

    fn run(&mut self, cmds: Vec<Cmd>) {
        for cmd in cmds {
            self.sent.push(format!("{cmd:?}"));
            match self.workers.dispatch(cmd) {
                Control::Quit => self.quit = true,
                Control::Suspend | Control::Continue => {}
                Control::Copy { what, text, route } => self.copy(what, &text, route),
            }
        }
    }

    /// A copy as the browser makes it, minus the real clipboard: routes
    /// start at `self.route`; a failing system clipboard is simulated.
    fn copy(&mut self, what: &'static str, text: &str, route: Option<crate::clipboard::Route>) {
        use crate::clipboard::{prepare, Copied, Route};
        let payload = prepare(text);
        let via = route.unwrap_or(self.route);
        let failed = via == Route::Native && self.native_fails;
        if !failed {
            self.copied.push((what, via, payload.text.clone()));
        }
        self.send(Msg::Copied(Copied {
            what,
            via,
            cut: payload.cut,
            result: if failed {
                Err("no system clipboard here".into())
            } else {
                Ok(())
            },
            text: if via == Route::Native {
                payload.text
            } else {
                String::new()
            },
            fallback: via == Route::Native,
        }));
    }

    /// Starts a download queue writing into `config.out`, as the browser
    /// does at start; returns a handle on it for the test.
    pub fn attach_downloads(
        &mut self,
        client: Client,
        config: crate::download::queue::Config,
    ) -> crate::download::queue::Queue {
        let queue = crate::download::queue::Queue::start(client, config, false)
            .expect("the download queue starts");
        self.workers.attach_downloads(queue.clone());
        queue
    }

    /// Feeds one message through `update()` and dispatches its commands.
    pub fn send(&mut self, msg: Msg) {
        let cmds = app::update(&mut self.state, msg);
        self.run(cmds);
    }

    pub fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    pub fn char(&mut self, c: char) {
        let mods = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        self.send(Msg::Key(KeyEvent::new(KeyCode::Char(c), mods)));
    }

    pub fn ctrl(&mut self, c: char) {
        self.send(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )));
    }

    /// A key with modifiers (`Ctrl-←`, `Alt-→`).
    pub fn key_with(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.send(Msg::Key(KeyEvent::new(code, mods)));
    }

    /// Types each character of `text`.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.char(c);
        }
    }

    /// Handles worker messages until `done` holds, or fails after
    /// `timeout` naming what it waited for.
    pub async fn wait_for(
        &mut self,
        what: &str,
        timeout: Duration,
        done: impl Fn(&State) -> bool,
    ) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + timeout;
        while !done(&self.state) {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(msg)) => self.send(msg),
                Ok(None) => return Err(format!("{what}: the workers stopped")),
                Err(_) => return Err(format!("{what}: not within {timeout:?}")),
            }
        }
        Ok(())
    }

    /// Handles whatever messages are already waiting, without blocking.
    pub fn drain(&mut self) {
        while let Ok(msg) = self.rx.try_recv() {
            self.send(msg);
        }
    }

    /// Draws the screen into a buffer the size of the state's terminal.
    pub fn render(&self) -> Buffer {
        let backend = TestBackend::new(self.state.width, self.state.height);
        let mut terminal = match Terminal::new(backend) {
            Ok(t) => t,
            Err(e) => match e {},
        };
        let _ = terminal.draw(|f| crate::ui::draw(&self.state, f));
        terminal.backend().buffer().clone()
    }

    /// The screen as text, one line per row, trailing spaces trimmed.
    pub fn screen(&self) -> String {
        buffer_text(&self.render())
    }
}

/// A buffer's symbols as lines of text.
pub fn buffer_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        let mut x = 0;
        while x < area.width {
            let symbol = buf[(x, y)].symbol();
            line.push_str(symbol);
            // a wide character covers the next cell too: ratatui leaves
            // that cell as it was, which is not on the screen
            x += crate::text::width(symbol).max(1) as u16;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Waits a moment for messages; for tests that check nothing arrives.
pub async fn settle(h: &mut Headless, quiet: Duration) {
    while let Ok(Some(msg)) = tokio::time::timeout(quiet, h.rx.recv()).await {
        h.send(msg);
    }
}
