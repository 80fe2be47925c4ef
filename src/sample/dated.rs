//! Files dated the ways real tools date them, for the capture-date tests: a JPEG re-saved by
//! Photoshop with its date only in XMP, a news agency's JPEG with only IPTC, a PNG exported by
//! ImageMagick with EXIF as hex in a text chunk, an AVI with its `IDIT` chunk, a QuickTime
//! file with nothing but its movie header. Each is the smallest file the reader accepts that
//! still has the shape the tool writes.

use chrono::{DateTime, Utc};
use image::ImageEncoder;

/// Insert one marker segment (`marker`, e.g. 0xE1 for APP1) with `payload` right after the
/// SOI of `jpeg`.
pub fn with_segment(jpeg: &[u8], marker: u8, payload: &[u8]) -> Vec<u8> {
    assert!(jpeg.starts_with(&[0xFF, 0xD8]), "not a JPEG");
    let len = 2 + payload.len();
    assert!(len <= 0xFFFF, "segment too large");
    let mut out = Vec::with_capacity(jpeg.len() + len + 2);
    out.extend_from_slice(&[0xFF, 0xD8, 0xFF, marker]);
    out.extend_from_slice(&(len as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// An XMP packet as Photoshop writes it: simple properties as attributes of one
/// `rdf:Description` (`attrs`, e.g. `("xmp:CreateDate", "2019-06-03T10:15:00+08:00")`) and
/// others as elements (`elems`).
pub fn xmp_packet(attrs: &[(&str, &str)], elems: &[(&str, &str)]) -> Vec<u8> {
    let mut x = String::from(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"Adobe XMP Core 5.6-c140\">\n\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
         <rdf:Description rdf:about=\"\"\n\
         xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n\
         xmlns:photoshop=\"http://ns.adobe.com/photoshop/1.0/\"\n\
         xmlns:exif=\"http://ns.adobe.com/exif/1.0/\"\n\
         xmp:CreatorTool=\"Adobe Photoshop CC 2019 (Windows)\"",
    );
    for (k, v) in attrs {
        x.push_str(&format!("\n {k}=\"{v}\""));
    }
    x.push('>');
    for (k, v) in elems {
        x.push_str(&format!("\n <{k}>{v}</{k}>"));
    }
    x.push_str("\n</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>");
    x.into_bytes()
}

/// `jpeg` with an XMP APP1 segment holding `packet`.
pub fn with_xmp(jpeg: &[u8], packet: &[u8]) -> Vec<u8> {
    let mut payload = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    payload.extend_from_slice(packet);
    with_segment(jpeg, 0xE1, &payload)
}

/// `jpeg` with an APP13 Photoshop segment whose IPTC block has DateCreated (`CCYYMMDD`) and,
/// when given, TimeCreated (`HHMMSS±HHMM`), besides a caption in Chinese as agencies write.
pub fn with_iptc(jpeg: &[u8], date: &str, time: Option<&str>) -> Vec<u8> {
    let mut iptc = Vec::new();
    let mut dataset = |record: u8, id: u8, value: &[u8]| {
        iptc.extend_from_slice(&[0x1C, record, id]);
        iptc.extend_from_slice(&(value.len() as u16).to_be_bytes());
        iptc.extend_from_slice(value);
    };
    dataset(1, 90, b"\x1b%G"); // coded character set: UTF-8
    dataset(2, 120, "互助县科普大篷车进校园".as_bytes());
    dataset(2, 55, date.as_bytes());
    if let Some(t) = time {
        dataset(2, 60, t.as_bytes());
    }
    let mut payload = b"Photoshop 3.0\0".to_vec();
    // A resolution-info resource first, as Photoshop writes, so the reader must walk.
    payload.extend_from_slice(b"8BIM\x03\xED\0\0");
    payload.extend_from_slice(&16u32.to_be_bytes());
    payload.extend_from_slice(&[0, 72, 0, 0, 0, 1, 0, 1, 0, 72, 0, 0, 0, 1, 0, 1]);
    payload.extend_from_slice(b"8BIM\x04\x04\0\0");
    payload.extend_from_slice(&(iptc.len() as u32).to_be_bytes());
    payload.extend_from_slice(&iptc);
    if iptc.len() % 2 == 1 {
        payload.push(0);
    }
    with_segment(jpeg, 0xED, &payload)
}

/// A small PNG (8×8 grey) whose EXIF (`tiff`, a TIFF-structured block) is written the way
/// ImageMagick does: `Raw profile type exif`, hex digits after a header line, in a zTXt chunk
/// (compressed) or a tEXt chunk.
pub fn png_with_raw_profile(tiff: &[u8], compressed: bool) -> Vec<u8> {
    let mut hex = String::new();
    let mut bytes = b"Exif\0\0".to_vec();
    bytes.extend_from_slice(tiff);
    for (i, b) in bytes.iter().enumerate() {
        if i % 36 == 0 {
            hex.push('\n');
        }
        hex.push_str(&format!("{b:02x}"));
    }
    let text = format!("\nexif\n{:8}{hex}\n", bytes.len());
    let mut body = b"Raw profile type exif\0".to_vec();
    if compressed {
        use std::io::Write;
        body.push(0); // zlib
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(text.as_bytes()).unwrap();
        body.extend_from_slice(&z.finish().unwrap());
        png_with_chunk(b"zTXt", &body)
    } else {
        body.extend_from_slice(text.as_bytes());
        png_with_chunk(b"tEXt", &body)
    }
}

/// A small PNG with an iTXt `XML:com.adobe.xmp` chunk holding `packet` (uncompressed).
pub fn png_with_xmp(packet: &[u8]) -> Vec<u8> {
    let mut body = b"XML:com.adobe.xmp\0\0\0\0\0".to_vec();
    body.extend_from_slice(packet);
    png_with_chunk(b"iTXt", &body)
}

/// An 8×8 grey PNG with one extra chunk before its image data.
fn png_with_chunk(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&[128u8; 64], 8, 8, image::ExtendedColorType::L8)
        .expect("encoding an in-memory buffer cannot fail");
    // After the signature (8) and IHDR (12 + 13).
    let at = 8 + 25;
    let mut chunk = (body.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(body);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(body);
    chunk.extend_from_slice(&crc.sum().to_be_bytes());
    let mut out = png[..at].to_vec();
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&png[at..]);
    out
}

/// An AVI header as consumer cameras wrote it (Canon, Nikon, Fujifilm): `hdrl` with the main
/// header and an `IDIT` chunk (`idit`, e.g. `"Mon Mar 03 09:44:56 2003\n"`), then an empty
/// `movi` list. With `icrd`, an INFO list with that creation date as well.
pub fn avi(idit: Option<&str>, icrd: Option<&str>) -> Vec<u8> {
    fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = id.to_vec();
        v.extend_from_slice(&(body.len() as u32).to_le_bytes());
        v.extend_from_slice(body);
        if body.len() % 2 == 1 {
            v.push(0);
        }
        v
    }
    fn list(kind: &[u8; 4], parts: &[Vec<u8>]) -> Vec<u8> {
        let mut body = kind.to_vec();
        for p in parts {
            body.extend_from_slice(p);
        }
        chunk(b"LIST", &body)
    }
    let mut avih = vec![0u8; 56];
    avih[0..4].copy_from_slice(&33_333u32.to_le_bytes()); // µs per frame
    avih[32..36].copy_from_slice(&640u32.to_le_bytes());
    avih[36..40].copy_from_slice(&480u32.to_le_bytes());
    let mut hdrl = vec![chunk(b"avih", &avih)];
    if let Some(t) = idit {
        let mut b = t.as_bytes().to_vec();
        b.push(0);
        hdrl.push(chunk(b"IDIT", &b));
    }
    let mut body = b"AVI ".to_vec();
    body.extend_from_slice(&list(b"hdrl", &hdrl));
    if let Some(d) = icrd {
        let mut b = d.as_bytes().to_vec();
        b.push(0);
        body.extend_from_slice(&list(b"INFO", &[chunk(b"ICRD", &b)]));
    }
    body.extend_from_slice(&list(b"movi", &[]));
    chunk(b"RIFF", &body)
}

/// A QuickTime movie with nothing but its movie header: `ftyp qt`, `moov` holding only `mvhd`
/// (creation time `t`, 2 s long), and an empty `mdat` — as a screen recorder or an old
/// converter leaves it, without Apple's keys or tracks nom-exif would read.
pub fn mov_mvhd_only(t: DateTime<Utc>) -> Vec<u8> {
    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }
    let secs = (t.timestamp() + 2_082_844_800).clamp(0, u32::MAX as i64) as u32;
    let mut mvhd = vec![0u8; 4]; // version 0, flags
    for v in [secs, secs, 600, 1200, 0x0001_0000] {
        mvhd.extend_from_slice(&v.to_be_bytes());
    }
    mvhd.extend_from_slice(&0x0100u16.to_be_bytes());
    mvhd.extend_from_slice(&[0u8; 10]);
    for m in [0x0001_0000u32, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] {
        mvhd.extend_from_slice(&m.to_be_bytes());
    }
    mvhd.extend_from_slice(&[0u8; 24]);
    mvhd.extend_from_slice(&1u32.to_be_bytes());
    let mut out = bx(b"ftyp", b"qt  \x20\x05\x03\x00qt  ");
    out.extend_from_slice(&bx(b"moov", &bx(b"mvhd", &mvhd)));
    out.extend_from_slice(&bx(b"mdat", &[]));
    out
}
