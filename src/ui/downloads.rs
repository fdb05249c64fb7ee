//! The transfers pane: each download and upload with a progress bar,
//! speed and ETA, a total at the bottom. Names and errors were sanitized
//! by the queue.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::popup::{centered, Frame};
use super::theme;
use crate::app::downloads::Downloads;
use crate::text::{fit, human_size, short_duration};
use crate::transfers::{Direction, ItemView, Phase};

/// Draws the pane over `area` (the rows between the bars).
pub fn draw(d: &Downloads, area: Rect, buf: &mut Buffer) {
    let inner = Frame {
        title: " Transfers ",
        status: Some(Line::styled(total_line(d), theme::dim())),
        keys: Some(" p pause · x cancel · R retry · o open · Esc "),
    }
    .draw(centered(area, 100, area.height), buf);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(why) = &d.unavailable {
        lines.push(Line::styled(fit(why, w), theme::error()));
    } else if d.snapshot.items.is_empty() && d.syncs.is_empty() {
        lines.push(Line::styled(
            "Nothing transferred yet: d downloads an asset, U uploads a file.",
            theme::dim(),
        ));
    }
    // a line per sync (`M`): its folder and where it stands
    for (i, s) in d.syncs.iter().enumerate() {
        let (mark, style) = match s.ended {
            None => ("⟳", theme::dim()),
            Some(false) => ("✓", theme::dim()),
            Some(true) => ("✗", theme::error()),
        };
        let style = if d.sync_cursor == Some(i) {
            theme::selected()
        } else {
            style
        };
        let dir = crate::sanitize::line(&s.dir.display().to_string(), 200);
        lines.push(Line::styled(
            fit(&format!("{mark} mirror {dir}: {}", s.text), w),
            style,
        ));
    }
    // two lines per item, and the whole reason under a failed item the
    // cursor is on (up to four lines); keep the cursor's item in view
    let at = d.index().unwrap_or(0);
    let reason: Vec<String> = d
        .current()
        .filter(|i| i.phase == Phase::Failed && d.cursor.is_some())
        .and_then(|i| i.error.as_deref())
        .map(|e| {
            let mut rows = crate::text::wrap(e, w.saturating_sub(2).max(1));
            if rows.len() > 4 {
                rows.truncate(4);
                rows[3] = fit(&format!("{}…", rows[3]), w.saturating_sub(2));
            }
            rows
        })
        .unwrap_or_default();
    let extra = reason.len().saturating_sub(1);
    let per_page = ((inner.height as usize).saturating_sub(extra + lines.len()) / 2).max(1);
    let first = at.saturating_sub(per_page - 1);
    for (i, item) in d
        .snapshot
        .items
        .iter()
        .enumerate()
        .skip(first)
        .take(per_page)
    {
        let selected = i == at && d.cursor.is_some() && d.sync_cursor.is_none();
        let (top, bottom) = item_lines(item, w, selected);
        lines.push(top);
        if selected && !reason.is_empty() {
            lines.extend(
                reason
                    .iter()
                    .map(|r| Line::styled(format!("  {r}"), theme::error())),
            );
        } else {
            lines.push(bottom);
        }
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
    let name = match (&item.format, item.direction) {
        (_, Direction::Upload { .. }) => format!("↑ upload {}", item.name),
        (Some(f), _) => format!("{} as {}", item.name, crate::sanitize::line(f, 12)),
        (None, _) => item.name.clone(),
    };
    let mut top = Line::from(vec![
        Span::styled(marker, theme::key()),
        Span::raw(fit(&name, name_w)),
        Span::raw(" "),
        Span::styled(phase.to_string(), phase_style(item.phase)),
    ]);
    if selected {
        top = top.style(theme::selected());
    }
    let upload = item.direction.is_upload();
    let detail = match (item.phase, &item.error, &item.path) {
        (Phase::Failed, Some(e), _) => {
            Line::styled(format!("  {}", fit(e, w.saturating_sub(2))), theme::error())
        }
        (Phase::Done, _, _) if upload => {
            let name = item.note.as_deref().unwrap_or_default();
            Line::styled(
                format!(
                    "  {}",
                    fit(
                        &format!("→ new asset {name} · {}", item.asset_id),
                        w.saturating_sub(2)
                    )
                ),
                theme::dim(),
            )
        }
        (Phase::Done, _, Some(_)) if item.for_sync() => Line::styled(
            "  into the mirror's folder (the sync's line above says where)",
            theme::dim(),
        ),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use crate::transfers::Snapshot;

    #[test]
    fn the_whole_reason_of_a_failed_download_shows_under_it() {
        let why =
            "the service rejected POST /v1/assets/asset_TP08kwMbslJpLBZ9yCCHh/download (400) \
                   (an audio asset can only be downloaded in its stored format (wav), not mp3)";
        let item = ItemView {
            key: 1,
            direction: Direction::Download,
            asset_id: "asset_TP08".into(),
            format: Some("mp3".into()),
            name: "asset_TP08".into(),
            phase: Phase::Failed,
            bytes: 0,
            total: None,
            speed: 0.0,
            eta: None,
            path: None,
            error: Some(why.into()),
            note: None,
            fetched: 0,
            assets: Vec::new(),
        };
        let mut d = Downloads::default();
        d.update(Arc::new(Snapshot {
            items: vec![item],
            version: 1,
            ..Default::default()
        }));
        let area = Rect::new(0, 0, 80, 20);
        let mut buf = Buffer::empty(area);
        draw(&d, area, &mut buf);
        let text: String = (0..area.height)
            .map(|y| {
                // inside the frame
                (1..area.width - 1)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join(" ");
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("not mp3)"), "{flat}");
        // and which format was asked
        assert!(flat.contains("asset_TP08 as mp3"), "{flat}");
        assert!(flat.contains("stored format (wav)"), "{flat}");
    }
}
