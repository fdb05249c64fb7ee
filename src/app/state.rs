//! Everything the screen shows, owned by the event loop and changed only by
//! `update()`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::provider::AssetView;

use super::filters::{Field, Filters};
use super::images::ImageStore;
use super::input::LineInput;
use super::inspector::Inspector;
use super::keymap::Keymap;
use super::layout::{Flags, Geometry};
use super::list::AssetList;
pub use super::picker::{Picker, PickerKey};
use super::search::Search;

/// Longest text a filter field takes.
pub const FILTER_TEXT_MAX: usize = 200;
use super::images::ImageKey;

/// Which pane keys go to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    List,
    Inspector,
}

/// A message in the status bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// An edit in progress in the filter pane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    Text { buffer: LineInput<FILTER_TEXT_MAX> },
    Pick(Picker),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterPane {
    pub field: usize,
    pub edit: Option<Edit>,
    /// Why the last edit was refused.
    pub error: Option<String>,
}

impl FilterPane {
    /// The field under the cursor, among those the provider offers.
    pub fn field(&self, caps: &crate::provider::Capabilities) -> Field {
        let fields = Field::offered(caps);
        fields[self.field.min(fields.len() - 1)]
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    Help {
        scroll: usize,
        /// Typed text narrowing the rows (`app::help`).
        filter: super::help::Filter,
    },
    Filters(FilterPane),
    /// The download queue (`D`).
    Downloads,
    /// The tag editor (`t`).
    Tags(super::tags::TagEditor),
    /// A question before a change that cannot be undone.
    Confirm(super::bulk::Confirm),
    /// A choice for a bulk action (a collection, a download format).
    Choose(super::bulk::Choice),
    /// `U`: the path of a file to upload.
    Upload(super::bulk::PathPrompt),
    /// `M`: the folder to mirror the listing or search into.
    Mirror(super::bulk::MirrorPrompt),
    /// `m`: the message log, `scroll` lines up from its newest line.
    Messages {
        scroll: usize,
    },
    /// `:`: every action by name.
    Palette(super::palette::Palette),
    /// A yes/no question before quitting with transfers running, or a
    /// bulk action on a selection partly off screen.
    Ask(super::safety::Ask),
}

/// Collections, for the picker and for names in the inspector.
#[derive(Clone, Debug, Default)]
pub struct Collections {
    pub loaded: bool,
    pub error: Option<String>,
    /// (id, name), sanitized.
    pub items: Vec<(String, String)>,
    pub names: HashMap<String, String>,
}

/// The provider's indexes (TwelveLabs), for the index picker.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Indexes {
    pub loaded: bool,
    pub error: Option<String>,
    /// (id, name), sanitized.
    pub items: Vec<(String, String)>,
}

pub struct State {
    /// "demo library" or the API host and where the credentials come from.
    pub source: String,
    /// The built-in demo library, served by this process: a link copied
    /// from it works only while assetui runs.
    pub demo: bool,
    /// What the provider can do: keys it cannot serve are hidden and
    /// answered in one line.
    pub caps: crate::provider::Capabilities,
    /// A poll of the assets still processing is armed.
    pub polling: bool,
    pub indexes: Indexes,
    pub width: u16,
    pub height: u16,
    pub geometry: Geometry,
    pub grid: bool,
    pub show_inspector: bool,
    pub images_enabled: bool,
    pub focus: Focus,
    pub overlay: Option<Overlay>,
    pub keymap: Keymap,
    pub filters: Filters,
    pub list: AssetList,
    /// The search box and results (the browsed list waits in it).
    pub search: Search,
    pub inspector: Inspector,
    pub collections: Collections,
    pub images: ImageStore,
    /// The last wish list sent to the image worker.
    pub wanted: Vec<ImageKey>,
    /// Assets whose links were refreshed after a 403 (once each).
    pub refreshed: HashSet<String>,
    /// Assets whose fresh links are on their way (no image asked meanwhile).
    pub refreshing: HashSet<String>,
    /// The inspector generation whose selection rested: its preview may load.
    pub preview_for: Option<u64>,
    /// After a reload, the asset to put the cursor back on when it shows up.
    pub reselect: Option<String>,
    pub notice: Option<Notice>,
    /// Every message the status bar showed, whole (`m`).
    pub messages: super::messages::MessageLog,
    /// A reload under way: (list generation, what the status bar says
    /// meanwhile). Its first page replaces that message with the outcome.
    pub reloading: Option<(u64, &'static str)>,
    /// Assets picked for bulk actions, by id.
    pub selection: super::selection::Selection,
    /// The tags in use, for the tag editor's completion.
    pub tags: super::tags::TagIndex,
    /// The download queue as last reported.
    pub downloads: super::downloads::Downloads,
    /// The list's density (`v`); `grid` follows it.
    pub density: super::layout::Density,
    /// The last change `z` can undo (one level).
    pub undo: Option<super::safety::Undo>,
    /// The family tree pane (`L`), shown in place of the list.
    pub lineage: super::tree::Lineage,
    /// Where the rows come from: the service, the local index while a
    /// refresh runs, or the index alone (offline).
    pub library: super::library::Library,
    pub spinner: usize,
    pub quit: bool,
}

/// Delay after the last cursor move before the preview and details load.
pub const REST: std::time::Duration = std::time::Duration::from_millis(120);
/// Memory for encoded images.
pub const IMAGE_BYTES: usize = 64 << 20;

impl State {
    /// `per_cell` is the approximate size of one encoded image cell (see
    /// [`ImageStore`]); `images_enabled` is false for `--image-protocol none`.
    pub fn new(
        source: String,
        keymap: Keymap,
        images_enabled: bool,
        per_cell: usize,
        width: u16,
        height: u16,
    ) -> State {
        let mut s = State {
            caps: crate::provider::Capabilities::default(),
            polling: false,
            indexes: Indexes::default(),
            source,
            demo: false,
            width,
            height,
            geometry: Geometry::compute(
                width,
                height,
                Flags {
                    grid: false,
                    compact: false,
                    inspector: true,
                    images: images_enabled,
                    inspector_focused: false,
                },
            ),
            grid: false,
            show_inspector: true,
            images_enabled,
            focus: Focus::List,
            overlay: None,
            keymap,
            filters: Filters::default(),
            downloads: Default::default(),
            lineage: Default::default(),
            library: Default::default(),
            selection: Default::default(),
            tags: Default::default(),
            list: AssetList::default(),
            search: Search::default(),
            inspector: Inspector::default(),
            collections: Collections::default(),
            images: ImageStore::new(IMAGE_BYTES, per_cell),
            wanted: Vec::new(),
            refreshed: HashSet::new(),
            refreshing: HashSet::new(),
            preview_for: None,
            reselect: None,
            reloading: None,
            notice: None,
            messages: Default::default(),
            density: Default::default(),
            undo: None,
            spinner: 0,
            quit: false,
        };
        s.relayout();
        s
    }

