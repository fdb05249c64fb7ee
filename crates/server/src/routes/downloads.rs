//! Download links: one asset (optionally converted), and batch jobs that
//! end with a zip archive.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::assets::asset_not_found;
use super::files::archive_path;
use super::signed_url;
use crate::http::{HttpError, HttpResult};
use crate::jobs::{self, Entry, Job, JobStatus};
use crate::renditions::{self, Variant, IMAGE_TARGETS, MODEL_TARGETS};
use crate::state::AppState;
use assetui_api::naming::AssetName;

/// Assets per batch (the API's limit).
pub const BATCH_LIMIT: usize = 1000;
/// How long a new job stays `pending` before it is worked on.
const PENDING_FOR: Duration = Duration::from_millis(300);

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct LinkBody {
    target_format: Option<String>,
}

pub async fn request_link(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    body: Option<Json<LinkBody>>,
) -> HttpResult<Json<Value>> {
    let target = body
        .and_then(|b| b.0.target_format)
        .map(|f| f.to_ascii_lowercase());
    let (kind, mime) = {
        let lib = state.read_lib()?;
        let r = lib.get(&id).ok_or_else(|| asset_not_found(&id))?;
        (
            r.asset
                .kind()
                .map(|k| k.as_str().to_string())
                .unwrap_or_default(),
            r.asset.mime_type.clone().unwrap_or_default(),
        )
    };
    let stored = stored_format(&mime);
    let variant = match target.as_deref() {
        None => Variant::Original,
        Some(f) if Some(f) == stored || (f == "jpg" && stored == Some("jpeg")) => Variant::Original,
        Some(f) if kind == "image" && IMAGE_TARGETS.contains(&f) => Variant::Format(f.to_string()),
        Some(f) if kind == "3d" && stored == Some("glb") && MODEL_TARGETS.contains(&f) => {
            Variant::Format(f.to_string())
        }
        Some(f) if kind == "image" => {
            return Err(HttpError::bad_request(format!(
                "targetFormat {f} is not a format; use one of: {}",
                IMAGE_TARGETS.join(", ")
            )))
        }
        Some(f) if kind == "3d" && stored == Some("glb") => {
            return Err(HttpError::bad_request(format!(
                "a 3d asset can be downloaded as glb, {}, not {f}",
                MODEL_TARGETS.join(" or ")
            )))
        }
        Some(f) => {
            return Err(HttpError::bad_request(format!(
                "{} asset can only be downloaded in its stored format ({}), not {f}",
                if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                    format!("an {kind}")
                } else {
                    format!("a {kind}")
                },
                stored.unwrap_or("original")
            )))
        }
    };
    Ok(Json(json!({ "url": signed_url(&state, &id, &variant) })))
}

