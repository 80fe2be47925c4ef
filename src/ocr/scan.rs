//! A scanned page's own picture: when a PDF page is nothing but one image covering it (what
//! scanners write: one JPEG, CCITT or Flate image per page), that image is taken as the
//! scanner stored it, at the scanner's resolution, instead of rendering the page. Anything
//! else on the page (text, vector drawing, a second image, an image only part of the page, a
//! turned page) and the page is rendered instead (`pdf.rs`): what the reader sees is then only
//! what the renderer draws.
//!
//! Read with pdf_oxide (already used for PDF text): the page's content stream is tokenised just
//! enough to follow `q`/`Q`/`cm` and find its one `Do`; no pixels are decoded here except for
//! CCITT and Flate images, which have no format the engine reads from a pipe.

use pdf_oxide::object::Object;
use pdf_oxide::PdfDocument;

/// Share of the page the image must cover (a scanner's image covers all of it; a little
/// rounding in the placement matrix is allowed).
const MIN_COVER: f64 = 0.9;

/// A page's picture as stored in the PDF.
#[derive(Debug, Clone)]
pub struct Embedded {
    pub picture: Stored,
    /// Pixels per inch across the page, from the image's width and the width it is drawn at.
    pub dpi: f64,
    /// How it was stored: `jpeg`, `ccitt`, `flate`, `raw`.
    pub encoding: &'static str,
}

/// The stored pixels.
#[derive(Debug, Clone)]
pub enum Stored {
    /// A JPEG file's bytes, as stored (any tesseract reads it; nothing decoded yet).
    Jpeg(Vec<u8>),
    /// Decoded greyscale (CCITT, Flate, uncompressed).
    Grey {
        width: u32,
        height: u32,
        px: Vec<u8>,
    },
}

/// Page `index` (0-based) of `doc` when it is one image covering the page; None otherwise (and
/// on anything unexpected, including pdf_oxide panicking on a damaged object: the page is then
/// rendered, which is what happened before).
pub fn embedded_image(doc: &PdfDocument, index: usize) -> Option<Embedded> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| single_image(doc, index)))
        .ok()
        .flatten()
}

