//! The photo extractor against fixtures written by `crate::sample::jpeg`: every value a test
//! expects is one the test itself wrote into the file, and every damage is one it made.

use std::fs;
use std::path::Path;

use chrono::{FixedOffset, NaiveDate, NaiveDateTime};
use exif::Value;
use image::ImageEncoder;

use super::extract;
use super::fields::degrees;
use super::header::heif_size;
use super::parse_utc_offset;
use super::time::{parse_exif_time, parse_offset};
use crate::extract::{Facts, Limits};
use crate::problem::Code;
use crate::sample::generate;
use crate::sample::jpeg::{
    encode_pixels, exif_tiff, jpeg, with_exif_segment, GpsLayout, Pattern, PhotoSpec,
};

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .unwrap()
        .and_hms_opt(h, mi, s)
        .unwrap()
}

fn zone(h: i32, m: i32) -> FixedOffset {
    FixedOffset::east_opt(h.signum() * (h.abs() * 3600 + m * 60)).unwrap()
}

#[test]
fn multibyte_characters_where_times_and_zones_are_split_are_rejected_not_a_panic() {
    // Found by fuzzing: byte 19 of a damaged DateTimeOriginal fell inside a BOM (U+FEFF),
    // and a 4-byte OffsetTime with a two-byte character split mid-character.
    assert_eq!(
        parse_exif_time("2006:05:t begin=\"\u{feff}\"+08:00".as_bytes()),
        Err(())
    );
    assert_eq!(
        parse_exif_time("2019:09:15 10:30:0\u{e9}+08:00".as_bytes()),
        Err(())
    );
    assert!(parse_offset("+1\u{e9}1".as_bytes()).is_err());
    assert_eq!(parse_offset(b"+0800"), Ok(Some(zone(8, 0))));
}

fn phone() -> PhotoSpec {
    let when = at(2019, 6, 12, 10, 15, 30);
    PhotoSpec {
        width: 160,
        height: 120,
        pattern: Pattern::Scene(7),
        make: Some("HUAWEI".into()),
        model: Some("ALP-AL00".into()),
        software: Some("ALP-AL00 8.0.0.120(C00)".into()),
        orientation: Some(6),
        date_time_original: Some(when),
        create_date: Some(when),
        modify_date: Some(when),
        gps: Some((36.840512, 101.951234)),
        ..PhotoSpec::default()
    }
}

fn read(bytes: &[u8]) -> Facts {
    let mut f = Facts::default();
    extract(bytes, &Limits::default(), &mut f);
    f
}

fn assert_gps(f: &Facts, lat: f64, lon: f64) {
    let g = f
        .gps
        .unwrap_or_else(|| panic!("no GPS read; errors: {:?}", f.problems));
    assert!((g.lat - lat).abs() < 1e-6, "lat {} != {lat}", g.lat);
    assert!((g.lon - lon).abs() < 1e-6, "lon {} != {lon}", g.lon);
}

#[test]
fn phone_photo_gives_exact_values() {
    let f = read(&jpeg(&phone()));
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2019-06-12T10:15:30+08:00"
    );
    assert_eq!(
        f.captured_at_source.as_deref(),
        Some("exif:DateTimeOriginal")
    );
    assert_eq!(
        f.modified_at.unwrap().to_rfc3339(),
        "2019-06-12T10:15:30+08:00"
    );
    assert_gps(&f, 36.840512, 101.951234);
    let cam = f.camera.clone().unwrap();
    assert_eq!(cam.make.as_deref(), Some("HUAWEI"));
    assert_eq!(cam.model.as_deref(), Some("ALP-AL00"));
    assert_eq!(f.software.as_deref(), Some("ALP-AL00 8.0.0.120(C00)"));
    assert_eq!(f.orientation, Some(6));
    assert_eq!((f.width, f.height), (Some(160), Some(120)));
}

