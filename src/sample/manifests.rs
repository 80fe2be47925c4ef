//! Submission lists (报送材料清单) the way counties write them, for the tests of list reading
//! and tagging: a merged title row above the header, headers worded many ways, the list on
//! another sheet, CSV saved by Chinese Excel (GBK, CRLF), names without their extension, and a
//! near miss (a budget table with a 名称 column) that must not be taken for a list.

use std::io;
use std::path::Path;

use super::jpeg::{jpeg, Pattern, PhotoSpec};

/// One row of a list: the file as written, the indicator as written, a remark.
pub type ListRow<'a> = (&'a str, &'a str, &'a str);

/// A list's rows as cells: `title` (if any) over the header, then one numbered row per file
/// under `header`'s columns. `header` names four columns: number, file, indicator, remark.
pub fn list_rows(title: Option<&str>, header: [&str; 4], rows: &[ListRow]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    if let Some(t) = title {
        out.push(vec![t.to_string()]);
    }
    out.push(header.iter().map(|s| s.to_string()).collect());
    for (n, (file, indicator, note)) in rows.iter().enumerate() {
        out.push(vec![
            (n + 1).to_string(),
            file.to_string(),
            indicator.to_string(),
            note.to_string(),
        ]);
    }
    out
}

/// A workbook with the given sheets; on each sheet whose first row holds one cell only, that
/// cell is a title merged across the table's width, as county clerks lay it out.
pub fn xlsx(sheets: &[(&str, Vec<Vec<String>>)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2019, 12, 20).expect("valid date");
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).expect("valid sheet name");
        let width = rows.iter().map(Vec::len).max().unwrap_or(1).max(1) as u16;
        for (r, row) in rows.iter().enumerate() {
            let filled = row.iter().filter(|c| !c.is_empty()).count();
            if r == 0 && filled == 1 && width > 1 && !row[0].is_empty() {
                ws.merge_range(0, 0, 0, width - 1, &row[0], &bold)
                    .expect("title merge");
                continue;
            }
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

/// A list whose indicator cell is merged down over the rows of files it covers (one B4.1
/// beside five photos), as clerks group a list by indicator; a title row above the header.
pub fn xlsx_grouped(title: &str, rows: &[(&str, &str)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2019, 12, 20).expect("valid date");
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let plain = rust_xlsxwriter::Format::new();
    let ws = wb.add_worksheet();
    ws.merge_range(0, 0, 0, 2, title, &plain).expect("title");
    for (c, h) in ["序号", "文件名称", "对应指标"].iter().enumerate() {
        ws.write_string(1, c as u16, *h).expect("header");
    }
    let mut r = 0;
    while r < rows.len() {
        let run = rows[r..].iter().take_while(|x| x.1 == rows[r].1).count();
        for (k, (file, _)) in rows[r..r + run].iter().enumerate() {
            let row = (2 + r + k) as u32;
            ws.write_string(row, 0, (r + k + 1).to_string())
                .expect("number");
            ws.write_string(row, 1, *file).expect("file");
        }
        let (first, last) = ((2 + r) as u32, (2 + r + run - 1) as u32);
        if run > 1 {
            ws.merge_range(first, 2, last, 2, rows[r].1, &plain)
                .expect("merged indicator");
        } else {
            ws.write_string(first, 2, rows[r].1).expect("indicator");
        }
        r += run;
    }
    wb.save_to_buffer().expect("xlsx to memory")
}

/// A Word document holding a list: the title as a paragraph, then the rows as a table (some
/// counties type their list in Word). Empty cells stay empty cells.
pub fn docx(title: &str, rows: &[Vec<String>]) -> Vec<u8> {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let para = |t: &str| {
        format!(
            "<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
            esc(t)
        )
    };
    let mut body = para(title);
    body.push_str("<w:tbl>");
    for row in rows {
        body.push_str("<w:tr>");
        for cell in row {
            let p = if cell.is_empty() {
                "<w:p/>".to_string()
            } else {
                para(cell)
            };
            body.push_str(&format!("<w:tc>{p}</w:tc>"));
        }
        body.push_str("</w:tr>");
    }
    body.push_str("</w:tbl>");
    body.push_str(&para("互助县科协（盖章）"));
    let w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>"#
    );
    let content_types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    super::media::zip_parts(&[
        ("[Content_Types].xml", content_types.as_bytes().to_vec()),
        ("_rels/.rels", rels.as_bytes().to_vec()),
        ("word/document.xml", document.into_bytes()),
    ])
}

