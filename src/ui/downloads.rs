//! The downloads pane: each item with a progress bar, speed and ETA, a
//! total at the bottom. Names and errors were sanitized by the queue.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget};

use super::theme;
use crate::app::downloads::Downloads;
use crate::download::queue::{ItemView, Phase};
use crate::text::{fit, human_size, short_duration};

/// Draws the pane over `area` (the rows between the bars).
pub fn draw(d: &Downloads, area: Rect, buf: &mut Buffer) {
    let popup = super::overlay::centered(area, 100, area.height);
    Clear.render(popup, buf);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme::border(true))
        .title(Span::styled(" Downloads ", theme::title()))
        .title_bottom(Line::styled(total_line(d), theme::dim()).left_aligned())
        .title_bottom(
            Line::styled(
                " p pause · x cancel · R retry · o open · Esc ",
                theme::faint(),
            )
            .right_aligned(),
        );
    let inner = block.inner(popup);
    block.render(popup, buf);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(why) = &d.unavailable {
        lines.push(Line::styled(fit(why, w), theme::error()));
    } else if d.snapshot.items.is_empty() {
        lines.push(Line::styled(
            "Nothing downloaded yet: d on an asset queues it.",
            theme::dim(),
        ));
    }
    // two lines per item; keep the cursor's item in view
    let per_page = (inner.height as usize / 2).max(1);
    let at = d.index().unwrap_or(0);
    let first = at.saturating_sub(per_page - 1);
    for (i, item) in d
        .snapshot
        .items
        .iter()
        .enumerate()
        .skip(first)
        .take(per_page)
    {
        let selected = i == at && d.cursor.is_some();
        let (top, bottom) = item_lines(item, w, selected);
        lines.push(top);
        lines.push(bottom);
    }
    Paragraph::new(lines).render(inner, buf);
}

fn total_line(d: &Downloads) -> String {
    let s = &d.snapshot;
    if s.items.is_empty() {
        return String::new();
    }
    let done = s.count(Phase::Done);
    let mut t = format!(" {done}/{} done", s.items.len());
    let failed = s.count(Phase::Failed);
    if failed > 0 {
        t.push_str(&format!(" · {failed} failed"));
    }
    if let Some(total) = s.total() {
        t.push_str(&format!(
            " · {} of {}",
            human_size(s.bytes()),
            human_size(total)
        ));
    }
    let speed = s.speed();
    if speed >= 1.0 {
        t.push_str(&format!(" · {}/s", human_size(speed as u64)));
        let left: u64 = s
            .items
            .iter()
            .filter_map(|i| i.total.map(|t| t.saturating_sub(i.bytes)))
            .sum();
        t.push_str(&format!(
            " · ETA {}",
            short_duration(std::time::Duration::from_secs_f64(left as f64 / speed))
        ));
    }
    t.push(' ');
    t
}

fn phase_style(p: Phase) -> ratatui::style::Style {
    match p {
        Phase::Failed => theme::error(),
        Phase::Done => theme::info(),
        Phase::Paused | Phase::Cancelled => theme::faint(),
        _ => theme::label(),
    }
}

/// The name with its phase, then a bar with bytes, speed and ETA (or why
/// it failed, or where it landed).
fn item_lines(item: &ItemView, w: usize, selected: bool) -> (Line<'static>, Line<'static>) {
    let marker = if selected { "▌" } else { " " };
    let phase = item.phase.label();
    let name_w = w.saturating_sub(phase.len() + 3);
    let mut top = Line::from(vec![
        Span::styled(marker, theme::key()),
        Span::raw(fit(&item.name, name_w)),
        Span::raw(" "),
        Span::styled(phase.to_string(), phase_style(item.phase)),
    ]);
    if selected {
        top = top.style(theme::selected());
    }
    let detail = match (item.phase, &item.error, &item.path) {
        (Phase::Failed, Some(e), _) => {
            Line::styled(format!("  {}", fit(e, w.saturating_sub(2))), theme::error())
        }
        (Phase::Done, _, Some(p)) => Line::styled(
            format!("  {}", fit(&p.display().to_string(), w.saturating_sub(2))),
            theme::dim(),
        ),
        _ => {
            let bar_w = (w / 3).clamp(10, 30);
            let frac = match item.total {
                Some(t) if t > 0 => (item.bytes as f64 / t as f64).min(1.0),
                _ => 0.0,
            };
            let filled = (frac * bar_w as f64).round() as usize;
            let mut text = format!(
                "{} {:>3.0}% {}",
                human_size(item.bytes),
                frac * 100.0,
                item.total
                    .map(human_size)
                    .map(|t| format!("of {t}"))
                    .unwrap_or_default()
            );
            if item.speed >= 1.0 {
                text.push_str(&format!(" · {}/s", human_size(item.speed as u64)));
            }
            if let Some(eta) = item.eta {
                text.push_str(&format!(" · ETA {}", short_duration(eta)));
            }
            if let Some(n) = &item.note {
                text.push_str(&format!(" · {n}"));
            }
            Line::from(vec![
                Span::raw("  "),
                Span::styled("█".repeat(filled), theme::label()),
                Span::styled("░".repeat(bar_w - filled), theme::faint()),
                Span::raw(" "),
                Span::styled(fit(&text, w.saturating_sub(bar_w + 3)), theme::dim()),
            ])
        }
    };
    (top, detail)
}
