//! Importing a list: read whole, refused whole, stored in one transaction with its audit entry.
//!
//! A problem is known by its number and prefecture (numbers restart under each 市州 in most
//! lists). Importing again updates the text of the problems still listed and keeps their
//! links and status; a problem gone from the list becomes `withdrawn` (its status before is
//! kept, and given back if it returns); nothing is ever deleted.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::rows::{self, Parsed};
use super::table::{self, MapRule};
use super::{ensure_tables, ProblemsError, ProblemsResult, Status};
use crate::catalog::{now_rfc3339, Catalog};
use crate::curate::audit::{self, NewEntry};
use crate::curate::{write_tx, Actor, Role};
use crate::i18n::Msg;
use crate::schema::Schema;

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportOutcome {
    pub file: String,
    pub sheet: Option<String>,
    /// The year deadlines without one were put in (`--year`, else the title's).
    pub year: Option<i32>,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub withdrawn: usize,
    /// Withdrawn problems listed again.
    pub restored: usize,
    pub province_wide: usize,
}

/// Read a list file and every problem in it, or every bad row: nothing is written.
pub fn read_list(
    schema: &Schema,
    path: &Path,
    data: &[u8],
    year: Option<i32>,
    maps: &[MapRule],
) -> ProblemsResult<(Vec<Parsed>, Option<String>, Option<i32>)> {
    let file = path.display().to_string();
    let tables = table::read(path, data)?;
    let found = tables
        .iter()
        .find_map(|t| table::find_columns(t, maps).map(|c| (t, c)));
    let Some((t, cols)) = found else {
        return Err(ProblemsError::said(
            Msg::ProblemsNoHeader,
            &[("file", &file), ("rows", &table::HEADER_SCAN_ROWS)],
        ));
    };
    for rule in maps {
        if !cols.at.contains_key(&rule.field) {
            return Err(ProblemsError::said(
                Msg::ProblemsMapNoColumn,
                &[("column", &rule.column)],
            ));
        }
    }
    for needed in [super::Field::Number, super::Field::Description] {
        if !cols.at.contains_key(&needed) {
            return Err(ProblemsError::said(
                Msg::ProblemsMissingColumn,
                &[
                    ("file", &file),
                    ("header", &needed.usual_header()),
                    ("field", &needed.as_str()),
                ],
            ));
        }
    }
    let year = year.or_else(|| super::deadline::year_in(&table::title(t, &cols)));
    match rows::parse(schema, t, &cols, year) {
        // An empty list would withdraw every problem: far more likely the wrong file.
        Ok(list) if list.is_empty() => {
            Err(ProblemsError::said(Msg::ProblemsNoRows, &[("file", &file)]))
        }
        Ok(list) => Ok((list, t.sheet.clone(), year)),
        Err(bad) => Err(ProblemsError::Refused { file, bad }),
    }
}

/// The stored text of a problem, compared to tell an update from no change.
fn content(p: &Parsed) -> serde_json::Value {
    serde_json::json!([
        p.county,
        p.category,
        p.description,
        p.indicators,
        p.indicator_text,
        p.measures,
        p.responsible,
        p.deadline.map(super::deadline::ymd),
        p.deadline_text,
        p.progress,
        p.remark,
        p.scope.as_str()
    ])
}

struct Existing {
    id: i64,
    status: Status,
    prior: Option<Status>,
    content: serde_json::Value,
}

