//! The rows `stance score` writes, one per (article, actor) and one per
//! (sentence, actor) unit, under stable column names; formatted on the
//! thread that scored the article, so that the writer only copies bytes.

use crate::clean::clean;
use crate::compare_io::ARTICLE_COLUMNS;
use crate::input::Article;
use crate::model::{FittedModel, SENTIMENT_CLASSES, STANCE_CLASSES};
use crate::output::{Cell, RowFormat, Rows};
use crate::score::{ScoreScratch, Scorer};

/// Unit-row columns after `article_id` and the metadata columns.
pub const UNIT_COLUMNS: [&str; 14] = [
    "sentence_index",
    "actor",
    "matched",
    "stance",
    "p_supportive",
    "p_skeptical",
    "p_neutral",
    "sentiment",
    "p_positive",
    "p_negative",
    "p_neutral_sentiment",
    "span_start",
    "span_end",
    "text",
];

/// Added to unit rows by `--explain`.
pub const EXPLANATION_COLUMNS: [&str; 2] = ["stance_explanation", "sentiment_explanation"];

/// `article_id`, the metadata columns, then `fixed`.
fn header(meta: &[String], fixed: &[&str]) -> Vec<String> {
    std::iter::once("article_id")
        .chain(meta.iter().map(|s| s.as_str()))
        .chain(fixed.iter().copied())
        .map(str::to_string)
        .collect()
}

pub fn article_header(meta: &[String]) -> Vec<String> {
    header(meta, &ARTICLE_COLUMNS)
}

pub fn unit_header(meta: &[String], explain: bool) -> Vec<String> {
    let mut h = header(meta, &UNIT_COLUMNS);
    if explain {
        h.extend(EXPLANATION_COLUMNS.iter().map(|s| s.to_string()));
    }
    h
}

/// One article's rows, formatted, and what the run summary counts.
#[derive(Debug, Default)]
pub struct ArticleRows {
    pub bytes: usize,
    pub sentences: usize,
    pub units: usize,
    pub articles: Rows,
    /// Empty unless unit rows were asked for.
    pub unit_rows: Rows,
}

/// How to score an article into rows.
pub struct RowMaker<'a> {
    pub scorer: &'a Scorer<'a>,
    /// Metadata columns, in header order.
    pub meta: &'a [String],
    pub articles: &'a RowFormat,
    /// Unit rows, when asked for.
    pub units: Option<&'a RowFormat>,
    /// Add the explanation columns from this model.
    pub explain: Option<&'a FittedModel>,
}

impl RowMaker<'_> {
    /// Clean and score `article`, and format its rows.
    pub fn rows(&self, article: &Article, scratch: &mut ScoreScratch) -> ArticleRows {
        let cleaned = clean(&article.text, self.scorer.clean);
        let meta: Vec<Cell> = self
            .meta
            .iter()
            .map(|c| Cell::Ref(article.meta.get(c).map_or("", |v| v.as_str())))
            .collect();
        let mut out = ArticleRows {
            bytes: article.text.len(),
            sentences: cleaned.sentences.len(),
            ..Default::default()
        };
        if self.units.is_some() {
            // Unit rows carry their sentence's text, one row per actor it
            // mentions: about twice the article's text on news pages.
            // Room made once instead of by doubling and copying.
            out.unit_rows.reserve(2 * article.text.len());
        }
        let mut spare: Vec<Cell> = Vec::new();
        let aggregates = self.scorer.score_each(&cleaned, scratch, |u| {
            out.units += 1;
            let Some(fmt) = self.units else { return };
            let v = &u.unit;
            let mut row = recycle(std::mem::take(&mut spare));
            row.push(Cell::Ref(&article.id));
            row.extend(meta.iter().cloned());
            row.push(Cell::Int(v.sentence.index as u64));
            row.push(Cell::Ref(v.actor));
            row.push(Cell::Ref(v.matched));
            row.push(Cell::Ref(STANCE_CLASSES[u.stance]));
            row.extend(u.p_stance.map(Cell::Num));
            row.push(Cell::Ref(SENTIMENT_CLASSES[u.sentiment]));
            row.extend(u.p_sentiment.map(Cell::Num));
            row.push(Cell::Int(v.sentence.start as u64));
            row.push(Cell::Int(v.sentence.end as u64));
            row.push(Cell::Ref(&v.sentence.text));
            if let Some(m) = self.explain {
                let f = crate::features::features(
                    &v.sentence.text,
                    v.mentions,
                    v.actor_index,
                    &m.params.features,
                );
                for head in [&m.stance, &m.sentiment] {
                    let e = crate::explain::explain(m, head, &f);
                    row.push(Cell::Str(crate::explain::brief(&e, 5)));
                }
            }
            fmt.append(&row, &mut out.unit_rows);
            spare = recycle(row);
        });
        let mut row = recycle(spare);
        for g in &aggregates {
            row.clear();
            row.push(Cell::Ref(&article.id));
            row.extend(meta.iter().cloned());
            row.push(Cell::Ref(&g.actor));
            row.push(Cell::Int(g.mentions as u64));
            row.push(Cell::Exact(g.stance_score));
            row.push(Cell::opt_exact(g.stance_ci.map(|c| c.0)));
            row.push(Cell::opt_exact(g.stance_ci.map(|c| c.1)));
            row.extend(g.stance_shares.map(Cell::Exact));
            row.push(Cell::Exact(g.sentiment_score));
            row.push(Cell::opt_exact(g.sentiment_ci.map(|c| c.0)));
            row.push(Cell::opt_exact(g.sentiment_ci.map(|c| c.1)));
            row.extend(g.sentiment_shares.map(Cell::Exact));
            self.articles.append(&row, &mut out.articles);
        }
        out
    }
}

/// An emptied vector of cells that may borrow from elsewhere, in the same
/// allocation: the unit rows of an article borrow from a different unit
/// each time, and a fresh vector per unit would be a needless allocation.
/// (Collecting a `Vec`'s own iterator into a type of the same layout
/// reuses its buffer.)
fn recycle<'b>(mut v: Vec<Cell<'_>>) -> Vec<Cell<'b>> {
    v.clear();
    v.into_iter().map(|_| Cell::Empty).collect()
}
