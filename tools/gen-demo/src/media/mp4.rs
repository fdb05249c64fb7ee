//! ISO base media files: a progressive MP4 (`ftyp`, `moov`, `mdat`, the
//! `moov` first so a player starts at once) and fragmented MP4 for HLS (an
//! initialisation section, then `moof`+`mdat` segments with `tfdt`). One
//! track each: H.264 (`avc1` + `avcC`) or FLAC (`fLaC` + `dfLa`).

/// A box: 32-bit size, type, body.
pub fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend((body.len() as u32 + 8).to_be_bytes());
    out.extend(kind);
    out.extend(body);
    out
}

/// A full box: version and 24-bit flags before the body.
fn full(kind: &[u8; 4], version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(body.len() + 4);
    b.extend((u32::from(version) << 24 | flags).to_be_bytes());
    b.extend(body);
    bx(kind, &b)
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

const MATRIX: [u32; 9] = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000];
/// `mvhd`/`tkhd` durations are in this timescale.
const MOVIE_TIMESCALE: u32 = 1000;

pub enum Codec {
    Avc {
        sps: Vec<u8>,
        pps: Vec<u8>,
        width: u16,
        height: u16,
    },
    Flac {
        streaminfo: [u8; 34],
        rate: u32,
    },
}

pub struct Track {
    pub codec: Codec,
    /// Media timescale (ticks per second).
    pub timescale: u32,
}

pub struct Sample {
    pub data: Vec<u8>,
    pub duration: u32,
    pub sync: bool,
}

impl Track {
    fn is_video(&self) -> bool {
        matches!(self.codec, Codec::Avc { .. })
    }

    fn movie_ticks(&self, media: u64) -> u32 {
        (media * u64::from(MOVIE_TIMESCALE) / u64::from(self.timescale)) as u32
    }

