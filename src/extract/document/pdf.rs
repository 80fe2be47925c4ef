//! PDF text and properties through pdf_oxide.
//!
//! pdf_oxide is used because it reads the predefined Chinese CMaps (`UniGB-UCS2-H` with
//! unembedded CID fonts) that Word and WPS exports use, where pdf-extract panics. Properties
//! come from the Info dictionary first (what Acrobat's "Properties" shows), then XMP. An
//! encrypted PDF is opened with the empty user password, as every viewer does; when that
//! fails the file is catalogued with an error and no text.

use crate::problem::{Code, Problem};
use chrono::{DateTime, FixedOffset, NaiveDate};
use pdf_oxide::object::Object;
use pdf_oxide::PdfDocument;

use super::{set_doc_created, set_doc_modified};
use crate::extract::{Facts, Limits};

/// Page count above which pages are not walked for text (a fuzzed /Count).
const MAX_PAGES_WALKED: usize = 20_000;

pub fn extract(data: &[u8], limits: &Limits, f: &mut Facts) {
    let doc = match contained(|| PdfDocument::from_bytes(data.to_vec())) {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => {
            f.problems.push(Problem::detail(Code::PdfInvalid, e));
            return;
        }
        Err(panic) => {
            f.problems.push(Problem::detail(
                Code::PdfInvalid,
                format!("the PDF reader failed on its structure ({panic})"),
            ));
            return;
        }
    };
    if doc.is_encrypted() {
        let auth = contained(|| doc.authenticate(b"")).unwrap_or_else(|p| Err(p.into()));
        let refused = match auth {
            Ok(true) => None,
            Ok(false) => Some(Problem::new(Code::PdfEncrypted)),
            Err(e) => Some(Problem::new(Code::PdfEncrypted).with("detail", e)),
        };
        if let Some(problem) = refused {
            f.problems.push(problem);
            f.text_status = Some("not extracted: encrypted, text not extracted".into());
            if let Ok(Ok(n)) = contained(|| doc.page_count()) {
                f.pages = u32::try_from(n).ok();
            }
            return;
        }
    }
    let mut props = Facts::default();
    if let Err(panic) = contained(|| properties(&doc, limits, &mut props)) {
        f.problems.push(Problem::detail(
            Code::DocumentPartUnread,
            format!("PDF properties ({panic})"),
        ));
    }
    f.title = props.title;
    f.author = props.author;
    f.doc_created = props.doc_created;
    f.doc_modified = props.doc_modified;
    f.problems.append(&mut props.problems);
    let n = match contained(|| doc.page_count()).unwrap_or_else(|p| Err(p.into())) {
        Ok(n) => n,
        Err(e) => {
            f.problems.push(Problem::detail(
                Code::PdfInvalid,
                format!("its page tree cannot be read ({e})"),
            ));
            return;
        }
    };
    f.pages = u32::try_from(n).ok();
    let mut text = String::new();
    let mut failed = 0usize;
    let mut first_error = None;
    for i in 0..n.min(MAX_PAGES_WALKED) {
        if text.len() > limits.text_cap {
            break;
        }
        match contained(|| doc.extract_text(i)).unwrap_or_else(|p| Err(p.into())) {
            Ok(t) => {
                push_normalised(&mut text, &t);
                if !text.ends_with('\n') {
                    text.push('\n');
                }
            }
            Err(e) => {
                failed += 1;
                first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    if failed > 0 {
        // Every page failing means the document's content cannot be used; some failing is a
        // gap in an otherwise readable document.
        let code = if failed >= n.min(MAX_PAGES_WALKED) {
            Code::PdfInvalid
        } else {
            Code::PdfPagesUnread
        };
        f.problems.push(Problem::detail(
            code,
            format!("{failed} / {n} pages: {}", first_error.unwrap_or_default()),
        ));
    }
    if text.trim().is_empty() && failed == 0 && n > 0 {
        f.problems.push(Problem::new(Code::PdfNoText));
        f.text_status = Some(
            "no text layer: the pages hold only images (scanned?); their text is left to OCR"
                .into(),
        );
    }
    f.set_text(text, limits.text_cap);
}

/// Typographic ligatures (ﬁ, ﬂ, …) come out of fonts as one code point; searchers type the
/// letters, and pdftotext expands them too.
fn push_normalised(out: &mut String, t: &str) {
    for c in t.chars() {
        match c {
            '\u{FB00}' => out.push_str("ff"),
            '\u{FB01}' => out.push_str("fi"),
            '\u{FB02}' => out.push_str("fl"),
            '\u{FB03}' => out.push_str("ffi"),
            '\u{FB04}' => out.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => out.push_str("st"),
            _ => out.push(c),
        }
    }
}

/// Run a pdf_oxide call and turn a panic into a message: a malformed page (pdf_oxide 0.3.78
/// slices strings at non-character boundaries on some damaged object headers) must cost that
/// page, not the pages and properties already read.
fn contained<T>(f: impl FnOnce() -> T) -> Result<T, ReaderPanic> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        ReaderPanic(
            p.downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "internal error".into()),
        )
    })
}

