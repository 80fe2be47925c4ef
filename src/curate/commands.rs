//! The command-line side of curation and export: `cli` parses flags and calls these, which
//! resolve what the user typed (paths, hashes, queries), call the library as the local
//! operator and print the outcome. Kept here so `cli.rs` stays a parser.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use super::audit::{self, AuditQuery};
use super::collections::{self, Review};
use super::{tags, users, Actor, CurateError, CurateResult, Role};
use crate::catalog::Catalog;
use crate::config::Config;
use crate::export::{self, ExportOptions};
use crate::tag::TagKind;

fn out_err(e: std::io::Error) -> CurateError {
    CurateError::from(crate::Error::io("<stdout>", e))
}

fn print_json(v: &impl serde::Serialize) -> CurateResult<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v).map_err(|e| out_err(e.into()))?;
    writeln!(out).map_err(out_err)
}

/// File ids for what the user typed, in the order given, each once.
pub fn resolve_files(cat: &Catalog, targets: &[String]) -> CurateResult<Vec<i64>> {
    let mut ids = Vec::new();
    for t in targets {
        for row in collections::resolve_target(cat, t)? {
            if !ids.contains(&row.id) {
                ids.push(row.id);
            }
        }
    }
    Ok(ids)
}

pub fn collection_create(cfg: &Config, name: &str, description: &str) -> CurateResult<u8> {
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    let c = collections::create(&cat, &Actor::local_operator(), name, description)?;
    println!("collection {:?} created", c.name);
    Ok(0)
}

pub fn collection_rename(cfg: &Config, name: &str, new_name: &str) -> CurateResult<u8> {
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    collections::rename(&cat, &Actor::local_operator(), name, new_name)?;
    println!("collection {name:?} is now {new_name:?}");
    Ok(0)
}

pub fn collection_describe(cfg: &Config, name: &str, description: &str) -> CurateResult<u8> {
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    collections::describe(&cat, &Actor::local_operator(), name, description)?;
    println!("description of {name:?} set");
    Ok(0)
}

