//! The assets outside the families: derived maps, a 3D model, a sound and
//! an animation.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use fastrand::Rng;
use image::ExtendedColorType;
use serde_json::{json, Map, Value};

use super::families::Family;
use super::records::{updated_after, Done, Rec};
use crate::ids::{aspect, fnv, make_id, ms, HOUR};
use crate::media::chime::{chime_wav, SAMPLE_RATE};
use crate::media::glb::rock_glb;
use crate::media::picture::{encode, gif_spin, Fmt};
use crate::paint::portrait::portrait_cutout;
use crate::paint::stone::stone_normal_map;
use crate::Res;

/// Assets that are not one of the 66 family images: derived maps, a 3D
/// model, a sound and an animation.
pub fn gen_extras(
    out: &Path,
    all: &BTreeMap<&'static str, Vec<Done>>,
    fams: &[Family],
    recs: &mut Vec<Rec>,
) -> Res<()> {
    let get = |k: &str, i: usize| -> Res<(&Done, &Family)> {
        let d = all
            .get(k)
            .and_then(|v| v.get(i))
            .ok_or_else(|| format!("missing {k}/{i}"))?;
        let f = fams
            .iter()
            .find(|f| f.key == k)
            .ok_or_else(|| format!("missing family {k}"))?;
        Ok((d, f))
    };
    let lineage = |m: &mut Map<String, Value>, p: &Done| {
        m.insert("parentId".into(), json!(p.id));
        m.insert(
            "rootParentId".into(),
            json!(p.root.clone().unwrap_or_else(|| p.id.clone())),
        );
        m.insert("image".into(), json!(p.id));
    };
    let job = |m: &mut Map<String, Value>, label: &str| {
        m.insert(
            "inferenceId".into(),
            json!(make_id("inf_", &format!("inf/{label}"))),
        );
        m.insert(
            "parentJobId".into(),
            json!(make_id("job_", &format!("job/{label}"))),
        );
        m.insert("outputIndex".into(), json!(0));
        m.insert("numOutputs".into(), json!(1));
    };
    let mut push = |label: &str,
                    file: String,
                    family: &'static str,
                    kind: &'static str,
                    mime: &'static str,
                    bytes: &[u8],
                    author: usize,
                    created: i64,
                    tags: &[&str],
                    description: String,
                    meta: Map<String, Value>|
     -> Res<()> {
        fs::write(out.join(&file), bytes)?;
        let mut arng = Rng::with_seed(fnv(label));
        recs.push(Rec {
            id: make_id("asset_", label),
            file,
            family,
            kind,
            mime,
            author,
            privacy: "private",
            created,
            updated: updated_after(&mut arng, created),
            tags: tags.iter().map(|s| (*s).to_string()).collect(),
            description,
            meta,
            collections: Vec::new(),
            bytes: bytes.len(),
        });
        Ok(())
    };

    // normal map of the first texture
    {
        let (p, fam) = get("textures", 0)?;
        let img = stone_normal_map(p.size.0, p.size.1, &p.params);
        let (w, h) = img.dimensions();
        let bytes = encode(img.as_raw(), w, h, ExtendedColorType::Rgb8, Fmt::Png)?;
        let label = "texture-maps/1";
        let mut m = Map::new();
        m.insert("type".into(), json!("texture-normal"));
        m.insert("kind".into(), json!("image"));
        m.insert("name".into(), json!("Riverstone normal"));
        m.insert("width".into(), json!(w));
        m.insert("height".into(), json!(h));
        m.insert("aspectRatio".into(), json!(aspect(w, h)));
        job(&mut m, label);
        lineage(&mut m, p);
        let desc = format!(
            "Tangent-space normal map (OpenGL, +Y up) computed from the height of: {}.",
            fam.caption.to_lowercase()
        );
        push(
            label,
            "images/texture-01-normal.png".into(),
            "texture-maps",
            "image",
            "image/png",
            &bytes,
            2,
            p.created + 3 * HOUR,
            &["texture", "pbr", "normal-map", "approved"],
            desc,
            m,
        )?;
    }
    // background removal of the first portrait
    {
        let (p, fam) = get("portraits", 0)?;
        let img = portrait_cutout(p.size.0, p.size.1, &p.params);
        let (w, h) = img.dimensions();
        let bytes = encode(img.as_raw(), w, h, ExtendedColorType::Rgba8, Fmt::Png)?;
        let label = "cutouts/1";
        let mut m = Map::new();
        m.insert("type".into(), json!("background-removal"));
        m.insert("kind".into(), json!("image"));
        m.insert("width".into(), json!(w));
        m.insert("height".into(), json!(h));
        m.insert("aspectRatio".into(), json!(aspect(w, h)));
        job(&mut m, label);
        lineage(&mut m, p);
        let desc = format!(
            "{} with the backdrop removed, on a transparent background.",
            fam.caption.split(" against").next().unwrap_or(fam.caption)
        );
        push(
            label,
            "images/portrait-01-cutout.png".into(),
            "cutouts",
            "image",
            "image/png",
            &bytes,
            0,
            p.created + 5 * HOUR,
            &["portrait", "silhouette", "cutout", "wip"],
            desc,
            m,
        )?;
    }
    // a low-poly rock made from the first stone texture
    {
        let (p, _) = get("textures", 0)?;
        let (bytes, triangles) = rock_glb(7)?;
        let label = "models-3d/1";
        let mut m = Map::new();
        m.insert("type".into(), json!("img23d"));
        m.insert("kind".into(), json!("3d"));
        m.insert("name".into(), json!("Riverstone boulder"));
        m.insert("prompt".into(), json!("low-poly weathered river boulder with rounded edges, flat shaded, game-ready prop, single closed mesh, neutral grey-brown stone, no texture"));
        m.insert("seed".into(), json!("3318274905"));
        job(&mut m, label);
        lineage(&mut m, p);
        m.insert("polycount".into(), json!(triangles));
        push(
            label,
            "models/riverstone-boulder.glb".into(),
            "models-3d",
            "3d",
            "model/gltf-binary",
            &bytes,
            2,
            ms(2025, 11, 4, 10) + 37 * 60_000,
            &["3d", "prop", "stone", "game-asset", "wip"],
            format!(
                "A low-poly, flat-shaded river boulder ({triangles} triangles) as binary glTF."
            ),
            m,
        )?;
    }
    // a chime
    {
        let bytes = chime_wav();
        let label = "audio/1";
        let mut m = Map::new();
        m.insert("type".into(), json!("txt2audio"));
        m.insert("kind".into(), json!("audio"));
        m.insert("name".into(), json!("Glass chime"));
        m.insert("prompt".into(), json!("bright glass chime arpeggio rising over five notes, soft attack, long shimmering decay, clean UI reward sound effect"));
        m.insert("seed".into(), json!("904417263"));
        job(&mut m, label);
        m.insert("duration".into(), json!(2.0));
        m.insert("sampleRate".into(), json!(SAMPLE_RATE));
        m.insert("channels".into(), json!(1));
        push(
            label,
            "audio/glass-chime.wav".into(),
            "audio",
            "audio",
            "audio/wav",
            &bytes,
            1,
            ms(2025, 11, 12, 15) + 4 * 60_000,
            &["audio", "sfx", "ui", "draft"],
            "A two-second rising chime arpeggio with a bell-like decay.".into(),
            m,
        )?;
    }
    // a spinning planet
    {
        let (p, _) = get("planets", 0)?;
        let frames = 12;
        let bytes = gif_spin(&p.params, 256, frames)?;
        let label = "animations/1";
        let mut m = Map::new();
        m.insert("type".into(), json!("img2video"));
        m.insert("kind".into(), json!("video"));
        m.insert("name".into(), json!("Ochre giant spin"));
        m.insert("prompt".into(), json!("slow seamless rotation of the banded gas giant, storm bands drifting, static starfield, looping animation"));
        m.insert("seed".into(), json!("1750093381"));
        m.insert("width".into(), json!(256));
        m.insert("height".into(), json!(256));
        m.insert("aspectRatio".into(), json!("1:1"));
        job(&mut m, label);
        lineage(&mut m, p);
        m.insert("duration".into(), json!(f64::from(frames) * 0.09));
        m.insert("frameCount".into(), json!(frames));
        push(
            label,
            "video/planet-spin.gif".into(),
            "animations",
            "video",
            "image/gif",
            &bytes,
            0,
            ms(2025, 10, 20, 16) + 12 * 60_000,
            &["space", "planet", "animation", "loop", "hero"],
            "A banded gas giant rotating in a seamless 12-frame loop against a starfield.".into(),
            m,
        )?;
    }
    Ok(())
}
