//! Hand-labeled units: reading label files and placing each label on the
//! unit it was written for.
//!
//! A label is keyed by article id, actor and the sentence (its text, or for
//! third-party articles the hash of its text), never by sentence index
//! alone: when cleaning or splitting changes, labels re-align to their
//! sentences or are reported as unplaceable; they never shift silently.

use crate::actors::{Lexicon, Mention};
use crate::clean::CleanOptions;
use crate::error::{Result, StanceError};
use crate::model::{SENTIMENT_CLASSES, STANCE_CLASSES};
use crate::units::{article_units, sentence_hash};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub const NOISE: &str = "noise";

/// A label placed on its unit, ready for features.
#[derive(Debug, Clone)]
pub struct LabeledUnit {
    pub article_id: String,
    pub outlet: String,
    pub actor: String,
    pub actor_index: usize,
    pub text: String,
    pub mentions: Vec<Mention>,
    pub stance: usize,
    pub sentiment: usize,
}

/// A raw row of a label file.
#[derive(Debug, Clone)]
pub struct LabelRow {
    pub file: PathBuf,
    pub line: usize,
    pub fields: BTreeMap<String, String>,
}

impl LabelRow {
    pub fn get(&self, k: &str) -> Option<&str> {
        self.fields
            .get(k)
            .map(|s| s.as_str())
            .filter(|s| !s.is_empty())
    }
}

/// Read a label CSV into rows (header names as keys).
pub fn read_rows(path: &Path) -> Result<(Vec<String>, Vec<LabelRow>)> {
    let mut rows = Vec::new();
    let headers = for_each_row(path, |_, row| {
        rows.push(row);
        Ok(())
    })?;
    Ok((headers, rows))
}

/// Hand each row of a label file to `f` as it is read, so that a file of a
/// million rows is never held whole; returns the header.
pub fn for_each_row(
    path: &Path,
    mut f: impl FnMut(&[String], LabelRow) -> Result<()>,
) -> Result<Vec<String>> {
    let (headers, mut r) = crate::input::open_csv(path)?;
    let mut n = 0usize;
    for rec in r.records() {
        let rec = rec.map_err(|e| crate::input::csv_record_error(path, e))?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let fields = headers
            .iter()
            .cloned()
            .zip(rec.iter().map(|s| s.trim().to_string()))
            .collect();
        n += 1;
        f(
            &headers,
            LabelRow {
                file: path.to_path_buf(),
                line,
                fields,
            },
        )?;
    }
    if n == 0 {
        return Err(StanceError::file(path, "label file has no rows"));
    }
    Ok(headers)
}

fn class_index(classes: &[&str], v: &str, row: &LabelRow, col: &str) -> Result<Option<usize>> {
    if v == NOISE {
        return Ok(None);
    }
    classes
        .iter()
        .position(|c| *c == v)
        .map(Some)
        .ok_or_else(|| {
            StanceError::record(
                &row.file,
                row.line,
                format!(
                    "column `{col}`: unknown label {v:?} (expected one of {}, or noise)",
                    classes.join(", ")
                ),
            )
        })
}

/// What placing labels found.
#[derive(Debug, Default)]
pub struct Placement {
    pub units: Vec<LabeledUnit>,
    pub noise: usize,
    /// SHA-256 of every article read from `--texts`, by id.
    pub text_hashes: BTreeMap<String, String>,
}