#[test]
fn offset_and_subseconds_come_from_the_file() {
    let mut spec = phone();
    spec.offset_time_original = Some(zone(-3, 30));
    spec.subsec_original = Some("25".into());
    spec.little_endian = false;
    let f = read(&jpeg(&spec));
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2019-06-12T10:15:30.250-03:30"
    );
}

#[test]
fn missing_offset_uses_the_configured_zone() {
    let limits = Limits {
        default_offset: zone(0, 0),
        ..Limits::default()
    };
    let mut f = Facts::default();
    extract(&jpeg(&phone()), &limits, &mut f);
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2019-06-12T10:15:30+00:00"
    );
}

#[test]
fn date_falls_back_to_create_date_then_modify_date() {
    let mut spec = phone();
    spec.date_time_original = None;
    spec.create_date = Some(at(2017, 1, 2, 3, 4, 5));
    spec.modify_date = Some(at(2018, 2, 3, 4, 5, 6));
    let f = read(&jpeg(&spec));
    assert_eq!(f.captured_at_source.as_deref(), Some("exif:CreateDate"));
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2017-01-02T03:04:05+08:00"
    );
    assert_eq!(
        f.modified_at.unwrap().to_rfc3339(),
        "2018-02-03T04:05:06+08:00"
    );

    spec.create_date = None;
    let f = read(&jpeg(&spec));
    assert_eq!(f.captured_at_source.as_deref(), Some("exif:ModifyDate"));
    assert_eq!(
        f.problems.iter().map(|p| p.code).collect::<Vec<_>>(),
        vec![Code::DateIsModifyDate],
        "a capture time that is only the last-modified time says so"
    );
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2018-02-03T04:05:06+08:00"
    );
    assert_eq!(
        f.modified_at, None,
        "DateTime used as capture time is not also a modify time"
    );
}

#[test]
fn edited_photo_keeps_modify_date_apart() {
    let mut spec = phone();
    spec.software = Some("Adobe Photoshop CC 2019 (Windows)".into());
    spec.modify_date = Some(at(2019, 9, 1, 20, 0, 0));
    let f = read(&jpeg(&spec));
    assert_eq!(
        f.software.as_deref(),
        Some("Adobe Photoshop CC 2019 (Windows)")
    );
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2019-06-12T10:15:30+08:00"
    );
    assert_eq!(
        f.modified_at.unwrap().to_rfc3339(),
        "2019-09-01T20:00:00+08:00"
    );
}

#[test]
fn all_zero_dates_mean_unknown_with_one_placeholder_warning() {
    let mut spec = phone();
    spec.zero_dates = true;
    let f = read(&jpeg(&spec));
    assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
    assert_eq!(f.problems[0].code, Code::DatePlaceholder);
    assert!(!f.has_error());
    assert_eq!(
        f.problems[0].params["tag"],
        "EXIF DateTimeOriginal, CreateDate (DateTimeDigitized), ModifyDate (DateTime)"
    );
    assert_eq!(f.captured_at, None);
    assert_eq!(f.captured_at_source, None);
    assert_eq!(f.modified_at, None);
    assert!(f.camera.is_some(), "other fields still read");
}

#[test]
fn south_and_west_are_negative_in_every_layout() {
    for layout in [
        GpsLayout::Dms,
        GpsLayout::DecimalMinutes,
        GpsLayout::Degrees,
    ] {
        let mut spec = phone();
        spec.gps = Some((-33.856784, -70.648273));
        spec.gps_layout = layout;
        let f = read(&jpeg(&spec));
        assert!(f.problems.is_empty(), "{layout:?}: {:?}", f.problems);
        assert_gps(&f, -33.856784, -70.648273);
    }
}

#[test]
fn missing_refs_assume_north_and_east() {
    let mut spec = phone();
    spec.gps = Some((-33.5, -70.25));
    spec.gps_refs = false;
    let f = read(&jpeg(&spec));
    assert_gps(&f, 33.5, 70.25);
}

#[test]
fn zero_gps_is_unknown() {
    let mut spec = phone();
    spec.gps = Some((0.0, 0.0));
    let f = read(&jpeg(&spec));
    assert_eq!(f.gps, None);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
}

