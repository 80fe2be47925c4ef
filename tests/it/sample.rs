//! The bundled sample evidence, end to end: exact photo metadata, tags with their sources,
//! every flag, filters by place/indicator/flag, and the coverage ledger's counts.

use std::os::unix::ffi::OsStrExt;

use chrono::FixedOffset;

use crate::harness::{names, Env};

fn indexed_sample() -> (Env, archive::sample::SampleSummary) {
    let env = Env::new();
    let summary = archive::sample::generate(&env.evidence).unwrap();
    (env, summary)
}

fn record_for<'a>(records: &'a [serde_json::Value], rel: &str) -> &'a serde_json::Value {
    records
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with(rel))
        .unwrap_or_else(|| panic!("{rel} not catalogued"))
}

fn flags(r: &serde_json::Value) -> Vec<String> {
    r["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["flag"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn photo_metadata_is_exact() {
    let (env, summary) = indexed_sample();
    let (code, run) = env.index();
    assert_eq!(code, 2, "the sample holds two damaged JPEGs: {run}");
    let records = env.run(&["list", "--json"]).json_lines();
    assert_eq!(records.len(), summary.files);
    let east8 = FixedOffset::east_opt(8 * 3600).unwrap();
    let mut checked = 0;
    for entry in &summary.entries {
        let Some(spec) = &entry.photo else { continue };
        let rel = String::from_utf8_lossy(entry.path.as_os_str().as_bytes()).into_owned();
        let Some(r) = records.iter().find(|r| {
            let p = r["path"].as_str().unwrap();
            p.ends_with(&rel)
                || r["path_bytes_hex"].is_string() && p.ends_with(rel.rsplit('/').next().unwrap())
        }) else {
            continue; // the GBK-named photo is matched by its decoded name below
        };
        if !r["errors"].as_array().unwrap().is_empty() {
            continue; // damaged on purpose
        }
        let expected = spec.expected_capture(east8).map(|t| t.to_rfc3339());
        assert_eq!(
            r["captured_at"].as_str().map(str::to_string),
            expected,
            "{rel}"
        );
        match spec.gps {
            Some((lat, lon)) => {
                assert!(
                    (r["gps"]["lat"].as_f64().unwrap() - lat).abs() < 1e-6,
                    "{rel}: {}",
                    r["gps"]
                );
                assert!(
                    (r["gps"]["lon"].as_f64().unwrap() - lon).abs() < 1e-6,
                    "{rel}: {}",
                    r["gps"]
                );
            }
            None => assert!(r["gps"].is_null(), "{rel}"),
        }
        assert_eq!(
            r["camera"]["make"].as_str(),
            spec.make.as_deref().map(str::trim),
            "{rel}"
        );
        assert_eq!(
            r["camera"]["model"].as_str(),
            spec.model.as_deref().map(str::trim),
            "{rel}"
        );
        assert_eq!(
            (r["width"].as_u64(), r["height"].as_u64()),
            (Some(spec.width as u64), Some(spec.height as u64))
        );
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} photos compared");

    // A few values spelled out, so a regression in the generator cannot hide one in the reader.
    let r = record_for(&records, "B4.1科普大篷车/IMG_20190612_101530.jpg");
    assert_eq!(r["captured_at"], "2019-06-12T10:15:30+08:00");
    assert_eq!(r["captured_at_source"], "exif:DateTimeOriginal");
    let r = record_for(&records, "D1 全国科普日/IMG_20170916_093512.jpg");
    assert_eq!(
        r["captured_at"], "2017-09-16T09:35:12.348+08:00",
        "subseconds are kept"
    );
}

#[test]
fn damaged_files_are_reported_with_their_paths_and_the_rest_is_indexed() {
    let (env, summary) = indexed_sample();
    let r = env.run(&["index", env.evidence.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout.contains("IMG_20200716_090112.jpg")
            && r.stdout.contains("IMG_20200716_090530.jpg"),
        "{}",
        r.stdout
    );
    let (_, again) = env.index();
    assert_eq!(again["present_total"].as_u64(), Some(summary.files as u64));
}

#[test]
fn tags_carry_their_sources_and_flags_their_reasons() {
    let (env, _) = indexed_sample();
    env.index();
    let records = env.run(&["list", "--json"]).json_lines();

    let r = record_for(
        &records,
        "海东市/互助县/B4.1科普大篷车/科普大篷车进校园.jpg",
    );
    assert_eq!(r["prefecture"]["name"], "海东市");
    assert_eq!(r["county"]["name"], "互助土族自治县");
    assert_eq!(r["county"]["source"], "path");
    assert_eq!(r["indicators"][0]["code"], "B4.1");

    // Historical name 同仁县 → today's 同仁市, also for the GBK-named file.
    let r = record_for(&records, "同仁县/D4 科普与青海三区建设同行/会议照片.jpg");
    assert_eq!(r["county"]["name"], "同仁市");
    assert!(r["path_bytes_hex"].is_string());

    let r = record_for(&records, "乐都区/A2 农牧民科学素质/农牧民培训现场.jpg");
    assert_eq!(flags(r), ["gps_outside_prefecture"]);
    let reason = r["flags"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("西宁市") && reason.contains("海东市"),
        "{reason}"
    );

    assert!(flags(record_for(&records, "IMG_20151220_142211.jpg"))
        .contains(&"date_outside_period".to_string()));
    assert!(flags(record_for(&records, "展板设计.jpg")).contains(&"possibly_edited".to_string()));
    assert!(flags(record_for(&records, "宣传册封面.jpg")).contains(&"no_capture_date".to_string()));
    assert!(flags(record_for(
        &records,
        "海南州/共和县/D1 全国科普日/科普日宣传.jpg"
    ))
    .contains(&"duplicate_across_submissions".to_string()));
    assert!(
        flags(record_for(&records, "IMG_20200716_090530.jpg")).contains(&"unreadable".to_string())
    );
    assert!(
        flags(record_for(&records, "西宁市/全民科学素质/DSC_0042.JPG"))
            .contains(&"no_indicator".to_string())
    );
}

#[test]
fn filters_by_place_indicator_and_flag_accept_codes_and_names() {
    let (env, _) = indexed_sample();
    env.index();
    let by_name = env.search("", &["prefecture=海东市", "indicator=B4.1"]);
    let by_code = env.search("", &["prefecture=630200", "indicator=b4.1"]);
    assert_eq!(names(&by_name), names(&by_code));
    assert!(by_name.len() >= 4, "{by_name:?}");
    assert!(by_name
        .iter()
        .all(|r| r["path"].as_str().unwrap().contains("/海东市/互助县/B4.1")));
    // A county filter narrows within the prefecture.
    let county = env.search("", &["county=互助县"]);
    assert!(county
        .iter()
        .all(|r| r["county"]["name"] == "互助土族自治县"));
    // A parent indicator finds its children.
    let b = env.search("", &["indicator=B"]);
    assert!(b.len() > by_name.len());
    let outside = env.search("", &["flag=gps_outside_prefecture"]);
    assert!(names(&outside).contains(&"农牧民培训现场.jpg".to_string()));
    let bad = env.run(&["search", "x", "--filter", "prefecture=火星"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("火星"), "{}", bad.stderr);
}

/// `blake3:` finds every file holding a content, by its full hash or by an abbreviation (the
/// index keys contents by their first 16 hex digits).
#[test]
fn a_content_is_found_by_its_hash_or_an_abbreviation() {
    let (env, _) = indexed_sample();
    env.index();
    let records = env.run(&["list", "--json"]).json_lines();
    let dup = record_for(&records, "海南州/共和县/D1 全国科普日/科普日宣传.jpg");
    let hash = dup["blake3"].as_str().unwrap().to_string();
    let holders: Vec<&serde_json::Value> = records
        .iter()
        .filter(|r| r["blake3"] == hash.as_str())
        .collect();
    assert!(holders.len() >= 2, "the sample's duplicate pair");
    let mut want: Vec<String> = holders
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    want.sort();
    let paths = |hits: &[serde_json::Value]| {
        let mut p: Vec<String> = hits
            .iter()
            .map(|r| r["path"].as_str().unwrap().to_string())
            .collect();
        p.sort();
        p
    };
    for q in [
        hash.clone(),
        hash.to_uppercase(),
        hash[..16].to_string(),
        hash[..7].to_string(),
    ] {
        let hits = env.search(&format!("blake3:{q}"), &[]);
        assert!(
            hits.iter().all(|r| r["blake3"]
                .as_str()
                .unwrap()
                .starts_with(&hash[..q.len().min(16)])),
            "{q}"
        );
        if q.len() >= 16 {
            assert_eq!(paths(&hits), want, "blake3:{q}");
        } else {
            assert!(
                paths(&hits).iter().filter(|p| want.contains(p)).count() == want.len(),
                "blake3:{q}"
            );
        }
    }
    // With a word, the hash narrows a text search to that content.
    let narrowed = paths(&env.search(&format!("blake3:{} 科普日", &hash[..12]), &[]));
    assert!(
        !narrowed.is_empty() && narrowed.iter().all(|p| want.contains(p)),
        "{narrowed:?}"
    );
    assert!(
        env.search("科普日", &[]).len() > narrowed.len(),
        "the word alone finds more"
    );
    // The catalog listing takes the same abbreviations and refuses the same non-hashes.
    let listed = env
        .run(&[
            "list",
            "--json",
            "--filter",
            &format!("blake3={}", &hash[..8]),
        ])
        .json_lines();
    assert_eq!(paths(&listed), want);
    let bad = env.run(&["list", "--filter", "blake3=xyz"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("hex digits"), "{}", bad.stderr);
    let absent = if hash.starts_with('0') {
        "1".repeat(64)
    } else {
        "0".repeat(64)
    };
    assert!(env.search(&format!("blake3:{absent}"), &[]).is_empty());
    for bad in ["blake3:xyz", "blake3:abc", "blake3:科普"] {
        let r = env.run(&["search", bad]);
        assert_eq!(r.code, 1, "{bad}: {}", r.stdout);
        assert!(r.stderr.contains("hex digits"), "{bad}: {}", r.stderr);
    }
}

#[test]
fn the_coverage_ledger_counts_files_and_marks_empty_cells() {
    let (env, _) = indexed_sample();
    env.index();
    let ledger = env.run(&["report", "--format", "json"]).json();
    let col = |name: &str| {
        ledger["columns"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c["name"] == name)
            .unwrap()
    };
    let row = |code: &str| {
        ledger["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .unwrap()
            .clone()
    };
    let haidong = col("海东市");
    let b41 = row("B4.1");
    let listed = env
        .search("", &["prefecture=海东市", "indicator=B4.1"])
        .len() as u64;
    assert_eq!(b41["cells"][haidong]["total"].as_u64(), Some(listed));
    // No evidence for A3 anywhere: every prefecture column is marked empty.
    let a3 = row("A3");
    assert_eq!(a3["empty_columns"].as_array().unwrap().len(), 8);

    // One prefecture's counties as columns.
    let counties = env
        .run(&[
            "report",
            "--format",
            "json",
            "--by",
            "county",
            "--prefecture",
            "海东",
        ])
        .json();
    let names: Vec<&str> = counties["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"互助土族自治县") || names.contains(&"互助县"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"城中区"),
        "only 海东市's counties: {names:?}"
    );

    let csv = env.run(&["report", "--format", "csv"]);
    assert!(
        csv.stdout.starts_with('\u{feff}'),
        "CSV starts with a BOM so Excel shows Chinese"
    );
    let out = env.archive.join("台账.xlsx");
    let x = env.run(&["report", "--format", "xlsx", "--out", out.to_str().unwrap()]);
    assert_eq!(x.code, 0, "{}", x.stderr);
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK"));
}

#[test]
fn retag_follows_a_changed_catalog_without_reading_files() {
    let (env, _) = indexed_sample();
    env.index();
    // The user's own rubric: only one indicator, coded differently.
    let schema = env.archive.join("my-schema");
    std::fs::create_dir_all(&schema).unwrap();
    std::fs::write(
        schema.join("indicators.toml"),
        "[meta]\ntitle = \"评分细则\"\n\n[[indicator]]\ncode = \"K1\"\nname = \"科普大篷车进基层\"\naliases = [\"科普大篷车\"]\nkeywords = [\"大篷车\"]\n",
    )
    .unwrap();
    let r = env
        .cmd()
        .args(["--schema", schema.to_str().unwrap(), "retag"])
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let hits = {
        let out = env
            .cmd()
            .args([
                "--schema",
                schema.to_str().unwrap(),
                "search",
                "",
                "--json",
                "--filter",
                "indicator=K1",
                "--limit",
                "100",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().lines().count()
    };
    assert!(hits >= 4, "files under B4.1科普大篷车 are now K1: {hits}");
}

/// An index run tags each file as it is read and settles duplicates at the end; a full retag
/// from the catalog alone must then find nothing to change, whatever the run did: a first run,
/// a copy of an old file arriving in another prefecture's folder (the old, unread file gains a
/// duplicate flag), the copy going away again, a file changing.
#[test]
fn tags_made_while_reading_equal_a_full_retag() {
    let (env, _) = indexed_sample();
    let retag_changes = |env: &Env| -> String {
        let r = env.run(&["retag"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_string()
    };
    let dup_flag = |env: &Env, rel: &str| {
        let records = env.run(&["list", "--json"]).json_lines();
        flags(record_for(&records, rel)).contains(&"duplicate_across_submissions".to_string())
    };
    env.index();
    assert_eq!(retag_changes(&env), "0");

    let original = "海东市/互助县/B4.1科普大篷车/科普大篷车进校园.jpg";
    assert!(!dup_flag(&env, original));
    let copy = "果洛州/玛沁县/B4.1科普大篷车/进校园.jpg";
    env.write(copy, std::fs::read(env.evidence.join(original)).unwrap());
    let (code, s) = env.index();
    // The sample's two damaged photos stay errors of every run (read this time or not).
    assert_eq!((code, s["files_read"].as_u64()), (2, Some(1)), "{s}");
    assert_eq!(s["errors"].as_array().map(Vec::len), Some(2), "{s}");
    assert!(
        dup_flag(&env, original),
        "the unread original now shares its content with another prefecture"
    );
    assert!(dup_flag(&env, copy));
    assert_eq!(retag_changes(&env), "0");
    let hits = env.search(
        "",
        &["flag=duplicate_across_submissions", "prefecture=海东市"],
    );
    assert!(
        names(&hits).contains(&"科普大篷车进校园.jpg".to_string()),
        "the search index follows: {hits:?}"
    );

    std::fs::remove_file(env.evidence.join(copy)).unwrap();
    env.index();
    assert!(
        !dup_flag(&env, original),
        "the copy is gone, so is the flag"
    );
    assert_eq!(retag_changes(&env), "0");
    let hits = env.search(
        "",
        &["flag=duplicate_across_submissions", "prefecture=海东市"],
    );
    assert!(
        !names(&hits).contains(&"科普大篷车进校园.jpg".to_string()),
        "{hits:?}"
    );

    env.write(
        "西宁市/城东区/A2 农牧民科学素质/培训记录.txt",
        "2020年6月 城东区 农牧民科学素质培训记录".as_bytes(),
    );
    env.index();
    assert_eq!(retag_changes(&env), "0");
    assert_eq!(
        names(&env.search("农牧民科学素质培训记录", &[])),
        ["培训记录.txt"]
    );
}
