//! `prefectures.geojson` and `counties.geojson`: the outlines a GPS point is placed in.
//!
//! Read without a `serde_json::Value` per number, checked ring by ring (closed, at least four
//! points, in degrees) with the feature's code in every message.

use std::collections::HashMap;

use super::outline::decode_geobin;
use super::SourceText;
use crate::schema::{Division, Level, Polygon, Region};
use crate::Result;

/// GeoJSON coordinates: nested arrays of numbers, read without a `serde_json::Value` per
/// number (building those for the bundled 2.8 MB of boundaries cost every command ~40 ms at
/// start-up).
pub(crate) enum Coords {
    Num(f64),
    /// An array of numbers: a position (`[lon, lat]`, maybe an altitude after them, dropped).
    /// Read straight into place: a `Vec` per position was a third of parsing the outlines.
    Point([f64; 2]),
    List(Vec<Coords>),
}

impl<'de> serde::Deserialize<'de> for Coords {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Coords;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("GeoJSON coordinates (arrays of numbers)")
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<Coords, E> {
                Ok(Coords::Num(v))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<Coords, E> {
                Ok(Coords::Num(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<Coords, E> {
                Ok(Coords::Num(v as f64))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> std::result::Result<Coords, A::Error> {
                let first: Option<Coords> = a.next_element()?;
                if let Some(Coords::Num(x)) = first {
                    // A position: the rest must be numbers too.
                    let Some(y) = a.next_element::<f64>()? else {
                        return Ok(Coords::List(vec![Coords::Num(x)]));
                    };
                    while a.next_element::<f64>()?.is_some() {}
                    return Ok(Coords::Point([x, y]));
                }
                let mut v = Vec::with_capacity(a.size_hint().unwrap_or(4));
                v.extend(first);
                while let Some(x) = a.next_element()? {
                    v.push(x);
                }
                Ok(Coords::List(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl std::fmt::Display for Coords {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Coords::Num(n) => write!(f, "{n}"),
            Coords::Point([x, y]) => write!(f, "[{x},{y}]"),
            Coords::List(v) => {
                f.write_str("[")?;
                for (i, c) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str("]")
            }
        }
    }
}

impl Coords {
    fn list(&self) -> Option<&[Coords]> {
        match self {
            Coords::List(v) => Some(v),
            Coords::Num(_) | Coords::Point(_) => None,
        }
    }

    fn point(&self) -> Option<[f64; 2]> {
        match self {
            Coords::Point(p) => Some(*p),
            _ => None,
        }
    }
}

/// One GeoJSON feature, as far as boundaries need it.
pub(crate) struct Feature {
    /// `properties.code`, or else the feature's `id`.
    pub(crate) code: Option<String>,
    pub(crate) geometry: Option<GeoGeometry>,
}

pub(crate) fn geojson_features(src: &SourceText) -> Result<Vec<Feature>> {
    let v: GeoFeatures = serde_json::from_str(&src.text)
        .map_err(|e| src.err(Some(e.line()), format!("not valid GeoJSON: {e}")))?;
    let feats = v.features.ok_or_else(|| {
        src.err(
            Some(1),
            "not a GeoJSON FeatureCollection (no \"features\" array)",
        )
    })?;
    Ok(feats
        .into_iter()
        .map(|f| Feature {
            code: f
                .properties
                .as_ref()
                .and_then(|p| p.get("code"))
                .and_then(|c| {
                    c.as_str()
                        .map(str::to_string)
                        .or_else(|| c.as_u64().map(|n| n.to_string()))
                })
                .or_else(|| f.id.as_ref().and_then(|c| c.as_str()).map(str::to_string)),
            geometry: f.geometry,
        })
        .collect())
}

#[derive(serde::Deserialize)]
struct GeoFeatures {
    features: Option<Vec<GeoFeature>>,
}

#[derive(serde::Deserialize)]
struct GeoFeature {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    properties: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    geometry: Option<GeoGeometry>,
}

#[derive(serde::Deserialize)]
pub(crate) struct GeoGeometry {
    #[serde(rename = "type", default)]
    pub(crate) kind: Option<String>,
    #[serde(default)]
    pub(crate) coordinates: Option<Coords>,
}

pub(crate) fn parse_regions(
    src: &SourceText,
    div_by_code: &HashMap<String, usize>,
    divs: &[Division],
    level: Level,
) -> Result<Vec<Region>> {
    let feats = match src.geobin {
        Some(bin) => decode_geobin(bin)
            .ok_or_else(|| src.err(None, "the built-in outlines are damaged (a build problem)"))?,
        None => geojson_features(src)?,
    };
    let mut out = Vec::new();
    for (n, f) in feats.iter().enumerate() {
        let Some(code) = f.code.clone() else {
            return Err(src.err(
                None,
                format!(
                    "feature #{} has no properties.code (the GB/T 2260 code)",
                    n + 1
                ),
            ));
        };
        // The line is looked up only for a message: searching the 2.4 MB boundary file for
        // every feature made each command start a second slower.
        let bad = |msg: String| {
            src.err(
                src.line_of_str(&format!("\"{code}\"")),
                format!("feature {code}: {msg}"),
            )
        };
        let Some(&di) = div_by_code.get(&code) else {
            return Err(bad(
                "code not found in divisions.csv; add it there or fix the code".into(),
            ));
        };
        if divs[di].level != level {
            return Err(bad(format!(
                "is a {:?} in divisions.csv, but this file holds {:?} boundaries",
                divs[di].level, level
            )));
        }
        let geom = f
            .geometry
            .as_ref()
            .ok_or_else(|| bad("no geometry".into()))?;
        let coords = geom
            .coordinates
            .as_ref()
            .ok_or_else(|| bad("geometry has no coordinates".into()))?;
        let polys: Vec<&Coords> = match geom.kind.as_deref() {
            Some("Polygon") => vec![coords],
            Some("MultiPolygon") => coords
                .list()
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
            other => {
                return Err(bad(format!(
                    "geometry type {other:?}; only Polygon and MultiPolygon are boundaries"
                )))
            }
        };
        let mut polygons = Vec::new();
        for (pi, p) in polys.into_iter().enumerate() {
            let rings = p
                .list()
                .ok_or_else(|| bad(format!("polygon {} is not an array of rings", pi + 1)))?;
            let mut rs = Vec::new();
            for (ri, r) in rings.iter().enumerate() {
                let pts = r
                    .list()
                    .ok_or_else(|| bad(format!("ring {} is not an array of points", ri + 1)))?;
                let mut ring = Vec::with_capacity(pts.len());
                for pt in pts {
                    match pt.point() {
                        Some([x, y])
                            if (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y) =>
                        {
                            ring.push([x, y])
                        }
                        _ => {
                            return Err(bad(format!(
                            "invalid point {pt} in polygon {} ring {} (want [lon, lat] in degrees)",
                            pi + 1,
                            ri + 1
                        )))
                        }
                    }
                }
                if ring.len() < 4 {
                    return Err(bad(format!("invalid polygon: ring {} of polygon {} has {} points, a closed ring needs at least 4", ri + 1, pi + 1, ring.len())));
                }
                if ring.first() != ring.last() {
                    return Err(bad(format!("invalid polygon: ring {} of polygon {} is not closed (first point differs from last)", ri + 1, pi + 1)));
                }
                // Zero-area slivers are what polygon repair tools leave behind: they contain no
                // point and change no answer, so they are dropped rather than refused.
                if ring_area(&ring) == 0.0 {
                    if ri == 0 {
                        break;
                    }
                    continue;
                }
                rs.push(ring);
            }
            if rings.is_empty() {
                return Err(bad(format!(
                    "invalid polygon: polygon {} has no rings",
                    pi + 1
                )));
            }
            if !rs.is_empty() {
                polygons.push(Polygon::new(rs));
            }
        }
        if polygons.is_empty() {
            return Err(bad("invalid polygon: no polygons".into()));
        }
        out.push(Region::new(code, divs[di].name.clone(), polygons));
    }
    Ok(out)
}

fn ring_area(r: &[[f64; 2]]) -> f64 {
    r.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum::<f64>()
        / 2.0
}
