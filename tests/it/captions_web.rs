//! Captions on the page (issue 18, item 1): the record page's caption form (curators only,
//! CSRF like every form), the caption shown and found by search at once, and one caption for
//! many files from the collection page.

use archive::curate::{collections, users, Actor, Role};
use archive::serve::AppState;
use axum::http::StatusCode;

use super::flagcheck_web::{send, sign_in, PASSWORD};

fn archive_with_photos() -> (tempfile::TempDir, AppState, Vec<String>) {
    let dir = tempfile::Builder::new()
        .prefix("captionweb-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let evidence = dir.path().join("evidence/海东市/互助县/B4.1科普大篷车");
    std::fs::create_dir_all(&evidence).unwrap();
    let mut hashes = Vec::new();
    for (i, name) in ["IMG_0001.jpg", "IMG_0002.jpg"].iter().enumerate() {
        let bytes = archive::sample::jpeg::jpeg(&archive::sample::PhotoSpec {
            pattern: archive::sample::Pattern::Scene(i as u32 + 1),
            ..Default::default()
        });
        hashes.push(blake3::hash(&bytes).to_hex().to_string());
        std::fs::write(evidence.join(name), bytes).unwrap();
    }
    let archive_dir = dir.path().join("archive-data");
    let cfg = archive::config::Config::load(&archive_dir, None).unwrap();
    let opts = archive::pipeline::IndexOptions {
        roots: vec![dir.path().join("evidence")],
        ..Default::default()
    };
    archive::pipeline::run_index(&cfg, &opts).unwrap();
    let op = Actor::local_operator();
    users::add(&archive_dir, &op, "cai", Role::Curator, PASSWORD).unwrap();
    users::add(&archive_dir, &op, "vic", Role::Viewer, PASSWORD).unwrap();
    let cat = archive::catalog::Catalog::open_existing(&archive_dir).unwrap();
    collections::create(&cat, &op, "互助展示", "").unwrap();
    let ids: Vec<i64> = hashes
        .iter()
        .map(|h| cat.files_by_blake3(h).unwrap()[0].id)
        .collect();
    collections::add_files(&cat, &op, "互助展示", &ids).unwrap();
    drop(cat);
    let cfg = archive::config::Config::load(&archive_dir, None).unwrap();
    let schema = std::sync::Arc::new(cfg.schema().unwrap());
    let st = AppState::with_schema(cfg, schema).unwrap();
    (dir, st, hashes)
}

async fn found(st: &AppState, cookie: &str, q: &str) -> u64 {
    let g = send(st, "GET", &format!("/api/search?q={q}"), Some(cookie), &[]).await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    let v: serde_json::Value = serde_json::from_str(&g.body).unwrap();
    v["total"].as_u64().unwrap()
}

#[tokio::test]
async fn a_curator_captions_a_photo_and_a_collection_on_the_page() {
    let (_dir, st, hashes) = archive_with_photos();
    let record = format!("/record/{}", hashes[0]);
    let action = format!("{record}/caption");
    let (vic, vic_csrf) = sign_in(&st, "vic").await;
    let page = send(&st, "GET", &record, Some(&vic), &[]).await.body;
    assert!(
        page.contains("照片说明") && page.contains("缺题名"),
        "shown to everyone"
    );
    assert!(!page.contains(&action), "no form for a viewer");
    let form = [("csrf", vic_csrf.as_str()), ("title", "x")];
    assert_eq!(
        send(&st, "POST", &action, Some(&vic), &form).await.status,
        StatusCode::FORBIDDEN
    );

    let (cai, csrf) = sign_in(&st, "cai").await;
    let page = send(&st, "GET", &record, Some(&cai), &[]).await.body;
    assert!(
        page.contains(&action) && page.contains("name=\"people\""),
        "the form"
    );
    assert_eq!(
        send(&st, "POST", &action, Some(&cai), &[("title", "无令牌")])
            .await
            .status,
        StatusCode::FORBIDDEN,
        "no CSRF token"
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("title", "互助县科普大篷车进校园"),
        ("photographer", "卓玛"),
        ("people", "县科协 李明"),
        ("background", "2019年科普日"),
        ("description", "学生围观机器人演示"),
        ("place", "互助县威远镇"),
        ("taken", "2019-06-03"),
    ];
    let g = send(&st, "POST", &action, Some(&cai), &form).await;
    assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.body);
    assert!(g.location.ends_with("#caption"), "{}", g.location);
    let page = send(&st, "GET", &record, Some(&cai), &[]).await.body;
    assert!(page.contains("互助县科普大篷车进校园") && page.contains("完整"));
    assert_eq!(found(&st, &cai, "机器人演示").await, 1, "found at once");
    // The collection page writes one photographer for every item.
    let page = send(&st, "GET", "/collections/互助展示", Some(&cai), &[])
        .await
        .body;
    assert!(page.contains("caption-bulk"), "the bulk form");
    let g = send(
        &st,
        "POST",
        "/collections/互助展示/caption",
        Some(&cai),
        &[
            ("csrf", csrf.as_str()),
            ("photographer", "才让"),
            ("title", ""),
        ],
    )
    .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.body);
    assert_eq!(found(&st, &cai, "才让").await, 2);
    assert_eq!(found(&st, &cai, "机器人演示").await, 1, "other fields kept");
    // A search result as a slideshow, grouped by indicator; a bad grouping is refused.
    let g = send(
        &st,
        "GET",
        "/present?q=才让&group=indicator",
        Some(&vic),
        &[],
    )
    .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert!(
        g.body.contains("\"kind\":\"title\",\"title\":\"B4.1 "),
        "{}",
        g.body
    );
    assert_eq!(g.body.matches("\"kind\":\"photo\"").count(), 2);
    assert!(
        g.body.contains("互助县科普大篷车进校园"),
        "the caption's title"
    );
    let g = send(&st, "GET", "/present?q=才让&group=colour", Some(&vic), &[]).await;
    assert_eq!(g.status, StatusCode::BAD_REQUEST);
    // The collection page prints its contact sheets.
    let page = send(&st, "GET", "/collections/互助展示", Some(&cai), &[])
        .await
        .body;
    assert!(page.contains("print-form") && page.contains("/present?collection="));
    let g = send(
        &st,
        "POST",
        "/collections/互助展示/print",
        Some(&cai),
        &[("csrf", csrf.as_str()), ("per_page", "12")],
    )
    .await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(g.body.starts_with("%PDF-"), "a PDF");
    let g = send(&st, "GET", "/?q=才让", Some(&vic), &[]).await;
    assert!(
        g.body.contains("/present?q="),
        "the search page offers the show"
    );
}
