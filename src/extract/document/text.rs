//! Plain text (TXT, CSV, MD, SRT): the encoding is detected, never assumed.
//!
//! Files from Chinese Windows machines are usually GBK/GB18030 without any marker; Notepad
//! writes UTF-8 with a BOM or UTF-16LE; exports from other tools are UTF-8 or BOM-less UTF-16.
//! Decoding with the wrong encoding makes the text unsearchable, so the order is: byte-order
//! mark, the zero-byte pattern of UTF-16/32 without a mark, valid UTF-8, then chardetng's guess
//! decoded by encoding_rs (which reads GBK as GB18030, its superset).

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

use super::manifest;
use crate::extract::{Facts, Limits};

/// Non-ASCII bytes the encoding detector is given: 1 KB (about 500 Chinese characters) gives
/// the same guess as the whole file for every non-UTF-8 text of the shared corpus and for its
/// Chinese texts re-encoded as GBK, GB18030, Big5, EUC-JP, Shift_JIS and EUC-KR (21 texts
/// longer than the sample; 512 bytes agreed too). 4 KB did as well, but the detector costs
/// ~2,000 instructions per byte it is fed (docs/performance.md, fixes 30 and 44).
const DETECT_NON_ASCII: usize = 1024;
/// The longest stretch read to find them: a mostly-ASCII table with a Chinese name here and
/// there still gives the detector tens of names, not the two or three of its first 4 KB.
const DETECT_SPAN: usize = 64 * 1024;

/// Where the detector's sample ends in `s` (which starts at the first non-ASCII byte).
fn detect_end(s: &[u8]) -> usize {
    let mut seen = 0;
    for (i, b) in s.iter().take(DETECT_SPAN).enumerate() {
        if !b.is_ascii() {
            seen += 1;
            if seen == DETECT_NON_ASCII {
                return i + 1;
            }
        }
    }
    s.len().min(DETECT_SPAN)
}

/// Decode text bytes; returns the text and the name of the encoding used.
pub fn decode(data: &[u8]) -> (String, &'static str) {
    if let Some(rest) = data.strip_prefix(b"\xEF\xBB\xBF") {
        return (String::from_utf8_lossy(rest).into_owned(), "UTF-8 with BOM");
    }
    if data.starts_with(b"\xFF\xFE\x00\x00") {
        return (utf32(&data[4..], false), "UTF-32LE with BOM");
    }
    if data.starts_with(b"\x00\x00\xFE\xFF") {
        return (utf32(&data[4..], true), "UTF-32BE with BOM");
    }
    if let Some(rest) = data.strip_prefix(b"\xFF\xFE") {
        return (
            UTF_16LE.decode_without_bom_handling(rest).0.into_owned(),
            "UTF-16LE with BOM",
        );
    }
    if let Some(rest) = data.strip_prefix(b"\xFE\xFF") {
        return (
            UTF_16BE.decode_without_bom_handling(rest).0.into_owned(),
            "UTF-16BE with BOM",
        );
    }
    if let Some(found) = zero_pattern(data) {
        return found;
    }
    // ISO-2022-JP is 7-bit: it passes as UTF-8 unless its escape sequences are looked for.
    if data.contains(&0x1B)
        && (contains(data, b"\x1B$B") || contains(data, b"\x1B$@") || contains(data, b"\x1B(J"))
    {
        return (
            encoding_rs::ISO_2022_JP.decode(data).0.into_owned(),
            "ISO-2022-JP",
        );
    }
    // One validation pass answers both questions (checking twice was a tenth of decoding).
    match std::str::from_utf8(data) {
        Ok(s) => return (s.to_owned(), "UTF-8"),
        // A cut multi-byte sequence at the very end (text capped by a tool) is still UTF-8.
        Err(e) if e.error_len().is_none() && e.valid_up_to() + 4 > data.len() => {
            return (String::from_utf8_lossy(data).into_owned(), "UTF-8");
        }
        Err(_) => {}
    }
    let mut det = EncodingDetector::new(Iso2022JpDetection::Allow);
    // The detector learns from non-ASCII bytes only, and a kilobyte of them settles its
    // guess: feeding it whole files was a fifth of reading a folder of GBK notes. The sample
    // starts at the first non-ASCII byte (a lead byte, since what precedes is ASCII) and holds
    // DETECT_NON_ASCII of them, or DETECT_SPAN bytes where they are sparse.
    let from = data.iter().position(|b| !b.is_ascii()).unwrap_or(0);
    let sample = &data[from..];
    let end = detect_end(sample);
    if end < sample.len() {
        det.feed(&sample[..end], false);
    } else {
        det.feed(sample, true);
    }
    let enc: &'static Encoding = det.guess(None, Utf8Detection::Allow);
    let enc = if enc == UTF_8 {
        encoding_rs::GB18030
    } else {
        enc
    };
    let (text, _, _) = enc.decode(data);
    (text.into_owned(), enc.name())
}

