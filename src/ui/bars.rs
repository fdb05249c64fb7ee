//! The filter bar (top line; the search box while searching), the
//! status bar (bottom line) and the file-name completions under the box.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

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
    if state.search.open || state.search.active {
        search_bar(state, area, buf);
        return;
    }
    buf.set_style(area, theme::bar());
    let mut spans = vec![Span::styled(" assetui ", theme::title())];
    spans.extend(link_marker(state));
    spans.push(Span::styled(
        format!("{} ", text::fit(&state.source, 40)),
        theme::dim(),
    ));
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
    super::paint::line(&Line::from(spans), area, buf);
}

/// `s` cut from the left to at most `width` columns (the end of what is
/// being typed stays in view).
fn fit_tail(s: &str, width: usize) -> String {
    if text::width(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = text::width(c.encode_utf8(&mut [0; 4]));
        if used + w + 1 > width {
            break;
        }
        kept.push(c);
        used += w;
    }
    let mut out = String::from("…");
    out.extend(kept.into_iter().rev());
    out
}

/// The search box: what the results look like (an asset, or a local
/// image being read), the marks, the text with a cursor while the box is
/// open, and on the right the two ratios (image only when it applies)
/// and how many filters the search carries.
/// `offline` (the service cannot be reached) or `cached` (the rows are
/// the local index's, a refresh is under way), first in the top line.
fn link_marker(state: &State) -> Option<Span<'static>> {
    let word = state.library.marker()?;
    let style = if state.library.offline() {
        theme::error()
    } else {
        theme::dim()
    };
    Some(Span::styled(format!("{word} "), style))
}

fn search_bar(state: &State, area: Rect, buf: &mut Buffer) {
    use crate::app::search::{classify, ratio_label, Input};
    buf.set_style(area, theme::bar());
    let s = &state.search;
    let room = area.width as usize;
    let mut left: Vec<Span> = link_marker(state).into_iter().collect();
    left.push(Span::styled(" / ", theme::key()));
    if let Some((_, name)) = &s.similar {
        left.push(Span::styled(
            format!(" like: {} ", text::fit(name, (room / 4).max(8))),
            theme::chip(),
        ));
        left.push(Span::raw(" "));
    }
    let (likes, unlikes) = s.mark_counts();
    if likes > 0 {
        left.push(Span::styled(format!("+{likes} "), theme::like()));
    }
    if unlikes > 0 {
        left.push(Span::styled(format!("-{unlikes} "), theme::unlike()));
    }
    let input = crate::sanitize::line(&s.input, crate::app::search::INPUT_MAX);
    let path_mode = matches!(classify(&s.input), Input::Path { .. });
    let image_mode = s.similar.is_some()
        || path_mode
        || !s.marks.is_empty()
        || s.applied.as_ref().is_some_and(|a| a.image_mode());
    let mut right: Vec<Span> = Vec::new();
    if s.resolving.is_some() {
        right.push(Span::styled("reading image… ", theme::dim()));
    }
    if state.caps.semantic_ratios {
        right.push(Span::styled("semantic ", theme::faint()));
        right.push(Span::styled(ratio_label(s.query_ratio), theme::label()));
        if image_mode {
            right.push(Span::styled(" · image ", theme::faint()));
            right.push(Span::styled(ratio_label(s.image_ratio), theme::label()));
        }
    }
    if let Some((_, name)) = s.index.as_ref().filter(|_| state.caps.indexes) {
        right.push(Span::styled("in ", theme::faint()));
        right.push(Span::styled(name.clone(), theme::label()));
    }
    let filters = state.filters.chips().len();
    if filters > 0 {
        right.push(Span::styled(
            format!(" · {}", plural(filters, "filter", "filters")),
            theme::dim(),
        ));
    }
    if !s.open {
        right.push(Span::styled(
            format!("  {} edit  Esc back", state.keymap.label(Action::Search)),
            theme::faint(),
        ));
    }
    right.push(Span::raw(" "));
    let width = |spans: &[Span]| -> usize { spans.iter().map(|s| text::width(&s.content)).sum() };
    let mut right_w = width(&right);
    let left_w = width(&left);
    // the text keeps at least 12 columns: the right side goes first
    if left_w + 13 + right_w > room {
        right.clear();
        right_w = 0;
    }
    let cursor = if s.open { "▏" } else { "" };
    let text_room = room.saturating_sub(left_w + right_w + text::width(cursor));
    if input.is_empty() && s.open {
        let hint = if s.similar.is_some() {
            "add words, or Backspace to drop the image"
        } else {
            "words, or @path of an image (Tab completes)"
        };
        left.push(Span::styled(cursor, theme::key()));
        left.push(Span::styled(
            text::fit(hint, text_room.saturating_sub(1)),
            theme::faint(),
        ));
    } else {
        left.push(Span::styled(fit_tail(&input, text_room), theme::title()));
        left.push(Span::styled(cursor, theme::key()));
    }
    let used = width(&left);
    let mut spans = left;
    if used + right_w <= room {
        spans.push(Span::raw(" ".repeat(room - used - right_w)));
        spans.extend(right);
    }
    super::paint::line(&Line::from(spans), area, buf);
}

