//! Everything a key can ask for. Keys resolve to an [`Action`] through the
//! keymap (`keymap.rs`); `update()` carries it out. The names are the ones
//! used in the `[keys]` table of the config file.

macro_rules! actions {
    ($($variant:ident = $name:literal, $help:literal;)+) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Action { $($variant,)+ }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant,)+];

            /// The name used in the config file's `[keys]` table.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name,)+ }
            }

            /// One line for the help overlay.
            pub fn help(self) -> &'static str {
                match self { $(Action::$variant => $help,)+ }
            }

            pub fn from_name(name: &str) -> Option<Action> {
                match name { $($name => Some(Action::$variant),)+ _ => None }
            }
        }
    };
}

actions! {
    Down = "down", "move down";
    Up = "up", "move up";
    Left = "left", "move left (grid) or focus the list";
    Right = "right", "move right (grid) or to the inspector";
    Top = "top", "go to the first asset";
    Bottom = "bottom", "go to the last loaded asset (loads more)";
    PageDown = "page_down", "one page down";
    PageUp = "page_up", "one page up";
    HalfPageDown = "half_page_down", "half a page down";
    HalfPageUp = "half_page_up", "half a page up";
    FocusNext = "focus_next", "focus the next pane";
    FocusPrev = "focus_prev", "focus the previous pane";
    Open = "open", "focus the inspector / choose";
    ToggleGrid = "toggle_grid", "list density: compact, three-line rows, grid (kept)";
    ToggleInspector = "toggle_inspector", "show or hide the inspector";
    Filters = "filters", "open the filter pane";
    ClearFilters = "clear_filters", "clear every filter";
    Refresh = "refresh", "reload (retries a failed load)";
    Search = "search", "search box: words, or @path of an image";
    ChooseIndex = "choose_index", "choose the index searches run over";
    SearchSimilar = "search_similar", "search for assets like this one";
    MarkLike = "mark_like", "results: more like this (re-searches)";
    MarkUnlike = "mark_unlike", "results: less like this (re-searches)";
    ClearMark = "clear_mark", "results: clear this row's mark";
    ClearMarks = "clear_marks", "results: clear every mark";
    TextRatioDown = "text_ratio_down", "search: text semantic ratio −0.1";
    TextRatioUp = "text_ratio_up", "search: text semantic ratio +0.1";
    ImageRatioDown = "image_ratio_down", "search: image ratio −0.1";
    ImageRatioUp = "image_ratio_up", "search: image ratio +0.1";
    RawJson = "raw_json", "inspector: raw JSON / fields";
    JumpParent = "jump_parent", "inspector: go to the parent asset";
    JumpRoot = "jump_root", "inspector: go to the root asset";
    Back = "back", "back from a jump";
    CopyId = "copy_id", "copy the asset id";
    CopyLink = "copy_link", "copy a fresh link to the file";
    CopyPrompt = "copy_prompt", "copy the prompt";
    ToggleSelect = "toggle_select", "select or unselect (and move down)";
    SelectRange = "select_range", "select from the last one picked to here";
    SelectAll = "select_all", "select everything loaded";
    ClearSelection = "clear_selection", "clear the selection";
    Tag = "tag", "edit tags (of the selection, or this asset)";
    AddToCollection = "add_to_collection", "add to a collection";
    Delete = "delete", "delete (asks first)";
    Upload = "upload", "upload a local file";
    Download = "download", "download (the selection, or this asset)";
    DownloadAs = "download_as", "download in a chosen format";
    DownloadZip = "download_zip", "download as one zip (a server batch job)";
    Mirror = "mirror", "mirror this listing or search into a folder (sync)";
    OpenFile = "open_file", "open the file with the system's opener";
    Downloads = "downloads", "show the downloads (pause, cancel, retry, open)";
    Help = "help", "show this help";
    Close = "close", "close the overlay";
    Quit = "quit", "quit";
    Suspend = "suspend", "suspend to the shell (fg to resume)";
    Messages = "messages", "the message log: every message, whole";
    Palette = "palette", "command palette: every action by name";
    Undo = "undo", "undo the last change (F, tags, collection adds)";
    Lineage = "lineage", "family tree of this asset (Esc back to the list)";
    SelectBranch = "select_branch", "tree: select the whole branch";
}

impl Action {
    /// What the provider must be able to do for this action to mean
    /// anything; `None`: every provider serves it.
    pub fn needs(self) -> Option<crate::provider::Capability> {
        use crate::provider::Capability as C;
        Some(match self {
            Action::SearchSimilar => C::SimilarFromAsset,
            Action::MarkLike | Action::MarkUnlike | Action::ClearMark | Action::ClearMarks => {
                C::LikeUnlike
            }
            Action::TextRatioDown
            | Action::TextRatioUp
            | Action::ImageRatioDown
            | Action::ImageRatioUp => C::SemanticRatios,
            Action::JumpParent | Action::JumpRoot | Action::Back => C::Lineage,
            Action::CopyPrompt => C::Prompts,
            Action::ChooseIndex => C::Indexes,
            // the transfers pane (`Downloads`) holds uploads everywhere
            Action::Download | Action::Mirror => C::Downloads,
            Action::AddToCollection => C::Collections,
            Action::DownloadAs => C::FormatConversion,
            Action::DownloadZip => C::BatchZip,
            Action::Lineage | Action::SelectBranch => C::Lineage,
            _ => return None,
        })
    }
}
