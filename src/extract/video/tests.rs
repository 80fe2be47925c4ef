//! Videos made by `sample::media`, read back; and the opt-in corpus check against ExifTool.

use super::*;
use crate::sample::media;
use chrono::{TimeZone, Utc};

fn read(data: &[u8]) -> Facts {
    let mut f = Facts::default();
    extract_bytes(data, &Limits::default(), &mut f);
    f
}

#[test]
fn android_mp4_time_duration_size_gps_exact() {
    let t = Utc.with_ymd_and_hms(2019, 3, 15, 2, 30, 0).unwrap();
    let data = media::mp4(
        t,
        12.345,
        1920,
        1080,
        Some((36.6171, 101.7782)),
        Some(("HUAWEI", "VOG-AL00")),
    );
    let f = read(&data);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2019-03-15T10:30:00+08:00"
    );
    assert_eq!(f.captured_at.unwrap(), t);
    assert_eq!(
        f.captured_at_source.as_deref(),
        Some("quicktime:CreateDate")
    );
    assert_eq!(f.duration_s, Some(12.345));
    assert_eq!((f.width, f.height), (Some(1920), Some(1080)));
    let gps = f.gps.unwrap();
    assert_eq!((gps.lat, gps.lon), (36.6171, 101.7782));
    let cam = f.camera.unwrap();
    assert_eq!(cam.make.as_deref(), Some("HUAWEI"));
    assert_eq!(cam.model.as_deref(), Some("VOG-AL00"));
}

#[test]
fn apple_creationdate_keeps_phone_offset_and_source() {
    let t = Utc.with_ymd_and_hms(2018, 7, 1, 1, 0, 0).unwrap();
    let local = FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2018, 7, 1, 9, 0, 5)
        .unwrap();
    let data = media::mp4_with(&media::Mp4Spec {
        creation: t,
        duration_s: 3.0,
        width: 1280,
        height: 720,
        gps: Some((-33.8688, 151.2093)),
        make_model: Some(("Apple", "iPhone 8")),
        apple_creationdate: Some(local),
        brand: *b"qt  ",
    });
    let f = read(&data);
    assert_eq!(
        f.captured_at.unwrap().to_rfc3339(),
        "2018-07-01T09:00:05+08:00"
    );
    assert_eq!(f.captured_at_source.as_deref(), Some("apple:creationdate"));
    // QuickTime's own header (UTC) is shown beside Apple's key, in the configured zone.
    assert_eq!(
        f.captured_at_alt.unwrap().to_rfc3339(),
        "2018-07-01T09:00:00+08:00"
    );
    assert_eq!(
        f.captured_at_alt_source.as_deref(),
        Some("quicktime:CreateDate")
    );
    assert!(
        f.problems.is_empty(),
        "5 s apart is one moment, no note: {:?}",
        f.problems
    );
    let gps = f.gps.unwrap();
    assert_eq!((gps.lat, gps.lon), (-33.8688, 151.2093));
}

#[test]
fn quicktime_zero_time_is_unset_not_1904() {
    let zero = Utc.with_ymd_and_hms(1904, 1, 1, 0, 0, 0).unwrap();
    let f = read(&media::mp4(zero, 1.0, 320, 240, None, None));
    assert_eq!(f.captured_at, None);
    assert_eq!(f.captured_at_source, None);
    assert_eq!(f.duration_s, Some(1.0));
    assert_eq!(f.gps, None);
}

#[test]
fn large_file_path_reads_the_same() {
    let t = Utc.with_ymd_and_hms(2020, 10, 1, 0, 0, 0).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("活动.mp4");
    std::fs::write(&p, media::mp4(t, 60.0, 640, 480, Some((36.0, 100.0)), None)).unwrap();
    let mut f = Facts::default();
    extract_file(&p, &Limits::default(), &mut f);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(f.captured_at.unwrap(), t);
    assert_eq!(f.duration_s, Some(60.0));
}

#[test]
fn dash_brand_is_read_from_memory_and_from_disk() {
    let t = Utc.with_ymd_and_hms(2020, 10, 1, 0, 0, 0).unwrap();
    let data = media::mp4_with(&media::Mp4Spec {
        creation: t,
        duration_s: 5.0,
        width: 640,
        height: 360,
        gps: None,
        make_model: None,
        apple_creationdate: None,
        brand: *b"iso5",
    });
    let f = read(&data);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(f.captured_at.unwrap(), t);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("dash.mp4");
    std::fs::write(&p, &data).unwrap();
    let mut f = Facts::default();
    extract_file(&p, &Limits::default(), &mut f);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(f.duration_s, Some(5.0));
}

#[test]
fn truncated_moov_is_an_error_not_a_panic() {
    let f = read(&media::mp4_truncated_moov());
    // The movie header before the cut still dates the file.
    assert_eq!(
        f.captured_at_source.as_deref(),
        Some("quicktime:CreateDate"),
        "{:?}",
        f.captured_at
    );
    assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
    assert_eq!(f.problems[0].code, Code::VideoTruncated, "{:?}", f.problems);
    assert!(f.has_error());
}

#[test]
fn zero_bytes_and_text_named_mp4() {
    let f = read(&[]);
    assert_eq!(f.problems[0].code, Code::EmptyFile);
    let f = read(b"this is not really a video, just 42 bytes.");
    assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
}

