//! Inter-annotator agreement for nominal labels: Cohen's kappa for a pair of
//! coders and Krippendorff's alpha for any number of coders with missing
//! values.
//!
//! Both are reported because reviewers of hand-labelled data ask for them by
//! name; alpha is the one to prefer when coders skipped units, since kappa can
//! only use units both coders labelled.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

/// Tolerance for deciding that expected agreement is exactly 1, where kappa's
/// denominator vanishes; sums of products of proportions can land a few ulps
/// away from 1.
const EPS: f64 = 1e-12;

/// Agreement between two coders over the units both labelled.
#[derive(Debug, Clone, Serialize)]
pub struct PairAgreement {
    /// Units where both coders gave a label.
    pub n: usize,
    /// Proportion of those units with identical labels.
    pub observed: f64,
    /// Chance agreement from each coder's own label distribution.
    pub expected: f64,
    pub kappa: f64,
    /// Sorted union of the labels in the counted units.
    pub labels: Vec<String>,
    /// `confusion[label of coder A][label of coder B]`, indices into `labels`.
    pub confusion: Vec<Vec<usize>>,
}

/// Cohen's kappa between two coders over the same units.
///
/// Units are paired by position up to the shorter slice; units where either
/// value is `None` are skipped. `labels` is the sorted union of the values in
/// the counted units.
///
/// Edge cases, defined so the result is never NaN:
/// - No counted units: `n = 0`, `observed = expected = kappa = 0.0`, empty
///   `labels` and `confusion`.
/// - Expected agreement of 1 (both coders used one and the same label on
///   every counted unit): kappa is undefined as 0/0; it is reported as 1.0
///   when observed agreement is 1 (always the case here) and 0.0 otherwise.
pub fn cohen_kappa(a: &[Option<String>], b: &[Option<String>]) -> PairAgreement {
    let pairs: Vec<(&str, &str)> = a
        .iter()
        .zip(b.iter())
        .filter_map(|(x, y)| Some((x.as_deref()?, y.as_deref()?)))
        .collect();
    let labels: Vec<String> = pairs
        .iter()
        .flat_map(|&(x, y)| [x, y])
        .collect::<BTreeSet<&str>>()
        .into_iter()
        .map(str::to_string)
        .collect();
    let k = labels.len();
    let index = |s: &str| labels.binary_search_by(|l| l.as_str().cmp(s)).ok();

    let mut confusion = vec![vec![0usize; k]; k];
    for &(x, y) in &pairs {
        if let (Some(i), Some(j)) = (index(x), index(y)) {
            confusion[i][j] += 1;
        }
    }

    let n = pairs.len();
    if n == 0 {
        return PairAgreement {
            n,
            observed: 0.0,
            expected: 0.0,
            kappa: 0.0,
            labels,
            confusion,
        };
    }
    let nf = n as f64;
    let observed = (0..k).map(|c| confusion[c][c]).sum::<usize>() as f64 / nf;
    let expected: f64 = (0..k)
        .map(|c| {
            let row: usize = confusion[c].iter().sum();
            let col: usize = confusion.iter().map(|r| r[c]).sum();
            (row as f64 / nf) * (col as f64 / nf)
        })
        .sum();
    let kappa = if (1.0 - expected).abs() < EPS {
        if (1.0 - observed).abs() < EPS {
            1.0
        } else {
            0.0
        }
    } else {
        (observed - expected) / (1.0 - expected)
    };
    PairAgreement {
        n,
        observed,
        expected,
        kappa,
        labels,
        confusion,
    }
}

