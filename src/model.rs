//! The stance/sentiment model: two multinomial naive Bayes heads fitted by
//! linfa-bayes over target-aware features, in linfa's shape — parameters,
//! checked into valid parameters, `fit` gives a fitted model that predicts.
//!
//! linfa-bayes only predicts from dense matrices, and its `predict_proba`
//! overflows on long inputs (log-sum-exp without the maximum). We fit with
//! linfa, read the fitted model's class priors and feature log-probabilities
//! out of it, and score sparse feature counts ourselves with a stable
//! log-sum-exp; `tests/model.rs` checks both give the same probabilities.

use crate::error::{Result, StanceError};
use crate::features::FeatureSettings;
use crate::vectorize::Vectorizer;
use linfa::prelude::*;
use linfa::ParamGuard;
use linfa_bayes::MultinomialNb;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const STANCE_CLASSES: [&str; 3] = ["supportive", "skeptical", "neutral"];
pub const SENTIMENT_CLASSES: [&str; 3] = ["positive", "negative", "neutral"];

/// Rows per dense chunk handed to linfa: bounds training memory at
/// CHUNK × vocabulary floats whatever the number of rows.
const CHUNK: usize = 256;

/// Hyper-parameters, unchecked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StanceValidParams {
    pub features: FeatureSettings,
    /// Additive (Laplace/Lidstone) smoothing; must be > 0.
    pub alpha: f64,
    /// Use equal class priors instead of the training frequencies: with
    /// rare supportive/skeptical units, frequency priors make the model
    /// predict neutral almost always.
    #[serde(default)]
    pub uniform_prior: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StanceParams(StanceValidParams);

impl Default for StanceParams {
    fn default() -> Self {
        StanceParams(StanceValidParams {
            features: FeatureSettings::default(),
            alpha: 0.5,
            uniform_prior: true,
        })
    }
}

impl StanceParams {
    pub fn new(features: FeatureSettings, alpha: f64) -> Self {
        StanceParams(StanceValidParams {
            features,
            alpha,
            uniform_prior: false,
        })
    }
    pub fn uniform_prior(mut self, on: bool) -> Self {
        self.0.uniform_prior = on;
        self
    }
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.0.alpha = alpha;
        self
    }
    pub fn features(mut self, f: FeatureSettings) -> Self {
        self.0.features = f;
        self
    }
}

impl ParamGuard for StanceParams {
    type Checked = StanceValidParams;
    type Error = StanceError;

    fn check_ref(&self) -> Result<&StanceValidParams> {
        let p = &self.0;
        // linfa-bayes accepts alpha = 0 and then yields -inf log-probabilities
        // and NaN in prediction: refuse it here.
        if !(p.alpha.is_finite() && p.alpha > 0.0) {
            return Err(StanceError::Param(format!(
                "alpha must be a finite number > 0, got {}",
                p.alpha
            )));
        }
        if !(1..=3).contains(&p.features.ngram) {
            return Err(StanceError::Param(format!(
                "ngram must be 1, 2 or 3, got {}",
                p.features.ngram
            )));
        }
        if p.features.window > 50 {
            return Err(StanceError::Param(format!(
                "window must be at most 50 tokens, got {}",
                p.features.window
            )));
        }
        if p.features.min_count == 0 {
            return Err(StanceError::Param("min_count must be at least 1".into()));
        }
        Ok(p)
    }

    fn check(self) -> Result<StanceValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// One labeled training example: its features and a class index per
/// dimension (into STANCE_CLASSES / SENTIMENT_CLASSES).
#[derive(Debug, Clone)]
pub struct Example {
    pub features: Vec<String>,
    pub stance: usize,
    pub sentiment: usize,
}

/// One fitted naive Bayes head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    /// Class names in the dimension's output order.
    pub classes: Vec<String>,
    pub class_count: Vec<u64>,
    /// ln P(class); -inf is stored as null for classes absent in training.
    pub log_prior: Vec<Option<f64>>,
    /// ln P(feature | class), [class][feature]; empty for absent classes.
    pub feature_log_prob: Vec<Vec<f64>>,
}

impl Head {
    /// Class probabilities for sparse feature counts (stable log-sum-exp).
    pub fn proba(&self, counts: &[(u32, f64)]) -> Vec<f64> {
        let jll = self.joint_log_likelihood(counts);
        softmax(&jll)
    }

