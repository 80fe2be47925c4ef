//! A cargo-fuzz binary: the same file for every target, named after it; the target it runs
//! is its binary name, looked up in `fuzz/targets.rs` (the one list of targets).
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    targets::run(env!("CARGO_BIN_NAME"), data);
});
