//! Printed contact sheets for the paper binders (照片小样 and 卷内目录): A4 pages with the
//! photos of a collection, each with its running number (序号, 档号 when a prefix is given) and
//! caption underneath, 6 or 12 to a page, page numbers, and before them the catalogue
//! (序号, 题名, 时间, 地点, 指标, 页号). A PDF, written by [`pdf`] with the font of [`font`].
//!
//! Pictures are the cached thumbnails (`crate::thumb`, a JPEG of at most 320 pixels a side,
//! upright), passed into the PDF as they are: a sheet of 500 photos is a few megabytes and is
//! made in seconds once the thumbnails exist. The caller gathers the items (the collection's
//! order, captions, thumbnails) and writes the file.

pub mod font;
pub mod gather;
pub mod pdf;

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::i18n::{Lang, Msg};
use font::SheetFont;
use pdf::Pdf;

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 36.0;
const HEADER: f32 = 28.0;
const FOOTER: f32 = 22.0;
const GAP: f32 = 10.0;
/// Catalogue rows per page.
const CATALOGUE_ROWS: usize = 40;

/// One photo (or video) of the sheet.
#[derive(Debug, Clone, Default)]
pub struct SheetItem {
    /// 序号, from 1 in the collection's order.
    pub n: usize,
    pub title: String,
    pub time: String,
    pub place: String,
    pub indicator: String,
    /// The picture: a JPEG (a thumbnail), or `None` with the reason in `missing`.
    pub image: Option<Vec<u8>>,
    pub missing: String,
}

#[derive(Debug, Clone)]
pub struct SheetOptions {
    /// The binder's title: the collection's name.
    pub title: String,
    /// Photos per page: 6 (2 × 3) or 12 (3 × 4).
    pub per_page: usize,
    /// 档号 prefix: item 12 is `{prefix}-0012`; none means 序号 only.
    pub prefix: Option<String>,
    /// The printing date, as the header says it.
    pub date: String,
    /// The CJK font to embed (`font::find_font`); `None`: the standard STSong-Light.
    pub font: Option<PathBuf>,
}

/// A sheet as written.
#[derive(Debug, Clone)]
pub struct Printed {
    pub pdf: Vec<u8>,
    pub pages: usize,
    pub catalogue_pages: usize,
    pub pictures: usize,
    /// The font file embedded, or `STSong-Light` (not embedded).
    pub font: String,
}

/// The 档号 of item `n`, when a prefix is given.
pub fn code(prefix: Option<&str>, n: usize) -> Option<String> {
    prefix
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("{p}-{n:04}"))
}

/// One page's drawing operators and the images it uses.
struct Page {
    ops: String,
    images: Vec<usize>,
}

struct Writer<'f> {
    font: &'f mut SheetFont,
}

impl Writer<'_> {
    fn text(&mut self, page: &mut Page, x: f32, y: f32, size: f32, s: &str) {
        let (hex, _) = self.font.encode(s);
        let _ = writeln!(page.ops, "BT /F1 {size:.1} Tf {x:.2} {y:.2} Td {hex} Tj ET");
    }

    /// `s` cut to fit `width` at `size`, with "…" when cut.
    fn fit(&self, s: &str, width: f32, size: f32) -> String {
        if self.font.width(s, size) <= width {
            return s.to_string();
        }
        let mut out = String::new();
        for c in s.chars() {
            out.push(c);
            if self.font.width(&out, size) + self.font.width("…", size) > width {
                out.pop();
                break;
            }
        }
        out.push('…');
        out
    }

    /// `s` broken into at most `max` lines of `width`, the last cut with "…".
    fn wrap(&self, s: &str, width: f32, size: f32, max: usize) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        let chars: Vec<char> = s.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            line.push(chars[i]);
            if self.font.width(&line, size) > width {
                line.pop();
                if lines.len() + 1 == max {
                    let rest: String = chars[i..].iter().collect();
                    lines.push(self.fit(&format!("{line}{rest}"), width, size));
                    return lines;
                }
                lines.push(std::mem::take(&mut line));
                continue;
            }
            i += 1;
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }
}

