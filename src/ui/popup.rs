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
        if let Some(status) = self.status {
            block = block.title_bottom(status.left_aligned());
        }
        if let Some(keys) = self.keys {
            block =
                block.title_bottom(Line::styled(keys.to_string(), theme::faint()).right_aligned());
        }
        let inner = block.inner(rect);
        block.render(rect, buf);
        inner
    }
}