fn existing(conn: &Connection) -> ProblemsResult<HashMap<(String, Option<String>), Existing>> {
    let mut stmt = conn.prepare(
        "SELECT id, number, prefecture, status, prior_status, county, category, description,
                indicators, indicator_text, measures, responsible, deadline, deadline_text,
                progress, remark, scope FROM problems",
    )?;
    let rows = stmt.query_map([], |r| {
        let indicators: String = r.get(8)?;
        let indicators: Vec<String> = serde_json::from_str(&indicators).unwrap_or_default();
        let content = serde_json::json!([
            r.get::<_, Option<String>>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
            indicators,
            r.get::<_, String>(9)?,
            r.get::<_, String>(10)?,
            r.get::<_, String>(11)?,
            r.get::<_, Option<String>>(12)?,
            r.get::<_, String>(13)?,
            r.get::<_, String>(14)?,
            r.get::<_, String>(15)?,
            r.get::<_, String>(16)?,
        ]);
        let status: String = r.get(3)?;
        let prior: Option<String> = r.get(4)?;
        Ok((
            (r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?),
            Existing {
                id: r.get(0)?,
                status: Status::parse(&status).unwrap_or(Status::Open),
                prior: prior.as_deref().and_then(Status::parse),
                content,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One line of a problem's history, beside the audit entry that records it.
pub(super) fn history(
    conn: &Connection,
    problem_id: i64,
    entry: &audit::AuditEntry,
    action: &str,
    details: serde_json::Value,
) -> ProblemsResult<()> {
    conn.execute(
        "INSERT INTO problem_history(problem_id, audit_seq, at, who, action, details)
         VALUES(?1,?2,?3,?4,?5,?6)",
        params![
            problem_id,
            entry.seq,
            entry.at,
            entry.who,
            action,
            details.to_string()
        ],
    )?;
    Ok(())
}

/// Import a list file (already read into `data`): curators and admins. A list with any bad
/// row is refused whole, naming every bad row; nothing is written then.
pub fn import(
    cat: &Catalog,
    schema: &Schema,
    who: &Actor,
    path: &Path,
    data: &[u8],
    year: Option<i32>,
    maps: &[MapRule],
) -> ProblemsResult<ImportOutcome> {
    who.require(Role::Curator, "import the problem list")?;
    let (list, sheet, year) = read_list(schema, path, data, year, maps)?;
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    ensure_tables(cat.conn())?;
    let tx = write_tx(cat.conn())?;
    let now = now_rfc3339();
    let mut known = existing(&tx)?;
    let mut out = ImportOutcome {
        file: file.clone(),
        sheet,
        year,
        rows: list.len(),
        ..Default::default()
    };
    // (problem id, what happened) for the history, written once the audit entry exists.
    let mut events: Vec<(i64, &'static str)> = Vec::new();
    for p in &list {
        if p.scope == rows::Scope::Province {
            out.province_wide += 1;
        }
        let key = (p.number.clone(), p.prefecture.clone());
        let indicators = serde_json::to_string(&p.indicators).expect("strings serialize");
        let deadline = p.deadline.map(super::deadline::ymd);
        match known.remove(&key) {
            None => {
                tx.execute(
                    "INSERT INTO problems(number, scope, prefecture, county, category, description,
                        indicators, indicator_text, measures, responsible, deadline, deadline_text,
                        progress, remark, source, source_row, imported_at, updated_at, status)
                     VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?17,'open')",
                    params![
                        p.number,
                        p.scope.as_str(),
                        p.prefecture,
                        p.county,
                        p.category,
                        p.description,
                        indicators,
                        p.indicator_text,
                        p.measures,
                        p.responsible,
                        deadline,
                        p.deadline_text,
                        p.progress,
                        p.remark,
                        file,
                        p.row as i64,
                        now,
                    ],
                )?;
                out.created += 1;
                events.push((tx.last_insert_rowid(), "import.created"));
            }
            Some(old) => {
                let restore = old.status == Status::Withdrawn && old.prior.is_some();
                let changed = old.content != content(p);
                tx.execute(
                    "UPDATE problems SET number=?1, scope=?2, prefecture=?3, county=?4, category=?5,
                        description=?6, indicators=?7, indicator_text=?8, measures=?9,
                        responsible=?10, deadline=?11, deadline_text=?12, progress=?13, remark=?14,
                        source=?15, source_row=?16, imported_at=?17,
                        updated_at=CASE WHEN ?18 THEN ?17 ELSE updated_at END
                     WHERE id=?19",
                    params![
                        p.number,
                        p.scope.as_str(),
                        p.prefecture,
                        p.county,
                        p.category,
                        p.description,
                        indicators,
                        p.indicator_text,
                        p.measures,
                        p.responsible,
                        deadline,
                        p.deadline_text,
                        p.progress,
                        p.remark,
                        file,
                        p.row as i64,
                        now,
                        changed || restore,
                        old.id
                    ],
                )?;
                if restore {
                    let back = old.prior.unwrap_or(Status::Open);
                    tx.execute(
                        "UPDATE problems SET status=?1, prior_status=NULL WHERE id=?2",
                        params![back.as_str(), old.id],
                    )?;
                    out.restored += 1;
                    events.push((old.id, "import.restored"));
                } else if changed {
                    out.updated += 1;
                    events.push((old.id, "import.updated"));
                } else {
                    out.unchanged += 1;
                }
            }
        }
    }
    // What is left was not in this list: withdrawn, never deleted.
    for old in known.values().filter(|o| o.status != Status::Withdrawn) {
        tx.execute(
            "UPDATE problems SET prior_status=status, status='withdrawn', updated_at=?1 WHERE id=?2",
            params![now, old.id],
        )?;
        out.withdrawn += 1;
        events.push((old.id, "import.withdrawn"));
    }
    let entry = audit::append(
        &tx,
        who,
        NewEntry::new("problems.import", file.clone()).details(serde_json::json!({
            "file": file,
            "blake3": blake3::hash(data).to_hex().to_string(),
            "sheet": out.sheet,
            "year": out.year,
            "rows": out.rows,
            "created": out.created,
            "updated": out.updated,
            "unchanged": out.unchanged,
            "withdrawn": out.withdrawn,
            "restored": out.restored,
        })),
    )?;
    for (id, action) in events {
        history(&tx, id, &entry, action, serde_json::json!({"file": file}))?;
    }
    tx.commit()?;
    Ok(out)
}

/// The id of a problem, or a refusal naming it.
pub(super) fn check_id(conn: &Connection, id: i64) -> ProblemsResult<()> {
    let found: Option<i64> = conn
        .query_row("SELECT id FROM problems WHERE id=?1", [id], |r| r.get(0))
        .optional()?;
    match found {
        Some(_) => Ok(()),
        None => Err(ProblemsError::said(Msg::ProblemsNotFound, &[("id", &id)])),
    }
}
