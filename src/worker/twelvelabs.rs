//! The browser's requests on TwelveLabs: each starts a task on its client
//! and answers with the same [`Msg`]s as Scenario's, carrying views.

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use assetui_twelvelabs::assets::{CreateAsset, ListAssets};
use assetui_twelvelabs::models::{AssetType, MetadataValue, UserMetadata};
use assetui_twelvelabs::{Client, Error};

use assetui_twelvelabs::models::GroupBy;
use assetui_twelvelabs::search::{ImageQuery, SearchRequest};
use assetui_twelvelabs::upload::Resume;

use crate::api::params::SearchPaging;
use crate::app::msg::{ListSpec, SearchSpec};
use crate::app::search::ImageRef;
use crate::app::tags::TagChange;
use crate::app::{AssetPurpose, Msg};
use crate::download::upload_twelvelabs as uploads;
use crate::provider::twelvelabs::{self as tl, MAX_PAGE_LIMIT};
use crate::provider::{AssetView, MediaExtras, Page, Transcript};

/// Most assets read to learn the metadata keys in use (completion).
const KEYS_SCAN_MAX: u64 = 5000;

/// One page of `GET /assets` for the list's filters (TwelveLabs numbers
/// its pages; its list has no date filter, so a refresh reads the
/// listing itself).
pub async fn list(client: &Client, spec: &ListSpec) -> Result<Page, Error> {
    let asked: u64 = spec
        .next
        .as_deref()
        .and_then(|t| t.parse().ok())
        .unwrap_or(1);
    let query = ListAssets {
        page: Some(asked),
        page_limit: Some(u64::from(spec.filters.page_size.clamp(1, MAX_PAGE_LIMIT))),
        asset_types: spec
            .filters
            .types
            .iter()
            .map(|t| AssetType::from(t.as_str()))
            .collect(),
        filename: spec.filters.filename.clone(),
        ..ListAssets::default()
    };
    client
        .list_assets(&query)
        .await
        .map(|page| tl::list_page(asked, page))
}

/// Whether a failure means the service cannot be reached (the browser
/// goes offline), not that it refused this request.
pub fn unreachable(e: &Error) -> bool {
    matches!(
        e,
        Error::Unreachable { .. }
            | Error::Timeout { .. }
            | Error::Interrupted { .. }
            | Error::Service { .. }
    )
}

pub fn load_asset(
    client: &Client,
    purpose: AssetPurpose,
    id: String,
    tx: UnboundedSender<Msg>,
) -> AbortHandle {
    let client = client.clone();
    tokio::spawn(async move {
        let result = client
            .get_asset(&id)
            .await
            .map(|a| Box::new(tl::view(a)))
            .map_err(|e| e.to_string());
        let _ = tx.send(Msg::Asset {
            purpose,
            id,
            result,
        });
    })
    .abort_handle()
}

/// The `key=value` pairs in use, with how many assets carry each, for the
/// metadata editor's completion (the first [`KEYS_SCAN_MAX`] assets).
pub fn load_keys(client: &Client, tx: UnboundedSender<Msg>) {
    use futures_util::StreamExt;
    let client = client.clone();
    tokio::spawn(async move {
        let mut counts: Vec<(String, u64)> = Vec::new();
        let mut seen = 0u64;
        let query = ListAssets {
            page_limit: Some(u64::from(MAX_PAGE_LIMIT)),
            ..ListAssets::default()
        };
        let mut pages = client.list_assets_pages(&query);
        let mut warning = None;
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(p) => p,
                Err(e) => {
                    let _ = tx.send(Msg::Tags(Err(e.to_string())));
                    return;
                }
            };
            for asset in page.items() {
                for chip in tl::chips(asset.user_metadata.as_ref()) {
                    match counts.iter_mut().find(|(c, _)| *c == chip) {
                        Some((_, n)) => *n += 1,
                        None => counts.push((chip, 1)),
                    }
                }
                seen += 1;
            }
            if seen >= KEYS_SCAN_MAX {
                warning = Some(format!(
                    "metadata completion read the first {KEYS_SCAN_MAX} assets only"
                ));
                break;
            }
        }
        let _ = tx.send(Msg::Tags(Ok(counts)));
        if let Some(w) = warning {
            let _ = tx.send(Msg::Notice(w));
        }
    });
}

