//! The inspector: the preview, then the summary and every other field, or
//! the raw JSON. Only the visible lines are laid out.

use ratatui::buffer::Buffer;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Widget};

use super::{image, theme};
use crate::app::action::Action;
use crate::app::images::{ImageKey, Variant};
use crate::app::inspector::{Detail, InspectorLine};
use crate::app::list::Loading;
use crate::app::state::Focus;
use crate::app::State;

pub fn draw(state: &State, buf: &mut Buffer) {
    let g = state.geometry;
    let Some(area) = g.inspector else {
        return;
    };
    let ins = &state.inspector;
    let mut title = vec![Span::styled(" Inspector ", theme::title())];
    if ins.raw {
        title.push(Span::styled("· raw JSON ", theme::dim()));
    }
    if ins.detached && state.lineage.pane.is_some() {
        // the family tree pane shows its node here
        title.push(Span::styled("· family tree ", theme::key()));
    } else if ins.detached {
        title.push(Span::styled(
            format!("· jumped ({} back) ", state.keymap.label(Action::Back)),
            theme::key(),
        ));
    }
    let status = match &ins.detail {
        Detail::Loading => Some(Span::styled(" loading details… ", theme::dim())),
        Detail::Failed(_) => Some(Span::styled(
            format!(
                " details failed: {} retries ",
                state.keymap.label(Action::Refresh)
            ),
            theme::error(),
        )),
        _ => None,
    };
    let mut block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme::border(state.focus == Focus::Inspector))
        .title(Line::from(title));
    if let Some(s) = status {
        block = block.title_bottom(Line::from(s).right_aligned());
    }
    // where the view is, when the content is taller than the pane
    let d = g.details;
    if ins.asset.is_some() && d.height > 0 {
        let total = ins.line_count(d.width as usize);
        if total > d.height as usize {
            let end = (ins.scroll + d.height as usize).min(total);
            block = block.title_bottom(
                Line::styled(
                    format!(" {}–{end} of {total} ", ins.scroll + 1),
                    theme::faint(),
                )
                .left_aligned(),
            );
        }
    }
    block.render(area, buf);
    let Some(asset) = &ins.asset else {
        // one quiet line rather than an empty box
        let inner = block_inner(area);
        let msg = match &state.list.loading {
            Loading::Failed(_) if state.list.entries.is_empty() => "no asset loaded",
            Loading::Fetching | Loading::Idle if state.list.entries.is_empty() => "",
            _ => "nothing selected",
        };
        image::mark(inner, msg, theme::faint(), buf);
        return;
    };
    if let Some(p) = g.preview {
        let key = ImageKey {
            asset_id: asset.id.clone(),
            variant: Variant::Preview,
            cells: (p.width, p.height),
        };
        let placeholder = if asset.preview_url.is_none() && asset.thumbnail_url.is_none() {
            "no preview for this asset"
        } else {
            "loading preview…"
        };
        image::draw(&state.images, &key, p, placeholder, buf);
    }
    if d.height == 0 || d.width == 0 {
        return;
    }
    // laid out once by update(): a frame styles only the visible lines
    let lines: Vec<Line> = ins
        .lines(d.width as usize)
        .iter()
        .skip(ins.scroll)
        .take(d.height as usize)
        .map(|l| match l {
            InspectorLine::Rule { title, rule } => Line::from(vec![
                Span::styled("── ", theme::faint()),
                Span::styled(title.clone(), theme::section()),
                Span::styled(format!(" {}", "─".repeat(*rule)), theme::faint()),
            ]),
            InspectorLine::Field { label, value, tag } => Line::from(vec![
                Span::styled(label.clone(), theme::dim()),
                Span::styled(
                    value.clone(),
                    if *tag {
                        theme::tag()
                    } else {
                        ratatui::style::Style::new()
                    },
                ),
            ]),
            InspectorLine::Blank => Line::raw(""),
            InspectorLine::Raw(row) => Line::raw(row.clone()),
        })
        .collect();
    super::paint::lines(&lines, d, buf);
}

fn block_inner(r: ratatui::layout::Rect) -> ratatui::layout::Rect {
    Block::bordered().inner(r)
}
