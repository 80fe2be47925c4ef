//! Video metadata (MP4, MOV, 3GP, M4V, and Matroska/WebM where it helps) through nom-exif:
//! creation time, duration, pixel size, make/model and GPS.
//!
//! Inspectors want each video's date and place. The boxes that hold them sit in `moov`, often
//! at the end of a multi-gigabyte file, so a large file is read through a seekable source and
//! never loaded whole. Containers nom-exif does not read (AVI, MPEG-PS, FLV, AVCHD `.mts`) are
//! catalogued and hashed with a note saying why nothing was read, which is not an error.
//!
//! Time: QuickTime's `mvhd` creation time is UTC by definition. The instant is kept exactly and
//! shown in the configured zone (`Limits::default_offset`, UTC+8), so that a video filmed on
//! the evening of 31 December in Xining files under that year and day, as its photos do.
//! Apple's `com.apple.quicktime.creationdate` carries the phone's own offset and is kept with it.

use crate::problem::{Code, Problem};
use std::path::Path;

mod dates;

use chrono::{DateTime, Datelike, FixedOffset};
use nom_exif::{EntryValue, MediaParser, MediaSource, TrackInfo, TrackInfoTag};

use super::{Facts, Limits};
use crate::record::{Camera, Gps};

/// Containers nom-exif has no reader for: say so instead of failing.
fn unsupported(head: &[u8]) -> Option<&'static str> {
    if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"AVI " {
        Some("AVI")
    } else if head.starts_with(b"\x00\x00\x01\xBA") || head.starts_with(b"\x00\x00\x01\xB3") {
        Some("MPEG program stream")
    } else if head.starts_with(b"FLV") {
        Some("Flash video (FLV)")
    } else if (head.len() > 188 && head[0] == 0x47 && head[188] == 0x47)
        || (head.len() > 196 && head[4] == 0x47 && head[196] == 0x47)
    {
        Some("MPEG transport stream (AVCHD .mts/.m2ts)")
    } else {
        None
    }
}

fn note_unsupported(kind: &str, f: &mut Facts) {
    f.text_status = Some(if f.captured_at.is_some() {
        format!(
            "only the capture date read: the {kind} container's other metadata is not supported"
        )
    } else {
        format!(
            "no video metadata read: the {kind} container is not supported; the file is catalogued and hashed only"
        )
    });
}

/// The capture date of a container nom-exif does not read (AVI, AVCHD), from its head.
fn unsupported_dates(kind: &str, head: &[u8], limits: &Limits, f: &mut Facts) {
    let found = if kind == "AVI" {
        dates::avi(head, limits.default_offset, f)
    } else if kind.starts_with("MPEG transport") {
        dates::mts(
            &head[..head.len().min(dates::MTS_HEAD)],
            limits.default_offset,
            f,
        )
        .map(|t| (t, "h264:DateTimeOriginal"))
    } else {
        None
    };
    if let Some((t, source)) = found {
        f.captured_at = Some(t);
        f.captured_at_source = Some(source.into());
    }
}

/// Read video metadata from bytes already in memory.
pub fn extract_bytes(data: &[u8], limits: &Limits, f: &mut Facts) {
    extract_buffer(bytes::Bytes::copy_from_slice(data), limits, f)
}

/// As [`extract_bytes`], for a file already read into shared memory: the parser is handed the
/// buffer itself. Copying each video for it was 1 % of the instructions of a cold index.
pub fn extract_shared(data: std::sync::Arc<Vec<u8>>, limits: &Limits, f: &mut Facts) {
    struct Shared(std::sync::Arc<Vec<u8>>);
    impl AsRef<[u8]> for Shared {
        fn as_ref(&self) -> &[u8] {
            &self.0
        }
    }
    extract_buffer(bytes::Bytes::from_owner(Shared(data)), limits, f)
}

fn extract_buffer(buffer: bytes::Bytes, limits: &Limits, f: &mut Facts) {
    let data: &[u8] = &buffer;
    if data.is_empty() {
        f.problems.push(Problem::new(Code::EmptyFile));
        return;
    }
    if let Some(kind) = unsupported(data) {
        unsupported_dates(kind, data, limits, f);
        note_unsupported(kind, f);
        return;
    }
    let qt = dates::find_moov(data).map(|moov| dates::quicktime(moov, f));
    let ms = match MediaSource::from_memory(buffer.clone()) {
        Ok(ms) => ms,
        // nom-exif knows brands by list; DASH (`iso5`, `dash`) and other valid ISO base media
        // brands are missing, so such a file is read again presented as `isom`.
        Err(_) if has_ftyp(data) => match MediaSource::from_memory(with_isom_brand(data)) {
            Ok(ms) => ms,
            Err(e) => {
                f.problems.push(Problem::detail(Code::VideoUnreadable, e));
                return;
            }
        },
        Err(e) => {
            f.problems.push(Problem::detail(Code::VideoUnreadable, e));
            return;
        }
    };
    parse(ms, data.starts_with(MATROSKA), qt, limits, f);
}

