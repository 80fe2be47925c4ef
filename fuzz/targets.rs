//! The fuzz targets: one function per untrusted-input entry point, shared by the cargo-fuzz
//! binaries (`fuzz/fuzz_targets/`, nightly + libFuzzer), the stable mutation driver
//! (`fuzz/stable.rs`) and the regression test that replays every input kept under
//! `fuzz/regressions/` (`tests/it/fuzz.rs`). [`TARGETS`] is the one list of targets.
//!
//! Each target calls the extractor the way the pipeline does, but *without* the pipeline's
//! panic guard where one exists, so a panic reaches the fuzzer as a crash instead of being
//! turned into a per-file error. Where the entry point is `extract_bytes` (which guards),
//! the guard's "crashed" and "abandoned" messages are raised as panics for the same reason.

#![allow(dead_code)]

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use archive::extract::{self, Facts, Limits};
use archive::index::SearchIndex;
use archive::search::{self, LiteralFacets, SearchRequest, Sort};

/// One fuzz target: an untrusted-input entry point and what seeds it.
pub struct Target {
    /// The name on the command line, of the cargo-fuzz binary and of the seed, artifact and
    /// regression folders.
    pub name: &'static str,
    /// File extensions of seed files for it in a seed folder (the dev corpus).
    pub extensions: &'static [&'static str],
    /// Runs the input; panics on a finding, returns a short description of what the input did
    /// (for the stable driver's crude novelty feedback).
    pub run: fn(&[u8]) -> String,
}

/// THE list of fuzz targets. The stable driver, `fuzz/run.sh` (through the driver's `--list`
/// or `cargo fuzz list`) and the regression replay read it; cargo-fuzz needs one `[[bin]]` and
/// one `fuzz_targets/NAME.rs` per target, and `tests/it/fuzz.rs` fails until those match it.
pub const TARGETS: &[Target] = &[
    Target {
        name: "photo",
        extensions: &[
            "jpg", "jpeg", "tif", "tiff", "heic", "heif", "avif", "png", "webp", "dng", "nef",
            "cr2", "arw",
        ],
        run: |data| {
            let mut f = Facts::default();
            extract::photo::extract(data, &limits(), &mut f);
            outline(&f)
        },
    },
    Target {
        name: "video",
        extensions: &["mp4", "mov", "3gp", "m4v", "mkv", "webm"],
        run: |data| {
            let mut f = Facts::default();
            extract::video::extract_bytes(data, &limits(), &mut f);
            outline(&f)
        },
    },
    Target {
        name: "pdf",
        extensions: &["pdf"],
        run: |data| through_pipeline("证明材料.pdf", data),
    },
    Target {
        name: "docx",
        extensions: &["docx"],
        run: |data| through_pipeline("活动总结.docx", data),
    },
    Target {
        name: "xlsx",
        extensions: &["xlsx"],
        run: |data| through_pipeline("材料清单.xlsx", data),
    },
    Target {
        name: "pptx",
        extensions: &["pptx"],
        run: |data| through_pipeline("汇报.pptx", data),
    },
    Target {
        name: "rtf",
        extensions: &["rtf"],
        // The RTF reader is hand-written (a control-word state machine over GBK and \uN
        // escapes), so it is called directly, without the pipeline's guard.
        run: |data| {
            let mut f = Facts::default();
            extract::document::rtf::extract(data, &limits(), &mut f);
            outline(&f)
        },
    },
    Target {
        name: "text",
        extensions: &["txt", "csv", "md"],
        run: |data| {
            let a = through_pipeline("工作记录.txt", data);
            let b = through_pipeline("统计表.csv", data);
            format!("{a}|{b}")
        },
    },
    Target {
        name: "query",
        extensions: &["txt"],
        run: query,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// Every target's name, in the order of [`TARGETS`].
pub fn names() -> Vec<&'static str> {
    TARGETS.iter().map(|t| t.name).collect()
}

/// Limits as in production, except a short time budget: a fuzz input that takes seconds is a
/// finding (a real file may be a thousand times larger).
pub fn limits() -> Limits {
    Limits {
        time_budget: Duration::from_secs(5),
        ..Limits::default()
    }
}

/// Run `target` on `data`. Panics on a finding (and on an unknown target); returns a short
/// description of what the input did.
pub fn run(target: &str, data: &[u8]) -> String {
    match self::target(target) {
        Some(t) => (t.run)(data),
        None => panic!("unknown fuzz target {target:?}; targets are {:?}", names()),
    }
}

/// `extract_bytes` as the pipeline calls it; the guard's failure messages become panics.
fn through_pipeline(name: &str, data: &[u8]) -> String {
    let facts = extract::extract_bytes(name, Arc::new(data.to_vec()), &limits());
    for e in &facts.problem_texts() {
        if e.starts_with("extractor crashed")
            || e.contains("abandoned")
            || e.starts_with("extractor stopped")
        {
            panic!("{name}: {e}");
        }
    }
    outline(&facts)
}

/// Parse the query, then run it on a small in-memory index (the builder and the facet
/// resolution are untrusted-input code too: the query comes from the web page).
fn query(data: &[u8]) -> String {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    let q = String::from_utf8_lossy(data);
    let parsed = search::parse(&q);
    let idx = INDEX.get_or_init(SearchIndex::in_ram);
    let req = SearchRequest {
        query: q.to_string(),
        filters: Vec::new(),
        sort: Sort::Relevance,
        offset: 0,
        limit: 10,
        facets: true,
        snippets: true,
        ranking_words: Vec::new(),
    };
    let searched = search::search(idx, &LiteralFacets, &req);
    format!(
        "{}|{}",
        without_literals(&format!("{parsed:?}")),
        searched.is_ok()
    )
}

/// Which facts were found and the error messages with numbers blanked: inputs that differ
/// here took different paths through the extractor.
fn outline(f: &Facts) -> String {
    let fields = [
        f.captured_at.is_some(),
        f.gps.is_some(),
        f.camera.is_some(),
        f.software.is_some(),
        f.width.is_some(),
        f.orientation.is_some(),
        f.duration_s.is_some(),
        f.pages.is_some(),
        f.title.is_some(),
        f.text.is_some(),
        f.doc_created.is_some(),
        !f.manifest_rows.is_empty(),
    ];
    let bits: String = fields.iter().map(|b| if *b { '1' } else { '0' }).collect();
    // The start of each message names the problem; the rest quotes the input.
    let errors: Vec<String> = f
        .problem_texts()
        .iter()
        .map(|e| shape(&e.chars().take(40).collect::<String>()))
        .collect();
    format!(
        "{}:{bits}:{}:{}",
        f.mime,
        errors.join(";"),
        shape(f.text_status.as_deref().unwrap_or(""))
    )
}

/// The shape of a parsed query: its node kinds and nesting, not the words in it.
fn without_literals(debug: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in debug.chars() {
        match (quoted, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, _, '"') => {
                quoted = !quoted;
                out.push('"');
            }
            (true, _, _) => {}
            (false, _, c) => out.push(c),
        }
    }
    out.chars().take(300).collect()
}

fn shape(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .take(300)
        .collect()
}
