//! Commands around the labeled set: train, eval, agree, sentences, units.

use crate::{load_lexicon, Sink};
use anyhow::{bail, Context, Result};
use clap::Args;
use linfa::ParamGuard;
use stance::agree::{cohen_kappa, krippendorff_alpha_nominal};
use stance::clean::{clean, CleanOptions};
use stance::eval::{cross_validate, GroupBy};
use stance::features::FeatureSettings;
use stance::labels::{place, read_rows};
use stance::metrics::Metrics;
use stance::model::{StanceParams, SENTIMENT_CLASSES, STANCE_CLASSES};
use stance::modelfile::{CvInfo, SourceInfo, StanceModel, TrainingInfo};
use stance::output::{AtomicFile, Cell, Format, TableWriter};
use stance::train::count_labels;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Clone)]
pub struct DataArgs {
    /// Hand-labeled CSV (repeat for several files).
    #[arg(long, required = true)]
    pub data: Vec<PathBuf>,
    /// Folder of article files for labels keyed by sentence hash (third-party texts).
    #[arg(long)]
    pub texts: Option<PathBuf>,
    /// Actor lexicon TOML (default: built in).
    #[arg(long)]
    pub actors: Option<PathBuf>,
}

impl DataArgs {
    /// The lexicon, and every label of the label files placed on its unit.
    fn placed(&self) -> Result<(stance::actors::Lexicon, stance::labels::Placement)> {
        let lex = load_lexicon(self.actors.as_deref())?;
        let placed = place(
            &self.data,
            self.texts.as_deref(),
            &lex,
            CleanOptions::default(),
        )?;
        Ok((lex, placed))
    }
}

#[derive(Args, Clone)]
pub struct ParamArgs {
    /// Additive smoothing of naive Bayes (> 0).
    #[arg(long, default_value_t = 0.5)]
    pub alpha: f64,
    /// Largest n-gram.
    #[arg(long, default_value_t = 1)]
    pub ngram: usize,
    /// Extra features for words within this many tokens of the target (0 = off).
    #[arg(long, default_value_t = 0)]
    pub window: usize,
    /// Drop features seen fewer times than this in training.
    #[arg(long, default_value_t = 1)]
    pub min_count: u32,
    /// Do not mask actor mentions (the model then learns actor names).
    #[arg(long)]
    pub no_mask: bool,
    /// Mark negation scope (not_ prefix).
    #[arg(long)]
    pub negation: bool,
    /// Keep case.
    #[arg(long)]
    pub keep_case: bool,
    /// Class priors from training frequencies instead of equal priors.
    #[arg(long)]
    pub frequency_prior: bool,
    /// No VADER-lexicon polarity features.
    #[arg(long)]
    pub no_sentiment_lexicon: bool,
}

impl ParamArgs {
    pub fn params(&self) -> StanceParams {
        StanceParams::new(
            FeatureSettings {
                lowercase: !self.keep_case,
                mask_actors: !self.no_mask,
                ngram: self.ngram,
                negation: self.negation,
                window: self.window,
                min_count: self.min_count,
                sentiment_lexicon: !self.no_sentiment_lexicon,
            },
            self.alpha,
        )
        .uniform_prior(!self.frequency_prior)
    }
}

#[derive(Args)]
pub struct TrainArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    params: ParamArgs,
    /// Where to write the model.
    #[arg(long)]
    out: PathBuf,
    /// Skip the cross-validation (faster on very large sets; the model then has no confusion matrix for corrected shares).
    #[arg(long)]
    no_cv: bool,
    #[arg(long, short)]
    quiet: bool,
}

