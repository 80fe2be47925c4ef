//! Documents made by `sample::media`, read back: Chinese text, properties, hostile shapes.

use super::*;
use crate::sample::{manifests, media};

fn read(name: &str, data: &[u8]) -> Facts {
    let (_, mime) = sniff::sniff(data, name);
    let mut f = Facts::default();
    extract(name, mime, data, &Limits::default(), &mut f);
    f
}

#[test]
fn docx_body_table_header_and_properties() {
    let data = media::docx(
        "海东市科普工作会议纪要",
        "王主任",
        "2019-03-15T10:30:00+08:00",
        &["全民科学素质行动计划纲要", "互助县开展科普大篷车活动"],
    );
    let f = read("纪要.docx", &data);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    let text = f.text.clone().unwrap();
    assert!(
        text.contains("全民科学素质行动计划纲要"),
        "runs joined: {text}"
    );
    assert!(text.contains("互助县开展科普大篷车活动"));
    assert!(text.contains("序号\t活动名称"), "table: {text}");
    assert!(text.contains("青海省科普工作页眉"), "header: {text}");
    assert_eq!(f.title.as_deref(), Some("海东市科普工作会议纪要"));
    assert_eq!(f.author.as_deref(), Some("王主任"));
    assert_eq!(
        f.doc_created.unwrap().to_rfc3339(),
        "2019-03-15T10:30:00+08:00"
    );
    // An authoring date is never a capture time; the evidence date says which it is.
    assert_eq!(f.captured_at, None);
    assert_eq!(f.captured_at_source, None);
    assert_eq!(
        f.evidence_date().map(|(_, k)| k),
        Some(crate::extract::dates::DateKind::DocCreated)
    );
    assert_eq!(
        f.doc_modified.unwrap().to_rfc3339(),
        "2019-03-16T10:30:00+08:00"
    );
    assert_eq!(
        f.modified_at, None,
        "modified_at is media's EXIF ModifyDate"
    );
    assert_eq!(f.pages, Some(1));
}

#[test]
fn doc_created_does_not_override_a_stronger_capture_time() {
    let data = media::docx("t", "a", "2019-03-15T10:30:00+08:00", &["正文"]);
    let mut f = Facts::default();
    let exif = DateTime::parse_from_rfc3339("2018-01-01T09:00:00+08:00").unwrap();
    f.captured_at = Some(exif);
    f.captured_at_source = Some("exif:DateTimeOriginal".into());
    extract("a.docx", "", &data, &Limits::default(), &mut f);
    assert_eq!(f.captured_at, Some(exif));
    assert_eq!(
        f.captured_at_source.as_deref(),
        Some("exif:DateTimeOriginal")
    );
    assert!(f.doc_created.is_some());
}

#[test]
fn pptx_slides_and_notes() {
    let data = media::pptx(
        "科普日活动汇报",
        "格尔木市科协",
        &[
            ("第一张：科普日主场活动", "讲稿：参加人数三百人"),
            ("第二张：青少年科技创新大赛", ""),
        ],
    );
    let f = read("汇报.pptx", &data);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    let text = f.text.unwrap();
    for want in [
        "第一张：科普日主场活动",
        "讲稿：参加人数三百人",
        "第二张：青少年科技创新大赛",
    ] {
        assert!(text.contains(want), "{want} missing in {text}");
    }
    assert_eq!(f.pages, Some(2));
    assert_eq!(f.title.as_deref(), Some("科普日活动汇报"));
    assert_eq!(f.captured_at_source, None);
    assert!(
        f.doc_created.is_some(),
        "the deck's own date is its doc_created"
    );
}

fn rows(r: &[&[&str]]) -> Vec<Vec<String>> {
    r.iter()
        .map(|row| row.iter().map(|s| s.to_string()).collect())
        .collect()
}

#[test]
fn xlsx_all_sheets_and_manifest() {
    let data = media::xlsx(&[
        (
            "材料清单",
            rows(&[
                &["青海省2019年科普工作材料清单"],
                &["序号", "文件名称", "指标代码", "备注"],
                &["1", "科普大篷车进校园.jpg", "B4.1", ""],
                &["2", "会议纪要.pdf", "A1.2", "扫描件"],
            ]),
        ),
        (
            "台账",
            rows(&[&["县区", "活动"], &["湟中区", "科技活动周"]]),
        ),
    ]);
    let f = read("清单.xlsx", &data);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    let text = f.text.unwrap();
    for want in [
        "材料清单",
        "台账",
        "科普大篷车进校园.jpg",
        "湟中区\t科技活动周",
        "扫描件",
    ] {
        assert!(text.contains(want), "{want} missing in {text}");
    }
    assert_eq!(f.manifest_rows.len(), 2, "{:?}", f.manifest_rows);
    assert_eq!(f.manifest_rows[0].file, "科普大篷车进校园.jpg");
    assert_eq!(f.manifest_rows[0].indicator, "B4.1");
    assert_eq!(f.manifest_rows[0].at, "材料清单!3");
    assert_eq!(f.manifest_rows[1].at, "材料清单!4");
}

