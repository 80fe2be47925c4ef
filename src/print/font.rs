//! The one font of a printed sheet, able to write Chinese.
//!
//! A CJK font found on the machine (`[print] font` would name one; else the usual places of
//! WenQuanYi, Noto CJK, Source Han, Droid Sans Fallback) is embedded as a subset of the glyphs
//! the sheet uses, so the PDF prints the same anywhere; the program itself ships no font.
//! Without one, the text is written in Adobe's standard Chinese font STSong-Light (Adobe-GB1,
//! not embedded): every PDF reader with Chinese support has it or a substitute, and the text
//! stays text (`pdftotext` reads it), but how it looks depends on the reader.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::pdf::Pdf;

/// Where CJK fonts with TrueType or CFF outlines live on Debian, Ubuntu, Fedora and Windows.
const CANDIDATES: &[&str] = &[
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/source-han-sans/SourceHanSans-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "C:\\Windows\\Fonts\\simhei.ttf",
    "C:\\Windows\\Fonts\\msyh.ttc",
];

/// The first candidate font that exists, or the one named by `ARCHIVE_PRINT_FONT`.
pub fn find_font() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ARCHIVE_PRINT_FONT") {
        let p = PathBuf::from(p);
        // An empty or missing path means "no font": the standard font (tests use it).
        return p.is_file().then_some(p);
    }
    CANDIDATES.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// A font face chosen for a sheet, with the glyphs used so far.
pub struct SheetFont {
    kind: Kind,
    /// Which characters were written, by the code written for them.
    used: BTreeMap<u16, char>,
}

enum Kind {
    Embedded {
        data: Vec<u8>,
        index: u32,
        name: String,
        units_per_em: f32,
        cff: bool,
        remapper: subsetter::GlyphRemapper,
        /// New glyph id → advance in 1/1000 em.
        widths: BTreeMap<u16, u32>,
    },
    Standard,
}

impl SheetFont {
    /// The font at `path` (the face with Chinese in a collection), or the standard font when
    /// there is none or it cannot be read; the second value says which, for the output.
    pub fn load(path: Option<&Path>) -> (SheetFont, String) {
        if let Some(p) = path {
            if let Some(f) = Self::embedded(p) {
                return (f, p.display().to_string());
            }
        }
        (
            SheetFont {
                kind: Kind::Standard,
                used: BTreeMap::new(),
            },
            "STSong-Light".to_string(),
        )
    }

