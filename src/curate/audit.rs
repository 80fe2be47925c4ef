//! The audit log: who changed what, when and why, kept so that a later edit shows.
//!
//! Every curation action, export and user change appends one entry inside the same catalog
//! transaction as the change itself. Entries are hash-chained: each stores the SHA-256 of its
//! own canonical form, and that form includes the previous entry's hash. Editing any stored
//! field breaks that entry's hash; deleting an entry leaves a gap in the sequence and a
//! `prev_hash` that no longer matches; deleting the newest entries is caught by the chain head
//! kept in the catalog's `meta` table. Someone able to rewrite the whole chain *and* the head
//! is not caught here: exported packages carry their entries with hashes, so a package handed
//! to an inspection anchors the chain up to its export outside this machine.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Actor, CurateResult};

pub(crate) const DDL: &str = "
CREATE TABLE IF NOT EXISTS audit_log(
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    files TEXT NOT NULL DEFAULT '[]',
    details TEXT NOT NULL DEFAULT '{}',
    reason TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
";

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const HEAD_KEY: &str = "audit_head";
/// Bumped if the canonical form ever changes; old entries keep verifying under their version.
const FORM: &str = "archive-audit-1";

/// One entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339 with offset.
    pub at: String,
    pub who: String,
    pub role: String,
    /// `collection.create`, `collection.add`, `review.set`, `tag.set`, `tag.clear`, `user.add`, `export`, ...
    pub action: String,
    /// What was acted on, in words: a collection name, a user name, a file path.
    pub subject: String,
    /// BLAKE3 of every file content the entry concerns (for a file's history).
    pub files: Vec<String>,
    /// What changed, as JSON (old and new values, counts, package hashes).
    pub details: serde_json::Value,
    pub reason: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// What to append; the log supplies sequence, time and chain.
#[derive(Debug, Clone, Default)]
pub struct NewEntry {
    pub action: String,
    pub subject: String,
    pub files: Vec<String>,
    pub details: serde_json::Value,
    pub reason: Option<String>,
}

impl NewEntry {
    pub fn new(action: &str, subject: impl Into<String>) -> NewEntry {
        NewEntry {
            action: action.into(),
            subject: subject.into(),
            details: serde_json::json!({}),
            ..Default::default()
        }
    }
    pub fn files(mut self, files: Vec<String>) -> NewEntry {
        self.files = files;
        self
    }
    pub fn details(mut self, details: serde_json::Value) -> NewEntry {
        self.details = details;
        self
    }
    pub fn reason(mut self, reason: Option<String>) -> NewEntry {
        self.reason = reason;
        self
    }
}

/// The bytes an entry's hash covers. The stored JSON texts are hashed as stored (not
/// re-serialized), so the result never depends on how a JSON library orders keys.
#[allow(clippy::too_many_arguments)]
fn canonical(
    seq: i64,
    at: &str,
    who: &str,
    role: &str,
    action: &str,
    subject: &str,
    files_json: &str,
    details_json: &str,
    reason: Option<&str>,
    prev_hash: &str,
) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!([
        FORM,
        seq,
        at,
        who,
        role,
        action,
        subject,
        files_json,
        details_json,
        reason,
        prev_hash
    ]))
    .expect("a JSON array of strings serializes")
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Append an entry inside the caller's transaction (the change and its record commit together).
pub fn append(conn: &Connection, who: &Actor, entry: NewEntry) -> CurateResult<AuditEntry> {
    conn.execute_batch(DDL)?;
    let (prev_seq, prev_hash) = head(conn)?;
    let seq = prev_seq + 1;
    let at = crate::catalog::now_rfc3339();
    let files_json = serde_json::to_string(&entry.files).expect("strings serialize");
    let details_json = serde_json::to_string(&entry.details).expect("JSON serializes");
    let role = who.role.as_str();
    let hash = sha256_hex(&canonical(
        seq,
        &at,
        &who.name,
        role,
        &entry.action,
        &entry.subject,
        &files_json,
        &details_json,
        entry.reason.as_deref(),
        &prev_hash,
    ));
    conn.execute(
        "INSERT INTO audit_log(seq,at,who,role,action,subject,files,details,reason,prev_hash,hash)
         VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
        params![
            seq,
            at,
            who.name,
            role,
            entry.action,
            entry.subject,
            files_json,
            details_json,
            entry.reason,
            prev_hash,
            hash
        ],
    )?;
    conn.execute(
        "INSERT INTO meta(key,value) VALUES(?1,?2) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
        params![HEAD_KEY, format!("{seq} {hash}")],
    )?;
    Ok(AuditEntry {
        seq,
        at,
        who: who.name.clone(),
        role: role.to_string(),
        action: entry.action,
        subject: entry.subject,
        files: entry.files,
        details: entry.details,
        reason: entry.reason,
        prev_hash,
        hash,
    })
}

