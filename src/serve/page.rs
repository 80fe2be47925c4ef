//! The HTML pages: search (facets, chips, map, timeline, result grid), the detail page of one
//! content, and the coverage ledger.
//!
//! Rendered on the server with `format!`: the page works without JavaScript, every state is a
//! URL, and tests can read the HTML. Every text that comes from a user or a file goes through
//! [`esc`]; the search's `name_html`/`snippet_html` are already escaped with `<b>` marks.
//! Chinese first; `lang=en` switches the interface (the evidence itself stays as written).

use std::collections::HashMap;
use std::fmt::Write as _;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

use crate::record::{Gps, Media, Record, Status, TagValue};
use crate::schema::geo::{wgs84_to_gcj02, Projection, SvgShape};
use crate::schema::Schema;
use crate::search::{html_escape as esc, FacetCount, SearchResponse, Sort, MAX_LIMIT};
use crate::tag::Flag;

use super::api::{build_coverage, request, rows_for, run_search, valid_hash};
use super::params::{Lang, Params};
use super::{AppState, WebError};

const STYLE: &str = include_str!("assets/style.css");
const SCRIPT: &str = include_str!("assets/app.js");
/// Results per page of the grid.
pub const PAGE_SIZE: usize = 48;
const MAP_W: f64 = 400.0;
const MAP_H: f64 = 300.0;

pub async fn style_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        STYLE,
    )
        .into_response()
}

pub async fn app_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
        .into_response()
}

// ------------------------------------------------------------------ map geometry

/// The schematic map: prefecture outlines from the schema and the projection that drew them,
/// so that GPS points land where the outlines are.
pub struct MapGeometry {
    shapes: Vec<SvgShape>,
    /// The outlines' own projection, so points land where the outlines are drawn.
    projection: Option<Projection>,
}

impl MapGeometry {
    pub fn new(schema: &Schema) -> MapGeometry {
        MapGeometry {
            shapes: schema.prefecture_svg(MAP_W, MAP_H),
            projection: Projection::fit(schema.prefecture_shapes(), MAP_W, MAP_H),
        }
    }

    /// Where a camera's WGS-84 point falls on the map; `None` off the map.
    fn project(&self, p: Gps) -> Option<(f64, f64)> {
        let projection = self.projection.as_ref()?;
        if !p.lat.is_finite() || !p.lon.is_finite() {
            return None;
        }
        let g = wgs84_to_gcj02(p);
        let (x, y) = projection.project(g.lon, g.lat);
        ((0.0..=MAP_W).contains(&x) && (0.0..=MAP_H).contains(&y)).then_some((x, y))
    }
}

/// The map as inline SVG: prefectures shaded by `counts` (keyed by code) and linked by `href`,
/// `points` drawn on top, `highlight` outlined.
fn map_svg(
    st: &AppState,
    lang: Lang,
    counts: &HashMap<String, u64>,
    points: &[(Gps, String)],
    href: &dyn Fn(&str) -> Option<String>,
    highlight: Option<&str>,
    class: &str,
) -> String {
    let geom = &st.inner.map;
    let max = counts.values().copied().max().unwrap_or(0).max(1) as f64;
    let mut s = format!(
        r#"<svg class="{class}" viewBox="0 0 {MAP_W} {MAP_H}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        lang.pick("青海省示意图", "Schematic map of Qinghai")
    );
    for shape in &geom.shapes {
        let n = counts.get(&shape.code).copied().unwrap_or(0);
        let name = st
            .schema()
            .division(&shape.code)
            .map(|d| d.short_name.clone())
            .unwrap_or_else(|| shape.name.clone());
        // Lighter to darker blue with the share of results; white when nothing is there.
        let fill = if n == 0 {
            "#f4f6f9".to_string()
        } else {
            let t = (n as f64 / max).sqrt();
            let l = 88.0 - 48.0 * t;
            format!("hsl(210,55%,{l:.0}%)")
        };
        let title = format!("{} · {n}", esc(&name));
        let path = format!(
            r#"<path class="region" data-code="{}" d="{}" fill="{fill}" fill-rule="evenodd"><title>{title}</title></path>"#,
            esc(&shape.code),
            shape.d
        );
        match href(&shape.code) {
            Some(h) => {
                let _ = write!(
                    s,
                    r#"<a class="region-link" href="{}" data-name="{}">{path}</a>"#,
                    esc(&h),
                    esc(&name)
                );
            }
            None => s.push_str(&path),
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="map-label">{}</text>"#,
            shape.label_x,
            shape.label_y,
            esc(&name)
        );
    }
    // The claimed prefecture's outline goes on top, so that no neighbour's fill covers it.
    if let Some(shape) = highlight.and_then(|h| geom.shapes.iter().find(|s| s.code == h)) {
        let _ = write!(
            s,
            r#"<path class="claimed" d="{}" fill="none" fill-rule="evenodd"/>"#,
            shape.d
        );
    }
    for (gps, title) in points {
        if let Some((x, y)) = geom.project(*gps) {
            let _ = write!(
                s,
                r#"<circle class="pt" cx="{x:.1}" cy="{y:.1}" r="3"><title>{}</title></circle>"#,
                esc(title)
            );
        }
    }
    s.push_str("</svg>");
    s
}

// ------------------------------------------------------------------ layout

/// The start of every page up to `<body>`: language, title, icon, stylesheet and, for the
/// search pages, their script. Shared with the curation pages' frame.
pub(super) fn document_head(lang: &str, title: &str, script: bool) -> String {
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
<link rel="stylesheet" href="/static/style.css">
{script}</head>"#,
        title = esc(title),
        script = if script {
            "<script src=\"/static/app.js\" defer></script>\n"
        } else {
            ""
        },
    )
}

