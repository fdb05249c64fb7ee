//! Fuzzy matching for pickers: the query's characters must appear in order;
//! contiguous runs, word starts and a prefix score higher.

/// `None` when `query` does not match `text`; a higher score is a better
/// match. Case-insensitive.
pub fn score(query: &str, text: &str) -> Option<i64> {
    if query.is_empty() {
        return Some(0);
    }
    let text_chars: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let mut score = 0i64;
    let mut pos = 0usize;
    let mut prev: Option<usize> = None;
    for q in query.chars().flat_map(char::to_lowercase) {
        let found = text_chars[pos..].iter().position(|&c| c == q)? + pos;
        score += 1;
        if prev.map(|p| p + 1 == found).unwrap_or(false) {
            score += 5;
        }
        if found == 0 {
            score += 8;
        } else if !text_chars[found - 1].is_alphanumeric() {
            score += 4;
        }
        score -= (found - pos) as i64 / 4;
        prev = Some(found);
        pos = found + 1;
    }
    Some(score * 1000 - text_chars.len() as i64)
}

/// Indices of `items` matching `query`, best first (stable for ties).
pub fn rank<'a>(query: &str, items: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let mut scored: Vec<(i64, usize)> = items
        .enumerate()
        .filter_map(|(i, s)| score(query, s).map(|sc| (sc, i)))
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsequences_match_and_rank() {
        assert!(score("ups", "upscale").is_some());
        assert!(score("txi", "inference-txt2img").is_some());
        assert!(score("zz", "upscale").is_none());
        let items = [
            "inference-img2img",
            "upscale",
            "uploaded",
            "inference-txt2img",
        ];
        let ranked = rank("up", items.iter().copied());
        assert_eq!(ranked.len(), 2);
        assert_eq!(items[ranked[0]], "upscale");
        let ranked = rank("t2i", items.iter().copied());
        assert_eq!(items[ranked[0]], "inference-txt2img");
        assert_eq!(rank("", items.iter().copied()), vec![0, 1, 2, 3]);
    }
}
