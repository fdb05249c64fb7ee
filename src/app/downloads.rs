//! The transfers pane's state (downloads and uploads, one queue): the
//! queue's latest snapshot, a cursor kept on the same item as the list
//! changes, and what its keys ask for. Pure: the queue itself runs in
//! `worker/` (`download::queue`).

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent};

use crate::text::human_size;
use crate::transfers::{Direction, ItemView, Phase, Request, Snapshot, SyncControl};

/// What the pane (or `d`) asks of the queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DlCmd {
    Add(Vec<Request>),
    /// One zip of these assets (a server-side batch job).
    Zip(Vec<String>),
    Pause(Option<u64>),
    Resume(Option<u64>),
    Cancel(Option<u64>),
    Retry(Option<u64>),
    /// Open a finished file with the system's opener.
    Open(PathBuf),
}

/// Keys of the downloads pane (listed in the help after the keymap).
pub const PANE_KEYS: &[(&str, &str)] = &[
    ("j/k", "choose a download"),
    ("p / P", "pause or resume it / all"),
    ("x", "cancel it (its partial file is removed)"),
    ("R", "retry it (or every failed one)"),
    (
        "p / x on a mirror",
        "pause or resume / cancel the whole sync",
    ),
    ("o", "open the finished file"),
    ("y", "copy the finished file's path"),
    ("Esc / D", "close the pane (downloads go on)"),
];

/// `p` or `x` on an upload the service is importing.
const IMPORTING: &str =
    "the service is importing this upload: it can no longer be paused or cancelled";

/// `p` or `x` on a download whose file is in place and being saved.
const SAVING: &str = "its file is in place and being saved to disk: it is done in a moment";

/// `o` or `y` on a file a sync (`M`) fetched: it went on into the folder.
const SYNCED: &str = "a mirror's file: the sync put it into its folder under its own name";

/// What a key in the pane asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaneKey {
    Close,
    Queue(DlCmd),
    CopyPath(String),
    Say(String),
    /// `p`/`x` on a mirror's line: steer the sync into this folder.
    Sync(PathBuf, SyncControl),
    None,
}

#[derive(Clone, Debug, Default)]
pub struct Downloads {
    pub snapshot: Arc<Snapshot>,
    /// The item the cursor is on, by key (indexes move as items come).
    pub cursor: Option<u64>,
    /// The queue could not start (no journal dir…): why.
    pub unavailable: Option<String>,
    /// Assets to open once their download is done (`o`).
    pub open_when_done: std::collections::HashSet<String>,
    /// `d` on assets already downloaded said so: these ids, if `d` comes
    /// again at once, are downloaded as copies.
    pub copy_asked: Option<Vec<String>>,
    /// Syncs started with `M`, by folder: where each stands (the latest
    /// news of each, running or ended).
    pub syncs: Vec<crate::transfers::SyncNews>,
    /// The cursor is on this sync's line (an index in `syncs`), not on
    /// an item.
    pub sync_cursor: Option<usize>,
    /// Running syncs the pane paused, by folder.
    pub syncs_paused: std::collections::HashSet<PathBuf>,
}

impl Downloads {
    /// Where this session already downloaded `asset_id` in its stored
    /// format, if it did.
    pub fn done_path(&self, asset_id: &str) -> Option<&std::path::Path> {
        self.snapshot
            .items
            .iter()
            .rev()
            .find(|i| {
                i.direction == Direction::Download
                    && i.asset_id == asset_id
                    && i.phase == Phase::Done
                    && i.format.is_none()
                    && !i.for_sync()
            })
            .and_then(|i| i.path.as_deref())
    }
}

fn running(phase: Phase) -> bool {
    matches!(
        phase,
        Phase::Queued
            | Phase::GettingLink
            | Phase::Downloading
            | Phase::Saving
            | Phase::Sending
            | Phase::Importing
    )
}

impl Downloads {
    pub fn update(&mut self, snapshot: Arc<Snapshot>) {
        self.snapshot = snapshot;
        let keys: Vec<u64> = self.snapshot.items.iter().map(|i| i.key).collect();
        if !self.cursor.is_some_and(|c| keys.contains(&c)) {
            self.cursor = keys.first().copied();
        }
    }

