//! Fitting text by display width (not bytes or chars): cutting with an
//! ellipsis and wrapping; and byte counts for people. Shared by the panes,
//! the inspector's scroll bounds and the CLI's tables and progress lines.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How many strings were measured, fitted or wrapped on this thread (unit
/// tests only): the guard that a frame's work does not grow with the
/// list (`headless::tests`).
#[cfg(test)]
pub(crate) mod measured {
    use std::cell::Cell;

    thread_local! {
        static COUNT: Cell<u64> = const { Cell::new(0) };
    }

    pub(crate) fn bump() {
        COUNT.with(|c| c.set(c.get() + 1));
    }

    /// The count since the last call.
    pub(crate) fn take() -> u64 {
        COUNT.with(|c| c.replace(0))
    }
}

/// `s` cut to at most `width` columns, with `…` when cut.
pub fn fit(s: &str, width: usize) -> String {
    #[cfg(test)]
    measured::bump();
    if s.width() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// A byte count for people: `512 B`, `1.5 KiB`, `12.0 MiB`, `3.2 GiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// `s` broken into lines of at most `width` columns, at spaces where it
/// can, inside words where it must.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    #[cfg(test)]
    measured::bump();
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in s.split(' ') {
        let w = word.width();
        let sep = usize::from(!line.is_empty());
        if used + sep + w <= width {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(word);
            used += sep + w;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        // a word longer than the line is cut
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw > width {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += cw;
        }
    }
    lines.push(line);
    lines
}

/// Columns `s` takes.
pub fn width(s: &str) -> usize {
    #[cfg(test)]
    measured::bump();
    s.width()
}

/// A duration as a person reads it: `4 s`, `2m05s`, `1h02m`.
pub fn short_duration(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(10 * 1024 * 1024), "10.0 MiB");
        assert_eq!(human_size(3 << 40), "3.0 TiB");
        assert_eq!(human_size(5 << 50), "5120.0 TiB");
    }

    #[test]
    fn fits_by_columns_not_bytes() {
        assert_eq!(fit("hello", 10), "hello");
        assert_eq!(fit("hello world", 6), "hello…");
        assert_eq!(fit("日本語テキスト", 5), "日本…");
        assert_eq!(fit("abc", 0), "");
        assert!(width(&fit("日本語テキスト", 6)) <= 6);
    }

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        assert_eq!(
            wrap("a red castle at dawn", 8),
            vec!["a red", "castle", "at dawn"]
        );
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), vec![""]);
        assert!(wrap("日本語テキスト", 5).iter().all(|l| width(l) <= 5));
    }
}
