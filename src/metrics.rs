//! Classification metrics for a labelled evaluation set: accuracy, per-class
//! precision/recall/F1, macro-F1, the confusion matrix and, when class
//! probabilities are available, log loss and the Brier score.
//!
//! Conventions follow scikit-learn with `zero_division=0`, so numbers can be
//! checked against the reference implementation most readers know. Nothing
//! here panics: malformed input is skipped or turns an optional metric into
//! `None`, as documented on [`evaluate`].

use serde::Serialize;

/// Probabilities are clipped to this floor before taking the log, as
/// scikit-learn does, so that one confident mistake gives a large but finite
/// loss instead of infinity.
const PROB_FLOOR: f64 = 1e-15;

/// Precision, recall and F1 of one class, treated one-vs-rest.
#[derive(Debug, Clone, Serialize)]
pub struct ClassReport {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Number of units whose gold label is this class.
    pub support: usize,
}

/// Everything [`evaluate`] computes for one evaluation set.
#[derive(Debug, Clone, Serialize)]
pub struct Metrics {
    /// Units actually scored (see [`evaluate`] for which are skipped).
    pub n: usize,
    pub accuracy: f64,
    /// Unweighted mean of the per-class F1 over *all* labels, including
    /// labels with no support and no predictions (they contribute 0.0).
    pub macro_f1: f64,
    /// In `labels` order.
    pub per_class: Vec<ClassReport>,
    pub labels: Vec<String>,
    /// `confusion[gold][pred]`, indices into `labels`.
    pub confusion: Vec<Vec<usize>>,
    /// Mean of `-ln p(gold)`, with `p` clipped to `[1e-15, 1]`.
    pub log_loss: Option<f64>,
    /// Mean over units of `sum_k (p_k - 1[k == gold])^2`.
    pub brier: Option<f64>,
}

/// Scores predictions against gold labels.
///
/// `gold` and `pred` are indices into `labels`; `proba`, if given, has one
/// row per unit (aligned with `gold`) and one column per label.
///
/// Behaviour on imperfect input, chosen so that the function never panics:
/// - Units are paired by position up to the shorter of `gold` and `pred`.
/// - A unit whose gold or predicted index is not a valid index into `labels`
///   is skipped entirely (it counts toward nothing, including `n`).
/// - Precision, recall and F1 of a class with no predictions, no support, or
///   both are 0.0 (scikit-learn's `zero_division=0`).
/// - `macro_f1` averages over every label, so a label absent from both gold
///   and predictions pulls macro-F1 down; callers that want only the present
///   classes should pass only those labels.
/// - With no scored units (`n == 0`) or no labels, `accuracy` and `macro_f1`
///   are 0.0 and `log_loss`/`brier` are `None`.
/// - `log_loss` and `brier` are `None` when `proba` is absent, has fewer rows
///   than the paired units, or any scored unit's row does not have exactly
///   `labels.len()` finite entries; probabilities are used as given (not
///   renormalised), only clipped for the log.
pub fn evaluate(
    labels: &[String],
    gold: &[usize],
    pred: &[usize],
    proba: Option<&[Vec<f64>]>,
) -> Metrics {
    let k = labels.len();
    let mut confusion = vec![vec![0usize; k]; k];
    // Positions in `gold`, kept so `proba` rows are looked up by the same
    // position even when earlier units were skipped.
    let mut scored: Vec<usize> = Vec::new();
    for (i, (&g, &p)) in gold.iter().zip(pred.iter()).enumerate() {
        if g < k && p < k {
            confusion[g][p] += 1;
            scored.push(i);
        }
    }
    let n = scored.len();
    let correct: usize = (0..k).map(|c| confusion[c][c]).sum();
    let accuracy = ratio(correct as f64, n as f64);

    let per_class: Vec<ClassReport> = (0..k)
        .map(|c| {
            let tp = confusion[c][c] as f64;
            let support: usize = confusion[c].iter().sum();
            let predicted: usize = confusion.iter().map(|row| row[c]).sum();
            let precision = ratio(tp, predicted as f64);
            let recall = ratio(tp, support as f64);
            let f1 = ratio(2.0 * precision * recall, precision + recall);
            ClassReport {
                label: labels[c].clone(),
                precision,
                recall,
                f1,
                support,
            }
        })
        .collect();
    let macro_f1 = ratio(per_class.iter().map(|r| r.f1).sum(), k as f64);

    let (log_loss, brier) = match proba {
        Some(rows) if n > 0 => probabilistic_scores(rows, &scored, gold, k),
        _ => (None, None),
    };

    Metrics {
        n,
        accuracy,
        macro_f1,
        per_class,
        labels: labels.to_vec(),
        confusion,
        log_loss,
        brier,
    }
}