/// Read label files and place every label. Rows that carry `text` are
/// self-contained; rows that carry only `sentence_hash` are placed by
/// cleaning `<texts>/<article_id>.txt` again. Any label that cannot be
/// placed stops training with the full list.
pub fn place(
    files: &[PathBuf],
    texts: Option<&Path>,
    lex: &Lexicon,
    clean: CleanOptions,
) -> Result<Placement> {
    let mut out = Placement::default();
    let mut unplaced: Vec<String> = Vec::new();
    let mut article_cache: HashMap<String, Option<Vec<crate::units::Unit>>> = HashMap::new();
    for f in files {
        let mut checked = false;
        for_each_row(f, |headers, row| {
            if !checked {
                for need in ["article_id", "actor", "stance", "sentiment"] {
                    if !headers.iter().any(|h| h == need) {
                        return Err(StanceError::record(
                            f,
                            1,
                            format!("label file has no `{need}` column"),
                        ));
                    }
                }
                let has_text = headers.iter().any(|h| h == "text");
                if !has_text && !headers.iter().any(|h| h == "sentence_hash") {
                    return Err(StanceError::record(
                        f,
                        1,
                        "label file needs a `text` or a `sentence_hash` column",
                    ));
                }
                checked = true;
            }
            let has_text = headers.iter().any(|h| h == "text");
            let article_id = row
                .get("article_id")
                .ok_or_else(|| StanceError::record(f, row.line, "empty `article_id`"))?
                .to_string();
            let actor = row
                .get("actor")
                .ok_or_else(|| StanceError::record(f, row.line, "empty `actor`"))?;
            let actor_index = lex.actor_index(actor).ok_or_else(|| {
                StanceError::record(
                    f,
                    row.line,
                    format!(
                        "unknown actor {actor:?} (the lexicon has {})",
                        lex.actors
                            .iter()
                            .map(|a| a.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
            let st = row
                .get("stance")
                .ok_or_else(|| StanceError::record(f, row.line, "empty `stance`"))?;
            let se = row
                .get("sentiment")
                .ok_or_else(|| StanceError::record(f, row.line, "empty `sentiment`"))?;
            let st = class_index(&STANCE_CLASSES, st, &row, "stance")?;
            let se = class_index(&SENTIMENT_CLASSES, se, &row, "sentiment")?;
            let (stance, sentiment) = match (st, se) {
                (Some(a), Some(b)) => (a, b),
                (None, None) => {
                    out.noise += 1;
                    return Ok(());
                }
                _ => {
                    return Err(StanceError::record(
                        f,
                        row.line,
                        "noise must be given on both stance and sentiment",
                    ));
                }
            };
            let outlet = row.get("outlet").unwrap_or("").to_string();
            let text = if let Some(t) = row.get("text").filter(|_| has_text) {
                t.to_string()
            } else {
                let hash = row.get("sentence_hash").ok_or_else(|| {
                    StanceError::record(f, row.line, "row has neither `text` nor `sentence_hash`")
                })?;
                let Some(dir) = texts else {
                    return Err(StanceError::record(
                        f,
                        row.line,
                        "label has no text: pass --texts DIR holding the article files",
                    ));
                };
                let units = article_cache.entry(article_id.clone()).or_insert_with(|| {
                    let p = dir.join(format!("{article_id}.txt"));
                    let bytes = std::fs::read(&p).ok()?;
                    out.text_hashes
                        .insert(article_id.clone(), crate::actors::hex_sha256(&bytes));
                    let text = String::from_utf8(bytes).ok()?;
                    Some(article_units(&article_id, &text, lex, clean).1)
                });
                match units {
                    None => {
                        unplaced.push(format!(
                            "{}:{}: article {article_id:?} not found in {}",
                            f.display(),
                            row.line,
                            dir.display()
                        ));
                        return Ok(());
                    }
                    Some(units) => match units
                        .iter()
                        .find(|u| u.actor == actor && sentence_hash(&u.text) == hash)
                    {
                        Some(u) => u.text.clone(),
                        None => {
                            unplaced.push(format!(
                                "{}:{}: no sentence with hash {hash} mentioning {actor} in article {article_id:?} (the text or the cleaner changed)",
                                f.display(),
                                row.line
                            ));
                            return Ok(());
                        }
                    },
                }
            };
            let mentions = lex.find(&text);
            if !mentions.iter().any(|m| m.actor == actor_index) {
                unplaced.push(format!(
                    "{}:{}: the sentence does not mention {actor} under this lexicon",
                    f.display(),
                    row.line
                ));
                return Ok(());
            }
            out.units.push(LabeledUnit {
                article_id,
                outlet,
                actor: actor.to_string(),
                actor_index,
                text,
                mentions,
                stance,
                sentiment,
            });
            Ok(())
        })?;
    }
    if !unplaced.is_empty() {
        let n = unplaced.len();
        let list = unplaced
            .into_iter()
            .take(50)
            .collect::<Vec<_>>()
            .join("\n  ");
        return Err(StanceError::Training(format!(
            "{n} label(s) cannot be placed:\n  {list}"
        )));
    }
    if out.units.is_empty() {
        return Err(StanceError::Training("no usable (non-noise) labels".into()));
    }
    Ok(out)
}
