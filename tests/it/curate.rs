//! Curation end to end: role checks at the library API, manual tags surviving re-indexing,
//! review rules, and the audit chain catching edited and deleted entries.

use archive::catalog::Catalog;
use archive::curate::collections::{self, Review};
use archive::curate::{tags, users, Actor, CurateError, Role};
use archive::tag::TagKind;

use crate::harness::Env;

fn indexed() -> Env {
    let env = Env::new();
    env.write(
        "海东市/互助县/B4.1科普大篷车/活动记录.txt",
        "科普大篷车进校园",
    );
    env.write("西宁市/城中区/会议纪要.txt", "工作会议");
    env.write("未分类/说明.txt", "说明");
    let (code, _) = env.index();
    assert_eq!(code, 0);
    env
}

fn file_id(cat: &Catalog, env: &Env, rel: &str) -> i64 {
    cat.file_by_path(&env.evidence.canonicalize().unwrap().join(rel))
        .unwrap()
        .unwrap_or_else(|| panic!("{rel} not catalogued"))
        .id
}

#[test]
fn roles_are_checked_on_every_operation() {
    let env = indexed();
    let cat = Catalog::open_existing(&env.archive).unwrap();
    let schema = archive::schema::Schema::embedded().unwrap();
    let viewer = Actor::new("观察员", Role::Viewer);
    let curator = Actor::new("卓玛", Role::Curator);
    let admin = Actor::new("管理员", Role::Admin);
    let id = file_id(&cat, &env, "西宁市/城中区/会议纪要.txt");
    let forbidden = |r: Result<(), CurateError>| matches!(r, Err(CurateError::Forbidden { .. }));

    assert!(forbidden(
        collections::create(&cat, &viewer, "c", "").map(drop)
    ));
    collections::create(&cat, &curator, "c", "").unwrap();
    assert!(forbidden(
        collections::add_files(&cat, &viewer, "c", &[id]).map(drop)
    ));
    collections::add_files(&cat, &curator, "c", &[id]).unwrap();
    assert!(forbidden(
        collections::review(&cat, &viewer, "c", &[id], Review::Accepted, None).map(drop)
    ));
    assert!(forbidden(collections::move_item(&cat, &viewer, "c", id, 1)));
    assert!(forbidden(collections::rename(&cat, &viewer, "c", "d")));
    assert!(forbidden(
        tags::set(
            &cat,
            &schema,
            &viewer,
            &[id],
            TagKind::Indicator,
            "B4.1",
            Some("r")
        )
        .map(drop)
    ));
    assert!(forbidden(
        collections::remove_files(&cat, &viewer, "c", &[id], None).map(drop)
    ));
    // Viewers still read.
    assert_eq!(
        collections::show(&cat, &viewer, "c").unwrap().items.len(),
        1
    );
    let out = env.archive.parent().unwrap().join("pkg");
    let opts = archive::export::ExportOptions {
        collection: "c".into(),
        out: out.clone(),
        zip: false,
        include_rejected: false,
        source_organization: None,
        signing_key: None,
        period: None,
    };
    assert!(forbidden(
        archive::export::export_collection(&cat, &schema, &viewer, &opts).map(drop)
    ));
    assert!(!out.exists());

    assert!(forbidden(
        users::add(&env.archive, &curator, "x", Role::Viewer, "long enough").map(drop)
    ));
    users::add(&env.archive, &admin, "x", Role::Viewer, "long enough").unwrap();
    assert!(forbidden(users::remove(&env.archive, &curator, "x", None)));
    assert!(forbidden(users::set_role(
        &env.archive,
        &curator,
        "x",
        Role::Admin,
        None
    )));
    let cfg = archive::config::Config::load(&env.archive, None).unwrap();
    assert_eq!(
        users::verify_password(&cfg.users, "x", "long enough").map(|a| a.role),
        Some(Role::Viewer)
    );
}

