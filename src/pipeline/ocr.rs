//! The OCR stage: after an index run has committed the catalog and the search index (so
//! everything else is searchable already), read the text of image-only PDFs and of photos
//! that look like documents, and make it searchable batch by batch. `archive ocr` runs only
//! this stage.
//!
//! The queue is the catalog's (`Catalog::ocr_queue`: contents without a current `ocr` row), so
//! a run killed or stopped by its budget is resumed by the next one, and a content is read once
//! however many copies of it there are. Results go to the catalog in batches, each marking its
//! files stale; the index is swept and committed at most every [`COMMIT_EVERY`], so text
//! becomes searchable while the stage runs. Without an engine nothing fails: every queued
//! file gets a note "OCR not available", and the queue stays for a run that has one.

use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;

use super::{sync_index, FileProblem, RunLock};
use crate::catalog::{Catalog, OcrOutcome, ToRead};
use crate::config::Config;
use crate::i18n::{Lang, Msg};
use crate::ocr::{self, looks, Mode, Tesseract};
use crate::problem::{Code, Problem};
use crate::record::OcrInfo;
use crate::schema::Schema;
use crate::Result;

/// The index is committed at most this often while the stage runs (and once at its end).
const COMMIT_EVERY: Duration = Duration::from_secs(10);
/// Photos larger than this are not read (no phone photo comes near it).
const MAX_PHOTO_BYTES: u64 = 64 * 1024 * 1024;

/// How the stage runs (`[ocr]` in config.toml, `--ocr`, `--ocr-budget`).
#[derive(Debug, Clone, Default)]
pub struct OcrOptions {
    pub mode: Mode,
    /// Stop starting new files after this long; the rest wait for the next run.
    pub budget: Option<Duration>,
    /// The engine (and the page renderer) is stopped after this long on one page.
    pub page_limit: Duration,
    /// Pages read at once (0 = one per core).
    pub threads: usize,
    /// The engine's languages, `+`-joined (`[ocr] languages`; default `chi_sim+HanS`).
    pub languages: String,
}

/// What the stage did, in the run's summary (`ocr`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct OcrSummary {
    pub mode: Mode,
    /// The engine used, e.g. "tesseract 5.3.0 (chi_sim+HanS)"; none when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// Contents waiting when the stage started.
    pub queued: u64,
    /// Contents whose text was read this run, and their pages.
    pub read: u64,
    pub pages: u64,
    /// Photos the document test passed over.
    pub scenes: u64,
    /// Contents the engine gave up on (every page over its limit or failing).
    pub failed: u64,
    /// Left for the next run by the budget.
    pub pending: u64,
    /// Queued files not read because no engine (or no page renderer, for PDFs) is installed.
    pub unavailable: u64,
    /// Seconds the stage took, and of those the seconds spent in the engine and renderer.
    pub seconds: f64,
    pub engine_seconds: f64,
}

/// The stage inside `archive index`, after the index commit.
/// Meta key: the OCR version and mode with which the queue was last found empty.
pub(super) const COMPLETE_KEY: &str = "ocr_complete";

pub(super) fn stage(
    catalog: &mut Catalog,
    cfg: &Config,
    schema: &Schema,
    run: &super::IndexOptions,
    notes: &mut Vec<FileProblem>,
) -> Result<OcrSummary> {
    // The run's progress bar is finished by now: the stage says how far it got on lines of
    // its own, on a terminal only.
    let announce = |l: &str| {
        if run.progress {
            eprintln!("{l}");
        }
    };
    run_queue(catalog, cfg, schema, &run.ocr, &announce, run.lang, notes)
}

/// `archive ocr`: the stage alone, on the archive as it is.
pub fn run_ocr(
    cfg: &Config,
    opts: &OcrOptions,
    lang: Lang,
) -> Result<(OcrSummary, Vec<FileProblem>)> {
    let _only_run = RunLock::take(&cfg.archive_dir)?;
    let schema = cfg.schema()?;
    let mut catalog = Catalog::open_existing(&cfg.archive_dir)?;
    let mut notes = Vec::new();
    let announce = |l: &str| eprintln!("{l}");
    let s = run_queue(
        &mut catalog,
        cfg,
        &schema,
        opts,
        &announce,
        lang,
        &mut notes,
    )?;
    Ok((s, notes))
}

