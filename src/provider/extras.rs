//! What the inspector shows of a video or audio asset beyond its own
//! fields, fetched on demand by a worker when the inspector opens on it
//! (TwelveLabs: its transcription and the indexes that hold it). Built
//! sanitized and bounded by the provider's mapping; the app only lays it
//! out.

use super::fields::Section;
use super::plural;

/// Most transcript lines kept.
pub const TRANSCRIPT_MAX_LINES: usize = 500;
/// Longest transcript line kept (characters).
pub const TRANSCRIPT_LINE_MAX: usize = 500;
/// Most indexes listed.
pub const ASSET_INDEXES_MAX: usize = 200;

/// A timed piece of the transcript, its text sanitized.
#[derive(Clone, Debug, PartialEq)]
pub struct TranscriptLine {
    pub start: f64,
    pub end: f64,
    pub text: String,
}

/// Where the transcript stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Transcript {
    /// Its lines, and how many more there were than kept.
    Lines(Vec<TranscriptLine>, usize),
    /// Not ready yet: the service's status.
    NotReady(String),
    /// The asset has none.
    None,
    Failed(String),
}

/// An asset's transcript and the indexes that hold it.
#[derive(Clone, Debug, PartialEq)]
pub struct MediaExtras {
    pub transcript: Transcript,
    /// (name, id) of each index, and whether there were more than listed;
    /// or why they could not be read.
    pub indexes: Result<(Vec<(String, String)>, bool), String>,
}

impl MediaExtras {
    /// The inspector's sections: the indexes first (short), then the
    /// transcript.
    pub fn sections(&self) -> Vec<Section> {
        let indexes = match &self.indexes {
            Ok((list, _)) if list.is_empty() => vec![(String::new(), "in no index".into())],
            Ok((list, more)) => {
                let mut rows: Vec<(String, String)> = list
                    .iter()
                    .map(|(name, id)| (name.clone(), id.clone()))
                    .collect();
                if *more {
                    rows.push((String::new(), format!("first {} shown", list.len())));
                }
                rows
            }
            Err(e) => vec![("error".into(), e.clone())],
        };
        let transcript = match &self.transcript {
            Transcript::Lines(lines, more) => {
                let mut rows: Vec<(String, String)> = lines
                    .iter()
                    .map(|l| {
                        (
                            format!(
                                "{}–{}",
                                super::twelvelabs::duration_text(l.start),
                                super::twelvelabs::duration_text(l.end)
                            ),
                            l.text.clone(),
                        )
                    })
                    .collect();
                if rows.is_empty() {
                    rows.push((String::new(), "nothing said".into()));
                }
                if *more > 0 {
                    rows.push((
                        String::new(),
                        format!("{} not shown", plural(*more, "more line", "more lines")),
                    ));
                }
                rows
            }
            Transcript::NotReady(status) => vec![("status".into(), status.clone())],
            Transcript::None => vec![(String::new(), "no transcription".into())],
            Transcript::Failed(e) => vec![("error".into(), e.clone())],
        };
        vec![
            Section {
                title: "Indexes".into(),
                rows: indexes,
            },
            Section {
                title: "Transcript".into(),
                rows: transcript,
            },
        ]
    }

    /// What the inspector shows while they are fetched.
    pub fn loading_sections() -> Vec<Section> {
        ["Indexes", "Transcript"]
            .into_iter()
            .map(|title| Section {
                title: title.into(),
                rows: vec![(String::new(), "loading…".into())],
            })
            .collect()
    }
}
