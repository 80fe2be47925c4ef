//! The problem list's pages (问题整改, docs/problems.md): a matrix of place × category with open
//! and overdue counts, each count a link to the list it stands for; the filtered list; and one
//! problem with its evidence (thumbnails, linked by content) and history. Read-only: changes
//! go through `archive problems` and are audited there.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::layout::{error_page, toggled, Layout};
use super::render;
use crate::i18n::{Lang, Msg};
use crate::problems::track::{self, Filter, HistoryLine, ProblemView};
use crate::problems::{deadline, ProblemsError, Status};
use crate::serve::params::{with_lang, Params};
use crate::serve::{AppState, WebError};

impl From<ProblemsError> for WebError {
    fn from(e: ProblemsError) -> WebError {
        match e {
            ProblemsError::Said {
                msg: Msg::ProblemsNotFound,
                ..
            } => WebError::NotFound(e.localized(Lang::Zh)),
            ProblemsError::Said { .. } | ProblemsError::Refused { .. } => {
                WebError::BadRequest(e.localized(Lang::Zh))
            }
            // Refused roles are 403, as for every other curation form.
            ProblemsError::Curate(c) => WebError::from(c),
        }
    }
}

#[derive(Template)]
#[template(path = "problems.html")]
pub struct ProblemsPage {
    pub layout: Layout,
    pub l: Lang,
    pub as_of: String,
    pub categories: Vec<String>,
    pub matrix: Vec<MatrixRow>,
    /// What the list below is filtered to, in words; empty when it is the whole list.
    pub filtered: String,
    pub all_href: String,
    pub rows: Vec<ListRow>,
    pub count: String,
    pub score_href: String,
}

pub struct MatrixRow {
    pub place: String,
    pub cells: Vec<MatrixCell>,
}

pub struct MatrixCell {
    pub open: usize,
    pub overdue: usize,
    pub href: String,
    pub overdue_href: String,
}

pub struct ListRow {
    pub href: String,
    pub place: String,
    pub number: String,
    pub category: String,
    pub description: String,
    pub deadline: String,
    pub status: &'static str,
    pub overdue: bool,
    pub evidence: usize,
}

/// The list's own filters, beside the page's usual parameters (`prefecture`, `lang`).
struct Asked {
    category: Option<String>,
    status: Option<Status>,
    overdue: bool,
    as_of: chrono::NaiveDate,
}

fn asked(raw: Option<&str>) -> Result<Asked, WebError> {
    let mut a = Asked {
        category: None,
        status: None,
        overdue: false,
        as_of: chrono::Local::now().date_naive(),
    };
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "category" if !v.trim().is_empty() => a.category = Some(v.trim().to_string()),
            "status" if !v.trim().is_empty() => {
                a.status = Some(Status::parse(&v).ok_or_else(|| {
                    WebError::BadRequest(format!(
                        "status {v:?} is not one of open, rectifying, rectified, verified, withdrawn"
                    ))
                })?)
            }
            "overdue" => a.overdue = matches!(v.as_ref(), "1" | "true" | "yes"),
            "as_of" if !v.trim().is_empty() => {
                a.as_of = deadline::parse_day(&v).ok_or_else(|| {
                    WebError::BadRequest(format!("as_of {v:?} is not a date (2020-06-30)"))
                })?
            }
            _ => {}
        }
    }
    Ok(a)
}

fn place_name(l: Lang, p: &ProblemView) -> String {
    p.prefecture.as_ref().map_or_else(
        || l.t(Msg::ProblemsProvinceWide).to_string(),
        |x| x.name.clone(),
    )
}

/// `/problems?prefecture=…&category=…&status=…&overdue=1&as_of=…`
fn list_href(
    l: Lang,
    place: Option<&str>,
    category: Option<&str>,
    overdue: bool,
    as_of: &str,
) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    if let Some(p) = place {
        q.append_pair("prefecture", p);
    }
    if let Some(c) = category {
        q.append_pair("category", c);
    }
    if overdue {
        q.append_pair("overdue", "1");
    }
    q.append_pair("as_of", as_of);
    with_lang(&format!("/problems?{}", q.finish()), l)
}

