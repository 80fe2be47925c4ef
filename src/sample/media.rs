//! Fixture writers: real DOCX, PPTX, XLSX, PDF and MP4 files with Chinese text and known
//! metadata, plus the hostile shapes the extractors must survive (zip bomb, encrypted PDF,
//! truncated boxes).
//!
//! They exist so that tests and the sample evidence tree never depend on files copied from
//! elsewhere (licences, size) and so that every expected value in a test is one the test itself
//! wrote. The writers aim at what Office, WPS and phones actually produce, not at the smallest
//! file a lenient reader accepts: a fixture that only our own reader understands proves nothing.

use std::io::{Cursor, Write};

use chrono::{DateTime, FixedOffset, Utc};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// Text and attribute values in the XML parts (the same escaping as HTML's).
fn xml_escape(s: &str) -> String {
    crate::html::escape(s)
}

/// Write `(name, content)` parts into a deflated zip, in order.
pub fn zip_parts(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, body) in parts {
        // Writing into a Vec cannot fail for I/O reasons; a failure here is a bug in the writer.
        w.start_file(*name, opts).expect("zip entry");
        w.write_all(body).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

fn core_xml(title: &str, author: &str, created: &str, modified: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:creator>{}</dc:creator><cp:lastModifiedBy>{}</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">{}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{}</dcterms:modified></cp:coreProperties>"#,
        xml_escape(title),
        xml_escape(author),
        xml_escape(author),
        xml_escape(created),
        xml_escape(modified)
    )
    .into_bytes()
}

const RELS_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const R_OFFICE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A Word document: a header, the paragraphs, then a two-column table whose cells repeat the
/// first paragraph's words (so a test can tell the table was read), with core properties.
/// `created_rfc3339` goes to `dcterms:created`; `dcterms:modified` is one day later.
pub fn docx(title: &str, author: &str, created_rfc3339: &str, paragraphs: &[&str]) -> Vec<u8> {
    let modified = DateTime::parse_from_rfc3339(created_rfc3339)
        .map(|d| {
            (d + chrono::Duration::days(1))
                .with_timezone(&Utc)
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        })
        .unwrap_or_else(|_| created_rfc3339.to_string());
    let created_z = DateTime::parse_from_rfc3339(created_rfc3339)
        .map(|d| {
            d.with_timezone(&Utc)
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        })
        .unwrap_or_else(|_| created_rfc3339.to_string());
    let w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    let mut body = String::new();
    for p in paragraphs {
        // Word splits text into runs at formatting changes; split each paragraph in two runs
        // so that a reader which forgets to join runs within a paragraph is caught.
        let chars: Vec<char> = p.chars().collect();
        let (a, b) = chars.split_at(chars.len() / 2);
        let a: String = a.iter().collect();
        let b: String = b.iter().collect();
        body.push_str(&format!(
            r#"<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
            xml_escape(&a),
            xml_escape(&b)
        ));
    }
    body.push_str(
        r#"<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol w:w="4000"/><w:gridCol w:w="4000"/></w:tblGrid>"#,
    );
    for (k, v) in [("序号", "活动名称"), ("1", "科普大篷车进校园")] {
        body.push_str(&format!(
            r#"<w:tr><w:tc><w:p><w:r><w:t>{k}</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>{v}</w:t></w:r></w:p></w:tc></w:tr>"#
        ));
    }
    body.push_str("</w:tbl>");
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{w}" xmlns:r="{R_OFFICE}"><w:body>{body}<w:sectPr><w:headerReference w:type="default" r:id="rId2"/></w:sectPr></w:body></w:document>"#
    );
    let header = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr xmlns:w="{w}"><w:p><w:r><w:t>青海省科普工作页眉</w:t></w:r></w:p></w:hdr>"#
    );
    let content_types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>"#;
    let rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{RELS_NS}"><Relationship Id="rId1" Type="{R_OFFICE}/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>"#
    );
    let doc_rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{RELS_NS}"><Relationship Id="rId2" Type="{R_OFFICE}/header" Target="header1.xml"/></Relationships>"#
    );
    zip_parts(&[
        ("[Content_Types].xml", content_types.as_bytes().to_vec()),
        ("_rels/.rels", rels.into_bytes()),
        ("word/document.xml", document.into_bytes()),
        ("word/_rels/document.xml.rels", doc_rels.into_bytes()),
        ("word/header1.xml", header.into_bytes()),
        ("docProps/core.xml", core_xml(title, author, &created_z, &modified)),
        (
            "docProps/app.xml",
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Microsoft Office Word</Application><Pages>1</Pages></Properties>"#
                .to_vec(),
        ),
    ])
}

