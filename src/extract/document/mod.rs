//! Document text and properties: PDF, DOCX, PPTX, XLSX/XLS, TXT/CSV/MD, and a reasoned
//! "not extracted" for legacy binary Office files.
//!
//! Prefectures submit meeting minutes, ledgers and slides; inspectors search their Chinese
//! text. Each format lives in its own submodule; this one decides which reader a file gets
//! (content first, the name only to tell apart formats that share a container) and holds the
//! rules every reader shares: a document's creation date is only a fallback capture time.

pub mod manifest;
pub mod ooxml;
pub mod pdf;
pub mod rtf;
pub mod sheet;
pub mod text;

use crate::problem::{Code, Problem};
use chrono::{DateTime, FixedOffset};

use super::{sniff, Facts, Limits};

/// The document formats this module tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Pdf,
    Docx,
    Pptx,
    Xlsx,
    Xls,
    Text,
    Csv,
    /// Legacy OLE2 files without a reader here (.doc, .ppt, .wps), or encrypted OOXML.
    Ole,
    Rtf,
    Unknown,
}

impl DocKind {
    pub fn label(self) -> &'static str {
        match self {
            DocKind::Pdf => "PDF",
            DocKind::Docx => "DOCX",
            DocKind::Pptx => "PPTX",
            DocKind::Xlsx => "XLSX",
            DocKind::Xls => "XLS",
            DocKind::Text => "text file",
            DocKind::Csv => "CSV",
            DocKind::Ole => "Office binary file",
            DocKind::Rtf => "RTF",
            DocKind::Unknown => "document",
        }
    }
}

/// Decide the reader from the sniffed MIME type, then the extension, then the zip's parts.
pub fn kind_of(name: &str, mime: &str, data: &[u8]) -> DocKind {
    let ext = sniff::extension(name);
    match mime {
        "application/pdf" => return DocKind::Pdf,
        "application/x-ole-storage" => {
            return if ext == "xls" {
                DocKind::Xls
            } else {
                DocKind::Ole
            };
        }
        "application/rtf" => return DocKind::Rtf,
        _ => {}
    }
    if data.starts_with(b"PK\x03\x04")
        || mime.contains("openxmlformats")
        || mime == "application/x-ooxml"
    {
        // The package's main part names the format; the first entries (all that sniffing saw)
        // can mislead: a deck with an embedded workbook holds `xl/` names too.
        if let Some(kind) = ooxml_main_part(data) {
            return kind;
        }
        match ext.as_str() {
            "docx" | "docm" | "dotx" => return DocKind::Docx,
            "pptx" | "pptm" | "ppsx" => return DocKind::Pptx,
            "xlsx" | "xlsm" => return DocKind::Xlsx,
            _ => {}
        }
        if mime.contains("wordprocessingml") {
            return DocKind::Docx;
        }
        if mime.contains("presentationml") {
            return DocKind::Pptx;
        }
        if mime.contains("spreadsheetml") {
            return DocKind::Xlsx;
        }
    }
    let by_ext = match ext.as_str() {
        "docx" | "docm" | "dotx" => DocKind::Docx,
        "pptx" | "pptm" | "ppsx" => DocKind::Pptx,
        "xlsx" | "xlsm" => DocKind::Xlsx,
        "xls" => DocKind::Xls,
        "doc" | "ppt" | "wps" | "dps" | "et" => DocKind::Ole,
        "csv" => DocKind::Csv,
        "txt" | "text" | "md" | "markdown" | "log" | "srt" => DocKind::Text,
        "pdf" => DocKind::Pdf,
        _ => DocKind::Unknown,
    };
    if by_ext != DocKind::Unknown {
        return by_ext;
    }
    if mime.starts_with("text/") {
        return if mime == "text/csv" {
            DocKind::Csv
        } else {
            DocKind::Text
        };
    }
    DocKind::Unknown
}

