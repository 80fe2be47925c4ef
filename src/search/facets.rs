//! Facet counting: one collector that counts every facet value and its ancestors in a single
//! pass (with the per-segment key cache that `index` keeps), the counts as one tree per
//! dimension, and how the schema names places and indicators in filters.

use std::collections::BTreeMap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentReader};

use super::FacetCount;
use crate::fields::{FacetResolver, Registry};
use crate::index::{FacetKeyCache, FacetKeys};
use crate::schema::Schema;

/// Counts, for the hits, every facet value and every ancestor of one (`/place/630000` as well
/// as `/place/630000/630200`), each document once per value, in a single pass over each hit's
/// facet ordinals. tantivy's `FacetCollector` counts one level per collector, and the four
/// collectors the tree needs read every hit's ordinals four times: that was most of a search
/// request's time.
pub(super) struct AllFacets<'a> {
    pub field: &'static str,
    pub cache: &'a FacetKeyCache,
}

pub(super) struct AllFacetsSegment {
    reader: tantivy::fastfield::FacetReader,
    keys: Arc<FacetKeys>,
    counts: Vec<u64>,
    /// The last document (+1) counted for each value, so a document with two facets under one
    /// parent counts once for the parent.
    last_doc: Vec<u32>,
}

impl Collector for AllFacets<'_> {
    type Fruit = BTreeMap<String, u64>;
    type Child = AllFacetsSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<AllFacetsSegment> {
        let reader = segment.facet_reader(self.field)?;
        let keys = self.cache.get(segment, &reader)?;
        let n = keys.paths().len();
        Ok(AllFacetsSegment {
            reader,
            keys,
            counts: vec![0; n],
            last_doc: vec![0; n],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<BTreeMap<String, u64>>,
    ) -> tantivy::Result<BTreeMap<String, u64>> {
        let mut all = BTreeMap::new();
        for fruit in fruits {
            for (path, count) in fruit {
                *all.entry(path).or_insert(0) += count;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for AllFacetsSegment {
    type Fruit = BTreeMap<String, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        let stamp = doc + 1;
        let keys = &*self.keys;
        for ord in self.reader.facet_ords(doc) {
            for &k in keys.keys_of(ord as usize) {
                let k = k as usize;
                if self.last_doc[k] != stamp {
                    self.last_doc[k] = stamp;
                    self.counts[k] += 1;
                }
            }
        }
    }

    fn harvest(self) -> BTreeMap<String, u64> {
        let paths = self.keys.paths();
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, c)| (paths[i].clone(), *c))
            .collect()
    }
}

/// The facet counts as one tree per dimension of the field table, largest first.
pub(super) fn facet_tree(
    registry: &Registry,
    counts: &BTreeMap<String, u64>,
) -> BTreeMap<String, Vec<FacetCount>> {
    let mut by_parent: std::collections::HashMap<&str, Vec<(&str, u64)>> = Default::default();
    for (path, &count) in counts {
        if let Some((parent, _)) = path.rsplit_once('/') {
            by_parent
                .entry(parent)
                .or_default()
                .push((path.as_str(), count));
        }
    }
    fn children(
        by_parent: &std::collections::HashMap<&str, Vec<(&str, u64)>>,
        parent: &str,
    ) -> Vec<FacetCount> {
        let mut out: Vec<FacetCount> = by_parent
            .get(parent)
            .into_iter()
            .flatten()
            .map(|&(path, count)| FacetCount {
                path: path.to_string(),
                label: path.rsplit('/').next().unwrap_or("").to_string(),
                count,
                children: children(by_parent, path),
            })
            .collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then(a.path.cmp(&b.path)));
        out
    }
    let mut out = BTreeMap::new();
    for dim in registry.dimensions {
        // The children of each dimension: the prefectures under /place, the years under /date.
        let c = children(&by_parent, &format!("/{}", dim.name));
        if !c.is_empty() {
            out.insert(dim.name.to_string(), c);
        }
    }
    out
}

/// Query filters name places and indicators the way users do (codes, names, aliases). Here and
/// not in `schema` so that the vocabulary does not depend on search.
impl FacetResolver for Schema {
    fn resolve_place_facet(&self, value: &str) -> Option<String> {
        self.resolve_place(value)
            .and_then(|d| self.place_facet(&d.code))
    }
    fn resolve_indicator_facet(&self, value: &str) -> Option<String> {
        self.resolve_indicator(value)
            .and_then(|i| self.indicator_facet(&i.code))
    }
    fn county_code(&self, prefecture: &str, county: &str) -> Option<String> {
        let p = self.resolve_place(prefecture)?;
        self.counties_of(&p.code)
            .into_iter()
            .find(|d| d.short_name == county || d.name == county)
            .map(|d| d.code.clone())
    }
}
