//! `list`, `get` and `search`: reading assets, printed as a table or as
//! the server's JSON.

use std::io::{self, Write};

use futures_util::StreamExt;

use super::args::{GetArgs, ListArgs, ListFilters, SearchArgs};
use super::context::Context;
use super::output::{self, Sink};
use super::render;
use super::CliError;
use crate::api::image_ref;
use crate::api::params::{ListAssetsQuery, SearchImages, SearchRequest};

/// The list endpoint's query for the filters `list` and `sync` share.
pub(super) fn list_query(f: ListFilters) -> ListAssetsQuery {
    ListAssetsQuery {
        author_id: f.author,
        collection_id: f.collection,
        created_after: f.created_after,
        created_before: f.created_before,
        inference_id: f.inference,
        model_id: f.model,
        parent_asset_id: f.parent,
        root_asset_id: f.root,
        privacy: f.privacy,
        tags: f.tags,
        types: f.types,
        ..ListAssetsQuery::default()
    }
}

pub async fn list(ctx: &Context, a: ListArgs) -> Result<(), CliError> {
    let mut query = ListAssetsQuery {
        page_size: a.page_size,
        sort_by: a.sort,
        sort_direction: a.order,
        ..list_query(a.filters)
    };
    query.apply_sort_rule().map_err(CliError::Usage)?;
    let max = a.limit.max();
    if query.page_size.is_none() && max < 100 {
        // ask for no more than is needed
        query.page_size = Some(u32::try_from(max.max(1)).unwrap_or(50));
    }
    let mut sink = Sink::new(a.output.json, a.output.jsonl, render::asset_table());
    let mut seen = 0u64;
    let mut pages = ctx.scenario("this command")?.list_assets(query);
    let mut cut = false;
    let mut failed = None;
    'pages: while seen < max {
        let page = match pages.next().await {
            None => break,
            Some(Ok(page)) => page,
            Some(Err(e)) => {
                failed = Some(e);
                break;
            }
        };
        let more = page
            .next_pagination_token
            .as_deref()
            .is_some_and(|t| !t.is_empty());
        let n = page.assets.len();
        for (i, asset) in page.assets.into_iter().enumerate() {
            sink.push_asset(&asset, || render::asset_row(&asset))?;
            seen += 1;
            if seen == max {
                cut = more || i + 1 < n;
                break 'pages;
            }
        }
    }
    // what was listed is printed (a JSON array is closed) before any error
    sink.finish("assets", failed.is_some())?;
    a.limit.check_cut(cut, "assets")?;
    end_of_pages(failed)
}

/// How a walk of pages ended: a cycle is a warning (everything the server
/// offers was listed); any other error fails the command.
fn end_of_pages(failed: Option<crate::api::ApiError>) -> Result<(), CliError> {
    match failed {
        None => Ok(()),
        Some(e @ crate::api::ApiError::RepeatedToken { .. }) => {
            eprintln!("assetui: warning: {}", output::error_line(&e.to_string()));
            Ok(())
        }
        Some(e) => Err(e.into()),
    }
}

pub async fn get(ctx: &Context, a: GetArgs) -> Result<(), CliError> {
    if let [id] = a.ids.as_slice() {
        let asset = ctx.scenario("this command")?.get_asset(id).await?;
        if a.json {
            match output::asset_json(&asset) {
                Some(broken) => output::print_json(&broken)?,
                None => output::print_json(&asset)?,
            }
        } else {
            io::stdout()
                .lock()
                .write_all(render::asset_detail(&asset).as_bytes())?;
        }
        return Ok(());
    }
    let assets = ctx.scenario("this command")?.get_assets(&a.ids).await?;
    if a.json {
        let shown: Vec<serde_json::Value> = assets
            .iter()
            .map(|a| output::asset_json(a).unwrap_or_else(|| serde_json::json!(a)))
            .collect();
        output::print_json(&shown)?;
    } else {
        let mut out = io::stdout().lock();
        for (i, asset) in assets.iter().enumerate() {
            if i > 0 {
                out.write_all(b"\n")?;
            }
            out.write_all(render::asset_detail(asset).as_bytes())?;
        }
    }
    let missing: Vec<&String> = a
        .ids
        .iter()
        .filter(|id| !assets.iter().any(|x| &x.id == *id))
        .collect();
    if !missing.is_empty() {
        let shown: Vec<String> = missing
            .iter()
            .map(|s| crate::sanitize::line(s, 80))
            .collect();
        return Err(CliError::Failed(format!("not found: {}", shown.join(", "))));
    }
    Ok(())
}

