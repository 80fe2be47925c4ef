//! The URL state shared by the page and the API: query, filters (repeatable), sort, paging,
//! language. Parsed by hand because filters repeat (`f=prefecture:海东市&f=year:2019`), and
//! bounded here so no handler sees an oversized query or page.

use crate::search::{Sort, MAX_LIMIT, MAX_QUERY_CHARS};

use super::WebError;

/// Deepest page a request may ask for (tantivy collects offset + limit documents).
pub const MAX_OFFSET: usize = 100_000;
/// Filters per request; a real search uses a handful.
pub const MAX_FILTERS: usize = 24;

/// The interface language lives with the message catalogue; this path stays for the handlers.
pub use crate::i18n::Lang;

/// The language of a request from its `lang` parameter alone, for handlers (the curation
/// pages and their forms) that take no other URL state.
impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Lang, Self::Rejection> {
        Ok(lang_of(parts.uri.query()))
    }
}

/// `lang=en…` anywhere in a query string; Chinese otherwise (and for a malformed query, so
/// that its error page is in the language asked for).
pub fn lang_of(raw: Option<&str>) -> Lang {
    let en = form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .any(|(k, v)| k == "lang" && v.starts_with("en"));
    if en {
        Lang::En
    } else {
        Lang::Zh
    }
}

/// `path` with the language kept (`?lang=en` or `&lang=en` added for English).
pub fn with_lang(path: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => path.to_string(),
        Lang::En if path.contains('?') => format!("{path}&lang=en"),
        Lang::En => format!("{path}?lang=en"),
    }
}

#[derive(Debug, Clone, Default)]
pub struct Params {
    pub q: String,
    pub filters: Vec<(String, String)>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: Option<usize>,
    pub lang: Lang,
    /// A file id (detail page, download): which of the paths sharing a content.
    pub id: Option<i64>,
    /// Show the original in the browser instead of downloading it.
    pub inline: bool,
    /// Ledger: the prefecture whose counties are the columns.
    pub prefecture: Option<String>,
    /// Ledger: which files count (`period`, `accepted`, `all`); the default when absent.
    pub count: Option<crate::report::Counted>,
    /// Record page: its place (from 1) in the search given by `q`, `f` and `sort`, or in
    /// `collection`; previous and next follow it. Not carried by [`Params::href`].
    pub pos: Option<usize>,
    /// Record page: the collection it was opened from.
    pub collection: Option<String>,
}

fn bad(msg: String) -> WebError {
    WebError::BadRequest(msg)
}

/// `prefecture:海东市` (also `prefecture=海东市`, as the CLI writes it) → (field, value).
pub fn split_filter(f: &str) -> Option<(String, String)> {
    let (k, v) = f.split_once([':', '=', '：'])?;
    let (k, v) = (k.trim(), v.trim());
    (!k.is_empty() && !v.is_empty()).then(|| (k.to_lowercase(), v.to_string()))
}

pub fn parse_sort(s: &str) -> Option<Sort> {
    Some(match s {
        "" | "relevance" => Sort::Relevance,
        "date" | "date_desc" => Sort::DateDesc,
        "date_asc" => Sort::DateAsc,
        _ => return None,
    })
}

pub fn sort_str(s: Sort) -> &'static str {
    match s {
        Sort::Relevance => "relevance",
        Sort::DateDesc => "date_desc",
        Sort::DateAsc => "date_asc",
    }
}

impl Params {
    /// Parse a raw query string. Unknown parameters are ignored (links from elsewhere may add
    /// tracking junk); malformed known ones are a 400 with the reason.
    pub fn parse(raw: Option<&str>) -> Result<Params, WebError> {
        Params::from_pairs(form_urlencoded::parse(raw.unwrap_or("").as_bytes()))
    }

