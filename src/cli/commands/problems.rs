//! `archive problems`: the problem list (问题清单) from the command line, as the local operator.

use std::io::{IsTerminal, Write};

use chrono::NaiveDate;

use super::stdout_err;
use crate::catalog::Catalog;
use crate::cli::args::{ProblemsCmd, ReportFormat};
use crate::cli::{lang, print, say, Exit};
use crate::config::Config;
use crate::curate::{collections, Actor, CurateError};
use crate::i18n::Msg;
use crate::problems::{deadline, report, store, table, track, ProblemsError, Status};

/// A ledger error in the run's language.
fn worded(e: ProblemsError) -> anyhow::Error {
    anyhow::anyhow!("{}", e.localized(lang()))
}

fn as_of(text: Option<&str>) -> anyhow::Result<NaiveDate> {
    match text {
        None => Ok(chrono::Local::now().date_naive()),
        Some(t) => deadline::parse_day(t)
            .ok_or_else(|| anyhow::anyhow!("{}", say(Msg::ProblemsBadAsOf, &[("date", &t)]))),
    }
}

/// The contents (BLAKE3) of what the user typed (paths or hashes), each once.
fn contents(cat: &Catalog, targets: &[String]) -> anyhow::Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in targets {
        for row in collections::resolve_target(cat, t)? {
            let b = row.blake3.clone().ok_or_else(|| {
                CurateError::Invalid(format!(
                    "{}: it has no content hash (it could not be read), so it cannot be evidence",
                    row.display_path()
                ))
            })?;
            if !out.contains(&b) {
                out.push(b);
            }
        }
    }
    Ok(out)
}

