//! Drawing one image slot: the encoded image centred in its cells, or a
//! placeholder that says why there is none.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};
use ratatui_image::Image;

use super::theme;
use crate::app::images::ImageKey;
use crate::app::images::{Drawable, ImageStore, Slot};

/// Draws the image for `key` into `area`, or `placeholder` / a failure
/// mark. Returns nothing: the store is read-only here.
pub fn draw(store: &ImageStore, key: &ImageKey, area: Rect, placeholder: &str, buf: &mut Buffer) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    match store.get(key) {
        Some(Slot::Ready(protocol)) => {
            let size = protocol.size();
            let w = size.width.min(area.width);
            let h = size.height.min(area.height);
            let x = area.x + (area.width - w) / 2;
            let y = area.y + (area.height - h) / 2;
            match protocol {
                Drawable::Lib(p) => Image::new(p).render(Rect::new(x, y, w, h), buf),
                Drawable::KittyDirect(k) => k.render(Rect::new(x, y, w, h), buf),
            }
        }
        Some(Slot::Failed(_)) => mark(area, "⚠ no image", theme::error(), buf),
        None => mark(area, placeholder, theme::faint(), buf),
    }
}

/// A short centred text in an image's place.
pub fn mark(area: Rect, text: &str, style: ratatui::style::Style, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let y = area.y + area.height.saturating_sub(1) / 2;
    Paragraph::new(Line::styled(text.to_string(), style))
        .centered()
        .wrap(Wrap { trim: true })
        .render(
            Rect::new(area.x, y, area.width, area.height - (y - area.y)),
            buf,
        );
}
