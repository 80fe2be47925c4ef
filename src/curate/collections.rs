//! Collections: the sets of files the office shows an inspection ("B4.1 科普大篷车 — 海东市"),
//! in the order it chooses, each item with a review state.
//!
//! An item is a catalogued file (a path) and remembers the content (BLAKE3) it had when it was
//! added, so an export can refuse a file whose content changed after it was curated. Review
//! states are pending, accepted and rejected; rejecting needs a reason, because the person who
//! submitted the file and the inspectors will ask why.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::audit::{self, NewEntry};
use super::{
    description_text, ensure_tables, reason_text, write_tx, Actor, CurateError, CurateResult, Role,
};
use crate::catalog::{now_rfc3339, Catalog, FileRow};

pub(crate) const DDL: &str = "
CREATE TABLE IF NOT EXISTS collections(
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS collection_items(
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    file_id INTEGER NOT NULL REFERENCES files(id),
    blake3 TEXT,
    position INTEGER NOT NULL,
    review TEXT NOT NULL DEFAULT 'pending',
    review_reason TEXT,
    reviewed_by TEXT,
    reviewed_at TEXT,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY(collection_id, file_id)
);
CREATE INDEX IF NOT EXISTS collection_items_file ON collection_items(file_id);
";

/// How far audit details list paths; beyond this only the count and the hashes are kept.
const AUDIT_PATHS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Review {
    Pending,
    Accepted,
    Rejected,
}

impl Review {
    pub fn as_str(self) -> &'static str {
        match self {
            Review::Pending => "pending",
            Review::Accepted => "accepted",
            Review::Rejected => "rejected",
        }
    }
    /// The ledger's wording.
    pub fn label_zh(self) -> &'static str {
        match self {
            Review::Pending => "待审核",
            Review::Accepted => "通过",
            Review::Rejected => "不通过",
        }
    }
    pub fn parse(s: &str) -> Option<Review> {
        match s.trim().to_lowercase().as_str() {
            "pending" | "待审核" => Some(Review::Pending),
            "accepted" | "accept" | "通过" => Some(Review::Accepted),
            "rejected" | "reject" | "不通过" => Some(Review::Rejected),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Collection {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub items: u64,
    pub accepted: u64,
    pub rejected: u64,
}

/// One file in a collection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// 1-based place in the collection's order.
    pub position: i64,
    pub file_id: i64,
    /// The content when it was added.
    pub blake3: Option<String>,
    /// The file's display path now.
    pub path: String,
    pub review: Review,
    pub review_reason: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub added_by: String,
    pub added_at: String,
}

/// A collection with its items in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollectionDetail {
    pub collection: Collection,
    pub items: Vec<Item>,
}

/// What `add_files` did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AddOutcome {
    pub added: usize,
    /// Already in the collection (left where they were).
    pub already: usize,
}

fn check_name(name: &str) -> CurateResult<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 200 || n.chars().any(char::is_control) {
        return Err(CurateError::Invalid(format!(
            "{name:?} is not a usable collection name: 1 to 200 characters without control characters"
        )));
    }
    Ok(n.to_string())
}

fn collection_id(conn: &Connection, name: &str) -> CurateResult<i64> {
    conn.query_row(
        "SELECT id FROM collections WHERE name=?1",
        [name.trim()],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| {
        CurateError::NotFound(format!(
            "no collection named {name:?}; `archive collection list` shows them"
        ))
    })
}

