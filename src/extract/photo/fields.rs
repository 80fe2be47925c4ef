//! EXIF fields → facts: camera, software, orientation, EXIF pixel size and the GPS position,
//! with the writers' deviations (missing references, degrees as one rational, 0/0 seconds,
//! numbers as text) read the way ExifTool reads them.

use exif::{Tag, Value};

use super::exif_block::{ascii, ascii_bytes, field, uint, Meta};
use super::{pair, Facts};
use crate::problem::{Code, Problem};
use crate::record::{Camera, Gps};

pub(super) fn fill_from_exif(exif: &Meta, f: &mut Facts) {
    match gps(exif) {
        Ok(point) => f.gps = point,
        Err(msg) => f.problems.push(Problem::detail(Code::GpsInvalid, msg)),
    }

    let make = ascii(exif, Tag::Make);
    let model = ascii(exif, Tag::Model);
    if make.is_some() || model.is_some() {
        f.camera = Some(Camera { make, model });
    }
    f.software = ascii(exif, Tag::Software);

    f.orientation = field(exif, Tag::Orientation)
        .and_then(|fl| fl.value.get_uint(0))
        .filter(|o| (1..=8).contains(o))
        .map(|o| o as u16);

    let exif_size = pair(
        uint(exif, Tag::PixelXDimension),
        uint(exif, Tag::PixelYDimension),
    )
    .or_else(|| pair(uint(exif, Tag::ImageWidth), uint(exif, Tag::ImageLength)));
    if let Some((w, h)) = exif_size {
        f.width = Some(w);
        f.height = Some(h);
    }
}

/// GPS position in signed decimal degrees. `Ok(None)` when absent or 0,0 (what many phones
/// write when they had no fix); `Err` when present but unusable.
fn gps(exif: &Meta) -> Result<Option<Gps>, String> {
    let lat = field(exif, Tag::GPSLatitude);
    let lon = field(exif, Tag::GPSLongitude);
    let (lat, lon) = match (lat, lon) {
        (None, None) => return Ok(None),
        (Some(lat), Some(lon)) => (lat, lon),
        _ => {
            return Err(
                "EXIF GPS has a latitude or a longitude but not both; position ignored".into(),
            )
        }
    };
    let lat_v =
        degrees(&lat.value).map_err(|why| format!("EXIF GPSLatitude {why}; position ignored"))?;
    let lon_v =
        degrees(&lon.value).map_err(|why| format!("EXIF GPSLongitude {why}; position ignored"))?;
    let lat_v = apply_ref(lat_v, ascii_bytes(exif, Tag::GPSLatitudeRef), b'S', b'N');
    let lon_v = apply_ref(lon_v, ascii_bytes(exif, Tag::GPSLongitudeRef), b'W', b'E');
    if !lat_v.is_finite() || !lon_v.is_finite() {
        return Err("EXIF GPS position is not a number; position ignored".into());
    }
    if lat_v == 0.0 && lon_v == 0.0 {
        return Ok(None);
    }
    if lat_v.abs() > 90.0 || lon_v.abs() > 180.0 {
        return Err(format!(
            "EXIF GPS position {lat_v:.6}, {lon_v:.6} is outside the globe; position ignored"
        ));
    }
    Ok(Some(Gps {
        lat: lat_v,
        lon: lon_v,
    }))
}

/// A reference letter flips the sign; without one (or with an unknown letter) the value keeps
/// its own sign, i.e. north/east is assumed, as ExifTool does.
fn apply_ref(v: f64, r: Option<&[u8]>, negative: u8, positive: u8) -> f64 {
    let letter = r.and_then(|r| r.iter().find(|b| !b.is_ascii_whitespace() && **b != 0));
    match letter.map(|b| b.to_ascii_uppercase()) {
        Some(l) if l == negative => -v.abs(),
        Some(l) if l == positive => v.abs(),
        _ => v,
    }
}

/// Degrees from 1 (degrees), 2 (degrees, decimal minutes) or 3 (D, M, S) numbers.
pub(super) fn degrees(value: &Value) -> Result<f64, String> {
    let parts: Vec<f64> = match value {
        Value::Rational(v) => v
            .iter()
            .map(|r| ratio(r.num as f64, r.denom as f64))
            .collect::<Result<_, _>>()?,
        Value::SRational(v) => v
            .iter()
            .map(|r| ratio(r.num as f64, r.denom as f64))
            .collect::<Result<_, _>>()?,
        Value::Double(v) => v.clone(),
        Value::Float(v) => v.iter().map(|x| *x as f64).collect(),
        Value::Ascii(v) => {
            // A few writers store "36.84" or "36 50 24" as text.
            let text = v
                .first()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            text.split(|c: char| c.is_whitespace() || c == ',')
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<f64>()
                        .map_err(|_| format!("is not a number (\"{text}\")"))
                })
                .collect::<Result<_, _>>()?
        }
        _ => return Err("has an unexpected type".into()),
    };
    if parts.is_empty() {
        return Err("is empty".into());
    }
    if parts.iter().any(|p| !p.is_finite()) {
        return Err("is not a number".into());
    }
    let sign = if parts[0] < 0.0 { -1.0 } else { 1.0 };
    let mut total = parts[0].abs();
    if let Some(m) = parts.get(1) {
        total += m.abs() / 60.0;
    }
    if let Some(s) = parts.get(2) {
        total += s.abs() / 3600.0;
    }
    Ok(sign * total)
}

/// 0/0 is what several phones write for "seconds not recorded": it counts as zero.
fn ratio(num: f64, denom: f64) -> Result<f64, String> {
    if denom == 0.0 {
        if num == 0.0 {
            return Ok(0.0);
        }
        return Err("divides by zero".into());
    }
    Ok(num / denom)
}
