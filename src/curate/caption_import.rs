//! `archive caption import FILE.xlsx|csv`: captions typed in a spreadsheet, one row per photo,
//! keyed by file name, path or BLAKE3. Every row is checked before anything is written; one
//! bad row (an unknown file, a name two different photos share, a field too long, two rows
//! for one photo that disagree) refuses the whole file, naming each bad row by its number as
//! the spreadsheet shows it. An empty cell leaves that field as it was.

use std::collections::HashMap;
use std::path::Path;

use super::captions::{self, CaptionEdit, Change, Outcome};
use super::{Actor, CurateError, CurateResult};
use crate::catalog::Catalog;
use crate::extract::document::{sheet, text, DocKind};
use crate::extract::Limits;
use crate::record::Status;

/// Headers of the key column (after [`norm`]).
const KEY_HEADERS: &[&str] = &[
    "文件名",
    "文件",
    "文件名称",
    "照片",
    "照片文件名",
    "路径",
    "文件路径",
    "blake3",
    "哈希",
    "file",
    "filename",
    "name",
    "path",
];

/// Headers of each caption field (after [`norm`]).
const FIELD_HEADERS: &[(&str, &[&str])] = &[
    ("title", &["题名", "标题", "照片题名", "title"]),
    (
        "photographer",
        &["摄影者", "摄影", "拍摄者", "摄影人", "photographer"],
    ),
    ("people", &["人物", "主要人物", "people"]),
    (
        "background",
        &["背景", "事由", "活动", "background", "occasion"],
    ),
    ("description", &["文字说明", "说明", "描述", "description"]),
    ("place", &["地点", "拍摄地点", "place"]),
    (
        "taken",
        &["摄影时间", "拍摄时间", "时间", "日期", "taken", "date"],
    ),
];

/// How many rows may sit above the header (a title line, the office's name).
const HEADER_SCAN_ROWS: usize = 10;

fn norm(cell: &str) -> String {
    cell.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '（' | '）' | '*' | ':' | '：'))
        .flat_map(|c| c.to_lowercase())
        .collect()
}

/// A table's rows with the numbers a person sees (spreadsheet row, CSV line).
struct Table {
    rows: Vec<Vec<String>>,
    numbers: Vec<usize>,
}

fn read_tables(path: &Path, data: &[u8]) -> CurateResult<Vec<Table>> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let kind = match ext.as_str() {
        "csv" | "txt" | "tsv" => DocKind::Csv,
        "xlsx" | "xlsm" => DocKind::Xlsx,
        "xls" => DocKind::Xls,
        _ => {
            return Err(CurateError::Invalid(format!(
                "{}：只能导入 .xlsx、.xls 或 .csv 表格 / only .xlsx, .xls and .csv tables can be imported",
                path.display()
            )))
        }
    };
    if kind == DocKind::Csv {
        let (text, _) = text::decode(data);
        let text = sheet::csv_lines(&text);
        let mut reader = sheet::csv_reader(&text);
        let mut t = Table {
            rows: Vec::new(),
            numbers: Vec::new(),
        };
        for rec in reader.records() {
            let rec = rec.map_err(|e| {
                CurateError::Invalid(format!(
                    "{}：无法读取 CSV（{e}）/ the CSV cannot be read ({e})",
                    path.display()
                ))
            })?;
            t.numbers
                .push(rec.position().map_or(0, |p| p.line() as usize));
            t.rows.push(rec.iter().map(str::to_string).collect());
        }
        return Ok(vec![t]);
    }
    let grids = sheet::grids(data, kind, &Limits::default()).map_err(|p| {
        CurateError::Invalid(format!(
            "{}：无法读取表格（{}）/ the workbook cannot be read ({})",
            path.display(),
            p.reason(crate::i18n::Lang::Zh),
            p.reason(crate::i18n::Lang::En)
        ))
    })?;
    Ok(grids
        .into_iter()
        .map(|g| Table {
            rows: g.rows,
            numbers: g.numbers.iter().map(|n| *n as usize + 1).collect(),
        })
        .collect())
}