/// pdf_oxide panicked; the panic's message, shown inside the file's error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct ReaderPanic(String);

impl From<ReaderPanic> for pdf_oxide::Error {
    /// A panic counts as the damaged PDF that caused it.
    fn from(p: ReaderPanic) -> pdf_oxide::Error {
        pdf_oxide::Error::InvalidPdf(p.0)
    }
}

fn resolve(doc: &PdfDocument, obj: &Object) -> Option<Object> {
    match obj {
        Object::Reference(r) => doc.load_object(*r).ok(),
        other => Some(other.clone()),
    }
}

fn info_value(doc: &PdfDocument, key: &str) -> Option<String> {
    let info = resolve(doc, doc.trailer().as_dict()?.get("Info")?)?;
    let raw = resolve(doc, info.as_dict()?.get(key)?)?;
    let s = decode_text_string(raw.as_string()?);
    let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    (!t.is_empty()).then(|| t.to_string())
}

/// A PDF text string: UTF-16BE with BOM, UTF-8 with BOM (PDF 2.0), else PDFDocEncoding.
/// Chinese tools also write raw GBK bytes there; those are decoded as GB18030 when they
/// are not ASCII and decode cleanly.
pub fn decode_text_string(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(b"\xFE\xFF") {
        return encoding_rs::UTF_16BE
            .decode_without_bom_handling(rest)
            .0
            .into_owned();
    }
    if let Some(rest) = b.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    if b.is_ascii() {
        return String::from_utf8_lossy(b).into_owned();
    }
    if let Ok(s) = std::str::from_utf8(b) {
        return s.to_string();
    }
    let (gb, _, had_errors) = encoding_rs::GB18030.decode(b);
    if !had_errors && gb.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)) {
        return gb.into_owned();
    }
    // PDFDocEncoding agrees with Latin-1 for the printable range.
    b.iter().map(|&c| c as char).collect()
}

fn properties(doc: &PdfDocument, limits: &Limits, f: &mut Facts) {
    f.title = info_value(doc, "Title");
    f.author = info_value(doc, "Author");
    let mut created =
        info_value(doc, "CreationDate").and_then(|s| parse_pdf_date(&s, limits.default_offset));
    let mut modified =
        info_value(doc, "ModDate").and_then(|s| parse_pdf_date(&s, limits.default_offset));
    let mut source = "pdf:CreationDate";
    let mut modified_source = "pdf:ModDate";
    if f.title.is_none() || f.author.is_none() || created.is_none() {
        if let Ok(Some(xmp)) = pdf_oxide::extractors::XmpExtractor::extract(doc) {
            if f.title.is_none() {
                f.title = xmp.dc_title.filter(|s| !s.trim().is_empty());
            }
            if f.author.is_none() {
                f.author = xmp.dc_creator.into_iter().find(|s| !s.trim().is_empty());
            }
            if created.is_none() {
                created = xmp
                    .xmp_create_date
                    .as_deref()
                    .and_then(|s| parse_xmp_date(s, limits.default_offset));
                source = "xmp:CreateDate";
            }
            if modified.is_none() {
                modified = xmp
                    .xmp_modify_date
                    .as_deref()
                    .and_then(|s| parse_xmp_date(s, limits.default_offset));
                modified_source = "xmp:ModifyDate";
            }
        }
    }
    if let Some(c) = created {
        set_doc_created(f, c, source);
    }
    set_doc_modified(f, modified, modified_source);
}

