//! The generated library checked from its files: determinism, the
//! manifest contract, MP4 boxes, the H.264 stream, WAV headers, FLAC
//! frames and the HLS playlists. Nothing here needs ffmpeg.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::media::flac;
use crate::media::h264::check::{decode_slice, parse_sps, Sps};
use crate::media::h264::Yuv;
use crate::media::mp4::check::{be32, find, parse, Node};
use crate::media::wav;

fn scratch(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("assetui-tldemo-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&p);
    p
}

/// One generated library shared by the tests.
fn library() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let p = scratch("lib");
        super::generate(&p).unwrap_or_else(|e| panic!("generate: {e}"));
        p
    })
}

fn manifest() -> Value {
    let text = fs::read_to_string(library().join("manifest.json")).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("manifest.json: {e}"))
}

fn assets() -> Vec<Value> {
    manifest()["assets"].as_array().cloned().unwrap_or_default()
}

fn read(rel: &str) -> Vec<u8> {
    fs::read(library().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn files_under(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                out.insert(rel, fs::read(&p).unwrap_or_default());
            }
        }
    }
    out
}

#[test]
fn two_runs_write_the_same_bytes() {
    let again = scratch("again");
    super::generate(&again).unwrap_or_else(|e| panic!("generate: {e}"));
    let (a, b) = (files_under(library()), files_under(&again));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(v == &b[k], "{} differs between runs", k.display());
    }
    let total: usize = a.values().map(Vec::len).sum();
    assert!(total < 4_000_000, "the library is {total} bytes");
    let _ = fs::remove_dir_all(again);
}

fn is_rfc3339_utc(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

#[test]
fn the_manifest_follows_the_contract_and_every_file_exists() {
    let m = manifest();
    assert_eq!(m["version"], 1);
    let assets = assets();
    assert!(assets.len() >= 30, "{} assets", assets.len());
    let mut ids = BTreeSet::new();
    let mut dates = BTreeSet::new();
    let mut kinds = BTreeMap::new();
    let mut with_meta = 0;
    for a in &assets {
        let id = a["id"].as_str().unwrap_or("");
        assert!(
            id.len() == 24 && id.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')),
            "id {id}"
        );
        assert!(ids.insert(id.to_string()), "duplicate id {id}");
        let created = a["created_at"].as_str().unwrap_or("");
        assert!(is_rfc3339_utc(created), "{id}: created_at {created}");
        assert!(
            dates.insert(created.to_string()),
            "{id}: created_at repeats"
        );
        let kind = a["asset_type"].as_str().unwrap_or("");
        *kinds.entry(kind.to_string()).or_insert(0) += 1;
        for key in [
            "filename",
            "file",
            "mime_type",
            "thumbnail",
            "family",
            "description",
        ] {
            assert!(
                a[key].as_str().is_some_and(|s| !s.is_empty()),
                "{id}: {key}"
            );
        }
        for key in ["file", "thumbnail"] {
            assert!(
                library().join(a[key].as_str().unwrap_or("-")).is_file(),
                "{id}: {key} missing"
            );
        }
        let file = a["file"].as_str().unwrap_or("");
        assert!(file.starts_with(&format!("files/{id}.")), "{id}: {file}");
        let timed = kind == "video" || kind == "audio";
        assert_eq!(
            a.get("hls").is_some(),
            timed,
            "{id}: hls only for video and audio"
        );
        assert_eq!(a.get("duration").is_some(), timed, "{id}: duration");
        if timed {
            let hls = a["hls"].as_str().unwrap_or("");
            assert_eq!(hls, format!("hls/{id}/index.m3u8"));
            assert!(library().join(hls).is_file(), "{id}: playlist missing");
            let clips = a["clips"].as_array().cloned().unwrap_or_default();
            assert!(
                (1..=4).contains(&clips.len()),
                "{id}: {} clips",
                clips.len()
            );
            let mut at = 0.0;
            for c in &clips {
                assert_eq!(c["start"].as_f64(), Some(at), "{id}: clips are contiguous");
                at = c["end"].as_f64().unwrap_or(-1.0);
                assert!(c["description"].as_str().is_some_and(|s| !s.is_empty()));
                assert!(
                    library()
                        .join(c["thumbnail"].as_str().unwrap_or("-"))
                        .is_file(),
                    "{id}: clip thumbnail"
                );
            }
            assert_eq!(
                Some(at),
                a["duration"].as_f64(),
                "{id}: clips cover the file"
            );
            let d = a["duration"].as_f64().unwrap_or(0.0);
            assert!((2.0..=5.0).contains(&d), "{id}: {d} s");
        } else {
            assert!(a.get("clips").is_none());
        }
        match kind {
            "video" => {
                assert_eq!(
                    (a["width"].as_u64(), a["height"].as_u64()),
                    (Some(160), Some(90))
                );
                assert_eq!(a["fps"].as_f64(), Some(10.0));
                assert_eq!(a["mime_type"], "video/mp4");
            }
            "audio" => {
                assert_eq!(a["sample_rate"].as_u64(), Some(16_000));
                assert_eq!(a["channels"].as_u64(), Some(1));
            }
            "image" => assert!(a["width"].as_u64().is_some() && a["height"].as_u64().is_some()),
            other => panic!("{id}: asset_type {other}"),
        }
        if let Some(meta) = a.get("user_metadata") {
            with_meta += 1;
            let obj = meta.as_object().cloned().unwrap_or_default();
            assert!(!obj.is_empty());
            assert!(obj
                .values()
                .all(|v| v.is_string() || v.is_number() || v.is_boolean()));
        }
    }
    assert!(kinds.values().all(|&n| n >= 8), "{kinds:?}");
    assert_eq!(kinds.len(), 3);
    assert!(
        with_meta * 4 >= assets.len() * 3,
        "user_metadata on {with_meta}"
    );
    let indexes = m["indexes"].as_array().cloned().unwrap_or_default();
    assert_eq!(indexes.len(), 1);
    let listed: Vec<&str> = indexes[0]["asset_ids"]
        .as_array()
        .map(|v| v.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        listed.iter().all(|i| ids.contains(*i)),
        "the index names existing assets"
    );
    assert!(
        !listed.is_empty() && listed.len() < ids.len(),
        "some, not all"
    );
    assert!(is_rfc3339_utc(
        indexes[0]["created_at"].as_str().unwrap_or("")
    ));
}

fn node<'a>(top: &'a [Node], path: &[&[u8; 4]], what: &str) -> &'a Node {
    find(top, path).unwrap_or_else(|| {
        panic!(
            "{what}: no {:?}",
            path.last().map(|k| String::from_utf8_lossy(*k))
        )
    })
}

