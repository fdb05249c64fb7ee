//! A bounded reader of binary glTF 2.0 (`.glb`): the triangles of every
//! mesh the default scene draws, with node transforms applied, ready for
//! the OBJ and FBX writers. The file is untrusted: every count, offset,
//! length and index is checked, and anything outside the subset read here
//! (external or data-URI buffers, sparse accessors, points and lines) is a
//! clear error, never a panic.

use serde::Deserialize;

/// At most this many vertices and triangles over the whole scene.
pub const MAX_VERTICES: usize = 4_000_000;
pub const MAX_TRIANGLES: usize = 4_000_000;
/// Node nesting deeper than this is refused (and so are cycles).
const MAX_DEPTH: usize = 64;
/// Mesh instances drawn by the scene (a node graph can reuse meshes).
const MAX_INSTANCES: usize = 10_000;
/// Nodes visited while walking the scene (a node listed as the child of
/// many would otherwise multiply the walk).
const MAX_VISITS: usize = 100_000;

/// What the walk has used so far.
#[derive(Default)]
struct Budget {
    vertices: usize,
    triangles: usize,
    visits: usize,
}

/// One drawn primitive, in scene space.
#[derive(Debug, Clone, PartialEq)]
pub struct Mesh {
    /// The node's name, else the mesh's, else `mesh{n}`.
    pub name: String,
    pub positions: Vec<[f32; 3]>,
    /// Empty, or one per position.
    pub normals: Vec<[f32; 3]>,
    /// Empty, or one per position; glTF's origin (top left).
    pub uvs: Vec<[f32; 2]>,
    /// Counter-clockwise triangles indexing `positions`.
    pub triangles: Vec<[u32; 3]>,
    pub material: Option<Material>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Material {
    pub name: String,
    /// `pbrMetallicRoughness.baseColorFactor` (linear RGBA).
    pub base_color: [f32; 4],
}

#[derive(Deserialize)]
struct Gltf {
    #[serde(default)]
    scene: Option<usize>,
    #[serde(default)]
    scenes: Vec<Scene>,
    #[serde(default)]
    nodes: Vec<Node>,
    #[serde(default)]
    meshes: Vec<GMesh>,
    #[serde(default)]
    materials: Vec<GMaterial>,
    #[serde(default)]
    buffers: Vec<Buffer>,
    #[serde(default, rename = "bufferViews")]
    buffer_views: Vec<BufferView>,
    #[serde(default)]
    accessors: Vec<Accessor>,
}

#[derive(Deserialize)]
struct Scene {
    #[serde(default)]
    nodes: Vec<usize>,
}

#[derive(Deserialize)]
struct Node {
    name: Option<String>,
    mesh: Option<usize>,
    #[serde(default)]
    children: Vec<usize>,
    matrix: Option<[f32; 16]>,
    translation: Option<[f32; 3]>,
    rotation: Option<[f32; 4]>,
    scale: Option<[f32; 3]>,
}

#[derive(Deserialize)]
struct GMesh {
    name: Option<String>,
    primitives: Vec<Primitive>,
}

#[derive(Deserialize)]
struct Primitive {
    attributes: Attributes,
    indices: Option<usize>,
    material: Option<usize>,
    #[serde(default = "triangles_mode")]
    mode: u32,
}

fn triangles_mode() -> u32 {
    4
}

#[derive(Deserialize)]
struct Attributes {
    #[serde(rename = "POSITION")]
    position: Option<usize>,
    #[serde(rename = "NORMAL")]
    normal: Option<usize>,
    #[serde(rename = "TEXCOORD_0")]
    texcoord: Option<usize>,
}

#[derive(Deserialize)]
struct GMaterial {
    name: Option<String>,
    #[serde(rename = "pbrMetallicRoughness")]
    pbr: Option<Pbr>,
}

#[derive(Deserialize)]
struct Pbr {
    #[serde(rename = "baseColorFactor")]
    base_color: Option<[f32; 4]>,
}

#[derive(Deserialize)]
struct Buffer {
    uri: Option<String>,
    #[serde(rename = "byteLength")]
    byte_length: usize,
}

#[derive(Deserialize)]
struct BufferView {
    buffer: usize,
    #[serde(default, rename = "byteOffset")]
    byte_offset: usize,
    #[serde(rename = "byteLength")]
    byte_length: usize,
    #[serde(rename = "byteStride")]
    byte_stride: Option<usize>,
}

#[derive(Deserialize)]
struct Accessor {
    #[serde(rename = "bufferView")]
    buffer_view: Option<usize>,
    #[serde(default, rename = "byteOffset")]
    byte_offset: usize,
    #[serde(rename = "componentType")]
    component_type: u32,
    #[serde(default)]
    normalized: bool,
    count: usize,
    #[serde(rename = "type")]
    kind: String,
    sparse: Option<serde_json::Value>,
}

/// Reads the meshes of a GLB file's default scene.
pub fn read(bytes: &[u8]) -> Result<Vec<Mesh>, String> {
    let (json, bin) = chunks(bytes)?;
    let gltf: Gltf =
        serde_json::from_slice(json).map_err(|e| format!("the glTF JSON is not valid: {e}"))?;
    let file = File { gltf: &gltf, bin };
    let roots: Vec<usize> = match (gltf.scene, gltf.scenes.is_empty()) {
        (Some(s), _) => gltf
            .scenes
            .get(s)
            .ok_or_else(|| format!("scene {s} does not exist"))?
            .nodes
            .clone(),
        (None, false) => gltf.scenes[0].nodes.clone(),
        // no scene: every node that is nobody's child
        (None, true) => (0..gltf.nodes.len())
            .filter(|i| !gltf.nodes.iter().any(|n| n.children.contains(i)))
            .collect(),
    };
    let mut out = Vec::new();
    let mut budget = Budget::default();
    for root in roots {
        file.walk(root, IDENTITY, 0, &mut out, &mut budget)?;
    }
    if out.is_empty() {
        return Err("the glTF scene draws no triangles".into());
    }
    Ok(out)
}

/// The JSON and BIN chunks of a GLB container.
fn chunks(b: &[u8]) -> Result<(&[u8], &[u8]), String> {
    let u32_at = |at: usize| -> Option<usize> {
        b.get(at..at + 4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
    };
    if b.get(..4) != Some(b"glTF") {
        return Err("not a binary glTF file (no glTF magic)".into());
    }
    if u32_at(4) != Some(2) {
        return Err("only glTF 2.0 can be converted".into());
    }
    let total = u32_at(8).ok_or("the GLB header is cut short")?;
    if total > b.len() {
        return Err("the GLB file is shorter than its header says".into());
    }
    let b = &b[..total];
    let (mut json, mut bin) = (None, &[][..]);
    let mut at = 12;
    while at + 8 <= b.len() {
        let len = u32_at(at).ok_or("a GLB chunk header is cut short")?;
        let kind = u32_at(at + 4).ok_or("a GLB chunk header is cut short")?;
        let data = b
            .get(at + 8..at + 8 + len)
            .ok_or("a GLB chunk runs past the end of the file")?;
        match kind {
            0x4E4F_534A if json.is_none() => json = Some(data),
            0x004E_4942 if bin.is_empty() => bin = data,
            _ => {}
        }
        at += 8 + len;
    }
    Ok((json.ok_or("the GLB file has no JSON chunk")?, bin))
}

type Mat4 = [f32; 16];
const IDENTITY: Mat4 = [
    1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0,
];

/// Column-major product `a * b`.
fn mul(a: &Mat4, b: &Mat4) -> Mat4 {
    let mut m = [0.0; 16];
    for c in 0..4 {
        for r in 0..4 {
            m[c * 4 + r] = (0..4).map(|k| a[k * 4 + r] * b[c * 4 + k]).sum();
        }
    }
    m
}

/// A node's local matrix: `matrix`, else translation * rotation * scale.
fn local(n: &Node) -> Mat4 {
    if let Some(m) = n.matrix {
        return m;
    }
    let [tx, ty, tz] = n.translation.unwrap_or([0.0; 3]);
    let [x, y, z, w] = n.rotation.unwrap_or([0.0, 0.0, 0.0, 1.0]);
    let [sx, sy, sz] = n.scale.unwrap_or([1.0; 3]);
    let r = [
        1.0 - 2.0 * (y * y + z * z),
        2.0 * (x * y + z * w),
        2.0 * (x * z - y * w),
        2.0 * (x * y - z * w),
        1.0 - 2.0 * (x * x + z * z),
        2.0 * (y * z + x * w),
        2.0 * (x * z + y * w),
        2.0 * (y * z - x * w),
        1.0 - 2.0 * (x * x + y * y),
    ];
    [
        r[0] * sx,
        r[1] * sx,
        r[2] * sx,
        0.0,
        r[3] * sy,
        r[4] * sy,
        r[5] * sy,
        0.0,
        r[6] * sz,
        r[7] * sz,
        r[8] * sz,
        0.0,
        tx,
        ty,
        tz,
        1.0,
    ]
}

fn transform_point(m: &Mat4, p: [f32; 3]) -> [f32; 3] {
    [0, 1, 2].map(|r| m[r] * p[0] + m[4 + r] * p[1] + m[8 + r] * p[2] + m[12 + r])
}

/// The cofactor matrix of the upper 3x3 (the inverse transpose times the
/// determinant) and the determinant: normals go through the first.
fn normal_matrix(m: &Mat4) -> ([[f32; 3]; 3], f32) {
    let a = |r: usize, c: usize| m[c * 4 + r];
    let mut cof = [[0.0f32; 3]; 3];
    for (r, row) in cof.iter_mut().enumerate() {
        for (c, v) in row.iter_mut().enumerate() {
            let (r1, r2) = ((r + 1) % 3, (r + 2) % 3);
            let (c1, c2) = ((c + 1) % 3, (c + 2) % 3);
            *v = a(r1, c1) * a(r2, c2) - a(r1, c2) * a(r2, c1);
        }
    }
    let det = a(0, 0) * cof[0][0] + a(0, 1) * cof[0][1] + a(0, 2) * cof[0][2];
    (cof, det)
}

fn transform_normal(cof: &[[f32; 3]; 3], sign: f32, n: [f32; 3]) -> [f32; 3] {
    let v = [0, 1, 2].map(|r| (cof[r][0] * n[0] + cof[r][1] * n[1] + cof[r][2] * n[2]) * sign);
    let len = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    if len > 0.0 && len.is_finite() {
        v.map(|c| c / len)
    } else {
        n
    }
}

struct File<'a> {
    gltf: &'a Gltf,
    bin: &'a [u8],
}

impl File<'_> {
    fn walk(
        &self,
        index: usize,
        parent: Mat4,
        depth: usize,
        out: &mut Vec<Mesh>,
        budget: &mut Budget,
    ) -> Result<(), String> {
        budget.visits += 1;
        if budget.visits > MAX_VISITS {
            return Err(format!("the scene visits more than {MAX_VISITS} nodes"));
        }
        if depth > MAX_DEPTH {
            return Err(format!(
                "the node tree is deeper than {MAX_DEPTH} (or loops)"
            ));
        }
        let node = self
            .gltf
            .nodes
            .get(index)
            .ok_or_else(|| format!("node {index} does not exist"))?;
        let world = mul(&parent, &local(node));
        if let Some(m) = node.mesh {
            let mesh = self
                .gltf
                .meshes
                .get(m)
                .ok_or_else(|| format!("mesh {m} does not exist"))?;
            for (p, prim) in mesh.primitives.iter().enumerate() {
                if out.len() >= MAX_INSTANCES {
                    return Err(format!("the scene draws more than {MAX_INSTANCES} meshes"));
                }
                let name = node
                    .name
                    .clone()
                    .or_else(|| mesh.name.clone())
                    .unwrap_or_else(|| format!("mesh{m}"));
                let name = if mesh.primitives.len() > 1 {
                    format!("{name}.{p}")
                } else {
                    name
                };
                let drawn = self.primitive(prim, name, &world, budget)?;
                out.push(drawn);
            }
        }
        for &c in &node.children {
            self.walk(c, world, depth + 1, out, budget)?;
        }
        Ok(())
    }

