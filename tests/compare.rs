//! Comparison with uncertainty, on corpora built from the real seeds.
mod common;
use common::*;
use std::io::Write;

fn seed_texts() -> Vec<(String, String)> {
    pages(&root().join("seeds"))
}

fn write_jsonl(path: &std::path::Path, records: &[(String, String, String)]) {
    let mut f = std::fs::File::create(path).unwrap();
    for (id, outlet, text) in records {
        writeln!(
            f,
            "{}",
            serde_json::json!({"id": id, "outlet": outlet, "text": text})
        )
        .unwrap();
    }
}

fn read_rows(path: &std::path::Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(|s| s.to_string()).collect();
    r.records()
        .map(|rec| {
            h.iter()
                .cloned()
                .zip(rec.unwrap().iter().map(|s| s.to_string()))
                .collect()
        })
        .collect()
}

fn f(r: &std::collections::BTreeMap<String, String>, k: &str) -> f64 {
    r[k].parse().unwrap()
}

#[test]
fn intervals_contain_estimates_and_narrow_with_replicated_articles() {
    let seeds = seed_texts();
    let dir = tempfile::tempdir().unwrap();
    let mut widths = Vec::new();
    for copies in [1usize, 4] {
        let mut recs = Vec::new();
        for c in 0..copies {
            for (id, text) in &seeds[..3] {
                recs.push((format!("{id}-{c}"), "a".to_string(), text.clone()));
            }
            for (id, text) in &seeds[3..] {
                recs.push((format!("{id}-{c}"), "b".to_string(), text.clone()));
            }
        }
        let input = dir.path().join(format!("c{copies}.jsonl"));
        write_jsonl(&input, &recs);
        let out = dir.path().join(format!("g{copies}.csv"));
        let o = run(
            &[
                "compare",
                input.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--quiet",
            ],
            &root(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let rows = read_rows(&out);
        assert_eq!(rows.len(), 6);
        let mut w = 0.0;
        for r in &rows {
            for d in ["stance", "sentiment"] {
                let (s, lo, hi) = (
                    f(r, &format!("{d}_score")),
                    f(r, &format!("{d}_lo")),
                    f(r, &format!("{d}_hi")),
                );
                assert!(lo <= s + 1e-9 && s <= hi + 1e-9, "{d}: {lo} {s} {hi}");
                w += hi - lo;
            }
            assert!(r["interval_method"].contains("bootstrap over articles"));
        }
        widths.push(w);
    }
    assert!(
        widths[1] < widths[0] * 0.75,
        "intervals did not narrow: {widths:?}"
    );
}

#[test]
fn differences_flag_identical_groups_and_report_methods() {
    let seeds = seed_texts();
    let dir = tempfile::tempdir().unwrap();
    // Two outlets publishing the very same five articles.
    let mut recs = Vec::new();
    for (id, text) in &seeds {
        recs.push((format!("{id}-x"), "x".to_string(), text.clone()));
        recs.push((format!("{id}-y"), "y".to_string(), text.clone()));
    }
    let input = dir.path().join("same.jsonl");
    write_jsonl(&input, &recs);
    let diffs = dir.path().join("d.csv");
    let o = run(
        &[
            "compare",
            input.to_str().unwrap(),
            "--diffs",
            diffs.to_str().unwrap(),
            "--quiet",
        ],
        &root(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_rows(&diffs);
    assert_eq!(rows.len(), 3);
    for r in &rows {
        assert!(f(r, "stance_diff").abs() < 1e-9);
        assert!(
            f(r, "stance_p") > 0.9,
            "identical groups: p = {}",
            r["stance_p"]
        );
        assert!(f(r, "sentiment_p") > 0.9);
        assert!(r["method"].contains("permutation"));
    }
}

#[test]
fn explanation_sums_to_the_log_odds() {
    let o = run(
        &[
            "explain",
            "Notably, Tehran has failed to lay down adequate groundwork.",
            "--actor",
            "iran",
            "--format",
            "json",
            "--top",
            "1000",
        ],
        &root(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for dim in ["stance", "sentiment"] {
        let e = &v[dim];
        let sum: f64 = e["prior"].as_f64().unwrap()
            + e["contributions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["weight"].as_f64().unwrap())
                .sum::<f64>();
        let lo = e["log_odds"].as_f64().unwrap();
        assert!((sum - lo).abs() < 1e-9, "{dim}: {sum} vs {lo}");
    }
    // And the log-odds agree with the probabilities `score` reports.
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    std::fs::write(
        &a,
        "Notably, Tehran has failed to lay down adequate groundwork.\n",
    )
    .unwrap();
    let s = dir.path().join("s.csv");
    let o2 = run(
        &[
            "score",
            a.to_str().unwrap(),
            "--sentences",
            s.to_str().unwrap(),
            "--out",
            dir.path().join("o.csv").to_str().unwrap(),
            "--quiet",
        ],
        &root(),
    );
    assert!(o2.status.success(), "{}", stderr(&o2));
    let rows = read_rows(&s);
    let p = |k: &str| f(&rows[0], k);
    let classes = [
        ("supportive", "p_supportive"),
        ("skeptical", "p_skeptical"),
        ("neutral", "p_neutral"),
    ];
    let col = |name: &str| classes.iter().find(|c| c.0 == name).unwrap().1;
    let e = &v["stance"];
    let expect =
        (p(col(e["winner"].as_str().unwrap())) / p(col(e["runner_up"].as_str().unwrap()))).ln();
    // Six-decimal CSV probabilities bound the precision of this check.
    assert!(
        (expect - e["log_odds"].as_f64().unwrap()).abs() < 1e-2,
        "{expect} vs {}",
        e["log_odds"]
    );
}

#[test]
fn syndicated_copy_under_another_outlet_is_found_and_counted_once() {
    let seeds = seed_texts();
    let dir = tempfile::tempdir().unwrap();
    let (id, text) = &seeds[1];
    // The same article republished later by another outlet, with a new headline.
    let body = text.split_once("\n\n\n").map(|x| x.1).unwrap_or(text);
    let copy = format!("Moscow and Tehran: a partnership reversed\n\n{body}");
    let mut file = std::fs::File::create(dir.path().join("c.jsonl")).unwrap();
    writeln!(
        file,
        "{}",
        serde_json::json!({"id": id, "outlet": "afpc", "date": "2023-02-15", "text": text})
    )
    .unwrap();
    writeln!(file, "{}", serde_json::json!({"id": "wire-copy", "outlet": "other-outlet", "date": "2023-02-20", "text": copy})).unwrap();
    for (oid, otext) in seeds.iter().filter(|s| s.0 != *id) {
        writeln!(file, "{}", serde_json::json!({"id": oid, "outlet": "other-outlet", "date": "2023-01-01", "text": otext})).unwrap();
    }
    drop(file);
    let dupes = dir.path().join("dupes.csv");
    let out = dir.path().join("g.csv");
    let input = dir.path().join("c.jsonl");
    let o = run(
        &[
            "compare",
            input.to_str().unwrap(),
            "--dupes",
            dupes.to_str().unwrap(),
            "--dedupe",
            "--out",
            out.to_str().unwrap(),
        ],
        &root(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let d = read_rows(&dupes);
    assert_eq!(d.len(), 1, "{d:?}");
    let ids = [d[0]["article_a"].as_str(), d[0]["article_b"].as_str()];
    assert!(ids.contains(&id.as_str()) && ids.contains(&"wire-copy"));
    assert!(f(&d[0], "similarity") > 0.8);
    assert!(
        stderr(&o).contains("--dedupe kept 5 of 6 articles"),
        "{}",
        stderr(&o)
    );
    // The earliest copy (afpc) is kept: the other outlet has 4 articles, not 5.
    let g = read_rows(&out);
    assert!(
        g.iter()
            .filter(|r| r["outlet"] == "other-outlet")
            .all(|r| r["articles"] == "4"),
        "{g:?}"
    );
}

#[test]
fn html_report_is_self_contained_escaped_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let arts = d.join("arts");
    std::fs::create_dir(&arts).unwrap();
    for (id, text) in seed_texts() {
        std::fs::write(arts.join(format!("{id}.txt")), text).unwrap();
    }
    std::fs::write(
        arts.join("evil.txt"),
        "Evil page\n\nRussia is <script>alert(\"x\")</script> a brutal aggressor, said <img src=http://evil.example/x.png onerror=alert(1)> Tehran.\n",
    )
    .unwrap();
    let meta = std::fs::read_to_string(root().join("seeds/meta.csv")).unwrap()
        + "evil,evil-outlet,Evil,,\n";
    std::fs::write(d.join("meta.csv"), meta).unwrap();
    let report = d.join("r.html");
    let o = run(
        &[
            "compare",
            arts.to_str().unwrap(),
            "--meta",
            d.join("meta.csv").to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
            "--chart",
            d.join("c.png").to_str().unwrap(),
            "--quiet",
        ],
        &root(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(d.join("c.png").exists() && d.join("c-shares.png").exists());
    let html = std::fs::read_to_string(&report).unwrap();
    // Well-formed (a strict XML parser reads it to the end), and no element
    // or attribute that could run code or fetch anything.
    let mut reader = quick_xml::Reader::from_str(&html);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e)) | Ok(quick_xml::events::Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).to_lowercase();
                assert!(
                    !["script", "img", "iframe", "link", "object", "embed"]
                        .contains(&name.as_str()),
                    "element <{name}> in report"
                );
                for a in e.attributes() {
                    let a = a.unwrap();
                    let key = String::from_utf8_lossy(a.key.as_ref()).to_lowercase();
                    assert!(
                        key != "src" && key != "href" && !key.starts_with("on"),
                        "attribute {key} in report"
                    );
                }
            }
            Ok(_) => {}
            Err(e) => panic!(
                "report is not well-formed at {}: {e}",
                reader.buffer_position()
            ),
        }
    }
    assert!(
        html.contains("&lt;script&gt;alert"),
        "article markup must appear escaped"
    );
    for g in [
        "etemad",
        "afpc",
        "responsible-statecraft",
        "content-farm",
        "khoshnood-unknown",
        "evil-outlet",
    ] {
        assert!(html.contains(g), "report lacks group {g}");
    }
    for a in ["russia", "iran", "west"] {
        assert!(html.contains(&format!(">{a}<")), "report lacks actor {a}");
    }
}

#[test]
fn shards_scored_through_stdin_combine_to_the_one_run_result() {
    let seeds = seed_texts();
    let dir = tempfile::tempdir().unwrap();
    let recs: Vec<(String, String, String)> = seeds
        .iter()
        .enumerate()
        .map(|(i, (id, t))| (id.clone(), ["p", "q"][i % 2].to_string(), t.clone()))
        .collect();
    let all = dir.path().join("all.jsonl");
    write_jsonl(&all, &recs);
    // Two shards, each scored as a stateless stdin → stdout filter.
    let mut shard_files = Vec::new();
    for (k, part) in [&recs[..2], &recs[2..]].iter().enumerate() {
        let shard = dir.path().join(format!("shard{k}.jsonl"));
        write_jsonl(&shard, part);
        let out = std::process::Command::new(bin())
            .args(["score", "-", "--format", "jsonl", "--quiet"])
            .current_dir(root())
            .stdin(std::fs::File::open(&shard).unwrap())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rows = dir.path().join(format!("rows{k}.jsonl"));
        std::fs::write(&rows, &out.stdout).unwrap();
        shard_files.push(rows);
    }
    let one = run(
        &[
            "compare",
            all.to_str().unwrap(),
            "--format",
            "csv",
            "--quiet",
        ],
        &root(),
    );
    let mut args = vec!["compare".to_string()];
    args.extend(shard_files.iter().map(|p| p.to_str().unwrap().to_string()));
    args.extend(["--format".into(), "csv".into(), "--quiet".into()]);
    let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    let combined = run(&a, &root());
    assert!(combined.status.success(), "{}", stderr(&combined));
    assert_eq!(stdout(&one), stdout(&combined));
}

/// Shards scored on a cluster come back in any order: `compare` (and its
/// differences) must give the same bytes whatever the order of the rows.
#[test]
fn compare_does_not_depend_on_row_order() {
    let seeds = seed_texts();
    let dir = tempfile::tempdir().unwrap();
    // Enough articles per group that resampling by position would show a
    // different order (each seed four times under new ids).
    let recs: Vec<(String, String, String)> = (0..4 * seeds.len())
        .map(|i| {
            let (id, t) = &seeds[i % seeds.len()];
            (
                format!("{id}-{i:02}"),
                ["p", "q"][i % 2].to_string(),
                t.clone(),
            )
        })
        .collect();
    let all = dir.path().join("all.jsonl");
    write_jsonl(&all, &recs);
    let rows = dir.path().join("rows.jsonl");
    let o = run(
        &[
            "score",
            all.to_str().unwrap(),
            "--out",
            rows.to_str().unwrap(),
            "--quiet",
        ],
        &root(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&rows).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 4, "too few article rows to reorder");
    let reordered = dir.path().join("reordered.jsonl");
    let mut rev: Vec<&str> = lines.clone();
    rev.reverse();
    rev.rotate_left(2);
    assert_ne!(rev, lines);
    std::fs::write(&reordered, rev.join("\n") + "\n").unwrap();
    let mut outs = Vec::new();
    for (k, f) in [&rows, &reordered].iter().enumerate() {
        let diffs = dir.path().join(format!("diffs{k}.csv"));
        let o = run(
            &[
                "compare",
                f.to_str().unwrap(),
                "--by",
                "outlet",
                "--diffs",
                diffs.to_str().unwrap(),
                "--format",
                "csv",
                "--quiet",
            ],
            &root(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        outs.push((stdout(&o), std::fs::read_to_string(&diffs).unwrap()));
    }
    assert!(outs[0].0.lines().count() > 2);
    assert_eq!(outs[0], outs[1]);
}