    fn mvhd(&self, duration: u32) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend(0u32.to_be_bytes()); // creation time
        b.extend(0u32.to_be_bytes()); // modification time
        b.extend(MOVIE_TIMESCALE.to_be_bytes());
        b.extend(duration.to_be_bytes());
        b.extend(0x0001_0000u32.to_be_bytes()); // rate 1.0
        b.extend(0x0100u16.to_be_bytes()); // volume 1.0
        b.extend([0u8; 10]);
        for m in MATRIX {
            b.extend(m.to_be_bytes());
        }
        b.extend([0u8; 24]);
        b.extend(2u32.to_be_bytes()); // next track id
        full(b"mvhd", 0, 0, &b)
    }

    fn tkhd(&self, duration: u32) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend(0u32.to_be_bytes());
        b.extend(0u32.to_be_bytes());
        b.extend(1u32.to_be_bytes()); // track id
        b.extend(0u32.to_be_bytes());
        b.extend(duration.to_be_bytes());
        b.extend([0u8; 8]);
        b.extend(0u16.to_be_bytes()); // layer
        b.extend(0u16.to_be_bytes()); // alternate group
        b.extend(if self.is_video() { 0u16 } else { 0x0100 }.to_be_bytes());
        b.extend(0u16.to_be_bytes());
        for m in MATRIX {
            b.extend(m.to_be_bytes());
        }
        let (w, h) = match &self.codec {
            Codec::Avc { width, height, .. } => (*width, *height),
            Codec::Flac { .. } => (0, 0),
        };
        b.extend((u32::from(w) << 16).to_be_bytes());
        b.extend((u32::from(h) << 16).to_be_bytes());
        full(b"tkhd", 0, 3, &b) // enabled, in movie
    }

    fn sample_entry(&self) -> Vec<u8> {
        let mut b = vec![0u8; 6];
        b.extend(1u16.to_be_bytes()); // data reference index
        match &self.codec {
            Codec::Avc {
                sps,
                pps,
                width,
                height,
            } => {
                b.extend([0u8; 16]);
                b.extend(width.to_be_bytes());
                b.extend(height.to_be_bytes());
                b.extend(0x0048_0000u32.to_be_bytes()); // 72 dpi
                b.extend(0x0048_0000u32.to_be_bytes());
                b.extend(0u32.to_be_bytes());
                b.extend(1u16.to_be_bytes()); // frame count
                let mut name = [0u8; 32];
                let label = b"assetui gen-demo";
                name[0] = label.len() as u8;
                name[1..=label.len()].copy_from_slice(label);
                b.extend(name);
                b.extend(0x0018u16.to_be_bytes()); // depth
                b.extend((-1i16).to_be_bytes());
                let mut c = vec![1, sps[1], sps[2], sps[3], 0xFF, 0xE1];
                c.extend((sps.len() as u16).to_be_bytes());
                c.extend(sps);
                c.push(1);
                c.extend((pps.len() as u16).to_be_bytes());
                c.extend(pps);
                b.extend(bx(b"avcC", &c));
                bx(b"avc1", &b)
            }
            Codec::Flac { streaminfo, rate } => {
                b.extend([0u8; 8]);
                b.extend(1u16.to_be_bytes()); // channels
                b.extend(16u16.to_be_bytes()); // sample size
                b.extend(0u16.to_be_bytes());
                b.extend(0u16.to_be_bytes());
                b.extend((rate << 16).to_be_bytes());
                let mut d = vec![0x80, 0, 0, 34]; // last block, STREAMINFO, 34 bytes
                d.extend(streaminfo);
                b.extend(full(b"dfLa", 0, 0, &d));
                bx(b"fLaC", &b)
            }
        }
    }

    fn mdia(&self, media_duration: u32, stbl_tables: &[Vec<u8>]) -> Vec<u8> {
        let mut md = Vec::new();
        md.extend(0u32.to_be_bytes());
        md.extend(0u32.to_be_bytes());
        md.extend(self.timescale.to_be_bytes());
        md.extend(media_duration.to_be_bytes());
        md.extend(0x55C4u16.to_be_bytes()); // "und"
        md.extend(0u16.to_be_bytes());
        let (handler, name): (&[u8; 4], &[u8]) = if self.is_video() {
            (b"vide", b"VideoHandler\0")
        } else {
            (b"soun", b"SoundHandler\0")
        };
        let mut hd = vec![0u8; 4];
        hd.extend(handler);
        hd.extend([0u8; 12]);
        hd.extend(name);
        let media_header = if self.is_video() {
            full(b"vmhd", 0, 1, &[0u8; 8])
        } else {
            full(b"smhd", 0, 0, &[0u8; 4])
        };
        let dinf = bx(
            b"dinf",
            &full(
                b"dref",
                0,
                0,
                &cat(&[1u32.to_be_bytes().to_vec(), full(b"url ", 0, 1, &[])]),
            ),
        );
        let mut stsd = 1u32.to_be_bytes().to_vec();
        stsd.extend(self.sample_entry());
        let mut stbl = full(b"stsd", 0, 0, &stsd);
        for t in stbl_tables {
            stbl.extend(t);
        }
        let minf = bx(b"minf", &cat(&[media_header, dinf, bx(b"stbl", &stbl)]));
        bx(
            b"mdia",
            &cat(&[full(b"mdhd", 0, 0, &md), full(b"hdlr", 0, 0, &hd), minf]),
        )
    }

    fn moov(&self, media_duration: u32, tables: &[Vec<u8>], mvex: Option<Vec<u8>>) -> Vec<u8> {
        let movie = self.movie_ticks(u64::from(media_duration));
        let trak = bx(
            b"trak",
            &cat(&[self.tkhd(movie), self.mdia(media_duration, tables)]),
        );
        let mut parts = vec![self.mvhd(movie), trak];
        parts.extend(mvex);
        bx(b"moov", &cat(&parts))
    }
}

fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
    let mut b = major.to_vec();
    b.extend(0x200u32.to_be_bytes());
    for c in compatible {
        b.extend(*c);
    }
    bx(b"ftyp", &b)
}

fn u32s(values: impl IntoIterator<Item = u32>) -> Vec<u8> {
    values.into_iter().flat_map(u32::to_be_bytes).collect()
}

