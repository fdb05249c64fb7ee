//! Binary FBX 7.4 from the meshes of a glTF file: the form Blender, Maya,
//! 3ds Max and assimp import (Blender does not import ASCII FBX).
//!
//! A file is a 27-byte header, a list of node records (end offset,
//! property count, property bytes, name, typed properties, nested nodes
//! closed by a 13-byte null record), a null record, and a footer. Arrays
//! are written uncompressed (encoding 0), so no zlib is needed. The fixed
//! `FileId`, `CreationTime` and footer id are the ones Blender's exporter
//! writes: the FBX SDK checks that they agree with each other.
//!
//! Each glTF mesh becomes a `Geometry` (control points = glTF vertices,
//! triangles, normals and UVs per polygon corner, one material for all)
//! under a `Model` at the scene root, with its base colour as a `Material`.
//! Units: glTF's metres (`UnitScaleFactor` 100, in centimetres); axes: Y
//! up, Z front, X right, as glTF.

use super::glb::Mesh;

const HEADER: &[u8; 23] = b"Kaydara FBX Binary  \0\x1a\0";
const VERSION: u32 = 7400;
const FILE_ID: [u8; 16] = [
    0x28, 0xb3, 0x2a, 0xeb, 0xb6, 0x24, 0xcc, 0xc2, 0xbf, 0xc8, 0xb0, 0x2a, 0xa9, 0x2b, 0xfc, 0xf1,
];
const CREATION_TIME: &str = "1970-01-01 10:00:00:000";
const FOOT_ID: [u8; 16] = [
    0xfa, 0xbc, 0xab, 0x09, 0xd0, 0xc8, 0xd4, 0x66, 0xb1, 0x76, 0xfb, 0x83, 0x1c, 0xf7, 0x26, 0x7e,
];
const FOOT_MAGIC: [u8; 16] = [
    0xf8, 0x5a, 0x8c, 0x6a, 0xde, 0xf5, 0xd9, 0x7e, 0xec, 0xe9, 0x0c, 0xe3, 0x75, 0x8f, 0x29, 0x0b,
];
/// Nodes the FBX SDK closes with a null record even when empty.
const ALWAYS_CLOSED: &[&str] = &["Properties70", "References", "Definitions", "ObjectType"];
/// The largest file: node end offsets are 32-bit in FBX 7.4.
const MAX_BYTES: usize = u32::MAX as usize;

/// A typed property of a node.
enum Prop {
    Bool(bool),
    Int(i32),
    Long(i64),
    Double(f64),
    Str(String),
    Raw(Vec<u8>),
    Doubles(Vec<f64>),
    Ints(Vec<i32>),
}

struct Node {
    name: &'static str,
    props: Vec<Prop>,
    children: Vec<Node>,
}

fn node(name: &'static str, props: Vec<Prop>) -> Node {
    Node {
        name,
        props,
        children: Vec::new(),
    }
}

fn parent(name: &'static str, props: Vec<Prop>, children: Vec<Node>) -> Node {
    Node {
        name,
        props,
        children,
    }
}

fn s(v: &str) -> Prop {
    Prop::Str(v.to_string())
}

/// An FBX object name: `name\0\x01Class`.
fn object_name(name: &str, class: &str) -> Prop {
    let clean: String = name
        .chars()
        .filter(|c| *c != '\0' && *c != '\x01')
        .take(200)
        .collect();
    Prop::Str(format!("{clean}\0\x01{class}"))
}

/// A `P` row of a `Properties70` block.
fn p(name: &str, kind: &str, kind2: &str, flags: &str, values: Vec<Prop>) -> Node {
    let mut props = vec![s(name), s(kind), s(kind2), s(flags)];
    props.extend(values);
    node("P", props)
}

fn int_p(name: &str, v: i32) -> Node {
    p(name, "int", "Integer", "", vec![Prop::Int(v)])
}

