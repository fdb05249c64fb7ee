use super::*;

fn asset(id: &str, created: &str, name: &str, tags: &[&str]) -> AssetView {
    serde_json::from_value::<crate::api::models::Asset>(serde_json::json!({
        "id": id,
        "createdAt": created,
        "updatedAt": created,
        "metadata": {"name": name, "prompt": format!("a prompt about {name}")},
        "tags": tags,
        "someFieldNobodyKnows": {"kept": [1, 2.50, "x"]}
    }))
    .unwrap()
    .into()
}

fn stamp(n: usize) -> String {
    format!("2026-01-01T00:{:02}:{:02}.000Z", n / 60, n % 60)
}

fn setup() -> (tempfile::TempDir, Index, i64) {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(&dir.path().join("cache").join(FILE)).unwrap();
    let lib = index
        .library(&LibraryKey::new("scenario", "http://x", None))
        .unwrap();
    (dir, index, lib)
}

fn rows(views: &[AssetView]) -> Vec<Stored> {
    views.iter().filter_map(stored).collect()
}

fn ids(rows: &[Stored]) -> Vec<&str> {
    rows.iter().map(|r| r.id.as_str()).collect()
}

#[test]
fn a_stored_asset_comes_back_whole_with_unknown_fields() {
    let a = asset("a1", &stamp(1), "Red Fox", &["animal"]);
    let row = stored(&a).unwrap();
    assert!(row.text.contains("red fox") && row.text.contains("animal"));
    let back = view(ProviderKind::Scenario, &row).unwrap();
    assert_eq!(back, a);
    assert_eq!(
        back.raw()["someFieldNobodyKnows"]["kept"][1],
        serde_json::json!(2.50)
    );
}

#[test]
fn pages_are_newest_first_and_keyset_by_created_then_id() {
    let (_d, mut index, lib) = setup();
    let views: Vec<AssetView> = (0..250)
        .map(|n| asset(&format!("a{n:03}"), &stamp(n / 2), "x", &[]))
        .collect();
    index.put(lib, &rows(&views), 1000).unwrap();
    let (first, after) = index.page(lib, None, 100).unwrap();
    assert_eq!(first.len(), 100);
    // two assets share each second: the higher id first
    assert_eq!(ids(&first)[..3], ["a249", "a248", "a247"]);
    let (second, after2) = index.page(lib, after.as_ref(), 100).unwrap();
    assert_eq!(second[0].id, "a149");
    let (third, end) = index.page(lib, after2.as_ref(), 100).unwrap();
    assert_eq!(
        (third.len(), third.last().unwrap().id.as_str()),
        (50, "a000")
    );
    assert_eq!(end, None);
}

#[test]
fn a_write_again_updates_in_place() {
    let (_d, mut index, lib) = setup();
    index
        .put(lib, &rows(&[asset("a", &stamp(1), "old", &[])]), 10)
        .unwrap();
    index
        .put(lib, &rows(&[asset("a", &stamp(1), "new", &["t"])]), 10)
        .unwrap();
    let (all, _) = index.page(lib, None, 10).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        view(ProviderKind::Scenario, &all[0])
            .unwrap()
            .name
            .as_deref(),
        Some("new")
    );
    index.forget(lib, &["a".to_string()]).unwrap();
    assert!(index.page(lib, None, 10).unwrap().0.is_empty());
}

#[test]
fn the_bound_forgets_the_least_recently_seen() {
    let (_d, mut index, lib) = setup();
    let other = index
        .library(&LibraryKey::new("twelvelabs", "http://x", None))
        .unwrap();
    let old: Vec<AssetView> = (0..5)
        .map(|n| asset(&format!("old{n}"), &stamp(n), "o", &[]))
        .collect();
    index.put(lib, &rows(&old), 8).unwrap();
    // a page's first row is seen last (old0), so old4 and old3 are the
    // least recent; old4 is seen again and outlives old3 and old2
    index.put(lib, &rows(&old[4..]), 8).unwrap();
    let new: Vec<AssetView> = (0..5)
        .map(|n| asset(&format!("new{n}"), &stamp(10 + n), "n", &[]))
        .collect();
    let forgotten = index.put(other, &rows(&new), 8).unwrap();
    assert_eq!(forgotten, 2);
    let (kept, _) = index.page(lib, None, 10).unwrap();
    assert_eq!(ids(&kept), ["old4", "old1", "old0"]);
    let infos = index.libraries().unwrap();
    assert_eq!(infos.iter().map(|i| i.assets).sum::<u64>(), 8);
}