    pub fn index(&self) -> Option<usize> {
        let c = self.cursor?;
        self.snapshot.items.iter().position(|i| i.key == c)
    }

    /// The item under the cursor (none while it is on a sync's line).
    pub fn current(&self) -> Option<&ItemView> {
        if self.sync_cursor.is_some() {
            return None;
        }
        self.index().map(|i| &self.snapshot.items[i])
    }

    /// Moves over the syncs' lines, then the items, as one list.
    fn move_by(&mut self, delta: isize) {
        let (syncs, n) = (self.syncs.len(), self.snapshot.items.len());
        if syncs + n == 0 {
            return;
        }
        let here = match self.sync_cursor {
            Some(i) => i,
            None => syncs + self.index().unwrap_or(0),
        };
        let at = (here as isize + delta).clamp(0, (syncs + n) as isize - 1) as usize;
        if at < syncs {
            self.sync_cursor = Some(at);
        } else {
            self.sync_cursor = None;
            self.cursor = Some(self.snapshot.items[at - syncs].key);
        }
    }

    /// Keeps the latest news of a sync, by folder.
    pub fn synced(&mut self, news: crate::transfers::SyncNews) {
        if news.ended.is_some() {
            self.syncs_paused.remove(&news.dir);
        }
        match self.syncs.iter_mut().find(|s| s.dir == news.dir) {
            Some(s) => *s = news,
            None => {
                self.syncs.push(news);
                if self.snapshot.items.is_empty() {
                    self.sync_cursor = Some(self.syncs.len() - 1);
                }
            }
        }
    }

    /// `p` or `x` on a sync's line: pause or resume it, or cancel it.
    fn sync_key(&mut self, i: usize, key: &KeyEvent) -> PaneKey {
        let Some(news) = self.syncs.get(i) else {
            return PaneKey::None;
        };
        let dir = news.dir.clone();
        if news.ended.is_some() {
            return match key.code {
                KeyCode::Char('p' | 'x') => {
                    PaneKey::Say("this mirror has ended: M on its folder syncs it again".into())
                }
                _ => PaneKey::None,
            };
        }
        match key.code {
            KeyCode::Char('p') if self.syncs_paused.remove(&dir) => {
                PaneKey::Sync(dir, SyncControl::Run)
            }
            KeyCode::Char('p') => {
                self.syncs_paused.insert(dir.clone());
                PaneKey::Sync(dir, SyncControl::Pause)
            }
            KeyCode::Char('x') => {
                self.syncs_paused.remove(&dir);
                PaneKey::Sync(dir, SyncControl::Cancel)
            }
            _ => PaneKey::None,
        }
    }

    /// Syncs still running.
    pub fn syncing(&self) -> usize {
        self.syncs.iter().filter(|s| s.ended.is_none()).count()
    }

    /// Items not yet done, failed or cancelled.
    pub fn active(&self) -> usize {
        self.snapshot
            .items
            .iter()
            .filter(|i| running(i.phase))
            .count()
    }

    /// Uploads not yet done, failed or cancelled (they do not survive a
    /// quit: the journal keeps downloads only).
    pub fn active_uploads(&self) -> usize {
        self.snapshot
            .items
            .iter()
            .filter(|i| running(i.phase) && i.direction.is_upload())
            .count()
    }