    pub fn relayout(&mut self) {
        self.geometry = Geometry::compute(
            self.width,
            self.height,
            Flags {
                grid: self.grid,
                compact: self.density == super::layout::Density::Compact,
                inspector: self.show_inspector,
                images: self.images_enabled,
                inspector_focused: self.focus == Focus::Inspector,
            },
        );
    }

    /// Sets the list's density (`grid` follows) and lays the screen out
    /// again.
    pub fn set_density(&mut self, density: super::layout::Density) {
        self.density = density;
        self.grid = density == super::layout::Density::Grid;
        self.relayout();
    }

    /// Whether something is loading (the spinner turns).
    pub fn busy(&self) -> bool {
        use super::inspector::Detail;
        use super::list::Loading;
        self.list.loading == Loading::Fetching
            || self.inspector.detail == Detail::Loading
            || self.search.resolving.is_some()
            || self.lineage.pane.as_ref().is_some_and(|p| p.busy())
    }

    pub fn spinner_frame(&self) -> char {
        const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
        FRAMES[self.spinner % FRAMES.len()]
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.say(super::messages::Level::Info, text.into());
    }

    /// A message that is neither news nor a failure: a key that does
    /// nothing here, an action the provider cannot serve.
    pub fn warn(&mut self, text: impl Into<String>) {
        self.say(super::messages::Level::Warning, text.into());
    }

    /// Shows `text` in the status bar and keeps it whole in the log.
    fn say(&mut self, level: super::messages::Level, text: String) {
        let kept = self.messages.push(level, &text);
        self.notice = Some(Notice {
            text: crate::sanitize::line(&kept, 300),
            error: level == super::messages::Level::Error,
        });
    }

    /// What the selection keys and bulk actions act on: the selection, or
    /// the asset in the inspector when nothing is selected.
    pub fn targets(&self) -> Vec<Arc<AssetView>> {
        if !self.selection.is_empty() {
            return self.selection.assets().cloned().collect();
        }
        self.inspector.asset.clone().into_iter().collect()
    }

    /// A copy of an asset the browser holds, for its tags and name: the
    /// selection's first (kept as fresh as the list's, and found at once,
    /// which matters with thousands selected), then the inspector's, then
    /// the lists'.
    pub fn find(&self, id: &str) -> Option<Arc<AssetView>> {
        let in_list = |l: &AssetList| l.position_of(id).map(|i| l.entries[i].asset.clone());
        self.selection
            .get(id)
            .cloned()
            .or_else(|| self.inspector.asset.clone().filter(|a| a.id == id))
            .or_else(|| in_list(&self.list))
            .or_else(|| self.search.browsed.as_deref().and_then(in_list))
    }

    /// The tags the assets `ids` carry: (tag, how many of them), in the
    /// order first seen.
    pub fn tags_on(&self, ids: &[String]) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = Vec::new();
        for id in ids {
            let Some(asset) = self.find(id) else {
                continue;
            };
            for t in &asset.tags {
                match out.iter_mut().find(|(x, _)| x == t) {
                    Some((_, n)) => *n += 1,
                    None => out.push((t.clone(), 1)),
                }
            }
        }
        out
    }

    /// The first page of list generation `generation` arrived: a reload
    /// waiting for it says it is done (unless something else was said
    /// since).
    pub fn page_arrived(&mut self, generation: u64) {
        let Some((g, said)) = self.reloading else {
            return;
        };
        if g != generation {
            return;
        }
        self.reloading = None;
        if self.notice.as_ref().is_some_and(|n| n.text == said) {
            let n = self.list.total.unwrap_or(self.list.entries.len() as u64);
            let more = if self.list.total.is_none() && !self.list.is_complete() {
                "+"
            } else {
                ""
            };
            let what = if self.search.active {
                "searched again"
            } else {
                "reloaded"
            };
            self.info(format!(
                "{what}: {}{more}",
                super::inspector::plural(n as usize, "asset", "assets")
            ));
        }
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.say(super::messages::Level::Error, text.into());
    }
}
