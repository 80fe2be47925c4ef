//! Flags with a next step (issue 22, item 2) and the small fixes of item 7, through the
//! binary: what to do about each flag, marking one checked or explained (and reopening it),
//! the ledger's count switch, system files, collection items named by their file name, and
//! the archive folder remembered between commands.

use chrono::NaiveDate;

use crate::harness::{record_validator, Env};

const NOTE: &str = "省级通知，各市州依规都应报送";

/// A provincial circular filed by two prefectures (a duplicate across submissions), a WeChat
/// picture without a date, a photo taken before the assessment period, and the files Windows,
/// macOS and WPS leave in folders.
fn indexed() -> Env {
    let env = Env::new();
    let circular = "青海省科协关于开展2019年科普日活动的通知";
    env.write("海东市/B4.1科普大篷车/省科协通知.txt", circular);
    env.write("西宁市/B4.1科普大篷车/省科协通知.txt", circular);
    let plain = archive::sample::jpeg::jpeg(&archive::sample::PhotoSpec::default());
    env.write("海东市/B4.1科普大篷车/微信图片_20190601.jpg", &plain);
    let old = archive::sample::PhotoSpec {
        date_time_original: NaiveDate::from_ymd_opt(2014, 5, 2)
            .and_then(|d| d.and_hms_opt(10, 0, 0)),
        pattern: archive::sample::Pattern::Scene(3),
        ..Default::default()
    };
    env.write(
        "海东市/B4.1科普大篷车/IMG_0001.jpg",
        archive::sample::jpeg::jpeg(&old),
    );
    env.write(
        "西宁市/B4.1科普大篷车/IMG_0001.jpg",
        b"not a photo at all, a text\n",
    );
    for sys in [
        "Thumbs.db",
        "desktop.ini",
        ".DS_Store",
        "~$活动总结.docx",
        "._IMG_0001.jpg",
    ] {
        env.write(
            &format!("海东市/B4.1科普大篷车/{sys}"),
            format!("{sys} bytes"),
        );
        env.write(&format!("西宁市/{sys}"), format!("{sys} bytes"));
    }
    let (code, _) = env.index();
    assert_ne!(code, 1);
    env
}

fn flag<'a>(rec: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    rec["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flag"] == name)
        .unwrap_or_else(|| panic!("no {name} in {rec}"))
}

