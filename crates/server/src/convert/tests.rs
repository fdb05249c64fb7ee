//! The converters, checked by reading their output back with small
//! readers written here (CI has no FBX, OBJ or HEIF tool). The real tools
//! agree (run by hand, figures in the report and in README's note):
//!
//! ```text
//! assimp info rock.obj; assimp info rock.fbx          # 320 faces, 960 vertices
//! heif-convert rock.heif out.png                      # libheif 1.15 + libde265
//! ffmpeg -i out.png -i source.png -lavfi psnr -f null -
//! ```

use super::glb::{self, Mesh};
use super::{fbx, heif, hevc, obj};
use assetui_bitstream::BitReader;

const ROCK: &[u8] = include_bytes!("../../../../assets/demo/models/riverstone-boulder.glb");

/// A GLB file from a glTF JSON document and its binary chunk.
pub fn glb_file(json: &serde_json::Value, bin: &[u8]) -> Vec<u8> {
    let mut js = serde_json::to_vec(json).unwrap();
    while !js.len().is_multiple_of(4) {
        js.push(b' ');
    }
    let mut bin = bin.to_vec();
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    let total = 12 + 8 + js.len() + 8 + bin.len();
    let mut out = b"glTF".to_vec();
    out.extend(2u32.to_le_bytes());
    out.extend((total as u32).to_le_bytes());
    out.extend((js.len() as u32).to_le_bytes());
    out.extend(b"JSON");
    out.extend(&js);
    out.extend((bin.len() as u32).to_le_bytes());
    out.extend(b"BIN\0");
    out.extend(&bin);
    out
}

/// One triangle (positions then u16 indices) under a node with `node`'s
/// transform fields.
fn triangle(node: serde_json::Value) -> Vec<u8> {
    let mut bin = Vec::new();
    for v in [[0f32, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]] {
        for c in v {
            bin.extend(c.to_le_bytes());
        }
    }
    for i in [0u16, 1, 2] {
        bin.extend(i.to_le_bytes());
    }
    let mut n = node;
    n["mesh"] = 0.into();
    glb_file(
        &serde_json::json!({
            "asset": {"version": "2.0"},
            "scenes": [{"nodes": [0]}],
            "nodes": [n],
            "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
            "buffers": [{"byteLength": 42}],
            "bufferViews": [
                {"buffer": 0, "byteOffset": 0, "byteLength": 36},
                {"buffer": 0, "byteOffset": 36, "byteLength": 6}
            ],
            "accessors": [
                {"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3"},
                {"bufferView": 1, "componentType": 5123, "count": 3, "type": "SCALAR"}
            ]
        }),
        &bin,
    )
}

#[test]
fn the_demo_rock_reads_as_320_flat_shaded_triangles() {
    let meshes = glb::read(ROCK).unwrap();
    assert_eq!(meshes.len(), 1);
    let m = &meshes[0];
    assert_eq!(m.name, "Boulder");
    assert_eq!(m.triangles.len(), 320);
    assert_eq!(m.positions.len(), 960);
    assert_eq!(m.normals.len(), 960);
    let mat = m.material.as_ref().unwrap();
    assert_eq!(mat.name, "Weathered stone");
    assert_eq!(mat.base_color, [0.46, 0.41, 0.36, 1.0]);
    // outward normals of unit length
    for (p, n) in m.positions.iter().zip(&m.normals) {
        let len = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
        assert!((len - 1.0).abs() < 1e-4);
        assert!(p[0] * n[0] + p[1] * n[1] + p[2] * n[2] > -0.5);
    }
}

