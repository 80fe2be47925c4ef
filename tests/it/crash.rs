//! Crash safety: `archive index` killed with SIGKILL at arbitrary moments, then run again,
//! must end with the same catalog and search index as a run that was never interrupted.
//!
//! A power cut or an impatient `kill -9` on an office server is the normal way an indexing run
//! of a province's evidence ends early. The catalog is the source of truth, so after a rerun
//! no file may be lost, none may be listed twice in the search index, and no present file may
//! be shown as missing. The kill moments come from a seeded generator spread over the length
//! of an uninterrupted run, so failures reproduce; `CRASH_KILLS` raises the number of kills
//! (the bench script uses 20) and `CRASH_SEED` changes the moments.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::Env;
use archive::sample::Rng;

/// What must be equal between the interrupted and the uninterrupted archive, per file.
type FileState = (
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    String,
);

fn state_of(v: &serde_json::Value) -> FileState {
    let s = |x: &serde_json::Value| x.as_str().map(str::to_string);
    let code = |x: &serde_json::Value| x["code"].as_str().unwrap_or("-").to_string();
    let list = |x: &serde_json::Value, key: &str| {
        let mut v: Vec<String> = x
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|i| i[key].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v.join(",")
    };
    (
        s(&v["path"]).expect("record has a path"),
        s(&v["blake3"]),
        s(&v["status"]).unwrap_or_default(),
        code(&v["prefecture"]),
        code(&v["county"]),
        list(&v["indicators"], "code"),
        list(&v["flags"], "flag"),
    )
}

fn archive_cmd(archive: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_archive"));
    c.arg("--archive")
        .arg(archive)
        .env_remove("ARCHIVE_DIR")
        .env_remove("ARCHIVE_SCHEMA")
        .env(
            "ARCHIVE_USER_CONFIG",
            archive.with_file_name("user-config").join("last-archive"),
        );
    c
}

fn json_lines(archive: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let out = archive_cmd(archive)
        .args(args)
        .output()
        .expect("run archive");
    assert!(
        out.status.success(),
        "archive {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn index_to_completion(archive: &Path, evidence: &Path) -> serde_json::Value {
    let out = archive_cmd(archive)
        .args(["index", evidence.to_str().unwrap(), "--json"])
        .output()
        .expect("run archive");
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 2,
        "index failed ({code}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("index summary is JSON")
}

/// The catalog as `list` shows it and the search index as `search ""` shows it.
fn snapshot(archive: &Path) -> (BTreeSet<FileState>, Vec<FileState>) {
    let listed: BTreeSet<FileState> = json_lines(archive, &["list", "--json"])
        .iter()
        .map(state_of)
        .collect();
    let searched: Vec<FileState> =
        json_lines(archive, &["search", "", "--json", "--limit", "100000"])
            .iter()
            .map(state_of)
            .collect();
    (listed, searched)
}

/// The sample tree plus generated files: copies of its photos with distinct bytes (so every
/// one is a new blob to extract), text under prefecture and county folders (so tags differ),
/// a few exact duplicates across prefectures (so the duplicate flag depends on the whole set)
/// and some larger files that keep a worker busy long enough to be killed mid-read.
fn build_tree(env: &Env, extra: usize) -> usize {
    let sample = env.evidence.join("sample");
    let out = archive_cmd(&env.archive)
        .arg("sample")
        .arg(&sample)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sample: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let photos: Vec<Vec<u8>> = walkdir::WalkDir::new(&sample)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.path()
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("jpg"))
        })
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter(|b| b.starts_with(&[0xFF, 0xD8]))
        .collect();
    assert!(!photos.is_empty(), "the sample tree has photos");
    let places = [
        "西宁市/城东区",
        "海东市/互助县",
        "海北州/海晏县",
        "果洛州/玛沁县",
        "玉树州/称多县",
        "海西州/格尔木市",
    ];
    let topics = [
        "科普大篷车进校园",
        "全民科学素质工作总结",
        "科技活动周",
        "青少年科技创新大赛",
        "科普日活动",
    ];
    let mut rng = Rng(0x5eed);
    for i in 0..extra {
        let place = places[i % places.len()];
        let topic = topics[i % topics.len()];
        match i % 4 {
            0 | 1 => {
                // Bytes after the JPEG end marker change the hash, not the EXIF.
                let mut bytes = photos[i % photos.len()].clone();
                bytes.extend_from_slice(format!("copy {i}").as_bytes());
                env.write(&format!("{place}/{topic}/照片{i:04}.jpg"), bytes);
            }
            2 => {
                let body = format!("{topic}\n第{i}次记录，参加人数 {}。\n", rng.next() % 500);
                env.write(
                    &format!("{place}/{topic}_{i:04}.txt"),
                    body.repeat(1 + (i % 7)),
                );
            }
            _ => {
                let len = 256 * 1024 + (rng.next() % (1024 * 1024)) as usize;
                let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                env.write(&format!("{place}/原始数据/数据{i:04}.bin"), bytes);
            }
        }
    }
    // The same content under two prefectures: a flag that only a complete retag gets right.
    env.write("西宁市/重复/活动签到表.txt", "签到表 2019-09-15 科普日");
    env.write("海东市/重复/活动签到表.txt", "签到表 2019-09-15 科普日");
    walkdir::WalkDir::new(&env.evidence)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .count()
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// Put the interrupted archive back to where an episode starts: empty, or holding an earlier
/// complete run over part of the tree (so the episode adds files to a tagged catalog).
fn reset(archive: &Path, start: Option<&Path>) {
    if archive.exists() {
        std::fs::remove_dir_all(archive).unwrap();
    }
    if let Some(from) = start {
        copy_dir(from, archive);
    }
}

