//! Tagging and indexing files as they are read, instead of in passes over the whole catalog
//! after the walk.
//!
//! Each file's tags depend on the file alone, except for two things: the submission lists
//! (manifests) of its folder and the folders above, and the duplicate flags, which compare the
//! files that share its content. The writer tags each file as its facts arrive, against the
//! lists already catalogued, stores the tagging in the same transaction as the file, and hands
//! its search document to the index writer, whose threads tokenise while reading goes on. At
//! the end, only the contents touched by the run get their duplicate flags recomputed; a run in
//! which a submission list appeared, changed or went away retags everything, as before.
//!
//! The search index is still committed once, at the end, and the catalog's `stale` list still
//! says which documents are out of date: a final sweep adds every stale file whose document was
//! not queued with its final tagging (files gone missing, files whose duplicate flags changed,
//! and anything a killed run left behind), then the list is cleared up to where it was read.
//! A killed run leaves the tag fingerprint blank, so the next run takes the full path
//! ([`super::retag`]), as does a catalog tagged by other rules, vocabulary or settings
//! ([`super::tags`]).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use rustc_hash::FxHashSet;
use tantivy::TantivyDocument;

use crate::catalog::{self, Catalog, FileRow, FileUpdate, FlagResolutions, Known};
use crate::config::Config;
use crate::extract::Facts;
use crate::index::SearchIndex;
use crate::record::{Caption, Status};
use crate::schema::Schema;
use crate::similar::NearMap;
use crate::tag::{self, FileForTagging, Manifests, ManualTag};
use crate::Result;

use super::tags::{mark_tags_current, retag_changed, tags_current};
use super::IndexQueue;

pub(super) struct Streamer<'a> {
    schema: &'a Schema,
    cfg: &'a Config,
    index: IndexQueue,
    manual: HashMap<i64, Vec<ManualTag>>,
    /// The curators' decisions on flags, per content.
    resolved: FlagResolutions,
    /// Written captions per content: a new copy of a captioned photo is found by its caption.
    captions: HashMap<String, Caption>,
    /// The catalogued submission lists and their file ids, read when first needed (an
    /// unchanged re-index never needs them).
    lists: Option<(Manifests, FxHashSet<i64>)>,
    /// A submission list appeared, changed or went missing: every file is retagged at the end.
    manifests_changed: bool,
    /// Files whose document is queued with the tagging they were written with.
    queued: FxHashSet<i64>,
    /// Files whose tagging changed after their document was queued (or that were not read).
    retagged: FxHashSet<i64>,
    /// Contents written this run, and contents that may have lost a file (a changed file's old
    /// content, a missing file's): their duplicate flags are recomputed at the end.
    touched: FxHashSet<String>,
    lost: FxHashSet<String>,
    root_displays: Vec<String>,
    root_paths: Vec<Vec<u8>>,
    tagged: u64,
    /// The last batch, tagged and waiting to be written: the next batch is tagged while it is
    /// written.
    pending: Option<(Vec<FileUpdate>, Vec<Prepared>)>,
}

/// The catalogued facts and text of a file's content when it was not read again (its content
/// was known), per file of a batch.
type Stored = Option<(Facts, Option<String>)>;

/// What the writer keeps of a file between tagging it and writing it: the row its search
/// document is built from (a new file's id is 0 until written; the document gets the id when
/// queued), and text fetched for a known content (a file read now has its text in its update).
pub(super) struct Prepared {
    row: FileRow,
    text: Option<String>,
}