    fn primitive(
        &self,
        prim: &Primitive,
        name: String,
        world: &Mat4,
        budget: &mut Budget,
    ) -> Result<Mesh, String> {
        let pos = prim
            .attributes
            .position
            .ok_or_else(|| format!("{name}: a primitive has no POSITION"))?;
        let positions: Vec<[f32; 3]> = self.floats::<3>(pos, budget.vertices)?;
        let n = positions.len();
        budget.vertices += n;
        let normals = match prim.attributes.normal {
            Some(a) => self.floats::<3>(a, 0)?,
            None => Vec::new(),
        };
        let uvs = match prim.attributes.texcoord {
            Some(a) => self.floats::<2>(a, 0)?,
            None => Vec::new(),
        };
        if (!normals.is_empty() && normals.len() != n) || (!uvs.is_empty() && uvs.len() != n) {
            return Err(format!(
                "{name}: NORMAL or TEXCOORD_0 has another count than POSITION"
            ));
        }
        let order: Vec<u32> = match prim.indices {
            Some(a) => self.indices(a)?,
            None => (0..u32::try_from(n).map_err(|_| "too many vertices")?).collect(),
        };
        if let Some(bad) = order.iter().find(|&&i| i as usize >= n) {
            return Err(format!("{name}: index {bad} is past the {n} vertices"));
        }
        let triangles = assemble(&order, prim.mode).ok_or_else(|| {
            format!(
                "{name}: only triangles can be converted (mode {})",
                prim.mode
            )
        })?;
        budget.triangles += triangles.len();
        if budget.triangles > MAX_TRIANGLES {
            return Err(format!("the scene has more than {MAX_TRIANGLES} triangles"));
        }
        let (cof, det) = normal_matrix(world);
        let flip = det < 0.0;
        let sign = if flip { -1.0 } else { 1.0 };
        let material = match prim.material {
            Some(i) => {
                let m = self
                    .gltf
                    .materials
                    .get(i)
                    .ok_or_else(|| format!("material {i} does not exist"))?;
                Some(Material {
                    name: m.name.clone().unwrap_or_else(|| format!("material{i}")),
                    base_color: m
                        .pbr
                        .as_ref()
                        .and_then(|p| p.base_color)
                        .unwrap_or([1.0; 4]),
                })
            }
            None => None,
        };
        Ok(Mesh {
            name,
            positions: positions
                .iter()
                .map(|p| transform_point(world, *p))
                .collect(),
            normals: normals
                .iter()
                .map(|v| transform_normal(&cof, sign, *v))
                .collect(),
            uvs,
            // a mirroring transform turns the winding around: undo it
            triangles: if flip {
                triangles.iter().map(|[a, b, c]| [*a, *c, *b]).collect()
            } else {
                triangles
            },
            material,
        })
    }

