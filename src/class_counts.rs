//! How often each feature occurs in each class, counted unit by unit as the
//! labels stream by: all that multinomial naive Bayes needs of the data.
//!
//! One table serves both the vocabulary (a feature's total count decides
//! `min_count`) and the fit (per-class sums), so one pass over the labels
//! is enough and no unit is held. Counts are whole numbers, so tables
//! counted on different threads merge to the same sums in any order.
//!
//! Settings the allocation-free tokeniser of `vectorize` covers are counted
//! through it, words interned as they come; any other setting spells the
//! features out with `features::features`, the reference.

use crate::actors::Mention;
use crate::features::{features, FeatureSettings, OTHER, TARGET};
use crate::model::ClassSums;
use crate::vectorize::{fast_path_covers, info_of, scan, Scan, ScanSettings, WordIds, WordInfo};
use rustc_hash::FxHashMap;

/// Slots per feature: three stance classes, then three sentiment classes.
const SLOTS: usize = 6;

#[derive(Debug, Default)]
struct Table {
    words: FxHashMap<Box<str>, WordInfo>,
    /// Feature of each id.
    keys: Vec<Box<str>>,
    counts: Vec<[u64; SLOTS]>,
}

impl Table {
    fn intern(&mut self, key: &str) -> u32 {
        if let Some(info) = self.words.get(key) {
            return info.id;
        }
        let id = self.keys.len() as u32;
        self.words.insert(key.into(), info_of(key, id));
        self.keys.push(key.into());
        self.counts.push([0; SLOTS]);
        id
    }
}

impl WordIds for Table {
    #[inline]
    fn info(&mut self, w: &str) -> WordInfo {
        if let Some(info) = self.words.get(w) {
            return *info;
        }
        self.intern(w);
        self.words[w]
    }
}

/// Per-class feature counts of the units seen so far.
#[derive(Debug)]
pub struct ClassCounts {
    settings: FeatureSettings,
    /// Set when the fast tokeniser covers the settings.
    fast: Option<Fast>,
    table: Table,
    /// Units per [stance class, sentiment class].
    rows: [u64; SLOTS],
}

#[derive(Debug)]
struct Fast {
    cfg: ScanSettings,
    target: u32,
    other: u32,
    scan: Scan,
    /// The sentence `scan` holds: a sentence naming several actors comes
    /// once per actor, one row after the other.
    scanned: Option<String>,
}

impl ClassCounts {
    pub fn new(settings: &FeatureSettings) -> ClassCounts {
        let mut table = Table::default();
        let fast = fast_path_covers(settings).then(|| Fast {
            cfg: ScanSettings {
                mask_actors: settings.mask_actors,
                sentiment_lexicon: settings.sentiment_lexicon,
                lex_pos: table.intern("lex_pos"),
                lex_neg: table.intern("lex_neg"),
            },
            target: table.intern(TARGET),
            other: table.intern(OTHER),
            scan: Scan::default(),
            scanned: None,
        });
        ClassCounts {
            settings: settings.clone(),
            fast,
            table,
            rows: [0; SLOTS],
        }
    }

    /// Count the features of the unit of `target` in `text`.
    pub fn add(
        &mut self,
        text: &str,
        mentions: &[Mention],
        target: usize,
        stance: usize,
        sentiment: usize,
    ) {
        let (a, b) = (stance, 3 + sentiment);
        self.rows[a] += 1;
        self.rows[b] += 1;
        match &mut self.fast {
            Some(f) => {
                if f.scanned.as_deref() != Some(text) {
                    scan(text, mentions, &f.cfg, &mut self.table, &mut f.scan);
                    let s = f.scanned.get_or_insert_with(String::new);
                    s.clear();
                    s.push_str(text);
                }
                let counts = &mut self.table.counts;
                for &id in &f.scan.ids {
                    bump(counts, id, a, b);
                }
                for &actor in &f.scan.mention_actors {
                    let id = if actor == target { f.target } else { f.other };
                    bump(counts, id, a, b);
                }
            }
            None => {
                for feat in features(text, mentions, target, &self.settings) {
                    let id = self.table.intern(&feat);
                    bump(&mut self.table.counts, id, a, b);
                }
            }
        }
    }

    /// Add another table's counts to this one.
    pub fn merge(&mut self, other: ClassCounts) {
        for (key, c) in other.table.keys.iter().zip(&other.table.counts) {
            let id = self.table.intern(key) as usize;
            for (p, q) in self.table.counts[id].iter_mut().zip(c) {
                *p += q;
            }
        }
        for (p, q) in self.rows.iter_mut().zip(&other.rows) {
            *p += q;
        }
    }

    /// The vocabulary (features seen at least `min_count` times, sorted) and
    /// each class's feature sums over it.
    pub fn into_sums(self, min_count: u32) -> ClassSums {
        let Table { keys, counts, .. } = self.table;
        let mut keep: Vec<usize> = (0..keys.len())
            .filter(|&i| counts[i][..3].iter().sum::<u64>() >= u64::from(min_count.max(1)))
            .collect();
        // Sorted: the vocabulary order must not depend on hashing.
        keep.sort_unstable_by(|&x, &y| keys[x].cmp(&keys[y]));
        let mut sums = vec![vec![0.0f64; keep.len()]; SLOTS];
        for (f, &i) in keep.iter().enumerate() {
            for (slot, row) in sums.iter_mut().enumerate() {
                row[f] = counts[i][slot] as f64;
            }
        }
        ClassSums {
            vocabulary: keep.iter().map(|&i| keys[i].to_string()).collect(),
            sums,
            rows: self.rows.iter().map(|&n| n as usize).collect(),
        }
    }
}

#[inline]
fn bump(counts: &mut [[u64; SLOTS]], id: u32, a: usize, b: usize) {
    let c = &mut counts[id as usize];
    c[a] += 1;
    c[b] += 1;
}
