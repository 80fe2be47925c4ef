//! A problem list (问题清单) shaped like the office's own, for the ledger's tests: a title and
//! an issuing row above the header, 7 common problems written once for 各市州, then 64 specific
//! ones under the eight prefectures (each 市州 written once for its group: a merged cell in the
//! workbook, blank cells below in the CSV), numbers restarting under each group, and every
//! deadline form offices write. Written as XLSX and old binary XLS (dates as real Excel dates)
//! and as GBK CSV.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// A deadline cell: a real Excel date, or text as typed.
#[derive(Debug, Clone, PartialEq)]
pub enum DeadlineCell {
    Date(u16, u8, u8),
    Text(String),
}

/// One row of the list, and what it should read as.
#[derive(Debug, Clone)]
pub struct ListProblem {
    pub number: String,
    /// The group's 市州 as written (once for its group).
    pub place: &'static str,
    /// The prefecture's everyday name as the vocabulary gives it; `None` when province-wide.
    pub prefecture: Option<&'static str>,
    pub county: &'static str,
    pub category: &'static str,
    pub description: String,
    pub indicator: &'static str,
    pub deadline: DeadlineCell,
    /// YYYY-MM-DD the deadline means (with the list's year, 2020).
    pub expected_deadline: String,
}

/// The list: title rows, header, and the problems in order (with their section headings).
#[derive(Debug, Clone)]
pub struct ProblemList {
    pub title: String,
    pub issued: String,
    pub header: Vec<&'static str>,
    pub common: Vec<ListProblem>,
    pub specific: Vec<ListProblem>,
}

pub const HEADER: [&str; 11] = [
    "序号",
    "市州",
    "县区",
    "问题类别",
    "存在问题",
    "对应指标",
    "整改措施",
    "责任单位",
    "整改时限",
    "整改情况",
    "备注",
];

/// The eight groups as a clerk writes them (full, short and bare names mixed), with the
/// vocabulary's everyday name.
const GROUPS: [(&str, &str); 8] = [
    ("西宁市", "西宁市"),
    ("海东", "海东市"),
    ("海北藏族自治州", "海北州"),
    ("黄南州", "黄南州"),
    ("海南州", "海南州"),
    ("果洛州", "果洛州"),
    ("玉树藏族自治州", "玉树州"),
    ("海西州", "海西州"),
];

const CATEGORIES: [&str; 4] = ["组织领导", "经费保障", "阵地建设", "宣传活动"];
const INDICATORS: [&str; 4] = ["A1", "B4.1", "B2", "A2"];

/// The deadline forms, each with the date it means in 2020.
fn deadlines() -> Vec<(DeadlineCell, &'static str)> {
    let t = |s: &str| DeadlineCell::Text(s.to_string());
    vec![
        (DeadlineCell::Date(2020, 6, 30), "2020-06-30"),
        (t("44012"), "2020-06-30"),
        (t("2020-07-31"), "2020-07-31"),
        (t("2020/8/15"), "2020-08-15"),
        (t("2020.9.30"), "2020-09-30"),
        (t("2020年10月31日"), "2020-10-31"),
        (t("2020年11月30日前"), "2020-11-30"),
        (t("6月底前"), "2020-06-30"),
        (t("12月底前"), "2020-12-31"),
    ]
}

