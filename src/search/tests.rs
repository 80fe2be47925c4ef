//! What adding a facet costs: a field table with one more dimension and one more field (and
//! nothing else) gives a facet that queries parse, the indexer stores, searches count and
//! filter on, and `archive list --filter` applies.

use super::*;
use crate::catalog::FileRow;
use crate::extract::Facts;
use crate::fields::{Dimension, Field, Kind, Registry, ToFilter};
use crate::record::{Media, Status};

use crate::i18n::{Lang, Msg};

/// The standard table plus a file-extension facet, `/ext/jpg`, with a Chinese alias.
fn with_extension_facet() -> &'static Registry {
    let std = Registry::standard();
    let mut dimensions = std.dimensions.to_vec();
    // Edit one: the dimension, with the record's own value.
    dimensions.push(Dimension {
        name: "ext",
        // A real facet adds its own `Msg` key (and its zh and en texts); the test borrows one.
        label: Msg::FieldOther,
        from_record: Some(|r| {
            r.path
                .rsplit_once('.')
                .map(|(_, e)| e.to_lowercase())
                .into_iter()
                .collect()
        }),
        to_filter: ToFilter::One("ext"),
    });
    let mut fields = std.fields.to_vec();
    // Edit two: the field that filters on it.
    fields.push(Field {
        name: "ext",
        aliases: &["扩展名"],
        label: Msg::FieldOther,
        kind: Kind::Facet {
            dimension: "ext",
            to_facet: |_, v| Ok(format!("/ext/{}", v.to_lowercase())),
        },
    });
    Box::leak(Box::new(Registry {
        fields: fields.leak(),
        dimensions: dimensions.leak(),
    }))
}

/// A catalogued photo at `/evidence/<rel>` (the phrase tests make it a text document).
pub(super) fn row(id: i64, rel: &str) -> FileRow {
    FileRow {
        id,
        root: "/evidence".into(),
        rel_display: rel.into(),
        rel: rel.as_bytes().to_vec(),
        root_path: b"/evidence".to_vec(),
        blake3: Some(format!("{id:064x}")),
        size: 1,
        mtime_ns: 0,
        status: Status::Present,
        last_seen: String::new(),
        errors: Vec::new(),
        facts: Facts {
            media: Some(Media::Photo),
            mime: "image/jpeg".into(),
            ..Default::default()
        },
        tagging: None,
        caption: None,
    }
}

#[test]
fn a_facet_added_to_the_field_table_works_everywhere() {
    let reg = with_extension_facet();
    let rows = [row(1, "a.jpg"), row(2, "活动/b.JPG"), row(3, "c.png")];

    // Parsed from a query, by its name and by its Chinese alias; unknown to the standard table.
    assert_eq!(
        parse_in(reg, "扩展名：jpg").unwrap(),
        Some(Node::Field("扩展名".into(), "jpg".into()))
    );
    assert!(parse("ext:jpg").is_err());

    // Indexed as a facet.
    let idx = SearchIndex::in_ram_with(reg);
    let mut w = idx.writer().unwrap();
    for r in &rows {
        w.add_document(idx.document(r, None, &[])).unwrap();
    }
    w.commit().unwrap();
    idx.reader.reload().unwrap();

    let search = |query: &str, filters: &[(&str, &str)]| {
        let req = SearchRequest {
            query: query.into(),
            filters: filters
                .iter()
                .map(|(f, v)| (f.to_string(), v.to_string()))
                .collect(),
            limit: 10,
            facets: true,
            ..Default::default()
        };
        search(&idx, &LiteralFacets, &req).unwrap()
    };
    // Counted.
    let all = search("", &[]);
    let counts: Vec<(&str, u64)> = all.facets["ext"]
        .iter()
        .map(|c| (c.path.as_str(), c.count))
        .collect();
    assert_eq!(counts, [("/ext/jpg", 2), ("/ext/png", 1)]);
    assert_eq!(all.facets["media"][0].count, 3, "the standard facets stay");
    // Searched and filtered on.
    assert_eq!(search("ext:JPG", &[]).total, 2);
    assert_eq!(search("扩展名:png", &[]).total, 1);
    assert_eq!(search("", &[("ext", "png")]).total, 1);
    assert_eq!(search("-ext:png", &[]).total, 2);

    // Turned back into the filter the page links it to.
    assert_eq!(
        reg.facet_filter(&LiteralFacets, "/ext/png"),
        Some(("ext", "png".to_string()))
    );
    assert_eq!(reg.dimension("ext").unwrap().label(Lang::Zh), "字段");
    assert_eq!(reg.dimension("ext").unwrap().label(Lang::En), "Field");

    // And applied to catalog records by `archive list --filter`.
    let m = RecordMatcher::in_registry(reg, &LiteralFacets, "ext", "jpg").unwrap();
    let listed: Vec<bool> = rows
        .iter()
        .map(|r| m.matches(&r.to_record(crate::i18n::Lang::En), &[]))
        .collect();
    assert_eq!(listed, [true, true, false]);
    assert!(RecordMatcher::new(&LiteralFacets, "ext", "jpg").is_err());
}

