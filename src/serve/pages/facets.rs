//! Every search field and facet as the page shows it: the labels of fields, media, flags,
//! statuses and tag sources, a filter's chip text, the filter a facet stands for, and the
//! facet tree of the sidebar.
//!
//! What a field or dimension is called and which filter a facet stands for come from the one
//! field table (`crate::fields`); this file adds only what is the page's own: labels of values
//! (media, flags, statuses, tag sources, dates) and the sidebar's tree.

use crate::i18n::{Lang, Msg};
use crate::search::{FacetCount, SearchResponse};
use crate::serve::params::Params;
use crate::serve::AppState;

pub use crate::present::{field_label, flag_label, indicator_label, media_label, status_label};

/// How a chip shows a filter: resolved names where the vocabulary knows them.
pub fn filter_label(st: &AppState, l: Lang, field: &str, value: &str) -> String {
    let s = st.schema();
    let shown = match field {
        "prefecture" | "county" | "place" => s.resolve_place(value).map(|d| d.short_name.clone()),
        "indicator" => s
            .resolve_indicator(value)
            .map(|i| format!("{} {}", i.code, i.name)),
        "media" | "type" => Some(media_label(l, value)),
        "flag" => Some(flag_label(l, value)),
        "status" => Some(status_label(l, value)),
        "caption" => Some(crate::present::caption_state_label(l, value)),
        "year" if value == "unknown" => Some(l.t(Msg::NoDate).to_string()),
        _ => None,
    };
    let value = shown.unwrap_or_else(|| value.to_string());
    l.fill(
        Msg::FilterChip,
        &[("label", &field_label(l, field)), ("value", &value)],
    )
}

/// The filter a facet stands for, as the query language writes it (the field table's rule).
pub fn facet_filter(st: &AppState, path: &str) -> Option<(String, String)> {
    crate::fields::facet_filter(st.schema(), path).map(|(f, v)| (f.to_string(), v))
}

fn facet_display(
    st: &AppState,
    l: Lang,
    dim: &str,
    fc: &FacetCount,
    parent: Option<&str>,
) -> String {
    match dim {
        "indicator" => indicator_label(st.schema(), &fc.label),
        "media" => media_label(l, &fc.label),
        "flag" => flag_label(l, &fc.label),
        "status" => status_label(l, &fc.label),
        "caption" => crate::present::caption_state_label(l, &fc.label),
        "date" if fc.label == "unknown" => l.t(Msg::NoDate).to_string(),
        "date" => match parent {
            Some(year) => l.fill(
                Msg::FacetMonth,
                &[
                    ("year", &year),
                    ("month", &fc.label.trim_start_matches('0')),
                    ("mm", &fc.label),
                ],
            ),
            None => l.fill(Msg::FacetYear, &[("year", &fc.label)]),
        },
        _ => fc.label.clone(),
    }
}

pub struct FacetGroup {
    pub dim: &'static str,
    pub title: &'static str,
    /// The tree flattened: a template cannot recurse.
    pub nodes: Vec<FacetNode>,
}

pub enum FacetNode {
    /// One facet; when it has children, a `<ul>` of them follows, closed by `End`.
    Item(FacetItem),
    End,
}

pub struct FacetItem {
    pub on: bool,
    /// `field:value`.
    pub filter: String,
    pub href: String,
    pub label: String,
    pub count: u64,
    pub has_children: bool,
}

/// The sidebar of a search: one group per facet dimension the response has.
pub fn sidebar(st: &AppState, p: &Params, resp: &SearchResponse) -> Vec<FacetGroup> {
    // The field table lists the dimensions in the order the page shows them.
    crate::fields::Registry::standard()
        .dimensions
        .iter()
        .filter_map(|d| {
            let items = resp.facets.get(d.name)?;
            let mut nodes = Vec::new();
            flatten(st, p, d.name, items, None, &mut nodes);
            Some(FacetGroup {
                dim: d.name,
                title: d.label(p.lang),
                nodes,
            })
        })
        .collect()
}

fn flatten(
    st: &AppState,
    p: &Params,
    dim: &str,
    items: &[FacetCount],
    parent: Option<&str>,
    out: &mut Vec<FacetNode>,
) {
    // A year's months read in calendar order (01 … 12), not by how many files each has.
    let mut items: Vec<&FacetCount> = items.iter().collect();
    if dim == "date" && parent.is_some() {
        items.sort_by(|a, b| a.label.cmp(&b.label));
    }
    for fc in items {
        let Some((field, value)) = facet_filter(st, &fc.path) else {
            continue;
        };
        let on = p.has_filter(&field, &value);
        let href = p.href("/", |q| {
            if on {
                q.filters.retain(|(f, v)| !(f == &field && v == &value));
            } else {
                q.filters.push((field.clone(), value.clone()));
            }
        });
        let has_children = !fc.children.is_empty();
        out.push(FacetNode::Item(FacetItem {
            on,
            filter: format!("{field}:{value}"),
            href,
            label: facet_display(st, p.lang, dim, fc, parent),
            count: fc.count,
            has_children,
        }));
        if has_children {
            flatten(st, p, dim, &fc.children, Some(&fc.label), out);
            out.push(FacetNode::End);
        }
    }
}
