//! Search (`POST /search`, `GET /search/{page_token}`) over the clips of an
//! index's ready assets. Text ranks clips by their words (clip
//! description, file name, asset description) through the keyword index
//! (`crate::text`); an image query ranks clips by the cosine of the pixel
//! embedding of each clip's picture (`crate::embed`) with the query's;
//! both together add the two. Ranks run 1..n over the whole result set; a
//! search's pages are kept (at most [`MAX_SEARCHES`]) behind opaque
//! path-safe tokens until `page_expires_at`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::assets::fetch_own_link;
use super::clock::rfc3339;
use super::errors::{TlError, TlResult};
use super::files;
use super::library::{AssetRec, ClipKey, IndexedRec, Library, Media, INDEXED_DONE};
use super::multipart;
use super::params::{parse_bool, Params, MAX_PAGE_LIMIT};
use super::state::TlState;
use crate::embed::{self, Embedding};
use crate::library::FileRef;

/// Searches whose pages are kept; older ones expire early.
pub const MAX_SEARCHES: usize = 256;

#[derive(Debug, Clone)]
struct Hit {
    indexed_id: String,
    asset_id: String,
    clip: u16,
    start: f64,
    end: f64,
}

struct Stored {
    hits: Vec<Hit>,
    /// With `group_by=video`: the hits of each video, best video first.
    groups: Option<Vec<Vec<usize>>>,
    page_limit: usize,
    include_user_metadata: bool,
    expires_ms: i64,
    pool: Value,
}

#[derive(Default)]
pub struct Searches {
    map: HashMap<String, Stored>,
    order: VecDeque<String>,
}

impl Searches {
    fn insert(&mut self, id: String, s: Stored) {
        while self.order.len() >= MAX_SEARCHES {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
        self.order.push_back(id.clone());
        self.map.insert(id, s);
    }
}

fn expired() -> TlError {
    TlError::new(
        StatusCode::BAD_REQUEST,
        "search_page_token_expired",
        "The page token has expired or is not valid: run the search again.",
    )
}

/// `POST /v1.3/search`.
pub async fn search(
    State(state): State<Arc<TlState>>,
    headers: HeaderMap,
    body: Bytes,
) -> TlResult<Json<Value>> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let parts = multipart::parse(ct, body).map_err(TlError::invalid)?;
    let text = |k: &str| multipart::text(&parts, k).map(|s| s.trim().to_string());
    let index_id = text("index_id")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| TlError::missing("index_id"))?;
    let options = multipart::texts(&parts, "search_options");
    if options.is_empty() {
        return Err(TlError::missing("search_options"));
    }
    for o in &options {
        if !matches!(o.trim(), "visual" | "audio" | "transcription") {
            return Err(TlError::new(
                StatusCode::BAD_REQUEST,
                "search_option_not_supported",
                format!(
                    "`search_options` must be visual, audio or transcription, not `{}`.",
                    assetui_api::sanitize::line(o, 40)
                ),
            ));
        }
    }
    let query_text = text("query_text").filter(|s| !s.is_empty());
    let urls: Vec<String> = multipart::texts(&parts, "query_media_url")
        .into_iter()
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .collect();
    let mut files: Vec<Bytes> = parts
        .iter()
        .filter(|p| p.name == "query_media_file")
        .map(|p| p.data.clone())
        .collect();
    let media = !urls.is_empty() || !files.is_empty();
    match text("query_media_type").as_deref() {
        Some("image") => {}
        Some(other) => {
            return Err(TlError::invalid(format!(
                "`query_media_type` must be image, not `{}`.",
                assetui_api::sanitize::line(other, 40)
            )))
        }
        None if media => return Err(TlError::missing("query_media_type")),
        None => {}
    }
    if query_text.is_none() && !media {
        return Err(TlError::missing("query_text"));
    }
    if urls.len() + files.len() > 10 {
        return Err(TlError::invalid("At most 10 query images."));
    }
    let group_by_video = match text("group_by").as_deref() {
        None | Some("clip") => false,
        Some("video") => true,
        Some(_) => return Err(TlError::invalid("`group_by` must be clip or video.")),
    };
    let and = match text("operator").as_deref() {
        None | Some("or") => false,
        Some("and") => true,
        Some(_) => return Err(TlError::invalid("`operator` must be or or and.")),
    };
    let page_limit = match text("page_limit") {
        None => 10,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PAGE_LIMIT).contains(n))
            .ok_or_else(|| TlError::invalid("`page_limit` must be 1 to 50."))?,
    };
    let include_user_metadata = text("include_user_metadata")
        .map(|v| parse_bool("include_user_metadata", &v))
        .transpose()?
        .unwrap_or(false);
    let filter = match text("filter").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(parse_filter(&s)?),
    };
    if !state.read_lib()?.indexes.contains_key(&index_id) {
        return Err(TlError::invalid(format!(
            "The index `{}` does not exist.",
            assetui_api::sanitize::line(&index_id, 60)
        )));
    }
    // the query images: the URLs take precedence over files
    if !urls.is_empty() {
        files.clear();
        for u in &urls {
            files.push(fetch_own_link(&state, u).await?.0);
        }
    }
    let queries: Vec<Embedding> = if files.is_empty() {
        Vec::new()
    } else {
        let embedded = tokio::task::spawn_blocking(move || {
            files
                .iter()
                .map(|b| embed::embed_bytes(b))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|e| TlError::internal(e.to_string()))?;
        let q = embedded
            .map_err(|e| TlError::invalid(format!("The query image cannot be used: {e}")))?;
        ensure_embeddings(&state).await;
        q
    };
    let st = state.clone();
    let ix = index_id.clone();
    let (hits, pool) = tokio::task::spawn_blocking(move || {
        let lib = st.read_lib()?;
        Ok::<_, TlError>(rank(
            &st,
            &lib,
            &ix,
            query_text.as_deref(),
            and,
            &queries,
            filter.as_ref(),
        ))
    })
    .await
    .map_err(|e| TlError::internal(e.to_string()))??;
    let groups = group_by_video.then(|| group(&hits));
    let now = state.clock.now_ms();
    let stored = Stored {
        hits,
        groups,
        page_limit,
        include_user_metadata,
        expires_ms: now + state.config.search_ttl.as_millis() as i64,
        pool,
    };
    let id = state.new_token();
    let answer = page(&state, &id, &stored, 1, include_user_metadata, false)?;
    state
        .searches
        .lock()
        .map_err(|_| TlError::internal("searches lock poisoned"))?
        .insert(id, stored);
    Ok(Json(answer))
}

