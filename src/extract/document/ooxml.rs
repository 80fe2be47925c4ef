//! DOCX and PPTX text and properties, read with zip + quick-xml, plus the zip safety checks
//! shared with XLSX.
//!
//! Office files are zips, and a zip is the easiest bomb there is: a few kilobytes that inflate
//! to gigabytes. Every container is therefore checked before anything is inflated (entry count,
//! sum of declared sizes) and every part is then read through a byte-limited reader, because
//! declared sizes are written by whoever made the file and can lie.

use std::io::{Cursor, Read};

use chrono::{DateTime, FixedOffset};
use quick_xml::events::Event;
use quick_xml::Reader;
use zip::ZipArchive;

use super::{fmt_bytes, set_doc_created, DocKind};
use crate::extract::{Facts, Limits};
use crate::problem::{Code, Problem};

/// Why a zip container (DOCX, PPTX, XLSX) or one of its parts could not be read. The text is
/// what the file's record says; the reader stops at a bomb ([`ContainerError::is_bomb`]).
#[derive(Debug, thiserror::Error)]
pub enum ContainerError {
    #[error("not a valid {kind}: the file is an OLE2 compound file, not a zip; Office writes password-protected files this way, so it is probably encrypted (text not extracted)")]
    Encrypted { kind: &'static str },
    #[error("not a valid {kind}: the file is not a zip archive ({cause})")]
    NotZip {
        kind: &'static str,
        cause: zip::result::ZipError,
    },
    #[error("zip bomb refused: the {kind} holds {entries} entries (limit {limit})")]
    TooManyEntries {
        kind: &'static str,
        entries: usize,
        limit: usize,
    },
    #[error("zip bomb refused: entries would inflate to {} (limit {})", fmt_bytes(*declared), fmt_bytes(*limit))]
    InflatesTooFar { declared: u64, limit: u64 },
    #[error("zip bomb refused: part {part} inflates past the {} limit although its header declares less", fmt_bytes(*budget))]
    PartInflatesTooFar { part: String, budget: u64 },
    #[error("not a valid {kind}: part {part} cannot be read ({cause})")]
    UnreadablePart {
        kind: &'static str,
        part: String,
        cause: zip::result::ZipError,
    },
    #[error("not a valid {kind}: part {part} is damaged ({cause})")]
    DamagedPart {
        kind: &'static str,
        part: String,
        cause: std::io::Error,
    },
    #[error("{kind} part {part}: {cause}; text after that point is missing")]
    BadXml {
        kind: &'static str,
        part: String,
        cause: XmlError,
    },
}

impl ContainerError {
    /// A zip bomb was refused: nothing more is read from this container.
    pub fn is_bomb(&self) -> bool {
        matches!(
            self,
            ContainerError::TooManyEntries { .. }
                | ContainerError::InflatesTooFar { .. }
                | ContainerError::PartInflatesTooFar { .. }
        )
    }

    /// The failure as the problem its file is catalogued with. Bad XML in one part leaves the
    /// text before it and the other parts: a warning, not an unusable file.
    pub fn problem(&self) -> Problem {
        let code = match self {
            ContainerError::Encrypted { .. } => return Problem::new(Code::OfficeEncrypted),
            _ if self.is_bomb() => Code::ContainerTooLarge,
            ContainerError::BadXml { .. } => Code::DocumentPartUnread,
            _ => Code::ContainerInvalid,
        };
        Problem::detail(code, self)
    }
}

/// Malformed XML in a part: where the parser stopped, or text that is not UTF-8.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    #[error("XML error at byte {position}: {cause}")]
    Syntax {
        position: u64,
        cause: quick_xml::Error,
    },
    /// The decoder's message.
    #[error("XML text is not valid UTF-8 ({0})")]
    NotUtf8(String),
}

/// A zip opened after its central directory passed the limits, with the inflate budget left.
pub struct SafeZip<'a> {
    pub archive: ZipArchive<Cursor<&'a [u8]>>,
    /// Bytes that may still be inflated across all parts read from this archive.
    pub budget: u64,
    pub kind: DocKind,
}