#[test]
fn node_transforms_are_applied_and_a_mirror_keeps_the_winding() {
    let moved = glb::read(&triangle(
        serde_json::json!({"translation": [10.0, 0.0, 0.0], "scale": [2.0, 2.0, 2.0]}),
    ))
    .unwrap();
    assert_eq!(
        moved[0].positions,
        vec![[10.0, 0.0, 0.0], [12.0, 0.0, 0.0], [10.0, 2.0, 0.0]]
    );
    assert_eq!(moved[0].triangles, vec![[0, 1, 2]]);
    // a quarter turn about Z as a quaternion
    let h = std::f32::consts::FRAC_1_SQRT_2;
    let turned = glb::read(&triangle(serde_json::json!({"rotation": [0.0, 0.0, h, h]}))).unwrap();
    let p = turned[0].positions[1];
    assert!(p[0].abs() < 1e-6 && (p[1] - 1.0).abs() < 1e-6, "{p:?}");
    // mirrored in X: the triangle's vertices swap to stay counter-clockwise
    let mirrored = glb::read(&triangle(serde_json::json!({
        "matrix": [-1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    })))
    .unwrap();
    assert_eq!(mirrored[0].triangles, vec![[0, 2, 1]]);
}

#[test]
fn hostile_glb_files_are_refused_with_a_reason() {
    let good = triangle(serde_json::json!({}));
    let cut = &good[..good.len() - 10];
    assert!(glb::read(cut).unwrap_err().contains("shorter"));
    assert!(glb::read(b"not a glb").unwrap_err().contains("magic"));
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let json_len = u32::from_le_bytes(good[12..16].try_into().unwrap()) as usize;
        let mut json: serde_json::Value = serde_json::from_slice(&good[20..20 + json_len]).unwrap();
        f(&mut json);
        let bin_at = 20 + json_len + 8;
        glb::read(&glb_file(&json, &good[bin_at..])).unwrap_err()
    };
    let e = edit(&|j| j["accessors"][0]["count"] = 4_000_000_000u64.into());
    assert!(e.contains("past") || e.contains("too large"), "{e}");
    let e = edit(&|j| j["accessors"][0]["byteOffset"] = usize::MAX.into());
    assert!(e.contains("past") || e.contains("too large"), "{e}");
    let e = edit(&|j| j["bufferViews"][1]["byteLength"] = 1_000_000.into());
    assert!(e.contains("past its buffer"), "{e}");
    let e = edit(&|j| j["nodes"][0]["children"] = serde_json::json!([0]));
    assert!(e.contains("deeper"), "{e}");
    let e = edit(&|j| j["buffers"][0]["uri"] = "file:///etc/passwd".into());
    assert!(e.contains("external"), "{e}");
    let e = edit(&|j| j["meshes"][0]["primitives"][0]["mode"] = 1.into());
    assert!(e.contains("only triangles"), "{e}");
    // an index past the vertices
    let mut bad = good.clone();
    let at = bad.len() - 8; // the first index (the chunk ends with 2 pad bytes)
    bad[at..at + 2].copy_from_slice(&9u16.to_le_bytes());
    assert!(glb::read(&bad).unwrap_err().contains("past the 3 vertices"));
}

/// `v`, `vn` and `f` of an OBJ file, indices made 0-based.
fn parse_obj(text: &str) -> (Vec<[f32; 3]>, usize, Vec<[usize; 3]>) {
    let (mut v, mut vn, mut f) = (Vec::new(), 0, Vec::new());
    for line in text.lines() {
        let mut it = line.split_whitespace();
        match it.next() {
            Some("v") => {
                let c: Vec<f32> = it.map(|x| x.parse().unwrap()).collect();
                v.push([c[0], c[1], c[2]]);
            }
            Some("vn") => vn += 1,
            Some("f") => {
                let c: Vec<usize> = it
                    .map(|x| x.split('/').next().unwrap().parse::<usize>().unwrap() - 1)
                    .collect();
                assert_eq!(c.len(), 3, "{line}");
                f.push([c[0], c[1], c[2]]);
            }
            _ => {}
        }
    }
    (v, vn, f)
}

#[test]
fn obj_has_every_vertex_normal_and_face_of_the_rock() {
    let meshes = glb::read(ROCK).unwrap();
    let text = obj::write(&meshes);
    let (v, vn, f) = parse_obj(&text);
    assert_eq!(v.len(), 960);
    assert_eq!(vn, 960);
    assert_eq!(f.len(), 320);
    for (tri, face) in meshes[0].triangles.iter().zip(&f) {
        assert_eq!(tri.map(|i| i as usize), *face);
    }
    assert_eq!(v[5], meshes[0].positions[5]);
    assert!(text.contains("o Boulder\n"));
    assert!(text.contains("# material \"Weathered stone\": base colour 0.46 0.41 0.36 1\n"));
    assert!(text.contains(" 1//1 2//2 3//3\n"), "faces name v//vn");
}

