//! Submission lists written by `sample::manifests`, read back through the document reader:
//! every shape a county uses is found, and tables that are not lists give no rows.

use super::*;
use crate::extract::document::extract;
use crate::extract::{sniff, Limits};
use crate::problem::Severity;
use crate::sample::manifests::{budget_rows, csv_gbk, list_rows, xlsx, ListRow};

fn read(name: &str, data: &[u8]) -> Facts {
    let (_, mime) = sniff::sniff(data, name);
    let mut f = Facts::default();
    extract(name, mime, data, &Limits::default(), &mut f);
    f
}

fn grid(r: &[&[&str]]) -> Vec<Vec<String>> {
    r.iter()
        .map(|row| row.iter().map(|s| s.to_string()).collect())
        .collect()
}

const TITLE: &str = "海东市互助县2019年全民科学素质工作报送材料清单";
const ROWS: &[ListRow] = &[
    ("附件01.jpg", "A2", "现场照片"),
    ("附件02.jpg", "B4.1", "现场照片"),
    ("附件03.mp4", "D1", "活动视频"),
];

fn files_and_codes(f: &Facts) -> Vec<(&str, &str)> {
    f.manifest_rows
        .iter()
        .map(|r| (r.file.as_str(), r.indicator.as_str()))
        .collect()
}

fn problem_codes(f: &Facts) -> Vec<&'static str> {
    f.problems.iter().map(|p| p.code.as_str()).collect()
}

#[test]
fn the_issues_list_title_row_then_header() {
    let sheet = list_rows(Some(TITLE), ["序号", "文件名称", "指标编码", "说明"], ROWS);
    let f = read("材料清单.xlsx", &xlsx(&[("Sheet1", sheet)]));
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(
        files_and_codes(&f),
        [
            ("附件01.jpg", "A2"),
            ("附件02.jpg", "B4.1"),
            ("附件03.mp4", "D1")
        ]
    );
    assert_eq!(
        f.manifest_rows[0].at, "Sheet1!3",
        "title row 1, header row 2"
    );
}

#[test]
fn every_header_wording_with_a_title_row() {
    let file_headers = [
        "文件名",
        "文件名称",
        "材料名称",
        "附件名称",
        "附件",
        "名称",
        "照片名称",
        "视频名称",
        "档案名称",
        "File Name",
        "file",
        "name",
        "佐证材料名称（含扩展名）",
    ];
    let indicator_headers = [
        "指标",
        "指标编码",
        "指标代码",
        "对应指标",
        "指标名称",
        "指标序号",
        "评价指标",
        "所属指标",
        "Indicator",
        "code",
        "指标编码*",
    ];
    let mut missed = Vec::new();
    for fh in file_headers {
        for ih in indicator_headers {
            let sheet = list_rows(Some(TITLE), ["序号", fh, ih, "说明"], ROWS);
            let f = read("清单.xlsx", &xlsx(&[("报送材料", sheet)]));
            if files_and_codes(&f).len() != 3 || f.manifest_rows[0].file != "附件01.jpg" {
                missed.push(format!("{fh} | {ih}: {:?}", f.manifest_rows));
            }
        }
    }
    assert!(missed.is_empty(), "{missed:#?}");
}

#[test]
fn code_column_decides_and_name_column_fills_in() {
    let sheet = grid(&[
        &["材料名称", "指标名称", "指标代码"],
        &["附件01.jpg", "科普大篷车", "B4.1"],
        &["附件02.jpg", "全国科普日", ""],
    ]);
    let f = read("list.xlsx", &xlsx(&[("Sheet1", sheet)]));
    assert_eq!(
        files_and_codes(&f),
        [("附件01.jpg", "B4.1"), ("附件02.jpg", "全国科普日")]
    );
}

#[test]
fn a_generic_header_is_trusted_when_the_file_says_it_is_a_list() {
    // 名称 | 指标名称 with names and no extension: a list only because it says so.
    let rows = grid(&[&["名称", "指标名称"], &["大篷车进校园现场", "科普大篷车"]]);
    let f = read("材料清单.xlsx", &xlsx(&[("Sheet1", rows.clone())]));
    assert_eq!(files_and_codes(&f), [("大篷车进校园现场", "科普大篷车")]);
    let f = read("统计.xlsx", &xlsx(&[("Sheet1", rows)]));
    assert!(f.manifest_rows.is_empty(), "{:?}", f.manifest_rows);
}

