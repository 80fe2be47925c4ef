//! The rectification ledger (问题清单整改台账): the problems the province's supervision found,
//! imported from the list the office already keeps, each tracked to the evidence that closes it.
//!
//! Not to be confused with [`crate::problem`], what can go wrong reading one evidence file.
//!
//! The list is read by [`table`] (header row, columns, `--map`) and [`rows`] (places, deadlines,
//! the 市州 written once for a group), then stored whole or not at all by [`store`]: one bad row
//! refuses the list, so a half-imported ledger never looks complete. [`track`] links evidence
//! and moves a problem through its statuses. Like [`crate::curate`], every change is checked
//! against the actor's role and written to the hash-chained audit log in the same transaction.
//!
//! A province-wide problem (市州 written 各市州 or 全省) is one row with `scope = 'province'` and
//! no prefecture: it applies to all eight prefectures, is listed under each of them, and is
//! rectified once (docs/problems.md).

pub mod deadline;
pub mod report;
pub mod rows;
pub mod score;
pub mod store;
pub mod table;
pub mod track;

#[cfg(test)]
mod score_tests;
#[cfg(test)]
mod tests;

use rusqlite::Connection;
use serde::Serialize;

use crate::curate::CurateError;
use crate::i18n::{Lang, Msg};

pub(crate) const DDL: &str = "
CREATE TABLE IF NOT EXISTS problems(
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL,
    scope TEXT NOT NULL,
    prefecture TEXT,
    county TEXT,
    category TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL,
    indicators TEXT NOT NULL DEFAULT '[]',
    indicator_text TEXT NOT NULL DEFAULT '',
    measures TEXT NOT NULL DEFAULT '',
    responsible TEXT NOT NULL DEFAULT '',
    deadline TEXT,
    deadline_text TEXT NOT NULL DEFAULT '',
    progress TEXT NOT NULL DEFAULT '',
    remark TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open',
    prior_status TEXT,
    source TEXT NOT NULL,
    source_row INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS problems_key ON problems(number, COALESCE(prefecture, ''));
CREATE TABLE IF NOT EXISTS problem_evidence(
    problem_id INTEGER NOT NULL REFERENCES problems(id),
    blake3 TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    who TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY(problem_id, blake3)
);
CREATE TABLE IF NOT EXISTS problem_history(
    id INTEGER PRIMARY KEY,
    problem_id INTEGER NOT NULL REFERENCES problems(id),
    audit_seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS problem_history_by_problem ON problem_history(problem_id, id);
";

/// Create the ledger's tables (idempotent), beside curation's, so an older catalog gains them
/// on first use.
pub fn ensure_tables(conn: &Connection) -> Result<(), CurateError> {
    crate::curate::ensure_tables(conn)?;
    conn.execute_batch(DDL)?;
    Ok(())
}

/// Where a problem is in its rectification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Rectifying,
    Rectified,
    /// Checked again by the office: needs a curator and at least one linked file.
    Verified,
    /// Gone from the list (or withdrawn by hand); kept, never deleted.
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Open,
        Status::Rectifying,
        Status::Rectified,
        Status::Verified,
        Status::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Rectifying => "rectifying",
            Status::Rectified => "rectified",
            Status::Verified => "verified",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s.trim())
    }

    /// The status as the office says it.
    pub fn label(self) -> Msg {
        match self {
            Status::Open => Msg::ProblemsStatusOpen,
            Status::Rectifying => Msg::ProblemsStatusRectifying,
            Status::Rectified => Msg::ProblemsStatusRectified,
            Status::Verified => Msg::ProblemsStatusVerified,
            Status::Withdrawn => Msg::ProblemsStatusWithdrawn,
        }
    }

    /// Still to be done: a deadline passed in this status makes the problem overdue.
    pub fn is_pending(self) -> bool {
        matches!(self, Status::Open | Status::Rectifying)
    }
}

/// The fields of a problem a list's column may hold (`--map COLUMN=field` names them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Number,
    Prefecture,
    County,
    Category,
    Description,
    Indicator,
    Measures,
    Responsible,
    Deadline,
    Progress,
    Remark,
}

impl Field {
    pub const ALL: [Field; 11] = [
        Field::Number,
        Field::Prefecture,
        Field::County,
        Field::Category,
        Field::Description,
        Field::Indicator,
        Field::Measures,
        Field::Responsible,
        Field::Deadline,
        Field::Progress,
        Field::Remark,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Number => "number",
            Field::Prefecture => "prefecture",
            Field::County => "county",
            Field::Category => "category",
            Field::Description => "description",
            Field::Indicator => "indicator",
            Field::Measures => "measures",
            Field::Responsible => "responsible",
            Field::Deadline => "deadline",
            Field::Progress => "progress",
            Field::Remark => "remark",
        }
    }

    pub fn parse(s: &str) -> Option<Field> {
        let s = s.trim().to_lowercase();
        Field::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The header the office usually writes for it (for messages).
    pub fn usual_header(self) -> &'static str {
        match self {
            Field::Number => "序号",
            Field::Prefecture => "市州",
            Field::County => "县区",
            Field::Category => "问题类别",
            Field::Description => "存在问题",
            Field::Indicator => "对应指标",
            Field::Measures => "整改措施",
            Field::Responsible => "责任单位",
            Field::Deadline => "整改时限",
            Field::Progress => "整改情况",
            Field::Remark => "备注",
        }
    }
}

