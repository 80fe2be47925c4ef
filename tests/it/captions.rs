//! Photo captions (issue 18, item 1) through the binary: set for files and a collection,
//! imported from a table (refused whole with the bad rows named), shown by `archive show` and
//! `--json`, found by search, counted by completeness, audited, and following the record schema.

use chrono::NaiveDate;

use crate::harness::{names, record_validator, Env};

/// Three photos in two prefectures (two share a file name) and a document.
fn indexed() -> Env {
    let env = Env::new();
    let photo = |scene: u32, day: u32| {
        archive::sample::jpeg::jpeg(&archive::sample::PhotoSpec {
            date_time_original: NaiveDate::from_ymd_opt(2019, 6, day)
                .and_then(|d| d.and_hms_opt(10, 30, 0)),
            pattern: archive::sample::Pattern::Scene(scene),
            ..Default::default()
        })
    };
    env.write("海东市/互助县/B4.1科普大篷车/IMG_0001.jpg", photo(1, 3));
    env.write("海东市/互助县/B4.1科普大篷车/IMG_0002.jpg", photo(2, 4));
    env.write("西宁市/城东区/B4.1科普大篷车/IMG_0001.jpg", photo(3, 5));
    env.write(
        "西宁市/城东区/B4.1科普大篷车/总结.txt",
        "科普大篷车活动总结",
    );
    let (code, _) = env.index();
    assert_ne!(code, 1);
    env
}

fn path(env: &Env, rel: &str) -> String {
    env.evidence.join(rel).to_str().unwrap().to_string()
}

