//! Keyword relevance for the server's `query` search: a small
//! Meilisearch-like inverted index with prefix matching and typo
//! tolerance.
//!
//! * Tokens are lowercase alphanumeric runs (Unicode-aware), with common
//!   Latin diacritics folded (`Café` → `cafe`, `Straße` → `strasse`) and
//!   combining marks dropped.
//! * A query word matches a vocabulary word exactly; the last query word
//!   (the one being typed, i.e. not followed by a separator) also matches
//!   as a prefix (with typos too when it is long enough); words of 5 to 8
//!   characters tolerate 1 typo and words of 9 or more 2 typos
//!   (Damerau-Levenshtein, adjacent transpositions count as one), shorter
//!   words none. Typo matching scans the vocabulary (with a length and
//!   character-set prefilter), never the documents.
//! * Ranking, Meilisearch style: more query words matched first, then
//!   fewer typos, then the field the words were found in (name > tags >
//!   prompt > description) with a small bonus for exact (non-prefix)
//!   matches. See [`TextIndex::search`] for the score.

use std::collections::HashMap;

/// The fields of a document, with their weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    Tags,
    Prompt,
    Description,
}

impl Field {
    pub const ALL: [Field; 4] = [Field::Name, Field::Tags, Field::Prompt, Field::Description];

    /// Relative importance of a match in this field, in 0..=1.
    pub fn weight(self) -> f32 {
        match self {
            Field::Name => 1.0,
            Field::Tags => 0.75,
            Field::Prompt => 0.5,
            Field::Description => 0.3,
        }
    }

    fn index(self) -> usize {
        match self {
            Field::Name => 0,
            Field::Tags => 1,
            Field::Prompt => 2,
            Field::Description => 3,
        }
    }
}

/// At most this many (distinct) query words are used, like Meilisearch.
pub const MAX_QUERY_WORDS: usize = 10;
/// Typo levels distinguished by the score (more typos rank like this many).
const TYPO_LEVELS: u32 = 5;
/// Words longer than this (in characters) are only matched exactly or by
/// prefix.
const MAX_TYPO_WORD: usize = 48;

/// Typos tolerated for a query word of `len` characters.
pub fn max_typos(len: usize) -> u8 {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Splits text into lowercase, diacritic-folded alphanumeric words.
pub fn tokenize(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(s, |w| out.push(w.to_string()));
    out
}

/// Calls `f` with each token of `s` (see [`tokenize`]), without allocating
/// per token.
fn for_each_token(s: &str, mut f: impl FnMut(&str)) {
    let mut word = String::new();
    for c in s.chars() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                push_folded(&mut word, l);
            }
        } else if !word.is_empty() {
            f(&word);
            word.clear();
        }
    }
    if !word.is_empty() {
        f(&word);
    }
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// Appends `c` (already lowercase) with its diacritics removed.
fn push_folded(out: &mut String, c: char) {
    let folded: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'ǎ' | 'ạ' | 'ả' | 'ấ' | 'ầ' | 'ẩ'
        | 'ẫ' | 'ậ' | 'ắ' | 'ằ' | 'ẳ' | 'ẵ' | 'ặ' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'ẹ' | 'ẻ' | 'ẽ' | 'ế' | 'ề' | 'ể'
        | 'ễ' | 'ệ' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'ǐ' | 'ỉ' | 'ị' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'ơ' | 'ǒ' | 'ọ' | 'ỏ' | 'ố' | 'ồ'
        | 'ổ' | 'ỗ' | 'ộ' | 'ớ' | 'ờ' | 'ở' | 'ỡ' | 'ợ' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'ư' | 'ǔ' | 'ụ' | 'ủ' | 'ứ'
        | 'ừ' | 'ử' | 'ữ' | 'ự' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' | 'ỳ' | 'ỵ' | 'ỷ' | 'ỹ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(folded);
}

/// One document's occurrences of a word: occurrences per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Posting {
    /// Internal slot of the document.
    slot: u32,
    /// Occurrences in each field (saturating), indexed by `Field::index`.
    counts: [u8; 4],
}

impl Posting {
    /// Index in [`Field::ALL`] of the best field holding the word (fields
    /// are listed by decreasing weight).
    fn best_field(&self) -> u8 {
        self.counts
            .iter()
            .position(|&n| n > 0)
            .unwrap_or(Field::ALL.len() - 1) as u8
    }
}

