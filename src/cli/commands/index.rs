//! `archive index`, `reindex`, `retag` and `sample`: the commands that fill the archive.

use crate::cli::say;
use crate::i18n::Msg;
use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Context;

use super::refresh_tags;
use crate::catalog::Catalog;
use crate::cli::args::{IndexArgs, OcrArgs, OcrFlags, OcrModeArg};
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
        ocr: ocr_options(cfg, &a.ocr),
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

/// `[ocr]` with the command line's flags over it.
fn ocr_options(cfg: &Config, f: &OcrFlags) -> pipeline::OcrOptions {
    pipeline::OcrOptions {
        mode: match f.ocr {
            Some(OcrModeArg::All) => crate::ocr::Mode::All,
            Some(OcrModeArg::Documents) => crate::ocr::Mode::Documents,
            Some(OcrModeArg::Off) => crate::ocr::Mode::Off,
            None => cfg.ocr.mode,
        },
        budget: f
            .ocr_budget
            .map(std::time::Duration::from_secs)
            .or(cfg.ocr.budget),
        page_limit: cfg.ocr.page_limit,
        threads: cfg.ocr.threads,
        languages: cfg.ocr.languages.clone(),
    }
}

pub(in crate::cli) fn ocr(cfg: &Config, a: OcrArgs) -> anyhow::Result<Exit> {
    let (summary, notes) = pipeline::run_ocr(cfg, &ocr_options(cfg, &a.flags), crate::cli::lang())?;
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer(
            &mut out,
            &serde_json::json!({"ocr": summary, "notes": notes}),
        )?;
        writeln!(out)?;
    } else {
        print::ocr_summary(&mut out, &summary)?;
        for n in notes.iter().take(20) {
            writeln!(out, "  {}: {}", print::shown(&n.path), n.reason)?;
        }
    }
    Ok(Exit::Ok)
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
