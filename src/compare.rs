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
    for r in rows {
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
    fn iso_weeks() {
        assert_eq!(iso_week(2021, 1, 3).unwrap(), "2020-W53");
        assert_eq!(iso_week(2025, 10, 18).unwrap(), "2025-W42");
        assert_eq!(iso_week(2024, 12, 30).unwrap(), "2025-W01");
    }
}
