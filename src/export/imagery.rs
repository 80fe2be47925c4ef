//! A package's imagery files (issue 18): `captions.xml`, the photos' captions and technical
//! metadata shaped after DA/T 54 (照片类电子档案元数据方案), one element per photo or video;
//! and `contact-sheet.pdf`, the collection's printed contact sheets (`crate::print`) made from
//! the package's own thumbnails.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::ledger::LedgerRow;
use crate::html::escape;
use crate::print::{SheetItem, SheetOptions};
use crate::record::{Media, Record};

fn el(out: &mut String, name: &str, value: Option<&str>) {
    if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
        let _ = writeln!(out, "    <{name}>{}</{name}>", escape(v));
    }
}

/// `captions.xml`: per photo or video, the caption (题名, 摄影者, 人物, 背景, 文字说明, 地点,
/// 摄影时间) and the technical elements (file, format, size, pixels, camera, GPS, hashes).
pub fn captions_xml(title: &str, items: &[(&Record, &LedgerRow)]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<照片类电子档案 依据=\"DA/T 54-2014 照片类电子档案元数据方案\" 专题=\"{}\">",
        escape(title)
    );
    for (r, row) in items
        .iter()
        .filter(|(r, _)| matches!(r.media, Media::Photo | Media::Video))
    {
        let c = r.caption.clone().unwrap_or_default();
        let kind = if r.media == Media::Video {
            "视频"
        } else {
            "照片"
        };
        let _ = writeln!(out, "  <{kind} 序号=\"{}\">", row.n);
        el(&mut out, "题名", c.title.as_deref());
        el(&mut out, "摄影者", c.photographer.as_deref());
        el(&mut out, "人物", c.people.as_deref());
        el(&mut out, "背景", c.background.as_deref());
        el(&mut out, "文字说明", c.description.as_deref());
        el(&mut out, "地点", c.place.as_deref());
        el(&mut out, "摄影时间", c.taken.as_deref());
        el(&mut out, "指标", Some(&row.indicator));
        el(&mut out, "计算机文件名", Some(&row.bag_path));
        el(&mut out, "格式名称", Some(&r.mime));
        el(&mut out, "计算机文件大小", Some(&r.size.to_string()));
        if let (Some(w), Some(h)) = (r.width, r.height) {
            el(&mut out, "水平分辨率", Some(&w.to_string()));
            el(&mut out, "垂直分辨率", Some(&h.to_string()));
        }
        if let Some(cam) = &r.camera {
            el(&mut out, "设备制造商", cam.make.as_deref());
            el(&mut out, "设备型号", cam.model.as_deref());
        }
        if let Some(g) = r.gps {
            el(&mut out, "GPS纬度", Some(&format!("{:.6}", g.lat)));
            el(&mut out, "GPS经度", Some(&format!("{:.6}", g.lon)));
        }
        el(&mut out, "BLAKE3", Some(&row.blake3));
        el(&mut out, "SHA-256", Some(&row.sha256));
        let _ = writeln!(out, "  </{kind}>");
    }
    out.push_str("</照片类电子档案>\n");
    out
}

/// `contact-sheet.pdf`: 6 photos a page, the package's own numbers (序号 as in the ledger) and
/// thumbnails (`thumbs`, by BLAKE3).
pub fn contact_sheet(
    title: &str,
    date: &str,
    items: &[(&Record, &LedgerRow)],
    thumbs: &HashMap<String, Vec<u8>>,
) -> Vec<u8> {
    let sheet: Vec<SheetItem> = items
        .iter()
        .filter(|(r, _)| matches!(r.media, Media::Photo | Media::Video))
        .enumerate()
        .map(|(i, (r, row))| {
            let c = r.caption.clone().unwrap_or_default();
            SheetItem {
                n: i + 1,
                title: c.title.unwrap_or_else(|| row.name.clone()),
                time: c.taken.unwrap_or_default(),
                place: c.place.unwrap_or_default(),
                indicator: row.indicator.clone(),
                image: thumbs.get(&row.blake3).cloned(),
                missing: String::new(),
            }
        })
        .collect();
    crate::print::contact_sheet(
        &sheet,
        &SheetOptions {
            title: title.to_string(),
            per_page: 6,
            prefix: None,
            date: date.to_string(),
            font: crate::print::font::find_font(),
        },
    )
    .pdf
}
