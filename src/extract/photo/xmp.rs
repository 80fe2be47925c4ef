//! Capture dates in XMP and IPTC, where Photoshop, Lightroom and news agencies keep them.
//!
//! After an edit in Photoshop a JPEG's EXIF may carry only the save time (IFD0 DateTime) while
//! the capture date lives in XMP (`exif:DateTimeOriginal`, `photoshop:DateCreated`,
//! `xmp:CreateDate`) or in IPTC (DateCreated 2:55 with TimeCreated 2:60): ExifTool reads them
//! and so must we, or the photo is dated by its edit. Both blocks are found in segments the
//! JPEG walk already visits (APP1 `http://ns.adobe.com/xap/1.0/`, APP13 `Photoshop 3.0`), in a
//! PNG's iTXt chunk and in a TIFF's tag 700; this module only reads the dates out of them.
//!
//! XMP is searched as text rather than parsed as RDF: the few date properties appear either
//! as attributes (`exif:DateTimeOriginal="…"`) or as elements (`<xmp:CreateDate>…<`), always
//! with the conventional prefixes (or Adobe's older `xap:`), and a packet damaged elsewhere
//! still yields them.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};

use super::time::{parse_exif_time, show, Found};
use crate::extract::dates::{is_zero_text, vet, zero_date};
use crate::extract::Facts;
use crate::problem::{Code, Problem};

/// The XMP properties that date a photo, with the source each becomes.
const XMP_DATES: [(&[&str], &str); 3] = [
    (&["exif:DateTimeOriginal"], "xmp:DateTimeOriginal"),
    (&["photoshop:DateCreated"], "xmp:DateCreated"),
    (&["xmp:CreateDate", "xap:CreateDate"], "xmp:CreateDate"),
];

/// Capture-date candidates from an XMP packet.
pub(super) fn xmp_dates(packet: &[u8], zone: FixedOffset, f: &mut Facts, found: &mut Vec<Found>) {
    let text = String::from_utf8_lossy(packet);
    for (names, source) in XMP_DATES {
        let Some(raw) = names.iter().find_map(|n| property(&text, n)) else {
            continue;
        };
        let label = format!("XMP {}", names[0]);
        match parse_xmp_date(raw, zone) {
            Ok(Some(t)) => {
                if let Some(t) = vet(f, &label, Some(t)) {
                    found.push(Found { t, source });
                }
            }
            Ok(None) if is_zero_text(raw) => zero_date(f, &label, raw),
            Ok(None) => {}
            Err(()) => f.problems.push(
                Problem::new(Code::DateInvalid)
                    .with("tag", label)
                    .with("value", show(raw.as_bytes())),
            ),
        }
    }
}

/// The value of `name` written as an attribute (`name="v"`, `name='v'`) or as an element
/// (`<name>v</name>`).
fn property<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(at) = text[from..].find(name) {
        let start = from + at;
        let after = &text[start + name.len()..];
        from = start + name.len();
        // The match must be a whole name: preceded by '<', whitespace or start.
        let before = text[..start].chars().next_back();
        if !matches!(before, None | Some('<') | Some(' ' | '\n' | '\r' | '\t')) {
            continue;
        }
        let rest = after.trim_start();
        if let Some(rest) = rest.strip_prefix('=') {
            let rest = rest.trim_start();
            let quote = rest.chars().next()?;
            if quote == '"' || quote == '\'' {
                let body = &rest[1..];
                return body.find(quote).map(|end| body[..end].trim());
            }
        } else if let Some(body) = after.strip_prefix('>') {
            return body.find('<').map(|end| body[..end].trim());
        }
    }
    None
}

