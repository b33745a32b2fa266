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

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

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
        let lex = Lexicon::default_lexicon();
        for m in lex.find(&text) {
            prop_assert!(m.start < m.end && m.end <= text.len());
        }
    }

    #[test]
    fn model_loader_rejects_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = stance::modelfile::StanceModel::from_bytes(&bytes, "fuzz");
    }
}
