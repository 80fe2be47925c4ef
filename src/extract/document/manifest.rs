//! Submission lists (报送材料清单): a spreadsheet or CSV that says which file belongs to which
//! indicator. They are the strongest automatic tagging source after a curator's edit, so they
//! are recognised here, where the rows are already read.
//!
//! Counties write them by hand, so nothing about their shape can be assumed: title rows above
//! the header (merged across the sheet), the list on any sheet, headers worded a dozen ways
//! (文件名称, 附件, 材料名称…; 指标编码, 对应指标, 指标名称…) or not at all. The columns are found
//! by their header when a known word names them, else by what their cells hold (names with a
//! file extension; indicator codes such as B4.1). A file that says it is a list (its name or
//! title) but yields no rows gets a warning saying why, so the county's index is not silently
//! ignored. Matching rows to files is the tagger's job (`tag::manifests`).

use crate::extract::{Facts, ManifestRow};
use crate::problem::{Code, Problem};

/// How many rows may sit above the header.
const HEADER_SCAN_ROWS: usize = 10;
/// Rows below a header looked at to judge a column by its cells.
const SAMPLE_ROWS: usize = 50;

/// Header names of the file column, best first (compared after [`normalise`]).
const FILE_HEADERS: &[&str] = &[
    "文件名",
    "文件名称",
    "附件名称",
    "材料名称",
    "照片名称",
    "视频名称",
    "图片名称",
    "档案名称",
    "资料名称",
    "佐证材料名称",
    "证明材料名称",
    "文件路径",
    "filename",
    "附件名",
    "附件",
    "文件",
    "材料",
    "佐证材料",
    "名称",
    "file",
    "name",
    "path",
    "路径",
];
/// File headers that may as well head a column of things that are not files (a budget's 名称):
/// a table called a list by nothing else needs its cells to agree.
const GENERIC_FILE_HEADERS: &[&str] = &["文件", "材料", "佐证材料", "名称", "file", "name"];
/// Words that make a header a weaker candidate for the file column.
const FILE_WORDS: &[&str] = &[
    "文件", "附件", "材料", "照片", "视频", "图片", "档案", "资料", "名称", "file", "name",
];
/// Header names of the indicator column, codes first: when a list has both a code and a name
/// column, the code decides and the name is the fallback for rows without one.
const INDICATOR_HEADERS: &[&str] = &[
    "指标编码",
    "指标代码",
    "指标编号",
    "指标序号",
    "indicatorcode",
    "指标",
    "对应指标",
    "所属指标",
    "评价指标",
    "考核指标",
    "测评指标",
    "指标项",
    "指标名称",
    "indicator",
    "code",
    "编码",
    "代码",
];
/// Words that make a header a weaker candidate for the indicator column.
const INDICATOR_WORDS: &[&str] = &["指标", "indicator"];
/// Words that make a header anything but a file or indicator column (指标分值, 预算指标, 文件编号).
const OTHER_WORDS: &[&str] = &[
    "序号", "编号", "说明", "备注", "分值", "得分", "分数", "权重", "金额", "预算", "完成", "日期",
    "时间", "数量", "份数", "页数", "大小", "格式", "类型", "单位", "值", "型号", "规格", "品牌",
    "电话", "号码",
];
/// Words in a file's name or title that say it is a submission list.
const LIST_WORDS: &[&str] = &[
    "材料清单",
    "报送清单",
    "报送材料",
    "材料目录",
    "文件清单",
    "文件目录",
    "附件清单",
    "资料清单",
    "档案目录",
    "佐证材料",
    "证明材料",
    "submission",
    "manifest",
];
/// Extensions of evidence files: a cell ending in one names a file.
const FILE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "heic", "heif", "webp", "mp4", "mov", "avi",
    "mkv", "wmv", "flv", "3gp", "m4v", "mpg", "mpeg", "ts", "mts", "m2ts", "vob", "doc", "docx",
    "xls", "xlsx", "ppt", "pptx", "pdf", "txt", "csv", "wps", "et", "dps", "rtf", "ofd", "zip",
    "rar", "7z", "mp3", "wav", "m4a", "amr",
];