    fn embedded(path: &Path) -> Option<SheetFont> {
        let data = std::fs::read(path).ok()?;
        let n = ttf_parser::fonts_in_collection(&data).unwrap_or(1);
        let index = (0..n).find(|&i| {
            ttf_parser::Face::parse(&data, i).is_ok_and(|f| f.glyph_index('档').is_some())
        })?;
        let face = ttf_parser::Face::parse(&data, index).ok()?;
        let name = face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| "CJKFont".into())
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "");
        let units_per_em = f32::from(face.units_per_em());
        let cff = face.tables().cff.is_some();
        Some(SheetFont {
            kind: Kind::Embedded {
                data,
                index,
                name,
                units_per_em,
                cff,
                remapper: subsetter::GlyphRemapper::new(),
                widths: BTreeMap::new(),
            },
            used: BTreeMap::new(),
        })
    }

    /// `text` as the hex string a `Tj` shows, and its width in 1/1000 em.
    pub fn encode(&mut self, text: &str) -> (String, f32) {
        let mut hex = String::with_capacity(text.len() * 4 + 2);
        hex.push('<');
        let mut width = 0.0;
        for c in text.chars().filter(|c| !c.is_control()) {
            let (code, w) = match &mut self.kind {
                Kind::Embedded {
                    data,
                    index,
                    units_per_em,
                    remapper,
                    widths,
                    ..
                } => {
                    let face = ttf_parser::Face::parse(data, *index).expect("parsed at load");
                    let gid = face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
                    let adv = face.glyph_hor_advance(gid).unwrap_or(0);
                    let new = remapper.remap(gid.0);
                    let w = (f32::from(adv) * 1000.0 / *units_per_em).round() as u32;
                    widths.insert(new, w);
                    (new, w as f32)
                }
                // UCS-2 through UniGB-UCS2-H; outside the BMP is shown as a full-width space.
                Kind::Standard => {
                    let u = u16::try_from(c as u32).unwrap_or(0x3000);
                    (u, if u < 0x7F { 500.0 } else { 1000.0 })
                }
            };
            self.used.insert(code, c);
            width += w;
            let _ = write!(hex, "{code:04X}");
        }
        hex.push('>');
        (hex, width)
    }

    /// The width of `text` at `size` points, without recording it.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = match &self.kind {
            Kind::Embedded {
                data,
                index,
                units_per_em,
                ..
            } => {
                let face = ttf_parser::Face::parse(data, *index).expect("parsed at load");
                text.chars()
                    .map(|c| {
                        let gid = face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
                        f32::from(face.glyph_hor_advance(gid).unwrap_or(0)) * 1000.0 / units_per_em
                    })
                    .sum()
            }
            Kind::Standard => text
                .chars()
                .map(|c| if (c as u32) < 0x7F { 500.0 } else { 1000.0 })
                .sum(),
        };
        units * size / 1000.0
    }

    /// Write the font's objects; returns the font dictionary's object number.
    pub fn write(self, pdf: &mut Pdf) -> usize {
        let to_unicode = pdf.add_stream("", to_unicode_cmap(&self.used).as_bytes());
        match self.kind {
            Kind::Standard => {
                let cid = pdf.add(
                    "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
                     /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> \
                     /FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 \
                     /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 \
                     /CapHeight 880 /StemV 93 >> /DW 1000 /W [1 95 500] >>",
                );
                pdf.add(format!(
                    "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light \
                     /Encoding /UniGB-UCS2-H /DescendantFonts [{cid} 0 R] /ToUnicode {to_unicode} 0 R >>"
                ))
            }
            Kind::Embedded {
                data,
                index,
                name,
                cff,
                remapper,
                widths,
                ..
            } => {
                let sub = subsetter::subset(&data, index, &remapper).unwrap_or_default();
                let file = if cff {
                    pdf.add_stream("/Subtype /OpenType", &sub)
                } else {
                    pdf.add_stream(&format!("/Length1 {}", sub.len()), &sub)
                };
                let base = format!("ARCHIV+{name}");
                let file_key = if cff { "FontFile3" } else { "FontFile2" };
                let descriptor = pdf.add(format!(
                    "<< /Type /FontDescriptor /FontName /{base} /Flags 4 \
                     /FontBBox [-100 -250 1100 950] /ItalicAngle 0 /Ascent 880 /Descent -120 \
                     /CapHeight 700 /StemV 80 /{file_key} {file} 0 R >>"
                ));
                let mut w = String::from("[");
                for (gid, adv) in &widths {
                    let _ = write!(w, "{gid} [{adv}] ");
                }
                w.push(']');
                let (subtype, map) = if cff {
                    ("CIDFontType0", "")
                } else {
                    ("CIDFontType2", " /CIDToGIDMap /Identity")
                };
                let cid = pdf.add(format!(
                    "<< /Type /Font /Subtype /{subtype} /BaseFont /{base} \
                     /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
                     /FontDescriptor {descriptor} 0 R /DW 1000 /W {w}{map} >>"
                ));
                pdf.add(format!(
                    "<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H \
                     /DescendantFonts [{cid} 0 R] /ToUnicode {to_unicode} 0 R >>"
                ))
            }
        }
    }
}

/// The map from written codes back to characters, so the text can be searched and copied.
fn to_unicode_cmap(used: &BTreeMap<u16, char>) -> String {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def /CMapType 2 def\n\
         1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
    );
    let pairs: Vec<(&u16, &char)> = used.iter().collect();
    for chunk in pairs.chunks(100) {
        let _ = writeln!(s, "{} beginbfchar", chunk.len());
        for (code, c) in chunk {
            let mut buf = [0u16; 2];
            let utf16: String = c
                .encode_utf16(&mut buf)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            let _ = writeln!(s, "<{code:04X}> <{utf16}>");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap CMapName currentdict /CMap defineresource pop end end\n");
    s
}
