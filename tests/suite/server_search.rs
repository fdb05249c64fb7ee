//! Search on the demo server: keywords with prefixes and typos, the filter
//! syntax and its errors, image similarity with like/unlike, paging.

use std::collections::HashMap;

use assetui::api::models::Asset;
use assetui::api::params::*;
use assetui::api::{ApiError, Client, ClientOptions};
use assetui::server::{self, ServerConfig};

async fn demo() -> (server::Running, Client) {
    let running = server::start(ServerConfig::default())
        .await
        .expect("server starts");
    let client = Client::new(ClientOptions::new(running.base_url.clone())).unwrap();
    (running, client)
}

fn families() -> HashMap<String, String> {
    assetui::server::manifest::embedded()
        .unwrap()
        .assets
        .into_iter()
        .filter_map(|a| a.family.map(|f| (a.id, f)))
        .collect()
}

async fn hits(client: &Client, req: SearchRequest) -> Vec<Asset> {
    client
        .search_page(&req.with_paging(SearchPaging::Page {
            page: 1,
            hits_per_page: 100,
        }))
        .await
        .unwrap()
        .hits
}

fn text(q: &str) -> SearchRequest {
    SearchRequest {
        query: Some(q.into()),
        ..Default::default()
    }
}

fn mentions(a: &Asset, word: &str) -> bool {
    let hay = format!(
        "{} {} {} {}",
        a.name().unwrap_or(""),
        a.prompt().unwrap_or(""),
        a.tags().join(" "),
        a.description.as_deref().unwrap_or("")
    )
    .to_lowercase();
    hay.contains(word)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_text_query_narrows_to_matching_assets() {
    let (srv, client) = demo().await;
    let total = srv.state.lib.read().unwrap().len();
    let found = hits(&client, text("planet")).await;
    assert!(
        !found.is_empty() && found.len() < total,
        "{} of {total}",
        found.len()
    );
    assert!(found.iter().all(|a| mentions(a, "planet")));
    // prefix and typo tolerance find the same assets
    let prefix = hits(&client, text("plane")).await;
    assert!(found.iter().all(|a| prefix.iter().any(|b| b.id == a.id)));
    let typo = hits(&client, text("plnaet")).await;
    assert_eq!(
        typo.iter().map(|a| &a.id).collect::<Vec<_>>().len(),
        found.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_apply_and_bad_ones_point_at_the_error() {
    let (_srv, client) = demo().await;
    let req = SearchRequest {
        filter: Some("kind = \"image\" AND width >= 1000".into()),
        ..Default::default()
    };
    let found = hits(&client, req).await;
    assert!(!found.is_empty());
    assert!(found
        .iter()
        .all(|a| a.kind().map(|k| k.as_str()) == Some("image") && a.width().unwrap() >= 1000));
    let req = SearchRequest {
        filter: Some("tags IN [hero, approved] AND NOT privacy = public".into()),
        ..Default::default()
    };
    for a in hits(&client, req).await {
        assert!(a.tags().iter().any(|t| t == "hero" || t == "approved"));
        assert_ne!(a.privacy.as_ref().map(|p| p.as_str()), Some("public"));
    }
    let bad = SearchRequest {
        filter: Some("kind = AND tags = x".into()),
        ..Default::default()
    };
    match client.search_page(&bad).await {
        Err(ApiError::Rejected {
            status: 400,
            message,
            ..
        }) => {
            let m = message.unwrap();
            assert!(m.contains("column") || m.contains("position"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    let unknown = SearchRequest {
        filter: Some("colour = red".into()),
        ..Default::default()
    };
    assert!(matches!(
        client.search_page(&unknown).await,
        Err(ApiError::Rejected { status: 400, .. })
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn filter_dates_must_be_real_days() {
    let (_srv, client) = demo().await;
    for filter in [
        "createdAt > 2026-02-31",
        "updatedAt < \"2025-02-29T10:00:00Z\"",
    ] {
        let bad = SearchRequest {
            filter: Some(filter.into()),
            ..Default::default()
        };
        match client.search_page(&bad).await {
            Err(ApiError::Rejected {
                status: 400,
                message,
                ..
            }) => {
                let m = message.unwrap_or_default();
                assert!(
                    m.starts_with("invalid filter at column 1: `") && m.contains("has 28 days"),
                    "{m}"
                );
            }
            other => panic!("{filter}: {other:?}"),
        }
    }
    // the raw answer has the server's error shape
    let raw = reqwest::Client::new()
        .post(format!("{}/search/assets", client.base_url()))
        .json(&serde_json::json!({"filter": "createdAt > 2026-02-31"}))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let body: serde_json::Value = raw.json().await.unwrap();
    assert_eq!(body["statusCode"], 400);
    assert_eq!(body["error"], "Bad Request");
    let leap = SearchRequest {
        filter: Some("createdAt > 2024-02-29".into()),
        ..Default::default()
    };
    assert!(client.search_page(&leap).await.is_ok());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_asset_is_its_own_nearest_neighbour_and_its_family_follows() {
    let (_srv, client) = demo().await;
    let fam = families();
    let mut by_family: HashMap<&str, Vec<&String>> = HashMap::new();
    for (id, f) in &fam {
        by_family.entry(f.as_str()).or_default().push(id);
    }
    let kinds = kinds();
    for (family, members) in &by_family {
        let id = members[0];
        if kinds[id.as_str()] != "image" {
            continue; // refused: see below
        }
        let found = hits(
            &client,
            SearchRequest {
                image: Some(id.clone()),
                ..Default::default()
            },
        )
        .await;
        // self first; an exact twin (same pixels, e.g. a pixelization of
        // pixel art) may tie with it
        let own = found.iter().position(|a| &a.id == id).expect("self found");
        let score = |i: usize| found[i].score.as_ref().and_then(|s| s.as_f64());
        assert!(
            own == 0 || (own == 1 && score(0) == score(1)),
            "{family}: self first, got {} at {own}",
            found[0].id
        );
        // the next results are mostly the same family
        let k = (members.len() - 1).min(4);
        let same = found[1..=k]
            .iter()
            .filter(|a| fam.get(&a.id).map(String::as_str) == Some(family))
            .count();
        assert!(
            same * 4 >= k * 3,
            "{family}: only {same} of the top {k} are its variations"
        );
    }
}

/// Demo asset id → kind.
fn kinds() -> HashMap<String, String> {
    assetui::server::manifest::embedded()
        .unwrap()
        .assets
        .into_iter()
        .map(|a| (a.id, a.kind))
        .collect()
}

/// The API documents similarity for images (`image`, `images.like` and
/// `unlike` take images): an audio, video or 3D asset as the reference
/// is refused with why, not compared through its placeholder thumbnail.
#[tokio::test(flavor = "multi_thread")]
async fn a_reference_that_is_not_an_image_is_refused() {
    let (_srv, client) = demo().await;
    let kinds = kinds();
    let mut refused = 0;
    for (id, kind) in kinds.iter().filter(|(_, k)| *k != "image") {
        for req in [
            SearchRequest {
                image: Some(id.clone()),
                ..Default::default()
            },
            SearchRequest {
                images: Some(SearchImages {
                    like: vec![id.clone()],
                    unlike: vec![],
                }),
                ..Default::default()
            },
        ] {
            match client.search_page(&req).await {
                Err(ApiError::Rejected {
                    status: 400,
                    message,
                    ..
                }) => {
                    let m = message.unwrap_or_default();
                    assert!(
                        m.contains(&format!("{kind} asset: similarity search is for images")),
                        "{m}"
                    );
                    refused += 1;
                }
                other => panic!(
                    "{id} ({kind}) not refused: {:?}",
                    other.map(|r| r.hits.len())
                ),
            }
        }
    }
    assert_eq!(refused, 6, "audio, video and 3D, as image and as like");
}

#[tokio::test(flavor = "multi_thread")]
async fn unlike_pushes_a_family_down() {
    let (_srv, client) = demo().await;
    // in a fixed order: a HashMap's first key was another asset each run,
    // and some pairs left the unliked family no room to move down
    // pictures only: a reference of another kind is refused
    let kinds = kinds();
    let fam: std::collections::BTreeMap<String, String> = families()
        .into_iter()
        .filter(|(id, _)| kinds[id] == "image")
        .collect();
    let (anchor, family) = fam
        .iter()
        .next()
        .map(|(a, f)| (a.clone(), f.clone()))
        .unwrap();
    let ranks_of = |found: &[Asset], fam_name: &str| -> Vec<usize> {
        found
            .iter()
            .enumerate()
            .filter(|(_, a)| fam.get(&a.id).map(String::as_str) == Some(fam_name))
            .map(|(i, _)| i)
            .collect()
    };
    let mean = |r: &[usize]| r.iter().sum::<usize>() as f64 / r.len().max(1) as f64;
    let like = SearchRequest {
        images: Some(SearchImages {
            like: vec![anchor.clone()],
            unlike: vec![],
        }),
        ..Default::default()
    };
    let before = hits(&client, like.clone()).await;
    // the other family ranked highest among the results: the one with the
    // most room to be pushed down
    let other = fam
        .iter()
        .filter(|(_, f)| **f != family)
        .filter(|(_, f)| !ranks_of(&before, f).is_empty())
        .min_by(|(_, a), (_, b)| {
            mean(&ranks_of(&before, a)).total_cmp(&mean(&ranks_of(&before, b)))
        })
        .map(|(a, f)| (a.clone(), f.clone()))
        .expect("another family among the results");
    let with_unlike = SearchRequest {
        images: Some(SearchImages {
            like: vec![anchor],
            unlike: vec![other.0.clone()],
        }),
        ..Default::default()
    };
    let after = hits(&client, with_unlike).await;
    // gone from the results altogether is pushed down too
    let after_ranks = ranks_of(&after, &other.1);
    let after_mean = if after_ranks.is_empty() {
        after.len() as f64
    } else {
        mean(&after_ranks)
    };
    assert!(
        after_mean > mean(&ranks_of(&before, &other.1)),
        "the unliked family {} moved down",
        other.1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_local_image_by_data_url_finds_its_twin() {
    let (_srv, client) = demo().await;
    // every family picture, in a fixed order (a HashMap's first key was a
    // different asset on each run)
    let ids: std::collections::BTreeSet<String> = families().into_keys().collect();
    let mut tried = 0;
    for id in ids {
        let asset = client.get_asset(&id).await.unwrap();
        if !asset
            .mime_type
            .as_deref()
            .is_some_and(|m| m.starts_with("image/"))
        {
            continue; // the sound, the video and the 3D model
        }
        tried += 1;
        let bytes = reqwest::get(asset.url.clone().unwrap())
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let data_url = assetui::api::image_ref::bytes_to_data_url(&bytes).unwrap();
        let found = hits(
            &client,
            SearchRequest {
                image: Some(data_url),
                ..Default::default()
            },
        )
        .await;
        // first, or second behind the one asset that shows the same
        // picture: its upscale (child) or the original it upscales (parent)
        let twin = |a: &Asset| {
            a.parent_id() == Some(id.as_str()) || asset.parent_id() == Some(a.id.as_str())
        };
        assert!(
            found[0].id == id || (found[1].id == id && twin(&found[0])),
            "{id}: {:?}",
            found.iter().take(3).map(|a| &a.id).collect::<Vec<_>>()
        );
    }
    assert!(tried > 40, "{tried} pictures tried");
}

#[tokio::test(flavor = "multi_thread")]
async fn paging_forms_and_their_fields() {
    let (_srv, client) = demo().await;
    let base = SearchRequest {
        filter: Some("kind = image".into()),
        ..Default::default()
    };
    let p1 = client
        .search_page(&base.with_paging(SearchPaging::Page {
            page: 1,
            hits_per_page: 5,
        }))
        .await
        .unwrap();
    let p2 = client
        .search_page(&base.with_paging(SearchPaging::Page {
            page: 2,
            hits_per_page: 5,
        }))
        .await
        .unwrap();
    assert_eq!(p1.hits.len(), 5);
    let total = p1.total_hits.as_ref().unwrap().as_u64().unwrap();
    assert_eq!(
        p1.total_pages.as_ref().unwrap().as_u64().unwrap(),
        total.div_ceil(5)
    );
    assert!(p1.hits.iter().all(|a| p2.hits.iter().all(|b| a.id != b.id)));
    let o = client
        .search_page(&base.with_paging(SearchPaging::Offset {
            offset: 5,
            limit: 5,
        }))
        .await
        .unwrap();
    assert_eq!(
        o.hits.iter().map(|a| &a.id).collect::<Vec<_>>(),
        p2.hits.iter().map(|a| &a.id).collect::<Vec<_>>()
    );
    assert_eq!(
        o.estimated_total_hits.as_ref().unwrap().as_u64(),
        Some(total)
    );
    // the two paging forms cannot be mixed
    let mixed = SearchRequest {
        page: Some(1),
        limit: Some(5),
        ..base.clone()
    };
    assert!(matches!(
        client.search_page(&mixed).await,
        Err(ApiError::Rejected { status: 400, .. })
    ));
    // image and images cannot be mixed (checked by the server too)
    let raw = reqwest::Client::new()
        .post(format!("{}/search/assets", client.base_url()))
        .json(&serde_json::json!({"image": "x", "images": {"like": ["y"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let empty = reqwest::Client::new()
        .post(format!("{}/search/assets", client.base_url()))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 400);
}

#[tokio::test(flavor = "multi_thread")]
async fn sort_by_overrides_relevance() {
    let (_srv, client) = demo().await;
    let req = SearchRequest {
        filter: Some("kind = image".into()),
        sort_by: vec!["createdAt:asc".into()],
        ..Default::default()
    };
    let found = hits(&client, req).await;
    let dates: Vec<&str> = found
        .iter()
        .map(|a| a.created_at.as_deref().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]));
}

fn ids(found: &[Asset]) -> Vec<String> {
    let mut ids: Vec<String> = found.iter().map(|a| a.id.clone()).collect();
    ids.sort();
    ids
}

/// `IN` is a set lookup: a list of 1 000 values answers as the equality it
/// contains, and a list over the limit is refused naming it.
#[tokio::test(flavor = "multi_thread")]
async fn a_huge_in_list_answers_as_its_equalities_and_a_larger_one_is_refused() {
    let (_srv, client) = demo().await;
    let search = |filter: String| SearchRequest {
        filter: Some(filter),
        ..Default::default()
    };
    let mut values: Vec<String> = (0..998).map(|i| format!("t{i}")).collect();
    values.push("HERO".into());
    values.push("approved".into());
    let huge = hits(&client, search(format!("tags IN [{}]", values.join(",")))).await;
    let plain = hits(&client, search("tags = hero OR tags = approved".into())).await;
    assert!(!plain.is_empty());
    assert_eq!(ids(&huge), ids(&plain));
    let none = hits(
        &client,
        search(format!("tags IN [{}]", values[..998].join(","))),
    )
    .await;
    assert!(none.is_empty());

    values.extend((0..25).map(|i| format!("u{i}")));
    let over = search(format!("tags IN [{}]", values.join(",")));
    match client.search_page(&over).await {
        Err(ApiError::Rejected {
            status: 400,
            message,
            ..
        }) => {
            let m = message.unwrap_or_default();
            assert!(m.contains("more than 1024 values"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    let many = search(vec!["a=1"; 1025].join(" OR "));
    match client.search_page(&many).await {
        Err(ApiError::Rejected {
            status: 400,
            message,
            ..
        }) => {
            let m = message.unwrap_or_default();
            assert!(m.contains("1025 conditions; the limit is 1024"), "{m}");
        }
        other => panic!("{other:?}"),
    }
}

/// Searches run off the async threads: with more searches held in their
/// work than the server has async threads, the server still answers.
#[test]
fn other_requests_are_answered_while_searches_work() {
    // the server on a runtime of its own with two async threads; the
    // client on another, so a blocked server cannot block the test
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let srv = server_rt
        .block_on(server::start(ServerConfig::default()))
        .expect("server starts");
    let base = srv.base_url.clone();
    // the API client installs the TLS crypto provider reqwest needs
    let _client = Client::new(ClientOptions::new(base.clone())).unwrap();
    client_rt.block_on(async move {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .unwrap();
        let hold = |on: bool| {
            http.post(format!("{base}/_demo/hold-searches"))
                .json(&serde_json::json!({ "hold": on }))
                .send()
        };
        assert_eq!(hold(true).await.unwrap().status(), 200);
        let searches: Vec<_> = (0..4)
            .map(|_| {
                let req = http
                    .post(format!("{base}/search/assets"))
                    .json(&serde_json::json!({ "filter": "tags IN [hero, approved]" }))
                    .send();
                tokio::spawn(req)
            })
            .collect();
        // all four are inside their work, at the gate
        let held: serde_json::Value = http
            .get(format!("{base}/_demo/hold-searches?waiting=4"))
            .send()
            .await
            .expect("answered while four searches work")
            .json()
            .await
            .unwrap();
        assert_eq!(held["waiting"], 4);
        // a plain request is answered meanwhile
        let list = http
            .get(format!("{base}/assets?pageSize=5"))
            .send()
            .await
            .expect("a list is answered while four searches work");
        assert_eq!(list.status(), 200);
        assert_eq!(hold(false).await.unwrap().status(), 200);
        for s in searches {
            let resp = s.await.unwrap().expect("the search answers once released");
            assert_eq!(resp.status(), 200);
            let body: serde_json::Value = resp.json().await.unwrap();
            assert!(body["totalHits"].as_u64().unwrap() > 0, "{body}");
        }
    });
    drop(srv);
    drop(client_rt);
    drop(server_rt);
}

/// Ranges on `createdAt` (the server checks them from keys it packs per
/// asset, reading the asset only on a tie) find what the same search
/// without them finds, filtered by date here; newest first, or oldest
/// first with `sortBy`. The bounds are the demo's own dates, so the ties
/// are met too.
#[tokio::test(flavor = "multi_thread")]
async fn created_ranges_find_what_filtering_by_date_finds() {
    let (_srv, client) = demo().await;
    let search = |filter: String, sort_by: Vec<String>| {
        let client = client.clone();
        async move {
            let found = hits(
                &client,
                SearchRequest {
                    filter: Some(filter),
                    sort_by,
                    ..Default::default()
                },
            )
            .await;
            found
                .into_iter()
                .map(|a| (a.created_at.clone().unwrap_or_default(), a.id))
                .collect::<Vec<(String, String)>>()
        }
    };
    // every asset a search shows, newest first (`EXISTS` is no range)
    let all = search("createdAt EXISTS".into(), vec![]).await;
    assert!(all.len() > 20, "{}", all.len());
    assert!(all.windows(2).all(|w| w[0].0 >= w[1].0), "newest first");
    let mut dates: Vec<&str> = all.iter().map(|(d, _)| d.as_str()).collect();
    dates.sort();
    let (q1, mid) = (dates[dates.len() / 4], dates[dates.len() / 2]);
    type Keep<'a> = Box<dyn Fn(&str) -> bool + 'a>;
    let ranges: Vec<(String, Keep)> = vec![
        (format!("createdAt > \"{mid}\""), Box::new(move |d| d > mid)),
        (
            format!("createdAt >= \"{mid}\""),
            Box::new(move |d| d >= mid),
        ),
        (format!("createdAt < \"{mid}\""), Box::new(move |d| d < mid)),
        (
            format!("createdAt <= \"{mid}\""),
            Box::new(move |d| d <= mid),
        ),
        (
            format!("createdAt \"{q1}\" TO \"{mid}\""),
            Box::new(move |d| q1 <= d && d <= mid),
        ),
        (
            format!("createdAt > \"{q1}\" AND createdAt < \"{mid}\" AND createdAt EXISTS"),
            Box::new(move |d| q1 < d && d < mid),
        ),
        // a day: rewritten as its first instant
        (
            format!("createdAt >= {}", &mid[..10]),
            Box::new(move |d| d >= &format!("{}T00:00:00.000Z", &mid[..10])[..]),
        ),
    ];
    for (filter, keep) in &ranges {
        let expected: Vec<(String, String)> =
            all.iter().filter(|(d, _)| keep(d)).cloned().collect();
        assert!(
            !expected.is_empty() && expected.len() < all.len(),
            "{filter}"
        );
        assert_eq!(search(filter.clone(), vec![]).await, expected, "{filter}");
        let mut oldest_first = expected.clone();
        oldest_first.sort();
        assert_eq!(
            search(filter.clone(), vec!["createdAt:asc".into()]).await,
            oldest_first,
            "{filter}, oldest first"
        );
    }
}
