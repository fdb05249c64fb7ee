//! Every documented response example (copied into `tests/fixtures/`)
//! decodes into its model and re-encodes to the same JSON value.

use assetui::api::models::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

const LIST: &str = include_str!("../fixtures/assets_list.json");
const UPLOAD: &str = include_str!("../fixtures/assets_upload.json");
const DELETE_MULTIPLE: &str = include_str!("../fixtures/assets_delete_multiple.json");
const GET_BULK: &str = include_str!("../fixtures/assets_get_bulk.json");
const RETRIEVE: &str = include_str!("../fixtures/assets_retrieve.json");
const UPDATE: &str = include_str!("../fixtures/assets_update.json");
const COPY: &str = include_str!("../fixtures/assets_copy.json");
const LOCK: &str = include_str!("../fixtures/assets_lock.json");
const SNAPSHOTS: &str = include_str!("../fixtures/assets_snapshots.json");
const UPDATE_TAGS: &str = include_str!("../fixtures/assets_update_tags.json");
const UNLOCK: &str = include_str!("../fixtures/assets_unlock.json");
const DOWNLOAD_BATCH: &str = include_str!("../fixtures/download_request_batch.json");
const DOWNLOAD_STATUS: &str = include_str!("../fixtures/download_get_status.json");
const DOWNLOAD_REQUEST: &str = include_str!("../fixtures/download_request.json");
const SEARCH: &str = include_str!("../fixtures/search_assets.json");
const TAGS: &str = include_str!("../fixtures/tags_list.json");
const COLLECTIONS: &str = include_str!("../fixtures/collections_list.json");

/// Decodes `text` as `T`, checks that encoding it again gives the very same
/// JSON value, and returns the decoded value.
fn roundtrip<T: DeserializeOwned + Serialize>(text: &str) -> T {
    let original: Value = serde_json::from_str(text).expect("fixture is JSON");
    let decoded: T = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => panic!("decoding as {}: {e}", std::any::type_name::<T>()),
    };
    let encoded = serde_json::to_value(&decoded).expect("encodes");
    assert_eq!(
        encoded,
        original,
        "round trip of {} changed the JSON",
        std::any::type_name::<T>()
    );
    // Also from a Value, the other way callers may decode.
    let again: T = serde_json::from_value(original.clone()).expect("decodes from a Value");
    assert_eq!(serde_json::to_value(&again).expect("encodes"), original);
    decoded
}

fn list_asset() -> Asset {
    let mut page: AssetListResponse = roundtrip(LIST);
    assert_eq!(page.assets.len(), 1);
    page.assets.remove(0)
}

// ---------------------------------------------------------------------------
// Every fixture
// ---------------------------------------------------------------------------

#[test]
fn list_roundtrips() {
    let page: AssetListResponse = roundtrip(LIST);
    assert_eq!(
        page.next_pagination_token.as_deref(),
        Some("nextPaginationToken")
    );
    assert!(page.extra.is_empty());
}

#[test]
fn upload_roundtrips_with_job_in_extra() {
    let env: AssetEnvelope = roundtrip(UPLOAD);
    assert_eq!(env.asset.id, "id");
    let job = env.extra.get("job").expect("job kept in extra");
    assert_eq!(job["jobId"], json!("jobId"));
}

#[test]
fn delete_multiple_is_an_empty_object() {
    // The client ignores this body; it only has to be a JSON object.
    let v: serde_json::Map<String, Value> = serde_json::from_str(DELETE_MULTIPLE).expect("decodes");
    assert!(v.is_empty());
}

#[test]
fn get_bulk_roundtrips() {
    let bulk: AssetBulkResponse = roundtrip(GET_BULK);
    assert_eq!(bulk.assets.len(), 1);
    assert!(bulk.extra.is_empty());
}