/// Open `data` as the zip container of a `kind` document, refusing bombs before inflating.
pub fn open_checked<'a>(
    data: &'a [u8],
    kind: DocKind,
    limits: &Limits,
) -> Result<SafeZip<'a>, ContainerError> {
    let mut archive = ZipArchive::new(Cursor::new(data)).map_err(|cause| {
        if data.starts_with(b"\xD0\xCF\x11\xE0") {
            ContainerError::Encrypted { kind: kind.label() }
        } else {
            ContainerError::NotZip {
                kind: kind.label(),
                cause,
            }
        }
    })?;
    if archive.len() > limits.zip_max_entries {
        return Err(ContainerError::TooManyEntries {
            kind: kind.label(),
            entries: archive.len(),
            limit: limits.zip_max_entries,
        });
    }
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        // by_index_raw reads the central directory entry without inflating anything.
        let size = archive.by_index_raw(i).map(|e| e.size()).unwrap_or(0);
        declared = declared.saturating_add(size);
    }
    if declared > limits.zip_max_uncompressed {
        return Err(ContainerError::InflatesTooFar {
            declared,
            limit: limits.zip_max_uncompressed,
        });
    }
    Ok(SafeZip {
        archive,
        budget: limits.zip_max_uncompressed,
        kind,
    })
}

impl SafeZip<'_> {
    pub fn names(&self) -> Vec<String> {
        self.archive.file_names().map(|s| s.to_string()).collect()
    }

    /// Inflate one part, stopping with an error as soon as it passes the budget left.
    pub fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, ContainerError> {
        let kind = self.kind.label();
        let entry = match self.archive.by_name(name) {
            Ok(e) => e,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(cause) => return Err(unreadable(kind, name, cause)),
        };
        let mut out = Vec::new();
        let mut limited = entry.take(self.budget.saturating_add(1));
        limited
            .read_to_end(&mut out)
            .map_err(|cause| damaged(kind, name, cause))?;
        if out.len() as u64 > self.budget {
            return Err(past_budget(name, self.budget));
        }
        self.budget -= out.len() as u64;
        Ok(Some(out))
    }

    /// Stream one XML part through [`xml_text`] without holding it in memory; the part counts
    /// against the same inflate budget. Returns whether the part exists.
    pub fn stream_text(
        &mut self,
        name: &str,
        out: &mut String,
        cap: usize,
    ) -> Result<bool, ContainerError> {
        let kind = self.kind.label();
        let entry = match self.archive.by_name(name) {
            Ok(e) => e,
            Err(zip::result::ZipError::FileNotFound) => return Ok(false),
            Err(cause) => return Err(unreadable(kind, name, cause)),
        };
        let mut counted = Counted {
            inner: entry.take(self.budget.saturating_add(1)),
            n: 0,
        };
        let parsed = xml_text(std::io::BufReader::new(&mut counted), out, cap);
        if counted.n > self.budget {
            return Err(past_budget(name, self.budget));
        }
        self.budget -= counted.n;
        parsed
            .map(|_| true)
            .map_err(|cause| ContainerError::BadXml {
                kind,
                part: name.to_string(),
                cause,
            })
    }

    /// Inflate every entry into nothing, counting bytes: proves to a reader that opens the zip
    /// itself (calamine) that no part inflates past the limit, whatever the headers say.
    pub fn drain_all(&mut self) -> Result<(), ContainerError> {
        for name in self.names() {
            if name.ends_with('/') {
                continue;
            }
            let kind = self.kind.label();
            let entry = self
                .archive
                .by_name(&name)
                .map_err(|cause| unreadable(kind, &name, cause))?;
            let mut limited = entry.take(self.budget.saturating_add(1));
            let n = std::io::copy(&mut limited, &mut std::io::sink())
                .map_err(|cause| damaged(kind, &name, cause))?;
            if n > self.budget {
                return Err(past_budget(&name, self.budget));
            }
            self.budget -= n;
        }
        Ok(())
    }
}

fn past_budget(part: &str, budget: u64) -> ContainerError {
    ContainerError::PartInflatesTooFar {
        part: part.to_string(),
        budget,
    }
}

fn unreadable(kind: &'static str, part: &str, cause: zip::result::ZipError) -> ContainerError {
    ContainerError::UnreadablePart {
        kind,
        part: part.to_string(),
        cause,
    }
}

fn damaged(kind: &'static str, part: &str, cause: std::io::Error) -> ContainerError {
    ContainerError::DamagedPart {
        kind,
        part: part.to_string(),
        cause,
    }
}

/// Counts the bytes that pass, to charge a streamed part against the budget.
struct Counted<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        Ok(k)
    }
}