#[test]
fn impossible_gps_is_rejected_with_an_error() {
    let mut spec = phone();
    spec.gps = Some((95.0, 10.0));
    let f = read(&jpeg(&spec));
    assert_eq!(f.gps, None);
    assert!(
        f.problem_texts()
            .iter()
            .any(|e| e.contains("outside the globe")),
        "{:?}",
        f.problems
    );
    assert!(
        !f.has_error(),
        "values were read: a warning, not unreadable"
    );
}

#[test]
fn jpeg_without_exif_gives_size_and_no_error() {
    let spec = PhotoSpec {
        width: 200,
        height: 150,
        ..PhotoSpec::default()
    };
    let bytes = jpeg(&spec);
    assert!(!bytes.windows(6).any(|w| w == b"Exif\0\0"));
    let f = read(&bytes);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!((f.width, f.height), (Some(200), Some(150)));
    assert_eq!(f.captured_at, None);
    assert_eq!(f.camera, None);
}

#[test]
fn header_size_wins_over_stale_exif_size() {
    // A resized copy whose EXIF still states the original size.
    let mut spec = phone();
    spec.width = 64;
    spec.height = 48;
    let mut tiff_spec = spec.clone();
    tiff_spec.width = 4000;
    tiff_spec.height = 3000;
    let bytes = with_exif_segment(&encode_pixels(&spec), &exif_tiff(&tiff_spec).unwrap());
    let f = read(&bytes);
    assert_eq!((f.width, f.height), (Some(64), Some(48)));
}

/// Offset of the value field of `tag` in IFD0 of a little-endian TIFF block.
fn ifd0_entry_value_at(tiff: &[u8], tag: u16) -> usize {
    assert_eq!(&tiff[..2], b"II");
    let ifd = u32::from_le_bytes(tiff[4..8].try_into().unwrap()) as usize;
    let n = u16::from_le_bytes([tiff[ifd], tiff[ifd + 1]]) as usize;
    (0..n)
        .map(|i| ifd + 2 + i * 12)
        .find(|&e| u16::from_le_bytes([tiff[e], tiff[e + 1]]) == tag)
        .map(|e| e + 8)
        .expect("tag in IFD0")
}

#[test]
fn broken_gps_pointer_keeps_the_rest_and_reports() {
    let spec = phone();
    let mut tiff = exif_tiff(&spec).unwrap();
    let at = ifd0_entry_value_at(&tiff, 0x8825);
    tiff[at..at + 4].copy_from_slice(&0x00FF_FF00u32.to_le_bytes());
    let f = read(&with_exif_segment(&encode_pixels(&spec), &tiff));
    assert_eq!(f.gps, None);
    assert_eq!(
        f.camera.as_ref().and_then(|c| c.make.as_deref()),
        Some("HUAWEI")
    );
    assert_eq!(
        f.captured_at_source.as_deref(),
        Some("exif:DateTimeOriginal")
    );
    assert!(
        f.problems
            .iter()
            .any(|e| e.code == crate::problem::Code::ExifLayoutQuirk),
        "{:?}",
        f.problems
    );
}

#[test]
fn exif_cut_short_keeps_what_precedes_the_cut() {
    let spec = phone();
    let tiff = exif_tiff(&spec).unwrap();
    // kamadak's writer puts the GPS values last: losing the tail loses the position only.
    let f = read(&with_exif_segment(
        &encode_pixels(&spec),
        &tiff[..tiff.len() - 20],
    ));
    assert_eq!(f.gps, None);
    assert_eq!(
        f.camera.as_ref().and_then(|c| c.model.as_deref()),
        Some("ALP-AL00")
    );
    // What precedes the cut was read: a warning, not an unreadable file.
    assert!(
        f.problems.iter().any(|p| p.code == Code::ExifLayoutQuirk),
        "{:?}",
        f.problems
    );
    assert!(!f.has_error(), "{:?}", f.problems);
}

