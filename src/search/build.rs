//! The tantivy query for a parsed query and a request's filters. A free-text term becomes one
//! phrase of its index tokens (bigrams for CJK, whole words for Latin and digits) per text
//! field, so a Chinese term matches only as the run typed; `~term` also accepts the term's
//! jieba words in any order. A `field:value` becomes what [`crate::fields`] says it means.

use crate::i18n::Msg;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, RegexQuery,
    TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::Term;

use super::query::{parse_in, Node};
use super::{FacetResolver, SearchRequest};
use crate::fields::{Kind, TextField};
use crate::index::{tokenizer, SearchIndex};
use crate::{Error, Result};

/// Where a word without a field is looked for.
const ALL_TEXT: &[TextField] = &[
    TextField::Name,
    TextField::Path,
    TextField::Body,
    TextField::Ocr,
];

/// How the characters of a free-text term must occur.
#[derive(Clone, Copy, PartialEq)]
enum Order {
    /// As typed: the term's tokens as one phrase (科普日 is not 科普…日).
    Exact,
    /// Also the term's jieba words each somewhere, in any order (`~科学素质` finds 素质…科学).
    Any,
}

struct Builder<'a> {
    idx: &'a SearchIndex,
    resolver: &'a dyn FacetResolver,
}

impl Builder<'_> {
    fn build(&self, node: &Node) -> Result<Box<dyn Query>> {
        Ok(match node {
            Node::Word(w) | Node::Phrase(w) => self.words(w, ALL_TEXT, Order::Exact),
            Node::AnyOrder(w) => self.words(w, ALL_TEXT, Order::Any),
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

    /// Free text against the given fields, file names weighted above folders above body text:
    /// the term's tokens as one phrase in any of them. With [`Order::Any`], a field holding all
    /// of the term's jieba words, each as a bigram phrase, matches too (ranked below the run).
    /// Exact terms do not segment: one phrase per field is the cheapest query that keeps the
    /// run, and jieba's words are all implied by it.
    fn words(&self, text: &str, which: &[TextField], order: Order) -> Box<dyn Query> {
        let f = &self.idx.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let words = match order {
            Order::Exact => Vec::new(),
            Order::Any => zh_words(self.idx, text),
        };
        for &which in which {
            let (ng, boost) = match which {
                TextField::Name => (f.name_ng, 3.0),
                TextField::Path => (f.path_ng, 1.5),
                TextField::Body => (f.text_ng, 1.0),
                // Below the file's own text: a misread character can make a phrase.
                TextField::Ocr => (f.ocr_ng, 0.7),
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

    /// A `field:value`: its meaning is the field table's (the same as in `archive list`).
    fn field(&self, field: &str, value: &str) -> Result<Box<dyn Query>> {
        let value = value.trim();
        let registry = self.idx.registry;
        let Some(def) = registry.by_name(field) else {
            return Err(Error::query(
                Msg::QueryUnknownField,
                &[("field", &field), ("fields", &registry.names().join(", "))],
            ));
        };
        match def.kind {
            Kind::Facet { to_facet, .. } => {
                let path = to_facet(self.resolver, value)?;
                let facet = Facet::from_text(&path)
                    .map_err(|_| Error::query(Msg::QueryBadFacetValue, &[("value", &value)]))?;
                // A facet term matches the paths below it too: tantivy indexes every ancestor.
                Ok(Box::new(TermQuery::new(
                    Term::from_facet(self.idx.fields.facet, &facet),
                    IndexRecordOption::Basic,
                )))
            }
            Kind::Text(which) => Ok(match value.strip_prefix(['~', '～']) {
                Some(rest) => self.words(rest, &[which], Order::Any),
                None => self.words(value, &[which], Order::Exact),
            }),
            Kind::Blake3 => blake3_query(self.idx.fields.blake3, value),
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
        .map_err(|e| {
            Error::query(
                Msg::QueryBadBlake3Regex,
                &[("value", &value), ("detail", &e)],
            )
        })
}

/// A `blake3:` value: 4 to 64 leading hex digits of a content hash, lower-cased. The same rule
/// for a query and for `archive list --filter`.
pub(super) fn hash_prefix(value: &str) -> Result<String> {
    let hex = value.trim().to_ascii_lowercase();
    if hex.len() < 4 || hex.len() > 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::query(Msg::QueryBadBlake3, &[("value", &value)]));
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
    if let Some(node) = parse_in(idx.registry, &req.query)? {
        clauses.push((Occur::Must, b.build(&node)?));
    }
    for (field, value) in &req.filters {
        let field = field.trim().to_lowercase();
        if idx.registry.by_name(&field).is_none() {
            return Err(Error::query(
                Msg::QueryUnknownFilter,
                &[
                    ("field", &field),
                    ("fields", &idx.registry.names().join(", ")),
                ],
            ));
        }
        clauses.push((Occur::Must, b.field(&field, value)?));
    }
    // Optional words only rank: with nothing required they would match nothing extra.
    if !clauses.is_empty() {
        for w in &req.ranking_words {
            clauses.push((Occur::Should, b.build(&Node::Word(w.clone()))?));
        }
    }
    Ok(match clauses.len() {
        0 => Box::new(AllQuery),
        1 if req.filters.is_empty() && req.ranking_words.is_empty() => clauses.pop().unwrap().1,
        _ => Box::new(BooleanQuery::new(clauses)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