/// The 71-problem list of 2020.
pub fn problem_list() -> ProblemList {
    let forms = deadlines();
    let mut k = 0;
    let mut next_deadline = || {
        let (cell, day) = forms[k % forms.len()].clone();
        k += 1;
        (cell, day.to_string())
    };
    let common = (1..=7)
        .map(|n| {
            let (deadline, expected) = next_deadline();
            ListProblem {
                number: n.to_string(),
                place: "各市州",
                prefecture: None,
                county: "",
                category: CATEGORIES[n % 4],
                description: format!("共性问题{n}：科普工作台账不全，佐证材料归档不及时"),
                indicator: INDICATORS[n % 4],
                deadline,
                expected_deadline: expected,
            }
        })
        .collect();
    let mut specific = Vec::new();
    for (g, (written, name)) in GROUPS.iter().enumerate() {
        for n in 1..=8 {
            let (deadline, expected) = next_deadline();
            specific.push(ListProblem {
                number: n.to_string(),
                place: written,
                prefecture: Some(name),
                county: if g == 1 && n == 2 { "互助县" } else { "" },
                category: CATEGORIES[(g + n) % 4],
                description: format!("{name}问题{n}：科普阵地开放不足，活动记录缺少照片"),
                indicator: INDICATORS[(g + n) % 4],
                deadline,
                expected_deadline: expected,
            });
        }
    }
    ProblemList {
        title: "2020年全省科学素质工作督查问题整改清单".into(),
        issued: "青海省全民科学素质工作领导小组办公室 2020年4月".into(),
        header: HEADER.to_vec(),
        common,
        specific,
    }
}

/// A problem's cells in header order; the 市州 only when `first` of its group.
fn cells(p: &ListProblem, first: bool) -> Vec<String> {
    let deadline = match &p.deadline {
        DeadlineCell::Date(y, m, d) => format!("{y:04}-{m:02}-{d:02}"),
        DeadlineCell::Text(t) => t.clone(),
    };
    vec![
        p.number.clone(),
        if first {
            p.place.to_string()
        } else {
            String::new()
        },
        p.county.to_string(),
        p.category.to_string(),
        p.description.clone(),
        p.indicator.to_string(),
        "建立台账，按月归档".to_string(),
        format!("{}科协", p.prefecture.unwrap_or("各市州")),
        deadline,
        "正在整改".to_string(),
        String::new(),
    ]
}

/// The rows as a CSV clerk's sheet reads: sections, each group's 市州 written once.
pub fn rows(list: &ProblemList) -> Vec<Vec<String>> {
    let mut out = vec![vec![list.title.clone()], vec![list.issued.clone()]];
    out.push(list.header.iter().map(|s| s.to_string()).collect());
    out.push(vec!["一、共性问题（7个）".to_string()]);
    for (i, p) in list.common.iter().enumerate() {
        out.push(cells(p, i == 0));
    }
    out.push(vec!["二、具体问题（64个）".to_string()]);
    let mut last = "";
    for p in &list.specific {
        out.push(cells(p, p.place != last));
        last = p.place;
    }
    out
}

/// The list as a GBK CSV with CRLF line ends, as Chinese Excel saves it.
pub fn csv_gbk(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for r in rows {
        w.write_record(r).expect("in memory");
    }
    let text = String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8");
    encoding_rs::GBK.encode(&text).0.into_owned()
}

/// The list as a workbook: title and issuing rows merged across, section headings merged
/// across, each group's 市州 one merged cell down its rows, dates as Excel dates.
pub fn xlsx(list: &ProblemList) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("问题清单").expect("valid name");
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
    let last_col = (list.header.len() - 1) as u16;
    ws.merge_range(0, 0, 0, last_col, &list.title, &bold)
        .expect("merge");
    ws.merge_range(1, 0, 1, last_col, &list.issued, &Format::new())
        .expect("merge");
    for (c, h) in list.header.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &bold)
            .expect("cell");
    }
    let mut r: u32 = 3;
    let section = |ws: &mut rust_xlsxwriter::Worksheet, r: &mut u32, text: &str| {
        ws.merge_range(*r, 0, *r, last_col, text, &bold)
            .expect("merge");
        *r += 1;
    };
    let group = |ws: &mut rust_xlsxwriter::Worksheet, r: &mut u32, ps: &[ListProblem]| {
        let top = *r;
        for p in ps {
            for (c, v) in cells(p, false).iter().enumerate() {
                if c == 8 {
                    if let DeadlineCell::Date(y, m, d) = p.deadline {
                        let dt = ExcelDateTime::from_ymd(y, m, d).expect("valid date");
                        ws.write_datetime_with_format(*r, 8, &dt, &date)
                            .expect("cell");
                        continue;
                    }
                }
                if c == 0 {
                    ws.write_number(*r, 0, p.number.parse::<f64>().expect("number"))
                        .expect("cell");
                } else if !v.is_empty() {
                    ws.write_string(*r, c as u16, v).expect("cell");
                }
            }
            *r += 1;
        }
        ws.merge_range(top, 1, *r - 1, 1, ps[0].place, &Format::new())
            .expect("merge");
    };
    section(ws, &mut r, "一、共性问题（7个）");
    group(ws, &mut r, &list.common);
    section(ws, &mut r, "二、具体问题（64个）");
    for chunk in list.specific.chunk_by(|a, b| a.place == b.place) {
        group(ws, &mut r, chunk);
    }
    wb.save_to_buffer().expect("xlsx to memory")
}

