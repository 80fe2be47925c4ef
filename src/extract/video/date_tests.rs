//! Video capture dates from what nom-exif does not read: QuickTime's movie header alone, AVI's
//! `IDIT`/`ICRD`, placeholder header times; each on a file written by `sample::dated`.

use chrono::{TimeZone, Utc};

use super::*;
use crate::sample::{dated, media};

fn read(data: &[u8]) -> Facts {
    let mut f = Facts::default();
    extract_bytes(data, &Limits::default(), &mut f);
    f
}

fn codes(f: &Facts) -> Vec<Code> {
    f.problems.iter().map(|p| p.code).collect()
}

#[test]
fn quicktime_with_only_its_movie_header_is_dated_by_it() {
    let t = Utc.with_ymd_and_hms(2017, 9, 16, 1, 30, 0).unwrap();
    let data = dated::mov_mvhd_only(t);
    let f = read(&data);
    assert_eq!(f.captured_at.unwrap(), t);
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2017-09-16T09:30:00+08:00",
        "UTC shown in the configured zone"
    );
    assert_eq!(
        f.captured_at_source.as_deref(),
        Some("quicktime:CreateDate")
    );
    assert_eq!(f.captured_at_alt, None);

    // The same from disk, where the moov is found by seeking.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("录屏.mov");
    std::fs::write(&p, &data).unwrap();
    let mut g = Facts::default();
    extract_file(&p, &Limits::default(), &mut g);
    assert_eq!(g.captured_at, f.captured_at);
    assert_eq!(g.captured_at_source, f.captured_at_source);
}

#[test]
fn quicktime_epoch_and_future_header_times_are_placeholders_with_a_warning() {
    for t in [
        Utc.with_ymd_and_hms(1904, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap(),
        Utc::now() + chrono::Duration::days(400),
    ] {
        let f = read(&media::mp4(t, 1.0, 320, 240, None, None));
        assert_eq!(f.captured_at, None, "{t}");
        assert_eq!(codes(&f), vec![Code::DatePlaceholder], "{t}");
        assert!(!f.has_error());
        assert_eq!(f.problems[0].params["tag"], "QuickTime CreateDate");
        assert_eq!(f.duration_s, Some(1.0), "the rest is still read");
    }
}

#[test]
fn apple_key_far_from_the_header_keeps_both_and_notes_it() {
    let header = Utc.with_ymd_and_hms(2018, 7, 1, 1, 0, 0).unwrap();
    let local = chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2018, 6, 30, 18, 0, 0)
        .unwrap();
    let f = read(&media::mp4_with(&media::Mp4Spec {
        creation: header,
        duration_s: 3.0,
        width: 1280,
        height: 720,
        gps: None,
        make_model: Some(("Apple", "iPhone 8")),
        apple_creationdate: Some(local),
        brand: *b"qt  ",
    }));
    assert_eq!(f.captured_at, Some(local), "Apple's local time is kept");
    assert_eq!(f.captured_at_source.as_deref(), Some("apple:creationdate"));
    assert_eq!(f.captured_at_alt.unwrap(), header);
    assert_eq!(codes(&f), vec![Code::VideoDatesDiffer]);
    let zh = f.problems[0].reason(crate::i18n::Lang::Zh);
    assert!(zh.contains("2018-06-30T18:00:00+08:00"), "{zh}");
    assert!(zh.contains("2018-07-01T09:00:00+08:00"), "{zh}");
}

#[test]
fn avi_is_dated_by_idit_else_icrd() {
    let f = read(&dated::avi(
        Some("Mon Mar 03 09:44:56 2003\n"),
        Some("2003-03-01"),
    ));
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2003-03-03T09:44:56+08:00"
    );
    assert_eq!(f.captured_at_source.as_deref(), Some("riff:IDIT"));
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert!(
        f.text_status
            .as_deref()
            .unwrap()
            .contains("only the capture date read"),
        "{:?}",
        f.text_status
    );

    let f = read(&dated::avi(None, Some("2003-03-01")));
    assert_eq!(f.captured_at_source.as_deref(), Some("riff:ICRD"));
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2003-03-01T00:00:00+08:00"
    );

    // A camera with an unset clock: the placeholder is refused, not shown as 1980.
    let f = read(&dated::avi(Some("1980:01:01 00:00:00"), None));
    assert_eq!(f.captured_at, None);
    assert_eq!(codes(&f), vec![Code::DatePlaceholder]);

    let f = read(&dated::avi(None, None));
    assert_eq!(f.captured_at, None);
    assert!(f.problems.is_empty());
    assert!(f.text_status.unwrap().contains("not supported"));
}
