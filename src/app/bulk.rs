//! The dialogs of the actions that take many assets at once: the delete
//! confirmation, the collection and format choices, the upload prompt, and
//! the download formats each kind of asset takes. Their handlers are
//! `app::update::bulk`.

use super::inspector::plural;
use crossterm::event::{KeyCode, KeyEvent};

use super::input::{InputKey, LineInput};
use super::picker::Picker;

/// Longest path the upload prompt takes.
pub const PATH_MAX: usize = 4096;

// ---- delete ----

/// A question before deleting: `y` deletes, anything else keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirm {
    pub ids: Vec<String>,
    /// Sanitized names of the first few, to show what goes.
    pub names: Vec<String>,
    /// The question after a refusal: these are used (by an index) and
    /// deleting them anyway unlinks them.
    pub force: bool,
    /// How many of them are not on screen (a selection scrolled away).
    pub off_screen: usize,
}

impl Confirm {
    /// Only `y` (or `Y`) deletes; any other key keeps everything.
    pub fn accepts(&self, key: &KeyEvent) -> bool {
        matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y'))
    }

    pub fn question(&self) -> String {
        if self.force {
            return format!(
                "An index uses {}: delete anyway and unlink?",
                plural(self.ids.len(), "asset", "assets")
            );
        }
        if self.off_screen > 0 {
            return format!(
                "Delete {} for good?",
                super::safety::counted(self.ids.len(), self.off_screen, true)
            );
        }
        format!(
            "Delete {} for good?",
            plural(self.ids.len(), "asset", "assets")
        )
    }
}

// ---- choices: a collection, a download format ----

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChoicePurpose {
    /// Add these assets to the chosen collection.
    Collection { ids: Vec<String> },
    /// Download these assets in the chosen format.
    Format { ids: Vec<String> },
    /// Search this index from now on (`then_search`: open the box next).
    Index { then_search: bool },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub purpose: ChoicePurpose,
    pub picker: Picker,
    /// How many of the assets are not on screen (a selection scrolled
    /// away).
    pub off_screen: usize,
}

impl Choice {
    pub fn title(&self) -> String {
        let what = |ids: &[String]| match self.off_screen {
            0 => plural(ids.len(), "asset", "assets"),
            off => super::safety::counted(ids.len(), off, true),
        };
        match &self.purpose {
            ChoicePurpose::Collection { ids } => {
                format!(" Add {} to a collection ", what(ids))
            }
            ChoicePurpose::Format { ids } => {
                format!(" Download {} as ", what(ids))
            }
            ChoicePurpose::Index { .. } => " Search in the index ".to_string(),
        }
    }
}

/// The value that stands for "no targetFormat" in the format picker.
pub const ORIGINAL: &str = "";

// ---- upload ----

/// `U`: the path being typed, and what Tab found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathPrompt {
    pub input: LineInput<PATH_MAX>,
    pub completions: Vec<String>,
}

/// What a key did in the upload prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptKey {
    Stay,
    Cancel,
    /// Tab: complete this text's file name.
    Complete(String),
    /// Enter on a path: upload it.
    Submit(String),
}

impl PathPrompt {
    pub fn key(&mut self, key: &KeyEvent) -> PromptKey {
        match key.code {
            KeyCode::Esc => PromptKey::Cancel,
            KeyCode::Enter => match self.input.trim() {
                "" => PromptKey::Cancel,
                path => PromptKey::Submit(path.to_string()),
            },
            KeyCode::Tab => PromptKey::Complete(self.input.to_string()),
            _ => {
                if self.input.key(key) == InputKey::Edited {
                    self.completions.clear();
                }
                PromptKey::Stay
            }
        }
    }
}

// ---- mirror ----

/// The line of the mirror prompt the keys go to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MirrorLine {
    #[default]
    Folder,
    Sidecar,
    Delete,
    Format,
}

impl MirrorLine {
    const ALL: [MirrorLine; 4] = [
        MirrorLine::Folder,
        MirrorLine::Sidecar,
        MirrorLine::Delete,
        MirrorLine::Format,
    ];

    fn step(self, down: bool) -> MirrorLine {
        let i = MirrorLine::ALL.iter().position(|l| *l == self).unwrap_or(0);
        let n = MirrorLine::ALL.len();
        MirrorLine::ALL[if down { (i + 1) % n } else { (i + n - 1) % n }]
    }
}

/// `M`: the folder, and the options of `assetui sync` that matter in the
/// browser: sidecars, deletion (off unless chosen), the format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MirrorPrompt {
    pub path: PathPrompt,
    pub line: MirrorLine,
    pub sidecar: bool,
    pub delete: bool,
    /// (value, label), "original" ([`ORIGINAL`]) first.
    pub formats: Vec<(String, String)>,
    /// The chosen one in `formats`.
    pub format: usize,
}

/// What Enter starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MirrorChoice {
    pub dir: String,
    pub sidecar: bool,
    pub delete: bool,
    /// `None`: the original file.
    pub format: Option<String>,
}

/// What a key did in the mirror prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MirrorKey {
    Stay,
    Cancel,
    /// Tab on the folder: complete it.
    Complete(String),
    Submit(MirrorChoice),
}

impl MirrorPrompt {
    /// A prompt on the folder line, every option off, the original format.
    pub fn new(formats: Vec<(String, String)>) -> MirrorPrompt {
        MirrorPrompt {
            path: PathPrompt::default(),
            line: MirrorLine::Folder,
            sidecar: false,
            delete: false,
            formats,
            format: 0,
        }
    }

    /// The chosen format's label.
    pub fn format_label(&self) -> &str {
        self.formats
            .get(self.format)
            .map(|(_, label)| label.as_str())
            .unwrap_or("original")
    }

    pub fn key(&mut self, key: &KeyEvent) -> MirrorKey {
        match key.code {
            KeyCode::Esc => return MirrorKey::Cancel,
            KeyCode::Up | KeyCode::BackTab => self.line = self.line.step(false),
            KeyCode::Down => self.line = self.line.step(true),
            KeyCode::Enter => {
                let dir = self.path.input.trim();
                if dir.is_empty() {
                    return MirrorKey::Cancel;
                }
                let format = self
                    .formats
                    .get(self.format)
                    .map(|(v, _)| v.clone())
                    .filter(|v| v != ORIGINAL);
                return MirrorKey::Submit(MirrorChoice {
                    dir: dir.to_string(),
                    sidecar: self.sidecar,
                    delete: self.delete,
                    format,
                });
            }
            _ => match self.line {
                MirrorLine::Folder => {
                    return match self.path.key(key) {
                        PromptKey::Complete(input) => MirrorKey::Complete(input),
                        _ => MirrorKey::Stay,
                    }
                }
                MirrorLine::Sidecar | MirrorLine::Delete => {
                    let flag = if self.line == MirrorLine::Sidecar {
                        &mut self.sidecar
                    } else {
                        &mut self.delete
                    };
                    match key.code {
                        KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right => *flag = !*flag,
                        KeyCode::Char('y') => *flag = true,
                        KeyCode::Char('n') => *flag = false,
                        KeyCode::Tab => self.line = self.line.step(true),
                        _ => {}
                    }
                }
                MirrorLine::Format => {
                    let n = self.formats.len().max(1);
                    match key.code {
                        KeyCode::Char(' ') | KeyCode::Right => self.format = (self.format + 1) % n,
                        KeyCode::Left => self.format = (self.format + n - 1) % n,
                        KeyCode::Tab => self.line = self.line.step(true),
                        _ => {}
                    }
                }
            },
        }
        MirrorKey::Stay
    }
}

// ---- open ----
