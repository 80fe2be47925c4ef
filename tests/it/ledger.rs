//! The ledger as a file to hand over (issue 22 item 4): the page's 导出 Excel / CSV links and
//! what they serve, the CLI's `report --out` naming, and the small reading fixes of item 7 on
//! the pages (months in calendar order, file times in the configured zone, human sizes).

use std::io::Read;

use axum::http::{header, StatusCode};
use calamine::{Data, Reader};

use crate::harness::Env;
use crate::serve::get;

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn header_of(g: &crate::serve::Got, name: header::HeaderName) -> String {
    g.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Every cell of the first sheet, as text.
fn sheet_text(bytes: Vec<u8>) -> Vec<Vec<String>> {
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn page_setup(bytes: Vec<u8>) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}

#[tokio::test]
async fn the_ledger_page_hands_over_xlsx_and_csv() {
    let html = get("/ledger").await.text();
    for needle in [
        "href=\"/ledger.xlsx\"",
        "href=\"/ledger.csv\"",
        "导出 Excel",
        "data-print",
        "青海省科学素质工作证据覆盖台账",
    ] {
        assert!(html.contains(needle), "{needle} on /ledger");
    }

    let x = get("/ledger.xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(header_of(&x, header::CONTENT_TYPE).contains("spreadsheetml"));
    let cd = header_of(&x, header::CONTENT_DISPOSITION);
    assert!(
        cd.starts_with("attachment")
            && cd.contains(&enc("覆盖台账-").replace('+', "%20"))
            && cd.ends_with(".xlsx"),
        "{cd}"
    );
    let setup = page_setup(x.body.clone());
    assert!(setup.contains("orientation=\"landscape\"") && setup.contains("fitToHeight=\"0\""));
    let cells = sheet_text(x.body);
    assert_eq!(cells[0][0], "青海省科学素质工作证据覆盖台账");
    // No [office] in this archive's config: the byline starts with the date.
    assert!(
        cells[1][0].starts_with("编制日期：")
            && cells[1][0].contains("考核期：2016-01-01 至 2020-12-31"),
        "{:?}",
        cells[1]
    );
    assert!(cells[2][0].contains("证据文件数"), "legend: {:?}", cells[2]);
    assert_eq!(cells[3][0], "指标");
    assert!(cells[3].iter().any(|c| c == "海东市"));
    assert!(cells.iter().any(|r| r[0].contains("B4.1 科普大篷车")));

    // The county view's file is the counties', named after the prefecture; English on asking.
    let county = get(&format!("/ledger?prefecture={}", enc("海东市")))
        .await
        .text();
    assert!(
        county.contains(&format!(
            "href=\"/ledger.xlsx?prefecture={}\"",
            enc("海东市")
        )),
        "the county view exports its own ledger"
    );
    let cx = get(&format!(
        "/ledger.xlsx?prefecture={}&lang=en",
        enc("海东市")
    ))
    .await;
    assert!(header_of(&cx, header::CONTENT_DISPOSITION).contains(&enc("海东市")));
    let cells = sheet_text(cx.body);
    assert!(cells[0][0].contains("海东市") && cells[0][0].contains("coverage ledger"));
    assert!(cells[3].iter().any(|c| c == "互助县"), "{:?}", cells[3]);

    let csv = get("/ledger.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with(&[0xEF, 0xBB, 0xBF]), "a BOM for Excel");
    assert!(csv.text().contains("B4.1,科普大篷车"));
    assert_eq!(
        get(&format!("/ledger.xlsx?prefecture={}", enc("火星")))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn months_read_in_calendar_order_and_files_in_local_time() {
    let page = get("/").await.text();
    // The months under each year of the date facet, in page order (the sidebar only: the
    // timeline below has its own bars).
    let start = page.find("<aside class=\"facets").expect("the sidebar");
    let html = &page[start..start + page[start..].find("</aside>").unwrap()];
    let months: Vec<&str> = html
        .split("data-filter=\"date:")
        .skip(1)
        .map(|s| &s[..7])
        .collect();
    let mut pairs = 0;
    for w in months.windows(2) {
        if w[0][..4] == w[1][..4] {
            assert!(w[0] < w[1], "{} before {} in {months:?}", w[0], w[1]);
            pairs += 1;
        }
    }
    assert!(pairs > 0, "some year has several months: {months:?}");

    let v = get(&format!(
        "/api/search?limit=500&filter=name:{}",
        enc("科普日宣传.jpg")
    ))
    .await
    .json();
    let hash = v["hits"][0]["record"]["blake3"]
        .as_str()
        .unwrap()
        .to_string();
    let d = get(&format!("/record/{hash}")).await.text();
    let row = |label: &str| -> String {
        let at = d
            .find(&format!("<th>{label}</th><td>"))
            .unwrap_or_else(|| panic!("{label} on the record page"));
        let rest = &d[at + label.len() + 13..];
        rest[..rest.find("</td>").unwrap()].to_string()
    };
    let modified = row("修改时间");
    assert!(
        modified.ends_with("+08:00"),
        "修改时间 in the configured zone: {modified}"
    );
    let size = row("大小");
    assert!(
        size.contains(" KB (") && size.ends_with(" 字节)"),
        "a size people read: {size}"
    );
}

#[test]
fn report_out_gets_its_extension_and_folders() {
    let env = Env::new();
    archive::sample::generate(&env.evidence).unwrap();
    env.index();
    std::fs::write(
        env.archive.join("config.toml"),
        "[office]\nname = \"青海省科学技术协会\"\n",
    )
    .unwrap();
    let out = env.archive.join("交付/2026年12月/台账");
    let r = env.run(&[
        "--lang",
        "zh",
        "report",
        "--format",
        "xlsx",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = out.with_extension("xlsx");
    assert!(r.stderr.contains("台账.xlsx"), "{}", r.stderr);
    let cells = sheet_text(std::fs::read(&file).unwrap());
    assert_eq!(cells[0][0], "青海省科学素质工作证据覆盖台账");
    assert!(
        cells[1][0].starts_with("编制单位：青海省科学技术协会"),
        "{:?}",
        cells[1]
    );
    let r = env.run(&["report", "--format", "csv", "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::read(out.with_extension("csv"))
        .unwrap()
        .starts_with(&[0xEF, 0xBB, 0xBF]));
}
