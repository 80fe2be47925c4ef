//! Curation: what the office does to the catalogue before it shows it to an inspection.
//!
//! People gather files into [`collections`], correct tags by hand ([`tags`]), review each item
//! (accepted, or rejected with a reason), and manage who may do which of these ([`users`]).
//! Every change goes through this module so that it can be checked against the actor's role
//! and written to the hash-chained [`audit`] log in the same catalog transaction: there is no
//! way to change curation state without leaving a trace.
//!
//! Every operation takes `who: &Actor` and returns a typed [`CurateError`], so the command line
//! (a local operator, admin) and the web routes (a signed-in user) share one implementation
//! and one set of role checks.

pub mod audit;
pub mod caption_import;
pub mod captions;
pub mod collections;
pub mod flags;
pub mod tags;
pub mod users;

// Roles are part of the configuration (`[[users]]`); curation checks them.
pub use crate::config::Role;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};

/// Who is acting: a signed-in user of the page, or the local operator at the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

impl Actor {
    pub fn new(name: impl Into<String>, role: Role) -> Actor {
        Actor {
            name: name.into(),
            role,
        }
    }

    /// The person at the command line: whoever can open the catalog file can change it anyway,
    /// so the CLI acts as an admin, under the OS user name so the audit log says who it was.
    pub fn local_operator() -> Actor {
        let name = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .ok()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "local".to_string());
        Actor {
            name,
            role: Role::Admin,
        }
    }

    pub fn can(&self, needed: Role) -> bool {
        self.role >= needed
    }

    /// Refuse `action` unless this actor has at least `needed`.
    pub fn require(&self, needed: Role, action: &str) -> Result<(), CurateError> {
        if self.can(needed) {
            Ok(())
        } else {
            Err(CurateError::Forbidden {
                who: self.name.clone(),
                role: self.role,
                needed,
                action: action.to_string(),
            })
        }
    }
}

/// Why a curation operation was refused or failed. The web part maps these to statuses:
/// `Forbidden` 403, `NotFound` 404, `Invalid` and `ReasonRequired` 400, `Conflict` 409,
/// `Catalog`/`Io` 500.
#[derive(Debug, thiserror::Error)]
pub enum CurateError {
    #[error("{who} ({role}) may not {action}: that needs the {needed} role; ask an admin")]
    Forbidden {
        who: String,
        role: Role,
        needed: Role,
        action: String,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}: give a reason (--reason \"...\") so the audit log says why")]
    ReasonRequired(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Catalog(#[from] crate::Error),
    #[error("catalog: {0}")]
    Sql(#[from] rusqlite::Error),
}

pub type CurateResult<T> = Result<T, CurateError>;

/// A write transaction that takes the database write lock at once, so two writers (the page
/// and a CLI command) never interleave between reading the audit chain's head and appending.
pub(crate) fn write_tx(conn: &Connection) -> rusqlite::Result<Transaction<'_>> {
    Transaction::new_unchecked(conn, TransactionBehavior::Immediate)
}

/// Longest reason kept: a reason is a sentence or two for the audit log and the ledger, and
/// an unbounded one (900 KB was accepted) bloats both for every later reader.
pub const MAX_REASON_CHARS: usize = 1_000;
/// Longest collection description (it becomes the package's External-Description).
pub const MAX_DESCRIPTION_CHARS: usize = 4_000;

/// A reason as given, trimmed; `None` when empty; refused when longer than
/// [`MAX_REASON_CHARS`].
pub(crate) fn reason_text(reason: Option<&str>) -> CurateResult<Option<String>> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if let Some(r) = reason {
        let n = r.chars().count();
        if n > MAX_REASON_CHARS {
            return Err(CurateError::Invalid(format!(
                "the reason is {n} characters long; keep it under {MAX_REASON_CHARS} (put long \
                 explanations in a document and name it in the reason)"
            )));
        }
    }
    Ok(reason.map(str::to_string))
}

/// A description as given, trimmed; refused when longer than [`MAX_DESCRIPTION_CHARS`].
pub(crate) fn description_text(description: &str) -> CurateResult<&str> {
    let d = description.trim();
    let n = d.chars().count();
    if n > MAX_DESCRIPTION_CHARS {
        return Err(CurateError::Invalid(format!(
            "the description is {n} characters long; keep it under {MAX_DESCRIPTION_CHARS}"
        )));
    }
    Ok(d)
}

/// Create every curation table (idempotent). Called by each entry point, so an older catalog
/// gains them on first use.
pub fn ensure_tables(conn: &Connection) -> CurateResult<()> {
    conn.execute_batch(audit::DDL)?;
    conn.execute_batch(collections::DDL)?;
    Ok(())
}
