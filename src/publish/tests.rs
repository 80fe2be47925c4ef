use super::payload::{delete_lines, doc_id, mapping, upsert_lines};
use super::Engine;

#[test]
fn ids_are_stable_ascii_and_differ_by_province_content_and_path() {
    let a = doc_id("青海省", Some("ab".repeat(32).as_str()), "西宁市/a.jpg");
    assert_eq!(
        a,
        doc_id("青海省", Some("ab".repeat(32).as_str()), "西宁市/a.jpg")
    );
    assert!(a.is_ascii() && a.len() == 49, "{a}");
    assert_ne!(
        a,
        doc_id("甘肃省", Some("ab".repeat(32).as_str()), "西宁市/a.jpg")
    );
    assert_ne!(
        a,
        doc_id("青海省", Some("cd".repeat(32).as_str()), "西宁市/a.jpg")
    );
    assert_ne!(
        a,
        doc_id("青海省", Some("ab".repeat(32).as_str()), "海东市/a.jpg")
    );
}

#[test]
fn each_engine_gets_its_documented_lines() {
    let doc = serde_json::json!({"doc_id": "x", "path": "西宁市/a.jpg"});
    let mut os = Vec::new();
    upsert_lines(Engine::OpenSearch, "ev", "x", &doc, &mut os);
    delete_lines(Engine::OpenSearch, "ev", "y", "青海省", &mut os);
    let lines: Vec<serde_json::Value> = std::str::from_utf8(&os)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines[0],
        serde_json::json!({"index": {"_index": "ev", "_id": "x"}})
    );
    assert_eq!(lines[1]["path"], "西宁市/a.jpg");
    assert_eq!(
        lines[2],
        serde_json::json!({"delete": {"_index": "ev", "_id": "y"}})
    );
    assert!(
        os.ends_with(b"\n"),
        "NDJSON ends with a newline (_bulk requires it)"
    );

    let mut qw = Vec::new();
    upsert_lines(Engine::Quickwit, "ev", "x", &doc, &mut qw);
    delete_lines(Engine::Quickwit, "ev", "y", "青海省", &mut qw);
    let lines: Vec<serde_json::Value> = std::str::from_utf8(&qw)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        2,
        "Quickwit takes documents only, no action lines"
    );
    assert_eq!(lines[0]["deleted"], false);
    assert_eq!(lines[1]["deleted"], true);
    assert_eq!(lines[1]["doc_id"], "y");
    assert!(mapping(Engine::Quickwit, "ev").contains("index_id: ev"));
}