/// Where a table's header is: its row index, the key column, each field's column.
type Header = (usize, usize, Vec<(&'static str, usize)>);

/// The first row naming a key and a field.
fn header(t: &Table) -> Option<Header> {
    for (i, row) in t.rows.iter().take(HEADER_SCAN_ROWS).enumerate() {
        let cells: Vec<String> = row.iter().map(|c| norm(c)).collect();
        let key = cells.iter().position(|c| KEY_HEADERS.contains(&c.as_str()));
        let fields: Vec<(&'static str, usize)> = FIELD_HEADERS
            .iter()
            .filter_map(|(f, words)| {
                cells
                    .iter()
                    .position(|c| words.contains(&c.as_str()))
                    .map(|col| (*f, col))
            })
            .collect();
        if let (Some(k), false) = (key, fields.is_empty()) {
            return Some((i, k, fields));
        }
    }
    None
}

/// The catalog's present contents by file name, displayed path and hash.
struct Lookup {
    by_name: HashMap<String, Vec<(String, String)>>,
    by_path: HashMap<String, (String, String)>,
    hashes: Vec<(String, String)>,
}

impl Lookup {
    fn build(cat: &Catalog) -> CurateResult<Lookup> {
        let mut l = Lookup {
            by_name: HashMap::new(),
            by_path: HashMap::new(),
            hashes: Vec::new(),
        };
        cat.for_each_file(|row| {
            let Some(b3) = row.blake3.clone().filter(|_| row.status == Status::Present) else {
                return Ok(());
            };
            let path = row.display_path();
            let hit = (b3.clone(), path.clone());
            let same = l.by_name.entry(row.file_name().to_string()).or_default();
            if !same.iter().any(|(b, _)| *b == b3) {
                same.push(hit.clone());
            }
            l.by_path.insert(path, hit.clone());
            l.hashes.push(hit);
            Ok(())
        })?;
        l.hashes.sort();
        l.hashes.dedup_by(|a, b| a.0 == b.0);
        Ok(l)
    }

    /// (BLAKE3, a path) for the key, or why not.
    fn find(&self, key: &str) -> Result<(String, String), String> {
        let k = key.trim();
        let hexish = k.len() >= 8 && k.len() <= 64 && k.bytes().all(|b| b.is_ascii_hexdigit());
        if hexish {
            let k = k.to_ascii_lowercase();
            let hits: Vec<_> = self
                .hashes
                .iter()
                .filter(|(b, _)| b.starts_with(&k))
                .collect();
            match hits.as_slice() {
                [one] => return Ok((*one).clone()),
                [] => {}
                many => {
                    return Err(format!(
                        "哈希 {k} 对应 {} 个不同的文件，请写全 / {k} matches {} contents; give more of the hash",
                        many.len(),
                        many.len()
                    ))
                }
            }
        }
        if let Some(hit) = self.by_path.get(k) {
            return Ok(hit.clone());
        }
        let name = k.rsplit(['/', '\\']).next().unwrap_or(k);
        match self.by_name.get(name).map(Vec::as_slice) {
            Some([one]) => Ok(one.clone()),
            Some(many) if !many.is_empty() => Err(format!(
                "文件名“{name}”对应 {} 张不同的照片（{}），请改写路径或 BLAKE3 / {name:?} names {} different contents; give the path or the BLAKE3",
                many.len(),
                many.iter().map(|(_, p)| p.as_str()).collect::<Vec<_>>().join("、"),
                many.len()
            )),
            _ => Err(format!(
                "档案中没有“{k}” / {k:?} is not in the catalog (give a file name, a path or a BLAKE3)"
            )),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub rows: usize,
    pub outcome: Outcome,
}

/// Read `path` and write every row's caption, or refuse the whole file naming each bad row.
pub fn import(cat: &Catalog, who: &Actor, path: &Path) -> CurateResult<Imported> {
    let data = std::fs::read(path).map_err(|e| {
        CurateError::Invalid(format!(
            "无法读取 {}（{e}）/ {} cannot be read ({e})",
            path.display(),
            path.display()
        ))
    })?;
    let tables = read_tables(path, &data)?;
    let lookup = Lookup::build(cat)?;
    let mut bad: Vec<String> = Vec::new();
    let mut edits: Vec<(String, String, CaptionEdit, usize)> = Vec::new();
    let mut found_header = false;
    for t in &tables {
        let Some((h, key_col, cols)) = header(t) else {
            continue;
        };
        found_header = true;
        for (row, &number) in t.rows.iter().zip(&t.numbers).skip(h + 1) {
            if row.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let key = row.get(key_col).map_or("", |c| c.trim());
            if key.is_empty() {
                bad.push(format!(
                    "第 {number} 行：没有文件名 / row {number}: no file named"
                ));
                continue;
            }
            let (b3, label) = match lookup.find(key) {
                Ok(hit) => hit,
                Err(why) => {
                    bad.push(format!("第 {number} 行：{why} / row {number}"));
                    continue;
                }
            };
            let mut edit = CaptionEdit::default();
            for (field, col) in &cols {
                let v = row.get(*col).map_or("", |c| c.trim());
                if v.is_empty() {
                    continue;
                }
                if let Err(e) = edit.set(field, v) {
                    bad.push(format!("第 {number} 行：{e} / row {number}"));
                }
            }
            if let Some((_, _, other, n)) = edits.iter().find(|(b, ..)| *b == b3) {
                if *other != edit {
                    bad.push(format!(
                        "第 {number} 行与第 {n} 行是同一张照片（{label}），说明不一致 / rows {n} and {number} are the same photo with different captions"
                    ));
                }
                continue;
            }
            edits.push((b3, label, edit, number));
        }
    }
    if !found_header {
        return Err(CurateError::Invalid(format!(
            "{}：找不到表头。第一行应有“文件名”（或“路径”“BLAKE3”）和至少一个说明项（题名、摄影者、人物、背景、文字说明、地点、摄影时间）/ no header found: a row naming the file column (文件名, path or BLAKE3) and at least one caption field",
            path.display()
        )));
    }
    if !bad.is_empty() {
        return Err(CurateError::Invalid(format!(
            "{}：{} 行有误，整张表未导入 / {} bad rows, nothing was imported:\n{}",
            path.display(),
            bad.len(),
            bad.len(),
            bad.join("\n")
        )));
    }
    let changes: Vec<Change> = edits
        .iter()
        .filter(|(_, _, e, _)| !e.is_empty())
        .map(|(b3, label, edit, _)| Change {
            blake3: b3.clone(),
            label: label.clone(),
            edit,
        })
        .collect();
    let outcome = if changes.is_empty() {
        Outcome::default()
    } else {
        let reason = format!("导入 {}", path.display());
        captions::set_many(cat, who, &changes, "caption.import", Some(&reason))?
    };
    Ok(Imported {
        rows: edits.len(),
        outcome,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_found_below_a_title_and_with_english_names() {
        let t = Table {
            rows: vec![
                vec!["海东市科普照片说明".into()],
                vec![
                    "序号".into(),
                    "文件名".into(),
                    "题名".into(),
                    "摄影者".into(),
                ],
            ],
            numbers: vec![1, 2],
        };
        let (h, key, cols) = header(&t).unwrap();
        assert_eq!((h, key), (1, 1));
        assert_eq!(cols, vec![("title", 2), ("photographer", 3)]);
        let t = Table {
            rows: vec![vec!["Path".into(), "Title".into(), "People".into()]],
            numbers: vec![1],
        };
        assert_eq!(header(&t).unwrap().2, vec![("title", 1), ("people", 2)]);
    }
}
