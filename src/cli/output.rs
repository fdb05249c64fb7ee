//! How results reach stdout: JSON (one array, streamed item by item),
//! JSON lines, or a table that fits the terminal. Every string from the
//! server goes through the sanitizer before it is printed as text; every
//! JSON output goes through one writer (`api::models::json`) that keeps it
//! exact JSON but escapes C1, bidi and invisible characters (`\u009b`).

use std::io::{self, Write};

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::api::models::{json, Asset};
use crate::sanitize;
use crate::text::fit;

/// Streams values as one JSON array (`[` first, `]` at `finish`) or as
/// one object a line, without holding them all.
pub struct JsonWriter<W: Write> {
    out: W,
    lines: bool,
    count: u64,
}

impl<W: Write> JsonWriter<W> {
    pub fn new(out: W, lines: bool) -> Self {
        JsonWriter {
            out,
            lines,
            count: 0,
        }
    }

    pub fn push<T: Serialize>(&mut self, value: &T) -> io::Result<()> {
        if self.lines {
            json::to_writer(&mut self.out, value)?;
            self.out.write_all(b"\n")?;
            // one line is a unit for the reader at the other end of a pipe
            self.out.flush()?;
        } else {
            self.out
                .write_all(if self.count == 0 { b"[\n  " } else { b",\n  " })?;
            json::to_writer(&mut self.out, value)?;
        }
        self.count += 1;
        Ok(())
    }

    /// An asset, or for a broken item (one that did not match the model)
    /// the item as the server sent it with an `_error` field saying why.
    pub fn push_asset(&mut self, asset: &Asset) -> io::Result<()> {
        match asset_json(asset) {
            Some(value) => self.push(&value),
            None => self.push(asset),
        }
    }

    pub fn finish(mut self) -> io::Result<u64> {
        if !self.lines {
            self.out
                .write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()?;
        Ok(self.count)
    }
}

/// Where listed items go: streamed JSON (an array or lines), or a table
/// printed at the end. Every listing command (assets, hits, clips,
/// indexes) prints through one.
pub enum Sink {
    Json(JsonWriter<io::StdoutLock<'static>>),
    Table(Table),
}

impl Sink {
    /// JSON when `json` or `lines` (JSON lines) is asked for, else `table`.
    pub fn new(json: bool, lines: bool, table: Table) -> Sink {
        if json || lines {
            Sink::Json(JsonWriter::new(io::stdout().lock(), lines))
        } else {
            Sink::Table(table)
        }
    }

    /// One item: as JSON, or as the table row `row` makes of it.
    pub fn push<T: Serialize>(
        &mut self,
        item: &T,
        row: impl FnOnce() -> Vec<String>,
    ) -> io::Result<()> {
        match self {
            Sink::Json(w) => w.push(item),
            Sink::Table(t) => {
                t.row(row());
                Ok(())
            }
        }
    }

    /// One Scenario asset (a broken one as the server sent it).
    pub fn push_asset(
        &mut self,
        asset: &Asset,
        row: impl FnOnce() -> Vec<String>,
    ) -> io::Result<()> {
        match self {
            Sink::Json(w) => w.push_asset(asset),
            Sink::Table(t) => {
                t.row(row());
                Ok(())
            }
        }
    }