#[test]
fn the_local_search_reads_names_prompts_and_tags() {
    let (_d, mut index, lib) = setup();
    let views = vec![
        asset("a", &stamp(1), "Red Fox", &["animal"]),
        asset("b", &stamp(2), "Blue Car", &["vehicle"]),
        asset("c", &stamp(3), "red_100%", &["animal", "night"]),
    ];
    index.put(lib, &rows(&views), 100).unwrap();
    let found = |q: &str| {
        let (r, _) = index.search(lib, q, 0, 10).unwrap();
        ids(&r).into_iter().map(String::from).collect::<Vec<_>>()
    };
    assert_eq!(found("red"), ["c", "a"]);
    assert_eq!(found("ANIMAL night"), ["c"]);
    assert_eq!(found("about blue"), ["b"]); // the prompt
    assert_eq!(found("vehicle"), ["b"]);
    // LIKE's wildcards are taken literally
    assert_eq!(found("_100%"), ["c"]);
    assert!(found("e_").is_empty() && found("d%1").is_empty());
    let (page, next) = index.search(lib, "red", 0, 1).unwrap();
    assert_eq!((ids(&page), next), (vec!["c"], Some(1)));
    let (page, next) = index.search(lib, "red", 1, 1).unwrap();
    assert_eq!((ids(&page), next), (vec!["a"], None));
}

#[test]
fn the_writer_batches_and_the_reader_pages_with_local_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE);
    let key = LibraryKey::new("scenario", "http://127.0.0.1:1", Some("p"));
    let local = Local::new(&path, ProviderKind::Scenario, key);
    assert!(local.page(None, 10).unwrap().items.is_empty());
    let writer = Writer::start(&local, 1000).unwrap();
    for chunk in 0..3 {
        writer.seen(
            (0..50)
                .map(|n| {
                    asset(
                        &format!("a{:03}", chunk * 50 + n),
                        &stamp(chunk * 50 + n),
                        "w",
                        &[],
                    )
                })
                .collect(),
        );
    }
    writer.forget(vec!["a149".into()]);
    writer.flush();
    let first = local.page(None, PAGE).unwrap();
    assert_eq!(first.items.len(), PAGE);
    assert_eq!(first.items[0].id, "a148");
    assert!(is_local(first.next.as_deref()));
    let second = local.page(first.next.as_deref(), PAGE).unwrap();
    assert_eq!(second.items.len(), 49);
    assert_eq!(second.next, None);
    assert_eq!(local.newest_update().unwrap(), Some(stamp(148)));
    let found = local.search("a14", &Filters::default(), None, 5).unwrap();
    assert_eq!(found.items.len(), 5);
    assert_eq!(found.next.as_deref(), Some("5"));
}

#[test]
fn the_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, _index, _lib) = setup();
    let cache = dir.path().join("cache");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&cache), 0o700);
    assert_eq!(mode(&cache.join(FILE)), 0o600);
}

/// TwelveLabs assets go through the index too: stored whole, read back
/// through its own mapping.
#[test]
fn a_twelvelabs_asset_comes_back_through_its_own_mapping() {
    let raw: assetui_twelvelabs::models::Asset = serde_json::from_value(serde_json::json!({
        "_id": "tl_1",
        "filename": "Harbour at dawn.mp4",
        "created_at": "2026-02-03T04:05:06Z",
        "status": "ready",
        "user_metadata": {"scene": "harbour"},
        "unknown_to_us": [1, 2]
    }))
    .unwrap();
    let v = crate::provider::twelvelabs::view(raw);
    let row = stored(&v).unwrap();
    assert!(row.text.contains("harbour at dawn"), "{}", row.text);
    assert_eq!(row.created, "2026-02-03T04:05:06Z");
    let back = view(ProviderKind::TwelveLabs, &row).unwrap();
    assert_eq!(back, v);
    assert_eq!(back.raw()["unknown_to_us"], serde_json::json!([1, 2]));
    // read as the other provider's object it does not decode
    assert!(view(ProviderKind::Scenario, &row).is_none());
}

