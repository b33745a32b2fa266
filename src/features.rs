//! Tokenizer and target-aware features of one (sentence, actor) unit.
//!
//! Tokenised by hand: linfa-preprocessing's CountVectorizer drops tokens
//! such as "U.S." and builds its vocabulary in hash-map order, which would
//! make training non-deterministic. Mentions of the actor being scored are
//! replaced by `<target>` and mentions of other actors by `<other>`, so the
//! model learns how text speaks *about the target*, not which actor it is:
//! that is what lets it score an actor added to the lexicon after training.

use crate::actors::Mention;
use serde::{Deserialize, Serialize};

pub const TARGET: &str = "<target>";
pub const OTHER: &str = "<other>";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureSettings {
    /// Fold case of words.
    pub lowercase: bool,
    /// Replace actor mentions by `<target>` / `<other>`.
    pub mask_actors: bool,
    /// Largest n-gram (1 = unigrams, 2 = unigrams and bigrams).
    pub ngram: usize,
    /// Prefix words after a negator ("not", "no", "never", "n't") up to the
    /// next punctuation mark with `not_`.
    pub negation: bool,
    /// Also emit `w_`-prefixed words within this many tokens of a target
    /// mention (0 = off).
    pub window: usize,
    /// Drop features seen fewer than this many times in training.
    pub min_count: u32,
    /// Add `lex_pos` / `lex_neg` for words the VADER lexicon (from the
    /// `vader_sentiment` crate) rates as clearly positive or negative,
    /// flipped inside a negation scope: vocabulary an outlet never seen in
    /// training still carries its polarity.
    #[serde(default)]
    pub sentiment_lexicon: bool,
}

/// The default is the setting that did best in leave-one-outlet-out
/// cross-validation (training/README.md).
impl Default for FeatureSettings {
    fn default() -> Self {
        FeatureSettings {
            lowercase: true,
            mask_actors: true,
            ngram: 1,
            negation: false,
            window: 0,
            min_count: 1,
            sentiment_lexicon: true,
        }
    }
}

impl FeatureSettings {
    /// The plain bag-of-words baseline: lower-cased unigrams, nothing else.
    pub fn bag_of_words() -> Self {
        FeatureSettings {
            lowercase: true,
            mask_actors: false,
            ngram: 1,
            negation: false,
            window: 0,
            min_count: 1,
            sentiment_lexicon: false,
        }
    }
}

/// Valence below/above which a VADER entry counts as a polar word.
const LEXICON_THRESHOLD: f64 = 1.0;

/// The VADER lexicon re-keyed by lower-case word: looking words up through
/// the crate's case-insensitive map cost more than all other features.
static VALENCE: std::sync::OnceLock<rustc_hash::FxHashMap<String, f64>> =
    std::sync::OnceLock::new();

fn valence(word: &str) -> Option<f64> {
    VALENCE
        .get_or_init(|| {
            let mut entries: Vec<(String, f64)> = vader_sentiment::LEXICON
                .iter()
                .map(|(k, v)| (k.to_lowercase(), *v))
                .collect();
            // Deterministic if two entries fold to the same key.
            entries.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let mut m = rustc_hash::FxHashMap::default();
            for (k, v) in entries {
                m.entry(k).or_insert(v);
            }
            m
        })
        .get(word)
        .copied()
}

/// +1 / -1 when the lower-case `word` is clearly positive / negative in
/// VADER, else 0: what `features` adds `lex_pos` / `lex_neg` for.
pub(crate) fn polarity(word: &str) -> i8 {
    match valence(word) {
        Some(v) if v >= LEXICON_THRESHOLD => 1,
        Some(v) if v <= -LEXICON_THRESHOLD => -1,
        _ => 0,
    }
}

/// Lower-case VADER words that count as clearly positive (+1) or negative
/// (-1), sorted: what `valence` and LEXICON_THRESHOLD make of the lexicon.
pub fn polar_words() -> Vec<(String, i8)> {
    valence(""); // build the map
    let mut out: Vec<(String, i8)> = VALENCE
        .get()
        .expect("built above")
        .iter()
        .filter_map(|(w, &v)| {
            if v >= LEXICON_THRESHOLD {
                Some((w.clone(), 1))
            } else if v <= -LEXICON_THRESHOLD {
                Some((w.clone(), -1))
            } else {
                None
            }
        })
        .collect();
    out.sort();
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Target,
    Other,
    Punct,
}

pub const NEGATORS: &[&str] = &[
    "not", "no", "never", "nor", "neither", "without", "cannot", "hardly",
];

