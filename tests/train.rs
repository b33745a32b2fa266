//! Streamed training: the model fitted while the labels stream by is the
//! one fitted on every unit held in memory, bit for bit, on the real labeled
//! set and on a repeated one, for any number of threads; and a fault in a
//! late row is still reported with its file and line.
mod common;

use common::{root, run, stderr};
use stance::actors::Lexicon;
use stance::clean::CleanOptions;
use stance::features::FeatureSettings;
use stance::labels::place;
use stance::model::{FittedModel, StanceParams, StanceValidParams};
use stance::train::train_streamed;
use std::path::{Path, PathBuf};

/// The labeled set: the seed labels, and the corpus labels when the corpus
/// is beside the project.
fn label_set() -> (Vec<PathBuf>, Option<PathBuf>) {
    let mut files = vec![root().join("training/labels.csv")];
    let texts = common::corpus();
    if texts.is_some() {
        files.push(root().join("training/corpus_labels.csv"));
    }
    (files, texts)
}

/// The reference: every unit placed and held, then `fit_from`.
fn in_memory(files: &[PathBuf], texts: Option<&Path>, p: &StanceValidParams) -> FittedModel {
    let lex = Lexicon::default_lexicon();
    let units = place(files, texts, &lex, CleanOptions::default())
        .unwrap()
        .units;
    common::fit_units(&units, p)
}

fn streamed(files: &[PathBuf], texts: Option<&Path>, p: &StanceValidParams) -> FittedModel {
    let lex = Lexicon::default_lexicon();
    train_streamed(files, texts, &lex, CleanOptions::default(), p, false)
        .unwrap()
        .model
}

fn bytes(m: &FittedModel) -> Vec<u8> {
    serde_json::to_vec(m).unwrap()
}

/// The settings of the fast tokeniser and some of the reference path.
fn settings() -> Vec<StanceValidParams> {
    let f = FeatureSettings::default();
    [
        f.clone(),
        FeatureSettings {
            mask_actors: false,
            min_count: 2,
            ..f.clone()
        },
        FeatureSettings::bag_of_words(),
        FeatureSettings {
            ngram: 2,
            negation: true,
            window: 3,
            ..f.clone()
        },
        FeatureSettings {
            lowercase: false,
            min_count: 3,
            ..f
        },
    ]
    .into_iter()
    .map(|f| linfa::ParamGuard::check(StanceParams::default().features(f)).unwrap())
    .collect()
}

#[test]
fn streamed_model_equals_in_memory_model_on_the_labeled_set() {
    let (files, texts) = label_set();
    for p in settings() {
        let a = in_memory(&files, texts.as_deref(), &p);
        let b = streamed(&files, texts.as_deref(), &p);
        assert!(bytes(&a) == bytes(&b), "models differ for {:?}", p.features);
    }
}

/// The seed labels `times` times over under new article ids (as
/// `bench/run --train` makes them), then the corpus labels twice (the same
/// articles again, through the article cache).
fn repeated(dir: &Path, times: usize) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(root().join("training/labels.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let mut out = String::from(header);
    out.push('\n');
    for rep in 0..times {
        for r in &rows {
            // article_id is the second column and has no commas.
            let (unit, rest) = r.split_once(',').unwrap();
            let (article, rest) = rest.split_once(',').unwrap();
            out.push_str(&format!("{unit},{article}-r{rep},{rest}\n"));
        }
    }
    let seeds = dir.join("repeated.csv");
    std::fs::write(&seeds, out).unwrap();
    let mut files = vec![seeds];
    if common::corpus().is_some() {
        let c = root().join("training/corpus_labels.csv");
        files.push(c.clone());
        files.push(c);
    }
    files
}

#[test]
fn streamed_model_equals_in_memory_model_on_a_repeated_set_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let files = repeated(dir.path(), 12);
    let texts = common::corpus();
    for p in settings().into_iter().take(4) {
        let a = in_memory(&files, texts.as_deref(), &p);
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let b = pool.install(|| streamed(&files, texts.as_deref(), &p));
            assert!(
                bytes(&a) == bytes(&b),
                "models differ for {:?} on {threads} threads",
                p.features
            );
        }
    }
}