#[test]
fn obj_indices_continue_across_meshes_and_flip_texture_v() {
    let mesh = |name: &str| Mesh {
        name: name.into(),
        positions: vec![[0.0; 3]; 3],
        normals: vec![],
        uvs: vec![[0.0, 0.25]; 3],
        triangles: vec![[0, 1, 2]],
        material: None,
    };
    let text = obj::write(&[mesh("a"), mesh("b\nf 9 9 9")]);
    assert!(text.contains("f 4/4 5/5 6/6\n"), "{text}");
    assert!(text.contains("vt 0 0.75\n"));
    assert_eq!(text.matches("\nf ").count(), 2, "a name cannot add a line");
}

/// A node of a binary FBX file.
#[derive(Debug)]
pub struct FbxNode {
    name: String,
    props: Vec<FbxProp>,
    children: Vec<FbxNode>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FbxProp {
    Int(i64),
    Double(f64),
    Str(Vec<u8>),
    Doubles(Vec<f64>),
    Ints(Vec<i32>),
    Bool(bool),
}

impl FbxNode {
    fn child(&self, name: &str) -> &FbxNode {
        self.children
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("{} has no {name}", self.name))
    }
}

/// Reads node records from `at` to `end`, checking every end offset.
fn read_fbx_nodes(b: &[u8], mut at: usize, end: usize) -> (Vec<FbxNode>, usize) {
    let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap()) as usize;
    let mut nodes = Vec::new();
    while at < end {
        let node_end = u32_at(at);
        if node_end == 0 {
            assert_eq!(&b[at..at + 13], &[0u8; 13], "a null record");
            return (nodes, at + 13);
        }
        let (count, props_len) = (u32_at(at + 4), u32_at(at + 8));
        let name_len = b[at + 12] as usize;
        let name = String::from_utf8(b[at + 13..at + 13 + name_len].to_vec()).unwrap();
        let mut p = at + 13 + name_len;
        let props_end = p + props_len;
        let mut props = Vec::new();
        for _ in 0..count {
            let code = b[p];
            p += 1;
            let prop = match code {
                b'C' => {
                    p += 1;
                    FbxProp::Bool(b[p - 1] != 0)
                }
                b'I' => {
                    p += 4;
                    FbxProp::Int(i32::from_le_bytes(b[p - 4..p].try_into().unwrap()).into())
                }
                b'L' => {
                    p += 8;
                    FbxProp::Int(i64::from_le_bytes(b[p - 8..p].try_into().unwrap()))
                }
                b'D' => {
                    p += 8;
                    FbxProp::Double(f64::from_le_bytes(b[p - 8..p].try_into().unwrap()))
                }
                b'S' | b'R' => {
                    let n = u32_at(p);
                    p += 4 + n;
                    FbxProp::Str(b[p - n..p].to_vec())
                }
                b'd' | b'i' => {
                    let (n, encoding, len) = (u32_at(p), u32_at(p + 4), u32_at(p + 8));
                    assert_eq!(encoding, 0, "raw arrays");
                    p += 12;
                    let data = &b[p..p + len];
                    p += len;
                    if code == b'd' {
                        assert_eq!(len, n * 8);
                        FbxProp::Doubles(
                            data.chunks(8)
                                .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
                                .collect(),
                        )
                    } else {
                        assert_eq!(len, n * 4);
                        FbxProp::Ints(
                            data.chunks(4)
                                .map(|c| i32::from_le_bytes(c.try_into().unwrap()))
                                .collect(),
                        )
                    }
                }
                other => panic!("property type {}", other as char),
            };
            props.push(prop);
        }
        assert_eq!(p, props_end, "{name}: property bytes as declared");
        let (children, after) = if p < node_end {
            read_fbx_nodes(b, p, node_end)
        } else {
            (Vec::new(), p)
        };
        assert_eq!(after, node_end, "{name}: the end offset is where it ends");
        nodes.push(FbxNode {
            name,
            props,
            children,
        });
        at = node_end;
    }
    (nodes, at)
}