#[test]
fn single_asset_envelopes_roundtrip() {
    for (name, text) in [
        ("retrieve", RETRIEVE),
        ("update", UPDATE),
        ("copy", COPY),
        ("unlock", UNLOCK),
    ] {
        let env: AssetEnvelope = roundtrip(text);
        assert_eq!(env.asset.id, "id", "{name}");
        assert!(env.extra.is_empty(), "{name}: {:?}", env.extra);
    }
}

#[test]
fn lock_roundtrips_with_lock_id_in_extra() {
    let env: AssetEnvelope = roundtrip(LOCK);
    assert_eq!(env.extra.get("lockId"), Some(&json!("lockId")));
}

#[test]
fn snapshots_are_untyped() {
    // The client has no model for snapshots (canvas history); the example
    // only has to stay valid JSON of the documented shape.
    let v: Value = serde_json::from_str(SNAPSHOTS).expect("JSON");
    assert!(v["snapshots"].is_array());
    assert_eq!(v["snapshots"][0]["takenAt"], json!(0));
}

#[test]
fn update_tags_roundtrips() {
    let r: UpdateTagsResponse = roundtrip(UPDATE_TAGS);
    assert_eq!(r.added, ["string"]);
    assert_eq!(r.deleted, ["string"]);
}

#[test]
fn update_tags_serializes_empty_lists() {
    let r: UpdateTagsResponse = serde_json::from_str("{}").expect("decodes");
    assert_eq!(
        serde_json::to_value(&r).expect("encodes"),
        json!({ "added": [], "deleted": [] })
    );
}

#[test]
fn downloads_roundtrip() {
    let batch: BatchDownloadResponse = roundtrip(DOWNLOAD_BATCH);
    assert_eq!(batch.job_id, "jobId");
    let status: BatchDownloadStatus = roundtrip(DOWNLOAD_STATUS);
    assert_eq!(status.job_status, "jobStatus");
    assert_eq!(status.download_url.as_deref(), Some("downloadUrl"));
    let link: DownloadLinkResponse = roundtrip(DOWNLOAD_REQUEST);
    assert_eq!(link.url, "url");
}

