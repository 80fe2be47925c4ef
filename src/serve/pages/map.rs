//! The schematic map: prefecture outlines from the schema, shaded by how many results each
//! has and linked to a filter, with camera GPS points on top (`templates/partials/map.html`).

use std::collections::HashMap;

use crate::record::Gps;
use crate::schema::geo::{wgs84_to_gcj02, Projection, SvgShape};
use crate::schema::Schema;
use crate::serve::AppState;

pub const MAP_W: f64 = 400.0;
pub const MAP_H: f64 = 300.0;

/// The prefecture outlines and the projection that drew them, so that GPS points land where
/// the outlines are. Built once when the server starts.
pub struct MapGeometry {
    shapes: Vec<SvgShape>,
    /// The outlines' own projection, so points land where the outlines are drawn.
    projection: Option<Projection>,
}

impl MapGeometry {
    pub fn new(schema: &Schema) -> MapGeometry {
        MapGeometry {
            shapes: schema.prefecture_svg(MAP_W, MAP_H),
            projection: Projection::fit(schema.prefecture_shapes(), MAP_W, MAP_H),
        }
    }

    /// Where a camera's WGS-84 point falls on the map; `None` off the map.
    pub fn project(&self, p: Gps) -> Option<(f64, f64)> {
        let projection = self.projection.as_ref()?;
        if !p.lat.is_finite() || !p.lon.is_finite() {
            return None;
        }
        let g = wgs84_to_gcj02(p);
        let (x, y) = projection.project(g.lon, g.lat);
        ((0.0..=MAP_W).contains(&x) && (0.0..=MAP_H).contains(&y)).then_some((x, y))
    }
}

/// One map as the template draws it.
pub struct MapView {
    /// `map` on the search page, `map small` on a record's page.
    pub class: &'static str,
    pub view_box: String,
    pub regions: Vec<Region>,
    /// The outline of the claimed prefecture, drawn last so no neighbour covers it.
    pub claimed: Option<String>,
    pub points: Vec<Point>,
}

pub struct Region {
    pub code: String,
    /// SVG path data, generated from the schema's outlines.
    pub d: String,
    pub fill: String,
    pub name: String,
    pub count: u64,
    pub href: Option<String>,
    pub label_x: String,
    pub label_y: String,
}

pub struct Point {
    pub x: String,
    pub y: String,
    pub title: String,
}

/// Prefectures shaded by `counts` (keyed by code) and linked by `href`, `points` drawn on top,
/// `highlight` outlined.
pub fn map_view(
    st: &AppState,
    counts: &HashMap<String, u64>,
    points: &[(Gps, String)],
    href: &dyn Fn(&str) -> Option<String>,
    highlight: Option<&str>,
    class: &'static str,
) -> MapView {
    let geom = &st.inner.map;
    let max = counts.values().copied().max().unwrap_or(0).max(1) as f64;
    let regions = geom
        .shapes
        .iter()
        .map(|shape| {
            let n = counts.get(&shape.code).copied().unwrap_or(0);
            let name = st
                .schema()
                .division(&shape.code)
                .map(|d| d.short_name.clone())
                .unwrap_or_else(|| shape.name.clone());
            // Lighter to darker blue with the share of results; white when nothing is there.
            let fill = if n == 0 {
                "#f4f6f9".to_string()
            } else {
                let t = (n as f64 / max).sqrt();
                let l = 88.0 - 48.0 * t;
                format!("hsl(210,55%,{l:.0}%)")
            };
            Region {
                code: shape.code.clone(),
                d: shape.d.clone(),
                fill,
                name,
                count: n,
                href: href(&shape.code),
                label_x: format!("{:.1}", shape.label_x),
                label_y: format!("{:.1}", shape.label_y),
            }
        })
        .collect();
    let claimed = highlight
        .and_then(|h| geom.shapes.iter().find(|s| s.code == h))
        .map(|s| s.d.clone());
    let points = points
        .iter()
        .filter_map(|(gps, title)| {
            let (x, y) = geom.project(*gps)?;
            Some(Point {
                x: format!("{x:.1}"),
                y: format!("{y:.1}"),
                title: title.clone(),
            })
        })
        .collect();
    MapView {
        class,
        view_box: format!("0 0 {MAP_W} {MAP_H}"),
        regions,
        claimed,
        points,
    }
}
