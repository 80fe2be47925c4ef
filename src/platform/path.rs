//! A path as the bytes the catalog keys files by, and back, without loss.
//!
//! Unix: the `OsStr`'s own bytes, borrowed (names in any encoding, GBK included, stay exact).
//! Windows: names are UTF-16 and may hold unpaired surrogates, so the bytes are WTF-8 (UTF-8
//! that also encodes a lone surrogate as its three-byte form), with `\` written as `/`: every
//! Unicode name is then plain UTF-8, the rest of the crate splits relative paths on `/` on both
//! systems, and a package made on Windows names its files as BagIt wants. Neither character
//! can be part of a Windows file name, so swapping them back loses nothing.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::path::PathBuf;

/// The path's bytes: borrowed on Unix (no allocation on the index's hot path) and for a
/// Windows path that is valid Unicode without `\`.
#[cfg(unix)]
#[inline]
pub fn path_bytes(s: &OsStr) -> Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    Cow::Borrowed(s.as_bytes())
}

#[cfg(windows)]
pub fn path_bytes(s: &OsStr) -> Cow<'_, [u8]> {
    use std::os::windows::ffi::OsStrExt;
    match s.to_str() {
        Some(t) if !t.contains('\\') => Cow::Borrowed(t.as_bytes()),
        Some(t) => Cow::Owned(t.replace('\\', "/").into_bytes()),
        None => Cow::Owned(wtf8_encode(s.encode_wide())),
    }
}

/// The path whose bytes [`path_bytes`] gave; on Unix any bytes at all.
#[cfg(unix)]
#[inline]
pub fn path_from_bytes(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(OsStr::from_bytes(b))
}

/// The path whose bytes [`path_bytes`] gave. Bytes no Windows path gives (a catalog made on
/// Linux with GBK names, copied over) keep the readable part and mark the rest U+FFFD.
#[cfg(windows)]
pub fn path_from_bytes(b: &[u8]) -> PathBuf {
    use std::os::windows::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_wide(&wtf8_decode(b)))
}

/// UTF-16 code units as WTF-8, `\` as `/`.
#[cfg_attr(not(any(windows, test)), allow(dead_code))]
pub(crate) fn wtf8_encode(units: impl Iterator<Item = u16>) -> Vec<u8> {
    let mut out = Vec::new();
    for r in char::decode_utf16(units) {
        match r {
            Ok('\\') => out.push(b'/'),
            Ok(c) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            Err(e) => {
                let u = e.unpaired_surrogate();
                out.extend_from_slice(&[
                    0xE0 | (u >> 12) as u8,
                    0x80 | ((u >> 6) & 0x3F) as u8,
                    0x80 | (u & 0x3F) as u8,
                ]);
            }
        }
    }
    out
}

/// WTF-8 back to UTF-16 code units, `/` as `\`. Not WTF-8 at all: each bad byte is U+FFFD.
#[cfg_attr(not(any(windows, test)), allow(dead_code))]
pub(crate) fn wtf8_decode(b: &[u8]) -> Vec<u16> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let lead = b[i];
        let (len, min, init) = match lead {
            0x00..=0x7F => (1, 0, u32::from(lead)),
            0xC0..=0xDF => (2, 0x80, u32::from(lead & 0x1F)),
            0xE0..=0xEF => (3, 0x800, u32::from(lead & 0x0F)),
            0xF0..=0xF4 => (4, 0x1_0000, u32::from(lead & 0x07)),
            _ => (0, 0, 0),
        };
        let cont = b
            .get(i + 1..i + len.max(1))
            .filter(|c| len > 0 && c.len() == len - 1 && c.iter().all(|&x| x & 0xC0 == 0x80));
        let cp = cont.map(|c| {
            c.iter()
                .fold(init, |acc, &x| (acc << 6) | u32::from(x & 0x3F))
        });
        match cp {
            Some(cp) if cp >= min && cp <= 0x10_FFFF => {
                if cp == u32::from(b'/') {
                    out.push(u16::from(b'\\'));
                } else if cp >= 0x1_0000 {
                    let v = cp - 0x1_0000;
                    out.push(0xD800 | (v >> 10) as u16);
                    out.push(0xDC00 | (v & 0x3FF) as u16);
                } else {
                    out.push(cp as u16);
                }
                i += len;
            }
            _ => {
                out.push(0xFFFD);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(units: &[u16]) {
        let bytes = wtf8_encode(units.iter().copied());
        assert_eq!(wtf8_decode(&bytes), units, "{bytes:?}");
    }

    /// What a Windows name can be (Chinese, emoji as surrogate pairs, an unpaired surrogate
    /// that Windows allows and Unicode does not) comes back unit for unit; what is valid
    /// Unicode is stored as plain UTF-8 with `/`, the same bytes a Linux catalog would hold.
    #[test]
    fn windows_names_round_trip_through_the_catalog_bytes() {
        let name = "C:\\证据\\海东市\\会议照片 📷.jpg";
        let units: Vec<u16> = name.encode_utf16().collect();
        assert_eq!(
            wtf8_encode(units.iter().copied()),
            "C:/证据/海东市/会议照片 📷.jpg".as_bytes()
        );
        round_trip(&units);
        round_trip(&[0x61, 0xD800, 0x62]);
        round_trip(&[0xDC00, 0xD83D]);
        round_trip(&[0xD83D, 0xDE00, 0xDBFF]);
        round_trip(&[]);
        // Every single unit, and every pair of the interesting ones.
        // `/` is left out: Windows reads it as `\`, which is what comes back.
        for u in (0..=u16::MAX).filter(|&u| u != 0x2F) {
            round_trip(&[u, 0x5C]);
        }
        for a in [
            0x5C, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xFFFF,
        ] {
            for b in [0x5C, 0xD800, 0xDC00, 0xDFFF, 0xE000] {
                round_trip(&[a, b]);
            }
        }
    }

    /// Bytes a Linux catalog may hold (a GBK name) do not panic and keep their ASCII.
    #[test]
    fn bytes_no_windows_path_gives_decode_readably() {
        let gbk = encoding_rs::GBK.encode("a/会议.jpg").0.into_owned();
        let units = wtf8_decode(&gbk);
        let s = String::from_utf16_lossy(&units);
        assert!(s.starts_with("a\\") && s.ends_with(".jpg"), "{s}");
        assert!(s.contains('\u{FFFD}'));
    }

    #[cfg(unix)]
    #[test]
    fn unix_bytes_are_borrowed_and_exact() {
        let p = std::path::Path::new("海东市/x.jpg");
        let b = path_bytes(p.as_os_str());
        assert!(matches!(b, Cow::Borrowed(_)));
        assert_eq!(path_from_bytes(&b), p);
    }
}
