//! The self-check's counting on a rubric from `sample::problems::rubric_toml`: accepted files
//! earn, pending ones show apart, rejected ones never count, one content counts once, yearly
//! rules are checked year by year, open problems are listed against their indicator.

use super::score::{build, ScoredFile};
use super::track::{PlaceRef, ProblemView};
use super::Status;
use crate::curate::collections::Review;
use crate::i18n::Lang;
use crate::record::Media;
use crate::schema::Schema;

const HAIDONG: &str = "630200";

fn rubric() -> Schema {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("indicators.toml"),
        crate::sample::problems::rubric_toml(),
    )
    .unwrap();
    Schema::load(dir.path()).unwrap()
}

fn file(b3: &str, ind: &str, media: Media, year: Option<i32>, name: &str, r: Review) -> ScoredFile {
    ScoredFile {
        blake3: b3.into(),
        prefecture: Some(HAIDONG.into()),
        indicators: vec![ind.into()],
        media,
        year,
        names: crate::schema::text::compact(name),
        review: r,
    }
}

fn problem(id: i64, number: &str, scope: &str, ind: &str, status: Status) -> ProblemView {
    ProblemView {
        id,
        number: number.into(),
        scope: scope.into(),
        prefecture: (scope == "prefecture").then(|| PlaceRef {
            code: HAIDONG.into(),
            name: "海东市".into(),
        }),
        county: None,
        category: "活动".into(),
        description: "大篷车活动照片不全".into(),
        indicators: vec![ind.into()],
        indicator_text: ind.into(),
        measures: String::new(),
        responsible: String::new(),
        deadline: None,
        deadline_text: String::new(),
        progress: String::new(),
        remark: String::new(),
        status,
        evidence: Vec::new(),
        overdue: false,
        source: "list.xlsx".into(),
        source_row: 3,
    }
}

#[test]
fn accepted_files_earn_points_pending_ones_show_apart() {
    use Review::*;
    let s = rubric();
    let files = vec![
        file("p1", "B4.1", Media::Photo, Some(2019), "a.jpg", Accepted),
        file("p2", "B4.1", Media::Photo, Some(2019), "b.jpg", Accepted),
        // A copy of p1 elsewhere, not reviewed: the same content, counted once.
        file(
            "p1",
            "B4.1",
            Media::Photo,
            Some(2019),
            "a copy.jpg",
            Pending,
        ),
        file("p3", "B4.1", Media::Photo, Some(2020), "c.jpg", Pending),
        file("p4", "B4.1", Media::Photo, Some(2020), "d.jpg", Pending),
        // Rejected: never counts, even where another copy is pending.
        file("p5", "B4.1", Media::Photo, Some(2018), "e.jpg", Rejected),
        file("p5", "B4.1", Media::Photo, Some(2018), "e2.jpg", Pending),
        // The named document, undated: counts for the period rule only.
        file(
            "d1",
            "B4.1",
            Media::Document,
            None,
            "2019年度工作总结.docx",
            Accepted,
        ),
        // A document with another name does not meet the named rule.
        file(
            "d2",
            "B4.1",
            Media::Document,
            None,
            "活动方案.docx",
            Accepted,
        ),
        // Outside the years checked.
        file(
            "c1",
            "C1",
            Media::Document,
            Some(2015),
            "领导小组.docx",
            Accepted,
        ),
    ];
    let problems = vec![
        problem(1, "3", "prefecture", "B4.1", Status::Open),
        problem(2, "4", "prefecture", "B4.1", Status::Verified),
        problem(3, "1", "province", "C1", Status::Rectifying),
    ];
    let sc = build(
        &s,
        &files,
        &problems,
        &[HAIDONG.into()],
        (2018, 2020),
        Lang::Zh,
    );
    assert_eq!(sc.full_marks, 15.0);
    assert_eq!(sc.prefectures.len(), 1);
    let p = &sc.prefectures[0];
    assert_eq!(p.name, "海东市");
    let b = &p.indicators[0];
    assert_eq!(b.code, "B4.1");
    // Checks: photos 2018 (0), 2019 (2 ✓), 2020 (0 + 2 pending), the summary ✓ → 2 of 4.
    assert_eq!(b.checks.len(), 4);
    assert_eq!(b.earned, 5.0);
    assert_eq!(
        b.with_pending, 7.5,
        "2020 would be met once its photos are accepted"
    );
    let y2019 = b.checks.iter().find(|c| c.year == Some(2019)).unwrap();
    assert_eq!((y2019.accepted, y2019.pending, y2019.met), (2, 0, true));
    let y2018 = b.checks.iter().find(|c| c.year == Some(2018)).unwrap();
    assert_eq!(
        (y2018.accepted, y2018.pending),
        (0, 0),
        "rejected content counts nowhere"
    );
    let gaps: Vec<String> = b
        .missing()
        .map(|c| super::score::gap_text(c, Lang::Zh))
        .collect();
    assert_eq!(
        gaps,
        [
            "2018 年：每年至少 2 个照片，已通过 0 个（待审核 0 个）",
            "2020 年：每年至少 2 个照片，已通过 0 个（待审核 2 个）"
        ]
    );
    let numbers: Vec<&str> = b.open_problems.iter().map(|x| x.number.as_str()).collect();
    assert_eq!(numbers, ["3"], "a verified problem is not open");
    let c = &p.indicators[1];
    assert_eq!((c.code.as_str(), c.earned, c.checks.len()), ("C1", 0.0, 1));
    assert_eq!(
        c.open_problems.len(),
        1,
        "a province-wide problem applies here"
    );
    assert_eq!(
        (p.earned, p.with_pending, p.missing, p.open_problems),
        (5.0, 7.5, 3, 2)
    );
    let en = build(
        &s,
        &files,
        &problems,
        &[HAIDONG.into()],
        (2018, 2020),
        Lang::En,
    );
    assert_eq!(
        en.prefectures[0].indicators[0].checks[0].rule,
        "at least 2 photos each year"
    );
}

#[test]
fn another_prefectures_files_do_not_count() {
    let s = rubric();
    let mut f = file(
        "p1",
        "B4.1",
        Media::Photo,
        Some(2019),
        "a.jpg",
        Review::Accepted,
    );
    f.prefecture = Some("630100".into());
    let sc = build(&s, &[f], &[], &[], (2019, 2019), Lang::Zh);
    assert_eq!(sc.prefectures.len(), 8);
    let xining = sc.prefectures.iter().find(|p| p.code == "630100").unwrap();
    let haidong = sc.prefectures.iter().find(|p| p.code == HAIDONG).unwrap();
    assert_eq!(xining.indicators[0].checks[0].accepted, 1);
    assert_eq!(haidong.indicators[0].checks[0].accepted, 0);
}
