//! The model: linfa-bayes fit, our sparse scoring, evaluation folds.
use linfa::prelude::*;
use linfa::ParamGuard;
use linfa_bayes::NaiveBayes;
use ndarray::Array2;
use stance::actors::Lexicon;
use stance::eval::{cross_validate, fold_ids, GroupBy};
use stance::features::FeatureSettings;
use stance::labels::LabeledUnit;
use stance::model::{fit_linfa, softmax, StanceParams};

fn unit(article: &str, text: &str, actor: &str, stance: usize, sentiment: usize) -> LabeledUnit {
    let lex = Lexicon::default_lexicon();
    let ai = lex.actor_index(actor).unwrap();
    LabeledUnit {
        article_id: article.into(),
        outlet: format!("outlet-{article}"),
        actor: actor.into(),
        actor_index: ai,
        mentions: lex.find(text),
        text: text.into(),
        stance,
        sentiment,
    }
}

/// Our sparse log-sum-exp scoring gives linfa's own posterior.
#[test]
fn sparse_scoring_matches_linfa_joint_log_likelihood() {
    let rows: Vec<Vec<(u32, f64)>> = vec![
        vec![(0, 2.0), (1, 1.0)],
        vec![(1, 3.0)],
        vec![(2, 1.0), (0, 1.0)],
        vec![(2, 4.0)],
        vec![(0, 1.0)],
    ];
    let y = vec![0usize, 1, 2, 2, 0];
    let nb = fit_linfa(&rows, &y, 3, 0.5).unwrap();
    let probe = vec![(0u32, 1.0), (2, 2.0)];
    let mut x = Array2::<f64>::zeros((1, 3));
    for &(f, c) in &probe {
        x[[0, f as usize]] = c;
    }
    let jll = nb.joint_log_likelihood(x.view());
    let mut theirs: Vec<f64> = (0..3).map(|c| jll[&c][0]).collect();
    theirs = softmax(&theirs);
    let units = vec![unit("a", "x", "russia", 0, 0)];
    let _ = units;
    // Fit the same data through the stance model path and compare.
    let v = serde_json::to_value(&nb).unwrap();
    let mut ours = Vec::new();
    for c in 0..3 {
        let ci = &v["class_info"][c.to_string()];
        let lp = ci["prior"].as_f64().unwrap().ln();
        let flp: Vec<f64> = ci["feature_log_prob"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        ours.push(lp + probe.iter().map(|&(f, n)| n * flp[f as usize]).sum::<f64>());
    }
    let ours = softmax(&ours);
    for (a, b) in ours.iter().zip(&theirs) {
        assert!((a - b).abs() < 1e-12, "{ours:?} vs {theirs:?}");
    }
    // And linfa's predict agrees with our argmax.
    let pred = nb.predict(&x);
    let best = (0..3)
        .max_by(|&a, &b| ours[a].partial_cmp(&ours[b]).unwrap())
        .unwrap();
    assert_eq!(pred[0], best);
}

#[test]
fn zero_alpha_is_refused() {
    assert!(StanceParams::default().alpha(0.0).check().is_err());
    assert!(StanceParams::default().alpha(f64::NAN).check().is_err());
}

#[test]
fn long_inputs_give_finite_probabilities() {
    let ex = stance::eval::examples(
        &[
            unit("a", "Russia is a brutal aggressor.", "russia", 1, 1),
            unit("b", "Russia signed a deal.", "russia", 2, 2),
        ],
        &FeatureSettings::default(),
    );
    let m = StanceParams::default().check().unwrap().fit(&ex).unwrap();
    let long: Vec<String> = std::iter::repeat_n("brutal".to_string(), 100_000).collect();
    let (p, q) = m.predict(&long);
    assert!(p.iter().chain(&q).all(|x| x.is_finite()));
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
}

fn separable() -> Vec<LabeledUnit> {
    let mut v = Vec::new();
    for i in 0..6 {
        let a = format!("art{i}");
        v.push(unit(
            &a,
            "Russia heroically defends the noble peace.",
            "russia",
            0,
            0,
        ));
        v.push(unit(
            &a,
            "Russia brutally wages an illegal aggressive war.",
            "russia",
            1,
            1,
        ));
        v.push(unit(
            &a,
            "Russia held a meeting on Tuesday.",
            "russia",
            2,
            2,
        ));
    }
    v
}

#[test]
fn eval_on_a_separable_set_is_perfect() {
    let units = separable();
    let lex = Lexicon::default_lexicon();
    let p = StanceParams::default().check().unwrap();
    let r = cross_validate(&units, &lex, &p, GroupBy::Article, None).unwrap();
    assert_eq!(r.folds, 6);
    assert!(
        (r.stance.model.macro_f1 - 1.0).abs() < 1e-12,
        "{:?}",
        r.stance.model
    );
    assert!((r.sentiment.model.accuracy - 1.0).abs() < 1e-12);
    assert!(r.stance.majority.macro_f1 < 0.5);
}

#[test]
fn grouped_folds_never_split_an_article() {
    let units = separable();
    for k in [None, Some(2), Some(4)] {
        let (fold, n) = fold_ids(&units, GroupBy::Article, k);
        assert!(n >= 2);
        for (i, u) in units.iter().enumerate() {
            for (j, w) in units.iter().enumerate() {
                if u.article_id == w.article_id {
                    assert_eq!(fold[i], fold[j]);
                }
            }
        }
    }
}

#[test]
fn shipped_model_loads_and_saves_to_the_same_bytes() {
    let bytes =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/models/default.model")).unwrap();
    let m = stance::modelfile::StanceModel::from_bytes(&bytes, "default").unwrap();
    assert_eq!(m.to_bytes().unwrap(), bytes);
}

#[test]
fn a_missing_class_gives_finite_probabilities() {
    // Every unit neutral / negative: the other classes are absent.
    let units: Vec<LabeledUnit> = (0..4)
        .map(|i| unit(&format!("a{i}"), "Russia met Iran again.", "russia", 2, 1))
        .collect();
    let ex = stance::eval::examples(&units, &FeatureSettings::default());
    let m = StanceParams::default().check().unwrap().fit(&ex).unwrap();
    let (p, q) = m.predict(&["<target>".to_string(), "unseen".to_string()]);
    assert!(p.iter().chain(&q).all(|x| x.is_finite()));
    assert_eq!(p[0], 0.0);
    assert!((p[2] - 1.0).abs() < 1e-12);
    let bytes = stance::modelfile::StanceModel {
        stance_version: "t".into(),
        lexicon_hash: "h".into(),
        training: stance::modelfile::TrainingInfo {
            label_files: vec![],
            texts: Default::default(),
            data_hash: "d".into(),
            units: 4,
            noise_units: 0,
            articles: 4,
            actors: vec!["russia".into()],
        },
        cv: None,
        model: m,
    }
    .to_bytes()
    .unwrap();
    let back = stance::modelfile::StanceModel::from_bytes(&bytes, "t").unwrap();
    assert_eq!(back.to_bytes().unwrap(), bytes);
}
