//! One query model for the CLI, the JSON API and the page.
//!
//! The language: words and `"phrases"` match file names, folder paths and document text;
//! `AND` (also implied between terms), `OR`, `NOT` / `-`, parentheses; `field:value` filters on
//! facets (`prefecture:海东市`, `county:互助县`, `indicator:B4.1`, `media:photo`, `year:2019`,
//! `date:2019-06`, `camera:HUAWEI`, `flag:no_indicator`, `status:missing`) or restricts a word
//! to one field (`name:`, `path:`, `text:`), and `blake3:` finds one content.
//! Parsing never fails on odd characters: unknown syntax is read as words. Unknown fields and
//! unbalanced parentheses are reported as errors a user can act on.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::{Collector, Count, MultiCollector, SegmentCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, RegexQuery,
    TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, DocId, Order, Score, SegmentReader, TantivyDocument, Term};

use crate::index::{tokenizer, SearchIndex};
use crate::record::Record;
use crate::{Error, Result};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Largest page of hits.
pub const MAX_LIMIT: usize = 500;

/// Turns user-facing names into facet paths; the schema implements it (codes and names both work).
pub trait FacetResolver {
    /// `海东市`, `海东`, `630200`, `互助县` → `/place/海东市` or `/place/海东市/互助土族自治县`.
    fn resolve_place_facet(&self, value: &str) -> Option<String>;
    /// `B4.1`, `b41`, `科普大篷车` → `/indicator/B/B4/B4.1`.
    fn resolve_indicator_facet(&self, value: &str) -> Option<String>;
}

