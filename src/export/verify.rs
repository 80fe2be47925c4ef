//! `archive verify PKG`: check a BagIt bag (folder or zip) against its own manifests, the way a
//! receiving office would, and name every file that is missing, changed or extra.
//!
//! It trusts nothing in the bag but the manifests: every file is read and hashed (a zip is read
//! entry by entry, never extracted), every payload file must be listed in every payload
//! manifest, every listed file must exist with the listed digest, and Payload-Oxum must match.
//! SHA-256 and SHA-512 manifests are checked; other algorithms are reported as not checked.
//! A bag without a tag manifest fails: its tag files (bag-info, the ledger) would be
//! unprotected. The signature, if any, is checked by [`super::sign`]: against the key in the
//! package only (which proves nothing about origin, and the report says so), or against the
//! key or fingerprint the inspector trusts.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::Digest;

use super::decode_path;
use super::sign::{self, SignatureReport, Trusted};
use super::sink::Hashers;
use crate::i18n::{Lang, Msg};
use crate::Error;

/// Why a package could not be checked at all (as opposed to a bag that was read and found
/// wrong, which is a [`VerifyReport`] with problems): the caller can tell a file that is not a
/// zip, a damaged zip and an unreadable disk apart. Causes are part of the message, not
/// chained sources, so `{:#}` prints them once.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The package or a file in it could not be read from disk.
    #[error(transparent)]
    Io(#[from] Error),
    #[error("{}: cannot read the bag: {cause}", path.display())]
    Walk {
        path: PathBuf,
        cause: walkdir::Error,
    },
    #[error("{}: not a readable zip file ({cause})", path.display())]
    NotZip {
        path: PathBuf,
        cause: zip::result::ZipError,
    },
    #[error("{}: zip entry {index} unreadable ({cause})", path.display())]
    ZipEntry {
        path: PathBuf,
        index: usize,
        cause: zip::result::ZipError,
    },
    #[error("{}: {name}: cannot be read from the zip ({cause})", path.display())]
    ZipRead {
        path: PathBuf,
        name: String,
        cause: std::io::Error,
    },
}

type Result<T, E = VerifyError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProblemKind {
    /// Listed in a manifest, not in the bag.
    Missing,
    /// In the bag with other content than its manifest says.
    Changed,
    /// A payload file no payload manifest lists.
    Extra,
    /// The bag's own description is wrong (bagit.txt, Payload-Oxum, unreadable manifest).
    Bag,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    /// Bag-relative path (`data/…`), or the tag file at fault.
    pub path: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub bag: String,
    pub payload_files: u64,
    pub payload_bytes: u64,
    /// Manifests whose every entry was checked (`manifest-sha256.txt`, ...).
    pub manifests_checked: Vec<String>,
    pub problems: Vec<Problem>,
    /// Things worth knowing that do not make the bag invalid (unlisted tag files, unknown algorithms).
    pub notes: Vec<String>,
    /// Who signed the package, and whether that was checked against a trusted key.
    pub signature: SignatureReport,
    /// The bag folder actually checked when the path given was a folder holding it one level
    /// down (what Windows' 全部解压缩 makes of a zip); `None` when the path was the bag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found_in: Option<String>,
}

impl VerifyReport {
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Every file of the bag with its size and digests; small tag files also with their text.
struct Contents {
    files: BTreeMap<String, FileDigest>,
    texts: BTreeMap<String, Vec<u8>>,
}

struct FileDigest {
    size: u64,
    sha256: String,
    sha512: String,
}

fn keep_text(rel: &str) -> bool {
    !rel.contains('/')
        && (rel.ends_with(".txt") || rel == sign::SIGNATURE_FILE || rel == sign::SIGNER_FILE)
}

fn digest_stream(
    mut r: impl Read,
    rel: &str,
    keep: bool,
) -> std::io::Result<(FileDigest, Option<Vec<u8>>)> {
    let mut h = Hashers::default();
    let mut buf = vec![0u8; 1 << 20];
    let mut text = keep.then(Vec::new);
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        h.update(&buf[..n]);
        if let Some(t) = &mut text {
            if t.len() < 64 * 1024 * 1024 {
                t.extend_from_slice(&buf[..n]);
            }
        }
    }
    let size = h.size;
    let sha256 = hex::encode(h.sha256.finalize());
    let sha512 = hex::encode(h.sha512.finalize());
    let _ = rel;
    Ok((
        FileDigest {
            size,
            sha256,
            sha512,
        },
        text,
    ))
}