const MATROSKA: &[u8] = b"\x1A\x45\xDF\xA3";

/// Read video metadata from a file on disk, seeking to the boxes instead of reading it all.
pub fn extract_file(path: &Path, limits: &Limits, f: &mut Facts) {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) => {
            f.problems.push(Problem::detail(Code::ReadFailed, e));
            return;
        }
    };
    let mut head = [0u8; 256];
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => {
                f.problems.push(Problem::detail(Code::ReadFailed, e));
                return;
            }
        }
    }
    if n == 0 {
        f.problems.push(Problem::new(Code::EmptyFile));
        return;
    }
    if let Some(kind) = unsupported(&head[..n]) {
        let mut start = Vec::new();
        if let Ok(file) = std::fs::File::open(path) {
            let _ = file.take(dates::MTS_HEAD as u64).read_to_end(&mut start);
        }
        unsupported_dates(kind, &start, limits, f);
        note_unsupported(kind, f);
        return;
    }
    let qt = read_moov(path).map(|moov| dates::quicktime(&moov, f));
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) => {
            f.problems.push(Problem::detail(Code::ReadFailed, e));
            return;
        }
    };
    let matroska = head.starts_with(MATROSKA);
    match MediaSource::seekable(file) {
        Ok(ms) => parse(ms, matroska, qt, limits, f),
        Err(e) if has_ftyp(&head[..n]) => {
            let reopened = std::fs::File::open(path).map(|file| IsomBrand {
                inner: file,
                pos: 0,
            });
            match reopened
                .map_err(nom_exif::Error::from)
                .and_then(MediaSource::seekable)
            {
                Ok(ms) => parse(ms, matroska, qt, limits, f),
                Err(_) => f.problems.push(Problem::detail(Code::VideoUnreadable, e)),
            }
        }
        Err(e) => f.problems.push(Problem::detail(Code::VideoUnreadable, e)),
    }
}

/// A large file's `moov` body, found by seeking over the top-level boxes (`mdat` is never
/// read); `None` when there is none or it is larger than [`dates::MAX_MOOV`].
fn read_moov(path: &Path) -> Option<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let mut pos = 0u64;
    for _ in 0..64 {
        if pos + 8 > len {
            return None;
        }
        file.seek(SeekFrom::Start(pos)).ok()?;
        let mut h = [0u8; 16];
        file.read_exact(&mut h[..8]).ok()?;
        let (header, size) = match u32::from_be_bytes(h[..4].try_into().ok()?) as u64 {
            0 => (8, len - pos),
            1 => {
                file.read_exact(&mut h[8..16]).ok()?;
                (16, u64::from_be_bytes(h[8..16].try_into().ok()?))
            }
            n => (8, n),
        };
        if size < header {
            return None;
        }
        if &h[4..8] == b"moov" {
            let body = (size - header).min(len - pos - header);
            if body > dates::MAX_MOOV {
                return None;
            }
            let mut moov = vec![0u8; body as usize];
            file.seek(SeekFrom::Start(pos + header)).ok()?;
            file.read_exact(&mut moov).ok()?;
            return Some(moov);
        }
        pos = pos.checked_add(size)?;
    }
    None
}

fn has_ftyp(data: &[u8]) -> bool {
    data.len() >= 12 && &data[4..8] == b"ftyp"
}

fn with_isom_brand(data: &[u8]) -> Vec<u8> {
    let mut v = data.to_vec();
    v[8..12].copy_from_slice(b"isom");
    v
}

/// A file read as if its `ftyp` major brand were `isom` (bytes 8..12), for the retry above
/// without reading a large file into memory.
struct IsomBrand {
    inner: std::fs::File,
    pos: u64,
}

impl std::io::Read for IsomBrand {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, b) in buf[..n].iter_mut().enumerate() {
            let at = self.pos + i as u64;
            if (8..12).contains(&at) {
                *b = b"isom"[(at - 8) as usize];
            }
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl std::io::Seek for IsomBrand {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.pos = self.inner.seek(to)?;
        Ok(self.pos)
    }
}

