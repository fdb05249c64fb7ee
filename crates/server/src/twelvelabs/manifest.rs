//! The TwelveLabs demo library's manifest (`assets/twelvelabs/manifest.json`,
//! the format agreed with its generator) and the files embedded at build
//! time. Unknown keys are tolerated.

use serde::Deserialize;
use serde_json::{Map, Value};

include!(concat!(env!("OUT_DIR"), "/twelvelabs_files.rs"));

/// The bytes of an embedded file of the library.
pub fn file(path: &str) -> Option<&'static [u8]> {
    TWELVELABS_FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, b)| *b)
}

#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    pub assets: Vec<ManifestAsset>,
    #[serde(default)]
    pub indexes: Vec<ManifestIndex>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ManifestAsset {
    pub id: String,
    pub filename: String,
    pub asset_type: String,
    pub file: String,
    pub mime_type: String,
    pub created_at: String,
    #[serde(default)]
    pub duration: Option<f64>,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    #[serde(default)]
    pub fps: Option<f64>,
    #[serde(default)]
    pub sample_rate: Option<u32>,
    #[serde(default)]
    pub channels: Option<u32>,
    #[serde(default)]
    pub thumbnail: Option<String>,
    #[serde(default)]
    pub hls: Option<String>,
    #[serde(default)]
    pub family: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub user_metadata: Option<Map<String, Value>>,
    #[serde(default)]
    pub clips: Vec<ManifestClip>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ManifestClip {
    pub start: f64,
    pub end: f64,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub thumbnail: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ManifestIndex {
    pub id: String,
    pub index_name: String,
    pub created_at: String,
    #[serde(default)]
    pub models: Vec<Value>,
    #[serde(default)]
    pub asset_ids: Vec<String>,
}

/// The embedded manifest, parsed; a clear error when the build has none.
pub fn embedded() -> Result<Manifest, String> {
    let bytes = file("manifest.json").ok_or_else(|| {
        "the TwelveLabs demo library is missing from this build \
         (assets/twelvelabs/manifest.json): generate it with \
         `cargo run --release -p assetui-gen-demo -- --twelvelabs assets/twelvelabs` and rebuild"
            .to_string()
    })?;
    serde_json::from_slice(bytes)
        .map_err(|e| format!("the TwelveLabs demo manifest is invalid: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_file_the_manifest_names_is_embedded() {
        let m = super::embedded().unwrap();
        assert!(!m.assets.is_empty());
        for a in &m.assets {
            assert!(super::file(&a.file).is_some(), "{}", a.file);
            for p in a.thumbnail.iter().chain(a.hls.iter()) {
                assert!(super::file(p).is_some(), "{p}");
            }
            for c in &a.clips {
                if let Some(p) = &c.thumbnail {
                    assert!(super::file(p).is_some(), "{p}");
                }
            }
        }
    }
}
