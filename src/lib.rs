//! `stance`: stance and sentiment toward Russia, Iran and the West in news
//! text, scored per sentence with naive Bayes models trained on hand-labeled
//! data, aggregated per article and compared across outlets.

pub mod actors;
pub mod clean;
pub mod error;
pub mod gold;
pub mod sentences;
pub mod units;

pub use error::{Result, StanceError};
