//! A low-poly rock as binary glTF 2.0.

use std::collections::BTreeMap;

use serde_json::json;

use crate::paint::noise::fbm;
use crate::Res;

/// The GLB bytes and the triangle count.
pub fn rock_glb(seed: u32) -> Res<(Vec<u8>, usize)> {
    let t = (1.0 + 5f32.sqrt()) / 2.0;
    let mut verts: Vec<[f32; 3]> = [
        [-1.0, t, 0.0],
        [1.0, t, 0.0],
        [-1.0, -t, 0.0],
        [1.0, -t, 0.0],
        [0.0, -1.0, t],
        [0.0, 1.0, t],
        [0.0, -1.0, -t],
        [0.0, 1.0, -t],
        [t, 0.0, -1.0],
        [t, 0.0, 1.0],
        [-t, 0.0, -1.0],
        [-t, 0.0, 1.0],
    ]
    .iter()
    .map(|v| norm3(*v))
    .collect();
    let mut faces: Vec<[u32; 3]> = vec![
        [0, 11, 5],
        [0, 5, 1],
        [0, 1, 7],
        [0, 7, 10],
        [0, 10, 11],
        [1, 5, 9],
        [5, 11, 4],
        [11, 10, 2],
        [10, 7, 6],
        [7, 1, 8],
        [3, 9, 4],
        [3, 4, 2],
        [3, 2, 6],
        [3, 6, 8],
        [3, 8, 9],
        [4, 9, 5],
        [2, 4, 11],
        [6, 2, 10],
        [8, 6, 7],
        [9, 8, 1],
    ];
    // two subdivisions (320 triangles), midpoints cached so shared edges stay welded
    let mut cache: BTreeMap<(u32, u32), u32> = BTreeMap::new();
    let mut mid = |a: u32, b: u32, verts: &mut Vec<[f32; 3]>| -> u32 {
        let key = (a.min(b), a.max(b));
        *cache.entry(key).or_insert_with(|| {
            let (va, vb) = (verts[a as usize], verts[b as usize]);
            verts.push(norm3([
                (va[0] + vb[0]) / 2.0,
                (va[1] + vb[1]) / 2.0,
                (va[2] + vb[2]) / 2.0,
            ]));
            (verts.len() - 1) as u32
        })
    };
    for _ in 0..2 {
        let mut sub = Vec::with_capacity(faces.len() * 4);
        for &[a, b, c] in &faces {
            let ab = mid(a, b, &mut verts);
            let bc = mid(b, c, &mut verts);
            let ca = mid(c, a, &mut verts);
            sub.extend([[a, ab, ca], [b, bc, ab], [c, ca, bc], [ab, bc, ca]]);
        }
        faces = sub;
    }
    // lumpy, squat, flat-bottomed
    for v in verts.iter_mut() {
        let r = 1.0
            + 0.22
                * fbm(
                    v[0] * 1.3 + v[2] * 0.7 + 4.0,
                    v[1] * 1.3 - v[2] * 0.5,
                    3,
                    seed,
                );
        *v = [
            v[0] * r * 1.0,
            (v[1] * r * 0.68).max(-0.45),
            v[2] * r * 0.85,
        ];
    }
    // flat shading: three vertices per face with the face normal
    let (mut pos, mut nrm, mut idx) = (Vec::new(), Vec::new(), Vec::new());
    for [a, b, c] in &faces {
        let (mut pa, pb, mut pc) = (verts[*a as usize], verts[*b as usize], verts[*c as usize]);
        let mut n = norm3(cross(sub3(pb, pa), sub3(pc, pa)));
        let centroid = [
            (pa[0] + pb[0] + pc[0]) / 3.0,
            (pa[1] + pb[1] + pc[1]) / 3.0,
            (pa[2] + pb[2] + pc[2]) / 3.0,
        ];
        if n[0] * centroid[0] + n[1] * centroid[1] + n[2] * centroid[2] < 0.0 {
            std::mem::swap(&mut pa, &mut pc);
            n = [-n[0], -n[1], -n[2]];
        }
        for p in [pa, pb, pc] {
            idx.push(pos.len() as u16);
            pos.push(p);
            nrm.push(n);
        }
    }
    let count = pos.len();
    let mut min = [f32::MAX; 3];
    let mut max = [f32::MIN; 3];
    for p in &pos {
        for k in 0..3 {
            min[k] = min[k].min(p[k]);
            max[k] = max[k].max(p[k]);
        }
    }
    let mut bin = Vec::new();
    for v in pos.iter().chain(nrm.iter()) {
        for c in v {
            bin.extend(c.to_le_bytes());
        }
    }
    let idx_off = bin.len();
    for i in &idx {
        bin.extend(i.to_le_bytes());
    }
    let idx_len = bin.len() - idx_off;
    while bin.len() % 4 != 0 {
        bin.push(0);
    }
    let vec_len = count * 12;
    let gltf = json!({
        "asset": {"version": "2.0", "generator": "assetui gen_demo"},
        "scene": 0,
        "scenes": [{"name": "Scene", "nodes": [0]}],
        "nodes": [{"name": "Boulder", "mesh": 0}],
        "meshes": [{"name": "Boulder", "primitives": [{
            "attributes": {"POSITION": 0, "NORMAL": 1},
            "indices": 2, "material": 0, "mode": 4
        }]}],
        "materials": [{
            "name": "Weathered stone",
            "pbrMetallicRoughness": {
                "baseColorFactor": [0.46, 0.41, 0.36, 1.0],
                "metallicFactor": 0.0,
                "roughnessFactor": 0.92
            }
        }],
        "buffers": [{"byteLength": bin.len()}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": vec_len, "byteStride": 12, "target": 34962},
            {"buffer": 0, "byteOffset": vec_len, "byteLength": vec_len, "byteStride": 12, "target": 34962},
            {"buffer": 0, "byteOffset": idx_off, "byteLength": idx_len, "target": 34963}
        ],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": count, "type": "VEC3",
             "min": min.map(f64::from), "max": max.map(f64::from)},
            {"bufferView": 1, "componentType": 5126, "count": count, "type": "VEC3"},
            {"bufferView": 2, "componentType": 5123, "count": count, "type": "SCALAR"}
        ]
    });
    let mut js = serde_json::to_vec(&gltf)?;
    while js.len() % 4 != 0 {
        js.push(b' ');
    }
    let total = 12 + 8 + js.len() + 8 + bin.len();
    let mut out = Vec::with_capacity(total);
    out.extend(b"glTF");
    out.extend(2u32.to_le_bytes());
    out.extend(u32::try_from(total)?.to_le_bytes());
    out.extend(u32::try_from(js.len())?.to_le_bytes());
    out.extend(0x4E4F_534Au32.to_le_bytes()); // "JSON"
    out.extend(&js);
    out.extend(u32::try_from(bin.len())?.to_le_bytes());
    out.extend(0x004E_4942u32.to_le_bytes()); // "BIN\0"
    out.extend(&bin);
    Ok((out, faces.len()))
}

pub fn norm3(v: [f32; 3]) -> [f32; 3] {
    let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    [v[0] / n, v[1] / n, v[2] / n]
}

pub fn sub3(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

pub fn cross(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
