//! Units of analysis: one (sentence, actor) pair for every kept sentence and
//! every actor it mentions.

use crate::actors::{Lexicon, Mention};
use crate::clean::{clean, CleanOptions, Cleaned};
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
    // Reused for every actor of every sentence.
    let mut matched: Vec<&str> = Vec::new();
    for s in &cleaned.sentences {
        let mut mentions = lex.find(&s.text);
        if mentions.is_empty() {
            continue;
        }
        let first = out.len();
        for (ai, actor) in lex.actors.iter().enumerate() {
            matched.clear();
            for m in mentions.iter().filter(|m| m.actor == ai) {
                let w = &s.text[m.start..m.end];
                if !matched.contains(&w) {
                    matched.push(w);
                }
            }
            if matched.is_empty() {
                continue;
            }
            out.push(Unit {
                article_id: id.to_string(),
                sentence_index: s.index,
                actor: actor.id.clone(),
                matched: matched.join("|"),
                text: s.text.clone(),
                start: s.start,
                end: s.end,
                mentions: Vec::new(),
                actor_index: ai,
            });
        }
        // Every unit of the sentence carries its mentions; the last one
        // takes them without a copy.
        if let Some((last, rest)) = out[first..].split_last_mut() {
            for u in rest {
                u.mentions = mentions.clone();
            }
            last.mentions = std::mem::take(&mut mentions);
        }
    }
    out
}