#[test]
fn xlsx_dates_read_as_dates() {
    let f = read("台账.xlsx", &media::xlsx_with_date());
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert!(f.text.unwrap().contains("活动日期\n2019-03-15"));
}

#[test]
fn csv_manifest_in_gbk() {
    let (gbk, _, _) = encoding_rs::GBK.encode("文件名,对应指标\n科技周.mp4,B2.1\n");
    let f = read("清单.csv", &gbk);
    assert_eq!(f.manifest_rows.len(), 1);
    assert_eq!(f.manifest_rows[0].file, "科技周.mp4");
    assert_eq!(f.manifest_rows[0].at, "line 2");
    assert!(f.text.unwrap().contains("科技周"));
}

#[test]
fn pdf_predefined_cmap_chinese_text_and_info() {
    let data = media::pdf(
        "互助县科普工作会议纪要",
        "互助县科协",
        "D:20190315103000+08'00'",
        &[
            "全民科学素质行动计划纲要\n第二行：科普大篷车",
            "第二页：青海湖",
        ],
    );
    let f = read("纪要.pdf", &data);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    let text = f.text.expect("text");
    assert!(text.contains("全民科学素质行动计划纲要"), "{text}");
    assert!(text.contains("科普大篷车"), "{text}");
    assert!(text.contains("青海湖"), "{text}");
    assert_eq!(f.pages, Some(2));
    assert_eq!(f.title.as_deref(), Some("互助县科普工作会议纪要"));
    assert_eq!(f.author.as_deref(), Some("互助县科协"));
    assert_eq!(
        f.doc_created.unwrap().to_rfc3339(),
        "2019-03-15T10:30:00+08:00"
    );
    assert_eq!(f.captured_at, None);
    assert_eq!(f.captured_at_source, None);
}

#[test]
fn pdf_tounicode_chinese_text() {
    let data = media::pdf_tounicode(
        "标题",
        "作者",
        "D:20200101000000+08'00'",
        &["海西州科技馆开馆"],
    );
    let f = read("a.pdf", &data);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert!(f.text.unwrap().contains("海西州科技馆开馆"));
}

#[test]
fn hostile_pdfs_are_errors() {
    let good = media::pdf("t", "a", "D:20190315103000+08'00'", &["科普"]);
    let truncated = &good[..good.len() / 2];
    let mut garbage = b"%PDF-1.7\n".to_vec();
    garbage.extend((0..5000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8));
    for (label, data) in [("truncated", truncated.to_vec()), ("garbage", garbage)] {
        let f = read("x.pdf", &data);
        assert!(!f.problems.is_empty(), "{label}: {f:?}");
        assert_eq!(f.text, None, "{label}");
    }
    let f = read("x.pdf", &garbage_only_header());
    assert!(!f.problems.is_empty(), "{f:?}");
}

fn garbage_only_header() -> Vec<u8> {
    let mut g = b"%PDF-1.4\n".to_vec();
    g.extend(std::iter::repeat_n(0xABu8, 3000));
    g
}

#[test]
fn encrypted_pdf_is_refused_with_reason() {
    let f = read("secret.pdf", &media::encrypted_pdf());
    assert_eq!(f.text, None);
    assert!(
        f.problem_texts().iter().any(|e| e.contains("encrypted")),
        "{:?}",
        f.problems
    );
    assert_eq!(
        f.text_status.as_deref(),
        Some("not extracted: encrypted, text not extracted")
    );
}

#[test]
fn docx_that_is_not_a_zip() {
    let f = read(
        "会议.docx",
        b"this is plain text that someone renamed to .docx",
    );
    assert_eq!(f.problems.len(), 1);
    assert!(
        f.problem_texts()[0].starts_with(
            "container_invalid: not a valid Office file (the zip container is damaged or of \
             another kind): not a valid DOCX: the file is not a zip archive ("
        ),
        "{}",
        f.problem_texts()[0]
    );
}

