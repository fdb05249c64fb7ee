//! Handlers for downloads: `d`, `Z`, the pane's keys, and the queue's
//! snapshots (announcing what finished or failed, opening what `o` waited
//! for). The pane's state is `app::downloads`.

use std::collections::BTreeSet;
use std::sync::Arc;

use crossterm::event::KeyEvent;

use crate::app::bulk::{
    Choice, ChoicePurpose, MirrorKey, MirrorPrompt, PathPrompt, PromptKey, ORIGINAL,
};
use crate::app::downloads::{DlCmd, PaneKey};
use crate::app::inspector::plural;
use crate::app::msg::Cmd;
use crate::app::picker::Picker;
use crate::app::state::{Overlay, State};
use crate::sanitize;
use crate::transfers::{Phase, Request, Snapshot, SyncControl, SyncNews, SyncSource};

/// A new snapshot: kept, and a finished or failed item is announced in
/// the status bar; a file waited for by `o` is opened.
pub fn on_snapshot(state: &mut State, snapshot: Arc<Snapshot>, cmds: &mut Vec<Cmd>) {
    let before: std::collections::HashMap<u64, Phase> = state
        .downloads
        .snapshot
        .items
        .iter()
        .map(|i| (i.key, i.phase))
        .collect();
    for item in &snapshot.items {
        let was = before.get(&item.key).copied();
        if was == Some(item.phase) {
            continue;
        }
        if item.direction.is_upload() {
            on_upload(state, item, cmds);
            continue;
        }
        match item.phase {
            // a sync's file: the sync tells where it went
            Phase::Done if item.for_sync() => {}
            Phase::Done if state.downloads.open_when_done.remove(&item.asset_id) => {
                if let Some(p) = &item.path {
                    cmds.push(Cmd::Downloads(DlCmd::Open(p.clone())));
                }
            }
            Phase::Done => {
                let path = item.path.as_ref().map(|p| p.display().to_string());
                state.info(format!(
                    "downloaded {}",
                    path.unwrap_or_else(|| item.name.clone())
                ));
            }
            Phase::Failed | Phase::Cancelled => {
                // a file `o` waited for will not come
                state.downloads.open_when_done.remove(&item.asset_id);
                if item.phase == Phase::Failed {
                    state.error(format!(
                        "download of {} failed: {}",
                        item.asset_id,
                        item.error.as_deref().unwrap_or("?")
                    ));
                }
            }
            _ => {}
        }
    }
    // last, so a file that finished in the same snapshot does not hide it:
    // the refusal answers the key just pressed
    let seen = state.downloads.snapshot.refused.last().map_or(0, |r| r.seq);
    let fresh: Vec<_> = snapshot.refused.iter().filter(|r| r.seq > seen).collect();
    match fresh.as_slice() {
        [] => {}
        [one] => state.error(one.why.clone()),
        [.., last] => state.error(format!(
            "{} downloads not queued again; {}",
            fresh.len(),
            last.why
        )),
    }
    state.downloads.update(snapshot);
}

/// An upload changed phase: once imported, its new asset is fetched to go
/// in the list; a failure is told with the service's reason.
fn on_upload(state: &mut State, item: &crate::transfers::ItemView, cmds: &mut Vec<Cmd>) {
    match item.phase {
        Phase::Done if !item.asset_id.is_empty() => {
            state.info(format!("uploaded {}: adding it to the list…", item.name));
            cmds.push(Cmd::LoadAsset {
                purpose: crate::app::AssetPurpose::Uploaded,
                id: item.asset_id.clone(),
            });
        }
        Phase::Failed => state.error(format!(
            "upload of {} failed: {}",
            item.name,
            item.error.as_deref().unwrap_or("?")
        )),
        _ => {}
    }
}

/// What `d`, `S` and `Z` download: the selection, or the current asset.
/// `None`, with the reason in the status bar, when the queue is off or
/// there is nothing.
pub fn targets(state: &mut State) -> Option<Vec<Arc<crate::provider::AssetView>>> {
    if let Some(why) = state.downloads.unavailable.clone() {
        state.error(format!("downloads are off: {why}"));
        return None;
    }
    let assets = state.targets();
    if assets.is_empty() {
        state.info("nothing selected to download");
        return None;
    }
    Some(assets)
}

fn ids(assets: &[Arc<crate::provider::AssetView>]) -> Vec<String> {
    assets.iter().map(|a| a.id.clone()).collect()
}

