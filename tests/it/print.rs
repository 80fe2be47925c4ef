//! Printed contact sheets (issue 18, item 3) through the binary, checked with poppler: the
//! pages (pdfinfo), the Chinese text of the catalogue and the captions (pdftotext), one picture
//! per photo (pdfimages), and pages that render (pdftoppm); with a CJK font embedded, and with
//! the standard STSong-Light when no font is found. Skipped, with a note, without poppler.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::harness::Env;

fn poppler() -> bool {
    let ok = ["pdfinfo", "pdftotext", "pdfimages", "pdftoppm"]
        .iter()
        .all(|t| Path::new("/usr/bin").join(t).exists());
    if !ok {
        eprintln!("note: poppler-utils is not installed; the contact sheet test is skipped (apt-get install poppler-utils)");
    }
    ok
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name).args(args).output().expect(name);
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const PHOTOS: usize = 30;

#[test]
fn a_collection_prints_as_contact_sheets_with_a_catalogue() {
    if !poppler() {
        return;
    }
    let env = Env::new();
    for i in 0..PHOTOS {
        let spec = archive::sample::PhotoSpec {
            pattern: archive::sample::Pattern::Scene(i as u32),
            ..Default::default()
        };
        env.write(
            &format!("海东市/互助县/B4.1科普大篷车/IMG_{i:04}.jpg"),
            archive::sample::jpeg::jpeg(&spec),
        );
    }
    env.write("海东市/互助县/B4.1科普大篷车/总结.txt", "活动总结");
    assert_ne!(env.index().0, 1);
    let name = "互助县科普大篷车";
    assert_eq!(env.run(&["collection", "create", name]).code, 0);
    let r = env.run(&[
        "collection",
        "add",
        name,
        "--query",
        "",
        "--filter",
        "prefecture=海东市",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let first = env
        .evidence
        .join("海东市/互助县/B4.1科普大篷车/IMG_0000.jpg");
    let r = env.run(&[
        "caption",
        "set",
        first.to_str().unwrap(),
        "--title",
        "威远镇中学科普大篷车进校园",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dir = env.archive.parent().unwrap().to_path_buf();

    for (per_page, font) in [(6, None), (12, Some(""))] {
        let out = dir.join(format!("sheet{per_page}.pdf"));
        let mut cmd = env.cmd();
        cmd.args([
            "print",
            "--collection",
            name,
            "--out",
            out.to_str().unwrap(),
            "--per-page",
            &per_page.to_string(),
            "--prefix",
            "QH-KX-2019",
        ]);
        if let Some(f) = font {
            // No font at all: the standard Chinese font, not embedded.
            cmd.env("ARCHIVE_PRINT_FONT", f);
        }
        let t = Instant::now();
        let o = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        eprintln!(
            "{per_page} a page: {stdout} in {:.2} s",
            t.elapsed().as_secs_f64()
        );
        let pages = PHOTOS.div_ceil(per_page) + 1;
        let info = tool("pdfinfo", &[out.to_str().unwrap()]);
        assert!(
            info.contains(&format!("Pages:           {pages}")),
            "{info}"
        );
        assert!(info.contains("A4"), "{info}");
        // Compared without spaces: pdftotext decides where the spaces between words were.
        let text: String = tool("pdftotext", &["-layout", out.to_str().unwrap(), "-"])
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        for want in [
            "卷内目录",
            "照片小样",
            "题名",
            "页号",
            "威远镇中学科普大篷车进校园",
            "QH-KX-2019-0001",
            "B4.1 科普大篷车",
            &format!("第 {pages} 页 共 {pages} 页"),
        ] {
            let want: String = want.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(text.contains(&want), "{want:?} missing from:\n{text}");
        }
        assert!(
            !text.contains("总结.txt"),
            "documents are not on the sheets"
        );
        let images = tool("pdfimages", &["-list", out.to_str().unwrap()]);
        assert_eq!(
            images.lines().skip(2).count(),
            PHOTOS,
            "one picture per photo:\n{images}"
        );
        let png = dir.join(format!("page{per_page}"));
        tool(
            "pdftoppm",
            &[
                "-r",
                "40",
                "-png",
                "-f",
                "2",
                "-l",
                "2",
                out.to_str().unwrap(),
                png.to_str().unwrap(),
            ],
        );
        let rendered: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("page{per_page}"))
            })
            .collect();
        assert_eq!(rendered.len(), 1, "page 2 rendered");
        let fonts = tool("pdffonts", &[out.to_str().unwrap()]);
        if font.is_none() && archive::print::font::find_font().is_some() {
            assert!(
                fonts.contains(" yes yes yes "),
                "embedded as a subset:\n{fonts}"
            );
        } else if font.is_some() {
            assert!(fonts.contains("STSong-Light"), "{fonts}");
        }
    }
    let r = env.run(&[
        "print",
        "--collection",
        name,
        "--out",
        "/tmp/x.pdf",
        "--per-page",
        "8",
    ]);
    assert_ne!(r.code, 0, "8 a page is refused");
}