/// `GET /v1.3/search/{page_token}`.
pub async fn next_page(
    State(state): State<Arc<TlState>>,
    Path(token): Path<String>,
    RawQuery(q): RawQuery,
) -> TlResult<Json<Value>> {
    let include = Params::parse(q.as_deref()).bool("include_user_metadata")?;
    let (id, n) = token.rsplit_once('-').ok_or_else(expired)?;
    let n: usize = n.parse().map_err(|_| expired())?;
    let now = state.clock.now_ms();
    let searches = state
        .searches
        .lock()
        .map_err(|_| TlError::internal("searches lock poisoned"))?;
    let stored = searches.map.get(id).ok_or_else(expired)?;
    if now >= stored.expires_ms || n < 1 || n > pages(stored).max(1) {
        return Err(expired());
    }
    let include = include.unwrap_or(stored.include_user_metadata);
    page(&state, id, stored, n, include, true).map(Json)
}

fn pages(s: &Stored) -> usize {
    let items = s.groups.as_ref().map_or(s.hits.len(), Vec::len);
    items.div_ceil(s.page_limit)
}

/// Page `n` of a stored search.
fn page(
    state: &TlState,
    id: &str,
    s: &Stored,
    n: usize,
    include_user_metadata: bool,
    with_prev: bool,
) -> TlResult<Value> {
    let lib = state.read_lib()?;
    let metadata = |h: &Hit| -> Option<Value> {
        if !include_user_metadata {
            return None;
        }
        let ia = lib.indexed.get(&h.indexed_id);
        let a = lib.assets.get(&h.asset_id);
        ia.and_then(|r| r.user_metadata.as_ref())
            .or(a.and_then(|a| a.user_metadata.as_ref()))
            .map(|m| Value::Object(m.clone()))
    };
    let clip = |i: usize| -> Value {
        let h = &s.hits[i];
        let mut o = Map::new();
        o.insert("video_id".into(), h.indexed_id.clone().into());
        o.insert("start".into(), h.start.into());
        o.insert("end".into(), h.end.into());
        o.insert("rank".into(), (i + 1).into());
        if lib.assets.contains_key(&h.asset_id) {
            o.insert(
                "thumbnail_url".into(),
                files::link(state, &h.asset_id, &format!("clips/{}", h.clip)).into(),
            );
        }
        if let Some(m) = metadata(h) {
            o.insert("user_metadata".into(), m);
        }
        Value::Object(o)
    };
    let skip = (n - 1) * s.page_limit;
    let data: Vec<Value> = match &s.groups {
        None => (skip..s.hits.len().min(skip + s.page_limit))
            .map(clip)
            .collect(),
        Some(groups) => groups
            .iter()
            .skip(skip)
            .take(s.page_limit)
            .map(|g| {
                let first = &s.hits[g[0]];
                let mut o = Map::new();
                o.insert("id".into(), first.indexed_id.clone().into());
                if let Some(m) = metadata(first) {
                    o.insert("user_metadata".into(), m);
                }
                o.insert(
                    "clips".into(),
                    Value::Array(g.iter().map(|&i| clip(i)).collect()),
                );
                Value::Object(o)
            })
            .collect(),
    };
    let mut info = Map::new();
    info.insert("limit_per_page".into(), s.page_limit.into());
    info.insert(
        "total_results".into(),
        s.groups.as_ref().map_or(s.hits.len(), Vec::len).into(),
    );
    if s.groups.is_some() {
        info.insert("total_inner_matches".into(), s.hits.len().into());
    }
    info.insert("page_expires_at".into(), rfc3339(s.expires_ms).into());
    if n < pages(s) {
        info.insert("next_page_token".into(), format!("{id}-{}", n + 1).into());
    }
    if with_prev && n > 1 {
        info.insert("prev_page_token".into(), format!("{id}-{}", n - 1).into());
    }
    Ok(json!({"data": data, "page_info": info, "search_pool": s.pool}))
}

