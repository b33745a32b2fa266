//! The `stance` command line: a thin layer over the library.

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use stance::actors::Lexicon;
use stance::clean::CleanOptions;
use stance::compare::{compare, ArticleRow, CompareOptions};
use stance::input::InputFormat;
use stance::model::{SENTIMENT_CLASSES, STANCE_CLASSES};
use stance::modelfile::StanceModel;
use stance::output::{check_not_input, AtomicFile, Cell, Format, TableWriter};
use stance::score::{ScoredArticle, Scorer};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

// The pipeline allocates many small strings per sentence; mimalloc
// measured 13% faster than glibc's allocator on `bench/run`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// No transparent huge pages for this process. mimalloc v3 asks the
/// kernel for them, and a fresh 2 MB page is zeroed whole at its first
/// touch: as batches of articles came and went, `score` spent 5% of its time
/// in the kernel zeroing pages, and its peak RSS was 68 MB instead of 35 MB
/// (50 MB of JSONL). Small pages also let mimalloc keep its default purge
/// delay, which had been cut to 10 ms to hold RSS down.
fn avoid_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a flag
    // of this process; on failure (an old kernel) nothing changes.
    #[cfg(target_os = "linux")]
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod allocator_tests {
    #[test]
    fn huge_pages_are_off_after_the_call() {
        super::avoid_huge_pages();
        let v = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(v, 1);
    }
}

mod cli_explain;
mod cli_score;
mod cli_train;

#[derive(Parser)]
#[command(
    name = "stance",
    version,
    about = "Stance and sentiment toward Russia, Iran and the West in news text"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Score articles: per (sentence, actor) unit and per article.
    Score(cli_score::ScoreArgs),
    /// Compare groups of articles (outlets by default) per actor.
    Compare(CompareArgs),
    /// Fit a model from hand-labeled units.
    Train(cli_train::TrainArgs),
    /// Grouped cross-validation beside majority and bag-of-words baselines.
    Eval(cli_train::EvalArgs),
    /// Inter-annotator agreement: Cohen's kappa and Krippendorff's alpha.
    Agree(cli_train::AgreeArgs),
    /// Show the kept sentences of articles (and with --dropped, what was dropped).
    Sentences(cli_train::SentencesArgs),
    /// Export (sentence, actor) units for labeling.
    Units(cli_train::UnitsArgs),
    /// Explain the model: strongest features per class, or one sentence's prediction.
    Explain(cli_explain::ExplainArgs),
}

#[derive(Args, Clone)]
pub struct InputArgs {
    /// Article files, folders (*.txt inside, recursively), JSONL/CSV corpora, or - for stdin.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Metadata CSV keyed by `id` (outlet, title, date, ...), for text-file articles.
    #[arg(long)]
    pub meta: Option<PathBuf>,
    /// File-name pattern for articles inside folders.
    #[arg(long)]
    pub glob: Option<String>,
    /// Input format; auto picks by extension.
    #[arg(long, value_enum, default_value = "auto")]
    pub input_format: InputFormat,
    /// Replace invalid UTF-8 instead of stopping (the count is reported).
    #[arg(long)]
    pub lossy: bool,
    /// Do not clean: the text is already the article's own sentences.
    #[arg(long)]
    pub no_clean: bool,
    /// Skip bad records instead of stopping: each goes to the rejects file
    /// (record, reason) and is counted on stderr.
    #[arg(long)]
    pub keep_going: bool,
    /// Rejects file for --keep-going (default: stance-rejects.csv in the current folder).
    #[arg(long)]
    pub rejects: Option<PathBuf>,
}

#[derive(Args, Clone)]
pub struct ModelArgs {
    /// Model file (default: the model built into the binary).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Actor lexicon TOML (default: the built-in models/actors.toml).
    #[arg(long)]
    pub actors: Option<PathBuf>,
}

impl ModelArgs {
    pub fn load(&self) -> Result<(StanceModel, Lexicon)> {
        let model = match &self.model {
            Some(p) => StanceModel::load(p)?,
            None => StanceModel::default_model()?,
        };
        let lex = load_lexicon(self.actors.as_deref())?;
        Ok((model, lex))
    }
}

pub fn load_lexicon(p: Option<&Path>) -> Result<Lexicon> {
    Ok(match p {
        Some(p) => {
            let t =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            Lexicon::parse(&t, &p.display().to_string())?
        }
        None => Lexicon::default_lexicon(),
    })
}

