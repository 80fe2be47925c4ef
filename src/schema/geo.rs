//! Boundaries: which prefecture/county contains a photo's GPS point, and how sure that is.
//!
//! The boundary files are GCJ-02 (the offset datum of Chinese web maps) quantised to about 100 m,
//! while cameras record WGS-84; the two differ by 100–250 m in Qinghai. So a point is shifted to
//! GCJ-02 before the containment test, and its distance to the nearest boundary is reported so
//! that a point within about a kilometre of a border is called uncertain rather than wrong.
//! Hand-written ray casting and segment distance keep a geo crate out of the build.

use serde::Serialize;

use crate::record::Gps;

/// Points closer than this to a boundary are "uncertain": the data's quantisation, the datum
/// shift and phone GPS error together reach several hundred metres.
pub const UNCERTAIN_KM: f64 = 1.0;

/// One closed ring, `[lon, lat]` pairs, first point repeated at the end.
pub type Ring = Vec<[f64; 2]>;

/// A polygon: outer ring first, then holes (containment uses even-odd over all rings).
#[derive(Debug, Clone, Serialize)]
pub struct Polygon {
    pub rings: Vec<Ring>,
    /// `[min_lon, min_lat, max_lon, max_lat]`
    pub bbox: [f64; 4],
    /// Edges grouped by latitude band, built on first use (only tagging needs it).
    #[serde(skip)]
    bands: std::sync::OnceLock<Bands>,
    /// Boxes over the edges for the nearest-edge search; built on first use.
    #[serde(skip)]
    tree: std::sync::OnceLock<EdgeTree>,
}

/// Boxes over runs of consecutive edges, in ring order, for the nearest-edge search: each box
/// of level 0 holds `FANOUT` edges, each box above holds `FANOUT` boxes of the level below.
/// An outline's consecutive edges lie close together, so these boxes are tight. The search
/// descends nearest box first and drops any box further than the best edge found. A grid over
/// the polygon's box came before: a county's outline crosses few of its cells, so each held
/// dozens of edges, and a point inside a prefecture visited hundreds of empty cells (7 % of the
/// instructions of indexing 5,000 photos).
#[derive(Debug, Clone)]
struct EdgeTree {
    /// `[min_x, min_y, max_x, max_y]` per box, level 0 (over edges) first; the last level has
    /// at most `FANOUT` boxes.
    levels: Vec<Vec<[f64; 4]>>,
}

const FANOUT: usize = 8;

impl EdgeTree {
    fn build(edges: &[[f64; 4]]) -> EdgeTree {
        let boxes = |items: &[[f64; 4]]| -> Vec<[f64; 4]> {
            items
                .chunks(FANOUT)
                .map(|c| {
                    c.iter().fold(
                        [
                            f64::INFINITY,
                            f64::INFINITY,
                            f64::NEG_INFINITY,
                            f64::NEG_INFINITY,
                        ],
                        |b, e| {
                            [
                                b[0].min(e[0]).min(e[2]),
                                b[1].min(e[1]).min(e[3]),
                                b[2].max(e[0]).max(e[2]),
                                b[3].max(e[1]).max(e[3]),
                            ]
                        },
                    )
                })
                .collect()
        };
        let mut levels = vec![boxes(edges)];
        while levels.last().is_some_and(|l| l.len() > FANOUT) {
            let next = boxes(levels.last().expect("checked"));
            levels.push(next);
        }
        EdgeTree { levels }
    }
}

/// Every edge of a polygon, and for each horizontal band of its box the edges that reach into
/// it. Ray casting then looks only at the edges of the point's band, and the nearest-edge
/// search widens band by band until the next band is further than the best edge found. A
/// county outline has thousands of edges; a band holds a few dozen.
#[derive(Debug, Clone)]
struct Bands {
    /// `[x1, y1, x2, y2]` per edge.
    edges: Vec<[f64; 4]>,
    /// Edge indices per band, bottom (min latitude) first.
    bands: Vec<Vec<u32>>,
    y0: f64,
    height: f64,
}

