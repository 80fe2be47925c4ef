use super::*;
use crate::sample::paper::{self, Shot};

fn shot(i: u64) -> Shot {
    Shot {
        rotation: [-3.0, 2.0, 0.5, -1.5][i as usize % 4],
        blur: 1 + (i % 2) as u32,
        light: 0.7 + 0.1 * (i % 3) as f64,
        quality: 82,
        seed: i + 1,
    }
}

#[test]
fn photos_of_paper_look_like_documents_and_scenes_do_not() {
    let Some(font) = paper::cjk_font() else {
        eprintln!("no CJK font installed (fonts-wqy-microhei): skipped");
        return;
    };
    for (i, page) in paper::pages().iter().enumerate() {
        let raster = paper::render_page(&font, page, 900);
        let photo = paper::photograph(&raster, 900, shot(i as u64));
        let l = looks::looks(&photo, None);
        assert!(
            l.document,
            "page {i} ({}) not taken for paper: {l:?}",
            page.title
        );
    }
    for seed in 0..40 {
        let scene = paper::scene_photo(640, seed);
        let l = looks::looks(&scene, None);
        assert!(!l.document, "scene {seed} taken for paper: {l:?}");
    }
}

#[test]
fn the_engine_reads_a_photographed_page_and_a_scanned_pdf() {
    let (Some(font), Ok(engine)) = (
        paper::cjk_font(),
        tesseract::find(tesseract::DEFAULT_LANGUAGES),
    ) else {
        eprintln!("no CJK font or no tesseract with chi_sim: skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = &paper::pages()[0];
    let raster = paper::render_page(&font, page, 1200);
    let photo = dir.path().join("签到表.jpg");
    std::fs::write(&photo, paper::photograph(&raster, 1200, shot(0))).unwrap();
    let r = read_photo(&engine, &photo, None, Duration::from_secs(60));
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    let text: String = r.text().split_whitespace().collect();
    assert!(text.contains("签到表"), "{text}");
    assert!(r.mean_confidence > 50.0, "{}", r.mean_confidence);

    let Some(pdftoppm) = pdf::renderer() else {
        eprintln!("no pdftoppm (poppler-utils): PDF part skipped");
        return;
    };
    let pages: Vec<_> = paper::pages()[1..3]
        .iter()
        .map(|p| paper::render_page(&font, p, 1240))
        .collect();
    let scan = dir.path().join("通知.pdf");
    std::fs::write(&scan, paper::scanned_pdf(&pages, 80)).unwrap();
    let r = read_pdf(&engine, &pdftoppm, &scan, 2, Duration::from_secs(60));
    assert_eq!(r.pages.len(), 2);
    let second: String = r.pages[1].split_whitespace().collect();
    assert!(second.contains("科普大篷车"), "{second}");
}

#[test]
fn a_portrait_shot_stored_sideways_is_tested_and_read_upright() {
    let Some(font) = paper::cjk_font() else {
        eprintln!("no CJK font installed: skipped");
        return;
    };
    let raster = paper::render_page(&font, &paper::pages()[1], 1000);
    let photo = paper::photograph_sideways(&raster, 1000, shot(2));
    assert!(
        looks::looks(&photo, Some(6)).document,
        "{:?}",
        looks::looks(&photo, Some(6))
    );
    let Ok(engine) = tesseract::find(tesseract::DEFAULT_LANGUAGES) else {
        eprintln!("no tesseract with chi_sim: reading skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("IMG_portrait.jpg");
    std::fs::write(&path, &photo).unwrap();
    let r = read_photo(&engine, &path, Some(6), Duration::from_secs(60));
    let text: String = r.text().split_whitespace().collect();
    assert!(text.contains("培训记录"), "{text}");
}