/// One `key=value` change on assets: PATCH sets the key (or, to remove a
/// pair, sends the key as `null`, which deletes it).
pub fn tag(client: &Client, change: TagChange, tx: UnboundedSender<Msg>) {
    let client = client.clone();
    tokio::spawn(async move {
        let (key, value) = match change.tag.split_once('=') {
            Some((k, v)) => (k.trim().to_string(), v.trim().to_string()),
            None => (change.tag.trim().to_string(), String::new()),
        };
        let mut patch = UserMetadata::new();
        if change.add {
            patch.insert(key, MetadataValue::parse(&value));
        } else {
            patch.insert(key, MetadataValue::Null);
        }
        let mut failures = Vec::new();
        for id in &change.ids {
            if let Err(e) = client.patch_user_metadata(id, &patch).await {
                failures.push((id.clone(), e.to_string()));
            }
        }
        let _ = tx.send(Msg::Tagged { change, failures });
    });
}

/// Deletes assets one by one; `force` also unlinks them from indexes.
pub fn delete(client: &Client, ids: Vec<String>, force: bool, tx: UnboundedSender<Msg>) {
    let client = client.clone();
    tokio::spawn(async move {
        let mut done = 0;
        let mut error = None;
        let mut in_use = false;
        for id in &ids {
            match client.delete_asset(id, force).await {
                Ok(()) => done += 1,
                Err(e @ Error::Conflict { .. }) => {
                    error = Some(e.to_string());
                    in_use = true;
                    break;
                }
                Err(e) => {
                    error = Some(e.to_string());
                    break;
                }
            }
        }
        let _ = tx.send(Msg::Deleted {
            ids,
            done,
            error,
            in_use,
        });
    });
}

/// Uploads a local file, or an `https://` URL, as a new asset (it shows
/// as processing until the service is done with it). Video and audio over
/// 200 MB go in chunks (continuing what an earlier run began), their
/// progress in the status line.
pub fn upload(client: &Client, path: String, tx: UnboundedSender<Msg>) {
    let client = client.clone();
    tokio::spawn(async move {
        let trimmed = path.trim();
        let result = if crate::edits::is_link(trimmed) {
            client
                .create_asset(&CreateAsset::url(trimmed))
                .await
                .map_err(|e| e.to_string())
        } else {
            let shown = crate::sanitize::line(trimmed, 60);
            let percent = super::api::percent_notices(shown.clone(), tx.clone());
            let notices = tx.clone();
            let progress = move |event: uploads::Event| match event {
                uploads::Event::Continued => {
                    let _ = notices.send(Msg::Notice(format!(
                        "uploading {shown}: continuing what an earlier run sent"
                    )));
                }
                uploads::Event::Sent(p) => percent(p.bytes_done, p.total_bytes),
            };
            uploads::upload_local(
                &client,
                &crate::edits::expand_home(trimmed),
                None,
                &uploads::Records::in_state_dir(),
                &Resume::new(),
                &progress,
            )
            .await
        };
        let result = result.map(|a| Box::new(tl::view(a)));
        let _ = tx.send(Msg::Uploaded { path, result });
    });
}

/// The indexes, for the index picker: (id, name).
pub fn load_indexes(client: &Client, tx: UnboundedSender<Msg>) {
    use futures_util::StreamExt;
    let client = client.clone();
    tokio::spawn(async move {
        let query = assetui_twelvelabs::indexes::ListIndexes {
            page_limit: Some(50),
            ..Default::default()
        };
        let mut pages = client.list_indexes_pages(&query);
        let mut items = Vec::new();
        while let Some(page) = pages.next().await {
            match page {
                Ok(p) => items.extend(p.data.unwrap_or_default().into_iter().filter_map(|i| {
                    let id = i.id?;
                    let name = i.index_name.unwrap_or_else(|| id.clone());
                    Some((id, name))
                })),
                Err(e) => {
                    let _ = tx.send(Msg::Indexes(Err(e.to_string())));
                    return;
                }
            }
            if items.len() >= INDEXES_MAX {
                break;
            }
        }
        let _ = tx.send(Msg::Indexes(Ok(items)));
    });
}

/// Most indexes the picker lists.
const INDEXES_MAX: usize = 1000;
/// Assets fetched at once to name a page of results.
const RESULT_FETCHES: usize = 8;

/// One page of a search over the chosen index: the first by text or by an
/// image (a local file or a link), the next ones by their token. Results
/// are grouped by video: each row is an asset with the clips that matched.
pub fn search(
    client: &Client,
    generation: u64,
    spec: SearchSpec,
    tx: UnboundedSender<Msg>,
) -> AbortHandle {
    let client = client.clone();
    tokio::spawn(async move {
        let paging = SearchPaging::Page {
            page: 1,
            hits_per_page: spec.filters.page_size,
        };
        let result = search_page(&client, &spec).await;
        let _ = tx.send(Msg::SearchPage {
            generation,
            paging,
            result,
        });
    })
    .abort_handle()
}

