//! `archive index`: drives walk → hash → extract → tag → catalog → index.
//!
//! Threads: the vocabulary loads on its own thread while the rest starts; one walker compares
//! each file's size, mtime and inode with the catalog and queues only new or changed files, in
//! small batches; `workers` threads read each queued file once, hash it and extract its facts
//! from the same bytes, watched for the extraction time budget ([`workers`]); this thread is
//! the single catalog writer: each batch is tagged in parallel while the batch before it is
//! written in one transaction and its search documents are built ([`stream`]); a checkpoint
//! thread copies the write-ahead log beside the writer. The search index is committed once at
//! the end, after the cross-file tags (duplicates) are settled; the catalog's list of stale
//! files lets the next run complete an interrupted one (documents are keyed by file id: no
//! duplicates on retry).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::catalog::{Catalog, FileRow, FileUpdate, Known};
use crate::config::Config;
use crate::extract::{self, Facts};
use crate::hash::{self, Content, HashError};
use crate::index::SearchIndex;
use crate::record::Status;
use crate::schema::Schema;
use crate::tag::{self, FileForTagging};
use crate::walk::{self, FileEntry, WalkOptions, Walked};
use crate::{Error, Result};
use tantivy::indexer::UserOperation;

mod stream;
mod workers;

/// The walker hands files to the workers in batches of at most this many files or bytes (or
/// fewer when the workers are idle): one file per hand-over woke a sleeping thread per file.
const JOB_BATCH_FILES: usize = 32;
const JOB_BATCH_BYTES: u64 = 4 << 20;

#[derive(Debug, Clone, Default)]
pub struct IndexOptions {
    pub roots: Vec<PathBuf>,
    pub follow_symlinks: bool,
    /// Rehash every file and report content that differs from the catalog (fixity check).
    pub verify: bool,
    /// Worker threads for hashing and extraction (0 = one per core).
    pub workers: usize,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

/// A file that could not be read, or whose content could not be parsed, named with its path.
#[derive(Debug, Clone, Serialize)]
pub struct FileProblem {
    pub path: String,
    pub message: String,
}

/// A file whose content no longer matches its catalogued BLAKE3 although size and mtime say
/// it did not change: bit rot or tampering.
#[derive(Debug, Clone, Serialize)]
pub struct FixityFailure {
    pub path: String,
    pub expected: String,
    pub actual: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RunSummary {
    pub run_id: i64,
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    /// Files seen before and not found now (kept in the catalog as missing).
    pub missing: u64,
    /// Files that were missing and are present again.
    pub returned: u64,
    /// Files whose content was read this run (0 for an unchanged re-run).
    pub files_read: u64,
    pub bytes_read: u64,
    pub errors: Vec<FileProblem>,
    pub fixity_failures: Vec<FixityFailure>,
    pub verified: u64,
    /// Files whose tags were computed this run (or, when only the vocabulary changed, whose
    /// tags changed).
    pub retagged: u64,
    /// Search documents written.
    pub index_updated: u64,
    pub present_total: u64,
    pub missing_total: u64,
    pub elapsed_s: f64,
    /// Where the time went. Walking, reading, cataloguing and (when the stored tags are
    /// current) tagging and queuing search documents as files arrive.
    pub read_s: f64,
    /// Tags settled after the walk: duplicate flags of the contents touched, or a full retag.
    pub tag_s: f64,
    /// The final index sweep and commit.
    pub index_s: f64,
    pub files_per_s: f64,
    pub mb_per_s: f64,
}

impl RunSummary {
    /// 0 when every file was read, 2 when some could not be (they are listed).
    pub fn exit_code(&self) -> u8 {
        if self.errors.is_empty() && self.fixity_failures.is_empty() {
            0
        } else {
            2
        }
    }
}

#[derive(Clone)]
struct Job {
    root: usize,
    entry: FileEntry,
    known: Option<Known>,
}

/// What a worker knows about a file once it is hashed: enough to catalogue it should its
/// extraction have to be abandoned.
struct Hashed {
    blake3: String,
    size: u64,
    media: crate::record::Media,
    mime: &'static str,
}

enum Msg {
    Done(Vec<JobResult>),
    Problem(FileProblem),
    RootDone {
        root: usize,
        unseen: Vec<Known>,
        unchanged: u64,
    },
}

struct JobResult {
    root: usize,
    entry: FileEntry,
    known: Option<Known>,
    outcome: std::result::Result<(String, Option<Facts>, u64), String>,
}

impl From<Vec<JobResult>> for Msg {
    fn from(done: Vec<JobResult>) -> Msg {
        Msg::Done(done)
    }
}

/// Run `archive index` over the given roots.
pub fn run_index(cfg: &Config, opts: &IndexOptions) -> Result<RunSummary> {
    let started = Instant::now();
    // Loading the vocabulary (boundary outlines, matchers) takes ~40 ms of one core: it loads on
    // its own thread while the walk and the first reads go on, and is first needed to tag.
    let schema_loader = {
        let cfg = cfg.clone();
        std::thread::Builder::new()
            .name("schema".into())
            .spawn(move || cfg.schema())
            .map_err(|e| Error::Other(format!("could not start a thread: {e}")))?
    };
    let mut catalog = Catalog::open(&cfg.archive_dir)?;
    catalog.checkpoint_in_background();

    let mut roots = Vec::new();
    for r in &opts.roots {
        let abs = r.canonicalize().map_err(|e| {
            Error::Other(format!(
                "evidence folder {}: {}; check the path",
                r.display(),
                walk::describe_io(&e)
            ))
        })?;
        if !abs.is_dir() {
            return Err(Error::Other(format!(
                "{} is not a folder; give the folder that holds the evidence",
                r.display()
            )));
        }
        roots.push(abs);
    }
    let root_ids: Vec<i64> = roots
        .iter()
        .map(|r| catalog.root_id(r))
        .collect::<Result<_>>()?;
    let root_names: Vec<String> = roots
        .iter()
        .map(|r| walk::display_path(r.as_os_str()))
        .collect();
    let snapshots: Vec<rustc_hash::FxHashMap<Vec<u8>, Known>> = root_ids
        .iter()
        .map(|id| catalog.known_files(*id))
        .collect::<Result<_>>()?;

    let workers = if opts.workers == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    } else {
        opts.workers
    };
    let progress = Progress::new(opts.progress);