    /// The bytes of element `i` of an accessor, checked against its view and
    /// buffer: (bytes, stride, count, component type, components).
    fn view(&self, index: usize) -> Result<(&[u8], usize, &Accessor, usize), String> {
        let a = self
            .gltf
            .accessors
            .get(index)
            .ok_or_else(|| format!("accessor {index} does not exist"))?;
        if a.sparse.is_some() {
            return Err(format!("accessor {index} is sparse: not supported"));
        }
        let components = match a.kind.as_str() {
            "SCALAR" => 1,
            "VEC2" => 2,
            "VEC3" => 3,
            "VEC4" => 4,
            other => return Err(format!("accessor {index} has type {other}: not supported")),
        };
        let size = match a.component_type {
            5120 | 5121 => 1,
            5122 | 5123 => 2,
            5125 | 5126 => 4,
            other => return Err(format!("accessor {index} has component type {other}")),
        };
        let elem = size * components;
        let v = a
            .buffer_view
            .ok_or_else(|| format!("accessor {index} has no bufferView"))?;
        let view = self
            .gltf
            .buffer_views
            .get(v)
            .ok_or_else(|| format!("bufferView {v} does not exist"))?;
        let buffer = self
            .gltf
            .buffers
            .get(view.buffer)
            .ok_or_else(|| format!("buffer {} does not exist", view.buffer))?;
        if view.buffer != 0 || buffer.uri.is_some() {
            return Err("only the GLB's own binary chunk can be read (no external buffers)".into());
        }
        let bin = self
            .bin
            .get(..buffer.byte_length)
            .ok_or("the binary chunk is shorter than buffer 0")?;
        let stride = view.byte_stride.unwrap_or(elem);
        if stride < elem || stride > 252 {
            return Err(format!("bufferView {v} has a stride of {stride}"));
        }
        let view_bytes = view
            .byte_offset
            .checked_add(view.byte_length)
            .and_then(|end| bin.get(view.byte_offset..end))
            .ok_or_else(|| format!("bufferView {v} runs past its buffer"))?;
        let needed = match a.count {
            0 => 0,
            c => (c - 1)
                .checked_mul(stride)
                .and_then(|x| x.checked_add(elem))
                .and_then(|x| x.checked_add(a.byte_offset))
                .ok_or_else(|| format!("accessor {index} is too large"))?,
        };
        let data = view_bytes
            .get(a.byte_offset..needed.max(a.byte_offset))
            .ok_or_else(|| format!("accessor {index} runs past its bufferView"))?;
        Ok((data, stride, a, components))
    }

