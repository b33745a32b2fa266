//! End-to-end behaviour of the binary on the real seed articles.
mod common;
use common::*;
use std::collections::{BTreeMap, BTreeSet};

/// The README's main job: compare the seeds by outlet on the shipped model.
#[test]
fn readme_main_job_compares_all_seed_outlets_and_actors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp.csv");
    let o = run(
        &[
            "compare",
            "seeds/",
            "--meta",
            "seeds/meta.csv",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
        &root(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    for outlet in [
        "etemad",
        "afpc",
        "responsible-statecraft",
        "content-farm",
        "khoshnood-unknown",
    ] {
        assert!(table.contains(outlet), "table lacks {outlet}:\n{table}");
    }
    let mut r = csv::Reader::from_path(&out).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(|s| s.to_string()).collect();
    for col in [
        "outlet",
        "actor",
        "articles",
        "units",
        "stance_score",
        "stance_lo",
        "stance_hi",
        "sentiment_score",
        "sentiment_lo",
        "sentiment_hi",
        "warning",
        "interval_method",
    ] {
        assert!(h.iter().any(|x| x == col), "missing column {col}");
    }
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let get = |c: &str| {
            rec.get(h.iter().position(|x| x == c).unwrap())
                .unwrap()
                .to_string()
        };
        for c in ["stance_score", "sentiment_score"] {
            let v: f64 = get(c).parse().unwrap();
            assert!(v.is_finite() && (-1.0..=1.0).contains(&v), "{c} = {v}");
        }
        // One article per outlet: a warning, and no bootstrap interval wider than [-1, 1].
        assert!(get("warning").contains("fewer than 5 articles"));
        seen.entry(get("outlet")).or_default().insert(get("actor"));
    }
    assert_eq!(seen.len(), 5);
    for (outlet, actors) in seen {
        assert_eq!(actors.len(), 3, "{outlet} lacks an actor: {actors:?}");
    }
}

#[test]
fn score_writes_sentences_and_articles_deterministically_across_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let s = dir.path().join(format!("s{threads}.csv"));
        let a = dir.path().join(format!("a{threads}.jsonl"));
        let o = run(
            &[
                "score",
                "seeds/",
                "--meta",
                "seeds/meta.csv",
                "--sentences",
                s.to_str().unwrap(),
                "--out",
                a.to_str().unwrap(),
                "--threads",
                threads,
                "--quiet",
            ],
            &root(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        outputs.push((std::fs::read(&s).unwrap(), std::fs::read(&a).unwrap()));
    }
    assert_eq!(outputs[0], outputs[1]);
    let text = String::from_utf8(outputs[0].0.clone()).unwrap();
    let header = text.lines().next().unwrap();
    assert_eq!(
        header,
        "article_id,outlet,title,author,date,sentence_index,actor,matched,stance,p_supportive,p_skeptical,p_neutral,sentiment,p_positive,p_negative,p_neutral_sentiment,span_start,span_end,text"
    );
    // Seed 002's teasers of other articles are not scored as seed 002.
    for teaser in ["Ryabkov", "raider attack", "ASEAN", "sycophants"] {
        assert!(!text.contains(teaser), "teaser text {teaser:?} was scored");
    }
    // Every JSONL article row parses and has probabilities-derived scores in range.
    for l in String::from_utf8(outputs[0].1.clone()).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let s = v["stance_score"].as_f64().unwrap();
        assert!((-1.0..=1.0).contains(&s));
    }
}

