//! The scoring self-check (评分细则) through the binary and the page: an archive scored
//! against a rubric in its own `indicators.toml`; accepting files in a review raises the
//! points, what is missing is named per year, and the open problems against an indicator are
//! listed beside it.

use archive::sample::{jpeg::jpeg, Pattern, PhotoSpec};
use chrono::NaiveDate;

use crate::harness::{Env, Run};

fn ok(r: Run) -> Run {
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    r
}

fn photo(y: i32, seed: u32) -> Vec<u8> {
    jpeg(&PhotoSpec {
        date_time_original: NaiveDate::from_ymd_opt(y, 6, 1).and_then(|d| d.and_hms_opt(10, 0, 0)),
        pattern: Pattern::Scene(seed),
        ..Default::default()
    })
}

/// An archive whose config names a rubric folder (B4.1 10 points: 2 photos a year and a
/// 工作总结; C1 5 points), with 海东's caravan photos of 2019 and 2020, its summary, and one
/// problem against B4.1.
fn scored() -> Env {
    let env = Env::new();
    let rubric = env.archive.join("rubric");
    std::fs::create_dir_all(&rubric).unwrap();
    std::fs::write(
        rubric.join("indicators.toml"),
        archive::sample::problems::rubric_toml(),
    )
    .unwrap();
    std::fs::write(
        env.archive.join("config.toml"),
        "[schema]\ndir = \"rubric\"\n\n[period]\nstart = \"2019-01-01\"\nend = \"2020-12-31\"\n",
    )
    .unwrap();
    env.write("海东市/B4.1科普大篷车/2019_1.jpg", photo(2019, 1));
    env.write("海东市/B4.1科普大篷车/2019_2.jpg", photo(2019, 2));
    env.write("海东市/B4.1科普大篷车/2020_1.jpg", photo(2020, 3));
    env.write(
        "海东市/B4.1科普大篷车/2019年工作总结.txt",
        "海东市科普大篷车工作总结",
    );
    let (code, _) = env.index();
    assert_eq!(code, 0);
    let list = env.evidence.parent().unwrap().join("问题清单.csv");
    std::fs::write(
        &list,
        "序号,市州,问题类别,存在问题,对应指标,整改时限\n1,海东市,活动,大篷车活动照片不全,B4.1,2020-06-30\n",
    )
    .unwrap();
    ok(env.run(&["problems", "import", list.to_str().unwrap()]));
    env
}

fn score_json(env: &Env) -> serde_json::Value {
    ok(env.run(&["report", "--score", "--prefecture", "海东", "--json"])).json()
}

#[test]
fn accepting_evidence_raises_the_points_and_the_gaps_are_named() {
    let env = scored();
    let s = score_json(&env);
    assert_eq!(s["rubric"], "测试评分细则");
    assert_eq!(s["full_marks"], 15.0);
    let p = &s["prefectures"][0];
    assert_eq!(p["name"], "海东市");
    let b = &p["indicators"][0];
    assert_eq!(b["code"], "B4.1");
    // Nothing reviewed yet: no points, but 2019 and the summary would be met.
    assert_eq!(b["earned"], 0.0);
    assert_eq!(b["with_pending"], 6.67);
    assert_eq!(b["open_problems"][0]["number"], "1");

    ok(env.run(&["collection", "create", "迎检"]));
    ok(env.run(&[
        "collection",
        "add",
        "迎检",
        "--query",
        "",
        "-f",
        "prefecture=海东",
    ]));
    ok(env.run(&[
        "collection",
        "review",
        "迎检",
        "海东市/B4.1科普大篷车/2019_1.jpg",
        "海东市/B4.1科普大篷车/2019_2.jpg",
        "海东市/B4.1科普大篷车/2019年工作总结.txt",
        "--accept",
    ]));
    let s = score_json(&env);
    let b = &s["prefectures"][0]["indicators"][0];
    assert_eq!(
        b["earned"], 6.67,
        "2 of 3 checks met: 2019's photos and the summary"
    );
    let p = &s["prefectures"][0];
    assert_eq!(p["missing"], 2, "2020's photos and C1");

    let table = ok(env.run(&["--lang", "zh", "report", "--score"])).stdout;
    assert!(table.contains("评分细则：测试评分细则"), "{table}");
    assert!(
        table.contains("2020 年：每年至少 2 个照片，已通过 0 个（待审核 1 个）"),
        "{table}"
    );
    assert!(table.contains("海东市：6.7 / 15 分"), "{table}");
    let csv = ok(env.run(&["--lang", "zh", "report", "--score", "--format", "csv"])).stdout;
    assert!(csv.contains("海东市,B4.1,科普大篷车,10,6.7,6.7,"), "{csv}");
}

#[test]
fn without_points_the_self_check_says_how_to_give_them() {
    let env = Env::new();
    env.write("海东市/x.txt", "x");
    env.index();
    let r = env.run(&["report", "--score"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("points") && r.stderr.contains("indicators.toml"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_shows_points_gaps_and_problems() {
    use tower::ServiceExt;
    let env = scored();
    let cfg = archive::config::Config::load(&env.archive, None).unwrap();
    let state = archive::serve::AppState::open(cfg).unwrap();
    let app = archive::serve::app(state);
    let get = |uri: &str| {
        let app = app.clone();
        let req = axum::http::Request::get(uri)
            .body(axum::body::Body::empty())
            .unwrap();
        async move {
            let res = app.oneshot(req).await.unwrap();
            let status = res.status().as_u16();
            let body = axum::body::to_bytes(res.into_body(), 1 << 24)
                .await
                .unwrap();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let (status, html) = get("/score?prefecture=630200").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"score-matrix\"") && html.contains("id=\"score-detail\""));
    assert!(html.contains("海东市：0 / 15 分"), "{html}");
    assert!(html.contains("2020 年：每年至少 2 个照片"), "{html}");
    assert!(
        html.contains("href=\"/problems/"),
        "the open problem links to its page"
    );
    let (status, html) = get("/score?lang=en").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Scoring self-check") && html.contains("With pending"),
        "{html}"
    );
    let (status, _) = get("/score?prefecture=%E6%B5%B7%E5%8D%97%E5%B2%9B").await;
    assert_eq!(status, 400, "海南岛 is no prefecture");
    let (status, html) = get("/ledger").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("href=\"/score\""),
        "the ledger leads to the self-check"
    );
}
