//! Tracking: the list with its filters, one problem with its evidence and history, linking
//! evidence (file contents by BLAKE3, so a file moved or copied stays linked) and moving a
//! problem through its statuses. Every change is audited; `verified` needs a curator or an
//! admin and at least one linked file, and the last file of a verified problem cannot be
//! unlinked (a verified problem always shows what proved it).

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::deadline::ymd;
use super::rows::{place_of, Place};
use super::store::{check_id, history};
use super::{ensure_tables, ProblemsError, ProblemsResult, Status};
use crate::catalog::{now_rfc3339, Catalog};
use crate::curate::audit::{self, NewEntry};
use crate::curate::{reason_text, write_tx, Actor, CurateError, Role};
use crate::i18n::Msg;
use crate::schema::Schema;

/// A place as shown: its code and everyday name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceRef {
    pub code: String,
    pub name: String,
}

/// One linked file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub blake3: String,
    pub note: String,
    pub who: String,
    pub at: String,
}

/// A problem as listed (`problems list --json` writes one per line).
#[derive(Debug, Clone, Serialize)]
pub struct ProblemView {
    pub id: i64,
    pub number: String,
    /// `prefecture`, or `province` for a problem of all eight (then `prefecture` is null).
    pub scope: String,
    pub prefecture: Option<PlaceRef>,
    pub county: Option<PlaceRef>,
    pub category: String,
    pub description: String,
    pub indicators: Vec<String>,
    pub indicator_text: String,
    pub measures: String,
    pub responsible: String,
    /// YYYY-MM-DD; null when the list gives none (or says 长期坚持).
    pub deadline: Option<String>,
    pub deadline_text: String,
    pub progress: String,
    pub remark: String,
    pub status: Status,
    pub evidence: Vec<Evidence>,
    pub overdue: bool,
    pub source: String,
    pub source_row: i64,
}

/// One line of a problem's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryLine {
    pub seq: i64,
    pub at: String,
    pub who: String,
    pub action: String,
    pub details: serde_json::Value,
}

/// A problem in full (`problems show`).
#[derive(Debug, Clone, Serialize)]
pub struct ProblemDetail {
    #[serde(flatten)]
    pub problem: ProblemView,
    pub history: Vec<HistoryLine>,
}

/// Which problems to list.
#[derive(Debug, Clone)]
pub struct Filter {
    /// A prefecture (its own problems and the province-wide ones), a county, or 全省.
    pub prefecture: Option<String>,
    pub category: Option<String>,
    pub status: Option<Status>,
    pub overdue_only: bool,
    /// The day overdue is judged on.
    pub as_of: NaiveDate,
}

/// Overdue: the deadline is before the as-of day and the work is not done (nor withdrawn).
pub fn is_overdue(deadline: Option<NaiveDate>, status: Status, as_of: NaiveDate) -> bool {
    status.is_pending() && deadline.is_some_and(|d| d < as_of)
}

fn place_ref(schema: &Schema, code: Option<String>) -> Option<PlaceRef> {
    let code = code?;
    let name = schema
        .division(&code)
        .map_or_else(|| code.clone(), |d| d.short_name.clone());
    Some(PlaceRef { code, name })
}

const COLUMNS: &str = "id, number, scope, prefecture, county, category, description, indicators,
    indicator_text, measures, responsible, deadline, deadline_text, progress, remark, status,
    source, source_row";

fn view(schema: &Schema, r: &rusqlite::Row, as_of: NaiveDate) -> rusqlite::Result<ProblemView> {
    let deadline: Option<String> = r.get(11)?;
    let status: String = r.get(15)?;
    let status = Status::parse(&status).unwrap_or(Status::Open);
    let day = deadline.as_deref().and_then(super::deadline::parse_day);
    let indicators: String = r.get(7)?;
    Ok(ProblemView {
        id: r.get(0)?,
        number: r.get(1)?,
        scope: r.get(2)?,
        prefecture: place_ref(schema, r.get(3)?),
        county: place_ref(schema, r.get(4)?),
        category: r.get(5)?,
        description: r.get(6)?,
        indicators: serde_json::from_str(&indicators).unwrap_or_default(),
        indicator_text: r.get(8)?,
        measures: r.get(9)?,
        responsible: r.get(10)?,
        deadline: day.map(ymd),
        deadline_text: r.get(12)?,
        progress: r.get(13)?,
        remark: r.get(14)?,
        status,
        evidence: Vec::new(),
        overdue: is_overdue(day, status, as_of),
        source: r.get(16)?,
        source_row: r.get(17)?,
    })
}

