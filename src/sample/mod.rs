//! A small, realistic sample evidence tree, made by code (nothing downloaded, nothing copied).
//!
//! Tests, the README walkthrough and anyone trying the tool need evidence that looks like what
//! Qinghai's prefectures actually submit: Chinese folder names by prefecture, county and
//! indicator, phone and camera photos with real EXIF, WeChat copies without it, a GBK file
//! name from a Windows zip tool, notes in two encodings and a submission list. Generation is
//! deterministic — the same bytes and the same modification times on every run — so tests can
//! compare against it and a re-index of a regenerated tree sees no change.
//!
//! Deliberate oddities, each there for a check an inspector (or a test) relies on:
//!
//! * `海东市/乐都区/A2 农牧民科学素质/农牧民培训现场.jpg`: GPS in 西宁市城中区 while the folder
//!   says 海东市 (the "GPS outside the claimed prefecture" flag).
//! * `海东市/互助县/D3 科普之冬/IMG_20151220_142211.jpg`: taken in December 2015, before the
//!   2016–2020 assessment period.
//! * `海北州/海晏县/B4.2 流动科技馆巡展/展板设计.jpg`: Software "Adobe Photoshop CC 2019
//!   (Windows)" and a ModifyDate eight months after capture (the "possibly edited" flag).
//! * `玉树州/称多县/A2 农牧民科学素质/宣传册封面.jpg`: EXIF present, dates all zero (no capture date).
//! * `海南州/共和县/D1 全国科普日/科普日宣传.jpg` and `果洛州/玛沁县/D1 全国科普日/科普日活动.jpg`:
//!   the same bytes under two prefectures (duplicate flag); its GPS is in 共和县.
//! * `玉树州/称多县/A2 农牧民科学素质/IMG_20200716_090112.jpg`: a JPEG cut off in the middle of
//!   its image data; `.../IMG_20200716_090530.jpg` a JPEG whose bytes after SOI are garbage.
//! * `黄南州/同仁县/…/会议照片.jpg`: the name is GBK bytes, not UTF-8 (a zip made on Windows);
//!   同仁县 itself is the name the county had until 2020 (now 同仁市).
//! * `海南州/共和县/C5 社会动员与宣传/微信图片_20180903152233.jpg`: no EXIF at all (WeChat strips
//!   it); the date is only in the name.
//! * `海东市/互助县/B4.1科普大篷车/材料清单.csv`: the submission list of that folder; it assigns
//!   one photo to D1 全国科普日 although the folder says B4.1, and lists a 活动总结.docx that was
//!   never submitted.
//! * `玉树州/称多县/A2 农牧民科学素质/工作记录.txt` is GBK-encoded text; `西宁市/城中区/A1
//!   青少年科学素质/活动说明.txt` is UTF-8.
//! * EXIF variants: big-endian (Apple) and little-endian blocks, OffsetTimeOriginal present
//!   (Apple) and absent, GPS as D/M/S, decimal minutes and decimal degrees, a
//!   Software string with trailing blanks (Nikon), orientation 6 (a portrait phone photo).

pub mod jpeg;
pub mod media;
pub mod rng;

pub use rng::Rng;

use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, TimeZone};

pub use jpeg::{GpsLayout, Pattern, PhotoSpec};

/// One file the generator wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleFile {
    /// Relative to the tree root; may be non-UTF-8 (the GBK-named photo).
    pub path: PathBuf,
    /// What this file is there to exercise, in a few words.
    pub exercises: String,
    /// For photos written from a spec: the spec, i.e. the exact metadata a reader must find.
    pub photo: Option<PhotoSpec>,
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SampleSummary {
    /// How many files were written.
    pub files: usize,
    /// Every file written, sorted by path, with what it exercises.
    pub entries: Vec<SampleFile>,
    pub photos: usize,
    pub documents: usize,
    pub damaged: usize,
    pub bytes: u64,
}

