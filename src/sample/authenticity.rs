//! Photos that carry signs of what made them, for the authenticity checks: a picture labelled
//! as AI-generated (GB 45438-2025's XMP label, or C2PA credentials naming generative AI), a
//! camera's photo re-compressed by a library that kept its EXIF, and a photo edited after it
//! was taken whose EXIF thumbnail still shows the picture as shot, beside the same photo with
//! a thumbnail that matches (which must not be flagged).

use chrono::NaiveDate;
use image::{imageops, RgbImage};

use super::altered::{encode_jpeg, event_pixels};
use super::jpeg::{
    camera_tables, exif_tiff, exif_tiff_with_thumbnail, with_exif_segment, PhotoSpec,
};

const W: u32 = 480;
const H: u32 = 360;

fn phone(seed: u32) -> PhotoSpec {
    let day = NaiveDate::from_ymd_opt(2019, 7, 1 + seed % 28).expect("valid date");
    PhotoSpec {
        width: W,
        height: H,
        make: Some("HUAWEI".into()),
        model: Some("ELE-AL00".into()),
        date_time_original: day.and_hms_opt(9, 15, seed % 60),
        ..PhotoSpec::default()
    }
}

/// An `APP` segment (`marker`) with `body`, inserted right after the SOI of `jpeg`.
fn with_segment(jpeg: &[u8], marker: u8, body: &[u8]) -> Vec<u8> {
    let len = u16::try_from(body.len() + 2).expect("segment fits in 64 KiB");
    let mut out = Vec::with_capacity(jpeg.len() + body.len() + 4);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A generated picture with the implicit label GB 45438-2025 requires in its XMP: property
/// `AIGC` in TC260's namespace, a JSON object (as TC260's practice guide writes it).
pub fn aigc_labelled(seed: u32) -> Vec<u8> {
    let jpeg = encode_jpeg(&event_pixels(seed, W, H), 90);
    let packet = r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/"
 TC260:AIGC="{&quot;Label&quot;:&quot;1&quot;,&quot;ContentProducer&quot;:&quot;001191110108MA01KP2T5U00000&quot;,&quot;ProduceID&quot;:&quot;20250915-0001&quot;,&quot;ReservedCode1&quot;:&quot;&quot;,&quot;ContentPropagator&quot;:&quot;&quot;,&quot;PropagateID&quot;:&quot;&quot;,&quot;ReservedCode2&quot;:&quot;&quot;}"/>
</rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#;
    let mut body = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    body.extend_from_slice(packet.as_bytes());
    with_segment(&jpeg, 0xE1, &body)
}

/// A picture whose C2PA manifest (APP11, JPEG XT box form) names generative AI as its
/// digital source type. Shaped as c2pa-rs writes it as far as the check reads (the box
/// header, the `c2pa` label, the action and the IPTC source type), not signed.
pub fn c2pa_generated(seed: u32) -> Vec<u8> {
    let jpeg = encode_jpeg(&event_pixels(seed, W, H), 90);
    let mut jumd = b"jumd".to_vec();
    jumd.extend_from_slice(b"c2pa\x00\x11\x00\x10\x80\x00\xaa\x00\x38\x9b\x71\x03c2pa\0");
    let mut body = b"JP\x00\x01\x00\x00\x00\x01".to_vec();
    let inner = [
        &(jumd.len() as u32 + 4).to_be_bytes()[..],
        &jumd,
        b"c2pa.actions\0",
        b"action\x6bc2pa.created",
        b"digitalSourceType\x78\x46http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
    ]
    .concat();
    body.extend_from_slice(&(inner.len() as u32 + 8).to_be_bytes());
    body.extend_from_slice(b"jumb");
    body.extend_from_slice(&inner);
    with_segment(&jpeg, 0xEB, &body)
}

/// A camera's photo decoded and saved again at quality 70 by a library that kept its EXIF
/// (HUAWEI, capture time): IJG's standard tables under a camera's name.
pub fn reencoded_camera(seed: u32) -> Vec<u8> {
    let img = event_pixels(seed, W, H);
    let tiff = exif_tiff(&phone(seed)).expect("the phone's spec has metadata");
    with_exif_segment(&encode_jpeg(&img, 70), &tiff)
}

/// The same phone's photo straight from the camera (tables of its own, quality 95).
pub fn camera_original(seed: u32) -> Vec<u8> {
    let img = event_pixels(seed, W, H);
    let tiff = exif_tiff_with_thumbnail(&phone(seed), &thumbnail(&img));
    with_exif_segment(&camera_tables(encode_jpeg(&img, 95)), &tiff)
}

/// The camera's photo edited after it was taken (cut by 15 % per side and scaled back, the
/// banner painted over) and saved with its EXIF, thumbnail included, as it was: the
/// thumbnail still shows the picture as shot.
pub fn edited_with_stale_thumbnail(seed: u32) -> Vec<u8> {
    let shot = event_pixels(seed, W, H);
    let (dx, dy) = (W * 15 / 100, H * 15 / 100);
    let cut = imageops::crop_imm(&shot, dx, dy, W - 2 * dx, H - 2 * dy).to_image();
    let mut edited = imageops::resize(&cut, W, H, imageops::Triangle);
    for y in H / 2 - 30..H / 2 + 40 {
        for x in W / 5..W * 4 / 5 {
            edited.put_pixel(x, y, image::Rgb([70, 120, 50]));
        }
    }
    let tiff = exif_tiff_with_thumbnail(&phone(seed), &thumbnail(&shot));
    with_exif_segment(&camera_tables(encode_jpeg(&edited, 95)), &tiff)
}

/// A camera's 160×120 EXIF thumbnail of a picture.
fn thumbnail(img: &RgbImage) -> Vec<u8> {
    encode_jpeg(&imageops::resize(img, 160, 120, imageops::Triangle), 80)
}
