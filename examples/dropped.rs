fn main() {
    for f in std::env::args().skip(1) {
        let t = std::fs::read_to_string(&f).unwrap();
        let c = stance::clean::clean(&t, Default::default());
        println!("== {f}: {} sentences", c.sentences.len());
        for d in c.dropped { println!("  [{}] {}", d.reason.as_str(), d.text.chars().take(100).collect::<String>()); }
    }
}
