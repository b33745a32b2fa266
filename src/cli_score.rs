//! `stance score`, and the article stream it shares with `compare`: read
//! articles with their metadata, score them in parallel, hand the results
//! on in input order, and count what was done.

use crate::{
    check_not_input, progress, warn_untrained_actors, InputArgs, ModelArgs, RunArgs, Sink,
};
use anyhow::{bail, Result};
use clap::Args;
use stance::clean::CleanOptions;
use stance::input::{expand, Article, ArticleReader, InputOptions, Metadata};
use stance::output::{AtomicFile, Format, TableWriter};
use stance::pipeline::{ordered_map, BatchLimit};
use stance::score::{ScoreScratch, ScoredArticle, Scorer};
use stance::score_rows::{article_header, unit_header, ArticleRows, RowMaker};
use std::path::PathBuf;

#[derive(Args)]
pub struct ScoreArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    model: ModelArgs,
    /// Write one row per (sentence, actor) unit here (.csv or .jsonl).
    #[arg(long)]
    sentences: Option<PathBuf>,
    /// Write one row per (article, actor) here (.csv or .jsonl); without it, article rows go to stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Output format (default: by extension; on stdout a table on a terminal, else CSV).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Add `stance_explanation` and `sentiment_explanation` columns to the
    /// unit rows: the features that drove each label against the runner-up.
    #[arg(long)]
    explain: bool,
    #[command(flatten)]
    run: RunArgs,
}

pub fn cmd_score(a: ScoreArgs) -> Result<()> {
    crate::setup_threads(a.run.threads);
    // The cleaner's patterns compile while the model loads.
    let patterns = std::thread::spawn(stance::clean::prepare);
    let (model, lex) = a.model.load()?;
    let _ = patterns.join();
    warn_untrained_actors(&model, &lex, a.run.quiet);
    let scorer = Scorer {
        model: &model,
        lexicon: &lex,
        clean: CleanOptions::with_clean(!a.input.no_clean),
    };
    let guard = !a.run.no_csv_guard;
    let (art_sink, art_w) = Sink::open(a.out.as_deref(), a.format, &a.input.paths)?;
    let sent = match &a.sentences {
        Some(p) => Some(Sink::open(
            Some(p),
            a.format.filter(|f| *f != Format::Table),
            &a.input.paths,
        )?),
        None => None,
    };
    let stream = ArticleStream::open(&a.input)?;
    let cols = stream.columns.clone();
    let mut art_table = TableWriter::new(art_w, art_sink.format, article_header(&cols), guard)?;
    let (sent_sink, mut sent_table) = match sent {
        Some((s, w)) => {
            let h = unit_header(&cols, a.explain);
            let t = TableWriter::new(w, s.format, h, guard)?;
            (Some(s), Some(t))
        }
        None => (None, None),
    };
    let art_fmt = art_table.row_format().clone();
    let unit_fmt = sent_table.as_ref().map(|t| t.row_format().clone());
    let maker = RowMaker {
        scorer: &scorer,
        meta: &cols,
        articles: &art_fmt,
        units: unit_fmt.as_ref(),
        explain: a.explain.then_some(&model.model),
    };
    let summary = stream.run(
        &a.input,
        a.run.quiet,
        |art| {
            // Buffers reused by every article a thread scores.
            thread_local! {
                static SCRATCH: std::cell::RefCell<ScoreScratch> = Default::default();
            }
            SCRATCH.with(|s| maker.rows(&art, &mut s.borrow_mut()))
        },
        |mut rows: ArticleRows| {
            art_table.write_rows(&mut rows.articles)?;
            if let Some(t) = sent_table.as_mut() {
                t.write_rows(&mut rows.unit_rows)?;
            }
            Ok(())
        },
    )?;
    art_table.finish()?;
    if let Some(t) = sent_table {
        t.finish()?;
    }
    art_sink.commit()?;
    if let Some(s) = sent_sink {
        s.commit()?;
    }
    summary.print(a.run.quiet);
    Ok(())
}

/// What a scored article adds to the run summary.
pub trait Tallied {
    fn tally(&self, s: &mut Summary);
}

impl Tallied for ScoredArticle {
    fn tally(&self, s: &mut Summary) {
        s.articles += 1;
        s.sentences += self.sentences;
        s.units += self.units.len();
        s.bytes += self.article.text.len();
    }
}

impl Tallied for ArticleRows {
    fn tally(&self, s: &mut Summary) {
        s.articles += 1;
        s.sentences += self.sentences;
        s.units += self.units;
        s.bytes += self.bytes;
    }
}

/// The articles of the input, with metadata joined. The first article is
/// read on opening, so that the metadata columns of the outputs are known
/// before any row is made.
pub struct ArticleStream {
    joined: Joined,
    /// Metadata columns: those of --meta, else the first article's keys.
    pub columns: Vec<String>,
}