/// Text of a WordprocessingML or DrawingML part: runs joined within a paragraph, a line per
/// paragraph, tabs kept. Equations (`m:t`) count as text; deleted text and field codes do not.
pub fn xml_text(xml: impl std::io::BufRead, out: &mut String, cap: usize) -> Result<(), XmlError> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut in_t = 0usize;
    loop {
        if out.len() > cap {
            return Ok(());
        }
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|cause| XmlError::Syntax {
                position: reader.error_position(),
                cause,
            })?;
        match ev {
            Event::Start(e) if e.local_name().as_ref() == b"t" => in_t += 1,
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_t = in_t.saturating_sub(1),
                b"p" if !out.is_empty() && !out.ends_with('\n') => out.push('\n'),
                b"tc" => {
                    if out.ends_with('\n') {
                        out.pop();
                    }
                    out.push('\t');
                }
                b"tr" => {
                    if out.ends_with('\t') {
                        out.pop();
                    }
                    out.push('\n');
                }
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"tab" if in_t == 0 => out.push('\t'),
                b"br" | b"cr" => out.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_t > 0 => {
                let s = t.decode().map_err(|e| XmlError::NotUtf8(e.to_string()))?;
                out.push_str(&s);
            }
            Event::CData(t) if in_t > 0 => out.push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) if in_t > 0 => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else {
                    let name: &[u8] = &r;
                    match name {
                        b"amp" => out.push('&'),
                        b"lt" => out.push('<'),
                        b"gt" => out.push('>'),
                        b"quot" => out.push('"'),
                        b"apos" => out.push('\''),
                        _ => {}
                    }
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// `docProps/core.xml`: title, creator, created, modified.
#[derive(Debug, Default)]
pub struct CoreProps {
    pub title: Option<String>,
    pub creator: Option<String>,
    pub created: Option<DateTime<FixedOffset>>,
    pub modified: Option<DateTime<FixedOffset>>,
}

pub fn core_props(xml: &[u8], limits: &Limits) -> CoreProps {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let mut text = String::new();
    let mut props = CoreProps::default();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                current = Some(e.local_name().as_ref().to_vec());
                text.clear();
            }
            Ok(Event::Text(t)) if current.is_some() => {
                if let Ok(s) = t.decode() {
                    text.push_str(&s);
                }
            }
            Ok(Event::GeneralRef(r)) if current.is_some() => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else {
                    let name: &[u8] = &r;
                    match name {
                        b"amp" => text.push('&'),
                        b"lt" => text.push('<'),
                        b"gt" => text.push('>'),
                        b"quot" => text.push('"'),
                        b"apos" => text.push('\''),
                        _ => {}
                    }
                }
            }
            Ok(Event::End(_)) => {
                let value = text.trim().to_string();
                match current.take().as_deref() {
                    Some(b"title") if !value.is_empty() => props.title = Some(value),
                    Some(b"creator") if !value.is_empty() => props.creator = Some(value),
                    Some(b"created") => props.created = parse_w3cdtf(&value, limits),
                    Some(b"modified") => props.modified = parse_w3cdtf(&value, limits),
                    _ => {}
                }
                text.clear();
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    props
}

/// W3CDTF as Office writes it (`2019-03-15T02:30:00Z`), shown in the configured zone: the
/// instant is kept, and a Chinese reader sees the local date. Dates before 1980 are Office's
/// "unset" (1601/1899/1900 defaults) and dropped.
pub fn parse_w3cdtf(s: &str, limits: &Limits) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    let t = DateTime::parse_from_rfc3339(s)
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
                .ok()
                .and_then(|n| n.and_local_timezone(limits.default_offset).single())
        })
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .and_then(|n| n.and_local_timezone(limits.default_offset).single())
        })?;
    use chrono::Datelike;
    // Epoch placeholders (1970, 1980) are returned: the caller refuses them with a warning.
    if t.year() < 1900 {
        return None;
    }
    Some(t.with_timezone(&limits.default_offset))
}

/// `<Pages>` of `docProps/app.xml`.
fn app_pages(xml: &[u8]) -> Option<u32> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut in_pages = false;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => in_pages = e.local_name().as_ref() == b"Pages",
            Ok(Event::Text(t)) if in_pages => {
                return t.decode().ok()?.trim().parse().ok().filter(|n| *n > 0);
            }
            Ok(Event::End(_)) => in_pages = false,
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// Attributes (qualified name, value) of every element with local name `elem`.
fn element_attrs(xml: &[u8], elem: &[u8]) -> Vec<Vec<(String, String)>> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut found = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if e.local_name().as_ref() == elem => {
                let attrs = e
                    .attributes()
                    .filter_map(Result::ok)
                    .map(|a| {
                        (
                            String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                            String::from_utf8_lossy(&a.value).into_owned(),
                        )
                    })
                    .collect();
                found.push(attrs);
            }
            Ok(Event::Eof) | Err(_) => return found,
            _ => {}
        }
        buf.clear();
    }
}

