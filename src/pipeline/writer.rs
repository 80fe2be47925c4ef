//! The run's single catalog writer: takes what the walker and the readers send, counts it into
//! the run's summary, reports problems, and writes files to the catalog in batches (through
//! the [`Streamer`] when the stored tags are current, which tags and indexes them on the way).
//!
//! It is a type of its own so that [`super::run_index`] reads as the stages it starts and
//! joins, and each kind of message has one method saying what the writer does with it.

use crate::i18n::Lang;
use crate::problem::{Problem, Severity};
use std::time::{Duration, Instant};

use super::stream::Streamer;
use super::{
    invalidate_tags, FileProblem, FileRead, FixityFailure, IndexOptions, JobResult, Msg, Progress,
};
use super::{RunSummary, Status};
use crate::catalog::{self, Catalog, FileUpdate, Known};
use crate::hash::ReadFailure;
use crate::Result;

/// A batch is written once it holds this many files, or once this long has passed since the
/// last one was (files trickle in when each takes long to read).
const BATCH_FILES: usize = 512;
const BATCH_EVERY: Duration = Duration::from_secs(2);

pub(super) struct Writer<'a, 'c> {
    lang: Lang,
    catalog: &'c mut Catalog,
    /// None: the stored tags are not current; the run retags everything after the walk.
    streamer: Option<Streamer<'a>>,
    /// `archive index --verify`: unchanged contents are counted as verified, and content that
    /// differs although size and mtime do not is a fixity failure.
    verify: bool,
    root_ids: &'a [i64],
    root_names: &'a [String],
    progress: &'a Progress,
    summary: RunSummary,
    batch: Batch,
    last_flush: Instant,
    /// Roots whose walk is complete, with the catalogued files it did not find: marked missing
    /// once every file read is written.
    walked_roots: Vec<(usize, Vec<Known>)>,
    /// The tag fingerprint was cleared for this run (see [`invalidate_tags`]).
    tags_invalidated: bool,
}

/// Files waiting to be written, with the root each came from and what the catalog knew of it.
#[derive(Default)]
struct Batch {
    updates: Vec<FileUpdate>,
    roots: Vec<usize>,
    known: Vec<Option<Known>>,
}

impl<'a, 'c> Writer<'a, 'c> {
    pub(super) fn new(
        catalog: &'c mut Catalog,
        streamer: Option<Streamer<'a>>,
        opts: &IndexOptions,
        root_ids: &'a [i64],
        root_names: &'a [String],
        progress: &'a Progress,
        summary: RunSummary,
    ) -> Self {
        Writer {
            lang: opts.lang,
            catalog,
            streamer,
            verify: opts.verify,
            root_ids,
            root_names,
            progress,
            summary,
            batch: Batch::default(),
            last_flush: Instant::now(),
            walked_roots: Vec::new(),
            tags_invalidated: false,
        }
    }

    pub(super) fn handle(&mut self, msg: Msg) -> Result<()> {
        match msg {
            Msg::Problem(path, p) => {
                self.report(FileProblem::new(path, &p, self.lang));
                Ok(())
            }
            Msg::Skipped(path, p) => {
                self.summary
                    .skipped
                    .push(FileProblem::new(path, &p, self.lang));
                Ok(())
            }
            Msg::RootDone {
                root,
                unseen,
                unchanged,
            } => {
                self.summary.unchanged += unchanged;
                self.walked_roots.push((root, unseen));
                Ok(())
            }
            Msg::Done(results) => {
                for r in results {
                    self.file(r);
                }
                if self.batch.updates.len() >= BATCH_FILES
                    || self.last_flush.elapsed() > BATCH_EVERY
                {
                    self.flush()?;
                    self.last_flush = Instant::now();
                }
                Ok(())
            }
        }
    }

    /// A problem with a file, printed above the progress bar and kept for the summary.
    fn report(&mut self, p: FileProblem) {
        // Only what makes a file unusable interrupts the progress bar; the summary counts the
        // rest and the records show it.
        match p.severity {
            Severity::Error => {
                self.progress.println(&format!(
                    "{}: {}: {}",
                    self.lang.t(Severity::Error.msg()),
                    p.path,
                    p.reason
                ));
                self.summary.errors.push(p);
            }
            Severity::Warning => self.summary.warnings.push(p),
            Severity::Note => self.summary.notes.push(p),
        }
    }

