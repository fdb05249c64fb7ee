//! Lines written straight into the frame's buffer, as `Line::render`
//! writes a left-aligned line, but with printable ASCII set cell by cell
//! instead of through grapheme segmentation and width tables. The list's
//! rows and the inspector are most of a frame's cells, and that work was
//! half of a frame's cost (issue 21, item 5). Any other text goes through
//! ratatui's own `Span::render`, so what reaches the screen is the same.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// Draws `line` on the first row of `area`, from its left edge, cut at
/// its right edge: what `line.render(area, buf)` draws for a line that
/// is not centred or right-aligned.
pub fn line(line: &Line, area: Rect, buf: &mut Buffer) {
    debug_assert!(matches!(line.alignment, None | Some(Alignment::Left)));
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    let area = Rect { height: 1, ..area };
    if line.style != Style::default() {
        if line.width() == 0 {
            return;
        }
        buf.set_style(area, line.style);
    }
    let mut x = area.x;
    for s in &line.spans {
        if x >= area.right() {
            break;
        }
        x = span(s, x, area.y, area.right(), buf);
    }
}

/// Lines on successive rows of `area` (no wrapping), as a `Paragraph`
/// of left-aligned lines draws them.
pub fn lines<'a>(lines: impl IntoIterator<Item = &'a Line<'a>>, area: Rect, buf: &mut Buffer) {
    for (row, l) in (area.y..area.bottom()).zip(lines) {
        line(
            l,
            Rect {
                y: row,
                height: 1,
                ..area
            },
            buf,
        );
    }
}

/// One span from column `x` of row `y`, cut at `right`; where the next
/// span starts.
fn span(span: &Span, x: u16, y: u16, right: u16, buf: &mut Buffer) -> u16 {
    let text = span.content.as_ref();
    let advance = |w: usize| x.saturating_add(u16::try_from(w).unwrap_or(u16::MAX));
    if text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        // one byte, one cell, one column
        let shown = text.len().min(usize::from(right - x));
        let start = buf.index_of(x, y);
        let style = Style::default().patch(span.style);
        for (cell, b) in buf.content[start..start + shown]
            .iter_mut()
            .zip(text.bytes())
        {
            cell.set_char(char::from(b)).set_style(style);
        }
        advance(text.len())
    } else {
        span.render(Rect::new(x, y, right - x, 1), buf);
        advance(span.width())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};

    /// What ratatui draws and what this draws, for the same line in the
    /// same (already styled) buffer.
    fn both(l: &Line, width: u16) -> (Buffer, Buffer) {
        let area = Rect::new(0, 0, width, 2);
        let mut base = Buffer::empty(area);
        base.set_style(Rect::new(0, 0, width, 1), Style::new().bg(Color::Blue));
        base.set_string(0, 0, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", Style::new());
        let (mut theirs, mut ours) = (base.clone(), base);
        l.render(Rect::new(0, 0, width, 1), &mut theirs);
        line(l, Rect::new(0, 0, width, 1), &mut ours);
        (theirs, ours)
    }

    #[test]
    fn lines_draw_as_ratatui_draws_them_ascii_or_not() {
        let cases = [
            Line::from(vec![
                Span::raw(" "),
                Span::styled("Castle at dawn", Style::new().bold()),
                Span::raw("   "),
                Span::styled("2026-12-07", Style::new().fg(Color::DarkGray)),
            ]),
            Line::from(vec![
                Span::styled("日本語の名前", Style::new().italic()),
                Span::raw(" e\u{301}te\u{301} "),
                Span::styled("🦀 crab", Style::new().add_modifier(Modifier::REVERSED)),
                Span::raw("tail that is cut off at the edge of the area"),
            ]),
            Line::from(vec![Span::raw("ab"), Span::raw(""), Span::raw("cd")])
                .style(Style::new().fg(Color::Red)),
            Line::from(""),
            Line::from("exactly twenty cols."),
            Line::from("\u{301}starts with a mark"),
        ];
        for l in &cases {
            for width in [0, 1, 3, 7, 20, 30] {
                let (theirs, ours) = both(l, width);
                assert_eq!(theirs, ours, "{l:?} at {width}");
            }
        }
    }

    #[test]
    fn lines_fill_successive_rows_and_stop_at_the_bottom() {
        let ls = [Line::from("one"), Line::from("two"), Line::from("three")];
        let mut buf = Buffer::empty(Rect::new(0, 0, 5, 4));
        lines(&ls, Rect::new(1, 1, 4, 2), &mut buf);
        assert_eq!(
            buf,
            Buffer::with_lines(["     ", " one ", " two ", "     "])
        );
    }
}