#[derive(Args, Clone)]
pub struct RunArgs {
    /// Worker threads (default: all cores). Output is identical for any count.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar or summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Do not prefix CSV text cells that start with = + - @ with a quote
    /// (the guard stops spreadsheets running article text as formulas).
    #[arg(long)]
    pub no_csv_guard: bool,
}

#[derive(Args)]
struct CompareArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    model: ModelArgs,
    /// Group by this metadata column (repeat for a cross table); date:month, date:week, date:year bin dates.
    #[arg(long, default_value = "outlet")]
    by: Vec<String>,
    /// Write the comparison table here (.csv or .jsonl).
    #[arg(long)]
    out: Option<PathBuf>,
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Bootstrap replicates (articles resampled within each group).
    #[arg(long, default_value_t = 2000)]
    replicates: usize,
    /// Seed of the bootstrap and permutations: same seed, same intervals.
    #[arg(long, default_value_t = 20261123)]
    seed: u64,
    /// Write, per actor, the difference between each pair of groups (each
    /// group against the rest when there are more than 12) with its
    /// bootstrap interval and a permutation-test p-value over articles.
    #[arg(long)]
    diffs: Option<PathBuf>,
    /// Permutations for the p-values of --diffs.
    #[arg(long, default_value_t = 2000)]
    permutations: usize,
    /// List near-duplicate articles (syndicated copies) to this file.
    #[arg(long)]
    dupes: Option<PathBuf>,
    /// Count each near-duplicate story once: keep the earliest by `date`, else the first by id.
    #[arg(long)]
    dedupe: bool,
    /// Estimated Jaccard similarity of word 5-grams above which two articles are one story.
    #[arg(long, default_value_t = 0.5)]
    dupe_threshold: f64,
    /// Draw the scores with intervals (dot and whisker) to this .svg or .png;
    /// the class shares go beside it as NAME-shares.svg/.png.
    #[arg(long)]
    chart: Option<PathBuf>,
    /// Write a self-contained HTML report (table, charts, scored sentences).
    #[arg(long)]
    report: Option<PathBuf>,
    #[command(flatten)]
    run: RunArgs,
}

fn main() {
    avoid_huge_pages();
    // Die quietly on a closed pipe (`stance score ... | head`) instead of
    // panicking inside println!.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let res = match cli.cmd {
        Cmd::Score(a) => cli_score::cmd_score(a),
        Cmd::Compare(a) => cmd_compare(a),
        Cmd::Train(a) => cli_train::train(a),
        Cmd::Eval(a) => cli_train::eval(a),
        Cmd::Agree(a) => cli_train::agree(a),
        Cmd::Sentences(a) => cli_train::sentences(a),
        Cmd::Units(a) => cli_train::units(a),
        Cmd::Explain(a) => cli_explain::run(a),
    };
    if let Err(e) = res {
        let msg = format!("{e:#}");
        eprintln!("stance: error: {}", msg.replace('\n', "\n  "));
        std::process::exit(2);
    }
}