/// The extension of a stored MIME type.
pub fn stored_format(mime: &str) -> Option<&'static str> {
    Some(match mime {
        "image/png" => "png",
        "image/jpeg" => "jpeg",
        "image/webp" => "webp",
        "image/gif" => "gif",
        "image/tiff" => "tiff",
        "image/bmp" => "bmp",
        "model/gltf-binary" => "glb",
        "audio/wav" | "audio/x-wav" => "wav",
        "audio/mpeg" => "mp3",
        "video/mp4" => "mp4",
        _ => return None,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchBody {
    options: Option<BatchOptions>,
    query: Option<BatchQuery>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchOptions {
    file_name_template: Option<String>,
    flat: Option<bool>,
}

/// `query` as the live service wants it: all three arrays, even empty.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct BatchQuery {
    asset_ids: Option<Vec<String>>,
    inference_ids: Option<Vec<String>>,
    model_ids: Option<Vec<String>>,
}

struct Query3 {
    asset_ids: Vec<String>,
    inference_ids: Vec<String>,
    model_ids: Vec<String>,
}

/// How long each working status lasts before the next.
const STEP: Duration = Duration::from_millis(60);

pub async fn request_batch(
    State(state): State<Arc<AppState>>,
    Json(body): Json<BatchBody>,
) -> HttpResult<Json<Value>> {
    // the live service may refuse a request without a template or any of
    // the three arrays: so does this one
    let (template, flat) = match body.options.and_then(|o| {
        Some((
            o.file_name_template.filter(|t| !t.trim().is_empty())?,
            o.flat,
        ))
    }) {
        Some((t, flat)) => (t, flat.unwrap_or(false)),
        None => {
            return Err(HttpError::bad_request(
                "options.fileNameTemplate is required (e.g. \"<id>\")",
            ))
        }
    };
    let query = body
        .query
        .ok_or_else(|| HttpError::bad_request("query is required"))?;
    let (Some(asset_ids), Some(inference_ids), Some(model_ids)) =
        (query.asset_ids, query.inference_ids, query.model_ids)
    else {
        return Err(HttpError::bad_request(
            "query must carry assetIds, inferenceIds and modelIds (arrays, empty ones too)",
        ));
    };
    let query = Query3 {
        asset_ids,
        inference_ids,
        model_ids,
    };
    let entries = {
        let lib = state.read_lib()?;
        let mut picked = Vec::new();
        for id in &query.asset_ids {
            picked.push(lib.get(id).ok_or_else(|| asset_not_found(id))?.clone());
        }
        for (_, r) in lib.records() {
            let m = r.asset.metadata.as_ref();
            let by_inference = m
                .and_then(|m| m.inference_id.as_ref())
                .is_some_and(|i| query.inference_ids.contains(i));
            let by_model = m
                .and_then(|m| m.model_id.as_ref())
                .is_some_and(|i| query.model_ids.contains(i));
            if (by_inference || by_model) && !picked.iter().any(|p| p.asset.id == r.asset.id) {
                picked.push(r.clone());
            }
        }
        if picked.is_empty() {
            return Err(HttpError::bad_request("the query matches no asset"));
        }
        if let Some(big) = picked.iter().find(|r| match &r.file {
            crate::library::FileRef::Generated(g) => g.size > crate::generated::MAX_IN_ARCHIVE,
            _ => false,
        }) {
            return Err(HttpError::bad_request(format!(
                "{} is too large for a batch archive on this server (64 MiB at most)",
                big.asset.id
            )));
        }
        if picked.len() > BATCH_LIMIT {
            return Err(HttpError::bad_request(format!(
                "a batch download is limited to {BATCH_LIMIT} assets ({} requested)",
                picked.len()
            )));
        }
        picked
    };
    let job_id = state.new_id("job");
    state
        .jobs
        .lock()
        .map_err(|_| HttpError::internal("jobs lock poisoned"))?
        .insert(
            job_id.clone(),
            Job {
                id: job_id.clone(),
                created: Instant::now(),
                status: JobStatus::Pending,
                archive: None,
                error: None,
            },
        );
    let worker_state = state.clone();
    let worker_id = job_id.clone();
    let planted = state
        .next_archive
        .lock()
        .map_err(|_| HttpError::internal("lock poisoned"))?
        .take();
    tokio::spawn(async move {
        tokio::time::sleep(PENDING_FOR).await;
        for step in [
            JobStatus::Queued,
            JobStatus::WarmingUp,
            JobStatus::InProgress,
        ] {
            set_status(&worker_state, &worker_id, step, None, None);
            tokio::time::sleep(STEP).await;
        }
        let built = tokio::task::spawn_blocking(move || {
            if let Some(zip) = planted {
                return Ok(zip);
            }
            let files: Vec<Entry> = entries
                .iter()
                .map(|r| {
                    let mime = r.asset.mime_type.clone().unwrap_or_default();
                    let original = renditions::original(&r.file, &mime);
                    let m = r.asset.metadata.as_ref();
                    Entry {
                        name: AssetName::of(&r.asset),
                        group: m
                            .and_then(|m| m.inference_id.clone())
                            .unwrap_or_else(|| "uploads".to_string()),
                        ext: stored_format(&mime).unwrap_or("bin").to_string(),
                        bytes: original.bytes,
                    }
                })
                .collect();
            jobs::build_zip(&files, &template, flat)
        })
        .await;
        if matches!(built, Ok(Ok(_))) {
            set_status(&worker_state, &worker_id, JobStatus::Finalizing, None, None);
            tokio::time::sleep(STEP).await;
        }
        match built {
            Ok(Ok(zip)) => set_status(
                &worker_state,
                &worker_id,
                JobStatus::Success,
                Some(zip),
                None,
            ),
            Ok(Err(e)) => set_status(&worker_state, &worker_id, JobStatus::Failure, None, Some(e)),
            Err(e) => set_status(
                &worker_state,
                &worker_id,
                JobStatus::Failure,
                None,
                Some(e.to_string()),
            ),
        }
    });
    Ok(Json(json!({ "jobId": job_id })))
}

fn set_status(
    state: &AppState,
    id: &str,
    status: JobStatus,
    archive: Option<bytes::Bytes>,
    error: Option<String>,
) {
    if let Ok(mut jobs) = state.jobs.lock() {
        if let Some(job) = jobs.get_mut(id) {
            job.status = status;
            if archive.is_some() {
                job.archive = archive;
            }
            job.error = error;
        }
    }
}

pub async fn batch_status(
    State(state): State<Arc<AppState>>,
    Path(job_id): Path<String>,
) -> HttpResult<Json<Value>> {
    let job = state.job(&job_id)?.ok_or_else(|| {
        HttpError::not_found(format!(
            "Job {} not found",
            assetui_api::sanitize::line(&job_id, 80)
        ))
    })?;
    let mut body = json!({ "jobId": job.id, "jobStatus": job.status.as_str() });
    if job.status == JobStatus::Success {
        let path = archive_path(&job.id);
        let query = state.signer.sign(&path, SystemTime::now());
        body["downloadUrl"] = json!(format!("{}{path}?{query}", state.origin));
    }
    if let Some(e) = job.error {
        body["error"] = json!(e);
    }
    Ok(Json(body))
}
