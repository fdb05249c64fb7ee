//! Collection membership from tags and families.

use serde_json::Value;

use super::families::G2I;
use super::records::Rec;

/// Collection membership from tags and families.
pub fn assign_collections(recs: &mut [Rec]) {
    for r in recs.iter_mut() {
        let has = |t: &str| r.tags.iter().any(|x| x == t);
        let ty = r.meta.get("type").and_then(Value::as_str).unwrap_or("");
        let mut c = Vec::new();
        if has("hero") {
            c.push(0);
        }
        let env = matches!(
            r.family,
            "landscapes" | "skyboxes" | "underwater" | "deserts" | "forests"
        );
        if env && (has("concept") || has("hero") || has("reference")) {
            c.push(1);
        }
        let kit = matches!(
            r.family,
            "pixel-art" | "textures" | "texture-maps" | "models-3d" | "audio"
        );
        if kit && !has("draft") {
            c.push(2);
        }
        let night = r.family == "neon-city" && !has("draft")
            || r.family == "planets" && ty == G2I
            || r.family == "animations";
        if night && !c.contains(&0) {
            c.push(3);
        }
        if has("approved") && c.len() < 2 && !c.contains(&2) {
            c.push(4);
        }
        r.collections = c;
    }
}
