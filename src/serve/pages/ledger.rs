//! The coverage ledger (`templates/ledger.html`): indicators × prefectures, or × the counties
//! of one prefecture, each cell a link to its files and every empty cell marked; and the same
//! ledger as a file to hand over (`/ledger.xlsx`, `/ledger.csv`), in the page's language.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::layout::{error_page, toggled, Layout};
use super::render;
use crate::i18n::{Lang, Msg};
use crate::report::{By, Counted, Letterhead};
use crate::serve::api::build_coverage;
use crate::serve::error::WebError;
use crate::serve::files::content_disposition;
use crate::serve::params::Params;
use crate::serve::AppState;

#[derive(Template)]
#[template(path = "ledger.html")]
pub struct LedgerPage {
    pub layout: Layout,
    pub l: Lang,
    /// Back to the whole province, from one prefecture's counties.
    pub back: Option<String>,
    pub heading: String,
    pub note: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub column_totals: Vec<usize>,
    pub total: usize,
    /// The same ledger as files: (label, href).
    pub downloads: Vec<(&'static str, String)>,
    /// What the printed page says above and below the table.
    pub print_title: String,
    pub print_byline: String,
    pub legend: String,
    /// Which files count: (label, the default's marked "（默认）", href, chosen).
    pub counts: Vec<(String, String, bool)>,
    /// The scoring self-check, when the catalogue gives points: the ledger counts files, the
    /// self-check says what they are worth.
    pub score_href: Option<String>,
}

pub struct Column {
    pub name: String,
    /// A prefecture's column opens its counties.
    pub href: Option<String>,
}

pub struct Row {
    pub depth: usize,
    pub indent: String,
    pub label: String,
    pub cells: Vec<Cell>,
    pub total: usize,
}

pub struct Cell {
    pub empty: bool,
    pub href: Option<String>,
    pub title: String,
    pub text: String,
}

pub async fn ledger_page(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let p = match Params::parse(raw.as_deref()) {
        Ok(p) => p,
        Err(e) => return error_page(&Params::default(), "/ledger", &e),
    };
    let l = p.lang;
    let counted = p.count.unwrap_or_default();
    let cov = match build_coverage(&st, p.prefecture.as_deref(), counted).await {
        Ok(c) => c,
        Err(e) => return error_page(&p, "/ledger", &e),
    };
    let by_county = matches!(cov.by, By::County(_));
    let pref_name = match &cov.by {
        By::County(c) => st.schema().division(c).map(|d| d.short_name.clone()),
        _ => None,
    };
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
            // No filter means "place unknown".
            (None, _) => return None,
        }
        Some(base.href("/", |q| q.filters = filters))
    };

    let columns = cov
        .columns
        .iter()
        .map(|col| Column {
            name: col.name.clone(),
            href: match (&col.code, by_county) {
                (Some(code), false) => {
                    Some(base.href("/ledger", |q| q.prefecture = Some(code.clone())))
                }
                _ => None,
            },
        })
        .collect();
    let rows = cov
        .rows
        .iter()
        .map(|row| {
            let label = match &row.code {
                Some(c) => format!("{c} {}", row.name),
                None => row.name.clone(),
            };
            let cells = row
                .cells
                .iter()
                .zip(&cov.columns)
                .map(|(cell, col)| Cell {
                    empty: cell.total == 0 && col.code.is_some() && row.code.is_some(),
                    href: cell_href(row.code.as_deref(), col.code.as_deref()),
                    title: format!("{} {} · {}", col.name, label, cell.total),
                    text: if cell.total == 0 {
                        "—".to_string()
                    } else {
                        cell.total.to_string()
                    },
                })
                .collect();
            Row {
                depth: row.depth.min(4),
                indent: (0.4 + row.depth as f64 * 1.1).to_string(),
                label,
                cells,
                total: row.total,
            }
        })
        .collect();

    let heading = match &pref_name {
        Some(n) => l.fill(Msg::LedgerTitleCounty, &[("name", n)]),
        None => l.t(Msg::LedgerTitle).to_string(),
    };
    let empty = cov.empty_cells().len();
    let head = letterhead(&st, &cov);
    let file_href = |ext: &str| {
        base.href(&format!("/ledger.{ext}"), |q| {
            q.prefecture = p.prefecture.clone();
            q.count = p.count;
        })
    };
    let counts = Counted::ALL
        .into_iter()
        .map(|c| {
            let href = base.href("/ledger", |q| {
                q.prefecture = p.prefecture.clone();
                q.count = Some(c);
            });
            let mut label = c.label(l).to_string();
            if c == Counted::default() {
                label.push_str(l.t(Msg::LedgerCountDefault));
            }
            (label, href, c == counted)
        })
        .collect();
    let page = LedgerPage {
        downloads: vec![
            (l.t(Msg::LedgerDownloadXlsx), file_href("xlsx")),
            (l.t(Msg::LedgerDownloadCsv), file_href("csv")),
        ],
        print_title: head.title(l),
        print_byline: head.byline(l),
        legend: crate::report::legend_text(l, counted),
        counts,
        score_href: crate::problems::score::has_rubric(st.schema())
            .then(|| crate::serve::params::with_lang("/score", l)),
        layout: Layout::search(&p, "/ledger", toggled(&p, "/ledger"), &heading),
        l,
        back: pref_name.is_some().then(|| base.href("/ledger", |_| {})),
        note: l.fill(Msg::LedgerNote, &[("empty", &empty)]),
        heading,
        columns,
        rows,
        column_totals: cov.column_totals.clone(),
        total: cov.total,
    };
    render(StatusCode::OK, &page)
}

