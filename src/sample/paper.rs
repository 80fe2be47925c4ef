//! Paper for the OCR tests and benchmark: Chinese text rendered with a system CJK font onto a
//! page, then either photographed (slight rotation, blur, uneven light, a table around it,
//! JPEG) or scanned into an image-only PDF (one greyscale JPEG per page, no text layer), and
//! scene photos with no text at all (the negatives of the document test).
//!
//! The font is read from the machine (Debian's fonts-wqy-microhei or fonts-noto-cjk, which
//! `.ci/run` installs): a fixture needs real glyphs for an OCR engine to read, and shipping a
//! font in the repository would add megabytes. [`cjk_font`] is None when none is installed;
//! the tests that need one say so and pass.

use image::codecs::jpeg::JpegEncoder;
use image::ExtendedColorType;
use ttf_parser::{Face, OutlineBuilder};

use super::rng::Rng;

/// Where Debian puts the CJK fonts, in order of preference (face 0 of each is simplified
/// Chinese-capable).
const FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
];

/// The bytes of an installed CJK font, if any.
pub fn cjk_font() -> Option<Vec<u8>> {
    FONT_PATHS.iter().find_map(|p| std::fs::read(p).ok())
}

/// One page of paper: lines of text, the first as a centred title.
#[derive(Debug, Clone)]
pub struct Page {
    pub title: String,
    pub lines: Vec<String>,
}

/// A greyscale raster, 0 black … 255 white, row-major.
#[derive(Debug, Clone)]
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub px: Vec<u8>,
}

impl Raster {
    fn get(&self, x: i64, y: i64) -> Option<u8> {
        (x >= 0 && y >= 0 && x < self.width as i64 && y < self.height as i64)
            .then(|| self.px[(y as u64 * self.width as u64 + x as u64) as usize])
    }
}

/// Render a page at `width` pixels (A4 proportions), black text on white, in large type
/// (body 1/30 of the width, ~20 pt).
pub fn render_page(font: &[u8], page: &Page, width: u32) -> Raster {
    render_page_sized(font, page, width, 1.0 / 30.0, 1.0 / 18.0)
}

/// An official document's sizes: body 五号 (10.5 pt), title 二号 (22 pt), on A4.
pub fn render_page_official(font: &[u8], page: &Page, width: u32) -> Raster {
    render_page_sized(font, page, width, 3.7 / 210.0, 7.75 / 210.0)
}

/// Render with body and title characters the given fractions of the page's width.
fn render_page_sized(font: &[u8], page: &Page, width: u32, body: f64, title: f64) -> Raster {
    let face = Face::parse(font, 0).expect("a CJK font that parses");
    let height = (width as f64 * 297.0 / 210.0) as u32;
    let mut cov = vec![0f32; (width * height) as usize];
    let margin = width as f64 * 0.1;
    // A long title is set smaller so that it stays on the page.
    let title_chars = page.title.chars().count().max(1) as f64;
    let title_px = (width as f64 * title).min((width as f64 - 2.0 * margin) / title_chars);
    let body_px = width as f64 * body;
    let mut y = margin + title_px;
    let title_w = text_width(&face, &page.title, title_px);
    draw_text(
        &face,
        &page.title,
        ((width as f64 - title_w) / 2.0).max(margin),
        y,
        title_px,
        width,
        height,
        &mut cov,
    );
    y += title_px * 1.2;
    for line in &page.lines {
        y += body_px * 1.8;
        if y > height as f64 - margin {
            break;
        }
        draw_text(&face, line, margin, y, body_px, width, height, &mut cov);
    }
    let px = cov
        .iter()
        .map(|c| (250.0 - 230.0 * c.clamp(0.0, 1.0)) as u8)
        .collect();
    Raster { width, height, px }
}

fn text_width(face: &Face, text: &str, px: f64) -> f64 {
    let scale = px / f64::from(face.units_per_em());
    text.chars()
        .filter_map(|c| face.glyph_index(c))
        .map(|g| f64::from(face.glyph_hor_advance(g).unwrap_or(0)) * scale)
        .sum()
}

