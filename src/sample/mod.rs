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
//!
//! Files: `tree.rs` is the plan of the tree (which file, where, exercising what), `devices.rs`
//! the phones and cameras and the places they shoot at, `write.rs` collects the plan in memory
//! and writes it to disk; `jpeg.rs` and `media.rs` make the bytes of each file.

pub mod altered;
pub mod authenticity;
pub mod ccitt;
pub mod dated;
mod devices;
pub mod exif_layout;
pub mod jpeg;
pub mod manifests;
pub mod media;
pub mod paper;
pub mod problems;
pub mod rng;
pub mod tiff;
mod tree;
mod write;
pub mod xls;

#[cfg(test)]
mod tests;

pub use rng::Rng;

use std::io;
use std::path::{Path, PathBuf};

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, TimeZone};

pub use jpeg::{GpsLayout, Pattern, PhotoSpec};
use write::Gen;

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
    tree::photos(&mut g)?;
    tree::damaged(&mut g)?;
    tree::documents(&mut g)?;
    g.finish(dest)
}

/// Modification time of the folders and of files with no capture time: when the submission
/// was packed (2020-11-20 10:00 +08:00).
const PACKED_AT: i64 = 1_605_837_600;

pub(crate) fn cst() -> FixedOffset {
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
