//! The asset list and the grid: only the visible rows are drawn, whatever
//! the number loaded.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget};

use super::{image, theme};
use crate::app::action::Action;
use crate::app::images::{ImageKey, Variant};
use crate::app::layout::ROW_THUMB;
use crate::app::list::{Entry, Loading};
use crate::app::search::Mark;
use crate::app::state::Focus;
use crate::app::State;
use crate::text;

pub fn draw(state: &State, buf: &mut Buffer) {
    let g = state.geometry;
    let list = &state.list;
    let title = match state.search.title() {
        // the results say what they are for
        Some(t) => format!(
            " {} ",
            text::fit(&t, (g.list.width as usize).saturating_sub(14))
        ),
        None if state.grid => " Grid ".to_string(),
        None => " Assets ".to_string(),
    };
    let title_style = if state.search.active {
        theme::key()
    } else {
        theme::title()
    };
    let count = format!(" {} ", super::bars::total(list));
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme::border(state.focus == Focus::List))
        .title(Span::styled(title, title_style))
        .title_bottom(Line::from(Span::styled(count, theme::faint())).right_aligned());
    block.render(g.list, buf);
    let inner = g.list_inner;
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    if list.entries.is_empty() {
        empty_state(state, inner, buf);
        return;
    }
    match g.grid {
        Some(grid) => {
            let per = grid.columns as usize;
            for (n, i) in (list.offset..list.entries.len())
                .take(g.visible_items())
                .enumerate()
            {
                let col = (n % per) as u16;
                let line = (n / per) as u16;
                let area = Rect::new(
                    inner.x + grid.left + col * grid.tile_width,
                    inner.y + line * grid.tile_height,
                    grid.tile_width,
                    grid.tile_height,
                )
                .intersection(inner);
                tile(
                    state,
                    &list.entries[i],
                    i == list.cursor,
                    area,
                    grid.image,
                    buf,
                );
            }
        }
        None => {
            let h = g.row_height;
            let one_line = h < ROW_THUMB.1 || !state.images_enabled;
            let gutter = state.search.active;
            // compact rows with images: a small thumbnail after the bar
            let thumb = one_line && state.images_enabled;
            let cols = one_line.then(|| {
                Columns::new(
                    list.entries.column_widths(),
                    inner.width as usize,
                    gutter,
                    thumb,
                )
            });
            for (n, i) in (list.offset..list.entries.len())
                .take(g.lines())
                .enumerate()
            {
                let area =
                    Rect::new(inner.x, inner.y + n as u16 * h, inner.width, h).intersection(inner);
                let entry = &list.entries[i];
                if let Some(cols) = &cols {
                    let picked = state.selection.contains(&entry.asset.id);
                    cols.row(
                        entry,
                        glyph(state, entry),
                        picked,
                        i == list.cursor,
                        area,
                        buf,
                    );
                    if cols.thumb {
                        let cells = g.row_thumb();
                        let key = ImageKey {
                            asset_id: entry.asset.id.clone(),
                            variant: Variant::Thumbnail,
                            cells,
                        };
                        let at = Rect::new(area.x + 1, area.y, cells.0, cells.1).intersection(area);
                        image::draw(&state.images, &key, at, "·", buf);
                    }
                } else {
                    row(state, entry, i == list.cursor, area, buf);
                }
            }
        }
    }
}

/// Before the name of an asset in the selection, and its width.
const PICKED: &str = "✓ ";
const PICKED_W: usize = 2;

/// The mark column of a search result: `+`/`-` (green/red), `*` on the
/// asset the results look like, blank otherwise; `None` outside search.
fn glyph(state: &State, entry: &Entry) -> Option<Span<'static>> {
    if !state.search.active {
        return None;
    }
    let id = &entry.asset.id;
    Some(match state.search.mark_of(id) {
        Some(Mark::Like) => Span::styled(Mark::Like.glyph(), theme::like()),
        Some(Mark::Unlike) => Span::styled(Mark::Unlike.glyph(), theme::unlike()),
        None if state.search.is_reference(id) => Span::styled("*", theme::label()),
        None => Span::raw(" "),
    })
}

