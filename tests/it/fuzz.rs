//! The fuzz targets from `cargo test`: every input a fuzzer found stays fixed, and the
//! cargo-fuzz manifest agrees with the one list of targets in `fuzz/targets.rs`.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

/// Every input a fuzzer found and that was fixed stays under `fuzz/regressions/TARGET/`; each
/// must now run through its extractor without a panic and within the fuzzing time limit.
#[test]
fn fuzz_findings_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = 0;
    for target in crate::fuzz_targets::names() {
        let dir = root.join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let data = std::fs::read(e.path()).unwrap();
            let t = Instant::now();
            let outcome = std::panic::catch_unwind(|| crate::fuzz_targets::run(target, &data));
            assert!(
                outcome.is_ok(),
                "{target}: {} panics again",
                e.path().display()
            );
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "{target}: {} takes {:?}",
                e.path().display(),
                t.elapsed()
            );
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} fuzz findings");
}

/// cargo-fuzz needs a `[[bin]]` and a source file per target; they must be exactly the targets
/// of `fuzz/targets.rs`, so adding a target there and forgetting them fails here.
#[test]
fn cargo_fuzz_manifest_lists_every_target() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let listed: BTreeSet<&str> = crate::fuzz_targets::names().into_iter().collect();
    let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).unwrap();
    let bins: BTreeSet<&str> = manifest
        .split("\n[[bin]]\n")
        .skip(1)
        .filter_map(|b| {
            b.lines()
                .find_map(|l| l.trim().strip_prefix("name = "))
                .map(|n| n.trim_matches('"'))
        })
        .collect();
    assert_eq!(
        bins, listed,
        "fuzz/Cargo.toml [[bin]] names vs fuzz/targets.rs"
    );
    for name in &listed {
        let path = fuzz.join("fuzz_targets").join(format!("{name}.rs"));
        assert!(
            path.is_file(),
            "{} is missing (copy another target's file)",
            path.display()
        );
        assert!(
            manifest.contains(&format!("path = \"fuzz_targets/{name}.rs\"")),
            "fuzz/Cargo.toml: the [[bin]] {name} must point to fuzz_targets/{name}.rs"
        );
        assert!(
            fuzz.join("regressions").join(name).is_dir(),
            "fuzz/regressions/{name}/ is missing (add it with an empty .keep)"
        );
    }
    let sources: BTreeSet<String> = std::fs::read_dir(fuzz.join("fuzz_targets"))
        .unwrap()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".rs")
                .map(str::to_string)
        })
        .collect();
    let listed_owned: BTreeSet<String> = listed.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        sources, listed_owned,
        "fuzz/fuzz_targets/*.rs vs fuzz/targets.rs"
    );
}