fn run_queue(
    catalog: &mut Catalog,
    cfg: &Config,
    schema: &Schema,
    opts: &OcrOptions,
    announce: &dyn Fn(&str),
    lang: Lang,
    notes: &mut Vec<FileProblem>,
) -> Result<OcrSummary> {
    let started = Instant::now();
    let mut s = OcrSummary {
        mode: opts.mode,
        ..Default::default()
    };
    if opts.mode == Mode::Off {
        return Ok(s);
    }
    // The queue is a join over every content; an unchanged re-index of 100,000 files spent
    // more on it than on the walk. A run that found it empty says so in meta, and the first
    // catalog change of a later run clears that (`tags::invalidate_tags`).
    let complete = format!(
        "{}|{:?}|{}",
        ocr::OCR_VERSION,
        opts.mode,
        crate::catalog::OCR_PHOTO_TYPES.join(" ")
    );
    if catalog.meta(COMPLETE_KEY)?.as_deref() == Some(complete.as_str()) {
        return Ok(s);
    }
    let queue = catalog.ocr_queue(opts.mode == Mode::All, ocr::MIN_TEXT_PER_PAGE)?;
    s.queued = queue.len() as u64;
    if queue.is_empty() {
        catalog.set_meta(COMPLETE_KEY, &complete)?;
        return Ok(s);
    }
    // Without an engine the document test still runs (it needs none): scenes are settled for
    // good, and only what would have been read gets the note.
    let engine = ocr::tesseract::find(&opts.languages).map_err(|missing| match missing {
        ocr::Missing::NoProgram => Msg::OcrWhyNoEngine,
        ocr::Missing::NoChinese => Msg::OcrWhyNoChinese,
    });
    if let Ok(e) = &engine {
        s.engine = Some(format!("{} ({})", e.version, e.languages));
        announce(&lang.fill(Msg::OcrReading, &[("n", &queue.len())]));
    }
    let renderer = ocr::pdf::renderer();
    let tools = Tools {
        engine: engine.as_ref().map_err(|m| *m),
        renderer: renderer.as_deref(),
        mode: opts.mode,
        page_limit: opts.page_limit.max(Duration::from_secs(1)),
    };
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    } else {
        opts.threads
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("ocr-{i}"))
        .build()
        .map_err(|e| crate::Error::Thread {
            what: "OCR threads",
            cause: std::io::Error::other(e),
        })?;
    let mut last_commit = Instant::now();
    let mut uncommitted = false;
    let mut done = 0usize;
    for chunk in queue.chunks(threads * 2) {
        if opts.budget.is_some_and(|b| started.elapsed() >= b) {
            s.pending = (queue.len() - done) as u64;
            break;
        }
        let decided: Vec<Decision> =
            pool.install(|| chunk.par_iter().map(|t| tools.decide(t)).collect());
        let mut batch = Vec::with_capacity(decided.len());
        for (t, d) in chunk.iter().zip(decided) {
            let (outcome, secs) = match d {
                Decision::Done(outcome, secs) => (outcome, secs),
                Decision::Unavailable(why) => {
                    let p = Problem::new(Code::OcrUnavailable).with("why", lang.t(why));
                    let path = crate::walk::display_path(t.path.as_os_str());
                    notes.push(FileProblem::new(path, &p, lang));
                    s.unavailable += 1;
                    continue;
                }
                Decision::Later => continue,
            };
            s.engine_seconds += secs;
            match &outcome {
                OcrOutcome::Read { info, .. } => {
                    s.read += 1;
                    s.pages += u64::from(info.pages);
                }
                OcrOutcome::Scene => s.scenes += 1,
                OcrOutcome::Failed(_) => s.failed += 1,
            }
            batch.push((t.blake3.clone(), outcome));
        }
        uncommitted |= !catalog.write_ocr(&batch)?.is_empty();
        done += chunk.len();
        if uncommitted && last_commit.elapsed() >= COMMIT_EVERY {
            sync_index(catalog, cfg, schema)?;
            last_commit = Instant::now();
            uncommitted = false;
            announce(&lang.fill(Msg::OcrBatch, &[("done", &done), ("total", &queue.len())]));
        }
    }
    if s.read > 0 {
        // Keywords in the recognised text tag like document text: one retag from the catalog
        // (cross-file flags need every file), then the index takes the changed tags.
        super::tags::retag_changed(catalog, schema, cfg)?;
        uncommitted = true;
    }
    if uncommitted {
        sync_index(catalog, cfg, schema)?;
    }
    s.seconds = started.elapsed().as_secs_f64();
    Ok(s)
}

