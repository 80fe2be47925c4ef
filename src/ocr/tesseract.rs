//! The `tesseract` command: found on PATH (or named by `ARCHIVE_TESSERACT`), asked which
//! languages it has, run on one picture per call with its TSV output (words with confidences).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::run::{bounded, Ran};

/// Names the engine's program instead of PATH's `tesseract`; empty or `none` hides it (tests of
/// a machine without OCR, and a way to switch it off without touching config.toml).
pub const ENGINE_ENV: &str = "ARCHIVE_TESSERACT";

/// Words read with less confidence than this (0–100) are left out: on a photo's edges and
/// textures tesseract "reads" characters at 10–40, and those would be false hits.
const MIN_WORD_CONFIDENCE: f32 = 45.0;

/// A usable engine.
#[derive(Debug, Clone)]
pub struct Tesseract {
    pub program: PathBuf,
    /// `chi_sim`, `chi_sim+eng`…: what was asked for and is installed.
    pub languages: String,
    pub version: String,
}

/// Why there is no engine, in words for the run's summary.
#[derive(Debug, Clone)]
pub enum Missing {
    /// No `tesseract` on PATH (or hidden by [`ENGINE_ENV`]).
    NoProgram,
    /// Installed without simplified Chinese (`tesseract-ocr-chi-sim`).
    NoChinese,
}

/// The languages asked for when none are configured: simplified Chinese, and the Han
/// (simplified) script model beside it when installed (`tesseract-ocr-script-hans`): each
/// misreads characters the other reads (关/天, 仪式/仪也, 〇/O), and tesseract keeps the better
/// reading of each word. With `+eng`, tesseract 5.3 read whole Chinese lines of the benchmark's
/// pages as Latin garbage ("项目名称: EFAS ERG"); both Chinese models read the Latin letters
/// and digits such pages carry. docs/ocr.md has the recall of each choice.
pub const DEFAULT_LANGUAGES: &str = "chi_sim+HanS";

/// Find the engine with the `+`-joined `languages` (those not installed are left out; without
/// chi_sim there is no engine). Runs `tesseract --version` and `--list-langs` (a few ms).
pub fn find(languages: &str) -> Result<Tesseract, Missing> {
    let program = match std::env::var_os(ENGINE_ENV) {
        Some(v) if v.is_empty() || v == "none" => return Err(Missing::NoProgram),
        Some(v) => PathBuf::from(v),
        None => on_path("tesseract").ok_or(Missing::NoProgram)?,
    };
    let mut cmd = Command::new(&program);
    cmd.arg("--list-langs");
    let langs = match bounded(cmd, None, Duration::from_secs(10)) {
        Ran::Ok(out) => String::from_utf8_lossy(&out).into_owned(),
        _ => return Err(Missing::NoProgram),
    };
    let has = |l: &str| langs.lines().any(|x| x.trim() == l);
    if !has("chi_sim") {
        return Err(Missing::NoChinese);
    }
    let mut wanted: Vec<&str> = languages
        .split('+')
        .map(str::trim)
        .filter(|l| !l.is_empty() && has(l))
        .collect();
    if !wanted.contains(&"chi_sim") {
        wanted.insert(0, "chi_sim");
    }
    let languages = wanted.join("+");
    let mut cmd = Command::new(&program);
    cmd.arg("--version");
    let version = match bounded(cmd, None, Duration::from_secs(10)) {
        Ran::Ok(out) => String::from_utf8_lossy(&out)
            .lines()
            .next()
            .unwrap_or("tesseract")
            .trim()
            .to_string(),
        _ => "tesseract".to_string(),
    };
    Ok(Tesseract {
        program,
        languages,
        version,
    })
}

/// A program on PATH.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && crate::platform::is_executable(&m))
}

/// The text of one picture.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageText {
    pub text: String,
    /// Mean confidence (0–100) of the words kept; 0 when none.
    pub confidence: f32,
    pub words: usize,
}

/// Where the picture comes from.
pub enum Picture<'a> {
    File(&'a Path),
    Bytes(Vec<u8>),
}

/// Why a page gave no text.
#[derive(Debug, Clone)]
pub enum PageFailure {
    TimedOut,
    Failed(String),
}

impl Tesseract {
    /// Read one picture, killed after `limit`; `dpi` when the picture's own header does not say
    /// (a PGM) or says wrong (a scanner's JPEG often carries none).
    pub fn read(
        &self,
        picture: Picture,
        dpi: Option<u32>,
        limit: Duration,
    ) -> Result<PageText, PageFailure> {
        let (input, stdin) = match picture {
            Picture::File(p) => (p.as_os_str().to_owned(), None),
            Picture::Bytes(b) => ("stdin".into(), Some(b)),
        };
        self.tsv(&input, stdin, dpi, limit)
            .map(|tsv| parse_tsv(&tsv))
    }

