//! The library's error type. Every variant that concerns a file names it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("catalog {path}: {source}")]
    Catalog { path: PathBuf, source: rusqlite::Error },
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
        Error::Io { path: path.into(), source }
    }
}
