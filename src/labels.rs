//! Hand-labeled units: reading label files and placing each label on the
//! unit it was written for.
//!
//! A label is keyed by article id, actor and the sentence (its text, or for
//! third-party articles the hash of its text), never by sentence index
//! alone: when cleaning or splitting changes, labels re-align to their
//! sentences or are reported as unplaceable; they never shift silently.

use crate::actors::{Lexicon, Mention};
use crate::article_cache::{Article, ArticleCache};
use crate::clean::CleanOptions;
use crate::error::{Result, StanceError};
use crate::label_read::{field, line_of, LabelReader};
use crate::model::{SENTIMENT_CLASSES, STANCE_CLASSES};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    let mut r = LabelReader::open(path)?;
    let headers = r.headers.clone();
    let mut rec = csv::ByteRecord::new();
    while r.next_into(&mut rec)? {
        let fields = headers
            .iter()
            .cloned()
            .zip(
                rec.iter()
                    .map(|s| String::from_utf8_lossy(s).trim().to_string()),
            )
            .collect();
        f(
            &headers,
            LabelRow {
                file: path.to_path_buf(),
                line: line_of(&rec),
                fields,
            },
        )?;
    }
    if r.rows() == 0 {
        return Err(StanceError::file(path, "label file has no rows"));
    }
    Ok(headers)
}

fn class_index(
    classes: &[&str],
    v: &str,
    file: &Path,
    line: usize,
    col: &str,
) -> Result<Option<usize>> {
    if v == NOISE {
        return Ok(None);
    }
    classes
        .iter()
        .position(|c| *c == v)
        .map(Some)
        .ok_or_else(|| {
            StanceError::record(
                file,
                line,
                format!(
                    "column `{col}`: unknown label {v:?} (expected one of {}, or noise)",
                    classes.join(", ")
                ),
            )
        })
}

/// Where the columns of a label file are, checked once per file.
#[derive(Debug, Clone)]
pub struct Columns {
    article_id: usize,
    actor: usize,
    stance: usize,
    sentiment: usize,
    outlet: Option<usize>,
    text: Option<usize>,
    sentence_hash: Option<usize>,
}

impl Columns {
    pub fn new(file: &Path, headers: &[String]) -> Result<Columns> {
        let at = |name: &str| headers.iter().position(|h| h == name);
        let need = |name: &str| {
            at(name).ok_or_else(|| {
                StanceError::record(file, 1, format!("label file has no `{name}` column"))
            })
        };
        let cols = Columns {
            article_id: need("article_id")?,
            actor: need("actor")?,
            stance: need("stance")?,
            sentiment: need("sentiment")?,
            outlet: at("outlet"),
            text: at("text"),
            sentence_hash: at("sentence_hash"),
        };
        if cols.text.is_none() && cols.sentence_hash.is_none() {
            return Err(StanceError::record(
                file,
                1,
                "label file needs a `text` or a `sentence_hash` column",
            ));
        }
        Ok(cols)
    }
}

/// A label placed on its unit, borrowed from the row or the article.
#[derive(Debug, Clone, Copy)]
pub struct UnitRef<'a> {
    pub article_id: &'a str,
    pub outlet: &'a str,
    pub actor: &'a str,
    pub actor_index: usize,
    pub text: &'a str,
    pub mentions: &'a [Mention],
    pub stance: usize,
    pub sentiment: usize,
}

impl UnitRef<'_> {
    pub fn to_unit(&self) -> LabeledUnit {
        LabeledUnit {
            article_id: self.article_id.to_string(),
            outlet: self.outlet.to_string(),
            actor: self.actor.to_string(),
            actor_index: self.actor_index,
            text: self.text.to_string(),
            mentions: self.mentions.to_vec(),
            stance: self.stance,
            sentiment: self.sentiment,
        }
    }
}

/// What became of a row that raised no error.
#[derive(Debug)]
pub enum Outcome {
    Placed,
    Noise,
    /// Why the label cannot be placed (reported with all the others).
    Unplaced(String),
}

/// What one placing thread keeps between rows.
#[derive(Debug, Default)]
pub struct PlaceState {
    /// The article of the last hash-keyed row: rows come grouped by article.
    last: Option<(String, Arc<Article>)>,
    /// SHA-256 of every article read from `--texts`, by id.
    pub text_hashes: BTreeMap<String, String>,
    /// The last text-keyed sentence and its mentions: a sentence that names
    /// several actors has one row per actor, one after the other.
    last_text: String,
    mentions: Vec<Mention>,
}

/// Places label rows on their units.
pub struct Placer<'a> {
    pub lex: &'a Lexicon,
    pub articles: Option<&'a ArticleCache<'a>>,
}

