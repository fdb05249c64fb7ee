//! The one sanitizer for text that came from outside (API strings, error
//! bodies, file names shown to the user). It removes every C0 and C1 control,
//! DEL, bidi overrides and isolates, and zero-width characters, and bounds the
//! length, so no server string can move the cursor, change the title, write
//! the clipboard or reorder what the user reads.

/// Longest text kept from one API string, in characters.
pub const MAX_CHARS: usize = 4096;

/// True for characters that must never reach a terminal from outside.
pub fn is_forbidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // bidi embeddings, overrides, isolates and marks
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
        // zero-width and invisible formatting characters
        | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{00ad}'
        // interlinear annotation and object replacement
        | '\u{fff9}'..='\u{fffb}'
        // Unicode tag characters: invisible, they smuggle whole hidden
        // sentences (to a reader, or to a model fed the clipboard)
        | '\u{e0000}'..='\u{e007f}'
        // invisible fillers and joiners that draw nothing: Hangul fillers,
        // the Mongolian vowel separator, the combining grapheme joiner,
        // Khmer inherent vowels, deprecated format controls, musical
        // format controls, line and paragraph separators
        | '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' | '\u{180e}' | '\u{034f}'
        | '\u{17b4}' | '\u{17b5}' | '\u{206a}'..='\u{206f}' | '\u{1d173}'..='\u{1d17a}'
        | '\u{2028}' | '\u{2029}')
}

/// One line of text: controls removed, any line break or tab becomes a space,
/// at most `max` characters (an ellipsis marks a cut).
pub fn line(s: &str, max: usize) -> String {
    clean(s, max, false)
}

/// Text that may span lines (a prompt, a description): like [`line`] but
/// keeps `\n` (and turns `\r\n` and lone `\r` into `\n`).
pub fn multiline(s: &str, max: usize) -> String {
    clean(s, max, true)
}

fn clean(s: &str, max: usize, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(s.len().min(max.saturating_mul(4)));
    let mut count = 0usize;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let mapped = match c {
            '\r' if keep_newlines => {
                if chars.peek() == Some(&'\n') {
                    continue;
                }
                Some('\n')
            }
            '\n' if keep_newlines => Some('\n'),
            '\n' | '\r' | '\t' => Some(' '),
            c if is_forbidden(c) => None,
            c => Some(c),
        };
        if let Some(c) = mapped {
            if count == max {
                out.push('…');
                break;
            }
            out.push(c);
            count += 1;
        }
    }
    out
}

/// A short excerpt of a response body for an error message: lossy UTF-8,
/// one line, at most `max` characters.
pub fn excerpt(bytes: &[u8], max: usize) -> String {
    let head = &bytes[..bytes.len().min(max.saturating_mul(4))];
    let text = String::from_utf8_lossy(head);
    // collapse newlines and indentation before cutting
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    line(&collapsed, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_escapes_and_bidi() {
        let hostile = "a\u{1b}]52;c;ZXZpbA==\u{7}b\u{202e}c\u{9b}31md\u{200b}e";
        assert_eq!(line(hostile, 100), "a]52;c;ZXZpbA==bc31mde");
    }

    #[test]
    fn removes_tag_characters_and_invisible_fillers() {
        // "ok" followed by "IGNORE" spelled in tag characters
        let tags: String = "IGNORE"
            .chars()
            .map(|c| char::from_u32(0xe0000 + c as u32).unwrap())
            .collect();
        assert_eq!(line(&format!("ok{tags}"), 100), "ok");
        let fillers = "a\u{115f}b\u{1160}c\u{3164}d\u{ffa0}e\u{180e}f\u{034f}g\u{17b4}h\u{206f}i\u{1d173}j\u{2028}k\u{2029}l";
        assert_eq!(line(fillers, 100), "abcdefghijkl");
        assert_eq!(multiline(fillers, 100), "abcdefghijkl");
        // what people read stays: accents, CJK, emoji
        assert_eq!(line("café 東京 🚀", 100), "café 東京 🚀");
    }

    #[test]
    fn bounds_length() {
        let long = "x".repeat(70_000);
        let out = line(&long, MAX_CHARS);
        assert_eq!(out.chars().count(), MAX_CHARS + 1);
        assert!(out.ends_with('…'));
    }

    #[test]
    fn multiline_keeps_newlines_only() {
        assert_eq!(multiline("a\r\nb\rc\td", 100), "a\nb\nc d");
        assert_eq!(line("a\nb", 100), "a b");
    }

    #[test]
    fn excerpt_is_one_short_line() {
        let html = b"<!doctype html>\n<html>\n   <body>oops</body></html>";
        assert_eq!(excerpt(html, 30), "<!doctype html> <html> <body>o…");
    }
}
