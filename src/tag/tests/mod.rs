use chrono::{DateTime, FixedOffset};

use super::*;
use crate::extract::{Facts, ManifestRow};
use crate::record::{Gps, Media};
use crate::schema::tests::schema;
use crate::schema::UNCERTAIN_KM;

/// An owned file description; `run` turns a list of them into the tagger's borrowed input.
#[derive(Clone)]
struct Fx {
    root: String,
    rel: String,
    blake3: Option<String>,
    facts: Facts,
    manual: Vec<ManualTag>,
    resolved: Vec<ResolvedFlag>,
    unreadable: bool,
}

fn fx(rel: &str) -> Fx {
    Fx {
        root: "/evidence".into(),
        rel: rel.into(),
        blake3: None,
        facts: Facts {
            media: Some(Media::Photo),
            captured_at: Some(at("2018-05-20T10:00:00+08:00")),
            ..Facts::default()
        },
        manual: Vec::new(),
        resolved: Vec::new(),
        unreadable: false,
    }
}

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

/// The tagger's borrowed input for these files, ids in order.
fn inputs(files: &[Fx]) -> Vec<FileForTagging<'_>> {
    files
        .iter()
        .enumerate()
        .map(|(i, f)| FileForTagging {
            file_id: i as i64,
            rel_path: &f.rel,
            root: &f.root,
            blake3: f.blake3.as_deref(),
            facts: &f.facts,
            manual: &f.manual,
            resolved: &f.resolved,
            unreadable: f.unreadable,
            read_errors: &[],
            similar: &[],
        })
        .collect()
}

fn run_cfg(cfg: &TagConfig, files: &[Fx]) -> Vec<Tagging> {
    tag_all(schema(), cfg, &inputs(files))
}

fn run(files: &[Fx]) -> Vec<Tagging> {
    run_cfg(&TagConfig::default(), files)
}

fn one(f: Fx) -> Tagging {
    run(&[f]).remove(0)
}

fn codes(t: &Tagging) -> (Option<String>, Option<String>, Vec<String>) {
    (
        t.prefecture.as_ref().map(|p| p.code.clone()),
        t.county.as_ref().map(|c| c.code.clone()),
        t.indicators.iter().map(|i| i.code.clone()).collect(),
    )
}

fn has_flag(t: &Tagging, flag: &str) -> bool {
    t.flags.iter().any(|f| f.flag == flag)
}

/// The flag's reason in English (tests that read Chinese say so with `flag_reason_in`).
fn flag_reason(t: &Tagging, flag: &str) -> String {
    flag_reason_in(t, flag, crate::i18n::Lang::En)
}

fn flag_reason_in(t: &Tagging, flag: &str, lang: crate::i18n::Lang) -> String {
    let f = t
        .flags
        .iter()
        .find(|f| f.flag == flag)
        .unwrap_or_else(|| panic!("no {flag} in {:?}", t.flags));
    crate::tag::flags::reason(f, lang)
}