/// A progressive MP4 with every sample in one chunk.
pub fn progressive(track: &Track, samples: &[Sample]) -> Vec<u8> {
    let ftyp = if track.is_video() {
        ftyp(b"isom", &[b"isom", b"iso2", b"avc1", b"mp41"])
    } else {
        ftyp(b"isom", &[b"isom", b"iso2", b"mp41"])
    };
    let media_duration: u32 = samples.iter().map(|s| s.duration).sum();
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for s in samples {
        match runs.last_mut() {
            Some((n, d)) if *d == s.duration => *n += 1,
            _ => runs.push((1, s.duration)),
        }
    }
    let stts = full(
        b"stts",
        0,
        0,
        &u32s(std::iter::once(runs.len() as u32).chain(runs.iter().flat_map(|&(n, d)| [n, d]))),
    );
    let syncs: Vec<u32> = (1..=samples.len() as u32)
        .filter(|i| samples[*i as usize - 1].sync)
        .collect();
    let stss = full(
        b"stss",
        0,
        0,
        &u32s(std::iter::once(syncs.len() as u32).chain(syncs.iter().copied())),
    );
    let stsc = full(b"stsc", 0, 0, &u32s([1, 1, samples.len() as u32, 1]));
    let stsz = full(
        b"stsz",
        0,
        0,
        &u32s(
            [0, samples.len() as u32]
                .into_iter()
                .chain(samples.iter().map(|s| s.data.len() as u32)),
        ),
    );
    let build = |offset: u32| {
        let stco = full(b"stco", 0, 0, &u32s([1, offset]));
        let mut tables = vec![stts.clone()];
        if track.is_video() {
            tables.push(stss.clone());
        }
        tables.extend([stsc.clone(), stsz.clone(), stco]);
        track.moov(media_duration, &tables, None)
    };
    let moov_len = build(0).len();
    let moov = build((ftyp.len() + moov_len + 8) as u32);
    let mdat: Vec<u8> = samples
        .iter()
        .flat_map(|s| s.data.iter().copied())
        .collect();
    cat(&[ftyp, moov, bx(b"mdat", &mdat)])
}

/// The initialisation section of a fragmented MP4 (`EXT-X-MAP`).
pub fn init_segment(track: &Track) -> Vec<u8> {
    let empty = |k: &[u8; 4]| full(k, 0, 0, &0u32.to_be_bytes());
    let tables = vec![
        empty(b"stts"),
        empty(b"stsc"),
        full(b"stsz", 0, 0, &u32s([0, 0])),
        empty(b"stco"),
    ];
    let trex = full(b"trex", 0, 0, &u32s([1, 1, 0, 0, 0]));
    cat(&[
        ftyp(b"iso6", &[b"iso6", b"mp41"]),
        track.moov(0, &tables, Some(bx(b"mvex", &trex))),
    ])
}

const FLAGS_SYNC: u32 = 0x0200_0000; // depends on no other sample
const FLAGS_NON_SYNC: u32 = 0x0101_0000; // depends on others, not a sync sample

/// One media segment: `moof` (sequence number `seq`, decode time `base`)
/// and its `mdat`.
pub fn media_segment(seq: u32, base: u64, samples: &[Sample]) -> Vec<u8> {
    let build = |data_offset: u32| {
        let mut trun = u32s([samples.len() as u32, data_offset]);
        for s in samples {
            trun.extend(u32s([
                s.duration,
                s.data.len() as u32,
                if s.sync { FLAGS_SYNC } else { FLAGS_NON_SYNC },
            ]));
        }
        let traf = cat(&[
            full(b"tfhd", 0, 0x02_0000, &1u32.to_be_bytes()), // default-base-is-moof
            full(b"tfdt", 1, 0, &base.to_be_bytes()),
            full(b"trun", 0, 0x0701, &trun), // offset, duration, size, flags
        ]);
        bx(
            b"moof",
            &cat(&[full(b"mfhd", 0, 0, &seq.to_be_bytes()), bx(b"traf", &traf)]),
        )
    };
    let moof_len = build(0).len();
    let moof = build(moof_len as u32 + 8);
    let mdat: Vec<u8> = samples
        .iter()
        .flat_map(|s| s.data.iter().copied())
        .collect();
    cat(&[moof, bx(b"mdat", &mdat)])
}

/// Walks boxes back (the tests' check): the tree of (type, body range).
#[cfg(test)]
pub mod check {
    #[derive(Debug)]
    pub struct Node {
        pub kind: [u8; 4],
        pub start: usize,
        pub body: std::ops::Range<usize>,
        pub children: Vec<Node>,
    }

