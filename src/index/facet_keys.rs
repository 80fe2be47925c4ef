//! Which facet values each facet ordinal of an index segment counts for, cached per segment.
//! It belongs to the index, not to search: it depends only on a segment's facet dictionary,
//! which never changes once written, and [`super::SearchIndex`] owns the cache so that it lives
//! as long as the index it describes (search's facet collector only reads it).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::fastfield::FacetReader;
use tantivy::index::SegmentId;
use tantivy::schema::Facet;
use tantivy::SegmentReader;

/// Per index segment: which facet values each of its facet ordinals counts for. It depends
/// only on the segment, which never changes once written, so it is built once per segment
/// instead of on every search.
#[derive(Default)]
pub struct FacetKeyCache(Mutex<HashMap<SegmentId, Arc<FacetKeys>>>);

pub struct FacetKeys {
    /// For each facet ordinal of the segment, the values it counts for (itself and ancestors):
    /// `key_start[ord]..key_start[ord + 1]` in `keys`, flat so the per-hit loop stays in cache.
    key_start: Vec<u32>,
    keys: Vec<u32>,
    paths: Vec<String>,
}

impl FacetKeys {
    fn build(reader: &FacetReader) -> tantivy::Result<FacetKeys> {
        let mut index: HashMap<String, u32> = Default::default();
        let mut paths = Vec::new();
        let mut key_start = Vec::with_capacity(reader.num_facets() + 1);
        let mut keys = Vec::new();
        let mut facet = Facet::root();
        for ord in 0..reader.num_facets() as u64 {
            reader.facet_from_ord(ord, &mut facet)?;
            let path = facet.to_path_string();
            key_start.push(keys.len() as u32);
            // "/place/630000/630200" counts for "/place", "/place/630000" and itself.
            for i in path
                .match_indices('/')
                .skip(1)
                .map(|(i, _)| i)
                .chain(std::iter::once(path.len()))
            {
                let prefix = &path[..i];
                let key = *index.entry(prefix.to_string()).or_insert_with(|| {
                    paths.push(prefix.to_string());
                    (paths.len() - 1) as u32
                });
                keys.push(key);
            }
        }
        key_start.push(keys.len() as u32);
        Ok(FacetKeys {
            key_start,
            keys,
            paths,
        })
    }

    /// The values (indexes into [`FacetKeys::paths`]) that facet ordinal `ord` counts for.
    #[inline]
    pub fn keys_of(&self, ord: usize) -> &[u32] {
        let (from, to) = (
            self.key_start[ord] as usize,
            self.key_start[ord + 1] as usize,
        );
        &self.keys[from..to]
    }

    /// Every value some ordinal counts for, by key.
    pub fn paths(&self) -> &[String] {
        &self.paths
    }
}

impl FacetKeyCache {
    pub fn get(
        &self,
        segment: &SegmentReader,
        reader: &FacetReader,
    ) -> tantivy::Result<Arc<FacetKeys>> {
        let id = segment.segment_id();
        if let Some(k) = self.0.lock().unwrap_or_else(|p| p.into_inner()).get(&id) {
            return Ok(Arc::clone(k));
        }
        let keys = Arc::new(FacetKeys::build(reader)?);
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // Segments merged away are never asked for again; forget them now and then.
        if map.len() >= 64 {
            map.clear();
        }
        map.insert(id, Arc::clone(&keys));
        Ok(keys)
    }
}
