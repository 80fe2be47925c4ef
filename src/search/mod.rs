//! One query model for the CLI, the JSON API and the page.
//!
//! The language: words and `"phrases"` match file names, folder paths and document text (a
//! Chinese run as typed; `~term` lets the term's words stand apart, in any order);
//! `AND` (also implied between terms), `OR`, `NOT` / `-`, parentheses; `field:value` filters on
//! facets (`prefecture:海东市`, `county:互助县`, `indicator:B4.1`, `media:photo`, `year:2019`,
//! `date:2019-06`, `camera:HUAWEI`, `flag:no_indicator`, `status:missing`) or restricts a word
//! to one field (`name:`, `path:`, `text:`), and `blake3:` finds one content.
//! Parsing never fails on odd characters: unknown syntax is read as words. Unknown fields and
//! unbalanced parentheses are reported as errors a user can act on.
//!
//! What each field means is in [`crate::fields`], shared with the indexer and the page. Here:
//! `query` parses the language, `build` turns it into a tantivy query, this file runs it,
//! `facets` counts facets, `snippet` highlights, and `filter` applies the same fields to
//! catalog records (`archive list`).

mod build;
mod facets;
mod filter;
#[cfg(test)]
mod phrase_tests;
mod query;
mod snippet;
#[cfg(test)]
mod tests;
mod understand;

use std::collections::BTreeMap;

use serde::Serialize;
use tantivy::collector::{Count, MultiCollector, TopDocs};
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, TantivyDocument};

pub use self::build::build_query;
use self::facets::{facet_tree, AllFacets};
pub use self::filter::RecordMatcher;
pub use self::query::{parse, parse_in, Node};
use self::snippet::snippet_html;
pub use self::understand::{understand, without_word, Recognised, Understood};
pub use crate::fields::{FacetResolver, LiteralFacets};
use crate::index::SearchIndex;
use crate::record::Record;
use crate::Result;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Largest page of hits.
pub const MAX_LIMIT: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Relevance,
    DateDesc,
    DateAsc,
}

/// Hashable so that the server can keep results keyed by the request itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SearchRequest {
    pub query: String,
    /// `(field, value)` pairs, combined with AND (the CLI's `--filter`, the page's chips).
    pub filters: Vec<(String, String)>,
    /// Words that rank the matches without being required (the words [`understand`] read as
    /// filters: a file about 海东市 in 海东市 comes before one only filed there).
    pub ranking_words: Vec<String>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    pub facets: bool,
    pub snippets: bool,
}

