//! Highlighted excerpts: tantivy's snippet ranges merged and wrapped in `<b>`, the rest
//! HTML-escaped (the page and the API show them as HTML).

use crate::html::escape;

/// Merge touching highlight ranges (bigrams overlap) and wrap them in `<b>`.
pub(super) fn snippet_html(s: &tantivy::snippet::Snippet) -> String {
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
        out.push_str(&escape(&text[at..r.start]));
        out.push_str("<b>");
        out.push_str(&escape(&text[r.start..r.end]));
        out.push_str("</b>");
        at = r.end;
    }
    out.push_str(&escape(&text[at..]));
    out
}