/// The list as an old binary workbook (.xls, as Excel 2003 and many office PCs still save
/// it), laid out as [`xlsx`] lays it out: title, issuing row and section headings merged
/// across, each group's 市州 one merged cell down its rows, numbers as numbers, dates as
/// Excel date cells.
pub fn xls(list: &ProblemList) -> Vec<u8> {
    use super::xls::{xls, XlsCell, XlsSheet};
    let last_col = (list.header.len() - 1) as u16;
    let mut rows: Vec<Vec<XlsCell>> = vec![
        vec![XlsCell::Text(list.title.clone())],
        vec![XlsCell::Text(list.issued.clone())],
        list.header
            .iter()
            .map(|h| XlsCell::Text(h.to_string()))
            .collect(),
    ];
    let mut merges = vec![(0, 0, 0, last_col), (1, 1, 0, last_col)];
    let mut section = |rows: &mut Vec<Vec<XlsCell>>, text: &str| {
        let r = rows.len() as u16;
        merges.push((r, r, 0, last_col));
        rows.push(vec![XlsCell::Text(text.to_string())]);
    };
    let mut groups: Vec<(u16, u16)> = Vec::new();
    let mut group = |rows: &mut Vec<Vec<XlsCell>>, ps: &[ListProblem]| {
        let top = rows.len() as u16;
        for (i, p) in ps.iter().enumerate() {
            let row = cells(p, i == 0)
                .into_iter()
                .enumerate()
                .map(|(c, v)| match (c, &p.deadline) {
                    (0, _) => XlsCell::Number(p.number.parse::<f64>().expect("number")),
                    (8, DeadlineCell::Date(y, m, d)) => {
                        XlsCell::Date(*y as i32, *m as u32, *d as u32)
                    }
                    _ if v.is_empty() => XlsCell::Empty,
                    _ => XlsCell::Text(v),
                })
                .collect();
            rows.push(row);
        }
        groups.push((top, rows.len() as u16 - 1));
    };
    section(&mut rows, "一、共性问题（7个）");
    group(&mut rows, &list.common);
    section(&mut rows, "二、具体问题（64个）");
    for chunk in list.specific.chunk_by(|a, b| a.place == b.place) {
        group(&mut rows, chunk);
    }
    merges.extend(groups.into_iter().map(|(a, b)| (a, b, 1, 1)));
    xls(&[XlsSheet {
        name: "问题清单",
        rows,
        merges,
    }])
}

/// A small scoring rubric (评分细则) in the shape `indicators.toml` takes: two scored
/// indicators under unscored headings, one with a yearly photo rule and a named document, one
/// with no rule (any one file in the period). The numbers are the test's, not an official
/// sheet's.
pub fn rubric_toml() -> String {
    r#"[meta]
title = "测试评分细则"

[[indicator]]
code = "B4"
name = "重大科普活动"
keywords = ["科普活动"]

[[indicator]]
code = "B4.1"
name = "科普大篷车"
parent = "B4"
keywords = ["大篷车"]
points = 10
[[indicator.requires]]
media = "photo"
min = 2
per = "year"
[[indicator.requires]]
media = "document"
named = ["工作总结"]
min = 1
per = "period"

[[indicator]]
code = "C1"
name = "组织领导"
keywords = ["领导小组"]
points = 5
"#
    .to_string()
}
