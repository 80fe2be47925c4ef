//! The gazetteer's queries: divisions by any of their names, place names in text, and where a
//! GPS point falls among the boundaries.
//!
//! Names are matched with the rules inspectors expect (an ambiguous stem such as 海南 never
//! names a prefecture alone; a two-character name counts only at a word start), and a point is
//! placed after the shift to the boundaries' GCJ-02 datum.

use super::geo;
use super::text::{compact, is_cjk};
use super::{facet_escape, Division, Level, Location, PlaceMention, Region, Schema, Town};
use crate::record::Gps;

impl Schema {
    pub fn division(&self, code: &str) -> Option<&Division> {
        self.div_by_code.get(code).map(|&i| &self.divisions[i])
    }

    pub fn divisions(&self) -> &[Division] {
        &self.divisions
    }

    pub fn towns(&self) -> &[Town] {
        &self.towns
    }

    /// A prefecture or county by code, name, short name, alias, pinyin or historical name
    /// (湟中县 → 湟中区). A bare ambiguous stem (海南, 互助) resolves to nothing.
    pub fn resolve_place(&self, text: &str) -> Option<&Division> {
        let t = text.trim();
        let i = self
            .div_lookup
            .get(t)
            .or_else(|| self.div_lookup.get(&compact(t)))
            .or_else(|| {
                self.div_lookup
                    .get(&t.to_lowercase().replace([' ', '\''], ""))
            })?;
        Some(&self.divisions[*i])
    }

    /// The facet path of a prefecture or county: `/place/海东市`, `/place/海东市/互助县` (short
    /// names, as `facet_paths` emits them). `None` for an unknown code or the province.
    pub fn place_facet(&self, code: &str) -> Option<String> {
        let d = self.division(code)?;
        let d = match &d.successor {
            Some(s) => self.division(s)?,
            None => d,
        };
        match d.level {
            Level::Prefecture => Some(format!("/place/{}", facet_escape(&d.short_name))),
            Level::County => {
                let p = self.division(d.parent_code.as_deref()?)?;
                Some(format!(
                    "/place/{}/{}",
                    facet_escape(&p.short_name),
                    facet_escape(&d.short_name)
                ))
            }
            Level::Province => None,
        }
    }

    /// The eight prefectures, in code order.
    pub fn prefectures(&self) -> Vec<&Division> {
        let mut v: Vec<&Division> = self
            .divisions
            .iter()
            .filter(|d| d.level == Level::Prefecture && d.successor.is_none())
            .collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    }

    /// The current county-level units of a prefecture (historical and geometry-only codes left out).
    pub fn counties_of(&self, prefecture_code: &str) -> Vec<&Division> {
        let mut v: Vec<&Division> = self
            .divisions
            .iter()
            .filter(|d| {
                d.level == Level::County
                    && d.parent_code.as_deref() == Some(prefecture_code)
                    && matches!(d.status.as_str(), "current" | "statistical")
            })
            .collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    }

    /// The prefecture a division belongs to (itself for a prefecture).
    pub fn prefecture_of(&self, code: &str) -> Option<&Division> {
        let d = self.division(code)?;
        match d.level {
            Level::Prefecture => Some(d),
            Level::County => d.parent_code.as_deref().and_then(|p| self.division(p)),
            Level::Province => None,
        }
    }

    /// Place names inside `text`: divisions by name/alias and towns, leftmost-longest. Names of
    /// two characters (海东, 乐都) count only at a word start (start of text, after a non-Chinese
    /// character or right after another place name), so 青海东部 does not say 海东.
    pub fn find_places(&self, text: &str) -> Vec<PlaceMention> {
        let hay = compact(text);
        let mut out: Vec<PlaceMention> = Vec::new();
        let mut last_end = usize::MAX;
        for m in self.place_ac.find_iter(&hay) {
            let matched = &hay[m.range()];
            if matched.chars().count() <= 2 && m.start() > 0 && m.start() != last_end {
                let prev = hay[..m.start()].chars().next_back();
                if prev.is_some_and(is_cjk) {
                    continue;
                }
            }
            last_end = m.end();
            out.push(PlaceMention {
                place: self.place_payload[m.pattern().as_usize()],
                text: matched.to_string(),
                start: m.start(),
            });
        }
        out
    }