/// A PowerPoint deck: one slide per `(slide text, notes)`, each with its notes page.
pub fn pptx(title: &str, author: &str, slides: &[(&str, &str)]) -> Vec<u8> {
    let p = "http://schemas.openxmlformats.org/presentationml/2006/main";
    let a = "http://schemas.openxmlformats.org/drawingml/2006/main";
    let sp = |text: &str| {
        format!(
            r#"<p:sp><p:nvSpPr><p:cNvPr id="2" name="Text"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:p><a:r><a:rPr lang="zh-CN"/><a:t>{}</a:t></a:r></a:p></p:txBody></p:sp>"#,
            xml_escape(text)
        )
    };
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    let mut overrides = String::new();
    let mut pres_rels = String::new();
    let mut sld_ids = String::new();
    for (i, (text, notes)) in slides.iter().enumerate() {
        let n = i + 1;
        let slide = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<p:sld xmlns:p="{p}" xmlns:a="{a}" xmlns:r="{R_OFFICE}"><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>{}</p:spTree></p:cSld></p:sld>"#,
            sp(text)
        );
        let note = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<p:notes xmlns:p="{p}" xmlns:a="{a}" xmlns:r="{R_OFFICE}"><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>{}</p:spTree></p:cSld></p:notes>"#,
            sp(notes)
        );
        let slide_rels = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{RELS_NS}"><Relationship Id="rId2" Type="{R_OFFICE}/notesSlide" Target="../notesSlides/notesSlide{n}.xml"/></Relationships>"#
        );
        parts.push((format!("ppt/slides/slide{n}.xml"), slide.into_bytes()));
        parts.push((
            format!("ppt/slides/_rels/slide{n}.xml.rels"),
            slide_rels.into_bytes(),
        ));
        parts.push((
            format!("ppt/notesSlides/notesSlide{n}.xml"),
            note.into_bytes(),
        ));
        overrides.push_str(&format!(
            r#"<Override PartName="/ppt/slides/slide{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slide+xml"/><Override PartName="/ppt/notesSlides/notesSlide{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.notesSlide+xml"/>"#
        ));
        pres_rels.push_str(&format!(
            r#"<Relationship Id="rId{}" Type="{R_OFFICE}/slide" Target="slides/slide{n}.xml"/>"#,
            n + 1
        ));
        sld_ids.push_str(&format!(
            r#"<p:sldId id="{}" r:id="rId{}"/>"#,
            255 + n,
            n + 1
        ));
    }
    let presentation = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<p:presentation xmlns:p="{p}" xmlns:a="{a}" xmlns:r="{R_OFFICE}"><p:sldIdLst>{sld_ids}</p:sldIdLst><p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>"#
    );
    let content_types = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/>{overrides}<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#
    );
    let rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{RELS_NS}"><Relationship Id="rId1" Type="{R_OFFICE}/officeDocument" Target="ppt/presentation.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#
    );
    let pres_rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{RELS_NS}">{pres_rels}</Relationships>"#
    );
    let mut all: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), content_types.into_bytes()),
        ("_rels/.rels".into(), rels.into_bytes()),
        ("ppt/presentation.xml".into(), presentation.into_bytes()),
        (
            "ppt/_rels/presentation.xml.rels".into(),
            pres_rels.into_bytes(),
        ),
    ];
    all.extend(parts);
    all.push((
        "docProps/core.xml".into(),
        core_xml(
            title,
            author,
            "2019-03-15T02:30:00Z",
            "2019-03-16T02:30:00Z",
        ),
    ));
    let refs: Vec<(&str, Vec<u8>)> = all.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    zip_parts(&refs)
}