/// `d`: queues the selection, or the asset under the cursor.
pub fn download_current(state: &mut State, cmds: &mut Vec<Cmd>) {
    let Some(assets) = targets(state) else {
        return;
    };
    let ids = ids(&assets);
    // already downloaded here this session: say where, and make a copy
    // only if `d` comes again at once
    let again = state.downloads.copy_asked.take().as_ref() == Some(&ids);
    if !again {
        let done: Vec<&std::path::Path> = ids
            .iter()
            .filter_map(|id| state.downloads.done_path(id))
            .collect();
        if !done.is_empty() {
            let key = state.keymap.label(crate::app::Action::Download);
            let what = if ids.len() == 1 {
                format!("already downloaded to {}", done[0].display())
            } else {
                format!("{} of {} already downloaded", done.len(), ids.len())
            };
            state.info(format!("{what}; {key} again downloads a copy"));
            state.downloads.copy_asked = Some(ids);
            return;
        }
    }
    let asked = super::safety::ask_if_off_screen(
        state,
        &ids,
        |what| format!("Download {what}?"),
        crate::app::safety::Yes::Download(ids.clone()),
    );
    if !asked {
        queue(state, ids, None, cmds);
    }
}

/// `Z`: the selection (or the current asset) as one zip, made by the
/// server's batch job and fetched by the queue like any file.
pub fn download_zip(state: &mut State, cmds: &mut Vec<Cmd>) {
    let Some(assets) = targets(state) else {
        return;
    };
    let ids = ids(&assets);
    let asked = super::safety::ask_if_off_screen(
        state,
        &ids,
        |what| format!("Download {what} as one zip?"),
        crate::app::safety::Yes::Zip(ids.clone()),
    );
    if !asked {
        queue_zip(state, ids, cmds);
    }
}

/// Queues one zip of `ids`.
pub fn queue_zip(state: &mut State, ids: Vec<String>, cmds: &mut Vec<Cmd>) {
    let n = crate::app::inspector::plural(ids.len(), "asset", "assets");
    cmds.push(Cmd::Downloads(DlCmd::Zip(ids)));
    state.info(format!(
        "queued a zip of {n} · {} shows the queue",
        state.keymap.label(crate::app::Action::Downloads)
    ));
}

/// `M`: asks for the folder to mirror the listing or search into.
pub fn open_mirror(state: &mut State) {
    if let Some(why) = state.downloads.unavailable.clone() {
        state.error(format!("downloads are off: {why}"));
        return;
    }
    // the formats every listed asset takes: one kind's, else the original
    let listed: Vec<Arc<crate::provider::AssetView>> =
        state.list.entries.iter().map(|e| e.asset.clone()).collect();
    state.overlay = Some(Overlay::Mirror(MirrorPrompt::new(format_options(&listed))));
}

/// A key in the mirror prompt; false closes it. Enter starts the sync of
/// what the list shows (its filters, or the search) into the folder.
pub fn mirror_key(
    prompt: &mut MirrorPrompt,
    state: &mut State,
    key: &KeyEvent,
    cmds: &mut Vec<Cmd>,
) -> bool {
    let choice = match prompt.key(key) {
        MirrorKey::Stay => return true,
        MirrorKey::Cancel => return false,
        MirrorKey::Complete(input) => {
            cmds.push(Cmd::CompletePath { input });
            return true;
        }
        MirrorKey::Submit(choice) => choice,
    };
    let source = match super::search::source(state) {
        super::search::Source::List => {
            let mut q = state.filters.to_query();
            q.page_size = Some(100);
            SyncSource::List(q)
        }
        super::search::Source::Search(applied) => {
            let spec = crate::app::msg::SearchSpec {
                applied,
                filters: state.filters.clone(),
                index: None,
                next: None,
                local: false,
            };
            SyncSource::Search(spec.scenario_request())
        }
        super::search::Source::Waiting => {
            state.info("the search is not ready yet: M again once it shows");
            return false;
        }
    };
    let what = match &source {
        SyncSource::List(_) => "this listing",
        SyncSource::Search(_) => "this search",
    };
    state.info(format!(
        "mirroring {what} into {} · {} shows it",
        sanitize::line(&choice.dir, 120),
        state.keymap.label(crate::app::Action::Downloads)
    ));
    cmds.push(Cmd::Mirror {
        source: Box::new(source),
        choice,
    });
    false
}

/// A key in a path prompt (`U`, `M`): the path Enter submitted, or
/// whether the prompt stays open (Tab asks for completions).
pub fn path_key(
    prompt: &mut PathPrompt,
    key: &KeyEvent,
    cmds: &mut Vec<Cmd>,
) -> Result<String, bool> {
    match prompt.key(key) {
        PromptKey::Stay => Err(true),
        PromptKey::Cancel => Err(false),
        PromptKey::Complete(input) => {
            cmds.push(Cmd::CompletePath { input });
            Err(true)
        }
        PromptKey::Submit(path) => Ok(path),
    }
}

/// Where a sync stands: kept for the pane; its end told in the status bar.
pub fn on_synced(state: &mut State, news: SyncNews) {
    let dir = sanitize::line(&news.dir.display().to_string(), 120);
    match news.ended {
        Some(true) => state.error(format!("mirror {dir}: {}", news.text)),
        Some(false) => state.info(format!("mirror {dir}: {}", news.text)),
        None => {}
    }
    state.downloads.synced(news);
}