fn normalise(cell: &str) -> String {
    let head = cell.split(['(', '（']).next().unwrap_or("");
    head.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '\u{3000}' | '*' | ':' | '：'))
        .flat_map(|c| c.to_lowercase())
        .collect()
}

/// The cell names a file: it ends in a known extension, or it is a path.
fn looks_like_file(cell: &str) -> bool {
    let s = cell.trim();
    if let Some((stem, ext)) = s.rsplit_once('.') {
        let ext = ext.to_ascii_lowercase();
        if !stem.trim().is_empty() && FILE_EXTENSIONS.contains(&ext.as_str()) {
            return true;
        }
    }
    s.contains(['/', '\\']) && !s.ends_with(['/', '\\']) && !s.contains("://")
}

/// The cell starts with an indicator code (A2, B4.1, D1.2.3), alone or before its name.
fn looks_like_code(cell: &str) -> bool {
    let s = cell.trim();
    let letters = s.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    if letters != 1 {
        return false;
    }
    let rest = &s[letters..];
    let body: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let after = rest[body.len()..].chars().next();
    let parts: Vec<&str> = body.split('.').collect();
    let well_formed = !body.is_empty()
        && !body.ends_with('.')
        && parts.len() <= 4
        && parts[0].len() <= 2
        && parts.iter().all(|p| (1..=3).contains(&p.len()));
    well_formed && after.is_none_or(|c| !c.is_ascii_alphanumeric())
}

/// The cell could be an indicator's name or a phrase holding one (科普大篷车进校园): short
/// Chinese text that is neither a file, a date nor a number.
fn looks_like_name(cell: &str) -> bool {
    let s = cell.trim();
    let n = s.chars().count();
    (2..=40).contains(&n)
        && s.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
        && !looks_like_file(s)
        && !s.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// The cell is an amount or a count (5000, 12.5%, 3万元), never an indicator.
fn looks_like_amount(cell: &str) -> bool {
    let s = cell.trim();
    if s.ends_with(['元', '%', '万']) {
        return true;
    }
    match s.split_once('.') {
        None => s.len() > 2 && s.bytes().all(|b| b.is_ascii_digit()),
        Some((int, frac)) => {
            s.parse::<f64>().is_ok() && (int.len() > 2 || frac.len() > 2 || frac.contains('.'))
        }
    }
}

/// Where the list's columns are in one table.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Columns {
    /// First row that may hold data.
    data_from: usize,
    file: usize,
    /// Indicator columns, best first: a row takes the first that is filled.
    indicators: Vec<usize>,
    /// The header row, when one was found (for messages).
    header: Option<usize>,
}

/// The columns of a row whose header is one of `exact` or holds one of `words`, best first.
fn named(row: &[String], exact: &[&str], words: &[&str]) -> Vec<usize> {
    let mut found: Vec<(usize, usize)> = Vec::new();
    for (i, cell) in row.iter().enumerate() {
        let n = normalise(cell);
        if n.is_empty() {
            continue;
        }
        if let Some(rank) = exact.iter().position(|w| *w == n) {
            found.push((rank, i));
        } else if n.chars().count() <= 12
            && words.iter().any(|w| n.contains(w))
            && !OTHER_WORDS.iter().any(|w| n.contains(w))
        {
            found.push((exact.len(), i));
        }
    }
    found.sort();
    found.into_iter().map(|(_, i)| i).collect()
}

/// The non-empty cells of column `c` in `rows`.
fn cells(rows: &[Vec<String>], c: usize) -> impl Iterator<Item = &str> {
    rows.iter()
        .filter_map(move |r| r.get(c).map(|s| s.trim()))
        .filter(|s| !s.is_empty())
}

