//! The browser's threads: the UI task runs on the main thread at the
//! priority the user started assetui with, and the runtime's worker and
//! blocking threads (downloads, API calls, the embedded demo server) run
//! as far below it as `nice` goes. On a busy machine a key is then drawn
//! before a download writes its next block (issue 21: key to frame while
//! a download runs). The CLI's commands keep one priority for all.
//!
//! Why the full 19 steps and not a few: Linux shares CPU time between
//! sessions (autogroups) first and between threads second, and spreads a
//! session's share over the CPUs by where its load is. Busy workers at
//! nice 5 still weigh a third of the UI, so a download pulls the whole
//! session's weight onto its own CPU; the UI, woken on the other CPU,
//! then holds a sliver of the session's share there and waits behind
//! another process's thread for several milliseconds. At nice 19 the
//! workers weigh 1.5 % of the UI and the share follows the UI. They
//! still get every cycle nobody else wants, so a download alone on the
//! machine runs at the same speed. The price is paid when another session
//! keeps every CPU busy: the session's share then leans to the UI's CPU
//! and the workers get less of it (BENCHMARKS.md, "the price": the first
//! asset's name after a start came some 12 ms later at the median).

/// How many `nice` steps below the UI the workers run: all of them.
pub const WORKER_NICENESS: i32 = 19;

/// Lowers the calling thread's priority by [`WORKER_NICENESS`], not the
/// process's: on Linux a priority is per thread. Elsewhere, where it
/// would lower the UI too, and where the system refuses, nothing changes.
pub fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    {
        let tid = rustix::thread::gettid();
        if let Ok(now) = rustix::process::getpriority_process(Some(tid)) {
            let lower = (now + WORKER_NICENESS).min(19);
            let _ = rustix::process::setpriority_process(Some(tid), lower);
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn only_the_calling_thread_is_lowered() {
        let me = || rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap();
        let before = me();
        let worker = std::thread::spawn(move || {
            let at_start = me();
            lower_this_thread();
            (at_start, me())
        })
        .join()
        .unwrap();
        assert_eq!(
            worker.0, before,
            "a new thread starts at its creator's priority"
        );
        assert_eq!(worker.1, (before + WORKER_NICENESS).min(19));
        assert_eq!(me(), before, "the UI's thread keeps its priority");
    }
}
