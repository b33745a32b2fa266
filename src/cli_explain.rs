//! `stance explain`: what the model weighs, and why it labeled a sentence.

use crate::ModelArgs;
use anyhow::{bail, Result};
use clap::Args;
use stance::explain::{explain, top_features};
use stance::features::features;
use stance::output::{Cell, Format, TableWriter};

#[derive(Args)]
pub struct ExplainArgs {
    /// A sentence to explain; without it, list each class's strongest features.
    sentence: Option<String>,
    /// The actor the sentence is scored toward (with a sentence).
    #[arg(long)]
    actor: Option<String>,
    /// Features to list per class or per prediction.
    #[arg(long, default_value_t = 15)]
    top: usize,
    #[command(flatten)]
    model: ModelArgs,
    /// table (default) or json.
    #[arg(long, default_value = "table")]
    format: String,
}

pub fn run(a: ExplainArgs) -> Result<()> {
    let (model, lex) = a.model.load()?;
    let m = &model.model;
    let json = match a.format.as_str() {
        "json" => true,
        "table" => false,
        f => bail!("--format {f}: expected table or json"),
    };
    let Some(sentence) = a.sentence else {
        let mut all = serde_json::Map::new();
        for (dim, head) in [("stance", &m.stance), ("sentiment", &m.sentiment)] {
            let tops = top_features(m, head, a.top);
            if json {
                all.insert(dim.into(), serde_json::to_value(&tops)?);
                continue;
            }
            println!(
                "{dim}: features with the highest log-probability ratio against the other classes"
            );
            let h = ["class", "rank", "feature", "log_ratio"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            let mut t = TableWriter::new(Box::new(std::io::stdout()), Format::Table, h, false)?;
            for (class, ws) in &tops {
                for (i, w) in ws.iter().enumerate() {
                    t.row(&[
                        Cell::Str(class.clone()),
                        Cell::Int(i as u64 + 1),
                        Cell::Str(w.feature.clone()),
                        Cell::Num(w.weight),
                    ])?;
                }
            }
            t.finish()?;
            println!();
        }
        if json {
            println!("{}", serde_json::to_string_pretty(&all)?);
        }
        return Ok(());
    };
    let actor = a.actor.as_deref().unwrap_or("");
    let Some(ai) = lex.actor_index(actor) else {
        bail!(
            "--actor {actor:?}: give one of {}",
            lex.actors
                .iter()
                .map(|x| x.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    let mentions = lex.find(&sentence);
    if !mentions.iter().any(|x| x.actor == ai) {
        bail!(
            "the sentence does not mention {actor} (lexicon terms: {})",
            lex.actors[ai].terms.join(", ")
        );
    }
    let feats = features(&sentence, &mentions, ai, &m.params.features);
    let mut all = serde_json::Map::new();
    for (dim, head) in [("stance", &m.stance), ("sentiment", &m.sentiment)] {
        let mut e = explain(m, head, &feats);
        e.contributions.truncate(a.top);
        if json {
            all.insert(dim.into(), serde_json::to_value(&e)?);
            continue;
        }
        println!(
            "{dim}: {} over {} by log-odds {:+.3} = prior {:+.3} + features {:+.3}",
            e.winner,
            e.runner_up,
            e.log_odds,
            e.prior,
            e.log_odds - e.prior
        );
        let h = ["feature", "contribution"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut t = TableWriter::new(Box::new(std::io::stdout()), Format::Table, h, false)?;
        for c in &e.contributions {
            t.row(&[Cell::Str(c.feature.clone()), Cell::Num(c.weight)])?;
        }
        t.finish()?;
        println!();
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&all)?);
    }
    Ok(())
}
