//! The flags an inspector sees: each raised when its evidence is there, and only then.

use super::*;

#[test]
fn flag_gps_outside_prefecture() {
    let mut f = fx("海东市/x.jpg");
    f.facts.gps = Some(Gps {
        lat: 36.62,
        lon: 101.78,
    });
    let t = one(f.clone());
    let r = flag_reason(&t, "gps_outside_prefecture");
    assert!(
        r.starts_with("GPS 36.62,101.78 lies in 西宁市 (")
            && r.contains("km inside its border), but the folder says 海东市 ("),
        "{r}"
    );
    // The same reason in Chinese names both sides too, and carries its values as params.
    let zh = flag_reason_in(&t, "gps_outside_prefecture", crate::i18n::Lang::Zh);
    assert!(
        zh.starts_with("GPS 36.62,101.78 位于西宁市境内（距边界 ")
            && zh.contains("而文件夹标为海东市（相距 "),
        "{zh}"
    );
    let stored = t
        .flags
        .iter()
        .find(|f| f.flag == "gps_outside_prefecture")
        .unwrap();
    assert_eq!(stored.params["actual"], "西宁市");
    assert_eq!(stored.params["claimed"], "海东市");
    assert_eq!(stored.params["said_by"], "folder");
    // Named by the file, not a folder: the reason says which.
    let mut named = f.clone();
    named.rel = "未分类/海东市科普活动.jpg".into();
    let r = flag_reason(&one(named), "gps_outside_prefecture").to_string();
    assert!(r.contains("file name says 海东市 ("), "{r}");
    // Agreeing GPS: no flag. No GPS or 0,0: no flag.
    f.rel = "西宁市/x.jpg".into();
    assert!(!has_flag(&one(f.clone()), "gps_outside_prefecture"));
    f.rel = "海东市/x.jpg".into();
    f.facts.gps = Some(Gps { lat: 0.0, lon: 0.0 });
    assert!(!has_flag(&one(f.clone()), "gps_outside_prefecture"));
    // Outside Qinghai altogether.
    f.facts.gps = Some(Gps {
        lat: 39.9,
        lon: 116.4,
    });
    assert!(flag_reason(&one(f), "gps_outside_prefecture").contains("outside Qinghai"));
}

#[test]
fn a_point_just_across_the_border_is_not_flagged() {
    let s = schema();
    // Walk from 海东 toward 西宁 and stop at the first point the datum-shifted position leaves 海东.
    let (a, b) = (
        Gps {
            lat: 36.50,
            lon: 102.10,
        },
        Gps {
            lat: 36.62,
            lon: 101.78,
        },
    );
    let mut p = a;
    for i in 1..=4000 {
        let t = i as f64 / 4000.0;
        p = Gps {
            lat: a.lat + (b.lat - a.lat) * t,
            lon: a.lon + (b.lon - a.lon) * t,
        };
        if s.locate(p).prefecture.as_deref() != Some("630200") {
            break;
        }
    }
    let loc = s.locate(p);
    assert_ne!(loc.prefecture.as_deref(), Some("630200"));
    assert!(s.distance_to_region_km("630200", loc.gcj02).unwrap() < UNCERTAIN_KM);
    let mut f = fx("海东市/x.jpg");
    f.facts.gps = Some(p);
    let t = one(f);
    assert!(!has_flag(&t, "gps_outside_prefecture"), "{:?}", t.flags);
    assert_eq!(t.prefecture.as_ref().unwrap().code, "630200");
}