    /// A float attribute with `N` components (normalized integers scaled).
    fn floats<const N: usize>(&self, index: usize, before: usize) -> Result<Vec<[f32; N]>, String> {
        let (data, stride, a, components) = self.view(index)?;
        if components != N {
            return Err(format!("accessor {index} should have {N} components"));
        }
        if before + a.count > MAX_VERTICES {
            return Err(format!("the scene has more than {MAX_VERTICES} vertices"));
        }
        let read = |b: &[u8], k: usize| -> Option<f32> {
            Some(match (a.component_type, a.normalized) {
                (5126, _) => f32::from_le_bytes(b.get(k * 4..k * 4 + 4)?.try_into().ok()?),
                (5121, true) => f32::from(*b.get(k)?) / 255.0,
                (5123, true) => {
                    f32::from(u16::from_le_bytes(
                        b.get(k * 2..k * 2 + 2)?.try_into().ok()?,
                    )) / 65535.0
                }
                _ => return None,
            })
        };
        let mut out = Vec::with_capacity(a.count);
        for i in 0..a.count {
            let b = &data[i * stride..];
            let mut v = [0.0f32; N];
            for (k, c) in v.iter_mut().enumerate() {
                let x = read(b, k).ok_or_else(|| {
                    format!("accessor {index}: this component type is not supported")
                })?;
                *c = if x.is_finite() { x } else { 0.0 };
            }
            out.push(v);
        }
        Ok(out)
    }

