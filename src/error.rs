//! The library's error type. Every variant that concerns a file names it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    // The cause is part of the message, not a chained source: `{:#}` would print it twice.
    #[error("{path}: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("catalog {path}: {cause}")]
    Catalog {
        path: PathBuf,
        cause: rusqlite::Error,
    },
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("schema {file}: {message}")]
    Schema { file: String, message: String },
    #[error("config {path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error("query: {0}")]
    Query(String),
    #[error("{0}")]
    Other(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            cause: source,
        }
    }
}
