//! Manual re-tagging: a curator says which indicator, prefecture or county a file belongs to.
//!
//! The edit is stored in the catalog's `manual_tags` table, which the tagger reads as the
//! strongest source (`manual`), so it outlives re-indexing, `archive retag` and `archive
//! reindex`; the other sources stay visible as alternatives. Values are checked against the
//! vocabulary and stored as codes, so a later rename of a place or indicator does not orphan
//! them. After a change the caller recomputes tags and the index (`pipeline::retag` and
//! `pipeline::sync_index`): curation only records the decision, so it does not depend on the
//! pipeline.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::audit::{self, NewEntry};
use super::{ensure_tables, reason_text, write_tx, Actor, CurateError, CurateResult, Role};
use crate::catalog::{now_rfc3339, Catalog, FileRow};
use crate::schema::{Indicator, Level, Schema};
use crate::tag::TagKind;

fn kind_str(kind: TagKind) -> &'static str {
    match kind {
        TagKind::Indicator => "indicator",
        TagKind::Prefecture => "prefecture",
        TagKind::County => "county",
    }
}

/// The value a curator typed, resolved against the vocabulary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolved {
    pub code: String,
    pub name: String,
}

/// The indicator a curator means by `value`: first as the search filters read it (a code as
/// typed, a name, an alias, "B4.1 科普大篷车" as the list offers it), then as curators type it
/// when the search's rules find nothing: a code without its letter (`4.1`) when only one
/// indicator has that number, or a phrase holding the catalog's keywords of one indicator
/// only (`科普大篷车活动`). `Err` holds the candidates when several fit (none: empty).
pub fn resolve_indicator<'s>(
    schema: &'s Schema,
    value: &str,
) -> Result<&'s Indicator, Vec<&'s Indicator>> {
    if let Some(i) = schema.resolve_indicator(value) {
        return Ok(i);
    }
    let t = value.trim();
    let numeric = !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '.');
    let mut found: Vec<&Indicator> = if numeric {
        schema
            .indicators()
            .iter()
            .filter(|i| i.code.trim_start_matches(|c: char| c.is_ascii_alphabetic()) == t)
            .collect()
    } else {
        let mut v: Vec<&Indicator> = Vec::new();
        for m in schema.find_keywords(t).into_iter().filter(|m| !m.generic) {
            let i = &schema.indicators()[m.index];
            if !v.iter().any(|x| x.code == i.code) {
                v.push(i);
            }
        }
        v
    };
    if found.len() == 1 {
        return Ok(found.remove(0));
    }
    Err(found)
}

/// Check `value` (a code or a name) for `kind`; the stored form is the code.
pub fn resolve(schema: &Schema, kind: TagKind, value: &str) -> CurateResult<Resolved> {
    match kind {
        TagKind::Indicator => match resolve_indicator(schema, value) {
            Ok(i) => Ok(Resolved { code: i.code.clone(), name: i.name.clone() }),
            Err(several) if !several.is_empty() => Err(CurateError::Invalid(format!(
                "{value:?} fits several indicators ({}); give the full code",
                several.iter().map(|i| format!("{} {}", i.code, i.name)).collect::<Vec<_>>().join(", ")
            ))),
            Err(_) => Err(CurateError::Invalid(format!("{value:?} is not an indicator of the catalog (give a code such as B4.1 or its name)"))),
        },
        TagKind::Prefecture | TagKind::County => {
            let d = schema
                .resolve_place(value)
                .ok_or_else(|| CurateError::Invalid(format!("{value:?} is not a prefecture or county of Qinghai (give a name such as 海东市 or a code)")))?;
            // A historical name (湟中县) means the division that replaced it.
            let d = d.successor.as_deref().and_then(|s| schema.division(s)).unwrap_or(d);
            let want = if kind == TagKind::Prefecture { Level::Prefecture } else { Level::County };
            if d.level != want {
                let (is, use_flag) = match d.level {
                    Level::Prefecture => ("a prefecture", "--prefecture"),
                    Level::County => ("a county", "--county"),
                    Level::Province => ("the province", "a prefecture or county"),
                };
                return Err(CurateError::Invalid(format!("{} is {is}: use {use_flag}", d.name)));
            }
            Ok(Resolved { code: d.code.clone(), name: d.short_name.clone() })
        }
    }
}

/// A curator's tag as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManualTagRow {
    pub file_id: i64,
    pub kind: TagKind,
    pub code: String,
    pub reason: String,
    pub who: String,
    pub at: String,
}

