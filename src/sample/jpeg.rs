//! Real JPEGs with real EXIF, made by code, for the sample evidence tree and for tests.
//!
//! Tests of the photo extractor need files whose metadata is known exactly, and the sample
//! tree must be something ExifTool and image viewers accept as ordinary phone and camera
//! photos. So the pixels are encoded by the `image` crate's JPEG encoder and the EXIF block is
//! a TIFF structure built by kamadak-exif's writer, placed as an `Exif\0\0` APP1 segment right
//! after SOI, where cameras put it (the encoder's JFIF APP0 is dropped, as cameras omit it).

use std::io::Cursor;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Timelike};
use exif::experimental::Writer;
use exif::{Field, In, Rational, Tag, Value};
use image::codecs::jpeg::JpegEncoder;
use image::ExtendedColorType;

/// What the pixels look like. Both are cheap to draw and compress to a realistic size.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// One flat colour (RGB).
    Solid([u8; 3]),
    /// A sky-over-ground scene with a few coloured blocks (a banner, people, a van); the seed
    /// moves and recolours them so that every photo has different bytes.
    Scene(u32),
}

/// How GPS degrees are written: cameras use all three layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GpsLayout {
    /// Degrees, minutes, seconds as three rationals (most phones).
    Dms,
    /// Degrees and decimal minutes as two rationals (some Android phones, Garmin).
    DecimalMinutes,
    /// Decimal degrees as one rational.
    Degrees,
}

/// Everything a generated photo says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoSpec {
    pub width: u32,
    pub height: u32,
    pub pattern: Pattern,
    pub make: Option<String>,
    pub model: Option<String>,
    pub software: Option<String>,
    /// EXIF Orientation, 1..=8.
    pub orientation: Option<u16>,
    /// DateTimeOriginal: when the shutter was pressed, camera-local time.
    pub date_time_original: Option<NaiveDateTime>,
    /// DateTimeDigitized (ExifTool's CreateDate); phones write the same as the original.
    pub create_date: Option<NaiveDateTime>,
    /// DateTime in IFD0 (ExifTool's ModifyDate): phones write the capture time, editors the save time.
    pub modify_date: Option<NaiveDateTime>,
    /// Written as OffsetTimeOriginal and OffsetTimeDigitized (EXIF 2.31); OffsetTime too when
    /// `modify_offset` is unset.
    pub offset_time_original: Option<FixedOffset>,
    /// OffsetTime (the zone of ModifyDate), when it differs from the capture zone.
    pub modify_offset: Option<FixedOffset>,
    /// SubSecTimeOriginal digits, e.g. "123".
    pub subsec_original: Option<String>,
    /// Write "0000:00:00 00:00:00" in all three date tags: what a camera with an unset clock
    /// or a careless converter writes. Overrides the dates above.
    pub zero_dates: bool,
    /// Signed WGS-84 degrees (latitude, longitude); south and west negative.
    pub gps: Option<(f64, f64)>,
    pub gps_layout: GpsLayout,
    /// Write GPSLatitudeRef/GPSLongitudeRef. Without them the absolute values are written.
    pub gps_refs: bool,
    /// Write PixelXDimension/PixelYDimension into the EXIF IFD.
    pub exif_pixel_size: bool,
    /// Intel (II) byte order as Canon and most Android phones write; false = Motorola (MM)
    /// as Apple writes.
    pub little_endian: bool,
    pub quality: u8,
    /// Saved again by a library that kept the camera's EXIF: the IJG standard tables that
    /// `image`'s encoder writes. Otherwise a photo naming a camera gets tables of its own, as
    /// cameras write (see [`camera_tables`]).
    pub reencoded: bool,
}

impl Default for PhotoSpec {
    fn default() -> Self {
        PhotoSpec {
            width: 320,
            height: 240,
            pattern: Pattern::Scene(0),
            make: None,
            model: None,
            software: None,
            orientation: None,
            date_time_original: None,
            create_date: None,
            modify_date: None,
            offset_time_original: None,
            modify_offset: None,
            subsec_original: None,
            zero_dates: false,
            gps: None,
            gps_layout: GpsLayout::Dms,
            gps_refs: true,
            exif_pixel_size: true,
            little_endian: true,
            quality: 82,
            reencoded: false,
        }
    }
}

