//! Scenario: its asset mapped to the neutral [`AssetView`], and the
//! inspector's sections for it (a summary of what people look for, then
//! every other field grouped by where it sits in the asset).

use std::collections::HashMap;

use serde_json::Value;

use crate::api::models::{Asset, AssetKind, AssetListResponse, AssetStatus, SearchResponse};
use crate::api::params::SearchPaging;
use crate::sanitize;

use super::fields::{flatten, plural, Section, VALUE_MAX};
use super::view::{AssetView, MediaKind, Native, Processing};
use super::Page;

/// A page of `GET /assets` as views.
pub fn list_page(page: AssetListResponse) -> Page {
    Page {
        items: page.assets.into_iter().map(view).collect(),
        next: page.next_pagination_token,
        total: None,
    }
}

/// A page of search hits (asked with `paging`) as views; `next` is the
/// next page number or offset.
pub fn search_page(paging: SearchPaging, page: SearchResponse) -> Page {
    let next = crate::api::search::next_paging(paging, &page).map(|p| match p {
        SearchPaging::Page { page, .. } => page.to_string(),
        SearchPaging::Offset { offset, .. } => offset.to_string(),
    });
    let total = page
        .total_hits
        .as_ref()
        .or(page.estimated_total_hits.as_ref())
        .and_then(|n| n.as_u64());
    Page {
        items: page.hits.into_iter().map(view).collect(),
        next,
        total,
    }
}

/// The neutral view of a Scenario asset; the asset is kept whole.
pub fn view(asset: Asset) -> AssetView {
    let media = match asset.kind() {
        Some(AssetKind::Image | AssetKind::ImageHdr) => MediaKind::Image,
        Some(AssetKind::Video) => MediaKind::Video,
        Some(AssetKind::Audio) => MediaKind::Audio,
        Some(AssetKind::ThreeD) => MediaKind::Model3d,
        Some(AssetKind::Document | AssetKind::Json) => MediaKind::Document,
        _ => MediaKind::Other,
    };
    let status = match &asset.status {
        Some(AssetStatus::Pending) => Processing::Pending("pending".into()),
        Some(AssetStatus::Error) => Processing::Failed("error".into()),
        _ => Processing::Ready,
    };
    let dims = asset.width().zip(asset.height());
    AssetView {
        id: asset.id.clone(),
        list_name: asset.list_name().into_owned(),
        name: asset.name().map(str::to_string),
        media,
        type_label: asset.asset_type().map(|t| t.as_str().to_string()),
        kind_label: asset.kind().map(|k| k.as_str().to_string()),
        created: asset.created_at.clone(),
        updated: asset.updated_at.clone(),
        size: asset.file_size(),
        dims,
        duration: None,
        status,
        tags: asset.tags().to_vec(),
        prompt: asset.prompt().map(str::to_string),
        parent: asset.parent_id().map(str::to_string),
        root: asset.root_parent_id().map(str::to_string),
        thumbnail_url: asset.thumbnail_url().map(str::to_string),
        preview_url: asset.preview_url().map(str::to_string),
        file_url: asset.url.clone(),
        formats: formats_for(asset.kind()),
        clips: Vec::new(),
        native: Native::Scenario(Box::new(asset)),
    }
}

/// `targetFormat` values the API documents for a kind of asset; audio and
/// video download only as they are stored.
pub fn formats_for(kind: Option<&AssetKind>) -> &'static [&'static str] {
    match kind {
        Some(AssetKind::Image | AssetKind::ImageHdr) => {
            &["png", "jpeg", "webp", "avif", "gif", "heif", "tiff", "svg"]
        }
        Some(AssetKind::ThreeD) => &["glb", "fbx", "obj"],
        // the service converts neither: they download as they are stored
        // (its `mp3`/`mp4` only name a file already stored so)
        _ => &[],
    }
}