fn single_image(doc: &PdfDocument, index: usize) -> Option<Embedded> {
    // Encrypted streams would need decrypting first: rendering does that.
    if doc.is_encrypted() {
        return None;
    }
    let page = doc.get_page(index).ok()?;
    let page = page.as_dict()?;
    if let Some(r) = page
        .get("Rotate")
        .and_then(|r| resolve(doc, r)?.as_integer())
    {
        if r.rem_euclid(360) != 0 {
            return None;
        }
    }
    let (x0, y0, x1, y1) = doc.get_page_media_box(index).ok()?;
    let media = Rect::new(f64::from(x0), f64::from(y0), f64::from(x1), f64::from(y1));
    let content = doc.get_page_content_data(index).ok()?;
    let (name, ctm) = only_image_drawn(&content)?;
    // The image must be drawn upright, neither turned nor mirrored.
    let [a, b, c, d, e, f] = ctm;
    if a <= 0.0 || d <= 0.0 || b.abs() > 1e-3 * a || c.abs() > 1e-3 * d {
        return None;
    }
    let drawn = Rect::new(e, f, e + a, f + d);
    if drawn.intersect(&media).area() < MIN_COVER * media.area() {
        return None;
    }
    let resources = resolve(doc, page.get("Resources")?)?;
    let xobjects = resolve(doc, resources.as_dict()?.get("XObject")?)?;
    let image = resolve(doc, xobjects.as_dict()?.get(&name)?)?;
    let Object::Stream { dict, data } = &image else {
        return None;
    };
    if dict.get("Subtype").and_then(Object::as_name) != Some("Image")
        || dict.get("ImageMask").and_then(Object::as_bool) == Some(true)
    {
        return None;
    }
    let int = |k: &str| dict.get(k).and_then(|v| resolve(doc, v)?.as_integer());
    let (width, height) = (int("Width")?, int("Height")?);
    if !(16..=20_000).contains(&width) || !(16..=20_000).contains(&height) {
        return None;
    }
    let (width, height) = (width as u32, height as u32);
    let dpi = f64::from(width) / (a / 72.0);
    let filters = filter_names(doc, dict.get("Filter"));
    let components = components(doc, dict.get("ColorSpace"));
    let bits = int("BitsPerComponent").unwrap_or(8);
    let inverted = decode_inverted(doc, dict.get("Decode"));
    let (picture, encoding) = match filters.as_slice() {
        [f] if f == "DCTDecode" && !inverted => (Stored::Jpeg(data.to_vec()), "jpeg"),
        [f] if f == "CCITTFaxDecode" => {
            let parms = dict.get("DecodeParms").and_then(|p| resolve(doc, p));
            let params =
                pdf_oxide::object::extract_ccitt_params_with_width(parms.as_ref(), Some(width))?;
            // A stream its decoders cannot read whole comes back as blank or white-padded rows,
            // reported: such a page is rendered instead (poppler decodes CCITT on its own), not
            // read as a blank page.
            let (packed, rows) =
                pdf_oxide::extractors::ccitt_bilevel::decompress_ccitt_reporting(data, &params)
                    .ok()?;
            if rows < height as usize {
                return None;
            }
            let px = paper_white(unpack_bits(&packed, width, height)?);
            (Stored::Grey { width, height, px }, "ccitt")
        }
        [] | [_] if filters.iter().all(|f| f == "FlateDecode") => {
            let raw = image.decode_stream_data().ok()?;
            let px = to_grey(&raw, width, height, components?, bits, inverted)?;
            let encoding = if filters.is_empty() { "raw" } else { "flate" };
            (Stored::Grey { width, height, px }, encoding)
        }
        _ => return None,
    };
    Some(Embedded {
        picture,
        dpi,
        encoding,
    })
}

fn resolve(doc: &PdfDocument, obj: &Object) -> Option<Object> {
    match obj {
        Object::Reference(r) => doc.load_object(*r).ok(),
        other => Some(other.clone()),
    }
}

