//! `archive collection`, `tag` and `audit`: curation from the command line, as the local
//! operator (an admin under the OS user name, see [`Actor::local_operator`]).

use crate::cli::say;
use crate::i18n::Msg;
use std::io::Write;

use anyhow::bail;

use super::{parse_filters, refresh_tags, resolve_files, stdout_err};
use crate::catalog::Catalog;
use crate::cli::args::{CollectionCmd, FlagCmd, TagCmd};
use crate::cli::{print, Exit};
use crate::config::Config;
use crate::curate::audit::{self, AuditQuery};
use crate::curate::collections::{self, Review};
use crate::curate::{flags, tags, Actor, CurateError};
use crate::tag::TagKind;

pub(in crate::cli) fn collection(cfg: &Config, c: CollectionCmd) -> anyhow::Result<Exit> {
    // Opened in each arm after the flags are checked, so a flag error is reported first.
    let open = || Catalog::open_existing(&cfg.archive_dir);
    let me = Actor::local_operator();
    match c {
        CollectionCmd::Create { name, description } => {
            let cat = open()?;
            let c = collections::create(&cat, &me, &name, &description)?;
            println!("{}", say(Msg::CliCollectionCreated, &[("name", &c.name)]));
        }
        CollectionCmd::Rename { name, new_name } => {
            let cat = open()?;
            collections::rename(&cat, &me, &name, &new_name)?;
            println!(
                "{}",
                say(
                    Msg::CliCollectionRenamed,
                    &[("name", &name), ("new_name", &new_name)]
                )
            );
        }
        CollectionCmd::Describe { name, description } => {
            let cat = open()?;
            collections::describe(&cat, &me, &name, &description)?;
            println!("{}", say(Msg::CliCollectionDescribed, &[("name", &name)]));
        }
        CollectionCmd::Add {
            name,
            files,
            query,
            filters,
        } => {
            let filters = parse_filters(&filters)?;
            let cat = open()?;
            let mut ids = resolve_files(&cat, &files)?;
            if query.is_some() || !filters.is_empty() {
                let schema = cfg.schema()?;
                let idx = crate::index::SearchIndex::open(&cfg.index_dir())?;
                let query = query.as_deref().unwrap_or("");
                for id in collections::files_for_query(&idx, &schema, query, &filters)? {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
            }
            if ids.is_empty() {
                return Err(CurateError::Invalid(
                    "nothing to add: give files (paths or BLAKE3) or a --query that matches".into(),
                )
                .into());
            }
            let o = collections::add_files(&cat, &me, &name, &ids)?;
            println!(
                "{}",
                say(
                    Msg::CliCollectionAdded,
                    &[
                        ("added", &o.added),
                        ("name", &name),
                        ("already", &o.already)
                    ]
                )
            );
        }
        CollectionCmd::Remove {
            name,
            files,
            reason,
        } => {
            let cat = open()?;
            let ids = in_collection(&cat, &me, &name, &files)?;
            let n = collections::remove_files(&cat, &me, &name, &ids, reason.as_deref())?;
            println!(
                "{}",
                say(Msg::CliCollectionRemoved, &[("n", &n), ("name", &name)])
            );
        }
        CollectionCmd::Move { name, file, to } => {
            let cat = open()?;
            let ids = in_collection(&cat, &me, &name, std::slice::from_ref(&file))?;
            if ids.len() != 1 {
                return Err(CurateError::Invalid(format!(
                    "{file} names {} files; give one path",
                    ids.len()
                ))
                .into());
            }
            collections::move_item(&cat, &me, &name, ids[0], to)?;
            println!("{}", say(Msg::CliMoved, &[("to", &to)]));
        }
        CollectionCmd::Review {
            name,
            files,
            accept,
            reject,
            pending,
            reason,
        } => {
            let state = match (accept, reject, pending) {
                (true, _, _) => Review::Accepted,
                (_, true, _) => Review::Rejected,
                (_, _, true) => Review::Pending,
                _ => bail!("{}", say(Msg::CliReviewMissing, &[])),
            };
            let cat = open()?;
            let ids = in_collection(&cat, &me, &name, &files)?;
            let n = collections::review(&cat, &me, &name, &ids, state, reason.as_deref())?;
            println!(
                "{}",
                say(Msg::CliReviewed, &[("n", &n), ("state", &state.as_str())])
            );
        }
        CollectionCmd::Delete { name, reason } => {
            let cat = open()?;
            collections::delete(&cat, &me, &name, reason.as_deref())?;
            println!("{}", say(Msg::CliCollectionDeleted, &[("name", &name)]));
        }
        CollectionCmd::List { json } => {
            let cat = open()?;
            let list = collections::list(&cat, &me)?;
            let mut out = std::io::stdout().lock();
            if json {
                print::json_pretty(&mut out, &list).map_err(stdout_err)?;
            } else {
                print::collections(&mut out, &list).map_err(stdout_err)?;
            }
        }
        CollectionCmd::Show { name, json } => {
            let cat = open()?;
            let d = collections::show(&cat, &me, &name)?;
            let mut out = std::io::stdout().lock();
            if json {
                print::json_pretty(&mut out, &d).map_err(stdout_err)?;
            } else {
                print::collection(&mut out, &d).map_err(stdout_err)?;
            }
        }
    }
    Ok(Exit::Ok)
}

/// File ids for what the user typed about a collection's items: a catalogued path or BLAKE3
/// as anywhere, or else a file name (`IMG_0001.jpg`) or the end of a path (`B4.1/IMG_0001.jpg`)
/// that names one item of the collection; several items are listed so the user can choose.
fn in_collection(
    cat: &Catalog,
    me: &Actor,
    name: &str,
    targets: &[String],
) -> anyhow::Result<Vec<i64>> {
    let mut items = None;
    let mut ids = Vec::new();
    for t in targets {
        let found = match collections::resolve_target(cat, t) {
            Ok(rows) => rows.into_iter().map(|r| r.id).collect(),
            Err(CurateError::NotFound(why)) => {
                let items = match &mut items {
                    Some(i) => i,
                    None => items.insert(collections::show(cat, me, name)?.items),
                };
                let want = t.trim().trim_start_matches("./");
                let suffix = format!("/{want}");
                let hits: Vec<&collections::Item> = items
                    .iter()
                    .filter(|i| i.path == want || i.path.ends_with(&suffix))
                    .collect();
                match hits.as_slice() {
                    [] => return Err(CurateError::NotFound(why).into()),
                    [one] => vec![one.file_id],
                    many => {
                        let paths: Vec<&str> = many.iter().map(|i| i.path.as_str()).collect();
                        bail!(
                            "{}",
                            say(
                                Msg::CliNameAmbiguous,
                                &[
                                    ("name", &want),
                                    ("collection", &name),
                                    ("paths", &format!("\n  {}", paths.join("\n  ")))
                                ]
                            )
                        )
                    }
                }
            }
            Err(e) => return Err(e.into()),
        };
        for id in found {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    Ok(ids)
}

/// `archive tag set|clear`, then retagging and reindexing so search shows the change at once.
pub(in crate::cli) fn tag(cfg: &Config, t: TagCmd) -> anyhow::Result<Exit> {
    match t {
        TagCmd::Set {
            files,
            indicator,
            prefecture,
            county,
            reason,
        } => {
            let (kind, value) = match (indicator, prefecture, county) {
                (Some(v), _, _) => (TagKind::Indicator, v),
                (_, Some(v), _) => (TagKind::Prefecture, v),
                (_, _, Some(v)) => (TagKind::County, v),
                _ => bail!("{}", say(Msg::CliTagMissing, &[])),
            };
            let schema = cfg.schema()?;
            let mut cat = Catalog::open_existing(&cfg.archive_dir)?;
            let ids = resolve_files(&cat, &files)?;
            let me = Actor::local_operator();
            let r = tags::set(&cat, &schema, &me, &ids, kind, &value, reason.as_deref())?;
            let (_, updated) = refresh_tags(&mut cat, cfg, &schema)?;
            println!(
                "{}",
                say(
                    Msg::CliTagSet,
                    &[
                        ("n", &ids.len()),
                        ("code", &r.code),
                        ("name", &r.name),
                        ("updated", &updated)
                    ]
                )
            );
        }
        TagCmd::Clear {
            files,
            kind,
            reason,
        } => {
            let schema = cfg.schema()?;
            let mut cat = Catalog::open_existing(&cfg.archive_dir)?;
            let ids = resolve_files(&cat, &files)?;
            let me = Actor::local_operator();
            let n = tags::clear(&cat, &me, &ids, kind.into(), reason.as_deref())?;
            let (_, updated) = refresh_tags(&mut cat, cfg, &schema)?;
            println!(
                "{}",
                say(Msg::CliTagCleared, &[("n", &n), ("updated", &updated)])
            );
        }
    }
    Ok(Exit::Ok)
}

/// `archive flag resolve|reopen`, then retagging and reindexing so the 需核查 counts follow.
pub(in crate::cli) fn flag(cfg: &Config, f: FlagCmd) -> anyhow::Result<Exit> {
    let (file, flag) = match &f {
        FlagCmd::Resolve { file, flag, .. } | FlagCmd::Reopen { file, flag, .. } => (file, flag),
    };
    let schema = cfg.schema()?;
    let mut cat = Catalog::open_existing(&cfg.archive_dir)?;
    let rows = collections::resolve_target(&cat, file)?;
    let blake3 = rows[0].blake3.clone().ok_or_else(|| {
        CurateError::Invalid(format!(
            "{file}: 无法读取，没有内容哈希 / it has no content hash (it could not be read)"
        ))
    })?;
    let target = flags::target(&cat, &blake3, flag)?;
    let me = Actor::local_operator();
    let label = target.flag.label(crate::cli::lang());
    let files = target.files.len();
    match f {
        FlagCmd::Resolve { state, note, .. } => {
            let d = flags::resolve(&cat, &me, &target, state, note.as_deref())?;
            let (_, updated) = refresh_tags(&mut cat, cfg, &schema)?;
            let state = crate::present::resolution_state(crate::cli::lang(), &d.state);
            println!(
                "{}",
                say(
                    Msg::CliFlagResolved,
                    &[
                        ("flag", &label),
                        ("state", &state),
                        ("files", &files),
                        ("updated", &updated)
                    ]
                )
            );
        }
        FlagCmd::Reopen { note, .. } => {
            flags::reopen(&cat, &me, &target, note.as_deref())?;
            let (_, updated) = refresh_tags(&mut cat, cfg, &schema)?;
            println!(
                "{}",
                say(
                    Msg::CliFlagReopened,
                    &[("flag", &label), ("files", &files), ("updated", &updated)]
                )
            );
        }
    }
    Ok(Exit::Ok)
}

/// `archive audit`: print or export the log (one JSON object per line with `--json`).
pub(in crate::cli) fn audit_show(
    cfg: &Config,
    json: bool,
    file: Option<&str>,
) -> anyhow::Result<Exit> {
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    let file = match file {
        Some(f) if f.len() == 64 => Some(f.to_lowercase()),
        Some(f) => {
            let rows = collections::resolve_target(&cat, f)?;
            Some(rows[0].blake3.clone().ok_or_else(|| {
                CurateError::Invalid(format!("{f} has no content hash (it could not be read)"))
            })?)
        }
        None => None,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let out_err = |e: std::io::Error| CurateError::from(stdout_err(e));
    let query = AuditQuery {
        file,
        ..Default::default()
    };
    audit::for_each(cat.conn(), &query, |e| {
        if json {
            serde_json::to_writer(&mut out, &audit::to_json_line(&e))
                .map_err(|e| out_err(e.into()))?;
            writeln!(out).map_err(out_err)
        } else {
            print::audit_entry(&mut out, &e).map_err(out_err)
        }
    })?;
    out.flush().map_err(stdout_err)?;
    Ok(Exit::Ok)
}

/// `archive audit verify`: 0 when the chain holds, 2 naming the first bad entry.
pub(in crate::cli) fn audit_verify(cfg: &Config, json: bool) -> anyhow::Result<Exit> {
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    let r = audit::verify(cat.conn())?;
    let mut out = std::io::stdout().lock();
    if json {
        print::json_pretty(&mut out, &r).map_err(stdout_err)?;
    } else {
        print::audit_chain(&mut out, &r).map_err(stdout_err)?;
    }
    Ok(Exit::intact(r.intact()))
}