#[test]
fn a_caption_is_shown_searched_faceted_and_audited() {
    let env = indexed();
    let p1 = path(&env, "海东市/互助县/B4.1科普大篷车/IMG_0001.jpg");
    // Before: every photo has an empty caption with the place and time filled from the file.
    let before = env.show(&p1);
    assert_eq!(
        before["caption"]["place"], "海东市 互助土族自治县",
        "{before}"
    );
    assert_eq!(before["caption"]["taken"], "2019-06-03 10:30");
    assert_eq!(
        env.search("", &["caption=none"]).len(),
        3,
        "all three photos lack a caption"
    );
    let r = env.run(&[
        "caption",
        "set",
        &p1,
        "--title",
        "互助县科普大篷车进校园",
        "--photographer",
        "卓玛",
        "--people",
        "县科协 李明",
        "--background",
        "2019年科普日",
        "--description",
        "学生围观机器人演示",
        "--reason",
        "照片说明补录",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rec = env.show(&p1);
    let c = &rec["caption"];
    assert_eq!(c["title"], "互助县科普大篷车进校园");
    assert_eq!(c["people"], "县科协 李明");
    assert_eq!(c["prefilled"], serde_json::json!(["place", "taken"]));
    // Words of the caption find the photo, and only it.
    assert_eq!(
        names(&env.search("机器人演示", &[])),
        vec!["IMG_0001.jpg".to_string()]
    );
    assert_eq!(env.search("卓玛", &[]).len(), 1);
    assert_eq!(env.search("", &["caption=完整"]).len(), 1);
    assert_eq!(env.search("", &["caption=缺人物"]).len(), 2);
    // The terminal shows the fields by their DA/T 50 names.
    let shown = env.run(&["--lang", "zh", "show", &p1]).stdout;
    for want in [
        "照片说明",
        "题名",
        "互助县科普大篷车进校园",
        "摄影者",
        "取自拍摄时间",
    ] {
        assert!(shown.contains(want), "{want} missing in:\n{shown}");
    }
    // Audited with the content and what it was before.
    let audit = env.run(&["audit", "--json"]).json_lines();
    let e = audit
        .iter()
        .find(|e| e["action"] == "caption.set")
        .expect("caption.set entry");
    assert_eq!(e["reason"], "照片说明补录");
    let b3 = rec["blake3"].as_str().unwrap();
    assert!(e["details"]["before"][b3].is_null());
    assert_eq!(e["details"]["after"][b3]["photographer"], "卓玛");
    // Clearing a field is a change too; setting the same again is none.
    let r = env.run(&["caption", "set", &p1, "--people", ""]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(env.show(&p1)["caption"].get("people").is_none());
    let r = env.run(&["caption", "set", &p1, "--photographer", "卓玛"]);
    assert!(
        r.stdout.contains("for 0 contents (1 already"),
        "{}",
        r.stdout
    );
    assert_eq!(env.run(&["audit", "verify"]).code, 0);
}

#[test]
fn a_collection_is_captioned_at_once() {
    let env = indexed();
    assert_eq!(env.run(&["collection", "create", "互助展示"]).code, 0);
    let a = path(&env, "海东市/互助县/B4.1科普大篷车/IMG_0001.jpg");
    let b = path(&env, "海东市/互助县/B4.1科普大篷车/IMG_0002.jpg");
    assert_eq!(env.run(&["collection", "add", "互助展示", &a, &b]).code, 0);
    let r = env.run(&[
        "caption",
        "set",
        "--collection",
        "互助展示",
        "--photographer",
        "才让",
        "--background",
        "2019年科普大篷车巡展",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(env.search("才让", &[]).len(), 2);
    assert_eq!(
        env.show(&b)["caption"]["background"],
        "2019年科普大篷车巡展"
    );
    let c = env.show(&path(&env, "西宁市/城东区/B4.1科普大篷车/IMG_0001.jpg"));
    assert!(c["caption"].get("photographer").is_none());
}

#[test]
fn an_import_with_a_bad_row_writes_nothing_and_a_good_one_writes_all() {
    let env = indexed();
    let xining = path(&env, "西宁市/城东区/B4.1科普大篷车/IMG_0001.jpg");
    let b3 = env.show(&xining)["blake3"].as_str().unwrap().to_string();
    let dir = env.archive.parent().unwrap().to_path_buf();
    // Row 3: a name two photos share; row 4: a file the archive does not hold.
    let bad = dir.join("说明.csv");
    std::fs::write(
        &bad,
        "文件名,题名,摄影者,人物\nIMG_0002.jpg,大篷车进社区,卓玛,\nIMG_0001.jpg,重名,卓玛,\nIMG_9999.jpg,没有,卓玛,\n",
    )
    .unwrap();
    let r = env.run(&["caption", "import", bad.to_str().unwrap()]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("第 3 行") && r.stderr.contains("第 4 行"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("第 2 行"), "{}", r.stderr);
    assert!(
        env.search("大篷车进社区", &[]).is_empty(),
        "nothing written"
    );
    // Keyed by a name, a path and a BLAKE3 prefix.
    let good = dir.join("说明2.csv");
    std::fs::write(
        &good,
        format!(
            "照片说明登记表\n文件名,题名,摄影者,人物,背景,文字说明\nIMG_0002.jpg,大篷车进社区,卓玛,群众,科普日,演示\n\"{}\",城东区科普,才让,,,\n{},城东区科普,才让,,,\n",
            path(&env, "海东市/互助县/B4.1科普大篷车/IMG_0001.jpg"),
            &b3[..12]
        ),
    )
    .unwrap();
    let r = env.run(&["caption", "import", good.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("3 rows imported"), "{}", r.stdout);
    assert_eq!(
        names(&env.search("大篷车进社区", &[])),
        vec!["IMG_0002.jpg"]
    );
    assert_eq!(env.search("城东区科普", &[]).len(), 2);
    assert_eq!(env.show(&xining)["caption"]["photographer"], "才让");
    let audit = env.run(&["audit", "--json"]).json_lines();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e["action"] == "caption.import")
            .count(),
        1,
        "one entry for the whole import"
    );
}

#[test]
fn captions_follow_the_record_schema() {
    let env = indexed();
    let p = path(&env, "西宁市/城东区/B4.1科普大篷车/总结.txt");
    let r = env.run(&["caption", "set", &p, "--title", "活动总结"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let validator = record_validator();
    let records = env.run(&["list", "--json"]).json_lines();
    assert_eq!(
        records
            .iter()
            .filter(|r| r.get("caption").is_some())
            .count(),
        4,
        "three photos and the captioned document"
    );
    for rec in &records {
        let errors: Vec<String> = validator
            .iter_errors(rec)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{rec}\n{errors:#?}");
    }
}

#[test]
fn a_package_carries_the_captions_and_the_contact_sheet() {
    let env = indexed();
    let p1 = path(&env, "海东市/互助县/B4.1科普大篷车/IMG_0001.jpg");
    let r = env.run(&[
        "caption",
        "set",
        &p1,
        "--title",
        "互助县科普大篷车进校园",
        "--people",
        "县科协 李明 & <学生>",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(env.run(&["collection", "create", "互助"]).code, 0);
    let r = env.run(&[
        "collection",
        "add",
        "互助",
        "--query",
        "",
        "--filter",
        "prefecture=海东市",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = env.archive.parent().unwrap().join("pkg");
    let r = env.run(&[
        "export",
        "--collection",
        "互助",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let xml = std::fs::read_to_string(out.join("captions.xml")).unwrap();
    assert!(xml.contains("<题名>互助县科普大篷车进校园</题名>"), "{xml}");
    assert!(
        xml.contains("<人物>县科协 李明 &amp; &lt;学生&gt;</人物>"),
        "escaped: {xml}"
    );
    assert!(xml.contains("<地点>海东市 互助土族自治县</地点>"), "{xml}");
    assert_eq!(xml.matches("<照片 ").count(), 2, "{xml}");
    assert!(xml.contains("<SHA-256>"), "{xml}");
    let csv = std::fs::read_to_string(out.join("ledger.csv")).unwrap();
    assert!(
        csv.contains(",题名,摄影者,人物,背景,文字说明,摄影地点,摄影时间"),
        "the ledger's caption columns"
    );
    assert!(
        csv.contains("互助县科普大篷车进校园,,县科协 李明 & <学生>,,,海东市 互助土族自治县,"),
        "{csv}"
    );
    let pdf = std::fs::read(out.join("contact-sheet.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let r = env.run(&["verify", out.to_str().unwrap()]);
    assert_eq!(
        r.code, 0,
        "the package with its new files verifies: {}",
        r.stdout
    );
    if std::path::Path::new("/usr/bin/pdftotext").exists() {
        let text = std::process::Command::new("pdftotext")
            .arg(out.join("contact-sheet.pdf"))
            .arg("-")
            .output()
            .unwrap();
        let text: String = String::from_utf8_lossy(&text.stdout)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert!(text.contains("互助县科普大篷车进校园"), "{text}");
    }
}