#[test]
fn download_status_without_url_stays_without_url() {
    let status: BatchDownloadStatus = roundtrip(r#"{"jobId":"job_1","jobStatus":"pending"}"#);
    assert_eq!(status.download_url, None);
}

#[test]
fn search_roundtrips() {
    let page: SearchResponse = roundtrip(SEARCH);
    assert_eq!(page.hits.len(), 1);
    let hit = &page.hits[0];
    assert_eq!(hit.team_id.as_deref(), Some("teamId"));
    assert_eq!(hit.transcription.as_deref(), Some("transcription"));
    assert_eq!(hit.score.as_ref().and_then(Number::as_u64), Some(0));
    // The example's placeholders are not documented values: kept verbatim.
    assert_eq!(hit.asset_type(), Some(&AssetType::Other("type".into())));
    assert_eq!(hit.privacy, Some(Privacy::Other("privacy".into())));
    assert_eq!(hit.kind(), Some(&AssetKind::Other("kind".into())));
    assert_eq!(hit.seed(), Some(&Seed::Text("seed".into())));
    for n in [
        &page.offset,
        &page.limit,
        &page.estimated_total_hits,
        &page.hits_per_page,
        &page.page,
        &page.total_hits,
        &page.total_pages,
    ] {
        assert_eq!(n.as_ref().and_then(Number::as_u64), Some(0));
    }
}

#[test]
fn tags_roundtrip() {
    let page: TagListResponse = roundtrip(TAGS);
    assert_eq!(page.tags.len(), 3);
    assert_eq!(page.tags[0].tag_name.as_deref(), Some("hero"));
    assert_eq!(
        page.tags[0].item_count.as_ref().and_then(Number::as_u64),
        Some(42)
    );
    assert!(page.next_pagination_token.is_some());
}

#[test]
fn collections_roundtrip() {
    let page: CollectionListResponse = roundtrip(COLLECTIONS);
    assert_eq!(page.collections.len(), 2);
    let c = &page.collections[0];
    assert_eq!(c.name.as_deref(), Some("Forest level"));
    assert_eq!(c.asset_count.as_ref().and_then(Number::as_u64), Some(128));
    assert_eq!(
        c.thumbnail.as_ref().and_then(|t| t.asset_id.as_deref()),
        Some("asset_GTrL3mq4SXWyMxkOHRxlpw")
    );
    assert_eq!(page.collections[1].thumbnail, None);
    assert_eq!(page.next_pagination_token, None);
}

// ---------------------------------------------------------------------------
// What the typed fields hold
// ---------------------------------------------------------------------------

#[test]
fn list_fixture_typed_fields() {
    let a = list_asset();
    assert_eq!(a.kind, Some(AssetKind::ThreeD));
    assert_eq!(a.privacy, Some(Privacy::Private));
    assert_eq!(a.status, Some(AssetStatus::Error));
    assert_eq!(a.source, Some(AssetSource::ThreeD23d));
    assert_eq!(a.edit_capabilities(), [EditCapability::Detection]);
    assert_eq!(a.is_hidden, Some(true));
    assert_eq!(
        a.first_frame.as_ref().and_then(|f| f.url.as_deref()),
        Some("url")
    );

    let m = a.metadata.as_ref().expect("metadata");
    assert_eq!(m.asset_type, Some(AssetType::ThreeDTexture));
    assert_eq!(m.model_type, Some(ModelType::Custom));
    assert_eq!(m.style.as_deref(), Some("3d-cartoon"));
    assert_eq!(
        m.num_inference_steps.as_ref().and_then(Number::as_u64),
        Some(5)
    );
    assert_eq!(
        m.reference_images.as_deref(),
        Some(&["string".to_string()][..])
    );
    // Untyped metadata fields stay in `extra`, typed ones never do.
    assert_eq!(m.extra.get("resizeOption"), Some(&json!(0.1)));
    assert_eq!(m.extra.get("detailsLevel"), Some(&json!(-50)));
    assert!(m.extra.contains_key("concepts"));
    for typed in [
        "kind",
        "type",
        "name",
        "prompt",
        "seed",
        "width",
        "thumbnail",
        "modelType",
    ] {
        assert!(!m.extra.contains_key(typed), "{typed} leaked into extra");
    }

    let p = a.properties.as_ref().expect("properties");
    assert_eq!(
        p.transcription.as_ref().and_then(|t| t.text.as_deref()),
        Some("text")
    );
    assert_eq!(p.classification.as_deref(), Some("effect"));
    assert_eq!(p.dimensions.as_ref().map(Vec::len), Some(3));
    assert_eq!(p.extra.get("hasUVs"), Some(&json!(true)));
    assert!(a.extra.is_empty(), "{:?}", a.extra);
}

#[test]
fn numbers_keep_their_exact_form() {
    let a = list_asset();
    let m = a.metadata.as_ref().expect("metadata");
    let guidance = m.guidance.as_ref().expect("guidance");
    assert_eq!(guidance.to_string(), "0");
    let scaling = m.scaling_factor.as_ref().expect("scalingFactor");
    assert_eq!(scaling.to_string(), "1");

    let meta: AssetMetadata =
        roundtrip(r#"{"guidance":0.5,"strength":-2,"size":18446744073709551615,"width":1024.0}"#);
    assert_eq!(
        meta.guidance.as_ref().map(ToString::to_string).as_deref(),
        Some("0.5")
    );
    assert_eq!(meta.guidance.as_ref().and_then(Number::as_f64), Some(0.5));
    assert_eq!(meta.guidance.as_ref().and_then(Number::as_u64), None);
    assert_eq!(meta.strength.as_ref().and_then(Number::as_i64), Some(-2));
    assert_eq!(meta.strength.as_ref().and_then(Number::as_u64), None);
    assert_eq!(meta.size.as_ref().and_then(Number::as_u64), Some(u64::MAX));
    // An integral float still reads as an integer, and stays a float on the wire.
    assert_eq!(meta.width.as_ref().and_then(Number::as_u64), Some(1024));
    assert_eq!(
        meta.width.as_ref().map(ToString::to_string).as_deref(),
        Some("1024.0")
    );
}

#[test]
fn number_conversions() {
    assert_eq!(Number::from(7u64).as_u64(), Some(7));
    assert_eq!(Number::from(-7i64).as_i64(), Some(-7));
    assert_eq!(Number::from(-7i32).as_u64(), None);
    assert_eq!(Number::from_f64(2.5).and_then(|n| n.as_i64()), None);
    assert_eq!(Number::from_f64(-3.0).and_then(|n| n.as_i64()), Some(-3));
    assert_eq!(Number::from_f64(1e300).and_then(|n| n.as_u64()), None);
    assert!(Number::from_f64(f64::NAN).is_none());
}

// ---------------------------------------------------------------------------
// Forward compatibility
// ---------------------------------------------------------------------------

#[test]
fn unknown_type_and_kind_decode_to_other_and_roundtrip() {
    let text = r#"{
        "id": "asset_new",
        "kind": "hologram",
        "privacy": "team-only",
        "status": "queued",
        "source": "hologram:4d",
        "editCapabilities": ["UPSCALE", "TELEPORT"],
        "metadata": { "kind": "hologram", "type": "hologram-4d", "modelType": "flux.9-ultra" }
    }"#;
    let a: Asset = roundtrip(text);
    assert_eq!(a.kind(), Some(&AssetKind::Other("hologram".into())));
    assert_eq!(
        a.asset_type(),
        Some(&AssetType::Other("hologram-4d".into()))
    );
    assert_eq!(
        a.asset_type().map(ToString::to_string).as_deref(),
        Some("hologram-4d")
    );
    assert_eq!(a.privacy, Some(Privacy::Other("team-only".into())));
    assert_eq!(a.status, Some(AssetStatus::Other("queued".into())));
    assert_eq!(a.source, Some(AssetSource::Other("hologram:4d".into())));
    assert_eq!(
        a.edit_capabilities(),
        [
            EditCapability::Upscale,
            EditCapability::Other("TELEPORT".into())
        ]
    );
    let m = a.metadata.as_ref().expect("metadata");
    assert_eq!(m.model_type, Some(ModelType::Other("flux.9-ultra".into())));
    assert!(m.asset_type.as_ref().is_some_and(AssetType::is_other));
}

#[test]
fn unknown_fields_are_kept_in_extra() {
    let text = r#"{
        "id": "asset_x",
        "futureFlag": true,
        "futureObject": { "nested": [1, 2.5, "three", null] },
        "metadata": { "name": "n", "futureParam": 0.25, "concepts": [] },
        "properties": { "size": 10, "loudness": -14.5 },
        "thumbnail": { "assetId": "a", "url": "u", "expiresAt": "soon" }
    }"#;
    let a: Asset = roundtrip(text);
    assert_eq!(a.extra.get("futureFlag"), Some(&json!(true)));
    assert_eq!(
        a.extra.get("futureObject"),
        Some(&json!({ "nested": [1, 2.5, "three", null] }))
    );
    let m = a.metadata.as_ref().expect("metadata");
    assert_eq!(m.extra.get("futureParam"), Some(&json!(0.25)));
    assert_eq!(
        a.properties.as_ref().and_then(|p| p.extra.get("loudness")),
        Some(&json!(-14.5))
    );
    assert_eq!(
        a.thumbnail.as_ref().and_then(|t| t.extra.get("expiresAt")),
        Some(&json!("soon"))
    );

    let page: AssetListResponse = roundtrip(r#"{"assets":[{"id":"a"}],"totalCount":1}"#);
    assert_eq!(page.extra.get("totalCount"), Some(&json!(1)));
}

#[test]
fn absent_fields_stay_absent() {
    let a: Asset = roundtrip(r#"{"id":"asset_min"}"#);
    assert_eq!(
        a,
        Asset {
            id: "asset_min".into(),
            ..Asset::default()
        }
    );
    let _: AssetMetadata = roundtrip("{}");
    let _: AssetProperties = roundtrip("{}");
    let _: AssetRef = roundtrip("{}");
    let _: SearchResponse = roundtrip(r#"{"hits":[]}"#);
}

#[test]
fn numeric_and_string_seeds() {
    let a: Asset = roundtrip(r#"{"id":"a","metadata":{"seed":123456789}}"#);
    let seed = a.seed().expect("seed");
    assert!(matches!(seed, Seed::Number(_)));
    assert_eq!(seed.to_string(), "123456789");
    assert_eq!(seed.as_u64(), Some(123_456_789));

    let b: Asset = roundtrip(r#"{"id":"b","metadata":{"seed":"987654321"}}"#);
    let seed = b.seed().expect("seed");
    assert_eq!(seed, &Seed::Text("987654321".into()));
    assert_eq!(seed.to_string(), "987654321");
    assert_eq!(seed.as_u64(), Some(987_654_321));

    let c: Asset = roundtrip(r#"{"id":"c","metadata":{"seed":"random"}}"#);
    assert_eq!(c.seed().and_then(Seed::as_u64), None);
}

// ---------------------------------------------------------------------------
// Accessors
// ---------------------------------------------------------------------------

#[test]
fn accessors_on_the_fixture() {
    let a = list_asset();
    assert_eq!(a.name(), Some("name"));
    assert_eq!(a.prompt(), Some("prompt"));
    assert_eq!(a.display_name(), "name");
    assert_eq!(a.tags(), ["string"]);
    assert_eq!(a.collection_ids(), ["string"]);
    assert_eq!(a.kind(), Some(&AssetKind::ThreeD));
    assert_eq!(a.asset_type(), Some(&AssetType::ThreeDTexture));
    // metadata.width is 1024 while properties.width is 0: metadata wins.
    assert_eq!(a.width(), Some(1024));
    assert_eq!(a.height(), Some(0));
    assert_eq!(a.file_size(), Some(0));
    assert_eq!(a.thumbnail_url(), Some("url"));
    assert_eq!(a.preview_url(), Some("url"));
    assert_eq!(a.parent_id(), Some("parentId"));
    assert_eq!(a.root_parent_id(), Some("rootParentId"));
    assert_eq!(a.seed(), Some(&Seed::Text("seed".into())));
    assert_eq!(a.model_id(), Some("modelId"));
}

#[test]
fn display_name_fallback_order() {
    let mut a = list_asset();
    assert_eq!(a.display_name(), "name");

    let m = a.metadata.as_mut().expect("metadata");
    m.name = Some("   ".into());
    m.prompt = Some("\n  a castle on a hill  \nsecond line".into());
    assert_eq!(a.display_name(), "a castle on a hill");

    let m = a.metadata.as_mut().expect("metadata");
    m.name = None;
    m.prompt = Some(" \n ".into());
    assert_eq!(a.display_name(), "id");

    a.metadata = None;
    assert_eq!(a.display_name(), "id");
}

#[test]
fn fallbacks_between_metadata_and_properties() {
    let a: Asset = roundtrip(
        r#"{"id":"v","kind":"video","properties":{"size":2048,"width":1920,"height":1080},
            "metadata":{"kind":"image","size":99,"thumbnail":{"assetId":"t","url":"https://thumb"}}}"#,
    );
    assert_eq!(a.width(), Some(1920));
    assert_eq!(a.height(), Some(1080));
    assert_eq!(a.file_size(), Some(2048));
    assert_eq!(a.kind(), Some(&AssetKind::Video));
    assert_eq!(a.thumbnail_url(), Some("https://thumb"));

    let b: Asset = roundtrip(r#"{"id":"w","metadata":{"kind":"audio","size":99}}"#);
    assert_eq!(b.kind(), Some(&AssetKind::Audio));
    assert_eq!(b.file_size(), Some(99));
    assert_eq!(b.width(), None);
}

#[test]
fn accessors_on_an_empty_asset_do_not_panic() {
    let a = Asset::default();
    assert_eq!(a.display_name(), "");
    assert!(a.tags().is_empty());
    assert!(a.collection_ids().is_empty());
    assert!(a.edit_capabilities().is_empty());
    assert_eq!(a.kind(), None);
    assert_eq!(a.asset_type(), None);
    assert_eq!((a.width(), a.height(), a.file_size()), (None, None, None));
    assert_eq!((a.thumbnail_url(), a.preview_url()), (None, None));
    assert_eq!(
        (a.parent_id(), a.root_parent_id(), a.model_id()),
        (None, None, None)
    );
    assert_eq!(a.seed(), None);
}

// ---------------------------------------------------------------------------
// Open enums
// ---------------------------------------------------------------------------

fn check_enum<T>(all: &[T], all_str: &[&str], expected_len: usize)
where
    T: std::fmt::Debug
        + PartialEq
        + std::str::FromStr
        + std::fmt::Display
        + Serialize
        + DeserializeOwned,
    <T as std::str::FromStr>::Err: std::fmt::Debug,
{
    assert_eq!(all.len(), expected_len);
    assert_eq!(all_str.len(), expected_len);
    let mut seen = std::collections::HashSet::new();
    for (v, s) in all.iter().zip(all_str) {
        assert!(seen.insert(*s), "duplicate wire value {s}");
        assert_eq!(v.to_string(), *s);
        assert_eq!(&s.parse::<T>().expect("infallible"), v);
        assert_eq!(serde_json::to_value(v).expect("encodes"), json!(s));
        assert_eq!(&serde_json::from_value::<T>(json!(s)).expect("decodes"), v);
    }
}

#[test]
fn enums_cover_the_documented_values() {
    check_enum(AssetKind::ALL, AssetKind::ALL_STR, 7);
    check_enum(AssetType::ALL, AssetType::ALL_STR, 75);
    check_enum(AssetSource::ALL, AssetSource::ALL_STR, 75);
    check_enum(Privacy::ALL, Privacy::ALL_STR, 3);
    check_enum(AssetStatus::ALL, AssetStatus::ALL_STR, 3);
    check_enum(EditCapability::ALL, EditCapability::ALL_STR, 11);
    check_enum(ModelType::ALL, ModelType::ALL_STR, 37);
}

#[test]
fn enum_spot_checks() {
    assert_eq!(
        AssetType::from("inference-txt2img"),
        AssetType::InferenceTxt2img
    );
    assert_eq!(AssetType::from("uploaded").as_str(), "uploaded");
    assert_eq!(
        AssetType::from("3d23d-texture"),
        AssetType::ThreeD23dTexture
    );
    assert_eq!(
        AssetSource::from("texture:albedo"),
        AssetSource::TextureAlbedo
    );
    assert_eq!(AssetKind::from("image-hdr"), AssetKind::ImageHdr);
    assert_eq!(
        EditCapability::from("UPSCALE_360"),
        EditCapability::Upscale360
    );
    assert_eq!(
        ModelType::from("flux.1.1-pro-ultra"),
        ModelType::Flux1_1ProUltra
    );
    assert_eq!(ModelType::from("flux1.1-pro"), ModelType::Flux1_1Pro);
    assert_eq!(ModelType::from("sd-1_5"), ModelType::Sd1_5);
    // `From<String>` normalizes a known value too.
    assert_eq!(Privacy::from(String::from("public")), Privacy::Public);
    assert_eq!(
        Privacy::from(String::from("Public")),
        Privacy::Other("Public".into())
    );
    assert!(!Privacy::Public.is_other());
    assert_eq!(Privacy::Unlisted.as_ref(), "unlisted");
}
