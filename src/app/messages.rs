//! The message log (`m`): every status message the user was shown, whole,
//! with its time and level, the last [`CAPACITY`] of them. The status bar
//! shows one message cut to its width; the log keeps what it said.
//!
//! `update()` reads no clock: the loop stamps [`MessageLog::now`] before
//! each message (`driver.rs`), and the same loop writes the errors and
//! warnings to the log file ([`MessageLog::since`]).

use std::collections::VecDeque;

/// Messages kept; the oldest goes first.
pub const CAPACITY: usize = 500;
/// Longest message kept (characters), after sanitizing.
pub const TEXT_MAX: usize = 4000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Seconds since the Unix epoch (UTC) when it was last said.
    pub at: u64,
    pub level: Level,
    /// Sanitized: one line, no control character, at most [`TEXT_MAX`].
    pub text: String,
    /// Times it was said in a row (the same text and level collapse).
    pub count: u32,
    /// Number of the last saying, counting every one since the start.
    pub seq: u64,
}

#[derive(Clone, Debug, Default)]
pub struct MessageLog {
    entries: VecDeque<Message>,
    /// The wall clock (seconds since the epoch), set by the loop.
    pub now: u64,
    said: u64,
}

impl MessageLog {
    /// Keeps `text` (sanitized here) at `level`; returns the sanitized text.
    pub fn push(&mut self, level: Level, text: &str) -> String {
        let text = crate::sanitize::line(text, TEXT_MAX);
        self.said += 1;
        if let Some(last) = self.entries.back_mut() {
            if last.level == level && last.text == text {
                last.count = last.count.saturating_add(1);
                last.at = self.now;
                last.seq = self.said;
                return text;
            }
        }
        if self.entries.len() == CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(Message {
            at: self.now,
            level,
            text: text.clone(),
            count: 1,
            seq: self.said,
        });
        text
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Message> {
        self.entries.iter()
    }

    /// The number of the last saying (see [`MessageLog::since`]).
    pub fn said(&self) -> u64 {
        self.said
    }

    /// Messages said after saying number `seq`, oldest first.
    pub fn since(&self, seq: u64) -> impl Iterator<Item = &Message> {
        let newer = self
            .entries
            .iter()
            .rev()
            .take_while(|m| m.seq > seq)
            .count();
        self.entries.iter().skip(self.entries.len() - newer)
    }

    /// The log as the overlay shows it at `width` columns: each message's
    /// lines, wrapped whole (never cut), oldest first. `first` marks the
    /// line that carries the time and level.
    pub fn lines(&self, width: usize) -> Vec<Line<'_>> {
        let text_w = width.saturating_sub(PREFIX).max(10);
        let mut out = Vec::new();
        for m in &self.entries {
            let shown;
            let text = if m.count > 1 {
                shown = format!("{} (×{})", m.text, m.count);
                shown.as_str()
            } else {
                m.text.as_str()
            };
            for (i, piece) in crate::text::wrap(text, text_w).into_iter().enumerate() {
                out.push(Line {
                    message: m,
                    first: i == 0,
                    text: piece,
                });
            }
        }
        out
    }
}

/// Columns inside the log's popup on a screen `width` columns wide (it
/// takes the whole width between the bars).
pub fn inner_width(width: u16) -> usize {
    width.saturating_sub(2) as usize
}

/// Columns before a message's text: `12:34:56 ✗ `.
pub const PREFIX: usize = 11;

/// One line of the overlay.
#[derive(Clone, Debug)]
pub struct Line<'a> {
    pub message: &'a Message,
    pub first: bool,
    pub text: String,
}

/// `HH:MM:SS` of `at` (seconds since the epoch), in UTC as the log file.
pub fn clock(at: u64) -> String {
    let day = at % 86_400;
    format!("{:02}:{:02}:{:02}", day / 3600, day % 3600 / 60, day % 60)
}

/// The loop's clock: seconds since the epoch (0 if the clock is before it).
pub fn wall_clock() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_keeps_the_last_500_whole_and_sanitized() {
        let mut log = MessageLog::default();
        for i in 0..CAPACITY + 20 {
            log.now = i as u64;
            log.push(Level::Info, &format!("message {i}"));
        }
        assert_eq!(log.len(), CAPACITY);
        assert_eq!(log.iter().next().unwrap().text, "message 20");
        assert_eq!(
            log.iter().last().unwrap().text,
            format!("message {}", CAPACITY + 19)
        );
        let long = format!("{}\x1b[2J{}", "a".repeat(300), "b".repeat(300));
        log.push(Level::Error, &long);
        let kept = log.iter().last().unwrap();
        assert_eq!(kept.text.chars().count(), 600 + "[2J".len());
        assert!(!kept.text.contains('\x1b'));
    }

    #[test]
    fn the_same_message_in_a_row_is_counted_and_still_reported() {
        let mut log = MessageLog::default();
        log.push(Level::Error, "boom");
        let seen = log.said();
        log.now = 7;
        log.push(Level::Error, "boom");
        assert_eq!(log.len(), 1);
        let m = log.iter().next().unwrap();
        assert_eq!((m.count, m.at), (2, 7));
        // the second saying is new to whoever read up to the first
        assert_eq!(log.since(seen).count(), 1);
        assert_eq!(log.since(log.said()).count(), 0);
        log.push(Level::Info, "boom");
        assert_eq!(log.len(), 2);
    }

    #[test]
    fn lines_wrap_whole_with_the_time_on_the_first() {
        let mut log = MessageLog {
            now: 3600 + 120 + 5,
            ..MessageLog::default()
        };
        let text = "word ".repeat(40);
        log.push(Level::Warning, text.trim_end());
        let lines = log.lines(50);
        assert!(lines.len() > 1);
        assert!(lines[0].first && !lines[1].first);
        let joined: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(joined.join(" "), text.trim_end());
        assert!(lines.iter().all(|l| l.text.len() <= 50 - PREFIX));
        assert_eq!(clock(log.now), "01:02:05");
    }
}
