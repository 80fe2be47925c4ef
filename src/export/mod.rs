//! Export: a collection as an evidence package an inspection can verify on its own machine,
//! years later, without this program.
//!
//! The package is a BagIt 1.0 bag (RFC 8493), as a folder or a zip:
//!
//! ```text
//! bagit.txt  bag-info.txt  manifest-sha256.txt  manifest-sha512.txt
//! tagmanifest-sha256.txt  tagmanifest-sha512.txt
//! data/<市州>/<指标>/<original name>      the evidence, byte for byte
//! ledger.csv  ledger.xlsx  index.html  slideshow.html  captions.xml  contact-sheet.pdf  audit.jsonl  README.txt  thumbs/*.jpg   (tag files)
//! problems.csv  problems.xlsx    when the package holds evidence of problems (问题清单)
//! signer.json  signature.ed25519        when the archive has a signing key (see [`sign`])
//! ```
//!
//! Exporting reads the catalog, never the search index (which is derived and may be stale).
//! Originals are streamed in bounded memory; SHA-256/512 are computed on the bytes as they
//! are written and the BLAKE3 is checked against the catalog on the same pass, so a file whose
//! content changed since it was catalogued or curated is refused, not packaged. Evidence is
//! only ever opened for reading. The package is built under a temporary name beside the
//! destination and renamed into place when complete, so a failed export leaves no half bag.

mod html;
mod imagery;
pub mod ledger;
mod names;
pub mod problems;
mod rows;
pub mod sign;
mod sink;
pub mod verify;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::catalog::{Catalog, FileRow};
use crate::curate::audit::{self, AuditQuery, NewEntry};
use crate::curate::collections::{self, Review};
use crate::curate::{ensure_tables, write_tx, Actor, CurateError, CurateResult, Role};
use crate::i18n::{Lang, Msg};
use crate::record::{Media, Status};
use crate::schema::Schema;
use ledger::LedgerRow;
use names::{clean_component, folder_names, numbered};
use rows::ledger_row;
use sink::{Sink, Written};

pub use verify::{verify_bag, Problem, ProblemKind, VerifyError, VerifyReport};

/// Folder for files with no prefecture.
pub const NO_PLACE: &str = "未定位";
/// Folder for files with no indicator.
pub const NO_INDICATOR: &str = "未归入指标";
const DEFAULT_ORGANIZATION: &str = "Qinghai provincial science-literacy office";
/// Photos larger than this get no thumbnail (decoding them would need too much memory).
const THUMB_MAX_BYTES: u64 = 64 * 1024 * 1024;
const THUMB_PX: u32 = 320;

#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub collection: String,
    /// The folder to create, or the zip file to write with `zip`.
    pub out: PathBuf,
    pub zip: bool,
    /// Rejected items are left out unless this is set (the ledger then shows them as 不通过).
    pub include_rejected: bool,
    /// `Source-Organization` (config `[export] source_organization`).
    pub source_organization: Option<String>,
    /// The archive's key ([`sign::OfficeKey::load`]); `None` exports an unsigned package.
    pub signing_key: Option<sign::OfficeKey>,
    /// The assessment period (config `[period]`), printed on the ledger's title rows.
    pub period: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportSummary {
    pub out: PathBuf,
    pub files: u64,
    pub bytes: u64,
    pub payload_oxum: String,
    pub rejected_left_out: usize,
    pub thumbnails: usize,
    /// SHA-256 of `tagmanifest-sha256.txt`: one value that fixes the whole package (recorded in
    /// the audit log).
    pub tagmanifest_sha256: String,
    pub audit_entries: usize,
    /// The fingerprint of the key that signed the package; `None`: unsigned.
    pub signed_by: Option<String>,
}

/// One item to package, checked before anything is written.
struct Planned {
    row: FileRow,
    review: Review,
    review_reason: Option<String>,
    bag_path: String,
}

/// Media whose bytes are already compressed: deflating them costs time and gains nothing.
fn compressible(row: &FileRow) -> bool {
    let mime = row.facts.mime.as_str();
    !(matches!(row.facts.media(), Media::Photo | Media::Video)
        || mime.contains("zip")
        || mime.contains("officedocument")
        || mime == "application/pdf"
        || mime.contains("compressed"))
}

