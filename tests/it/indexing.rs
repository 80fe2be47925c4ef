//! `archive index` end to end: walking, hashing, incremental runs, fixity, odd names, exit codes.

use std::os::unix::ffi::OsStrExt;

use crate::harness::{names, record_validator, tree_state, Env};

#[test]
fn chinese_substrings_find_names_and_folders() {
    let env = Env::new();
    env.write("海东市/互助县/科普大篷车进校园.txt", "活动照片说明");
    env.write("全民科学素质/工作总结.txt", "年度工作");
    env.write("西宁市/other.txt", "nothing here");
    let (code, _) = env.index();
    assert_eq!(code, 0);
    assert_eq!(names(&env.search("科普", &[])), ["科普大篷车进校园.txt"]);
    assert_eq!(names(&env.search("素质", &[])), ["工作总结.txt"]);
    assert_eq!(
        names(&env.search("东市", &[])),
        ["科普大篷车进校园.txt"],
        "a bigram the segmenter splits still matches"
    );
    assert_eq!(
        names(&env.search("OTHER", &[])),
        ["other.txt"],
        "Latin text is case-insensitive"
    );
    assert!(env.search("大篷车 -互助", &[]).is_empty());
    assert_eq!(env.search("", &[]).len(), 3);
}

#[test]
fn a_chinese_phrase_finds_itself_not_its_words_apart() {
    let env = Env::new();
    env.write("玉树州/活动通知.txt", "2019年科普活动周于9月18日举行");
    env.write("玉树州/科普日总结.txt", "全国科普日活动总结");
    // As PDF extraction leaves Chinese text: spaces and line breaks between characters.
    env.write("玉树州/材料.txt", "全 国 科 普\n日 活 动");
    env.write("称多县/年度总结.txt", "工作总结：本年度培训记录三份");
    env.write("称多县/台账.txt", "称多县工作记录");
    let (code, _) = env.index();
    assert_eq!(code, 0);
    assert_eq!(
        names(&env.search("科普日", &[])),
        ["材料.txt", "科普日总结.txt"],
        "科普 and a date's 日 apart is not 科普日"
    );
    assert_eq!(names(&env.search("工作记录", &[])), ["台账.txt"]);
    assert_eq!(
        names(&env.search("~科普日", &[])),
        ["材料.txt", "活动通知.txt", "科普日总结.txt"]
    );
    assert_eq!(
        names(&env.search("~工作记录", &[])),
        ["台账.txt", "年度总结.txt"]
    );
}

#[test]
fn second_run_reads_nothing_then_sees_changes_and_missing_files() {
    let env = Env::new();
    let a = env.write("西宁市/a.txt", "first version");
    env.write("西宁市/b.txt", "b");
    let (_, first) = env.index();
    assert_eq!(
        (first["new"].as_u64(), first["files_read"].as_u64()),
        (Some(2), Some(2))
    );
    let before = env.show(a.to_str().unwrap());

    let (code, second) = env.index();
    assert_eq!(code, 0);
    assert_eq!(
        second["files_read"], 0,
        "an unchanged tree is not read again: {second}"
    );
    assert_eq!(second["unchanged"], 2);

    std::fs::write(&a, "second version, longer").unwrap();
    let (_, third) = env.index();
    assert_eq!(
        (third["changed"].as_u64(), third["files_read"].as_u64()),
        (Some(1), Some(1))
    );
    let after = env.show(a.to_str().unwrap());
    assert_ne!(
        before["blake3"], after["blake3"],
        "a modified file is rehashed"
    );
    assert_eq!(
        after["blake3"],
        blake3::hash(b"second version, longer").to_hex().as_str()
    );

    std::fs::remove_file(&a).unwrap();
    let (_, fourth) = env.index();
    assert_eq!(fourth["missing"], 1);
    let gone = env.show(a.to_str().unwrap());
    assert_eq!(
        gone["status"], "missing",
        "a removed file stays in the catalog"
    );
    assert!(gone["last_seen"].is_string());
    assert_eq!(env.search("", &["status=missing"]).len(), 1);

    std::fs::write(&a, "second version, longer").unwrap();
    let (_, fifth) = env.index();
    assert_eq!(fifth["returned"], 1);
    assert_eq!(env.show(a.to_str().unwrap())["status"], "present");
}

