//! The model file: a versioned, checksummed JSON document. Loading never
//! runs anything; a file of another format version, a truncated or edited
//! file, or a foreign file is rejected with a message saying which.

use crate::error::{Result, StanceError};
use crate::model::FittedModel;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

pub const FORMAT: &str = "stance-model";
pub const FORMAT_VERSION: u32 = 1;

/// The model shipped inside the binary.
pub const DEFAULT_MODEL: &[u8] = include_bytes!("../models/default.model");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceInfo {
    /// File name only: paths on the trainer's machine mean nothing elsewhere.
    pub name: String,
    pub sha256: String,
    pub rows: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingInfo {
    pub label_files: Vec<SourceInfo>,
    /// Articles read from --texts to place hash-keyed labels: id → SHA-256.
    pub texts: std::collections::BTreeMap<String, String>,
    /// SHA-256 over the label files' and texts' hashes, in order.
    pub data_hash: String,
    pub units: usize,
    pub noise_units: usize,
    pub articles: usize,
    /// Actors that had labels: others are scored through masked features only.
    pub actors: Vec<String>,
}

/// Cross-validated confusion matrices ([gold][pred], output class order),
/// used to correct class shares (adjusted classify-and-count).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CvInfo {
    pub grouping: String,
    pub stance_confusion: Vec<Vec<usize>>,
    pub sentiment_confusion: Vec<Vec<usize>>,
    pub stance_macro_f1: f64,
    pub sentiment_macro_f1: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StanceModel {
    pub stance_version: String,
    pub lexicon_hash: String,
    pub training: TrainingInfo,
    pub cv: Option<CvInfo>,
    pub model: FittedModel,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<'a> {
    format: String,
    format_version: u32,
    checksum: String,
    #[serde(borrow)]
    payload: &'a RawValue,
}

impl StanceModel {
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let payload =
            serde_json::to_string(self).map_err(|e| StanceError::Training(e.to_string()))?;
        let checksum = crate::actors::hex_sha256(payload.as_bytes());
        let mut out = format!(
            "{{\"format\":\"{FORMAT}\",\"format_version\":{FORMAT_VERSION},\"checksum\":\"{checksum}\",\"payload\":"
        );
        out.push_str(&payload);
        out.push_str("}\n");
        Ok(out.into_bytes())
    }

    pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<StanceModel> {
        let err = |m: String| StanceError::Model {
            path: origin.to_string(),
            message: m,
        };
        let text = std::str::from_utf8(bytes)
            .map_err(|_| err("not a stance model (not UTF-8 text)".into()))?;
        let head: serde_json::Value = match serde_json::from_str::<Envelope>(text) {
            Ok(env) => {
                if env.format != FORMAT {
                    return Err(err(format!("not a stance model (format {:?})", env.format)));
                }
                if env.format_version != FORMAT_VERSION {
                    return Err(err(format!(
                        "format version {} is not supported by this stance (expects {FORMAT_VERSION}); retrain with `stance train`",
                        env.format_version
                    )));
                }
                let sum = crate::actors::hex_sha256(env.payload.get().as_bytes());
                if sum != env.checksum {
                    return Err(err(
                        "checksum mismatch: the file was edited or corrupted".into()
                    ));
                }
                let mut m: StanceModel = serde_json::from_str(env.payload.get()).map_err(|e| {
                    err(format!(
                        "payload does not match format version {FORMAT_VERSION}: {e}"
                    ))
                })?;
                m.validate().map_err(err)?;
                m.model.rebuild_index();
                return Ok(m);
            }
            Err(e) => serde_json::from_str(text)
                .map_err(|_| err(format!("not a stance model or truncated ({e})")))?,
        };
        // Valid JSON but not our envelope: say what it is.
        match (head.get("format"), head.get("format_version")) {
            (Some(f), _) if f != FORMAT => Err(err(format!("not a stance model (format {f})"))),
            (_, Some(v)) if v != FORMAT_VERSION => Err(err(format!(
                "format version {v} is not supported by this stance (expects {FORMAT_VERSION}); retrain with `stance train`"
            ))),
            _ => Err(err("not a stance model (missing or extra envelope fields)".into())),
        }
    }

    pub fn load(path: &std::path::Path) -> Result<StanceModel> {
        let bytes = std::fs::read(path).map_err(|e| StanceError::io(path, e))?;
        StanceModel::from_bytes(&bytes, &path.display().to_string())
    }

    pub fn default_model() -> Result<StanceModel> {
        StanceModel::from_bytes(DEFAULT_MODEL, "<built-in default.model>")
    }

    /// Shapes agree, probabilities are finite: a model that passes never
    /// panics or yields NaN in prediction.
    fn validate(&self) -> std::result::Result<(), String> {
        let v = self.model.vocabulary.len();
        if self.model.vocabulary.windows(2).any(|w| w[0] >= w[1]) {
            return Err("vocabulary is not sorted and unique".into());
        }
        for (name, h) in [
            ("stance", &self.model.stance),
            ("sentiment", &self.model.sentiment),
        ] {
            let k = h.classes.len();
            if k != 3
                || h.class_count.len() != k
                || h.log_prior.len() != k
                || h.feature_log_prob.len() != k
            {
                return Err(format!("{name} head has inconsistent class arrays"));
            }
            if h.log_prior.iter().all(|p| p.is_none()) {
                return Err(format!("{name} head has no class"));
            }
            for (p, flp) in h.log_prior.iter().zip(&h.feature_log_prob) {
                match p {
                    Some(p) if !p.is_finite() => {
                        return Err(format!("{name} head has a non-finite prior"))
                    }
                    Some(_) if flp.len() != v => {
                        return Err(format!(
                            "{name} head has {} feature weights for {v} features",
                            flp.len()
                        ))
                    }
                    Some(_) if flp.iter().any(|x| !x.is_finite()) => {
                        return Err(format!("{name} head has non-finite weights"))
                    }
                    None if !flp.is_empty() => {
                        return Err(format!("{name} head has weights for an absent class"))
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }
}
