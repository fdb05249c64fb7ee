//! The loop's one step, shared by the browser on a terminal
//! (`browser.rs`) and the browser without one (`headless.rs`, which the
//! tests and benches drive): a message goes through `update()`, and the
//! commands it returns go to the workers, or wait for them while they
//! start. What only the loop can do (the clipboard and OSC 52 need the
//! terminal; suspending; quitting) comes back as [`Control`]s, in order.

use crate::app::{self, Cmd, Msg, State};
use crate::worker::{Control, Workers};

/// Dispatches what `update()` asks for.
#[derive(Default)]
pub struct Driver {
    /// `None` until the connection is made (the first frame comes first).
    workers: Option<Workers>,
    /// Commands asked for before the workers existed, in order.
    pending: Vec<Cmd>,
    /// Every command dispatched, as text, when recording (tests).
    log: Option<Vec<String>>,
    /// The last message of the state's log written to the log file.
    written: u64,
}

impl Driver {
    /// A driver whose commands wait until [`Driver::attach`].
    pub fn new() -> Driver {
        Driver::default()
    }

    /// A driver on running workers.
    pub fn with_workers(workers: Workers) -> Driver {
        Driver {
            workers: Some(workers),
            ..Driver::default()
        }
    }

    /// Keeps the text of every command dispatched from now on.
    pub fn record(&mut self) {
        self.log.get_or_insert_with(Vec::new);
    }

    /// The commands recorded so far (see [`Driver::record`]).
    pub fn recorded(&self) -> &[String] {
        self.log.as_deref().unwrap_or_default()
    }

    /// Empties the record (see [`Driver::record`]).
    pub fn forget(&mut self) {
        if let Some(log) = &mut self.log {
            log.clear();
        }
    }

    pub fn workers_mut(&mut self) -> Option<&mut Workers> {
        self.workers.as_mut()
    }

    /// The first commands of a fresh state.
    pub fn start(&mut self, state: &mut State) -> Vec<Control> {
        state.messages.now = app::messages::wall_clock();
        let cmds = app::init(state);
        self.write_messages(state);
        self.dispatch(cmds)
    }

    /// One message through `update()`, then its commands.
    pub fn feed(&mut self, state: &mut State, msg: Msg) -> Vec<Control> {
        state.messages.now = app::messages::wall_clock();
        if let (Msg::Deleted { ids, done, .. }, Some(ws)) = (&msg, &self.workers) {
            // what the service deleted leaves the local index too
            ws.api.forget(ids.iter().take(*done).cloned().collect());
        }
        let cmds = app::update(state, msg);
        self.write_messages(state);
        self.dispatch(cmds)
    }

    /// The messages the user was shown since the last call go to the log
    /// file (`logging.rs`): errors and warnings at their level, the rest at
    /// debug. They are sanitized and hold no credential (`ApiError` builds
    /// none into its text).
    fn write_messages(&mut self, state: &State) {
        use app::messages::Level;
        for m in state.messages.since(self.written) {
            let text = m.text.as_str();
            match m.level {
                Level::Error => tracing::error!(target: "assetui::shown", "{text}"),
                Level::Warning => tracing::warn!(target: "assetui::shown", "{text}"),
                Level::Info => tracing::debug!(target: "assetui::shown", "{text}"),
            }
        }
        self.written = state.messages.said();
    }

    /// The workers are up: what waited for them goes now.
    pub fn attach(&mut self, workers: Workers) -> Vec<Control> {
        self.workers = Some(workers);
        let waiting = std::mem::take(&mut self.pending);
        self.dispatch(waiting)
    }

    /// Sends each command on; stops at `Quit` (nothing after it matters).
    fn dispatch(&mut self, cmds: Vec<Cmd>) -> Vec<Control> {
        let mut controls = Vec::new();
        for cmd in cmds {
            if let Some(log) = &mut self.log {
                log.push(format!("{cmd:?}"));
            }
            let control = match &mut self.workers {
                Some(ws) => ws.dispatch(cmd),
                None => match cmd {
                    Cmd::Quit => Control::Quit,
                    Cmd::Suspend => Control::Suspend,
                    other => {
                        self.pending.push(other);
                        Control::Continue
                    }
                },
            };
            match control {
                Control::Continue => {}
                Control::Quit => {
                    controls.push(Control::Quit);
                    break;
                }
                other => controls.push(other),
            }
        }
        controls
    }
}