/// Resolver used when no vocabulary is loaded: values are taken literally.
pub struct LiteralFacets;
impl FacetResolver for LiteralFacets {
    fn resolve_place_facet(&self, value: &str) -> Option<String> {
        Some(format!("/place/{value}"))
    }
    fn resolve_indicator_facet(&self, value: &str) -> Option<String> {
        Some(format!("/indicator/{value}"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Relevance,
    DateDesc,
    DateAsc,
}

#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    /// `(field, value)` pairs, combined with AND (the CLI's `--filter`, the page's chips).
    pub filters: Vec<(String, String)>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    pub facets: bool,
    pub snippets: bool,
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
    /// Facet trees keyed by dimension: media, date, camera, place, indicator, flag, status.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub facets: BTreeMap<String, Vec<FacetCount>>,
}

// ---------------------------------------------------------------- parsing

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Word(String),
    Phrase(String),
    Field(String, String),
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Phrase(String),
    Field(String, String),
    And,
    Or,
    Not,
    Open,
    Close,
}

pub const FIELDS: &[&str] = &[
    "prefecture",
    "county",
    "place",
    "indicator",
    "media",
    "type",
    "year",
    "date",
    "camera",
    "flag",
    "status",
    "name",
    "path",
    "text",
    "blake3",
];

fn lex(q: &str) -> Vec<Tok> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let read_quoted = |i: &mut usize| -> String {
        // at opening quote
        let close = if chars[*i] == '“' { '”' } else { chars[*i] };
        *i += 1;
        let start = *i;
        while *i < chars.len() && chars[*i] != close && !(close == '"' && chars[*i] == '”') {
            *i += 1;
        }
        let s: String = chars[start..*i].iter().collect();
        *i += 1; // closing quote (or end)
        s
    };
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() || c == '\u{3000}' {
            i += 1;
        } else if c == '(' || c == '（' {
            out.push(Tok::Open);
            i += 1;
        } else if c == ')' || c == '）' {
            out.push(Tok::Close);
            i += 1;
        } else if c == '"' || c == '“' {
            out.push(Tok::Phrase(read_quoted(&mut i)));
        } else if (c == '-' || c == '!') && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
            out.push(Tok::Not);
            i += 1;
        } else {
            let start = i;
            let mut quoted_field = false;
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '(' | ')' | '（' | '）' | '"' | '“' | '\u{3000}')
            {
                // field:"quoted value"
                if (chars[i] == ':' || chars[i] == '：')
                    && i + 1 < chars.len()
                    && (chars[i + 1] == '"' || chars[i + 1] == '“')
                {
                    let field: String = chars[start..i].iter().collect();
                    i += 1;
                    let value = read_quoted(&mut i);
                    out.push(Tok::Field(field.to_lowercase(), value));
                    quoted_field = true;
                    break;
                }
                i += 1;
            }
            if quoted_field {
                continue;
            }
            if start == i {
                i += 1;
                continue;
            }
            let word: String = chars[start..i].iter().collect();
            match word.as_str() {
                "AND" | "&&" => out.push(Tok::And),
                "OR" | "||" => out.push(Tok::Or),
                "NOT" => out.push(Tok::Not),
                _ => {
                    let split = word.find([':', '：']);
                    match split {
                        Some(p)
                            if p > 0
                                && p + word[p..].chars().next().unwrap().len_utf8()
                                    < word.len() =>
                        {
                            let sep_len = word[p..].chars().next().unwrap().len_utf8();
                            let field = word[..p].to_lowercase();
                            let value = &word[p + sep_len..];
                            // `http://…` and `12:30` are words, not fields.
                            let looks_like_field = field
                                .starts_with(|c: char| c.is_ascii_alphabetic())
                                && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                                && !value.starts_with('/');
                            if looks_like_field {
                                out.push(Tok::Field(field, word[p + sep_len..].to_string()));
                            } else {
                                out.push(Tok::Word(word));
                            }
                        }
                        _ => out.push(Tok::Word(word)),
                    }
                }
            }
        }
    }
    out
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }
    fn or(&mut self) -> Result<Option<Node>> {
        let mut parts = Vec::new();
        if let Some(n) = self.and()? {
            parts.push(n);
        }
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            if let Some(n) = self.and()? {
                parts.push(n);
            }
        }
        Ok(match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(Node::Or(parts)),
        })
    }
    fn and(&mut self) -> Result<Option<Node>> {
        let mut parts = Vec::new();
        loop {
            match self.peek() {
                None | Some(Tok::Or) | Some(Tok::Close) => break,
                Some(Tok::And) => {
                    self.at += 1;
                }
                _ => {
                    if let Some(n) = self.unary()? {
                        parts.push(n);
                    }
                }
            }
        }
        Ok(match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(Node::And(parts)),
        })
    }
    fn unary(&mut self) -> Result<Option<Node>> {
        match self.toks.get(self.at).cloned() {
            Some(Tok::Not) => {
                self.at += 1;
                Ok(self.unary()?.map(|n| Node::Not(Box::new(n))))
            }
            Some(Tok::Open) => {
                self.at += 1;
                self.depth += 1;
                if self.depth > 32 {
                    return Err(Error::Query(
                        "parentheses are nested too deeply (32 levels at most)".into(),
                    ));
                }
                let inner = self.or()?;
                if self.peek() != Some(&Tok::Close) {
                    return Err(Error::Query("a '(' has no matching ')'".into()));
                }
                self.at += 1;
                self.depth -= 1;
                Ok(inner)
            }
            Some(Tok::Close) => Err(Error::Query("a ')' has no matching '('".into())),
            Some(Tok::Word(w)) => {
                self.at += 1;
                Ok(Some(Node::Word(w)))
            }
            Some(Tok::Phrase(p)) => {
                self.at += 1;
                Ok(if p.trim().is_empty() {
                    None
                } else {
                    Some(Node::Phrase(p))
                })
            }
            Some(Tok::Field(f, v)) => {
                self.at += 1;
                if !FIELDS.contains(&f.as_str()) {
                    return Err(Error::Query(format!(
                        "unknown field '{f}:'; fields are {}",
                        FIELDS.join(", ")
                    )));
                }
                Ok(Some(Node::Field(f, v)))
            }
            Some(Tok::And) | Some(Tok::Or) => {
                self.at += 1;
                Ok(None)
            }
            None => Ok(None),
        }
    }
}

/// Parse a query string. `None` means "everything".
pub fn parse(q: &str) -> Result<Option<Node>> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::Query(format!(
            "the query is longer than {MAX_QUERY_CHARS} characters"
        )));
    }
    let mut p = Parser {
        toks: lex(q),
        at: 0,
        depth: 0,
    };
    let node = p.or()?;
    if p.at < p.toks.len() {
        return Err(Error::Query("a ')' has no matching '('".into()));
    }
    Ok(node)
}