#[test]
fn compare_combines_score_shards_like_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let all = dir.path().join("all.csv");
    let o = run(
        &[
            "score",
            "seeds/",
            "--meta",
            "seeds/meta.csv",
            "--out",
            all.to_str().unwrap(),
            "--quiet",
        ],
        &root(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let direct = run(
        &[
            "compare",
            "seeds/",
            "--meta",
            "seeds/meta.csv",
            "--format",
            "csv",
            "--quiet",
        ],
        &root(),
    );
    let from_rows = run(
        &[
            "compare",
            all.to_str().unwrap(),
            "--format",
            "csv",
            "--quiet",
        ],
        &root(),
    );
    assert!(from_rows.status.success(), "{}", stderr(&from_rows));
    assert_eq!(stdout(&direct), stdout(&from_rows));
}

fn expect_error(args: &[&str], needle: &str, no_file: Option<&std::path::Path>) {
    let o = run(args, &root());
    assert_eq!(o.status.code(), Some(2), "args {args:?}: {}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains(needle),
        "error for {args:?} should mention {needle:?}: {e}"
    );
    assert!(!e.contains("panicked"), "{e}");
    assert_eq!(e.trim().lines().count(), 1, "one-line error expected: {e}");
    if let Some(p) = no_file {
        assert!(!p.exists(), "partial output {} was left", p.display());
    }
}

#[test]
fn bad_inputs_fail_with_named_location_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = d.join("out.csv");
    let o = out.to_str().unwrap();
    std::fs::write(
        d.join("latin1.txt"),
        b"Russia and Iran \xe9 signed.\nMore text about Moscow.\n",
    )
    .unwrap();
    std::fs::write(d.join("empty.txt"), b"  \n\n").unwrap();
    std::fs::write(
        d.join("bad.jsonl"),
        "{\"id\":\"a\",\"text\":\"Russia backs Iran.\"}\n{not json\n",
    )
    .unwrap();
    std::fs::write(d.join("notext.csv"), "id,body\na,Russia backs Iran.\n").unwrap();
    std::fs::write(d.join("dup.jsonl"), "{\"id\":\"a\",\"text\":\"Russia backs Iran.\"}\n{\"id\":\"a\",\"text\":\"Moscow backs Tehran.\"}\n").unwrap();
    std::fs::write(d.join("notobj.jsonl"), "[1,2]\n").unwrap();
    let p = |n: &str| d.join(n).to_str().unwrap().to_string();
    expect_error(
        &["score", &p("missing.txt"), "--out", o],
        "missing.txt",
        Some(&out),
    );
    expect_error(
        &["score", &p("latin1.txt"), "--out", o],
        "latin1.txt: not valid UTF-8 at byte 16 (line 1)",
        Some(&out),
    );
    expect_error(
        &["score", &p("empty.txt"), "--out", o],
        "empty text",
        Some(&out),
    );
    expect_error(
        &["score", &p("bad.jsonl"), "--out", o],
        "bad.jsonl:2: not valid JSON",
        Some(&out),
    );
    expect_error(
        &["score", &p("notext.csv"), "--out", o],
        "notext.csv:1: CSV has no `text` column",
        Some(&out),
    );
    expect_error(
        &["score", &p("dup.jsonl"), "--out", o],
        "dup.jsonl:2: duplicate article id",
        Some(&out),
    );
    expect_error(
        &["score", &p("notobj.jsonl"), "--out", o],
        "notobj.jsonl:1: a JSONL record must be an object",
        Some(&out),
    );
    // A model file of another format version, and a corrupted one.
    let good = std::fs::read_to_string(root().join("models/default.model")).unwrap();
    std::fs::write(
        d.join("v9.model"),
        good.replacen("\"format_version\":1", "\"format_version\":9", 1),
    )
    .unwrap();
    expect_error(
        &["score", "seeds/", "--model", &p("v9.model"), "--out", o],
        "format version 9 is not supported",
        Some(&out),
    );
    std::fs::write(
        d.join("edit.model"),
        good.replacen("\"alpha\":", "\"alpha\": ", 1),
    )
    .unwrap();
    expect_error(
        &["score", "seeds/", "--model", &p("edit.model"), "--out", o],
        "checksum mismatch",
        Some(&out),
    );
    std::fs::write(d.join("trunc.model"), &good[..good.len() / 2]).unwrap();
    expect_error(
        &["score", "seeds/", "--model", &p("trunc.model"), "--out", o],
        "truncated",
        Some(&out),
    );
    // Refuse to overwrite an input.
    std::fs::copy(
        root().join("seeds/004_09f961840c843274.txt"),
        d.join("art.txt"),
    )
    .unwrap();
    expect_error(
        &["score", &p("art.txt"), "--out", &p("art.txt")],
        "refusing to overwrite an input file",
        None,
    );
}