impl<'a> Streamer<'a> {
    /// A streamer when the stored tags are current (a complete earlier run with this
    /// vocabulary and configuration) or there are none; otherwise None and the run retags
    /// everything after the walk.
    pub(super) fn start(
        catalog: &Catalog,
        schema: &'a Schema,
        cfg: &'a Config,
        roots: &[PathBuf],
        root_ids: &[i64],
    ) -> Result<Option<Streamer<'a>>> {
        if !tags_current(catalog, schema, cfg)? && !catalog.is_empty()? {
            return Ok(None);
        }
        let index = IndexQueue::open(catalog, cfg)?;
        Ok(Some(Streamer {
            schema,
            cfg,
            index,
            manual: catalog.manual_tags()?,
            resolved: catalog.flag_resolutions()?,
            captions: catalog.captions()?,
            lists: None,
            manifests_changed: false,
            queued: FxHashSet::default(),
            retagged: FxHashSet::default(),
            touched: FxHashSet::default(),
            lost: FxHashSet::default(),
            root_displays: root_ids
                .iter()
                .map(|id| catalog.root_display(*id))
                .collect::<Result<_>>()?,
            root_paths: roots
                .iter()
                .map(|r| crate::platform::path_bytes(r.as_os_str()).into_owned())
                .collect(),
            tagged: 0,
            pending: None,
        }))
    }

    fn load_lists(&mut self, catalog: &Catalog) -> Result<()> {
        if self.lists.is_none() {
            self.lists = Some(load_manifests(catalog)?);
        }
        Ok(())
    }

    fn is_list(&self, id: i64) -> bool {
        self.lists
            .as_ref()
            .is_some_and(|(_, ids)| ids.contains(&id))
    }

    /// Take a batch of files just read. Its tags are computed in parallel while the previous
    /// batch is written to the catalog (the tagging goes into the batch's own transaction) and
    /// that batch's search documents are built; this thread keeps only what needs the catalog
    /// or this run's sets. The writer thread's SQL is the run's one serial step: without the
    /// overlap, tagging left it waiting and it left the tagging threads waiting.
    pub(super) fn push_batch(
        &mut self,
        catalog: &mut Catalog,
        mut batch: Vec<FileUpdate>,
        roots: Vec<usize>,
        known: Vec<Option<Known>>,
    ) -> Result<()> {
        let stored = self.note_batch(catalog, &batch, &known)?;
        let previous = self.pending.take();
        let tagger = self.tagger();
        let (idx, schema) = (&self.index.idx, self.schema);
        let (prepared, written) = match &previous {
            None => (
                tag_parallel(&tagger, &mut batch, stored, &roots, &known),
                None,
            ),
            Some((prev_batch, prev_prepared)) => std::thread::scope(|s| {
                let tags = s.spawn(|| tag_parallel(&tagger, &mut batch, stored, &roots, &known));
                let written = write_with_documents(catalog, idx, schema, prev_batch, prev_prepared);
                (joined(tags.join()), Some(written))
            }),
        };
        self.tagged += batch.len() as u64;
        if let Some((written, docs)) = written {
            let (ids, _) = written?;
            self.queue_batch(&ids, docs)?;
        }
        self.pending = Some((batch, prepared));
        Ok(())
    }

    /// Write the batch still waiting (the walk is over).
    pub(super) fn write_pending(&mut self, catalog: &mut Catalog) -> Result<()> {
        let Some((batch, prepared)) = self.pending.take() else {
            return Ok(());
        };
        let (written, docs) =
            write_with_documents(catalog, &self.index.idx, self.schema, &batch, &prepared);
        let (ids, _) = written?;
        self.queue_batch(&ids, docs)
    }

    /// What needs the catalog or this run's sets, in order: the facts of contents catalogued
    /// before (not read again), submission lists seen, contents touched and lost.
    fn note_batch(
        &mut self,
        catalog: &Catalog,
        batch: &[FileUpdate],
        known: &[Option<Known>],
    ) -> Result<Vec<Stored>> {
        self.load_lists(catalog)?;
        let mut stored: Vec<Stored> = Vec::with_capacity(batch.len());
        for (u, known) in batch.iter().zip(known) {
            stored.push(match (&u.facts, &u.blake3) {
                (None, Some(b3)) => Some(catalog.blob_facts(b3)?.unwrap_or_default()),
                _ => None,
            });
            let lists = u
                .facts
                .as_ref()
                .is_some_and(|f| !f.manifest_rows.is_empty())
                || stored
                    .last()
                    .and_then(|s| s.as_ref())
                    .is_some_and(|(f, _)| !f.manifest_rows.is_empty());
            if lists || known.as_ref().is_some_and(|k| self.is_list(k.id)) {
                self.manifests_changed = true;
            }
            if let Some(old) = known.as_ref().and_then(|k| k.blake3.as_ref()) {
                if u.blake3.as_ref() != Some(old) {
                    self.lost.insert(old.clone());
                }
            }
            if let Some(b3) = &u.blake3 {
                self.touched.insert(b3.clone());
            }
        }
        Ok(stored)
    }

    fn tagger(&self) -> Tagger<'_> {
        Tagger {
            schema: self.schema,
            cfg: &self.cfg.tag,
            manual: &self.manual,
            resolved: &self.resolved,
            captions: &self.captions,
            manifests: &self.lists.as_ref().expect("loaded by note_batch").0,
            root_displays: &self.root_displays,
            root_paths: &self.root_paths,
        }
    }

    /// Queue the search documents of a batch just written (`ids` from the catalog).
    fn queue_batch(&mut self, ids: &[i64], docs: Vec<TantivyDocument>) -> Result<()> {
        for (&id, mut doc) in ids.iter().zip(docs) {
            self.index.idx.set_id(&mut doc, id);
            self.queued.insert(id);
            // A new index holds no document for this file yet.
            self.index.queue(id, doc, !self.index.created)?;
        }
        Ok(())
    }

    /// Files not found this run: their contents may have lost a duplicate.
    pub(super) fn missing(&mut self, catalog: &Catalog, unseen: &[Known]) -> Result<()> {
        if !unseen.is_empty() {
            self.load_lists(catalog)?;
        }
        for k in unseen {
            if self.is_list(k.id) {
                self.manifests_changed = true;
            }
            if let Some(b3) = &k.blake3 {
                self.lost.insert(b3.clone());
            }
        }
        Ok(())
    }

    /// Complete the tags (duplicate flags, or everything when a list changed), then the index.
    /// Returns (files tagged, documents written, seconds tagging, seconds indexing).
    pub(super) fn finish(mut self, catalog: &mut Catalog) -> Result<(u64, u64, f64, f64)> {
        debug_assert!(
            self.pending.is_none(),
            "write_pending is called when the walk ends"
        );
        let at = Instant::now();
        let changed = if self.manifests_changed {
            retag_changed(catalog, self.schema, self.cfg)?
        } else if !self.touched.is_empty() || !self.lost.is_empty() {
            let changed = self.duplicate_pass(catalog)?;
            mark_tags_current(catalog, self.schema, self.cfg)?;
            changed
        } else {
            Vec::new()
        };
        self.tagged += changed.len() as u64;
        self.retagged.extend(changed);
        let tag_s = at.elapsed().as_secs_f64();

        let at = Instant::now();
        let (stale, mark) = catalog.stale_ids()?;
        for &id in &stale {
            let queued = self.queued.contains(&id);
            if queued && !self.retagged.contains(&id) {
                continue;
            }
            let Some((row, text)) = catalog.file_with_text(id)? else {
                continue;
            };
            // Replace what the index holds, or the document queued earlier in this run.
            let replace = !self.index.created || queued;
            self.index
                .add(self.schema, &row, text.as_deref(), replace)?;
        }
        let indexed = self.index.commit(catalog, mark)?;
        Ok((
            self.tagged,
            indexed as u64,
            tag_s,
            at.elapsed().as_secs_f64(),
        ))
    }

    /// Recompute the tags of every present file whose content this run touched and that shares
    /// it with another file (or may have stopped sharing it). Returns those whose tags changed.
    fn duplicate_pass(&mut self, catalog: &mut Catalog) -> Result<Vec<i64>> {
        self.load_lists(catalog)?;
        let shared = catalog.shared_blake3s()?;
        let near = catalog.near_map()?;
        let none = FxHashSet::default();
        let paired = near_group(&near, &none, self.touched.iter().chain(&self.lost));
        let mut contents: Vec<&String> = self
            .touched
            .iter()
            .filter(|b| shared.contains(*b))
            .chain(self.lost.iter())
            .chain(paired.iter())
            .collect();
        contents.sort();
        contents.dedup();
        let manifests = &self.lists.as_ref().expect("loaded above").0;
        let ctx = Context {
            schema: self.schema,
            cfg: self.cfg,
            manifests,
            manual: &self.manual,
            resolved: &self.resolved,
            near: &near,
        };
        retag_contents(catalog, &ctx, contents)
    }
}