fn assert_same(
    reference: &(BTreeSet<FileState>, Vec<FileState>),
    archive: &Path,
    files: usize,
    when: &str,
) {
    let (ref_listed, _) = reference;
    let (listed, searched) = snapshot(archive);
    let only_ref: Vec<_> = ref_listed.difference(&listed).take(5).collect();
    let only_new: Vec<_> = listed.difference(ref_listed).take(5).collect();
    assert!(
        only_ref.is_empty() && only_new.is_empty(),
        "{when}: catalogs differ:\nreference only {only_ref:#?}\ninterrupted only {only_new:#?}"
    );
    let unique: BTreeSet<FileState> = searched.iter().cloned().collect();
    assert_eq!(
        searched.len(),
        unique.len(),
        "{when}: the search index holds a file twice"
    );
    assert_eq!(
        searched.len(),
        files,
        "{when}: the search index holds every file once"
    );
    assert_eq!(
        &unique, ref_listed,
        "{when}: the search index agrees with the catalog (paths, hashes, tags, flags)"
    );
}

fn timed_full_run(archive: &Path, evidence: &Path, start: Option<&Path>) -> Duration {
    reset(archive, start);
    let t = Instant::now();
    index_to_completion(archive, evidence);
    t.elapsed()
}

#[test]
fn sigkill_at_random_moments_then_rerun_equals_an_uninterrupted_run() {
    let env = Env::new();
    let files = build_tree(&env, env_number("CRASH_FILES", 300) as usize);
    let kills = env_number("CRASH_KILLS", 6);
    let mut rng = Rng(env_number("CRASH_SEED", 0x0C0FFEE).max(1));
    let work = env.archive.parent().unwrap().to_path_buf();

    // The reference: one uninterrupted run in its own archive folder.
    let reference_dir = work.join("reference-archive");
    let summary = index_to_completion(&reference_dir, &env.evidence);
    assert_eq!(
        summary["new"].as_u64(),
        Some(files as u64),
        "reference run saw every file: {summary}"
    );
    let reference = snapshot(&reference_dir);
    assert_eq!(reference.0.len(), files);
    assert_eq!(reference.1.len(), files);

    // A second starting point: a complete run made while two prefectures' folders were not
    // yet submitted. Moving them aside and back keeps their inodes and mtimes.
    let earlier = work.join("earlier-archive");
    let aside = work.join("aside");
    std::fs::create_dir_all(&aside).unwrap();
    for p in ["海西州", "玉树州"] {
        std::fs::rename(env.evidence.join(p), aside.join(p)).unwrap();
    }
    index_to_completion(&earlier, &env.evidence);
    for p in ["海西州", "玉树州"] {
        std::fs::rename(aside.join(p), env.evidence.join(p)).unwrap();
    }

    // How long a complete run takes from each starting point, to spread the kills over it.
    let mut starts: [(Option<&Path>, Duration); 2] = [
        (None, timed_full_run(&env.archive, &env.evidence, None)),
        (
            Some(&earlier),
            timed_full_run(&env.archive, &env.evidence, Some(&earlier)),
        ),
    ];
    eprintln!(
        "complete runs take {:?} from empty, {:?} from the earlier catalog",
        starts[0].1, starts[1].1
    );

    let mut episode = 0usize;
    let mut killed_mid_run = 0;
    reset(&env.archive, starts[0].0);
    for k in 0..kills {
        let (_, full) = starts[episode % 2];
        // Anywhere in the run, including its start (schema load, catalog open) and its end
        // (retag, index commit), where the interesting windows are.
        let delay = full.mul_f64(0.02 + 0.96 * rng.unit());
        let mut child = archive_cmd(&env.archive)
            .args(["index", env.evidence.to_str().unwrap(), "--json"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start archive index");
        std::thread::sleep(delay);
        // SAFETY: kill(2) on our own child, not yet reaped, so the pid cannot have been reused.
        unsafe {
            libc::kill(child.id() as libc::pid_t, libc::SIGKILL);
        }
        let status = child.wait().unwrap();
        eprintln!("kill {k} (episode {episode}): after {delay:?}: {status}");
        if status.code().is_none() {
            killed_mid_run += 1;
        } else {
            // The run finished before the kill, so a complete run takes less than `delay` now
            // (the timing runs above may have shared the machine with other tests): later
            // kills are spread over what was just seen.
            let slot = &mut starts[episode % 2].1;
            *slot = (*slot).min(delay);
            // Check this episode's result and start another.
            assert!(
                status.code() == Some(0) || status.code() == Some(2),
                "index failed: {status}"
            );
            assert_same(
                &reference,
                &env.archive,
                files,
                &format!("episode {episode}"),
            );
            episode += 1;
            reset(&env.archive, starts[episode % 2].0);
        }
    }
    // A kill late in the range often finds a shorter, continuing run already finished; that
    // is fine (its result was checked), but most kills must land in a running index.
    assert!(
        kills == 0 || killed_mid_run * 4 >= kills as usize,
        "only {killed_mid_run} of {kills} kills hit a running index"
    );
    eprintln!(
        "{killed_mid_run} of {kills} kills interrupted a run; {} episodes checked",
        episode + 1
    );

    let last = index_to_completion(&env.archive, &env.evidence);
    assert_eq!(last["present_total"].as_u64(), Some(files as u64), "{last}");
    assert_eq!(
        last["missing_total"].as_u64(),
        Some(0),
        "no present file is marked missing: {last}"
    );
    assert_same(&reference, &env.archive, files, "after the last kill");

    // And one more run changes nothing.
    let again = index_to_completion(&env.archive, &env.evidence);
    assert_eq!(
        (
            again["files_read"].as_u64(),
            again["index_updated"].as_u64()
        ),
        (Some(0), Some(0)),
        "{again}"
    );
}
