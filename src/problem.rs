//! What happened to a file while it was read, in three severities, each with a stable code.
//!
//! An inspector who sees 无法读取 on a photo whose date, place and camera were all read stops
//! trusting every flag. So only an *error* (the content itself cannot be used: an empty file,
//! undecodable image data, an encrypted PDF) makes a file unreadable and the run exit 2. A
//! *warning* says that something was recovered or left out (EXIF laid out oddly, a placeholder
//! date ignored, text cut at the cap) and a *note* is information. The severity belongs to the
//! code, so the same code never means different things on different files.
//!
//! A problem stores its code and named parameters, never a sentence: the text is rendered in
//! the reader's language from the message catalogue ([`crate::i18n`]) when it is shown, and
//! other tools get the code and parameters in `--json` to render their own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::i18n::{Lang, Msg};

/// How much a problem matters to the person judging the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The content cannot be used: flagged unreadable, and the run exits 2.
    Error,
    /// Metadata partly damaged or left out, values recovered: shown, never flagged.
    Warning,
    /// Information: why something is absent, what was skipped.
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }

    pub fn msg(self) -> Msg {
        match self {
            Severity::Error => Msg::SeverityError,
            Severity::Warning => Msg::SeverityWarning,
            Severity::Note => Msg::SeverityNote,
        }
    }
}

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $sev:ident, $msg:ident;)*) => {
        /// The stable code of one kind of problem.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as written in `--json`, the catalog and the run summary.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// The catalogue key of the problem's sentence.
            pub fn msg(self) -> Msg {
                match self { $(Code::$variant => Msg::$msg,)* }
            }

            pub fn parse(s: &str) -> Option<Code> {
                match s { $($code => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    // ---- reading the file (hash)
    /// Gone between the walk and the read: read again next run.
    FileVanished = "file_vanished", Warning, ProbFileVanished;
    /// Changed while being read (still being copied?): read again next run.
    FileChanged = "file_changed", Warning, ProbFileChanged;
    /// The archive's account may not read the file.
    PermissionDenied = "permission_denied", Error, ProbPermissionDenied;
    /// The file could not be opened or read (permission, I/O); `detail`.
    ReadFailed = "read_failed", Error, ProbReadFailed;
    /// A symbolic link, not followed (`--follow-symlinks` follows those inside the folder).
    LinkNotFollowed = "link_not_followed", Note, ProbLinkNotFollowed;
    /// A link leading out of the evidence folder, never followed; `target`.
    LinkOutsideRoot = "link_outside_root", Note, ProbLinkOutsideRoot;
    /// A FIFO, socket or device: not evidence.
    SpecialFile = "special_file", Note, ProbSpecialFile;
    /// A followed link back to a folder above it; `target`.
    FolderLoop = "folder_loop", Warning, ProbFolderLoop;
    /// The file has no content.
    EmptyFile = "empty_file", Error, ProbEmptyFile;
    // ---- extraction under the guard
    /// The reader crashed on this file; `detail`.
    ExtractCrashed = "extract_crashed", Error, ProbExtractCrashed;
    /// The reader took longer than the budget; `seconds`.
    ExtractTimeout = "extract_timeout", Error, ProbExtractTimeout;
    // ---- photos
    /// The JPEG's image data ends early or is damaged; `detail`.
    ImageDamaged = "image_damaged", Error, ProbImageDamaged;
    /// The JPEG ends before its end-of-image marker: an interrupted copy or upload.
    JpegTruncated = "jpeg_truncated", Error, ProbJpegTruncated;
    /// Named like a picture, but the content is text.
    NotAnImage = "not_an_image", Error, ProbNotAnImage;
    /// EXIF laid out against the standard, values recovered; `detail`.
    ExifLayoutQuirk = "exif_layout_quirk", Warning, ProbExifLayoutQuirk;
    /// EXIF present but none of it could be read; `detail`.
    ExifUnreadable = "exif_unreadable", Warning, ProbExifUnreadable;
    /// The EXIF block is cut short; what precedes the cut was read.
    ExifTruncated = "exif_truncated", Warning, ProbExifTruncated;
    /// A date field holds something that is not a date; `tag`, `value`.
    DateInvalid = "date_invalid", Warning, ProbDateInvalid;
    /// A placeholder date was ignored; `tag`, `value`.
    DatePlaceholder = "date_placeholder", Warning, ProbDatePlaceholder;
    /// An offset field could not be read; `tag`, `value`.
    OffsetInvalid = "offset_invalid", Warning, ProbOffsetInvalid;
    /// A GPS field could not be used; `detail`.
    GpsInvalid = "gps_invalid", Warning, ProbGpsInvalid;
    /// Nothing but EXIF DateTime (ModifyDate) dates the photo: the capture time shown is its
    /// last-modified time, which an edit may have changed.
    DateIsModifyDate = "date_is_modify_date", Note, ProbDateIsModifyDate;
    /// XMP or IPTC metadata present but not readable; `detail`.
    PhotoMetadataUnreadable = "photo_metadata_unreadable", Warning, ProbPhotoMetadataUnreadable;
    // ---- videos
    /// The video's container could not be read at all; `detail`.
    VideoUnreadable = "video_unreadable", Error, ProbVideoUnreadable;
    /// The video ends before its metadata box is complete: a truncated copy; `detail`.
    VideoTruncated = "video_truncated", Error, ProbVideoTruncated;
    /// Some of the video's metadata could not be read; `detail`.
    VideoMetadataPartial = "video_metadata_partial", Warning, ProbVideoMetadataPartial;
    /// Two capture times in one video disagree (Apple's key in local time, QuickTime's header
    /// in UTC); the first is shown as the capture time; `taken`, `source`, `other`, `other_source`.
    VideoDatesDiffer = "video_dates_differ", Note, ProbVideoDatesDiffer;
    // ---- documents
    /// Not a valid PDF; `detail`.
    PdfInvalid = "pdf_invalid", Error, ProbPdfInvalid;
    /// The PDF is encrypted and its text cannot be read.
    PdfEncrypted = "pdf_encrypted", Error, ProbPdfEncrypted;
    /// Some pages' text could not be read; `detail`.
    PdfPagesUnread = "pdf_pages_unread", Warning, ProbPdfPagesUnread;
    /// A PDF without a text layer (a scan).
    PdfNoText = "pdf_no_text", Note, ProbPdfNoText;
    /// An encrypted Office document (password required).
    OfficeEncrypted = "office_encrypted", Error, ProbOfficeEncrypted;
    /// An Office file that is not the zip container its name says; `detail`.
    ContainerInvalid = "container_invalid", Error, ProbContainerInvalid;
    /// A zip container refused for its size or entry count; `detail`.
    ContainerTooLarge = "container_too_large", Error, ProbContainerTooLarge;
    /// A part of an Office file could not be read; `detail`.
    DocumentPartUnread = "document_part_unread", Warning, ProbDocumentPartUnread;
    /// A workbook that cannot be opened; `detail`.
    SheetInvalid = "sheet_invalid", Error, ProbSheetInvalid;
    /// A sheet of a workbook could not be read (fully); `sheet`, `detail`.
    SheetPartlyRead = "sheet_partly_read", Warning, ProbSheetPartlyRead;
    /// Text cut at the cap; `kept`, `total`, `cap`.
    TextCut = "text_cut", Warning, ProbTextCut;
    /// Text is not extracted from this format; `format`.
    TextNotExtracted = "text_not_extracted", Note, ProbTextNotExtracted;
    /// Text could not be decoded; `detail`.
    TextUndecodable = "text_undecodable", Warning, ProbTextUndecodable;
    // ---- submission lists
    /// A file that looks like a submission list whose rows could not be read; `detail`.
    ManifestUnreadable = "manifest_unreadable", Warning, ProbManifestUnreadable;
    /// Called a list (`clue`: its name or title) but no header names a file or indicator column.
    ManifestNoHeader = "manifest_no_header", Warning, ProbManifestNoHeader;
    /// A list's `header` names an indicator column but no column holds file names; `clue`.
    ManifestNoFileColumn = "manifest_no_file_column", Warning, ProbManifestNoFileColumn;
    /// A list's `header` names a file column but no column holds indicators; `clue`.
    ManifestNoIndicatorColumn = "manifest_no_indicator_column", Warning, ProbManifestNoIndicatorColumn;
    /// Both columns found (header `at`), but no row fills both; `file_column`, `indicator_column`.
    ManifestNoRows = "manifest_no_rows", Warning, ProbManifestNoRows;
    // ---- OCR (helper: ocr)
    /// A scan or a photo of paper whose text was not recognised: no engine here; `why`.
    OcrUnavailable = "ocr_unavailable", Note, ProbOcrUnavailable;
    // ---- carried over from catalogs written before codes existed
    /// A problem recorded as a sentence by an older version; `detail`.
    Legacy = "legacy", Error, ProbLegacy;
}

/// One problem met while reading one file: its code and named parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: Code,
    pub params: BTreeMap<String, String>,
}

/// Longest parameter value kept: a reason is one readable line, not a dump.
const PARAM_MAX_CHARS: usize = 160;

impl Problem {
    pub fn new(code: Code) -> Problem {
        Problem {
            code,
            params: BTreeMap::new(),
        }
    }

    /// Add a named parameter; the value is made one readable line (see [`one_line`]).
    pub fn with(mut self, name: &str, value: impl std::fmt::Display) -> Problem {
        self.params
            .insert(name.to_string(), one_line(&value.to_string()));
        self
    }

    /// Shorthand for the commonest case: a code and what the reader said.
    pub fn detail(code: Code, detail: impl std::fmt::Display) -> Problem {
        Problem::new(code).with("detail", detail)
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }

    /// The sentence in `lang`, parameters filled.
    pub fn reason(&self, lang: Lang) -> String {
        let args: Vec<(&str, &dyn std::fmt::Display)> = self
            .params
            .iter()
            .map(|(k, v)| (k.as_str(), v as &dyn std::fmt::Display))
            .collect();
        let mut s = lang.fill(self.code.msg(), &args);
        // A parameter the caller did not give must not show as `{detail}`.
        while let Some(start) = s.find('{') {
            let Some(len) = s[start..].find('}') else {
                break;
            };
            let mut cut = start;
            // Take the separator before the hole with it ("…: {detail}").
            while cut > 0 && matches!(s.as_bytes()[cut - 1], b' ' | b':') {
                cut -= 1;
            }
            let cut = if s[..cut].ends_with('：') {
                cut - '：'.len_utf8()
            } else {
                cut
            };
            s.replace_range(cut..start + len + 1, "");
        }
        s
    }

    /// The shape `--json`, the API and the package show.
    pub fn notice(&self, lang: Lang) -> crate::record::Notice {
        crate::record::Notice {
            code: self.code.as_str().to_string(),
            reason: self.reason(lang),
            params: self.params.clone(),
        }
    }
}

/// One readable line of at most [`PARAM_MAX_CHARS`] characters: control characters and line
/// breaks become spaces, runs of whitespace one space, and long lists of numbers (a PDF
/// library printing an object's raw bytes) become "…".
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(PARAM_MAX_CHARS * 4));
    let mut numbers_in_a_row = 0usize;
    let mut token = String::new();
    let flush = |out: &mut String, token: &mut String, numbers_in_a_row: &mut usize| {
        if token.is_empty() {
            return;
        }
        let numeric = token
            .trim_matches(|c: char| matches!(c, ',' | '[' | ']' | '(' | ')'))
            .parse::<i64>()
            .is_ok();
        if numeric {
            *numbers_in_a_row += 1;
        } else {
            *numbers_in_a_row = 0;
        }
        match *numbers_in_a_row {
            0..=4 => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
                out.push_str(token);
            }
            5 => out.push_str(" …"),
            _ => {}
        }
        token.clear();
    };
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() {
            flush(&mut out, &mut token, &mut numbers_in_a_row);
        } else {
            token.push(c);
        }
    }
    flush(&mut out, &mut token, &mut numbers_in_a_row);
    if out.chars().count() > PARAM_MAX_CHARS {
        let cut: String = out.chars().take(PARAM_MAX_CHARS - 1).collect();
        out = format!("{}…", cut.trim_end());
    }
    out
}