fn letterhead(st: &AppState, cov: &crate::report::Coverage) -> Letterhead {
    let cfg = st.config();
    Letterhead::new(
        st.schema(),
        cov,
        cfg.office.clone(),
        (cfg.tag.period_start, cfg.tag.period_end),
        cfg.limits.default_offset,
    )
}

/// `/ledger.xlsx`: the ledger as `archive report --format xlsx` writes it, titled and set up
/// for A4 landscape printing.
pub async fn ledger_xlsx(st: State<AppState>, raw: RawQuery) -> Response {
    ledger_file(st, raw, "xlsx").await
}

/// `/ledger.csv`: the ledger's numbers, UTF-8 with a BOM so Excel and WPS read the Chinese.
pub async fn ledger_csv(st: State<AppState>, raw: RawQuery) -> Response {
    ledger_file(st, raw, "csv").await
}

async fn ledger_file(State(st): State<AppState>, RawQuery(raw): RawQuery, ext: &str) -> Response {
    let p = match Params::parse(raw.as_deref()) {
        Ok(p) => p,
        Err(e) => return error_page(&Params::default(), "/ledger", &e),
    };
    let cov = match build_coverage(&st, p.prefecture.as_deref(), p.count.unwrap_or_default()).await
    {
        Ok(c) => c,
        Err(e) => return error_page(&p, "/ledger", &e),
    };
    let head = letterhead(&st, &cov);
    let (bytes, mime) = match ext {
        "xlsx" => match cov.to_xlsx(p.lang, &head) {
            Ok(b) => (
                b,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            Err(e) => return error_page(&p, "/ledger", &WebError::Internal(e.to_string())),
        },
        _ => (cov.to_csv(p.lang), "text/csv; charset=utf-8"),
    };
    // 覆盖台账-海东市-2026-12-03.xlsx: what it is, where, when, in the user's language.
    let mut name = p.lang.t(Msg::NavLedger).to_string();
    if let Some(place) = &head.place {
        name = format!("{name}-{place}");
    }
    if let Some(d) = head.date {
        name = format!("{name}-{d}");
    }
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) =
        HeaderValue::from_str(&content_disposition("attachment", &format!("{name}.{ext}")))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}