impl SampleSummary {
    pub fn file(&self, path: impl AsRef<Path>) -> Option<&SampleFile> {
        self.entries.iter().find(|f| f.path == path.as_ref())
    }
}

/// Write the sample evidence tree under `dest`, which must be missing, empty, or an earlier
/// sample tree (then it is rewritten in place, byte-identical). A folder holding anything
/// else is refused: the generator must never overwrite or mix into real evidence.
pub fn generate(dest: &Path) -> io::Result<SampleSummary> {
    let mut g = Gen {
        summary: SampleSummary::default(),
        planned: Vec::new(),
    };
    photos(&mut g)?;
    damaged(&mut g)?;
    documents(&mut g)?;
    g.finish(dest)
}

/// Collects the whole tree in memory first, so that the destination can be checked before
/// anything is written.
struct Gen {
    summary: SampleSummary,
    planned: Vec<(PathBuf, Vec<u8>, i64)>,
}

/// Modification time of the folders and of files with no capture time: when the submission
/// was packed (2020-11-20 10:00 +08:00).
const PACKED_AT: i64 = 1_605_837_600;

impl Gen {
    fn write(
        &mut self,
        rel: &Path,
        bytes: &[u8],
        mtime: i64,
        exercises: &str,
        photo: Option<PhotoSpec>,
    ) -> io::Result<()> {
        self.summary.bytes += bytes.len() as u64;
        self.summary.files += 1;
        self.summary.entries.push(SampleFile {
            path: rel.to_path_buf(),
            exercises: exercises.into(),
            photo,
        });
        self.planned
            .push((rel.to_path_buf(), bytes.to_vec(), mtime));
        Ok(())
    }

    fn photo(&mut self, rel: &str, spec: PhotoSpec, exercises: &str) -> io::Result<()> {
        let bytes = jpeg::jpeg(&spec);
        let mtime = spec
            .date_time_original
            .map(|d| china_time(d) + 90) // copied off the phone: the file keeps the shot's time
            .unwrap_or(PACKED_AT);
        self.write(Path::new(rel), &bytes, mtime, exercises, Some(spec))?;
        self.summary.photos += 1;
        Ok(())
    }

    fn document(&mut self, rel: &Path, bytes: &[u8], exercises: &str) -> io::Result<()> {
        self.write(rel, bytes, PACKED_AT - 3600, exercises, None)?;
        self.summary.documents += 1;
        Ok(())
    }

    fn finish(mut self, dest: &Path) -> io::Result<SampleSummary> {
        refuse_foreign_content(dest, &self.planned)?;
        let mut dirs: Vec<PathBuf> = Vec::new();
        for (rel, bytes, mtime) in &self.planned {
            let path = dest.join(rel);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            let mut d = rel.parent();
            while let Some(p) = d.filter(|p| !p.as_os_str().is_empty()) {
                if !dirs.iter().any(|x| x == p) {
                    dirs.push(p.to_path_buf());
                }
                d = p.parent();
            }
            fs::write(&path, bytes)?;
            set_mtime(&path, *mtime)?;
        }
        // Deepest first, so that setting a folder's time is not undone by its children.
        dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        for d in &dirs {
            set_mtime(&dest.join(d), PACKED_AT)?;
        }
        self.summary.entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(self.summary)
    }
}

fn refuse_foreign_content(dest: &Path, planned: &[(PathBuf, Vec<u8>, i64)]) -> io::Result<()> {
    if !dest.exists() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(dest).min_depth(1) {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(dest).unwrap_or(entry.path());
        if !entry.file_type().is_file() || !planned.iter().any(|(p, _, _)| p == rel) {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} already holds files that are not sample evidence (for example {}); \
                     choose a new or empty folder: the sample generator never writes into real \
                     evidence",
                    dest.display(),
                    rel.display()
                ),
            ));
        }
    }
    Ok(())
}

fn set_mtime(path: &Path, secs: i64) -> io::Result<()> {
    let t: SystemTime = UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64);
    // Directories open read-only on Unix, which is enough for futimens.
    fs::File::open(path)?.set_modified(t)
}

fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

fn china_time(d: NaiveDateTime) -> i64 {
    cst()
        .from_local_datetime(&d)
        .single()
        .map(|t| t.timestamp())
        .unwrap_or(PACKED_AT)
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|d| d.and_hms_opt(h, mi, s))
        .expect("sample dates are valid")
}

/// The devices that take Qinghai's evidence photos, as their EXIF identifies them.
#[derive(Clone, Copy)]
enum Device {
    Huawei,
    Xiaomi,
    IPhone,
    Canon,
    Oppo,
    Vivo,
    Nikon,
}

impl Device {
    /// A spec as this device writes it: same time in all three date tags, its byte order,
    /// its zone habit, a 4:3 frame.
    fn shot(self, when: NaiveDateTime, gps: Option<(f64, f64)>, seed: u32) -> PhotoSpec {
        let (make, model, software, little_endian, zone, layout, size) = match self {
            Device::Huawei => (
                "HUAWEI",
                "ALP-AL00",
                Some("ALP-AL00 8.0.0.120(C00)"),
                true,
                false,
                GpsLayout::Dms,
                (512, 384),
            ),
            Device::Xiaomi => (
                "Xiaomi",
                "MI 6",
                Some("sagit-user 8.0.0 OPR1.170623.027 V9.2.3.0.OCAMIEK release-keys"),
                true,
                false,
                GpsLayout::Dms,
                (400, 300),
            ),
            Device::IPhone => (
                "Apple",
                "iPhone 7",
                Some("11.4.1"),
                false,
                true,
                GpsLayout::Dms,
                (480, 360),
            ),
            Device::Canon => (
                "Canon",
                "Canon EOS 80D",
                None,
                true,
                false,
                GpsLayout::Dms,
                (480, 320),
            ),
            Device::Oppo => (
                "OPPO",
                "OPPO R11",
                None,
                true,
                false,
                GpsLayout::DecimalMinutes,
                (400, 300),
            ),
            Device::Vivo => (
                "vivo",
                "vivo X9",
                None,
                true,
                false,
                GpsLayout::Degrees,
                (320, 240),
            ),
            Device::Nikon => (
                "NIKON CORPORATION",
                "NIKON D7200",
                Some("Ver.1.00 "),
                false,
                false,
                GpsLayout::Dms,
                (480, 320),
            ),
        };
        PhotoSpec {
            width: size.0,
            height: size.1,
            pattern: Pattern::Scene(seed),
            make: Some(make.into()),
            model: Some(model.into()),
            software: software.map(Into::into),
            orientation: Some(1),
            date_time_original: Some(when),
            create_date: Some(when),
            modify_date: Some(when),
            offset_time_original: zone.then(cst),
            gps,
            gps_layout: layout,
            little_endian,
            ..PhotoSpec::default()
        }
    }
}

/// Real places (WGS-84, inside the named county), with a small per-photo jitter of a few
/// hundred metres so that points differ the way real shots do.
mod place {
    pub const XINING_CHENGZHONG: (f64, f64) = (36.5850, 101.7430); // 南川, ~3 km inside the district
    pub const HUZHU: (f64, f64) = (36.8405, 101.9512);
    pub const LEDU: (f64, f64) = (36.4817, 102.4019);
    pub const CHENGDUO: (f64, f64) = (33.3686, 97.1109);
    pub const HAIYAN: (f64, f64) = (36.8990, 100.9921);
    pub const TONGREN: (f64, f64) = (35.5188, 102.0176);
    pub const GOLMUD: (f64, f64) = (36.4021, 94.9036);
    pub const GONGHE: (f64, f64) = (36.2705, 100.6203);
    pub const MAQIN: (f64, f64) = (34.4733, 100.2405);

    pub fn near(p: (f64, f64), k: u32) -> (f64, f64) {
        let dx = ((k * 37) % 11) as f64 - 5.0;
        let dy = ((k * 53) % 13) as f64 - 6.0;
        (p.0 + dy * 0.0003, p.1 + dx * 0.0003)
    }
}

