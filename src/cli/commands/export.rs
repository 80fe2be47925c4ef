//! `archive export` and `archive verify`: evidence packages out of a curated collection, and
//! the check an inspector runs on one.

use std::io::Write;
use std::path::Path;

use super::stdout_err;
use crate::catalog::Catalog;
use crate::cli::args::ExportArgs;
use crate::cli::{lang, print, Exit};
use crate::config::Config;
use crate::curate::Actor;
use crate::export::sign::{private_key_path, OfficeKey, SignatureState, Trusted};
use crate::export::{self, ExportOptions};
use crate::i18n::{Lang, Msg};

pub(in crate::cli) fn export(cfg: &Config, a: ExportArgs) -> anyhow::Result<Exit> {
    let schema = cfg.schema()?;
    let cat = Catalog::open_existing(&cfg.archive_dir)?;
    let signing_key = OfficeKey::load(&cfg.archive_dir)?;
    if a.sign && signing_key.is_none() {
        anyhow::bail!(
            "{} / {}",
            Lang::Zh.fill(
                Msg::KeyNone,
                &[("path", &private_key_path(&cfg.archive_dir).display())]
            ),
            Lang::En.fill(
                Msg::KeyNone,
                &[("path", &private_key_path(&cfg.archive_dir).display())]
            )
        );
    }
    let opts = ExportOptions {
        collection: a.collection,
        out: a.out,
        zip: a.zip,
        include_rejected: a.include_rejected,
        source_organization: cfg.source_organization.clone(),
        signing_key,
        period: Some((cfg.tag.period_start, cfg.tag.period_end)),
    };
    let s = export::export_collection(&cat, &schema, &Actor::local_operator(), &opts)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        print::json_pretty(&mut out, &s).map_err(stdout_err)?;
    } else {
        print::export_summary(&mut out, &s).map_err(stdout_err)?;
    }
    let l = lang();
    match &s.signed_by {
        Some(fp) if !a.json => writeln!(
            out,
            "{}",
            l.fill(Msg::ExportSignedBy, &[("fingerprint", fp)])
        )
        .map_err(stdout_err)?,
        Some(_) => {}
        // An unsigned package is still a good package: said on stderr, the run succeeds.
        None => eprintln!("{}", l.t(Msg::ExportUnsigned)),
    }
    Ok(Exit::Ok)
}

/// `archive verify PKG [--key K]`: 0 only when the bag is intact (and, with `--key`, signed
/// with that key), 2 when anything is wrong.
pub(in crate::cli) fn verify(path: &Path, json: bool, key: Option<&str>) -> anyhow::Result<Exit> {
    let trusted = key.map(Trusted::parse).transpose()?;
    let r = export::verify_bag(path, trusted.as_ref(), lang())?;
    let mut out = std::io::stdout().lock();
    if json {
        print::json_pretty(&mut out, &r).map_err(stdout_err)?;
    } else {
        if let Some(inner) = &r.found_in {
            writeln!(
                out,
                "{}",
                lang().fill(Msg::VerifyFoundInside, &[("path", inner)])
            )
            .map_err(stdout_err)?;
        }
        print::verify_report(&mut out, &r).map_err(stdout_err)?;
        // A bad signature is among the problems above; what a good or missing one proves is
        // said here.
        if r.signature.state != SignatureState::Invalid {
            writeln!(out, "{}", r.signature.summary).map_err(stdout_err)?;
        }
    }
    Ok(Exit::intact(r.intact()))
}
