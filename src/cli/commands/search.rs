//! `archive search`, `show` and `list`: reading the archive from the command line.

use crate::i18n::Msg;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::bail;

use super::{parse_filters, stdout_err};
use crate::catalog::Catalog;
use crate::cli::args::{SearchArgs, SortArg};
use crate::cli::{print, Exit};
use crate::config::Config;
use crate::index::SearchIndex;
use crate::search::{self, SearchRequest, Sort};

pub(in crate::cli) fn search(cfg: &Config, a: SearchArgs) -> anyhow::Result<Exit> {
    let idx = SearchIndex::open(&cfg.index_dir())?;
    let schema = cfg.schema()?;
    let req = SearchRequest {
        query: a.query.join(" "),
        filters: parse_filters(&a.filters)?,
        ranking_words: Vec::new(),
        sort: match a.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::DateDesc,
            SortArg::DateAsc => Sort::DateAsc,
        },
        offset: a.offset,
        limit: a.limit,
        facets: false,
        snippets: !a.json,
    }
    .understood(&schema);
    let resp = search::search(&idx, &schema, &req)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        for hit in &resp.hits {
            out.write_all(hit.record_json.get().as_bytes())?;
            writeln!(out)?;
        }
    } else {
        let rows: Vec<Vec<String>> = resp
            .hits
            .iter()
            .filter_map(|h| h.record())
            .map(|r| print::table_row(&r))
            .collect();
        let l = crate::cli::lang();
        print::table(
            &mut out,
            &[
                l.t(Msg::Captured),
                l.t(Msg::FieldType),
                l.t(Msg::FieldPlace),
                l.t(Msg::FieldIndicator),
                l.t(Msg::FieldPath),
            ],
            &rows,
        )?;
        let shown = resp.hits.len();
        writeln!(
            out,
            "{}",
            l.fill(
                Msg::CliShownOf,
                &[("shown", &shown), ("total", &resp.total)]
            )
        )?;
    }
    Ok(Exit::Ok)
}

pub(in crate::cli) fn show(cfg: &Config, target: &str, json: bool) -> anyhow::Result<Exit> {
    let catalog = Catalog::open_existing(&cfg.archive_dir)?;
    let looks_like_hash = target.len() >= 8 && target.chars().all(|c| c.is_ascii_hexdigit());
    let mut rows = if looks_like_hash {
        catalog.files_by_blake3_prefix(&target.to_lowercase())?
    } else {
        Vec::new()
    };
    if rows.is_empty() {
        let p = PathBuf::from(target);
        let abs = crate::platform::canonicalize(&p).unwrap_or(p);
        rows.extend(catalog.file_by_path(&abs)?);
    }
    if rows.is_empty() {
        bail!(
            "{}",
            crate::cli::say(
                Msg::CliNotInCatalog,
                &[("target", &target), ("archive", &cfg.archive_dir.display())]
            )
        );
    }
    let schema = cfg.schema()?;
    let mut out = std::io::stdout().lock();
    for row in rows {
        let mut record = row.to_record(crate::cli::lang());
        if let Some(b3) = &row.blake3 {
            record.similar = catalog.similar_files(b3)?;
        }
        if json {
            serde_json::to_writer(&mut out, &record)?;
            writeln!(out)?;
        } else {
            print::record(&mut out, &record, &schema, cfg.limits.default_offset)?;
            writeln!(out)?;
        }
    }
    Ok(Exit::Ok)
}

pub(in crate::cli) fn list(cfg: &Config, filters: &[String], json: bool) -> anyhow::Result<Exit> {
    let filters = parse_filters(filters)?;
    let schema = cfg.schema()?;
    let catalog = Catalog::open_existing(&cfg.archive_dir)?;
    // Resolve every filter once, so a typo fails before any output.
    let matchers = filters
        .iter()
        .map(|(f, v)| search::RecordMatcher::new(&schema, f, v))
        .collect::<crate::Result<Vec<_>>>()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut count = 0u64;
    catalog.for_each_file(|row| {
        let facets = row
            .tagging
            .as_ref()
            .map(|t| crate::tag::facet_paths(&schema, t))
            .unwrap_or_default();
        let record = row.to_record(crate::cli::lang());
        if matchers.iter().all(|m| m.matches(&record, &facets)) {
            count += 1;
            let res = if json {
                serde_json::to_writer(&mut out, &record)
                    .map_err(std::io::Error::from)
                    .and_then(|_| writeln!(out))
            } else {
                let r = print::table_row(&record);
                writeln!(out, "{}\t{}\t{}\t{}\t{}", r[0], r[1], r[2], r[3], r[4])
            };
            res.map_err(stdout_err)?;
        }
        Ok(())
    })?;
    out.flush()?;
    if !json && std::io::stderr().is_terminal() {
        eprintln!(
            "{}",
            crate::cli::lang().fill(Msg::CliFilesCount, &[("n", &count)])
        );
    }
    Ok(Exit::Ok)
}
