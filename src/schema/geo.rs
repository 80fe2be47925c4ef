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
    /// Edges grouped by grid cell, for the nearest-edge search; built on first use.
    #[serde(skip)]
    grid: std::sync::OnceLock<Grid>,
}

/// The polygon's box cut into square-ish cells, each listing the edges whose box reaches into
/// it. The nearest-edge search visits cells in rings around the point's cell and stops once the
/// next ring is further than the best edge found. Latitude bands (above) serve ray casting
/// well, but for the distance they made a point deep inside a wide prefecture scan every edge
/// of every band within reach, across the whole width of the prefecture: a quarter of all
/// tagging time.
#[derive(Debug, Clone)]
struct Grid {
    x0: f64,
    y0: f64,
    w: f64,
    h: f64,
    nx: usize,
    ny: usize,
    /// Edge indices (into `Bands::edges`) per cell, row by row from the bottom.
    cells: Vec<Vec<u32>>,
}

impl Grid {
    fn build(edges: &[[f64; 4]], bbox: &[f64; 4]) -> Grid {
        // About two edges per cell along the outline.
        let n = ((edges.len() as f64 / 2.0).sqrt().ceil() as usize).clamp(1, 256);
        let (x0, y0) = (bbox[0], bbox[1]);
        let w = ((bbox[2] - bbox[0]) / n as f64).max(1e-9);
        let h = ((bbox[3] - bbox[1]) / n as f64).max(1e-9);
        let mut g = Grid { x0, y0, w, h, nx: n, ny: n, cells: vec![Vec::new(); n * n] };
        for (i, e) in edges.iter().enumerate() {
            let (cx0, cy0) = g.cell_of(e[0].min(e[2]), e[1].min(e[3]));
            let (cx1, cy1) = g.cell_of(e[0].max(e[2]), e[1].max(e[3]));
            for cy in cy0..=cy1 {
                for cx in cx0..=cx1 {
                    g.cells[cy * g.nx + cx].push(i as u32);
                }
            }
        }
        g
    }

    /// The cell holding a point, clamped to the grid.
    fn cell_of(&self, lon: f64, lat: f64) -> (usize, usize) {
        let cx = (((lon - self.x0) / self.w).floor().max(0.0) as usize).min(self.nx - 1);
        let cy = (((lat - self.y0) / self.h).floor().max(0.0) as usize).min(self.ny - 1);
        (cx, cy)
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
        let edges: Vec<[f64; 4]> =
            rings.iter().flat_map(|r| r.windows(2).map(|w| [w[0][0], w[0][1], w[1][0], w[1][1]])).collect();
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
        Bands { edges, bands, y0, height }
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
        Polygon { rings, bbox, bands: std::sync::OnceLock::new(), grid: std::sync::OnceLock::new() }
    }

    fn bands(&self) -> &Bands {
        self.bands.get_or_init(|| Bands::build(&self.rings, &self.bbox))
    }

