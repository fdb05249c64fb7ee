//! File names from a template, with the batch-download API's tokens
//! (`<id>`, `<seed>`, `<num>`, `<prompt>`, `<generator>`, `<description>`)
//! and the same slug and length rules, so one template names files the
//! same way in a server-side zip and in a client-side download (plus
//! `<type>` and `<date>`, client-side only). Every component is sanitized:
//! no separators, no `..`, no controls, no leading `-` or `.`, never empty,
//! at most [`MAX_NAME_BYTES`] bytes so that a ` (n)` suffix and `.part`
//! still fit the file system's 255.

/// Words dropped from prompt and description slugs.
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "with", "and", "or", "by", "from", "as",
    "is", "are", "be", "this", "that", "its", "it", "into", "over", "under", "very",
];

/// Longest file name, extension included (the API's cap).
pub const MAX_FILE_CHARS: usize = 128;
/// Longest directory segment.
pub const MAX_DIR_CHARS: usize = 64;
/// Longest path component in bytes: 255 (the usual file system limit) less
/// room for a ` (99999)` suffix and a `.part` extension.
pub const MAX_NAME_BYTES: usize = 240;
/// Words kept in a prompt or description slug.
pub(crate) const SLUG_WORDS: usize = 8;

/// What a template can refer to.
#[derive(Debug, Clone, Default)]
pub struct NameFields<'a> {
    pub id: &'a str,
    pub seed: Option<String>,
    /// Index of the asset in its inference.
    pub num: Option<u64>,
    pub prompt: Option<&'a str>,
    /// Name of the generator (model).
    pub generator: Option<&'a str>,
    pub description: Option<&'a str>,
    /// Asset type (client-side names only).
    pub asset_type: Option<&'a str>,
    /// Creation date `YYYY-MM-DD` (client-side names only).
    pub date: Option<&'a str>,
}

/// What a template can say about an asset, owned: the one place that
/// reads those fields, for the server's zips and the client's downloads.
#[derive(Debug, Clone, Default)]
pub struct AssetName {
    pub id: String,
    pub seed: Option<String>,
    pub num: Option<u64>,
    pub prompt: Option<String>,
    pub generator: Option<String>,
    pub description: Option<String>,
    pub asset_type: Option<String>,
    /// `YYYY-MM-DD` of its creation.
    pub date: Option<String>,
}

impl AssetName {
    pub fn of(asset: &crate::models::Asset) -> AssetName {
        let m = asset.metadata.as_ref();
        AssetName {
            id: asset.id.clone(),
            seed: asset.seed().map(|s| s.to_string()),
            num: m
                .and_then(|m| m.output_index.as_ref())
                .and_then(|n| n.as_u64()),
            prompt: asset.prompt().map(str::to_string),
            generator: m.and_then(|m| m.model_type.as_ref()).map(|t| t.to_string()),
            description: asset.description.clone(),
            asset_type: asset.asset_type().map(|t| t.as_str().to_string()),
            date: asset
                .created_at
                .as_deref()
                .map(|d| d.get(..10).unwrap_or(d).to_string()),
        }
    }

    pub fn fields(&self) -> NameFields<'_> {
        NameFields {
            id: &self.id,
            seed: self.seed.clone(),
            num: self.num,
            prompt: self.prompt.as_deref(),
            generator: self.generator.as_deref(),
            description: self.description.as_deref(),
            asset_type: self.asset_type.as_deref(),
            date: self.date.as_deref(),
        }
    }
}

/// The slug of free text: lower-case ASCII words, function words removed,
/// at most [`SLUG_WORDS`] words joined by `_`.
pub(crate) fn slug(text: &str) -> String {
    let folded: String = text.chars().map(|c| fold(c).unwrap_or(' ')).collect();
    folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .filter(|w| !FUNCTION_WORDS.contains(&w.as_str()))
        .take(SLUG_WORDS)
        .collect::<Vec<_>>()
        .join("_")
}

