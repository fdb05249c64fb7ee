//! Popups: the help (generated from the keymap) and the filter pane. They
//! clear what is under them, images included.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::popup::{centered, Frame};
use super::theme;
use crate::app::filters::{EditorKind, Field};
use crate::app::help::{self, Row};
use crate::app::state::{Edit, FilterPane, Overlay, Picker};
use crate::app::State;
use crate::text;

pub fn draw(state: &State, area: Rect, buf: &mut Buffer) {
    let area = state.geometry.popup_area(area);
    match &state.overlay {
        Some(Overlay::Help { scroll, filter }) => help(state, *scroll, filter, area, buf),
        Some(Overlay::Messages { scroll }) => super::log::draw(state, *scroll, area, buf),
        Some(Overlay::Palette(p)) => super::palette::draw(p, area, buf),
        Some(Overlay::Filters(pane)) => filters(state, pane, area, buf),
        Some(Overlay::Downloads) => super::downloads::draw(&state.downloads, area, buf),
        Some(Overlay::Tags(editor)) => super::edits::tag_editor(state, editor, area, buf),
        Some(Overlay::Confirm(c)) => super::edits::confirm(c, area, buf),
        Some(Overlay::Choose(c)) => super::edits::choice(c, area, buf),
        Some(Overlay::Upload(p)) => super::edits::upload(p, area, buf),
        Some(Overlay::Mirror(p)) => super::edits::mirror(p, area, buf),
        Some(Overlay::Ask(a)) => super::edits::ask(a, area, buf),
        None => {}
    }
}

/// The help lines: every action of the keymap with its keys, by section,
/// and the panes' own keys; those matching the filter while one is typed.
pub fn help_lines(state: &State) -> Vec<Line<'static>> {
    let filter = match &state.overlay {
        Some(Overlay::Help { filter, .. }) => filter.as_str(),
        _ => "",
    };
    rows_to_lines(&help::rows(&state.keymap, &state.caps, filter))
}

fn rows_to_lines(rows: &[Row]) -> Vec<Line<'static>> {
    rows.iter()
        .map(|r| match r {
            Row::Section(title) => Line::styled(*title, theme::label()),
            Row::Key { keys, help } => Line::from(vec![
                Span::styled(format!("  {keys:<16}"), theme::key()),
                Span::raw(*help),
            ]),
            Row::Blank => Line::raw(""),
            Row::Note(n) => Line::styled(*n, theme::dim()),
        })
        .collect()
}

fn help(state: &State, scroll: usize, filter: &str, area: Rect, buf: &mut Buffer) {
    let rows = help::rows(&state.keymap, &state.caps, filter);
    let lines = rows_to_lines(&rows);
    if filter.is_empty() {
        debug_assert_eq!(lines.len(), crate::app::keymap::help_len(&state.caps));
    }
    // the same height filtered or not: the popup does not jump as you type
    let full = crate::app::keymap::help_len(&state.caps);
    let popup = centered(area, 72, full as u16 + 2);
    let inner_h = popup.height.saturating_sub(2) as usize;
    let total = lines.len();
    let scroll = scroll.min(total.saturating_sub(inner_h));
    let footer = if total > inner_h {
        // where the view is, when it does not show everything
        format!(
            " {}–{} of {} · ↑/↓ PgDn scroll · Esc closes ",
            scroll + 1,
            (scroll + inner_h).min(total),
            total
        )
    } else {
        " Esc closes ".to_string()
    };
    let status = if filter.is_empty() {
        Line::styled(" type to filter ", theme::faint())
    } else {
        Line::from(vec![
            Span::styled(" filter: ", theme::label()),
            Span::raw(text::fit(filter, 24)),
            Span::styled("▏", theme::key()),
            Span::styled(
                format!(
                    " {} ",
                    crate::app::inspector::plural(help::key_count(&rows), "key", "keys")
                ),
                theme::dim(),
            ),
        ])
    };
    let inner = Frame {
        title: " Keys ",
        status: Some(status),
        keys: Some(&footer),
    }
    .draw(popup, buf);
    if lines.is_empty() {
        Line::styled(
            "No key matches: Backspace edits, Esc clears.",
            theme::faint(),
        )
        .render(inner, buf);
        return;
    }
    Paragraph::new(lines)
        .scroll((scroll as u16, 0))
        .render(inner, buf);
}