#[test]
fn garbage_exif_is_reported_and_size_still_read() {
    let spec = phone();
    let bytes = with_exif_segment(&encode_pixels(&spec), b"this is not a TIFF header at all");
    let f = read(&bytes);
    assert_eq!(
        f.problems.iter().map(|p| p.code).collect::<Vec<_>>(),
        vec![Code::ExifUnreadable],
        "{:?}",
        f.problems
    );
    assert!(!f.has_error(), "the picture itself is fine");
    assert_eq!((f.width, f.height), (Some(160), Some(120)));
    assert_eq!(f.captured_at, None);
}

#[test]
fn file_cut_inside_the_exif_segment_is_damaged_but_keeps_ifd0() {
    let bytes = jpeg(&phone());
    let tiff_len = exif_tiff(&phone()).unwrap().len();
    let cut = &bytes[..12 + tiff_len * 3 / 4];
    let f = read(cut);
    let codes: Vec<Code> = f.problems.iter().map(|p| p.code).collect();
    assert!(codes.contains(&Code::ImageDamaged), "{codes:?}");
    assert!(codes.contains(&Code::ExifTruncated), "{codes:?}");
    assert!(f.has_error(), "no image data at all: unusable");
    assert_eq!(
        f.camera.as_ref().and_then(|c| c.make.as_deref()),
        Some("HUAWEI")
    );
}

#[test]
fn truncated_image_data_is_reported_with_metadata_kept() {
    let bytes = jpeg(&phone());
    let f = read(&bytes[..bytes.len() * 6 / 10]);
    assert!(
        f.problems
            .iter()
            .any(|e| e.code == crate::problem::Code::JpegTruncated),
        "{:?}",
        f.problems
    );
    assert_eq!(
        f.captured_at_source.as_deref(),
        Some("exif:DateTimeOriginal")
    );
    assert_gps(&f, 36.840512, 101.951234);
}

#[test]
fn stray_bytes_between_segments_are_tolerated() {
    // libjpeg skips them with a warning and shows the picture; so do we, silently.
    let bytes = jpeg(&phone());
    let after_app1 = 4 + u16::from_be_bytes([bytes[4], bytes[5]]) as usize;
    let mut odd = bytes.clone();
    odd.splice(after_app1..after_app1, [0u8, 0x12, 0x34]);
    let f = read(&odd);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!((f.width, f.height), (Some(160), Some(120)));
    assert_eq!(
        f.captured_at_source.as_deref(),
        Some("exif:DateTimeOriginal")
    );
}

#[test]
fn garbage_after_soi_is_reported() {
    let mut bytes = vec![0xFF, 0xD8];
    bytes.extend((0..3000u32).map(|i| (i * 7 % 127) as u8));
    let f = read(&bytes);
    assert_eq!(
        f.problems.iter().map(|p| p.code).collect::<Vec<_>>(),
        vec![Code::ImageDamaged],
        "{:?}",
        f.problems
    );
    assert_eq!(f.width, None);
}

#[test]
fn no_prefix_or_bit_flip_panics() {
    let bytes = jpeg(&phone());
    let exif_end = 12 + exif_tiff(&phone()).unwrap().len();
    for n in (0..exif_end + 400).chain((exif_end + 400..bytes.len()).step_by(331)) {
        let _ = read(&bytes[..n]);
    }
    let mut x: u32 = 99;
    for _ in 0..600 {
        let mut b = bytes.clone();
        for _ in 0..3 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let i = 2 + (x as usize) % (exif_end - 2);
            b[i] ^= (x >> 8) as u8 | 1;
        }
        let _ = read(&b);
    }
}