#[test]
fn places_from_real_folder_and_file_names() {
    let cases: &[(&str, &str, Option<&str>, Option<&str>)] = &[
        (
            "/evidence",
            "海东市/互助县/B4.1科普大篷车/IMG_001.jpg",
            Some("630200"),
            Some("630223"),
        ),
        (
            "/evidence",
            "03-海东-互助县-科普大篷车进校园.jpg",
            Some("630200"),
            Some("630223"),
        ),
        (
            "/evidence",
            "互助土族自治县/IMG_1.jpg",
            Some("630200"),
            Some("630223"),
        ),
        ("/evidence", "互助/IMG_1.jpg", None, None),
        ("/evidence", "海南/IMG_1.jpg", None, None),
        ("/evidence", "平安/IMG_1.jpg", None, None),
        (
            "/evidence",
            "海南州/共和县/x.jpg",
            Some("632500"),
            Some("632521"),
        ),
        (
            "/evidence",
            "湟中县2017年科技周/a.jpg",
            Some("630100"),
            Some("630106"),
        ),
        ("/evidence", "同仁县/b.jpg", Some("632300"), Some("632301")),
        (
            "/evidence",
            "威远镇文化广场/c.jpg",
            Some("630200"),
            Some("630223"),
        ),
        ("/evidence", "城关镇/c.jpg", None, None),
        (
            "/mnt/usb/海北州",
            "刚察县/x.jpg",
            Some("632200"),
            Some("632224"),
        ),
        (
            "/evidence",
            "西宁市/城中区/x.jpg",
            Some("630100"),
            Some("630103"),
        ),
        ("/evidence", "海东市　科普活动/x.jpg", Some("630200"), None),
        ("/evidence", "青海东部/x.jpg", None, None),
        (
            "/evidence",
            "茫崖行委/x.jpg",
            Some("632800"),
            Some("632803"),
        ),
    ];
    for (root, rel, pref, county) in cases {
        let mut f = fx(rel);
        f.root = root.to_string();
        let (p, c, _) = codes(&one(f));
        assert_eq!(
            (p.as_deref(), c.as_deref()),
            (*pref, *county),
            "{root} {rel}"
        );
    }
}

#[test]
fn a_county_outside_the_named_prefecture_stays_an_alternative() {
    let t = one(fx("海东市/城中区/x.jpg"));
    let p = t.prefecture.as_ref().unwrap();
    assert_eq!(p.code, "630200");
    assert!(
        p.alternatives
            .iter()
            .any(|a| a.code == "630100" && a.source == "path"),
        "{:?}",
        p.alternatives
    );
    assert!(t.county.is_none());
}

#[test]
fn the_folder_nearest_the_file_wins() {
    let (p, ..) = codes(&one(fx("西宁市汇总/海东市/x.jpg")));
    assert_eq!(p.as_deref(), Some("630200"));
}

#[test]
fn indicators_from_codes_and_names_in_paths() {
    let cases: &[(&str, &[&str])] = &[
        ("海东市/互助县/B4.1科普大篷车/IMG_001.jpg", &["B4.1"]),
        ("（二）青少年科学素质行动/IMG_0001.jpg", &["A1"]),
        ("B41_科技活动周/IMG_0001.jpg", &["D2"]),
        ("a1/IMG_0001.jpg", &["A1"]),
        ("B4-1/IMG_0001.jpg", &["B4.1"]),
        ("Ｂ４．１　活动照片/IMG_0001.jpg", &["B4.1"]),
        ("B4科普基础设施/B4.1科普大篷车/x.jpg", &["B4.1"]),
        ("IMG_B412.jpg", &[]),
        ("DSCA1234.jpg", &[]),
        ("A1青少年/科普大篷车进校园.jpg", &["A1", "B4.1"]),
        ("海东市/B4.1", &["B4.1"]), // a file named like a code, no extension
        ("海东市/B4.2.mp4", &["B4.2"]),
    ];
    for (rel, want) in cases {
        let t = one(fx(rel));
        let (_, _, got) = codes(&t);
        assert_eq!(got, *want, "{rel}");
        if !want.is_empty() {
            assert_eq!(t.indicators[0].source, "path", "{rel}");
        }
        if *rel == "Ｂ４．１　活动照片/IMG_0001.jpg" {
            assert!(
                t.indicators[0]
                    .evidence
                    .starts_with("code Ｂ４．１ in folder"),
                "{}",
                t.indicators[0].evidence
            );
        }
    }
}

