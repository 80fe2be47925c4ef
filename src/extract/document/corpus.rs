//! Opt-in checks against the development corpus (real files from other projects):
//! `EVIDENCE_DEV_CORPUS=/work/shared/corpus cargo test --lib corpus_ -- --nocapture`.
//! They print figures rather than fail on a single miss, because the point is to measure;
//! they do fail on a panic, a timeout, or a probe rate that drops below the recorded floor.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::extract::{extract_bytes, Limits};

fn corpus() -> Option<PathBuf> {
    let root = PathBuf::from(std::env::var_os("EVIDENCE_DEV_CORPUS")?);
    root.join("reference/text_probes.tsv")
        .exists()
        .then_some(root)
}

#[test]
fn corpus_text_probes() {
    let Some(root) = corpus() else {
        eprintln!("EVIDENCE_DEV_CORPUS not set: corpus test skipped");
        return;
    };
    let tsv = std::fs::read_to_string(root.join("reference/text_probes.tsv")).unwrap();
    let mut probes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in tsv.lines().skip(1) {
        if let Some((file, phrase)) = line.split_once('\t') {
            probes
                .entry(file.to_string())
                .or_default()
                .push(phrase.to_string());
        }
    }
    let limits = Limits::default();
    let (mut total, mut found) = (0, 0);
    let mut by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (file, phrases) in &probes {
        let data = std::fs::read(root.join(file)).unwrap();
        let started = Instant::now();
        let f = extract_bytes(file, Arc::new(data), &limits);
        let took = started.elapsed();
        let text = f.text.clone().unwrap_or_default();
        let kind = file.split('/').nth(1).unwrap_or("?").to_string();
        let kind = if file.starts_with("text/") {
            "text".to_string()
        } else {
            kind
        };
        for p in phrases {
            total += 1;
            let entry = by_kind.entry(kind.clone()).or_default();
            entry.0 += 1;
            if text.contains(p.as_str()) {
                found += 1;
                entry.1 += 1;
            } else {
                eprintln!(
                    "MISS {file}: {p:?} (errors {:?}, status {:?}, {} chars)",
                    f.problems,
                    f.text_status,
                    text.chars().count()
                );
            }
        }
        if took.as_millis() > 500 {
            eprintln!("SLOW {file}: {took:?}");
        }
    }
    for (k, (t, ok)) in &by_kind {
        eprintln!("  {k}: {ok}/{t}");
    }
    eprintln!("text probes found: {found}/{total}");
    assert!(
        found * 100 >= total * 90,
        "probe rate fell below 90 %: {found}/{total}"
    );
}

#[test]
fn corpus_documents_and_hostile_never_crash() {
    let Some(root) = corpus() else {
        eprintln!("EVIDENCE_DEV_CORPUS not set: corpus test skipped");
        return;
    };
    let limits = Limits::default();
    let mut crashed = Vec::new();
    for dir in ["documents", "hostile", "text"] {
        for entry in walkdir::WalkDir::new(root.join(dir))
            .into_iter()
            .filter_map(Result::ok)
        {
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .to_string();
            let data = std::fs::read(entry.path()).unwrap();
            let started = Instant::now();
            let f = extract_bytes(&rel, Arc::new(data), &limits);
            let took = started.elapsed();
            if dir != "documents" || !f.problems.is_empty() {
                eprintln!(
                    "{rel} [{:?}, {took:.2?}]: errors {:?} status {:?} text {} chars, title {:?}, pages {:?}, created {:?}",
                    f.media,
                    f.problems,
                    f.text_status,
                    f.text.as_deref().map_or(0, |t| t.chars().count()),
                    f.title,
                    f.pages,
                    f.doc_created.map(|d| d.to_rfc3339())
                );
            }
            if f.problems
                .iter()
                .any(|e| e.code == crate::problem::Code::ExtractCrashed)
            {
                crashed.push(rel);
            }
        }
    }
    assert!(crashed.is_empty(), "crashed or timed out: {crashed:?}");
}