    let (job_tx, job_rx) = crossbeam_channel::bounded::<Vec<Job>>(workers * 2);
    // Room for the results read while the vocabulary loads; batches are at most
    // JOB_BATCH_BYTES, which bounds the memory held here.
    let (msg_tx, msg_rx) = crossbeam_channel::bounded::<Msg>(workers * 16);
    let readers = {
        let probe = std::sync::Mutex::new(catalog.blob_probe());
        let limits = cfg.limits.clone();
        let in_memory_max = cfg.in_memory_max;
        let make: workers::MakeWork<Job, JobResult, Option<Hashed>> = Box::new(move || {
            let mut probe = probe.lock().unwrap_or_else(|e| e.into_inner()).fresh();
            let limits = limits.clone();
            Box::new(move |job: &Job, tell: &dyn Fn(Option<Hashed>)| JobResult {
                root: job.root,
                entry: job.entry.clone(),
                known: job.known.clone(),
                outcome: read_one(
                    &job.entry,
                    in_memory_max,
                    &limits,
                    &mut |b3| probe.known(b3),
                    tell,
                ),
            })
        });
        let fallback: workers::Fallback<Job, JobResult, Option<Hashed>> =
            Box::new(|job, hashed, why| JobResult {
                root: job.root,
                entry: job.entry,
                known: job.known,
                outcome: match hashed {
                    None => Err(why),
                    Some(h) => {
                        let facts = Facts {
                            media: Some(h.media),
                            mime: h.mime.to_string(),
                            errors: vec![why],
                            ..Facts::default()
                        };
                        Ok((h.blake3, Some(facts), h.size))
                    }
                },
            });
        workers::start(
            workers,
            cfg.limits.time_budget,
            job_rx,
            msg_tx.clone(),
            make,
            fallback,
        )
        .map_err(|e| Error::Other(format!("could not start reader threads: {e}")))?
    };
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let walker = Walker::start(
        roots.clone(),
        snapshots,
        WalkOptions {
            follow_symlinks: opts.follow_symlinks,
            skip: vec![cfg.archive_dir.clone()],
            stop: Some(stop.clone()),
        },
        opts.verify,
        job_tx,
        msg_tx,
        progress.clone(),
    )?;
    // Whatever ends the run early stops the walk (it would otherwise go on to the end of the
    // tree for nothing) and drops the results channel: readers blocked on a full channel then
    // go on, their results refused, and the walker is not left waiting for them to take jobs.
    let abandon = |e: Error, walker: Walker, results: crossbeam_channel::Receiver<Msg>| -> Error {
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        drop(results);
        walker.join();
        e
    };
    let setup = schema_loader
        .join()
        .unwrap_or_else(|_| {
            Err(Error::Other(
                "loading the vocabulary failed unexpectedly (a bug; see the message above)".into(),
            ))
        })
        .and_then(|schema| {
            Ok((
                schema,
                catalog.start_run(if opts.verify { "verify" } else { "index" }, &root_names)?,
            ))
        });
    let (schema, run_id) = match setup {
        Ok(v) => v,
        Err(e) => return Err(abandon(e, walker, msg_rx)),
    };
    let mut summary = RunSummary {
        run_id,
        ..Default::default()
    };
    let mut streamer = match stream::Streamer::start(&catalog, &schema, cfg, &roots, &root_ids) {
        Ok(s) => s,
        Err(e) => return Err(abandon(e, walker, msg_rx)),
    };