pub fn setup_threads(n: Option<usize>) {
    if let Some(n) = n {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
}

/// Where a table goes: a file (atomically) or stdout.
pub struct Sink {
    file: Option<AtomicFile>,
    pub format: Format,
}

impl Sink {
    pub fn open(
        path: Option<&Path>,
        format: Option<Format>,
        inputs: &[PathBuf],
    ) -> Result<(Sink, Box<dyn std::io::Write>)> {
        match path {
            Some(p) => {
                check_not_input(p, inputs)?;
                let f = AtomicFile::create(p)?;
                let w = f.writer()?;
                let format = format
                    .or_else(|| Format::from_path(p))
                    .unwrap_or(Format::Csv);
                Ok((
                    Sink {
                        file: Some(f),
                        format,
                    },
                    w,
                ))
            }
            None => {
                let tty = std::io::stdout().is_terminal();
                let format = format.unwrap_or(if tty { Format::Table } else { Format::Csv });
                Ok((
                    Sink { file: None, format },
                    Box::new(std::io::BufWriter::new(std::io::stdout())),
                ))
            }
        }
    }
    pub fn commit(self) -> Result<()> {
        if let Some(f) = self.file {
            f.commit()?;
        }
        Ok(())
    }
}

fn num3(v: [f64; 3]) -> [Cell<'static>; 3] {
    [Cell::Num(v[0]), Cell::Num(v[1]), Cell::Num(v[2])]
}

fn progress(quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new_spinner();
    b.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {msg} {bytes} ({bytes_per_sec}) {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    Some(b)
}

fn warn_untrained_actors(model: &StanceModel, lex: &Lexicon, quiet: bool) {
    if quiet {
        return;
    }
    let trained = &model.training.actors;
    for a in &lex.actors {
        if !trained.contains(&a.id) {
            eprintln!(
                "stance: note: actor {:?} has no training labels; it is scored through target-masked features{}",
                a.id,
                if model.model.params.features.mask_actors { "" } else { " (but this model does not mask actors: expect poor scores)" }
            );
        }
    }
}

/// Article rows for compare: from score's output files, or by scoring.
/// Write a whole table to a file (CSV or JSONL), atomically.
fn write_table_file(
    path: &Path,
    format: Option<Format>,
    inputs: &[PathBuf],
    header: Vec<String>,
    guard: bool,
    rows: Vec<Vec<Cell>>,
) -> Result<()> {
    let (sink, w) = Sink::open(Some(path), format.filter(|f| *f != Format::Table), inputs)?;
    let mut t = TableWriter::new(w, sink.format, header, guard)?;
    for r in &rows {
        t.row(r)?;
    }
    t.finish()?;
    sink.commit()
}

/// NAME.ext → NAME-shares.ext
fn shares_path(p: &Path) -> PathBuf {
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = p
        .extension()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    p.with_file_name(format!("{stem}-shares.{ext}"))
}

/// Draw into a temporary file beside `target` and rename it on success.
fn atomic_draw(target: &Path, draw: impl FnOnce(&Path) -> stance::Result<()>) -> Result<()> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let ext = target
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let tmp = tempfile::Builder::new()
        .prefix(".stance-")
        .suffix(&ext)
        .tempfile_in(&dir)
        .with_context(|| format!("creating a file in {}", dir.display()))?;
    draw(tmp.path())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644));
    }
    tmp.persist(target)
        .with_context(|| format!("writing {}", target.display()))?;
    Ok(())
}

/// An article's identity for near-duplicate detection.
struct Story {
    id: String,
    date: String,
    outlet: String,
    sig: Option<stance::dupes::Signature>,
}

/// What compare gathers from its input.
struct Collected {
    rows: Vec<ArticleRow>,
    source: String,
    /// None when the input was score's article rows (no text).
    stories: Option<Vec<Story>>,
    /// Scored units per article, kept only for --report.
    report: Vec<stance::report::ReportArticle>,
}

fn article_rows(
    input: &InputArgs,
    model: &ModelArgs,
    run: &RunArgs,
    by: &[String],
    want_units: bool,
) -> Result<Collected> {
    let scored_files = input.paths.len() == 1 && {
        let p = &input.paths[0];
        p.is_file()
            && matches!(
                Format::from_path(p),
                Some(Format::Csv) | Some(Format::Jsonl)
            )
            && header_has_score(p)
    };
    if scored_files
        || input
            .paths
            .iter()
            .all(|p| p.is_file() && header_has_score(p))
    {
        let mut rows = Vec::new();
        for p in &input.paths {
            rows.extend(stance::compare_io::read_article_rows(p)?);
        }
        return Ok(Collected {
            rows,
            source: "article rows read from score output".into(),
            stories: None,
            report: Vec::new(),
        });
    }
    let (m, lex) = model.load()?;
    warn_untrained_actors(&m, &lex, run.quiet);
    let scorer = Scorer {
        model: &m,
        lexicon: &lex,
        clean: CleanOptions::with_clean(!input.no_clean),
    };
    let mut rows = Vec::new();
    let mut stories = Vec::new();
    let mut report = Vec::new();
    let stream = cli_score::ArticleStream::open(input)?;
    let summary = stream.run(
        input,
        run.quiet,
        |a| scorer.score(a),
        |s: ScoredArticle| {
            if want_units {
                let mm = &m.model;
                let why = |e: &stance::explain::Explanation| {
                    let parts: Vec<String> = e
                        .contributions
                        .iter()
                        .take(6)
                        .map(|c| format!("{} {:+.2}", c.feature, c.weight))
                        .collect();
                    format!(
                        "{} over {} ({:+.2}): {}",
                        e.winner,
                        e.runner_up,
                        e.log_odds,
                        parts.join(", ")
                    )
                };
                report.push(stance::report::ReportArticle {
                    id: s.article.id.clone(),
                    group: by
                        .iter()
                        .map(|b| stance::compare::group_value(&s.article.meta, b))
                        .collect::<Vec<_>>()
                        .join(" / "),
                    units: s
                        .units
                        .iter()
                        .map(|u| {
                            let f = stance::features::features(
                                &u.unit.text,
                                &u.unit.mentions,
                                u.unit.actor_index,
                                &mm.params.features,
                            );
                            stance::report::ReportUnit {
                                sentence_index: u.unit.sentence_index,
                                actor: u.unit.actor.clone(),
                                stance: STANCE_CLASSES[u.stance].to_string(),
                                p_stance: u.p_stance[u.stance],
                                sentiment: SENTIMENT_CLASSES[u.sentiment].to_string(),
                                p_sentiment: u.p_sentiment[u.sentiment],
                                text: u.unit.text.clone(),
                                stance_why: why(&stance::explain::explain(mm, &mm.stance, &f)),
                                sentiment_why: why(&stance::explain::explain(
                                    mm,
                                    &mm.sentiment,
                                    &f,
                                )),
                            }
                        })
                        .collect(),
                });
            }
            stories.push(Story {
                id: s.article.id.clone(),
                date: s.article.meta.get("date").cloned().unwrap_or_default(),
                outlet: s.article.meta.get("outlet").cloned().unwrap_or_default(),
                sig: stance::dupes::signature(&s.article.text),
            });
            for g in &s.aggregates {
                rows.push(ArticleRow {
                    article_id: s.article.id.clone(),
                    meta: s.article.meta.clone(),
                    actor: g.actor.clone(),
                    mentions: g.mentions,
                    stance_score: g.stance_score,
                    sentiment_score: g.sentiment_score,
                    stance_shares: g.stance_shares,
                    sentiment_shares: g.sentiment_shares,
                    stance_ci: g.stance_ci,
                    sentiment_ci: g.sentiment_ci,
                });
            }
            Ok(())
        },
    )?;
    summary.print(run.quiet);
    Ok(Collected {
        rows,
        source: format!(
            "model trained on {} units ({})",
            m.training.units,
            &m.training.data_hash[..12]
        ),
        stories: Some(stories),
        report,
    })
}

