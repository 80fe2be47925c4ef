//! Video capture dates that nom-exif does not give: QuickTime's own movie header (`mvhd`,
//! seconds since 1904 in UTC) and 3GPP's `udta/date`, separately from Apple's `creationdate`
//! key that nom-exif prefers; AVI's `IDIT` and `ICRD` chunks; and the recording time AVCHD
//! cameras put in the H.264 stream of an `.mts` (Sony/Panasonic `MDPM` SEI message).
//!
//! Each reader looks only at headers: the top-level boxes up to `moov`, the RIFF header lists
//! before `movi`, the first megabytes of a transport stream. A date found here goes through
//! the same placeholder check as every other date.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::extract::dates::vet;
use crate::extract::photo::parse_exif_time_text;
use crate::extract::Facts;
use crate::problem::{Code, Problem};

/// The dates of a QuickTime / ISO base media file's `moov`.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct QtDates {
    /// `mvhd` creation time (ExifTool's QuickTime:CreateDate), if set.
    pub(super) mvhd: Option<DateTime<FixedOffset>>,
    /// 3GPP `udta/date` (ExifTool's QuickTime:DateTimeOriginal), with the phone's offset.
    pub(super) udta_date: Option<DateTime<FixedOffset>>,
    /// Whether an `mvhd` was read at all (its date may have been refused).
    pub(super) seen_mvhd: bool,
}

/// Largest `moov` read from a file on disk to find its dates (phones write a few MB).
pub(super) const MAX_MOOV: u64 = 64 * 1024 * 1024;

/// Seconds from 1904-01-01 (QuickTime's epoch) to 1970-01-01.
const QT_EPOCH_OFFSET: i64 = 2_082_844_800;

/// The `moov` box's body among top-level boxes in memory.
pub(super) fn find_moov(d: &[u8]) -> Option<&[u8]> {
    boxes(d).find(|(kind, _)| kind == b"moov").map(|(_, b)| b)
}

/// Child boxes of a box body: (type, body). A size that runs past the end is cut to it.
fn boxes(d: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        if pos + 8 > d.len() {
            return None;
        }
        let size32 = u32::from_be_bytes(d[pos..pos + 4].try_into().ok()?) as u64;
        let kind: [u8; 4] = d[pos + 4..pos + 8].try_into().ok()?;
        let (header, size) = match size32 {
            0 => (8, (d.len() - pos) as u64),
            1 => (
                16,
                u64::from_be_bytes(d.get(pos + 8..pos + 16)?.try_into().ok()?),
            ),
            n => (8, n),
        };
        if size < header {
            return None;
        }
        let end = pos.saturating_add(usize::try_from(size).ok()?).min(d.len());
        let body = d.get(pos + header as usize..end)?;
        pos = end;
        Some((kind, body))
    })
}

