//! The Scenario-compatible demo library (`assets/demo/`): the 66 family
//! images, the extras, collections, and `manifest.json`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde_json::{json, Value};

use crate::ids::{iso, make_id, ms, DAY, HOUR};
use crate::Res;

mod collections;
mod extras;
mod families;
mod family;
mod records;

use collections::assign_collections;
use extras::gen_extras;
use families::{families, AUTHORS, COLLECTIONS};
use family::gen_family;
use records::Rec;

/// Clears what the generator owns inside `out`.
fn prepare(out: &Path) -> Res<()> {
    fs::create_dir_all(out)?;
    for d in ["images", "models", "audio", "video"] {
        let p = out.join(d);
        if p.exists() {
            fs::remove_dir_all(&p)?;
        }
        fs::create_dir_all(&p)?;
    }
    let manifest = out.join("manifest.json");
    if manifest.exists() {
        fs::remove_file(manifest)?;
    }
    Ok(())
}

/// Writes the whole library into `out` and prints one line per file.
pub fn generate(out: &Path) -> Res<()> {
    prepare(out)?;
    let fams = families();
    let mut recs = Vec::new();
    let mut all = BTreeMap::new();
    for (fi, fam) in fams.iter().enumerate() {
        let done = gen_family(out, fi, fam, &mut recs)?;
        all.insert(fam.key, done);
    }
    gen_extras(out, &all, &fams, &mut recs)?;
    assign_collections(&mut recs);

    let authors: Vec<Value> = AUTHORS
        .iter()
        .map(|(label, name)| json!({"id": make_id("user_", label), "name": name}))
        .collect();
    let collections: Vec<Value> = COLLECTIONS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let members: Vec<&Rec> = recs.iter().filter(|r| r.collections.contains(&i)).collect();
            let first = members
                .iter()
                .map(|r| r.created)
                .min()
                .unwrap_or(ms(2025, 3, 1, 9));
            let last = members.iter().map(|r| r.created).max().unwrap_or(first);
            json!({
                "id": make_id("coll_", name),
                "name": name,
                "createdAt": iso(first - 2 * DAY + i as i64 * 37 * 60_000),
                "updatedAt": iso(last + HOUR),
            })
        })
        .collect();
    let assets: Vec<Value> = recs
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "file": r.file,
                "family": r.family,
                "kind": r.kind,
                "mimeType": r.mime,
                "authorId": make_id("user_", AUTHORS[r.author].0),
                "privacy": r.privacy,
                "createdAt": iso(r.created),
                "updatedAt": iso(r.updated),
                "tags": r.tags,
                "collectionIds": r.collections.iter().map(|&c| make_id("coll_", COLLECTIONS[c])).collect::<Vec<_>>(),
                "description": r.description,
                "metadata": r.meta,
            })
        })
        .collect();
    let manifest = json!({
        "version": 1,
        "generator": "cargo run --release -p assetui-gen-demo -- assets/demo",
        "ownerId": "proj_demo7Qx2",
        "teamId": "team_demo7Qx2",
        "authors": authors,
        "collections": collections,
        "assets": assets,
    });
    let mut text = serde_json::to_string_pretty(&manifest)?;
    text.push('\n');
    fs::write(out.join("manifest.json"), text)?;

    let total: usize = recs.iter().map(|r| r.bytes).sum();
    for r in &recs {
        let dim = |k: &str| r.meta.get(k).and_then(Value::as_u64);
        let size = match (dim("width"), dim("height")) {
            (Some(w), Some(h)) => format!("{w}x{h}"),
            _ => String::new(),
        };
        let ty = r.meta.get("type").and_then(Value::as_str).unwrap_or("");
        println!("{:>9}  {:<34} {size:<10} {ty}", r.bytes, r.file);
    }
    println!(
        "{} assets, {:.2} MB of files, written to {}",
        recs.len(),
        total as f64 / 1e6,
        out.display()
    );
    Ok(())
}
