//! Safety nets: the yes/no question asked before quitting while transfers
//! run or before a bulk action on a selection partly off screen
//! ([`Ask`]), and the one change `z` can undo ([`Undo`]). Their handlers
//! are `app::update::safety`.

use crossterm::event::{KeyCode, KeyEvent};

use super::filters::Filters;
use super::inspector::plural;
use super::tags::TagChange;

/// What a yes to an [`Ask`] does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Yes {
    /// Quit (transfers left continue at the next start).
    Quit,
    /// Queue these assets for download (`d`).
    Download(Vec<String>),
    /// Queue one zip of these assets (`Z`).
    Zip(Vec<String>),
}

/// A yes/no question in a small dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ask {
    pub question: String,
    pub on_yes: Yes,
}

/// What a key does to an [`Ask`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AskKey {
    Yes,
    No,
    /// Any other key: the question stays.
    Stay,
}

impl Ask {
    /// The question before quitting with `active` transfers running or
    /// queued, `uploads` of them uploads: downloads continue at the next
    /// start (the journal keeps them), uploads do not.
    pub fn quit(active: usize, uploads: usize) -> Ask {
        let what = if active == 1 {
            "1 transfer running".to_string()
        } else {
            format!("{active} transfers running")
        };
        let after = match (active - uploads.min(active), uploads) {
            (_, 0) if active == 1 => "it continues at the next start".to_string(),
            (_, 0) => "they continue at the next start".to_string(),
            (0, 1) => "the upload stops".to_string(),
            (0, _) => "the uploads stop".to_string(),
            (1, u) => format!("the download continues at the next start, {}", stop(u)),
            (_, u) => format!("the downloads continue at the next start, {}", stop(u)),
        };
        Ask {
            question: format!("{what}: quit? {after}"),
            on_yes: Yes::Quit,
        }
    }

    /// `y` (and, before quitting, `q` again) says yes; `n` and `Esc` say
    /// no; other keys leave the question up.
    pub fn key(&self, key: &KeyEvent) -> AskKey {
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => AskKey::Yes,
            KeyCode::Char('q') if self.on_yes == Yes::Quit => AskKey::Yes,
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => AskKey::No,
            _ => AskKey::Stay,
        }
    }
}

/// `n assets` for a question, with how many of them are not on screen:
/// `12 selected assets (9 not on screen)`.
pub fn counted(n: usize, off_screen: usize, selected: bool) -> String {
    let what = plural(n, "asset", "assets");
    let what = if selected {
        what.replacen(' ', " selected ", 1)
    } else {
        what
    };
    if off_screen > 0 {
        format!("{what} ({off_screen} not on screen)")
    } else {
        what
    }
}

/// The last change, which `z` reverses (one level).
#[derive(Clone, Debug, PartialEq)]
pub enum Undo {
    /// `F` cleared these filters: they come back.
    Filters(Filters),
    /// A tag edit (one `Enter` in the editor: one change per tag), as
    /// sent; `waiting`: answers still to come (undo waits for them, so
    /// the reverse never overtakes the change on the server).
    Tags {
        changes: Vec<TagChange>,
        waiting: usize,
    },
    /// Assets added to a collection (only those that were not members).
    Collect {
        collection: String,
        name: String,
        ids: Vec<String>,
    },
    /// A deletion: it cannot be undone, and `z` says so.
    Deleted(usize),
    /// An undo on its way to the server: `what` it undoes, answers still
    /// to come.
    Undoing { what: String, waiting: usize },
}

/// What quitting does to `n` uploads.
fn stop(n: usize) -> &'static str {
    if n == 1 {
        "the upload stops"
    } else {
        "the uploads stop"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn k(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn quit_question_counts_and_takes_q_y_n_esc() {
        let a = Ask::quit(3, 0);
        assert_eq!(
            a.question,
            "3 transfers running: quit? they continue at the next start"
        );
        assert_eq!(a.key(&k('q')), AskKey::Yes);
        assert_eq!(a.key(&k('y')), AskKey::Yes);
        assert_eq!(a.key(&k('n')), AskKey::No);
        assert_eq!(
            a.key(&KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
            AskKey::No
        );
        assert_eq!(a.key(&k('j')), AskKey::Stay);
        assert_eq!(
            Ask::quit(1, 0).question,
            "1 transfer running: quit? it continues at the next start"
        );
        // uploads are not journalled: the question says they stop
        assert_eq!(
            Ask::quit(1, 1).question,
            "1 transfer running: quit? the upload stops"
        );
        assert_eq!(
            Ask::quit(3, 1).question,
            "3 transfers running: quit? the downloads continue at the next start, the upload stops"
        );
        let d = Ask {
            question: String::new(),
            on_yes: Yes::Download(vec![]),
        };
        assert_eq!(
            d.key(&k('q')),
            AskKey::Stay,
            "q quits only the quit question"
        );
    }

    #[test]
    fn counts_name_what_is_off_screen() {
        assert_eq!(counted(12, 9, true), "12 selected assets (9 not on screen)");
        assert_eq!(counted(1, 0, false), "1 asset");
        assert_eq!(counted(2, 0, true), "2 selected assets");
    }
}
