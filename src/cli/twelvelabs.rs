//! The commands on TwelveLabs: `list`, `get`, `search --index`, `upload`
//! (a file — video and audio over 200 MB in chunks, continuing what an
//! earlier run began — or `--url`), `delete` (`--force`), `tag` (`--set k=v`,
//! `--unset k`) and `indexes`. Tables show the neutral view; `--json` and
//! `--jsonl` print the service's own objects unchanged.

use std::io::{self, IsTerminal, Write};

use futures_util::StreamExt;

use assetui_twelvelabs::assets::{CreateAsset, ListAssets};
use assetui_twelvelabs::indexes::ListIndexes;
use assetui_twelvelabs::models::{Asset, AssetType, MetadataValue, UserMetadata};
use assetui_twelvelabs::search::SearchRequest;
use assetui_twelvelabs::upload::Resume;
use assetui_twelvelabs::{Client, Error};

use super::args::{DeleteArgs, GetArgs, JsonOnly, ListArgs, SearchArgs, TagArgs, UploadArgs};
use super::output::{self, JsonWriter, Sink};
use super::render;
use super::CliError;
use crate::download::upload_twelvelabs as uploads;
use crate::provider::twelvelabs::{self as tl, MAX_PAGE_LIMIT};
use crate::sanitize;

fn failed(e: Error) -> CliError {
    CliError::Failed(e.to_string())
}

/// Scenario's list options that TwelveLabs cannot apply: named, not
/// silently dropped.
fn refuse_scenario_filters(a: &ListArgs) -> Result<(), CliError> {
    let mut given = Vec::new();
    let mut flag = |set: bool, name: &str| {
        if set {
            given.push(name.to_string());
        }
    };
    flag(a.filters.privacy.is_some(), "--privacy");
    flag(a.filters.author.is_some(), "--author");
    flag(a.filters.collection.is_some(), "--collection");
    flag(!a.filters.tags.is_empty(), "--tags");
    flag(a.filters.model.is_some(), "--model");
    flag(a.filters.inference.is_some(), "--inference");
    flag(a.filters.parent.is_some(), "--parent");
    flag(a.filters.root.is_some(), "--root");
    flag(a.filters.created_after.is_some(), "--created-after");
    flag(a.filters.created_before.is_some(), "--created-before");
    flag(a.sort.is_some(), "--sort");
    flag(a.order.is_some(), "--order");
    if given.is_empty() {
        return Ok(());
    }
    Err(CliError::Usage(format!(
        "{} {} not available on TwelveLabs (it filters by --type and --filename)",
        given.join(", "),
        if given.len() == 1 { "is" } else { "are" }
    )))
}

pub async fn list(client: &Client, a: ListArgs) -> Result<(), CliError> {
    refuse_scenario_filters(&a)?;
    let max = a.limit.max();
    let page_limit = a
        .page_size
        .unwrap_or(MAX_PAGE_LIMIT)
        .min(MAX_PAGE_LIMIT)
        .min(u32::try_from(max.max(1)).unwrap_or(MAX_PAGE_LIMIT));
    let query = ListAssets {
        page_limit: Some(u64::from(page_limit)),
        asset_types: a
            .filters
            .types
            .iter()
            .map(|t| AssetType::from(t.as_str()))
            .collect(),
        filename: a.filename.clone(),
        ..ListAssets::default()
    };
    let mut sink = Sink::new(a.output.json, a.output.jsonl, render::asset_table());
    let mut seen = 0u64;
    let mut pages = client.list_assets_pages(&query);
    let mut error = None;
    let mut cut = false;
    'pages: while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                error = Some(e);
                break;
            }
        };
        for asset in page.data.unwrap_or_default() {
            if seen == max {
                cut = true;
                break 'pages;
            }
            sink.push(&asset, || render::view_row(&tl::view(asset.clone())))?;
            seen += 1;
        }
    }
    sink.finish("assets", error.is_some())?;
    a.limit.check_cut(cut, "assets")?;
    error.map_or(Ok(()), |e| Err(failed(e)))
}