    fn grid(&self) -> &Grid {
        self.grid.get_or_init(|| Grid::build(&self.bands().edges, &self.bbox))
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

    /// Squared distance in km² to the nearest edge, searching grid cells in rings around the
    /// point's cell; `best2` is the best found so far in other polygons.
    fn nearest_edge2(&self, lon: f64, lat: f64, kx: f64, ky: f64, mut best2: f64) -> f64 {
        let edges = &self.bands().edges;
        let g = self.grid();
        let mut best = best2.sqrt();
        let (cx, cy) = g.cell_of(lon, lat);
        // Distance in km from the point to a rectangle of cells (0 inside it).
        let rect_km = |x0: usize, y0: usize, x1: usize, y1: usize| {
            let (lx, hx) = (g.x0 + x0 as f64 * g.w, g.x0 + (x1 + 1) as f64 * g.w);
            let (ly, hy) = (g.y0 + y0 as f64 * g.h, g.y0 + (y1 + 1) as f64 * g.h);
            let dx = (lx - lon).max(lon - hx).max(0.0) * kx;
            let dy = (ly - lat).max(lat - hy).max(0.0) * ky;
            (dx * dx + dy * dy).sqrt()
        };
        for r in 0..g.nx.max(g.ny) {
            // Everything from ring r on lies outside the block of rings before it: once the
            // point is further inside that block than the best edge, no ring can do better.
            if r > 0 {
                let (bx0, by0) = (cx.saturating_sub(r - 1), cy.saturating_sub(r - 1));
                let (bx1, by1) = ((cx + r - 1).min(g.nx - 1), (cy + r - 1).min(g.ny - 1));
                if bx0 == 0 && by0 == 0 && bx1 == g.nx - 1 && by1 == g.ny - 1 {
                    break;
                }
                let inside = rect_km(bx0, by0, bx1, by1) == 0.0;
                if inside {
                    // Nearest side of the block that still has cells beyond it.
                    let mut margin = f64::INFINITY;
                    if bx0 > 0 {
                        margin = margin.min((lon - (g.x0 + bx0 as f64 * g.w)) * kx);
                    }
                    if bx1 < g.nx - 1 {
                        margin = margin.min((g.x0 + (bx1 + 1) as f64 * g.w - lon) * kx);
                    }
                    if by0 > 0 {
                        margin = margin.min((lat - (g.y0 + by0 as f64 * g.h)) * ky);
                    }
                    if by1 < g.ny - 1 {
                        margin = margin.min((g.y0 + (by1 + 1) as f64 * g.h - lat) * ky);
                    }
                    if margin > best {
                        break;
                    }
                }
            }
            let (x0, y0) = (cx as isize - r as isize, cy as isize - r as isize);
            let (x1, y1) = (cx as isize + r as isize, cy as isize + r as isize);
            for y in y0.max(0)..=y1.min(g.ny as isize - 1) {
                let on_edge_row = y == y0 || y == y1;
                let mut x = x0.max(0);
                while x <= x1.min(g.nx as isize - 1) {
                    let (ux, uy) = (x as usize, y as usize);
                    // Interior rows of the ring: only its two side cells.
                    let next = if on_edge_row || x == x1 { x + 1 } else { x1 };
                    x = next;
                    let cell = &g.cells[uy * g.nx + ux];
                    if cell.is_empty() || rect_km(ux, uy, ux, uy) > best {
                        continue;
                    }
                    for &i in cell {
                        let e = edges[i as usize];
                        let (ax, bx) = ((e[0] - lon) * kx, (e[2] - lon) * kx);
                        if (ax > best && bx > best) || (ax < -best && bx < -best) {
                            continue;
                        }
                        let (ay, by) = ((e[1] - lat) * ky, (e[3] - lat) * ky);
                        if (ay > best && by > best) || (ay < -best && by < -best) {
                            continue;
                        }
                        let d2 = segment_distance2_to_origin((ax, ay), (bx, by));
                        if d2 < best2 {
                            best2 = d2;
                            best = d2.sqrt();
                        }
                    }
                }
            }
        }
        best2
    }
}

fn bbox_of<'a>(points: impl Iterator<Item = &'a [f64; 2]>) -> [f64; 4] {
    let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
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
        Region { code, name, polygons, bbox }
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
    let t = if len2 == 0.0 { 0.0 } else { (-(a.0 * vx + a.1 * vy) / len2).clamp(0.0, 1.0) };
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
        let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
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
        Some(Projection { bbox: b, kx, scale, ox, oy })
    }

    /// Box coordinates (x right, y down) of a GCJ-02 longitude/latitude.
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        (self.ox + (lon - self.bbox[0]) * self.kx * self.scale, self.oy + (self.bbox[3] - lat) * self.scale)
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
                        if last.is_some_and(|l| (l.0 - q.0).abs() < step && (l.1 - q.1).abs() < step) {
                            continue;
                        }
                        pts.push(q);
                        last = Some(q);
                    }
                    if pts.len() < 3 {
                        continue;
                    }
                    for (i, (x, y)) in pts.iter().enumerate() {
                        d.push_str(&format!("{}{:.1} {:.1} ", if i == 0 { "M" } else { "L" }, x, y));
                    }
                    d.push('Z');
                    let (area, c) = centroid(&pts);
                    if area.abs() > best.0 {
                        best = (area.abs(), c);
                    }
                }
            }
            SvgShape { code: r.code.clone(), name: r.name.clone(), d: d.trim_end().to_string(), label_x: best.1 .0, label_y: best.1 .1 }
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
    Gps { lat: p.lat + dlat, lon: p.lon + dlon }
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
        let ring = vec![[100.0, 36.0], [101.0, 36.0], [101.0, 37.0], [100.0, 37.0], [100.0, 36.0]];
        let hole = vec![[100.4, 36.4], [100.6, 36.4], [100.6, 36.6], [100.4, 36.6], [100.4, 36.4]];
        Region::new("1".into(), "sq".into(), vec![Polygon::new(vec![ring, hole])])
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
        let hole = vec![[100.4, 36.4], [100.6, 36.4], [100.6, 36.6], [100.4, 36.6], [100.4, 36.4]];
        let region = Region::new("1".into(), "jagged".into(), vec![Polygon::new(vec![outer.clone(), hole.clone()])]);
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
        let g = wgs84_to_gcj02(Gps { lat: 39.915, lon: 116.404 });
        assert!((g.lat - 39.916_404).abs() < 2e-5 && (g.lon - 116.410_244).abs() < 2e-5, "{g:?}");
        // In Qinghai the shift is a few hundred metres, never zero.
        let q = Gps { lat: 36.62, lon: 101.78 };
        let d = distance_km(q, wgs84_to_gcj02(q));
        assert!(d > 0.1 && d < 0.8, "{d}");
        // Outside China the datum does not apply.
        let paris = Gps { lat: 48.85, lon: 2.35 };
        assert_eq!(wgs84_to_gcj02(paris), paris);
    }
}
