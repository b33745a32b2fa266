//! Placing the labels of label files in parallel, in bounded memory, with
//! results that do not depend on the number of threads.
//!
//! One thread reads the files into numbered chunks of records; worker
//! threads place each chunk's rows and fold the units into an accumulator
//! of their own. Chunks wait in a channel of a few slots, so memory holds a
//! few chunks, the accumulators and the article cache, whatever the number
//! of rows. Everything that reaches the caller is either a sum (the same in
//! any order) or tagged with its chunk number and put back in file order:
//! the first error in the files wins, and unplaceable labels are listed in
//! file order.

use crate::actors::Lexicon;
use crate::article_cache::ArticleCache;
use crate::clean::CleanOptions;
use crate::error::{Result, StanceError};
use crate::label_read::LabelReader;
use crate::labels::{Columns, Outcome, PlaceState, Placer, UnitRef};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver};
use std::sync::{Arc, Mutex};

/// Rows per chunk: big enough that handing chunks around costs nothing,
/// small enough that a few in flight weigh little.
const CHUNK_ROWS: usize = 1024;

/// Unplaceable labels listed in the error (all are counted).
const MAX_LISTED: usize = 50;

/// What a label file was.
#[derive(Debug, Clone)]
pub struct FileInfo {
    pub path: PathBuf,
    pub sha256: String,
    /// Every row, noise and all.
    pub rows: usize,
}

/// Everything but the units that placing found.
#[derive(Debug, Default)]
pub struct Summary {
    pub files: Vec<FileInfo>,
    pub units: usize,
    pub noise: usize,
    /// Units per stance / sentiment class.
    pub stance_counts: [usize; 3],
    pub sentiment_counts: [usize; 3],
    /// Actor names as the labels spell them.
    pub actors: BTreeSet<String>,
    /// Distinct articles with at least one unit.
    pub articles: usize,
    /// SHA-256 of every article read from `--texts`, by id.
    pub text_hashes: BTreeMap<String, String>,
}

struct Chunk {
    index: usize,
    file: Arc<(PathBuf, Columns)>,
    rows: Vec<csv::ByteRecord>,
    len: usize,
}

/// Unplaceable labels and the error of one chunk.
#[derive(Default)]
struct Report {
    unplaced: Vec<String>,
    unplaced_n: usize,
    error: Option<StanceError>,
}

struct Worker<A> {
    acc: A,
    place: PlaceState,
    units: usize,
    noise: usize,
    stance_counts: [usize; 3],
    sentiment_counts: [usize; 3],
    actors: BTreeSet<String>,
    /// 128-bit hashes of article ids: distinct articles are counted without
    /// holding every id.
    articles: std::collections::HashSet<u128>,
    last_article: String,
    reports: Vec<(usize, Report)>,
}

/// Place every label of `files` and fold each unit into an accumulator
/// made by `init` with `each(acc, chunk_number, unit)`. Returns one
/// accumulator per worker (combine them with an order-independent merge,
/// or order their items by chunk number with `in_file_order`).
pub fn stream_units<A, I, F>(
    files: &[PathBuf],
    texts: Option<&Path>,
    lex: &Lexicon,
    clean: CleanOptions,
    init: I,
    each: F,
) -> Result<(Vec<A>, Summary)>
where
    A: Send,
    I: Fn() -> A + Sync,
    F: Fn(&mut A, usize, &UnitRef) + Sync,
{
    let cache = texts.map(|d| ArticleCache::new(d, lex, clean));
    let placer = Placer {
        lex,
        articles: cache.as_ref(),
    };
    let workers = rayon::current_num_threads().max(1);
    // The first chunk with an error: later chunks need no work.
    let stop = AtomicUsize::new(usize::MAX);
    let (read, outs) = std::thread::scope(|scope| {
        // The receiving ends live in this closure: if a worker panicked,
        // unwinding drops them and the reader stops instead of waiting for
        // room in the channel forever.
        let (chunk_tx, chunk_rx) = sync_channel::<Chunk>(workers * 2);
        let chunk_rx = Mutex::new(chunk_rx);
        let (spare_tx, spare_rx) = channel::<Vec<csv::ByteRecord>>();
        let spare_tx = Mutex::new(spare_tx);
        let stop = &stop;
        let reader = scope.spawn(move || read_chunks(files, chunk_tx, spare_rx, stop));
        // One worker on each thread of the rayon pool: its threads would
        // otherwise spin idle beside threads of our own.
        let outs = rayon::broadcast(|_| {
            let spare_tx = spare_tx.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let mut w = Worker {
                acc: init(),
                place: PlaceState::default(),
                units: 0,
                noise: 0,
                stance_counts: [0; 3],
                sentiment_counts: [0; 3],
                actors: BTreeSet::new(),
                articles: Default::default(),
                last_article: String::new(),
                reports: Vec::new(),
            };
            loop {
                let next = chunk_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                let Ok(chunk) = next else { break };
                if chunk.index <= stop.load(Ordering::Relaxed) {
                    if let Some(r) = place_chunk(&chunk, &placer, &mut w, &each) {
                        if r.error.is_some() {
                            stop.fetch_min(chunk.index, Ordering::Relaxed);
                        }
                        w.reports.push((chunk.index, r));
                    }
                }
                let _ = spare_tx.send(chunk.rows);
            }
            w
        });
        let read = reader
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (read, outs)
    });
    let (files_info, read_error) = read;
    let mut reports: Vec<(usize, Report)> = Vec::new();
    if let Some((i, e)) = read_error {
        reports.push((
            i,
            Report {
                error: Some(e),
                ..Default::default()
            },
        ));
    }
    let mut summary = Summary {
        files: files_info,
        ..Default::default()
    };
    let mut articles = std::collections::HashSet::new();
    let mut accs = Vec::with_capacity(outs.len());
    for w in outs {
        reports.extend(w.reports);
        summary.units += w.units;
        summary.noise += w.noise;
        for k in 0..3 {
            summary.stance_counts[k] += w.stance_counts[k];
            summary.sentiment_counts[k] += w.sentiment_counts[k];
        }
        summary.actors.extend(w.actors);
        summary.text_hashes.extend(w.place.text_hashes);
        articles.extend(w.articles);
        accs.push(w.acc);
    }
    summary.articles = articles.len();
    reports.sort_by_key(|r| r.0);
    let mut unplaced = Vec::new();
    let mut unplaced_n = 0;
    for (_, r) in reports {
        if let Some(e) = r.error {
            return Err(e);
        }
        unplaced_n += r.unplaced_n;
        unplaced.extend(r.unplaced);
    }
    if unplaced_n > 0 {
        unplaced.truncate(MAX_LISTED);
        return Err(StanceError::Training(format!(
            "{unplaced_n} label(s) cannot be placed:\n  {}",
            unplaced.join("\n  ")
        )));
    }
    if summary.units == 0 {
        return Err(StanceError::Training("no usable (non-noise) labels".into()));
    }
    Ok((accs, summary))
}