fn empty_state(state: &State, area: Rect, buf: &mut Buffer) {
    let retry = state.keymap.label(Action::Refresh);
    let edit = state.keymap.label(Action::Search);
    let search = if !state.search.active {
        None
    } else if state.search.resolving.is_some() {
        Some(("reading the image…".to_string(), theme::dim()))
    } else {
        match &state.list.loading {
            Loading::Fetching | Loading::Idle => Some(("searching…".to_string(), theme::dim())),
            Loading::Failed(e) => Some((
                format!(
                    "The search failed:\n{e}\n\n{retry} retries, {edit} edits it, Esc goes back"
                ),
                theme::error(),
            )),
            Loading::Complete => Some((
                format!("Nothing found.\n\n{edit} edits the search, Esc goes back to the list"),
                theme::dim(),
            )),
        }
    };
    let (msg, style) = match (search, &state.list.loading) {
        (Some(m), _) => m,
        (None, loading) => match loading {
            Loading::Fetching | Loading::Idle => ("loading assets…".to_string(), theme::dim()),
            Loading::Failed(e) => (
                format!("Could not load the assets:\n{e}\n\npress {retry} to retry"),
                theme::error(),
            ),
            Loading::Complete if state.filters.is_default() => {
                ("No assets in this library yet.".to_string(), theme::dim())
            }
            Loading::Complete => (
                format!(
                    "No asset matches these filters.\n\n{} to change them, {} to clear them",
                    state.keymap.label(Action::Filters),
                    state.keymap.label(Action::ClearFilters)
                ),
                theme::dim(),
            ),
        },
    };
    let top = area.y + area.height / 3;
    Paragraph::new(msg)
        .style(style)
        .centered()
        .wrap(ratatui::widgets::Wrap { trim: false })
        .render(Rect::new(area.x, top, area.width, area.bottom() - top), buf);
}

/// As many whole tag chips as fit in `width` columns (measured when the
/// row was built).
fn tags_line(entry: &Entry, width: usize) -> Line<'_> {
    let (chips, w) = entry.row.chips_within(width);
    if w == 0 {
        return Line::default();
    }
    Line::from(Span::styled(chips, theme::tag()))
}

/// `n` spaces, borrowed when short (padding is drawn on every row).
fn spaces(n: usize) -> Cow<'static, str> {
    const SPACES: &str = "                                                                                                                                ";
    match SPACES.get(..n) {
        Some(s) => s.into(),
        None => " ".repeat(n).into(),
    }
}

/// `s`, `w` columns wide (measured once), cut to `width` columns: borrowed
/// when it fits.
fn fit_measured(s: &str, w: usize, width: usize) -> Cow<'_, str> {
    if w <= width {
        s.into()
    } else {
        text::fit(s, width).into()
    }
}

/// The one-line list (no thumbnails): the name, then type, kind,
/// dimensions and date in fixed columns sized to the loaded rows (widths
/// the list keeps as rows come and go), so the rows line up. Columns that leave the name too little room are dropped,
/// the type first and the date last.
struct Columns {
    name: usize,
    /// (width, right-aligned) of type, kind, dims and date; 0 = hidden.
    widths: [(usize, bool); 4],
    /// A small thumbnail after the selection bar (compact rows).
    thumb: bool,
}

impl Columns {
    const NAME_MIN: usize = 16;
    const GAP: usize = 2;

