//! Files the operating system or an office program leaves beside the evidence.

use super::*;

#[test]
fn system_files_are_never_tagged_or_flagged() {
    for name in [
        "Thumbs.db",
        "desktop.ini",
        ".DS_Store",
        "~$活动总结.docx",
        "._IMG_0001.jpg",
    ] {
        let mut f = fx(&format!("海东市/互助县/B4.1科普大篷车/{name}"));
        f.facts.captured_at = None;
        f.blake3 = Some("ab".repeat(32));
        // The same desktop.ini in another prefecture's folder is no duplicate submission.
        let mut g = f.clone();
        g.rel = format!("西宁市/B4.2/{name}");
        let t = run(&[f, g]);
        for t in &t {
            assert!(t.system, "{name}");
            assert_eq!(codes(t), (None, None, vec![]), "{name}");
            assert!(t.flags.is_empty(), "{name}: {:?}", t.flags);
            assert!(facet_paths(schema(), t).is_empty(), "{name}");
        }
    }
    // Names that only look alike are evidence.
    for name in [
        "thumbs.jpg",
        "desktop.ini.pdf",
        "DS_Store.png",
        "报告~$.docx",
    ] {
        assert!(!is_system_file(name), "{name}");
    }
}
