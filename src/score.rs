//! Scoring articles: clean, find units, predict stance and sentiment for
//! each, aggregate per article and actor.

use crate::actors::Lexicon;
use crate::clean::CleanOptions;
use crate::clean::{clean, Cleaned};
use crate::features::features;
use crate::input::Article;
use crate::model::argmax;
use crate::modelfile::StanceModel;
use crate::units::{each_unit, Unit, UnitScratch, UnitView};
use crate::vectorize::SentenceCounts;

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

    /// Score every unit of a cleaned article, in order, calling `f` with
    /// each, and return the article's aggregates. Units are borrowed, not
    /// built: this is the hot path of `stance score`, and `score` (which
    /// returns owned units) is built on it, so both give the same numbers.
    /// A sentence's words are counted once for all the actors it mentions.
    ///
    /// ```
    /// use stance::actors::Lexicon;
    /// use stance::clean::{clean, CleanOptions};
    /// use stance::model::STANCE_CLASSES;
    /// use stance::modelfile::StanceModel;
    /// use stance::score::{ScoreScratch, Scorer};
    ///
    /// let model = StanceModel::default_model()?;
    /// let lexicon = Lexicon::default_lexicon();
    /// let scorer = Scorer { model: &model, lexicon: &lexicon, clean: CleanOptions::default() };
    /// let page = "Moscow and Tehran signed a new treaty on Friday.\n\n\
    ///             Officials in Washington called the agreement a threat to the region.";
    /// // Keep one per thread: its buffers serve every article.
    /// let mut scratch = ScoreScratch::default();
    /// let mut rows = Vec::new();
    /// let per_article = scorer.score_each(&clean(page, scorer.clean), &mut scratch, |u| {
    ///     rows.push((u.unit.sentence.index, u.unit.actor.to_string(), STANCE_CLASSES[u.stance]));
    /// });
    /// let actors: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    /// assert_eq!(actors, ["russia", "iran", "west"]);
    /// assert_eq!(per_article.len(), 3);
    /// # Ok::<(), stance::StanceError>(())
    /// ```
    pub fn score_each(
        &self,
        cleaned: &Cleaned,
        scratch: &mut ScoreScratch,
        mut f: impl FnMut(&ScoredView<'_>),
    ) -> Vec<ArticleAggregate> {
        let m = &self.model.model;
        let v = m.vectorizer();
        let ScoreScratch {
            units,
            sentence,
            counts,
            totals,
        } = scratch;
        totals.reset(self.lexicon.actors.len());
        let mut current: Option<usize> = None;
        each_unit(cleaned, self.lexicon, units, |unit| {
            let (ps, pe) = match v {
                Some(v) => {
                    if current != Some(unit.sentence.index) {
                        v.sentence(&unit.sentence.text, unit.mentions, sentence);
                        current = Some(unit.sentence.index);
                    }
                    v.unit(sentence, unit.actor_index, counts);
                    m.predict_counts(counts)
                }
                None => {
                    let feats = features(
                        &unit.sentence.text,
                        unit.mentions,
                        unit.actor_index,
                        &m.params.features,
                    );
                    m.predict_counts(&m.counts(&feats))
                }
            };
            let view = ScoredView {
                unit,
                stance: argmax(&ps),
                p_stance: ps,
                sentiment: argmax(&pe),
                p_sentiment: pe,
            };
            totals.add(
                unit.actor_index,
                view.stance,
                view.sentiment,
                ps[0] - ps[1],
                pe[0] - pe[1],
            );
            f(&view);
        });
        totals.finish(self.lexicon)
    }

    pub fn score(&self, article: Article) -> ScoredArticle {
        let cleaned = clean(&article.text, self.clean);
        let mut units = Vec::new();
        let aggregates = self.score_each(&cleaned, &mut ScoreScratch::default(), |v| {
            units.push(ScoredUnit {
                unit: v.unit.to_unit(&article.id),
                stance: v.stance,
                p_stance: v.p_stance,
                sentiment: v.sentiment,
                p_sentiment: v.p_sentiment,
            })
        });
        ScoredArticle {
            sentences: cleaned.sentences.len(),
            dropped: cleaned.dropped.len(),
            article,
            units,
            aggregates,
        }
    }
}

/// A scored unit borrowed from its article (see `Scorer::score_each`).
#[derive(Debug, Clone, Copy)]
pub struct ScoredView<'a> {
    pub unit: UnitView<'a>,
    pub stance: usize,
    pub p_stance: [f64; 3],
    pub sentiment: usize,
    pub p_sentiment: [f64; 3],
}

/// Buffers `Scorer::score_each` reuses; keep one per thread.
#[derive(Debug, Default)]
pub struct ScoreScratch {
    units: UnitScratch,
    sentence: SentenceCounts,
    counts: Vec<(u32, f64)>,
    totals: Totals,
}

/// Per-actor unit scores and label counts of one article, gathered unit by
/// unit in order and turned into aggregates at the end.
#[derive(Debug, Default)]
struct Totals {
    actors: Vec<ActorTotals>,
}

#[derive(Debug, Default)]
struct ActorTotals {
    stance: Vec<f64>,
    sentiment: Vec<f64>,
    stance_counts: [f64; 3],
    sentiment_counts: [f64; 3],
}

impl Totals {
    fn reset(&mut self, actors: usize) {
        self.actors.resize_with(actors, Default::default);
        for a in &mut self.actors {
            a.stance.clear();
            a.sentiment.clear();
            a.stance_counts = [0.0; 3];
            a.sentiment_counts = [0.0; 3];
        }
    }

    fn add(&mut self, actor: usize, stance: usize, sentiment: usize, st: f64, se: f64) {
        let a = &mut self.actors[actor];
        a.stance.push(st);
        a.sentiment.push(se);
        a.stance_counts[stance] += 1.0;
        a.sentiment_counts[sentiment] += 1.0;
    }

    fn finish(&self, lex: &Lexicon) -> Vec<ArticleAggregate> {
        let mut out = Vec::new();
        for (t, actor) in self.actors.iter().zip(&lex.actors) {
            if t.stance.is_empty() {
                continue;
            }
            let n = t.stance.len() as f64;
            let (sm, sci) = mean_ci(&t.stance);
            let (em, eci) = mean_ci(&t.sentiment);
            out.push(ArticleAggregate {
                actor: actor.id.clone(),
                mentions: t.stance.len(),
                stance_score: sm,
                stance_ci: sci,
                stance_shares: t.stance_counts.map(|x| x / n),
                sentiment_score: em,
                sentiment_ci: eci,
                sentiment_shares: t.sentiment_counts.map(|x| x / n),
            });
        }
        out
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
    let mut t = Totals::default();
    t.reset(lex.actors.len());
    for u in units {
        t.add(
            u.unit.actor_index,
            u.stance,
            u.sentiment,
            u.stance_score(),
            u.sentiment_score(),
        );
    }
    t.finish(lex)
}