#[test]
fn flag_date_outside_period() {
    let mut f = fx("海东市/B4.1/x.jpg");
    f.facts.captured_at = Some(at("2015-06-01T09:00:00+08:00"));
    f.facts.captured_at_source = Some("exif:DateTimeOriginal".into());
    let r = flag_reason(&one(f.clone()), "date_outside_period");
    assert!(
        r.contains("2015-06-01") && r.contains("before") && r.contains("2016-01-01 to 2020-12-31"),
        "{r}"
    );
    let zh = flag_reason_in(
        &one(f.clone()),
        "date_outside_period",
        crate::i18n::Lang::Zh,
    );
    assert_eq!(
        zh,
        "拍摄于 2015-06-01（exif:DateTimeOriginal），早于检查期 2016-01-01 至 2020-12-31"
    );
    f.facts.captured_at = Some(at("2021-01-01T00:30:00+08:00"));
    assert!(has_flag(&one(f.clone()), "date_outside_period"));
    f.facts.captured_at = Some(at("2020-12-31T23:30:00+08:00"));
    assert!(
        !has_flag(&one(f.clone()), "date_outside_period"),
        "the last day counts, in local time"
    );
    // A document written after the period (a final summary) is not flagged.
    let mut d = f.clone();
    d.facts.media = Some(Media::Document);
    d.facts.captured_at = Some(at("2021-03-01T09:00:00+08:00"));
    assert!(!has_flag(&one(d), "date_outside_period"));
    // The period comes from the config.
    let cfg = TagConfig {
        period_end: chrono::NaiveDate::from_ymd_opt(2019, 12, 31).unwrap(),
        ..TagConfig::default()
    };
    assert!(has_flag(&run_cfg(&cfg, &[f])[0], "date_outside_period"));
}

#[test]
fn flag_duplicate_across_submissions() {
    let mut a = fx("海东市/B4.1/a.jpg");
    let mut b = fx("西宁市/B4.1/a_copy.jpg");
    let mut c = fx("西宁市/B4.1/again.jpg");
    let mut d = fx("海东市/B4.1/a2.jpg");
    for x in [&mut a, &mut b, &mut c] {
        x.blake3 = Some("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262".into());
    }
    d.blake3 = Some("00".repeat(32));
    let mut e = d.clone();
    e.rel = "海东市/B4.1/a2 - 副本.jpg".into();
    let t = run(&[a, b, c, d, e]);
    let r = flag_reason(&t[0], "duplicate_across_submissions");
    assert!(
        r.contains("西宁市/B4.1/a_copy.jpg") && r.contains("af1349b9f5f9"),
        "{r}"
    );
    assert!(
        has_flag(&t[1], "duplicate_across_submissions")
            && has_flag(&t[2], "duplicate_across_submissions")
    );
    // Two copies under the same prefecture and indicator are a plain duplicate, not a flag.
    assert!(
        !has_flag(&t[3], "duplicate_across_submissions")
            && !has_flag(&t[4], "duplicate_across_submissions")
    );
}

#[test]
fn flag_possibly_edited() {
    let mut f = fx("海东市/B4.1/x.jpg");
    for sw in [
        "Adobe Photoshop CC 2019 (Windows)",
        "美图秀秀",
        "MeituXiuXiu",
        "Snapseed 2.0",
        "醒图",
        "Adobe Photoshop Lightroom Classic 9.0",
    ] {
        f.facts.software = Some(sw.into());
        assert!(
            flag_reason(&one(f.clone()), "possibly_edited").contains(sw),
            "{sw}"
        );
    }
    for sw in ["iPhone 12 14.2", "HUAWEI P30 V1.0", "Ver.1.00"] {
        f.facts.software = Some(sw.into());
        assert!(!has_flag(&one(f.clone()), "possibly_edited"), "{sw}");
    }
    f.facts.software = None;
    f.facts.modified_at = Some(at("2018-07-25T10:00:00+08:00")); // 66 days after capture
    assert!(flag_reason(&one(f.clone()), "possibly_edited").contains("66 days"));
    f.facts.modified_at = Some(at("2018-05-21T10:00:00+08:00"));
    assert!(!has_flag(&one(f.clone()), "possibly_edited"));
    let cfg = TagConfig {
        edit_gap_days: 0,
        ..TagConfig::default()
    };
    assert!(has_flag(&run_cfg(&cfg, &[f])[0], "possibly_edited"));
}

#[test]
fn flag_no_capture_date_only_for_photos_and_videos() {
    let mut f = fx("海东市/B4.1/x.jpg");
    f.facts.captured_at = None;
    assert!(has_flag(&one(f.clone()), "no_capture_date"));
    f.facts.media = Some(Media::Video);
    assert!(flag_reason(&one(f.clone()), "no_capture_date").starts_with("the video's"));
    // A picture that went through WeChat: the advice is to ask for the original (原图).
    let mut wechat = fx("海东市/B4.1/微信图片_20190903152233.jpg");
    wechat.facts.captured_at = None;
    let zh = flag_reason_in(&one(wechat), "no_capture_date", crate::i18n::Lang::Zh);
    assert!(zh.contains("原图"), "{zh}");
    f.facts.media = Some(Media::Document);
    assert!(!has_flag(&one(f), "no_capture_date"));
}