#[test]
fn text_named_as_photo_is_reported() {
    let f = read(br#"{ "WEBP": {} }"#);
    assert!(
        f.problem_texts()
            .iter()
            .any(|e| e.contains("content is text")),
        "{:?}",
        f.problems
    );
    // Unknown binary formats are not accused of anything.
    let f = read(&[0x00, 0x01, 0x02, 0x03, 0x10, 0x20]);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
}

#[test]
fn tiff_variant_magic_is_read_as_tiff() {
    let mut tiff = exif_tiff(&phone()).unwrap();
    tiff[..4].copy_from_slice(b"IIU\0");
    let f = read(&tiff);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(
        f.camera.clone().and_then(|c| c.model).as_deref(),
        Some("ALP-AL00")
    );
    assert_gps(&f, 36.840512, 101.951234);
}

#[test]
fn exif_embedded_in_an_unknown_container_is_found() {
    let mut raw = b"FUJIFILMCCD-RAW 0201FF383501".to_vec();
    raw.extend_from_slice(&[0u8; 100]);
    raw.extend_from_slice(&jpeg(&phone()));
    let f = read(&raw);
    assert_eq!(
        f.captured_at_source.as_deref(),
        Some("exif:DateTimeOriginal")
    );
    assert_gps(&f, 36.840512, 101.951234);
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn png_with_exif_chunk() {
    let spec = phone();
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(
            &[200u8; 30 * 20 * 3],
            30,
            20,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    // eXIf goes before the image data: after the 33-byte signature + IHDR.
    let tiff = exif_tiff(&spec).unwrap();
    let mut chunk = (tiff.len() as u32).to_be_bytes().to_vec();
    let mut body = b"eXIf".to_vec();
    body.extend_from_slice(&tiff);
    chunk.extend_from_slice(&body);
    chunk.extend_from_slice(&crc32(&body).to_be_bytes());
    png.splice(33..33, chunk);
    let f = read(&png);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(
        (f.width, f.height),
        (Some(30), Some(20)),
        "IHDR size, not the EXIF claim"
    );
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2019-06-12T10:15:30+08:00"
    );
    assert_gps(&f, 36.840512, 101.951234);
}

#[test]
fn webp_with_exif_chunk() {
    let tiff = exif_tiff(&phone()).unwrap();
    let mut body = b"WEBP".to_vec();
    body.extend_from_slice(b"VP8X");
    body.extend_from_slice(&10u32.to_le_bytes());
    body.extend_from_slice(&[0x08, 0, 0, 0]); // flags: EXIF present
    body.extend_from_slice(&[(640 - 1) as u8, ((640 - 1) >> 8) as u8, 0]);
    body.extend_from_slice(&[(480 - 1) as u8, ((480 - 1) >> 8) as u8, 0]);
    body.extend_from_slice(b"EXIF");
    body.extend_from_slice(&(tiff.len() as u32).to_le_bytes());
    body.extend_from_slice(&tiff);
    if tiff.len() % 2 == 1 {
        body.push(0);
    }
    let mut webp = b"RIFF".to_vec();
    webp.extend_from_slice(&(body.len() as u32).to_le_bytes());
    webp.extend_from_slice(&body);
    let f = read(&webp);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!((f.width, f.height), (Some(640), Some(480)));
    assert_eq!(f.camera.unwrap().make.as_deref(), Some("HUAWEI"));
}

#[test]
fn bare_tiff_is_read_with_exif_size_fallback() {
    let mut spec = phone();
    spec.little_endian = false;
    let f = read(&exif_tiff(&spec).unwrap());
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!((f.width, f.height), (Some(160), Some(120)));
    assert_eq!(f.orientation, Some(6));
}

#[test]
fn heif_size_is_the_largest_ispe() {
    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }
    let ispe = |w: u32, h: u32| {
        let mut b = vec![0u8; 4];
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&h.to_be_bytes());
        bx(b"ispe", &b)
    };
    let ipco = bx(
        b"ipco",
        &[ispe(512, 512), ispe(4032, 3024), ispe(320, 240)].concat(),
    );
    let mut meta_body = vec![0u8; 4];
    meta_body.extend(bx(b"iprp", &ipco));
    let file = [
        bx(b"ftyp", b"heic\0\0\0\0mif1heic"),
        bx(b"meta", &meta_body),
    ]
    .concat();
    assert_eq!(heif_size(&file), Some((4032, 3024)));
    // Truncated anywhere: no panic, no answer invented.
    for n in 0..file.len() {
        let _ = heif_size(&file[..n]);
    }
}