/// A vocabulary word.
#[derive(Debug, Clone)]
struct Term {
    text: String,
    chars: Box<[char]>,
    /// Postings sorted by slot.
    postings: Vec<Posting>,
}

/// Bit set of a word's characters (hashed to 64 bits), for the typo
/// prefilter: a word within `k` edits of another lacks at most `k` of its
/// characters.
fn char_signature(chars: &[char]) -> u64 {
    chars
        .iter()
        .fold(0u64, |s, &c| s | 1u64 << (u32::from(c) % 64))
}

/// An inverted index over documents identified by `u32` ids.
#[derive(Debug, Clone, Default)]
pub struct TextIndex {
    terms: Vec<Term>,
    /// Compact copies for the typo scan: (signature, length in chars).
    shapes: Vec<(u64, u16)>,
    by_text: HashMap<String, u32>,
    /// Term ids sorted by text (for prefix ranges).
    sorted: Vec<u32>,
    /// External doc id → slot.
    slot_of: HashMap<u32, u32>,
    /// Per slot: the external id and the term ids of the live document.
    slots: Vec<Option<(u32, Vec<u32>)>>,
    free: Vec<u32>,
}

/// How a query word matched a vocabulary word.
#[derive(Debug, Clone, Copy)]
struct WordMatch {
    term: u32,
    typos: u8,
    prefix: bool,
}

/// Per-document totals during a search.
#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    /// Query words matched (bit i for word i).
    words: u16,
    typos: u16,
    exact: u16,
    weight: f32,
}

/// Best match of one document for the query word being processed, packed
/// in a `u16` so that the per-document array stays in cache:
/// `(word + 1) << 5 | typos << 3 | prefix << 2 | field`, where the low 5
/// bits order matches (smaller is better).
fn pack_best(tag: u16, typos: u8, prefix: bool, field: u8) -> u16 {
    tag << 5 | u16::from(typos.min(3)) << 3 | u16::from(prefix) << 2 | u16::from(field & 3)
}

impl TextIndex {
    pub fn new() -> Self {
        TextIndex::default()
    }

