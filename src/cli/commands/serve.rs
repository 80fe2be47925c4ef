//! `archive serve` and `archive demo`: the web page, behind the rule that a reachable address
//! needs users who sign in.

use crate::cli::say;
use crate::i18n::Msg;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{bail, Context};

use crate::cli::args::ServeArgs;
use crate::cli::{print, Exit};
use crate::config::Config;
use crate::pipeline::{self, IndexOptions};

pub(in crate::cli) fn serve(cfg: Config, a: ServeArgs, demo: bool) -> anyhow::Result<Exit> {
    // Without users there is no sign-in, so a reachable address would show all evidence to
    // anyone on the network; with users, everything (search included) needs a sign-in.
    if !crate::serve::is_loopback(&a.addr) && cfg.users.is_empty() {
        bail!("{}", say(Msg::CliServeNeedsUsers, &[("addr", &a.addr)]));
    }
    let has_users = !cfg.users.is_empty();
    let mut state = crate::serve::AppState::open(cfg)?;
    if !crate::serve::is_loopback(&a.addr) {
        state = state.allowing_remote();
    }
    if a.public_read {
        if has_users {
            eprintln!("{}", say(Msg::CliPublicRead, &[("addr", &a.addr)]));
            tracing::warn!("serving with --public-read on {}", a.addr);
        }
        state = state.public_read();
    }
    let rt = tokio::runtime::Runtime::new().context("starting the web server runtime")?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(a.addr)
            .await
            .with_context(|| format!("cannot listen on {}: is another program (or another archive serve) using it? choose another with --addr", a.addr))?;
        let local = listener.local_addr()?;
        let url = format!("http://{local}/");
        println!(
            "{}",
            say(
                Msg::CliServing,
                &[("archive", &state.config().archive_dir.display()), ("url", &url)]
            )
        );
        if !crate::serve::is_loopback(&local) {
            eprintln!("{}", say(Msg::CliReachable, &[("addr", &local)]));
        }
        if demo && !a.no_browser {
            crate::platform::open_in_browser(&url);
        }
        crate::serve::serve(listener, state, crate::serve::ctrl_c()).await?;
        anyhow::Ok(())
    })?;
    Ok(Exit::Ok)
}

/// `archive demo`: the sample evidence, indexed into the archive folder, then served.
pub(in crate::cli) fn demo(
    cfg: impl FnOnce() -> anyhow::Result<Config>,
    serve_args: ServeArgs,
    evidence: PathBuf,
) -> anyhow::Result<Exit> {
    let summary = crate::sample::generate(&evidence)
        .with_context(|| format!("writing sample evidence to {}", evidence.display()))?;
    println!(
        "{}",
        say(
            Msg::CliSampleWritten,
            &[("path", &evidence.display()), ("n", &summary.files)]
        )
    );
    let cfg = cfg()?;
    let opts = IndexOptions {
        roots: vec![evidence],
        progress: std::io::stderr().is_terminal(),
        lang: crate::cli::lang(),
        ..IndexOptions::default()
    };
    let run = pipeline::run_index(&cfg, &opts)?;
    print::summary(&mut std::io::stdout().lock(), &run, false)?;
    // Said in full and remembered: later commands, run from any folder, use this archive.
    let abs = std::path::absolute(&cfg.archive_dir).unwrap_or_else(|_| cfg.archive_dir.clone());
    let key = match crate::cli::archive_dir::remember(&abs) {
        Some(_) => Msg::CliArchiveRemembered,
        None => Msg::CliArchiveFolder,
    };
    println!("{}", say(key, &[("path", &abs.display())]));
    serve(cfg, serve_args, true)
}
