//! RTF text and properties: what Word and WPS write with "Save as RTF".
//!
//! Chinese RTF carries its text either as code-page bytes (`\ansicpg936` then `\'b2\'e2`) or as
//! Unicode (`\u27979\'3f`, the `\'3f` being the fallback to skip). Both are decoded here with a
//! single pass and an explicit group stack (no recursion, so deep nesting cannot overflow the
//! stack); font tables, pictures, field instructions and other destinations are skipped.

use crate::problem::{Code, Problem};
use chrono::NaiveDate;
use encoding_rs::Encoding;

use super::set_doc_created;
use crate::extract::{Facts, Limits};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dest {
    Body,
    Title,
    Author,
    Created,
    Skip,
}

#[derive(Debug, Clone, Copy)]
struct Group {
    dest: Dest,
    /// Fallback characters that follow each `\uN`.
    uc: usize,
}

/// Destinations whose content is not document text.
const SKIPPED: &[&str] = &[
    "fonttbl",
    "colortbl",
    "stylesheet",
    "listtable",
    "listoverridetable",
    "pict",
    "object",
    "objdata",
    "themedata",
    "colorschememapping",
    "datastore",
    "latentstyles",
    "rsidtbl",
    "generator",
    "xmlnstbl",
    "fldinst",
    "bkmkstart",
    "bkmkend",
    "pn",
    "filetbl",
    "revtbl",
    "operator",
    "company",
    "subject",
    "keywords",
    "comment",
    "doccomm",
    "hlinkbase",
    "category",
    "manager",
    "revtim",
    "printim",
    "buptim",
    "userprops",
    "mmathPr",
    "wgrffmtfilter",
    "pgdsctbl",
    "private",
    "nonshppict",
    "blipuid",
    "panose",
    "falt",
    "fname",
    "sp",
    "sn",
    "sv",
    "shpinst",
];

fn codepage(cp: i64) -> &'static Encoding {
    let label = match cp {
        936 => "gbk",
        54936 => "gb18030",
        950 => "big5",
        932 => "shift_jis",
        949 => "euc-kr",
        65001 => "utf-8",
        1250 => "windows-1250",
        1251 => "windows-1251",
        1253 => "windows-1253",
        1254 => "windows-1254",
        1255 => "windows-1255",
        1256 => "windows-1256",
        _ => "windows-1252",
    };
    Encoding::for_label(label.as_bytes()).unwrap_or(encoding_rs::WINDOWS_1252)
}

struct Out {
    body: String,
    title: String,
    author: String,
    created: [i64; 5],
}

impl Out {
    fn push(&mut self, dest: Dest, s: &str) {
        match dest {
            Dest::Body => self.body.push_str(s),
            Dest::Title => self.title.push_str(s),
            Dest::Author => self.author.push_str(s),
            Dest::Created | Dest::Skip => {}
        }
    }
}

pub fn extract(data: &[u8], limits: &Limits, f: &mut Facts) {
    if !data.starts_with(b"{\\rtf") {
        f.problems.push(Problem::detail(
            Code::ContainerInvalid,
            "not a valid RTF: the file does not start with {\\rtf",
        ));
        return;
    }
    let mut enc = encoding_rs::WINDOWS_1252;
    let mut stack: Vec<Group> = Vec::new();
    let mut g = Group {
        dest: Dest::Body,
        uc: 1,
    };
    let mut pending: Vec<u8> = Vec::new();
    let mut to_skip = 0usize;
    let mut out = Out {
        body: String::new(),
        title: String::new(),
        author: String::new(),
        created: [0; 5],
    };
    let mut i = 0;
    // A group that opens with `\*` is an ignorable destination.
    let mut group_start = false;

    macro_rules! flush {
        () => {
            if !pending.is_empty() {
                let (s, _) = enc.decode_without_bom_handling(&pending);
                out.push(g.dest, &s);
                pending.clear();
            }
        };
    }

    while i < data.len() {
        if out.body.len() > limits.text_cap {
            break;
        }
        let c = data[i];
        match c {
            b'{' => {
                flush!();
                if stack.len() < 2000 {
                    stack.push(g);
                } else {
                    g.dest = Dest::Skip;
                    stack.push(g);
                }
                group_start = true;
                to_skip = 0;
                i += 1;
                continue;
            }
            b'}' => {
                flush!();
                if let Some(prev) = stack.pop() {
                    g = prev;
                }
                to_skip = 0;
                i += 1;
            }
            b'\\' => {
                let Some(&n) = data.get(i + 1) else { break };
                if n == b'\'' {
                    let hex = data
                        .get(i + 2..i + 4)
                        .and_then(|h| std::str::from_utf8(h).ok());
                    let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
                    i += 4;
                    if to_skip > 0 {
                        to_skip -= 1;
                    } else if let Some(b) = byte {
                        pending.push(b);
                    }
                } else if n.is_ascii_alphabetic() {
                    flush!();
                    let start = i + 1;
                    let mut j = start;
                    while j < data.len() && data[j].is_ascii_alphabetic() && j - start < 32 {
                        j += 1;
                    }
                    let word = std::str::from_utf8(&data[start..j]).unwrap_or("");
                    let pstart = j;
                    if j < data.len() && data[j] == b'-' {
                        j += 1;
                    }
                    while j < data.len() && data[j].is_ascii_digit() && j - pstart < 11 {
                        j += 1;
                    }
                    let param: Option<i64> = std::str::from_utf8(&data[pstart..j])
                        .ok()
                        .and_then(|p| p.parse().ok());
                    if j < data.len() && data[j] == b' ' {
                        j += 1;
                    }
                    i = j;
                    if to_skip > 0 {
                        to_skip -= 1;
                        group_start = false;
                        continue;
                    }
                    control_word(
                        word,
                        param,
                        &mut g,
                        group_start,
                        &mut enc,
                        &mut out,
                        &mut to_skip,
                    );
                } else {
                    i += 2;
                    match n {
                        b'*' => g.dest = Dest::Skip,
                        b'\\' | b'{' | b'}' => {
                            if to_skip > 0 {
                                to_skip -= 1;
                            } else {
                                pending.push(n);
                            }
                        }
                        b'~' => pending.push(b' '),
                        b'_' => pending.push(b'-'),
                        b'\n' | b'\r' => {
                            flush!();
                            out.push(g.dest, "\n");
                        }
                        _ => {}
                    }
                }
            }
            b'\r' | b'\n' => i += 1,
            _ => {
                if to_skip > 0 {
                    to_skip -= 1;
                } else {
                    pending.push(c);
                }
                i += 1;
            }
        }
        group_start = false;
    }
    flush!();

    let clean = |s: &str| {
        let t = s.trim().trim_end_matches(';').trim();
        (!t.is_empty()).then(|| t.to_string())
    };
    f.title = clean(&out.title);
    f.author = clean(&out.author);
    let [y, mo, d, h, mi] = out.created;
    if y >= 1900 {
        let t = NaiveDate::from_ymd_opt(y as i32, mo.max(1) as u32, d.max(1) as u32)
            .and_then(|date| date.and_hms_opt(h as u32, mi as u32, 0))
            .and_then(|n| n.and_local_timezone(limits.default_offset).single());
        if let Some(t) = t {
            set_doc_created(f, t, "rtf:creatim");
        }
    }
    f.set_text(out.body, limits.text_cap);
}

