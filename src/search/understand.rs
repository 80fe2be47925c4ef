//! Queries typed the way people type into Baidu: `海东市 科普大篷车 2019` means "in 海东市, about
//! 科普大篷车, in 2019", not "every file whose text holds all three words". Words that name a
//! place, an indicator code, a year or a month, a media type or a flag become filters (the page
//! shows them as chips the user can remove), and stay as optional words that rank the files
//! whose text also names them first. The rest stays text.
//!
//! Only plain words of the top level are read this way: a quoted `"2019"`, a word under `OR`
//! or `NOT`, inside parentheses or after `field:` keeps its literal meaning, so a user can
//! always ask for the text itself.

use crate::fields::{flag_by_word, month_word, year_word, FacetResolver, Registry};
use crate::record::Media;

use super::query::{parse_in, Node};

/// One word read as a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognised {
    /// As typed, for the chip and for taking it out of the query again.
    pub word: String,
    pub field: &'static str,
    pub value: String,
}

/// A query with its recognised words taken out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Understood {
    /// The query without the recognised words (the same query when none was).
    pub query: String,
    pub filters: Vec<Recognised>,
}

/// What `word` stands for, if it names something the filters know.
fn recognise(resolver: &dyn FacetResolver, word: &str) -> Option<(&'static str, String)> {
    if let Some((y, m)) = month_word(word) {
        return Some(("date", format!("{y}-{m:02}")));
    }
    // A bare four-digit number is a year only in the years evidence can have.
    if let Some(y) = year_word(word) {
        let n: u32 = y.parse().ok()?;
        return (1990..=2100).contains(&n).then(|| ("year", y.to_string()));
    }
    if let Some(m) = Media::parse(word).filter(|_| !word.is_ascii()) {
        return Some(("media", m.as_str().to_string()));
    }
    if !word.is_ascii() {
        if let Some(flag) = flag_by_word(word) {
            return Some(("flag", flag.to_string()));
        }
        // Places by their Chinese names (codes and pinyin stay words: a number in a text is
        // rarely a place).
        if resolver.resolve_place_facet(word).is_some() {
            return Some(("place", word.to_string()));
        }
    }
    let looks_like_code = word.len() <= 8
        && word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word[1..].starts_with(|c: char| c.is_ascii_digit())
        && word[1..].chars().all(|c| c.is_ascii_digit() || c == '.');
    if looks_like_code && resolver.resolve_indicator_facet(word).is_some() {
        return Some(("indicator", word.to_uppercase()));
    }
    None
}

/// Read the plain top-level words of `q`; a query that does not parse is left as it is (its
/// error is reported when it is run).
pub fn understand(registry: &Registry, resolver: &dyn FacetResolver, q: &str) -> Understood {
    let words: Vec<String> = match parse_in(registry, q) {
        Ok(Some(Node::Word(w))) => vec![w],
        Ok(Some(Node::And(parts))) => parts
            .into_iter()
            .filter_map(|n| match n {
                Node::Word(w) => Some(w),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut filters = Vec::new();
    for w in words {
        if let Some((field, value)) = recognise(resolver, &w) {
            if !filters.iter().any(|r: &Recognised| r.word == w) {
                filters.push(Recognised {
                    word: w,
                    field,
                    value,
                });
            }
        }
    }
    let query = filters
        .iter()
        .fold(q.to_string(), |q, r| without_word(&q, &r.word));
    Understood { query, filters }
}

/// `q` without the whitespace-separated token `word` (its first occurrence).
pub fn without_word(q: &str, word: &str) -> String {
    let mut removed = false;
    q.split(|c: char| c.is_whitespace() || c == '\u{3000}')
        .filter(|t| !t.is_empty())
        .filter(|t| {
            if !removed && *t == word {
                removed = true;
                false
            } else {
                true
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;

    fn read(q: &str) -> (String, Vec<(&'static str, String)>) {
        let schema = Schema::embedded().unwrap();
        let u = understand(Registry::standard(), &schema, q);
        (
            u.query,
            u.filters.into_iter().map(|r| (r.field, r.value)).collect(),
        )
    }

    #[test]
    fn places_years_months_media_flags_and_codes_become_filters() {
        type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);
        let cases: &[Case] = &[
            (
                "海东市 科普大篷车 2019",
                "科普大篷车",
                &[("place", "海东市"), ("year", "2019")],
            ),
            (
                "互助县 2019年8月 照片",
                "",
                &[("place", "互助县"), ("date", "2019-08"), ("media", "photo")],
            ),
            ("2019年 科普日", "科普日", &[("year", "2019")]),
            (
                "B4.1 西宁市",
                "",
                &[("indicator", "B4.1"), ("place", "西宁市")],
            ),
            ("无法读取", "", &[("flag", "unreadable")]),
            ("视频 培训", "培训", &[("media", "video")]),
            // What stays text: words that name nothing, quoted words, OR, NOT, field values.
            ("科普 工作记录", "科普 工作记录", &[]),
            ("\"2019\" 总结", "\"2019\" 总结", &[]),
            ("海东市 OR 西宁市", "海东市 OR 西宁市", &[]),
            ("科普 -2019", "科普 -2019", &[]),
            ("name:海东市", "name:海东市", &[]),
            ("电话 630200 12345", "电话 630200 12345", &[]),
            ("photo 1980", "photo 1980", &[]),
            ("Z9.9", "Z9.9", &[]),
        ];
        for (q, rest, want) in cases {
            let (got_q, got) = read(q);
            let want: Vec<(&str, String)> = want.iter().map(|(f, v)| (*f, v.to_string())).collect();
            assert_eq!((got_q.as_str(), &got), (*rest, &want), "{q}");
        }
    }

    #[test]
    fn a_word_is_taken_out_once_and_whole() {
        assert_eq!(without_word("海东市 海东市科普", "海东市"), "海东市科普");
        assert_eq!(without_word("a  b\u{3000}c", "b"), "a c");
    }
}