/// The top-level nodes of a binary FBX file, header and footer checked.
pub fn parse_fbx(b: &[u8]) -> Vec<FbxNode> {
    assert_eq!(&b[..23], b"Kaydara FBX Binary  \0\x1a\0");
    assert_eq!(u32::from_le_bytes(b[23..27].try_into().unwrap()), 7400);
    let (nodes, after) = read_fbx_nodes(b, 27, b.len());
    assert_eq!(
        &b[after..after + 16],
        &[
            0xfa, 0xbc, 0xab, 0x09, 0xd0, 0xc8, 0xd4, 0x66, 0xb1, 0x76, 0xfb, 0x83, 0x1c, 0xf7,
            0x26, 0x7e
        ]
    );
    assert!(b.ends_with(&[
        0xf8, 0x5a, 0x8c, 0x6a, 0xde, 0xf5, 0xd9, 0x7e, 0xec, 0xe9, 0x0c, 0xe3, 0x75, 0x8f, 0x29,
        0x0b
    ]));
    let version_at = b.len() - 16 - 120 - 4;
    assert_eq!(version_at % 16, 0, "the version is 16-byte aligned");
    assert_eq!(
        u32::from_le_bytes(b[version_at..version_at + 4].try_into().unwrap()),
        7400
    );
    nodes
}

#[test]
fn fbx_holds_the_rock_as_a_geometry_under_a_model() {
    let meshes = glb::read(ROCK).unwrap();
    let bytes = fbx::write(&meshes).unwrap();
    let top = parse_fbx(&bytes);
    let names: Vec<&str> = top.iter().map(|n| n.name.as_str()).collect();
    for required in [
        "FBXHeaderExtension",
        "GlobalSettings",
        "Documents",
        "Definitions",
        "Objects",
        "Connections",
    ] {
        assert!(names.contains(&required), "{required} in {names:?}");
    }
    let objects = top.iter().find(|n| n.name == "Objects").unwrap();
    let geometry = objects.child("Geometry");
    assert_eq!(
        geometry.props[1],
        FbxProp::Str(b"Boulder\0\x01Geometry".to_vec())
    );
    let FbxProp::Doubles(v) = &geometry.child("Vertices").props[0] else {
        panic!()
    };
    assert_eq!(v.len(), 960 * 3);
    assert_eq!(v[3..6], meshes[0].positions[1].map(f64::from));
    let FbxProp::Ints(idx) = &geometry.child("PolygonVertexIndex").props[0] else {
        panic!()
    };
    assert_eq!(idx.len(), 320 * 3);
    for (t, tri) in idx.chunks(3).zip(&meshes[0].triangles) {
        assert!(
            t[0] >= 0 && t[1] >= 0 && t[2] < 0,
            "the last of each polygon is negated"
        );
        assert_eq!([t[0], t[1], -t[2] - 1], tri.map(|i| i as i32));
    }
    let normals = geometry.child("LayerElementNormal");
    let FbxProp::Doubles(n) = &normals.child("Normals").props[0] else {
        panic!()
    };
    assert_eq!(n.len(), 320 * 3 * 3, "one normal per polygon corner");
    let model = objects.child("Model");
    assert_eq!(model.props[2], FbxProp::Str(b"Mesh".to_vec()));
    let material = objects.child("Material");
    let diffuse = material
        .child("Properties70")
        .children
        .iter()
        .find(|p| p.props[0] == FbxProp::Str(b"DiffuseColor".to_vec()))
        .unwrap();
    assert_eq!(diffuse.props[4], FbxProp::Double(f64::from(0.46f32)));
    // model to the root, geometry and material to the model
    let ids = |n: &FbxNode| n.props[0].clone();
    let links: Vec<(FbxProp, FbxProp)> = top
        .iter()
        .find(|n| n.name == "Connections")
        .unwrap()
        .children
        .iter()
        .map(|c| (c.props[1].clone(), c.props[2].clone()))
        .collect();
    assert!(links.contains(&(ids(model), FbxProp::Int(0))));
    assert!(links.contains(&(ids(geometry), ids(model))));
    assert!(links.contains(&(ids(material), ids(model))));
    let settings = top.iter().find(|n| n.name == "GlobalSettings").unwrap();
    let up = settings
        .child("Properties70")
        .children
        .iter()
        .find(|p| p.props[0] == FbxProp::Str(b"UpAxis".to_vec()))
        .unwrap();
    assert_eq!(up.props[4], FbxProp::Int(1), "Y up, as glTF");
    assert!(matches!(
        model.child("Shading").props[0],
        FbxProp::Bool(true)
    ));
}

/// The RBSP of a NAL unit (header dropped, emulation prevention removed).
fn rbsp(nal: &[u8]) -> Vec<u8> {
    assetui_bitstream::unescape(&nal[2..])
}

