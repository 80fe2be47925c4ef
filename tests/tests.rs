//! One integration test binary: each module drives the real `archive` binary against
//! temporary evidence trees built by the harness.

#[path = "it/harness.rs"]
mod harness;
#[path = "it/indexing.rs"]
mod indexing;
#[path = "it/sample.rs"]
mod sample;
#[path = "../fuzz/targets.rs"]
mod fuzz_targets;
#[path = "it/crash.rs"]
mod crash;
