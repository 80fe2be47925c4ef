//! EXIF times: which of the three date tags is the capture time, in which zone, with which
//! fraction of a second, and the one parser of UTC offsets (`+08:00`) the whole crate uses.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike};
use exif::Tag;

use super::exif_block::{ascii_bytes, Meta};
use super::{Facts, Limits};
use crate::extract::dates::{is_zero_text, vet, zero_date};
use crate::problem::{Code, Problem};

/// The three EXIF times, each with its sub-second and offset companions, and its rank among
/// all capture-date sources (see [`RANKS`]).
struct TimeTag {
    tag: Tag,
    subsec: Tag,
    offset: Tag,
    source: &'static str,
}

const TIME_TAGS: [TimeTag; 3] = [
    TimeTag {
        tag: Tag::DateTimeOriginal,
        subsec: Tag::SubSecTimeOriginal,
        offset: Tag::OffsetTimeOriginal,
        source: "exif:DateTimeOriginal",
    },
    TimeTag {
        tag: Tag::DateTimeDigitized,
        subsec: Tag::SubSecTimeDigitized,
        offset: Tag::OffsetTimeDigitized,
        source: "exif:CreateDate",
    },
    TimeTag {
        tag: Tag::DateTime,
        subsec: Tag::SubSecTime,
        offset: Tag::OffsetTime,
        source: MODIFY_DATE,
    },
];

/// IFD0 DateTime: when the file was last changed, which may be the capture time or an edit
/// years later. Taken as the capture time only when nothing else dates the photo, and then
/// labelled (the source says so, and a note is recorded).
pub(crate) const MODIFY_DATE: &str = "exif:ModifyDate";

/// Capture-date sources, most trusted first, as ExifTool reads them: the time the shutter
/// fired (EXIF DateTimeOriginal, its XMP copy), the creation date editors keep in XMP and IPTC
/// (Photoshop moves it there and may drop the EXIF one), the digitizing time, XMP's
/// CreateDate, and last the modification time.
pub(super) const RANKS: [&str; 7] = [
    "exif:DateTimeOriginal",
    "xmp:DateTimeOriginal",
    "xmp:DateCreated",
    "iptc:DateCreated",
    "exif:CreateDate",
    "xmp:CreateDate",
    MODIFY_DATE,
];

/// One capture date found in the photo's metadata.
pub(super) struct Found {
    pub(super) t: DateTime<FixedOffset>,
    pub(super) source: &'static str,
}

/// The three EXIF times as capture-date candidates.
///
/// The offset comes from the OffsetTime* tag that belongs to each time; without one (EXIF
/// before 2.31, i.e. nearly every camera before 2017) the configured zone is assumed. The
/// assumption is deliberately not written into `captured_at_source`: that field names the tag,
/// stays a small fixed vocabulary that can be faceted and compared, and an assumed zone is the
/// normal case for this evidence rather than a finding. Placeholder dates (all zeros, the
/// epochs, a clock ahead of the run) are dropped with a warning.
pub(super) fn exif_times(exif: &Meta, limits: &Limits, f: &mut Facts, found: &mut Vec<Found>) {
    // Cameras with an unset clock zero all three tags: one warning says so, not three.
    let mut zeros: Vec<(String, String)> = Vec::new();
    for t in TIME_TAGS.iter() {
        let Some(raw) = ascii_bytes(exif, t.tag) else {
            continue;
        };
        let label = format!("EXIF {}", tag_name(t.tag));
        match parse_exif_time(raw) {
            Ok(None) => {
                let text = String::from_utf8_lossy(raw);
                if is_zero_text(&text) {
                    zeros.push((tag_name(t.tag), text.into_owned()));
                }
            }
            Ok(Some((naive, inline_offset))) => {
                let naive = match ascii_bytes(exif, t.subsec).and_then(parse_subsec) {
                    Some(nanos) if naive.and_utc().timestamp_subsec_nanos() == 0 => {
                        naive.with_nanosecond(nanos).unwrap_or(naive)
                    }
                    _ => naive,
                };
                let offset = match ascii_bytes(exif, t.offset).map(parse_offset) {
                    Some(Ok(Some(o))) => o,
                    Some(Err(bad)) => {
                        f.problems.push(
                            Problem::new(Code::OffsetInvalid)
                                .with("tag", format!("EXIF {}", tag_name(t.offset)))
                                .with("value", bad),
                        );
                        inline_offset.unwrap_or(limits.default_offset)
                    }
                    _ => inline_offset.unwrap_or(limits.default_offset),
                };
                match offset.from_local_datetime(&naive).single() {
                    Some(dt) => {
                        if let Some(dt) = vet(f, &label, Some(dt)) {
                            found.push(Found {
                                t: dt,
                                source: t.source,
                            });
                        }
                    }
                    None => f.problems.push(
                        Problem::new(Code::DateInvalid)
                            .with("tag", label)
                            .with("value", show(raw)),
                    ),
                }
            }
            Err(()) => f.problems.push(
                Problem::new(Code::DateInvalid)
                    .with("tag", label)
                    .with("value", show(raw)),
            ),
        }
    }
    if let Some((_, value)) = zeros.first() {
        let names: Vec<&str> = zeros.iter().map(|(n, _)| n.as_str()).collect();
        zero_date(f, &format!("EXIF {}", names.join(", ")), value);
    }
}