impl Bands {
    fn build(rings: &[Ring], bbox: &[f64; 4]) -> Bands {
        let edges: Vec<[f64; 4]> = rings
            .iter()
            .flat_map(|r| r.windows(2).map(|w| [w[0][0], w[0][1], w[1][0], w[1][1]]))
            .collect();
        let n = (edges.len() / 8).clamp(1, 2048);
        let y0 = bbox[1];
        let height = ((bbox[3] - bbox[1]) / n as f64).max(1e-9);
        let mut bands = vec![Vec::new(); n];
        for (i, e) in edges.iter().enumerate() {
            let (lo, hi) = (e[1].min(e[3]), e[1].max(e[3]));
            let first = (((lo - y0) / height).floor().max(0.0) as usize).min(n - 1);
            let last = (((hi - y0) / height).floor().max(0.0) as usize).min(n - 1);
            for band in &mut bands[first..=last] {
                band.push(i as u32);
            }
        }
        Bands {
            edges,
            bands,
            y0,
            height,
        }
    }

    fn band_of(&self, lat: f64) -> usize {
        (((lat - self.y0) / self.height).floor().max(0.0) as usize).min(self.bands.len() - 1)
    }
}

/// A division's boundary (GCJ-02), as read from the GeoJSON files.
#[derive(Debug, Clone, Serialize)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub polygons: Vec<Polygon>,
    pub bbox: [f64; 4],
}

impl Polygon {
    pub fn new(rings: Vec<Ring>) -> Polygon {
        let bbox = bbox_of(rings.iter().flatten());
        Polygon {
            rings,
            bbox,
            bands: std::sync::OnceLock::new(),
            tree: std::sync::OnceLock::new(),
        }
    }

    fn bands(&self) -> &Bands {
        self.bands
            .get_or_init(|| Bands::build(&self.rings, &self.bbox))
    }

    fn tree(&self) -> &EdgeTree {
        self.tree
            .get_or_init(|| EdgeTree::build(&self.bands().edges))
    }

    /// Even-odd ray casting over the edges of the point's latitude band.
    fn contains(&self, lon: f64, lat: f64) -> bool {
        if !in_bbox(&self.bbox, lon, lat) {
            return false;
        }
        let b = self.bands();
        let mut inside = false;
        for &i in &b.bands[b.band_of(lat)] {
            let [x1, y1, x2, y2] = b.edges[i as usize];
            if (y1 > lat) != (y2 > lat) {
                let x = x1 + (lat - y1) * (x2 - x1) / (y2 - y1);
                if lon < x {
                    inside = !inside;
                }
            }
        }
        inside
    }

    /// Squared distance in km² to the nearest edge, nearest box first; `best2` is the best
    /// found so far in other polygons.
    fn nearest_edge2(&self, lon: f64, lat: f64, kx: f64, ky: f64, best2: f64) -> f64 {
        let tree = self.tree();
        let top = tree.levels.len() - 1;
        let mut search = EdgeSearch {
            edges: &self.bands().edges,
            levels: &tree.levels,
            lon,
            lat,
            kx,
            ky,
            best2,
        };
        search.visit(top + 1, 0..tree.levels[top].len());
        search.best2
    }
}

/// One nearest-edge search down an [`EdgeTree`].
struct EdgeSearch<'a> {
    edges: &'a [[f64; 4]],
    levels: &'a [Vec<[f64; 4]>],
    lon: f64,
    lat: f64,
    kx: f64,
    ky: f64,
    best2: f64,
}

impl EdgeSearch<'_> {
    /// Squared km from the point to a box (0 inside it).
    fn box2(&self, b: &[f64; 4]) -> f64 {
        let dx = (b[0] - self.lon).max(self.lon - b[2]).max(0.0) * self.kx;
        let dy = (b[1] - self.lat).max(self.lat - b[3]).max(0.0) * self.ky;
        dx * dx + dy * dy
    }

    /// Visit the boxes `range` of `levels[level - 1]` (level 0: the edges themselves).
    fn visit(&mut self, level: usize, range: std::ops::Range<usize>) {
        if level == 0 {
            for e in &self.edges[range] {
                let a = ((e[0] - self.lon) * self.kx, (e[1] - self.lat) * self.ky);
                let b = ((e[2] - self.lon) * self.kx, (e[3] - self.lat) * self.ky);
                self.best2 = self.best2.min(segment_distance2_to_origin(a, b));
            }
            return;
        }
        let boxes = &self.levels[level - 1];
        let mut order = [(0.0f64, 0usize); FANOUT];
        let n = range.len();
        for (slot, i) in order.iter_mut().zip(range) {
            *slot = (self.box2(&boxes[i]), i);
        }
        order[..n].sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let below = if level == 1 {
            self.edges.len()
        } else {
            self.levels[level - 2].len()
        };
        for &(d2, i) in &order[..n] {
            if d2 >= self.best2 {
                break;
            }
            self.visit(level - 1, i * FANOUT..((i + 1) * FANOUT).min(below));
        }
    }
}

