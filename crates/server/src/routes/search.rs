//! `POST /search/assets`: keyword relevance (prefix, typos), the
//! Meilisearch filter syntax, image similarity by `image` or
//! `images.like`/`unlike`, hybrid ratios, `sortBy`, and both paging forms.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use super::present;
use crate::created_keys::CreatedRange;
use crate::embed::{self, Embedding};
use crate::embeddings;
use crate::filter;
use crate::http::{HttpError, HttpResult};
use crate::library::Record;
use crate::state::AppState;

/// Attributes a filter may use.
pub const FILTERABLE: &[&str] = &[
    "id",
    "kind",
    "type",
    "tags",
    "privacy",
    "authorId",
    "ownerId",
    "modelId",
    "modelType",
    "inferenceId",
    "parentId",
    "rootParentId",
    "width",
    "height",
    "aspectRatio",
    "createdAt",
    "updatedAt",
    "collectionIds",
    "mimeType",
    "isHidden",
    "seed",
    "name",
    "status",
];
/// Filterable timestamps: their date literals must be real days.
const DATE_ATTRIBUTES: &[&str] = &["createdAt", "updatedAt"];
/// Attributes results may be sorted by.
pub const SORTABLE: &[&str] = &["createdAt", "updatedAt", "width", "height", "name", "id"];
const DEFAULT_HITS: usize = 20;
/// Most condition checks one search may cost (conditions × assets): about
/// a second of CPU; 50 conditions at 100 000 assets, the parser's limit of
/// 1 024 up to ~4 900 assets.
pub const MAX_FILTER_CHECKS: usize = 5_000_000;
const MAX_HITS: usize = 1000;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SearchBody {
    query: Option<String>,
    filter: Option<Value>,
    image: Option<String>,
    images: Option<Images>,
    image_semantic_ratio: Option<f64>,
    query_semantic_ratio: Option<f64>,
    #[serde(default)]
    sort_by: Vec<String>,
    #[serde(rename = "public")]
    public: Option<bool>,
    page: Option<usize>,
    hits_per_page: Option<usize>,
    offset: Option<usize>,
    limit: Option<usize>,
}

#[derive(Deserialize, Default)]
pub struct Images {
    #[serde(default)]
    like: Vec<String>,
    #[serde(default)]
    unlike: Vec<String>,
}

