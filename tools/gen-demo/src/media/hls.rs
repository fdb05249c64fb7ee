//! HLS media playlists (RFC 8216) over fragmented-MP4 segments.

use std::fmt::Write;

/// A VOD media playlist: `EXT-X-MAP` names the initialisation section;
/// `segments` are (duration in seconds, URI relative to the playlist).
pub fn media_playlist(init: &str, segments: &[(f64, String)]) -> String {
    // EXT-X-TARGETDURATION: every EXTINF rounded to the nearest integer
    // must not exceed it (RFC 8216 4.3.3.1)
    let target = segments
        .iter()
        .map(|(d, _)| d.round() as u64)
        .max()
        .unwrap_or(1)
        .max(1);
    let mut s = String::new();
    s.push_str("#EXTM3U\n");
    // EXT-X-MAP in a playlist that is not I-frames-only needs version 6
    s.push_str("#EXT-X-VERSION:7\n");
    let _ = writeln!(s, "#EXT-X-TARGETDURATION:{target}");
    s.push_str("#EXT-X-MEDIA-SEQUENCE:0\n");
    s.push_str("#EXT-X-PLAYLIST-TYPE:VOD\n");
    s.push_str("#EXT-X-INDEPENDENT-SEGMENTS\n");
    let _ = writeln!(s, "#EXT-X-MAP:URI=\"{init}\"");
    for (d, uri) in segments {
        let _ = writeln!(s, "#EXTINF:{d:.3},");
        let _ = writeln!(s, "{uri}");
    }
    s.push_str("#EXT-X-ENDLIST\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_duration_covers_every_segment() {
        let p = media_playlist(
            "init.mp4",
            &[(2.0, "seg0.m4s".into()), (2.5, "seg1.m4s".into())],
        );
        assert!(p.starts_with("#EXTM3U\n"));
        assert!(p.contains("#EXT-X-TARGETDURATION:3\n"), "{p}");
        assert!(p.contains("#EXTINF:2.500,\nseg1.m4s\n"));
        assert!(p.ends_with("#EXT-X-ENDLIST\n"));
    }
}