#[test]
fn zip_bomb_xlsx_is_refused_before_inflating() {
    let f = read("bomb.xlsx", &media::zip_bomb_xlsx());
    assert_eq!(
        f.problem_texts(),
        vec![
            "container_too_large: the Office file would unpack too large or into too many parts \
             and was refused: zip bomb refused: entries would inflate to 6.2 GB (limit 512 MB)"
        ]
    );
    assert!(f.has_error());
    assert!(f.text.is_none());
}

#[test]
fn lying_declared_sizes_are_caught_while_inflating() {
    let limits = Limits {
        zip_max_uncompressed: 256 * 1024,
        ..Limits::default()
    };
    let data = media::docx_lying_sizes(2 * 1024 * 1024);
    let mut f = Facts::default();
    extract("lie.docx", "", &data, &limits, &mut f);
    assert!(f.text.as_deref().map_or(0, str::len) <= 256 * 1024);
    assert!(
        f.problem_texts()
            .iter()
            .any(|e| e.contains("zip bomb refused") || e.contains("damaged")),
        "{:?}",
        f.problems
    );
}

#[test]
fn too_many_entries_is_refused() {
    let limits = Limits {
        zip_max_entries: 3,
        ..Limits::default()
    };
    let data = media::docx("t", "a", "2019-03-15T10:30:00+08:00", &["x"]);
    let mut f = Facts::default();
    extract("a.docx", "", &data, &limits, &mut f);
    assert!(
        f.problem_texts()[0].ends_with("zip bomb refused: the DOCX holds 7 entries (limit 3)"),
        "{:?}",
        f.problems
    );
}

#[test]
fn zero_byte_and_legacy_files() {
    let f = read("空.pdf", b"");
    assert!(f.problem_texts()[0].contains("empty file"));
    let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    ole.resize(4096, 0);
    let f = read("旧文件.doc", &ole);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(
        f.text_status.as_deref(),
        Some("not extracted: legacy binary Word (.doc) format")
    );
    let f = read("旧.wps", &ole);
    assert!(f.text_status.unwrap().contains(".wps"));
}

#[test]
fn fmt_bytes_reads_well() {
    assert_eq!(fmt_bytes(6_200_000_000), "6.2 GB");
    assert_eq!(fmt_bytes(512 * 1024 * 1024), "512 MB");
    assert_eq!(fmt_bytes(10), "10 bytes");
}

/// The issue's hostile list, through the real entry point (sniffing, guard, merge): each one is
/// an error with a plain reason, and none is a crash or a timeout.
#[test]
fn hostile_fixtures_through_extract_bytes() {
    use crate::extract::extract_bytes;
    use std::sync::Arc;
    let good_pdf = media::pdf("t", "a", "D:20190315103000+08'00'", &["科普"]);
    let mut garbage = b"%PDF-1.7\n".to_vec();
    garbage.extend(std::iter::repeat_n(0x9Cu8, 4000));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated.pdf",
            good_pdf[..good_pdf.len() / 2].to_vec(),
            "PDF",
        ),
        ("garbage.pdf", garbage, "not a valid PDF"),
        (
            "not-a-zip.docx",
            b"plain text renamed to docx".to_vec(),
            "not a valid DOCX: the file is not a zip archive",
        ),
        (
            "bomb.xlsx",
            media::zip_bomb_xlsx(),
            "zip bomb refused: entries would inflate to 6.2 GB (limit 512 MB)",
        ),
        ("cut.mp4", media::mp4_truncated_moov(), "video_truncated"),
        ("empty.docx", Vec::new(), "empty file"),
        ("secret.pdf", media::encrypted_pdf(), "pdf_encrypted"),
    ];
    for (name, data, want) in cases {
        let f = extract_bytes(name, Arc::new(data), &Limits::default());
        assert!(
            f.problem_texts().iter().any(|e| e.contains(want)),
            "{name}: {:?}",
            f.problems
        );
        assert!(
            !f.problems
                .iter()
                .any(|e| e.code == crate::problem::Code::ExtractCrashed),
            "{name}: {:?}",
            f.problems
        );
    }
}