#[test]
fn keywords_tag_when_nothing_stronger_does() {
    let t = one(fx("2019/机器人竞赛现场.jpg"));
    assert_eq!(codes(&t).2, ["A1.1"]);
    assert_eq!(t.indicators[0].source, "keyword");
    assert!(t.indicators[0].evidence.contains("机器人竞赛"));

    // The most specific indicator: 中学科技馆 (B4.3) beats 科普场馆 (B4).
    assert_eq!(codes(&one(fx("科普场馆_中学科技馆.jpg"))).2, ["B4.3"]);

    // Generic words never tag alone.
    for rel in ["通知.pdf", "学生.jpg", "工程/总结.docx"] {
        let t = one(fx(rel));
        assert!(t.indicators.is_empty(), "{rel}: {:?}", t.indicators);
        assert!(has_flag(&t, "no_indicator"));
    }
}

#[test]
fn document_text_keywords_need_real_support() {
    let doc = |text: &str| {
        let mut f = fx("文件/2018-汇报材料.pdf");
        f.facts = Facts {
            media: Some(Media::Document),
            text: Some(text.into()),
            ..Facts::default()
        };
        one(f)
    };
    let t = doc("2018年科技活动周期间，全市开展科技周宣传，农村学生参加。");
    assert_eq!(codes(&t).2, ["D2"]);
    assert_eq!(t.indicators[0].source, "keyword");
    assert!(t.indicators[0].evidence.contains("document text"));
    // A report touching two topics tags the better-supported one and keeps the other visible.
    let t = doc("科普大篷车开进牧区，大篷车进校园，大篷车下乡；同期开展科技活动周。");
    assert_eq!(codes(&t).2, ["B4.1"]);
    assert!(t.indicators[0]
        .alternatives
        .iter()
        .any(|a| a.code == "D2" && a.source == "keyword"));
    // One short keyword in a long text is not enough; generic ones never count.
    assert!(doc("会议通知：请各单位报送总结。涉及农村。")
        .indicators
        .is_empty());
    assert!(doc("学生 学生 学生 社区").indicators.is_empty());
}

fn manifest_tree() -> Vec<Fx> {
    let mut list = fx("海东市/材料清单.xlsx");
    list.facts = Facts {
        media: Some(Media::Document),
        manifest_rows: vec![
            ManifestRow {
                file: "IMG_001.jpg".into(),
                indicator: "B4.1".into(),
                at: "Sheet1!2".into(),
            },
            ManifestRow {
                file: "子目录\\IMG_002.jpg".into(),
                indicator: "科技活动周".into(),
                at: "Sheet1!3".into(),
            },
            ManifestRow {
                file: "IMG_003".into(),
                indicator: "科普大篷车进校园活动".into(),
                at: "Sheet1!4".into(),
            },
            ManifestRow {
                file: "视频".into(),
                indicator: "D1".into(),
                at: "Sheet1!5".into(),
            },
            ManifestRow {
                file: "IMG_009.jpg".into(),
                indicator: "d2".into(),
                at: "Sheet1!6".into(),
            },
            ManifestRow {
                file: "D:\\报送材料\\海东市\\乐都\\DSC_0100.JPG".into(),
                indicator: "D3".into(),
                at: "Sheet1!7".into(),
            },
            ManifestRow {
                file: "IMG_777.jpg".into(),
                indicator: "不存在的指标".into(),
                at: "Sheet1!8".into(),
            },
        ],
        ..Facts::default()
    };
    vec![
        list,
        fx("海东市/IMG_001.jpg"),
        fx("海东市/子目录/IMG_002.jpg"),
        fx("海东市/IMG_003.JPG"),
        fx("海东市/视频/v.mp4"),
        fx("海东市/A1青少年/IMG_009.jpg"),
        fx("西宁市/IMG_001.jpg"),
        fx("海东市/乐都/DSC_0100.JPG"),
        fx("海东市/IMG_777.jpg"),
    ]
}