    /// The same from pairs already decoded (a posted form that carries a search).
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Params, WebError> {
        let mut p = Params::default();
        for (k, v) in pairs {
            let v = v.as_ref();
            match k.as_ref() {
                "q" => {
                    if v.chars().count() > MAX_QUERY_CHARS {
                        return Err(bad(format!(
                            "the query is longer than {MAX_QUERY_CHARS} characters; shorten it"
                        )));
                    }
                    p.q = v.to_string();
                }
                "f" | "filter" => {
                    if v.trim().is_empty() {
                        continue;
                    }
                    let (field, value) = split_filter(v).ok_or_else(|| {
                        bad(format!(
                            "filter {v:?} is not FIELD:VALUE (for example prefecture:海东市)"
                        ))
                    })?;
                    if value.chars().count() > 200 {
                        return Err(bad(format!("the value of filter {field} is too long")));
                    }
                    if !p.filters.contains(&(field.clone(), value.clone())) {
                        p.filters.push((field, value));
                    }
                    if p.filters.len() > MAX_FILTERS {
                        return Err(bad(format!("more than {MAX_FILTERS} filters; remove some")));
                    }
                }
                "sort" => {
                    p.sort = parse_sort(v).ok_or_else(|| {
                        bad(format!(
                            "sort {v:?} is not one of relevance, date_desc, date_asc"
                        ))
                    })?
                }
                "offset" => {
                    let n: usize = v
                        .trim()
                        .parse()
                        .map_err(|_| bad(format!("offset {v:?} is not a whole number")))?;
                    if n > MAX_OFFSET {
                        return Err(bad(format!("offset {n} is beyond the deepest page ({MAX_OFFSET}); narrow the search")));
                    }
                    p.offset = n;
                }
                "limit" => {
                    let n: usize = v
                        .trim()
                        .parse()
                        .map_err(|_| bad(format!("limit {v:?} is not a whole number")))?;
                    p.limit = Some(n.clamp(1, MAX_LIMIT));
                }
                "lang" => {
                    p.lang = if v.starts_with("en") {
                        Lang::En
                    } else {
                        Lang::Zh
                    }
                }
                "id" => {
                    p.id = Some(
                        v.trim()
                            .parse()
                            .map_err(|_| bad(format!("id {v:?} is not a file id")))?,
                    )
                }
                "inline" => p.inline = matches!(v, "1" | "true" | "yes"),
                "prefecture" if !v.trim().is_empty() => p.prefecture = Some(v.trim().to_string()),
                "count" if !v.trim().is_empty() => {
                    p.count = Some(crate::report::Counted::parse(v).ok_or_else(|| {
                        bad(format!(
                            "count {v:?}: 请用 period（考核期内）、accepted（未被否决）或 all（全部） / use period, accepted or all"
                        ))
                    })?)
                }
                "pos" => {
                    let n: usize = v
                        .trim()
                        .parse()
                        .map_err(|_| bad(format!("pos {v:?} is not a whole number")))?;
                    if n == 0 || n > MAX_OFFSET + MAX_LIMIT {
                        return Err(bad(format!("pos {n} is not a place in a list of results")));
                    }
                    p.pos = Some(n);
                }
                "collection" if !v.trim().is_empty() => p.collection = Some(v.trim().to_string()),
                _ => {}
            }
        }
        Ok(p)
    }

    pub fn has_filter(&self, field: &str, value: &str) -> bool {
        self.filters.iter().any(|(f, v)| f == field && v == value)
    }

    /// A link to `path` with this state changed by `edit` (paging resets unless `edit` sets it).
    pub fn href(&self, path: &str, edit: impl FnOnce(&mut Params)) -> String {
        let mut p = self.clone();
        p.offset = 0;
        edit(&mut p);
        let mut ser = form_urlencoded::Serializer::new(String::new());
        if !p.q.is_empty() {
            ser.append_pair("q", &p.q);
        }
        for (f, v) in &p.filters {
            ser.append_pair("f", &format!("{f}:{v}"));
        }
        if p.sort != Sort::Relevance {
            ser.append_pair("sort", sort_str(p.sort));
        }
        if p.offset > 0 {
            ser.append_pair("offset", &p.offset.to_string());
        }
        if let Some(pref) = &p.prefecture {
            ser.append_pair("prefecture", pref);
        }
        if let Some(c) = p.count {
            ser.append_pair("count", c.as_str());
        }
        if p.lang == Lang::En {
            ser.append_pair("lang", "en");
        }
        let qs = ser.finish();
        if qs.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{qs}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rebuilds_the_url_state() {
        let p = Params::parse(Some("q=%E7%A7%91%E6%99%AE&f=prefecture:%E6%B5%B7%E4%B8%9C%E5%B8%82&filter=year=2019&sort=date&offset=48&lang=en&utm=x")).unwrap();
        assert_eq!(p.q, "科普");
        assert_eq!(
            p.filters,
            vec![
                ("prefecture".into(), "海东市".into()),
                ("year".into(), "2019".into())
            ]
        );
        assert_eq!((p.sort, p.offset, p.lang), (Sort::DateDesc, 48, Lang::En));
        let again = Params::parse(Some(
            p.href("/", |p| p.offset = 48).split_once('?').unwrap().1,
        ))
        .unwrap();
        assert_eq!(
            (again.q, again.filters, again.offset, again.lang),
            (p.q.clone(), p.filters.clone(), 48, Lang::En)
        );
        assert!(
            !p.href("/", |_| {}).contains("offset"),
            "a changed search starts at the first page"
        );
    }

    #[test]
    fn bounds_and_mistakes_are_400() {
        for q in [
            "offset=-1",
            "offset=abc",
            "offset=100001",
            "sort=sideways",
            "f=nocolon",
            "id=x",
        ] {
            assert!(
                matches!(Params::parse(Some(q)), Err(WebError::BadRequest(_))),
                "{q}"
            );
        }
        let long = format!("q={}", "a".repeat(MAX_QUERY_CHARS + 1));
        assert!(Params::parse(Some(&long)).is_err());
        assert_eq!(
            Params::parse(Some("limit=100000")).unwrap().limit,
            Some(MAX_LIMIT)
        );
        assert_eq!(Params::parse(Some("limit=0")).unwrap().limit, Some(1));
    }
}
