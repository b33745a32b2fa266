//! Measuring the cleaner against hand-written gold: one body sentence per
//! line, as a careful reader splits the page (tests/gold/).

use crate::clean::Sentence;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Default, Serialize)]
pub struct GoldScore {
    pub gold: usize,
    pub kept: usize,
    /// Gold sentences that stand whole inside one kept sentence.
    pub recalled: usize,
    /// Kept sentences whose words all stand in the gold body: no noise.
    pub clean: usize,
    /// Gold sentences matched exactly by a kept sentence (same boundaries).
    pub exact: usize,
}

impl GoldScore {
    pub fn recall(&self) -> f64 {
        ratio(self.recalled, self.gold)
    }
    pub fn precision(&self) -> f64 {
        ratio(self.clean, self.kept)
    }
    /// Exact matches over the larger of the two counts, so that both lost
    /// and extra splits count against it.
    pub fn exact_accuracy(&self) -> f64 {
        ratio(self.exact, self.gold.max(self.kept))
    }
    pub fn add(&mut self, o: &GoldScore) {
        self.gold += o.gold;
        self.kept += o.kept;
        self.recalled += o.recalled;
        self.clean += o.clean;
        self.exact += o.exact;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

pub fn normalise(s: &str) -> String {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    let joined = s
        .replace("**", "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // Most sentences are NFC already, and the quick check is far cheaper
    // than composing them again (sentence hashes of every article read
    // for training go through here).
    if is_nfc_quick(joined.chars()) == IsNormalized::Yes {
        return joined;
    }
    joined.nfc().collect()
}

fn word_key(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Gold lines of a gold file's text (blank lines ignored).
pub fn parse_gold(text: &str) -> Vec<String> {
    text.lines()
        .map(normalise)
        .filter(|l| !l.is_empty())
        .collect()
}

pub fn score(gold: &[String], kept: &[Sentence]) -> GoldScore {
    let kept_norm: Vec<String> = kept.iter().map(|s| normalise(&s.text)).collect();
    let gold_body = format!(
        " {} ",
        gold.iter()
            .map(|g| word_key(g))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut pool: HashMap<&str, usize> = HashMap::new();
    for k in &kept_norm {
        *pool.entry(k.as_str()).or_insert(0) += 1;
    }
    let mut exact = 0;
    for g in gold {
        if let Some(n) = pool.get_mut(g.as_str()) {
            if *n > 0 {
                *n -= 1;
                exact += 1;
            }
        }
    }
    GoldScore {
        gold: gold.len(),
        kept: kept.len(),
        recalled: gold
            .iter()
            .filter(|g| kept_norm.iter().any(|k| k.contains(g.as_str())))
            .count(),
        clean: kept_norm
            .iter()
            .filter(|k| {
                let w = word_key(k);
                w.is_empty() || gold_body.contains(&format!(" {w} "))
            })
            .count(),
        exact,
    }
}

/// Lines of the gold missing from the kept sentences, and kept sentences that
/// are not gold: what a developer reads to fix the cleaner.
pub fn diff(gold: &[String], kept: &[Sentence]) -> (Vec<String>, Vec<String>) {
    let kept_norm: Vec<String> = kept.iter().map(|s| normalise(&s.text)).collect();
    let missing = gold
        .iter()
        .filter(|g| !kept_norm.contains(g))
        .cloned()
        .collect();
    let extra = kept_norm
        .iter()
        .filter(|k| !gold.contains(k))
        .cloned()
        .collect();
    (missing, extra)
}
