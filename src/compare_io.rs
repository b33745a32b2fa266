//! Reading the article rows that `score --out` wrote, so that `compare` can
//! combine shards scored on different machines without rescoring.

use crate::compare::ArticleRow;
use crate::error::{Result, StanceError};
use std::collections::BTreeMap;
use std::path::Path;

/// The columns of an article row after `article_id` and the metadata
/// columns, in order: `score --out` writes them, `compare` reads them.
pub const ARTICLE_COLUMNS: [&str; 14] = [
    "actor",
    "mentions",
    "stance_score",
    "stance_lo",
    "stance_hi",
    "share_supportive",
    "share_skeptical",
    "share_neutral",
    "sentiment_score",
    "sentiment_lo",
    "sentiment_hi",
    "share_positive",
    "share_negative",
    "share_neutral_sentiment",
];

/// Not metadata: the id and the fixed columns.
fn is_fixed(k: &str) -> bool {
    k == "article_id" || ARTICLE_COLUMNS.contains(&k)
}

fn num(fields: &BTreeMap<String, String>, k: &str, p: &Path, line: usize) -> Result<f64> {
    let v = fields
        .get(k)
        .ok_or_else(|| StanceError::record(p, line, format!("missing column `{k}`")))?;
    v.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| StanceError::record(p, line, format!("column `{k}`: {v:?} is not a number")))
}

/// Undo the spreadsheet formula guard `score` applied to text cells.
fn unguard(v: &str) -> String {
    match v.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => v.to_string(),
    }
}

fn opt_ci(fields: &BTreeMap<String, String>, lo: &str, hi: &str) -> Option<(f64, f64)> {
    let g = |k: &str| {
        fields
            .get(k)
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|x| x.is_finite())
    };
    Some((g(lo)?, g(hi)?))
}

fn row_from(fields: BTreeMap<String, String>, p: &Path, line: usize) -> Result<ArticleRow> {
    let n = |k: &str| num(&fields, k, p, line);
    let mentions = n("mentions")?;
    if mentions < 1.0 || mentions.fract() != 0.0 {
        return Err(StanceError::record(
            p,
            line,
            "column `mentions` must be a whole number >= 1",
        ));
    }
    let meta = fields
        .iter()
        .filter(|(k, _)| !is_fixed(k))
        .map(|(k, v)| (k.clone(), unguard(v)))
        .collect();
    Ok(ArticleRow {
        article_id: fields.get("article_id").cloned().unwrap_or_default(),
        actor: fields
            .get("actor")
            .cloned()
            .ok_or_else(|| StanceError::record(p, line, "missing column `actor`"))?,
        mentions: mentions as usize,
        stance_ci: opt_ci(&fields, "stance_lo", "stance_hi"),
        sentiment_ci: opt_ci(&fields, "sentiment_lo", "sentiment_hi"),
        stance_score: n("stance_score")?,
        sentiment_score: n("sentiment_score")?,
        stance_shares: [
            n("share_supportive")?,
            n("share_skeptical")?,
            n("share_neutral")?,
        ],
        sentiment_shares: [
            n("share_positive")?,
            n("share_negative")?,
            n("share_neutral_sentiment")?,
        ],
        meta,
    })
}

pub fn read_article_rows(p: &Path) -> Result<Vec<ArticleRow>> {
    let bytes = std::fs::read(p).map_err(|e| StanceError::io(p, e))?;
    let (text, _) = crate::input::decode(bytes, p, 1, false)?;
    let mut out = Vec::new();
    let is_jsonl = p
        .extension()
        .is_some_and(|e| e == "jsonl" || e == "ndjson" || e == "json");
    if is_jsonl {
        for (i, l) in text.lines().enumerate() {
            if l.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(l)
                .map_err(|e| StanceError::record(p, i + 1, format!("not valid JSON: {e}")))?;
            let obj = v
                .as_object()
                .ok_or_else(|| StanceError::record(p, i + 1, "a JSONL record must be an object"))?;
            let fields = obj
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        match v {
                            serde_json::Value::String(s) => s.clone(),
                            serde_json::Value::Null => String::new(),
                            o => o.to_string(),
                        },
                    )
                })
                .collect();
            out.push(row_from(fields, p, i + 1)?);
        }
    } else {
        let mut r = csv::Reader::from_reader(crate::csv_lines::Lines::new(text.as_bytes()));
        let headers: Vec<String> = r
            .headers()
            .map_err(|e| StanceError::record(p, 1, e.to_string()))?
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut rec = csv::StringRecord::new();
        while let Some(line) = crate::csv_lines::next_record(&mut r, &mut rec, p)? {
            let fields = headers
                .iter()
                .cloned()
                .zip(rec.iter().map(|s| s.to_string()))
                .collect();
            out.push(row_from(fields, p, line)?);
        }
    }
    if out.is_empty() {
        return Err(StanceError::file(p, "no article rows"));
    }
    Ok(out)
}
