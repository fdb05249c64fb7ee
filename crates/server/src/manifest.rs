//! The demo library's manifest (`assets/demo/manifest.json`), as written by
//! `tools/gen-demo` (`cargo run --release -p assetui-gen-demo --
//! assets/demo`), and the files embedded at build time.

use serde::Deserialize;

use assetui_api::models::{AssetMetadata, Extra};

include!(concat!(env!("OUT_DIR"), "/demo_files.rs"));

/// The bytes of an embedded demo file.
pub fn demo_file(path: &str) -> Option<&'static [u8]> {
    DEMO_FILES.iter().find(|(p, _)| *p == path).map(|(_, b)| *b)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    #[serde(default)]
    pub owner_id: String,
    #[serde(default)]
    pub team_id: String,
    #[serde(default)]
    pub authors: Vec<Author>,
    #[serde(default)]
    pub collections: Vec<ManifestCollection>,
    pub assets: Vec<ManifestAsset>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Author {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestCollection {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestAsset {
    pub id: String,
    pub file: String,
    #[serde(default)]
    pub family: Option<String>,
    pub kind: String,
    pub mime_type: String,
    pub author_id: String,
    pub privacy: String,
    pub created_at: String,
    pub updated_at: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub collection_ids: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub metadata: AssetMetadata,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The embedded manifest, parsed.
pub fn embedded() -> Result<Manifest, String> {
    let bytes = demo_file("manifest.json").ok_or_else(|| {
        "the demo library is missing from this build (assets/demo/manifest.json)".to_string()
    })?;
    serde_json::from_slice(bytes).map_err(|e| format!("the demo manifest is invalid: {e}"))
}