/// An Excel workbook with the given sheets (name, rows of cell text), written by rust_xlsxwriter
/// the way Excel lays it out (shared strings, one part per sheet).
pub fn xlsx(sheets: &[(&str, Vec<Vec<String>>)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    // A fixed creation time keeps generated fixtures byte-identical from run to run.
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2019, 3, 15).expect("valid date");
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).expect("valid sheet name");
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if !cell.is_empty() {
                    ws.write_string(r as u32, c as u16, cell)
                        .expect("cell in range");
                }
            }
        }
    }
    wb.save_to_buffer().expect("xlsx to memory")
}

/// A workbook with one sheet holding a date cell (2019-03-15) formatted as a date, as a
/// ledger (台账) has.
pub fn xlsx_with_date() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    ws.write_string(0, 0, "活动日期").expect("cell");
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2019, 3, 15).expect("date");
    ws.write_datetime_with_format(1, 0, &date, &fmt)
        .expect("cell");
    wb.save_to_buffer().expect("xlsx to memory")
}

/// An RTF as Word/WPS save Chinese text: `\ansicpg936`, a font table naming 宋体 in GBK
/// bytes, the first paragraph as GBK `\'hh` escapes, the others as `\uN` with a `?`
/// fallback; title, author and creation time (2019-03-15 10:30) in `\info`.
pub fn rtf(title: &str, author: &str, paragraphs: &[&str]) -> Vec<u8> {
    let gbk_escaped = |s: &str| {
        let (bytes, _, _) = encoding_rs::GBK.encode(s);
        bytes
            .iter()
            .map(|b| {
                if b.is_ascii_alphanumeric() || *b == b' ' {
                    (*b as char).to_string()
                } else {
                    format!("\\'{b:02x}")
                }
            })
            .collect::<String>()
    };
    let unicode_escaped = |s: &str| {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == ' ' {
                    c.to_string()
                } else {
                    format!("\\u{}\\'3f", c as u32 as i16)
                }
            })
            .collect::<String>()
    };
    let mut out =
        String::from("{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 ");
    out.push_str(&gbk_escaped("宋体"));
    out.push_str(";}}{\\colortbl;\\red0\\green0\\blue0;}");
    out.push_str(&format!(
        "{{\\info{{\\title {}}}{{\\author {}}}{{\\creatim\\yr2019\\mo3\\dy15\\hr10\\min30}}}}\n",
        unicode_escaped(title),
        unicode_escaped(author)
    ));
    out.push_str("\\uc1\\pard\\f0\\fs24 ");
    for (i, p) in paragraphs.iter().enumerate() {
        if i == 0 {
            out.push_str(&gbk_escaped(p));
        } else {
            out.push_str(&unicode_escaped(p));
        }
        out.push_str("\\par\n");
    }
    out.push('}');
    out.into_bytes()
}

/// How the Chinese text of a generated PDF is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdfCjk {
    /// Word/WPS "save as PDF" without embedding: Type0 font, CIDFontType0 STSong-Light,
    /// predefined CMap `UniGB-UCS2-H`, text as hex UCS-2. No ToUnicode map.
    PredefinedUcs2,
    /// `Identity-H` with glyph ids private to the file, readable only through a `/ToUnicode` map.
    IdentityToUnicode,
}

/// A PDF the way Word/WPS export Chinese text (see [`PdfCjk::PredefinedUcs2`]), with an Info
/// dictionary (title and author as UTF-16BE text strings, `created` like
/// `D:20190315103000+08'00'`). Each page's lines are separated by `\n`.
pub fn pdf(title: &str, author: &str, created: &str, pages: &[&str]) -> Vec<u8> {
    pdf_with(title, author, created, pages, PdfCjk::PredefinedUcs2, false)
}

/// Like [`pdf`], but the text is only readable through a `/ToUnicode` CMap.
pub fn pdf_tounicode(title: &str, author: &str, created: &str, pages: &[&str]) -> Vec<u8> {
    pdf_with(
        title,
        author,
        created,
        pages,
        PdfCjk::IdentityToUnicode,
        false,
    )
}

/// A PDF encrypted with the standard security handler and a user password that is not empty,
/// so that no reader can extract its text without the password.
pub fn encrypted_pdf() -> Vec<u8> {
    pdf_with(
        "加密文件",
        "测试",
        "D:20190315103000+08'00'",
        &["机密内容"],
        PdfCjk::PredefinedUcs2,
        true,
    )
}