impl PhotoSpec {
    /// The capture time a correct reader must report for this photo, given the zone it assumes
    /// for times without an offset: DateTimeOriginal, else CreateDate, else ModifyDate, with
    /// sub-seconds and the written offset.
    pub fn expected_capture(&self, default_offset: FixedOffset) -> Option<DateTime<FixedOffset>> {
        if self.zero_dates {
            return None;
        }
        let (naive, zone, subsec) =
            match (self.date_time_original, self.create_date, self.modify_date) {
                (Some(d), _, _) => (
                    d,
                    self.offset_time_original,
                    self.subsec_original.as_deref(),
                ),
                (None, Some(d), _) => (d, self.offset_time_original, None),
                (None, None, Some(d)) => {
                    (d, self.modify_offset.or(self.offset_time_original), None)
                }
                (None, None, None) => return None,
            };
        let nanos = subsec
            .map(|s| format!("{s:0<9}")[..9].parse::<u32>().unwrap_or(0))
            .unwrap_or(0);
        let naive = naive.with_nanosecond(nanos).unwrap_or(naive);
        zone.unwrap_or(default_offset)
            .from_local_datetime(&naive)
            .single()
    }
}

/// A complete JPEG file: the pixels of `spec`, with an EXIF segment when the spec has any
/// metadata (a spec with none gives a JPEG without EXIF, as WeChat and screenshots produce).
pub fn jpeg(spec: &PhotoSpec) -> Vec<u8> {
    let mut plain = encode_pixels(spec);
    if (spec.make.is_some() || spec.model.is_some()) && !spec.reencoded {
        plain = camera_tables(plain);
    }
    match exif_tiff(spec) {
        Some(tiff) => with_exif_segment(&plain, &tiff),
        None => plain,
    }
}

/// The pixels of `spec` as a JPEG without any metadata segment (not even JFIF).
pub fn encode_pixels(spec: &PhotoSpec) -> Vec<u8> {
    let (w, h) = (spec.width.clamp(1, 4096), spec.height.clamp(1, 4096));
    let pixels = draw(&spec.pattern, w, h);
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, spec.quality.clamp(1, 100))
        .encode(&pixels, w, h, ExtendedColorType::Rgb8)
        .expect("encoding an in-memory RGB buffer of checked size cannot fail");
    strip_app0(out)
}

