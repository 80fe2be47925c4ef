//! Video metadata (MP4, MOV, 3GP, M4V) through nom-exif: creation time, duration, GPS.

use std::path::Path;

use super::{Facts, Limits};

pub fn extract_bytes(_data: &[u8], _limits: &Limits, _f: &mut Facts) {}

pub fn extract_file(_path: &Path, _limits: &Limits, _f: &mut Facts) {}