fn fold(c: char) -> Option<char> {
    if c.is_ascii_alphanumeric() {
        return Some(c);
    }
    let base = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        _ => return None,
    };
    Some(base)
}

/// Expands a template into path segments (a `/` makes a subdirectory),
/// sanitized and capped: the file name (with `ext`) at [`MAX_FILE_CHARS`],
/// each directory at [`MAX_DIR_CHARS`], the prompt and description slugs
/// shortened first. Never empty, never `.` or `..`.
pub fn expand(template: &str, fields: &NameFields<'_>, ext: &str) -> Vec<String> {
    let ext = component(ext.trim_start_matches('.'), 16);
    let raw: Vec<&str> = template.split('/').collect();
    let last = raw.len().saturating_sub(1);
    let mut out = Vec::new();
    for (i, seg) in raw.iter().enumerate() {
        let is_file = i == last;
        let budget = if is_file {
            MAX_FILE_CHARS.saturating_sub(ext.len() + usize::from(!ext.is_empty()))
        } else {
            MAX_DIR_CHARS
        };
        let name = fill(seg, fields, budget);
        if name.is_empty() && !is_file {
            continue;
        }
        let name = if name.is_empty() {
            component(fields.id, budget)
        } else {
            name
        };
        let name = if name.is_empty() {
            "asset".to_string()
        } else {
            name
        };
        if is_file && !ext.is_empty() {
            let stem = cut_bytes(&name, MAX_NAME_BYTES - ext.len() - 1);
            out.push(format!("{stem}.{ext}"));
        } else {
            out.push(name);
        }
    }
    out
}

/// Fills one segment within `budget` characters, shortening the prompt and
/// description slugs first, then cutting the whole.
fn fill(segment: &str, f: &NameFields<'_>, budget: usize) -> String {
    let prompt = f.prompt.map(slug).unwrap_or_default();
    let description = f.description.map(slug).unwrap_or_default();
    let mut words = (prompt.split('_').count(), description.split('_').count());
    loop {
        let p: String = prompt
            .split('_')
            .take(words.0)
            .collect::<Vec<_>>()
            .join("_");
        let d: String = description
            .split('_')
            .take(words.1)
            .collect::<Vec<_>>()
            .join("_");
        let text = substitute(segment, f, &p, &d);
        let clean = component(&text, usize::MAX);
        if clean.chars().count() <= budget || (words.0 <= 1 && words.1 <= 1) {
            return component(&text, budget);
        }
        if words.1 >= words.0 && words.1 > 1 {
            words.1 -= 1;
        } else if words.0 > 1 {
            words.0 -= 1;
        } else {
            words.1 = words.1.saturating_sub(1);
        }
    }
}

fn substitute(segment: &str, f: &NameFields<'_>, prompt: &str, description: &str) -> String {
    segment
        .replace("<id>", f.id)
        .replace("<seed>", f.seed.as_deref().unwrap_or(""))
        .replace("<num>", &f.num.map(|n| n.to_string()).unwrap_or_default())
        .replace("<prompt>", prompt)
        .replace("<generator>", &slug(f.generator.unwrap_or("")))
        .replace("<description>", description)
        .replace("<type>", &component(f.asset_type.unwrap_or(""), 64))
        .replace("<date>", &component(f.date.unwrap_or(""), 32))
}

/// `name` with ` (n)` before its extension (`castle.png` → `castle (2).png`;
/// no extension: `castle (2)`); `n == 0` leaves it unchanged. The stem is
/// shortened if needed so the result stays within [`MAX_NAME_BYTES`] + 8.
pub fn suffixed(name: &str, n: u32) -> String {
    if n == 0 {
        return name.to_string();
    }
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    let tag = format!(" ({n})");
    let stem = cut_bytes(
        stem,
        (MAX_NAME_BYTES + 8).saturating_sub(tag.len() + ext.len()),
    );
    format!("{stem}{tag}{ext}")
}