pub async fn get(client: &Client, a: GetArgs) -> Result<(), CliError> {
    let mut writer = a.json.then(|| JsonWriter::new(io::stdout().lock(), false));
    let mut failures = Vec::new();
    for id in &a.ids {
        match client.get_asset(id).await {
            Ok(asset) => match writer.as_mut() {
                Some(w) => w.push(&asset)?,
                None => {
                    let view = tl::view(asset);
                    let mut out = io::stdout().lock();
                    for section in view.sections(&Default::default()) {
                        writeln!(out, "{}", sanitize::line(&section.title, 80))?;
                        for (k, v) in &section.rows {
                            writeln!(out, "  {k}: {}", v.replace('\n', "\n    "))?;
                        }
                    }
                    writeln!(out)?;
                }
            },
            Err(e) => failures.push(format!("{}: {e}", sanitize::line(id, 80))),
        }
    }
    if let Some(w) = writer {
        w.finish()?;
    }
    super::edit::fail_if_any(failures, a.ids.len())
}

pub async fn indexes(client: &Client, a: JsonOnly) -> Result<(), CliError> {
    let query = ListIndexes {
        page_limit: Some(50),
        ..ListIndexes::default()
    };
    let mut pages = client.list_indexes_pages(&query);
    let mut sink = Sink::new(
        a.json,
        false,
        output::Table::new(vec![
            output::Column {
                header: "ID",
                min: 8,
                flexible: false,
            },
            output::Column {
                header: "NAME",
                min: 8,
                flexible: true,
            },
            output::Column {
                header: "VIDEOS",
                min: 6,
                flexible: false,
            },
            output::Column {
                header: "CREATED",
                min: 10,
                flexible: false,
            },
        ]),
    );
    let mut error = None;
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => {
                for index in p.data.unwrap_or_default() {
                    sink.push(&index, || {
                        vec![
                            index.id.clone().unwrap_or_default(),
                            index.index_name.clone().unwrap_or_default(),
                            index
                                .video_count
                                .as_ref()
                                .map(|n| n.to_string())
                                .unwrap_or_default(),
                            index
                                .created_at
                                .as_deref()
                                .map(render::short_date)
                                .unwrap_or_default(),
                        ]
                    })?;
                }
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    sink.finish("indexes", error.is_some())?;
    error.map_or(Ok(()), |e| Err(failed(e)))
}

pub async fn search(client: &Client, a: SearchArgs) -> Result<(), CliError> {
    let Some(index) = a.index.clone() else {
        return Err(CliError::Usage(
            "TwelveLabs searches an index: give --index ID (`assetui indexes` lists them)".into(),
        ));
    };
    if a.filter.is_some() || !a.like.is_empty() || !a.unlike.is_empty() || a.public {
        return Err(CliError::Usage(
            "--filter, --like, --unlike and --public are Scenario's; TwelveLabs searches by \
             text or by one --image"
                .into(),
        ));
    }
    let mut request = match (&a.query, &a.image) {
        (Some(q), None) => SearchRequest::text(index, q.clone()),
        (None, Some(image)) => image_request(index, image),
        (Some(_), Some(_)) => {
            return Err(CliError::Usage(
                "TwelveLabs searches by text or by image, not both at once".into(),
            ))
        }
        (None, None) => {
            return Err(CliError::Usage(
                "nothing to search for: give words or --image FILE|URL".into(),
            ))
        }
    };
    let max = a.limit.max();
    request.page_limit = Some(max.clamp(1, 50));
    let mut sink = Sink::new(a.output.json, a.output.jsonl, clip_table());
    let mut seen = 0u64;
    let mut pages = client.search_pages(request);
    let mut error = None;
    let mut cut = false;
    'pages: while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                error = Some(e);
                break;
            }
        };
        for item in page.data.unwrap_or_default() {
            if seen == max {
                cut = true;
                break 'pages;
            }
            sink.push(&item, || {
                vec![
                    item.rank.map(|r| r.to_string()).unwrap_or_default(),
                    item.video().unwrap_or_default().to_string(),
                    match (item.start_secs(), item.end_secs()) {
                        (Some(s), Some(e)) => {
                            format!("{}–{}", tl::duration_text(s), tl::duration_text(e))
                        }
                        _ => String::new(),
                    },
                    item.transcription.clone().unwrap_or_default(),
                ]
            })?;
            seen += 1;
        }
    }
    sink.finish("clips", error.is_some())?;
    a.limit.check_cut(cut, "clips")?;
    error.map_or(Ok(()), |e| Err(failed(e)))
}