/// H.265's CABAC decoding engine (9.3.4.3), as a decoder runs it.
struct Decoder<'a> {
    bits: BitReader<'a>,
    range: u32,
    offset: u32,
}

impl<'a> Decoder<'a> {
    fn start(bits: BitReader<'a>) -> Decoder<'a> {
        let mut d = Decoder {
            bits,
            range: 510,
            offset: 0,
        };
        d.offset = d.bits.bits(9) as u32;
        d
    }
    fn renorm(&mut self) {
        while self.range < 256 {
            self.range <<= 1;
            self.offset = (self.offset << 1) | u32::from(self.bits.bit());
        }
    }
    fn decision(&mut self, ctx: &mut hevc::Context) -> bool {
        let lps = ctx.lps(self.range);
        self.range -= lps;
        let bin = if self.offset >= self.range {
            self.offset -= self.range;
            self.range = lps;
            !ctx.mps
        } else {
            ctx.mps
        };
        ctx.update(bin);
        self.renorm();
        bin
    }
    fn terminate(&mut self) -> bool {
        self.range -= 2;
        if self.offset >= self.range {
            true
        } else {
            self.renorm();
            false
        }
    }
}

/// Decodes the slice of `p`'s stream back to planes.
fn decode_slice(sps_nal: &[u8], slice_nal: &[u8]) -> hevc::Picture {
    let sps = rbsp(sps_nal);
    let mut r = BitReader::new(&sps);
    r.bits(4 + 3 + 1);
    r.bits(2 + 1 + 5 + 32); // profile_tier_level: profile
    r.bits(48 + 8); // constraint flags, level
    assert_eq!(r.ue(), 0);
    assert_eq!(r.ue(), 1, "4:2:0");
    let (coded_w, coded_h) = (r.ue() as usize, r.ue() as usize);
    let (mut width, mut height) = (coded_w, coded_h);
    if r.bit() {
        let (left, right, top, bottom) = (r.ue(), r.ue(), r.ue(), r.ue());
        assert_eq!((left, top), (0, 0));
        width -= 2 * right as usize;
        height -= 2 * bottom as usize;
    }
    let data = rbsp(slice_nal);
    assert_eq!(slice_nal[0] >> 1, hevc::IDR_N_LP);
    let mut r = BitReader::new(&data);
    assert!(r.bit(), "first_slice_segment_in_pic_flag");
    r.bit();
    assert_eq!(r.ue(), 0);
    assert_eq!(r.ue(), 2, "an I slice");
    assert_eq!(r.ue(), 0, "slice_qp_delta");
    assert!(r.bit(), "byte_alignment's one");
    while !r.bit_pos().is_multiple_of(8) {
        assert!(!r.bit());
    }
    let mut p = hevc::Picture {
        width,
        height,
        coded_w,
        coded_h,
        y: vec![0; coded_w * coded_h],
        cb: vec![0; coded_w * coded_h / 4],
        cr: vec![0; coded_w * coded_h / 4],
    };
    let mut ctx = hevc::Context::new(hevc::PART_MODE_INIT, hevc::SLICE_QP);
    let mut d = Decoder::start(r);
    let (cols, rows) = (coded_w / hevc::CU, coded_h / hevc::CU);
    for row in 0..rows {
        for col in 0..cols {
            assert!(d.decision(&mut ctx), "part_mode 2Nx2N");
            assert!(d.terminate(), "pcm_flag");
            let mut bits = std::mem::replace(&mut d.bits, BitReader::new(&[]));
            while !bits.bit_pos().is_multiple_of(8) {
                assert!(!bits.bit(), "pcm_alignment_zero_bit");
            }
            let (x0, y0, c) = (col * 32, row * 32, 16);
            for y in y0..y0 + 32 {
                for x in x0..x0 + 32 {
                    p.y[y * coded_w + x] = bits.bits(8) as u8;
                }
            }
            for plane in [&mut p.cb, &mut p.cr] {
                for y in y0 / 2..y0 / 2 + c {
                    for x in x0 / 2..x0 / 2 + c {
                        plane[y * coded_w / 2 + x] = bits.bits(8) as u8;
                    }
                }
            }
            d = Decoder::start(bits);
            let end = d.terminate();
            assert_eq!(
                end,
                row + 1 == rows && col + 1 == cols,
                "end_of_slice_segment_flag"
            );
        }
    }
    // the last bit read was rbsp_stop_one_bit: zeros to the end
    let mut bits = d.bits;
    while !bits.bit_pos().is_multiple_of(8) {
        assert!(!bits.bit());
    }
    assert_eq!(bits.bit_pos(), data.len() * 8, "nothing after the slice");
    p
}

/// A picture with detail in every channel, and edges that are not whole CTBs.
fn test_image(w: u32, h: u32) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x * 255 / w.max(1)) as u8,
            (y * 255 / h.max(1)) as u8,
            ((x ^ y) & 0xFF) as u8,
        ])
    })
}