/// Add files named on the command line and/or every result of a query.
pub fn collection_add(
    cfg: &Config,
    name: &str,
    files: &[String],
    query: Option<&str>,
    filters: &[(String, String)],
) -> CurateResult<u8> {
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    let mut ids = resolve_files(&cat, files)?;
    if query.is_some() || !filters.is_empty() {
        let schema = cfg.schema()?;
        let idx = crate::index::SearchIndex::open(&cfg.index_dir())?;
        for id in collections::files_for_query(&idx, &schema, query.unwrap_or(""), filters)? {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    if ids.is_empty() {
        return Err(CurateError::Invalid(
            "nothing to add: give files (paths or BLAKE3) or a --query that matches".into(),
        ));
    }
    let o = collections::add_files(&cat, &Actor::local_operator(), name, &ids)?;
    println!("{} added to {name:?}, {} already there", o.added, o.already);
    Ok(0)
}

pub fn collection_remove(
    cfg: &Config,
    name: &str,
    files: &[String],
    reason: Option<&str>,
) -> CurateResult<u8> {
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    let ids = resolve_files(&cat, files)?;
    let n = collections::remove_files(&cat, &Actor::local_operator(), name, &ids, reason)?;
    println!("{n} removed from {name:?}");
    Ok(0)
}

pub fn collection_move(cfg: &Config, name: &str, file: &str, to: i64) -> CurateResult<u8> {
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    let ids = resolve_files(&cat, &[file.to_string()])?;
    if ids.len() != 1 {
        return Err(CurateError::Invalid(format!(
            "{file} names {} files; give one path",
            ids.len()
        )));
    }
    collections::move_item(&cat, &Actor::local_operator(), name, ids[0], to)?;
    println!("moved to position {to}");
    Ok(0)
}

pub fn collection_review(
    cfg: &Config,
    name: &str,
    files: &[String],
    state: Review,
    reason: Option<&str>,
) -> CurateResult<u8> {
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    let ids = resolve_files(&cat, files)?;
    let n = collections::review(&cat, &Actor::local_operator(), name, &ids, state, reason)?;
    println!("{n} marked {}", state.as_str());
    Ok(0)
}

pub fn collection_delete(cfg: &Config, name: &str, reason: Option<&str>) -> CurateResult<u8> {
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    collections::delete(&cat, &Actor::local_operator(), name, reason)?;
    println!("collection {name:?} deleted (files, tags and the audit log are kept)");
    Ok(0)
}

pub fn collection_list(cfg: &Config, json: bool) -> CurateResult<u8> {
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    let list = collections::list(&cat, &Actor::local_operator())?;
    if json {
        print_json(&list)?;
    } else {
        for c in &list {
            println!(
                "{}\t{} items ({} accepted, {} rejected)\t{}",
                c.name, c.items, c.accepted, c.rejected, c.description
            );
        }
    }
    Ok(0)
}

pub fn collection_show(cfg: &Config, name: &str, json: bool) -> CurateResult<u8> {
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    let d = collections::show(&cat, &Actor::local_operator(), name)?;
    if json {
        print_json(&d)?;
    } else {
        println!("{} — {} items", d.collection.name, d.collection.items);
        if !d.collection.description.is_empty() {
            println!("{}", d.collection.description);
        }
        for i in &d.items {
            let why = i
                .review_reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            println!(
                "{:>4}. [{}{}] {}",
                i.position,
                i.review.as_str(),
                why,
                i.path
            );
        }
    }
    Ok(0)
}

pub fn tag_set(
    cfg: &Config,
    files: &[String],
    kind: TagKind,
    value: &str,
    reason: Option<&str>,
) -> CurateResult<u8> {
    let schema = cfg.schema()?;
    let mut cat = Catalog::open_existing(&cfg.archive_dir)?;
    let ids = resolve_files(&cat, files)?;
    let r = tags::set(
        &cat,
        &schema,
        &Actor::local_operator(),
        &ids,
        kind,
        value,
        reason,
    )?;
    let (_, updated) = tags::refresh(&mut cat, cfg, &schema)?;
    println!(
        "{} file(s) set to {} {} (manual); {updated} search documents updated",
        ids.len(),
        r.code,
        r.name
    );
    Ok(0)
}

pub fn tag_clear(
    cfg: &Config,
    files: &[String],
    kind: TagKind,
    reason: Option<&str>,
) -> CurateResult<u8> {
    let schema = cfg.schema()?;
    let mut cat = Catalog::open_existing(&cfg.archive_dir)?;
    let ids = resolve_files(&cat, files)?;
    let n = tags::clear(&cat, &Actor::local_operator(), &ids, kind, reason)?;
    let (_, updated) = tags::refresh(&mut cat, cfg, &schema)?;
    println!("manual tag cleared on {n} file(s); {updated} search documents updated");
    Ok(0)
}

/// `archive audit`: print or export the log (one JSON object per line with `--json`).
pub fn audit_show(cfg: &Config, json: bool, file: Option<&str>) -> CurateResult<u8> {
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
    audit::for_each(
        cat.conn(),
        &AuditQuery {
            file,
            ..Default::default()
        },
        |e| {
            if json {
                serde_json::to_writer(&mut out, &audit::to_json_line(&e))
                    .map_err(|e| out_err(e.into()))?;
                writeln!(out).map_err(out_err)
            } else {
                let reason = e
                    .reason
                    .as_deref()
                    .map(|r| format!(" — {r}"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{:>5}  {}  {} ({})  {}  {}{}  {}",
                    e.seq, e.at, e.who, e.role, e.action, e.subject, reason, e.details
                )
                .map_err(out_err)
            }
        },
    )?;
    out.flush().map_err(out_err)?;
    Ok(0)
}

/// `archive audit verify`: 0 when the chain holds, 2 naming the first bad entry.
pub fn audit_verify(cfg: &Config, json: bool) -> CurateResult<u8> {
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    let r = audit::verify(cat.conn())?;
    if json {
        print_json(&r)?;
    } else if let Some(bad) = &r.first_bad {
        println!("audit log BROKEN at entry {}: {}", bad.seq, bad.problem);
    } else {
        println!(
            "audit log intact: {} entries, every hash and link checks",
            r.entries
        );
    }
    Ok(if r.intact() { 0 } else { 2 })
}

/// Read a password: the first line of standard input with `from_stdin`, else from the
/// terminal without echo, twice.
pub fn read_new_password(from_stdin: bool) -> CurateResult<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CurateError::from(crate::Error::io("<stdin>", e)))?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_string());
    }
    let first = prompt_password("New password: ")?;
    let second = prompt_password("Again: ")?;
    if first != second {
        return Err(CurateError::Invalid(
            "the two passwords differ; nothing was changed".into(),
        ));
    }
    Ok(first)
}