/// What retagging some contents' files reads besides the files.
struct Context<'a> {
    schema: &'a Schema,
    cfg: &'a Config,
    manifests: &'a Manifests,
    manual: &'a HashMap<i64, Vec<ManualTag>>,
    resolved: &'a FlagResolutions,
    near: &'a NearMap,
}

/// Retag the present files holding these contents. Returns those whose tags changed.
fn retag_contents<'s>(
    catalog: &mut Catalog,
    ctx: &Context,
    contents: impl IntoIterator<Item = &'s String>,
) -> Result<Vec<i64>> {
    let mut rows = Vec::new();
    for b3 in contents {
        rows.extend(
            catalog
                .files_by_blake3(b3)?
                .into_iter()
                .filter(|r| r.status == Status::Present),
        );
    }
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let none = Vec::new();
    let inputs: Vec<FileForTagging> = rows
        .iter()
        .map(|r| {
            for_tagging(
                r,
                ctx.manual.get(&r.id).unwrap_or(&none),
                ctx.resolved,
                ctx.near,
            )
        })
        .collect();
    let taggings = tag::tag_with(ctx.schema, &ctx.cfg.tag, &inputs, ctx.manifests);
    let pairs: Vec<(i64, tag::Tagging)> = rows.iter().map(|r| r.id).zip(taggings).collect();
    catalog.write_taggings(&pairs)
}

