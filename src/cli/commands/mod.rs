//! The command handlers, one file per group of commands. Each turns parsed flags into library
//! calls as the local operator and hands the outcome to [`super::print`]; the orchestration
//! that spans library modules (a manual tag followed by retagging and reindexing, an export
//! of a curated collection) lives here, above the library, so the library's modules need not
//! import each other to serve the command line.

pub(super) mod caption;
pub(super) mod curate;
pub(super) mod export;
pub(super) mod index;
pub(super) mod key;
pub(super) mod problems;
pub(super) mod publish;
pub(super) mod report;
pub(super) mod search;
pub(super) mod serve;
pub(super) mod similar;
pub(super) mod users;

use anyhow::bail;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::curate::collections;
use crate::schema::Schema;

/// A failed write to standard output, named as such in the error message.
fn stdout_err(e: std::io::Error) -> crate::Error {
    crate::Error::io("<stdout>", e)
}

/// `--filter FIELD=VALUE` flags as (field, value) pairs; the field is lower-cased.
fn parse_filters(filters: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    filters
        .iter()
        .map(|f| match f.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                Ok((k.trim().to_lowercase(), v.trim().to_string()))
            }
            _ => {
                bail!(
                    "{}",
                    crate::cli::say(crate::i18n::Msg::CliBadFilter, &[("filter", &f)])
                )
            }
        })
        .collect()
}

/// File ids for what the user typed (paths or BLAKE3), in the order given, each once.
fn resolve_files(cat: &Catalog, targets: &[String]) -> anyhow::Result<Vec<i64>> {
    let mut ids = Vec::new();
    for t in targets {
        for row in collections::resolve_target(cat, t)? {
            if !ids.contains(&row.id) {
                ids.push(row.id);
            }
        }
    }
    Ok(ids)
}

/// Recompute tags from the catalog (manual tags included) and bring the search index up to
/// date: (files whose tags changed, search documents updated). Needs the index writer lock.
fn refresh_tags(cat: &mut Catalog, cfg: &Config, schema: &Schema) -> crate::Result<(usize, usize)> {
    let _only_run = crate::pipeline::RunLock::take(&cfg.archive_dir)?;
    let changed = crate::pipeline::retag(cat, schema, cfg)?;
    let updated = crate::pipeline::sync_index(cat, cfg, schema)?;
    Ok((changed, updated))
}
