//! Comparing groups of articles (outlets, countries, months): pooled scores
//! per group and actor with intervals from resampling whole articles, since
//! the sentences of one article are not independent.

use crate::stats::{bootstrap_pooled_ci, pooled_mean};
use std::collections::BTreeMap;

/// One article's aggregate toward one actor, as `score --out` writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleRow {
    pub article_id: String,
    pub meta: BTreeMap<String, String>,
    pub actor: String,
    pub mentions: usize,
    pub stance_score: f64,
    pub sentiment_score: f64,
    /// Shares of predicted labels: [supportive, skeptical, neutral].
    pub stance_shares: [f64; 3],
    /// [positive, negative, neutral].
    pub sentiment_shares: [f64; 3],
    /// The article's own interval over its units, if it had two or more.
    pub stance_ci: Option<(f64, f64)>,
    pub sentiment_ci: Option<(f64, f64)>,
}

#[derive(Debug, Clone)]
pub struct CompareOptions {
    pub by: Vec<String>,
    pub replicates: usize,
    pub seed: u64,
    pub level: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub group: Vec<String>,
    pub actor: String,
    pub articles: usize,
    pub units: usize,
    pub stance_score: f64,
    pub stance_ci: Option<(f64, f64)>,
    pub sentiment_score: f64,
    pub sentiment_ci: Option<(f64, f64)>,
    pub stance_shares: [f64; 3],
    pub sentiment_shares: [f64; 3],
    pub warning: String,
    pub interval_method: String,
}

/// Groups with fewer articles or units than this are flagged.
pub const MIN_ARTICLES: usize = 5;
pub const MIN_UNITS: usize = 20;

/// The value of a grouping key for an article: a metadata column, or a date
/// column binned as `date:year`, `date:month`, `date:week`.
/// Rows in article-id order: resampling draws rows by position, so the
/// order must not depend on how the rows arrived (shards scored on a cluster
/// come back in any order).
fn in_id_order(rows: &[ArticleRow]) -> Vec<&ArticleRow> {
    let mut v: Vec<&ArticleRow> = rows.iter().collect();
    v.sort_by(|a, b| (&a.article_id, &a.actor).cmp(&(&b.article_id, &b.actor)));
    v
}

pub fn group_value(meta: &BTreeMap<String, String>, key: &str) -> String {
    let (col, bin) = match key.split_once(':') {
        Some((c, b)) => (c, Some(b)),
        None => (key, None),
    };
    let v = meta.get(col).map(|s| s.trim()).unwrap_or("");
    if v.is_empty() {
        return "(missing)".into();
    }
    match bin {
        None => v.to_string(),
        Some(b) => {
            let d = &v[..v.len().min(10)];
            let parts: Vec<&str> = d.split('-').collect();
            let ok =
                parts.len() >= 2 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()));
            if !ok {
                return "(unparsed date)".into();
            }
            match b {
                "year" => parts[0].to_string(),
                "month" => format!("{}-{}", parts[0], parts[1]),
                "week" => match (
                    parts[0].parse::<i32>(),
                    parts[1].parse::<u32>(),
                    parts.get(2).and_then(|d| d.parse::<u32>().ok()),
                ) {
                    (Ok(y), Ok(m), Some(dd)) => {
                        iso_week(y, m, dd).unwrap_or_else(|| "(unparsed date)".into())
                    }
                    _ => "(unparsed date)".into(),
                },
                _ => v.to_string(),
            }
        }
    }
}

fn iso_week(y: i32, m: u32, d: u32) -> Option<String> {
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days since 0000-03-01 (civil calendar), then ISO week arithmetic.
    let days = |y: i32, m: u32, d: u32| -> i64 {
        let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
        let era = y.div_euclid(400) as i64;
        let yoe = y.rem_euclid(400) as i64;
        let doy = (153 * m as i64 + 2) / 5 + d as i64 - 1;
        era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy
    };
    let n = days(y, m, d);
    let weekday = (n + 2).rem_euclid(7); // 0 = Monday
    let thursday = n - weekday + 3;
    let jan1 = |yy: i32| days(yy, 1, 1);
    let mut year = y + 1;
    while thursday < jan1(year) {
        year -= 1;
    }
    let week = (thursday - jan1(year)) / 7 + 1;
    Some(format!("{year}-W{week:02}"))
}

