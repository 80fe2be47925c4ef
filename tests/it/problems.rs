//! The problem list (问题清单) end to end through the binary: a list shaped like the office's
//! imported right, a bad one refused whole with its rows named, re-imports keeping links and
//! status and withdrawing what is gone, overdue, the rule for `verified`, and the audit chain.

use std::path::PathBuf;

use archive::catalog::Catalog;
use archive::curate::{Actor, Role};
use archive::problems::{track, ProblemsError, Status};
use archive::sample::problems as fixture;

use crate::harness::{Env, Run};

/// A list file beside the evidence (never inside it).
fn list_file(env: &Env, name: &str, bytes: &[u8]) -> PathBuf {
    let p = env.evidence.parent().unwrap().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn ok(r: Run) -> Run {
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    r
}

fn list(env: &Env, args: &[&str]) -> Vec<serde_json::Value> {
    let mut a = vec!["problems", "list", "--json"];
    a.extend_from_slice(args);
    ok(env.run(&a)).json_lines()
}

/// An archive with two evidence files indexed and the 71-problem list imported from XLSX.
fn imported() -> (Env, fixture::ProblemList) {
    let env = Env::new();
    env.write("海东市/互助县/整改/台账照片.txt", "整改台账已建立");
    env.write("西宁市/整改报告.txt", "西宁市整改情况报告");
    let (code, _) = env.index();
    assert_eq!(code, 0);
    let fl = fixture::problem_list();
    let file = list_file(&env, "2020问题清单.xlsx", &fixture::xlsx(&fl));
    let r = ok(env.run(&["problems", "import", file.to_str().unwrap()]));
    assert!(
        r.stdout.contains("71 problems (7 province-wide); 71 new"),
        "{}",
        r.stdout
    );
    (env, fl)
}

fn find<'a>(
    all: &'a [serde_json::Value],
    place: Option<&str>,
    number: &str,
) -> &'a serde_json::Value {
    all.iter()
        .find(|p| p["prefecture"]["name"].as_str() == place && p["number"] == number)
        .unwrap_or_else(|| panic!("no problem {place:?} {number}"))
}

#[test]
fn a_real_shaped_list_is_imported_with_every_place_and_deadline() {
    let (env, fl) = imported();
    let all = list(&env, &[]);
    assert_eq!(all.len(), 71);
    for want in fl.common.iter().chain(&fl.specific) {
        let got = find(&all, want.prefecture, &want.number);
        assert_eq!(got["deadline"], want.expected_deadline.as_str(), "{got}");
        assert_eq!(got["description"], want.description.as_str());
        assert_eq!(got["status"], "open");
        assert_eq!(got["evidence"], serde_json::json!([]));
        let scope = if want.prefecture.is_some() {
            "prefecture"
        } else {
            "province"
        };
        assert_eq!(got["scope"], scope);
    }
    let haidong = find(&all, Some("海东市"), "1");
    assert_eq!(haidong["prefecture"]["code"], "630200");
    // A prefecture's list holds its own problems and the seven that concern all eight.
    let of_haidong = list(&env, &["--prefecture", "海东"]);
    assert_eq!(of_haidong.len(), 8 + 7);
    assert_eq!(list(&env, &["--prefecture", "全省"]).len(), 7);
    let huzhu = list(&env, &["--prefecture", "互助县"]);
    assert_eq!(huzhu.len(), 1);
    assert_eq!(huzhu[0]["county"]["name"], "互助县");

    // The same list saved by Chinese Excel as GBK CSV reads the same.
    let env2 = Env::new();
    let csv = list_file(
        &env2,
        "问题清单.csv",
        &fixture::csv_gbk(&fixture::rows(&fl)),
    );
    ok(env2.run(&["problems", "import", csv.to_str().unwrap()]));
    let strip = |v: &[serde_json::Value]| -> Vec<(String, String, String)> {
        v.iter()
            .map(|p| {
                (
                    p["prefecture"]["code"].to_string(),
                    p["number"].to_string(),
                    p["deadline"].to_string(),
                )
            })
            .collect()
    };
    assert_eq!(strip(&list(&env2, &[])), strip(&all));
}