/// The JPEG with quantization tables of its own instead of IJG's standard ones: cameras
/// write their own, and the authenticity check takes IJG's tables at a camera's usual
/// qualities for a re-encode. The highest-frequency step of each table is raised by one;
/// at these qualities that coefficient is almost always zero, so the picture does not change.
pub fn camera_tables(mut jpeg: Vec<u8>) -> Vec<u8> {
    let mut pos = 2;
    while pos + 4 <= jpeg.len() && jpeg[pos] == 0xFF {
        let marker = jpeg[pos + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
        if marker == 0xDA {
            break;
        }
        if marker == 0xDB {
            let (mut i, end) = (pos + 4, (pos + 2 + len).min(jpeg.len()));
            while i + 65 <= end {
                let wide = jpeg[i] >> 4 != 0;
                if wide {
                    i += 129;
                    continue;
                }
                let last = i + 64;
                jpeg[last] = if jpeg[last] < 255 {
                    jpeg[last] + 1
                } else {
                    254
                };
                i += 65;
            }
        }
        pos += 2 + len;
    }
    jpeg
}

/// Insert `tiff` (a TIFF-structured EXIF block) as an `Exif\0\0` APP1 segment right after the
/// SOI of `jpeg`. The block is not checked, so tests can insert damaged EXIF on purpose; it
/// must fit in one segment (64 KiB).
pub fn with_exif_segment(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    assert!(jpeg.starts_with(&[0xFF, 0xD8]), "not a JPEG");
    let len = 2 + 6 + tiff.len();
    assert!(len <= 0xFFFF, "EXIF block too large for one APP1 segment");
    let mut out = Vec::with_capacity(jpeg.len() + len + 2);
    out.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xE1]);
    out.extend_from_slice(&(len as u16).to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// The EXIF block (a TIFF structure: IFD0, EXIF IFD, GPS IFD) that `spec` describes, or None
/// when the spec carries no metadata at all.
pub fn exif_tiff(spec: &PhotoSpec) -> Option<Vec<u8>> {
    let fields = fields(spec);
    if fields.is_empty() {
        return None;
    }
    let mut writer = Writer::new();
    for f in &fields {
        writer.push_field(f);
    }
    let mut buf = Cursor::new(Vec::new());
    writer
        .write(&mut buf, spec.little_endian)
        .expect("writing EXIF to memory only fails on invalid fields, which fields() never builds");
    Some(buf.into_inner())
}

/// [`exif_tiff`] with a thumbnail in IFD1 (the JPEG cameras store for their own screens).
pub fn exif_tiff_with_thumbnail(spec: &PhotoSpec, thumbnail: &[u8]) -> Vec<u8> {
    let fields = fields(spec);
    let mut writer = Writer::new();
    for f in &fields {
        writer.push_field(f);
    }
    writer.set_jpeg(thumbnail, In::THUMBNAIL);
    let mut buf = Cursor::new(Vec::new());
    writer
        .write(&mut buf, spec.little_endian)
        .expect("writing EXIF to memory only fails on invalid fields, which fields() never builds");
    buf.into_inner()
}

fn fields(spec: &PhotoSpec) -> Vec<Field> {
    let mut out = Vec::new();
    let mut push = |tag: Tag, value: Value| {
        out.push(Field {
            tag,
            ifd_num: In::PRIMARY,
            value,
        })
    };
    let ascii = |s: &str| Value::Ascii(vec![s.as_bytes().to_vec()]);
    let date = |d: &NaiveDateTime| {
        Value::Ascii(vec![d.format("%Y:%m:%d %H:%M:%S").to_string().into_bytes()])
    };
    let zero = || Value::Ascii(vec![b"0000:00:00 00:00:00".to_vec()]);
    let offset = |o: &FixedOffset| Value::Ascii(vec![o.to_string().into_bytes()]);

    let any_camera = spec.make.is_some() || spec.model.is_some() || spec.software.is_some();
    let any_time = spec.zero_dates
        || spec.date_time_original.is_some()
        || spec.create_date.is_some()
        || spec.modify_date.is_some();
    if !any_camera && !any_time && spec.gps.is_none() && spec.orientation.is_none() {
        return Vec::new();
    }

    // IFD0
    if let Some(m) = &spec.make {
        push(Tag::Make, ascii(m));
    }
    if let Some(m) = &spec.model {
        push(Tag::Model, ascii(m));
    }
    if let Some(o) = spec.orientation {
        push(Tag::Orientation, Value::Short(vec![o]));
    }
    push(
        Tag::XResolution,
        Value::Rational(vec![Rational { num: 72, denom: 1 }]),
    );
    push(
        Tag::YResolution,
        Value::Rational(vec![Rational { num: 72, denom: 1 }]),
    );
    push(Tag::ResolutionUnit, Value::Short(vec![2]));
    if let Some(s) = &spec.software {
        push(Tag::Software, ascii(s));
    }
    if spec.zero_dates {
        push(Tag::DateTime, zero());
    } else if let Some(d) = &spec.modify_date {
        push(Tag::DateTime, date(d));
    }
    push(Tag::YCbCrPositioning, Value::Short(vec![1]));

    // EXIF IFD
    let version: &[u8] = if spec.offset_time_original.is_some() {
        b"0231"
    } else {
        b"0220"
    };
    push(Tag::ExifVersion, Value::Undefined(version.to_vec(), 0));
    if spec.zero_dates {
        push(Tag::DateTimeOriginal, zero());
        push(Tag::DateTimeDigitized, zero());
    } else {
        if let Some(d) = &spec.date_time_original {
            push(Tag::DateTimeOriginal, date(d));
        }
        if let Some(d) = &spec.create_date {
            push(Tag::DateTimeDigitized, date(d));
        }
    }
    if let Some(o) = &spec.offset_time_original {
        let modify = spec.modify_offset.as_ref().unwrap_or(o);
        if spec.modify_date.is_some() {
            push(Tag::OffsetTime, offset(modify));
        }
        push(Tag::OffsetTimeOriginal, offset(o));
        if spec.create_date.is_some() {
            push(Tag::OffsetTimeDigitized, offset(o));
        }
    } else if let (Some(o), Some(_)) = (&spec.modify_offset, &spec.modify_date) {
        push(Tag::OffsetTime, offset(o));
    }
    if let Some(s) = &spec.subsec_original {
        push(Tag::SubSecTimeOriginal, ascii(s));
    }
    // Required in JPEG EXIF; ExifTool's validator notes their absence.
    push(
        Tag::ComponentsConfiguration,
        Value::Undefined(vec![1, 2, 3, 0], 0),
    );
    push(Tag::FlashpixVersion, Value::Undefined(b"0100".to_vec(), 0));
    push(Tag::ColorSpace, Value::Short(vec![1]));
    if spec.exif_pixel_size {
        push(Tag::PixelXDimension, Value::Long(vec![spec.width]));
        push(Tag::PixelYDimension, Value::Long(vec![spec.height]));
    }

    // GPS IFD
    if let Some((lat, lon)) = spec.gps {
        push(Tag::GPSVersionID, Value::Byte(vec![2, 2, 0, 0]));
        if spec.gps_refs {
            push(
                Tag::GPSLatitudeRef,
                ascii(if lat < 0.0 { "S" } else { "N" }),
            );
        }
        push(
            Tag::GPSLatitude,
            Value::Rational(gps_rationals(lat.abs(), spec.gps_layout)),
        );
        if spec.gps_refs {
            push(
                Tag::GPSLongitudeRef,
                ascii(if lon < 0.0 { "W" } else { "E" }),
            );
        }
        push(
            Tag::GPSLongitude,
            Value::Rational(gps_rationals(lon.abs(), spec.gps_layout)),
        );
        push(Tag::GPSMapDatum, ascii("WGS-84"));
    }
    out
}

/// Degrees as EXIF rationals, with enough precision (1e-4 s, 1e-7 min or 1e-7 degrees) that
/// a reader recovers the value to better than 1e-6 degrees.
fn gps_rationals(deg: f64, layout: GpsLayout) -> Vec<Rational> {
    let r = |num: u32, denom: u32| Rational { num, denom };
    match layout {
        GpsLayout::Degrees => vec![r((deg * 10_000_000.0).round() as u32, 10_000_000)],
        GpsLayout::DecimalMinutes => {
            let d = deg.trunc();
            let m = (deg - d) * 60.0;
            vec![
                r(d as u32, 1),
                r((m * 10_000_000.0).round() as u32, 10_000_000),
            ]
        }
        GpsLayout::Dms => {
            let d = deg.trunc();
            let m = ((deg - d) * 60.0).trunc();
            let s = (deg - d - m / 60.0) * 3600.0;
            vec![
                r(d as u32, 1),
                r(m as u32, 1),
                r((s * 10_000.0).round() as u32, 10_000),
            ]
        }
    }
}

/// Drop a leading JFIF APP0 segment: camera JPEGs start with the EXIF APP1 instead.
fn strip_app0(jpeg: Vec<u8>) -> Vec<u8> {
    if jpeg.len() > 6 && jpeg[2] == 0xFF && jpeg[3] == 0xE0 {
        let len = u16::from_be_bytes([jpeg[4], jpeg[5]]) as usize;
        if jpeg.len() > 4 + len {
            let mut out = Vec::with_capacity(jpeg.len() - len - 2);
            out.extend_from_slice(&jpeg[..2]);
            out.extend_from_slice(&jpeg[4 + len..]);
            return out;
        }
    }
    jpeg
}

/// A small deterministic generator, so that scenes differ without a dependency on `rand`.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
    fn below(&mut self, n: u32) -> u32 {
        self.next() % n.max(1)
    }
}

