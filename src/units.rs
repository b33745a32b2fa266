//! Units of analysis: one (sentence, actor) pair for every kept sentence and
//! every actor it mentions.

use crate::actors::{FindScratch, Lexicon, Mention};
use crate::clean::{clean, CleanOptions, Cleaned, Sentence};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    pub article_id: String,
    pub sentence_index: usize,
    pub actor: String,
    /// Distinct words that matched the actor, in order, joined by "|".
    pub matched: String,
    pub text: String,
    /// Byte span of the sentence in the original article text.
    pub start: usize,
    pub end: usize,
    /// Mentions of every actor in `text` (byte offsets into `text`).
    #[serde(skip)]
    pub mentions: Vec<Mention>,
    #[serde(skip)]
    pub actor_index: usize,
}

impl Unit {
    /// Stable key of the sentence text, so labels survive changes to
    /// sentence numbering.
    pub fn sentence_hash(&self) -> String {
        sentence_hash(&self.text)
    }
}

/// First 16 hex digits of SHA-256 over the sentence's words (case and
/// white space folded): enough to tell the sentences of one article apart.
pub fn sentence_hash(text: &str) -> String {
    let key = crate::gold::normalise(text);
    crate::actors::hex_sha256(key.as_bytes())[..16].to_string()
}

/// Clean an article and cut it into units.
pub fn article_units(
    id: &str,
    text: &str,
    lex: &Lexicon,
    opts: CleanOptions,
) -> (Cleaned, Vec<Unit>) {
    let cleaned = clean(text, opts);
    let units = units_of(id, &cleaned, lex);
    (cleaned, units)
}

pub fn units_of(id: &str, cleaned: &Cleaned, lex: &Lexicon) -> Vec<Unit> {
    let mut out = Vec::new();
    each_unit(cleaned, lex, &mut UnitScratch::default(), |v| {
        out.push(v.to_unit(id))
    });
    out
}

/// One unit, borrowed from the cleaned article, the lexicon and the
/// scratch buffers of `each_unit`: scoring millions of articles should not
/// copy each sentence once per actor it mentions.
#[derive(Debug, Clone, Copy)]
pub struct UnitView<'a> {
    pub sentence: &'a Sentence,
    pub actor_index: usize,
    pub actor: &'a str,
    /// Distinct words that matched the actor, in order, joined by "|".
    pub matched: &'a str,
    /// Mentions of every actor in the sentence (byte offsets into its text).
    pub mentions: &'a [Mention],
}

impl UnitView<'_> {
    /// The owned unit.
    pub fn to_unit(&self, article_id: &str) -> Unit {
        Unit {
            article_id: article_id.to_string(),
            sentence_index: self.sentence.index,
            actor: self.actor.to_string(),
            matched: self.matched.to_string(),
            text: self.sentence.text.clone(),
            start: self.sentence.start,
            end: self.sentence.end,
            mentions: self.mentions.to_vec(),
            actor_index: self.actor_index,
        }
    }
}

/// Buffers `each_unit` reuses from sentence to sentence (and, if kept,
/// from article to article).
#[derive(Debug, Default)]
pub struct UnitScratch {
    mentions: Vec<Mention>,
    find: FindScratch,
    words: Vec<(usize, usize)>,
    matched: String,
}

/// Call `f` with every unit of a cleaned article, in order: sentence by
/// sentence, and within a sentence actor by actor in lexicon order.
pub fn each_unit<'a>(
    cleaned: &'a Cleaned,
    lex: &'a Lexicon,
    scratch: &mut UnitScratch,
    mut f: impl FnMut(UnitView<'_>),
) {
    let UnitScratch {
        mentions,
        find,
        words,
        matched,
    } = scratch;
    for s in &cleaned.sentences {
        lex.find_into(&s.text, find, mentions);
        if mentions.is_empty() {
            continue;
        }
        for (ai, actor) in lex.actors.iter().enumerate() {
            words.clear();
            for m in mentions.iter().filter(|m| m.actor == ai) {
                let w = &s.text[m.start..m.end];
                if !words.iter().any(|&(a, b)| &s.text[a..b] == w) {
                    words.push((m.start, m.end));
                }
            }
            if words.is_empty() {
                continue;
            }
            matched.clear();
            for (k, &(a, b)) in words.iter().enumerate() {
                if k > 0 {
                    matched.push('|');
                }
                matched.push_str(&s.text[a..b]);
            }
            f(UnitView {
                sentence: s,
                actor_index: ai,
                actor: &actor.id,
                matched,
                mentions,
            });
        }
    }
}