/// Krippendorff's alpha for nominal data, any number of coders, missing
/// values allowed; `data[unit][coder]` is that coder's label or `None`.
///
/// Uses the coincidence-matrix method: each unit with `m >= 2` values
/// contributes every ordered pair of its values with weight `1 / (m - 1)`;
/// units with fewer than two values are not pairable and are skipped. Rows
/// may have different lengths (a short row means the remaining coders are
/// missing).
///
/// Returns `None` when there are fewer than two pairable values or when
/// expected disagreement is 0 (every pairable value is the same label), where
/// alpha is undefined.
pub fn krippendorff_alpha_nominal(data: &[Vec<Option<String>>]) -> Option<f64> {
    // Working with per-unit label counts instead of an explicit coincidence
    // matrix: for nominal data only the off-diagonal total matters, and
    //   sum_{c != k} o_ck over unit u = (m_u^2 - sum_c n_uc^2) / (m_u - 1),
    //   sum_{c != k} n_c n_k        = n^2 - sum_c n_c^2.
    let mut totals: BTreeMap<&str, f64> = BTreeMap::new();
    let mut observed_disagreement = 0.0;
    let mut n = 0.0;
    for unit in data {
        let mut counts: BTreeMap<&str, f64> = BTreeMap::new();
        for v in unit.iter().flatten() {
            *counts.entry(v.as_str()).or_insert(0.0) += 1.0;
        }
        let m: f64 = counts.values().sum();
        if m < 2.0 {
            continue;
        }
        let sum_sq: f64 = counts.values().map(|c| c * c).sum();
        observed_disagreement += (m * m - sum_sq) / (m - 1.0);
        n += m;
        for (label, c) in counts {
            *totals.entry(label).or_insert(0.0) += c;
        }
    }
    if n < 2.0 {
        return None;
    }
    let expected_disagreement = n * n - totals.values().map(|c| c * c).sum::<f64>();
    if expected_disagreement <= 0.0 {
        return None;
    }
    Some(1.0 - (n - 1.0) * observed_disagreement / expected_disagreement)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt(xs: &[&str]) -> Vec<Option<String>> {
        xs.iter()
            .map(|s| if *s == "." { None } else { Some(s.to_string()) })
            .collect()
    }

    /// Builds `data[unit][coder]` from one string per coder, as reliability
    /// data is usually printed (coders as rows, units as columns).
    fn by_units(coders: &[&[&str]]) -> Vec<Vec<Option<String>>> {
        let units = coders.iter().map(|c| c.len()).max().unwrap_or(0);
        (0..units)
            .map(|u| {
                coders
                    .iter()
                    .map(|c| c.get(u).filter(|s| **s != ".").map(|s| s.to_string()))
                    .collect()
            })
            .collect()
    }

    fn repeat(pairs: &[(&str, &str, usize)]) -> (Vec<Option<String>>, Vec<Option<String>>) {
        let mut a = Vec::new();
        let mut b = Vec::new();
        for &(x, y, times) in pairs {
            for _ in 0..times {
                a.push(Some(x.to_string()));
                b.push(Some(y.to_string()));
            }
        }
        (a, b)
    }

    #[test]
    fn cohen_kappa_wikipedia_example() {
        // Wikipedia "Cohen's kappa", worked 2x2 example: 50 proposals,
        // 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.
        // p_o = 35/50 = 0.7; A says yes 25/50, B says yes 30/50;
        // p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7 - 0.5) / 0.5 = 0.4.
        let (a, b) = repeat(&[
            ("yes", "yes", 20),
            ("yes", "no", 5),
            ("no", "yes", 10),
            ("no", "no", 15),
        ]);
        let r = cohen_kappa(&a, &b);
        assert_eq!(r.n, 50);
        assert!((r.observed - 0.7).abs() < 1e-12);
        assert!((r.expected - 0.5).abs() < 1e-12);
        assert!((r.kappa - 0.4).abs() < 1e-12);
        assert_eq!(r.labels, vec!["no".to_string(), "yes".to_string()]);
        // Sorted labels: no = 0, yes = 1; rows are coder A.
        assert_eq!(r.confusion, vec![vec![15, 10], vec![5, 20]]);
    }

    #[test]
    fn cohen_kappa_skips_missing_and_ragged() {
        let a = opt(&["x", ".", "y", "x", "y"]);
        let b = opt(&["x", "y", ".", "x"]);
        let r = cohen_kappa(&a, &b);
        assert_eq!(r.n, 2);
        // Only "x" occurs in counted units: expected agreement is 1.
        assert_eq!(r.labels, vec!["x".to_string()]);
        assert_eq!(r.kappa, 1.0);
    }

    #[test]
    fn cohen_kappa_constant_identical_coders_is_one() {
        let a = opt(&["pos", "pos", "pos"]);
        let r = cohen_kappa(&a, &a);
        assert_eq!(r.expected, 1.0);
        assert_eq!(r.observed, 1.0);
        assert_eq!(r.kappa, 1.0);
    }

    #[test]
    fn cohen_kappa_perfect_and_systematic_disagreement() {
        let a = opt(&["a", "b", "a", "b"]);
        let b = opt(&["b", "a", "b", "a"]);
        assert_eq!(cohen_kappa(&a, &a).kappa, 1.0);
        // p_o = 0, p_e = 0.5 -> kappa = -1.
        assert!((cohen_kappa(&a, &b).kappa + 1.0).abs() < 1e-12);
    }

    #[test]
    fn cohen_kappa_empty() {
        let r = cohen_kappa(&[], &[]);
        assert_eq!(r.n, 0);
        assert_eq!(r.kappa, 0.0);
        assert!(r.labels.is_empty() && r.confusion.is_empty());
        let r = cohen_kappa(&opt(&[".", "a"]), &opt(&["a", "."]));
        assert_eq!(r.n, 0);
        assert_eq!(r.observed, 0.0);
    }

    #[test]
    fn krippendorff_published_example() {
        // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
        // reliability data for 4 observers x 12 units with missing values;
        // the published nominal alpha is 0.743.
        let data = by_units(&[
            &["1", "2", "3", "3", "2", "1", "4", "1", "2", ".", ".", "."],
            &["1", "2", "3", "3", "2", "2", "4", "1", "2", "5", ".", "3"],
            &[".", "3", "3", "3", "2", "3", "4", "2", "2", "5", "1", "."],
            &["1", "2", "3", "3", "2", "4", "4", "1", "2", "5", "1", "."],
        ]);
        assert_eq!(data.len(), 12);
        let alpha = krippendorff_alpha_nominal(&data).unwrap();
        assert!((alpha - 0.743).abs() < 5e-4, "alpha = {alpha}");
    }

    #[test]
    fn krippendorff_close_to_but_not_kappa_for_two_coders() {
        // 10 units, two coders, no missing data:
        //   yes/yes 4, yes/no 1, no/yes 2, no/no 3.
        // Kappa: p_o = 0.7, p_e = 0.5*0.6 + 0.5*0.4 = 0.5 -> kappa = 0.4.
        // Alpha: n = 20 pairable values, n_yes = 11, n_no = 9.
        //   Each of the 3 disagreeing units adds o_yes,no = o_no,yes = 1,
        //   so sum_{c!=k} o_ck = 6; sum_{c!=k} n_c n_k = 400 - 121 - 81 = 198.
        //   alpha = 1 - (n - 1) * 6 / 198 = 1 - 114/198 = 14/33 = 0.4242...
        let (a, b) = repeat(&[
            ("yes", "yes", 4),
            ("yes", "no", 1),
            ("no", "yes", 2),
            ("no", "no", 3),
        ]);
        let kappa = cohen_kappa(&a, &b).kappa;
        let data: Vec<Vec<Option<String>>> =
            a.into_iter().zip(b).map(|(x, y)| vec![x, y]).collect();
        let alpha = krippendorff_alpha_nominal(&data).unwrap();
        assert!((kappa - 0.4).abs() < 1e-12);
        assert!((alpha - 14.0 / 33.0).abs() < 1e-12, "alpha = {alpha}");
        assert!((alpha - kappa).abs() < 0.05);
        assert!((alpha - kappa).abs() > 1e-3);
    }

    #[test]
    fn krippendorff_perfect_agreement_is_one() {
        let data = by_units(&[
            &["a", "b", "a", "c"],
            &["a", "b", "a", "c"],
            &["a", ".", "a", "."],
        ]);
        assert!((krippendorff_alpha_nominal(&data).unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn krippendorff_undefined_cases() {
        // Nothing pairable: every unit has at most one value.
        let data = by_units(&[&["a", ".", "b"], &[".", "b", "."]]);
        assert_eq!(krippendorff_alpha_nominal(&data), None);
        // No variation at all: expected disagreement is 0.
        let data = by_units(&[&["a", "a"], &["a", "a"]]);
        assert_eq!(krippendorff_alpha_nominal(&data), None);
        assert_eq!(krippendorff_alpha_nominal(&[]), None);
        assert_eq!(krippendorff_alpha_nominal(&[vec![], vec![None]]), None);
    }

    #[test]
    fn krippendorff_skips_unpairable_units() {
        // Adding a unit with a single value must not change alpha.
        let mut data = by_units(&[&["a", "b", "a", "b"], &["a", "b", "b", "b"]]);
        let before = krippendorff_alpha_nominal(&data).unwrap();
        data.push(vec![Some("a".to_string()), None]);
        let after = krippendorff_alpha_nominal(&data).unwrap();
        assert_eq!(before, after);
    }
}
