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
        // The OCR stage tests the photo it has decoded whole for the engine: the same answer.
        let whole = looks::of_decoded(&photo::decode(&photo).unwrap(), None);
        assert!(whole.document, "page {i} decoded whole: {whole:?} ({l:?})");
    }
    // A page photographed whole at 320 px: its rows still look like lines (the test on the
    // picture alone takes it for paper), but its writing is too small to read, so the stage
    // passes it over.
    let page = paper::render_page(&font, &paper::pages()[0], 900);
    let small = paper::photograph(&page, 320, shot(2));
    let picture = photo::decode(&small).unwrap();
    assert!(looks::of_picture(&picture, None).document);
    let whole = looks::of_decoded(&picture, None);
    assert!(!whole.document, "a 320 px photo of a page: {whole:?}");
    for seed in 0..40 {
        let scene = paper::scene_photo(640, seed);
        let l = looks::looks(&scene, None);
        assert!(!l.document, "scene {seed} taken for paper: {l:?}");
        let whole = looks::of_decoded(&photo::decode(&scene).unwrap(), None);
        assert!(!whole.document, "scene {seed} decoded whole: {whole:?}");
    }
}

#[test]
fn turning_a_page_in_fixed_point_moves_no_grey_level_by_more_than_one() {
    // The floating-point bilinear turn that `straighten::rotate` replaced, as the reference.
    fn reference(g: &straighten::Grey, deg: f64) -> Vec<u8> {
        let (w, h) = (g.width, g.height);
        let (s, c) = deg.to_radians().sin_cos();
        let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
        let mut px = vec![255u8; w * h];
        for y in 0..h {
            for x in 0..w {
                let (dx, dy) = (x as f64 - cx, y as f64 - cy);
                let (u, v) = (cx + c * dx - s * dy, cy + s * dx + c * dy);
                // Sources on the last pixel's edge may land either side of it in fixed point:
                // left out of the comparison (marked 0, which no turn writes here).
                if u < 1.0 || v < 1.0 || u >= (w - 2) as f64 || v >= (h - 2) as f64 {
                    px[y * w + x] = 0;
                    continue;
                }
                let (x0, y0) = (u.floor() as usize, v.floor() as usize);
                let (fx, fy) = (u - x0 as f64, v - y0 as f64);
                let p = |xx: usize, yy: usize| f64::from(g.px[yy * w + xx]);
                let val = p(x0, y0) * (1.0 - fx) * (1.0 - fy)
                    + p(x0 + 1, y0) * fx * (1.0 - fy)
                    + p(x0, y0 + 1) * (1.0 - fx) * fy
                    + p(x0 + 1, y0 + 1) * fx * fy;
                px[y * w + x] = val.round() as u8;
            }
        }
        px
    }
    // A page with hard edges (text-like strokes) and smooth light, odd-sized.
    let (w, h) = (331, 257);
    let px = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w, i / w);
            if (y / 9) % 3 == 1 && (x / 4) % 5 != 0 {
                20 + (x % 7) as u8
            } else {
                (150 + (x + 2 * y) % 100) as u8
            }
        })
        .collect();
    let page = straighten::Grey {
        width: w,
        height: h,
        px,
    };
    for deg in [-4.5, -1.0, 0.37, 2.0, 3.9] {
        let turned = straighten::rotate(&page, deg);
        let want = reference(&page, deg);
        let mut compared = 0;
        for (i, (&a, &b)) in turned.px.iter().zip(&want).enumerate() {
            if b == 0 {
                continue;
            }
            compared += 1;
            assert!(
                a.abs_diff(b) <= 1,
                "{deg}°: pixel ({}, {}) is {a}, floating point gives {b}",
                i % w,
                i / w
            );
        }
        assert!(compared > w * h * 8 / 10, "{deg}°: {compared} compared");
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
    let jpeg = paper::photograph(&raster, 1200, shot(0));
    std::fs::write(&photo, &jpeg).unwrap();
    let picture = photo::decode(&jpeg).ok();
    let r = read_photo(&engine, &photo, picture, None, Duration::from_secs(60));
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
    let whole = looks::of_decoded(&photo::decode(&photo).unwrap(), Some(6));
    assert!(whole.document, "decoded whole: {whole:?}");
    let Ok(engine) = tesseract::find(tesseract::DEFAULT_LANGUAGES) else {
        eprintln!("no tesseract with chi_sim: reading skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("IMG_portrait.jpg");
    std::fs::write(&path, &photo).unwrap();
    let picture = photo::decode(&photo).ok();
    let r = read_photo(&engine, &path, picture, Some(6), Duration::from_secs(60));
    let text: String = r.text().split_whitespace().collect();
    assert!(text.contains("培训记录"), "{text}");
}

#[test]
fn a_scanned_page_is_taken_from_its_own_image_straightened_and_anything_else_is_rendered() {
    use paper::{ScanLayout, ScanPage};
    let Some(font) = paper::cjk_font() else {
        eprintln!("no CJK font installed: skipped");
        return;
    };
    let pages = paper::pages();
    // 150 dpi straight in an official document's type, 200 dpi 2° askew and 300 dpi −1.5°
    // askew in large type, then framed, in strips and lossless.
    let rasters = [
        paper::render_page_official(&font, &pages[0], 1240),
        paper::render_page(&font, &pages[1], 1654),
        paper::render_page(&font, &pages[2], 2480),
    ];
    let scan = |page, rotation, layout| ScanPage {
        page,
        rotation,
        quality: 80,
        layout,
    };
    let pdf = paper::scanned_pdf_pages(&[
        scan(&rasters[0], 0.0, ScanLayout::Image),
        scan(&rasters[1], 2.0, ScanLayout::Image),
        scan(&rasters[2], -1.5, ScanLayout::Image),
        scan(&rasters[0], 0.0, ScanLayout::Framed),
        scan(&rasters[0], 0.0, ScanLayout::Strips),
        scan(&rasters[0], 1.5, ScanLayout::Lossless),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("扫描件.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let doc = pdf::open(&path).expect("pdf_oxide reads the generated scan");
    // No renderer at all: the single-image pages need none.
    let nowhere = std::path::Path::new("/nonexistent/pdftoppm");
    let limit = Duration::from_secs(60);
    let straight = pdf::page_picture(Some(&doc), nowhere, &path, 1, limit).unwrap();
    assert!(
        matches!(
            straight.how,
            pdf::How::Embedded {
                encoding: "jpeg",
                scaled: false
            }
        ),
        "{:?}",
        straight.how
    );
    assert!(
        !straight.turned && straight.skew.abs() < 0.3,
        "{}",
        straight.skew
    );
    assert_eq!(straight.dpi, 150);
    // Taken as stored: the scanner's JPEG itself goes to the engine.
    assert!(straight.bytes.starts_with(&[0xFF, 0xD8]));
    let askew = pdf::page_picture(Some(&doc), nowhere, &path, 2, limit).unwrap();
    assert!(matches!(
        askew.how,
        pdf::How::Embedded {
            encoding: "jpeg",
            ..
        }
    ));
    assert!(
        askew.turned && (askew.skew - 2.0).abs() < 0.3,
        "{}",
        askew.skew
    );
    // Brought down to the engine's resolution, or lower for large type.
    assert!(askew.dpi <= 150 && askew.dpi >= 100, "{}", askew.dpi);
    let fine = pdf::page_picture(Some(&doc), nowhere, &path, 3, limit).unwrap();
    assert!(
        matches!(fine.how, pdf::How::Embedded { scaled: true, .. }),
        "{:?}",
        fine.how
    );
    assert!(
        fine.turned && (fine.skew + 1.5).abs() < 0.3,
        "{}",
        fine.skew
    );
    assert!(fine.dpi <= 150 && fine.dpi >= 100, "{}", fine.dpi);
    // Turned back: measured again, the page is straight.
    let g = straighten::decode_pgm(&askew.bytes).unwrap();
    assert!(straighten::skew_degrees(&g).abs() < 0.3);
    for page in [4, 5] {
        assert!(
            scan::embedded_image(&doc, page - 1).is_none(),
            "page {page}"
        );
    }
    let Some(pdftoppm) = pdf::renderer() else {
        eprintln!("no pdftoppm: rendering skipped");
        return;
    };
    for page in [4, 5] {
        let p = pdf::page_picture(Some(&doc), &pdftoppm, &path, page, limit).unwrap();
        assert_eq!(p.how, pdf::How::Rendered, "page {page}");
        assert_eq!(p.dpi, 150);
        assert!(p.bytes.starts_with(b"P5"));
    }
}

#[test]
fn a_ccitt_scanned_page_is_taken_from_its_own_image_pixel_for_pixel() {
    use paper::{ScanLayout, ScanPage};
    let Some(font) = paper::cjk_font() else {
        eprintln!("no CJK font installed: skipped");
        return;
    };
    // A black-and-white scan at 150 dpi, as fax-class scanners store text pages: Group 4, Group
    // 3 one-dimensional, and Group 3 mixed written with `/BlackIs1 true` and `/Decode [1 0]`.
    let raster = paper::render_page_official(&font, &paper::pages()[1], 1240);
    let black: Vec<bool> = raster.px.iter().map(|&p| p < 128).collect();
    assert!(black.iter().any(|&b| b), "the page has ink");
    let dir = tempfile::tempdir().unwrap();
    let poppler = tesseract::on_path("pdfimages").is_some();
    if !poppler {
        eprintln!("no pdfimages (poppler-utils): the cross-checks skipped");
    }
    for layout in [ScanLayout::Fax, ScanLayout::Fax3, ScanLayout::Fax3BlackIs1] {
        let pdf = paper::scanned_pdf_pages(&[ScanPage {
            page: &raster,
            rotation: 0.0,
            quality: 80,
            layout,
        }]);
        let path = dir.path().join(format!("传真扫描_{layout:?}.pdf"));
        std::fs::write(&path, &pdf).unwrap();
        let doc = pdf::open(&path).expect("pdf_oxide reads the generated scan");
        let e = scan::embedded_image(&doc, 0).expect("one CCITT image covering the page");
        assert_eq!(e.encoding, "ccitt", "{layout:?}");
        assert!((e.dpi - 150.0).abs() < 1.0, "{layout:?}: {}", e.dpi);
        let scan::Stored::Grey { width, height, px } = &e.picture else {
            panic!("a CCITT image is decoded to grey");
        };
        assert_eq!((*width, *height), (raster.width, raster.height));
        let differ = px
            .iter()
            .zip(&black)
            .filter(|(&p, &b)| (p < 128) != b)
            .count();
        assert_eq!(differ, 0, "{layout:?}: pixels decoded other than encoded");
        // No renderer needed: the page's own image goes to the engine.
        let nowhere = std::path::Path::new("/nonexistent/pdftoppm");
        let p = pdf::page_picture(Some(&doc), nowhere, &path, 1, Duration::from_secs(60)).unwrap();
        assert!(
            matches!(
                p.how,
                pdf::How::Embedded {
                    encoding: "ccitt",
                    ..
                }
            ),
            "{layout:?}: {:?}",
            p.how
        );
        // Poppler, which decodes CCITT on its own, reads the same ink: the stream is valid, not
        // merely what pdf_oxide's decoder accepts (and the page written the other way round
        // says so correctly).
        if !poppler {
            continue;
        }
        let prefix = dir.path().join(format!("im_{layout:?}"));
        let out = std::process::Command::new("pdfimages")
            .arg("-png")
            .arg(&path)
            .arg(&prefix)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let png = image::open(format!("{}-000.png", prefix.display()))
            .unwrap()
            .into_luma8();
        assert_eq!((png.width(), png.height()), (raster.width, raster.height));
        let differ = png
            .as_raw()
            .iter()
            .zip(&black)
            .filter(|(&p, &b)| (p < 128) != b)
            .count();
        assert_eq!(differ, 0, "{layout:?}: poppler decoded other pixels");
    }
    // A stream damaged half way (zeros over its second half, lengths and offsets kept) is not
    // taken as a page with its bottom blank: the page is left to the renderer.
    let mut pdf = paper::scanned_pdf_pages(&[ScanPage {
        page: &raster,
        rotation: 0.0,
        quality: 80,
        layout: ScanLayout::Fax,
    }]);
    let find = |from: usize, what: &[u8]| {
        from + pdf[from..]
            .windows(what.len())
            .position(|w| w == what)
            .unwrap()
    };
    let start = find(find(0, b"/CCITTFaxDecode"), b"stream\n") + b"stream\n".len();
    let end = find(start, b"\nendstream");
    pdf[(start + end) / 2..end].fill(0);
    let path = dir.path().join("传真扫描_损坏.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let doc = pdf::open(&path).expect("pdf_oxide reads the damaged scan's structure");
    assert!(
        scan::embedded_image(&doc, 0).is_none(),
        "a half-decoded CCITT page was taken as the page's picture"
    );
}

#[test]
fn a_photo_of_large_type_askew_is_brought_to_the_engines_size_and_turned_straight() {
    let Some(font) = paper::cjk_font() else {
        eprintln!("no CJK font installed: skipped");
        return;
    };
    // Large type photographed close: characters ~45 px high, the page 3° askew on a table.
    let raster = paper::render_page(&font, &paper::pages()[2], 1100);
    let askew = Shot {
        rotation: 3.0,
        ..shot(1)
    };
    let jpeg = paper::photograph(&raster, 1600, askew);
    let p = photo::prepare(&jpeg, None).unwrap();
    let how = |p: &straighten::Prepared| {
        format!("scaled {} turned {} skew {}", p.scaled, p.turned, p.skew)
    };
    assert!(p.scaled && p.turned, "{}", how(&p));
    assert!((p.skew - 3.0).abs() < 0.5, "{}", how(&p));
    let g = straighten::decode_pgm(&p.bytes).unwrap();
    assert!(g.width < 1300, "{}", g.width);
    // Made ready again, the picture handed over needs nothing: straight, lines at the size.
    let again = photo::prepare_grey(g);
    assert!(!again.scaled && !again.turned, "{}", how(&again));
    // The same page photographed from further away (characters ~28 px): left at its size.
    let far = paper::photograph(
        &raster,
        1000,
        Shot {
            rotation: 0.0,
            ..shot(1)
        },
    );
    let p = photo::prepare(&far, None).unwrap();
    assert!(!p.scaled && !p.turned, "{}", how(&p));
}

#[test]
fn a_page_scanned_to_tiff_or_saved_as_webp_is_taken_for_paper_and_read() {
    let Some(font) = paper::cjk_font() else {
        eprintln!("no CJK font installed: skipped");
        return;
    };
    // A 150 dpi scan of a notice as a scanner's TIFF (grey, and black-and-white), and the same
    // page as a WebP (a messaging app's re-save).
    let page = paper::render_page_official(&font, &paper::pages()[1], 1240);
    let grey = image::GrayImage::from_raw(page.width, page.height, page.px.clone()).unwrap();
    let encoded = |img: image::DynamicImage, format| {
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    };
    let tiff = encoded(
        image::DynamicImage::ImageLuma8(grey.clone()),
        image::ImageFormat::Tiff,
    );
    let webp = encoded(
        image::DynamicImage::ImageRgb8(image::DynamicImage::ImageLuma8(grey).to_rgb8()),
        image::ImageFormat::WebP,
    );
    let engine = tesseract::find(tesseract::DEFAULT_LANGUAGES).ok();
    if engine.is_none() {
        eprintln!("no tesseract with chi_sim: reading skipped");
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [("通知扫描.tif", tiff), ("通知.webp", webp)] {
        let picture = photo::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((picture.width, picture.height), (page.width, page.height));
        let l = looks::of_decoded(&picture, None);
        assert!(l.document, "{name} not taken for paper: {l:?}");
        let Some(engine) = &engine else { continue };
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let r = read_photo(engine, &path, Some(picture), None, Duration::from_secs(60));
        let text: String = r.text().split_whitespace().collect();
        let title: String = paper::pages()[1].title.split_whitespace().collect();
        assert!(text.contains(&title), "{name}: {text}");
    }
}

#[test]
fn tiff_pages_follows_the_chain_of_directories_and_stops_on_a_loop() {
    let page = |shade: u8| paper::Raster {
        width: 40,
        height: 30,
        px: vec![shade; 1200],
    };
    assert_eq!(
        tiff_pages(&crate::sample::tiff::multipage_tiff(&[page(200)])),
        1
    );
    let three = crate::sample::tiff::multipage_tiff(&[page(200), page(180), page(160)]);
    assert_eq!(tiff_pages(&three), 3);
    assert_eq!(tiff_pages(b"\xFF\xD8\xFF\xE0 not a tiff"), 1);
    // The last directory pointed back at the first: a loop, capped, never endless.
    let mut looped = three.clone();
    let first = u32::from_le_bytes(looped[4..8].try_into().unwrap());
    let n = looped.len();
    looped[n - 4..].copy_from_slice(&first.to_le_bytes());
    assert_eq!(tiff_pages(&looped), 1000);
    // Cut short: the pages whose directories are there.
    assert_eq!(tiff_pages(&three[..three.len() - 40]), 2);
}