#[test]
fn flag_no_indicator_and_unreadable() {
    let t = one(fx("海东市/IMG_0001.jpg"));
    assert!(has_flag(&t, "no_indicator"));
    assert!(!has_flag(
        &one(fx("海东市/B4.1/IMG_0001.jpg")),
        "no_indicator"
    ));
    let mut f = fx("海东市/B4.1/broken.jpg");
    f.unreadable = true;
    f.facts.problems = vec![crate::problem::Problem::detail(
        crate::problem::Code::ImageDamaged,
        "JPEG ends before its first image",
    )];
    let t = one(f);
    let r = flag_reason(&t, "unreadable");
    assert!(r.contains("JPEG ends before"), "{r}");
}

#[test]
fn facets_use_names_for_places_and_codes_for_indicators() {
    let t = one(fx("西宁市/城中区/B4.1/IMG_0001.jpg"));
    assert_eq!(
        facet_paths(schema(), &t),
        ["/place/西宁市/城中区", "/indicator/B/B4/B4.1"]
    );
    let t = one(fx("海北藏族自治州/IMG_0001.jpg"));
    let f = facet_paths(schema(), &t);
    assert_eq!(f, ["/place/海北州", "/flag/no_indicator"]);
}

#[test]
fn hostile_names_do_not_panic() {
    let names = [
        "",
        "/",
        "\\\\server\\share\\",
        "....",
        "a/b/c/d/e/f/g/h/i/j/k/l.jpg",
        "\u{FFFD}\u{0}\u{202E}.jpg",
        "B4.",
        "B",
        "B4-",
        "A1.1.1.1.1.1.1",
    ];
    for n in names {
        let _ = one(fx(n));
    }
    // A hash that is not hex (a corrupted catalog row) still makes a readable reason.
    let mut a = fx("海东市/a.jpg");
    let mut b = fx("西宁市/a.jpg");
    a.blake3 = Some("哈希值哈希值哈希值哈希值哈希值".into());
    b.blake3 = a.blake3.clone();
    let mut bad = fx("海东市/nan.jpg");
    bad.facts.gps = Some(Gps {
        lat: f64::NAN,
        lon: f64::INFINITY,
    });
    let t = run(&[a, b, bad]);
    assert!(has_flag(&t[0], "duplicate_across_submissions"));
    assert!(!has_flag(&t[2], "gps_outside_prefecture"));
}

