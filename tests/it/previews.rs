//! Previews of every format (issue 18, item 4) through the router: a HEIC photo and a video
//! get an icon saying which tool is missing when it is (never an error, never a failure
//! remembered), and a real preview when `heif-convert` and `ffmpeg` are installed (then the
//! fixtures are made with `heif-enc` and `ffmpeg` themselves; without them that half is
//! skipped with a note).

use std::path::Path;
use std::process::Command;

use archive::serve::{app, AppState};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use tower::ServiceExt;

async fn get(st: &AppState, path: &str) -> (StatusCode, String, Vec<u8>) {
    let req = Request::builder()
        .uri(path)
        .header(header::HOST, "127.0.0.1:8080")
        .body(Body::empty())
        .unwrap();
    let res = app(st.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let ctype = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, ctype, body.to_vec())
}

fn tool(name: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
        .unwrap_or(false)
}

fn state(evidence: &Path, archive_dir: &Path) -> AppState {
    let cfg = archive::config::Config::load(archive_dir, None).unwrap();
    let opts = archive::pipeline::IndexOptions {
        roots: vec![evidence.to_path_buf()],
        ..Default::default()
    };
    archive::pipeline::run_index(&cfg, &opts).unwrap();
    let schema = std::sync::Arc::new(cfg.schema().unwrap());
    AppState::with_schema(cfg, schema).unwrap()
}

fn b3(path: &Path) -> String {
    blake3::hash(&std::fs::read(path).unwrap())
        .to_hex()
        .to_string()
}