/// Read `mvhd` and `udta/date` from a `moov` body. Placeholders are refused with a warning.
pub(super) fn quicktime(moov: &[u8], f: &mut Facts) -> QtDates {
    let mut out = QtDates::default();
    for (kind, body) in boxes(moov) {
        match &kind {
            b"mvhd" => {
                out.seen_mvhd = true;
                let secs = match body.first() {
                    Some(1) => body
                        .get(4..12)
                        .map(|b| u64::from_be_bytes(b.try_into().unwrap()) as i64),
                    Some(_) => body
                        .get(4..8)
                        .map(|b| u32::from_be_bytes(b.try_into().unwrap()) as i64),
                    None => None,
                };
                let t = secs
                    .and_then(|s| s.checked_sub(QT_EPOCH_OFFSET))
                    .and_then(|s| Utc.timestamp_opt(s, 0).single())
                    .map(|t| t.fixed_offset());
                out.mvhd = match t {
                    // Cameras with a flat clock battery count from 1904: nothing was filmed
                    // on a phone before 1971.
                    Some(t) if t.year() < 1971 => {
                        placeholder(f, "QuickTime CreateDate", t);
                        None
                    }
                    t => vet(f, "QuickTime CreateDate", t),
                };
            }
            b"udta" => {
                if let Some((_, date)) = boxes(body).find(|(k, _)| k == b"date") {
                    // Plain text, or a full box (version, flags, language) before it.
                    let start = date.iter().position(|b| b.is_ascii_digit()).unwrap_or(0);
                    let text = String::from_utf8_lossy(&date[start..]);
                    let t = parse_exif_time_text(&text, FixedOffset::east_opt(0).unwrap());
                    match t {
                        Some(t) => out.udta_date = vet(f, "QuickTime DateTimeOriginal", Some(t)),
                        None if !text.trim().is_empty() => f.problems.push(
                            Problem::new(Code::DateInvalid)
                                .with("tag", "QuickTime DateTimeOriginal")
                                .with("value", text.trim()),
                        ),
                        None => {}
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn placeholder(f: &mut Facts, tag: &str, t: DateTime<FixedOffset>) {
    f.problems.push(
        Problem::new(Code::DatePlaceholder)
            .with("tag", tag)
            .with("value", t.to_rfc3339()),
    );
}

/// AVI: `IDIT` (ExifTool's RIFF:DateTimeOriginal) in the header list, else `ICRD` in the INFO
/// list, both the camera's local time. Only the lists are entered, never `movi`.
pub(super) fn avi(
    d: &[u8],
    zone: FixedOffset,
    f: &mut Facts,
) -> Option<(DateTime<FixedOffset>, &'static str)> {
    let (mut idit, mut icrd) = (None, None);
    riff_walk(d.get(12..)?, 0, &mut |id, body| match id {
        b"IDIT" if idit.is_none() => idit = Some(body.to_vec()),
        b"ICRD" if icrd.is_none() => icrd = Some(body.to_vec()),
        _ => {}
    });
    for (raw, tag, source) in [
        (idit, "RIFF IDIT", "riff:IDIT"),
        (icrd, "RIFF ICRD", "riff:ICRD"),
    ] {
        let Some(raw) = raw else { continue };
        let text = String::from_utf8_lossy(&raw);
        let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
        if text.is_empty() {
            continue;
        }
        match riff_date(text, zone) {
            Some(t) => {
                if let Some(t) = vet(f, tag, Some(t)) {
                    return Some((t, source));
                }
            }
            None => f.problems.push(
                Problem::new(Code::DateInvalid)
                    .with("tag", tag)
                    .with("value", text),
            ),
        }
    }
    None
}

fn riff_walk(d: &[u8], depth: u8, visit: &mut impl FnMut(&[u8], &[u8])) {
    let mut pos = 0usize;
    while pos + 8 <= d.len() {
        let id = &d[pos..pos + 4];
        let size = u32::from_le_bytes(d[pos + 4..pos + 8].try_into().unwrap()) as usize;
        let end = (pos + 8).saturating_add(size).min(d.len());
        let body = &d[pos + 8..end];
        if id == b"LIST" && body.len() >= 4 {
            let kind = &body[..4];
            if depth < 3 && (kind == b"hdrl" || kind == b"INFO") {
                riff_walk(&body[4..], depth + 1, visit);
            }
        } else {
            visit(id, body);
        }
        pos = end + (size & 1);
    }
}

/// `IDIT` as cameras write it: C's `ctime` (`Mon Mar 03 09:44:56 2003`) or EXIF-like
/// (`2003:03:03 09:44:56`); `ICRD` is often a date alone.
fn riff_date(text: &str, zone: FixedOffset) -> Option<DateTime<FixedOffset>> {
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Ok(n) = NaiveDateTime::parse_from_str(&words, "%a %b %d %H:%M:%S %Y") {
        return zone.from_local_datetime(&n).single();
    }
    if let Some(t) = parse_exif_time_text(text, zone) {
        return Some(t);
    }
    let d = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y:%m:%d"))
        .ok()?;
    zone.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single()
}

/// The part of a transport stream searched for the recording time.
pub(super) const MTS_HEAD: usize = 4 * 1024 * 1024;

/// The `MDPM` SEI message (user data unregistered, UUID `17ee8c60-f84d-11d9-8cd6-0800200c9a66`)
/// that AVCHD cameras repeat in the H.264 stream: tag 0x18 holds a zone byte, the year and the
/// month, tag 0x19 day, hour, minute and second, all BCD. The zone byte (as ExifTool reads it):
/// bit 0x20 the sign, bits 0x1E the hours, bit 0x01 half an hour; bit 0x80 set means no zone.
pub(super) fn mts(head: &[u8], zone: FixedOffset, f: &mut Facts) -> Option<DateTime<FixedOffset>> {
    const UUID: [u8; 16] = [
        0x17, 0xee, 0x8c, 0x60, 0xf8, 0x4d, 0x11, 0xd9, 0x8c, 0xd6, 0x08, 0x00, 0x20, 0x0c, 0x9a,
        0x66,
    ];
    let at = memchr::memmem::find(head, &UUID)?;
    let d = head.get(at + 16..)?;
    let d = d.strip_prefix(b"MDPM")?;
    let n = *d.first()? as usize;
    let (mut ymd, mut hms) = (None, None);
    for i in 0..n {
        let e = d.get(1 + i * 5..1 + i * 5 + 5)?;
        match e[0] {
            0x18 => ymd = Some([e[1], e[2], e[3], e[4]]),
            0x19 => hms = Some([e[1], e[2], e[3], e[4]]),
            _ => {}
        }
    }
    let (ymd, hms) = (ymd?, hms?);
    let bcd = |b: u8| -> Option<u32> {
        let (hi, lo) = (b >> 4, b & 0x0F);
        (hi < 10 && lo < 10).then_some((hi * 10 + lo) as u32)
    };
    let year = bcd(ymd[1])? * 100 + bcd(ymd[2])?;
    let naive = NaiveDate::from_ymd_opt(year as i32, bcd(ymd[3])?, bcd(hms[0])?)?.and_hms_opt(
        bcd(hms[1])?,
        bcd(hms[2])?,
        bcd(hms[3])?,
    )?;
    let tz = ymd[0];
    let offset = if tz & 0x80 != 0 {
        zone
    } else {
        let secs = ((tz >> 1) & 0x0F) as i32 * 3600 + (tz & 1) as i32 * 1800;
        FixedOffset::east_opt(if tz & 0x20 != 0 { -secs } else { secs })?
    };
    vet(
        f,
        "H264 DateTimeOriginal",
        offset.from_local_datetime(&naive).single(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn riff_date_forms() {
        let cst = FixedOffset::east_opt(8 * 3600).unwrap();
        let p = |s: &str| riff_date(s, cst).map(|t| t.to_rfc3339());
        assert_eq!(
            p("Mon Mar  3 09:44:56 2003"),
            Some("2003-03-03T09:44:56+08:00".into())
        );
        assert_eq!(
            p("2005:08:13 10:21:14"),
            Some("2005-08-13T10:21:14+08:00".into())
        );
        assert_eq!(p("2003-03-03"), Some("2003-03-03T00:00:00+08:00".into()));
        assert_eq!(p("someday"), None);
    }
}
