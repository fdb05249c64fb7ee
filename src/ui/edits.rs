//! The popups of library edits: the tag editor, the delete confirmation,
//! a choice (collection, download format) and the upload prompt. Tag
//! names come from the API: sanitized here, where they become cells.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::overlay::picker_lines;
use super::popup::{centered, Frame};
use super::theme;
use crate::app::bulk::{Choice, Confirm, MirrorLine, MirrorPrompt, PathPrompt};
use crate::app::inspector::plural;
use crate::app::tags::TagEditor;
use crate::app::State;
use crate::sanitize;
use crate::text::fit;

/// Clears a centered popup, frames it and returns its inside.
fn popup(area: Rect, width: u16, height: u16, title: &str, hint: &str, buf: &mut Buffer) -> Rect {
    Frame {
        title,
        keys: Some(hint),
        ..Frame::default()
    }
    .draw(centered(area, width, height), buf)
}

/// The input line: a prompt, the text (its end when too long) and a bar
/// for the caret.
fn input_line(prompt: &str, input: &str, w: usize) -> Line<'static> {
    let room = w.saturating_sub(prompt.chars().count() + 1);
    let chars: Vec<char> = input.chars().collect();
    let shown: String = chars[chars.len().saturating_sub(room)..].iter().collect();
    Line::from(vec![
        Span::styled(prompt.to_string(), theme::label()),
        Span::raw(sanitize::line(&shown, 4096)),
        Span::styled("▏", theme::key()),
    ])
}

pub fn tag_editor(state: &State, editor: &TagEditor, area: Rect, buf: &mut Buffer) {
    let n = editor.ids.len();
    let title = if editor.off_screen > 0 {
        format!(
            " Tags of {} ",
            crate::app::safety::counted(n, editor.off_screen, true)
        )
    } else if n == 1 {
        let name = state
            .find(&editor.ids[0])
            .map(|a| sanitize::line(a.name_or_id(), 40))
            .unwrap_or_else(|| sanitize::line(&editor.ids[0], 40));
        format!(" Tags of {name} ")
    } else {
        format!(" Tags of {} ", plural(n, "asset", "assets"))
    };
    // the tags they carry, as chips (with how many carry each), in up to
    // three rows of whole chips; what does not fit is counted
    let labels: Vec<String> = state
        .tags_on(&editor.ids)
        .iter()
        .map(|(t, c)| {
            if n > 1 {
                format!(" {} {c}/{n} ", sanitize::line(t, 30))
            } else {
                format!(" {} ", sanitize::line(t, 30))
            }
        })
        .collect();
    const WIDTH: u16 = 64;
    let chip_rows = chips(&labels, area.width.min(WIDTH).saturating_sub(2) as usize, 3);
    // chips, a blank, the input, a status line, up to 8 completions
    let shown = editor.completions.len().clamp(1, 8) as u16;
    let inner = popup(
        area,
        WIDTH,
        shown + 5 + chip_rows.len().max(1) as u16,
        &title,
        " Enter add · -tag remove · Tab complete · Esc done ",
        buf,
    );
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if labels.is_empty() {
        lines.push(Line::styled("no tags yet", theme::faint()));
    } else {
        lines.extend(chip_rows);
    }
    lines.push(Line::raw(""));
    lines.push(input_line("tag: ", &editor.input, w));
    // completions with their counts
    if let Some(e) = &state.tags.error {
        lines.push(Line::styled(
            fit(&format!("tags in use could not load: {e}"), w),
            theme::error(),
        ));
    } else if state.tags.loading && state.tags.items.is_empty() {
        lines.push(Line::styled("loading the tags in use…", theme::faint()));
    }
    let rows = (inner.height as usize)
        .saturating_sub(lines.len() + 2)
        .max(1);
    let start = editor.chosen.unwrap_or(0).saturating_sub(rows - 1);
    for (i, (t, count)) in editor.completions.iter().enumerate().skip(start).take(rows) {
        let count = count.to_string();
        let name_w = w.saturating_sub(count.len() + 4);
        let name = fit(&sanitize::line(t, 100), name_w);
        let pad = name_w.saturating_sub(crate::text::width(&name));
        let style = if editor.chosen == Some(i) {
            theme::selected()
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {name}{} ", " ".repeat(pad)), style),
            Span::styled(format!("{count:>w$}", w = count.len()), theme::faint()),
        ]));
    }
    if editor.completions.is_empty() && !editor.input.is_empty() {
        let what = if editor.input.starts_with('-') {
            "Enter removes it"
        } else {
            "a new tag: Enter adds it"
        };
        lines.push(Line::styled(format!("  {what}"), theme::faint()));
    }
    Paragraph::new(lines).render(inner, buf);
}

