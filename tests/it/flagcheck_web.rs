//! The record page's flags (issue 22, item 2) through the router: each flag with what to do,
//! the form to mark it checked or explained (curators only, CSRF like every form), the decision
//! shown with who and the note, the 需核查 facet without it, reopening; and the ledger's count
//! switch with its default stated.

use archive::curate::{users, Actor, Role};
use archive::serve::{app, AppState};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use tower::ServiceExt;

/// The password every test user here signs in with (captions_web.rs shares these helpers).
pub(crate) const PASSWORD: &str = "correct horse 42";
const CIRCULAR: &str = "青海省科协关于开展2019年科普日活动的通知";

pub(crate) struct Got {
    pub(crate) status: StatusCode,
    pub(crate) body: String,
    pub(crate) cookie: Option<String>,
    pub(crate) location: String,
}

pub(crate) async fn send(
    st: &AppState,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> Got {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1:8080");
    if let Some(k) = cookie {
        b = b.header(header::COOKIE, format!("archive_session={k}"));
    }
    let body = if method == "GET" {
        Body::empty()
    } else {
        b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form {
            s.append_pair(k, v);
        }
        Body::from(s.finish())
    };
    let res = app(st.clone())
        .oneshot(b.body(body).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .and_then(|v| v.split_once('='))
        .map(|(_, v)| v.to_string());
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    Got {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
        cookie,
        location,
    }
}

/// (session cookie, CSRF token)
pub(crate) async fn sign_in(st: &AppState, name: &str) -> (String, String) {
    let g = send(
        st,
        "POST",
        "/login",
        None,
        &[("name", name), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.body);
    let cookie = g.cookie.unwrap();
    let s: serde_json::Value = serde_json::from_str(
        &send(st, "GET", "/api/session", Some(&cookie), &[])
            .await
            .body,
    )
    .unwrap();
    (cookie, s["csrf"].as_str().unwrap().to_string())
}

fn archive_with_a_circular() -> (tempfile::TempDir, AppState, String) {
    let dir = tempfile::Builder::new()
        .prefix("flagweb-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let evidence = dir.path().join("evidence");
    for p in ["海东市/B4.1科普大篷车", "西宁市/B4.1科普大篷车"] {
        std::fs::create_dir_all(evidence.join(p)).unwrap();
        std::fs::write(evidence.join(p).join("省科协通知.txt"), CIRCULAR).unwrap();
        std::fs::write(evidence.join(p).join("Thumbs.db"), "thumbnail cache").unwrap();
    }
    let archive_dir = dir.path().join("archive-data");
    let cfg = archive::config::Config::load(&archive_dir, None).unwrap();
    let opts = archive::pipeline::IndexOptions {
        roots: vec![evidence],
        ..Default::default()
    };
    archive::pipeline::run_index(&cfg, &opts).unwrap();
    let op = Actor::local_operator();
    users::add(&archive_dir, &op, "cai", Role::Curator, PASSWORD).unwrap();
    users::add(&archive_dir, &op, "vic", Role::Viewer, PASSWORD).unwrap();
    let cfg = archive::config::Config::load(&archive_dir, None).unwrap();
    let schema = std::sync::Arc::new(cfg.schema().unwrap());
    let st = AppState::with_schema(cfg, schema).unwrap();
    let b3 = blake3::hash(CIRCULAR.as_bytes()).to_hex().to_string();
    (dir, st, b3)
}

/// How many present files the 需核查 facet counts under `flag`.
async fn needing_check(st: &AppState, cookie: &str, flag: &str) -> u64 {
    let g = send(
        st,
        "GET",
        &format!("/api/search?f=flag:{flag}"),
        Some(cookie),
        &[],
    )
    .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    let v: serde_json::Value = serde_json::from_str(&g.body).unwrap();
    v["total"].as_u64().unwrap_or_else(|| panic!("{v}"))
}

#[tokio::test]
async fn a_curator_explains_a_flag_on_the_record_page() {
    let (_dir, st, b3) = archive_with_a_circular();
    let record = format!("/record/{b3}");
    let action = format!("/record/{b3}/flag");
    let (vic, vic_csrf) = sign_in(&st, "vic").await;
    let page = send(&st, "GET", &record, Some(&vic), &[]).await.body;
    assert!(
        page.contains("怎么办") && page.contains("各地都应报送"),
        "the advice is shown to everyone"
    );
    assert!(!page.contains(&action), "no form for a viewer");
    let form = [
        ("csrf", vic_csrf.as_str()),
        ("flag", "duplicate_across_submissions"),
        ("action", "resolve"),
        ("as", "explained"),
        ("note", "x"),
    ];
    assert_eq!(
        send(&st, "POST", &action, Some(&vic), &form).await.status,
        StatusCode::FORBIDDEN
    );

    let (cai, csrf) = sign_in(&st, "cai").await;
    let page = send(&st, "GET", &record, Some(&cai), &[]).await.body;
    assert!(
        page.contains(&action) && page.contains("已说明") && page.contains("已核实"),
        "the curator's form"
    );
    assert_eq!(
        needing_check(&st, &cai, "duplicate_across_submissions").await,
        2
    );
    // Without the CSRF token, without a note, or on a flag the file does not raise: refused.
    let no_csrf = [
        ("flag", "duplicate_across_submissions"),
        ("action", "resolve"),
        ("as", "explained"),
        ("note", "省级通知"),
    ];
    assert_eq!(
        send(&st, "POST", &action, Some(&cai), &no_csrf)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let no_note = [
        ("csrf", csrf.as_str()),
        ("flag", "duplicate_across_submissions"),
        ("action", "resolve"),
        ("as", "explained"),
        ("note", " "),
    ];
    assert_eq!(
        send(&st, "POST", &action, Some(&cai), &no_note)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let not_raised = [
        ("csrf", csrf.as_str()),
        ("flag", "possibly_edited"),
        ("action", "resolve"),
        ("as", "checked"),
        ("note", "n"),
    ];
    assert_eq!(
        send(&st, "POST", &action, Some(&cai), &not_raised)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let ok = [
        ("csrf", csrf.as_str()),
        ("flag", "duplicate_across_submissions"),
        ("action", "resolve"),
        ("as", "explained"),
        ("note", "省级通知，三个市州依规都报送"),
    ];
    let g = send(&st, "POST", &action, Some(&cai), &ok).await;
    assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.body);
    let page = send(&st, "GET", &record, Some(&cai), &[]).await.body;
    assert!(
        page.contains("已说明（cai，") && page.contains("省级通知，三个市州依规都报送"),
        "who and the note"
    );
    assert!(page.contains("flag.resolve"), "the history line");
    assert!(
        page.contains("重新打开") || page.contains("Reopen"),
        "the reopen form"
    );
    assert_eq!(
        needing_check(&st, &cai, "duplicate_across_submissions").await,
        0
    );
    let api: serde_json::Value = serde_json::from_str(
        &send(&st, "GET", &format!("/api/record/{b3}"), Some(&cai), &[])
            .await
            .body,
    )
    .unwrap();
    assert!(api.to_string().contains("\"state\":\"explained\""), "{api}");

    // Back to the page as it was opened (inside its search), never to another site.
    let inside = format!("{record}?id=1&q=%E9%80%9A%E7%9F%A5&pos=1");
    let reopen = [
        ("csrf", csrf.as_str()),
        ("flag", "duplicate_across_submissions"),
        ("action", "reopen"),
        ("note", "再核对"),
        ("back", inside.as_str()),
    ];
    let g = send(&st, "POST", &action, Some(&cai), &reopen).await;
    assert_eq!(g.location, inside);
    let away = [
        ("csrf", csrf.as_str()),
        ("flag", "duplicate_across_submissions"),
        ("action", "resolve"),
        ("as", "checked"),
        ("note", "n"),
        ("back", "https://evil.example/"),
    ];
    assert_eq!(
        send(&st, "POST", &action, Some(&cai), &away).await.location,
        record
    );
    let reopen = [
        ("csrf", csrf.as_str()),
        ("flag", "duplicate_across_submissions"),
        ("action", "reopen"),
        ("note", "再核对"),
    ];
    assert_eq!(
        send(&st, "POST", &action, Some(&cai), &reopen).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        needing_check(&st, &cai, "duplicate_across_submissions").await,
        2
    );
}

#[tokio::test]
async fn the_ledger_page_states_what_it_counts() {
    let (_dir, st, _) = archive_with_a_circular();
    let (vic, _) = sign_in(&st, "vic").await;
    let page = send(&st, "GET", "/ledger", Some(&vic), &[]).await.body;
    assert!(
        page.contains("统计范围：只计考核期内的文件（默认）"),
        "the default is said"
    );
    assert!(
        page.contains("count=all") && page.contains("count=accepted"),
        "the switch"
    );
    let all = send(&st, "GET", "/ledger?count=all", Some(&vic), &[])
        .await
        .body;
    assert!(all.contains("<b>计入全部文件</b>"), "the choice is marked");
    assert!(
        page.contains("<b>只计考核期内的文件（默认）</b>"),
        "the default, chosen, says it is the default"
    );
    assert!(
        all.contains("/ledger.xlsx?count=all"),
        "downloads keep the choice"
    );
    assert_eq!(
        send(&st, "GET", "/ledger?count=some", Some(&vic), &[])
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let cov: serde_json::Value = serde_json::from_str(
        &send(&st, "GET", "/api/coverage?count=all", Some(&vic), &[])
            .await
            .body,
    )
    .unwrap();
    assert_eq!(cov["total"], 2, "the two Thumbs.db are not counted: {cov}");
    assert_eq!(cov["counted"], "all");
}

/// 作为整改佐证 from a file's page: a curator links the file to one of its prefecture's open
/// problems (the province-wide ones too), the problem lists it as evidence and the audit log
/// says so; a viewer sees no form and is refused.
#[tokio::test(flavor = "multi_thread")]
async fn a_file_is_linked_as_rectification_evidence_from_its_page() {
    let (dir, st, b3) = archive_with_a_circular();
    let archive_dir = dir.path().join("archive-data");
    let list = dir.path().join("问题清单.csv");
    std::fs::write(
        &list,
        "2020年问题清单\n序号,市州,存在问题,整改时限\n1,海东市,科普大篷车活动无影像资料,2020年6月30日\n\
         2,西宁市,台账未分类归档,2020年6月底前\n3,全省,科普日活动总结未报送,2020-09-30\n",
    )
    .unwrap();
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_archive"))
            .arg("--archive")
            .arg(&archive_dir)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    cli(&["problems", "import", list.to_str().unwrap()]);
    let problems: Vec<serde_json::Value> = cli(&["problems", "list", "--json"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let id_of = |n: &str| {
        problems.iter().find(|p| p["number"] == n).unwrap()["id"]
            .as_i64()
            .unwrap()
            .to_string()
    };

    let (cookie, csrf) = sign_in(&st, "cai").await;
    let page = send(&st, "GET", &format!("/record/{b3}"), Some(&cookie), &[]).await;
    assert!(
        page.body
            .contains(&format!("action=\"/record/{b3}/problem")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("科普大篷车活动无影像资料"),
        "海东市's problem offered"
    );
    assert!(
        page.body.contains("科普日活动总结未报送"),
        "the province-wide one too"
    );
    let g = send(
        &st,
        "POST",
        &format!("/record/{b3}/problem"),
        Some(&cookie),
        &[
            ("csrf", &csrf),
            ("problem", &id_of("1")),
            ("note", "大篷车进校园照片"),
            ("back", &format!("/record/{b3}")),
        ],
    )
    .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.body);
    assert_eq!(g.location, format!("/record/{b3}"));
    let shown = cli(&["problems", "list", "--json", "--prefecture", "海东市"]);
    let p1: serde_json::Value = shown
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|p| p["number"] == "1")
        .unwrap();
    assert_eq!(p1["evidence"][0]["blake3"], b3.as_str(), "{p1}");
    // The link is an audit entry, and the chain still checks.
    let log = cli(&["--lang", "en", "audit", "verify"]);
    assert!(log.contains("audit log intact"), "{log}");
    let history = cli(&["--lang", "en", "problems", "show", &id_of("1")]);
    assert!(
        history.contains("大篷车进校园照片"),
        "the note is in the problem's history: {history}"
    );

    let (vcookie, vcsrf) = sign_in(&st, "vic").await;
    let page = send(&st, "GET", &format!("/record/{b3}"), Some(&vcookie), &[]).await;
    assert!(!page.body.contains("/problem\""), "no form for a viewer");
    let g = send(
        &st,
        "POST",
        &format!("/record/{b3}/problem"),
        Some(&vcookie),
        &[("csrf", &vcsrf), ("problem", &id_of("2"))],
    )
    .await;
    assert_eq!(g.status, StatusCode::FORBIDDEN, "{}", g.body);
}