/// The column (not in `taken`) whose cells most often pass `test`, if two thirds of its
/// filled cells and at least `min` cells do.
fn by_content(
    rows: &[Vec<String>],
    taken: &[usize],
    min: usize,
    test: fn(&str) -> bool,
) -> Option<usize> {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    (0..width)
        .filter(|c| !taken.contains(c))
        .filter_map(|c| {
            let (hits, filled) =
                cells(rows, c).fold((0, 0), |(h, n), s| (h + test(s) as usize, n + 1));
            (hits >= min && hits * 3 >= filled * 2).then_some((hits, std::cmp::Reverse(c), c))
        })
        .max()
        .map(|(.., c)| c)
}

/// Indicator columns that hold amounts are a budget's 指标, not the rubric's.
fn holds_amounts(rows: &[Vec<String>], c: usize) -> bool {
    let (amounts, filled) = cells(rows, c).fold((0, 0), |(a, n), s| {
        (a + looks_like_amount(s) as usize, n + 1)
    });
    filled > 0 && amounts * 2 > filled
}

/// What a table's first rows say about it.
#[derive(Debug)]
enum Found {
    List(Columns),
    /// A header names the indicator column but no column holds file names.
    NoFileColumn(usize),
    /// A header names the file column but no column holds indicators.
    NoIndicatorColumn(usize),
    Nothing,
}

/// Where the list's columns are, if `rows` hold one. `said_list`: the file's name or a title
/// calls it a list, so a generic header (名称) is taken at its word.
fn find_columns(rows: &[Vec<String>], said_list: bool) -> Found {
    let mut partial = Found::Nothing;
    for (r, row) in rows.iter().take(HEADER_SCAN_ROWS).enumerate() {
        // A row holding a file name or a code is data, whatever words its other cells hold;
        // a row of one cell is a title (互助县报送材料清单), not a header.
        let filled = row.iter().filter(|c| !c.trim().is_empty()).count();
        if filled < 2 || row.iter().any(|c| looks_like_file(c) || looks_like_code(c)) {
            continue;
        }
        let below = &rows[(r + 1).min(rows.len())..rows.len().min(r + 1 + SAMPLE_ROWS)];
        let mut inds: Vec<usize> = named(row, INDICATOR_HEADERS, INDICATOR_WORDS);
        inds.retain(|&c| !holds_amounts(below, c));
        let files: Vec<usize> = named(row, FILE_HEADERS, FILE_WORDS)
            .into_iter()
            .filter(|c| !inds.contains(c))
            .collect();
        // Columns headed 型号, 金额, 备注… are never judged by their cells.
        let others: Vec<usize> = (0..row.len())
            .filter(|&c| OTHER_WORDS.iter().any(|w| normalise(&row[c]).contains(w)))
            .collect();
        let taken = |known: &[usize]| [known, &others[..]].concat();
        let list = |file, indicators| {
            Found::List(Columns {
                data_from: r + 1,
                file,
                indicators,
                header: Some(r),
            })
        };
        match (files.first(), inds.is_empty()) {
            (Some(&fc), false) => {
                // A file column named only by a weak word (活动名称) yields to one whose cells
                // are file names.
                let header = normalise(&row[fc]);
                let exact = FILE_HEADERS.contains(&header.as_str());
                let fc = match exact {
                    true => fc,
                    false => by_content(below, &taken(&inds), 1, looks_like_file).unwrap_or(fc),
                };
                let generic = !exact || GENERIC_FILE_HEADERS.contains(&header.as_str());
                let agree = said_list
                    || !generic
                    || cells(below, fc).any(looks_like_file)
                    || inds.iter().any(|&c| cells(below, c).any(looks_like_code));
                if agree {
                    return list(fc, inds);
                }
            }
            (None, false) => match by_content(below, &taken(&inds), 1, looks_like_file) {
                Some(fc) => return list(fc, inds),
                None if matches!(partial, Found::Nothing) => partial = Found::NoFileColumn(r),
                None => {}
            },
            (Some(&fc), true) => {
                match by_content(below, &taken(&[fc]), 1, looks_like_code).or_else(|| {
                    // In a file that calls itself a list, a column of short Chinese phrases
                    // under an unexpected header (项目, 类别) is taken for indicator names; the
                    // tagger resolves them against the vocabulary, and quotes the row when it
                    // cannot.
                    said_list
                        .then(|| by_content(below, &taken(&[fc]), 1, looks_like_name))
                        .flatten()
                }) {
                    Some(ic) => return list(fc, vec![ic]),
                    None if matches!(partial, Found::Nothing) => {
                        partial = Found::NoIndicatorColumn(r)
                    }
                    None => {}
                }
            }
            (None, true) => {}
        }
    }
    if !matches!(partial, Found::Nothing) {
        return partial;
    }
    // No header names either column: a list written without one, or under words nobody
    // expected. Judge by the cells: file names beside indicator codes, in two rows or more.
    let sample = &rows[..rows.len().min(HEADER_SCAN_ROWS + SAMPLE_ROWS)];
    let Some(fc) = by_content(sample, &[], 2, looks_like_file) else {
        return Found::Nothing;
    };
    let Some(ic) = by_content(sample, &[fc], 2, looks_like_code) else {
        return Found::Nothing;
    };
    let first = sample.iter().position(|row| {
        row.get(fc).is_some_and(|s| looks_like_file(s))
            && row.get(ic).is_some_and(|s| looks_like_code(s))
    });
    match first {
        Some(first) => Found::List(Columns {
            data_from: first,
            file: fc,
            indicators: vec![ic],
            header: first.checked_sub(1),
        }),
        None => Found::Nothing,
    }
}

