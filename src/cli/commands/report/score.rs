//! `archive report --score`: the scoring self-check (评分细则) as a table, CSV or JSON.

use std::io::Write;

use anyhow::bail;
use chrono::Datelike;

use super::deliver;
use crate::catalog::Catalog;
use crate::cli::args::{ReportArgs, ReportFormat};
use crate::cli::{lang, print, say, Exit};
use crate::config::Config;
use crate::i18n::Msg;
use crate::problems::score::{self, gap_text, points_text, problem_numbers, Score};
use crate::problems::track::{self, Filter};

pub(in crate::cli) fn score(cfg: &Config, a: ReportArgs) -> anyhow::Result<Exit> {
    let schema = cfg.schema()?;
    if !score::has_rubric(&schema) {
        bail!("{}", say(Msg::ScoreNoRubric, &[]));
    }
    let only = match &a.prefecture {
        None => Vec::new(),
        Some(p) => match score::prefecture_code(&schema, p) {
            Some(code) => vec![code],
            None => bail!("{}", say(Msg::ScoreNotPrefecture, &[("place", p)])),
        },
    };
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    let l = lang();
    let worded = |e: crate::problems::ProblemsError| anyhow::anyhow!("{}", e.localized(l));
    let files = score::gather_files(&cat).map_err(worded)?;
    let problems = track::list(
        &cat,
        &schema,
        &Filter {
            prefecture: None,
            category: None,
            status: None,
            overdue_only: false,
            as_of: chrono::Local::now().date_naive(),
        },
    )
    .map_err(worded)?;
    let years = (cfg.tag.period_start.year(), cfg.tag.period_end.year());
    let s = score::build(&schema, &files, &problems, &only, years, l);
    let bytes = match a.format {
        ReportFormat::Table => table(&s)?,
        ReportFormat::Csv => s.to_csv(l),
        ReportFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&s)?;
            v.push(b'\n');
            v
        }
        ReportFormat::Xlsx => bail!(
            "{}",
            "评分自查可输出 table、csv 或 json（--format csv 可用 Excel 打开） / the self-check is written as table, csv or json (csv opens in Excel)"
        ),
    };
    deliver(a.out, a.format, &bytes)?;
    Ok(Exit::Ok)
}

/// The summary table, then for each prefecture the indicators that miss something or have
/// open problems, with what is missing.
fn table(s: &Score) -> anyhow::Result<Vec<u8>> {
    let l = lang();
    let mut b = Vec::new();
    for line in s.preamble(l) {
        writeln!(b, "{line}")?;
    }
    writeln!(b)?;
    let header = Score::summary_header(l);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    print::table(&mut b, &header, &s.summary_rows())?;
    for p in &s.prefectures {
        writeln!(b)?;
        writeln!(
            b,
            "== {}",
            l.fill(
                Msg::ScoreSummaryLine,
                &[
                    ("place", &p.name),
                    ("earned", &points_text(p.earned)),
                    ("points", &points_text(p.points)),
                    ("pending", &points_text(p.with_pending)),
                    ("missing", &p.missing),
                    ("problems", &p.open_problems),
                ],
            )
        )?;
        for i in &p.indicators {
            let gaps: Vec<String> = i.missing().map(|c| gap_text(c, l)).collect();
            writeln!(
                b,
                "  {} {}  {} {} / {}（{} {}）{}",
                i.code,
                i.name,
                l.t(Msg::ScoreColEarned),
                points_text(i.earned),
                points_text(i.points),
                l.t(Msg::ScoreColWithPending),
                points_text(i.with_pending),
                if gaps.is_empty() {
                    format!("  {}", l.t(Msg::ScoreComplete))
                } else {
                    String::new()
                }
            )?;
            for g in gaps {
                writeln!(b, "      {} {g}", l.t(Msg::ScoreColMissing))?;
            }
            if !i.open_problems.is_empty() {
                writeln!(
                    b,
                    "      {}：{}",
                    l.t(Msg::ScoreColProblems),
                    problem_numbers(&i.open_problems, l)
                )?;
            }
        }
    }
    Ok(b)
}