fn read_dir_bag(root: &Path) -> Result<Contents> {
    let mut files = BTreeMap::new();
    let mut texts = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|cause| VerifyError::Walk {
            path: root.to_path_buf(),
            cause,
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let rel = rel.to_string_lossy().replace('\\', "/");
        let f = std::fs::File::open(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
        let (d, text) =
            digest_stream(f, &rel, keep_text(&rel)).map_err(|e| Error::io(entry.path(), e))?;
        if let Some(t) = text {
            texts.insert(rel.clone(), t);
        }
        files.insert(rel, d);
    }
    Ok(Contents { files, texts })
}

fn read_zip_bag(path: &Path, problems: &mut Vec<Problem>) -> Result<Contents> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut zip =
        zip::ZipArchive::new(std::io::BufReader::new(f)).map_err(|cause| VerifyError::NotZip {
            path: path.to_path_buf(),
            cause,
        })?;
    let mut files = BTreeMap::new();
    let mut texts = BTreeMap::new();
    let mut top: Option<String> = None;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|cause| VerifyError::ZipEntry {
            path: path.to_path_buf(),
            index: i,
            cause,
        })?;
        let name = entry.name().to_string();
        if entry.is_dir() {
            continue;
        }
        let Some((first, rel)) = name.split_once('/') else {
            problems.push(Problem {
                kind: ProblemKind::Bag,
                path: name.clone(),
                detail: "a file outside the bag's single top-level folder".into(),
            });
            continue;
        };
        match &top {
            None => top = Some(first.to_string()),
            Some(t) if t != first => {
                problems.push(Problem {
                    kind: ProblemKind::Bag,
                    path: name.clone(),
                    detail: format!("a second top-level folder (the bag is {t}/)"),
                });
                continue;
            }
            _ => {}
        }
        if rel.split('/').any(|s| s == ".." || s.is_empty()) {
            problems.push(Problem {
                kind: ProblemKind::Bag,
                path: name.clone(),
                detail: "an unsafe path inside the zip".into(),
            });
            continue;
        }
        let rel = rel.to_string();
        let (d, text) =
            digest_stream(entry, &rel, keep_text(&rel)).map_err(|cause| VerifyError::ZipRead {
                path: path.to_path_buf(),
                name: name.clone(),
                cause,
            })?;
        if let Some(t) = text {
            texts.insert(rel.clone(), t);
        }
        files.insert(rel, d);
    }
    Ok(Contents { files, texts })
}

fn parse_manifest(text: &[u8], name: &str, problems: &mut Vec<Problem>) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(text);
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut parts = line.splitn(2, [' ', '\t']);
        let hash = parts.next().unwrap_or("").trim().to_lowercase();
        let path = parts.next().unwrap_or("").trim_start_matches([' ', '\t']);
        let path = path.strip_prefix("*").unwrap_or(path);
        if hash.is_empty() || path.is_empty() {
            problems.push(Problem {
                kind: ProblemKind::Bag,
                path: name.into(),
                detail: format!("line {} is not \"CHECKSUM  PATH\"", i + 1),
            });
            continue;
        }
        out.push((decode_path(path), hash));
    }
    out
}

