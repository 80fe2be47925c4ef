//! Pre-parses the bundled boundary outlines (`archive-schema/*.geojson`) into a compact binary
//! form that `src/schema` decodes at start-up. Parsing 2.8 MB of GeoJSON was ~130 M
//! instructions at every command's start (9 % of indexing 5,000 photos). Only the parsing moves
//! here: the checks (closed rings, known codes, levels) still run on what is decoded, and a
//! test compares the decoded outlines with a parse of the same text. A user's own boundary
//! files are parsed at run time as before.
//!
//! Format (little-endian): u32 feature count; per feature: u16 length + code bytes (empty when
//! it has none), u8 geometry type (0 none, 1 Polygon, 2 MultiPolygon, 3 other), then the
//! coordinates: u8 tag 0 = number (f64), 1 = position (two f64), 2 = array (u32 count, then
//! its items), 3 = absent.

use std::io::Write;

fn main() {
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for name in ["prefectures", "counties"] {
        let src = format!("archive-schema/{name}.geojson");
        println!("cargo:rerun-if-changed={src}");
        let text = std::fs::read_to_string(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
        let v: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{src}: not valid JSON: {e}"));
        let features = v["features"]
            .as_array()
            .unwrap_or_else(|| panic!("{src}: no features array"));
        let mut buf = Vec::with_capacity(text.len());
        buf.extend((features.len() as u32).to_le_bytes());
        for f in features {
            let code = match (&f["properties"]["code"], &f["id"]) {
                (serde_json::Value::String(s), _) => s.clone(),
                (serde_json::Value::Number(n), _) if n.is_u64() => n.to_string(),
                (_, serde_json::Value::String(s)) => s.clone(),
                _ => String::new(),
            };
            buf.extend((code.len() as u16).to_le_bytes());
            buf.extend(code.as_bytes());
            buf.push(match f["geometry"]["type"].as_str() {
                None => 0,
                Some("Polygon") => 1,
                Some("MultiPolygon") => 2,
                Some(_) => 3,
            });
            match &f["geometry"]["coordinates"] {
                serde_json::Value::Null => buf.push(3),
                c => coords(c, &mut buf, &src),
            }
        }
        std::fs::File::create(out.join(format!("{name}.geobin")))
            .and_then(|mut f| f.write_all(&buf))
            .unwrap_or_else(|e| panic!("writing {name}.geobin: {e}"));
    }
}

/// As `src/schema`'s GeoJSON reader: an array that starts with a number is a position, whose
/// first two numbers are kept (an altitude after them is dropped).
fn coords(v: &serde_json::Value, buf: &mut Vec<u8>, src: &str) {
    match v {
        serde_json::Value::Number(n) => {
            buf.push(0);
            buf.extend(n.as_f64().expect("a JSON number is an f64").to_le_bytes());
        }
        serde_json::Value::Array(items) if items.first().is_some_and(|x| x.is_number()) => {
            let nums: Vec<f64> = items
                .iter()
                .map(|x| {
                    x.as_f64()
                        .unwrap_or_else(|| panic!("{src}: a position holds {x}"))
                })
                .collect();
            if nums.len() >= 2 {
                buf.push(1);
                buf.extend(nums[0].to_le_bytes());
                buf.extend(nums[1].to_le_bytes());
            } else {
                buf.push(2);
                buf.extend(1u32.to_le_bytes());
                coords(&items[0], buf, src);
            }
        }
        serde_json::Value::Array(items) => {
            buf.push(2);
            buf.extend((items.len() as u32).to_le_bytes());
            for x in items {
                coords(x, buf, src);
            }
        }
        other => panic!("{src}: coordinates hold {other}"),
    }
}