#[test]
fn exif_time_parsing() {
    let p = |s: &str| parse_exif_time(s.as_bytes());
    let (dt, off) = p("2019:05:26 10:33:20").unwrap().unwrap();
    assert_eq!(dt, at(2019, 5, 26, 10, 33, 20));
    assert_eq!(off, None);
    assert_eq!(p("0000:00:00 00:00:00"), Ok(None));
    assert_eq!(p("    :  :     :  :  "), Ok(None));
    assert_eq!(p(""), Ok(None));
    assert_eq!(p("2019:00:00 00:00:00"), Ok(None));
    let (dt, off) = p("2019-05-26T10:33:20+02:00").unwrap().unwrap();
    assert_eq!((dt, off), (at(2019, 5, 26, 10, 33, 20), Some(zone(2, 0))));
    let (dt, _) = p("2019:05:26 10:33:20.009").unwrap().unwrap();
    assert_eq!(dt.and_utc().timestamp_subsec_millis(), 9);
    assert_eq!(
        p("2019:05:26 10:33").unwrap().unwrap().0,
        at(2019, 5, 26, 10, 33, 0)
    );
    assert!(p("2019:13:45 10:00:00").is_err());
    assert!(p("yesterday noon").is_err());
    assert!(p("19:05:26 10:33:20").is_err());
}

#[test]
fn offset_parsing() {
    assert_eq!(parse_offset(b"+08:00"), Ok(Some(zone(8, 0))));
    assert_eq!(parse_offset(b"-05:30"), Ok(Some(zone(-5, 30))));
    assert_eq!(parse_offset(b"+0800"), Ok(Some(zone(8, 0))));
    assert_eq!(parse_offset(b"   :  "), Ok(None));
    assert!(parse_offset(b"08:00").is_err());
    assert!(parse_offset(b"+25:00").is_err());
}

/// The configuration's forms (`[time] default_offset`) and the camera's go through one parser.
#[test]
fn utc_offsets_as_configured_and_as_written_by_cameras() {
    assert_eq!(parse_utc_offset("+08:00"), Some(zone(8, 0)));
    assert_eq!(parse_utc_offset("-0530"), Some(zone(-5, 30)));
    assert_eq!(parse_utc_offset("Z"), Some(zone(0, 0)));
    assert_eq!(parse_utc_offset(" +06:00 "), Some(zone(6, 0)));
    assert_eq!(parse_utc_offset("+08"), Some(zone(8, 0)));
    assert_eq!(parse_utc_offset("8"), None);
    assert_eq!(parse_utc_offset("08:00"), None);
    assert_eq!(parse_utc_offset("+25:00"), None);
    assert_eq!(parse_utc_offset("+08:75"), None);
    assert_eq!(parse_utc_offset("+08::00"), None);
    assert_eq!(parse_utc_offset(""), None);
}

#[test]
fn degree_layouts_and_zero_denominators() {
    let r = |num, denom| exif::Rational { num, denom };
    let dms = Value::Rational(vec![r(36, 1), r(50, 1), r(2, 1)]);
    assert!((degrees(&dms).unwrap() - (36.0 + 50.0 / 60.0 + 2.0 / 3600.0)).abs() < 1e-12);
    // "seconds not recorded" as 0/0
    let dm = Value::Rational(vec![r(36, 1), r(504, 10), r(0, 0)]);
    assert!((degrees(&dm).unwrap() - 36.84).abs() < 1e-12);
    let bad = Value::Rational(vec![r(36, 0), r(0, 1), r(0, 1)]);
    assert!(degrees(&bad).is_err());
    assert!(degrees(&Value::Double(vec![f64::NAN])).is_err());
}