#[test]
fn unusual_headers_are_judged_by_what_the_columns_hold() {
    // Neither header word is known; the cells are file names and indicator codes.
    let sheet = grid(&[
        &["互助县报送情况"],
        &["No.", "佐证", "归属", "备注"],
        &["1", "附件01.jpg", "A2", "现场照片"],
        &["2", "照片/附件02.JPG", "B4.1 科普大篷车", ""],
        &["3", "附件03.pdf", "D1", "方案"],
    ]);
    let f = read("汇总.xlsx", &xlsx(&[("Sheet1", sheet)]));
    assert_eq!(
        files_and_codes(&f),
        [
            ("附件01.jpg", "A2"),
            ("照片/附件02.JPG", "B4.1 科普大篷车"),
            ("附件03.pdf", "D1")
        ]
    );
    assert_eq!(f.manifest_rows[0].at, "Sheet1!3");

    // A known indicator header beside a file column headed by nothing anyone expected.
    let sheet = grid(&[
        &["序号", "上传内容", "对应指标"],
        &["1", "附件01.jpg", "农牧民科学素质"],
        &["2", "附件02.jpg", "科普大篷车"],
    ]);
    let f = read("汇总.xlsx", &xlsx(&[("Sheet1", sheet)]));
    assert_eq!(files_and_codes(&f).len(), 2, "{:?}", f.manifest_rows);

    // A list without any header row at all.
    let f = read(
        "list.csv",
        "附件01.jpg,A2\r\n附件02.jpg,B4.1\r\n附件03.jpg,D2\r\n".as_bytes(),
    );
    assert_eq!(files_and_codes(&f).len(), 3, "{:?}", f.manifest_rows);
    assert_eq!(f.manifest_rows[0].at, "line 1");
}

#[test]
fn indicator_names_under_an_unexpected_header_in_a_file_called_a_list() {
    let rows = grid(&[
        &["序号", "文件名称", "项目", "拍摄日期"],
        &["1", "附件01.jpg", "科普大篷车进校园", "2019-05-20"],
        &["2", "附件02.jpg", "全国科普日", "2019-09-15"],
    ]);
    let f = read("材料清单.xlsx", &xlsx(&[("Sheet1", rows.clone())]));
    assert_eq!(
        files_and_codes(&f),
        [
            ("附件01.jpg", "科普大篷车进校园"),
            ("附件02.jpg", "全国科普日")
        ]
    );
    // The same table under a name that says nothing is a photo register, not a list.
    let f = read("照片登记.xlsx", &xlsx(&[("Sheet1", rows)]));
    assert!(f.manifest_rows.is_empty(), "{:?}", f.manifest_rows);
}

#[test]
fn a_weak_file_header_yields_to_a_column_of_file_names() {
    let sheet = grid(&[
        &["活动名称", "照片", "指标"],
        &["科普大篷车进校园", "附件01.jpg", "B4.1"],
        &["全国科普日主场", "附件02.jpg", "D1"],
    ]);
    let f = read("list.xlsx", &xlsx(&[("Sheet1", sheet)]));
    assert_eq!(
        files_and_codes(&f),
        [("附件01.jpg", "B4.1"), ("附件02.jpg", "D1")]
    );
}

#[test]
fn the_list_on_the_second_sheet_and_lists_on_several() {
    let cover = grid(&[&["互助县科协"], &["2019年12月20日"]]);
    let list = list_rows(Some(TITLE), ["序号", "附件名称", "指标", "说明"], ROWS);
    let f = read(
        "报送.xlsx",
        &xlsx(&[("封面", cover), ("清单", list.clone())]),
    );
    assert_eq!(files_and_codes(&f).len(), 3);
    assert_eq!(f.manifest_rows[0].at, "清单!3");

    let more = list_rows(
        None,
        ["序号", "视频名称", "指标编码", "说明"],
        &[("活动.mp4", "D2", "")],
    );
    let f = read("报送.xlsx", &xlsx(&[("照片", list), ("视频", more)]));
    assert_eq!(files_and_codes(&f).len(), 4);
    assert_eq!(f.manifest_rows[3].at, "视频!2");
}

