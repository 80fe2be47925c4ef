//! Reading a problem list into rows of cell text and finding its columns.
//!
//! Workbooks go through the indexer's reader (`extract::document::sheet::grids`: the same zip
//! checks, merged cells given to every row they cover); CSV through its encoding detection
//! (UTF-8 or GBK, as Chinese Excel saves it). The header is the first of the top rows that
//! names the problem's description and at least two other fields; what sits above it is the
//! title, which may give the list's year.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Field, ProblemsError, ProblemsResult};
use crate::extract::document::{sheet, text, DocKind};
use crate::extract::Limits;
use crate::i18n::Msg;

/// How many rows may sit above the header (title, date, issuing office).
pub const HEADER_SCAN_ROWS: usize = 10;

/// One table of the list: a sheet, or the CSV file.
#[derive(Debug, Clone)]
pub struct Table {
    pub sheet: Option<String>,
    pub rows: Vec<Vec<String>>,
    /// The number a person sees for each row: the spreadsheet's row, the CSV file's line.
    pub numbers: Vec<usize>,
}

/// Exact headers of each field (after [`normalise`]), best first.
const EXACT: &[(Field, &[&str])] = &[
    (
        Field::Number,
        &["序号", "编号", "问题序号", "问题编号", "序"],
    ),
    (
        Field::Prefecture,
        &[
            "市州",
            "地区",
            "单位",
            "市州名称",
            "所属市州",
            "地市",
            "被督查单位",
            "被检查单位",
        ],
    ),
    (
        Field::County,
        &["县区", "县市区", "区县", "县", "所属县区", "县区名称"],
    ),
    (
        Field::Category,
        &[
            "问题类别",
            "类别",
            "方面",
            "问题类型",
            "类型",
            "问题方面",
            "分类",
        ],
    ),
    (
        Field::Description,
        &[
            "存在问题",
            "问题描述",
            "具体问题",
            "问题",
            "存在的问题",
            "问题内容",
            "主要问题",
            "存在的主要问题",
        ],
    ),
    (
        Field::Indicator,
        &["对应指标", "指标", "指标编码", "相关指标", "评分指标"],
    ),
    (Field::Measures, &["整改措施", "措施"]),
    (
        Field::Responsible,
        &[
            "责任单位",
            "责任人",
            "责任单位责任人",
            "牵头单位",
            "责任部门",
        ],
    ),
    (
        Field::Deadline,
        &[
            "整改时限",
            "完成时限",
            "时限",
            "整改期限",
            "完成时间",
            "整改时间",
        ],
    ),
    (
        Field::Progress,
        &["整改情况", "整改状态", "整改进展", "完成情况", "进展情况"],
    ),
    (Field::Remark, &["备注", "说明"]),
];

/// Words a longer header holds, tried in this order once no header matched exactly (责任 before
/// 单位, so 责任单位 is never the place; 时限 before 整改, so 整改时限 is never the measures).
const WORDS: &[(Field, &[&str])] = &[
    (Field::Remark, &["备注"]),
    (Field::Responsible, &["责任"]),
    (Field::Deadline, &["时限", "期限", "完成时间"]),
    (Field::Measures, &["措施"]),
    (Field::Progress, &["情况", "进展", "状态"]),
    (Field::Category, &["类别", "类型", "方面"]),
    (Field::Indicator, &["指标"]),
    (Field::Description, &["问题"]),
    (Field::Number, &["序号", "编号"]),
    (Field::County, &["县"]),
    (Field::Prefecture, &["市州", "地区", "单位"]),
];

/// A header as compared: no spaces, brackets, stars or colons (市（州） → 市州).
pub fn normalise(cell: &str) -> String {
    cell.chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '(' | ')' | '（' | '）' | '*' | ':' | '：' | '、' | '\u{3000}' | '_'
                )
        })
        .flat_map(|c| c.to_lowercase())
        .collect()
}

/// Where each field is in a table.
#[derive(Debug, Clone)]
pub struct Columns {
    /// Index (in `Table::rows`) of the header row.
    pub header: usize,
    pub at: BTreeMap<Field, usize>,
}

impl Columns {
    /// The header of `field`'s column as written (for messages).
    pub fn name(&self, table: &Table, field: Field) -> String {
        self.at
            .get(&field)
            .and_then(|&c| table.rows[self.header].get(c))
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| field.usual_header().to_string())
    }

    /// The cell of `field` in `row`, trimmed ("" when the column is absent).
    pub fn cell<'r>(&self, row: &'r [String], field: Field) -> &'r str {
        self.at
            .get(&field)
            .and_then(|&c| row.get(c))
            .map_or("", |s| s.trim())
    }
}

/// A `--map COLUMN=field` as typed: the column by its header or its letter (A, B, … AA).
#[derive(Debug, Clone)]
pub struct MapRule {
    pub column: String,
    pub field: Field,
}

