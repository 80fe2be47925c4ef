//! Re-used photos, made by code: an activity photo, the altered copies a county would submit
//! again (re-compressed by WeChat, resized, cropped, watermarked, brightened, saved as PNG,
//! EXIF stripped, turned upright), and look-alike photos of other events with the same layout.
//!
//! The near-duplicate check must find every copy and must not pair two different events that
//! were photographed the same way (sky, a mountain ridge, a red banner, a row of people): the
//! look-alikes are its hard negatives. Everything is deterministic per seed.

use std::io::Cursor;

use chrono::NaiveDate;
use image::codecs::jpeg::JpegEncoder;
use image::{imageops, ExtendedColorType, ImageFormat, RgbImage};

use super::jpeg::{exif_tiff, with_exif_segment, PhotoSpec};
use super::rng::Rng;

/// What was done to a copy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Alteration {
    /// Decoded and saved again at quality 65 without EXIF (what WeChat does).
    Recompressed,
    /// Scaled by this factor (0.5 to 1.5), saved at quality 80.
    Resized(f32),
    /// 6 % cut from each side.
    Cropped,
    /// A solid block with a unit's name over ~15 % of the bottom-right corner.
    Watermarked,
    /// +12 % brightness and contrast.
    Brightened,
    /// Saved as PNG.
    Png,
    /// The same pixels saved again with no metadata at quality 90.
    ExifStripped,
    /// Flipped left to right, saved at quality 85 without EXIF (the stretch goal, not
    /// in [`Alteration::ALL`]).
    Mirrored,
}

impl Alteration {
    /// Every alteration the targets name.
    pub const ALL: [Alteration; 8] = [
        Alteration::Recompressed,
        Alteration::Resized(0.5),
        Alteration::Resized(1.5),
        Alteration::Cropped,
        Alteration::Watermarked,
        Alteration::Brightened,
        Alteration::Png,
        Alteration::ExifStripped,
    ];

    pub fn name(self) -> String {
        match self {
            Alteration::Recompressed => "recompressed".into(),
            Alteration::Resized(f) => format!("resized{:.0}", f * 100.0),
            Alteration::Cropped => "cropped".into(),
            Alteration::Watermarked => "watermarked".into(),
            Alteration::Brightened => "brightened".into(),
            Alteration::Png => "png".into(),
            Alteration::ExifStripped => "exif_stripped".into(),
            Alteration::Mirrored => "mirrored".into(),
        }
    }
}

