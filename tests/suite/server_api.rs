//! The demo server through the project's own client: every endpoint, with
//! its error cases, behaving as the documented API does.

use std::collections::HashSet;
use std::time::Duration;

use assetui::api::params::*;
use assetui::api::{ApiError, Client, ClientOptions};
use assetui::server::{self, ServerConfig};
use futures_util::StreamExt;

use crate::support::get_bytes;

async fn demo() -> (server::Running, Client) {
    demo_with(ServerConfig::default()).await
}

async fn demo_with(config: ServerConfig) -> (server::Running, Client) {
    let running = server::start(config).await.expect("server starts");
    let client = Client::new(ClientOptions::new(running.base_url.clone())).unwrap();
    (running, client)
}

async fn all_ids(client: &Client, query: ListAssetsQuery) -> Vec<String> {
    let mut ids = Vec::new();
    let mut pages = client.list_assets(query);
    while let Some(page) = pages.next().await {
        ids.extend(page.unwrap().assets.into_iter().map(|a| a.id));
    }
    ids
}

fn manifest() -> assetui::server::manifest::Manifest {
    assetui::server::manifest::embedded().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_library_is_real() {
    let m = manifest();
    assert!(m.assets.len() >= 60, "{} assets", m.assets.len());
    let kinds: HashSet<&str> = m.assets.iter().map(|a| a.kind.as_str()).collect();
    assert!(
        kinds.contains("image") && kinds.contains("3d") && kinds.contains("audio"),
        "{kinds:?}"
    );
    let families: HashSet<&str> = m
        .assets
        .iter()
        .filter_map(|a| a.family.as_deref())
        .collect();
    assert!(families.len() >= 10, "{families:?}");
    assert!(
        m.assets.iter().any(|a| a.metadata.parent_id.is_some()),
        "lineage"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn list_pages_through_everything_once_newest_first() {
    let (srv, client) = demo().await;
    let total = srv.state.lib.read().unwrap().len();
    let q = ListAssetsQuery {
        page_size: Some(7),
        ..Default::default()
    };
    let ids = all_ids(&client, q).await;
    assert_eq!(ids.len(), total);
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        total,
        "no duplicates"
    );
    let page = client
        .list_assets_page(&ListAssetsQuery::default())
        .await
        .unwrap();
    assert_eq!(page.assets.len(), 50, "default page size");
    let dates: Vec<&str> = page
        .assets
        .iter()
        .map(|a| a.created_at.as_deref().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
}

#[tokio::test(flavor = "multi_thread")]
async fn list_filters_select_exactly_what_they_name() {
    let (_srv, client) = demo().await;
    let m = manifest();
    let pick = |f: &dyn Fn(&assetui::server::manifest::ManifestAsset) -> bool| -> HashSet<String> {
        m.assets
            .iter()
            .filter(|a| f(a))
            .map(|a| a.id.clone())
            .collect()
    };
    let got = |q: ListAssetsQuery| {
        let client = client.clone();
        async move {
            all_ids(&client, q)
                .await
                .into_iter()
                .collect::<HashSet<String>>()
        }
    };
    let some = &m.assets[3];
    let ty = some.metadata.asset_type.as_ref().unwrap().to_string();
    assert_eq!(
        got(ListAssetsQuery {
            types: vec![ty.clone()],
            ..Default::default()
        })
        .await,
        pick(&|a| a.metadata.asset_type.as_ref().map(|t| t.to_string()) == Some(ty.clone()))
    );
    assert_eq!(
        got(ListAssetsQuery {
            types: vec![ty.clone(), "uploaded".into()],
            ..Default::default()
        })
        .await,
        pick(&|a| {
            let t = a.metadata.asset_type.as_ref().map(|t| t.to_string());
            t == Some(ty.clone()) || t.as_deref() == Some("uploaded")
        })
    );
    assert_eq!(
        got(ListAssetsQuery {
            author_id: Some(some.author_id.clone()),
            ..Default::default()
        })
        .await,
        pick(&|a| a.author_id == some.author_id)
    );
    let coll = m.collections[0].id.clone();
    let in_coll = pick(&|a| a.collection_ids.contains(&coll));
    assert!(!in_coll.is_empty());
    assert_eq!(
        got(ListAssetsQuery {
            collection_id: Some(coll.clone()),
            ..Default::default()
        })
        .await,
        in_coll
    );
    let child = m
        .assets
        .iter()
        .find(|a| a.metadata.parent_id.is_some())
        .unwrap();
    let parent = child.metadata.parent_id.clone().unwrap();
    assert_eq!(
        got(ListAssetsQuery {
            parent_asset_id: Some(parent.clone()),
            ..Default::default()
        })
        .await,
        pick(&|a| a.metadata.parent_id.as_ref() == Some(&parent))
    );
    let root = child.metadata.root_parent_id.clone().unwrap();
    assert_eq!(
        got(ListAssetsQuery {
            root_asset_id: Some(root.clone()),
            ..Default::default()
        })
        .await,
        pick(&|a| a.metadata.root_parent_id.as_ref() == Some(&root))
    );
    let model = m
        .assets
        .iter()
        .find_map(|a| a.metadata.model_id.clone())
        .unwrap();
    assert_eq!(
        got(ListAssetsQuery {
            model_id: Some(model.clone()),
            ..Default::default()
        })
        .await,
        pick(&|a| a.metadata.model_id.as_ref() == Some(&model))
    );
    assert_eq!(
        got(ListAssetsQuery {
            privacy: Some("public".into()),
            ..Default::default()
        })
        .await,
        pick(&|a| a.privacy == "public")
    );
    let mid = {
        let mut dates: Vec<&str> = m.assets.iter().map(|a| a.created_at.as_str()).collect();
        dates.sort();
        dates[dates.len() / 2].to_string()
    };
    let mut q = ListAssetsQuery {
        created_after: Some(mid.clone()),
        ..Default::default()
    };
    q.apply_sort_rule().unwrap();
    assert_eq!(
        got(q).await,
        pick(&|a| a.created_at.as_str() > mid.as_str())
    );
}

async fn rejected(client: &Client, q: ListAssetsQuery) -> String {
    match client.list_assets_page(&q).await {
        Err(ApiError::Rejected {
            status: 400,
            message,
            ..
        }) => message.unwrap_or_default(),
        other => panic!("expected a 400, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn list_rejects_what_the_api_rejects() {
    let (_srv, client) = demo().await;
    assert!(rejected(
        &client,
        ListAssetsQuery {
            page_size: Some(0),
            ..Default::default()
        }
    )
    .await
    .contains("pageSize"));
    assert!(rejected(
        &client,
        ListAssetsQuery {
            page_size: Some(101),
            ..Default::default()
        }
    )
    .await
    .contains("pageSize"));
    let msg = rejected(
        &client,
        ListAssetsQuery {
            created_after: Some("2025-01-01".into()),
            ..Default::default()
        },
    )
    .await;
    assert!(msg.contains("sortBy"), "{msg}");
    // days that do not exist are refused with the reason; a leap day is a day
    for (bound, day) in [
        ("createdAfter", "2026-02-31"),
        ("createdBefore", "2025-02-29"),
    ] {
        let mut q = ListAssetsQuery::default();
        if bound == "createdAfter" {
            q.created_after = Some(day.into());
        } else {
            q.created_before = Some(day.into());
        }
        q.apply_sort_rule().unwrap();
        let msg = rejected(&client, q).await;
        assert!(
            msg.starts_with(&format!(
                "{bound} must be a valid ISO 8601 date string: `{day}`"
            )) && msg.contains("has 28 days"),
            "{msg}"
        );
    }
    let mut q = ListAssetsQuery {
        created_after: Some("2024-02-29".into()),
        ..Default::default()
    };
    q.apply_sort_rule().unwrap();
    assert!(client.list_assets_page(&q).await.is_ok());
    let msg = rejected(
        &client,
        ListAssetsQuery {
            pagination_token: Some("garbage".into()),
            ..Default::default()
        },
    )
    .await;
    assert!(msg.contains("paginationToken"), "{msg}");
    let msg = rejected(
        &client,
        ListAssetsQuery {
            types: vec!["hologram".into()],
            ..Default::default()
        },
    )
    .await;
    assert!(msg.contains("type"), "{msg}");
}

#[tokio::test(flavor = "multi_thread")]
async fn retrieve_bulk_and_not_found() {
    let (_srv, client) = demo().await;
    let m = manifest();
    let a = client.get_asset(&m.assets[0].id).await.unwrap();
    assert_eq!(a.id, m.assets[0].id);
    assert_eq!(a.prompt(), m.assets[0].metadata.prompt.as_deref());
    assert!(a.url.as_deref().unwrap().contains("signature="));
    match client.get_asset("asset_doesnotexist").await {
        Err(ApiError::NotFound { .. }) => {}
        other => panic!("{other:?}"),
    }
    let ids = vec![
        m.assets[2].id.clone(),
        "asset_missing".into(),
        m.assets[1].id.clone(),
    ];
    let got: Vec<String> = client
        .get_assets(&ids)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(got, [m.assets[2].id.clone(), m.assets[1].id.clone()]);
}

#[tokio::test(flavor = "multi_thread")]
async fn tags_change_and_strict_errors() {
    let (_srv, client) = demo().await;
    let id = manifest().assets[0].id.clone();
    let add = UpdateTagsRequest {
        add: vec!["zz-new".into()],
        ..Default::default()
    };
    assert_eq!(
        client.update_tags(&id, &add).await.unwrap().added,
        ["zz-new"]
    );
    assert!(client
        .get_asset(&id)
        .await
        .unwrap()
        .tags()
        .contains(&"zz-new".to_string()));
    // idempotent without strict, an error with it
    assert!(client
        .update_tags(&id, &add)
        .await
        .unwrap()
        .added
        .is_empty());
    let strict = UpdateTagsRequest {
        strict: Some(true),
        ..add.clone()
    };
    assert!(matches!(
        client.update_tags(&id, &strict).await,
        Err(ApiError::Rejected { status: 400, .. })
    ));
    let tags = client.all_tags().await.unwrap();
    let t = tags
        .iter()
        .find(|t| t.tag_name.as_deref() == Some("zz-new"))
        .unwrap();
    assert_eq!(t.item_count.as_ref().unwrap().as_u64(), Some(1));
    let del = UpdateTagsRequest {
        delete: vec!["zz-new".into()],
        strict: Some(true),
        ..Default::default()
    };
    assert_eq!(
        client.update_tags(&id, &del).await.unwrap().deleted,
        ["zz-new"]
    );
    assert!(matches!(
        client.update_tags(&id, &del).await,
        Err(ApiError::Rejected { status: 400, .. })
    ));
    assert!(matches!(
        client.update_tags("asset_nope", &add).await,
        Err(ApiError::NotFound { .. })
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn collections_and_membership() {
    let (_srv, client) = demo().await;
    let cols = client.all_collections().await.unwrap();
    assert!(cols.len() >= 3);
    let c = &cols[0];
    let id = c.id.clone().unwrap();
    let before = c.asset_count.as_ref().unwrap().as_u64().unwrap();
    let outsider = manifest()
        .assets
        .iter()
        .find(|a| !a.collection_ids.contains(&id))
        .unwrap()
        .id
        .clone();
    client
        .add_to_collection(&id, std::slice::from_ref(&outsider))
        .await
        .unwrap();
    let after = client.all_collections().await.unwrap();
    let c2 = after.iter().find(|x| x.id.as_deref() == Some(&id)).unwrap();
    assert_eq!(
        c2.asset_count.as_ref().unwrap().as_u64().unwrap(),
        before + 1
    );
    let listed = all_ids(
        &client,
        ListAssetsQuery {
            collection_id: Some(id.clone()),
            ..Default::default()
        },
    )
    .await;
    assert!(listed.contains(&outsider));
    client
        .remove_from_collection(&id, std::slice::from_ref(&outsider))
        .await
        .unwrap();
    let listed = all_ids(
        &client,
        ListAssetsQuery {
            collection_id: Some(id.clone()),
            ..Default::default()
        },
    )
    .await;
    assert!(!listed.contains(&outsider));
    assert!(matches!(
        client.add_to_collection("coll_nope", &[outsider]).await,
        Err(ApiError::NotFound { .. })
    ));
}

fn png_file(dir: &std::path::Path, w: u32, h: u32) -> std::path::PathBuf {
    let path = dir.join("upload.png");
    image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    })
    .save(&path)
    .unwrap();
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_delete_and_files() {
    let (_srv, client) = demo().await;
    let dir = tempfile::tempdir().unwrap();
    let path = png_file(dir.path(), 640, 480);
    let mut req =
        assetui::api::assets::upload_request_from_file(&path, Some("My upload".into())).unwrap();
    let parent = manifest().assets[0].id.clone();
    req.parent_id = Some(parent.clone());
    let asset = client.upload(&req).await.unwrap();
    assert_eq!(asset.asset_type().map(|t| t.as_str()), Some("uploaded"));
    assert_eq!((asset.width(), asset.height()), (Some(640), Some(480)));
    assert_eq!(asset.parent_id(), Some(parent.as_str()));
    // newest first: the upload leads the list
    let first = client
        .list_assets_page(&ListAssetsQuery::default())
        .await
        .unwrap();
    assert_eq!(first.assets[0].id, asset.id);
    // the original is byte-identical, the renditions are bounded
    let http = reqwest::Client::new();
    let original = get_bytes(&http, asset.url.as_deref().unwrap()).await;
    assert_eq!(
        original.as_slice(),
        std::fs::read(&path).unwrap().as_slice()
    );
    let thumb = http
        .get(asset.thumbnail_url().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let t = image::load_from_memory(&thumb).unwrap();
    assert!(
        t.width() <= 256 && t.height() <= 256 && t.width() == 256,
        "{}x{}",
        t.width(),
        t.height()
    );
    // not an image
    let bad = assetui::api::params::UploadRequest {
        name: "x".into(),
        image: Some("data:image/png;base64,aGVsbG8=".into()),
        ..Default::default()
    };
    assert!(matches!(
        client.upload(&bad).await,
        Err(ApiError::Rejected { status: 400, .. })
    ));
    // delete
    assert_eq!(
        client
            .delete_assets(std::slice::from_ref(&asset.id))
            .await
            .unwrap(),
        1
    );
    assert!(matches!(
        client.get_asset(&asset.id).await,
        Err(ApiError::NotFound { .. })
    ));
}

/// An image converted to `format` (`image/FORMAT`), an ISOBMFF file of
/// brand `brand`: its bytes.
async fn still_image(
    client: &Client,
    http: &reqwest::Client,
    id: &str,
    format: &str,
    brand: &[u8; 4],
) -> Vec<u8> {
    let link = client.download_link(id, Some(format)).await.unwrap();
    let response = http.get(link).send().await.unwrap();
    assert_eq!(
        response.headers()["content-type"],
        format!("image/{format}")
    );
    let bytes = response.bytes().await.unwrap().to_vec();
    assert_eq!(&bytes[4..8], b"ftyp");
    assert_eq!(&bytes[8..12], brand, "{format}");
    bytes
}

/// The width and height in an ISOBMFF image's `ispe` box.
fn ispe(bytes: &[u8]) -> (u32, u32) {
    let at = bytes.windows(4).position(|w| w == b"ispe").unwrap() + 8;
    let side = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (side(at), side(at + 4))
}

#[tokio::test(flavor = "multi_thread")]
async fn previews_and_format_conversion() {
    let (_srv, client) = demo().await;
    let m = manifest();
    let big = m
        .assets
        .iter()
        .find(|a| {
            a.kind == "image"
                && a.metadata
                    .width
                    .as_ref()
                    .and_then(|w| w.as_u64())
                    .unwrap_or(0)
                    > 1024
        })
        .or_else(|| m.assets.iter().find(|a| a.kind == "image"))
        .unwrap();
    let asset = client.get_asset(&big.id).await.unwrap();
    let http = reqwest::Client::new();
    let preview = http
        .get(asset.preview_url().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let p = image::load_from_memory(&preview).unwrap();
    assert!(p.width() <= 1024 && p.height() <= 1024);
    for (format, expected) in [
        ("png", image::ImageFormat::Png),
        ("webp", image::ImageFormat::WebP),
        ("jpeg", image::ImageFormat::Jpeg),
        ("tiff", image::ImageFormat::Tiff),
        ("gif", image::ImageFormat::Gif),
    ] {
        let link = client.download_link(&big.id, Some(format)).await.unwrap();
        let bytes = http.get(link).send().await.unwrap().bytes().await.unwrap();
        assert_eq!(image::guess_format(&bytes).unwrap(), expected, "{format}");
    }
    let original =
        image::load_from_memory(&get_bytes(&http, asset.url.as_deref().unwrap()).await).unwrap();
    // heif: an HEVC image item whose size is the picture's (even)
    let heif = still_image(&client, &http, &big.id, "heif", b"heic").await;
    assert_eq!(
        ispe(&heif),
        (
            original.width().next_multiple_of(2),
            original.height().next_multiple_of(2)
        )
    );
    assert!(heif.windows(4).any(|w| w == b"hvcC"));
    // avif: an AV1 image item (its codec configuration, its data) whose
    // size is the picture's
    let avif = still_image(&client, &http, &big.id, "avif", b"avif").await;
    assert_eq!(ispe(&avif), (original.width(), original.height()));
    assert!(avif.windows(4).any(|w| w == b"av1C"));
    let mdat = avif.windows(4).position(|w| w == b"mdat").unwrap();
    let mdat_len = u32::from_be_bytes(avif[mdat - 4..mdat].try_into().unwrap()) as usize;
    assert!(mdat_len > 1000, "{mdat_len} bytes of AV1 data");
    // svg (documented): a vector file that holds the picture
    let link = client.download_link(&big.id, Some("svg")).await.unwrap();
    let svg = http.get(link).send().await.unwrap().text().await.unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("data:image/png;base64,"),
        "{}",
        &svg[..80.min(svg.len())]
    );
    // bmp is not a documented targetFormat: refused as the API refuses it
    match client.download_link(&big.id, Some("bmp")).await {
        Err(ApiError::Rejected {
            status: 400,
            message,
            ..
        }) => assert!(message.unwrap().contains("not a format")),
        other => panic!("{other:?}"),
    }
    let audio = m.assets.iter().find(|a| a.kind == "audio").unwrap();
    match client.download_link(&audio.id, Some("mp3")).await {
        Err(ApiError::Rejected {
            status: 400,
            message,
            ..
        }) => assert!(message.unwrap().contains("an audio asset"), "grammar"),
        other => panic!("{other:?}"),
    }
    let wav = http
        .get(client.download_link(&audio.id, None).await.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(wav.status(), 200);
    assert!(wav.bytes().await.unwrap().starts_with(b"RIFF"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_3d_model_converts_to_every_documented_format() {
    let (_srv, client) = demo().await;
    let rock = manifest()
        .assets
        .into_iter()
        .find(|a| a.kind == "3d")
        .unwrap();
    let http = reqwest::Client::new();
    let fetch = |format: Option<&'static str>| {
        let (client, http, id) = (&client, &http, rock.id.clone());
        async move {
            let link = client.download_link(&id, format).await.unwrap();
            let r = http.get(link).send().await.unwrap();
            assert_eq!(r.status(), 200, "{format:?}");
            let mime = r.headers()["content-type"].to_str().unwrap().to_string();
            (mime, r.bytes().await.unwrap())
        }
    };
    let (mime, glb) = fetch(Some("glb")).await;
    assert_eq!(mime, "model/gltf-binary");
    assert!(glb.starts_with(b"glTF"));
    // obj: every vertex and triangle of the rock, 1-based indices in range
    let (mime, obj) = fetch(Some("obj")).await;
    assert_eq!(mime, "model/obj");
    let obj = String::from_utf8(obj.to_vec()).unwrap();
    let vertices = obj.lines().filter(|l| l.starts_with("v ")).count();
    let faces: Vec<&str> = obj.lines().filter(|l| l.starts_with("f ")).collect();
    assert_eq!((vertices, faces.len()), (960, 320));
    for f in &faces {
        for corner in f.split_whitespace().skip(1) {
            let v: usize = corner.split('/').next().unwrap().parse().unwrap();
            assert!((1..=vertices).contains(&v), "{f}");
        }
    }
    // fbx: binary 7.4, every node record's end inside the file, the footer
    let (mime, fbx) = fetch(Some("fbx")).await;
    assert_eq!(mime, "application/vnd.autodesk.fbx");
    assert!(fbx.starts_with(b"Kaydara FBX Binary  \0\x1a\0"));
    assert_eq!(u32::from_le_bytes(fbx[23..27].try_into().unwrap()), 7400);
    let mut at = 27;
    let mut names = Vec::new();
    loop {
        let end = u32::from_le_bytes(fbx[at..at + 4].try_into().unwrap()) as usize;
        if end == 0 {
            break;
        }
        assert!(end > at && end < fbx.len());
        let len = fbx[at + 12] as usize;
        names.push(String::from_utf8(fbx[at + 13..at + 13 + len].to_vec()).unwrap());
        at = end;
    }
    for required in [
        "FBXHeaderExtension",
        "GlobalSettings",
        "Objects",
        "Connections",
    ] {
        assert!(
            names.iter().any(|n| n == required),
            "{required} in {names:?}"
        );
    }
    assert!(fbx.ends_with(&[
        0xf8, 0x5a, 0x8c, 0x6a, 0xde, 0xf5, 0xd9, 0x7e, 0xec, 0xe9, 0x0c, 0xe3, 0x75, 0x8f, 0x29,
        0x0b
    ]));
    // an image format is not a model format
    for format in ["bmp", "png", "avif"] {
        match client.download_link(&rock.id, Some(format)).await {
            Err(ApiError::Rejected {
                status: 400,
                message,
                ..
            }) => {
                let message = message.unwrap();
                assert!(message.contains("glb, obj or fbx, not"), "{message}");
            }
            other => panic!("{format}: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_links_expire_and_resist_tampering() {
    let (_srv, client) = demo_with(ServerConfig {
        url_ttl: Duration::ZERO,
        ..Default::default()
    })
    .await;
    let id = manifest().assets[0].id.clone();
    let a = client.get_asset(&id).await.unwrap();
    let http = reqwest::Client::new();
    let expired = http.get(a.url.clone().unwrap()).send().await.unwrap();
    assert_eq!(expired.status(), 403);
    let body: serde_json::Value = expired.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("expired"));

    let (_srv, client) = demo().await;
    let a = client.get_asset(&id).await.unwrap();
    let url = a.url.unwrap();
    assert_eq!(http.get(&url).send().await.unwrap().status(), 200);
    let tampered = url.replace("/original?", "/preview?");
    assert_eq!(http.get(&tampered).send().await.unwrap().status(), 403);
    let later = url.replace("expires=", "expires=9");
    assert_eq!(http.get(&later).send().await.unwrap().status(), 403);
}

#[tokio::test(flavor = "multi_thread")]
async fn files_support_head_range_etag() {
    let (_srv, client) = demo().await;
    let a = client.get_asset(&manifest().assets[0].id).await.unwrap();
    let url = a.url.unwrap();
    let http = reqwest::Client::new();
    let full = http.get(&url).send().await.unwrap();
    let etag = full.headers()["etag"].to_str().unwrap().to_string();
    let last_modified = full.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(full.headers()["accept-ranges"], "bytes");
    let bytes = full.bytes().await.unwrap();
    let head = http.head(&url).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(
        head.headers()["content-length"].to_str().unwrap(),
        bytes.len().to_string()
    );
    let part = http
        .get(&url)
        .header("range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()["content-range"].to_str().unwrap(),
        format!("bytes 10-19/{}", bytes.len())
    );
    assert_eq!(part.bytes().await.unwrap(), bytes.slice(10..20));
    let resumed = http
        .get(&url)
        .header("range", "bytes=10-")
        .header("if-range", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resumed.status(), 206);
    let resumed = http
        .get(&url)
        .header("range", "bytes=10-")
        .header("if-range", &last_modified)
        .send()
        .await
        .unwrap();
    assert_eq!(resumed.status(), 206);
    let changed = http
        .get(&url)
        .header("range", "bytes=10-")
        .header("if-range", "\"other\"")
        .send()
        .await
        .unwrap();
    assert_eq!(
        changed.status(),
        200,
        "a changed validator gets the whole file"
    );
    let beyond = http
        .get(&url)
        .header("range", format!("bytes={}-", bytes.len()))
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), 416);
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_download_job_ends_with_a_named_zip() {
    let (_srv, client) = demo().await;
    let m = manifest();
    let ids: Vec<String> = m
        .assets
        .iter()
        .filter(|a| a.kind == "image")
        .take(3)
        .map(|a| a.id.clone())
        .collect();
    for (flat, template) in [
        (false, "<prompt>/<seed>-<id>"),
        (true, "<generator>-<num>-<id>"),
    ] {
        let job = client
            .request_batch_download(&BatchDownloadRequest {
                options: Some(BatchDownloadOptions {
                    file_name_template: template.into(),
                    flat: Some(flat),
                }),
                query: BatchDownloadQuery {
                    asset_ids: ids.clone(),
                    ..Default::default()
                },
            })
            .await
            .unwrap();
        let mut states = Vec::new();
        let url = loop {
            let s = client.batch_download_status(&job).await.unwrap();
            if states.last() != Some(&s.job_status) {
                states.push(s.job_status.clone());
            }
            if let Some(u) = s.download_url {
                break u;
            }
            // pending queued warming-up in-progress finalizing success
            assert!(states.len() < 7 && s.job_status != "failure", "{states:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(
            states.first().map(String::as_str),
            Some("pending"),
            "{states:?}"
        );
        assert_eq!(states.last().map(String::as_str), Some("success"));
        let zip = reqwest::get(url).await.unwrap().bytes().await.unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
        assert_eq!(archive.len(), 3);
        for i in 0..archive.len() {
            let name = archive.by_index(i).unwrap().name().to_string();
            let id = ids
                .iter()
                .find(|id| name.contains(id.as_str()))
                .expect("each entry names its asset");
            let asset = m.assets.iter().find(|a| &a.id == id).unwrap();
            if flat {
                assert!(!name.contains('/'), "{name}");
            } else {
                let seed = asset.metadata.seed.as_ref().unwrap().to_string();
                assert!(name.contains(&format!("/{seed}-{id}")), "{name}");
                assert!(
                    name.matches('/').count() >= 2,
                    "grouped and templated: {name}"
                );
            }
        }
    }
    // options without a template is refused
    let raw = reqwest::Client::new()
        .post(format!("{}/assets/download", _srv_url(&client)))
        .json(&serde_json::json!({"options": {"flat": true}, "query": {"assetIds": ids}}))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
}

fn _srv_url(client: &Client) -> String {
    client.base_url()
}

/// Uploads are bounded: a few at once (the next is answered 429 before its
/// body is read), and a quota of stored bytes (413).
#[tokio::test(flavor = "multi_thread")]
async fn uploads_are_bounded_at_once_and_in_bytes() {
    use tokio::io::AsyncWriteExt;
    let (srv, client) = demo().await;
    let base = srv.base_url.clone();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let host = base
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .to_string();
    // two uploads that send their headers and a little of their body, then
    // nothing: each holds a place
    let mut held = Vec::new();
    for _ in 0..assetui::server::MAX_UPLOADS_AT_ONCE {
        let mut conn = tokio::net::TcpStream::connect(&host).await.unwrap();
        let head = format!(
            "POST /v1/assets HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
             Content-Length: 1000000\r\n\r\n{{\"name\": \"slow\", \"image\": \""
        );
        conn.write_all(head.as_bytes()).await.unwrap();
        conn.flush().await.unwrap();
        held.push(conn);
    }
    let in_flight = |n: usize| {
        let http = http.clone();
        let url = format!("{base}/_demo/uploads?inFlight={n}");
        async move {
            let v: serde_json::Value = http.get(url).send().await.unwrap().json().await.unwrap();
            v["inFlight"].as_u64().unwrap() as usize
        }
    };
    let n = assetui::server::MAX_UPLOADS_AT_ONCE;
    assert_eq!(in_flight(n).await, n);
    let dir = tempfile::tempdir().unwrap();
    let path = png_file(dir.path(), 64, 48);
    let req = assetui::api::assets::upload_request_from_file(&path, Some("third".into())).unwrap();
    let third = http
        .post(format!("{base}/assets"))
        .json(&req)
        .send()
        .await
        .unwrap();
    assert_eq!(third.status(), 429);
    assert!(third.headers().contains_key("retry-after"));
    let body: serde_json::Value = third.json().await.unwrap();
    assert_eq!(body["statusCode"], 429);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("at most 2 at a time"),
        "{body}"
    );
    // the held uploads go away: their places come back
    drop(held);
    assert_eq!(in_flight(0).await, 0);
    let first = client.upload(&req).await.unwrap();
    assert_eq!(first.width(), Some(64));

    // the quota: what is stored plus the new file
    let size = std::fs::metadata(&path).unwrap().len();
    srv.state
        .uploads
        .quota
        .store(size * 2 + size / 2, std::sync::atomic::Ordering::Relaxed);
    client.upload(&req).await.unwrap();
    let over = http
        .post(format!("{base}/assets"))
        .json(&req)
        .send()
        .await
        .unwrap();
    assert_eq!(over.status(), 413);
    let body: serde_json::Value = over.json().await.unwrap();
    assert_eq!(body["statusCode"], 413);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("upload quota is full"),
        "{body}"
    );
}