    pub fn joint_log_likelihood(&self, counts: &[(u32, f64)]) -> Vec<f64> {
        self.log_prior
            .iter()
            .zip(&self.feature_log_prob)
            .map(|(lp, flp)| match lp {
                None => f64::NEG_INFINITY,
                Some(lp) => {
                    lp + counts
                        .iter()
                        .map(|&(f, c)| c * flp[f as usize])
                        .sum::<f64>()
                }
            })
            .collect()
    }
}

pub fn softmax(jll: &[f64]) -> Vec<f64> {
    let max = jll.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return vec![1.0 / jll.len() as f64; jll.len()];
    }
    let exps: Vec<f64> = jll.iter().map(|v| (v - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|e| e / sum).collect()
}

/// `softmax` of three classes, without allocating: it runs twice for every
/// unit scored. The same operations in the same order, so the same bits.
fn softmax3(jll: [f64; 3]) -> [f64; 3] {
    let max = jll.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return [1.0 / 3.0; 3];
    }
    let exps = jll.map(|v| (v - max).exp());
    let sum: f64 = exps.iter().sum();
    exps.map(|e| e / sum)
}

/// Index of the largest probability; ties go to the earliest class, so the
/// result never depends on hash-map order.
pub fn argmax(p: &[f64]) -> usize {
    let mut best = 0;
    for (i, v) in p.iter().enumerate() {
        if *v > p[best] {
            best = i;
        }
    }
    best
}

/// A fitted model: vocabulary plus one head per dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedModel {
    pub params: StanceValidParams,
    pub vocabulary: Vec<String>,
    pub stance: Head,
    pub sentiment: Head,
    #[serde(skip)]
    index: rustc_hash::FxHashMap<String, u32>,
    /// The hot path's word map, when the settings allow one.
    #[serde(skip)]
    fast: Option<Vectorizer>,
    /// ln P(feature | class) of both heads side by side, one row of six per
    /// feature (stance classes, then sentiment classes): scoring touches one
    /// cache line per feature instead of six scattered ones.
    #[serde(skip)]
    table: Vec<[f64; 6]>,
}

impl FittedModel {
    /// Rebuild what is derived from the vocabulary and the heads (after
    /// loading or fitting).
    pub fn rebuild_index(&mut self) {
        self.index = self
            .vocabulary
            .iter()
            .enumerate()
            .map(|(i, w)| (w.clone(), i as u32))
            .collect();
        self.fast = Vectorizer::new(&self.params.features, &self.index);
        let flp = |h: &Head, k: usize, f: usize| h.feature_log_prob[k].get(f).copied();
        self.table = (0..self.vocabulary.len())
            .map(|f| {
                let mut row = [0.0; 6];
                for k in 0..3 {
                    row[k] = flp(&self.stance, k, f).unwrap_or(0.0);
                    row[3 + k] = flp(&self.sentiment, k, f).unwrap_or(0.0);
                }
                row
            })
            .collect();
    }

    /// The allocation-free vectorizer, when the feature settings allow it.
    pub fn vectorizer(&self) -> Option<&Vectorizer> {
        self.fast.as_ref()
    }

    /// (stance, sentiment) probabilities of sparse counts sorted by id: the
    /// same numbers, bit for bit, as `Head::proba` on each head (the sums
    /// run in the same order), read from one interleaved table.
    pub fn predict_counts(&self, counts: &[(u32, f64)]) -> ([f64; 3], [f64; 3]) {
        if self.table.len() != self.vocabulary.len()
            || self.stance.classes.len() != 3
            || self.sentiment.classes.len() != 3
        {
            let (s, e) = (self.stance.proba(counts), self.sentiment.proba(counts));
            return ([s[0], s[1], s[2]], [e[0], e[1], e[2]]);
        }
        let mut acc = [0.0f64; 6];
        for &(f, c) in counts {
            let row = &self.table[f as usize];
            for k in 0..6 {
                acc[k] += c * row[k];
            }
        }
        let jll = |h: &Head, off: usize| -> [f64; 3] {
            let mut j = [f64::NEG_INFINITY; 3];
            for k in 0..3 {
                if let Some(lp) = h.log_prior[k] {
                    j[k] = lp + acc[off + k];
                }
            }
            j
        };
        (
            softmax3(jll(&self.stance, 0)),
            softmax3(jll(&self.sentiment, 3)),
        )
    }