    const CONTAINERS: [&[u8; 4]; 9] = [
        b"moov", b"trak", b"mdia", b"minf", b"stbl", b"dinf", b"mvex", b"moof", b"traf",
    ];

    /// Parses `data[range]` as a sequence of boxes that fill it exactly.
    pub fn parse(data: &[u8], range: std::ops::Range<usize>) -> Vec<Node> {
        let mut out = Vec::new();
        let mut pos = range.start;
        while pos < range.end {
            assert!(pos + 8 <= range.end, "box header past the end at {pos}");
            let size = u32::from_be_bytes([data[pos], data[pos + 1], data[pos + 2], data[pos + 3]])
                as usize;
            assert!(
                size >= 8 && pos + size <= range.end,
                "bad box size {size} at {pos}"
            );
            let mut kind = [0u8; 4];
            kind.copy_from_slice(&data[pos + 4..pos + 8]);
            assert!(
                kind.iter().all(u8::is_ascii_graphic) || &kind == b"url ",
                "box type {kind:?}"
            );
            let body = pos + 8..pos + size;
            let children = if CONTAINERS.contains(&&kind) {
                parse(data, body.clone())
            } else {
                Vec::new()
            };
            out.push(Node {
                kind,
                start: pos,
                body,
                children,
            });
            pos += size;
        }
        assert_eq!(pos, range.end);
        out
    }

    /// The first box at `path` (types from the top).
    pub fn find<'a>(nodes: &'a [Node], path: &[&[u8; 4]]) -> Option<&'a Node> {
        let (first, rest) = path.split_first()?;
        let n = nodes.iter().find(|n| &n.kind == *first)?;
        if rest.is_empty() {
            Some(n)
        } else {
            find(&n.children, rest)
        }
    }

    pub fn be32(d: &[u8], at: usize) -> u32 {
        u32::from_be_bytes([d[at], d[at + 1], d[at + 2], d[at + 3]])
    }
}

#[cfg(test)]
mod tests {
    use super::check::*;
    use super::*;

    fn track() -> Track {
        Track {
            codec: Codec::Flac {
                streaminfo: [0; 34],
                rate: 16_000,
            },
            timescale: 16_000,
        }
    }

    #[test]
    fn progressive_offsets_point_at_the_samples() {
        let samples: Vec<Sample> = (0..5u8)
            .map(|i| Sample {
                data: vec![i; 10 + usize::from(i)],
                duration: 4000,
                sync: true,
            })
            .collect();
        let f = progressive(&track(), &samples);
        let top = parse(&f, 0..f.len());
        let kinds: Vec<&[u8; 4]> = top.iter().map(|n| &n.kind).collect();
        assert_eq!(kinds, [b"ftyp", b"moov", b"mdat"]);
        let stco = find(
            &top,
            &[b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stco"],
        )
        .unwrap();
        let off = be32(&f, stco.body.start + 8) as usize;
        assert_eq!(off, find(&top, &[b"mdat"]).unwrap().body.start);
        assert_eq!(&f[off..off + 10], &[0u8; 10]);
        let mdhd = find(&top, &[b"moov", b"trak", b"mdia", b"mdhd"]).unwrap();
        assert_eq!(be32(&f, mdhd.body.start + 16), 20_000);
    }

    #[test]
    fn segments_carry_their_decode_time_and_data_offset() {
        let samples = vec![Sample {
            data: vec![9; 33],
            duration: 4000,
            sync: true,
        }];
        let s = media_segment(3, 8000, &samples);
        let top = parse(&s, 0..s.len());
        let trun = find(&top, &[b"moof", b"traf", b"trun"]).unwrap();
        let off = be32(&s, trun.body.start + 8) as usize;
        assert_eq!(off, top[1].body.start, "data offset from the moof start");
        let tfdt = find(&top, &[b"moof", b"traf", b"tfdt"]).unwrap();
        assert_eq!(s[tfdt.body.start], 1, "version 1");
        let init = init_segment(&track());
        let top = parse(&init, 0..init.len());
        assert!(find(&top, &[b"moov", b"mvex", b"trex"]).is_some());
    }
}