    /// Number of live documents.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.slot_of.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.slot_of.is_empty()
    }

    /// Number of distinct words ever indexed.
    #[cfg(test)]
    pub fn vocabulary_len(&self) -> usize {
        self.terms.len()
    }

    /// Indexes `doc`, replacing its previous terms.
    pub fn upsert(&mut self, doc: u32, fields: &[(Field, &str)]) {
        self.remove(doc);
        // Documents have few distinct words: a vector beats a map.
        let mut counts: Vec<(u32, [u8; 4])> = Vec::new();
        for &(field, text) in fields {
            for_each_token(text, |word| {
                let id = self.term_id(word);
                let i = match counts.iter().position(|(t, _)| *t == id) {
                    Some(i) => i,
                    None => {
                        counts.push((id, [0; 4]));
                        counts.len() - 1
                    }
                };
                if let Some((_, c)) = counts.get_mut(i) {
                    c[field.index()] = c[field.index()].saturating_add(1);
                }
            });
        }
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        let mut term_ids = Vec::with_capacity(counts.len());
        for (id, counts) in counts {
            term_ids.push(id);
            if let Some(term) = self.terms.get_mut(id as usize) {
                let posting = Posting { slot, counts };
                // New slots are usually the largest: append without a search.
                if term.postings.last().is_none_or(|p| p.slot < slot) {
                    term.postings.push(posting);
                    continue;
                }
                match term.postings.binary_search_by_key(&slot, |p| p.slot) {
                    Ok(i) => term.postings[i] = posting,
                    Err(i) => term.postings.insert(i, posting),
                }
            }
        }
        if let Some(s) = self.slots.get_mut(slot as usize) {
            *s = Some((doc, term_ids));
        }
        self.slot_of.insert(doc, slot);
    }

    /// Removes `doc` (nothing happens if it is not indexed).
    pub fn remove(&mut self, doc: u32) {
        let Some(slot) = self.slot_of.remove(&doc) else {
            return;
        };
        let Some((_, term_ids)) = self.slots.get_mut(slot as usize).and_then(Option::take) else {
            return;
        };
        for id in term_ids {
            if let Some(term) = self.terms.get_mut(id as usize) {
                if let Ok(i) = term.postings.binary_search_by_key(&slot, |p| p.slot) {
                    term.postings.remove(i);
                }
            }
        }
        self.free.push(slot);
    }

    fn term_id(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.by_text.get(word) {
            return id;
        }
        let id = self.terms.len() as u32;
        let chars: Box<[char]> = word.chars().collect();
        self.shapes.push((
            char_signature(&chars),
            chars.len().min(usize::from(u16::MAX)) as u16,
        ));
        let terms = &self.terms;
        let at = self
            .sorted
            .binary_search_by(|&t| {
                terms
                    .get(t as usize)
                    .map_or("", |t| t.text.as_str())
                    .cmp(word)
            })
            .unwrap_or_else(|i| i);
        self.sorted.insert(at, id);
        self.by_text.insert(word.to_string(), id);
        self.terms.push(Term {
            text: word.to_string(),
            chars,
            postings: Vec::new(),
        });
        id
    }

    fn text_of(&self, id: u32) -> &str {
        self.terms.get(id as usize).map_or("", |t| t.text.as_str())
    }

    /// Vocabulary words matching one query word (best match per term).
    fn matches(&self, word: &str, prefix: bool) -> Vec<WordMatch> {
        let mut out: Vec<WordMatch> = Vec::new();
        let mut seen: HashMap<u32, usize> = HashMap::new();
        let mut add = |m: WordMatch, out: &mut Vec<WordMatch>| match seen.get(&m.term) {
            Some(&i) => {
                if let Some(old) = out.get_mut(i) {
                    if (m.typos, m.prefix) < (old.typos, old.prefix) {
                        *old = m;
                    }
                }
            }
            None => {
                seen.insert(m.term, out.len());
                out.push(m);
            }
        };
        if let Some(&id) = self.by_text.get(word) {
            add(
                WordMatch {
                    term: id,
                    typos: 0,
                    prefix: false,
                },
                &mut out,
            );
        }
        if prefix {
            let start = self.sorted.partition_point(|&t| self.text_of(t) < word);
            for &id in self.sorted.get(start..).unwrap_or(&[]) {
                if !self.text_of(id).starts_with(word) {
                    break;
                }
                add(
                    WordMatch {
                        term: id,
                        typos: 0,
                        prefix: true,
                    },
                    &mut out,
                );
            }
        }
        let query: Vec<char> = word.chars().collect();
        let k = max_typos(query.len());
        if k > 0 && query.len() <= MAX_TYPO_WORD {
            let sig = char_signature(&query);
            let qlen = query.len();
            for (id, &(tsig, tlen)) in self.shapes.iter().enumerate() {
                let tlen = usize::from(tlen);
                let length_ok = if prefix {
                    tlen + usize::from(k) >= qlen
                } else {
                    tlen.abs_diff(qlen) <= usize::from(k)
                };
                // Characters of the query missing from the word: each
                // edit accounts for at most one.
                if !length_ok || (sig & !tsig).count_ones() > u32::from(k) {
                    continue;
                }
                let Some(term) = self.terms.get(id) else {
                    continue;
                };
                if term.postings.is_empty()
                    || term.chars.len() > MAX_TYPO_WORD + usize::from(k) && !prefix
                {
                    continue;
                }
                if let Some(d) = bounded_distance(&query, &term.chars, k, false) {
                    add(
                        WordMatch {
                            term: id as u32,
                            typos: d,
                            prefix: false,
                        },
                        &mut out,
                    );
                } else if prefix {
                    if let Some(d) = bounded_distance(&query, &term.chars, k, true) {
                        add(
                            WordMatch {
                                term: id as u32,
                                typos: d,
                                prefix: true,
                            },
                            &mut out,
                        );
                    }
                }
            }
        }
        out
    }

    /// Documents matching at least one query word, best first, with a
    /// score in 0..=1:
    ///
    /// `score = (w − 1 + q) / n`, where `n` is the number of (distinct)
    /// query words, `w` the number matched, and `q` in 0..1 the match
    /// quality: `(T + 0.9·F + 0.1·E) / 5` where `T = 4 − min(typos, 4)`
    /// (typo total over the matched words), `F` the mean weight of the
    /// best field of each matched word and `E` the fraction of matched
    /// words matched exactly (not as a prefix). Hence documents matching
    /// more words always rank first, then fewer typos, then better fields.
    /// Ties go to the smaller doc id.
    pub fn search(&self, query: &str) -> Vec<(u32, f32)> {
        self.search_limit(query, usize::MAX)
    }

    /// [`TextIndex::search`], keeping only the best `limit` documents
    /// (cheaper than sorting them all).
    pub fn search_limit(&self, query: &str, limit: usize) -> Vec<(u32, f32)> {
        let mut words: Vec<String> = Vec::new();
        for w in tokenize(query) {
            if !words.contains(&w) && words.len() < MAX_QUERY_WORDS {
                words.push(w);
            }
        }
        // The last word typed is the one being completed, unless the query
        // ends with a separator (the word is finished).
        let typing = query
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || is_combining_mark(c));
        let last = if typing { tokenize(query).pop() } else { None };
        if words.is_empty() || limit == 0 {
            return Vec::new();
        }
        let n = words.len();
        let mut best = vec![0u16; self.slots.len()];
        let mut accs = vec![Acc::default(); self.slots.len()];
        let mut touched: Vec<u32> = Vec::new();
        let mut any: Vec<u32> = Vec::new();
        for (i, word) in words.iter().enumerate() {
            let tag = i as u16 + 1;
            let prefix = last.as_deref() == Some(word.as_str());
            touched.clear();
            for m in self.matches(word, prefix) {
                let Some(term) = self.terms.get(m.term as usize) else {
                    continue;
                };
                for p in &term.postings {
                    let Some(b) = best.get_mut(p.slot as usize) else {
                        continue;
                    };
                    let packed = pack_best(tag, m.typos, m.prefix, p.best_field());
                    if *b >> 5 != tag {
                        *b = packed;
                        touched.push(p.slot);
                    } else if packed < *b {
                        *b = packed;
                    }
                }
            }
            let mut fold = |slot: u32, b: u16, acc: &mut Acc| {
                if acc.words == 0 {
                    any.push(slot);
                }
                acc.words |= 1 << i;
                acc.typos += (b >> 3) & 3;
                acc.exact += u16::from((b >> 2) & 1 == 0);
                acc.weight += Field::ALL
                    .get(usize::from(b & 3))
                    .map_or(0.0, |f| f.weight());
            };
            if touched.len() * 8 < best.len() {
                for &slot in &touched {
                    if let (Some(&b), Some(acc)) =
                        (best.get(slot as usize), accs.get_mut(slot as usize))
                    {
                        fold(slot, b, acc);
                    }
                }
            } else {
                // Many documents: one sequential pass beats random access.
                for (slot, (&b, acc)) in best.iter().zip(accs.iter_mut()).enumerate() {
                    if b >> 5 == tag {
                        fold(slot as u32, b, acc);
                    }
                }
            }
        }
        // Scores by slot; external ids only for the documents kept.
        let mut scored: Vec<(u32, f32)> = any
            .into_iter()
            .filter_map(|slot| {
                let acc = accs.get(slot as usize)?;
                let w = acc.words.count_ones();
                let t = (TYPO_LEVELS - 1 - u32::from(acc.typos).min(TYPO_LEVELS - 1)) as f32;
                let f = acc.weight / w as f32;
                let e = f32::from(acc.exact) / w as f32;
                // Keep q strictly below 1 so that one more word always wins.
                let q = ((t + 0.9 * f + 0.1 * e) / TYPO_LEVELS as f32).min(0.999_9);
                Some((slot, ((w - 1) as f32 + q) / n as f32))
            })
            .collect();
        let doc_of = |slot: u32| {
            self.slots
                .get(slot as usize)
                .and_then(|s| s.as_ref())
                .map(|(doc, _)| *doc)
        };
        let by_score = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1);
        if limit < scored.len() {
            // Everything scoring like the limit-th document is kept, so
            // that ties are then broken by doc id as in the full list.
            scored.select_nth_unstable_by(limit, by_score);
            let cut = scored.get(limit).map_or(f32::MIN, |s| s.1);
            scored.retain(|s| s.1 >= cut);
        }
        let mut out: Vec<(u32, f32)> = scored
            .into_iter()
            .filter_map(|(slot, s)| Some((doc_of(slot)?, s)))
            .collect();
        out.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out.truncate(limit);
        out
    }
}