fn parse<R: std::io::Read>(
    ms: MediaSource<R>,
    matroska: bool,
    qt: Option<dates::QtDates>,
    limits: &Limits,
    f: &mut Facts,
) {
    let mut parser = MediaParser::new();
    if !matches!(ms.kind(), nom_exif::MediaKind::Track) {
        f.problems.push(Problem::detail(
            Code::VideoUnreadable,
            "the content is an image container, not a video",
        ));
        return;
    }
    match parser.parse_track(ms) {
        Ok(info) => {
            let stated = apply(&info, f);
            settle(stated, matroska, qt.unwrap_or_default(), limits, f);
        }
        Err(e) => {
            f.problems.push(describe_error(&e.to_string()));
            // The movie header read on our own still dates the file.
            if let Some(qt) = qt {
                settle(None, matroska, qt, limits, f);
            }
        }
    }
}

fn describe_error(e: &str) -> Problem {
    let lower = e.to_lowercase();
    if lower.contains("moov")
        || lower.contains("eof")
        || lower.contains("unexpected end")
        || lower.contains("need")
    {
        Problem::detail(Code::VideoTruncated, e)
    } else {
        Problem::detail(Code::VideoUnreadable, e)
    }
}

fn text(info: &TrackInfo, tag: TrackInfoTag) -> Option<String> {
    match info.get(tag)? {
        EntryValue::Text(s) => {
            let t = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
            (!t.is_empty()).then(|| t.to_string())
        }
        _ => None,
    }
}

fn number(info: &TrackInfo, tag: TrackInfoTag) -> Option<u64> {
    Some(match info.get(tag)? {
        EntryValue::U8(v) => *v as u64,
        EntryValue::U16(v) => *v as u64,
        EntryValue::U32(v) => *v as u64,
        EntryValue::U64(v) => *v,
        EntryValue::I32(v) if *v >= 0 => *v as u64,
        EntryValue::I64(v) if *v >= 0 => *v as u64,
        _ => return None,
    })
}

/// Longest duration believed: a fuzzed `mvhd` claims 9.2·10¹⁸ s; no camera records a year.
const MAX_PLAUSIBLE_DURATION_S: f64 = 366.0 * 24.0 * 3600.0;

/// Fill everything but the date, and return the date nom-exif read (Apple's key if present,
/// else `mvhd`; Matroska's DateUTC).
fn apply(info: &TrackInfo, f: &mut Facts) -> Option<DateTime<FixedOffset>> {
    let stated = match info.get(TrackInfoTag::CreateDate) {
        Some(EntryValue::DateTime(t)) => Some(*t),
        _ => None,
    };
    if let Some(ms) = number(info, TrackInfoTag::DurationMs) {
        let s = ms as f64 / 1000.0;
        if s > 0.0 && s < MAX_PLAUSIBLE_DURATION_S {
            f.duration_s = Some(s);
        }
    }
    let w = number(info, TrackInfoTag::Width).filter(|v| *v > 0 && *v <= 65_535);
    let h = number(info, TrackInfoTag::Height).filter(|v| *v > 0 && *v <= 65_535);
    if let (Some(w), Some(h)) = (w, h) {
        f.width = Some(w as u32);
        f.height = Some(h as u32);
    }
    let make = text(info, TrackInfoTag::Make);
    let model = text(info, TrackInfoTag::Model);
    if make.is_some() || model.is_some() {
        f.camera = Some(Camera { make, model });
    }
    if let Some(sw) = text(info, TrackInfoTag::Software) {
        f.software = Some(sw);
    }
    if let Some(loc) = text(info, TrackInfoTag::GpsIso6709) {
        f.gps = parse_iso6709(&loc);
    }
    stated
}