/// Chips laid out whole in at most `max_rows` rows of `width` cells; when
/// some do not fit, the last row ends with `+N more`.
fn chips(labels: &[String], width: usize, max_rows: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    // greedy rows of whole chips (a chip wider than the row is cut)
    let mut rows: Vec<Vec<String>> = vec![Vec::new()];
    let mut used = 0;
    for label in labels {
        let chip = crate::text::fit(label, width);
        let lw = crate::text::width(&chip) + 1;
        if used > 0 && used + lw > width + 1 {
            rows.push(Vec::new());
            used = 0;
        }
        used += lw;
        rows.last_mut().expect("one row at least").push(chip);
    }
    if rows.len() > max_rows {
        rows.truncate(max_rows.max(1));
    }
    let shown: usize = rows.iter().map(Vec::len).sum();
    let mut more = None;
    if shown < labels.len() {
        let last = rows.last_mut().expect("one row at least");
        // drop chips from the last row until the count fits after them
        let mut hidden = labels.len() - shown;
        loop {
            let text = format!("+{hidden} more");
            let taken: usize = last.iter().map(|c| crate::text::width(c) + 1).sum();
            if taken + crate::text::width(&text) <= width || last.is_empty() {
                more = Some(text);
                break;
            }
            last.pop();
            hidden += 1;
        }
    }
    let n = rows.len();
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| {
            let mut spans: Vec<Span<'static>> = Vec::new();
            for chip in row {
                spans.push(Span::styled(chip, theme::tag()));
                spans.push(Span::raw(" "));
            }
            if i + 1 == n {
                if let Some(m) = more.take() {
                    spans.push(Span::styled(m, theme::faint()));
                }
            }
            Line::from(spans)
        })
        .collect()
}