/// A Scenario asset with the fields the list's filters read.
fn rich(
    n: usize,
    kind: &str,
    privacy: &str,
    tags: &[&str],
    collections: Option<&[&str]>,
) -> AssetView {
    let mut v = serde_json::json!({
        "id": format!("r{n:02}"),
        "createdAt": format!("2026-01-{:02}T10:00:00.000Z", n + 1),
        "updatedAt": format!("2026-03-{:02}T10:00:00.000Z", 28 - n),
        "authorId": if n.is_multiple_of(2) { "ann" } else { "bob" },
        "privacy": privacy,
        "metadata": {"name": format!("asset {n}"), "type": kind, "modelId": "model_1"},
        "tags": tags,
    });
    if let Some(c) = collections {
        v["collectionIds"] = serde_json::json!(c);
    }
    serde_json::from_value::<crate::api::models::Asset>(v)
        .unwrap()
        .into()
}

/// A library of `provider` in an index file in `dir`.
fn library(dir: &Path, provider: ProviderKind) -> Local {
    let name = match provider {
        ProviderKind::Scenario => "scenario",
        ProviderKind::TwelveLabs => "twelvelabs",
    };
    Local::new(
        &dir.join(FILE),
        provider,
        LibraryKey::new(name, "http://x", None),
    )
}

fn filtered_ids(local: &Local, f: &Filters) -> Vec<String> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = local.filtered(f, token.as_deref(), 2).unwrap();
        out.extend(page.items.into_iter().map(|a| a.id));
        match page.next {
            Some(t) => token = Some(t),
            None => return out,
        }
    }
}

/// Offline, the list's filters are read on the JSON the index keeps:
/// type, privacy, author, model, tags, collection, dates, the sort
/// field and direction, each paged by its own keyset; the local search
/// keeps them too.
#[test]
fn filters_read_the_stored_json_and_page_in_their_order() {
    let dir = tempfile::tempdir().unwrap();
    let local = library(dir.path(), ProviderKind::Scenario);
    let writer = Writer::start(&local, 1000).unwrap();
    writer.seen(vec![
        rich(0, "upscale", "private", &["red"], Some(&["col_a"])),
        rich(1, "txt2img", "public", &["red", "blue"], Some(&[])),
        rich(2, "upscale", "public", &["blue"], Some(&["col_a", "col_b"])),
        rich(3, "uploaded", "private", &[], None),
        rich(4, "upscale", "unlisted", &["red"], Some(&["col_b"])),
    ]);
    writer.flush();
    let f = |edit: &dyn Fn(&mut Filters)| {
        let mut f = Filters::default();
        edit(&mut f);
        filtered_ids(&local, &f)
    };
    assert_eq!(f(&|_| {}), ["r04", "r03", "r02", "r01", "r00"]);
    assert_eq!(
        f(&|f| f.types = vec!["upscale".into()]),
        ["r04", "r02", "r00"]
    );
    assert_eq!(
        f(&|f| f.types = vec!["txt2img".into(), "uploaded".into()]),
        ["r03", "r01"]
    );
    assert_eq!(f(&|f| f.privacy = Some("public".into())), ["r02", "r01"]);
    assert_eq!(f(&|f| f.author = Some("bob".into())), ["r03", "r01"]);
    assert_eq!(
        f(&|f| f.model = Some("model_2".into())),
        Vec::<String>::new()
    );
    assert_eq!(f(&|f| f.tags = vec!["red".into()]), ["r04", "r01", "r00"]);
    assert_eq!(f(&|f| f.tags = vec!["red".into(), "blue".into()]), ["r01"]);
    assert_eq!(
        f(&|f| f.collection = Some(("col_b".into(), "B".into()))),
        ["r04", "r02"]
    );
    assert_eq!(
        f(&|f| {
            f.created_after = Some("2026-01-02".into());
            f.created_before = Some("2026-01-04".into());
        }),
        ["r03", "r02", "r01"]
    );
    use crate::api::params::{SortDirection, SortField};
    assert_eq!(
        f(&|f| f.direction = Some(SortDirection::Asc)),
        ["r00", "r01", "r02", "r03", "r04"]
    );
    // updatedAt runs the other way round from createdAt here
    assert_eq!(
        f(&|f| f.sort = Some(SortField::UpdatedAt)),
        ["r00", "r01", "r02", "r03", "r04"]
    );
    // the local search keeps the filters
    let upscale = Filters {
        types: vec!["upscale".into()],
        ..Filters::default()
    };
    let found = local.search("asset", &upscale, None, 10).unwrap();
    let found: Vec<&str> = found.items.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(found, ["r04", "r02", "r00"]);
    // collections are known here: nothing to say
    let col = Filters {
        collection: Some(("col_a".into(), "Alpha".into())),
        ..Filters::default()
    };
    assert_eq!(local.unanswered(&col).unwrap(), None);
    assert_eq!(local.unanswered(&Filters::default()).unwrap(), None);
}

