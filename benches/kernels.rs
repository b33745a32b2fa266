//! Kernel benchmarks: each step of `stance score` alone, on articles built
//! from the seed paragraphs, so that a change to one step can be measured
//! without the noise of reading, threads and writing files. `bench/run`
//! times the whole command against the Python peer; this says where the
//! time goes inside it.
//!
//!   cargo bench --bench kernels            (about 3 MB of articles)
//!   STANCE_BENCH_MB=20 cargo bench --bench kernels
//!   cargo bench --bench kernels -- score    (only kernels whose name has "score")
//!
//! Each kernel runs five times over the same articles; the best run is
//! printed (the others are the machine's noise). Written with `Instant`
//! rather than criterion: the kernels are long enough (tens of
//! milliseconds) that one timed pass each is a stable figure, and the
//! project avoids a heavy dependency for it.

use stance::actors::Lexicon;
use stance::clean::{clean, CleanOptions};
use stance::input::Article;
use stance::modelfile::StanceModel;
use stance::output::{Format, RowFormat};
use stance::score::{ScoreScratch, Scorer};
use stance::score_rows::RowMaker;
use stance::vectorize::SentenceCounts;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Articles of 10–40 distinct seed paragraphs, chosen by a fixed linear
/// congruential sequence (the same articles on every run), up to `mb` MB.
fn articles(mb: f64) -> Vec<Article> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("seeds folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let mut paras: Vec<String> = Vec::new();
    for p in paths {
        let t = std::fs::read_to_string(&p).expect("seed text");
        for para in t.split("\n\n") {
            let para = para.split_whitespace().collect::<Vec<_>>().join(" ");
            if para.len() > 40 && !paras.contains(&para) {
                paras.push(para);
            }
        }
    }
    let mut state: u64 = 20261124;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    let limit = (mb * 1e6) as usize;
    let (mut out, mut total) = (Vec::new(), 0);
    while total < limit {
        let k = 10 + next(31);
        let text: Vec<&str> = (0..k).map(|_| paras[next(paras.len())].as_str()).collect();
        let text = text.join("\n\n");
        total += text.len();
        let mut meta = BTreeMap::new();
        meta.insert("outlet".to_string(), format!("outlet-{}", out.len() % 5));
        out.push(Article {
            id: format!("a{:08}", out.len()),
            text,
            meta,
            origin: String::new(),
            replaced: 0,
        });
    }
    out
}

/// Whether the kernel `name` was asked for (all when no filter is given).
fn wanted(name: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
}

/// Best of five runs of `f`, if the kernel `name` was asked for.
fn best(name: &str, mut f: impl FnMut()) -> Option<Duration> {
    if !wanted(name) {
        return None;
    }
    (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
}

fn report(name: &str, bytes: usize, items: usize, what: &str, d: Option<Duration>) {
    let Some(d) = d else { return };
    let s = d.as_secs_f64();
    println!(
        "{name:<28} {:>8.1} ms {:>8.1} MB/s {:>12.0} {what}/s",
        s * 1e3,
        bytes as f64 / 1e6 / s,
        items as f64 / s
    );
}

fn main() {
    let mb: f64 = std::env::var("STANCE_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3.0);
    let arts = articles(mb);
    let bytes: usize = arts.iter().map(|a| a.text.len()).sum();
    let model = StanceModel::default_model().expect("shipped model");
    let lex = Lexicon::default_lexicon();
    let opts = CleanOptions::default();
    println!(
        "{} articles, {:.1} MB, one thread",
        arts.len(),
        bytes as f64 / 1e6
    );

    let cleaned: Vec<_> = arts.iter().map(|a| clean(&a.text, opts)).collect();
    let sentences: Vec<&str> = cleaned
        .iter()
        .flat_map(|c| c.sentences.iter().map(|s| s.text.as_str()))
        .collect();
    let sbytes: usize = sentences.iter().map(|s| s.len()).sum();

    let d = best("clean", || {
        for a in &arts {
            black_box(clean(black_box(&a.text), opts));
        }
    });
    report(
        "clean (page → sentences)",
        bytes,
        sentences.len(),
        "sentences",
        d,
    );

    let d = best("actor matching", || {
        for s in &sentences {
            black_box(lex.find(black_box(s)));
        }
    });
    report("actor matching", sbytes, sentences.len(), "sentences", d);

    let mut nunits = 0;
    let d = best("units", || {
        nunits = 0;
        let mut scratch = stance::units::UnitScratch::default();
        for c in &cleaned {
            stance::units::each_unit(black_box(c), &lex, &mut scratch, |u| {
                black_box(u);
                nunits += 1;
            });
        }
    });
    report("units (actor matching)", sbytes, nunits, "units", d);

    let mentioned: Vec<(&str, Vec<stance::actors::Mention>)> = sentences
        .iter()
        .map(|s| (*s, lex.find(s)))
        .filter(|(_, m)| !m.is_empty())
        .collect();
    let mbytes: usize = mentioned.iter().map(|(s, _)| s.len()).sum();
    let m = &model.model;
    if let Some(v) = m.vectorizer() {
        let mut sc = SentenceCounts::default();
        let mut counts = Vec::new();
        let mut units = 0usize;
        let d = best("features", || {
            units = 0;
            for (s, ms) in &mentioned {
                v.sentence(s, ms, &mut sc);
                let mut actors: Vec<usize> = ms.iter().map(|m| m.actor).collect();
                actors.sort_unstable();
                actors.dedup();
                for a in actors {
                    v.unit(&sc, a, &mut counts);
                    black_box(m.predict_counts(&counts));
                    units += 1;
                }
            }
        });
        report("features + naive Bayes", mbytes, units, "units", d);
    }

    let scorer = Scorer {
        model: &model,
        lexicon: &lex,
        clean: opts,
    };
    let meta: Vec<String> = Vec::new();
    let header = |n: usize| -> Vec<String> { (0..n).map(|i| format!("c{i}")).collect() };
    let art_fmt = RowFormat::new(Format::Csv, &header(15), true);
    let unit_fmt = RowFormat::new(Format::Csv, &header(15), true);
    let maker = RowMaker {
        scorer: &scorer,
        meta: &meta,
        articles: &art_fmt,
        units: None,
        explain: None,
    };
    let mut scratch = ScoreScratch::default();
    let mut nunits = 0;
    let d = best("score", || {
        nunits = 0;
        for a in &arts {
            let r = maker.rows(black_box(a), &mut scratch);
            nunits += r.units;
            black_box(r);
        }
    });
    report("score (all of the above)", bytes, nunits, "units", d);

    let maker = RowMaker {
        units: Some(&unit_fmt),
        ..maker
    };
    let d = best("rows", || {
        for a in &arts {
            black_box(maker.rows(black_box(a), &mut scratch));
        }
    });
    report("score and unit rows (CSV)", bytes, nunits, "units", d);
}