/// Create an empty collection. Curators and admins.
pub fn create(
    cat: &Catalog,
    who: &Actor,
    name: &str,
    description: &str,
) -> CurateResult<Collection> {
    who.require(Role::Curator, "create collections")?;
    let name = check_name(name)?;
    let description = description_text(description)?;
    ensure_tables(cat.conn())?;
    let tx = write_tx(cat.conn())?;
    let exists: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM collections WHERE name=?1)",
        [&name],
        |r| r.get(0),
    )?;
    if exists {
        return Err(CurateError::Conflict(format!(
            "a collection named {name:?} already exists"
        )));
    }
    let now = now_rfc3339();
    tx.execute(
        "INSERT INTO collections(name,description,created_at,created_by,updated_at) VALUES(?1,?2,?3,?4,?3)",
        params![name, description.trim(), now, who.name],
    )?;
    audit::append(
        &tx,
        who,
        NewEntry::new("collection.create", &name)
            .details(serde_json::json!({"name": name, "description": description.trim()})),
    )?;
    tx.commit()?;
    get_collection(cat.conn(), &name)
}

/// Rename a collection. Curators and admins.
pub fn rename(cat: &Catalog, who: &Actor, name: &str, new_name: &str) -> CurateResult<()> {
    who.require(Role::Curator, "rename collections")?;
    let new_name = check_name(new_name)?;
    ensure_tables(cat.conn())?;
    let tx = write_tx(cat.conn())?;
    let id = collection_id(&tx, name)?;
    let taken: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM collections WHERE name=?1 AND id<>?2)",
        params![new_name, id],
        |r| r.get(0),
    )?;
    if taken {
        return Err(CurateError::Conflict(format!(
            "a collection named {new_name:?} already exists"
        )));
    }
    tx.execute(
        "UPDATE collections SET name=?1, updated_at=?2 WHERE id=?3",
        params![new_name, now_rfc3339(), id],
    )?;
    audit::append(
        &tx,
        who,
        NewEntry::new("collection.rename", &new_name)
            .details(serde_json::json!({"from": name.trim(), "to": new_name})),
    )?;
    tx.commit()?;
    Ok(())
}

/// Set a collection's description (it becomes the package's External-Description).
pub fn describe(cat: &Catalog, who: &Actor, name: &str, description: &str) -> CurateResult<()> {
    who.require(Role::Curator, "describe collections")?;
    let description = description_text(description)?;
    ensure_tables(cat.conn())?;
    let tx = write_tx(cat.conn())?;
    let id = collection_id(&tx, name)?;
    let old: String = tx.query_row(
        "SELECT description FROM collections WHERE id=?1",
        [id],
        |r| r.get(0),
    )?;
    tx.execute(
        "UPDATE collections SET description=?1, updated_at=?2 WHERE id=?3",
        params![description.trim(), now_rfc3339(), id],
    )?;
    audit::append(
        &tx,
        who,
        NewEntry::new("collection.describe", name.trim())
            .details(serde_json::json!({"from": old, "to": description.trim()})),
    )?;
    tx.commit()?;
    Ok(())
}

/// Delete a collection (its items only; files, tags and the audit log stay). Curators and
/// admins, with a reason: a collection may already have been shown to an inspection.
pub fn delete(cat: &Catalog, who: &Actor, name: &str, reason: Option<&str>) -> CurateResult<()> {
    who.require(Role::Curator, "delete collections")?;
    let reason = reason_text(reason)?
        .ok_or_else(|| CurateError::ReasonRequired("deleting a collection".into()))?;
    ensure_tables(cat.conn())?;
    let detail = show(cat, who, name)?;
    let tx = write_tx(cat.conn())?;
    tx.execute(
        "DELETE FROM collection_items WHERE collection_id=?1",
        [detail.collection.id],
    )?;
    tx.execute(
        "DELETE FROM collections WHERE id=?1",
        [detail.collection.id],
    )?;
    let mut files: Vec<String> = detail
        .items
        .iter()
        .filter_map(|i| i.blake3.clone())
        .collect();
    files.sort();
    files.dedup();
    let paths: Vec<&str> = detail
        .items
        .iter()
        .take(AUDIT_PATHS)
        .map(|i| i.path.as_str())
        .collect();
    audit::append(
        &tx,
        who,
        NewEntry::new("collection.delete", &detail.collection.name)
            .files(files)
            .details(serde_json::json!({"description": detail.collection.description, "count": detail.items.len(), "paths": paths}))
            .reason(Some(reason)),
    )?;
    tx.commit()?;
    Ok(())
}