    let written = (|| -> Result<()> {
        // The single writer.
        let mut batch: Vec<FileUpdate> = Vec::new();
        let mut batch_roots: Vec<usize> = Vec::new();
        let mut batch_known: Vec<Option<Known>> = Vec::new();
        let mut last_flush = Instant::now();
        let mut pending_roots: Vec<(usize, Vec<Known>)> = Vec::new();
        let mut tags_invalidated = false;
        let mut flush = |catalog: &mut Catalog,
                         batch: &mut Vec<FileUpdate>,
                         roots: &mut Vec<usize>,
                         known: &mut Vec<Option<Known>>|
         -> Result<()> {
            invalidate_tags(catalog, &mut tags_invalidated)?;
            match streamer.as_mut() {
                Some(st) => {
                    st.push_batch(
                        catalog,
                        std::mem::take(batch),
                        std::mem::take(roots),
                        std::mem::take(known),
                    )?;
                }
                None => {
                    catalog.write_batch(batch)?;
                }
            }
            batch.clear();
            roots.clear();
            known.clear();
            Ok(())
        };
        for msg in msg_rx.iter() {
            match msg {
                Msg::Problem(p) => {
                    progress.println(&format!("warning: {}: {}", p.path, p.message));
                    summary.errors.push(p);
                }
                Msg::RootDone {
                    root,
                    unseen,
                    unchanged,
                } => {
                    summary.unchanged += unchanged;
                    pending_roots.push((root, unseen));
                }
                Msg::Done(results) => {
                    for r in results {
                        let rel_display = r.entry.rel_display();
                        // Only a file with a problem is named: most files need no second string.
                        let path_display = || {
                            format!(
                                "{}/{}",
                                root_names[r.root].trim_end_matches('/'),
                                rel_display
                            )
                        };
                        progress.done(r.entry.size);
                        match r.outcome {
                            Err(message)
                                if message.starts_with("vanished")
                                    || message.starts_with("changed") =>
                            {
                                let path = path_display();
                                progress.println(&format!("warning: {path}: {message}"));
                                summary.errors.push(FileProblem { path, message });
                            }
                            outcome => {
                                let (blake3, facts, read, io_error) = match outcome {
                                    Ok((b3, facts, read)) => (Some(b3), facts, read, None),
                                    Err(message) => (None, None, 0, Some(message)),
                                };
                                summary.files_read += 1;
                                summary.bytes_read += read;
                                match &r.known {
                                    None => summary.new += 1,
                                    Some(k) if k.status == Status::Missing => summary.returned += 1,
                                    Some(k) => {
                                        let stat_same = k.size == r.entry.size
                                            && k.mtime_ns == r.entry.mtime_ns;
                                        if k.blake3 != blake3 {
                                            if opts.verify && stat_same && blake3.is_some() {
                                                summary.fixity_failures.push(FixityFailure {
                                                    path: path_display(),
                                                    expected: k.blake3.clone().unwrap_or_default(),
                                                    actual: blake3.clone().unwrap_or_default(),
                                                });
                                            }
                                            summary.changed += 1;
                                        } else if opts.verify {
                                            summary.verified += 1;
                                            summary.unchanged += 1;
                                        } else {
                                            summary.changed += 1;
                                        }
                                    }
                                }
                                let mut errors = Vec::new();
                                if let Some(m) = io_error {
                                    errors.push(m);
                                }
                                let content_errors: Vec<String> =
                                    facts.as_ref().map(|f| f.errors.clone()).unwrap_or_default();
                                for m in errors.iter().chain(&content_errors) {
                                    let path = path_display();
                                    progress.println(&format!("warning: {path}: {m}"));
                                    summary.errors.push(FileProblem {
                                        path,
                                        message: m.clone(),
                                    });
                                }
                                let rel = r.entry.rel_bytes().to_vec();
                                let (facts, text) = match facts {
                                    Some(f) => {
                                        let (f, t) = crate::catalog::into_stored(f);
                                        (Some(f), t)
                                    }
                                    None => (None, None),
                                };
                                batch.push(FileUpdate {
                                    root_id: root_ids[r.root],
                                    rel,
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
                                batch_roots.push(r.root);
                                batch_known.push(r.known);
                            }
                        }
                        if batch.len() >= 512 || last_flush.elapsed() > Duration::from_secs(2) {
                            flush(&mut catalog, &mut batch, &mut batch_roots, &mut batch_known)?;
                            last_flush = Instant::now();
                        }
                    }
                }
            }
        }
        if !batch.is_empty() {
            flush(&mut catalog, &mut batch, &mut batch_roots, &mut batch_known)?;
        }
        if let Some(st) = streamer.as_mut() {
            st.write_pending(&mut catalog)?;
        }
        for (root, unseen) in pending_roots {
            if !unseen.is_empty() {
                invalidate_tags(&catalog, &mut tags_invalidated)?;
            }
            if let Some(st) = streamer.as_mut() {
                st.missing(&catalog, &unseen)?;
            }
            let ids: Vec<i64> = unseen.iter().map(|k| k.id).collect();
            summary.missing += catalog.finish_root(root_ids[root], &ids)? as u64;
        }
        Ok(())
    })();
    if let Err(e) = written {
        return Err(abandon(e, walker, msg_rx));
    }
    walker.join();
    readers.finish();
    progress.finish();
    summary.read_s = started.elapsed().as_secs_f64();

    match streamer {
        Some(st) => {
            (
                summary.retagged,
                summary.index_updated,
                summary.tag_s,
                summary.index_s,
            ) = st.finish(&mut catalog)?;
        }
        None => {
            let changed_anything =
                summary.new + summary.changed + summary.missing + summary.returned > 0;
            let at = Instant::now();
            summary.retagged =
                retag_if_needed(&mut catalog, &schema, cfg, changed_anything)? as u64;
            summary.tag_s = at.elapsed().as_secs_f64();
            let at = Instant::now();
            summary.index_updated = sync_index(&mut catalog, cfg, &schema)? as u64;
            summary.index_s = at.elapsed().as_secs_f64();
        }
    }

    catalog.checkpoint_in_foreground();
    let (present, missing) = catalog.counts()?;
    summary.present_total = present;
    summary.missing_total = missing;
    summary.elapsed_s = started.elapsed().as_secs_f64();
    let secs = summary.elapsed_s.max(1e-6);
    summary.files_per_s = summary.files_read as f64 / secs;
    summary.mb_per_s = summary.bytes_read as f64 / 1e6 / secs;
    catalog.end_run(run_id, &serde_json::to_value(&summary).unwrap_or_default())?;
    Ok(summary)
}

/// The walk: compares each file's size, mtime and inode with the catalog's snapshot of its
/// root and hands new or changed files to the readers in batches.
struct Walker(std::thread::JoinHandle<()>);

impl Walker {
    fn start(
        roots: Vec<PathBuf>,
        snapshots: Vec<rustc_hash::FxHashMap<Vec<u8>, Known>>,
        wopts: WalkOptions,
        verify: bool,
        job_tx: crossbeam_channel::Sender<Vec<Job>>,
        msg_tx: crossbeam_channel::Sender<Msg>,
        progress: Progress,
    ) -> Result<Walker> {
        let walk = move || {
            let mut batch: Vec<Job> = Vec::with_capacity(JOB_BATCH_FILES);
            let mut batch_bytes = 0u64;
            for (i, (root, mut snapshot)) in roots.iter().zip(snapshots).enumerate() {
                let mut unchanged = 0u64;
                walk::walk(root, &wopts, |w| match w {
                    Walked::File(entry) => {
                        let known = snapshot.remove(entry.rel_bytes());
                        let same = known.as_ref().is_some_and(|k| {
                            k.size == entry.size
                                && k.mtime_ns == entry.mtime_ns
                                && k.inode == entry.inode
                                && k.status == Status::Present
                                && k.blake3.is_some()
                        });
                        if same && !verify {
                            unchanged += 1;
                        } else {
                            progress.queue(entry.size);
                            batch_bytes += entry.size;
                            batch.push(Job {
                                root: i,
                                entry,
                                known,
                            });
                            // Idle workers get what there is at once.
                            if batch.len() >= JOB_BATCH_FILES
                                || batch_bytes >= JOB_BATCH_BYTES
                                || job_tx.is_empty()
                            {
                                let _ = job_tx.send(std::mem::take(&mut batch));
                                batch_bytes = 0;
                            }
                        }
                    }
                    Walked::Problem(p) => {
                        let _ = msg_tx.send(Msg::Problem(FileProblem {
                            path: walk::display_path(p.path.as_os_str()),
                            message: p.message,
                        }));
                    }
                });
                let unseen = snapshot
                    .into_values()
                    .filter(|k| k.status == Status::Present)
                    .collect();
                let _ = msg_tx.send(Msg::RootDone {
                    root: i,
                    unseen,
                    unchanged,
                });
            }
            if !batch.is_empty() {
                let _ = job_tx.send(batch);
            }
        };
        std::thread::Builder::new()
            .name("walk".into())
            .spawn(walk)
            .map(Walker)
            .map_err(|e| Error::Other(format!("could not start the walker thread: {e}")))
    }

    fn join(self) {
        if let Err(panic) = self.0.join() {
            std::panic::resume_unwind(panic);
        }
    }
}

/// Read, hash and (unless the content is already catalogued) extract one file, telling the
/// watchdog the hash before extracting. Ok((blake3, facts, bytes read)); Err(plain reason).
fn read_one(
    entry: &FileEntry,
    in_memory_max: u64,
    limits: &extract::Limits,
    known_blob: &mut dyn FnMut(&str) -> bool,
    tell: &dyn Fn(Option<Hashed>),
) -> std::result::Result<(String, Option<Facts>, u64), String> {
    let name = entry
        .path
        .file_name()
        .map(walk::display_path)
        .unwrap_or_default();
    let hashed = match hash::read_and_hash(entry, in_memory_max) {
        Ok(h) => h,
        Err(HashError::Changed) => return Err(
            "changed while being read (still being copied?); it will be read again on the next run"
                .into(),
        ),
        Err(HashError::Io(e)) => return Err(walk::describe_io(&e)),
    };
    let size = entry.size;
    if known_blob(&hashed.blake3) {
        return Ok((hashed.blake3, None, size));
    }
    let kind = match &hashed.content {
        Content::InMemory(data) => extract::identify(data, &name),
        Content::Large { head } => extract::sniff::sniff(head, &name),
    };
    tell(Some(Hashed {
        blake3: hashed.blake3.clone(),
        size,
        media: kind.0,
        mime: kind.1,
    }));
    let facts = match hashed.content {
        Content::InMemory(data) => extract::extract_identified(&name, Arc::new(data), kind, limits),
        Content::Large { .. } => extract::extract_large_identified(&entry.path, kind, limits),
    };
    Ok((hashed.blake3, Some(facts), size))
}

/// A fingerprint of everything tagging depends on besides the files themselves.
fn tag_fingerprint(schema: &Schema, cfg: &Config) -> String {
    let t = &cfg.tag;
    let text = format!(
        "{}|{}|{}|{}|{}",
        schema.fingerprint(),
        t.period_start,
        t.period_end,
        t.edit_gap_days,
        env!("CARGO_PKG_VERSION")
    );
    blake3::hash(text.as_bytes()).to_hex()[..16].to_string()
}

/// Forget the tag fingerprint before the first catalog change of a run. Tags are recomputed
/// after the walk; if the run is killed in between, the next run may find nothing new to read
/// and would otherwise trust the old fingerprint, leaving the files written by the killed run
/// untagged for good.
fn invalidate_tags(catalog: &Catalog, done: &mut bool) -> Result<()> {
    if !*done {
        catalog.set_meta("tag_fingerprint", "")?;
        *done = true;
    }
    Ok(())
}

fn retag_if_needed(
    catalog: &mut Catalog,
    schema: &Schema,
    cfg: &Config,
    changed: bool,
) -> Result<usize> {
    let fp = tag_fingerprint(schema, cfg);
    if !changed && catalog.meta("tag_fingerprint")?.as_deref() == Some(fp.as_str()) {
        return Ok(0);
    }
    retag(catalog, schema, cfg)
}

/// Recompute tags and flags for every present file from the catalog alone. Returns how many
/// files' tags changed.
pub fn retag(catalog: &mut Catalog, schema: &Schema, cfg: &Config) -> Result<usize> {
    Ok(retag_changed(catalog, schema, cfg)?.len())
}

/// [`retag`], returning the files whose tags changed.
fn retag_changed(catalog: &mut Catalog, schema: &Schema, cfg: &Config) -> Result<Vec<i64>> {
    let manual = catalog.manual_tags()?;
    let mut rows = Vec::new();
    catalog.for_each_file(|row| {
        if row.status == Status::Present {
            rows.push(row);
        }
        Ok(())
    })?;
    let none = Vec::new();
    let inputs: Vec<FileForTagging> = rows
        .iter()
        .map(|r| stream::for_tagging(r, manual.get(&r.id).unwrap_or(&none)))
        .collect();
    let taggings = tag::tag_all(schema, &cfg.tag, &inputs);
    let pairs: Vec<(i64, tag::Tagging)> = rows.iter().map(|r| r.id).zip(taggings).collect();
    let changed = catalog.write_taggings(&pairs)?;
    catalog.set_meta("tag_fingerprint", &tag_fingerprint(schema, cfg))?;
    Ok(changed)
}

/// Documents handed to the index writer at once.
const INDEX_BATCH: usize = 64;

/// Search documents on their way into the index, committed once. Operations go to tantivy's
/// indexing threads in batches: one document per send woke a sleeping indexing thread for
/// every small file.
struct IndexQueue {
    idx: SearchIndex,
    /// The index was (re)created: nothing in it needs deleting, and there is nothing to collect.
    created: bool,
    /// Opened on the first document: a run with nothing to index never starts index threads.
    writer: Option<tantivy::IndexWriter>,
    ops: Vec<UserOperation>,
    added: usize,
}

impl IndexQueue {
    /// Open the index; a missing or outdated one is created and every file marked stale.
    fn open(catalog: &Catalog, cfg: &Config) -> Result<IndexQueue> {
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

    fn add(
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
    fn queue(&mut self, id: i64, doc: tantivy::TantivyDocument, replace: bool) -> Result<()> {
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

    fn flush(&mut self) -> Result<()> {
        if let (Some(w), false) = (&self.writer, self.ops.is_empty()) {
            w.run(self.ops.drain(..))?;
        }
        Ok(())
    }

    /// Commit what was queued, then forget the stale files up to `mark` (only after the
    /// commit, so that a killed run leaves them listed). Returns how many documents were written.
    fn commit(mut self, catalog: &mut Catalog, mark: crate::catalog::StaleMark) -> Result<usize> {
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

/// Bring the search index up to date with the catalog: every file listed as stale gets its
/// document replaced. A missing or outdated index is rebuilt whole.
pub fn sync_index(catalog: &mut Catalog, cfg: &Config, schema: &Schema) -> Result<usize> {
    let mut index = IndexQueue::open(catalog, cfg)?;
    if !catalog.any_stale()? {
        return Ok(0);
    }
    let mark = catalog.for_each_stale(|row, text| {
        let replace = !index.created;
        index.add(schema, &row, text.as_deref(), replace)?;
        Ok(())
    })?;
    index.commit(catalog, mark)
}

/// Rebuild the search index from the catalog alone.
pub fn reindex(cfg: &Config) -> Result<usize> {
    let schema = cfg.schema()?;
    let mut catalog = Catalog::open_existing(&cfg.archive_dir)?;
    let dir = cfg.index_dir();
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    }
    catalog.mark_all_stale()?;
    sync_index(&mut catalog, cfg, &schema)
}

/// Progress on a terminal: bytes for throughput and ETA, files in the message.
#[derive(Clone)]
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    files: Arc<std::sync::atomic::AtomicU64>,
    queued: Arc<std::sync::atomic::AtomicU64>,
}

impl Progress {
    fn new(show: bool) -> Progress {
        let bar = show.then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}",
                )
                .unwrap()
                .progress_chars("=> "),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            files: Default::default(),
            queued: Default::default(),
        }
    }
    fn queue(&self, bytes: u64) {
        self.queued
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(b) = &self.bar {
            b.inc_length(bytes);
        }
    }
    fn done(&self, bytes: u64) {
        let n = self
            .files
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        if let Some(b) = &self.bar {
            b.inc(bytes);
            let secs = b.elapsed().as_secs_f64().max(1e-3);
            let q = self.queued.load(std::sync::atomic::Ordering::Relaxed);
            b.set_message(format!("{n}/{q} files, {:.0} files/s", n as f64 / secs));
        }
    }
    fn println(&self, line: &str) {
        match &self.bar {
            Some(b) => b.println(line),
            None => tracing::debug!("{line}"),
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_vanishes_or_changes_mid_walk_is_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("会议.jpg");
        std::fs::write(&path, b"12345").unwrap();
        let mut entry = None;
        walk::walk(dir.path(), &WalkOptions::default(), |w| {
            if let Walked::File(f) = w {
                entry = Some(f)
            }
        });
        let entry = entry.unwrap();
        let limits = extract::Limits::default();
        let mut none = |_: &str| false;

        std::fs::write(&path, b"1234567").unwrap();
        let err = read_one(&entry, 1 << 20, &limits, &mut none, &|_| {}).unwrap_err();
        assert!(err.starts_with("changed while being read"), "{err}");

        std::fs::remove_file(&path).unwrap();
        let err = read_one(&entry, 1 << 20, &limits, &mut none, &|_| {}).unwrap_err();
        assert!(err.starts_with("vanished"), "{err}");
    }
}
