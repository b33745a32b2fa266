//! Scoring articles: clean, find units, predict stance and sentiment for
//! each, aggregate per article and actor.

use crate::actors::Lexicon;
use crate::clean::CleanOptions;
use crate::features::features;
use crate::input::Article;
use crate::model::argmax;
use crate::modelfile::StanceModel;
use crate::units::{article_units, Unit};
use crate::vectorize::{SentenceCounts, Vectorizer};

/// A scored unit. Probabilities are in STANCE_CLASSES / SENTIMENT_CLASSES
/// order: [supportive, skeptical, neutral], [positive, negative, neutral].
#[derive(Debug, Clone)]
pub struct ScoredUnit {
    pub unit: Unit,
    pub stance: usize,
    pub p_stance: [f64; 3],
    pub sentiment: usize,
    pub p_sentiment: [f64; 3],
}

impl ScoredUnit {
    fn new(unit: Unit, p_stance: [f64; 3], p_sentiment: [f64; 3]) -> Self {
        ScoredUnit {
            stance: argmax(&p_stance),
            sentiment: argmax(&p_sentiment),
            p_stance,
            p_sentiment,
            unit,
        }
    }
    pub fn stance_score(&self) -> f64 {
        self.p_stance[0] - self.p_stance[1]
    }
    pub fn sentiment_score(&self) -> f64 {
        self.p_sentiment[0] - self.p_sentiment[1]
    }
}

/// Aggregate of one article toward one actor.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleAggregate {
    pub actor: String,
    pub mentions: usize,
    pub stance_score: f64,
    pub stance_ci: Option<(f64, f64)>,
    /// Shares of predicted labels, [supportive, skeptical, neutral].
    pub stance_shares: [f64; 3],
    pub sentiment_score: f64,
    pub sentiment_ci: Option<(f64, f64)>,
    pub sentiment_shares: [f64; 3],
}

#[derive(Debug, Clone)]
pub struct ScoredArticle {
    pub article: Article,
    pub sentences: usize,
    pub dropped: usize,
    pub units: Vec<ScoredUnit>,
    pub aggregates: Vec<ArticleAggregate>,
}

pub struct Scorer<'a> {
    pub model: &'a StanceModel,
    pub lexicon: &'a Lexicon,
    pub clean: CleanOptions,
}

impl Scorer<'_> {
    pub fn score_unit(&self, unit: Unit) -> ScoredUnit {
        let f = features(
            &unit.text,
            &unit.mentions,
            unit.actor_index,
            &self.model.model.params.features,
        );
        let c = self.model.model.counts(&f);
        let (ps, pe) = self.model.model.predict_counts(&c);
        ScoredUnit::new(unit, ps, pe)
    }

    /// The hot path: a sentence's words are counted once for all the
    /// actors it mentions (`score_unit` gives the same numbers).
    fn score_fast(&self, v: &Vectorizer, units: Vec<Unit>) -> Vec<ScoredUnit> {
        let m = &self.model.model;
        let mut sentence = SentenceCounts::default();
        let mut counts = Vec::new();
        let mut current: Option<usize> = None;
        units
            .into_iter()
            .map(|unit| {
                if current != Some(unit.sentence_index) {
                    v.sentence(&unit.text, &unit.mentions, &mut sentence);
                    current = Some(unit.sentence_index);
                }
                v.unit(&sentence, unit.actor_index, &mut counts);
                let (ps, pe) = m.predict_counts(&counts);
                ScoredUnit::new(unit, ps, pe)
            })
            .collect()
    }

    pub fn score(&self, article: Article) -> ScoredArticle {
        let (cleaned, units) = article_units(&article.id, &article.text, self.lexicon, self.clean);
        let units: Vec<ScoredUnit> = match self.model.model.vectorizer() {
            Some(v) => self.score_fast(v, units),
            None => units.into_iter().map(|u| self.score_unit(u)).collect(),
        };
        let aggregates = aggregate(&units, self.lexicon);
        ScoredArticle {
            sentences: cleaned.sentences.len(),
            dropped: cleaned.dropped.len(),
            article,
            units,
            aggregates,
        }
    }
}

/// Two-sided 95% Student-t critical values for 1..=30 degrees of freedom.
const T95: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// Mean and 95% t-interval of unit scores within one article, clipped to
/// [-1, 1]; no interval from a single unit. Articles are scored by the
/// million, so a closed form rather than a bootstrap; between articles,
/// `compare` resamples whole articles.
pub fn mean_ci(v: &[f64]) -> (f64, Option<(f64, f64)>) {
    let n = v.len();
    let mean = v.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, None);
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let t = if n - 1 <= 30 { T95[n - 2] } else { 1.96 };
    let h = t * (var / n as f64).sqrt();
    (mean, Some(((mean - h).max(-1.0), (mean + h).min(1.0))))
}

pub fn aggregate(units: &[ScoredUnit], lex: &Lexicon) -> Vec<ArticleAggregate> {
    let mut out = Vec::new();
    for (ai, actor) in lex.actors.iter().enumerate() {
        let us: Vec<&ScoredUnit> = units.iter().filter(|u| u.unit.actor_index == ai).collect();
        if us.is_empty() {
            continue;
        }
        let n = us.len() as f64;
        let st: Vec<f64> = us.iter().map(|u| u.stance_score()).collect();
        let se: Vec<f64> = us.iter().map(|u| u.sentiment_score()).collect();
        let (sm, sci) = mean_ci(&st);
        let (em, eci) = mean_ci(&se);
        let mut ss = [0.0; 3];
        let mut es = [0.0; 3];
        for u in &us {
            ss[u.stance] += 1.0;
            es[u.sentiment] += 1.0;
        }
        for x in ss.iter_mut().chain(es.iter_mut()) {
            *x /= n;
        }
        out.push(ArticleAggregate {
            actor: actor.id.clone(),
            mentions: us.len(),
            stance_score: sm,
            stance_ci: sci,
            stance_shares: ss,
            sentiment_score: em,
            sentiment_ci: eci,
            sentiment_shares: es,
        });
    }
    out
}