    /// Read every page of a multi-page picture file (a TIFF) in one call, killed after `limit`.
    pub fn read_pages(&self, path: &Path, limit: Duration) -> Result<Vec<PageText>, PageFailure> {
        self.tsv(path.as_os_str(), None, None, limit)
            .map(|tsv| parse_tsv_pages(&tsv))
    }

    /// The engine's TSV for `input` (a file, or `stdin` fed `stdin`).
    fn tsv(
        &self,
        input: &std::ffi::OsStr,
        stdin: Option<Vec<u8>>,
        dpi: Option<u32>,
        limit: Duration,
    ) -> Result<String, PageFailure> {
        let mut cmd = Command::new(&self.program);
        cmd.arg(input);
        // One thread per call: the stage runs pages side by side, and tesseract's own OpenMP
        // threads would only fight them for the cores.
        cmd.env("OMP_THREAD_LIMIT", "1");
        // Page segmentation 4, one column of text of varying sizes: what a notice, a sign-in
        // sheet or a record is. With 3 (automatic) a large title was split into blocks and
        // characters between them lost ("科普 / 活动签到表"; docs/ocr.md).
        cmd.args(self.arguments(dpi));
        match bounded(cmd, stdin, limit) {
            Ran::Ok(out) => Ok(String::from_utf8_lossy(&out).into_owned()),
            Ran::TimedOut => Err(PageFailure::TimedOut),
            Ran::Failed(why) => Err(PageFailure::Failed(why)),
            Ran::NotStarted(e) => Err(PageFailure::Failed(e.to_string())),
        }
    }

    /// Everything after the input on the command line: the same for the stage and for the
    /// benchmark's engine alone.
    pub fn arguments(&self, dpi: Option<u32>) -> Vec<String> {
        let mut a: Vec<String> = ["stdout", "-l", &self.languages, "--psm", "4"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        if let Some(d) = dpi {
            a.extend(["--dpi".to_string(), d.to_string()]);
        }
        a.push("tsv".into());
        a
    }
}

/// [`parse_tsv`] page by page (a multi-page TIFF read in one call), in page order.
pub fn parse_tsv_pages(tsv: &str) -> Vec<PageText> {
    let mut lines = tsv.lines();
    let header = lines.next().unwrap_or_default();
    let mut pages: std::collections::BTreeMap<u32, String> = std::collections::BTreeMap::new();
    for row in lines {
        let page = row
            .split('\t')
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1);
        let rows = pages.entry(page).or_insert_with(|| format!("{header}\n"));
        rows.push_str(row);
        rows.push('\n');
    }
    pages.values().map(|rows| parse_tsv(rows)).collect()
}

/// Tesseract's TSV: level, page, block, par, line, word, left, top, width, height, conf, text.
/// Words of a line are joined without a space between CJK characters (tesseract puts one
/// between every Chinese "word"), lines with a newline.
pub fn parse_tsv(tsv: &str) -> PageText {
    let mut text = String::new();
    let mut line_key: Option<(u32, u32, u32, u32)> = None;
    let (mut sum, mut words) = (0f32, 0usize);
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.splitn(12, '\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let word = cols[11].trim();
        let conf: f32 = cols[10].parse().unwrap_or(-1.0);
        if word.is_empty() || conf < MIN_WORD_CONFIDENCE {
            continue;
        }
        let n = |i: usize| cols[i].parse::<u32>().unwrap_or(0);
        let key = (n(1), n(2), n(3), n(4));
        if line_key != Some(key) {
            if line_key.is_some() {
                text.push('\n');
            }
            line_key = Some(key);
        } else if !(text.chars().last().is_some_and(is_cjk)
            && word.chars().next().is_some_and(is_cjk))
        {
            text.push(' ');
        }
        text.push_str(word);
        sum += conf;
        words += 1;
    }
    PageText {
        confidence: if words > 0 { sum / words as f32 } else { 0.0 },
        text,
        words,
    }
}

/// CJK ideographs and their punctuation: no space is written between them.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_words_join_without_spaces_between_chinese_and_low_confidence_is_dropped() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t91.5\t科普\n\
                   5\t1\t1\t1\t1\t2\t0\t0\t10\t10\t88.5\t签到表\n\
                   5\t1\t1\t1\t1\t3\t0\t0\t10\t10\t80\t2019\n\
                   5\t1\t1\t1\t2\t1\t0\t0\t10\t10\t12\t|\n\
                   5\t1\t1\t1\t2\t2\t0\t0\t10\t10\t90\t本次活动\n";
        let p = parse_tsv(tsv);
        assert_eq!(p.text, "科普签到表 2019\n本次活动");
        assert_eq!(p.words, 4);
        assert!((p.confidence - 87.5).abs() < 0.01, "{}", p.confidence);
    }
}