/// File names Tab found, under the search box.
pub fn completions(state: &State, buf: &mut Buffer) {
    let s = &state.search;
    let bar = state.geometry.filter_bar;
    if !s.open || s.completions.is_empty() || bar.height == 0 {
        return;
    }
    const SHOWN: usize = 8;
    let n = s.completions.len();
    let lines = n.min(SHOWN) + usize::from(n > SHOWN);
    let below = state.geometry.status.y.saturating_sub(bar.bottom());
    let height = (lines as u16 + 2).min(below);
    let width = 60.min(bar.width.saturating_sub(2));
    if height < 3 || width < 10 {
        return;
    }
    let inner = super::popup::Frame {
        title: " Tab: files ",
        ..Default::default()
    }
    .draw(Rect::new(bar.x + 2, bar.bottom(), width, height), buf);
    let w = inner.width as usize;
    for (row, c) in s.completions.iter().take(SHOWN).enumerate() {
        if row as u16 >= inner.height {
            break;
        }
        // the name in its directory: the part after the last `/`
        let trimmed = c.strip_suffix('/').unwrap_or(c);
        let name = match trimmed.rfind('/') {
            Some(i) => &c[i + 1..],
            None => c.strip_prefix('@').unwrap_or(c),
        };
        let name = crate::sanitize::line(&crate::app::search::unquote(name), 200);
        buf.set_string(
            inner.x,
            inner.y + row as u16,
            text::fit(&name, w),
            theme::dim(),
        );
    }
    if n > SHOWN && (SHOWN as u16) < inner.height {
        buf.set_string(
            inner.x,
            inner.y + SHOWN as u16,
            text::fit(&format!("+{} more: type more of the name", n - SHOWN), w),
            theme::faint(),
        );
    }
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
    let view = if state.grid {
        "grid"
    } else if state.density == crate::app::layout::Density::Compact {
        "compact"
    } else {
        "list"
    };
    let focus = match state.focus {
        Focus::List => view.to_string(),
        Focus::Inspector => format!("{view} › inspector"),
    };
    spans.push(sep());
    spans.push(Span::styled(focus, theme::dim()));
    if state.search.active {
        spans.push(sep());
        let label = if state.list.pages == 0 && state.list.loading != Loading::Complete {
            "search".to_string()
        } else {
            let n = total(list);
            format!(
                "search: {n} {}",
                if n == "1" { "result" } else { "results" }
            )
        };
        spans.push(Span::styled(label, theme::label()));
    }
    if !state.selection.is_empty() {
        spans.push(sep());
        spans.push(Span::styled(
            format!("✓ {} selected", state.selection.len()),
            theme::picked(),
        ));
    }
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
    // the focused pane's keys on the right, in the room the status leaves
    let room = area.width as usize;
    let status_w: usize = spans.iter().map(|s| text::width(&s.content)).sum();
    let mut hints = super::footer::hints(state);
    let mut keep = super::footer::kept(state);
    let mut hint = super::footer::fit(&hints, keep, status_w, room);
    let messages = state.keymap.keys_for(Action::Messages).first();
    if let (true, Some(_), Some(m)) = (
        status_w + text::width(&hint) > room && keep > 0,
        &state.notice,
        messages,
    ) {
        // the message is cut: say where it is whole
        hints.insert(hints.len() - keep, (m.to_string(), "log"));
        keep += 1;
        hint = super::footer::fit(&hints, keep, status_w, room);
    }
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
    super::paint::line(&Line::from(fitted), area, buf);
}