/// The FBX file of `meshes`; an error when it would pass FBX 7.4's 4 GiB.
pub fn write(meshes: &[Mesh]) -> Result<Vec<u8>, String> {
    let mut next_id = 1_000_000i64;
    let mut id = || {
        next_id += 1;
        next_id
    };
    let mut objects = Vec::new();
    let mut connections = Vec::new();
    for m in meshes {
        let (model, geometry) = (id(), id());
        objects.push(geometry_node(geometry, m));
        objects.push(parent(
            "Model",
            vec![Prop::Long(model), object_name(&m.name, "Model"), s("Mesh")],
            vec![
                node("Version", vec![Prop::Int(232)]),
                parent(
                    "Properties70",
                    vec![],
                    vec![
                        p("InheritType", "enum", "", "", vec![Prop::Int(1)]),
                        int_p("DefaultAttributeIndex", 0),
                    ],
                ),
                node("Shading", vec![Prop::Bool(true)]),
                node("Culling", vec![s("CullingOff")]),
            ],
        ));
        connections.push(oo(model, 0));
        connections.push(oo(geometry, model));
        if let Some(mat) = &m.material {
            let material = id();
            let [r, g, b, a] = mat.base_color.map(f64::from);
            let colour = || vec![Prop::Double(r), Prop::Double(g), Prop::Double(b)];
            objects.push(parent(
                "Material",
                vec![
                    Prop::Long(material),
                    object_name(&mat.name, "Material"),
                    s(""),
                ],
                vec![
                    node("Version", vec![Prop::Int(102)]),
                    node("ShadingModel", vec![s("Phong")]),
                    node("MultiLayer", vec![Prop::Int(0)]),
                    parent(
                        "Properties70",
                        vec![],
                        vec![
                            p("DiffuseColor", "Color", "", "A", colour()),
                            p("DiffuseFactor", "Number", "", "A", vec![Prop::Double(1.0)]),
                            p("Diffuse", "Vector3D", "Vector", "", colour()),
                            p(
                                "TransparencyFactor",
                                "Number",
                                "",
                                "A",
                                vec![Prop::Double(1.0 - a)],
                            ),
                            p("Opacity", "double", "Number", "", vec![Prop::Double(a)]),
                        ],
                    ),
                ],
            ));
            connections.push(oo(material, model));
        }
    }
    let count = |class: &str| objects.iter().filter(|o| o.name == class).count() as i32;
    let object_type = |class: &'static str, n: i32| {
        parent(
            "ObjectType",
            vec![s(class)],
            vec![node("Count", vec![Prop::Int(n)])],
        )
    };
    let definitions = parent(
        "Definitions",
        vec![],
        vec![
            node("Version", vec![Prop::Int(100)]),
            node("Count", vec![Prop::Int(1 + objects.len() as i32)]),
            object_type("GlobalSettings", 1),
            object_type("Model", count("Model")),
            object_type("Geometry", count("Geometry")),
            object_type("Material", count("Material")),
        ],
    );
    let creator = "assetui demo server (from binary glTF)";
    let top = vec![
        header_extension(creator),
        node("FileId", vec![Prop::Raw(FILE_ID.to_vec())]),
        node("CreationTime", vec![s(CREATION_TIME)]),
        node("Creator", vec![s(creator)]),
        global_settings(),
        parent(
            "Documents",
            vec![],
            vec![
                node("Count", vec![Prop::Int(1)]),
                parent(
                    "Document",
                    vec![Prop::Long(id()), s("Scene"), s("Scene")],
                    vec![
                        parent(
                            "Properties70",
                            vec![],
                            vec![
                                p("SourceObject", "object", "", "", vec![]),
                                p("ActiveAnimStackName", "KString", "", "", vec![s("")]),
                            ],
                        ),
                        node("RootNode", vec![Prop::Long(0)]),
                    ],
                ),
            ],
        ),
        node("References", vec![]),
        definitions,
        parent("Objects", vec![], objects),
        parent("Connections", vec![], connections),
    ];
    let mut out = Vec::new();
    out.extend_from_slice(HEADER);
    out.extend_from_slice(&VERSION.to_le_bytes());
    let last = top.len() - 1;
    for (i, n) in top.iter().enumerate() {
        write_node(&mut out, n, i == last)?;
    }
    out.extend_from_slice(&[0u8; 13]);
    footer(&mut out);
    if out.len() > MAX_BYTES {
        return Err("the model is too large for an FBX 7.4 file".into());
    }
    Ok(out)
}

fn oo(child: i64, parent: i64) -> Node {
    node("C", vec![s("OO"), Prop::Long(child), Prop::Long(parent)])
}