fn bbox_of<'a>(points: impl Iterator<Item = &'a [f64; 2]>) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for p in points {
        b[0] = b[0].min(p[0]);
        b[1] = b[1].min(p[1]);
        b[2] = b[2].max(p[0]);
        b[3] = b[3].max(p[1]);
    }
    b
}

impl Region {
    pub fn new(code: String, name: String, polygons: Vec<Polygon>) -> Region {
        let bbox = bbox_of(polygons.iter().flat_map(|p| p.rings.iter().flatten()));
        Region {
            code,
            name,
            polygons,
            bbox,
        }
    }

    /// Even-odd ray casting; `lon`/`lat` in the region's datum (GCJ-02).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        in_bbox(&self.bbox, lon, lat) && self.polygons.iter().any(|poly| poly.contains(lon, lat))
    }

    /// Distance in km from the point to the nearest edge of this region (inside or outside),
    /// with an equirectangular projection around the point: exact enough at county scale.
    pub fn distance_to_edge_km(&self, lon: f64, lat: f64) -> f64 {
        let kx = lat.to_radians().cos() * 111.320;
        let ky = 110.574;
        let mut best2 = f64::INFINITY;
        for poly in &self.polygons {
            // A polygon whose box is already further than the best edge cannot hold a nearer one.
            let dx = (poly.bbox[0] - lon).max(lon - poly.bbox[2]).max(0.0) * kx;
            let dy = (poly.bbox[1] - lat).max(lat - poly.bbox[3]).max(0.0) * ky;
            if dx * dx + dy * dy > best2 {
                continue;
            }
            best2 = poly.nearest_edge2(lon, lat, kx, ky, best2);
        }
        best2.sqrt()
    }
}

/// Distance in km from a point to the nearest edge of any of `regions` (None when empty).
/// Regions are visited nearest box first, so that far ones are dismissed by their box alone:
/// a photo taken outside the province would otherwise be measured against every edge.
pub fn nearest_edge_km(regions: &[Region], lon: f64, lat: f64) -> Option<f64> {
    let kx = lat.to_radians().cos() * 111.320;
    let ky = 110.574;
    let box_km = |b: &[f64; 4]| {
        let dx = (b[0] - lon).max(lon - b[2]).max(0.0) * kx;
        let dy = (b[1] - lat).max(lat - b[3]).max(0.0) * ky;
        (dx * dx + dy * dy).sqrt()
    };
    let mut order: Vec<(f64, &Region)> = regions.iter().map(|r| (box_km(&r.bbox), r)).collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut best: Option<f64> = None;
    for (lower, r) in order {
        if best.is_some_and(|b| lower > b) {
            break;
        }
        let d = r.distance_to_edge_km(lon, lat);
        best = Some(best.map_or(d, |b: f64| b.min(d)));
    }
    best
}

fn in_bbox(b: &[f64; 4], lon: f64, lat: f64) -> bool {
    lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3]
}

fn segment_distance2_to_origin(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (vx, vy) = (b.0 - a.0, b.1 - a.1);
    let len2 = vx * vx + vy * vy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (-(a.0 * vx + a.1 * vy) / len2).clamp(0.0, 1.0)
    };
    let (px, py) = (a.0 + t * vx, a.1 + t * vy);
    px * px + py * py
}

/// One region drawn for a schematic map (SVG user units, north up).
#[derive(Debug, Clone, Serialize)]
pub struct SvgShape {
    pub code: String,
    pub name: String,
    /// SVG path data (`M x y L ... Z` per ring; use `fill-rule="evenodd"` for the holes).
    pub d: String,
    /// A point for the label: the centroid of the largest ring.
    pub label_x: f64,
    pub label_y: f64,
}

/// The map projection shared by the outlines and anything drawn on them (result points):
/// equirectangular with longitude scaled by the cosine of the middle latitude, aspect kept,
/// centred in a `width`×`height` box. Coordinates are GCJ-02 like the boundaries.
#[derive(Debug, Clone, Copy)]
pub struct Projection {
    /// min lon, min lat, max lon, max lat of the fitted regions.
    bbox: [f64; 4],
    kx: f64,
    scale: f64,
    ox: f64,
    oy: f64,
}