/// An index written in another format (by another version of archive) is never replaced by an
/// empty one when searching: the search says what to run, and the next index run rebuilds it.
#[test]
fn an_index_of_another_format_is_an_error_when_searching_and_rebuilt_when_indexing() {
    let env = Env::new();
    env.write("西宁市/科普活动.txt", "科普");
    env.index();
    let version_file = env.archive.join("index/archive-index-version");
    std::fs::write(&version_file, "999").unwrap();
    let r = env.run(&["search", "科普"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains("format 999") && r.stderr.contains("archive reindex"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&version_file).unwrap(),
        "999",
        "searching left the index alone"
    );
    let (code, s) = env.index();
    assert_eq!((code, s["files_read"].as_u64()), (0, Some(0)), "{s}");
    assert_eq!(
        names(&env.search("科普", &[])),
        ["科普活动.txt"],
        "rebuilt from the catalog"
    );
}

#[test]
fn indexing_never_touches_the_evidence() {
    let env = Env::new();
    env.write("海北州/海晏县/记录.txt", "科普日");
    env.write("海北州/empty.bin", "");
    let before = tree_state(&env.evidence);
    env.index();
    env.index();
    env.run(&[
        "index",
        env.evidence.to_str().unwrap(),
        "--verify",
        "--json",
    ]);
    assert_eq!(
        before,
        tree_state(&env.evidence),
        "bytes, names and mtimes are unchanged"
    );
}

#[test]
fn gbk_file_names_round_trip() {
    let env = Env::new();
    let (gbk, _, _) = encoding_rs::GBK.encode("会议照片.txt");
    let dir = env.evidence.join("玉树州");
    std::fs::create_dir_all(&dir).unwrap();
    let mut path = dir.as_os_str().as_bytes().to_vec();
    path.push(b'/');
    path.extend_from_slice(&gbk);
    let path = std::path::PathBuf::from(std::ffi::OsStr::from_bytes(&path));
    std::fs::write(&path, "会议").unwrap();
    let (code, _) = env.index();
    assert_eq!(code, 0);
    let hits = env.search("会议照片", &[]);
    assert_eq!(hits.len(), 1, "the GBK name is searchable in Chinese");
    let rec = &hits[0];
    assert!(
        rec["path"]
            .as_str()
            .unwrap()
            .ends_with("玉树州/会议照片.txt"),
        "{rec}"
    );
    let hex = rec["path_bytes_hex"]
        .as_str()
        .expect("non-UTF-8 names keep their bytes");
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(bytes, path.as_os_str().as_bytes());
    // And the exact bytes find it again.
    assert_eq!(
        env.show(path.to_str().unwrap_or(rec["path"].as_str().unwrap()))["blake3"],
        rec["blake3"]
    );
}

#[test]
fn verify_reports_content_changed_behind_unchanged_metadata() {
    let env = Env::new();
    let p = env.write("海南州/共和县/报告.txt", "original");
    env.index();
    let mtime = std::fs::metadata(&p).unwrap().modified().unwrap();
    std::fs::write(&p, "tampered").unwrap(); // same length
    std::fs::File::options()
        .write(true)
        .open(&p)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let (code, plain) = env.index();
    assert_eq!(
        (code, plain["files_read"].as_u64()),
        (0, Some(0)),
        "metadata unchanged: a normal run trusts it"
    );
    let r = env.run(&[
        "index",
        env.evidence.to_str().unwrap(),
        "--verify",
        "--json",
    ]);
    assert_eq!(r.code, 2, "a fixity failure is not a clean run");
    let s = r.json();
    let failures = s["fixity_failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{s}");
    assert!(failures[0]["path"].as_str().unwrap().ends_with("报告.txt"));
    assert_eq!(
        failures[0]["expected"],
        blake3::hash(b"original").to_hex().as_str()
    );
}

#[test]
fn unwritable_archive_is_fatal_with_a_clear_message() {
    let env = Env::new();
    env.write("a.txt", "x");
    let file_in_the_way = env.evidence.join("a.txt");
    let r = std::process::Command::new(env!("CARGO_BIN_EXE_archive"))
        .args([
            "--archive",
            file_in_the_way.join("sub").to_str().unwrap(),
            "index",
            env.evidence.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("a.txt/sub"),
        "the error names the folder: {err}"
    );
}

#[test]
fn missing_evidence_folder_is_fatal() {
    let env = Env::new();
    let r = env.run(&["index", "/nonexistent/证据"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("/nonexistent/证据"), "{}", r.stderr);
}

#[test]
fn symlink_loops_are_reported_not_followed_forever() {
    let env = Env::new();
    env.write("海西州/格尔木市/a.txt", "x");
    std::os::unix::fs::symlink(&env.evidence, env.evidence.join("海西州/loop")).unwrap();
    let r = env.run(&["index", env.evidence.to_str().unwrap(), "--json"]);
    assert_eq!(
        r.code, 0,
        "without --follow-symlinks a link is simply not followed"
    );
    let r = env.run(&[
        "index",
        env.evidence.to_str().unwrap(),
        "--json",
        "--follow-symlinks",
    ]);
    assert_eq!(r.code, 0, "a loop loses nothing: a warning");
    let s = r.json();
    assert!(s["warnings"].to_string().contains("folder_loop"), "{s}");
    assert_eq!(s["present_total"], 1);
}

#[test]
fn records_match_the_published_schema() {
    let env = Env::new();
    env.write("西宁市/城中区/说明.txt", "科普");
    env.write(
        "西宁市/城中区/fake.jpg",
        b"\xFF\xD8\xFF\xE1\x00\x10Exif\x00\x00garbage",
    );
    env.write("海东市/empty.pdf", "");
    env.index();
    let validator = record_validator();
    let r = env.run(&["list", "--json"]);
    let records = r.json_lines();
    assert_eq!(records.len(), 3);
    for rec in &records {
        let errors: Vec<String> = validator
            .iter_errors(rec)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{rec}\n{errors:#?}");
    }
}

#[test]
fn list_streams_in_path_order_and_filters() {
    let env = Env::new();
    env.write("b/2.txt", "x");
    env.write("a/1.txt", "y");
    env.write("a/photo.jpg", b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00");
    env.index();
    let all = env.run(&["list", "--json"]).json_lines();
    let paths: Vec<&str> = all.iter().map(|r| r["path"].as_str().unwrap()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    let photos = env
        .run(&["list", "--json", "--filter", "media=photo"])
        .json_lines();
    assert_eq!(names(&photos), ["photo.jpg"]);
    let bad = env.run(&["list", "--filter", "colour=red"]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("unknown filter field 'colour'"),
        "{}",
        bad.stderr
    );
}

#[test]
fn content_decides_the_media_type() {
    let env = Env::new();
    env.write(
        "海东市/扫描件.jpg",
        "%PDF-1.4\n%\u{e2}\u{e3}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    );
    env.index();
    let hits = env.search("扫描件", &[]);
    assert_eq!(
        hits[0]["media"], "document",
        "a .jpg that is really a PDF is a document"
    );
    assert_eq!(hits[0]["mime"], "application/pdf");
}

#[test]
fn repeated_reindexing_does_not_grow_the_index() {
    let env = Env::new();
    archive::sample::generate(&env.evidence).unwrap();
    env.index();
    let size = |dir: &std::path::Path| -> u64 {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    };
    let first = size(&env.archive.join("index"));
    for round in 0..4 {
        // Every file looks changed (new mtime), so every search document is rewritten.
        for e in walkdir::WalkDir::new(&env.evidence)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
        {
            let t = std::time::SystemTime::UNIX_EPOCH
                + std::time::Duration::from_secs(1_600_000_000 + round);
            std::fs::File::options()
                .write(true)
                .open(e.path())
                .unwrap()
                .set_modified(t)
                .unwrap();
        }
        let (_, s) = env.index();
        assert!(s["index_updated"].as_u64().unwrap() > 20, "{s}");
    }
    let after = size(&env.archive.join("index"));
    assert!(
        after < first * 2,
        "index grew from {first} to {after} bytes over 4 full rewrites"
    );
    assert_eq!(
        env.search("", &[]).len(),
        env.run(&["list", "--json"]).json_lines().len(),
        "one document per file"
    );
}

/// Opt-in: `EVIDENCE_DEV_CORPUS=/path/to/shared/corpus`. Every file of the corpus (hostile ones
/// included) is catalogued with the BLAKE3 that b3sum printed.
#[test]
fn corpus_hashes_agree_with_b3sum() {
    let Some(corpus) = std::env::var_os("EVIDENCE_DEV_CORPUS").map(std::path::PathBuf::from) else {
        eprintln!("EVIDENCE_DEV_CORPUS not set: corpus test skipped");
        return;
    };
    let reference = std::fs::read_to_string(corpus.join("reference/b3sum.txt")).unwrap();
    let env = Env::new();
    let r = env.run(&["index", corpus.to_str().unwrap(), "--json"]);
    assert!(r.code == 0 || r.code == 2, "{}", r.stderr);
    let mut by_path = std::collections::HashMap::new();
    for rec in env.run(&["list", "--json"]).json_lines() {
        by_path.insert(
            rec["path"].as_str().unwrap().to_string(),
            rec["blake3"].as_str().unwrap_or("").to_string(),
        );
    }
    let root = corpus.canonicalize().unwrap();
    let mut checked = 0;
    for line in reference.lines() {
        let (hash, rel) = line.split_once("  ").unwrap();
        let path = format!("{}/{rel}", root.display());
        assert_eq!(by_path.get(&path).map(String::as_str), Some(hash), "{rel}");
        checked += 1;
    }
    eprintln!("{checked} corpus files agree with b3sum");

    // Every text probe, searched as a phrase, finds its file.
    let probes = std::fs::read_to_string(corpus.join("reference/text_probes.tsv")).unwrap();
    let idx = archive::index::SearchIndex::open(&env.archive.join("index")).unwrap();
    let (mut found, mut missed) = (0, Vec::new());
    for line in probes.lines().skip(1) {
        let Some((file, phrase)) = line.split_once('\t') else {
            continue;
        };
        let req = archive::search::SearchRequest {
            query: format!("\"{}\"", phrase.replace('"', " ")),
            limit: 500,
            ..Default::default()
        };
        let resp = archive::search::search(&idx, &archive::search::LiteralFacets, &req).unwrap();
        let want = format!("{}/{file}", root.display());
        if resp
            .hits
            .iter()
            .any(|h| h.record().is_some_and(|r| r.path == want))
        {
            found += 1;
        } else {
            missed.push(format!("{file}: {phrase}"));
        }
    }
    eprintln!(
        "text probes found by search: {found}/{}; missed: {missed:#?}",
        found + missed.len()
    );
    assert!(
        found * 100 >= (found + missed.len()) * 95,
        "fewer than 95% of probes found"
    );
}

/// Tags stored by older tagging rules (a catalog whose stored tagger version is older) are
/// recomputed from the catalog by the next index run, which says so, although no file changed;
/// with the current version stored, the same run trusts them.
#[test]
fn tags_from_older_tagging_rules_are_recomputed_by_the_next_run() {
    let env = Env::new();
    env.write("西宁市/a.txt", "first");
    env.write("西宁市/b.txt", "second");
    let (_, first) = env.index();
    assert!(first.get("retag_reason").is_none(), "{first}");
    let db = || rusqlite::Connection::open(env.archive.join("catalog.sqlite")).unwrap();
    let meta = |key: &str| -> Option<String> {
        db().query_row("SELECT value FROM meta WHERE key=?1", [key], |r| r.get(0))
            .ok()
    };
    let current = meta("tagger_version").expect("the first run stores its tagger version");
    let untagged = || -> i64 {
        db().query_row(
            "SELECT COUNT(*) FROM files WHERE tagging IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };

    // Stored tags the current rules trust are not recomputed: a lost tagging stays lost.
    db().execute("UPDATE files SET tagging = NULL", []).unwrap();
    let (_, second) = env.index();
    assert_eq!(second["retagged"], 0, "{second}");
    assert_eq!(untagged(), 2);

    // The same catalog, as if tagged by an older version of the rules.
    db().execute(
        "UPDATE meta SET value = '0' WHERE key = 'tagger_version'",
        [],
    )
    .unwrap();
    let (code, third) = env.index();
    assert_eq!(code, 0);
    assert_eq!(third["files_read"], 0, "no file is read again: {third}");
    assert_eq!(third["retagged"], 2, "{third}");
    let reason = third["retag_reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains(&format!("tagger version 0 to {current}")),
        "{third}"
    );
    assert_eq!(untagged(), 0, "every file is tagged again");
    assert_eq!(meta("tagger_version"), Some(current));

    let (_, fourth) = env.index();
    assert!(fourth.get("retag_reason").is_none(), "{fourth}");
    assert_eq!(fourth["retagged"], 0);
}

/// Two index runs at once (issue 20, finding 8): the second says, in both languages, that
/// another run holds the archive, exits 1, and writes nothing; once the first ends it runs.
#[test]
fn a_second_index_run_waits_its_turn_and_writes_nothing() {
    let env = Env::new();
    env.write("海东市/互助县/说明.txt", "科普大篷车进校园");
    std::fs::create_dir_all(&env.archive).unwrap();
    // Another run, as far as the archive can tell: the run lock is held.
    let held = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(env.archive.join("run.lock"))
        .unwrap();
    held.try_lock().unwrap();
    let r = env.run(&["--lang", "zh", "index", env.evidence.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("正在处理档案库"), "{}", r.stderr);
    let r = env.run(&["index", env.evidence.to_str().unwrap()]);
    assert!(r.stderr.contains("wait for it to finish"), "{}", r.stderr);
    assert!(!r.stderr.contains("database is locked") && !r.stderr.contains("LockBusy"));
    assert!(
        !env.archive.join("catalog.sqlite").exists(),
        "nothing was written"
    );
    drop(held);
    let (code, summary) = env.index();
    assert_eq!(code, 0);
    assert_eq!(summary["new"], 1);
}
