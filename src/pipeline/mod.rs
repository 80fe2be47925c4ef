//! `archive index`: drives walk → hash → extract → tag → catalog → index.
//!
//! Threads: the vocabulary loads on its own thread while the rest starts; one walker compares
//! each file's size, mtime and inode with the catalog and queues only new or changed files, in
//! small batches; `workers` threads read each queued file once, hash it and extract its facts
//! from the same bytes, watched for the extraction time budget ([`workers`]); this thread is
//! the single catalog writer ([`writer`]): each batch is tagged in parallel while the batch
//! before it is written in one transaction and its search documents are built ([`stream`]),
//! unless the stored tags are not current and every file is retagged after the walk
//! ([`tags`]); a checkpoint thread copies the write-ahead log beside the writer. The search
//! index is committed once at the end ([`index_queue`]), after the cross-file tags (duplicates)
//! are settled; the catalog's list of stale files lets the next run complete an interrupted one
//! (documents are keyed by file id: no duplicates on retry). Only then, with everything else
//! searchable, the OCR stage ([`ocr`]) reads scans and photos of paper, committing the index
//! again batch by batch.

use std::collections::BTreeMap;

use crate::i18n::Lang;
use crate::problem::{Problem, Severity};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use crate::catalog::{Catalog, FileRow, Known};
use crate::config::Config;
use crate::extract::{self, Facts};
use crate::hash::{self, Content, ReadFailure};
use crate::index::SearchIndex;
use crate::record::Status;
use crate::schema::Schema;
use crate::walk::{self, FileEntry, WalkOptions, Walked};
use crate::{Error, Result};

mod index_queue;
mod lock;
mod ocr;
mod progress;
mod similar;
mod stream;
mod tags;
mod workers;
mod writer;

use index_queue::IndexQueue;
pub use lock::RunLock;
pub use ocr::{run_ocr, OcrOptions, OcrSummary};
use progress::Progress;
pub(crate) use similar::picture_of as similar_picture;
pub use tags::retag;
use tags::{check_tagger_version, invalidate_tags, retag_if_needed};
use writer::Writer;

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
    /// The language of the run's messages (the summary's reasons).
    pub lang: Lang,
    /// Leave the photos' visual fingerprints (near-duplicates, `reused_photo`, the EXIF
    /// thumbnail check) to a later run. Decoding photos costs far more than hashing them
    /// (docs/performance.md); the next run without this catches up.
    pub skip_similar: bool,
    /// The OCR stage after the index commit (`--ocr`, `--ocr-budget`, `[ocr]`).
    pub ocr: OcrOptions,
}

