//! The list reader on generated lists: every row, place and deadline; refusals naming rows.

use std::path::Path;

use super::deadline::{self, DeadlineError};
use super::store::read_list;
use super::table::{parse_maps, MapRule};
use super::{rows::Scope, ProblemsError, Why};
use crate::sample::problems as fixture;
use crate::schema::Schema;

fn day(s: &str) -> Option<chrono::NaiveDate> {
    Some(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
}

#[test]
fn every_deadline_form_offices_write() {
    let y = Some(2020);
    let cases = [
        ("2020-06-30", "2020-06-30"),
        ("2020-06-30 00:00:00", "2020-06-30"),
        ("44012", "2020-06-30"),
        ("44012.0", "2020-06-30"),
        ("2020/6/30", "2020-06-30"),
        ("2020.6.30", "2020-06-30"),
        ("2020年6月30日", "2020-06-30"),
        ("2020年6月30日前", "2020-06-30"),
        ("2020 年 6 月 30 日之前完成", "2020-06-30"),
        ("6月底前", "2020-06-30"),
        ("2月底", "2020-02-29"),
        ("6月30日前", "2020-06-30"),
        ("2020年6月", "2020-06-30"),
        ("2020年底前", "2020-12-31"),
        ("年底前", "2020-12-31"),
        ("截至2020年9月30日", "2020-09-30"),
        ("２０２０年６月３０日", "2020-06-30"),
        ("20200630", "2020-06-30"),
    ];
    for (text, want) in cases {
        assert_eq!(deadline::parse(text, y), Ok(day(want)), "{text}");
    }
    assert_eq!(deadline::parse("", y), Ok(None));
    assert_eq!(deadline::parse("长期坚持", y), Ok(None));
    assert_eq!(deadline::parse("6月底前", None), Err(DeadlineError::NoYear));
    for bad in [
        "尽快",
        "2020年13月1日",
        "2020/2/30",
        "下半年",
        "6-30",
        "二〇二〇年六月",
    ] {
        assert_eq!(
            deadline::parse(bad, y),
            Err(DeadlineError::Unreadable),
            "{bad}"
        );
    }
    assert_eq!(
        deadline::year_in("2020年全省科学素质工作督查问题整改清单"),
        Some(2020)
    );
    assert_eq!(deadline::year_in("问题清单（第12020号）"), None);
}

fn read(
    name: &str,
    data: &[u8],
    year: Option<i32>,
    maps: &[MapRule],
) -> Result<Vec<super::rows::Parsed>, ProblemsError> {
    let schema = Schema::embedded().unwrap();
    read_list(&schema, Path::new(name), data, year, maps).map(|(l, ..)| l)
}

/// Both files of the fixture read as the same 71 problems, each place and deadline right.
#[test]
fn the_generated_list_reads_right_in_xlsx_and_gbk_csv() {
    let list = fixture::problem_list();
    let expected: Vec<&fixture::ListProblem> = list.common.iter().chain(&list.specific).collect();
    let schema = Schema::embedded().unwrap();
    let xlsx = fixture::xlsx(&list);
    let csv = fixture::csv_gbk(&fixture::rows(&list));
    for (name, data) in [("问题清单.xlsx", xlsx), ("问题清单.csv", csv)] {
        let got = read(name, &data, None, &[]).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got.len(), 71, "{name}");
        for (g, want) in got.iter().zip(&expected) {
            assert_eq!(g.number, want.number, "{name} row {}", g.row);
            assert_eq!(g.description, want.description, "{name} row {}", g.row);
            let place = g
                .prefecture
                .as_deref()
                .map(|c| schema.division(c).unwrap().short_name.as_str());
            assert_eq!(place, want.prefecture, "{name} row {}", g.row);
            assert_eq!(g.scope == Scope::Province, want.prefecture.is_none());
            assert_eq!(
                g.deadline.map(deadline::ymd).as_deref(),
                Some(want.expected_deadline.as_str()),
                "{name} row {} ({:?})",
                g.row,
                want.deadline
            );
            assert_eq!(g.category, want.category);
        }
        let huzhu = got.iter().find(|g| g.county.is_some()).unwrap();
        assert_eq!(huzhu.county.as_deref(), Some("630223"));
        assert_eq!(huzhu.prefecture.as_deref(), Some("630200"));
        // Rows are numbered as the spreadsheet shows them: title, issuer, header, heading, then 序号 1.
        assert_eq!(got[0].row, 5, "{name}");
    }
}

