//! Verdicts an inspector can trust: photos whose EXIF is laid out oddly but whose values were
//! read are not unreadable and do not fail the run; problems carry codes, reasons in the
//! chosen language and their parameters; the same record reads in Chinese and in English.

use archive::sample::exif_layout::{quirky_tiff, Quirk};
use archive::sample::jpeg::{encode_pixels, with_exif_segment, PhotoSpec};

use crate::harness::Env;

fn quirky_tree() -> Env {
    let env = Env::new();
    let pixels = encode_pixels(&PhotoSpec::default());
    for (i, q) in Quirk::ALL.into_iter().enumerate() {
        env.write(
            &format!("西宁市/城东区/B4.1 科普活动/现场{i:02}.jpg"),
            with_exif_segment(&pixels, &quirky_tiff(q)),
        );
    }
    // One photo whose image data really is cut short: the only error of the run.
    let whole = with_exif_segment(&pixels, &quirky_tiff(Quirk::None));
    env.write(
        "西宁市/城东区/B4.1 科普活动/传了一半.jpg",
        &whole[..whole.len() * 6 / 10],
    );
    env
}

#[test]
fn quirky_exif_is_a_warning_and_only_unusable_content_is_an_error() {
    let env = quirky_tree();
    let (code, s) = env.index();
    assert_eq!(code, 2, "one file's image data is cut short: {s}");
    let errors = s["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{s}");
    assert_eq!(errors[0]["code"], "jpeg_truncated");
    assert!(errors[0]["path"]
        .as_str()
        .unwrap()
        .ends_with("传了一半.jpg"));
    let warnings = s["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().all(|w| w["code"] == "exif_layout_quirk"),
        "{s}"
    );
    assert_eq!(
        warnings.len(),
        2,
        "next-IFD in a sub-IFD, a value past the block: {s}"
    );
    let counts = s["counts"].as_array().unwrap();
    assert!(counts.iter().any(|c| c["code"] == "exif_layout_quirk"
        && c["files"] == 2
        && c["severity"] == "warning"));

    // Only the cut file is flagged unreadable; the quirky ones carry their warning.
    let unreadable = env.search("", &["flag=unreadable"]);
    assert_eq!(unreadable.len(), 1, "{unreadable:?}");
    let quirky = env.show(
        env.evidence
            .join("西宁市/城东区/B4.1 科普活动/现场03.jpg")
            .to_str()
            .unwrap(),
    );
    assert_eq!(quirky["errors"], serde_json::json!([]));
    assert_eq!(quirky["warnings"][0]["code"], "exif_layout_quirk");
    assert!(quirky["captured_at"]
        .as_str()
        .unwrap()
        .starts_with("2019-08-16T10:21:33"));
    assert!(quirky["flags"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["flag"] != "unreadable"));
}

#[test]
fn the_same_record_in_chinese_and_in_english() {
    let env = quirky_tree();
    env.index();
    let cut = env
        .evidence
        .join("西宁市/城东区/B4.1 科普活动/传了一半.jpg");
    let cut = cut.to_str().unwrap();
    let zh = env.run(&["--lang", "zh", "show", cut, "--json"]).json();
    let en = env.run(&["--lang", "en", "show", cut, "--json"]).json();
    assert_eq!(zh["errors"][0]["code"], en["errors"][0]["code"]);
    let zh_reason = zh["errors"][0]["reason"].as_str().unwrap();
    let en_reason = en["errors"][0]["reason"].as_str().unwrap();
    assert!(zh_reason.contains("JPEG 图像数据不完整"), "{zh_reason}");
    assert!(
        en_reason.contains("JPEG image data is cut short"),
        "{en_reason}"
    );
    let flag = |r: &serde_json::Value| {
        r["flags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["flag"] == "unreadable")
            .cloned()
            .unwrap()
    };
    assert!(flag(&zh)["reason"]
        .as_str()
        .unwrap()
        .starts_with("文件无法使用："));
    assert!(flag(&en)["reason"]
        .as_str()
        .unwrap()
        .starts_with("the file cannot be used: "));
    assert_eq!(flag(&zh)["params"]["code"], "jpeg_truncated");

    // The human form: labels and reasons in the chosen language.
    let zh_text = env.run(&["--lang", "zh", "show", cut]).stdout;
    assert!(
        zh_text.contains("拍摄时间") && zh_text.contains("错误"),
        "{zh_text}"
    );
    let en_text = env.run(&["--lang", "en", "show", cut]).stdout;
    assert!(
        en_text.contains("error") && !en_text.contains("错误"),
        "{en_text}"
    );
}

#[test]
fn the_locale_chooses_the_language_and_lang_overrides_it() {
    let env = quirky_tree();
    let run = |lang_env: &str, args: &[&str]| {
        let out = env
            .cmd()
            .env_remove("ARCHIVE_LANG")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", lang_env)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let ev = env.evidence.to_str().unwrap();
    let zh = run("zh_CN.UTF-8", &["index", ev]);
    assert!(
        zh.contains("已索引") && zh.contains("无法使用的文件"),
        "{zh}"
    );
    let en = run("en_US.UTF-8", &["index", ev]);
    assert!(en.starts_with("indexed:"), "{en}");
    let forced = run("zh_CN.UTF-8", &["--lang", "en", "index", ev]);
    assert!(forced.starts_with("indexed:"), "{forced}");
}

#[test]
fn an_upgrade_reads_again_what_an_older_extractor_read() {
    let env = quirky_tree();
    env.index();
    // What a catalog written by the previous version holds: the EXIF warning as an error
    // sentence, under an older extractor version.
    let conn = rusqlite::Connection::open(env.archive.join("catalog.sqlite")).unwrap();
    conn.execute(
        "UPDATE blobs SET extractor=1,
           facts=json_set(json_remove(facts,'$.problems'),'$.errors',
                          json('[\"EXIF is corrupt: unexpected next IFD\"]'))",
        [],
    )
    .unwrap();
    drop(conn);
    let quirky = env.evidence.join("西宁市/城东区/B4.1 科普活动/现场03.jpg");
    let quirky = quirky.to_str().unwrap();
    let before = env.show(quirky);
    assert_eq!(before["errors"][0]["code"], "legacy", "{before}");

    let (_, s) = env.index();
    assert_eq!(s["files_read"], 6, "every stale file is read again: {s}");
    let after = env.show(quirky);
    assert_eq!(after["errors"], serde_json::json!([]), "{after}");
    assert_eq!(after["warnings"][0]["code"], "exif_layout_quirk");
    let (_, s) = env.index();
    assert_eq!(s["files_read"], 0, "and only once: {s}");
}

#[test]
fn the_same_evidence_gives_the_same_errors_on_every_run() {
    let env = quirky_tree();
    let (first_code, first) = env.index();
    let (again_code, again) = env.index();
    assert_eq!(again["files_read"], 0, "nothing changed: {again}");
    assert_eq!((first_code, again_code), (2, 2));
    assert_eq!(first["errors"], again["errors"], "{first}\n{again}");
    assert_eq!(again["errors"][0]["code"], "jpeg_truncated");
}
