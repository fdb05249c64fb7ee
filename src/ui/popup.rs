//! The one way a popup is drawn: the cells under it cleared (images
//! included), a rounded frame with its title, an optional status on the
//! bottom left and the keys that work on the bottom right. The help, the
//! filter pane, the downloads pane, the edit dialogs and the file
//! completions all use it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Widget};

use super::theme;

/// A `width`×`height` rectangle in the middle of `outer` (cut to fit).
pub fn centered(outer: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(outer.width);
    let h = height.min(outer.height);
    Rect::new(
        outer.x + (outer.width - w) / 2,
        outer.y + (outer.height - h) / 2,
        w,
        h,
    )
}

/// What frames a popup.
#[derive(Default)]
pub struct Frame<'a> {
    pub title: &'a str,
    /// Bottom left: how things stand (totals, counts).
    pub status: Option<Line<'a>>,
    /// Bottom right: the keys that work here.
    pub keys: Option<&'a str>,
}

impl Frame<'_> {
    /// Clears `rect`, draws the frame and returns the inside.
    pub fn draw(self, rect: Rect, buf: &mut Buffer) -> Rect {
        Clear.render(rect, buf);
        let mut block = Block::bordered()
            .border_type(BorderType::Rounded)
            .border_style(theme::border(true))
            .title(Span::styled(self.title.to_string(), theme::title()));
        // the bottom border holds the status, then the keys if they fit
        // beside it (the help lists them too): neither runs into the other
        let room = rect.width.saturating_sub(2) as usize;
        let status_w = self.status.as_ref().map_or(0, Line::width);
        if let Some(status) = self.status {
            block = block.title_bottom(status.left_aligned());
        }
        if let Some(keys) = self.keys {
            let gap = usize::from(status_w > 0);
            if status_w + gap + crate::text::width(keys) <= room {
                block = block
                    .title_bottom(Line::styled(keys.to_string(), theme::faint()).right_aligned());
            }
        }
        let inner = block.inner(rect);
        block.render(rect, buf);
        inner
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bottom(width: u16, status: &str) -> String {
        let rect = Rect::new(0, 0, width, 4);
        let mut buf = Buffer::empty(rect);
        Frame {
            title: " T ",
            status: Some(Line::raw(status.to_string())),
            keys: Some(" p pause · x cancel · Esc "),
        }
        .draw(rect, &mut buf);
        (0..width)
            .map(|x| buf[(x, 3)].symbol().to_string())
            .collect()
    }

    #[test]
    fn the_status_and_the_keys_never_run_into_each_other() {
        let status = " 50/50 done · 259.6 KiB of 259.6 KiB";
        // room for both
        let wide = bottom(80, status);
        assert!(
            wide.contains(status.trim()) && wide.contains("x cancel"),
            "{wide}"
        );
        // not enough: the status whole, the keys left out (not cut)
        let narrow = bottom(50, status);
        assert!(narrow.contains("259.6 KiB of 259.6 KiB"), "{narrow}");
        assert!(!narrow.contains("pause"), "{narrow}");
    }
}
