//! Flags a curator has looked at: 已核实 (checked: it is fine) or 已说明 (explained: it stands,
//! and the note says why that is acceptable), with a note, per content and flag.
//!
//! A decision is stored in the catalog's `flag_resolutions` table, keyed by BLAKE3 and flag
//! name (a provincial circular filed by three prefectures is explained once for every copy),
//! and written to the audit chain in the same transaction, as manual tags are. The tagger reads
//! it like a manual tag, so the flag stays on the record with the decision and leaves the
//! 需核查 counts; the caller then retags and reindexes (`pipeline::retag`, `sync_index`).

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::audit::{self, NewEntry};
use super::{ensure_tables, reason_text, write_tx, Actor, CurateError, CurateResult, Role};
use crate::catalog::{now_rfc3339, Catalog, FileRow};
use crate::record::{FlagResolution, Status};
use crate::tag::Flag;

/// What the curator decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Resolution {
    /// 已核实: looked at, and the evidence is fine.
    Checked,
    /// 已说明: the flag is right, and the note says why that is acceptable.
    Explained,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Checked => "checked",
            Resolution::Explained => "explained",
        }
    }

    /// `checked`/`已核实` or `explained`/`已说明`.
    pub fn parse(s: &str) -> Option<Resolution> {
        match s.trim() {
            "checked" | "已核实" => Some(Resolution::Checked),
            "explained" | "已说明" => Some(Resolution::Explained),
            _ => None,
        }
    }
}

/// What a decision was made on: the present files of one content, and the flag.
pub struct Target {
    pub blake3: String,
    pub flag: Flag,
    /// Present files of that content that raise the flag.
    pub files: Vec<FileRow>,
}

/// The present files of `blake3` that raise `flag`; refused when none does (a decision on a
/// flag nobody sees would be a note nobody reads).
pub fn target(cat: &Catalog, blake3: &str, flag: &str) -> CurateResult<Target> {
    let flag = Flag::parse(flag).ok_or_else(|| {
        let known: Vec<&str> = Flag::ALL.iter().map(|f| f.as_str()).collect();
        CurateError::Invalid(format!(
            "没有名为“{flag}”的标志 / {flag:?} is not a flag; use one of: {}",
            known.join(", ")
        ))
    })?;
    let files: Vec<FileRow> = cat
        .files_by_blake3(blake3)?
        .into_iter()
        .filter(|r| r.status == Status::Present)
        .filter(|r| {
            r.tagging
                .as_ref()
                .is_some_and(|t| t.flags.iter().any(|f| f.flag == flag.as_str()))
        })
        .collect();
    if files.is_empty() {
        return Err(CurateError::NotFound(format!(
            "此文件没有“{}”标志 / no present file with content {}… raises {}",
            flag.label_zh(),
            &blake3[..blake3.len().min(12)],
            flag.as_str()
        )));
    }
    Ok(Target {
        blake3: blake3.to_string(),
        flag,
        files,
    })
}

fn current(
    conn: &rusqlite::Connection,
    blake3: &str,
    flag: Flag,
) -> CurateResult<Option<FlagResolution>> {
    Ok(conn
        .query_row(
            "SELECT state, note, who, at FROM flag_resolutions WHERE blake3=?1 AND flag=?2",
            params![blake3, flag.as_str()],
            |r| {
                Ok(FlagResolution {
                    state: r.get(0)?,
                    note: r.get(1)?,
                    who: r.get(2)?,
                    at: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// Mark a flag of a content checked or explained. Curators and admins; the note is required
/// (it is what the package's inspector reads beside the flag).
pub fn resolve(
    cat: &Catalog,
    who: &Actor,
    t: &Target,
    state: Resolution,
    note: Option<&str>,
) -> CurateResult<FlagResolution> {
    who.require(Role::Curator, "mark flags checked or explained")?;
    let note = reason_text(note)?.ok_or_else(|| {
        CurateError::ReasonRequired(format!(
            "请写明核实情况或说明 / marking {} {}",
            t.flag.as_str(),
            state.as_str()
        ))
    })?;
    ensure_tables(cat.conn())?;
    let tx = write_tx(cat.conn())?;
    let before = current(&tx, &t.blake3, t.flag)?;
    let decided = FlagResolution {
        state: state.as_str().to_string(),
        note: note.clone(),
        who: who.name.clone(),
        at: now_rfc3339(),
    };
    tx.execute(
        "INSERT INTO flag_resolutions(blake3,flag,state,note,who,at) VALUES(?1,?2,?3,?4,?5,?6)
         ON CONFLICT(blake3,flag) DO UPDATE SET state=excluded.state, note=excluded.note,
           who=excluded.who, at=excluded.at",
        params![
            t.blake3,
            t.flag.as_str(),
            decided.state,
            decided.note,
            decided.who,
            decided.at
        ],
    )?;
    audit::append(
        &tx,
        who,
        NewEntry::new("flag.resolve", subject(t))
            .files(vec![t.blake3.clone()])
            .details(serde_json::json!({
                "flag": t.flag.as_str(),
                "state": state.as_str(),
                "before": before.map(|b| b.state),
                "paths": t.files.iter().map(FileRow::display_path).collect::<Vec<_>>(),
            }))
            .reason(Some(note)),
    )?;
    tx.commit()?;
    Ok(decided)
}

/// Take a decision back: the flag needs checking again. Curators and admins, with a reason.
pub fn reopen(cat: &Catalog, who: &Actor, t: &Target, reason: Option<&str>) -> CurateResult<()> {
    who.require(Role::Curator, "reopen flags")?;
    let reason = reason_text(reason)?.ok_or_else(|| {
        CurateError::ReasonRequired(format!(
            "请写明重新打开的原因 / reopening {}",
            t.flag.as_str()
        ))
    })?;
    ensure_tables(cat.conn())?;
    let tx = write_tx(cat.conn())?;
    let Some(before) = current(&tx, &t.blake3, t.flag)? else {
        return Err(CurateError::NotFound(format!(
            "“{}”尚未被标为已核实或已说明 / {} is not marked checked or explained",
            t.flag.label_zh(),
            t.flag.as_str()
        )));
    };
    tx.execute(
        "DELETE FROM flag_resolutions WHERE blake3=?1 AND flag=?2",
        params![t.blake3, t.flag.as_str()],
    )?;
    audit::append(
        &tx,
        who,
        NewEntry::new("flag.reopen", subject(t))
            .files(vec![t.blake3.clone()])
            .details(serde_json::json!({
                "flag": t.flag.as_str(),
                "was": before.state,
                "note": before.note,
            }))
            .reason(Some(reason)),
    )?;
    tx.commit()?;
    Ok(())
}

/// The history line's subject: the flag's label and the first path.
fn subject(t: &Target) -> String {
    let path = t
        .files
        .first()
        .map(FileRow::display_path)
        .unwrap_or_default();
    format!("{} {path}", t.flag.label_zh())
}
