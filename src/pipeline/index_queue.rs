//! The search documents of a run on their way into the index, committed once at the end: the
//! index is only ever as new as the catalog's list of stale files says.

use super::{Catalog, Config, FileRow, Schema, SearchIndex};
use crate::tag;
use crate::Result;
use tantivy::indexer::UserOperation;

/// Documents handed to the index writer at once.
const INDEX_BATCH: usize = 64;

/// Search documents on their way into the index, committed once. Operations go to tantivy's
/// indexing threads in batches: one document per send woke a sleeping indexing thread for
/// every small file.
pub(super) struct IndexQueue {
    pub(super) idx: SearchIndex,
    /// The index was (re)created: nothing in it needs deleting, and there is nothing to collect.
    pub(super) created: bool,
    /// Opened on the first document: a run with nothing to index never starts index threads.
    writer: Option<tantivy::IndexWriter>,
    ops: Vec<UserOperation>,
    added: usize,
}

impl IndexQueue {
    /// Open the index; a missing or outdated one is created and every file marked stale.
    pub(super) fn open(catalog: &Catalog, cfg: &Config) -> Result<IndexQueue> {
        let (idx, created) = SearchIndex::open_or_create(&cfg.index_dir())?;
        if created {
            catalog.mark_all_stale()?;
        }
        Ok(IndexQueue {
            idx,
            created,
            writer: None,
            ops: Vec::with_capacity(2 * INDEX_BATCH),
            added: 0,
        })
    }

    pub(super) fn add(
        &mut self,
        schema: &Schema,
        row: &FileRow,
        text: Option<&str>,
        replace: bool,
    ) -> Result<()> {
        let facets = row
            .tagging
            .as_ref()
            .map(|t| tag::facet_paths(schema, t))
            .unwrap_or_default();
        let doc = self.idx.document(row, text, &facets);
        self.queue(row.id, doc, replace)
    }

    /// Queue a document; `replace` deletes any document of this file first (in the index or
    /// queued before in this run).
    pub(super) fn queue(
        &mut self,
        id: i64,
        doc: tantivy::TantivyDocument,
        replace: bool,
    ) -> Result<()> {
        if self.writer.is_none() {
            let w = self.idx.writer()?;
            if self.created {
                w.delete_all_documents()?;
            }
            self.writer = Some(w);
        }
        if replace {
            self.ops
                .push(UserOperation::Delete(self.idx.delete_term(id)));
        }
        self.ops.push(UserOperation::Add(doc));
        self.added += 1;
        if self.ops.len() >= 2 * INDEX_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    pub(super) fn flush(&mut self) -> Result<()> {
        if let (Some(w), false) = (&self.writer, self.ops.is_empty()) {
            w.run(self.ops.drain(..))?;
        }
        Ok(())
    }

    /// Commit what was queued, then forget the stale files up to `mark` (only after the
    /// commit, so that a killed run leaves them listed). Returns how many documents were written.
    pub(super) fn commit(
        mut self,
        catalog: &mut Catalog,
        mark: crate::catalog::StaleMark,
    ) -> Result<usize> {
        self.flush()?;
        let Some(mut writer) = self.writer.take() else {
            return Ok(0);
        };
        // The catalog's log is cut on its checkpoint thread meanwhile (when it has one).
        catalog.truncate_log_in_background();
        writer.commit()?;
        catalog.clear_stale(mark)?;
        // Old segments are only removed once merges finish; waiting keeps repeated runs from
        // growing the index.
        writer.wait_merging_threads()?;
        if !self.created {
            let gc = self.idx.writer()?;
            gc.garbage_collect_files().wait()?;
            gc.wait_merging_threads()?;
        }
        Ok(self.added)
    }
}