/// The recorded chain head: (sequence, hash) of the newest entry; (0, GENESIS) when empty.
fn head(conn: &Connection) -> CurateResult<(i64, String)> {
    let recorded: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key=?1", [HEAD_KEY], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some((seq, hash)) = recorded.as_deref().and_then(parse_head) {
        return Ok((seq, hash));
    }
    // No head recorded (a catalog from before the log, or a removed head): continue from the
    // newest row; `verify` still reports the missing head if rows exist.
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(last.unwrap_or((0, GENESIS.to_string())))
}

fn parse_head(s: &str) -> Option<(i64, String)> {
    let (seq, hash) = s.split_once(' ')?;
    Some((seq.parse().ok()?, hash.to_string()))
}

const SELECT: &str =
    "SELECT seq,at,who,role,action,subject,files,details,reason,prev_hash,hash FROM audit_log";

/// A stored row with the raw JSON texts (which is what the hash covers).
struct RawRow {
    entry: AuditEntry,
    files_json: String,
    details_json: String,
}

fn map_raw(r: &Row) -> rusqlite::Result<RawRow> {
    let files_json: String = r.get(6)?;
    let details_json: String = r.get(7)?;
    Ok(RawRow {
        entry: AuditEntry {
            seq: r.get(0)?,
            at: r.get(1)?,
            who: r.get(2)?,
            role: r.get(3)?,
            action: r.get(4)?,
            subject: r.get(5)?,
            files: serde_json::from_str(&files_json).unwrap_or_default(),
            details: serde_json::from_str(&details_json)
                .unwrap_or(serde_json::Value::String(details_json.clone())),
            reason: r.get(8)?,
            prev_hash: r.get(9)?,
            hash: r.get(10)?,
        },
        files_json,
        details_json,
    })
}

impl RawRow {
    fn computed_hash(&self) -> String {
        let e = &self.entry;
        sha256_hex(&canonical(
            e.seq,
            &e.at,
            &e.who,
            &e.role,
            &e.action,
            &e.subject,
            &self.files_json,
            &self.details_json,
            e.reason.as_deref(),
            &e.prev_hash,
        ))
    }
}

/// Which entries to read.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only entries concerning this content (full BLAKE3).
    pub file: Option<String>,
    /// Only entries whose subject is exactly this (a collection's name, a user's name).
    pub subject: Option<String>,
    /// Only these actions (`collection.add`, ...); empty means all.
    pub actions: Vec<String>,
}

/// Visit entries in sequence order without loading the whole log.
pub fn for_each(
    conn: &Connection,
    q: &AuditQuery,
    mut f: impl FnMut(AuditEntry) -> CurateResult<()>,
) -> CurateResult<()> {
    conn.execute_batch(DDL)?;
    // A BLAKE3 is 64 hex digits: no LIKE wildcards can hide in it once checked.
    let file = match &q.file {
        Some(h) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(h.to_lowercase())
        }
        Some(h) => {
            return Err(super::CurateError::Invalid(format!(
            "{h:?} is not a BLAKE3 hash (64 hex digits); `archive show FILE` prints a file's hash"
        )))
        }
        None => None,
    };
    let sql = format!(
        "{SELECT} WHERE (?1 IS NULL OR files LIKE '%\"' || ?1 || '\"%') AND (?2 IS NULL OR subject = ?2) ORDER BY seq"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params![file, q.subject])?;
    while let Some(row) = rows.next()? {
        let raw = map_raw(row)?;
        if q.actions.is_empty() || q.actions.contains(&raw.entry.action) {
            f(raw.entry)?;
        }
    }
    Ok(())
}

/// Entries matching `q`, oldest first.
pub fn entries(conn: &Connection, q: &AuditQuery) -> CurateResult<Vec<AuditEntry>> {
    let mut out = Vec::new();
    for_each(conn, q, |e| {
        out.push(e);
        Ok(())
    })?;
    Ok(out)
}

