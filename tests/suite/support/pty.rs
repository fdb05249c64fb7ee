//! A program in a pseudo-terminal, for end-to-end tests and benchmarks.
//!
//! A reader thread appends every byte the program writes to one buffer and
//! feeds a `vt100` screen (and, for [`Pty::spawn_answering`], answers the
//! queries a real terminal would, at once); a waiter thread collects the
//! exit status. Both
//! signal a condition variable, so tests wait for a condition on the screen
//! (or the raw bytes, or the exit) with a deadline instead of sleeping.
//!
//! Include it with `#[path = "support/pty.rs"] mod pty;`.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, CommandBuilder, MasterPty, PtySize};

pub use portable_pty::ExitStatus;

/// Everything the reader and waiter threads share with the test.
pub struct Inner {
    /// Every byte the program wrote, in order.
    pub raw: Vec<u8>,
    /// The screen those bytes draw.
    pub parser: vt100::Parser,
    /// The program's side of the terminal is closed (read returned EOF/EIO).
    pub eof: bool,
    /// The spawned process has exited.
    pub status: Option<ExitStatus>,
    /// When the last byte arrived.
    pub last_output: Option<Instant>,
    /// How often the screen model panicked and was started afresh.
    pub model_resets: usize,
    /// For each read: the length of `raw` after it, and when it returned.
    pub arrivals: Vec<(usize, Instant)>,
}

impl Inner {
    /// When the byte at `offset` was read.
    pub fn arrival(&self, offset: usize) -> Option<Instant> {
        let i = self.arrivals.partition_point(|(end, _)| *end <= offset);
        self.arrivals.get(i).map(|(_, at)| *at)
    }
}

type Shared = Arc<(Mutex<Inner>, Condvar)>;

/// What a scripted terminal answers: each time the program writes
/// `query`, the terminal answers `reply`.
#[derive(Clone, Debug)]
pub struct Answer {
    pub query: Vec<u8>,
    pub reply: Vec<u8>,
}

impl Answer {
    pub fn new(query: impl AsRef<[u8]>, reply: impl AsRef<[u8]>) -> Answer {
        Answer {
            query: query.as_ref().to_vec(),
            reply: reply.as_ref().to_vec(),
        }
    }
}

type Writer = Arc<Mutex<Box<dyn Write + Send>>>;

/// A running program in a pseudo-terminal.
pub struct Pty {
    master: Box<dyn MasterPty + Send>,
    writer: Writer,
    shared: Shared,
    pid: u32,
    reader: Option<JoinHandle<()>>,
    waiter: Option<JoinHandle<()>>,
    tty: Option<PathBuf>,
    spawned_at: Instant,
}

/// Environment variables that keep a test away from the user's files:
/// HOME and the XDG directories inside `dir`, a known `TERM`, `PATH`.
pub fn isolated_env(dir: &Path) -> Vec<(String, String)> {
    let p = |sub: &str| dir.join(sub).to_string_lossy().into_owned();
    vec![
        ("HOME".into(), dir.to_string_lossy().into_owned()),
        ("XDG_CONFIG_HOME".into(), p("config")),
        ("XDG_CACHE_HOME".into(), p("cache")),
        ("XDG_STATE_HOME".into(), p("state")),
        ("XDG_DATA_HOME".into(), p("data")),
        ("TERM".into(), "xterm-256color".into()),
        ("LANG".into(), "C.UTF-8".into()),
        ("RUST_BACKTRACE".into(), "1".into()),
        ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
    ]
}

