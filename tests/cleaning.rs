//! The cleaner against hand-written gold for the five real seed pages.
mod common;
use common::root;
use stance::clean::{clean, CleanOptions, DropReason};
use stance::gold::{parse_gold, score, GoldScore};

fn seed(name: &str) -> String {
    std::fs::read_to_string(root().join("seeds").join(name)).unwrap()
}

const SEEDS: [&str; 5] = [
    "000_1431d80240041309.txt",
    "001_66373d9ec02ed63b.txt",
    "002_20fe48b9b640a238.txt",
    "003_6cc9a71dc8b00de3.txt",
    "004_09f961840c843274.txt",
];

#[test]
fn recall_and_precision_against_gold_reach_098() {
    let mut total = GoldScore::default();
    for s in SEEDS {
        let gold = parse_gold(&std::fs::read_to_string(root().join("tests/gold").join(s)).unwrap());
        let c = clean(&seed(s), CleanOptions::default());
        let sc = score(&gold, &c.sentences);
        assert!(sc.recall() >= 0.95 && sc.precision() >= 0.95, "{s}: {sc:?}");
        total.add(&sc);
    }
    assert!(total.recall() >= 0.98, "{total:?}");
    assert!(total.precision() >= 0.98, "{total:?}");
    assert!(total.exact_accuracy() >= 0.95, "{total:?}");
}

fn kept_text(s: &str) -> String {
    clean(&seed(s), CleanOptions::default())
        .sentences
        .iter()
        .map(|x| x.text.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn known_noise_never_reaches_the_sentences() {
    let cases: &[(&str, &[&str])] = &[
        (
            "000_1431d80240041309.txt",
            &[
                "PAUL SPELLA",
                "The illustration shows",
                "pose for a group photo",
                "Araghchi.",
                "mere friendship\nbut",
                "first appeared in the Persian-language",
                "**",
            ],
        ),
        (
            "001_66373d9ec02ed63b.txt",
            &["Related Categories", "© 2025", "February 15, 2023 Ilan"],
        ),
        (
            "002_20fe48b9b640a238.txt",
            &[
                "Follow us on social",
                "Ali_khamenei_and_vladimir_putin",
                "Analysis | Middle East",
                "keep reading",
                "LATEST",
                "QIOSK",
                "Newsletter",
                "Top photo credit",
                "(CC BY 4.0)",
                "ASEAN",
                "Ryabkov",
                "sycophants",
                "republished with permission",
            ],
        ),
        (
            "003_6cc9a71dc8b00de3.txt",
            &[
                "Table of Contents",
                "Map of Russia - Guide",
                "Detail Author",
                "Elenora",
                "muller.net",
                "856-670-9303",
                "followers",
                "in the comments below",
                "Explore more articles",
            ],
        ),
        ("004_09f961840c843274.txt", &["  ", "U.S.- enforced"]),
    ];
    for (s, needles) in cases {
        let text = kept_text(s);
        for n in *needles {
            assert!(!text.contains(n), "{s}: noise {n:?} reached the sentences");
        }
    }
}

#[test]
fn each_kind_of_drop_is_reported_with_its_reason() {
    let reasons = |s: &str| -> Vec<DropReason> {
        clean(&seed(s), CleanOptions::default())
            .dropped
            .iter()
            .map(|d| d.reason)
            .collect()
    };
    let r0 = reasons("000_1431d80240041309.txt");
    for want in [
        DropReason::Caption,
        DropReason::Credit,
        DropReason::PullQuote,
        DropReason::Repeat,
        DropReason::Provenance,
    ] {
        assert!(r0.contains(&want), "000 lacks {want:?}: {r0:?}");
    }
    let r1 = reasons("001_66373d9ec02ed63b.txt");
    for want in [
        DropReason::Byline,
        DropReason::Navigation,
        DropReason::Copyright,
    ] {
        assert!(r1.contains(&want), "001 lacks {want:?}");
    }
    let r2 = reasons("002_20fe48b9b640a238.txt");
    for want in [
        DropReason::Navigation,
        DropReason::FileName,
        DropReason::Teaser,
    ] {
        assert!(r2.contains(&want), "002 lacks {want:?}");
    }
    let r3 = reasons("003_6cc9a71dc8b00de3.txt");
    for want in [
        DropReason::Bio,
        DropReason::CallToComment,
        DropReason::Caption,
    ] {
        assert!(r3.contains(&want), "003 lacks {want:?}");
    }
}

#[test]
fn body_sentences_survive_whole_and_repeats_count_once() {
    let t0 = kept_text("000_1431d80240041309.txt");
    assert!(t0.contains("Iran and Russia have actively ramped up cooperation politically, economically, and militarily."));
    assert!(t0.contains("From Washington's perspective, the Shanghai Cooperation Organization's security and military meeting with Iranian representatives sent a clear signal."));
    assert_eq!(
        t0.matches(
            "Weakening Iran would mean bolstering US unilateralism, which Russia strongly opposes."
        )
        .count(),
        1
    );
    assert_eq!(
        t0.matches("Moscow views Iran as a key strategic partner")
            .count(),
        1
    );
    let t1 = kept_text("001_66373d9ec02ed63b.txt");
    assert!(t1.contains("A Risky Gambit . . . for Iran"));
    let t4 = kept_text("004_09f961840c843274.txt");
    assert!(t4.contains("Russia is a key player in Iran’s efforts to combat U.S. aspirations in the Middle East and has broad support across the political spectrum in Tehran."));
    assert!(t4.contains("the U.S.-enforced embargoes"));
}

#[test]
fn spans_locate_every_sentence_in_the_original() {
    for s in SEEDS {
        let text = seed(s);
        let c = clean(&text, CleanOptions::default());
        for x in &c.sentences {
            assert!(x.start < x.end && x.end <= text.len());
            let orig = &text[x.start..x.end];
            let first = x.text.split_whitespace().next().unwrap();
            assert!(
                orig.replace("**", "").starts_with(first),
                "{s}: span {orig:?} vs {:?}",
                x.text
            );
        }
    }
}
