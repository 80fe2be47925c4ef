//! EXIF blocks laid out the way real writers lay them out against the standard: every value
//! is read and the file is not unreadable (a warning at most), as exiftool reads them.

use crate::extract::{Facts, Limits};
use crate::problem::Severity;
use crate::sample::exif_layout::{quirky_tiff, Quirk, LAT, LON, MAKE, MODEL};
use crate::sample::jpeg::{encode_pixels, with_exif_segment, PhotoSpec};

fn photo_with(tiff: &[u8]) -> Facts {
    let pixels = encode_pixels(&PhotoSpec::default());
    let mut f = Facts::default();
    super::extract(
        &with_exif_segment(&pixels, tiff),
        &Limits::default(),
        &mut f,
    );
    f
}

#[test]
fn each_layout_quirk_reads_clean() {
    for quirk in Quirk::ALL {
        let f = photo_with(&quirky_tiff(quirk));
        assert!(!f.has_error(), "{quirk:?}: {:?}", f.problems);
        assert!(
            f.problems.iter().all(|p| p.severity() != Severity::Error),
            "{quirk:?}"
        );
        let at = f
            .captured_at
            .unwrap_or_else(|| panic!("{quirk:?}: no date {f:?}"));
        assert_eq!(at.to_rfc3339(), "2019-08-16T10:21:33+08:00", "{quirk:?}");
        assert_eq!(
            f.captured_at_source.as_deref(),
            Some("exif:DateTimeOriginal")
        );
        let cam = f.camera.clone().unwrap_or_default();
        assert_eq!(
            (cam.make.as_deref(), cam.model.as_deref()),
            (Some(MAKE), Some(MODEL)),
            "{quirk:?}"
        );
        let g = f
            .gps
            .unwrap_or_else(|| panic!("{quirk:?}: no GPS {:?}", f.problems));
        assert!(
            (g.lat - LAT).abs() < 1e-4 && (g.lon - LON).abs() < 1e-4,
            "{quirk:?}: {g:?}"
        );
    }
}

#[test]
fn the_reference_layout_has_no_problem_at_all() {
    let f = photo_with(&quirky_tiff(Quirk::None));
    assert!(f.problems.is_empty(), "{:?}", f.problems);
}

#[test]
fn a_value_past_the_block_is_a_warning_naming_the_quirk() {
    let f = photo_with(&quirky_tiff(Quirk::OffsetPastEnd));
    assert!(!f.problems.is_empty());
    assert!(
        f.problems
            .iter()
            .all(|p| p.code == crate::problem::Code::ExifLayoutQuirk),
        "{:?}",
        f.problems
    );
}