impl ArticleStream {
    pub fn open(input: &InputArgs) -> Result<ArticleStream> {
        let opts = InputOptions {
            format: input.input_format,
            glob: input.glob.clone(),
            lossy: input.lossy,
        };
        let sources = expand(&input.paths, &opts)?;
        let meta = match &input.meta {
            Some(p) => Some(Metadata::read(p)?),
            None => None,
        };
        let mut joined = Joined {
            reader: ArticleReader::new(sources, opts),
            meta,
            keep_going: input.keep_going,
            rejects: Vec::new(),
            used_meta: Default::default(),
            replaced: 0,
            first: None,
        };
        let first = joined.next().transpose()?;
        let columns = match (&joined.meta, &first) {
            (Some(m), _) => m.columns.clone(),
            (None, Some(a)) => a.meta.keys().cloned().collect(),
            (None, None) => Vec::new(),
        };
        joined.first = first;
        Ok(ArticleStream { joined, columns })
    }

    /// Map every article with `f` in parallel, in batches, and hand the
    /// results to `sink` in input order; then report rejects and unused
    /// metadata rows.
    pub fn run<T, F, S>(self, input: &InputArgs, quiet: bool, f: F, mut sink: S) -> Result<Summary>
    where
        T: Tallied + Send,
        F: Fn(Article) -> T + Sync,
        S: FnMut(T) -> Result<()>,
    {
        let mut summary = Summary::default();
        let start = std::time::Instant::now();
        let bar = progress(quiet);
        let Joined {
            rejects,
            used_meta,
            replaced,
            meta,
            ..
        } = ordered_map(
            self.joined,
            BatchLimit::default(),
            |a: &Article| a.text.len(),
            f,
            |t: T| -> Result<()> {
                t.tally(&mut summary);
                sink(t)?;
                if let Some(b) = &bar {
                    if summary.articles % 256 == 0 {
                        b.set_position(summary.bytes as u64);
                        b.set_message(format!("{} articles", summary.articles));
                    }
                }
                Ok(())
            },
        )?;
        summary.replaced = replaced;
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        if input.keep_going {
            let path = input
                .rejects
                .clone()
                .unwrap_or_else(|| PathBuf::from("stance-rejects.csv"));
            check_not_input(&path, &input.paths)?;
            let f = AtomicFile::create(&path)?;
            let mut w = csv::Writer::from_writer(f.writer()?);
            w.write_record(["record", "reason"])?;
            for (loc, why) in &rejects {
                w.write_record([loc, why])?;
            }
            w.flush()?;
            drop(w);
            f.commit()?;
            summary.rejects = rejects.len();
            if !quiet || !rejects.is_empty() {
                eprintln!(
                    "stance: {} record(s) rejected; see {}",
                    rejects.len(),
                    path.display()
                );
            }
        }
        if summary.articles == 0 {
            bail!("no articles in the input");
        }
        if let Some(m) = &meta {
            let unused: Vec<&String> = m.rows.keys().filter(|k| !used_meta.contains(*k)).collect();
            if !unused.is_empty() {
                let msg = format!(
                    "{}: {} metadata row(s) match no article in the input (first: {})",
                    input
                        .meta
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                    unused.len(),
                    unused
                        .iter()
                        .take(3)
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                // A row for no article usually means ids that do not match
                // the files (renamed files, another corpus): stop, unless
                // the user asked to keep going.
                if !input.keep_going {
                    bail!("{msg}");
                }
                eprintln!("stance: warning: {msg}");
            }
        }
        summary.seconds = start.elapsed().as_secs_f64();
        Ok(summary)
    }
}

/// The article stream with metadata joined; record-level errors become
/// rejects under --keep-going, and only fatal ones are passed on.
struct Joined {
    reader: ArticleReader,
    meta: Option<Metadata>,
    keep_going: bool,
    rejects: Vec<(String, String)>,
    used_meta: std::collections::HashSet<String>,
    replaced: usize,
    /// Read ahead by `ArticleStream::open`.
    first: Option<Article>,
}

impl Iterator for Joined {
    type Item = Result<Article>;

    fn next(&mut self) -> Option<Result<Article>> {
        if let Some(a) = self.first.take() {
            return Some(Ok(a));
        }
        loop {
            let mut a = match self.reader.next()? {
                Ok(a) => a,
                Err(e) if self.keep_going && e.is_record_level() => {
                    self.rejects.push(e.location_and_reason());
                    continue;
                }
                Err(e) => return Some(Err(e.into())),
            };
            if let Some(m) = &self.meta {
                if let Some(row) = m.rows.get(&a.id) {
                    self.used_meta.insert(a.id.clone());
                    for (k, v) in row {
                        a.meta.insert(k.clone(), v.clone());
                    }
                }
            }
            self.replaced += a.replaced;
            return Some(Ok(a));
        }
    }
}

#[derive(Default, Debug)]
pub struct Summary {
    pub articles: usize,
    pub sentences: usize,
    pub units: usize,
    pub bytes: usize,
    pub replaced: usize,
    pub rejects: usize,
    pub seconds: f64,
}

impl Summary {
    pub fn print(&self, quiet: bool) {
        if quiet {
            return;
        }
        let mb = self.bytes as f64 / 1e6;
        eprintln!(
            "stance: {} articles, {} sentences, {} units, {} rejects, {:.1} MB in {:.2} s ({:.1} MB/s){}",
            self.articles,
            self.sentences,
            self.units,
            self.rejects,
            mb,
            self.seconds,
            mb / self.seconds.max(1e-9),
            if self.replaced > 0 {
                format!(", {} invalid UTF-8 sequences replaced", self.replaced)
            } else {
                String::new()
            }
        );
    }
}
