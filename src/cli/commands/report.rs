//! `archive report`: the coverage ledger (台账) in the format asked for, to a file or stdout.

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
            bail!("--by county needs --prefecture NAME (for example --prefecture 海东市)")
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
        ReportFormat::Table => coverage.to_table().into_bytes(),
        ReportFormat::Csv => coverage.to_csv(),
        ReportFormat::Xlsx => coverage.to_xlsx()?,
        ReportFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&coverage.to_json())?;
            v.push(b'\n');
            v
        }
    };
    match a.out {
        Some(path) => {
            std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("coverage ledger written to {}", path.display());
        }
        None => {
            if a.format == ReportFormat::Xlsx && std::io::stdout().is_terminal() {
                bail!("an XLSX file cannot be shown on a terminal: add --out 台账.xlsx");
            }
            std::io::stdout().lock().write_all(&bytes)?;
        }
    }
    Ok(Exit::Ok)
}