fn photos(g: &mut Gen) -> io::Result<()> {
    use place::*;
    use Device::*;

    // 西宁市 (the capital) submits by district.
    let d = "西宁市/城中区/A1 青少年科学素质";
    g.photo(
        &format!("{d}/青少年科技创新大赛_01.jpg"),
        Huawei.shot(
            at(2018, 5, 19, 9, 42, 7),
            Some(near(XINING_CHENGZHONG, 1)),
            101,
        ),
        "HUAWEI phone photo, GPS in 城中区, keyword 青少年 in the name",
    )?;
    g.photo(
        &format!("{d}/青少年科技创新大赛_02.jpg"),
        Huawei.shot(
            at(2018, 5, 19, 10, 3, 51),
            Some(near(XINING_CHENGZHONG, 2)),
            102,
        ),
        "second photo of the same event",
    )?;
    let mut portrait = Xiaomi.shot(
        at(2017, 9, 16, 9, 35, 12),
        Some(near(XINING_CHENGZHONG, 3)),
        103,
    );
    portrait.orientation = Some(6);
    portrait.subsec_original = Some("348".into());
    g.photo(
        "西宁市/城中区/D1 全国科普日/IMG_20170916_093512.jpg",
        portrait,
        "Xiaomi, orientation 6 (portrait), SubSecTimeOriginal",
    )?;
    g.photo(
        "西宁市/全民科学素质/DSC_0042.JPG",
        Nikon.shot(at(2016, 10, 15, 14, 20, 0), None, 104),
        "camera without GPS, big-endian EXIF, Software with trailing blanks; folder 全民科学素质",
    )?;

    // 海东市: 互助县 is the model submission (with a submission list), 乐都区 the misplaced one.
    let d = "海东市/互助县/B4.1科普大篷车";
    g.photo(
        &format!("{d}/IMG_20190612_101530.jpg"),
        Huawei.shot(at(2019, 6, 12, 10, 15, 30), Some(near(HUZHU, 4)), 105),
        "phone name with date, GPS in 互助县, folder code B4.1 without a space",
    )?;
    g.photo(
        &format!("{d}/IMG_20190612_103347.jpg"),
        Huawei.shot(at(2019, 6, 12, 10, 33, 47), Some(near(HUZHU, 5)), 106),
        "second photo of the same event",
    )?;
    g.photo(
        &format!("{d}/科普大篷车进校园.jpg"),
        Oppo.shot(at(2019, 6, 13, 15, 2, 44), Some(near(HUZHU, 6)), 107),
        "Chinese name (科普 search), GPS as degrees and decimal minutes",
    )?;
    g.photo(
        &format!("{d}/IMG_20190917_094510.jpg"),
        Huawei.shot(at(2019, 9, 17, 9, 45, 10), Some(near(HUZHU, 7)), 108),
        "the submission list assigns it to D1 全国科普日 although the folder says B4.1",
    )?;
    g.photo(
        "海东市/互助县/D3 科普之冬/IMG_20151220_142211.jpg",
        Vivo.shot(at(2015, 12, 20, 14, 22, 11), Some(near(HUZHU, 8)), 109),
        "taken in 2015, before the assessment period; GPS as one decimal-degree rational",
    )?;
    g.photo(
        "海东市/乐都区/A2 农牧民科学素质/农牧民培训现场.jpg",
        Xiaomi.shot(
            at(2018, 11, 6, 10, 12, 40),
            Some(near(XINING_CHENGZHONG, 9)),
            110,
        ),
        "GPS in 西宁市 although the folder says 海东市/乐都区",
    )?;
    g.photo(
        "海东市/乐都区/A2 农牧民科学素质/IMG_20181106_143005.jpg",
        Xiaomi.shot(at(2018, 11, 6, 14, 30, 5), Some(near(LEDU, 10)), 111),
        "GPS consistent with 乐都区",
    )?;

    // 海北州: an iPhone with an explicit zone, and an edited picture.
    let d = "海北州/海晏县/B4.2 流动科技馆巡展";
    g.photo(
        &format!("{d}/IMG_0421.JPG"),
        IPhone.shot(at(2018, 7, 8, 11, 5, 23), Some(near(HAIYAN, 11)), 112),
        "Apple, big-endian EXIF, OffsetTimeOriginal +08:00",
    )?;
    let mut edited = Canon.shot(at(2018, 7, 9, 16, 40, 2), None, 113);
    edited.software = Some("Adobe Photoshop CC 2019 (Windows)".into());
    edited.modify_date = Some(at(2019, 3, 2, 20, 11, 45));
    g.photo(
        &format!("{d}/展板设计.jpg"),
        edited,
        "edited: Software Adobe Photoshop CC 2019, ModifyDate months after capture",
    )?;

    // 黄南州 still under the county's old name.
    let d = "黄南州/同仁县/D4 科普与青海三区建设同行";
    g.photo(
        &format!("{d}/IMG_5523.JPG"),
        Canon.shot(at(2016, 8, 12, 10, 30, 0), None, 114),
        "Canon camera, no GPS; historical county name 同仁县",
    )?;
    let gbk_name = encoding_rs::GBK.encode("会议照片.jpg").0.into_owned();
    let rel = Path::new(d).join(std::ffi::OsStr::from_bytes(&gbk_name));
    let spec = Canon.shot(at(2016, 8, 12, 14, 5, 31), None, 115);
    let bytes = jpeg::jpeg(&spec);
    let mtime = china_time(at(2016, 8, 12, 14, 7, 1));
    g.write(
        &rel,
        &bytes,
        mtime,
        "file name in GBK bytes (会议照片.jpg), not UTF-8",
        Some(spec),
    )?;
    g.summary.photos += 1;
    g.photo(
        &format!("{d}/IMG_20170620_161203.jpg"),
        Oppo.shot(at(2017, 6, 20, 16, 12, 3), Some(near(TONGREN, 12)), 116),
        "GPS in 同仁",
    )?;

    // 玉树州, far south-west.
    let d = "玉树州/称多县/A2 农牧民科学素质";
    g.photo(
        &format!("{d}/IMG_20200715_113045.jpg"),
        Vivo.shot(at(2020, 7, 15, 11, 30, 45), Some(near(CHENGDUO, 13)), 117),
        "GPS in 称多县",
    )?;
    let mut undated = Xiaomi.shot(at(2019, 1, 1, 0, 0, 0), None, 118);
    undated.zero_dates = true;
    undated.software = Some("MIUI Gallery".into());
    g.photo(
        &format!("{d}/宣传册封面.jpg"),
        undated,
        "EXIF dates all zero: no capture date",
    )?;

    // 海西州 and 海南州, 果洛州: a duplicate submitted by two prefectures.
    g.photo(
        "海西州/格尔木市/D2 科技活动周/IMG_20170521_154410.jpg",
        Oppo.shot(at(2017, 5, 21, 15, 44, 10), Some(near(GOLMUD, 14)), 119),
        "GPS in 格尔木市",
    )?;
    let dup = IPhone.shot(at(2018, 9, 15, 9, 58, 36), Some(near(GONGHE, 15)), 120);
    g.photo(
        "海南州/共和县/D1 全国科普日/科普日宣传.jpg",
        dup.clone(),
        "same bytes as 果洛州/玛沁县/D1 全国科普日/科普日活动.jpg",
    )?;
    g.photo(
        "果洛州/玛沁县/D1 全国科普日/科普日活动.jpg",
        dup,
        "duplicate of 海南州's photo under another prefecture; GPS in 共和县, not 玛沁县",
    )?;
    g.photo(
        "果洛州/玛沁县/A2 农牧民科学素质/IMG_20190823_150233.jpg",
        Xiaomi.shot(at(2019, 8, 23, 15, 2, 33), Some(near(MAQIN, 17)), 123),
        "GPS in 玛沁县, consistent with its folder",
    )?;
    let wechat = PhotoSpec {
        width: 540,
        height: 405,
        pattern: Pattern::Scene(121),
        quality: 70,
        ..PhotoSpec::default()
    };
    g.photo(
        "海南州/共和县/C5 社会动员与宣传/微信图片_20180903152233.jpg",
        wechat,
        "no EXIF at all (WeChat strips it); a date only in the name",
    )?;
    Ok(())
}

