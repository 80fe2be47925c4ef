//! The authenticity reasons read from a file's own bytes (extracted, then tagged): which
//! photos they name, and, opt-in, how many of the corpus's camera photos they would name.

use super::*;
use crate::extract::{extract_bytes, Limits};
use crate::sample::authenticity as a;

fn edited_reason(bytes: Vec<u8>) -> Option<String> {
    let facts = extract_bytes("x.jpg", std::sync::Arc::new(bytes), &Limits::default());
    crate::tag::flags::possibly_edited(&TagConfig::default(), &facts).map(|f| f.reason)
}

#[test]
fn a_reencoded_camera_photo_is_named_and_the_camera_original_is_not() {
    let why = edited_reason(a::reencoded_camera(3)).expect("flagged");
    assert!(why.contains("HUAWEI") && why.contains("质量 70"), "{why}");
    assert_eq!(edited_reason(a::camera_original(3)), None);
    // No camera named: a WeChat copy without EXIF is not "a camera original re-encoded".
    let wechat = crate::sample::altered::alter(
        &a::camera_original(3),
        None,
        crate::sample::altered::Alteration::Recompressed,
    );
    assert_eq!(edited_reason(wechat), None);
}

#[test]
fn xmp_and_c2pa_traces_are_read() {
    let facts = extract_bytes(
        "x.jpg",
        std::sync::Arc::new(a::aigc_labelled(1)),
        &Limits::default(),
    );
    let t = facts.traces.as_ref().unwrap();
    assert_eq!(t.aigc.as_ref().unwrap()["Label"], "1");
    assert!(crate::tag::flags::ai_generated(&facts).is_some());
    let facts = extract_bytes(
        "x.jpg",
        std::sync::Arc::new(a::c2pa_generated(2)),
        &Limits::default(),
    );
    assert!(facts.traces.as_ref().unwrap().c2pa_generative);
}

/// Opt-in (`EVIDENCE_DEV_CORPUS=…/shared/corpus`): every corpus JPEG whose EXIF names a camera
/// and no editor, with the reason it would get, printed; the count is in docs/decisions.md.
#[test]
#[ignore = "needs EVIDENCE_DEV_CORPUS"]
fn corpus_camera_photos_and_the_reencode_signal() {
    let Some(root) = std::env::var_os("EVIDENCE_DEV_CORPUS") else {
        return;
    };
    let mut stack = vec![std::path::PathBuf::from(root).join("photos")];
    let (mut cameras, mut named) = (0, Vec::new());
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let bytes = std::fs::read(&p).unwrap();
            if !bytes.starts_with(&[0xFF, 0xD8]) {
                continue;
            }
            let facts = extract_bytes("x.jpg", std::sync::Arc::new(bytes), &Limits::default());
            let claims_camera = facts.camera.as_ref().and_then(|c| c.label()).is_some()
                && facts
                    .software
                    .as_deref()
                    .and_then(crate::tag::flags::editor_in)
                    .is_none();
            if !claims_camera {
                continue;
            }
            cameras += 1;
            let q = facts.traces.as_ref().and_then(|t| t.ijg_quality);
            let why =
                crate::tag::flags::possibly_edited(&TagConfig::default(), &facts).map(|f| f.key);
            println!(
                "{:<60} {}x{} ijg={q:?} {why:?}",
                p.display(),
                facts.width.unwrap_or(0),
                facts.height.unwrap_or(0)
            );
            if why.as_deref() == Some("FlagWhyReencoded") {
                named.push(p.display().to_string());
            }
        }
    }
    println!(
        "{cameras} camera photos, {} named re-encoded: {named:#?}",
        named.len()
    );
}