#[allow(clippy::too_many_arguments)]
fn draw_text(
    face: &Face,
    text: &str,
    x0: f64,
    baseline: f64,
    px: f64,
    w: u32,
    h: u32,
    cov: &mut [f32],
) {
    let scale = px / f64::from(face.units_per_em());
    let mut x = x0;
    for c in text.chars() {
        let Some(g) = face.glyph_index(c) else {
            x += px;
            continue;
        };
        let mut outline = Outline {
            edges: Vec::new(),
            start: (0.0, 0.0),
            at: (0.0, 0.0),
            x,
            y: baseline,
            scale,
        };
        if face.outline_glyph(g, &mut outline).is_some() {
            outline.close();
            fill(&outline.edges, w, h, cov);
        }
        x += f64::from(face.glyph_hor_advance(g).unwrap_or(0)) * scale;
    }
}

/// A glyph's outline flattened to line segments in page pixels.
struct Outline {
    edges: Vec<[(f64, f64); 2]>,
    start: (f64, f64),
    at: (f64, f64),
    x: f64,
    y: f64,
    scale: f64,
}

impl Outline {
    fn map(&self, x: f32, y: f32) -> (f64, f64) {
        (
            self.x + f64::from(x) * self.scale,
            self.y - f64::from(y) * self.scale,
        )
    }
    fn to(&mut self, p: (f64, f64)) {
        self.edges.push([self.at, p]);
        self.at = p;
    }
}

impl OutlineBuilder for Outline {
    fn move_to(&mut self, x: f32, y: f32) {
        self.start = self.map(x, y);
        self.at = self.start;
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let p = self.map(x, y);
        self.to(p);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (p0, p1, p2) = (self.at, self.map(x1, y1), self.map(x, y));
        for i in 1..=6 {
            let t = f64::from(i) / 6.0;
            let u = 1.0 - t;
            self.to((
                u * u * p0.0 + 2.0 * u * t * p1.0 + t * t * p2.0,
                u * u * p0.1 + 2.0 * u * t * p1.1 + t * t * p2.1,
            ));
        }
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (p0, p1, p2, p3) = (self.at, self.map(x1, y1), self.map(x2, y2), self.map(x, y));
        for i in 1..=8 {
            let t = f64::from(i) / 8.0;
            let u = 1.0 - t;
            let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
            self.to((
                a * p0.0 + b * p1.0 + c * p2.0 + d * p3.0,
                a * p0.1 + b * p1.1 + c * p2.1 + d * p3.1,
            ));
        }
    }
    fn close(&mut self) {
        if self.at != self.start {
            let s = self.start;
            self.to(s);
        }
    }
}

/// Non-zero winding fill with 4 sub-scanlines per pixel; coverage is added into `cov`.
fn fill(edges: &[[(f64, f64); 2]], w: u32, h: u32, cov: &mut [f32]) {
    let (mut y_min, mut y_max) = (f64::MAX, f64::MIN);
    for [a, b] in edges {
        y_min = y_min.min(a.1.min(b.1));
        y_max = y_max.max(a.1.max(b.1));
    }
    if edges.is_empty() {
        return;
    }
    const SUB: usize = 4;
    let first = (y_min.floor().max(0.0) as usize) * SUB;
    let last = ((y_max.ceil().min(h as f64)) as usize) * SUB;
    let mut xs: Vec<(f64, i32)> = Vec::new();
    for sy in first..last {
        let y = (sy as f64 + 0.5) / SUB as f64;
        xs.clear();
        for [a, b] in edges {
            if (a.1 <= y && b.1 > y) || (b.1 <= y && a.1 > y) {
                let x = a.0 + (y - a.1) * (b.0 - a.0) / (b.1 - a.1);
                xs.push((x, if b.1 > a.1 { 1 } else { -1 }));
            }
        }
        xs.sort_by(|p, q| p.0.total_cmp(&q.0));
        let row = (sy / SUB) * w as usize;
        let mut wind = 0;
        for i in 0..xs.len() {
            let before = wind;
            wind += xs[i].1;
            if before == 0 && wind != 0 {
                // A span starts here and ends where the winding returns to zero.
                let mut j = i + 1;
                let mut k = wind;
                while j < xs.len() {
                    k += xs[j].1;
                    if k == 0 {
                        break;
                    }
                    j += 1;
                }
                let (x0, x1) = (xs[i].0.max(0.0), xs.get(j).map_or(xs[i].0, |p| p.0));
                let x1 = x1.min(w as f64);
                let mut x = x0;
                while x < x1 {
                    let px = x.floor();
                    let next = (px + 1.0).min(x1);
                    cov[row + px as usize] += ((next - x) / SUB as f64) as f32;
                    x = next;
                }
            }
        }
    }
}

