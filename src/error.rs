//! Typed errors of the library. Every variant names the place (file, line,
//! record, field) and what was expected, because researchers run `stance` over
//! scrapes they did not write and need to find the bad record.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StanceError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not valid UTF-8 at byte {offset} (line {line}); use --lossy to replace invalid bytes")]
    Utf8 {
        path: PathBuf,
        line: usize,
        offset: usize,
    },
    #[error("{path}:{line}: {message}")]
    Record {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("model file {path}: {message}")]
    Model { path: String, message: String },
    #[error("lexicon {path}: {message}")]
    Lexicon { path: String, message: String },
    #[error("invalid parameter: {0}")]
    Param(String),
    #[error("training: {0}")]
    Training(String),
    #[error("{0}")]
    Input(String),
}

pub type Result<T> = std::result::Result<T, StanceError>;

impl StanceError {
    /// Errors that concern one record (a line, a file's content) rather than
    /// the run: `--keep-going` turns these into rejects.
    pub fn is_record_level(&self) -> bool {
        matches!(
            self,
            StanceError::Record { .. } | StanceError::Utf8 { .. } | StanceError::Input(_)
        )
    }

    /// (where, what) for a rejects file.
    pub fn location_and_reason(&self) -> (String, String) {
        match self {
            StanceError::Record {
                path,
                line,
                message,
            } => (format!("{}:{line}", path.display()), message.clone()),
            StanceError::Utf8 { path, line, offset } => (
                format!("{}:{line}", path.display()),
                format!("not valid UTF-8 at byte {offset}"),
            ),
            StanceError::Input(m) => match m.split_once(": ") {
                Some((loc, why)) => (loc.to_string(), why.to_string()),
                None => (String::new(), m.clone()),
            },
            other => (String::new(), other.to_string()),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StanceError::Io {
            path: path.into(),
            source,
        }
    }
    pub fn record(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        StanceError::Record {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
    pub fn file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        StanceError::File {
            path: path.into(),
            message: message.into(),
        }
    }
}