/// The SPS and PPS from the `avcC` inside `stsd`.
fn avcc(data: &[u8], stsd: &Node) -> (Vec<u8>, Vec<u8>) {
    let body = &data[stsd.body.clone()];
    let at = body
        .windows(4)
        .position(|w| w == b"avcC")
        .unwrap_or_else(|| panic!("no avcC"))
        + 4;
    let c = &body[at..];
    assert_eq!((c[0], c[4], c[5]), (1, 0xFF, 0xE1), "avcC header");
    let sl = usize::from(u16::from_be_bytes([c[6], c[7]]));
    let sps = c[8..8 + sl].to_vec();
    assert_eq!(c[8 + sl], 1);
    let pl = usize::from(u16::from_be_bytes([c[9 + sl], c[10 + sl]]));
    (sps, c[11 + sl..11 + sl + pl].to_vec())
}

/// Splits a sample into its length-prefixed NAL units.
fn nals(sample: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut p = 0;
    while p < sample.len() {
        let n = be32(sample, p) as usize;
        assert!(n > 0 && p + 4 + n <= sample.len(), "NAL length");
        out.push(&sample[p + 4..p + 4 + n]);
        p += 4 + n;
    }
    out
}

/// Decodes a run of samples with the checker; returns the pictures.
fn decode_all(sps: &Sps, samples: &[&[u8]], sync: &[bool], mut reference: Option<Yuv>) -> Vec<Yuv> {
    let mut out = Vec::new();
    for (i, s) in samples.iter().enumerate() {
        let units = nals(s);
        assert_eq!(units.len(), 1, "one slice per picture");
        assert_eq!(
            units[0][0] & 0x1f == 5,
            sync[i],
            "IDR exactly at sync samples"
        );
        let (pic, _) = decode_slice(sps, units[0], reference.as_ref());
        reference = Some(pic.clone());
        out.push(pic);
    }
    out
}

fn by_type(kind: &str) -> Vec<Value> {
    assets()
        .into_iter()
        .filter(|a| a["asset_type"] == kind)
        .collect()
}

