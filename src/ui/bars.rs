//! The filter bar (top line) and the status bar (bottom line).

use ratatui::buffer::Buffer;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::theme;
use crate::app::action::Action;
use crate::app::inspector::plural;
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
    let hint = format!(
        "{} filters  {} clear ",
        state.keymap.label(Action::Filters),
        state.keymap.label(Action::ClearFilters)
    );
    let room = area.width as usize;
    let used: usize = spans.iter().map(|s| text::width(&s.content)).sum();
    let chips = state.filters.chips();
    let chip_text: Vec<String> = chips
        .iter()
        .map(|c| format!(" {} ", text::fit(c, 40)))
        .collect();
    let all_w: usize = chip_text.iter().map(|c| text::width(c) + 1).sum();
    // the key hint goes first when the chips need its room
    let show_hint = used + all_w.max(12) + text::width(&hint) < room;
    let budget = room.saturating_sub(used).saturating_sub(if show_hint {
        text::width(&hint) + 1
    } else {
        0
    });
    if chips.is_empty() {
        spans.push(Span::styled(
            text::fit(" all assets ", budget),
            theme::faint(),
        ));
    } else {
        // as many chips as fit, then "+N" for the hidden ones
        let mut taken = 0;
        let mut w = 0;
        for (n, c) in chip_text.iter().enumerate() {
            let cw = text::width(c) + 1;
            let rest = chips.len() - n - 1;
            let more = if rest > 0 {
                format!(" +{rest}").len()
            } else {
                0
            };
            if w + cw + more > budget {
                break;
            }
            w += cw;
            taken += 1;
        }
        for c in &chip_text[..taken] {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(c.clone(), theme::chip()));
        }
        let hidden = chips.len() - taken;
        if hidden > 0 {
            spans.push(Span::styled(format!(" +{hidden}"), theme::key()));
        }
    }
    let used: usize = spans.iter().map(|s| text::width(&s.content)).sum();
    if show_hint && used + text::width(&hint) <= room {
        spans.push(Span::raw(" ".repeat(room - used - text::width(&hint))));
        spans.push(Span::styled(hint, theme::faint()));
    }
    Line::from(spans).render(area, buf);
}

/// The number of assets: `"42+"` while more may follow, but `"0"` after a
/// failed first page (nothing more comes until a retry).
pub fn total(list: &crate::app::list::AssetList) -> String {
    if list.entries.is_empty() && matches!(list.loading, Loading::Failed(_)) {
        "0".to_string()
    } else {
        list.count_label()
    }
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
    // position · view/focus · filters · loading · notice, hints on the right
    let list = &state.list;
    let failed = matches!(list.loading, Loading::Failed(_));
    let position = if list.entries.is_empty() {
        format!("0/{}", total(list))
    } else {
        format!("{}/{}", list.cursor + 1, total(list))
    };
    spans.push(Span::styled(position, theme::title()));
    let sep = || Span::styled(" · ", theme::faint());
    let view = if state.grid { "grid" } else { "list" };
    let focus = match state.focus {
        Focus::List => view.to_string(),
        Focus::Inspector => format!("{view} › inspector"),
    };
    spans.push(sep());
    spans.push(Span::styled(focus, theme::dim()));
    let filters = state.filters.chips().len();
    if filters > 0 {
        spans.push(sep());
        spans.push(Span::styled(
            plural(filters, "filter", "filters"),
            theme::label(),
        ));
    }
    if list.loading == Loading::Fetching {
        spans.push(sep());
        spans.push(Span::styled("loading…", theme::dim()));
    }
    if let Some(d) = state.downloads.summary() {
        spans.push(sep());
        spans.push(Span::styled(d, theme::label()));
    }
    // a failed page says so first; the notice (its message, as a rule)
    // follows
    let failed_label = if failed { "load failed" } else { "" };
    match &state.notice {
        Some(n) if n.error => {
            spans.push(sep());
            let text = if failed {
                format!("✗ {failed_label}: {}", n.text)
            } else {
                format!("✗ {}", n.text)
            };
            spans.push(Span::styled(text, theme::error()));
        }
        notice => {
            if failed {
                spans.push(sep());
                spans.push(Span::styled(
                    format!(
                        "✗ {failed_label} ({} retries)",
                        state.keymap.label(Action::Refresh)
                    ),
                    theme::error(),
                ));
            }
            if let Some(n) = notice {
                spans.push(sep());
                spans.push(Span::styled(n.text.clone(), theme::info()));
            }
        }
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