fn pdf_text_string(s: &str) -> String {
    let mut hex = String::from("<FEFF");
    for u in s.encode_utf16() {
        hex.push_str(&format!("{u:04X}"));
    }
    hex.push('>');
    hex
}

fn pdf_with(
    title: &str,
    author: &str,
    created: &str,
    pages: &[&str],
    cjk: PdfCjk,
    encrypt: bool,
) -> Vec<u8> {
    // CIDs for the Identity-H variant: a private numbering, as subset fonts have.
    let mut cid_of: Vec<(u16, u16)> = Vec::new(); // (cid, utf16 unit)
    let mut encode = |line: &str| -> String {
        let mut hex = String::new();
        for u in line.encode_utf16() {
            let code = match cjk {
                PdfCjk::PredefinedUcs2 => u,
                PdfCjk::IdentityToUnicode => match cid_of.iter().find(|(_, x)| *x == u) {
                    Some((cid, _)) => *cid,
                    None => {
                        let cid = 100 + cid_of.len() as u16 * 7;
                        cid_of.push((cid, u));
                        cid
                    }
                },
            };
            hex.push_str(&format!("{code:04X}"));
        }
        hex
    };
    let mut contents = Vec::new();
    for page in pages {
        let mut s = String::from("BT\n/F1 14 Tf\n18 TL\n72 760 Td\n");
        for line in page.split('\n') {
            s.push_str(&format!("<{}> Tj T*\n", encode(line)));
        }
        s.push_str("ET\n");
        contents.push(s);
    }

    let n = pages.len();
    // Object numbers: 1 catalog, 2 pages, 3 Type0 font, 4 CIDFont, 5 descriptor, 6 info,
    // 7 ToUnicode or unused, 8 encrypt or unused, then page/content pairs.
    let mut objs: Vec<Vec<u8>> = Vec::new();
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 9 + 2 * i)).collect();
    objs.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objs.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes());
    let (encoding, tounicode) = match cjk {
        PdfCjk::PredefinedUcs2 => ("/UniGB-UCS2-H", String::new()),
        PdfCjk::IdentityToUnicode => ("/Identity-H", " /ToUnicode 7 0 R".to_string()),
    };
    objs.push(
        format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding {encoding} /DescendantFonts [4 0 R]{tounicode} >>"
        )
        .into_bytes(),
    );
    objs.push(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R /DW 1000 >>"
            .to_vec(),
    );
    objs.push(
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
            .to_vec(),
    );
    objs.push(
        format!(
            "<< /Title {} /Author {} /Creator (WPS Office) /Producer (archive sample writer) /CreationDate ({created}) /ModDate ({created}) >>",
            pdf_text_string(title),
            pdf_text_string(author)
        )
        .into_bytes(),
    );
    let cmap = {
        let mut m = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        for chunk in cid_of.chunks(100) {
            m.push_str(&format!("{} beginbfchar\n", chunk.len()));
            for (cid, u) in chunk {
                m.push_str(&format!("<{cid:04X}> <{u:04X}>\n"));
            }
            m.push_str("endbfchar\n");
        }
        m.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        m
    };
    let mut tu = format!("<< /Length {} >>\nstream\n", cmap.len()).into_bytes();
    tu.extend_from_slice(cmap.as_bytes());
    tu.extend_from_slice(b"\nendstream");
    objs.push(tu);
    // Standard security handler, RC4 40-bit; /U is not the empty password's value, so the
    // document needs a password nobody has.
    objs.push(
        b"<< /Filter /Standard /V 1 /R 2 /O <6F6E652074776F2074687265652066C3BC6E66207365636873207369656265> /U <0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF> /P -44 >>"
            .to_vec(),
    );
    for (i, c) in contents.iter().enumerate() {
        objs.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                10 + 2 * i
            )
            .into_bytes(),
        );
        let mut s = format!("<< /Length {} >>\nstream\n", c.len()).into_bytes();
        s.extend_from_slice(c.as_bytes());
        s.extend_from_slice(b"\nendstream");
        objs.push(s);
    }

    let encrypt = if encrypt {
        " /Encrypt 8 0 R /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>]"
    } else {
        ""
    };
    assemble_pdf("1.7", &objs, &format!(" /Info 6 0 R{encrypt}"))
}