fn csv(rows: &[&[&str]]) -> Vec<u8> {
    let text: Vec<String> = rows.iter().map(|r| r.join(",")).collect();
    text.join("\n").into_bytes()
}

#[test]
fn a_bad_list_is_refused_with_every_bad_row_named() {
    let data = csv(&[
        &["序号", "市州", "存在问题", "整改时限"],
        &["1", "海南", "台账不全", "2020-06-30"],
        &["2", "", "经费不足", "尽快"],
        &["3", "西宁市", "", "2020-06-30"],
        &["3", "西宁", "重复的序号", "6月底前"],
        &["4", "西宁市", "好的一行", "2020-06-30"],
    ]);
    let Err(ProblemsError::Refused { bad, .. }) = read("清单.csv", &data, Some(2020), &[]) else {
        panic!("not refused");
    };
    let got: Vec<(usize, &str, &str, &Why)> = bad
        .iter()
        .map(|b| (b.row, b.column.as_str(), b.value.as_str(), &b.why))
        .collect();
    assert_eq!(
        got,
        vec![
            (2, "市州", "海南", &Why::UnknownPlace),
            (3, "整改时限", "尽快", &Why::UnreadableDeadline),
            (4, "存在问题", "", &Why::NoDescription),
            (5, "序号", "3", &Why::Duplicate { first: 4 }),
        ]
    );
    // Row 3 carries row 2's 海南 down: already named bad on row 2, not again.
    let zh = bad[0].sentence(crate::i18n::Lang::Zh);
    assert!(zh.starts_with("第 2 行，市州“海南”"), "{zh}");
}

#[test]
fn unusual_headers_are_named_with_map() {
    let data = csv(&[
        &["项", "所在地", "存在问题", "截止"],
        &["1", "西宁市", "台账不全", "2020-06-30"],
    ]);
    assert!(matches!(
        read("清单.csv", &data, None, &[]),
        Err(ProblemsError::Said { .. })
    ));
    let maps = parse_maps(&[
        "项=number".into(),
        "所在地=prefecture".into(),
        "D=deadline".into(),
    ])
    .unwrap();
    let got = read("清单.csv", &data, None, &maps).unwrap();
    assert_eq!(got[0].prefecture.as_deref(), Some("630100"));
    assert_eq!(got[0].deadline, day("2020-06-30"));
    assert!(parse_maps(&["项=nonsense".into()]).is_err());
}

#[test]
fn a_list_without_rows_is_refused_not_taken_as_everything_withdrawn() {
    let data = csv(&[&["序号", "市州", "存在问题", "整改时限"]]);
    let Err(ProblemsError::Said { msg, .. }) = read("清单.csv", &data, None, &[]) else {
        panic!("an empty list was accepted");
    };
    assert_eq!(msg, crate::i18n::Msg::ProblemsNoRows);
}

/// Whatever a clerk types, reading a deadline answers (never panics on a cut character).
#[test]
fn deadline_reading_never_panics() {
    let alphabet = [
        "2", "0", "6", "年", "月", "日", "底", "前", ".", "/", "-", "尽", " ", "３",
    ];
    let mut texts = vec![String::new()];
    for _ in 0..4 {
        let more: Vec<String> = texts
            .iter()
            .flat_map(|t| alphabet.iter().map(move |a| format!("{t}{a}")))
            .collect();
        texts.extend(more);
        texts.dedup();
    }
    for t in texts
        .iter()
        .flat_map(|t| [t.clone(), format!("2020{t}"), format!("{t}2020")])
    {
        let _ = deadline::parse(&t, Some(2020));
        let _ = deadline::parse(&t, None);
    }
}

#[test]
fn a_list_without_a_prefecture_column_takes_each_county_s_prefecture() {
    let data = csv(&[
        &["序号", "县区", "存在问题", "整改时限"],
        &["1", "互助县", "台账不全", "2020-06-30"],
        &["2", "", "经费不足", "2020-06-30"],
    ]);
    let Err(ProblemsError::Refused { bad, .. }) = read("清单.csv", &data, None, &[]) else {
        panic!("row 3 has no place and was accepted");
    };
    assert_eq!(bad.len(), 1);
    assert_eq!((bad[0].row, &bad[0].why), (3, &Why::NoPrefecture));
    let ok = csv(&[
        &["序号", "县区", "存在问题", "整改时限"],
        &["1", "互助县", "台账不全", "2020-06-30"],
    ]);
    let got = read("清单.csv", &ok, None, &[]).unwrap();
    assert_eq!(got[0].prefecture.as_deref(), Some("630200"));
}
