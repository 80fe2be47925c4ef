//! `archive user`: who may sign in to the page. Passwords are asked here, on the terminal
//! without echo (or read from stdin for scripts); the library only ever sees the text.

use crate::cli::say;
use crate::i18n::Msg;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use super::stdout_err;
use crate::cli::args::UserCmd;
use crate::cli::{print, Exit};
use crate::curate::{users, Actor, CurateError, Role};

pub(in crate::cli) fn user(archive_dir: &Path, u: UserCmd) -> anyhow::Result<Exit> {
    let me = Actor::local_operator();
    match u {
        UserCmd::Add {
            name,
            role,
            password_stdin,
        } => {
            let role: Role = role.into();
            let password = read_new_password(password_stdin)?;
            users::add(archive_dir, &me, &name, role, &password)?;
            println!(
                "{}",
                say(Msg::CliUserAdded, &[("name", &name), ("role", &role)])
            );
        }
        UserCmd::List { json } => {
            let list = users::list(archive_dir)?;
            let mut out = std::io::stdout().lock();
            if json {
                print::json_pretty(&mut out, &list).map_err(stdout_err)?;
            } else {
                print::users(&mut out, &list).map_err(stdout_err)?;
            }
        }
        UserCmd::Remove { name, reason } => {
            users::remove(archive_dir, &me, &name, reason.as_deref())?;
            println!("{}", say(Msg::CliUserRemoved, &[("name", &name)]));
        }
        UserCmd::Passwd {
            name,
            password_stdin,
        } => {
            let password = read_new_password(password_stdin)?;
            users::set_password(archive_dir, &me, &name, &password)?;
            println!("{}", say(Msg::CliPasswordChanged, &[("name", &name)]));
        }
        UserCmd::Role { name, role, reason } => {
            let role: Role = role.into();
            users::set_role(archive_dir, &me, &name, role, reason.as_deref())?;
            println!(
                "{}",
                say(Msg::CliRoleSet, &[("name", &name), ("role", &role)])
            );
        }
    }
    Ok(Exit::Ok)
}

/// Read a password: the first line of standard input with `from_stdin`, else from the
/// terminal without echo, twice.
fn read_new_password(from_stdin: bool) -> Result<String, CurateError> {
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

/// One line from the terminal with echo off; `rpassword` restores the terminal even when
/// reading fails.
fn prompt_password(prompt: &str) -> Result<String, CurateError> {
    if !std::io::stdin().is_terminal() {
        return Err(CurateError::Invalid(
            "no terminal to ask the password on: pipe it in with --password-stdin".into(),
        ));
    }
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    rpassword::read_password().map_err(|e| CurateError::from(crate::Error::io("<terminal>", e)))
}
