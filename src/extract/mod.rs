//! Stage 3: extract. Turns a file's bytes into [`Facts`]: media type, capture time, place,
//! camera, duration, document text.
//!
//! Every extractor is untrusted-input code: it runs under [`guard`] (panic isolation, a time
//! budget) and returns partial facts plus errors rather than failing the walk. Each outside
//! parsing crate lives in exactly one submodule.

pub mod dates;
pub mod document;
pub mod photo;
pub mod sniff;
pub mod video;

#[cfg(test)]
mod date_corpus;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::problem::{Code, Problem};
use crate::record::{Camera, Gps, Media};

/// Limits and defaults every extractor honours.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Zone assumed for camera times that carry no offset (EXIF before 2.31 has none).
    pub default_offset: FixedOffset,
    /// Document text kept per file (bytes of UTF-8); the rest is cut and the cut recorded.
    pub text_cap: usize,
    /// Wall time one file's extraction may take before it is abandoned with an error.
    pub time_budget: Duration,
    /// Zip containers (DOCX/XLSX/PPTX): refuse when the entries would inflate past this.
    pub zip_max_uncompressed: u64,
    /// Zip containers: refuse when they hold more entries than this.
    pub zip_max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            default_offset: FixedOffset::east_opt(8 * 3600).unwrap(),
            text_cap: 2 * 1024 * 1024,
            time_budget: Duration::from_secs(20),
            zip_max_uncompressed: 512 * 1024 * 1024,
            zip_max_entries: 20_000,
        }
    }
}

/// A manifest row found in a submission list (材料清单.xlsx): which file, which indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestRow {
    /// The file name or relative path as written in the list.
    pub file: String,
    /// The indicator as written: a code (B4.1) or a name.
    pub indicator: String,
    /// Where in the list: "Sheet1!3" or "line 3".
    pub at: String,
}

/// Everything read from one file's content. Stored in the catalog per blob (as JSON) so that
/// tagging and re-indexing never need to read the evidence again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub media: Option<Media>,
    pub mime: String,
    #[serde(serialize_with = "rfc3339::serialize")]
    pub captured_at: Option<DateTime<FixedOffset>>,
    /// Which tag of the media's own metadata gave `captured_at`, from a small fixed vocabulary:
    /// `exif:DateTimeOriginal`, `xmp:DateTimeOriginal`, `xmp:DateCreated`, `iptc:DateCreated`,
    /// `exif:CreateDate`, `xmp:CreateDate`, `apple:creationdate`, `quicktime:DateTimeOriginal`,
    /// `quicktime:CreateDate`, `riff:IDIT`, `riff:ICRD`, `matroska:DateUTC`, `h264:DateTimeOriginal`,
    /// and, as the last resort, `exif:ModifyDate` (the last-modified time, weaker). Never a
    /// document's date.
    pub captured_at_source: Option<String>,
    /// A second capture time the container states, shown beside the first when they differ:
    /// QuickTime's CreateDate (`mvhd`, UTC) when Apple's `creationdate` key was taken.
    #[serde(
        default,
        serialize_with = "rfc3339::serialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub captured_at_alt: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_at_alt_source: Option<String>,
    /// A photo's or video's EXIF DateTime (ModifyDate): compared with the capture time.
    /// A document's modified date is `doc_modified`.
    #[serde(serialize_with = "rfc3339::serialize")]
    pub modified_at: Option<DateTime<FixedOffset>>,
    pub gps: Option<Gps>,
    pub camera: Option<Camera>,
    pub software: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub orientation: Option<u16>,
    pub duration_s: Option<f64>,
    pub pages: Option<u32>,
    pub title: Option<String>,
    pub author: Option<String>,
    /// When the document says it was written (PDF CreationDate, Office dcterms:created…).
    #[serde(serialize_with = "rfc3339::serialize")]
    pub doc_created: Option<DateTime<FixedOffset>>,
    /// When the document says it was last saved.
    #[serde(
        default,
        serialize_with = "rfc3339::serialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub doc_modified: Option<DateTime<FixedOffset>>,
    /// Full extracted text (capped at `Limits::text_cap`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The first few hundred characters of `text`, kept with the facts in the catalog (the full
    /// text lives beside them, for the index only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// Why there is no text or that it was cut ("cut at 2097152 bytes", "not extracted: legacy .doc").
    pub text_status: Option<String>,
    /// Rows of a submission manifest, when this file is one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub manifest_rows: Vec<ManifestRow>,
    /// What the photo's container says about the program that wrote it (quantization tables,
    /// XMP tools, Photoshop resources, AIGC label, C2PA): read by the authenticity checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traces: Option<photo::traces::Traces>,
    /// How the EXIF thumbnail agrees with the picture (correlation of their detail, up to 1),
    /// when the photo has one that decodes: set by `archive index`'s fingerprint step, which
    /// decodes the picture anyway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exif_thumb_similarity: Option<f32>,
    /// How the content's text was recognised (OCR), merged in from the catalog's `ocr` table
    /// when a row is read; never part of what an extractor writes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr: Option<crate::record::OcrInfo>,
    /// The recognised text itself, set only where a row is read for its search document or
    /// its tags (it can be long).
    #[serde(skip)]
    pub ocr_text: Option<String>,
    /// Problems met while reading, each with its code and severity; the file is still
    /// catalogued. Older catalogs stored sentences under `errors`: they read back as legacy.
    #[serde(default, alias = "errors")]
    pub problems: Vec<Problem>,
}