impl Projection {
    /// Fit `regions` into the box; `None` when there is nothing to fit.
    pub fn fit(regions: &[Region], width: f64, height: f64) -> Option<Projection> {
        if regions.is_empty() || !(width > 0.0 && height > 0.0) {
            return None;
        }
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for r in regions {
            b[0] = b[0].min(r.bbox[0]);
            b[1] = b[1].min(r.bbox[1]);
            b[2] = b[2].max(r.bbox[2]);
            b[3] = b[3].max(r.bbox[3]);
        }
        let kx = ((b[1] + b[3]) / 2.0).to_radians().cos();
        let (w, h) = (((b[2] - b[0]) * kx).max(1e-9), (b[3] - b[1]).max(1e-9));
        let scale = (width / w).min(height / h);
        let (ox, oy) = ((width - w * scale) / 2.0, (height - h * scale) / 2.0);
        Some(Projection {
            bbox: b,
            kx,
            scale,
            ox,
            oy,
        })
    }

    /// Box coordinates (x right, y down) of a GCJ-02 longitude/latitude.
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            self.ox + (lon - self.bbox[0]) * self.kx * self.scale,
            self.oy + (self.bbox[3] - lat) * self.scale,
        )
    }
}

/// Project regions into a `width`×`height` box: equirectangular with longitude scaled by the
/// cosine of the middle latitude, aspect kept, centred; vertices within 1/600 of the box from
/// the previous one are dropped (the boundaries have 25 000 points, a page needs far fewer).
pub fn svg_shapes(regions: &[Region], width: f64, height: f64) -> Vec<SvgShape> {
    let Some(projection) = Projection::fit(regions, width, height) else {
        return Vec::new();
    };
    let step = width.max(height) / 600.0;
    let proj = |p: &[f64; 2]| projection.project(p[0], p[1]);
    regions
        .iter()
        .map(|r| {
            let mut d = String::new();
            let mut best = (0.0f64, (width / 2.0, height / 2.0));
            for poly in &r.polygons {
                for ring in &poly.rings {
                    let mut last: Option<(f64, f64)> = None;
                    let mut pts = Vec::new();
                    for p in ring {
                        let q = proj(p);
                        if last
                            .is_some_and(|l| (l.0 - q.0).abs() < step && (l.1 - q.1).abs() < step)
                        {
                            continue;
                        }
                        pts.push(q);
                        last = Some(q);
                    }
                    if pts.len() < 3 {
                        continue;
                    }
                    for (i, (x, y)) in pts.iter().enumerate() {
                        d.push_str(&format!(
                            "{}{:.1} {:.1} ",
                            if i == 0 { "M" } else { "L" },
                            x,
                            y
                        ));
                    }
                    d.push('Z');
                    let (area, c) = centroid(&pts);
                    if area.abs() > best.0 {
                        best = (area.abs(), c);
                    }
                }
            }
            SvgShape {
                code: r.code.clone(),
                name: r.name.clone(),
                d: d.trim_end().to_string(),
                label_x: best.1 .0,
                label_y: best.1 .1,
            }
        })
        .collect()
}

fn centroid(pts: &[(f64, f64)]) -> (f64, (f64, f64)) {
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for i in 0..pts.len() {
        let (p, q) = (pts[i], pts[(i + 1) % pts.len()]);
        let cross = p.0 * q.1 - q.0 * p.1;
        a += cross;
        cx += (p.0 + q.0) * cross;
        cy += (p.1 + q.1) * cross;
    }
    if a.abs() < 1e-12 {
        return (0.0, pts[0]);
    }
    (a / 2.0, (cx / (3.0 * a), cy / (3.0 * a)))
}

/// WGS-84 → GCJ-02 with the published formula (the one every Chinese map SDK uses). Points
/// outside China are returned unchanged, as the datum only applies inside.
pub fn wgs84_to_gcj02(p: Gps) -> Gps {
    use std::f64::consts::PI;
    const A: f64 = 6378245.0;
    const EE: f64 = 0.006_693_421_622_965_943;
    if !(72.004..=137.8347).contains(&p.lon) || !(0.8293..=55.8271).contains(&p.lat) {
        return p;
    }
    let (x, y) = (p.lon - 105.0, p.lat - 35.0);
    let mut dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    dlat += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    dlat += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    dlat += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    let mut dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    dlon += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    dlon += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    dlon += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    let rad = p.lat / 180.0 * PI;
    let magic = 1.0 - EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    dlon = (dlon * 180.0) / (A / sqrt_magic * rad.cos() * PI);
    Gps {
        lat: p.lat + dlat,
        lon: p.lon + dlon,
    }
}