/// Files an inspector must see reported as unreadable.
fn damaged(g: &mut Gen) -> io::Result<()> {
    let d = Path::new("玉树州/称多县/A2 农牧民科学素质");
    let full = jpeg::jpeg(&Device::Vivo.shot(
        at(2020, 7, 16, 9, 1, 12),
        Some(place::near(place::CHENGDUO, 16)),
        122,
    ));
    // An interrupted upload: header and EXIF intact, image data cut at 60 %.
    let cut = &full[..full.len() * 6 / 10];
    g.write(
        &d.join("IMG_20200716_090112.jpg"),
        cut,
        china_time(at(2020, 7, 16, 9, 2, 0)),
        "truncated JPEG: EXIF readable, image data cut off",
        None,
    )?;
    // Garbage after SOI: a file overwritten by something else but keeping its first bytes.
    let mut garbage = vec![0xFF, 0xD8];
    let mut x: u32 = 0x1234_5678;
    for _ in 0..4000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        garbage.push((x & 0x7F) as u8); // never 0xFF, so no marker can appear
    }
    g.write(
        &d.join("IMG_20200716_090530.jpg"),
        &garbage,
        china_time(at(2020, 7, 16, 9, 6, 0)),
        "corrupt JPEG: garbage after the start-of-image marker",
        None,
    )?;
    g.summary.damaged += 2;
    g.summary.photos += 2;
    Ok(())
}