/// Every collection with its counts. Anyone signed in.
pub fn list(cat: &Catalog, who: &Actor) -> CurateResult<Vec<Collection>> {
    who.require(Role::Viewer, "list collections")?;
    ensure_tables(cat.conn())?;
    let mut stmt = cat
        .conn()
        .prepare(&format!("{SUMMARY} GROUP BY c.id ORDER BY c.name"))?;
    let rows = stmt.query_map([], map_collection)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const SUMMARY: &str =
    "SELECT c.id, c.name, c.description, c.created_at, c.created_by, c.updated_at,
        COUNT(i.file_id), COALESCE(SUM(i.review='accepted'),0), COALESCE(SUM(i.review='rejected'),0)
    FROM collections c LEFT JOIN collection_items i ON i.collection_id = c.id";

fn map_collection(r: &rusqlite::Row) -> rusqlite::Result<Collection> {
    Ok(Collection {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        created_at: r.get(3)?,
        created_by: r.get(4)?,
        updated_at: r.get(5)?,
        items: r.get::<_, i64>(6)? as u64,
        accepted: r.get::<_, i64>(7)? as u64,
        rejected: r.get::<_, i64>(8)? as u64,
    })
}

fn get_collection(conn: &Connection, name: &str) -> CurateResult<Collection> {
    let id = collection_id(conn, name)?;
    Ok(conn.query_row(
        &format!("{SUMMARY} WHERE c.id=?1 GROUP BY c.id"),
        [id],
        map_collection,
    )?)
}

/// A collection and its items in order. Anyone signed in.
pub fn show(cat: &Catalog, who: &Actor, name: &str) -> CurateResult<CollectionDetail> {
    who.require(Role::Viewer, "view collections")?;
    ensure_tables(cat.conn())?;
    let collection = get_collection(cat.conn(), name)?;
    let mut stmt = cat.conn().prepare(
        "SELECT i.position, i.file_id, i.blake3, r.display, f.rel_display, i.review, i.review_reason, i.reviewed_by,
                i.reviewed_at, i.added_by, i.added_at
         FROM collection_items i JOIN files f ON f.id = i.file_id JOIN roots r ON r.id = f.root_id
         WHERE i.collection_id=?1 ORDER BY i.position",
    )?;
    let rows = stmt.query_map([collection.id], |r| {
        let root: String = r.get(3)?;
        let rel: String = r.get(4)?;
        Ok(Item {
            position: r.get(0)?,
            file_id: r.get(1)?,
            blake3: r.get(2)?,
            path: format!("{}/{rel}", root.trim_end_matches('/')),
            review: Review::parse(&r.get::<_, String>(5)?).unwrap_or(Review::Pending),
            review_reason: r.get(6)?,
            reviewed_by: r.get(7)?,
            reviewed_at: r.get(8)?,
            added_by: r.get(9)?,
            added_at: r.get(10)?,
        })
    })?;
    let items = rows.collect::<rusqlite::Result<_>>()?;
    Ok(CollectionDetail { collection, items })
}

/// Paths for the audit details, capped.
fn paths_detail(rows: &[FileRow]) -> serde_json::Value {
    let paths: Vec<String> = rows
        .iter()
        .take(AUDIT_PATHS)
        .map(FileRow::display_path)
        .collect();
    serde_json::json!({"count": rows.len(), "paths": paths, "paths_cut": rows.len() > AUDIT_PATHS})
}

fn hashes(rows: &[FileRow]) -> Vec<String> {
    let mut v: Vec<String> = rows.iter().filter_map(|r| r.blake3.clone()).collect();
    v.sort();
    v.dedup();
    v
}

/// Load catalogued files by id, failing on the first unknown id.
pub fn file_rows(cat: &Catalog, ids: &[i64]) -> CurateResult<Vec<FileRow>> {
    ids.iter()
        .map(|id| {
            cat.file(*id)?
                .ok_or_else(|| CurateError::NotFound(format!("no catalogued file with id {id}")))
        })
        .collect()
}

/// Append files to the end of a collection, in the order given. Curators and admins.
pub fn add_files(
    cat: &Catalog,
    who: &Actor,
    name: &str,
    file_ids: &[i64],
) -> CurateResult<AddOutcome> {
    who.require(Role::Curator, "add files to collections")?;
    ensure_tables(cat.conn())?;
    let rows = file_rows(cat, file_ids)?;
    let tx = write_tx(cat.conn())?;
    let id = collection_id(&tx, name)?;
    let mut next: i64 = tx.query_row(
        "SELECT COALESCE(MAX(position),0)+1 FROM collection_items WHERE collection_id=?1",
        [id],
        |r| r.get(0),
    )?;
    let now = now_rfc3339();
    let mut out = AddOutcome::default();
    let mut added = Vec::new();
    {
        let mut ins = tx.prepare(
            "INSERT OR IGNORE INTO collection_items(collection_id,file_id,blake3,position,added_by,added_at) VALUES(?1,?2,?3,?4,?5,?6)",
        )?;
        for row in &rows {
            if ins.execute(params![id, row.id, row.blake3, next, who.name, now])? == 1 {
                next += 1;
                out.added += 1;
                added.push(row.clone());
            } else {
                out.already += 1;
            }
        }
    }
    if out.added > 0 {
        tx.execute(
            "UPDATE collections SET updated_at=?1 WHERE id=?2",
            params![now, id],
        )?;
        audit::append(
            &tx,
            who,
            NewEntry::new("collection.add", name.trim())
                .files(hashes(&added))
                .details(paths_detail(&added)),
        )?;
    }
    tx.commit()?;
    Ok(out)
}

/// Take files out of a collection (the evidence and the catalog are untouched).
pub fn remove_files(
    cat: &Catalog,
    who: &Actor,
    name: &str,
    file_ids: &[i64],
    reason: Option<&str>,
) -> CurateResult<usize> {
    who.require(Role::Curator, "remove files from collections")?;
    ensure_tables(cat.conn())?;
    let rows = file_rows(cat, file_ids)?;
    let tx = write_tx(cat.conn())?;
    let id = collection_id(&tx, name)?;
    let mut removed = Vec::new();
    for row in &rows {
        if tx.execute(
            "DELETE FROM collection_items WHERE collection_id=?1 AND file_id=?2",
            params![id, row.id],
        )? == 1
        {
            removed.push(row.clone());
        }
    }
    if removed.is_empty() {
        return Err(CurateError::NotFound(format!(
            "none of those files is in {:?}",
            name.trim()
        )));
    }
    renumber(&tx, id)?;
    tx.execute(
        "UPDATE collections SET updated_at=?1 WHERE id=?2",
        params![now_rfc3339(), id],
    )?;
    audit::append(
        &tx,
        who,
        NewEntry::new("collection.remove", name.trim())
            .files(hashes(&removed))
            .details(paths_detail(&removed))
            .reason(reason_text(reason)?),
    )?;
    tx.commit()?;
    Ok(removed.len())
}

fn renumber(conn: &Connection, id: i64) -> CurateResult<()> {
    let ids: Vec<i64> = {
        let mut st = conn.prepare("SELECT file_id FROM collection_items WHERE collection_id=?1 ORDER BY position, file_id")?;
        let rows = st.query_map([id], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut st = conn
        .prepare("UPDATE collection_items SET position=?1 WHERE collection_id=?2 AND file_id=?3")?;
    for (i, f) in ids.iter().enumerate() {
        st.execute(params![i as i64 + 1, id, f])?;
    }
    Ok(())
}

/// Move one item to `to` (1-based; past the end means last). Curators and admins.
pub fn move_item(
    cat: &Catalog,
    who: &Actor,
    name: &str,
    file_id: i64,
    to: i64,
) -> CurateResult<()> {
    who.require(Role::Curator, "reorder collections")?;
    ensure_tables(cat.conn())?;
    let row = file_rows(cat, &[file_id])?.remove(0);
    let tx = write_tx(cat.conn())?;
    let id = collection_id(&tx, name)?;
    let mut order: Vec<i64> = {
        let mut st = tx.prepare(
            "SELECT file_id FROM collection_items WHERE collection_id=?1 ORDER BY position",
        )?;
        let rows = st.query_map([id], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let Some(from) = order.iter().position(|f| *f == file_id) else {
        return Err(CurateError::NotFound(format!(
            "{} is not in {:?}",
            row.display_path(),
            name.trim()
        )));
    };
    if to < 1 {
        return Err(CurateError::Invalid(format!(
            "position {to}: positions start at 1"
        )));
    }
    order.remove(from);
    let dest = ((to - 1) as usize).min(order.len());
    order.insert(dest, file_id);
    {
        let mut st = tx.prepare(
            "UPDATE collection_items SET position=?1 WHERE collection_id=?2 AND file_id=?3",
        )?;
        for (i, f) in order.iter().enumerate() {
            st.execute(params![i as i64 + 1, id, f])?;
        }
    }
    audit::append(
        &tx,
        who,
        NewEntry::new("collection.move", name.trim())
            .files(hashes(std::slice::from_ref(&row)))
            .details(
                serde_json::json!({"path": row.display_path(), "from": from + 1, "to": dest + 1}),
            ),
    )?;
    tx.commit()?;
    Ok(())
}

/// Set the review state of items. Rejecting needs a reason; accepting or resetting may carry one.
pub fn review(
    cat: &Catalog,
    who: &Actor,
    name: &str,
    file_ids: &[i64],
    state: Review,
    reason: Option<&str>,
) -> CurateResult<usize> {
    who.require(Role::Curator, "review collection items")?;
    let reason = reason_text(reason)?;
    if state == Review::Rejected && reason.is_none() {
        return Err(CurateError::ReasonRequired(
            "rejecting an item needs a reason".into(),
        ));
    }
    ensure_tables(cat.conn())?;
    let rows = file_rows(cat, file_ids)?;
    let tx = write_tx(cat.conn())?;
    let id = collection_id(&tx, name)?;
    let now = now_rfc3339();
    let mut changed = Vec::new();
    let mut before = Vec::new();
    for row in &rows {
        let old: Option<String> = tx
            .query_row(
                "SELECT review FROM collection_items WHERE collection_id=?1 AND file_id=?2",
                params![id, row.id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(old) = old else {
            return Err(CurateError::NotFound(format!(
                "{} is not in {:?}; add it first",
                row.display_path(),
                name.trim()
            )));
        };
        tx.execute(
            "UPDATE collection_items SET review=?1, review_reason=?2, reviewed_by=?3, reviewed_at=?4 WHERE collection_id=?5 AND file_id=?6",
            params![state.as_str(), reason, who.name, now, id, row.id],
        )?;
        before.push(old);
        changed.push(row.clone());
    }
    let mut details = paths_detail(&changed);
    details["state"] = serde_json::json!(state.as_str());
    details["before"] = serde_json::json!(before.iter().take(AUDIT_PATHS).collect::<Vec<_>>());
    audit::append(
        &tx,
        who,
        NewEntry::new("review.set", name.trim())
            .files(hashes(&changed))
            .details(details)
            .reason(reason),
    )?;
    tx.commit()?;
    Ok(changed.len())
}

/// The reasons rejections were given, most recently used first, each once: the same few (照片
/// 模糊, 非评估期内) come back across hundreds of items, so the review page offers them again.
pub fn recent_reject_reasons(
    cat: &Catalog,
    who: &Actor,
    limit: usize,
) -> CurateResult<Vec<String>> {
    who.require(Role::Viewer, "view collections")?;
    ensure_tables(cat.conn())?;
    let mut stmt = cat.conn().prepare(
        "SELECT review_reason, MAX(reviewed_at) AS last FROM collection_items
         WHERE review='rejected' AND review_reason IS NOT NULL AND review_reason != ''
         GROUP BY review_reason ORDER BY last DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit as i64], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The catalogued files a user means by `target`: a BLAKE3 (or a unique prefix of 8+ hex
/// digits: every path holding that content) or a path (absolute, relative to the working
/// folder, or as displayed).
pub fn resolve_target(cat: &Catalog, target: &str) -> CurateResult<Vec<FileRow>> {
    let t = target.trim();
    let looks_like_hash = t.len() >= 8 && t.len() <= 64 && t.chars().all(|c| c.is_ascii_hexdigit());
    let mut rows = if looks_like_hash {
        cat.files_by_blake3_prefix(&t.to_lowercase())?
    } else {
        Vec::new()
    };
    if looks_like_hash && t.len() < 64 {
        let distinct: std::collections::HashSet<_> =
            rows.iter().map(|r| r.blake3.clone()).collect();
        if distinct.len() > 1 {
            return Err(CurateError::Invalid(format!(
                "{t} matches {} different contents; give more of the hash",
                distinct.len()
            )));
        }
    }
    if rows.is_empty() {
        let p = std::path::PathBuf::from(t);
        let abs = crate::platform::canonicalize(&p).unwrap_or(p);
        rows.extend(cat.file_by_path(&abs)?);
    }
    if rows.is_empty() {
        return Err(CurateError::NotFound(format!(
            "{t}: not in the catalog (give a catalogued path or a BLAKE3 hash)"
        )));
    }
    Ok(rows)
}

/// Ids of every file matching a search (the same language as `archive search`), paging
/// through the index so that a query matching tens of thousands of files is fine.
pub fn files_for_query(
    idx: &crate::index::SearchIndex,
    resolver: &dyn crate::search::FacetResolver,
    query: &str,
    filters: &[(String, String)],
) -> crate::Result<Vec<i64>> {
    let mut ids = Vec::new();
    let mut offset = 0;
    loop {
        let req = crate::search::SearchRequest {
            query: query.to_string(),
            filters: filters.to_vec(),
            ranking_words: Vec::new(),
            sort: crate::search::Sort::DateAsc,
            offset,
            limit: crate::search::MAX_LIMIT,
            facets: false,
            snippets: false,
        }
        // What the page showed for the same words (its chips) is what is added.
        .understood(resolver);
        let resp = crate::search::search(idx, resolver, &req)?;
        let n = resp.hits.len();
        ids.extend(resp.hits.iter().map(|h| h.id as i64));
        offset += n;
        if n == 0 || offset >= resp.total {
            break;
        }
    }
    Ok(ids)
}

/// Files some collection review rejected (review is per collection: a file rejected in any
/// collection is "not accepted" for the ledger's `accepted` count).
pub fn rejected_files(cat: &Catalog) -> CurateResult<std::collections::HashSet<i64>> {
    ensure_tables(cat.conn())?;
    let mut stmt = cat
        .conn()
        .prepare("SELECT DISTINCT file_id FROM collection_items WHERE review='rejected'")?;
    let ids = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// Each reviewed file's standing over every collection: rejected in any collection is
/// rejected; else accepted in one is accepted; a file only ever pending (or in no collection)
/// is absent. The scoring self-check counts accepted files and shows pending ones apart.
pub fn review_states(cat: &Catalog) -> CurateResult<std::collections::HashMap<i64, Review>> {
    ensure_tables(cat.conn())?;
    let mut stmt = cat.conn().prepare(
        "SELECT file_id, MAX(CASE review WHEN 'rejected' THEN 2 WHEN 'accepted' THEN 1 ELSE 0 END)
         FROM collection_items GROUP BY file_id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = std::collections::HashMap::new();
    for row in rows {
        let (id, rank) = row?;
        let state = match rank {
            2 => Review::Rejected,
            1 => Review::Accepted,
            _ => continue,
        };
        out.insert(id, state);
    }
    Ok(out)
}
