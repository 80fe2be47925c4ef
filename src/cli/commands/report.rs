//! `archive report`: the coverage ledger (台账) in the format asked for, to a file or stdout.

use crate::cli::say;
use crate::i18n::Msg;
use std::io::{IsTerminal, Write};

use anyhow::{bail, Context};

use crate::catalog::Catalog;
use crate::cli::args::{ReportArgs, ReportBy, ReportFormat};
use crate::cli::Exit;
use crate::config::Config;

pub(in crate::cli) fn report(cfg: &Config, a: ReportArgs) -> anyhow::Result<Exit> {
    use crate::report::{By, Coverage};
    let schema = cfg.schema()?;
    let catalog = Catalog::open_existing(&cfg.archive_dir)?;
    let by = match (a.by, a.prefecture) {
        (ReportBy::Prefecture, None) => By::Prefecture,
        (ReportBy::Prefecture, Some(p)) | (ReportBy::County, Some(p)) => By::County(p),
        (ReportBy::County, None) => {
            bail!("{}", say(Msg::CliByCountyNeedsPrefecture, &[]))
        }
    };
    let mut taggings = Vec::new();
    catalog.for_each_file(|row| {
        if row.status == crate::record::Status::Present {
            taggings.push(row.tagging.unwrap_or_default());
        }
        Ok(())
    })?;
    let coverage = Coverage::build(&schema, &taggings, by)?;
    let bytes = match a.format {
        ReportFormat::Table => coverage.to_table(crate::cli::lang()).into_bytes(),
        ReportFormat::Csv => coverage.to_csv(crate::cli::lang()),
        ReportFormat::Xlsx => coverage.to_xlsx(crate::cli::lang())?,
        ReportFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&coverage.to_json())?;
            v.push(b'\n');
            v
        }
    };
    match a.out {
        Some(path) => {
            std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "{}",
                say(Msg::CliLedgerWritten, &[("path", &path.display())])
            );
        }
        None => {
            if a.format == ReportFormat::Xlsx && std::io::stdout().is_terminal() {
                bail!("{}", say(Msg::CliXlsxNeedsOut, &[]));
            }
            std::io::stdout().lock().write_all(&bytes)?;
        }
    }
    Ok(Exit::Ok)
}
