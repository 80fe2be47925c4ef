//! The vocabulary (`archive-schema/`): indicator catalog, gazetteer, boundaries. Data, not code:
//! users replace the catalog with their own rubric (评分细则).

/// The loaded, validated vocabulary.
#[derive(Debug, Clone, Default)]
pub struct Schema {}

impl Schema {
    pub fn embedded() -> crate::Result<Schema> {
        Ok(Schema {})
    }
    pub fn load(_dir: &std::path::Path) -> crate::Result<Schema> {
        Ok(Schema {})
    }
    pub fn fingerprint(&self) -> String {
        String::new()
    }
}

impl crate::search::FacetResolver for Schema {
    fn place_facet(&self, value: &str) -> Option<String> {
        crate::search::LiteralFacets.place_facet(value)
    }
    fn indicator_facet(&self, value: &str) -> Option<String> {
        crate::search::LiteralFacets.indicator_facet(value)
    }
}