/// An outdoor activity photo: sky, a mountain ridge, grass, a red banner and a row of people.
/// Every seed has the same layout; the ridge, the banner's place and the people differ.
pub fn event_pixels(seed: u32, w: u32, h: u32) -> RgbImage {
    // Neighbouring seeds would start xorshift on neighbouring states (and similar pictures).
    let mut rng = Rng((u64::from(seed) + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    for _ in 0..4 {
        rng.next();
    }
    let mut f = || rng.unit() as f32;
    // Any span near 2π will do; the fixtures the similarity thresholds were set on use 6.28.
    #[allow(clippy::approx_constant)]
    let phases = [f() * 6.28, f() * 6.28, f() * 6.28, f() * 6.28, f() * 6.28];
    let ridge_base = 0.35 + 0.08 * f();
    let banner_x = 0.15 + 0.3 * f();
    let banner_w = 0.35 + 0.15 * f();
    let people: Vec<(f32, f32)> = (0..6 + (f() * 5.0) as usize)
        .map(|_| (0.05 + 0.9 * f(), 0.9 + 0.3 * f()))
        .collect();
    let (wf, hf) = (w as f32, h as f32);
    let mut img = RgbImage::new(w, h);
    for (x, y, p) in img.enumerate_pixels_mut() {
        let (u, v) = (x as f32 / wf, y as f32 / hf);
        let ridge = ridge_base
            + 0.05 * (u * 9.0 + phases[0]).sin()
            + 0.03 * (u * 23.0 + phases[1]).sin()
            + 0.015 * (u * 51.0 + phases[2]).sin();
        // Fine texture, as grass and rock have: each place (seed) its own.
        let grain = ((u * 397.0 + phases[3]).sin() * (v * 311.0 + phases[4]).cos() * 6.0) as i32;
        let mut c: [i32; 3] = if v < ridge {
            let t = v / ridge;
            [110 + (40.0 * t) as i32, 160 + (30.0 * t) as i32, 230]
        } else if v < ridge + 0.12 {
            [95 + grain, 90 + grain, 85 + grain]
        } else {
            [70 + grain, 120 + grain, 50 + grain]
        };
        let (bx0, bx1) = (banner_x, banner_x + banner_w);
        if u >= bx0 && u < bx1 && (0.5..0.6).contains(&v) {
            // A red banner with lighter bands where its characters are.
            let stroke = ((u - bx0) * 60.0) as i32 % 3 == 0 && (0.53..0.57).contains(&v);
            c = if stroke {
                [250, 220, 120]
            } else {
                [200, 30, 35]
            };
        }
        for &(px, scale) in &people {
            let (dx, body_top) = (u - px, 0.66);
            let head = (dx * wf / hf).powi(2) + (v - body_top + 0.03 * scale).powi(2);
            if head < (0.022 * scale).powi(2) {
                c = [60, 45, 40];
            } else if dx.abs() < 0.02 * scale && v > body_top && v < body_top + 0.18 * scale {
                c = [30, 40, 90];
            }
        }
        *p = image::Rgb(c.map(|v| v.clamp(0, 255) as u8));
    }
    img
}

/// A phone's JPEG of `event_pixels(seed)` with its EXIF (camera, capture time). With
/// `sideways`, the pixels are stored turned and EXIF Orientation 6 says to turn them upright,
/// as phones held upright write.
pub fn original(seed: u32, w: u32, h: u32, sideways: bool) -> Vec<u8> {
    let upright = event_pixels(seed, w, h);
    let stored = if sideways {
        imageops::rotate270(&upright)
    } else {
        upright
    };
    let day = NaiveDate::from_ymd_opt(2018, 6, 1 + seed % 28).expect("valid date");
    let spec = PhotoSpec {
        width: stored.width(),
        height: stored.height(),
        make: Some("HUAWEI".into()),
        model: Some("ELE-AL00".into()),
        orientation: sideways.then_some(6),
        date_time_original: day.and_hms_opt(10, 30, seed % 60),
        ..PhotoSpec::default()
    };
    let plain = super::jpeg::camera_tables(encode_jpeg(&stored, 88));
    match exif_tiff(&spec) {
        Some(tiff) => with_exif_segment(&plain, &tiff),
        None => plain,
    }
}

/// A copy of a photo made by `a` (the source is decoded upright first, as every editor and
/// messaging app does; the copy has no EXIF, so no orientation either).
pub fn alter(source: &[u8], orientation: Option<u16>, a: Alteration) -> Vec<u8> {
    let img = image::load_from_memory(source)
        .expect("generated photos decode")
        .into_rgb8();
    let img = match orientation {
        Some(6) => imageops::rotate90(&img),
        Some(8) => imageops::rotate270(&img),
        Some(3) => imageops::rotate180(&img),
        _ => img,
    };
    let (w, h) = img.dimensions();
    match a {
        Alteration::Recompressed => encode_jpeg(&img, 65),
        Alteration::Mirrored => encode_jpeg(&imageops::flip_horizontal(&img), 85),
        Alteration::Resized(f) => {
            let (nw, nh) = ((w as f32 * f) as u32, (h as f32 * f) as u32);
            let small = imageops::resize(&img, nw.max(1), nh.max(1), imageops::Triangle);
            encode_jpeg(&small, 80)
        }
        Alteration::Cropped => {
            let (dx, dy) = (w * 6 / 100, h * 6 / 100);
            let cut = imageops::crop_imm(&img, dx, dy, w - 2 * dx, h - 2 * dy).to_image();
            encode_jpeg(&cut, 85)
        }
        Alteration::Watermarked => {
            let mut m = img.clone();
            // ~15 % of the picture's area, in the bottom-right corner: 39 % × 39 %.
            let (bw, bh) = (w * 39 / 100, h * 39 / 100);
            for y in h - bh..h {
                for x in w - bw..w {
                    let stripe = (x / 6 + y / 9) % 4 == 0;
                    m.put_pixel(
                        x,
                        y,
                        if stripe {
                            image::Rgb([255, 255, 255])
                        } else {
                            image::Rgb([20, 60, 150])
                        },
                    );
                }
            }
            encode_jpeg(&m, 85)
        }
        Alteration::Brightened => {
            let mut m = img.clone();
            for p in m.pixels_mut() {
                for c in p.0.iter_mut() {
                    let v = (f32::from(*c) - 128.0) * 1.12 + 128.0 + 0.12 * 255.0 * 0.5;
                    *c = v.clamp(0.0, 255.0) as u8;
                }
            }
            encode_jpeg(&m, 85)
        }
        Alteration::Png => {
            let mut out = Vec::new();
            img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
                .expect("encoding in memory cannot fail");
            out
        }
        Alteration::ExifStripped => encode_jpeg(&img, 90),
    }
}

pub(super) fn encode_jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode(
            img.as_raw(),
            img.width(),
            img.height(),
            ExtendedColorType::Rgb8,
        )
        .expect("encoding an in-memory RGB buffer cannot fail");
    out
}
