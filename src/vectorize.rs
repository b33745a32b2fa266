//! The scoring hot path: feature counts of a sentence straight from its
//! text, with no per-token strings, computed once per sentence and shared
//! by every actor the sentence mentions.
//!
//! `features::features` is the reference: it spells every feature out as a
//! string, which training, `explain` and evaluation want. Scoring millions
//! of articles only needs the counts of the features the model knows, so
//! this module maps each word to its vocabulary id and VADER polarity with
//! one hash lookup and never builds the strings. It covers the settings the
//! shipped model uses (lower-cased unigrams, with or without actor masking
//! and lexicon features); for any other setting `Vectorizer::new` returns
//! None and the caller falls back to the reference. `tests/model.rs` checks
//! both give the same counts on every seed and corpus sentence.

use crate::actors::Mention;
use crate::features::{FeatureSettings, NEGATORS, OTHER, TARGET};
use crate::word_table::{ShortKey, WordTable};
use rustc_hash::FxHashMap;

/// What one lower-cased word contributes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct WordInfo {
    /// Vocabulary id, or NONE.
    pub id: u32,
    /// +1 / -1 for a clearly positive / negative VADER word, else 0.
    pub polarity: i8,
    pub negator: bool,
}

pub(crate) const NONE: u32 = u32::MAX;

/// A word neither in the vocabulary nor polar nor a negator.
pub(crate) const UNKNOWN: WordInfo = WordInfo {
    id: NONE,
    polarity: 0,
    negator: false,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Vectorizer {
    words: WordTable,
    scan: ScanSettings,
    target: u32,
    other: u32,
}

/// How words become ids: a fixed vocabulary when scoring, a growing table
/// when training (`crate::class_counts`).
pub(crate) trait WordIds {
    fn info(&mut self, w: &str) -> WordInfo;
    /// `info` of a short lower-case ASCII word, packed.
    fn info_short(&mut self, k: &ShortKey) -> WordInfo {
        k.with_str(|w| self.info(w))
    }
}

struct Fixed<'a>(&'a WordTable);

impl WordIds for Fixed<'_> {
    #[inline]
    fn info(&mut self, w: &str) -> WordInfo {
        self.0.get(w)
    }
    #[inline]
    fn info_short(&mut self, k: &ShortKey) -> WordInfo {
        self.0.get_short(k)
    }
}

/// What the tokeniser needs of the feature settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ScanSettings {
    pub mask_actors: bool,
    pub sentiment_lexicon: bool,
    pub lex_pos: u32,
    pub lex_neg: u32,
}

/// The ids of one sentence, unsorted, with repeats, and the actors of its
/// masked mentions; buffers reused from sentence to sentence.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scan {
    negated: bool,
    lower: String,
    pub ids: Vec<u32>,
    pub mention_actors: Vec<usize>,
}

/// Whether `settings` can go through the fast tokeniser: it reproduces the
/// reference features for lower-cased unigrams without `not_` prefixes or
/// windows only.
pub(crate) fn fast_path_covers(settings: &FeatureSettings) -> bool {
    settings.lowercase && settings.ngram == 1 && settings.window == 0 && !settings.negation
}

/// Word info of a word first seen in training: its polarity and whether it
/// negates, as `features::features` decides them.
pub(crate) fn info_of(w: &str, id: u32) -> WordInfo {
    let negator = NEGATORS.contains(&w);
    WordInfo {
        id,
        // A negator is never looked up in the lexicon.
        polarity: if negator {
            0
        } else {
            crate::features::polarity(w)
        },
        negator,
    }
}

/// Target-independent counts of one sentence, and the actors of the
/// mentions that stand in it as `<target>`/`<other>` tokens.
#[derive(Debug, Clone, Default)]
pub struct SentenceCounts {
    /// Sorted by id.
    base: Vec<(u32, f64)>,
    mention_actors: Vec<usize>,
    /// The tokeniser's buffers, kept between sentences so that they are
    /// allocated once per thread rather than grown again for every sentence.
    scan: Scan,
}

