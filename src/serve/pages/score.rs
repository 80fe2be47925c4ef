//! The scoring self-check page (评分自查, docs/problems.md): per prefecture the points its
//! accepted evidence supports against the rubric in `indicators.toml`, an indicator ×
//! prefecture matrix with every gap marked, and for one prefecture (`?prefecture=`) what each
//! indicator still misses and the open problems against it. Read-only.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;

use super::layout::{error_page, toggled, Layout};
use super::render;
use crate::i18n::{Lang, Msg};
use crate::problems::score::{self, gap_text, points_text, problem_numbers};
use crate::problems::track::{self, Filter};
use crate::problems::ProblemsError;
use crate::serve::params::{with_lang, Params};
use crate::serve::{AppState, WebError};

#[derive(Template)]
#[template(path = "score.html")]
pub struct ScorePage {
    pub layout: Layout,
    pub l: Lang,
    /// Set when the catalogue scores nothing: the page explains how to give points.
    pub no_rubric: Option<String>,
    pub preamble: Vec<String>,
    pub summary: Vec<SummaryRow>,
    pub columns: Vec<(String, String)>,
    pub matrix: Vec<MatrixRow>,
    /// The chosen prefecture's gaps.
    pub detail: Option<Detail>,
}

pub struct SummaryRow {
    pub name: String,
    pub href: String,
    pub earned: String,
    pub with_pending: String,
    pub points: String,
    pub missing: usize,
    pub problems: usize,
}

pub struct MatrixRow {
    pub code: String,
    pub name: String,
    pub points: String,
    /// Per prefecture: (earned, complete, title listing what is missing).
    pub cells: Vec<(String, bool, String)>,
}

pub struct Detail {
    pub heading: String,
    pub rows: Vec<DetailRow>,
}

pub struct DetailRow {
    pub code: String,
    pub name: String,
    pub earned: String,
    pub with_pending: String,
    pub points: String,
    pub gaps: Vec<String>,
    pub problems: Vec<(String, String, bool)>,
}

pub async fn score_page(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let p = match Params::parse(raw.as_deref()) {
        Ok(p) => p,
        Err(e) => return error_page(&Params::default(), "/score", &e),
    };
    let l = p.lang;
    let schema = st.schema();
    let title = l.t(Msg::ScoreTitle);
    let mut page = ScorePage {
        layout: Layout::search(&p, "/score", toggled(&p, "/score"), title),
        l,
        no_rubric: None,
        preamble: Vec::new(),
        summary: Vec::new(),
        columns: Vec::new(),
        matrix: Vec::new(),
        detail: None,
    };
    if !score::has_rubric(schema) {
        page.no_rubric = Some(l.t(Msg::ScoreNoRubric).to_string());
        return render(StatusCode::OK, &page);
    }
    let chosen = match &p.prefecture {
        None => None,
        Some(typed) => match score::prefecture_code(schema, typed) {
            Some(c) => Some(c),
            None => {
                let e = WebError::BadRequest(l.fill(Msg::ScoreNotPrefecture, &[("place", typed)]));
                return error_page(&p, "/score", &e);
            }
        },
    };
    let every = Filter {
        prefecture: None,
        category: None,
        status: None,
        overdue_only: false,
        as_of: chrono::Local::now().date_naive(),
    };
    let gathered = st.with_curation(|cat| {
        Ok::<_, ProblemsError>((score::gather_files(cat)?, track::list(cat, schema, &every)?))
    });
    let (files, problems) = match gathered {
        Ok(x) => x,
        Err(e) => return error_page(&p, "/score", &e),
    };
    let cfg = st.config();
    let years = (cfg.tag.period_start.year(), cfg.tag.period_end.year());
    let s = score::build(schema, &files, &problems, &[], years, l);
    page.preamble = s.preamble(l);
    page.summary = s
        .prefectures
        .iter()
        .map(|x| SummaryRow {
            name: x.name.clone(),
            href: with_lang(&format!("/score?prefecture={}", x.code), l),
            earned: points_text(x.earned),
            with_pending: points_text(x.with_pending),
            points: points_text(x.points),
            missing: x.missing,
            problems: x.open_problems,
        })
        .collect();
    page.columns = s
        .prefectures
        .iter()
        .map(|x| {
            (
                x.name.clone(),
                with_lang(&format!("/score?prefecture={}", x.code), l),
            )
        })
        .collect();
    if let Some(first) = s.prefectures.first() {
        page.matrix = first
            .indicators
            .iter()
            .enumerate()
            .map(|(k, ind)| MatrixRow {
                code: ind.code.clone(),
                name: ind.name.clone(),
                points: points_text(ind.points),
                cells: s
                    .prefectures
                    .iter()
                    .map(|x| {
                        let i = &x.indicators[k];
                        let gaps: Vec<String> = i.missing().map(|c| gap_text(c, l)).collect();
                        (points_text(i.earned), gaps.is_empty(), gaps.join("\n"))
                    })
                    .collect(),
            })
            .collect();
    }
    if let Some(code) = chosen {
        if let Some(x) = s.prefectures.iter().find(|x| x.code == code) {
            page.detail = Some(Detail {
                heading: l.fill(
                    Msg::ScoreSummaryLine,
                    &[
                        ("place", &x.name),
                        ("earned", &points_text(x.earned)),
                        ("points", &points_text(x.points)),
                        ("pending", &points_text(x.with_pending)),
                        ("missing", &x.missing),
                        ("problems", &x.open_problems),
                    ],
                ),
                rows: x
                    .indicators
                    .iter()
                    .map(|i| DetailRow {
                        code: i.code.clone(),
                        name: i.name.clone(),
                        earned: points_text(i.earned),
                        with_pending: points_text(i.with_pending),
                        points: points_text(i.points),
                        gaps: i.missing().map(|c| gap_text(c, l)).collect(),
                        problems: i
                            .open_problems
                            .iter()
                            .map(|q| {
                                (
                                    with_lang(&format!("/problems/{}", q.id), l),
                                    problem_numbers(std::slice::from_ref(q), l),
                                    q.overdue,
                                )
                            })
                            .collect(),
                    })
                    .collect(),
            });
        }
    }
    render(StatusCode::OK, &page)
}
