//! Authenticity signals, each a reason a person can check: an AI-generated label (GB 45438
//! XMP, C2PA) raises `ai_generated`; a camera's photo re-compressed with its EXIF kept, and a
//! photo whose EXIF thumbnail shows another picture, raise `possibly_edited`; the same
//! phone's photo straight from the camera raises neither. In both languages.

use archive::sample::authenticity as a;

use super::harness::Env;

const DIR: &str = "海东市/乐都区/B4.1科普大篷车";

fn flags_of(records: &[serde_json::Value], name: &str) -> Vec<(String, String)> {
    let r = records
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("{name} not catalogued"));
    r["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["flag"].as_str().unwrap().to_string(),
                f["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn reason<'a>(flags: &'a [(String, String)], flag: &str) -> Option<&'a str> {
    flags
        .iter()
        .find(|(f, _)| f == flag)
        .map(|(_, r)| r.as_str())
}

#[test]
fn labels_reencodes_and_stale_thumbnails_are_reasons_and_camera_originals_are_not() {
    let env = Env::new();
    env.write(&format!("{DIR}/aigc.jpg"), a::aigc_labelled(1));
    env.write(&format!("{DIR}/c2pa.jpg"), a::c2pa_generated(2));
    env.write(&format!("{DIR}/IMG_reencoded.jpg"), a::reencoded_camera(3));
    env.write(&format!("{DIR}/IMG_original.jpg"), a::camera_original(4));
    env.write(
        &format!("{DIR}/IMG_edited.jpg"),
        a::edited_with_stale_thumbnail(4),
    );
    let (code, _) = env.index();
    assert_eq!(code, 0);
    let r = env.run(&["list", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let recs = r.json_lines();

    let f = flags_of(&recs, "aigc.jpg");
    let why = reason(&f, "ai_generated").unwrap_or_else(|| panic!("{f:?}"));
    assert!(
        why.contains("GB 45438-2025")
            && why.contains("Label 1")
            && why.contains("001191110108MA01KP2T5U00000"),
        "{why}"
    );
    let f = flags_of(&recs, "c2pa.jpg");
    let why = reason(&f, "ai_generated").unwrap_or_else(|| panic!("{f:?}"));
    assert!(
        why.contains("C2PA") && why.contains("not verified"),
        "{why}"
    );

    let f = flags_of(&recs, "IMG_reencoded.jpg");
    let why = reason(&f, "possibly_edited").unwrap_or_else(|| panic!("{f:?}"));
    assert!(
        why.contains("HUAWEI") && why.contains("quality 70"),
        "{why}"
    );

    let f = flags_of(&recs, "IMG_edited.jpg");
    let why = reason(&f, "possibly_edited").unwrap_or_else(|| panic!("{f:?}"));
    assert!(why.contains("thumbnail"), "{why}");

    let f = flags_of(&recs, "IMG_original.jpg");
    assert_eq!(reason(&f, "possibly_edited"), None, "{f:?}");
    assert_eq!(reason(&f, "ai_generated"), None, "{f:?}");

    // Searchable by its name, and said in Chinese.
    let hits = env.search("", &["flag=ai_generated"]);
    assert_eq!(hits.len(), 2);
    let zh = env.run(&[
        "--lang",
        "zh",
        "show",
        env.evidence
            .join(DIR)
            .join("IMG_edited.jpg")
            .to_str()
            .unwrap(),
    ]);
    assert!(
        zh.stdout.contains("缩略图与图片本身不一致"),
        "{}",
        zh.stdout
    );
    let zh = env.run(&[
        "--lang",
        "zh",
        "show",
        env.evidence.join(DIR).join("aigc.jpg").to_str().unwrap(),
    ]);
    assert!(
        zh.stdout.contains("人工智能生成合成内容隐式标识"),
        "{}",
        zh.stdout
    );
}
