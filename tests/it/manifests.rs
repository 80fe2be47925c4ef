//! Submission lists end to end: a county's 材料清单.xlsx (a merged title row, then
//! `序号 | 文件名称 | 指标编码 | 说明`) tags the files it names, and the list itself is not
//! flagged for lacking an indicator; a list that cannot be read says why on its record.

use std::collections::BTreeMap;

use archive::sample::manifests::{budget_rows, county_tree, xlsx};

use crate::harness::Env;

/// `archive list --json` by path.
fn listed(env: &Env) -> BTreeMap<String, serde_json::Value> {
    let r = env.run(&["list", "--json"]);
    assert_eq!(r.code, 0, "list failed: {}", r.stderr);
    r.json_lines()
        .into_iter()
        .map(|v| (v["path"].as_str().unwrap().to_string(), v))
        .collect()
}

fn flags(v: &serde_json::Value) -> Vec<&str> {
    v["flags"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["flag"].as_str()).collect())
        .unwrap_or_default()
}

fn find<'a>(all: &'a BTreeMap<String, serde_json::Value>, rel: &str) -> &'a serde_json::Value {
    all.iter()
        .find(|(p, _)| p.ends_with(rel))
        .unwrap_or_else(|| panic!("{rel} not listed among {:?}", all.keys()))
        .1
}

#[test]
fn files_named_in_a_county_list_get_its_indicator() {
    let env = Env::new();
    let named = county_tree(&env.evidence).unwrap();
    // A budget table beside the list is not a list.
    env.write(
        "海东市/互助县/2019年报送材料/经费预算表.xlsx",
        xlsx(&[("预算", budget_rows())]),
    );
    let (code, _) = env.index();
    assert_eq!(code, 0);
    let all = listed(&env);

    let mut right = 0;
    let mut wrong = Vec::new();
    for (rel, want) in &named {
        let v = find(&all, rel);
        let first = &v["indicators"][0];
        if first["code"] == want.as_str() && first["source"] == "manifest" {
            right += 1;
        } else {
            wrong.push(format!("{rel}: want {want}, got {}", v["indicators"]));
        }
    }
    assert!(
        right * 100 >= named.len() * 95,
        "{right} of {} files got their list's indicator: {wrong:#?}",
        named.len()
    );
    assert_eq!(named.len(), 21);

    // The file in a folder named for D5: the list wins, the folder stays an alternative.
    let v = find(&all, "D5 三下乡/附件10.jpg");
    let alts = v["indicators"][0]["alternatives"].as_array().unwrap();
    assert!(
        alts.iter()
            .any(|a| a["code"] == "D5" && a["source"] == "path"),
        "{alts:?}"
    );

    let list = find(&all, "2019年报送材料/材料清单.xlsx");
    assert!(!flags(list).contains(&"no_indicator"), "{list}");
    assert!(
        list["warnings"].as_array().is_none_or(|w| w.is_empty()),
        "{list}"
    );
    for (rel, _) in &named {
        assert!(!flags(find(&all, rel)).contains(&"no_indicator"), "{rel}");
    }
}

#[test]
fn a_list_that_cannot_be_read_says_why_on_its_record() {
    let env = Env::new();
    let rows: Vec<Vec<String>> = [
        &["互助县报送材料清单"][..],
        &["序号", "说明", "指标编码"],
        &["1", "科普大篷车进校园现场", "B4.1"],
    ]
    .iter()
    .map(|r| r.iter().map(|s| s.to_string()).collect())
    .collect();
    env.write("海东市/互助县/材料清单.xlsx", xlsx(&[("Sheet1", rows)]));
    let (code, _) = env.index();
    assert_eq!(code, 0, "a warning, not an error");
    let all = listed(&env);
    let list = find(&all, "互助县/材料清单.xlsx");
    let w = &list["warnings"][0];
    assert_eq!(w["code"], "manifest_no_file_column", "{list}");
    assert_eq!(w["params"]["header"], "序号 | 说明 | 指标编码");
    assert!(w["reason"].as_str().unwrap().contains("文件名"), "{w}");
    assert!(!flags(list).contains(&"no_indicator"), "{list}");
}