fn parse_xmp_date(s: &str, zone: FixedOffset) -> Option<DateTime<FixedOffset>> {
    super::ooxml::parse_w3cdtf(
        s,
        &Limits {
            default_offset: zone,
            ..Limits::default()
        },
    )
}

/// `D:YYYYMMDDHHmmSSOHH'mm'` with every field after the year optional; no offset means the
/// configured zone (that is what the writing machine's clock showed).
pub fn parse_pdf_date(s: &str, zone: FixedOffset) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() < 4 {
        return None;
    }
    let num = |a: usize, b: usize, default: u32| -> Option<u32> {
        if digits.len() >= b {
            digits[a..b].parse().ok()
        } else {
            Some(default)
        }
    };
    let year: i32 = digits[..4].parse().ok()?;
    let date = NaiveDate::from_ymd_opt(year, num(4, 6, 1)?, num(6, 8, 1)?)?;
    let naive = date.and_hms_opt(num(8, 10, 0)?, num(10, 12, 0)?, num(12, 14, 0)?.min(59))?;
    let rest = &s[digits.len()..];
    let offset = match rest.chars().next() {
        Some('Z') => FixedOffset::east_opt(0),
        Some(sign @ ('+' | '-')) => {
            let d: String = rest[1..].chars().filter(|c| c.is_ascii_digit()).collect();
            let h: i32 = d.get(..2).and_then(|x| x.parse().ok()).unwrap_or(0);
            let m: i32 = d.get(2..4).and_then(|x| x.parse().ok()).unwrap_or(0);
            let secs = (h * 3600 + m * 60) * if sign == '-' { -1 } else { 1 };
            FixedOffset::east_opt(secs)
        }
        _ => Some(zone),
    }?;
    use chrono::Datelike;
    let t = naive.and_local_timezone(offset).single()?;
    // Epoch placeholders (1970, 1980) are returned: the caller refuses them with a warning.
    (t.year() >= 1900).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cst() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).unwrap()
    }

    #[test]
    fn pdf_dates() {
        let t = parse_pdf_date("D:20190315103000+08'00'", cst()).unwrap();
        assert_eq!(t.to_rfc3339(), "2019-03-15T10:30:00+08:00");
        let t = parse_pdf_date("D:20190315103000Z", cst()).unwrap();
        assert_eq!(t.to_rfc3339(), "2019-03-15T10:30:00+00:00");
        let t = parse_pdf_date("D:2019", cst()).unwrap();
        assert_eq!(t.to_rfc3339(), "2019-01-01T00:00:00+08:00");
        let t = parse_pdf_date("D:20190315103000-05'30", cst()).unwrap();
        assert_eq!(t.to_rfc3339(), "2019-03-15T10:30:00-05:30");
        assert_eq!(parse_pdf_date("D:", cst()), None);
        assert_eq!(parse_pdf_date("D:20191340", cst()), None);
        assert_eq!(parse_pdf_date("yesterday", cst()), None);
    }

    #[test]
    fn text_strings() {
        assert_eq!(decode_text_string(b"\xFE\xFF\x79\xD1\x66\x6E"), "科普");
        assert_eq!(decode_text_string(b"Minutes"), "Minutes");
        let (gbk, _, _) = encoding_rs::GBK.encode("会议纪要");
        assert_eq!(decode_text_string(&gbk), "会议纪要");
    }
}
