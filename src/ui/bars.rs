//! The filter bar (top line) and the status bar (bottom line).

use ratatui::buffer::Buffer;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::theme;
use crate::app::action::Action;
use crate::app::list::Loading;
use crate::app::state::Focus;
use crate::app::State;
use crate::text;

pub fn filter_bar(state: &State, buf: &mut Buffer) {
    let area = state.geometry.filter_bar;
    if area.height == 0 {
        return;
    }
    buf.set_style(area, theme::bar());
    let mut spans = vec![
        Span::styled(" assetui ", theme::title()),
        Span::styled(format!("{} ", text::fit(&state.source, 40)), theme::dim()),
    ];
    let chips = state.filters.chips();
    if chips.is_empty() {
        spans.push(Span::styled(" all assets ", theme::faint()));
    } else {
        for c in chips {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(
                format!(" {} ", text::fit(&c, 40)),
                theme::chip(),
            ));
        }
    }
    let hint = format!(
        "{} filters  {} clear ",
        state.keymap.label(Action::Filters),
        state.keymap.label(Action::ClearFilters)
    );
    let used: usize = spans.iter().map(|s| text::width(&s.content)).sum();
    let room = area.width as usize;
    if used + hint.len() + 1 < room {
        spans.push(Span::raw(" ".repeat(room - used - text::width(&hint))));
        spans.push(Span::styled(hint, theme::faint()));
    }
    Line::from(spans).render(area, buf);
}

pub fn status_bar(state: &State, buf: &mut Buffer) {
    let area = state.geometry.status;
    if area.height == 0 {
        return;
    }
    buf.set_style(area, theme::bar());
    let mut spans = Vec::new();
    if state.busy() {
        spans.push(Span::styled(
            format!(" {} ", state.spinner_frame()),
            theme::info(),
        ));
    } else {
        spans.push(Span::raw(" "));
    }
    let list = &state.list;
    let position = if list.entries.is_empty() {
        format!("0/{}", list.count_label())
    } else {
        format!("{}/{}", list.cursor + 1, list.count_label())
    };
    spans.push(Span::styled(position, theme::title()));
    match &list.loading {
        Loading::Fetching => spans.push(Span::styled(" loading…", theme::dim())),
        Loading::Failed(_) => spans.push(Span::styled(" load failed", theme::error())),
        _ => {}
    }
    let focus = match state.focus {
        Focus::List if state.grid => " grid",
        Focus::List => " list",
        Focus::Inspector => " inspector",
    };
    spans.push(Span::styled(focus, theme::faint()));
    if let Some(n) = &state.notice {
        spans.push(Span::raw("  "));
        let style = if n.error {
            theme::error()
        } else {
            theme::info()
        };
        spans.push(Span::styled(n.text.clone(), style));
    }
    let hint = format!(
        " {} help  {} quit ",
        state.keymap.label(Action::Help),
        state
            .keymap
            .label(Action::Quit)
            .split('/')
            .next()
            .unwrap_or("q")
    );
    let room = area.width as usize;
    let hint_w = text::width(&hint);
    let mut used = 0;
    let mut fitted = Vec::new();
    for s in spans {
        let w = text::width(&s.content);
        let limit = room.saturating_sub(hint_w);
        if used + w > limit {
            let cut = text::fit(&s.content, limit.saturating_sub(used));
            used += text::width(&cut);
            fitted.push(Span::styled(cut, s.style));
            break;
        }
        used += w;
        fitted.push(s);
    }
    if used + hint_w <= room {
        fitted.push(Span::raw(" ".repeat(room - used - hint_w)));
        fitted.push(Span::styled(hint, theme::faint()));
    }
    Line::from(fitted).render(area, buf);
}