pub async fn search(ctx: &Context, a: SearchArgs) -> Result<(), CliError> {
    let refs = ImageRefs {
        image: a.image,
        like: a.like,
        unlike: a.unlike,
    };
    let refs = tokio::task::spawn_blocking(move || refs.resolve())
        .await
        .map_err(|e| CliError::Failed(format!("image reference: {e}")))??;
    let images = (!refs.like.is_empty() || !refs.unlike.is_empty()).then_some(SearchImages {
        like: refs.like,
        unlike: refs.unlike,
    });
    let max = a.limit.max();
    let hits_per_page = u32::try_from(max.clamp(1, 100)).unwrap_or(100);
    let request = SearchRequest {
        query: a.query.filter(|q| !q.is_empty()),
        filter: a.filter,
        image: refs.image,
        images,
        image_semantic_ratio: a.image_ratio,
        query_semantic_ratio: a.semantic_ratio,
        sort_by: a.sort,
        public: a.public.then_some(true),
        hits_per_page: Some(hits_per_page),
        ..SearchRequest::default()
    };
    request.validate().map_err(CliError::Usage)?;
    let table = !a.output.json && !a.output.jsonl;
    let mut sink = Sink::new(a.output.json, a.output.jsonl, render::asset_table());
    let mut seen = 0u64;
    let mut pages = ctx.scenario("this command")?.search(request);
    let mut failed = None;
    let mut cut = false;
    let mut page_no = 1u32;
    'pages: while seen < max {
        let page = match pages.next().await {
            None => break,
            Some(Ok(page)) => page,
            Some(Err(e)) => {
                failed = Some(e);
                break;
            }
        };
        // the stream pages the same way: whether it has more to give
        let more = crate::api::search::next_paging(
            crate::api::params::SearchPaging::Page {
                page: page_no,
                hits_per_page,
            },
            &page,
        )
        .is_some();
        page_no = page_no.saturating_add(1);
        let mut hits = page.hits;
        if table {
            fill_gaps(ctx, &mut hits).await;
        }
        let n = hits.len();
        for (i, hit) in hits.into_iter().enumerate() {
            sink.push_asset(&hit, || render::asset_row(&hit))?;
            seen += 1;
            if seen == max {
                cut = more || i + 1 < n;
                break 'pages;
            }
        }
    }
    sink.finish("matching assets", failed.is_some())?;
    a.limit.check_cut(cut, "matching assets")?;
    end_of_pages(failed)
}

/// Search hits may lack `kind`, `properties` and `status` (the live
/// service leaves them out): for the table's columns, hits that say
/// neither their kind nor their size anywhere are completed from
/// get-bulk. `--json` prints the hits as the service sent them. A failed
/// lookup leaves the gaps (logged).
async fn fill_gaps(ctx: &Context, hits: &mut [crate::api::models::Asset]) {
    let ids: Vec<String> = hits
        .iter()
        .filter(|h| h.kind().is_none() || h.file_size().is_none())
        .map(|h| h.id.clone())
        .collect();
    if ids.is_empty() {
        return;
    }
    let Ok(client) = ctx.scenario("search") else {
        return;
    };
    match client.get_assets(&ids).await {
        Ok(full) => {
            for hit in hits.iter_mut() {
                if let Some(f) = full.iter().find(|f| f.id == hit.id) {
                    hit.kind = hit.kind.take().or_else(|| f.kind.clone());
                    hit.properties = hit.properties.take().or_else(|| f.properties.clone());
                    hit.status = hit.status.take().or_else(|| f.status.clone());
                    hit.metadata = hit.metadata.take().or_else(|| f.metadata.clone());
                }
            }
        }
        Err(e) => tracing::debug!("search hits left as they are: {e}"),
    }
}

/// Image references as typed, resolved off the async runtime (files are
/// read, decoded and scaled).
struct ImageRefs {
    image: Option<String>,
    like: Vec<String>,
    unlike: Vec<String>,
}

impl ImageRefs {
    fn resolve(self) -> Result<ImageRefs, CliError> {
        let one = |r: String| image_ref::resolve(&r).map_err(CliError::from);
        Ok(ImageRefs {
            image: self.image.map(one).transpose()?,
            like: self.like.into_iter().map(one).collect::<Result<_, _>>()?,
            unlike: self.unlike.into_iter().map(one).collect::<Result<_, _>>()?,
        })
    }
}