pub async fn search(
    State(state): State<Arc<AppState>>,
    Json(body): Json<SearchBody>,
) -> HttpResult<Response> {
    let query = body.query.clone().filter(|q| !q.trim().is_empty());
    let images = body.images.unwrap_or_default();
    let has_images = !images.like.is_empty() || !images.unlike.is_empty();
    let filter_given = body
        .filter
        .as_ref()
        .is_some_and(|f| !matches!(f, Value::Null) && f != "");
    if query.is_none() && !filter_given && body.image.is_none() && !has_images {
        return Err(HttpError::bad_request(
            "At least one of the following fields must have a value: query, filter, image, images",
        ));
    }
    if body.image.is_some() && has_images {
        return Err(HttpError::bad_request(
            "image and images are mutually exclusive",
        ));
    }
    let page_form = body.page.is_some() || body.hits_per_page.is_some();
    let offset_form = body.offset.is_some() || body.limit.is_some();
    if page_form && offset_form {
        return Err(HttpError::bad_request(
            "page and hitsPerPage cannot be used together with offset and limit",
        ));
    }
    for (name, r) in [
        ("imageSemanticRatio", body.image_semantic_ratio),
        ("querySemanticRatio", body.query_semantic_ratio),
    ] {
        if r.is_some_and(|r| !(0.0..=1.0).contains(&r)) {
            return Err(HttpError::bad_request(format!(
                "{name} must be between 0 and 1"
            )));
        }
    }
    let mut filter = match body.filter.as_ref().filter(|_| filter_given) {
        None => None,
        Some(Value::String(s)) => Some(filter::parse(s)),
        Some(v) => Some(filter::parse_value(v)),
    }
    .transpose()
    .map_err(|e| HttpError::bad_request(e.to_string()))?;
    if let Some(f) = &mut filter {
        filter::check_attributes(f, FILTERABLE)
            .map_err(|e| HttpError::bad_request(e.to_string()))?;
        filter::check_dates(f, DATE_ATTRIBUTES)
            .map_err(|e| HttpError::bad_request(e.to_string()))?;
    }
    let sort = parse_sort(&body.sort_by)?;

    // image references: ids or data URLs
    let image_mode = body.image.is_some() || has_images;
    // a similarity search waits for the missing embeddings when they are
    // few (a small library at start, new uploads: under a second); while
    // a large library is still being embedded it answers at once from
    // what is embedded, and says so
    let mut partial = false;
    let (likes, unlikes) = if image_mode {
        if embeddings::missing(&state) <= embeddings::WAIT_FOR_AT_MOST {
            embeddings::ensure(&state).await;
        } else {
            partial = true;
            embeddings::start(&state);
        }
        let like_refs: Vec<String> = body.image.iter().cloned().chain(images.like).collect();
        let likes = resolve_refs(&state, &like_refs).await?;
        let unlikes = resolve_refs(&state, &images.unlike).await?;
        (likes, unlikes)
    } else {
        (Vec::new(), Vec::new())
    };

    // the CPU work (filter, scores, ordering, presenting) runs off the async
    // threads, on the library shared through the state's Arc
    let answer = tokio::task::spawn_blocking(move || -> HttpResult<(Value, Option<String>)> {
        state.search_hold.pass();
        let lib = state.read_lib()?;
        if let Some(f) = &filter {
            check_cost(f.conditions(), lib.len())?;
        }
        let text_scores: Option<HashMap<u32, f32>> = query
            .as_ref()
            .map(|q| lib.text_search(q).into_iter().collect());
        let q_ratio = body.query_semantic_ratio.unwrap_or(0.0) as f32;
        let i_ratio = body
            .image_semantic_ratio
            .unwrap_or(if query.is_some() { 0.5 } else { 1.0 }) as f32;
        let query_grams = query.as_deref().map(trigrams);

        // a filter that requires a keyword (`kind = image`, `tags IN
        // [..]`) reads only the records holding it, and checks on each
        // only what the keyword postings did not answer
        let plan = filter.as_ref().map(|f| lib.keywords().plan(f));
        let (slots, rest) = match plan {
            Some(p) => (p.slots, p.rest),
            None => (None, None),
        };
        // and the ranges on `createdAt` are checked from the library's
        // packed keys, the record read only on a tie
        let (created_range, rest) = CreatedRange::split(rest);
        let rest = rest.as_ref();
        let slots: Box<dyn Iterator<Item = u32>> = match slots.as_deref() {
            Some(slots) => Box::new(slots.iter().copied()),
            None => Box::new(lib.live_slots()),
        };
        let public = body.public == Some(true);
        // the record itself is read only where the filter or the text
        // score needs it: a similarity search reads packed flags and
        // embeddings, in slot order
        let mut hits: Vec<(f32, u32)> = Vec::new();
        for slot in slots {
            if !lib.is_searchable(slot, public) {
                continue;
            }
            let embedding = if image_mode {
                let Some(e) = lib.embedding(slot) else {
                    continue;
                };
                Some(e)
            } else {
                None
            };
            if !created_range.is_empty() {
                let in_range = created_range
                    .check(&lib.created_key(slot))
                    .unwrap_or_else(|| lib.by_slot(slot).is_some_and(|r| created_range.matches(r)));
                if !in_range {
                    continue;
                }
            }
            if let Some(f) = rest {
                if !lib.by_slot(slot).is_some_and(|r| f.matches(r)) {
                    continue;
                }
            }
            let text = match (&text_scores, &query_grams) {
                (Some(scores), Some(grams)) => {
                    let keyword = scores.get(&slot).copied().unwrap_or(0.0);
                    let semantic = if q_ratio > 0.0 {
                        lib.by_slot(slot).map_or(0.0, |r| semantic_score(grams, r))
                    } else {
                        0.0
                    };
                    let blended = (1.0 - q_ratio) * keyword + q_ratio * semantic;
                    if keyword <= 0.0 && semantic < 0.35 {
                        None
                    } else {
                        Some(blended)
                    }
                }
                _ => None,
            };
            let score = if let Some(e) = embedding {
                let image = embed::like_unlike_score(e, &likes, &unlikes);
                match (query.is_some(), text) {
                    (true, Some(t)) => i_ratio * image + (1.0 - i_ratio) * t,
                    (true, None) if i_ratio < 1.0 => continue,
                    _ => image,
                }
            } else if query.is_some() {
                match text {
                    Some(t) => t,
                    None => continue,
                }
            } else {
                0.0
            };
            hits.push((score, slot));
        }
        let embedded = partial.then(|| {
            let n = lib.len() - lib.unembedded().count();
            format!("{n} of {} assets", lib.len())
        });
        let ranked_by_relevance = image_mode || query.is_some();
        let total = hits.len();
        let (offset, limit, page, per_page) = if page_form {
            let per_page = body.hits_per_page.unwrap_or(DEFAULT_HITS).min(MAX_HITS);
            let page = body.page.unwrap_or(1).max(1);
            ((page - 1) * per_page, per_page, page, per_page)
        } else {
            let limit = body.limit.unwrap_or(DEFAULT_HITS).min(MAX_HITS);
            let offset = body.offset.unwrap_or(0);
            (
                offset,
                limit,
                offset.checked_div(limit).map_or(1, |p| p + 1),
                limit,
            )
        };
        // every slot in the hits holds a record (the read lock is held)
        let record = |slot: u32| lib.by_slot(slot).expect("a hit's slot holds a record");
        let order = |a: &(f32, u32), b: &(f32, u32)| {
            for (field, desc) in &sort {
                let ord = if field == "createdAt" {
                    lib.cmp_created(a.1, b.1)
                } else {
                    compare_field(record(a.1), record(b.1), field)
                };
                let ord = if *desc { ord.reverse() } else { ord };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            if ranked_by_relevance {
                b.0.partial_cmp(&a.0).unwrap_or(Ordering::Equal)
            } else {
                lib.cmp_created(b.1, a.1)
            }
            .then_with(|| record(a.1).asset.id.cmp(&record(b.1).asset.id))
        };
        // only the requested window needs ordering: select it, then sort it
        let needed = offset.saturating_add(limit);
        if needed > 0 && needed < hits.len() {
            hits.select_nth_unstable_by(needed - 1, order);
            hits.truncate(needed);
        }
        hits.sort_by(order);

        let shown: Vec<Value> = hits
            .iter()
            .skip(offset)
            .take(limit)
            .map(|&(score, slot)| {
                let r = record(slot);
                let mut v = serde_json::to_value(present(&state, r)).unwrap_or(Value::Null);
                // hits as the live service returns them: without the
                // top-level `kind`, `properties` and `status` (the
                // metadata still says the kind, size and dimensions)
                if let Some(hit) = v.as_object_mut() {
                    for key in ["kind", "properties", "status"] {
                        hit.remove(key);
                    }
                }
                v["score"] = json!((f64::from(score) * 10_000.0).round() / 10_000.0);
                v["teamId"] = json!(lib.team_id);
                v
            })
            .collect();
        let total_pages = if per_page == 0 {
            0
        } else {
            total.div_ceil(per_page)
        };
        let answer = json!({
            "hits": shown,
            "offset": offset,
            "limit": limit,
            "estimatedTotalHits": total,
            "page": page,
            "hitsPerPage": per_page,
            "totalHits": total,
            "totalPages": total_pages,
        });
        Ok((answer, embedded))
    })
    .await
    .map_err(|e| HttpError::internal(format!("the search failed: {e}")))??;
    let (answer, embedded) = answer;
    let mut response = Json(answer).into_response();
    if let Some(v) = embedded.and_then(|e| HeaderValue::from_str(&e).ok()) {
        response.headers_mut().insert(PARTIAL_HEADER, v);
    }
    Ok(response)
}

/// On a similarity search answered while the embeddings are still being
/// computed: how many assets it could rank (`N of M assets`). Not a header
/// of the live service: only this server computes embeddings at start.
pub const PARTIAL_HEADER: &str = "x-assetui-embedded";

/// Refuses a filter whose conditions, checked against every asset, would
/// cost more than [`MAX_FILTER_CHECKS`] checks.
fn check_cost(conditions: usize, assets: usize) -> HttpResult<()> {
    let checks = conditions.saturating_mul(assets);
    if checks > MAX_FILTER_CHECKS {
        return Err(HttpError::bad_request(format!(
            "the filter is too costly: {conditions} conditions over {assets} assets is more than \
             {MAX_FILTER_CHECKS} checks; use fewer conditions (an `IN [...]` list counts as one)"
        )));
    }
    Ok(())
}

/// `["createdAt:desc", ...]` into (field, descending).
fn parse_sort(sort_by: &[String]) -> HttpResult<Vec<(String, bool)>> {
    sort_by
        .iter()
        .map(|s| {
            let (field, dir) = s.rsplit_once(':').ok_or_else(|| {
                HttpError::bad_request(format!(
                    "sortBy `{}` must be an attribute followed by :asc or :desc",
                    assetui_api::sanitize::line(s, 64)
                ))
            })?;
            if !SORTABLE.contains(&field) {
                return Err(HttpError::bad_request(format!(
                    "attribute `{}` is not sortable. Available sortable attributes are: {}",
                    assetui_api::sanitize::line(field, 64),
                    SORTABLE.join(", ")
                )));
            }
            match dir {
                "asc" => Ok((field.to_string(), false)),
                "desc" => Ok((field.to_string(), true)),
                _ => Err(HttpError::bad_request("sort direction must be asc or desc")),
            }
        })
        .collect()
}

fn compare_field(a: &Record, b: &Record, field: &str) -> Ordering {
    match field {
        "createdAt" => a.created().cmp(b.created()),
        "updatedAt" => a.updated().cmp(b.updated()),
        "width" => a.asset.width().cmp(&b.asset.width()),
        "height" => a.asset.height().cmp(&b.asset.height()),
        "name" => a.asset.name().cmp(&b.asset.name()),
        _ => a.asset.id.cmp(&b.asset.id),
    }
}

/// Embeddings of references: an existing asset id, or a data URL decoded
/// with limits.
async fn resolve_refs(state: &Arc<AppState>, refs: &[String]) -> HttpResult<Vec<Embedding>> {
    let mut out = Vec::new();
    for r in refs {
        if let Some(rest) = r.strip_prefix("data:") {
            let data = rest
                .split_once(";base64,")
                .map(|(_, d)| d.to_string())
                .ok_or_else(|| {
                    HttpError::bad_request("an image reference data URL must be base64")
                })?;
            let e = tokio::task::spawn_blocking(move || {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(data.trim())
                    .map_err(|_| "the data URL is not valid base64".to_string())?;
                embed::embed_bytes(&bytes)
                    .map_err(|e| format!("the reference image cannot be decoded: {e}"))
            })
            .await
            .map_err(|e| HttpError::internal(e.to_string()))?
            .map_err(HttpError::bad_request)?;
            out.push(e);
        } else {
            let id = {
                let lib = state.read_lib()?;
                let rec = lib.get(r).ok_or_else(|| {
                    HttpError::bad_request(format!(
                        "image reference {} is neither an existing AssetId nor a data URL",
                        assetui_api::sanitize::line(r, 80)
                    ))
                })?;
                // the API compares images: another kind of asset is refused
                // rather than compared through its placeholder thumbnail
                if let Some(kind) = rec.asset.kind().map(|k| k.as_str()) {
                    if kind != "image" && kind != "image-hdr" {
                        return Err(HttpError::bad_request(format!(
                            "image reference {} is {} {kind} asset: similarity search is for images",
                            assetui_api::sanitize::line(r, 80),
                            if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                                "an"
                            } else {
                                "a"
                            }
                        )));
                    }
                }
                rec.asset.id.clone()
            };
            let e = embeddings::of_record(state, &id)
                .await
                .ok_or_else(|| HttpError::not_found("the reference asset no longer exists"))?;
            out.push(e);
        }
    }
    Ok(out)
}

