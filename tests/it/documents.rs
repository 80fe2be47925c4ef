//! Documents and videos end to end: Chinese text from every format is searchable, video
//! metadata is exact, and each hostile file is an error on that file while the run completes.

use archive::sample::media;

use crate::harness::{names, Env};

#[test]
fn every_document_format_is_searchable_in_chinese() {
    let env = Env::new();
    archive::sample::generate(&env.evidence).unwrap();
    env.index();
    for (query, file) in [
        ("威远镇中心学校", "科普大篷车进校园活动总结.docx"),
        ("西海镇", "巡展工作方案.pdf"),
        ("玛沁主场活动", "科普工作台账2019.xlsx"),
        ("感谢各单位支持", "科普日工作汇报.pptx"),
        ("称文镇", "工作记录.txt"),
        ("第一中学", "活动说明.txt"),
    ] {
        assert_eq!(names(&env.search(query, &[])), [file], "query {query}");
    }
    let docx = &env.search("威远镇", &[])[0];
    assert_eq!(docx["title"], "互助县科普大篷车进校园活动总结");
    assert_eq!(docx["author"], "互助县科协");
    assert_eq!(
        docx["captured_at"],
        serde_json::Value::Null,
        "a document's creation date is never a capture time"
    );
    assert_eq!(docx["doc_created"], "2019-06-20T09:30:00+08:00");
    assert_eq!(
        (&docx["evidence_date"], &docx["evidence_date_kind"]),
        (
            &serde_json::json!("2019-06-20T09:30:00+08:00"),
            &serde_json::json!("doc_created")
        ),
        "where one date is needed, the document's creation date stands, named as such"
    );
    let pdf = &env.search("西海镇", &[])[0];
    assert_eq!(pdf["pages"], 2);
    assert!(pdf["text_excerpt"].as_str().unwrap().contains("流动科技馆"));

    let doc = &env.search("会议纪要", &[])[0];
    assert!(
        doc["text_status"]
            .as_str()
            .unwrap()
            .contains("not extracted"),
        "{doc}"
    );
    assert!(doc["blake3"].is_string(), "legacy files are still hashed");
}

#[test]
fn video_time_duration_and_place_are_exact() {
    let env = Env::new();
    archive::sample::generate(&env.evidence).unwrap();
    env.index();
    let mp4 = &env.search("VID_20190612_103812", &[])[0];
    assert_eq!(mp4["media"], "video");
    assert_eq!(
        mp4["captured_at"], "2019-06-12T10:38:12+08:00",
        "UTC mvhd time shown in China time"
    );
    assert_eq!(mp4["captured_at_source"], "quicktime:CreateDate");
    assert_eq!(mp4["duration_s"], 42.5);
    assert_eq!(
        (mp4["width"].as_u64(), mp4["height"].as_u64()),
        (Some(1280), Some(720))
    );
    assert!((mp4["gps"]["lat"].as_f64().unwrap() - 36.8403).abs() < 1e-4);
    assert!((mp4["gps"]["lon"].as_f64().unwrap() - 101.9509).abs() < 1e-4);
    assert_eq!(mp4["county"]["name"], "互助土族自治县");

    let mov = &env.search("开幕式", &[])[0];
    assert_eq!(mov["captured_at"], "2017-05-21T15:50:00+08:00");
    assert_eq!(mov["camera"]["make"], "Apple");
}

#[test]
fn hostile_files_are_errors_on_those_files_and_the_run_completes() {
    let env = Env::new();
    let good = media::pdf(
        "正常文件",
        "科协",
        "D:20190315103000+08'00'",
        &["科普讲座通知"],
    );
    env.write("海东市/正常.pdf", &good);
    let hostile: Vec<(&str, Vec<u8>)> = vec![
        ("truncated.pdf", good[..good.len() / 3].to_vec()),
        (
            "garbage.pdf",
            [b"%PDF-1.7\n".as_slice(), &[0x9c; 4000]].concat(),
        ),
        (
            "not-a-zip.docx",
            b"this is not a zip archive at all".to_vec(),
        ),
        ("bomb.xlsx", media::zip_bomb_xlsx()),
        ("truncated-moov.mp4", media::mp4_truncated_moov()),
        ("empty.jpg", Vec::new()),
        ("encrypted.pdf", media::encrypted_pdf()),
    ];
    for (name, bytes) in &hostile {
        env.write(&format!("海东市/坏文件/{name}"), bytes);
    }
    let (code, summary) = env.index();
    assert_eq!(code, 2, "{summary}");
    let errors = summary["errors"].to_string();
    for (name, _) in &hostile {
        assert!(
            errors.contains(name),
            "{name} is reported with its path: {errors}"
        );
    }
    assert!(errors.contains("zip bomb"), "{errors}");
    assert_eq!(
        summary["present_total"],
        hostile.len() as u64 + 1,
        "every file is still catalogued"
    );
    assert_eq!(names(&env.search("科普讲座", &[])), ["正常.pdf"]);
}
