//! The phones and cameras that take Qinghai's evidence photos, each writing EXIF its own way,
//! and real places inside the counties the tree names.

use chrono::NaiveDateTime;

use super::{cst, GpsLayout, Pattern, PhotoSpec};

/// The devices that take Qinghai's evidence photos, as their EXIF identifies them.
#[derive(Clone, Copy)]
pub(super) enum Device {
    Huawei,
    Xiaomi,
    IPhone,
    Canon,
    Oppo,
    Vivo,
    Nikon,
}

impl Device {
    /// A spec as this device writes it: same time in all three date tags, its byte order,
    /// its zone habit, a 4:3 frame.
    pub(super) fn shot(self, when: NaiveDateTime, gps: Option<(f64, f64)>, seed: u32) -> PhotoSpec {
        let (make, model, software, little_endian, zone, layout, size) = match self {
            Device::Huawei => (
                "HUAWEI",
                "ALP-AL00",
                Some("ALP-AL00 8.0.0.120(C00)"),
                true,
                false,
                GpsLayout::Dms,
                (512, 384),
            ),
            Device::Xiaomi => (
                "Xiaomi",
                "MI 6",
                Some("sagit-user 8.0.0 OPR1.170623.027 V9.2.3.0.OCAMIEK release-keys"),
                true,
                false,
                GpsLayout::Dms,
                (400, 300),
            ),
            Device::IPhone => (
                "Apple",
                "iPhone 7",
                Some("11.4.1"),
                false,
                true,
                GpsLayout::Dms,
                (480, 360),
            ),
            Device::Canon => (
                "Canon",
                "Canon EOS 80D",
                None,
                true,
                false,
                GpsLayout::Dms,
                (480, 320),
            ),
            Device::Oppo => (
                "OPPO",
                "OPPO R11",
                None,
                true,
                false,
                GpsLayout::DecimalMinutes,
                (400, 300),
            ),
            Device::Vivo => (
                "vivo",
                "vivo X9",
                None,
                true,
                false,
                GpsLayout::Degrees,
                (320, 240),
            ),
            Device::Nikon => (
                "NIKON CORPORATION",
                "NIKON D7200",
                Some("Ver.1.00 "),
                false,
                false,
                GpsLayout::Dms,
                (480, 320),
            ),
        };
        PhotoSpec {
            width: size.0,
            height: size.1,
            pattern: Pattern::Scene(seed),
            make: Some(make.into()),
            model: Some(model.into()),
            software: software.map(Into::into),
            orientation: Some(1),
            date_time_original: Some(when),
            create_date: Some(when),
            modify_date: Some(when),
            offset_time_original: zone.then(cst),
            gps,
            gps_layout: layout,
            little_endian,
            ..PhotoSpec::default()
        }
    }
}

/// Real places (WGS-84, inside the named county), with a small per-photo jitter of a few
/// hundred metres so that points differ the way real shots do.
pub(super) mod place {
    pub const XINING_CHENGZHONG: (f64, f64) = (36.5850, 101.7430); // 南川, ~3 km inside the district
    pub const HUZHU: (f64, f64) = (36.8405, 101.9512);
    pub const LEDU: (f64, f64) = (36.4817, 102.4019);
    pub const CHENGDUO: (f64, f64) = (33.3686, 97.1109);
    pub const HAIYAN: (f64, f64) = (36.8990, 100.9921);
    pub const TONGREN: (f64, f64) = (35.5188, 102.0176);
    pub const GOLMUD: (f64, f64) = (36.4021, 94.9036);
    pub const GONGHE: (f64, f64) = (36.2705, 100.6203);
    pub const MAQIN: (f64, f64) = (34.4733, 100.2405);

    pub fn near(p: (f64, f64), k: u32) -> (f64, f64) {
        let dx = ((k * 37) % 11) as f64 - 5.0;
        let dy = ((k * 53) % 13) as f64 - 6.0;
        (p.0 + dy * 0.0003, p.1 + dx * 0.0003)
    }
}