#[test]
fn a_list_with_bad_rows_is_refused_whole_naming_each_row() {
    let env = Env::new();
    let fl = fixture::problem_list();
    let mut rows = fixture::rows(&fl);
    // Row 6 of the sheet: a place that is not in Qinghai; row 14: no description; row 20: a
    // deadline nobody can read.
    rows[5][1] = "海南".into();
    rows[13][4] = String::new();
    rows[19][8] = "尽快".into();
    let file = list_file(&env, "清单.csv", &fixture::csv_gbk(&rows));
    let r = env.run(&["problems", "import", file.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the list was not imported, nothing changed (bad rows: 3)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("row 6, 市州 “海南”"), "{}", r.stderr);
    assert!(r.stderr.contains("row 14, 存在问题 “”"), "{}", r.stderr);
    assert!(r.stderr.contains("row 20, 整改时限 “尽快”"), "{}", r.stderr);
    let zh = env.run(&["--lang", "zh", "problems", "import", file.to_str().unwrap()]);
    assert!(zh.stderr.contains("第 6 行，市州“海南”"), "{}", zh.stderr);
    assert!(zh.stderr.contains("整张清单未导入"), "{}", zh.stderr);
    // Nothing at all was imported.
    assert!(list(&env, &[]).is_empty());
}

#[test]
fn reimport_keeps_links_and_status_and_withdraws_what_is_gone() {
    let (env, mut fl) = imported();
    let all = list(&env, &[]);
    let id = find(&all, Some("海东市"), "2")["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let gone = find(&all, Some("西宁市"), "8")["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let photo = env.evidence.join("海东市/互助县/整改/台账照片.txt");
    ok(env.run(&[
        "problems",
        "link",
        &id,
        photo.to_str().unwrap(),
        "--note",
        "台账照片",
    ]));
    ok(env.run(&[
        "problems",
        "set",
        &id,
        "--status",
        "rectifying",
        "--reason",
        "已开始整改",
    ]));

    // The next version of the list: one description reworded, 西宁市 8 dropped.
    fl.specific[9].description = "海东市问题2：科普阵地开放时间已公示，照片待补".into();
    fl.specific
        .retain(|p| !(p.prefecture == Some("西宁市") && p.number == "8"));
    let file = list_file(&env, "2020问题清单（修订）.xlsx", &fixture::xlsx(&fl));
    let r = ok(env.run(&["problems", "import", file.to_str().unwrap()]));
    assert!(
        r.stdout.contains("1 updated, 69 unchanged, 1 withdrawn"),
        "{}",
        r.stdout
    );

    let all = list(&env, &[]);
    assert_eq!(all.len(), 71, "nothing is deleted");
    let kept = find(&all, Some("海东市"), "2");
    assert_eq!(kept["id"].to_string(), id, "same problem, same id");
    assert_eq!(kept["status"], "rectifying");
    assert_eq!(kept["evidence"].as_array().unwrap().len(), 1);
    assert_eq!(kept["evidence"][0]["note"], "台账照片");
    assert!(kept["description"].as_str().unwrap().contains("已公示"));
    let w = find(&all, Some("西宁市"), "8");
    assert_eq!(
        (w["id"].to_string(), &w["status"]),
        (gone.clone(), &serde_json::json!("withdrawn"))
    );

    // Listed again, it comes back as it was.
    let again = list_file(&env, "again.xlsx", &fixture::xlsx(&fixture::problem_list()));
    let r = ok(env.run(&["problems", "import", again.to_str().unwrap()]));
    assert!(r.stdout.contains("1 restored"), "{}", r.stdout);
    let show = ok(env.run(&["problems", "show", &gone, "--json"])).json();
    assert_eq!(show["status"], "open");
    let actions: Vec<&str> = show["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["import.created", "import.withdrawn", "import.restored"]
    );
    ok(env.run(&["audit", "verify"]));
}

#[test]
fn overdue_is_judged_on_the_as_of_day() {
    let (env, _) = imported();
    // Deadlines before 2020-07-01 (2020-06-30 in three forms) and still open.
    let overdue = list(&env, &["--overdue", "--as-of", "2020-07-01"]);
    assert!(!overdue.is_empty());
    assert!(overdue
        .iter()
        .all(|p| p["deadline"].as_str().unwrap() < "2020-07-01" && p["overdue"] == true));
    let n = overdue.len();
    let id = overdue[0]["id"].to_string();
    ok(env.run(&[
        "problems",
        "set",
        &id,
        "--status",
        "rectified",
        "--reason",
        "已整改到位",
    ]));
    assert_eq!(
        list(&env, &["--overdue", "--as-of", "2020-07-01"]).len(),
        n - 1
    );
    assert!(list(&env, &["--overdue", "--as-of", "2020-06-30"]).is_empty());
    let all = list(&env, &["--as-of", "2030-01-01", "--status", "open"]);
    assert!(all.iter().all(|p| p["overdue"] == true));
    let table = ok(env.run(&["problems", "list", "--as-of", "2020-07-01"]));
    assert!(
        table
            .stdout
            .contains(&format!("71 problems, {} overdue", n - 1)),
        "{}",
        table.stdout
    );
}

#[test]
fn verified_needs_a_curator_and_linked_evidence() {
    let (env, _) = imported();
    let all = list(&env, &[]);
    let id = find(&all, Some("西宁市"), "1")["id"].as_i64().unwrap();
    let ids = id.to_string();
    // No evidence yet: refused at the command line, nothing changed.
    let r = env.run(&[
        "problems",
        "set",
        &ids,
        "--status",
        "verified",
        "--reason",
        "核查通过",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("has no linked evidence"), "{}", r.stderr);
    let report = env.evidence.join("西宁市/整改报告.txt");
    ok(env.run(&["problems", "link", &ids, report.to_str().unwrap()]));

    let cat = Catalog::open_existing(&env.archive).unwrap();
    let schema = archive::schema::Schema::embedded().unwrap();
    let viewer = Actor::new("观察员", Role::Viewer);
    let curator = Actor::new("卓玛", Role::Curator);
    let r = track::set_status(
        &cat,
        &schema,
        &viewer,
        id,
        Status::Verified,
        Some("核查通过"),
    );
    assert!(
        matches!(
            r,
            Err(ProblemsError::Curate(
                archive::curate::CurateError::Forbidden { .. }
            ))
        ),
        "{r:?}"
    );
    let r = track::link(&cat, &schema, &viewer, id, &[], None);
    assert!(matches!(
        r,
        Err(ProblemsError::Curate(
            archive::curate::CurateError::Forbidden { .. }
        ))
    ));
    // A reason is required.
    assert!(track::set_status(&cat, &schema, &curator, id, Status::Verified, None).is_err());
    assert_eq!(
        track::set_status(
            &cat,
            &schema,
            &curator,
            id,
            Status::Verified,
            Some("核查通过")
        )
        .unwrap(),
        Status::Open
    );
    drop(cat);
    // The last evidence of a verified problem stays.
    let r = env.run(&["problems", "unlink", &ids, report.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("is verified and this is its last evidence"),
        "{}",
        r.stderr
    );

    let show = ok(env.run(&["problems", "show", &ids, "--json"])).json();
    assert_eq!(show["status"], "verified");
    let last = show["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["who"].as_str(), last["action"].as_str()),
        (Some("卓玛"), Some("status"))
    );

    // Every change is in the audit chain, and the chain holds.
    let log = ok(env.run(&["audit", "--json"])).json_lines();
    let actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["problems.import", "problem.link", "problem.status"]
    );
    assert_eq!(log[1]["files"].as_array().unwrap().len(), 1);
    ok(env.run(&["audit", "verify"]));
}

#[test]
fn the_report_numbers_equal_the_list() {
    let (env, _) = imported();
    let all = list(&env, &["--as-of", "2020-07-01"]);
    let id = all[0]["id"].to_string();
    ok(env.run(&[
        "problems",
        "set",
        &id,
        "--status",
        "rectified",
        "--reason",
        "已整改",
    ]));
    let r = ok(env.run(&[
        "problems",
        "report",
        "--format",
        "json",
        "--as-of",
        "2020-07-01",
    ]))
    .json();
    let all = list(&env, &["--as-of", "2020-07-01"]);
    let count = |f: &dyn Fn(&serde_json::Value) -> bool| all.iter().filter(|p| f(p)).count();
    assert_eq!(r["total"]["all"], 71);
    assert_eq!(r["total"]["overdue"], count(&|p| p["overdue"] == true));
    assert_eq!(r["total"]["rectified"], 1);
    assert_eq!(r["total"]["open"], 70);
    // Each place's subtotal is its own problems; the province-wide row is counted once.
    for line in r["summary"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["category"].is_null())
    {
        let mine = count(&|p| p["prefecture"]["code"] == line["code"]);
        assert_eq!(line["all"], mine, "{line}");
    }
    let subtotal_sum: u64 = r["summary"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["category"].is_null())
        .map(|s| s["all"].as_u64().unwrap())
        .sum();
    assert_eq!(subtotal_sum, 71);

    // The workbook: a summary sheet and the full list with a row per problem.
    let out = env.evidence.parent().unwrap().join("整改台账");
    ok(env.run(&[
        "problems",
        "report",
        "--format",
        "xlsx",
        "--as-of",
        "2020-07-01",
        "--out",
        out.to_str().unwrap(),
    ]));
    let bytes = std::fs::read(out.with_extension("xlsx")).unwrap();
    let sheets = archive::extract::document::sheet::grids(
        &bytes,
        archive::extract::document::DocKind::Xlsx,
        &Default::default(),
    )
    .unwrap();
    assert_eq!(sheets.len(), 2);
    assert_eq!(sheets[1].rows.len(), 2 + 71, "title, header, problems");
    assert!(sheets[1].rows[1].iter().any(|h| h == "overdue"));
}

/// GET through the router of a server on `env`'s archive: (status, body).
async fn page(env: &Env, uri: &str) -> (u16, String) {
    use tower::ServiceExt;
    let cfg = archive::config::Config::load(&env.archive, None).unwrap();
    let state = archive::serve::AppState::open(cfg).unwrap();
    let req = axum::http::Request::get(uri)
        .body(axum::body::Body::empty())
        .unwrap();
    let res = archive::serve::app(state).oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    let body = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_shows_the_matrix_the_list_and_a_problem_with_its_evidence() {
    let (env, _) = imported();
    let all = list(&env, &[]);
    let id = find(&all, Some("海东市"), "2")["id"].to_string();
    let photo = env.evidence.join("海东市/互助县/整改/台账照片.txt");
    ok(env.run(&[
        "problems",
        "link",
        &id,
        photo.to_str().unwrap(),
        "--note",
        "台账照片",
    ]));
    let id_n = find(&all, Some("海东市"), "2")["id"].as_i64().unwrap();
    let blake3 = list(&env, &[]).iter().find(|p| p["id"] == id_n).unwrap()["evidence"][0]["blake3"]
        .as_str()
        .unwrap()
        .to_string();

    let (status, html) = page(&env, "/problems?as_of=2020-07-01").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"problem-matrix\""));
    assert!(
        html.contains("<th>海东市</th>") && html.contains("<th>全省</th>"),
        "{html}"
    );
    assert!(html.contains("class=\"overdue\""), "overdue shown in red");
    let rows = html.matches("<tr").count();
    assert!(rows > 71, "every problem listed: {rows}");

    // A place's overdue list, as the matrix links it.
    let uri = format!(
        "/problems?prefecture={}&overdue=1&as_of=2020-07-01",
        enc("海东")
    );
    let (status, html) = page(&env, &uri).await;
    assert_eq!(status, 200);
    let want = list(
        &env,
        &["--prefecture", "海东", "--overdue", "--as-of", "2020-07-01"],
    )
    .len();
    let list_html = &html[html.find("id=\"problem-list\"").unwrap()..];
    assert_eq!(list_html.matches("<tr class=\"overdue\">").count(), want);

    let (status, html) = page(&env, &format!("/problems/{id}?lang=en")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("src=\"/thumb/{blake3}\"")), "{html}");
    assert!(html.contains(&format!("href=\"/record/{blake3}?lang=en\"")));
    assert!(html.contains("台账照片"));
    assert!(html.contains("import.created") && html.contains("link"));
    let (status, _) = page(&env, "/problems/99999").await;
    assert_eq!(status, 404);
}

#[test]
fn an_exported_package_lists_the_problems_its_files_prove_and_verify_checks_them() {
    let (env, _) = imported();
    let all = list(&env, &[]);
    let id = find(&all, Some("西宁市"), "1")["id"].as_i64().unwrap();
    let report = env.evidence.join("西宁市/整改报告.txt");
    ok(env.run(&[
        "problems",
        "link",
        &id.to_string(),
        report.to_str().unwrap(),
        "--note",
        "整改报告原件",
    ]));
    ok(env.run(&["collection", "create", "整改佐证"]));
    ok(env.run(&["collection", "add", "整改佐证", report.to_str().unwrap()]));
    let out = env.evidence.parent().unwrap().join("包");
    ok(env.run(&[
        "export",
        "--collection",
        "整改佐证",
        "--out",
        out.to_str().unwrap(),
    ]));
    let csv = std::fs::read_to_string(out.join("problems.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].contains("本包中的佐证"), "{csv}");
    let row = lines
        .iter()
        .find(|l| l.starts_with("1,西宁市"))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(
        row.contains(",未整改,"),
        "its status on the day of export: {row}"
    );
    assert!(
        csv.contains("data/西宁市/") && csv.contains("整改报告.txt（整改报告原件）"),
        "{csv}"
    );
    assert_eq!(
        csv.lines().count(),
        2,
        "only the problem whose evidence the package holds: {csv}"
    );
    assert!(std::fs::read(out.join("problems.xlsx"))
        .unwrap()
        .starts_with(b"PK"));
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("id=\"problems\""), "the page lists them");
    assert!(index.contains("本包佐证涉及的整改问题（1 个）"), "{index}");
    let tm = std::fs::read_to_string(out.join("tagmanifest-sha256.txt")).unwrap();
    assert!(
        tm.contains("  problems.csv") && tm.contains("  problems.xlsx"),
        "{tm}"
    );
    ok(env.run(&["verify", out.to_str().unwrap()]));
    std::fs::write(out.join("problems.csv"), csv.replace("西宁市", "海东市")).unwrap();
    let r = env.run(&["verify", out.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.contains("problems.csv"), "{}", r.stdout);
}

#[test]
fn the_same_list_saved_as_old_binary_xls_reads_the_same() {
    let (env, fl) = imported();
    let from_xlsx = list(&env, &[]);
    let env2 = Env::new();
    let file = list_file(&env2, "2020问题清单.xls", &fixture::xls(&fl));
    let r = ok(env2.run(&["problems", "import", file.to_str().unwrap()]));
    assert!(
        r.stdout.contains("71 problems (7 province-wide); 71 new"),
        "{}",
        r.stdout
    );
    let from_xls = list(&env2, &[]);
    let key = |p: &serde_json::Value| {
        (
            p["prefecture"].to_string(),
            p["county"].to_string(),
            p["number"].to_string(),
            p["deadline"].to_string(),
            p["description"].to_string(),
            p["category"].to_string(),
            p["source_row"].to_string(),
        )
    };
    assert_eq!(
        from_xls.iter().map(key).collect::<Vec<_>>(),
        from_xlsx.iter().map(key).collect::<Vec<_>>()
    );
    for want in fl.common.iter().chain(&fl.specific) {
        let got = find(&from_xls, want.prefecture, &want.number);
        assert_eq!(got["deadline"], want.expected_deadline.as_str(), "{got}");
    }
}

/// The page narrows the whole list in memory instead of asking the catalog again: it must
/// give what `problems list` gives for every kind of filter.
#[test]
fn narrowing_the_whole_list_equals_listing_with_the_filter() {
    let (env, _) = imported();
    let cat = Catalog::open_existing(&env.archive).unwrap();
    let schema = archive::schema::Schema::embedded().unwrap();
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let filter =
        |prefecture: Option<&str>, category: Option<&str>, status, overdue| track::Filter {
            prefecture: prefecture.map(str::to_string),
            category: category.map(str::to_string),
            status,
            overdue_only: overdue,
            as_of: day("2020-07-01"),
        };
    let all = track::list(&cat, &schema, &filter(None, None, None, false)).unwrap();
    for f in [
        filter(Some("海东"), None, None, false),
        filter(Some("全省"), None, None, false),
        filter(Some("互助县"), None, None, false),
        filter(None, Some("阵地建设"), None, false),
        filter(None, None, Some(Status::Open), false),
        filter(None, None, None, true),
        filter(Some("西宁市"), Some("经费保障"), Some(Status::Open), true),
    ] {
        let ids = |v: Vec<track::ProblemView>| v.into_iter().map(|p| p.id).collect::<Vec<_>>();
        let listed = ids(track::list(&cat, &schema, &f).unwrap());
        let narrowed = ids(track::narrow(&schema, &f, &all).unwrap());
        assert_eq!(narrowed, listed, "{f:?}");
    }
    assert!(track::narrow(&schema, &filter(Some("海南岛"), None, None, false), &all).is_err());
}