/// A problem met on one file, named with its path: its stable code and severity, its sentence
/// in the run's language, and that sentence's parameters (for tools that write their own).
#[derive(Debug, Clone, Serialize)]
pub struct FileProblem {
    pub path: String,
    pub code: &'static str,
    pub severity: Severity,
    pub reason: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

impl FileProblem {
    pub fn new(path: String, p: &Problem, lang: Lang) -> FileProblem {
        FileProblem {
            path,
            code: p.code.as_str(),
            severity: p.severity(),
            reason: p.reason(lang),
            params: p.params.clone(),
        }
    }
}

/// How many files met one kind of problem in a run.
#[derive(Debug, Clone, Serialize)]
pub struct CodeCount {
    pub code: &'static str,
    pub severity: Severity,
    pub files: u64,
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
    /// Files whose content cannot be used (flagged unreadable): the run exits 2.
    pub errors: Vec<FileProblem>,
    /// Files read with something recovered or left out (damaged metadata, a placeholder date
    /// ignored, text cut at the cap): shown on their records, never flagged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<FileProblem>,
    /// Information about files (a PDF without a text layer, a format whose text is not read).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<FileProblem>,
    /// Every code met this run and how many files met it, errors first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counts: Vec<CodeCount>,
    /// Names in the evidence folders passed over on purpose (links not followed, FIFOs and
    /// sockets): notes, not errors; they do not change the exit status.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<FileProblem>,
    pub fixity_failures: Vec<FixityFailure>,
    pub verified: u64,
    /// Files whose tags were computed this run (or, when only the vocabulary changed, whose
    /// tags changed).
    pub retagged: u64,
    /// Why every file is retagged from the catalog this run, when the tagging rules changed
    /// since the stored tags were computed ([`crate::tag::TAGGER_VERSION`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retag_reason: Option<String>,
    /// Photo contents given a visual fingerprint this run (new ones, or all of an older
    /// catalog's), and the seconds that and pairing them took.
    #[serde(default)]
    pub fingerprinted: u64,
    /// Photo contents left without a fingerprint by `skip_similar`.
    #[serde(default)]
    pub fingerprints_pending: u64,
    /// HEIC, HEIF and AVIF photos left without a fingerprint because `heif-convert` (Debian
    /// `libheif-examples`) is not installed: not compared with other photos until a run has it.
    #[serde(default)]
    pub fingerprints_need_heif_convert: u64,
    #[serde(default)]
    pub similar_s: f64,
    /// Seconds from the start until the catalog and the search index were committed: from then
    /// on everything read is searchable, while later stages (near-duplicates) go on.
    #[serde(default)]
    pub searchable_s: f64,
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
    /// The OCR stage, run after the index was committed.
    #[serde(default)]
    pub ocr: OcrSummary,
    pub files_per_s: f64,
    pub mb_per_s: f64,
}

impl RunSummary {
    /// Count the problems by code (once, at the end of the run).
    pub(crate) fn count_codes(&mut self) {
        let mut counts: BTreeMap<(Severity, &'static str), u64> = BTreeMap::new();
        for p in self.errors.iter().chain(&self.warnings).chain(&self.notes) {
            *counts.entry((p.severity, p.code)).or_default() += 1;
        }
        self.counts = counts
            .into_iter()
            .map(|((severity, code), files)| CodeCount {
                code,
                severity,
                files,
            })
            .collect();
        self.counts
            .sort_by_key(|c| (c.severity, std::cmp::Reverse(c.files), c.code));
    }

    /// 0 when every file's content could be used, 2 when some could not (they are listed);
    /// warnings and notes do not change it.
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
    /// A path the walk could not read, or passed over on purpose.
    Problem(String, Problem),
    Skipped(String, Problem),
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
    outcome: std::result::Result<FileRead, ReadFailure>,
}

/// A file read and hashed.
#[derive(Debug)]
struct FileRead {
    blake3: String,
    /// None when the content was already catalogued (its facts are not read again).
    facts: Option<Facts>,
    /// Bytes read.
    bytes: u64,
}

impl From<Vec<JobResult>> for Msg {
    fn from(done: Vec<JobResult>) -> Msg {
        Msg::Done(done)
    }
}

/// Run `archive index` over the given roots.
pub fn run_index(cfg: &Config, opts: &IndexOptions) -> Result<RunSummary> {
    let started = Instant::now();
    let _only_run = RunLock::take(&cfg.archive_dir)?;
    // Loading the vocabulary (boundary outlines, matchers) takes ~40 ms of one core: it loads on
    // its own thread while the walk and the first reads go on, and is first needed to tag.
    let schema_loader = {
        let cfg = cfg.clone();
        std::thread::Builder::new()
            .name("schema".into())
            .spawn(move || cfg.schema())
            .map_err(|cause| Error::Thread {
                what: "a thread",
                cause,
            })?
    };
    let mut catalog = Catalog::open(&cfg.archive_dir)?;
    catalog.checkpoint_in_background();

    let roots = evidence_folders(&opts.roots)?;
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
    let readers = start_readers(cfg, &catalog, workers, job_rx, msg_tx.clone())?;
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
            Err(Error::Panicked {
                what: "loading the vocabulary",
            })
        })
        .and_then(|schema| {
            Ok((
                schema,
                catalog.start_run(if opts.verify { "verify" } else { "index" }, &root_names)?,
                check_tagger_version(&catalog)?,
            ))
        });
    let (schema, run_id, retag_reason) = match setup {
        Ok(v) => v,
        Err(e) => return Err(abandon(e, walker, msg_rx)),
    };
    let summary = RunSummary {
        run_id,
        retag_reason,
        ..Default::default()
    };
    let streamer = match stream::Streamer::start(&catalog, &schema, cfg, &roots, &root_ids) {
        Ok(s) => s,
        Err(e) => return Err(abandon(e, walker, msg_rx)),
    };
    if let Some(reason) = &summary.retag_reason {
        progress.println(reason);
    }