/// Choose the capture time among what the container states, most trusted first: Apple's
/// `creationdate` key (the phone's local time and offset), 3GPP's `udta/date`, then the
/// `mvhd` header (UTC, shown in the configured zone so that a video filmed on the evening of
/// 31 December in Xining files under that day, as its photos do). When a stronger source is
/// taken and `mvhd` differs, `mvhd` is kept as the alternative and a note shows both.
///
/// nom-exif gives Apple's key when there is one, else `mvhd`: a time other than our own
/// `mvhd` reading, or one with an offset, is therefore Apple's key.
fn settle(
    stated: Option<DateTime<FixedOffset>>,
    matroska: bool,
    qt: dates::QtDates,
    limits: &Limits,
    f: &mut Facts,
) {
    let zone = limits.default_offset;
    if matroska {
        if let Some(t) = crate::extract::dates::vet(f, "Matroska DateUTC", stated) {
            f.captured_at = Some(t.with_timezone(&zone));
            f.captured_at_source = Some("matroska:DateUTC".into());
        }
        return;
    }
    let apple = stated.filter(|t| match qt.mvhd {
        Some(m) => (t.timestamp() - m.timestamp()).abs() > 1 || t.offset().local_minus_utc() != 0,
        None => t.offset().local_minus_utc() != 0,
    });
    // Apple's key refused as a placeholder is not replaced by nom-exif's other reading.
    let apple = match apple {
        Some(t) if t.year() < 1971 => None,
        t => crate::extract::dates::vet(f, "QuickTime com.apple.quicktime.creationdate", t),
    };
    // Without our own header reading (a moov too large to load), nom-exif's is `mvhd`.
    let mvhd = if qt.seen_mvhd {
        qt.mvhd
    } else {
        let t = stated.filter(|t| t.offset().local_minus_utc() == 0 && apple.is_none());
        match t {
            Some(t) if t.year() < 1971 => None,
            t => crate::extract::dates::vet(f, "QuickTime CreateDate", t),
        }
    };
    let chosen = apple
        .map(|t| (t, "apple:creationdate"))
        .or(qt.udta_date.map(|t| (t, "quicktime:DateTimeOriginal")))
        .or(mvhd.map(|t| (t.with_timezone(&zone), "quicktime:CreateDate")));
    let Some((t, source)) = chosen else { return };
    f.captured_at = Some(t);
    f.captured_at_source = Some(source.into());
    if source != "quicktime:CreateDate" {
        if let Some(m) = mvhd {
            let m = m.with_timezone(&zone);
            f.captured_at_alt = Some(m);
            f.captured_at_alt_source = Some("quicktime:CreateDate".into());
            if (m.timestamp() - t.timestamp()).abs() > 60 {
                f.problems.push(
                    Problem::new(Code::VideoDatesDiffer)
                        .with("taken", t.to_rfc3339())
                        .with("source", source)
                        .with("other", m.to_rfc3339())
                        .with("other_source", "quicktime:CreateDate"),
                );
            }
        }
    }
}

/// Parse the point of an ISO 6709 string such as `+36.6171+101.7782+2260.000/` (degrees; the
/// altitude is ignored). Returns `None` for anything out of range or `+00.0000+000.0000`, which
/// phones write when they had no fix.
pub fn parse_iso6709(s: &str) -> Option<Gps> {
    let s = s.trim().trim_end_matches('/');
    let bytes = s.as_bytes();
    // Split at sign characters: lat, lon, optional altitude.
    let mut starts = Vec::new();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'+' || *b == b'-' {
            starts.push(i);
        }
    }
    if starts.len() < 2 || starts[0] != 0 {
        return None;
    }
    let lat_s = &s[starts[0]..starts[1]];
    let lon_end = starts.get(2).copied().unwrap_or(s.len());
    let lon_s = &s[starts[1]..lon_end];
    let lat = degrees(lat_s, 2)?;
    let lon = degrees(lon_s, 3)?;
    if !(-90.0..=90.0).contains(&lat)
        || !(-180.0..=180.0).contains(&lon)
        || (lat == 0.0 && lon == 0.0)
    {
        return None;
    }
    Some(Gps { lat, lon })
}

/// ISO 6709 allows ±DD.D, ±DDMM.M and ±DDMMSS.S; `deg_digits` is 2 for latitude, 3 for longitude.
fn degrees(s: &str, deg_digits: usize) -> Option<f64> {
    let sign = if s.starts_with('-') { -1.0 } else { 1.0 };
    let body = &s[1..];
    let int_len = body.find('.').unwrap_or(body.len());
    if !body.chars().all(|c| c.is_ascii_digit() || c == '.') || int_len < deg_digits {
        return None;
    }
    let v = match int_len - deg_digits {
        0 => body.parse::<f64>().ok()?,
        2 => {
            let d: f64 = body[..deg_digits].parse().ok()?;
            let m: f64 = body[deg_digits..].parse().ok()?;
            d + m / 60.0
        }
        4 => {
            let d: f64 = body[..deg_digits].parse().ok()?;
            let m: f64 = body[deg_digits..deg_digits + 2].parse().ok()?;
            let sec: f64 = body[deg_digits + 2..].parse().ok()?;
            d + m / 60.0 + sec / 3600.0
        }
        _ => return None,
    };
    Some(sign * v)
}

#[cfg(test)]
mod date_tests;
#[cfg(test)]
mod tests;