/// A key in the downloads pane; `false` closes it.
pub fn on_pane_key(state: &mut State, key: &KeyEvent, cmds: &mut Vec<Cmd>) -> bool {
    match state.downloads.key(key) {
        PaneKey::Close => return false,
        PaneKey::Queue(c) => cmds.push(Cmd::Downloads(c)),
        PaneKey::CopyPath(p) => cmds.push(Cmd::Copy {
            what: "file path",
            text: p,
            route: None,
        }),
        PaneKey::Say(text) => state.info(text),
        PaneKey::Sync(dir, control) => {
            let what = match control {
                SyncControl::Pause => "pausing it at the next file",
                SyncControl::Run => "resuming it",
                _ => "cancelling it: what arrived waits for the next run",
            };
            state.info(format!(
                "mirror {}: {what}",
                sanitize::line(&dir.display().to_string(), 120)
            ));
            cmds.push(Cmd::SteerSync { dir, control });
        }
        PaneKey::None => {}
    }
    true
}

/// `S`: picks a format, then downloads the selection (or the current
/// asset) in it.
pub fn choose_format(state: &mut State) {
    let Some(assets) = targets(state) else {
        return;
    };
    let options = format_options(&assets);
    let ids: Vec<String> = assets.iter().map(|a| a.id.clone()).collect();
    let off_screen = super::safety::off_screen(state, &ids);
    state.overlay = Some(Overlay::Choose(Choice {
        purpose: ChoicePurpose::Format { ids },
        picker: Picker::new(options, BTreeSet::new(), false),
        off_screen,
    }));
}

/// The formats every one of `assets` can take, "original" first: the
/// choices of `S` and of `M`.
fn format_options(assets: &[Arc<crate::provider::AssetView>]) -> Vec<(String, String)> {
    let mut common: Option<Vec<&str>> = None;
    for a in assets {
        let f = a.formats;
        common = Some(match common {
            None => f.to_vec(),
            Some(c) => c.into_iter().filter(|x| f.contains(x)).collect(),
        });
    }
    let mut options = vec![(ORIGINAL.to_string(), "original (as stored)".to_string())];
    options.extend(
        common
            .unwrap_or_default()
            .into_iter()
            .map(|f| (f.to_string(), f.to_string())),
    );
    options
}

/// Queues downloads (`d`, `S`), in the order given.
pub fn queue(state: &mut State, ids: Vec<String>, format: Option<String>, cmds: &mut Vec<Cmd>) {
    let n = ids.len();
    let requests = ids
        .into_iter()
        .map(|asset_id| Request::new(asset_id, format.clone()))
        .collect();
    cmds.push(Cmd::Downloads(DlCmd::Add(requests)));
    let as_ = format
        .map(|f| format!(" as {}", sanitize::line(&f, 10)))
        .unwrap_or_default();
    state.info(format!(
        "queued {}{as_} · {} shows the queue",
        plural(n, "download", "downloads"),
        state.keymap.label(crate::app::Action::Downloads)
    ));
}

/// `o`: opens the asset's file with the system's opener: a file already
/// downloaded in this session at once, otherwise once its download ends.
pub fn open_file(state: &mut State, cmds: &mut Vec<Cmd>) {
    let Some(asset) = state.inspector.asset.clone() else {
        state.info("nothing to open");
        return;
    };
    if !state.caps.downloads {
        // the provider streams its media: play that, from the best clip
        match asset.file_url.clone() {
            Some(url) => {
                let start = asset.clips.first().map(|c| c.start);
                let name = sanitize::line(asset.display_name(), 60);
                state.info(match start {
                    Some(s) => format!(
                        "playing {name} from {}…",
                        crate::provider::twelvelabs::duration_text(s)
                    ),
                    None => format!("playing {name}…"),
                });
                cmds.push(Cmd::Play { url, start });
            }
            None => state.info("nothing to play yet: the stream is not ready"),
        }
        return;
    }
    let done = state
        .downloads
        .done_path(&asset.id)
        .map(|p| p.to_path_buf());
    if let Some(path) = done {
        cmds.push(Cmd::Downloads(DlCmd::Open(path)));
        return;
    }
    if let Some(why) = state.downloads.unavailable.clone() {
        state.error(format!(
            "cannot fetch the file to open it: downloads are off: {why}"
        ));
        return;
    }
    state.downloads.open_when_done.insert(asset.id.clone());
    cmds.push(Cmd::Downloads(DlCmd::Add(vec![Request::new(
        asset.id.clone(),
        None,
    )])));
    let name = sanitize::line(asset.display_name(), 60);
    state.info(format!("downloading {name} to open it…"));
}
