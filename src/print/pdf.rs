//! The smallest PDF writer the contact sheets need: numbered objects, streams, pages with JPEG
//! images passed through as they are (DCTDecode: no decoding, no re-encoding) and text in one
//! CID font, and the cross-reference table. Written by hand because the pages are simple and
//! the PDF crates in the tree read PDFs, not lay them out.

use std::fmt::Write as _;

/// A PDF being assembled: object bodies by number (1-based).
#[derive(Default)]
pub struct Pdf {
    objects: Vec<Option<Vec<u8>>>,
}

impl Pdf {
    /// Reserve an object number (its body set later, so pages can name their parent).
    pub fn alloc(&mut self) -> usize {
        self.objects.push(None);
        self.objects.len()
    }

    pub fn set(&mut self, id: usize, body: impl Into<Vec<u8>>) {
        self.objects[id - 1] = Some(body.into());
    }

    pub fn add(&mut self, body: impl Into<Vec<u8>>) -> usize {
        let id = self.alloc();
        self.set(id, body);
        id
    }

    /// A stream object: `dict` holds the entries besides `/Length`.
    pub fn add_stream(&mut self, dict: &str, data: &[u8]) -> usize {
        let mut body = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.add(body)
    }

    /// The file: header, objects, cross-reference table, trailer.
    pub fn finish(self, root: usize, info: usize) -> Vec<u8> {
        let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::with_capacity(self.objects.len());
        for (i, body) in self.objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(body.as_deref().unwrap_or(b"null"));
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        let mut t = format!("xref\n0 {}\n0000000000 65535 f \n", self.objects.len() + 1);
        for o in offsets {
            let _ = writeln!(t, "{o:010} 00000 n ");
        }
        let _ = write!(
            t,
            "trailer\n<< /Size {} /Root {root} 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            self.objects.len() + 1
        );
        out.extend_from_slice(t.as_bytes());
        out
    }
}

/// A PDF text string: UTF-16BE with its byte-order mark, in hex (the document's title).
pub fn text_string(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for u in s.encode_utf16() {
        let _ = write!(out, "{u:04X}");
    }
    out.push('>');
    out
}

/// What a JPEG says about its pixels: (width, height, components), read from its frame header.
pub fn jpeg_info(data: &[u8]) -> Option<(u32, u32, u8)> {
    if !data.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut i = 2;
    while i + 4 <= data.len() {
        if data[i] != 0xFF {
            i += 1;
            continue;
        }
        let marker = data[i + 1];
        if marker == 0xFF || marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            i += 2 - usize::from(marker == 0xFF);
            continue;
        }
        let len = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
        // Start-of-frame markers (not DHT C4, JPG C8, DAC CC).
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let f = data.get(i + 4..i + 10)?;
            let h = u16::from_be_bytes([f[1], f[2]]) as u32;
            let w = u16::from_be_bytes([f[3], f[4]]) as u32;
            return (w > 0 && h > 0).then_some((w, h, f[5]));
        }
        if marker == 0xDA {
            return None;
        }
        i += 2 + len;
    }
    None
}

/// An image XObject for a JPEG, or `None` when it is not one a PDF can hold as it is.
pub fn add_jpeg(pdf: &mut Pdf, data: &[u8]) -> Option<(usize, u32, u32)> {
    let (w, h, comps) = jpeg_info(data)?;
    let space = match comps {
        1 => "/DeviceGray",
        3 => "/DeviceRGB",
        // Adobe's CMYK JPEGs are stored inverted.
        4 => "/DeviceCMYK /Decode [1 0 1 0 1 0 1 0]",
        _ => return None,
    };
    let id = pdf.add_stream(
        &format!(
            "/Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace {space} \
             /BitsPerComponent 8 /Filter /DCTDecode"
        ),
        data,
    );
    Some((id, w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jpeg_frame_is_read_and_a_file_is_well_formed() {
        let jpeg = crate::sample::jpeg::jpeg(&crate::sample::PhotoSpec::default());
        let (w, h, c) = jpeg_info(&jpeg).unwrap();
        assert!(w > 0 && h > 0 && c == 3, "{w}x{h}x{c}");
        assert_eq!(jpeg_info(b"not a jpeg"), None);
        let mut pdf = Pdf::default();
        let catalog = pdf.add("<< /Type /Catalog >>");
        let info = pdf.add(format!("<< /Title {} >>", text_string("照片")));
        let bytes = pdf.finish(catalog, info);
        let s = String::from_utf8_lossy(&bytes);
        assert!(s.starts_with("%PDF-1.7") && s.ends_with("%%EOF\n"));
        assert!(s.contains("<FEFF71677247>"), "{s}");
    }
}