fn export_err(message: String) -> CurateError {
    CurateError::Invalid(message)
}

/// The staging path beside `out`: `.<name>.partial`.
fn staging_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "package".into());
    out.with_file_name(format!(".{name}.partial"))
}

/// Refuse to write the package inside an evidence folder: nothing is ever written there.
fn check_out_path(cat: &Catalog, out: &Path) -> CurateResult<PathBuf> {
    if out.exists() {
        return Err(CurateError::Conflict(format!(
            "{} already exists; choose a new name (a package is never overwritten)",
            out.display()
        )));
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let parent = crate::platform::canonicalize(parent).map_err(|e| {
        export_err(format!(
            "{}: the folder to write into is not usable ({e}); create it first",
            parent.display()
        ))
    })?;
    let abs = parent.join(
        out.file_name()
            .ok_or_else(|| export_err(format!("{} names no file or folder", out.display())))?,
    );
    let mut stmt = cat.conn().prepare("SELECT path FROM roots")?;
    let roots: Vec<Vec<u8>> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for root in roots {
        let root = crate::platform::path_from_bytes(&root);
        if abs.starts_with(&root) {
            return Err(export_err(format!(
                "{} is inside the evidence folder {}: write the package somewhere else (evidence is never modified)",
                abs.display(),
                root.display()
            )));
        }
    }
    Ok(abs)
}

/// Export a collection. Curators and admins.
pub fn export_collection(
    cat: &Catalog,
    schema: &Schema,
    who: &Actor,
    opts: &ExportOptions,
) -> CurateResult<ExportSummary> {
    who.require(Role::Curator, "export packages")?;
    ensure_tables(cat.conn())?;
    let detail = collections::show(cat, who, &opts.collection)?;
    // `--zip --out 证据包` writes `证据包.zip`: a zip without its extension confuses every
    // receiving office's file manager.
    let wanted = if opts.zip
        && !opts
            .out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        let mut name = opts.out.as_os_str().to_os_string();
        name.push(".zip");
        PathBuf::from(name)
    } else {
        opts.out.clone()
    };
    let out = check_out_path(cat, &wanted)?;

    // Plan and check every item before writing a byte.
    let mut planned = Vec::new();
    let mut problems = Vec::new();
    let mut rejected_left_out = 0;
    let mut used: HashMap<String, HashSet<String>> = HashMap::new();
    for item in &detail.items {
        if item.review == Review::Rejected && !opts.include_rejected {
            rejected_left_out += 1;
            continue;
        }
        let Some(row) = cat.file(item.file_id)? else {
            problems.push(format!("{}: no longer in the catalog", item.path));
            continue;
        };
        if row.status == Status::Missing {
            problems.push(format!("{}: missing from the evidence since {} (restore it, or remove it from the collection)", item.path, row.last_seen));
            continue;
        }
        match (&row.blake3, &item.blake3) {
            (None, _) => {
                problems.push(format!("{}: could not be read when indexed; re-index it or remove it from the collection", item.path));
                continue;
            }
            (Some(now), Some(then)) if now != then => {
                problems.push(format!(
                    "{}: its content changed after it was added to the collection (was {}, now {}); check it and add it again",
                    item.path,
                    &then[..16.min(then.len())],
                    &now[..16.min(now.len())]
                ));
                continue;
            }
            _ => {}
        }
        let (place, indicator) = folder_names(schema, &row);
        let dir = format!("data/{place}/{indicator}");
        let base = clean_component(row.file_name());
        let taken = used.entry(dir.clone()).or_default();
        let mut name = base.clone();
        let mut n = 2;
        // Case-insensitive: the receiving machine may well be Windows or macOS.
        while taken.contains(&name.to_lowercase()) {
            name = numbered(&base, n);
            n += 1;
        }
        taken.insert(name.to_lowercase());
        planned.push(Planned {
            row,
            review: item.review,
            review_reason: item.review_reason.clone(),
            bag_path: format!("{dir}/{name}"),
        });
    }
    if !problems.is_empty() {
        return Err(CurateError::Conflict(format!(
            "{} of the collection's files cannot be exported:\n  {}",
            problems.len(),
            problems.join("\n  ")
        )));
    }
    if planned.is_empty() {
        return Err(CurateError::Invalid(format!(
            "collection {:?} has nothing to export; add files first",
            detail.collection.name
        )));
    }

    let staging = staging_path(&out);
    if staging.exists() {
        let _ = if staging.is_dir() {
            std::fs::remove_dir_all(&staging)
        } else {
            std::fs::remove_file(&staging)
        };
    }
    let now = chrono::Local::now();
    // The zip's one top folder is what an inspector sees after unzipping: the package's name
    // (the collection's), never the temporary file's (issue 22).
    let bag_name = names::package_folder(&detail.collection.name);
    let mut sink = if opts.zip {
        Sink::zip(&staging, &bag_name, now.naive_local())
    } else {
        Sink::dir(&staging)
    }
    .map_err(|e| crate::Error::io(&staging, e))?;
    let result = write_bag(
        cat,
        schema,
        opts,
        &detail,
        &planned,
        rejected_left_out,
        &mut sink,
        now,
    );
    let result = result.and_then(|summary| {
        sink.finish()
            .map_err(|e| CurateError::from(crate::Error::io(&staging, e)))?;
        std::fs::rename(&staging, &out).map_err(|e| crate::Error::io(&out, e))?;
        Ok(summary)
    });
    let mut summary = match result {
        Ok(s) => s,
        Err(e) => {
            let _ = if staging.is_dir() {
                std::fs::remove_dir_all(&staging)
            } else {
                std::fs::remove_file(&staging)
            };
            return Err(e);
        }
    };
    summary.out = out.clone();
    summary.rejected_left_out = rejected_left_out;

    let tx = write_tx(cat.conn())?;
    let files: Vec<String> = {
        let mut v: Vec<String> = planned
            .iter()
            .filter_map(|p| p.row.blake3.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    audit::append(
        &tx,
        who,
        NewEntry::new("export", &detail.collection.name)
            .files(files)
            .details(serde_json::json!({
                "collection": detail.collection.name,
                "out": out.display().to_string(),
                "zip": opts.zip,
                "files": summary.files,
                "payload_oxum": summary.payload_oxum,
                "tagmanifest_sha256": summary.tagmanifest_sha256,
                "rejected_left_out": rejected_left_out,
                "signed_by": summary.signed_by,
            })),
    )?;
    tx.commit()?;
    Ok(summary)
}

fn io_at(path: &str) -> impl Fn(std::io::Error) -> CurateError + '_ {
    move |e| CurateError::from(crate::Error::io(path, e))
}

#[allow(clippy::too_many_arguments)]
fn write_bag(
    cat: &Catalog,
    schema: &Schema,
    opts: &ExportOptions,
    detail: &collections::CollectionDetail,
    planned: &[Planned],
    rejected_left_out: usize,
    sink: &mut Sink,
    now: chrono::DateTime<chrono::Local>,
) -> CurateResult<ExportSummary> {
    let mut payload: Vec<Written> = Vec::new();
    let mut tags: Vec<Written> = Vec::new();
    let mut rows: Vec<LedgerRow> = Vec::new();
    // Each record with the picture its slide shows: the file itself, or its thumbnail when
    // browsers cannot show the original (HEIC, TIFF, RAW).
    let mut slide_items: Vec<(crate::record::Record, String)> = Vec::new();
    let mut thumbnails = 0;
    let mut buf = vec![0u8; 1 << 20];
    let mut thumbs_done: HashMap<String, String> = HashMap::new();
    // The thumbnails' bytes by BLAKE3, for the contact sheet.
    let mut thumb_jpegs: HashMap<String, Vec<u8>> = HashMap::new();

    for (i, p) in planned.iter().enumerate() {
        let src = p.row.abs_path();
        let shown = p.row.display_path();
        let mut f = std::fs::File::open(&src).map_err(io_at(&shown))?;
        sink.start(&p.bag_path, compressible(&p.row), p.row.size)
            .map_err(io_at(&p.bag_path))?;
        let mut b3 = blake3::Hasher::new();
        loop {
            let n = match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_at(&shown)(e)),
            };
            b3.update(&buf[..n]);
            sink.write(&buf[..n]).map_err(io_at(&p.bag_path))?;
        }
        let written = sink
            .end()
            .map_err(io_at(&p.bag_path))?
            .expect("started above");
        let got = b3.finalize().to_hex().to_string();
        let want = p.row.blake3.clone().unwrap_or_default();
        if got != want {
            return Err(CurateError::Conflict(format!(
                "{shown}: its content no longer matches the catalog (BLAKE3 {} expected, {} read): the evidence changed since it was indexed; run `archive index --verify` and check it. Nothing was exported.",
                &want[..16.min(want.len())],
                &got[..16]
            )));
        }

        let thumb = if p.row.facts.media() == Media::Photo && p.row.size <= THUMB_MAX_BYTES {
            match thumbs_done.get(&want) {
                Some(t) => Some(t.clone()),
                None => match thumbnail(&src, p.row.facts.orientation) {
                    Some(jpeg) => {
                        let rel = format!("thumbs/{}.jpg", &want[..32]);
                        tags.push(sink.put(&rel, &jpeg, false).map_err(io_at(&rel))?);
                        thumbnails += 1;
                        thumbs_done.insert(want.clone(), rel.clone());
                        thumb_jpegs.insert(want.clone(), jpeg);
                        Some(rel)
                    }
                    None => None,
                },
            }
        } else {
            None
        };
        let row = ledger_row(schema, i + 1, p, &written, thumb);
        let record = p.row.to_record(crate::i18n::Lang::Zh);
        let browser_shows = record.media == Media::Video
            || matches!(
                record.mime.as_str(),
                "image/jpeg" | "image/png" | "image/gif" | "image/webp" | "image/avif"
            );
        let src = match (&row.thumb, browser_shows) {
            (Some(t), false) => t.clone(),
            _ => row.bag_path.clone(),
        };
        slide_items.push((record, src));
        rows.push(row);
        payload.push(written);
    }

    let bytes: u64 = payload.iter().map(|w| w.size).sum();
    let oxum = format!("{bytes}.{}", payload.len());

    let exported: HashSet<String> = planned
        .iter()
        .filter_map(|p| p.row.blake3.clone())
        .collect();
    // One pass over the log: the entries that may belong in the package, and the renames
    // that say which names the collection had (a rename's entry names the new one).
    let mut renames = Vec::new();
    let mut candidates = Vec::new();
    audit::for_each(cat.conn(), &AuditQuery::default(), |e| {
        if e.action == "collection.rename" {
            let from = e.details["from"].as_str().unwrap_or_default().to_string();
            renames.push((from, e.subject.clone()));
        }
        // Entries of a collection (its creation, items, reviews and exports) name it as their
        // subject; another collection's reviews of the same files, with their reasons, are
        // that collection's business, not this package's (issue 20, finding 13).
        let collection_scoped = e.action.starts_with("collection.")
            || e.action.starts_with("review.")
            || e.action == "export";
        if collection_scoped || e.files.iter().any(|f| exported.contains(f)) {
            candidates.push((collection_scoped, e));
        }
        Ok(())
    })?;
    let mut names: HashSet<String> = HashSet::from([detail.collection.name.clone()]);
    for (from, to) in renames.iter().rev() {
        if names.contains(to) {
            names.insert(from.clone());
        }
    }
    let audit_lines: Vec<_> = candidates
        .iter()
        .filter(|(scoped, e)| !scoped || names.contains(&e.subject))
        .map(|(_, e)| audit::to_json_line(e))
        .collect();
    let mut audit_jsonl = String::new();
    for l in &audit_lines {
        audit_jsonl.push_str(&serde_json::to_string(l).unwrap_or_default());
        audit_jsonl.push('\n');
    }

    // The problems this package's files prove, by their paths in the bag (a content packed
    // twice is shown at its first path).
    let mut in_package: HashMap<String, String> = HashMap::new();
    for p in planned {
        if let Some(b3) = &p.row.blake3 {
            in_package
                .entry(b3.clone())
                .or_insert_with(|| p.bag_path.clone());
        }
    }
    let pkg_problems = problems::gather(cat, schema, &in_package, now.date_naive())?;

    let title = detail.collection.name.clone();
    let description = if detail.collection.description.trim().is_empty() {
        format!(
            "证据包：{}（{} 个文件）",
            detail.collection.name,
            payload.len()
        )
    } else {
        detail.collection.description.clone()
    };
    let date = now.format("%Y-%m-%d").to_string();
    let org = opts
        .source_organization
        .clone()
        .unwrap_or_else(|| DEFAULT_ORGANIZATION.to_string());
    let signer = opts
        .signing_key
        .as_ref()
        .map(|k| sign::SignerInfo::new(k, &org, now));
    tags.push(
        sink.put("ledger.csv", &ledger::to_csv(&rows)?, true)
            .map_err(io_at("ledger.csv"))?,
    );
    tags.push(
        sink.put(
            "ledger.xlsx",
            &ledger::to_xlsx(
                &rows,
                &ledger::LedgerHead {
                    title: &title,
                    org: &org,
                    date: &date,
                    period: opts.period,
                },
            )?,
            false,
        )
        .map_err(io_at("ledger.xlsx"))?,
    );
    tags.push(
        sink.put(
            "index.html",
            html::render(&html::PageFacts {
                title: &title,
                description: &description,
                bagging_date: &date,
                rows: &rows,
                signer: signer.as_ref(),
                rejected_left_out,
                problems: &pkg_problems,
            })
            .as_bytes(),
            true,
        )
        .map_err(io_at("index.html"))?,
    );
    if !pkg_problems.is_empty() {
        tags.push(
            sink.put("problems.csv", &problems::to_csv(&pkg_problems)?, true)
                .map_err(io_at("problems.csv"))?,
        );
        tags.push(
            sink.put(
                "problems.xlsx",
                &problems::to_xlsx(&pkg_problems, &title, &date)?,
                false,
            )
            .map_err(io_at("problems.xlsx"))?,
        );
    }
    tags.push(
        sink.put(
            "slideshow.html",
            html::render_slideshow(&title, &slide_items).as_bytes(),
            true,
        )
        .map_err(io_at("slideshow.html"))?,
    );
    let pairs: Vec<_> = slide_items.iter().map(|(r, _)| r).zip(&rows).collect();
    let imagery = [
        (
            "captions.xml",
            imagery::captions_xml(&title, &pairs).into_bytes(),
        ),
        (
            "contact-sheet.pdf",
            imagery::contact_sheet(&title, &date, &pairs, &thumb_jpegs),
        ),
    ];
    for (name, bytes) in imagery {
        tags.push(sink.put(name, &bytes, true).map_err(io_at(name))?);
    }
    tags.push(
        sink.put("audit.jsonl", audit_jsonl.as_bytes(), true)
            .map_err(io_at("audit.jsonl"))?,
    );

    let readme = readme(&title, &date, rows.len(), signer.as_ref());
    tags.push(
        sink.put("README.txt", readme.as_bytes(), true)
            .map_err(io_at("README.txt"))?,
    );
    if let Some(info) = &signer {
        // Listed in the tag manifests like any tag file, so the signature covers who and when.
        tags.push(
            sink.put(sign::SIGNER_FILE, &info.to_json(), true)
                .map_err(io_at(sign::SIGNER_FILE))?,
        );
    }
    tags.push(
        sink.put(
            "bagit.txt",
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
            true,
        )
        .map_err(io_at("bagit.txt"))?,
    );
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let info: Vec<(&str, String)> = vec![
        ("Source-Organization", one_line(&org)),
        ("Bagging-Date", date.clone()),
        ("Payload-Oxum", oxum.clone()),
        ("Bag-Size", human_size(bytes)),
        ("External-Description", one_line(&description)),
        (
            "External-Identifier",
            format!(
                "archive:{}:{}",
                one_line(&detail.collection.name),
                now.format("%Y%m%dT%H%M%S%z")
            ),
        ),
        (
            "Internal-Sender-Identifier",
            one_line(&detail.collection.name),
        ),
        ("Collection-Name", one_line(&detail.collection.name)),
        (
            "Bag-Software-Agent",
            format!("archive {}", env!("CARGO_PKG_VERSION")),
        ),
    ];
    let bag_info: String = info.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
    tags.push(
        sink.put("bag-info.txt", bag_info.as_bytes(), true)
            .map_err(io_at("bag-info.txt"))?,
    );

    let manifest = |pick: fn(&Written) -> &str, files: &[Written]| -> String {
        let sorted: BTreeMap<&str, &str> =
            files.iter().map(|w| (w.rel.as_str(), pick(w))).collect();
        sorted
            .iter()
            .map(|(rel, h)| format!("{h}  {}\n", encode_path(rel)))
            .collect()
    };
    tags.push(
        sink.put(
            "manifest-sha256.txt",
            manifest(|w| &w.sha256, &payload).as_bytes(),
            true,
        )
        .map_err(io_at("manifest-sha256.txt"))?,
    );
    tags.push(
        sink.put(
            "manifest-sha512.txt",
            manifest(|w| &w.sha512, &payload).as_bytes(),
            true,
        )
        .map_err(io_at("manifest-sha512.txt"))?,
    );
    let tm256 = manifest(|w| &w.sha256, &tags);
    let tm512 = manifest(|w| &w.sha512, &tags);
    let tm = sink
        .put("tagmanifest-sha256.txt", tm256.as_bytes(), true)
        .map_err(io_at("tagmanifest-sha256.txt"))?;
    sink.put(sign::SIGNED_FILE, tm512.as_bytes(), true)
        .map_err(io_at(sign::SIGNED_FILE))?;
    // The one file no manifest lists: it signs the manifest that fixes all the others.
    if let Some(key) = &opts.signing_key {
        sink.put(
            sign::SIGNATURE_FILE,
            &sign::sign_manifest(key, tm512.as_bytes()),
            false,
        )
        .map_err(io_at(sign::SIGNATURE_FILE))?;
    }

    Ok(ExportSummary {
        out: PathBuf::new(),
        files: payload.len() as u64,
        bytes,
        payload_oxum: oxum,
        rejected_left_out: 0,
        thumbnails,
        tagmanifest_sha256: tm.sha256,
        audit_entries: audit_lines.len(),
        signed_by: signer.map(|s| s.fingerprint),
    })
}

