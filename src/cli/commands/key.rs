//! `archive key init|show`: the office's package-signing key. The private half stays in the
//! archive folder; what this prints is the public half, for the office to publish so that
//! inspectors can tell its packages from anyone else's (issue 20, finding 6).

use std::path::Path;

use anyhow::bail;

use super::stdout_err;
use crate::cli::args::KeyCmd;
use crate::cli::{lang, Exit};
use crate::export::sign::{self, OfficeKey};
use crate::i18n::Msg;

pub(in crate::cli) fn key(archive_dir: &Path, cmd: KeyCmd) -> anyhow::Result<Exit> {
    if !archive_dir.is_dir() {
        bail!(
            "档案库目录 {dir} 不存在：请先运行 archive index，或用 --archive 指定档案库 / \
             the archive folder {dir} does not exist: run archive index first, or name it with --archive",
            dir = archive_dir.display()
        );
    }
    let l = lang();
    let mut out = std::io::stdout().lock();
    use std::io::Write;
    match cmd {
        KeyCmd::Init => {
            let key = OfficeKey::init(archive_dir)?;
            let path = sign::private_key_path(archive_dir);
            writeln!(
                out,
                "{}",
                l.fill(Msg::KeyCreated, &[("path", &path.display())])
            )
            .map_err(stdout_err)?;
            show(&mut out, &key)?;
        }
        KeyCmd::Show { json } => {
            let Some(key) = OfficeKey::load(archive_dir)? else {
                bail!(
                    "{}",
                    l.fill(
                        Msg::KeyNone,
                        &[("path", &sign::private_key_path(archive_dir).display())]
                    )
                );
            };
            if json {
                let p = key.public();
                let v = serde_json::json!({
                    "algorithm": "Ed25519",
                    "fingerprint": p.fingerprint(),
                    "public_key_hex": p.hex(),
                    "public_key_base64": p.base64(),
                    "public_key_pem": p.pem(),
                });
                crate::cli::print::json_pretty(&mut out, &v).map_err(stdout_err)?;
            } else {
                show(&mut out, &key)?;
            }
        }
    }
    Ok(Exit::Ok)
}

fn show(out: &mut impl std::io::Write, key: &OfficeKey) -> anyhow::Result<()> {
    let p = key.public();
    let text = lang().fill(
        Msg::KeyShow,
        &[
            ("fingerprint", &p.fingerprint()),
            ("hex", &p.hex()),
            ("base64", &p.base64()),
        ],
    );
    writeln!(out, "{text}\n\n{}", p.pem()).map_err(stdout_err)?;
    Ok(())
}