pub fn train(a: TrainArgs) -> Result<()> {
    let params = a.params.params().check()?;
    let lex = load_lexicon(a.data.actors.as_deref())?;
    // Labels are streamed into the model; only cross-validation, which
    // refits on subsets, holds every unit.
    let counted = count_labels(
        &a.data.data,
        a.data.texts.as_deref(),
        &lex,
        CleanOptions::default(),
        &params.features,
        !a.no_cv,
    )?;
    let summary = &counted.summary;
    for (dim, classes, counts) in [
        ("stance", &STANCE_CLASSES[..], summary.stance_counts),
        (
            "sentiment",
            &SENTIMENT_CLASSES[..],
            summary.sentiment_counts,
        ),
    ] {
        for (c, n) in classes.iter().zip(counts) {
            if n == 0 {
                eprintln!(
                    "stance: warning: no {dim} unit is labeled {c}: the model can never predict it"
                );
            } else if n < 5 {
                eprintln!("stance: warning: only {n} {dim} unit(s) labeled {c}: its probabilities will be unreliable");
            }
        }
    }
    let fitted = params.fit_sums(counted.sums)?;
    let cv = match &counted.units {
        None => None,
        Some(units) => {
            let r = cross_validate(units, &lex, &params, GroupBy::Article, None)?;
            if !a.quiet {
                print_eval(&r, &mut std::io::stdout())?;
            }
            Some(CvInfo {
                grouping: r.grouping.clone(),
                stance_confusion: r.stance.model.confusion.clone(),
                sentiment_confusion: r.sentiment.model.confusion.clone(),
                stance_macro_f1: r.stance.model.macro_f1,
                sentiment_macro_f1: r.sentiment.model.macro_f1,
            })
        }
    };
    let mut label_files = Vec::new();
    let mut hash_input = String::new();
    for f in &summary.files {
        hash_input.push_str(&f.sha256);
        label_files.push(SourceInfo {
            name: f
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            sha256: f.sha256.clone(),
            rows: f.rows,
        });
    }
    for (id, h) in &summary.text_hashes {
        hash_input.push_str(id);
        hash_input.push_str(h);
    }
    let model = StanceModel {
        stance_version: env!("CARGO_PKG_VERSION").to_string(),
        lexicon_hash: lex.hash.clone(),
        training: TrainingInfo {
            label_files,
            texts: summary.text_hashes.clone(),
            data_hash: stance::actors::hex_sha256(hash_input.as_bytes()),
            units: summary.units,
            noise_units: summary.noise,
            articles: summary.articles,
            actors: summary.actors.iter().cloned().collect(),
        },
        cv,
        model: fitted,
    };
    let bytes = model.to_bytes()?;
    let f = AtomicFile::create(&a.out)?;
    {
        let mut w = f.writer()?;
        w.write_all(&bytes)?;
        w.flush()?;
    }
    f.commit()?;
    if !a.quiet {
        eprintln!(
            "stance: trained on {} units from {} articles ({} noise units skipped); {} features; wrote {}",
            summary.units,
            summary.articles,
            summary.noise,
            model.model.vocabulary.len(),
            a.out.display()
        );
    }
    Ok(())
}

#[derive(Args)]
pub struct EvalArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    params: ParamArgs,
    /// Group folds by article (default) or outlet (needs an `outlet` column).
    #[arg(long, value_enum, default_value = "article")]
    group_by: GroupBy,
    /// Grouped K-fold instead of leave-one-group-out.
    #[arg(long)]
    folds: Option<usize>,
    /// table (default) or json.
    #[arg(long, default_value = "table")]
    format: String,
}

pub fn eval(a: EvalArgs) -> Result<()> {
    let params = a.params.params().check()?;
    let (lex, placed) = a.data.placed()?;
    if a.group_by == GroupBy::Outlet && placed.units.iter().all(|u| u.outlet.is_empty()) {
        bail!("--group-by outlet: the label files have no `outlet` column");
    }
    let r = cross_validate(&placed.units, &lex, &params, a.group_by, a.folds)?;
    match a.format.as_str() {
        "json" => println!("{}", serde_json::to_string_pretty(&r)?),
        "table" => print_eval(&r, &mut std::io::stdout())?,
        f => bail!("--format {f}: expected table or json"),
    }
    Ok(())
}

