//! The generator's own promises: deterministic bytes and times, the promised shape and oddities,
//! and never writing into a folder that holds anything else. (That the extractors read the
//! generated files as specified is tested beside each extractor.)

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::*;

/// Every file under `root`: relative path → (BLAKE3, mtime seconds).
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (String, u64)> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let bytes = fs::read(e.path()).unwrap();
            let mtime = e
                .metadata()
                .unwrap()
                .modified()
                .unwrap()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let rel = e.path().strip_prefix(root).unwrap().to_path_buf();
            (rel, (blake3::hash(&bytes).to_hex().to_string(), mtime))
        })
        .collect()
}

#[test]
fn generation_is_deterministic_and_small() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let sa = generate(a.path()).unwrap();
    let sb = generate(b.path()).unwrap();
    assert_eq!(sa, sb);
    let (ta, tb) = (snapshot(a.path()), snapshot(b.path()));
    assert_eq!(ta, tb, "two runs must give identical bytes and mtimes");
    assert_eq!(
        ta.len(),
        sa.entries.len(),
        "summary lists every file written"
    );
    assert_eq!(ta.len(), sa.files);
    assert!(sa.bytes < 3_000_000, "tree is {} bytes", sa.bytes);
    // No time limit here: speed is the benchmarks' business (bench/), and a timed test fails
    // on a loaded machine, as this one did under parallel builds.
    // Running again over an existing tree changes nothing.
    generate(a.path()).unwrap();
    assert_eq!(snapshot(a.path()), ta);
}

#[test]
fn tree_has_the_promised_shape_and_oddities() {
    let dir = tempfile::tempdir().unwrap();
    let s = generate(dir.path()).unwrap();
    let tree = snapshot(dir.path());
    let has = |p: &str| tree.contains_key(Path::new(p));
    assert!(has("海东市/互助县/B4.1科普大篷车/IMG_20190612_101530.jpg"));
    assert!(has("海东市/互助县/B4.1科普大篷车/科普大篷车进校园.jpg"));
    assert!(has("海东市/互助县/B4.1科普大篷车/材料清单.csv"));
    assert!(has(
        "海南州/共和县/C5 社会动员与宣传/微信图片_20180903152233.jpg"
    ));
    assert!(tree.keys().any(|p| p.starts_with("西宁市/全民科学素质")));
    for pref in [
        "西宁市",
        "海东市",
        "海北州",
        "黄南州",
        "玉树州",
        "海西州",
        "海南州",
        "果洛州",
    ] {
        assert!(tree.keys().any(|p| p.starts_with(pref)), "{pref} missing");
    }
    // The duplicate really is the same bytes under two prefectures.
    let dup_a = &tree[Path::new("海南州/共和县/D1 全国科普日/科普日宣传.jpg")].0;
    let dup_b = &tree[Path::new("果洛州/玛沁县/D1 全国科普日/科普日活动.jpg")].0;
    assert_eq!(dup_a, dup_b);
    // Exactly one name is not UTF-8, and it is GBK for 会议照片.jpg.
    let odd: Vec<_> = tree.keys().filter(|p| p.to_str().is_none()).collect();
    assert_eq!(odd.len(), 1);
    let name = odd[0].file_name().unwrap().as_bytes();
    assert_eq!(encoding_rs::GBK.decode(name).0, "会议照片.jpg");
    // The GBK note decodes as GBK and says 科普.
    let note = fs::read(
        dir.path()
            .join("玉树州/称多县/A2 农牧民科学素质/工作记录.txt"),
    )
    .unwrap();
    assert!(std::str::from_utf8(&note).is_err());
    assert!(encoding_rs::GBK.decode(&note).0.contains("科普"));
    assert_eq!(s.damaged, 2);
    assert!(
        s.photos >= 20 && s.documents >= 3,
        "{} photos, {} documents",
        s.photos,
        s.documents
    );
    assert!(s.entries.iter().all(|f| !f.exercises.is_empty()));
}

#[test]
fn refuses_a_folder_with_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let evidence = dir.path().join("海东市/互助县/B4.1科普大篷车");
    fs::create_dir_all(&evidence).unwrap();
    fs::write(evidence.join("真实照片.jpg"), b"real evidence").unwrap();
    let err = generate(dir.path()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
    assert!(err.to_string().contains("真实照片.jpg"), "{err}");
    // Nothing was written next to it.
    assert_eq!(fs::read_dir(&evidence).unwrap().count(), 1);
}