fn filter_names(doc: &PdfDocument, f: Option<&Object>) -> Vec<String> {
    match f.and_then(|f| resolve(doc, f)) {
        Some(Object::Name(n)) => vec![n],
        Some(Object::Array(a)) => a
            .iter()
            .filter_map(|x| resolve(doc, x)?.as_name().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// Colour components of a plain grey or RGB colour space (None for indexed, CMYK, …).
fn components(doc: &PdfDocument, cs: Option<&Object>) -> Option<u32> {
    match resolve(doc, cs?)? {
        Object::Name(n) => match n.as_str() {
            "DeviceGray" | "CalGray" | "G" => Some(1),
            "DeviceRGB" | "CalRGB" | "RGB" => Some(3),
            _ => None,
        },
        Object::Array(a) => match a.first()?.as_name()? {
            "CalGray" => Some(1),
            "CalRGB" => Some(3),
            "ICCBased" => {
                let n = resolve(doc, a.get(1)?)?.as_dict()?.get("N")?.as_integer()?;
                matches!(n, 1 | 3).then_some(n as u32)
            }
            _ => None,
        },
        _ => None,
    }
}

/// A `/Decode [1 0]` array: the image's values are read inverted.
fn decode_inverted(doc: &PdfDocument, d: Option<&Object>) -> bool {
    let Some(Object::Array(a)) = d.and_then(|d| resolve(doc, d)) else {
        return false;
    };
    let n = |o: Option<&Object>| match o {
        Some(Object::Integer(i)) => *i as f64,
        Some(Object::Real(r)) => *r,
        _ => 0.0,
    };
    n(a.first()) > n(a.get(1))
}

/// Decoded samples as 8-bit grey.
fn to_grey(raw: &[u8], w: u32, h: u32, comps: u32, bits: i64, inverted: bool) -> Option<Vec<u8>> {
    let n = (w as usize) * (h as usize);
    let mut px = match (comps, bits) {
        (1, 8) => raw.get(..n)?.to_vec(),
        (3, 8) => raw
            .get(..n * 3)?
            .chunks_exact(3)
            .map(|c| {
                ((u32::from(c[0]) * 299 + u32::from(c[1]) * 587 + u32::from(c[2]) * 114) / 1000)
                    as u8
            })
            .collect(),
        (1, 1) => {
            // 1 is white in a DeviceGray 1-bit image.
            let mut g = unpack_bits(raw, w, h)?;
            g.iter_mut().for_each(|p| *p = 255 - *p);
            g
        }
        _ => return None,
    };
    if inverted {
        px.iter_mut().for_each(|p| *p = 255 - *p);
    }
    Some(px)
}

/// Rows of packed bits (each row padded to a byte, MSB first) as 0 for a set bit, 255 for a
/// clear one (callers fix the polarity).
fn unpack_bits(packed: &[u8], w: u32, h: u32) -> Option<Vec<u8>> {
    let (w, h) = (w as usize, h as usize);
    let stride = w.div_ceil(8);
    let packed = packed.get(..stride * h)?;
    let mut px = Vec::with_capacity(w * h);
    for row in packed.chunks_exact(stride) {
        px.extend((0..w).map(|x| {
            if row[x / 8] & (0x80 >> (x % 8)) != 0 {
                0
            } else {
                255
            }
        }));
    }
    Some(px)
}

/// A bilevel scan the right way round: paper is most of a page, so if most pixels are black
/// the polarity was the other one (CCITT's `BlackIs1` is read both ways by producers).
fn paper_white(mut px: Vec<u8>) -> Vec<u8> {
    let black = px.iter().filter(|&&p| p < 128).count();
    if black * 2 > px.len() {
        px.iter_mut().for_each(|p| *p = 255 - *p);
    }
    px
}

#[derive(Debug, Clone, Copy)]
struct Rect {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Rect {
    fn new(a: f64, b: f64, c: f64, d: f64) -> Rect {
        Rect {
            x0: a.min(c),
            y0: b.min(d),
            x1: a.max(c),
            y1: b.max(d),
        }
    }
    fn area(&self) -> f64 {
        (self.x1 - self.x0).max(0.0) * (self.y1 - self.y0).max(0.0)
    }
    fn intersect(&self, o: &Rect) -> Rect {
        Rect {
            x0: self.x0.max(o.x0),
            y0: self.y0.max(o.y0),
            x1: self.x1.min(o.x1),
            y1: self.y1.min(o.y1),
        }
    }
}

type Matrix = [f64; 6];

/// `m` then `n` (PDF's `m × n`: `cm` with `m` on a current matrix `n`).
fn concat(m: Matrix, n: Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

/// The XObject name and matrix of the one `Do` of a content stream that draws nothing else:
/// only graphics state (`q Q cm gs w J j M d ri i`) and clipping paths (`m l c v y h re W W* n`)
/// besides. Text, painted paths, shadings, inline images or a second `Do`: None.
fn only_image_drawn(content: &[u8]) -> Option<(String, Matrix)> {
    const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
    let mut ctm = IDENTITY;
    let mut stack: Vec<Matrix> = Vec::new();
    let mut numbers: Vec<f64> = Vec::new();
    let mut last_name: Option<String> = None;
    let mut found: Option<(String, Matrix)> = None;
    let mut t = Tokens { s: content, i: 0 };
    while let Some(tok) = t.next() {
        match tok {
            Tok::Number(n) => numbers.push(n),
            Tok::Name(n) => last_name = Some(n),
            Tok::Other => {}
            Tok::Op(op) => {
                match op.as_str() {
                    "q" => stack.push(ctm),
                    "Q" => ctm = stack.pop().unwrap_or(IDENTITY),
                    "cm" => {
                        let m: Matrix = numbers
                            .get(numbers.len().checked_sub(6)?..)?
                            .try_into()
                            .ok()?;
                        ctm = concat(m, ctm);
                    }
                    "Do" => {
                        if found.is_some() {
                            return None;
                        }
                        found = Some((last_name.take()?, ctm));
                    }
                    "gs" | "w" | "J" | "j" | "M" | "d" | "ri" | "i" | "m" | "l" | "c" | "v"
                    | "y" | "h" | "re" | "W" | "W*" | "n" => {}
                    _ => return None,
                }
                numbers.clear();
            }
        }
    }
    found
}

enum Tok {
    Number(f64),
    Name(String),
    Op(String),
    /// Strings, arrays, dictionaries: operands nothing here needs.
    Other,
}

struct Tokens<'a> {
    s: &'a [u8],
    i: usize,
}

impl Tokens<'_> {
    fn next(&mut self) -> Option<Tok> {
        let s = self.s;
        let delim = |c: u8| b"()<>[]{}/%".contains(&c) || c.is_ascii_whitespace() || c == 0;
        loop {
            let c = *s.get(self.i)?;
            if c.is_ascii_whitespace() || c == 0 {
                self.i += 1;
            } else if c == b'%' {
                while s.get(self.i).is_some_and(|&c| c != b'\n' && c != b'\r') {
                    self.i += 1;
                }
            } else {
                break;
            }
        }
        let start = self.i;
        let c = s[start];
        self.i += 1;
        match c {
            b'/' => {
                while s.get(self.i).is_some_and(|&c| !delim(c)) {
                    self.i += 1;
                }
                Some(Tok::Name(
                    String::from_utf8_lossy(&s[start + 1..self.i]).into_owned(),
                ))
            }
            b'(' => {
                let mut depth = 1;
                while depth > 0 {
                    match *s.get(self.i)? {
                        b'\\' => self.i += 1,
                        b'(' => depth += 1,
                        b')' => depth -= 1,
                        _ => {}
                    }
                    self.i += 1;
                }
                Some(Tok::Other)
            }
            b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b')' => Some(Tok::Other),
            _ => {
                while s.get(self.i).is_some_and(|&c| !delim(c)) {
                    self.i += 1;
                }
                let word = &s[start..self.i];
                if let Some(n) = std::str::from_utf8(word)
                    .ok()
                    .and_then(|w| w.parse::<f64>().ok())
                {
                    Some(Tok::Number(n))
                } else {
                    Some(Tok::Op(String::from_utf8_lossy(word).into_owned()))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_image_over_the_page_is_found_and_anything_else_drawn_is_not() {
        let (name, m) = only_image_drawn(b"q 595 0 0 842 0 0 cm /Im0 Do Q").unwrap();
        assert_eq!(name, "Im0");
        assert_eq!(m, [595.0, 0.0, 0.0, 842.0, 0.0, 0.0]);
        // Nested matrices multiply; a clip and a graphics state change draw nothing.
        let (_, m) = only_image_drawn(
            b"q 0 0 595 842 re W n /GS0 gs q 2 0 0 2 10 20 cm 100 0 0 50 0 0 cm /X Do Q Q",
        )
        .unwrap();
        assert_eq!(m, [200.0, 0.0, 0.0, 100.0, 10.0, 20.0]);
        // Text, a painted path, a second image.
        assert!(
            only_image_drawn(b"q 595 0 0 842 0 0 cm /Im0 Do Q BT /F1 12 Tf (x) Tj ET").is_none()
        );
        assert!(only_image_drawn(b"q 595 0 0 842 0 0 cm /Im0 Do Q 10 10 m 100 10 l S").is_none());
        assert!(only_image_drawn(b"/A Do /B Do").is_none());
        assert!(only_image_drawn(b"0 0 m 1 1 l S").is_none());
    }
}