/// Verify a bag: a folder, or a `.zip` holding one top-level bag folder. With `trusted` (the
/// office's published key or fingerprint) a package not signed with that key fails too.
/// Problems found in the signature are described in `lang`.
pub fn verify_bag(path: &Path, trusted: Option<&Trusted>, lang: Lang) -> Result<VerifyReport> {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let mut found_in = None;
    let contents = if meta.is_dir() {
        match locate_bag(path) {
            Located::Here => read_dir_bag(path)?,
            Located::Inside(inner) => {
                let c = read_dir_bag(&inner)?;
                found_in = Some(inner.display().to_string());
                c
            }
            // Hashing a folder that is not a bag would only list every file as a note.
            Located::NotABag(missing) => {
                return Ok(not_a_bag(path, &missing, trusted, lang));
            }
        }
    } else {
        read_zip_bag(path, &mut problems)?
    };
    let Contents { files, texts } = contents;

    match texts
        .get("bagit.txt")
        .map(|t| String::from_utf8_lossy(t).into_owned())
    {
        None => problems.push(Problem {
            kind: ProblemKind::Bag,
            path: "bagit.txt".into(),
            detail: "missing: this is not a BagIt bag".into(),
        }),
        Some(t) => {
            let t = t.trim_start_matches('\u{feff}');
            let version = t
                .lines()
                .find_map(|l| l.strip_prefix("BagIt-Version:"))
                .map(str::trim);
            let enc = t
                .lines()
                .find_map(|l| l.strip_prefix("Tag-File-Character-Encoding:"))
                .map(str::trim);
            if !matches!(version, Some("1.0") | Some("0.97")) {
                problems.push(Problem {
                    kind: ProblemKind::Bag,
                    path: "bagit.txt".into(),
                    detail: format!("BagIt-Version {version:?} is not 1.0 or 0.97"),
                });
            }
            if enc.is_none() {
                problems.push(Problem {
                    kind: ProblemKind::Bag,
                    path: "bagit.txt".into(),
                    detail: "no Tag-File-Character-Encoding line".into(),
                });
            }
        }
    }

    let mut manifests_checked = Vec::new();
    let mut payload_listed: BTreeSet<String> = BTreeSet::new();
    let mut tag_listed: BTreeSet<String> = BTreeSet::new();
    let mut listed_by: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut payload_manifests = 0;
    let mut tag_manifests = 0;
    for (name, text) in &texts {
        let (is_tag, alg) = if let Some(a) = name
            .strip_prefix("tagmanifest-")
            .and_then(|s| s.strip_suffix(".txt"))
        {
            (true, a)
        } else if let Some(a) = name
            .strip_prefix("manifest-")
            .and_then(|s| s.strip_suffix(".txt"))
        {
            (false, a)
        } else {
            continue;
        };
        if is_tag {
            tag_manifests += 1;
        } else {
            payload_manifests += 1;
        }
        let pick: fn(&FileDigest) -> &str = match alg {
            "sha256" => |d| &d.sha256,
            "sha512" => |d| &d.sha512,
            other => {
                notes.push(format!("{name}: algorithm {other} is not checked by this tool (SHA-256 and SHA-512 are)"));
                continue;
            }
        };
        let entries = parse_manifest(text, name, &mut problems);
        let mut listed_here = BTreeSet::new();
        for (rel, want) in entries {
            if rel.starts_with('/') || rel.split('/').any(|s| s == "..") {
                problems.push(Problem {
                    kind: ProblemKind::Bag,
                    path: name.clone(),
                    detail: format!("lists an unsafe path {rel:?}"),
                });
                continue;
            }
            if !is_tag && !rel.starts_with("data/") {
                problems.push(Problem {
                    kind: ProblemKind::Bag,
                    path: name.clone(),
                    detail: format!("lists {rel}, which is outside data/"),
                });
            }
            match files.get(&rel) {
                None => problems.push(Problem {
                    kind: ProblemKind::Missing,
                    path: rel.clone(),
                    detail: format!("listed in {name}, not in the bag"),
                }),
                Some(d) if pick(d) != want => problems.push(Problem {
                    kind: ProblemKind::Changed,
                    path: rel.clone(),
                    detail: format!(
                        "{name} says {}…, the file has {}…",
                        want.chars().take(16).collect::<String>(),
                        &pick(d)[..16]
                    ),
                }),
                Some(_) => {}
            }
            listed_here.insert(rel);
        }
        if !is_tag {
            for rel in files.keys().filter(|r| r.starts_with("data/")) {
                if !listed_here.contains(rel) {
                    problems.push(Problem {
                        kind: ProblemKind::Extra,
                        path: rel.clone(),
                        detail: format!("in the bag, not listed in {name}"),
                    });
                }
            }
            payload_listed.extend(listed_here);
        } else {
            listed_by.insert(name.clone(), listed_here.iter().cloned().collect());
            tag_listed.extend(listed_here);
        }
        manifests_checked.push(name.clone());
    }
    if payload_manifests == 0 {
        problems.push(Problem {
            kind: ProblemKind::Bag,
            path: "manifest-sha256.txt".into(),
            detail: "no payload manifest: nothing says what data/ should hold".into(),
        });
    }
    // Deleting the tag manifests used to leave a bag that verified with notes only (issue 20,
    // finding 6): every package this program writes has them.
    if tag_manifests == 0 {
        problems.push(Problem {
            kind: ProblemKind::Bag,
            path: "tagmanifest-sha256.txt".into(),
            detail: lang.t(Msg::VerifyNoTagManifest).into(),
        });
    }
    let signature = sign::check(&texts, &listed_by, trusted, lang, &mut problems);

    let payload: Vec<(&String, &FileDigest)> = files
        .iter()
        .filter(|(r, _)| r.starts_with("data/"))
        .collect();
    let payload_bytes: u64 = payload.iter().map(|(_, d)| d.size).sum();
    let payload_files = payload.len() as u64;
    if let Some(info) = texts.get("bag-info.txt") {
        let info = String::from_utf8_lossy(info);
        if let Some(oxum) = info
            .lines()
            .find_map(|l| l.strip_prefix("Payload-Oxum:"))
            .map(str::trim)
        {
            let expected = format!("{payload_bytes}.{payload_files}");
            if oxum != expected {
                problems.push(Problem {
                    kind: ProblemKind::Bag,
                    path: "bag-info.txt".into(),
                    detail: format!(
                        "Payload-Oxum says {oxum} (bytes.files), data/ holds {expected}"
                    ),
                });
            }
        }
    }
    for rel in files.keys() {
        let is_manifest = rel.starts_with("tagmanifest-") && !rel.contains('/');
        let is_signature = rel == sign::SIGNATURE_FILE;
        if !rel.starts_with("data/") && !is_manifest && !is_signature && !tag_listed.contains(rel) {
            notes.push(format!(
                "{rel}: a tag file no tag manifest lists (allowed by BagIt, but not protected)"
            ));
        }
    }
    problems.sort_by(|a, b| (a.path.as_str(), a.kind as u8).cmp(&(b.path.as_str(), b.kind as u8)));
    // One line per file and fault, not one per manifest that agrees about it.
    problems.dedup_by(|a, b| {
        a.kind == b.kind && a.path == b.path && (a.kind != ProblemKind::Bag || a.detail == b.detail)
    });
    Ok(VerifyReport {
        bag: path.display().to_string(),
        payload_files,
        payload_bytes,
        manifests_checked,
        problems,
        notes,
        signature,
        found_in,
    })
}

