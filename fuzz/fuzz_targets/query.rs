//! cargo-fuzz target `query`: see `fuzz/targets.rs` for what it calls and why.
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    targets::run("query", data);
});