/// How a page is photographed.
#[derive(Debug, Clone, Copy)]
pub struct Shot {
    /// Degrees, counter-clockwise.
    pub rotation: f64,
    /// Box blur passes (each 3×3).
    pub blur: u32,
    /// Darkest corner as a fraction of full light (1.0 = even light).
    pub light: f64,
    pub quality: u8,
    pub seed: u64,
}

/// A photo of the page lying on a darker table: the page turned by `shot.rotation`, unevenly
/// lit, blurred, with sensor noise, as an RGB JPEG of `width` pixels (4:3).
pub fn photograph(page: &Raster, width: u32, shot: Shot) -> Vec<u8> {
    let (rgb, height) = photo_pixels(page, width, shot);
    encode_rgb(&rgb, width, height, shot.quality)
}

/// [`photograph`] as a phone stores a portrait shot: the pixels turned a quarter turn
/// anticlockwise, with EXIF orientation 6 (turn clockwise to show).
pub fn photograph_sideways(page: &Raster, width: u32, shot: Shot) -> Vec<u8> {
    let (rgb, height) = photo_pixels(page, width, shot);
    let (w, h) = (width as usize, height as usize);
    // Stored picture: h wide, w high; stored (x, y) shows upright at (w - 1 - y, x).
    let mut stored = vec![0u8; rgb.len()];
    for y in 0..w {
        for x in 0..h {
            let (ux, uy) = (w - 1 - y, x);
            let from = (uy * w + ux) * 3;
            let to = (y * h + x) * 3;
            stored[to..to + 3].copy_from_slice(&rgb[from..from + 3]);
        }
    }
    let jpeg = encode_rgb(&stored, height, width, shot.quality);
    // A big-endian TIFF with one IFD entry: Orientation (0x0112), SHORT, 6.
    let tiff = [
        b'M', b'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0,
    ];
    super::jpeg::with_exif_segment(&jpeg, &tiff)
}

/// The RGB pixels of a photo of `page` (`width` × the returned height).
fn photo_pixels(page: &Raster, width: u32, shot: Shot) -> (Vec<u8>, u32) {
    let height = width * 4 / 3;
    let mut rng = Rng(shot.seed | 1);
    // The page fills about 85 % of the frame's width.
    let scale = page.width as f64 / (width as f64 * 0.85);
    let (s, c) = shot.rotation.to_radians().sin_cos();
    let (cx, cy) = (width as f64 / 2.0, height as f64 / 2.0);
    let (pcx, pcy) = (page.width as f64 / 2.0, page.height as f64 / 2.0);
    let mut grey = vec![0f64; (width * height) as usize];
    for y in 0..height {
        for x in 0..width {
            let (dx, dy) = (x as f64 - cx, y as f64 - cy);
            let (u, v) = (
                pcx + (c * dx - s * dy) * scale,
                pcy + (s * dx + c * dy) * scale,
            );
            let table = 95.0 + 20.0 * ((x / 7 + y / 5) % 3) as f64;
            let value = sample_bilinear(page, u, v).unwrap_or(table);
            grey[(y * width + x) as usize] = value;
        }
    }
    for _ in 0..shot.blur {
        grey = box_blur(&grey, width, height);
    }
    let mut rgb = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            // Light falls off towards one corner.
            let t = (x as f64 / width as f64 + y as f64 / height as f64) / 2.0;
            let light = 1.0 - (1.0 - shot.light) * t;
            let noise = (rng.unit() - 0.5) * 8.0;
            let v = grey[(y * width + x) as usize] * light + noise;
            // Warm indoor light: a little more red than blue.
            for tint in [1.0, 0.97, 0.9] {
                rgb.push((v * tint).clamp(0.0, 255.0) as u8);
            }
        }
    }
    (rgb, height)
}

fn sample_bilinear(r: &Raster, u: f64, v: f64) -> Option<f64> {
    let (x0, y0) = (u.floor() as i64, v.floor() as i64);
    let (fx, fy) = (u - x0 as f64, v - y0 as f64);
    let p = |x, y| r.get(x, y).map(f64::from);
    Some(
        p(x0, y0)? * (1.0 - fx) * (1.0 - fy)
            + p(x0 + 1, y0)? * fx * (1.0 - fy)
            + p(x0, y0 + 1)? * (1.0 - fx) * fy
            + p(x0 + 1, y0 + 1)? * fx * fy,
    )
}