/// Which OOXML format a zip is, by its main part (reading only the central directory).
fn ooxml_main_part(data: &[u8]) -> Option<DocKind> {
    let z = zip::ZipArchive::new(std::io::Cursor::new(data)).ok()?;
    let has = |p: &str| z.file_names().any(|n| n == p);
    if has("word/document.xml") {
        Some(DocKind::Docx)
    } else if has("ppt/presentation.xml") {
        Some(DocKind::Pptx)
    } else if has("xl/workbook.xml") {
        Some(DocKind::Xlsx)
    } else {
        None
    }
}

/// Record a document's own creation date (`source` names the field, for the warning when it
/// is a placeholder). Never a capture time: a PDF of minutes is dated by its export, not by
/// its event; where one date is needed the evidence date falls back to it and says so.
pub fn set_doc_created(f: &mut Facts, created: DateTime<FixedOffset>, source: &str) {
    f.doc_created = crate::extract::dates::vet(f, source, Some(created));
}

/// Record a document's own last-saved date, placeholders refused as for [`set_doc_created`].
pub fn set_doc_modified(f: &mut Facts, modified: Option<DateTime<FixedOffset>>, source: &str) {
    f.doc_modified = crate::extract::dates::vet(f, source, modified);
}

/// Bytes for people: "6.2 GB", "512 MB".
pub fn fmt_bytes(n: u64) -> String {
    const UNITS: [(&str, f64); 3] = [("GB", 1e9), ("MB", 1024.0 * 1024.0), ("KB", 1024.0)];
    for (unit, size) in UNITS {
        if n as f64 >= size {
            let v = n as f64 / size;
            return if v >= 100.0 || (v.fract() < 0.05) {
                format!("{v:.0} {unit}")
            } else {
                format!("{v:.1} {unit}")
            };
        }
    }
    format!("{n} bytes")
}

/// Is this OLE2 compound file an encrypted OOXML package (Office "Encrypt with Password")?
fn ole_is_encrypted_ooxml(data: &[u8]) -> bool {
    let needle: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    memchr::memmem::find(data, &needle).is_some()
}

/// Read the text and properties of one document whose whole content is `data`.
pub fn extract(name: &str, mime: &str, data: &[u8], limits: &Limits, f: &mut Facts) {
    if data.is_empty() {
        f.problems.push(Problem::new(Code::EmptyFile));
        return;
    }
    let kind = kind_of(name, mime, data);
    match kind {
        DocKind::Pdf => pdf::extract(data, limits, f),
        DocKind::Docx | DocKind::Pptx => {
            ooxml::extract(data, kind, limits, f);
            if kind == DocKind::Docx {
                manifest::from_document_text(f);
            }
        }
        DocKind::Xlsx | DocKind::Xls => sheet::extract(name, data, kind, limits, f),
        DocKind::Text => text::extract(name, data, false, limits, f),
        DocKind::Csv => text::extract(name, data, true, limits, f),
        DocKind::Ole => {
            let is_ole = data.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
            if is_ole && ole_is_encrypted_ooxml(data) {
                f.problems.push(Problem::new(Code::OfficeEncrypted));
                f.text_status = Some("not extracted: encrypted, text not extracted".into());
                return;
            }
            let what = match sniff::extension(name).as_str() {
                "doc" => "legacy binary Word (.doc) format",
                "ppt" => "legacy binary PowerPoint (.ppt) format",
                "wps" => "WPS/Works (.wps) binary format",
                "dps" => "WPS presentation (.dps) binary format",
                "et" => "WPS spreadsheet (.et) binary format",
                _ => "legacy binary Office (OLE2) format",
            };
            if !is_ole {
                f.problems.push(Problem::detail(
                    Code::ContainerInvalid,
                    format!("not a valid {what}: the file is not an OLE2 compound file"),
                ));
            }
            f.text_status = Some(format!("not extracted: {what}"));
        }
        DocKind::Rtf => rtf::extract(data, limits, f),
        DocKind::Unknown => {}
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod corpus;