/// Log loss and Brier score over the scored positions, or `(None, None)` if
/// any needed row is missing or malformed: a partial average would silently
/// describe a different set of units than the rest of the report.
fn probabilistic_scores(
    rows: &[Vec<f64>],
    scored: &[usize],
    gold: &[usize],
    k: usize,
) -> (Option<f64>, Option<f64>) {
    let mut ll = 0.0;
    let mut br = 0.0;
    for &i in scored {
        let Some(row) = rows.get(i) else {
            return (None, None);
        };
        if row.len() != k || row.iter().any(|p| !p.is_finite()) {
            return (None, None);
        }
        let g = gold[i];
        ll -= row[g].clamp(PROB_FLOOR, 1.0).ln();
        br += row
            .iter()
            .enumerate()
            .map(|(c, &p)| {
                let target = if c == g { 1.0 } else { 0.0 };
                (p - target) * (p - target)
            })
            .sum::<f64>();
    }
    let n = scored.len() as f64;
    (Some(ll / n), Some(br / n))
}

/// `num / den`, or 0.0 when the denominator is zero, which is the
/// `zero_division=0` convention and keeps every reported number NaN-free.
fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn three_class_hand_computed() {
        // Labels neg=0, neu=1, pos=2; 8 units.
        // gold: 0 0 0 1 1 2 2 2
        // pred: 0 1 0 1 2 2 2 0
        // confusion (gold rows, pred cols):
        //   neg: [2,1,0]  neu: [0,1,1]  pos: [1,0,2]
        // neg: tp 2, predicted 3, support 3 -> P 2/3, R 2/3, F1 2/3
        // neu: tp 1, predicted 2, support 2 -> P 1/2, R 1/2, F1 1/2
        // pos: tp 2, predicted 3, support 3 -> P 2/3, R 2/3, F1 2/3
        // accuracy 5/8; macro-F1 (2/3 + 1/2 + 2/3) / 3 = 11/18.
        let l = labels(&["neg", "neu", "pos"]);
        let gold = [0, 0, 0, 1, 1, 2, 2, 2];
        let pred = [0, 1, 0, 1, 2, 2, 2, 0];
        let m = evaluate(&l, &gold, &pred, None);
        assert_eq!(m.n, 8);
        assert_eq!(
            m.confusion,
            vec![vec![2, 1, 0], vec![0, 1, 1], vec![1, 0, 2]]
        );
        assert!(close(m.accuracy, 5.0 / 8.0));
        assert!(close(m.per_class[0].precision, 2.0 / 3.0));
        assert!(close(m.per_class[0].recall, 2.0 / 3.0));
        assert!(close(m.per_class[1].f1, 0.5));
        assert_eq!(m.per_class[2].support, 3);
        assert_eq!(m.per_class[1].label, "neu");
        assert!(close(m.macro_f1, 11.0 / 18.0));
        assert!(m.log_loss.is_none() && m.brier.is_none());
    }

    #[test]
    fn asymmetric_precision_recall() {
        // gold: 0 0 0 0 1 1 ; pred: 0 0 1 1 1 1
        // class 0: tp 2, predicted 2, support 4 -> P 1, R 1/2, F1 2/3
        // class 1: tp 2, predicted 4, support 2 -> P 1/2, R 1, F1 2/3
        let l = labels(&["a", "b"]);
        let m = evaluate(&l, &[0, 0, 0, 0, 1, 1], &[0, 0, 1, 1, 1, 1], None);
        assert!(close(m.per_class[0].precision, 1.0));
        assert!(close(m.per_class[0].recall, 0.5));
        assert!(close(m.per_class[0].f1, 2.0 / 3.0));
        assert!(close(m.per_class[1].precision, 0.5));
        assert!(close(m.per_class[1].recall, 1.0));
        assert!(close(m.macro_f1, 2.0 / 3.0));
    }

    #[test]
    fn absent_class_counts_as_zero_in_macro_f1() {
        // Class "c" never occurs in gold or pred: its P/R/F1 are 0 and it
        // still counts in the macro average: (1 + 1 + 0) / 3.
        let l = labels(&["a", "b", "c"]);
        let m = evaluate(&l, &[0, 1], &[0, 1], None);
        assert!(close(m.accuracy, 1.0));
        assert_eq!(m.per_class[2].support, 0);
        assert_eq!(m.per_class[2].precision, 0.0);
        assert_eq!(m.per_class[2].recall, 0.0);
        assert_eq!(m.per_class[2].f1, 0.0);
        assert!(close(m.macro_f1, 2.0 / 3.0));
    }

    #[test]
    fn predicted_but_unsupported_class_has_zero_scores() {
        // Class b is predicted once but never gold: precision 0/1 = 0,
        // recall 0/0 -> 0, F1 0. Class a: P 1/1, R 1/2, F1 2/3.
        let l = labels(&["a", "b"]);
        let m = evaluate(&l, &[0, 0], &[0, 1], None);
        assert_eq!(m.per_class[1].precision, 0.0);
        assert_eq!(m.per_class[1].recall, 0.0);
        assert!(close(m.per_class[0].f1, 2.0 / 3.0));
        assert!(close(m.macro_f1, 1.0 / 3.0));
    }

    #[test]
    fn log_loss_and_brier_hand_computed() {
        // Unit 1: gold 0, p = [0.8, 0.2] -> -ln 0.8; Brier 0.04 + 0.04 = 0.08
        // Unit 2: gold 1, p = [0.4, 0.6] -> -ln 0.6; Brier 0.16 + 0.16 = 0.32
        // log loss = (-ln 0.8 - ln 0.6) / 2 = 0.36698...; Brier = 0.2
        let l = labels(&["a", "b"]);
        let proba = vec![vec![0.8, 0.2], vec![0.4, 0.6]];
        let m = evaluate(&l, &[0, 1], &[0, 1], Some(&proba));
        let expected_ll = -(0.8f64.ln() + 0.6f64.ln()) / 2.0;
        assert!(close(m.log_loss.unwrap(), expected_ll));
        assert!((m.log_loss.unwrap() - 0.366_985).abs() < 1e-6);
        assert!(close(m.brier.unwrap(), 0.2));
    }

    #[test]
    fn log_loss_clips_zero_probability() {
        let l = labels(&["a", "b"]);
        let proba = vec![vec![0.0, 1.0]];
        let m = evaluate(&l, &[0], &[1], Some(&proba));
        assert!(close(m.log_loss.unwrap(), -(1e-15f64).ln()));
        assert!(close(m.brier.unwrap(), 2.0));
    }

    #[test]
    fn malformed_proba_gives_none() {
        let l = labels(&["a", "b"]);
        let short_row = vec![vec![1.0]];
        let m = evaluate(&l, &[0], &[0], Some(&short_row));
        assert!(m.log_loss.is_none() && m.brier.is_none());
        let too_few_rows: Vec<Vec<f64>> = vec![vec![0.5, 0.5]];
        let m = evaluate(&l, &[0, 1], &[0, 1], Some(&too_few_rows));
        assert!(m.log_loss.is_none());
        let nan = vec![vec![f64::NAN, 0.5]];
        let m = evaluate(&l, &[0], &[0], Some(&nan));
        assert!(m.brier.is_none());
    }

    #[test]
    fn empty_input_is_zero_and_none() {
        let l = labels(&["a", "b"]);
        let proba: Vec<Vec<f64>> = Vec::new();
        let m = evaluate(&l, &[], &[], Some(&proba));
        assert_eq!(m.n, 0);
        assert_eq!(m.accuracy, 0.0);
        assert_eq!(m.macro_f1, 0.0);
        assert!(m.log_loss.is_none() && m.brier.is_none());
        assert_eq!(m.confusion, vec![vec![0, 0], vec![0, 0]]);

        let m = evaluate(&[], &[0, 1], &[1, 0], None);
        assert_eq!(m.n, 0);
        assert_eq!(m.macro_f1, 0.0);
        assert!(m.per_class.is_empty());
    }

    #[test]
    fn out_of_range_and_ragged_input_is_skipped() {
        // The unit with pred index 7 is skipped, as is the unpaired gold tail;
        // proba rows stay aligned by position with gold.
        let l = labels(&["a", "b"]);
        let proba = vec![vec![1.0, 0.0], vec![0.5, 0.5], vec![0.0, 1.0]];
        let m = evaluate(&l, &[0, 0, 1, 1], &[0, 7, 1], Some(&proba));
        assert_eq!(m.n, 2);
        assert!(close(m.accuracy, 1.0));
        assert!(close(m.brier.unwrap(), 0.0));
    }
}