/// An image query: an `http(s)://` link, else a local file.
fn image_request(index: String, image: &str) -> SearchRequest {
    use assetui_twelvelabs::search::ImageQuery;
    let query = if image.starts_with("https://") || image.starts_with("http://") {
        ImageQuery::Url(image.to_string())
    } else {
        ImageQuery::File(crate::edits::expand_home(image))
    };
    let mut request = SearchRequest::text(index, "");
    request.query_text = None;
    request.images = vec![query];
    request
}

fn clip_table() -> output::Table {
    output::Table::new(vec![
        output::Column {
            header: "RANK",
            min: 4,
            flexible: false,
        },
        output::Column {
            header: "ASSET",
            min: 8,
            flexible: false,
        },
        output::Column {
            header: "CLIP",
            min: 9,
            flexible: false,
        },
        output::Column {
            header: "TEXT",
            min: 4,
            flexible: true,
        },
    ])
}

pub async fn upload(client: &Client, a: UploadArgs) -> Result<(), CliError> {
    if !a.collection.is_empty() || a.parent.is_some() || a.hide {
        return Err(CliError::Usage(
            "--collection, --parent and --hide are Scenario's; TwelveLabs takes files or --url"
                .into(),
        ));
    }
    if a.files.is_empty() && a.url.is_empty() {
        return Err(CliError::Usage(
            "nothing to upload: give FILE or --url URL".into(),
        ));
    }
    let total = a.files.len() + a.url.len();
    if a.name.is_some() && total > 1 {
        return Err(CliError::Usage(
            "--name applies to one file; upload several without it".into(),
        ));
    }
    let mut writer = a.json.then(|| JsonWriter::new(io::stdout().lock(), false));
    let bars = !a.json && io::stderr().is_terminal();
    let records = uploads::Records::in_state_dir();
    let mut failures = Vec::new();
    let mut done = |shown: &str, result: Result<Asset, String>| -> Result<(), CliError> {
        match result {
            Ok(asset) => match writer.as_mut() {
                Some(w) => w.push(&asset)?,
                None => println!(
                    "{} → {} ({})",
                    sanitize::line(shown, 200),
                    sanitize::line(asset.id().unwrap_or_default(), 80),
                    asset
                        .status
                        .as_ref()
                        .map(|s| sanitize::line(s.as_str(), 20))
                        .unwrap_or_else(|| "created".into())
                ),
            },
            Err(e) => failures.push(format!("{}: {e}", sanitize::line(shown, 200))),
        }
        Ok(())
    };
    for path in &a.files {
        let shown = path.display().to_string();
        let bar = bars.then(|| super::edit::UploadBar::new(&sanitize::line(&shown, 200)));
        let draw = bar.as_ref().map(|b| b.callback());
        let progress = |event: uploads::Event| match event {
            uploads::Event::Continued => {
                eprintln!(
                    "{}: continuing the upload an earlier run began",
                    sanitize::line(&shown, 200)
                )
            }
            uploads::Event::Sent(p) => {
                if let Some(draw) = &draw {
                    draw(crate::api::uploads::UploadProgress::Sent {
                        sent: p.bytes_done,
                        total: p.total_bytes,
                    })
                }
            }
        };
        let result = uploads::upload_local(
            client,
            path,
            a.name.clone(),
            &records,
            &Resume::new(),
            &progress,
        )
        .await;
        if let Some(b) = &bar {
            b.clear();
        }
        done(&shown, result)?;
    }
    for url in &a.url {
        let mut request = CreateAsset::url(url.clone());
        request.filename = a.name.clone();
        let result = client
            .create_asset(&request)
            .await
            .map_err(|e| e.to_string());
        done(url, result)?;
    }
    if let Some(w) = writer {
        w.finish()?;
    }
    super::edit::fail_if_any(failures, total)
}