/// At most `max` bytes of `s`, cut at a character boundary, without
/// trailing dots or spaces.
fn cut_bytes(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].trim_end_matches(['.', ' ']).to_string()
}

/// One safe path component: no separators, NUL or controls, no leading
/// `-`, `.` or spaces, no trailing dots or spaces, at most `max` characters
/// and [`MAX_NAME_BYTES`] bytes.
pub fn component(s: &str, max: usize) -> String {
    let mapped: String = s
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() || crate::sanitize::is_forbidden(c) => '_',
            c => c,
        })
        .collect();
    let trimmed = mapped
        .trim_start_matches(['-', '.', ' '])
        .trim_end_matches(['.', ' ']);
    let cut: String = trimmed.chars().take(max).collect();
    let cut = cut_bytes(&cut, MAX_NAME_BYTES);
    let cut = cut.trim_end_matches(['.', ' ']).to_string();
    if cut == "." || cut == ".." {
        String::new()
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> NameFields<'static> {
        NameFields {
            id: "asset_abc",
            seed: Some("42".into()),
            num: Some(3),
            prompt: Some("A castle on the hill at Sunset, with dragons flying over the old walls"),
            generator: Some("Flux Dev"),
            description: Some("An old castle."),
            ..NameFields::default()
        }
    }

    #[test]
    fn slug_rules() {
        assert_eq!(
            slug("A castle on the hill at Sunset, with dragons flying over the old walls"),
            "castle_hill_sunset_dragons_flying_old_walls"
        );
        assert_eq!(slug("Café Nébula"), "cafe_nebula");
    }

    #[test]
    fn tokens_and_subdirectories() {
        let p = expand("<generator>/<prompt>-<seed>-<num>", &fields(), "png");
        assert_eq!(
            p,
            [
                "flux_dev",
                "castle_hill_sunset_dragons_flying_old_walls-42-3.png"
            ]
        );
        assert_eq!(expand("<id>", &fields(), "jpg"), ["asset_abc.jpg"]);
    }

    #[test]
    fn caps_shorten_the_prompt_first() {
        let long = "word ".repeat(200);
        let f = NameFields {
            prompt: Some(&long),
            ..fields()
        };
        let p = expand("<prompt>-<id>", &f, "png");
        assert!(p[0].chars().count() <= MAX_FILE_CHARS, "{}", p[0]);
        assert!(p[0].ends_with("-asset_abc.png"), "{}", p[0]);
    }

    #[test]
    fn hostile_values_cannot_escape() {
        let f = NameFields {
            id: "../../etc/passwd",
            prompt: Some("\u{1b}[31m../x"),
            ..NameFields::default()
        };
        for seg in expand("<id>/../<prompt>", &f, "png") {
            assert!(
                !seg.contains('/') && seg != ".." && seg != "." && !seg.is_empty(),
                "{seg:?}"
            );
            assert!(!seg.starts_with('-') && !seg.chars().any(|c| c.is_control()));
        }
        assert_eq!(component("--rm -rf", 20), "rm -rf");
        assert_eq!(component("..", 20), "");
    }

    #[test]
    fn long_multibyte_names_fit_in_bytes() {
        let wide = "é".repeat(300);
        let f = NameFields {
            id: &wide,
            ..NameFields::default()
        };
        let p = expand("<id>", &f, "png");
        assert!(p[0].len() <= MAX_NAME_BYTES, "{}", p[0].len());
        assert!(p[0].ends_with(".png"));
        let s = suffixed(&p[0], 12345);
        assert!(s.len() + ".part".len() <= 255, "{}", s.len());
        assert!(s.ends_with(" (12345).png"), "{s}");
    }

    #[test]
    fn suffixes() {
        assert_eq!(suffixed("castle.png", 1), "castle (1).png");
        assert_eq!(suffixed("castle", 2), "castle (2)");
        assert_eq!(suffixed("castle.png", 0), "castle.png");
        assert_eq!(suffixed("a.tar.gz", 3), "a.tar (3).gz");
    }
}