impl SearchRequest {
    /// The request with its plain words read as [`understand`] reads them: a place, a year,
    /// a month, a media type, a flag or an indicator code becomes a filter and a ranking word.
    pub fn understood(mut self, resolver: &dyn FacetResolver) -> SearchRequest {
        let u = understand(crate::fields::Registry::standard(), resolver, &self.query);
        if !u.filters.is_empty() {
            self.query = u.query;
            for r in u.filters {
                self.filters.push((r.field.to_string(), r.value));
                self.ranking_words.push(r.word);
            }
        }
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: u64,
    pub score: f32,
    /// The file's [`Record`] as the index stores it, passed on as JSON: parsing twenty records
    /// only to serialise them again was a tenth of answering a search over HTTP.
    /// [`Hit::record`] parses it for those who need its fields.
    #[serde(rename = "record")]
    pub record_json: Box<serde_json::value::RawValue>,
    /// File name with matches wrapped in `<b>`, HTML-escaped.
    pub name_html: String,
    /// A text excerpt with matches wrapped in `<b>`, HTML-escaped (documents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet_html: Option<String>,
}

impl Hit {
    /// The record's fields (`None` only if the index holds a record this build cannot read,
    /// which an index of another format is refused before).
    pub fn record(&self) -> Option<Record> {
        serde_json::from_str(self.record_json.get()).ok()
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FacetCount {
    pub path: String,
    pub label: String,
    pub count: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<FacetCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResponse {
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    pub hits: Vec<Hit>,
    /// Facet trees keyed by dimension (`fields::Dimension::name`): place, indicator, media,
    /// date, flag, camera, status.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub facets: BTreeMap<String, Vec<FacetCount>>,
}

pub fn search(
    idx: &SearchIndex,
    resolver: &dyn FacetResolver,
    req: &SearchRequest,
) -> Result<SearchResponse> {
    let limit = req.limit.clamp(1, MAX_LIMIT);
    let query = build_query(idx, resolver, req)?;
    let searcher = idx.reader.searcher();
    let f = &idx.fields;

    let mut multi = MultiCollector::new();
    let count_handle = multi.add_collector(Count);
    let facet_handle = req.facets.then(|| {
        multi.add_collector(AllFacets {
            field: "facet",
            cache: &idx.facet_keys,
        })
    });
    let top = TopDocs::with_limit(limit).and_offset(req.offset);
    let (docs, mut fruit): (Vec<(f32, DocAddress)>, _) = match req.sort {
        Sort::Relevance => {
            let h = multi.add_collector(top.order_by_score());
            let mut fruit = searcher.search(&query, &multi)?;
            (h.extract(&mut fruit), fruit)
        }
        Sort::DateDesc | Sort::DateAsc => {
            let order = if req.sort == Sort::DateDesc {
                Order::Desc
            } else {
                Order::Asc
            };
            let h = multi.add_collector(top.order_by_fast_field::<i64>("captured", order));
            let mut fruit = searcher.search(&query, &multi)?;
            (
                h.extract(&mut fruit)
                    .into_iter()
                    .map(|(_, d)| (0.0, d))
                    .collect(),
                fruit,
            )
        }
    };
    let total = count_handle.extract(&mut fruit);
    let facet_counts = facet_handle
        .map(|h| h.extract(&mut fruit))
        .unwrap_or_default();

    let (name_gen, text_gen, ocr_gen) = if req.snippets {
        let mut n = SnippetGenerator::create(&searcher, &*query, f.name_ng)?;
        n.set_max_num_chars(200);
        let mut t = SnippetGenerator::create(&searcher, &*query, f.text_ng)?;
        t.set_max_num_chars(160);
        let mut o = SnippetGenerator::create(&searcher, &*query, f.ocr_ng)?;
        o.set_max_num_chars(160);
        (Some(n), Some(t), Some(o))
    } else {
        (None, None, None)
    };

    let mut hits = Vec::with_capacity(docs.len());
    for (score, addr) in docs {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let id = doc.get_first(f.id).and_then(|v| v.as_u64()).unwrap_or(0);
        // Checked as JSON (a cheap scan), not parsed into a Record.
        let record_json = match doc
            .get_first(f.record)
            .and_then(|v| v.as_str())
            .map(|j| serde_json::value::RawValue::from_string(j.to_string()))
        {
            Some(Ok(r)) => r,
            _ => continue,
        };
        // The stored name field is the path's last part (what the record's path ends with).
        let file_name = doc
            .get_first(f.name_ng)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        let name_html = match &name_gen {
            Some(g) => {
                let s = g.snippet(&file_name);
                if s.highlighted().is_empty() {
                    crate::html::escape(&file_name)
                } else {
                    snippet_html(&s)
                }
            }
            None => crate::html::escape(&file_name),
        };
        let snippet_html = text_gen
            .as_ref()
            .and_then(|g| {
                let s = g.snippet_from_doc(&doc);
                (!s.highlighted().is_empty()).then(|| snippet_html(&s))
            })
            .or_else(|| {
                // Text read from a scan or a photo says so (a misread character is possible),
                // and on which page of a scan.
                let s = ocr_gen.as_ref()?.snippet_from_doc(&doc);
                if s.highlighted().is_empty() {
                    return None;
                }
                let stored = doc
                    .get_first(f.ocr_ng)
                    .and_then(|v| v.as_str())
                    .unwrap_or("");
                let label = if stored.contains('\u{c}') {
                    // The page of the first match (an excerpt may span a page break).
                    let first = s.highlighted().iter().map(|r| r.start).min().unwrap_or(0);
                    let at = s.fragment_range().start + first;
                    let page = crate::ocr::page_at(stored.trim(), at);
                    crate::i18n::Lang::Zh.fill(crate::i18n::Msg::OcrSnippetPage, &[("page", &page)])
                } else {
                    crate::i18n::Lang::Zh
                        .t(crate::i18n::Msg::OcrSnippet)
                        .to_string()
                };
                Some(format!(
                    "<span class=\"ocr\">{}</span> {}",
                    crate::html::escape(&label),
                    snippet_html(&s)
                ))
            });
        hits.push(Hit {
            id,
            score,
            record_json,
            name_html,
            snippet_html,
        });
    }

    let facets = if req.facets {
        facet_tree(idx.registry, &facet_counts)
    } else {
        BTreeMap::new()
    };
    Ok(SearchResponse {
        total,
        offset: req.offset,
        limit,
        hits,
        facets,
    })
}