#[test]
fn the_hevc_slice_decodes_to_exactly_the_pcm_samples() {
    for (w, h) in [(32, 32), (100, 70), (33, 65)] {
        let p = heif::picture(&test_image(w, h));
        let decoded = decode_slice(&hevc::sps(&p), &hevc::slice(&p));
        assert_eq!(decoded.coded_w, p.coded_w);
        assert_eq!(decoded.width, p.width.next_multiple_of(2), "{w}x{h}");
        assert_eq!(decoded.height, p.height.next_multiple_of(2));
        assert_eq!(decoded.y, p.y, "{w}x{h}");
        assert_eq!(decoded.cb, p.cb);
        assert_eq!(decoded.cr, p.cr);
    }
}

#[test]
fn an_all_black_picture_survives_emulation_prevention() {
    // zero samples make 00 00 00 runs: the NAL escapes them
    let p = heif::picture(&image::RgbImage::new(64, 32));
    let slice = hevc::slice(&p);
    assert!(!slice
        .windows(3)
        .any(|w| w[0] == 0 && w[1] == 0 && w[2] <= 3 && w[2] != 3));
    assert_eq!(decode_slice(&hevc::sps(&p), &slice).y, p.y);
}

#[test]
fn colours_convert_as_full_range_bt601() {
    let mut img = image::RgbImage::new(2, 2);
    for p in img.pixels_mut() {
        *p = image::Rgb([255, 0, 0]);
    }
    let p = heif::picture(&img);
    assert_eq!(p.y[0], 76); // 0.299 * 255
    assert_eq!(p.cb[0], 85); // 128 - 0.1687 * 255
    assert_eq!(p.cr[0], 255);
    assert_eq!(
        heif::picture(&image::RgbImage::from_pixel(2, 2, image::Rgb([255; 3]))).y[0],
        255
    );
}

/// The boxes in `b` as (type, body).
fn boxes(mut b: &[u8]) -> Vec<([u8; 4], &[u8])> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let size = u32::from_be_bytes(b[..4].try_into().unwrap()) as usize;
        assert!(size >= 8 && size <= b.len(), "box size {size}");
        out.push((b[4..8].try_into().unwrap(), &b[8..size]));
        b = &b[size..];
    }
    out
}

fn find<'a>(list: &[([u8; 4], &'a [u8])], kind: &[u8; 4]) -> &'a [u8] {
    list.iter()
        .find(|(k, _)| k == kind)
        .unwrap_or_else(|| panic!("no {}", String::from_utf8_lossy(kind)))
        .1
}