#[test]
fn manual_tags_survive_reindex_and_retag() {
    let env = indexed();
    let path = env.evidence.join("西宁市/城中区/会议纪要.txt");
    let p = path.to_str().unwrap();
    let before = env.show(p);
    assert!(
        before["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["code"] != "B4.1"),
        "{before}"
    );

    let r = env.run(&["tag", "set", p, "--indicator", "B4.1"]);
    assert_eq!(r.code, 1, "no reason, no change: {}", r.stdout);
    assert!(r.stderr.contains("reason"), "{}", r.stderr);

    let r = env.run(&[
        "tag",
        "set",
        p,
        "--indicator",
        "科普大篷车",
        "--reason",
        "会议部署大篷车活动",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&[
        "tag",
        "set",
        p,
        "--county",
        "互助县",
        "--reason",
        "活动在互助县",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let check = |when: &str| {
        let rec = env.show(p);
        let ind = &rec["indicators"][0];
        assert_eq!(
            (ind["code"].as_str(), ind["source"].as_str()),
            (Some("B4.1"), Some("manual")),
            "{when}: {rec}"
        );
        assert_eq!(
            rec["prefecture"]["name"], "海东市",
            "{when}: a manual county implies its prefecture: {rec}"
        );
        assert_eq!(rec["county"]["source"], "manual", "{when}: {rec}");
        let hits = env.search("", &["indicator=B4.1"]);
        assert!(
            hits.iter()
                .any(|h| h["path"].as_str().unwrap().ends_with("会议纪要.txt")),
            "{when}: the index agrees"
        );
    };
    check("right after");
    std::fs::write(&path, "工作会议（修订）").unwrap();
    env.index();
    check("after re-indexing a changed file");
    assert_eq!(env.run(&["retag"]).code, 0);
    check("after retag");
    assert_eq!(env.run(&["reindex"]).code, 0);
    check("after reindex");

    let r = env.run(&["tag", "set", p, "--prefecture", "互助县", "--reason", "x"]);
    assert_eq!(r.code, 1, "a county is not a prefecture");
    let r = env.run(&["tag", "set", p, "--indicator", "Z9.9", "--reason", "x"]);
    assert!(r.code == 1 && r.stderr.contains("Z9.9"), "{}", r.stderr);

    let r = env.run(&[
        "tag",
        "clear",
        p,
        "--kind",
        "indicator",
        "--reason",
        "改回自动判断",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rec = env.show(p);
    assert!(
        rec["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["source"] != "manual"),
        "{rec}"
    );

    // A content's history: the edits made while the file held it.
    let history = |b3: &str| -> Vec<String> {
        let r = env.run(&["audit", "--json", "--file", b3]);
        r.json_lines()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        history(before["blake3"].as_str().unwrap()),
        ["tag.set", "tag.set"]
    );
    assert_eq!(history(rec["blake3"].as_str().unwrap()), ["tag.clear"]);
}

#[test]
fn review_needs_a_reason_to_reject_and_order_can_change() {
    let env = indexed();
    let a = env
        .evidence
        .join("海东市/互助县/B4.1科普大篷车/活动记录.txt");
    let b = env.evidence.join("西宁市/城中区/会议纪要.txt");
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let c = "B4.1 科普大篷车 — 海东市";
    assert_eq!(env.run(&["collection", "create", c]).code, 0);
    assert_eq!(
        env.run(&["collection", "create", c]).code,
        1,
        "names are unique"
    );
    assert_eq!(env.run(&["collection", "add", c, a, b]).code, 0);
    let r = env.run(&["collection", "review", c, b, "--reject"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("reason"), "{}", r.stderr);
    let r = env.run(&["collection", "review", c, b, "--reject", "--reason", "  "]);
    assert_eq!(r.code, 1, "a blank reason is no reason");
    assert_eq!(
        env.run(&[
            "collection",
            "review",
            c,
            b,
            "--reject",
            "--reason",
            "不是大篷车活动"
        ])
        .code,
        0
    );
    assert_eq!(env.run(&["collection", "review", c, a, "--accept"]).code, 0);
    assert_eq!(env.run(&["collection", "move", c, b, "--to", "1"]).code, 0);
    let show = env.run(&["collection", "show", c, "--json"]).json();
    let items = show["items"].as_array().unwrap();
    assert!(items[0]["path"].as_str().unwrap().ends_with("会议纪要.txt"));
    assert_eq!(items[0]["review"], "rejected");
    assert_eq!(items[0]["review_reason"], "不是大篷车活动");
    assert_eq!(items[1]["review"], "accepted");
    assert_eq!(env.run(&["collection", "rename", c, "新名字"]).code, 0);
    assert_eq!(env.run(&["collection", "remove", "新名字", a]).code, 0);
    assert_eq!(
        env.run(&["collection", "show", "新名字", "--json"]).json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        env.run(&["collection", "delete", "新名字"]).code,
        1,
        "deleting needs a reason"
    );
    assert_eq!(
        env.run(&["collection", "delete", "新名字", "--reason", "重新整理"])
            .code,
        0
    );
    assert_eq!(
        env.run(&["collection", "list", "--json"]).json(),
        serde_json::json!([])
    );
    assert_eq!(env.run(&["audit", "verify"]).code, 0);
}

#[test]
fn audit_verify_catches_an_edited_and_a_deleted_entry() {
    let env = indexed();
    let a = env.evidence.join("未分类/说明.txt");
    for (i, name) in ["一", "二", "三"].iter().enumerate() {
        assert_eq!(env.run(&["collection", "create", name]).code, 0);
        assert_eq!(
            env.run(&["collection", "add", name, a.to_str().unwrap()])
                .code,
            0,
            "{i}"
        );
    }
    let r = env.run(&["audit", "verify"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("6 entries"), "{}", r.stdout);

    let db = rusqlite::Connection::open(env.archive.join("catalog.sqlite")).unwrap();
    let saved: String = db
        .query_row("SELECT details FROM audit_log WHERE seq=3", [], |r| {
            r.get(0)
        })
        .unwrap();
    db.execute("UPDATE audit_log SET details='{}' WHERE seq=3", [])
        .unwrap();
    let r = env.run(&["audit", "verify"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("entry 3"), "{}", r.stdout);

    db.execute("UPDATE audit_log SET details=?1 WHERE seq=3", [saved])
        .unwrap();
    assert_eq!(
        env.run(&["audit", "verify"]).code,
        0,
        "restored exactly, it verifies again"
    );
    db.execute("DELETE FROM audit_log WHERE seq=4", []).unwrap();
    let r = env.run(&["audit", "verify"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stdout.contains("entry 4") && r.stdout.contains("missing"),
        "{}",
        r.stdout
    );

    let lines = env.run(&["audit", "--json"]).json_lines();
    assert_eq!(lines.len(), 5);
    assert!(lines
        .iter()
        .all(|l| l["hash"].as_str().unwrap().len() == 64));
}

#[test]
fn users_from_the_command_line() {
    let env = Env::new();
    let mut child = env
        .cmd()
        .args([
            "user",
            "add",
            "卓玛",
            "--role",
            "curator",
            "--password-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all("青海湖 2019\n".as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    let list = env.run(&["user", "list", "--json"]).json();
    assert_eq!(
        list,
        serde_json::json!([{"name": "卓玛", "role": "curator"}])
    );
    let cfg = archive::config::Config::load(&env.archive, None).unwrap();
    assert!(users::verify_password(&cfg.users, "卓玛", "青海湖 2019").is_some());
    let r = env.run(&["user", "add", "x", "--role", "viewer"]);
    assert_eq!(
        r.code, 1,
        "no terminal and no --password-stdin: refused, not hung"
    );
    assert_eq!(env.run(&["user", "remove", "卓玛"]).code, 0);
    assert_eq!(env.run(&["audit", "verify"]).code, 0);
}

/// A package's audit.jsonl holds its own collection's entries (under every name it had) and
/// the files' own history, not another collection's reviews of the same files (issue 20,
/// finding 13).
#[test]
fn a_package_carries_only_its_own_collections_audit_entries() {
    let env = indexed();
    let a = env
        .evidence
        .join("海东市/互助县/B4.1科普大篷车/活动记录.txt");
    let a = a.to_str().unwrap();
    for c in ["初稿", "别的集合"] {
        assert_eq!(env.run(&["collection", "create", c]).code, 0);
        assert_eq!(env.run(&["collection", "add", c, a]).code, 0);
    }
    let other = [
        "collection",
        "review",
        "别的集合",
        a,
        "--reject",
        "--reason",
        "别处的驳回理由",
    ];
    assert_eq!(env.run(&other).code, 0);
    let mine = ["collection", "review", "初稿", a, "--accept"];
    assert_eq!(env.run(&mine).code, 0);
    assert_eq!(env.run(&["collection", "rename", "初稿", "定稿"]).code, 0);
    let out = env.archive.parent().unwrap().join("pkg");
    let r = env.run(&[
        "export",
        "--collection",
        "定稿",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let audit = std::fs::read_to_string(out.join("audit.jsonl")).unwrap();
    assert!(!audit.contains("别处的驳回理由"), "{audit}");
    assert!(!audit.contains("别的集合"), "{audit}");
    assert!(
        audit.contains("\"subject\":\"初稿\""),
        "entries from before the rename: {audit}"
    );
    assert!(audit.contains("collection.rename"), "{audit}");
    assert!(audit.contains("review.set"), "its own review: {audit}");
}

/// The whole log and its head deleted (issue 20, finding 16): verify does not report an
/// intact empty log while collections exist that were each written with an entry.
#[test]
fn audit_verify_catches_a_log_deleted_with_its_head() {
    let env = indexed();
    assert_eq!(env.run(&["collection", "create", "待核查"]).code, 0);
    assert_eq!(env.run(&["audit", "verify"]).code, 0);
    let db = rusqlite::Connection::open(env.archive.join("catalog.sqlite")).unwrap();
    db.execute("DELETE FROM audit_log", []).unwrap();
    db.execute("DELETE FROM meta WHERE key='audit_head'", [])
        .unwrap();
    drop(db);
    let r = env.run(&["audit", "verify"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout.contains("1 collections") && r.stdout.contains("deleted"),
        "{}",
        r.stdout
    );
}

/// Descriptions and reasons have a size (issue 20, finding 15): a 900 KB description went into
/// the audit log before. Text at the limit is kept; past it, refused with the limit named.
#[test]
fn descriptions_and_reasons_have_a_size() {
    let env = indexed();
    let a = env.evidence.join("未分类/说明.txt");
    let a = a.to_str().unwrap();
    let long = "说".repeat(archive::curate::MAX_DESCRIPTION_CHARS + 1);
    let r = env.run(&["collection", "create", "太长", "--description", &long]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("keep it under 4000"), "{}", r.stderr);
    let fits = "说".repeat(archive::curate::MAX_DESCRIPTION_CHARS);
    assert_eq!(
        env.run(&["collection", "create", "刚好", "--description", &fits])
            .code,
        0
    );
    assert_eq!(env.run(&["collection", "add", "刚好", a]).code, 0);
    let reason = "因".repeat(archive::curate::MAX_REASON_CHARS + 1);
    let r = env.run(&[
        "collection",
        "review",
        "刚好",
        a,
        "--reject",
        "--reason",
        &reason,
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("keep it under 1000"), "{}", r.stderr);
}