impl Vectorizer {
    /// None when the settings need the reference path (bigrams, windows,
    /// `not_` prefixes or kept case).
    pub fn new(settings: &FeatureSettings, index: &FxHashMap<String, u32>) -> Option<Vectorizer> {
        if !fast_path_covers(settings) {
            return None;
        }
        let id = |w: &str| index.get(w).copied().unwrap_or(NONE);
        let mut words: FxHashMap<Box<str>, WordInfo> = FxHashMap::default();
        for (w, &i) in index {
            words.insert(w.as_str().into(), WordInfo { id: i, ..UNKNOWN });
        }
        if settings.sentiment_lexicon {
            for (w, p) in crate::features::polar_words() {
                words.entry(w.into()).or_insert(UNKNOWN).polarity = p;
            }
        }
        for n in NEGATORS {
            let e = words.entry((*n).into()).or_insert(UNKNOWN);
            e.negator = true;
            // A negator is never looked up in the lexicon.
            e.polarity = 0;
        }
        Some(Vectorizer {
            words: WordTable::new(&words),
            scan: ScanSettings {
                mask_actors: settings.mask_actors,
                sentiment_lexicon: settings.sentiment_lexicon,
                lex_pos: id("lex_pos"),
                lex_neg: id("lex_neg"),
            },
            target: id(TARGET),
            other: id(OTHER),
        })
    }

    /// Counts of everything in the sentence but the actor tokens.
    pub fn sentence(&self, text: &str, mentions: &[Mention], out: &mut SentenceCounts) {
        out.base.clear();
        let mut st = std::mem::take(&mut out.scan);
        scan(text, mentions, &self.scan, &mut Fixed(&self.words), &mut st);
        out.mention_actors.clear();
        out.mention_actors.extend_from_slice(&st.mention_actors);
        st.ids.sort_unstable();
        let mut i = 0;
        while i < st.ids.len() {
            let id = st.ids[i];
            let mut j = i;
            while j < st.ids.len() && st.ids[j] == id {
                j += 1;
            }
            out.base.push((id, (j - i) as f64));
            i = j;
        }
        out.scan = st;
    }

    /// Sparse counts of the unit whose target is `target`, sorted by id.
    pub fn unit(&self, s: &SentenceCounts, target: usize, out: &mut Vec<(u32, f64)>) {
        out.clear();
        out.extend_from_slice(&s.base);
        let n_target = s.mention_actors.iter().filter(|&&a| a == target).count();
        let n_other = s.mention_actors.len() - n_target;
        for (id, n) in [(self.target, n_target), (self.other, n_other)] {
            if id == NONE || n == 0 {
                continue;
            }
            match out.binary_search_by_key(&id, |&(i, _)| i) {
                Ok(k) => out[k].1 += n as f64,
                Err(k) => out.insert(k, (id, n as f64)),
            }
        }
    }
}

/// Tokenise a sentence exactly as `features::tokens` does and record the
/// ids of its features (words, lexicon polarity) in `st`; masked mentions go
/// to `st.mention_actors`.
pub(crate) fn scan(
    text: &str,
    mentions: &[Mention],
    cfg: &ScanSettings,
    words: &mut impl WordIds,
    st: &mut Scan,
) {
    st.negated = false;
    st.ids.clear();
    st.mention_actors.clear();
    let mut pos = 0;
    for m in mentions {
        if m.start < pos || m.end > text.len() {
            continue;
        }
        words_of(&text[pos..m.start], cfg, words, st);
        if cfg.mask_actors {
            // An actor token does not end a negation scope.
            st.mention_actors.push(m.actor);
        } else {
            words_of(&text[m.start..m.end], cfg, words, st);
        }
        pos = m.end;
    }
    words_of(&text[pos..], cfg, words, st);
}