fn print_eval(r: &stance::eval::EvalReport, w: &mut dyn Write) -> Result<()> {
    writeln!(
        w,
        "cross-validation: {} ({} folds, {} units)",
        r.grouping, r.folds, r.units
    )?;
    for (dim, d) in [("stance", &r.stance), ("sentiment", &r.sentiment)] {
        writeln!(w)?;
        let mut h = vec![
            "dimension".to_string(),
            "system".to_string(),
            "accuracy".into(),
            "macro_f1".into(),
        ];
        for c in &d.model.labels {
            h.push(format!("f1_{c}"));
        }
        h.push("log_loss".into());
        h.push("brier".into());
        let mut t = TableWriter::new(Box::new(std::io::stdout()), Format::Table, h, false)?;
        for (name, m) in [
            ("model", &d.model),
            ("majority", &d.majority),
            ("bag_of_words", &d.bag_of_words),
        ] {
            let mut row = vec![
                Cell::Str(dim.into()),
                Cell::Str(name.into()),
                Cell::Num(m.accuracy),
                Cell::Num(m.macro_f1),
            ];
            for c in &m.per_class {
                row.push(Cell::Num(c.f1));
            }
            row.push(Cell::opt(m.log_loss));
            row.push(Cell::opt(m.brier));
            t.row(&row)?;
        }
        t.finish()?;
        writeln!(
            w,
            "model confusion (rows gold, columns predicted: {}):",
            d.model.labels.join(", ")
        )?;
        print_confusion(&d.model, w)?;
    }
    Ok(())
}

fn print_confusion(m: &Metrics, w: &mut dyn Write) -> Result<()> {
    for (i, row) in m.confusion.iter().enumerate() {
        writeln!(
            w,
            "  {:>10} {}",
            m.labels[i],
            row.iter().map(|n| format!("{n:>5}")).collect::<String>()
        )?;
    }
    Ok(())
}

#[derive(Args)]
pub struct AgreeArgs {
    /// One labels file with per-annotator columns (stance_annotator1, ...), or two files of one annotator each.
    #[arg(required = true, num_args = 1..=2)]
    files: Vec<PathBuf>,
    /// table (default) or json.
    #[arg(long, default_value = "table")]
    format: String,
}