#[test]
fn list_filters_and_queries_read_values_alike() {
    // `archive list --filter` once had its own year and date rules: a bad value now fails in
    // both places, and a good one names the same facet.
    let r = &LiteralFacets;
    for (field, value) in [
        ("year", "19"),
        ("date", "2019-13"),
        ("date", "2019-06-01"),
        ("media", "sound"),
    ] {
        assert!(
            RecordMatcher::new(r, field, value).is_err(),
            "{field}={value}"
        );
        let idx = SearchIndex::in_ram();
        let req = SearchRequest {
            filters: vec![(field.into(), value.into())],
            limit: 1,
            ..Default::default()
        };
        assert!(search(&idx, r, &req).is_err(), "{field}={value}");
    }
    let mut june = row(1, "x.jpg").to_record(crate::i18n::Lang::En);
    june.captured_at = Some("2019-06-03T10:00:00+08:00".into());
    june.evidence_date = june.captured_at.clone();
    for (field, value, hit) in [
        ("year", "2019", true),
        ("date", "2019-6", true),
        ("date", "2019/06", true),
        ("date", "2019-07", false),
        ("year", "unknown", false),
        ("status", "PRESENT", true),
        ("type", "照片", true),
    ] {
        let m = RecordMatcher::new(r, field, value).unwrap();
        assert_eq!(m.matches(&june, &[]), hit, "{field}={value}");
    }
}

#[test]
fn the_schema_turns_facets_into_filters_and_back() {
    let schema = crate::schema::tests::schema();
    for (path, field, value) in [
        ("/place/海东市", "prefecture", "海东市"),
        // County names repeat across China: the filter names the county by its code.
        ("/place/海东市/互助县", "county", "630223"),
        ("/indicator/B/B4/B4.1", "indicator", "B4.1"),
    ] {
        let filter = crate::fields::facet_filter(schema, path);
        assert_eq!(filter, Some((field, value.to_string())), "{path}");
        let Kind::Facet { to_facet, .. } = crate::fields::by_name(field).unwrap().kind else {
            panic!("{field} is a facet field")
        };
        assert_eq!(to_facet(schema, value).unwrap(), path);
    }
}

/// Recognised text (OCR) is found by the same phrase rules, below a file's own text, by its
/// own `ocr:` field, and its excerpt says where it comes from.
#[test]
fn recognised_text_is_found_ranked_below_own_text_and_labelled() {
    let idx = SearchIndex::in_ram();
    let mut photo = row(1, "IMG_0001.jpg");
    photo.facts.ocr_text = Some("科普日活动签到表\n本次活动共有一百二十名群众参加。".into());
    let mut doc = row(2, "总结.docx");
    doc.facts.media = Some(Media::Document);
    let mut w = idx.writer().unwrap();
    w.add_document(idx.document(&photo, None, &[])).unwrap();
    w.add_document(idx.document(&doc, Some("科普日活动签到表已整理"), &[]))
        .unwrap();
    w.commit().unwrap();
    idx.reader.reload().unwrap();
    let run = |q: &str| {
        let req = SearchRequest {
            query: q.into(),
            limit: 10,
            snippets: true,
            ..Default::default()
        };
        search(&idx, &LiteralFacets, &req).unwrap()
    };
    let r = run("活动签到表");
    let ids: Vec<u64> = r.hits.iter().map(|h| h.id).collect();
    assert_eq!(ids, [2, 1], "the file's own text first");
    let ocr = r.hits[1].snippet_html.as_deref().unwrap();
    assert!(
        ocr.starts_with("<span class=\"ocr\">识别文字</span>"),
        "{ocr}"
    );
    assert!(ocr.contains("<b>"), "{ocr}");
    assert!(
        !r.hits[0]
            .snippet_html
            .as_deref()
            .unwrap()
            .contains("识别文字"),
        "the document's own text is not labelled"
    );
    // The phrase rules: characters apart are no match.
    assert_eq!(run("签到一百").total, 0);
    assert_eq!(run("ocr:签到表").total, 1);
    assert_eq!(run("识别文字:一百二十名").total, 1);
}

/// An excerpt from a scan's recognised text names its page.
#[test]
fn an_excerpt_from_a_scan_names_its_page() {
    let idx = SearchIndex::in_ram();
    let mut scan = row(1, "通知.pdf");
    let reading = crate::ocr::Reading {
        pages: vec![
            "关于开展科普大篷车进校园的通知\n各县区科协".into(),
            "科普讲座工作总结\n本次讲座听众满意度较高。".into(),
        ],
        ..Default::default()
    };
    scan.facts.ocr_text = Some(reading.text());
    let mut w = idx.writer().unwrap();
    w.add_document(idx.document(&scan, None, &[])).unwrap();
    w.commit().unwrap();
    idx.reader.reload().unwrap();
    let snippet = |q: &str| {
        let req = SearchRequest {
            query: q.into(),
            limit: 10,
            snippets: true,
            ..Default::default()
        };
        let r = search(&idx, &LiteralFacets, &req).unwrap();
        r.hits[0].snippet_html.clone().unwrap()
    };
    assert!(
        snippet("听众满意度").contains("识别文字 第 2 页"),
        "{}",
        snippet("听众满意度")
    );
    assert!(
        snippet("大篷车").contains("识别文字 第 1 页"),
        "{}",
        snippet("大篷车")
    );
}