pub fn compare(rows: &[ArticleRow], opts: &CompareOptions) -> Vec<GroupRow> {
    let mut groups: BTreeMap<(Vec<String>, String), Vec<&ArticleRow>> = BTreeMap::new();
    for r in in_id_order(rows) {
        let key: Vec<String> = opts.by.iter().map(|b| group_value(&r.meta, b)).collect();
        groups.entry((key, r.actor.clone())).or_default().push(r);
    }
    let mut out = Vec::new();
    for (gi, ((group, actor), rs)) in groups.into_iter().enumerate() {
        let st: Vec<(f64, f64)> = rs
            .iter()
            .map(|r| (r.stance_score * r.mentions as f64, r.mentions as f64))
            .collect();
        let se: Vec<(f64, f64)> = rs
            .iter()
            .map(|r| (r.sentiment_score * r.mentions as f64, r.mentions as f64))
            .collect();
        let units: usize = rs.iter().map(|r| r.mentions).sum();
        let seed = opts.seed.wrapping_add(gi as u64);
        let mut ss = [0.0; 3];
        let mut es = [0.0; 3];
        for r in &rs {
            for k in 0..3 {
                ss[k] += r.stance_shares[k] * r.mentions as f64 / units.max(1) as f64;
                es[k] += r.sentiment_shares[k] * r.mentions as f64 / units.max(1) as f64;
            }
        }
        let mut warn = Vec::new();
        if rs.len() < MIN_ARTICLES {
            warn.push(format!("fewer than {MIN_ARTICLES} articles"));
        }
        if units < MIN_UNITS {
            warn.push(format!("fewer than {MIN_UNITS} units"));
        }
        // Resampling one article gives a zero-width interval, which would
        // claim certainty we do not have: fall back to the article's own
        // interval over its units, and say so.
        let (stance_ci, sentiment_ci, method) = if rs.len() >= 2 {
            (
                bootstrap_pooled_ci(&st, opts.replicates, seed, opts.level),
                bootstrap_pooled_ci(&se, opts.replicates, seed ^ 0x9e37_79b9, opts.level),
                format!(
                    "percentile bootstrap over articles within group ({} replicates, seed {})",
                    opts.replicates, opts.seed
                ),
            )
        } else {
            (
                rs[0].stance_ci,
                rs[0].sentiment_ci,
                "single article: t-interval over its units (units are not independent; a lower bound on uncertainty)".to_string(),
            )
        };
        out.push(GroupRow {
            group,
            actor,
            articles: rs.len(),
            units,
            stance_score: pooled_mean(&st).unwrap_or(f64::NAN),
            stance_ci,
            sentiment_score: pooled_mean(&se).unwrap_or(f64::NAN),
            sentiment_ci,
            interval_method: method,
            stance_shares: ss,
            sentiment_shares: es,
            warning: warn.join("; "),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjusted_shares_invert_a_known_confusion() {
        // True shares (0.2, 0.3, 0.5) seen through a known confusion matrix.
        let conf = vec![vec![80, 10, 10], vec![10, 70, 20], vec![5, 5, 90]];
        let m = |i: usize, j: usize| conf[i][j] as f64 / 100.0;
        let p = [0.2, 0.3, 0.5];
        let q: Vec<f64> = (0..3)
            .map(|j| (0..3).map(|i| p[i] * m(i, j)).sum())
            .collect();
        let adj = adjusted_shares([q[0], q[1], q[2]], &conf).unwrap();
        for k in 0..3 {
            assert!((adj[k] - p[k]).abs() < 1e-9, "{adj:?}");
        }
        // A classifier that cannot tell classes apart gives no correction.
        assert!(adjusted_shares(
            [0.3, 0.3, 0.4],
            &[vec![1, 1, 8], vec![1, 1, 8], vec![1, 1, 8]]
        )
        .is_none());
    }

    #[test]
    fn iso_weeks() {
        assert_eq!(iso_week(2021, 1, 3).unwrap(), "2020-W53");
        assert_eq!(iso_week(2025, 10, 18).unwrap(), "2025-W42");
        assert_eq!(iso_week(2024, 12, 30).unwrap(), "2025-W01");
    }
}

/// Adjusted classify-and-count: the share of each true class, given the
/// shares of predicted labels and the cross-validated confusion matrix
/// ([gold][pred]) stored in the model. Solves Mᵀp = q, where M[i][j] is
/// P(predicted j | true i), then clips to [0, 1] and renormalises. None
/// when a class had no gold units or the system is singular.
/// Smallest |det M| for which adjusted shares are reported.
pub const MIN_CONFUSION_DET: f64 = 0.05;

pub fn adjusted_shares(observed: [f64; 3], confusion: &[Vec<usize>]) -> Option<[f64; 3]> {
    if confusion.len() != 3 || confusion.iter().any(|r| r.len() != 3) {
        return None;
    }
    // a = Mᵀ, augmented with q.
    let mut a = [[0.0f64; 4]; 3];
    for i in 0..3 {
        let total: usize = confusion[i].iter().sum();
        if total == 0 {
            return None;
        }
        for j in 0..3 {
            a[j][i] = confusion[i][j] as f64 / total as f64;
        }
    }
    for (j, row) in a.iter_mut().enumerate() {
        row[3] = observed[j];
    }
    // A weak classifier's confusion matrix is close to singular and the
    // correction then swings to the corners of the simplex: refuse it.
    let det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
        - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
        + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    if det.abs() < MIN_CONFUSION_DET {
        return None;
    }
    for col in 0..3 {
        let piv = (col..3).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
        if a[piv][col].abs() < 1e-9 {
            return None;
        }
        a.swap(col, piv);
        for r in 0..3 {
            if r != col {
                let f = a[r][col] / a[col][col];
                let pivot_row = a[col];
                for (x, p) in a[r].iter_mut().zip(pivot_row.iter()).skip(col) {
                    *x -= f * p;
                }
            }
        }
    }
    let mut p = [0.0; 3];
    for i in 0..3 {
        p[i] = (a[i][3] / a[i][i]).clamp(0.0, 1.0);
    }
    let s: f64 = p.iter().sum();
    if s <= 0.0 {
        return None;
    }
    Some([p[0] / s, p[1] / s, p[2] / s])
}

/// A difference between two groups (or a group and the rest) for one actor.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffRow {
    pub actor: String,
    pub group_a: String,
    pub group_b: String,
    pub articles_a: usize,
    pub articles_b: usize,
    pub units_a: usize,
    pub units_b: usize,
    pub stance_diff: f64,
    pub stance_ci: Option<(f64, f64)>,
    pub stance_p: Option<f64>,
    pub sentiment_diff: f64,
    pub sentiment_ci: Option<(f64, f64)>,
    pub sentiment_p: Option<f64>,
    pub warning: String,
}

/// Above this many groups, each group is compared with the rest instead of
/// with every other group.
pub const MAX_PAIRWISE_GROUPS: usize = 12;

pub fn differences(
    rows: &[ArticleRow],
    opts: &CompareOptions,
    permutations: usize,
) -> Vec<DiffRow> {
    type Items = Vec<(f64, f64)>;
    type Group = (String, (Items, Items));
    let mut by_actor: BTreeMap<String, BTreeMap<String, (Items, Items)>> = BTreeMap::new();
    for r in in_id_order(rows) {
        let key: Vec<String> = opts.by.iter().map(|b| group_value(&r.meta, b)).collect();
        let e = by_actor
            .entry(r.actor.clone())
            .or_default()
            .entry(key.join(" / "))
            .or_default();
        let m = r.mentions as f64;
        e.0.push((r.stance_score * m, m));
        e.1.push((r.sentiment_score * m, m));
    }
    let mut out = Vec::new();
    for (ai, (actor, groups)) in by_actor.into_iter().enumerate() {
        let names: Vec<&String> = groups.keys().collect();
        let mut pairs: Vec<(Group, Group)> = Vec::new();
        if names.len() <= MAX_PAIRWISE_GROUPS {
            for i in 0..names.len() {
                for j in i + 1..names.len() {
                    pairs.push((
                        (names[i].clone(), groups[names[i]].clone()),
                        (names[j].clone(), groups[names[j]].clone()),
                    ));
                }
            }
        } else {
            for n in &names {
                let mut rest: (Items, Items) = (Vec::new(), Vec::new());
                for (m, g) in &groups {
                    if m != *n {
                        rest.0.extend(g.0.iter().copied());
                        rest.1.extend(g.1.iter().copied());
                    }
                }
                pairs.push((((*n).clone(), groups[*n].clone()), ("(rest)".into(), rest)));
            }
        }
        for (pi, ((na, a), (nb, b))) in pairs.into_iter().enumerate() {
            let seed = opts.seed.wrapping_add(((ai as u64) << 32) + pi as u64);
            let units = |g: &(Items, Items)| g.0.iter().map(|x| x.1).sum::<f64>() as usize;
            let mean = |v: &Items| pooled_mean(v).unwrap_or(f64::NAN);
            let mut warn = Vec::new();
            for (n, g) in [(&na, &a), (&nb, &b)] {
                if g.0.len() < MIN_ARTICLES || units(g) < MIN_UNITS {
                    warn.push(format!(
                        "{n}: fewer than {MIN_ARTICLES} articles or {MIN_UNITS} units"
                    ));
                }
            }
            // One article cannot be resampled or permuted meaningfully.
            let testable = a.0.len() >= 2 && b.0.len() >= 2;
            if !testable {
                warn.push("no interval or p-value: each group needs at least 2 articles".into());
            }
            let ci = |x: &Items, y: &Items, s: u64| {
                if testable {
                    crate::stats::bootstrap_diff_ci(x, y, opts.replicates, s, opts.level)
                } else {
                    None
                }
            };
            let pv = |x: &Items, y: &Items, s: u64| {
                if testable {
                    crate::stats::permutation_p(x, y, permutations, s)
                } else {
                    None
                }
            };
            out.push(DiffRow {
                actor: actor.clone(),
                articles_a: a.0.len(),
                articles_b: b.0.len(),
                units_a: units(&a),
                units_b: units(&b),
                stance_diff: mean(&a.0) - mean(&b.0),
                stance_ci: ci(&a.0, &b.0, seed),
                stance_p: pv(&a.0, &b.0, seed ^ 0x51),
                sentiment_diff: mean(&a.1) - mean(&b.1),
                sentiment_ci: ci(&a.1, &b.1, seed ^ 0x77),
                sentiment_p: pv(&a.1, &b.1, seed ^ 0x99),
                group_a: na,
                group_b: nb,
                warning: warn.join("; "),
            });
        }
    }
    out
}