// ---------------------------------------------------------------- building

struct Builder<'a> {
    idx: &'a SearchIndex,
    resolver: &'a dyn FacetResolver,
}

impl Builder<'_> {
    fn build(&self, node: &Node) -> Result<Box<dyn Query>> {
        Ok(match node {
            Node::Word(w) => self.words(w, &["name", "path", "text"]),
            Node::Phrase(p) => self.words(p, &["name", "path", "text"]),
            Node::Field(f, v) => self.field(f, v)?,
            Node::And(parts) => {
                let mut clauses = Vec::new();
                for p in parts {
                    match p {
                        Node::Not(inner) => clauses.push((Occur::MustNot, self.build(inner)?)),
                        _ => clauses.push((Occur::Must, self.build(p)?)),
                    }
                }
                if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Node::Or(parts) => {
                let clauses = parts
                    .iter()
                    .map(|p| Ok((Occur::Should, self.build(p)?)))
                    .collect::<Result<Vec<_>>>()?;
                Box::new(BooleanQuery::new(clauses))
            }
            Node::Not(inner) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery)),
                (Occur::MustNot, self.build(inner)?),
            ])),
        })
    }

    /// Free text against the given fields: the bigram phrase (exact substring recall) plus the
    /// query's jieba words, each as a bigram phrase (the words of one term in any order); file
    /// names weighted above folders above body text. The index holds bigrams only.
    fn words(&self, text: &str, which: &[&str]) -> Box<dyn Query> {
        let f = &self.idx.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let words = zh_words(self.idx, text);
        for &which in which {
            let (ng, boost) = match which {
                "name" => (f.name_ng, 3.0),
                "path" => (f.path_ng, 1.5),
                _ => (f.text_ng, 1.0),
            };
            if let Some(q) = ngram_query(ng, text) {
                clauses.push((Occur::Should, Box::new(BoostQuery::new(q, boost))));
            }
            if let Some(q) = words_as_ngrams(ng, &words) {
                clauses.push((Occur::Should, Box::new(BoostQuery::new(q, boost * 0.5))));
            }
        }
        if clauses.is_empty() {
            // Only punctuation: nothing to look for, so nothing matches rather than everything.
            return Box::new(EmptyQuery);
        }
        Box::new(BooleanQuery::new(clauses))
    }

    fn field(&self, field: &str, value: &str) -> Result<Box<dyn Query>> {
        let value = value.trim();
        let facet = |path: String| -> Result<Box<dyn Query>> {
            let facet = Facet::from_text(&path)
                .map_err(|_| Error::Query(format!("'{value}' cannot be a facet value")))?;
            Ok(Box::new(TermQuery::new(
                Term::from_facet(self.idx.fields.facet, &facet),
                IndexRecordOption::Basic,
            )))
        };
        match field {
            "prefecture" | "county" | "place" => match self.resolver.resolve_place_facet(value) {
                Some(p) => facet(p),
                None => Err(Error::Query(format!(
                    "'{value}' is not a prefecture or county this archive knows"
                ))),
            },
            "indicator" => match self.resolver.resolve_indicator_facet(value) {
                Some(p) => facet(p),
                None => Err(Error::Query(format!(
                    "'{value}' is not an indicator code or name in the catalog"
                ))),
            },
            "media" | "type" => match crate::record::Media::parse(&value.to_lowercase()) {
                Some(m) => facet(format!("/media/{}", m.as_str())),
                None => Err(Error::Query(format!(
                    "media '{value}' is not one of photo, video, document, other"
                ))),
            },
            "year" => {
                if value.len() == 4 && value.bytes().all(|b| b.is_ascii_digit()) {
                    facet(format!("/date/{value}"))
                } else if value == "unknown" {
                    facet("/date/unknown".into())
                } else {
                    Err(Error::Query(format!(
                        "year '{value}' is not a year like 2019"
                    )))
                }
            }
            "date" => {
                let parts: Vec<&str> = value.split(['-', '/', '.']).collect();
                match parts.as_slice() {
                    [y] if y.len() == 4 => facet(format!("/date/{y}")),
                    [y, m]
                        if y.len() == 4
                            && m.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m)) =>
                    {
                        facet(format!("/date/{y}/{:02}", m.parse::<u32>().unwrap()))
                    }
                    _ if value == "unknown" => facet("/date/unknown".into()),
                    _ => Err(Error::Query(format!(
                        "date '{value}' is not a year or month like 2019-06"
                    ))),
                }
            }
            "camera" => facet(format!("/camera/{}", crate::index::facet_segment(value))),
            "flag" => facet(format!("/flag/{value}")),
            "status" => facet(format!("/status/{}", value.to_lowercase())),
            "name" | "path" | "text" => Ok(self.words(value, &[field])),
            "blake3" => blake3_query(self.idx.fields.blake3, value),
            _ => Err(Error::Query(format!(
                "unknown field '{field}:'; fields are {}",
                FIELDS.join(", ")
            ))),
        }
    }
}