/// Times as RFC 3339 text handed to the serializer in one piece. chrono's own `Serialize`
/// gives serde_json a `Display` that writes a piece at a time, each escaped on its own: 1.5 %
/// of the instructions of indexing 5,000 photos. The text is the same (test below).
mod rfc3339 {
    use chrono::{DateTime, FixedOffset};

    pub fn serialize<S: serde::Serializer>(
        t: &Option<DateTime<FixedOffset>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            None => s.serialize_none(),
        }
    }

    #[cfg(test)]
    #[test]
    fn the_same_text_as_chronos_own() {
        for text in [
            "2020-08-02T16:12:00+08:00",
            "2017-03-15T15:18:00.250+08:00",
            "2019-01-01T00:00:00+00:00",
            "2021-06-30T23:59:59.123456789-05:30",
        ] {
            let t = DateTime::parse_from_rfc3339(text).unwrap();
            let mut ours = Vec::new();
            serialize(&Some(t), &mut serde_json::Serializer::new(&mut ours)).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                serde_json::to_string(&t).unwrap(),
                "{text}"
            );
        }
        let mut none = Vec::new();
        serialize(&None, &mut serde_json::Serializer::new(&mut none)).unwrap();
        assert_eq!(none, b"null");
    }
}

impl Facts {
    /// Each problem's sentence in English, for tests and diagnostics.
    pub fn problem_texts(&self) -> Vec<String> {
        self.problems
            .iter()
            .map(|p| format!("{}: {}", p.code.as_str(), p.reason(crate::i18n::Lang::En)))
            .collect()
    }

    /// Whether any problem makes the content unusable.
    pub fn has_error(&self) -> bool {
        self.problems.iter().any(|p| p.is_error())
    }

    pub fn media(&self) -> Media {
        self.media.unwrap_or(Media::Other)
    }

    /// Keep at most `cap` bytes of text, on a char boundary, and record the cut.
    pub fn set_text(&mut self, mut text: String, cap: usize) {
        if text.len() > cap {
            let mut end = cap;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let total = text.len();
            text.truncate(end);
            self.text_status = Some(format!("text cut at {end} of {total} bytes (cap {cap})"));
            self.problems.push(
                Problem::new(Code::TextCut)
                    .with("kept", end)
                    .with("total", total)
                    .with("cap", cap),
            );
        }
        let trimmed = text.trim();
        if !trimmed.is_empty() {
            self.text = Some(if trimmed.len() == text.len() {
                text
            } else {
                trimmed.to_string()
            });
        }
    }
}

/// Media type and MIME type of a whole file's content (`name` for the extension fallback).
pub fn identify(data: &[u8], name: &str) -> (Media, &'static str) {
    let (media, mut mime) = sniff::sniff(data, name);
    // Sniffing sees only the first zip entries; the package's main part names the real format
    // (a deck with an embedded workbook starts with `xl/` entries).
    if media == Media::Document && data.starts_with(b"PK\x03\x04") {
        mime = match document::kind_of(name, mime, data) {
            document::DocKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            document::DocKind::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            document::DocKind::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            _ => mime,
        };
    }
    (media, mime)
}

/// Read the facts of one file whose whole content is in `data` (small and medium files).
/// `name` is the file name, used for the extension fallback and for manifests.
pub fn extract_bytes(name: &str, data: Arc<Vec<u8>>, limits: &Limits) -> Facts {
    let kind = identify(&data, name);
    extract_identified(name, data, kind, limits)
}