#[test]
fn unsupported_container_is_a_note_not_an_error() {
    let mut avi = b"RIFF\x00\x10\x00\x00AVI LIST".to_vec();
    avi.extend_from_slice(&[0u8; 64]);
    let f = read(&avi);
    assert!(f.problems.is_empty());
    assert!(f
        .text_status
        .unwrap()
        .contains("AVI container is not supported"));
}

#[test]
fn iso6709_forms() {
    let g = parse_iso6709("+36.6171+101.7782+2260.000/").unwrap();
    assert_eq!((g.lat, g.lon), (36.6171, 101.7782));
    let g = parse_iso6709("-3352.128+15112.558/").unwrap();
    assert!(
        (g.lat + 33.8688).abs() < 1e-9 && (g.lon - 151.2093).abs() < 1e-9,
        "{g:?}"
    );
    assert_eq!(parse_iso6709("+00.0000+000.0000/"), None);
    assert_eq!(parse_iso6709("+95.0+10.0/"), None);
    assert_eq!(parse_iso6709("garbage"), None);
    assert_eq!(parse_iso6709("+"), None);
}

/// Opt-in: every video of the development corpus against ExifTool's answers.
/// `EVIDENCE_DEV_CORPUS=/work/shared/corpus cargo test --lib corpus_videos -- --nocapture`
#[test]
fn corpus_videos_against_exiftool() {
    let Some(root) = std::env::var_os("EVIDENCE_DEV_CORPUS").map(std::path::PathBuf::from) else {
        eprintln!("EVIDENCE_DEV_CORPUS not set: corpus test skipped");
        return;
    };
    let Ok(json) = std::fs::read_to_string(root.join("reference/exiftool.json")) else {
        eprintln!(
            "no reference/exiftool.json under {}: skipped",
            root.display()
        );
        return;
    };
    let refs: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let limits = Limits::default();
    let (
        mut dates,
        mut dates_ok,
        mut durs,
        mut durs_ok,
        mut gps,
        mut gps_ok,
        mut sizes,
        mut sizes_ok,
    ) = (0, 0, 0, 0, 0, 0, 0, 0);
    for r in &refs {
        let rel = r["SourceFile"].as_str().unwrap().trim_start_matches("./");
        if !rel.starts_with("videos/") {
            continue;
        }
        let data = std::fs::read(root.join(rel)).unwrap();
        let f = crate::extract::extract_bytes(rel, std::sync::Arc::new(data), &limits);
        let mut notes = Vec::new();
        if let Some(d) = r["QuickTime:CreateDate"]
            .as_str()
            .filter(|d| !d.starts_with("0000"))
        {
            dates += 1;
            let want = chrono::NaiveDateTime::parse_from_str(d, "%Y:%m:%d %H:%M:%S")
                .unwrap()
                .and_utc();
            match f.captured_at {
                Some(got) if (got.timestamp() - want.timestamp()).abs() <= 60 => dates_ok += 1,
                got => notes.push(format!("date {got:?} vs exiftool {d} UTC")),
            }
        } else if r["QuickTime:CreateDate"].as_str().is_some() && f.captured_at.is_some() {
            notes.push(format!(
                "date {:?} where exiftool says unset",
                f.captured_at
            ));
        }
        let dur = ["QuickTime:Duration", "Matroska:Duration"]
            .iter()
            .find_map(|k| r[*k].as_f64());
        if let Some(d) = dur {
            durs += 1;
            match f.duration_s {
                Some(got) if (got - d).abs() <= 0.002 => durs_ok += 1,
                got => notes.push(format!("duration {got:?} vs {d}")),
            }
        }
        if let (Some(lat), Some(lon)) = (
            r["Composite:GPSLatitude"].as_f64(),
            r["Composite:GPSLongitude"].as_f64(),
        ) {
            gps += 1;
            match f.gps {
                Some(g) if (g.lat - lat).abs() < 1e-3 && (g.lon - lon).abs() < 1e-3 => gps_ok += 1,
                got => notes.push(format!("gps {got:?} vs {lat},{lon}")),
            }
        }
        let w = ["QuickTime:ImageWidth", "Matroska:ImageWidth"]
            .iter()
            .find_map(|k| r[*k].as_u64());
        let h = ["QuickTime:ImageHeight", "Matroska:ImageHeight"]
            .iter()
            .find_map(|k| r[*k].as_u64());
        if let (Some(w), Some(h)) = (w, h) {
            sizes += 1;
            if f.width == Some(w as u32) && f.height == Some(h as u32) {
                sizes_ok += 1;
            } else {
                notes.push(format!("size {:?}x{:?} vs {w}x{h}", f.width, f.height));
            }
        }
        eprintln!(
            "{rel}: at={:?} src={:?} dur={:?} gps={:?} cam={:?} status={:?} errors={:?} {}",
            f.captured_at.map(|t| t.to_rfc3339()),
            f.captured_at_source,
            f.duration_s,
            f.gps,
            f.camera.as_ref().and_then(|c| c.label()),
            f.text_status,
            f.problems,
            if notes.is_empty() {
                String::new()
            } else {
                format!("MISMATCH {notes:?}")
            }
        );
    }
    eprintln!(
        "videos vs exiftool: dates {dates_ok}/{dates}, durations {durs_ok}/{durs}, gps {gps_ok}/{gps}, sizes {sizes_ok}/{sizes}"
    );
}