    // ------------------------------------------------------------------ boundaries

    /// Prefecture polygons (GCJ-02), e.g. for a schematic SVG map.
    pub fn prefecture_shapes(&self) -> &[Region] {
        &self.prefecture_shapes
    }

    /// The prefectures drawn for a schematic SVG map in a `width`×`height` box.
    pub fn prefecture_svg(&self, width: f64, height: f64) -> Vec<geo::SvgShape> {
        geo::svg_shapes(&self.prefecture_shapes, width, height)
    }

    pub fn county_shapes(&self) -> &[Region] {
        &self.county_shapes
    }

    /// Where a camera's WGS-84 point falls, after the shift to GCJ-02.
    pub fn locate(&self, wgs84: Gps) -> Location {
        let g = geo::wgs84_to_gcj02(wgs84);
        let (lon, lat) = (g.lon, g.lat);
        let mut loc = Location {
            wgs84,
            gcj02: g,
            prefecture: None,
            county: None,
            prefecture_edge_km: None,
            county_edge_km: None,
        };
        if !lon.is_finite() || !lat.is_finite() {
            return loc;
        }
        if let Some(r) = self.prefecture_shapes.iter().find(|r| r.contains(lon, lat)) {
            loc.prefecture = Some(r.code.clone());
            loc.prefecture_edge_km = Some(r.distance_to_edge_km(lon, lat));
        } else {
            loc.prefecture_edge_km = geo::nearest_edge_km(&self.prefecture_shapes, lon, lat);
        }
        if let Some(r) = self.county_shapes.iter().find(|r| r.contains(lon, lat)) {
            loc.county_edge_km = Some(r.distance_to_edge_km(lon, lat));
            if self
                .division(&r.code)
                .is_some_and(|d| d.status != "geometry_only")
            {
                loc.county = Some(r.code.clone());
            }
            // A county polygon that disagrees with the prefecture polygon (sliver at a shared
            // border): trust the county, whose parent is authoritative in the gazetteer.
            if let Some(pc) = self.division(&r.code).and_then(|d| d.parent_code.clone()) {
                if loc.prefecture.as_deref() != Some(pc.as_str()) {
                    let d = self.distance_to_region_km(&pc, g);
                    loc.prefecture = Some(pc);
                    loc.prefecture_edge_km = d;
                }
            }
        }
        loc
    }

    /// Distance (km) from a GCJ-02 point to the boundary of the region with this code.
    pub fn distance_to_region_km(&self, code: &str, gcj02: Gps) -> Option<f64> {
        self.prefecture_shapes
            .iter()
            .chain(self.county_shapes.iter())
            .find(|r| r.code == code)
            .map(|r| r.distance_to_edge_km(gcj02.lon, gcj02.lat))
    }
}

pub(super) fn division_names(d: &Division) -> Vec<String> {
    let mut v = vec![
        compact(&d.name),
        compact(&d.short_name),
        compact(&d.full_name),
    ];
    v.extend(d.aliases.iter().map(|a| compact(a)));
    // Even if a user's gazetteer lists the bare stem (海南 for 海南州) as an alias, a division
    // marked ambiguous_stem never answers to it.
    let stem = if d.ambiguous_stem {
        bare_stem(&d.short_name)
    } else {
        None
    };
    v.retain(|s| !s.is_empty() && Some(s) != stem.as_ref());
    v.sort();
    v.dedup();
    v
}

/// 海南州 → 海南, 互助县 → 互助, 平安区 → 平安: the short name without its level suffix.
fn bare_stem(short_name: &str) -> Option<String> {
    let c = compact(short_name);
    let stem = c.strip_suffix(['州', '县', '区', '市', '旗'])?;
    (!stem.is_empty()).then(|| stem.to_string())
}