/// When ExifTool is installed, it must read every generated photo's metadata as specified:
/// the proof that the writer makes standard EXIF, not just EXIF our own reader accepts.
mod exiftool {
    use super::*;

    #[test]
    fn exiftool_reads_what_we_wrote() {
        let Ok(version) = std::process::Command::new("exiftool").arg("-ver").output() else {
            eprintln!("exiftool not installed: check skipped");
            return;
        };
        if !version.status.success() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let summary = generate(dir.path()).unwrap();
        let out = std::process::Command::new("exiftool")
            .args([
                "-json", "-n", "-r", "-q", "-q", "-ext", "jpg", "-ext", "JPG",
            ])
            .args([
                "-DateTimeOriginal",
                "-OffsetTimeOriginal",
                "-SubSecTimeOriginal",
            ])
            .args([
                "-GPSLatitude",
                "-GPSLongitude",
                "-Make",
                "-Model",
                "-Software",
            ])
            .args(["-Orientation", "-ImageWidth", "-ImageHeight"])
            .arg(dir.path())
            .output()
            .unwrap();
        let rows: Vec<serde_json::Value> =
            serde_json::from_str(&String::from_utf8_lossy(&out.stdout)).unwrap();
        let mut checked = 0;
        for file in summary.entries.iter().filter(|f| f.photo.is_some()) {
            let spec = file.photo.as_ref().unwrap();
            let full = dir.path().join(&file.path).to_string_lossy().into_owned();
            let Some(row) = rows
                .iter()
                .find(|r| r["SourceFile"].as_str() == Some(full.as_str()))
            else {
                continue; // the GBK name does not survive ExifTool's JSON as UTF-8
            };
            let shown = file.path.display();
            let expect_date = if spec.zero_dates {
                Some("0000:00:00 00:00:00".to_string())
            } else {
                spec.date_time_original
                    .map(|d| d.format("%Y:%m:%d %H:%M:%S").to_string())
            };
            assert_eq!(
                row["DateTimeOriginal"].as_str().map(String::from),
                expect_date,
                "{shown}"
            );
            assert_eq!(
                row["OffsetTimeOriginal"].as_str().map(String::from),
                spec.offset_time_original.map(|o| o.to_string()),
                "{shown}"
            );
            assert_eq!(row["Make"].as_str(), spec.make.as_deref(), "{shown}");
            assert_eq!(row["Model"].as_str(), spec.model.as_deref(), "{shown}");
            let software = row["Software"].as_str().map(|s| s.trim().to_string());
            assert_eq!(
                software,
                spec.software.as_ref().map(|s| s.trim().to_string()),
                "{shown}"
            );
            assert_eq!(
                row["ImageWidth"].as_u64(),
                Some(spec.width as u64),
                "{shown}"
            );
            assert_eq!(
                row["ImageHeight"].as_u64(),
                Some(spec.height as u64),
                "{shown}"
            );
            match spec.gps {
                Some((lat, lon)) => {
                    let (a, b) = (
                        row["GPSLatitude"].as_f64().unwrap(),
                        row["GPSLongitude"].as_f64().unwrap(),
                    );
                    // -n gives unsigned magnitudes for the EXIF tags; the refs carry the sign.
                    assert!(
                        (a - lat.abs()).abs() < 1e-6 && (b - lon.abs()).abs() < 1e-6,
                        "{shown}"
                    );
                }
                None => assert!(row.get("GPSLatitude").is_none(), "{shown}"),
            }
            checked += 1;
        }
        eprintln!("exiftool agreed on {checked} generated photos");
        assert!(checked >= 20, "only {checked} photos compared");
    }
}

mod dev {
    /// Write the tree where `ARCHIVE_SAMPLE_OUT` points, to look at it with other tools.
    #[test]
    #[ignore]
    fn write_sample_tree() {
        if let Ok(out) = std::env::var("ARCHIVE_SAMPLE_OUT") {
            let t = std::time::Instant::now();
            let s = super::generate(std::path::Path::new(&out)).unwrap();
            eprintln!("{} files, {} bytes in {:?}", s.files, s.bytes, t.elapsed());
        }
    }
}
