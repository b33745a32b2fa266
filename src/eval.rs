//! Grouped cross-validation of the model beside two baselines: the majority
//! class and a plain bag-of-words naive Bayes, on the same folds.
//!
//! Folds never split a group: with `--group-by article` (the default) the
//! sentences of a test article never train the model; with `--group-by
//! outlet` the test outlet is one the model never saw.

use crate::actors::Lexicon;
use crate::error::Result;
use crate::features::{features, FeatureSettings};
use crate::labels::LabeledUnit;
use crate::metrics::{evaluate, Metrics};
use crate::model::{argmax, Example, StanceValidParams, SENTIMENT_CLASSES, STANCE_CLASSES};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    Article,
    Outlet,
}

#[derive(Debug, Clone, Serialize)]
pub struct DimReport {
    pub model: Metrics,
    pub majority: Metrics,
    pub bag_of_words: Metrics,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub grouping: String,
    pub folds: usize,
    pub units: usize,
    pub stance: DimReport,
    pub sentiment: DimReport,
}

pub fn examples(units: &[LabeledUnit], s: &FeatureSettings) -> Vec<Example> {
    units
        .iter()
        .map(|u| Example {
            features: features(&u.text, &u.mentions, u.actor_index, s),
            stance: u.stance,
            sentiment: u.sentiment,
        })
        .collect()
}

/// Fold of each unit: groups sorted by name; with `k`, groups are dealt
/// round-robin into k folds; without, each group is its own fold.
pub fn fold_ids(units: &[LabeledUnit], by: GroupBy, k: Option<usize>) -> (Vec<usize>, usize) {
    let key = |u: &LabeledUnit| match by {
        GroupBy::Article => u.article_id.clone(),
        GroupBy::Outlet => {
            if u.outlet.is_empty() {
                format!("article:{}", u.article_id)
            } else {
                u.outlet.clone()
            }
        }
    };
    let groups: BTreeMap<String, usize> = {
        let mut g = BTreeMap::new();
        for u in units {
            let n = g.len();
            g.entry(key(u)).or_insert(n);
        }
        g.keys().cloned().enumerate().map(|(i, k)| (k, i)).collect()
    };
    let n_groups = groups.len();
    let folds = match k {
        Some(k) if k >= 2 && k < n_groups => k,
        _ => n_groups,
    };
    (
        units.iter().map(|u| groups[&key(u)] % folds).collect(),
        folds,
    )
}

struct Preds {
    pred: Vec<usize>,
    proba: Vec<Vec<f64>>,
}

impl Preds {
    fn new(n: usize) -> Self {
        Preds {
            pred: vec![0; n],
            proba: vec![Vec::new(); n],
        }
    }
}

/// Out-of-fold predictions of a parameter set: (stance, sentiment).
fn oof(
    params: &StanceValidParams,
    ex: &[Example],
    fold: &[usize],
    folds: usize,
) -> Result<(Preds, Preds)> {
    let n = ex.len();
    let mut st = Preds::new(n);
    let mut se = Preds::new(n);
    for f in 0..folds {
        let train: Vec<Example> = ex
            .iter()
            .zip(fold)
            .filter(|(_, &g)| g != f)
            .map(|(e, _)| e.clone())
            .collect();
        if train.is_empty() {
            continue;
        }
        let m = params.fit(&train)?;
        for i in (0..n).filter(|&i| fold[i] == f) {
            let (ps, pe) = m.predict(&ex[i].features);
            st.pred[i] = argmax(&ps);
            se.pred[i] = argmax(&pe);
            st.proba[i] = ps;
            se.proba[i] = pe;
        }
    }
    Ok((st, se))
}

fn majority(gold: &[usize], fold: &[usize], folds: usize, k: usize) -> Preds {
    let n = gold.len();
    let mut p = Preds::new(n);
    for f in 0..folds {
        let mut counts = vec![0usize; k];
        for i in (0..n).filter(|&i| fold[i] != f) {
            counts[gold[i]] += 1;
        }
        let total: usize = counts.iter().sum();
        let best = argmax(&counts.iter().map(|&c| c as f64).collect::<Vec<_>>());
        let proba: Vec<f64> = counts
            .iter()
            .map(|&c| {
                if total == 0 {
                    1.0 / k as f64
                } else {
                    c as f64 / total as f64
                }
            })
            .collect();
        for i in (0..n).filter(|&i| fold[i] == f) {
            p.pred[i] = best;
            p.proba[i] = proba.clone();
        }
    }
    p
}

pub fn cross_validate(
    units: &[LabeledUnit],
    _lex: &Lexicon,
    params: &StanceValidParams,
    by: GroupBy,
    k: Option<usize>,
) -> Result<EvalReport> {
    let (fold, folds) = fold_ids(units, by, k);
    let ex = examples(units, &params.features);
    let bow_params = StanceValidParams {
        features: FeatureSettings::bag_of_words(),
        alpha: 1.0,
        uniform_prior: false,
    };
    let bow_ex = examples(units, &bow_params.features);
    let (ms, me) = oof(params, &ex, &fold, folds)?;
    let (bs, be) = oof(&bow_params, &bow_ex, &fold, folds)?;
    let gs: Vec<usize> = units.iter().map(|u| u.stance).collect();
    let ge: Vec<usize> = units.iter().map(|u| u.sentiment).collect();
    let sl: Vec<String> = STANCE_CLASSES.iter().map(|s| s.to_string()).collect();
    let el: Vec<String> = SENTIMENT_CLASSES.iter().map(|s| s.to_string()).collect();
    let maj_s = majority(&gs, &fold, folds, 3);
    let maj_e = majority(&ge, &fold, folds, 3);
    Ok(EvalReport {
        grouping: match (by, k) {
            (GroupBy::Article, None) => "leave-one-article-out".into(),
            (GroupBy::Outlet, None) => "leave-one-outlet-out".into(),
            (GroupBy::Article, Some(_)) => format!("{folds}-fold grouped by article"),
            (GroupBy::Outlet, Some(_)) => format!("{folds}-fold grouped by outlet"),
        },
        folds,
        units: units.len(),
        stance: DimReport {
            model: evaluate(&sl, &gs, &ms.pred, Some(&ms.proba)),
            majority: evaluate(&sl, &gs, &maj_s.pred, Some(&maj_s.proba)),
            bag_of_words: evaluate(&sl, &gs, &bs.pred, Some(&bs.proba)),
        },
        sentiment: DimReport {
            model: evaluate(&el, &ge, &me.pred, Some(&me.proba)),
            majority: evaluate(&el, &ge, &maj_e.pred, Some(&maj_e.proba)),
            bag_of_words: evaluate(&el, &ge, &be.pred, Some(&be.proba)),
        },
    })
}