/// Files whose content's BLAKE3 starts with the given hex digits (at least 4, as with git's
/// abbreviated hashes). The index keys contents by their first [`BLAKE3_KEY_HEX`] digits;
/// digits beyond those are not compared (two contents agreeing on 64 bits is a 1 in 10^19
/// chance per pair).
///
/// [`BLAKE3_KEY_HEX`]: crate::index::BLAKE3_KEY_HEX
fn blake3_query(field: Field, value: &str) -> Result<Box<dyn Query>> {
    let hex = hash_prefix(value)?;
    let key = crate::index::BLAKE3_KEY_HEX;
    if hex.len() >= key {
        return Ok(Box::new(TermQuery::new(
            Term::from_field_text(field, &hex[..key]),
            IndexRecordOption::Basic,
        )));
    }
    // Only hex digits reach the pattern: nothing in it needs escaping.
    RegexQuery::from_pattern(&format!("{hex}.*"), field)
        .map(|q| Box::new(q) as Box<dyn Query>)
        .map_err(|e| Error::Query(format!("blake3 '{value}': {e}")))
}

/// A `blake3:` value: 4 to 64 leading hex digits of a content hash, lower-cased. The same rule
/// for a query and for `archive list --filter`.
fn hash_prefix(value: &str) -> Result<String> {
    let hex = value.trim().to_ascii_lowercase();
    if hex.len() < 4 || hex.len() > 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::Query(format!(
            "blake3 '{value}' is not a content hash: give 4 to 64 of its hex digits (0-9, a-f)"
        )));
    }
    Ok(hex)
}

fn ngram_query(field: Field, text: &str) -> Option<Box<dyn Query>> {
    let toks = tokenizer::ngram_tokens(text);
    match toks.len() {
        0 => None,
        1 => {
            let t = &toks[0].text;
            let single_cjk = t.chars().count() == 1 && t.chars().all(tokenizer::is_cjk);
            if single_cjk {
                // One character is not a bigram: match it at either end of any bigram.
                let c = regex_escape(t);
                RegexQuery::from_pattern(&format!("{c}.?|.{c}"), field)
                    .ok()
                    .map(|q| Box::new(q) as Box<dyn Query>)
            } else {
                Some(Box::new(TermQuery::new(
                    Term::from_field_text(field, t),
                    IndexRecordOption::WithFreqs,
                )))
            }
        }
        _ => Some(Box::new(PhraseQuery::new(
            toks.iter()
                .map(|t| Term::from_field_text(field, &t.text))
                .collect(),
        ))),
    }
}

/// The query's jieba words, lower-cased, without punctuation, sorted and deduplicated.
fn zh_words(idx: &SearchIndex, text: &str) -> Vec<String> {
    let Some(mut analyzer) = idx.index.tokenizers().get(tokenizer::ZH) else {
        return Vec::new();
    };
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while stream.advance() {
        let t = stream.token().text.trim().to_string();
        if t.chars().any(|c| c.is_alphanumeric()) {
            words.push(t);
        }
    }
    words.sort();
    words.dedup();
    words
}

