// Temporary: export units for annotation (replaced by `stance units`).
use stance::actors::Lexicon;
use stance::clean::CleanOptions;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = &args[1];
    let lex = Lexicon::default_lexicon();
    let mut w = csv::Writer::from_path(out).unwrap();
    w.write_record(["unit_id", "article_id", "sentence_index", "actor", "matched", "text"]).unwrap();
    for f in &args[2..] {
        let p = std::path::Path::new(f);
        let id = p.file_stem().unwrap().to_str().unwrap();
        let t = std::fs::read_to_string(p).unwrap();
        let (_, units) = stance::units::article_units(id, &t, &lex, CleanOptions::default());
        for u in units {
            w.write_record([format!("{}:{}:{}", u.article_id, u.sentence_index, u.actor), u.article_id.clone(), u.sentence_index.to_string(), u.actor.clone(), u.matched.clone(), u.text.clone()]).unwrap();
        }
    }
}