/// Damerau-Levenshtein distance (optimal string alignment) between `a` and
/// `b` — or, with `prefix`, between `a` and the closest prefix of `b` — if
/// it is at most `k`.
fn bounded_distance(a: &[char], b: &[char], k: u8, prefix: bool) -> Option<u8> {
    const MAX: usize = MAX_TYPO_WORD + 4;
    let k = usize::from(k);
    let (m, n) = (a.len(), b.len());
    if m > MAX || (!prefix && n.abs_diff(m) > k) {
        return None;
    }
    // With a prefix, only the first m + k characters of b can matter.
    let n = if prefix { n.min(m + k) } else { n };
    if n > MAX + k {
        return None;
    }
    let width = n + 1;
    let mut rows = [[0usize; MAX + 8]; 3];
    // rows[(i) % 3] holds row i.
    for (j, v) in rows[0].iter_mut().take(width).enumerate() {
        *v = j;
    }
    let mut prev_min = 0;
    for i in 1..=m {
        let (cur, prev, prev2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        let mut row = [0usize; MAX + 8];
        row[0] = i;
        let mut row_min = i;
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (rows[prev][j] + 1)
                .min(row[j - 1] + 1)
                .min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[prev2][j - 2] + 1);
            }
            row[j] = v;
            row_min = row_min.min(v);
        }
        rows[cur] = row;
        // Row minima can only grow (a transposition looks two rows back).
        if row_min > k && prev_min > k {
            return None;
        }
        prev_min = row_min;
    }
    let last = &rows[m % 3][..width];
    let d = if prefix {
        last.iter().copied().min().unwrap_or(usize::MAX)
    } else {
        last[n]
    };
    (d <= k).then_some(d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn index(docs: &[(u32, &str, &str, &str, &str)]) -> TextIndex {
        let mut ix = TextIndex::new();
        for &(id, name, tags, prompt, description) in docs {
            ix.upsert(
                id,
                &[
                    (Field::Name, name),
                    (Field::Tags, tags),
                    (Field::Prompt, prompt),
                    (Field::Description, description),
                ],
            );
        }
        ix
    }

    fn ids(results: &[(u32, f32)]) -> Vec<u32> {
        results.iter().map(|r| r.0).collect()
    }

    fn sample() -> TextIndex {
        index(&[
            (
                1,
                "Castle on a hill",
                "medieval fantasy",
                "a stone castle at dusk",
                "",
            ),
            (
                2,
                "Mountain lake",
                "landscape nature",
                "snowy mountain above a lake",
                "calm water",
            ),
            (3, "Red car", "vehicle", "a red sports car", ""),
            (4, "Cat portrait", "animal pet", "a fluffy cat", ""),
            (
                5,
                "Café terrace",
                "city",
                "a café at night",
                "Parisian street",
            ),
            (
                6,
                "Sunset",
                "sky",
                "orange sunset over the sea",
                "a castle silhouette far away",
            ),
        ])
    }

    #[test]
    fn tokenizer() {
        assert_eq!(tokenize("Hello, World! 42x"), ["hello", "world", "42x"]);
        assert_eq!(tokenize("Café crème brûlée"), ["cafe", "creme", "brulee"]);
        assert_eq!(tokenize("Ärger über Straße"), ["arger", "uber", "strasse"]);
        // Decomposed é (e + combining acute) stays one word.
        assert_eq!(tokenize("cafe\u{301} noir"), ["cafe", "noir"]);
        assert_eq!(tokenize("ÉCOLE  --  Łódź"), ["ecole", "lodz"]);
        assert_eq!(tokenize("東京 tower"), ["東京", "tower"]);
        assert!(tokenize(" ,.;!? ").is_empty());
        assert!(tokenize("").is_empty());
        assert_eq!(
            tokenize("snake_case-and.dots"),
            ["snake", "case", "and", "dots"]
        );
    }

    #[test]
    fn distance() {
        let d = |a: &str, b: &str, k: u8, prefix: bool| {
            bounded_distance(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
                k,
                prefix,
            )
        };
        assert_eq!(d("castle", "castle", 1, false), Some(0));
        assert_eq!(d("catsle", "castle", 1, false), Some(1));
        assert_eq!(d("mountian", "mountain", 1, false), Some(1));
        assert_eq!(d("castel", "castle", 1, false), Some(1));
        assert_eq!(d("kastle", "castle", 1, false), Some(1));
        assert_eq!(d("castles", "castle", 1, false), Some(1));
        assert_eq!(d("cstle", "castle", 1, false), Some(1));
        assert_eq!(d("xxstle", "castle", 1, false), None);
        assert_eq!(d("abcdefghij", "abdcefghik", 2, false), Some(2));
        assert_eq!(d("mounta", "mountain", 1, true), Some(0));
        assert_eq!(d("mointa", "mountain", 1, true), Some(1));
        assert_eq!(d("mointa", "mountain", 1, false), None);
    }

    #[test]
    fn exact_and_prefix() {
        let ix = sample();
        assert_eq!(ids(&ix.search("lake")), [2]);
        assert_eq!(ids(&ix.search("cast")), [1, 6], "prefix of the last word");
        assert!(
            ix.search("cast ").is_empty(),
            "a finished word is not a prefix"
        );
        assert_eq!(ids(&ix.search("castle ")), [1, 6]);
        assert_eq!(ids(&ix.search("CASTLE")), [1, 6]);
        assert!(ix.search("").is_empty());
        assert!(ix.search("?!").is_empty());
        assert!(ix.search("zebra").is_empty());
        // Prefix only for the word being typed: "cast" as a first word
        // does not match "castle".
        assert_eq!(ids(&ix.search("cast sunset")), [6]);
        let r = ix.search("castle");
        assert!(r.iter().all(|&(_, s)| (0.0..=1.0).contains(&s)));
    }

    #[test]
    fn typos() {
        let ix = sample();
        assert_eq!(ids(&ix.search("catsle")), [1, 6]);
        assert_eq!(ids(&ix.search("mountian")), [2]);
        assert_eq!(ids(&ix.search("mountian lake")), [2]);
        // No typos on short words: "cat" does not find the car, "car"
        // does not find the cat (the car is found as an exact word).
        assert_eq!(ids(&ix.search("cat")), [4]);
        assert_eq!(ids(&ix.search("car")), [3]);
        assert!(ix.search("cas").iter().all(|&(d, _)| d == 1 || d == 6));
        // An exact match ranks above a typo.
        let ix = index(&[(1, "castle", "", "", ""), (2, "castel", "", "", "")]);
        let r = ix.search("castle");
        assert_eq!(ids(&r), [1, 2]);
        assert!(r[0].1 > r[1].1);
        // Two typos only from 9 characters.
        let ix = index(&[(1, "watercolour", "", "", ""), (2, "stone", "", "", "")]);
        assert_eq!(ids(&ix.search("watrcolor")), [1]);
        assert!(
            ix.search("sotne").len() == 1,
            "one transposition on 5 letters"
        );
        assert!(ix.search("sotnx").is_empty(), "two typos on 5 letters");
    }

    #[test]
    fn more_words_rank_first() {
        let ix = index(&[
            (1, "red", "", "", ""),
            (2, "dragon", "", "", ""),
            (3, "", "", "", "red dragon"),
            (4, "red dragon", "", "", ""),
            (5, "read dragoon", "", "", ""),
        ]);
        let r = ix.search("red dragon");
        // 4 and 3 match both words (name before description); 1 and 2 one
        // word exactly (a tie, broken by id); 5 one word with a typo.
        assert_eq!(ids(&r), [4, 3, 1, 2, 5]);
        // Both words matched beats one word in the name.
        assert!(r[1].1 > r[2].1);
        for w in r.windows(2) {
            assert!(w[0].1 >= w[1].1);
        }
        // Two words with a typo beat one exact word.
        let r = ix.search("dragoon red");
        assert_eq!(ids(&r)[..2], [4, 3]);
    }

    #[test]
    fn fields_are_weighted() {
        let ix = index(&[
            (1, "", "", "", "lighthouse"),
            (2, "", "", "lighthouse", ""),
            (3, "lighthouse", "", "", ""),
            (4, "", "lighthouse", "", ""),
        ]);
        assert_eq!(ids(&ix.search("lighthouse")), [3, 4, 2, 1]);
    }

    #[test]
    fn diacritics() {
        let ix = sample();
        assert_eq!(ids(&ix.search("cafe")), [5]);
        assert_eq!(ids(&ix.search("CAFÉ")), [5]);
        assert_eq!(ids(&ix.search("parisian")), [5]);
    }

    #[test]
    fn upsert_and_remove() {
        let mut ix = sample();
        assert_eq!(ix.len(), 6);
        ix.upsert(
            3,
            &[(Field::Name, "Blue bicycle"), (Field::Tags, "vehicle")],
        );
        assert!(ix.search("sports").is_empty(), "old terms replaced");
        assert_eq!(ids(&ix.search("bicycle")), [3]);
        assert_eq!(ids(&ix.search("vehicle")), [3]);
        assert_eq!(ix.len(), 6);
        ix.remove(3);
        assert!(ix.search("bicycle").is_empty());
        assert!(ix.search("vehicle").is_empty());
        assert_eq!(ix.len(), 5);
        ix.remove(3);
        ix.remove(99);
        assert_eq!(ix.len(), 5);
        // The freed slot is reused by a new document.
        ix.upsert(42, &[(Field::Prompt, "a bicycle by the lake")]);
        assert_eq!(ids(&ix.search("bicycle")), [42]);
        assert_eq!(ids(&ix.search("lake")), [2, 42]);
        for id in [1, 2, 4, 5, 6, 42] {
            ix.remove(id);
        }
        assert!(ix.is_empty());
        assert!(ix.search("lake").is_empty());
        assert!(ix.search("castle").is_empty());
    }

    #[test]
    fn limit_keeps_the_best() {
        let ix = sample();
        let all = ix.search("castle lake");
        for limit in 0..=all.len() + 1 {
            let some = ix.search_limit("castle lake", limit);
            assert_eq!(some, all[..limit.min(all.len())]);
        }
    }

    #[test]
    fn hundred_thousand_documents() {
        let mut rng = fastrand::Rng::with_seed(7);
        let syllables = [
            "ka", "lo", "mi", "ran", "te", "vo", "shi", "dra", "gon", "el", "for", "est", "sun",
            "ar", "bel",
        ];
        let word = |rng: &mut fastrand::Rng| {
            let n = rng.usize(2..5);
            (0..n)
                .map(|_| syllables[rng.usize(..syllables.len())])
                .collect::<String>()
        };
        let vocabulary: Vec<String> = (0..20_000).map(|_| word(&mut rng)).collect();
        let common = [
            "dragon", "castle", "forest", "sunset", "mountain", "portrait", "neon", "city",
            "ocean", "knight",
        ];
        let pick = |rng: &mut fastrand::Rng, n: usize| -> String {
            (0..n)
                .map(|_| {
                    if rng.u8(..4) == 0 {
                        common[rng.usize(..common.len())].to_string()
                    } else {
                        vocabulary[rng.usize(..vocabulary.len())].clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let docs: Vec<[String; 4]> = (0..100_000)
            .map(|_| {
                [
                    pick(&mut rng, 3),
                    pick(&mut rng, 4),
                    pick(&mut rng, 14),
                    pick(&mut rng, 8),
                ]
            })
            .collect();
        let start = Instant::now();
        let mut ix = TextIndex::new();
        for (i, d) in docs.iter().enumerate() {
            ix.upsert(
                i as u32,
                &[
                    (Field::Name, &d[0]),
                    (Field::Tags, &d[1]),
                    (Field::Prompt, &d[2]),
                    (Field::Description, &d[3]),
                ],
            );
        }
        let build = start.elapsed();
        let queries = [
            "dragon castle",
            "castle dra",
            "mountian sunset",
            "neon ci",
            "kalomi forest",
            "portrait k",
            "knight ocean",
            "drakaran",
        ];
        let mut times = Vec::new();
        for q in queries {
            let mut mine = Vec::new();
            for _ in 0..5 {
                let start = Instant::now();
                std::hint::black_box(ix.search_limit(q, 100));
                mine.push(start.elapsed());
            }
            mine.sort();
            eprintln!("  {q:?}: median {:?}", mine[mine.len() / 2]);
            times.extend(mine);
        }
        let full_start = Instant::now();
        let full = ix.search("dragon castle");
        let full_time = full_start.elapsed();
        times.sort();
        eprintln!(
            "100 000 docs, {} words: built in {build:?}; 2-word queries (top 100): median {:?}, max {:?}; \
             full \"dragon castle\" ({} hits) in {full_time:?}",
            ix.vocabulary_len(),
            times[times.len() / 2],
            times[times.len() - 1],
            full.len()
        );
        assert!(!full.is_empty());
        // Docs matching both words come first.
        let both = full.iter().take_while(|r| r.1 >= 0.5).count();
        assert!(both > 0 && both < full.len());
        let top = &docs[full[0].0 as usize];
        let text = top.join(" ");
        assert!(text.contains("dragon") && text.contains("castle"));
        // Updates stay correct on a large index.
        ix.upsert(5, &[(Field::Name, "zzyzx unique")]);
        assert_eq!(ids(&ix.search("zzyzx")), [5]);
        ix.remove(5);
        assert!(ix.search("zzyzx").is_empty());
    }
}