/// A collection filter on an index whose assets never carried their
/// collections: one line says the index cannot answer it.
#[test]
fn a_collection_the_index_does_not_know_is_said_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let local = library(dir.path(), ProviderKind::Scenario);
    let writer = Writer::start(&local, 1000).unwrap();
    writer.seen(vec![rich(0, "upscale", "private", &[], None)]);
    writer.flush();
    let f = Filters {
        collection: Some(("col_a".into(), "Heroes\u{1b}[2J".into())),
        ..Filters::default()
    };
    let note = local.unanswered(&f).unwrap().expect("a note");
    assert!(
        note.starts_with("offline: the index does not hold"),
        "{note}"
    );
    assert!(
        note.contains("Heroes") && !note.contains('\u{1b}'),
        "{note}"
    );
    assert!(filtered_ids(&local, &f).is_empty());
}

/// TwelveLabs' type filter reads its MIME type; its file name filter
/// the file name, ignoring case.
#[test]
fn twelvelabs_filters_read_its_own_fields() {
    let dir = tempfile::tempdir().unwrap();
    let local = library(dir.path(), ProviderKind::TwelveLabs);
    let tl = |id: &str, name: &str, mime: &str, day: u32| {
        let raw: assetui_twelvelabs::models::Asset = serde_json::from_value(serde_json::json!({
            "_id": id,
            "filename": name,
            "file_type": mime,
            "created_at": format!("2026-02-{day:02}T04:05:06Z"),
        }))
        .unwrap();
        crate::provider::twelvelabs::view(raw)
    };
    let writer = Writer::start(&local, 1000).unwrap();
    writer.seen(vec![
        tl("t1", "Harbour.MP4", "video/mp4", 1),
        tl("t2", "notes.pdf", "application/pdf", 2),
        tl("t3", "song.mp3", "audio/mpeg", 3),
        tl("t4", "harbour-sound.wav", "audio/wav", 4),
    ]);
    writer.flush();
    let mut f = Filters {
        types: vec!["audio".into()],
        ..Filters::default()
    };
    assert_eq!(filtered_ids(&local, &f), ["t4", "t3"]);
    f.types = vec!["document".into(), "video".into()];
    assert_eq!(filtered_ids(&local, &f), ["t2", "t1"]);
    f.types.clear();
    f.filename = Some("HARBOUR".into());
    assert_eq!(filtered_ids(&local, &f), ["t4", "t1"]);
}

/// A filtered page looks at a bounded window of the listing, so a sparse
/// filter over a large index answers quickly: a window without a match
/// is an empty page that names the next; the last window ends it.
#[test]
fn a_filtered_page_looks_at_a_bounded_window_and_goes_on_from_it() {
    let (_d, mut index, lib) = setup();
    let views: Vec<AssetView> = (0..10)
        .map(|n| {
            let kind = if n % 4 == 0 { "upscale" } else { "txt2img" };
            rich(n, kind, "private", &[], None)
        })
        .collect();
    index.put(lib, &rows(&views), 1000).unwrap();
    let upscale = Filters {
        types: vec!["upscale".into()],
        ..Filters::default()
    };
    let mut q = query(ProviderKind::Scenario, &upscale, "");
    assert_eq!(q.scan, Some(filter::SCAN));
    q.scan = Some(3);
    let mut pages: Vec<Vec<String>> = Vec::new();
    let mut after = None;
    loop {
        let (found, next) = index.select_after(lib, &q, after.as_ref(), 10).unwrap();
        pages.push(found.iter().map(|r| r.id.clone()).collect());
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    // windows of three, newest first: r09-r07, r06-r04, r03-r01, r00
    assert_eq!(pages, vec![vec!["r08"], vec!["r04"], vec![], vec!["r00"]]);
}
