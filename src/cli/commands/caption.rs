//! `archive caption set|import`: photo captions from the command line, then the search index
//! brought up to date so the caption's words are found at once; and `archive print`, the
//! contact sheets that show them on paper.

use anyhow::bail;

use super::resolve_files;
use crate::catalog::Catalog;
use crate::cli::args::CaptionCmd;
use crate::cli::{say, Exit};
use crate::config::Config;
use crate::curate::caption_import;
use crate::curate::captions::{self, CaptionEdit};
use crate::curate::collections;
use crate::curate::Actor;
use crate::i18n::Msg;

pub(in crate::cli) fn caption(cfg: &Config, c: CaptionCmd) -> anyhow::Result<Exit> {
    let me = Actor::local_operator();
    match c {
        CaptionCmd::Set {
            files,
            collection,
            title,
            photographer,
            people,
            background,
            description,
            place,
            taken,
            reason,
        } => {
            let mut edit = CaptionEdit::default();
            for (field, v) in [
                ("title", title),
                ("photographer", photographer),
                ("people", people),
                ("background", background),
                ("description", description),
                ("place", place),
                ("taken", taken),
            ] {
                if let Some(v) = v {
                    edit.set(field, &v)?;
                }
            }
            if files.is_empty() && collection.is_none() {
                bail!("{}", say(Msg::CliCaptionNoFiles, &[]));
            }
            let mut cat = Catalog::open_existing(&cfg.archive_dir)?;
            let mut ids = resolve_files(&cat, &files)?;
            if let Some(name) = &collection {
                let detail = collections::show(&cat, &me, name)?;
                for item in detail.items {
                    if !ids.contains(&item.file_id) {
                        ids.push(item.file_id);
                    }
                }
            }
            let targets = contents(&cat, &ids)?;
            let out = captions::set(&cat, &me, &targets, &edit, reason.as_deref())?;
            let updated = sync(&mut cat, cfg)?;
            println!(
                "{}",
                say(
                    Msg::CliCaptionSet,
                    &[
                        ("changed", &out.changed),
                        ("unchanged", &out.unchanged),
                        ("updated", &updated)
                    ]
                )
            );
        }
        CaptionCmd::Import { file } => {
            let mut cat = Catalog::open_existing(&cfg.archive_dir)?;
            let r = caption_import::import(&cat, &me, &file)?;
            let updated = sync(&mut cat, cfg)?;
            println!(
                "{}",
                say(
                    Msg::CliCaptionImported,
                    &[
                        ("rows", &r.rows),
                        ("changed", &r.outcome.changed),
                        ("unchanged", &r.outcome.unchanged),
                        ("updated", &updated)
                    ]
                )
            );
        }
    }
    Ok(Exit::Ok)
}

/// (BLAKE3, path) of each file's content, once per content; a file without one (unreadable)
/// is refused by name.
fn contents(cat: &Catalog, ids: &[i64]) -> anyhow::Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for row in collections::file_rows(cat, ids)? {
        let Some(b3) = row.blake3.clone() else {
            bail!(
                "{}",
                say(Msg::CliCaptionNoContent, &[("path", &row.display_path())])
            );
        };
        if !out.iter().any(|(b, _)| *b == b3) {
            out.push((b3, row.display_path()));
        }
    }
    Ok(out)
}

/// The search documents of the captioned files, rewritten. Needs the index writer lock.
fn sync(cat: &mut Catalog, cfg: &Config) -> crate::Result<usize> {
    let _only_run = crate::pipeline::RunLock::take(&cfg.archive_dir)?;
    let schema = cfg.schema()?;
    crate::pipeline::sync_index(cat, cfg, &schema)
}

/// `archive print`: the collection's contact sheets as a PDF.
pub(in crate::cli) fn print(
    cfg: &Config,
    collection: &str,
    out: &std::path::Path,
    per_page: usize,
    prefix: Option<String>,
    font: Option<std::path::PathBuf>,
) -> anyhow::Result<Exit> {
    let me = Actor::local_operator();
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    let items = crate::print::gather::collection_items(&cat, &me, collection, &cfg.thumbs_dir())?;
    let font = match font {
        Some(f) if !f.is_file() => bail!(
            "{}：字体文件不存在 / the font file does not exist",
            f.display()
        ),
        Some(f) => Some(f),
        None => crate::print::font::find_font(),
    };
    let printed = crate::print::contact_sheet(
        &items,
        &crate::print::SheetOptions {
            title: collection.to_string(),
            per_page,
            prefix,
            date: chrono::Local::now().format("%Y-%m-%d").to_string(),
            font,
        },
    );
    std::fs::write(out, &printed.pdf).map_err(|e| crate::Error::io(out, e))?;
    println!(
        "{}",
        say(
            Msg::CliPrinted,
            &[
                ("path", &out.display()),
                ("pages", &printed.pages),
                ("pictures", &printed.pictures),
                ("items", &items.len()),
                ("font", &printed.font)
            ]
        )
    );
    Ok(Exit::Ok)
}