/// A PDF file of numbered objects (object `i + 1` is `objects[i]`; object 1 the catalog): the
/// header, the objects, the cross-reference table and a trailer with `trailer_extra` after
/// `/Root`.
pub(crate) fn assemble_pdf(version: &str, objects: &[Vec<u8>], trailer_extra: &str) -> Vec<u8> {
    let mut out = format!("%PDF-{version}\n%").into_bytes();
    // Four bytes above 127: the comment that tells tools the file is binary.
    out.extend_from_slice(b"\xE2\xE3\xCF\xD3\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R{trailer_extra} >>\nstartxref\n{xref_at}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// What [`mp4_with`] writes. `mp4` covers the common Android case; the extra fields make the
/// Apple variants (mdta keys, local creation date with its offset).
#[derive(Debug, Clone)]
pub struct Mp4Spec<'a> {
    pub creation: DateTime<Utc>,
    pub duration_s: f64,
    pub width: u16,
    pub height: u16,
    pub gps: Option<(f64, f64)>,
    pub make_model: Option<(&'a str, &'a str)>,
    /// Written as the `com.apple.quicktime.creationdate` key, as iPhones do.
    pub apple_creationdate: Option<DateTime<FixedOffset>>,
    /// `isom` (MP4) or `qt  ` (MOV).
    pub brand: [u8; 4],
}

/// An MP4 as an Android phone writes it: `mvhd` creation time (UTC), duration, one video
/// track with its pixel size, `©xyz` location and `©mak`/`©mod` in `udta`, make/model also as
/// `mdta` keys, and a small `mdat`.
pub fn mp4(
    creation: DateTime<Utc>,
    duration_s: f64,
    width: u16,
    height: u16,
    gps: Option<(f64, f64)>,
    make_model: Option<(&str, &str)>,
) -> Vec<u8> {
    mp4_with(&Mp4Spec {
        creation,
        duration_s,
        width,
        height,
        gps,
        make_model,
        apple_creationdate: None,
        brand: *b"isom",
    })
}

fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(body.len() + 8);
    v.extend_from_slice(&((body.len() + 8) as u32).to_be_bytes());
    v.extend_from_slice(kind);
    v.extend_from_slice(body);
    v
}

fn full(kind: &[u8; 4], version_flags: u32, body: &[u8]) -> Vec<u8> {
    let mut b = version_flags.to_be_bytes().to_vec();
    b.extend_from_slice(body);
    bx(kind, &b)
}

const MATRIX: [u32; 9] = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000];

/// ISO 6709 as phones write it: `+36.6171+101.7782/`.
pub fn iso6709(lat: f64, lon: f64) -> String {
    format!("{lat:+08.4}{lon:+09.4}/")
}

/// Seconds since 1904-01-01 UTC, the QuickTime epoch.
fn qt_time(t: DateTime<Utc>) -> u32 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1904, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    (t - epoch).num_seconds().clamp(0, u32::MAX as i64) as u32
}