    /// Sparse counts of the known features among `feats`, sorted by id.
    pub fn counts(&self, feats: &[String]) -> Vec<(u32, f64)> {
        let mut m: BTreeMap<u32, f64> = BTreeMap::new();
        for f in feats {
            if let Some(&i) = self.index.get(f) {
                *m.entry(i).or_insert(0.0) += 1.0;
            }
        }
        m.into_iter().collect()
    }

    /// (stance probabilities, sentiment probabilities), each in the output
    /// order of STANCE_CLASSES / SENTIMENT_CLASSES.
    pub fn predict(&self, feats: &[String]) -> (Vec<f64>, Vec<f64>) {
        let (s, e) = self.predict_counts(&self.counts(feats));
        (s.to_vec(), e.to_vec())
    }
}

impl StanceValidParams {
    /// Fit both heads on `examples`.
    pub fn fit(&self, examples: &[Example]) -> Result<FittedModel> {
        self.fit_from(
            examples.len(),
            |i| examples[i].features.clone(),
            |i| (examples[i].stance, examples[i].sentiment),
        )
    }

    /// Fit both heads on `n` examples given by index: `features(i)` is
    /// called twice per example (once to build the vocabulary, once to
    /// count), so no example's features need to be held for the whole fit.
    /// Memory is the vocabulary plus one row of feature sums per class,
    /// whatever `n`.
    ///
    /// Multinomial naive Bayes depends on its data only through each
    /// class's feature sums and row count. The sums are accumulated here
    /// (in parallel: they are sums of whole numbers, exact in f64 in any
    /// order) and linfa-bayes is fitted once per head on one row of sums per
    /// class; its feature log-probabilities are then bit for bit those of
    /// fitting on every row, which `tests/model.rs` checks against the
    /// row-by-row `fit_linfa`. Class counts and priors come from the true
    /// row counts, with linfa's formula.
    pub fn fit_from(
        &self,
        n: usize,
        features: impl Fn(usize) -> Vec<String> + Sync,
        labels: impl Fn(usize) -> (usize, usize) + Sync,
    ) -> Result<FittedModel> {
        use rayon::prelude::*;
        if n == 0 {
            return Err(StanceError::Training("no training examples".into()));
        }
        type Freq = rustc_hash::FxHashMap<String, u32>;
        let freq: Freq = (0..n)
            .into_par_iter()
            .fold(Freq::default, |mut m, i| {
                for f in features(i) {
                    *m.entry(f).or_insert(0) += 1;
                }
                m
            })
            .reduce(Freq::default, |mut a, b| {
                for (k, v) in b {
                    *a.entry(k).or_insert(0) += v;
                }
                a
            });
        // Sorted: the vocabulary order must not depend on hashing.
        let mut vocabulary: Vec<String> = freq
            .into_iter()
            .filter(|&(_, c)| c >= self.features.min_count)
            .map(|(f, _)| f)
            .collect();
        vocabulary.sort_unstable();
        if vocabulary.is_empty() {
            return Err(StanceError::Training("no feature reaches min_count".into()));
        }
        let mut model = FittedModel {
            params: self.clone(),
            vocabulary,
            stance: empty_head(&STANCE_CLASSES),
            sentiment: empty_head(&SENTIMENT_CLASSES),
            index: Default::default(),
            fast: None,
            table: Vec::new(),
        };
        model.rebuild_index();
        let nf = model.vocabulary.len();
        let k = STANCE_CLASSES.len();
        // [head][class] sums of counts, and row counts.
        let zero = || (vec![vec![0.0f64; nf]; 2 * k], vec![0usize; 2 * k]);
        let (sums, rows) = (0..n)
            .into_par_iter()
            .fold(zero, |(mut sums, mut rows), i| {
                let (st, se) = labels(i);
                let c = model.counts(&features(i));
                for (slot, class) in [(0, st), (k, se)] {
                    rows[slot + class] += 1;
                    let row = &mut sums[slot + class];
                    for &(f, v) in &c {
                        row[f as usize] += v;
                    }
                }
                (sums, rows)
            })
            .reduce(zero, |(mut a, mut ra), (b, rb)| {
                for (x, y) in a.iter_mut().zip(&b) {
                    for (p, q) in x.iter_mut().zip(y) {
                        *p += q;
                    }
                }
                for (p, q) in ra.iter_mut().zip(&rb) {
                    *p += q;
                }
                (a, ra)
            });
        self.fit_sums(ClassSums {
            vocabulary: model.vocabulary,
            sums,
            rows,
        })
    }

