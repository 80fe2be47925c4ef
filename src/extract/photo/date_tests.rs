//! Capture dates from every source a photo carries, on files written by `sample::dated`:
//! XMP only (Photoshop), IPTC only (agencies), ModifyDate only (labelled as the weaker
//! last-modified time), a PNG's legacy EXIF text chunk, and placeholder dates of each kind.

use chrono::{NaiveDate, NaiveDateTime};

use super::extract;
use crate::extract::{Facts, Limits};
use crate::i18n::Lang;
use crate::problem::Code;
use crate::sample::dated;
use crate::sample::jpeg::{encode_pixels, exif_tiff, jpeg, Pattern, PhotoSpec};

fn read(bytes: &[u8]) -> Facts {
    let mut f = Facts::default();
    extract(bytes, &Limits::default(), &mut f);
    f
}

fn codes(f: &Facts) -> Vec<Code> {
    f.problems.iter().map(|p| p.code).collect()
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .unwrap()
        .and_hms_opt(h, mi, s)
        .unwrap()
}

/// What Photoshop leaves after "Save for Web" with metadata: camera and software, the save
/// time as IFD0 DateTime, no DateTimeOriginal.
fn saved_by_photoshop() -> PhotoSpec {
    PhotoSpec {
        width: 96,
        height: 64,
        pattern: Pattern::Scene(3),
        make: Some("Canon".into()),
        model: Some("Canon EOS 80D".into()),
        software: Some("Adobe Photoshop CC 2019 (Windows)".into()),
        modify_date: Some(at(2020, 3, 1, 18, 0, 0)),
        ..PhotoSpec::default()
    }
}

#[test]
fn xmp_date_wins_over_the_last_modified_time() {
    let plain = jpeg(&saved_by_photoshop());
    let packet = dated::xmp_packet(
        &[
            ("xmp:CreateDate", "2019-06-03T10:15:00"),
            ("xmp:ModifyDate", "2020-03-01T18:00:00+08:00"),
        ],
        &[("exif:DateTimeOriginal", "2019-06-03T10:14:59.50+08:00")],
    );
    let f = read(&dated::with_xmp(&plain, &packet));
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2019-06-03T10:14:59.500+08:00"
    );
    assert_eq!(
        f.captured_at_source.as_deref(),
        Some("xmp:DateTimeOriginal")
    );
    assert_eq!(
        f.modified_at.unwrap().to_rfc3339(),
        "2020-03-01T18:00:00+08:00",
        "ModifyDate stays the modify time"
    );

    // Only photoshop:DateCreated, a date alone, as older Photoshop writes.
    let packet = dated::xmp_packet(&[("photoshop:DateCreated", "2018-09-15")], &[]);
    let f = read(&dated::with_xmp(&plain, &packet));
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2018-09-15T00:00:00+08:00"
    );
    assert_eq!(f.captured_at_source.as_deref(), Some("xmp:DateCreated"));
}

#[test]
fn iptc_date_created_dates_a_photo_without_exif_dates() {
    let plain = jpeg(&saved_by_photoshop());
    let f = read(&dated::with_iptc(&plain, "20190915", Some("143000+0800")));
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2019-09-15T14:30:00+08:00"
    );
    assert_eq!(f.captured_at_source.as_deref(), Some("iptc:DateCreated"));

    // A date without a time: that day's midnight in the configured zone.
    let f = read(&dated::with_iptc(&plain, "20190915", None));
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2019-09-15T00:00:00+08:00"
    );

    // DateTimeOriginal in EXIF still comes first.
    let mut spec = saved_by_photoshop();
    spec.date_time_original = Some(at(2019, 9, 14, 9, 0, 0));
    let f = read(&dated::with_iptc(&jpeg(&spec), "20190915", None));
    assert_eq!(
        f.captured_at_source.as_deref(),
        Some("exif:DateTimeOriginal")
    );
}

#[test]
fn modify_date_alone_is_the_capture_time_labelled_as_last_modified() {
    let f = read(&jpeg(&saved_by_photoshop()));
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2020-03-01T18:00:00+08:00"
    );
    assert_eq!(f.captured_at_source.as_deref(), Some("exif:ModifyDate"));
    assert_eq!(codes(&f), vec![Code::DateIsModifyDate]);
    assert!(!f.has_error());
    let zh = f.problems[0].reason(Lang::Zh);
    assert!(zh.contains("最后修改时间"), "{zh}");
    let en = f.problems[0].reason(Lang::En);
    assert!(en.contains("last-modified time"), "{en}");
}

