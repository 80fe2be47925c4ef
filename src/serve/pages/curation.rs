//! What the search and record pages show of curation, as data: the "add all results" form
//! under the results and the curation block of a record's page (add to a collection,
//! re-tag, the file's history). Read through `crate::curate`, which checks the actor's role;
//! drawn by `templates/partials/add_results.html` and `partials/record_curation.html`. The
//! forms post to the handlers in `serve::curate`.

use crate::catalog::FileRow;
use crate::curate::audit::{self, AuditEntry};
use crate::curate::collections::{self, Review};
use crate::curate::Role;
use crate::i18n::{Lang, Msg};
use crate::present::{field_label, local_time, source_label};
use crate::schema::Level;
use crate::serve::auth::Who;
use crate::serve::AppState;

/// Under the results: add every result of this search to a collection (curators only).
pub struct AddResults {
    pub csrf: String,
    /// The search's words and its filters (`field:value`), sent back as the search box and
    /// the facet links send them (`q`, `f`): the handler runs the same search again.
    pub q: String,
    pub filters: Vec<String>,
    /// "Add all N results …", in the page's language.
    pub button: String,
    pub collections: Vec<String>,
}

/// `None` unless a curator looks and some collection exists.
pub fn add_results(
    st: &AppState,
    who: &Who,
    l: Lang,
    q: &str,
    filters: &[(String, String)],
    total: usize,
) -> Option<AddResults> {
    let actor = who.actor.as_ref().filter(|a| a.can(Role::Curator))?;
    // Browsing everything is not a search: adding "all results" would add the whole catalog.
    if q.trim().is_empty() && filters.is_empty() {
        return None;
    }
    let collections: Vec<String> = st
        .with_curation(|cat| collections::list(cat, actor))
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.name)
        .collect();
    (!collections.is_empty()).then(|| AddResults {
        csrf: who.csrf.clone(),
        q: q.to_string(),
        filters: filters.iter().map(|(f, v)| format!("{f}:{v}")).collect(),
        button: l.fill(Msg::AddAllResults, &[("n", &total)]),
        collections,
    })
}

/// Under the results, for curators, when the problem list has problems still open: link the
/// files ticked on their cards to one problem as its rectification evidence.
pub struct LinkProblem {
    pub csrf: String,
    pub problems: Vec<(i64, String)>,
    /// The search as shown, where the form returns.
    pub back: String,
}

/// `None` unless a curator looks and some problem is still open; a search narrowed to one
/// prefecture offers that prefecture's problems and the province-wide ones.
pub fn link_problem(
    st: &AppState,
    who: &Who,
    prefecture: Option<&str>,
    back: String,
) -> Option<LinkProblem> {
    who.actor.as_ref().filter(|a| a.can(Role::Curator))?;
    let code = prefecture
        .and_then(|p| st.schema().resolve_place(p))
        .filter(|d| d.level == crate::schema::Level::Prefecture)
        .map(|d| d.code.clone());
    let problems = pending_problems(st, code);
    (!problems.is_empty()).then(|| LinkProblem {
        csrf: who.csrf.clone(),
        problems,
        back,
    })
}

/// The curation block of a file's detail page.
pub struct RecordCuration {
    pub csrf: String,
    pub file_id: i64,
    pub blake3: String,
    /// Collections to add the file to (curators only; empty hides the form).
    pub collections: Vec<String>,
    /// Curators may re-tag.
    pub curator: bool,
    /// The re-tag form's lists: every indicator as "B4.1 科普大篷车" (what the resolver reads
    /// back), and every current prefecture and county by name.
    pub indicators: Vec<String>,
    pub places: Vec<String>,
    pub history: Vec<HistoryLine>,
    /// Problems still being rectified that this file could prove done (its prefecture's and
    /// the province-wide ones), as "编号 · 描述"; empty hides the 作为整改佐证 form.
    pub problems: Vec<(i64, String)>,
    /// The record page as opened (inside a search or a collection): where a re-tag returns.
    pub here: String,
}

/// One line of a file's history: the audit entry, and what it changed from what to what.
pub struct HistoryLine {
    pub at: String,
    pub who: String,
    pub action: String,
    pub subject: String,
    /// "指标：B1 科技教育与培训基础工程 (路径) → B4.1 科普大篷车".
    pub change: Option<String>,
    pub reason: Option<String>,
}