/// The page turned `deg` counter-clockwise about its centre on white (a sheet fed askew).
fn turned(r: &Raster, deg: f64) -> Raster {
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (f64::from(r.width) / 2.0, f64::from(r.height) / 2.0);
    let mut px = Vec::with_capacity(r.px.len());
    for y in 0..r.height {
        for x in 0..r.width {
            let (dx, dy) = (f64::from(x) - cx, f64::from(y) - cy);
            let (u, v) = (cx + c * dx - s * dy, cy + s * dx + c * dy);
            px.push(sample_bilinear(r, u, v).unwrap_or(255.0).round() as u8);
        }
    }
    Raster {
        width: r.width,
        height: r.height,
        px,
    }
}

fn box_blur(g: &[f64], w: u32, h: u32) -> Vec<f64> {
    let (w, h) = (w as i64, h as i64);
    let at = |x: i64, y: i64| g[(y.clamp(0, h - 1) * w + x.clamp(0, w - 1)) as usize];
    let mut out = vec![0f64; g.len()];
    for y in 0..h {
        for x in 0..w {
            let mut s = 0.0;
            for dy in -1..=1 {
                for dx in -1..=1 {
                    s += at(x + dx, y + dy);
                }
            }
            out[(y * w + x) as usize] = s / 9.0;
        }
    }
    out
}

fn encode_rgb(rgb: &[u8], w: u32, h: u32, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100))
        .encode(rgb, w, h, ExtendedColorType::Rgb8)
        .expect("encoding an in-memory RGB buffer of checked size cannot fail");
    out
}

/// A page as a greyscale JPEG (what a scanner puts in a PDF).
pub fn scan_jpeg(page: &Raster, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100))
        .encode(&page.px, page.width, page.height, ExtendedColorType::L8)
        .expect("encoding an in-memory grey buffer of checked size cannot fail");
    out
}

/// An image-only PDF (a scanner's): each page one greyscale JPEG filling an A4 page, no text.
pub fn scanned_pdf(pages: &[Raster], quality: u8) -> Vec<u8> {
    let scans: Vec<ScanPage> = pages
        .iter()
        .map(|page| ScanPage {
            page,
            rotation: 0.0,
            quality,
            layout: ScanLayout::Image,
        })
        .collect();
    scanned_pdf_pages(&scans)
}

/// How a scanner took one page of a [`scanned_pdf_pages`].
#[derive(Debug, Clone, Copy)]
pub struct ScanPage<'a> {
    /// The page at the scan's resolution: its width spans A4's 210 mm (1240 px is 150 dpi,
    /// 1654 px 200 dpi, 2480 px 300 dpi).
    pub page: &'a Raster,
    /// Degrees counter-clockwise the sheet lay askew in the feeder.
    pub rotation: f64,
    pub quality: u8,
    pub layout: ScanLayout,
}

/// What the PDF page holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScanLayout {
    /// One JPEG covering the page (what scanners write).
    Image,
    /// One Flate-compressed (lossless) greyscale image covering the page.
    Lossless,
    /// The same JPEG with a vector frame drawn over it: not one image, so a reader must render.
    Framed,
    /// The page in two JPEG strips (top and bottom halves), as some scanners write it.
    Strips,
    /// One black-and-white image covering the page, CCITT Group 4 (`/K -1`), as fax-class and
    /// document scanners store text pages: the page thresholded at mid-grey.
    Fax,
    /// The same, CCITT Group 3 one-dimensional (`/K 0 /EndOfLine true`), as older fax software
    /// writes.
    Fax3,
    /// The same, Group 3 mixed coding (`/K 4`, tagged lines) written the other way round:
    /// `/BlackIs1 true` with `/Decode [1 0]`, which some producers use.
    Fax3BlackIs1,
}

