//! `stance`: stance and sentiment toward Russia, Iran and the West in news
//! text, scored per sentence with naive Bayes models trained on hand-labeled
//! data, aggregated per article and compared across outlets.

pub mod actors;
pub mod agree;
pub mod article_cache;
pub mod chart;
pub mod class_counts;
pub mod clean;
pub mod compare;
pub mod compare_io;
pub mod csv_lines;
pub mod dupes;
pub mod error;
pub mod eval;
pub mod explain;
pub mod features;
pub mod gold;
pub mod input;
pub mod label_read;
pub mod label_stream;
pub mod labels;
pub mod metrics;
pub mod model;
pub mod modelfile;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod score;
pub mod score_rows;
pub mod sentences;
pub mod stats;
pub mod swar;
pub mod train;
pub mod units;
pub mod vectorize;
mod word_table;

pub use error::{Result, StanceError};