fn contains(h: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(h, needle).is_some()
}

fn utf32(data: &[u8], be: bool) -> String {
    data.chunks_exact(4)
        .map(|c| {
            let v = if be {
                u32::from_be_bytes([c[0], c[1], c[2], c[3]])
            } else {
                u32::from_le_bytes([c[0], c[1], c[2], c[3]])
            };
            char::from_u32(v).unwrap_or('\u{FFFD}')
        })
        .collect()
}

/// BOM-less UTF-16/32 betrays itself by zero bytes in fixed positions (Latin text, digits,
/// punctuation). Text without any zero byte is left to the other tests.
fn zero_pattern(data: &[u8]) -> Option<(String, &'static str)> {
    let sample = &data[..data.len().min(4096)];
    if sample.len() < 8 {
        return None;
    }
    let mut by_mod4 = [0usize; 4];
    for (i, b) in sample.iter().enumerate() {
        if *b == 0 {
            by_mod4[i % 4] += 1;
        }
    }
    let quarter = sample.len() / 4;
    let high = |n: usize| n * 10 >= quarter * 7; // ≥ 70 % of the positions
    let low = |n: usize| n * 20 <= quarter; // ≤ 5 %
    if low(by_mod4[0]) && high(by_mod4[1]) && high(by_mod4[2]) && high(by_mod4[3]) {
        return Some((utf32(data, false), "UTF-32LE (no BOM)"));
    }
    if high(by_mod4[0]) && high(by_mod4[1]) && high(by_mod4[2]) && low(by_mod4[3]) {
        return Some((utf32(data, true), "UTF-32BE (no BOM)"));
    }
    let even = by_mod4[0] + by_mod4[2];
    let odd = by_mod4[1] + by_mod4[3];
    let half = sample.len() / 2;
    if odd * 10 >= half * 3 && even * 20 <= half {
        return Some((
            UTF_16LE.decode_without_bom_handling(data).0.into_owned(),
            "UTF-16LE (no BOM)",
        ));
    }
    if even * 10 >= half * 3 && odd * 20 <= half {
        return Some((
            UTF_16BE.decode_without_bom_handling(data).0.into_owned(),
            "UTF-16BE (no BOM)",
        ));
    }
    None
}