#[test]
fn placeholder_dates_of_each_kind_are_ignored_with_a_warning() {
    let future = chrono::Utc::now().naive_utc() + chrono::Duration::days(400);
    for (when, shown) in [
        (at(1970, 1, 1, 8, 0, 0), "1970-01-01T08:00:00+08:00"),
        (at(1980, 1, 1, 0, 0, 0), "1980-01-01T00:00:00+08:00"),
        (at(1904, 1, 1, 0, 0, 0), "1904-01-01T00:00:00+08:00"),
        (at(2000, 1, 1, 0, 0, 0), "2000-01-01T00:00:00+08:00"),
        (future, ""),
    ] {
        let spec = PhotoSpec {
            date_time_original: Some(when),
            create_date: Some(when),
            make: Some("Xiaomi".into()),
            ..PhotoSpec::default()
        };
        let f = read(&jpeg(&spec));
        assert_eq!(f.captured_at, None, "{when}");
        assert_eq!(
            codes(&f),
            vec![Code::DatePlaceholder, Code::DatePlaceholder],
            "{when}: {:?}",
            f.problems
        );
        assert_eq!(f.problems[0].params["tag"], "EXIF DateTimeOriginal");
        if !shown.is_empty() {
            assert_eq!(f.problems[0].params["value"], shown);
        }
        assert!(f.problems[0].reason(Lang::Zh).contains("占位日期"));
    }

    // 2000-01-01 with any real time is a real date; and a placeholder DateTimeOriginal falls
    // back to the next real source.
    let spec = PhotoSpec {
        date_time_original: Some(at(2000, 1, 1, 0, 0, 1)),
        ..PhotoSpec::default()
    };
    assert!(read(&jpeg(&spec)).captured_at.is_some());
    let spec = PhotoSpec {
        date_time_original: Some(at(1970, 1, 1, 0, 0, 0)),
        create_date: Some(at(2019, 6, 1, 9, 0, 0)),
        ..PhotoSpec::default()
    };
    let f = read(&jpeg(&spec));
    assert_eq!(f.captured_at_source.as_deref(), Some("exif:CreateDate"));
    assert_eq!(codes(&f), vec![Code::DatePlaceholder]);

    // Zero dates in XMP and IPTC, as well.
    let plain = encode_pixels(&PhotoSpec::default());
    let packet = dated::xmp_packet(&[("xmp:CreateDate", "0000-00-00T00:00:00")], &[]);
    let f = read(&dated::with_xmp(&plain, &packet));
    assert_eq!(
        (f.captured_at, codes(&f)),
        (None, vec![Code::DatePlaceholder])
    );
    let f = read(&dated::with_iptc(&plain, "00000000", None));
    assert_eq!(
        (f.captured_at, codes(&f)),
        (None, vec![Code::DatePlaceholder])
    );
}

#[test]
fn png_with_exif_in_a_legacy_text_chunk_is_dated() {
    let spec = PhotoSpec {
        date_time_original: Some(at(2004, 6, 21, 23, 37, 53)),
        make: Some("Canon".into()),
        model: Some("Canon PowerShot S40".into()),
        ..PhotoSpec::default()
    };
    let tiff = exif_tiff(&spec).unwrap();
    for compressed in [true, false] {
        let f = read(&dated::png_with_raw_profile(&tiff, compressed));
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(
            f.captured_at.unwrap().to_rfc3339(),
            "2004-06-21T23:37:53+08:00",
            "compressed: {compressed}"
        );
        assert_eq!(
            f.captured_at_source.as_deref(),
            Some("exif:DateTimeOriginal")
        );
        assert_eq!(
            f.camera.as_ref().and_then(|c| c.model.as_deref()),
            Some("Canon PowerShot S40")
        );
        assert_eq!((f.width, f.height), (Some(8), Some(8)));
    }

    // XMP in an iTXt chunk.
    let packet = dated::xmp_packet(
        &[("exif:DateTimeOriginal", "2004-06-21T23:37:53+01:00")],
        &[],
    );
    let f = read(&dated::png_with_xmp(&packet));
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2004-06-21T23:37:53+01:00"
    );
    assert_eq!(
        f.captured_at_source.as_deref(),
        Some("xmp:DateTimeOriginal")
    );
}