#[test]
fn labels_with_unknown_label_or_actor_are_rejected_with_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("l.csv"), "article_id,actor,text,stance,sentiment\na,russia,Russia backs Iran.,neutral,neutral\na,russia,Moscow is wrong.,hostile,negative\n").unwrap();
    std::fs::write(
        d.join("m.csv"),
        "article_id,actor,text,stance,sentiment\na,china,Beijing backs Iran.,neutral,neutral\n",
    )
    .unwrap();
    let m = d.join("x.model");
    expect_error(
        &[
            "train",
            "--data",
            d.join("l.csv").to_str().unwrap(),
            "--out",
            m.to_str().unwrap(),
        ],
        "l.csv:3: column `stance`: unknown label \"hostile\"",
        Some(&m),
    );
    expect_error(
        &[
            "train",
            "--data",
            d.join("m.csv").to_str().unwrap(),
            "--out",
            m.to_str().unwrap(),
        ],
        "m.csv:2: unknown actor \"china\"",
        Some(&m),
    );
}

#[test]
fn train_prints_nothing_it_did_not_mean_to() {
    // linfa-bayes 0.8.1 has a dbg! in fit_with; it must never reach users.
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("seed.model");
    let o = run(
        &[
            "train",
            "--data",
            "training/labels.csv",
            "--out",
            m.to_str().unwrap(),
            "--no-cv",
            "--quiet",
        ],
        &root(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        !e.contains("ClassHistogram") && !e.contains("[src/") && !e.contains("feature_log_prob"),
        "debug output leaked: {}",
        &e[..e.len().min(300)]
    );
    assert!(stdout(&o).is_empty());
    // Only warnings about rare classes may appear.
    for l in e.lines() {
        assert!(
            l.starts_with("stance: warning:"),
            "unexpected stderr line: {l}"
        );
    }
}

/// The shipped model is exactly what `stance train` makes from the labeled set.
#[test]
fn shipped_model_is_reproduced_byte_for_byte() {
    let Some(corpus) = corpus() else {
        eprintln!("skipped: ../shared/corpus is not beside the checkout");
        return;
    };
    let recipe = std::fs::read_to_string(root().join("models/TRAIN_ARGS")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("re.model");
    let mut args: Vec<String> = vec!["train".into()];
    args.extend(
        recipe
            .split_whitespace()
            .map(|s| s.replace("{corpus}", corpus.to_str().unwrap())),
    );
    args.extend(["--out".into(), m.to_str().unwrap().into(), "--quiet".into()]);
    let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    let o = run(&a, &root());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        std::fs::read(&m).unwrap() == std::fs::read(root().join("models/default.model")).unwrap(),
        "retrained model differs from models/default.model"
    );
}

#[test]
fn train_lists_labels_it_cannot_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("texts")).unwrap();
    std::fs::copy(
        root().join("seeds/004_09f961840c843274.txt"),
        d.join("texts/art.txt"),
    )
    .unwrap();
    std::fs::write(
        d.join("l.csv"),
        "article_id,actor,sentence_hash,stance,sentiment\nart,russia,0000000000000000,neutral,neutral\ngone,iran,1111111111111111,neutral,neutral\n",
    )
    .unwrap();
    let m = d.join("x.model");
    let o = run(
        &[
            "train",
            "--data",
            d.join("l.csv").to_str().unwrap(),
            "--texts",
            d.join("texts").to_str().unwrap(),
            "--out",
            m.to_str().unwrap(),
        ],
        &root(),
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("2 label(s) cannot be placed"), "{e}");
    assert!(
        e.contains("l.csv:2: no sentence with hash 0000000000000000"),
        "{e}"
    );
    assert!(e.contains("l.csv:3: article \"gone\" not found"), "{e}");
    assert!(!m.exists());
}

