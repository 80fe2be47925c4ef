//! Submission lists from the spreadsheet to the tags: the list a county actually sent (a title
//! row, `序号 | 文件名称 | 指标编码 | 说明`) read by the document reader, then its files tagged.

use super::*;
use crate::extract::document::extract;
use crate::extract::{sniff, Limits};
use crate::problem::{Code, Problem};
use crate::sample::manifests::{list_rows, xlsx, ListRow};

const FOLDER: &str = "海东市/互助县/2019年报送材料";

fn read(name: &str, data: &[u8]) -> Facts {
    let (_, mime) = sniff::sniff(data, name);
    let mut f = Facts::default();
    extract(name, mime, data, &Limits::default(), &mut f);
    f
}

/// The list file and the files it names, as the tagger gets them.
fn county(rows: &[ListRow], files: &[&str]) -> Vec<Fx> {
    let sheet = list_rows(
        Some("海东市互助县2019年全民科学素质工作报送材料清单"),
        ["序号", "文件名称", "指标编码", "说明"],
        rows,
    );
    let mut list = fx(&format!("{FOLDER}/材料清单.xlsx"));
    list.facts = read("材料清单.xlsx", &xlsx(&[("Sheet1", sheet)]));
    let mut out = vec![list];
    out.extend(files.iter().map(|f| fx(&format!("{FOLDER}/{f}"))));
    out
}

#[test]
fn the_issues_list_tags_every_file_it_names() {
    let codes_cycle = ["A2", "B4.1", "D1", "D2", "C5", "B4.2", "D3"];
    let names: Vec<String> = (1..=21).map(|n| format!("附件{n:02}.jpg")).collect();
    let rows: Vec<ListRow> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), codes_cycle[i % 7], "现场照片"))
        .collect();
    let files: Vec<&str> = names.iter().map(String::as_str).collect();
    let t = run(&county(&rows, &files));
    let tagged = (1..=21)
        .filter(|&i| {
            t[i].indicators
                .first()
                .is_some_and(|v| v.code == codes_cycle[(i - 1) % 7] && v.source == "manifest")
        })
        .count();
    assert_eq!(tagged, 21, "{:?}", t.iter().map(codes).collect::<Vec<_>>());
    assert!(t[1..].iter().all(|x| !has_flag(x, "no_indicator")));
    assert!(
        !has_flag(&t[0], "no_indicator"),
        "the list itself is the submission's index: {:?}",
        t[0].flags
    );
    assert!(
        t[1].indicators[0]
            .evidence
            .contains("材料清单.xlsx Sheet1!3"),
        "{}",
        t[1].indicators[0].evidence
    );
}

#[test]
fn names_without_extension_and_paths_from_above_the_list() {
    let rows: &[ListRow] = &[
        ("附件01", "A2", ""),
        ("照片\\附件02", "B4.1", ""),
        // Written from the county's folder, one level above the list, without extension.
        ("互助县\\2019年报送材料\\照片\\附件03", "D1", ""),
        ("./附件04.JPG", "D2", ""),
    ];
    let t = run(&county(
        rows,
        &[
            "附件01.jpg",
            "照片/附件02.jpg",
            "照片/附件03.jpg",
            "附件04.jpg",
        ],
    ));
    let got: Vec<Vec<String>> = t[1..].iter().map(|x| codes(x).2).collect();
    assert_eq!(got, [["A2"], ["B4.1"], ["D1"], ["D2"]]);
}

#[test]
fn the_list_beats_the_folder_and_the_folder_stays_an_alternative() {
    let rows: &[ListRow] = &[("附件10.jpg", "D1", "")];
    let t = run(&county(rows, &["D5 三下乡/附件10.jpg"]));
    let v = &t[1].indicators[0];
    assert_eq!((v.code.as_str(), v.source.as_str()), ("D1", "manifest"));
    assert!(
        v.alternatives
            .iter()
            .any(|a| a.code == "D5" && a.source == "path"),
        "{:?}",
        v.alternatives
    );
    assert_eq!(
        t[1].indicators.len(),
        1,
        "the folder's D5 is not a second tag"
    );
}

#[test]
fn a_list_that_could_not_be_read_is_not_flagged_for_lacking_an_indicator() {
    let mut list = fx(&format!("{FOLDER}/材料清单.xlsx"));
    list.facts = Facts {
        media: Some(Media::Document),
        problems: vec![Problem::new(Code::ManifestNoFileColumn)
            .with("clue", "材料清单.xlsx")
            .with("header", "序号 | 说明 | 指标编码")],
        ..Facts::default()
    };
    let mut table = fx(&format!("{FOLDER}/参训人员名单.xlsx"));
    table.facts.media = Some(Media::Document);
    let t = run(&[list, table, fx(&format!("{FOLDER}/附件01.jpg"))]);
    assert!(!has_flag(&t[0], "no_indicator"), "{:?}", t[0].flags);
    assert!(
        has_flag(&t[1], "no_indicator"),
        "an ordinary table still is"
    );
    assert!(
        has_flag(&t[2], "no_indicator"),
        "the unread list tags nothing"
    );
}

#[test]
fn a_list_in_a_folder_of_its_own_names_its_sibling_folders() {
    let sheet = list_rows(
        Some("互助县报送材料清单"),
        ["序号", "文件名称", "指标编码", "说明"],
        &[
            ("01照片/附件01.jpg", "A2", ""),
            ("附件02", "D1", ""),
            ("附件03.jpg", "C5", ""),
        ],
    );
    let mut list = fx("海东市/互助县/00清单/材料清单.xlsx");
    list.facts = read("材料清单.xlsx", &xlsx(&[("Sheet1", sheet)]));
    let mut near = fx("海东市/互助县/01照片/子/材料清单.xlsx");
    near.facts = read(
        "材料清单.xlsx",
        &xlsx(&[(
            "Sheet1",
            list_rows(
                None,
                ["序号", "文件名称", "指标编码", "说明"],
                &[("附件03.jpg", "D2", "")],
            ),
        )]),
    );
    let t = run(&[
        list,
        near,
        fx("海东市/互助县/01照片/附件01.jpg"),
        fx("海东市/互助县/02视频/附件02.mp4"),
        fx("海东市/互助县/01照片/子/附件03.jpg"),
        fx("海东市/乐都区/附件02.jpg"),
    ]);
    let got: Vec<Vec<String>> = t[2..].iter().map(|x| codes(x).2).collect();
    assert_eq!(got[0], ["A2"]);
    assert_eq!(got[1], ["D1"]);
    assert_eq!(got[2], ["D2"], "a list at or above the file comes first");
    assert!(got[3].is_empty(), "another county's folder is out of reach");
}
