//! The fast paths give the reference paths' numbers, bit for bit, on real
//! text: the allocation-free vectorizer against the string features, the
//! interleaved scoring table against each head, the per-class-sums fit
//! against linfa fitted row by row, and the fixed-decimal writer against
//! Rust's formatter.
mod common;

use stance::actors::Lexicon;
use stance::clean::CleanOptions;
use stance::features::{features, FeatureSettings};
use stance::labels::{place, LabeledUnit};
use stance::model::{fit_head_rows, FittedModel, StanceParams, SENTIMENT_CLASSES, STANCE_CLASSES};
use stance::modelfile::StanceModel;
use stance::units::{article_units, Unit};
use stance::vectorize::SentenceCounts;

/// Units of the seed pages and, when it is beside the project, the corpus.
fn real_units(lex: &Lexicon) -> Vec<Unit> {
    let mut dirs = vec![common::root().join("seeds")];
    dirs.extend(common::corpus());
    let mut out = Vec::new();
    for d in dirs {
        for (id, text) in common::pages(&d) {
            out.extend(article_units(&id, &text, lex, CleanOptions::default()).1);
        }
    }
    assert!(out.len() > 400, "too few units: {}", out.len());
    out
}

fn labeled(lex: &Lexicon) -> Vec<LabeledUnit> {
    place(
        &[common::root().join("training/labels.csv")],
        None,
        lex,
        CleanOptions::default(),
    )
    .unwrap()
    .units
}

fn train(units: &[LabeledUnit], p: StanceParams) -> FittedModel {
    common::fit_units(units, &linfa::ParamGuard::check(p).unwrap())
}

fn check_model(m: &FittedModel, units: &[Unit]) {
    let v = m.vectorizer().expect("these settings have a fast path");
    let mut sentence = SentenceCounts::default();
    let mut fast = Vec::new();
    for u in units {
        let reference = m.counts(&features(
            &u.text,
            &u.mentions,
            u.actor_index,
            &m.params.features,
        ));
        v.sentence(&u.text, &u.mentions, &mut sentence);
        v.unit(&sentence, u.actor_index, &mut fast);
        assert_eq!(
            fast, reference,
            "counts differ on {:?} ({})",
            u.text, u.actor
        );
        let (s, e) = m.predict_counts(&fast);
        let (s0, e0) = (m.stance.proba(&reference), m.sentiment.proba(&reference));
        for (a, b) in s.iter().zip(&s0).chain(e.iter().zip(&e0)) {
            assert_eq!(
                a.to_bits(),
                b.to_bits(),
                "probabilities differ on {:?}",
                u.text
            );
        }
    }
}

#[test]
fn vectorizer_and_table_match_the_reference_on_real_sentences() {
    let lex = Lexicon::default_lexicon();
    let units = real_units(&lex);
    let shipped = StanceModel::default_model().unwrap();
    check_model(&shipped.model, &units);
    // The other settings the fast path covers: no masking, no lexicon.
    let train_units = labeled(&lex);
    for f in [
        FeatureSettings {
            mask_actors: false,
            ..Default::default()
        },
        FeatureSettings {
            sentiment_lexicon: false,
            ..Default::default()
        },
        FeatureSettings::bag_of_words(),
    ] {
        let m = train(&train_units, StanceParams::default().features(f));
        check_model(&m, &units);
    }
    // Settings it does not cover fall back to the reference.
    let m = train(
        &train_units,
        StanceParams::default().features(FeatureSettings {
            ngram: 2,
            ..Default::default()
        }),
    );
    assert!(m.vectorizer().is_none());
}