#[test]
fn csv_saved_by_chinese_excel_in_gbk() {
    let rows = list_rows(Some(TITLE), ["序号", "文件名称", "指标编码", "说明"], ROWS);
    let bytes = csv_gbk(&rows);
    assert!(std::str::from_utf8(&bytes).is_err(), "the fixture is GBK");
    let f = read("材料清单.csv", &bytes);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(files_and_codes(&f).len(), 3);
    assert_eq!(f.manifest_rows[2].file, "附件03.mp4");
    assert_eq!(f.manifest_rows[0].at, "line 3", "CRLF lines counted once");
}

#[test]
fn csv_with_tabs_or_semicolons() {
    for sep in ["\t", ";"] {
        let text = [
            "材料清单",
            "序号|文件名称|指标编码",
            "1|附件01.jpg|A2",
            "2|附件02.jpg|B4.1",
        ]
        .join("\r\n")
        .replace('|', sep);
        let f = read("清单.csv", text.as_bytes());
        assert_eq!(
            files_and_codes(&f),
            [("附件01.jpg", "A2"), ("附件02.jpg", "B4.1")]
        );
    }
}

#[test]
fn names_without_extension_and_relative_paths_are_kept_as_written() {
    let rows: &[ListRow] = &[
        ("附件01", "A2", ""),
        ("照片\\附件02", "B4.1", ""),
        ("./视频/附件03.mp4", "D1", ""),
    ];
    let sheet = list_rows(Some(TITLE), ["序号", "文件名称", "指标编码", "说明"], rows);
    let f = read("材料清单.xlsx", &xlsx(&[("Sheet1", sheet)]));
    assert_eq!(
        files_and_codes(&f),
        [
            ("附件01", "A2"),
            ("照片\\附件02", "B4.1"),
            ("./视频/附件03.mp4", "D1")
        ]
    );
}

/// Tables that are not submission lists, as an evidence tree holds them next to the lists.
fn near_misses() -> Vec<(&'static str, Vec<Vec<String>>)> {
    vec![
        ("科普经费预算表.xlsx", budget_rows()),
        (
            "参训人员名单.xlsx",
            grid(&[&["序号", "姓名", "单位"], &["1", "张三", "互助县科协"]]),
        ),
        (
            "活动台账.xlsx",
            grid(&[
                &["活动名称", "日期", "地点", "参与人数"],
                &["科普大篷车进校园", "2019-05-20", "威远镇中心学校", "320"],
            ]),
        ),
        (
            "测评指标体系.xlsx",
            grid(&[
                &["指标编码", "指标名称", "分值"],
                &["A2", "农牧民科学素质行动", "10"],
                &["B4.1", "科普大篷车", "8"],
            ]),
        ),
        (
            "设备清单.xlsx",
            grid(&[
                &["名称", "型号", "数量"],
                &["投影仪", "EB-X05", "2"],
                &["笔记本电脑", "E480", "3"],
            ]),
        ),
        (
            "照片登记表.xlsx",
            grid(&[
                &["照片名称", "拍摄时间", "拍摄人"],
                &["IMG_0001.jpg", "2019-05-20", "李四"],
            ]),
        ),
        (
            "项目支出明细.xlsx",
            grid(&[
                &["名称", "绩效指标", "责任单位"],
                &["科普大篷车运行维护", "完成巡展60场", "互助县科协"],
                &["科普宣传册印制", "印制5000册", "互助县科协"],
            ]),
        ),
        (
            "绩效目标表.xlsx",
            grid(&[
                &["项目名称", "绩效指标", "指标值"],
                &["科普大篷车", "1200", "100%"],
                &["流动科技馆", "3000", "95%"],
            ]),
        ),
    ]
}

