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
    let Some((h, fc, ic)) = find_header(rows) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(h + 1) {
        let file = row.get(fc).map(|s| s.trim()).unwrap_or("");
        let indicator = row.get(ic).map(|s| s.trim()).unwrap_or("");
        if file.is_empty() || indicator.is_empty() {
            continue;
        }
        out.push(ManifestRow {
            file: file.to_string(),
            indicator: indicator.to_string(),
            at: at(i),
        });
    }
    out
}

/// Manifest rows of CSV text (already decoded); positions are "line N" of the file.
pub fn from_csv(text: &str) -> Vec<ManifestRow> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for rec in reader.records().take(1_000_000) {
        let Ok(rec) = rec else { break };
        lines.push(rec.position().map(|p| p.line()).unwrap_or(0));
        rows.push(rec.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    }
    rows_of(&rows, |i| format!("line {}", lines[i]))
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
    fn ordinary_table_is_not_a_manifest() {
        assert!(from_csv("姓名,单位\n张三,西宁市科协\n").is_empty());
    }
}