/// Parse `--map` flags; a bad one is refused naming it.
pub fn parse_maps(maps: &[String]) -> ProblemsResult<Vec<MapRule>> {
    maps.iter()
        .map(|m| {
            let bad = || ProblemsError::said(Msg::ProblemsBadMap, &[("map", m)]);
            let (column, field) = m.rsplit_once('=').ok_or_else(bad)?;
            let field = Field::parse(field).ok_or_else(bad)?;
            if column.trim().is_empty() {
                return Err(bad());
            }
            Ok(MapRule {
                column: column.trim().to_string(),
                field,
            })
        })
        .collect()
}

/// Column index of a spreadsheet letter (A → 0, AA → 26).
fn letter_column(s: &str) -> Option<usize> {
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    Some(
        s.bytes().fold(0usize, |n, b| {
            n * 26 + (b.to_ascii_uppercase() - b'A') as usize + 1
        }) - 1,
    )
}

/// The fields a row names, if it is a header: its columns by exact header, then by word, then
/// as `maps` say (a map wins).
fn header_columns(row: &[String], maps: &[MapRule]) -> BTreeMap<Field, usize> {
    let norm: Vec<String> = row.iter().map(|c| normalise(c)).collect();
    let mut at: BTreeMap<Field, usize> = BTreeMap::new();
    let mut taken = vec![false; row.len()];
    for rule in maps {
        let want = normalise(&rule.column);
        let c = norm
            .iter()
            .position(|h| *h == want)
            .or_else(|| letter_column(&rule.column));
        if let Some(c) = c {
            at.insert(rule.field, c);
            if c < taken.len() {
                taken[c] = true;
            }
        }
    }
    for (field, names) in EXACT {
        if at.contains_key(field) {
            continue;
        }
        if let Some(c) = (0..row.len()).find(|&c| !taken[c] && names.contains(&norm[c].as_str())) {
            at.insert(*field, c);
            taken[c] = true;
        }
    }
    for (field, words) in WORDS {
        if at.contains_key(field) {
            continue;
        }
        let c = (0..row.len()).find(|&c| {
            !taken[c] && norm[c].chars().count() <= 16 && words.iter().any(|w| norm[c].contains(w))
        });
        if let Some(c) = c {
            at.insert(*field, c);
            taken[c] = true;
        }
    }
    at
}

/// The header row of `table` and its columns, if one of the top rows is a header.
pub fn find_columns(table: &Table, maps: &[MapRule]) -> Option<Columns> {
    table
        .rows
        .iter()
        .take(HEADER_SCAN_ROWS)
        .enumerate()
        .find_map(|(r, row)| {
            let at = header_columns(row, maps);
            (at.contains_key(&Field::Description) && at.len() >= 3)
                .then_some(Columns { header: r, at })
        })
}

/// The title rows above the header, as one text.
pub fn title(table: &Table, cols: &Columns) -> String {
    table.rows[..cols.header]
        .iter()
        .flatten()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn kind_of(path: &Path, data: &[u8]) -> Option<DocKind> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("xlsx" | "xlsm") => Some(DocKind::Xlsx),
        Some("xls") => Some(DocKind::Xls),
        Some("csv" | "txt") => Some(DocKind::Csv),
        _ if data.starts_with(b"PK\x03\x04") => Some(DocKind::Xlsx),
        _ if data.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) => Some(DocKind::Xls),
        _ => None,
    }
}

/// Every table of the list file (`data` is its bytes; `path` names it in messages).
pub fn read(path: &Path, data: &[u8]) -> ProblemsResult<Vec<Table>> {
    let file = path.display().to_string();
    match kind_of(path, data) {
        Some(DocKind::Csv) => Ok(vec![csv_table(data)]),
        Some(kind) => {
            let grids = sheet::grids(data, kind, &Limits::default()).map_err(|p| {
                let detail = p.reason(crate::i18n::Lang::En);
                ProblemsError::said(
                    Msg::ProblemsUnreadable,
                    &[("file", &file), ("detail", &detail)],
                )
            })?;
            Ok(grids
                .into_iter()
                .map(|g| Table {
                    sheet: Some(g.sheet),
                    rows: g.rows,
                    numbers: g.numbers.iter().map(|n| *n as usize + 1).collect(),
                })
                .collect())
        }
        None => Err(ProblemsError::said(
            Msg::ProblemsUnknownFormat,
            &[("file", &file)],
        )),
    }
}

/// A CSV list, decoded (UTF-8, GBK…) and split by its delimiter (comma, tab or semicolon).
fn csv_table(data: &[u8]) -> Table {
    let (text, _) = text::decode(data);
    let text = sheet::csv_lines(&text);
    let mut reader = sheet::csv_reader(&text);
    let mut rows = Vec::new();
    let mut numbers = Vec::new();
    for rec in reader.records().map_while(Result::ok) {
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        numbers.push(rec.position().map_or(0, |p| p.line() as usize));
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Table {
        sheet: None,
        rows,
        numbers,
    }
}