/// Notes and submission lists.
///
/// EXTEND HERE: DOCX, XLSX, PPTX, PDF and MP4 evidence from the `media` writers go in this
/// function, next to the text files, each through `g.document(...)` (or `g.write(...)` for
/// videos with their own capture time) with a line saying what the file exercises.
fn documents(g: &mut Gen) -> io::Result<()> {
    g.document(
        Path::new("西宁市/城中区/A1 青少年科学素质/活动说明.txt"),
        "2018年5月19日，城中区在第一中学举办青少年科技创新大赛，\n\
         展示学生科技制作与科普作品，共有32所学校参加。\n\
         照片：青少年科技创新大赛_01.jpg、青少年科技创新大赛_02.jpg\n"
            .as_bytes(),
        "UTF-8 note; searchable Chinese text",
    )?;

    let gbk_note = "称多县农牧民科普培训工作记录\r\n\
                    2020年7月15日至16日，在称文镇开展农牧民实用技术与科普知识培训，\r\n\
                    发放科普宣传册300份，参加群众120人次。\r\n";
    g.document(
        Path::new("玉树州/称多县/A2 农牧民科学素质/工作记录.txt"),
        &encoding_rs::GBK.encode(gbk_note).0,
        "GBK-encoded note (Windows Notepad default) mentioning 科普",
    )?;

    // Excel's "CSV UTF-8" export: a BOM, CRLF line ends.
    let list = "\u{FEFF}序号,文件名,指标\r\n\
                1,IMG_20190612_101530.jpg,B4.1 科普大篷车\r\n\
                2,IMG_20190612_103347.jpg,B4.1 科普大篷车\r\n\
                3,科普大篷车进校园.jpg,科普大篷车\r\n\
                4,IMG_20190917_094510.jpg,D1 全国科普日\r\n\
                5,活动总结.docx,B4.1 科普大篷车\r\n";
    g.document(
        Path::new("海东市/互助县/B4.1科普大篷车/材料清单.csv"),
        list.as_bytes(),
        "submission list: file → indicator by code and by name; reassigns one photo to D1; lists a file never submitted",
    )?;

    // Meeting minutes as Word and WPS export them, a ledger, slides, and phone videos.
    g.document(
        Path::new("海东市/互助县/B4.1科普大篷车/科普大篷车进校园活动总结.docx"),
        &media::docx(
            "互助县科普大篷车进校园活动总结",
            "互助县科协",
            "2019-06-20T09:30:00+08:00",
            &[
                "2019年6月12日至13日，互助县科协组织科普大篷车走进威远镇中心学校。",
                "活动展出科普展品32件，发放科普读物500册，参与师生1200人次。",
            ],
        ),
        "DOCX minutes: Chinese body text, core.xml title/author/created (a fallback capture date)",
    )?;
    g.document(
        Path::new("海北州/海晏县/B4.2 流动科技馆巡展/巡展工作方案.pdf"),
        &media::pdf(
            "海晏县中国流动科技馆巡展工作方案",
            "海晏县科协",
            "D:20180701100000+08'00'",
            &[
                "中国流动科技馆海晏县巡展工作方案",
                "巡展时间：2018年7月8日至9月8日，地点：西海镇。",
            ],
        ),
        "PDF as Word/WPS export Chinese (UniGB-UCS2-H, unembedded STSong-Light)",
    )?;
    g.document(
        Path::new("果洛州/玛沁县/科普工作台账2019.xlsx"),
        &media::xlsx(&[(
            "科普活动台账",
            vec![
                vec!["日期".into(), "活动名称".into(), "参与人数".into()],
                vec![
                    "2019-03-12".into(),
                    "科技之春宣传月启动仪式".into(),
                    "260".into(),
                ],
                vec![
                    "2019-09-17".into(),
                    "全国科普日玛沁主场活动".into(),
                    "540".into(),
                ],
            ],
        )]),
        "XLSX ledger: cell text of every sheet, the sheet name",
    )?;
    g.document(
        Path::new("西宁市/城中区/D1 全国科普日/科普日工作汇报.pptx"),
        &media::pptx(
            "城中区全国科普日工作汇报",
            "城中区科协",
            &[
                ("城中区2017年全国科普日活动", "讲稿：感谢各单位支持"),
                ("主场活动在中心广场举办", ""),
            ],
        ),
        "PPTX slides and speaker notes",
    )?;
    g.document(
        Path::new("黄南州/同仁县/D4 科普与青海三区建设同行/会议纪要.doc"),
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0>\0\x03\0\xFE\xFF\x09\0",
        "legacy binary Word (.doc): catalogued and hashed, text not extracted, with the reason",
    )?;
    let utc = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    g.document(
        Path::new("海东市/互助县/B4.1科普大篷车/VID_20190612_103812.mp4"),
        &media::mp4(
            utc("2019-06-12T02:38:12Z"),
            42.5,
            1280,
            720,
            Some((36.8403, 101.9509)),
            Some(("HUAWEI", "VOG-AL00")),
        ),
        "Android phone video: mvhd UTC time, duration, ©xyz GPS in 互助县",
    )?;
    g.document(
        Path::new("海西州/格尔木市/D2 科技活动周/科技活动周开幕式.mov"),
        &media::mp4_with(&media::Mp4Spec {
            creation: utc("2017-05-21T07:50:00Z"),
            duration_s: 18.0,
            width: 1920,
            height: 1080,
            gps: Some((36.4021, 94.9031)),
            make_model: Some(("Apple", "iPhone 7")),
            apple_creationdate: Some(
                chrono::DateTime::parse_from_rfc3339("2017-05-21T15:50:00+08:00").unwrap(),
            ),
            brand: *b"qt  ",
        }),
        "iPhone MOV: Apple creationdate key with its own offset, mdta make/model",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{photo, Facts, Limits};
    use std::collections::BTreeMap;

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
    fn generation_is_deterministic_small_and_quick() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let started = std::time::Instant::now();
        let sa = generate(a.path()).unwrap();
        let took = started.elapsed();
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
        assert!(took.as_secs_f64() < 4.0, "generation took {took:?}");
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

    fn facts(dir: &Path, rel: &str) -> Facts {
        let mut f = Facts::default();
        photo::extract(
            &fs::read(dir.join(rel)).unwrap(),
            &Limits::default(),
            &mut f,
        );
        f
    }

    #[test]
    fn sample_photos_read_back_as_specified() {
        let dir = tempfile::tempdir().unwrap();
        let s = generate(dir.path()).unwrap();
        for file in s.entries.iter().filter(|f| f.photo.is_some()) {
            let spec = file.photo.as_ref().unwrap();
            let mut f = Facts::default();
            photo::extract(
                &fs::read(dir.path().join(&file.path)).unwrap(),
                &Limits::default(),
                &mut f,
            );
            let shown = file.path.display();
            assert!(f.errors.is_empty(), "{shown}: {:?}", f.errors);
            assert_eq!(
                (f.width, f.height),
                (Some(spec.width), Some(spec.height)),
                "{shown}"
            );
            assert_eq!(f.captured_at, spec.expected_capture(cst()), "{shown}");
            match spec.gps {
                Some((lat, lon)) => {
                    let g = f.gps.unwrap();
                    assert!(
                        (g.lat - lat).abs() < 1e-6 && (g.lon - lon).abs() < 1e-6,
                        "{shown}: {g:?}"
                    );
                }
                None => assert_eq!(f.gps, None, "{shown}"),
            }
            assert_eq!(
                f.camera.as_ref().and_then(|c| c.make.clone()),
                spec.make,
                "{shown}"
            );
            assert_eq!(
                f.software,
                spec.software.as_ref().map(|s| s.trim().to_string()),
                "{shown}"
            );
        }
    }

    #[test]
    fn oddities_are_visible_to_the_extractor() {
        let dir = tempfile::tempdir().unwrap();
        generate(dir.path()).unwrap();
        let d = dir.path();
        let misplaced = facts(d, "海东市/乐都区/A2 农牧民科学素质/农牧民培训现场.jpg")
            .gps
            .unwrap();
        assert!((misplaced.lat - 36.585).abs() < 0.01 && (misplaced.lon - 101.743).abs() < 0.01);
        let old = facts(d, "海东市/互助县/D3 科普之冬/IMG_20151220_142211.jpg");
        assert_eq!(old.captured_at.unwrap().format("%Y").to_string(), "2015");
        let edited = facts(d, "海北州/海晏县/B4.2 流动科技馆巡展/展板设计.jpg");
        assert!(edited.software.unwrap().contains("Photoshop"));
        assert!(
            edited.modified_at.unwrap() - edited.captured_at.unwrap() > chrono::Duration::days(200)
        );
        let undated = facts(d, "玉树州/称多县/A2 农牧民科学素质/宣传册封面.jpg");
        assert_eq!(undated.captured_at, None);
        let wechat = facts(
            d,
            "海南州/共和县/C5 社会动员与宣传/微信图片_20180903152233.jpg",
        );
        assert!(wechat.errors.is_empty() && wechat.camera.is_none() && wechat.width == Some(540));
        let cut = facts(d, "玉树州/称多县/A2 农牧民科学素质/IMG_20200716_090112.jpg");
        assert!(
            cut.errors.iter().any(|e| e.contains("truncated")),
            "{:?}",
            cut.errors
        );
        assert!(cut.captured_at.is_some(), "metadata before the cut is kept");
        let garbage = facts(d, "玉树州/称多县/A2 农牧民科学素质/IMG_20200716_090530.jpg");
        assert!(
            garbage
                .errors
                .iter()
                .any(|e| e.starts_with("JPEG is damaged")),
            "{:?}",
            garbage.errors
        );
    }
}

/// When ExifTool is installed, it must read every generated photo's metadata as specified:
/// the proof that the writer makes standard EXIF, not just EXIF our own reader accepts.
#[cfg(test)]
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

#[cfg(test)]
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
