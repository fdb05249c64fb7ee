//! Manifest records and the generation fields they share.

use fastrand::Rng;
use serde_json::{json, Map, Value};

use super::families::MODELS;
use crate::ids::{make_id, ms, DAY, HOUR};
use crate::paint::canvas::Params;

pub struct Rec {
    pub id: String,
    pub file: String,
    pub family: &'static str,
    pub kind: &'static str,
    pub mime: &'static str,
    pub author: usize,
    pub privacy: &'static str,
    pub created: i64,
    pub updated: i64,
    pub tags: Vec<String>,
    pub description: String,
    pub meta: Map<String, Value>,
    /// Index into COLLECTIONS.
    pub collections: Vec<usize>,
    pub bytes: usize,
}

/// What a generated variation left behind, for its children.
#[derive(Clone)]
pub struct Done {
    pub id: String,
    pub root: Option<String>,
    pub params: Params,
    pub size: (u32, u32),
    pub look: &'static str,
    pub created: i64,
    pub inference: String,
    pub job: String,
    pub outputs_used: u32,
}

pub fn seed_string(rng: &mut Rng) -> String {
    rng.u32(100_000_000..u32::MAX).to_string()
}

pub fn updated_after(rng: &mut Rng, created: i64) -> i64 {
    let limit = ms(2025, 11, 28, 18);
    let t = match rng.u32(0..3) {
        0 => created,
        1 => created + rng.i64(1..6 * HOUR),
        _ => created + rng.i64(DAY..20 * DAY),
    };
    t.min(limit).max(created)
}

/// Generation parameters shared by generative types.
pub fn gen_fields(m: &mut Map<String, Value>, model: usize, seed: String) {
    let md = &MODELS[model];
    m.insert("seed".into(), json!(seed));
    m.insert("modelId".into(), json!(make_id("model_", md.label)));
    m.insert("modelType".into(), json!(md.kind));
    if let Some(b) = md.base {
        m.insert(
            "baseModelId".into(),
            json!(make_id("model_", MODELS[b].label)),
        );
    }
}
