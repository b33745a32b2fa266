//! Cleaned articles for labels keyed by sentence hash, kept in a small
//! least-recently-used cache shared by the placing threads.
//!
//! Cleaning an article costs far more than placing one label, and the rows
//! of a label file come grouped by article, so a few dozen recent articles
//! catch nearly every row; a bound keeps memory flat however many articles
//! a label file names. An article evicted and needed again is cleaned
//! again, which gives the same units: results never depend on the cache.

use crate::actors::{Lexicon, Mention};
use crate::clean::CleanOptions;
use crate::units::{article_units, sentence_hash};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Articles held at most.
pub const CAPACITY: usize = 64;

/// One unit of a cleaned article, with its sentence hash computed once.
#[derive(Debug)]
pub struct CachedUnit {
    pub actor: String,
    pub hash: String,
    pub text: String,
    pub mentions: Vec<Mention>,
}

/// What reading `<dir>/<id>.txt` gave.
#[derive(Debug)]
pub struct Article {
    /// SHA-256 of the file, when it could be read.
    pub sha256: Option<String>,
    /// None when the file is missing or not UTF-8.
    pub units: Option<Vec<CachedUnit>>,
}

impl Article {
    /// The unit of `actor` whose sentence hashes to `hash`.
    pub fn find(&self, actor: &str, hash: &str) -> Option<&CachedUnit> {
        self.units
            .as_ref()?
            .iter()
            .find(|u| u.actor == actor && u.hash == hash)
    }
}

pub struct ArticleCache<'a> {
    dir: PathBuf,
    lex: &'a Lexicon,
    clean: CleanOptions,
    capacity: usize,
    recent: Mutex<VecDeque<(String, Arc<Article>)>>,
}

impl<'a> ArticleCache<'a> {
    pub fn new(dir: &Path, lex: &'a Lexicon, clean: CleanOptions) -> Self {
        Self::with_capacity(dir, lex, clean, CAPACITY)
    }

    pub fn with_capacity(
        dir: &Path,
        lex: &'a Lexicon,
        clean: CleanOptions,
        capacity: usize,
    ) -> Self {
        ArticleCache {
            dir: dir.to_path_buf(),
            lex,
            clean,
            capacity: capacity.max(1),
            recent: Mutex::new(VecDeque::with_capacity(capacity.max(1))),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The article `id`, cleaned and cut into units.
    pub fn get(&self, id: &str) -> Arc<Article> {
        if let Some(a) = self.lookup(id) {
            return a;
        }
        // Cleaned outside the lock so that threads clean different articles
        // at once; two threads may clean the same one, to the same result.
        let a = Arc::new(self.load(id));
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if recent.len() >= self.capacity {
            recent.pop_back();
        }
        recent.push_front((id.to_string(), a.clone()));
        a
    }

    fn lookup(&self, id: &str) -> Option<Arc<Article>> {
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        let k = recent.iter().position(|(i, _)| i == id)?;
        let hit = recent.remove(k)?;
        let a = hit.1.clone();
        recent.push_front(hit);
        Some(a)
    }

    fn load(&self, id: &str) -> Article {
        let Ok(bytes) = std::fs::read(self.dir.join(format!("{id}.txt"))) else {
            return Article {
                sha256: None,
                units: None,
            };
        };
        let sha256 = Some(crate::actors::hex_sha256(&bytes));
        let units = String::from_utf8(bytes).ok().map(|text| {
            article_units(id, &text, self.lex, self.clean)
                .1
                .into_iter()
                .map(|u| CachedUnit {
                    hash: sentence_hash(&u.text),
                    actor: u.actor,
                    text: u.text,
                    mentions: u.mentions,
                })
                .collect()
        });
        Article { sha256, units }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_evicted_article_comes_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
        for (id, f) in [
            ("a", "000_1431d80240041309.txt"),
            ("b", "004_09f961840c843274.txt"),
        ] {
            std::fs::copy(seeds.join(f), dir.path().join(format!("{id}.txt"))).unwrap();
        }
        let lex = Lexicon::default_lexicon();
        let cache = ArticleCache::with_capacity(dir.path(), &lex, CleanOptions::default(), 1);
        let first = cache.get("a");
        let _ = cache.get("b"); // evicts a
        let again = cache.get("a");
        assert!(!Arc::ptr_eq(&first, &again), "a should have been evicted");
        assert_eq!(first.sha256, again.sha256);
        let key = |a: &Article| {
            a.units
                .as_ref()
                .unwrap()
                .iter()
                .map(|u| {
                    (
                        u.actor.clone(),
                        u.hash.clone(),
                        u.text.clone(),
                        u.mentions.clone(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert!(!key(&first).is_empty());
        assert_eq!(key(&first), key(&again));
        assert!(cache.get("missing").units.is_none());
        assert!(cache.get("missing").sha256.is_none());
    }
}