    /// Fit both heads on per-class feature sums (`ClassSums`), whoever
    /// counted them: `fit_from` over units in memory, or
    /// `class_counts::ClassCounts` over streamed labels.
    pub fn fit_sums(&self, s: ClassSums) -> Result<FittedModel> {
        let k = STANCE_CLASSES.len();
        let slots = k + SENTIMENT_CLASSES.len();
        if s.rows.len() != slots
            || s.sums.len() != slots
            || s.sums.iter().any(|r| r.len() != s.vocabulary.len())
        {
            return Err(StanceError::Training(format!(
                "class sums need {slots} rows of {} features and {slots} row counts",
                s.vocabulary.len()
            )));
        }
        if s.rows[..k].iter().all(|&n| n == 0) {
            return Err(StanceError::Training("no training examples".into()));
        }
        if s.vocabulary.is_empty() {
            return Err(StanceError::Training("no feature reaches min_count".into()));
        }
        let mut model = FittedModel {
            params: self.clone(),
            vocabulary: s.vocabulary,
            stance: empty_head(&STANCE_CLASSES),
            sentiment: empty_head(&SENTIMENT_CLASSES),
            index: Default::default(),
            fast: None,
            table: Vec::new(),
        };
        let (sums, rows) = (&s.sums, &s.rows);
        model.stance = fit_head_sums(&sums[..k], &rows[..k], self.alpha, &STANCE_CLASSES)?;
        model.sentiment = fit_head_sums(&sums[k..], &rows[k..], self.alpha, &SENTIMENT_CLASSES)?;
        if self.uniform_prior {
            for h in [&mut model.stance, &mut model.sentiment] {
                let present = h.log_prior.iter().filter(|p| p.is_some()).count() as f64;
                for p in h.log_prior.iter_mut().flatten() {
                    *p = (1.0 / present).ln();
                }
            }
        }
        model.rebuild_index();
        Ok(model)
    }
}

/// What multinomial naive Bayes needs of a training set: the vocabulary
/// (sorted), each class's feature sums over it, and each class's row count;
/// classes are the three stance classes, then the three sentiment classes.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassSums {
    pub vocabulary: Vec<String>,
    /// [class][feature]
    pub sums: Vec<Vec<f64>>,
    pub rows: Vec<usize>,
}

/// One head from per-class feature sums and row counts: linfa-bayes fitted
/// on one row of sums per class present.
fn fit_head_sums(sums: &[Vec<f64>], rows: &[usize], alpha: f64, classes: &[&str]) -> Result<Head> {
    let present: Vec<usize> = (0..classes.len()).filter(|&c| rows[c] > 0).collect();
    let nf = sums.first().map_or(0, |r| r.len());
    let mut x = Array2::<f64>::zeros((present.len(), nf));
    for (r, &c) in present.iter().enumerate() {
        x.row_mut(r)
            .iter_mut()
            .zip(&sums[c])
            .for_each(|(a, b)| *a = *b);
    }
    let params = MultinomialNb::<f64, usize>::params()
        .alpha(alpha)
        .check()
        .map_err(|e| StanceError::Param(e.to_string()))?;
    let targets = Array1::from(present);
    let ds = DatasetView::new(x.view(), targets.view());
    // See fit_linfa on the gag.
    let gag = gag::Gag::stderr().ok();
    let fitted = params.fit_with(None, &ds);
    drop(gag);
    let nb = fitted.map_err(|e| StanceError::Training(e.to_string()))?;
    let mut head = read_head(&nb, classes)?;
    let total: usize = rows.iter().sum();
    for (c, &n) in rows.iter().enumerate().take(classes.len()) {
        head.class_count[c] = n as u64;
        // linfa's prior: class count over all rows.
        head.log_prior[c] = (n > 0).then(|| (n as f64 / total as f64).ln());
    }
    Ok(head)
}

fn empty_head(classes: &[&str]) -> Head {
    Head {
        classes: classes.iter().map(|c| c.to_string()).collect(),
        class_count: vec![0; classes.len()],
        log_prior: vec![None; classes.len()],
        feature_log_prob: vec![Vec::new(); classes.len()],
    }
}