/// An image-only PDF from scanned pages, each as its [`ScanPage`] says.
pub fn scanned_pdf_pages(pages: &[ScanPage]) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = Vec::new();
    let stream = |dict: String, data: &[u8]| {
        let mut o = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        o.extend_from_slice(data);
        o.extend_from_slice(b"\nendstream");
        o
    };
    // 1: catalog, 2: pages, then per page: page, content, images.
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(Vec::new());
    let mut kids = Vec::new();
    for scan in pages {
        let raster = if scan.rotation == 0.0 {
            scan.page.clone()
        } else {
            turned(scan.page, scan.rotation)
        };
        let page_id = objects.len() + 1;
        kids.push(format!("{page_id} 0 R"));
        let images: Vec<Raster> = match scan.layout {
            ScanLayout::Strips => {
                let half = raster.height / 2;
                let w = raster.width as usize;
                vec![
                    Raster {
                        width: raster.width,
                        height: half,
                        px: raster.px[..w * half as usize].to_vec(),
                    },
                    Raster {
                        width: raster.width,
                        height: raster.height - half,
                        px: raster.px[w * half as usize..].to_vec(),
                    },
                ]
            }
            _ => vec![raster.clone()],
        };
        let names: Vec<String> = (0..images.len())
            .map(|i| format!("/Im{i} {} 0 R", page_id + 2 + i))
            .collect();
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << {} >> >> /Contents {} 0 R >>",
                names.join(" "),
                page_id + 1
            )
            .into_bytes(),
        );
        let content = match scan.layout {
            ScanLayout::Image
            | ScanLayout::Lossless
            | ScanLayout::Fax
            | ScanLayout::Fax3
            | ScanLayout::Fax3BlackIs1 => "q 595 0 0 842 0 0 cm /Im0 Do Q".to_string(),
            ScanLayout::Framed => {
                "q 595 0 0 842 0 0 cm /Im0 Do Q 1 w 20 20 555 802 re S".to_string()
            }
            ScanLayout::Strips => {
                let top = 842.0 * f64::from(images[0].height) / f64::from(raster.height);
                format!(
                    "q 595 0 0 {top:.3} 0 {:.3} cm /Im0 Do Q q 595 0 0 {:.3} 0 0 cm /Im1 Do Q",
                    842.0 - top,
                    842.0 - top
                )
            }
        };
        objects.push(stream(String::new(), content.as_bytes()));
        for im in &images {
            let fax = match scan.layout {
                ScanLayout::Fax => Some(("/K -1 /BlackIs1 false", "")),
                ScanLayout::Fax3 => Some(("/K 0 /EndOfLine true", "")),
                ScanLayout::Fax3BlackIs1 => {
                    Some(("/K 4 /EndOfLine true /BlackIs1 true", " /Decode [1 0]"))
                }
                _ => None,
            };
            if let Some((parms, decode)) = fax {
                let (w, h) = (im.width as usize, im.height as usize);
                let black: Vec<bool> = im.px.iter().map(|&p| p < 128).collect();
                let dict = format!(
                    "/Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray /BitsPerComponent 1{decode} /Filter /CCITTFaxDecode /DecodeParms << {parms} /Columns {w} /Rows {h} >>"
                );
                let data = match scan.layout {
                    ScanLayout::Fax => super::ccitt::encode_g4(&black, w, h),
                    ScanLayout::Fax3 => super::ccitt::encode_g3(&black, w, h, 0),
                    _ => super::ccitt::encode_g3(&black, w, h, 4),
                };
                objects.push(stream(dict, &data));
                continue;
            }
            let (filter, data) = if scan.layout == ScanLayout::Lossless {
                use std::io::Write;
                let mut z =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
                z.write_all(&im.px)
                    .expect("compressing into memory cannot fail");
                let data = z.finish().expect("compressing into memory cannot fail");
                ("FlateDecode", data)
            } else {
                ("DCTDecode", scan_jpeg(im, scan.quality))
            };
            let dict = format!(
                "/Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /{filter}",
                im.width, im.height
            );
            objects.push(stream(dict, &data));
        }
    }
    objects[1] = format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        kids.len()
    )
    .into_bytes();
    super::media::assemble_pdf("1.4", &objects, "")
}