/// A file's history for its detail page: every entry naming its content, oldest first.
pub fn file_history(conn: &Connection, blake3: &str) -> CurateResult<Vec<AuditEntry>> {
    entries(
        conn,
        &AuditQuery {
            file: Some(blake3.to_string()),
            ..Default::default()
        },
    )
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainReport {
    /// Entries read.
    pub entries: u64,
    /// The first entry found wrong, with what is wrong; `None` when the chain is intact.
    pub first_bad: Option<BadEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BadEntry {
    pub seq: i64,
    pub problem: String,
}

impl ChainReport {
    pub fn intact(&self) -> bool {
        self.first_bad.is_none()
    }
}

/// Recompute every hash and link, in order, and stop at the first entry that does not hold.
/// Rows in `table`, 0 when the table does not exist (a catalog that never curated anything).
fn rows_in(conn: &Connection, table: &str) -> CurateResult<i64> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type='table' AND name=?1)",
        [table],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(0);
    }
    Ok(conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
}

pub fn verify(conn: &Connection) -> CurateResult<ChainReport> {
    conn.execute_batch(DDL)?;
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1i64;
    let mut prev_hash = GENESIS.to_string();
    let mut count = 0u64;
    let bad = |seq: i64, problem: String, count: u64| {
        Ok(ChainReport {
            entries: count,
            first_bad: Some(BadEntry { seq, problem }),
        })
    };
    while let Some(row) = rows.next()? {
        let raw = map_raw(row)?;
        count += 1;
        let e = &raw.entry;
        if e.seq != expected_seq {
            let missing = if e.seq == expected_seq + 1 {
                format!("entry {expected_seq} is missing")
            } else {
                format!("entries {expected_seq} to {} are missing", e.seq - 1)
            };
            return bad(
                expected_seq,
                format!(
                    "{missing}: deleted from the log (the next entry present is {})",
                    e.seq
                ),
                count,
            );
        }
        if raw.computed_hash() != e.hash {
            return bad(
                e.seq,
                format!(
                    "entry {} ({} by {} at {}) was edited: its content no longer matches its hash",
                    e.seq, e.action, e.who, e.at
                ),
                count,
            );
        }
        if e.prev_hash != prev_hash {
            return bad(
                e.seq,
                format!("entry {} does not follow entry {}: the entry before it was replaced or removed", e.seq, e.seq - 1),
                count,
            );
        }
        prev_hash = e.hash.clone();
        expected_seq += 1;
    }
    let last_seq = expected_seq - 1;
    let recorded: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key=?1", [HEAD_KEY], |r| {
            r.get(0)
        })
        .optional()?;
    match recorded.as_deref().map(|s| parse_head(s).ok_or(s)) {
        None if last_seq == 0 => {
            // An empty log with no head is a new archive, unless curation left things that
            // each wrote an entry: then the log and its head were deleted together.
            let (collections, manual) = (
                rows_in(conn, "collections")?,
                rows_in(conn, "manual_tags")? + rows_in(conn, "flag_resolutions")?,
            );
            if collections + manual > 0 {
                return bad(
                    1,
                    format!(
                        "the log is empty, but {collections} collections and {manual} manual tags \
                         exist, and each was written with an entry: the log and its head were deleted"
                    ),
                    count,
                );
            }
        }
        None => {
            return bad(
                last_seq,
                "the log's recorded head is missing: it was removed from the catalog".into(),
                count,
            )
        }
        Some(Err(s)) => {
            return bad(
                last_seq,
                format!("the log's recorded head {s:?} is unreadable"),
                count,
            )
        }
        Some(Ok((seq, _))) if seq > last_seq => {
            return bad(
                last_seq + 1,
                format!(
                    "entries {} to {seq} are missing: the newest entries were deleted",
                    last_seq + 1
                ),
                count,
            )
        }
        Some(Ok((seq, hash))) if seq != last_seq || hash != prev_hash => {
            return bad(
                last_seq,
                format!(
                "entry {last_seq} is not the recorded head (entry {seq}): the log was rewritten"
            ),
                count,
            )
        }
        Some(Ok(_)) => {}
    }
    Ok(ChainReport {
        entries: count,
        first_bad: None,
    })
}

/// Check one exported entry on its own (a receiving office has entries, not the whole log).
pub fn entry_hash_holds(e: &AuditEntry, files_json: &str, details_json: &str) -> bool {
    let raw = RawRow {
        entry: e.clone(),
        files_json: files_json.to_string(),
        details_json: details_json.to_string(),
    };
    raw.computed_hash() == e.hash
}