fn header_footer(w: &mut Writer, page: &mut Page, head: &str, n: usize, total: usize) {
    let l = Lang::Zh;
    w.text(page, MARGIN, PAGE_H - MARGIN - 12.0, 11.0, head);
    let _ = writeln!(
        page.ops,
        "0.5 w {MARGIN:.2} {:.2} m {:.2} {:.2} l S",
        PAGE_H - MARGIN - HEADER + 8.0,
        PAGE_W - MARGIN,
        PAGE_H - MARGIN - HEADER + 8.0
    );
    let foot = l.fill(Msg::PrintPageOf, &[("n", &n), ("total", &total)]);
    let x = (PAGE_W - w.font.width(&foot, 9.0)) / 2.0;
    w.text(page, x, MARGIN - 4.0, 9.0, &foot);
}

/// The contact sheet of `items`: the catalogue first, then the photos.
pub fn contact_sheet(items: &[SheetItem], opts: &SheetOptions) -> Printed {
    let l = Lang::Zh;
    let per_page = if opts.per_page >= 12 { 12 } else { 6 };
    let (cols, rows) = if per_page == 12 { (3, 4) } else { (2, 3) };
    let (mut font, font_used) = SheetFont::load(opts.font.as_deref());
    let mut pdf = Pdf::default();
    let catalogue_pages = items.len().div_ceil(CATALOGUE_ROWS).max(1);
    let sheet_pages = items.len().div_ceil(per_page);
    let total = catalogue_pages + sheet_pages;
    let mut pages: Vec<Page> = Vec::new();
    let mut pictures = 0;
    {
        let mut w = Writer { font: &mut font };
        // 卷内目录
        // A 档号 needs a wider first column; the title gives way.
        let no_w = if code(opts.prefix.as_deref(), 1).is_some() {
            let longest = code(opts.prefix.as_deref(), items.len().max(1)).unwrap_or_default();
            (30.0 + w.font.width(&longest, 8.0)).min(160.0)
        } else {
            30.0
        };
        let cols_at: [(Msg, f32); 6] = [
            (Msg::PrintNo, no_w),
            (Msg::CaptionTitle, 220.0 - no_w),
            (Msg::CaptionTaken, 78.0),
            (Msg::CaptionPlace, 105.0),
            (Msg::FieldIndicator, 82.0),
            (Msg::PrintPage, 38.0),
        ];
        for (pi, chunk) in items
            .chunks(CATALOGUE_ROWS)
            .chain(items.is_empty().then_some(&items[..0]))
            .enumerate()
        {
            let mut page = Page {
                ops: String::new(),
                images: Vec::new(),
            };
            let head = l.fill(
                Msg::PrintCatalogueHead,
                &[("title", &opts.title), ("date", &opts.date)],
            );
            header_footer(&mut w, &mut page, &head, pi + 1, total);
            let mut y = PAGE_H - MARGIN - HEADER - 14.0;
            let mut x = MARGIN;
            for (m, width) in cols_at {
                w.text(&mut page, x + 2.0, y, 9.0, l.t(m));
                x += width;
            }
            let _ = writeln!(
                page.ops,
                "0.3 w {MARGIN:.2} {:.2} m {:.2} {:.2} l S",
                y - 4.0,
                PAGE_W - MARGIN,
                y - 4.0
            );
            for it in chunk {
                y -= 16.0;
                let on_page = catalogue_pages + (it.n - 1) / per_page + 1;
                let no = match code(opts.prefix.as_deref(), it.n) {
                    Some(c) => format!("{}  {c}", it.n),
                    None => it.n.to_string(),
                };
                let cells = [
                    no,
                    it.title.clone(),
                    it.time.clone(),
                    it.place.clone(),
                    it.indicator.clone(),
                    on_page.to_string(),
                ];
                let mut x = MARGIN;
                for ((_, width), cell) in cols_at.iter().zip(cells) {
                    let shown = w.fit(&cell, width - 4.0, 8.0);
                    w.text(&mut page, x + 2.0, y, 8.0, &shown);
                    x += width;
                }
            }
            pages.push(page);
        }
        // 照片小样
        let cell_w = (PAGE_W - 2.0 * MARGIN - (cols - 1) as f32 * GAP) / cols as f32;
        let area_h = PAGE_H - 2.0 * MARGIN - HEADER - FOOTER;
        let cell_h = (area_h - (rows - 1) as f32 * GAP) / rows as f32;
        let (size, lead, lines) = if per_page == 12 {
            (7.0, 9.0, 4)
        } else {
            (8.5, 11.0, 5)
        };
        let caption_h = lead * lines as f32 + 4.0;
        let img_h = cell_h - caption_h;
        for (pi, chunk) in items.chunks(per_page).enumerate() {
            let mut page = Page {
                ops: String::new(),
                images: Vec::new(),
            };
            let head = l.fill(
                Msg::PrintSheetHead,
                &[("title", &opts.title), ("date", &opts.date)],
            );
            header_footer(&mut w, &mut page, &head, catalogue_pages + pi + 1, total);
            for (k, it) in chunk.iter().enumerate() {
                let (c, r) = (k % cols, k / cols);
                let x = MARGIN + c as f32 * (cell_w + GAP);
                let top = PAGE_H - MARGIN - HEADER - r as f32 * (cell_h + GAP);
                let img_y = top - img_h;
                let _ = writeln!(
                    page.ops,
                    "0.75 G 0.5 w {x:.2} {img_y:.2} {cell_w:.2} {img_h:.2} re S 0 G"
                );
                let placed = it.image.as_deref().and_then(|j| pdf::add_jpeg(&mut pdf, j));
                match placed {
                    Some((id, iw, ih)) => {
                        let scale = (cell_w / iw as f32).min(img_h / ih as f32);
                        let (dw, dh) = (iw as f32 * scale, ih as f32 * scale);
                        let (dx, dy) = (x + (cell_w - dw) / 2.0, img_y + (img_h - dh) / 2.0);
                        let _ = writeln!(
                            page.ops,
                            "q {dw:.2} 0 0 {dh:.2} {dx:.2} {dy:.2} cm /Im{} Do Q",
                            page.images.len()
                        );
                        page.images.push(id);
                        pictures += 1;
                    }
                    None => {
                        let why = if it.missing.is_empty() {
                            l.t(Msg::PrintNoPicture).to_string()
                        } else {
                            it.missing.clone()
                        };
                        for (i, line) in w.wrap(&why, cell_w - 12.0, 8.0, 3).iter().enumerate() {
                            w.text(
                                &mut page,
                                x + 6.0,
                                img_y + img_h / 2.0 - i as f32 * 10.0,
                                8.0,
                                line,
                            );
                        }
                    }
                }
                // The caption underneath: number, title, time and place, indicator.
                let mut y = img_y - lead;
                let no = match code(opts.prefix.as_deref(), it.n) {
                    Some(c) => l.fill(Msg::PrintNoAndCode, &[("n", &it.n), ("code", &c)]),
                    None => l.fill(Msg::PrintNoOnly, &[("n", &it.n)]),
                };
                let mut out: Vec<String> = vec![no];
                out.extend(w.wrap(&it.title, cell_w, size, lines - 3));
                let when_where = [it.time.as_str(), it.place.as_str()]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("  ");
                out.push(w.fit(&when_where, cell_w, size));
                out.push(w.fit(&it.indicator, cell_w, size));
                for line in out.iter().take(lines) {
                    w.text(&mut page, x, y, size, line);
                    y -= lead;
                }
            }
            pages.push(page);
        }
    }
    let font_id = font.write(&mut pdf);
    let pages_id = pdf.alloc();
    let mut kids = Vec::new();
    for page in &pages {
        let content = pdf.add_stream("", page.ops.as_bytes());
        let mut xobjects = String::new();
        for (i, id) in page.images.iter().enumerate() {
            let _ = write!(xobjects, "/Im{i} {id} 0 R ");
        }
        kids.push(pdf.add(format!(
            "<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] \
             /Resources << /Font << /F1 {font_id} 0 R >> /XObject << {xobjects}>> >> \
             /Contents {content} 0 R >>"
        )));
    }
    let kids_list: String = kids.iter().map(|k| format!("{k} 0 R ")).collect();
    pdf.set(
        pages_id,
        format!(
            "<< /Type /Pages /Kids [{kids_list}] /Count {} >>",
            kids.len()
        ),
    );
    let catalog = pdf.add(format!("<< /Type /Catalog /Pages {pages_id} 0 R >>"));
    let info = pdf.add(format!(
        "<< /Title {} /Producer (archive) >>",
        pdf::text_string(&l.fill(
            Msg::PrintSheetHead,
            &[("title", &opts.title), ("date", &opts.date)]
        ))
    ));
    Printed {
        pdf: pdf.finish(catalog, info),
        pages: total,
        catalogue_pages,
        pictures,
        font: font_used,
    }
}