fn control_word(
    word: &str,
    param: Option<i64>,
    g: &mut Group,
    group_start: bool,
    enc: &mut &'static Encoding,
    out: &mut Out,
    to_skip: &mut usize,
) {
    match word {
        "par" | "line" | "row" | "sect" | "page" => out.push(g.dest, "\n"),
        "tab" | "cell" => out.push(g.dest, "\t"),
        "emdash" => out.push(g.dest, "—"),
        "endash" => out.push(g.dest, "–"),
        "lquote" => out.push(g.dest, "‘"),
        "rquote" => out.push(g.dest, "’"),
        "ldblquote" => out.push(g.dest, "“"),
        "rdblquote" => out.push(g.dest, "”"),
        "bullet" => out.push(g.dest, "•"),
        "u" => {
            if let Some(p) = param {
                let code = if p < 0 { p + 65536 } else { p };
                if let Some(ch) = u32::try_from(code).ok().and_then(char::from_u32) {
                    let mut b = [0u8; 4];
                    out.push(g.dest, ch.encode_utf8(&mut b));
                }
                *to_skip = g.uc;
            }
        }
        "uc" => g.uc = param.unwrap_or(1).clamp(0, 10) as usize,
        "ansicpg" => {
            if let Some(cp) = param {
                *enc = codepage(cp);
            }
        }
        "title" if group_start => g.dest = Dest::Title,
        "author" if group_start => g.dest = Dest::Author,
        "creatim" if group_start => g.dest = Dest::Created,
        "yr" | "mo" | "dy" | "hr" | "min" if g.dest == Dest::Created => {
            let k = ["yr", "mo", "dy", "hr", "min"]
                .iter()
                .position(|w| *w == word)
                .unwrap_or(0);
            out.created[k] = param.unwrap_or(0).clamp(0, 9999);
        }
        "info" if group_start => g.dest = Dest::Skip,
        w if group_start && SKIPPED.contains(&w) => g.dest = Dest::Skip,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::media;

    #[test]
    fn chinese_rtf_in_code_page_and_unicode() {
        let data = media::rtf(
            "活动总结",
            "玉树州科协",
            &["玉树州科普活动总结", "参加人数：三百人"],
        );
        let mut f = Facts::default();
        extract(&data, &Limits::default(), &mut f);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let text = f.text.unwrap();
        assert!(text.contains("玉树州科普活动总结"), "{text}");
        assert!(text.contains("参加人数：三百人"), "{text}");
        assert!(
            !text.contains("SimSun") && !text.contains('?'),
            "font table or fallback leaked: {text}"
        );
        assert_eq!(f.title.as_deref(), Some("活动总结"));
        assert_eq!(f.author.as_deref(), Some("玉树州科协"));
        assert_eq!(
            f.doc_created.unwrap().to_rfc3339(),
            "2019-03-15T10:30:00+08:00"
        );
    }

    #[test]
    fn deep_nesting_and_cut_files_do_not_fail() {
        let mut deep = b"{\\rtf1 ".to_vec();
        deep.extend(std::iter::repeat_n(b'{', 100_000));
        deep.extend_from_slice(b"text\\'");
        let mut f = Facts::default();
        extract(&deep, &Limits::default(), &mut f);
        assert!(f.problems.is_empty());
        let full = media::rtf("t", "a", &["科普"]);
        for k in 0..full.len() {
            let mut f = Facts::default();
            extract(&full[..k], &Limits::default(), &mut f);
        }
    }
}
