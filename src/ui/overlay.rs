//! Popups: the help (generated from the keymap) and the filter pane. They
//! clear what is under them, images included.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::popup::{centered, Frame};
use super::theme;
use crate::app::filters::{EditorKind, Field};
use crate::app::keymap::{FILTER_PANE_KEYS, SEARCH_BOX_KEYS, SECTIONS};
use crate::app::state::{Edit, FilterPane, Overlay, Picker};
use crate::app::State;
use crate::text;

pub fn draw(state: &State, area: Rect, buf: &mut Buffer) {
    let area = state.geometry.popup_area(area);
    match &state.overlay {
        Some(Overlay::Help { scroll }) => help(state, *scroll, area, buf),
        Some(Overlay::Filters(pane)) => filters(state, pane, area, buf),
        Some(Overlay::Downloads) => super::downloads::draw(&state.downloads, area, buf),
        Some(Overlay::Tags(editor)) => super::edits::tag_editor(state, editor, area, buf),
        Some(Overlay::Confirm(c)) => super::edits::confirm(c, area, buf),
        Some(Overlay::Choose(c)) => super::edits::choice(c, area, buf),
        Some(Overlay::Upload(p)) => super::edits::upload(p, area, buf),
        Some(Overlay::Ask(a)) => super::edits::ask(a, area, buf),
        None => {}
    }
}

/// The help lines: every action of the keymap with its keys, by section.
pub fn help_lines(state: &State) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (section, actions) in SECTIONS {
        let served: Vec<_> = crate::app::keymap::served(actions, &state.caps).collect();
        if served.is_empty() {
            continue;
        }
        lines.push(Line::styled(section.to_string(), theme::label()));
        for a in served {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<16}", state.keymap.label(a)), theme::key()),
                Span::raw(a.help()),
            ]));
        }
        lines.push(Line::raw(""));
    }
    for (title, keys) in [
        ("Search box", SEARCH_BOX_KEYS),
        ("Tag editor", crate::app::tags::EDITOR_KEYS),
        ("Filter pane", FILTER_PANE_KEYS),
        ("Downloads pane", crate::app::downloads::PANE_KEYS),
    ] {
        lines.push(Line::styled(title, theme::label()));
        for (k, h) in keys {
            lines.push(Line::from(vec![
                Span::styled(format!("  {k:<16}"), theme::key()),
                Span::raw(*h),
            ]));
        }
        lines.push(Line::raw(""));
    }
    // two short lines: the popup is at most 72 columns wide
    lines.push(Line::styled(
        "Mouse: click selects, the wheel scrolls.",
        theme::dim(),
    ));
    lines.push(Line::styled(
        "Keys can be changed in config.toml [keys].",
        theme::dim(),
    ));
    lines
}

fn help(state: &State, scroll: usize, area: Rect, buf: &mut Buffer) {
    let lines = help_lines(state);
    debug_assert_eq!(lines.len(), crate::app::keymap::help_len(&state.caps));
    let popup = centered(area, 72, lines.len() as u16 + 2);
    let inner_h = popup.height.saturating_sub(2) as usize;
    let total = lines.len();
    let scroll = scroll.min(total.saturating_sub(inner_h));
    let footer = if total > inner_h {
        // where the view is, when it does not show everything
        format!(
            " {}–{} of {} · j/k scroll · Esc closes ",
            scroll + 1,
            (scroll + inner_h).min(total),
            total
        )
    } else {
        " Esc closes ".to_string()
    };
    let inner = Frame {
        title: " Keys ",
        keys: Some(&footer),
        ..Frame::default()
    }
    .draw(popup, buf);
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
