//! Builds temporary evidence trees and runs the `archive` binary against them.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Env {
    _dir: tempfile::TempDir,
    pub evidence: PathBuf,
    pub archive: PathBuf,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let evidence = dir.path().join("evidence");
        let archive = dir.path().join("archive-data");
        std::fs::create_dir_all(&evidence).unwrap();
        Env {
            _dir: dir,
            evidence,
            archive,
        }
    }

    /// Write a file under the evidence tree (creating folders).
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.evidence.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        p
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_archive"));
        c.arg("--archive")
            .arg(&self.archive)
            .env_remove("ARCHIVE_DIR")
            .env_remove("ARCHIVE_SCHEMA")
            // The last archive used is remembered per user: never in the tester's home.
            .env("ARCHIVE_USER_CONFIG", self.user_config())
            // Messages follow the locale; tests read English unless they ask for `--lang zh`.
            .env("ARCHIVE_LANG", "en");
        c
    }

    /// The per-user file that remembers the last archive folder, inside this test's folder.
    pub fn user_config(&self) -> PathBuf {
        self.archive
            .with_file_name("user-config")
            .join("last-archive")
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out: Output = self.cmd().args(args).output().expect("run archive");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `archive index EVIDENCE --json`, returning the summary.
    pub fn index(&self) -> (i32, serde_json::Value) {
        self.index_with(&[])
    }

    /// [`Env::index`] with environment variables set (a tool hidden, another language).
    pub fn index_with(&self, vars: &[(&str, &str)]) -> (i32, serde_json::Value) {
        let mut c = self.cmd();
        c.envs(vars.iter().copied());
        let out = c
            .args(["index", self.evidence.to_str().unwrap(), "--json"])
            .output()
            .expect("run archive");
        let r = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(
            r.code != 1,
            "index failed fatally: {}\n{}",
            r.stdout,
            r.stderr
        );
        (r.code, r.json())
    }

    pub fn search(&self, query: &str, filters: &[&str]) -> Vec<serde_json::Value> {
        let mut args = vec!["search", query, "--json", "--limit", "200"];
        for f in filters {
            args.push("--filter");
            args.push(f);
        }
        let r = self.run(&args);
        assert_eq!(r.code, 0, "search {query:?} failed: {}", r.stderr);
        r.json_lines()
    }

    pub fn show(&self, target: &str) -> serde_json::Value {
        let r = self.run(&["show", target, "--json"]);
        assert_eq!(r.code, 0, "show {target} failed: {}", r.stderr);
        r.json_lines().remove(0)
    }
}

/// Every file under `root` with its bytes and mtime: to prove the tree was not touched.
pub fn tree_state(root: &Path) -> BTreeMap<PathBuf, (Vec<u8>, i64, i64)> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(root) {
        let e = e.unwrap();
        let m = std::fs::symlink_metadata(e.path()).unwrap();
        let bytes = if m.is_file() {
            std::fs::read(e.path()).unwrap()
        } else {
            Vec::new()
        };
        out.insert(e.path().to_path_buf(), (bytes, m.mtime(), m.mtime_nsec()));
    }
    out
}

/// The published record schema (`archive-schema/record.schema.json`), ready to validate what
/// `list --json` and `show --json` print.
pub fn record_validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/archive-schema/record.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).expect("the schema itself is valid")
}

pub fn names(hits: &[serde_json::Value]) -> Vec<String> {
    let mut v: Vec<String> = hits
        .iter()
        .map(|h| {
            h["path"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    v.sort();
    v
}

/// A program on PATH (tests that need a system tool skip, saying so, without it).
pub fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

/// An iPhone-shaped HEIC at `dest` made from `jpeg` by libheif's `heif-enc` (the caller checks
/// [`on_path`] first).
pub fn heic_from(jpeg: &[u8], dest: &Path, quality: u8) {
    let source = dest.with_extension("source.jpg");
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    std::fs::write(&source, jpeg).unwrap();
    let made = Command::new("heif-enc")
        .arg("-q")
        .arg(quality.to_string())
        .arg(&source)
        .arg("-o")
        .arg(dest)
        .output()
        .unwrap();
    std::fs::remove_file(&source).unwrap();
    assert!(made.status.success(), "heif-enc: {made:?}");
}