#[test]
fn tables_that_are_not_lists_give_no_rows_and_no_warning() {
    let mut wrong = Vec::new();
    for (name, rows) in near_misses() {
        let f = read(name, &xlsx(&[("Sheet1", rows.clone())]));
        if !f.manifest_rows.is_empty() || !f.problems.is_empty() {
            wrong.push(format!("{name}: {:?} {:?}", f.manifest_rows, f.problems));
        }
        let csv_name = name.replace(".xlsx", ".csv");
        let f = read(&csv_name, &csv_gbk(&rows));
        if !f.manifest_rows.is_empty() || !f.problems.is_empty() {
            wrong.push(format!(
                "{csv_name}: {:?} {:?}",
                f.manifest_rows, f.problems
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn a_list_that_cannot_be_read_says_why() {
    let read_xlsx = |rows: &[&[&str]]| read("材料清单.xlsx", &xlsx(&[("Sheet1", grid(rows))]));
    // An indicator column, but the files are described, not named.
    let f = read_xlsx(&[
        &[TITLE],
        &["序号", "说明", "指标编码"],
        &["1", "大篷车进校园现场", "B4.1"],
    ]);
    assert!(f.manifest_rows.is_empty());
    assert_eq!(problem_codes(&f), ["manifest_no_file_column"]);
    let p = &f.problems[0];
    assert_eq!(p.severity(), Severity::Warning);
    assert_eq!(p.params["clue"], "材料清单.xlsx");
    assert_eq!(p.params["header"], "序号 | 说明 | 指标编码");
    assert!(is_submission_list(&f));

    // A file column, but nothing says which indicator.
    let f = read_xlsx(&[
        &["序号", "文件名称", "备注"],
        &["1", "附件01.jpg", "现场照片"],
    ]);
    assert_eq!(problem_codes(&f), ["manifest_no_indicator_column"]);

    // Both columns, no row fills both.
    let f = read_xlsx(&[
        &[TITLE],
        &["序号", "文件名称", "指标编码"],
        &["1", "附件01.jpg", ""],
        &["2", "", "B4.1"],
    ]);
    assert_eq!(problem_codes(&f), ["manifest_no_rows"]);
    assert_eq!(f.problems[0].params["at"], "Sheet1!2");
    assert_eq!(f.problems[0].params["file_column"], "文件名称");

    // Nothing like a header; the title names it a list, not the file name.
    let f = read(
        "附件1.xlsx",
        &xlsx(&[("Sheet1", grid(&[&[TITLE], &["待补充"]]))]),
    );
    assert_eq!(problem_codes(&f), ["manifest_no_header"]);
    assert_eq!(f.problems[0].params["clue"], TITLE);

    // A damaged list: the error, and the warning that a list was lost with it.
    let f = read("材料清单.xlsx", b"PK\x03\x04 not really a zip");
    assert!(problem_codes(&f).contains(&"manifest_unreadable"), "{f:?}");
    assert!(is_submission_list(&f));
}

#[test]
fn every_list_message_is_written_in_both_languages() {
    use crate::i18n::Lang;
    let sheet = grid(&[&["序号", "说明", "指标编码"], &["1", "现场", "B4.1"]]);
    let f = read("材料清单.xlsx", &xlsx(&[("Sheet1", sheet)]));
    let p = &f.problems[0];
    let zh = p.reason(Lang::Zh);
    let en = p.reason(Lang::En);
    assert_eq!(
        zh,
        "看起来是材料清单，但这一行表头中没有文件名列：序号 | 说明 | 指标编码；请把写文件名的列表头写作“文件名称”"
    );
    assert!(
        en.contains("submission list") && en.contains("序号 | 说明 | 指标编码"),
        "{en}"
    );
    // Without its parameters (the run summary's line per code) each sentence still reads.
    for code in [
        Code::ManifestNoHeader,
        Code::ManifestNoFileColumn,
        Code::ManifestNoIndicatorColumn,
        Code::ManifestNoRows,
    ] {
        for lang in [Lang::Zh, Lang::En] {
            let bare = Problem::new(code).reason(lang);
            for hole in ["{", "“”", "（）", "\"\"", "：，", "：；", ": ;", ": ,"] {
                assert!(!bare.contains(hole), "{bare}");
            }
        }
    }
    assert_eq!(
        Problem::new(Code::ManifestNoFileColumn).reason(Lang::Zh),
        "看起来是材料清单，但这一行表头中没有文件名列；请把写文件名的列表头写作“文件名称”"
    );
}

#[test]
fn csv_with_title_rows_above_header() {
    let csv = "青海省2019年科普材料清单,,\n,,\n序号,文件名称,指标代码\n1,科普大篷车.jpg,B4.1\n2,,B4.2\n3,会议纪要.pdf,A1.2\n";
    let rows = from_csv(csv);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].file, "科普大篷车.jpg");
    assert_eq!(rows[0].indicator, "B4.1");
    assert_eq!(rows[0].at, "line 4");
    assert_eq!(rows[1].at, "line 6");
}

#[test]
fn rows_past_the_header_scan_keep_their_lines() {
    // Title row, header on line 2, then 300 rows; one cell spans two lines.
    let mut csv = String::from("海东市科普材料清单,\n文件名称,指标代码\n");
    for i in 1..=300 {
        if i == 200 {
            csv.push_str("\"报告\n续.pdf\",B1\n");
        } else {
            csv.push_str(&format!("照片{i}.jpg,B4.{}\n", i % 9 + 1));
        }
    }
    let rows = from_csv(&csv);
    assert_eq!(rows.len(), 300);
    assert_eq!(
        (rows[0].file.as_str(), rows[0].at.as_str()),
        ("照片1.jpg", "line 3")
    );
    assert_eq!(
        (rows[199].file.as_str(), rows[199].at.as_str()),
        ("报告\n续.pdf", "line 202")
    );
    assert_eq!(
        (rows[299].file.as_str(), rows[299].at.as_str()),
        ("照片300.jpg", "line 303")
    );
}

#[test]
fn cell_shapes() {
    for s in [
        "附件01.jpg",
        "IMG_0001.JPG",
        "照片/附件02",
        "D:\\材料\\a.pdf",
    ] {
        assert!(looks_like_file(s), "{s}");
    }
    for s in ["科普大篷车", "B4.1", "1.5", "http://x.cn/", "照片/"] {
        assert!(!looks_like_file(s), "{s}");
    }
    for s in ["A2", "B4.1", "d1", "B4.1 科普大篷车", "C5社会动员"] {
        assert!(looks_like_code(s), "{s}");
    }
    for s in ["ABC1", "B4.", "IMG_0001", "2019", "B4.1.2.3.4", "A2B"] {
        assert!(!looks_like_code(s), "{s}");
    }
    for s in ["120000", "1200.50", "3万", "95%"] {
        assert!(looks_like_amount(s), "{s}");
    }
    for s in ["4.1", "12", "B4.1"] {
        assert!(!looks_like_amount(s), "{s}");
    }
}

#[test]
fn a_short_title_is_not_a_header() {
    // 互助县报送材料清单 holds 材料, a file-column word; it sits alone on its row.
    let sheet = grid(&[
        &["互助县报送材料清单"],
        &["序号", "说明", "指标编码"],
        &["1", "大篷车进校园现场", "B4.1"],
    ]);
    let f = read("材料清单.xlsx", &xlsx(&[("Sheet1", sheet)]));
    assert_eq!(problem_codes(&f), ["manifest_no_file_column"]);
    assert_eq!(f.problems[0].params["header"], "序号 | 说明 | 指标编码");
}

#[test]
fn a_list_typed_as_a_table_in_word() {
    use crate::sample::manifests::docx;
    let rows = list_rows(None, ["序号", "附件名称", "对应指标", "备注"], ROWS);
    let f = read("报送材料清单.docx", &docx(TITLE, &rows));
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(
        files_and_codes(&f),
        [
            ("附件01.jpg", "A2"),
            ("附件02.jpg", "B4.1"),
            ("附件03.mp4", "D1")
        ]
    );
    assert_eq!(f.manifest_rows[0].at, "table 1!2");
    // A report whose table is not a list, under a name that says 报送材料: no rows, no warning.
    let table = grid(&[
        &["序号", "活动名称", "参与人数"],
        &["1", "科普大篷车进校园", "320"],
    ]);
    let f = read(
        "关于报送材料的说明.docx",
        &docx("关于报送材料的说明", &table),
    );
    assert!(f.manifest_rows.is_empty() && f.problems.is_empty(), "{f:?}");
}

#[test]
fn an_indicator_merged_down_the_rows_it_covers() {
    use crate::sample::manifests::xlsx_grouped;
    let rows = [
        ("附件01.jpg", "B4.1"),
        ("附件02.jpg", "B4.1"),
        ("附件03.jpg", "B4.1"),
        ("附件04.jpg", "D1"),
        ("附件05.mp4", "A2"),
        ("附件06.jpg", "A2"),
    ];
    let f = read("材料清单.xlsx", &xlsx_grouped(TITLE, &rows));
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(files_and_codes(&f), rows);
    assert_eq!(f.manifest_rows[5].at, "Sheet1!8");
}
