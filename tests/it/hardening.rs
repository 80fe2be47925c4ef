//! The small holes of issue 20 that an outside test found in what the archive writes for
//! people to read: spreadsheet formulas in the ledger, terminal escapes in file names,
//! a world-readable catalog, and user names and passwords that only look right.

use std::os::unix::fs::PermissionsExt;

use crate::harness::Env;

const EVIL: &str = "evil\u{1b}[31mred\u{202e}gpj.txt";

fn indexed_with_an_evil_name() -> Env {
    let env = Env::new();
    env.write(&format!("海东市/{EVIL}"), "科普大篷车 活动记录 evidence");
    env.write("海东市/plain.txt", "科普大篷车 活动记录 evidence");
    let (code, _) = env.index();
    assert_eq!(code, 0);
    env
}

fn assert_no_raw_escapes(what: &str, text: &str) {
    assert!(!text.contains('\u{1b}'), "{what}: raw ESC in {text:?}");
    assert!(!text.contains('\u{202e}'), "{what}: raw U+202E in {text:?}");
}

#[test]
fn file_names_reach_the_terminal_escaped_and_json_exactly() {
    let env = indexed_with_an_evil_name();
    for args in [
        &["search", "科普大篷车"][..],
        &["list"][..],
        &["list", "--filter", "prefecture=海东市"][..],
    ] {
        let r = env.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert_no_raw_escapes(&format!("{args:?}"), &r.stdout);
        assert!(
            r.stdout.contains("evil\\x1b[31mred\\u{202e}gpj.txt"),
            "{args:?} shows the escapes: {}",
            r.stdout
        );
    }
    let hits = env.search("科普大篷车", &[]);
    assert!(
        hits.iter()
            .any(|h| h["path"].as_str().unwrap().ends_with(&format!("/{EVIL}"))),
        "--json is data and keeps the exact name: {hits:?}"
    );
    let r = env.run(&["list", "--json"]);
    assert!(r.stdout.contains('\u{202e}'), "{}", r.stdout);

    assert_eq!(env.run(&["collection", "create", "c"]).code, 0);
    let r = env.run(&["collection", "add", "c", "--query", "科普大篷车"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&["collection", "show", "c"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("gpj.txt"), "{}", r.stdout);
    assert_no_raw_escapes("collection show", &r.stdout);
}

#[test]
fn the_index_problem_list_escapes_names() {
    let env = Env::new();
    env.write(
        "海东市/bad\u{1b}]0;owned\u{7}\u{202e}.jpg",
        b"\xff\xd8\xff\xe0 not a jpeg",
    );
    let r = env.run(&["index", env.evidence.to_str().unwrap()]);
    assert_ne!(r.code, 1, "{}", r.stderr);
    assert_no_raw_escapes("index", &r.stdout);
    assert!(!r.stdout.contains('\u{7}'), "{:?}", r.stdout);
    assert!(
        r.stdout.contains("files whose content cannot be used"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("bad\\x1b]0;owned\\x07\\u{202e}.jpg"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_formula_in_a_review_reason_is_inert_in_the_csv_ledger() {
    let env = indexed_with_an_evil_name();
    let reason = "=HYPERLINK(\"http://x\",\"y\")";
    assert_eq!(env.run(&["collection", "create", "c"]).code, 0);
    assert_eq!(
        env.run(&["collection", "add", "c", "--query", "科普大篷车"])
            .code,
        0
    );
    let plain = env.evidence.join("海东市/plain.txt");
    let r = env.run(&[
        "collection",
        "review",
        "c",
        plain.to_str().unwrap(),
        "--reject",
        "--reason",
        reason,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = env.archive.parent().unwrap().join("pkg");
    let r = env.run(&[
        "export",
        "--collection",
        "c",
        "--out",
        out.to_str().unwrap(),
        "--include-rejected",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let csv = std::fs::read(out.join("ledger.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(&csv[3..]);
    let notes: Vec<String> = rows.records().map(|r| r.unwrap()[12].to_string()).collect();
    assert!(
        notes.iter().any(|n| n.starts_with(&format!("'{reason}"))),
        "{notes:?}"
    );
    assert!(!notes.iter().any(|n| n.starts_with('=')), "{notes:?}");
    let r = env.run(&["verify", out.to_str().unwrap()]);
    assert_eq!(
        r.code, 0,
        "the manifests hash the defused ledger: {}",
        r.stdout
    );
}

#[test]
fn a_new_catalog_is_the_owners_alone() {
    let env = indexed_with_an_evil_name();
    for name in ["catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm"] {
        let Ok(m) = std::fs::metadata(env.archive.join(name)) else {
            continue;
        };
        assert_eq!(m.permissions().mode() & 0o777, 0o600, "{name}");
    }
    let m = std::fs::metadata(env.archive.join("catalog.sqlite")).unwrap();
    assert_eq!(m.permissions().mode() & 0o777, 0o600);
}

#[test]
fn user_names_and_passwords_that_only_look_right_are_refused() {
    let env = Env::new();
    let add = |name: &str, password: &str| {
        let mut c = env.cmd();
        c.args(["user", "add", name, "--role", "admin", "--password-stdin"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        use std::io::Write;
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = add("admin\u{202e}nimda", "correct horse");
    assert_ne!(code, 0);
    assert!(err.contains("U+202E"), "{err}");
    assert_no_raw_escapes("user add", &err);
    let (code, err) = add("ada", "        ");
    assert_ne!(code, 0);
    assert!(err.contains("only blanks"), "{err}");
    let (code, err) = add("ada", "ADA");
    assert_ne!(code, 0, "{err}");
    let (code, err) = add("lovelace", "Lovelace");
    assert_ne!(code, 0);
    assert!(err.contains("the user name"), "{err}");
    let (code, err) = add("ada", "correct horse");
    assert_eq!(code, 0, "{err}");
}