pub async fn problems_page(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let p = match Params::parse(raw.as_deref()) {
        Ok(p) => p,
        Err(e) => return error_page(&Params::default(), "/problems", &e),
    };
    let a = match asked(raw.as_deref()) {
        Ok(a) => a,
        Err(e) => return error_page(&p, "/problems", &e),
    };
    let l = p.lang;
    let as_of = deadline::ymd(a.as_of);
    let every = Filter {
        prefecture: None,
        category: None,
        status: None,
        overdue_only: false,
        as_of: a.as_of,
    };
    let chosen = Filter {
        prefecture: p.prefecture.clone(),
        category: a.category.clone(),
        status: a.status,
        overdue_only: a.overdue,
        as_of: a.as_of,
    };
    let schema = st.schema();
    // The matrix needs the whole list; the list shown is narrowed from it, not read again.
    let lists = st.with_curation(|cat| {
        let all = track::list(cat, schema, &every)?;
        let shown = track::narrow(schema, &chosen, &all)?;
        Ok::<_, ProblemsError>((all, shown))
    });
    let (all, shown) = match lists {
        Ok(x) => x,
        Err(e) => return error_page(&p, "/problems", &e),
    };

    // The matrix: places in list order (province-wide first), categories as first met; the
    // counts in one pass over the list (10,000 problems are read once, not once per cell).
    let mut categories: Vec<String> = Vec::new();
    let mut places: Vec<String> = Vec::new();
    let mut counts: Vec<Vec<(usize, usize)>> = Vec::new();
    for x in &all {
        let c = match categories.iter().position(|c| *c == x.category) {
            Some(c) => c,
            None => {
                categories.push(x.category.clone());
                counts.iter_mut().for_each(|row| row.push((0, 0)));
                categories.len() - 1
            }
        };
        let name = place_name(l, x);
        let r = match places.iter().position(|p| *p == name) {
            Some(r) => r,
            None => {
                places.push(name);
                counts.push(vec![(0, 0); categories.len()]);
                places.len() - 1
            }
        };
        if x.status.is_pending() {
            let cell = &mut counts[r][c];
            cell.0 += 1;
            cell.1 += x.overdue as usize;
        }
    }
    let province = l.t(Msg::ProblemsProvinceWide);
    let matrix = places
        .iter()
        .zip(&counts)
        .map(|(place, row)| {
            let key = if place == province {
                "全省"
            } else {
                place.as_str()
            };
            let cells = categories
                .iter()
                .zip(row)
                .map(|(c, &(open, overdue))| MatrixCell {
                    open,
                    overdue,
                    href: list_href(l, Some(key), Some(c), false, &as_of),
                    overdue_href: list_href(l, Some(key), Some(c), true, &as_of),
                })
                .collect();
            MatrixRow {
                place: place.clone(),
                cells,
            }
        })
        .collect();

    let mut said: Vec<String> = Vec::new();
    said.extend(p.prefecture.clone());
    said.extend(a.category.clone());
    said.extend(a.status.map(|s| l.t(s.label()).to_string()));
    if a.overdue {
        said.push(l.t(Msg::ProblemsOverdue).to_string());
    }
    let overdue = shown.iter().filter(|x| x.overdue).count();
    let rows = shown
        .iter()
        .map(|x| ListRow {
            href: with_lang(&format!("/problems/{}", x.id), l),
            place: place_name(l, x),
            number: x.number.clone(),
            category: x.category.clone(),
            description: x.description.clone(),
            deadline: x
                .deadline
                .clone()
                .unwrap_or_else(|| x.deadline_text.clone()),
            status: l.t(x.status.label()),
            overdue: x.overdue,
            evidence: x.evidence.len(),
        })
        .collect();
    let title = l.t(Msg::NavProblems);
    let page = ProblemsPage {
        layout: Layout::search(&p, "/problems", toggled(&p, "/problems"), title),
        l,
        count: l.fill(
            Msg::ProblemsCount,
            &[("n", &shown.len()), ("overdue", &overdue)],
        ),
        as_of: l.fill(Msg::ProblemsAsOf, &[("date", &as_of)]),
        categories,
        matrix,
        filtered: said.join(" · "),
        all_href: with_lang("/problems", l),
        score_href: with_lang("/score", l),
        rows,
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "problem.html")]
pub struct ProblemPage {
    pub layout: Layout,
    pub l: Lang,
    pub heading: String,
    pub status: &'static str,
    pub overdue: bool,
    pub fields: Vec<(&'static str, String)>,
    pub evidence: Vec<EvidenceItem>,
    pub history: Vec<HistoryLine>,
    pub back: String,
}

pub struct EvidenceItem {
    pub href: String,
    pub thumb: String,
    pub note: String,
    pub who: String,
    pub at: String,
}

pub async fn problem_page(
    State(st): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let p = Params::parse(raw.as_deref()).unwrap_or_default();
    let here = format!("/problems/{id}");
    let Ok(id) = id.parse::<i64>() else {
        let e = WebError::NotFound(format!("{id:?} is not a problem's id"));
        return error_page(&p, &here, &e);
    };
    let l = p.lang;
    let schema = st.schema();
    let today = chrono::Local::now().date_naive();
    let d = match st.with_curation(|cat| track::show(cat, schema, id, today)) {
        Ok(d) => d,
        Err(e) => return error_page(&p, &here, &e),
    };
    let x = &d.problem;
    let mut place = place_name(l, x);
    if let Some(c) = &x.county {
        place = format!("{place} {}", c.name);
    }
    let deadline = match (&x.deadline, x.deadline_text.is_empty()) {
        (Some(day), false) if *day != x.deadline_text => format!("{day}（{}）", x.deadline_text),
        (Some(day), _) => day.clone(),
        (None, _) => x.deadline_text.clone(),
    };
    let indicators = match x.indicators.is_empty() {
        true => x.indicator_text.clone(),
        false => x.indicators.join("、"),
    };
    let fields = [
        (Msg::ProblemsColPlace, place.clone()),
        (Msg::ProblemsColNumber, x.number.clone()),
        (Msg::ProblemsColCategory, x.category.clone()),
        (Msg::ProblemsLabelIndicators, indicators),
        (Msg::ProblemsLabelMeasures, x.measures.clone()),
        (Msg::ProblemsLabelResponsible, x.responsible.clone()),
        (Msg::ProblemsColDeadline, deadline),
        (Msg::ProblemsLabelProgress, x.progress.clone()),
        (Msg::ProblemsLabelRemark, x.remark.clone()),
        (
            Msg::ProblemsLabelSource,
            l.fill(
                Msg::ProblemsSourceRow,
                &[("file", &x.source), ("row", &x.source_row)],
            ),
        ),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(m, v)| (l.t(m), v))
    .collect();
    let evidence = x
        .evidence
        .iter()
        .map(|e| EvidenceItem {
            href: with_lang(&format!("/record/{}", e.blake3), l),
            thumb: format!("/thumb/{}", e.blake3),
            note: e.note.clone(),
            who: e.who.clone(),
            at: e.at.clone(),
        })
        .collect();
    let heading = format!("{place} {} · {}", x.number, x.description);
    let page = ProblemPage {
        layout: Layout::search(&p, "/problems", toggled(&p, &here), &heading),
        l,
        heading,
        status: l.t(x.status.label()),
        overdue: x.overdue,
        fields,
        evidence,
        history: d.history.clone(),
        back: with_lang("/problems", l),
    };
    render(StatusCode::OK, &page)
}