/// The table is a list with rows that name a file but no indicator, or the reverse: the
/// sign of cells merged down several rows, which only the top row holds.
pub fn has_gaps(rows: &[Vec<String>]) -> bool {
    let head = &rows[..rows.len().min(HEADER_SCAN_ROWS + SAMPLE_ROWS)];
    let Found::List(cols) = find_columns(head, true) else {
        return false;
    };
    let filled = |row: &[String], c: usize| row.get(c).is_some_and(|s| !s.trim().is_empty());
    rows.iter()
        .skip(cols.data_from)
        .any(|row| filled(row, cols.file) != cols.indicators.iter().any(|&c| filled(row, c)))
}

/// A row below the header names a file and an indicator, or it is not a manifest row.
fn manifest_row(
    row: &[String],
    cols: &Columns,
    at: impl FnOnce() -> String,
) -> Option<ManifestRow> {
    let file = row.get(cols.file).map(|s| s.trim()).unwrap_or("");
    let indicator = cols
        .indicators
        .iter()
        .filter_map(|&c| row.get(c).map(|s| s.trim()))
        .find(|s| !s.is_empty())
        .unwrap_or("");
    // A header repeated down the sheet (lists pasted one under another) is not a row.
    if file.is_empty() || indicator.is_empty() || FILE_HEADERS.contains(&normalise(file).as_str()) {
        return None;
    }
    Some(ManifestRow {
        file: file.to_string(),
        indicator: indicator.to_string(),
        at: at(),
    })
}

/// What the table that came closest to being a list lacked.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Missing {
    Header,
    FileColumn {
        header: String,
    },
    IndicatorColumn {
        header: String,
    },
    Rows {
        at: String,
        file: String,
        indicator: String,
    },
}

/// Gathers a file's submission-list rows table by table (sheets, the CSV, Word tables) and, at the end,
/// either stores them or says why a file that calls itself a list gave none.
pub struct Detector {
    /// Why the file looks like a list: its name or a title cell.
    clue: Option<String>,
    rows: Vec<ManifestRow>,
    trouble: Missing,
}

fn list_clue(text: &str) -> bool {
    let n = normalise(text);
    LIST_WORDS.iter().any(|w| n.contains(w))
}

impl Detector {
    /// `name` is the file's name, a first clue ("材料清单.xlsx").
    pub fn new(name: &str) -> Detector {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        Detector {
            clue: list_clue(base).then(|| base.to_string()),
            rows: Vec::new(),
            trouble: Missing::Header,
        }
    }