/// Every jieba word of the query must occur, each as a bigram phrase. A single word adds
/// nothing to the plain bigram phrase, so it is left out.
fn words_as_ngrams(field: Field, words: &[String]) -> Option<Box<dyn Query>> {
    let words = without_implied(words);
    if words.len() < 2 {
        return None;
    }
    let clauses = words
        .iter()
        .map(|w| ngram_query(field, w).map(|q| (Occur::Must, q)))
        .collect::<Option<Vec<_>>>()?;
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// The words that no longer word of the list implies. jieba's search mode gives 青少 and 少年
/// beside 青少年; once 青少年 must occur as a phrase of bigrams, so do they (a CJK word's
/// bigrams are a run of the longer word's), and their phrases only cost matching time: they
/// were half of the slowest benchmark query. Latin words are kept: "abc" is not a token of
/// "abcd".
fn without_implied(words: &[String]) -> Vec<&String> {
    words
        .iter()
        .filter(|&w| {
            let w = String::as_str(w);
            let cjk = w.chars().all(tokenizer::is_cjk);
            !(cjk && words.iter().any(|o| o.len() > w.len() && o.contains(w)))
        })
        .collect()
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

/// The full query for a request: the parsed query AND every filter.
pub fn build_query(
    idx: &SearchIndex,
    resolver: &dyn FacetResolver,
    req: &SearchRequest,
) -> Result<Box<dyn Query>> {
    let b = Builder { idx, resolver };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(node) = parse(&req.query)? {
        clauses.push((Occur::Must, b.build(&node)?));
    }
    for (field, value) in &req.filters {
        let field = field.trim().to_lowercase();
        if !FIELDS.contains(&field.as_str()) {
            return Err(Error::Query(format!(
                "unknown filter field '{field}'; fields are {}",
                FIELDS.join(", ")
            )));
        }
        clauses.push((Occur::Must, b.field(&field, value)?));
    }
    Ok(match clauses.len() {
        0 => Box::new(AllQuery),
        1 if req.filters.is_empty() => clauses.pop().unwrap().1,
        _ => Box::new(BooleanQuery::new(clauses)),
    })
}

// ---------------------------------------------------------------- executing

const DIMENSIONS: &[&str] = &[
    "media",
    "date",
    "camera",
    "place",
    "indicator",
    "flag",
    "status",
];

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

    let (name_gen, text_gen) = if req.snippets {
        let mut n = SnippetGenerator::create(&searcher, &*query, f.name_ng)?;
        n.set_max_num_chars(200);
        let mut t = SnippetGenerator::create(&searcher, &*query, f.text_ng)?;
        t.set_max_num_chars(160);
        (Some(n), Some(t))
    } else {
        (None, None)
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
                    html_escape(&file_name)
                } else {
                    snippet_html(&s)
                }
            }
            None => html_escape(&file_name),
        };
        let snippet_html = text_gen.as_ref().and_then(|g| {
            let s = g.snippet_from_doc(&doc);
            (!s.highlighted().is_empty()).then(|| snippet_html(&s))
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
        facet_tree(&facet_counts)
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

/// Counts, for the hits, every facet value and every ancestor of one (`/place/630000` as well
/// as `/place/630000/630200`), each document once per value, in a single pass over each hit's
/// facet ordinals. tantivy's `FacetCollector` counts one level per collector, and the four
/// collectors the tree needs read every hit's ordinals four times: that was most of a search
/// request's time.
struct AllFacets<'a> {
    field: &'static str,
    cache: &'a FacetKeyCache,
}

/// Per index segment: which facet values each of its facet ordinals counts for. It depends
/// only on the segment, which never changes once written, so it is built once per segment
/// instead of on every search.
#[derive(Default)]
pub struct FacetKeyCache(
    std::sync::Mutex<std::collections::HashMap<tantivy::index::SegmentId, Arc<FacetKeys>>>,
);

pub struct FacetKeys {
    /// For each facet ordinal of the segment, the values it counts for (itself and ancestors):
    /// `key_start[ord]..key_start[ord + 1]` in `keys`, flat so the per-hit loop stays in cache.
    key_start: Vec<u32>,
    keys: Vec<u32>,
    paths: Vec<String>,
}

impl FacetKeys {
    fn build(reader: &tantivy::fastfield::FacetReader) -> tantivy::Result<FacetKeys> {
        let mut index: std::collections::HashMap<String, u32> = Default::default();
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
}

impl FacetKeyCache {
    fn get(
        &self,
        segment: &SegmentReader,
        reader: &tantivy::fastfield::FacetReader,
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

struct AllFacetsSegment {
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
        let n = keys.paths.len();
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
            let ord = ord as usize;
            let (from, to) = (
                keys.key_start[ord] as usize,
                keys.key_start[ord + 1] as usize,
            );
            for &k in &keys.keys[from..to] {
                let k = k as usize;
                if self.last_doc[k] != stamp {
                    self.last_doc[k] = stamp;
                    self.counts[k] += 1;
                }
            }
        }
    }

    fn harvest(self) -> BTreeMap<String, u64> {
        let paths = &self.keys.paths;
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, c)| (paths[i].clone(), *c))
            .collect()
    }
}