    /// Closes the output; `failed` (an error follows, and says why) keeps
    /// an empty table from saying that no `what` were found.
    pub fn finish(self, what: &str, failed: bool) -> io::Result<()> {
        match self {
            Sink::Json(w) => {
                w.finish()?;
            }
            Sink::Table(t) if t.is_empty() && failed => {}
            Sink::Table(t) if t.is_empty() => eprintln!("no {what} found"),
            Sink::Table(t) => {
                let mut out = io::stdout().lock();
                out.write_all(t.render(table_width()).as_bytes())?;
            }
        }
        Ok(())
    }
}

pub use crate::api::models::json::broken_asset as asset_json;

/// Prints one value as pretty JSON (hostile characters escaped).
pub fn print_json<T: Serialize>(value: &T) -> io::Result<()> {
    let mut out = io::stdout().lock();
    json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")
}

/// Longest error line the CLI prints, in characters, before `… (N more)`.
pub const ERROR_LINE_CHARS: usize = 300;

/// The one line an error becomes on stderr: sanitized (a hostile profile
/// name or server string cannot put an escape on the terminal) and at most
/// [`ERROR_LINE_CHARS`] characters, then how many more were left out.
pub fn error_line(message: &str) -> String {
    let clean = sanitize::line(message, usize::MAX);
    let total = clean.chars().count();
    if total <= ERROR_LINE_CHARS {
        return clean;
    }
    let shown: String = clean.chars().take(ERROR_LINE_CHARS).collect();
    format!("{shown}… ({} more)", total - ERROR_LINE_CHARS)
}

/// The width tables are fitted to: the terminal's, else `COLUMNS`, else
/// unbounded (a pipe gets whole values, each cell still bounded to 512
/// characters, so `| grep`/`| cut` see what the server sent).
pub fn table_width() -> Option<usize> {
    use std::io::IsTerminal;
    if io::stdout().is_terminal() {
        if let Ok((w, _)) = crossterm::terminal::size() {
            return Some(usize::from(w).max(40));
        }
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|w| *w >= 20)
}

/// Widest a flexible column gets, even with room to spare.
pub const MAX_FLEX_WIDTH: usize = 60;

/// A column: its header, and whether it may shrink (and how far).
pub struct Column {
    pub header: &'static str,
    pub min: usize,
    /// Shrinkable columns give up width, the last first, when the table is
    /// wider than the terminal.
    pub flexible: bool,
}

/// A text table: cells are sanitized to one line and cut with `…` to fit.
pub struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(columns: Vec<Column>) -> Self {
        Table {
            columns,
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows
            .push(cells.into_iter().map(|c| sanitize::line(&c, 512)).collect());
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Renders with columns separated by two spaces, fitted to `width`.
    pub fn render(&self, width: Option<usize>) -> String {
        let n = self.columns.len();
        let mut widths: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                self.rows
                    .iter()
                    .map(|r| r.get(i).map_or(0, |s| s.width()))
                    .max()
                    .unwrap_or(0)
                    .max(c.header.width())
            })
            .collect();
        // a name or prompt is an excerpt in a table; --json has it whole
        for (w, c) in widths.iter_mut().zip(&self.columns) {
            if c.flexible {
                *w = (*w).min(MAX_FLEX_WIDTH.max(c.header.width()));
            }
        }
        if let Some(limit) = width {
            let gaps = 2 * n.saturating_sub(1);
            let mut total: usize = widths.iter().sum::<usize>() + gaps;
            // take from the widest flexible column first, one column at a time
            while total > limit {
                let floor = |i: usize| self.columns[i].min.max(self.columns[i].header.width());
                let Some(i) = (0..n)
                    .filter(|&i| self.columns[i].flexible && widths[i] > floor(i))
                    .max_by_key(|&i| widths[i] - floor(i))
                else {
                    break;
                };
                widths[i] -= 1;
                total -= 1;
            }
        }
        // still too wide at every column's minimum: drop columns from the
        // right (keeping the first two) rather than wrap every row
        let mut shown = n;
        if let Some(limit) = width {
            let total = |k: usize| widths[..k].iter().sum::<usize>() + 2 * k.saturating_sub(1);
            while shown > 2 && total(shown) > limit {
                shown -= 1;
            }
        }
        let n = shown;
        let mut out = String::new();
        let header: Vec<String> = self.columns.iter().map(|c| c.header.to_string()).collect();
        for row in std::iter::once(&header).chain(self.rows.iter()) {
            let mut line = String::new();
            for (i, w) in widths.iter().enumerate().take(n) {
                let cell = row.get(i).map(String::as_str).unwrap_or("");
                let cut = fit(cell, *w);
                line.push_str(&cut);
                if i + 1 < n {
                    line.push_str(&" ".repeat(w - cut.width() + 2));
                }
            }
            let line = line.trim_end();
            // columns that cannot shrink (a long id) may still be too wide:
            // the line is cut to the width rather than wrapped
            match width {
                Some(limit) if line.width() > limit => out.push_str(&fit(line, limit)),
                _ => out.push_str(line),
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_array_streams_and_closes() {
        let mut buf = Vec::new();
        let mut w = JsonWriter::new(&mut buf, false);
        w.push(&serde_json::json!({"a": 1})).unwrap();
        w.push(&serde_json::json!({"b": 2})).unwrap();
        w.finish().unwrap();
        let back: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(back, serde_json::json!([{"a": 1}, {"b": 2}]));
        let mut empty = Vec::new();
        JsonWriter::new(&mut empty, false).finish().unwrap();
        assert_eq!(empty, b"[]\n");
    }

    #[test]
    fn table_fits_and_cuts_flexible_columns() {
        let mut t = Table::new(vec![
            Column {
                header: "ID",
                min: 2,
                flexible: false,
            },
            Column {
                header: "NAME",
                min: 6,
                flexible: true,
            },
        ]);
        t.row(vec![
            "asset_1".into(),
            "a very long name that will not fit".into(),
        ]);
        let s = t.render(Some(24));
        for line in s.lines() {
            assert!(line.width() <= 24, "{line:?}");
        }
        assert!(s.contains('…'));
    }

    #[test]
    fn columns_that_cannot_fit_are_dropped_not_wrapped() {
        let mut t = Table::new(vec![
            Column {
                header: "ID",
                min: 10,
                flexible: false,
            },
            Column {
                header: "NAME",
                min: 6,
                flexible: true,
            },
            Column {
                header: "CREATED",
                min: 10,
                flexible: false,
            },
        ]);
        t.row(vec![
            "asset_0123".into(),
            "a name".into(),
            "2025-01-01".into(),
        ]);
        let s = t.render(Some(22));
        assert!(s.lines().all(|l| l.width() <= 22), "{s}");
        assert!(s.contains("NAME") && !s.contains("CREATED"), "{s}");
    }

    #[test]
    fn a_column_that_cannot_shrink_is_cut_to_the_width() {
        let mut t = Table::new(vec![
            Column {
                header: "ID",
                min: 8,
                flexible: false,
            },
            Column {
                header: "NAME",
                min: 6,
                flexible: true,
            },
        ]);
        t.row(vec![format!("asset_{}", "x".repeat(200)), "n".into()]);
        let s = t.render(Some(50));
        assert!(s.lines().all(|l| l.width() <= 50), "{s}");
        assert!(s.lines().nth(1).unwrap().ends_with('…'), "{s}");
        // a pipe (no width) gets the whole cell
        assert!(t.render(None).contains(&"x".repeat(200)));
    }

    #[test]
    fn error_lines_are_clean_and_short() {
        assert_eq!(error_line("short \u{1b}[31mred"), "short [31mred");
        let long = format!("{}\u{9b}\n{}", "a".repeat(250), "b".repeat(200_000));
        let line = error_line(&long);
        assert!(
            line.ends_with("… (199951 more)"),
            "{}",
            &line[line.len() - 30..]
        );
        assert_eq!(line.lines().count(), 1);
        assert!(line.chars().count() < ERROR_LINE_CHARS + 30);
    }

    #[test]
    fn table_cells_are_sanitized() {
        let mut t = Table::new(vec![Column {
            header: "NAME",
            min: 4,
            flexible: true,
        }]);
        t.row(vec!["evil\u{1b}]0;pwned\u{7}name".into()]);
        let s = t.render(None);
        assert!(!s.contains('\u{1b}') && !s.contains('\u{7}'));
    }
}
