//! Submission lists (材料清单): a CSV or spreadsheet that says which file belongs to which
//! indicator. They are the strongest automatic tagging source after a curator's edit, so they
//! are recognised here, where the rows are already read.
//!
//! Chinese spreadsheets usually carry a title row or two above the header ("青海省……材料清单"),
//! so the header is searched in the first rows rather than assumed to be row 1.

use crate::extract::ManifestRow;

/// Header names for the file column, most specific first.
const FILE_HEADERS: &[&str] = &[
    "文件名",
    "文件名称",
    "文件",
    "材料名称",
    "名称",
    "filename",
    "file",
];
/// Header names for the indicator column; codes are preferred over names when both exist.
const INDICATOR_HEADERS: &[&str] = &[
    "指标代码",
    "指标编号",
    "指标",
    "对应指标",
    "指标名称",
    "indicator",
];
/// How many rows may sit above the header.
const HEADER_SCAN_ROWS: usize = 10;

fn normalise(cell: &str) -> String {
    let head = cell.split(['(', '（']).next().unwrap_or("");
    head.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '\u{3000}' && *c != '*')
        .flat_map(|c| c.to_lowercase())
        .collect()
}

fn best_column(header: &[String], wanted: &[&str], not: Option<usize>) -> Option<usize> {
    let cells: Vec<String> = header.iter().map(|c| normalise(c)).collect();
    for w in wanted {
        if let Some(i) = cells
            .iter()
            .enumerate()
            .position(|(i, c)| c == w && Some(i) != not)
        {
            return Some(i);
        }
    }
    None
}

/// Find the header among the first rows and return (header row index, file col, indicator col).
pub fn find_header(rows: &[Vec<String>]) -> Option<(usize, usize, usize)> {
    for (r, row) in rows.iter().take(HEADER_SCAN_ROWS).enumerate() {
        if let Some(ind) = best_column(row, INDICATOR_HEADERS, None) {
            if let Some(file) = best_column(row, FILE_HEADERS, Some(ind)) {
                return Some((r, file, ind));
            }
        }
    }
    None
}

/// Manifest rows of a table whose rows are `rows`; `at(i)` names row `i` for the user.
pub fn rows_of(rows: &[Vec<String>], at: impl Fn(usize) -> String) -> Vec<ManifestRow> {
    match find_header(rows) {
        Some(header) => rows_below(rows, header, at),
        None => Vec::new(),
    }
}

/// The manifest rows under a header found by [`find_header`].
fn rows_below(
    rows: &[Vec<String>],
    (h, fc, ic): (usize, usize, usize),
    at: impl Fn(usize) -> String,
) -> Vec<ManifestRow> {
    rows.iter()
        .enumerate()
        .skip(h + 1)
        .filter_map(|(i, row)| {
            manifest_row(
                row.get(fc).map(String::as_str),
                row.get(ic).map(String::as_str),
                || at(i),
            )
        })
        .collect()
}

/// A row below the header names a file and an indicator, or it is not a manifest row.
fn manifest_row(
    file: Option<&str>,
    indicator: Option<&str>,
    at: impl FnOnce() -> String,
) -> Option<ManifestRow> {
    let file = file.map(str::trim).unwrap_or("");
    let indicator = indicator.map(str::trim).unwrap_or("");
    if file.is_empty() || indicator.is_empty() {
        return None;
    }
    Some(ManifestRow {
        file: file.to_string(),
        indicator: indicator.to_string(),
        at: at(),
    })
}

/// Manifest rows of CSV text (already decoded); positions are "line N" of the file.
///
/// The header is looked for in the first rows before anything else is kept: most CSV files
/// are ordinary tables, and copying every cell of them was a twentieth of a cold index.
pub fn from_csv(text: &str) -> Vec<ManifestRow> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let line_of =
        |r: &csv::StringRecord| format!("line {}", r.position().map(|p| p.line()).unwrap_or(0));
    let mut head: Vec<Vec<String>> = Vec::new();
    let mut head_lines = Vec::new();
    let mut rec = csv::StringRecord::new();
    while head.len() < HEADER_SCAN_ROWS && matches!(reader.read_record(&mut rec), Ok(true)) {
        head.push(rec.iter().map(str::to_string).collect());
        head_lines.push(line_of(&rec));
    }
    let Some(header @ (_, fc, ic)) = find_header(&head) else {
        return Vec::new();
    };
    let mut out = rows_below(&head, header, |i| head_lines[i].clone());
    let mut read = head.len();
    while read < 1_000_000 && matches!(reader.read_record(&mut rec), Ok(true)) {
        read += 1;
        out.extend(manifest_row(rec.get(fc), rec.get(ic), || line_of(&rec)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn code_column_preferred_and_names_not_confused() {
        let header: Vec<String> = ["材料名称", "指标名称", "指标代码"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(find_header(&[header]), Some((0, 0, 2)));
        let header: Vec<String> = ["File Name", "Indicator (code)"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(find_header(&[header]), Some((0, 0, 1)));
    }

    #[test]
    fn rows_past_the_header_scan_keep_their_lines() {
        // Title row, header on line 2, then 30 rows; one cell spans two lines.
        let mut csv = String::from("海东市科普材料清单,\n文件名称,指标代码\n");
        for i in 1..=30 {
            if i == 20 {
                csv.push_str("\"报告\n续.pdf\",B1\n");
            } else {
                csv.push_str(&format!("照片{i}.jpg,B4.{i}\n"));
            }
        }
        let rows = from_csv(&csv);
        assert_eq!(rows.len(), 30);
        assert_eq!(
            (rows[0].file.as_str(), rows[0].at.as_str()),
            ("照片1.jpg", "line 3")
        );
        assert_eq!(
            (rows[19].file.as_str(), rows[19].at.as_str()),
            ("报告\n续.pdf", "line 22")
        );
        assert_eq!(
            (
                rows[29].file.as_str(),
                rows[29].indicator.as_str(),
                rows[29].at.as_str()
            ),
            ("照片30.jpg", "B4.30", "line 33")
        );
    }

    #[test]
    fn ordinary_table_is_not_a_manifest() {
        assert!(from_csv("姓名,单位\n张三,西宁市科协\n").is_empty());
    }
}