/// Why one row of a list cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Why {
    UnknownPlace,
    /// The county is not in the row's prefecture.
    CountyElsewhere {
        prefecture: String,
    },
    UnreadableDeadline,
    /// A month and day without a year, and neither `--year` nor the title gives one.
    NoYear,
    NoDescription,
    NoNumber,
    NoPrefecture,
    /// Same number and prefecture as an earlier row.
    Duplicate {
        first: usize,
    },
}

/// One bad row: where (the row as the spreadsheet numbers it), which column (its header as
/// written), the value as written, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadRow {
    pub row: usize,
    pub column: String,
    pub value: String,
    #[serde(flatten)]
    pub why: Why,
}

impl BadRow {
    /// "第 N 行，市州“海南”：…" in `lang`.
    pub fn sentence(&self, lang: Lang) -> String {
        let why = match &self.why {
            Why::UnknownPlace => lang.t(Msg::ProblemsWhyUnknownPlace).to_string(),
            Why::CountyElsewhere { prefecture } => lang.fill(
                Msg::ProblemsWhyCountyElsewhere,
                &[("prefecture", prefecture)],
            ),
            Why::UnreadableDeadline => lang.t(Msg::ProblemsWhyBadDeadline).to_string(),
            Why::NoYear => lang.t(Msg::ProblemsWhyNoYear).to_string(),
            Why::NoDescription => lang.t(Msg::ProblemsWhyNoDescription).to_string(),
            Why::NoNumber => lang.t(Msg::ProblemsWhyNoNumber).to_string(),
            Why::NoPrefecture => lang.t(Msg::ProblemsWhyNoPrefecture).to_string(),
            Why::Duplicate { first } => lang.fill(Msg::ProblemsWhyDuplicate, &[("first", first)]),
        };
        lang.fill(
            Msg::ProblemsBadRow,
            &[
                ("row", &self.row),
                ("column", &self.column),
                ("value", &crate::problem::one_line(&self.value)),
                ("why", &why),
            ],
        )
    }
}

/// Why the ledger refused a command; worded from the catalogue in the reader's language.
#[derive(Debug, thiserror::Error)]
pub enum ProblemsError {
    /// The list has bad rows: nothing was imported.
    #[error("{}", refused_text(file, bad, Lang::En))]
    Refused { file: String, bad: Vec<BadRow> },
    /// A refusal worded by the catalogue (`Msg` with its parameters).
    #[error("{}", Lang::En.fill(*msg, &as_args(params)))]
    Said {
        msg: Msg,
        params: Vec<(&'static str, String)>,
    },
    #[error(transparent)]
    Curate(#[from] CurateError),
}

impl From<rusqlite::Error> for ProblemsError {
    fn from(e: rusqlite::Error) -> Self {
        ProblemsError::Curate(e.into())
    }
}

impl From<crate::Error> for ProblemsError {
    fn from(e: crate::Error) -> Self {
        ProblemsError::Curate(e.into())
    }
}

pub type ProblemsResult<T> = Result<T, ProblemsError>;

fn as_args<'a>(
    params: &'a [(&'static str, String)],
) -> Vec<(&'static str, &'a dyn std::fmt::Display)> {
    params
        .iter()
        .map(|(k, v)| (*k, v as &dyn std::fmt::Display))
        .collect()
}

fn refused_text(file: &str, bad: &[BadRow], lang: Lang) -> String {
    let mut s = lang.fill(Msg::ProblemsRefused, &[("file", &file), ("n", &bad.len())]);
    for b in bad {
        s.push_str("\n  ");
        s.push_str(&b.sentence(lang));
    }
    s
}

impl ProblemsError {
    /// A catalogue refusal with its named parameters.
    pub fn said(msg: Msg, params: &[(&'static str, &dyn std::fmt::Display)]) -> ProblemsError {
        ProblemsError::Said {
            msg,
            params: params.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        }
    }

    /// The message in `lang` (library errors other than the ledger's own stay as they are).
    pub fn localized(&self, lang: Lang) -> String {
        match self {
            ProblemsError::Refused { file, bad } => refused_text(file, bad, lang),
            ProblemsError::Said { msg, params } => lang.fill(*msg, &as_args(params)),
            ProblemsError::Curate(CurateError::Catalog(e)) => e.localized(lang),
            ProblemsError::Curate(e) => e.to_string(),
        }
    }
}
