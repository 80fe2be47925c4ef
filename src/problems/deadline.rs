//! Deadlines (整改时限) as offices write them: an Excel date (shown as 2020-06-30, or a bare
//! serial number when the cell was not formatted as a date), 2020-06-30, 2020/6/30, 2020.6.30,
//! 2020年6月30日, with 前/之前/完成 after it, a month's end (2020年6月底, 6月底前), a year's end
//! (年底前). A date without its year takes the list's year (`--year`, else the title's).

use chrono::{Datelike, NaiveDate};

/// Why a deadline could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineError {
    /// Not a date in any form above.
    Unreadable,
    /// A month and day, but no year to put them in.
    NoYear,
}

/// Words that say a problem is rectified continuously: no date, never overdue.
const ONGOING: &[&str] = &["长期坚持", "持续推进", "持续整改", "长期", "常态化"];

/// Words after the date that do not change it.
const TAILS: &[&str] = &[
    "之前完成",
    "以前完成",
    "前完成",
    "底前",
    "末前",
    "之前",
    "以前",
    "前",
    "完成",
    "截止",
    "止",
];

/// Excel's day 0 (its serials count from 1899-12-30, taking 1900 as a leap year).
fn excel_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date")
}

fn month_end(year: i32, month: u32) -> Option<NaiveDate> {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }?;
    first_next.pred_opt()
}

/// The deadline in `text`; `Ok(None)` when the cell is empty or says the work is ongoing.
pub fn parse(text: &str, year: Option<i32>) -> Result<Option<NaiveDate>, DeadlineError> {
    let t = text.trim();
    // An Excel date-time cell shown with its time: the day is what counts.
    let t = match (t.as_bytes().get(4), t.as_bytes().get(10), t.get(..10)) {
        (Some(b'-'), Some(b' ' | b'T'), Some(day)) => day,
        _ => t,
    };
    let s: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    if s.is_empty() || ONGOING.iter().any(|w| s.starts_with(w)) {
        return Ok(None);
    }
    let s = ["截止", "截至", "于"]
        .iter()
        .fold(s.as_str(), |s, p| s.strip_prefix(p).unwrap_or(s));
    let s = s.trim_end_matches(['。', '.', '，', ',']).to_string();
    // A bare serial number: a date cell that lost its format (44012 = 2020-06-30).
    let whole = s.split('.').next().unwrap_or("");
    if (5..=5).contains(&whole.len())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && s[whole.len()..]
            .trim_start_matches('.')
            .bytes()
            .all(|b| b == b'0')
    {
        let n: i64 = whole.parse().map_err(|_| DeadlineError::Unreadable)?;
        return excel_epoch()
            .checked_add_signed(chrono::Duration::days(n))
            .map(Some)
            .ok_or(DeadlineError::Unreadable);
    }
    let mut core = s.as_str();
    // "2020年6月底前": the month's end; strip what follows the date, repeatedly.
    let mut month_end_said = false;
    loop {
        let before = core;
        for t in TAILS {
            if let Some(rest) = core.strip_suffix(t) {
                if matches!(*t, "底前" | "末前") {
                    month_end_said = true;
                }
                core = rest;
            }
        }
        for t in ["底", "末"] {
            if let Some(rest) = core.strip_suffix(t) {
                month_end_said = true;
                core = rest;
            }
        }
        if core == before {
            break;
        }
    }
    if core.contains(['年', '月', '日', '号']) || core.is_empty() {
        return chinese(core, year, month_end_said);
    }
    if month_end_said {
        return Err(DeadlineError::Unreadable);
    }
    numeric(core)
}

/// 2020-06-30, 2020/6/30, 2020.6.30 (and 2020-06-30 00:00:00 with its time cut above).
fn numeric(s: &str) -> Result<Option<NaiveDate>, DeadlineError> {
    let s = s.split(' ').next().unwrap_or(s);
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    let num = |p: &str| -> Result<u32, DeadlineError> {
        if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DeadlineError::Unreadable);
        }
        p.parse().map_err(|_| DeadlineError::Unreadable)
    };
    match parts.as_slice() {
        // 20200630, as some clerks type a date into a text cell.
        [ymd]
            if ymd.len() == 8
                && ymd.starts_with("20")
                && ymd.bytes().all(|b| b.is_ascii_digit()) =>
        {
            NaiveDate::from_ymd_opt(num(&ymd[..4])? as i32, num(&ymd[4..6])?, num(&ymd[6..])?)
                .map(Some)
                .ok_or(DeadlineError::Unreadable)
        }
        [y, m, d] if y.len() == 4 => NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, num(d)?)
            .map(Some)
            .ok_or(DeadlineError::Unreadable),
        [y, m] if y.len() == 4 => month_end(num(y)? as i32, num(m)?)
            .map(Some)
            .ok_or(DeadlineError::Unreadable),
        _ => Err(DeadlineError::Unreadable),
    }
}

/// 2020年6月30日, 6月30日, 2020年6月 (its end), 2020年 or 年 (after 底: the year's end).
fn chinese(s: &str, year: Option<i32>, end: bool) -> Result<Option<NaiveDate>, DeadlineError> {
    let mut y: Option<i32> = None;
    let mut m: Option<u32> = None;
    let mut d: Option<u32> = None;
    let mut digits = String::new();
    for c in s.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '０'..='９' => digits.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
            '年' | '月' | '日' | '号' => {
                let n: Option<u32> = digits.parse().ok();
                digits.clear();
                match (c, n) {
                    ('年', Some(n)) if (2000..=2100).contains(&n) => y = Some(n as i32),
                    // "年底" with the year left to the list.
                    ('年', None) => {}
                    ('月', Some(n)) if (1..=12).contains(&n) => m = Some(n),
                    ('日' | '号', Some(n)) if (1..=31).contains(&n) => d = Some(n),
                    _ => return Err(DeadlineError::Unreadable),
                }
            }
            _ => return Err(DeadlineError::Unreadable),
        }
    }
    if !digits.is_empty() || (m.is_none() && !end) || (d.is_some() && m.is_none()) {
        return Err(DeadlineError::Unreadable);
    }
    let y = y.or(year).ok_or(DeadlineError::NoYear)?;
    let date = match (m, d) {
        (Some(m), Some(d)) => NaiveDate::from_ymd_opt(y, m, d),
        (Some(m), None) => month_end(y, m),
        (None, _) => NaiveDate::from_ymd_opt(y, 12, 31),
    };
    date.map(Some).ok_or(DeadlineError::Unreadable)
}

/// The year a list is about, from its title rows (2020年…整改清单): the first 20xx in them.
pub fn year_in(title: &str) -> Option<i32> {
    let b = title.as_bytes();
    (0..b.len().saturating_sub(3)).find_map(|i| {
        let w = &b[i..i + 4];
        let boundary = |j: Option<&u8>| j.is_none_or(|c| !c.is_ascii_digit());
        (w[0] == b'2'
            && w[1] == b'0'
            && w[2..].iter().all(u8::is_ascii_digit)
            && boundary(i.checked_sub(1).and_then(|j| b.get(j)))
            && boundary(b.get(i + 4)))
        .then(|| std::str::from_utf8(w).ok()?.parse().ok())
        .flatten()
    })
}

/// The as-of date typed on the command line (any full date form above).
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    parse(text, None).ok().flatten()
}

/// A date as the ledger writes it.
pub fn ymd(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}