/// CSV as Chinese Excel saves it ("CSV (逗号分隔)"): GBK bytes, CRLF, quotes only where needed.
pub fn csv_gbk(rows: &[Vec<String>]) -> Vec<u8> {
    let mut text = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                if c.contains([',', '"', '\n']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push_str("\r\n");
    }
    encoding_rs::GBK.encode(&text).0.into_owned()
}

/// A budget table (经费预算表): a 名称 column and amounts. Not a submission list.
pub fn budget_rows() -> Vec<Vec<String>> {
    let rows: &[&[&str]] = &[
        &["互助县2019年科普经费预算表"],
        &["序号", "名称", "预算指标（万元）", "金额", "备注"],
        &["1", "科普大篷车运行维护", "12", "120000", ""],
        &["2", "全国科普日活动", "5", "50000", "宣传品印制"],
        &["3", "科技活动周", "3.5", "35000", ""],
        &["4", "农牧民科技培训", "8", "80000", "6期"],
    ];
    rows.iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
}

/// A county folder whose photos are named only by a submission list, as the issue found it:
/// `海东市/互助县/2019年报送材料/` holds `材料清单.xlsx` (a merged title row, then
/// `序号 | 文件名称 | 指标编码 | 说明`) and 21 photos 附件01.jpg … 附件21.jpg, some in a sub-folder
/// 照片/ and one in a folder named for another indicator. Rows name files with and without
/// their extension and as relative paths. Returns each photo's path (relative to `root`) and
/// the indicator its row gives.
pub fn county_tree(root: &Path) -> io::Result<Vec<(String, String)>> {
    const CODES: [&str; 7] = ["A2", "B4.1", "D1", "D2", "C5", "B4.2", "D3"];
    let folder = "海东市/互助县/2019年报送材料";
    let mut rows: Vec<(String, String, String)> = Vec::new();
    let mut files = Vec::new();
    for n in 1..=21u32 {
        let name = format!("附件{n:02}.jpg");
        let code = CODES[n as usize % CODES.len()];
        let (rel, written) = match n {
            // In a sub-folder, written as a Windows relative path.
            7..=9 => (format!("照片/{name}"), format!("照片\\{name}")),
            // In a folder that names another indicator: the list wins.
            10 => (format!("D5 三下乡/{name}"), format!("D5 三下乡/{name}")),
            // Written without the extension.
            11..=14 => (name.clone(), format!("附件{n:02}")),
            _ => (name.clone(), name.clone()),
        };
        let spec = PhotoSpec {
            width: 96,
            height: 72,
            pattern: Pattern::Scene(900 + n),
            ..PhotoSpec::default()
        };
        let path = root.join(folder).join(&rel);
        std::fs::create_dir_all(path.parent().expect("a folder"))?;
        std::fs::write(&path, jpeg(&spec))?;
        rows.push((written, code.to_string(), "现场照片".to_string()));
        files.push((format!("{folder}/{rel}"), code.to_string()));
    }
    let borrowed: Vec<ListRow> = rows
        .iter()
        .map(|(f, i, n)| (f.as_str(), i.as_str(), n.as_str()))
        .collect();
    let sheet = list_rows(
        Some("海东市互助县2019年全民科学素质工作报送材料清单"),
        ["序号", "文件名称", "指标编码", "说明"],
        &borrowed,
    );
    std::fs::write(
        root.join(folder).join("材料清单.xlsx"),
        xlsx(&[("Sheet1", sheet)]),
    )?;
    Ok(files)
}