pub async fn delete(client: &Client, a: DeleteArgs) -> Result<(), CliError> {
    if !super::edit::confirm_delete(a.ids.len(), a.yes)? {
        return Ok(());
    }
    let mut done = 0;
    for id in &a.ids {
        match client.delete_asset(id, a.force).await {
            Ok(()) => done += 1,
            Err(e @ Error::Conflict { .. }) => {
                return Err(CliError::Failed(format!(
                    "{}: {e}; an index uses it: add --force to delete it and unlink it \
                     (deleted {done} of {} before it)",
                    sanitize::line(id, 80),
                    a.ids.len()
                )));
            }
            Err(e) => {
                return Err(CliError::Failed(format!(
                    "{}: {e} (deleted {done} of {} before it)",
                    sanitize::line(id, 80),
                    a.ids.len()
                )));
            }
        }
    }
    eprintln!(
        "deleted {done} {}",
        if done == 1 { "asset" } else { "assets" }
    );
    Ok(())
}

/// `tag --clear`: every asset's user metadata removed at once
/// (`DELETE …/user-metadata`).
async fn clear_metadata(client: &Client, ids: &[String], json: bool) -> Result<(), CliError> {
    let mut writer = json.then(|| JsonWriter::new(io::stdout().lock(), false));
    let mut failures = Vec::new();
    for id in ids {
        match client.delete_user_metadata(id).await {
            Ok(()) => match writer.as_mut() {
                Some(w) => w.push(&serde_json::json!({ "id": id, "user_metadata": {} }))?,
                None => println!("{}: metadata cleared", sanitize::line(id, 80)),
            },
            Err(e) => failures.push(format!("{}: {e}", sanitize::line(id, 80))),
        }
    }
    if let Some(w) = writer {
        w.finish()?;
    }
    super::edit::fail_if_any(failures, ids.len())
}

pub async fn tag(client: &Client, a: TagArgs) -> Result<(), CliError> {
    if !a.add.is_empty() || !a.remove.is_empty() {
        return Err(CliError::Usage(
            "TwelveLabs has user metadata, not tags: use --set KEY=VALUE and --unset KEY".into(),
        ));
    }
    if a.clear {
        return clear_metadata(client, &a.ids, a.json).await;
    }
    if a.set.is_empty() && a.unset.is_empty() {
        return Err(CliError::Usage(
            "nothing to do: give --set KEY=VALUE, --unset KEY or --clear".into(),
        ));
    }
    let mut patch = UserMetadata::new();
    for pair in &a.set {
        let Some((k, v)) = pair.split_once('=').filter(|(k, _)| !k.trim().is_empty()) else {
            return Err(CliError::Usage(format!(
                "--set {}: expected KEY=VALUE",
                sanitize::line(pair, 80)
            )));
        };
        patch.insert(k.trim(), MetadataValue::parse(v.trim()));
    }
    for key in &a.unset {
        patch.insert(key.trim(), MetadataValue::Null);
    }
    let mut writer = a.json.then(|| JsonWriter::new(io::stdout().lock(), false));
    let mut failures = Vec::new();
    for id in &a.ids {
        match client.patch_user_metadata(id, &patch).await {
            Ok(()) => match writer.as_mut() {
                Some(w) => w.push(&serde_json::json!({ "id": id, "user_metadata": patch }))?,
                None => println!(
                    "{}: {}",
                    sanitize::line(id, 80),
                    sanitize::line(&tl::chips(Some(&patch)).join(" "), 1000)
                ),
            },
            Err(e) => failures.push(format!("{}: {e}", sanitize::line(id, 80))),
        }
    }
    if let Some(w) = writer {
        w.finish()?;
    }
    super::edit::fail_if_any(failures, a.ids.len())
}
