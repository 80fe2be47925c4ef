//! `archive export` and `archive verify`: evidence packages out of a curated collection, and
//! the check an inspector runs on one.

use std::path::Path;

use super::stdout_err;
use crate::catalog::Catalog;
use crate::cli::args::ExportArgs;
use crate::cli::{print, Exit};
use crate::config::Config;
use crate::curate::Actor;
use crate::export::{self, ExportOptions};

pub(in crate::cli) fn export(cfg: &Config, a: ExportArgs) -> anyhow::Result<Exit> {
    let schema = cfg.schema()?;
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    let opts = ExportOptions {
        collection: a.collection,
        out: a.out,
        zip: a.zip,
        include_rejected: a.include_rejected,
        source_organization: cfg.source_organization.clone(),
    };
    let s = export::export_collection(&cat, &schema, &Actor::local_operator(), &opts)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        print::json_pretty(&mut out, &s).map_err(stdout_err)?;
    } else {
        print::export_summary(&mut out, &s).map_err(stdout_err)?;
    }
    Ok(Exit::Ok)
}

/// `archive verify PKG`: 0 only when the bag is intact, 2 when anything is wrong.
pub(in crate::cli) fn verify(path: &Path, json: bool) -> anyhow::Result<Exit> {
    let r = export::verify_bag(path)?;
    let mut out = std::io::stdout().lock();
    if json {
        print::json_pretty(&mut out, &r).map_err(stdout_err)?;
    } else {
        print::verify_report(&mut out, &r).map_err(stdout_err)?;
    }
    Ok(Exit::intact(r.intact()))
}
