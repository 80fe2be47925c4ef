//! `archive list --filter FIELD=VALUE`: the query language's fields applied to catalog records,
//! for a command that reads the catalog rather than the index. Facet fields use the field
//! table's value → facet rules and the record's facets exactly as the indexer computes them,
//! so a filter means the same here as in a search.
//!
//! One rule differs of necessity: `name:`, `path:` and `text:` are a case-insensitive substring
//! of the record here, and bigram phrases of the indexed text in a search (a record holds only
//! the first few hundred characters of a document's text).

use super::build::hash_prefix;
use crate::fields::{FacetResolver, Kind, Registry, TextField};
use crate::i18n::Msg;
use crate::record::Record;
use crate::{Error, Result};

/// One filter, resolved once (so that a typo fails before any output).
pub struct RecordMatcher {
    registry: &'static Registry,
    test: Test,
}

enum Test {
    /// The facet path, matched with the paths below it.
    Facet(String),
    Text {
        field: TextField,
        needle: String,
    },
    Blake3(String),
}

impl RecordMatcher {
    /// A filter on the standard fields.
    pub fn new(resolver: &dyn FacetResolver, field: &str, value: &str) -> Result<RecordMatcher> {
        RecordMatcher::in_registry(Registry::standard(), resolver, field, value)
    }

    /// A filter on the fields of `registry`.
    pub fn in_registry(
        registry: &'static Registry,
        resolver: &dyn FacetResolver,
        field: &str,
        value: &str,
    ) -> Result<RecordMatcher> {
        let value = value.trim();
        let Some(def) = registry.by_name(field) else {
            return Err(Error::query(
                Msg::QueryUnknownFilter,
                &[("field", &field), ("fields", &registry.names().join(", "))],
            ));
        };
        let test = match def.kind {
            Kind::Facet { to_facet, .. } => Test::Facet(to_facet(resolver, value)?),
            Kind::Text(field) => Test::Text {
                field,
                needle: value.to_lowercase(),
            },
            Kind::Blake3 => Test::Blake3(hash_prefix(value)?),
        };
        Ok(RecordMatcher { registry, test })
    }

    /// Whether the record, with the facets of its tagging, passes the filter.
    pub fn matches(&self, r: &Record, tag_facets: &[String]) -> bool {
        match &self.test {
            Test::Facet(want) => self
                .registry
                .record_facets(r)
                .iter()
                .chain(tag_facets)
                .any(|f| f == want || f.starts_with(&format!("{want}/"))),
            Test::Text { field, needle } => {
                let hay = match field {
                    TextField::Name => r.path.rsplit('/').next().unwrap_or("").to_lowercase(),
                    TextField::Path => r.path.to_lowercase(),
                    TextField::Body => r.text_excerpt.clone().unwrap_or_default().to_lowercase(),
                    // A record carries no recognised text (only how it was read): `list
                    // --filter ocr=…` matches nothing; searches use the index.
                    TextField::Ocr => String::new(),
                };
                hay.contains(needle.as_str())
            }
            Test::Blake3(prefix) => r
                .blake3
                .as_deref()
                .is_some_and(|b| b.starts_with(prefix.as_str())),
        }
    }
}