/// Where the bag is, given a folder.
enum Located {
    Here,
    /// The one bag folder one level down.
    Inside(PathBuf),
    /// Not a bag: the required parts that are absent.
    NotABag(Vec<&'static str>),
}

fn is_bag_dir(dir: &Path) -> bool {
    dir.join("bagit.txt").is_file()
}

/// A folder is the bag when it holds `bagit.txt`. Windows' 全部解压缩 unpacks `包.zip` into
/// `包/包/…`, so a folder whose only bag is one level down (and that holds nothing else but
/// system litter) stands for that bag.
fn locate_bag(dir: &Path) -> Located {
    if is_bag_dir(dir) {
        return Located::Here;
    }
    let mut bags = Vec::new();
    let mut others = 0;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if matches!(
                name.as_str(),
                "Thumbs.db" | "desktop.ini" | ".DS_Store" | "__MACOSX"
            ) {
                continue;
            }
            let p = e.path();
            if p.is_dir() && is_bag_dir(&p) {
                bags.push(p);
            } else {
                others += 1;
            }
        }
    }
    if bags.len() == 1 && others == 0 {
        return Located::Inside(bags.remove(0));
    }
    let has = |name: &str| dir.join(name).exists();
    let mut missing = vec!["bagit.txt"];
    if !has("manifest-sha256.txt") && !has("manifest-sha512.txt") {
        missing.push("manifest-sha256.txt");
    }
    if !has("tagmanifest-sha256.txt") && !has("tagmanifest-sha512.txt") {
        missing.push("tagmanifest-sha256.txt");
    }
    if !dir.join("data").is_dir() {
        missing.push("data/");
    }
    Located::NotABag(missing)
}