#[test]
fn manifest_rows_apply_to_their_folder_and_below() {
    let tree = manifest_tree();
    let t = run(&tree);
    let got: Vec<Vec<String>> = t.iter().map(|x| codes(x).2).collect();
    assert_eq!(got[1], ["B4.1"]);
    assert_eq!(got[2], ["D2"], "a relative path with a Windows separator");
    assert_eq!(
        got[3],
        ["B4.1"],
        "name without extension, indicator written as an activity"
    );
    assert_eq!(
        got[4],
        ["D1"],
        "a row naming a folder covers the files inside"
    );
    assert!(got[6].is_empty(), "a list does not reach a sibling folder");
    assert_eq!(
        got[7],
        ["D3"],
        "an absolute Windows path in the list, matched by its unique file name"
    );
    assert!(
        got[8].is_empty(),
        "an indicator the catalog does not know tags nothing"
    );
    assert!(
        flag_reason(&t[8], "no_indicator").contains("不存在的指标"),
        "the list's answer is shown"
    );
    assert_eq!(t[1].indicators[0].source, "manifest");
    assert!(
        t[1].indicators[0]
            .evidence
            .contains("材料清单.xlsx Sheet1!2"),
        "{}",
        t[1].indicators[0].evidence
    );
    assert!(
        !has_flag(&t[0], "no_indicator"),
        "the list itself is not flagged"
    );
    // Manifest beats path; the path's opinion stays visible.
    assert_eq!(got[5], ["D2"]);
    let alts = &t[5].indicators[0].alternatives;
    assert!(
        alts.iter().any(|a| a.code == "A1" && a.source == "path"),
        "{alts:?}"
    );
}

#[test]
fn precedence_manual_manifest_path_keyword_gps() {
    // Manual beats everything, and the rest is kept strongest first.
    let mut f = manifest_tree();
    f[5].manual = vec![ManualTag {
        kind: TagKind::Indicator,
        code: "D3".into(),
        reason: "复核".into(),
        who: "li".into(),
    }];
    let t = run(&f).remove(5);
    assert_eq!(codes(&t).2, ["D3"]);
    assert_eq!(t.indicators[0].source, "manual");
    let srcs: Vec<&str> = t.indicators[0]
        .alternatives
        .iter()
        .map(|a| a.source.as_str())
        .collect();
    assert_eq!(srcs.first(), Some(&"manifest"));
    assert!(srcs.contains(&"path"));

    // Path beats keyword.
    let t = one(fx("D2/机器人竞赛.jpg"));
    assert_eq!(codes(&t).2, ["D2"]);
    assert!(t.indicators[0]
        .alternatives
        .iter()
        .any(|a| a.code == "A1.1" && a.source == "keyword"));

    // Places: path beats GPS, GPS fills in when the path says nothing.
    let mut f = fx("海东市/x.jpg");
    f.facts.gps = Some(Gps {
        lat: 36.62,
        lon: 101.78,
    });
    let t = one(f.clone());
    assert_eq!(t.prefecture.as_ref().unwrap().code, "630200");
    assert!(t
        .prefecture
        .as_ref()
        .unwrap()
        .alternatives
        .iter()
        .any(|a| a.code == "630100" && a.source == "gps"));
    f.rel = "未分类/x.jpg".into();
    let t = one(f.clone());
    assert_eq!(codes(&t).0.as_deref(), Some("630100"));
    assert_eq!(codes(&t).1.as_deref(), Some("630103"));
    assert_eq!(t.prefecture.as_ref().unwrap().source, "gps");

    // A manual county implies its prefecture and beats the folder.
    f.rel = "海东市/x.jpg".into();
    f.manual = vec![ManualTag {
        kind: TagKind::County,
        code: "刚察县".into(),
        reason: String::new(),
        who: "wang".into(),
    }];
    let t = one(f);
    assert_eq!(
        (codes(&t).0.as_deref(), codes(&t).1.as_deref()),
        (Some("632200"), Some("632224"))
    );
    assert_eq!(t.prefecture.as_ref().unwrap().source, "manual");
}

mod authenticity;
mod flags;
mod lists;
mod resolved;
mod system;