/// Ground distance in km between two points (equirectangular; fine below a few hundred km).
pub fn distance_km(a: Gps, b: Gps) -> f64 {
    let kx = ((a.lat + b.lat) / 2.0).to_radians().cos() * 111.320;
    let dx = (a.lon - b.lon) * kx;
    let dy = (a.lat - b.lat) * 110.574;
    (dx * dx + dy * dy).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square() -> Region {
        let ring = vec![
            [100.0, 36.0],
            [101.0, 36.0],
            [101.0, 37.0],
            [100.0, 37.0],
            [100.0, 36.0],
        ];
        let hole = vec![
            [100.4, 36.4],
            [100.6, 36.4],
            [100.6, 36.6],
            [100.4, 36.6],
            [100.4, 36.4],
        ];
        Region::new(
            "1".into(),
            "sq".into(),
            vec![Polygon::new(vec![ring, hole])],
        )
    }

    #[test]
    fn ray_casting_honours_holes_and_bbox() {
        let r = square();
        assert!(r.contains(100.2, 36.2));
        assert!(!r.contains(100.5, 36.5), "inside the hole");
        assert!(!r.contains(101.5, 36.5));
    }

    /// The banded search must give exactly what looking at every edge gives.
    #[test]
    fn banded_search_agrees_with_brute_force() {
        let mut rng = crate::sample::Rng(7);
        // A jagged ring with a hole: many edges, bands of several sizes.
        let mut outer: Ring = (0..400)
            .map(|i| {
                let a = i as f64 / 400.0 * std::f64::consts::TAU;
                let r = 1.0 + (rng.below(1000) as f64 / 1000.0) * 0.3;
                [100.5 + r * a.cos(), 36.5 + r * a.sin()]
            })
            .collect();
        outer.push(outer[0]);
        let hole = vec![
            [100.4, 36.4],
            [100.6, 36.4],
            [100.6, 36.6],
            [100.4, 36.6],
            [100.4, 36.4],
        ];
        let region = Region::new(
            "1".into(),
            "jagged".into(),
            vec![Polygon::new(vec![outer.clone(), hole.clone()])],
        );
        let rings = [outer, hole];
        for _ in 0..2000 {
            let lon = 98.5 + rng.below(40_000) as f64 / 10_000.0;
            let lat = 34.5 + rng.below(40_000) as f64 / 10_000.0;
            let mut inside = false;
            let (kx, ky) = (lat.to_radians().cos() * 111.320, 110.574);
            let mut best = f64::INFINITY;
            for ring in &rings {
                for w in ring.windows(2) {
                    let ([x1, y1], [x2, y2]) = (w[0], w[1]);
                    if (y1 > lat) != (y2 > lat) && lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1) {
                        inside = !inside;
                    }
                    let a = ((x1 - lon) * kx, (y1 - lat) * ky);
                    let b = ((x2 - lon) * kx, (y2 - lat) * ky);
                    best = best.min(segment_distance2_to_origin(a, b).sqrt());
                }
            }
            assert_eq!(region.contains(lon, lat), inside, "{lon},{lat}");
            let d = region.distance_to_edge_km(lon, lat);
            assert!((d - best).abs() < 1e-9, "{lon},{lat}: {d} vs {best}");
        }
    }

    #[test]
    fn edge_distance_is_in_kilometres() {
        let r = square();
        // 0.01° of latitude north of the southern edge ≈ 1.1 km.
        let d = r.distance_to_edge_km(100.2, 36.01);
        assert!((d - 1.106).abs() < 0.01, "{d}");
    }

    #[test]
    fn gcj02_matches_the_published_reference_point() {
        // The widely quoted example: Tiananmen WGS-84 39.915,116.404 → GCJ-02 ≈ 39.91640,116.41024.
        let g = wgs84_to_gcj02(Gps {
            lat: 39.915,
            lon: 116.404,
        });
        assert!(
            (g.lat - 39.916_404).abs() < 2e-5 && (g.lon - 116.410_244).abs() < 2e-5,
            "{g:?}"
        );
        // In Qinghai the shift is a few hundred metres, never zero.
        let q = Gps {
            lat: 36.62,
            lon: 101.78,
        };
        let d = distance_km(q, wgs84_to_gcj02(q));
        assert!(d > 0.1 && d < 0.8, "{d}");
        // Outside China the datum does not apply.
        let paris = Gps {
            lat: 48.85,
            lon: 2.35,
        };
        assert_eq!(wgs84_to_gcj02(paris), paris);
    }
}