/// `None` for someone not signed in.
pub fn record_curation(
    st: &AppState,
    who: &Who,
    row: &FileRow,
    blake3: &str,
    l: Lang,
    here: String,
) -> Option<RecordCuration> {
    let actor = who.actor.as_ref()?;
    let curator = actor.can(Role::Curator);
    let collections = if curator {
        st.with_curation(|cat| collections::list(cat, actor))
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.name)
            .collect()
    } else {
        Vec::new()
    };
    let history = st
        .with_curation(|cat| audit::file_history(cat.conn(), blake3))
        .unwrap_or_default()
        .into_iter()
        .map(|e| HistoryLine {
            change: change_of(l, &e, &row.display_path()),
            at: local_time(&e.at, st.config().limits.default_offset),
            who: e.who,
            action: e.action,
            subject: e.subject,
            reason: e.reason,
        })
        .collect();
    let schema = st.schema();
    let (indicators, places) = if curator {
        (
            schema
                .indicators()
                .iter()
                .map(|i| format!("{} {}", i.code, i.name))
                .collect(),
            schema
                .divisions()
                .iter()
                .filter(|d| d.status == "current" && d.level != Level::Province)
                .map(|d| d.short_name.clone())
                .collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Some(RecordCuration {
        csrf: who.csrf.clone(),
        file_id: row.id,
        blake3: blake3.to_string(),
        collections,
        curator,
        indicators,
        places,
        history,
        problems: if curator {
            open_problems(st, row)
        } else {
            Vec::new()
        },
        here,
    })
}

/// The problems a file may be linked to as rectification evidence: not yet rectified, of the
/// file's prefecture (and the province-wide ones), or every such problem when the file has no
/// prefecture. A catalog without a problem list gives none.
fn open_problems(st: &AppState, row: &FileRow) -> Vec<(i64, String)> {
    let prefecture = row
        .tagging
        .as_ref()
        .and_then(|t| t.prefecture.as_ref())
        .map(|p| p.code.clone());
    pending_problems(st, prefecture)
}

/// Problems not yet rectified, of `prefecture` and the province-wide ones (all with `None`),
/// as "编号 市州 · 描述".
fn pending_problems(st: &AppState, prefecture: Option<String>) -> Vec<(i64, String)> {
    let filter = crate::problems::track::Filter {
        prefecture,
        category: None,
        status: None,
        overdue_only: false,
        as_of: chrono::Local::now().date_naive(),
    };
    st.with_curation(|cat| crate::problems::track::list(cat, st.schema(), &filter))
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.status.is_pending())
        .map(|p| {
            let place = p
                .prefecture
                .as_ref()
                .map(|x| x.name.as_str())
                .unwrap_or("全省");
            let text: String = p.description.chars().take(40).collect();
            (p.id, format!("{} {place} · {text}", p.number))
        })
        .collect()
}

/// What an entry changed for the file at `path`, old → new, in words; `None` for entries
/// that change no value of the file (added to a collection, exported).
fn change_of(l: Lang, e: &AuditEntry, path: &str) -> Option<String> {
    let d = &e.details;
    let none = || l.t(Msg::NoValue).to_string();
    // A change made to several files at once lists each file; this file's entry, else the first.
    let mine = |list: &serde_json::Value| -> Option<serde_json::Value> {
        let list = list.as_array()?;
        list.iter()
            .find(|f| f["path"].as_str() == Some(path))
            .or_else(|| list.first())
            .cloned()
    };
    match e.action.as_str() {
        "tag.set" => {
            let kind = d["kind"].as_str()?;
            let what = field_label(l, kind);
            let (code, name) = (
                d["code"].as_str().unwrap_or(""),
                d["name"].as_str().unwrap_or(""),
            );
            // Indicators as the page lists them (B4.1 科普大篷车), places by name.
            let new = if kind == "indicator" {
                format!("{code} {name}")
            } else {
                name.to_string()
            };
            // Stored as "C5 社会动员、宣传与表彰 (path)": the source in the reader's words.
            let old = mine(&d["files"])
                .and_then(|f| f["before"].as_str().map(str::to_string))
                .map(
                    |b| match b.strip_suffix(')').and_then(|b| b.rsplit_once(" (")) {
                        Some((value, source)) => format!("{value} ({})", source_label(l, source)),
                        None => b,
                    },
                )
                .unwrap_or_else(none);
            Some(l.fill(
                Msg::HistoryChange,
                &[("what", &what), ("old", &old), ("new", &new.trim())],
            ))
        }
        "tag.clear" => {
            let what = field_label(l, d["kind"].as_str()?);
            let old = mine(&d["files"])
                .and_then(|f| f["code"].as_str().map(str::to_string))
                .unwrap_or_else(none);
            Some(l.fill(Msg::HistoryCleared, &[("what", &what), ("old", &old)]))
        }
        "review.set" => {
            let new = review_word(l, d["state"].as_str()?);
            let paths = d["paths"].as_array();
            let at = paths
                .and_then(|p| p.iter().position(|x| x.as_str() == Some(path)))
                .unwrap_or(0);
            let old = d["before"][at]
                .as_str()
                .map(|s| review_word(l, s))
                .unwrap_or_else(none);
            Some(l.fill(
                Msg::HistoryChange,
                &[
                    ("what", &l.t(Msg::HistoryReview)),
                    ("old", &old),
                    ("new", &new),
                ],
            ))
        }
        _ => None,
    }
}

fn review_word(l: Lang, state: &str) -> String {
    match Review::parse(state) {
        Some(Review::Pending) => l.t(Msg::ReviewPending).to_string(),
        Some(Review::Accepted) => l.t(Msg::ReviewAccepted).to_string(),
        Some(Review::Rejected) => l.t(Msg::ReviewRejected).to_string(),
        None => state.to_string(),
    }
}