/// Tokenise a piece between mentions.
fn words_of(piece: &str, cfg: &ScanSettings, words: &mut impl WordIds, st: &mut Scan) {
    let bytes = piece.as_bytes();
    let mut i = 0;
    let mut word_start: Option<usize> = None;
    while i < bytes.len() {
        if crate::clean::ASCII_WORD[bytes[i] as usize] != 0 {
            // A run of ASCII letters and digits in one tight loop: most of
            // a sentence. (The cleaner's word table: non-zero exactly for
            // them.)
            if word_start.is_none() {
                word_start = Some(i);
            }
            i += 1;
            // Eight bytes at a time while they last, then byte by byte.
            while let Some(x) = crate::swar::load(bytes, i) {
                let n = crate::swar::alnum_run(x);
                i += n;
                if n < 8 {
                    break;
                }
            }
            while i < bytes.len() && crate::clean::ASCII_WORD[bytes[i] as usize] != 0 {
                i += 1;
            }
            continue;
        }
        let (c, len) = decode(piece, i);
        if is_alnum(c) {
            if word_start.is_none() {
                word_start = Some(i);
            }
        } else if matches!(c, '\'' | '’' | '.' | '-')
            && word_start.is_some()
            && i + len < bytes.len()
            && is_alnum(decode(piece, i + len).0)
        {
            // Keep "U.S", "anti-war", "Iran's" together.
        } else {
            if let Some(s) = word_start.take() {
                word(&piece[s..i], cfg, words, st);
            }
            if matches!(
                c,
                '.' | ',' | ';' | ':' | '!' | '?' | '—' | '–' | '(' | ')' | '"' | '“' | '”'
            ) {
                st.negated = false;
            }
        }
        i += len;
    }
    if let Some(s) = word_start {
        word(&piece[s..], cfg, words, st);
    }
}

fn word(raw: &str, cfg: &ScanSettings, words: &mut impl WordIds, st: &mut Scan) {
    // Most words: short ASCII, lower-cased and packed for the table in one
    // pass. The same rules as below ("n’t" cannot occur in ASCII).
    if let Some(k) = ShortKey::lower(raw.as_bytes()) {
        if k.ends_with(b"n't") {
            if k.len() > 3 {
                let info = words.info_short(&k.truncate(3));
                emit(info, cfg, st);
            }
            let info = words.info("not");
            emit(info, cfg, st);
        } else {
            let info = words.info_short(&k);
            emit(info, cfg, st);
        }
        return;
    }
    let w: &str = if raw.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
        st.lower.clear();
        if raw.is_ascii() {
            st.lower.extend(raw.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            // str::to_lowercase, not per char: it knows final sigma.
            st.lower.push_str(&raw.to_lowercase());
        }
        &st.lower
    } else {
        raw
    };
    // "don't" → "do", "not"
    let stem = w.strip_suffix("n't").or_else(|| w.strip_suffix("n’t"));
    match stem {
        Some(stem) => {
            if !stem.is_empty() {
                let info = words.info(stem);
                emit(info, cfg, st);
            }
            let info = words.info("not");
            emit(info, cfg, st);
        }
        None => {
            let info = words.info(w);
            emit(info, cfg, st);
        }
    }
}

#[inline]
fn emit(info: WordInfo, cfg: &ScanSettings, st: &mut Scan) {
    if cfg.sentiment_lexicon && info.polarity != 0 {
        let p = if st.negated {
            -info.polarity
        } else {
            info.polarity
        };
        let id = if p > 0 { cfg.lex_pos } else { cfg.lex_neg };
        if id != NONE {
            st.ids.push(id);
        }
    }
    if info.id != NONE {
        st.ids.push(info.id);
    }
    if info.negator {
        st.negated = true;
    }
}

fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric()
    }
}

/// The char at byte `i` of `s` and its length.
#[inline]
fn decode(s: &str, i: usize) -> (char, usize) {
    let b = s.as_bytes()[i];
    if b < 0x80 {
        (b as char, 1)
    } else {
        let c = s[i..].chars().next().expect("i is a char boundary");
        (c, c.len_utf8())
    }
}
