//! Image embeddings for every record, computed off the async threads: in
//! the background from start, and on demand before a similarity search.

use std::sync::Arc;

use super::embed::{self, Embedding};
use super::library::FileRef;
use super::renditions::{self, Variant};
use super::state::AppState;
use super::synth;

/// Side of the picture an embedding is computed from.
const EMBED_SIDE: u32 = 64;
/// Records embedded per blocking batch (keeps the write lock short).
const BATCH: usize = 2048;

/// Most missing embeddings a similarity search waits for (about a second
/// of work); with more missing (a large library at start) it answers from
/// what is embedded.
pub const WAIT_FOR_AT_MOST: usize = BATCH;

/// How many records have no embedding yet.
pub fn missing(state: &AppState) -> usize {
    state.lib.read().map_or(0, |lib| lib.unembedded().count())
}

/// Starts a run of [`ensure`] in the background, unless one is under way.
pub fn start(state: &Arc<AppState>) {
    if state.embedding_lock.try_lock().is_ok() {
        let state = state.clone();
        tokio::spawn(async move { ensure(&state).await });
    }
}

/// Computes every missing embedding. Concurrent callers wait for the one
/// run in progress.
pub async fn ensure(state: &Arc<AppState>) {
    let _guard = state.embedding_lock.lock().await;
    loop {
        let todo: Vec<(String, FileRef, String, String)> = match state.lib.read() {
            Ok(lib) => lib
                .unembedded()
                .take(BATCH)
                .map(|(_, r)| {
                    (
                        r.asset.id.clone(),
                        r.file.clone(),
                        r.asset.mime_type.clone().unwrap_or_default(),
                        r.asset
                            .kind()
                            .map(|k| k.as_str().to_string())
                            .unwrap_or_default(),
                    )
                })
                .collect(),
            Err(_) => return,
        };
        if todo.is_empty() {
            return;
        }
        let wanted = todo.len();
        let done = tokio::task::spawn_blocking(move || {
            // one share per core: this is the slow part of a large start
            let threads = std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .max(1);
            let share = todo.len().div_ceil(threads).max(1);
            std::thread::scope(|scope| {
                let workers: Vec<_> = todo
                    .chunks(share)
                    .map(|chunk| {
                        scope.spawn(move || {
                            chunk
                                .iter()
                                .map(|(id, file, mime, kind)| {
                                    (id.clone(), compute(file, mime, kind))
                                })
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|w| w.join().unwrap_or_default())
                    .collect::<Vec<_>>()
            })
        })
        .await;
        let Ok(done) = done else { return };
        let complete = done.len() == wanted;
        let Ok(mut lib) = state.lib.write() else {
            return;
        };
        for (id, e) in done {
            lib.set_embedding(&id, &e);
        }
        if !complete {
            // a worker failed: do not spin on the same records forever
            tracing::error!("some embeddings could not be computed");
            return;
        }
    }
}

/// The embedding of the record `id`: the one computed already, else
/// computed now (off the async threads) and kept, without waiting for a
/// run of [`ensure`] under way. `None` when there is no such record.
pub async fn of_record(state: &Arc<AppState>, id: &str) -> Option<Embedding> {
    let (file, mime, kind) = {
        let lib = state.lib.read().ok()?;
        let r = lib.get(id)?;
        if let Some(e) = lib.embedding_of(id) {
            return Some(e);
        }
        (
            r.file.clone(),
            r.asset.mime_type.clone().unwrap_or_default(),
            r.asset
                .kind()
                .map(|k| k.as_str().to_string())
                .unwrap_or_default(),
        )
    };
    let e = tokio::task::spawn_blocking(move || compute(&file, &mime, &kind))
        .await
        .ok()?;
    if let Ok(mut lib) = state.lib.write() {
        let missing = lib.slot_of(id).is_some_and(|s| lib.embedding(s).is_none());
        if missing {
            lib.set_embedding(id, &e);
        }
    }
    Some(e)
}

/// The embedding of one file: synthetic images are drawn small, others
/// decoded with limits (non-images use their thumbnail picture).
pub fn compute(file: &FileRef, mime: &str, kind: &str) -> Embedding {
    if let FileRef::Synthetic {
        seed,
        family,
        width,
        height,
    } = file
    {
        let scale = f64::from(EMBED_SIDE) / f64::from((*width).max(*height).max(1));
        let w = ((f64::from(*width) * scale) as u32).max(1);
        let h = ((f64::from(*height) * scale) as u32).max(1);
        return embed::embed(&image::DynamicImage::ImageRgb8(synth::render(
            *seed, *family, w, h,
        )));
    }
    if let FileRef::Generated(_) = file {
        // random bytes, not a picture: all alike, and cheap at any count
        return embed::embed(&image::DynamicImage::new_rgb8(8, 8));
    }
    let original = renditions::original(file, mime);
    match renditions::decode(&original.bytes) {
        Ok(img) => embed::embed(&img),
        Err(_) => match renditions::derive(&original, kind, &Variant::Thumbnail)
            .ok()
            .and_then(|t| renditions::decode(&t.bytes).ok())
        {
            Some(img) => embed::embed(&img),
            None => embed::embed(&image::DynamicImage::new_rgb8(8, 8)),
        },
    }
}