/// After the near-duplicate stage: retag the files of the contents whose pairs changed, with
/// every content paired with them (a flag names the other side), and record that the stored
/// tags are current again (the stage cleared that mark before writing pairs, so that a run
/// killed meanwhile retags on the next one). Returns how many files' tags changed.
pub(super) fn retag_near(
    catalog: &mut Catalog,
    schema: &Schema,
    cfg: &Config,
    changed: &FxHashSet<String>,
) -> Result<usize> {
    let near = catalog.near_map()?;
    let group = near_group(&near, changed, std::iter::empty());
    let manual = catalog.manual_tags()?;
    let resolved = catalog.flag_resolutions()?;
    let manifests = load_manifests(catalog)?.0;
    let ctx = Context {
        schema,
        cfg,
        manifests: &manifests,
        manual: &manual,
        resolved: &resolved,
        near: &near,
    };
    let mut contents: Vec<&String> = group.iter().collect();
    contents.sort();
    let changed = retag_contents(catalog, &ctx, contents)?;
    super::tags::mark_tags_current(catalog, schema, cfg)?;
    Ok(changed.len())
}

/// The submission lists in the catalog, and their files' ids.
fn load_manifests(catalog: &Catalog) -> Result<(Manifests, FxHashSet<i64>)> {
    let rows = catalog.manifest_files()?;
    let none = Vec::new();
    let no_near = NearMap::default();
    let undecided = FlagResolutions::default();
    let inputs: Vec<FileForTagging> = rows
        .iter()
        .map(|r| for_tagging(r, &none, &undecided, &no_near))
        .collect();
    Ok((
        Manifests::build(&inputs),
        rows.iter().map(|r| r.id).collect(),
    ))
}

/// What tagging a batch needs from the streamer, borrowed apart from it so that it can run
/// while the streamer's catalog writes.
struct Tagger<'a> {
    schema: &'a Schema,
    cfg: &'a crate::tag::TagConfig,
    manual: &'a HashMap<i64, Vec<ManualTag>>,
    resolved: &'a FlagResolutions,
    captions: &'a HashMap<String, Caption>,
    manifests: &'a Manifests,
    root_displays: &'a [String],
    root_paths: &'a [Vec<u8>],
}