/// [`extract_bytes`] for content already identified by [`identify`].
pub fn extract_identified(
    name: &str,
    data: Arc<Vec<u8>>,
    (media, mime): (Media, &'static str),
    limits: &Limits,
) -> Facts {
    let mut facts = Facts {
        media: Some(media),
        mime: mime.to_string(),
        ..Facts::default()
    };
    if data.is_empty() {
        facts.problems.push(Problem::new(Code::EmptyFile));
        return facts;
    }
    let owned_name = name.to_string();
    let result = guard(limits.time_budget, {
        let limits = limits.clone();
        let mime = mime.to_string();
        // The guarded closure may outlive this call on timeout, so it owns its inputs.
        move || {
            let mut f = Facts::default();
            match media {
                Media::Photo => photo::extract(&data, &limits, &mut f),
                Media::Video => video::extract_shared(data.clone(), &limits, &mut f),
                Media::Document => document::extract(&owned_name, &mime, &data, &limits, &mut f),
                Media::Other => {}
            }
            f
        }
    });
    merge(&mut facts, result);
    facts
}

/// Read the facts of a file too large to hold in memory (long videos): only formats whose
/// metadata can be read from a seekable file are handled; the rest are catalogued without it.
pub fn extract_large(path: &Path, name: &str, head: &[u8], limits: &Limits) -> Facts {
    extract_large_identified(path, sniff::sniff(head, name), limits)
}

/// [`extract_large`] for a file whose head is already sniffed.
pub fn extract_large_identified(
    path: &Path,
    (media, mime): (Media, &'static str),
    limits: &Limits,
) -> Facts {
    let mut facts = Facts {
        media: Some(media),
        mime: mime.to_string(),
        ..Facts::default()
    };
    match media {
        Media::Video => {
            let path = path.to_path_buf();
            let limits2 = limits.clone();
            let result = guard(limits.time_budget, move || {
                let mut f = Facts::default();
                video::extract_file(&path, &limits2, &mut f);
                f
            });
            merge(&mut facts, result);
        }
        Media::Photo | Media::Document => {
            facts.text_status = Some("too large to extract metadata or text; hashed only".into());
        }
        Media::Other => {}
    }
    facts
}

fn merge(facts: &mut Facts, result: Result<Facts, ExtractFailure>) {
    match result {
        Ok(f) => {
            let media = facts.media;
            let mime = std::mem::take(&mut facts.mime);
            let mut problems = std::mem::take(&mut facts.problems);
            problems.extend(f.problems.iter().cloned());
            *facts = f;
            facts.media = media;
            facts.mime = mime;
            facts.problems = problems;
        }
        Err(e) => facts.problems.push(e.problem()),
    }
}

/// Run an extractor with panic isolation and a wall-time budget. On timeout the worker thread
/// is abandoned (Rust cannot kill a thread); it finishes or dies on its own, the run goes on.
///
/// The extractor runs on a helper thread kept per calling thread and reused while it answers
/// in time: spawning a thread per file cost more than reading a small photo's EXIF.
pub fn guard<T: Send + 'static>(
    budget: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ExtractFailure> {
    if let Some(watch) = WATCH.with(|w| w.borrow().clone()) {
        return watched(&watch, f);
    }
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let mut task: Task = Box::new(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = tx.send(r);
    });
    let helper = loop {
        let helper = match HELPER.with(|h| h.borrow_mut().take()) {
            Some(h) => h,
            None => match Helper::spawn() {
                Ok(h) => h,
                Err(e) => return Err(ExtractFailure::NoThread(e.to_string())),
            },
        };
        // A helper whose thread is gone hands the task back; try a fresh one.
        match helper.tx.send(task) {
            Ok(()) => break helper,
            Err(std::sync::mpsc::SendError(t)) => task = t,
        }
    };
    let answer = rx.recv_timeout(budget);
    if answer.is_ok() {
        // Only a helper that answered is idle and may take the next file.
        HELPER.with(|h| *h.borrow_mut() = Some(helper));
    }
    match answer {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(panic)) => Err(panic_message(panic)),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(ExtractFailure::OverBudget(budget)),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(ExtractFailure::NoAnswer),
    }
}

/// Extraction on a watched thread runs inline: the index run's worker threads do the
/// extraction themselves and a watchdog abandons a worker that overruns its budget (the
/// pipeline's `workers` module). Handing every file to a helper thread and back cost two
/// thread wake-ups a file, more than reading a small photo's EXIF.
pub struct Watch {
    state: std::sync::atomic::AtomicU8,
    /// When the current extraction began, in ns since [`epoch`].
    since: std::sync::atomic::AtomicU64,
}

const IDLE: u8 = 0;
const BUSY: u8 = 1;
const ABANDONED: u8 = 2;

