//! Reading the vocabulary's five files, from a user's folder or from the copies compiled in.
//!
//! The people who edit these files are not programmers, so every problem names its file and
//! line ([`SourceText::err`]), a GBK file saved by Excel is accepted, and a file missing from a
//! user's folder falls back to the built-in copy. Each file has its own parser beside this one.

mod boundaries;
mod catalog;
mod gazetteer;
mod outline;

use std::path::Path;

pub(crate) use boundaries::parse_regions;
#[cfg(test)]
pub(crate) use boundaries::{geojson_features, Coords};
pub(crate) use catalog::{parse_catalog, Catalog};
pub(crate) use gazetteer::{parse_divisions, parse_towns};
#[cfg(test)]
pub(crate) use outline::decode_geobin;

use super::{Schema, COUNTIES_FILE, DIVISIONS_FILE, INDICATORS_FILE, PREFECTURES_FILE, TOWNS_FILE};
use crate::{Error, Result};

pub(crate) const EMBEDDED_INDICATORS: &str =
    include_str!("../../../archive-schema/indicators.toml");
pub(crate) const EMBEDDED_DIVISIONS: &str = include_str!("../../../archive-schema/divisions.csv");
pub(crate) const EMBEDDED_TOWNS: &str = include_str!("../../../archive-schema/towns.csv");
pub(crate) const EMBEDDED_PREFECTURES: &str =
    include_str!("../../../archive-schema/prefectures.geojson");
pub(crate) const EMBEDDED_COUNTIES: &str = include_str!("../../../archive-schema/counties.geojson");
/// The same outlines pre-parsed by `build.rs` (its header describes the format).
pub(crate) const EMBEDDED_PREFECTURES_BIN: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/prefectures.geobin"));
pub(crate) const EMBEDDED_COUNTIES_BIN: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/counties.geobin"));

/// One schema file's text and the name to use in messages.
pub(crate) struct SourceText {
    pub(crate) label: String,
    pub(crate) text: String,
    /// Byte offsets of the newlines, built on first use: every indicator and keyword records
    /// its line, and counting from the start each time was quadratic.
    pub(crate) newlines: std::sync::OnceLock<Vec<usize>>,
    /// For the built-in boundary files: their features as `build.rs` pre-parsed them.
    pub(crate) geobin: Option<&'static [u8]>,
}

impl SourceText {
    pub(crate) fn embedded(file: &str, text: &str) -> SourceText {
        let geobin = match file {
            PREFECTURES_FILE => Some(EMBEDDED_PREFECTURES_BIN),
            COUNTIES_FILE => Some(EMBEDDED_COUNTIES_BIN),
            _ => None,
        };
        SourceText {
            label: format!("{file} (built-in)"),
            text: text.to_string(),
            newlines: Default::default(),
            geobin,
        }
    }
    pub(crate) fn err(&self, line: Option<usize>, message: impl Into<String>) -> Error {
        let file = match line {
            Some(l) => format!("{} line {l}", self.label),
            None => self.label.clone(),
        };
        Error::Schema {
            file,
            message: message.into(),
        }
    }
    pub(crate) fn line_of(&self, byte: usize) -> usize {
        let newlines = self.newlines.get_or_init(|| {
            self.text
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect()
        });
        newlines.partition_point(|&n| n < byte.min(self.text.len())) + 1
    }
    /// Line of the first occurrence of `needle` (for JSON, where the parser gives no positions).
    pub(crate) fn line_of_str(&self, needle: &str) -> Option<usize> {
        self.text.find(needle).map(|b| self.line_of(b))
    }
}

impl Schema {
    /// The vocabulary compiled into the binary (the project's `archive-schema/`).
    pub fn embedded() -> Result<Schema> {
        Schema::from_sources(
            SourceText::embedded(INDICATORS_FILE, EMBEDDED_INDICATORS),
            SourceText::embedded(DIVISIONS_FILE, EMBEDDED_DIVISIONS),
            SourceText::embedded(TOWNS_FILE, EMBEDDED_TOWNS),
            SourceText::embedded(PREFECTURES_FILE, EMBEDDED_PREFECTURES),
            SourceText::embedded(COUNTIES_FILE, EMBEDDED_COUNTIES),
        )
    }

    /// A user's schema folder; each file missing there falls back to the built-in copy, so a
    /// folder holding only `indicators.toml` replaces just the catalog.
    pub fn load(dir: &Path) -> Result<Schema> {
        if !dir.is_dir() {
            return Err(Error::Schema {
                file: dir.display().to_string(),
                message: "schema folder not found; pass an existing folder holding indicators.toml and/or the gazetteer files".into(),
            });
        }
        let read = |file: &str, builtin: &str| -> Result<SourceText> {
            let path = dir.join(file);
            match std::fs::read(&path) {
                Ok(bytes) => {
                    // Excel on Chinese Windows saves "CSV (逗号分隔)" as GBK: accept it rather than
                    // make every user learn about encodings.
                    let text = match String::from_utf8(bytes) {
                        Ok(t) => t,
                        Err(e) => {
                            let (t, _, bad) = encoding_rs::GB18030.decode(e.as_bytes());
                            if bad {
                                return Err(Error::Schema {
                                    file: path.display().to_string(),
                                    message: "neither UTF-8 nor GBK text; save the file as UTF-8 (Excel: \"CSV UTF-8\")".into(),
                                });
                            }
                            t.into_owned()
                        }
                    };
                    let text = text
                        .strip_prefix('\u{feff}')
                        .map(str::to_string)
                        .unwrap_or(text);
                    Ok(SourceText {
                        label: path.display().to_string(),
                        text,
                        newlines: Default::default(),
                        geobin: None,
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Ok(SourceText::embedded(file, builtin))
                }
                Err(e) => Err(Error::io(path, e)),
            }
        };
        Schema::from_sources(
            read(INDICATORS_FILE, EMBEDDED_INDICATORS)?,
            read(DIVISIONS_FILE, EMBEDDED_DIVISIONS)?,
            read(TOWNS_FILE, EMBEDDED_TOWNS)?,
            read(PREFECTURES_FILE, EMBEDDED_PREFECTURES)?,
            read(COUNTIES_FILE, EMBEDDED_COUNTIES)?,
        )
    }
}
