//! `archive report`: the coverage ledger (台账) in the format asked for, to a file or stdout.

use crate::cli::say;
use crate::i18n::Msg;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{bail, Context};

use crate::catalog::Catalog;
use crate::cli::args::{ReportArgs, ReportBy, ReportFormat};
use crate::cli::Exit;
use crate::config::Config;

mod score;

pub(in crate::cli) fn report(cfg: &Config, mut a: ReportArgs) -> anyhow::Result<Exit> {
    use crate::report::{By, Coverage};
    if a.json {
        a.format = ReportFormat::Json;
    }
    if a.score {
        return score::score(cfg, a);
    }
    let schema = cfg.schema()?;
    let catalog = Catalog::open_existing(&cfg.archive_dir)?;
    let by = match (a.by, a.prefecture) {
        (ReportBy::Prefecture, None) => By::Prefecture,
        (ReportBy::Prefecture, Some(p)) | (ReportBy::County, Some(p)) => By::County(p),
        (ReportBy::County, None) => {
            bail!("{}", say(Msg::CliByCountyNeedsPrefecture, &[]))
        }
    };
    let rejected = crate::curate::collections::rejected_files(&catalog)?;
    let mut files = Vec::new();
    catalog.for_each_file(|row| {
        if row.status == crate::record::Status::Present {
            let no = rejected.contains(&row.id);
            files.push((row.tagging.unwrap_or_default(), no));
        }
        Ok(())
    })?;
    let coverage = Coverage::build_counted(&schema, &files, by, a.count)?;
    let bytes = match a.format {
        ReportFormat::Table => coverage.to_table(crate::cli::lang()).into_bytes(),
        ReportFormat::Csv => coverage.to_csv(crate::cli::lang()),
        ReportFormat::Xlsx => {
            let head = crate::report::Letterhead::new(
                &schema,
                &coverage,
                cfg.office.clone(),
                (cfg.tag.period_start, cfg.tag.period_end),
                cfg.limits.default_offset,
            );
            coverage.to_xlsx(crate::cli::lang(), &head)?
        }
        ReportFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&coverage.to_json())?;
            v.push(b'\n');
            v
        }
    };
    match a.out {
        Some(path) => {
            let path = with_extension(path, a.format);
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating folder {}", dir.display()))?;
            }
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

/// Write `bytes` to `--out` (with its format's extension) or standard output.
pub(super) fn deliver(
    out: Option<PathBuf>,
    format: ReportFormat,
    bytes: &[u8],
) -> anyhow::Result<()> {
    match out {
        Some(path) => {
            let path = with_extension(path, format);
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating folder {}", dir.display()))?;
            }
            std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "{}",
                say(Msg::CliLedgerWritten, &[("path", &path.display())])
            );
        }
        None => std::io::stdout().lock().write_all(bytes)?,
    }
    Ok(())
}

/// `--out 台账` becomes `台账.xlsx`: a file without its format's extension is one Windows
/// will not open. A name ending in another ledger extension is left as the user wrote it;
/// anything else (`台账2019.12`) keeps its dots and gains the extension.
pub(super) fn with_extension(path: PathBuf, format: ReportFormat) -> PathBuf {
    let ext = match format {
        ReportFormat::Table => "txt",
        ReportFormat::Csv => "csv",
        ReportFormat::Xlsx => "xlsx",
        ReportFormat::Json => "json",
    };
    let known = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["txt", "csv", "xlsx", "json"].contains(&e.to_ascii_lowercase().as_str()));
    if known {
        return path;
    }
    let mut name = path.clone().into_os_string();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_gets_the_format_extension() {
        let p = |s: &str, f| with_extension(PathBuf::from(s), f);
        assert_eq!(p("台账", ReportFormat::Xlsx), PathBuf::from("台账.xlsx"));
        assert_eq!(
            p("out/台账", ReportFormat::Csv),
            PathBuf::from("out/台账.csv")
        );
        assert_eq!(
            p("台账.XLSX", ReportFormat::Xlsx),
            PathBuf::from("台账.XLSX")
        );
        assert_eq!(
            p("台账2019.12", ReportFormat::Xlsx),
            PathBuf::from("台账2019.12.xlsx")
        );
    }
}