#[test]
fn keep_going_sends_bad_records_to_rejects_and_scores_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seed = std::fs::read_to_string(root().join("seeds/004_09f961840c843274.txt")).unwrap();
    let mut body = Vec::new();
    let good = |id: &str| {
        format!(
            "{}\n",
            serde_json::json!({"id": id, "outlet": "x", "text": seed})
        )
    };
    body.extend(good("a").into_bytes());
    body.extend(b"{not json\n");
    body.extend(b"{\"id\":\"b\",\"outlet\":\"x\"}\n");
    body.extend(good("a").into_bytes());
    body.extend(b"{\"id\":\"c\",\"outlet\":\"x\",\"text\":\"Russia \xff backs Iran.\"}\n");
    body.extend(b"{\"id\":\"d\",\"outlet\":\"x\",\"text\":\"   \"}\n");
    body.extend(good("e").into_bytes());
    let input = d.join("mixed.jsonl");
    std::fs::write(&input, body).unwrap();
    let out = d.join("a.csv");
    let rej = d.join("rejects.csv");
    // Without --keep-going: the first bad record stops the run, nothing is written.
    expect_error(
        &[
            "score",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        "mixed.jsonl:2: not valid JSON",
        Some(&out),
    );
    let o = run(
        &[
            "score",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--keep-going",
            "--rejects",
            rej.to_str().unwrap(),
        ],
        &root(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("5 record(s) rejected"),
        "{}",
        stderr(&o)
    );
    let mut r = csv::Reader::from_path(&rej).unwrap();
    let rows: Vec<(String, String)> = r
        .records()
        .map(|x| {
            let x = x.unwrap();
            (x[0].to_string(), x[1].to_string())
        })
        .collect();
    let locs: Vec<&str> = rows
        .iter()
        .map(|r| r.0.rsplit(':').next().unwrap())
        .collect();
    assert_eq!(locs, vec!["2", "3", "4", "5", "6"], "{rows:?}");
    assert!(rows[0].1.contains("not valid JSON"));
    assert!(rows[1].1.contains("no `text` field"));
    assert!(rows[2].1.contains("duplicate article id"));
    assert!(rows[3].1.contains("not valid UTF-8"));
    assert!(rows[4].1.contains("empty text"));
    let scored = std::fs::read_to_string(&out).unwrap();
    assert!(scored
        .lines()
        .skip(1)
        .all(|l| l.starts_with("a,") || l.starts_with("e,")));
    assert!(scored.lines().any(|l| l.starts_with("e,")));
}

#[test]
fn more_bad_inputs_name_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = d.join("o.csv");
    let o = out.to_str().unwrap();
    let p = |n: &str| d.join(n).to_str().unwrap().to_string();
    // A field too many; with CRLF line ends and a blank line, the line is
    // still the file's own (see `crlf_files_errors_name_the_right_line`).
    for (text, needle) in [
        (
            "id,outlet\n004_09f961840c843274,a,extra\n",
            "meta.csv:2: malformed CSV record",
        ),
        (
            "id,outlet\r\n\r\n004_09f961840c843274,a,extra\r\n",
            "meta.csv:3: malformed CSV record: found a record with 3 fields, but the previous record has 2 fields",
        ),
    ] {
        std::fs::write(d.join("meta.csv"), text).unwrap();
        expect_error(
            &[
                "score",
                "seeds/004_09f961840c843274.txt",
                "--meta",
                &p("meta.csv"),
                "--out",
                o,
            ],
            needle,
            Some(&out),
        );
    }
    std::fs::write(
        d.join("actors.toml"),
        "version = 1\n[[actor]]\nid = 'x'\nname = 'X'\nterms = []\n",
    )
    .unwrap();
    expect_error(
        &["score", "seeds/", "--actors", &p("actors.toml"), "--out", o],
        "actors.toml: actor \"x\" has no terms",
        Some(&out),
    );
    std::fs::create_dir(d.join("nothing")).unwrap();
    expect_error(
        &["score", &p("nothing"), "--out", o],
        "folder holds no file matching *.txt",
        Some(&out),
    );
    let big = "Russia backs Iran. ".repeat(900_000);
    std::fs::write(d.join("big.txt"), big).unwrap();
    expect_error(
        &["score", &p("big.txt"), "--out", o],
        "over the limit of 16777216 bytes",
        Some(&out),
    );
    std::fs::write(
        d.join("a.model"),
        "{\"format\":\"something-else\",\"format_version\":1}",
    )
    .unwrap();
    expect_error(
        &["score", "seeds/", "--model", &p("a.model"), "--out", o],
        "not a stance model",
        Some(&out),
    );
}