fn header_has_score(p: &Path) -> bool {
    let Ok(f) = std::fs::File::open(p) else {
        return false;
    };
    let mut line = String::new();
    let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(f), &mut line);
    line.contains("stance_score") && line.contains("mentions")
}

fn cmd_compare(a: CompareArgs) -> Result<()> {
    setup_threads(a.run.threads);
    let Collected {
        mut rows,
        source,
        stories,
        report,
    } = article_rows(&a.input, &a.model, &a.run, &a.by, a.report.is_some())?;
    if a.dupes.is_some() || a.dedupe {
        let Some(stories) = stories else {
            bail!("--dupes and --dedupe need the articles' text, not score's article rows");
        };
        if !(0.0..=1.0).contains(&a.dupe_threshold) {
            bail!("--dupe-threshold must be between 0 and 1");
        }
        let sigs: Vec<_> = stories.iter().map(|s| s.sig).collect();
        let pairs = stance::dupes::near_duplicates(&sigs, a.dupe_threshold);
        if let Some(p) = &a.dupes {
            let h = [
                "article_a",
                "outlet_a",
                "date_a",
                "article_b",
                "outlet_b",
                "date_b",
                "similarity",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            let mut table_rows: Vec<Vec<Cell>> = Vec::new();
            for &(i, j, sim) in &pairs {
                let (x, y) = (&stories[i], &stories[j]);
                table_rows.push(vec![
                    Cell::Str(x.id.clone()),
                    Cell::Str(x.outlet.clone()),
                    Cell::Str(x.date.clone()),
                    Cell::Str(y.id.clone()),
                    Cell::Str(y.outlet.clone()),
                    Cell::Str(y.date.clone()),
                    Cell::Num(sim),
                ]);
            }
            write_table_file(
                p,
                a.format,
                &a.input.paths,
                h,
                !a.run.no_csv_guard,
                table_rows,
            )?;
        }
        if !a.run.quiet {
            eprintln!(
                "stance: {} near-duplicate pair(s) at similarity >= {}",
                pairs.len(),
                a.dupe_threshold
            );
        }
        if a.dedupe {
            let reps = stance::dupes::representatives(stories.len(), &pairs, |i| {
                (stories[i].date.clone(), stories[i].id.clone())
            });
            let keep: std::collections::HashSet<&str> = (0..stories.len())
                .filter(|&i| reps[i] == i)
                .map(|i| stories[i].id.as_str())
                .collect();
            let before = rows.len();
            rows.retain(|r| keep.contains(r.article_id.as_str()));
            if !a.run.quiet {
                eprintln!(
                    "stance: --dedupe kept {} of {} articles ({} article-actor rows dropped)",
                    keep.len(),
                    stories.len(),
                    before - rows.len()
                );
            }
        }
    }
    if a.replicates == 0 {
        bail!("--replicates must be at least 1");
    }
    let opts = CompareOptions {
        by: a.by.clone(),
        replicates: a.replicates,
        seed: a.seed,
        level: 0.95,
    };
    for b in &a.by {
        let col = b.split(':').next().unwrap_or(b);
        if !rows.iter().any(|r| r.meta.contains_key(col)) {
            bail!("--by {b}: no article has a {col:?} column (pass --meta, or a JSONL/CSV corpus with that field)");
        }
    }
    let groups = compare(&rows, &opts);
    // The confusion matrices that correct class shares come from the model
    // (--model, else the built-in one), measured by cross-validation when
    // it was trained.
    let (conf_model, _) = a.model.load()?;
    let stance_conf = conf_model.cv.as_ref().map(|c| &c.stance_confusion);
    let sentiment_conf = conf_model.cv.as_ref().map(|c| &c.sentiment_confusion);
    if let Some(p) = &a.diffs {
        let diffs = stance::compare::differences(&rows, &opts, a.permutations);
        let h: Vec<String> = [
            "actor",
            "group_a",
            "group_b",
            "articles_a",
            "articles_b",
            "units_a",
            "units_b",
            "stance_diff",
            "stance_diff_lo",
            "stance_diff_hi",
            "stance_p",
            "sentiment_diff",
            "sentiment_diff_lo",
            "sentiment_diff_hi",
            "sentiment_p",
            "warning",
            "method",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut table_rows: Vec<Vec<Cell>> = Vec::new();
        let method = format!(
            "difference of pooled means (a - b); 95% percentile bootstrap over articles ({} replicates); two-sided permutation test over articles ({} permutations); seed {}",
            a.replicates, a.permutations, a.seed
        );
        for d in &diffs {
            table_rows.push(vec![
                Cell::Str(d.actor.clone()),
                Cell::Str(d.group_a.clone()),
                Cell::Str(d.group_b.clone()),
                Cell::Int(d.articles_a as u64),
                Cell::Int(d.articles_b as u64),
                Cell::Int(d.units_a as u64),
                Cell::Int(d.units_b as u64),
                Cell::opt(Some(d.stance_diff)),
                Cell::opt(d.stance_ci.map(|c| c.0)),
                Cell::opt(d.stance_ci.map(|c| c.1)),
                Cell::opt(d.stance_p),
                Cell::opt(Some(d.sentiment_diff)),
                Cell::opt(d.sentiment_ci.map(|c| c.0)),
                Cell::opt(d.sentiment_ci.map(|c| c.1)),
                Cell::opt(d.sentiment_p),
                Cell::Str(d.warning.clone()),
                Cell::Str(method.clone()),
            ]);
        }
        write_table_file(
            p,
            a.format,
            &a.input.paths,
            h,
            !a.run.no_csv_guard,
            table_rows,
        )?;
    }
    let method = format!(
        "95% intervals: percentile bootstrap over articles within group ({} replicates, seed {}); a group of one article: t-interval over its units",
        a.replicates, a.seed
    );
    let mut header: Vec<String> = a.by.clone();
    header.extend(
        [
            "actor",
            "articles",
            "units",
            "stance_score",
            "stance_lo",
            "stance_hi",
            "sentiment_score",
            "sentiment_lo",
            "sentiment_hi",
            "share_supportive",
            "share_skeptical",
            "share_neutral",
            "share_positive",
            "share_negative",
            "share_neutral_sentiment",
            "adj_share_supportive",
            "adj_share_skeptical",
            "adj_share_neutral",
            "adj_share_positive",
            "adj_share_negative",
            "adj_share_neutral_sentiment",
            "warning",
            "interval_method",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let row_of = |g: &stance::compare::GroupRow| -> Vec<Cell> {
        let mut r: Vec<Cell> = g.group.iter().map(|v| Cell::Str(v.clone())).collect();
        r.push(Cell::Str(g.actor.clone()));
        r.push(Cell::Int(g.articles as u64));
        r.push(Cell::Int(g.units as u64));
        r.push(Cell::opt(Some(g.stance_score)));
        r.push(Cell::opt(g.stance_ci.map(|c| c.0)));
        r.push(Cell::opt(g.stance_ci.map(|c| c.1)));
        r.push(Cell::opt(Some(g.sentiment_score)));
        r.push(Cell::opt(g.sentiment_ci.map(|c| c.0)));
        r.push(Cell::opt(g.sentiment_ci.map(|c| c.1)));
        r.extend(num3(g.stance_shares));
        r.extend(num3(g.sentiment_shares));
        for (shares, conf) in [
            (g.stance_shares, stance_conf),
            (g.sentiment_shares, sentiment_conf),
        ] {
            match conf.and_then(|c| stance::compare::adjusted_shares(shares, c)) {
                Some(adj) => r.extend(num3(adj)),
                None => r.extend([Cell::Empty, Cell::Empty, Cell::Empty]),
            }
        }
        r.push(Cell::Str(g.warning.clone()));
        r.push(Cell::Str(g.interval_method.clone()));
        r
    };
    if let Some(p) = &a.out {
        let rows: Vec<Vec<Cell>> = groups.iter().map(&row_of).collect();
        write_table_file(
            p,
            a.format,
            &a.input.paths,
            header.clone(),
            !a.run.no_csv_guard,
            rows,
        )?;
    }
    if let Some(p) = &a.chart {
        check_not_input(p, &a.input.paths)?;
        let title = format!("stance by {}", a.by.join(" × "));
        let shares = shares_path(p);
        atomic_draw(p, |tmp| stance::chart::scores_chart(&groups, tmp, &title))?;
        atomic_draw(&shares, |tmp| {
            stance::chart::shares_chart(&groups, tmp, &title)
        })?;
    }
    if let Some(p) = &a.report {
        check_not_input(p, &a.input.paths)?;
        if report.is_empty() {
            bail!("--report needs the articles' text, not score's article rows");
        }
        let title = format!("stance: comparison by {}", a.by.join(" × "));
        let kept: std::collections::HashSet<&str> =
            rows.iter().map(|r| r.article_id.as_str()).collect();
        let arts: Vec<_> = report
            .into_iter()
            .filter(|r| kept.contains(r.id.as_str()))
            .collect();
        let html = stance::report::render(&stance::report::Report {
            title: &title,
            by: &a.by,
            method: &method,
            model_note: &source,
            groups: &groups,
            scores_svg: &stance::chart::scores_svg(&groups, &title)?,
            shares_svg: &stance::chart::shares_svg(&groups, &title)?,
            articles: &arts,
        })?;
        let f = AtomicFile::create(p)?;
        {
            let mut w = f.writer()?;
            std::io::Write::write_all(&mut w, html.as_bytes())?;
            std::io::Write::flush(&mut w)?;
        }
        f.commit()?;
    }
    // The human table: fewer columns, shares as percentages left to the CSV.
    let stdout_format = if a.out.is_some() {
        Format::Table
    } else {
        a.format.unwrap_or(Format::Table)
    };
    if stdout_format == Format::Table {
        println!("stance compare — {source}; {method}");
        let mut h: Vec<String> = a.by.clone();
        h.extend(
            [
                "actor",
                "articles",
                "units",
                "stance",
                "95% CI",
                "sentiment",
                "95% CI",
                "warning",
            ]
            .iter()
            .map(|s| s.to_string()),
        );
        let mut t = TableWriter::new(Box::new(std::io::stdout()), Format::Table, h, false)?;
        let ci =
            |c: Option<(f64, f64)>| c.map_or(String::new(), |(l, h)| format!("[{l:+.3}, {h:+.3}]"));
        for g in &groups {
            let mut r: Vec<Cell> = g.group.iter().map(|v| Cell::Str(v.clone())).collect();
            r.push(Cell::Str(g.actor.clone()));
            r.push(Cell::Int(g.articles as u64));
            r.push(Cell::Int(g.units as u64));
            r.push(Cell::Str(format!("{:+.3}", g.stance_score)));
            r.push(Cell::Str(ci(g.stance_ci)));
            r.push(Cell::Str(format!("{:+.3}", g.sentiment_score)));
            r.push(Cell::Str(ci(g.sentiment_ci)));
            r.push(Cell::Str(g.warning.clone()));
            t.row(&r)?;
        }
        t.finish()?;
    } else {
        let mut t = TableWriter::new(
            Box::new(std::io::stdout()),
            stdout_format,
            header,
            !a.run.no_csv_guard,
        )?;
        for g in &groups {
            t.row(&row_of(g))?;
        }
        t.finish()?;
    }
    Ok(())
}