fn evidence_of(conn: &Connection, id: i64) -> ProblemsResult<Vec<Evidence>> {
    let mut stmt = conn.prepare_cached(
        "SELECT blake3, note, who, at FROM problem_evidence WHERE problem_id=?1 ORDER BY at, blake3",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(Evidence {
            blake3: r.get(0)?,
            note: r.get(1)?,
            who: r.get(2)?,
            at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The problems that pass `filter`, in prefecture and number order (province-wide first).
pub fn list(cat: &Catalog, schema: &Schema, filter: &Filter) -> ProblemsResult<Vec<ProblemView>> {
    ensure_tables(cat.conn())?;
    let mut sql = format!("SELECT {COLUMNS} FROM problems WHERE 1=1");
    let mut args: Vec<String> = Vec::new();
    if let Some(p) = &filter.prefecture {
        match place_of(schema, p) {
            Some(Place::Province) => sql.push_str(" AND scope='province'"),
            Some(Place::Prefecture(code)) => {
                args.push(code);
                sql.push_str(&format!(
                    " AND (prefecture=?{} OR scope='province')",
                    args.len()
                ));
            }
            Some(Place::County { county, .. }) => {
                args.push(county);
                sql.push_str(&format!(" AND county=?{}", args.len()));
            }
            None => {
                return Err(ProblemsError::said(
                    Msg::ProblemsUnknownPlace,
                    &[("place", p)],
                ))
            }
        }
    }
    if let Some(c) = &filter.category {
        args.push(c.trim().to_string());
        sql.push_str(&format!(" AND category=?{}", args.len()));
    }
    if let Some(s) = filter.status {
        args.push(s.as_str().to_string());
        sql.push_str(&format!(" AND status=?{}", args.len()));
    }
    sql.push_str(
        " ORDER BY scope='prefecture', COALESCE(prefecture,''), \
         CAST(number AS INTEGER), number, id",
    );
    let conn = cat.conn();
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
        view(schema, r, filter.as_of)
    })?;
    let mut out: Vec<ProblemView> = rows.collect::<Result<_, _>>()?;
    if filter.overdue_only {
        out.retain(|p| p.overdue);
    }
    // All links in one pass: a 10,000-problem list must not be 10,000 queries.
    let mut by_id: std::collections::HashMap<i64, Vec<Evidence>> = Default::default();
    let mut ev = conn.prepare(
        "SELECT problem_id, blake3, note, who, at FROM problem_evidence ORDER BY at, blake3",
    )?;
    let links = ev.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            Evidence {
                blake3: r.get(1)?,
                note: r.get(2)?,
                who: r.get(3)?,
                at: r.get(4)?,
            },
        ))
    })?;
    for link in links {
        let (id, e) = link?;
        by_id.entry(id).or_default().push(e);
    }
    for p in &mut out {
        p.evidence = by_id.remove(&p.id).unwrap_or_default();
    }
    Ok(out)
}

/// The problems of `all` (a [`list`] without filters, in its order) that pass `filter`, as
/// [`list`] would give them: a page that shows the whole list's matrix and a filtered list
/// reads the catalog once.
pub fn narrow(
    schema: &Schema,
    filter: &Filter,
    all: &[ProblemView],
) -> ProblemsResult<Vec<ProblemView>> {
    let place = match &filter.prefecture {
        None => None,
        Some(p) => Some(
            place_of(schema, p)
                .ok_or_else(|| ProblemsError::said(Msg::ProblemsUnknownPlace, &[("place", p)]))?,
        ),
    };
    let code = |x: &Option<PlaceRef>| x.as_ref().map(|r| r.code.clone());
    Ok(all
        .iter()
        .filter(|p| match &place {
            None => true,
            Some(Place::Province) => p.scope == "province",
            Some(Place::Prefecture(c)) => {
                p.scope == "province" || code(&p.prefecture).as_ref() == Some(c)
            }
            Some(Place::County { county, .. }) => code(&p.county).as_ref() == Some(county),
        })
        .filter(|p| {
            filter
                .category
                .as_deref()
                .is_none_or(|c| p.category == c.trim())
        })
        .filter(|p| filter.status.is_none_or(|s| p.status == s))
        .filter(|p| !filter.overdue_only || p.overdue)
        .cloned()
        .collect())
}