fn header_extension(creator: &str) -> Node {
    let stamp = [
        ("Version", 1000),
        ("Year", 1970),
        ("Month", 1),
        ("Day", 1),
        ("Hour", 10),
        ("Minute", 0),
        ("Second", 0),
        ("Millisecond", 0),
    ]
    .into_iter()
    .map(|(k, v)| node(k, vec![Prop::Int(v)]))
    .collect();
    parent(
        "FBXHeaderExtension",
        vec![],
        vec![
            node("FBXHeaderVersion", vec![Prop::Int(1003)]),
            node("FBXVersion", vec![Prop::Int(VERSION as i32)]),
            parent("CreationTimeStamp", vec![], stamp),
            node("Creator", vec![s(creator)]),
        ],
    )
}

fn global_settings() -> Node {
    let double = |name: &str, v: f64| p(name, "double", "Number", "", vec![Prop::Double(v)]);
    parent(
        "GlobalSettings",
        vec![],
        vec![
            node("Version", vec![Prop::Int(1000)]),
            parent(
                "Properties70",
                vec![],
                vec![
                    int_p("UpAxis", 1),
                    int_p("UpAxisSign", 1),
                    int_p("FrontAxis", 2),
                    int_p("FrontAxisSign", 1),
                    int_p("CoordAxis", 0),
                    int_p("CoordAxisSign", 1),
                    int_p("OriginalUpAxis", 1),
                    int_p("OriginalUpAxisSign", 1),
                    double("UnitScaleFactor", 100.0),
                    double("OriginalUnitScaleFactor", 100.0),
                ],
            ),
        ],
    )
}

/// Control points, polygons (the last index of each negated, minus one),
/// and the layers: normals, UVs, the material.
fn geometry_node(id: i64, m: &Mesh) -> Node {
    let vertices = m
        .positions
        .iter()
        .flat_map(|v| v.map(f64::from))
        .collect::<Vec<f64>>();
    let index = |i: u32| i32::try_from(i).unwrap_or(i32::MAX);
    let polygons = m
        .triangles
        .iter()
        .flat_map(|[a, b, c]| [index(*a), index(*b), -index(*c) - 1])
        .collect::<Vec<i32>>();
    let corners = || m.triangles.iter().flat_map(|t| *t);
    let mut children = vec![
        node("GeometryVersion", vec![Prop::Int(124)]),
        node("Vertices", vec![Prop::Doubles(vertices)]),
        node("PolygonVertexIndex", vec![Prop::Ints(polygons)]),
    ];
    let mut layer = vec![node("Version", vec![Prop::Int(100)])];
    let layer_ref = |kind: &str| {
        parent(
            "LayerElement",
            vec![],
            vec![
                node("Type", vec![s(kind)]),
                node("TypedIndex", vec![Prop::Int(0)]),
            ],
        )
    };
    let header = |name: &str, mapping: &str, reference: &str| {
        vec![
            node("Version", vec![Prop::Int(101)]),
            node("Name", vec![s(name)]),
            node("MappingInformationType", vec![s(mapping)]),
            node("ReferenceInformationType", vec![s(reference)]),
        ]
    };
    if !m.normals.is_empty() {
        let mut c = header("", "ByPolygonVertex", "Direct");
        let normals = corners()
            .flat_map(|i| m.normals[i as usize].map(f64::from))
            .collect();
        c.push(node("Normals", vec![Prop::Doubles(normals)]));
        children.push(parent("LayerElementNormal", vec![Prop::Int(0)], c));
        layer.push(layer_ref("LayerElementNormal"));
    }
    if !m.uvs.is_empty() {
        let mut c = header("UVMap", "ByPolygonVertex", "IndexToDirect");
        // FBX's texture origin is the bottom left, glTF's the top left
        let uv = m
            .uvs
            .iter()
            .flat_map(|[u, v]| [f64::from(*u), 1.0 - f64::from(*v)])
            .collect();
        c.push(node("UV", vec![Prop::Doubles(uv)]));
        c.push(node(
            "UVIndex",
            vec![Prop::Ints(corners().map(index).collect())],
        ));
        children.push(parent("LayerElementUV", vec![Prop::Int(0)], c));
        layer.push(layer_ref("LayerElementUV"));
    }
    if m.material.is_some() {
        let mut c = header("", "AllSame", "IndexToDirect");
        c.push(node("Materials", vec![Prop::Ints(vec![0])]));
        children.push(parent("LayerElementMaterial", vec![Prop::Int(0)], c));
        layer.push(layer_ref("LayerElementMaterial"));
    }
    children.push(parent("Layer", vec![Prop::Int(0)], layer));
    parent(
        "Geometry",
        vec![Prop::Long(id), object_name(&m.name, "Geometry"), s("Mesh")],
        children,
    )
}