    fn note_title(&mut self, rows: &[Vec<String>], until: usize) {
        if self.clue.is_some() {
            return;
        }
        self.clue = rows
            .iter()
            .take(until.min(HEADER_SCAN_ROWS))
            .flatten()
            .find(|c| c.chars().count() <= 60 && list_clue(c))
            .map(|c| c.trim().to_string());
    }

    fn header_text(rows: &[Vec<String>], r: usize) -> String {
        let cells: Vec<&str> = rows[r]
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        cells.join(" | ")
    }

    /// Look for a list in the first rows of a table; the columns, if any, for the rest.
    fn columns(&mut self, head: &[Vec<String>]) -> Option<Columns> {
        // A title row (one or two cells: the title, perhaps a date) may say it too.
        let said_list = self.clue.is_some()
            || head.iter().take(HEADER_SCAN_ROWS).any(|row| {
                row.iter().filter(|c| !c.trim().is_empty()).count() <= 2
                    && row.iter().any(|c| list_clue(c))
            });
        match find_columns(head, said_list) {
            Found::List(cols) => {
                self.note_title(head, cols.header.unwrap_or(cols.data_from));
                Some(cols)
            }
            Found::NoFileColumn(r) => {
                self.note_title(head, r);
                let header = Self::header_text(head, r);
                self.lacks(Missing::FileColumn { header });
                None
            }
            Found::NoIndicatorColumn(r) => {
                self.note_title(head, r);
                let header = Self::header_text(head, r);
                self.lacks(Missing::IndicatorColumn { header });
                None
            }
            Found::Nothing => {
                self.note_title(head, HEADER_SCAN_ROWS);
                None
            }
        }
    }

    /// Keep what the closest table lacked (rows beat columns beat a header).
    fn lacks(&mut self, t: Missing) {
        if t > self.trouble {
            self.trouble = t;
        }
    }

    /// After a table with columns gave no row.
    fn no_rows(&mut self, head: &[Vec<String>], cols: &Columns, at: &dyn Fn(usize) -> String) {
        let name = |c: usize| {
            cols.header
                .and_then(|h| head.get(h)?.get(c).cloned())
                .unwrap_or_default()
        };
        let t = Missing::Rows {
            at: cols.header.map(at).unwrap_or_default(),
            file: name(cols.file),
            indicator: name(cols.indicators[0]),
        };
        self.lacks(t);
    }

    /// One whole table (a sheet); `at(i)` names row `i` for the user ("材料清单!3").
    pub fn table(&mut self, rows: &[Vec<String>], at: impl Fn(usize) -> String) {
        let head = &rows[..rows.len().min(HEADER_SCAN_ROWS + SAMPLE_ROWS)];
        let Some(cols) = self.columns(head) else {
            return;
        };
        let before = self.rows.len();
        for (i, row) in rows.iter().enumerate().skip(cols.data_from) {
            self.rows.extend(manifest_row(row, &cols, || at(i)));
        }
        if self.rows.len() == before {
            self.no_rows(head, &cols, &at);
        }
    }

