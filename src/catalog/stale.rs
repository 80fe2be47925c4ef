//! The `stale` list: files whose search document is out of date. Writers add to it in the
//! transaction that changes a file; the index sweep reads it up to a mark and clears up to that
//! mark only once the documents are committed, so nothing added meanwhile is lost.

use super::{Catalog, FileRow};
use crate::Result;

/// How far the `stale` list had grown when a sweep read it (its last sequence number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaleMark(i64);

/// How far the stale list has grown, read in the transaction that then reads the list.
pub(super) fn stale_mark(tx: &rusqlite::Transaction) -> rusqlite::Result<StaleMark> {
    tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM stale", [], |r| r.get(0))
        .map(StaleMark)
}

/// List files as stale in the transaction that changed them.
pub(super) fn mark_stale(tx: &rusqlite::Transaction, ids: &[i64]) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached("INSERT INTO stale(file_id) VALUES(?1)")?;
    for id in ids {
        st.execute([id])?;
    }
    Ok(())
}

impl Catalog {
    /// Files whose search document is out of date, in id order, and the mark to pass to
    /// [`Catalog::clear_stale`] once their documents are committed.
    pub fn stale_ids(&self) -> Result<(Vec<i64>, StaleMark)> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let mark = stale_mark(&tx).map_err(|e| self.err(e))?;
        let mut stmt = tx
            .prepare("SELECT file_id FROM stale WHERE seq <= ?1")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([mark.0], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        let mut ids: Vec<i64> = rows
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        ids.sort_unstable();
        ids.dedup();
        Ok((ids, mark))
    }

    /// Every file whose search document is out of date, in id order, with its document text
    /// (documents only), read in one pass instead of a query per file. Returns the mark to pass
    /// to [`Catalog::clear_stale`] once their documents are committed.
    pub fn for_each_stale(
        &self,
        mut f: impl FnMut(FileRow, Option<String>) -> Result<()>,
    ) -> Result<StaleMark> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let mark = stale_mark(&tx).map_err(|e| self.err(e))?;
        let sql = format!(
            "{} WHERE f.id IN (SELECT file_id FROM stale WHERE seq <= ?1) ORDER BY f.id",
            Self::row_with_text_select()
        );
        let mut stmt = tx.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query([mark.0]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let text: Option<String> = row.get(16).map_err(|e| self.err(e))?;
            f(Self::map_row_with_ocr(row).map_err(|e| self.err(e))?, text)?;
        }
        Ok(mark)
    }

    /// Whether some file's search document is out of date.
    pub fn any_stale(&self) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM stale LIMIT 1")
            .and_then(|mut st| st.exists([]))
            .map_err(|e| self.err(e))
    }

    pub fn mark_all_stale(&self) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO stale(file_id) SELECT id FROM files ORDER BY id",
                [],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The documents of the files stale at `mark` are committed to the index: forget them
    /// (files made stale since stay so).
    pub fn clear_stale(&mut self, mark: StaleMark) -> Result<()> {
        self.conn
            .execute("DELETE FROM stale WHERE seq <= ?1", [mark.0])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::FileUpdate;
    use crate::extract::Facts;

    /// Clearing after an index commit forgets only what the sweep read: a file made stale
    /// meanwhile (by the server, say) stays listed.
    #[test]
    fn files_made_stale_during_a_sweep_stay_stale() {
        let dir = tempfile::tempdir().unwrap();
        let mut cat = Catalog::open(dir.path()).unwrap();
        let root = cat.root_id(dir.path()).unwrap();
        let update = |rel: &str| FileUpdate {
            root_id: root,
            rel: rel.as_bytes().to_vec(),
            rel_display: rel.to_string(),
            size: 1,
            mtime_ns: 1,
            inode: 1,
            dev: 1,
            blake3: Some(format!("{rel:0>64}")),
            facts: Some(Facts::default()),
            facts_json: None,
            text: None,
            errors: Vec::new(),
            tagging: None,
        };
        let (ids, _) = cat.write_batch(&[update("a"), update("b")]).unwrap();
        let (stale, mark) = cat.stale_ids().unwrap();
        assert_eq!(stale, ids);
        // Meanwhile a tag changes on the first file.
        let changed = cat
            .write_taggings(&[(ids[0], crate::tag::Tagging::default())])
            .unwrap();
        assert_eq!(changed, [ids[0]]);
        cat.clear_stale(mark).unwrap();
        assert_eq!(cat.stale_ids().unwrap().0, [ids[0]]);
    }
}
