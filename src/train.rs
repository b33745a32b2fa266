//! Training from label files in one streaming pass: labels are placed and
//! counted as they are read, so memory holds the feature table, a few
//! chunks of rows and the article cache, however many rows there are.

use crate::actors::Lexicon;
use crate::class_counts::ClassCounts;
use crate::clean::CleanOptions;
use crate::error::Result;
use crate::features::FeatureSettings;
use crate::label_stream::{in_file_order, stream_units, Summary};
use crate::labels::LabeledUnit;
use crate::model::{ClassSums, FittedModel, StanceValidParams};
use std::path::{Path, PathBuf};

/// A model fitted on label files, and what placing their labels found.
#[derive(Debug)]
pub struct Trained {
    pub model: FittedModel,
    pub summary: Summary,
    /// Every unit in file order, when asked for (cross-validation needs
    /// them all; nothing else does).
    pub units: Option<Vec<LabeledUnit>>,
}

/// Labels placed and counted, not yet fitted.
#[derive(Debug)]
pub struct Counted {
    pub sums: ClassSums,
    pub summary: Summary,
    /// Every unit in file order, when asked for.
    pub units: Option<Vec<LabeledUnit>>,
}

/// Place the labels of `files` and count their features per class under
/// `settings`, in one streaming pass.
pub fn count_labels(
    files: &[PathBuf],
    texts: Option<&Path>,
    lex: &Lexicon,
    clean: CleanOptions,
    settings: &FeatureSettings,
    keep_units: bool,
) -> Result<Counted> {
    let (accs, summary) = stream_units(
        files,
        texts,
        lex,
        clean,
        || (ClassCounts::new(settings), Vec::new()),
        |(counts, units): &mut (ClassCounts, Vec<(usize, LabeledUnit)>), chunk, u| {
            counts.add(u.text, u.mentions, u.actor_index, u.stance, u.sentiment);
            if keep_units {
                units.push((chunk, u.to_unit()));
            }
        },
    )?;
    let mut total: Option<ClassCounts> = None;
    let mut parts = Vec::with_capacity(accs.len());
    for (counts, units) in accs {
        match &mut total {
            None => total = Some(counts),
            Some(t) => t.merge(counts),
        }
        parts.push(units);
    }
    let counts = total.unwrap_or_else(|| ClassCounts::new(settings));
    Ok(Counted {
        sums: counts.into_sums(settings.min_count),
        summary,
        units: keep_units.then(|| in_file_order(parts)),
    })
}

/// Place the labels of `files` and fit `params` on them. The model is the
/// one `StanceValidParams::fit_from` gives on the placed units, bit for bit
/// (`tests/train.rs`).
pub fn train_streamed(
    files: &[PathBuf],
    texts: Option<&Path>,
    lex: &Lexicon,
    clean: CleanOptions,
    params: &StanceValidParams,
    keep_units: bool,
) -> Result<Trained> {
    let c = count_labels(files, texts, lex, clean, &params.features, keep_units)?;
    Ok(Trained {
        model: params.fit_sums(c.sums)?,
        summary: c.summary,
        units: c.units,
    })
}