/// Hits grouped by video, in the order of each video's best hit.
fn group(hits: &[Hit]) -> Vec<Vec<usize>> {
    let mut at: HashMap<&str, usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, h) in hits.iter().enumerate() {
        match at.get(h.indexed_id.as_str()) {
            Some(&g) => groups[g].push(i),
            None => {
                at.insert(&h.indexed_id, groups.len());
                groups.push(vec![i]);
            }
        }
    }
    groups
}

/// The ranked clips and the search pool. Blocking.
fn rank(
    state: &TlState,
    lib: &Library,
    index_id: &str,
    text: Option<&str>,
    and: bool,
    queries: &[Embedding],
    filter: Option<&Map<String, Value>>,
) -> (Vec<Hit>, Value) {
    let now = state.clock.now_ms();
    let mut pool_count = 0u64;
    let mut pool_duration = 0.0;
    // asset id -> indexed asset, for the index's ready members
    let mut members: HashMap<&str, &IndexedRec> = HashMap::new();
    for r in lib.members(index_id) {
        if r.progress
            .at(now, &state.config.processing, INDEXED_DONE)
            .stage
            < INDEXED_DONE
        {
            continue;
        }
        let Some(a) = lib.assets.get(&r.asset_id) else {
            continue;
        };
        pool_count += 1;
        pool_duration += a.duration.unwrap_or(0.0);
        if filter.is_none_or(|f| filter_ok(f, r, a)) {
            members.insert(&r.asset_id, r);
        }
    }
    let pool = json!({
        "total_count": pool_count,
        "total_duration": pool_duration,
        "index_id": index_id,
    });
    let image_score = |key: &ClipKey| -> f32 {
        match lib.embeddings.get(key) {
            Some(e) if !queries.is_empty() => {
                queries.iter().map(|q| q.dot(e)).sum::<f32>() / queries.len() as f32
            }
            _ => 0.0,
        }
    };
    let mut scored: Vec<(f32, ClipKey)> = Vec::new();
    match text {
        Some(t) => {
            let words = {
                let mut w: Vec<String> = crate::text::tokenize(t);
                w.dedup();
                let unique: HashSet<String> = w.into_iter().collect();
                unique.len().clamp(1, crate::text::MAX_QUERY_WORDS)
            };
            let all_words = (words as f32 - 1.0) / words as f32 - 1e-4;
            for (doc, score) in lib.text.search(t) {
                if and && score < all_words {
                    continue;
                }
                let Some(key) = lib.doc(doc) else { continue };
                if members.contains_key(key.0.as_str()) {
                    scored.push((score + image_score(key), key.clone()));
                }
            }
        }
        None => {
            for asset_id in members.keys() {
                if let Some(a) = lib.assets.get(*asset_id) {
                    for i in 0..a.search_clips().len() {
                        let key = (a.id.clone(), i as u16);
                        scored.push((image_score(&key), key));
                    }
                }
            }
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let hits = scored
        .into_iter()
        .filter_map(|(_, (asset_id, clip))| {
            let a = lib.assets.get(&asset_id)?;
            let c = a.search_clips().get(usize::from(clip))?.clone();
            Some(Hit {
                indexed_id: members.get(asset_id.as_str())?.id.clone(),
                asset_id,
                clip,
                start: c.start,
                end: c.end,
            })
        })
        .collect();
    (hits, pool)
}

fn filter_invalid(message: impl Into<String>) -> TlError {
    TlError::new(StatusCode::BAD_REQUEST, "search_filter_invalid", message)
}

/// A `filter` string, checked: a JSON object whose values are strings,
/// numbers, booleans, `{gte, lte}` ranges, or (for `id`) arrays of ids.
fn parse_filter(s: &str) -> TlResult<Map<String, Value>> {
    let v: Value = serde_json::from_str(s)
        .map_err(|e| filter_invalid(format!("`filter` is not valid JSON: {e}")))?;
    let Value::Object(m) = v else {
        return Err(filter_invalid("`filter` must be a JSON object."));
    };
    for (k, v) in &m {
        let ok = match (k.as_str(), v) {
            ("id", Value::Array(a)) => a.iter().all(Value::is_string),
            ("id", _) => false,
            (_, Value::Object(r)) => {
                !r.is_empty()
                    && r.iter()
                        .all(|(b, x)| matches!(b.as_str(), "gte" | "lte") && x.is_number())
            }
            (_, Value::String(_) | Value::Number(_) | Value::Bool(_)) => true,
            _ => false,
        };
        if !ok {
            return Err(filter_invalid(format!(
                "`filter.{}` has a value of the wrong form.",
                assetui_api::sanitize::line(k, 60)
            )));
        }
    }
    Ok(m)
}

fn filter_ok(f: &Map<String, Value>, r: &IndexedRec, a: &AssetRec) -> bool {
    let num = |v: &Value, x: Option<f64>| -> bool {
        let Some(x) = x else { return false };
        match v {
            Value::Number(n) => n.as_f64().is_some_and(|n| (n - x).abs() < 1e-9),
            Value::Object(r) => {
                r.get("gte").and_then(Value::as_f64).is_none_or(|g| x >= g)
                    && r.get("lte").and_then(Value::as_f64).is_none_or(|l| x <= l)
            }
            _ => false,
        }
    };
    let md = r.user_metadata.as_ref().or(a.user_metadata.as_ref());
    f.iter().all(|(k, v)| match k.as_str() {
        "id" => v
            .as_array()
            .is_some_and(|ids| ids.iter().any(|i| i.as_str() == Some(r.id.as_str()))),
        "duration" => num(v, a.duration),
        "width" => num(v, a.width.map(f64::from)),
        "height" => num(v, a.height.map(f64::from)),
        "size" => num(v, Some(a.size as f64)),
        "filename" => v.as_str() == Some(a.filename.as_str()),
        key => match md.and_then(|m| m.get(key)) {
            None => false,
            Some(Value::Number(n)) => num(v, n.as_f64()),
            Some(x) => x == v,
        },
    })
}

/// Computes every missing clip embedding off the async threads;
/// concurrent callers wait for the run in progress.
pub async fn ensure_embeddings(state: &Arc<TlState>) {
    let _guard = state.embedding_lock.lock().await;
    let todo: Vec<(ClipKey, AssetRec)> = match state.lib.read() {
        Ok(lib) => lib
            .assets
            .values()
            .flat_map(|a| {
                (0..a.search_clips().len())
                    .map(|i| (a.id.clone(), i as u16))
                    .filter(|k| !lib.embeddings.contains_key(k))
                    .map(|k| (k, a.clone()))
                    .collect::<Vec<_>>()
            })
            .collect(),
        Err(_) => return,
    };
    if todo.is_empty() {
        return;
    }
    let st = state.clone();
    let done = tokio::task::spawn_blocking(move || {
        todo.into_iter()
            .map(|(key, rec)| {
                let e = match &rec.media {
                    Media::Synthetic {
                        seed,
                        family,
                        width,
                        height,
                    } => crate::embeddings::compute(
                        &FileRef::Synthetic {
                            seed: *seed,
                            family: *family,
                            width: *width,
                            height: *height,
                        },
                        "image/jpeg",
                        "image",
                    ),
                    _ => files::clip_thumbnail(&st, &rec, usize::from(key.1))
                        .and_then(|r| embed::embed_bytes(&r.bytes).ok())
                        .unwrap_or_else(|| embed::embed(&image::DynamicImage::new_rgb8(8, 8))),
                };
                (key, e)
            })
            .collect::<Vec<_>>()
    })
    .await;
    let Ok(done) = done else { return };
    if let Ok(mut lib) = state.lib.write() {
        for (key, e) in done {
            if lib.assets.contains_key(&key.0) {
                lib.embeddings.insert(key, e);
            }
        }
    }
}