async fn search_page(client: &Client, spec: &SearchSpec) -> Result<Page, String> {
    use futures_util::StreamExt;
    let Some(index) = spec.index.clone() else {
        return Err("choose an index to search first (I)".into());
    };
    let page = match &spec.next {
        Some(token) => client.search_page(token, Some(true)).await,
        None => {
            let Some(applied) = &spec.applied else {
                return Err("TwelveLabs lists by type and file name; it has no tag filter".into());
            };
            if !applied.like.is_empty() || !applied.unlike.is_empty() {
                return Err("TwelveLabs has no more-like / less-like searches".into());
            }
            let mut request = SearchRequest::text(index.clone(), String::new());
            request.query_text = applied.query.clone();
            match &applied.image {
                Some(ImageRef::File { path, .. }) => {
                    request.images = vec![ImageQuery::File(crate::edits::expand_home(path))]
                }
                Some(ImageRef::Asset { .. }) => {
                    return Err("TwelveLabs has no similarity search from an asset".into())
                }
                None => {}
            }
            request.group_by = Some(GroupBy::Video);
            request.page_limit = Some(u64::from(spec.filters.page_size.clamp(1, MAX_PAGE_LIMIT)));
            request.include_user_metadata = Some(true);
            client.search(&request).await
        }
    };
    let page = page.map_err(|e| match e {
        Error::SearchPageExpired { .. } => {
            "these results expired: search again (/ then Enter) for fresh ones".to_string()
        }
        other => other.to_string(),
    })?;
    let next = page.next_page_token().map(str::to_string);
    let total = page.page_info.as_ref().and_then(|i| i.total_results);
    let items = page.data.unwrap_or_default();
    // each result names an indexed video: its asset gives the row
    let rows: Vec<Option<AssetView>> = futures_util::stream::iter(items.into_iter().map(|item| {
        let client = client.clone();
        let index = index.clone();
        async move {
            let video = item.video()?.to_string();
            let asset_id = client
                .get_indexed_asset(&index, &video)
                .await
                .ok()
                .and_then(|v| v.asset_id)
                .unwrap_or(video);
            let asset = client.get_asset(&asset_id).await.ok()?;
            Some(tl::search_result(asset, &item))
        }
    }))
    .buffered(RESULT_FETCHES)
    .collect()
    .await;
    Ok(Page {
        items: rows.into_iter().flatten().collect(),
        next,
        total,
    })
}

/// The transcript and the indexes of a video or sound, for the
/// inspector: the transcription's sentences (404: it has none) and the
/// indexes its indexed assets are in, both at once.
pub fn load_extras(client: &Client, generation: u64, id: String, tx: UnboundedSender<Msg>) {
    let client = client.clone();
    tokio::spawn(async move {
        let (transcription, indexes) = tokio::join!(
            client.get_transcription(&id, &["sentences"]),
            indexes_of(&client, &id)
        );
        let transcript = match transcription {
            Ok(t) => tl::transcript(t),
            Err(e) if e.status() == Some(404) => Transcript::None,
            Err(e) => Transcript::Failed(crate::sanitize::line(&e.to_string(), 300)),
        };
        let extras = Box::new(MediaExtras {
            transcript,
            indexes,
        });
        let _ = tx.send(Msg::MediaExtras {
            generation,
            id,
            extras,
        });
    });
}

/// (name, id) of the indexes that hold the asset, each once, at most
/// [`crate::provider::ASSET_INDEXES_MAX`]; `true` when there were more.
async fn indexes_of(client: &Client, id: &str) -> Result<(Vec<(String, String)>, bool), String> {
    let mut out: Vec<(String, String)> = Vec::new();
    let pages = crate::provider::ASSET_INDEXES_MAX.div_ceil(50) as u64;
    for page in 1..=pages {
        let got = client
            .asset_indexed_assets(id, Some(page), Some(50))
            .await
            .map_err(|e| crate::sanitize::line(&e.to_string(), 300))?;
        let last = got
            .page_info
            .as_ref()
            .and_then(|i| i.total_page)
            .unwrap_or(page);
        let items = got.data.unwrap_or_default();
        for index in items.iter().filter_map(|i| i.index.as_ref()) {
            let Some(index_id) = index.id.as_deref() else {
                continue;
            };
            let index_id = crate::sanitize::line(index_id, 80);
            if out.iter().any(|(_, known)| *known == index_id) {
                continue;
            }
            let name = crate::sanitize::line(index.name.as_deref().unwrap_or(&index_id), 100);
            out.push((name, index_id));
        }
        if items.is_empty() || page >= last {
            return Ok((out, false));
        }
    }
    Ok((out, true))
}