    fn indices(&self, index: usize) -> Result<Vec<u32>, String> {
        let (data, stride, a, components) = self.view(index)?;
        if components != 1 {
            return Err(format!("index accessor {index} is not SCALAR"));
        }
        if a.count > MAX_TRIANGLES * 3 {
            return Err(format!("the scene has more than {MAX_TRIANGLES} triangles"));
        }
        (0..a.count)
            .map(|i| {
                let b = &data[i * stride..];
                match a.component_type {
                    5121 => Ok(u32::from(b[0])),
                    5123 => Ok(u32::from(u16::from_le_bytes([b[0], b[1]]))),
                    5125 => Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                    t => Err(format!("index accessor {index} has component type {t}")),
                }
            })
            .collect()
    }
}

/// Triangles from an index list in a glTF mode (4 list, 5 strip, 6 fan);
/// `None` for points and lines. Degenerate triangles are dropped.
fn assemble(order: &[u32], mode: u32) -> Option<Vec<[u32; 3]>> {
    let tris: Vec<[u32; 3]> = match mode {
        4 => order.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect(),
        5 => order
            .windows(3)
            .enumerate()
            .map(|(i, w)| {
                if i % 2 == 0 {
                    [w[0], w[1], w[2]]
                } else {
                    [w[1], w[0], w[2]]
                }
            })
            .collect(),
        6 => order
            .get(1..)
            .unwrap_or(&[])
            .windows(2)
            .map(|w| [order[0], w[0], w[1]])
            .collect(),
        _ => return None,
    };
    Some(
        tris.into_iter()
            .filter(|[a, b, c]| a != b && b != c && a != c)
            .collect(),
    )
}
