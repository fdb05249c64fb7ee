//! The message log (`m`): every message the status bar showed, whole,
//! wrapped to the screen's width, each with its time (UTC, as in the log
//! file) and its level in colour; the newest at the bottom.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::popup::Frame;
use super::theme;
use crate::app::inspector::plural;
use crate::app::messages::{clock, inner_width, Level, PREFIX};
use crate::app::State;

fn style(level: Level) -> (Style, &'static str) {
    match level {
        Level::Info => (Style::new(), "·"),
        Level::Warning => (theme::picked(), "!"),
        Level::Error => (theme::error(), "✗"),
    }
}

/// Draws the log over all of `area` (the rows between the bars), scrolled
/// `scroll` lines up from its newest line.
pub fn draw(state: &State, scroll: usize, area: Rect, buf: &mut Buffer) {
    let log = &state.messages;
    let lines = log.lines(inner_width(state.width));
    let page = area.height.saturating_sub(2) as usize;
    let total = lines.len();
    let scroll = scroll.min(total.saturating_sub(page));
    let end = total - scroll;
    let start = end.saturating_sub(page);
    let status = if total > page {
        format!(
            " {} · lines {}–{} of {total} ",
            plural(log.len(), "message", "messages"),
            start + 1,
            end
        )
    } else {
        format!(" {} ", plural(log.len(), "message", "messages"))
    };
    let inner = Frame {
        title: " Messages (times in UTC) ",
        status: Some(Line::styled(status, theme::dim())),
        keys: Some(" j/k scroll · g/G oldest/newest · Esc closes "),
    }
    .draw(area, buf);
    if lines.is_empty() {
        Line::styled(
            "No message yet: what the status bar says is kept here, whole.",
            theme::faint(),
        )
        .render(inner, buf);
        return;
    }
    debug_assert_eq!(inner.width as usize, inner_width(state.width));
    let shown: Vec<Line> = lines[start..end]
        .iter()
        .map(|l| {
            let (style, sign) = style(l.message.level);
            let head = if l.first {
                vec![
                    Span::styled(format!("{} ", clock(l.message.at)), theme::faint()),
                    Span::styled(format!("{sign} "), style),
                ]
            } else {
                vec![Span::raw(" ".repeat(PREFIX))]
            };
            let mut spans = head;
            spans.push(Span::styled(l.text.clone(), style));
            Line::from(spans)
        })
        .collect();
    Paragraph::new(shown).render(inner, buf);
}