pub fn confirm(c: &Confirm, area: Rect, buf: &mut Buffer) {
    const SHOWN: usize = 5;
    let height = (c.names.len().min(SHOWN) + usize::from(c.names.len() > SHOWN) + 6) as u16;
    let inner = popup(
        area,
        56,
        height,
        " Delete ",
        " y deletes · any other key keeps ",
        buf,
    );
    let w = inner.width as usize;
    let mut lines = vec![Line::styled(c.question(), theme::error()), Line::raw("")];
    for name in c.names.iter().take(SHOWN) {
        lines.push(Line::styled(
            format!("  {}", fit(name, w.saturating_sub(2))),
            theme::dim(),
        ));
    }
    if c.names.len() > SHOWN {
        lines.push(Line::styled(
            format!("  and {} more", c.names.len() - SHOWN),
            theme::faint(),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("This cannot be undone.", theme::faint()));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

/// A yes/no question (quitting with transfers running, a bulk action
/// on a selection partly off screen).
pub fn ask(a: &crate::app::safety::Ask, area: Rect, buf: &mut Buffer) {
    let hint = if a.on_yes == crate::app::safety::Yes::Quit {
        " q/y quits · n/Esc stays "
    } else {
        " y goes ahead · n/Esc does nothing "
    };
    let inner = popup(area, 60, 5, " Sure? ", hint, buf);
    Paragraph::new(Line::styled(a.question.clone(), theme::key()))
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

pub fn choice(c: &Choice, area: Rect, buf: &mut Buffer) {
    // the query line, the choices, the frame
    let height = (c.picker.options.len().clamp(1, 12) + 3) as u16;
    let inner = popup(
        area,
        56,
        height,
        &c.title(),
        " type to narrow · Enter chooses · Esc ",
        buf,
    );
    // every row under the query line
    let rows = (inner.height as usize).saturating_sub(1);
    Paragraph::new(picker_lines(&c.picker, inner.width as usize, rows)).render(inner, buf);
}

pub fn upload(p: &PathPrompt, area: Rect, buf: &mut Buffer) {
    path_prompt(
        p,
        [
            " Upload an image ",
            " Tab completes · Enter uploads · Esc ",
            "file: ",
        ],
        vec![Line::styled(
            "PNG, JPEG, WebP, GIF, BMP or TIFF, up to 50 MiB",
            theme::faint(),
        )],
        area,
        buf,
    );
}

/// `M`: the folder a listing or search is mirrored into, and the sync's
/// options, one a line, the focused one marked.
pub fn mirror(m: &MirrorPrompt, area: Rect, buf: &mut Buffer) {
    let option = |line: MirrorLine, name: &str, value: String, meaning: &str| {
        let focused = m.line == line;
        let style = if focused {
            theme::selected()
        } else {
            theme::dim()
        };
        Line::from(vec![
            Span::styled(if focused { "› " } else { "  " }, theme::key()),
            Span::styled(format!("{name:<8}"), theme::label()),
            Span::styled(value, style),
            Span::styled(format!("  {meaning}"), theme::faint()),
        ])
    };
    let on = |b: bool| if b { "[x] on " } else { "[ ] off" }.to_string();
    let delete_meaning = if m.delete {
        "removes files of assets that left (if unchanged)"
    } else {
        "files of assets that left are only reported"
    };
    let extra = vec![
        Line::styled(
            "  what the list shows, kept in step: run M again to update it",
            theme::faint(),
        ),
        option(
            MirrorLine::Sidecar,
            "sidecar",
            on(m.sidecar),
            "NAME.json beside each file: the asset's JSON",
        ),
        option(MirrorLine::Delete, "delete", on(m.delete), delete_meaning),
        option(
            MirrorLine::Format,
            "format",
            format!("‹ {} ›", m.format_label()),
            "",
        ),
    ];
    let label = if m.line == MirrorLine::Folder {
        "› folder: "
    } else {
        "  folder: "
    };
    path_prompt(
        &m.path,
        [
            " Mirror into a folder ",
            " ↑/↓ line · Space changes · Tab completes · Enter syncs · Esc ",
            label,
        ],
        extra,
        area,
        buf,
    );
}

/// A path being typed: `[title, keys, label]`, the lines under it, and
/// what Tab found.
fn path_prompt(
    p: &PathPrompt,
    words: [&str; 3],
    under: Vec<Line<'static>>,
    area: Rect,
    buf: &mut Buffer,
) {
    let [title, keys, label] = words;
    let inner = popup(area, 72, 14, title, keys, buf);
    let w = inner.width as usize;
    let mut lines = vec![input_line(label, &p.input, w)];
    // a line too long for the popup is clipped at its edge
    lines.extend(under);
    let rows = (inner.height as usize).saturating_sub(lines.len() + 1);
    for c in p.completions.iter().take(rows) {
        // the name in its directory
        let trimmed = c.strip_suffix('/').unwrap_or(c);
        let name = match trimmed.rfind('/') {
            Some(i) => &c[i + 1..],
            None => c.as_str(),
        };
        lines.push(Line::styled(
            format!("  {}", fit(&sanitize::line(name, 200), w.saturating_sub(2))),
            theme::dim(),
        ));
    }
    if p.completions.len() > rows {
        lines.push(Line::styled(
            format!(
                "  +{} more: type more of the name",
                p.completions.len() - rows
            ),
            theme::faint(),
        ));
    }
    Paragraph::new(lines).render(inner, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn the_quit_question_fits_80_columns_whole() {
        let area = Rect::new(0, 0, 80, 24);
        let mut buf = Buffer::empty(area);
        ask(&crate::app::safety::Ask::quit(3, 0), area, &mut buf);
        let screen: String = (0..24)
            .map(|y| {
                (0..80)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
                    + "\n"
            })
            .collect();
        assert!(
            screen.contains("3 transfers running: quit? they"),
            "{screen}"
        );
        assert!(screen.contains("continue at the next start"), "{screen}");
        assert!(screen.contains("q/y quits · n/Esc stays"), "{screen}");
    }

    #[test]
    fn chips_wrap_whole_and_count_what_does_not_fit() {
        let labels: Vec<String> = [
            "audio 1/50",
            "sfx 1/50",
            "ui 1/50",
            "draft 14/50",
            "3d 1/50",
            "production 2/50",
        ]
        .iter()
        .map(|s| format!(" {s} "))
        .collect();
        // every chip whole, over two rows
        let all = text(&chips(&labels, 50, 3));
        assert_eq!(all.len(), 2, "{all:?}");
        for l in &labels {
            assert!(
                all.iter().any(|row| row.contains(l.as_str())),
                "{l} in {all:?}"
            );
        }
        assert!(
            all.iter()
                .all(|row| crate::text::width(row.trim_end()) <= 50),
            "{all:?}"
        );
        // one row: the rest counted, nothing cut mid-word
        let one = text(&chips(&labels, 40, 1));
        assert_eq!(one.len(), 1);
        let row = &one[0];
        assert!(row.ends_with(" more"), "{row}");
        let shown = labels.iter().filter(|l| row.contains(l.as_str())).count();
        assert!(
            row.contains(&format!("+{} more", labels.len() - shown)),
            "{row}"
        );
        assert!(crate::text::width(row) <= 40, "{row}");
    }
}