/// Opt-in: `EVIDENCE_DEV_CORPUS=/path/to/shared/corpus cargo test --lib tag::`. Runs the tagger
/// over the real corpus names with the GPS and Software exiftool read, checking that real-world
/// names raise no false places or codes, editors are recognised and camera firmware is not.
#[test]
fn corpus_names_software_and_gps() {
    let Some(dir) = std::env::var_os("EVIDENCE_DEV_CORPUS") else {
        return;
    };
    let path = std::path::Path::new(&dir).join("reference/exiftool.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    let entries: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let mut files = Vec::new();
    for e in &entries {
        let rel = e["SourceFile"]
            .as_str()
            .unwrap_or("")
            .trim_start_matches("./")
            .to_string();
        let mut f = fx(&rel);
        f.root = "/corpus".into();
        f.facts.software = [
            "EXIF:Software",
            "XMP:Software",
            "PNG:Software",
            "QuickTime:Software",
        ]
        .iter()
        .find_map(|k| e[*k].as_str().map(str::to_string));
        let num = |k: &str| e[k].as_f64();
        if let (Some(lat), Some(lon)) =
            (num("Composite:GPSLatitude"), num("Composite:GPSLongitude"))
        {
            f.facts.gps = Some(Gps { lat, lon });
        }
        files.push(f);
    }
    assert!(files.len() > 100);
    let tags = run(&files);
    let editors = [
        "photoshop",
        "gimp",
        "lightroom",
        "paint.net",
        "darktable",
        "digikam",
    ];
    let mut seen_editor = 0;
    for (f, t) in files.iter().zip(&tags) {
        assert!(
            t.prefecture.is_none(),
            "{}: false place {:?}",
            f.rel,
            t.prefecture
        );
        assert!(
            t.indicators.iter().all(|i| i.source != "path"),
            "{}: false code {:?}",
            f.rel,
            t.indicators
        );
        if let Some(sw) = &f.facts.software {
            let low = sw.to_lowercase();
            if editors.iter().any(|e| low.contains(e)) {
                seen_editor += 1;
                assert!(
                    has_flag(t, "possibly_edited"),
                    "{}: {sw} not recognised",
                    f.rel
                );
            }
            let firmware = low.starts_with("ver")
                || low.contains(" v1.")
                || low.starts_with("hdr+")
                || low.chars().all(|c| c.is_ascii_digit() || c == '.');
            if firmware {
                assert!(
                    !has_flag(t, "possibly_edited"),
                    "{}: firmware {sw} taken for an editor",
                    f.rel
                );
            }
        }
        if let Some(p) = f.facts.gps {
            // None of the corpus photos was taken in Qinghai.
            assert_eq!(schema().locate(p).prefecture, None, "{}: {p:?}", f.rel);
        }
    }
    assert!(seen_editor >= 5);
}

#[test]
fn folder_names_matched_once_tag_like_each_file_alone() {
    // Shared folders, a file named like a folder ("B4.1"), a file directly under the root, and
    // root folders that are themselves places: the memo must change nothing.
    let mut files = vec![
        fx("海东市/互助县/B4.1 科普大篷车/IMG_0001.jpg"),
        fx("海东市/互助县/B4.1 科普大篷车/B4.1.jpg"),
        fx("海东市/互助县/B4.1 科普大篷车/威远镇 科技活动周.jpg"),
        fx("海东市/乐都区/全国科普日/现场.jpg"),
        fx("根目录的照片.jpg"),
    ];
    let mut rooted = fx("B2 科普日/照片.jpg");
    rooted.root = "/mnt/证据/西宁市".into();
    files.push(rooted);
    let input = inputs(&files);
    let manifests = Manifests::build(&input);
    let memo = FolderMemo::build(schema(), input.iter().map(|f| (f.root, f.rel_path)));
    let cfg = TagConfig::default();
    for f in &input {
        let alone = tag_one(schema(), &cfg, f, &manifests, &FolderMemo::default());
        assert_eq!(
            tag_one(schema(), &cfg, f, &manifests, &memo),
            alone,
            "{}",
            f.rel_path
        );
    }
    let first = tag_one(schema(), &cfg, &input[0], &manifests, &memo);
    assert_eq!(
        codes(&first).1.as_deref(),
        Some("630223"),
        "the county comes from a memoised folder"
    );
    assert!(
        first.indicators.iter().any(|i| i.code == "B4.1"),
        "{:?}",
        first.indicators
    );
}

#[test]
fn a_document_written_before_the_period_is_flagged_and_one_written_after_is_not() {
    let mut f = fx("海东市/B4.1/2014年通知.pdf");
    f.facts.media = Some(Media::Document);
    f.facts.captured_at = None;
    f.facts.doc_created = Some(at("2014-03-02T09:00:00+08:00"));
    let zh = flag_reason_in(
        &one(f.clone()),
        "date_outside_period",
        crate::i18n::Lang::Zh,
    );
    assert!(
        zh.starts_with("文档创建于 2014-03-02（doc_created），早于检查期"),
        "{zh}"
    );
    // A summary written after the period is what an inspection expects.
    f.facts.doc_created = Some(at("2021-02-01T09:00:00+08:00"));
    assert!(!has_flag(&one(f), "date_outside_period"));
}

/// The search fields' flag table (what `flag:` and the sidebar accept, in both languages) and
/// the tagger's flags are one list: a new flag is searchable by its name and its label, and the
/// record schema knows it.
#[test]
fn every_flag_the_tagger_raises_can_be_searched() {
    let searchable: Vec<&str> = crate::fields::FLAGS.iter().map(|(n, _)| *n).collect();
    let raised: Vec<&str> = Flag::ALL.iter().map(|f| f.as_str()).collect();
    assert_eq!(searchable, raised);
    let schema = include_str!("../../../archive-schema/record.schema.json");
    for f in raised {
        assert!(
            schema.contains(&format!("\"{f}\"")),
            "{f} in record.schema.json"
        );
    }
}
