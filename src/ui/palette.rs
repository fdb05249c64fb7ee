//! The command palette (`:`): the query, then every action that matches
//! it with its keys and what it does, the highlighted one runs on Enter.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::popup::{centered, Frame};
use super::theme;
use crate::app::inspector::plural;
use crate::app::palette::Palette;
use crate::text;

/// Columns of the name and of the keys.
const NAME_W: usize = 18;
const KEYS_W: usize = 12;

pub fn draw(p: &Palette, area: Rect, buf: &mut Buffer) {
    let height = (p.entries.len() as u16 + 3).min(area.height);
    let status = format!(" {} ", plural(p.matches.len(), "action", "actions"));
    let inner = Frame {
        title: " Commands ",
        status: Some(Line::styled(status, theme::dim())),
        keys: Some(" ↑/↓ choose · Enter runs · Esc closes "),
    }
    .draw(centered(area, 76, height), buf);
    let w = inner.width as usize;
    let mut lines = vec![Line::from(vec![
        Span::styled(": ", theme::key()),
        Span::raw(text::fit(&p.query, w.saturating_sub(4))),
        Span::styled("▏", theme::key()),
    ])];
    if p.matches.is_empty() {
        lines.push(Line::styled("no action matches", theme::faint()));
    }
    let rows = (inner.height as usize).saturating_sub(1).max(1);
    let start = p.cursor.saturating_sub(rows - 1);
    for (n, &i) in p.matches.iter().enumerate().skip(start).take(rows) {
        let e = &p.entries[i];
        let base = if n == p.cursor {
            theme::selected()
        } else {
            Style::new()
        };
        let name = format!(" {:<NAME_W$}", text::fit(e.action.name(), NAME_W));
        let keys = format!("{:<KEYS_W$} ", text::fit(&e.keys, KEYS_W));
        let help_w = w.saturating_sub(NAME_W + KEYS_W + 2);
        let help = text::fit(e.action.help(), help_w);
        let pad = " ".repeat(help_w.saturating_sub(text::width(&help)));
        lines.push(Line::from(vec![
            Span::styled(name, base),
            Span::styled(keys, base.patch(theme::key())),
            Span::styled(format!("{help}{pad}"), base),
        ]));
    }
    Paragraph::new(lines).render(inner, buf);
}