fn draw(pattern: &Pattern, w: u32, h: u32) -> Vec<u8> {
    let mut px = vec![0u8; (w * h * 3) as usize];
    match pattern {
        Pattern::Solid(c) => {
            for p in px.chunks_exact_mut(3) {
                p.copy_from_slice(c);
            }
        }
        Pattern::Scene(seed) => {
            let mut rng = Lcg(*seed as u64 ^ 0x9E37_79B9_7F4A_7C15);
            let horizon = h / 2 + rng.below(h / 4);
            let sky = [
                90 + rng.below(60) as u8,
                140 + rng.below(60) as u8,
                200 + rng.below(55) as u8,
            ];
            let ground = [
                70 + rng.below(80) as u8,
                90 + rng.below(60) as u8,
                40 + rng.below(40) as u8,
            ];
            // Rows are built once and copied: this runs in debug builds of every test.
            let row_len = (w * 3) as usize;
            let ground_rows: Vec<Vec<u8>> = (0..8u32)
                .map(|k| {
                    (0..w)
                        .flat_map(|x| {
                            let t = ((x ^ k) & 7) as u8;
                            [
                                ground[0].saturating_add(t),
                                ground[1].saturating_add(t),
                                ground[2],
                            ]
                        })
                        .collect()
                })
                .collect();
            for (y, row) in px.chunks_exact_mut(row_len).enumerate() {
                let y = y as u32;
                if y < horizon {
                    let t = (y * 60 / horizon.max(1)) as u8;
                    let c = [sky[0].saturating_add(t), sky[1].saturating_add(t), sky[2]];
                    for p in row.chunks_exact_mut(3) {
                        p.copy_from_slice(&c);
                    }
                } else {
                    row.copy_from_slice(&ground_rows[(y & 7) as usize]);
                }
            }
            for _ in 0..4 + rng.below(4) {
                let bw = w / 10 + rng.below(w / 4);
                let bh = h / 10 + rng.below(h / 4);
                let bx = rng.below(w.saturating_sub(bw).max(1));
                let by = rng.below(h.saturating_sub(bh).max(1));
                let c = [
                    rng.below(256) as u8,
                    rng.below(256) as u8,
                    rng.below(256) as u8,
                ];
                let block: Vec<u8> = (bx..(bx + bw).min(w)).flat_map(|_| c).collect();
                for y in by..(by + bh).min(h) {
                    let i = ((y * w + bx) * 3) as usize;
                    px[i..i + block.len()].copy_from_slice(&block);
                }
            }
        }
    }
    px
}