/// An XMP date (ISO 8601 as XMP writes it): `2009-06-24T09:41:07.72+01:00`, `…Z`, without a
/// zone (then `zone`), without seconds, or a date alone (its midnight). `Ok(None)` for blank or
/// zeros.
pub(crate) fn parse_xmp_date(
    raw: &str,
    zone: FixedOffset,
) -> Result<Option<DateTime<FixedOffset>>, ()> {
    let raw = raw.trim();
    if raw.len() <= 10 {
        if raw.is_empty() || is_zero_text(raw) {
            return Ok(None);
        }
        let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(raw, "%Y:%m:%d"))
            .or_else(|_| NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d"))
            .or_else(|_| NaiveDate::parse_from_str(&format!("{raw}-01-01"), "%Y-%m-%d"))
            .map_err(|_| ())?;
        let naive = date.and_hms_opt(0, 0, 0).ok_or(())?;
        return zone
            .from_local_datetime(&naive)
            .single()
            .map(Some)
            .ok_or(());
    }
    match parse_exif_time(raw.as_bytes())? {
        None => Ok(None),
        Some((naive, offset)) => offset
            .unwrap_or(zone)
            .from_local_datetime(&naive)
            .single()
            .map(Some)
            .ok_or(()),
    }
}

/// Capture-date candidate from a Photoshop image-resource block (JPEG APP13 after its
/// `Photoshop 3.0\0` signature): the IPTC-NAA resource 0x0404, its DateCreated (2:55,
/// `CCYYMMDD`) with TimeCreated (2:60, `HHMMSS±HHMM`); without a time, the day's midnight.
pub(super) fn iptc_date(
    resources: &[u8],
    zone: FixedOffset,
    f: &mut Facts,
    found: &mut Vec<Found>,
) {
    let Some(iptc) = photoshop_resource(resources, 0x0404) else {
        return;
    };
    let (mut date, mut time) = (None, None);
    let mut pos = 0;
    while pos + 5 <= iptc.len() && iptc[pos] == 0x1C {
        let (record, dataset) = (iptc[pos + 1], iptc[pos + 2]);
        let len = u16::from_be_bytes([iptc[pos + 3], iptc[pos + 4]]) as usize;
        if len & 0x8000 != 0 {
            break; // extended length: only used for large data sets, never dates
        }
        let Some(value) = iptc.get(pos + 5..pos + 5 + len) else {
            f.problems.push(Problem::detail(
                Code::PhotoMetadataUnreadable,
                "IPTC data set runs past its block",
            ));
            break;
        };
        match (record, dataset) {
            (2, 55) => date = Some(value),
            (2, 60) => time = Some(value),
            _ => {}
        }
        pos += 5 + len;
    }
    let Some(date) = date else { return };
    let label = "IPTC DateCreated";
    let d = String::from_utf8_lossy(date);
    let d = d.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    if d.is_empty() {
        return;
    }
    if is_zero_text(d) {
        zero_date(f, label, d);
        return;
    }
    let t = time.map(|t| String::from_utf8_lossy(t).trim().to_string());
    let text = match (d.len(), t.as_deref()) {
        (8, Some(t)) if t.len() >= 6 => format!(
            "{}-{}-{}T{}:{}:{}{}",
            &d[..4],
            &d[4..6],
            &d[6..8],
            &t[..2],
            &t[2..4],
            &t[4..6],
            iptc_zone(&t[6..])
        ),
        (8, _) => format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..8]),
        _ => d.to_string(),
    };
    match parse_xmp_date(&text, zone) {
        Ok(Some(t)) => {
            if let Some(t) = vet(f, label, Some(t)) {
                found.push(Found {
                    t,
                    source: "iptc:DateCreated",
                });
            }
        }
        Ok(None) => {}
        Err(()) => f.problems.push(
            Problem::new(Code::DateInvalid)
                .with("tag", label)
                .with("value", show(date)),
        ),
    }
}

/// A WebP's `XMP ` chunk (RIFF chunks after the `WEBP` form type; only headers are walked).
pub(super) fn webp_xmp(d: &[u8]) -> Option<&[u8]> {
    let mut pos = 12usize;
    while pos + 8 <= d.len() {
        let size = u32::from_le_bytes(d[pos + 4..pos + 8].try_into().ok()?) as usize;
        let body = d.get(pos + 8..(pos + 8).checked_add(size)?)?;
        if &d[pos..pos + 4] == b"XMP " {
            return Some(body);
        }
        pos = pos + 8 + size + (size & 1);
    }
    None
}