/// Slides in the order the presentation shows them (`p:sldIdLst`), which is not the order of
/// the part names once slides have been moved; slides not listed follow by number.
fn slide_order(zip: &mut SafeZip<'_>, names: &[String]) -> Vec<String> {
    let by_number = numbered(names, "ppt/slides/slide");
    let (Ok(Some(pres)), Ok(Some(rels))) = (
        zip.read("ppt/presentation.xml"),
        zip.read("ppt/_rels/presentation.xml.rels"),
    ) else {
        return by_number;
    };
    let targets: std::collections::HashMap<String, String> = element_attrs(&rels, b"Relationship")
        .into_iter()
        .filter_map(|attrs| {
            let get = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            Some((get("Id")?, get("Target")?))
        })
        .collect();
    let mut order: Vec<String> = Vec::new();
    for attrs in element_attrs(&pres, b"sldId") {
        let Some((_, rid)) = attrs.iter().find(|(n, _)| n.ends_with(":id")) else {
            continue;
        };
        let Some(target) = targets.get(rid) else {
            continue;
        };
        let path = match target.strip_prefix('/') {
            Some(abs) => abs.to_string(),
            None => format!("ppt/{target}"),
        };
        if by_number.contains(&path) && !order.contains(&path) {
            order.push(path);
        }
    }
    for s in by_number {
        if !order.contains(&s) {
            order.push(s);
        }
    }
    order
}

fn part_number(name: &str, prefix: &str) -> Option<u32> {
    name.strip_prefix(prefix)?
        .strip_suffix(".xml")?
        .parse()
        .ok()
}

fn numbered(names: &[String], prefix: &str) -> Vec<String> {
    let mut v: Vec<(u32, String)> = names
        .iter()
        .filter_map(|n| part_number(n, prefix).map(|k| (k, n.clone())))
        .collect();
    v.sort();
    v.into_iter().map(|(_, n)| n).collect()
}

/// Read a DOCX or PPTX (also .docm/.pptm) into `f`.
pub fn extract(data: &[u8], kind: DocKind, limits: &Limits, f: &mut Facts) {
    let mut zip = match open_checked(data, kind, limits) {
        Ok(z) => z,
        Err(e) => {
            f.problems.push(e.problem());
            return;
        }
    };
    let names = zip.names();
    let parts: Vec<String> = match kind {
        DocKind::Docx => {
            let mut p = vec!["word/document.xml".to_string()];
            p.extend(numbered(&names, "word/header"));
            p.extend(numbered(&names, "word/footer"));
            for extra in [
                "word/footnotes.xml",
                "word/endnotes.xml",
                "word/comments.xml",
            ] {
                p.push(extra.to_string());
            }
            p
        }
        DocKind::Pptx => {
            let mut p = slide_order(&mut zip, &names);
            p.extend(numbered(&names, "ppt/notesSlides/notesSlide"));
            p
        }
        _ => Vec::new(),
    };
    let main_part = match kind {
        DocKind::Docx => Some("word/document.xml"),
        _ => None,
    };
    if let Some(main) = main_part {
        if !names.iter().any(|n| n == main) {
            f.problems.push(Problem::detail(
                Code::ContainerInvalid,
                format!("not a valid {}: the zip has no {main} part", kind.label()),
            ));
        }
    }
    if kind == DocKind::Pptx && !names.iter().any(|n| n.starts_with("ppt/")) {
        f.problems.push(Problem::detail(
            Code::ContainerInvalid,
            "not a valid PPTX: the zip has no ppt/ parts",
        ));
    }
    if kind == DocKind::Pptx {
        f.pages = Some(numbered(&names, "ppt/slides/slide").len() as u32);
    }

    let mut text = String::new();
    for part in &parts {
        if text.len() > limits.text_cap {
            break;
        }
        let before = text.len();
        match zip.stream_text(part, &mut text, limits.text_cap) {
            Ok(_) => {
                if text.len() > before && !text.ends_with('\n') {
                    text.push('\n');
                }
            }
            Err(e) => {
                f.problems.push(e.problem());
                // A bomb: stop reading this container.
                if e.is_bomb() {
                    break;
                }
            }
        }
    }
    if kind == DocKind::Docx {
        // Word stores the page count it last laid out; nothing else knows it without layout.
        if let Ok(Some(app)) = zip.read("docProps/app.xml") {
            f.pages = app_pages(&app);
        }
    }
    if let Ok(Some(core)) = zip.read("docProps/core.xml") {
        let props = core_props(&core, limits);
        f.title = props.title;
        f.author = props.creator;
        let (created_tag, modified_tag) = match kind {
            DocKind::Pptx => ("pptx:dcterms:created", "pptx:dcterms:modified"),
            _ => ("docx:dcterms:created", "docx:dcterms:modified"),
        };
        if let Some(created) = props.created {
            set_doc_created(f, created, created_tag);
        }
        super::set_doc_modified(f, props.modified, modified_tag);
    }
    f.set_text(text, limits.text_cap);
}