#[tokio::test]
async fn heic_and_video_previews_with_and_without_their_tools() {
    let dir = tempfile::Builder::new()
        .prefix("previews-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let ev = dir.path().join("evidence/海东市/B4.1科普大篷车");
    std::fs::create_dir_all(&ev).unwrap();
    // A picture to encode, and an iPhone-shaped HEIC that no decoder will open.
    let png = dir.path().join("source.png");
    let img = image::RgbImage::from_fn(480, 320, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    img.save(&png).unwrap();
    let fake_heic = ev.join("IMG_0001.HEIC");
    let mut bytes = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic".to_vec();
    bytes.extend_from_slice(&[0u8; 64]);
    std::fs::write(&fake_heic, &bytes).unwrap();
    let fake_video = ev.join("VID_0001.mp4");
    let when = chrono::DateTime::parse_from_rfc3339("2019-06-03T02:30:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    std::fs::write(
        &fake_video,
        archive::sample::media::mp4(when, 3.0, 320, 240, None, None),
    )
    .unwrap();
    let can_heic = tool("heif-enc") && tool("heif-convert");
    let real_heic = ev.join("IMG_0002.HEIC");
    if can_heic {
        let ok = Command::new("heif-enc")
            .arg("-q")
            .arg("60")
            .arg(&png)
            .arg("-o")
            .arg(&real_heic)
            .status()
            .unwrap()
            .success();
        assert!(ok, "heif-enc made the fixture");
    }
    let can_video = tool("ffmpeg");
    let real_video = ev.join("VID_0002.mp4");
    if can_video {
        let ok = Command::new("ffmpeg")
            .args([
                "-nostdin",
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=320x240:rate=10",
                "-t",
                "2",
                "-pix_fmt",
                "yuv420p",
            ])
            .arg(&real_video)
            .status()
            .unwrap()
            .success();
        assert!(ok, "ffmpeg made the fixture");
    }
    let st = state(
        &dir.path().join("evidence"),
        &dir.path().join("archive-data"),
    );

    // Without the tools: the media's icon, saying what to install.
    std::env::set_var("ARCHIVE_NO_TOOLS", "1");
    let (status, ctype, body) = get(&st, &format!("/thumb/{}", b3(&fake_heic))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ctype, "image/svg+xml");
    let svg = String::from_utf8(body).unwrap();
    assert!(
        svg.contains("heif-convert") && svg.contains("libheif-examples"),
        "{svg}"
    );
    let (_, ctype, body) = get(&st, &format!("/thumb/{}", b3(&fake_video))).await;
    assert_eq!(ctype, "image/svg+xml");
    assert!(String::from_utf8(body).unwrap().contains("ffmpeg"));
    let (_, _, page) = get(&st, &format!("/record/{}", b3(&fake_heic))).await;
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains("preview-note") && page.contains("heif-convert"),
        "the page says why"
    );
    std::env::remove_var("ARCHIVE_NO_TOOLS");
    let thumbs = dir.path().join("archive-data/thumbs");
    let fail = thumbs
        .join(&b3(&fake_heic)[..2])
        .join(format!("{}.fail", b3(&fake_heic)));
    assert!(
        !fail.exists(),
        "a missing tool is not remembered as a broken file"
    );

    // With them: real previews.
    if can_heic {
        let (_, ctype, body) = get(&st, &format!("/thumb/{}", b3(&real_heic))).await;
        assert_eq!(ctype, "image/jpeg", "{}", String::from_utf8_lossy(&body));
        let img = image::load_from_memory(&body).unwrap();
        assert_eq!((img.width(), img.height()), (320, 213));
    } else {
        eprintln!("note: heif-enc/heif-convert not installed (libheif-examples): the HEIC preview half is skipped");
    }
    if can_video {
        let (_, ctype, body) = get(&st, &format!("/thumb/{}", b3(&real_video))).await;
        assert_eq!(ctype, "image/jpeg", "{}", String::from_utf8_lossy(&body));
        let img = image::load_from_memory(&body).unwrap();
        assert_eq!((img.width(), img.height()), (320, 240));
        // A video whose frames cannot be decoded keeps its icon.
        let (_, ctype, _) = get(&st, &format!("/thumb/{}", b3(&fake_video))).await;
        assert_eq!(ctype, "image/svg+xml");
    } else {
        eprintln!("note: ffmpeg not installed: the video poster half is skipped");
    }
}

/// Opt-in (EVIDENCE_DEV_CORPUS=…/shared/corpus): every photo and video of the shared corpus of
/// real files gets a real preview (a JPEG, not the icon), issue 18's "≥ 95 %". Which files miss
/// is printed.
#[tokio::test]
async fn previews_cover_the_real_corpus() {
    let Some(corpus) = std::env::var_os("EVIDENCE_DEV_CORPUS") else {
        eprintln!("EVIDENCE_DEV_CORPUS not set: skipped");
        return;
    };
    let corpus = Path::new(&corpus);
    let dir = tempfile::tempdir().unwrap();
    let cfg = archive::config::Config::load(&dir.path().join("arc"), None).unwrap();
    let opts = archive::pipeline::IndexOptions {
        roots: vec![corpus.join("photos"), corpus.join("videos")],
        ..Default::default()
    };
    archive::pipeline::run_index(&cfg, &opts).unwrap();
    let schema = std::sync::Arc::new(cfg.schema().unwrap());
    let st = AppState::with_schema(cfg.clone(), schema).unwrap();
    let cat = archive::catalog::Catalog::open_existing(&cfg.archive_dir).unwrap();
    let mut media = Vec::new();
    cat.for_each_file(|r| {
        if matches!(r.facts.media().as_str(), "photo" | "video") {
            media.push((r.rel_display.clone(), r.blake3.clone().unwrap_or_default()));
        }
        Ok(())
    })
    .unwrap();
    let (mut real, mut missed) = (0usize, Vec::new());
    for (path, b3) in &media {
        let (status, ctype, _) = get(&st, &format!("/thumb/{b3}")).await;
        if status == StatusCode::OK && ctype == "image/jpeg" {
            real += 1;
        } else {
            missed.push(format!("{path} ({status} {ctype})"));
        }
    }
    let share = real as f64 / media.len().max(1) as f64;
    eprintln!(
        "previews: {real} of {} photos and videos ({:.1} %); without: {missed:#?}",
        media.len(),
        share * 100.0
    );
    assert!(share >= 0.95, "{missed:#?}");
}