#[test]
fn fit_on_class_sums_equals_linfa_row_by_row() {
    let lex = Lexicon::default_lexicon();
    let units = labeled(&lex);
    let p = StanceParams::default().uniform_prior(false);
    let m = train(&units, p.clone());
    let settings = &m.params.features;
    let rows: Vec<Vec<(u32, f64)>> = units
        .iter()
        .map(|u| m.counts(&features(&u.text, &u.mentions, u.actor_index, settings)))
        .collect();
    let nf = m.vocabulary.len();
    for (head, y, classes) in [
        (
            &m.stance,
            units.iter().map(|u| u.stance).collect::<Vec<_>>(),
            &STANCE_CLASSES,
        ),
        (
            &m.sentiment,
            units.iter().map(|u| u.sentiment).collect::<Vec<_>>(),
            &SENTIMENT_CLASSES,
        ),
    ] {
        let reference = fit_head_rows(&rows, &y, nf, m.params.alpha, classes).unwrap();
        assert_eq!(head.class_count, reference.class_count);
        for (a, b) in head.log_prior.iter().zip(&reference.log_prior) {
            assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits));
        }
        for (a, b) in head
            .feature_log_prob
            .iter()
            .zip(&reference.feature_log_prob)
        {
            let (a, b): (Vec<u64>, Vec<u64>) = (
                a.iter().map(|x| x.to_bits()).collect(),
                b.iter().map(|x| x.to_bits()).collect(),
            );
            assert_eq!(a, b);
        }
    }
}

#[test]
fn fixed_decimals_match_the_formatter() {
    let mut cases: Vec<f64> = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        0.0000005,
        0.0000015,
        0.0000025,
        -0.0000005,
        -1e-9,
        0.1234565,
        0.9999995,
        0.99999949999,
        123456.7890125,
        1e14,
        -2.5e-7,
        f64::MIN_POSITIVE,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e300,
    ];
    // Probabilities and scores as the model writes them, and a sweep near
    // every tie of the sixth decimal for small numerators.
    let mut x = 0x2545F4914F6CDD1Du64;
    for _ in 0..200_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        cases.push((x >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0);
    }
    for k in 0..20_000u64 {
        let t = (k as f64 + 0.5) / 1e6;
        cases.extend([t, -t, t.next_up(), t.next_down()]);
    }
    let mut buf = Vec::new();
    for c in cases {
        buf.clear();
        stance::output::fixed6(c, &mut buf);
        assert_eq!(buf, format!("{c:.6}").as_bytes(), "for {c:e}");
    }
}

/// Articles scored through borrowed units (`Scorer::score`, on
/// `score_each`) give the numbers of scoring each owned unit on its own,
/// on the fast path and on the reference fallback.
#[test]
fn article_scoring_matches_unit_by_unit_scoring() {
    use stance::input::Article;
    use stance::score::{aggregate, Scorer};
    let lex = Lexicon::default_lexicon();
    let shipped = StanceModel::default_model().unwrap();
    let mut bigram = shipped.clone();
    bigram.model = train(
        &labeled(&lex),
        StanceParams::default().features(FeatureSettings {
            ngram: 2,
            ..Default::default()
        }),
    );
    for model in [&shipped, &bigram] {
        let scorer = Scorer {
            model,
            lexicon: &lex,
            clean: CleanOptions::default(),
        };
        let mut n = 0;
        for (id, text) in common::pages(&common::root().join("seeds")) {
            let (_, units) = article_units(&id, &text, &lex, CleanOptions::default());
            let scored = scorer.score(Article {
                id: id.clone(),
                text: text.clone(),
                meta: Default::default(),
                origin: id.clone(),
                replaced: 0,
            });
            assert_eq!(scored.units.len(), units.len(), "{id}");
            let reference: Vec<_> = units.into_iter().map(|u| scorer.score_unit(u)).collect();
            for (a, b) in scored.units.iter().zip(&reference) {
                assert_eq!(
                    (&a.unit.text, &a.unit.actor, &a.unit.matched, a.unit.start),
                    (&b.unit.text, &b.unit.actor, &b.unit.matched, b.unit.start)
                );
                assert_eq!(a.unit.mentions, b.unit.mentions);
                for (x, y) in a
                    .p_stance
                    .iter()
                    .chain(&a.p_sentiment)
                    .zip(b.p_stance.iter().chain(&b.p_sentiment))
                {
                    assert_eq!(x.to_bits(), y.to_bits(), "{:?}", a.unit.text);
                }
            }
            assert_eq!(scored.aggregates, aggregate(&reference, &lex));
            n += reference.len();
        }
        assert!(n > 100, "too few units: {n}");
    }
}
