//! The coverage ledger (`templates/ledger.html`): indicators × prefectures, or × the counties
//! of one prefecture, each cell a link to its files and every empty cell marked.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::layout::{error_page, toggled, Layout};
use super::render;
use crate::i18n::{Lang, Msg};
use crate::report::By;
use crate::serve::api::build_coverage;
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
    let cov = match build_coverage(&st, p.prefecture.as_deref()).await {
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
    let page = LedgerPage {
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
