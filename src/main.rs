//! The `archive` binary: parse the command line, run, turn the outcome into an exit status.

#![forbid(unsafe_code)]

// Indexing makes and drops many small strings per file (records, tags, JSON); glibc's
// allocator spent ~17 % of the instructions of indexing 5,000 photos (docs/performance.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    archive::cli::main()
}
