//! The actor lexicon and the mention matcher.
//!
//! One Aho–Corasick automaton holds every term of every actor (a second one
//! the few case-exact terms), so matching costs one pass over a sentence
//! whatever the size of the lexicon.

use crate::error::{Result, StanceError};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The lexicon shipped with the binary.
pub const DEFAULT_LEXICON: &str = include_str!("../models/actors.toml");

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorSpec {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub terms: Vec<String>,
    #[serde(default)]
    pub terms_exact: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    version: u32,
    #[serde(rename = "actor")]
    actors: Vec<ActorSpec>,
}

/// A mention of an actor in a piece of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub actor: usize,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone)]
pub struct Lexicon {
    pub actors: Vec<ActorSpec>,
    /// SHA-256 of the lexicon text: recorded in model files and outputs.
    pub hash: String,
    ci: AhoCorasick,
    cs: Option<AhoCorasick>,
    /// Pattern index → (actor index, is an exclusion phrase).
    ci_owner: Vec<(usize, bool)>,
    cs_owner: Vec<(usize, bool)>,
}

impl Lexicon {
    pub fn default_lexicon() -> Lexicon {
        Lexicon::parse(DEFAULT_LEXICON, "<built-in actors.toml>")
            .expect("built-in lexicon is valid")
    }

    /// Parse a lexicon from TOML text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Lexicon> {
        let err = |m: String| StanceError::Lexicon {
            path: origin.to_string(),
            message: m,
        };
        let file: LexiconFile = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if file.version != 1 {
            return Err(err(format!(
                "version {} is not supported (expected 1)",
                file.version
            )));
        }
        if file.actors.is_empty() {
            return Err(err("no [[actor]] entries".into()));
        }
        let mut ids = std::collections::HashSet::new();
        for a in &file.actors {
            if a.id.is_empty()
                || !a
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            {
                return Err(err(format!(
                    "actor id {:?} must be lower-case ASCII letters, digits, '_' or '-'",
                    a.id
                )));
            }
            if !ids.insert(a.id.clone()) {
                return Err(err(format!("actor id {:?} appears twice", a.id)));
            }
            if a.terms.is_empty() && a.terms_exact.is_empty() {
                return Err(err(format!("actor {:?} has no terms", a.id)));
            }
            for t in a.terms.iter().chain(&a.terms_exact).chain(&a.exclude) {
                if t.trim().is_empty() {
                    return Err(err(format!("actor {:?} has an empty term", a.id)));
                }
            }
        }
        let mut ci_pats = Vec::new();
        let mut ci_owner = Vec::new();
        let mut cs_pats = Vec::new();
        let mut cs_owner = Vec::new();
        for (i, a) in file.actors.iter().enumerate() {
            for t in &a.terms {
                ci_pats.push(t.clone());
                ci_owner.push((i, false));
            }
            for t in &a.exclude {
                ci_pats.push(t.clone());
                ci_owner.push((i, true));
            }
            for t in &a.terms_exact {
                cs_pats.push(t.clone());
                cs_owner.push((i, false));
            }
        }
        let build = |pats: &[String], ci: bool| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(ci)
                .match_kind(MatchKind::LeftmostLongest)
                // A lexicon is small: the fastest automaton to search.
                .kind(Some(AhoCorasickKind::DFA))
                .build(pats)
                .map_err(|e| err(e.to_string()))
        };
        let ci = build(&ci_pats, true)?;
        let cs = if cs_pats.is_empty() {
            None
        } else {
            Some(build(&cs_pats, false)?)
        };
        Ok(Lexicon {
            actors: file.actors,
            hash: hex_sha256(text.as_bytes()),
            ci,
            cs,
            ci_owner,
            cs_owner,
        })
    }

    pub fn actor_index(&self, id: &str) -> Option<usize> {
        self.actors.iter().position(|a| a.id == id)
    }

    /// All mentions in `text`, in order of position, without overlaps.
    pub fn find(&self, text: &str) -> Vec<Mention> {
        let mut out = Vec::new();
        self.find_into(text, &mut FindScratch::default(), &mut out);
        out
    }

    /// `find`, into `out` (cleared first), with buffers kept in `scratch`:
    /// the scoring loop calls this once per sentence.
    pub fn find_into(&self, text: &str, scratch: &mut FindScratch, out: &mut Vec<Mention>) {
        out.clear();
        let raw = &mut scratch.raw;
        raw.clear();
        collect(&self.ci, &self.ci_owner, text, raw);
        if let Some(cs) = &self.cs {
            collect(cs, &self.cs_owner, text, raw);
        }
        if raw.is_empty() {
            return;
        }
        // Longest first at each start, so "West Asia" beats "West".
        raw.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let excluded = &mut scratch.excluded;
        excluded.clear();
        excluded.extend(raw.iter().filter(|r| r.3).map(|r| (r.0, r.1)));
        let mut last_end = 0;
        for &(s, e, a, ex) in raw.iter() {
            if ex || s < last_end || excluded.iter().any(|&(xs, xe)| s >= xs && e <= xe) {
                continue;
            }
            out.push(Mention {
                actor: a,
                start: s,
                end: e,
            });
            last_end = e;
        }
    }
}