/// Cut and corrupted copies of every fixture, read without the guard: no reader may panic
/// (the guard would hide it in production, but a panic is still a lost file).
#[test]
fn mutated_fixtures_never_panic() {
    let t = chrono::DateTime::parse_from_rfc3339("2019-05-01T02:00:00Z")
        .unwrap()
        .to_utc();
    let fixtures: Vec<(&str, Vec<u8>)> = vec![
        (
            "a.pdf",
            media::pdf(
                "标题",
                "作者",
                "D:20190315103000+08'00'",
                &["科普", "第二页"],
            ),
        ),
        (
            "b.pdf",
            media::pdf_tounicode("标题", "作者", "D:20190315103000+08'00'", &["科普"]),
        ),
        (
            "c.docx",
            media::docx("t", "a", "2019-03-15T10:30:00+08:00", &["全民科学素质"]),
        ),
        ("d.pptx", media::pptx("t", "a", &[("幻灯片", "备注")])),
        (
            "e.xlsx",
            media::xlsx(&[("表", rows(&[&["文件名", "指标"], &["a.jpg", "B1"]]))]),
        ),
        ("g.rtf", media::rtf("标题", "作者", &["科普", "第二段"])),
        (
            "材料清单.xlsx",
            manifests::xlsx_grouped("清单", &[("a.jpg", "B1"), ("b.jpg", "B1"), ("c", "A2")]),
        ),
        (
            "材料清单.docx",
            manifests::docx("清单", &rows(&[&["文件名", "指标"], &["a.jpg", "B1"]])),
        ),
        (
            "材料清单.csv",
            manifests::csv_gbk(&rows(&[&["清单"], &["文件名", "指标"], &["a.jpg", "B1"]])),
        ),
        (
            "f.mp4",
            media::mp4(t, 3.0, 64, 48, Some((36.6, 101.7)), Some(("M", "N"))),
        ),
    ];
    let limits = Limits::default();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for (name, data) in &fixtures {
        let mut variants: Vec<Vec<u8>> = Vec::new();
        for k in 1..16 {
            variants.push(data[..data.len() * k / 16].to_vec());
        }
        for _ in 0..200 {
            let mut v = data.clone();
            for _ in 0..(1 + next() % 8) {
                let i = (next() as usize) % v.len();
                v[i] = next() as u8;
            }
            variants.push(v);
        }
        for v in variants {
            let (media_kind, mime) = sniff::sniff(&v, name);
            let r = std::panic::catch_unwind(|| {
                let mut f = Facts::default();
                match media_kind {
                    crate::record::Media::Video => {
                        crate::extract::video::extract_bytes(&v, &limits, &mut f)
                    }
                    _ => extract(name, mime, &v, &limits, &mut f),
                }
            });
            assert!(r.is_ok(), "{name}: panic on a mutated copy");
        }
    }
}

#[test]
fn pptx_text_follows_presentation_order_not_part_names() {
    let data = media::pptx("t", "a", &[("甲幻灯片", ""), ("乙幻灯片", "")]);
    // Move slide 2 before slide 1, as PowerPoint does when a slide is dragged up.
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&data)).unwrap();
    let mut parts = Vec::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut body).unwrap();
        if e.name() == "ppt/presentation.xml" {
            let xml = String::from_utf8(body).unwrap();
            let a = r#"<p:sldId id="256" r:id="rId2"/>"#;
            let b = r#"<p:sldId id="257" r:id="rId3"/>"#;
            body = xml
                .replace(&format!("{a}{b}"), &format!("{b}{a}"))
                .into_bytes();
        }
        parts.push((e.name().to_string(), body));
    }
    let refs: Vec<(&str, Vec<u8>)> = parts.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let f = read("moved.pptx", &media::zip_parts(&refs));
    let text = f.text.unwrap();
    assert!(
        text.find("乙幻灯片").unwrap() < text.find("甲幻灯片").unwrap(),
        "{text}"
    );
}

/// A PDF library's `2000-01-01T00:00:00` and an epoch are placeholders: no document date, one
/// warning each, and never a capture time.
#[test]
fn placeholder_document_dates_are_ignored_with_a_warning() {
    for created in ["D:20000101000000+00'00'", "D:19700101000000Z"] {
        let data = media::pdf("纪要", "科协", created, &["全民科学素质"]);
        let f = read("纪要.pdf", &data);
        assert_eq!(f.doc_created, None, "{created}");
        assert_eq!(f.captured_at, None, "{created}");
        assert_eq!(f.evidence_date(), None);
        let placeholders: Vec<_> = f
            .problems
            .iter()
            .filter(|p| {
                p.code == crate::problem::Code::DatePlaceholder
                    && p.params["tag"] == "pdf:CreationDate"
            })
            .collect();
        assert_eq!(placeholders.len(), 1, "{created}: {:?}", f.problems);
        assert!(!f.has_error());
    }
    let data = media::docx("t", "a", "2000-01-01T00:00:00Z", &["正文"]);
    let f = read("a.docx", &data);
    assert_eq!(f.doc_created, None);
    assert!(f
        .problems
        .iter()
        .any(|p| p.code == crate::problem::Code::DatePlaceholder
            && p.params["tag"] == "docx:dcterms:created"));
}