#[test]
fn streamed_training_keeps_units_in_file_order_for_cross_validation() {
    let (files, texts) = label_set();
    let lex = Lexicon::default_lexicon();
    let p = StanceParams::default().features(FeatureSettings::default());
    let p = linfa::ParamGuard::check(p).unwrap();
    let held = place(&files, texts.as_deref(), &lex, CleanOptions::default()).unwrap();
    let t = train_streamed(
        &files,
        texts.as_deref(),
        &lex,
        CleanOptions::default(),
        &p,
        true,
    )
    .unwrap();
    let units = t.units.unwrap();
    assert_eq!(units.len(), held.units.len());
    assert_eq!(t.summary.units, held.units.len());
    assert_eq!(t.summary.noise, held.noise);
    for (a, b) in units.iter().zip(&held.units) {
        assert_eq!(
            (&a.article_id, &a.actor, &a.text, a.stance, a.sentiment),
            (&b.article_id, &b.actor, &b.text, b.stance, b.sentiment)
        );
    }
}

/// Thousands of good rows, then one bad row: its file and line are named,
/// nothing is written, nothing panics.
#[test]
fn a_fault_in_a_late_row_is_reported_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = "article_id,actor,text,stance,sentiment\n".to_string()
        + &"a,russia,Russia backs Iran.,neutral,neutral\n".repeat(5000);
    let line = 5002;
    let model = d.join("x.model");
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        (
            "label",
            (good.clone() + "a,russia,Moscow is wrong.,hostile,negative\n").into_bytes(),
            format!("label.csv:{line}: column `stance`: unknown label \"hostile\""),
        ),
        (
            "actor",
            (good.clone() + "a,china,Beijing backs Iran.,neutral,neutral\n").into_bytes(),
            format!("actor.csv:{line}: unknown actor \"china\""),
        ),
        (
            "fields",
            (good.clone() + "a,russia,Russia,backs,Iran,neutral\n").into_bytes(),
            format!("fields.csv:{line}: malformed CSV record"),
        ),
        (
            "utf8",
            [
                good.as_bytes(),
                b"a,russia,Russia \xe9 Iran.,neutral,neutral\n",
            ]
            .concat(),
            format!(
                "not valid UTF-8 at byte {} (line {line})",
                good.len() + "a,russia,Russia ".len()
            ),
        ),
        (
            "unplaced",
            (good.clone() + "a,iran,Russia backs Moscow.,neutral,neutral\n").into_bytes(),
            format!("unplaced.csv:{line}: the sentence does not mention iran"),
        ),
    ];
    for (name, body, needle) in cases {
        let f = d.join(format!("{name}.csv"));
        std::fs::write(&f, body).unwrap();
        let o = run(
            &[
                "train",
                "--data",
                f.to_str().unwrap(),
                "--out",
                model.to_str().unwrap(),
                "--no-cv",
            ],
            &root(),
        );
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        let e = stderr(&o).replace('\n', " ");
        assert!(e.contains(&needle), "{name}: expected {needle:?} in {e}");
        assert!(!e.contains("panicked"), "{e}");
        assert!(!model.exists(), "{name}: a model was written");
    }
}

/// The first fault in the files wins, whichever thread meets it first.
#[test]
fn the_first_of_several_faults_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut body = "article_id,actor,text,stance,sentiment\n".to_string();
    for i in 0..20_000 {
        if i == 7000 || i == 15_000 || i == 19_999 {
            body.push_str("a,russia,Moscow is wrong.,hostile,negative\n");
        } else {
            body.push_str("a,russia,Russia backs Iran.,neutral,neutral\n");
        }
    }
    let f = d.join("l.csv");
    std::fs::write(&f, body).unwrap();
    let lex = Lexicon::default_lexicon();
    let p = linfa::ParamGuard::check(StanceParams::default()).unwrap();
    for threads in [1, 2, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let e = pool
            .install(|| {
                train_streamed(
                    std::slice::from_ref(&f),
                    None,
                    &lex,
                    CleanOptions::default(),
                    &p,
                    false,
                )
            })
            .unwrap_err()
            .to_string();
        assert!(e.contains("l.csv:7002: column `stance`"), "{threads}: {e}");
    }
}
