//! Drawing: one function per pane, all from `&State`. Nothing here
//! changes state or does I/O. Images are drawn before overlays, and
//! overlays clear the cells under them.

pub(crate) mod bars;
pub(crate) mod downloads;
pub(crate) mod edits;
pub(crate) mod image;
pub(crate) mod inspector;
pub mod list;
pub mod overlay;
pub(crate) mod paint;
pub(crate) mod popup;
pub mod theme;
// issue 18: the focused pane's keys, the message log, the palette
pub(crate) mod footer;
pub(crate) mod log;
pub(crate) mod palette;
pub(crate) mod tree;

use ratatui::Frame;

use crate::app::State;

/// Draws the whole screen.
pub fn draw(state: &State, frame: &mut Frame) {
    let area = frame.area();
    let buf = frame.buffer_mut();
    bars::filter_bar(state, buf);
    if !tree::draw(state, buf) {
        list::draw(state, buf);
    }
    inspector::draw(state, buf);
    bars::status_bar(state, buf);
    bars::completions(state, buf);
    overlay::draw(state, area, buf);
}
