//! Near-duplicate articles (syndicated wire copy republished by several
//! outlets): MinHash signatures over word 5-gram shingles, banded for
//! candidate pairs, verified by the estimated Jaccard similarity.
//!
//! The hashing is written here rather than taken from a crate so that
//! signatures are identical on every platform and version (std's hasher is
//! not guaranteed stable, and output must be byte-identical across runs).

use std::collections::{BTreeMap, BTreeSet};

const SHINGLE: usize = 5;
const HASHES: usize = 64;
const BANDS: usize = 16;
const ROWS: usize = HASHES / BANDS;

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

pub type Signature = [u64; HASHES];

/// MinHash signature of a text's lower-cased word 5-grams; None for texts
/// shorter than one shingle.
pub fn signature(text: &str) -> Option<Signature> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    if words.len() < SHINGLE {
        return None;
    }
    let mut sig = [u64::MAX; HASHES];
    for win in words.windows(SHINGLE) {
        let h = fnv(&win.join(" "));
        for (i, s) in sig.iter_mut().enumerate() {
            let v = splitmix(h ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407));
            if v < *s {
                *s = v;
            }
        }
    }
    Some(sig)
}

pub fn similarity(a: &Signature, b: &Signature) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / HASHES as f64
}

/// Pairs (i, j, similarity), i < j, with estimated Jaccard ≥ threshold.
pub fn near_duplicates(sigs: &[Option<Signature>], threshold: f64) -> Vec<(usize, usize, f64)> {
    let mut cands: BTreeSet<(usize, usize)> = BTreeSet::new();
    for band in 0..BANDS {
        let mut buckets: BTreeMap<&[u64], Vec<usize>> = BTreeMap::new();
        for (i, s) in sigs.iter().enumerate() {
            if let Some(s) = s {
                buckets
                    .entry(&s[band * ROWS..(band + 1) * ROWS])
                    .or_default()
                    .push(i);
            }
        }
        for ids in buckets.values() {
            for (k, &a) in ids.iter().enumerate() {
                for &b in &ids[k + 1..] {
                    cands.insert((a, b));
                }
            }
        }
    }
    cands
        .into_iter()
        .filter_map(|(a, b)| {
            let s = similarity(sigs[a].as_ref()?, sigs[b].as_ref()?);
            (s >= threshold).then_some((a, b, s))
        })
        .collect()
}

/// Clusters of near-duplicates (union-find over the pairs); returns, for
/// each article, the index of the article that represents its story.
pub fn representatives(
    n: usize,
    pairs: &[(usize, usize, f64)],
    key: impl Fn(usize) -> (String, String),
) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], x: usize) -> usize {
        let mut r = x;
        while p[r] != r {
            r = p[r];
        }
        let mut y = x;
        while p[y] != r {
            let next = p[y];
            p[y] = r;
            y = next;
        }
        r
    }
    for &(a, b, _) in pairs {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    // Keep the earliest by date (ISO dates sort as text; missing dates
    // last), then the first by id.
    let mut best: BTreeMap<usize, usize> = BTreeMap::new();
    for i in 0..n {
        let r = find(&mut parent, i);
        let e = best.entry(r).or_insert(i);
        let (di, ii) = key(i);
        let (de, ie) = key(*e);
        let rank = |d: &str, id: &str| (d.is_empty(), d.to_string(), id.to_string());
        if rank(&di, &ii) < rank(&de, &ie) {
            *e = i;
        }
    }
    (0..n).map(|i| best[&find(&mut parent, i)]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_story_new_headline_is_found_unrelated_is_not() {
        let body = "Russia and Iran signed a broad cooperation treaty on Friday in Moscow, pledging closer military and economic ties as both face Western sanctions over the war in Ukraine and the nuclear programme.";
        let a = signature(&format!("Treaty signed\n\n{body}")).unwrap();
        let b = signature(&format!("Moscow and Tehran seal pact\n\n{body}")).unwrap();
        let c = signature("The weather in Kuala Lumpur was hot and humid as leaders gathered for the regional summit on trade and shipping lanes.").unwrap();
        let pairs = near_duplicates(&[Some(a), Some(b), Some(c)], 0.5);
        assert_eq!(pairs.len(), 1);
        assert_eq!((pairs[0].0, pairs[0].1), (0, 1));
        let reps = representatives(3, &pairs, |i| {
            (
                ["2024-01-02", "2024-01-01", ""][i].to_string(),
                i.to_string(),
            )
        });
        assert_eq!(reps, vec![1, 1, 2]);
    }
}
