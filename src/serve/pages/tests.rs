//! Unit tests of the page parts that need no server: the timeline and the map's projection.

use askama::Template;

use super::map::{MapGeometry, MAP_H, MAP_W};
use super::timeline::{timeline, Timeline};
use crate::i18n::{Lang, Msg};
use crate::record::Gps;
use crate::search::{FacetCount, SearchResponse};
use crate::serve::params::Params;

/// The timeline partial alone, as the search page includes it.
#[derive(Template)]
#[template(source = r#"{% include "partials/timeline.html" %}"#, ext = "html")]
struct TimelineOnly {
    l: Lang,
    timeline: Option<Timeline>,
}

fn timeline_html(p: &Params, r: &SearchResponse) -> String {
    TimelineOnly {
        l: p.lang,
        timeline: timeline(p, r),
    }
    .render()
    .unwrap()
}

fn fc(path: &str, count: u64, children: Vec<FacetCount>) -> FacetCount {
    FacetCount {
        path: path.into(),
        label: path.rsplit('/').next().unwrap().into(),
        count,
        children,
    }
}

fn resp(dates: Vec<FacetCount>) -> SearchResponse {
    let mut facets = std::collections::BTreeMap::new();
    facets.insert("date".to_string(), dates);
    SearchResponse {
        total: 0,
        offset: 0,
        limit: 10,
        hits: vec![],
        facets,
    }
}

#[test]
fn timeline_shows_gaps_and_links_months() {
    let r = resp(vec![
        fc(
            "/date/2019",
            4,
            vec![
                fc("/date/2019/11", 3, vec![]),
                fc("/date/2019/12", 1, vec![]),
            ],
        ),
        fc("/date/2020", 2, vec![fc("/date/2020/02", 2, vec![])]),
        fc("/date/unknown", 5, vec![]),
    ]);
    let html = timeline_html(&Params::default(), &r);
    // 2019-11 .. 2020-02 is four months, one of them empty.
    assert_eq!(html.matches("class=\"bar\"").count(), 3);
    assert_eq!(html.matches("class=\"bar empty\"").count(), 1);
    assert!(html.contains("href=\"/?f=date%3A2019-11\""), "{html}");
    assert!(html.contains("<span>2019-11</span><span>2020-02</span>"));
}

#[test]
fn timeline_of_bogus_years_stays_short() {
    let r = resp(vec![
        fc("/date/1900", 1, vec![fc("/date/1900/01", 1, vec![])]),
        fc("/date/2019", 4, vec![fc("/date/2019/06", 4, vec![])]),
    ]);
    let html = timeline_html(&Params::default(), &r);
    assert_eq!(
        html.matches("class=\"bar\"").count(),
        2,
        "only the years that occur"
    );
    assert!(html.contains("f=year%3A1900"));
    assert_eq!(
        timeline_html(
            &Params::default(),
            &resp(vec![fc("/date/unknown", 3, vec![])])
        ),
        "",
        "no dates, no timeline"
    );
}

#[test]
fn the_timeline_speaks_the_page_language() {
    let r = resp(vec![fc(
        "/date/2019",
        1,
        vec![fc("/date/2019/06", 1, vec![])],
    )]);
    let en = Params {
        lang: Lang::En,
        ..Params::default()
    };
    let html = timeline_html(&en, &r);
    assert!(html.contains(Lang::En.t(Msg::EvidenceMonths)), "{html}");
    assert!(!html.contains(Lang::Zh.t(Msg::EvidenceMonths)), "{html}");
    assert!(
        html.contains("lang=en"),
        "its links keep the language: {html}"
    );
}

#[test]
fn map_projection_puts_xining_inside_the_box() {
    let schema = crate::schema::Schema::embedded().unwrap();
    let g = MapGeometry::new(&schema);
    let (x, y) = g
        .project(Gps {
            lat: 36.62,
            lon: 101.78,
        })
        .expect("西宁 is on the map");
    // Xining is in the east of the province, north of its middle.
    assert!(x > MAP_W * 0.6 && y < MAP_H * 0.6, "({x}, {y})");
    assert_eq!(
        g.project(Gps {
            lat: 39.9,
            lon: 116.4
        }),
        None,
        "Beijing is off the map"
    );
    assert_eq!(
        g.project(Gps {
            lat: f64::NAN,
            lon: 1.0
        }),
        None
    );
}

/// The record page names the evidence date's kind and labels a last-modified time standing in
/// for a capture time, in both languages.
#[test]
fn record_page_says_which_date_it_shows() {
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap();
    let row = |facts: crate::extract::Facts| crate::catalog::FileRow {
        id: 1,
        root: "/evidence".into(),
        rel_display: "a".into(),
        rel: b"a".to_vec(),
        root_path: b"/evidence".to_vec(),
        blake3: None,
        size: 1,
        mtime_ns: 0,
        status: crate::record::Status::Present,
        last_seen: String::new(),
        errors: Vec::new(),
        facts,
        tagging: None,
        caption: None,
    };
    let doc = row(crate::extract::Facts {
        doc_created: Some(at("2019-03-15T10:30:00+08:00")),
        ..Default::default()
    });
    let shown = |lang: Lang, r: &crate::catalog::FileRow| {
        crate::present::facts(
            lang,
            &r.to_record(lang),
            chrono::FixedOffset::east_opt(8 * 3600).unwrap(),
        )
        .into_iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("\n")
    };
    let zh = shown(Lang::Zh, &doc);
    assert!(
        zh.contains("证据日期: 2019-03-15T10:30:00+08:00 (文档创建时间)"),
        "{zh}"
    );
    let en = shown(Lang::En, &doc);
    assert!(en.contains("(document creation time)"), "{en}");

    let edited = row(crate::extract::Facts {
        captured_at: Some(at("2020-03-01T18:00:00+08:00")),
        captured_at_source: Some("exif:ModifyDate".into()),
        ..Default::default()
    });
    let zh = shown(Lang::Zh, &edited);
    assert!(zh.contains("最后修改时间，非拍摄时间"), "{zh}");
    assert!(zh.contains("(拍摄时间)"), "{zh}");
}
