//! Property tests: any input gives sentences whose spans lie inside it, and
//! every byte is in a kept sentence, a dropped block, or white space.
use proptest::prelude::*;
use stance::actors::Lexicon;
use stance::clean::{clean, CleanOptions};

fn page() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Russia backs Iran. ".to_string()),
        Just("The U.S. and Mr. Putin met in Jan. 2022... ".to_string()),
        Just("**Weakening Iran**\n\n".to_string()),
        Just("keep readingShow less\n".to_string()),
        Just("PAUL SPELLA/THE ATLANTIC\n".to_string()),
        Just("  • Email : a@b.cc\n".to_string()),
        Just("\n \n".to_string()),
        Just("“Quoted,” he said. ".to_string()),
        "[\\PC\n ]{0,40}",
    ];
    proptest::collection::vec(piece, 0..30).prop_map(|v| v.concat())
}

/// Lexicon terms, exclusions and the terms inside them, for gluing.
const GLUE_TERMS: [&str; 14] = [
    "Vladimir Putin",
    "Putin",
    "Latin America",
    "America",
    "U.S.",
    "US",
    "West Asia",
    "West",
    "Amir-Abdollahian",
    "Abdollahian",
    "Iran",
    "Iranian",
    "Revolutionary Guard",
    "Islamic Revolutionary Guard Corps",
];

/// Cases per property: 2000 in CI; set PROPTEST_CASES for longer runs.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

fn jsonl_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"{\"id\":\"a\",\"text\":\"Russia backs Iran.\"}".to_vec()),
        Just(b"{\"id\":7,\"text\":\"Moscow and the West.\",\"outlet\":null}".to_vec()),
        Just(b"{\"id\":\"a\"}".to_vec()),
        Just(b"[1,2,3]".to_vec()),
        Just(b"{\"id\":\"q\",\"text\":\"\\u0000 \\ud800\"}".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..60),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Readers never panic: any bytes give articles or errors that name the file.
    #[test]
    fn readers_never_panic(lines in proptest::collection::vec(jsonl_line(), 0..12), csv_bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let dir = tempfile::tempdir().unwrap();
        let j = dir.path().join("x.jsonl");
        let mut body = Vec::new();
        for l in &lines { body.extend_from_slice(l); body.push(b'\n'); }
        std::fs::write(&j, &body).unwrap();
        let c = dir.path().join("y.csv");
        let mut cb = b"id,text,outlet\n".to_vec();
        cb.extend_from_slice(&csv_bytes);
        std::fs::write(&c, &cb).unwrap();
        let srcs = vec![stance::input::Source::File(j), stance::input::Source::File(c)];
        for r in stance::input::ArticleReader::new(srcs, Default::default()).take(100) {
            if let Err(e) = r {
                let m = e.to_string();
                prop_assert!(m.contains("x.jsonl") || m.contains("y.csv"), "error names no file: {}", m);
            }
        }
    }

    #[test]
    fn cleaner_spans_cover_input(text in page()) {
        let c = clean(&text, CleanOptions::default());
        let mut covered = vec![false; text.len()];
        for s in &c.sentences {
            prop_assert!(s.start <= s.end && s.end <= text.len());
            prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            for b in &mut covered[s.start..s.end] { *b = true; }
        }
        for d in &c.dropped {
            prop_assert!(d.start <= d.end && d.end <= text.len());
            for b in &mut covered[d.start..d.end] { *b = true; }
        }
        for (i, ch) in text.char_indices() {
            let invisible = ch.is_whitespace() || matches!(ch, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' | '\u{00AD}');
            prop_assert!(covered[i] || invisible, "byte {} ({:?}) neither kept, dropped nor white space", i, ch);
        }
    }

    #[test]
    fn matcher_never_panics_and_stays_in_bounds(text in "[\\PC\n]{0,200}") {
        static LEX: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
        let lex = LEX.get_or_init(Lexicon::default_lexicon);
        for m in lex.find(&text) {
            prop_assert!(m.start < m.end && m.end <= text.len());
        }
    }

    #[test]
    fn mentions_are_whole_words_in_order(
        parts in proptest::collection::vec((0usize..GLUE_TERMS.len(), "[ a-zA-Z0-9.'’é—-]{0,3}"), 0..12)
    ) {
        // Terms, exclusions and terms inside them, glued by random
        // separators (often none): the cases where a match that fails the
        // boundary test must not hide the next one.
        static LEX: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
        let lex = LEX.get_or_init(Lexicon::default_lexicon);
        let text: String = parts.iter().map(|(t, sep)| format!("{sep}{}", GLUE_TERMS[*t])).collect();
        let ms = lex.find(&text);
        let mut last_end = 0;
        for m in &ms {
            prop_assert!(m.start >= last_end && m.start < m.end && m.end <= text.len());
            let before = text[..m.start].chars().next_back();
            let after = text[m.end..].chars().next();
            prop_assert!(!before.is_some_and(char::is_alphanumeric), "{:?} in {:?}", &text[m.start..m.end], text);
            prop_assert!(!after.is_some_and(char::is_alphanumeric), "{:?} in {:?}", &text[m.start..m.end], text);
            last_end = m.end;
        }
        // A term standing alone between spaces is always found.
        let alone = format!("{text} Putin ");
        let found = lex.find(&alone);
        prop_assert!(found.last().is_some_and(|m| &alone[m.start..m.end] == "Putin"));
    }

    #[test]
    fn model_loader_rejects_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = stance::modelfile::StanceModel::from_bytes(&bytes, "fuzz");
    }
}