    let mut writer = Writer::new(
        &mut catalog,
        streamer,
        opts,
        &root_ids,
        &root_names,
        &progress,
        summary,
    );
    let written = msg_rx
        .iter()
        .try_for_each(|msg| writer.handle(msg))
        .and_then(|()| writer.finish());
    let (mut summary, streamer) = match written {
        Ok(v) => v,
        Err(e) => return Err(abandon(e, walker, msg_rx)),
    };
    walker.join();
    readers.finish();
    summary.read_s = started.elapsed().as_secs_f64();
    // The fast path ends here: the catalog and the search index are committed, so everything
    // read is searchable while the later stages run (and if they are interrupted).
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
    summary.searchable_s = started.elapsed().as_secs_f64();

    // Later stage: near-duplicates. Decoding photos costs far more than hashing them, so it
    // runs after the commit; the files whose flags it changes are retagged and re-indexed.
    let at = Instant::now();
    let lang = opts.lang;
    let mut scenes_settled = 0;
    if opts.skip_similar {
        summary.fingerprints_pending = catalog.photos_to_fingerprint_count(None)?;
    } else {
        let searchable = format!("{:.1}", summary.searchable_s);
        let settle_scenes = opts.ocr.mode == crate::ocr::Mode::Documents;
        let near = similar::run(&mut catalog, workers, settle_scenes, |n| {
            progress.println(&lang.fill(
                crate::i18n::Msg::SimilarSearchableFirst,
                &[("secs", &searchable)],
            ));
            progress.println(&lang.fill(
                crate::i18n::Msg::SimilarFingerprinting,
                &[("n", &n.to_string())],
            ))
        })?;
        summary.fingerprinted = near.fingerprinted;
        summary.fingerprints_need_heif_convert = near.waiting_for_tool;
        scenes_settled = near.scenes;
        if !near.changed.is_empty() {
            let retagged = stream::retag_near(&mut catalog, &schema, cfg, &near.changed)?;
            summary.retagged += retagged as u64;
            summary.index_updated += sync_index(&mut catalog, cfg, &schema)? as u64;
        }
    }
    summary.similar_s = at.elapsed().as_secs_f64();
    progress.finish();

    summary.ocr = ocr::stage(&mut catalog, cfg, &schema, opts, &mut summary.notes)?;
    summary.ocr.scenes += scenes_settled;
    report_unusable(&catalog, &root_names, opts.lang, &mut summary)?;
    catalog.checkpoint_in_foreground();
    let (present, missing) = catalog.counts()?;
    summary.present_total = present;
    summary.missing_total = missing;
    summary.elapsed_s = started.elapsed().as_secs_f64();
    let secs = summary.elapsed_s.max(1e-6);
    summary.files_per_s = summary.files_read as f64 / secs;
    summary.mb_per_s = summary.bytes_read as f64 / 1e6 / secs;
    summary.count_codes();
    catalog.end_run(run_id, &serde_json::to_value(&summary).unwrap_or_default())?;
    Ok(summary)
}

/// Every file under this run's roots whose content cannot be used is an error of the run,
/// whether it was read this time or found unchanged: the same evidence gives the same count
/// and the same exit status on every run. The lists are put in path order (the readers finish
/// in any order).
fn report_unusable(
    catalog: &Catalog,
    root_names: &[String],
    lang: Lang,
    summary: &mut RunSummary,
) -> Result<()> {
    let reported: rustc_hash::FxHashSet<String> =
        summary.errors.iter().map(|e| e.path.clone()).collect();
    for row in catalog.unusable_files()? {
        if !root_names.contains(&row.root) {
            continue;
        }
        let path = row.display_path();
        if reported.contains(&path) {
            continue;
        }
        let problem = row
            .problems()
            .find(|p| p.is_error())
            .cloned()
            .unwrap_or_else(|| Problem::new(crate::problem::Code::ReadFailed));
        summary.errors.push(FileProblem::new(path, &problem, lang));
    }
    for list in [
        &mut summary.errors,
        &mut summary.warnings,
        &mut summary.notes,
    ] {
        list.sort_by(|a, b| a.path.cmp(&b.path).then(a.code.cmp(b.code)));
    }
    Ok(())
}