pub fn mp4_with(s: &Mp4Spec) -> Vec<u8> {
    let t = qt_time(s.creation);
    let timescale = 1000u32;
    let duration = (s.duration_s * timescale as f64).round() as u32;

    let mut mvhd = Vec::new();
    for v in [t, t, timescale, duration, 0x0001_0000] {
        mvhd.extend_from_slice(&v.to_be_bytes());
    }
    mvhd.extend_from_slice(&0x0100u16.to_be_bytes());
    mvhd.extend_from_slice(&[0u8; 10]);
    for m in MATRIX {
        mvhd.extend_from_slice(&m.to_be_bytes());
    }
    mvhd.extend_from_slice(&[0u8; 24]);
    mvhd.extend_from_slice(&2u32.to_be_bytes());
    let mvhd = full(b"mvhd", 0, &mvhd);

    let mut tkhd = Vec::new();
    for v in [t, t, 1, 0, duration] {
        tkhd.extend_from_slice(&v.to_be_bytes());
    }
    tkhd.extend_from_slice(&[0u8; 8]);
    tkhd.extend_from_slice(&[0u8; 8]); // layer, alternate group, volume, reserved
    for m in MATRIX {
        tkhd.extend_from_slice(&m.to_be_bytes());
    }
    tkhd.extend_from_slice(&((s.width as u32) << 16).to_be_bytes());
    tkhd.extend_from_slice(&((s.height as u32) << 16).to_be_bytes());
    let tkhd = full(b"tkhd", 3, &tkhd);

    let mut mdhd = Vec::new();
    for v in [t, t, timescale, duration] {
        mdhd.extend_from_slice(&v.to_be_bytes());
    }
    mdhd.extend_from_slice(&0x55C4u16.to_be_bytes()); // language "und"
    mdhd.extend_from_slice(&0u16.to_be_bytes());
    let mdhd = full(b"mdhd", 0, &mdhd);

    let hdlr = |kind: &[u8; 4], name: &str| {
        let mut h = 0u32.to_be_bytes().to_vec();
        h.extend_from_slice(kind);
        h.extend_from_slice(&[0u8; 12]);
        h.extend_from_slice(name.as_bytes());
        h.push(0);
        full(b"hdlr", 0, &h)
    };
    let vmhd = full(b"vmhd", 1, &[0u8; 8]);
    let dref = full(
        b"dref",
        0,
        &[&1u32.to_be_bytes()[..], &full(b"url ", 1, &[])].concat(),
    );
    let dinf = bx(b"dinf", &dref);
    let empty_table = |k: &[u8; 4]| full(k, 0, &0u32.to_be_bytes());
    let stsz = full(b"stsz", 0, &[0u8; 8]);
    let stbl = bx(
        b"stbl",
        &[
            empty_table(b"stsd"),
            empty_table(b"stts"),
            empty_table(b"stsc"),
            stsz,
            empty_table(b"stco"),
        ]
        .concat(),
    );
    let minf = bx(b"minf", &[vmhd, dinf, stbl].concat());
    let mdia = bx(
        b"mdia",
        &[mdhd, hdlr(b"vide", "VideoHandler"), minf].concat(),
    );
    let trak = bx(b"trak", &[tkhd, mdia].concat());

    // udta items in the QuickTime international text layout: length, language, text.
    let intl = |kind: &[u8; 4], text: &str| {
        let mut b = (text.len() as u16).to_be_bytes().to_vec();
        b.extend_from_slice(&0x15C7u16.to_be_bytes());
        b.extend_from_slice(text.as_bytes());
        bx(kind, &b)
    };
    let mut udta = Vec::new();
    if let Some((lat, lon)) = s.gps {
        udta.extend(intl(b"\xA9xyz", &iso6709(lat, lon)));
    }
    if let Some((make, model)) = s.make_model {
        udta.extend(intl(b"\xA9mak", make));
        udta.extend(intl(b"\xA9mod", model));
    }

    let mut keys: Vec<(String, String)> = Vec::new();
    if let Some((make, model)) = s.make_model {
        keys.push(("com.apple.quicktime.make".into(), make.into()));
        keys.push(("com.apple.quicktime.model".into(), model.into()));
    }
    if let Some((lat, lon)) = s.gps {
        keys.push((
            "com.apple.quicktime.location.ISO6709".into(),
            iso6709(lat, lon),
        ));
    }
    if let Some(d) = s.apple_creationdate {
        keys.push((
            "com.apple.quicktime.creationdate".into(),
            d.format("%Y-%m-%dT%H:%M:%S%z").to_string(),
        ));
    }
    let mut moov_children = vec![mvhd, trak];
    if !udta.is_empty() {
        moov_children.push(bx(b"udta", &udta));
    }
    if !keys.is_empty() {
        let mut kb = (keys.len() as u32).to_be_bytes().to_vec();
        let mut ilst = Vec::new();
        for (i, (k, v)) in keys.iter().enumerate() {
            kb.extend_from_slice(&((k.len() + 8) as u32).to_be_bytes());
            kb.extend_from_slice(b"mdta");
            kb.extend_from_slice(k.as_bytes());
            let mut data = 1u32.to_be_bytes().to_vec(); // type 1: UTF-8
            data.extend_from_slice(&0u32.to_be_bytes());
            data.extend_from_slice(v.as_bytes());
            let item = bx(b"data", &data);
            let idx = (i as u32 + 1).to_be_bytes();
            let mut it = Vec::new();
            it.extend_from_slice(&((item.len() + 8) as u32).to_be_bytes());
            it.extend_from_slice(&idx);
            it.extend_from_slice(&item);
            ilst.extend(it);
        }
        let meta = bx(
            b"meta",
            &[hdlr(b"mdta", ""), full(b"keys", 0, &kb), bx(b"ilst", &ilst)].concat(),
        );
        moov_children.push(meta);
    }
    let moov = bx(b"moov", &moov_children.concat());

    let mut ftyp = s.brand.to_vec();
    ftyp.extend_from_slice(&0x200u32.to_be_bytes());
    ftyp.extend_from_slice(&s.brand);
    ftyp.extend_from_slice(b"iso2mp41");
    let mut out = bx(b"ftyp", &ftyp);
    out.extend(moov);
    out.extend(bx(b"mdat", &[0u8; 64]));
    out
}