/// Summary first, then the remaining fields grouped by their top-level
/// key (`metadata`, `properties`, ...), nested keys flattened with dots.
pub fn sections(asset: &Asset, collections: &HashMap<String, String>) -> Vec<Section> {
    let line = |s: &str| sanitize::line(s, VALUE_MAX);
    let mut summary = Vec::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            summary.push((k.to_string(), v));
        }
    };
    let meta = asset.metadata.as_ref();
    put("Name", asset.name().map(line));
    put("Id", Some(line(&asset.id)));
    put(
        "Prompt",
        asset.prompt().map(|p| sanitize::multiline(p, VALUE_MAX)),
    );
    put(
        "Negative",
        meta.and_then(|m| m.negative_prompt.as_deref())
            .map(|p| sanitize::multiline(p, VALUE_MAX)),
    );
    put("Seed", asset.seed().map(|s| line(&s.to_string())));
    put("Model", asset.model_id().map(line));
    put(
        "Dimensions",
        match (asset.width(), asset.height()) {
            (Some(w), Some(h)) => Some(format!("{w} × {h} px")),
            _ => None,
        },
    );
    // size and format on one line
    let mime = asset
        .mime_type
        .as_deref()
        .map(line)
        .filter(|m| !m.is_empty());
    put(
        "File",
        match (asset.file_size().map(crate::text::human_size), mime) {
            (Some(s), Some(m)) => Some(format!("{s} · {m}")),
            (s, m) => s.or(m),
        },
    );
    put(
        "Type",
        match (asset.asset_type(), asset.kind()) {
            (Some(t), Some(k)) => Some(line(&format!("{} · {}", t.as_str(), k.as_str()))),
            (Some(t), None) => Some(line(t.as_str())),
            (None, Some(k)) => Some(line(k.as_str())),
            _ => None,
        },
    );
    put("Privacy", asset.privacy.as_ref().map(|p| line(p.as_str())));
    put("Created", asset.created_at.as_deref().map(line));
    put("Updated", asset.updated_at.as_deref().map(line));
    put(
        "Tags",
        (!asset.tags().is_empty()).then(|| line(&asset.tags().join(", "))),
    );
    put(
        "Collections",
        (!asset.collection_ids().is_empty()).then(|| {
            let names: Vec<String> = asset
                .collection_ids()
                .iter()
                .map(|id| collections.get(id).cloned().unwrap_or_else(|| id.clone()))
                .collect();
            line(&names.join(", "))
        }),
    );
    put(
        "Parent",
        asset.parent_id().map(|p| format!("{} (p)", line(p))),
    );
    put(
        "Root",
        asset.root_parent_id().map(|p| format!("{} (P)", line(p))),
    );

    let mut out = vec![Section {
        title: "Summary".into(),
        rows: summary,
    }];
    let Ok(Value::Object(map)) = serde_json::to_value(asset) else {
        return out;
    };
    const SHOWN: &[&str] = &[
        "id",
        "createdAt",
        "updatedAt",
        "privacy",
        "tags",
        "collectionIds",
        "kind",
        "embedding",
        "mimeType",
    ];
    const META_SHOWN: &[&str] = &[
        "name",
        "prompt",
        "negativePrompt",
        "seed",
        "modelId",
        "type",
        "parentId",
        "rootParentId",
    ];
    // width, height and size, where they hold what the summary shows, are
    // not repeated under metadata / properties
    let in_summary = |k: &str, v: &Value| -> bool {
        let shown = match k {
            "width" => asset.width(),
            "height" => asset.height(),
            "size" => asset.file_size(),
            _ => return false,
        };
        shown.is_some() && v.as_u64() == shown
    };
    let mut general = Vec::new();
    for (key, value) in &map {
        if SHOWN.contains(&key.as_str()) {
            continue;
        }
        match value {
            Value::Object(inner) => {
                let mut rows = Vec::new();
                let skip: &[&str] = if key == "metadata" { META_SHOWN } else { &[] };
                let summarized = key == "metadata" || key == "properties";
                for (k, v) in inner {
                    let shown = skip.contains(&k.as_str()) || (summarized && in_summary(k, v));
                    if !shown {
                        flatten(k, v, &mut rows);
                    }
                }
                if !rows.is_empty() {
                    let title = match key.as_str() {
                        "metadata" => "Generation".to_string(),
                        "properties" => "Properties".to_string(),
                        other => line(other),
                    };
                    out.push(Section { title, rows });
                }
            }
            other => flatten(key, other, &mut general),
        }
    }
    if let Some(e) = &asset.embedding {
        general.push(("embedding".into(), plural(e.len(), "number", "numbers")));
    }
    if !general.is_empty() {
        out.insert(
            1,
            Section {
                title: "Asset".into(),
                rows: general,
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_kind() {
        assert!(formats_for(Some(&AssetKind::Image)).contains(&"webp"));
        assert!(formats_for(Some(&AssetKind::Audio)).is_empty());
        assert!(formats_for(Some(&AssetKind::Video)).is_empty());
        assert!(formats_for(None).is_empty());
    }

    fn fixture() -> Asset {
        serde_json::from_value(serde_json::json!({
            "id": "asset_1",
            "createdAt": "2026-01-02T03:04:05Z",
            "privacy": "private",
            "tags": ["hero", "x\u{1b}[31m"],
            "collectionIds": ["col_1"],
            "kind": "image",
            "metadata": {"name": "Castle", "type": "inference-txt2img", "prompt": "a red\ncastle",
                         "seed": "42", "modelId": "model_x", "parentId": "asset_0",
                         "guidance": 7.5, "custom": {"deep": "\u{202e}v"}},
            "properties": {"width": 512, "height": 256, "size": 2048},
            "somethingNew": [{"a": 1}]
        }))
        .unwrap()
    }

    #[test]
    fn summary_then_every_other_field() {
        let cols = HashMap::from([("col_1".to_string(), "Heroes".to_string())]);
        let s = sections(&fixture(), &cols);
        let summary: HashMap<_, _> = s[0].rows.iter().cloned().collect();
        assert_eq!(summary["Name"], "Castle");
        assert_eq!(summary["Prompt"], "a red\ncastle");
        assert_eq!(summary["Seed"], "42");
        assert_eq!(summary["Dimensions"], "512 × 256 px");
        assert_eq!(summary["File"], "2.0 KiB");
        assert_eq!(summary["Collections"], "Heroes");
        assert_eq!(summary["Type"], "inference-txt2img · image");
        assert!(summary["Parent"].starts_with("asset_0"));
        let all: Vec<&(String, String)> = s.iter().flat_map(|s| &s.rows).collect();
        assert!(all.iter().any(|(k, v)| k == "guidance" && v == "7.5"));
        assert!(all.iter().any(|(k, v)| k == "custom.deep" && v == "v"));
        assert!(all
            .iter()
            .any(|(k, v)| k == "somethingNew[0].a" && v == "1"));
        assert!(all
            .iter()
            .all(|(k, v)| !k.contains('\u{1b}') && !v.contains('\u{1b}')));
        // summary fields are not repeated below
        assert!(!s[1..]
            .iter()
            .flat_map(|s| &s.rows)
            .any(|(k, _)| k == "prompt"));
    }

    #[test]
    fn size_and_file_are_said_once() {
        let mut a = fixture();
        a.mime_type = Some("image/png".into());
        let s = sections(&a, &HashMap::new());
        let summary: HashMap<_, _> = s[0].rows.iter().cloned().collect();
        assert_eq!(summary["File"], "2.0 KiB · image/png");
        let below: Vec<&String> = s[1..]
            .iter()
            .flat_map(|s| &s.rows)
            .map(|(k, _)| k)
            .collect();
        for k in ["size", "width", "height", "mimeType"] {
            assert!(!below.iter().any(|b| *b == k), "{k} repeated: {below:?}");
        }
        let titles: Vec<&str> = s.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Summary", "Asset", "Generation"]);
    }
}