/// Items tagged with their chunk number, from every worker, back in the
/// order of the label files.
pub fn in_file_order<T>(parts: Vec<Vec<(usize, T)>>) -> Vec<T> {
    let mut all: Vec<(usize, T)> = parts.into_iter().flatten().collect();
    // Stable: a chunk's items are in row order already.
    all.sort_by_key(|p| p.0);
    all.into_iter().map(|p| p.1).collect()
}

/// Place a chunk's rows; a report when something went wrong.
fn place_chunk<A>(
    chunk: &Chunk,
    placer: &Placer,
    w: &mut Worker<A>,
    each: &impl Fn(&mut A, usize, &UnitRef),
) -> Option<Report> {
    let (file, cols) = &*chunk.file;
    let mut report: Option<Report> = None;
    for rec in &chunk.rows[..chunk.len] {
        let mut placed = |u: &UnitRef| {
            each(&mut w.acc, chunk.index, u);
            w.units += 1;
            w.stance_counts[u.stance] += 1;
            w.sentiment_counts[u.sentiment] += 1;
            if !w.actors.contains(u.actor) {
                w.actors.insert(u.actor.to_string());
            }
            if w.last_article != u.article_id {
                w.articles.insert(crate::input::id_hash(u.article_id));
                w.last_article.clear();
                w.last_article.push_str(u.article_id);
            }
        };
        match placer.place_row(file, cols, rec, &mut w.place, &mut placed) {
            Ok(Outcome::Placed) => {}
            Ok(Outcome::Noise) => w.noise += 1,
            Ok(Outcome::Unplaced(msg)) => {
                let r = report.get_or_insert_with(Report::default);
                r.unplaced_n += 1;
                if r.unplaced.len() < MAX_LISTED {
                    r.unplaced.push(msg);
                }
            }
            Err(e) => {
                report.get_or_insert_with(Report::default).error = Some(e);
                break;
            }
        }
    }
    report
}

type ReadResult = (Vec<FileInfo>, Option<(usize, StanceError)>);

/// Read every file into chunks; the first read error comes back with the
/// number of the chunk it would have started.
fn read_chunks(
    files: &[PathBuf],
    tx: std::sync::mpsc::SyncSender<Chunk>,
    spare: Receiver<Vec<csv::ByteRecord>>,
    stop: &AtomicUsize,
) -> ReadResult {
    let mut infos = Vec::new();
    let mut index = 0usize;
    let fail = |index: usize, e: StanceError| {
        stop.fetch_min(index, Ordering::Relaxed);
        Some((index, e))
    };
    for path in files {
        let mut r = match LabelReader::open(path) {
            Ok(r) => r,
            Err(e) => return (infos, fail(index, e)),
        };
        // A header fault is reported at the first row, as a file with no
        // rows is reported as such whatever its header.
        let mut cols = Some(Columns::new(path, &r.headers));
        let mut file: Option<Arc<(PathBuf, Columns)>> = None;
        loop {
            if index > stop.load(Ordering::Relaxed) {
                return (infos, None);
            }
            let mut rows = spare.try_recv().unwrap_or_default();
            let mut len = 0;
            let mut failed = None;
            while len < CHUNK_ROWS {
                if rows.len() == len {
                    rows.push(csv::ByteRecord::new());
                }
                match r.next_into(&mut rows[len]) {
                    Ok(true) => len += 1,
                    Ok(false) => break,
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            if len > 0 {
                match cols.take() {
                    Some(Ok(c)) => file = Some(Arc::new((path.clone(), c))),
                    Some(Err(e)) => return (infos, fail(index, e)),
                    None => {}
                }
            }
            let at_end = failed.is_some() || len < CHUNK_ROWS;
            if len > 0 {
                let chunk = Chunk {
                    index,
                    file: file.clone().expect("set above"),
                    rows,
                    len,
                };
                index += 1;
                if tx.send(chunk).is_err() {
                    return (infos, None);
                }
            }
            if let Some(e) = failed {
                return (infos, fail(index, e));
            }
            if at_end {
                break;
            }
        }
        if r.rows() == 0 {
            return (
                infos,
                fail(index, StanceError::file(path, "label file has no rows")),
            );
        }
        infos.push(FileInfo {
            path: path.clone(),
            sha256: r.sha256(),
            rows: r.rows(),
        });
    }
    (infos, None)
}