/// A photo with no writing in it: sky, hills, a field with grass texture, a few buildings or
/// people-sized shapes; `seed` varies the layout.
pub fn scene_photo(width: u32, seed: u64) -> Vec<u8> {
    let height = width * 3 / 4;
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let horizon = height as f64 * (0.35 + 0.3 * rng.unit());
    let hill_amp = height as f64 * 0.1 * rng.unit();
    let hill_freq = 2.0 + 4.0 * rng.unit();
    let sky = [120.0 + 80.0 * rng.unit(), 160.0 + 60.0 * rng.unit(), 220.0];
    let ground = [60.0 + 60.0 * rng.unit(), 90.0 + 60.0 * rng.unit(), 40.0];
    let shapes: Vec<(f64, f64, f64, f64, [f64; 3])> = (0..3 + rng.below(6))
        .map(|_| {
            let w = width as f64 * (0.05 + 0.2 * rng.unit());
            let h = height as f64 * (0.1 + 0.3 * rng.unit());
            let x = width as f64 * rng.unit();
            let colour = [255.0 * rng.unit(), 255.0 * rng.unit(), 255.0 * rng.unit()];
            (
                x,
                horizon + height as f64 * 0.05 * rng.unit() - h,
                w,
                h,
                colour,
            )
        })
        .collect();
    let mut rgb = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let (fx, fy) = (x as f64, y as f64);
            let ridge =
                horizon + hill_amp * (fx / width as f64 * hill_freq * std::f64::consts::PI).sin();
            let mut c = if fy < ridge {
                let t = fy / ridge.max(1.0);
                [sky[0] + 40.0 * t, sky[1] + 30.0 * t, sky[2] - 10.0 * t]
            } else {
                let grass = (rng.unit() - 0.5) * 60.0;
                [
                    ground[0] + grass,
                    ground[1] + grass,
                    ground[2] + grass * 0.5,
                ]
            };
            for &(sx, sy, sw, sh, colour) in &shapes {
                if fx >= sx && fx < sx + sw && fy >= sy && fy < sy + sh {
                    c = colour;
                }
            }
            rgb.extend(c.iter().map(|v| v.clamp(0.0, 255.0) as u8));
        }
    }
    encode_rgb(&rgb, width, height, 88)
}

/// The pages the tests and the benchmark photograph and scan: a county's notices, sign-in
/// sheets and training records, each with a title and a "本次…" sentence to search for.
pub fn pages() -> Vec<Page> {
    let p = |title: &str, lines: &[&str]| Page {
        title: title.to_string(),
        lines: lines.iter().map(|s| s.to_string()).collect(),
    };
    vec![
        p(
            "科普日活动签到表",
            &[
                "活动名称：全国科普日主题宣传活动",
                "地点：西宁市城中区文化广场",
                "本次活动共有一百二十名群众参加。",
                "签到人：张明 李华 王芳",
            ],
        ),
        p(
            "农牧民科技培训记录",
            &[
                "培训主题：高原特色种植技术",
                "培训地点：海东市乐都区农技中心",
                "本次培训发放技术手册三百册。",
                "主讲人：马建国",
            ],
        ),
        p(
            "关于开展科普大篷车进校园的通知",
            &[
                "各县区科协：",
                "为提升青少年科学素质，现开展巡展活动。",
                "本次巡展覆盖二十所中小学校。",
                "请各单位认真组织落实。",
            ],
        ),
        p(
            "科普讲座工作总结",
            &[
                "讲座主题：防灾减灾与应急避险",
                "举办单位：海北州科学技术协会",
                "本次讲座听众满意度较高。",
                "下一步将继续深入社区。",
            ],
        ),
        p(
            "科技活动周启动仪式",
            &[
                "时间：二〇一九年五月十九日",
                "地点：海西州德令哈市科技馆",
                "本次活动展出科普展品四十余件。",
                "组织单位：州科协 州教育局",
            ],
        ),
        p(
            "青少年科技创新大赛获奖名单",
            &[
                "一等奖：机器人搬运比赛",
                "二等奖：高原植物标本制作",
                "本次大赛共收到参赛作品八十件。",
                "评审委员会：省科技馆专家组",
            ],
        ),
        p(
            "科普惠农兴村计划申报表",
            &[
                "申报单位：玉树州称多县农牧局",
                "项目名称：牦牛科学养殖示范",
                "本次申报带动农牧民二百余户。",
                "联系人：才让多杰",
            ],
        ),
        p(
            "社区科普大学学员花名册",
            &[
                "班级：老年健康知识班",
                "授课地点：果洛州玛沁县社区中心",
                "本次开班共有学员五十六名。",
                "班主任：李秀英",
            ],
        ),
    ]
}

/// The phrases of [`pages`] a search should find after OCR: each title and each "本次…"
/// sentence's first words.
pub fn phrases(page: &Page) -> Vec<String> {
    let mut out = vec![page.title.clone()];
    for l in &page.lines {
        if let Some(rest) = l.strip_prefix("本次") {
            out.push(format!("本次{}", rest.chars().take(4).collect::<String>()));
        }
        if let Some((_, v)) = l.split_once('：') {
            // A list of names is no phrase anyone searches for.
            if v.chars().count() >= 4 && !v.contains(' ') {
                out.push(v.chars().take(6).collect());
            }
        }
    }
    out
}
