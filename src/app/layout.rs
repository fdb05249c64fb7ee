//! Screen geometry, computed from the terminal size and the view flags.
//! `update()` uses it to know how many rows are visible and which cell
//! sizes to ask images for; `ui` draws into the same rectangles, so the
//! two cannot disagree.

use ratatui::layout::Rect;

/// Widths from which the inspector sits beside the list, and from which
/// the preview grows.
pub const SIDE_BY_SIDE: u16 = 100;
pub const WIDE: u16 = 160;
/// Row thumbnails: cells wide × tall.
pub const ROW_THUMB: (u16, u16) = (6, 3);
/// Compact rows' thumbnails: cells wide × tall.
pub const COMPACT_THUMB: (u16, u16) = (2, 1);

/// How dense the list is (`v` cycles it; `density` in config.toml keeps
/// it): one-line rows with a small thumbnail, three-line rows, or a grid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Density {
    Compact,
    #[default]
    Comfortable,
    Grid,
}

impl Density {
    /// What `v` goes to next.
    pub fn next(self) -> Density {
        match self {
            Density::Compact => Density::Comfortable,
            Density::Comfortable => Density::Grid,
            Density::Grid => Density::Compact,
        }
    }

    /// The config file's spelling.
    pub fn name(self) -> &'static str {
        match self {
            Density::Compact => "compact",
            Density::Comfortable => "comfortable",
            Density::Grid => "grid",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flags {
    pub grid: bool,
    /// One-line rows even with images (a small thumbnail each).
    pub compact: bool,
    pub inspector: bool,
    pub images: bool,
    /// When stacked, the focused pane gets the larger share.
    pub inspector_focused: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    pub columns: u16,
    pub tile_width: u16,
    pub tile_height: u16,
    /// Cells of the image in a tile (the name line is below it; a frame
    /// around both marks the selected tile).
    pub image: (u16, u16),
    /// Spare columns left of the first tile: the tiles are centred.
    pub left: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    pub filter_bar: Rect,
    pub status: Rect,
    /// The list or grid pane, border included.
    pub list: Rect,
    pub list_inner: Rect,
    /// Lines per list row (3 with thumbnails, else 1).
    pub row_height: u16,
    pub grid: Option<Grid>,
    pub inspector: Option<Rect>,
    /// Preview image area inside the inspector.
    pub preview: Option<Rect>,
    /// Text area of the inspector.
    pub details: Rect,
    /// Inspector stacked under the list (narrow terminals).
    pub stacked: bool,
}

fn inner(r: Rect) -> Rect {
    Rect {
        x: r.x.saturating_add(1),
        y: r.y.saturating_add(1),
        width: r.width.saturating_sub(2),
        height: r.height.saturating_sub(2),
    }
}

impl Geometry {
    /// The rows between the filter bar and the status bar, within
    /// `area`: popups stay inside them, so the chips and the status line
    /// remain readable.
    pub fn popup_area(&self, area: Rect) -> Rect {
        let top = self.filter_bar.bottom().max(area.y);
        let bottom = if self.status.height > 0 {
            self.status.y
        } else {
            area.bottom()
        };
        Rect::new(area.x, top, area.width, bottom.saturating_sub(top))
    }

    /// How far the help overlay of `len` lines scrolls in a `width`×`height`
    /// screen before its last line shows.
    pub fn help_max_scroll(&self, width: u16, height: u16, len: usize) -> usize {
        len.saturating_sub(self.help_page(width, height))
    }

    /// Lines of the help that show at once.
    pub fn help_page(&self, width: u16, height: u16) -> usize {
        let body = self.popup_area(Rect::new(0, 0, width, height));
        body.height.saturating_sub(2) as usize
    }

    pub fn compute(width: u16, height: u16, flags: Flags) -> Geometry {
        let filter_bar = Rect::new(0, 0, width, 1.min(height));
        let status = Rect::new(0, height.saturating_sub(1), width, 1.min(height));
        let body_h = height.saturating_sub(2);
        let body = Rect::new(0, 1.min(height), width, body_h);
        let stacked = width < SIDE_BY_SIDE;
        let (list, inspector) = if !flags.inspector {
            (body, None)
        } else if stacked {
            let pct = if flags.inspector_focused { 35 } else { 60 };
            let list_h = (body_h * pct / 100).max(3.min(body_h));
            (
                Rect::new(0, body.y, width, list_h),
                Some(Rect::new(0, body.y + list_h, width, body_h - list_h)),
            )
        } else {
            let pct = if width >= WIDE { 45 } else { 50 };
            let list_w = width * pct / 100;
            (
                Rect::new(0, body.y, list_w, body_h),
                Some(Rect::new(list_w, body.y, width - list_w, body_h)),
            )
        };
        let list_inner = inner(list);
        let row_height = if flags.images && !flags.compact {
            ROW_THUMB.1
        } else {
            1
        };
        let grid = flags.grid.then(|| {
            let (tile_width, image_h) = if width >= WIDE { (28, 11) } else { (22, 8) };
            let image_h = if flags.images { image_h } else { 1 };
            let tile_width = tile_width.min(list_inner.width.max(1));
            let columns = (list_inner.width / tile_width).max(1);
            Grid {
                columns,
                tile_width,
                // frame, image, name, frame
                tile_height: image_h + 3,
                image: (tile_width.saturating_sub(2), image_h),
                left: list_inner.width.saturating_sub(columns * tile_width) / 2,
            }
        });
        let (preview, details) = match inspector {
            None => (None, Rect::default()),
            Some(r) => {
                let i = inner(r);
                if !flags.images || i.height < 8 {
                    (None, i)
                } else {
                    let pct = if width >= WIDE { 55 } else { 45 };
                    let ph = (i.height * pct / 100).max(4);
                    (
                        Some(Rect::new(i.x, i.y, i.width, ph)),
                        Rect::new(i.x, i.y + ph, i.width, i.height - ph),
                    )
                }
            }
        };
        Geometry {
            filter_bar,
            status,
            list,
            list_inner,
            row_height,
            grid,
            inspector,
            preview,
            details,
            stacked,
        }
    }

    /// The cells of a row's thumbnail: small in one-line rows.
    pub fn row_thumb(&self) -> (u16, u16) {
        if self.row_height < ROW_THUMB.1 {
            COMPACT_THUMB
        } else {
            ROW_THUMB
        }
    }

    /// Items per visual line (grid columns, or 1).
    pub fn per_line(&self) -> usize {
        self.grid.map(|g| g.columns as usize).unwrap_or(1)
    }

    /// Visual lines that fit the list pane.
    pub fn lines(&self) -> usize {
        let h = self.list_inner.height;
        let per = self.grid.map(|g| g.tile_height).unwrap_or(self.row_height);
        (h / per.max(1)).max(1) as usize
    }

    /// Items visible at once.
    pub fn visible_items(&self) -> usize {
        self.lines() * self.per_line()
    }

    /// The item index under a screen position, given the first visible
    /// item.
    pub fn item_at(&self, column: u16, row: u16, offset: usize) -> Option<usize> {
        let r = self.list_inner;
        if column < r.x || column >= r.x + r.width || row < r.y || row >= r.y + r.height {
            return None;
        }
        let (line, col) = match self.grid {
            Some(g) => {
                if column < r.x + g.left {
                    return None;
                }
                (
                    ((row - r.y) / g.tile_height) as usize,
                    ((column - r.x - g.left) / g.tile_width) as usize,
                )
            }
            None => (((row - r.y) / self.row_height.max(1)) as usize, 0),
        };
        if col >= self.per_line() {
            return None;
        }
        Some(offset + line * self.per_line() + col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ON: Flags = Flags {
        grid: false,
        compact: false,
        inspector: true,
        images: true,
        inspector_focused: false,
    };

    #[test]
    fn narrow_terminals_stack_the_inspector() {
        let g = Geometry::compute(80, 24, ON);
        assert!(g.stacked);
        let i = g.inspector.unwrap();
        assert_eq!(i.x, 0);
        assert!(i.y > g.list.y);
        assert_eq!(g.list.height + i.height, 22);
        let focused = Geometry::compute(
            80,
            24,
            Flags {
                inspector_focused: true,
                ..ON
            },
        );
        assert!(
            focused.inspector.unwrap().height > i.height,
            "the focused pane grows"
        );
        let hidden = Geometry::compute(
            80,
            24,
            Flags {
                inspector: false,
                ..ON
            },
        );
        assert!(hidden.inspector.is_none());
        assert_eq!(hidden.list.height, 22);
    }

    #[test]
    fn wide_terminals_grow_the_preview() {
        let mid = Geometry::compute(120, 40, ON);
        let wide = Geometry::compute(200, 60, ON);
        assert!(!mid.stacked && !wide.stacked);
        let (pm, pw) = (mid.preview.unwrap(), wide.preview.unwrap());
        assert!(pw.width > pm.width && pw.height > pm.height);
        assert_eq!(mid.list.width + mid.inspector.unwrap().width, 120);
    }

    #[test]
    fn grid_and_hit_testing() {
        let g = Geometry::compute(120, 40, Flags { grid: true, ..ON });
        let grid = g.grid.unwrap();
        assert_eq!(grid.columns, (g.list_inner.width / grid.tile_width));
        assert!(g.visible_items() >= grid.columns as usize);
        let r = g.list_inner;
        // the spare columns are split on both sides
        let spare = r.width - grid.columns * grid.tile_width;
        assert_eq!(grid.left, spare / 2);
        assert!(grid.left > 0, "120 columns leave spare room: {grid:?}");
        assert_eq!(g.item_at(r.x, r.y, 10), None, "left margin");
        let x0 = r.x + grid.left;
        assert_eq!(g.item_at(x0, r.y, 10), Some(10));
        assert_eq!(
            g.item_at(x0 + grid.tile_width, r.y + grid.tile_height, 0),
            Some(grid.columns as usize + 1)
        );
        assert_eq!(g.item_at(0, 0, 0), None);
        let list = Geometry::compute(120, 40, ON);
        assert_eq!(
            list.item_at(list.list_inner.x + 2, list.list_inner.y + 7, 3),
            Some(5)
        );
    }

    #[test]
    fn compact_rows_fit_many_more_assets_at_80x24() {
        let comfortable = Geometry::compute(80, 24, ON);
        let compact = Geometry::compute(
            80,
            24,
            Flags {
                compact: true,
                ..ON
            },
        );
        assert_eq!(comfortable.visible_items(), 3);
        assert!(compact.visible_items() >= 10, "{}", compact.visible_items());
        assert_eq!(compact.row_thumb(), COMPACT_THUMB);
        assert_eq!(comfortable.row_thumb(), ROW_THUMB);
        assert_eq!(Density::Comfortable.next(), Density::Grid);
        assert_eq!(Density::Grid.next(), Density::Compact);
        assert_eq!(Density::Compact.next(), Density::Comfortable);
    }

    #[test]
    fn tiny_terminals_do_not_panic() {
        for (w, h) in [(0, 0), (1, 1), (5, 3), (20, 5), (99, 10)] {
            for grid in [false, true] {
                for inspector in [false, true] {
                    let g = Geometry::compute(
                        w,
                        h,
                        Flags {
                            grid,
                            compact: false,
                            inspector,
                            images: true,
                            inspector_focused: inspector,
                        },
                    );
                    let _ = g.visible_items();
                    let _ = g.item_at(0, 0, 0);
                }
            }
        }
    }
}
