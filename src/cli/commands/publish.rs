//! `archive publish`: the catalog's records to a national search cluster.

use std::io::Write;
use std::time::Duration;

use super::stdout_err;
use crate::catalog::Catalog;
use crate::cli::args::PublishArgs;
use crate::cli::{lang, print, Exit};
use crate::config::Config;
use crate::i18n::{Lang, Msg};
use crate::publish::{self, Auth, Links, Options, Target};

/// Both languages, as every error of the command line says it.
fn both(msg: impl Fn(Lang) -> String) -> anyhow::Error {
    anyhow::anyhow!("{} / {}", msg(Lang::Zh), msg(Lang::En))
}

fn secret(var: &str) -> anyhow::Result<String> {
    std::env::var(var).map_err(|_| both(|l| l.fill(Msg::PublishNoSecret, &[("var", &var)])))
}

pub(in crate::cli) fn publish(cfg: &Config, a: PublishArgs) -> anyhow::Result<Exit> {
    let mut out = std::io::stdout().lock();
    if a.print_mapping {
        write!(out, "{}", publish::payload::mapping(a.engine, &a.index)).map_err(stdout_err)?;
        return Ok(Exit::Ok);
    }
    if a.to.is_none() && !a.dry_run {
        return Err(both(|l| l.t(Msg::PublishNeedsTarget).to_string()));
    }
    let auth = if let Some(user) = &a.user {
        Auth::Basic {
            user: user.clone(),
            password: secret(a.password_env.as_deref().unwrap_or_default())?,
        }
    } else if let Some(var) = &a.api_key_env {
        Auth::ApiKey(secret(var)?)
    } else if let Some(var) = &a.token_env {
        Auth::Bearer(secret(var)?)
    } else {
        Auth::None
    };
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    let opts = Options {
        target: a.to.clone().map(|url| Target {
            engine: a.engine,
            url,
            index: a.index.clone(),
            auth,
        }),
        engine: a.engine,
        index: a.index.clone(),
        province: a.province.clone(),
        links: Links {
            base_url: a.base_url.clone(),
        },
        text_cap: a.text_cap,
        batch_bytes: a.batch_mb.max(1) * 1024 * 1024,
        dry_run: a.out.clone().filter(|_| a.dry_run),
        backoff: Duration::from_millis(
            std::env::var("ARCHIVE_PUBLISH_BACKOFF_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(1000),
        ),
    };
    let s = publish::publish(&cat, &opts)
        .map_err(|e| anyhow::anyhow!("{} / {}", e.localized(Lang::Zh), e.localized(Lang::En)))?;
    if a.json {
        print::json_pretty(&mut out, &s).map_err(stdout_err)?;
    } else {
        let l = lang();
        let line = match &a.out {
            Some(path) if a.dry_run => l.fill(
                Msg::PublishDryRun,
                &[
                    ("sent", &s.sent.to_string()),
                    ("deleted", &s.deleted.to_string()),
                    ("path", &path.display().to_string()),
                ],
            ),
            _ => l.fill(
                Msg::PublishSummary,
                &[
                    ("sent", &s.sent.to_string()),
                    ("deleted", &s.deleted.to_string()),
                    ("unchanged", &s.unchanged.to_string()),
                    ("batches", &s.batches.to_string()),
                    ("secs", &format!("{:.1}", s.seconds)),
                ],
            ),
        };
        writeln!(out, "{line}").map_err(stdout_err)?;
        if s.refused > 0 {
            writeln!(
                out,
                "{}",
                l.fill(
                    Msg::PublishItemsRefused,
                    &[
                        ("n", &s.refused.to_string()),
                        ("first", &s.first_refusal.as_deref().unwrap_or("")),
                    ]
                )
            )
            .map_err(stdout_err)?;
        }
    }
    Ok(if s.refused > 0 {
        Exit::Failed
    } else {
        Exit::Ok
    })
}
