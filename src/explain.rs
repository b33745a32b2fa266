//! Explanations: which features a head weighs toward each class, and which
//! features drove one prediction. Naive Bayes is additive in log space, so
//! a prediction's log-odds of the winning class against the runner-up is
//! exactly the prior term plus one term per feature.

use crate::model::{FittedModel, Head};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Weighted {
    pub feature: String,
    pub weight: f64,
}

/// Per class, the `k` features with the highest log-probability ratio
/// against the other classes: ln P(f|c) − ln mean_{c'≠c} P(f|c').
pub fn top_features(model: &FittedModel, head: &Head, k: usize) -> Vec<(String, Vec<Weighted>)> {
    let present: Vec<usize> = (0..head.classes.len())
        .filter(|&c| head.log_prior[c].is_some())
        .collect();
    let mut out = Vec::new();
    for &c in &present {
        let others: Vec<usize> = present.iter().copied().filter(|&o| o != c).collect();
        if others.is_empty() {
            continue;
        }
        let mut w: Vec<Weighted> = (0..model.vocabulary.len())
            .map(|f| {
                let mean_other = others
                    .iter()
                    .map(|&o| head.feature_log_prob[o][f].exp())
                    .sum::<f64>()
                    / others.len() as f64;
                Weighted {
                    feature: model.vocabulary[f].clone(),
                    weight: head.feature_log_prob[c][f] - mean_other.ln(),
                }
            })
            .collect();
        w.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then(a.feature.cmp(&b.feature))
        });
        w.truncate(k);
        out.push((head.classes[c].clone(), w));
    }
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub winner: String,
    pub runner_up: String,
    /// ln P(winner) − ln P(runner-up) for this input: the sum of `prior`
    /// and every contribution.
    pub log_odds: f64,
    pub prior: f64,
    /// Per feature: count × (ln P(f|winner) − ln P(f|runner-up)), largest
    /// magnitude first.
    pub contributions: Vec<Weighted>,
}

pub fn explain(model: &FittedModel, head: &Head, feats: &[String]) -> Explanation {
    let counts = model.counts(feats);
    let jll = head.joint_log_likelihood(&counts);
    let mut order: Vec<usize> = (0..jll.len()).collect();
    // Same tie rule as prediction: earliest class wins.
    order.sort_by(|&a, &b| jll[b].total_cmp(&jll[a]).then(a.cmp(&b)));
    let (w, r) = (order[0], order[1]);
    let lp = |c: usize| head.log_prior[c].unwrap_or(f64::NEG_INFINITY);
    let mut contributions: Vec<Weighted> = counts
        .iter()
        .map(|&(f, n)| Weighted {
            feature: model.vocabulary[f as usize].clone(),
            weight: if head.log_prior[r].is_some() {
                n * (head.feature_log_prob[w][f as usize] - head.feature_log_prob[r][f as usize])
            } else {
                0.0
            },
        })
        .collect();
    contributions.sort_by(|a, b| {
        b.weight
            .abs()
            .total_cmp(&a.weight.abs())
            .then(a.feature.cmp(&b.feature))
    });
    Explanation {
        winner: head.classes[w].clone(),
        runner_up: head.classes[r].clone(),
        log_odds: jll[w] - jll[r],
        prior: lp(w) - lp(r),
        contributions,
    }
}

/// A short text form for a table cell: "skeptical>neutral +3.21: failed +1.90, ...".
pub fn brief(e: &Explanation, k: usize) -> String {
    let parts: Vec<String> = e
        .contributions
        .iter()
        .take(k)
        .map(|c| format!("{} {:+.2}", c.feature, c.weight))
        .collect();
    format!(
        "{}>{} {:+.2}: {}",
        e.winner,
        e.runner_up,
        e.log_odds,
        parts.join(", ")
    )
}