#[test]
fn every_mp4_is_well_formed_and_its_h264_stream_parses() {
    for a in by_type("video") {
        let f = read(a["file"].as_str().unwrap_or(""));
        let top = parse(&f, 0..f.len());
        let kinds: Vec<&[u8; 4]> = top.iter().map(|n| &n.kind).collect();
        assert_eq!(kinds, [b"ftyp", b"moov", b"mdat"], "moov before mdat");
        let stbl = [b"moov", b"trak", b"mdia", b"minf", b"stbl"];
        let at = |k: &[u8; 4]| {
            let mut p: Vec<&[u8; 4]> = stbl.to_vec();
            p.push(k);
            node(&top, &p, "mp4").body.clone()
        };
        let (sps, _pps) = avcc(
            &f,
            node(
                &top,
                &[b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd"],
                "mp4",
            ),
        );
        let sps = parse_sps(&sps);
        assert_eq!((sps.width, sps.height), (160, 90));
        let stsz = at(b"stsz");
        let count = be32(&f, stsz.start + 8) as usize;
        let frames = (a["duration"].as_f64().unwrap_or(0.0) * 10.0) as usize;
        assert_eq!(count, frames, "one sample per frame");
        let sizes: Vec<usize> = (0..count)
            .map(|i| be32(&f, stsz.start + 12 + 4 * i) as usize)
            .collect();
        let stco = at(b"stco");
        assert_eq!(be32(&f, stco.start + 4), 1, "one chunk");
        let mdat = node(&top, &[b"mdat"], "mp4").body.clone();
        let mut off = be32(&f, stco.start + 8) as usize;
        assert_eq!(off, mdat.start);
        let mut samples = Vec::new();
        for s in &sizes {
            samples.push(&f[off..off + s]);
            off += s;
        }
        assert_eq!(off, mdat.end, "the samples fill mdat");
        let stss = at(b"stss");
        let syncs: BTreeSet<u32> = (0..be32(&f, stss.start + 4))
            .map(|i| be32(&f, stss.start + 8 + 4 * i as usize))
            .collect();
        let sync: Vec<bool> = (1..=count as u32).map(|i| syncs.contains(&i)).collect();
        assert!(sync[0]);
        let pics = decode_all(&sps, &samples, &sync, None);
        assert_ne!(pics.first(), pics.last(), "something moves");
        let mdhd = node(&top, &[b"moov", b"trak", b"mdia", b"mdhd"], "mp4")
            .body
            .clone();
        let (scale, dur) = (be32(&f, mdhd.start + 12), be32(&f, mdhd.start + 16));
        assert_eq!(
            f64::from(dur) / f64::from(scale),
            a["duration"].as_f64().unwrap_or(0.0)
        );
    }
}

#[test]
fn every_wav_header_is_correct() {
    for a in by_type("audio") {
        let f = read(a["file"].as_str().unwrap_or(""));
        let secs = a["duration"].as_f64().unwrap_or(0.0);
        let h = wav::parse_header(&f).unwrap_or_else(|| panic!("{}: bad WAV header", a["id"]));
        let bytes = (secs * 16_000.0) as usize * 2;
        assert_eq!(h, (1, 1, 16_000, 32_000, 2, 16, bytes));
        // audible: not silence
        let peak = f[44..]
            .chunks(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]).unsigned_abs())
            .max();
        assert!(peak.unwrap_or(0) > 10_000);
    }
}

struct Playlist {
    init: String,
    segments: Vec<(f64, String)>,
    target: f64,
}

fn parse_playlist(text: &str) -> Playlist {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("#EXTM3U"));
    let (mut init, mut segments, mut target, mut pending) = (String::new(), Vec::new(), 0.0, None);
    let mut ended = false;
    for l in lines {
        if let Some(v) = l.strip_prefix("#EXT-X-TARGETDURATION:") {
            target = v.parse().unwrap_or(0.0);
        } else if let Some(v) = l.strip_prefix("#EXT-X-MAP:URI=\"") {
            init = v.trim_end_matches('"').to_string();
        } else if let Some(v) = l.strip_prefix("#EXTINF:") {
            pending = v.trim_end_matches(',').parse::<f64>().ok();
        } else if l == "#EXT-X-ENDLIST" {
            ended = true;
        } else if !l.starts_with('#') && !l.is_empty() {
            let d = pending
                .take()
                .unwrap_or_else(|| panic!("URI {l} without EXTINF"));
            assert!(!l.contains('/') && !l.contains(':'), "relative URI: {l}");
            segments.push((d, l.to_string()));
        }
    }
    assert!(ended, "VOD playlist ends");
    Playlist {
        init,
        segments,
        target,
    }
}