/// Buffers for `Lexicon::find_into`.
#[derive(Debug, Default)]
pub struct FindScratch {
    raw: Vec<(usize, usize, usize, bool)>,
    excluded: Vec<(usize, usize)>,
}

/// The matches of one automaton that stand on word boundaries, as
/// (start, end, actor, exclusion). A term matches only as a whole word: no
/// letter or digit may touch it. Hyphens, dashes and apostrophes do not
/// count as letters, so "Russia-Iran" and "Russia's" match.
///
/// A match that fails the test does not hide what starts inside it: the
/// search resumes one character after its start, so that in words glued by
/// a scraper ("ofVladimir Putin") the "Putin" is still found. An exclusion
/// needs only its end on a boundary: "ofLatin America" is still Latin
/// America, not the West.
fn collect(
    ac: &AhoCorasick,
    owner: &[(usize, bool)],
    text: &str,
    raw: &mut Vec<(usize, usize, usize, bool)>,
) {
    let mut at = 0;
    while let Some(m) = ac.find(aho_corasick::Input::new(text).span(at..text.len())) {
        let (s, e) = (m.start(), m.end());
        let (a, ex) = owner[m.pattern().as_usize()];
        let start_ok = !text[..s]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        let end_ok = !text[e..].chars().next().is_some_and(char::is_alphanumeric);
        if start_ok && end_ok {
            raw.push((s, e, a, ex));
            at = e;
            continue;
        }
        if ex && end_ok {
            raw.push((s, e, a, ex));
        }
        // One character on from the start of the match that failed.
        at = s + text[s..].chars().next().map_or(1, char::len_utf8);
        if at >= text.len() {
            break;
        }
    }
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex digits of `bytes`: placing labels hashes every sentence
/// of every article it reads, and a `format!` per byte cost more than the
/// hashing.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(2 * bytes.len());
    for &b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(lex: &Lexicon, t: &str) -> Vec<(String, String)> {
        lex.find(t)
            .into_iter()
            .map(|m| {
                (
                    lex.actors[m.actor].id.clone(),
                    t[m.start..m.end].to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn case_possessive_hyphen() {
        let lex = Lexicon::default_lexicon();
        let t =
            "Let us see: the US and Russia's Kremlin back Tehran-Moscow and Russo–Iranian ties.";
        let got = ids(&lex, t);
        let words: Vec<&str> = got.iter().map(|g| g.1.as_str()).collect();
        assert_eq!(
            words,
            vec!["US", "Russia", "Kremlin", "Tehran", "Moscow", "Russo", "Iranian"]
        );
    }

    #[test]
    fn region_names_are_not_the_west() {
        let lex = Lexicon::default_lexicon();
        assert!(
            ids(&lex, "Iran is a power in West Asia and the Middle East.")
                .iter()
                .all(|g| g.0 != "west")
        );
        assert!(
            ids(&lex, "the West and Western sanctions")
                .iter()
                .filter(|g| g.0 == "west")
                .count()
                == 2
        );
    }

    #[test]
    fn a_term_glued_to_the_word_before_does_not_hide_the_next() {
        // Scrapers drop spaces: a multi-word term that starts inside a word
        // fails the boundary test, and the term inside it still counts.
        let lex = Lexicon::default_lexicon();
        let words = |t: &str| -> Vec<String> { ids(&lex, t).into_iter().map(|g| g.1).collect() };
        assert_eq!(words("the speech ofVladimir Putin was long"), ["Putin"]);
        assert_eq!(
            words("the speech of Vladimir Putin was long"),
            ["Vladimir Putin"]
        );
        assert_eq!(
            words("Islamic Revolutionary Guard Corpsmen"),
            ["Revolutionary Guard"]
        );
        assert_eq!(words("envoy ofAmir-Abdollahian said"), ["Abdollahian"]);
        // Nothing is found inside an ordinary word.
        assert!(words("a comparison of praising Trumpets").is_empty());
        // An exclusion glued to the word before still excludes.
        assert!(words("trade with partners ofLatin America grew").is_empty());
        assert!(words("trade with partners of Latin America grew").is_empty());
        assert_eq!(words("trade with America grew"), ["America"]);
    }

    #[test]
    fn rejects_bad_lexicon() {
        assert!(
            Lexicon::parse("version = 2\n[[actor]]\nid='a'\nname='A'\nterms=['x']", "t").is_err()
        );
        assert!(Lexicon::parse("version = 1\n[[actor]]\nid='a'\nname='A'", "t").is_err());
    }
}
