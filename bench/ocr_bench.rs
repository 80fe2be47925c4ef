//! OCR recall and cost on generated paper (issue 21): photos of pages (rotated, blurred,
//! unevenly lit, JPEG) and scanned image-only PDFs, with scene photos beside them.
//!
//! Usage: `cargo run --example ocr_bench -- [WORK_DIR]` (default /tmp/archive-ocr-bench).
//! Needs tesseract with chi_sim, pdftoppm and a CJK font (as .ci/run installs). With
//! `EVIDENCE_DEV_CORPUS` set, also runs the document test over the corpus photos.
//!
//! Prints one JSON object: the engine alone on every page (tesseract, and pdftoppm for PDF
//! pages, one page at a time, as the stage runs them) against the OCR stage of `archive index`
//! with one thread; phrase recall through `archive search` for photos and scans; false hits on
//! scenes; the document test's decisions and milliseconds per photo.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use archive::config::Config;
use archive::index::SearchIndex;
use archive::ocr::{looks, Mode};
use archive::pipeline::{run_index, IndexOptions, OcrOptions};
use archive::sample::paper::{self, Shot};
use archive::search::{search, SearchRequest, Sort};

const PHOTOS: usize = 12;
const SCANS: usize = 6;
const SCENES: u64 = 50;

fn main() {
    let work = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/tmp/archive-ocr-bench".into()),
    );
    let _ = std::fs::remove_dir_all(&work);
    let evidence = work.join("evidence");
    std::fs::create_dir_all(&evidence).unwrap();
    let font = paper::cjk_font().expect("a CJK font (fonts-wqy-microhei)");
    let pages = paper::pages();
    // OCR_BENCH_OFFICIAL=1: official type sizes (五号 body, 二号 title), photos 3000 px wide
    // (a phone's), pages rendered at 300 dpi before being photographed.
    let official = std::env::var_os("OCR_BENCH_OFFICIAL").is_some();
    let render = |p: &paper::Page, w: u32| {
        if official {
            paper::render_page_official(&font, p, w)
        } else {
            paper::render_page(&font, p, w)
        }
    };
    let (page_w, photo_w) = if official { (2480, 3000) } else { (1500, 1500) };

    // (file, phrases it holds, is a scan)
    let mut files: Vec<(PathBuf, Vec<String>, bool)> = Vec::new();
    for i in 0..PHOTOS {
        let page = &pages[i % pages.len()];
        let raster = render(page, page_w);
        let shot = Shot {
            rotation: [-4.0, -2.0, -0.5, 1.0, 2.5, 3.5][i % 6],
            blur: (i % 3) as u32,
            light: [0.6, 0.75, 0.9, 1.0][i % 4],
            quality: [72, 80, 88][i % 3],
            seed: 100 + i as u64,
        };
        let path = evidence.join(format!("照片/IMG_{i:04}.jpg"));
        write(&path, &paper::photograph(&raster, photo_w, shot));
        files.push((path, paper::phrases(page), false));
    }
    for i in 0..SCANS {
        let two = [
            &pages[(2 * i) % pages.len()],
            &pages[(2 * i + 1) % pages.len()],
        ];
        let rasters: Vec<_> = two.iter().map(|p| render(p, 1240)).collect();
        let path = evidence.join(format!("扫描件/通知_{i}.pdf"));
        write(&path, &paper::scanned_pdf(&rasters, [70, 80, 90][i % 3]));
        files.push((
            path,
            two.iter().flat_map(|p| paper::phrases(p)).collect(),
            true,
        ));
    }
    let mut scenes = Vec::new();
    for s in 0..SCENES {
        let path = evidence.join(format!("活动现场/scene_{s:03}.jpg"));
        write(&path, &paper::scene_photo(1600, s));
        scenes.push(path);
    }

    // The document test alone.
    let mut scene_ms = Vec::new();
    let mut scenes_taken = 0;
    for p in &scenes {
        let bytes = std::fs::read(p).unwrap();
        let t = Instant::now();
        let l = looks::looks(&bytes, None);
        scene_ms.push(t.elapsed().as_secs_f64() * 1e3);
        scenes_taken += usize::from(l.document);
    }
    let mut paper_missed = 0;
    for (p, _, scan) in &files {
        if !scan && !looks::looks(&std::fs::read(p).unwrap(), None).document {
            paper_missed += 1;
        }
    }

    // The engine alone, one page at a time: before and after the stage, since other work on a
    // shared machine moves both (the figure is their mean).
    let langs = std::env::var("OCR_BENCH_LANGS")
        .unwrap_or_else(|_| archive::ocr::tesseract::DEFAULT_LANGUAGES.into());
    let engine = archive::ocr::tesseract::find(&langs).expect("tesseract with chi_sim");
    let engine_alone = || {
        let t = Instant::now();
        let mut engine_pages = 0;
        for (p, _, scan) in &files {
            if *scan {
                for page in 1..=2 {
                    let png = Command::new("pdftoppm")
                        .args(["-f", &page.to_string(), "-l", &page.to_string()])
                        .args(["-r", "150", "-gray", "-png", "-singlefile"])
                        .arg(p)
                        .output()
                        .unwrap()
                        .stdout;
                    tesseract(&engine, None, Some(png));
                    engine_pages += 1;
                }
            } else {
                tesseract(&engine, Some(p), None);
                engine_pages += 1;
            }
        }
        (t.elapsed().as_secs_f64(), engine_pages)
    };
    let (before_s, engine_pages) = engine_alone();

    // The archive: index (the OCR stage on one thread), then search every phrase.
    let archive_dir = work.join("archive-data");
    let cfg = Config::load(&archive_dir, None).unwrap();
    let t = Instant::now();
    let summary = run_index(
        &cfg,
        &IndexOptions {
            roots: vec![evidence.clone()],
            ocr: OcrOptions {
                mode: Mode::Documents,
                budget: None,
                page_limit: std::time::Duration::from_secs(60),
                threads: 1,
                languages: langs.clone(),
            },
            ..Default::default()
        },
    )
    .unwrap();
    let index_s = t.elapsed().as_secs_f64();
    let (after_s, _) = engine_alone();
    let engine_alone_s = (before_s + after_s) / 2.0;
    // The document test's share of the stage (every photo decoded at 1/8 and tested once).
    let test_s: f64 = files
        .iter()
        .filter(|(_, _, scan)| !scan)
        .map(|(p, ..)| p)
        .chain(&scenes)
        .map(|p| {
            let b = std::fs::read(p).unwrap();
            let t = Instant::now();
            looks::looks(&b, None);
            t.elapsed().as_secs_f64()
        })
        .sum();
    let idx = SearchIndex::open(&cfg.index_dir()).unwrap();
    let schema = cfg.schema().unwrap();
    let (mut found, mut asked) = ([0usize; 2], [0usize; 2]);
    let mut missed: Vec<String> = Vec::new();
    let mut false_hits = 0;
    for (p, phrases, scan) in &files {
        let want = p.to_string_lossy().into_owned();
        for ph in phrases {
            let req = SearchRequest {
                query: format!("\"{ph}\""),
                filters: Vec::new(),
                sort: Sort::Relevance,
                offset: 0,
                limit: 200,
                facets: false,
                snippets: false,
                ranking_words: Vec::new(),
            };
            let resp = search(&idx, &schema, &req).unwrap();
            let paths: Vec<String> = resp
                .hits
                .iter()
                .map(|h| {
                    let v: serde_json::Value = serde_json::from_str(h.record_json.get()).unwrap();
                    v["path"].as_str().unwrap_or("").to_string()
                })
                .collect();
            false_hits += paths.iter().filter(|x| x.contains("scene_")).count();
            let k = usize::from(*scan);
            asked[k] += 1;
            if paths.contains(&want) {
                found[k] += 1;
            } else {
                missed.push(format!(
                    "{}: {ph}",
                    p.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }

    let corpus = std::env::var_os("EVIDENCE_DEV_CORPUS").map(|c| corpus_scenes(Path::new(&c)));
    scene_ms.sort_by(f64::total_cmp);
    let o = &summary.ocr;
    let out = serde_json::json!({
        "photos": PHOTOS, "scans": SCANS, "scan_pages": SCANS * 2, "scenes": SCENES,
        "engine": o.engine,
        "engine_alone_s": round(engine_alone_s),
        "engine_alone_before_after_s": [round(before_s), round(after_s)],
        "document_test_s": round(test_s),
        "overhead_without_document_test": round((o.seconds - test_s) / engine_alone_s - 1.0),
        "engine_alone_s_per_page": round(engine_alone_s / engine_pages as f64),
        "stage_s": round(o.seconds),
        "stage_engine_s": round(o.engine_seconds),
        "stage_s_per_page": round(o.seconds / o.pages.max(1) as f64),
        "overhead": round(o.seconds / engine_alone_s - 1.0),
        "index_total_s": round(index_s),
        "index_before_ocr_s": round(summary.elapsed_s - o.seconds),
        "read": o.read, "pages": o.pages, "scenes_skipped": o.scenes,
        "recall_photos": format!("{}/{}", found[0], asked[0]),
        "recall_scans": format!("{}/{}", found[1], asked[1]),
        "false_hits_on_scenes": false_hits,
        "document_test": {
            "scenes_taken_for_paper": scenes_taken,
            "paper_photos_missed": paper_missed,
            "ms_median": round(scene_ms[scene_ms.len() / 2]),
            "ms_max": round(*scene_ms.last().unwrap()),
        },
        "corpus_photos": corpus,
        "missed": missed,
    });
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
}

fn tesseract(e: &archive::ocr::Tesseract, path: Option<&Path>, stdin: Option<Vec<u8>>) {
    use std::io::Write;
    let mut cmd = Command::new(&e.program);
    match path {
        Some(p) => cmd.arg(p),
        None => cmd.arg("stdin"),
    };
    cmd.env("OMP_THREAD_LIMIT", "1")
        .args(["stdout", "-l", &e.languages, "--psm", "4", "tsv"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let mut pipe = child.stdin.take().unwrap();
    if let Some(b) = stdin {
        pipe.write_all(&b).unwrap();
    }
    drop(pipe);
    child.wait_with_output().unwrap();
}

/// The document test over the corpus's JPEG and PNG photos (none is a document scan).
fn corpus_scenes(root: &Path) -> serde_json::Value {
    let (mut n, mut taken, mut ms) = (0, Vec::new(), Vec::new());
    for e in walkdir::WalkDir::new(root.join("photos"))
        .into_iter()
        .flatten()
    {
        let p = e.path();
        let ext = p.extension().map(|x| x.to_string_lossy().to_lowercase());
        if !matches!(ext.as_deref(), Some("jpg" | "jpeg" | "png")) {
            continue;
        }
        let bytes = std::fs::read(p).unwrap();
        let t = Instant::now();
        let l = looks::looks(&bytes, None);
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        n += 1;
        if l.document {
            taken.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
        }
    }
    ms.sort_by(f64::total_cmp);
    serde_json::json!({
        "photos": n,
        "taken_for_paper": taken,
        "ms_median": ms.get(ms.len() / 2).copied().map(round),
        "ms_max": ms.last().copied().map(round),
    })
}

fn write(p: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