/// Choose the capture time among all candidates by [`RANKS`]. `modified_at` is EXIF's
/// ModifyDate, set only when the capture time came from another tag, so that capture and
/// modify time stay two independent statements. A capture time that is only the ModifyDate
/// gets a note saying it is the weaker last-modified time.
pub(super) fn settle(found: Vec<Found>, f: &mut Facts) {
    let rank = |s: &str| RANKS.iter().position(|r| *r == s).unwrap_or(RANKS.len());
    let Some(best) = found.iter().min_by_key(|c| rank(c.source)) else {
        return;
    };
    f.captured_at = Some(best.t);
    f.captured_at_source = Some(best.source.to_string());
    if best.source == MODIFY_DATE {
        f.problems.push(Problem::new(Code::DateIsModifyDate));
    } else {
        f.modified_at = found.iter().find(|c| c.source == MODIFY_DATE).map(|c| c.t);
    }
}

fn tag_name(tag: Tag) -> String {
    match tag {
        Tag::DateTimeDigitized => "CreateDate (DateTimeDigitized)".into(),
        Tag::DateTime => "ModifyDate (DateTime)".into(),
        other => other.to_string(),
    }
}

/// Raw bytes shown to a user: text if printable, else a short hex dump.
pub(super) fn show(raw: &[u8]) -> String {
    let raw = &raw[..raw.len().min(40)];
    match std::str::from_utf8(raw) {
        Ok(s) if s.chars().all(|c| !c.is_control()) => format!("\"{s}\""),
        _ => raw
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Parse an EXIF date-time. `Ok(None)` means the camera said "unknown" (blank, all zeros, or
/// only separators); `Err` means something is there but it is not a date.
///
/// Accepted beyond the standard `YYYY:MM:DD HH:MM:SS`: `-` or `/` as date separators, `T`
/// between date and time, missing seconds, and a trailing `Z` or `±HH:MM` (some editors
/// write the zone into the date itself).
pub(crate) fn parse_exif_time(
    raw: &[u8],
) -> Result<Option<(NaiveDateTime, Option<FixedOffset>)>, ()> {
    let text = std::str::from_utf8(raw).map_err(|_| ())?;
    let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    if text.chars().all(|c| c == '0' || !c.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    let (main, offset) = split_inline_offset(text)?;
    let nums: Vec<&str> = main
        .split([':', '-', '/', ' ', 'T', '.'])
        .filter(|s| !s.is_empty())
        .collect();
    if nums.len() < 5 || !nums.iter().all(|n| n.bytes().all(|b| b.is_ascii_digit())) {
        return Err(());
    }
    let num = |i: usize| -> Result<u32, ()> { nums[i].parse::<u32>().map_err(|_| ()) };
    let (y, mo, d, h, mi) = (num(0)?, num(1)?, num(2)?, num(3)?, num(4)?);
    let s = if nums.len() > 5 { num(5)? } else { 0 };
    if nums[0].len() != 4 {
        return Err(());
    }
    // Year, month or day zero with a real time is still "date unknown" to the camera.
    if y == 0 || mo == 0 || d == 0 {
        return Ok(None);
    }
    let date = NaiveDate::from_ymd_opt(y as i32, mo, d).ok_or(())?;
    let time = NaiveTime::from_hms_opt(h, mi, s).ok_or(())?;
    let mut naive = date.and_time(time);
    // A fraction written into the time itself ("10:33:20.009").
    if nums.len() > 6 && main.contains('.') {
        if let Some(nanos) = parse_subsec(nums[6].as_bytes()) {
            naive = naive.with_nanosecond(nanos).unwrap_or(naive);
        }
    }
    Ok(Some((naive, offset)))
}

/// A date-time written as text in any form [`parse_exif_time`] accepts, in its own zone or
/// else `zone`; `None` when blank, zero or not a date.
pub(crate) fn parse_exif_time_text(text: &str, zone: FixedOffset) -> Option<DateTime<FixedOffset>> {
    let (naive, offset) = parse_exif_time(text.as_bytes()).ok()??;
    offset.unwrap_or(zone).from_local_datetime(&naive).single()
}

fn split_inline_offset(text: &str) -> Result<(&str, Option<FixedOffset>), ()> {
    if let Some(main) = text.strip_suffix('Z') {
        return Ok((main, FixedOffset::east_opt(0)));
    }
    // Only look after the date part, whose own '-' separators are not a zone.
    // Bytes, not a str slice: byte 19 of a damaged value may fall inside a multi-byte
    // character (fuzzing found one), and '+' and '-' are always character boundaries.
    if text.len() > 19 {
        if let Some(rel) = text.as_bytes()[19..]
            .iter()
            .position(|b| *b == b'+' || *b == b'-')
        {
            let at = 19 + rel;
            let zone = parse_offset(&text.as_bytes()[at..]).map_err(|_| ())?;
            return Ok((&text[..at], zone));
        }
    }
    Ok((text, None))
}

/// `SubSecTime*`: digits are a decimal fraction of a second ("09" = 0.09 s).
fn parse_subsec(raw: &[u8]) -> Option<u32> {
    let digits: Vec<u8> = raw
        .iter()
        .copied()
        .take_while(|b| b.is_ascii_digit())
        .take(9)
        .collect();
    if digits.is_empty() {
        return None;
    }
    let mut nanos: u32 = 0;
    for i in 0..9 {
        nanos = nanos * 10 + digits.get(i).map(|b| (b - b'0') as u32).unwrap_or(0);
    }
    Some(nanos)
}

/// `OffsetTime*` (`+08:00`). `Ok(None)` when blank; `Err` carries the shown value.
pub(super) fn parse_offset(raw: &[u8]) -> Result<Option<FixedOffset>, String> {
    let text = std::str::from_utf8(raw).map_err(|_| show(raw))?;
    let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    if text.is_empty() || text.chars().all(|c| c == ':') {
        return Ok(None);
    }
    parse_utc_offset(text)
        .map(Some)
        .ok_or_else(|| format!("\"{text}\""))
}

/// A UTC offset as cameras, editors and people write it: `+08:00`, `-05:30`, `+0800`, `+08`,
/// `+8`, `Z`. Surrounding blanks and NUL padding are ignored; `None` for anything else
/// (no sign, more than 14 hours, minutes over 59).
///
/// The one parser for both EXIF `OffsetTime*` and `config.toml`'s `[time] default_offset`, so
/// that a zone the configuration accepts is a zone a photo may carry, and the reverse.
pub fn parse_utc_offset(text: &str) -> Option<FixedOffset> {
    let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    if text == "Z" || text == "z" {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some(hm) => hm,
        // get(): a 4-byte value may hold a multi-byte character where the split falls.
        None if rest.len() == 4 => (rest.get(..2)?, rest.get(2..)?),
        None if rest.len() <= 2 => (rest, "0"),
        None => return None,
    };
    let number = |s: &str| -> Option<i32> {
        let digits = !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
        digits.then(|| s.parse().ok()).flatten()
    };
    let (h, m) = (number(h)?, number(m)?);
    if h > 14 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}