fn layout(p: &Params, here: &str, toggle_href: &str, title: &str, body: &str) -> String {
    let l = p.lang;
    let nav = |path: &str, label: &str| {
        let cls = if path == here { " class=\"on\"" } else { "" };
        format!(r#"<a{cls} href="{}">{label}</a>"#, esc(&p.lang_href(path)))
    };
    let (other, other_label) = match l {
        Lang::Zh => ("en", "English"),
        Lang::En => ("zh", "中文"),
    };
    let app = l.pick(
        "青海省科学素质工作证据档案",
        "Qinghai science-literacy evidence archive",
    );
    format!(
        r#"{head}
<body>
<header class="top">
<a class="brand" href="{home}">{app}</a>
<nav>{search}{ledger}<a href="/collections">{collections}</a><a href="/api/openapi.json">API</a></nav>
<a class="lang" id="lang-toggle" data-lang="{other}" href="{toggle}">{other_label}</a>
</header>
{body}
</body>
</html>"#,
        head = document_head(l.code(), &format!("{title} · {app}"), true),
        home = esc(&p.lang_href("/")),
        search = nav("/", l.pick("检索", "Search")),
        ledger = nav("/ledger", l.pick("覆盖台账", "Coverage ledger")),
        collections = l.pick("专题", "Collections"),
        toggle = esc(toggle_href),
    )
}

fn toggled(p: &Params, path: &str) -> String {
    p.href(path, |q| {
        q.offset = p.offset;
        q.lang = if p.lang == Lang::En {
            Lang::Zh
        } else {
            Lang::En
        };
    })
}

fn html(status: StatusCode, body: String) -> Response {
    (status, Html(body)).into_response()
}

pub fn not_found_page(uri: &Uri) -> Html<String> {
    let p = Params::parse(uri.query()).unwrap_or_default();
    let body = format!(
        r#"<main class="narrow"><div class="msg error"><p>{}</p><p><a href="{}">{}</a></p></div></main>"#,
        p.lang.pick("没有这个页面。", "There is no such page."),
        esc(&p.lang_href("/")),
        p.lang.pick("返回检索", "Back to search")
    );
    Html(layout(
        &p,
        "",
        &toggled(&p, uri.path()),
        p.lang.pick("未找到", "Not found"),
        &body,
    ))
}

// ------------------------------------------------------------------ labels

fn media_label(l: Lang, m: &str) -> String {
    match m {
        "photo" => l.pick("照片", "Photos"),
        "video" => l.pick("视频", "Videos"),
        "document" => l.pick("文档", "Documents"),
        "other" => l.pick("其他", "Other"),
        _ => return m.to_string(),
    }
    .to_string()
}

fn flag_label(l: Lang, name: &str) -> String {
    match (Flag::parse(name), l) {
        (Some(f), Lang::Zh) => f.label_zh().to_string(),
        (Some(f), Lang::En) => match f {
            Flag::GpsOutsidePrefecture => "GPS outside the claimed prefecture",
            Flag::DateOutsidePeriod => "Taken outside the assessment period",
            Flag::DuplicateAcrossSubmissions => "Same content submitted twice",
            Flag::PossiblyEdited => "Possibly edited",
            Flag::NoCaptureDate => "No capture date",
            Flag::NoIndicator => "No indicator",
            Flag::Unreadable => "Unreadable",
        }
        .to_string(),
        (None, _) => name.to_string(),
    }
}

fn source_label(l: Lang, s: &str) -> String {
    match s {
        "manual" => l.pick("人工标注", "curator"),
        "manifest" => l.pick("报送清单", "submission list"),
        "path" => l.pick("文件夹路径", "folder path"),
        "keyword" => l.pick("关键词", "keyword"),
        "gps" => l.pick("GPS定位", "GPS position"),
        _ => return s.to_string(),
    }
    .to_string()
}

fn indicator_label(schema: &Schema, code: &str) -> String {
    match schema.indicator(code) {
        Some(i) => format!("{} {}", i.code, i.name),
        None => code.to_string(),
    }
}

fn field_label(l: Lang, f: &str) -> &'static str {
    match f {
        "prefecture" => l.pick("市州", "Prefecture"),
        "county" => l.pick("县区", "County"),
        "place" => l.pick("地区", "Place"),
        "indicator" => l.pick("指标", "Indicator"),
        "media" | "type" => l.pick("类型", "Type"),
        "year" => l.pick("年份", "Year"),
        "date" => l.pick("月份", "Month"),
        "camera" => l.pick("相机", "Camera"),
        "flag" => l.pick("标记", "Flag"),
        "status" => l.pick("状态", "Status"),
        "name" => l.pick("文件名", "Name"),
        "path" => l.pick("路径", "Path"),
        "text" => l.pick("正文", "Text"),
        "blake3" => "BLAKE3",
        _ => l.pick("字段", "Field"),
    }
}

fn status_label(l: Lang, s: &str) -> String {
    match s {
        "present" => l.pick("在库", "present"),
        "missing" => l.pick("已缺失", "missing"),
        _ => return s.to_string(),
    }
    .to_string()
}

/// How a chip shows a filter: resolved names where the vocabulary knows them.
fn filter_label(st: &AppState, l: Lang, field: &str, value: &str) -> String {
    let s = st.schema();
    let shown = match field {
        "prefecture" | "county" | "place" => s.resolve_place(value).map(|d| d.short_name.clone()),
        "indicator" => s
            .resolve_indicator(value)
            .map(|i| format!("{} {}", i.code, i.name)),
        "media" | "type" => Some(media_label(l, value)),
        "flag" => Some(flag_label(l, value)),
        "status" => Some(status_label(l, value)),
        "year" if value == "unknown" => Some(l.pick("日期未知", "no date").to_string()),
        _ => None,
    };
    format!(
        "{}: {}",
        field_label(l, field),
        shown.unwrap_or_else(|| value.to_string())
    )
}

fn date_short(t: &str) -> String {
    t.chars().take(16).collect::<String>().replace('T', " ")
}

fn place_text(r: &Record) -> Option<String> {
    match (&r.prefecture, &r.county) {
        (Some(p), Some(c)) => Some(format!("{} {}", p.name, c.name)),
        (Some(p), None) => Some(p.name.clone()),
        (None, Some(c)) => Some(c.name.clone()),
        (None, None) => None,
    }
}

// ------------------------------------------------------------------ facets

/// The filter a facet stands for, as the query language writes it.
fn facet_filter(st: &AppState, dim: &str, path: &str) -> Option<(String, String)> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').skip(1).collect();
    let one = |f: &str, v: &str| Some((f.to_string(), v.to_string()));
    match (dim, segs.as_slice()) {
        ("place", [p]) => one("prefecture", p),
        ("place", [p, c]) => {
            // County names repeat across China (城东区); the code is exact.
            let code = st
                .schema()
                .resolve_place(p)
                .map(|pd| st.schema().counties_of(&pd.code))
                .and_then(|cs| {
                    cs.into_iter()
                        .find(|d| d.short_name == *c || d.name == *c)
                        .map(|d| d.code.clone())
                });
            Some(("county".to_string(), code.unwrap_or_else(|| c.to_string())))
        }
        ("indicator", [.., last]) => one("indicator", last),
        ("date", [y]) => one("year", y),
        ("date", [y, m]) => Some(("date".to_string(), format!("{y}-{m}"))),
        ("media", [m]) => one("media", m),
        ("camera", [c]) => one("camera", c),
        ("flag", [f]) => one("flag", f),
        ("status", [s]) => one("status", s),
        _ => None,
    }
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
        "date" if fc.label == "unknown" => l.pick("日期未知", "no date").to_string(),
        "date" if parent.is_some() => match l {
            Lang::Zh => format!("{}月", fc.label.trim_start_matches('0')),
            Lang::En => format!("{}-{}", parent.unwrap_or(""), fc.label),
        },
        "date" => match l {
            Lang::Zh => format!("{}年", fc.label),
            Lang::En => fc.label.clone(),
        },
        _ => fc.label.clone(),
    }
}