/// One line from the terminal with echo off (restored even when reading fails).
fn prompt_password(prompt: &str) -> CurateResult<String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(CurateError::Invalid(
            "no terminal to ask the password on: pipe it in with --password-stdin".into(),
        ));
    }
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let fd = libc::STDIN_FILENO;
    // SAFETY: termios is plain data; tcgetattr fills it for a terminal fd checked above.
    let mut old: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(fd, &mut old) } != 0 {
        return Err(CurateError::Invalid(
            "cannot switch the terminal's echo off: use --password-stdin".into(),
        ));
    }
    let mut quiet = old;
    quiet.c_lflag &= !libc::ECHO;
    quiet.c_lflag |= libc::ECHONL;
    // SAFETY: same fd, a termios derived from the one the system gave us.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &quiet) };
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    // SAFETY: restores the settings read above.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &old) };
    read.map_err(|e| CurateError::from(crate::Error::io("<terminal>", e)))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

pub fn user_add(
    archive_dir: &Path,
    name: &str,
    role: Role,
    password_stdin: bool,
) -> CurateResult<u8> {
    let password = read_new_password(password_stdin)?;
    users::add(archive_dir, &Actor::local_operator(), name, role, &password)?;
    println!("user {name} added as {role}");
    Ok(0)
}

pub fn user_list(archive_dir: &Path, json: bool) -> CurateResult<u8> {
    let list = users::list(archive_dir)?;
    if json {
        print_json(&list)?;
    } else if list.is_empty() {
        println!("no users: the page is open to the local machine only (add one with `archive user add NAME --role admin`)");
    } else {
        for u in list {
            println!("{}\t{}", u.name, u.role);
        }
    }
    Ok(0)
}

pub fn user_remove(archive_dir: &Path, name: &str, reason: Option<&str>) -> CurateResult<u8> {
    users::remove(archive_dir, &Actor::local_operator(), name, reason)?;
    println!("user {name} removed");
    Ok(0)
}

pub fn user_passwd(archive_dir: &Path, name: &str, password_stdin: bool) -> CurateResult<u8> {
    let password = read_new_password(password_stdin)?;
    users::set_password(archive_dir, &Actor::local_operator(), name, &password)?;
    println!("password of {name} changed");
    Ok(0)
}

pub fn user_role(
    archive_dir: &Path,
    name: &str,
    role: Role,
    reason: Option<&str>,
) -> CurateResult<u8> {
    users::set_role(archive_dir, &Actor::local_operator(), name, role, reason)?;
    println!("{name} is now {role}");
    Ok(0)
}

pub fn export(
    cfg: &Config,
    collection: &str,
    out: &Path,
    zip: bool,
    include_rejected: bool,
    json: bool,
) -> CurateResult<u8> {
    let schema = cfg.schema()?;
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    let opts = ExportOptions {
        collection: collection.to_string(),
        out: out.to_path_buf(),
        zip,
        include_rejected,
        source_organization: cfg.source_organization.clone(),
    };
    let s = export::export_collection(&cat, &schema, &Actor::local_operator(), &opts)?;
    if json {
        print_json(&s)?;
    } else {
        println!(
            "package written to {}: {} files, {} bytes (Payload-Oxum {}), {} thumbnails, {} audit entries{}",
            s.out.display(),
            s.files,
            s.bytes,
            s.payload_oxum,
            s.thumbnails,
            s.audit_entries,
            if s.rejected_left_out > 0 { format!("; {} rejected items left out", s.rejected_left_out) } else { String::new() }
        );
        println!(
            "tagmanifest-sha256.txt SHA-256 {} (recorded in the audit log)",
            s.tagmanifest_sha256
        );
    }
    Ok(0)
}

/// `archive verify PKG`: 0 only when the bag is intact, 2 when anything is wrong.
pub fn verify(path: &Path, json: bool) -> CurateResult<u8> {
    let r = export::verify_bag(path)?;
    if json {
        print_json(&r)?;
    } else {
        for p in &r.problems {
            let kind = match p.kind {
                export::ProblemKind::Missing => "MISSING",
                export::ProblemKind::Changed => "CHANGED",
                export::ProblemKind::Extra => "EXTRA",
                export::ProblemKind::Bag => "BAG",
            };
            println!("{kind} {}: {}", p.path, p.detail);
        }
        for n in &r.notes {
            println!("note: {n}");
        }
        if r.intact() {
            println!(
                "{}: intact — {} payload files, {} bytes, checked against {}",
                r.bag,
                r.payload_files,
                r.payload_bytes,
                r.manifests_checked.join(", ")
            );
        } else {
            println!("{}: NOT intact — {} problem(s)", r.bag, r.problems.len());
        }
    }
    Ok(if r.intact() { 0 } else { 2 })
}