fn tokens(text: &str, mentions: &[Mention], target: usize, s: &FeatureSettings) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut pos = 0;
    let push_words = |piece: &str, out: &mut Vec<Tok>| {
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut Vec<Tok>| {
            if !word.is_empty() {
                let w = if s.lowercase {
                    word.to_lowercase()
                } else {
                    word.clone()
                };
                // "don't" → "do", "not"
                if let Some(stem) = w.strip_suffix("n't").or_else(|| w.strip_suffix("n’t")) {
                    if !stem.is_empty() {
                        out.push(Tok::Word(stem.to_string()));
                    }
                    out.push(Tok::Word("not".into()));
                } else {
                    out.push(Tok::Word(w));
                }
                word.clear();
            }
        };
        let chars: Vec<char> = piece.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let inner = |c: char| c == '\'' || c == '’' || c == '.' || c == '-';
            if c.is_alphanumeric() {
                word.push(c);
            } else if inner(c)
                && !word.is_empty()
                && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric())
            {
                // Keep "U.S", "anti-war", "Iran's" together.
                word.push(c);
            } else {
                flush(&mut word, out);
                if matches!(
                    c,
                    '.' | ',' | ';' | ':' | '!' | '?' | '—' | '–' | '(' | ')' | '"' | '“' | '”'
                ) {
                    out.push(Tok::Punct);
                }
            }
        }
        flush(&mut word, out);
    };
    for m in mentions {
        if m.start < pos || m.end > text.len() {
            continue;
        }
        push_words(&text[pos..m.start], &mut out);
        if s.mask_actors {
            out.push(if m.actor == target {
                Tok::Target
            } else {
                Tok::Other
            });
        } else {
            push_words(&text[m.start..m.end], &mut out);
        }
        pos = m.end;
    }
    push_words(&text[pos..], &mut out);
    out
}

/// Feature strings of a unit (with repeats: counts matter to multinomial NB).
pub fn features(
    text: &str,
    mentions: &[Mention],
    target: usize,
    s: &FeatureSettings,
) -> Vec<String> {
    let toks = tokens(text, mentions, target, s);
    // Negation scope and word forms.
    let mut forms: Vec<Option<String>> = Vec::with_capacity(toks.len());
    let mut extra: Vec<String> = Vec::new();
    let mut negated = false;
    for t in &toks {
        match t {
            Tok::Punct => {
                negated = false;
                forms.push(None);
            }
            Tok::Target => forms.push(Some(TARGET.into())),
            Tok::Other => forms.push(Some(OTHER.into())),
            Tok::Word(w) => {
                let lw = w.to_lowercase();
                let is_neg = NEGATORS.contains(&lw.as_str());
                if s.sentiment_lexicon && !is_neg {
                    if let Some(v) = valence(&lw) {
                        let v = if negated { -v } else { v };
                        if v >= LEXICON_THRESHOLD {
                            extra.push("lex_pos".to_string());
                        } else if v <= -LEXICON_THRESHOLD {
                            extra.push("lex_neg".to_string());
                        }
                    }
                }
                if s.negation && negated && !is_neg {
                    forms.push(Some(format!("not_{w}")));
                } else {
                    forms.push(Some(w.clone()));
                }
                if is_neg {
                    negated = true;
                }
            }
        }
    }
    let mut out = Vec::new();
    for f in forms.iter().flatten() {
        out.push(f.clone());
    }
    if s.ngram >= 2 {
        for n in 2..=s.ngram {
            for win in forms.windows(n) {
                if win.iter().all(|f| f.is_some()) {
                    let parts: Vec<&str> = win.iter().map(|f| f.as_deref().unwrap_or("")).collect();
                    out.push(parts.join(" "));
                }
            }
        }
    }
    out.extend(extra);
    if s.window > 0 {
        let targets: Vec<usize> = toks
            .iter()
            .enumerate()
            .filter(|(_, t)| **t == Tok::Target)
            .map(|(i, _)| i)
            .collect();
        for (i, f) in forms.iter().enumerate() {
            if let Some(f) = f {
                if targets.iter().any(|&t| t != i && t.abs_diff(i) <= s.window) {
                    out.push(format!("w_{f}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::Lexicon;

    #[test]
    fn masks_target_and_others_and_marks_negation() {
        let lex = Lexicon::default_lexicon();
        let t = "Moscow is not a good partner for Tehran.";
        let m = lex.find(t);
        let russia = lex.actor_index("russia").unwrap();
        let f = features(
            t,
            &m,
            russia,
            &FeatureSettings {
                negation: true,
                sentiment_lexicon: false,
                ..Default::default()
            },
        );
        assert_eq!(
            f,
            vec![
                "<target>",
                "is",
                "not",
                "not_a",
                "not_good",
                "not_partner",
                "not_for",
                "<other>"
            ]
        );
        let f = features(
            t,
            &m,
            russia,
            &FeatureSettings {
                negation: true,
                sentiment_lexicon: true,
                ..Default::default()
            },
        );
        // "good" is positive in VADER; under "not" it counts as negative.
        assert!(
            f.contains(&"lex_neg".to_string()) && !f.contains(&"lex_pos".to_string()),
            "{f:?}"
        );
        let iran = lex.actor_index("iran").unwrap();
        let f = features(t, &m, iran, &FeatureSettings::default());
        assert_eq!(f[0], "<other>");
        assert_eq!(f[7], "<target>");
        // The lexicon polarity flips under "not" even when not_ prefixes are off.
        assert_eq!(f[8], "lex_neg");
    }

    #[test]
    fn bag_of_words_keeps_names() {
        let lex = Lexicon::default_lexicon();
        let t = "The U.S. didn't act.";
        let f = features(t, &lex.find(t), 2, &FeatureSettings::bag_of_words());
        assert_eq!(f, vec!["the", "u.s", "did", "not", "act"]);
    }
}