fn facet_list(
    st: &AppState,
    p: &Params,
    dim: &str,
    items: &[FacetCount],
    parent: Option<&str>,
    out: &mut String,
) {
    out.push_str("<ul>");
    for fc in items {
        let Some((field, value)) = facet_filter(st, dim, &fc.path) else {
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
        let _ = write!(
            out,
            r#"<li><a class="facet{}" data-filter="{}" href="{}"><span>{}</span><span class="n">{}</span></a>"#,
            if on { " on" } else { "" },
            esc(&format!("{field}:{value}")),
            esc(&href),
            esc(&facet_display(st, p.lang, dim, fc, parent)),
            fc.count
        );
        if !fc.children.is_empty() {
            facet_list(st, p, dim, &fc.children, Some(&fc.label), out);
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
}

fn sidebar(st: &AppState, p: &Params, resp: Option<&SearchResponse>) -> String {
    let l = p.lang;
    let mut s = String::from(r#"<aside class="facets">"#);
    let Some(resp) = resp else {
        s.push_str("</aside>");
        return s;
    };
    for (dim, title) in [
        ("place", l.pick("地区", "Place")),
        ("indicator", l.pick("指标", "Indicator")),
        ("media", l.pick("类型", "Type")),
        ("date", l.pick("拍摄时间", "Capture date")),
        ("flag", l.pick("需核查", "Flags")),
        ("camera", l.pick("相机", "Camera")),
        ("status", l.pick("状态", "Status")),
    ] {
        let Some(items) = resp.facets.get(dim) else {
            continue;
        };
        let _ = write!(
            s,
            r#"<details class="facet-group" data-dim="{dim}" open><summary>{title}</summary>"#
        );
        facet_list(st, p, dim, items, None, &mut s);
        s.push_str("</details>");
    }
    s.push_str("</aside>");
    s
}

// ------------------------------------------------------------------ timeline

/// A histogram of capture months from the date facet: every month between the first and the
/// last (gaps show as empty bars), or years when the span is too long to read.
fn timeline(p: &Params, resp: &SearchResponse) -> String {
    let l = p.lang;
    let Some(dates) = resp.facets.get("date") else {
        return String::new();
    };
    let mut months: Vec<(i32, u32, u64)> = Vec::new();
    let mut years: Vec<(i32, u64)> = Vec::new();
    for y in dates {
        let Ok(year) = y.label.parse::<i32>() else {
            continue;
        };
        years.push((year, y.count));
        for m in &y.children {
            if let Ok(month) = m.label.parse::<u32>() {
                months.push((year, month, m.count));
            }
        }
    }
    if months.is_empty() {
        return String::new();
    }
    months.sort();
    years.sort();
    let (y0, m0, _) = months[0];
    let (y1, m1, _) = months[months.len() - 1];
    let span = (y1 - y0) * 12 + m1 as i32 - m0 as i32 + 1;
    let mut bars: Vec<(String, String, String, u64)> = Vec::new(); // label, field, value, count
    if span <= 72 {
        let (mut y, mut m) = (y0, m0);
        for _ in 0..span {
            let n = months
                .iter()
                .find(|(a, b, _)| *a == y && *b == m)
                .map(|t| t.2)
                .unwrap_or(0);
            bars.push((
                format!("{y}-{m:02}"),
                "date".into(),
                format!("{y}-{m:02}"),
                n,
            ));
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
        }
    } else if years[years.len() - 1].0 - years[0].0 <= 60 {
        for y in years[0].0..=years[years.len() - 1].0 {
            let n = years.iter().find(|t| t.0 == y).map(|t| t.1).unwrap_or(0);
            bars.push((y.to_string(), "year".into(), y.to_string(), n));
        }
    } else {
        // A camera clock set to 1900 or 2099 would stretch the axis over a century: show only
        // the years that occur.
        for (y, n) in &years {
            bars.push((y.to_string(), "year".into(), y.to_string(), *n));
        }
    }
    let max = bars.iter().map(|b| b.3).max().unwrap_or(1).max(1) as f64;
    let mut s = format!(
        r#"<section class="timeline" aria-label="{}"><h3>{}</h3><div class="bars">"#,
        l.pick("拍摄时间分布", "Capture months"),
        l.pick("拍摄时间分布", "Capture months")
    );
    for (label, field, value, n) in &bars {
        let h = if *n == 0 {
            0.0
        } else {
            6.0 + 94.0 * (*n as f64 / max)
        };
        let title = format!("{label}: {n}");
        if *n == 0 {
            let _ = write!(
                s,
                r#"<span class="bar empty" title="{}"><i style="height:0%"></i></span>"#,
                esc(&title)
            );
        } else {
            let href = p.href("/", |q| {
                q.filters.retain(|(f, _)| f != "date" && f != "year");
                q.filters.push((field.clone(), value.clone()));
            });
            let _ = write!(
                s,
                r#"<a class="bar" href="{}" title="{}" data-filter="{}:{}"><i style="height:{h:.0}%"></i></a>"#,
                esc(&href),
                esc(&title),
                esc(field),
                esc(value)
            );
        }
    }
    let first = &bars[0].0;
    let last = &bars[bars.len() - 1].0;
    let _ = write!(
        s,
        r#"</div><div class="axis"><span>{}</span><span>{}</span></div></section>"#,
        esc(first),
        esc(last)
    );
    s
}

// ------------------------------------------------------------------ search page

fn search_form(p: &Params) -> String {
    let l = p.lang;
    let mut hidden = String::new();
    for (f, v) in &p.filters {
        let _ = write!(
            hidden,
            r#"<input type="hidden" name="f" value="{}">"#,
            esc(&format!("{f}:{v}"))
        );
    }
    if p.lang == Lang::En {
        hidden.push_str(r#"<input type="hidden" name="lang" value="en">"#);
    }
    let opt = |s: Sort, v: &str, label: &str| {
        format!(
            r#"<option value="{v}"{}>{label}</option>"#,
            if p.sort == s { " selected" } else { "" }
        )
    };
    format!(
        r##"<form id="search" class="search" action="/" method="get" role="search">
<input type="search" name="q" value="{q}" placeholder="{ph}" aria-label="{ph}" autocomplete="off">
<select name="sort" aria-label="{sort}">{o1}{o2}{o3}</select>
{hidden}<button type="submit">{go}</button>
<a class="help" href="#syntax">{help}</a>
</form>"##,
        q = esc(&p.q),
        ph = l.pick(
            "输入关键词，如：科普大篷车 或 prefecture:海东市 year:2019",
            "Words, \"phrases\", AND/OR/NOT, field:value"
        ),
        sort = l.pick("排序", "Sort"),
        o1 = opt(
            Sort::Relevance,
            "relevance",
            l.pick("按相关度", "Relevance")
        ),
        o2 = opt(
            Sort::DateDesc,
            "date_desc",
            l.pick("拍摄时间（新→旧）", "Capture date, newest first")
        ),
        o3 = opt(
            Sort::DateAsc,
            "date_asc",
            l.pick("拍摄时间（旧→新）", "Capture date, oldest first")
        ),
        go = l.pick("检索", "Search"),
        help = l.pick("语法", "Syntax"),
    )
}

fn chips(st: &AppState, p: &Params) -> String {
    if p.filters.is_empty() {
        return String::new();
    }
    let mut s = String::from(r#"<div class="chips">"#);
    for (f, v) in &p.filters {
        let href = p.href("/", |q| q.filters.retain(|(a, b)| !(a == f && b == v)));
        let _ = write!(
            s,
            r#"<a class="chip" data-filter="{}" href="{}" title="{}">{} <b aria-hidden="true">×</b></a>"#,
            esc(&format!("{f}:{v}")),
            esc(&href),
            p.lang.pick("移除此条件", "Remove this filter"),
            esc(&filter_label(st, p.lang, f, v))
        );
    }
    let _ = write!(
        s,
        r#"<a class="chip clear" href="{}">{}</a></div>"#,
        esc(&p.href("/", |q| q.filters.clear())),
        p.lang.pick("清除全部", "Clear all")
    );
    s
}

fn card(p: &Params, hit: &crate::search::Hit, schema: &Schema) -> String {
    let l = p.lang;
    let Some(ref r) = hit.record() else {
        return String::new();
    };
    let link = r.blake3.as_ref().map(|b| {
        let mut u = format!("/record/{b}?id={}", hit.id);
        if l == Lang::En {
            u.push_str("&lang=en");
        }
        u
    });
    let thumb = match (&r.blake3, r.media) {
        (Some(b), _) => format!(r#"<img loading="lazy" src="/thumb/{b}" alt="">"#),
        (None, m) => format!(
            r#"<img src="data:image/svg+xml;utf8,{}" alt="">"#,
            esc(&super::files::icon(m).replace('#', "%23"))
        ),
    };
    let mut s = format!(r#"<article class="card {}">"#, r.media.as_str());
    match &link {
        Some(h) => {
            let _ = write!(s, r#"<a class="thumb" href="{}">{thumb}</a>"#, esc(h));
        }
        None => {
            let _ = write!(s, r#"<span class="thumb">{thumb}</span>"#);
        }
    }
    s.push_str(r#"<div class="meta">"#);
    match &link {
        Some(h) => {
            let _ = write!(
                s,
                r#"<a class="name" href="{}" title="{}">{}</a>"#,
                esc(h),
                esc(&r.path),
                hit.name_html
            );
        }
        None => {
            let _ = write!(
                s,
                r#"<span class="name" title="{}">{}</span>"#,
                esc(&r.path),
                hit.name_html
            );
        }
    }
    let place = place_text(r).unwrap_or_else(|| l.pick("未定位", "place unknown").to_string());
    let _ = write!(s, r#"<div class="where">{}</div>"#, esc(&place));
    let ind = match r.indicators.first() {
        Some(i) => indicator_label(schema, &i.code),
        None => l.pick("未归入指标", "no indicator").to_string(),
    };
    let _ = write!(s, r#"<div class="ind">{}</div>"#, esc(&ind));
    let when = r
        .captured_at
        .as_deref()
        .map(date_short)
        .unwrap_or_else(|| l.pick("无拍摄时间", "no capture date").to_string());
    let _ = write!(s, r#"<div class="when">{}</div>"#, esc(&when));
    if !r.flags.is_empty() {
        s.push_str(r#"<div class="flags">"#);
        for f in &r.flags {
            let _ = write!(
                s,
                r#"<span class="flag" title="{}">{}</span>"#,
                esc(&f.reason),
                esc(&flag_label(l, &f.flag))
            );
        }
        s.push_str("</div>");
    }
    if let Some(snip) = &hit.snippet_html {
        let _ = write!(s, r#"<p class="snippet">{snip}</p>"#);
    }
    s.push_str("</div></article>");
    s
}

fn syntax_help(l: Lang) -> String {
    let rows = [
        ("科普 大篷车", l.pick("两个词都出现", "both words")),
        ("\"科技活动周\"", l.pick("完整短语", "exact phrase")),
        ("科普 OR 宣传", l.pick("任一词", "either word")),
        ("科普 -会议", l.pick("排除“会议”", "without 会议")),
        (
            "prefecture:海东市 county:互助县",
            l.pick("按地区", "by place"),
        ),
        (
            "indicator:B4.1 year:2019 date:2019-06",
            l.pick("按指标、年份、月份", "by indicator, year, month"),
        ),
        (
            "media:photo camera:HUAWEI flag:no_indicator",
            l.pick("按类型、相机、标记", "by type, camera, flag"),
        ),
        (
            "name:总结 path:互助 text:培训",
            l.pick("只在文件名 / 路径 / 正文中找", "only in name / path / text"),
        ),
        (
            "blake3:3f8a1c07",
            l.pick(
                "按内容哈希（前 4 位以上即可）",
                "by content hash (4 or more leading digits)",
            ),
        ),
    ];
    let mut s = format!(
        r#"<details class="syntax" id="syntax"><summary>{}</summary><table>"#,
        l.pick("检索语法", "Query syntax")
    );
    for (q, what) in rows {
        let _ = write!(
            s,
            "<tr><td><code>{}</code></td><td>{}</td></tr>",
            esc(q),
            esc(what)
        );
    }
    s.push_str("</table></details>");
    s
}

pub async fn search_page(
    State(st): State<AppState>,
    axum::Extension(who): axum::Extension<super::auth::Who>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (p, parse_err) = match Params::parse(raw.as_deref()) {
        Ok(p) => (p, None),
        Err(e) => {
            // Keep what can be kept (language) so the message is in the user's language.
            let lang = raw.as_deref().is_some_and(|r| r.contains("lang=en"));
            (
                Params {
                    lang: if lang { Lang::En } else { Lang::Zh },
                    ..Params::default()
                },
                Some(e),
            )
        }
    };
    let l = p.lang;
    let result = match parse_err {
        Some(e) => Err(e),
        None => run_search(&st, request(&p, PAGE_SIZE, true)).await,
    };
    // Points for the map: every result up to the API's page bound, not only this page.
    let points: Vec<(Gps, String)> = match &result {
        Ok(resp) if resp.total > resp.hits.len() => {
            let mut req = request(&p, MAX_LIMIT, false);
            req.offset = 0;
            req.snippets = false;
            match run_search(&st, req).await {
                Ok(all) => gps_points(&all),
                Err(_) => gps_points(resp),
            }
        }
        Ok(resp) => gps_points(resp),
        Err(_) => Vec::new(),
    };

    let mut main = String::new();
    main.push_str(&search_form(&p));
    main.push_str(&chips(&st, &p));
    let status = match &result {
        Err(e) => {
            let hint = l.pick(
                "请检查检索式：字段名写法如 prefecture:海东市，括号需成对。",
                "Check the query: fields are written like prefecture:海东市, parentheses must be balanced.",
            );
            let _ = write!(
                main,
                r#"<div class="msg error" role="alert"><p><b>{}</b> {}</p><p>{}</p></div>"#,
                l.pick("无法执行检索：", "The search could not run:"),
                esc(&e.message()),
                hint
            );
            main.push_str(&syntax_help(l));
            e.status()
        }
        Ok(resp) => {
            let _ = write!(
                main,
                r#"<div class="summary" id="summary" data-total="{}">{}</div>"#,
                resp.total,
                match l {
                    Lang::Zh => format!("共 <b>{}</b> 个文件", resp.total),
                    Lang::En => format!("<b>{}</b> files", resp.total),
                }
            );
            let counts = prefecture_counts(&st, resp);
            let map = map_svg(
                &st,
                l,
                &counts,
                &points,
                &|code| {
                    let name = st.schema().division(code)?.short_name.clone();
                    Some(p.href("/", |q| {
                        q.filters
                            .retain(|(f, _)| f != "prefecture" && f != "county");
                        q.filters.push(("prefecture".into(), name));
                    }))
                },
                None,
                "map",
            );
            let _ = write!(
                main,
                r#"<div class="viz"><section class="mapbox"><h3>{}</h3>{map}</section>{}</div>"#,
                l.pick(
                    "地区分布（点击市州筛选）",
                    "Where (click a prefecture to filter)"
                ),
                timeline(&p, resp)
            );
            if resp.hits.is_empty() {
                let _ = write!(
                    main,
                    r#"<div class="msg empty"><p>{}</p><p>{}</p></div>"#,
                    l.pick("没有找到符合条件的文件。", "No file matches this search."),
                    l.pick(
                        "可以减少关键词、移除上方的筛选条件，或换一种说法（如“科普”代替“科普大篷车”）。",
                        "Try fewer words, remove a filter above, or a shorter word (科普 instead of 科普大篷车)."
                    )
                );
                main.push_str(&syntax_help(l));
            } else {
                main.push_str(r#"<div class="grid" id="results">"#);
                for hit in &resp.hits {
                    main.push_str(&card(&p, hit, st.schema()));
                }
                main.push_str("</div>");
                main.push_str(&pager(&p, resp));
                main.push_str(&super::curate::add_results_form(
                    &st,
                    &who,
                    raw.as_deref().unwrap_or(""),
                    resp.total,
                ));
            }
            StatusCode::OK
        }
    };
    let body = format!(
        r#"<div class="page">{}<main class="results">{main}</main></div>"#,
        sidebar(&st, &p, result.as_ref().ok().map(|r| &**r))
    );
    let title = if p.q.is_empty() {
        l.pick("检索", "Search").to_string()
    } else {
        p.q.clone()
    };
    html(status, layout(&p, "/", &toggled(&p, "/"), &title, &body))
}

fn gps_points(resp: &SearchResponse) -> Vec<(Gps, String)> {
    /// The two fields of a stored record the map needs: reading whole records for up to
    /// `MAX_LIMIT` hits built every other field only to drop it.
    #[derive(serde::Deserialize)]
    struct Placed {
        gps: Option<Gps>,
        path: String,
    }
    resp.hits
        .iter()
        .filter_map(|h| serde_json::from_str::<Placed>(h.record_json.get()).ok())
        .filter_map(|r| {
            r.gps
                .map(|g| (g, r.path.rsplit('/').next().unwrap_or("").to_string()))
        })
        .collect()
}

/// Results per prefecture code, from the place facet (keyed by short name).
fn prefecture_counts(st: &AppState, resp: &SearchResponse) -> HashMap<String, u64> {
    let mut out = HashMap::new();
    for fc in resp.facets.get("place").into_iter().flatten() {
        if let Some(d) = st.schema().resolve_place(&fc.label) {
            out.insert(d.code.clone(), fc.count);
        }
    }
    out
}

fn pager(p: &Params, resp: &SearchResponse) -> String {
    let l = p.lang;
    if resp.total <= PAGE_SIZE {
        return String::new();
    }
    let page = p.offset / PAGE_SIZE + 1;
    let pages = resp.total.div_ceil(PAGE_SIZE);
    let mut s = String::from(r#"<nav class="pager">"#);
    if p.offset > 0 {
        let prev = p.offset.saturating_sub(PAGE_SIZE);
        let _ = write!(
            s,
            r#"<a rel="prev" href="{}">{}</a>"#,
            esc(&p.href("/", |q| q.offset = prev)),
            l.pick("上一页", "Previous")
        );
    }
    let _ = write!(
        s,
        "<span>{}</span>",
        match l {
            Lang::Zh => format!("第 {page} / {pages} 页"),
            Lang::En => format!("page {page} of {pages}"),
        }
    );
    if p.offset + PAGE_SIZE < resp.total {
        let next = p.offset + PAGE_SIZE;
        let _ = write!(
            s,
            r#"<a rel="next" href="{}">{}</a>"#,
            esc(&p.href("/", |q| q.offset = next)),
            l.pick("下一页", "Next")
        );
    }
    s.push_str("</nav>");
    s
}

// ------------------------------------------------------------------ detail page

fn error_page(p: &Params, path: &str, e: &WebError) -> Response {
    let body = format!(
        r#"<main class="narrow"><div class="msg error" role="alert"><p>{}</p><p><a href="{}">{}</a></p></div></main>"#,
        esc(&e.message()),
        esc(&p.lang_href("/")),
        p.lang.pick("返回检索", "Back to search")
    );
    html(
        e.status(),
        layout(
            p,
            "",
            &toggled(p, path),
            p.lang.pick("出错了", "Error"),
            &body,
        ),
    )
}

fn tag_rows(l: Lang, kind: &str, t: &TagValue, schema: &Schema, out: &mut String) {
    let value = if kind == "indicator" {
        indicator_label(schema, &t.code)
    } else {
        format!("{} ({})", t.name, t.code)
    };
    let _ = write!(
        out,
        r#"<tr><th>{}</th><td>{}</td><td>{}</td><td class="ev">{}</td></tr>"#,
        field_label(l, kind),
        esc(&value),
        esc(&source_label(l, &t.source)),
        esc(&t.evidence)
    );
    for a in &t.alternatives {
        let value = if kind == "indicator" {
            indicator_label(schema, &a.code)
        } else {
            format!("{} ({})", a.name, a.code)
        };
        let _ = write!(
            out,
            r#"<tr class="alt"><th>{}</th><td>{}</td><td>{}</td><td class="ev">{}</td></tr>"#,
            l.pick("↳ 较弱来源", "↳ weaker source"),
            esc(&value),
            esc(&source_label(l, &a.source)),
            esc(&a.evidence)
        );
    }
}

pub async fn record_page(
    State(st): State<AppState>,
    axum::Extension(who): axum::Extension<super::auth::Who>,
    Path(blake3): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let p = Params::parse(raw.as_deref()).unwrap_or_default();
    let here = format!(
        "/record/{}",
        blake3
            .chars()
            .filter(|c| c.is_ascii_hexdigit())
            .collect::<String>()
    );
    let b3 = match valid_hash(&blake3) {
        Ok(b) => b,
        Err(e) => return error_page(&p, &here, &e),
    };
    let rows = match rows_for(&st, &b3).await {
        Ok(r) => r,
        Err(e) => return error_page(&p, &here, &e),
    };
    let l = p.lang;
    let row = rows.iter().find(|r| Some(r.id) == p.id).unwrap_or(&rows[0]);
    let r = row.to_record();
    let name = row.file_name().to_string();
    let lang_q = if l == Lang::En { "&lang=en" } else { "" };
    let download = format!("/file/{b3}?id={}", row.id);
    let inline_ok = matches!(
        r.mime.as_str(),
        "image/jpeg" | "image/png" | "image/gif" | "image/webp"
    );
    let preview = match r.media {
        Media::Photo if inline_ok && r.errors.is_empty() => {
            format!(
                r#"<img class="preview" src="/file/{b3}?id={}&amp;inline=1" alt="{}">"#,
                row.id,
                esc(&name)
            )
        }
        Media::Photo => format!(
            r#"<img class="preview small" src="/thumb/{b3}" alt="{}">"#,
            esc(&name)
        ),
        Media::Video => format!(
            r#"<video class="preview" controls preload="metadata" src="/file/{b3}?id={}&amp;inline=1"></video>"#,
            row.id
        ),
        m => format!(
            r#"<img class="preview icon" src="/thumb/{b3}" alt="{}">"#,
            esc(media_label(l, m.as_str()).as_str())
        ),
    };

    let mut meta = String::new();
    let mut kv = |k: &str, v: String| {
        let _ = write!(meta, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v));
    };
    kv(l.pick("路径", "Path"), r.path.clone());
    if let Some(h) = &r.path_bytes_hex {
        kv(l.pick("路径原始字节", "Path bytes (hex)"), h.clone());
    }
    kv("BLAKE3", b3.clone());
    kv(l.pick("大小", "Size"), format!("{} bytes", r.size));
    kv(
        l.pick("类型", "Type"),
        format!("{} ({})", media_label(l, r.media.as_str()), r.mime),
    );
    kv(l.pick("状态", "Status"), {
        let s = status_label(
            l,
            if r.status == Status::Missing {
                "missing"
            } else {
                "present"
            },
        );
        match &r.last_seen {
            Some(t) => format!("{s}, {} {t}", l.pick("最后见于", "last seen")),
            None => s,
        }
    });
    if let Some(t) = &r.captured_at {
        kv(
            l.pick("拍摄时间", "Captured"),
            format!("{t} ({})", r.captured_at_source.as_deref().unwrap_or("?")),
        );
    } else {
        kv(
            l.pick("拍摄时间", "Captured"),
            l.pick("无", "none").to_string(),
        );
    }
    if let Some(t) = &r.modified {
        kv(l.pick("修改时间", "Modified"), t.clone());
    }
    if let Some(g) = r.gps {
        kv("GPS", format!("{:.6}, {:.6}", g.lat, g.lon));
    }
    if let Some(c) = r.camera.as_ref().and_then(|c| c.label()) {
        kv(l.pick("相机", "Camera"), c);
    }
    if let Some(s) = &r.software {
        kv(l.pick("软件", "Software"), s.clone());
    }
    if let (Some(w), Some(h)) = (r.width, r.height) {
        kv(l.pick("像素", "Pixels"), format!("{w} × {h}"));
    }
    if let Some(o) = r.orientation {
        kv(l.pick("方向", "Orientation"), o.to_string());
    }
    if let Some(d) = r.duration_s {
        kv(l.pick("时长", "Duration"), format!("{d:.1} s"));
    }
    if let Some(n) = r.pages {
        kv(l.pick("页数", "Pages"), n.to_string());
    }
    for (k, v) in [
        (l.pick("标题", "Title"), &r.title),
        (l.pick("作者", "Author"), &r.author),
        (l.pick("文档创建时间", "Document created"), &r.doc_created),
        (l.pick("文本", "Text"), &r.text_status),
    ] {
        if let Some(v) = v {
            kv(k, v.clone());
        }
    }
    for e in &r.errors {
        kv(l.pick("读取问题", "Problem"), e.clone());
    }

    let mut tags = String::new();
    for (kind, t) in [("prefecture", &r.prefecture), ("county", &r.county)] {
        if let Some(t) = t {
            tag_rows(l, kind, t, st.schema(), &mut tags);
        }
    }
    for t in &r.indicators {
        tag_rows(l, "indicator", t, st.schema(), &mut tags);
    }
    if tags.is_empty() {
        let _ = write!(
            tags,
            r#"<tr><td colspan="4">{}</td></tr>"#,
            l.pick("没有标签", "No tags")
        );
    }

    let mut flags = String::new();
    for f in &r.flags {
        let _ = write!(
            flags,
            r#"<li><b>{}</b>: {}</li>"#,
            esc(&flag_label(l, &f.flag)),
            esc(&f.reason)
        );
    }
    if flags.is_empty() {
        let _ = write!(flags, "<li>{}</li>", l.pick("无", "None"));
    }

    let mut copies = String::new();
    for other in &rows {
        let status = status_label(
            l,
            if other.status == Status::Missing {
                "missing"
            } else {
                "present"
            },
        );
        let this = other.id == row.id;
        let _ = write!(
            copies,
            r#"<li{}><a href="/record/{b3}?id={}{lang_q}">{}</a> <span class="muted">({status})</span></li>"#,
            if this { r#" class="this""# } else { "" },
            other.id,
            esc(&other.display_path())
        );
    }

    let claimed = r
        .prefecture
        .as_ref()
        .and_then(|t| st.schema().prefecture_of(&t.code))
        .map(|d| d.code.clone());
    let counts = HashMap::new();
    let points: Vec<(Gps, String)> = r.gps.map(|g| (g, name.clone())).into_iter().collect();
    let map = map_svg(
        &st,
        l,
        &counts,
        &points,
        &|code| {
            let name = st.schema().division(code)?.short_name.clone();
            Some(p.href("/", |q| {
                q.filters = vec![("prefecture".into(), name)];
                q.q.clear();
            }))
        },
        claimed.as_deref(),
        "map small",
    );
    let map_note = match (r.gps, &claimed) {
        (None, _) => l.pick(
            "没有GPS位置；红框为所报市州。",
            "No GPS point; the red outline is the claimed prefecture.",
        ),
        _ => l.pick(
            "圆点为拍摄位置，红框为所报市州。",
            "The dot is where it was taken; the red outline is the claimed prefecture.",
        ),
    };
    let excerpt = r
        .text_excerpt
        .as_ref()
        .map(|t| {
            format!(
                r#"<section><h2>{}</h2><p class="excerpt">{}</p></section>"#,
                l.pick("正文摘录", "Text excerpt"),
                esc(t)
            )
        })
        .unwrap_or_default();

    let body = format!(
        r#"<main class="detail">
<p class="back"><a href="{back}">← {back_label}</a></p>
<h1>{title}</h1>
<div class="detail-grid">
<div class="left">{preview}
<p><a class="button" id="download" href="{download}">{dl}</a></p>
<section><h2>{where_}</h2>{map}<p class="muted">{map_note}</p></section>
</div>
<div class="right">
<section><h2>{h_flags}</h2><ul class="flaglist">{flags}</ul></section>
<section><h2>{h_tags}</h2><table class="tags"><tr><th></th><th>{c_value}</th><th>{c_source}</th><th>{c_ev}</th></tr>{tags}</table></section>
<section><h2>{h_meta}</h2><table class="kv">{meta}</table></section>
<section><h2>{h_copies}</h2><ul class="copies">{copies}</ul></section>
{excerpt}
{curation}
</div></div></main>"#,
        curation = super::curate::record_panel(&st, &who, row.id, &b3),
        back = esc(&p.lang_href("/")),
        back_label = l.pick("返回检索", "Back to search"),
        title = esc(&name),
        download = esc(&download),
        dl = l.pick("下载原始文件", "Download the original"),
        where_ = l.pick("位置", "Where"),
        h_flags = l.pick("需核查", "Flags"),
        h_tags = l.pick("标签及来源", "Tags and their sources"),
        c_value = l.pick("值", "Value"),
        c_source = l.pick("来源", "Source"),
        c_ev = l.pick("依据", "Evidence"),
        h_meta = l.pick("元数据", "Metadata"),
        h_copies = l.pick("相同内容的文件", "Paths with the same content"),
    );
    let toggle = format!(
        "/record/{b3}?id={}{}",
        row.id,
        if l == Lang::En { "" } else { "&lang=en" }
    );
    html(StatusCode::OK, layout(&p, "", &toggle, &name, &body))
}

// ------------------------------------------------------------------ ledger

pub async fn ledger_page(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let p = match Params::parse(raw.as_deref()) {
        Ok(p) => p,
        Err(e) => return error_page(&Params::default(), "/ledger", &e),
    };
    let l = p.lang;
    let cov = match build_coverage(&st, p.prefecture.as_deref()).await {
        Ok(c) => c,
        Err(e) => return error_page(&p, "/ledger", &e),
    };
    let by_county = matches!(cov.by, crate::report::By::County(_));
    let pref_code = match &cov.by {
        crate::report::By::County(c) => Some(c.clone()),
        _ => None,
    };
    let pref_name = pref_code
        .as_deref()
        .and_then(|c| st.schema().division(c))
        .map(|d| d.short_name.clone());
    let base = Params {
        lang: l,
        ..Params::default()
    };
    let cell_href = |row_code: Option<&str>, col_code: Option<&str>| -> Option<String> {
        let mut filters = Vec::new();
        match row_code {
            Some(c) => filters.push(("indicator".to_string(), c.to_string())),
            None => filters.push(("flag".to_string(), "no_indicator".to_string())),
        }
        match (col_code, by_county) {
            (Some(c), false) => filters.push((
                "prefecture".into(),
                st.schema().division(c)?.short_name.clone(),
            )),
            (Some(c), true) => filters.push(("county".into(), c.to_string())),
            (None, false) => return None, // no filter means "place unknown"
            (None, true) => return None,
        }
        Some(base.href("/", |q| q.filters = filters))
    };

    let mut t = String::from(r#"<table class="ledger" id="ledger"><thead><tr><th>"#);
    t.push_str(l.pick("指标", "Indicator"));
    t.push_str("</th>");
    for col in &cov.columns {
        match (&col.code, by_county) {
            (Some(code), false) => {
                let href = base.href("/ledger", |q| q.prefecture = Some(code.clone()));
                let _ = write!(
                    t,
                    r#"<th><a href="{}" title="{}">{}</a></th>"#,
                    esc(&href),
                    l.pick("按县区展开", "by county"),
                    esc(&col.name)
                );
            }
            _ => {
                let _ = write!(t, "<th>{}</th>", esc(&col.name));
            }
        }
    }
    let _ = write!(
        t,
        "<th>{}</th></tr></thead><tbody>",
        l.pick("合计", "Total")
    );
    for row in &cov.rows {
        let label = match &row.code {
            Some(c) => format!("{c} {}", row.name),
            None => row.name.clone(),
        };
        let _ = write!(
            t,
            r#"<tr class="d{}"><th style="padding-left:{}em">{}</th>"#,
            row.depth.min(4),
            0.4 + row.depth as f64 * 1.1,
            esc(&label)
        );
        for (cell, col) in row.cells.iter().zip(&cov.columns) {
            let empty = cell.total == 0 && col.code.is_some() && row.code.is_some();
            let text = if cell.total == 0 {
                "—".to_string()
            } else {
                cell.total.to_string()
            };
            let title = format!("{} {} · {}", col.name, label, cell.total);
            match cell_href(row.code.as_deref(), col.code.as_deref()) {
                Some(h) => {
                    let _ = write!(
                        t,
                        r#"<td class="{}"><a href="{}" title="{}">{}</a></td>"#,
                        if empty { "empty" } else { "n" },
                        esc(&h),
                        esc(&title),
                        text
                    );
                }
                None => {
                    let _ = write!(
                        t,
                        r#"<td class="{}" title="{}">{}</td>"#,
                        if empty { "empty" } else { "n" },
                        esc(&title),
                        text
                    );
                }
            }
        }
        let _ = write!(t, "<td class=\"total\">{}</td></tr>", row.total);
    }
    let _ = write!(
        t,
        "</tbody><tfoot><tr><th>{}</th>",
        l.pick("文件数", "Files")
    );
    for n in &cov.column_totals {
        let _ = write!(t, "<td>{n}</td>");
    }
    let _ = write!(t, "<td>{}</td></tr></tfoot></table>", cov.total);

    let empty = cov.empty_cells().len();
    let heading = match (&pref_name, l) {
        (Some(n), Lang::Zh) => format!("{n} 覆盖台账（按县区）"),
        (Some(n), Lang::En) => format!("Coverage ledger of {n}, by county"),
        (None, _) => l
            .pick(
                "覆盖台账：指标 × 市州",
                "Coverage ledger: indicators × prefectures",
            )
            .to_string(),
    };
    let note = match l {
        Lang::Zh => format!("“—”为没有任何证据的空白格（共 {empty} 个）。点击数字查看对应文件；点击市州名按县区展开。"),
        Lang::En => format!("“—” marks a cell with no evidence at all ({empty} such cells). Click a number to see its files; click a prefecture to see its counties."),
    };
    let back = if pref_name.is_some() {
        format!(
            r#"<p class="back"><a href="{}">← {}</a></p>"#,
            esc(&base.href("/ledger", |_| {})),
            l.pick("全省", "Whole province")
        )
    } else {
        String::new()
    };
    let body = format!(
        r#"<main class="ledger-page">{back}<h1>{}</h1><p class="muted">{}</p><div class="ledger-wrap">{t}</div></main>"#,
        esc(&heading),
        esc(&note)
    );
    html(
        StatusCode::OK,
        layout(&p, "/ledger", &toggled(&p, "/ledger"), &heading, &body),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fc(path: &str, count: u64, children: Vec<FacetCount>) -> FacetCount {
        FacetCount {
            path: path.into(),
            label: path.rsplit('/').next().unwrap().into(),
            count,
            children,
        }
    }

    fn resp(dates: Vec<FacetCount>) -> SearchResponse {
        let mut facets = std::collections::BTreeMap::new();
        facets.insert("date".to_string(), dates);
        SearchResponse {
            total: 0,
            offset: 0,
            limit: 10,
            hits: vec![],
            facets,
        }
    }

    #[test]
    fn timeline_shows_gaps_and_links_months() {
        let r = resp(vec![
            fc(
                "/date/2019",
                4,
                vec![
                    fc("/date/2019/11", 3, vec![]),
                    fc("/date/2019/12", 1, vec![]),
                ],
            ),
            fc("/date/2020", 2, vec![fc("/date/2020/02", 2, vec![])]),
            fc("/date/unknown", 5, vec![]),
        ]);
        let html = timeline(&Params::default(), &r);
        // 2019-11 .. 2020-02 is four months, one of them empty.
        assert_eq!(html.matches("class=\"bar\"").count(), 3);
        assert_eq!(html.matches("class=\"bar empty\"").count(), 1);
        assert!(html.contains("href=\"/?f=date%3A2019-11\""), "{html}");
        assert!(html.contains("<span>2019-11</span><span>2020-02</span>"));
    }

    #[test]
    fn timeline_of_bogus_years_stays_short() {
        let r = resp(vec![
            fc("/date/1900", 1, vec![fc("/date/1900/01", 1, vec![])]),
            fc("/date/2019", 4, vec![fc("/date/2019/06", 4, vec![])]),
        ]);
        let html = timeline(&Params::default(), &r);
        assert_eq!(
            html.matches("class=\"bar\"").count(),
            2,
            "only the years that occur"
        );
        assert!(html.contains("f=year%3A1900"));
        assert_eq!(
            timeline(
                &Params::default(),
                &resp(vec![fc("/date/unknown", 3, vec![])])
            ),
            "",
            "no dates, no timeline"
        );
    }

    #[test]
    fn map_projection_puts_xining_inside_the_box() {
        let schema = crate::schema::Schema::embedded().unwrap();
        let g = MapGeometry::new(&schema);
        let (x, y) = g
            .project(Gps {
                lat: 36.62,
                lon: 101.78,
            })
            .expect("西宁 is on the map");
        // Xining is in the east of the province, north of its middle.
        assert!(x > MAP_W * 0.6 && y < MAP_H * 0.6, "({x}, {y})");
        assert_eq!(
            g.project(Gps {
                lat: 39.9,
                lon: 116.4
            }),
            None,
            "Beijing is off the map"
        );
        assert_eq!(
            g.project(Gps {
                lat: f64::NAN,
                lon: 1.0
            }),
            None
        );
    }
}