    /// `widest`: each column's widest value over all loaded rows, capped
    /// ([`crate::app::list::Rows::column_widths`]).
    fn new(widest: [usize; 4], width: usize, gutter: bool, thumb: bool) -> Columns {
        let mut widths = [(0, false), (0, false), (0, true), (0, false)];
        for (n, w) in widest.into_iter().enumerate() {
            widths[n].0 = w;
        }
        // the selection marker takes one column, the mark two more
        let thumb_w = if thumb {
            crate::app::layout::COMPACT_THUMB.0 as usize + 1
        } else {
            0
        };
        let room = width.saturating_sub(if gutter { 3 } else { 1 } + thumb_w);
        let used = |w: &[(usize, bool); 4]| -> usize {
            w.iter().filter(|c| c.0 > 0).map(|c| c.0 + Self::GAP).sum()
        };
        for drop in [0, 2, 1, 3] {
            if room.saturating_sub(used(&widths)) >= Self::NAME_MIN {
                break;
            }
            widths[drop].0 = 0;
        }
        Columns {
            name: room.saturating_sub(used(&widths)),
            widths,
            thumb,
        }
    }

    fn row<'a>(
        &self,
        entry: &'a Entry,
        mark: Option<Span<'static>>,
        picked: bool,
        selected: bool,
        area: Rect,
        buf: &mut Buffer,
    ) {
        if selected {
            buf.set_style(area, theme::selected());
        }
        let name_w = if picked {
            self.name.saturating_sub(PICKED_W)
        } else {
            self.name
        };
        let r = &entry.row;
        let mut spans: Vec<Span<'a>> = Vec::with_capacity(16);
        spans.push(Span::raw(if selected { "▌" } else { " " }));
        if self.thumb {
            // the thumbnail is drawn over these cells afterwards
            spans.push(Span::raw(spaces(
                crate::app::layout::COMPACT_THUMB.0 as usize + 1,
            )));
        }
        if let Some(m) = mark {
            spans.push(m);
            spans.push(Span::raw(" "));
        }
        if picked {
            spans.push(Span::styled(PICKED, theme::picked()));
        }
        // the name, then as many tag chips as the rest of its column holds
        let name = fit_measured(&r.name, r.name_width, name_w);
        let room = name_w.saturating_sub(match name {
            Cow::Borrowed(_) => r.name_width,
            Cow::Owned(ref cut) => text::width(cut),
        });
        spans.push(Span::styled(name, theme::title()));
        let chips = if room > 4 {
            tags_line(entry, room - 2)
        } else {
            Line::default()
        };
        let chips_w = chips.width();
        if chips_w > 0 {
            spans.push(Span::raw("  "));
            spans.extend(chips.spans);
        }
        spans.push(Span::raw(spaces(
            room.saturating_sub(chips_w + if chips_w > 0 { 2 } else { 0 }),
        )));
        let styles = [theme::dim(), theme::dim(), theme::dim(), theme::faint()];
        for (n, v) in r.columns().into_iter().enumerate() {
            let (w, right) = self.widths[n];
            if w == 0 {
                continue;
            }
            spans.push(Span::raw(spaces(Self::GAP)));
            let value = fit_measured(v, r.column_widths[n], w);
            let gap = spaces(w.saturating_sub(match value {
                Cow::Borrowed(_) => r.column_widths[n],
                Cow::Owned(ref cut) => text::width(cut),
            }));
            if right && !value.starts_with(|c: char| c.is_ascii()) && !value.is_empty() {
                // one span, as a mark that combines with the space before
                // it would be drawn
                spans.push(Span::styled(format!("{gap}{value}"), styles[n]));
            } else if right {
                spans.push(Span::styled(gap, styles[n]));
                spans.push(Span::styled(value, styles[n]));
            } else {
                spans.push(Span::styled(value, styles[n]));
                spans.push(Span::styled(gap, styles[n]));
            }
        }
        super::paint::line(&Line::from(spans), area, buf);
    }
}

