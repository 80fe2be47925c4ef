//! The library's error type. Every variant that concerns a file names it.

use std::path::PathBuf;

use crate::i18n::{Lang, Msg};

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
    Query(QueryError),
    /// No catalog where one was expected (a command other than `index` on a new folder).
    #[error("no catalog at {}: run `archive index PATH` first, or point --archive at an archive folder", path.display())]
    NoCatalog { path: PathBuf },
    /// A catalog written by another version of archive, in a format this one does not read.
    #[error("{}: catalog format {found} is not one this version reads ({expected}); use a matching archive version", path.display())]
    CatalogFormat {
        path: PathBuf,
        /// The stored format as read (it may not even be a number).
        found: String,
        expected: i64,
    },
    /// An evidence folder given to `archive index` cannot be opened.
    #[error("evidence folder {}: {}; check the path", path.display(), crate::walk::describe_io(cause))]
    EvidenceFolder {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("{} is not a folder; give the folder that holds the evidence", path.display())]
    NotAFolder { path: PathBuf },
    /// The system refused a thread (out of memory or of threads).
    #[error("could not start {what}: {cause}")]
    Thread {
        what: &'static str,
        cause: std::io::Error,
    },
    /// A helper thread panicked; its panic message was printed when it happened.
    #[error("{what} failed unexpectedly (a bug; see the message above)")]
    Panicked { what: &'static str },
    /// Another index, retag or reindex holds the archive: two writers would each commit half.
    #[error("another `archive index` (or retag, reindex) is working on the archive {}; wait for it to finish, then run this again", path.display())]
    Busy { path: PathBuf },
    /// A coverage report by county was asked for a place that is not a prefecture.
    #[error("{0:?} is not a prefecture; use a name such as 海东市 or a code such as 630200")]
    NotAPrefecture(String),
    #[error("could not write the XLSX ledger: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// Free-form failures no caller acts on beyond showing them (writing a bag, building a
    /// matcher): the message says everything.
    #[error("{0}")]
    Other(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What is wrong with a query or a filter, said in the reader's language: a catalogue key and
/// its parameters (the field or value typed, what exists instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub msg: Msg,
    pub params: Vec<(&'static str, String)>,
}

impl QueryError {
    pub fn text(&self, lang: Lang) -> String {
        let args: Vec<(&str, &dyn std::fmt::Display)> = self
            .params
            .iter()
            .map(|(k, v)| (*k, v as &dyn std::fmt::Display))
            .collect();
        lang.fill(self.msg, &args)
    }
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl Error {
    /// A query or filter the user can fix: `msg` with its parameters.
    pub fn query(msg: Msg, params: &[(&'static str, &dyn std::fmt::Display)]) -> Error {
        Error::Query(QueryError {
            msg,
            params: params.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        })
    }
}

impl Error {
    /// The message in `lang`, for the errors a user meets in ordinary use and can fix; the
    /// others (a bug, a library's failure) keep their English text, which names the library's
    /// own words.
    pub fn localized(&self, lang: Lang) -> String {
        let path = |p: &PathBuf| crate::walk::display_path(p.as_os_str());
        match self {
            Error::NoCatalog { path: p } => lang.fill(Msg::ErrNoCatalog, &[("path", &path(p))]),
            Error::EvidenceFolder { path: p, cause } => lang.fill(
                Msg::ErrEvidenceFolder,
                &[
                    ("path", &path(p)),
                    ("why", &crate::walk::io_problem(cause).reason(lang)),
                ],
            ),
            Error::NotAFolder { path: p } => lang.fill(Msg::ErrNotAFolder, &[("path", &path(p))]),
            Error::Busy { path: p } => lang.fill(Msg::ErrBusy, &[("path", &path(p))]),
            Error::NotAPrefecture(v) => lang.fill(Msg::ErrNotAPrefecture, &[("value", v)]),
            Error::Query(q) => q.text(lang),
            Error::CatalogFormat {
                path: p,
                found,
                expected,
            } => lang.fill(
                Msg::ErrCatalogFormat,
                &[("path", &path(p)), ("found", found), ("expected", expected)],
            ),
            other => other.to_string(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            cause: source,
        }
    }
}