/// What the stage reads with, and how.
struct Tools<'a> {
    /// The engine, or why there is none.
    engine: std::result::Result<&'a Tesseract, Msg>,
    renderer: Option<&'a std::path::Path>,
    mode: Mode,
    page_limit: Duration,
}

/// What became of one queued content.
enum Decision {
    /// Stored: read (with the seconds it took), a scene, or failed.
    Done(OcrOutcome, f64),
    /// Would be read, but a tool is missing: a note, nothing stored (the next run tries again).
    Unavailable(Msg),
    /// Could not be opened now (gone since the walk): nothing stored, the next run sees it.
    Later,
}

impl Tools<'_> {
    fn decide(&self, t: &ToRead) -> Decision {
        if t.pdf {
            let engine = match self.engine {
                Ok(e) => e,
                Err(why) => return Decision::Unavailable(why),
            };
            let Some(pdftoppm) = self.renderer else {
                return Decision::Unavailable(Msg::OcrWhyNoRenderer);
            };
            return done(
                engine,
                ocr::read_pdf(engine, pdftoppm, &t.path, t.pages, self.page_limit),
            );
        }
        // Read and decoded once: the document test and the engine's picture are made from the
        // same picture. A HEIC (an iPhone's photo of a page) through libheif, which reads the
        // file itself: a JPEG turned as the container says, so EXIF orientation no longer
        // applies.
        let tiff = t.mime == "image/tiff";
        let (bytes, orientation) = if crate::thumb::tools::HEIF_MIMES.contains(&t.mime.as_str()) {
            match crate::thumb::tools::heif_to_jpeg(&t.path) {
                Ok(jpeg) => (jpeg, None),
                Err(crate::thumb::RenderError::Missing(_)) => {
                    return Decision::Unavailable(Msg::OcrWhyNoHeif)
                }
                Err(e) => return Decision::Done(OcrOutcome::Failed(e.to_string()), 0.0),
            }
        } else {
            match read_photo_file(&t.path) {
                Ok(b) => (b, t.orientation),
                Err(d) => return d,
            }
        };
        let picture = ocr::photo::decode(&bytes).ok();
        if self.mode == Mode::Documents {
            let document = match &picture {
                Some(g) => looks::of_decoded(g, orientation).document,
                // A TIFF the decoders here refuse is most often a fax server's (CCITT Group
                // 3, which libtiff, the engine's reader, decodes): read as stored.
                None => tiff,
            };
            if !document {
                return Decision::Done(OcrOutcome::Scene, 0.0);
            }
        }
        let engine = match self.engine {
            Ok(e) => e,
            Err(why) => return Decision::Unavailable(why),
        };
        // Several pages in one TIFF: tested by its first, read whole by the engine.
        let pages = if tiff { ocr::tiff_pages(&bytes) } else { 1 };
        if pages > 1 {
            return done(
                engine,
                ocr::read_tiff_pages(engine, &t.path, pages, self.page_limit),
            );
        }
        drop(bytes);
        done(
            engine,
            ocr::read_photo(engine, &t.path, picture, orientation, self.page_limit),
        )
    }
}

/// A photo's bytes, or what becomes of it: failed when larger than any photo, later when it
/// cannot be read now (gone since the walk).
fn read_photo_file(path: &std::path::Path) -> std::result::Result<Vec<u8>, Decision> {
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_PHOTO_BYTES => {
            let why = format!("{} bytes is larger than any photo", m.len());
            Err(Decision::Done(OcrOutcome::Failed(why), 0.0))
        }
        Ok(_) => std::fs::read(path).map_err(|_| Decision::Later),
        Err(_) => Err(Decision::Later),
    }
}

/// A reading as the outcome stored: failed when no page could be read.
fn done(engine: &Tesseract, reading: ocr::Reading) -> Decision {
    let secs = reading.seconds;
    if reading.failed.len() == reading.pages.len() {
        let why = reading
            .failed
            .first()
            .map(|(p, w)| format!("page {p}: {w}"))
            .unwrap_or_default();
        return Decision::Done(OcrOutcome::Failed(why), secs);
    }
    let info = OcrInfo {
        engine: engine.version.clone(),
        language: engine.languages.clone(),
        pages: reading.pages.len() as u32,
        mean_confidence: (reading.mean_confidence * 10.0).round() / 10.0,
        seconds: (reading.seconds * 100.0).round() / 100.0,
    };
    Decision::Done(
        OcrOutcome::Read {
            text: reading.text(),
            info,
        },
        secs,
    )
}