    /// For the status bar while something runs: `↓ 2 · 45% · 3.1 MiB/s`
    /// (`↓ 2 ↑ 1 · …` while uploads run too).
    pub fn summary(&self) -> Option<String> {
        let active = self.active();
        let failed = self.snapshot.count(Phase::Failed);
        if active == 0 && failed == 0 {
            return None;
        }
        let up = self.active_uploads();
        let mut s = format!("↓ {}", active - up);
        if up > 0 {
            s.push_str(&format!(" ↑ {up}"));
        }
        let running: Vec<&ItemView> = self
            .snapshot
            .items
            .iter()
            .filter(|i| running(i.phase))
            .collect();
        let total: Option<u64> = running.iter().map(|i| i.total).sum();
        if let Some(t) = total.filter(|t| *t > 0) {
            let done: u64 = running.iter().map(|i| i.bytes).sum();
            s.push_str(&format!(" · {:.0}%", done as f64 * 100.0 / t as f64));
        }
        let speed = self.snapshot.speed();
        if speed >= 1.0 {
            s.push_str(&format!(" · {}/s", human_size(speed as u64)));
        }
        if failed > 0 {
            s.push_str(&format!(" · {failed} failed"));
        }
        Some(s)
    }

    /// A key while the pane is open.
    pub fn key(&mut self, key: &KeyEvent) -> PaneKey {
        let current = self.current().cloned();
        let key_of = current.as_ref().map(|i| i.key);
        match key.code {
            KeyCode::Esc | KeyCode::Char('D') | KeyCode::Char('q') => PaneKey::Close,
            KeyCode::Char('j') | KeyCode::Down => {
                self.move_by(1);
                PaneKey::None
            }
            KeyCode::Char('k') | KeyCode::Up => {
                self.move_by(-1);
                PaneKey::None
            }
            KeyCode::Char('g') | KeyCode::Home => {
                self.move_by(isize::MIN / 2);
                PaneKey::None
            }
            KeyCode::Char('G') | KeyCode::End => {
                self.move_by(isize::MAX / 2);
                PaneKey::None
            }
            KeyCode::Char('p' | 'x') if self.sync_cursor.is_some() => {
                let i = self.sync_cursor.unwrap_or(0);
                self.sync_key(i, key)
            }
            KeyCode::Char('p') => match current.map(|i| (i.phase, i.direction)) {
                Some((Phase::Importing, _)) => PaneKey::Say(IMPORTING.into()),
                Some((Phase::Saving, _)) => PaneKey::Say(SAVING.into()),
                Some((Phase::Sending | Phase::Queued, Direction::Upload { single: true })) => {
                    PaneKey::Say(
                        "a small image goes in one request: it cannot pause (x cancels it)".into(),
                    )
                }
                Some((Phase::Paused, _)) => PaneKey::Queue(DlCmd::Resume(key_of)),
                Some((
                    Phase::Queued | Phase::GettingLink | Phase::Downloading | Phase::Sending,
                    _,
                )) => PaneKey::Queue(DlCmd::Pause(key_of)),
                Some(_) => PaneKey::Say("only a running or paused download pauses".into()),
                None => PaneKey::None,
            },
            KeyCode::Char('P') => {
                if self.active() > 0 {
                    PaneKey::Queue(DlCmd::Pause(None))
                } else {
                    PaneKey::Queue(DlCmd::Resume(None))
                }
            }
            KeyCode::Char('x') => match current.map(|i| i.phase) {
                Some(Phase::Done | Phase::Cancelled) | None => PaneKey::None,
                Some(Phase::Importing) => PaneKey::Say(IMPORTING.into()),
                Some(Phase::Saving) => PaneKey::Say(SAVING.into()),
                Some(_) => PaneKey::Queue(DlCmd::Cancel(key_of)),
            },
            KeyCode::Char('R') => match current.map(|i| i.phase) {
                Some(Phase::Failed | Phase::Cancelled) => PaneKey::Queue(DlCmd::Retry(key_of)),
                _ => PaneKey::Queue(DlCmd::Retry(None)),
            },
            KeyCode::Char('o' | 'y') if current.as_ref().is_some_and(|i| i.for_sync()) => {
                PaneKey::Say(SYNCED.into())
            }
            KeyCode::Char('o') => match current.and_then(|i| i.path) {
                Some(p) => PaneKey::Queue(DlCmd::Open(p)),
                None => PaneKey::Say("not finished yet".into()),
            },
            KeyCode::Char('y') => match current.and_then(|i| i.path) {
                Some(p) => PaneKey::CopyPath(p.display().to_string()),
                None => PaneKey::Say("not finished yet".into()),
            },
            _ => PaneKey::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;
    use std::time::Duration;

    fn item(key: u64, phase: Phase) -> ItemView {
        ItemView {
            key,
            direction: Direction::Download,
            asset_id: format!("a{key}"),
            format: None,
            name: format!("a{key}"),
            phase,
            bytes: 50,
            total: Some(100),
            speed: if phase == Phase::Downloading {
                2048.0
            } else {
                0.0
            },
            eta: Some(Duration::from_secs(3)),
            path: (phase == Phase::Done).then(|| PathBuf::from(format!("/out/a{key}.png"))),
            error: None,
            note: None,
            fetched: 50,
            assets: Vec::new(),
        }
    }

    fn snap(items: Vec<ItemView>) -> Arc<Snapshot> {
        Arc::new(Snapshot {
            items,
            version: 1,
            ..Default::default()
        })
    }

    fn k(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn the_cursor_stays_on_its_item_and_keys_act_on_it() {
        let mut d = Downloads::default();
        d.update(snap(vec![
            item(1, Phase::Downloading),
            item(2, Phase::Done),
        ]));
        assert_eq!(d.cursor, Some(1));
        assert_eq!(d.key(&k('p')), PaneKey::Queue(DlCmd::Pause(Some(1))));
        assert_eq!(d.key(&k('x')), PaneKey::Queue(DlCmd::Cancel(Some(1))));
        d.key(&k('j'));
        assert_eq!(
            d.key(&k('o')),
            PaneKey::Queue(DlCmd::Open("/out/a2.png".into()))
        );
        assert_eq!(d.key(&k('y')), PaneKey::CopyPath("/out/a2.png".into()));
        // a new item before it: the cursor stays on item 2
        d.update(snap(vec![
            item(3, Phase::Queued),
            item(1, Phase::Paused),
            item(2, Phase::Done),
        ]));
        assert_eq!(d.current().unwrap().key, 2);
        d.key(&k('k'));
        assert_eq!(d.key(&k('p')), PaneKey::Queue(DlCmd::Resume(Some(1))));
        assert_eq!(d.key(&k('D')), PaneKey::Close);
    }

    fn upload(key: u64, phase: Phase, single: bool) -> ItemView {
        ItemView {
            direction: Direction::Upload { single },
            asset_id: String::new(),
            path: Some(PathBuf::from(format!("/home/u/f{key}.wav"))),
            ..item(key, phase)
        }
    }

    /// A mirror's line takes the cursor above the items: `p` pauses the
    /// whole sync, `p` again resumes it, `x` cancels it; an ended one
    /// says so; the items' keys still act on items.
    #[test]
    fn p_and_x_on_a_mirrors_line_steer_the_whole_sync() {
        use crate::transfers::SyncNews;
        let mut d = Downloads::default();
        d.update(snap(vec![
            item(1, Phase::Done),
            item(2, Phase::Downloading),
        ]));
        let dir = PathBuf::from("/m");
        d.synced(SyncNews {
            dir: dir.clone(),
            text: "placing 1/2".into(),
            ended: None,
        });
        assert_eq!(d.sync_cursor, None, "the cursor stays on its item");
        d.key(&KeyEvent::new(KeyCode::Up, KeyModifiers::NONE));
        assert_eq!(d.sync_cursor, Some(0));
        assert!(d.current().is_none());
        assert_eq!(
            d.key(&k('p')),
            PaneKey::Sync(dir.clone(), SyncControl::Pause)
        );
        assert_eq!(d.key(&k('p')), PaneKey::Sync(dir.clone(), SyncControl::Run));
        assert_eq!(
            d.key(&k('x')),
            PaneKey::Sync(dir.clone(), SyncControl::Cancel)
        );
        d.key(&k('j'));
        assert_eq!(d.sync_cursor, None);
        assert_eq!(d.current().map(|i| i.key), Some(1));
        d.key(&k('j'));
        assert_eq!(d.key(&k('p')), PaneKey::Queue(DlCmd::Pause(Some(2))));
        d.synced(SyncNews {
            dir: dir.clone(),
            text: "1 new".into(),
            ended: Some(false),
        });
        d.key(&k('k'));
        d.key(&k('k'));
        assert!(matches!(d.key(&k('x')), PaneKey::Say(s) if s.contains("ended")));
    }

    #[test]
    fn the_pane_keys_act_on_an_upload_with_their_meaning() {
        let mut d = Downloads::default();
        d.update(snap(vec![
            upload(1, Phase::Sending, false),
            item(2, Phase::Downloading),
        ]));
        // sending parts: p pauses it, x cancels it
        assert_eq!(d.key(&k('p')), PaneKey::Queue(DlCmd::Pause(Some(1))));
        assert_eq!(d.key(&k('x')), PaneKey::Queue(DlCmd::Cancel(Some(1))));
        // paused: p resumes it
        d.update(snap(vec![
            upload(1, Phase::Paused, false),
            item(2, Phase::Downloading),
        ]));
        assert_eq!(d.key(&k('p')), PaneKey::Queue(DlCmd::Resume(Some(1))));
        // the service imports it: neither pause nor cancel can stop that
        d.update(snap(vec![upload(1, Phase::Importing, false)]));
        assert!(matches!(d.key(&k('p')), PaneKey::Say(s) if s.contains("importing")));
        assert!(matches!(d.key(&k('x')), PaneKey::Say(s) if s.contains("importing")));
        // a small image in one request: no pause, but cancel
        d.update(snap(vec![upload(1, Phase::Sending, true)]));
        assert!(matches!(d.key(&k('p')), PaneKey::Say(s) if s.contains("cannot pause")));
        assert_eq!(d.key(&k('x')), PaneKey::Queue(DlCmd::Cancel(Some(1))));
        // failed or cancelled: R starts it again
        d.update(snap(vec![upload(1, Phase::Failed, false)]));
        assert_eq!(d.key(&k('R')), PaneKey::Queue(DlCmd::Retry(Some(1))));
        d.update(snap(vec![upload(1, Phase::Cancelled, false)]));
        assert_eq!(d.key(&k('R')), PaneKey::Queue(DlCmd::Retry(Some(1))));
        // P pauses all while one runs
        d.update(snap(vec![upload(1, Phase::Sending, false)]));
        assert_eq!(d.key(&k('P')), PaneKey::Queue(DlCmd::Pause(None)));
    }

    #[test]
    fn a_download_being_saved_is_neither_paused_nor_cancelled_and_says_why() {
        let mut d = Downloads::default();
        d.update(snap(vec![item(1, Phase::Saving)]));
        assert!(matches!(d.key(&k('p')), PaneKey::Say(s) if s.contains("being saved")));
        assert!(matches!(d.key(&k('x')), PaneKey::Say(s) if s.contains("being saved")));
        // it still counts as running: P pauses the others
        assert_eq!(d.key(&k('P')), PaneKey::Queue(DlCmd::Pause(None)));
    }

    #[test]
    fn an_upload_counts_apart_in_the_summary_and_is_no_downloaded_file() {
        let mut d = Downloads::default();
        let mut done = upload(3, Phase::Done, false);
        done.asset_id = "a3".into();
        d.update(snap(vec![
            item(1, Phase::Downloading),
            upload(2, Phase::Sending, false),
            done,
        ]));
        assert_eq!(d.summary().unwrap(), "↓ 1 ↑ 1 · 50% · 2.0 KiB/s");
        // the new asset of an upload is not a file downloaded here
        assert_eq!(d.done_path("a3"), None);
    }

    #[test]
    fn the_summary_counts_what_runs() {
        let mut d = Downloads::default();
        assert_eq!(d.summary(), None);
        d.update(snap(vec![
            item(1, Phase::Downloading),
            item(2, Phase::Queued),
            item(3, Phase::Done),
        ]));
        assert_eq!(d.summary().unwrap(), "↓ 2 · 50% · 2.0 KiB/s");
        d.update(snap(vec![item(4, Phase::Failed)]));
        assert_eq!(d.summary().unwrap(), "↓ 0 · 1 failed");
    }
}
