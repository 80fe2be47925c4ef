//! The command line: [`args`] is its grammar (clap stays inside `cli`), [`commands`] turn
//! parsed flags into a validated [`Config`] and library calls, [`print`] shows the outcome.
//! Nothing in the library depends on this module, so the library can be driven without it
//! (the web page, tests) and the command line can change without touching the library.

mod archive_dir;
mod args;
mod commands;
mod log;
mod print;

use std::process::ExitCode;
use std::sync::OnceLock;

use crate::i18n::Lang;

use clap::Parser;

use args::{AuditCmd, Cli, Command};
use commands::{
    caption, curate, export, index, key, problems, publish, report, search, serve, similar, users,
};

static LANG: OnceLock<Lang> = OnceLock::new();

/// The language this run speaks: `--lang`, else the locale (see [`Lang::from_locale`]).
pub(crate) fn lang() -> Lang {
    LANG.get().copied().unwrap_or(Lang::En)
}

/// `m` in the run's language with its parameters filled.
pub(crate) fn say(m: crate::i18n::Msg, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    lang().fill(m, args)
}

/// How a run ended, as scripts see it in the exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Exit {
    /// The command did what was asked and found nothing wrong.
    Ok = 0,
    /// The command could not run (bad flags, unreadable archive, ...); the message says why.
    Failed = 1,
    /// The command ran and found something wrong: files with problems, a broken audit chain,
    /// a package that is not intact.
    Problems = 2,
}

impl Exit {
    /// `Ok` when `intact`, else `Problems`.
    pub(crate) fn intact(intact: bool) -> Exit {
        if intact {
            Exit::Ok
        } else {
            Exit::Problems
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// Entry point of the binary: runs the command, prints the error chain, maps to an exit code.
pub fn main() -> ExitCode {
    let mut cli = Cli::parse();
    let lang = cli
        .lang
        .unwrap_or_else(|| Lang::from_locale(|k| std::env::var(k).ok()));
    let _ = LANG.set(lang);
    let (archive, origin) = archive_dir::resolve(cli.archive.take());
    if origin == archive_dir::Origin::Remembered && !matches!(cli.command, Command::Sample { .. }) {
        eprintln!(
            "{}",
            say(
                crate::i18n::Msg::CliArchiveFromMemory,
                &[("path", &archive.display())]
            )
        );
    }
    log::init(&archive, cli.verbose);
    match run(cli, archive) {
        Ok(code) => code.into(),
        Err(err) => {
            if is_broken_pipe(&err) {
                return Exit::Ok.into();
            }
            // Errors quote paths and names, which may carry terminal escapes.
            eprintln!("archive: {}", print::shown_lines(&message(&err, lang)));
            Exit::Failed.into()
        }
    }
}

/// The error chain as one line; the library's errors in the run's language.
fn message(err: &anyhow::Error, lang: Lang) -> String {
    err.chain()
        .map(|e| match e.downcast_ref::<crate::Error>() {
            Some(e) => e.localized(lang),
            None => e.to_string(),
        })
        .collect::<Vec<_>>()
        .join(": ")
}

/// A reader that stopped reading (`archive list | head`) is not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    let broken = |io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe;
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(broken)
            || matches!(e.downcast_ref::<crate::Error>(), Some(crate::Error::Io { cause, .. }) if broken(cause))
    })
}

fn run(cli: Cli, archive: std::path::PathBuf) -> anyhow::Result<Exit> {
    let cfg = || {
        crate::config::Config::load(&archive, cli.schema.as_deref()).map_err(anyhow::Error::from)
    };
    match cli.command {
        Command::Index(a) => index::index(&cfg()?, a),
        Command::Search(a) => search::search(&cfg()?, a),
        Command::Show { target, json } => search::show(&cfg()?, &target, json),
        Command::List { filters, json } => search::list(&cfg()?, &filters, json),
        Command::Similar { target, json } => similar::similar(&cfg()?, &target, json),
        Command::Reindex => index::reindex(&cfg()?),
        Command::Ocr(a) => index::ocr(&cfg()?, a),
        Command::Retag => index::retag(&cfg()?),
        Command::Report(a) => report::report(&cfg()?, a),
        Command::Sample { dest } => index::sample(&dest),
        Command::Collection(c) => curate::collection(&cfg()?, c),
        Command::Tag(t) => curate::tag(&cfg()?, t),
        Command::Flag(f) => curate::flag(&cfg()?, f),
        Command::Caption(c) => caption::caption(&cfg()?, c),
        Command::Print {
            collection,
            out,
            per_page,
            prefix,
            font,
        } => caption::print(&cfg()?, &collection, &out, per_page, prefix, font),
        Command::Audit(a) => {
            let cfg = cfg()?;
            match a.command {
                Some(AuditCmd::Verify) => curate::audit_verify(&cfg, a.json),
                None => curate::audit_show(&cfg, a.json, a.file.as_deref()),
            }
        }
        Command::User(u) => users::user(&archive, u),
        Command::Export(a) => export::export(&cfg()?, a),
        Command::Verify { path, json, key } => export::verify(&path, json, key.as_deref()),
        Command::Key(k) => key::key(&archive, k),
        Command::Serve(a) => serve::serve(cfg()?, a, false),
        Command::Demo { serve, evidence } => serve::demo(cfg, serve, evidence),
        Command::Problems(p) => problems::problems(&cfg()?, p),
        Command::Publish(p) => publish::publish(&cfg()?, p),
    }
}