/// An MP4 cut inside its `moov` box, as a failed copy from a phone leaves it.
pub fn mp4_truncated_moov() -> Vec<u8> {
    let full = mp4(
        DateTime::parse_from_rfc3339("2019-05-01T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
        10.0,
        1920,
        1080,
        Some((36.6171, 101.7782)),
        None,
    );
    // ftyp is 32 bytes; keep the moov header and a little of its body.
    full[..32 + 60].to_vec()
}

/// Overwrite the declared uncompressed size of every entry named `entry` in both the local
/// header and the central directory: how a hostile zip lies about its sizes.
pub fn zip_patch_declared_size(zip: &mut [u8], entry: &str, size: u32) {
    let mut i = 0;
    while i + 46 <= zip.len() {
        let sig = &zip[i..i + 4];
        if sig == b"PK\x03\x04" && i + 30 <= zip.len() {
            let nlen = u16::from_le_bytes([zip[i + 26], zip[i + 27]]) as usize;
            if zip.get(i + 30..i + 30 + nlen) == Some(entry.as_bytes()) {
                zip[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
            }
        } else if sig == b"PK\x01\x02" {
            let nlen = u16::from_le_bytes([zip[i + 28], zip[i + 29]]) as usize;
            if zip.get(i + 46..i + 46 + nlen) == Some(entry.as_bytes()) {
                zip[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
            }
        }
        i += 1;
    }
}

/// An `.xlsx`-shaped zip whose sheets declare 6.2 GB once inflated (16 sheets of 400 MB):
/// the entries hold a little real data, the sizes are what a bomb declares.
pub fn zip_bomb_xlsx() -> Vec<u8> {
    let zeros = vec![b'0'; 64 * 1024];
    let mut parts: Vec<(String, Vec<u8>)> = vec![
        (
            "[Content_Types].xml".into(),
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.to_vec(),
        ),
        ("xl/workbook.xml".into(), b"<workbook/>".to_vec()),
    ];
    for i in 1..=16 {
        parts.push((format!("xl/worksheets/sheet{i}.xml"), zeros.clone()));
    }
    let refs: Vec<(&str, Vec<u8>)> = parts.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let mut z = zip_parts(&refs);
    for i in 1..=16 {
        zip_patch_declared_size(&mut z, &format!("xl/worksheets/sheet{i}.xml"), 387_500_000);
    }
    z
}

/// A `.docx` whose body declares 1 KB but inflates to `actual` bytes: only a byte-limited
/// reader notices.
pub fn docx_lying_sizes(actual: usize) -> Vec<u8> {
    let mut body = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>"#,
    );
    while body.len() < actual {
        body.push_str("科普科普科普科普");
    }
    body.push_str("</w:t></w:r></w:p></w:body></w:document>");
    let mut z = zip_parts(&[
        ("[Content_Types].xml", b"<Types/>".to_vec()),
        ("word/document.xml", body.into_bytes()),
    ]);
    zip_patch_declared_size(&mut z, "word/document.xml", 1024);
    z
}
