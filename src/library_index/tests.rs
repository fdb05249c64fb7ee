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
    let found = local.search("a14", None, 5).unwrap();
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
