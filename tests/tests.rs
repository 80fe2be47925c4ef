//! One integration test binary: each module drives the real `archive` binary against
//! temporary evidence trees built by the harness.

#[path = "it/authenticity.rs"]
mod authenticity;
#[path = "it/browser.rs"]
mod browser;
#[path = "it/browser_present.rs"]
mod browser_present;
#[path = "it/browser_problems.rs"]
mod browser_problems;
#[path = "it/captions.rs"]
mod captions;
#[path = "it/captions_web.rs"]
mod captions_web;
#[path = "it/crash.rs"]
mod crash;
#[path = "it/curate.rs"]
mod curate;
#[path = "it/curate_web.rs"]
mod curate_web;
#[path = "it/documents.rs"]
mod documents;
#[path = "it/export.rs"]
mod export;
#[path = "it/flagcheck.rs"]
mod flagcheck;
#[path = "it/flagcheck_web.rs"]
mod flagcheck_web;
#[path = "it/fuzz.rs"]
mod fuzz;
#[path = "../fuzz/targets.rs"]
mod fuzz_targets;
#[path = "it/hardening.rs"]
mod hardening;
#[path = "it/harness.rs"]
mod harness;
#[path = "it/indexing.rs"]
mod indexing;
#[path = "it/ledger.rs"]
mod ledger;
#[path = "it/limits.rs"]
mod limits;
#[path = "it/manifests.rs"]
mod manifests;
#[path = "it/ocr.rs"]
mod ocr;
#[path = "it/previews.rs"]
mod previews;
#[path = "it/print.rs"]
mod print;
#[path = "it/problems.rs"]
mod problems;
#[path = "it/publish.rs"]
mod publish;
#[path = "it/review_web.rs"]
mod review_web;
#[path = "it/sample.rs"]
mod sample;
#[path = "it/scoring.rs"]
mod scoring;
#[path = "it/serve.rs"]
mod serve;
#[path = "it/signing.rs"]
mod signing;
#[path = "it/similar.rs"]
mod similar;
#[path = "it/structure.rs"]
mod structure;
#[path = "it/verdicts.rs"]
mod verdicts;