// The sample evidence tree (`crate::sample::generate`) read back by the extractor: each photo
// as its spec says, and each deliberate oddity visible.

fn facts(dir: &Path, rel: &str) -> Facts {
    let mut f = Facts::default();
    extract(
        &fs::read(dir.join(rel)).unwrap(),
        &Limits::default(),
        &mut f,
    );
    f
}

#[test]
fn sample_photos_read_back_as_specified() {
    let dir = tempfile::tempdir().unwrap();
    let s = generate(dir.path()).unwrap();
    for file in s.entries.iter().filter(|f| f.photo.is_some()) {
        let spec = file.photo.as_ref().unwrap();
        let mut f = Facts::default();
        extract(
            &fs::read(dir.path().join(&file.path)).unwrap(),
            &Limits::default(),
            &mut f,
        );
        let shown = file.path.display();
        // A photo whose clock was unset says so with one placeholder warning.
        let expected: &[Code] = if spec.zero_dates {
            &[Code::DatePlaceholder]
        } else {
            &[]
        };
        assert_eq!(
            f.problems.iter().map(|p| p.code).collect::<Vec<_>>(),
            expected,
            "{shown}: {:?}",
            f.problems
        );
        assert_eq!(
            (f.width, f.height),
            (Some(spec.width), Some(spec.height)),
            "{shown}"
        );
        assert_eq!(f.captured_at, spec.expected_capture(zone(8, 0)), "{shown}");
        match spec.gps {
            Some((lat, lon)) => {
                let g = f.gps.unwrap();
                assert!(
                    (g.lat - lat).abs() < 1e-6 && (g.lon - lon).abs() < 1e-6,
                    "{shown}: {g:?}"
                );
            }
            None => assert_eq!(f.gps, None, "{shown}"),
        }
        assert_eq!(
            f.camera.as_ref().and_then(|c| c.make.clone()),
            spec.make,
            "{shown}"
        );
        assert_eq!(
            f.software,
            spec.software.as_ref().map(|s| s.trim().to_string()),
            "{shown}"
        );
    }
}

#[test]
fn oddities_are_visible_to_the_extractor() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path()).unwrap();
    let d = dir.path();
    let misplaced = facts(d, "海东市/乐都区/A2 农牧民科学素质/农牧民培训现场.jpg")
        .gps
        .unwrap();
    assert!((misplaced.lat - 36.585).abs() < 0.01 && (misplaced.lon - 101.743).abs() < 0.01);
    let old = facts(d, "海东市/互助县/D3 科普之冬/IMG_20151220_142211.jpg");
    assert_eq!(old.captured_at.unwrap().format("%Y").to_string(), "2015");
    let edited = facts(d, "海北州/海晏县/B4.2 流动科技馆巡展/展板设计.jpg");
    assert!(edited.software.unwrap().contains("Photoshop"));
    assert!(
        edited.modified_at.unwrap() - edited.captured_at.unwrap() > chrono::Duration::days(200)
    );
    let undated = facts(d, "玉树州/称多县/A2 农牧民科学素质/宣传册封面.jpg");
    assert_eq!(undated.captured_at, None);
    let wechat = facts(
        d,
        "海南州/共和县/C5 社会动员与宣传/微信图片_20180903152233.jpg",
    );
    assert!(wechat.problems.is_empty() && wechat.camera.is_none() && wechat.width == Some(540));
    let cut = facts(d, "玉树州/称多县/A2 农牧民科学素质/IMG_20200716_090112.jpg");
    assert!(
        cut.problems
            .iter()
            .any(|e| e.code == crate::problem::Code::JpegTruncated),
        "{:?}",
        cut.problems
    );
    assert!(cut.captured_at.is_some(), "metadata before the cut is kept");
    let garbage = facts(d, "玉树州/称多县/A2 农牧民科学素质/IMG_20200716_090530.jpg");
    assert!(
        garbage
            .problems
            .iter()
            .any(|e| e.code == crate::problem::Code::ImageDamaged),
        "{:?}",
        garbage.problems
    );
}
