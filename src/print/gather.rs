//! A collection's items as sheet items: its order, each file's caption (or its name, capture
//! time and tagged place), its indicator, and its picture (the cached thumbnail, made in
//! parallel on first use; a reason when there is none).

use std::path::Path;

use rayon::prelude::*;

use super::SheetItem;
use crate::catalog::{Catalog, FileRow};
use crate::curate::{collections, Actor, CurateResult};
use crate::i18n::{Lang, Msg};
use crate::record::{Media, Status};

/// The photos and videos of collection `name`, numbered from 1 in its order.
pub fn collection_items(
    cat: &Catalog,
    who: &Actor,
    name: &str,
    thumbs_dir: &Path,
) -> CurateResult<Vec<SheetItem>> {
    let d = collections::show(cat, who, name)?;
    let mut rows: Vec<(FileRow, Vec<std::path::PathBuf>)> = Vec::new();
    for it in &d.items {
        // The binders hold the imagery: documents have their own ledger.
        let Some(row) = cat
            .file(it.file_id)?
            .filter(|r| matches!(r.facts.media(), Media::Photo | Media::Video))
        else {
            continue;
        };
        // Where the picture can be read: this path, else another present copy of the content.
        let mut sources = vec![row.abs_path()];
        if let Some(b3) = &row.blake3 {
            sources.extend(
                cat.files_by_blake3(b3)?
                    .into_iter()
                    .filter(|r| r.status == Status::Present && r.id != row.id)
                    .map(|r| r.abs_path()),
            );
        }
        rows.push((row, sources));
    }
    Ok(rows
        .par_iter()
        .enumerate()
        .map(|(i, (row, sources))| item(i + 1, row, sources, thumbs_dir))
        .collect())
}

fn item(n: usize, row: &FileRow, sources: &[std::path::PathBuf], thumbs_dir: &Path) -> SheetItem {
    let l = Lang::Zh;
    let r = row.to_record(l);
    let c = r.caption.clone().unwrap_or_default();
    let name = row.file_name().to_string();
    let (image, missing) = picture(row, sources, thumbs_dir);
    SheetItem {
        n,
        title: c.title.unwrap_or(name),
        time: c
            .taken
            .or_else(|| {
                r.evidence_date
                    .as_deref()
                    .map(|t| t.chars().take(10).collect())
            })
            .unwrap_or_default(),
        place: c.place.unwrap_or_default(),
        indicator: r
            .indicators
            .first()
            .map(|t| format!("{} {}", t.code, t.name))
            .unwrap_or_default(),
        image,
        missing: missing.unwrap_or_else(|| {
            if r.media == Media::Photo {
                String::new()
            } else {
                crate::present::media_label(l, r.media.as_str())
            }
        }),
    }
}

/// The thumbnail, or why there is none.
fn picture(
    row: &FileRow,
    sources: &[std::path::PathBuf],
    thumbs_dir: &Path,
) -> (Option<Vec<u8>>, Option<String>) {
    let Some(b3) = row.blake3.as_deref() else {
        return (None, None);
    };
    if !matches!(row.facts.media(), Media::Photo | Media::Video) {
        return (None, None);
    }
    let Some(source) = sources.iter().find(|p| p.is_file()) else {
        return (None, Some(Lang::Zh.t(Msg::PrintFileMissing).to_string()));
    };
    let mime = row.facts.mime.as_str();
    match crate::thumb::preview(thumbs_dir, b3, source, mime, row.facts.orientation) {
        Ok(jpeg) => (Some(jpeg), None),
        Err(crate::thumb::ThumbError::Unavailable(m)) => (
            None,
            Some(Lang::Zh.fill(
                Msg::PreviewNeedsTool,
                &[("tool", &m.tool), ("package", &m.package)],
            )),
        ),
        Err(e) => {
            tracing::debug!("contact sheet: {e}");
            (None, Some(Lang::Zh.t(Msg::PrintNoPicture).to_string()))
        }
    }
}