    /// One file's result from the readers: counted, and queued for the catalog unless it
    /// vanished or changed while being read (the next run reads it again).
    fn file(&mut self, r: JobResult) {
        let rel_display = r.entry.rel_display();
        let root_names = self.root_names;
        // Only a file with a problem is named: most files need no second string.
        let path_display = || {
            format!(
                "{}/{}",
                root_names[r.root].trim_end_matches('/'),
                rel_display
            )
        };
        self.progress.done(r.entry.size);
        let (blake3, facts, bytes, failure) = match r.outcome {
            Err(failure) if failure.is_transient() => {
                let path = path_display();
                self.report(FileProblem::new(path, &failure.problem(), self.lang));
                return;
            }
            Ok(FileRead {
                blake3,
                facts,
                bytes,
            }) => (Some(blake3), facts, bytes, None),
            Err(failure) => (None, None, 0, Some(failure)),
        };
        self.summary.files_read += 1;
        self.summary.bytes_read += bytes;
        if let Some(fixity) = self.count(&r.known, &r.entry, blake3.as_deref()) {
            self.summary.fixity_failures.push(FixityFailure {
                path: path_display(),
                ..fixity
            });
        }
        let errors: Vec<Problem> = failure.iter().map(ReadFailure::problem).collect();
        let content_errors = facts.as_ref().map(|f| f.problems.as_slice()).unwrap_or(&[]);
        let problems: Vec<FileProblem> = errors
            .iter()
            .chain(content_errors)
            .map(|p| FileProblem::new(path_display(), p, self.lang))
            .collect();
        for p in problems {
            self.report(p);
        }
        let (facts, text) = match facts {
            Some(f) => {
                let (f, t) = catalog::into_stored(f);
                (Some(f), t)
            }
            None => (None, None),
        };
        self.batch.updates.push(FileUpdate {
            root_id: self.root_ids[r.root],
            rel: r.entry.rel_bytes().to_vec(),
            rel_display,
            size: r.entry.size,
            mtime_ns: r.entry.mtime_ns,
            inode: r.entry.inode,
            dev: r.entry.dev,
            blake3,
            facts,
            facts_json: None,
            text,
            errors,
            tagging: None,
        });
        self.batch.roots.push(r.root);
        self.batch.known.push(r.known);
    }

    /// Count a file read into the summary as new, back again, changed or (verifying)
    /// unchanged. Returns a fixity failure (without its path) when verifying found content
    /// other than the catalogued one although size and mtime are the same.
    fn count(
        &mut self,
        known: &Option<Known>,
        entry: &crate::walk::FileEntry,
        blake3: Option<&str>,
    ) -> Option<FixityFailure> {
        let s = &mut self.summary;
        let k = match known {
            None => {
                s.new += 1;
                return None;
            }
            Some(k) if k.status == Status::Missing => {
                s.returned += 1;
                return None;
            }
            Some(k) => k,
        };
        if k.blake3.as_deref() != blake3 {
            s.changed += 1;
            let stat_same = k.size == entry.size && k.mtime_ns == entry.mtime_ns;
            return (self.verify && stat_same && blake3.is_some()).then(|| FixityFailure {
                path: String::new(),
                expected: k.blake3.clone().unwrap_or_default(),
                actual: blake3.unwrap_or_default().to_string(),
            });
        }
        if self.verify {
            s.verified += 1;
            s.unchanged += 1;
        } else {
            s.changed += 1;
        }
        None
    }

    /// Write the batch: through the streamer (tagged in parallel with the previous batch's
    /// write), or as it is when the run retags after the walk.
    fn flush(&mut self) -> Result<()> {
        if self.batch.updates.is_empty() {
            return Ok(());
        }
        invalidate_tags(self.catalog, &mut self.tags_invalidated)?;
        let batch = std::mem::take(&mut self.batch);
        match self.streamer.as_mut() {
            Some(st) => st.push_batch(self.catalog, batch.updates, batch.roots, batch.known),
            None => self.catalog.write_batch(&batch.updates).map(|_| ()),
        }
    }

    /// The walk and the reads are over: write what is left, then mark the files no walk found
    /// as missing. Returns the summary so far and the streamer, to finish the tags and index.
    pub(super) fn finish(mut self) -> Result<(RunSummary, Option<Streamer<'a>>)> {
        self.flush()?;
        if let Some(st) = self.streamer.as_mut() {
            st.write_pending(self.catalog)?;
        }
        for (root, unseen) in std::mem::take(&mut self.walked_roots) {
            if !unseen.is_empty() {
                invalidate_tags(self.catalog, &mut self.tags_invalidated)?;
            }
            if let Some(st) = self.streamer.as_mut() {
                st.missing(self.catalog, &unseen)?;
            }
            let ids: Vec<i64> = unseen.iter().map(|k| k.id).collect();
            self.summary.missing += self.catalog.finish_root(self.root_ids[root], &ids)? as u64;
        }
        Ok((self.summary, self.streamer))
    }
}
