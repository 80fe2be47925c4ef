//! Folder and file names inside a package: what the evidence was called, made safe for every
//! machine a package may be opened on (Windows, macOS, a zip tool), and unique per folder.

use crate::catalog::FileRow;
use crate::schema::Schema;

use super::{NO_INDICATOR, NO_PLACE};

/// Characters that Windows, macOS or a zip tool would refuse or misread in a name.
pub(super) fn clean_component(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_end_matches('.').trim();
    match trimmed {
        "" | "." | ".." => "_".to_string(),
        // Windows cannot create these whatever their extension (`CON.txt`, `nul`, `LPT1.doc`):
        // a package must unpack on the office PCs it is sent to. The ledger's note keeps the
        // original path.
        t if windows_reserved(t) => format!("_{t}"),
        t => t.to_string(),
    }
}

/// A device name Windows reserves (CON, PRN, AUX, NUL, COM1–9, LPT1–9), with any extension.
fn windows_reserved(name: &str) -> bool {
    let stem = name
        .split('.')
        .next()
        .unwrap_or(name)
        .trim_end()
        .to_ascii_uppercase();
    matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && matches!(stem.as_bytes()[3], b'1'..=b'9'))
}

/// The zip's top folder: the package's (collection's) name, made safe for Windows and length-
/// limited so that paths inside stay well under Windows' 260-character limit.
pub(super) fn package_folder(collection: &str) -> String {
    let name: String = clean_component(collection).chars().take(60).collect();
    let name = name.trim().trim_end_matches('.').trim().to_string();
    if name.is_empty() || name == "_" {
        "evidence-package".to_string()
    } else {
        name
    }
}

/// `name (2).jpg` for the second file of the same name in one folder.
pub(super) fn numbered(name: &str, n: usize) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() && ext.len() <= 8 => {
            format!("{stem} ({n}).{ext}")
        }
        _ => format!("{name} ({n})"),
    }
}

pub(super) fn folder_names(schema: &Schema, row: &FileRow) -> (String, String) {
    let t = row.tagging.clone().unwrap_or_default();
    let place = t
        .prefecture
        .as_ref()
        .map(|p| {
            schema
                .division(&p.code)
                .map(|d| d.short_name.clone())
                .unwrap_or_else(|| p.name.clone())
        })
        .map(|s| clean_component(&s))
        .unwrap_or_else(|| NO_PLACE.to_string());
    let indicator = t
        .indicators
        .first()
        .map(|i| clean_component(&format!("{} {}", i.code, i.name)))
        .unwrap_or_else(|| NO_INDICATOR.to_string());
    (place, indicator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_and_numbered() {
        assert_eq!(clean_component("a/b:c?.jpg"), "a_b_c_.jpg");
        assert_eq!(clean_component(" .. "), "_");
        // Names Windows cannot create (issue 20, finding 12), and near misses that it can.
        for (name, safe) in [
            ("CON.txt", "_CON.txt"),
            ("nul", "_nul"),
            ("LPT1.doc", "_LPT1.doc"),
            ("com9.tar.gz", "_com9.tar.gz"),
            ("Aux .jpg", "_Aux .jpg"),
        ] {
            assert_eq!(clean_component(name), safe);
        }
        for fine in [
            "CONTENT.txt",
            "COM10.txt",
            "LPT0.doc",
            "nullable.md",
            "会议CON.txt",
        ] {
            assert_eq!(clean_component(fine), fine);
        }
        assert_eq!(
            clean_component("科普大篷车进校园.jpg"),
            "科普大篷车进校园.jpg"
        );
        assert_eq!(package_folder("海东市/2019: 科普?"), "海东市_2019_ 科普_");
        assert_eq!(package_folder("CON"), "_CON");
        assert_eq!(package_folder(" . "), "evidence-package");
        assert_eq!(package_folder(&"长".repeat(100)).chars().count(), 60);
        assert_eq!(numbered("照片.jpg", 2), "照片 (2).jpg");
        assert_eq!(numbered("README", 3), "README (3)");
    }
}