fn row(state: &State, entry: &Entry, selected: bool, area: Rect, buf: &mut Buffer) {
    if selected {
        buf.set_style(area, theme::selected());
    }
    let r = &entry.row;
    let meta = [r.type_label.as_str(), r.kind.as_str(), r.dims.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ");
    let thumb = Rect::new(area.x + 1, area.y, ROW_THUMB.0, ROW_THUMB.1).intersection(area);
    let key = ImageKey {
        asset_id: entry.asset.id.clone(),
        variant: Variant::Thumbnail,
        cells: ROW_THUMB,
    };
    image::draw(&state.images, &key, thumb, "·", buf);
    let tx = area.x + ROW_THUMB.0 + 2;
    let tw = area.right().saturating_sub(tx) as usize;
    if tw == 0 {
        return;
    }
    let date = r.created.as_str();
    let date_w = r.column_widths[3];
    let mark = glyph(state, entry);
    let picked = state.selection.contains(&entry.asset.id);
    let mark_w = if mark.is_some() { 2 } else { 0 } + if picked { PICKED_W } else { 0 };
    let name_w = tw.saturating_sub(date_w + 1 + mark_w);
    let name = fit_measured(&r.name, r.name_width, name_w);
    let shown_w = match name {
        Cow::Borrowed(_) => r.name_width,
        Cow::Owned(ref cut) => text::width(cut),
    };
    let pad = tw.saturating_sub(shown_w + date_w + mark_w);
    let mut spans = Vec::new();
    if let Some(m) = mark {
        spans.push(m);
        spans.push(Span::raw(" "));
    }
    if picked {
        spans.push(Span::styled(PICKED, theme::picked()));
    }
    spans.extend([
        Span::styled(name, theme::title()),
        Span::raw(spaces(pad)),
        Span::styled(date, theme::faint()),
    ]);
    let line1 = Line::from(spans);
    let text_area = |dy: u16| Rect::new(tx, area.y + dy, tw as u16, 1).intersection(area);
    super::paint::line(&line1, text_area(0), buf);
    let meta = Line::styled(text::fit(&meta, tw), theme::dim());
    super::paint::line(&meta, text_area(1), buf);
    super::paint::line(&tags_line(entry, tw), text_area(2), buf);
    if selected {
        // a row cut by the bottom of the list: the bar stops with it
        for dy in 0..area.height.min(3) {
            buf.set_string(area.x, area.y + dy, "▌", theme::label());
        }
    }
}

fn tile(
    state: &State,
    entry: &Entry,
    selected: bool,
    area: Rect,
    cells: (u16, u16),
    buf: &mut Buffer,
) {
    if area.width < 3 || area.height < 2 {
        return;
    }
    if selected {
        // a double frame marks the selected tile, colour or not
        buf.set_style(area, theme::selected());
        Block::bordered()
            .border_type(BorderType::Double)
            .border_style(theme::key())
            .render(area, buf);
    }
    let img = Rect::new(area.x + 1, area.y + 1, cells.0, cells.1).intersection(area);
    if state.images_enabled {
        let key = ImageKey {
            asset_id: entry.asset.id.clone(),
            variant: Variant::Thumbnail,
            cells,
        };
        image::draw(&state.images, &key, img, "·", buf);
    } else {
        image::mark(img, &entry.row.kind, theme::faint(), buf);
    }
    let name_y = area.y + 1 + cells.1;
    if name_y < area.bottom() {
        let w = area.width.saturating_sub(2) as usize;
        let style = if selected { theme::key() } else { theme::dim() };
        let mut spans = Vec::new();
        let mut name_w = w;
        if let Some(m) = glyph(state, entry).filter(|m| m.content != " ") {
            spans.push(m);
            spans.push(Span::raw(" "));
            name_w = name_w.saturating_sub(2);
        }
        if state.selection.contains(&entry.asset.id) {
            spans.push(Span::styled(PICKED, theme::picked()));
            name_w = name_w.saturating_sub(PICKED_W);
        }
        spans.push(Span::styled(
            fit_measured(&entry.row.name, entry.row.name_width, name_w),
            style,
        ));
        Line::from(spans)
            .centered()
            .render(Rect::new(area.x + 1, name_y, area.width - 2, 1), buf);
    }
}