impl Placer<'_> {
    /// Place one row and hand its unit to `f`. Errors are the row's faults
    /// (they stop training); an unplaceable label is an outcome, so that all
    /// of them can be listed at once.
    pub fn place_row(
        &self,
        file: &Path,
        cols: &Columns,
        rec: &csv::ByteRecord,
        st: &mut PlaceState,
        f: impl FnOnce(&UnitRef),
    ) -> Result<Outcome> {
        let line = line_of(rec);
        let lex = self.lex;
        let article_id = field(rec, Some(cols.article_id))
            .ok_or_else(|| StanceError::record(file, line, "empty `article_id`"))?;
        let actor = field(rec, Some(cols.actor))
            .ok_or_else(|| StanceError::record(file, line, "empty `actor`"))?;
        let actor_index = lex.actor_index(actor).ok_or_else(|| {
            StanceError::record(
                file,
                line,
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
        let st_label = field(rec, Some(cols.stance))
            .ok_or_else(|| StanceError::record(file, line, "empty `stance`"))?;
        let se_label = field(rec, Some(cols.sentiment))
            .ok_or_else(|| StanceError::record(file, line, "empty `sentiment`"))?;
        let stance_c = class_index(&STANCE_CLASSES, st_label, file, line, "stance")?;
        let sentiment_c = class_index(&SENTIMENT_CLASSES, se_label, file, line, "sentiment")?;
        let (stance, sentiment) = match (stance_c, sentiment_c) {
            (Some(a), Some(b)) => (a, b),
            (None, None) => return Ok(Outcome::Noise),
            _ => {
                return Err(StanceError::record(
                    file,
                    line,
                    "noise must be given on both stance and sentiment",
                ))
            }
        };
        let outlet = field(rec, cols.outlet).unwrap_or("");
        let emit = |text: &str, mentions: &[Mention]| {
            f(&UnitRef {
                article_id,
                outlet,
                actor,
                actor_index,
                text,
                mentions,
                stance,
                sentiment,
            })
        };
        let not_mentioned = || {
            Outcome::Unplaced(format!(
                "{}:{line}: the sentence does not mention {actor} under this lexicon",
                file.display()
            ))
        };
        if let Some(text) = field(rec, cols.text) {
            if st.last_text != text {
                st.last_text.clear();
                st.last_text.push_str(text);
                st.mentions = lex.find(text);
            }
            if !st.mentions.iter().any(|m| m.actor == actor_index) {
                return Ok(not_mentioned());
            }
            emit(text, &st.mentions);
            return Ok(Outcome::Placed);
        }
        let hash = field(rec, cols.sentence_hash).ok_or_else(|| {
            StanceError::record(file, line, "row has neither `text` nor `sentence_hash`")
        })?;
        let Some(cache) = self.articles else {
            return Err(StanceError::record(
                file,
                line,
                "label has no text: pass --texts DIR holding the article files",
            ));
        };
        if st.last.as_ref().is_none_or(|(id, _)| id != article_id) {
            let a = cache.get(article_id);
            if let Some(sha) = &a.sha256 {
                if !st.text_hashes.contains_key(article_id) {
                    st.text_hashes.insert(article_id.to_string(), sha.clone());
                }
            }
            st.last = Some((article_id.to_string(), a));
        }
        let article = &st.last.as_ref().expect("set above").1;
        if article.units.is_none() {
            return Ok(Outcome::Unplaced(format!(
                "{}:{line}: article {article_id:?} not found in {}",
                file.display(),
                cache.dir().display()
            )));
        }
        let Some(u) = article.find(actor, hash) else {
            return Ok(Outcome::Unplaced(format!(
                "{}:{line}: no sentence with hash {hash} mentioning {actor} in article {article_id:?} (the text or the cleaner changed)",
                file.display(),
            )));
        };
        if !u.mentions.iter().any(|m| m.actor == actor_index) {
            return Ok(not_mentioned());
        }
        emit(&u.text, &u.mentions);
        Ok(Outcome::Placed)
    }
}

/// What placing labels found.
#[derive(Debug, Default)]
pub struct Placement {
    pub units: Vec<LabeledUnit>,
    pub noise: usize,
    /// SHA-256 of every article read from `--texts`, by id.
    pub text_hashes: BTreeMap<String, String>,
}

/// Read label files and place every label, holding every unit (evaluation
/// needs them all; training streams instead, see `crate::train`). Rows
/// that carry `text` are self-contained; rows that carry only
/// `sentence_hash` are placed by cleaning `<texts>/<article_id>.txt` again.
/// Any label that cannot be placed stops with the full list.
pub fn place(
    files: &[PathBuf],
    texts: Option<&Path>,
    lex: &Lexicon,
    clean: CleanOptions,
) -> Result<Placement> {
    let (parts, summary) = crate::label_stream::stream_units(
        files,
        texts,
        lex,
        clean,
        Vec::new,
        |v: &mut Vec<(usize, LabeledUnit)>, chunk, u| v.push((chunk, u.to_unit())),
    )?;
    Ok(Placement {
        units: crate::label_stream::in_file_order(parts),
        noise: summary.noise,
        text_hashes: summary.text_hashes,
    })
}
