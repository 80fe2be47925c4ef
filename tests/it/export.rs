//! Export and verify end to end, on the generated sample tree: the bag is checked by the
//! Library of Congress `bagit` package when it is installed, and by `archive verify`.

use std::io::Read;
use std::path::Path;
use std::process::Command;

use crate::harness::{tree_state, Env};

const C: &str = "B4.1 科普大篷车 — 海东市";

fn sample_with_collection() -> Env {
    let env = Env::new();
    archive::sample::generate(&env.evidence).unwrap();
    let (code, _) = env.index();
    assert!(
        code == 0 || code == 2,
        "the sample holds damaged files on purpose"
    );
    assert_eq!(
        env.run(&[
            "collection",
            "create",
            C,
            "--description",
            "海东市科普大篷车活动证据"
        ])
        .code,
        0
    );
    let r = env.run(&[
        "collection",
        "add",
        C,
        "--query",
        "",
        "--filter",
        "prefecture=海东市",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Two files of the same name in one package folder, and an item rejected with a reason.
    let r = env.run(&["collection", "add", C, "--query", "科普日"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    env
}

fn out_dir(env: &Env, name: &str) -> std::path::PathBuf {
    env.archive.parent().unwrap().join(name)
}

/// Python's `bagit` (Library of Congress) on a folder; `None` when it is not installed.
fn loc_bagit_validate(dir: &Path) -> Option<Result<(), String>> {
    let probe = Command::new("python3")
        .args(["-c", "import bagit"])
        .output()
        .ok()?;
    if !probe.status.success() {
        eprintln!("note: the Python `bagit` package is not installed; skipping the independent validation (pip install bagit)");
        return None;
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys, bagit; bagit.Bag(sys.argv[1]).validate(); print('ok')",
        ])
        .arg(dir)
        .output()
        .unwrap();
    Some(if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    })
}

#[test]
fn folder_bag_is_valid_and_lays_out_the_evidence() {
    let env = sample_with_collection();
    let before = tree_state(&env.evidence);
    let out = out_dir(&env, "海东市证据包");
    let r = env.run(&[
        "export",
        "--collection",
        C,
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let summary = r.json();
    assert_eq!(
        before,
        tree_state(&env.evidence),
        "exporting never touches the evidence"
    );

    for f in [
        "bagit.txt",
        "bag-info.txt",
        "manifest-sha256.txt",
        "manifest-sha512.txt",
        "tagmanifest-sha256.txt",
        "tagmanifest-sha512.txt",
        "ledger.csv",
        "ledger.xlsx",
        "index.html",
        "slideshow.html",
        "audit.jsonl",
    ] {
        assert!(out.join(f).is_file(), "{f} is in the bag");
    }
    let bus = out.join("data/海东市/B4.1 科普大篷车/科普大篷车进校园.jpg");
    assert!(
        bus.is_file(),
        "data/<prefecture>/<indicator>/<original name>"
    );
    let orig = env
        .evidence
        .join("海东市/互助县/B4.1科普大篷车/科普大篷车进校园.jpg");
    assert_eq!(
        std::fs::read(&bus).unwrap(),
        std::fs::read(&orig).unwrap(),
        "byte for byte"
    );
    // The two 科普日 photos share a content and a name under different prefectures.
    let dups: Vec<_> = walkdir::WalkDir::new(out.join("data"))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            name.starts_with("科普日") && name.ends_with(".jpg")
        })
        .collect();
    assert_eq!(dups.len(), 2, "{dups:?}");

    let info = std::fs::read_to_string(out.join("bag-info.txt")).unwrap();
    for label in [
        "Source-Organization:",
        "Bagging-Date:",
        "Bag-Size:",
        "External-Identifier:",
        "External-Description: 海东市科普大篷车活动证据",
    ] {
        assert!(info.contains(label), "{label} in {info}");
    }
    assert!(info.contains(&format!(
        "Payload-Oxum: {}",
        summary["payload_oxum"].as_str().unwrap()
    )));
    assert!(info.contains(C), "the collection's name: {info}");

    let csv = std::fs::read(out.join("ledger.csv")).unwrap();
    assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM for Excel");
    let csv = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert!(
        csv.starts_with(
            "序号,市州,县区,指标,文件名,拍摄时间,地点,大小,BLAKE3,SHA-256,审核状态,标志,备注,题名,摄影者,人物,背景,文字说明,摄影地点,摄影时间"
        ),
        "{csv}"
    );

    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(out.join("ledger.xlsx")).unwrap();
    let sheet = wb.worksheet_range("台账").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    // Three title rows (title, office line, legend), then the table without the hashes.
    assert!(rows[0][0].contains(C), "{:?}", rows[0]);
    assert_eq!(rows[3][0], "序号");
    assert_eq!(rows[3][10], "备注");
    assert_eq!(rows.len() as u64 - 4, summary["files"].as_u64().unwrap());
    let bus_row = rows
        .iter()
        .find(|r| r[4].ends_with("科普大篷车进校园.jpg"))
        .expect("the ledger lists the photo");
    assert_eq!(bus_row[1], "海东市");
    assert!(bus_row[3].starts_with("B4.1"), "{bus_row:?}");
    assert_eq!(bus_row[8], "待审核");
    let hashes = wb.worksheet_range("哈希").unwrap();
    let hash_row: Vec<String> = hashes
        .rows()
        .find(|r| r[1].to_string().ends_with("科普大篷车进校园.jpg"))
        .expect("the hash sheet lists the photo")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        hash_row[3],
        blake3::hash(&std::fs::read(&orig).unwrap())
            .to_hex()
            .as_str()
    );

    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        html.contains("科普大篷车进校园.jpg") && html.contains("thumbs/"),
        "data and thumbnails are inlined references"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing fetched from a server"
    );
    let audit = std::fs::read_to_string(out.join("audit.jsonl")).unwrap();
    assert!(
        audit.lines().any(|l| l.contains("collection.add")),
        "{audit}"
    );

    let r = env.run(&["verify", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    if let Some(res) = loc_bagit_validate(&out) {
        res.expect("the Library of Congress validator accepts the bag");
    }
    let log = env.run(&["audit", "--json"]).json_lines();
    let last = log.last().unwrap();
    assert_eq!(last["action"], "export");
    assert_eq!(
        last["details"]["tagmanifest_sha256"],
        summary["tagmanifest_sha256"]
    );
}

#[test]
fn zip_bag_keeps_chinese_names_with_the_utf8_flag_and_validates() {
    let env = sample_with_collection();
    let zip_path = out_dir(&env, "pkg.zip");
    let r = env.run(&[
        "export",
        "--collection",
        C,
        "--out",
        zip_path.to_str().unwrap(),
        "--zip",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&["verify", zip_path.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stdout);

    let mut z = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let names: Vec<String> = (0..z.len())
        .map(|i| z.by_index(i).unwrap().name().to_string())
        .collect();
    let wanted = format!("{C}/data/海东市/B4.1 科普大篷车/科普大篷车进校园.jpg");
    assert!(names.contains(&wanted), "{names:?}");
    assert!(
        names.iter().all(|n| n.starts_with(&format!("{C}/"))),
        "one top-level folder named after the package (the collection), whatever the zip's name"
    );
    let mut bytes = Vec::new();
    z.by_name(&wanted).unwrap().read_to_end(&mut bytes).unwrap();
    assert_eq!(
        bytes,
        std::fs::read(
            env.evidence
                .join("海东市/互助县/B4.1科普大篷车/科普大篷车进校园.jpg")
        )
        .unwrap()
    );

    // The general-purpose flag's bit 11 (UTF-8) on every non-ASCII name in the central directory.
    let raw = std::fs::read(&zip_path).unwrap();
    let mut checked = 0;
    let mut i = 0;
    while i + 46 <= raw.len() {
        if raw[i..i + 4] == [0x50, 0x4b, 0x01, 0x02] {
            let flags = u16::from_le_bytes([raw[i + 8], raw[i + 9]]);
            let n = u16::from_le_bytes([raw[i + 28], raw[i + 29]]) as usize;
            let name = &raw[i + 46..i + 46 + n];
            if !name.is_ascii() {
                assert!(
                    flags & (1 << 11) != 0,
                    "UTF-8 flag on {}",
                    String::from_utf8_lossy(name)
                );
                assert!(std::str::from_utf8(name).is_ok());
                checked += 1;
            }
            i += 46 + n;
        } else {
            i += 1;
        }
    }
    assert!(checked > 5, "{checked} Chinese names checked");

    let probe = Command::new("python3")
        .args(["-c", "import bagit"])
        .output();
    if probe.map(|o| o.status.success()).unwrap_or(false) {
        let dest = out_dir(&env, "unzipped");
        let out = Command::new("python3")
            .args([
                "-c",
                "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
            ])
            .arg(&zip_path)
            .arg(&dest)
            .output()
            .unwrap();
        assert!(out.status.success());
        loc_bagit_validate(&dest.join(C))
            .unwrap()
            .expect("the extracted zip validates");
    } else {
        eprintln!("note: the Python `bagit` package is not installed; skipping the independent zip validation");
    }
}

#[test]
fn verify_names_changed_missing_and_extra_files() {
    let env = sample_with_collection();
    let out = out_dir(&env, "bag");
    assert_eq!(
        env.run(&["export", "--collection", C, "--out", out.to_str().unwrap()])
            .code,
        0
    );
    let target = out.join("data/海东市/B4.1 科普大篷车/科普大篷车进校园.jpg");
    let mut bytes = std::fs::read(&target).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&target, &bytes).unwrap();
    let r = env.run(&["verify", out.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stdout
            .contains("CHANGED data/海东市/B4.1 科普大篷车/科普大篷车进校园.jpg"),
        "{}",
        r.stdout
    );
    if let Some(res) = loc_bagit_validate(&out) {
        assert!(
            res.is_err(),
            "the independent validator agrees it is broken"
        );
    }

    bytes[mid] ^= 0x01;
    std::fs::write(&target, &bytes).unwrap();
    assert_eq!(
        env.run(&["verify", out.to_str().unwrap()]).code,
        0,
        "restored"
    );

    std::fs::write(out.join("data/海东市/补充.txt"), "后加的").unwrap();
    let gone = out.join("data/海东市/B4.1 科普大篷车/材料清单.csv");
    std::fs::remove_file(&gone).unwrap();
    std::fs::write(out.join("ledger.csv"), "tampered").unwrap();
    let r = env.run(&["verify", out.to_str().unwrap(), "--json"]);
    assert_eq!(r.code, 2);
    let report = r.json();
    let kinds: Vec<(String, String)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_string(),
                p["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("extra".into(), "data/海东市/补充.txt".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(
            "missing".into(),
            "data/海东市/B4.1 科普大篷车/材料清单.csv".into()
        )),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("changed".into(), "ledger.csv".into())),
        "tag files are checked too: {kinds:?}"
    );
    assert!(
        kinds.iter().any(|(k, p)| k == "bag" && p == "bag-info.txt"),
        "Payload-Oxum no longer matches: {kinds:?}"
    );
}

#[test]
fn changed_evidence_and_rejected_items_are_handled() {
    let env = sample_with_collection();
    let wechat = env
        .evidence
        .join("海东市/互助县/B4.1科普大篷车/IMG_20190612_101530.jpg");
    let r = env.run(&[
        "collection",
        "review",
        C,
        wechat.to_str().unwrap(),
        "--reject",
        "--reason",
        "重复提交",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = out_dir(&env, "with-rejected");
    let r = env.run(&[
        "export",
        "--collection",
        C,
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["rejected_left_out"], 1);
    assert!(!out
        .join("data/海东市/B4.1 科普大篷车/IMG_20190612_101530.jpg")
        .exists());

    let out2 = out_dir(&env, "all");
    let r = env.run(&[
        "export",
        "--collection",
        C,
        "--out",
        out2.to_str().unwrap(),
        "--include-rejected",
    ]);
    assert_eq!(r.code, 0);
    let csv = std::fs::read_to_string(out2.join("ledger.csv")).unwrap();
    assert!(
        csv.lines().any(|l| l.contains("IMG_20190612_101530.jpg")
            && l.contains("不通过")
            && l.contains("重复提交")),
        "{csv}"
    );

    assert_eq!(
        env.run(&["export", "--collection", C, "--out", out2.to_str().unwrap()])
            .code,
        1,
        "never overwrites a package"
    );
    let inside = env.evidence.join("pkg");
    let r = env.run(&[
        "export",
        "--collection",
        C,
        "--out",
        inside.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "never writes into the evidence");
    assert!(!inside.exists());

    // Content that changed since it was catalogued is refused, and no half package is left.
    let bus = env
        .evidence
        .join("海东市/互助县/B4.1科普大篷车/科普大篷车进校园.jpg");
    let mut bytes = std::fs::read(&bus).unwrap();
    let n = bytes.len();
    bytes[n - 3] ^= 0xFF;
    let mtime = std::fs::metadata(&bus).unwrap().modified().unwrap();
    std::fs::write(&bus, &bytes).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&bus)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let out3 = out_dir(&env, "stale");
    let r = env.run(&["export", "--collection", C, "--out", out3.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains("科普大篷车进校园.jpg") && r.stderr.contains("no longer matches"),
        "{}",
        r.stderr
    );
    assert!(!out3.exists());
    let leftovers: Vec<_> = std::fs::read_dir(out3.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn unplaced_files_and_name_collisions_get_their_own_folders_and_numbers() {
    let env = Env::new();
    env.write("杂项/说明.txt", "没有地点也没有指标");
    env.write("海东市/第一批/Notes.txt", "一");
    env.write("海东市/第二批/notes.txt", "二");
    env.write("海东市/第三批/notes.txt", "三");
    assert_eq!(env.index().0, 0);
    assert_eq!(env.run(&["collection", "create", "杂"]).code, 0);
    assert_eq!(env.run(&["collection", "add", "杂", "--query", ""]).code, 0);
    let out = out_dir(&env, "杂包");
    let r = env.run(&[
        "export",
        "--collection",
        "杂",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let names: Vec<String> = walkdir::WalkDir::new(out.join("data"))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(&out)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    // Which of the three keeps the bare name follows the collection's order; the set does not.
    let mut lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    lower.sort();
    assert_eq!(
        lower,
        [
            "data/未定位/未归入指标/说明.txt",
            "data/海东市/未归入指标/notes (2).txt",
            "data/海东市/未归入指标/notes (3).txt",
            "data/海东市/未归入指标/notes.txt",
        ],
        "names differing only in case are numbered too (Windows and macOS receivers): {names:?}"
    );
    assert_eq!(env.run(&["verify", out.to_str().unwrap()]).code, 0);
}