/// Read a text file: decoded text, and manifest rows when it is a CSV submission list.
pub fn extract(name: &str, data: &[u8], is_csv: bool, limits: &Limits, f: &mut Facts) {
    // Decoding never needs more than a few times the cap: the rest would be cut anyway.
    let window = limits.text_cap.saturating_mul(4).max(64);
    let cut = data.len() > window;
    let slice = if cut { &data[..window] } else { data };
    let (text, _encoding) = decode(slice);
    // Control characters and replacement marks in the first 4,096 characters.
    let (mut odd, mut sample_len) = (0usize, 0usize);
    for c in text.chars().take(4096) {
        sample_len += 1;
        if c == '\u{FFFD}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c')) {
            odd += 1;
        }
    }
    if odd * 10 > sample_len.max(1) {
        f.text_status =
            Some("not extracted: the content does not look like text in any known encoding".into());
        return;
    }
    if is_csv {
        let mut lists = manifest::Detector::new(name);
        lists.csv(&text);
        lists.finish(f);
    }
    f.set_text(text, limits.text_cap);
    if cut && f.text_status.is_none() {
        f.text_status = Some(format!(
            "text cut: only the first {window} bytes of {} were decoded",
            data.len()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
    }
    fn utf16be(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect()
    }

    #[test]
    fn encoding_table() {
        let zh = "青海省全民科学素质行动计划纲要实施方案，科普大篷车进校园活动总结。";
        let csv = "name,indicator,county\nreport.pdf,B4.1,湟中区\nphoto.jpg,B2.3,大通县\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(zh);
        let (gb18030, _, _) =
            encoding_rs::GB18030.encode("𠮷与青海湖畔的科普活动纪要，西宁市城东区。");
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("utf-8", zh.as_bytes().to_vec(), zh),
            (
                "utf-8 bom",
                [b"\xEF\xBB\xBF".as_slice(), zh.as_bytes()].concat(),
                zh,
            ),
            (
                "utf-16le bom",
                [b"\xFF\xFE".to_vec(), utf16le(zh)].concat(),
                zh,
            ),
            (
                "utf-16be bom",
                [b"\xFE\xFF".to_vec(), utf16be(zh)].concat(),
                zh,
            ),
            ("utf-16le no bom", utf16le(csv), csv),
            ("utf-16be no bom", utf16be(csv), csv),
            ("gbk", gbk.into_owned(), zh),
            (
                "gb18030 4-byte",
                gb18030.into_owned(),
                "𠮷与青海湖畔的科普活动纪要，西宁市城东区。",
            ),
        ];
        for (label, bytes, want) in cases {
            let (got, enc) = decode(&bytes);
            assert_eq!(got, want, "{label} decoded as {enc}");
        }
        let u32le: Vec<u8> = csv.chars().flat_map(|c| (c as u32).to_le_bytes()).collect();
        assert_eq!(decode(&u32le).0, csv);
    }

    /// The detector reads a sample; a long file whose Chinese starts after pages of ASCII, and
    /// whose sample ends inside a two-byte character, is still read as GBK throughout.
    #[test]
    fn long_gbk_after_an_ascii_preamble() {
        let ascii = "2019-06-01 08:00:00 INFO export started, rows=1024\n".repeat(3000);
        let zh = "青海省科普大篷车进校园活动总结，海东市互助县。\n".repeat(4000);
        let text = format!("{ascii}{zh}");
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        assert!(gbk.len() > ascii.len() + DETECT_SPAN * 2);
        for cut in [0, 1] {
            // Shift the sample's end by one byte: it then falls inside a character.
            let bytes = [b"x".repeat(cut), gbk.to_vec()].concat();
            let (got, enc) = decode(&bytes);
            assert!(enc == "GBK" || enc == "gb18030", "shift {cut}: {enc}");
            assert!(
                got.ends_with(&zh) && got.len() == text.len() + cut,
                "shift {cut}"
            );
        }
    }

    #[test]
    fn sparse_names_in_a_long_ascii_table() {
        // Exports with English columns and a name every few rows: the first 4 KB after the first
        // name hold only a few more, so the detector reads on until it has seen enough. With
        // the first 4 KB alone, chardetng took the Shift_JIS table for windows-1250.
        let table = |names: &[&str], every: usize| {
            let mut text = String::from("id,name,unit,phone,note\n");
            for i in 0..3000 {
                let name = if i % every == 0 {
                    names[i % names.len()]
                } else {
                    "n/a"
                };
                let phone = i * 37 % 10_000_000;
                let day = i % 28 + 1;
                text.push_str(&format!("{i},{name},unit {},0971-{phone:07},checked by the county office on 2019-06-{day:02} with no remarks given\n", i % 7));
            }
            text
        };
        let cases = [
            (
                encoding_rs::GBK,
                table(&["张三", "李四", "西宁市城东区科协", "海东市互助县"], 4),
                &["GBK", "gb18030"][..],
            ),
            (
                encoding_rs::SHIFT_JIS,
                table(&["山田", "東京", "田中"], 80),
                &["Shift_JIS"][..],
            ),
        ];
        for (encoding, text, want) in cases {
            let (bytes, _, _) = encoding.encode(&text);
            let from = bytes.iter().position(|b| !b.is_ascii()).unwrap();
            assert!(
                detect_end(&bytes[from..]) > 4 * 4096,
                "{}: the sample reaches past 16 KB",
                encoding.name()
            );
            let (got, enc) = decode(&bytes);
            assert!(want.contains(&enc), "{}: decoded as {enc}", encoding.name());
            assert_eq!(got, text);
        }
    }

    #[test]
    fn binary_named_txt_is_not_text() {
        let mut f = Facts::default();
        let junk: Vec<u8> = (0..2000u32).map(|i| (i * 7919 % 251) as u8).collect();
        extract("x.txt", &junk, false, &Limits::default(), &mut f);
        assert!(f.text.is_none());
        assert!(f.text_status.unwrap().starts_with("not extracted"));
    }

    #[test]
    fn text_is_capped_and_the_cut_recorded() {
        let mut f = Facts::default();
        let limits = Limits {
            text_cap: 30,
            ..Limits::default()
        };
        extract(
            "a.txt",
            "科普".repeat(100).as_bytes(),
            false,
            &limits,
            &mut f,
        );
        assert!(f.text.as_ref().unwrap().len() <= 30);
        assert!(f.text_status.unwrap().contains("cut"));
    }
}
