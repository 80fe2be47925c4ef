//! archive: an evidence archive with media indexing.
//!
//! The module tree follows the pipeline, each stage taking the previous stage's plain data:
//!
//! 1. [`walk`]: find every regular file under the evidence roots (read-only, symlinks not followed).
//! 2. [`hash`]: BLAKE3 of the content, streaming; the content id keys blobs, thumbnails, downloads.
//! 3. [`extract`]: media type by magic bytes, EXIF, video boxes, document text, under limits.
//! 4. [`tag`]: indicator, prefecture and county with their sources, plus flags ([`schema`] is the vocabulary).
//! 5. [`catalog`]: SQLite, the source of truth (files, blobs, runs, tags, flags).
//! 6. [`index`]: tantivy, derived from the catalog, Chinese-aware; [`search`] queries it.
//! 7. [`serve`]: the inspectors' page and JSON API; [`export`]: verifiable evidence packages.
//!
//! [`pipeline`] drives stages 1–6 for `archive index`; [`cli`] is the command line.
//!
//! Beside the stages: [`config`] (validated settings), [`curate`] (collections, manual tags,
//! users, the audit chain), `fields` (the one table of search fields and facets), [`i18n`]
//! (every user-facing text, one catalogue per language), `html` (the one escaper), `record`
//! (the JSON record all outputs share), `report` (the coverage ledger), `thumb`, [`sample`]
//! (the bundled sample evidence and the tests' fixture generator). Imports go one way:
//! docs/ARCHITECTURE.md has the module graph, and `tests/it/structure.rs` keeps it acyclic.

// No unsafe code, except the Windows access lists in platform::acl (the Win32 security API).
#![cfg_attr(not(windows), forbid(unsafe_code))]
#![cfg_attr(windows, deny(unsafe_code))]

pub mod catalog;
pub mod cli;
pub mod config;
pub mod curate;
pub mod error;
pub mod export;
pub mod extract;
pub mod fields;
pub(crate) mod hash;
pub(crate) mod html;
pub mod i18n;
pub mod index;
pub mod ocr;
pub mod pipeline;
pub mod platform;
pub(crate) mod present;
pub mod print;
pub mod problem;
pub mod problems;
pub mod publish;
pub(crate) mod record;
pub(crate) mod report;
pub mod sample;
pub mod schema;
pub mod search;
pub mod serve;
pub mod similar;
pub(crate) mod slides;
pub mod tag;
mod templates;
pub(crate) mod thumb;
pub(crate) mod walk;

pub use error::{Error, Result};
