//! The fuzz targets: one function per untrusted-input entry point, shared by the cargo-fuzz
//! binaries (`fuzz/fuzz_targets/`, nightly + libFuzzer), the stable mutation driver
//! (`fuzz/stable.rs`) and the regression test that replays every input kept under
//! `fuzz/regressions/` (`tests/it/crash.rs`).
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

/// Every target, by the name used on the command line and for seed and regression folders.
pub const TARGETS: &[&str] = &[
    "photo", "video", "pdf", "docx", "xlsx", "pptx", "text", "query",
];

/// Limits as in production, except a short time budget: a fuzz input that takes seconds is a
/// finding (a real file may be a thousand times larger).
pub fn limits() -> Limits {
    Limits {
        time_budget: Duration::from_secs(5),
        ..Limits::default()
    }
}

/// Run `target` on `data`. Panics on a finding; returns a short description of what the
/// input did (for the stable driver's crude novelty feedback).
pub fn run(target: &str, data: &[u8]) -> String {
    match target {
        "photo" => {
            let mut f = Facts::default();
            extract::photo::extract(data, &limits(), &mut f);
            outline(&f)
        }
        "video" => {
            let mut f = Facts::default();
            extract::video::extract_bytes(data, &limits(), &mut f);
            outline(&f)
        }
        "pdf" => through_pipeline("证明材料.pdf", data),
        "docx" => through_pipeline("活动总结.docx", data),
        "xlsx" => through_pipeline("材料清单.xlsx", data),
        "pptx" => through_pipeline("汇报.pptx", data),
        "text" => {
            let a = through_pipeline("工作记录.txt", data);
            let b = through_pipeline("统计表.csv", data);
            format!("{a}|{b}")
        }
        "query" => query(data),
        other => panic!("unknown fuzz target {other:?}; targets are {TARGETS:?}"),
    }
}

/// `extract_bytes` as the pipeline calls it; the guard's failure messages become panics.
fn through_pipeline(name: &str, data: &[u8]) -> String {
    let facts = extract::extract_bytes(name, Arc::new(data.to_vec()), &limits());
    for e in &facts.errors {
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
        .errors
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