/// The evidence folders given, made absolute; each must be a folder.
fn evidence_folders(given: &[PathBuf]) -> Result<Vec<PathBuf>> {
    given
        .iter()
        .map(|r| {
            let abs = crate::platform::canonicalize(r).map_err(|cause| Error::EvidenceFolder {
                path: r.clone(),
                cause,
            })?;
            if !abs.is_dir() {
                return Err(Error::NotAFolder { path: r.clone() });
            }
            Ok(abs)
        })
        .collect()
}

/// Start the reading stage: `workers` threads that read, hash and extract the queued files,
/// each extraction watched for the time budget; a file given up on is answered with what was
/// known of it (its hash, when it got that far).
fn start_readers(
    cfg: &Config,
    catalog: &Catalog,
    workers: usize,
    job_rx: crossbeam_channel::Receiver<Vec<Job>>,
    msg_tx: crossbeam_channel::Sender<Msg>,
) -> Result<workers::Workers> {
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
                None => Err(ReadFailure::Abandoned(why)),
                Some(h) => {
                    let facts = Facts {
                        media: Some(h.media),
                        mime: h.mime.to_string(),
                        problems: vec![why.problem()],
                        ..Facts::default()
                    };
                    Ok(FileRead {
                        blake3: h.blake3,
                        facts: Some(facts),
                        bytes: h.size,
                    })
                }
            },
        });
    workers::start(
        workers,
        cfg.limits.time_budget,
        job_rx,
        msg_tx,
        make,
        fallback,
    )
    .map_err(|cause| Error::Thread {
        what: "reader threads",
        cause,
    })
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
                        let known = snapshot.remove(&*entry.rel_bytes());
                        let same = known.as_ref().is_some_and(|k| {
                            k.size == entry.size
                                && k.mtime_ns == entry.mtime_ns
                                && k.inode == entry.inode
                                && k.status == Status::Present
                                && k.blake3.is_some()
                                && !k.stale_facts
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
                        let path = walk::display_path(p.path.as_os_str());
                        let _ = msg_tx.send(Msg::Problem(path, p.problem));
                    }
                    Walked::Skipped(p) => {
                        let path = walk::display_path(p.path.as_os_str());
                        let _ = msg_tx.send(Msg::Skipped(path, p.problem));
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
            .map_err(|cause| Error::Thread {
                what: "the walker thread",
                cause,
            })
    }

    fn join(self) {
        if let Err(panic) = self.0.join() {
            std::panic::resume_unwind(panic);
        }
    }
}

/// Read, hash and (unless the content is already catalogued) extract one file, telling the
/// watchdog the hash before extracting.
fn read_one(
    entry: &FileEntry,
    in_memory_max: u64,
    limits: &extract::Limits,
    known_blob: &mut dyn FnMut(&str) -> bool,
    tell: &dyn Fn(Option<Hashed>),
) -> std::result::Result<FileRead, ReadFailure> {
    let name = entry
        .path
        .file_name()
        .map(walk::display_path)
        .unwrap_or_default();
    let hashed = hash::read_and_hash(entry, in_memory_max)?;
    let size = entry.size;
    if known_blob(&hashed.blake3) {
        return Ok(FileRead {
            blake3: hashed.blake3,
            facts: None,
            bytes: size,
        });
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
    Ok(FileRead {
        blake3: hashed.blake3,
        facts: Some(facts),
        bytes: size,
    })
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
    let _only_run = RunLock::take(&cfg.archive_dir)?;
    let schema = cfg.schema()?;
    let mut catalog = Catalog::open_existing(&cfg.archive_dir)?;
    let dir = cfg.index_dir();
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    }
    catalog.mark_all_stale()?;
    sync_index(&mut catalog, cfg, &schema)
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
        assert!(matches!(err, ReadFailure::Changed), "{err}");
        assert!(err.is_transient());
        assert!(
            err.to_string().starts_with("changed while being read"),
            "{err}"
        );

        std::fs::remove_file(&path).unwrap();
        let err = read_one(&entry, 1 << 20, &limits, &mut none, &|_| {}).unwrap_err();
        assert!(matches!(err, ReadFailure::Vanished), "{err}");
        assert!(err.is_transient());
        assert!(err.to_string().starts_with("vanished"), "{err}");
    }
}