fn one(
    conn: &Connection,
    schema: &Schema,
    id: i64,
    as_of: NaiveDate,
) -> ProblemsResult<ProblemView> {
    let found = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM problems WHERE id=?1"),
            [id],
            |r| view(schema, r, as_of),
        )
        .optional()?;
    let mut p = found.ok_or_else(|| ProblemsError::said(Msg::ProblemsNotFound, &[("id", &id)]))?;
    p.evidence = evidence_of(conn, id)?;
    Ok(p)
}

/// One problem with its evidence and history.
pub fn show(
    cat: &Catalog,
    schema: &Schema,
    id: i64,
    as_of: NaiveDate,
) -> ProblemsResult<ProblemDetail> {
    ensure_tables(cat.conn())?;
    let problem = one(cat.conn(), schema, id, as_of)?;
    let mut stmt = cat.conn().prepare(
        "SELECT audit_seq, at, who, action, details FROM problem_history WHERE problem_id=?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([id], |r| {
        let details: String = r.get(4)?;
        Ok(HistoryLine {
            seq: r.get(0)?,
            at: r.get(1)?,
            who: r.get(2)?,
            action: r.get(3)?,
            details: serde_json::from_str(&details).unwrap_or_default(),
        })
    })?;
    let history = rows.collect::<Result<_, _>>()?;
    Ok(ProblemDetail { problem, history })
}

