use stance::clean::{clean, CleanOptions};
use stance::gold;
fn main() {
    let mut tot = gold::GoldScore::default();
    for entry in std::fs::read_dir("tests/gold").unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        let g = gold::parse_gold(&std::fs::read_to_string(&p).unwrap());
        let t = std::fs::read_to_string(format!("seeds/{name}")).unwrap();
        let c = clean(&t, CleanOptions::default());
        let s = gold::score(&g, &c.sentences);
        println!("{name}: gold {} kept {} R {:.3} P {:.3} E {:.3}", s.gold, s.kept, s.recall(), s.precision(), s.exact_accuracy());
        let (m, x) = gold::diff(&g, &c.sentences);
        for l in m { println!("   MISSING: {l}"); }
        for l in x { println!("   EXTRA:   {l}"); }
        tot.add(&s);
    }
    println!("TOTAL R {:.3} P {:.3} E {:.3}", tot.recall(), tot.precision(), tot.exact_accuracy());
}
