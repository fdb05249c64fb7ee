//! Wavefront OBJ from the meshes of a glTF file: `o` per mesh, `v`, `vt`,
//! `vn` and `f v/vt/vn` with 1-based indices counted over the whole file.
//!
//! One file, no `.mtl`: a download is a single file, so a material library
//! beside it would be lost (and a zip for one colour is overkill). Each
//! mesh's material is written as a comment (`# material "name": base
//! colour r g b a`, glTF's linear factors) and no `usemtl` names a library
//! that is not there. glTF's texture origin is the top left, OBJ's the
//! bottom left: `vt` is written as `u 1-v`. Both are Y-up, right-handed.

use std::fmt::Write as _;

use super::glb::Mesh;

/// The OBJ text of `meshes`.
pub fn write(meshes: &[Mesh]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# converted from glTF by assetui");
    let (mut v0, mut vt0, mut vn0) = (1usize, 1usize, 1usize);
    for m in meshes {
        let name = one_line(&m.name);
        let _ = writeln!(out, "o {}", if name.is_empty() { "mesh" } else { &name });
        if let Some(mat) = &m.material {
            let [r, g, b, a] = mat.base_color;
            let _ = writeln!(
                out,
                "# material \"{}\": base colour {r} {g} {b} {a}",
                one_line(&mat.name)
            );
        }
        for [x, y, z] in &m.positions {
            let _ = writeln!(out, "v {x} {y} {z}");
        }
        for [u, v] in &m.uvs {
            let _ = writeln!(out, "vt {u} {}", 1.0 - v);
        }
        for [x, y, z] in &m.normals {
            let _ = writeln!(out, "vn {x} {y} {z}");
        }
        let corner = |i: u32| {
            let i = i as usize;
            match (m.uvs.is_empty(), m.normals.is_empty()) {
                (true, true) => format!("{}", v0 + i),
                (false, true) => format!("{}/{}", v0 + i, vt0 + i),
                (true, false) => format!("{}//{}", v0 + i, vn0 + i),
                (false, false) => format!("{}/{}/{}", v0 + i, vt0 + i, vn0 + i),
            }
        };
        for [a, b, c] in &m.triangles {
            let _ = writeln!(out, "f {} {} {}", corner(*a), corner(*b), corner(*c));
        }
        v0 += m.positions.len();
        vt0 += m.uvs.len();
        vn0 += m.normals.len();
    }
    out
}

/// A name on one line of ASCII-safe text (OBJ names end at the line).
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect::<String>()
        .trim()
        .to_string()
}