fn current(
    conn: &rusqlite::Connection,
    file_id: i64,
    kind: TagKind,
) -> CurateResult<Option<ManualTagRow>> {
    Ok(conn
        .query_row(
            "SELECT code, reason, who, at FROM manual_tags WHERE file_id=?1 AND kind=?2",
            params![file_id, kind_str(kind)],
            |r| {
                Ok(ManualTagRow {
                    file_id,
                    kind,
                    code: r.get(0)?,
                    reason: r.get(1)?,
                    who: r.get(2)?,
                    at: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// A file's manual tags (for its detail page).
pub fn manual_tags_of(cat: &Catalog, file_id: i64) -> CurateResult<Vec<ManualTagRow>> {
    let mut out = Vec::new();
    for kind in [TagKind::Indicator, TagKind::Prefecture, TagKind::County] {
        out.extend(current(cat.conn(), file_id, kind)?);
    }
    Ok(out)
}

fn effective(row: &FileRow, kind: TagKind) -> Option<String> {
    let t = row.tagging.as_ref()?;
    let v = match kind {
        TagKind::Indicator => t.indicators.first(),
        TagKind::Prefecture => t.prefecture.as_ref(),
        TagKind::County => t.county.as_ref(),
    }?;
    Some(format!("{} {} ({})", v.code, v.name, v.source))
}

/// Set a manual tag on files. Curators and admins; a reason is required. A county and a
/// prefecture set by hand must agree (the county implies its prefecture anyway).
pub fn set(
    cat: &Catalog,
    schema: &Schema,
    who: &Actor,
    file_ids: &[i64],
    kind: TagKind,
    value: &str,
    reason: Option<&str>,
) -> CurateResult<Resolved> {
    who.require(Role::Curator, "re-tag files")?;
    let reason = reason_text(reason)?.ok_or_else(|| {
        CurateError::ReasonRequired(format!("setting the {} by hand", kind_str(kind)))
    })?;
    let resolved = resolve(schema, kind, value)?;
    ensure_tables(cat.conn())?;
    let rows = super::collections::file_rows(cat, file_ids)?;
    let tx = write_tx(cat.conn())?;
    let now = now_rfc3339();
    let mut changes = Vec::new();
    for row in &rows {
        let other = match kind {
            TagKind::County => current(&tx, row.id, TagKind::Prefecture)?,
            TagKind::Prefecture => current(&tx, row.id, TagKind::County)?,
            TagKind::Indicator => None,
        };
        if let Some(other) = other {
            let (county, prefecture) = if kind == TagKind::County {
                (resolved.code.clone(), other.code.clone())
            } else {
                (other.code.clone(), resolved.code.clone())
            };
            let parent = schema.division(&county).and_then(|c| c.parent_code.clone());
            if parent.as_deref() != Some(prefecture.as_str()) {
                return Err(CurateError::Conflict(format!(
                    "{}: its county and prefecture were both set by hand and would disagree; clear or change the {} first",
                    row.display_path(),
                    kind_str(if kind == TagKind::County { TagKind::Prefecture } else { TagKind::County })
                )));
            }
        }
        let old = current(&tx, row.id, kind)?;
        tx.execute(
            "INSERT INTO manual_tags(file_id,kind,code,reason,who,at) VALUES(?1,?2,?3,?4,?5,?6)
             ON CONFLICT(file_id,kind) DO UPDATE SET code=excluded.code, reason=excluded.reason, who=excluded.who, at=excluded.at",
            params![row.id, kind_str(kind), resolved.code, reason, who.name, now],
        )?;
        changes.push(serde_json::json!({
            "path": row.display_path(),
            "before": effective(row, kind),
            "manual_before": old.map(|o| o.code),
        }));
    }
    let files: Vec<String> = rows.iter().filter_map(|r| r.blake3.clone()).collect();
    let subject = rows.first().map(FileRow::display_path).unwrap_or_default();
    audit::append(
        &tx,
        who,
        NewEntry::new("tag.set", subject)
            .files(files)
            .details(serde_json::json!({"kind": kind_str(kind), "code": resolved.code, "name": resolved.name, "files": changes}))
            .reason(Some(reason)),
    )?;
    tx.commit()?;
    Ok(resolved)
}

/// Remove a manual tag, so the file's other sources decide again. Curators and admins, with a reason.
pub fn clear(
    cat: &Catalog,
    who: &Actor,
    file_ids: &[i64],
    kind: TagKind,
    reason: Option<&str>,
) -> CurateResult<usize> {
    who.require(Role::Curator, "re-tag files")?;
    let reason = reason_text(reason)?.ok_or_else(|| {
        CurateError::ReasonRequired(format!("clearing a manual {}", kind_str(kind)))
    })?;
    ensure_tables(cat.conn())?;
    let rows = super::collections::file_rows(cat, file_ids)?;
    let tx = write_tx(cat.conn())?;
    let mut cleared = Vec::new();
    let mut files = Vec::new();
    for row in &rows {
        if let Some(old) = current(&tx, row.id, kind)? {
            tx.execute(
                "DELETE FROM manual_tags WHERE file_id=?1 AND kind=?2",
                params![row.id, kind_str(kind)],
            )?;
            cleared.push(serde_json::json!({"path": row.display_path(), "code": old.code}));
            files.extend(row.blake3.clone());
        }
    }
    if cleared.is_empty() {
        return Err(CurateError::NotFound(format!(
            "no manual {} is set on those files",
            kind_str(kind)
        )));
    }
    let subject = rows.first().map(FileRow::display_path).unwrap_or_default();
    audit::append(
        &tx,
        who,
        NewEntry::new("tag.clear", subject)
            .files(files)
            .details(serde_json::json!({"kind": kind_str(kind), "files": cleared}))
            .reason(Some(reason)),
    )?;
    tx.commit()?;
    Ok(cleared.len())
}