/// The report on a folder that is not a bag: one problem naming what is missing.
fn not_a_bag(path: &Path, missing: &[&str], trusted: Option<&Trusted>, lang: Lang) -> VerifyReport {
    let mut problems = vec![Problem {
        kind: ProblemKind::Bag,
        path: "bagit.txt".into(),
        detail: lang.fill(
            Msg::VerifyNotABag,
            &[("missing", &missing.join(", ")), ("path", &path.display())],
        ),
    }];
    let signature = sign::check(
        &BTreeMap::new(),
        &BTreeMap::new(),
        trusted,
        lang,
        &mut problems,
    );
    VerifyReport {
        bag: path.display().to_string(),
        payload_files: 0,
        payload_bytes: 0,
        manifests_checked: Vec::new(),
        problems,
        notes: Vec::new(),
        signature,
        found_in: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha256(b: &[u8]) -> String {
        hex::encode(sha2::Sha256::digest(b))
    }

    #[test]
    fn hostile_manifests_are_reported_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let bag = dir.path();
        std::fs::create_dir_all(bag.join("data")).unwrap();
        std::fs::write(bag.join("data/a.txt"), "a").unwrap();
        std::fs::write(
            bag.join("bagit.txt"),
            "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
        )
        .unwrap();
        let manifest = format!(
            "{}  data/a.txt\n汉字汉字汉字汉字汉字汉字  data/a.txt\n{}  ../../etc/passwd\njunk\n",
            sha256(b"a"),
            sha256(b"a")
        );
        std::fs::write(bag.join("manifest-sha256.txt"), manifest).unwrap();
        std::fs::write(bag.join("bag-info.txt"), "Payload-Oxum: 1.1\n").unwrap();
        let r = verify_bag(bag, None, Lang::En).unwrap();
        assert!(!r.intact());
        assert!(
            r.problems
                .iter()
                .any(|p| p.kind == ProblemKind::Changed && p.path == "data/a.txt"),
            "{:?}",
            r.problems
        );
        assert!(
            r.problems
                .iter()
                .any(|p| p.kind == ProblemKind::Bag && p.detail.contains("unsafe")),
            "{:?}",
            r.problems
        );
        assert!(
            r.problems.iter().any(|p| p.detail.contains("line 4")),
            "{:?}",
            r.problems
        );
    }

    #[test]
    fn a_folder_without_bagit_txt_is_not_a_bag() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        std::fs::write(dir.path().join("data/x"), "x").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let r = verify_bag(dir.path(), None, Lang::En).unwrap();
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        let d = &r.problems[0].detail;
        assert!(
            d.contains("bagit.txt") && d.contains("manifest-sha256.txt") && !d.contains("data/"),
            "names what is missing, not what is there: {d}"
        );
        assert!(r.notes.is_empty(), "no note per file: {:?}", r.notes);
    }
}