fn filters(state: &State, pane: &FilterPane, area: Rect, buf: &mut Buffer) {
    let fields = Field::offered(&state.caps);
    let height = fields.len() as u16 + 4 + if pane.edit.is_some() { 12 } else { 0 };
    let inner = Frame {
        title: " Filters ",
        keys: Some(" Enter edit · x clear · F clear all · Esc close "),
        ..Frame::default()
    }
    .draw(centered(area, 64, height), buf);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    for (i, field) in fields.iter().enumerate() {
        let current = i == pane.field;
        let value = state.filters.value(*field);
        let shown = if value.is_empty() {
            match field {
                Field::Sort | Field::Direction => "server default".to_string(),
                _ => "any".to_string(),
            }
        } else {
            value
        };
        let kind = match field.editor() {
            EditorKind::Cycle => " ⟳",
            EditorKind::Pick { .. } => " ▾",
            EditorKind::Text => "",
        };
        let marker = if current { "›" } else { " " };
        let label = format!("{marker} {:<14}", field.label());
        let room = w.saturating_sub(text::width(&label) + 3);
        let style = if current {
            theme::selected()
        } else {
            ratatui::style::Style::new()
        };
        let value_style = if state.filters.value(*field).is_empty() {
            theme::faint()
        } else {
            style
        };
        lines.push(Line::from(vec![
            Span::styled(label, style),
            Span::styled(text::fit(&shown, room), value_style),
            Span::styled(kind, theme::faint()),
        ]));
    }
    lines.push(Line::raw(""));
    if let Some(e) = &pane.error {
        lines.push(Line::styled(text::fit(e, w), theme::error()));
    }
    match &pane.edit {
        Some(Edit::Text { buffer }) => {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{}: ", pane.field(&state.caps).label()),
                    theme::label(),
                ),
                Span::raw(text::fit(buffer, w.saturating_sub(20))),
                Span::styled("▏", theme::key()),
            ]));
            let hint = match pane.field(&state.caps) {
                Field::CreatedAfter | Field::CreatedBefore => {
                    "YYYY-MM-DD · Enter sets · Esc cancels"
                }
                Field::PageSize => "1 to 100 · Enter sets · Esc cancels",
                Field::Tags => "comma-separated, all must match · Enter sets · Esc cancels",
                _ => "Enter sets (empty clears) · Esc cancels",
            };
            lines.push(Line::styled(hint, theme::faint()));
        }
        Some(Edit::Pick(p)) => {
            let rows = (inner.height as usize)
                .saturating_sub(lines.len() + 1 + usize::from(p.options.is_empty()))
                .clamp(1, 9);
            lines.extend(picker_lines(p, w, rows));
        }
        None => {}
    }
    Paragraph::new(lines).render(inner, buf);
}

/// A picker: its query, then as many choices as `rows` allows with the
/// cursor's in view (`[x]` marks in a multiple choice).
pub fn picker_lines(p: &Picker, w: usize, rows: usize) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::styled("search: ", theme::label()),
        Span::raw(text::fit(&p.query, w.saturating_sub(12))),
        Span::styled("▏", theme::key()),
        Span::styled(
            format!(
                "  {}",
                crate::app::inspector::plural(p.matches.len(), "match", "matches")
            ),
            theme::faint(),
        ),
    ])];
    if p.options.is_empty() {
        lines.push(Line::styled(
            "(nothing to pick yet: loading…)",
            theme::faint(),
        ));
    }
    let rows = rows.max(1);
    let start = p.cursor.saturating_sub(rows - 1);
    for (n, &i) in p.matches.iter().enumerate().skip(start).take(rows) {
        let (value, label) = &p.options[i];
        let mark = match (p.multi, p.chosen.contains(value)) {
            (false, _) => "",
            (true, true) => "[x] ",
            (true, false) => "[ ] ",
        };
        let style = if n == p.cursor {
            theme::selected()
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::styled(
            format!("  {mark}{}", text::fit(label, w.saturating_sub(8))),
            style,
        ));
    }
    lines
}