/// An entry as one line of `audit.jsonl` / `archive audit --json`: the stored JSON texts are
/// included verbatim (`files_json`, `details_json`) so anyone can recompute the hash.
pub fn to_json_line(e: &AuditEntry) -> serde_json::Value {
    let files_json = serde_json::to_string(&e.files).unwrap_or_default();
    let details_json = serde_json::to_string(&e.details).unwrap_or_default();
    serde_json::json!({
        "seq": e.seq, "at": e.at, "who": e.who, "role": e.role, "action": e.action, "subject": e.subject,
        "files": e.files, "details": e.details, "reason": e.reason, "prev_hash": e.prev_hash, "hash": e.hash,
        "canonical": String::from_utf8(canonical(e.seq, &e.at, &e.who, &e.role, &e.action, &e.subject, &files_json, &details_json, e.reason.as_deref(), &e.prev_hash)).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curate::Role;

    fn db() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);")
            .unwrap();
        c.execute_batch(DDL).unwrap();
        c
    }

    fn fill(c: &Connection, n: usize) {
        let who = Actor::new("卓玛", Role::Curator);
        for i in 0..n {
            append(
                c,
                &who,
                NewEntry::new("collection.add", format!("c{i}"))
                    .files(vec!["ab".repeat(32)])
                    .details(serde_json::json!({"n": i, "名": "海东市"})),
            )
            .unwrap();
        }
    }

    #[test]
    fn intact_chain_verifies_and_links() {
        let c = db();
        fill(&c, 5);
        let r = verify(&c).unwrap();
        assert!(r.intact(), "{r:?}");
        assert_eq!(r.entries, 5);
        let all = entries(&c, &AuditQuery::default()).unwrap();
        assert_eq!(all[0].prev_hash, GENESIS);
        assert_eq!(all[3].prev_hash, all[2].hash);
        assert_eq!(all[2].details["名"], "海东市");
    }

    #[test]
    fn an_edited_field_names_the_entry() {
        let c = db();
        fill(&c, 5);
        c.execute("UPDATE audit_log SET who='someone else' WHERE seq=3", [])
            .unwrap();
        let r = verify(&c).unwrap();
        assert_eq!(r.first_bad.as_ref().unwrap().seq, 3, "{r:?}");
        assert!(r.first_bad.unwrap().problem.contains("edited"));
    }

    #[test]
    fn an_edit_that_also_rewrites_the_hash_breaks_the_next_link() {
        let c = db();
        fill(&c, 4);
        let e = entries(&c, &AuditQuery::default()).unwrap().remove(1);
        let files = serde_json::to_string(&e.files).unwrap();
        let details = "{\"n\":99}";
        let forged = sha256_hex(&canonical(
            e.seq,
            &e.at,
            &e.who,
            &e.role,
            &e.action,
            &e.subject,
            &files,
            details,
            None,
            &e.prev_hash,
        ));
        c.execute(
            "UPDATE audit_log SET details=?1, hash=?2 WHERE seq=2",
            params![details, forged],
        )
        .unwrap();
        let r = verify(&c).unwrap();
        assert_eq!(r.first_bad.unwrap().seq, 3);
    }

    #[test]
    fn deleted_entries_are_found_in_the_middle_and_at_the_end() {
        let c = db();
        fill(&c, 5);
        c.execute("DELETE FROM audit_log WHERE seq=2", []).unwrap();
        let r = verify(&c).unwrap();
        assert_eq!(r.first_bad.as_ref().unwrap().seq, 2, "{r:?}");
        assert!(r.first_bad.unwrap().problem.contains("missing"));

        let c = db();
        fill(&c, 5);
        c.execute("DELETE FROM audit_log WHERE seq>=4", []).unwrap();
        let r = verify(&c).unwrap();
        assert_eq!(r.first_bad.as_ref().unwrap().seq, 4, "{r:?}");
    }

    #[test]
    fn history_of_one_file() {
        let c = db();
        let who = Actor::new("admin", Role::Admin);
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        append(
            &c,
            &who,
            NewEntry::new("tag.set", "x").files(vec![a.clone()]),
        )
        .unwrap();
        append(
            &c,
            &who,
            NewEntry::new("tag.set", "y").files(vec![b.clone()]),
        )
        .unwrap();
        append(
            &c,
            &who,
            NewEntry::new("collection.add", "z").files(vec![b.clone(), a.clone()]),
        )
        .unwrap();
        let h: Vec<i64> = file_history(&c, &a)
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(h, [1, 3]);
        assert!(
            file_history(&c, "abc").is_err(),
            "a non-hash is refused, not matched as a pattern"
        );
    }

    #[test]
    fn exported_line_carries_what_its_hash_covers() {
        let c = db();
        fill(&c, 1);
        let e = entries(&c, &AuditQuery::default()).unwrap().remove(0);
        let line = to_json_line(&e);
        let canonical = line["canonical"].as_str().unwrap();
        assert_eq!(sha256_hex(canonical.as_bytes()), e.hash);
    }
}
