//! Keys, mouse and resizes from the terminal, read by a thread of its own
//! and handed to the UI task through a channel.
//!
//! crossterm's `EventStream` polls its reader from the UI task, under the
//! global lock its own background thread holds while it waits: the UI task
//! met that lock on every poll, and its spinning (`sched_yield`) gave the
//! core away for 10-20 ms at a time when the machine was busy (a download
//! running: issue 21, key to frame). Here only this thread touches
//! crossterm's reader; the UI task only awaits a channel.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossterm::event::Event;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// How long one wait for input lasts before the thread looks whether it
/// should stop: what dropping an [`Input`] can take.
const POLL: Duration = Duration::from_millis(20);

/// The terminal's input, from the moment it starts until it is dropped.
pub struct Input {
    rx: UnboundedReceiver<io::Result<Event>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Input {
    /// Starts reading. Nothing else may read the terminal meanwhile
    /// (the image protocol's probe is over before this starts).
    pub fn start() -> io::Result<Input> {
        let (tx, rx) = unbounded_channel();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new()
            .name("terminal input".into())
            .spawn({
                let stop = stop.clone();
                move || read(&tx, &stop)
            })?;
        Ok(Input {
            rx,
            stop,
            thread: Some(thread),
        })
    }

    /// The next event; `None` once the reader has stopped.
    pub async fn next(&mut self) -> Option<io::Result<Event>> {
        self.rx.recv().await
    }
}

impl Drop for Input {
    /// Waits for the thread (at most one [`POLL`]), so that no key typed
    /// after the browser gives the terminal back is read by it.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn read(tx: &UnboundedSender<io::Result<Event>>, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        let event = match crossterm::event::poll(POLL) {
            Ok(false) => continue,
            Ok(true) => crossterm::event::read(),
            Err(e) => Err(e),
        };
        let failed = event.is_err();
        if tx.send(event).is_err() || failed {
            // the UI is gone, or the terminal cannot be read: said once
            return;
        }
    }
}
