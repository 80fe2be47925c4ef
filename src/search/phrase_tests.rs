//! What an inspector typing Chinese sees: a run of characters finds the files holding that run
//! (also where PDF extraction put spaces or line breaks inside it) and no file holding its
//! words apart; `~` asks for the words in any order. Near-miss documents are written here, so
//! each case names the file that must not match and why.

use super::*;
use crate::catalog::FileRow;
use crate::index::tokenizer::is_cjk;
use crate::record::Media;

/// File name and text: each "exact" document has a near miss beside it.
const DOCS: &[(&str, &str)] = &[
    // 科普 and 日 apart (the 85 false hits: a date's 日 somewhere).
    ("apart.txt", "2019年科普活动周于9月18日举行"),
    ("day.txt", "2019年全国科普日活动在互助县举行"),
    ("pdf_day.txt", "全 国 科 普\n日 活 动 总 结"),
    // 工作 and 记录 apart.
    ("work_apart.txt", "工作总结：本年度培训记录三份"),
    ("work.txt", "称多县工作记录"),
    ("pdf_work.txt", "称多县工作\r\n记\u{3000}录"),
    // 流动 and 科技馆 apart.
    ("museum_apart.txt", "流动站与科技馆合办展览"),
    ("museum.txt", "B4.1 流动科技馆进校园"),
    ("latin.txt", "Annual REPORT, IMG_0001"),
];

fn row(id: i64, name: &str) -> FileRow {
    let mut r = super::tests::row(id, name);
    r.facts.media = Some(Media::Document);
    r.facts.mime = "text/plain".into();
    r
}

fn index() -> SearchIndex {
    let idx = SearchIndex::in_ram();
    let mut w = idx.writer().unwrap();
    for (i, (name, text)) in DOCS.iter().enumerate() {
        w.add_document(idx.document(&row(i as i64 + 1, name), Some(text), &[]))
            .unwrap();
    }
    w.commit().unwrap();
    idx.reader.reload().unwrap();
    idx
}

/// The names of the files a query finds, sorted.
fn found(idx: &SearchIndex, query: &str) -> Vec<String> {
    let req = SearchRequest {
        query: query.into(),
        limit: MAX_LIMIT,
        ..Default::default()
    };
    let mut names: Vec<String> = search(idx, &LiteralFacets, &req)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.record().unwrap().path)
        .map(|p| p.rsplit('/').next().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn a_chinese_run_matches_only_as_typed() {
    let idx = index();
    let f = |q| found(&idx, q);
    assert_eq!(f("科普日"), ["day.txt", "pdf_day.txt"], "not 科普…日");
    assert_eq!(f("工作记录"), ["pdf_work.txt", "work.txt"], "not 工作…记录");
    assert_eq!(f("流动科技馆"), ["museum.txt"], "not 流动…科技馆");
    // Mixed queries: each term on its own terms.
    assert_eq!(f("2019 科普日"), ["day.txt"]);
    assert_eq!(f("B4.1 流动科技馆"), ["museum.txt"]);
    assert_eq!(f("b4.1流动科技馆"), ["museum.txt"], "one mixed term");
    assert_eq!(f("\"全国科普日\""), ["day.txt", "pdf_day.txt"]);
    // Several terms still need not be adjacent.
    assert_eq!(f("科普 日"), ["apart.txt", "day.txt", "pdf_day.txt"]);
    // One character keeps matching wherever it stands.
    assert_eq!(f("日"), ["apart.txt", "day.txt", "pdf_day.txt"]);
    assert_eq!(f("科普日 -总结"), ["day.txt"]);
}

#[test]
fn the_tilde_finds_the_words_in_any_order() {
    let idx = index();
    let f = |q| found(&idx, q);
    assert_eq!(f("~科普日"), ["apart.txt", "day.txt", "pdf_day.txt"]);
    assert_eq!(
        f("～工作记录"),
        ["pdf_work.txt", "work.txt", "work_apart.txt"],
        "the full-width tilde a Chinese input method types"
    );
    assert_eq!(f("~流动科技馆"), ["museum.txt", "museum_apart.txt"]);
    assert_eq!(f("text:~工作记录").len(), 3, "inside a field too");
    assert_eq!(f("text:工作记录").len(), 2);
    assert_eq!(f("~工作记录 -~流动科技馆").len(), 3);
}

#[test]
fn latin_words_match_whole_words_in_any_case() {
    let idx = index();
    let f = |q| found(&idx, q);
    assert_eq!(f("report"), ["latin.txt"]);
    assert_eq!(f("Img_0001"), ["latin.txt"]);
    assert!(f("repo").is_empty(), "a word's prefix is not the word");
    assert_eq!(
        f("report annual"),
        ["latin.txt"],
        "words of a query in any order"
    );
    assert!(
        f("\"report annual\"").is_empty(),
        "but a quoted phrase in order"
    );
}

/// Every run of two to five CJK characters of every document (whitespace removed, as a reader
/// sees the PDF) finds its document, and every file found holds the run.
#[test]
fn every_run_is_found_and_every_hit_holds_it() {
    let idx = index();
    let joined: Vec<(&str, Vec<char>)> = DOCS
        .iter()
        .map(|(n, t)| (*n, t.chars().filter(|c| !c.is_whitespace()).collect()))
        .collect();
    let holds = |text: &[char], run: &[char]| text.windows(run.len()).any(|w| w == run);
    let mut checked = 0;
    for (name, text) in &joined {
        for len in 2..=5 {
            for run in text.windows(len).filter(|w| w.iter().all(|&c| is_cjk(c))) {
                let q: String = run.iter().collect();
                let hits = found(&idx, &q);
                assert!(hits.iter().any(|h| h == name), "{q} misses {name}");
                for h in &hits {
                    let (_, t) = joined.iter().find(|(n, _)| n == h).unwrap();
                    assert!(holds(t, run), "{q} finds {h}, which does not hold it");
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{checked} runs");
}