#[test]
fn folder_order_does_not_change_output() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir(&a).unwrap();
    std::fs::create_dir(&b).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(root().join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    names.sort();
    for p in &names {
        std::fs::copy(p, a.join(p.file_name().unwrap())).unwrap();
    }
    for p in names.iter().rev() {
        std::fs::copy(p, b.join(p.file_name().unwrap())).unwrap();
    }
    let outs: Vec<Vec<u8>> = [&a, &b]
        .iter()
        .map(|dir| {
            let o = run(
                &["score", dir.to_str().unwrap(), "--format", "csv", "--quiet"],
                &root(),
            );
            assert!(o.status.success());
            o.stdout
        })
        .collect();
    assert_eq!(outs[0], outs[1]);
}

#[test]
fn pathological_but_valid_inputs_are_scored() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // One sentence of 100,000 tokens; 10,000 actor mentions; non-Latin scripts.
    let long_sentence = format!("{} Russia.", "word ".repeat(100_000));
    let many: String = (0..5_000)
        .map(|i| format!("Moscow met Tehran on day {i}. "))
        .collect();
    let scripts = "Россия и Иран подписали договор. 伊朗和俄罗斯签署了条约。 إيران وروسيا وقعتا معاهدة. Russia and Iran signed a treaty in Moscow.";
    let mut f = std::fs::File::create(d.join("p.jsonl")).unwrap();
    use std::io::Write;
    for (id, t) in [
        ("long", long_sentence.as_str()),
        ("many", many.as_str()),
        ("scripts", scripts),
    ] {
        writeln!(f, "{}", serde_json::json!({"id": id, "text": t})).unwrap();
    }
    drop(f);
    let out = d.join("a.csv");
    let o = run(
        &[
            "score",
            d.join("p.jsonl").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
        &root(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.lines().any(|l| l.starts_with("long,russia,1,")),
        "{text}"
    );
    for actor in ["russia", "iran"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("many,{actor},5000,"))),
            "{text}"
        );
    }
    assert!(
        text.lines().any(|l| l.starts_with("scripts,iran,1,")),
        "{text}"
    );
}

/// Files with Windows line ends (what Excel and Python's csv module write):
/// the csv crate's own line numbers run one early after each CRLF, so
/// every error below would have named the line before the faulty one.
#[test]
fn crlf_files_errors_name_the_right_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = |n: &str| dir.path().join(n);
    let p = |n: &str| file(n).to_str().unwrap().to_string();
    let out = file("o.csv");
    let o = &p("o.csv");
    // Articles: an empty id on line 5 (line 3 holds a quoted line break).
    std::fs::write(
        file("in.csv"),
        "id,text\r\na1,\"Russia said.\"\r\na2,\"Iran\r\nsaid.\"\r\n,\"no id\"\r\n",
    )
    .unwrap();
    expect_error(
        &["score", &p("in.csv"), "--out", o],
        "in.csv:5: empty article id",
        Some(&out),
    );
    // Labels: the seed file's first rows written with CRLF, an unknown
    // label on line 4.
    let labels = std::fs::read_to_string(root().join("training/labels.csv")).unwrap();
    let mut rows: Vec<String> = labels.lines().take(6).map(str::to_string).collect();
    rows[3] = rows[3].replacen(",neutral,", ",bogus,", 1);
    assert!(rows[3].contains(",bogus,"), "{}", rows[3]);
    std::fs::write(file("labels.csv"), rows.join("\r\n") + "\r\n").unwrap();
    let model = file("m.model");
    expect_error(
        &[
            "train",
            "--data",
            &p("labels.csv"),
            "--out",
            model.to_str().unwrap(),
            "--no-cv",
        ],
        "labels.csv:4:",
        Some(&model),
    );
}