fn epoch() -> Instant {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

impl Default for Watch {
    fn default() -> Self {
        Watch {
            state: IDLE.into(),
            since: 0.into(),
        }
    }
}

impl Watch {
    /// Let extraction on the calling thread run inline under this watch (None: back to helper
    /// threads).
    pub fn install(watch: Option<Arc<Watch>>) {
        WATCH.with(|w| *w.borrow_mut() = watch);
    }

    fn begin(&self) {
        use std::sync::atomic::Ordering;
        self.since
            .store(epoch().elapsed().as_nanos() as u64, Ordering::Relaxed);
        let _ = self
            .state
            .compare_exchange(IDLE, BUSY, Ordering::AcqRel, Ordering::Acquire);
    }

    /// False when the watchdog abandoned this extraction meanwhile.
    fn end(&self) -> bool {
        use std::sync::atomic::Ordering;
        self.state
            .compare_exchange(BUSY, IDLE, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Whether the thread was given up on; it must then stop without reporting.
    pub fn abandoned(&self) -> bool {
        self.state.load(std::sync::atomic::Ordering::Acquire) == ABANDONED
    }

    /// The watchdog's check: give up on an extraction that has run longer than `budget`.
    /// True exactly once, for the caller that gave up on it.
    pub fn abandon_if_over(&self, budget: Duration) -> bool {
        use std::sync::atomic::Ordering;
        if self.state.load(Ordering::Acquire) != BUSY {
            return false;
        }
        let since = Duration::from_nanos(self.since.load(Ordering::Relaxed));
        if epoch().elapsed().saturating_sub(since) <= budget {
            return false;
        }
        self.state
            .compare_exchange(BUSY, ABANDONED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }
}

thread_local! {
    static WATCH: std::cell::RefCell<Option<Arc<Watch>>> = const { std::cell::RefCell::new(None) };
}

/// Why an extraction gave no facts. The text is what the file's record says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractFailure {
    /// The extractor panicked (the panic's message).
    #[error("extractor crashed on this file ({0}); metadata not read")]
    Crashed(String),
    /// The extraction ran past the time budget and was abandoned.
    #[error("extraction took longer than {} s and was abandoned", .0.as_secs())]
    OverBudget(Duration),
    /// The watchdog gave up on the watched thread while it extracted (its result is dropped).
    #[error("abandoned by the watchdog")]
    Abandoned,
    #[error("could not start extractor thread: {0}")]
    NoThread(String),
    #[error("extractor stopped without an answer")]
    NoAnswer,
}

impl ExtractFailure {
    /// The failure as the problem its file is catalogued with.
    pub fn problem(&self) -> Problem {
        match self {
            ExtractFailure::OverBudget(d) => {
                Problem::new(Code::ExtractTimeout).with("seconds", d.as_secs())
            }
            other => Problem::detail(Code::ExtractCrashed, other),
        }
    }
}

fn watched<T>(watch: &Watch, f: impl FnOnce() -> T) -> Result<T, ExtractFailure> {
    watch.begin();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    if !watch.end() {
        return Err(ExtractFailure::Abandoned);
    }
    r.map_err(panic_message)
}

/// A panic caught around an extractor, as the failure its file is catalogued with.
pub(crate) fn panic_message(panic: Box<dyn std::any::Any + Send>) -> ExtractFailure {
    let msg = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    ExtractFailure::Crashed(msg)
}

type Task = Box<dyn FnOnce() + Send + 'static>;

/// A reusable extractor thread. Dropping it closes its queue; the thread then ends once its
/// current task (possibly a stuck one) returns.
struct Helper {
    tx: std::sync::mpsc::Sender<Task>,
}

impl Helper {
    fn spawn() -> std::io::Result<Helper> {
        let (tx, rx) = std::sync::mpsc::channel::<Task>();
        std::thread::Builder::new()
            .name("extract".into())
            .spawn(move || {
                for task in rx {
                    task();
                }
            })?;
        Ok(Helper { tx })
    }
}

thread_local! {
    static HELPER: std::cell::RefCell<Option<Helper>> = const { std::cell::RefCell::new(None) };
}

#[cfg(test)]
mod guard_tests {
    use super::*;

    #[test]
    fn guard_reuses_its_thread_survives_panics_and_abandons_slow_work() {
        let id = || std::thread::current().id();
        let first = guard(Duration::from_secs(5), id).unwrap();
        assert_ne!(
            first,
            std::thread::current().id(),
            "the extractor runs off the caller's thread"
        );
        assert_eq!(
            guard(Duration::from_secs(5), id).unwrap(),
            first,
            "an idle helper is reused"
        );

        let crashed = guard(Duration::from_secs(5), || -> u8 { panic!("bad EXIF") }).unwrap_err();
        assert_eq!(crashed, ExtractFailure::Crashed("bad EXIF".into()));
        assert!(crashed.to_string().contains("bad EXIF"), "{crashed}");
        assert_eq!(
            guard(Duration::from_secs(5), id).unwrap(),
            first,
            "a panic does not kill the helper"
        );

        let slow = guard(Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_secs(2))
        })
        .unwrap_err();
        assert_eq!(slow, ExtractFailure::OverBudget(Duration::from_millis(50)));
        assert!(slow.to_string().contains("abandoned"), "{slow}");
        let after = guard(Duration::from_secs(5), id).unwrap();
        assert_ne!(
            after, first,
            "a helper stuck on a file is not given the next one"
        );
        assert_eq!(guard(Duration::from_secs(5), || 7).unwrap(), 7);
    }
}