/// "problem 12 (海东市 3)": what an audit entry is about.
fn subject(conn: &Connection, schema: &Schema, id: i64) -> ProblemsResult<String> {
    let (number, prefecture): (String, Option<String>) = conn.query_row(
        "SELECT number, prefecture FROM problems WHERE id=?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let place = place_ref(schema, prefecture).map_or_else(|| "全省".to_string(), |p| p.name);
    Ok(format!("problem {id} ({place} {number})"))
}

fn status_of(conn: &Connection, id: i64) -> ProblemsResult<Status> {
    let s: String = conn.query_row("SELECT status FROM problems WHERE id=?1", [id], |r| {
        r.get(0)
    })?;
    Ok(Status::parse(&s).unwrap_or(Status::Open))
}

/// Link file contents (BLAKE3) to a problem as its rectification evidence. Curators and
/// admins. Returns how many were new (a file already linked keeps its first note).
pub fn link(
    cat: &Catalog,
    schema: &Schema,
    who: &Actor,
    id: i64,
    blake3s: &[String],
    note: Option<&str>,
) -> ProblemsResult<usize> {
    who.require(Role::Curator, "link evidence to problems")?;
    let note = reason_text(note)?.unwrap_or_default();
    ensure_tables(cat.conn())?;
    let tx = write_tx(cat.conn())?;
    check_id(&tx, id)?;
    let now = now_rfc3339();
    let mut added = Vec::new();
    for b in blake3s {
        let n = tx.execute(
            "INSERT INTO problem_evidence(problem_id, blake3, note, who, at) VALUES(?1,?2,?3,?4,?5)
             ON CONFLICT(problem_id, blake3) DO NOTHING",
            params![id, b, note, who.name, now],
        )?;
        if n > 0 {
            added.push(b.clone());
        }
    }
    if added.is_empty() {
        return Ok(0);
    }
    let details = serde_json::json!({"problem": id, "note": note, "added": added.len()});
    let entry = audit::append(
        &tx,
        who,
        NewEntry::new("problem.link", subject(&tx, schema, id)?)
            .files(added.clone())
            .details(details.clone()),
    )?;
    history(
        &tx,
        id,
        &entry,
        "link",
        serde_json::json!({"files": added, "note": note}),
    )?;
    tx.commit()?;
    Ok(added.len())
}

/// Take files off a problem's evidence. Curators and admins.
pub fn unlink(
    cat: &Catalog,
    schema: &Schema,
    who: &Actor,
    id: i64,
    blake3s: &[String],
    reason: Option<&str>,
) -> ProblemsResult<usize> {
    who.require(Role::Curator, "unlink evidence from problems")?;
    let reason = reason_text(reason)?;
    ensure_tables(cat.conn())?;
    let tx = write_tx(cat.conn())?;
    check_id(&tx, id)?;
    let mut removed = Vec::new();
    for b in blake3s {
        let n = tx.execute(
            "DELETE FROM problem_evidence WHERE problem_id=?1 AND blake3=?2",
            params![id, b],
        )?;
        if n > 0 {
            removed.push(b.clone());
        }
    }
    if removed.is_empty() {
        return Err(ProblemsError::said(Msg::ProblemsNotLinked, &[("id", &id)]));
    }
    let left: i64 = tx.query_row(
        "SELECT COUNT(*) FROM problem_evidence WHERE problem_id=?1",
        [id],
        |r| r.get(0),
    )?;
    if left == 0 && status_of(&tx, id)? == Status::Verified {
        return Err(ProblemsError::said(
            Msg::ProblemsUnlinkVerified,
            &[("id", &id)],
        ));
    }
    let entry = audit::append(
        &tx,
        who,
        NewEntry::new("problem.unlink", subject(&tx, schema, id)?)
            .files(removed.clone())
            .details(serde_json::json!({"problem": id, "removed": removed.len()}))
            .reason(reason.clone()),
    )?;
    history(
        &tx,
        id,
        &entry,
        "unlink",
        serde_json::json!({"files": removed, "reason": reason}),
    )?;
    tx.commit()?;
    Ok(removed.len())
}

/// Move a problem to `status`, with a reason. Curators and admins; `verified` needs at least
/// one linked file. Returns the status it had.
pub fn set_status(
    cat: &Catalog,
    schema: &Schema,
    who: &Actor,
    id: i64,
    status: Status,
    reason: Option<&str>,
) -> ProblemsResult<Status> {
    let action = match status {
        Status::Verified => "verify a problem's rectification",
        _ => "change a problem's status",
    };
    who.require(Role::Curator, action)?;
    let reason = reason_text(reason)?.ok_or_else(|| {
        CurateError::ReasonRequired(format!("setting a problem's status to {}", status.as_str()))
    })?;
    ensure_tables(cat.conn())?;
    let tx = write_tx(cat.conn())?;
    check_id(&tx, id)?;
    let old = status_of(&tx, id)?;
    if old == status {
        return Err(ProblemsError::said(
            Msg::ProblemsStatusSame,
            &[("id", &id), ("status", &status.as_str())],
        ));
    }
    if status == Status::Verified {
        let linked: i64 = tx.query_row(
            "SELECT COUNT(*) FROM problem_evidence WHERE problem_id=?1",
            [id],
            |r| r.get(0),
        )?;
        if linked == 0 {
            return Err(ProblemsError::said(
                Msg::ProblemsVerifyNeedsEvidence,
                &[("id", &id)],
            ));
        }
    }
    tx.execute(
        "UPDATE problems SET status=?1, prior_status=NULL, updated_at=?2 WHERE id=?3",
        params![status.as_str(), now_rfc3339(), id],
    )?;
    let details = serde_json::json!({"problem": id, "from": old.as_str(), "to": status.as_str()});
    let entry = audit::append(
        &tx,
        who,
        NewEntry::new("problem.status", subject(&tx, schema, id)?)
            .details(details.clone())
            .reason(Some(reason.clone())),
    )?;
    history(
        &tx,
        id,
        &entry,
        "status",
        serde_json::json!({"from": old.as_str(), "to": status.as_str(), "reason": reason}),
    )?;
    tx.commit()?;
    Ok(old)
}
