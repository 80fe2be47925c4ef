//! Linking photos to a problem of the problem list (作为整改佐证) in a real browser: ticked on
//! the search results and linked together, then one more from a photo's detail page; the
//! problem's page then shows them, and the links are in the problem's history. Skipped, with
//! a note, without chromium.

use std::path::Path;

use archive::sample::{jpeg::jpeg, Pattern, PhotoSpec};
use serde_json::json;

use crate::browser::{screenshots, serve_state, Browser, CHROMIUM};
use crate::harness::Env;

fn photo(seed: u32) -> Vec<u8> {
    jpeg(&PhotoSpec {
        pattern: Pattern::Scene(seed),
        ..Default::default()
    })
}

/// Two caravan photos in 海东, one in 西宁, and a list with one problem for each.
fn archive_with_problems() -> Env {
    let env = Env::new();
    env.write("海东市/B4.1科普大篷车/大篷车进校园1.jpg", photo(11));
    env.write("海东市/B4.1科普大篷车/大篷车进校园2.jpg", photo(12));
    env.write("西宁市/B4.1科普大篷车/大篷车进社区.jpg", photo(13));
    let (code, _) = env.index();
    assert_eq!(code, 0);
    let list = env.evidence.parent().unwrap().join("问题清单.csv");
    std::fs::write(
        &list,
        "序号,市州,问题类别,存在问题,对应指标,整改时限\n\
         1,海东市,活动,大篷车活动照片不全,B4.1,2020-06-30\n\
         2,西宁市,活动,社区科普活动缺少记录,B4.1,2020-06-30\n",
    )
    .unwrap();
    let r = env.run(&["problems", "import", list.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    env
}

fn problem_id(env: &Env, place: &str) -> i64 {
    env.run(&["problems", "list", "--json"])
        .json_lines()
        .iter()
        .find(|p| p["prefecture"]["name"] == place)
        .and_then(|p| p["id"].as_i64())
        .unwrap()
}

fn evidence(env: &Env, id: i64) -> Vec<(String, String)> {
    let cat = archive::catalog::Catalog::open_existing(&env.archive).unwrap();
    let schema = archive::schema::Schema::embedded().unwrap();
    let today = chrono::Local::now().date_naive();
    let d = archive::problems::track::show(&cat, &schema, id, today).unwrap();
    d.problem
        .evidence
        .iter()
        .map(|e| (e.blake3.clone(), e.note.clone()))
        .collect()
}

#[test]
fn linking_photos_as_rectification_evidence_in_chromium() {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("note: {CHROMIUM} is not installed; the browser test is skipped (apt-get install chromium)");
        return;
    }
    let env = archive_with_problems();
    let haidong = problem_id(&env, "海东市");
    let xining = problem_id(&env, "西宁市");
    let cfg = archive::config::Config::load(&env.archive, None).unwrap();
    let base = serve_state(archive::serve::AppState::open(cfg).unwrap());
    let mut b = Browser::launch();

    // The results of 海东: each card has a tick box, the form offers 海东's problem only.
    b.goto(&format!("{base}/?f=prefecture:%E6%B5%B7%E4%B8%9C%E5%B8%82"));
    assert_eq!(
        b.eval("document.querySelectorAll('#results input[name=file]').length"),
        2
    );
    let options = b.eval(
        "Array.from(document.querySelectorAll('#link-problem option')).map(o => o.textContent).join('|')",
    );
    let options = options.as_str().unwrap();
    assert!(options.contains("大篷车活动照片不全"), "{options}");
    assert!(
        !options.contains("社区科普活动"),
        "another prefecture's problem: {options}"
    );
    for n in 1..=2 {
        let (x, y) = b.point_of(&format!(
            "#results article:nth-of-type({n}) input[name=file]"
        ));
        b.click_at(x, y);
    }
    assert_eq!(
        b.eval("document.querySelectorAll('#results input[name=file]:checked').length"),
        2,
        "both ticked by mouse"
    );
    let (x, y) = b.point_of("#link-problem input[name=note]");
    b.click_at(x, y);
    b.call("Input.insertText", json!({"text": "整改后补拍"}));
    b.screenshot(&screenshots().join("9-link-from-results.png"));
    b.click("#link-problem button");
    assert!(
        b.url().contains("prefecture:海东市"),
        "back on the same results: {}",
        b.url()
    );
    let linked = evidence(&env, haidong);
    assert_eq!(linked.len(), 2, "{linked:?}");
    assert!(linked.iter().all(|(_, note)| note == "整改后补拍"));

    // The problem's page shows both photos.
    b.goto(&format!("{base}/problems/{haidong}"));
    assert_eq!(
        b.eval("document.querySelectorAll('img[src^=\"/thumb/\"]').length"),
        2
    );

    // From a photo's detail page: 西宁's photo to 西宁's problem.
    let hit = env.search("大篷车进社区", &[]);
    let b3 = hit[0]["blake3"].as_str().unwrap().to_string();
    b.goto(&format!("{base}/record/{b3}"));
    let chosen = b.eval("document.querySelector('form.evidence-for select').value");
    assert_eq!(chosen, json!(xining.to_string()));
    b.click("form.evidence-for button");
    assert!(b.url().contains(&format!("/record/{b3}")), "{}", b.url());
    assert_eq!(evidence(&env, xining), [(b3, String::new())]);
    b.goto(&format!("{base}/problems/{xining}"));
    b.screenshot(&screenshots().join("10-problem-evidence.png"));
    assert_eq!(
        b.eval("document.querySelectorAll('img[src^=\"/thumb/\"]').length"),
        1
    );
}
