//! Captions of photos and videos (DA/T 50-2014, DA/T 54): 题名, 摄影者, 人物, 背景, 文字说明,
//! 地点, 摄影时间, written by a curator per content (BLAKE3), so every copy of a photo shares
//! one caption, as flag decisions do.
//!
//! A caption lives in the catalog's `captions` table (the written fields as a JSON object) and
//! is read with every file row, so the record, `archive show`, the search document and the
//! package all carry it. A change is one transaction: the new fields, the files holding those
//! contents marked stale for the search index, and one audit entry naming every content with
//! each one's caption before. The caller then brings the index up to date
//! (`pipeline::sync_index`); no retagging is needed, a caption is no tag.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};

use super::audit::{self, NewEntry};
use super::{ensure_tables, reason_text, write_tx, Actor, CurateError, CurateResult, Role};
use crate::catalog::{now_rfc3339, Catalog};
use crate::record::Caption;

/// Longest text of one caption field: a description is a paragraph, not a report.
pub const MAX_FIELD_CHARS: usize = 2_000;

/// What to change: for each named field its new text; an empty text clears the field.
/// Fields not named are kept.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaptionEdit {
    pub fields: BTreeMap<&'static str, String>,
}

impl CaptionEdit {
    /// Set `field` (one of [`Caption::FIELDS`]) to `value`, trimmed; refused when the field is
    /// unknown, the text too long or holding control characters.
    pub fn set(&mut self, field: &str, value: &str) -> CurateResult<()> {
        let Some(name) = Caption::FIELDS.iter().find(|f| **f == field) else {
            return Err(CurateError::Invalid(format!(
                "没有名为“{field}”的说明项 / {field:?} is not a caption field; use one of: {}",
                Caption::FIELDS.join(", ")
            )));
        };
        self.fields.insert(name, check_text(name, value)?);
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// `old` with this edit applied, prefilled values dropped (they are not written).
    pub fn apply(&self, old: Option<&Caption>) -> Caption {
        let mut c = old.cloned().unwrap_or_default();
        c.prefilled.clear();
        for (f, v) in &self.fields {
            if let Some(slot) = c.slot(f) {
                *slot = (!v.is_empty()).then(|| v.clone());
            }
        }
        c
    }
}

/// A field's text as stored: trimmed, one line for all but the description, bounded.
pub fn check_text(field: &str, value: &str) -> CurateResult<String> {
    let v = value.trim();
    let n = v.chars().count();
    if n > MAX_FIELD_CHARS {
        return Err(CurateError::Invalid(format!(
            "说明项“{field}”有 {n} 个字，请控制在 {MAX_FIELD_CHARS} 字以内 / the caption's \
             {field} is {n} characters long; keep it under {MAX_FIELD_CHARS}"
        )));
    }
    if v.chars()
        .any(|c| c.is_control() && !(field == "description" && c == '\n'))
    {
        return Err(CurateError::Invalid(format!(
            "说明项“{field}”含有控制字符 / the caption's {field} holds control characters; \
             type it again as plain text"
        )));
    }
    Ok(v.replace("\r\n", "\n"))
}

/// The caption written for `blake3`, if any.
pub fn get(cat: &Catalog, blake3: &str) -> CurateResult<Option<Caption>> {
    ensure_tables(cat.conn())?;
    stored(cat.conn(), blake3)
}

fn stored(conn: &rusqlite::Connection, blake3: &str) -> CurateResult<Option<Caption>> {
    let json: Option<String> = conn
        .query_row(
            "SELECT fields FROM captions WHERE blake3=?1",
            [blake3],
            |r| r.get(0),
        )
        .optional()?;
    Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
}

/// What one change did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// Contents whose caption changed.
    pub changed: usize,
    /// Contents whose caption already read so.
    pub unchanged: usize,
}

/// One content's edit, for [`set_many`].
pub struct Change<'a> {
    pub blake3: String,
    /// What the audit entry calls it (a path).
    pub label: String,
    pub edit: &'a CaptionEdit,
}

/// Apply `edit` to every content in `blake3s` (one photographer or occasion for many).
/// Curators and admins.
pub fn set(
    cat: &Catalog,
    who: &Actor,
    blake3s: &[(String, String)],
    edit: &CaptionEdit,
    reason: Option<&str>,
) -> CurateResult<Outcome> {
    let changes: Vec<Change> = blake3s
        .iter()
        .map(|(b, label)| Change {
            blake3: b.clone(),
            label: label.clone(),
            edit,
        })
        .collect();
    set_many(cat, who, &changes, "caption.set", reason)
}