/// Stored as `{"code": "...", "params": {...}}`; a plain string (catalogs written before
/// codes existed) reads back as [`Code::Legacy`] with the sentence as its detail.
impl Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let n = if self.params.is_empty() { 1 } else { 2 };
        let mut st = s.serialize_struct("Problem", n)?;
        st.serialize_field("code", self.code.as_str())?;
        if !self.params.is_empty() {
            st.serialize_field("params", &self.params)?;
        }
        st.end()
    }
}

impl<'de> Deserialize<'de> for Problem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Coded {
                code: String,
                #[serde(default)]
                params: BTreeMap<String, String>,
            },
            Sentence(String),
        }
        Ok(match Stored::deserialize(d)? {
            Stored::Coded { code, params } => match Code::parse(&code) {
                Some(code) => Problem { code, params },
                // A code from a newer version: keep its name so nothing is lost.
                None => Problem::detail(Code::Legacy, code),
            },
            Stored::Sentence(s) => Problem::detail(Code::Legacy, s),
        })
    }
}

/// Counts per code, for the end of a run.
pub fn count_by_code<'a>(problems: impl IntoIterator<Item = &'a Problem>) -> Vec<(Code, usize)> {
    let mut counts: BTreeMap<Code, usize> = BTreeMap::new();
    for p in problems {
        *counts.entry(p.code).or_default() += 1;
    }
    let mut v: Vec<(Code, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| {
        (a.0.severity(), std::cmp::Reverse(a.1), a.0).cmp(&(
            b.0.severity(),
            std::cmp::Reverse(b.1),
            b.0,
        ))
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_and_has_both_languages() {
        for &c in Code::ALL {
            assert_eq!(Code::parse(c.as_str()), Some(c));
            let p = Problem::detail(c, "x");
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(serde_json::from_str::<Problem>(&json).unwrap(), p);
            assert!(!p.reason(Lang::Zh).is_empty() && !p.reason(Lang::En).is_empty());
        }
    }

    #[test]
    fn docs_list_every_code() {
        let doc = include_str!("../docs/verdicts.md");
        for &c in Code::ALL {
            let row = format!("| `{}` | {} |", c.as_str(), c.severity().as_str());
            assert!(doc.contains(&row), "docs/verdicts.md lacks the row {row}");
        }
    }

    #[test]
    fn an_old_sentence_reads_as_a_legacy_error() {
        let p: Problem = serde_json::from_str("\"EXIF is corrupt: bad\"").unwrap();
        assert_eq!(p.code, Code::Legacy);
        assert!(p.is_error());
        assert!(p.reason(Lang::En).contains("EXIF is corrupt: bad"));
    }

    #[test]
    fn a_missing_parameter_leaves_no_placeholder() {
        let p = Problem::new(Code::PdfInvalid);
        for l in [Lang::Zh, Lang::En] {
            let r = p.reason(l);
            assert!(!r.contains('{') && !r.trim_end().ends_with(':'), "{r}");
        }
    }

    #[test]
    fn raw_bytes_and_line_breaks_become_one_short_line() {
        let bytes: Vec<String> = (0..400).map(|i| (i % 256).to_string()).collect();
        let noisy = format!("bad object\n\tat 12 0 R: [{}]", bytes.join(", "));
        let s = one_line(&noisy);
        assert!(s.chars().count() <= PARAM_MAX_CHARS, "{s}");
        assert!(!s.contains('\n') && !s.contains('\t'));
        assert!(s.starts_with("bad object at 12 0 R:"), "{s}");
        assert!(s.contains('…'));
        assert_eq!(one_line("a  b\r\nc"), "a b c");
    }
}