    /// Manifest rows of CSV text (already decoded); positions are "line N" of the file.
    ///
    /// The header is looked for in the first rows before anything else is kept: most CSV files
    /// are ordinary tables, and copying every cell of them was a twentieth of a cold index.
    pub fn csv(&mut self, text: &str) {
        let text = super::sheet::csv_lines(text);
        let mut reader = super::sheet::csv_reader(&text);
        let line_of =
            |r: &csv::StringRecord| format!("line {}", r.position().map(|p| p.line()).unwrap_or(0));
        let mut head: Vec<Vec<String>> = Vec::new();
        let mut head_lines = Vec::new();
        let mut rec = csv::StringRecord::new();
        while head.len() < HEADER_SCAN_ROWS + SAMPLE_ROWS
            && matches!(reader.read_record(&mut rec), Ok(true))
        {
            head.push(rec.iter().map(str::to_string).collect());
            head_lines.push(line_of(&rec));
        }
        let at = |i: usize| head_lines[i].clone();
        let Some(cols) = self.columns(&head) else {
            return;
        };
        let before = self.rows.len();
        for (i, row) in head.iter().enumerate().skip(cols.data_from) {
            self.rows.extend(manifest_row(row, &cols, || at(i)));
        }
        let mut read = head.len();
        let mut row = Vec::new();
        while read < 1_000_000 && matches!(reader.read_record(&mut rec), Ok(true)) {
            read += 1;
            row.clear();
            row.extend(rec.iter().map(str::to_string));
            self.rows
                .extend(manifest_row(&row, &cols, || line_of(&rec)));
        }
        if self.rows.len() == before {
            self.no_rows(&head, &cols, &at);
        }
    }

    /// The file could not be opened at all (`detail` says why): worth saying when it is a list.
    pub fn unreadable(&self, detail: impl std::fmt::Display) -> Option<Problem> {
        let clue = self.clue.as_ref()?;
        Some(
            Problem::new(Code::ManifestUnreadable)
                .with("clue", clue)
                .with("detail", detail),
        )
    }

    /// Store the rows, or the reason a file that looks like a list gave none.
    pub fn finish(self, f: &mut Facts) {
        if !self.rows.is_empty() {
            f.manifest_rows = self.rows;
            return;
        }
        let Some(clue) = self.clue else {
            return;
        };
        let p = match self.trouble {
            Missing::Header => Problem::new(Code::ManifestNoHeader),
            Missing::FileColumn { header } => {
                Problem::new(Code::ManifestNoFileColumn).with("header", header)
            }
            Missing::IndicatorColumn { header } => {
                Problem::new(Code::ManifestNoIndicatorColumn).with("header", header)
            }
            Missing::Rows {
                at,
                file,
                indicator,
            } => Problem::new(Code::ManifestNoRows)
                .with("at", at)
                .with("file_column", file)
                .with("indicator_column", indicator),
        };
        f.problems.push(p.with("clue", clue));
    }
}

/// Is this file a submission list, read or not? A list is the submission's index, not
/// evidence of an indicator, so the tagger does not ask it for one.
pub fn is_submission_list(f: &Facts) -> bool {
    !f.manifest_rows.is_empty()
        || f.problems.iter().any(|p| {
            matches!(
                p.code,
                Code::ManifestUnreadable
                    | Code::ManifestNoHeader
                    | Code::ManifestNoFileColumn
                    | Code::ManifestNoIndicatorColumn
                    | Code::ManifestNoRows
            )
        })
}

/// Lists kept as tables in a Word document, read from its text (`ooxml` writes a table row
/// per line, cells separated by tabs). Most such tables are not lists, and a report's name may
/// well say 报送材料, so a document gives rows or nothing: never a warning.
pub fn from_document_text(f: &mut Facts) {
    let Some(text) = f.text.as_deref() else {
        return;
    };
    if !text.contains('\t') {
        return;
    }
    let mut d = Detector::new("");
    let lines: Vec<&str> = text.lines().collect();
    let (mut i, mut table) = (0, 0);
    while i < lines.len() {
        if !lines[i].contains('\t') {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && lines[i].contains('\t') {
            i += 1;
        }
        table += 1;
        let rows: Vec<Vec<String>> = lines[start..i]
            .iter()
            .map(|l| l.split('\t').map(str::to_string).collect())
            .collect();
        d.table(&rows, |r| format!("table {table}!{}", r + 1));
    }
    if !d.rows.is_empty() {
        f.manifest_rows = d.rows;
    }
}

/// Manifest rows of CSV text, for callers without a file name (tests, tools).
pub fn from_csv(text: &str) -> Vec<ManifestRow> {
    let mut d = Detector::new("");
    d.csv(text);
    d.rows
}

#[cfg(test)]
mod tests;