impl Pty {
    /// Starts `argv` in a new `cols`×`rows` pseudo-terminal with exactly
    /// `env` as its environment (nothing is inherited), in `cwd`. The
    /// terminal answers no query (as the `vt100` model, or tmux for the
    /// queries it passes on).
    pub fn spawn<A, K, V>(
        argv: impl IntoIterator<Item = A>,
        env: impl IntoIterator<Item = (K, V)>,
        cwd: &Path,
        cols: u16,
        rows: u16,
    ) -> Pty
    where
        A: AsRef<OsStr>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        Pty::spawn_answering(argv, env, cwd, cols, rows, Vec::new())
    }

    /// [`Pty::spawn`] in a terminal that answers `answers` as soon as the
    /// program has written each query (from the reader thread: no test
    /// has to be quick).
    pub fn spawn_answering<A, K, V>(
        argv: impl IntoIterator<Item = A>,
        env: impl IntoIterator<Item = (K, V)>,
        cwd: &Path,
        cols: u16,
        rows: u16,
        answers: Vec<Answer>,
    ) -> Pty
    where
        A: AsRef<OsStr>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        let argv: Vec<_> = argv.into_iter().map(|a| a.as_ref().to_owned()).collect();
        assert!(!argv.is_empty(), "nothing to run");
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
        let mut cmd = CommandBuilder::from_argv(argv.clone());
        cmd.env_clear();
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.cwd(cwd);
        let spawned_at = Instant::now();
        let mut child = pair
            .slave
            .spawn_command(cmd)
            .unwrap_or_else(|e| panic!("spawn {argv:?}: {e}"));
        // only the child holds the terminal's side: EOF when it is done
        drop(pair.slave);
        let pid = child.process_id().expect("a pid");
        let master = pair.master;
        let tty = master.tty_name();
        let mut reader = master.try_clone_reader().expect("pty reader");
        let writer: Writer = Arc::new(Mutex::new(master.take_writer().expect("pty writer")));
        let shared: Shared = Arc::new((
            Mutex::new(Inner {
                raw: Vec::new(),
                parser: vt100::Parser::new(rows, cols, 0),
                eof: false,
                status: None,
                last_output: None,
                model_resets: 0,
                arrivals: Vec::new(),
            }),
            Condvar::new(),
        ));

        let s = shared.clone();
        let answerer = writer.clone();
        let reader = std::thread::spawn(move || {
            // where each query's search goes on
            let mut scanned = vec![0usize; answers.len()];
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) => 0,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => 0,
                };
                let (lock, cvar) = &*s;
                let mut inner = lock.lock().unwrap_or_else(|e| e.into_inner());
                if n == 0 {
                    inner.eof = true;
                    cvar.notify_all();
                    return;
                }
                inner.raw.extend_from_slice(&buf[..n]);
                let (end, now) = (inner.raw.len(), Instant::now());
                inner.arrivals.push((end, now));
                let parser = &mut inner.parser;
                let fed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    parser.process(&buf[..n])
                }));
                if fed.is_err() {
                    // a bug in the screen model must not stop the reading:
                    // start a blank model of the same size
                    let (rows, cols) = inner.parser.screen().size();
                    inner.parser = vt100::Parser::new(rows, cols, 0);
                    inner.model_resets += 1;
                }
                inner.last_output = Some(now);
                for (answer, from) in answers.iter().zip(scanned.iter_mut()) {
                    while let Some(at) = find(&inner.raw[*from..], &answer.query) {
                        *from += at + answer.query.len();
                        let mut w = answerer.lock().unwrap_or_else(|e| e.into_inner());
                        let _ = w.write_all(&answer.reply).and_then(|()| w.flush());
                    }
                    // a query cut between two reads is found on the next
                    *from = (*from).max(
                        inner
                            .raw
                            .len()
                            .saturating_sub(answer.query.len().saturating_sub(1)),
                    );
                }
                cvar.notify_all();
            }
        });
        let s = shared.clone();
        let waiter = std::thread::spawn(move || {
            let status = child
                .wait()
                .unwrap_or_else(|_| ExitStatus::with_signal("unknown"));
            let (lock, cvar) = &*s;
            let mut inner = lock.lock().unwrap_or_else(|e| e.into_inner());
            inner.status = Some(status);
            cvar.notify_all();
        });
        Pty {
            master,
            writer,
            shared,
            pid,
            reader: Some(reader),
            waiter: Some(waiter),
            tty,
            spawned_at,
        }
    }

    /// When the process was started (just before the fork).
    pub fn spawned_at(&self) -> Instant {
        self.spawned_at
    }

    /// The spawned process's id (with `sh -c 'exec …'`, the program's).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The terminal device the program sees (`/dev/pts/N`).
    pub fn tty_name(&self) -> Option<&Path> {
        self.tty.as_deref()
    }

    /// The terminal modes, as `stty -a` prints them for this terminal.
    pub fn stty(&self) -> String {
        let tty = self.tty.as_ref().expect("the terminal's name");
        let out = std::process::Command::new("stty")
            .arg("-a")
            .arg("-F")
            .arg(tty)
            .output()
            .expect("run stty");
        assert!(
            out.status.success(),
            "stty -F {}: {}",
            tty.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.shared.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Types `bytes` into the terminal.
    pub fn send(&mut self, bytes: impl AsRef<[u8]>) {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        w.write_all(bytes.as_ref())
            .and_then(|()| w.flush())
            .expect("write to the pseudo-terminal");
    }

    /// Resizes the terminal (the program gets SIGWINCH). The screen model
    /// takes the new size first, so what the program draws afterwards is
    /// read at that size.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        // vt100 overflows wrapping a wide character on one column, or any
        // line on one row: the model keeps 2×2; the program sees the real size
        self.lock()
            .parser
            .screen_mut()
            .set_size(rows.max(2), cols.max(2));
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the pseudo-terminal");
    }

    /// Sends a signal to the spawned process (`kill -SIG pid`).
    pub fn signal(&self, sig: &str) {
        let ok = std::process::Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.pid.to_string())
            .status()
            .expect("run kill")
            .success();
        assert!(ok, "kill -{sig} {}", self.pid);
    }

    /// Every byte written so far.
    pub fn raw_output(&self) -> Vec<u8> {
        self.lock().raw.clone()
    }

    /// How many bytes were written so far.
    pub fn output_len(&self) -> usize {
        self.lock().raw.len()
    }

    /// The screen's text, rows joined by newlines.
    pub fn screen_text(&self) -> String {
        self.lock().parser.screen().contents()
    }

    /// The exit status, if the process has exited.
    pub fn status(&self) -> Option<ExitStatus> {
        self.lock().status.clone()
    }

    /// Waits until `cond` holds for the shared state, or `timeout` passes.
    /// On timeout the error says what was awaited and shows the screen.
    pub fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        mut cond: impl FnMut(&Inner) -> bool,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let (lock, cvar) = &*self.shared;
        let mut inner = lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if cond(&inner) {
                return Ok(());
            }
            let now = Instant::now();
            // nothing more can happen once the process is gone and read out
            let over = inner.status.is_some() && inner.eof;
            if now >= deadline || over {
                let mut msg = format!(
                    "{} waiting for {what}; exit: {:?}; screen:\n{}",
                    if over {
                        "the process ended".to_string()
                    } else {
                        format!("timed out after {timeout:?}")
                    },
                    inner.status,
                    inner.parser.screen().contents()
                );
                if inner.status.is_some() {
                    // what it said last: a panic message, an error
                    let tail = find(&inner.raw, b"panicked at")
                        .unwrap_or(inner.raw.len().saturating_sub(2000));
                    msg.push_str(&format!(
                        "\nlast output:\n{}",
                        String::from_utf8_lossy(
                            &inner.raw[tail..(tail + 3000).min(inner.raw.len())]
                        )
                    ));
                }
                return Err(msg);
            }
            inner = cvar
                .wait_timeout(inner, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Waits until `cond` holds for the screen.
    pub fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        mut cond: impl FnMut(&vt100::Screen) -> bool,
    ) -> Result<(), String> {
        self.wait_until(what, timeout, |i| cond(i.parser.screen()))
    }

    /// Waits until the screen shows `text`.
    pub fn wait_for_text(&self, text: &str, timeout: Duration) -> Result<(), String> {
        self.wait_for(&format!("{text:?} on screen"), timeout, |s| {
            s.contents().contains(text)
        })
    }

    /// Waits until the bytes written after offset `from` satisfy `cond`;
    /// returns the total length at that moment.
    pub fn wait_for_raw(
        &self,
        what: &str,
        from: usize,
        timeout: Duration,
        mut cond: impl FnMut(&[u8]) -> bool,
    ) -> Result<usize, String> {
        let mut len = 0;
        self.wait_until(what, timeout, |i| {
            len = i.raw.len();
            cond(&i.raw[from.min(i.raw.len())..])
        })?;
        Ok(len)
    }

    /// Waits for the process to exit and for its output to be read to the
    /// end; returns the status.
    pub fn wait_exit(&self, timeout: Duration) -> Result<ExitStatus, String> {
        self.wait_until("the process to exit", timeout, |i| i.status.is_some())?;
        // the terminal closes when the last process holding it is gone;
        // what it wrote before is still readable until then
        self.wait_until("the end of the output", timeout, |i| i.eof)?;
        Ok(self.status().expect("exited"))
    }
}

/// Finds `needle` in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Counts the occurrences of `needle` in `hay`.
pub fn count(hay: &[u8], needle: &[u8]) -> usize {
    if needle.is_empty() || hay.len() < needle.len() {
        return 0;
    }
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.status().is_none() {
            // the child leads its own session and process group: end the
            // group we started (a shell wrapper and its program), then it
            for target in [format!("-{}", self.pid), self.pid.to_string()] {
                let _ = std::process::Command::new("kill")
                    .args(["-KILL", "--", &target])
                    .stderr(std::process::Stdio::null())
                    .status();
            }
        }
        if let Some(w) = self.waiter.take() {
            let _ = w.join();
        }
        // the reader ends with EOF once the child's side is closed; a
        // grandchild that kept it open is not waited for
        let _ = self
            .wait_until("EOF", Duration::from_secs(5), |i| i.eof)
            .map(|()| self.reader.take().map(JoinHandle::join));
    }
}