#[test]
fn a_flag_says_what_to_do_and_can_be_explained_then_reopened() {
    let env = indexed();
    let circular = env.evidence.join("海东市/B4.1科普大篷车/省科协通知.txt");
    let circular = circular.to_str().unwrap();
    let wechat = env.show(
        env.evidence
            .join("海东市/B4.1科普大篷车/微信图片_20190601.jpg")
            .to_str()
            .unwrap(),
    );
    let advice = flag(&wechat, "no_capture_date")["advice"].as_str().unwrap();
    assert!(advice.contains("Original image"), "{advice}");
    let zh = env.run(&["--lang", "zh", "show", circular]);
    assert!(zh.stdout.contains("怎么办"), "{}", zh.stdout);
    assert!(
        zh.stdout.contains("已说明"),
        "the advice names the way out: {}",
        zh.stdout
    );
    let before = env.search("", &["flag=duplicate_across_submissions"]);
    assert_eq!(before.len(), 2, "both copies need checking");

    // The note is required, and the flag must be one the file raises.
    let r = env.run(&[
        "flag",
        "resolve",
        circular,
        "duplicate_across_submissions",
        "--as",
        "explained",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let r = env.run(&[
        "flag",
        "resolve",
        circular,
        "gps_outside_prefecture",
        "--as",
        "checked",
        "--note",
        "x",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("gps_outside_prefecture"), "{}", r.stderr);
    let r = env.run(&[
        "flag",
        "resolve",
        circular,
        "同一文件重复报送",
        "--as",
        "已说明",
        "--note",
        NOTE,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("2 file(s)"), "{}", r.stdout);

    // Both copies carry the decision; neither needs checking any more.
    for p in ["海东市", "西宁市"] {
        let rec = env.show(
            env.evidence
                .join(format!("{p}/B4.1科普大篷车/省科协通知.txt"))
                .to_str()
                .unwrap(),
        );
        let f = flag(&rec, "duplicate_across_submissions");
        assert_eq!(f["resolved"]["state"], "explained", "{f}");
        assert_eq!(f["resolved"]["note"], NOTE);
    }
    assert!(env
        .search("", &["flag=duplicate_across_submissions"])
        .is_empty());
    let shown = env.run(&["--lang", "zh", "show", circular]).stdout;
    assert!(
        shown.contains("已说明（") && shown.contains(NOTE),
        "{shown}"
    );
    let audit = env.run(&["audit", "--json"]);
    assert!(audit.stdout.contains("flag.resolve"), "{}", audit.stdout);
    assert_eq!(env.run(&["audit", "verify"]).code, 0);

    let r = env.run(&[
        "flag",
        "reopen",
        circular,
        "duplicate_across_submissions",
        "--note",
        "通知版本不同，需再核对",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        env.search("", &["flag=duplicate_across_submissions"]).len(),
        2
    );
    let rec = env.show(circular);
    assert!(flag(&rec, "duplicate_across_submissions")
        .get("resolved")
        .is_none());
    // Reopening what is open is refused.
    let r = env.run(&[
        "flag",
        "reopen",
        circular,
        "duplicate_across_submissions",
        "--note",
        "x",
    ]);
    assert_eq!(r.code, 1);
}

#[test]
fn a_settled_flag_travels_into_the_package() {
    let env = indexed();
    let circular = env.evidence.join("海东市/B4.1科普大篷车/省科协通知.txt");
    let circular = circular.to_str().unwrap();
    assert_eq!(
        env.run(&[
            "flag",
            "resolve",
            circular,
            "duplicate_across_submissions",
            "--as",
            "explained",
            "--note",
            NOTE
        ])
        .code,
        0
    );
    assert_eq!(env.run(&["collection", "create", "检查"]).code, 0);
    assert_eq!(env.run(&["collection", "add", "检查", circular]).code, 0);
    let out = env.archive.with_file_name("pkg");
    let r = env.run(&[
        "export",
        "--collection",
        "检查",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains(NOTE) && index.contains("已说明"),
        "index.html carries the note"
    );
    let csv = std::fs::read_to_string(out.join("ledger.csv")).unwrap();
    assert!(csv.contains(NOTE), "{csv}");
}

#[test]
fn system_files_are_catalogued_but_never_tagged_flagged_or_counted() {
    let env = indexed();
    let thumbs = env.show(
        env.evidence
            .join("海东市/B4.1科普大篷车/Thumbs.db")
            .to_str()
            .unwrap(),
    );
    assert_eq!(thumbs["system"], true, "{thumbs}");
    assert!(thumbs["flags"].as_array().unwrap().is_empty(), "{thumbs}");
    assert!(thumbs["prefecture"].is_null() && thumbs["indicators"].as_array().unwrap().is_empty());
    // Nothing of them in the facets, nor in any ledger.
    assert!(env
        .search("", &["flag=no_indicator"])
        .iter()
        .all(|h| h["record"]["system"].is_null()));
    let all = env
        .run(&["report", "--count", "all", "--format", "json"])
        .json();
    // 2 circulars, the WeChat picture, the two IMG_0001.jpg: the ten system files are not there.
    assert_eq!(all["total"], 5, "{all}");
}

#[test]
fn the_ledger_counts_the_period_by_default_and_says_so() {
    let env = indexed();
    let period = env.run(&["report", "--format", "json"]).json();
    assert_eq!(period["counted"], "period");
    assert_eq!(period["total"], 4, "the 2014 photo is out: {period}");
    let all = env
        .run(&["report", "--count", "all", "--format", "json"])
        .json();
    assert_eq!(all["total"], 5);
    let table = env.run(&["--lang", "zh", "report"]).stdout;
    assert!(table.contains("只计考核期内的文件（默认）"), "{table}");
    // Rejected in a review: out of the "accepted" count only.
    let wechat = env
        .evidence
        .join("海东市/B4.1科普大篷车/微信图片_20190601.jpg");
    let wechat = wechat.to_str().unwrap();
    assert_eq!(env.run(&["collection", "create", "初审"]).code, 0);
    assert_eq!(env.run(&["collection", "add", "初审", wechat]).code, 0);
    let r = env.run(&[
        "collection",
        "review",
        "初审",
        wechat,
        "--reject",
        "--reason",
        "无原图",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let accepted = env
        .run(&["report", "--count", "accepted", "--format", "json"])
        .json();
    assert_eq!(accepted["total"], 4, "{accepted}");
    assert_eq!(
        env.run(&["report", "--count", "all", "--format", "json"])
            .json()["total"],
        5
    );
    let bad = env.run(&["report", "--count", "some"]);
    assert_eq!(bad.code, 2, "clap refuses an unknown value: {}", bad.stderr);
    // Settling the date flag (the camera clock was wrong) brings the photo back into the period.
    let old = env.evidence.join("海东市/B4.1科普大篷车/IMG_0001.jpg");
    let r = env.run(&[
        "flag",
        "resolve",
        old.to_str().unwrap(),
        "date_outside_period",
        "--as",
        "checked",
        "--note",
        "相机时钟未设置，活动在2019年",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(env.run(&["report", "--format", "json"]).json()["total"], 5);
}

#[test]
fn collection_items_can_be_named_by_their_file_name() {
    let env = indexed();
    let hd = env.evidence.join("海东市/B4.1科普大篷车/IMG_0001.jpg");
    let xn = env.evidence.join("西宁市/B4.1科普大篷车/IMG_0001.jpg");
    let wechat = env
        .evidence
        .join("海东市/B4.1科普大篷车/微信图片_20190601.jpg");
    assert_eq!(env.run(&["collection", "create", "海东"]).code, 0);
    for p in [&hd, &wechat] {
        assert_eq!(
            env.run(&["collection", "add", "海东", p.to_str().unwrap()])
                .code,
            0
        );
    }
    let r = env.run(&["collection", "review", "海东", "IMG_0001.jpg", "--accept"]);
    assert_eq!(r.code, 0, "unambiguous inside the collection: {}", r.stderr);
    let shown = env.run(&["collection", "show", "海东", "--json"]).json();
    let item = shown["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with("IMG_0001.jpg"))
        .unwrap()
        .clone();
    assert_eq!(item["review"], "accepted", "{shown}");
    // Two items of that name: the message lists both paths.
    assert_eq!(
        env.run(&["collection", "add", "海东", xn.to_str().unwrap()])
            .code,
        0
    );
    let r = env.run(&["collection", "review", "海东", "IMG_0001.jpg", "--accept"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("海东市/B4.1科普大篷车/IMG_0001.jpg")
            && r.stderr.contains("西宁市/B4.1科普大篷车/IMG_0001.jpg"),
        "{}",
        r.stderr
    );
    // The end of the path tells them apart.
    let r = env.run(&[
        "collection",
        "review",
        "海东",
        "西宁市/B4.1科普大篷车/IMG_0001.jpg",
        "--reject",
        "--reason",
        "不是照片",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A name that is in no item is still an error naming it.
    let r = env.run(&["collection", "review", "海东", "IMG_9999.jpg", "--accept"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("IMG_9999.jpg"), "{}", r.stderr);
}

#[test]
fn the_archive_folder_is_remembered_not_taken_from_the_current_folder() {
    let env = indexed();
    let remembered = std::fs::read_to_string(env.user_config()).unwrap();
    assert_eq!(
        std::path::PathBuf::from(remembered.trim()),
        std::path::absolute(&env.archive).unwrap()
    );
    // From another folder, without --archive or ARCHIVE_DIR: the remembered archive, said so.
    let elsewhere = env.archive.with_file_name("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_archive"))
        .current_dir(&elsewhere)
        .env_remove("ARCHIVE_DIR")
        .env("ARCHIVE_LANG", "en")
        .env("ARCHIVE_USER_CONFIG", env.user_config())
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("last archive folder") && stderr.contains(env.archive.to_str().unwrap()),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("省科协通知.txt"));
    assert!(
        !elsewhere.join("archive-data").exists(),
        "nothing made in the current folder"
    );
    // ARCHIVE_DIR wins over the remembered folder.
    let other = env.archive.with_file_name("other-archive");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_archive"))
        .current_dir(&elsewhere)
        .env("ARCHIVE_DIR", &other)
        .env("ARCHIVE_LANG", "en")
        .env("ARCHIVE_USER_CONFIG", env.user_config())
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("other-archive"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn settled_flags_advice_and_system_files_follow_the_record_schema() {
    let env = indexed();
    let circular = env.evidence.join("海东市/B4.1科普大篷车/省科协通知.txt");
    let r = env.run(&[
        "flag",
        "resolve",
        circular.to_str().unwrap(),
        "duplicate_across_submissions",
        "--as",
        "checked",
        "--note",
        NOTE,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let validator = record_validator();
    let records = env.run(&["list", "--json"]).json_lines();
    assert!(records.iter().any(|r| r["system"] == true));
    assert!(records
        .iter()
        .any(|r| r.to_string().contains("\"resolved\"")));
    assert!(records.iter().any(|r| r.to_string().contains("\"advice\"")));
    for rec in &records {
        let errors: Vec<String> = validator
            .iter_errors(rec)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{rec}\n{errors:#?}");
    }
}
