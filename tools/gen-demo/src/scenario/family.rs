//! One family of six image variations, with lineage and jobs.

use std::fs;
use std::path::Path;

use fastrand::Rng;
use image::ExtendedColorType;
use serde_json::{json, Map};

use super::families::{Family, Op, AUTHORS, G2I, MODELS};
use super::records::{gen_fields, seed_string, updated_after, Done, Rec};
use crate::ids::{aspect, fnv, make_id, ms, DAY, HOUR};
use crate::media::picture::encode;
use crate::paint::filters::{pixelate, posterize};
use crate::Res;

pub fn gen_family(out: &Path, fi: usize, fam: &Family, recs: &mut Vec<Rec>) -> Res<Vec<Done>> {
    let mut done: Vec<Done> = Vec::new();
    let mut rng = Rng::with_seed(fnv(fam.key));
    let base_time = ms(2025, 3, 8, 8) + fi as i64 * 20 * DAY + rng.i64(0..10 * HOUR);
    for (vi, var) in fam.vars.iter().enumerate() {
        let label = format!("{}/{}", fam.key, vi + 1);
        let id = make_id("asset_", &label);
        let mut arng = Rng::with_seed(fnv(&label));
        // scene and size
        let (params, size) = match var.op {
            Op::Upscale(_, pi) => (done[pi].params, (done[pi].size.0 * 2, done[pi].size.1 * 2)),
            _ => (var.p, var.size),
        };
        let parent = match var.op {
            Op::Derive(_, pi) | Op::Upscale(_, pi) => Some(done[pi].clone()),
            _ => None,
        };
        let look = if var.look.is_empty() {
            parent.as_ref().map_or("", |p| p.look)
        } else {
            var.look
        };
        let ty = match var.op {
            Op::Gen(t) | Op::Derive(t, _) | Op::Upscale(t, _) => t,
            Op::Sibling(si) => match fam.vars[si].op {
                Op::Gen(t) => t,
                _ => G2I,
            },
            Op::Uploaded => "uploaded",
        };
        let mut img = (fam.render)(size.0, size.1, &params);
        match ty {
            "restyle" => posterize(&mut img, 6),
            "pixelization" => img = pixelate(&img, 32),
            _ => {}
        }
        let (w, h) = img.dimensions();
        let bytes = encode(img.as_raw(), w, h, ExtendedColorType::Rgb8, var.fmt)?;
        let file = format!("images/{}-{:02}.{}", fam.stem, vi + 1, var.fmt.ext());
        fs::write(out.join(&file), &bytes)?;

        // time line: children after parents, uploads before the first generation
        let created = match var.op {
            _ if vi == 0 => base_time,
            Op::Sibling(si) => done[si].created + arng.i64(1..900),
            Op::Derive(_, pi) | Op::Upscale(_, pi) => {
                done[pi].created + arng.i64(HOUR / 4..2 * DAY)
            }
            Op::Uploaded => base_time - arng.i64(DAY..5 * DAY),
            Op::Gen(_) => base_time + vi as i64 * DAY + arng.i64(0..DAY),
        };
        let updated = updated_after(&mut arng, created);

        // jobs
        let (inference, job, output_index, num_outputs) = match var.op {
            Op::Sibling(si) => {
                done[si].outputs_used += 1;
                (
                    done[si].inference.clone(),
                    done[si].job.clone(),
                    done[si].outputs_used - 1,
                    4,
                )
            }
            _ => (
                make_id("inf_", &format!("inf/{label}")),
                make_id("job_", &format!("job/{label}")),
                0,
                match var.op {
                    Op::Gen(_) => 4,
                    Op::Derive(..) => 2,
                    _ => 1,
                },
            ),
        };

        let mut m = Map::new();
        m.insert("type".into(), json!(ty));
        m.insert("kind".into(), json!("image"));
        if let Some(n) = var.name {
            m.insert("name".into(), json!(n));
        }
        let prompt = format!("{}, {}, {}", fam.subject, look, fam.style);
        let generative = !matches!(var.op, Op::Uploaded | Op::Upscale(..)) && ty != "pixelization";
        if !matches!(var.op, Op::Uploaded) {
            m.insert("prompt".into(), json!(prompt));
        }
        if generative {
            m.insert("negativePrompt".into(), json!(fam.negative));
            let model = if ty == "restyle" { 5 } else { fam.model };
            gen_fields(&mut m, model, seed_string(&mut arng));
        } else if !matches!(var.op, Op::Uploaded) {
            m.insert("seed".into(), json!(seed_string(&mut arng)));
        }
        m.insert("width".into(), json!(w));
        m.insert("height".into(), json!(h));
        m.insert("aspectRatio".into(), json!(aspect(w, h)));
        if generative {
            let md = &MODELS[if ty == "restyle" { 5 } else { fam.model }];
            m.insert("guidance".into(), json!(md.guidance));
            m.insert("numInferenceSteps".into(), json!(md.steps));
            if let Some(s) = md.scheduler {
                m.insert("scheduler".into(), json!(s));
            }
        }
        if !matches!(var.op, Op::Uploaded) {
            m.insert("inferenceId".into(), json!(inference));
            m.insert("parentJobId".into(), json!(job));
            m.insert("outputIndex".into(), json!(output_index));
            m.insert("numOutputs".into(), json!(num_outputs));
        }
        if let Some(p) = &parent {
            m.insert("parentId".into(), json!(p.id));
            m.insert(
                "rootParentId".into(),
                json!(p.root.clone().unwrap_or_else(|| p.id.clone())),
            );
            m.insert("image".into(), json!(p.id));
        }
        match ty {
            "upscale" | "upscale-skybox" | "upscale-texture" => {
                m.insert("scalingFactor".into(), json!(2));
                m.insert("creativity".into(), json!([20, 30, 35][vi % 3]));
                m.insert("detailsLevel".into(), json!(0));
            }
            "inference-img2img" | "inference-img2img-texture" | "skybox-base-360"
                if parent.is_some() =>
            {
                m.insert(
                    "strength".into(),
                    json!([0.35, 0.45, 0.6][arng.usize(0..3)]),
                );
            }
            "restyle" => {
                m.insert("strength".into(), json!(0.7));
                m.insert("style".into(), json!("poster"));
            }
            "inference-controlnet" => {
                m.insert("modality".into(), json!("depth"));
                m.insert("controlEnd".into(), json!(0.8));
            }
            "inference-reference" => {
                if let Some(p) = &parent {
                    m.insert("referenceImages".into(), json!([p.id]));
                }
                m.insert("strength".into(), json!(0.5));
            }
            "inference-inpaint" => {
                m.insert("strength".into(), json!(0.75));
                m.insert(
                    "mask".into(),
                    json!(make_id("asset_", &format!("mask/{label}"))),
                );
            }
            "pixelization" => {
                m.insert("pixelGridSize".into(), json!(32));
                m.insert("colorPaletteSize".into(), json!(16));
                m.insert("removeNoise".into(), json!(true));
            }
            _ => {}
        }

        let description = if matches!(var.op, Op::Upscale(..)) {
            format!("{}, {}, upscaled 2x.", fam.caption, look)
        } else {
            format!("{}, {}.", fam.caption, look)
        };
        let mut tags: Vec<String> = fam
            .tags
            .iter()
            .chain(var.tags)
            .map(|s| (*s).to_string())
            .collect();
        tags.dedup();
        let author = match var.op {
            Op::Uploaded => (fi + 2) % AUTHORS.len(),
            _ if vi == 4 => (fi + 1) % AUTHORS.len(),
            _ => fi % AUTHORS.len(),
        };
        let privacy = match (fam.key, vi) {
            ("landscapes" | "neon-city" | "pixel-art", 0) => "public",
            ("planets", 0) | ("fluid-art", 4) => "unlisted",
            _ => "private",
        };
        recs.push(Rec {
            id: id.clone(),
            file,
            family: fam.key,
            kind: "image",
            mime: var.fmt.mime(),
            author,
            privacy,
            created,
            updated,
            tags,
            description,
            meta: m,
            collections: Vec::new(),
            bytes: bytes.len(),
        });
        done.push(Done {
            id,
            root: parent
                .as_ref()
                .map(|p| p.root.clone().unwrap_or_else(|| p.id.clone())),
            params,
            size: (w, h),
            look,
            created,
            inference,
            job,
            outputs_used: 1,
        });
    }
    Ok(done)
}