pub fn agree(a: AgreeArgs) -> Result<()> {
    // data[dim] = (unit key, actor, labels per annotator)
    // Per dimension: (actor, one label per annotator) for every unit.
    type Coded = Vec<(String, Vec<Option<String>>)>;
    let mut data: BTreeMap<&str, Coded> = BTreeMap::new();
    let opt = |s: Option<&str>| s.map(|x| x.to_string());
    if a.files.len() == 1 {
        let (headers, rows) = read_rows(&a.files[0])?;
        for dim in ["stance", "sentiment"] {
            let cols: Vec<&String> = headers
                .iter()
                .filter(|h| h.starts_with(&format!("{dim}_annotator")))
                .collect();
            if cols.len() < 2 {
                bail!(
                    "{}: needs at least two {dim}_annotatorN columns",
                    a.files[0].display()
                );
            }
            let v = rows
                .iter()
                .map(|r| {
                    (
                        r.get("actor").unwrap_or("").to_string(),
                        cols.iter().map(|c| opt(r.get(c))).collect(),
                    )
                })
                .collect();
            data.insert(dim, v);
        }
    } else {
        let (_, ra) = read_rows(&a.files[0])?;
        let (_, rb) = read_rows(&a.files[1])?;
        let key = |r: &stance::labels::LabelRow| {
            r.get("unit_id").map(|s| s.to_string()).unwrap_or_else(|| {
                format!(
                    "{}:{}:{}",
                    r.get("article_id").unwrap_or(""),
                    r.get("sentence_hash")
                        .or(r.get("sentence_index"))
                        .unwrap_or(""),
                    r.get("actor").unwrap_or("")
                )
            })
        };
        let bmap: BTreeMap<String, &stance::labels::LabelRow> =
            rb.iter().map(|r| (key(r), r)).collect();
        let mut missing = 0;
        for dim in ["stance", "sentiment"] {
            let mut v = Vec::new();
            for r in &ra {
                match bmap.get(&key(r)) {
                    Some(b) => v.push((
                        r.get("actor").or(b.get("actor")).unwrap_or("").to_string(),
                        vec![opt(r.get(dim)), opt(b.get(dim))],
                    )),
                    None => missing += 1,
                }
            }
            data.insert(dim, v);
        }
        if missing > 0 {
            eprintln!(
                "stance: note: {} unit(s) of {} are not in {}",
                missing / 2,
                a.files[0].display(),
                a.files[1].display()
            );
        }
    }
    let mut report = serde_json::Map::new();
    let mut table = Vec::new();
    for (dim, rows) in &data {
        let mut actors: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        actors.sort();
        actors.dedup();
        let mut dim_json = serde_json::Map::new();
        for scope in std::iter::once("all".to_string()).chain(actors) {
            let sel: Vec<&Vec<Option<String>>> = rows
                .iter()
                .filter(|r| scope == "all" || r.0 == scope)
                .map(|r| &r.1)
                .collect();
            let alpha =
                krippendorff_alpha_nominal(&sel.iter().map(|v| (*v).clone()).collect::<Vec<_>>());
            let k = cohen_kappa(
                &sel.iter().map(|v| v[0].clone()).collect::<Vec<_>>(),
                &sel.iter().map(|v| v[1].clone()).collect::<Vec<_>>(),
            );
            table.push(vec![
                Cell::Str(dim.to_string()),
                Cell::Str(scope.clone()),
                Cell::Int(k.n as u64),
                Cell::Num(k.observed),
                Cell::Num(k.kappa),
                Cell::opt(alpha),
            ]);
            dim_json.insert(
                scope.clone(),
                serde_json::json!({"cohen_kappa": k, "krippendorff_alpha": alpha}),
            );
        }
        report.insert(dim.to_string(), serde_json::Value::Object(dim_json));
    }
    if a.format == "json" {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let h = [
        "dimension",
        "scope",
        "units",
        "observed",
        "cohen_kappa",
        "kripp_alpha",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut t = TableWriter::new(Box::new(std::io::stdout()), Format::Table, h, false)?;
    for r in &table {
        t.row(r)?;
    }
    t.finish()?;
    for (dim, v) in report.iter() {
        if let Some(k) = v.get("all").and_then(|x| x.get("cohen_kappa")) {
            println!(
                "\n{dim}: confusion annotator 1 (rows) × annotator 2 (columns), labels {}",
                k["labels"]
            );
            if let Some(rows) = k["confusion"].as_array() {
                for (i, r) in rows.iter().enumerate() {
                    println!(
                        "  {:>10} {}",
                        k["labels"][i].as_str().unwrap_or(""),
                        r.as_array()
                            .map(|c| c
                                .iter()
                                .map(|n| format!("{:>6}", n.as_u64().unwrap_or(0)))
                                .collect::<String>())
                            .unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(())
}

#[derive(Args)]
pub struct SentencesArgs {
    /// Article text files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Also list the dropped blocks with the reason each was dropped.
    #[arg(long)]
    dropped: bool,
    /// Compare with hand-written gold files of the same names in this folder and print recall, precision and exact-split accuracy.
    #[arg(long)]
    gold: Option<PathBuf>,
    #[arg(long)]
    no_clean: bool,
    /// Sentence splitter (uax29 is there to measure against the gold).
    #[arg(long, value_enum, default_value = "rules")]
    splitter: stance::sentences::Splitter,
    /// table (default), csv or jsonl.
    #[arg(long, value_enum)]
    format: Option<Format>,
}

pub fn sentences(a: SentencesArgs) -> Result<()> {
    let opts = CleanOptions {
        clean: !a.no_clean,
        splitter: a.splitter,
    };
    let mut total = stance::gold::GoldScore::default();
    let (sink, w) = Sink::open(None, a.format, &[])?;
    let h = [
        "article_id",
        "kind",
        "index",
        "reason",
        "span_start",
        "span_end",
        "text",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut t = if a.gold.is_none() {
        Some(TableWriter::new(w, sink.format, h, true)?)
    } else {
        None
    };
    for f in &a.files {
        let bytes = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
        let (text, _) = stance::input::decode(bytes, f, 1, false)?;
        if text.trim().is_empty() {
            bail!("{}: empty article", f.display());
        }
        let id = f
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let c = clean(&text, opts);
        if let Some(g) = &a.gold {
            let gp = g.join(f.file_name().unwrap_or_default());
            let gold = stance::gold::parse_gold(
                &std::fs::read_to_string(&gp)
                    .with_context(|| format!("reading gold {}", gp.display()))?,
            );
            let s = stance::gold::score(&gold, &c.sentences);
            println!(
                "{id}: gold {:>4}  kept {:>4}  recall {:.3}  precision {:.3}  exact {:.3}",
                s.gold,
                s.kept,
                s.recall(),
                s.precision(),
                s.exact_accuracy()
            );
            let (missing, extra) = stance::gold::diff(&gold, &c.sentences);
            for m in missing {
                println!("    missing: {m}");
            }
            for x in extra {
                println!("    extra:   {x}");
            }
            total.add(&s);
            continue;
        }
        let t = t.as_mut().expect("table");
        for s in &c.sentences {
            t.row(&[
                Cell::Str(id.clone()),
                Cell::Str("kept".into()),
                Cell::Int(s.index as u64),
                Cell::Str(String::new()),
                Cell::Int(s.start as u64),
                Cell::Int(s.end as u64),
                Cell::Str(s.text.clone()),
            ])?;
        }
        if a.dropped {
            for d in &c.dropped {
                t.row(&[
                    Cell::Str(id.clone()),
                    Cell::Str("dropped".into()),
                    Cell::Empty,
                    Cell::Str(d.reason.as_str().into()),
                    Cell::Int(d.start as u64),
                    Cell::Int(d.end as u64),
                    Cell::Str(d.text.clone()),
                ])?;
            }
        }
    }
    if a.gold.is_some() {
        println!(
            "overall: gold {}  kept {}  recall {:.3}  precision {:.3}  exact {:.3}",
            total.gold,
            total.kept,
            total.recall(),
            total.precision(),
            total.exact_accuracy()
        );
    } else if let Some(t) = t {
        t.finish()?;
    }
    Ok(())
}

#[derive(Args)]
pub struct UnitsArgs {
    /// Article text files or folders.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output CSV.
    #[arg(long)]
    out: PathBuf,
    /// Write sentence hashes instead of sentence text (for third-party articles that must not be copied).
    #[arg(long)]
    hash_only: bool,
    #[arg(long)]
    actors: Option<PathBuf>,
}

pub fn units(a: UnitsArgs) -> Result<()> {
    let lex = load_lexicon(a.actors.as_deref())?;
    let sources = stance::input::expand(&a.paths, &Default::default())?;
    let reader = stance::input::ArticleReader::new(sources, Default::default());
    let f = AtomicFile::create(&a.out)?;
    let mut w = csv::Writer::from_writer(f.writer()?);
    let text_col = if a.hash_only { "sentence_hash" } else { "text" };
    w.write_record([
        "unit_id",
        "article_id",
        "sentence_index",
        "actor",
        "matched",
        text_col,
    ])?;
    for art in reader {
        let art = art?;
        let (_, us) =
            stance::units::article_units(&art.id, &art.text, &lex, CleanOptions::default());
        for u in us {
            let t = if a.hash_only {
                u.sentence_hash()
            } else {
                u.text.clone()
            };
            w.write_record([
                format!("{}:{}:{}", u.article_id, u.sentence_index, u.actor),
                u.article_id.clone(),
                u.sentence_index.to_string(),
                u.actor.clone(),
                u.matched.clone(),
                t,
            ])?;
        }
    }
    w.flush()?;
    drop(w);
    f.commit()?;
    Ok(())
}