/// Build each file's row, serialise its facts and tag it, in parallel.
fn tag_parallel(
    t: &Tagger,
    batch: &mut [FileUpdate],
    stored: Vec<Stored>,
    roots: &[usize],
    known: &[Option<Known>],
) -> Vec<Prepared> {
    use rayon::prelude::*;
    let none = Vec::new();
    // One file at a time: the near-duplicate flags are added by the end-of-run pass.
    let no_near = NearMap::default();
    let memo = tag::FolderMemo::build(
        t.schema,
        batch
            .iter()
            .zip(roots)
            .map(|(u, &r)| (t.root_displays[r].as_str(), u.rel_display.as_str())),
    );
    batch
        .par_iter_mut()
        .zip(stored)
        .zip(roots)
        .zip(known)
        .map(|(((u, stored), &root), known)| {
            let (mut facts, text) = match (&u.facts, stored) {
                (Some(f), _) => {
                    u.facts_json = Some(serde_json::to_string(f).expect("facts serialize"));
                    (f.clone(), None)
                }
                (None, Some(s)) => s,
                (None, None) => (Facts::default(), None),
            };
            catalog::fill_facts(&mut facts, None, None);
            let mut row = FileRow {
                // A new file's id is known once written; it has no curator's tags before that.
                id: known.as_ref().map(|k| k.id).unwrap_or(0),
                root: t.root_displays[root].clone(),
                rel_display: u.rel_display.clone(),
                rel: u.rel.clone(),
                root_path: t.root_paths[root].clone(),
                blake3: u.blake3.clone(),
                size: u.size,
                mtime_ns: u.mtime_ns,
                status: Status::Present,
                last_seen: String::new(),
                errors: u.errors.clone(),
                facts,
                tagging: None,
                caption: u.blake3.as_ref().and_then(|b| t.captions.get(b).cloned()),
            };
            let manual = t.manual.get(&row.id).unwrap_or(&none);
            let input = for_tagging(&row, manual, t.resolved, &no_near);
            let tagging = tag::tag_one(t.schema, t.cfg, &input, t.manifests, &memo);
            u.tagging = Some(serde_json::to_string(&tagging).expect("tagging serialize"));
            row.tagging = Some(tagging);
            Prepared { row, text }
        })
        .collect()
}

/// A scoped thread's result, or its panic carried on.
fn joined<T>(r: std::thread::Result<T>) -> T {
    r.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Write a tagged batch to the catalog while its search documents (without file ids) are built
/// on the other core.
fn write_with_documents(
    catalog: &mut Catalog,
    idx: &SearchIndex,
    schema: &Schema,
    batch: &[FileUpdate],
    prepared: &[Prepared],
) -> (Result<(Vec<i64>, String)>, Vec<TantivyDocument>) {
    std::thread::scope(|s| {
        let docs = s.spawn(|| documents(idx, schema, batch, prepared));
        (catalog.write_batch(batch), joined(docs.join()))
    })
}

/// The search documents of a batch, without their file ids (built in parallel, while the
/// batch is written).
fn documents(
    idx: &SearchIndex,
    schema: &Schema,
    batch: &[FileUpdate],
    prepared: &[Prepared],
) -> Vec<TantivyDocument> {
    use rayon::prelude::*;
    batch
        .par_iter()
        .zip(prepared)
        .map(|(u, p)| {
            let facets = p
                .row
                .tagging
                .as_ref()
                .map(|t| tag::facet_paths(schema, t))
                .unwrap_or_default();
            idx.document_without_id(&p.row, p.text.as_deref().or(u.text.as_deref()), &facets)
        })
        .collect()
}

/// The contents whose near-duplicate flags must be recomputed: those whose pairs changed, the
/// touched or lost ones that have pairs, and every content paired with those, transitively (a
/// file's flag names the other side, so both sides are tagged together).
fn near_group<'s>(
    near: &NearMap,
    changed: &FxHashSet<String>,
    touched: impl Iterator<Item = &'s String>,
) -> FxHashSet<String> {
    let mut stack: Vec<String> = changed
        .iter()
        .cloned()
        .chain(touched.filter(|b| near.contains_key(*b)).cloned())
        .collect();
    let mut group = FxHashSet::default();
    while let Some(b) = stack.pop() {
        if !group.insert(b.clone()) {
            continue;
        }
        for n in near.get(&b).into_iter().flatten() {
            if !group.contains(&n.blake3) {
                stack.push(n.blake3.clone());
            }
        }
    }
    group
}

pub(super) fn for_tagging<'r>(
    r: &'r FileRow,
    manual: &'r [ManualTag],
    resolved: &'r FlagResolutions,
    near: &'r NearMap,
) -> FileForTagging<'r> {
    FileForTagging {
        similar: r
            .blake3
            .as_deref()
            .and_then(|b| near.get(b))
            .map(Vec::as_slice)
            .unwrap_or(&[]),
        file_id: r.id,
        rel_path: &r.rel_display,
        root: &r.root,
        blake3: r.blake3.as_deref(),
        facts: &r.facts,
        manual,
        resolved: r
            .blake3
            .as_deref()
            .and_then(|b| resolved.get(b))
            .map(Vec::as_slice)
            .unwrap_or(&[]),
        unreadable: r.blake3.is_none() || r.problems().any(|p| p.is_error()),
        read_errors: &r.errors,
    }
}