/// Apply each change in one transaction with one audit entry (`action`: `caption.set` or
/// `caption.import`), so an import is all or nothing.
pub fn set_many(
    cat: &Catalog,
    who: &Actor,
    changes: &[Change],
    action: &str,
    reason: Option<&str>,
) -> CurateResult<Outcome> {
    who.require(Role::Curator, "write captions")?;
    if changes.iter().all(|c| c.edit.is_empty()) {
        return Err(CurateError::Invalid(
            "没有要写入的说明项 / nothing to write: give at least one field (--title, \
             --photographer, --people, --background, --description, --place, --taken)"
                .into(),
        ));
    }
    let reason = reason_text(reason)?;
    ensure_tables(cat.conn())?;
    let tx = write_tx(cat.conn())?;
    let mut out = Outcome::default();
    let mut files = Vec::new();
    let mut before = serde_json::Map::new();
    let mut after = serde_json::Map::new();
    let mut first_label = None;
    for ch in changes {
        let old = stored(&tx, &ch.blake3)?;
        let new = ch.edit.apply(old.as_ref());
        if old.clone().unwrap_or_default() == new {
            out.unchanged += 1;
            continue;
        }
        if new.is_unwritten() {
            tx.execute("DELETE FROM captions WHERE blake3=?1", [&ch.blake3])?;
        } else {
            tx.execute(
                "INSERT INTO captions(blake3, fields, who, at) VALUES(?1,?2,?3,?4)
                 ON CONFLICT(blake3) DO UPDATE SET fields=excluded.fields, who=excluded.who,
                   at=excluded.at",
                params![
                    ch.blake3,
                    serde_json::to_string(&new).expect("caption serialize"),
                    who.name,
                    now_rfc3339()
                ],
            )?;
        }
        // The search documents of every file holding the content carry the caption.
        tx.execute(
            "INSERT INTO stale(file_id) SELECT id FROM files WHERE blake3=?1",
            [&ch.blake3],
        )?;
        out.changed += 1;
        first_label.get_or_insert_with(|| ch.label.clone());
        files.push(ch.blake3.clone());
        before.insert(
            ch.blake3.clone(),
            serde_json::to_value(&old).unwrap_or_default(),
        );
        after.insert(
            ch.blake3.clone(),
            serde_json::to_value(&new).unwrap_or_default(),
        );
    }
    if out.changed > 0 {
        let subject = match (first_label, out.changed) {
            (Some(l), 1) => l,
            (Some(l), n) => format!("{l} 等 {n} 个文件"),
            (None, _) => String::new(),
        };
        audit::append(
            &tx,
            who,
            NewEntry::new(action, subject)
                .files(files)
                .details(serde_json::json!({ "before": before, "after": after }))
                .reason(reason),
        )?;
    }
    tx.commit()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_sets_clears_and_keeps_fields() {
        let mut e = CaptionEdit::default();
        e.set("title", "  科普大篷车进校园 ").unwrap();
        e.set("people", "").unwrap();
        let old = Caption {
            people: Some("张三".into()),
            photographer: Some("李四".into()),
            place: Some("互助县".into()),
            prefilled: vec!["place".into()],
            ..Default::default()
        };
        let c = e.apply(Some(&old));
        assert_eq!(c.title.as_deref(), Some("科普大篷车进校园"));
        assert_eq!(c.people, None, "an empty text clears");
        assert_eq!(
            c.photographer.as_deref(),
            Some("李四"),
            "unnamed fields stay"
        );
        assert!(c.prefilled.is_empty());
    }

    #[test]
    fn bad_fields_and_texts_are_refused_naming_them() {
        let mut e = CaptionEdit::default();
        let err = e.set("photographr", "x").unwrap_err().to_string();
        assert!(
            err.contains("photographr") && err.contains("photographer"),
            "{err}"
        );
        let err = e.set("title", &"长".repeat(2001)).unwrap_err().to_string();
        assert!(err.contains("2001"), "{err}");
        assert!(e.set("title", "a\u{7}b").is_err());
        assert!(e.set("description", "第一行\n第二行").is_ok());
        assert!(e.set("title", "第一行\n第二行").is_err());
    }
}