/// The facet counts as one tree per dimension, largest first.
fn facet_tree(counts: &BTreeMap<String, u64>) -> BTreeMap<String, Vec<FacetCount>> {
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
    for dim in DIMENSIONS {
        // The children of each dimension: the prefectures under /place, the years under /date.
        let c = children(&by_parent, &format!("/{dim}"));
        if !c.is_empty() {
            out.insert(dim.to_string(), c);
        }
    }
    out
}

pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Merge touching highlight ranges (bigrams overlap) and wrap them in `<b>`.
fn snippet_html(s: &tantivy::snippet::Snippet) -> String {
    let text = s.fragment();
    let mut ranges: Vec<std::ops::Range<usize>> = s.highlighted().to_vec();
    ranges.sort_by_key(|r| r.start);
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let mut out = String::new();
    let mut at = 0;
    for r in merged {
        out.push_str(&html_escape(&text[at..r.start]));
        out.push_str("<b>");
        out.push_str(&html_escape(&text[r.start..r.end]));
        out.push_str("</b>");
        at = r.end;
    }
    out.push_str(&html_escape(&text[at..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &str) -> Option<Node> {
        parse(q).unwrap()
    }
    fn w(s: &str) -> Node {
        Node::Word(s.into())
    }

    #[test]
    fn words_implied_by_a_longer_word_are_dropped() {
        let kept = |ws: &[&str]| {
            let ws: Vec<String> = ws.iter().map(|s| s.to_string()).collect();
            without_implied(&ws)
                .into_iter()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(kept(&["少年", "青少", "青少年"]), ["青少年"]);
        assert_eq!(kept(&["周", "活动周", "科技"]), ["活动周", "科技"]);
        assert_eq!(
            kept(&["科技", "活动", "周"]),
            ["科技", "活动", "周"],
            "words of different parts all stay"
        );
        // "abc" is a token of its own, not part of the token "abcd".
        assert_eq!(kept(&["abc", "abcd"]), ["abc", "abcd"]);
    }

    #[test]
    fn parses_the_query_language() {
        assert_eq!(p(""), None);
        assert_eq!(p("科普"), Some(w("科普")));
        assert_eq!(
            p("科普 大篷车"),
            Some(Node::And(vec![w("科普"), w("大篷车")]))
        );
        assert_eq!(
            p("科普 OR 宣传"),
            Some(Node::Or(vec![w("科普"), w("宣传")]))
        );
        assert_eq!(
            p("科普 -会议"),
            Some(Node::And(vec![w("科普"), Node::Not(Box::new(w("会议")))]))
        );
        assert_eq!(
            p("\"科技 活动周\""),
            Some(Node::Phrase("科技 活动周".into()))
        );
        assert_eq!(
            p("prefecture:海东市"),
            Some(Node::Field("prefecture".into(), "海东市".into()))
        );
        assert_eq!(
            p("县区：互助县"),
            Some(w("县区：互助县")),
            "non-ASCII field names stay words"
        );
        assert_eq!(
            p("indicator:\"B4.1\""),
            Some(Node::Field("indicator".into(), "B4.1".into()))
        );
        assert_eq!(
            p("(科普 OR 科技) 2019"),
            Some(Node::And(vec![
                Node::Or(vec![w("科普"), w("科技")]),
                w("2019")
            ]))
        );
        assert_eq!(
            p("http://x"),
            Some(w("http://x")),
            "a colon in a non-field word stays a word"
        );
    }

    #[test]
    fn bad_queries_are_explained() {
        for (q, needle) in [
            ("(科普", "no matching ')'"),
            ("科普)", "no matching '('"),
            ("foo:bar", "unknown field 'foo:'"),
        ] {
            let e = parse(q).unwrap_err().to_string();
            assert!(e.contains(needle), "{q}: {e}");
        }
        assert!(parse(&"科".repeat(MAX_QUERY_CHARS + 1)).is_err());
        // Odd characters never panic.
        for q in [
            "\"",
            "\"\"",
            "-",
            "--",
            "!!",
            "((()))",
            ":",
            "a:",
            ":b",
            "\0\u{feff}%",
            "“科普",
            "OR OR AND",
            "NOT",
        ] {
            let _ = parse(q);
        }
    }
}

/// A `--filter FIELD=VALUE` applied to catalog records (for `archive list`, which reads the
/// catalog rather than the index), with the same meaning as in a query.
pub enum RecordMatcher {
    Facet(String),
    Text { field: String, needle: String },
    Blake3(String),
}

impl RecordMatcher {
    pub fn new(resolver: &dyn FacetResolver, field: &str, value: &str) -> Result<RecordMatcher> {
        let value = value.trim();
        let facet = match field {
            "prefecture" | "county" | "place" => {
                resolver.resolve_place_facet(value).ok_or_else(|| {
                    Error::Query(format!(
                        "'{value}' is not a prefecture or county this archive knows"
                    ))
                })?
            }
            "indicator" => resolver.resolve_indicator_facet(value).ok_or_else(|| {
                Error::Query(format!(
                    "'{value}' is not an indicator code or name in the catalog"
                ))
            })?,
            "media" | "type" => format!(
                "/media/{}",
                crate::record::Media::parse(&value.to_lowercase())
                    .ok_or_else(|| Error::Query(format!(
                        "media '{value}' is not one of photo, video, document, other"
                    )))?
                    .as_str()
            ),
            "year" => format!("/date/{value}"),
            "date" => {
                let mut parts = value.splitn(2, ['-', '/', '.']);
                let y = parts.next().unwrap_or("");
                match parts.next().and_then(|m| m.parse::<u32>().ok()) {
                    Some(m) => format!("/date/{y}/{m:02}"),
                    None => format!("/date/{y}"),
                }
            }
            "camera" => format!("/camera/{}", crate::index::facet_segment(value)),
            "flag" => format!("/flag/{value}"),
            "status" => format!("/status/{}", value.to_lowercase()),
            "name" | "path" | "text" => {
                return Ok(RecordMatcher::Text {
                    field: field.to_string(),
                    needle: value.to_lowercase(),
                })
            }
            "blake3" => return Ok(RecordMatcher::Blake3(hash_prefix(value)?)),
            _ => {
                return Err(Error::Query(format!(
                    "unknown filter field '{field}'; fields are {}",
                    FIELDS.join(", ")
                )))
            }
        };
        Ok(RecordMatcher::Facet(facet))
    }

    pub fn matches(&self, r: &Record, tag_facets: &[String]) -> bool {
        match self {
            RecordMatcher::Facet(want) => crate::index::base_facets(r)
                .iter()
                .chain(tag_facets)
                .any(|f| f == want || f.starts_with(&format!("{want}/"))),
            RecordMatcher::Text { field, needle } => {
                let hay = match field.as_str() {
                    "name" => r.path.rsplit('/').next().unwrap_or("").to_lowercase(),
                    "path" => r.path.to_lowercase(),
                    _ => r.text_excerpt.clone().unwrap_or_default().to_lowercase(),
                };
                hay.contains(needle.as_str())
            }
            RecordMatcher::Blake3(prefix) => r
                .blake3
                .as_deref()
                .is_some_and(|b| b.starts_with(prefix.as_str())),
        }
    }
}
