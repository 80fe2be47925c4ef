//! `archive index`, `reindex`, `retag` and `sample`: the commands that fill the archive.

use crate::cli::say;
use crate::i18n::Msg;
use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Context;

use super::refresh_tags;
use crate::catalog::Catalog;
use crate::cli::args::IndexArgs;
use crate::cli::{print, Exit};
use crate::config::Config;
use crate::pipeline::{self, IndexOptions};

pub(in crate::cli) fn index(cfg: &Config, a: IndexArgs) -> anyhow::Result<Exit> {
    let opts = IndexOptions {
        roots: a.paths,
        follow_symlinks: a.follow_symlinks,
        verify: a.verify,
        workers: a.workers,
        progress: !a.json && std::io::stderr().is_terminal(),
        lang: crate::cli::lang(),
        skip_similar: a.no_similar,
    };
    let summary = pipeline::run_index(cfg, &opts)?;
    // The next command run from any folder finds this archive without --archive.
    crate::cli::archive_dir::remember(&cfg.archive_dir);
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        print::summary(&mut out, &summary, a.verify)?;
    }
    Ok(Exit::intact(summary.exit_code() == 0))
}

pub(in crate::cli) fn reindex(cfg: &Config) -> anyhow::Result<Exit> {
    let n = pipeline::reindex(cfg)?;
    println!("{}", say(Msg::CliReindexed, &[("n", &n)]));
    Ok(Exit::Ok)
}

pub(in crate::cli) fn retag(cfg: &Config) -> anyhow::Result<Exit> {
    let schema = cfg.schema()?;
    let mut catalog = Catalog::open_existing(&cfg.archive_dir)?;
    let (changed, updated) = refresh_tags(&mut catalog, cfg, &schema)?;
    println!(
        "{}",
        say(
            Msg::CliRetagged,
            &[("changed", &changed), ("updated", &updated)]
        )
    );
    Ok(Exit::Ok)
}

pub(in crate::cli) fn sample(dest: &Path) -> anyhow::Result<Exit> {
    let summary = crate::sample::generate(dest)
        .with_context(|| format!("writing sample evidence to {}", dest.display()))?;
    println!(
        "{}",
        say(
            Msg::CliSampleWritten,
            &[("path", &dest.display()), ("n", &summary.files)]
        )
    );
    Ok(Exit::Ok)
}