/// IPTC writes the zone as `+0100`; the date parser wants `+01:00`.
fn iptc_zone(z: &str) -> String {
    let z = z.trim();
    if z.len() == 5 && (z.starts_with('+') || z.starts_with('-')) && z.is_char_boundary(3) {
        format!("{}:{}", &z[..3], &z[3..])
    } else {
        String::new()
    }
}

/// One resource of a Photoshop image-resource block: `8BIM`, id, a padded Pascal name, a
/// length and the data (padded to even).
pub(super) fn photoshop_resource(d: &[u8], want: u16) -> Option<&[u8]> {
    let mut pos = 0;
    while pos + 12 <= d.len() && &d[pos..pos + 4] == b"8BIM" {
        let id = u16::from_be_bytes([d[pos + 4], d[pos + 5]]);
        let name_len = d[pos + 6] as usize;
        // The name (with its length byte) is padded to an even size.
        let name_total = (name_len + 1 + 1) & !1;
        let len_at = pos + 6 + name_total;
        let size = u32::from_be_bytes(d.get(len_at..len_at + 4)?.try_into().ok()?) as usize;
        let data_at = len_at + 4;
        let data = d.get(data_at..data_at.checked_add(size)?)?;
        if id == want {
            return Some(data);
        }
        pos = data_at + ((size + 1) & !1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_as_attributes_and_elements() {
        let x = r#"<rdf:Description xmp:CreateDate="2010-07-12T16:42:31-05:00"
            exif:DateTimeOriginal='2009-06-24T09:41:07.72+01:00'>
            <photoshop:DateCreated>2009-06-24</photoshop:DateCreated>
            <xmp:ModifyDate>2011-01-01</xmp:ModifyDate>"#;
        assert_eq!(
            property(x, "xmp:CreateDate"),
            Some("2010-07-12T16:42:31-05:00")
        );
        assert_eq!(
            property(x, "exif:DateTimeOriginal"),
            Some("2009-06-24T09:41:07.72+01:00")
        );
        assert_eq!(property(x, "photoshop:DateCreated"), Some("2009-06-24"));
        assert_eq!(property(x, "exif:DateTimeDigitized"), None);
        assert_eq!(
            property("noexif:DateTimeOriginal=\"2001\"", "exif:DateTimeOriginal"),
            None
        );
    }

    #[test]
    fn webp_xmp_chunk_is_found_after_others() {
        let mut w = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0".to_vec();
        w.extend_from_slice(&[0u8; 10]);
        w.extend_from_slice(b"XMP \x05\0\0\0<x/>!\0");
        assert_eq!(webp_xmp(&w), Some(&b"<x/>!"[..]));
        assert_eq!(webp_xmp(&w[..w.len() - 4]), None);
    }

    #[test]
    fn xmp_date_forms() {
        let cst = FixedOffset::east_opt(8 * 3600).unwrap();
        let p = |s: &str| parse_xmp_date(s, cst).map(|t| t.map(|t| t.to_rfc3339()));
        assert_eq!(
            p("2009-06-24T09:41:07.72+01:00"),
            Ok(Some("2009-06-24T09:41:07.720+01:00".into()))
        );
        assert_eq!(
            p("2002-07-13T15:58:28Z"),
            Ok(Some("2002-07-13T15:58:28+00:00".into()))
        );
        assert_eq!(
            p("2019-10-03T09:10"),
            Ok(Some("2019-10-03T09:10:00+08:00".into()))
        );
        assert_eq!(
            p("2019-10-03"),
            Ok(Some("2019-10-03T00:00:00+08:00".into()))
        );
        assert_eq!(p("2019"), Ok(Some("2019-01-01T00:00:00+08:00".into())));
        assert_eq!(p("0000-00-00T00:00:00"), Ok(None));
        assert_eq!(p(""), Ok(None));
        assert_eq!(p("yesterday"), Err(()));
    }
}
