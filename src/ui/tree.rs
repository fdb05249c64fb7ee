//! The family tree pane (`L`), drawn in the list's place: box-drawing
//! branches, an open/closed mark, and per node a thumbnail (with images),
//! its name, type and date. Only the visible rows are drawn.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget};

use super::{image, theme};
use crate::app::images::{ImageKey, Variant};
use crate::app::layout::ROW_THUMB;
use crate::app::state::Focus;
use crate::app::tree::TreePane;
use crate::app::State;
use crate::lineage::Row;
use crate::provider::AssetView;
use crate::text;

/// Draws the pane when it is open; `false` when it is not (the list is
/// drawn instead).
pub fn draw(state: &State, buf: &mut Buffer) -> bool {
    let Some(pane) = &state.lineage.pane else {
        return false;
    };
    let g = state.geometry;
    let name = crate::sanitize::line(pane.asked.display_name(), 200);
    let title = format!(
        " Family of {} ",
        text::fit(&name, (g.list.width as usize).saturating_sub(16))
    );
    let n = pane.tree.as_ref().map_or(0, |t| t.len());
    let problems = pane.tree.as_ref().map_or(0, |t| t.problems().len());
    let mut count = crate::app::inspector::plural(n, "asset", "assets");
    if problems > 0 {
        count.push_str(&format!(" · {problems} not placed or cut"));
    }
    if pane.busy() {
        count.push_str(&format!(" {}", state.spinner_frame()));
    }
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme::border(state.focus == Focus::List))
        .title(Span::styled(title, theme::title()))
        .title_bottom(
            Line::from(Span::styled(format!(" {count} "), theme::faint())).right_aligned(),
        )
        .render(g.list, buf);
    let inner = g.list_inner;
    if inner.width == 0 || inner.height == 0 {
        return true;
    }
    let Some(tree) = &pane.tree else {
        let (msg, style) = match &pane.error {
            Some(e) => (
                format!("No family tree:\n{e}\n\nEsc goes back"),
                theme::error(),
            ),
            None => ("reading the family…".to_string(), theme::dim()),
        };
        let top = inner.y + inner.height / 3;
        Paragraph::new(msg)
            .style(style)
            .centered()
            .wrap(ratatui::widgets::Wrap { trim: false })
            .render(
                Rect::new(inner.x, top, inner.width, inner.bottom() - top),
                buf,
            );
        return true;
    };
    let h = g.row_height.max(1);
    let thumbs = h >= ROW_THUMB.1 && state.images_enabled;
    for (n, (i, row)) in pane
        .rows
        .iter()
        .enumerate()
        .skip(pane.offset)
        .take(crate::app::tree::lines_drawn(&g))
        .enumerate()
    {
        let Some(node) = tree.get(&row.id) else {
            continue;
        };
        let area = Rect::new(inner.x, inner.y + n as u16 * h, inner.width, h).intersection(inner);
        let cursor = i == pane.cursor;
        if cursor {
            buf.set_style(area, theme::selected());
        }
        let mark = mark(pane, row);
        let picked = state.selection.contains(&row.id);
        if thumbs {
            let thumb = Rect::new(area.x + 1, area.y, ROW_THUMB.0, ROW_THUMB.1).intersection(area);
            if thumb.height == ROW_THUMB.1 {
                let key = ImageKey {
                    asset_id: row.id.clone(),
                    variant: Variant::Thumbnail,
                    cells: ROW_THUMB,
                };
                image::draw(&state.images, &key, thumb, "·", buf);
            } else {
                // the last row, cut short: no room for its picture
                image::mark(thumb, "·", theme::faint(), buf);
            }
            let tx = area.x + ROW_THUMB.0 + 2;
            let text_area = |dy: u16| {
                Rect::new(tx, area.y + dy, area.right().saturating_sub(tx), 1).intersection(area)
            };
            let below = continuation(&row.prefix);
            line(
                &node.asset,
                &row.prefix,
                mark,
                picked,
                false,
                text_area(0),
                buf,
            );
            let meta = meta(&node.asset);
            Line::from(vec![
                Span::styled(below.clone(), theme::faint()),
                Span::raw("  "),
                Span::styled(meta, theme::dim()),
            ])
            .render(text_area(1), buf);
            Line::styled(below, theme::faint()).render(text_area(2), buf);
        } else {
            let text_area = Rect::new(area.x + 1, area.y, area.width.saturating_sub(1), 1);
            line(&node.asset, &row.prefix, mark, picked, true, text_area, buf);
        }
        if cursor {
            for dy in 0..area.height {
                buf.set_string(area.x, area.y + dy, "▌", theme::label());
            }
        }
    }
    true
}

/// The open/closed mark of a node.
fn mark(pane: &TreePane, row: &Row) -> &'static str {
    let Some(tree) = &pane.tree else { return " " };
    if pane.loading.contains(&row.id) {
        return "…";
    }
    match tree.has_children(&row.id) {
        Some(true) if pane.expanded.contains(&row.id) => "▾",
        Some(true) | None => "▸",
        Some(false) => "·",
    }
}

/// The box-drawing under a node's line (its branch goes on below it).
fn continuation(prefix: &str) -> String {
    prefix.replace("├─ ", "│  ").replace("└─ ", "   ")
}

fn meta(a: &AssetView) -> String {
    [a.type_label.as_deref(), a.kind_label.as_deref()]
        .into_iter()
        .flatten()
        .map(|s| crate::sanitize::line(s, 40))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn date(a: &AssetView) -> String {
    crate::lineage::day(a)
}

/// One node's first line: branches, mark, selection, name, then (on one
/// line rows) type and date at the right.
fn line(
    a: &AssetView,
    prefix: &str,
    mark: &str,
    picked: bool,
    with_type: bool,
    area: Rect,
    buf: &mut Buffer,
) {
    let width = area.width as usize;
    if width == 0 {
        return;
    }
    let mut right = date(a);
    if with_type {
        let t = a
            .type_label
            .as_deref()
            .map(|t| crate::sanitize::line(t, 24))
            .unwrap_or_default();
        right = format!("{}  {right}", text::fit(&t, 24));
    }
    let head = format!("{prefix}{mark} {}", if picked { "✓ " } else { "" });
    let head_w = text::width(&head);
    let right_w = text::width(&right);
    let name_room = width.saturating_sub(head_w + right_w + 1);
    let (right, right_w) = if name_room < 8 {
        (String::new(), 0)
    } else {
        (right, right_w)
    };
    let name_room = width.saturating_sub(head_w + right_w + 1);
    let name = text::fit(&crate::sanitize::line(a.display_name(), 200), name_room);
    let pad = width.saturating_sub(head_w + text::width(&name) + right_w);
    let mut spans = vec![Span::styled(prefix.to_string(), theme::faint())];
    spans.push(Span::styled(format!("{mark} "), theme::key()));
    if picked {
        spans.push(Span::styled("✓ ", theme::picked()));
    }
    spans.push(Span::styled(name, theme::title()));
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(right, theme::faint()));
    Line::from(spans).render(area, buf);
}