/// Character trigrams of lower-cased text, for the "semantic" side of a
/// hybrid text query (overlap in meaning approximated by overlap in form).
fn trigrams(text: &str) -> HashSet<[char; 3]> {
    let chars: Vec<char> = format!("  {}  ", text.to_lowercase()).chars().collect();
    chars.windows(3).map(|w| [w[0], w[1], w[2]]).collect()
}

/// Share of the query's trigrams found in the asset's name, prompt, tags
/// and description.
fn semantic_score(query: &HashSet<[char; 3]>, r: &Record) -> f32 {
    if query.is_empty() {
        return 0.0;
    }
    let a = &r.asset;
    let text = format!(
        "{} {} {} {}",
        a.name().unwrap_or(""),
        a.prompt().unwrap_or(""),
        a.tags().join(" "),
        a.description.as_deref().unwrap_or("")
    );
    let doc = trigrams(&text);
    query.iter().filter(|g| doc.contains(*g)).count() as f32 / query.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::{Condition, Document, Filter};
    use crate::library::Library;

    /// The keyword postings index a chosen part of what a filter may use:
    /// an attribute that is not filterable would be indexed for nothing.
    #[test]
    fn every_indexed_attribute_is_filterable() {
        for a in crate::keywords::KEYWORD_ATTRIBUTES {
            assert!(FILTERABLE.contains(a), "{a}");
        }
    }

    #[test]
    fn a_filter_costing_more_than_the_budget_is_refused() {
        assert!(check_cost(3, 100_000).is_ok());
        assert!(check_cost(1024, 71).is_ok());
        assert!(check_cost(50, 100_000).is_ok());
        let e = match check_cost(51, 100_000) {
            Err(e) => e,
            Ok(()) => panic!("51 conditions over 100 000 assets should be refused"),
        };
        assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST);
        assert!(
            e.message
                .contains("51 conditions over 100000 assets is more than 5000000 checks"),
            "{}",
            e.message
        );
    }

    /// POSTs `body` to the server's search, by hand (`Connection: close`):
    /// the status line, the headers (lowercased) and the JSON answer.
    async fn post_search(base_url: &str, body: &Value) -> (String, String, Value) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let host = base_url
            .trim_start_matches("http://")
            .trim_end_matches("/v1");
        let mut conn = tokio::net::TcpStream::connect(host).await.unwrap();
        let body = body.to_string();
        let request = format!(
            "POST /v1/search/assets HTTP/1.1\r\nhost: {host}\r\ncontent-type: \
             application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        conn.write_all(request.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        conn.read_to_end(&mut raw).await.unwrap();
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, json) = raw.split_once("\r\n\r\n").unwrap();
        let (status, headers) = head.split_once("\r\n").unwrap();
        (
            status.to_string(),
            headers.to_ascii_lowercase(),
            serde_json::from_str(json).unwrap(),
        )
    }

    /// A similarity search that comes while a large library is still being
    /// embedded (more than `WAIT_FOR_AT_MOST` missing) is answered at once
    /// from what is embedded, and says so; the reference asset's own
    /// embedding is computed for it. Once the run is over, the answer
    /// covers every asset again. (A few missing are waited for: the demo
    /// library at start.)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_early_similarity_search_answers_from_what_is_embedded() {
        let s = crate::start(crate::ServerConfig {
            scale: 3000,
            ..Default::default()
        })
        .await
        .unwrap();
        embeddings::ensure(&s.state).await; // the start-up run is over
                                            // a run under way (as at the start of a large library): held here,
                                            // before the embeddings are taken away (a start-up task still to
                                            // come would put them back)
        let run = s.state.embedding_lock.lock().await;
        let cleared = embeddings::WAIT_FOR_AT_MOST + 100;
        let (reference, other) = {
            let mut lib = s.state.lib.write().unwrap();
            let ids: Vec<String> = lib
                .records()
                .filter(|(_, r)| r.asset.kind().map(|k| k.as_str()) == Some("image"))
                .map(|(_, r)| r.asset.id.clone())
                .take(cleared)
                .collect();
            assert_eq!(ids.len(), cleared);
            for id in &ids {
                lib.clear_embedding(id);
            }
            (ids[0].clone(), ids[1].clone())
        };
        let total = s.state.lib.read().unwrap().len();
        let body = json!({"image": reference, "hitsPerPage": 1000, "public": true});
        // a run under way (as at the start of a large library): held here
        let answer = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            post_search(&s.base_url, &body),
        )
        .await
        .expect("answered without waiting for the run");
        let (status, headers, json) = answer;
        assert!(status.contains(" 200 "), "{status}: {json}");
        let said = format!(
            "{PARTIAL_HEADER}: {} of {total} assets",
            total - cleared + 1
        );
        assert!(headers.contains(&said), "{headers}");
        let ids: Vec<&str> = json["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|h| h["id"].as_str())
            .collect();
        assert!(ids.contains(&reference.as_str()), "{ids:?}");
        assert!(!ids.contains(&other.as_str()), "not embedded yet: {ids:?}");
        drop(run);
        // the run over: complete again, without the header
        embeddings::ensure(&s.state).await;
        let (status, headers, json) = post_search(&s.base_url, &body).await;
        assert!(status.contains(" 200 "), "{status}");
        assert!(!headers.contains(PARTIAL_HEADER), "{headers}");
        let ids: Vec<&str> = json["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|h| h["id"].as_str())
            .collect();
        assert!(ids.contains(&other.as_str()), "{ids:?}");
        s.stop().await;
    }

    /// `cargo test -p assetui-server --release bench_in_1000_at_100k -- --ignored --nocapture`:
    /// the CPU of `tags IN [1 000 values]` over 100 000 synthetic assets, as
    /// the search evaluates it (the record seen through `record_view`), with the
    /// list scan the filter used before (each value compared in turn) and
    /// with the set lookup. Figures in BENCHMARKS.md.
    #[test]
    #[ignore = "timing; run with --nocapture"]
    fn bench_in_1000_at_100k() {
        let mut lib = Library::new("owner".into(), "team".into());
        crate::synth::add(&mut lib, 100_000);
        let mut values: Vec<String> = (0..995).map(|i| format!("t{i}")).collect();
        values.extend(["hero", "approved", "draft", "final", "wip"].map(String::from));
        let f = match filter::parse(&format!("tags IN [{}]", values.join(","))) {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        };
        let Filter::Condition {
            op: Condition::In(list),
            ..
        } = &f
        else {
            panic!("one IN condition")
        };
        let equalities: Vec<Condition> = list
            .literals()
            .iter()
            .map(|l| Condition::Equal(l.clone()))
            .collect();
        let as_list = |r: &Record| {
            let v = r.attribute("tags");
            equalities.iter().any(|e| e.eval(v.as_ref()))
        };
        let time = |name: &str, matches: &dyn Fn(&Record) -> bool| {
            let mut counts = Vec::new();
            for run in 0..5 {
                let start = std::time::Instant::now();
                let n = lib.records().filter(|(_, r)| matches(r)).count();
                println!("{name} run {run}: {n} matches in {:?}", start.elapsed());
                counts.push(n);
            }
            counts[0]
        };
        let before = time("list scan", &as_list);
        let after = time("set lookup", &|r: &Record| f.matches(r));
        assert_eq!(before, after);
    }
}