#[test]
fn playlists_reference_existing_segments_that_decode_to_the_file() {
    for a in assets().into_iter().filter(|a| a.get("hls").is_some()) {
        let rel = a["hls"].as_str().unwrap_or("");
        let dir = library()
            .join(rel)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let p = parse_playlist(&String::from_utf8_lossy(&read(rel)));
        let init = fs::read(dir.join(&p.init)).unwrap_or_else(|e| panic!("{rel}: init: {e}"));
        let itop = parse(&init, 0..init.len());
        assert!(
            find(&itop, &[b"moov", b"mvex", b"trex"]).is_some(),
            "{rel}: fragmented"
        );
        let total: f64 = p.segments.iter().map(|s| s.0).sum();
        assert!(
            (total - a["duration"].as_f64().unwrap_or(0.0)).abs() < 1e-9,
            "{rel}: EXTINF sum"
        );
        let video = a["asset_type"] == "video";
        let (mut base, mut samples, mut sync) = (0u64, Vec::<Vec<u8>>::new(), Vec::new());
        for (i, (d, uri)) in p.segments.iter().enumerate() {
            assert!(
                d.round() <= p.target,
                "{rel}: EXTINF over the target duration"
            );
            let s = fs::read(dir.join(uri)).unwrap_or_else(|e| panic!("{rel}: {uri}: {e}"));
            let top = parse(&s, 0..s.len());
            assert_eq!(top.len(), 2, "{uri}: moof + mdat");
            let mfhd = node(&top, &[b"moof", b"mfhd"], uri).body.clone();
            assert_eq!(be32(&s, mfhd.start + 4), i as u32 + 1, "sequence number");
            let tfdt = node(&top, &[b"moof", b"traf", b"tfdt"], uri).body.clone();
            let t = u64::from(be32(&s, tfdt.start + 4)) << 32 | u64::from(be32(&s, tfdt.start + 8));
            assert_eq!(t, base, "{rel}: tfdt continues the previous segment");
            let trun = node(&top, &[b"moof", b"traf", b"trun"], uri).body.clone();
            let n = be32(&s, trun.start + 4) as usize;
            let mut off = top[0].start + be32(&s, trun.start + 8) as usize;
            assert_eq!(off, top[1].body.start);
            for k in 0..n {
                let e = trun.start + 12 + 12 * k;
                let (dur, size, flags) = (be32(&s, e), be32(&s, e + 4) as usize, be32(&s, e + 8));
                base += u64::from(dur);
                samples.push(s[off..off + size].to_vec());
                sync.push(flags == 0x0200_0000);
                off += size;
            }
            assert_eq!(off, top[1].body.end);
            if video {
                assert!(sync[sync.len() - n], "{uri}: starts with an IDR");
            }
        }
        let file = read(a["file"].as_str().unwrap_or(""));
        if video {
            let stsd = [b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd"];
            let (sps, _) = avcc(&init, node(&itop, &stsd, rel));
            let sps = parse_sps(&sps);
            let refs: Vec<&[u8]> = samples.iter().map(Vec::as_slice).collect();
            let hls_pics = decode_all(&sps, &refs, &sync, None);
            // the same pictures as the MP4: its samples are the same bytes
            let ftop = parse(&file, 0..file.len());
            let mdat = &file[node(&ftop, &[b"mdat"], "mp4").body.clone()];
            assert_eq!(
                mdat,
                samples.concat().as_slice(),
                "{rel}: same stream as the file"
            );
            assert_eq!(hls_pics.len() as f64, total * 10.0);
        } else {
            let pcm: Vec<i16> = file[44..]
                .chunks(2)
                .map(|c| i16::from_le_bytes([c[0], c[1]]))
                .collect();
            let mut decoded = Vec::new();
            for (k, fr) in samples.iter().enumerate() {
                let (index, xs) = flac::decode_frame(fr);
                assert_eq!(index as usize, k, "frame numbers");
                decoded.extend(xs);
            }
            assert_eq!(decoded, pcm, "{rel}: the FLAC frames are the WAV's samples");
        }
    }
}