#[test]
fn the_heif_file_describes_its_one_hevc_item() {
    for (w, h) in [(100u32, 70u32), (33, 65)] {
        let file = heif::encode(&test_image(w, h));
        let top = boxes(&file);
        assert_eq!(
            top.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            [*b"ftyp", *b"meta", *b"mdat"]
        );
        let ftyp = find(&top, b"ftyp");
        assert_eq!(&ftyp[..4], b"heic");
        assert!(ftyp[8..].chunks(4).any(|c| c == b"mif1"));
        let meta = boxes(&find(&top, b"meta")[4..]);
        assert_eq!(&find(&meta, b"hdlr")[8..12], b"pict");
        assert_eq!(find(&meta, b"pitm")[4..], [0, 1]);
        let infe = boxes(&find(&meta, b"iinf")[6..]);
        let infe = find(&infe, b"infe");
        assert_eq!(
            (infe[0], &infe[4..6], &infe[8..12]),
            (2, &[0u8, 1][..], &b"hvc1"[..])
        );
        let iprp = boxes(find(&meta, b"iprp"));
        let ipco = boxes(find(&iprp, b"ipco"));
        let ispe = find(&ipco, b"ispe");
        let even = (w.next_multiple_of(2), h.next_multiple_of(2));
        assert_eq!(
            (
                u32::from_be_bytes(ispe[4..8].try_into().unwrap()),
                u32::from_be_bytes(ispe[8..12].try_into().unwrap())
            ),
            even
        );
        assert_eq!(
            find(&ipco, b"colr"),
            [b'n', b'c', b'l', b'x', 0, 1, 0, 13, 0, 6, 0x80]
        );
        if (w, h) != even {
            let clap = find(&ipco, b"clap");
            let v: Vec<i32> = clap
                .chunks(4)
                .map(|c| i32::from_be_bytes(c.try_into().unwrap()))
                .collect();
            assert_eq!(v, [w as i32, 1, h as i32, 1, -1, 2, -1, 2]);
        }
        let ipma = find(&iprp, b"ipma");
        let n = ipma[10] as usize;
        assert_eq!(n, ipco.len(), "every property is associated");
        assert_eq!(ipma[11] & 0x7F, 1);
        // hvcC: Main profile, 4:2:0, 8 bits, four-byte lengths, VPS SPS PPS
        let hvcc = find(&ipco, b"hvcC");
        assert_eq!((hvcc[0], hvcc[1] & 0x1F), (1, 1));
        assert_eq!(hvcc[16] & 3, 1);
        assert_eq!((hvcc[17] & 7, hvcc[18] & 7), (0, 0));
        assert_eq!(hvcc[21] & 3, 3);
        let mut at = 23;
        let mut sets = Vec::new();
        for _ in 0..hvcc[22] {
            let kind = hvcc[at] & 0x3F;
            let len = u16::from_be_bytes([hvcc[at + 3], hvcc[at + 4]]) as usize;
            sets.push((kind, hvcc[at + 5..at + 5 + len].to_vec()));
            at += 5 + len;
        }
        assert_eq!(sets.iter().map(|s| s.0).collect::<Vec<_>>(), [32, 33, 34]);
        // iloc points at the mdat's one NAL unit
        let iloc = find(&meta, b"iloc");
        assert_eq!(&iloc[4..6], &[0x44, 0]);
        let offset = u32::from_be_bytes(iloc[14..18].try_into().unwrap()) as usize;
        let length = u32::from_be_bytes(iloc[18..22].try_into().unwrap()) as usize;
        assert_eq!(offset + length, file.len());
        let nal_len = u32::from_be_bytes(file[offset..offset + 4].try_into().unwrap()) as usize;
        assert_eq!(nal_len + 4, length);
        let decoded = decode_slice(&sets[1].1, &file[offset + 4..]);
        let p = heif::picture(&test_image(w, h));
        assert_eq!((decoded.y, decoded.cb, decoded.cr), (p.y, p.cb, p.cr));
    }
}

/// Writes the conversions of the demo rock and of a demo picture to the
/// directory in `ASSETUI_CONVERT_OUT`, for checking with real tools:
///
/// ```text
/// ASSETUI_CONVERT_OUT=/tmp/conv cargo test -p assetui-server --lib \
///     convert::tests::write_samples_for_real_tools -- --ignored
/// ```
#[test]
#[ignore = "writes files for real decoders; run by hand"]
fn write_samples_for_real_tools() {
    let dir = std::path::PathBuf::from(std::env::var("ASSETUI_CONVERT_OUT").unwrap());
    std::fs::create_dir_all(&dir).unwrap();
    let meshes = glb::read(ROCK).unwrap();
    std::fs::write(dir.join("rock.obj"), obj::write(&meshes)).unwrap();
    std::fs::write(dir.join("rock.fbx"), fbx::write(&meshes).unwrap()).unwrap();
    let picture = include_bytes!("../../../../assets/demo/images/desert-01.jpg");
    let img = image::load_from_memory(picture).unwrap().to_rgb8();
    img.save(dir.join("picture.png")).unwrap();
    std::fs::write(dir.join("picture.heif"), heif::encode(&img)).unwrap();
    let odd = test_image(333, 199);
    odd.save(dir.join("odd.png")).unwrap();
    std::fs::write(dir.join("odd.heif"), heif::encode(&odd)).unwrap();
}