pub(in crate::cli) fn problems(cfg: &Config, c: ProblemsCmd) -> anyhow::Result<Exit> {
    let me = Actor::local_operator();
    let schema = cfg.schema()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match c {
        ProblemsCmd::Import {
            file,
            year,
            maps,
            json,
        } => {
            let maps = table::parse_maps(&maps).map_err(worded)?;
            let data = std::fs::read(&file).map_err(|e| crate::Error::io(&file, e))?;
            let cat = Catalog::open(&cfg.archive_dir)?;
            match store::import(&cat, &schema, &me, &file, &data, year, &maps) {
                Ok(o) if json => print::json_pretty(&mut out, &o).map_err(stdout_err)?,
                Ok(o) => writeln!(
                    out,
                    "{}",
                    say(
                        Msg::ProblemsImported,
                        &[
                            ("file", &o.file),
                            ("rows", &o.rows),
                            ("province", &o.province_wide),
                            ("created", &o.created),
                            ("updated", &o.updated),
                            ("unchanged", &o.unchanged),
                            ("withdrawn", &o.withdrawn),
                            ("restored", &o.restored),
                        ]
                    )
                )
                .map_err(stdout_err)?,
                // A refused list ran and found something wrong: exit 2, every bad row named.
                Err(e @ ProblemsError::Refused { .. }) => {
                    if json {
                        if let ProblemsError::Refused { bad, .. } = &e {
                            print::json_pretty(&mut out, bad).map_err(stdout_err)?;
                        }
                    }
                    out.flush().map_err(stdout_err)?;
                    eprintln!("archive: {}", print::shown_lines(&e.localized(lang())));
                    return Ok(Exit::Problems);
                }
                Err(e) => return Err(worded(e)),
            }
        }
        ProblemsCmd::List {
            prefecture,
            category,
            status,
            overdue,
            as_of: day,
            json,
        } => {
            let filter = track::Filter {
                prefecture,
                category,
                status: status.map(Status::from),
                overdue_only: overdue,
                as_of: as_of(day.as_deref())?,
            };
            let cat = Catalog::open_existing(&cfg.archive_dir)?;
            let list = track::list(&cat, &schema, &filter).map_err(worded)?;
            if json {
                for p in &list {
                    serde_json::to_writer(&mut out, p).map_err(|e| stdout_err(e.into()))?;
                    writeln!(out).map_err(stdout_err)?;
                }
            } else {
                print::problems(&mut out, &list).map_err(stdout_err)?;
            }
        }
        ProblemsCmd::Show {
            id,
            as_of: day,
            json,
        } => {
            let day = as_of(day.as_deref())?;
            let cat = Catalog::open_existing(&cfg.archive_dir)?;
            let d = track::show(&cat, &schema, id, day).map_err(worded)?;
            if json {
                print::json_pretty(&mut out, &d).map_err(stdout_err)?;
            } else {
                print::problem(&mut out, &d).map_err(stdout_err)?;
            }
        }
        ProblemsCmd::Link { id, files, note } => {
            let cat = Catalog::open_existing(&cfg.archive_dir)?;
            let blake3s = contents(&cat, &files)?;
            let n =
                track::link(&cat, &schema, &me, id, &blake3s, note.as_deref()).map_err(worded)?;
            writeln!(
                out,
                "{}",
                say(Msg::ProblemsLinked, &[("n", &n), ("id", &id)])
            )
            .map_err(stdout_err)?;
        }
        ProblemsCmd::Unlink { id, files, reason } => {
            let cat = Catalog::open_existing(&cfg.archive_dir)?;
            let blake3s = contents(&cat, &files)?;
            let n = track::unlink(&cat, &schema, &me, id, &blake3s, reason.as_deref())
                .map_err(worded)?;
            writeln!(
                out,
                "{}",
                say(Msg::ProblemsUnlinked, &[("n", &n), ("id", &id)])
            )
            .map_err(stdout_err)?;
        }
        ProblemsCmd::Report {
            format,
            out: path,
            as_of: day,
        } => {
            let as_of = as_of(day.as_deref())?;
            let filter = track::Filter {
                prefecture: None,
                category: None,
                status: None,
                overdue_only: false,
                as_of,
            };
            let cat = Catalog::open_existing(&cfg.archive_dir)?;
            let list = track::list(&cat, &schema, &filter).map_err(worded)?;
            let l = lang();
            let r = report::Report::build(list, as_of, l);
            let bytes = match format {
                ReportFormat::Table => {
                    let mut b = Vec::new();
                    let (header, rows) = r.summary_table(l);
                    let header: Vec<&str> = header.iter().map(String::as_str).collect();
                    print::table(&mut b, &header, &rows).map_err(stdout_err)?;
                    writeln!(b).map_err(stdout_err)?;
                    print::problems(&mut b, &r.problems).map_err(stdout_err)?;
                    b
                }
                ReportFormat::Csv => r.to_csv(l),
                ReportFormat::Xlsx => r.to_xlsx(l).map_err(crate::Error::Xlsx)?,
                ReportFormat::Json => {
                    let mut v = serde_json::to_vec_pretty(&r)?;
                    v.push(b'\n');
                    v
                }
            };
            match path {
                Some(p) => {
                    let p = super::report::with_extension(p, format);
                    std::fs::write(&p, &bytes).map_err(|e| crate::Error::io(&p, e))?;
                    eprintln!(
                        "{}",
                        say(Msg::ProblemsReportWritten, &[("path", &p.display())])
                    );
                }
                None => {
                    if format == ReportFormat::Xlsx && std::io::stdout().is_terminal() {
                        anyhow::bail!("{}", say(Msg::CliXlsxNeedsOut, &[]));
                    }
                    out.write_all(&bytes).map_err(stdout_err)?;
                }
            }
        }
        ProblemsCmd::Set { id, status, reason } => {
            let status = Status::from(status);
            let cat = Catalog::open_existing(&cfg.archive_dir)?;
            let old = track::set_status(&cat, &schema, &me, id, status, reason.as_deref())
                .map_err(worded)?;
            let l = lang();
            writeln!(
                out,
                "{}",
                say(
                    Msg::ProblemsStatusChanged,
                    &[
                        ("id", &id),
                        ("from", &l.t(old.label())),
                        ("to", &l.t(status.label()))
                    ]
                )
            )
            .map_err(stdout_err)?;
        }
    }
    out.flush().map_err(stdout_err)?;
    Ok(Exit::Ok)
}