/// `README.txt`: what the package holds and how to check it, in Chinese then English, for a
/// reader who has neither this program nor the office at hand.
fn readme(title: &str, date: &str, n: usize, signer: Option<&sign::SignerInfo>) -> String {
    [Lang::Zh, Lang::En]
        .iter()
        .map(|&l| {
            let signature = match signer {
                Some(s) => l.fill(
                    Msg::ExportReadmeSigned,
                    &[("signer", &s.signer), ("fingerprint", &s.fingerprint)],
                ),
                None => l.t(Msg::ExportReadmeUnsigned).to_string(),
            };
            l.fill(
                Msg::ExportReadme,
                &[
                    ("title", &title),
                    ("date", &date),
                    ("n", &n),
                    ("signature", &signature),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join("\n----------------------------------------\n\n")
        // Notepad on older Windows shows a file without CR as one line.
        .replace('\n', "\r\n")
}

/// RFC 8493 §2.1.3: in manifests, CR, LF and `%` in a path are percent-encoded.
pub fn encode_path(p: &str) -> String {
    p.replace('%', "%25")
        .replace('\n', "%0A")
        .replace('\r', "%0D")
}

pub fn decode_path(p: &str) -> String {
    p.replace("%0A", "\n")
        .replace("%0a", "\n")
        .replace("%0D", "\r")
        .replace("%0d", "\r")
        .replace("%25", "%")
}

fn human_size(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} KB", b / 1e3)
    } else {
        format!("{bytes} bytes")
    }
}

/// A small JPEG of a photo, upright. `None` when the photo cannot be decoded (damaged, or a
/// format the image crate is not built for): the page then shows the media type instead.
fn thumbnail(path: &Path, orientation: Option<u16>) -> Option<Vec<u8>> {
    let mut reader = image::ImageReader::open(path)
        .ok()?
        .with_guessed_format()
        .ok()?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    // A decoder may panic on hostile input; a thumbnail is never worth failing an export.
    let img = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reader.decode().ok()))
        .ok()
        .flatten()?;
    let mut img = img.thumbnail(THUMB_PX, THUMB_PX);
    if let Some(o) = orientation
        .and_then(|o| u8::try_from(o).ok())
        .and_then(image::metadata::Orientation::from_exif)
    {
        img.apply_orientation(o);
    }
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80);
    img.to_rgb8().write_with_encoder(enc).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_paths_round_trip() {
        let p = "data/a%b\nc.txt";
        assert_eq!(encode_path(p), "data/a%25b%0Ac.txt");
        assert_eq!(decode_path(&encode_path(p)), p);
    }
}