fn u32_len(n: usize) -> Result<u32, String> {
    u32::try_from(n).map_err(|_| "the model is too large for an FBX 7.4 file".to_string())
}

fn write_prop(out: &mut Vec<u8>, prop: &Prop) -> Result<(), String> {
    let array = |out: &mut Vec<u8>, code: u8, len: usize, bytes: &[u8]| -> Result<(), String> {
        out.push(code);
        out.extend_from_slice(&u32_len(len)?.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes()); // encoding: raw
        out.extend_from_slice(&u32_len(bytes.len())?.to_le_bytes());
        out.extend_from_slice(bytes);
        Ok(())
    };
    match prop {
        Prop::Bool(b) => out.extend_from_slice(&[b'C', u8::from(*b)]),
        Prop::Int(v) => {
            out.push(b'I');
            out.extend_from_slice(&v.to_le_bytes());
        }
        Prop::Long(v) => {
            out.push(b'L');
            out.extend_from_slice(&v.to_le_bytes());
        }
        Prop::Double(v) => {
            out.push(b'D');
            out.extend_from_slice(&v.to_le_bytes());
        }
        Prop::Str(v) => {
            out.push(b'S');
            out.extend_from_slice(&u32_len(v.len())?.to_le_bytes());
            out.extend_from_slice(v.as_bytes());
        }
        Prop::Raw(v) => {
            out.push(b'R');
            out.extend_from_slice(&u32_len(v.len())?.to_le_bytes());
            out.extend_from_slice(v);
        }
        Prop::Doubles(v) => {
            let bytes: Vec<u8> = v.iter().flat_map(|d| d.to_le_bytes()).collect();
            array(out, b'd', v.len(), &bytes)?;
        }
        Prop::Ints(v) => {
            let bytes: Vec<u8> = v.iter().flat_map(|d| d.to_le_bytes()).collect();
            array(out, b'i', v.len(), &bytes)?;
        }
    }
    Ok(())
}

/// One node record; offsets are absolute in the file.
fn write_node(out: &mut Vec<u8>, n: &Node, is_last: bool) -> Result<(), String> {
    let start = out.len();
    out.extend_from_slice(&[0u8; 12]);
    out.push(n.name.len() as u8);
    out.extend_from_slice(n.name.as_bytes());
    let props_start = out.len();
    for prop in &n.props {
        write_prop(out, prop)?;
    }
    let props_len = u32_len(out.len() - props_start)?;
    let last = n.children.len().saturating_sub(1);
    for (i, c) in n.children.iter().enumerate() {
        write_node(out, c, i == last)?;
    }
    if !n.children.is_empty() || (n.props.is_empty() && !is_last) || ALWAYS_CLOSED.contains(&n.name)
    {
        out.extend_from_slice(&[0u8; 13]);
    }
    let end = u32_len(out.len())?;
    out[start..start + 4].copy_from_slice(&end.to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&u32_len(n.props.len())?.to_le_bytes());
    out[start + 8..start + 12].copy_from_slice(&props_len.to_le_bytes());
    Ok(())
}

/// The footer the FBX SDK writes: the footer id, padding to 16 bytes, the
/// version, 120 zero bytes and a fixed magic.
fn footer(out: &mut Vec<u8>) {
    out.extend_from_slice(&FOOT_ID);
    out.extend_from_slice(&[0u8; 4]);
    let pad = match (16 - out.len() % 16) % 16 {
        0 => 16,
        n => n,
    };
    out.extend(std::iter::repeat_n(0u8, pad));
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&[0u8; 120]);
    out.extend_from_slice(&FOOT_MAGIC);
}