/// Fit one linfa MultinomialNb in bounded-memory chunks and read it out.
pub fn fit_linfa(
    rows: &[Vec<(u32, f64)>],
    y: &[usize],
    n_features: usize,
    alpha: f64,
) -> Result<MultinomialNb<f64, usize>> {
    let params = MultinomialNb::<f64, usize>::params()
        .alpha(alpha)
        .check()
        .map_err(|e| StanceError::Param(e.to_string()))?;
    let mut model: Option<MultinomialNb<f64, usize>> = None;
    // One dense buffer, reused and cleared sparsely: allocating a fresh
    // zeroed matrix per chunk cost more in page faults than the fit itself.
    let mut buf = Array2::<f64>::zeros((CHUNK.min(rows.len()).max(1), n_features));
    for (chunk, ys) in rows.chunks(CHUNK).zip(y.chunks(CHUNK)) {
        for (r, row) in chunk.iter().enumerate() {
            for &(f, c) in row {
                buf[[r, f as usize]] += c;
            }
        }
        let x = buf.slice(ndarray::s![..chunk.len(), ..]);
        let targets = Array1::from(ys.to_vec());
        let ds = DatasetView::new(x, targets.view());
        // linfa-bayes 0.8.1 leaves a `dbg!` in fit_with that prints every
        // class's feature arrays to stderr (fixed upstream, linfa #441, not
        // yet released). Silence stderr for the duration of the call only.
        // Drop this gag once a fixed linfa-bayes is released.
        let gag = gag::Gag::stderr().ok();
        let fitted = params.fit_with(model.take(), &ds);
        drop(gag);
        model = Some(fitted.map_err(|e| StanceError::Training(e.to_string()))?);
        for (r, row) in chunk.iter().enumerate() {
            for &(f, _) in row {
                buf[[r, f as usize]] = 0.0;
            }
        }
    }
    model.ok_or_else(|| StanceError::Training("no rows".into()))
}

/// One head fitted by linfa row by row (in bounded chunks): the reference
/// that `fit_from`'s one-row-per-class fit is checked against.
pub fn fit_head_rows(
    rows: &[Vec<(u32, f64)>],
    y: &[usize],
    n_features: usize,
    alpha: f64,
    classes: &[&str],
) -> Result<Head> {
    read_head(&fit_linfa(rows, y, n_features, alpha)?, classes)
}

/// Read a fitted linfa model's classes out through its serde form (the
/// fields are private).
fn read_head(nb: &MultinomialNb<f64, usize>, classes: &[&str]) -> Result<Head> {
    let v = serde_json::to_value(nb).map_err(|e| StanceError::Training(e.to_string()))?;
    let info = v
        .get("class_info")
        .and_then(|c| c.as_object())
        .ok_or_else(|| StanceError::Training("unexpected linfa model layout".into()))?;
    let mut head = empty_head(classes);
    for (key, ci) in info {
        let k: usize = key
            .parse()
            .map_err(|_| StanceError::Training(format!("unexpected class key {key}")))?;
        let prior = ci["prior"].as_f64().unwrap_or(0.0);
        head.class_count[k] = ci["class_count"].as_u64().unwrap_or(0);
        head.log_prior[k] = Some(prior.ln());
        head.feature_log_prob[k] = ci["feature_log_prob"]["data"]
            .as_array()
            .ok_or_else(|| StanceError::Training("unexpected linfa model layout".into()))?
            .iter()
            .map(|x| x.as_f64().unwrap_or(f64::NEG_INFINITY))
            .collect();
    }
    Ok(head)
}

#[cfg(test)]
mod softmax_tests {
    use super::*;

    #[test]
    fn softmax3_gives_softmax_bits() {
        let cases = [
            [-1.5, -20.25, -3.0],
            [0.0, 0.0, 0.0],
            [-1e3, -1e3 - 1e-9, -700.0],
            [f64::NEG_INFINITY, -2.0, -3.0],
            [f64::NEG_INFINITY; 3],
            [-745.0, -0.1, -1e-300],
        ];
        for c in cases {
            let want = softmax(&c);
            let got = softmax3(c);
            for (a, b) in got.iter().zip(&want) {
                assert_eq!(a.to_bits(), b.to_bits(), "{c:?}");
            }
        }
    }
}
